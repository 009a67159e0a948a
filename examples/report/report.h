/*
 * caremetrics-report: shared types of the report program (see report.c).
 *
 * Input (CSV or columnar) is turned into blocks of rows in the columnar
 * layout's units (tc_table); each worker thread folds its blocks into its own
 * `report`; the reports are merged and printed.
 * SPDX-License-Identifier: MIT
 */
#ifndef CM_REPORT_H
#define CM_REPORT_H

#include <caremetrics.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "rules.h"
#include "sla-section.h"
#include "staffing-section.h"
#include "ticket-columns.h"

enum { PHONE, CHAT, EMAIL, SOCIAL, MESSAGING, NCHANNELS };
/* Report order of priorities; the columnar layout stores none = 0, urgent = 1, ... */
enum { URGENT, HIGH, NORMAL, LOW, NO_PRIORITY, NPRIORITIES };

extern const char *const channel_names[NCHANNELS];
extern const char *const priority_names[NPRIORITIES];

/* Rows per block handed to the kernel. */
#define BLOCK_ROWS 4096
/* Bad rows described on stderr; the rest are counted. */
#define BAD_ROWS_SHOWN 10

enum output_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_CSV };
enum grouping { BY_NONE, BY_CHANNEL, BY_PRIORITY, BY_MONTH };

typedef struct options {
    double confidence;
    double short_abandon;
    bool strict;
    bool exact_quantiles;
    bool kpis_only; /* the core KPI set only: no breakdowns, no staffing section */
    int progress;   /* 1 on, 0 off, -1 when standard error is a terminal */
    unsigned threads;
    enum output_format format;
    enum grouping by;
    const char *path;
    const char *calendar_file, *policy_file; /* NULL: the bundled ones */
    const report_rules *rules;               /* loaded from the two files */
} options;

/* The KPIs computed for the whole history and for each group. */
typedef struct kpi_set {
    uint64_t tickets, solved, solved_first_contact, reopened, escalated;
    uint64_t by_channel[NCHANNELS];
    uint64_t rt_offered, rt_abandoned, rt_short; /* phone and chat */
    cm_csat csat;
    cm_nps nps;
    cm_ces ces;
    cm_sketch first_reply, resolution;  /* calendar seconds */
    uint64_t business_replies;          /* first replies measured in business time */
    int64_t business_reply_seconds;     /* their total business seconds */
    uint64_t sla_met[4], sla_judged[4]; /* first reply within target, by priority urgent..low */
} kpi_set;

/* KPI sets keyed by month (months since 1970-01), grown on demand. */
typedef struct month_table {
    int64_t first; /* month of sets[0] */
    size_t count;
    kpi_set *sets;
} month_table;

/* Up to BAD_ROWS_SHOWN bad rows kept for the message, with row numbers local to a worker. */
typedef struct bad_row {
    uint64_t line;
    char what[96];
} bad_row;

/* Exact first-reply durations, kept only for --exact-quantiles. */
typedef struct duration_list {
    double *values;
    size_t count, cap;
} duration_list;

typedef struct report {
    uint64_t rows, bad_rows;
    kpi_set all;
    kpi_set by_channel[NCHANNELS], by_priority[NPRIORITIES];
    month_table months;
    staffing_section staffing;
    sla_section sla;
    duration_list first_reply_exact;
    size_t bad_shown;
    bad_row bad[BAD_ROWS_SHOWN];
    bool failed; /* out of memory or an accumulator overflow */
} report;

/* kernel.c */
bool report_init(report *rep, const options *opt);
void report_free(report *rep);
/* Folds rows [0, t->rows) of a block. Row i is numbered lines[i], or first_line + i
 * when lines is NULL (in messages about bad rows). */
void report_add_block(report *rep, const tc_table *t, uint64_t first_line, const uint64_t *lines,
                      const options *opt);
/* Records a row the reader could not turn into values. */
void report_bad_row(report *rep, uint64_t line, const char *what);
/* Adds `src` into `dst`; line numbers of src's bad rows are shifted by line_offset. */
bool report_merge(report *dst, const report *src, uint64_t line_offset, const options *opt);
const kpi_set *report_month(const report *rep, size_t i, int64_t *month);

/* input.c */
typedef struct csv_reader csv_reader;
/* Maps column names of a CSV header line; returns false (with a message) if unusable. */
csv_reader *csv_reader_new(const char *header, size_t len, const char **error);
void csv_reader_free(csv_reader *r);
/* Parses lines [begin, end) (the last may lack a line break) into blocks folded into
 * rep; `line` is the number of the first line. Returns the number of lines seen, or
 * stops early (and sets *stop) in --strict mode at the first bad row. */
uint64_t csv_parse_range(const csv_reader *r, const char *begin, const char *end, uint64_t line,
                         report *rep, const options *opt, bool *stop,
                         void (*progress)(size_t bytes));

/* output.c */
void print_text(const report *rep, const options *opt);
void print_json(const report *rep, const options *opt, double compute_seconds,
                double compute_cpu_seconds);
void print_csv(const report *rep, const options *opt);
void fmt_duration(char *buf, size_t cap, double seconds);

#endif /* CM_REPORT_H */
