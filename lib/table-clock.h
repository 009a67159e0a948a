/*
 * Business time and local time memoised per UTC day, for the ticket-table
 * engine (table-clock.c); never installed.
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_TABLE_CLOCK_H
#define CAREMETRICS_TABLE_CLOCK_H

#include <caremetrics/calendar.h>

#include <stdbool.h>
#include <stdint.h>

/* UTC days memoised per clock: about 45 years around the first instant seen. */
#define TBL_DAYS 16384

/* One memoised UTC day of a calendar: open seconds before it, its open periods. */
typedef struct tbl_bday {
    int64_t cum;            /* business seconds from the clock's anchor to the day's start */
    int32_t s1, l1, s2, l2; /* up to two periods: start second within the day, length */
    uint8_t state; /* 0 not yet computed, 1 one period (or none), 3 two, 2 ask the calendar */
    uint8_t pad[7];
} tbl_bday;

/* Business time of one calendar, memoised over a window of UTC days. */
typedef struct tbl_clock {
    const cm_calendar *cal;
    int64_t first_day; /* days[0]'s day, counted from 0001-01-01; set at the first use */
    bool placed;
    bool has_ref;    /* ref_cum holds the business seconds from the anchor to ref_day */
    int64_t ref_day; /* the day last filled: later days are measured from it */
    int64_t ref_cum;
    tbl_bday *days; /* TBL_DAYS */
} tbl_clock;

/* The UTC offset of a zone over one UTC day. */
typedef struct tbl_tzday {
    int32_t off0, off1; /* offset before and from `trans` */
    int32_t trans;      /* second of the day the offset changes, or 86400 */
    uint8_t state;      /* 0 not yet computed, 1 simple, 2 ask the zone */
    uint8_t pad[3];
} tbl_tzday;

typedef struct tbl_zone {
    const cm_tz *tz; /* NULL: UTC */
    int64_t first_day;
    bool placed;
    tbl_tzday *days;
} tbl_zone;

void cm__clock_init(tbl_clock *c, const cm_calendar *cal, tbl_bday *days);
/* Business seconds from the clock's anchor to t, for a t the memo does not hold yet. */
int64_t cm__clock_business_slow(tbl_clock *c, cm_time t);

/* v clamped to [0, len] without branches (which would mispredict on random instants). */
static inline int64_t cm__clamp_period(int64_t v, int64_t len)
{
    v &= ~(v >> 63);
    const int64_t over = v - len;
    return len + (over & (over >> 63));
}

/* Business seconds from the clock's anchor to t (t within the calendars' years): the
 * memoised day's figures when it has them. */
static inline int64_t cm__clock_business(tbl_clock *c, cm_time t)
{
    /* Days since 0001-01-01 (the first day of the calendars' years): t - MIN >= 0. */
    const uint64_t since = (uint64_t)(t - CM_CALENDAR_TIME_MIN);
    const uint64_t day = since / 86400;
    const uint64_t i = day - (uint64_t)c->first_day;
    if (i < TBL_DAYS && c->days[i].state == 1) {
        const tbl_bday *d = &c->days[i];
        const int64_t x = (int64_t)(since - day * 86400);
        return d->cum + cm__clamp_period(x - d->s1, d->l1);
    }
    return cm__clock_business_slow(c, t);
}

/* Business seconds of [from, to). */
static inline int64_t cm__clock_elapsed(tbl_clock *c, cm_time from, cm_time to)
{
    return cm__clock_business(c, to) - cm__clock_business(c, from);
}
/* The instant a running clock started at `from` is breached at: the earliest
 * instant after which more than `target` business seconds have passed. */
cm_time cm__clock_breach(const tbl_clock *c, cm_time from, int64_t target);
void cm__zone_init(tbl_zone *z, const cm_tz *tz, tbl_tzday *days);
int32_t cm__zone_offset(tbl_zone *z, cm_time t);

#endif /* CAREMETRICS_TABLE_CLOCK_H */
