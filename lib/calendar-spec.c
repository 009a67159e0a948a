/*
 * The calendar text spec: a line-oriented parser feeding a builder.
 * Grammar: docs/calendar-spec.md.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/calendar.h>

#include <stdlib.h>
#include <string.h>

#include "calendar-internal.h"
#include "common-internal.h"

#define MAXI CM_CALENDAR_MAX_DAY_INTERVALS

typedef struct parser {
    const char *s;       /* whole spec */
    size_t pos;          /* current byte */
    size_t line_start;   /* byte offset of the current line */
    uint32_t line;       /* 1-based */
    const char *message; /* set on error */
    size_t err_pos;      /* byte offset of the error */
    cm_calendar_builder *b;
    cm_tz *tz; /* from a tz line, not yet given to the builder */
    bool have_tz;
    uint8_t day_state[7]; /* bit 1: has intervals, bit 2: said closed */
} parser;

#define DAY_OPEN   1u
#define DAY_CLOSED 2u

/* Records an error at byte offset `at` and returns CM_EPARSE. */
static cm_status fail_at(parser *p, size_t at, const char *message)
{
    p->message = message;
    p->err_pos = at;
    return CM_EPARSE;
}

static cm_status fail(parser *p, const char *message)
{
    return fail_at(p, p->pos, message);
}

static char cur(const parser *p)
{
    return p->s[p->pos];
}

static bool at_line_end(const parser *p)
{
    const char ch = cur(p);
    return ch == '\0' || ch == '\n' || ch == '#' || (ch == '\r' && p->s[p->pos + 1] == '\n');
}

static void skip_blanks(parser *p)
{
    while (cur(p) == ' ' || cur(p) == '\t')
        p->pos++;
}

static bool is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static char lower(char ch)
{
    return (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
}

static bool is_alpha(char ch)
{
    ch = lower(ch);
    return ch >= 'a' && ch <= 'z';
}

/* Length of the word of letters at pos. */
static size_t word_len(const parser *p)
{
    size_t n = 0;
    while (is_alpha(p->s[p->pos + n]))
        n++;
    return n;
}

static bool word_is(const parser *p, size_t n, const char *kw)
{
    if (strlen(kw) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(p->s[p->pos + i]) != kw[i])
            return false;
    return true;
}

/* A weekday name (its first three letters or the full name, any case) -> 1..7, else 0. */
static int32_t day_name(const parser *p, size_t n)
{
    static const char *const names[7] = {"monday", "tuesday",  "wednesday", "thursday",
                                         "friday", "saturday", "sunday"};
    for (int32_t d = 0; d < 7; d++) {
        if (n != 3 && n != strlen(names[d]))
            continue;
        size_t i = 0;
        while (i < n && lower(p->s[p->pos + i]) == names[d][i])
            i++;
        if (i == n)
            return d + 1;
    }
    return 0;
}

/* Exactly n digits. */
static bool digits(parser *p, int n, int32_t *v)
{
    int32_t x = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit(p->s[p->pos + (size_t)i]))
            return false;
        x = x * 10 + (p->s[p->pos + (size_t)i] - '0');
    }
    p->pos += (size_t)n;
    *v = x;
    return true;
}

/* HH:MM[:SS] -> seconds after midnight; 24:00[:00] allowed when end_ok. */
static cm_status parse_time(parser *p, bool end_ok, int32_t *secs)
{
    const size_t at = p->pos;
    int32_t h, m, s = 0;
    if (!digits(p, 2, &h))
        return fail_at(p, at, "expected a time HH:MM");
    if (cur(p) != ':')
        return fail(p, "expected ':' in a time HH:MM");
    p->pos++;
    if (!digits(p, 2, &m))
        return fail(p, "expected two digits of minutes");
    if (cur(p) == ':') {
        p->pos++;
        if (!digits(p, 2, &s))
            return fail(p, "expected two digits of seconds");
    }
    if (is_digit(cur(p)))
        return fail(p, "too many digits in a time");
    if (h > 24)
        return fail_at(p, at, "hour must be 00 to 24");
    if (m > 59)
        return fail_at(p, at + 3, "minutes must be 00 to 59");
    if (s > 59)
        return fail_at(p, at + 6, "seconds must be 00 to 59");
    if (h == 24 && (m != 0 || s != 0))
        return fail_at(p, at, "24:00 is the only time with hour 24");
    if (h == 24 && !end_ok)
        return fail_at(p, at, "24:00 may only end an interval");
    *secs = h * 3600 + m * 60 + s;
    return CM_OK;
}

/* One HH:MM-HH:MM; an end at or before the start runs into the next day. */
static cm_status parse_range(parser *p, int32_t *s, int32_t *e, size_t *at)
{
    *at = p->pos;
    CM_TRY(parse_time(p, false, s));
    skip_blanks(p);
    if (cur(p) != '-')
        return fail(p, "expected '-' between the opening and closing times");
    p->pos++;
    skip_blanks(p);
    const size_t end_at = p->pos;
    CM_TRY(parse_time(p, true, e));
    if (*e == *s)
        return fail_at(p, end_at, "empty interval: the closing time equals the opening time");
    if (*e < *s)
        *e += 86400; /* overnight: 22:00-06:00 closes at 06:00 the next day */
    return CM_OK;
}

/* The rest of a line after its days or date: "closed" or a list of ranges. */
typedef cm_status (*range_sink)(parser *p, void *ctx, int32_t s, int32_t e, size_t at);

static cm_status parse_hours(parser *p, bool *closed, range_sink sink, void *ctx)
{
    if (!is_digit(cur(p))) {
        const size_t n = word_len(p);
        if (n > 0 && word_is(p, n, "closed")) {
            p->pos += n;
            *closed = true;
            return CM_OK;
        }
        return fail(p, "expected 'closed' or an interval HH:MM-HH:MM");
    }
    *closed = false;
    for (;;) {
        int32_t s, e;
        size_t at;
        CM_TRY(parse_range(p, &s, &e, &at));
        CM_TRY(sink(p, ctx, s, e, at));
        skip_blanks(p);
        if (cur(p) != ',')
            return CM_OK;
        p->pos++;
        skip_blanks(p);
    }
}

static cm_status sink_status(parser *p, cm_status st, size_t at)
{
    if (st == CM_ERANGE)
        return fail_at(p, at, "too many intervals for one day");
    return st;
}

static uint32_t column_of(const parser *p, size_t at)
{
    return (uint32_t)(at - p->line_start + 1);
}

/* Weekly lines. */
typedef struct weekly_ctx {
    bool days[7];
} weekly_ctx;

static cm_status weekly_sink(parser *p, void *ctx, int32_t s, int32_t e, size_t at)
{
    const weekly_ctx *w = ctx;
    for (int32_t d = 0; d < 7; d++) {
        if (!w->days[d])
            continue;
        if (p->day_state[d] & DAY_CLOSED)
            return fail_at(p, at, "this day was said to be closed");
        p->day_state[d] |= DAY_OPEN;
        CM_TRY(sink_status(p, cm__builder_push_weekly(p->b, d + 1, s, e, p->line, column_of(p, at)),
                           at));
    }
    return CM_OK;
}

static cm_status parse_weekly(parser *p)
{
    weekly_ctx w;
    memset(&w, 0, sizeof w);
    for (;;) {
        const size_t at = p->pos;
        const int32_t first = day_name(p, word_len(p));
        if (first == 0)
            return fail_at(p, at, "unknown day name (mon, tue, wed, thu, fri, sat, sun)");
        p->pos += word_len(p);
        int32_t last = first;
        skip_blanks(p);
        if (cur(p) == '-') {
            p->pos++;
            skip_blanks(p);
            const size_t at2 = p->pos;
            last = day_name(p, word_len(p));
            if (last == 0)
                return fail_at(p, at2, "unknown day name (mon, tue, wed, thu, fri, sat, sun)");
            p->pos += word_len(p);
            skip_blanks(p);
        }
        /* A range may wrap around the week: fri-mon is fri, sat, sun, mon. */
        for (int32_t d = first;; d = d % 7 + 1) {
            w.days[d - 1] = true;
            if (d == last)
                break;
        }
        if (cur(p) != ',')
            break;
        p->pos++;
        skip_blanks(p);
    }
    if (at_line_end(p))
        return fail(p, "expected 'closed' or an interval HH:MM-HH:MM after the days");
    if (!(p->s[p->pos - 1] == ' ' || p->s[p->pos - 1] == '\t'))
        return fail(p, "expected a space after the days");
    skip_blanks(p);
    bool closed;
    const size_t hours_at = p->pos;
    CM_TRY(parse_hours(p, &closed, weekly_sink, &w));
    if (closed) {
        for (int32_t d = 0; d < 7; d++) {
            if (!w.days[d])
                continue;
            if (p->day_state[d] & DAY_OPEN)
                return fail_at(p, hours_at, "this day already has hours");
            p->day_state[d] |= DAY_CLOSED;
        }
    }
    return CM_OK;
}

/*
 * Date lines (`2025-12-25 ...`, `*-12-25 ...`) and yearly weekday lines
 * (`4th thu of nov ...`): the hours are gathered first, then pushed with
 * what the line's end says (`observed`, `from YYYY`, `until YYYY`).
 */
typedef struct date_line {
    int32_t year, month, day; /* year 0: every year; day 0: the nth weekday wday */
    int32_t nth, wday;
    int32_t first, last;
    bool closed, observed;
    size_t closed_at;
    uint32_t n;
    struct {
        int32_t s, e;
        size_t at;
    } iv[MAXI + 1];
} date_line;

static cm_status gather_sink(parser *p, void *ctx, int32_t s, int32_t e, size_t at)
{
    date_line *d = ctx;
    if (d->n == MAXI + 1)
        return fail_at(p, at, "too many intervals for one day");
    d->iv[d->n].s = s;
    d->iv[d->n].e = e;
    d->iv[d->n].at = at;
    d->n++;
    return CM_OK;
}

/* A four-digit year 0001..9999 after a keyword. */
static cm_status parse_year(parser *p, int32_t *year)
{
    if (!(cur(p) == ' ' || cur(p) == '\t'))
        return fail(p, "expected a year YYYY");
    skip_blanks(p);
    const size_t at = p->pos;
    if (!digits(p, 4, year))
        return fail_at(p, at, "expected a year YYYY");
    if (is_digit(cur(p)))
        return fail(p, "too many digits in a year");
    if (*year < 1)
        return fail_at(p, at, "the year must be 0001 to 9999");
    return CM_OK;
}

/* The words after a date's hours: observed, from YYYY, until YYYY. */
static cm_status parse_date_suffix(parser *p, date_line *d)
{
    for (;;) {
        const size_t before = p->pos;
        /* A word must follow blanks (the list of intervals may have eaten them). */
        const bool after_blank =
            before > p->line_start && (p->s[before - 1] == ' ' || p->s[before - 1] == '\t');
        skip_blanks(p);
        if (at_line_end(p) || (p->pos == before && !after_blank)) {
            p->pos = before;
            return CM_OK;
        }
        const size_t at = p->pos, n = word_len(p);
        const bool yearly = d->year == CM_CALENDAR_EVERY_YEAR;
        if (n > 0 && word_is(p, n, "observed")) {
            if (!d->closed)
                return fail_at(p, at, "'observed' applies to closed dates only");
            p->pos += n;
            d->observed = true;
        } else if (n > 0 && (word_is(p, n, "from") || word_is(p, n, "until"))) {
            const bool from = word_is(p, n, "from");
            if (!yearly)
                return fail_at(
                    p, at, "'from' and 'until' apply to yearly dates (*-MM-DD, 4th thu of nov)");
            p->pos += n;
            int32_t y;
            CM_TRY(parse_year(p, &y));
            if (from)
                d->first = y;
            else
                d->last = y;
            if (d->first > d->last)
                return fail_at(p, at, "the last year comes before the first");
        } else {
            p->pos = before; /* left for the end of the line */
            return CM_OK;
        }
    }
}

/* The hours of a date line, its suffix, then its entries. */
static cm_status parse_date_rest(parser *p, date_line *d)
{
    const size_t hours_at = p->pos;
    CM_TRY(parse_hours(p, &d->closed, gather_sink, d));
    d->closed_at = hours_at;
    CM_TRY(parse_date_suffix(p, d));
    if (d->year != CM_CALENDAR_EVERY_YEAR) {
        if (d->closed)
            return sink_status(p,
                               cm__builder_push_date(p->b, d->year, d->month, d->day, CM__CLOSED,
                                                     CM__CLOSED, d->observed ? CM__OBSERVED : 0,
                                                     p->line, column_of(p, hours_at)),
                               hours_at);
        for (uint32_t i = 0; i < d->n; i++)
            CM_TRY(sink_status(p,
                               cm__builder_push_date(p->b, d->year, d->month, d->day, d->iv[i].s,
                                                     d->iv[i].e, 0, p->line,
                                                     column_of(p, d->iv[i].at)),
                               d->iv[i].at));
        return CM_OK;
    }
    cm_calendar_yearly r;
    CM_TRY(cm_calendar_yearly_init(&r));
    r.month = d->month;
    r.day = d->day;
    r.weekday = d->wday;
    r.nth = d->nth;
    r.first_year = d->first;
    r.last_year = d->last;
    if (d->closed) {
        r.flags = CM_CALENDAR_YEARLY_CLOSED | (d->observed ? CM_CALENDAR_YEARLY_OBSERVED : 0u);
        return sink_status(p, cm__builder_push_yearly(p->b, &r, p->line, column_of(p, hours_at)),
                           hours_at);
    }
    r.flags = 0;
    for (uint32_t i = 0; i < d->n; i++) {
        r.start_seconds = d->iv[i].s;
        r.end_seconds = d->iv[i].e;
        CM_TRY(sink_status(p, cm__builder_push_yearly(p->b, &r, p->line, column_of(p, d->iv[i].at)),
                           d->iv[i].at));
    }
    return CM_OK;
}

static void date_line_init(date_line *d)
{
    d->year = d->month = d->day = d->nth = d->wday = 0;
    d->first = 1;
    d->last = 9999;
    d->closed = d->observed = false;
    d->closed_at = 0;
    d->n = 0;
}

static cm_status parse_date_line(parser *p)
{
    const size_t at = p->pos;
    date_line d;
    date_line_init(&d);
    if (cur(p) == '*') {
        p->pos++;
        d.year = CM_CALENDAR_EVERY_YEAR;
    } else if (!digits(p, 4, &d.year)) {
        return fail_at(p, at, "expected a date YYYY-MM-DD or *-MM-DD");
    } else if (d.year < 1) {
        return fail_at(p, at, "the year must be 0001 to 9999");
    }
    if (cur(p) != '-')
        return fail(p, "expected '-' in a date YYYY-MM-DD");
    p->pos++;
    const size_t month_at = p->pos;
    if (!digits(p, 2, &d.month) || cur(p) != '-')
        return fail_at(p, month_at, "expected a two-digit month and '-' in a date");
    p->pos++;
    const size_t day_at = p->pos;
    if (!digits(p, 2, &d.day))
        return fail_at(p, day_at, "expected a two-digit day in a date");
    if (is_digit(cur(p)))
        return fail(p, "too many digits in a date");
    if (d.month < 1 || d.month > 12)
        return fail_at(p, month_at, "the month must be 01 to 12");
    if (d.day < 1 ||
        d.day > cm__days_in_month(d.year == CM_CALENDAR_EVERY_YEAR ? 2000 : d.year, d.month))
        return fail_at(p, day_at, "no such day in that month");
    if (!(cur(p) == ' ' || cur(p) == '\t'))
        return fail(p, "expected 'closed' or an interval HH:MM-HH:MM after the date");
    skip_blanks(p);
    return parse_date_rest(p, &d);
}

/* A month name (its first three letters or the full name, any case) -> 1..12, else 0. */
static int32_t month_name(const parser *p, size_t n)
{
    static const char *const names[12] = {"january",   "february", "march",    "april",
                                          "may",       "june",     "july",     "august",
                                          "september", "october",  "november", "december"};
    for (int32_t m = 0; m < 12; m++) {
        if (n != 3 && n != strlen(names[m]))
            continue;
        size_t i = 0;
        while (i < n && lower(p->s[p->pos + i]) == names[m][i])
            i++;
        if (i == n)
            return m + 1;
    }
    return 0;
}

/* Skips the blanks a line requires between two words. */
static cm_status need_blank(parser *p, const char *message)
{
    if (!(cur(p) == ' ' || cur(p) == '\t'))
        return fail(p, message);
    skip_blanks(p);
    return CM_OK;
}

/* 4th thu of nov ..., last mon of may ... */
static cm_status parse_nth_line(parser *p)
{
    static const char *const suffix[5] = {"st", "nd", "rd", "th", "th"};
    const size_t at = p->pos;
    date_line d;
    date_line_init(&d);
    d.year = CM_CALENDAR_EVERY_YEAR;
    const char *bad_ordinal = "expected an ordinal: 1st, 2nd, 3rd, 4th, 5th or last";
    if (is_digit(cur(p))) {
        const int32_t k = cur(p) - '0';
        p->pos++;
        const size_t n = word_len(p);
        if (k < 1 || k > 5 || n != 2 || !word_is(p, 2, suffix[k - 1]))
            return fail_at(p, at, bad_ordinal);
        p->pos += n;
        d.nth = k;
    } else {
        const size_t n = word_len(p);
        if (!word_is(p, n, "last"))
            return fail_at(p, at, bad_ordinal);
        p->pos += n;
        d.nth = -1;
    }
    CM_TRY(need_blank(p, "expected a day name after the ordinal"));
    const size_t day_at = p->pos;
    d.wday = day_name(p, word_len(p));
    if (d.wday == 0)
        return fail_at(p, day_at, "unknown day name (mon, tue, wed, thu, fri, sat, sun)");
    p->pos += word_len(p);
    CM_TRY(need_blank(p, "expected 'of' and a month after the day"));
    const size_t of_at = p->pos;
    if (!word_is(p, word_len(p), "of"))
        return fail_at(p, of_at, "expected 'of' and a month after the day");
    p->pos += 2;
    CM_TRY(need_blank(p, "expected a month name after 'of'"));
    const size_t month_at = p->pos;
    d.month = month_name(p, word_len(p));
    if (d.month == 0)
        return fail_at(p, month_at, "unknown month name (jan, feb, mar, ..., dec)");
    p->pos += word_len(p);
    if (at_line_end(p))
        return fail(p, "expected 'closed' or an interval HH:MM-HH:MM after the month");
    CM_TRY(need_blank(p, "expected a space after the month"));
    return parse_date_rest(p, &d);
}

/* tz NAME */
static cm_status parse_tz(parser *p)
{
    if (p->have_tz)
        return fail(p, "a second tz line: the time zone is already set");
    p->pos += 2;
    if (!(cur(p) == ' ' || cur(p) == '\t'))
        return fail(p, "expected a time zone name after tz");
    skip_blanks(p);
    const size_t at = p->pos;
    while (!(at_line_end(p) || cur(p) == ' ' || cur(p) == '\t' || cur(p) == '\r'))
        p->pos++;
    if (p->pos == at)
        return fail(p, "expected a time zone name after tz");
    const cm_status st =
        p->b->tz_cache != NULL
            ? cm__tz_cache_load_n(p->b->tz_cache, p->s + at, p->pos - at, &p->tz)
            : cm__tz_load_n(p->s + at, p->pos - at, cm__builder_alloc(p->b), &p->tz);
    switch (st) {
    case CM_OK:
        p->have_tz = true;
        return CM_OK;
    case CM_EINVAL:
        return fail_at(p, at, "invalid time zone name");
    case CM_ENOTFOUND:
        return fail_at(p, at, "unknown time zone");
    case CM_EPARSE:
        return fail_at(p, at, "the time zone file is not valid TZif data");
    default:
        return st;
    }
}

static cm_status parse_line(parser *p)
{
    skip_blanks(p);
    if (at_line_end(p))
        return CM_OK;
    const char ch = cur(p);
    if (is_digit(ch) && is_alpha(p->s[p->pos + 1]))
        return parse_nth_line(p); /* 4th thu of nov */
    if (is_digit(ch) || ch == '*')
        return parse_date_line(p);
    const size_t n = word_len(p);
    if (n == 2 && word_is(p, 2, "tz"))
        return parse_tz(p);
    if (n == 4 && word_is(p, 4, "last"))
        return parse_nth_line(p);
    if (n == 0)
        return fail(p, "unexpected character");
    return parse_weekly(p);
}

static cm_status parse_all(parser *p)
{
    for (;;) {
        CM_TRY(parse_line(p));
        skip_blanks(p);
        if (cur(p) == '#')
            while (cur(p) != '\0' && cur(p) != '\n')
                p->pos++;
        if (cur(p) == '\r' && p->s[p->pos + 1] == '\n')
            p->pos++;
        if (cur(p) == '\0')
            return CM_OK;
        if (cur(p) != '\n')
            return fail(p, cur(p) == ',' ? "unexpected ','"
                                         : "unexpected text at the end of the line");
        p->pos++;
        p->line++;
        p->line_start = p->pos;
    }
}

cm_status cm_calendar_builder_add_spec(cm_calendar_builder *b, const char *spec,
                                       cm_parse_error *err)
{
    CM_REQUIRE(b != NULL && spec != NULL, CM_EINVAL);
    /* Remember the builder's state: on error it is restored. */
    cm__builder_mark mark;
    cm__builder_mark_get(b, &mark);
    parser p;
    memset(&p, 0, sizeof p);
    p.s = spec;
    p.line = 1;
    p.b = b;
    cm_status st = parse_all(&p);
    uint32_t line = p.line, column = (uint32_t)(p.err_pos - p.line_start + 1);
    if (st == CM_OK) {
        /* Dates added up over the lines: a date both closed and open, or
         * with too many intervals, is reported at the entry that broke the
         * rule. Problems among entries added before this spec are left to
         * cm_calendar_builder_build(). */
        const cm__entry *bad = NULL;
        const cm_status cst = cm__builder_check(b, &bad);
        if (cst == CM_ENOMEM) {
            st = cst;
        } else if (cst != CM_OK && bad >= b->dates + mark.ndates) {
            st = CM_EPARSE;
            p.message = cst == CM_EINVAL ? "this date is both closed and open"
                                         : "too many intervals for one day";
            line = bad->line;
            column = bad->column;
        }
    }
    if (st != CM_OK) {
        cm__builder_mark_restore(b, &mark);
        cm_tz_free(p.tz);
        if (st == CM_EPARSE && err != NULL) {
            err->line = line;
            err->column = column;
            err->message = p.message;
        }
        return st;
    }
    if (p.have_tz)
        cm__builder_take_tz(b, p.tz);
    return CM_OK;
}

cm_status cm_calendar_parse_with_allocator(const char *spec, const cm_allocator *alloc,
                                           cm_calendar **out, cm_parse_error *err)
{
    CM_REQUIRE(spec != NULL && out != NULL && cm__valid_allocator(alloc), CM_EINVAL);
    cm_calendar_builder *b;
    CM_TRY(cm_calendar_builder_new_with_allocator(alloc, &b));
    cm_status st = cm_calendar_builder_add_spec(b, spec, err);
    cm_calendar *cal = NULL;
    if (st == CM_OK)
        st = cm_calendar_builder_build(b, &cal);
    cm_calendar_builder_free(b);
    CM_TRY(st);
    *out = cal;
    return CM_OK;
}

cm_status cm_calendar_parse(const char *spec, cm_calendar **out, cm_parse_error *err)
{
    return cm_calendar_parse_with_allocator(spec, NULL, out, err);
}
