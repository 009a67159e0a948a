/*
 * Small helpers shared by the example programs' command lines and line readers.
 * SPDX-License-Identifier: MIT
 */
#include "cli-util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

long cli_read_line(FILE *in, char *buf, size_t cap)
{
    if (fgets(buf, (int)cap, in) == NULL)
        return -1;
    size_t n = strlen(buf);
    if (n > 0 && buf[n - 1] == '\n') {
        buf[--n] = '\0';
    } else if (!feof(in)) {
        int c;
        while ((c = fgetc(in)) != EOF && c != '\n') {
        }
        return -2;
    }
    if (n > 0 && buf[n - 1] == '\r')
        buf[--n] = '\0';
    return (long)n;
}

bool cli_number(const char *s, double lo, double hi, bool lo_open, bool hi_open, double *out)
{
    char *end;
    errno = 0;
    const double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !isfinite(v))
        return false;
    if (lo_open ? !(v > lo) : !(v >= lo))
        return false;
    if (hi_open ? !(v < hi) : !(v <= hi))
        return false;
    *out = v;
    return true;
}
