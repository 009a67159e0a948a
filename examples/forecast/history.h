/*
 * caremetrics-forecast: the arrivals of a ticket or call history.
 *
 * The rows needed for forecasting: when each contact arrived, on which
 * channel, and how long an agent spent on it. history-csv.c fills this
 * from a CSV file with the report's columns; another reader (a columnar
 * file, a table engine) only has to fill the same arrays.
 * SPDX-License-Identifier: MIT
 */
#ifndef CM_FORECAST_HISTORY_H
#define CM_FORECAST_HISTORY_H

#include <caremetrics.h>

#include <stdbool.h>
#include <stdio.h>

/* The report's channels, in the order of their indices. */
enum { CH_PHONE, CH_CHAT, CH_EMAIL, CH_SOCIAL, CH_MESSAGING, NCHANNELS };
extern const char *const history_channels[NCHANNELS];

typedef struct history {
    size_t n, cap;
    cm_time *created;  /* arrival instants */
    uint32_t *channel; /* channel indices */
    double *handle;    /* handle seconds, or CM_FORECAST_HANDLE_UNKNOWN */
    bool has_handle;   /* the input has a handle_seconds column */
    unsigned long long bad_rows;
} history;

/*
 * Reads a CSV history: a header line naming the columns (created_at and
 * channel required, handle_seconds optional; any order, other columns
 * ignored), then one row per contact. Rows that cannot be read are reported
 * on stderr with their line number (the first ten) and counted; with
 * `strict` the first one fails. Returns 0, or 1 after printing why on stderr.
 */
int history_read_csv(FILE *in, const char *path, bool strict, history *h);

void history_free(history *h);

#endif /* CM_FORECAST_HISTORY_H */
