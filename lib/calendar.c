/*
 * Business calendars: the business-time operations. Semantics:
 * docs/calendar.md; the calendar's parts are built in calendar-build.c.
 *
 * Everything derives from one definition of the open periods. For a local
 * date D, let own(D) be its intervals (special hours, none for a holiday,
 * else the weekly ones of its weekday) and spill(D) the part of own(D-1) past
 * midnight (none when D-1 is a holiday). The periods of D are the union of
 * spill(D) and own(D), each end converted to an instant with the compatible
 * rule, clipped to D's chunk [bound(D), bound(D+1)), and nothing at all when
 * D is a holiday. Chunks tile the time line, so the periods of all dates are
 * disjoint and sorted; touching ones are one period.
 *
 * The calendar keeps no periods. It walks the time line in pieces:
 *  - a plain run: consecutive dates whose conversions all fall where the
 *    zone's offset is one constant. There every conversion is a shift, so the
 *    periods are the local intervals of the dates moved by the offset, and
 *    open time is a difference of a cumulative function of local time: whole
 *    weeks of the weekly pattern, the pattern's cumulative seconds within the
 *    week, and corrections for the few dates that dated entries or yearly
 *    rules change (found by binary search). A run lasts from one offset
 *    change of the zone to the next, a few days short of each;
 *  - at the usual offset change, which moves no edge of the periods (the
 *    local hour it skips or repeats holds no midnight and no edge of the
 *    local hours), nothing else: a plain run reaches to the instant of the
 *    change and the next one starts there;
 *  - at any other change, single dates whose periods are converted one by
 *    one as defined above;
 *  - for calendars open all day (or never) on every date without a dated
 *    entry, a run up to the next dated entry, whose chunks are all open (or
 *    all closed) whatever the offsets.
 * So an operation costs a few searches per offset change and per changed date
 * in its span, in any year, and never allocates.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/calendar.h>

#include <string.h>

#include "calendar-internal.h"
#include "common-internal.h"

#define DAY  CM__DAY
#define WEEK CM__WEEK
#define MAXI CM_CALENDAR_MAX_DAY_INTERVALS

#define T_MIN CM_CALENDAR_TIME_MIN
#define T_MAX CM_CALENDAR_TIME_MAX

/* Local time of the Monday that starts the pattern's week 0: 1970-01-05T00:00. */
#define MON0 (4 * (int64_t)DAY)

typedef cm__ival ival;
typedef cm__kind kind;

typedef struct span {
    int64_t s, e; /* [s, e) in instants */
} span;

static bool time_ok(cm_time t)
{
    return (uint64_t)t - (uint64_t)T_MIN <= (uint64_t)T_MAX - (uint64_t)T_MIN;
}

static int64_t ceil_div(int64_t a, int64_t b)
{
    return -cm__floor_div(-a, b);
}

/*
 * Dates just outside the accepted instants, where searches give up: 0000-12-29
 * (every chunk from here on starts before T_MIN) and 10000-01-03 (its chunk
 * starts after T_MAX), as day numbers since 1970-01-01.
 */
static inline int64_t date_first(void)
{
    return -719165;
}

static inline int64_t date_end(void)
{
    return 2932899;
}

/* ---------------------------------------------------------------------- */
/* Kinds of day                                                           */
/* ---------------------------------------------------------------------- */

/* Index of the first element of a[0..n) that is >= d (without branches to mispredict). */
static inline uint32_t lower_bound(const int32_t *a, uint32_t n, int64_t d)
{
    if (n == 0)
        return 0;
    const int32_t *base = a;
    while (n > 1) {
        const uint32_t half = n / 2;
        base += (size_t)(base[half - 1] < d) * half; /* arithmetic, not a jump */
        n -= half;
    }
    return (uint32_t)(base - a) + (*base < d);
}

/* First dated entry at or after day d (INT64_MAX when none). */
static int64_t dated_ge(const cm_calendar *c, int64_t d)
{
    const uint32_t i = lower_bound(c->dated_day, c->ndated, d);
    return i < c->ndated ? c->dated_day[i] : INT64_MAX;
}

/* Last dated entry at or before day d (INT64_MIN when none). */
static int64_t dated_le(const cm_calendar *c, int64_t d)
{
    const uint32_t i = lower_bound(c->dated_day, c->ndated, d + 1);
    return i > 0 ? c->dated_day[i - 1] : INT64_MIN;
}

/* A date's year, day of the year (0-based), 1 January, length and type (see year_hits). */
typedef struct yinfo {
    int64_t year, jan1;
    int32_t month, mday, doy, len;
    int type;
} yinfo;

static bool leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static void year_info(int64_t d, yinfo *yi)
{
    static const int32_t before[13] = {0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    cm__civil_from_days(d, &yi->year, &yi->month, &yi->mday);
    const bool lp = leap(yi->year);
    yi->doy = before[yi->month] + yi->mday - 1 + (lp && yi->month > 2 ? 1 : 0);
    yi->jan1 = d - yi->doy;
    yi->len = lp ? 366 : 365;
    yi->type = (lp ? 7 : 0) + cm__weekday(yi->jan1) - 1;
}

static void next_year(yinfo *yi)
{
    yi->jan1 += yi->len;
    yi->year++;
    const bool lp = leap(yi->year);
    yi->len = lp ? 366 : 365;
    yi->type = (lp ? 7 : 0) + cm__weekday(yi->jan1) - 1;
}

static void prev_year(yinfo *yi)
{
    yi->year--;
    const bool lp = leap(yi->year);
    yi->len = lp ? 366 : 365;
    yi->jan1 -= yi->len;
    yi->type = (lp ? 7 : 0) + cm__weekday(yi->jan1) - 1;
}

/* The date of rule r in a year, when it has one that year (years, interval, exceptions). */
static bool rule_on(const cm_calendar *c, const cm__rule *r, int64_t year, int64_t *out)
{
    if (year < r->first || year > r->last || (year - r->first) % r->interval != 0)
        return false;
    const uint32_t i = lower_bound(c->except + r->eoff, r->nexcept, year);
    if (i < r->nexcept && c->except[r->eoff + i] == year)
        return false;
    return cm__rule_date(r->month, r->day, r->wday, r->nth, year, out);
}

/* Whether a rule may fall on (or close) day doy of a year of this type. */
static bool hit(const cm_calendar *c, int type, int32_t doy)
{
    const uint16_t *h = c->hits + c->hit_at[type];
    uint32_t lo = 0, hi = c->hit_at[type + 1] - c->hit_at[type];
    while (lo < hi) {
        const uint32_t mid = lo + (hi - lo) / 2;
        if (h[mid] < doy)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->hit_at[type + 1] - c->hit_at[type] && h[lo] == doy;
}

/*
 * The kind a yearly rule gives date d, if any: a closing (the rule's own
 * date, or the observed Friday before a Saturday or Monday after a Sunday)
 * wins, else the hours of the first rule that falls on d.
 */
static bool rule_kind(const cm_calendar *c, int64_t d, kind *out)
{
    if (c->nrules == 0)
        return false;
    yinfo yi;
    year_info(d, &yi);
    if (!hit(c, yi.type, yi.doy))
        return false;
    const int32_t wd = cm__weekday(d);
    /* The weekend date d would be the observed weekday of. */
    int64_t o_year = 0;
    int32_t o_month = 0, o_mday;
    const int64_t o = wd == 5 ? d + 1 : wd == 1 ? d - 1 : d;
    if (o != d)
        cm__civil_from_days(o, &o_year, &o_month, &o_mday);
    bool closed = false;
    const kind *hours = NULL;
    for (uint32_t i = 0; i < c->nrules && !closed; i++) {
        const cm__rule *r = &c->rules[i];
        int64_t x;
        if (r->month == yi.month && rule_on(c, r, yi.year, &x) && x == d) {
            if (r->k.closed)
                closed = true;
            else if (hours == NULL)
                hours = &r->k;
        }
        if (r->observed && r->month == o_month && rule_on(c, r, o_year, &x) && x == o)
            closed = true;
    }
    if (closed) {
        *out = (kind){0, 0, true};
        return true;
    }
    if (hours != NULL) {
        *out = *hours;
        return true;
    }
    return false;
}

cm__kind cm__kind_of(const cm_calendar *c, int64_t d)
{
    if (c->ndated > 0) {
        const uint32_t i = lower_bound(c->dated_day, c->ndated, d);
        if (i < c->ndated && c->dated_day[i] == d)
            return c->dated_kind[i];
    }
    kind k;
    if (rule_kind(c, d, &k))
        return k;
    return c->weekly[cm__weekday(d) - 1];
}

/* First day >= d that a rule may fall on or close (INT64_MAX when none). */
static int64_t rule_hit_ge(const cm_calendar *c, int64_t d)
{
    if (c->nrules == 0)
        return INT64_MAX;
    yinfo yi;
    year_info(d, &yi);
    int32_t doy = yi.doy;
    /* All 14 types of year occur within 28 years: past that, no rule has a date. */
    for (int k = 0; k < 30 && yi.jan1 < date_end(); k++) {
        const uint16_t *h = c->hits + c->hit_at[yi.type];
        const uint32_t n = c->hit_at[yi.type + 1] - c->hit_at[yi.type];
        uint32_t lo = 0, hi = n;
        while (lo < hi) {
            const uint32_t mid = lo + (hi - lo) / 2;
            if (h[mid] < doy)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < n)
            return yi.jan1 + h[lo];
        next_year(&yi);
        doy = 0;
    }
    return INT64_MAX;
}

/* Last day <= d that a rule may fall on or close (INT64_MIN when none). */
static int64_t rule_hit_le(const cm_calendar *c, int64_t d)
{
    if (c->nrules == 0)
        return INT64_MIN;
    yinfo yi;
    year_info(d, &yi);
    int32_t doy = yi.doy;
    for (int k = 0; k < 30 && yi.jan1 + yi.len > date_first(); k++) {
        const uint16_t *h = c->hits + c->hit_at[yi.type];
        const uint32_t n = c->hit_at[yi.type + 1] - c->hit_at[yi.type];
        uint32_t lo = 0, hi = n;
        while (lo < hi) {
            const uint32_t mid = lo + (hi - lo) / 2;
            if (h[mid] <= doy)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo > 0)
            return yi.jan1 + h[lo - 1];
        prev_year(&yi);
        doy = yi.len - 1;
    }
    return INT64_MIN;
}

/* Index of the first date of c->aff that is >= d, through the day or bucket index. */
static inline uint32_t aff_lower_bound(const cm_calendar *c, int64_t d)
{
    if (c->naff == 0 || d <= c->aff[0])
        return 0;
    if (d > c->aff[c->naff - 1])
        return c->naff;
    if (c->aff_dense != NULL) /* aff[0] < d <= the last: inside the day index */
        return c->aff_dense[d - c->aff[0]] >> 1;
    uint32_t i = c->aff_idx[(d - c->aff[0]) >> c->aff_shift];
    while (c->aff[i] < d) /* stops at the last date at the latest */
        i++;
    return i;
}

/*
 * Dates whose local hours may differ from the weekly pattern: a dated entry
 * or a rule changes the date itself and, through the overnight spill, the
 * next. The first such date >= d (INT64_MAX when none).
 */
static int64_t affected_ge(const cm_calendar *c, int64_t d)
{
    const uint32_t i = aff_lower_bound(c, d);
    int64_t a = i < c->naff ? c->aff[i] : INT64_MAX;
    if (c->nrules > 0 && a > d) {
        const int64_t h = rule_hit_ge(c, d - 1);
        const int64_t r = h == d - 1 ? d : h;
        a = r < a ? r : a;
    }
    return a;
}

/* The last such date <= d (INT64_MIN when none). */
static int64_t affected_le(const cm_calendar *c, int64_t d)
{
    const uint32_t i = aff_lower_bound(c, d + 1);
    int64_t a = i > 0 ? c->aff[i - 1] : INT64_MIN;
    if (c->nrules > 0 && a < d) {
        const int64_t h = rule_hit_le(c, d);
        const int64_t r = h == INT64_MIN ? INT64_MIN : h == d ? d : h + 1;
        a = r > a ? r : a;
    }
    return a;
}

/* ---------------------------------------------------------------------- */
/* Local hours of a date                                                  */
/* ---------------------------------------------------------------------- */

/* Seconds of D's own hours that spill past midnight into D+1, for D of kind kp. */
static int32_t spill_of(const cm_calendar *c, kind kp)
{
    if (kp.closed || kp.n == 0)
        return 0;
    const int32_t e = c->ivals[kp.off + kp.n - 1].e; /* merged: the last ends latest */
    return e > DAY ? e - DAY : 0;
}

/*
 * The open intervals of local date d on its own clock, within [0, DAY):
 * the spill from d-1 and d's own hours, merged. Returns their number.
 */
static int local_day(const cm_calendar *c, int64_t d, ival *out)
{
    const kind k = cm__kind_of(c, d);
    if (k.closed)
        return 0;
    const int32_t spill = spill_of(c, cm__kind_of(c, d - 1));
    int n = 0;
    if (spill > 0)
        out[n++] = (ival){0, spill};
    const ival *own = c->ivals + k.off;
    for (uint32_t i = 0; i < k.n; i++) {
        const int32_t s = own[i].s, e = own[i].e < DAY ? own[i].e : DAY;
        if (n > 0 && s <= out[n - 1].e) {
            if (e > out[n - 1].e)
                out[n - 1].e = e;
        } else {
            out[n++] = (ival){s, e};
        }
    }
    return n;
}

/* Open seconds of [u, v) (0 <= u <= v <= DAY) among a date's local intervals. */
static int64_t local_overlap(const ival *iv, int n, int64_t u, int64_t v)
{
    int64_t sum = 0;
    for (int i = 0; i < n; i++) {
        const int64_t s = iv[i].s > u ? iv[i].s : u, e = iv[i].e < v ? iv[i].e : v;
        if (e > s)
            sum += e - s;
    }
    return sum;
}

/* ---------------------------------------------------------------------- */
/* The weekly pattern on local time                                       */
/* ---------------------------------------------------------------------- */

/* First pattern interval ending after r (0 <= r < WEEK); nwk when none. */
static inline uint32_t pat_find(const cm_calendar *c, int32_t r)
{
    uint32_t i = c->wk_first[r / DAY];
    while (i < c->nwk && c->wk[i].e <= r)
        i++;
    return i;
}

/* Open seconds of the weekly pattern from the start of the week to r (0 <= r < WEEK). */
static inline int64_t pat_week(const cm_calendar *c, int32_t r)
{
    const uint32_t i = pat_find(c, r);
    return i == c->nwk ? c->week_open : c->wk[i].cum + (r > c->wk[i].s ? r - c->wk[i].s : 0);
}

/* Open seconds of the weekly pattern from the start of the week to r (0 <= r < WEEK), by the hour. */
static inline int64_t pat_hour(const cm_calendar *c, int32_t r)
{
    /* The hour's entry: open seconds before it, times 4, plus 1 when the
     * whole hour is open, 0 when it is closed, 2 when it is mixed. */
    const int32_t h = (int32_t)((uint32_t)r / 3600), e = c->hours[h], state = e & 3;
    return state == 2 ? pat_week(c, r) : (e >> 2) + (int64_t)state * (r - h * 3600);
}

/*
 * A Monday long before the accepted range (in the year -138), LWEEKS weeks
 * before MON0, and the span of local times after it that lsplit() takes:
 * every local time of an accepted instant, give or take centuries.
 */
#define LWEEKS 110000
#define LBASE  (MON0 - LWEEKS * (int64_t)WEEK)
#define LSPAN  (INT64_C(1) << 39)

/* Local time L cut at the pattern's weeks and at midnights. */
typedef struct lsplit {
    int64_t w; /* week since MON0's */
    int64_t d; /* date: days since 1970-01-01 */
    int32_t r; /* seconds into the week */
} lsplit;

/* lsplit of a local time in [LBASE, LBASE + LSPAN): unsigned divisions by constants. */
static inline lsplit lsplit_of(int64_t L)
{
    const uint64_t u = (uint64_t)(L - LBASE);
    const uint64_t w = u / WEEK;
    lsplit s;
    s.r = (int32_t)(u - w * WEEK);
    s.w = (int64_t)w - LWEEKS;
    s.d = s.w * 7 + (int32_t)((uint32_t)s.r / DAY) + MON0 / DAY;
    return s;
}

/* Open seconds of the weekly pattern from the start of week 0 to local L. */
static inline int64_t pat_cum(const cm_calendar *c, int64_t L)
{
    if ((uint64_t)(L - LBASE) < (uint64_t)LSPAN) {
        const lsplit s = lsplit_of(L);
        return s.w * c->week_open + pat_hour(c, s.r);
    }
    const int64_t u = L - MON0;
    const int64_t w = cm__floor_div(u, WEEK);
    return w * c->week_open + pat_hour(c, (int32_t)(u - w * WEEK));
}

/* Earliest local L with pat_cum(L) == w * week_open + q (week_open > 0). */
static int64_t pat_inv_fwd_at(const cm_calendar *c, int64_t w, int64_t q)
{
    const int64_t wo = c->week_open;
    if (q > 0 && q <= 4 * wo) {
        /* A few weeks on, the common case: no division. */
        const int64_t k = (q > wo) + (q > 2 * wo) + (q > 3 * wo);
        w += k;
        q -= k * wo;
    } else {
        const int64_t k = ceil_div(q, wo) - 1;
        w += k;
        q -= k * wo;
    }
    /* The first interval with cum + length >= q, from q's hour of open time. */
    const uint32_t j = (uint32_t)(q - 1) / 3600;
    if (c->open_shift[j] != INT32_MIN)
        return MON0 + w * WEEK + q + c->open_shift[j]; /* one interval holds the hour */
    uint32_t i = c->open_hours[j];
    while (c->wk[i].cum + (c->wk[i].e - c->wk[i].s) < q)
        i++;
    return MON0 + w * WEEK + c->wk[i].s + (q - c->wk[i].cum);
}

/* Earliest local L with pat_cum(L) == v (week_open > 0). */
static int64_t pat_inv_fwd(const cm_calendar *c, int64_t v)
{
    return pat_inv_fwd_at(c, 0, v);
}

/* Latest local L with pat_cum(L) == v (week_open > 0). */
static int64_t pat_inv_bwd(const cm_calendar *c, int64_t v)
{
    const int64_t w = cm__floor_div(v, c->week_open);
    const int64_t rem = v - w * c->week_open; /* 0 .. week_open - 1 */
    uint32_t lo = 0, hi = c->nwk - 1;         /* last i with cum <= rem */
    if (hi <= 32) {
        for (uint32_t i = 1; i <= hi; i++)
            lo += c->wk[i].cum <= rem;
        hi = lo;
    }
    while (lo < hi) {
        const uint32_t mid = lo + (hi - lo + 1) / 2;
        if (c->wk[mid].cum <= rem)
            lo = mid;
        else
            hi = mid - 1;
    }
    return MON0 + w * WEEK + c->wk[lo].s + (rem - c->wk[lo].cum);
}

/* The first pattern interval ending after local L (nwk > 0). */
static void pat_next(const cm_calendar *c, int64_t L, int64_t *s, int64_t *e)
{
    const int64_t u = L - MON0;
    int64_t w = cm__floor_div(u, WEEK);
    uint32_t i = pat_find(c, (int32_t)(u - w * WEEK));
    if (i == c->nwk) {
        w++;
        i = 0;
    }
    *s = MON0 + w * WEEK + c->wk[i].s;
    *e = MON0 + w * WEEK + c->wk[i].e;
}

/* ---------------------------------------------------------------------- */
/* Local time in a plain run                                              */
/* ---------------------------------------------------------------------- */

/*
 * In a plain run the periods are the dates' local intervals shifted by one
 * offset, so these work on local time: [Lx, Ly) within the run. Dates that
 * dated entries or rules do not change follow the weekly pattern; the
 * others are read from their own local intervals.
 */

/* Local day of local time L. */
static inline int64_t day_of_local(int64_t L)
{
    return cm__floor_div(L, DAY);
}

/* What changed date a adds to the weekly pattern's open seconds of [u, v), within a. */
static int64_t local_change(const cm_calendar *c, int64_t a, int64_t u, int64_t v)
{
    ival iv[MAXI + 1];
    const int64_t base = a * DAY;
    const int n = local_day(c, a, iv);
    int64_t sum = local_overlap(iv, n, u - base, v - base);
    if (c->week_open > 0)
        sum -= pat_cum(c, v) - pat_cum(c, u);
    return sum;
}

/* Whether local date d has exactly the weekly pattern's intervals (a date after a holiday, say). */
static bool like_pattern(const cm_calendar *c, int64_t d)
{
    ival iv[MAXI + 1];
    const int n = local_day(c, d, iv);
    const int32_t w0 = (int32_t)cm__floor_mod(d - MON0 / DAY, 7) * DAY; /* d's day of the circle */
    int m = 0;
    for (uint32_t i = 0; i < c->nwk; i++) {
        const int32_t s = c->wk[i].s > w0 ? c->wk[i].s : w0;
        const int32_t e = c->wk[i].e < w0 + DAY ? c->wk[i].e : w0 + DAY;
        if (e <= s)
            continue;
        if (m >= n || iv[m].s != s - w0 || iv[m].e != e - w0)
            return false;
        m++;
    }
    return m == n;
}

void cm__calendar_fill_index(cm_calendar *c)
{
    /* The pattern's open seconds before each hour, in one sweep of its intervals. */
    int64_t before = 0;
    uint32_t at = 0; /* the first interval ending after the hour's end */
    for (int32_t h = 0; h < 168; h++) {
        const int32_t r = (h + 1) * 3600;
        while (at < c->nwk && c->wk[at].e <= r)
            at++;
        const int64_t next =
            at == c->nwk ? c->week_open : c->wk[at].cum + (r > c->wk[at].s ? r - c->wk[at].s : 0);
        const int32_t state = next - before == 3600 ? 1 : next == before ? 0 : 2;
        c->hours[h] = (int32_t)before * 4 + state;
        before = next;
    }
    uint32_t first = 0; /* of the intervals ending in or after open hour j */
    for (int32_t j = 0; (int64_t)j * 3600 < c->week_open; j++) {
        while (c->wk[first].cum + (c->wk[first].e - c->wk[first].s) < j * 3600 + 1)
            first++;
        c->open_hours[j] = (uint16_t)first;
        const cm__wk *w = &c->wk[first];
        c->open_shift[j] = w->cum <= j * 3600 && w->cum + (w->e - w->s) >= (j + 1) * 3600
                               ? w->s - w->cum
                               : INT32_MIN;
    }
    c->aff_sum[0] = 0;
    if (c->nrules > 0) {
        c->aff_cum = NULL;
        return;
    }
    for (uint32_t i = 0; i < c->naff; i++) {
        const int64_t base = (int64_t)c->aff[i] * DAY;
        c->aff_sum[i + 1] = c->aff_sum[i] + local_change(c, c->aff[i], base, base + DAY);
        /* The day index marks only the dates that change anything. */
        if (c->aff_dense != NULL && like_pattern(c, c->aff[i]))
            c->aff_dense[c->aff[i] - c->aff[0]] &= (uint16_t)~1u;
    }
    /* |aff_sum| is at most a day per changed date: twice it fits in 32 bits
     * for the days the index spans. */
    for (uint32_t i = 0; c->aff_dense != NULL && i < c->aff_ndense; i++) {
        const uint32_t v = c->aff_dense[i];
        c->aff_cum[i] = (int32_t)(2 * c->aff_sum[v >> 1] + (v & 1u));
    }
}

/*
 * Twice what the changed dates before date d add to the pattern, plus 1 when
 * d is one whose hours differ from it (rules aside, naff > 0): from the day
 * index's running sums when it has them.
 */
static inline int64_t aff_cum_at(const cm_calendar *c, int64_t d)
{
    const uint64_t i = (uint64_t)(d - c->aff_dense_first);
    if (i < c->aff_ndense)
        return c->aff_cum[i];
    return d < c->aff_dense_first ? 0 : 2 * c->aff_sum[c->naff];
}

/*
 * The number of changed dates before date d (naff > 0), and whether d is one
 * that may differ from the pattern: through the day index when there is one
 * (which leaves out the dates equal to the pattern), else a search.
 */
static inline uint32_t aff_at(const cm_calendar *c, int64_t d, bool *is)
{
    const uint64_t i = (uint64_t)(d - c->aff_dense_first);
    if (i < c->aff_ndense) {
        const uint32_t v = c->aff_dense[i];
        *is = (v & 1u) != 0;
        return v >> 1;
    }
    const uint32_t k = aff_lower_bound(c, d);
    *is = k < c->naff && c->aff[k] == d;
    return k;
}

/*
 * What changed date d, c->aff[k], adds to the weekly pattern's open seconds
 * from its midnight to local L within it (rules aside). A date with no open
 * seconds at all, a holiday, takes away the pattern's.
 */
static int64_t day_change(const cm_calendar *c, int64_t d, uint32_t k, int64_t L)
{
    const int64_t base = d * DAY, p0 = pat_cum(c, base);
    if (pat_cum(c, base + DAY) - p0 + c->aff_sum[k + 1] - c->aff_sum[k] == 0)
        return p0 - pat_cum(c, L);
    return local_change(c, d, base, L);
}

/*
 * What the changed dates of Lx and Ly (dx and dy, when ix and iy say they are
 * ones) add to the open seconds of [Lx, Ly) beyond their whole-day sums: the
 * rare part of local_open.
 */
static CM__NOINLINE int64_t local_open_edges(const cm_calendar *c, int64_t Lx, int64_t Ly,
                                             int64_t dx, int64_t dy, bool ix, bool iy)
{
    bool is;
    const uint32_t kx = aff_at(c, dx, &is), ky = aff_at(c, dy, &is);
    int64_t sum = 0;
    if (ix && Lx > dx * DAY)
        sum -= day_change(c, dx, kx, Lx);
    if (iy && Ly > dy * DAY)
        sum += day_change(c, dy, ky, Ly);
    return sum;
}

/* Open local seconds of [Lx, Ly), Lx <= Ly, date by date where rules or changed dates apply. */
static CM__NOINLINE int64_t local_open_dates(const cm_calendar *c, int64_t Lx, int64_t Ly)
{
    int64_t sum = c->week_open > 0 ? pat_cum(c, Ly) - pat_cum(c, Lx) : 0;
    const int64_t first = day_of_local(Lx), last = day_of_local(Ly - 1);
    for (int64_t a = affected_ge(c, first); a <= last; a = affected_ge(c, a + 1)) {
        const int64_t base = a * DAY;
        const int64_t u = Lx > base ? Lx : base, v = Ly < base + DAY ? Ly : base + DAY;
        sum += local_change(c, a, u, v);
    }
    return sum;
}

/*
 * Open local seconds of [Lx, Ly), Lx <= Ly: local times of accepted instants
 * (within a day of them), which lsplit_of() takes. Out of line: the common
 * paths that call it stay small enough to keep their registers.
 */
static CM__NOINLINE int64_t local_open(const cm_calendar *c, int64_t Lx, int64_t Ly)
{
    if (c->nrules > 0)
        return local_open_dates(c, Lx, Ly);
    const lsplit a = lsplit_of(Lx), b = lsplit_of(Ly);
    int64_t sum = (b.w - a.w) * c->week_open + pat_hour(c, b.r) - pat_hour(c, a.r);
    if (c->naff == 0)
        return sum; /* the weekly pattern alone */
    /* The open seconds up to local L are the pattern's, plus what the changed
     * dates before L's date add whole, plus what L's date adds up to L when it
     * is one: the difference of those at Ly and Lx. */
    if (c->aff_cum != NULL) {
        /* Without branches, from the day index's running sums. */
        const int64_t vx = aff_cum_at(c, a.d), vy = aff_cum_at(c, b.d);
        sum += (vy - (vy & 1)) / 2 - (vx - (vx & 1)) / 2;
        if ((vx | vy) & 1)
            sum += local_open_edges(c, Lx, Ly, a.d, b.d, vx & 1, vy & 1);
        return sum;
    }
    bool ix, iy;
    const uint32_t kx = aff_at(c, a.d, &ix), ky = aff_at(c, b.d, &iy);
    sum += c->aff_sum[ky] - c->aff_sum[kx];
    if (ix || iy)
        sum += local_open_edges(c, Lx, Ly, a.d, b.d, ix, iy);
    return sum;
}

/*
 * For amounts of weeks, with the day index's running sums (no rules): the
 * last midnight M in (L, Lz) with fewer than *rem open seconds in [L, M),
 * found by bisection, since local_open() costs the same whatever the span.
 * Takes those seconds from *rem and returns M (L when there is none).
 */
static int64_t local_skip_fwd(const cm_calendar *c, int64_t L, int64_t *rem, int64_t Lz)
{
    int64_t lo = day_of_local(L) + 1, hi = day_of_local(Lz - 1), best = L, used = 0;
    while (lo <= hi) {
        const int64_t mid = lo + (hi - lo) / 2, open = local_open(c, L, mid * DAY);
        if (open < *rem) {
            best = mid * DAY;
            used = open;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    *rem -= used;
    return best;
}

/* The same backward: the first midnight M in (La, L) with fewer than *rem open seconds in [M, L). */
static int64_t local_skip_bwd(const cm_calendar *c, int64_t L, int64_t *rem, int64_t La)
{
    int64_t lo = day_of_local(La) + 1, hi = day_of_local(L - 1), best = L, used = 0;
    while (lo <= hi) {
        const int64_t mid = lo + (hi - lo) / 2, open = local_open(c, mid * DAY, L);
        if (open < *rem) {
            best = mid * DAY;
            used = open;
            hi = mid - 1;
        } else {
            lo = mid + 1;
        }
    }
    *rem -= used;
    return best;
}

/* Forward from local L: where *rem more open seconds have passed, if before Lz. */
static bool local_add_fwd(const cm_calendar *c, int64_t L, int64_t *rem, int64_t Lz, int64_t *out)
{
    ival iv[MAXI + 1];
    if (c->aff_cum != NULL && *rem > 2 * c->week_open && Lz - L > 8 * DAY) {
        /* Weeks away: past the changed dates in between by bisection. */
        const int64_t all = local_open(c, L, Lz);
        if (all < *rem) {
            *rem -= all;
            return false;
        }
        L = local_skip_fwd(c, L, rem, Lz);
    }
    const bool changes = c->naff > 0 || c->nrules > 0;
    while (L < Lz) {
        /* Without changed dates the pattern runs to Lz. */
        const int64_t d = changes ? day_of_local(L) : 0;
        const int64_t a = changes ? affected_ge(c, d) : INT64_MAX;
        if (a == d) {
            const int64_t base = d * DAY, end = base + DAY < Lz ? base + DAY : Lz;
            if (c->nrules == 0 && L == base && end == base + DAY) {
                /* A whole changed date: its open seconds from the sums. */
                const uint32_t j = aff_lower_bound(c, d);
                const int64_t whole = (c->week_open > 0 ? pat_cum(c, end) - pat_cum(c, base) : 0) +
                                      c->aff_sum[j + 1] - c->aff_sum[j];
                if (*rem > whole) {
                    *rem -= whole;
                    L = end;
                    continue;
                }
            }
            const int n = local_day(c, d, iv);
            for (int i = 0; i < n; i++) {
                const int64_t s = base + iv[i].s > L ? base + iv[i].s : L;
                const int64_t e = base + iv[i].e < end ? base + iv[i].e : end;
                if (e <= s)
                    continue;
                if (*rem <= e - s) {
                    *out = s + *rem;
                    return true;
                }
                *rem -= e - s;
            }
            L = end;
            continue;
        }
        const int64_t stop = a == INT64_MAX || a > day_of_local(Lz) ? Lz : a * DAY; /* <= Lz */
        if (c->week_open > 0) {
            /* The pattern reaches cl + *rem at or before stop exactly when
             * *rem fits in [L, stop); *rem <= stop - L keeps the sum small. */
            const int64_t cl = pat_cum(c, L);
            if (*rem <= stop - L) {
                const int64_t at = pat_inv_fwd(c, cl + *rem);
                if (at <= stop) {
                    *out = at;
                    return true;
                }
            }
            *rem -= pat_cum(c, stop) - cl;
        }
        L = stop;
    }
    return false;
}

/* Backward from local L: where *rem open seconds lie between it and L, if at or after La. */
static bool local_add_bwd(const cm_calendar *c, int64_t L, int64_t *rem, int64_t La, int64_t *out)
{
    ival iv[MAXI + 1];
    if (c->aff_cum != NULL && *rem > 2 * c->week_open && L - La > 8 * DAY) {
        const int64_t all = local_open(c, La, L);
        if (all < *rem) {
            *rem -= all;
            return false;
        }
        L = local_skip_bwd(c, L, rem, La);
    }
    while (L > La) {
        const int64_t d = day_of_local(L - 1);
        const int64_t a = affected_le(c, d);
        if (a == d) {
            const int64_t base = d * DAY, start = base > La ? base : La;
            const int n = local_day(c, d, iv);
            for (int i = n - 1; i >= 0; i--) {
                const int64_t s = base + iv[i].s > start ? base + iv[i].s : start;
                const int64_t e = base + iv[i].e < L ? base + iv[i].e : L;
                if (e <= s)
                    continue;
                if (*rem <= e - s) {
                    *out = e - *rem;
                    return true;
                }
                *rem -= e - s;
            }
            L = start;
            continue;
        }
        const int64_t stop = a < day_of_local(La) ? La : (a + 1) * DAY;
        if (c->week_open > 0) {
            const int64_t cl = pat_cum(c, L), avail = cl - pat_cum(c, stop);
            if (*rem <= avail) {
                *out = pat_inv_bwd(c, cl - *rem);
                return true;
            }
            *rem -= avail;
        }
        L = stop;
    }
    return false;
}

/*
 * The first open local interval [*s, *e) with *e > L and *s < Lz, clipped at
 * Lz and at the edges of changed dates (*s may lie before L).
 */
static bool local_next(const cm_calendar *c, int64_t L, int64_t Lz, int64_t *s, int64_t *e)
{
    ival iv[MAXI + 1];
    while (L < Lz) {
        const int64_t d = day_of_local(L);
        const int64_t a = affected_ge(c, d);
        if (a == d) {
            const int64_t base = d * DAY;
            const int n = local_day(c, d, iv);
            for (int i = 0; i < n; i++) {
                if (base + iv[i].e > L) {
                    if (base + iv[i].s >= Lz)
                        return false;
                    *s = base + iv[i].s;
                    *e = base + iv[i].e < Lz ? base + iv[i].e : Lz;
                    return true;
                }
            }
            L = base + DAY;
            continue;
        }
        const int64_t stop = a > day_of_local(Lz) ? Lz : a * DAY; /* a * DAY <= Lz */
        if (c->nwk > 0) {
            int64_t ps, pe;
            pat_next(c, L, &ps, &pe);
            if (ps < stop) {
                *s = ps;
                *e = pe < stop ? pe : stop;
                return true;
            }
        }
        L = stop;
    }
    return false;
}

/* Whether local L is open (L's date in a plain run). */
static bool local_is_open(const cm_calendar *c, int64_t L)
{
    int64_t s, e;
    return local_next(c, L, L + 1, &s, &e) && s <= L;
}

/* ---------------------------------------------------------------------- */
/* Dates converted one by one                                             */
/* ---------------------------------------------------------------------- */

static int64_t conv(const cm_calendar *c, cm__tz_hint *h, int64_t local)
{
    return cm__tz_from_local(c->tz, local, h);
}

/*
 * Start of date d's chunk: the instant of its local midnight, or of one of
 * the two previous midnights if later. With offsets confined to (-25 h,
 * 26 h) midnights three days apart are always in order, so this is
 * non-decreasing in d even for zones whose offset jumps by more than a day;
 * for real zones it is just the instant of local midnight.
 */
static int64_t bound(const cm_calendar *c, cm__tz_hint *h, int64_t d)
{
    const int64_t l = d * DAY;
    /* Offsets less than a day apart: midnights a day apart are in order. */
    if (c->back == 0)
        return conv(c, h, l);
    const int64_t lo = l - 2 * DAY - c->max_off, hi = l - c->min_off;
    /* One offset of the hint covers all three midnights. */
    if (lo >= h->lo && hi < h->mid)
        return l - h->off1;
    if (lo >= h->mid && hi < h->hi)
        return l - h->off2;
    const int64_t b0 = conv(c, h, l), b1 = conv(c, h, l - DAY), b2 = conv(c, h, l - 2 * DAY);
    int64_t b = b0 > b1 ? b0 : b1;
    return b > b2 ? b : b2;
}

/* The date whose chunk contains instant t. */
static int64_t date_of(const cm_calendar *c, cm__tz_hint *h, int64_t t)
{
    int64_t d = cm__floor_div(t + cm__tz_offset(c->tz, t), DAY);
    while (bound(c, h, d) > t)
        d--;
    while (bound(c, h, d + 1) <= t)
        d++;
    return d;
}

static int cmp_span(const span *a, const span *b)
{
    return a->s < b->s || (a->s == b->s && a->e < b->e);
}

/* Writes the periods of date d to out (at most MAXI + 1), sorted and merged; returns the count. */
static int day_periods(const cm_calendar *c, cm__tz_hint *h, int64_t d, span *out)
{
    const kind k = cm__kind_of(c, d);
    if (k.closed)
        return 0;
    const int32_t spill = spill_of(c, cm__kind_of(c, d - 1));
    if (spill == 0 && k.n == 0)
        return 0;
    const int64_t a = bound(c, h, d), z = bound(c, h, d + 1);
    if (z <= a)
        return 0;
    const ival *own = c->ivals + k.off;
    /* Open all day on the local clock: the whole chunk, whatever the DST change. */
    int32_t cover = spill;
    for (uint32_t i = 0; i < k.n && own[i].s <= cover; i++)
        if (own[i].e > cover)
            cover = own[i].e;
    if (cover >= DAY) {
        out[0].s = a;
        out[0].e = z;
        return 1;
    }
    const int64_t l0 = d * DAY;
    int n = 0;
    for (uint32_t i = 0; i <= k.n; i++) {
        int32_t ls, le;
        if (i == 0) {
            if (spill == 0)
                continue;
            ls = 0;
            le = spill;
        } else {
            ls = own[i - 1].s;
            le = own[i - 1].e;
        }
        int64_t s = conv(c, h, l0 + ls), e = conv(c, h, l0 + le);
        if (s < a)
            s = a;
        if (e > z)
            e = z;
        if (e <= s)
            continue; /* e.g. an interval that starts inside a DST gap and ends right after it */
        /* Insertion sort: the input is sorted on the local clock, so this is
         * linear except next to a DST gap. */
        int j = n++;
        const span v = {s, e};
        while (j > 0 && cmp_span(&v, &out[j - 1])) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = v;
    }
    int m = 0;
    for (int i = 1; i < n; i++) {
        if (out[i].s <= out[m].e) {
            if (out[i].e > out[m].e)
                out[m].e = out[i].e;
        } else {
            out[++m] = out[i];
        }
    }
    return n > 0 ? m + 1 : 0;
}

/* ---------------------------------------------------------------------- */
/* Pieces of the time line                                                */
/* ---------------------------------------------------------------------- */

enum { P_DATE, P_PLAIN, P_FULL, P_EMPTY };

/*
 * Dates [d0, d1), instants [a, z); a plain run's offset. A plain piece of the
 * zone's segment [slo, shi) may reach past its dates to an end of the segment
 * that is a shift change (see shift_change): it then starts (cut_lo) or ends
 * (cut_hi) there. Whether it can is looked at when a walk gets there: lazy_lo
 * and lazy_hi say that the piece ends with the segment's plain run, before a
 * change not yet looked at.
 */
typedef struct piece {
    int kind;
    int64_t d0, d1;
    int64_t a, z;
    int32_t off;
    bool cut_lo, cut_hi, lazy_lo, lazy_hi;
    int64_t slo, shi;
} piece;

/*
 * For calendars where every date without a dated entry is alike (all open,
 * or all closed): the run of such dates around d, [*l, *r), when d is one.
 */
static bool plain_run(const cm_calendar *c, int64_t d, int64_t *l, int64_t *r)
{
    const int64_t x = dated_ge(c, d - 1);
    if (x <= d)
        return false; /* an entry on d, or on d-1 through its spill */
    *r = x < date_end() ? x : date_end();
    const int64_t p = dated_le(c, d);
    *l = p == INT64_MIN || p + 2 < date_first() ? date_first() : p + 2;
    return true;
}

/*
 * The plain run of the zone's segment [slo, shi): the dates [*l, *r) all of
 * whose conversions fall inside it (empty when *l >= *r).
 */
static void segment_run(const cm_calendar *c, int64_t slo, int64_t shi, int64_t *l, int64_t *r)
{
    *l = slo == INT64_MIN ? date_first() : ceil_div(slo + c->back + c->max_off, DAY);
    *r = shi == INT64_MAX ? date_end() : cm__floor_div(shi - 1 - c->fwd + c->min_off, DAY) + 1;
    if (*l < date_first())
        *l = date_first();
    if (*r > date_end())
        *r = date_end();
}

/*
 * Whether date d is plain with the zone's segment [slo, shi) of offset off:
 * every instant its conversions can involve lies in the segment. Then the
 * maximal plain run of the segment is [*l, *r).
 */
static bool plain_in(const cm_calendar *c, int64_t d, int64_t slo, int64_t shi, int64_t *l,
                     int64_t *r)
{
    const int64_t ws = d * DAY - c->back - c->max_off, we = d * DAY + c->fwd - c->min_off;
    if (ws < slo || we >= shi)
        return false;
    segment_run(c, slo, shi, l, r);
    return true;
}

/*
 * Whether the zone's change at instant t, from offset o1 on [lo, t) to o2 on
 * [t, hi), moves no edge of the periods. The local times strictly between
 * t + min(o1, o2) and t + max(o1, o2) are the ones the change skips or
 * repeats. When they hold no midnight and no edge of the local open hours
 * (open all through, or closed all through), the compatible rule converts
 * every edge near the change by the offset in force on its side. The
 * periods there are then the local hours moved by o1 before t and by o2 from
 * t on, as in a plain run. The segments on either side must also be long
 * enough that no other change comes near: then each date of the change
 * belongs to a plain run on one side or the other.
 */
static bool shift_change(const cm_calendar *c, int64_t lo, int64_t t, int64_t hi, int32_t o1,
                         int32_t o2)
{
    /* Offsets a day or more apart, and changes outside the accepted range
     * (give or take the margin), keep their dates. */
    if (c->back != 0 || t <= T_MIN + 8 * DAY || t >= T_MAX - 8 * DAY)
        return false;
    const uint64_t sep = (uint64_t)(4 * DAY + c->fwd + c->max_off - c->min_off);
    if ((lo != INT64_MIN && (uint64_t)t - (uint64_t)lo < sep) ||
        (hi != INT64_MAX && (uint64_t)hi - (uint64_t)t < sep))
        return false;
    const int64_t wlo = t + (o1 < o2 ? o1 : o2), whi = t + (o1 < o2 ? o2 : o1);
    if (wlo == whi)
        return true;
    if (cm__floor_div(whi - 1, DAY) * DAY > wlo)
        return false; /* a midnight inside */
    const int64_t open = local_open(c, wlo, whi);
    return open == 0 || open == whi - wlo;
}

/*
 * When plain piece p ends (hi: lazy_hi) or starts (lazy_lo) with its
 * segment's plain run before a shift change: p reaches out to that change.
 */
static bool piece_reach(const cm_calendar *c, piece *p, bool hi)
{
    int64_t lo, up;
    int32_t o;
    if (hi) {
        p->lazy_hi = false;
        cm__tz_segment(c->tz, p->shi, &lo, &up, &o);
        if (!shift_change(c, p->slo, p->shi, up, p->off, o))
            return false;
        p->z = p->shi;
        p->cut_hi = true;
    } else {
        p->lazy_lo = false;
        cm__tz_segment(c->tz, p->slo - 1, &lo, &up, &o);
        if (!shift_change(c, lo, p->slo, p->shi, o, p->off))
            return false;
        p->a = p->slo;
        p->cut_lo = true;
    }
    return true;
}

/* Ends of a plain piece to reach out to now, when they are shift changes, or known to be. */
enum { CUT_LO = 1, CUT_HI = 2, KNOWN_LO = 4, KNOWN_HI = 8 };

/*
 * The plain piece of the zone's segment [slo, shi) with offset off: the
 * segment's plain run, reaching to each end named in `ends` (CUT_LO, CUT_HI)
 * that is a shift change, or that is known to be one (KNOWN_LO, KNOWN_HI).
 * The others are left for the walk to look at (lazy_lo, lazy_hi).
 */
static void segment_piece(const cm_calendar *c, int64_t slo, int64_t shi, int32_t off,
                          unsigned ends, piece *p)
{
    int64_t l, r;
    segment_run(c, slo, shi, &l, &r);
    p->kind = P_PLAIN;
    p->d0 = l;
    p->d1 = r;
    p->off = off;
    p->a = l * DAY - off;
    p->z = r * DAY - off;
    p->slo = slo;
    p->shi = shi;
    p->cut_lo = (ends & KNOWN_LO) != 0;
    p->cut_hi = (ends & KNOWN_HI) != 0;
    if (p->cut_lo)
        p->a = slo;
    if (p->cut_hi)
        p->z = shi;
    /* Calendars alike on every generic date cross changes in whole-day runs. */
    const bool can = c->back == 0 && !c->generic_full && !c->generic_empty;
    p->lazy_lo = can && !p->cut_lo && slo != INT64_MIN;
    p->lazy_hi = can && !p->cut_hi && shi != INT64_MAX;
    if ((ends & CUT_LO) && p->lazy_lo)
        piece_reach(c, p, false);
    if ((ends & CUT_HI) && p->lazy_hi)
        piece_reach(c, p, true);
}

/* The maximal piece holding date d (date_first() <= d < date_end()). */
static void piece_at_date(const cm_calendar *c, cm__tz_hint *h, int64_t d, piece *p)
{
    int64_t l, r;
    p->cut_lo = p->cut_hi = p->lazy_lo = p->lazy_hi = false;
    if ((c->generic_full || c->generic_empty) && plain_run(c, d, &l, &r)) {
        p->kind = c->generic_full ? P_FULL : P_EMPTY;
        p->d0 = l;
        p->d1 = r;
        p->a = bound(c, h, l);
        p->z = bound(c, h, r);
        return;
    }
    int64_t slo, shi;
    int32_t off;
    cm__tz_segment(c->tz, d * DAY - c->back - c->max_off, &slo, &shi, &off);
    if (plain_in(c, d, slo, shi, &l, &r)) {
        segment_piece(c, slo, shi, off, 0, p);
        return;
    }
    p->kind = P_DATE;
    p->d0 = d;
    p->d1 = d + 1;
    p->a = bound(c, h, d);
    p->z = bound(c, h, d + 1);
}

/* Clips a piece to dates [d0, d1) within it. */
static void piece_clip(const cm_calendar *c, cm__tz_hint *h, piece *p, int64_t d0, int64_t d1)
{
    if (d0 > p->d0) {
        p->d0 = d0;
        p->a = p->kind == P_PLAIN ? d0 * DAY - p->off : bound(c, h, d0);
        p->cut_lo = p->lazy_lo = false;
    }
    if (d1 < p->d1) {
        p->d1 = d1;
        p->z = p->kind == P_PLAIN ? d1 * DAY - p->off : bound(c, h, d1);
        p->cut_hi = p->lazy_hi = false;
    }
}

/* The piece holding instant t (in range). */
static void piece_at(const cm_calendar *c, cm__tz_hint *h, int64_t t, piece *p)
{
    if (!(c->generic_full || c->generic_empty)) {
        int64_t slo, shi, l, r;
        int32_t off;
        cm__tz_segment(c->tz, t, &slo, &shi, &off);
        segment_run(c, slo, shi, &l, &r);
        /* Outside the plain run, t is near a change: in reach of it when it is
         * a shift change. */
        const unsigned near = t < l * DAY - off ? CUT_LO : t >= r * DAY - off ? CUT_HI : 0;
        segment_piece(c, slo, shi, off, near, p);
        if (p->a <= t && t < p->z)
            return;
    }
    piece_at_date(c, h, date_of(c, h, t), p);
}

/* The piece after p (forward walks), starting at p's end. */
static void piece_next(const cm_calendar *c, cm__tz_hint *h, piece *p)
{
    const int64_t z = p->z;
    if (p->lazy_hi && piece_reach(c, p, true)) {
        p->a = z; /* the rest of the way to the change */
        p->d0 = p->d1;
        p->cut_lo = p->lazy_lo = false;
        return;
    }
    if (p->cut_hi) {
        /* A shift change: the next segment's piece starts there. */
        int64_t slo, shi;
        int32_t off;
        cm__tz_segment(c->tz, p->z, &slo, &shi, &off);
        segment_piece(c, slo, shi, off, KNOWN_LO, p);
        return;
    }
    const int64_t d = p->d1;
    piece_at_date(c, h, d, p);
    piece_clip(c, h, p, d, p->d1);
}

/* The piece before p (backward walks), ending at p's start. */
static void piece_prev(const cm_calendar *c, cm__tz_hint *h, piece *p)
{
    const int64_t a = p->a;
    if (p->lazy_lo && piece_reach(c, p, false)) {
        p->z = a;
        p->d1 = p->d0;
        p->cut_hi = p->lazy_hi = false;
        return;
    }
    if (p->cut_lo) {
        int64_t slo, shi;
        int32_t off;
        cm__tz_segment(c->tz, p->a - 1, &slo, &shi, &off);
        segment_piece(c, slo, shi, off, KNOWN_HI, p);
        return;
    }
    const int64_t d = p->d0;
    piece_at_date(c, h, d - 1, p);
    piece_clip(c, h, p, p->d0, d);
}

/* Open seconds of [x, y) within piece p, p->a <= x <= y <= p->z. */
static int64_t piece_open(const cm_calendar *c, cm__tz_hint *h, const piece *p, int64_t x,
                          int64_t y)
{
    switch (p->kind) {
    case P_PLAIN:
        return local_open(c, x + p->off, y + p->off);
    case P_FULL:
        return y - x;
    case P_EMPTY:
        return 0;
    default: {
        span buf[MAXI + 1];
        const int n = day_periods(c, h, p->d0, buf);
        int64_t sum = 0;
        for (int i = 0; i < n; i++) {
            const int64_t s = buf[i].s > x ? buf[i].s : x, e = buf[i].e < y ? buf[i].e : y;
            if (e > s)
                sum += e - s;
        }
        return sum;
    }
    }
}

/* ---------------------------------------------------------------------- */
/* Walks                                                                  */
/* ---------------------------------------------------------------------- */

/*
 * The common case of a walk, in one look-up: one offset *off holds from
 * before the conversions of x's date to *end, from the zone's flat table
 * (false outside its span). The dates whose conversions end before *end,
 * those of the instants before *end - c->flat_after, then lie in one plain
 * run, whatever the calendar.
 */
static inline bool flat_run(const cm_calendar *c, int64_t x, int32_t *off, int64_t *end)
{
    return cm__tz_flat(c->tz, x - c->flat_before, off, end);
}

/*
 * The common case of a walk: instant x whose date lies in a plain run (see
 * plain_in), which is then the run of x's zone segment [slo, *shi) with
 * offset *off; false otherwise (or for calendars alike on every generic date).
 */
static inline bool plain_start(const cm_calendar *c, int64_t x, int64_t *shi, int32_t *off)
{
    if (c->generic_full || c->generic_empty)
        return false;
    int64_t slo;
    cm__tz_segment_quick(c->tz, x, &slo, shi, off);
    const int64_t dx = cm__floor_div(x + *off, DAY);
    return dx >= date_first() && dx < date_end() && dx * DAY - c->back - c->max_off >= slo &&
           dx * DAY + c->fwd - c->min_off < *shi;
}

/* Open seconds of [x, y), x < y, beyond the common case. */
static CM__NOINLINE int64_t calendar_open_walk(const cm_calendar *c, int64_t x, int64_t y)
{
    int64_t shi;
    int32_t off;
    if (plain_start(c, x, &shi, &off)) {
        /* [x, y) within that run: y's date is plain too. */
        const int64_t dy = cm__floor_div(y - 1 + off, DAY);
        if (dy < date_end() && dy * DAY + c->fwd - c->min_off < shi)
            return local_open(c, x + off, y + off);
    }
    cm__tz_hint h;
    cm__tz_hint_init(&h);
    piece p;
    piece_at(c, &h, x, &p);
    int64_t sum = 0;
    for (;;) {
        if (y > p.z && p.lazy_hi)
            piece_reach(c, &p, true);
        if (y <= p.z)
            return sum + piece_open(c, &h, &p, x, y);
        sum += piece_open(c, &h, &p, x, p.z);
        x = p.z;
        piece_next(c, &h, &p);
    }
}

static inline int64_t calendar_open(const cm_calendar *c, int64_t x, int64_t y)
{
    if (x >= y)
        return 0;
    int32_t off;
    int64_t end;
    if (flat_run(c, x, &off, &end) && y - 1 + c->flat_after < end)
        return local_open(c, x + off, y + off); /* [x, y) within that run */
    return calendar_open_walk(c, x, y);
}

int64_t cm__calendar_open(const cm_calendar *c, int64_t x, int64_t y)
{
    return calendar_open(c, x, y);
}

/*
 * add's common case, in one look-up: x in a stretch of the zone's flat
 * table, and the weekly pattern's answer before limit, with no changed date
 * (nor rules) from x's date to it and its date still in the plain run.
 */
static inline bool add_flat(const cm_calendar *c, int64_t x, int64_t rem, int64_t limit,
                            int64_t *out)
{
    int32_t off;
    int64_t end;
    if (c->nrules > 0 || c->week_open == 0 || rem > limit - x || !flat_run(c, x, &off, &end))
        return false;
    const lsplit a = lsplit_of(x + off);
    const int64_t y = pat_inv_fwd_at(c, a.w, pat_hour(c, a.r) + rem) - off;
    if (y > limit || y - 1 + c->flat_after >= end)
        return false;
    if (c->naff > 0) {
        /* The first changed date from x's date on comes after the answer's
         * last second: none between. */
        bool is;
        const uint32_t k = aff_at(c, a.d, &is);
        if (k < c->naff && (int64_t)c->aff[k] * DAY < y + off)
            return false;
    }
    *out = y;
    return true;
}

/*
 * Forward from x: the instant where *rem (> 0) more open seconds have
 * passed, if that happens before limit; otherwise false.
 */
static bool walk_add_fwd(const cm_calendar *c, int64_t x, int64_t rem, int64_t limit, int64_t *out)
{
    int64_t shi;
    int32_t off;
    if ((flat_run(c, x, &off, &shi) && x + c->flat_after < shi) || plain_start(c, x, &shi, &off)) {
        /* Within the plain run of x (it ends where plain_in says), if it gets there. */
        int64_t r =
            shi == INT64_MAX ? date_end() : cm__floor_div(shi - 1 - c->fwd + c->min_off, DAY) + 1;
        if (r > date_end())
            r = date_end();
        const int64_t z = r * DAY - off < limit ? r * DAY - off : limit;
        int64_t left = rem, L;
        if (local_add_fwd(c, x + off, &left, z + off, &L)) {
            *out = L - off;
            return true;
        }
    }
    cm__tz_hint h;
    cm__tz_hint_init(&h);
    piece p;
    piece_at(c, &h, x, &p);
    for (;;) {
        if (p.lazy_hi && rem > p.z - x)
            piece_reach(c, &p, true); /* it goes on past the plain run */
        const int64_t z = p.z < limit ? p.z : limit;
        switch (p.kind) {
        case P_PLAIN: {
            int64_t L;
            if (local_add_fwd(c, x + p.off, &rem, z + p.off, &L)) {
                *out = L - p.off;
                return true;
            }
            break;
        }
        case P_FULL:
            if (rem <= z - x) {
                *out = x + rem;
                return true;
            }
            rem -= z - x;
            break;
        case P_EMPTY:
            break;
        default: {
            span buf[MAXI + 1];
            const int n = day_periods(c, &h, p.d0, buf);
            for (int i = 0; i < n; i++) {
                const int64_t s = buf[i].s > x ? buf[i].s : x, e = buf[i].e < z ? buf[i].e : z;
                if (e <= s)
                    continue;
                if (rem <= e - s) {
                    *out = s + rem;
                    return true;
                }
                rem -= e - s;
            }
        }
        }
        if (p.z >= limit)
            return false;
        x = p.z;
        piece_next(c, &h, &p);
    }
}

/* Backward from x: the latest instant with *rem (> 0) open seconds up to x, at or after lower. */
static bool walk_add_bwd(const cm_calendar *c, int64_t x, int64_t rem, int64_t lower, int64_t *out)
{
    cm__tz_hint h;
    cm__tz_hint_init(&h);
    piece p;
    piece_at(c, &h, x - 1, &p);
    for (;;) {
        if (p.lazy_lo && rem > x - p.a)
            piece_reach(c, &p, false);
        const int64_t a = p.a > lower ? p.a : lower;
        switch (p.kind) {
        case P_PLAIN: {
            int64_t L;
            if (local_add_bwd(c, x + p.off, &rem, a + p.off, &L)) {
                *out = L - p.off;
                return true;
            }
            break;
        }
        case P_FULL:
            if (rem <= x - a) {
                *out = x - rem;
                return true;
            }
            rem -= x - a;
            break;
        case P_EMPTY:
            break;
        default: {
            span buf[MAXI + 1];
            const int n = day_periods(c, &h, p.d0, buf);
            for (int i = n - 1; i >= 0; i--) {
                const int64_t s = buf[i].s > a ? buf[i].s : a, e = buf[i].e < x ? buf[i].e : x;
                if (e <= s)
                    continue;
                if (rem <= e - s) {
                    *out = e - rem;
                    return true;
                }
                rem -= e - s;
            }
        }
        }
        if (p.a <= lower)
            return false;
        x = p.a;
        piece_prev(c, &h, &p);
    }
}

/* The first open instant >= x, if before limit. */
static bool walk_first(const cm_calendar *c, int64_t x, int64_t limit, int64_t *out)
{
    cm__tz_hint h;
    cm__tz_hint_init(&h);
    piece p;
    piece_at(c, &h, x, &p);
    for (;;) {
        switch (p.kind) {
        case P_PLAIN: {
            int64_t s, e;
            if (local_next(c, x + p.off, p.z + p.off, &s, &e)) {
                const int64_t r = s - p.off > x ? s - p.off : x;
                if (r >= limit)
                    return false;
                *out = r;
                return true;
            }
            break;
        }
        case P_FULL:
            if (p.z > x) {
                if (x >= limit)
                    return false;
                *out = x;
                return true;
            }
            break;
        case P_EMPTY:
            break;
        default: {
            span buf[MAXI + 1];
            const int n = day_periods(c, &h, p.d0, buf);
            for (int i = 0; i < n; i++) {
                if (buf[i].e > x) {
                    const int64_t r = buf[i].s > x ? buf[i].s : x;
                    if (r >= limit)
                        return false;
                    *out = r;
                    return true;
                }
            }
        }
        }
        if (p.z >= limit)
            return false;
        x = p.z;
        piece_next(c, &h, &p);
    }
}

/*
 * The end of the period containing x, or of the next one: the first period
 * ending after x, followed through the periods that touch it, across pieces.
 * False when no such period ends by T_MAX.
 */
static bool walk_close(const cm_calendar *c, int64_t x, int64_t *out)
{
    cm__tz_hint h;
    cm__tz_hint_init(&h);
    piece p;
    piece_at(c, &h, x, &p);
    bool have = false;
    int64_t end = 0;
    for (;;) {
        span buf[MAXI + 1];
        const int nbuf = p.kind == P_DATE ? day_periods(c, &h, p.d0, buf) : 0;
        int next = 0; /* of buf */
        int64_t pos = x;
        for (;;) {
            int64_t s = 0, e = 0;
            bool got = false;
            if (p.kind == P_PLAIN) {
                if (local_next(c, pos + p.off, p.z + p.off, &s, &e)) {
                    s -= p.off;
                    e -= p.off;
                    got = true;
                }
            } else if (p.kind == P_FULL) {
                if (p.z > pos) {
                    s = p.a;
                    e = p.z;
                    got = true;
                }
            } else if (p.kind == P_DATE) {
                while (next < nbuf && buf[next].e <= pos)
                    next++;
                if (next < nbuf) {
                    s = buf[next].s;
                    e = buf[next].e;
                    got = true;
                }
            }
            if (!got)
                break;
            if (!have) {
                have = true;
                end = e;
            } else if (s <= end) {
                if (e > end)
                    end = e;
            } else {
                *out = end; /* a gap after the period */
                return end <= T_MAX;
            }
            pos = e;
        }
        if (have && end < p.z) {
            *out = end; /* the next piece starts after a gap */
            return end <= T_MAX;
        }
        if (p.z > T_MAX)
            break;
        x = p.z;
        piece_next(c, &h, &p);
    }
    *out = end;
    return have && end <= T_MAX;
}

/* ---------------------------------------------------------------------- */
/* Operations                                                             */
/* ---------------------------------------------------------------------- */

/* elapsed for instants in range, with the common case first: one plain run. */
static int64_t elapsed1(const cm_calendar *c, cm_time a, cm_time b)
{
    const int64_t x = a < b ? a : b, y = a < b ? b : a;
    const int64_t open = calendar_open(c, x, y);
    return a <= b ? open : -open;
}

cm_status cm_calendar_elapsed(const cm_calendar *cal, cm_time from, cm_time to, int64_t *out)
{
    CM_REQUIRE(cal != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(time_ok(from) && time_ok(to), CM_ERANGE);
    *out = elapsed1(cal, from, to);
    return CM_OK;
}

cm_status cm_calendar_elapsed_many(const cm_calendar *cal, const cm_time *from, const cm_time *to,
                                   size_t n, int64_t *out)
{
    CM_REQUIRE(cal != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(n == 0 || (from != NULL && to != NULL), CM_EINVAL);
    for (size_t i = 0; i < n; i++)
        CM_REQUIRE(time_ok(from[i]) && time_ok(to[i]), CM_ERANGE);
    for (size_t i = 0; i < n; i++)
        out[i] = elapsed1(cal, from[i], to[i]);
    return CM_OK;
}

/* add1 beyond its common case. */
static CM__NOINLINE cm_status add1_walk(const cm_calendar *c, int64_t t, int64_t n, int64_t *out)
{
    if (n == 0) {
        *out = t;
        return CM_OK;
    }
    int64_t r;
    if (n > 0) {
        CM_REQUIRE(walk_add_fwd(c, t, n, T_MAX + 1, &r) && r <= T_MAX, CM_EOVERFLOW);
    } else {
        const int64_t rem = n == INT64_MIN ? INT64_MAX : -n;
        CM_REQUIRE(t > T_MIN && walk_add_bwd(c, t, rem, T_MIN, &r), CM_EOVERFLOW);
    }
    *out = r;
    return CM_OK;
}

/* add for a start in range; CM_EOVERFLOW when the result leaves the accepted range. */
static inline cm_status add1(const cm_calendar *c, int64_t t, int64_t n, int64_t *out)
{
    int64_t r;
    if (n > 0 && add_flat(c, t, n, T_MAX, &r)) {
        *out = r;
        return CM_OK;
    }
    return add1_walk(c, t, n, out);
}

cm_status cm_calendar_add(const cm_calendar *cal, cm_time start, int64_t seconds, cm_time *out)
{
    CM_REQUIRE(cal != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(time_ok(start), CM_ERANGE);
    int64_t r;
    CM_TRY(add1(cal, start, seconds, &r));
    *out = r;
    return CM_OK;
}

cm_status cm_calendar_add_many(const cm_calendar *cal, const cm_time *start, const int64_t *seconds,
                               size_t n, cm_time *out)
{
    CM_REQUIRE(cal != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(n == 0 || (start != NULL && seconds != NULL), CM_EINVAL);
    for (size_t i = 0; i < n; i++)
        CM_REQUIRE(time_ok(start[i]), CM_ERANGE);
    /* Check every element that could fail before storing the first result:
     * an amount no larger than the open time of a year between the start and
     * the end of the range (computed at build) cannot. */
    for (size_t i = 0; i < n; i++) {
        const int64_t t = start[i], s = seconds[i];
        if ((s >= 0 && s <= cal->fwd_safe_n && t < cal->fwd_safe_before) ||
            (s < 0 && s >= -cal->bwd_safe_n && t >= cal->bwd_safe_from))
            continue;
        int64_t r;
        CM_TRY(add1(cal, t, s, &r));
    }
    for (size_t i = 0; i < n; i++)
        (void)add1(cal, start[i], seconds[i], &out[i]);
    return CM_OK;
}

/* Whether t is open; t in range. */
static bool open_at(const cm_calendar *c, int64_t t)
{
    int32_t off;
    int64_t end;
    if (flat_run(c, t, &off, &end) && t + c->flat_after < end)
        return local_is_open(c, t + off); /* t's date in a plain run */
    cm__tz_hint h;
    cm__tz_hint_init(&h);
    piece p;
    piece_at(c, &h, t, &p);
    switch (p.kind) {
    case P_PLAIN:
        return local_is_open(c, t + p.off);
    case P_FULL:
        return true;
    case P_EMPTY:
        return false;
    default: {
        span buf[MAXI + 1];
        const int n = day_periods(c, &h, p.d0, buf);
        for (int i = 0; i < n; i++)
            if (buf[i].s <= t && t < buf[i].e)
                return true;
        return false;
    }
    }
}

cm_status cm_calendar_is_open(const cm_calendar *cal, cm_time t, bool *out)
{
    CM_REQUIRE(cal != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(time_ok(t), CM_ERANGE);
    *out = open_at(cal, t);
    return CM_OK;
}

/* Earliest open instant >= t; false when there is none up to T_MAX. */
static bool next_open1(const cm_calendar *c, int64_t t, int64_t *out)
{
    return walk_first(c, t, T_MAX + 1, out);
}

cm_status cm_calendar_next_open(const cm_calendar *cal, cm_time t, cm_time *out)
{
    CM_REQUIRE(cal != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(time_ok(t), CM_ERANGE);
    int64_t r;
    CM_REQUIRE(next_open1(cal, t, &r), CM_ENOTFOUND);
    *out = r;
    return CM_OK;
}

cm_status cm_calendar_next_close(const cm_calendar *cal, cm_time t, cm_time *out)
{
    CM_REQUIRE(cal != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(time_ok(t), CM_ERANGE);
    int64_t end;
    CM_REQUIRE(walk_close(cal, t, &end), CM_ENOTFOUND);
    *out = end;
    return CM_OK;
}

cm_status cm_calendar_add_roll(const cm_calendar *cal, cm_time start, int64_t seconds, cm_time *out)
{
    CM_REQUIRE(cal != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(time_ok(start), CM_ERANGE);
    int64_t r;
    if (seconds == 0) {
        CM_REQUIRE(next_open1(cal, start, &r), CM_EOVERFLOW);
    } else {
        CM_TRY(add1(cal, start, seconds, &r));
        if (seconds > 0 && !open_at(cal, r)) {
            /* On a closing instant: on to the next opening. */
            CM_REQUIRE(next_open1(cal, r, &r), CM_EOVERFLOW);
        } else if (seconds < 0 && open_at(cal, r) && (r == T_MIN || !open_at(cal, r - 1))) {
            /* On an opening instant: back to the previous closing, one
             * business second after the latest instant one business second back. */
            int64_t p;
            CM_TRY(add1(cal, r, -1, &p));
            r = p + 1;
        }
    }
    *out = r;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Business days                                                          */
/* ---------------------------------------------------------------------- */

static bool business_day(const cm_calendar *c, int64_t d)
{
    const kind k = cm__kind_of(c, d);
    return !k.closed && k.n > 0;
}

/* Moves from date d by `days` business days; false when it leaves [lo, hi]. */
static bool step_days(const cm_calendar *c, int64_t d, int64_t days, int64_t lo, int64_t hi,
                      int64_t *out)
{
    const int64_t bpw = c->bdays_per_week;
    while (days > 0) {
        if (d >= hi)
            return false;
        /* Dates d+1 .. x-1 have no dated entry and no rule may fall on
         * them: plain weekly dates, skipped a whole week at a time. */
        const int64_t xd = dated_ge(c, d + 1), xr = rule_hit_ge(c, d + 1);
        const int64_t x = xd < xr ? xd : xr;
        const int64_t room = (x == INT64_MAX ? hi + 7 : x) - d - 1; /* plain dates ahead */
        if (room >= 7) {
            if (bpw == 0) {
                if (x == INT64_MAX)
                    return false;
                d = x - 1;
                continue;
            }
            int64_t weeks = (days - 1) / bpw;
            if (weeks > room / 7)
                weeks = room / 7;
            if (weeks > 0) {
                d += 7 * weeks;
                days -= weeks * bpw;
                continue;
            }
        }
        d++;
        if (business_day(c, d))
            days--;
    }
    while (days < 0) {
        if (d <= lo)
            return false;
        const int64_t xd = dated_le(c, d - 1), xr = rule_hit_le(c, d - 1);
        const int64_t x = xd > xr ? xd : xr;
        const int64_t room = d - 1 - (x == INT64_MIN ? lo - 7 : x);
        if (room >= 7) {
            if (bpw == 0) {
                if (x == INT64_MIN)
                    return false;
                d = x + 1;
                continue;
            }
            int64_t weeks = (-days - 1) / bpw;
            if (weeks > room / 7)
                weeks = room / 7;
            if (weeks > 0) {
                d -= 7 * weeks;
                days += weeks * bpw;
                continue;
            }
        }
        d--;
        if (business_day(c, d))
            days++;
    }
    if (d < lo || d > hi)
        return false;
    *out = d;
    return true;
}

cm_status cm_calendar_add_days(const cm_calendar *cal, cm_time start, int32_t days, cm_time *out)
{
    CM_REQUIRE(cal != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(time_ok(start), CM_ERANGE);
    const int64_t local = start + cm__tz_offset(cal->tz, start);
    const int64_t d0 = cm__floor_div(local, DAY), tod = cm__floor_mod(local, DAY);
    int64_t d;
    CM_REQUIRE(
        step_days(cal, d0, days, cm__floor_div(T_MIN, DAY) - 2, cm__floor_div(T_MAX, DAY) + 2, &d),
        CM_EOVERFLOW);
    int64_t t = cm__tz_from_local(cal->tz, d * DAY + tod, NULL);
    if (t < T_MIN)
        t = T_MIN;
    CM_REQUIRE(t <= T_MAX, CM_EOVERFLOW);
    int64_t r;
    CM_REQUIRE(next_open1(cal, t, &r), CM_EOVERFLOW);
    *out = r;
    return CM_OK;
}
