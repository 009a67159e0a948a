/*
 * Interval histories: the intervals of local time of a range of dates, arrival
 * counts per channel and interval, and the regular grid of wall-clock slots
 * the forecasting methods work on. Only the public calendar API is used.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/forecast.h>

#include <math.h>
#include <string.h>

#include "common-internal.h"
#include "forecast-internal.h"

/* ---------------------------------------------------------------------- */
/* Intervals of local time                                                 */
/* ---------------------------------------------------------------------- */

/*
 * The smallest instant v with u < v < limit whose local wall-clock time is a
 * multiple of g seconds, or limit when there is none.
 *
 * Within a stretch of constant UTC offset the instants on the grid are the
 * arithmetic progression v ≡ −offset (mod g). From s = u + 1 take the first
 * one under the offset at s; if the offset at that candidate is still the
 * same, no change of offset lies between them (zones change their offset at
 * most once in a few hours, and g is at most a day: two changes inside one
 * interval that cancel out are not found). Otherwise bisect for the first
 * instant under the new offset and start again from there.
 */
static cm_status next_grid(const cm_tz *tz, cm_time u, int64_t g, cm_time limit, cm_time *out)
{
    cm_time s = u + 1;
    for (int round = 0; round < 16 && s < limit; round++) {
        int32_t off, off_v;
        CM_TRY(cm_tz_utc_offset(tz, s, &off));
        const cm_time v = s + cm__floor_mod(-(s + off), g);
        if (v >= limit)
            break;
        CM_TRY(cm_tz_utc_offset(tz, v, &off_v));
        if (off_v == off) {
            *out = v;
            return CM_OK;
        }
        cm_time lo = s, hi = v; /* offset(lo) == off, offset(hi) != off */
        while (hi - lo > 1) {
            const cm_time mid = lo + (hi - lo) / 2;
            int32_t off_m;
            CM_TRY(cm_tz_utc_offset(tz, mid, &off_m));
            if (off_m == off)
                lo = mid;
            else
                hi = mid;
        }
        s = hi;
        /* The first instant under the new offset may itself be on the grid. */
        int32_t off_s;
        CM_TRY(cm_tz_utc_offset(tz, s, &off_s));
        if (cm__floor_mod(s + off_s, g) == 0) {
            *out = s;
            return CM_OK;
        }
    }
    *out = limit;
    return CM_OK;
}

/* Local midnight of the date `days` days after 1970-01-01, compatible rule. */
static cm_status local_midnight(const cm_tz *tz, int64_t days, cm_time *out)
{
    int64_t y;
    int32_t m, d;
    cm__civil_from_days(days, &y, &m, &d);
    CM_REQUIRE(y >= 1 && y <= 9999, CM_ERANGE);
    const cm_civil c = {(int32_t)y, m, d, 0, 0, 0, 0, 0};
    return cm_tz_from_local(tz, &c, out);
}

/*
 * Walks the intervals of the dates; with out != NULL writes them. Returns
 * the count in *count. Two walks (count, then write) keep the caller's
 * array untouched when it is too small.
 */
static cm_status walk_intervals(const cm_calendar *cal, const cm_tz *tz, int64_t first,
                                uint32_t days, int64_t g, cm_forecast_interval *out, size_t *count)
{
    size_t k = 0;
    cm_time day_start;
    CM_TRY(local_midnight(tz, first, &day_start));
    for (uint32_t d = 0; d < days; d++) {
        cm_time day_end;
        CM_TRY(local_midnight(tz, first + d + 1, &day_end));
        cm_time b = day_start;
        while (b < day_end) {
            cm_time nb = day_end;
            CM_TRY(next_grid(tz, b, g, day_end, &nb));
            if (out != NULL) {
                int32_t off;
                int64_t open;
                CM_TRY(cm_tz_utc_offset(tz, b, &off));
                CM_TRY(cm_calendar_elapsed(cal, b, nb, &open));
                cm_forecast_interval *iv = &out[k];
                iv->start = b;
                iv->seconds = (int32_t)(nb - b);
                iv->open_seconds = (int32_t)open;
                iv->day = d;
                iv->slot = (uint32_t)(cm__floor_mod(b + off, 86400) / g);
            }
            k++;
            b = nb;
        }
        day_start = day_end;
    }
    *count = k;
    return CM_OK;
}

cm_status cm_forecast_intervals(const cm_calendar *cal, int32_t year, int32_t month, int32_t day,
                                uint32_t days, uint32_t interval_minutes, cm_forecast_interval *out,
                                size_t cap, size_t *n)
{
    CM_REQUIRE(cal != NULL && n != NULL && (cap == 0 || out != NULL), CM_EINVAL);
    CM_REQUIRE(interval_minutes > 0 && 1440u % interval_minutes == 0, CM_EINVAL);
    CM_REQUIRE(year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 &&
                   day <= cm__days_in_month(year, month),
               CM_ERANGE);
    const cm_tz *tz;
    CM_TRY(cm_calendar_get_tz(cal, &tz));
    const int64_t first = cm__days_from_civil(year, month, day);
    /* The midnight after the last date must still be a date of year 9999. */
    CM_REQUIRE(first + (int64_t)days <= cm__days_from_civil(9999, 12, 31), CM_ERANGE);
    const int64_t g = (int64_t)interval_minutes * 60;
    size_t count;
    CM_TRY(walk_intervals(cal, tz, first, days, g, NULL, &count));
    if (count > cap) {
        *n = count;
        return CM_ENOSPC;
    }
    if (count > 0)
        CM_TRY(walk_intervals(cal, tz, first, days, g, out, &count));
    *n = count;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Arrival counts                                                          */
/* ---------------------------------------------------------------------- */

static bool intervals_contiguous(const cm_forecast_interval *iv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (iv[i].seconds <= 0)
            return false;
        if (i + 1 < n && iv[i + 1].start != iv[i].start + iv[i].seconds)
            return false;
    }
    return true;
}

/* Index of the interval containing t (iv contiguous, t inside the span). */
static size_t locate(const cm_forecast_interval *iv, size_t n, cm_time t)
{
    size_t lo = 0, hi = n; /* iv[lo].start <= t < iv[hi].start (hi == n: the end) */
    while (hi - lo > 1) {
        const size_t mid = lo + (hi - lo) / 2;
        if (iv[mid].start <= t)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static bool handle_ok(double h)
{
    return (isfinite(h) && h >= 0.0) || h == CM_FORECAST_HANDLE_UNKNOWN;
}

cm_status cm_forecast_history_add(const cm_forecast_interval *iv, size_t n_intervals,
                                  const cm_time *created, const uint32_t *channel,
                                  const double *handle_seconds, size_t n_rows, uint32_t channels,
                                  double *arrivals, double *handle_sum, double *handled,
                                  uint64_t *counted)
{
    CM_REQUIRE(iv != NULL && arrivals != NULL && n_intervals > 0 && channels > 0, CM_EINVAL);
    CM_REQUIRE(n_rows == 0 || created != NULL, CM_EINVAL);
    CM_REQUIRE((handle_sum == NULL) == (handled == NULL), CM_EINVAL);
    CM_REQUIRE(handle_seconds == NULL || handle_sum != NULL, CM_EINVAL);
    size_t cells;
    CM_REQUIRE(!__builtin_mul_overflow((size_t)channels, n_intervals, &cells), CM_EOVERFLOW);
    CM_REQUIRE(intervals_contiguous(iv, n_intervals), CM_EINVAL);
    if (handle_seconds != NULL) {
        for (size_t r = 0; r < n_rows; r++)
            CM_REQUIRE(handle_ok(handle_seconds[r]), CM_EINVAL);
    }
    if (channel != NULL) {
        for (size_t r = 0; r < n_rows; r++)
            CM_REQUIRE(channel[r] < channels, CM_ERANGE);
    }
    const cm_time lo = iv[0].start;
    const cm_time hi = iv[n_intervals - 1].start + iv[n_intervals - 1].seconds;
    uint64_t k = 0;
    for (size_t r = 0; r < n_rows; r++) {
        const cm_time t = created[r];
        if (t < lo || t >= hi)
            continue;
        const size_t c = channel != NULL ? channel[r] : 0;
        const size_t cell = c * n_intervals + locate(iv, n_intervals, t);
        arrivals[cell] += 1.0;
        if (handle_seconds != NULL && handle_seconds[r] >= 0.0) {
            handle_sum[cell] += handle_seconds[r];
            handled[cell] += 1.0;
        }
        k++;
    }
    if (counted != NULL)
        *counted = k;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* The regular grid                                                        */
/* ---------------------------------------------------------------------- */

static cm_status check_grid_intervals(const cm_forecast_interval *iv, size_t n, uint32_t days,
                                      uint32_t slots_per_day, bool ordered)
{
    for (size_t i = 0; i < n; i++) {
        CM_REQUIRE(iv[i].day < days && iv[i].slot < slots_per_day && iv[i].seconds > 0 &&
                       iv[i].open_seconds >= 0 && iv[i].open_seconds <= iv[i].seconds,
                   CM_EINVAL);
        if (ordered && i > 0)
            CM_REQUIRE(iv[i].start > iv[i - 1].start && iv[i].day >= iv[i - 1].day, CM_EINVAL);
    }
    return CM_OK;
}

cm_status cm_forecast_to_grid(const cm_forecast_interval *iv, size_t n_intervals,
                              const double *values, uint32_t days, uint32_t slots_per_day,
                              double *grid, uint8_t *state)
{
    CM_REQUIRE(n_intervals == 0 || iv != NULL, CM_EINVAL);
    CM_REQUIRE(grid == NULL || n_intervals == 0 || values != NULL, CM_EINVAL);
    CM_REQUIRE(cm__fc_slots_ok(slots_per_day), CM_EINVAL);
    size_t cells;
    CM_REQUIRE(!__builtin_mul_overflow((size_t)days, (size_t)slots_per_day, &cells), CM_EOVERFLOW);
    CM_REQUIRE(cells == 0 || grid != NULL || state != NULL, CM_EINVAL);
    CM_TRY(check_grid_intervals(iv, n_intervals, days, slots_per_day, true));
    if (grid != NULL) {
        for (size_t i = 0; i < n_intervals; i++)
            CM_REQUIRE(isfinite(values[i]) && values[i] >= 0.0, CM_EINVAL);
    }
    const double slot_seconds = 86400.0 / (double)slots_per_day;
    for (size_t c = 0; c < cells; c++) {
        if (grid != NULL)
            grid[c] = 0.0;
        if (state != NULL)
            state[c] = CM_FORECAST_MISSING;
    }
    /* A slot usually has one interval. It has two when the clocks fall back;
     * its slot number is then not above the day's highest so far, and the
     * earlier occurrences are found by looking back through the same day. */
    uint32_t day = UINT32_MAX;
    int64_t top = -1;
    for (size_t i = 0; i < n_intervals; i++) {
        if (iv[i].day != day) {
            day = iv[i].day;
            top = -1;
        }
        double v = grid != NULL ? values[i] : 0.0;
        double secs = iv[i].seconds;
        bool open = iv[i].open_seconds > 0;
        if ((int64_t)iv[i].slot <= top) {
            for (size_t j = i; j-- > 0 && iv[j].day == day;) {
                if (iv[j].slot == iv[i].slot) {
                    v += grid != NULL ? values[j] : 0.0;
                    secs += iv[j].seconds;
                    open = open || iv[j].open_seconds > 0;
                }
            }
        } else {
            top = iv[i].slot;
        }
        const size_t c = (size_t)day * slots_per_day + iv[i].slot;
        if (grid != NULL)
            grid[c] = v * slot_seconds / secs;
        if (state != NULL)
            state[c] = open ? CM_FORECAST_OBSERVED : CM_FORECAST_CLOSED;
    }
    return CM_OK;
}

cm_status cm_forecast_from_grid(const cm_forecast_interval *iv, size_t n_intervals,
                                const double *grid, uint32_t days, uint32_t slots_per_day,
                                bool volumes, double *values)
{
    CM_REQUIRE(n_intervals == 0 || (iv != NULL && grid != NULL && values != NULL), CM_EINVAL);
    CM_REQUIRE(cm__fc_slots_ok(slots_per_day), CM_EINVAL);
    CM_TRY(check_grid_intervals(iv, n_intervals, days, slots_per_day, false));
    for (size_t i = 0; i < n_intervals; i++)
        CM_REQUIRE(isfinite(grid[(size_t)iv[i].day * slots_per_day + iv[i].slot]), CM_EINVAL);
    const double slot_seconds = 86400.0 / (double)slots_per_day;
    for (size_t i = 0; i < n_intervals; i++) {
        const double g = grid[(size_t)iv[i].day * slots_per_day + iv[i].slot];
        if (!volumes)
            values[i] = g;
        else
            values[i] = iv[i].open_seconds > 0 ? g * (double)iv[i].seconds / slot_seconds : 0.0;
    }
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Handle times per future slot                                            */
/* ---------------------------------------------------------------------- */

cm_status cm_forecast_aht(const double *handle_sum, const double *handled, const uint8_t *state,
                          size_t n, uint32_t slots_per_day, uint32_t weeks, size_t horizon,
                          double *aht_seconds)
{
    CM_REQUIRE(handle_sum != NULL && handled != NULL && (horizon == 0 || aht_seconds != NULL),
               CM_EINVAL);
    CM_REQUIRE(weeks >= 1 && weeks <= CM_FORECAST_MAX_WEEKS, CM_EINVAL);
    CM_TRY(cm__fc_check_series(handle_sum, state, n, slots_per_day));
    CM_TRY(cm__fc_check_series(handled, state, n, slots_per_day));
    const size_t w = (size_t)7 * slots_per_day;
    CM_REQUIRE(n >= w, CM_ENODATA);
    const size_t span = (n / w < weeks ? n / w : weeks) * w; /* whole weeks looked back */
    double all_sum = 0.0, all_cnt = 0.0;
    for (size_t t = n - span; t < n; t++) {
        if (state == NULL || state[t] == CM_FORECAST_OBSERVED) {
            all_sum += handle_sum[t];
            all_cnt += handled[t];
        }
    }
    CM_REQUIRE(isfinite(all_sum), CM_EOVERFLOW);
    CM_REQUIRE(all_cnt > 0.0, CM_ENODATA);
    const double overall = all_sum / all_cnt;
    for (size_t k = 0; k < horizon; k++) {
        /* The history slot with the same weekday and slot, the latest one. */
        const size_t phase = (n + k) % w;
        const size_t last = n - w + (phase + w - n % w) % w;
        double s = 0.0, c = 0.0;
        for (size_t t = last + w; t >= n - span + w; t -= w) {
            const size_t j = t - w;
            if (state == NULL || state[j] == CM_FORECAST_OBSERVED) {
                s += handle_sum[j];
                c += handled[j];
            }
        }
        aht_seconds[k] = c > 0.0 ? s / c : overall;
    }
    return CM_OK;
}
