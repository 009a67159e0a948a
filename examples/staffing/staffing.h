/*
 * caremetrics-staffing: the pieces shared by its reader (forecast-csv.c), its
 * printers (output.c) and its command line (staffing.c).
 * SPDX-License-Identifier: MIT
 */
#ifndef CM_STAFFING_H
#define CM_STAFFING_H

#include <caremetrics.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define PROGRAM "caremetrics-staffing"

/* Bounds on what is read, so an input that never ends (/dev/zero, a stuck pipe) stops
 * with a message instead of growing memory or running forever. */
#define MAX_INTERVALS   1440         /* one-minute intervals over a day */
#define MAX_LINE_BYTES  65536        /* one line, without its line end */
#define MAX_INPUT_BYTES (64ul << 20) /* the whole input */
#define BAD_LINES_SHOWN 100          /* further bad lines are counted, not shown */
#define START_BYTES     64           /* an interval start as written, with its NUL */

/* Exit statuses. */
enum {
    EXIT_PLAN = 0,       /* the plan covers every line of the forecast */
    EXIT_NO_PLAN = 1,    /* no plan: unreadable input, or a bad line under --strict */
    EXIT_USAGE = 2,      /* bad command line */
    EXIT_INCOMPLETE = 3, /* plan printed, but lines were skipped or intervals not staffed */
};

typedef enum format { FORMAT_TEXT, FORMAT_JSON, FORMAT_CSV } format;

typedef struct options {
    double interval_minutes, target, seconds, max_occupancy, shrinkage, shift_hours;
    double patience; /* 0: Erlang C only */
    bool strict;
    format format;
    const char *path;
} options;

/* One interval of the forecast and its staffing, as the library computed it. */
typedef struct interval {
    unsigned long long line; /* line number in the input */
    char start[START_BYTES]; /* interval_start as written */
    double volume, aht_seconds;
    cm_status status; /* Erlang C plan: CM_OK, or why the interval cannot be staffed */
    cm_interval_staffing plan;
    cm_status a_status; /* Erlang A (with --patience): CM_OK or why not */
    uint32_t a_agents;
    cm_erlang_a_result a;
} interval;

typedef struct forecast {
    size_t n;
    unsigned long long bad_lines;
    interval iv[MAX_INTERVALS];
} forecast;

/* A workforce figure of the day: defined (CM_OK) or the status that leaves it undefined. */
typedef struct day_figure {
    cm_status status;
    cm_workforce wf;
} day_figure;

/* The input's name in messages: its path, or "(standard input)" for "-". */
const char *input_name(const options *opt);

/* The day's totals. */
typedef struct day {
    size_t not_staffed;   /* intervals without an Erlang C plan */
    size_t a_not_staffed; /* intervals without Erlang A agents (with --patience) */
    double contacts;
    day_figure by_intervals; /* agent-hours of the Erlang C plan (wf.workload_hours) and FTE */
    day_figure by_workload;  /* workload hours (wf.workload_hours) at the occupancy cap, FTE */
    day_figure erlang_a;     /* agent-hours and FTE of the Erlang A agents */
} day;

/*
 * Reads a forecast CSV and staffs each interval. Bad lines are reported on `err` as
 * "FILE:LINE: column NAME: value "VALUE": expected ..." and counted. Returns 0, or 1
 * after a message when there can be no plan (no header, a missing or repeated column,
 * a read error, a bound exceeded, or a bad line under --strict).
 */
int read_forecast(FILE *in, const options *opt, FILE *err, forecast *fc);

/* The input's name in messages: its path, or "(standard input)" for "-". */
const char *input_name(const options *opt);

/* The day's totals of a forecast read by read_forecast(). */
void day_totals(const forecast *fc, const options *opt, day *d);

/* The plan on standard output, as text, JSON or CSV (opt->format). */
void print_plan(const forecast *fc, const day *d, const options *opt);

#endif /* CM_STAFFING_H */
