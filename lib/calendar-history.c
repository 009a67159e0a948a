/*
 * Calendar histories: the calendar in force from each of a list of instants.
 * Built only on the public calendar API, so it is independent of how
 * calendars compute; every operation splits its span at the changes and
 * asks the calendar in force over each part.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/calendar.h>

#include <string.h>

#include "common-internal.h"

struct cm_calendar_history {
    cm_allocator alloc;
    bool own_alloc; /* alloc was given (else malloc/free) */
    bool owns;      /* the calendars were parsed here and are freed with the history */
    size_t n;
    const cm_calendar **cal; /* n entries, after the struct */
    cm_time *from;           /* n entries, strictly increasing */
};

static bool in_range(cm_time t)
{
    return t >= CM_CALENDAR_TIME_MIN && t <= CM_CALENDAR_TIME_MAX;
}

/* One block: the struct, then the calendars, then the instants. */
static cm_calendar_history *history_alloc(const cm_allocator *alloc, size_t n)
{
    const size_t size = sizeof(cm_calendar_history) + n * (sizeof(cm_calendar *) + sizeof(cm_time));
    unsigned char *block = cm__alloc(alloc, size);
    if (block == NULL)
        return NULL;
    memset(block, 0, size);
    cm_calendar_history *h = (cm_calendar_history *)(void *)block;
    h->cal = (const cm_calendar **)(void *)(block + sizeof *h);
    h->from = (cm_time *)(void *)(block + sizeof *h + n * sizeof(cm_calendar *));
    h->n = n;
    if (alloc != NULL) {
        h->alloc = *alloc;
        h->own_alloc = true;
    }
    return h;
}

cm_status cm_calendar_history_new(const cm_calendar *const *calendars, const cm_time *from,
                                  size_t n, const cm_allocator *alloc, cm_calendar_history **out)
{
    CM_REQUIRE(calendars != NULL && from != NULL && out != NULL && cm__valid_allocator(alloc),
               CM_EINVAL);
    CM_REQUIRE(n >= 1 && n <= CM_CALENDAR_HISTORY_MAX, CM_EINVAL);
    bool range = true;
    for (size_t i = 0; i < n; i++) {
        CM_REQUIRE(calendars[i] != NULL && (i == 0 || from[i] > from[i - 1]), CM_EINVAL);
        range = range && in_range(from[i]);
    }
    CM_REQUIRE(range, CM_ERANGE);
    cm_calendar_history *h = history_alloc(alloc, n);
    CM_REQUIRE(h != NULL, CM_ENOMEM);
    for (size_t i = 0; i < n; i++) {
        h->cal[i] = calendars[i];
        h->from[i] = from[i];
    }
    *out = h;
    return CM_OK;
}

void cm_calendar_history_free(cm_calendar_history *history)
{
    if (history == NULL)
        return;
    if (history->owns) {
        for (size_t i = 0; i < history->n; i++)
            cm_calendar_free((cm_calendar *)(uintptr_t)history->cal[i]);
    }
    if (history->own_alloc) {
        const cm_allocator a = history->alloc;
        cm__free(&a, history);
    } else {
        cm__free(NULL, history);
    }
}

/* The entry in force at t, or -1 before the first. */
static ptrdiff_t entry_at(const cm_calendar_history *h, cm_time t)
{
    size_t lo = 0, hi = h->n; /* the answer is lo - 1 with from[lo - 1] <= t < from[lo] */
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (h->from[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (ptrdiff_t)lo - 1;
}

/* Where entry i stops being in force (exclusive), CM_CALENDAR_TIME_MAX for the last. */
static cm_time entry_end(const cm_calendar_history *h, size_t i)
{
    return i + 1 < h->n ? h->from[i + 1] : CM_CALENDAR_TIME_MAX;
}

cm_status cm_calendar_history_at(const cm_calendar_history *history, cm_time t,
                                 const cm_calendar **cal, cm_time *until)
{
    CM_REQUIRE(history != NULL, CM_EINVAL);
    CM_REQUIRE(in_range(t), CM_ERANGE);
    const ptrdiff_t i = entry_at(history, t);
    if (cal != NULL)
        *cal = i < 0 ? NULL : history->cal[i];
    if (until != NULL)
        *until = i < 0 ? history->from[0] : entry_end(history, (size_t)i);
    return CM_OK;
}

cm_status cm_calendar_history_elapsed(const cm_calendar_history *history, cm_time from, cm_time to,
                                      int64_t *out)
{
    CM_REQUIRE(history != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(in_range(from) && in_range(to), CM_ERANGE);
    const bool neg = to < from;
    const cm_time a = neg ? to : from, b = neg ? from : to;
    int64_t total = 0;
    ptrdiff_t i = entry_at(history, a);
    if (i < 0)
        i = 0; /* nothing counts before the first entry */
    for (size_t k = (size_t)i; k < history->n && history->from[k] < b; k++) {
        const cm_time lo = a > history->from[k] ? a : history->from[k];
        const cm_time end = entry_end(history, k);
        /* The last entry runs to the end of the range, itself included. */
        const cm_time hi = k + 1 == history->n || b < end ? b : end;
        int64_t e = 0;
        if (lo < hi)
            CM_TRY(cm_calendar_elapsed(history->cal[k], lo, hi, &e));
        total += e; /* each part is at most its span: the sum stays below the range */
    }
    *out = neg ? -total : total;
    return CM_OK;
}

cm_status cm_calendar_history_add(const cm_calendar_history *history, cm_time start,
                                  int64_t seconds, cm_time *out)
{
    CM_REQUIRE(history != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(in_range(start), CM_ERANGE);
    if (seconds == 0) {
        *out = start;
        return CM_OK;
    }
    ptrdiff_t i = entry_at(history, start);
    cm_time t = start;
    if (seconds > 0) {
        int64_t left = seconds;
        if (i < 0) {
            i = 0;
            t = history->from[0];
        }
        for (;;) {
            const cm_calendar *cal = history->cal[i];
            if ((size_t)i + 1 == history->n)
                return cm_calendar_add(cal, t, left, out);
            const cm_time end = history->from[i + 1];
            int64_t e = 0;
            CM_TRY(cm_calendar_elapsed(cal, t, end, &e));
            if (e >= left)
                return cm_calendar_add(cal, t, left, out); /* lands at or before `end` */
            left -= e;
            t = end;
            i++;
        }
    }
    /* Backwards: the latest r with elapsed(r, start) == -seconds. */
    int64_t left = seconds == INT64_MIN ? INT64_MAX : -seconds;
    CM_REQUIRE(i >= 0 && seconds != INT64_MIN, CM_EOVERFLOW);
    for (;;) {
        const cm_calendar *cal = history->cal[i];
        const cm_time begin = history->from[i];
        int64_t e = 0;
        CM_TRY(cm_calendar_elapsed(cal, begin, t, &e));
        if (e >= left)
            return cm_calendar_add(cal, t, -left, out); /* lands at or after `begin` */
        left -= e;
        t = begin;
        CM_REQUIRE(i > 0, CM_EOVERFLOW); /* no time passes before the first entry */
        i--;
    }
}

cm_status cm_calendar_history_is_open(const cm_calendar_history *history, cm_time t, bool *out)
{
    CM_REQUIRE(history != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(in_range(t), CM_ERANGE);
    const ptrdiff_t i = entry_at(history, t);
    if (i < 0) {
        *out = false;
        return CM_OK;
    }
    return cm_calendar_is_open(history->cal[i], t, out);
}

/* ---------------------------------------------------------------------- */
/* Text                                                                   */
/* ---------------------------------------------------------------------- */

/* A line of the text: [p, end) without its newline. */
typedef struct hline {
    const char *p, *end;
} hline;

static const char *skip_blanks(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
        p++;
    return p;
}

/* Whether a line opens a section; *arg is then where its instant starts. */
static bool is_from(hline l, const char **arg)
{
    const char *p = skip_blanks(l.p, l.end);
    if (l.end - p < 4 || memcmp(p, "from", 4) != 0)
        return false;
    p += 4;
    if (p < l.end && *p != ' ' && *p != '\t' && *p != '#' && *p != '\r')
        return false;
    *arg = skip_blanks(p, l.end);
    return true;
}

static bool has_content(hline l)
{
    const char *p = skip_blanks(l.p, l.end);
    return p < l.end && *p != '#';
}

static hline line_at(const char *text, size_t *pos)
{
    hline l = {text + *pos, text + *pos};
    while (*l.end != '\0' && *l.end != '\n')
        l.end++;
    *pos = (size_t)(l.end - text) + (*l.end == '\n' ? 1 : 0);
    return l;
}

typedef struct hparse {
    cm_parse_error err;
    const cm_allocator *alloc;
} hparse;

static cm_status hfail(hparse *hp, uint32_t line, uint32_t col, const char *message)
{
    hp->err.line = line;
    hp->err.column = col;
    hp->err.message = message;
    return CM_EPARSE;
}

/*
 * The instant of a `from` line: an RFC 3339 instant, or a date meaning its
 * 00:00 in the section's zone (the "compatible" rule if that is in a gap).
 */
static cm_status from_instant(hparse *hp, const char *arg, const char *end, const cm_calendar *cal,
                              uint32_t line, uint32_t col, cm_time *out)
{
    const char *e = arg;
    while (e < end && *e != ' ' && *e != '\t' && *e != '#' && *e != '\r')
        e++;
    const char *rest = skip_blanks(e, end);
    if (rest < end && *rest != '#')
        return hfail(hp, line, col + (uint32_t)(rest - arg), "unexpected text after the instant");
    const size_t n = (size_t)(e - arg);
    if (n == 0)
        return hfail(hp, line, col, "expected a date (YYYY-MM-DD) or an RFC 3339 instant");
    cm_time t;
    if (cm_time_parse(arg, n, &t) != CM_OK)
        return hfail(hp, line, col, "expected a date (YYYY-MM-DD) or an RFC 3339 instant");
    if (n == 10) {
        const cm_tz *tz = NULL;
        cm_civil c;
        memset(&c, 0, sizeof c);
        if (cm_calendar_get_tz(cal, &tz) != CM_OK || cm_time_to_civil(t, &c) != CM_OK)
            return hfail(hp, line, col, "the date is out of range");
        c.hour = c.minute = c.second = 0;
        if (cm_tz_from_local(tz, &c, &t) != CM_OK)
            return hfail(hp, line, col, "the date is out of range");
    }
    if (!in_range(t))
        return hfail(hp, line, col, "the instant is out of range");
    *out = t;
    return CM_OK;
}

/* Parses the section of lines [first, next) into a calendar. */
static cm_status parse_section(hparse *hp, const char *text, size_t first, size_t next,
                               uint32_t first_line, cm_calendar **cal)
{
    const size_t n = next - first;
    char *copy = cm__alloc(hp->alloc, n + 1);
    CM_REQUIRE(copy != NULL, CM_ENOMEM);
    memcpy(copy, text + first, n);
    copy[n] = '\0';
    cm_parse_error e = {0, 0, NULL};
    const cm_status st = cm_calendar_parse(copy, cal, &e);
    cm__free(hp->alloc, copy);
    if (st == CM_EPARSE)
        return hfail(hp, first_line + e.line - 1, e.column, e.message);
    return st;
}

static void free_all(cm_calendar **cals, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cm_calendar_free(cals[i]);
}

cm_status cm_calendar_history_parse(const char *text, const cm_allocator *alloc,
                                    cm_calendar_history **out, cm_parse_error *err)
{
    CM_REQUIRE(text != NULL && out != NULL && cm__valid_allocator(alloc), CM_EINVAL);
    hparse hp;
    memset(&hp, 0, sizeof hp);
    hp.alloc = alloc;
    /* First pass: the sections (at most CM_CALENDAR_HISTORY_MAX). */
    size_t nsec = 0;
    bool implicit = false; /* content before the first `from` line */
    uint32_t line = 0;
    size_t pos = 0;
    cm_status st = CM_OK;
    while (text[pos] != '\0' || (pos == 0 && line == 0)) {
        const char *arg;
        const hline l = line_at(text, &pos);
        line++;
        if (is_from(l, &arg)) {
            if (++nsec > CM_CALENDAR_HISTORY_MAX) {
                st = hfail(&hp, line, 1, "more than 1024 sections");
                break;
            }
        } else if (nsec == 0 && has_content(l)) {
            implicit = true;
        }
        if (text[pos] == '\0')
            break;
    }
    if (st == CM_OK && implicit && ++nsec > CM_CALENDAR_HISTORY_MAX)
        st = hfail(&hp, 1, 1, "more than 1024 sections");
    if (st == CM_OK && nsec == 0)
        st = hfail(&hp, 1, 1, "no calendar: expected calendar lines or a from line");
    cm_calendar_history *h = NULL;
    if (st == CM_OK) {
        h = history_alloc(alloc, nsec);
        if (h == NULL)
            st = CM_ENOMEM;
    }
    /* Second pass: each section's calendar and instant. */
    size_t built = 0;
    if (st == CM_OK) {
        pos = 0;
        line = 0;
        size_t sec_start = 0;       /* byte offset of the section's first line */
        uint32_t sec_line = 1;      /* its line number */
        const char *sec_arg = NULL; /* the `from` argument, NULL for the implicit one */
        hline sec_from = {NULL, NULL};
        uint32_t from_line = 0;
        bool open = implicit;
        for (;;) {
            const size_t at = pos;
            const char *arg = NULL;
            const bool eof = text[pos] == '\0';
            hline l = {text + pos, text + pos};
            bool header = false;
            if (!eof) {
                l = line_at(text, &pos);
                line++;
                header = is_from(l, &arg);
            }
            if ((header || eof) && open) {
                cm_calendar *cal = NULL;
                st = parse_section(&hp, text, sec_start, at, sec_line, &cal);
                if (st != CM_OK)
                    break;
                h->cal[built] = cal;
                cm_time t = CM_CALENDAR_TIME_MIN;
                if (sec_arg != NULL) {
                    st = from_instant(&hp, sec_arg, sec_from.end, cal, from_line,
                                      (uint32_t)(sec_arg - sec_from.p) + 1, &t);
                    if (st == CM_OK && built > 0 && t <= h->from[built - 1])
                        st = hfail(&hp, from_line, (uint32_t)(sec_arg - sec_from.p) + 1,
                                   "the instants of the sections must increase");
                }
                h->from[built++] = t;
                if (st != CM_OK)
                    break;
            }
            if (eof)
                break;
            if (header) {
                open = true;
                sec_start = pos;
                sec_line = line + 1;
                sec_arg = arg;
                sec_from = l;
                from_line = line;
            }
        }
    }
    if (st != CM_OK) {
        if (h != NULL) {
            free_all((cm_calendar **)(void *)h->cal, built);
            h->owns = false;
            cm_calendar_history_free(h);
        }
        if (st == CM_EPARSE && err != NULL)
            *err = hp.err;
        return st;
    }
    h->owns = true;
    *out = h;
    return CM_OK;
}
