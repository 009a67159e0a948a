/*
 * A small RFC 4180 field splitter for the example programs.
 * SPDX-License-Identifier: MIT
 */
#ifndef CM_EXAMPLE_CSV_H
#define CM_EXAMPLE_CSV_H

#include <stdbool.h>
#include <stddef.h>

/* One field of a split line: points into the line buffer, not NUL-terminated. */
typedef struct csv_field {
    const char *p;
    size_t len;
} csv_field;

/*
 * Splits one line (without its line break) into at most `max` fields.
 * Quoted fields ("a,b" and "say ""hi""") are unquoted in place. Returns the
 * number of fields, or -1 when a quote is unbalanced or there are more than
 * `max` fields.
 */
int csv_split(char *line, size_t len, csv_field *fields, int max);

/* True when the field equals the NUL-terminated string s. */
bool csv_is(const csv_field *f, const char *s);

/*
 * Parses a whole field as a decimal integer in [lo, hi]. Returns false for
 * anything else (empty, sign errors, trailing characters, out of range).
 */
bool csv_int(const csv_field *f, long long lo, long long hi, long long *out);

/* Parses a whole field as a finite, non-negative decimal number. */
bool csv_seconds(const csv_field *f, double *out);

#endif /* CM_EXAMPLE_CSV_H */
