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

/* ---- arrival counts ----------------------------------------------------------- */

START_TEST(history_counts)
{
    cm_calendar *cal = calendar("tz UTC\nmon-sun 00:00-24:00\n");
    cm_forecast_interval iv[24];
    size_t n;
    ck_assert_status(cm_forecast_intervals(cal, 2025, 1, 6, 1, 60, iv, 24, &n), CM_OK);
    const cm_time created[] = {
        at("2025-01-06T00:10:00Z"), at("2025-01-06T00:59:59Z"), at("2025-01-06T01:00:00Z"),
        at("2025-01-06T23:59:59Z"), at("2025-01-05T23:59:59Z"), at("2025-01-07T00:00:00Z"),
    };
    const uint32_t channel[] = {0, 1, 0, 1, 0, 0};
    const double handle[] = {100, 200, CM_FORECAST_HANDLE_UNKNOWN, 50, 10, 10};
    double arrivals[48] = {0}, hsum[48] = {0}, handled[48] = {0};
    uint64_t counted = 99;
    ck_assert_status(cm_forecast_history_add(iv, 24, created, channel, handle, 6, 2, arrivals, hsum,
                                             handled, &counted),
                     CM_OK);
    ck_assert_uint_eq(counted, 4); /* the last two rows lie outside the day */
    for (int i = 0; i < 48; i++) {
        const double want = (i == 0 || i == 1 || i == 24 || i == 47) ? 1.0 : 0.0;
        ck_assert_double_eq(arrivals[i], want);
    }
    ck_assert_double_eq(hsum[0], 100.0);
    ck_assert_double_eq(handled[0], 1.0);
    ck_assert_double_eq(hsum[1], 0.0); /* the unknown handle time */
    ck_assert_double_eq(handled[1], 0.0);
    ck_assert_double_eq(hsum[24], 200.0);
    ck_assert_double_eq(hsum[47], 50.0);
    /* Counts add up across calls (chunks); no channel column puts rows in channel 0. */
    ck_assert_status(
        cm_forecast_history_add(iv, 24, created, NULL, NULL, 6, 2, arrivals, NULL, NULL, NULL),
        CM_OK);
    ck_assert_double_eq(arrivals[0], 3.0);
    ck_assert_double_eq(arrivals[23], 1.0);
    ck_assert_double_eq(arrivals[47], 1.0);
    ck_assert_double_eq(hsum[0], 100.0);
    cm_calendar_free(cal);
}
END_TEST

START_TEST(history_bad_input)
{
    cm_calendar *cal = calendar("tz UTC\nmon-sun 00:00-24:00\n");
    cm_forecast_interval iv[24];
    size_t n;
    ck_assert_status(cm_forecast_intervals(cal, 2025, 1, 6, 1, 60, iv, 24, &n), CM_OK);
    const cm_time created[] = {at("2025-01-06T00:10:00Z"), at("2025-01-06T05:10:00Z")};
    const uint32_t ok_ch[] = {0, 1}, bad_ch[] = {0, 2};
    const double ok_h[] = {10, CM_FORECAST_HANDLE_UNKNOWN};
    const double nan_h[] = {10, D_NAN}, neg_h[] = {10, -5}, inf_h[] = {D_INF, 1};
    double a[48], hs[48], hd[48];
    uint64_t counted;
    poison(&a);
    poison(&hs);
    poison(&hd);
    poison(&counted);
    ck_assert_status(
        cm_forecast_history_add(iv, 24, created, bad_ch, ok_h, 2, 2, a, hs, hd, &counted),
        CM_ERANGE);
    ck_assert_status(
        cm_forecast_history_add(iv, 24, created, ok_ch, nan_h, 2, 2, a, hs, hd, &counted),
        CM_EINVAL);
    ck_assert_status(
        cm_forecast_history_add(iv, 24, created, ok_ch, neg_h, 2, 2, a, hs, hd, &counted),
        CM_EINVAL);
    ck_assert_status(
        cm_forecast_history_add(iv, 24, created, ok_ch, inf_h, 2, 2, a, hs, hd, &counted),
        CM_EINVAL);
    ck_assert_status(
        cm_forecast_history_add(NULL, 24, created, ok_ch, ok_h, 2, 2, a, hs, hd, &counted),
        CM_EINVAL);
    ck_assert_status(
        cm_forecast_history_add(iv, 0, created, ok_ch, ok_h, 2, 2, a, hs, hd, &counted), CM_EINVAL);
    ck_assert_status(cm_forecast_history_add(iv, 24, NULL, ok_ch, ok_h, 2, 2, a, hs, hd, &counted),
                     CM_EINVAL);
    ck_assert_status(
        cm_forecast_history_add(iv, 24, created, ok_ch, ok_h, 2, 0, a, hs, hd, &counted),
        CM_EINVAL);
    ck_assert_status(
        cm_forecast_history_add(iv, 24, created, ok_ch, ok_h, 2, 2, NULL, hs, hd, &counted),
        CM_EINVAL);
    ck_assert_status(
        cm_forecast_history_add(iv, 24, created, ok_ch, ok_h, 2, 2, a, NULL, NULL, &counted),
        CM_EINVAL);
    ck_assert_status(
        cm_forecast_history_add(iv, 24, created, ok_ch, ok_h, 2, 2, a, hs, NULL, &counted),
        CM_EINVAL);
    ck_assert_status(cm_forecast_history_add(iv, SIZE_MAX / 2, created, ok_ch, ok_h, 2, UINT32_MAX,
                                             a, hs, hd, &counted),
                     CM_EOVERFLOW);
    cm_forecast_interval gap[24];
    memcpy(gap, iv, sizeof gap);
    gap[5].start += 1; /* not contiguous */
    ck_assert_status(
        cm_forecast_history_add(gap, 24, created, ok_ch, ok_h, 2, 2, a, hs, hd, &counted),
        CM_EINVAL);
    memcpy(gap, iv, sizeof gap);
    gap[5].seconds = 0;
    ck_assert_status(
        cm_forecast_history_add(gap, 24, created, ok_ch, ok_h, 2, 2, a, hs, hd, &counted),
        CM_EINVAL);
    ck_assert_untouched(&a);
    ck_assert_untouched(&hs);
    ck_assert_untouched(&hd);
    ck_assert_untouched(&counted);
    cm_calendar_free(cal);
}
END_TEST

/* ---- the slot grid ------------------------------------------------------------- */

/* The night New York falls back, hour 01:00 happens twice: its slot averages
 * the two; the night it springs forward, slot 02:00 does not exist. */
START_TEST(grid_dst)
{
    cm_calendar *cal = calendar("tz America/New_York\nmon-sat 00:00-24:00\n");
    cm_forecast_interval iv[25];
    size_t n;
    ck_assert_status(cm_forecast_intervals(cal, 2025, 11, 2, 1, 60, iv, 25, &n), CM_OK);
    ck_assert_uint_eq(n, 25);
    double v[25], grid[24], back[25];
    uint8_t state[24];
    for (int i = 0; i < 25; i++)
        v[i] = i + 1;
    ck_assert_status(cm_forecast_to_grid(iv, n, v, 1, 24, grid, state), CM_OK);
    ck_assert_double_eq(grid[0], 1.0);
    ck_assert_double_eq(grid[1], 2.5); /* (2 + 3) arrivals over two hours */
    for (int s = 2; s < 24; s++)
        ck_assert_double_eq(grid[s], s + 2);
    for (int s = 0; s < 24; s++)
        ck_assert_uint_eq(state[s], CM_FORECAST_CLOSED); /* a Sunday: closed */
    ck_assert_status(cm_forecast_from_grid(iv, n, grid, 1, 24, false, back), CM_OK);
    ck_assert_double_eq(back[1], 2.5);
    ck_assert_double_eq(back[2], 2.5);
    ck_assert_double_eq(back[3], 4.0);
    ck_assert_status(cm_forecast_from_grid(iv, n, grid, 1, 24, true, back), CM_OK);
    for (int i = 0; i < 25; i++)
        ck_assert_double_eq(back[i], 0.0); /* closed intervals get no volume */

    ck_assert_status(cm_forecast_intervals(cal, 2025, 3, 8, 2, 60, iv, 25, &n), CM_ENOSPC);
    ck_assert_uint_eq(n, 47);
    cm_forecast_interval iv2[47];
    double v2[47], grid2[48], back2[47];
    uint8_t state2[48];
    ck_assert_status(cm_forecast_intervals(cal, 2025, 3, 8, 2, 60, iv2, 47, &n), CM_OK);
    for (int i = 0; i < 47; i++)
        v2[i] = 10.0;
    ck_assert_status(cm_forecast_to_grid(iv2, n, v2, 2, 24, grid2, state2), CM_OK);
    for (int s = 0; s < 48; s++) {
        const uint8_t want = s < 24    ? CM_FORECAST_OBSERVED
                             : s == 26 ? CM_FORECAST_MISSING
                                       : CM_FORECAST_CLOSED;
        ck_assert_uint_eq(state2[s], want);
        ck_assert_double_eq(grid2[s], s == 26 ? 0.0 : 10.0);
    }
    ck_assert_status(cm_forecast_from_grid(iv2, n, grid2, 2, 24, true, back2), CM_OK);
    for (int i = 0; i < 24; i++)
        ck_assert_double_eq(back2[i], 10.0);
    /* States only. */
    memset(state2, 0xff, sizeof state2);
    ck_assert_status(cm_forecast_to_grid(iv2, n, NULL, 2, 24, NULL, state2), CM_OK);
    ck_assert_uint_eq(state2[26], CM_FORECAST_MISSING);
    cm_calendar_free(cal);
}
END_TEST

/* A 90-minute interval holds 1.5 slots' worth: the grid stores the rate. */
START_TEST(grid_long_interval)
{
    cm_calendar *cal = calendar("tz Australia/Lord_Howe\nmon-sun 00:00-24:00\n");
    cm_forecast_interval iv[24];
    size_t n;
    ck_assert_status(cm_forecast_intervals(cal, 2025, 4, 6, 1, 60, iv, 24, &n), CM_OK);
    double v[24], grid[24], back[24];
    for (int i = 0; i < 24; i++)
        v[i] = 6.0;
    ck_assert_status(cm_forecast_to_grid(iv, n, v, 1, 24, grid, NULL), CM_OK);
    ck_assert_double_eq(grid[0], 6.0);
    ck_assert_double_eq(grid[1], 4.0); /* 6 arrivals in 1.5 hours */
    ck_assert_status(cm_forecast_from_grid(iv, n, grid, 1, 24, true, back), CM_OK);
    for (int i = 0; i < 24; i++)
        ck_assert_double_eq(back[i], 6.0);
    cm_calendar_free(cal);
}
END_TEST

START_TEST(grid_bad_input)
{
    cm_calendar *cal = calendar("tz UTC\nmon-sun 00:00-24:00\n");
    cm_forecast_interval iv[24], bad[24];
    size_t n;
    ck_assert_status(cm_forecast_intervals(cal, 2025, 1, 6, 1, 60, iv, 24, &n), CM_OK);
    double v[24], nan_v[24], neg_v[24], grid[24], out[24];
    uint8_t state[24];
    for (int i = 0; i < 24; i++)
        v[i] = nan_v[i] = neg_v[i] = 1.0;
    nan_v[3] = D_NAN;
    neg_v[3] = -1.0;
    poison(&grid);
    poison(&state);
    poison(&out);
    ck_assert_status(cm_forecast_to_grid(NULL, 24, v, 1, 24, grid, state), CM_EINVAL);
    ck_assert_status(cm_forecast_to_grid(iv, 24, NULL, 1, 24, grid, state), CM_EINVAL);
    ck_assert_status(cm_forecast_to_grid(iv, 24, v, 1, 24, NULL, NULL), CM_EINVAL);
    ck_assert_status(cm_forecast_to_grid(iv, 24, nan_v, 1, 24, grid, state), CM_EINVAL);
    ck_assert_status(cm_forecast_to_grid(iv, 24, neg_v, 1, 24, grid, state), CM_EINVAL);
    ck_assert_status(cm_forecast_to_grid(iv, 24, v, 1, 7, grid, state), CM_EINVAL);
    ck_assert_status(cm_forecast_to_grid(iv, 24, v, 1, 0, grid, state), CM_EINVAL);
    ck_assert_status(cm_forecast_to_grid(iv, 24, v, 1, 12, grid, state), CM_EINVAL); /* slot 12+ */
    ck_assert_status(cm_forecast_to_grid(iv, 24, v, 0, 24, grid, state), CM_EINVAL); /* day 0 */
    memcpy(bad, iv, sizeof bad);
    bad[4].start = bad[2].start; /* out of order */
    ck_assert_status(cm_forecast_to_grid(bad, 24, v, 1, 24, grid, state), CM_EINVAL);
    memcpy(bad, iv, sizeof bad);
    bad[4].open_seconds = 4000; /* more open time than the interval has */
    ck_assert_status(cm_forecast_to_grid(bad, 24, v, 1, 24, grid, state), CM_EINVAL);
    ck_assert_status(cm_forecast_from_grid(bad, 24, v, 1, 24, true, out), CM_EINVAL);
    ck_assert_status(cm_forecast_from_grid(iv, 24, NULL, 1, 24, true, out), CM_EINVAL);
    ck_assert_status(cm_forecast_from_grid(iv, 24, v, 1, 24, true, NULL), CM_EINVAL);
    ck_assert_status(cm_forecast_from_grid(iv, 24, nan_v, 1, 24, true, out), CM_EINVAL);
    ck_assert_status(cm_forecast_from_grid(iv, 24, v, 1, 5, true, out), CM_EINVAL);
    ck_assert_untouched(&grid);
    ck_assert_untouched(&state);
    ck_assert_untouched(&out);
    cm_calendar_free(cal);
}
END_TEST

/* AHT of weekday j is 100 + 10·j seconds in every week; weekday 6 handled
 * nothing, so it takes the average of the weeks looked at. */
START_TEST(aht_per_slot)
{
    double hsum[21], handled[21], aht[7];
    uint8_t state[21] = {0};
    for (int t = 0; t < 21; t++) {
        const int j = t % 7;
        handled[t] = j == 6 ? 0.0 : 2.0 + t / 7;
        hsum[t] = handled[t] * (100.0 + 10.0 * j);
    }
    state[15] = CM_FORECAST_CLOSED; /* ignored */
    hsum[15] = 1e9;
    ck_assert_status(cm_forecast_aht(hsum, handled, state, 21, 1, 2, 7, aht), CM_OK);
    for (int k = 0; k < 6; k++)
        ck_assert_double_eq_tol(aht[k], 100.0 + 10.0 * k, 1e-12);
    /* Weeks 2 and 3 (3 and 4 contacts per day), slot 15 (weekday 1) left out:
     * (3·(100 + 110 + ... + 150) + 4·(100 + 120 + ... + 150)) / (3·6 + 4·5). */
    const double overall = (3.0 * 750 + 4.0 * 640) / (3.0 * 6 + 4.0 * 5);
    ck_assert_double_eq_tol(aht[6], overall, 1e-12);
    double out[7];
    poison(&out);
    ck_assert_status(cm_forecast_aht(hsum, handled, state, 21, 1, 0, 7, out), CM_EINVAL);
    ck_assert_status(cm_forecast_aht(hsum, handled, state, 20, 7, 2, 7, out), CM_EINVAL);
    ck_assert_status(cm_forecast_aht(NULL, handled, state, 21, 1, 2, 7, out), CM_EINVAL);
    ck_assert_status(cm_forecast_aht(hsum, handled, state, 6, 1, 2, 7, out), CM_ENODATA);
    const double none[7] = {0};
    ck_assert_status(cm_forecast_aht(none, none, NULL, 7, 1, 2, 7, out), CM_ENODATA);
    ck_assert_untouched(&out);
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

/* ---- seasonal naive, weekly mean and median, by hand ----------------------------- */

/* Three weeks of daily totals (one slot a day). */
static const double three_weeks[21] = {10, 20, 30, 40, 50, 60, 70, 12, 18, 33, 40,
                                       55, 58, 72, 11, 22, 29, 41, 52, 61, 69};

START_TEST(weekly_methods_by_hand)
{
    cm_forecast_model m = model(CM_FORECAST_SEASONAL_NAIVE, 1);
    double point[14], lo[14], hi[14];
    ck_assert_status(cm_forecast_predict(&m, three_weeks, NULL, 21, NULL, NULL, 14, 0.95, NULL, 0,
                                         point, lo, hi),
                     CM_OK);
    /* In-sample errors y_t − y_{t−7}: 2 −2 3 0 5 −2 2, −1 4 −4 1 −3 3 −3: SSE 111 over 14. */
    const double sigma = sqrt(111.0 / 14.0);
    for (int k = 0; k < 14; k++) {
        ck_assert_double_eq(point[k], three_weeks[14 + k % 7]);
        const double sd = sigma * sqrt(k < 7 ? 1.0 : 2.0); /* σ·sqrt(⌊(h−1)/7⌋ + 1) */
        ck_assert_double_eq_tol(hi[k], point[k] + Z95 * sd, 1e-9);
        ck_assert_double_eq_tol(lo[k], fmax(point[k] - Z95 * sd, 0.0), 1e-9);
    }
    cm_forecast_fit_result r;
    ck_assert_status(cm_forecast_fit(&m, three_weeks, NULL, 21, NULL, NULL, 0, &r, NULL), CM_OK);
    ck_assert_double_eq(r.sse, 111.0);
    ck_assert_uint_eq(r.observations, 14);
    /* A closed day last week: the week before stands in. */
    uint8_t state[21] = {0};
    state[16] = CM_FORECAST_CLOSED;
    ck_assert_status(cm_forecast_predict(&m, three_weeks, state, 21, NULL, NULL, 7, 0.95, NULL, 0,
                                         point, NULL, NULL),
                     CM_OK);
    ck_assert_double_eq(point[2], 33.0);

    /* Mean of the last 2 weeks: (11 + 12) / 2, ...; in-sample errors against the
     * weeks before each day (one week for week 2: the naive errors, SSE 50; two
     * for week 3: 0 3 −2.5 1 −0.5 2 −2, SSE 24.5). */
    m = model(CM_FORECAST_WEEKLY_MEAN, 1);
    m.weeks = 2;
    ck_assert_status(
        cm_forecast_predict(&m, three_weeks, NULL, 21, NULL, NULL, 7, 0.95, NULL, 0, point, lo, hi),
        CM_OK);
    const double mean_want[7] = {11.5, 20, 31, 40.5, 53.5, 59.5, 70.5};
    const double msigma = sqrt(74.5 / 14.0);
    for (int k = 0; k < 7; k++) {
        ck_assert_double_eq(point[k], mean_want[k]);
        ck_assert_double_eq_tol(hi[k], mean_want[k] + Z95 * msigma, 1e-9);
    }
    ck_assert_status(cm_forecast_fit(&m, three_weeks, NULL, 21, NULL, NULL, 0, &r, NULL), CM_OK);
    ck_assert_double_eq_tol(r.sse, 74.5, 1e-12);

    /* Median of the last 3 weeks: median(10, 12, 11) = 11, median(20, 18, 22) = 20, ... */
    m = model(CM_FORECAST_WEEKLY_MEDIAN, 1);
    m.weeks = 3;
    ck_assert_status(cm_forecast_predict(&m, three_weeks, NULL, 21, NULL, NULL, 7, 0.95, NULL, 0,
                                         point, NULL, NULL),
                     CM_OK);
    const double median_want[7] = {11, 20, 30, 40, 52, 60, 70};
    for (int k = 0; k < 7; k++)
        ck_assert_double_eq(point[k], median_want[k]);
    /* An even count averages the middle two: weeks 2 and 3 without week 1. */
    m.weeks = 2;
    ck_assert_status(cm_forecast_predict(&m, three_weeks, NULL, 21, NULL, NULL, 7, 0.95, NULL, 0,
                                         point, NULL, NULL),
                     CM_OK);
    ck_assert_double_eq(point[0], 11.5);
    /* No interval for the median. */
    ck_assert_status(
        cm_forecast_predict(&m, three_weeks, NULL, 21, NULL, NULL, 7, 0.95, NULL, 0, point, lo, hi),
        CM_EINVAL);
}
END_TEST

/* Values at closed or missing slots never matter. */
START_TEST(closed_values_ignored)
{
    const size_t p = 4, n = 5 * 7 * p, h = 7 * p;
    double *y = malloc(n * sizeof *y), *y2 = malloc(n * sizeof *y2);
    uint8_t *state = malloc(n);
    test_rng r = {7};
    for (size_t t = 0; t < n; t++) {
        y[t] = 20.0 + 5.0 * (double)(t % p) + 3.0 * (double)((t / p) % 7) + 2.0 * gauss(&r);
        y2[t] = y[t];
        state[t] = CM_FORECAST_OBSERVED;
    }
    for (size_t t = 9 * p; t < 10 * p; t++) { /* a holiday */
        state[t] = CM_FORECAST_CLOSED;
        y2[t] = 1e6;
    }
    state[20 * p + 1] = CM_FORECAST_MISSING;
    y2[20 * p + 1] = 5e5;
    const cm_forecast_method methods[] = {CM_FORECAST_SEASONAL_NAIVE, CM_FORECAST_WEEKLY_MEAN,
                                          CM_FORECAST_WEEKLY_MEDIAN, CM_FORECAST_HOLT_WINTERS,
                                          CM_FORECAST_TAYLOR};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        const cm_forecast_model m = model(methods[i], (uint32_t)p);
        size_t bytes;
        void *work = workspace(&m, n, h, &bytes);
        double a[28], b[28];
        ck_assert_status(
            cm_forecast_predict(&m, y, state, n, NULL, NULL, h, 0.9, work, bytes, a, NULL, NULL),
            CM_OK);
        ck_assert_status(
            cm_forecast_predict(&m, y2, state, n, NULL, NULL, h, 0.9, work, bytes, b, NULL, NULL),
            CM_OK);
        for (size_t k = 0; k < h; k++)
            ck_assert_double_eq(a[k], b[k]);
        free(work);
    }
    free(y);
    free(y2);
    free(state);
}
END_TEST

/* ---- Holt-Winters: intervals and the intraday profile -------------------------- */

/* statsmodels' recursion written plainly, with Hyndman's forecast l + φ_h·b + s. */
static void ref_hw(const double *y, size_t n, int trend, bool mul, const double *par,
                   const double *init, size_t h, double *fc)
{
    const double alpha = par[0], beta = par[1], gamma = par[2];
    const double phi = trend == 2 ? par[3] : 1.0;
    double l = init[0], b = trend ? init[1] : 0.0, s[7];
    memcpy(s, init + 2, sizeof s);
    for (size_t t = 0; t < n; t++) {
        const double lb = l + phi * b, st = s[t % 7];
        const double ln =
            mul ? alpha * y[t] / st + (1 - alpha) * lb : alpha * (y[t] - st) + (1 - alpha) * lb;
        s[t % 7] =
            mul ? gamma * y[t] / lb + (1 - gamma) * st : gamma * (y[t] - lb) + (1 - gamma) * st;
        b = trend ? beta * (ln - l) + (1 - beta) * phi * b : 0.0;
        l = ln;
    }
    double phik = 0.0, pw = 1.0;
    for (size_t k = 1; k <= h; k++) {
        pw *= phi;
        phik += trend ? pw : 0.0;
        const double st = s[(n + k - 1) % 7];
        fc[k - 1] = mul ? (l + phik * b) * st : l + phik * b + st;
    }
}

/*
 * The h-step interval of additive Holt-Winters against impulse responses
 * taken from the plain recursion: ψ_j is how much the j-step forecast moves
 * when the next observation comes in 1 above its forecast.
 */
START_TEST(hw_interval_matches_perturbation)
{
    const int i = 2; /* additive season, damped trend */
    const cm_forecast_model m = hw_oracle_model(i);
    const size_t n = HW_ORACLE_DAYS, h = HW_ORACLE_HORIZON;
    const double par[4] = {m.params.alpha, m.params.beta, m.params.gamma, m.params.phi};
    double y[HW_ORACLE_DAYS + 1], base[HW_ORACLE_HORIZON + 1], bumped[HW_ORACLE_HORIZON + 1];
    memcpy(y, hw_oracle[i].y, sizeof hw_oracle[i].y);
    double next[1];
    ref_hw(y, n, 2, false, par, hw_oracle[i].initial, 1, next);
    y[n] = next[0];
    ref_hw(y, n + 1, 2, false, par, hw_oracle[i].initial, h, base);
    y[n] = next[0] + 1.0;
    ref_hw(y, n + 1, 2, false, par, hw_oracle[i].initial, h, bumped);
    size_t bytes;
    void *work = workspace(&m, n, h, &bytes);
    double point[HW_ORACLE_HORIZON], lo[HW_ORACLE_HORIZON], hi[HW_ORACLE_HORIZON];
    ck_assert_status(cm_forecast_predict(&m, hw_oracle[i].y, NULL, n, hw_oracle[i].initial, NULL, h,
                                         0.95, work, bytes, point, lo, hi),
                     CM_OK);
    const double sigma = sqrt(hw_oracle[i].sse / (double)n);
    double psum = 1.0; /* ψ_0 = 1 */
    for (size_t k = 0; k < h; k++) {
        const double sd = sigma * sqrt(psum);
        ck_assert_double_eq_tol(hi[k], point[k] + Z95 * sd, 1e-8 * point[k]);
        ck_assert_double_eq_tol(lo[k], point[k] - Z95 * sd, 1e-8 * point[k]);
        const double psi = bumped[k] - base[k]; /* ψ_{k+1} */
        psum += psi * psi;
    }
    free(work);
}
END_TEST

/* A day's total is spread by the profile of the same weekday over the last weeks. */
START_TEST(hw_profile_spreads_days)
{
    const size_t p = 4, days = 28, n = days * p, h = 7 * p;
    const double share[4] = {0.1, 0.4, 0.3, 0.2};
    double y[112], totals[28];
    test_rng r = {99};
    for (size_t d = 0; d < days; d++) {
        totals[d] = 200.0 + 40.0 * (double)(d % 7) + 10.0 * gauss(&r);
        for (size_t s = 0; s < p; s++)
            y[d * p + s] = totals[d] * share[s];
    }
    cm_forecast_model m = model(CM_FORECAST_HOLT_WINTERS, (uint32_t)p);
    cm_forecast_model daily = model(CM_FORECAST_HOLT_WINTERS, 1);
    m.fit = daily.fit = 0;
    m.weeks = 3;
    size_t bytes, dbytes;
    void *work = workspace(&m, n, h, &bytes), *dwork = workspace(&daily, days, 7, &dbytes);
    double point[28], lo[28], hi[28], dpoint[7], dlo[7], dhi[7];
    ck_assert_status(
        cm_forecast_predict(&m, y, NULL, n, NULL, NULL, h, 0.95, work, bytes, point, lo, hi),
        CM_OK);
    ck_assert_status(cm_forecast_predict(&daily, totals, NULL, days, NULL, NULL, 7, 0.95, dwork,
                                         dbytes, dpoint, dlo, dhi),
                     CM_OK);
    for (size_t k = 0; k < 7; k++) {
        for (size_t s = 0; s < p; s++) {
            ck_assert_double_eq_tol(point[k * p + s], dpoint[k] * share[s], 1e-9 * dpoint[k]);
            /* The slot's deviations from the profile are 0 here: its interval is
             * the day's scaled by the share. */
            ck_assert_double_eq_tol(hi[k * p + s] - point[k * p + s],
                                    share[s] * (dhi[k] - dpoint[k]), 1e-6);
        }
    }
    /* Closed slots and a closed day in the future are 0; the rest keep their forecast. */
    uint8_t future[28] = {0};
    future[1] = CM_FORECAST_CLOSED;
    for (size_t s = 0; s < p; s++)
        future[2 * p + s] = CM_FORECAST_CLOSED;
    double point2[28];
    ck_assert_status(
        cm_forecast_predict(&m, y, NULL, n, NULL, future, h, 0.95, work, bytes, point2, lo, hi),
        CM_OK);
    for (size_t k = 0; k < h; k++)
        ck_assert_double_eq(point2[k], future[k] == CM_FORECAST_CLOSED ? 0.0 : point[k]);
    ck_assert_double_eq(lo[1], 0.0);
    ck_assert_double_eq(hi[1], 0.0);
    free(work);
    free(dwork);
}
END_TEST

/* ---- Taylor: prediction intervals ------------------------------------------------ */

START_TEST(taylor_interval_matches_perturbation)
{
    const size_t p = taylor_cases[_i].p, n = 5 * 7 * p, h = 9 * p;
    double *y = malloc((n + 1) * sizeof *y), *init = malloc((2 + 8 * p) * sizeof *init);
    uint8_t *state = malloc(n + 1);
    taylor_series(p, n, y, state, init);
    state[n - 2] = CM_FORECAST_OBSERVED;
    state[n] = CM_FORECAST_OBSERVED;
    const cm_forecast_model m = taylor_model(p, taylor_cases[_i].trend, taylor_cases[_i].lambda);
    ref_taylor rt = {p,
                     n,
                     taylor_cases[_i].trend,
                     m.params.alpha,
                     m.params.beta,
                     m.params.gamma,
                     m.params.omega,
                     m.params.phi,
                     m.params.lambda,
                     init};
    double *fit = malloc((n + 1) * sizeof *fit), *fc = malloc(h * sizeof *fc);
    double *base = malloc(h * sizeof *base), *bumped = malloc(h * sizeof *bumped);
    const double sse = ref_taylor_run(&rt, y, state, fit, h, fc);
    rt.n = n + 1;
    y[n] = fc[0];
    ref_taylor_run(&rt, y, state, fit, h, base);
    y[n] = fc[0] + 1.0;
    ref_taylor_run(&rt, y, state, fit, h, bumped);
    size_t bytes;
    void *work = workspace(&m, n, h, &bytes);
    double *point = malloc(h * sizeof *point), *lo = malloc(h * sizeof *lo),
           *hi = malloc(h * sizeof *hi);
    ck_assert_status(
        cm_forecast_predict(&m, y, state, n, init, NULL, h, 0.95, work, bytes, point, lo, hi),
        CM_OK);
    const double sigma = sqrt(sse / (double)(n - 3));
    double psum = 1.0;
    for (size_t k = 0; k < h; k++) {
        const double sd = sigma * sqrt(psum);
        ck_assert_double_eq_tol(hi[k], fmax(fc[k] + Z95 * sd, 0.0), 1e-9);
        ck_assert_double_eq_tol(lo[k], fmax(fc[k] - Z95 * sd, 0.0), 1e-9);
        const double psi = bumped[k] - base[k];
        psum += psi * psi;
    }
    free(y);
    free(init);
    free(state);
    free(fit);
    free(fc);
    free(base);
    free(bumped);
    free(work);
    free(point);
    free(lo);
    free(hi);
}
END_TEST

/* ---- fits recover known seasonality ------------------------------------------------ */

/* Hourly arrivals: a day shape, weekends lower, Gaussian noise of σ = 2. */
static double true_mean(size_t t)
{
    const double hour = (double)(t % 24), weekday = (double)((t / 24) % 7);
    const double day = 12.0 * exp(-0.5 * (hour - 13.0) * (hour - 13.0) / 9.0);
    return 6.0 + day + (weekday >= 5.0 ? -3.0 : 1.0) + 0.5 * weekday;
}

START_TEST(fit_recovers_seasonality)
{
    const size_t p = 24, weeks = 10, n = weeks * 7 * p, h = 7 * p;
    const double noise = 2.0;
    test_rng r = test_rng_make("fit_recovers_seasonality");
    double *y = malloc(n * sizeof *y);
    for (size_t t = 0; t < n; t++)
        y[t] = true_mean(t) + noise * gauss(&r);
    const cm_forecast_method methods[] = {CM_FORECAST_TAYLOR, CM_FORECAST_HOLT_WINTERS};
    for (size_t i = 0; i < 2; i++) {
        cm_forecast_model m = model(methods[i], (uint32_t)p);
        if (methods[i] == CM_FORECAST_HOLT_WINTERS)
            m.trend = CM_FORECAST_TREND_DAMPED;
        size_t bytes;
        void *work = workspace(&m, n, h, &bytes);
        cm_forecast_fit_result fit, again;
        ck_assert_status(cm_forecast_fit(&m, y, NULL, n, NULL, work, bytes, &fit, NULL), CM_OK);
        ck_assert_status(cm_forecast_fit(&m, y, NULL, n, NULL, work, bytes, &again, NULL), CM_OK);
        ck_assert_mem_eq(&fit, &again, sizeof fit); /* deterministic */
        ck_assert_uint_gt(fit.evaluations, 0);
        ck_assert_uint_le(fit.evaluations,
                          CM_FORECAST_EVALUATIONS_PER_PARAMETER * 4); /* 4 free parameters each */
        ck_assert_uint_eq(fit.model.fit, 0);
        double *point = malloc(h * sizeof *point);
        ck_assert_status(cm_forecast_predict(&fit.model, y, NULL, n, NULL, NULL, h, 0.95, work,
                                             bytes, point, NULL, NULL),
                         CM_OK);
        double se = 0.0;
        for (size_t k = 0; k < h; k++) {
            const double e = point[k] - true_mean(n + k);
            se += e * e;
        }
        const double rmse = sqrt(se / (double)h);
        fprintf(stderr,
                "method %d: alpha %.3f gamma %.3f omega %.3f lambda %.3f, sigma %.3f, "
                "RMSE against the true mean %.3f, %u evaluations\n",
                (int)methods[i], fit.model.params.alpha, fit.model.params.gamma,
                fit.model.params.omega, fit.model.params.lambda, fit.sigma, rmse, fit.evaluations);
        /* The forecast is the true pattern to well within the noise, and the
         * one-step errors are about the noise itself. */
        ck_assert_double_lt(rmse, 0.5 * noise);
        if (methods[i] == CM_FORECAST_TAYLOR) {
            ck_assert_double_gt(fit.sigma, 0.9 * noise);
            ck_assert_double_lt(fit.sigma, 1.25 * noise);
        }
        free(point);
        free(work);
    }
    free(y);
}
END_TEST

/* ---- bad input to the methods ------------------------------------------------------ */

/* Each row breaks one argument of an otherwise good call to cm_forecast_fit()
 * and cm_forecast_predict() (a 3-week, 2-slot history and a 1-week horizon). */
enum {
    BAD_Y_NULL,
    BAD_Y_NAN,
    BAD_Y_INF,
    BAD_Y_NEG,
    BAD_N_PARTIAL_DAY,
    BAD_N_ZERO,
    BAD_STATE,
    BAD_METHOD,
    BAD_SLOTS,
    BAD_TREND,
    BAD_SEASON,
    BAD_TAYLOR_MUL,
    BAD_WEEKS_ZERO,
    BAD_WEEKS_BIG,
    BAD_FIT_BITS,
    BAD_ALPHA,
    BAD_BETA,
    BAD_GAMMA,
    BAD_OMEGA,
    BAD_PHI,
    BAD_LAMBDA,
    BAD_INITIAL_NAN,
    BAD_WORK_SMALL,
    BAD_WORK_MISALIGNED,
    BAD_SHORT,
    BAD_SHORT_SMOOTHING,
    BAD_ALL_CLOSED,
    BAD_MUL_ZERO_DAY,
    BAD_OUT_NULL,
    BAD_FITTED_NAIVE,
    BAD_HORIZON_PARTIAL,
    BAD_POINT_NULL,
    BAD_LO_ONLY,
    BAD_CONFIDENCE,
    BAD_INTERVAL_MUL,
    BAD_FUTURE_STATE,
    BAD_OVERFLOW_VALUES,
    BAD_ROWS
};

static const struct {
    cm_status fit, predict; /* CM_OK: the row does not apply to that function */
} bad_rows[BAD_ROWS] = {
    [BAD_Y_NULL] = {CM_EINVAL, CM_EINVAL},
    [BAD_Y_NAN] = {CM_EINVAL, CM_EINVAL},
    [BAD_Y_INF] = {CM_EINVAL, CM_EINVAL},
    [BAD_Y_NEG] = {CM_EINVAL, CM_EINVAL},
    [BAD_N_PARTIAL_DAY] = {CM_EINVAL, CM_EINVAL},
    [BAD_N_ZERO] = {CM_EINVAL, CM_EINVAL},
    [BAD_STATE] = {CM_EINVAL, CM_EINVAL},
    [BAD_METHOD] = {CM_EINVAL, CM_EINVAL},
    [BAD_SLOTS] = {CM_EINVAL, CM_EINVAL},
    [BAD_TREND] = {CM_EINVAL, CM_EINVAL},
    [BAD_SEASON] = {CM_EINVAL, CM_EINVAL},
    [BAD_TAYLOR_MUL] = {CM_EINVAL, CM_EINVAL},
    [BAD_WEEKS_ZERO] = {CM_EINVAL, CM_EINVAL},
    [BAD_WEEKS_BIG] = {CM_EINVAL, CM_EINVAL},
    [BAD_FIT_BITS] = {CM_EINVAL, CM_EINVAL},
    [BAD_ALPHA] = {CM_EINVAL, CM_EINVAL},
    [BAD_BETA] = {CM_EINVAL, CM_EINVAL},
    [BAD_GAMMA] = {CM_EINVAL, CM_EINVAL},
    [BAD_OMEGA] = {CM_EINVAL, CM_EINVAL},
    [BAD_PHI] = {CM_EINVAL, CM_EINVAL},
    [BAD_LAMBDA] = {CM_EINVAL, CM_EINVAL},
    [BAD_INITIAL_NAN] = {CM_EINVAL, CM_EINVAL},
    [BAD_WORK_SMALL] = {CM_ENOSPC, CM_ENOSPC},
    [BAD_WORK_MISALIGNED] = {CM_EINVAL, CM_EINVAL},
    [BAD_SHORT] = {CM_ENODATA, CM_ENODATA},
    [BAD_SHORT_SMOOTHING] = {CM_ENODATA, CM_ENODATA},
    [BAD_ALL_CLOSED] = {CM_ENODATA, CM_ENODATA},
    [BAD_MUL_ZERO_DAY] = {CM_ERANGE, CM_ERANGE},
    [BAD_OUT_NULL] = {CM_EINVAL, CM_OK},
    [BAD_FITTED_NAIVE] = {CM_EINVAL, CM_OK},
    [BAD_HORIZON_PARTIAL] = {CM_OK, CM_EINVAL},
    [BAD_POINT_NULL] = {CM_OK, CM_EINVAL},
    [BAD_LO_ONLY] = {CM_OK, CM_EINVAL},
    [BAD_CONFIDENCE] = {CM_OK, CM_EINVAL},
    [BAD_INTERVAL_MUL] = {CM_OK, CM_EINVAL},
    [BAD_FUTURE_STATE] = {CM_OK, CM_EINVAL},
    [BAD_OVERFLOW_VALUES] = {CM_ERANGE, CM_ERANGE},
};

START_TEST(methods_bad_input)
{
    enum { P = 2, N = 3 * 7 * P, H = 7 * P };
    double y[N], init[2 + 8 * P];
    uint8_t state[N], future[H] = {0};
    for (int t = 0; t < N; t++) {
        y[t] = 10.0 + t % 5;
        state[t] = CM_FORECAST_OBSERVED;
    }
    for (int i = 0; i < 2 + 8 * P; i++)
        init[i] = 1.0;
    cm_forecast_model m = model(CM_FORECAST_TAYLOR, P);
    size_t n = N, horizon = H, work_size;
    double confidence = 0.9;
    /* Room for any method on this series, 8-aligned, with a spare double for misaligning. */
    static double work_store[4096];
    void *work = work_store;
    ck_assert_status(cm_forecast_workspace_size(&m, N, H, &work_size), CM_OK);
    ck_assert_uint_lt(work_size, sizeof work_store / 4);
    work_size = sizeof work_store - 8;
    const double *yp = y, *initp = NULL;
    bool out_null = false, fitted_on = false, point_null = false, lo_only = false, bounds = true;
    switch (_i) {
    case BAD_Y_NULL:
        yp = NULL;
        break;
    case BAD_Y_NAN:
        y[7] = D_NAN;
        break;
    case BAD_Y_INF:
        y[7] = D_INF;
        break;
    case BAD_Y_NEG:
        y[7] = -1.0;
        break;
    case BAD_N_PARTIAL_DAY:
        n = N - 1;
        break;
    case BAD_N_ZERO:
        n = 0;
        break;
    case BAD_STATE:
        state[3] = 3;
        break;
    case BAD_METHOD:
        m.method = (cm_forecast_method)9;
        break;
    case BAD_SLOTS:
        m.slots_per_day = 7;
        break;
    case BAD_TREND:
        m.trend = (cm_forecast_trend)3;
        break;
    case BAD_SEASON:
        m.seasonality = (cm_forecast_seasonality)2;
        break;
    case BAD_TAYLOR_MUL:
        m.seasonality = CM_FORECAST_SEASON_MULTIPLICATIVE;
        break;
    case BAD_WEEKS_ZERO:
        m.method = CM_FORECAST_WEEKLY_MEAN;
        m.weeks = 0;
        break;
    case BAD_WEEKS_BIG:
        m.method = CM_FORECAST_HOLT_WINTERS;
        m.weeks = CM_FORECAST_MAX_WEEKS + 1;
        break;
    case BAD_FIT_BITS:
        m.fit = 0x40;
        break;
    case BAD_ALPHA:
        m.fit = 0;
        m.params.alpha = 1.5;
        break;
    case BAD_BETA:
        m.fit = 0;
        m.trend = CM_FORECAST_TREND_ADDITIVE;
        m.params.beta = -0.1;
        break;
    case BAD_GAMMA:
        m.fit = 0;
        m.params.gamma = D_NAN;
        break;
    case BAD_OMEGA:
        m.fit = 0;
        m.params.omega = 2.0;
        break;
    case BAD_PHI:
        m.fit = 0;
        m.trend = CM_FORECAST_TREND_DAMPED;
        m.params.phi = 0.0;
        break;
    case BAD_LAMBDA:
        m.fit = 0;
        m.params.lambda = 1.0;
        break;
    case BAD_INITIAL_NAN:
        init[5] = D_NAN;
        initp = init;
        break;
    case BAD_WORK_SMALL:
        break;
    case BAD_WORK_MISALIGNED:
        work = (char *)work_store + 4;
        break;
    case BAD_SHORT:
        m.method = CM_FORECAST_SEASONAL_NAIVE;
        n = 6 * P;
        break;
    case BAD_SHORT_SMOOTHING:
        n = 13 * P;
        break;
    case BAD_ALL_CLOSED:
        memset(state, CM_FORECAST_CLOSED, sizeof state);
        break;
    case BAD_MUL_ZERO_DAY:
        m.method = CM_FORECAST_HOLT_WINTERS;
        m.seasonality = CM_FORECAST_SEASON_MULTIPLICATIVE;
        y[20] = y[21] = 0.0; /* day 10 */
        bounds = false;
        break;
    case BAD_OUT_NULL:
        out_null = true;
        break;
    case BAD_FITTED_NAIVE:
        m.method = CM_FORECAST_SEASONAL_NAIVE;
        fitted_on = true;
        break;
    case BAD_HORIZON_PARTIAL:
        horizon = H - 1;
        break;
    case BAD_POINT_NULL:
        point_null = true;
        break;
    case BAD_LO_ONLY:
        lo_only = true;
        break;
    case BAD_CONFIDENCE:
        confidence = 1.0;
        break;
    case BAD_INTERVAL_MUL:
        m.method = CM_FORECAST_HOLT_WINTERS;
        m.seasonality = CM_FORECAST_SEASON_MULTIPLICATIVE;
        break;
    case BAD_FUTURE_STATE:
        future[2] = 7;
        break;
    case BAD_OVERFLOW_VALUES:
        for (int t = 0; t < N; t++)
            y[t] = t % 2 ? 1.7e308 : 0.0; /* squared errors overflow */
        break;
    }
    if (_i == BAD_WORK_SMALL) {
        /* Ask for exactly the right size for the changed model, less one. */
        ck_assert_status(cm_forecast_workspace_size(&m, n, horizon, &work_size), CM_OK);
        work_size -= 1;
    }
    cm_forecast_fit_result r;
    double fitted[N], point[H], lo[H], hi[H];
    poison(&r);
    poison(&fitted);
    poison(&point);
    poison(&lo);
    poison(&hi);
    if (bad_rows[_i].fit != CM_OK) {
        ck_assert_status(cm_forecast_fit(&m, yp, state, n, initp, work, work_size,
                                         out_null ? NULL : &r,
                                         fitted_on || _i == BAD_Y_NAN ? fitted : NULL),
                         bad_rows[_i].fit);
    }
    if (bad_rows[_i].predict != CM_OK) {
        ck_assert_status(cm_forecast_predict(&m, yp, state, n, initp, future, horizon, confidence,
                                             work, work_size, point_null ? NULL : point,
                                             bounds ? lo : NULL, lo_only || !bounds ? NULL : hi),
                         bad_rows[_i].predict);
    }
    ck_assert_untouched(&r);
    ck_assert_untouched(&fitted);
    ck_assert_untouched(&point);
    ck_assert_untouched(&lo);
    ck_assert_untouched(&hi);
}
END_TEST

START_TEST(model_queries)
{
    cm_forecast_model m;
    poison(&m);
    ck_assert_status(cm_forecast_model_default(CM_FORECAST_TAYLOR, 7, &m), CM_EINVAL);
    ck_assert_status(cm_forecast_model_default((cm_forecast_method)0, 48, &m), CM_EINVAL);
    ck_assert_status(cm_forecast_model_default(CM_FORECAST_TAYLOR, 48, NULL), CM_EINVAL);
    ck_assert_untouched(&m);
    ck_assert_status(cm_forecast_model_default(CM_FORECAST_HOLT_WINTERS, 48, &m), CM_OK);
    ck_assert_int_eq(m.method, CM_FORECAST_HOLT_WINTERS);
    ck_assert_uint_eq(m.weeks, 8);
    ck_assert_uint_eq(m.fit, CM_FORECAST_FIT_ALL);
    ck_assert_double_eq(m.params.alpha, 0.2);
    size_t k;
    ck_assert_status(cm_forecast_initial_size(&m, &k), CM_OK);
    ck_assert_uint_eq(k, 9);
    m.method = CM_FORECAST_TAYLOR;
    ck_assert_status(cm_forecast_initial_size(&m, &k), CM_OK);
    ck_assert_uint_eq(k, 2 + 8 * 48);
    m.method = CM_FORECAST_WEEKLY_MEDIAN;
    ck_assert_status(cm_forecast_initial_size(&m, &k), CM_OK);
    ck_assert_uint_eq(k, 0);
    bool has;
    ck_assert_status(cm_forecast_has_interval(&m, &has), CM_OK);
    ck_assert(!has);
    m.method = CM_FORECAST_HOLT_WINTERS;
    ck_assert_status(cm_forecast_has_interval(&m, &has), CM_OK);
    ck_assert(has);
    m.seasonality = CM_FORECAST_SEASON_MULTIPLICATIVE;
    ck_assert_status(cm_forecast_has_interval(&m, &has), CM_OK);
    ck_assert(!has);
    ck_assert_status(cm_forecast_has_interval(&m, NULL), CM_EINVAL);
    m.slots_per_day = 0;
    ck_assert_status(cm_forecast_has_interval(&m, &has), CM_EINVAL);
    ck_assert_status(cm_forecast_initial_size(&m, &k), CM_EINVAL);
    size_t bytes;
    ck_assert_status(cm_forecast_workspace_size(&m, 100, 10, &bytes), CM_EINVAL);
    m.slots_per_day = 1;
    ck_assert_status(cm_forecast_workspace_size(&m, SIZE_MAX, 7, &bytes), CM_EOVERFLOW);
    ck_assert_status(cm_forecast_workspace_size(&m, 100, 7, NULL), CM_EINVAL);
    m.method = CM_FORECAST_SEASONAL_NAIVE;
    ck_assert_status(cm_forecast_workspace_size(&m, 100, 7, &bytes), CM_OK);
    ck_assert_uint_eq(bytes, 0);

    ck_assert_uint_eq(cm_forecast_sizeof("cm_forecast_interval"), sizeof(cm_forecast_interval));
    ck_assert_uint_eq(cm_forecast_sizeof("cm_forecast_model"), sizeof(cm_forecast_model));
    ck_assert_uint_eq(cm_forecast_sizeof("cm_forecast_staffing_summary"),
                      sizeof(cm_forecast_staffing_summary));
    ck_assert_uint_eq(cm_forecast_sizeof("cm_nope"), 0);
    ck_assert_uint_eq(cm_forecast_sizeof(NULL), 0);
    double v;
    ck_assert_status(cm_forecast_constant("CM_FORECAST_MAX_WEEKS", &v), CM_OK);
    ck_assert_double_eq(v, CM_FORECAST_MAX_WEEKS);
    ck_assert_status(cm_forecast_constant("CM_FORECAST_HANDLE_UNKNOWN", &v), CM_OK);
    ck_assert_double_eq(v, -1.0);
    ck_assert_status(cm_forecast_constant("CM_NOPE", &v), CM_ENOTFOUND);
    ck_assert_status(cm_forecast_constant(NULL, &v), CM_EINVAL);
    ck_assert_status(cm_forecast_constant("CM_FORECAST_MAX_WEEKS", NULL), CM_EINVAL);
}
END_TEST

/* ---- accuracy --------------------------------------------------------------------- */

START_TEST(evaluate_by_hand)
{
    const double actual[] = {10, 20, 0, 5}, fc[] = {12, 15, 1, 5};
    const double train[] = {1, 2, 3, 4, 5, 6};
    cm_forecast_accuracy a;
    /* Errors f − a: 2, −5, 1, 0. */
    ck_assert_status(cm_forecast_evaluate(actual, fc, NULL, 4, train, NULL, 6, 2, &a), CM_OK);
    ck_assert_uint_eq(a.n, 4);
    ck_assert_double_eq(a.mae, 2.0);
    ck_assert_double_eq_tol(a.rmse, sqrt(7.5), 1e-15);
    ck_assert_double_eq(a.bias, -0.5);
    ck_assert(a.wmape_defined);
    ck_assert_double_eq_tol(a.wmape, 8.0 / 35.0, 1e-15);
    ck_assert(a.mase_defined);
    ck_assert_double_eq(a.mase, 1.0); /* naive scale |y_t − y_{t−2}| = 2 */
    /* Leave the third point out; no training series. */
    const uint8_t st[] = {0, 0, CM_FORECAST_CLOSED, 0};
    ck_assert_status(cm_forecast_evaluate(actual, fc, st, 4, NULL, NULL, 0, 0, &a), CM_OK);
    ck_assert_uint_eq(a.n, 3);
    ck_assert_double_eq_tol(a.mae, 7.0 / 3.0, 1e-15);
    ck_assert(!a.mase_defined);
    ck_assert_double_eq(a.mase, 0.0);
    /* Undefined ratios: every actual 0, a flat training series. */
    const double zero[] = {0, 0}, flat[] = {3, 3, 3, 3};
    ck_assert_status(cm_forecast_evaluate(zero, fc, NULL, 2, flat, NULL, 4, 1, &a), CM_OK);
    ck_assert(!a.wmape_defined);
    ck_assert(!a.mase_defined);
    ck_assert_double_eq(a.mae, 13.5);

    const double nan_fc[] = {1, D_NAN, 1, 1};
    const uint8_t bad_st[] = {0, 4, 0, 0}, closed[] = {1, 1, 2, 1};
    poison(&a);
    ck_assert_status(cm_forecast_evaluate(actual, nan_fc, NULL, 4, NULL, NULL, 0, 0, &a),
                     CM_EINVAL);
    ck_assert_status(cm_forecast_evaluate(actual, fc, bad_st, 4, NULL, NULL, 0, 0, &a), CM_EINVAL);
    ck_assert_status(cm_forecast_evaluate(actual, fc, NULL, 4, train, NULL, 6, 0, &a), CM_EINVAL);
    ck_assert_status(cm_forecast_evaluate(actual, fc, NULL, 4, NULL, NULL, 6, 2, &a), CM_EINVAL);
    ck_assert_status(cm_forecast_evaluate(NULL, fc, NULL, 4, NULL, NULL, 0, 0, &a), CM_EINVAL);
    ck_assert_status(cm_forecast_evaluate(actual, fc, NULL, 4, NULL, NULL, 0, 0, NULL), CM_EINVAL);
    ck_assert_status(cm_forecast_evaluate(actual, fc, closed, 4, NULL, NULL, 0, 0, &a), CM_ENODATA);
    ck_assert_status(cm_forecast_evaluate(actual, fc, NULL, 0, NULL, NULL, 0, 0, &a), CM_ENODATA);
    const double huge[] = {1e300, -1e300};
    ck_assert_status(cm_forecast_evaluate(huge, fc, NULL, 2, NULL, NULL, 0, 0, &a), CM_EOVERFLOW);
    ck_assert_untouched(&a);
}
END_TEST

/* ---- backtest -------------------------------------------------------------------- */

START_TEST(backtest_picks_the_best)
{
    enum { P = 2, W = 7 * P, N = 8 * W };
    double y[N];
    test_rng r = {2024};
    for (int t = 0; t < N; t++)
        y[t] = (t % W == 2 || t % W == 3) ? 0.0 : 20.0 + 3.0 * (t % W) + gauss(&r);
    cm_forecast_model models[3];
    models[0] = model(CM_FORECAST_HOLT_WINTERS, P);
    models[0].seasonality = CM_FORECAST_SEASON_MULTIPLICATIVE; /* day 1 totals 0: cannot run */
    models[1] = model(CM_FORECAST_SEASONAL_NAIVE, P);
    models[2] = model(CM_FORECAST_WEEKLY_MEAN, P);
    models[2].weeks = 4;
    size_t bytes, best = 99;
    ck_assert_status(cm_forecast_backtest_workspace_size(models, 3, N, &bytes), CM_OK);
    void *work = malloc(bytes);
    cm_forecast_accuracy scores[3];
    ck_assert_status(cm_forecast_backtest(models, 3, y, NULL, N, 3, CM_FORECAST_BY_MAE, work, bytes,
                                          scores, &best),
                     CM_OK);
    ck_assert_uint_eq(scores[0].n, 0);
    ck_assert_uint_eq(scores[1].n, 3 * W);
    ck_assert_uint_eq(scores[2].n, 3 * W);
    /* The naive one-week-ahead errors of the last three weeks, directly. */
    double mae = 0.0, scale = 0.0;
    for (int t = N - 3 * W; t < N; t++)
        mae += fabs(y[t] - y[t - W]);
    mae /= 3 * W;
    for (int t = W; t < N - 3 * W; t++)
        scale += fabs(y[t] - y[t - W]);
    scale /= N - 4 * W;
    ck_assert_double_eq_tol(scores[1].mae, mae, 1e-12);
    ck_assert_double_eq_tol(scores[1].mase, mae / scale, 1e-12);
    /* Noise around a fixed pattern: the 4-week mean beats last week's copy. */
    ck_assert_double_lt(scores[2].mae, scores[1].mae);
    ck_assert_uint_eq(best, 2);

    /* A pattern that repeats exactly: naive and mean tie at 0, the earlier wins. */
    for (int t = 0; t < N; t++)
        y[t] = 5.0 + (t % W);
    ck_assert_status(cm_forecast_backtest(models + 1, 2, y, NULL, N, 2, CM_FORECAST_BY_RMSE, work,
                                          bytes, scores, &best),
                     CM_OK);
    ck_assert_double_eq(scores[0].rmse, 0.0);
    ck_assert_double_eq(scores[1].rmse, 0.0);
    ck_assert_uint_eq(best, 0);
    free(work);
}
END_TEST

START_TEST(backtest_bad_input)
{
    enum { P = 1, W = 7, N = 6 * W };
    double y[N];
    for (int t = 0; t < N; t++)
        y[t] = 1.0 + t % 3;
    cm_forecast_model models[2] = {model(CM_FORECAST_SEASONAL_NAIVE, P),
                                   model(CM_FORECAST_WEEKLY_MEAN, P)};
    size_t bytes, best;
    ck_assert_status(cm_forecast_backtest_workspace_size(models, 2, N, &bytes), CM_OK);
    double *work = malloc(bytes);
    cm_forecast_accuracy scores[2];
    poison(&scores);
    poison(&best);
    ck_assert_status(cm_forecast_backtest(models, 2, y, NULL, N, 0, CM_FORECAST_BY_MAE, work, bytes,
                                          scores, &best),
                     CM_EINVAL);
    ck_assert_status(cm_forecast_backtest(models, 2, y, NULL, N, 6, CM_FORECAST_BY_MAE, work, bytes,
                                          scores, &best),
                     CM_ENODATA);
    ck_assert_status(cm_forecast_backtest(models, 2, y, NULL, N, 2, CM_FORECAST_BY_MAE, work,
                                          bytes - 1, scores, &best),
                     CM_ENOSPC);
    ck_assert_status(cm_forecast_backtest(models, 2, y, NULL, N, 2, (cm_forecast_criterion)9, work,
                                          bytes, scores, &best),
                     CM_EINVAL);
    ck_assert_status(cm_forecast_backtest(models, 0, y, NULL, N, 2, CM_FORECAST_BY_MAE, work, bytes,
                                          scores, &best),
                     CM_EINVAL);
    ck_assert_status(cm_forecast_backtest(models, 2, NULL, NULL, N, 2, CM_FORECAST_BY_MAE, work,
                                          bytes, scores, &best),
                     CM_EINVAL);
    ck_assert_status(cm_forecast_backtest(models, 2, y, NULL, N, 2, CM_FORECAST_BY_MAE, work, bytes,
                                          NULL, &best),
                     CM_EINVAL);
    uint8_t closed[N];
    memset(closed, CM_FORECAST_CLOSED, sizeof closed);
    ck_assert_status(cm_forecast_backtest(models, 2, y, closed, N, 2, CM_FORECAST_BY_MAE, work,
                                          bytes, scores, &best),
                     CM_ENODATA);
    models[1].slots_per_day = 2;
    ck_assert_status(cm_forecast_backtest(models, 2, y, NULL, N, 2, CM_FORECAST_BY_MAE, work, bytes,
                                          scores, &best),
                     CM_EINVAL);
    ck_assert_status(cm_forecast_backtest_workspace_size(models, 2, N, &bytes), CM_EINVAL);
    ck_assert_untouched(&scores);
    ck_assert_untouched(&best);
    free(work);
}
END_TEST

/* ---- staffing from forecasts -------------------------------------------------- */

static const cm_forecast_staffing_options phone = {
    CM_FORECAST_QUEUE_ERLANG_C, 0.80, 20.0, 1.0, 0.0, 1, 0.30, 8.0, 5.0,
};

/* Erlang C from its textbook series, for small N: Σ_{k<N} A^k/k! and A^N/N!·N/(N − A). */
static double erlang_c_sl_direct(uint32_t servers, double a, double aht, double t)
{
    double term = 1.0, sum = 0.0;
    for (uint32_t k = 0; k < servers; k++) {
        sum += term;
        term *= a / (k + 1);
    }
    const double top = term * servers / (servers - a);
    const double pw = top / (sum + top);
    return 1.0 - pw * exp(-(servers - a) * t / aht);
}

/* The seeds: 60 calls an hour at 6 minutes need 9 agents for 80/20 (83.4 %),
 * 300 calls need 36 (84.8 %). */
START_TEST(staffing_seed_examples)
{
    cm_calendar *cal = calendar("tz UTC\nmon-sun 00:00-24:00\n");
    cm_forecast_interval iv[48];
    size_t n;
    ck_assert_status(cm_forecast_intervals(cal, 2025, 1, 6, 1, 60, iv, 48, &n), CM_OK);
    const double vol[3] = {60, 300, 0}, aht[3] = {360, 360, 360};
    cm_forecast_staffing out[3];
    cm_forecast_staffing_summary sum;
    ck_assert_status(cm_forecast_staffing_plan(iv, vol, aht, 3, &phone, out, &sum), CM_OK);
    ck_assert_uint_eq(out[0].agents, 9);
    ck_assert_double_eq_tol(out[0].service_level, 0.834, 0.0005);
    ck_assert_uint_eq(out[1].agents, 36);
    ck_assert_double_eq_tol(out[1].service_level, 0.848, 0.0005);
    ck_assert_double_eq_tol(out[1].traffic, 30.0, 1e-12);
    ck_assert_uint_eq(out[2].agents, 0);
    ck_assert_double_eq(out[2].service_level, 1.0);
    /* Concurrency 1 is the queue module's plan. */
    cm_interval_staffing plan[3];
    ck_assert_status(cm_staffing_plan(vol, aht, 3, 3600.0, 0.8, 20.0, 1.0, plan), CM_OK);
    for (int i = 0; i < 3; i++) {
        ck_assert_uint_eq(out[i].agents, plan[i].agents);
        ck_assert_double_eq(out[i].service_level, plan[i].service_level);
        ck_assert_double_eq(out[i].asa_seconds, plan[i].asa_seconds);
        ck_assert_double_eq(out[i].occupancy, plan[i].occupancy);
    }
    ck_assert_double_eq_tol(out[1].scheduled, 36 / 0.7, 1e-12);
    /* Totals: 45 agent-hours over 3 hours (1/8 day); FTE work 5 days in 7. */
    ck_assert_double_eq(sum.contacts, 360.0);
    ck_assert_double_eq_tol(sum.workload_hours, 36.0, 1e-12);
    ck_assert_double_eq_tol(sum.agent_hours, 45.0, 1e-12);
    ck_assert_double_eq_tol(sum.days, 0.125, 1e-15);
    ck_assert_double_eq_tol(sum.scheduled_hours, 45.0 / 0.7, 1e-12);
    ck_assert_double_eq_tol(sum.fte, 45.0 / 0.7 / (8.0 * 0.125 * 5.0 / 7.0), 1e-9);
    ck_assert_uint_eq(sum.peak_agents, 36);
    ck_assert_uint_eq(sum.peak_interval, 1);
    ck_assert_uint_eq(sum.peak_scheduled, 52); /* ⌈36 / 0.7⌉ = ⌈51.4⌉ */
    ck_assert_double_eq_tol(sum.peak_ratio, 36.0 / 22.5, 1e-12);

    /* Half-hour intervals: 30 calls in 30 minutes are the same 6 Erlangs. */
    ck_assert_status(cm_forecast_intervals(cal, 2025, 1, 6, 1, 30, iv, 48, &n), CM_OK);
    const double half[1] = {30};
    ck_assert_status(cm_forecast_staffing_plan(iv, half, aht, 1, &phone, out, NULL), CM_OK);
    ck_assert_uint_eq(out[0].agents, 9);

    /* The seeds' month: 1,233.3 workload hours at 85 % occupancy and 30 % shrinkage are
     * 2,072.8 scheduled hours (the queue module, unchanged). */
    cm_workforce w;
    ck_assert_status(cm_workforce_plan(74000.0 / 60.0, 0.85, 0.30, 8.0, 22.0, &w), CM_OK);
    ck_assert_double_eq_tol(w.scheduled_hours, 2072.8, 0.05);
    cm_calendar_free(cal);
}
END_TEST

/*
 * Chat: an agent with k chats open is k servers of one Erlang C queue. 30
 * chats in 30 minutes at 6 minutes each are 6 Erlangs; 9 servers meet 80/20.
 * k = 2: 5 agents (10 servers); k = 3: 3 agents (9 servers).
 */
START_TEST(staffing_chat_concurrency)
{
    cm_calendar *cal = calendar("tz UTC\nmon-sun 00:00-24:00\n");
    cm_forecast_interval iv[48];
    size_t n;
    ck_assert_status(cm_forecast_intervals(cal, 2025, 1, 6, 1, 30, iv, 48, &n), CM_OK);
    const double vol[1] = {30}, aht[1] = {360};
    cm_forecast_staffing_options chat = phone;
    cm_forecast_staffing out;
    chat.concurrency = 2;
    ck_assert_status(cm_forecast_staffing_plan(iv, vol, aht, 1, &chat, &out, NULL), CM_OK);
    ck_assert_uint_eq(out.agents, 5);
    ck_assert_double_eq_tol(out.service_level, erlang_c_sl_direct(10, 6.0, 360, 20), 1e-12);
    ck_assert_double_eq_tol(out.occupancy, 0.6, 1e-15);
    chat.concurrency = 3;
    ck_assert_status(cm_forecast_staffing_plan(iv, vol, aht, 1, &chat, &out, NULL), CM_OK);
    ck_assert_uint_eq(out.agents, 3);
    ck_assert_double_eq_tol(out.service_level, erlang_c_sl_direct(9, 6.0, 360, 20), 1e-12);
    ck_assert_double_eq_tol(out.service_level, 0.834, 0.0005);
    /* An occupancy cap of 50 % needs 12 servers: 6 agents with two chats each. */
    chat.concurrency = 2;
    chat.max_occupancy = 0.5;
    ck_assert_status(cm_forecast_staffing_plan(iv, vol, aht, 1, &chat, &out, NULL), CM_OK);
    ck_assert_uint_eq(out.agents, 6);
    ck_assert_double_eq_tol(out.occupancy, 0.5, 1e-15);
    cm_calendar_free(cal);
}
END_TEST

START_TEST(staffing_erlang_a_and_workload)
{
    cm_calendar *cal = calendar("tz UTC\nmon-sat 00:00-24:00\n");
    cm_forecast_interval iv[24];
    size_t n;
    ck_assert_status(cm_forecast_intervals(cal, 2025, 1, 6, 1, 60, iv, 24, &n), CM_OK);
    /* The seed's 300 calls an hour with a 5-minute mean patience: 34 agents. */
    cm_forecast_staffing_options opt = phone;
    opt.queue = CM_FORECAST_QUEUE_ERLANG_A;
    opt.patience_seconds = 300.0;
    const double vol[1] = {300}, aht[1] = {360};
    cm_forecast_staffing out;
    ck_assert_status(cm_forecast_staffing_plan(iv, vol, aht, 1, &opt, &out, NULL), CM_OK);
    ck_assert_uint_eq(out.agents, 34);
    cm_erlang_a_result r;
    ck_assert_status(cm_erlang_a(30.0, 34, 360.0, 300.0, 20.0, &r), CM_OK);
    ck_assert_double_eq(out.p_abandon, r.p_abandon);
    ck_assert_double_eq(out.service_level, r.service_level);
    ck_assert_double_eq_tol(out.occupancy, 30.0 * (1 - r.p_abandon) / 34.0, 1e-15);
    ck_assert_double_eq_tol(out.p_abandon, 0.028, 0.0005);

    /* Email: 100 messages in an hour at 10 minutes are 16.7 hours of work an
     * hour; at most 85 % busy that is ⌈16.67 / 0.85⌉ = ⌈19.6⌉ = 20 agents. */
    opt.queue = CM_FORECAST_QUEUE_WORKLOAD;
    opt.max_occupancy = 0.85;
    const double evol[2] = {100, 100}, eaht[2] = {600, 600};
    cm_forecast_staffing e[2];
    cm_forecast_interval closed[2] = {iv[0], iv[1]};
    closed[1].open_seconds = 0;
    ck_assert_status(cm_forecast_staffing_plan(closed, evol, eaht, 2, &opt, e, NULL), CM_OK);
    ck_assert_uint_eq(e[0].agents, 20);
    ck_assert_double_eq_tol(e[0].occupancy, (100.0 * 600 / 3600) / 20, 1e-15);
    ck_assert_double_eq(e[0].service_level, 0.0);
    ck_assert_uint_eq(e[1].agents, 0); /* closed */
    /* Contacts that take no time need nobody. */
    const double no_time[2] = {0, 0};
    ck_assert_status(cm_forecast_staffing_plan(iv, evol, no_time, 2, &opt, e, NULL), CM_OK);
    ck_assert_uint_eq(e[0].agents, 0);
    ck_assert_double_eq(e[0].traffic, 0.0);
    cm_calendar_free(cal);
}
END_TEST

START_TEST(staffing_bad_input)
{
    cm_calendar *cal = calendar("tz UTC\nmon-sun 00:00-24:00\n");
    cm_forecast_interval iv[2], bad_iv[2];
    size_t n;
    ck_assert_status(cm_forecast_intervals(cal, 2025, 1, 6, 1, 720, iv, 2, &n), CM_OK);
    const double vol[2] = {10, 20}, aht[2] = {300, 300};
    cm_forecast_staffing out[2];
    cm_forecast_staffing_summary sum;
    poison(&out);
    poison(&sum);
    cm_forecast_staffing_options o;
    enum { ROWS = 16 };
    for (int row = 0; row < ROWS; row++) {
        o = phone;
        switch (row) {
        case 0:
            o.queue = (cm_forecast_queue)3;
            break;
        case 1:
            o.target_sl = 1.0;
            break;
        case 2:
            o.target_sl = D_NAN;
            break;
        case 3:
            o.target_seconds = -1;
            break;
        case 4:
            o.max_occupancy = 0.0;
            break;
        case 5:
            o.max_occupancy = 1.1;
            break;
        case 6:
            o.queue = CM_FORECAST_QUEUE_ERLANG_A;
            o.patience_seconds = 0;
            break;
        case 7:
            o.concurrency = 0;
            break;
        case 8:
            o.concurrency = CM_FORECAST_MAX_CONCURRENCY + 1;
            break;
        case 9:
            o.shrinkage = 1.0;
            break;
        case 10:
            o.shrinkage = -0.1;
            break;
        case 11:
            o.shift_hours = 0;
            break;
        case 12:
            o.workdays_per_week = 8;
            break;
        case 13:
            o.workdays_per_week = D_INF;
            break;
        case 14:
            o.shift_hours = D_NAN;
            break;
        default:
            o.target_seconds = D_INF;
            break;
        }
        ck_assert_msg(cm_forecast_staffing_plan(iv, vol, aht, 2, &o, out, &sum) == CM_EINVAL,
                      "options row %d", row);
    }
    const double nan_vol[2] = {10, D_NAN}, neg_vol[2] = {10, -1}, zero_aht[2] = {300, -1};
    const double big_aht[2] = {300, 2e9}, huge_vol[2] = {10, 1e12};
    ck_assert_status(cm_forecast_staffing_plan(iv, nan_vol, aht, 2, &phone, out, &sum), CM_EINVAL);
    ck_assert_status(cm_forecast_staffing_plan(iv, neg_vol, aht, 2, &phone, out, &sum), CM_EINVAL);
    ck_assert_status(cm_forecast_staffing_plan(iv, vol, zero_aht, 2, &phone, out, &sum), CM_EINVAL);
    ck_assert_status(cm_forecast_staffing_plan(iv, vol, big_aht, 2, &phone, out, &sum), CM_ERANGE);
    ck_assert_status(cm_forecast_staffing_plan(iv, huge_vol, aht, 2, &phone, out, &sum), CM_ERANGE);
    ck_assert_status(cm_forecast_staffing_plan(NULL, vol, aht, 2, &phone, out, &sum), CM_EINVAL);
    ck_assert_status(cm_forecast_staffing_plan(iv, vol, aht, 2, NULL, out, &sum), CM_EINVAL);
    ck_assert_status(cm_forecast_staffing_plan(iv, vol, aht, 2, &phone, NULL, &sum), CM_EINVAL);
    memcpy(bad_iv, iv, sizeof bad_iv);
    bad_iv[1].seconds = 0;
    ck_assert_status(cm_forecast_staffing_plan(bad_iv, vol, aht, 2, &phone, out, &sum), CM_EINVAL);
    o = phone;
    o.queue = CM_FORECAST_QUEUE_ERLANG_A;
    o.patience_seconds = 1e7; /* more than 10^4 handle times */
    ck_assert_status(cm_forecast_staffing_plan(iv, vol, aht, 2, &o, out, &sum), CM_ERANGE);
    o = phone;
    o.max_occupancy = 1e-12; /* tens of billions of servers */
    ck_assert_status(cm_forecast_staffing_plan(iv, vol, aht, 2, &o, out, &sum), CM_EOVERFLOW);
    ck_assert_untouched(&out);
    ck_assert_untouched(&sum);
    ck_assert_status(cm_forecast_staffing_plan(NULL, NULL, NULL, 0, &phone, NULL, &sum), CM_OK);
    ck_assert_double_eq(sum.fte, 0.0);
    cm_calendar_free(cal);
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
    tcase_add_test(tc, history_counts);
    tcase_add_test(tc, history_bad_input);
    tcase_add_test(tc, grid_dst);
    tcase_add_test(tc, grid_long_interval);
    tcase_add_test(tc, grid_bad_input);
    tcase_add_test(tc, aht_per_slot);
    suite_add_tcase(s, tc);

    tc = tcase_create("oracle");
    tcase_add_loop_test(tc, hw_matches_statsmodels, 0,
                        (int)(sizeof hw_oracle / sizeof hw_oracle[0]));
    tcase_add_loop_test(tc, taylor_matches_reference, 0,
                        (int)(sizeof taylor_cases / sizeof taylor_cases[0]));
    tcase_add_loop_test(tc, taylor_interval_matches_perturbation, 0,
                        (int)(sizeof taylor_cases / sizeof taylor_cases[0]));
    tcase_add_test(tc, hw_interval_matches_perturbation);
    suite_add_tcase(s, tc);

    tc = tcase_create("methods");
    tcase_add_test(tc, weekly_methods_by_hand);
    tcase_add_test(tc, closed_values_ignored);
    tcase_add_test(tc, hw_profile_spreads_days);
    tcase_add_test(tc, fit_recovers_seasonality);
    tcase_add_loop_test(tc, methods_bad_input, 0, BAD_ROWS);
    tcase_add_test(tc, model_queries);
    suite_add_tcase(s, tc);

    tc = tcase_create("accuracy");
    tcase_add_test(tc, evaluate_by_hand);
    tcase_add_test(tc, backtest_picks_the_best);
    tcase_add_test(tc, backtest_bad_input);
    suite_add_tcase(s, tc);

    tc = tcase_create("staffing");
    tcase_add_test(tc, staffing_seed_examples);
    tcase_add_test(tc, staffing_chat_concurrency);
    tcase_add_test(tc, staffing_erlang_a_and_workload);
    tcase_add_test(tc, staffing_bad_input);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(forecast_suite());
}
