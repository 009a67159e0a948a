/*
 * caremetrics-report: reading CSV lines into blocks of rows.
 *
 * Lines are found with memchr and split in place; fields become values in the
 * columnar layout's units (tc_table) without any allocation per row or field.
 * Syntax is checked here (a date that does not parse, a word where a number
 * belongs); the meaning of values (scales, order of instants) is checked by
 * the kernel, the same way for CSV and columnar input.
 * SPDX-License-Identifier: MIT
 */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

#define MAX_FIELDS 64
/* Quoted lines are unquoted in a copy of at most this size. */
#define QUOTED_LINE_MAX 65536

struct csv_reader {
    int index[TC_NCOLUMNS]; /* field number of each column, or -1 */
};

csv_reader *csv_reader_new(const char *header, size_t len, const char **error)
{
    char line[QUOTED_LINE_MAX];
    csv_field f[MAX_FIELDS];
    if (len >= sizeof line) {
        *error = "the header line is too long";
        return NULL;
    }
    memcpy(line, header, len);
    const int nf = csv_split(line, len, f, MAX_FIELDS);
    if (nf <= 0) {
        *error = "no header line";
        return NULL;
    }
    csv_reader *r = malloc(sizeof *r);
    if (r == NULL) {
        *error = "out of memory";
        return NULL;
    }
    for (int c = 0; c < TC_NCOLUMNS; c++) {
        r->index[c] = -1;
        for (int i = 0; i < nf; i++) {
            if (csv_is(&f[i], tc_columns[c].name))
                r->index[c] = i;
        }
    }
    if (r->index[TC_CREATED] < 0 || r->index[TC_CHANNEL] < 0) {
        free(r);
        *error = "the header needs the columns created_at and channel (see docs/report.md)";
        return NULL;
    }
    return r;
}

void csv_reader_free(csv_reader *r)
{
    free(r);
}

/* A block of parsed rows, owned by one worker. */
typedef struct block {
    size_t n;
    uint64_t line[BLOCK_ROWS];
    int64_t created[BLOCK_ROWS], first_reply[BLOCK_ROWS], solved[BLOCK_ROWS], pending[BLOCK_ROWS];
    uint8_t channel[BLOCK_ROWS], priority[BLOCK_ROWS], reopened[BLOCK_ROWS], escalated[BLOCK_ROWS];
    uint8_t csat[BLOCK_ROWS], nps[BLOCK_ROWS], ces[BLOCK_ROWS], abandoned[BLOCK_ROWS];
    uint32_t contacts[BLOCK_ROWS];
    double wait[BLOCK_ROWS], handle[BLOCK_ROWS];
} block;

static void flush_block(block *b, report *rep, const options *opt)
{
    const tc_table t = {
        .rows = b->n,
        .created = b->created,
        .first_reply = b->first_reply,
        .solved = b->solved,
        .pending = b->pending,
        .channel = b->channel,
        .priority = b->priority,
        .reopened = b->reopened,
        .escalated = b->escalated,
        .csat = b->csat,
        .nps = b->nps,
        .ces = b->ces,
        .abandoned = b->abandoned,
        .contacts = b->contacts,
        .wait = b->wait,
        .handle = b->handle,
    };
    if (b->n > 0)
        report_add_block(rep, &t, 0, b->line, opt);
    b->n = 0;
}

static const csv_field empty_field = {"", 0};

static const csv_field *field(const csv_field *f, int nf, const csv_reader *r, enum tc_column c)
{
    const int i = r->index[c];
    return (i >= 0 && i < nf) ? &f[i] : &empty_field;
}

static bool parse_time(const csv_field *f, int64_t *out)
{
    if (f->len == 0) {
        *out = TC_NONE_TIME;
        return true;
    }
    return cm_time_parse(f->p, f->len, out) == CM_OK;
}

static bool parse_u8(const csv_field *f, long long lo, long long hi, uint8_t none, uint8_t *out)
{
    long long v;
    if (f->len == 0) {
        *out = none;
        return true;
    }
    if (!csv_int(f, lo, hi, &v))
        return false;
    *out = (uint8_t)v;
    return true;
}

static bool parse_seconds(const csv_field *f, double *out)
{
    if (f->len == 0) {
        *out = (double)NAN;
        return true;
    }
    return csv_seconds(f, out);
}

static int lookup(const csv_field *f, const char *const *names, int n)
{
    for (int i = 0; i < n; i++) {
        if (csv_is(f, names[i]))
            return i;
    }
    return -1;
}

/* Fills row j of the block; on failure returns the offending column's name.
 * The CSV columns have the names of the columnar layout's (tc_columns). */
static const char *parse_row(const csv_field *f, int nf, const csv_reader *r, block *b, size_t j)
{
    const int ch = lookup(field(f, nf, r, TC_CHANNEL), channel_names, NCHANNELS);
    if (ch < 0)
        return tc_columns[TC_CHANNEL].name;
    b->channel[j] = (uint8_t)ch;
    const csv_field *pf = field(f, nf, r, TC_PRIORITY);
    const int pr = pf->len == 0 ? NO_PRIORITY : lookup(pf, priority_names, NO_PRIORITY);
    if (pr < 0)
        return tc_columns[TC_PRIORITY].name;
    b->priority[j] = pr == NO_PRIORITY ? TC_PRIORITY_NONE : (uint8_t)(pr + 1);
    if (!parse_time(field(f, nf, r, TC_CREATED), &b->created[j]) || b->created[j] == TC_NONE_TIME)
        return tc_columns[TC_CREATED].name;
    if (!parse_time(field(f, nf, r, TC_FIRST_REPLY), &b->first_reply[j]))
        return tc_columns[TC_FIRST_REPLY].name;
    if (!parse_time(field(f, nf, r, TC_SOLVED), &b->solved[j]))
        return tc_columns[TC_SOLVED].name;
    const csv_field *cf = field(f, nf, r, TC_CONTACTS);
    long long contacts = 1;
    if (cf->len > 0 && !csv_int(cf, 1, 1000000, &contacts))
        return tc_columns[TC_CONTACTS].name;
    b->contacts[j] = (uint32_t)contacts;
    if (!parse_u8(field(f, nf, r, TC_REOPENED), 0, 1, 0, &b->reopened[j]))
        return tc_columns[TC_REOPENED].name;
    if (!parse_u8(field(f, nf, r, TC_ESCALATED), 0, 1, 0, &b->escalated[j]))
        return tc_columns[TC_ESCALATED].name;
    if (!parse_u8(field(f, nf, r, TC_ABANDONED), 0, 1, 0, &b->abandoned[j]))
        return tc_columns[TC_ABANDONED].name;
    /* Answers: any byte but the no-answer marker; the scale is checked by the kernel. */
    if (!parse_u8(field(f, nf, r, TC_CSAT), 0, CM_SCORE_NONE - 1, CM_SCORE_NONE, &b->csat[j]))
        return tc_columns[TC_CSAT].name;
    if (!parse_u8(field(f, nf, r, TC_NPS), 0, CM_SCORE_NONE - 1, CM_SCORE_NONE, &b->nps[j]))
        return tc_columns[TC_NPS].name;
    if (!parse_u8(field(f, nf, r, TC_CES), 0, CM_SCORE_NONE - 1, CM_SCORE_NONE, &b->ces[j]))
        return tc_columns[TC_CES].name;
    if (!parse_seconds(field(f, nf, r, TC_WAIT), &b->wait[j]))
        return tc_columns[TC_WAIT].name;
    if (!parse_seconds(field(f, nf, r, TC_HANDLE), &b->handle[j]))
        return tc_columns[TC_HANDLE].name;
    const csv_field *pe = field(f, nf, r, TC_PENDING);
    long long pending = 0;
    if (pe->len > 0 && !csv_int(pe, 0, INT64_MAX / 2, &pending))
        return tc_columns[TC_PENDING].name;
    b->pending[j] = pending;
    return NULL;
}

uint64_t csv_parse_range(const csv_reader *r, const char *begin, const char *end, uint64_t line,
                         report *rep, const options *opt, bool *stop,
                         void (*progress)(size_t bytes))
{
    block *b = malloc(sizeof *b);
    char *copy = malloc(QUOTED_LINE_MAX);
    const uint64_t first = line;
    if (b == NULL || copy == NULL) {
        free(b);
        free(copy);
        rep->failed = true;
        return 0;
    }
    b->n = 0;
    const char *p = begin, *reported = begin;
    while (p < end && !*stop) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        const char *next = nl ? nl + 1 : end;
        size_t len = (size_t)(eol - p);
        if (len > 0 && p[len - 1] == '\r')
            len--;
        const uint64_t this_line = line++;
        if (len > 0) {
            csv_field f[MAX_FIELDS];
            int nf;
            /* Unquoting writes into the line: do it in a copy (the input may be read-only). */
            if (memchr(p, '"', len) != NULL) {
                if (len >= QUOTED_LINE_MAX) {
                    nf = -2;
                } else {
                    memcpy(copy, p, len);
                    nf = csv_split(copy, len, f, MAX_FIELDS);
                }
            } else {
                nf = csv_split((char *)(uintptr_t)p, len, f, MAX_FIELDS);
            }
            const char *bad = NULL;
            char what[96];
            if (nf == -2) {
                snprintf(what, sizeof what, "quoted line longer than %d bytes",
                         QUOTED_LINE_MAX - 1);
                bad = what;
            } else if (nf < 0) {
                bad = "unbalanced quotes or too many fields";
            } else {
                const char *col = parse_row(f, nf, r, b, b->n);
                if (col != NULL) {
                    snprintf(what, sizeof what, "bad value in column %s", col);
                    bad = what;
                }
            }
            if (bad != NULL) {
                rep->rows++;
                report_bad_row(rep, this_line, bad);
                if (opt->strict)
                    *stop = true;
            } else {
                b->line[b->n++] = this_line;
                if (b->n == BLOCK_ROWS) {
                    flush_block(b, rep, opt);
                    if (opt->strict && rep->bad_rows > 0)
                        *stop = true;
                    if (progress != NULL) {
                        progress((size_t)(next - reported));
                        reported = next;
                    }
                }
            }
        }
        p = next;
    }
    if (!*stop)
        flush_block(b, rep, opt);
    if (opt->strict && rep->bad_rows > 0)
        *stop = true;
    if (progress != NULL)
        progress((size_t)(p - reported));
    free(b);
    free(copy);
    return line - first;
}
