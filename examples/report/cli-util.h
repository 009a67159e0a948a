/*
 * Small helpers shared by the example programs' command lines and line readers.
 * SPDX-License-Identifier: MIT
 */
#ifndef CM_EXAMPLE_CLI_UTIL_H
#define CM_EXAMPLE_CLI_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Reads one line into buf without its line break (LF or CRLF). Returns its
 * length, -1 at the end of the input, or -2 for a line that does not fit
 * `cap` bytes (the rest of it is skipped).
 */
long cli_read_line(FILE *in, char *buf, size_t cap);

/*
 * Parses a whole argument as a finite number in a range: above lo (or at it
 * unless lo_open) and below hi (or at it unless hi_open). Returns false for
 * anything else.
 */
bool cli_number(const char *s, double lo, double hi, bool lo_open, bool hi_open, double *out);

#endif /* CM_EXAMPLE_CLI_UTIL_H */
