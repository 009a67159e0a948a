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

/* The reflected polynomial 0xEDB88320 applied to each byte value. */
static const uint32_t crc_table[256] = {
    0x00000000u, 0x77073096u, 0xee0e612cu, 0x990951bau, 0x076dc419u, 0x706af48fu, 0xe963a535u,
    0x9e6495a3u, 0x0edb8832u, 0x79dcb8a4u, 0xe0d5e91eu, 0x97d2d988u, 0x09b64c2bu, 0x7eb17cbdu,
    0xe7b82d07u, 0x90bf1d91u, 0x1db71064u, 0x6ab020f2u, 0xf3b97148u, 0x84be41deu, 0x1adad47du,
    0x6ddde4ebu, 0xf4d4b551u, 0x83d385c7u, 0x136c9856u, 0x646ba8c0u, 0xfd62f97au, 0x8a65c9ecu,
    0x14015c4fu, 0x63066cd9u, 0xfa0f3d63u, 0x8d080df5u, 0x3b6e20c8u, 0x4c69105eu, 0xd56041e4u,
    0xa2677172u, 0x3c03e4d1u, 0x4b04d447u, 0xd20d85fdu, 0xa50ab56bu, 0x35b5a8fau, 0x42b2986cu,
    0xdbbbc9d6u, 0xacbcf940u, 0x32d86ce3u, 0x45df5c75u, 0xdcd60dcfu, 0xabd13d59u, 0x26d930acu,
    0x51de003au, 0xc8d75180u, 0xbfd06116u, 0x21b4f4b5u, 0x56b3c423u, 0xcfba9599u, 0xb8bda50fu,
    0x2802b89eu, 0x5f058808u, 0xc60cd9b2u, 0xb10be924u, 0x2f6f7c87u, 0x58684c11u, 0xc1611dabu,
    0xb6662d3du, 0x76dc4190u, 0x01db7106u, 0x98d220bcu, 0xefd5102au, 0x71b18589u, 0x06b6b51fu,
    0x9fbfe4a5u, 0xe8b8d433u, 0x7807c9a2u, 0x0f00f934u, 0x9609a88eu, 0xe10e9818u, 0x7f6a0dbbu,
    0x086d3d2du, 0x91646c97u, 0xe6635c01u, 0x6b6b51f4u, 0x1c6c6162u, 0x856530d8u, 0xf262004eu,
    0x6c0695edu, 0x1b01a57bu, 0x8208f4c1u, 0xf50fc457u, 0x65b0d9c6u, 0x12b7e950u, 0x8bbeb8eau,
    0xfcb9887cu, 0x62dd1ddfu, 0x15da2d49u, 0x8cd37cf3u, 0xfbd44c65u, 0x4db26158u, 0x3ab551ceu,
    0xa3bc0074u, 0xd4bb30e2u, 0x4adfa541u, 0x3dd895d7u, 0xa4d1c46du, 0xd3d6f4fbu, 0x4369e96au,
    0x346ed9fcu, 0xad678846u, 0xda60b8d0u, 0x44042d73u, 0x33031de5u, 0xaa0a4c5fu, 0xdd0d7cc9u,
    0x5005713cu, 0x270241aau, 0xbe0b1010u, 0xc90c2086u, 0x5768b525u, 0x206f85b3u, 0xb966d409u,
    0xce61e49fu, 0x5edef90eu, 0x29d9c998u, 0xb0d09822u, 0xc7d7a8b4u, 0x59b33d17u, 0x2eb40d81u,
    0xb7bd5c3bu, 0xc0ba6cadu, 0xedb88320u, 0x9abfb3b6u, 0x03b6e20cu, 0x74b1d29au, 0xead54739u,
    0x9dd277afu, 0x04db2615u, 0x73dc1683u, 0xe3630b12u, 0x94643b84u, 0x0d6d6a3eu, 0x7a6a5aa8u,
    0xe40ecf0bu, 0x9309ff9du, 0x0a00ae27u, 0x7d079eb1u, 0xf00f9344u, 0x8708a3d2u, 0x1e01f268u,
    0x6906c2feu, 0xf762575du, 0x806567cbu, 0x196c3671u, 0x6e6b06e7u, 0xfed41b76u, 0x89d32be0u,
    0x10da7a5au, 0x67dd4accu, 0xf9b9df6fu, 0x8ebeeff9u, 0x17b7be43u, 0x60b08ed5u, 0xd6d6a3e8u,
    0xa1d1937eu, 0x38d8c2c4u, 0x4fdff252u, 0xd1bb67f1u, 0xa6bc5767u, 0x3fb506ddu, 0x48b2364bu,
    0xd80d2bdau, 0xaf0a1b4cu, 0x36034af6u, 0x41047a60u, 0xdf60efc3u, 0xa867df55u, 0x316e8eefu,
    0x4669be79u, 0xcb61b38cu, 0xbc66831au, 0x256fd2a0u, 0x5268e236u, 0xcc0c7795u, 0xbb0b4703u,
    0x220216b9u, 0x5505262fu, 0xc5ba3bbeu, 0xb2bd0b28u, 0x2bb45a92u, 0x5cb36a04u, 0xc2d7ffa7u,
    0xb5d0cf31u, 0x2cd99e8bu, 0x5bdeae1du, 0x9b64c2b0u, 0xec63f226u, 0x756aa39cu, 0x026d930au,
    0x9c0906a9u, 0xeb0e363fu, 0x72076785u, 0x05005713u, 0x95bf4a82u, 0xe2b87a14u, 0x7bb12baeu,
    0x0cb61b38u, 0x92d28e9bu, 0xe5d5be0du, 0x7cdcefb7u, 0x0bdbdf21u, 0x86d3d2d4u, 0xf1d4e242u,
    0x68ddb3f8u, 0x1fda836eu, 0x81be16cdu, 0xf6b9265bu, 0x6fb077e1u, 0x18b74777u, 0x88085ae6u,
    0xff0f6a70u, 0x66063bcau, 0x11010b5cu, 0x8f659effu, 0xf862ae69u, 0x616bffd3u, 0x166ccf45u,
    0xa00ae278u, 0xd70dd2eeu, 0x4e048354u, 0x3903b3c2u, 0xa7672661u, 0xd06016f7u, 0x4969474du,
    0x3e6e77dbu, 0xaed16a4au, 0xd9d65adcu, 0x40df0b66u, 0x37d83bf0u, 0xa9bcae53u, 0xdebb9ec5u,
    0x47b2cf7fu, 0x30b5ffe9u, 0xbdbdf21cu, 0xcabac28au, 0x53b39330u, 0x24b4a3a6u, 0xbad03605u,
    0xcdd70693u, 0x54de5729u, 0x23d967bfu, 0xb3667a2eu, 0xc4614ab8u, 0x5d681b02u, 0x2a6f2b94u,
    0xb40bbe37u, 0xc30c8ea1u, 0x5a05df1bu, 0x2d02ef8du,
};

uint32_t cm__crc32(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++)
        crc = (crc >> 8) ^ crc_table[(crc ^ p[i]) & 0xFFu];
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

void cm__wilson(uint64_t num, uint64_t den, double z, double *lo, double *hi)
{
    const double n = (double)den;
    const double p = (double)num / n;
    const double z2 = z * z;
    const double denom = 1.0 + z2 / n;
    const double centre = (p + z2 / (2.0 * n)) / denom;
    const double half = z / denom * sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n));
    *lo = num == 0 ? 0.0 : fmax(0.0, centre - half);
    *hi = num == den ? 1.0 : fmin(1.0, centre + half);
}

/* ---------------------------------------------------------------------- */
/* ABI query tables                                                       */
/* ---------------------------------------------------------------------- */

size_t cm__lookup_size(const cm__named_size *table, size_t n, const char *name)
{
    if (name == NULL)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(table[i].name, name) == 0)
            return table[i].size;
    }
    return 0;
}

cm_status cm__lookup_value(const cm__named_value *table, size_t n, const char *name, double *out)
{
    CM_REQUIRE(name != NULL && out != NULL, CM_EINVAL);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(table[i].name, name) == 0) {
            *out = table[i].value;
            return CM_OK;
        }
    }
    return CM_ENOTFOUND;
}

cm_status cm__lookup_int(const cm__named_int *table, size_t n, const char *name, int64_t *out)
{
    CM_REQUIRE(name != NULL && out != NULL, CM_EINVAL);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(table[i].name, name) == 0) {
            *out = table[i].value;
            return CM_OK;
        }
    }
    return CM_ENOTFOUND;
}
