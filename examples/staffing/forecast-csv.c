/*
 * caremetrics-staffing: reading a forecast CSV and staffing each interval.
 *
 * Lines end with LF, CRLF or a lone CR. The header names the columns
 * interval_start, volume and aht_seconds in any order, among any others.
 * Each data line is checked field by field; a bad one is reported with its
 * file, line, column, value and what was expected, and skipped, so the
 * other intervals are still planned. Every interval is staffed on its own
 * (cm_staffing_plan over one interval), so one the library cannot staff
 * keeps its status without taking the rest of the day with it.
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* getc_unlocked */

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "csv.h"
#include "staffing.h"

#define VALUE_SHOWN 64 /* bytes of a bad value quoted in its message */

enum { COL_START, COL_VOLUME, COL_AHT, NCOLS };
static const char *const col_names[NCOLS] = {"interval_start", "volume", "aht_seconds"};
#define NEEDED "the columns interval_start, volume and aht_seconds"

typedef enum line_kind {
    LINE_OK,    /* a line in text[0..len) */
    LINE_END,   /* no more lines */
    LINE_LONG,  /* the line is longer than MAX_LINE_BYTES; the rest is unread */
    LINE_HUGE,  /* the input is longer than MAX_INPUT_BYTES */
    LINE_ERROR, /* a read error */
} line_kind;

typedef struct reader {
    FILE *in, *err;
    const options *opt;
    const char *name;         /* of the input, in messages */
    unsigned long long line;  /* number of the current line, from 1 */
    unsigned long long bytes; /* bytes consumed */
    size_t len;
    char text[MAX_LINE_BYTES];
    csv_field fields[MAX_LINE_BYTES + 1]; /* a line of n bytes has at most n + 1 fields */
} reader;

/* ---- lines ------------------------------------------------------------------------------ */

static int next_byte(reader *r)
{
    const int c = getc_unlocked(r->in);
    if (c != EOF)
        r->bytes++;
    return c;
}

/* After a CR: an LF right behind it belongs to the same line end. */
static void after_cr(reader *r)
{
    const int c = getc_unlocked(r->in);
    if (c == '\n')
        r->bytes++;
    else if (c != EOF)
        ungetc(c, r->in);
}

static line_kind next_line(reader *r)
{
    r->len = 0;
    int c = next_byte(r);
    if (c == EOF)
        return ferror(r->in) ? LINE_ERROR : LINE_END;
    r->line++;
    for (; c != EOF && c != '\n' && c != '\r'; c = next_byte(r)) {
        if (r->bytes > MAX_INPUT_BYTES)
            return LINE_HUGE;
        if (r->len == MAX_LINE_BYTES)
            return LINE_LONG;
        r->text[r->len++] = (char)c;
    }
    if (c == '\r')
        after_cr(r);
    return c == EOF && ferror(r->in) ? LINE_ERROR : LINE_OK;
}

/* Consumes the rest of a line longer than MAX_LINE_BYTES without keeping it. */
static line_kind skip_rest(reader *r)
{
    int c;
    while ((c = next_byte(r)) != EOF && c != '\n' && c != '\r') {
        if (r->bytes > MAX_INPUT_BYTES)
            return LINE_HUGE;
    }
    if (c == '\r')
        after_cr(r);
    return c == EOF && ferror(r->in) ? LINE_ERROR : LINE_OK;
}

/* ---- messages --------------------------------------------------------------------------- */

/* A value in double quotes, control bytes, quotes and backslashes escaped, cut after
 * VALUE_SHOWN bytes. */
static void put_value(FILE *to, const csv_field *f)
{
    const size_t n = f->len < VALUE_SHOWN ? f->len : VALUE_SHOWN;
    putc('"', to);
    for (size_t i = 0; i < n; i++) {
        const unsigned char c = (unsigned char)f->p[i];
        if (c == '"' || c == '\\')
            fprintf(to, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            fprintf(to, "\\x%02x", c);
        else
            putc(c, to);
    }
    putc('"', to);
    if (f->len > n)
        fprintf(to, "... (%zu bytes)", f->len);
}

/* "PROGRAM: FILE:LINE: " */
static void where(const reader *r)
{
    fprintf(r->err, "%s: %s:%llu: ", PROGRAM, r->name, r->line);
}

/* A bad line: counted, and shown while fewer than BAD_LINES_SHOWN were. With a column,
 * "column NAME: value "VALUE": expected WHAT"; without, "expected WHAT". */
__attribute__((format(printf, 5, 6))) static void
bad_line(reader *r, forecast *fc, const char *column, const csv_field *value, const char *fmt, ...)
{
    if (fc->bad_lines++ >= BAD_LINES_SHOWN)
        return;
    where(r);
    if (column != NULL) {
        fprintf(r->err, "column %s: value ", column);
        put_value(r->err, value);
        fputs(": ", r->err);
    }
    fputs("expected ", r->err);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(r->err, fmt, ap);
    va_end(ap);
    putc('\n', r->err);
}

/* A reason to stop reading: printed, returns 1. */
static int stop(const reader *r, line_kind k)
{
    if (k == LINE_HUGE)
        fprintf(r->err,
                "%s: %s:%llu: more than %lu MiB of input: stopping (a day's forecast is far "
                "smaller)\n",
                PROGRAM, r->name, r->line, MAX_INPUT_BYTES >> 20);
    else
        fprintf(r->err, "%s: %s:%llu: read error: %s\n", PROGRAM, r->name, r->line,
                strerror(errno));
    return 1;
}

/* ---- header ----------------------------------------------------------------------------- */

/* Finds the columns; returns the number of fields of the header, or -1 after a message. */
static int read_header(reader *r, int col[NCOLS])
{
    const line_kind k = next_line(r);
    if (k == LINE_END) {
        fprintf(r->err, "%s: %s: empty file, no header line: expected " NEEDED "\n", PROGRAM,
                r->name);
        return -1;
    }
    if (k == LINE_ERROR || k == LINE_HUGE) {
        stop(r, k);
        return -1;
    }
    if (k == LINE_LONG) {
        where(r);
        fprintf(r->err, "header line longer than %d bytes: not a forecast CSV\n", MAX_LINE_BYTES);
        return -1;
    }
    char *text = r->text;
    size_t len = r->len;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) { /* a UTF-8 byte order mark */
        text += 3;
        len -= 3;
    }
    if (len == 0) {
        where(r);
        fprintf(r->err, "empty header line: expected " NEEDED "\n");
        return -1;
    }
    const int nf = csv_split(text, len, r->fields, MAX_LINE_BYTES + 1);
    if (nf < 0) {
        where(r);
        fprintf(r->err, "header: expected column names separated by commas (RFC 4180): a "
                        "quote is unbalanced or misplaced\n");
        return -1;
    }
    bool missing = false;
    for (int c = 0; c < NCOLS; c++) {
        col[c] = -1;
        for (int i = 0; i < nf; i++) {
            if (!csv_is(&r->fields[i], col_names[c]))
                continue;
            if (col[c] >= 0) {
                where(r);
                fprintf(r->err, "column %s appears twice in the header (fields %d and %d)\n",
                        col_names[c], col[c] + 1, i + 1);
                return -1;
            }
            col[c] = i;
        }
        missing = missing || col[c] < 0;
    }
    if (missing) {
        where(r);
        fputs("the header has", r->err);
        const char *sep = " no column ";
        for (int c = 0; c < NCOLS; c++) {
            if (col[c] < 0) {
                fprintf(r->err, "%s%s", sep, col_names[c]);
                sep = ", no column ";
            }
        }
        fputs(" (the header needs " NEEDED ")\n", r->err);
        return -1;
    }
    return nf;
}

/* ---- intervals -------------------------------------------------------------------------- */

/* An interval start is HH:MM or an RFC 3339 instant. */
static bool valid_start(const csv_field *f)
{
    if (f->len == 5 && f->p[2] == ':') {
        long long h, m;
        const csv_field hh = {f->p, 2}, mm = {f->p + 3, 2};
        return csv_int(&hh, 0, 23, &h) && csv_int(&mm, 0, 59, &m) && f->p[0] != '+' &&
               f->p[0] != '-' && f->p[3] != '+' && f->p[3] != '-';
    }
    cm_time t;
    return f->len > 0 && f->len < START_BYTES && cm_time_parse(f->p, f->len, &t) == CM_OK;
}

/* The Erlang A agents and measures of a staffed interval. */
static void erlang_a(interval *iv, const options *opt)
{
    if (iv->status != CM_OK) {
        iv->a_status = iv->status; /* no traffic to work from */
        return;
    }
    uint32_t n = 0;
    cm_status st = cm_erlang_a_agents(iv->plan.traffic, iv->aht_seconds, opt->patience, opt->target,
                                      opt->seconds, 1.0, opt->max_occupancy, &n);
    /* Zero traffic needs zero agents; an idle queue looks the same to any number of
     * agents, so its measures are asked for one. */
    if (st == CM_OK)
        st = cm_erlang_a(iv->plan.traffic, n > 0 ? n : 1, iv->aht_seconds, opt->patience,
                         opt->seconds, &iv->a);
    iv->a_status = st;
    iv->a_agents = n;
}

/* Checks and staffs one data line: 0 when kept or skipped as bad, 1 to stop reading. */
static int read_interval(reader *r, int nf_header, const int col[NCOLS], forecast *fc)
{
    const options *opt = r->opt;
    const int nf = csv_split(r->text, r->len, r->fields, MAX_LINE_BYTES + 1);
    if (nf < 0) {
        bad_line(r, fc, NULL, NULL,
                 "fields separated by commas (RFC 4180): a quote is unbalanced or misplaced");
        return 0;
    }
    if (nf != nf_header) {
        bad_line(r, fc, NULL, NULL, "%d fields as in the header, found %d", nf_header, nf);
        return 0;
    }
    const csv_field *start = &r->fields[col[COL_START]], *vol = &r->fields[col[COL_VOLUME]],
                    *aht = &r->fields[col[COL_AHT]];
    double volume = 0.0, aht_seconds = 0.0;
    /* A NUL byte would end the text early for strtod and for the printers. */
    if (memchr(start->p, '\0', start->len) != NULL || !valid_start(start)) {
        bad_line(r, fc, col_names[COL_START], start,
                 "HH:MM or an RFC 3339 instant such as 2025-03-10T09:00:00Z");
        return 0;
    }
    if (memchr(vol->p, '\0', vol->len) != NULL || !csv_seconds(vol, &volume)) {
        bad_line(r, fc, col_names[COL_VOLUME], vol, "a number of contacts, finite and >= 0");
        return 0;
    }
    if (memchr(aht->p, '\0', aht->len) != NULL || !csv_seconds(aht, &aht_seconds) ||
        !(aht_seconds > 0.0 && aht_seconds <= CM_ERLANG_MAX_AHT_SECONDS)) {
        bad_line(r, fc, col_names[COL_AHT], aht, "seconds, > 0 and at most %g",
                 CM_ERLANG_MAX_AHT_SECONDS);
        return 0;
    }
    if (fc->n == MAX_INTERVALS) {
        where(r);
        fprintf(r->err,
                "more than %d intervals: stopping (a forecast covers one day, at most %d "
                "one-minute intervals)\n",
                MAX_INTERVALS, MAX_INTERVALS);
        return 1;
    }
    interval *iv = &fc->iv[fc->n];
    memset(iv, 0, sizeof *iv);
    const double interval_seconds = opt->interval_minutes * 60.0;
    iv->status = cm_staffing_plan(&volume, &aht_seconds, 1, interval_seconds, opt->target,
                                  opt->seconds, opt->max_occupancy, &iv->plan);
    if (iv->status == CM_ERANGE) { /* the AHT is in range: the traffic is not */
        bad_line(r, fc, col_names[COL_VOLUME], vol,
                 "at most %g Erlangs of traffic (volume x aht_seconds / %g s): %s",
                 CM_ERLANG_MAX_TRAFFIC, interval_seconds, cm_strerror(iv->status));
        return 0;
    }
    iv->line = r->line;
    memcpy(iv->start, start->p, start->len);
    iv->start[start->len] = '\0';
    iv->volume = volume;
    iv->aht_seconds = aht_seconds;
    if (opt->patience > 0.0)
        erlang_a(iv, opt);
    fc->n++;
    return 0;
}

const char *input_name(const options *opt)
{
    return strcmp(opt->path, "-") == 0 ? "(standard input)" : opt->path;
}

int read_forecast(FILE *in, const options *opt, FILE *err, forecast *fc)
{
    static reader r; /* large; one input at a time */
    r.in = in;
    r.err = err;
    r.opt = opt;
    r.name = input_name(opt);
    r.line = 0;
    r.bytes = 0;
    fc->n = 0;
    fc->bad_lines = 0;

    int col[NCOLS];
    const int nf = read_header(&r, col);
    if (nf < 0)
        return 1;
    for (;;) {
        const unsigned long long bad = fc->bad_lines;
        line_kind k = next_line(&r);
        if (k == LINE_END)
            break;
        if (k == LINE_LONG) {
            bad_line(&r, fc, NULL, NULL, "a line of at most %d bytes", MAX_LINE_BYTES);
            k = skip_rest(&r);
        } else if (k == LINE_OK && r.len > 0 && read_interval(&r, nf, col, fc) != 0) {
            return 1;
        }
        if (k != LINE_OK)
            return stop(&r, k);
        if (fc->bad_lines > bad && opt->strict) {
            fprintf(err, "%s: --strict: no plan with a bad line\n", PROGRAM);
            return 1;
        }
    }
    if (fc->bad_lines > BAD_LINES_SHOWN)
        fprintf(err, "%s: %s: %llu more bad lines are counted but not shown\n", PROGRAM, r.name,
                fc->bad_lines - BAD_LINES_SHOWN);
    return 0;
}
