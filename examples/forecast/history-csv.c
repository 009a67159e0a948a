/*
 * caremetrics-forecast: reading the arrivals of a CSV ticket history (the
 * columns of docs/report.md: created_at, channel, handle_seconds). All of
 * the CSV handling of the program is in this file.
 * SPDX-License-Identifier: MIT
 */
#include "history.h"

#include <stdlib.h>
#include <string.h>

#include "cli-util.h"
#include "csv.h"

#define MAX_FIELDS     64
#define LINE_BYTES     65536
#define SHOWN_BAD_ROWS 10

const char *const history_channels[NCHANNELS] = {"phone", "chat", "email", "social", "messaging"};

enum { COL_CREATED, COL_CHANNEL, COL_HANDLE, NCOLS };
static const char *const col_names[NCOLS] = {"created_at", "channel", "handle_seconds"};

static int grow(history *h)
{
    const size_t cap = h->cap ? 2 * h->cap : 4096;
    cm_time *c = realloc(h->created, cap * sizeof *c);
    if (c != NULL)
        h->created = c;
    uint32_t *ch = realloc(h->channel, cap * sizeof *ch);
    if (ch != NULL)
        h->channel = ch;
    double *hd = realloc(h->handle, cap * sizeof *hd);
    if (hd != NULL)
        h->handle = hd;
    if (c == NULL || ch == NULL || hd == NULL)
        return 1;
    h->cap = cap;
    return 0;
}

static int channel_index(const csv_field *f)
{
    for (int c = 0; c < NCHANNELS; c++) {
        if (csv_is(f, history_channels[c]))
            return c;
    }
    return -1;
}

int history_read_csv(FILE *in, const char *path, bool strict, history *h)
{
    static char buf[LINE_BYTES];
    csv_field f[MAX_FIELDS];
    memset(h, 0, sizeof *h);
    long n = cli_read_line(in, buf, sizeof buf);
    int nf = n >= 0 ? csv_split(buf, (size_t)n, f, MAX_FIELDS) : -1;
    if (nf <= 0) {
        fprintf(stderr, "caremetrics-forecast: %s: no header line\n", path);
        return 1;
    }
    int col[NCOLS];
    for (int c = 0; c < NCOLS; c++) {
        col[c] = -1;
        for (int i = 0; i < nf; i++) {
            if (csv_is(&f[i], col_names[c]))
                col[c] = i;
        }
    }
    if (col[COL_CREATED] < 0 || col[COL_CHANNEL] < 0) {
        fprintf(stderr,
                "caremetrics-forecast: %s: the header needs the columns created_at and channel "
                "(see docs/report.md)\n",
                path);
        return 1;
    }
    h->has_handle = col[COL_HANDLE] >= 0;
    unsigned long long line = 1;
    while ((n = cli_read_line(in, buf, sizeof buf)) != -1) {
        line++;
        if (n == 0)
            continue;
        const char *what = NULL;
        nf = n > 0 ? csv_split(buf, (size_t)n, f, MAX_FIELDS) : -1;
        cm_time t = 0;
        int ch = -1;
        double secs = CM_FORECAST_HANDLE_UNKNOWN;
        if (nf < 0) {
            what = "unreadable line";
        } else if (col[COL_CREATED] >= nf ||
                   cm_time_parse(f[col[COL_CREATED]].p, f[col[COL_CREATED]].len, &t) != CM_OK) {
            what = "bad value in column created_at";
        } else if (col[COL_CHANNEL] >= nf || (ch = channel_index(&f[col[COL_CHANNEL]])) < 0) {
            what = "bad value in column channel";
        } else if (h->has_handle && col[COL_HANDLE] < nf && f[col[COL_HANDLE]].len > 0 &&
                   !csv_seconds(&f[col[COL_HANDLE]], &secs)) {
            what = "bad value in column handle_seconds";
        }
        if (what != NULL) {
            h->bad_rows++;
            if (h->bad_rows <= SHOWN_BAD_ROWS || strict)
                fprintf(stderr, "caremetrics-forecast: %s: line %llu: %s\n", path, line, what);
            if (strict)
                return 1;
            continue;
        }
        if (h->n == h->cap && grow(h) != 0) {
            fprintf(stderr, "caremetrics-forecast: out of memory\n");
            return 1;
        }
        h->created[h->n] = t;
        h->channel[h->n] = (uint32_t)ch;
        h->handle[h->n] = secs;
        h->n++;
    }
    if (ferror(in)) {
        fprintf(stderr, "caremetrics-forecast: %s: read error\n", path);
        return 1;
    }
    if (h->bad_rows > SHOWN_BAD_ROWS)
        fprintf(stderr, "caremetrics-forecast: %s: %llu bad rows in all\n", path, h->bad_rows);
    return 0;
}

void history_free(history *h)
{
    free(h->created);
    free(h->channel);
    free(h->handle);
    memset(h, 0, sizeof *h);
}
