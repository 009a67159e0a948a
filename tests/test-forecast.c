/*
 * Tests of the forecast module: interval histories across DST, the methods
 * against statsmodels (Holt-Winters) and a plain reference implementation
 * (Taylor's double-seasonal method), fits that recover known seasonality,
 * accuracy, backtests, staffing, and bad input with untouched outputs.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics.h>

#include "testing.h"

#include "data/forecast-oracle.h"

/* ---- helpers ------------------------------------------------------------- */

static cm_time at(const char *rfc3339)
{
    cm_time t = 0;
    ck_assert_status(cm_time_parse(rfc3339, strlen(rfc3339), &t), CM_OK);
    return t;
}

static cm_calendar *calendar(const char *spec)
{
    cm_calendar *cal = NULL;
    cm_parse_error err;
    ck_assert_status(cm_calendar_parse(spec, &cal, &err), CM_OK);
    return cal;
}

/* Workspace of the size the library asks for (8-aligned, as from malloc). */
static void *workspace(const cm_forecast_model *m, size_t n, size_t horizon, size_t *bytes)
{
    ck_assert_status(cm_forecast_workspace_size(m, n, horizon, bytes), CM_OK);
    void *w = malloc(*bytes > 0 ? *bytes : 1);
    ck_assert_ptr_nonnull(w);
    return w;
}

static cm_forecast_model model(cm_forecast_method method, uint32_t slots_per_day)
{
    cm_forecast_model m;
    ck_assert_status(cm_forecast_model_default(method, slots_per_day, &m), CM_OK);
    return m;
}

/* Standard normal deviate from the test generator (Box–Muller). */
static double gauss(test_rng *r)
{
    const double u1 = (double)(rng_next(r) >> 11) * 0x1.0p-53 + 0x1.0p-54;
    const double u2 = rng_unit(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Two-sided normal quantile for the prediction intervals: 95 % -> 1.959963984540054. */
#define Z95 1.959963984540054

/* ---- intervals of local time ---------------------------------------------------- */

START_TEST(intervals_utc)
{
    cm_calendar *cal = calendar("tz UTC\nmon-sun 00:00-24:00\n");
    cm_forecast_interval iv[96];
    size_t n = 0;
    ck_assert_status(cm_forecast_intervals(cal, 2025, 1, 6, 2, 30, iv, 96, &n), CM_OK);
    ck_assert_uint_eq(n, 96);
    const cm_time t0 = at("2025-01-06T00:00:00Z");
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(iv[i].start, t0 + (cm_time)(1800 * i));
        ck_assert_int_eq(iv[i].seconds, 1800);
        ck_assert_int_eq(iv[i].open_seconds, 1800);
        ck_assert_uint_eq(iv[i].day, i / 48);
        ck_assert_uint_eq(iv[i].slot, i % 48);
    }
    /* A whole day in one interval, and one-minute intervals. */
    ck_assert_status(cm_forecast_intervals(cal, 2025, 1, 6, 2, 1440, iv, 96, &n), CM_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(iv[1].start, t0 + 86400);
    ck_assert_status(cm_forecast_intervals(cal, 2025, 1, 6, 1, 1, NULL, 0, &n), CM_ENOSPC);
    ck_assert_uint_eq(n, 1440);
    cm_calendar_free(cal);
}
END_TEST

/* New York: 2025-03-09 springs forward at 02:00 EST to 03:00 EDT, 2025-11-02
 * falls back at 02:00 EDT to 01:00 EST. */
START_TEST(intervals_dst_new_york)
{
    cm_calendar *cal = calendar("tz America/New_York\nmon-sun 00:00-24:00\n");
    cm_forecast_interval iv[200];
    size_t n = 0;
    ck_assert_status(cm_forecast_intervals(cal, 2025, 3, 9, 1, 30, iv, 200, &n), CM_OK);
    ck_assert_uint_eq(n, 46); /* 23 hours */
    ck_assert_int_eq(iv[0].start, at("2025-03-09T05:00:00Z"));
    ck_assert_uint_eq(iv[3].slot, 3);                          /* 01:30 EST */
    ck_assert_int_eq(iv[4].start, at("2025-03-09T07:00:00Z")); /* 03:00 EDT */
    ck_assert_uint_eq(iv[4].slot, 6);
    ck_assert_int_eq(iv[45].start + iv[45].seconds, at("2025-03-10T04:00:00Z"));
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(iv[i].seconds, 1800);

    ck_assert_status(cm_forecast_intervals(cal, 2025, 11, 2, 1, 30, iv, 200, &n), CM_OK);
    ck_assert_uint_eq(n, 50); /* 25 hours */
    const uint32_t slots[8] = {0, 1, 2, 3, 2, 3, 4, 5};
    for (int i = 0; i < 8; i++)
        ck_assert_uint_eq(iv[i].slot, slots[i]);
    ck_assert_int_eq(iv[2].start, at("2025-11-02T05:00:00Z")); /* 01:00 EDT */
    ck_assert_int_eq(iv[4].start, at("2025-11-02T06:00:00Z")); /* 01:00 EST */
    ck_assert_int_eq(iv[49].start + iv[49].seconds, at("2025-11-03T05:00:00Z"));

    /* Three days around the change: 48 + 46 + 48, days numbered 0..2. */
    ck_assert_status(cm_forecast_intervals(cal, 2025, 3, 8, 3, 30, iv, 200, &n), CM_OK);
    ck_assert_uint_eq(n, 142);
    ck_assert_uint_eq(iv[47].day, 0);
    ck_assert_uint_eq(iv[48].day, 1);
    ck_assert_uint_eq(iv[94].day, 2);
    ck_assert_uint_eq(iv[94].slot, 0);
    cm_calendar_free(cal);
}
END_TEST

/* Lord Howe Island moves its clocks by 30 minutes: with hourly intervals
 * one interval of each changeover day is 90 minutes long. 2025-04-06: 02:00
 * (+11) back to 01:30 (+10:30); 2025-10-05: 02:00 (+10:30) to 02:30 (+11). */
START_TEST(intervals_half_hour_shift)
{
    cm_calendar *cal = calendar("tz Australia/Lord_Howe\nmon-sun 00:00-24:00\n");
    cm_forecast_interval iv[30];
    size_t n = 0;
    ck_assert_status(cm_forecast_intervals(cal, 2025, 4, 6, 1, 60, iv, 30, &n), CM_OK);
    ck_assert_uint_eq(n, 24);
    ck_assert_uint_eq(iv[1].slot, 1);
    ck_assert_int_eq(iv[1].seconds, 5400); /* 01:00 to 02:00 +10:30 */
    ck_assert_uint_eq(iv[2].slot, 2);
    int64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += iv[i].seconds;
    ck_assert_int_eq(total, 86400 + 1800);
    ck_assert_status(cm_forecast_intervals(cal, 2025, 10, 5, 1, 60, iv, 30, &n), CM_OK);
    ck_assert_uint_eq(n, 23);
    ck_assert_uint_eq(iv[1].slot, 1);
    ck_assert_int_eq(iv[1].seconds, 5400); /* 01:00 +10:30 to 03:00 +11 */
    ck_assert_uint_eq(iv[2].slot, 3);
    total = 0;
    for (size_t i = 0; i < n; i++)
        total += iv[i].seconds;
    ck_assert_int_eq(total, 86400 - 1800);
    cm_calendar_free(cal);
}
END_TEST

/* open_seconds comes from the calendar: hours, holidays, a quarter-hour opening. */
START_TEST(intervals_open_seconds)
{
    cm_calendar *cal = calendar("tz Europe/Paris\nmon-fri 09:15-17:00\n2025-05-01 closed\n");
    cm_forecast_interval iv[100];
    size_t n = 0;
    /* Wednesday 30 April and the holiday of Thursday 1 May. */
    ck_assert_status(cm_forecast_intervals(cal, 2025, 4, 30, 2, 30, iv, 100, &n), CM_OK);
    ck_assert_uint_eq(n, 96);
    ck_assert_int_eq(iv[17].open_seconds, 0);   /* 08:30 */
    ck_assert_int_eq(iv[18].open_seconds, 900); /* 09:00, open from 09:15 */
    ck_assert_int_eq(iv[19].open_seconds, 1800);
    ck_assert_int_eq(iv[33].open_seconds, 1800); /* 16:30 */
    ck_assert_int_eq(iv[34].open_seconds, 0);    /* 17:00 */
    for (size_t i = 48; i < 96; i++)
        ck_assert_int_eq(iv[i].open_seconds, 0);
    ck_assert_int_eq(iv[18].start, at("2025-04-30T07:00:00Z"));
    cm_calendar_free(cal);
}
END_TEST

START_TEST(intervals_bad_input)
{
    cm_calendar *cal = calendar("tz UTC\nmon-fri 09:00-17:00\n");
    cm_forecast_interval iv[4];
    size_t n;
    poison(&iv);
    poison(&n);
    ck_assert_status(cm_forecast_intervals(NULL, 2025, 1, 1, 1, 30, iv, 4, &n), CM_EINVAL);
    ck_assert_status(cm_forecast_intervals(cal, 2025, 1, 1, 1, 30, iv, 4, NULL), CM_EINVAL);
    ck_assert_status(cm_forecast_intervals(cal, 2025, 1, 1, 1, 30, NULL, 4, &n), CM_EINVAL);
    ck_assert_status(cm_forecast_intervals(cal, 2025, 1, 1, 1, 0, iv, 4, &n), CM_EINVAL);
    ck_assert_status(cm_forecast_intervals(cal, 2025, 1, 1, 1, 7, iv, 4, &n), CM_EINVAL);
    ck_assert_status(cm_forecast_intervals(cal, 2025, 1, 1, 1, 2880, iv, 4, &n), CM_EINVAL);
    ck_assert_status(cm_forecast_intervals(cal, 2025, 2, 29, 1, 30, iv, 4, &n), CM_ERANGE);
    ck_assert_status(cm_forecast_intervals(cal, 2025, 13, 1, 1, 30, iv, 4, &n), CM_ERANGE);
    ck_assert_status(cm_forecast_intervals(cal, 0, 1, 1, 1, 30, iv, 4, &n), CM_ERANGE);
    ck_assert_status(cm_forecast_intervals(cal, 9999, 12, 31, 1, 30, iv, 4, &n), CM_ERANGE);
    ck_assert_status(cm_forecast_intervals(cal, 2025, 1, 1, UINT32_MAX, 30, iv, 4, &n), CM_ERANGE);
    ck_assert_untouched(&iv);
    ck_assert_untouched(&n);
    /* Too small: the count is reported and the array left alone. */
    ck_assert_status(cm_forecast_intervals(cal, 2025, 1, 1, 1, 360, iv, 3, &n), CM_ENOSPC);
    ck_assert_uint_eq(n, 4);
    ck_assert_untouched(&iv);
    ck_assert_status(cm_forecast_intervals(cal, 2025, 1, 1, 1, 360, iv, 4, &n), CM_OK);
    ck_assert_status(cm_forecast_intervals(cal, 2025, 1, 1, 0, 30, NULL, 0, &n), CM_OK);
    ck_assert_uint_eq(n, 0);
    cm_calendar_free(cal);
}
END_TEST

/* ---- Holt-Winters against statsmodels ---------------------------------------- */

/*
 * statsmodels evaluates the same recursion in another order of operations;
 * over 56 steps the two agree far below the 1e-9 relative asked of them.
 */
#define HW_REL 1e-9

static cm_forecast_model hw_oracle_model(int i)
{
    cm_forecast_model m = model(CM_FORECAST_HOLT_WINTERS, 1);
    m.weeks = 1;
    m.fit = 0;
    m.trend = (cm_forecast_trend)hw_oracle[i].trend;
    m.seasonality =
        hw_oracle[i].mul ? CM_FORECAST_SEASON_MULTIPLICATIVE : CM_FORECAST_SEASON_ADDITIVE;
    m.params.alpha = hw_oracle[i].alpha;
    m.params.beta = hw_oracle[i].beta;
    m.params.gamma = hw_oracle[i].gamma;
    m.params.phi = hw_oracle[i].phi;
    return m;
}

START_TEST(hw_matches_statsmodels)
{
    const cm_forecast_model m = hw_oracle_model(_i);
    size_t bytes;
    void *work = workspace(&m, HW_ORACLE_DAYS, HW_ORACLE_HORIZON, &bytes);
    size_t ninit;
    ck_assert_status(cm_forecast_initial_size(&m, &ninit), CM_OK);
    ck_assert_uint_eq(ninit, 9);
    cm_forecast_fit_result r;
    double fitted[HW_ORACLE_DAYS];
    ck_assert_status(cm_forecast_fit(&m, hw_oracle[_i].y, NULL, HW_ORACLE_DAYS,
                                     hw_oracle[_i].initial, work, bytes, &r, fitted),
                     CM_OK);
    for (int t = 0; t < HW_ORACLE_DAYS; t++)
        ck_assert_rel(fitted[t], hw_oracle[_i].fitted[t], HW_REL);
    ck_assert_rel(r.sse, hw_oracle[_i].sse, HW_REL);
    ck_assert_uint_eq(r.observations, HW_ORACLE_DAYS);
    ck_assert_uint_eq(r.evaluations, 0);
    ck_assert_rel(r.sigma, sqrt(hw_oracle[_i].sse / HW_ORACLE_DAYS), HW_REL);
    double point[HW_ORACLE_HORIZON];
    ck_assert_status(cm_forecast_predict(&m, hw_oracle[_i].y, NULL, HW_ORACLE_DAYS,
                                         hw_oracle[_i].initial, NULL, HW_ORACLE_HORIZON, 0.95, work,
                                         bytes, point, NULL, NULL),
                     CM_OK);
    /* statsmodels 0.13 itself at every horizon but 7 and 14, where it reuses
     * a stale seasonal factor (see tests/oracle/forecast_oracle.py). */
    for (int k = 0; k < HW_ORACLE_HORIZON; k++) {
        if ((k + 1) % 7 != 0)
            ck_assert_rel(point[k], hw_oracle[_i].forecast[k], HW_REL);
        ck_assert_rel(point[k], hw_oracle[_i].forecast_final[k], HW_REL);
    }
    free(work);
}
END_TEST

/* ---- Taylor's method against a plain reference ---------------------------------- */

/*
 * Taylor (2003), additive, written out the long way: every state kept for
 * every time step in full arrays indexed by t (no rings), the seasonal
 * states of t read at t − P and t − 7P. Unobserved slots take their
 * one-step forecast as the observation.
 */
typedef struct ref_taylor {
    size_t p, n;
    int trend; /* 0 none, 1 additive, 2 damped */
    double alpha, beta, delta, omega, phi, lambda;
    const double *init; /* l0, b0, d[P], w[7P] */
} ref_taylor;

/* Fills fitted (n), returns the SSE, and the forecasts fc[0..h) after the history. */
static double ref_taylor_run(const ref_taylor *rt, const double *y, const uint8_t *state,
                             double *fitted, size_t h, double *fc)
{
    const size_t p = rt->p, w = 7 * p, n = rt->n;
    double *l = calloc(n + 1, sizeof *l), *b = calloc(n + 1, sizeof *b);
    double *d = calloc(n + p, sizeof *d), *wk = calloc(n + w, sizeof *wk);
    double *e = calloc(n + 1, sizeof *e);
    const double phi = rt->trend == 2 ? rt->phi : 1.0;
    l[0] = rt->init[0];
    b[0] = rt->trend ? rt->init[1] : 0.0;
    for (size_t s = 0; s < p; s++)
        d[s] = rt->init[2 + s]; /* d[t] is the intraday state of slot t − P */
    for (size_t j = 0; j < w; j++)
        wk[j] = rt->init[2 + p + j];
    double sse = 0.0;
    for (size_t t = 0; t < n; t++) {
        const double f = l[t] + phi * b[t] + d[t] + wk[t];
        const double yhat = f + rt->lambda * e[t];
        const bool obs = state == NULL || state[t] == CM_FORECAST_OBSERVED;
        fitted[t] = state != NULL && state[t] == CM_FORECAST_CLOSED ? 0.0 : yhat;
        const double yt = obs ? y[t] : yhat;
        if (obs)
            sse += (yt - yhat) * (yt - yhat);
        l[t + 1] = rt->alpha * (yt - d[t] - wk[t]) + (1 - rt->alpha) * (l[t] + phi * b[t]);
        b[t + 1] = rt->trend ? rt->beta * (l[t + 1] - l[t]) + (1 - rt->beta) * phi * b[t] : 0.0;
        d[t + p] = rt->delta * (yt - l[t + 1] - wk[t]) + (1 - rt->delta) * d[t];
        wk[t + w] = rt->omega * (yt - l[t + 1] - d[t]) + (1 - rt->omega) * wk[t];
        e[t + 1] = yt - f;
    }
    for (size_t k = 1; k <= h; k++) {
        double phik = 0.0, pw = 1.0, lam = 1.0;
        for (size_t i = 1; i <= k; i++) {
            pw *= phi;
            phik += pw;
            lam *= rt->lambda;
        }
        /* The latest seasonal states: d of slot n+k−1 was last set at the
         * same slot of the last day, w at the same slot of the last week. */
        const size_t t = n + k - 1;
        const size_t td = n - p + (t - (n - p)) % p, tw = n - w + (t - (n - w)) % w;
        fc[k - 1] = l[n] + phik * b[n] + d[td + p] + wk[tw + w] + lam * e[n];
    }
    free(l);
    free(b);
    free(d);
    free(wk);
    free(e);
    return sse;
}

static cm_forecast_model taylor_model(size_t p, int trend, double lambda)
{
    cm_forecast_model m = model(CM_FORECAST_TAYLOR, (uint32_t)p);
    m.fit = 0;
    m.trend = (cm_forecast_trend)trend;
    m.params.alpha = 0.15;
    m.params.beta = 0.05;
    m.params.gamma = 0.2;
    m.params.omega = 0.25;
    m.params.phi = 0.9;
    m.params.lambda = lambda;
    return m;
}

/* A series with intraday and weekly shape, and a few closed and missing slots. */
static void taylor_series(size_t p, size_t n, double *y, uint8_t *state, double *init)
{
    test_rng r = {12345};
    for (size_t t = 0; t < n; t++) {
        const double day = 10.0 + 6.0 * sin(6.283185307179586 * (double)(t % p) / (double)p);
        const double week = (t / p) % 7 >= 5 ? -4.0 : 1.5;
        y[t] = fmax(0.0, day + week + 0.01 * (double)t + 2.0 * gauss(&r));
        state[t] = CM_FORECAST_OBSERVED;
    }
    state[5] = CM_FORECAST_CLOSED;
    state[6] = CM_FORECAST_CLOSED;
    state[3 * p + 1] = CM_FORECAST_MISSING;
    state[n - 2] = CM_FORECAST_CLOSED;
    init[0] = 10.0;
    init[1] = 0.01;
    for (size_t s = 0; s < p; s++)
        init[2 + s] = 6.0 * sin(6.283185307179586 * (double)s / (double)p);
    for (size_t j = 0; j < 7 * p; j++)
        init[2 + p + j] = (j / p) >= 5 ? -4.0 : 1.5;
}

static const struct {
    size_t p;
    int trend;
    double lambda;
} taylor_cases[] = {{6, 0, 0.0}, {6, 1, 0.3}, {8, 2, 0.5}, {4, 0, -0.4}, {24, 2, 0.0}};

/* The library and the reference run the same arithmetic in another shape:
 * they agree to rounding. */
#define TAYLOR_REL 1e-11

START_TEST(taylor_matches_reference)
{
    const size_t p = taylor_cases[_i].p, n = 5 * 7 * p, h = 9 * p;
    double *y = malloc(n * sizeof *y), *init = malloc((2 + 8 * p) * sizeof *init);
    uint8_t *state = malloc(n);
    taylor_series(p, n, y, state, init);
    const cm_forecast_model m = taylor_model(p, taylor_cases[_i].trend, taylor_cases[_i].lambda);
    const ref_taylor rt = {p,
                           n,
                           taylor_cases[_i].trend,
                           m.params.alpha,
                           m.params.beta,
                           m.params.gamma,
                           m.params.omega,
                           m.params.phi,
                           m.params.lambda,
                           init};
    double *want_fit = malloc(n * sizeof *want_fit), *want_fc = malloc(h * sizeof *want_fc);
    const double want_sse = ref_taylor_run(&rt, y, state, want_fit, h, want_fc);

    size_t bytes, ninit;
    ck_assert_status(cm_forecast_initial_size(&m, &ninit), CM_OK);
    ck_assert_uint_eq(ninit, 2 + 8 * p);
    void *work = workspace(&m, n, h, &bytes);
    cm_forecast_fit_result r;
    double *fitted = malloc(n * sizeof *fitted);
    ck_assert_status(cm_forecast_fit(&m, y, state, n, init, work, bytes, &r, fitted), CM_OK);
    for (size_t t = 0; t < n; t++)
        ck_assert_rel(fitted[t], want_fit[t], TAYLOR_REL);
    ck_assert_rel(r.sse, want_sse, TAYLOR_REL);
    ck_assert_uint_eq(r.observations, n - 4);
    double *point = malloc(h * sizeof *point);
    ck_assert_status(
        cm_forecast_predict(&m, y, state, n, init, NULL, h, 0.95, work, bytes, point, NULL, NULL),
        CM_OK);
    for (size_t k = 0; k < h; k++)
        ck_assert_rel(point[k], fmax(want_fc[k], 0.0), TAYLOR_REL);
    free(y);
    free(init);
    free(state);
    free(want_fit);
    free(want_fc);
    free(work);
    free(fitted);
    free(point);
}
END_TEST

/* ---- suite ------------------------------------------------------------------ */

static Suite *forecast_suite(void)
{
    Suite *s = suite_create("forecast");
    TCase *tc = tcase_create("intervals");
    tcase_add_test(tc, intervals_utc);
    tcase_add_test(tc, intervals_dst_new_york);
    tcase_add_test(tc, intervals_half_hour_shift);
    tcase_add_test(tc, intervals_open_seconds);
    tcase_add_test(tc, intervals_bad_input);
    suite_add_tcase(s, tc);

    tc = tcase_create("oracle");
    tcase_add_loop_test(tc, hw_matches_statsmodels, 0,
                        (int)(sizeof hw_oracle / sizeof hw_oracle[0]));
    tcase_add_loop_test(tc, taylor_matches_reference, 0,
                        (int)(sizeof taylor_cases / sizeof taylor_cases[0]));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(forecast_suite());
}
