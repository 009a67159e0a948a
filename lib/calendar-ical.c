/*
 * Holidays from RFC 5545 iCalendar text: all-day VEVENTs, yearly RRULEs and
 * EXDATEs, added to a calendar builder as closed dates and yearly rules.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/calendar.h>

#include <string.h>

#include "calendar-internal.h"
#include "common-internal.h"

#define NAME_MAX_LEN  64 /* longest property, parameter or component name kept */
#define MAX_DEPTH     16 /* components nested in one another */
#define MAX_SPAN_DAYS 366
#define MAX_EXPANDED  10000 /* dated entries one recurring multi-day event may become */
#define EOL           (-2)  /* peek(): a line break ends the content line */
#define END_OF_TEXT   (-1)

typedef struct cursor {
    const char *s;
    size_t n;
    size_t pos;        /* byte offset in s */
    size_t line_start; /* byte offset of the physical line of pos */
    uint32_t line;     /* 1-based physical line */
} cursor;

typedef struct date_val {
    int32_t y, m, d;
    bool has_time;
    uint32_t line, column;
} date_val;

typedef struct event {
    cursor body; /* the line after BEGIN:VEVENT */
    bool has_start, has_end, has_duration, has_rrule, timed;
    date_val start, end;
    int64_t duration_days;
    bool duration_time; /* the duration has hours, minutes or seconds */
    bool duration_negative;
    uint32_t nexdate;
    /* RRULE */
    bool has_count, has_until;
    int64_t count;
    date_val until;
    int32_t interval, bymonth, bymonthday, byday_wday, byday_nth;
    /* First problem that only matters for an all-day event. */
    const char *defer_msg;
    uint32_t defer_line, defer_column;
} event;

typedef struct parser {
    cursor c;
    cm_calendar_builder *b;
    uint32_t flags;
    const char *message;
    uint32_t err_line, err_column;
} parser;

/* ---------------------------------------------------------------------- */
/* Reading unfolded content lines                                         */
/* ---------------------------------------------------------------------- */

/* Length of the line break at pos (CRLF or LF), 0 when none. */
static size_t break_len(const cursor *c, size_t pos)
{
    if (pos < c->n && c->s[pos] == '\n')
        return 1;
    if (pos + 1 < c->n && c->s[pos] == '\r' && c->s[pos + 1] == '\n')
        return 2;
    return 0;
}

/* Skips the folds at pos: a line break followed by a space or a tab. */
static void skip_folds(cursor *c)
{
    for (;;) {
        const size_t k = break_len(c, c->pos);
        if (k == 0 || c->pos + k >= c->n || (c->s[c->pos + k] != ' ' && c->s[c->pos + k] != '\t'))
            return;
        c->pos += k;
        c->line++;
        c->line_start = c->pos;
        c->pos++; /* the folding blank */
    }
}

/* The next character of the unfolded line, EOL, or END_OF_TEXT. */
static int peek(cursor *c)
{
    skip_folds(c);
    if (c->pos >= c->n)
        return END_OF_TEXT;
    if (break_len(c, c->pos) != 0)
        return EOL;
    return (unsigned char)c->s[c->pos];
}

static void adv(cursor *c)
{
    c->pos++;
}

/* Moves past the line break ending the content line; at the end of the text (a last
 * line without a break) it stays, so that positions stay on that line. */
static void next_line(cursor *c)
{
    const size_t k = break_len(c, c->pos);
    if (k == 0)
        return;
    c->pos += k;
    c->line++;
    c->line_start = c->pos;
}

static bool is_ctl(int ch)
{
    return (ch >= 0 && ch < 0x20 && ch != '\t') || ch == 0x7f;
}

static bool is_digit(int ch)
{
    return ch >= '0' && ch <= '9';
}

static bool is_name_char(int ch)
{
    return is_digit(ch) || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '-';
}

static int upper(int ch)
{
    return (ch >= 'a' && ch <= 'z') ? ch - 'a' + 'A' : ch;
}

static cm_status fail(parser *p, const char *message)
{
    p->message = message;
    p->err_line = p->c.line;
    p->err_column = (uint32_t)(p->c.pos - p->c.line_start + 1);
    return CM_EPARSE;
}

/* Reads a name (letters, digits, '-') in upper case; names too long to keep are
 * cut and marked with a trailing '*', so that they match no known name. */
static cm_status read_name(parser *p, char buf[NAME_MAX_LEN + 2], const char *what)
{
    size_t n = 0;
    while (is_name_char(peek(&p->c))) {
        if (n < NAME_MAX_LEN)
            buf[n++] = (char)upper(peek(&p->c));
        else
            buf[NAME_MAX_LEN] = '*', n = NAME_MAX_LEN + 1;
        adv(&p->c);
    }
    buf[n] = '\0';
    return n == 0 ? fail(p, what) : CM_OK;
}

/* The name and parameters of a content line, up to its value. */
typedef struct line_head {
    char name[NAME_MAX_LEN + 2];
    char value_type[NAME_MAX_LEN + 2]; /* the VALUE parameter, or "" */
} line_head;

static cm_status read_head(parser *p, line_head *h)
{
    CM_TRY(read_name(p, h->name, "expected a property name"));
    h->value_type[0] = '\0';
    while (peek(&p->c) == ';') {
        adv(&p->c);
        char pname[NAME_MAX_LEN + 2];
        CM_TRY(read_name(p, pname, "expected a parameter name"));
        if (peek(&p->c) != '=')
            return fail(p, "expected '=' after the parameter name");
        adv(&p->c);
        const bool is_value = strcmp(pname, "VALUE") == 0;
        for (bool first = true;; first = false) {
            size_t n = 0;
            char v[NAME_MAX_LEN + 2];
            if (peek(&p->c) == '"') {
                adv(&p->c);
                int ch;
                while ((ch = peek(&p->c)) != '"') {
                    if (ch == EOL || ch == END_OF_TEXT)
                        return fail(p, "unterminated quoted parameter value");
                    if (is_ctl(ch))
                        return fail(p, "control character in a parameter value");
                    adv(&p->c);
                }
                adv(&p->c);
            } else {
                int ch;
                while ((ch = peek(&p->c)) != ';' && ch != ':' && ch != ',' && ch != EOL &&
                       ch != END_OF_TEXT) {
                    if (is_ctl(ch) || ch == '"')
                        return fail(p, is_ctl(ch) ? "control character in a parameter value"
                                                  : "unexpected '\"' in a parameter value");
                    if (n < NAME_MAX_LEN)
                        v[n++] = (char)upper(ch);
                    else
                        v[NAME_MAX_LEN] = '*', n = NAME_MAX_LEN + 1;
                    adv(&p->c);
                }
            }
            v[n] = '\0';
            if (is_value && first)
                memcpy(h->value_type, v, n + 1);
            if (peek(&p->c) != ',')
                break;
            adv(&p->c);
        }
    }
    if (peek(&p->c) != ':')
        return fail(p, "expected ':' before the value");
    adv(&p->c);
    return CM_OK;
}

/* Skips a value to the end of its line, checking its characters. */
static cm_status skip_value(parser *p)
{
    int ch;
    while ((ch = peek(&p->c)) != EOL && ch != END_OF_TEXT) {
        if (is_ctl(ch))
            return fail(p, "control character in a value");
        adv(&p->c);
    }
    return CM_OK;
}

/* Ends a value: the line must end here. */
static cm_status end_value(parser *p)
{
    const int ch = peek(&p->c);
    if (ch != EOL && ch != END_OF_TEXT)
        return fail(p, "unexpected text after the value");
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Values                                                                 */
/* ---------------------------------------------------------------------- */

/* Reads exactly `count` digits. */
static cm_status read_digits(parser *p, int count, int32_t *out, const char *what)
{
    int32_t v = 0;
    for (int i = 0; i < count; i++) {
        const int ch = peek(&p->c);
        if (!is_digit(ch))
            return fail(p, what);
        v = v * 10 + (ch - '0');
        adv(&p->c);
    }
    *out = v;
    return CM_OK;
}

/* Reads 1 to 9 digits. */
static cm_status read_number(parser *p, int64_t *out, const char *what)
{
    int64_t v = 0;
    int n = 0;
    while (is_digit(peek(&p->c))) {
        if (++n > 9)
            return fail(p, "number too large");
        v = v * 10 + (peek(&p->c) - '0');
        adv(&p->c);
    }
    if (n == 0)
        return fail(p, what);
    *out = v;
    return CM_OK;
}

/* A DATE (YYYYMMDD) or DATE-TIME (YYYYMMDDTHHMMSS, optionally Z). */
static cm_status read_date(parser *p, date_val *v)
{
    skip_folds(&p->c);
    v->line = p->c.line;
    v->column = (uint32_t)(p->c.pos - p->c.line_start + 1);
    const cursor at = p->c;
    CM_TRY(read_digits(p, 4, &v->y, "expected a date YYYYMMDD"));
    CM_TRY(read_digits(p, 2, &v->m, "expected a date YYYYMMDD"));
    CM_TRY(read_digits(p, 2, &v->d, "expected a date YYYYMMDD"));
    if (v->y < 1 || v->m < 1 || v->m > 12 || v->d < 1 || v->d > cm__days_in_month(v->y, v->m)) {
        p->c = at;
        return fail(p, "no such date");
    }
    v->has_time = false;
    if (peek(&p->c) == 'T') {
        adv(&p->c);
        int32_t hh, mm, ss;
        const cursor t = p->c;
        CM_TRY(read_digits(p, 2, &hh, "expected a time HHMMSS"));
        CM_TRY(read_digits(p, 2, &mm, "expected a time HHMMSS"));
        CM_TRY(read_digits(p, 2, &ss, "expected a time HHMMSS"));
        if (hh > 23 || mm > 59 || ss > 60) {
            p->c = t;
            return fail(p, "no such time of day");
        }
        if (peek(&p->c) == 'Z')
            adv(&p->c);
        v->has_time = true;
    }
    return CM_OK;
}

static int64_t day_of(const date_val *v)
{
    return cm__days_from_civil(v->y, v->m, v->d);
}

/* Records a problem that only counts when the event turns out to be all-day. */
static void defer_at(event *ev, const cursor *at, const char *message)
{
    if (ev->defer_msg == NULL) {
        ev->defer_msg = message;
        ev->defer_line = at->line;
        ev->defer_column = (uint32_t)(at->pos - at->line_start + 1);
    }
}

static void defer(parser *p, event *ev, const char *message)
{
    skip_folds(&p->c);
    defer_at(ev, &p->c, message);
}

/* Fails at a position read earlier. */
static cm_status fail_back(parser *p, const cursor *at, const char *message)
{
    p->c = *at;
    return fail(p, message);
}

/* DTSTART / DTEND: checks the VALUE parameter against the value's form. */
static cm_status read_date_prop(parser *p, const line_head *h, event *ev, date_val *v)
{
    const bool date_type = strcmp(h->value_type, "DATE") == 0;
    const bool dt_type = strcmp(h->value_type, "DATE-TIME") == 0;
    if (h->value_type[0] != '\0' && !date_type && !dt_type)
        return fail(p, "unsupported VALUE type");
    CM_TRY(read_date(p, v));
    if (date_type && v->has_time)
        return fail(p, "VALUE=DATE with a time of day");
    if (dt_type && !v->has_time)
        defer(p, ev, "VALUE=DATE-TIME without a time of day");
    return end_value(p);
}

/* DURATION: [+|-]P then nW, or nD and/or T with nH, nM, nS. */
static cm_status read_duration(parser *p, event *ev)
{
    ev->duration_negative = false;
    ev->duration_days = 0;
    ev->duration_time = false;
    int ch = peek(&p->c);
    if (ch == '+' || ch == '-') {
        ev->duration_negative = ch == '-';
        adv(&p->c);
    }
    if (peek(&p->c) != 'P')
        return fail(p, "expected a duration such as P1D");
    adv(&p->c);
    bool any = false;
    if (peek(&p->c) != 'T') {
        int64_t n;
        CM_TRY(read_number(p, &n, "expected a duration such as P1D"));
        ch = peek(&p->c);
        if (ch == 'W') {
            adv(&p->c);
            ev->duration_days = 7 * n;
            return end_value(p);
        }
        if (ch != 'D')
            return fail(p, "expected 'D' or 'W' in the duration");
        adv(&p->c);
        ev->duration_days = n;
        any = true;
    }
    if (peek(&p->c) == 'T') {
        adv(&p->c);
        const char *units = "HMS";
        int next = 0;
        bool parts = false;
        while (is_digit(peek(&p->c))) {
            int64_t n;
            CM_TRY(read_number(p, &n, "expected a number"));
            ch = peek(&p->c);
            int k = next;
            while (k < 3 && units[k] != ch)
                k++;
            if (k == 3)
                return fail(p, "expected 'H', 'M' or 'S' in the duration");
            adv(&p->c);
            next = k + 1;
            parts = true;
            if (n != 0)
                ev->duration_time = true;
        }
        if (!parts)
            return fail(p, "expected hours, minutes or seconds after 'T'");
        any = true;
    }
    if (!any)
        return fail(p, "expected a duration such as P1D");
    return end_value(p);
}

static const char *const weekday_names[7] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};

/* RRULE: NAME=VALUE parts separated by ';'. Errors in a value point at the
 * value, errors about a part at its name. */
static cm_status read_rrule(parser *p, event *ev)
{
    bool seen_freq = false, seen[8] = {false};
    for (;;) {
        skip_folds(&p->c);
        const cursor part = p->c;
        char name[NAME_MAX_LEN + 2];
        CM_TRY(read_name(p, name, "expected a rule part such as FREQ=YEARLY"));
        if (peek(&p->c) != '=')
            return fail(p, "expected '=' in the rule part");
        adv(&p->c);
        skip_folds(&p->c);
        const cursor val = p->c;
        static const char *const known[8] = {"FREQ",    "INTERVAL",   "COUNT", "UNTIL",
                                             "BYMONTH", "BYMONTHDAY", "BYDAY", "WKST"};
        int k = 0;
        while (k < 8 && strcmp(name, known[k]) != 0)
            k++;
        if (k < 8) {
            if (seen[k])
                return fail_back(p, &part, "rule part given twice");
            seen[k] = true;
        } else {
            defer_at(ev, &part, "unsupported rule part");
        }
        if (k == 0) {
            char v[NAME_MAX_LEN + 2];
            CM_TRY(read_name(p, v, "expected a frequency such as YEARLY"));
            if (strcmp(v, "YEARLY") != 0)
                defer_at(ev, &val, "only FREQ=YEARLY rules are supported");
            seen_freq = true;
        } else if (k == 1 || k == 2) {
            int64_t n;
            CM_TRY(read_number(p, &n, "expected a number"));
            if (n < 1)
                return fail_back(p, &val, "must be at least 1");
            if (k == 1) {
                if (n > 9999)
                    return fail_back(p, &val, "INTERVAL above 9999");
                ev->interval = (int32_t)n;
            } else {
                ev->count = n;
                ev->has_count = true;
            }
        } else if (k == 3) {
            CM_TRY(read_date(p, &ev->until));
            ev->has_until = true;
            if (ev->until.has_time)
                defer_at(ev, &val, "UNTIL of an all-day event must be a date");
        } else if (k == 4 || k == 5) {
            int sign = 1;
            if (peek(&p->c) == '-' || peek(&p->c) == '+') {
                sign = peek(&p->c) == '-' ? -1 : 1;
                adv(&p->c);
            }
            int64_t n;
            CM_TRY(read_number(p, &n, "expected a number"));
            if (k == 4 && (sign < 0 || n < 1 || n > 12))
                return fail_back(p, &val, "BYMONTH must be 1..12");
            if (k == 5 && (n < 1 || n > 31))
                return fail_back(p, &val, "BYMONTHDAY must be 1..31 or -31..-1");
            if (k == 4)
                ev->bymonth = (int32_t)n;
            else if (sign < 0)
                defer_at(ev, &val, "BYMONTHDAY counted from the month's end is not supported");
            else
                ev->bymonthday = (int32_t)n;
        } else if (k == 6 || k == 7) {
            int sign = 0;
            int64_t n = 0;
            if (k == 6 && (peek(&p->c) == '-' || peek(&p->c) == '+')) {
                sign = peek(&p->c) == '-' ? -1 : 1;
                adv(&p->c);
            }
            if (k == 6 && (sign != 0 || is_digit(peek(&p->c)))) {
                CM_TRY(read_number(p, &n, "expected a number"));
                if (n < 1 || n > 53)
                    return fail_back(p, &val, "the weekday's ordinal must be 1..53 or -53..-1");
                if (sign < 0)
                    n = -n;
            }
            skip_folds(&p->c);
            const cursor wat = p->c;
            char wd[3];
            for (int i = 0; i < 2; i++) {
                const int ch = upper(peek(&p->c));
                if (ch < 'A' || ch > 'Z')
                    return fail_back(p, &wat, "expected a weekday MO, TU, WE, TH, FR, SA or SU");
                wd[i] = (char)ch;
                adv(&p->c);
            }
            wd[2] = '\0';
            int w = 0;
            while (w < 7 && strcmp(wd, weekday_names[w]) != 0)
                w++;
            if (w == 7)
                return fail_back(p, &wat, "expected a weekday MO, TU, WE, TH, FR, SA or SU");
            if (k == 6) {
                if (n == 0)
                    defer_at(ev, &val, "BYDAY needs an ordinal such as 4TH or -1MO");
                else if (n < -5 || n > 5)
                    defer_at(ev, &val, "BYDAY ordinals beyond 5 are not supported");
                ev->byday_wday = w + 1;
                ev->byday_nth = (int32_t)n;
            }
        }
        /* A list of values (BYMONTH, BYMONTHDAY, BYDAY) is not supported: skip
         * the rest of the part, as for an unknown part. */
        int ch = peek(&p->c);
        if (ch == ',' && k >= 4 && k <= 6)
            defer(p, ev, "rule parts with several values are not supported");
        const bool skip = k == 8 || (ch == ',' && k >= 4 && k <= 6);
        while ((ch = peek(&p->c)) != ';' && ch != EOL && ch != END_OF_TEXT) {
            if (is_ctl(ch))
                return fail(p, "control character in a value");
            if (!skip)
                return fail(p, "unexpected text in the rule part");
            adv(&p->c);
        }
        if (ch != ';')
            break;
        adv(&p->c);
    }
    if (!seen_freq)
        return fail(p, "RRULE without FREQ");
    if (ev->has_count && ev->has_until)
        return fail(p, "RRULE with both COUNT and UNTIL");
    return CM_OK;
}

/* Calls back for each date of an EXDATE value list. */
static cm_status read_exdates(parser *p, const line_head *h, event *ev, bool check_only,
                              cm_status (*fn)(parser *, const event *, const date_val *, void *),
                              void *ctx)
{
    const bool date_type = strcmp(h->value_type, "DATE") == 0;
    if (h->value_type[0] != '\0' && !date_type && strcmp(h->value_type, "DATE-TIME") != 0)
        return fail(p, "unsupported VALUE type");
    for (;;) {
        date_val v;
        CM_TRY(read_date(p, &v));
        if (date_type && v.has_time)
            return fail(p, "VALUE=DATE with a time of day");
        if (check_only) {
            if (v.has_time)
                defer_at(ev, &(cursor){.line = v.line, .pos = v.column - 1u, .line_start = 0},
                         "EXDATE of an all-day event must be a date");
            ev->nexdate++;
        } else {
            CM_TRY(fn(p, ev, &v, ctx));
        }
        if (peek(&p->c) != ',')
            break;
        adv(&p->c);
    }
    return end_value(p);
}

/* ---------------------------------------------------------------------- */
/* Events to builder entries                                              */
/* ---------------------------------------------------------------------- */

/* Re-reads the event's EXDATE lines, calling fn for each date. */
static cm_status each_exdate(parser *p, const event *ev,
                             cm_status (*fn)(parser *, const event *, const date_val *, void *),
                             void *ctx)
{
    const cursor saved = p->c;
    p->c = ev->body;
    int depth = 0;
    cm_status st = CM_OK;
    for (;;) {
        if (peek(&p->c) == EOL) { /* a blank line */
            next_line(&p->c);
            continue;
        }
        line_head h;
        st = read_head(p, &h);
        if (st != CM_OK)
            break;
        if (strcmp(h.name, "BEGIN") == 0) {
            depth++;
        } else if (strcmp(h.name, "END") == 0) {
            if (depth-- == 0)
                break;
        } else if (depth == 0 && strcmp(h.name, "EXDATE") == 0) {
            event scratch = *ev;
            st = read_exdates(p, &h, &scratch, false, fn, ctx);
            if (st != CM_OK)
                break;
        }
        st = skip_value(p);
        if (st != CM_OK)
            break;
        next_line(&p->c);
    }
    p->c = saved;
    return st;
}

typedef struct rule_years {
    int32_t month, day, wday, nth, first, last, interval;
} rule_years;

/* Whether local day d is an occurrence of the rule. */
static bool is_occurrence(const rule_years *r, const date_val *v)
{
    if (v->y < r->first || v->y > r->last || (v->y - r->first) % r->interval != 0)
        return false;
    int64_t d;
    return cm__rule_date(r->month, r->day, r->wday, r->nth, v->y, &d) && d == day_of(v);
}

static cm_status exdate_is_start(parser *p, const event *ev, const date_val *v, void *ctx)
{
    (void)p;
    if (day_of(v) == day_of(&ev->start))
        *(bool *)ctx = true;
    return CM_OK;
}

static cm_status exdate_rule_year(parser *p, const event *ev, const date_val *v, void *ctx)
{
    (void)ev;
    const rule_years *r = ctx;
    return is_occurrence(r, v) ? cm__builder_except_last(p->b, v->y) : CM_OK;
}

typedef struct expanded {
    const rule_years *r;
    size_t base, occurrences, span;
} expanded;

/* Marks the dated entries of an excluded occurrence (found by binary search
 * among the occurrences' first days) for removal. */
static cm_status exdate_expanded(parser *p, const event *ev, const date_val *v, void *ctx)
{
    (void)ev;
    const expanded *x = ctx;
    if (!is_occurrence(x->r, v))
        return CM_OK;
    cm__entry *e = p->b->dates + x->base;
    size_t lo = 0, hi = x->occurrences;
    const int64_t want = day_of(v);
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        const cm__entry *m = &e[mid * x->span];
        const int64_t d = cm__days_from_civil(m->year, m->month, m->day);
        if (d < want)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < x->occurrences)
        for (size_t k = 0; k < x->span; k++)
            e[lo * x->span + k].s = CM__CLOSED - 1; /* removed below */
    return CM_OK;
}

static cm_status push_day(parser *p, int64_t d, const event *ev)
{
    int64_t y;
    int32_t m, dd;
    cm__civil_from_days(d, &y, &m, &dd);
    const uint32_t fl = (p->flags & CM_CALENDAR_ICAL_OBSERVED) ? CM__OBSERVED : 0;
    return cm__builder_push_date(p->b, (int32_t)y, m, dd, CM__CLOSED, CM__CLOSED, fl,
                                 ev->start.line, ev->start.column);
}

static cm_status fail_at(parser *p, uint32_t line, uint32_t column, const char *message)
{
    p->message = message;
    p->err_line = line;
    p->err_column = column;
    return CM_EPARSE;
}

/* Adds a finished VEVENT to the builder. */
static cm_status add_event(parser *p, event *ev, uint32_t line, uint32_t column)
{
    if (!ev->has_start)
        return fail_at(p, line, column, "VEVENT without DTSTART");
    if (ev->start.has_time || (ev->has_end && ev->end.has_time) ||
        (ev->has_duration && ev->duration_time)) {
        if (p->flags & CM_CALENDAR_ICAL_SKIP_TIMED)
            return CM_OK;
        const date_val *at = ev->start.has_time ? &ev->start : ev->has_end ? &ev->end : &ev->start;
        return fail_at(p, at->line, at->column,
                       "event with a time of day (only all-day events close dates)");
    }
    if (ev->defer_msg != NULL)
        return fail_at(p, ev->defer_line, ev->defer_column, ev->defer_msg);
    const int64_t first = day_of(&ev->start);
    int64_t span = 1;
    if (ev->has_end) {
        span = day_of(&ev->end) - first;
        if (span < 1)
            return fail_at(p, ev->end.line, ev->end.column, "DTEND is not after DTSTART");
    } else if (ev->has_duration) {
        span = ev->duration_negative ? -ev->duration_days : ev->duration_days;
        if (span < 1)
            return fail_at(p, ev->start.line, ev->start.column,
                           "the DURATION of an all-day event must be at least one day");
    }
    if (span > MAX_SPAN_DAYS)
        return fail_at(p, ev->start.line, ev->start.column, "event longer than 366 days");
    if (first + span - 1 > cm__days_from_civil(9999, 12, 31))
        return fail_at(p, ev->start.line, ev->start.column, "event runs past the year 9999");
    if (!ev->has_rrule) {
        bool excluded = false;
        if (ev->nexdate > 0)
            CM_TRY(each_exdate(p, ev, exdate_is_start, &excluded));
        for (int64_t k = 0; k < span && !excluded; k++)
            CM_TRY(push_day(p, first + k, ev));
        return CM_OK;
    }
    /* The yearly rule: BYMONTH with BYMONTHDAY or an nth BYDAY, or DTSTART's date. */
    const uint32_t sl = ev->start.line, sc = ev->start.column;
    rule_years r = {ev->bymonth != 0 ? ev->bymonth : ev->start.m, 0, 0, 0, ev->start.y, 9999,
                    ev->interval != 0 ? ev->interval : 1};
    if (ev->byday_nth != 0 && ev->bymonthday != 0)
        return fail_at(p, sl, sc, "BYDAY with BYMONTHDAY is not supported");
    if ((ev->byday_nth != 0 || ev->bymonthday != 0) && ev->bymonth == 0)
        return fail_at(p, sl, sc, "BYDAY or BYMONTHDAY without BYMONTH is not supported");
    if (ev->byday_nth != 0) {
        r.wday = ev->byday_wday;
        r.nth = ev->byday_nth;
    } else {
        r.day = ev->bymonthday != 0 ? ev->bymonthday : ev->start.d;
        if (r.day > cm__days_in_month(2000, r.month))
            return fail_at(p, sl, sc, "the rule's day does not exist in its month");
    }
    int64_t d;
    if (!cm__rule_date(r.month, r.day, r.wday, r.nth, r.first, &d) || d != first)
        return fail_at(p, sl, sc, "DTSTART is not a date of its RRULE");
    if (ev->has_count) {
        int64_t seen = 0;
        int32_t y = r.first;
        for (; y <= 9999; y += r.interval)
            if (cm__rule_date(r.month, r.day, r.wday, r.nth, y, &d) && ++seen == ev->count)
                break;
        r.last = y > 9999 ? 9999 : y;
    } else if (ev->has_until) {
        int32_t y = ev->until.y;
        if (y >= r.first) {
            y -= (y - r.first) % r.interval;
            if (cm__rule_date(r.month, r.day, r.wday, r.nth, y, &d) && d > day_of(&ev->until))
                y -= r.interval;
        }
        r.last = y;
        if (r.last < r.first)
            return CM_OK; /* no occurrence */
    }
    if (span == 1) {
        cm_calendar_yearly rule;
        CM_TRY(cm_calendar_yearly_init(&rule));
        rule.month = r.month;
        rule.day = r.day;
        rule.weekday = r.wday;
        rule.nth = r.nth;
        rule.first_year = r.first;
        rule.last_year = r.last;
        rule.interval = r.interval;
        if (p->flags & CM_CALENDAR_ICAL_OBSERVED)
            rule.flags |= CM_CALENDAR_YEARLY_OBSERVED;
        CM_TRY(cm__builder_push_yearly(p->b, &rule, sl, sc));
        return ev->nexdate > 0 ? each_exdate(p, ev, exdate_rule_year, &r) : CM_OK;
    }
    /* A closure of several days each year: dated entries, over bounded years only. */
    if (!ev->has_count && !ev->has_until)
        return fail_at(p, sl, sc, "a yearly event of several days needs COUNT or UNTIL");
    expanded x = {&r, p->b->ndates, 0, (size_t)span};
    for (int32_t y = r.first; y <= r.last; y += r.interval) {
        if (!cm__rule_date(r.month, r.day, r.wday, r.nth, y, &d))
            continue;
        if ((x.occurrences + 1) * x.span > MAX_EXPANDED)
            return fail_at(p, sl, sc, "a yearly event of several days over too many years");
        if (d + span - 1 > cm__days_from_civil(9999, 12, 31))
            return fail_at(p, sl, sc, "event runs past the year 9999");
        for (int64_t k = 0; k < span; k++)
            CM_TRY(push_day(p, d + k, ev));
        x.occurrences++;
    }
    if (ev->nexdate > 0) {
        CM_TRY(each_exdate(p, ev, exdate_expanded, &x));
        size_t w = x.base;
        for (size_t i = x.base; i < p->b->ndates; i++)
            if (p->b->dates[i].s != CM__CLOSED - 1)
                p->b->dates[w++] = p->b->dates[i];
        p->b->ndates = w;
    }
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Components                                                             */
/* ---------------------------------------------------------------------- */

enum { K_CALENDAR, K_EVENT, K_OTHER };

static cm_status parse_all(parser *p)
{
    char names[MAX_DEPTH][NAME_MAX_LEN + 2];
    int kinds[MAX_DEPTH];
    int depth = 0;
    bool any_calendar = false;
    event ev;
    memset(&ev, 0, sizeof ev);
    for (;;) {
        int ch = peek(&p->c);
        if (ch == END_OF_TEXT)
            break;
        if (ch == EOL) { /* blank lines are tolerated */
            next_line(&p->c);
            continue;
        }
        const uint32_t line = p->c.line;
        const uint32_t column = (uint32_t)(p->c.pos - p->c.line_start + 1);
        line_head h;
        CM_TRY(read_head(p, &h));
        const bool begin = strcmp(h.name, "BEGIN") == 0;
        const bool in_event = depth > 0 && kinds[depth - 1] == K_EVENT;
        if (begin || strcmp(h.name, "END") == 0) {
            char comp[NAME_MAX_LEN + 2];
            CM_TRY(read_name(p, comp, "expected a component name"));
            CM_TRY(end_value(p));
            if (strlen(comp) > NAME_MAX_LEN)
                return fail(p, "component name too long");
            if (begin) {
                const bool in_other = depth > 0 && kinds[depth - 1] == K_OTHER;
                int kind = K_OTHER;
                if (strcmp(comp, "VCALENDAR") == 0) {
                    if (depth != 0)
                        return fail_at(p, line, column, "VCALENDAR inside another component");
                    kind = K_CALENDAR;
                    any_calendar = true;
                } else if (depth == 0) {
                    return fail_at(p, line, column, "expected BEGIN:VCALENDAR");
                } else if (strcmp(comp, "VEVENT") == 0 && !in_other) {
                    if (in_event)
                        return fail_at(p, line, column, "VEVENT inside VEVENT");
                    kind = K_EVENT;
                }
                if (depth == MAX_DEPTH)
                    return fail_at(p, line, column, "components nested too deeply");
                memcpy(names[depth], comp, sizeof comp);
                kinds[depth++] = kind;
                if (kind == K_EVENT) {
                    memset(&ev, 0, sizeof ev);
                    next_line(&p->c);
                    ev.body = p->c;
                    continue;
                }
            } else {
                if (depth == 0 || strcmp(names[depth - 1], comp) != 0)
                    return fail_at(p, line, column,
                                   depth == 0 ? "END without BEGIN"
                                              : "END does not match the open component");
                depth--;
                if (kinds[depth] == K_EVENT)
                    CM_TRY(add_event(p, &ev, line, column));
            }
        } else if (depth == 0) {
            return fail_at(p, line, column, "expected BEGIN:VCALENDAR");
        } else if (in_event && strcmp(h.name, "DTSTART") == 0) {
            if (ev.has_start)
                return fail_at(p, line, column, "DTSTART given twice");
            CM_TRY(read_date_prop(p, &h, &ev, &ev.start));
            ev.has_start = true;
        } else if (in_event && strcmp(h.name, "DTEND") == 0) {
            if (ev.has_end || ev.has_duration)
                return fail_at(p, line, column,
                               ev.has_end ? "DTEND given twice" : "both DTEND and DURATION");
            CM_TRY(read_date_prop(p, &h, &ev, &ev.end));
            ev.has_end = true;
        } else if (in_event && strcmp(h.name, "DURATION") == 0) {
            if (ev.has_end || ev.has_duration)
                return fail_at(p, line, column,
                               ev.has_duration ? "DURATION given twice"
                                               : "both DTEND and DURATION");
            CM_TRY(read_duration(p, &ev));
            ev.has_duration = true;
        } else if (in_event && strcmp(h.name, "RRULE") == 0) {
            if (ev.has_rrule)
                return fail_at(p, line, column, "more than one RRULE is not supported");
            CM_TRY(read_rrule(p, &ev));
            ev.has_rrule = true;
        } else if (in_event && strcmp(h.name, "EXDATE") == 0) {
            CM_TRY(read_exdates(p, &h, &ev, true, NULL, NULL));
        } else if (in_event && strcmp(h.name, "RDATE") == 0) {
            defer(p, &ev, "RDATE is not supported");
        }
        CM_TRY(skip_value(p));
        if (peek(&p->c) == EOL)
            next_line(&p->c);
    }
    if (depth != 0)
        return fail(p, depth == 1 ? "missing END:VCALENDAR" : "missing END of a component");
    if (!any_calendar)
        return fail(p, "expected BEGIN:VCALENDAR");
    return CM_OK;
}

cm_status cm_calendar_builder_add_ical(cm_calendar_builder *b, const char *text, size_t len,
                                       uint32_t flags, cm_parse_error *err)
{
    CM_REQUIRE(b != NULL && (text != NULL || len == 0), CM_EINVAL);
    CM_REQUIRE((flags & ~(CM_CALENDAR_ICAL_SKIP_TIMED | CM_CALENDAR_ICAL_OBSERVED)) == 0,
               CM_EINVAL);
    cm__builder_mark mark;
    cm__builder_mark_get(b, &mark);
    parser p;
    memset(&p, 0, sizeof p);
    p.c.s = text != NULL ? text : "";
    p.c.n = len;
    p.c.line = 1;
    p.b = b;
    p.flags = flags;
    const cm_status st = parse_all(&p);
    if (st != CM_OK) {
        cm__builder_mark_restore(b, &mark);
        if (st == CM_EPARSE && err != NULL) {
            err->line = p.err_line;
            err->column = p.err_column;
            err->message = p.message;
        }
    }
    return st;
}
