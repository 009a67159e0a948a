/*
 * Time zones: TZif reader (RFC 8536, versions 1 to 4), POSIX TZ rules, the
 * UTC <-> local conversions with the "compatible" rule, reference counting,
 * and the cache that shares zones by name. This layer knows nothing of
 * calendars.
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* open, read, close: no stdio buffer to allocate */
#include <caremetrics/tz.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common-internal.h"
#include "tz-internal.h"

#define DAY 86400

static bool time_ok(cm_time t)
{
    return t >= CM_TZ_TIME_MIN && t <= CM_TZ_TIME_MAX;
}

/* ---------------------------------------------------------------------- */
/* POSIX TZ rules: the events of a year                                   */
/* ---------------------------------------------------------------------- */

static bool is_leap_year(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days since 1970-01-01 of a rule date in a given year (POSIX 8.3, TZ). */
/* The day (since 1970-01-01) of a rule's date in a year whose 1 January is day jan1. */
static int64_t rule_date_days(const cm__tz_rule_date *d, int64_t jan1, bool leap)
{
    static const int32_t before[13] = {0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    static const int32_t length[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    switch (d->kind) {
    case 'J': /* 1..365, February 29 never counted */
        return jan1 + d->a - 1 + (leap && d->a >= 60 ? 1 : 0);
    case 'N': /* 0..365, February 29 counted */
        return jan1 + d->a;
    default: { /* Mm.w.d: day d (0 = Sunday) of week w (5 = last) of month m */
        const int64_t first = jan1 + before[d->a] + (leap && d->a > 2 ? 1 : 0);
        const int64_t first_wday = cm__floor_mod(first + 4, 7); /* 1970-01-01 was a Thursday */
        int64_t day = cm__floor_mod(d->wday - first_wday, 7) + 7 * (d->week - 1);
        const int32_t dim = length[d->a] + (leap && d->a == 2 ? 1 : 0);
        while (day >= dim)
            day -= 7;
        return first + day;
    }
    }
}

/* The two rule events of a year (1 January on day jan1), as UTC instants. */
static void rule_events_of(const cm__tz_rule *r, int64_t jan1, bool leap, int64_t *start,
                           int64_t *end)
{
    *start = rule_date_days(&r->start, jan1, leap) * DAY + r->start.secs - r->std_off;
    *end = rule_date_days(&r->end, jan1, leap) * DAY + r->end.secs - r->dst_off;
}

/*
 * Fills the sorted events of a rule with DST: those of the years around one
 * 400-year cycle, ascending, an end before a start at the same instant (so
 * that a rule with DST all year, start Jan 1 00:00 and end Dec 31 24:00 + the
 * saving as RFC 8536 section 3.3.1 writes it, stays in DST), each with the
 * offset it brings. The offset at t is that of the latest event <= t.
 */
static void fill_events(const cm__tz_rule *r, int64_t *ev, int32_t *ev_off)
{
    size_t n = 0;
    const int64_t first = CM__TZ_CYCLE_BASE - CM__TZ_CYCLE_EXTRA;
    const int64_t last = CM__TZ_CYCLE_BASE + CM__TZ_CYCLE_YEARS + CM__TZ_CYCLE_EXTRA - 1;
    int64_t jan1 = cm__days_from_civil(first, 1, 1);
    for (int64_t y = first; y <= last; y++) {
        const bool leap = is_leap_year(y);
        int64_t s, e;
        rule_events_of(r, jan1, leap, &s, &e);
        jan1 += leap ? 366 : 365;
        const int64_t t[2] = {s, e};
        for (int k = 0; k < 2; k++) {
            /* Insertion: the years come in order, so this moves an event past
             * at most a few of the previous year's. */
            const bool is_start = k == 0;
            size_t j = n++;
            /* has_dst: dst_off != std_off, so the offset tells a start from an end */
            while (j > 0 && (ev[j - 1] > t[k] ||
                             (ev[j - 1] == t[k] && !is_start && ev_off[j - 1] == r->dst_off))) {
                ev[j] = ev[j - 1];
                ev_off[j] = ev_off[j - 1];
                j--;
            }
            ev[j] = t[k];
            ev_off[j] = is_start ? r->dst_off : r->std_off;
        }
    }
}

/* ---------------------------------------------------------------------- */
/* Lookups                                                                */
/* ---------------------------------------------------------------------- */

/*
 * The rule's segment containing t: the latest event <= t and the earliest
 * event > t, found in the sorted events after shifting t by whole cycles into
 * the cycle's years (2000..2399), and the offset the first one brings.
 */
static void rule_segment(const cm_tz *tz, int64_t t, int64_t *lo, int64_t *hi, int32_t *off)
{
    static const int64_t base = 946684800; /* 2000-01-01T00:00:00Z */
    const int64_t q = cm__floor_div(t - base, CM__TZ_CYCLE_SECS);
    const int64_t shift = q * CM__TZ_CYCLE_SECS, u = t - shift;
    /* ev[0] (in 1998) <= u < ev[nev - 1] (in 2401): the last event <= u exists, and one after it. */
    uint32_t a = 0, b = tz->nev - 1;
    if (tz->ev_idx != NULL) {
        /* 0 <= u - base < CM__TZ_CYCLE_SECS: the events <= u are those up to
         * u's bucket and some of it. */
        uint32_t n = tz->ev_idx[(u - base) >> CM__TZ_EV_SHIFT];
        while (tz->ev[n] <= u) /* stops at ev[nev - 1] at the latest */
            n++;
        a = n - 1;
        b = n;
    }
    while (b - a > 1) {
        const uint32_t mid = a + (b - a) / 2;
        if (tz->ev[mid] <= u)
            a = mid;
        else
            b = mid;
    }
    *lo = tz->ev[a] + shift;
    *hi = tz->ev[a + 1] + shift;
    *off = tz->ev_off[a];
}

int32_t cm__tz_offset(const cm_tz *tz, int64_t t)
{
    int64_t lo, hi;
    int32_t off;
    cm__tz_segment_quick(tz, t, &lo, &hi, &off);
    return off;
}

void cm__tz_segment_tail(const cm_tz *tz, int64_t t, int64_t *lo, int64_t *hi, int32_t *off)
{
    const int64_t floor = tz->ntrans > 0 ? tz->trans[tz->ntrans - 1] : INT64_MIN;
    if (!tz->has_rule || !tz->rule.has_dst) {
        *lo = floor;
        *hi = INT64_MAX;
        *off = tz->has_rule ? tz->rule.std_off
                            : (tz->ntrans > 0 ? tz->offs[tz->ntrans - 1] : tz->initial_off);
        return;
    }
    int64_t p;
    rule_segment(tz, t, &p, hi, off);
    *lo = p > floor ? p : floor;
}

void cm__tz_segment(const cm_tz *tz, int64_t t, int64_t *lo, int64_t *hi, int32_t *off)
{
    cm__tz_segment_quick(tz, t, lo, hi, off);
}

/*
 * Fills a hint with the segment holding t and the nearer of its neighbours:
 * the conversions of the dates next to that change then need no look-up.
 */
static void hint_fill(const cm_tz *tz, int64_t t, cm__tz_hint *h)
{
    int64_t lo, hi, nlo, nhi;
    int32_t off, noff;
    cm__tz_segment_quick(tz, t, &lo, &hi, &off);
    if (hi != INT64_MAX &&
        (lo == INT64_MIN || (uint64_t)hi - (uint64_t)t <= (uint64_t)t - (uint64_t)lo)) {
        cm__tz_segment_quick(tz, hi, &nlo, &nhi, &noff);
        *h = (cm__tz_hint){lo, hi, nhi, off, noff};
    } else if (lo != INT64_MIN) {
        cm__tz_segment_quick(tz, lo - 1, &nlo, &nhi, &noff);
        *h = (cm__tz_hint){nlo, lo, hi, noff, off};
    } else {
        *h = (cm__tz_hint){lo, hi, hi, off, off};
    }
}

int64_t cm__tz_from_local(const cm_tz *tz, int64_t local, cm__tz_hint *hint)
{
    /* Every solution of t + offset(t) = local lies in [a, b]: the zone's
     * offsets are in [min_off, max_off]. */
    const int64_t a = local - tz->max_off, b = local - tz->min_off;
    if (hint != NULL && a >= hint->lo && b < hint->hi) {
        /* The hint's two segments cover every candidate. The earliest
         * solution is in the first when there is one; else in the second;
         * else local is in the gap between them, and moves forward by it. */
        const int64_t c1 = local - hint->off1, c2 = local - hint->off2;
        return c1 >= hint->mid && c2 >= hint->mid ? c2 : c1;
    }
    int64_t lo, hi;
    int32_t off;
    cm__tz_segment(tz, a, &lo, &hi, &off);
    /* Offset of the last segment whose local start is <= local: the offset in
     * force before a gap. The first segment qualifies, as a + off <= local. */
    int32_t before = off;
    int64_t result;
    for (;;) {
        const int64_t cand = local - off;
        if (cand >= lo && cand < hi) {
            result = cand; /* the earliest segment holding a solution */
            break;
        }
        if (hi > b) {
            result = local - before; /* a gap: move forward by it */
            break;
        }
        const int64_t t = hi;
        cm__tz_segment(tz, t, &lo, &hi, &off);
        if (t + off <= local)
            before = off;
    }
    if (hint != NULL)
        hint_fill(tz, result, hint);
    return result;
}

/* ---------------------------------------------------------------------- */
/* Construction and references                                            */
/* ---------------------------------------------------------------------- */

/* A zone with room for ntrans transitions and, when `events`, the rule's sorted events. */
static cm_tz *tz_alloc(uint32_t ntrans, bool events, const cm_allocator *alloc)
{
    const size_t nev = events ? CM__TZ_EVENTS : 0;
    /* A stretch per transition and rule event in the flat table's span, and
     * the one before; bucket entries name at most CM__TZ_FLAT_MAX. */
    const size_t nstretch = 1 + (size_t)ntrans + (events ? 2 * CM__TZ_FLAT_YEARS : 0);
    const bool flat = (ntrans > 0 || events) && nstretch <= CM__TZ_FLAT_MAX;
    /* The flat table answers for the transition index's span: the index is
     * for zones too large to keep one. */
    const size_t nidx = ntrans > 0 && !flat ? CM__TZ_IDX_BUCKETS + 1 : 0;
    const size_t nev_idx = events ? (size_t)CM__TZ_EV_BUCKETS + 1 : 0;
    const size_t nflat = flat ? CM__TZ_FLAT_BUCKETS : 0;
    const size_t size = sizeof(cm_tz) + (ntrans + nev) * sizeof(int64_t) +
                        (flat ? nstretch : 0) * sizeof(cm__tz_stretch) +
                        (ntrans + nev) * sizeof(int32_t) + (nidx + nev_idx) * sizeof(uint32_t) +
                        nflat * sizeof(uint16_t);
    cm_tz *tz = cm__alloc(alloc, size);
    if (tz == NULL)
        return NULL;
    memset(tz, 0, sizeof *tz);
    atomic_init(&tz->refs, 1);
    if (alloc != NULL) {
        tz->alloc = *alloc;
        tz->has_alloc = true;
    }
    tz->ntrans = ntrans;
    tz->nev = (uint32_t)nev;
    /* Widest members first: every array stays aligned. */
    int64_t *times = tz->data;
    cm__tz_stretch *stretch = (cm__tz_stretch *)(void *)(times + ntrans + nev);
    int32_t *offs = (int32_t *)(void *)(stretch + (flat ? nstretch : 0));
    tz->trans = times;
    tz->ev = times + ntrans;
    tz->offs = offs;
    tz->ev_off = offs + ntrans;
    uint32_t *counts = (uint32_t *)(offs + ntrans + nev);
    tz->idx = nidx > 0 ? counts : NULL;
    tz->ev_idx = nev_idx > 0 ? counts + nidx : NULL;
    if (flat) {
        tz->stretch = stretch;
        tz->nstretch = (uint32_t)nstretch;
        tz->flat = (uint16_t *)(counts + nidx + nev_idx);
    }
    return tz;
}

/*
 * Fills counts[k], k = 0 .. nb, with the number of the ascending times t[0 ..
 * n) at or before base + k * 2^shift: a run of equal counts per time.
 */
static void fill_counts(const int64_t *t, uint32_t n, int64_t base, int shift, int64_t nb,
                        uint32_t *counts)
{
    int64_t k = 0;
    const int64_t last = base + (nb << shift); /* the last bucket's start */
    for (uint32_t i = 0; i < n && k <= nb; i++) {
        /* The buckets that start before t[i] (and at or after t[i - 1]) count i. */
        const int64_t kk = t[i] <= base  ? 0
                           : t[i] > last ? nb + 1
                                         : ((t[i] - base - 1) >> shift) + 1;
        for (; k < kk; k++)
            counts[k] = i;
    }
    for (; k <= nb; k++)
        counts[k] = n;
}

/* Gives a new zone its rule (and the rule's events) and its range of offsets. */
static void finish(cm_tz *tz, const cm__tz_rule *r)
{
    if (r != NULL) {
        tz->has_rule = true;
        tz->rule = *r;
        if (r->has_dst)
            fill_events(r, tz->ev, tz->ev_off);
    }
    int32_t lo = tz->initial_off, hi = tz->initial_off;
    for (uint32_t i = 0; i < tz->ntrans; i++) {
        lo = tz->offs[i] < lo ? tz->offs[i] : lo;
        hi = tz->offs[i] > hi ? tz->offs[i] : hi;
    }
    if (tz->has_rule) {
        const int32_t o[2] = {tz->rule.std_off,
                              tz->rule.has_dst ? tz->rule.dst_off : tz->rule.std_off};
        for (int k = 0; k < 2; k++) {
            lo = o[k] < lo ? o[k] : lo;
            hi = o[k] > hi ? o[k] : hi;
        }
    }
    tz->min_off = lo;
    tz->max_off = hi;
    if (tz->idx != NULL)
        fill_counts(tz->trans, tz->ntrans, CM__TZ_IDX_BASE, CM__TZ_IDX_SHIFT, CM__TZ_IDX_BUCKETS,
                    tz->idx);
    if (tz->ev_idx != NULL)
        fill_counts(tz->ev, tz->nev, CM__TZ_EV_BASE, CM__TZ_EV_SHIFT, CM__TZ_EV_BUCKETS,
                    tz->ev_idx);
    if (tz->flat != NULL) {
        /* The segments over the span, one look-up each, and the one holding
         * each bucket's start. */
        const int64_t span_end =
            CM__TZ_IDX_BASE + ((int64_t)CM__TZ_FLAT_BUCKETS << CM__TZ_FLAT_SHIFT);
        uint32_t n = 0;
        int64_t k = 0;
        for (int64_t t = CM__TZ_IDX_BASE; t < span_end; n++) {
            int64_t seg_lo, seg_hi;
            int32_t off;
            if (n == tz->nstretch) {
                tz->flat = NULL; /* more segments than counted: no table */
                break;
            }
            cm__tz_segment_walk(tz, t, &seg_lo, &seg_hi, &off);
            if (n == 0)
                tz->flat_lo = seg_lo;
            tz->stretch[n].end = seg_hi;
            tz->stretch[n].off = off;
            /* The buckets that start in [t, seg_hi). */
            const int64_t k_end = seg_hi >= span_end
                                      ? CM__TZ_FLAT_BUCKETS
                                      : ((seg_hi - CM__TZ_IDX_BASE - 1) >> CM__TZ_FLAT_SHIFT) + 1;
            for (; k < k_end; k++)
                tz->flat[k] = (uint16_t)n;
            t = seg_hi;
        }
    }
}

cm_tz *cm__tz_new_fixed(int32_t off, const cm_allocator *alloc)
{
    cm_tz *tz = tz_alloc(0, false, alloc);
    if (tz != NULL) {
        tz->initial_off = off;
        finish(tz, NULL);
    }
    return tz;
}

cm_tz *cm__tz_ref(const cm_tz *tz)
{
    cm_tz *t = (cm_tz *)(uintptr_t)tz; /* the count is not part of the zone's value */
    atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
    return t;
}

cm_status cm_tz_ref(const cm_tz *tz, cm_tz **out)
{
    CM_REQUIRE(tz != NULL && out != NULL, CM_EINVAL);
    *out = cm__tz_ref(tz);
    return CM_OK;
}

void cm_tz_free(cm_tz *tz)
{
    if (tz == NULL)
        return;
    if (atomic_fetch_sub_explicit(&tz->refs, 1, memory_order_release) != 1)
        return;
    atomic_thread_fence(memory_order_acquire); /* every holder's last use happens before */
    const cm_allocator a = tz->alloc;
    cm__free(tz->has_alloc ? &a : NULL, tz);
}

/* ---------------------------------------------------------------------- */
/* POSIX TZ strings                                                       */
/* ---------------------------------------------------------------------- */

typedef struct scan {
    const char *s;
    size_t len, pos;
} scan;

static bool sc_peek(const scan *c, char ch)
{
    return c->pos < c->len && c->s[c->pos] == ch;
}

static bool sc_accept(scan *c, char ch)
{
    if (!sc_peek(c, ch))
        return false;
    c->pos++;
    return true;
}

static bool sc_digit(const scan *c)
{
    return c->pos < c->len && c->s[c->pos] >= '0' && c->s[c->pos] <= '9';
}

static bool sc_alpha_at(const scan *c, size_t i)
{
    const char ch = c->s[i];
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
}

/* 1..max_digits decimal digits. */
static bool sc_number(scan *c, int max_digits, int32_t *v)
{
    int32_t x = 0;
    int n = 0;
    while (sc_digit(c) && n < max_digits) {
        x = x * 10 + (c->s[c->pos++] - '0');
        n++;
    }
    if (n == 0 || sc_digit(c))
        return false;
    *v = x;
    return true;
}

/* A zone abbreviation: three or more letters, or <...> of [A-Za-z0-9+-]. */
static bool sc_name(scan *c)
{
    const size_t start = c->pos;
    if (sc_accept(c, '<')) {
        while (c->pos < c->len && c->s[c->pos] != '>') {
            const char ch = c->s[c->pos];
            if (!(sc_alpha_at(c, c->pos) || (ch >= '0' && ch <= '9') || ch == '+' || ch == '-'))
                return false;
            c->pos++;
        }
        if (c->pos - start - 1 < 3 || !sc_accept(c, '>'))
            return false;
        return true;
    }
    while (c->pos < c->len && sc_alpha_at(c, c->pos))
        c->pos++;
    return c->pos - start >= 3;
}

/* [+-]h[h][h][:mm[:ss]] with hours 0..max_hours; seconds, signed as written. */
static bool sc_hms(scan *c, int32_t max_hours, int32_t *secs)
{
    int32_t sign = 1, h, m = 0, s = 0;
    if (sc_accept(c, '-'))
        sign = -1;
    else
        (void)sc_accept(c, '+');
    if (!sc_number(c, 3, &h) || h > max_hours)
        return false;
    if (sc_accept(c, ':')) {
        if (!sc_number(c, 2, &m) || m > 59)
            return false;
        if (sc_accept(c, ':') && (!sc_number(c, 2, &s) || s > 59))
            return false;
    }
    *secs = sign * (h * 3600 + m * 60 + s);
    return true;
}

static bool sc_rule_date(scan *c, cm__tz_rule_date *d)
{
    int32_t v;
    d->week = 0;
    d->wday = 0;
    if (sc_accept(c, 'J')) {
        if (!sc_number(c, 3, &v) || v < 1 || v > 365)
            return false;
        d->kind = 'J';
        d->a = (int16_t)v;
    } else if (sc_accept(c, 'M')) {
        int32_t w, wd;
        if (!sc_number(c, 2, &v) || v < 1 || v > 12 || !sc_accept(c, '.') || !sc_number(c, 1, &w) ||
            w < 1 || w > 5 || !sc_accept(c, '.') || !sc_number(c, 1, &wd) || wd > 6)
            return false;
        d->kind = 'M';
        d->a = (int16_t)v;
        d->week = (int16_t)w;
        d->wday = (int16_t)wd;
    } else {
        if (!sc_number(c, 3, &v) || v > 365)
            return false;
        d->kind = 'N';
        d->a = (int16_t)v;
    }
    d->secs = 7200; /* default 02:00:00 */
    /* RFC 8536 section 3.3.1: hours may be signed and run from -167 to 167. */
    if (sc_accept(c, '/') && !sc_hms(c, 167, &d->secs))
        return false;
    return true;
}

static bool off_ok(int32_t off)
{
    return off >= CM__TZ_OFF_MIN && off <= CM__TZ_OFF_MAX;
}

/* Parses a whole POSIX TZ string of len bytes. */
static bool posix_parse(const char *s, size_t len, cm__tz_rule *out)
{
    scan c = {s, len, 0};
    cm__tz_rule r;
    memset(&r, 0, sizeof r);
    int32_t west;
    if (!sc_name(&c) || !sc_hms(&c, 24, &west))
        return false;
    r.std_off = -west; /* POSIX offsets are positive west of Greenwich */
    if (c.pos < c.len) {
        if (!sc_name(&c))
            return false;
        r.dst_off = r.std_off + 3600;
        if (!sc_peek(&c, ',') && c.pos < c.len) {
            if (!sc_hms(&c, 24, &west))
                return false;
            r.dst_off = -west;
        }
        /* A DST name without rules would need implementation-defined rules: refuse. */
        if (!sc_accept(&c, ',') || !sc_rule_date(&c, &r.start) || !sc_accept(&c, ',') ||
            !sc_rule_date(&c, &r.end))
            return false;
        r.has_dst = r.dst_off != r.std_off;
    }
    if (c.pos != c.len || !off_ok(r.std_off) || !off_ok(r.dst_off))
        return false;
    *out = r;
    return true;
}

cm_status cm_tz_from_posix_with_allocator(const char *tz, const cm_allocator *alloc, cm_tz **out)
{
    CM_REQUIRE(tz != NULL && out != NULL && cm__valid_allocator(alloc), CM_EINVAL);
    cm__tz_rule r;
    CM_REQUIRE(posix_parse(tz, strlen(tz), &r), CM_EPARSE);
    cm_tz *z = tz_alloc(0, r.has_dst, alloc);
    CM_REQUIRE(z != NULL, CM_ENOMEM);
    z->initial_off = r.std_off;
    finish(z, &r);
    *out = z;
    return CM_OK;
}

cm_status cm_tz_from_posix(const char *tz, cm_tz **out)
{
    return cm_tz_from_posix_with_allocator(tz, NULL, out);
}

/* ---------------------------------------------------------------------- */
/* TZif (RFC 8536)                                                        */
/* ---------------------------------------------------------------------- */

typedef struct reader {
    const uint8_t *p;
    size_t len, pos;
} reader;

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int64_t be_time(const uint8_t *p, size_t size)
{
    if (size == 4)
        return (int64_t)(int32_t)be32(p);
    return (int64_t)(((uint64_t)be32(p) << 32) | be32(p + 4));
}

typedef struct tzif_header {
    uint8_t version; /* 0, '2', '3', '4' */
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
} tzif_header;

#define TZIF_HEADER_SIZE 44

static bool read_header(reader *r, tzif_header *h)
{
    if (r->len - r->pos < TZIF_HEADER_SIZE)
        return false;
    const uint8_t *p = r->p + r->pos;
    if (memcmp(p, "TZif", 4) != 0)
        return false;
    h->version = p[4];
    if (h->version != 0 && (h->version < '2' || h->version > '4'))
        return false;
    h->isutcnt = be32(p + 20);
    h->isstdcnt = be32(p + 24);
    h->leapcnt = be32(p + 28);
    h->timecnt = be32(p + 32);
    h->typecnt = be32(p + 36);
    h->charcnt = be32(p + 40);
    r->pos += TZIF_HEADER_SIZE;
    /* RFC 8536 section 3.1 */
    return h->typecnt != 0 && h->charcnt != 0 && (h->isutcnt == 0 || h->isutcnt == h->typecnt) &&
           (h->isstdcnt == 0 || h->isstdcnt == h->typecnt);
}

/* Size of the data block that follows a header; counts are 32-bit, so no overflow in 64 bits. */
static uint64_t block_size(const tzif_header *h, size_t tsize)
{
    return (uint64_t)h->timecnt * tsize + h->timecnt + (uint64_t)h->typecnt * 6 + h->charcnt +
           (uint64_t)h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt;
}

/*
 * Validates the data block at r->pos (every index, offset, flag and order)
 * and, when tt is not NULL, fills the transitions that change the offset into
 * tt (instants) and to (offsets). *kept receives their number, *initial the
 * offset before the first. Advances r past the block.
 */
static bool read_block(reader *r, const tzif_header *h, size_t tsize, int64_t *tt, int32_t *to,
                       uint32_t *kept, int32_t *initial)
{
    if (block_size(h, tsize) > r->len - r->pos)
        return false;
    const uint8_t *times = r->p + r->pos;
    const uint8_t *idx = times + (size_t)h->timecnt * tsize;
    const uint8_t *types = idx + h->timecnt;
    const uint8_t *leaps = types + (size_t)h->typecnt * 6 + h->charcnt;
    const uint8_t *isstd = leaps + (size_t)h->leapcnt * (tsize + 4);
    const uint8_t *isut = isstd + h->isstdcnt;
    for (uint32_t i = 0; i < h->typecnt; i++) {
        const int32_t utoff = (int32_t)be32(types + 6 * (size_t)i);
        if (!off_ok(utoff) || types[6 * (size_t)i + 4] > 1 ||
            types[6 * (size_t)i + 5] >= h->charcnt)
            return false;
    }
    for (uint32_t i = 0; i < h->isstdcnt; i++)
        if (isstd[i] > 1 || (h->isutcnt != 0 && isut[i] > 1) ||
            (h->isutcnt != 0 && isut[i] == 1 && isstd[i] != 1))
            return false;
    for (uint32_t i = 0; i < h->isutcnt; i++)
        if (isut[i] > 1)
            return false;
    /* Leap-second records: occurrences strictly ascending; otherwise ignored. */
    for (uint32_t i = 1; i < h->leapcnt; i++)
        if (be_time(leaps + (size_t)i * (tsize + 4), tsize) <=
            be_time(leaps + (size_t)(i - 1) * (tsize + 4), tsize))
            return false;
    const int32_t first = (int32_t)be32(types); /* type 0 rules before the first transition */
    int32_t prev = first;
    uint32_t n = 0;
    for (uint32_t i = 0; i < h->timecnt; i++) {
        const int64_t t = be_time(times + (size_t)i * tsize, tsize);
        if (i > 0 && t <= be_time(times + (size_t)(i - 1) * tsize, tsize))
            return false; /* RFC 8536: strictly ascending */
        if (idx[i] >= h->typecnt)
            return false;
        const int32_t off = (int32_t)be32(types + 6 * (size_t)idx[i]);
        if (off != prev) {
            if (tt != NULL) {
                tt[n] = t;
                to[n] = off;
            }
            n++;
            prev = off;
        }
    }
    r->pos += (size_t)block_size(h, tsize);
    *kept = n;
    *initial = first;
    return true;
}

cm_status cm_tz_from_tzif_with_allocator(const uint8_t *data, size_t len, const cm_allocator *alloc,
                                         cm_tz **out)
{
    CM_REQUIRE(data != NULL && out != NULL && cm__valid_allocator(alloc), CM_EINVAL);
    reader r = {data, len, 0};
    tzif_header h;
    uint32_t kept;
    int32_t initial;
    CM_REQUIRE(read_header(&r, &h), CM_EPARSE);
    bool has_rule = false;
    cm__tz_rule rule;
    memset(&rule, 0, sizeof rule);
    size_t block_pos;
    tzif_header used = h;
    size_t tsize = 4;
    if (h.version == 0) {
        block_pos = r.pos;
        CM_REQUIRE(read_block(&r, &h, 4, NULL, NULL, &kept, &initial), CM_EPARSE);
        CM_REQUIRE(r.pos == r.len, CM_EPARSE);
    } else {
        /* Version 2+: validate and skip the 32-bit block, use the 64-bit one. */
        CM_REQUIRE(read_block(&r, &h, 4, NULL, NULL, &kept, &initial), CM_EPARSE);
        CM_REQUIRE(read_header(&r, &used) && used.version >= '2', CM_EPARSE);
        tsize = 8;
        block_pos = r.pos;
        CM_REQUIRE(read_block(&r, &used, 8, NULL, NULL, &kept, &initial), CM_EPARSE);
        /* Footer: NL, a POSIX TZ string (possibly empty), NL, end of data. */
        CM_REQUIRE(r.pos < r.len && r.p[r.pos] == '\n', CM_EPARSE);
        const size_t start = r.pos + 1;
        const uint8_t *nl = memchr(r.p + start, '\n', r.len - start);
        CM_REQUIRE(nl != NULL && (size_t)(nl - r.p) == r.len - 1, CM_EPARSE);
        const size_t flen = (size_t)(nl - (r.p + start));
        if (flen > 0) {
            CM_REQUIRE(memchr(r.p + start, '\0', flen) == NULL, CM_EPARSE);
            CM_REQUIRE(posix_parse((const char *)r.p + start, flen, &rule), CM_EPARSE);
            has_rule = true;
        }
    }
    cm_tz *tz = tz_alloc(kept, has_rule && rule.has_dst, alloc);
    CM_REQUIRE(tz != NULL, CM_ENOMEM);
    reader again = {data, len, block_pos};
    (void)read_block(&again, &used, tsize, tz->trans, tz->offs, &kept, &initial);
    tz->initial_off = initial;
    finish(tz, has_rule ? &rule : NULL);
    *out = tz;
    return CM_OK;
}

cm_status cm_tz_from_tzif(const uint8_t *data, size_t len, cm_tz **out)
{
    return cm_tz_from_tzif_with_allocator(data, len, NULL, out);
}

/* ---------------------------------------------------------------------- */
/* Loading by name                                                        */
/* ---------------------------------------------------------------------- */

#define TZ_NAME_MAX    255
#define TZ_FILE_MAX    (1u << 20) /* real TZif files are a few KB */
#define TZ_DEFAULT_DIR "/usr/share/zoneinfo"

/* "+HH:MM" / "-HH:MM", 00:00..23:59. */
static bool fixed_name(const char *s, size_t len, int32_t *off)
{
    if (len != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':')
        return false;
    for (size_t i = 1; i < 6; i++)
        if (i != 3 && (s[i] < '0' || s[i] > '9'))
            return false;
    const int32_t h = (s[1] - '0') * 10 + (s[2] - '0');
    const int32_t m = (s[4] - '0') * 10 + (s[5] - '0');
    if (h > 23 || m > 59)
        return false;
    *off = (s[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
    return true;
}

/* A relative path of [A-Za-z0-9_+-.] components, none empty, "." or "..". */
static bool valid_zone_name(const char *s, size_t len)
{
    if (len == 0 || len > TZ_NAME_MAX)
        return false;
    size_t comp = 0; /* start of the current component */
    for (size_t i = 0; i <= len; i++) {
        if (i == len || s[i] == '/') {
            const size_t n = i - comp;
            if (n == 0 || (n == 1 && s[comp] == '.') ||
                (n == 2 && s[comp] == '.' && s[comp + 1] == '.'))
                return false;
            comp = i + 1;
            continue;
        }
        const char ch = s[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '+' || ch == '-' || ch == '.'))
            return false;
    }
    return true;
}

/* Reads all of fd (at most TZ_FILE_MAX bytes) into a new buffer. */
static cm_status read_all(int fd, const cm_allocator *alloc, uint8_t **data, size_t *size)
{
    size_t cap = 8192, n = 0;
    uint8_t *buf = cm__alloc(alloc, cap);
    CM_REQUIRE(buf != NULL, CM_ENOMEM);
    for (;;) {
        if (n == cap) {
            if (cap >= TZ_FILE_MAX) {
                cm__free(alloc, buf);
                return CM_EPARSE; /* far larger than any zone file */
            }
            uint8_t *bigger = cm__alloc(alloc, cap * 2);
            if (bigger == NULL) {
                cm__free(alloc, buf);
                return CM_ENOMEM;
            }
            memcpy(bigger, buf, n);
            cm__free(alloc, buf);
            buf = bigger;
            cap *= 2;
        }
        const ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            cm__free(alloc, buf);
            return CM_ENOTFOUND; /* a directory, or unreadable */
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    *data = buf;
    *size = n;
    return CM_OK;
}

/* Reads dir/name into a new buffer. CM_ENOTFOUND when it cannot be opened or read. */
static cm_status read_zone_file(const char *dir, const char *name, size_t len,
                                const cm_allocator *alloc, uint8_t **data, size_t *size)
{
    const size_t dlen = strlen(dir);
    char path[4096];
    CM_REQUIRE(dlen + 1 + len < sizeof path, CM_ENOTFOUND);
    memcpy(path, dir, dlen);
    path[dlen] = '/';
    memcpy(path + dlen + 1, name, len);
    path[dlen + 1 + len] = '\0';
    int fd;
    do
        fd = open(path, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    CM_REQUIRE(fd >= 0, CM_ENOTFOUND);
    const cm_status st = read_all(fd, alloc, data, size);
    close(fd);
    return st;
}

cm_status cm__tz_load_n(const char *name, size_t len, const cm_allocator *alloc, cm_tz **out)
{
    int32_t off;
    if ((len == 3 && memcmp(name, "UTC", 3) == 0) || fixed_name(name, len, &off)) {
        cm_tz *tz = cm__tz_new_fixed(len == 3 ? 0 : off, alloc);
        CM_REQUIRE(tz != NULL, CM_ENOMEM);
        *out = tz;
        return CM_OK;
    }
    CM_REQUIRE(valid_zone_name(name, len), CM_EINVAL);
    uint8_t *data = NULL;
    size_t size = 0;
    cm_status st = CM_ENOTFOUND;
    const char *dir = getenv("TZDIR");
    if (dir != NULL && dir[0] != '\0')
        st = read_zone_file(dir, name, len, alloc, &data, &size);
    if (st == CM_ENOTFOUND)
        st = read_zone_file(TZ_DEFAULT_DIR, name, len, alloc, &data, &size);
    CM_TRY(st);
    st = cm_tz_from_tzif_with_allocator(data, size, alloc, out);
    cm__free(alloc, data);
    return st;
}

cm_status cm_tz_load_with_allocator(const char *name, const cm_allocator *alloc, cm_tz **out)
{
    CM_REQUIRE(name != NULL && out != NULL && cm__valid_allocator(alloc), CM_EINVAL);
    return cm__tz_load_n(name, strlen(name), alloc, out);
}

cm_status cm_tz_load(const char *name, cm_tz **out)
{
    return cm_tz_load_with_allocator(name, NULL, out);
}

cm_status cm_tz_fixed_with_allocator(int32_t offset_seconds, const cm_allocator *alloc, cm_tz **out)
{
    CM_REQUIRE(out != NULL && cm__valid_allocator(alloc), CM_EINVAL);
    CM_REQUIRE(offset_seconds > -86400 && offset_seconds < 86400, CM_ERANGE);
    cm_tz *tz = cm__tz_new_fixed(offset_seconds, alloc);
    CM_REQUIRE(tz != NULL, CM_ENOMEM);
    *out = tz;
    return CM_OK;
}

cm_status cm_tz_fixed(int32_t offset_seconds, cm_tz **out)
{
    return cm_tz_fixed_with_allocator(offset_seconds, NULL, out);
}

/* ---------------------------------------------------------------------- */
/* The cache: lock-free lists, pushed at the head with compare-and-swap    */
/* ---------------------------------------------------------------------- */

typedef struct cache_node {
    struct cache_node *next; /* immutable once published */
    cm_tz *tz;
    size_t len;
    char name[]; /* len bytes, not NUL-terminated */
} cache_node;

/* Names are spread over this many lists by a hash, so a look-up reads few. */
#define CACHE_LISTS 64

struct cm_tz_cache {
    _Atomic(cache_node *) head[CACHE_LISTS];
    cm_allocator alloc;
    bool has_alloc;
};

static const cm_allocator *cache_alloc(const cm_tz_cache *c)
{
    return c->has_alloc ? &c->alloc : NULL;
}

/* The list of a name. */
static size_t cache_list(const char *name, size_t len)
{
    return cm__fnv32(CM__FNV32_BASIS, name, len) % CACHE_LISTS;
}

cm_status cm_tz_cache_new(const cm_allocator *alloc, cm_tz_cache **out)
{
    CM_REQUIRE(out != NULL && cm__valid_allocator(alloc), CM_EINVAL);
    cm_tz_cache *c = cm__alloc(alloc, sizeof *c);
    CM_REQUIRE(c != NULL, CM_ENOMEM);
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < CACHE_LISTS; i++)
        atomic_init(&c->head[i], NULL);
    if (alloc != NULL) {
        c->alloc = *alloc;
        c->has_alloc = true;
    }
    *out = c;
    return CM_OK;
}

void cm_tz_cache_free(cm_tz_cache *cache)
{
    if (cache == NULL)
        return;
    const cm_allocator a = cache->alloc;
    const cm_allocator *alloc = cache->has_alloc ? &a : NULL;
    for (size_t i = 0; i < CACHE_LISTS; i++) {
        cache_node *n = atomic_load_explicit(&cache->head[i], memory_order_acquire);
        while (n != NULL) {
            cache_node *next = n->next;
            cm_tz_free(n->tz);
            cm__free(alloc, n);
            n = next;
        }
    }
    cm__free(alloc, cache);
}

/* The node of a name among the nodes from n up to (not including) stop. */
static cache_node *cache_find(cache_node *n, const cache_node *stop, const char *name, size_t len)
{
    for (; n != stop; n = n->next)
        if (n->len == len && memcmp(n->name, name, len) == 0)
            return n;
    return NULL;
}

cm_status cm__tz_cache_load_n(cm_tz_cache *cache, const char *name, size_t len, cm_tz **out)
{
    _Atomic(cache_node *) *list = &cache->head[cache_list(name, len)];
    cache_node *head = atomic_load_explicit(list, memory_order_acquire);
    cache_node *hit = cache_find(head, NULL, name, len);
    if (hit != NULL) {
        *out = cm__tz_ref(hit->tz);
        return CM_OK;
    }
    /* Load outside any lock; if another thread publishes the same name
     * first, its zone is used and this one dropped. */
    cm_tz *tz;
    CM_TRY(cm__tz_load_n(name, len, cache_alloc(cache), &tz));
    cache_node *node = cm__alloc(cache_alloc(cache), sizeof *node + len);
    if (node == NULL) {
        cm_tz_free(tz);
        return CM_ENOMEM;
    }
    node->tz = tz;
    node->len = len;
    memcpy(node->name, name, len);
    for (;;) {
        node->next = head;
        if (atomic_compare_exchange_weak_explicit(list, &head, node, memory_order_acq_rel,
                                                  memory_order_acquire))
            break;
        /* head now holds the newer list: only its new nodes can hold the name. */
        hit = cache_find(head, node->next, name, len);
        if (hit != NULL) {
            cm_tz_free(tz);
            cm__free(cache_alloc(cache), node);
            *out = cm__tz_ref(hit->tz);
            return CM_OK;
        }
    }
    *out = cm__tz_ref(tz);
    return CM_OK;
}

cm_status cm_tz_cache_load(cm_tz_cache *cache, const char *name, cm_tz **out)
{
    CM_REQUIRE(cache != NULL && name != NULL && out != NULL, CM_EINVAL);
    return cm__tz_cache_load_n(cache, name, strlen(name), out);
}

cm_status cm_tz_cache_count(const cm_tz_cache *cache, size_t *out)
{
    CM_REQUIRE(cache != NULL && out != NULL, CM_EINVAL);
    cm_tz_cache *c = (cm_tz_cache *)(uintptr_t)cache; /* loads do not change it */
    size_t n = 0;
    for (size_t i = 0; i < CACHE_LISTS; i++)
        for (const cache_node *p = atomic_load_explicit(&c->head[i], memory_order_acquire);
             p != NULL; p = p->next)
            n++;
    *out = n;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Conversions                                                            */
/* ---------------------------------------------------------------------- */

cm_status cm_tz_utc_offset(const cm_tz *tz, cm_time t, int32_t *out)
{
    CM_REQUIRE(tz != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(time_ok(t), CM_ERANGE);
    *out = cm__tz_offset(tz, t);
    return CM_OK;
}

cm_status cm_tz_to_local(const cm_tz *tz, cm_time t, cm_civil *out)
{
    CM_REQUIRE(tz != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(time_ok(t), CM_ERANGE);
    return cm_time_to_civil(t + cm__tz_offset(tz, t), out);
}

cm_status cm_tz_from_local(const cm_tz *tz, const cm_civil *local, cm_time *out)
{
    CM_REQUIRE(tz != NULL && local != NULL && out != NULL, CM_EINVAL);
    const cm_civil *c = local;
    CM_REQUIRE(c->year >= 1 && c->year <= 9999 && c->month >= 1 && c->month <= 12 && c->day >= 1 &&
                   c->day <= cm__days_in_month(c->year, c->month) && c->hour >= 0 &&
                   c->hour <= 23 && c->minute >= 0 && c->minute <= 59 && c->second >= 0 &&
                   c->second <= 59,
               CM_ERANGE);
    const int64_t l = cm__days_from_civil(c->year, c->month, c->day) * DAY + c->hour * 3600 +
                      c->minute * 60 + c->second;
    const int64_t t = cm__tz_from_local(tz, l, NULL);
    CM_REQUIRE(time_ok(t), CM_ERANGE);
    *out = t;
    return CM_OK;
}
