/*
 * Business time and local time for the ticket-table engine, memoised per
 * UTC day.
 *
 * A report measures millions of durations against a few hundred distinct
 * days. For each UTC day it meets, a clock asks the calendar once for the
 * business seconds from a fixed anchor to the day's start and for the day's
 * open periods (at most two; a day with more is left to the calendar). The
 * business seconds before an instant t of that day are then
 *
 *     B(t) = cum(day) + sum over the day's periods of clamp(t - start, 0, length)
 *
 * and the business time of [a, b) is B(b) - B(a): business time is additive
 * (the seconds of [a, b) inside periods plus those of [b, c) are those of
 * [a, c)), so these differences are exactly cm_calendar_elapsed(a, b). Days
 * the memo does not cover, and days whose periods it could not hold or whose
 * total disagrees with the calendar's, are asked of the calendar directly.
 * Because of that additivity, cum(day) is measured from the day filled last
 * (tickets come roughly in order: a span of a day or so) rather than from
 * the anchor, a window's width of years away.
 *
 * The zone memo does the same for UTC offsets: the offset at each hour of a
 * day, and the second of the day where it changes, found by bisection.
 * SPDX-License-Identifier: MIT
 */
#include "table-clock.h"

#include <string.h>

#define DAY 86400

/* Days since 0001-01-01, the first day of the calendars' years (t within them). */
static int64_t day_of(cm_time t)
{
    return (int64_t)((uint64_t)(t - CM_CALENDAR_TIME_MIN) / DAY);
}

static cm_time day_start(int64_t day)
{
    return CM_CALENDAR_TIME_MIN + day * DAY;
}

/* The window of days is placed around the first day asked for, inside the calendars' years. */
static int64_t place_window(int64_t day)
{
    const int64_t hi = day_of(CM_CALENDAR_TIME_MAX) - TBL_DAYS + 1;
    int64_t first = day - TBL_DAYS / 2;
    if (first < 0)
        first = 0;
    if (first > hi)
        first = hi;
    return first;
}

void cm__clock_init(tbl_clock *c, const cm_calendar *cal, tbl_bday *days)
{
    c->cal = cal;
    c->first_day = 0;
    c->placed = false;
    c->has_ref = false;
    c->ref_day = 0;
    c->ref_cum = 0;
    c->days = days;
    memset(days, 0, TBL_DAYS * sizeof *days);
}

static cm_time anchor(const tbl_clock *c)
{
    return day_start(c->first_day);
}

/*
 * Business seconds from the anchor to t, asked of the calendar. Business time
 * is additive, so they are measured from the day filled last, whose seconds
 * from the anchor are known: a span of days instead of years.
 */
static int64_t ask_calendar(const tbl_clock *c, cm_time t)
{
    const cm_time from = c->has_ref ? day_start(c->ref_day) : anchor(c);
    int64_t v = 0;
    if (cm_calendar_elapsed(c->cal, from, t, &v) != CM_OK)
        return 0; /* not reached: instants are checked to lie in the calendars' years */
    return c->has_ref ? c->ref_cum + v : v;
}

static void fill_day(tbl_clock *c, tbl_bday *d, int64_t day)
{
    const cm_time start = day_start(day);
    const cm_time end = start + DAY;
    d->state = 2;
    int64_t total = 0;
    d->cum = ask_calendar(c, start);
    c->has_ref = true;
    c->ref_day = day;
    c->ref_cum = d->cum;
    if (cm_calendar_elapsed(c->cal, start, end, &total) != CM_OK)
        return;
    int32_t s[3] = {0, 0, 0}, l[3] = {0, 0, 0};
    int n = 0;
    cm_time t = start;
    while (t < end) {
        cm_time open, close;
        if (cm_calendar_next_open(c->cal, t, &open) != CM_OK || open >= end)
            break;
        if (n == 2)
            return; /* a third period: leave the day to the calendar */
        if (cm_calendar_next_close(c->cal, open, &close) != CM_OK || close > end)
            close = end;
        s[n] = (int32_t)(open - start);
        l[n] = (int32_t)(close - open);
        n++;
        t = close;
    }
    if ((int64_t)l[0] + l[1] != total)
        return; /* the periods must account for the day's business time */
    d->s1 = s[0];
    d->l1 = l[0];
    d->s2 = s[1];
    d->l2 = l[1];
    d->state = n == 2 ? 3 : 1;
}

int64_t cm__clock_business_slow(tbl_clock *c, cm_time t)
{
    const int64_t day = day_of(t);
    if (!c->placed) {
        c->first_day = place_window(day);
        c->placed = true;
    }
    const uint64_t i = (uint64_t)(day - c->first_day);
    if (i >= TBL_DAYS)
        return ask_calendar(c, t);
    tbl_bday *d = &c->days[i];
    if (d->state == 0)
        fill_day(c, d, day);
    if (d->state == 2)
        return ask_calendar(c, t);
    const int64_t x = t - day_start(day);
    return d->cum + cm__clamp_period(x - d->s1, d->l1) + cm__clamp_period(x - d->s2, d->l2);
}

cm_time cm__clock_breach(const tbl_clock *c, cm_time from, int64_t target)
{
    /* add() gives the earliest instant with `target` business seconds; the clock
     * only exceeds the target once it runs again, at the next opening. */
    cm_time due, open;
    if (cm_calendar_add(c->cal, from, target, &due) != CM_OK)
        return CM_CALENDAR_TIME_MAX; /* never within the calendars' years */
    if (cm_calendar_next_open(c->cal, due, &open) != CM_OK)
        return CM_CALENDAR_TIME_MAX;
    return open;
}

/* ---- local time --------------------------------------------------------- */

void cm__zone_init(tbl_zone *z, const cm_tz *tz, tbl_tzday *days)
{
    z->tz = tz;
    z->first_day = 0;
    z->placed = false;
    z->days = days;
    memset(days, 0, TBL_DAYS * sizeof *days);
}

static int32_t ask_zone(const tbl_zone *z, cm_time t)
{
    int32_t off = 0;
    if (z->tz == NULL || cm_tz_utc_offset(z->tz, t, &off) != CM_OK)
        return 0;
    return off;
}

static void fill_tzday(const tbl_zone *z, tbl_tzday *d, int64_t day)
{
    const cm_time start = day_start(day);
    int32_t prev = ask_zone(z, start);
    int changes = 0;
    cm_time lo = 0;
    int32_t after = prev;
    for (int h = 1; h <= 24; h++) {
        const cm_time t = h < 24 ? start + 3600 * h : start + DAY - 1;
        const int32_t off = ask_zone(z, t);
        if (off != prev) {
            changes++;
            lo = t - (h < 24 ? 3600 : 3599);
            after = off;
        }
        prev = off;
    }
    d->off0 = ask_zone(z, start);
    d->off1 = after;
    d->trans = DAY;
    d->state = 1;
    if (changes == 0)
        return;
    if (changes > 1) {
        d->state = 2;
        return;
    }
    /* The offset is off0 at lo and off1 an hour (or less) later: bisect for the change. */
    cm_time hi = lo + 3600 < start + DAY - 1 ? lo + 3600 : start + DAY - 1;
    while (hi - lo > 1) {
        const cm_time mid = lo + (hi - lo) / 2;
        if (ask_zone(z, mid) == d->off0)
            lo = mid;
        else
            hi = mid;
    }
    d->trans = (int32_t)(hi - start);
}

int32_t cm__zone_offset(tbl_zone *z, cm_time t)
{
    if (z->tz == NULL)
        return 0;
    const int64_t day = day_of(t);
    if (!z->placed) {
        z->first_day = place_window(day);
        z->placed = true;
    }
    const uint64_t i = (uint64_t)(day - z->first_day);
    if (i >= TBL_DAYS)
        return ask_zone(z, t);
    tbl_tzday *d = &z->days[i];
    if (d->state == 0)
        fill_tzday(z, d, day);
    if (d->state != 1)
        return ask_zone(z, t);
    return t - day_start(day) < d->trans ? d->off0 : d->off1;
}
