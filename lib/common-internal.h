/*
 * Helpers shared inside lib/; never installed.
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_COMMON_INTERNAL_H
#define CAREMETRICS_COMMON_INTERNAL_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <caremetrics/common.h>

/* Return `status` from the calling function when `cond` does not hold. */
#define CM_REQUIRE(cond, status) \
    do {                         \
        if (!(cond))             \
            return (status);     \
    } while (0)

/* Forward any status other than CM_OK to the caller. */
#define CM_TRY(expr)                       \
    do {                                   \
        cm_status cm_try_status_ = (expr); \
        if (cm_try_status_ != CM_OK)       \
            return cm_try_status_;         \
    } while (0)

/* A caller's allocator is usable when it is NULL (malloc/free) or has both functions. */
static inline bool cm__valid_allocator(const cm_allocator *a)
{
    return a == NULL || (a->alloc != NULL && a->free != NULL);
}

/* Allocates n bytes through the caller's allocator, or malloc when it is NULL. */
void *cm__alloc(const cm_allocator *a, size_t n);

/* Releases p (which may be NULL) through the allocator that made it. */
void cm__free(const cm_allocator *a, void *p);

/* Calls a status-returning function whose failure is impossible by construction (the
 * caller checked its arguments); a plain (void) cast does not silence GCC. */
#define CM_CANNOT_FAIL(expr)                      \
    do {                                          \
        const cm_status cm_cannot_fail_ = (expr); \
        (void)cm_cannot_fail_;                    \
    } while (0)

/* Keeps a rarely taken path out of its caller, so the common one stays small. */
#if defined(__GNUC__) || defined(__clang__)
#define CM__NOINLINE __attribute__((noinline))
#else
#define CM__NOINLINE
#endif

/* A confidence level is usable when it is a finite number strictly inside (0, 1). */
static inline bool cm__valid_confidence(double c)
{
    return isfinite(c) && c > 0.0 && c < 1.0;
}

/*
 * Quantile function of the standard normal distribution for p in (0, 1),
 * accurate to a few units in the last place.
 */
double cm__normal_quantile(double p);

/*
 * Two-sided critical value z with P(|Z| <= z) = confidence, for confidence in
 * (0, 1). Computed from the lower tail (1 - confidence) / 2, which is exact in
 * binary for confidence >= 0.5, so no digits are lost near confidence = 1.
 */
static inline double cm__z_for_confidence(double confidence)
{
    return -cm__normal_quantile(0.5 * (1.0 - confidence));
}

/*
 * Wilson score interval (Wilson 1927) of num successes out of den > 0 trials
 * at the two-sided critical value z: with n = den, p = num/n,
 *   centre     = (p + z^2/2n) / (1 + z^2/n)
 *   half-width = z / (1 + z^2/n) * sqrt(p(1-p)/n + z^2/4n^2)
 * The ends are pinned to exactly 0 and 1 when num is 0 or den, where the
 * formula gives them up to rounding.
 */
void cm__wilson(uint64_t num, uint64_t den, double z, double *lo, double *hi);

/* Days from 1970-01-01 to the proportional Gregorian date y-m-d (m 1..12, d 1..31). */
int64_t cm__days_from_civil(int64_t y, int32_t m, int32_t d);

/* Inverse of cm__days_from_civil. */
void cm__civil_from_days(int64_t days, int64_t *y, int32_t *m, int32_t *d);

/* Number of days in month m (1..12) of year y. */
int32_t cm__days_in_month(int64_t y, int32_t m);

/* CRC-32 (IEEE 802.3, as in zlib and PNG) of n bytes. */
uint32_t cm__crc32(const uint8_t *p, size_t n);

/* FNV-1a (32 bits): hash h, starting from CM__FNV32_BASIS, extended by n bytes. */
#define CM__FNV32_BASIS 2166136261u
static inline uint32_t cm__fnv32(uint32_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* Floor division and modulo for int64 with a positive divisor. */
static inline int64_t cm__floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b < 0) ? q - 1 : q;
}

static inline int64_t cm__floor_mod(int64_t a, int64_t b)
{
    int64_t r = a % b;
    return r < 0 ? r + b : r;
}

/*
 * The ABI query tables of the modules (cm_<module>_sizeof and
 * cm_<module>_constant): names with the size of a type or the value of a
 * constant, looked up by cm__lookup_size() and cm__lookup_value().
 */
typedef struct {
    const char *name;
    size_t size;
} cm__named_size;

typedef struct {
    const char *name;
    double value;
} cm__named_value;

typedef struct {
    const char *name;
    int64_t value;
} cm__named_int;

/* An entry for a type, and one for a constant (real or integer), named as written. */
#define CM__SIZE_OF(type)   \
    {                       \
#type, sizeof(type) \
    }
#define CM__VALUE_OF(macro)     \
    {                           \
#macro, (double)(macro) \
    }
#define CM__INT_OF(macro)        \
    {                            \
#macro, (int64_t)(macro) \
    }
#define CM__COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))

/* The size of the type called name, or 0 when the table has none (or name is NULL). */
size_t cm__lookup_size(const cm__named_size *table, size_t n, const char *name);

/* The constant called name into *out: CM_EINVAL for NULL, CM_ENOTFOUND when absent. */
cm_status cm__lookup_value(const cm__named_value *table, size_t n, const char *name, double *out);

/* The same for the modules whose constants are integers. */
cm_status cm__lookup_int(const cm__named_int *table, size_t n, const char *name, int64_t *out);

#endif /* CAREMETRICS_COMMON_INTERNAL_H */
