/*
 * Business calendars: builder, periods, the precomputed window, and the
 * business-time operations. Semantics: docs/calendar.md.
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
 * The calendar stores those periods for a window of years, with cumulative
 * open seconds and an index by UTC day, so operations inside it are O(1);
 * outside it they are generated a date at a time, skipping whole weeks (or
 * whole stretches without dated entries) whose open time is known in advance.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/calendar.h>

#include <stdlib.h>
#include <string.h>

#include "calendar-internal.h"
#include "common-internal.h"

#define DAY  86400
#define WEEK (7 * DAY)
#define MAXI CM_CALENDAR_MAX_DAY_INTERVALS

#define T_MIN CM_CALENDAR_TIME_MIN
#define T_MAX CM_CALENDAR_TIME_MAX

/* Default precomputed years: 1970..2100. 132 years is the most whose
 * seconds fit the uint32 offsets of the window (2^32 s is 136 years). */
#define CACHE_FIRST_DEFAULT 1970
#define CACHE_YEARS_DEFAULT 131
#define CACHE_YEARS_MAX     132

typedef struct ival {
    int32_t s, e; /* seconds after the date's local midnight */
} ival;

typedef struct span {
    int64_t s, e; /* [s, e) in instants */
} span;

/* The hours of one kind of day: intervals ivals[off .. off+n), merged and sorted. */
typedef struct kind {
    uint32_t off, n;
    bool closed; /* a holiday: no hours, and the previous day's spill is cut */
} kind;

/* A period of the window, relative to wbase, with the open seconds before it. */
typedef struct period {
    uint32_t s, e, c;
} period;

struct cm_calendar {
    cm_tz *tz;
    ival *ivals;
    kind weekly[7]; /* 0 = Monday */
    uint32_t ndated;
    int64_t *dated_day; /* ascending day numbers */
    kind *dated_kind;
    uint32_t nrec;
    kind *rec_kind;
    int16_t rec_index[12 * 31]; /* (month-1)*31 + day-1 -> rec_kind index, or -1 */
    bool generic_full;          /* every date without a dated entry is open all day */
    bool generic_empty;         /* no date without a dated entry has hours */
    int64_t week_open;          /* open seconds of a plain week at a constant offset */
    int32_t bdays_per_week;     /* weekdays with hours */
    bool has_window;
    int64_t wbase, wend; /* window [wbase, wend) */
    uint32_t nper, ndays, total;
    period *per;
    uint32_t *didx; /* ndays + 1 entries: first period with end > the UTC day's start */
};

/* ---------------------------------------------------------------------- */
/* Builder                                                                */
/* ---------------------------------------------------------------------- */

static bool interval_ok(int32_t s, int32_t e)
{
    return s >= 0 && s < DAY && e > s && e - s <= DAY;
}

static bool date_ok(int32_t year, int32_t month, int32_t day)
{
    if (year != CM_CALENDAR_EVERY_YEAR && (year < 1 || year > 9999))
        return false;
    if (month < 1 || month > 12 || day < 1)
        return false;
    /* Every-year entries are checked against a leap year: February 29 recurs. */
    return day <= cm__days_in_month(year == CM_CALENDAR_EVERY_YEAR ? 2000 : year, month);
}

static cm_status push(cm__entry **arr, size_t *n, size_t *cap, cm__entry e)
{
    if (*n == *cap) {
        const size_t ncap = *cap == 0 ? 16 : *cap * 2;
        cm__entry *grown = realloc(*arr, ncap * sizeof **arr);
        CM_REQUIRE(grown != NULL, CM_ENOMEM);
        *arr = grown;
        *cap = ncap;
    }
    (*arr)[(*n)++] = e;
    return CM_OK;
}

cm_status cm__builder_push_weekly(cm_calendar_builder *b, int32_t weekday, int32_t s, int32_t e,
                                  uint32_t line, uint32_t column)
{
    CM_REQUIRE(weekday >= 1 && weekday <= 7 && interval_ok(s, e), CM_ERANGE);
    CM_REQUIRE(b->per_weekday[weekday - 1] < MAXI, CM_ERANGE);
    const cm__entry en = {-1, weekday, 0, s, e, line, column};
    CM_TRY(push(&b->weekly, &b->nweekly, &b->cap_weekly, en));
    b->per_weekday[weekday - 1]++;
    return CM_OK;
}

cm_status cm__builder_push_date(cm_calendar_builder *b, int32_t year, int32_t month, int32_t day,
                                int32_t s, int32_t e, uint32_t line, uint32_t column)
{
    CM_REQUIRE(date_ok(year, month, day), CM_ERANGE);
    CM_REQUIRE((s == CM__CLOSED && e == CM__CLOSED) || interval_ok(s, e), CM_ERANGE);
    const cm__entry en = {year, month, day, s, e, line, column};
    return push(&b->dates, &b->ndates, &b->cap_dates, en);
}

cm_status cm_calendar_builder_new(cm_calendar_builder **out)
{
    CM_REQUIRE(out != NULL, CM_EINVAL);
    cm_calendar_builder *b = calloc(1, sizeof *b);
    CM_REQUIRE(b != NULL, CM_ENOMEM);
    b->cache_first = CACHE_FIRST_DEFAULT;
    b->cache_years = CACHE_YEARS_DEFAULT;
    *out = b;
    return CM_OK;
}

void cm_calendar_builder_free(cm_calendar_builder *b)
{
    if (b == NULL)
        return;
    cm_tz_free(b->tz);
    free(b->weekly);
    free(b->dates);
    free(b);
}

cm_status cm_calendar_builder_set_tz(cm_calendar_builder *b, const cm_tz *tz)
{
    CM_REQUIRE(b != NULL && tz != NULL, CM_EINVAL);
    cm_tz *copy = cm__tz_clone(tz);
    CM_REQUIRE(copy != NULL, CM_ENOMEM);
    cm_tz_free(b->tz);
    b->tz = copy;
    return CM_OK;
}

cm_status cm_calendar_builder_add_weekly(cm_calendar_builder *b, int32_t weekday,
                                         int32_t start_seconds, int32_t end_seconds)
{
    CM_REQUIRE(b != NULL, CM_EINVAL);
    return cm__builder_push_weekly(b, weekday, start_seconds, end_seconds, 0, 0);
}

cm_status cm_calendar_builder_add_holiday(cm_calendar_builder *b, int32_t year, int32_t month,
                                          int32_t day)
{
    CM_REQUIRE(b != NULL, CM_EINVAL);
    return cm__builder_push_date(b, year, month, day, CM__CLOSED, CM__CLOSED, 0, 0);
}

cm_status cm_calendar_builder_add_special(cm_calendar_builder *b, int32_t year, int32_t month,
                                          int32_t day, int32_t start_seconds, int32_t end_seconds)
{
    CM_REQUIRE(b != NULL, CM_EINVAL);
    CM_REQUIRE(interval_ok(start_seconds, end_seconds), CM_ERANGE);
    return cm__builder_push_date(b, year, month, day, start_seconds, end_seconds, 0, 0);
}

cm_status cm_calendar_builder_set_cache_years(cm_calendar_builder *b, int32_t first_year,
                                              int32_t years)
{
    CM_REQUIRE(b != NULL, CM_EINVAL);
    CM_REQUIRE(first_year >= 1 && first_year <= 9999 && years >= 0 && years <= CACHE_YEARS_MAX,
               CM_ERANGE);
    b->cache_first = first_year;
    b->cache_years = years;
    return CM_OK;
}

/* Date entries sorted by date, then by position in the input. */
typedef struct keyed {
    int64_t key;
    size_t index;
} keyed;

static int64_t date_key(const cm__entry *e)
{
    return ((int64_t)e->year * 13 + e->month) * 32 + e->day;
}

static int cmp_keyed(const void *pa, const void *pb)
{
    const keyed *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* The date entries' order by date; NULL when out of memory (or none). */
static keyed *sorted_dates(const cm_calendar_builder *b)
{
    keyed *k = malloc((b->ndates > 0 ? b->ndates : 1) * sizeof *k);
    if (k == NULL)
        return NULL;
    for (size_t i = 0; i < b->ndates; i++) {
        k[i].key = date_key(&b->dates[i]);
        k[i].index = i;
    }
    qsort(k, b->ndates, sizeof *k, cmp_keyed);
    return k;
}

cm_status cm__builder_check(const cm_calendar_builder *b, const cm__entry **bad)
{
    keyed *k = sorted_dates(b);
    CM_REQUIRE(k != NULL, CM_ENOMEM);
    cm_status st = CM_OK;
    for (size_t i = 0; i < b->ndates && st == CM_OK;) {
        size_t j = i;
        size_t first_closed = SIZE_MAX, first_open = SIZE_MAX, nopen = 0;
        for (; j < b->ndates && k[j].key == k[i].key; j++) {
            const size_t idx = k[j].index;
            if (b->dates[idx].s == CM__CLOSED) {
                if (first_closed == SIZE_MAX)
                    first_closed = idx;
            } else {
                if (first_open == SIZE_MAX)
                    first_open = idx;
                if (++nopen == MAXI + 1) {
                    st = CM_ERANGE;
                    *bad = &b->dates[idx];
                }
            }
        }
        if (st == CM_OK && first_closed != SIZE_MAX && first_open != SIZE_MAX) {
            /* The entry that contradicts an earlier one. */
            st = CM_EINVAL;
            *bad = &b->dates[first_closed > first_open ? first_closed : first_open];
        }
        i = j;
    }
    free(k);
    return st;
}

/* ---------------------------------------------------------------------- */
/* Day kinds                                                              */
/* ---------------------------------------------------------------------- */

static int cmp_ival(const void *pa, const void *pb)
{
    const ival *a = pa, *b = pb;
    if (a->s != b->s)
        return a->s < b->s ? -1 : 1;
    return (a->e > b->e) - (a->e < b->e);
}

/* Sorts and merges iv[0..n) in place (overlapping or touching intervals join); returns the count. */
static uint32_t merge_ivals(ival *iv, uint32_t n)
{
    if (n == 0)
        return 0;
    qsort(iv, n, sizeof *iv, cmp_ival);
    uint32_t m = 0;
    for (uint32_t i = 1; i < n; i++) {
        if (iv[i].s <= iv[m].e) {
            if (iv[i].e > iv[m].e)
                iv[m].e = iv[i].e;
        } else {
            iv[++m] = iv[i];
        }
    }
    return m + 1;
}

static kind kind_of(const cm_calendar *c, int64_t d)
{
    if (c->ndated > 0) {
        uint32_t lo = 0, hi = c->ndated;
        while (lo < hi) {
            const uint32_t mid = lo + (hi - lo) / 2;
            if (c->dated_day[mid] < d)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < c->ndated && c->dated_day[lo] == d)
            return c->dated_kind[lo];
    }
    if (c->nrec > 0) {
        int64_t y;
        int32_t m, dd;
        cm__civil_from_days(d, &y, &m, &dd);
        const int16_t r = c->rec_index[(m - 1) * 31 + dd - 1];
        if (r >= 0)
            return c->rec_kind[r];
    }
    return c->weekly[cm__floor_mod(d + 3, 7)]; /* 1970-01-01 (day 0) was a Thursday */
}

/* First dated entry at or after day d (INT64_MAX when none). */
static int64_t dated_ge(const cm_calendar *c, int64_t d)
{
    uint32_t lo = 0, hi = c->ndated;
    while (lo < hi) {
        const uint32_t mid = lo + (hi - lo) / 2;
        if (c->dated_day[mid] < d)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->ndated ? c->dated_day[lo] : INT64_MAX;
}

/* Last dated entry at or before day d (INT64_MIN when none). */
static int64_t dated_le(const cm_calendar *c, int64_t d)
{
    uint32_t lo = 0, hi = c->ndated;
    while (lo < hi) {
        const uint32_t mid = lo + (hi - lo) / 2;
        if (c->dated_day[mid] <= d)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 ? c->dated_day[lo - 1] : INT64_MIN;
}

static bool rec_hit(const cm_calendar *c, int64_t d)
{
    int64_t y;
    int32_t m, dd;
    cm__civil_from_days(d, &y, &m, &dd);
    return c->rec_index[(m - 1) * 31 + dd - 1] >= 0;
}

/* ---------------------------------------------------------------------- */
/* Periods of a date                                                      */
/* ---------------------------------------------------------------------- */

/* Dates just outside the accepted instants, where searches give up. */
static int64_t date_first(void)
{
    return cm__days_from_civil(0, 12, 29); /* every chunk from here on starts before T_MIN */
}

static int64_t date_end(void)
{
    return cm__days_from_civil(10000, 1, 3); /* its chunk starts after T_MAX */
}

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
    if (l - 2 * DAY - CM__TZ_OFF_MAX >= h->lo && l - CM__TZ_OFF_MIN < h->hi)
        return l - h->off; /* one offset covers all three midnights */
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
    const kind k = kind_of(c, d);
    if (k.closed)
        return 0;
    const kind kp = kind_of(c, d - 1);
    int32_t spill = 0;
    if (!kp.closed && kp.n > 0) {
        const int32_t e = c->ivals[kp.off + kp.n - 1].e; /* merged: the last ends latest */
        if (e > DAY)
            spill = e - DAY;
    }
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

/*
 * Whether the 7 dates d .. d+6 form a plain week: no dated or every-year entry
 * on d-1 .. d+6 and one UTC offset over every instant their periods and chunk
 * bounds can involve. Then their open time is exactly week_open and their
 * chunks span [d*DAY - off, (d+7)*DAY - off).
 */
static bool plain_week(const cm_calendar *c, int64_t d, int32_t *off)
{
    if (dated_ge(c, d - 1) <= d + 6)
        return false;
    if (c->nrec > 0)
        for (int64_t x = d - 1; x <= d + 6; x++)
            if (rec_hit(c, x))
                return false;
    const int64_t lo = (d - 2) * DAY - CM__TZ_OFF_MAX, hi = (d + 8) * DAY - CM__TZ_OFF_MIN;
    int64_t slo, shi;
    cm__tz_segment(c->tz, lo, &slo, &shi, off);
    return shi > hi;
}

/*
 * For calendars where every date without a dated entry is alike (all open,
 * or all closed), the end (exclusive) of the run of such dates starting at d:
 * the next dated entry, or date_end(). Returns d when d itself is affected by
 * an entry (on d, or on d-1 through its spill).
 */
static int64_t plain_run_end(const cm_calendar *c, int64_t d)
{
    const int64_t x = dated_ge(c, d - 1);
    if (x <= d)
        return d;
    return x < date_end() ? x : date_end();
}

/* Backwards: the first date of the run of plain dates ending at d, or d + 1 when d is affected. */
static int64_t plain_run_start(const cm_calendar *c, int64_t d)
{
    const int64_t p = dated_le(c, d);
    if (p >= d - 1)
        return d + 1;
    return p == INT64_MIN || p + 2 < date_first() ? date_first() : p + 2;
}

/* ---------------------------------------------------------------------- */
/* Window                                                                 */
/* ---------------------------------------------------------------------- */

/* Index of the first window period whose end is after r (r in [0, wend - wbase]). */
static inline uint32_t w_find(const cm_calendar *c, uint32_t r)
{
    /* A day holds few periods (usually 0 or 1 begin in it): a short forward scan. */
    const uint32_t d = r / DAY;
    uint32_t lo = c->didx[d], hi = c->didx[d + 1];
    while (hi - lo > 8) {
        const uint32_t mid = lo + (hi - lo) / 2;
        if (c->per[mid].e <= r)
            lo = mid + 1;
        else
            hi = mid;
    }
    while (lo < hi && c->per[lo].e <= r)
        lo++;
    return lo;
}

/* Open seconds of the window before wbase + r. */
static inline uint32_t w_cum(const cm_calendar *c, uint32_t r)
{
    const uint32_t k = w_find(c, r);
    if (k == c->nper)
        return c->total;
    const period *p = &c->per[k];
    return r > p->s ? p->c + (r - p->s) : p->c;
}

static inline uint32_t end_cum(const period *p)
{
    return p->c + (p->e - p->s);
}

/*
 * First index k in [k0, nper) with end_cum(k) >= target (strict: > target),
 * searching forward from k0 by doubling steps, then bisecting.
 */
static uint32_t w_search_up(const cm_calendar *c, uint32_t k0, uint64_t target, bool strict)
{
    uint32_t lo = k0, step = 1, hi = k0;
#define W_PASS(k) (strict ? end_cum(&c->per[k]) > target : end_cum(&c->per[k]) >= target)
    while (hi < c->nper && !W_PASS(hi)) {
        lo = hi + 1;
        hi = (c->nper - hi > step) ? hi + step : c->nper;
        step *= 2;
    }
    if (hi > c->nper - 1)
        hi = c->nper - 1;
    while (lo < hi) {
        const uint32_t mid = lo + (hi - lo) / 2;
        if (W_PASS(mid))
            hi = mid;
        else
            lo = mid + 1;
    }
#undef W_PASS
    return lo;
}

/* First index k in [0, k1] with end_cum(k) > target, searching backward from k1 (which passes). */
static uint32_t w_search_down(const cm_calendar *c, uint32_t k1, uint64_t target)
{
    uint32_t hi = k1, step = 1, lo = k1;
    while (lo > 0 && end_cum(&c->per[lo - 1]) > target) {
        hi = lo - 1;
        lo = hi > step ? hi - step : 0;
        step *= 2;
    }
    while (lo < hi) {
        const uint32_t mid = lo + (hi - lo) / 2;
        if (end_cum(&c->per[mid]) > target)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static cm_status build_window(cm_calendar *c, int32_t first_year, int32_t years)
{
    if (years == 0)
        return CM_OK;
    cm__tz_hint h;
    cm__tz_hint_init(&h);
    /* Only dates whose chunks lie inside the accepted instants whatever the
     * offset (less than 26 h either way): results found in the window never
     * need a range check. */
    int64_t d0 = cm__days_from_civil(first_year, 1, 1);
    int64_t d1 = cm__days_from_civil((int64_t)first_year + years, 1, 1);
    const int64_t lo = cm__days_from_civil(1, 1, 3), hi = cm__days_from_civil(9999, 12, 30);
    d0 = d0 < lo ? lo : d0;
    d1 = d1 > hi ? hi : d1;
    if (d1 <= d0)
        return CM_OK;
    const int64_t base = bound(c, &h, d0), end = bound(c, &h, d1);
    CM_REQUIRE(end - base <= (int64_t)UINT32_MAX - WEEK, CM_ERANGE);
    span *buf = malloc((MAXI + 1) * sizeof *buf);
    CM_REQUIRE(buf != NULL, CM_ENOMEM);
    size_t cap = 1024, n = 0;
    period *per = malloc(cap * sizeof *per);
    cm_status st = per != NULL ? CM_OK : CM_ENOMEM;
    uint64_t cum = 0;
    for (int64_t d = d0; d < d1 && st == CM_OK; d++) {
        const int np = day_periods(c, &h, d, buf);
        for (int i = 0; i < np; i++) {
            const uint32_t s = (uint32_t)(buf[i].s - base), e = (uint32_t)(buf[i].e - base);
            if (n > 0 && s <= per[n - 1].e) { /* touching the previous date's last period */
                cum += e - per[n - 1].e;
                per[n - 1].e = e;
                continue;
            }
            if (n == cap) {
                period *grown = realloc(per, cap * 2 * sizeof *per);
                if (grown == NULL) {
                    st = CM_ENOMEM;
                    break;
                }
                per = grown;
                cap *= 2;
            }
            per[n].s = s;
            per[n].e = e;
            per[n].c = (uint32_t)cum;
            cum += e - s;
            n++;
        }
    }
    free(buf);
    const uint32_t span_secs = (uint32_t)(end - base);
    const uint32_t ndays = span_secs / DAY + 1;
    uint32_t *didx = st == CM_OK ? malloc(((size_t)ndays + 1) * sizeof *didx) : NULL;
    if (st == CM_OK && didx == NULL)
        st = CM_ENOMEM;
    if (st != CM_OK) {
        free(per);
        return st;
    }
    if (n > 0 && n < cap) {
        period *shrunk = realloc(per, n * sizeof *per);
        if (shrunk != NULL)
            per = shrunk;
    }
    uint32_t k = 0;
    for (uint32_t d = 0; d <= ndays; d++) {
        const uint64_t start = (uint64_t)d * DAY;
        while (k < n && per[k].e <= start)
            k++;
        didx[d] = k;
    }
    didx[ndays] = (uint32_t)n;
    c->has_window = true;
    c->wbase = base;
    c->wend = end;
    c->nper = (uint32_t)n;
    c->per = per;
    c->ndays = ndays;
    c->didx = didx;
    c->total = (uint32_t)cum;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Building                                                               */
/* ---------------------------------------------------------------------- */

void cm_calendar_free(cm_calendar *cal)
{
    if (cal == NULL)
        return;
    cm_tz_free(cal->tz);
    free(cal->ivals);
    free(cal->dated_day);
    free(cal->dated_kind);
    free(cal->rec_kind);
    free(cal->per);
    free(cal->didx);
    free(cal);
}

/* Open seconds of the weekly pattern wrapped on a 7-day circle; *full when it covers the week. */
static cm_status weekly_circle(const cm_calendar *c, int64_t *open, bool *full)
{
    uint32_t n = 0;
    for (int w = 0; w < 7; w++)
        n += c->weekly[w].n;
    ival *iv = malloc(((size_t)n * 2 + 1) * sizeof *iv);
    CM_REQUIRE(iv != NULL, CM_ENOMEM);
    uint32_t m = 0;
    for (int w = 0; w < 7; w++) {
        const kind k = c->weekly[w];
        for (uint32_t i = 0; i < k.n; i++) {
            const int32_t s = w * DAY + c->ivals[k.off + i].s;
            const int32_t e = w * DAY + c->ivals[k.off + i].e;
            if (e <= WEEK) {
                iv[m++] = (ival){s, e};
            } else { /* Sunday's overnight hours wrap to Monday */
                iv[m++] = (ival){s, WEEK};
                iv[m++] = (ival){0, e - WEEK};
            }
        }
    }
    m = merge_ivals(iv, m);
    int64_t total = 0;
    for (uint32_t i = 0; i < m; i++)
        total += iv[i].e - iv[i].s;
    free(iv);
    *open = total;
    *full = total == WEEK;
    return CM_OK;
}

/* Appends the merged intervals of the entries ents[idx[0..n)] to the pool. */
static kind add_kind(ival *pool, uint32_t *used, const cm__entry *ents, const size_t *idx, size_t n)
{
    kind k = {*used, 0, false};
    for (size_t i = 0; i < n; i++) {
        const cm__entry *e = &ents[idx[i]];
        if (e->s == CM__CLOSED) {
            k.closed = true;
            continue;
        }
        pool[*used + k.n].s = e->s;
        pool[*used + k.n].e = e->e;
        k.n++;
    }
    k.n = merge_ivals(pool + *used, k.n);
    *used += k.n;
    return k;
}

static cm_status fill_calendar(cm_calendar *c, const cm_calendar_builder *b, keyed *order)
{
    /* Pool sized for every interval before merging. */
    c->ivals = malloc((b->nweekly + b->ndates + 1) * sizeof *c->ivals);
    size_t *idx = malloc((b->nweekly + b->ndates + 1) * sizeof *idx);
    cm_status st = (c->ivals != NULL && idx != NULL) ? CM_OK : CM_ENOMEM;
    uint32_t used = 0;
    for (int w = 0; w < 7 && st == CM_OK; w++) {
        size_t n = 0;
        for (size_t i = 0; i < b->nweekly; i++)
            if (b->weekly[i].month == w + 1)
                idx[n++] = i;
        c->weekly[w] = add_kind(c->ivals, &used, b->weekly, idx, n);
        if (c->weekly[w].n > 0)
            c->bdays_per_week++;
    }
    /* Count the distinct dates, dated and every-year. */
    size_t ndated = 0, nrec = 0;
    for (size_t i = 0; i < b->ndates; i++) {
        if (i > 0 && order[i].key == order[i - 1].key)
            continue;
        if (b->dates[order[i].index].year == CM_CALENDAR_EVERY_YEAR)
            nrec++;
        else
            ndated++;
    }
    if (st == CM_OK) {
        c->dated_day = malloc((ndated + 1) * sizeof *c->dated_day);
        c->dated_kind = malloc((ndated + 1) * sizeof *c->dated_kind);
        c->rec_kind = malloc((nrec + 1) * sizeof *c->rec_kind);
        if (c->dated_day == NULL || c->dated_kind == NULL || c->rec_kind == NULL)
            st = CM_ENOMEM;
    }
    for (int i = 0; i < 12 * 31; i++)
        c->rec_index[i] = -1;
    bool rec_special = false;
    uint32_t rec_closed = 0;
    for (size_t i = 0; i < b->ndates && st == CM_OK;) {
        size_t j = i, n = 0;
        for (; j < b->ndates && order[j].key == order[i].key; j++)
            idx[n++] = order[j].index;
        const cm__entry *e = &b->dates[order[i].index];
        const kind k = add_kind(c->ivals, &used, b->dates, idx, n);
        if (e->year == CM_CALENDAR_EVERY_YEAR) {
            c->rec_index[(e->month - 1) * 31 + e->day - 1] = (int16_t)c->nrec;
            c->rec_kind[c->nrec++] = k;
            if (k.closed)
                rec_closed++;
            else
                rec_special = true;
        } else {
            /* Sorted by (year, month, day), so day numbers ascend. */
            c->dated_day[c->ndated] = cm__days_from_civil(e->year, e->month, e->day);
            c->dated_kind[c->ndated++] = k;
        }
        i = j;
    }
    free(idx);
    CM_TRY(st);
    bool full;
    CM_TRY(weekly_circle(c, &c->week_open, &full));
    c->generic_full = full && c->nrec == 0;
    c->generic_empty = !rec_special && (c->bdays_per_week == 0 || rec_closed == 366);
    return build_window(c, b->cache_first, b->cache_years);
}

cm_status cm_calendar_builder_build(const cm_calendar_builder *b, cm_calendar **out)
{
    CM_REQUIRE(b != NULL && out != NULL, CM_EINVAL);
    const cm__entry *bad;
    CM_TRY(cm__builder_check(b, &bad));
    keyed *order = sorted_dates(b);
    CM_REQUIRE(order != NULL, CM_ENOMEM);
    cm_calendar *c = calloc(1, sizeof *c);
    cm_status st = CM_ENOMEM;
    if (c != NULL) {
        c->tz = b->tz != NULL ? cm__tz_clone(b->tz) : cm__tz_new_fixed(0);
        if (c->tz != NULL)
            st = fill_calendar(c, b, order);
    }
    free(order);
    if (st != CM_OK) {
        cm_calendar_free(c);
        return st;
    }
    *out = c;
    return CM_OK;
}

cm_status cm_calendar_get_tz(const cm_calendar *cal, const cm_tz **out)
{
    CM_REQUIRE(cal != NULL && out != NULL, CM_EINVAL);
    *out = cal->tz;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Walking outside the window                                             */
/* ---------------------------------------------------------------------- */

static bool time_ok(cm_time t)
{
    return t >= T_MIN && t <= T_MAX;
}

/* Open seconds in [x, y), x < y, by walking dates. */
static int64_t walk_sum(const cm_calendar *c, int64_t x, int64_t y)
{
    cm__tz_hint h;
    cm__tz_hint_init(&h);
    span buf[MAXI + 1];
    int64_t d = date_of(c, &h, x), a = bound(c, &h, d), sum = 0;
    while (a < y) {
        if (a >= x) {
            if (c->generic_full || c->generic_empty) {
                const int64_t r = plain_run_end(c, d);
                if (r > d) {
                    const int64_t z = bound(c, &h, r);
                    if (c->generic_full)
                        sum += (z < y ? z : y) - a;
                    if (z >= y)
                        break;
                    d = r;
                    a = z;
                    continue;
                }
            }
            int32_t off;
            if (plain_week(c, d, &off) && (d + 7) * DAY - off <= y) {
                sum += c->week_open;
                d += 7;
                a = d * DAY - off;
                continue;
            }
        }
        const int n = day_periods(c, &h, d, buf);
        for (int i = 0; i < n; i++) {
            const int64_t s = buf[i].s > x ? buf[i].s : x, e = buf[i].e < y ? buf[i].e : y;
            if (e > s)
                sum += e - s;
        }
        d++;
        a = bound(c, &h, d);
    }
    return sum;
}

/*
 * Forward from x: the instant where *rem more open seconds have passed, if
 * that happens before limit; otherwise subtracts the open time of [x, limit)
 * from *rem and returns false.
 */
static bool walk_add_fwd(const cm_calendar *c, int64_t x, int64_t *rem, int64_t limit, int64_t *out)
{
    cm__tz_hint h;
    cm__tz_hint_init(&h);
    span buf[MAXI + 1];
    int64_t d = date_of(c, &h, x), a = bound(c, &h, d);
    while (a < limit) {
        if (a >= x) {
            if (c->generic_full || c->generic_empty) {
                const int64_t r = plain_run_end(c, d);
                if (r > d) {
                    const int64_t z = bound(c, &h, r);
                    if (c->generic_full) {
                        const int64_t avail = (z < limit ? z : limit) - a;
                        if (*rem <= avail) {
                            *out = a + *rem;
                            return true;
                        }
                        *rem -= avail;
                    }
                    d = r;
                    a = z;
                    continue;
                }
            }
            int32_t off;
            if (*rem > c->week_open && plain_week(c, d, &off) && (d + 7) * DAY - off <= limit) {
                *rem -= c->week_open;
                d += 7;
                a = d * DAY - off;
                continue;
            }
        }
        const int n = day_periods(c, &h, d, buf);
        for (int i = 0; i < n; i++) {
            const int64_t s = buf[i].s > x ? buf[i].s : x;
            const int64_t e = buf[i].e < limit ? buf[i].e : limit;
            if (e <= s)
                continue;
            if (*rem <= e - s) {
                *out = s + *rem;
                return true;
            }
            *rem -= e - s;
        }
        d++;
        a = bound(c, &h, d);
    }
    return false;
}

/* Backward from x: like walk_add_fwd over [lower, x), latest instant first. */
static bool walk_add_bwd(const cm_calendar *c, int64_t x, int64_t *rem, int64_t lower, int64_t *out)
{
    cm__tz_hint h;
    cm__tz_hint_init(&h);
    span buf[MAXI + 1];
    int64_t d = date_of(c, &h, x - 1), z = bound(c, &h, d + 1);
    while (z > lower) {
        if (z <= x) {
            if (c->generic_full || c->generic_empty) {
                const int64_t r = plain_run_start(c, d);
                if (r <= d) {
                    const int64_t a = bound(c, &h, r);
                    if (c->generic_full) {
                        const int64_t avail = z - (a > lower ? a : lower);
                        if (*rem <= avail) {
                            *out = z - *rem;
                            return true;
                        }
                        *rem -= avail;
                    }
                    d = r - 1;
                    z = a;
                    continue;
                }
            }
            int32_t off;
            if (*rem > c->week_open && plain_week(c, d - 6, &off) && (d - 6) * DAY - off >= lower) {
                *rem -= c->week_open;
                d -= 7;
                z = (d + 1) * DAY - off;
                continue;
            }
        }
        const int n = day_periods(c, &h, d, buf);
        for (int i = n - 1; i >= 0; i--) {
            const int64_t s = buf[i].s > lower ? buf[i].s : lower;
            const int64_t e = buf[i].e < x ? buf[i].e : x;
            if (e <= s)
                continue;
            if (*rem <= e - s) {
                *out = e - *rem;
                return true;
            }
            *rem -= e - s;
        }
        d--;
        z = bound(c, &h, d + 1);
    }
    return false;
}

/* The first period piece with end > x that starts before limit. */
static bool walk_first(const cm_calendar *c, int64_t x, int64_t limit, span *out)
{
    cm__tz_hint h;
    cm__tz_hint_init(&h);
    span buf[MAXI + 1];
    int64_t d = date_of(c, &h, x), a = bound(c, &h, d);
    while (a < limit) {
        if (c->generic_full || c->generic_empty) {
            const int64_t r = plain_run_end(c, d);
            if (r > d) {
                const int64_t z = bound(c, &h, r);
                if (c->generic_full && z > x && z > a) {
                    out->s = a;
                    out->e = z;
                    return true;
                }
                d = r;
                a = z;
                continue;
            }
        }
        const int n = day_periods(c, &h, d, buf);
        for (int i = 0; i < n; i++) {
            if (buf[i].e > x) {
                if (buf[i].s >= limit)
                    return false;
                *out = buf[i];
                return true;
            }
        }
        d++;
        a = bound(c, &h, d);
    }
    return false;
}

/*
 * Follows touching periods from x up to limit. While *have is false it looks
 * for the first period ending after x, then sets *have and *end; afterwards
 * every period starting at or before *end extends it. Returns true once a gap
 * after *end is certain (the close is known), false when limit was reached.
 */
static bool walk_close(const cm_calendar *c, int64_t x, int64_t limit, bool *have, int64_t *end)
{
    cm__tz_hint h;
    cm__tz_hint_init(&h);
    span buf[MAXI + 1];
    int64_t d = date_of(c, &h, x), a = bound(c, &h, d);
    while (a < limit) {
        if (*have && *end < a)
            return true;
        if (c->generic_full || c->generic_empty) {
            const int64_t r = plain_run_end(c, d);
            if (r > d) {
                int64_t z = bound(c, &h, r);
                if (z > limit)
                    z = limit; /* the caller continues from limit */
                if (c->generic_full && z > a) {
                    if (!*have) {
                        *have = true;
                        *end = z;
                    } else if (z > *end) {
                        *end = z; /* a <= *end here: the run continues the period */
                    }
                }
                d = r;
                a = z;
                continue;
            }
        }
        const int n = day_periods(c, &h, d, buf);
        for (int i = 0; i < n; i++) {
            if (!*have) {
                if (buf[i].e > x) {
                    *have = true;
                    *end = buf[i].e;
                }
            } else if (buf[i].s <= *end) {
                if (buf[i].e > *end)
                    *end = buf[i].e;
            } else {
                return true;
            }
        }
        d++;
        a = bound(c, &h, d);
    }
    return *have && *end < a;
}

/* ---------------------------------------------------------------------- */
/* Operations                                                             */
/* ---------------------------------------------------------------------- */

static inline bool in_window(const cm_calendar *c, int64_t lo, int64_t hi)
{
    return c->has_window && lo >= c->wbase && hi <= c->wend;
}

/* Open seconds in [x, y), x <= y. */
static int64_t open_between(const cm_calendar *c, int64_t x, int64_t y)
{
    if (x >= y)
        return 0;
    if (in_window(c, x, y))
        return (int64_t)w_cum(c, (uint32_t)(y - c->wbase)) - w_cum(c, (uint32_t)(x - c->wbase));
    if (!c->has_window || y <= c->wbase || x >= c->wend)
        return walk_sum(c, x, y);
    int64_t sum = 0;
    if (x < c->wbase) {
        sum += walk_sum(c, x, c->wbase);
        x = c->wbase;
    }
    const int64_t wy = y < c->wend ? y : c->wend;
    sum += (int64_t)w_cum(c, (uint32_t)(wy - c->wbase)) - w_cum(c, (uint32_t)(x - c->wbase));
    if (y > c->wend)
        sum += walk_sum(c, c->wend, y);
    return sum;
}

static inline int64_t elapsed1(const cm_calendar *c, cm_time a, cm_time b)
{
    if (a <= b) {
        if (c->has_window && a >= c->wbase && b <= c->wend)
            return (int64_t)w_cum(c, (uint32_t)(b - c->wbase)) - w_cum(c, (uint32_t)(a - c->wbase));
        return open_between(c, a, b);
    }
    return -open_between(c, b, a);
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

/* add for a start in range; CM_EOVERFLOW when the result leaves the accepted range. */
static cm_status add1(const cm_calendar *c, int64_t t, int64_t n, int64_t *out)
{
    if (n == 0) {
        *out = t;
        return CM_OK;
    }
    int64_t r;
    if (n > 0) {
        int64_t rem = n, x = t;
        if (c->has_window && x >= c->wbase && x < c->wend) {
            const uint32_t rx = (uint32_t)(x - c->wbase);
            const uint32_t k = w_find(c, rx);
            const uint32_t fx = k == c->nper       ? c->total
                                : rx > c->per[k].s ? c->per[k].c + (rx - c->per[k].s)
                                                   : c->per[k].c;
            if (rem <= (int64_t)(c->total - fx)) { /* the fast path */
                const uint64_t target = (uint64_t)fx + (uint64_t)rem;
                const uint32_t j = w_search_up(c, k, target, false);
                *out = c->wbase + c->per[j].s + (int64_t)(target - c->per[j].c);
                return CM_OK;
            }
            rem -= c->total - fx;
            x = c->wend;
        } else if (c->has_window && x < c->wbase) {
            if (walk_add_fwd(c, x, &rem, c->wbase, &r)) {
                *out = r;
                return CM_OK;
            }
            if (rem <= (int64_t)c->total) {
                const uint32_t j = w_search_up(c, 0, (uint64_t)rem, false);
                *out = c->wbase + c->per[j].s + (rem - c->per[j].c);
                return CM_OK;
            }
            rem -= c->total;
            x = c->wend;
        }
        CM_REQUIRE(walk_add_fwd(c, x, &rem, T_MAX + 1, &r) && r <= T_MAX, CM_EOVERFLOW);
        *out = r;
        return CM_OK;
    }
    int64_t rem = n == INT64_MIN ? INT64_MAX : -n, x = t;
    if (c->has_window && x > c->wbase && x <= c->wend) {
        const uint32_t rx = (uint32_t)(x - c->wbase);
        const uint32_t k = w_find(c, rx);
        const uint32_t fx = k == c->nper       ? c->total
                            : rx > c->per[k].s ? c->per[k].c + (rx - c->per[k].s)
                                               : c->per[k].c;
        if (rem <= (int64_t)fx) {
            const uint64_t target = fx - (uint64_t)rem;
            const uint32_t j = w_search_down(c, k < c->nper ? k : c->nper - 1, target);
            *out = c->wbase + c->per[j].s + (int64_t)(target - c->per[j].c);
            return CM_OK;
        }
        rem -= fx;
        x = c->wbase;
    } else if (c->has_window && x > c->wend) {
        if (walk_add_bwd(c, x, &rem, c->wend, &r)) {
            *out = r;
            return CM_OK;
        }
        if (rem <= (int64_t)c->total) {
            const uint64_t target = c->total - (uint64_t)rem;
            const uint32_t j = w_search_down(c, c->nper - 1, target);
            *out = c->wbase + c->per[j].s + (int64_t)(target - c->per[j].c);
            return CM_OK;
        }
        rem -= c->total;
        x = c->wbase;
    }
    CM_REQUIRE(walk_add_bwd(c, x, &rem, T_MIN, &r), CM_EOVERFLOW);
    *out = r;
    return CM_OK;
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
    /* A result that stays inside the window cannot fail; check the others
     * first, so that a failure leaves out untouched. The open seconds before
     * t lie between those before its day's first period and those at the
     * end of the next day's first period (which may have started before t):
     * two loads decide most elements. */
    for (size_t i = 0; i < n; i++) {
        const int64_t t = start[i], s = seconds[i];
        if (cal->has_window && t >= cal->wbase && t < cal->wend) {
            const uint32_t d = (uint32_t)(t - cal->wbase) / DAY;
            const uint32_t k0 = cal->didx[d], k1 = cal->didx[d + 1];
            const int64_t f_lo = k0 < cal->nper ? cal->per[k0].c : cal->total;
            const int64_t f_hi = k1 < cal->nper ? end_cum(&cal->per[k1]) : cal->total;
            if ((s >= 0 && s <= (int64_t)cal->total - f_hi) || (s < 0 && s >= -f_lo))
                continue;
        }
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
    if (c->has_window && t >= c->wbase && t < c->wend) {
        const uint32_t r = (uint32_t)(t - c->wbase);
        const uint32_t k = w_find(c, r);
        return k < c->nper && c->per[k].s <= r;
    }
    cm__tz_hint h;
    cm__tz_hint_init(&h);
    span buf[MAXI + 1];
    const int64_t d = date_of(c, &h, t);
    const int n = day_periods(c, &h, d, buf);
    for (int i = 0; i < n; i++)
        if (buf[i].s <= t && t < buf[i].e)
            return true;
    return false;
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
    span p;
    int64_t x = t;
    if (c->has_window && x < c->wbase) {
        if (walk_first(c, x, c->wbase, &p)) {
            *out = p.s > x ? p.s : x;
            return *out <= T_MAX;
        }
        x = c->wbase;
    }
    if (c->has_window && x < c->wend) {
        const uint32_t r = (uint32_t)(x - c->wbase);
        const uint32_t k = w_find(c, r);
        if (k < c->nper) {
            *out = c->wbase + (c->per[k].s > r ? c->per[k].s : r);
            return *out <= T_MAX;
        }
        x = c->wend;
    }
    if (!walk_first(c, x, T_MAX + 1, &p))
        return false;
    *out = p.s > x ? p.s : x;
    return *out <= T_MAX;
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
    const cm_calendar *c = cal;
    bool have = false;
    int64_t end = 0;
    bool done = false;
    if (!c->has_window) {
        done = walk_close(c, t, T_MAX + 1, &have, &end);
    } else {
        if (t < c->wbase)
            done = walk_close(c, t, c->wbase, &have, &end);
        if (!done && t < c->wend) {
            if (!have) {
                const uint32_t k = w_find(c, (uint32_t)((t > c->wbase ? t : c->wbase) - c->wbase));
                if (k < c->nper) {
                    have = true;
                    end = c->wbase + c->per[k].e;
                }
            } else if (c->nper > 0 && c->wbase + c->per[0].s <= end &&
                       c->wbase + c->per[0].e > end) {
                end = c->wbase + c->per[0].e; /* the window's periods are already merged */
            }
            done = have && end < c->wend;
        }
        if (!done)
            done = walk_close(c, t > c->wend ? t : c->wend, T_MAX + 1, &have, &end);
    }
    (void)done;
    CM_REQUIRE(have && end <= T_MAX, CM_ENOTFOUND);
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
    const kind k = kind_of(c, d);
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
        if (c->nrec == 0) {
            /* Dates d+1 .. x-1 are plain weekly dates: skip whole weeks. */
            const int64_t x = dated_ge(c, d + 1);
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
        }
        d++;
        if (business_day(c, d))
            days--;
    }
    while (days < 0) {
        if (d <= lo)
            return false;
        if (c->nrec == 0) {
            const int64_t x = dated_le(c, d - 1);
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
