/*
 * Calendar internals shared by lib/calendar.c (the calendar and its
 * operations), lib/calendar-build.c (the builder) and lib/calendar-spec.c
 * (the text spec); never installed.
 * The calendar uses the zone layer (tz-internal.h); the zone knows nothing
 * of calendars.
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_CALENDAR_INTERNAL_H
#define CAREMETRICS_CALENDAR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <caremetrics/calendar.h>

#include "tz-internal.h"

#define CM__DAY  86400
#define CM__WEEK (7 * CM__DAY)

/* Marks a closed date in cm__entry.s and .e. */
#define CM__CLOSED (-1)

/* Entry flag: a closed date that also closes its observed weekday. */
#define CM__OBSERVED 1u

/* Year of a weekly entry; 0 (CM_CALENDAR_EVERY_YEAR) is a yearly rule, >= 1 a date. */
#define CM__WEEKLY (-1)

/*
 * One line's worth of a calendar: a weekly interval (year CM__WEEKLY, month =
 * ISO weekday 1..7), a dated entry (year 1..9999) or a yearly rule (year 0).
 * Intervals are seconds after local midnight, 0 <= s < 86400 and s < e <=
 * s + 86400; a closed date has s == e == CM__CLOSED. A rule falls on `day`
 * of `month`, or when day is 0 on the nth (1..5, or -1..-5 from the end)
 * ISO weekday wday of the month, in the years first..last that are a whole
 * number of intervals after first, except the years listed in the builder's
 * pool at except_off. line / column locate it in a spec (0 for the API).
 */
typedef struct cm__entry {
    int32_t year, month, day;
    int32_t s, e;
    uint32_t line, column;
    int16_t nth, wday;
    int16_t first, last, interval;
    uint16_t flags;
    uint32_t nexcept, except_off;
} cm__entry;

struct cm_calendar_builder {
    cm_allocator alloc; /* copy of the caller's, when has_alloc */
    bool has_alloc;
    cm_tz *tz;             /* a reference; NULL means UTC */
    cm_tz_cache *tz_cache; /* borrowed; NULL: tz lines load their own zone */
    cm__entry *weekly;
    size_t nweekly, cap_weekly;
    cm__entry *dates; /* dated entries and yearly rules */
    size_t ndates, cap_dates;
    int32_t *except; /* excluded years of the rules */
    size_t nexcept, cap_except;
    uint32_t per_weekday[7]; /* weekly intervals per weekday, for the limit */
    int32_t cache_first, cache_years;
};

/* The builder's allocator (NULL for malloc / free). */
static inline const cm_allocator *cm__builder_alloc(const cm_calendar_builder *b)
{
    return b->has_alloc ? &b->alloc : NULL;
}

/* Appends a weekly interval; CM_ERANGE when out of range or over the per-day limit. */
cm_status cm__builder_push_weekly(cm_calendar_builder *b, int32_t weekday, int32_t s, int32_t e,
                                  uint32_t line, uint32_t column);

/*
 * Appends a date entry (s == e == CM__CLOSED for a holiday; flags 0 or
 * CM__OBSERVED for a closed date); CM_ERANGE when out of range.
 */
cm_status cm__builder_push_date(cm_calendar_builder *b, int32_t year, int32_t month, int32_t day,
                                int32_t s, int32_t e, uint32_t flags, uint32_t line,
                                uint32_t column);

/* Appends a yearly rule (checked like cm_calendar_builder_add_yearly()). */
cm_status cm__builder_push_yearly(cm_calendar_builder *b, const cm_calendar_yearly *rule,
                                  uint32_t line, uint32_t column);

/*
 * Adds an exception year to the yearly rule pushed last (whose exception
 * years must end the pool), keeping them sorted and without repeats.
 */
cm_status cm__builder_except_last(cm_calendar_builder *b, int32_t year);

/* The builder's sizes, so that a failed addition can be undone exactly. */
typedef struct cm__builder_mark {
    size_t nweekly, ndates, nexcept;
    uint32_t per_weekday[7];
} cm__builder_mark;

void cm__builder_mark_get(const cm_calendar_builder *b, cm__builder_mark *m);
void cm__builder_mark_restore(cm_calendar_builder *b, const cm__builder_mark *m);

/*
 * Checks the date entries for consistency: CM_EINVAL when a date (or a rule)
 * is both closed and open, CM_ERANGE when it has more than
 * CM_CALENDAR_MAX_DAY_INTERVALS intervals (*bad then points at the entry that
 * broke the rule), CM_ENOMEM when the check could not allocate.
 */
cm_status cm__builder_check(const cm_calendar_builder *b, const cm__entry **bad);

/* Builds the calendar of a builder whose entries passed cm__builder_check. */
cm_status cm__calendar_build(const cm_calendar_builder *b, cm_calendar **out);

/* Sets the builder's zone to a zone it now owns a reference to. */
void cm__builder_take_tz(cm_calendar_builder *b, cm_tz *tz);

/* Weekday (1 = Monday .. 7 = Sunday) of a day number (days since 1970-01-01). */
static inline int32_t cm__weekday(int64_t d)
{
    int64_t r = (d + 3) % 7; /* 1970-01-01 was a Thursday */
    if (r < 0)
        r += 7;
    return (int32_t)r + 1;
}

/*
 * The day of the yearly rule in a year (days since 1970-01-01), ignoring the
 * rule's years, interval and exceptions; false when the rule has no date that
 * year (February 29, a fifth weekday).
 */
bool cm__rule_date(int32_t month, int32_t day, int32_t wday, int32_t nth, int64_t year,
                   int64_t *out);

/* ---------------------------------------------------------------------- */
/* The calendar                                                           */
/* ---------------------------------------------------------------------- */

/* An interval of a local date: seconds after its midnight, [s, e). */
typedef struct cm__ival {
    int32_t s, e;
} cm__ival;

/* The hours of one kind of day: intervals ivals[off .. off+n), merged and sorted. */
typedef struct cm__kind {
    uint32_t off, n;
    bool closed; /* a holiday: no hours, and the previous day's spill is cut */
} cm__kind;

/* A yearly rule (see cm__entry), with its exception years except[eoff .. eoff+nexcept). */
typedef struct cm__rule {
    int8_t month, day, wday, nth;
    bool observed;
    int16_t first, last, interval;
    uint32_t eoff, nexcept;
    uint32_t order; /* position of the rule's first entry in the builder */
    cm__kind k;
} cm__rule;

/* An interval of the weekly pattern on the week's circle (0 = Monday 00:00),
 * with the open seconds of the week before it. */
typedef struct cm__wk {
    int32_t s, e, cum;
} cm__wk;

/* Year types: leap or not, times the weekday of 1 January. */
#define CM__YEAR_TYPES 14

struct cm_calendar {
    cm_allocator alloc; /* copy of the builder's, when has_alloc */
    bool has_alloc;
    cm_tz *tz;       /* a reference, shared with other calendars */
    int32_t min_off; /* the zone's range of offsets */
    int32_t max_off;
    int32_t back, fwd; /* reach of a date's conversions before and after its midnight */
    /* For instant t of local date d, with any of the zone's offsets: d's
     * conversions start after t - flat_before and end before t + flat_after. */
    int64_t flat_before, flat_after;
    cm__ival *ivals;    /* every kind's intervals */
    cm__kind weekly[7]; /* 0 = Monday */
    uint32_t ndated;    /* dated entries (and the observed weekdays they close) */
    int32_t *dated_day; /* ascending day numbers */
    cm__kind *dated_kind;
    uint32_t naff; /* dates whose hours a dated entry changes: the date and the next */
    int32_t *aff;  /* ascending */
    /* An index of aff: for each bucket k of 2^aff_shift days from aff[0], the
     * first entry at or after the bucket's first day (aff_nb + 1 entries). */
    uint32_t *aff_idx;
    uint32_t aff_nb, aff_shift;
    /* When the changed dates span few enough days, for each day aff[0] + i
     * (i < aff_ndense): the number of changed dates before it, times 2, plus
     * 1 when it is one whose hours differ from the pattern (NULL otherwise). */
    uint16_t *aff_dense;
    /* Beside it, without rules: for each of those days, twice what the
     * changed dates before it add to the pattern (aff_sum), plus its flag. */
    int32_t *aff_cum;
    uint32_t aff_ndense;
    int64_t aff_dense_first; /* aff[0] when aff_dense is there */
    /* Without rules: aff_sum[i] is what the dates aff[0 .. i) add to the weekly
     * pattern's open seconds, each date taken whole (naff + 1 entries). */
    int64_t *aff_sum;
    uint32_t nrules;
    cm__rule *rules;
    int32_t *except; /* exception years of the rules, ascending per rule */
    uint16_t *hits;  /* per year type, the days of the year a rule may change */
    uint32_t hit_at[CM__YEAR_TYPES + 1];
    uint32_t nwk; /* the weekly pattern on the week's circle */
    cm__wk *wk;
    uint32_t wk_first[8]; /* first interval of wk ending after each day's start */
    int64_t week_open;    /* open seconds of the weekly pattern */
    int32_t hours[168];   /* per hour of the week: open seconds before it * 4 + state (pat_cum) */
    /* Per hour of open time in the week: the first interval of wk ending in it
     * or later; and when one interval holds the whole hour, its start less
     * its cum (the local second of the week of open second q is then q plus
     * that), else INT32_MIN. */
    uint16_t open_hours[168];
    int32_t open_shift[168];
    int32_t bdays_per_week; /* weekdays with hours */
    bool generic_full;      /* every date without a dated entry is open all day */
    bool generic_empty;     /* no date without a dated entry has hours */
    /* add() from t < fwd_safe_before by 0..fwd_safe_n seconds stays inside the
     * accepted range, and so does add() from t >= bwd_safe_from by -bwd_safe_n..0. */
    int64_t fwd_safe_before, fwd_safe_n;
    int64_t bwd_safe_from, bwd_safe_n;
};

/* Open seconds of [x, y), x <= y, both in range (set up by cm__calendar_build). */
int64_t cm__calendar_open(const cm_calendar *c, int64_t x, int64_t y);

/* Fills hours and aff_sum (the rest of the calendar is set). */
void cm__calendar_fill_index(cm_calendar *c);

/* The kind of day of local date d: dated entry, yearly rules, or its weekday. */
cm__kind cm__kind_of(const cm_calendar *c, int64_t d);

#endif /* CAREMETRICS_CALENDAR_INTERNAL_H */
