/*
 * libcaremetrics — business calendars and exact business-time arithmetic, over
 * the time zones of caremetrics/tz.h.
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_CALENDAR_H
#define CAREMETRICS_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <caremetrics/common.h>
#include <caremetrics/tz.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup calendar Calendars: business hours and business time
 * @brief Weekly schedules with holidays, yearly rules and special hours, and
 *        exact business-time arithmetic across DST changes.
 *
 * A ::cm_calendar is a weekly schedule of open intervals in local wall-clock
 * time (any number per weekday, second precision, `24:00` ends and overnight
 * ranges), closed dates (holidays), dates with special hours, yearly rules
 * (the 25th of December, the fourth Thursday of November, with the observed
 * weekday of a weekend holiday), and a time zone (@ref tz, included by this
 * header). It is built with a ::cm_calendar_builder or parsed from a text
 * spec with cm_calendar_parse():
 *
 * @code
 * cm_calendar *cal;
 * cm_parse_error err;
 * cm_status st = cm_calendar_parse("tz America/New_York\n"
 *                                  "mon-fri 09:00-17:00\n"
 *                                  "2025-12-25 closed\n", &cal, &err);
 * if (st == CM_EPARSE)
 *     fprintf(stderr, "line %u, column %u: %s\n", err.line, err.column, err.message);
 * cm_time due;
 * st = cm_calendar_add(cal, created, 4 * 3600, &due);   // 4 business hours later
 * cm_calendar_free(cal);
 * @endcode
 *
 * Every operation works on one set of *periods*: each open interval of a local
 * date becomes a half-open range `[start, end)` of absolute instants, wall-clock
 * times being converted with the "compatible" rule of cm_tz_from_local(). Touching
 * or overlapping periods are merged and never counted twice. cm_calendar_add(),
 * cm_calendar_elapsed(), cm_calendar_is_open(), cm_calendar_next_open(),
 * cm_calendar_next_close() and cm_calendar_add_days() therefore always agree with
 * each other. The rules, with examples and the differences from zendesk/biz and
 * pandas, are in `docs/calendar.md`; the spec grammar is in `docs/calendar-spec.md`.
 *
 * A calendar keeps its schedule, not its periods: the weekly pattern with its
 * cumulative open seconds, its dated entries and rules, and a reference to its
 * zone (shared with every other calendar built from the same zone). Its size
 * and build time depend on the schedule only, and every operation is
 * arithmetic on whole weeks plus searches in those short lists, at the same
 * cost in any year.
 *
 * Calendars are immutable once created: one may be used by any number of
 * threads at once. Constructors allocate (each has a `_with_allocator` form
 * taking a ::cm_allocator); no other function does. Operations accept instants
 * in [::CM_CALENDAR_TIME_MIN, ::CM_CALENDAR_TIME_MAX] (the years 1 to 9999).
 * @{
 */

/** @file caremetrics/calendar.h
 *  @brief Business calendars and business-time arithmetic. */

/** Earliest instant the calendar functions accept: 0001-01-01T00:00:00Z (::CM_TZ_TIME_MIN). */
#define CM_CALENDAR_TIME_MIN ((cm_time)-62135596800LL)
/** Latest instant the calendar functions accept: 9999-12-31T23:59:59Z (::CM_TZ_TIME_MAX). */
#define CM_CALENDAR_TIME_MAX ((cm_time)253402300799LL)

/** Year value meaning "every year" for recurring holidays and special hours. */
#define CM_CALENDAR_EVERY_YEAR 0

/** Most intervals one weekday, or one date with special hours, may have. */
#define CM_CALENDAR_MAX_DAY_INTERVALS 256

/** Seconds in a day: the end of an interval that closes at `24:00`. */
#define CM_CALENDAR_DAY_SECONDS 86400

/**
 * A business calendar (opaque, immutable). Create with cm_calendar_parse() or
 * cm_calendar_builder_build(); release with cm_calendar_free().
 */
typedef struct cm_calendar cm_calendar;

/**
 * Collects the parts of a calendar (opaque, mutable, single-threaded). Create
 * with cm_calendar_builder_new(); release with cm_calendar_builder_free().
 */
typedef struct cm_calendar_builder cm_calendar_builder;

/* ------------------------------------------------------------------------ */
/* Building calendars                                                       */
/* ------------------------------------------------------------------------ */

/**
 * Creates an empty calendar builder: no open hours, time zone UTC.
 *
 * @param[out] out the new builder; free it with cm_calendar_builder_free().
 * @retval CM_OK success.
 * @retval CM_EINVAL @p out is NULL.
 * @retval CM_ENOMEM memory allocation failed.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_calendar_builder_new(cm_calendar_builder **out);

/**
 * cm_calendar_builder_new() with the caller's memory functions.
 *
 * The builder allocates its lists through @p alloc, and so do the calendars it
 * builds and the zones its specs' `tz` lines load (unless a zone cache is set:
 * cm_calendar_builder_set_tz_cache()).
 *
 * @param alloc memory functions, or NULL for `malloc` and `free`.
 * @param[out] out the new builder; free it with cm_calendar_builder_free().
 * @retval CM_OK success.
 * @retval CM_EINVAL @p out is NULL, or @p alloc lacks a function.
 * @retval CM_ENOMEM the allocation failed.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_calendar_builder_new_with_allocator(const cm_allocator *alloc,
                                                                     cm_calendar_builder **out);

/**
 * Releases a builder. Calendars built from it are independent of it.
 *
 * @param b the builder; NULL is a no-op.
 * @since 0.1
 */
CM_API void cm_calendar_builder_free(cm_calendar_builder *b);

/**
 * Sets the calendar's time zone.
 *
 * The builder takes a reference to @p tz (see @ref tz), and every calendar it
 * builds takes one more: @p tz may be freed right after this call, and
 * calendars built from one zone share its data.
 *
 * @param b the builder.
 * @param tz the zone in which the weekly hours, holidays and special hours are read.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p b or @p tz is NULL.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_calendar_builder_set_tz(cm_calendar_builder *b, const cm_tz *tz);

/**
 * Makes the `tz` lines of specs load their zones through a cache.
 *
 * With a cache, every calendar whose spec names `America/New_York` shares the
 * one zone the cache loaded, instead of reading and keeping its own. The
 * builder borrows the cache: it must stay alive while specs are added. The
 * calendars hold references to their zones, not to the cache.
 *
 * @param b the builder.
 * @param cache the cache, or NULL to load each `tz` line's zone on its own.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p b is NULL.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_calendar_builder_set_tz_cache(cm_calendar_builder *b,
                                                               cm_tz_cache *cache);

/**
 * Adds an open interval to every week, on one weekday.
 *
 * Times are seconds after local midnight. The interval is `[start, end)`; an end
 * above 86400 runs past midnight into the next day, so `fri 22:00-06:00` is
 * weekday 5, start 79200, end 108000, and `mon 18:00-24:00` ends at 86400.
 * Intervals added to the same weekday are merged where they overlap or touch.
 *
 * @param b the builder.
 * @param weekday ISO weekday, 1 = Monday .. 7 = Sunday.
 * @param start_seconds opening time, 0..86399.
 * @param end_seconds closing time, `start_seconds < end_seconds <= start_seconds + 86400`.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p b is NULL.
 * @retval CM_ERANGE @p weekday or a time is out of range, or the weekday already
 *         has ::CM_CALENDAR_MAX_DAY_INTERVALS intervals.
 * @retval CM_ENOMEM memory allocation failed.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_calendar_builder_add_weekly(cm_calendar_builder *b,
                                                             int32_t weekday, int32_t start_seconds,
                                                             int32_t end_seconds);

/**
 * Closes a whole local date (a holiday), or that month and day of every year.
 *
 * A holiday has no hours of its own and also closes the part of the previous
 * evening's overnight interval that runs past midnight into it.
 *
 * @param b the builder.
 * @param year 1..9999, or ::CM_CALENDAR_EVERY_YEAR for a holiday on this month
 *        and day each year (February 29 then recurs in leap years only).
 * @param month 1..12.
 * @param day 1..31, a valid day of the month.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p b is NULL.
 * @retval CM_ERANGE the date does not exist.
 * @retval CM_ENOMEM memory allocation failed.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_calendar_builder_add_holiday(cm_calendar_builder *b, int32_t year,
                                                              int32_t month, int32_t day);

/**
 * Closes a local date and, when it falls on a weekend, its observed weekday.
 *
 * The rule of US federal holidays (5 U.S.C. 6103(b)): a holiday on a Saturday
 * also closes the Friday before, one on a Sunday also the Monday after. The
 * holiday's own date is closed too. Applied to the date of each year with
 * ::CM_CALENDAR_EVERY_YEAR (so 1 January on a Saturday closes 31 December of the
 * year before). A dated entry for the observed date itself takes precedence.
 *
 * @param b the builder.
 * @param year 1..9999, or ::CM_CALENDAR_EVERY_YEAR.
 * @param month 1..12.
 * @param day 1..31, a valid day of the month.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p b is NULL.
 * @retval CM_ERANGE the date does not exist.
 * @retval CM_ENOMEM memory allocation failed.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_calendar_builder_add_holiday_observed(cm_calendar_builder *b,
                                                                       int32_t year, int32_t month,
                                                                       int32_t day);

/**
 * Gives a local date special hours, replacing its weekly hours.
 *
 * Several calls for the same date add up (their union). A date may not be both a
 * holiday and have special hours: cm_calendar_builder_build() refuses that. An
 * entry for a specific year takes precedence over an every-year entry for the
 * same month and day.
 *
 * @param b the builder.
 * @param year 1..9999, or ::CM_CALENDAR_EVERY_YEAR.
 * @param month 1..12.
 * @param day 1..31, a valid day of the month.
 * @param start_seconds opening time, 0..86399, seconds after local midnight.
 * @param end_seconds closing time, `start_seconds < end_seconds <= start_seconds + 86400`.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p b is NULL.
 * @retval CM_ERANGE the date does not exist or a time is out of range.
 * @retval CM_ENOMEM memory allocation failed.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_calendar_builder_add_special(cm_calendar_builder *b, int32_t year,
                                                              int32_t month, int32_t day,
                                                              int32_t start_seconds,
                                                              int32_t end_seconds);

/** Flag of ::cm_calendar_yearly: the rule's date is closed (a holiday), not given hours. */
#define CM_CALENDAR_YEARLY_CLOSED 0x1u
/** Flag of ::cm_calendar_yearly: a closed date on a Saturday also closes the Friday
 *  before, one on a Sunday the Monday after (see cm_calendar_builder_add_holiday_observed()). */
#define CM_CALENDAR_YEARLY_OBSERVED 0x2u

/**
 * A date that recurs every year (or every few years): a fixed day of a month,
 * or the nth weekday of a month, closed or with special hours. Fill one with
 * cm_calendar_yearly_init(), then set what differs.
 *
 * `{month = 11, day = 0, weekday = 4, nth = 4}` is the fourth Thursday of
 * November (Thanksgiving in the US), `{month = 5, weekday = 1, nth = -1}` the
 * last Monday of May, `{month = 6, day = 19, first_year = 2021}` the 19th of
 * June from 2021 on. A rule has no date in a year where its day does not exist
 * (29 February outside leap years, a fifth weekday the month lacks).
 */
typedef struct cm_calendar_yearly {
    uint32_t size; /**< `sizeof(cm_calendar_yearly)`, set by cm_calendar_yearly_init(). */
    uint32_t
        flags;     /**< ::CM_CALENDAR_YEARLY_CLOSED, ::CM_CALENDAR_YEARLY_OBSERVED (closed only). */
    int32_t month; /**< 1..12. */
    int32_t day;   /**< 1..31, a day the month can have; 0 for the nth weekday. */
    int32_t weekday;       /**< With day 0: ISO weekday, 1 = Monday .. 7 = Sunday. */
    int32_t nth;           /**< With day 0: 1..5 from the first, -1..-5 from the last. */
    int32_t first_year;    /**< First year with a date, 1..9999 (default 1). */
    int32_t last_year;     /**< Last year with a date, first_year..9999 (default 9999). */
    int32_t interval;      /**< Every interval-th year from first_year, 1..9999 (default 1). */
    int32_t start_seconds; /**< Without ::CM_CALENDAR_YEARLY_CLOSED: opening, 0..86399. */
    int32_t end_seconds;   /**< Closing, `start_seconds < end_seconds <= start_seconds + 86400`. */
    uint32_t except_count; /**< Number of years in @ref except_years (0 .. 65535). */
    const int32_t *except_years; /**< Years without the date (copied); NULL when none. */
    uint32_t reserved[4];        /**< Must be 0. */
} cm_calendar_yearly;

/**
 * Fills a yearly rule with its defaults: every year from 1 to 9999, closed,
 * no month or day yet (so it must be given them).
 *
 * @param[out] rule the rule to fill.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p rule is NULL.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_calendar_yearly_init(cm_calendar_yearly *rule);

/**
 * Adds a yearly rule: a holiday, or special hours, on a date that recurs.
 *
 * Precedence, for one local date: a dated entry (cm_calendar_builder_add_holiday()
 * or _add_special() with a year, and the observed weekdays they close) first;
 * then yearly rules, among which a closed one wins (its date, or the observed
 * weekday it closes), else the hours of the rule added first; then the weekly
 * hours. Rules that differ only in their hours add up (their union); rules
 * equal but for being closed or open are refused by cm_calendar_builder_build().
 * cm_calendar_builder_add_holiday() with ::CM_CALENDAR_EVERY_YEAR is the rule
 * with a fixed day and the defaults.
 *
 * @param b the builder.
 * @param rule the rule; copied (its exception years too).
 * @retval CM_OK success.
 * @retval CM_EINVAL @p b or @p rule is NULL, @p rule's size is not this version's,
 *         a reserved field is not 0, an unknown flag, ::CM_CALENDAR_YEARLY_OBSERVED
 *         without ::CM_CALENDAR_YEARLY_CLOSED, or exception years given as NULL.
 * @retval CM_ERANGE a field is out of range (month, day, weekday, nth, years,
 *         interval, times, an exception year outside 1..9999, more than 65535 of them).
 * @retval CM_ENOMEM memory allocation failed.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_calendar_builder_add_yearly(cm_calendar_builder *b,
                                                             const cm_calendar_yearly *rule);

/** Flag of cm_calendar_builder_add_ical(): skip events with a time of day
 *  instead of refusing them. @since 0.2 */
#define CM_CALENDAR_ICAL_SKIP_TIMED 0x1u
/** Flag of cm_calendar_builder_add_ical(): each closed date on a Saturday also
 *  closes the Friday before, one on a Sunday the Monday after (as
 *  cm_calendar_builder_add_holiday_observed()). @since 0.2 */
#define CM_CALENDAR_ICAL_OBSERVED 0x2u

/**
 * Closes the dates of the all-day events of RFC 5545 iCalendar text (an `.ics`
 * file, the format public holiday calendars are shared in).
 *
 * Content lines are unfolded first (a line break, CRLF or LF, followed by a
 * space or a tab continues the line); blank lines are ignored. The text is one
 * or more `VCALENDAR` components; each `VEVENT` directly inside one closes dates:
 * - `DTSTART;VALUE=DATE:YYYYMMDD` closes that date (`VALUE=DATE` may be left out);
 *   `DTEND;VALUE=DATE` (exclusive) or `DURATION:P<n>D` / `P<n>W` closes every date
 *   from the start up to the end, at most 366 days.
 * - `RRULE:FREQ=YEARLY`, optionally with `INTERVAL`, `COUNT` or `UNTIL` (a date),
 *   and `BYMONTH` with `BYMONTHDAY` (one day, 1..31) or with `BYDAY` of one
 *   weekday with an ordinal from 1 to 5 or -1 to -5 (`4TH`, `-1MO`), or neither
 *   (the month and day of `DTSTART`). `DTSTART` must be one of the rule's dates.
 *   A one-day event becomes one yearly rule (cm_calendar_builder_add_yearly());
 *   a longer one becomes dated holidays over its years, so it needs `COUNT` or
 *   `UNTIL` and at most 10000 dates. `WKST` is ignored.
 * - `EXDATE;VALUE=DATE:` dates (comma-separated, on any number of lines) remove
 *   occurrences: an excluded year of the yearly rule (nothing is expanded), or
 *   the event itself for a non-recurring one. Dates that are not occurrences
 *   are ignored.
 *
 * Every other property (`SUMMARY`, `UID` and the rest) and every other
 * component (`VTIMEZONE`, `VALARM`, `VTODO` and the rest) is ignored. An event whose `DTSTART`, `DTEND` or
 * `DURATION` has a time of day is refused, or skipped with
 * ::CM_CALENDAR_ICAL_SKIP_TIMED (its rule and exclusions are then only checked
 * for syntax). Recurrences the calendar cannot hold exactly (`FREQ` other than
 * `YEARLY`, several values in a `BY` part, `BYSETPOS`, `RDATE` and the like) are
 * refused, never approximated.
 *
 * @param b the builder.
 * @param text the iCalendar text, UTF-8; need not be NUL-terminated (a NUL byte is
 *        an error); may be NULL when @p len is 0.
 * @param len length of @p text in bytes.
 * @param flags 0, or ::CM_CALENDAR_ICAL_SKIP_TIMED and ::CM_CALENDAR_ICAL_OBSERVED or'ed.
 * @param[out] err on ::CM_EPARSE, the line and column (bytes, 1-based, in @p text
 *        before unfolding) and the reason; may be NULL.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p b is NULL, @p text is NULL with @p len > 0, or an unknown flag.
 * @retval CM_EPARSE the text is malformed or holds a recurrence that is not
 *         supported; nothing was added; see @p err.
 * @retval CM_ENOMEM the builder could not grow; nothing was added.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_calendar_builder_add_ical(cm_calendar_builder *b, const char *text,
                                                           size_t len, uint32_t flags,
                                                           cm_parse_error *err);

/**
 * Adds the lines of a text spec to a builder (grammar: `docs/calendar-spec.md`).
 *
 * A `tz` line sets the builder's zone, loading it with cm_tz_load() (or through
 * the builder's zone cache, cm_calendar_builder_set_tz_cache()). Without one
 * the builder keeps the zone it has, so a zone read with cm_tz_from_tzif() can be
 * combined with a spec. On error the builder is left unchanged.
 *
 * @param b the builder.
 * @param spec the spec, NUL-terminated.
 * @param[out] err where parsing stopped; filled on ::CM_EPARSE only; may be NULL.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p b or @p spec is NULL.
 * @retval CM_EPARSE the spec is malformed, names an unknown or invalid zone, or is
 *         inconsistent (a date both closed and open); @p err says where and why.
 * @retval CM_ENOMEM memory allocation failed.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_calendar_builder_add_spec(cm_calendar_builder *b, const char *spec,
                                                           cm_parse_error *err);

/**
 * Kept for compatibility: calendars no longer precompute anything per year.
 *
 * Until 0.2 a calendar precomputed its periods for a window of years; it now
 * keeps only its schedule, and every operation costs the same in any year. The
 * arguments are still checked; they have no effect.
 *
 * @param b the builder.
 * @param first_year 1..9999.
 * @param years 0..132.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p b is NULL.
 * @retval CM_ERANGE @p first_year or @p years is out of range.
 * @since 0.1
 * @note Has no effect since 0.2.
 */
CM_API CM_NODISCARD cm_status cm_calendar_builder_set_cache_years(cm_calendar_builder *b,
                                                                  int32_t first_year,
                                                                  int32_t years);

/**
 * Builds an immutable calendar from the builder's contents.
 *
 * Allocates the calendar once, sized by its schedule (a Monday-to-Friday
 * calendar with 30 holidays over three years takes about 12 KB, most of it a
 * day index of six bytes per day those holidays span; see docs/calendar.md),
 * through the builder's allocator;
 * the calendar takes a reference to the builder's zone. The builder stays
 * usable and may be freed at once.
 *
 * @param b the builder.
 * @param[out] out the new calendar; free it with cm_calendar_free().
 * @retval CM_OK success.
 * @retval CM_EINVAL @p b or @p out is NULL, or a date (or a yearly rule) is both
 *         closed and has special hours.
 * @retval CM_ERANGE a date has more than ::CM_CALENDAR_MAX_DAY_INTERVALS intervals.
 * @retval CM_ENOMEM memory allocation failed.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_calendar_builder_build(const cm_calendar_builder *b,
                                                        cm_calendar **out);

/**
 * Parses a calendar from its text spec (grammar: `docs/calendar-spec.md`).
 *
 * @code
 * tz America/New_York
 * mon-fri 09:00-17:00
 * sat 10:00-14:00
 * 2025-12-25 closed
 * 2025-12-24 09:00-12:00
 * @endcode
 *
 * Equivalent to cm_calendar_builder_new(), cm_calendar_builder_add_spec() and
 * cm_calendar_builder_build(). Without a `tz` line the calendar is in UTC.
 *
 * @param spec the spec, NUL-terminated.
 * @param[out] out the new calendar; free it with cm_calendar_free().
 * @param[out] err where parsing stopped; filled on ::CM_EPARSE only; may be NULL.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p spec or @p out is NULL.
 * @retval CM_EPARSE the spec is malformed or inconsistent; @p err says where and why.
 * @retval CM_ENOMEM memory allocation failed.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_calendar_parse(const char *spec, cm_calendar **out,
                                                cm_parse_error *err);

/**
 * cm_calendar_parse() with the caller's memory functions.
 *
 * Every allocation (the temporary builder, the zone of the `tz` line, the
 * calendar) goes through @p alloc; on failure nothing is left allocated.
 *
 * @param spec the spec, NUL-terminated.
 * @param alloc memory functions, or NULL for `malloc` and `free`.
 * @param[out] out the new calendar; free it with cm_calendar_free().
 * @param[out] err where parsing stopped; filled on ::CM_EPARSE only; may be NULL.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p spec or @p out is NULL, or @p alloc lacks a function.
 * @retval CM_EPARSE the spec is malformed or inconsistent; @p err says where and why.
 * @retval CM_ENOMEM an allocation failed.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_calendar_parse_with_allocator(const char *spec,
                                                               const cm_allocator *alloc,
                                                               cm_calendar **out,
                                                               cm_parse_error *err);

/**
 * Releases a calendar (and its reference to its zone).
 *
 * @param cal the calendar; NULL is a no-op.
 * @since 0.1
 */
CM_API void cm_calendar_free(cm_calendar *cal);

/**
 * The calendar's time zone, for converting results to local time.
 *
 * @param cal the calendar.
 * @param[out] out the zone, lent by @p cal and valid until cm_calendar_free();
 *        take a reference with cm_tz_ref() to keep it longer.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p cal or @p out is NULL.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_calendar_get_tz(const cm_calendar *cal, const cm_tz **out);

/* ------------------------------------------------------------------------ */
/* Business-time arithmetic                                                 */
/* ------------------------------------------------------------------------ */

/**
 * Moves an instant by an amount of business time.
 *
 * For @p seconds > 0 the result is the earliest instant `r` with
 * `cm_calendar_elapsed(start, r) == seconds`, so Monday 09:00 plus 8 hours on a
 * 09:00–17:00 calendar is Monday 17:00 (not Tuesday 09:00: see
 * cm_calendar_add_roll() for that convention). For @p seconds < 0 it is the latest
 * `r` with `cm_calendar_elapsed(r, start) == -seconds`. Zero returns @p start.
 * Time before an opening does not count: Saturday 12:00 plus 1 hour is Monday 10:00.
 *
 * @param cal the calendar.
 * @param start the starting instant, in the accepted range.
 * @param seconds business seconds to add; negative moves backwards.
 * @param[out] out the resulting instant.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p cal or @p out is NULL.
 * @retval CM_ERANGE @p start is outside [::CM_CALENDAR_TIME_MIN, ::CM_CALENDAR_TIME_MAX].
 * @retval CM_EOVERFLOW the calendar has too little open time between @p start and the
 *         end (or start) of the accepted range.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_calendar_add(const cm_calendar *cal, cm_time start,
                                              int64_t seconds, cm_time *out);

/**
 * Like cm_calendar_add(), but rolls results off period boundaries the way pandas'
 * `BusinessHour` / `CustomBusinessHour` offsets do.
 *
 * With @p seconds > 0 a result that lands exactly on a closing instant moves to
 * the next opening (Monday 09:00 plus 8 hours on a 09:00–17:00 calendar is
 * Tuesday 09:00); with @p seconds < 0 a result exactly on an opening moves back to
 * the previous closing (Tuesday 10:00 minus 1 hour is Monday 17:00); zero gives
 * cm_calendar_next_open(). The business time between @p start and the result is
 * the same as with cm_calendar_add().
 *
 * @param cal the calendar.
 * @param start the starting instant, in the accepted range.
 * @param seconds business seconds to add; negative moves backwards.
 * @param[out] out the resulting instant.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p cal or @p out is NULL.
 * @retval CM_ERANGE @p start is outside [::CM_CALENDAR_TIME_MIN, ::CM_CALENDAR_TIME_MAX].
 * @retval CM_EOVERFLOW the result would fall outside the accepted range.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_calendar_add_roll(const cm_calendar *cal, cm_time start,
                                                   int64_t seconds, cm_time *out);

/**
 * Business seconds between two instants.
 *
 * The number of real seconds of `[from, to)` that lie inside the calendar's
 * periods, negated when @p to < @p from: `elapsed(b, a) == -elapsed(a, b)` and
 * `elapsed(a, b) + elapsed(b, c) == elapsed(a, c)`. A 24×7 calendar in New York
 * counts 82800 seconds for the day the clocks spring forward.
 *
 * @param cal the calendar.
 * @param from start of the span, in the accepted range.
 * @param to end of the span, in the accepted range.
 * @param[out] out business seconds.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p cal or @p out is NULL.
 * @retval CM_ERANGE @p from or @p to is outside [::CM_CALENDAR_TIME_MIN, ::CM_CALENDAR_TIME_MAX].
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_calendar_elapsed(const cm_calendar *cal, cm_time from, cm_time to,
                                                  int64_t *out);

/**
 * Whether the calendar is open at an instant.
 *
 * An opening instant is open, a closing instant is not.
 *
 * @param cal the calendar.
 * @param t the instant, in the accepted range.
 * @param[out] out true when @p t lies inside a period.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p cal or @p out is NULL.
 * @retval CM_ERANGE @p t is outside [::CM_CALENDAR_TIME_MIN, ::CM_CALENDAR_TIME_MAX].
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_calendar_is_open(const cm_calendar *cal, cm_time t, bool *out);

/**
 * The earliest open instant at or after @p t (@p t itself when open).
 *
 * @param cal the calendar.
 * @param t the instant, in the accepted range.
 * @param[out] out the next opening, or @p t.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p cal or @p out is NULL.
 * @retval CM_ERANGE @p t is outside [::CM_CALENDAR_TIME_MIN, ::CM_CALENDAR_TIME_MAX].
 * @retval CM_ENOTFOUND the calendar never opens at or after @p t within the accepted range.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_calendar_next_open(const cm_calendar *cal, cm_time t,
                                                    cm_time *out);

/**
 * The next closing instant: the end of the period containing @p t, or of the next
 * period when the calendar is closed at @p t. Always later than @p t.
 *
 * Periods that touch (Monday 18:00–24:00 and Tuesday 00:00–06:00) are one period:
 * the close is Tuesday 06:00.
 *
 * @param cal the calendar.
 * @param t the instant, in the accepted range.
 * @param[out] out the closing instant.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p cal or @p out is NULL.
 * @retval CM_ERANGE @p t is outside [::CM_CALENDAR_TIME_MIN, ::CM_CALENDAR_TIME_MAX].
 * @retval CM_ENOTFOUND no period ends after @p t within the accepted range (a 24×7
 *         calendar, or one that never opens again).
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_calendar_next_close(const cm_calendar *cal, cm_time t,
                                                     cm_time *out);

/**
 * Moves an instant by a number of business days, keeping its local time of day.
 *
 * A business day is a local date with hours of its own (weekly or special) that
 * is not a holiday. From the local date of @p start, move @p days business days
 * forward (or backward when negative), keep the wall-clock time of @p start, convert
 * it with the compatible rule, and return the next open instant at or after it.
 * Friday 16:00 plus 1 business day is Monday 16:00 on a Monday–Friday calendar;
 * Saturday 12:00 plus 1 is Monday 12:00; 0 days is cm_calendar_next_open().
 *
 * @param cal the calendar.
 * @param start the starting instant, in the accepted range.
 * @param days business days to move; negative moves backwards.
 * @param[out] out the resulting instant.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p cal or @p out is NULL.
 * @retval CM_ERANGE @p start is outside [::CM_CALENDAR_TIME_MIN, ::CM_CALENDAR_TIME_MAX].
 * @retval CM_EOVERFLOW the result would fall outside the accepted range.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_calendar_add_days(const cm_calendar *cal, cm_time start,
                                                   int32_t days, cm_time *out);

/**
 * cm_calendar_elapsed() over columns: `out[i] = elapsed(from[i], to[i])`.
 *
 * Every instant is checked first, so on error nothing is written.
 *
 * @param cal the calendar.
 * @param from start instants, @p n of them.
 * @param to end instants, @p n of them.
 * @param n number of pairs; the arrays may be NULL when it is 0.
 * @param[out] out @p n business-second counts.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL (the arrays only when @p n > 0).
 * @retval CM_ERANGE an instant is outside [::CM_CALENDAR_TIME_MIN, ::CM_CALENDAR_TIME_MAX].
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_calendar_elapsed_many(const cm_calendar *cal, const cm_time *from,
                                                       const cm_time *to, size_t n, int64_t *out);

/**
 * cm_calendar_add() over columns: `out[i] = add(start[i], seconds[i])`.
 *
 * On error nothing is written: every element is checked before the first result
 * is stored.
 *
 * @param cal the calendar.
 * @param start starting instants, @p n of them.
 * @param seconds business seconds to add to each, @p n of them.
 * @param n number of elements; the arrays may be NULL when it is 0.
 * @param[out] out @p n resulting instants.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL (the arrays only when @p n > 0).
 * @retval CM_ERANGE a start instant is outside [::CM_CALENDAR_TIME_MIN, ::CM_CALENDAR_TIME_MAX].
 * @retval CM_EOVERFLOW some result would fall outside the accepted range.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_calendar_add_many(const cm_calendar *cal, const cm_time *start,
                                                   const int64_t *seconds, size_t n, cm_time *out);

/** @} */

/* ------------------------------------------------------------------------ */
/* Calendar histories: schedules that change over time                     */
/* ------------------------------------------------------------------------ */

/**
 * @addtogroup calendar
 * @{
 */

/**
 * A calendar history (opaque, immutable): the calendar in force from each of
 * a list of instants, as when a team's hours change from a date. Create with
 * cm_calendar_history_new() or cm_calendar_history_parse(); release with
 * cm_calendar_history_free().
 *
 * Entry i is in force over `[from[i], from[i + 1])`, the last one to the end
 * of time; before the first `from` no calendar is in force and no business
 * time passes. Elapsed time over a span is the sum of each entry's
 * cm_calendar_elapsed() over its part of the span, so time is split exactly at
 * each change; cm_calendar_history_add() is its inverse, as cm_calendar_add()
 * is for one calendar.
 * @since 0.2
 */
typedef struct cm_calendar_history cm_calendar_history;

/** Most entries of a calendar history. @since 0.2 */
#define CM_CALENDAR_HISTORY_MAX 1024

/**
 * Creates a calendar history from calendars and the instants they take effect.
 * Allocates once; the calendars are borrowed, not copied: they must outlive the history.
 *
 * @param calendars the calendars, @p n of them, none NULL (one may appear several times).
 * @param from the instant each takes effect, strictly increasing, in the accepted range.
 * @param n number of entries, 1 .. ::CM_CALENDAR_HISTORY_MAX.
 * @param alloc the allocator, or NULL for malloc/free.
 * @param[out] out the new history.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p alloc lacks a function, @p n is out of range, or
 *         the instants are not strictly increasing.
 * @retval CM_ERANGE an instant is outside [::CM_CALENDAR_TIME_MIN, ::CM_CALENDAR_TIME_MAX].
 * @retval CM_ENOMEM out of memory.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_calendar_history_new(const cm_calendar *const *calendars,
                                                      const cm_time *from, size_t n,
                                                      const cm_allocator *alloc,
                                                      cm_calendar_history **out);

/**
 * Parses a calendar history: sections of calendar spec (`docs/calendar-spec.md`),
 * each opened by a `from` line.
 *
 * @code
 * from 2024-01-01              # 00:00 of that date in the section's time zone
 * tz America/New_York
 * mon-fri 09:00-17:00
 * from 2025-03-01T13:00:00Z    # or an RFC 3339 instant
 * tz America/New_York
 * mon-fri 08:00-18:00
 * @endcode
 * The first section may have no `from` line: it is then in force from the
 * earliest accepted instant. The calendars are built by cm_calendar_parse()
 * and owned by the history; the history itself and a temporary copy of each
 * section are allocated through @p alloc.
 *
 * @param text the history, NUL-terminated.
 * @param alloc the allocator, or NULL for malloc/free.
 * @param[out] out the new history.
 * @param[out] err where and why parsing stopped (line and column in @p text); may be NULL.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p text or @p out is NULL, or @p alloc lacks a function.
 * @retval CM_EPARSE the text is malformed (a section's calendar, a `from` line, instants
 *         not increasing, no section, more than ::CM_CALENDAR_HISTORY_MAX); see @p err.
 * @retval CM_ENOTFOUND a section names a time zone that cannot be found.
 * @retval CM_ENOMEM out of memory.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_calendar_history_parse(const char *text, const cm_allocator *alloc,
                                                        cm_calendar_history **out,
                                                        cm_parse_error *err);

/**
 * Frees a calendar history (and the calendars it parsed). `NULL` is a no-op.
 *
 * @param history the history, or NULL.
 * @since 0.2
 */
CM_API void cm_calendar_history_free(cm_calendar_history *history);

/**
 * The calendar in force at an instant, and when the next one takes effect.
 *
 * @param history the history.
 * @param t the instant, in the accepted range.
 * @param[out] cal the calendar in force, or NULL before the first entry; may be NULL.
 * @param[out] until the instant the next entry takes effect, or ::CM_CALENDAR_TIME_MAX
 *        after the last one; may be NULL.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p history is NULL.
 * @retval CM_ERANGE @p t is outside [::CM_CALENDAR_TIME_MIN, ::CM_CALENDAR_TIME_MAX].
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_calendar_history_at(const cm_calendar_history *history, cm_time t,
                                                     const cm_calendar **cal, cm_time *until);

/**
 * Business seconds between two instants, each part of the span counted by
 * the calendar in force over it.
 *
 * @param history the history.
 * @param from start of the span, in the accepted range.
 * @param to end of the span, in the accepted range.
 * @param[out] out business seconds, negated when @p to < @p from.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p history or @p out is NULL.
 * @retval CM_ERANGE @p from or @p to is outside [::CM_CALENDAR_TIME_MIN, ::CM_CALENDAR_TIME_MAX].
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_calendar_history_elapsed(const cm_calendar_history *history,
                                                          cm_time from, cm_time to, int64_t *out);

/**
 * Moves an instant by an amount of business time across the history's changes.
 *
 * For @p seconds > 0, the earliest `r` with `cm_calendar_history_elapsed(start, r) ==
 * seconds`; for @p seconds < 0 the latest `r` with `elapsed(r, start) == -seconds`;
 * zero returns @p start.
 *
 * @param history the history.
 * @param start the starting instant, in the accepted range.
 * @param seconds business seconds to add; negative moves backwards.
 * @param[out] out the resulting instant.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p history or @p out is NULL.
 * @retval CM_ERANGE @p start is outside [::CM_CALENDAR_TIME_MIN, ::CM_CALENDAR_TIME_MAX].
 * @retval CM_EOVERFLOW the history has too little open time before the end (or after the
 *         start) of the accepted range.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_calendar_history_add(const cm_calendar_history *history,
                                                      cm_time start, int64_t seconds, cm_time *out);

/**
 * Whether the calendar in force at an instant is open then.
 *
 * @param history the history.
 * @param t the instant, in the accepted range.
 * @param[out] out true when open (false before the first entry).
 * @retval CM_OK success.
 * @retval CM_EINVAL @p history or @p out is NULL.
 * @retval CM_ERANGE @p t is outside [::CM_CALENDAR_TIME_MIN, ::CM_CALENDAR_TIME_MAX].
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_calendar_history_is_open(const cm_calendar_history *history,
                                                          cm_time t, bool *out);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CAREMETRICS_CALENDAR_H */
