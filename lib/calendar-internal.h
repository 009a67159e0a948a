/*
 * Time-zone internals shared by lib/calendar-tz.c, lib/calendar.c and
 * lib/calendar-spec.c; never installed.
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_CALENDAR_INTERNAL_H
#define CAREMETRICS_CALENDAR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <caremetrics/calendar.h>

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
 * the rule's two events for each year of one cycle, 2000..2399, and shifts them
 * by whole cycles for other years.
 */
#define CM__TZ_CYCLE_YEARS 400
#define CM__TZ_CYCLE_SECS  (146097LL * 86400)
#define CM__TZ_CYCLE_BASE  2000

/*
 * A zone: a table of transitions (only those that change the offset are
 * kept), the offset in force before the first one, and optionally a rule for
 * every instant at or after the last one (or for all instants when the table
 * is empty). One allocation: the transition times, their offsets and, for a
 * rule with DST, the cycle of rule events follow the struct, so a copy is one
 * memcpy.
 */
struct cm_tz {
    size_t size;         /* bytes of this allocation */
    uint32_t ntrans;     /* number of transitions */
    int32_t initial_off; /* offset before the first transition */
    bool has_rule;       /* rule governs t >= last transition (all t if ntrans == 0) */
    cm__tz_rule rule;
    int64_t trans[]; /* ntrans times, ntrans int32 offsets, then (padded) the events */
};

static inline const int32_t *cm__tz_offs(const cm_tz *tz)
{
    return (const int32_t *)(const void *)(tz->trans + tz->ntrans);
}

/* Byte offset, from trans, of the rule events: 2 per year of the cycle (start, end). */
static inline size_t cm__tz_events_at(uint32_t ntrans)
{
    const size_t bytes = (size_t)ntrans * (sizeof(int64_t) + sizeof(int32_t));
    return (bytes + 7) & ~(size_t)7;
}

static inline const int64_t *cm__tz_events(const cm_tz *tz)
{
    return (const int64_t *)(const void *)((const char *)(const void *)tz->trans +
                                           cm__tz_events_at(tz->ntrans));
}

/*
 * A cache of the constant-offset segment [lo, hi) last used by a conversion.
 * It lives on the caller's stack: zones stay immutable and thread-safe.
 */
typedef struct cm__tz_hint {
    int64_t lo, hi;
    int32_t off;
} cm__tz_hint;

/* An empty hint, that matches nothing. */
static inline void cm__tz_hint_init(cm__tz_hint *h)
{
    h->lo = 1;
    h->hi = 0;
    h->off = 0;
}

/* Offset (seconds east of UTC) in force at instant t. */
int32_t cm__tz_offset(const cm_tz *tz, int64_t t);

/*
 * The constant-offset segment containing t: [*lo, *hi) with offset *off.
 * Ends are INT64_MIN / INT64_MAX when unbounded; a segment boundary may be a
 * rule event at which the offset does not actually change.
 */
void cm__tz_segment(const cm_tz *tz, int64_t t, int64_t *lo, int64_t *hi, int32_t *off);

/*
 * Instant of local wall-clock seconds L (seconds since 1970-01-01T00:00 as
 * if local time were UTC), with the compatible rule: a time in a gap uses the
 * offset in force before the gap (so it moves forward by the gap), an
 * ambiguous time its first occurrence. The hint may be NULL.
 */
int64_t cm__tz_from_local(const cm_tz *tz, int64_t local, cm__tz_hint *hint);

/* A copy of tz in one allocation, or NULL when memory runs out. */
cm_tz *cm__tz_clone(const cm_tz *tz);

/* A fixed-offset zone, or NULL when memory runs out. */
cm_tz *cm__tz_new_fixed(int32_t off);

/*
 * Loads a zone by name, like cm_tz_load. A name of `len` bytes that need not
 * be NUL-terminated (the spec parser passes a slice of its input).
 */
cm_status cm__tz_load_n(const char *name, size_t len, cm_tz **out);

/* ---------------------------------------------------------------------- */
/* Builder                                                                */
/* ---------------------------------------------------------------------- */

/* Marks a closed date in cm__entry.s and .e. */
#define CM__CLOSED (-1)

/*
 * One line's worth of a calendar: a weekly interval (year = -1, month = ISO
 * weekday 1..7) or a date entry (year 0 = every year). Intervals are seconds
 * after local midnight, 0 <= s < 86400 and s < e <= s + 86400; a closed date
 * has s == e == CM__CLOSED. line / column locate it in a spec (0 for the API).
 */
typedef struct cm__entry {
    int32_t year, month, day;
    int32_t s, e;
    uint32_t line, column;
} cm__entry;

struct cm_calendar_builder {
    cm_tz *tz; /* owned; NULL means UTC */
    cm__entry *weekly;
    size_t nweekly, cap_weekly;
    cm__entry *dates;
    size_t ndates, cap_dates;
    uint32_t per_weekday[7]; /* weekly intervals per weekday, for the limit */
    int32_t cache_first, cache_years;
};

/* Appends a weekly interval; CM_ERANGE when out of range or over the per-day limit. */
cm_status cm__builder_push_weekly(cm_calendar_builder *b, int32_t weekday, int32_t s, int32_t e,
                                  uint32_t line, uint32_t column);

/* Appends a date entry (s == e == CM__CLOSED for a holiday); CM_ERANGE when out of range. */
cm_status cm__builder_push_date(cm_calendar_builder *b, int32_t year, int32_t month, int32_t day,
                                int32_t s, int32_t e, uint32_t line, uint32_t column);

/*
 * Checks the date entries for consistency: CM_EINVAL when a date is both
 * closed and open, CM_ERANGE when a date has more than
 * CM_CALENDAR_MAX_DAY_INTERVALS intervals (*bad then points at the entry that
 * broke the rule), CM_ENOMEM when the check could not allocate.
 */
cm_status cm__builder_check(const cm_calendar_builder *b, const cm__entry **bad);

#endif /* CAREMETRICS_CALENDAR_INTERNAL_H */
