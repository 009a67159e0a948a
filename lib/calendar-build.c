/*
 * Business calendars: the builder, and building a calendar from it.
 *
 * A calendar keeps its schedule, not its periods: the merged intervals of
 * each kind of day (the seven weekdays, each dated entry, each yearly rule),
 * the dated entries sorted by day, the yearly rules with, for each of the 14
 * kinds of year, the days they may fall on, the weekly pattern laid on the
 * week's circle with cumulative open seconds, and a reference to its zone.
 * Everything is one allocation whose size depends on the schedule only.
 * The operations are in calendar.c; semantics in docs/calendar.md.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/calendar.h>

#include <string.h>

#include "calendar-internal.h"
#include "common-internal.h"

#define DAY  CM__DAY
#define WEEK CM__WEEK
#define MAXI CM_CALENDAR_MAX_DAY_INTERVALS

_Static_assert(CM_CALENDAR_TIME_MIN == CM_TZ_TIME_MIN && CM_CALENDAR_TIME_MAX == CM_TZ_TIME_MAX,
               "calendars and zones accept the same instants");

/* Accepted for compatibility by cm_calendar_builder_set_cache_years(). */
#define CACHE_FIRST_DEFAULT 1970
#define CACHE_YEARS_DEFAULT 131
#define CACHE_YEARS_MAX     132

/* ---------------------------------------------------------------------- */
/* Sorting without the C library's qsort, which may call malloc           */
/* ---------------------------------------------------------------------- */

typedef int (*cmp_fn)(const void *, const void *);

static void swap_bytes(char *a, char *b, size_t size)
{
    for (size_t i = 0; i < size; i++) {
        const char t = a[i];
        a[i] = b[i];
        b[i] = t;
    }
}

static void sift_down(char *base, size_t root, size_t n, size_t size, cmp_fn cmp)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && cmp(base + child * size, base + (child + 1) * size) < 0)
            child++;
        if (cmp(base + root * size, base + child * size) >= 0)
            return;
        swap_bytes(base + root * size, base + child * size, size);
        root = child;
    }
}

/*
 * Heap sort: in place, O(n log n), no allocation (glibc's qsort may take a
 * buffer from malloc, behind the caller's allocator). Not stable: every
 * comparison below breaks ties where order matters.
 */
static void sort(void *arr, size_t n, size_t size, cmp_fn cmp)
{
    char *base = arr;
    if (n < 2)
        return;
    for (size_t i = n / 2; i-- > 0;)
        sift_down(base, i, n, size, cmp);
    for (size_t end = n - 1; end > 0; end--) {
        swap_bytes(base, base + end * size, size);
        sift_down(base, 0, end, size, cmp);
    }
}

/* ---------------------------------------------------------------------- */
/* Growing lists through the builder's allocator                          */
/* ---------------------------------------------------------------------- */

/* Makes room for one more element of `size` bytes in *arr (n used of *cap). */
static cm_status grow(const cm_calendar_builder *b, void **arr, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return CM_OK;
    const size_t ncap = *cap == 0 ? 16 : *cap * 2;
    CM_REQUIRE(ncap <= SIZE_MAX / size, CM_ENOMEM);
    void *bigger = cm__alloc(cm__builder_alloc(b), ncap * size);
    CM_REQUIRE(bigger != NULL, CM_ENOMEM);
    if (n > 0)
        memcpy(bigger, *arr, n * size);
    cm__free(cm__builder_alloc(b), *arr);
    *arr = bigger;
    *cap = ncap;
    return CM_OK;
}

static cm_status push(cm_calendar_builder *b, cm__entry **arr, size_t *n, size_t *cap, cm__entry e)
{
    void *p = *arr;
    CM_TRY(grow(b, &p, *n, cap, sizeof e));
    *arr = p;
    (*arr)[(*n)++] = e;
    return CM_OK;
}

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

static cm__entry entry(int32_t year, int32_t month, int32_t day, int32_t s, int32_t e,
                       uint32_t line, uint32_t column)
{
    cm__entry en;
    memset(&en, 0, sizeof en);
    en.year = year;
    en.month = month;
    en.day = day;
    en.s = s;
    en.e = e;
    en.line = line;
    en.column = column;
    en.first = 1;
    en.last = 9999;
    en.interval = 1;
    return en;
}

cm_status cm__builder_push_weekly(cm_calendar_builder *b, int32_t weekday, int32_t s, int32_t e,
                                  uint32_t line, uint32_t column)
{
    CM_REQUIRE(weekday >= 1 && weekday <= 7 && interval_ok(s, e), CM_ERANGE);
    CM_REQUIRE(b->per_weekday[weekday - 1] < MAXI, CM_ERANGE);
    CM_TRY(push(b, &b->weekly, &b->nweekly, &b->cap_weekly,
                entry(CM__WEEKLY, weekday, 0, s, e, line, column)));
    b->per_weekday[weekday - 1]++;
    return CM_OK;
}

cm_status cm__builder_push_date(cm_calendar_builder *b, int32_t year, int32_t month, int32_t day,
                                int32_t s, int32_t e, uint32_t flags, uint32_t line,
                                uint32_t column)
{
    CM_REQUIRE(date_ok(year, month, day), CM_ERANGE);
    CM_REQUIRE((s == CM__CLOSED && e == CM__CLOSED) || interval_ok(s, e), CM_ERANGE);
    cm__entry en = entry(year, month, day, s, e, line, column);
    en.flags = (uint16_t)(s == CM__CLOSED ? flags & CM__OBSERVED : 0);
    return push(b, &b->dates, &b->ndates, &b->cap_dates, en);
}

static int cmp_i32(const void *pa, const void *pb)
{
    const int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    return (a > b) - (a < b);
}

cm_status cm__builder_push_yearly(cm_calendar_builder *b, const cm_calendar_yearly *r,
                                  uint32_t line, uint32_t column)
{
    const bool closed = (r->flags & CM_CALENDAR_YEARLY_CLOSED) != 0;
    CM_REQUIRE(r->month >= 1 && r->month <= 12, CM_ERANGE);
    if (r->day != 0) {
        CM_REQUIRE(r->day >= 1 && r->day <= cm__days_in_month(2000, r->month), CM_ERANGE);
    } else {
        CM_REQUIRE(r->weekday >= 1 && r->weekday <= 7, CM_ERANGE);
        CM_REQUIRE(r->nth != 0 && r->nth >= -5 && r->nth <= 5, CM_ERANGE);
    }
    CM_REQUIRE(r->first_year >= 1 && r->first_year <= r->last_year && r->last_year <= 9999,
               CM_ERANGE);
    CM_REQUIRE(r->interval >= 1 && r->interval <= 9999, CM_ERANGE);
    CM_REQUIRE(closed || interval_ok(r->start_seconds, r->end_seconds), CM_ERANGE);
    CM_REQUIRE(r->except_count <= UINT16_MAX, CM_ERANGE);
    for (uint32_t i = 0; i < r->except_count; i++)
        CM_REQUIRE(r->except_years[i] >= 1 && r->except_years[i] <= 9999, CM_ERANGE);
    cm__entry en =
        entry(CM_CALENDAR_EVERY_YEAR, r->month, r->day, closed ? CM__CLOSED : r->start_seconds,
              closed ? CM__CLOSED : r->end_seconds, line, column);
    en.nth = (int16_t)(r->day != 0 ? 0 : r->nth);
    en.wday = (int16_t)(r->day != 0 ? 0 : r->weekday);
    en.first = (int16_t)r->first_year;
    en.last = (int16_t)r->last_year;
    en.interval = (int16_t)r->interval;
    en.flags = (uint16_t)((r->flags & CM_CALENDAR_YEARLY_OBSERVED) ? CM__OBSERVED : 0);
    /* The exception years join the pool, sorted and without repeats. */
    const size_t base = b->nexcept;
    for (uint32_t i = 0; i < r->except_count; i++) {
        void *p = b->except;
        const cm_status st = grow(b, &p, b->nexcept, &b->cap_except, sizeof *b->except);
        b->except = p;
        if (st != CM_OK) {
            b->nexcept = base;
            return st;
        }
        b->except[b->nexcept++] = r->except_years[i];
    }
    size_t n = b->nexcept - base;
    if (n > 1) {
        sort(b->except + base, n, sizeof *b->except, cmp_i32);
        size_t m = 1;
        for (size_t i = 1; i < n; i++)
            if (b->except[base + i] != b->except[base + m - 1])
                b->except[base + m++] = b->except[base + i];
        n = m;
        b->nexcept = base + n;
    }
    en.nexcept = (uint32_t)n;
    en.except_off = (uint32_t)base;
    const cm_status st = push(b, &b->dates, &b->ndates, &b->cap_dates, en);
    if (st != CM_OK)
        b->nexcept = base;
    return st;
}

cm_status cm__builder_except_last(cm_calendar_builder *b, int32_t year)
{
    CM_REQUIRE(b->ndates > 0 && year >= 1 && year <= 9999, CM_ERANGE);
    cm__entry *r = &b->dates[b->ndates - 1];
    CM_REQUIRE(r->year == CM_CALENDAR_EVERY_YEAR && r->nexcept < UINT16_MAX &&
                   r->except_off + r->nexcept == b->nexcept,
               CM_ERANGE);
    size_t at = 0;
    while (at < r->nexcept && b->except[r->except_off + at] < year)
        at++;
    if (at < r->nexcept && b->except[r->except_off + at] == year)
        return CM_OK;
    void *p = b->except;
    CM_TRY(grow(b, &p, b->nexcept, &b->cap_except, sizeof *b->except));
    b->except = p;
    int32_t *ex = b->except + r->except_off;
    memmove(ex + at + 1, ex + at, (r->nexcept - at) * sizeof *ex);
    ex[at] = year;
    r->nexcept++;
    b->nexcept++;
    return CM_OK;
}

void cm__builder_mark_get(const cm_calendar_builder *b, cm__builder_mark *m)
{
    m->nweekly = b->nweekly;
    m->ndates = b->ndates;
    m->nexcept = b->nexcept;
    memcpy(m->per_weekday, b->per_weekday, sizeof m->per_weekday);
}

void cm__builder_mark_restore(cm_calendar_builder *b, const cm__builder_mark *m)
{
    b->nweekly = m->nweekly;
    b->ndates = m->ndates;
    b->nexcept = m->nexcept;
    memcpy(b->per_weekday, m->per_weekday, sizeof m->per_weekday);
}

void cm__builder_take_tz(cm_calendar_builder *b, cm_tz *tz)
{
    cm_tz_free(b->tz);
    b->tz = tz;
}

cm_status cm_calendar_builder_new_with_allocator(const cm_allocator *alloc,
                                                 cm_calendar_builder **out)
{
    CM_REQUIRE(out != NULL && cm__valid_allocator(alloc), CM_EINVAL);
    cm_calendar_builder *b = cm__alloc(alloc, sizeof *b);
    CM_REQUIRE(b != NULL, CM_ENOMEM);
    memset(b, 0, sizeof *b);
    if (alloc != NULL) {
        b->alloc = *alloc;
        b->has_alloc = true;
    }
    b->cache_first = CACHE_FIRST_DEFAULT;
    b->cache_years = CACHE_YEARS_DEFAULT;
    *out = b;
    return CM_OK;
}

cm_status cm_calendar_builder_new(cm_calendar_builder **out)
{
    return cm_calendar_builder_new_with_allocator(NULL, out);
}

void cm_calendar_builder_free(cm_calendar_builder *b)
{
    if (b == NULL)
        return;
    const cm_allocator a = b->alloc;
    const cm_allocator *alloc = b->has_alloc ? &a : NULL;
    cm_tz_free(b->tz);
    cm__free(alloc, b->weekly);
    cm__free(alloc, b->dates);
    cm__free(alloc, b->except);
    cm__free(alloc, b);
}

cm_status cm_calendar_builder_set_tz(cm_calendar_builder *b, const cm_tz *tz)
{
    CM_REQUIRE(b != NULL && tz != NULL, CM_EINVAL);
    cm__builder_take_tz(b, cm__tz_ref(tz));
    return CM_OK;
}

cm_status cm_calendar_builder_set_tz_cache(cm_calendar_builder *b, cm_tz_cache *cache)
{
    CM_REQUIRE(b != NULL, CM_EINVAL);
    b->tz_cache = cache;
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
    return cm__builder_push_date(b, year, month, day, CM__CLOSED, CM__CLOSED, 0, 0, 0);
}

cm_status cm_calendar_builder_add_holiday_observed(cm_calendar_builder *b, int32_t year,
                                                   int32_t month, int32_t day)
{
    CM_REQUIRE(b != NULL, CM_EINVAL);
    CM_REQUIRE(date_ok(year, month, day), CM_ERANGE);
    if (year != CM_CALENDAR_EVERY_YEAR)
        return cm__builder_push_date(b, year, month, day, CM__CLOSED, CM__CLOSED, CM__OBSERVED, 0,
                                     0);
    cm_calendar_yearly r;
    CM_TRY(cm_calendar_yearly_init(&r));
    r.month = month;
    r.day = day;
    r.flags = CM_CALENDAR_YEARLY_CLOSED | CM_CALENDAR_YEARLY_OBSERVED;
    return cm__builder_push_yearly(b, &r, 0, 0);
}

cm_status cm_calendar_builder_add_special(cm_calendar_builder *b, int32_t year, int32_t month,
                                          int32_t day, int32_t start_seconds, int32_t end_seconds)
{
    CM_REQUIRE(b != NULL, CM_EINVAL);
    CM_REQUIRE(interval_ok(start_seconds, end_seconds), CM_ERANGE);
    return cm__builder_push_date(b, year, month, day, start_seconds, end_seconds, 0, 0, 0);
}

cm_status cm_calendar_yearly_init(cm_calendar_yearly *rule)
{
    CM_REQUIRE(rule != NULL, CM_EINVAL);
    memset(rule, 0, sizeof *rule);
    rule->size = sizeof *rule;
    rule->flags = CM_CALENDAR_YEARLY_CLOSED;
    rule->first_year = 1;
    rule->last_year = 9999;
    rule->interval = 1;
    return CM_OK;
}

cm_status cm_calendar_builder_add_yearly(cm_calendar_builder *b, const cm_calendar_yearly *rule)
{
    CM_REQUIRE(b != NULL && rule != NULL && rule->size == sizeof *rule, CM_EINVAL);
    for (size_t i = 0; i < sizeof rule->reserved / sizeof rule->reserved[0]; i++)
        CM_REQUIRE(rule->reserved[i] == 0, CM_EINVAL);
    CM_REQUIRE((rule->flags & ~(CM_CALENDAR_YEARLY_CLOSED | CM_CALENDAR_YEARLY_OBSERVED)) == 0,
               CM_EINVAL);
    CM_REQUIRE(!(rule->flags & CM_CALENDAR_YEARLY_OBSERVED) ||
                   (rule->flags & CM_CALENDAR_YEARLY_CLOSED),
               CM_EINVAL);
    CM_REQUIRE(rule->except_count == 0 || rule->except_years != NULL, CM_EINVAL);
    return cm__builder_push_yearly(b, rule, 0, 0);
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

/* ---------------------------------------------------------------------- */
/* Entries grouped by date (or rule), then by position in the input       */
/* ---------------------------------------------------------------------- */

typedef struct keyed {
    const cm__entry *e;
    const int32_t *except; /* the builder's pool */
    size_t index;
} keyed;

/* Orders dated entries by date and rules by every field but their hours and flags. */
static int cmp_key(const keyed *ka, const keyed *kb)
{
    const cm__entry *a = ka->e, *b = kb->e;
#define CMP_FIELD(f)  \
    if (a->f != b->f) \
    return a->f < b->f ? -1 : 1
    CMP_FIELD(year);
    CMP_FIELD(month);
    CMP_FIELD(day);
    if (a->year != CM_CALENDAR_EVERY_YEAR)
        return 0;
    CMP_FIELD(nth);
    CMP_FIELD(wday);
    CMP_FIELD(first);
    CMP_FIELD(last);
    CMP_FIELD(interval);
    CMP_FIELD(nexcept);
#undef CMP_FIELD
    for (uint32_t i = 0; i < a->nexcept; i++) {
        const int32_t x = ka->except[a->except_off + i], y = kb->except[b->except_off + i];
        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}

static int cmp_keyed(const void *pa, const void *pb)
{
    const keyed *a = pa, *b = pb;
    const int c = cmp_key(a, b);
    if (c != 0)
        return c;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* The date entries' order; NULL when out of memory. */
static keyed *sorted_dates(const cm_calendar_builder *b)
{
    keyed *k = cm__alloc(cm__builder_alloc(b), (b->ndates > 0 ? b->ndates : 1) * sizeof *k);
    if (k == NULL)
        return NULL;
    for (size_t i = 0; i < b->ndates; i++) {
        k[i].e = &b->dates[i];
        k[i].except = b->except;
        k[i].index = i;
    }
    sort(k, b->ndates, sizeof *k, cmp_keyed);
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
        for (; j < b->ndates && cmp_key(&k[j], &k[i]) == 0; j++) {
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
    cm__free(cm__builder_alloc(b), k);
    return st;
}

/* ---------------------------------------------------------------------- */
/* Yearly rules                                                           */
/* ---------------------------------------------------------------------- */

bool cm__rule_date(int32_t month, int32_t day, int32_t wday, int32_t nth, int64_t year,
                   int64_t *out)
{
    const int32_t dim = cm__days_in_month(year, month);
    const int64_t first = cm__days_from_civil(year, month, 1);
    int32_t dd;
    if (day != 0) {
        dd = day;
    } else if (nth > 0) {
        dd = 1 + (wday - cm__weekday(first) + 7) % 7 + 7 * (nth - 1);
    } else {
        dd = dim - (cm__weekday(first + dim - 1) - wday + 7) % 7 + 7 * (nth + 1);
    }
    if (dd < 1 || dd > dim)
        return false;
    *out = first + dd - 1;
    return true;
}

static int cmp_u16(const void *pa, const void *pb)
{
    const uint16_t a = *(const uint16_t *)pa, b = *(const uint16_t *)pb;
    return (a > b) - (a < b);
}

static bool leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/*
 * The days of a year of type `type` (leap * 7 + weekday of 1 January, 0 =
 * Monday) on which some rule may fall, or close as its observed weekday,
 * ignoring the rules' years, intervals and exceptions: the dates of a rule
 * depend on the year's type only. Writes them sorted, without repeats;
 * returns their number.
 */
static uint32_t year_hits(const cm__rule *rules, uint32_t nrules, int type, uint16_t *out)
{
    /* A year of this type (all 14 occur in any 28 consecutive years). */
    int64_t y = 2001;
    for (;; y++) {
        const int64_t jan1 = cm__days_from_civil(y, 1, 1);
        if ((leap(y) ? 7 : 0) + cm__weekday(jan1) - 1 == type)
            break;
    }
    const int64_t jan1 = cm__days_from_civil(y, 1, 1);
    const int64_t len = leap(y) ? 366 : 365;
    uint32_t n = 0;
    for (uint32_t i = 0; i < nrules; i++) {
        const cm__rule *r = &rules[i];
        for (int64_t yy = y - 1; yy <= y + 1; yy++) {
            int64_t d;
            if (!cm__rule_date(r->month, r->day, r->wday, r->nth, yy, &d))
                continue;
            int64_t cand[2] = {d, d};
            if (r->observed) {
                const int32_t wd = cm__weekday(d);
                cand[1] = wd == 6 ? d - 1 : wd == 7 ? d + 1 : d;
            }
            for (int k = 0; k < 2; k++)
                if (cand[k] >= jan1 && cand[k] < jan1 + len && (k == 0 || cand[1] != cand[0]))
                    out[n++] = (uint16_t)(cand[k] - jan1);
        }
    }
    sort(out, n, sizeof *out, cmp_u16);
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++)
        if (m == 0 || out[i] != out[m - 1])
            out[m++] = out[i];
    return m;
}

/* ---------------------------------------------------------------------- */
/* Building                                                               */
/* ---------------------------------------------------------------------- */

static int cmp_ival(const void *pa, const void *pb)
{
    const cm__ival *a = pa, *b = pb;
    if (a->s != b->s)
        return a->s < b->s ? -1 : 1;
    return (a->e > b->e) - (a->e < b->e);
}

/* Sorts and merges iv[0..n) in place (overlapping or touching intervals join); returns the count. */
static uint32_t merge_ivals(cm__ival *iv, uint32_t n)
{
    if (n == 0)
        return 0;
    sort(iv, n, sizeof *iv, cmp_ival);
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

/* Appends the merged intervals of the entries at keys k[0..n) (or of weekly entries) to the pool. */
static cm__kind add_kind(cm__ival *pool, uint32_t *used, const cm__entry *const *ents, size_t n)
{
    cm__kind k = {*used, 0, false};
    for (size_t i = 0; i < n; i++) {
        const cm__entry *e = ents[i];
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

/* Dated entries being gathered: day number, kind, explicit or an observed weekday. */
typedef struct dated {
    int64_t day;
    cm__kind k;
    bool derived;
} dated;

static int cmp_dated(const void *pa, const void *pb)
{
    const dated *a = pa, *b = pb;
    if (a->day != b->day)
        return a->day < b->day ? -1 : 1;
    return (a->derived > b->derived) - (a->derived < b->derived); /* explicit first */
}

static int cmp_rule_order(const void *pa, const void *pb)
{
    const cm__rule *a = pa, *b = pb;
    return (a->order > b->order) - (a->order < b->order);
}

static int cmp_i64(const void *pa, const void *pb)
{
    const int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
    return (a > b) - (a < b);
}

/* Most buckets in the index of the affected dates. */
#define AFF_BUCKETS 1024

/* Most days the per-day index of the affected dates covers (2 bytes each). */
#define AFF_DENSE_DAYS 8192

/* Byte sizes of the calendar's arrays, laid out after the struct. */
typedef struct layout {
    size_t ivals, dated_day, dated_kind, aff, aff_idx, aff_sum, aff_dense, aff_cum, rules, except,
        hits, wk, total;
} layout;

static size_t place(size_t *at, size_t bytes)
{
    const size_t here = (*at + 7) & ~(size_t)7;
    *at = here + bytes;
    return here;
}

/* The weekly pattern on the week's circle: intervals, their cumulative seconds, the day index. */
static void fill_circle(cm_calendar *c, cm__ival *tmp)
{
    uint32_t m = 0;
    for (int w = 0; w < 7; w++) {
        const cm__kind k = c->weekly[w];
        for (uint32_t i = 0; i < k.n; i++) {
            const int32_t s = w * DAY + c->ivals[k.off + i].s;
            const int32_t e = w * DAY + c->ivals[k.off + i].e;
            if (e <= WEEK) {
                tmp[m++] = (cm__ival){s, e};
            } else { /* Sunday's overnight hours wrap to Monday */
                tmp[m++] = (cm__ival){s, WEEK};
                tmp[m++] = (cm__ival){0, e - WEEK};
            }
        }
    }
    m = merge_ivals(tmp, m);
    int64_t total = 0;
    for (uint32_t i = 0; i < m; i++) {
        c->wk[i].s = tmp[i].s;
        c->wk[i].e = tmp[i].e;
        c->wk[i].cum = (int32_t)total;
        total += tmp[i].e - tmp[i].s;
    }
    c->nwk = m;
    c->week_open = total;
    uint32_t i = 0;
    for (int d = 0; d <= 7; d++) {
        while (i < m && c->wk[i].e <= d * DAY)
            i++;
        c->wk_first[d] = i;
    }
}

/* The index of the affected dates: buckets of 2^shift days, at most nb_max of them. */
static void fill_aff_idx(cm_calendar *c, size_t nb_max)
{
    if (c->naff == 0)
        return;
    const int64_t first = c->aff[0], span = (int64_t)c->aff[c->naff - 1] - first;
    uint32_t shift = 0;
    while ((span >> shift) >= (int64_t)nb_max)
        shift++;
    c->aff_shift = shift;
    c->aff_nb = (uint32_t)(span >> shift) + 1;
    uint32_t i = 0;
    for (uint32_t k = 0; k <= c->aff_nb; k++) {
        const int64_t start = first + ((int64_t)k << shift);
        while (i < c->naff && c->aff[i] < start)
            i++;
        c->aff_idx[k] = i;
    }
}

/*
 * The per-day index of the affected dates, when room for it was laid out
 * (ndense_max days, and as many running sums, filled later).
 */
static void fill_aff_dense(cm_calendar *c, uint16_t *dense, int32_t *cum, size_t ndense_max)
{
    if (c->naff == 0 || dense == NULL)
        return;
    const int64_t first = c->aff[0], days = (int64_t)c->aff[c->naff - 1] - first + 1;
    if (days > (int64_t)ndense_max)
        return;
    uint32_t k = 0;
    for (int64_t i = 0; i < days; i++) {
        const bool is = c->aff[k] == first + i;
        dense[i] = (uint16_t)(k * 2 + (is ? 1u : 0u));
        k += is ? 1u : 0u;
    }
    c->aff_dense = dense;
    c->aff_cum = cum;
    c->aff_ndense = (uint32_t)days;
    c->aff_dense_first = first;
}

/* Days the affected dates can span: from the first dated entry's day (less one, for an
 * observed Friday) to the last one's (plus one for an observed Monday, one for its spill). */
static size_t aff_days_bound(const cm_calendar_builder *b)
{
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; i < b->ndates; i++) {
        const cm__entry *e = &b->dates[i];
        if (e->year == CM_CALENDAR_EVERY_YEAR)
            continue;
        const int64_t d = cm__days_from_civil(e->year, e->month, e->day);
        lo = d < lo ? d : lo;
        hi = d > hi ? d : hi;
    }
    return lo > hi ? 0 : (size_t)(hi - lo + 4);
}

/* Years of an instant's neighbourhood where add() cannot leave the accepted range. */
static void fill_safe_margins(cm_calendar *c)
{
    /* The open time of the year before the last accepted one bounds what
     * add() from any earlier instant can consume before the end; likewise
     * the second accepted year for backward moves. */
    const int64_t y9998 = cm__days_from_civil(9998, 1, 1) * DAY;
    const int64_t y9999 = cm__days_from_civil(9999, 1, 1) * DAY;
    const int64_t y2 = cm__days_from_civil(2, 1, 1) * DAY;
    const int64_t y3 = cm__days_from_civil(3, 1, 1) * DAY;
    c->fwd_safe_before = y9998;
    c->fwd_safe_n = cm__calendar_open(c, y9998, y9999);
    c->bwd_safe_from = y3;
    c->bwd_safe_n = cm__calendar_open(c, y2, y3);
}

cm_status cm__calendar_build(const cm_calendar_builder *b, cm_calendar **out)
{
    const cm_allocator *alloc = cm__builder_alloc(b);
    keyed *order = sorted_dates(b);
    CM_REQUIRE(order != NULL, CM_ENOMEM);
    /* Count the groups: dates, and rules. */
    size_t ngroups_dated = 0, ngroups_rules = 0;
    for (size_t i = 0; i < b->ndates; i++) {
        if (i > 0 && cmp_key(&order[i], &order[i - 1]) == 0)
            continue;
        if (order[i].e->year == CM_CALENDAR_EVERY_YEAR)
            ngroups_rules++;
        else
            ngroups_dated++;
    }
    const size_t nivals = b->nweekly + b->ndates + 1;
    const size_t ndated_max = 2 * ngroups_dated + 1;
    const size_t nhits_max = CM__YEAR_TYPES * 6 * ngroups_rules + 1;
    const size_t nwk_max = 2 * b->nweekly + 1;
    layout l;
    size_t at = sizeof(cm_calendar);
    l.ivals = place(&at, nivals * sizeof(cm__ival));
    l.dated_day = place(&at, ndated_max * sizeof(int32_t));
    l.dated_kind = place(&at, ndated_max * sizeof(cm__kind));
    l.aff = place(&at, 2 * ndated_max * sizeof(int32_t));
    const size_t aff_nb_max = 4 * ndated_max < AFF_BUCKETS ? 4 * ndated_max : AFF_BUCKETS;
    l.aff_idx = place(&at, (aff_nb_max + 1) * sizeof(uint32_t));
    l.aff_sum = place(&at, (2 * ndated_max + 1) * sizeof(int64_t));
    /* The per-day index counts up to 2 * naff + 1 in 16 bits. */
    const size_t dense_days = aff_days_bound(b);
    const size_t ndense_max =
        dense_days <= AFF_DENSE_DAYS && 2 * ndated_max < UINT16_MAX / 2 ? dense_days : 0;
    l.aff_dense = place(&at, ndense_max * sizeof(uint16_t));
    l.aff_cum = place(&at, ndense_max * sizeof(int32_t));
    l.rules = place(&at, (ngroups_rules + 1) * sizeof(cm__rule));
    l.except = place(&at, (b->nexcept + 1) * sizeof(int32_t));
    l.hits = place(&at, nhits_max * sizeof(uint16_t));
    l.wk = place(&at, nwk_max * sizeof(cm__wk));
    l.total = at;
    /* Scratch: entry pointers of a group, gathered dates (and, reusing the
     * same space, the circle's intervals). */
    const size_t scratch_n = b->nweekly + b->ndates + ndated_max + nwk_max + 1;
    void *scratch = cm__alloc(alloc, scratch_n * (sizeof(dated) + sizeof(cm__entry *)));
    cm_calendar *c = cm__alloc(alloc, l.total);
    if (c == NULL || scratch == NULL) {
        cm__free(alloc, c);
        cm__free(alloc, scratch);
        cm__free(alloc, order);
        return CM_ENOMEM;
    }
    memset(c, 0, sizeof *c);
    char *base = (char *)c;
    c->ivals = (cm__ival *)(void *)(base + l.ivals);
    c->dated_day = (int32_t *)(void *)(base + l.dated_day);
    c->dated_kind = (cm__kind *)(void *)(base + l.dated_kind);
    c->aff = (int32_t *)(void *)(base + l.aff);
    c->aff_idx = (uint32_t *)(void *)(base + l.aff_idx);
    c->aff_sum = (int64_t *)(void *)(base + l.aff_sum);
    uint16_t *dense = ndense_max > 0 ? (uint16_t *)(void *)(base + l.aff_dense) : NULL;
    int32_t *cum = ndense_max > 0 ? (int32_t *)(void *)(base + l.aff_cum) : NULL;
    c->rules = (cm__rule *)(void *)(base + l.rules);
    c->except = (int32_t *)(void *)(base + l.except);
    c->hits = (uint16_t *)(void *)(base + l.hits);
    c->wk = (cm__wk *)(void *)(base + l.wk);
    if (alloc != NULL) {
        c->alloc = *alloc;
        c->has_alloc = true;
    }
    const cm__entry **group = scratch;
    dated *gathered = (dated *)(void *)(group + b->nweekly + b->ndates + 1);

    /* Weekly kinds. */
    uint32_t used = 0;
    for (int w = 0; w < 7; w++) {
        size_t n = 0;
        for (size_t i = 0; i < b->nweekly; i++)
            if (b->weekly[i].month == w + 1)
                group[n++] = &b->weekly[i];
        c->weekly[w] = add_kind(c->ivals, &used, group, n);
        if (c->weekly[w].n > 0)
            c->bdays_per_week++;
    }
    /* Dated entries, and the observed weekdays of the closed ones. */
    const int64_t day_lo = cm__days_from_civil(1, 1, 1), day_hi = cm__days_from_civil(9999, 12, 31);
    size_t ng = 0;
    bool rec_special = false;
    uint32_t rec_closed = 0;
    uint32_t eused = 0;
    for (size_t i = 0; i < b->ndates;) {
        size_t j = i, n = 0;
        bool observed = false;
        for (; j < b->ndates && cmp_key(&order[j], &order[i]) == 0; j++) {
            group[n++] = order[j].e;
            observed |= (order[j].e->flags & CM__OBSERVED) != 0;
        }
        const cm__entry *e = order[i].e;
        const cm__kind k = add_kind(c->ivals, &used, group, n);
        if (e->year == CM_CALENDAR_EVERY_YEAR) {
            cm__rule *r = &c->rules[c->nrules++];
            r->month = (int8_t)e->month;
            r->day = (int8_t)(e->nth == 0 ? e->day : 0);
            r->wday = (int8_t)e->wday;
            r->nth = (int8_t)e->nth;
            r->observed = observed && k.closed;
            r->first = e->first;
            r->last = e->last;
            r->interval = e->interval;
            r->order = (uint32_t)order[i].index;
            r->eoff = eused;
            r->nexcept = e->nexcept;
            if (e->nexcept > 0) /* b->except is NULL until a rule has excepted years */
                memcpy(c->except + eused, b->except + e->except_off, e->nexcept * sizeof(int32_t));
            eused += e->nexcept;
            r->k = k;
            if (!k.closed)
                rec_special = true;
            else if (e->nth == 0 && e->first == 1 && e->last == 9999 && e->interval == 1 &&
                     e->nexcept == 0)
                rec_closed++; /* distinct month and day: keys differ */
        } else {
            const int64_t d = cm__days_from_civil(e->year, e->month, e->day);
            gathered[ng++] = (dated){d, k, false};
            if (observed && k.closed) {
                const int32_t wd = cm__weekday(d);
                const int64_t o = wd == 6 ? d - 1 : wd == 7 ? d + 1 : d;
                if (o != d && o >= day_lo && o <= day_hi)
                    gathered[ng++] = (dated){o, (cm__kind){0, 0, true}, true};
            }
        }
        i = j;
    }
    sort(gathered, ng, sizeof *gathered, cmp_dated);
    for (size_t i = 0; i < ng; i++) {
        if (c->ndated > 0 && c->dated_day[c->ndated - 1] == gathered[i].day)
            continue; /* an explicit entry (sorted first) or another observed closing */
        c->dated_day[c->ndated] = (int32_t)gathered[i].day;
        c->dated_kind[c->ndated++] = gathered[i].k;
    }
    /* The dates a dated entry changes: its own and, through the overnight
     * spill, the next. Both lists are sorted, so a merge. */
    {
        int64_t *aff = (int64_t *)(void *)gathered; /* the gathered dates are copied out */
        uint32_t n = 0;
        for (uint32_t i = 0; i < c->ndated; i++) {
            aff[n++] = c->dated_day[i];
            aff[n++] = (int64_t)c->dated_day[i] + 1;
        }
        sort(aff, n, sizeof *aff, cmp_i64);
        for (uint32_t i = 0; i < n; i++)
            if (c->naff == 0 || c->aff[c->naff - 1] != aff[i])
                c->aff[c->naff++] = (int32_t)aff[i];
        fill_aff_idx(c, aff_nb_max);
        fill_aff_dense(c, dense, cum, ndense_max);
    }
    /* Rules in the order they were added: on a date where several give
     * hours, the first one's apply. */
    sort(c->rules, c->nrules, sizeof *c->rules, cmp_rule_order);
    /* The days of each type of year that rules may change. */
    uint32_t h = 0;
    for (int t = 0; t < CM__YEAR_TYPES; t++) {
        c->hit_at[t] = h;
        if (c->nrules > 0)
            h += year_hits(c->rules, c->nrules, t, c->hits + h);
    }
    c->hit_at[CM__YEAR_TYPES] = h;
    fill_circle(c, (cm__ival *)(void *)gathered);
    /* How far from its midnight a date's conversions reach. */
    int32_t reach = DAY;
    for (uint32_t i = 0; i < used; i++)
        reach = c->ivals[i].e > reach ? c->ivals[i].e : reach;
    c->fwd = reach;
    cm_tz *tz = b->tz != NULL ? cm__tz_ref(b->tz) : cm__tz_new_fixed(0, alloc);
    cm__free(alloc, scratch);
    cm__free(alloc, order);
    if (tz == NULL) {
        cm__free(alloc, c);
        return CM_ENOMEM;
    }
    c->tz = tz;
    c->min_off = tz->min_off;
    c->max_off = tz->max_off;
    /* Offsets a day or more apart: a date's start may be a midnight before its own. */
    c->back = c->max_off - c->min_off >= DAY ? 2 * DAY : 0;
    c->flat_before = (int64_t)DAY + c->back + c->max_off - c->min_off;
    c->flat_after = (int64_t)c->fwd + c->max_off - c->min_off;
    c->generic_full = c->week_open == WEEK && c->nrules == 0;
    c->generic_empty = !rec_special && (c->bdays_per_week == 0 || rec_closed == 366);
    cm__calendar_fill_index(c);
    fill_safe_margins(c);
    *out = c;
    return CM_OK;
}

cm_status cm_calendar_builder_build(const cm_calendar_builder *b, cm_calendar **out)
{
    CM_REQUIRE(b != NULL && out != NULL, CM_EINVAL);
    const cm__entry *bad;
    CM_TRY(cm__builder_check(b, &bad));
    return cm__calendar_build(b, out);
}

void cm_calendar_free(cm_calendar *cal)
{
    if (cal == NULL)
        return;
    cm_tz_free(cal->tz);
    const cm_allocator a = cal->alloc;
    cm__free(cal->has_alloc ? &a : NULL, cal);
}

cm_status cm_calendar_get_tz(const cm_calendar *cal, const cm_tz **out)
{
    CM_REQUIRE(cal != NULL && out != NULL, CM_EINVAL);
    *out = cal->tz;
    return CM_OK;
}
