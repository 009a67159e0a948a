/*
 * caremetrics-report: a thin command-line tool over the library's ticket-table
 * engine (caremetrics/table.h) and CSV reader (caremetrics/csv.h).
 *
 * report.c reads the options and the input and runs the workers; columns.c
 * feeds the engine from columnar files; output.c prints the finished report
 * as text, JSON or CSV; staffing-section.c turns the report's contact
 * counters into the staffing section with the library's queue functions.
 * SPDX-License-Identifier: MIT
 */
#ifndef CM_REPORT_H
#define CM_REPORT_H

#include <caremetrics.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "rules.h"
#include "ticket-columns.h"

/* Bad rows described on stderr; the rest are counted. */
#define BAD_ROWS_SHOWN 10
/* Most keys given to --by. */
#define BY_MAX 4

enum output_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_CSV };

/* --backlog: the snapshot interval. */
enum backlog_interval { BACKLOG_NONE, BACKLOG_DAY, BACKLOG_WEEK, BACKLOG_MONTH };
/* Most drivers --drivers-top may ask for. */
#define DRIVERS_TOP_MAX 100

/* The report's groupings, in this order; absent ones are -1 in `report_view`. */
enum view_grouping { G_ALL, G_CHANNEL, G_PRIORITY, G_HOUR_OF_DAY, G_BY, G_COUNT };

typedef struct options {
    double confidence;
    double short_abandon;
    bool strict;
    bool exact_quantiles;
    bool kpis_only; /* the core KPI set only: no breakdowns, staffing or SLA replay */
    int progress;   /* 1 on, 0 off, -1 when standard error is a terminal */
    unsigned threads;
    enum output_format format;
    /* --by: column names, and a time bucket of the creation instant. */
    const char *by[BY_MAX]; /* each points into by_names */
    char by_names[BY_MAX][CM_TABLE_LABEL_MAX + 1];
    size_t nby;
    uint32_t by_bucket; /* a cm_table_bucket */
    uint32_t by_minutes;
    const char *path;
    const char *calendar_file, *policy_file; /* NULL: the bundled ones */
    const char *columns;                     /* --columns: a mapping text or file */
    const char *preset;                      /* --preset NAME */
    const char *input_tz;                    /* --input-tz ZONE */
    cm_time as_of;                           /* --as-of, or CM_TABLE_NO_TIME */
    const report_rules *rules;               /* loaded from the two files */
    /* The optional sections (sections.c); none of them by default. */
    const char *drivers_column; /* --drivers COLUMN: tags, separated by spaces or commas */
    uint32_t drivers_top;       /* --drivers-top K */
    uint32_t backlog;           /* --backlog INTERVAL: an enum backlog_interval */
    const char *qa_rubric, *qa_evaluations; /* --qa-rubric FILE --qa-evaluations FILE */
    const char *qa_by;                      /* --qa-by COLUMN (agent) */
    bool qa_by_given;
} options;

/* sections.c: drivers, backlog and QA. */
typedef struct extra_sections extra_sections;

/* What output.c needs to read a finished report. */
typedef struct report_view {
    const cm_table_report *rep;
    const options *opt;
    int grouping[G_COUNT];         /* index of each grouping in the spec, or -1 */
    int channel_key, priority_key; /* key indexes, or -1 */
    size_t nby_keys;
    int by_keys[BY_MAX]; /* key indexes of --by's columns */
    double compute_seconds, compute_cpu_seconds;
    long compute_minor_faults;
    const extra_sections *extra; /* NULL when no optional section was asked for */
} report_view;

/* columns.c: a columnar file as engine blocks. */
/* The spec's keys for a columnar file: channel and priority with their labels. */
void columnar_keys(cm_table_spec *spec);
/* Folds rows [begin, end) of a table; rows are numbered from 1. Without `handle` the
 * handle-time column is left out (no KPI of --kpis-only reads it). */
cm_status columnar_fold(cm_table_report *rep, const tc_table *t, uint64_t begin, uint64_t end,
                        bool handle);

/* output.c */
void print_text(const report_view *v);
void print_json(const report_view *v);
void print_csv(const report_view *v);
void fmt_duration(char *buf, size_t cap, double seconds);
/* The result groups of grouping g, in display order (priorities urgent .. low, none). */
size_t view_groups(const report_view *v, int g, size_t *out, size_t cap);
/* The label of group gi's value of key k, or "-". */
const char *view_label(const report_view *v, size_t gi, int key);

/* A CSV output row: section,group,kpi,value,lo,hi,num,den (NaN and -1 print empty). */
void csv_row(const char *section, const char *group, const char *kpi, double value, double lo,
             double hi, int64_t num, int64_t den);

/* staffing-section.c */
void staffing_text(const report_view *v);
void staffing_json(const report_view *v);
void staffing_csv(const report_view *v);

/* sections.c */
/* True when an option asks for one of the optional sections. */
bool extra_wanted(const options *opt);
/* Computes them from the input (one more pass over CSV rows) and the evaluations file;
 * NULL after printing why. */
extra_sections *extra_compute(const options *opt, const char *data, size_t size, bool columnar);
void extra_free(extra_sections *x);
void extra_text(const extra_sections *x);
void extra_json(const extra_sections *x);
void extra_csv(const extra_sections *x);

#endif /* CM_REPORT_H */
