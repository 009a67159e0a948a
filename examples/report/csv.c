/*
 * A small RFC 4180 field splitter for the example programs.
 * SPDX-License-Identifier: MIT
 */
#include "csv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int csv_split(char *line, size_t len, csv_field *fields, int max)
{
    int n = 0;
    size_t i = 0;
    for (;;) {
        if (n == max)
            return -1;
        if (i < len && line[i] == '"') {
            /* Quoted: copy the content down over the quotes, "" becomes ". */
            size_t w = i, r = i + 1;
            const size_t start = i;
            for (;;) {
                if (r >= len)
                    return -1; /* no closing quote */
                if (line[r] == '"') {
                    if (r + 1 < len && line[r + 1] == '"') {
                        line[w++] = '"';
                        r += 2;
                        continue;
                    }
                    r++;
                    break;
                }
                line[w++] = line[r++];
            }
            if (r < len && line[r] != ',')
                return -1; /* text after the closing quote */
            fields[n].p = line + start;
            fields[n].len = w - start;
            n++;
            i = r;
        } else {
            const size_t start = i;
            while (i < len && line[i] != ',') {
                if (line[i] == '"')
                    return -1; /* a quote inside an unquoted field */
                i++;
            }
            fields[n].p = line + start;
            fields[n].len = i - start;
            n++;
        }
        if (i >= len)
            return n;
        i++; /* the comma */
    }
}

bool csv_is(const csv_field *f, const char *s)
{
    const size_t n = strlen(s);
    return f->len == n && memcmp(f->p, s, n) == 0;
}

bool csv_int(const csv_field *f, long long lo, long long hi, long long *out)
{
    if (f->len == 0 || f->len > 18)
        return false;
    size_t i = 0;
    bool neg = false;
    if (f->p[0] == '-' || f->p[0] == '+') {
        neg = f->p[0] == '-';
        if (++i == f->len)
            return false;
    }
    long long v = 0;
    for (; i < f->len; i++) {
        if (f->p[i] < '0' || f->p[i] > '9')
            return false;
        v = v * 10 + (f->p[i] - '0');
    }
    if (neg)
        v = -v;
    if (v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

bool csv_seconds(const csv_field *f, double *out)
{
    char buf[64];
    if (f->len == 0 || f->len >= sizeof buf)
        return false;
    memcpy(buf, f->p, f->len);
    buf[f->len] = '\0';
    char *end;
    const double v = strtod(buf, &end);
    if (*end != '\0' || !isfinite(v) || v < 0.0)
        return false;
    *out = v;
    return true;
}
