/*
 * libFuzzer target: the forecast module's numeric entry points on arbitrary
 * models, series, states and dates. The leading bytes pick a time zone,
 * dates and an interval length for cm_forecast_intervals(), then a method,
 * slots per day, options and parameters (NaN, infinities and out-of-range
 * values included); the rest becomes the series and its states. A call
 * that fails must leave its outputs untouched; one that succeeds must give
 * finite, non-negative forecasts with lo <= point <= hi, contiguous
 * intervals that cover their days exactly, and grids that read back.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)  \
    do {             \
        if (!(cond)) \
            abort(); \
    } while (0)

#define POISON 0xA5
#define MAX_N  (3 * 7 * 48)
#define MAX_H  (2 * 48)

typedef struct reader {
    const uint8_t *p;
    size_t left;
} reader;

static uint8_t byte(reader *r)
{
    if (r->left == 0)
        return 0;
    r->left--;
    return *r->p++;
}

/* A double that is sometimes pathological. */
static double value(reader *r, double scale)
{
    const uint8_t k = byte(r), v = byte(r);
    switch (k % 16) {
    case 0:
        return (double)NAN;
    case 1:
        return (double)INFINITY;
    case 2:
        return -(double)v;
    case 3:
        return 1e300 * v;
    default:
        return scale * v / 255.0;
    }
}

static bool poisoned(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i] != POISON)
            return false;
    }
    return true;
}

static const char *const zones[] = {
    "tz UTC\nmon-sun 00:00-24:00\n",
    "tz America/New_York\nmon-fri 09:00-17:00\n2025-11-03 closed\n",
    "tz Australia/Lord_Howe\nmon-sun 00:00-24:00\n",
    "tz America/Sao_Paulo\nmon-sat 08:00-20:00\n",
    "tz +05:45\nmon-sun 06:00-22:00\n",
};
static cm_calendar *calendars[sizeof zones / sizeof zones[0]];

static void fuzz_intervals(reader *r)
{
    const size_t z = byte(r) % (sizeof zones / sizeof zones[0]);
    if (calendars[z] == NULL && cm_calendar_parse(zones[z], &calendars[z], NULL) != CM_OK)
        abort();
    static const uint32_t minutes[] = {1, 7, 15, 30, 45, 60, 90, 1440, 0};
    const uint32_t m = minutes[byte(r) % (sizeof minutes / sizeof minutes[0])];
    const int32_t year = 1900 + byte(r) * 2, month = byte(r) % 14, day = byte(r) % 33;
    const uint32_t days = byte(r) % 5;
    static cm_forecast_interval iv[5 * 1440 + 16];
    size_t n = 0;
    cm_status st =
        cm_forecast_intervals(calendars[z], year, month, day, days, m == 0 ? 30 : m, NULL, 0, &n);
    if (st != CM_OK && st != CM_ENOSPC)
        return;
    CHECK(n <= sizeof iv / sizeof iv[0]);
    st = cm_forecast_intervals(calendars[z], year, month, day, days, m == 0 ? 30 : m, iv,
                               sizeof iv / sizeof iv[0], &n);
    CHECK(st == CM_OK);
    const uint32_t slots = 1440 / (m == 0 ? 30 : m);
    for (size_t i = 0; i < n; i++) {
        CHECK(iv[i].seconds > 0 && iv[i].open_seconds >= 0 && iv[i].open_seconds <= iv[i].seconds);
        CHECK(iv[i].day < days && iv[i].slot < slots);
        if (i + 1 < n) {
            CHECK(iv[i + 1].start == iv[i].start + iv[i].seconds);
            CHECK(iv[i + 1].day >= iv[i].day);
        }
    }
    static double v[5 * 1440 + 16], grid[5 * 1440], back[5 * 1440 + 16];
    static uint8_t state[5 * 1440];
    for (size_t i = 0; i < n; i++)
        v[i] = (double)(i % 7);
    if (n > 0 && cm_forecast_to_grid(iv, n, v, days, slots, grid, state) == CM_OK) {
        CHECK(cm_forecast_from_grid(iv, n, grid, days, slots, true, back) == CM_OK);
        for (size_t i = 0; i < n; i++)
            CHECK(isfinite(back[i]) && back[i] >= 0.0);
    }
}

static void fuzz_methods(reader *r)
{
    static const uint32_t slot_choices[] = {1, 2, 3, 4, 6, 24, 48, 5, 7};
    cm_forecast_model m;
    memset(&m, 0, sizeof m);
    m.method = (cm_forecast_method)(byte(r) % 7);
    m.slots_per_day = slot_choices[byte(r) % (sizeof slot_choices / sizeof slot_choices[0])];
    m.weeks = byte(r) % 6;
    m.trend = (cm_forecast_trend)(byte(r) % 4);
    m.seasonality = (cm_forecast_seasonality)(byte(r) % 3);
    m.fit = byte(r) & 0x7F;
    m.params.alpha = value(r, 1.2);
    m.params.beta = value(r, 1.2);
    m.params.gamma = value(r, 1.2);
    m.params.omega = value(r, 1.2);
    m.params.phi = value(r, 1.2);
    m.params.lambda = value(r, 2.0) - 1.0;
    const uint32_t p = m.slots_per_day ? m.slots_per_day : 1;
    size_t n = (size_t)(byte(r) % 25) * p + (byte(r) % 8 == 0);
    n = n > MAX_N ? MAX_N : n;
    size_t h = (size_t)(byte(r) % 3) * p;
    h = h > MAX_H ? MAX_H : h;
    static double y[MAX_N];
    static uint8_t state[MAX_N], future[MAX_H];
    const uint8_t noise = byte(r);
    for (size_t t = 0; t < n; t++) {
        if (r->left > 0 && byte(r) < 16) {
            y[t] = value(r, 500.0);
        } else {
            y[t] = 10.0 + 5.0 * (double)(t % p) + (double)((t * 31 + noise) % 11);
        }
        const uint8_t s = byte(r);
        state[t] = s < 240 ? 0 : (uint8_t)(s - 240);
    }
    for (size_t k = 0; k < h; k++)
        future[k] = byte(r) % 4 == 0;
    const bool use_state = byte(r) & 1;
    const double confidence = value(r, 1.0);

    size_t bytes = 0;
    if (cm_forecast_workspace_size(&m, n, h, &bytes) != CM_OK || bytes > (1u << 20))
        bytes = 1u << 16;
    static double work[(1u << 20) / 8];
    cm_forecast_fit_result fit;
    static double fitted[MAX_N], point[MAX_H], lo[MAX_H], hi[MAX_H];
    memset(&fit, POISON, sizeof fit);
    memset(fitted, POISON, sizeof fitted);
    const bool smoothing = m.method == CM_FORECAST_HOLT_WINTERS || m.method == CM_FORECAST_TAYLOR;
    cm_status st = cm_forecast_fit(&m, y, use_state ? state : NULL, n, NULL, work, sizeof work,
                                   &fit, smoothing ? fitted : NULL);
    if (st != CM_OK) {
        CHECK(poisoned(&fit, sizeof fit) && poisoned(fitted, sizeof fitted));
    } else {
        CHECK(isfinite(fit.sse) && fit.sse >= 0.0 && isfinite(fit.sigma) && fit.observations > 0);
        CHECK(fit.model.fit == 0);
    }
    bool has = false;
    const bool valid = cm_forecast_has_interval(&m, &has) == CM_OK;
    memset(point, POISON, sizeof point);
    memset(lo, POISON, sizeof lo);
    memset(hi, POISON, sizeof hi);
    st = cm_forecast_predict(&m, y, use_state ? state : NULL, n, NULL, future, h, confidence, work,
                             sizeof work, point, (valid && has) ? lo : NULL,
                             (valid && has) ? hi : NULL);
    if (st != CM_OK) {
        CHECK(poisoned(point, sizeof point) && poisoned(lo, sizeof lo) && poisoned(hi, sizeof hi));
        return;
    }
    for (size_t k = 0; k < h; k++) {
        CHECK(isfinite(point[k]) && point[k] >= 0.0);
        if (future[k] == CM_FORECAST_CLOSED)
            CHECK(point[k] == 0.0);
        if (has)
            CHECK(isfinite(lo[k]) && isfinite(hi[k]) && lo[k] <= point[k] && point[k] <= hi[k]);
    }
    if (h > 0) {
        cm_forecast_accuracy a;
        if (cm_forecast_evaluate(y, point, NULL, h < n ? h : n, y, NULL, n, 7 * (size_t)p, &a) ==
            CM_OK)
            CHECK(isfinite(a.mae) && isfinite(a.rmse) && a.mae <= a.rmse * (1 + 1e-12) + 1e-300);
    }
    cm_forecast_model models[2] = {m, m};
    models[1].method = CM_FORECAST_SEASONAL_NAIVE;
    cm_forecast_accuracy scores[2];
    size_t best = 9;
    if (cm_forecast_backtest_workspace_size(models, 2, n, &bytes) == CM_OK &&
        bytes <= sizeof work &&
        cm_forecast_backtest(models, 2, y, use_state ? state : NULL, n, 1, CM_FORECAST_BY_RMSE,
                             work, sizeof work, scores, &best) == CM_OK)
        CHECK(best < 2 && scores[best].n > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reader r = {data, size};
    if (byte(&r) & 1)
        fuzz_intervals(&r);
    else
        fuzz_methods(&r);
    return 0;
}
