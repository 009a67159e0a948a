/*
 * Shared parts of caremetrics-qa: the evaluations file, names, output helpers.
 * SPDX-License-Identifier: MIT
 */
#ifndef CM_EXAMPLE_QA_CLI_H
#define CM_EXAMPLE_QA_CLI_H

#include <caremetrics.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "csv.h"

#ifndef PROG
#define PROG "caremetrics-qa"
#endif

typedef enum { FMT_TEXT, FMT_CSV, FMT_JSON } out_format;

/* ---- names ------------------------------------------------------------------ */

/* A set of strings numbered in the order they were first seen. */
typedef struct name_set {
    char **names;
    size_t count, cap;
    uint32_t *slots; /* hash table of index + 1, 0 = empty */
    size_t nslots;
} name_set;

/* Index of a name, adding it when new; -1 when out of memory. */
long names_intern(name_set *s, const char *p, size_t len);
/* Index of a name, or -1 when it is not in the set. */
long names_find(const name_set *s, const char *p, size_t len);
void names_free(name_set *s);
/* Fills order[0..count-1] with the indexes sorted by name (byte order). */
void names_sorted(const name_set *s, size_t *order);

/* ---- input ------------------------------------------------------------------ */

/* One evaluations or calibration file being read, line by line. */
typedef struct table_reader {
    FILE *in;
    const char *path; /* as given ("-" for standard input) */
    char *line;
    size_t cap;
    unsigned long lineno;
    csv_field *fields;
    int nfields, maxfields;
    csv_field *header; /* the header's fields (copied names) */
    char *header_line;
    int nheader;
} table_reader;

/* Opens a file ("-" = standard input) and reads its header; prints why not. */
bool reader_open(table_reader *r, const char *path);
/* The next data row: 1 read, 0 at the end, -1 on a row that cannot be read
 * (message printed; the row is skipped). Blank lines are skipped. */
int reader_next(table_reader *r);
void reader_close(table_reader *r);
/* Column of a header name, or -1. */
int reader_column(const table_reader *r, const char *name);

/* Loads a rubric file and prints "FILE:LINE:COLUMN: message" when it is wrong. */
cm_qa_rubric *load_rubric(const char *path);

/*
 * The rubric's items located in a header: col[i] is the column of item i.
 * Prints the first missing item and returns false when one is missing.
 */
bool map_items(const cm_qa_rubric *rubric, const table_reader *r, int *col);

/*
 * Reads the awards of one row into awards[] (CM_QA_NA for "na", "n/a" or an
 * empty cell). Prints "FILE:LINE: column NAME: ..." and returns false on a
 * value that is not a whole number in 0..points or an N/A the item does not
 * allow.
 */
bool read_awards(const cm_qa_rubric *rubric, const table_reader *r, const int *col,
                 int32_t *awards);

/* ---- output ----------------------------------------------------------------- */

/* Writes s as a JSON string (quotes included). */
void json_string(FILE *out, const char *s);
/* Writes s as one CSV field, quoted when it holds a comma, a quote or a line break. */
void csv_string(FILE *out, const char *s);
/* Writes a number for JSON: %.*g, or null when it is not finite. */
void json_number(FILE *out, double v, int digits);

/* ---- commands --------------------------------------------------------------- */

int qa_score_main(int argc, char **argv);
int qa_calibrate_main(int argc, char **argv);
int qa_rubric_main(int argc, char **argv);

/* Shared option parsing: --format. Returns false for an unknown format. */
bool parse_format(const char *v, out_format *out);

#endif /* CM_EXAMPLE_QA_CLI_H */
