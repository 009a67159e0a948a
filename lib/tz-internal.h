/*
 * Time-zone internals shared by lib/tz.c and the layers above it (the
 * calendar); never installed. Nothing here knows about calendars.
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_TZ_INTERNAL_H
#define CAREMETRICS_TZ_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <caremetrics/tz.h>

/*
 * Offsets from UTC accepted anywhere (TZif types, POSIX rules): RFC 8536
 * section 3.2 says a UT offset "SHOULD be in the range [-89999, 93599]"
 * (more than -25 hours and less than 26 hours); we make that a MUST. Every
 * solution t of t + offset(t) = L therefore lies in [L - 93599, L + 89999].
 */
#define CM__TZ_OFF_MIN (-89999)
#define CM__TZ_OFF_MAX 93599

/* One date of a POSIX TZ rule: Jn (1..365, no Feb 29), n (0..365) or Mm.w.d. */
typedef struct cm__tz_rule_date {
    uint8_t kind; /* 'J', 'N' or 'M' */
    int16_t a;    /* J/N: the day number; M: the month 1..12 */
    int16_t week; /* M: 1..5 (5 = last) */
    int16_t wday; /* M: 0 = Sunday .. 6 */
    int32_t secs; /* local time of the change, -167 h .. 167 h */
} cm__tz_rule_date;

/* A POSIX TZ rule: standard offset and, optionally, DST with its two dates. */
typedef struct cm__tz_rule {
    int32_t std_off; /* seconds east of UTC */
    int32_t dst_off;
    bool has_dst;
    cm__tz_rule_date start; /* DST starts; time given in standard local time */
    cm__tz_rule_date end;   /* DST ends; time given in DST local time */
} cm__tz_rule;

/*
 * The Gregorian calendar repeats every 400 years (146097 days, a whole number
 * of weeks), and so do the dates of a POSIX rule: a zone with DST rules keeps
 * the rule's events of one cycle, sorted, and shifts them by whole cycles.
 * The cycle's years are 2000..2399; the table also holds the events of the two
 * years on each side (1998..2401), so that the latest event at or before, and
 * the earliest after, any instant of 2000..2399 are in it (a year's events lie
 * within about 8 days of the year).
 */
#define CM__TZ_CYCLE_YEARS 400
#define CM__TZ_CYCLE_SECS  (146097LL * 86400)
#define CM__TZ_CYCLE_BASE  2000
#define CM__TZ_CYCLE_EXTRA 2
#define CM__TZ_EVENTS      (2 * (CM__TZ_CYCLE_YEARS + 2 * CM__TZ_CYCLE_EXTRA))

/*
 * An index of the transitions for the instants [CM__TZ_IDX_BASE,
 * CM__TZ_IDX_BASE + CM__TZ_IDX_BUCKETS << CM__TZ_IDX_SHIFT), 1900-01-01 to
 * about 2172: for each bucket of 2^21 seconds (about 24 days), the number of
 * transitions at or before its start, so that a lookup searches only the few
 * transitions of one bucket. Only a zone too large for a flat table (below)
 * keeps one: the flat table answers for this span.
 */
#define CM__TZ_IDX_BASE    (-2208988800LL) /* 1900-01-01T00:00:00Z */
#define CM__TZ_IDX_SHIFT   21
#define CM__TZ_IDX_BUCKETS 4096

/*
 * The stretches of one offset, for the layers above: a zone whose offset
 * varies keeps its segments over [CM__TZ_IDX_BASE, CM__TZ_IDX_BASE +
 * CM__TZ_FLAT_BUCKETS << CM__TZ_FLAT_SHIFT), 1900-01-01 to about 2444, as
 * stretches (the offset and the instant it ends; each starts where the one
 * before ends), and for each bucket of 2^CM__TZ_FLAT_SHIFT seconds (about 12
 * days) the stretch holding its start. A bucket rarely holds a change, and
 * almost never two. A zone with more segments in that span than a bucket's
 * entry can name keeps no such table.
 */
#define CM__TZ_FLAT_SHIFT   20
#define CM__TZ_FLAT_BUCKETS 16384
#define CM__TZ_FLAT_MAX     UINT16_MAX /* stretches a table may name */
#define CM__TZ_FLAT_YEARS   546        /* whole or partial years the buckets touch */

typedef struct cm__tz_stretch {
    int64_t end; /* the offset holds until here (excluded) */
    int32_t off;
} cm__tz_stretch;

/*
 * An index of the rule's events over the cycle's years 2000..2399, where
 * instants are shifted to look them up: for each bucket of 2^22 seconds
 * (about 49 days) from 2000-01-01, the number of events at or before its start.
 */
#define CM__TZ_EV_BASE    946684800LL /* 2000-01-01T00:00:00Z */
#define CM__TZ_EV_SHIFT   22
#define CM__TZ_EV_BUCKETS ((int64_t)(CM__TZ_CYCLE_SECS >> CM__TZ_EV_SHIFT) + 1)

/*
 * A zone: a table of transitions (only those that change the offset are
 * kept), the offset in force before the first one, and optionally a rule for
 * every instant at or after the last one (or for all instants when the table
 * is empty). One allocation: the arrays follow the struct. Immutable once
 * made, apart from the reference count.
 */
struct cm_tz {
    atomic_size_t refs;
    cm_allocator alloc; /* copy of the caller's, when has_alloc */
    bool has_alloc;
    uint32_t ntrans;     /* number of transitions */
    int32_t initial_off; /* offset before the first transition */
    int32_t min_off;     /* least and greatest offset the zone ever uses */
    int32_t max_off;
    bool has_rule; /* rule governs t >= last transition (all t if ntrans == 0) */
    cm__tz_rule rule;
    uint32_t nev;     /* sorted rule events (CM__TZ_EVENTS with DST, else 0) */
    int64_t *trans;   /* ntrans transition instants, ascending */
    int32_t *offs;    /* offset from each transition on */
    int64_t *ev;      /* nev rule events, ascending (an end before a start at equal instants) */
    int32_t *ev_off;  /* offset from each event on */
    uint32_t *idx;    /* CM__TZ_IDX_BUCKETS + 1 counts (see above) when ntrans > 0 and the zone
                      keeps no flat table, else NULL */
    uint32_t *ev_idx; /* CM__TZ_EV_BUCKETS + 1 counts (see above) when nev > 0, else NULL */
    uint16_t *flat;   /* CM__TZ_FLAT_BUCKETS stretch numbers (see above), else NULL */
    cm__tz_stretch *stretch; /* the stretches the buckets name, room for nstretch */
    uint32_t nstretch;
    int64_t flat_lo; /* where the first stretch starts (INT64_MIN: always) */
    int64_t data[];
};

/*
 * A cache of the constant-offset segments last used by conversions: two
 * neighbours, [lo, mid) with offset off1 and [mid, hi) with off2 (mid == hi
 * when it holds one), so that the conversions of the dates next to an offset
 * change need no look-up. It lives on the caller's stack: zones stay
 * immutable and thread-safe.
 */
typedef struct cm__tz_hint {
    int64_t lo, mid, hi;
    int32_t off1, off2;
} cm__tz_hint;

/* An empty hint, that matches nothing. */
static inline void cm__tz_hint_init(cm__tz_hint *h)
{
    h->lo = 1;
    h->mid = 0;
    h->hi = 0;
    h->off1 = 0;
    h->off2 = 0;
}

/* Offset (seconds east of UTC) in force at instant t. */
int32_t cm__tz_offset(const cm_tz *tz, int64_t t);

/*
 * The constant-offset segment containing t: [*lo, *hi) with offset *off.
 * Ends are INT64_MIN / INT64_MAX when unbounded; a segment boundary may be a
 * rule event at which the offset does not actually change.
 */
void cm__tz_segment(const cm_tz *tz, int64_t t, int64_t *lo, int64_t *hi, int32_t *off);

/* cm__tz_segment for t at or after the zone's last transition (any t when it has none). */
void cm__tz_segment_tail(const cm_tz *tz, int64_t t, int64_t *lo, int64_t *hi, int32_t *off);

/* Number of transitions at or before t. */
static inline uint32_t cm__tz_trans_upper(const cm_tz *tz, int64_t t)
{
    uint32_t lo = 0, hi = tz->ntrans;
    if (tz->idx != NULL && t >= CM__TZ_IDX_BASE &&
        t < CM__TZ_IDX_BASE + ((int64_t)CM__TZ_IDX_BUCKETS << CM__TZ_IDX_SHIFT)) {
        const int64_t k = (t - CM__TZ_IDX_BASE) >> CM__TZ_IDX_SHIFT;
        lo = tz->idx[k]; /* the transitions <= t are those up to the bucket and some of it */
        hi = tz->idx[k + 1];
        while (lo < hi && tz->trans[lo] <= t)
            lo++;
        return lo;
    }
    while (lo < hi) {
        const uint32_t mid = lo + (hi - lo) / 2;
        if (tz->trans[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/*
 * cm__tz_segment without the flat table: straight to the zone's rule after
 * its last transition, else a search of the transitions (through their index
 * in a zone that keeps no flat table). The flat table is made from it.
 */
static inline void cm__tz_segment_walk(const cm_tz *tz, int64_t t, int64_t *lo, int64_t *hi,
                                       int32_t *off)
{
    if (tz->ntrans == 0 || t >= tz->trans[tz->ntrans - 1]) {
        cm__tz_segment_tail(tz, t, lo, hi, off); /* the zone's rule, or its last offset */
        return;
    }
    const uint32_t i = cm__tz_trans_upper(tz, t); /* < ntrans: t is before the last */
    *lo = i == 0 ? INT64_MIN : tz->trans[i - 1];
    *hi = tz->trans[i];
    *off = i == 0 ? tz->initial_off : tz->offs[i - 1];
}

/* The stretch of the flat table holding t; NULL without a table or outside its span. */
static inline const cm__tz_stretch *cm__tz_flat_stretch(const cm_tz *tz, int64_t t)
{
    const uint64_t u = (uint64_t)t - (uint64_t)CM__TZ_IDX_BASE;
    if (tz->flat == NULL || u >= (uint64_t)CM__TZ_FLAT_BUCKETS << CM__TZ_FLAT_SHIFT)
        return NULL;
    const cm__tz_stretch *s = tz->stretch + tz->flat[u >> CM__TZ_FLAT_SHIFT];
    while (t >= s->end) /* a change inside the bucket, before t */
        s++;
    return s;
}

/*
 * Whether the zone's flat table holds t: then one offset, *off, holds from
 * the start of t's stretch (at or before t) to *end (excluded). A zone with a
 * fixed offset holds every t, to INT64_MAX. False for t outside the table's
 * span, or a zone that keeps none. The common case of the layers above, in
 * one look-up; cm__tz_segment answers every case.
 */
static inline bool cm__tz_flat(const cm_tz *tz, int64_t t, int32_t *off, int64_t *end)
{
    if (tz->flat == NULL) {
        if (tz->ntrans > 0 || tz->nev > 0)
            return false;
        *off = tz->has_rule ? tz->rule.std_off : tz->initial_off;
        *end = INT64_MAX;
        return true;
    }
    const cm__tz_stretch *s = cm__tz_flat_stretch(tz, t);
    if (s == NULL)
        return false;
    *off = s->off;
    *end = s->end;
    return true;
}

/*
 * cm__tz_segment, inline for the layers above: in the flat table's span one
 * look-up (a stretch starts where the one before it ends), else
 * cm__tz_segment_walk.
 */
static inline void cm__tz_segment_quick(const cm_tz *tz, int64_t t, int64_t *lo, int64_t *hi,
                                        int32_t *off)
{
    const cm__tz_stretch *s = cm__tz_flat_stretch(tz, t);
    if (s != NULL) {
        *lo = s == tz->stretch ? tz->flat_lo : s[-1].end;
        *hi = s->end;
        *off = s->off;
        return;
    }
    cm__tz_segment_walk(tz, t, lo, hi, off);
}

/*
 * Instant of local wall-clock seconds L (seconds since 1970-01-01T00:00 as
 * if local time were UTC), with the compatible rule: a time in a gap uses the
 * offset in force before the gap (so it moves forward by the gap), an
 * ambiguous time its first occurrence. The hint may be NULL.
 */
int64_t cm__tz_from_local(const cm_tz *tz, int64_t local, cm__tz_hint *hint);

/* The zone with one more reference (never fails). */
cm_tz *cm__tz_ref(const cm_tz *tz);

/* A fixed-offset zone, or NULL when memory runs out. */
cm_tz *cm__tz_new_fixed(int32_t off, const cm_allocator *alloc);

/*
 * Loads a zone by name, like cm_tz_load. A name of `len` bytes that need not
 * be NUL-terminated (the spec parser passes a slice of its input).
 */
cm_status cm__tz_load_n(const char *name, size_t len, const cm_allocator *alloc, cm_tz **out);

/* Loads (or shares) a zone by a name of `len` bytes through a cache. */
cm_status cm__tz_cache_load_n(cm_tz_cache *cache, const char *name, size_t len, cm_tz **out);

#endif /* CAREMETRICS_TZ_INTERNAL_H */
