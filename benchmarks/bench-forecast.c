/*
 * bench-forecast: two years of 30-minute intervals for 5 channels, from
 * ticket instants to forecasts:
 *
 *   history   cm_forecast_intervals + cm_forecast_history_add + cm_forecast_to_grid
 *             over about 1.8 million arrivals;
 *   methods   cm_forecast_predict for the next 14 days with every free parameter
 *             fitted (Nelder–Mead), per method, all 5 channels;
 *   baseline  the same fits by a grid search through the same library calls
 *             (fixed parameters, every grid point one evaluation: 5 values per
 *             parameter for Taylor's method, 6 for Holt-Winters), to show what
 *             the optimiser saves, and the SSE each reaches.
 *
 * Workspaces and series are allocated and touched before any timed span.
 * The statsmodels comparison is benchmarks/bench-forecast.py.
 *
 *   bench-forecast [--quick]
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <caremetrics.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHANNELS 5
#define P        48
#define HORIZON  (14 * P)

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t state = 20261123u;

static uint64_t next(void)
{
    uint64_t z = (state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static double unit(void)
{
    return (double)(next() >> 11) * 0x1.0p-53;
}

/* Mean arrivals of channel c in slot t: an intraday bell, quieter weekends, a slow trend. */
static double mean_of(int c, size_t t)
{
    const double scale[CHANNELS] = {48.0, 32.0, 24.0, 6.0, 10.0};
    const double hour = (double)(t % P) / 2.0, day = (double)(t / P);
    const double bell = exp(-0.5 * (hour - 13.0) * (hour - 13.0) / 10.0);
    const double week = ((size_t)day % 7) >= 5 ? 0.5 : 1.0;
    return scale[c] * (0.1 + bell) * week * (1.0 + day / 2000.0);
}

/* Poisson draw by inversion (means here are small). */
static unsigned poisson(double mu)
{
    const double l = exp(-mu);
    double p = 1.0;
    unsigned k = 0;
    do {
        k++;
        p *= unit();
    } while (p > l && k < 1000);
    return k - 1;
}

typedef struct timing {
    double wall, cpu;
} timing;

static timing since(double w0, double c0)
{
    timing t = {now() - w0, cpu() - c0};
    return t;
}

int main(int argc, char **argv)
{
    const bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    const uint32_t days = quick ? 182 : 730;
    const size_t n = (size_t)days * P;

    /* ---- tickets and the interval history ---- */
    cm_calendar *cal;
    if (cm_calendar_parse("tz Europe/London\nmon-sun 00:00-24:00\n", &cal, NULL) != CM_OK) {
        fprintf(stderr, "no Europe/London zone\n");
        return 1;
    }
    size_t n_iv = 0;
    if (cm_forecast_intervals(cal, 2024, 1, 1, days, 30, NULL, 0, &n_iv) != CM_ENOSPC)
        return 1;
    cm_forecast_interval *iv = malloc(n_iv * sizeof *iv);
    if (iv == NULL || cm_forecast_intervals(cal, 2024, 1, 1, days, 30, iv, n_iv, &n_iv) != CM_OK)
        return 1;
    size_t rows = 0, cap = 1u << 21;
    cm_time *created = malloc(cap * sizeof *created);
    uint32_t *channel = malloc(cap * sizeof *channel);
    double *handle = malloc(cap * sizeof *handle);
    for (size_t i = 0; i < n_iv && created && channel && handle; i++) {
        for (int c = 0; c < CHANNELS; c++) {
            const unsigned k = poisson(mean_of(c, (size_t)iv[i].day * P + iv[i].slot));
            for (unsigned j = 0; j < k; j++) {
                if (rows == cap) {
                    cap *= 2;
                    created = realloc(created, cap * sizeof *created);
                    channel = realloc(channel, cap * sizeof *channel);
                    handle = realloc(handle, cap * sizeof *handle);
                    if (!created || !channel || !handle)
                        return 1;
                }
                created[rows] = iv[i].start + (cm_time)(unit() * iv[i].seconds);
                channel[rows] = (uint32_t)c;
                handle[rows] = 120.0 + 600.0 * unit();
                rows++;
            }
        }
    }
    double *counts = calloc((size_t)CHANNELS * n_iv, sizeof *counts);
    double *hsum = calloc((size_t)CHANNELS * n_iv, sizeof *hsum);
    double *handled = calloc((size_t)CHANNELS * n_iv, sizeof *handled);
    double *grid = calloc((size_t)CHANNELS * n, sizeof *grid);
    uint8_t *st = calloc((size_t)CHANNELS * n, 1);
    if (!counts || !hsum || !handled || !grid || !st)
        return 1;
    /* Fault the pages in before the clock starts (calloc's may be untouched). */
    memset(counts, 0, (size_t)CHANNELS * n_iv * sizeof *counts);
    memset(hsum, 0, (size_t)CHANNELS * n_iv * sizeof *hsum);
    memset(handled, 0, (size_t)CHANNELS * n_iv * sizeof *handled);
    memset(grid, 0xff, (size_t)CHANNELS * n * sizeof *grid);
    memset(st, 0xff, (size_t)CHANNELS * n);
    double w0 = now(), c0 = cpu();
    size_t again = 0;
    cm_status s = cm_forecast_intervals(cal, 2024, 1, 1, days, 30, iv, n_iv, &again);
    if (s == CM_OK)
        s = cm_forecast_history_add(iv, n_iv, created, channel, handle, rows, CHANNELS, counts,
                                    hsum, handled, NULL);
    for (int c = 0; c < CHANNELS && s == CM_OK; c++)
        s = cm_forecast_to_grid(iv, n_iv, counts + (size_t)c * n_iv, days, P, grid + (size_t)c * n,
                                st + (size_t)c * n);
    const timing th = since(w0, c0);
    if (s != CM_OK) {
        fprintf(stderr, "history: %s\n", cm_status_name(s));
        return 1;
    }
    printf("forecast: %u days of 30-minute intervals (Europe/London, with its DST days) for %d "
           "channels, %zu arrivals\n",
           days, CHANNELS, rows);
    printf("history   intervals, counts and grid: %8.1f ms wall, %8.1f ms CPU, %.1f M arrivals/s\n",
           1e3 * th.wall, 1e3 * th.cpu, (double)rows / th.cpu / 1e6);

    /* ---- each method, all channels, fit + 14-day forecast ---- */
    static const struct {
        const char *name;
        cm_forecast_method method;
        cm_forecast_trend trend;
    } methods[] = {
        {"seasonal naive", CM_FORECAST_SEASONAL_NAIVE, CM_FORECAST_TREND_NONE},
        {"weekly mean (4)", CM_FORECAST_WEEKLY_MEAN, CM_FORECAST_TREND_NONE},
        {"weekly median (4)", CM_FORECAST_WEEKLY_MEDIAN, CM_FORECAST_TREND_NONE},
        {"Holt-Winters damped", CM_FORECAST_HOLT_WINTERS, CM_FORECAST_TREND_DAMPED},
        {"Taylor", CM_FORECAST_TAYLOR, CM_FORECAST_TREND_NONE},
    };
    static double point[HORIZON], lo[HORIZON], hi[HORIZON];
    size_t most = 0;
    for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
        cm_forecast_model model;
        size_t b = 0;
        if (cm_forecast_model_default(methods[m].method, P, &model) != CM_OK ||
            cm_forecast_workspace_size(&model, n, HORIZON, &b) != CM_OK)
            return 1;
        most = b > most ? b : most;
    }
    void *work = malloc(most + 8);
    if (work == NULL)
        return 1;
    memset(work, 0, most + 8);
    printf("\n%-22s %12s %12s %14s %12s\n", "fit + forecast 14 days", "wall ms", "CPU ms",
           "slots/s (CPU)", "evaluations");
    double taylor_cpu = 0.0, hw_cpu = 0.0;
    for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
        cm_forecast_model model;
        if (cm_forecast_model_default(methods[m].method, P, &model) != CM_OK)
            return 1;
        model.trend = methods[m].trend;
        bool has = false;
        if (cm_forecast_has_interval(&model, &has) != CM_OK)
            return 1;
        uint32_t evals = 0;
        w0 = now();
        c0 = cpu();
        for (int c = 0; c < CHANNELS; c++) {
            cm_forecast_fit_result r;
            s = cm_forecast_fit(&model, grid + (size_t)c * n, st + (size_t)c * n, n, NULL, work,
                                most, &r, NULL);
            if (s == CM_OK)
                s = cm_forecast_predict(&r.model, grid + (size_t)c * n, st + (size_t)c * n, n, NULL,
                                        NULL, HORIZON, 0.95, work, most, point, has ? lo : NULL,
                                        has ? hi : NULL);
            if (s != CM_OK) {
                fprintf(stderr, "%s: %s\n", methods[m].name, cm_status_name(s));
                return 1;
            }
            evals += r.evaluations;
        }
        const timing tm = since(w0, c0);
        printf("%-22s %12.1f %12.1f %14.3g %12u\n", methods[m].name, 1e3 * tm.wall, 1e3 * tm.cpu,
               (double)(CHANNELS * n) / tm.cpu, evals);
        if (methods[m].method == CM_FORECAST_TAYLOR)
            taylor_cpu = tm.cpu;
        if (methods[m].method == CM_FORECAST_HOLT_WINTERS)
            hw_cpu = tm.cpu;
    }

    /* ---- the optimiser against a grid search, same objective ---- */
    printf("\nfitting against a grid search of the same objective (all channels)\n");
    printf("%-22s %12s %12s %14s %14s\n", "", "NM CPU ms", "grid CPU ms", "grid / NM",
           "SSE NM / grid");
    for (int which = 0; which < 2; which++) {
        const bool taylor = which == 0;
        cm_forecast_model model;
        if (cm_forecast_model_default(taylor ? CM_FORECAST_TAYLOR : CM_FORECAST_HOLT_WINTERS, P,
                                      &model) != CM_OK)
            return 1;
        if (!taylor)
            model.trend = CM_FORECAST_TREND_DAMPED;
        const int steps = taylor ? 5 : 6, dims = taylor ? 3 : 4;
        double nm_sse = 0.0, grid_sse = 0.0;
        w0 = now();
        c0 = cpu();
        for (int c = 0; c < CHANNELS; c++) {
            cm_forecast_fit_result r;
            cm_forecast_model mm = model;
            if (taylor)
                mm.fit = CM_FORECAST_ALPHA | CM_FORECAST_GAMMA | CM_FORECAST_OMEGA;
            if (cm_forecast_fit(&mm, grid + (size_t)c * n, st + (size_t)c * n, n, NULL, work, most,
                                &r, NULL) != CM_OK)
                return 1;
            nm_sse += r.sse;
        }
        const timing tnm = since(w0, c0);
        w0 = now();
        c0 = cpu();
        for (int c = 0; c < CHANNELS; c++) {
            double best = (double)INFINITY;
            int total = 1;
            for (int d = 0; d < dims; d++)
                total *= steps;
            for (int k = 0; k < total; k++) {
                cm_forecast_model mm = model;
                mm.fit = 0;
                int rest = k;
                double v[4];
                for (int d = 0; d < dims; d++) {
                    v[d] = (0.5 + rest % steps) / steps; /* cell midpoints in (0, 1) */
                    rest /= steps;
                }
                mm.params.alpha = v[0];
                if (taylor) {
                    mm.params.gamma = v[1];
                    mm.params.omega = v[2];
                } else {
                    mm.params.beta = v[1];
                    mm.params.gamma = v[2];
                    mm.params.phi = 0.8 + 0.18 * v[3];
                }
                cm_forecast_fit_result r;
                if (cm_forecast_fit(&mm, grid + (size_t)c * n, st + (size_t)c * n, n, NULL, work,
                                    most, &r, NULL) == CM_OK &&
                    r.sse < best)
                    best = r.sse;
            }
            grid_sse += best;
        }
        const timing tg = since(w0, c0);
        printf("%-22s %12.1f %12.1f %13.1fx %14.4f\n",
               taylor ? "Taylor (alpha,gamma,omega)" : "Holt-Winters damped", 1e3 * tnm.cpu,
               1e3 * tg.cpu, tg.cpu / tnm.cpu, nm_sse / grid_sse);
    }
    printf("\nper channel: Taylor fit + forecast %.1f ms CPU, Holt-Winters %.2f ms CPU\n",
           1e3 * taylor_cpu / CHANNELS, 1e3 * hw_cpu / CHANNELS);
    free(work);
    free(created);
    free(channel);
    free(handle);
    free(counts);
    free(hsum);
    free(handled);
    free(grid);
    free(st);
    free(iv);
    cm_calendar_free(cal);
    return 0;
}
