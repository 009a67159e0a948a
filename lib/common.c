/*
 * Status codes, version, UTC civil time, and math helpers shared by the modules.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/common.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common-internal.h"

/* ---------------------------------------------------------------------- */
/* Status table, indexed by -status: the single source of names and messages. */
/* ---------------------------------------------------------------------- */

static const struct {
    const char *name;
    const char *message;
} status_table[CM_STATUS_COUNT] = {
    [-CM_OK] = {"CM_OK", "success"},
    [-CM_EINVAL] = {"CM_EINVAL", "invalid argument"},
    [-CM_ERANGE] = {"CM_ERANGE", "value outside its scale or domain"},
    [-CM_ENODATA] = {"CM_ENODATA", "metric undefined: no data"},
    [-CM_EUNSTABLE] = {"CM_EUNSTABLE", "queue load at or above the number of agents"},
    [-CM_EPARSE] = {"CM_EPARSE", "malformed input"},
    [-CM_ENOTFOUND] = {"CM_ENOTFOUND", "not found"},
    [-CM_EOVERFLOW] = {"CM_EOVERFLOW", "value too large for its type"},
    [-CM_ENOMEM] = {"CM_ENOMEM", "out of memory"},
    [-CM_ENOSPC] = {"CM_ENOSPC", "buffer too small"},
};

const char *cm_strerror(cm_status status)
{
    const int s = (int)status; /* callers may pass any int: never negate INT_MIN */
    if (s > 0 || s <= -CM_STATUS_COUNT)
        return "unknown status";
    return status_table[-s].message;
}

const char *cm_status_name(cm_status status)
{
    const int s = (int)status; /* callers may pass any int: never negate INT_MIN */
    if (s > 0 || s <= -CM_STATUS_COUNT)
        return "CM_UNKNOWN";
    return status_table[-s].name;
}

/* ---------------------------------------------------------------------- */
/* Version                                                                */
/* ---------------------------------------------------------------------- */

uint32_t cm_version(void)
{
    return (uint32_t)CM_VERSION_NUMBER;
}

const char *cm_version_string(void)
{
    return CM_VERSION_STRING;
}

/* ---------------------------------------------------------------------- */
/* Civil time (proleptic Gregorian, UTC)                                  */
/* ---------------------------------------------------------------------- */

/*
 * days_from_civil / civil_from_days: Howard Hinnant, "chrono-Compatible
 * Low-Level Date Algorithms" (era-based, exact for every int64 day count
 * that fits the year range we accept).
 */
int64_t cm__days_from_civil(int64_t y, int32_t m, int32_t d)
{
    y -= m <= 2;
    const int64_t era = cm__floor_div(y, 400);
    const int64_t yoe = y - era * 400;                                           /* [0, 399] */
    const int64_t doy = (153 * (int64_t)(m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1; /* [0, 365] */
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                   /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

void cm__civil_from_days(int64_t z, int64_t *y, int32_t *m, int32_t *d)
{
    z += 719468;
    const int64_t era = cm__floor_div(z, 146097);
    const int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    const int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
    const int32_t dd = (int32_t)(doy - (153 * mp + 2) / 5 + 1);
    const int32_t mm = (int32_t)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (mm <= 2);
    *m = mm;
    *d = dd;
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int32_t cm__days_in_month(int64_t y, int32_t m)
{
    static const int8_t dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return (m == 2 && is_leap(y)) ? 29 : dim[m - 1];
}

/* Year range accepted by cm_time_to_civil: keeps every intermediate far from overflow. */
#define CIVIL_YEAR_MIN (-999999)
#define CIVIL_YEAR_MAX 999999

static bool civil_fields_valid(int64_t y, int32_t mo, int32_t d, int32_t h, int32_t mi, int32_t s)
{
    return y >= 0 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && d <= cm__days_in_month(y, mo) &&
           h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 && s <= 59;
}

static cm_time civil_to_time(int64_t y, int32_t mo, int32_t d, int32_t h, int32_t mi, int32_t s)
{
    return cm__days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

cm_status cm_time_from_civil(const cm_civil *civil, cm_time *out)
{
    CM_REQUIRE(civil != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(civil_fields_valid(civil->year, civil->month, civil->day, civil->hour, civil->minute,
                                  civil->second),
               CM_ERANGE);
    *out = civil_to_time(civil->year, civil->month, civil->day, civil->hour, civil->minute,
                         civil->second);
    return CM_OK;
}

cm_status cm_time_to_civil(cm_time t, cm_civil *out)
{
    CM_REQUIRE(out != NULL, CM_EINVAL);
    const int64_t days = cm__floor_div(t, 86400);
    const int64_t secs = cm__floor_mod(t, 86400);
    /* 366 days per year bounds the day count of the accepted year range. */
    CM_REQUIRE(days >= (int64_t)CIVIL_YEAR_MIN * 366 && days <= (int64_t)CIVIL_YEAR_MAX * 366,
               CM_ERANGE);
    int64_t y;
    int32_t m, d;
    cm__civil_from_days(days, &y, &m, &d);
    CM_REQUIRE(y >= CIVIL_YEAR_MIN && y <= CIVIL_YEAR_MAX, CM_ERANGE);
    cm_civil c;
    c.year = (int32_t)y;
    c.month = m;
    c.day = d;
    c.hour = (int32_t)(secs / 3600);
    c.minute = (int32_t)(secs / 60 % 60);
    c.second = (int32_t)(secs % 60);
    c.weekday = (int32_t)cm__floor_mod(days + 3, 7) + 1; /* 1970-01-01 was a Thursday */
    c.yday = (int32_t)(days - cm__days_from_civil(y, 1, 1)) + 1;
    *out = c;
    return CM_OK;
}

/* Reads exactly `n` decimal digits at text[*pos]; advances *pos. */
static bool read_digits(const char *text, size_t len, size_t *pos, int n, int32_t *value)
{
    if (len - *pos < (size_t)n)
        return false;
    int32_t v = 0;
    for (int i = 0; i < n; i++) {
        const char ch = text[*pos + (size_t)i];
        if (ch < '0' || ch > '9')
            return false;
        v = v * 10 + (ch - '0');
    }
    *pos += (size_t)n;
    *value = v;
    return true;
}

static bool read_char(const char *text, size_t len, size_t *pos, char want)
{
    if (*pos >= len || text[*pos] != want)
        return false;
    (*pos)++;
    return true;
}

cm_status cm_time_parse(const char *text, size_t len, cm_time *out)
{
    CM_REQUIRE(text != NULL && out != NULL, CM_EINVAL);
    size_t pos = 0;
    int32_t y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    CM_REQUIRE(read_digits(text, len, &pos, 4, &y) && read_char(text, len, &pos, '-') &&
                   read_digits(text, len, &pos, 2, &mo) && read_char(text, len, &pos, '-') &&
                   read_digits(text, len, &pos, 2, &d),
               CM_EPARSE);
    int32_t offset = 0;
    if (pos < len) {
        const char sep = text[pos++];
        CM_REQUIRE(sep == 'T' || sep == 't' || sep == ' ', CM_EPARSE);
        CM_REQUIRE(read_digits(text, len, &pos, 2, &h) && read_char(text, len, &pos, ':') &&
                       read_digits(text, len, &pos, 2, &mi) && read_char(text, len, &pos, ':') &&
                       read_digits(text, len, &pos, 2, &s),
                   CM_EPARSE);
        if (pos < len && text[pos] == '.') {
            pos++;
            const size_t first = pos;
            while (pos < len && text[pos] >= '0' && text[pos] <= '9')
                pos++;
            CM_REQUIRE(pos > first, CM_EPARSE);
        }
        if (pos < len) {
            const char z = text[pos++];
            if (z == 'Z' || z == 'z') {
                /* UTC */
            } else if (z == '+' || z == '-') {
                int32_t oh = 0, om = 0;
                CM_REQUIRE(read_digits(text, len, &pos, 2, &oh) &&
                               read_char(text, len, &pos, ':') &&
                               read_digits(text, len, &pos, 2, &om) && oh <= 23 && om <= 59,
                           CM_EPARSE);
                offset = (z == '+' ? 1 : -1) * (oh * 3600 + om * 60);
            } else {
                return CM_EPARSE;
            }
        }
        CM_REQUIRE(pos == len, CM_EPARSE);
    }
    CM_REQUIRE(civil_fields_valid(y, mo, d, h, mi, s), CM_EPARSE);
    *out = civil_to_time(y, mo, d, h, mi, s) - offset;
    return CM_OK;
}

static void put_digits(char *p, int32_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

cm_status cm_time_format(cm_time t, char *buf, size_t cap)
{
    CM_REQUIRE(buf != NULL, CM_EINVAL);
    CM_REQUIRE(cap >= CM_TIME_FORMAT_SIZE, CM_ENOSPC);
    cm_civil c;
    CM_REQUIRE(cm_time_to_civil(t, &c) == CM_OK && c.year >= 0 && c.year <= 9999, CM_ERANGE);
    char text[CM_TIME_FORMAT_SIZE] = "0000-00-00T00:00:00Z";
    put_digits(text, c.year, 4);
    put_digits(text + 5, c.month, 2);
    put_digits(text + 8, c.day, 2);
    put_digits(text + 11, c.hour, 2);
    put_digits(text + 14, c.minute, 2);
    put_digits(text + 17, c.second, 2);
    memcpy(buf, text, sizeof text);
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Normal quantile                                                        */
/* ---------------------------------------------------------------------- */

/*
 * Lower-tail quantile for p in (0, 0.5]: Peter J. Acklam's rational
 * approximation (relative error below 1.15e-9) refined by one Halley step on
 * Phi(x) - p, evaluated with erfc, which keeps full relative precision in the
 * lower tail. After the step the error is at the level of double rounding.
 */
static double normal_quantile_lower(double p)
{
    static const double a[6] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                -2.759285104469687e+02, 1.383577518672690e+02,
                                -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[5] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                -1.556989798598866e+02, 6.680131188771972e+01,
                                -1.328068155288572e+01};
    static const double c[6] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                -2.400758277161838e+00, -2.549732539343734e+00,
                                4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[4] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                3.754408661907416e+00};
    double x;
    if (p < 0.02425) {
        const double q = sqrt(-2.0 * log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    } else {
        const double q = p - 0.5;
        const double r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
    }
    const double sqrt2 = 1.41421356237309504880;
    const double sqrt2pi = 2.50662827463100050242;
    const double e = 0.5 * erfc(-x / sqrt2) - p;
    const double u = e * sqrt2pi * exp(0.5 * x * x);
    return x - u / (1.0 + 0.5 * x * u);
}

double cm__normal_quantile(double p)
{
    if (p <= 0.5)
        return normal_quantile_lower(p);
    return -normal_quantile_lower(1.0 - p);
}

/* ---------------------------------------------------------------------- */
/* CRC-32                                                                 */
/* ---------------------------------------------------------------------- */

uint32_t cm__crc32(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

void *cm__alloc(const cm_allocator *a, size_t n)
{
    if (n == 0)
        n = 1; /* a zero-size request still gets a distinct block */
    return a != NULL ? a->alloc(a->opaque, n) : malloc(n);
}

void cm__free(const cm_allocator *a, void *p)
{
    if (p == NULL)
        return;
    if (a != NULL)
        a->free(a->opaque, p);
    else
        free(p);
}
