/*
 * Mergeable response-time sketch and exact quantiles by selection.
 * Bucket scheme, error bound and byte format: docs/sketch.md.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/sketch.h>

#include <math.h>
#include <string.h>

#include "common-internal.h"
#include "quantile-internal.h"
#include "serial-internal.h"
#include "sketch-table.h"

/* Format versions of the serialized sketches: 1 for cm_sketch, 2 for cm_sketch2. */
#define SKETCH_SERIAL_VERSION  1
#define SKETCH2_SERIAL_VERSION 2

/* Serialized layout: fixed part, then the sparse bucket list, then the CRC. */
#define SKETCH_FIXED    58 /* header 4, reserved 4, zeros, below_one, min, max, sum lo, sum hi, m */
#define SKETCH_MIN_LEN  (SKETCH_FIXED + CM__SERIAL_TRAILER)
#define SKETCH2_FIXED   82 /* as version 1, with the sum of squares (24) before m */
#define SKETCH2_MIN_LEN (SKETCH2_FIXED + CM__SERIAL_TRAILER)

/* The unit of a CM_SKETCH_SUBSECOND sketch: 2^-10 s; values are scaled by 2^10. */
#define SUBSECOND_SCALE 1024.0

/* ---------------------------------------------------------------------- */
/* Multi-word unsigned arithmetic for the sums                            */
/* ---------------------------------------------------------------------- */

/*
 * The sum of the values is a 128-bit integer and the sum of their squares a
 * 192-bit one; the variance and the consistency checks multiply them into
 * 256 bits. Words are little-endian (w[0] lowest). Every bound that keeps
 * these from overflowing is stated where it is used.
 */
typedef struct u128 {
    uint64_t lo, hi;
} u128;

typedef struct u256 {
    uint64_t w[4];
} u256;

static u128 u128_of(const uint64_t w[2])
{
    u128 r = {w[0], w[1]};
    return r;
}

/* a + b; the sums here are bounded far below 2^128 (see sketch_valid). */
static u128 u128_add(u128 a, u128 b)
{
    u128 r;
    r.lo = a.lo + b.lo;
    r.hi = a.hi + b.hi + (r.lo < a.lo);
    return r;
}

/* Full 64 x 64 -> 128-bit product from 32-bit halves. */
static u128 u128_mul64(uint64_t a, uint64_t b)
{
    const uint64_t a0 = a & 0xffffffffu, a1 = a >> 32;
    const uint64_t b0 = b & 0xffffffffu, b1 = b >> 32;
    const uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    const uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
    u128 r;
    r.lo = (mid << 32) | (p00 & 0xffffffffu);
    r.hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    return r;
}

static double u128_to_double(u128 a)
{
    return (double)a.hi * 0x1p64 + (double)a.lo;
}

/* The number of na words at a times the number of nb words at b, na + nb <= 4. */
static u256 mw_mul(const uint64_t *a, int na, const uint64_t *b, int nb)
{
    u256 r = {{0, 0, 0, 0}};
    for (int i = 0; i < na; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < nb; j++) {
            const u128 p = u128_mul64(a[i], b[j]);
            uint64_t lo = p.lo + carry;
            uint64_t hi = p.hi + (lo < carry);
            const uint64_t sum = r.w[i + j] + lo;
            hi += sum < lo;
            r.w[i + j] = sum;
            carry = hi; /* a 64x64 product plus two words never exceeds 2^128 - 1 */
        }
        if (i + nb < 4)
            r.w[i + nb] = carry;
    }
    return r;
}

static u256 u256_of(const uint64_t *w, int nw)
{
    u256 r = {{0, 0, 0, 0}};
    for (int i = 0; i < nw; i++)
        r.w[i] = w[i];
    return r;
}

/* -1, 0 or 1 as a <, == or > b. */
static int u256_cmp(u256 a, u256 b)
{
    for (int i = 3; i >= 0; i--) {
        if (a.w[i] != b.w[i])
            return a.w[i] < b.w[i] ? -1 : 1;
    }
    return 0;
}

/* a - b for a >= b. */
static u256 u256_sub(u256 a, u256 b)
{
    u256 r;
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        const uint64_t d = a.w[i] - b.w[i];
        r.w[i] = d - borrow;
        borrow = (a.w[i] < b.w[i]) | (d < borrow);
    }
    return r;
}

/* Nearest double, within one rounding: the top word keeps 64 bits, and a
 * double only 53. */
static double u256_to_double(u256 a)
{
    return (((double)a.w[3] * 0x1p64 + (double)a.w[2]) * 0x1p64 + (double)a.w[1]) * 0x1p64 +
           (double)a.w[0];
}

/* w[0..3) += the 128-bit v. */
static void u192_add(uint64_t w[3], u128 v)
{
    const uint64_t lo = w[0] + v.lo;
    const uint64_t c0 = lo < v.lo;
    const uint64_t mid = w[1] + v.hi;
    const uint64_t c1 = mid < v.hi;
    const uint64_t mid2 = mid + c0;
    w[0] = lo;
    w[1] = mid2;
    w[2] += c1 + (mid2 < c0);
}

/* w[0..3) += a 192-bit v (the bounds of sketch_valid keep the total below 2^192). */
static void u192_add3(uint64_t w[3], const uint64_t v[3])
{
    uint64_t carry = 0;
    for (int i = 0; i < 3; i++) {
        const uint64_t t = w[i] + v[i];
        const uint64_t c = t < v[i];
        w[i] = t + carry;
        carry = c | (w[i] < carry);
    }
}

/*
 * x 10^6 rounded to the nearest integer, halves up, with no floating-point
 * rounding at all: for 0 <= x < 2^52, x is m 2^-s with m its 53-bit
 * significand, so x 10^6 = m 10^6 / 2^s and the rounded value is
 * (m 10^6 + 2^(s-1)) >> s, computed in integers (m 10^6 < 2^73).
 */
static __attribute__((noinline, cold)) uint64_t micros_exact(double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    const uint32_t e = (uint32_t)(bits >> 52) & 0x7ffu;
    uint64_t m = bits & ((UINT64_C(1) << 52) - 1);
    uint32_t s = 1074; /* subnormal: m 2^-1074 */
    if (e != 0) {
        m |= UINT64_C(1) << 52;
        s = 1075 - e;
    }
    if (m == 0 || s >= 74)
        return 0; /* x 10^6 < 2^73 / 2^74 = 1/2 */
    /* m 10^6 as hi:lo, from the 32-bit halves of m */
    const uint64_t a = (m & 0xffffffffu) * 1000000u; /* < 2^52 */
    const uint64_t b = (m >> 32) * 1000000u;         /* < 2^41 */
    uint64_t lo = a + (b << 32);
    uint64_t hi = (b >> 32) + (lo < a);
    /* + 2^(s-1), the half */
    if (s <= 64) {
        const uint64_t half = UINT64_C(1) << (s - 1);
        lo += half;
        hi += lo < half;
    } else {
        hi += UINT64_C(1) << (s - 65);
    }
    return s < 64 ? (lo >> s) | (hi << (64 - s)) : hi >> (s - 64);
}

/*
 * A value (0 <= x < CM_SKETCH_MAX_SECONDS < 2^30) rounded to the nearest
 * whole millionth of its unit, halves up, exactly as micros_exact() rounds
 * it, at the cost of x * 1e6 + 0.5 in doubles.
 *
 * That formula rounds twice: the product P = x 10^6 to the nearest double p,
 * then p to an integer. The second rounding is exact (p < 2^50 has an ulp of
 * at most 2^-3, so p + 0.5 is exact and truncating it is p rounded half up).
 * The first can change the answer only if a half-integer k + 1/2 lies
 * between P and p, or equals one of them. Half-integers below 2^50 are
 * doubles, and p is the double nearest to P, so no half-integer lies strictly
 * between them, and P = k + 1/2 is itself a double, so then p = P. Hence the
 * formula is wrong only when p is exactly a half-integer, which is when
 * p + 0.5 is an integer: only then does the exact computation decide. Whole
 * seconds, whole milliseconds and most measured values never get there. (A
 * compiler that fuses the multiply and add rounds X + 1/2 once instead: an
 * integer result is again decided exactly, and a fractional one has no
 * integer between it and X + 1/2, so its truncation is right.)
 */
static inline uint64_t micros(double x)
{
    const double h = x * 1e6 + 0.5; /* separate roundings: see above */
    const int64_t r = (int64_t)h;   /* h < 2^51: signed conversions are one instruction each */
    if ((double)r != h)
        return (uint64_t)r;
    return micros_exact(x);
}

/* ---------------------------------------------------------------------- */
/* Buckets                                                                */
/* ---------------------------------------------------------------------- */

/*
 * Value classes in increasing order: 0 = exactly zero, 1 = (0, 1) s,
 * 2 + i = bucket i. They order the values, so the minimum lies in the lowest
 * non-empty class and the maximum in the highest.
 */
#define CLASS_ZERO 0u
#define CLASS_SUB  1u
#define CLASS_LOG  2u
#define NCLASSES   (CLASS_LOG + CM_SKETCH_BUCKETS)

/*
 * Bucket of 1 <= x < CM_SKETCH_MAX_SECONDS: the i with B[i] <= x < B[i+1].
 * The exponent and the top 6 mantissa bits name a 1/64-octave sub-range of x;
 * sketch_first[] holds the bucket of its lower end, and a sub-range being
 * narrower than a bucket, x is in that bucket or the next (see
 * lib/gen-sketch-table.py, which checks this for every sub-range).
 */
static uint32_t bucket_of(double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    const uint32_t key = (uint32_t)((bits >> (52 - SKETCH_SUB_BITS)) - (1023u << SKETCH_SUB_BITS));
    uint32_t i = sketch_first[key];
    i += x >= sketch_bounds[i + 1];
    return i;
}

static uint32_t class_of(double x)
{
    if (x >= 1.0)
        return CLASS_LOG + bucket_of(x);
    return x == 0.0 ? CLASS_ZERO : CLASS_SUB;
}

static uint64_t class_count(const cm_sketch *s, uint32_t c)
{
    if (c == CLASS_ZERO)
        return s->zeros;
    if (c == CLASS_SUB)
        return s->below_one;
    return s->counts[c - CLASS_LOG];
}

/* Representative value of a class (before clamping to [min, max]). */
static double class_value(uint32_t c)
{
    if (c == CLASS_ZERO)
        return 0.0;
    if (c == CLASS_SUB)
        return 0.5; /* within 0.5 s of every point of (0, 1) */
    return sketch_values[c - CLASS_LOG];
}

/* A value the sketch accepts. */
static bool valid_value(double x)
{
    return isfinite(x) && x >= 0.0;
}

/*
 * Cheap checks done by every update: the fields that an update reads and
 * writes besides the bucket counts. The full check is sketch_valid().
 */
static bool sketch_plausible(const cm_sketch *s)
{
    const double lo = s->min_seconds, hi = s->max_seconds;
    if (!(valid_value(lo) && valid_value(hi) && lo <= hi && hi < CM_SKETCH_MAX_SECONDS))
        return false;
    return s->n != 0 || (lo == 0.0 && hi == 0.0);
}

/*
 * Full consistency check: the counts add up to n, the minimum and maximum lie
 * in the lowest and highest non-empty classes, and the sum lies between
 * n * micros(min) and n * micros(max). Every state reached by additions and
 * merges passes; the checks make corrupt structs and bytes fail cleanly, and
 * bound the sum below 2^64 * 2^50 so it never overflows.
 *
 * `slack` widens the sum's range by one millionth per value on both sides:
 * version 0.1 of the library rounded x * 1e6 + 0.5 in doubles, which can be
 * off by one (never more: the product is below 2^50, so its rounding error is
 * at most 1/16), and the sketches and bytes it wrote stay valid. cm_sketch2
 * never had that rounding and is checked without slack.
 */
static bool sketch_valid(const cm_sketch *s, bool slack)
{
    if (!sketch_plausible(s) || signbit(s->min_seconds) || signbit(s->max_seconds))
        return false;
    uint64_t total = 0;
    uint32_t first = NCLASSES, last = 0;
    for (uint32_t c = 0; c < NCLASSES; c++) {
        const uint64_t k = class_count(s, c);
        if (k == 0)
            continue;
        if (__builtin_add_overflow(total, k, &total))
            return false;
        if (first == NCLASSES)
            first = c;
        last = c;
    }
    if (total != s->n)
        return false;
    const u256 sum = u256_of(s->sum_us, 2);
    if (s->n == 0)
        return s->sum_us[0] == 0 && s->sum_us[1] == 0;
    if (class_of(s->min_seconds) != first || class_of(s->max_seconds) != last)
        return false;
    if (s->n == 1 && s->min_seconds != s->max_seconds)
        return false;
    uint64_t lo = micros(s->min_seconds), hi = micros(s->max_seconds);
    if (slack) {
        lo -= lo > 0;
        hi += 1;
    }
    const u256 nlo = mw_mul(&s->n, 1, &lo, 1), nhi = mw_mul(&s->n, 1, &hi, 1);
    return u256_cmp(nlo, sum) <= 0 && u256_cmp(sum, nhi) <= 0;
}

/* The resolutions cm_sketch2 knows. */
static bool valid_resolution(uint32_t r)
{
    return r == CM_SKETCH_SECONDS || r == CM_SKETCH_SUBSECOND;
}

/* Factor from seconds to the units of a resolution: a power of two, so that
 * scaling is exact. */
static double unit_scale(uint32_t resolution)
{
    return resolution == CM_SKETCH_SUBSECOND ? SUBSECOND_SCALE : 1.0;
}

/* Cheap checks of a cm_sketch2 for its updates: header and core. */
static bool sketch2_plausible(const cm_sketch2 *s)
{
    return valid_resolution(s->resolution) && s->flags == 0 && s->reserved[0] == 0 &&
           s->reserved[1] == 0 && s->reserved[2] == 0 && s->reserved[3] == 0 &&
           sketch_plausible(&s->core);
}

/*
 * Full check of a cm_sketch2: the core (without slack), and a sum of squares
 * S2 consistent with the sum S1 and the count: every rounded value m lies in
 * [m(min), m(max)], so S1 m(min) <= S2 <= S1 m(max), and n S2 >= S1^2
 * (Cauchy-Schwarz), which makes the variance non-negative. The upper bound
 * keeps S2 below 2^114 2^50 = 2^164.
 */
static bool sketch2_valid(const cm_sketch2 *s)
{
    if (!sketch2_plausible(s) || !sketch_valid(&s->core, false))
        return false;
    const u256 s2 = u256_of(s->sum_sq, 3);
    if (s->core.n == 0)
        return u256_cmp(s2, u256_of(NULL, 0)) == 0;
    const uint64_t lo = micros(s->core.min_seconds), hi = micros(s->core.max_seconds);
    const u256 s1lo = mw_mul(s->core.sum_us, 2, &lo, 1), s1hi = mw_mul(s->core.sum_us, 2, &hi, 1);
    if (u256_cmp(s1lo, s2) > 0 || u256_cmp(s2, s1hi) > 0)
        return false;
    const u256 ns2 = mw_mul(&s->core.n, 1, s->sum_sq, 3);
    const u256 s1s1 = mw_mul(s->core.sum_us, 2, s->core.sum_us, 2);
    return u256_cmp(s1s1, ns2) <= 0;
}

cm_status cm_sketch_init(cm_sketch *sketch)
{
    CM_REQUIRE(sketch != NULL, CM_EINVAL);
    memset(sketch, 0, sizeof *sketch);
    return CM_OK;
}

/*
 * Records x (valid, below the limit, in units) k >= 1 times into s, whose
 * count stays at most UINT64_MAX; and its square into sq unless NULL. Each
 * sum gains k times the rounded value (or its square): at most 2^64 2^50 and
 * 2^64 2^100 in all, within the words that hold them.
 */
static void sketch_put(cm_sketch *s, uint64_t *sq, double x, uint64_t k)
{
    x += 0.0; /* -0 is stored as +0, so min/max do not depend on the order */
    if (x >= 1.0)
        s->counts[bucket_of(x)] += k;
    else if (x == 0.0)
        s->zeros += k;
    else
        s->below_one += k;
    if (s->n == 0) {
        s->min_seconds = s->max_seconds = x;
    } else {
        s->min_seconds = x < s->min_seconds ? x : s->min_seconds;
        s->max_seconds = x > s->max_seconds ? x : s->max_seconds;
    }
    s->n += k;
    const uint64_t m = micros(x);
    const u128 sum = u128_add(u128_of(s->sum_us), u128_mul64(m, k));
    s->sum_us[0] = sum.lo;
    s->sum_us[1] = sum.hi;
    if (sq != NULL) {
        const u128 m2 = u128_mul64(m, m); /* < 2^100 */
        const uint64_t m2w[2] = {m2.lo, m2.hi};
        const u256 km2 = mw_mul(m2w, 2, &k, 1); /* < 2^164 */
        u192_add3(sq, km2.w);
    }
}

/* The checks shared by the add functions, in the documented order; x in seconds, limit in seconds. */
static cm_status check_value(double x, double limit)
{
    CM_REQUIRE(valid_value(x), CM_EINVAL);
    CM_REQUIRE(x < limit, CM_ERANGE);
    return CM_OK;
}

cm_status cm_sketch_add(cm_sketch *sketch, double seconds)
{
    CM_REQUIRE(sketch != NULL, CM_EINVAL);
    CM_TRY(check_value(seconds, CM_SKETCH_MAX_SECONDS));
    CM_REQUIRE(sketch_plausible(sketch), CM_EINVAL);
    CM_REQUIRE(sketch->n != UINT64_MAX, CM_EOVERFLOW);
    sketch_put(sketch, NULL, seconds, 1);
    return CM_OK;
}

cm_status cm_sketch_add_n(cm_sketch *sketch, double seconds, uint64_t count)
{
    CM_REQUIRE(sketch != NULL && count > 0, CM_EINVAL);
    CM_TRY(check_value(seconds, CM_SKETCH_MAX_SECONDS));
    CM_REQUIRE(sketch_plausible(sketch), CM_EINVAL);
    uint64_t total;
    CM_REQUIRE(!__builtin_add_overflow(sketch->n, count, &total), CM_EOVERFLOW);
    sketch_put(sketch, NULL, seconds, count);
    return CM_OK;
}

/* Two doubles and two 64-bit integers, as GCC and Clang vector types (SSE2 on x86-64). */
typedef double v2d __attribute__((vector_size(16)));
typedef int64_t v2i __attribute__((vector_size(16)));

/*
 * Checks an array of values (and of counts, unless NULL) for the add
 * functions, before anything is recorded: an invalid value or count outranks
 * an out-of-range one, and the total count must fit.
 */
static inline __attribute__((always_inline)) cm_status
check_values(const cm_sketch *s, const double *xs, const uint64_t *counts, size_t n, double limit)
{
    /* Two comparisons a value and no branch, two values at a time: NaN and
     * negatives fail the first, NaN, infinities and values past the limit
     * the second. Only then is a second pass needed, to tell an invalid
     * +infinity from a value out of range. */
    const v2d zero = {0.0, 0.0}, lim = {limit, limit};
    v2i below = {0, 0}, above = {0, 0};
    size_t i = 0;
    for (; i + 2 <= n; i += 2) {
        v2d v;
        memcpy(&v, xs + i, sizeof v);
        below |= ~(v >= zero);
        above |= ~(v < lim);
    }
    bool invalid = (below[0] | below[1]) != 0, out_of_range = (above[0] | above[1]) != 0;
    if (i < n) {
        invalid |= !(xs[i] >= 0.0);
        out_of_range |= !(xs[i] < limit);
    }
    for (i = 0; out_of_range && !invalid && i < n; i++)
        invalid = isinf(xs[i]);
    uint64_t total = s->n;
    bool overflow = false;
    if (counts != NULL) {
        for (i = 0; i < n; i++) {
            invalid |= counts[i] == 0;
            overflow |= __builtin_add_overflow(total, counts[i], &total);
        }
    } else {
        overflow = __builtin_add_overflow(total, (uint64_t)n, &total);
    }
    CM_REQUIRE(!invalid, CM_EINVAL);
    CM_REQUIRE(!out_of_range, CM_ERANGE);
    CM_REQUIRE(sketch_plausible(s), CM_EINVAL);
    CM_REQUIRE(!overflow, CM_EOVERFLOW);
    return CM_OK;
}

/*
 * sketch_put() for every value of an array (values already checked, in
 * seconds; scale turns them into units), with the running fields kept in
 * registers: the same counts, extremes and sums, about twice as fast.
 * Inlined, so that cm_sketch_add_many() (no squares, scale 1) pays for
 * neither.
 */
static inline __attribute__((always_inline)) void put_many(cm_sketch *s, uint64_t *sq,
                                                           const double *xs, size_t n, double scale)
{
    if (n == 0)
        return;
    double lo = s->min_seconds, hi = s->max_seconds;
    if (s->n == 0)
        lo = hi = xs[0] * scale + 0.0; /* + 0.0 turns -0 into +0 */
    uint64_t zeros = 0, below_one = 0, sum_lo = s->sum_us[0], sum_hi = s->sum_us[1];
    uint64_t q[3] = {0, 0, 0};
    if (sq != NULL)
        memcpy(q, sq, sizeof q);
    for (size_t i = 0; i < n; i++) {
        const double x = xs[i] * scale + 0.0;
        if (x >= 1.0)
            s->counts[bucket_of(x)]++;
        else if (x == 0.0)
            zeros++;
        else
            below_one++;
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
        const uint64_t m = micros(x);
        sum_lo += m;
        sum_hi += sum_lo < m; /* carry */
        if (sq != NULL)
            u192_add(q, u128_mul64(m, m));
    }
    s->zeros += zeros;
    s->below_one += below_one;
    s->min_seconds = lo;
    s->max_seconds = hi;
    s->n += n;
    s->sum_us[0] = sum_lo;
    s->sum_us[1] = sum_hi;
    if (sq != NULL)
        memcpy(sq, q, sizeof q);
}

cm_status cm_sketch_add_many(cm_sketch *sketch, const double *seconds, size_t n)
{
    CM_REQUIRE(sketch != NULL && (n == 0 || seconds != NULL), CM_EINVAL);
    CM_TRY(check_values(sketch, seconds, NULL, n, CM_SKETCH_MAX_SECONDS));
    put_many(sketch, NULL, seconds, n, 1.0);
    return CM_OK;
}

cm_status cm_sketch_add_weighted(cm_sketch *sketch, const double *seconds, const uint64_t *counts,
                                 size_t n)
{
    CM_REQUIRE(sketch != NULL && (n == 0 || (seconds != NULL && counts != NULL)), CM_EINVAL);
    CM_TRY(check_values(sketch, seconds, counts, n, CM_SKETCH_MAX_SECONDS));
    for (size_t i = 0; i < n; i++)
        sketch_put(sketch, NULL, seconds[i], counts[i]);
    return CM_OK;
}

/* Adds b into a (both valid; the total count checked); b may be a. */
static void merge_core(cm_sketch *a, const cm_sketch *b)
{
    if (b->n == 0)
        return;
    /* Every count is at most its sketch's n, so with the total in range no
     * count overflows; each sum is below n * 2^50, so neither does the sum.
     * `b` may be `a`: every field is read before it is written. */
    const double lo = b->min_seconds, hi = b->max_seconds;
    const u128 sum = u128_add(u128_of(a->sum_us), u128_of(b->sum_us));
    const uint64_t n = a->n + b->n;
    if (a->n == 0) {
        a->min_seconds = lo;
        a->max_seconds = hi;
    } else {
        a->min_seconds = lo < a->min_seconds ? lo : a->min_seconds;
        a->max_seconds = hi > a->max_seconds ? hi : a->max_seconds;
    }
    a->zeros += b->zeros;
    a->below_one += b->below_one;
    for (uint32_t i = 0; i < CM_SKETCH_BUCKETS; i++)
        a->counts[i] += b->counts[i];
    a->sum_us[0] = sum.lo;
    a->sum_us[1] = sum.hi;
    a->n = n;
}

cm_status cm_sketch_merge(cm_sketch *sketch, const cm_sketch *other)
{
    CM_REQUIRE(sketch != NULL && other != NULL, CM_EINVAL);
    CM_REQUIRE(sketch_valid(sketch, true) && sketch_valid(other, true), CM_EINVAL);
    uint64_t n;
    CM_REQUIRE(!__builtin_add_overflow(sketch->n, other->n, &n), CM_EOVERFLOW);
    merge_core(sketch, other);
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Quantiles                                                              */
/* ---------------------------------------------------------------------- */

/* A quantile level: a number in [0, 1] (NaN fails both comparisons). */
static bool valid_q(double q)
{
    return q >= 0.0 && q <= 1.0;
}

static double clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Estimate of the order statistic of rank r (0-based, r < n). */
static double rank_value(const cm_sketch *s, uint64_t r)
{
    if (r == 0)
        return s->min_seconds;
    if (r == s->n - 1)
        return s->max_seconds;
    uint64_t seen = 0;
    for (uint32_t c = 0; c < NCLASSES; c++) {
        seen += class_count(s, c);
        if (r < seen)
            return clamp(class_value(c), s->min_seconds, s->max_seconds);
    }
    return s->max_seconds; /* not reached: the counts add up to n */
}

static double sketch_quantile(const cm_sketch *s, double q)
{
    const cm__qpos p = cm__quantile_position(s->n, q);
    const double a = rank_value(s, p.k);
    if (p.last)
        return a;
    return cm__lerp(a, rank_value(s, p.k + 1), p.g);
}

cm_status cm_sketch_quantile(const cm_sketch *sketch, double q, double *out)
{
    CM_REQUIRE(sketch != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(valid_q(q), CM_EINVAL);
    CM_REQUIRE(sketch_valid(sketch, true), CM_EINVAL);
    CM_REQUIRE(sketch->n > 0, CM_ENODATA);
    *out = sketch_quantile(sketch, q);
    return CM_OK;
}

cm_status cm_sketch_quantiles(const cm_sketch *sketch, const double *qs, size_t n, double *out)
{
    CM_REQUIRE(sketch != NULL && (n == 0 || (qs != NULL && out != NULL)), CM_EINVAL);
    for (size_t i = 0; i < n; i++)
        CM_REQUIRE(valid_q(qs[i]), CM_EINVAL);
    CM_REQUIRE(sketch_valid(sketch, true), CM_EINVAL);
    CM_REQUIRE(sketch->n > 0, CM_ENODATA);
    for (size_t i = 0; i < n; i++)
        out[i] = sketch_quantile(sketch, qs[i]);
    return CM_OK;
}

cm_status cm_sketch_result(const cm_sketch *sketch, cm_sketch_summary *out)
{
    CM_REQUIRE(sketch != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(sketch_valid(sketch, true), CM_EINVAL);
    CM_REQUIRE(sketch->n > 0, CM_ENODATA);
    const double total = u128_to_double(u128_of(sketch->sum_us)) / 1e6;
    cm_sketch_summary s;
    s.n = sketch->n;
    s.zeros = sketch->zeros;
    s.min_seconds = sketch->min_seconds;
    s.max_seconds = sketch->max_seconds;
    /* The rounded mean could stray past the exact extremes by an ulp. */
    s.mean_seconds = clamp(total / (double)sketch->n, s.min_seconds, s.max_seconds);
    s.total_seconds = total;
    *out = s;
    return CM_OK;
}

cm_status cm_sketch_bucket_bounds(uint32_t index, double *lo, double *hi, double *value)
{
    CM_REQUIRE(lo != NULL && hi != NULL && value != NULL, CM_EINVAL);
    CM_REQUIRE(index < CM_SKETCH_BUCKETS, CM_ERANGE);
    *lo = sketch_bounds[index];
    *hi = sketch_bounds[index + 1];
    *value = sketch_values[index];
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Share at or below a threshold                                          */
/* ---------------------------------------------------------------------- */

/* Number of values at or below a threshold: certainly, possibly, and the estimate. */
typedef struct rank_counts {
    uint64_t est, lo, hi;
} rank_counts;

/*
 * Values <= x (in units, x >= 0) of a valid, non-empty sketch. Every class
 * below the class of x counts for certain, and every class above it does
 * not; the class of x is split by its representative (clamped to [min, max],
 * as rank_value() uses it), so that a quantile and the rank of its value
 * agree. The exact extremes refine the bounds: at or above the maximum, or
 * below the minimum, the count is exact; the minimum in the class of x is
 * itself <= x, and the maximum there is > x.
 */
static rank_counts sketch_rank_counts(const cm_sketch *s, double x)
{
    rank_counts r;
    if (x >= s->max_seconds) {
        r.est = r.lo = r.hi = s->n;
        return r;
    }
    if (x < s->min_seconds) {
        r.est = r.lo = r.hi = 0;
        return r;
    }
    const uint32_t c = class_of(x); /* x < max < CM_SKETCH_MAX_SECONDS */
    uint64_t below = 0;
    for (uint32_t k = 0; k < c; k++)
        below += class_count(s, k);
    const uint64_t amb = class_count(s, c);
    if (c == CLASS_ZERO) {
        r.est = r.lo = r.hi = below + amb; /* x = 0: the zeros, exactly */
        return r;
    }
    r.lo = below;
    r.hi = below + amb;
    if (amb > 0) {
        r.lo += class_of(s->min_seconds) == c;
        r.hi -= class_of(s->max_seconds) == c;
    }
    const double split = clamp(class_value(c), s->min_seconds, s->max_seconds);
    const uint64_t est = x >= split ? below + amb : below;
    r.est = est < r.lo ? r.lo : est > r.hi ? r.hi : est;
    return r;
}

/* The share of the counts out of n > 0, with the Wilson ends at confidence. */
static cm_share make_share(uint64_t n, rank_counts r, double confidence)
{
    const double z = cm__z_for_confidence(confidence);
    cm_share out;
    double ignored;
    out.n = n;
    out.count = r.est;
    out.count_min = r.lo;
    out.count_max = r.hi;
    out.share = (double)r.est / (double)n;
    cm__wilson(r.lo, n, z, &out.lo, &ignored);
    cm__wilson(r.hi, n, z, &ignored, &out.hi);
    return out;
}

cm_status cm_sketch_rank(const cm_sketch *sketch, double seconds, double confidence, cm_share *out)
{
    CM_REQUIRE(sketch != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(valid_value(seconds) && cm__valid_confidence(confidence), CM_EINVAL);
    CM_REQUIRE(sketch_valid(sketch, true), CM_EINVAL);
    CM_REQUIRE(sketch->n > 0, CM_ENODATA);
    *out = make_share(sketch->n, sketch_rank_counts(sketch, seconds + 0.0), confidence);
    return CM_OK;
}

cm_status cm_rank_exact(const double *xs, size_t n, double threshold, double confidence,
                        cm_share *out)
{
    CM_REQUIRE(out != NULL && (n == 0 || xs != NULL), CM_EINVAL);
    bool finite = isfinite(threshold);
    uint64_t count = 0;
    for (size_t i = 0; i < n; i++) {
        finite &= isfinite(xs[i]) != 0;
        count += xs[i] <= threshold;
    }
    CM_REQUIRE(finite && cm__valid_confidence(confidence), CM_EINVAL);
    CM_REQUIRE(n > 0, CM_ENODATA);
    const rank_counts r = {count, count, count};
    *out = make_share((uint64_t)n, r, confidence);
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Serialization                                                          */
/* ---------------------------------------------------------------------- */

/*
 * Bytes of a cm_sketch (version 1): header (kind CM__SERIAL_SKETCH, version
 * 1), 4 zero bytes, zeros, below_one, min and max (IEEE-754 bits), sum low
 * and high words, all 64-bit little-endian; m, the number of non-empty
 * buckets (16-bit); then for each non-empty bucket in increasing order the
 * LEB128 varints (index - previous index - 1) and count, the first index
 * counting from -1; then the CRC. n is not stored: it is the sum of the
 * counts.
 *
 * Bytes of a cm_sketch2 (version 2): the same, except that byte 4 holds the
 * resolution and the three words of the sum of squares follow the sum,
 * before m. The fields of the core are in units of the resolution.
 */

static size_t varint_len(uint64_t v)
{
    size_t len = 1;
    while (v >= 0x80) {
        v >>= 7;
        len++;
    }
    return len;
}

static uint8_t *put_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

/*
 * Reads a canonical varint from [*p, end): at most 10 bytes, no bits past
 * 64, and no superfluous trailing zero group, so that every value has exactly
 * one encoding and accepted bytes re-serialize identically.
 */
static bool get_varint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned shift = 0; *p < end && shift < 64; shift += 7) {
        const uint8_t b = *(*p)++;
        const uint64_t part = (uint64_t)(b & 0x7f);
        if (shift == 63 && part > 1)
            return false; /* bits beyond 2^64 */
        v |= part << shift;
        if ((b & 0x80) == 0) {
            if (b == 0 && shift > 0)
                return false; /* non-minimal */
            *out = v;
            return true;
        }
    }
    return false;
}

static uint64_t double_bits(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static double bits_double(uint64_t u)
{
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* Offset of m, the number of entries, in the bytes of a version. */
static size_t entries_at(uint8_t version)
{
    return version == SKETCH_SERIAL_VERSION ? SKETCH_FIXED - 2 : SKETCH2_FIXED - 2;
}

static size_t serialized_size(const cm_sketch *s, uint8_t version)
{
    size_t size = entries_at(version) + 2 + CM__SERIAL_TRAILER;
    uint32_t prev = UINT32_MAX; /* index -1 */
    for (uint32_t i = 0; i < CM_SKETCH_BUCKETS; i++) {
        if (s->counts[i] == 0)
            continue;
        size += varint_len(i - prev - 1) + varint_len(s->counts[i]);
        prev = i;
    }
    return size;
}

/* Writes the `size` bytes of a valid sketch; sq is the sum of squares of version 2. */
static void write_bytes(const cm_sketch *s, const uint64_t *sq, uint8_t version, uint8_t resolution,
                        uint8_t *buf, size_t size)
{
    cm__serial_begin(buf, CM__SERIAL_SKETCH, version);
    buf[4] = resolution;
    memset(buf + 5, 0, 3);
    cm__put_u64le(buf + 8, s->zeros);
    cm__put_u64le(buf + 16, s->below_one);
    cm__put_u64le(buf + 24, double_bits(s->min_seconds));
    cm__put_u64le(buf + 32, double_bits(s->max_seconds));
    cm__put_u64le(buf + 40, s->sum_us[0]);
    cm__put_u64le(buf + 48, s->sum_us[1]);
    if (sq != NULL) {
        for (int i = 0; i < 3; i++)
            cm__put_u64le(buf + 56 + 8 * i, sq[i]);
    }
    const size_t at = entries_at(version);
    uint8_t *p = buf + at + 2;
    uint32_t prev = UINT32_MAX, m = 0;
    for (uint32_t i = 0; i < CM_SKETCH_BUCKETS; i++) {
        if (s->counts[i] == 0)
            continue;
        p = put_varint(p, i - prev - 1);
        p = put_varint(p, s->counts[i]);
        prev = i;
        m++;
    }
    buf[at] = (uint8_t)m;
    buf[at + 1] = (uint8_t)(m >> 8);
    cm__serial_end(buf, size);
}

/*
 * Reads the bytes of a version into *s (n set from the counts), the sum of
 * squares of version 2 into sq, and byte 4 into *resolution. Checks the frame,
 * the CRC, the reserved bytes and the canonical encoding; the caller checks
 * the contents.
 */
static cm_status read_bytes(const uint8_t *buf, size_t len, uint8_t version, cm_sketch *s,
                            uint64_t sq[3], uint8_t *resolution)
{
    const size_t at = entries_at(version);
    CM_REQUIRE(len >= at + 2 + CM__SERIAL_TRAILER && buf[0] == 'C' && buf[1] == 'M' &&
                   buf[2] == CM__SERIAL_SKETCH && buf[3] == version,
               CM_EPARSE);
    const size_t body = len - CM__SERIAL_TRAILER;
    CM_REQUIRE(cm__get_u32le(buf + body) == cm__crc32(buf, body), CM_EPARSE);
    CM_REQUIRE(buf[5] == 0 && buf[6] == 0 && buf[7] == 0, CM_EPARSE);
    *resolution = buf[4];
    memset(s, 0, sizeof *s);
    s->zeros = cm__get_u64le(buf + 8);
    s->below_one = cm__get_u64le(buf + 16);
    s->min_seconds = bits_double(cm__get_u64le(buf + 24));
    s->max_seconds = bits_double(cm__get_u64le(buf + 32));
    s->sum_us[0] = cm__get_u64le(buf + 40);
    s->sum_us[1] = cm__get_u64le(buf + 48);
    for (int i = 0; i < 3; i++)
        sq[i] = version == SKETCH_SERIAL_VERSION ? 0 : cm__get_u64le(buf + 56 + 8 * i);
    const uint32_t m = (uint32_t)buf[at] | (uint32_t)buf[at + 1] << 8;
    CM_REQUIRE(m <= CM_SKETCH_BUCKETS, CM_EPARSE);
    const uint8_t *p = buf + at + 2, *end = buf + body;
    uint64_t next = 0; /* lowest index the next entry may have */
    for (uint32_t j = 0; j < m; j++) {
        uint64_t gap, count;
        CM_REQUIRE(get_varint(&p, end, &gap) && get_varint(&p, end, &count), CM_EPARSE);
        CM_REQUIRE(gap < CM_SKETCH_BUCKETS - next && count > 0, CM_EPARSE);
        const uint64_t i = next + gap;
        s->counts[i] = count;
        next = i + 1;
    }
    CM_REQUIRE(p == end, CM_EPARSE);
    /* n is the total of the counts; the caller's validity check does the rest. */
    uint64_t n = 0;
    CM_REQUIRE(!__builtin_add_overflow(s->zeros, s->below_one, &n), CM_EPARSE);
    for (uint32_t i = 0; i < CM_SKETCH_BUCKETS; i++)
        CM_REQUIRE(!__builtin_add_overflow(n, s->counts[i], &n), CM_EPARSE);
    s->n = n;
    return CM_OK;
}

cm_status cm_sketch_serialize(const cm_sketch *sketch, uint8_t *buf, size_t cap, size_t *written)
{
    CM_REQUIRE(sketch != NULL && buf != NULL && written != NULL, CM_EINVAL);
    CM_REQUIRE(sketch_valid(sketch, true), CM_EINVAL);
    const size_t size = serialized_size(sketch, SKETCH_SERIAL_VERSION);
    if (cap < size) {
        *written = size;
        return CM_ENOSPC;
    }
    write_bytes(sketch, NULL, SKETCH_SERIAL_VERSION, 0, buf, size);
    *written = size;
    return CM_OK;
}

cm_status cm_sketch_deserialize(const uint8_t *buf, size_t len, cm_sketch *out)
{
    CM_REQUIRE(buf != NULL && out != NULL, CM_EINVAL);
    cm_sketch s;
    uint64_t sq[3];
    uint8_t reserved;
    CM_TRY(read_bytes(buf, len, SKETCH_SERIAL_VERSION, &s, sq, &reserved));
    CM_REQUIRE(reserved == 0 && sketch_valid(&s, true), CM_EPARSE);
    *out = s;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* cm_sketch2: a resolution, and the sum of squares                      */
/* ---------------------------------------------------------------------- */

/*
 * A cm_sketch2 is a cm_sketch of its values times unit_scale(resolution), a
 * power of two: every scaling in and out is exact, so the core is exactly the
 * cm_sketch of the scaled values and every result is that of the core,
 * scaled back.
 */

cm_status cm_sketch2_init(cm_sketch2 *sketch, cm_sketch_resolution resolution)
{
    CM_REQUIRE(sketch != NULL && valid_resolution((uint32_t)resolution), CM_EINVAL);
    memset(sketch, 0, sizeof *sketch);
    sketch->resolution = (uint32_t)resolution;
    return CM_OK;
}

/* The checks of the add functions that come before their values'. */
static cm_status sketch2_header_ok(const cm_sketch2 *s)
{
    CM_REQUIRE(sketch2_plausible(s), CM_EINVAL);
    return CM_OK;
}

cm_status cm_sketch2_add_n(cm_sketch2 *sketch, double seconds, uint64_t count)
{
    CM_REQUIRE(sketch != NULL && count > 0, CM_EINVAL);
    CM_REQUIRE(valid_value(seconds), CM_EINVAL);
    CM_TRY(sketch2_header_ok(sketch));
    const double scale = unit_scale(sketch->resolution);
    CM_TRY(check_value(seconds, CM_SKETCH_MAX_SECONDS / scale));
    uint64_t total;
    CM_REQUIRE(!__builtin_add_overflow(sketch->core.n, count, &total), CM_EOVERFLOW);
    sketch_put(&sketch->core, sketch->sum_sq, seconds * scale, count);
    return CM_OK;
}

cm_status cm_sketch2_add(cm_sketch2 *sketch, double seconds)
{
    return cm_sketch2_add_n(sketch, seconds, 1);
}

cm_status cm_sketch2_add_many(cm_sketch2 *sketch, const double *seconds, size_t n)
{
    CM_REQUIRE(sketch != NULL && (n == 0 || seconds != NULL), CM_EINVAL);
    CM_TRY(sketch2_header_ok(sketch));
    const double scale = unit_scale(sketch->resolution);
    CM_TRY(check_values(&sketch->core, seconds, NULL, n, CM_SKETCH_MAX_SECONDS / scale));
    put_many(&sketch->core, sketch->sum_sq, seconds, n, scale);
    return CM_OK;
}

cm_status cm_sketch2_add_weighted(cm_sketch2 *sketch, const double *seconds, const uint64_t *counts,
                                  size_t n)
{
    CM_REQUIRE(sketch != NULL && (n == 0 || (seconds != NULL && counts != NULL)), CM_EINVAL);
    CM_TRY(sketch2_header_ok(sketch));
    const double scale = unit_scale(sketch->resolution);
    CM_TRY(check_values(&sketch->core, seconds, counts, n, CM_SKETCH_MAX_SECONDS / scale));
    for (size_t i = 0; i < n; i++)
        sketch_put(&sketch->core, sketch->sum_sq, seconds[i] * scale, counts[i]);
    return CM_OK;
}

cm_status cm_sketch2_merge(cm_sketch2 *sketch, const cm_sketch2 *other)
{
    CM_REQUIRE(sketch != NULL && other != NULL, CM_EINVAL);
    CM_REQUIRE(sketch2_valid(sketch) && sketch2_valid(other), CM_EINVAL);
    CM_REQUIRE(sketch->resolution == other->resolution, CM_EINVAL);
    uint64_t n;
    CM_REQUIRE(!__builtin_add_overflow(sketch->core.n, other->core.n, &n), CM_EOVERFLOW);
    /* Both sums of squares are below n 2^100 with the total count below 2^64. */
    merge_core(&sketch->core, &other->core);
    u192_add3(sketch->sum_sq, other->sum_sq);
    return CM_OK;
}

cm_status cm_sketch2_quantile(const cm_sketch2 *sketch, double q, double *out)
{
    CM_REQUIRE(sketch != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(valid_q(q), CM_EINVAL);
    CM_REQUIRE(sketch2_valid(sketch), CM_EINVAL);
    CM_REQUIRE(sketch->core.n > 0, CM_ENODATA);
    *out = sketch_quantile(&sketch->core, q) / unit_scale(sketch->resolution);
    return CM_OK;
}

cm_status cm_sketch2_quantiles(const cm_sketch2 *sketch, const double *qs, size_t n, double *out)
{
    CM_REQUIRE(sketch != NULL && (n == 0 || (qs != NULL && out != NULL)), CM_EINVAL);
    for (size_t i = 0; i < n; i++)
        CM_REQUIRE(valid_q(qs[i]), CM_EINVAL);
    CM_REQUIRE(sketch2_valid(sketch), CM_EINVAL);
    CM_REQUIRE(sketch->core.n > 0, CM_ENODATA);
    const double scale = unit_scale(sketch->resolution);
    for (size_t i = 0; i < n; i++)
        out[i] = sketch_quantile(&sketch->core, qs[i]) / scale;
    return CM_OK;
}

cm_status cm_sketch2_rank(const cm_sketch2 *sketch, double seconds, double confidence,
                          cm_share *out)
{
    CM_REQUIRE(sketch != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(valid_value(seconds) && cm__valid_confidence(confidence), CM_EINVAL);
    CM_REQUIRE(sketch2_valid(sketch), CM_EINVAL);
    CM_REQUIRE(sketch->core.n > 0, CM_ENODATA);
    /* An infinite product (a threshold near DBL_MAX) is at or above the maximum. */
    const double x = seconds * unit_scale(sketch->resolution) + 0.0;
    *out = make_share(sketch->core.n, sketch_rank_counts(&sketch->core, x), confidence);
    return CM_OK;
}

cm_status cm_sketch2_result(const cm_sketch2 *sketch, cm_sketch2_summary *out)
{
    CM_REQUIRE(sketch != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(sketch2_valid(sketch), CM_EINVAL);
    const cm_sketch *c = &sketch->core;
    CM_REQUIRE(c->n > 0, CM_ENODATA);
    /* Millionths of a unit to seconds. */
    const double to_seconds = 1e6 * unit_scale(sketch->resolution);
    const double total = u128_to_double(u128_of(c->sum_us)) / to_seconds;
    /*
     * n S2 - S1^2 is an exact non-negative integer (sketch2_valid), below
     * 2^64 2^164 = 2^228: the variance comes from it with one rounding, and
     * none of the cancellation of the textbook one-pass formula in doubles.
     */
    const u256 d =
        u256_sub(mw_mul(&c->n, 1, sketch->sum_sq, 3), mw_mul(c->sum_us, 2, c->sum_us, 2));
    const double dd = u256_to_double(d), n = (double)c->n;
    cm_sketch2_summary r;
    memset(&r, 0, sizeof r);
    r.n = c->n;
    r.zeros = c->zeros;
    r.min_seconds = c->min_seconds / unit_scale(sketch->resolution);
    r.max_seconds = c->max_seconds / unit_scale(sketch->resolution);
    /* The rounded mean could stray past the exact extremes by an ulp. */
    r.mean_seconds = clamp(total / n, r.min_seconds, r.max_seconds);
    r.total_seconds = total;
    r.stddev_pop_seconds = sqrt(dd) / n / to_seconds;
    r.stddev_seconds = c->n > 1 ? sqrt(dd / (n * (n - 1.0))) / to_seconds : 0.0;
    *out = r;
    return CM_OK;
}

cm_status cm_sketch2_serialize(const cm_sketch2 *sketch, uint8_t *buf, size_t cap, size_t *written)
{
    CM_REQUIRE(sketch != NULL && buf != NULL && written != NULL, CM_EINVAL);
    CM_REQUIRE(sketch2_valid(sketch), CM_EINVAL);
    const size_t size = serialized_size(&sketch->core, SKETCH2_SERIAL_VERSION);
    if (cap < size) {
        *written = size;
        return CM_ENOSPC;
    }
    write_bytes(&sketch->core, sketch->sum_sq, SKETCH2_SERIAL_VERSION, (uint8_t)sketch->resolution,
                buf, size);
    *written = size;
    return CM_OK;
}

cm_status cm_sketch2_deserialize(const uint8_t *buf, size_t len, cm_sketch2 *out)
{
    CM_REQUIRE(buf != NULL && out != NULL, CM_EINVAL);
    cm_sketch2 s;
    memset(&s, 0, sizeof s);
    uint8_t resolution;
    CM_TRY(read_bytes(buf, len, SKETCH2_SERIAL_VERSION, &s.core, s.sum_sq, &resolution));
    s.resolution = resolution;
    CM_REQUIRE(sketch2_valid(&s), CM_EPARSE);
    *out = s;
    return CM_OK;
}

cm_status cm_sketch2_to_sketch(const cm_sketch2 *sketch, cm_sketch *out)
{
    CM_REQUIRE(sketch != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(sketch2_valid(sketch) && sketch->resolution == CM_SKETCH_SECONDS, CM_EINVAL);
    *out = sketch->core;
    return CM_OK;
}

cm_status cm_sketch2_bucket_bounds(cm_sketch_resolution resolution, uint32_t index, double *lo,
                                   double *hi, double *value)
{
    CM_REQUIRE(lo != NULL && hi != NULL && value != NULL, CM_EINVAL);
    CM_REQUIRE(valid_resolution((uint32_t)resolution), CM_EINVAL);
    CM_REQUIRE(index < CM_SKETCH_BUCKETS, CM_ERANGE);
    const double scale = unit_scale((uint32_t)resolution);
    *lo = sketch_bounds[index] / scale;
    *hi = sketch_bounds[index + 1] / scale;
    *value = sketch_values[index] / scale;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Exact quantiles                                                        */
/* ---------------------------------------------------------------------- */

static void swap_d(double *a, double *b)
{
    const double t = *a;
    *a = *b;
    *b = t;
}

static void insertion_sort(double *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        const double x = a[i];
        size_t j = i;
        while (j > 0 && a[j - 1] > x) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
    }
}

static void sift_down(double *a, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && a[child + 1] > a[child])
            child++;
        if (!(a[child] > a[root]))
            return;
        swap_d(&a[root], &a[child]);
        root = child;
    }
}

static void heap_sort(double *a, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down(a, i, n);
    for (size_t end = n; end-- > 1;) {
        swap_d(&a[0], &a[end]);
        sift_down(a, 0, end);
    }
}

/*
 * Introselect (Musser 1997): rearranges a[0..n) so that a[k] is the value of
 * rank k, with nothing greater before it and nothing smaller after it.
 * Quickselect with a median-of-three pivot and Sedgewick's partition, which
 * splits runs of equal values evenly; after 2 log2(n) rounds that did not
 * finish (adversarial input), the remaining range is heapsorted, which bounds
 * the cost by O(n log n). Iterative: no recursion.
 */
static void select_rank(double *a, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1; /* the rank-k value is in a[lo..hi] */
    unsigned budget = 0;
    for (size_t m = n; m > 1; m >>= 1)
        budget += 2;
    while (hi - lo >= 16) {
        if (budget-- == 0) {
            heap_sort(a + lo, hi - lo + 1);
            return;
        }
        const size_t mid = lo + (hi - lo) / 2;
        /* a[lo] <= a[mid] <= a[hi]; the median goes to lo + 1 as the pivot,
         * and a[lo], a[hi] bound the scans below. */
        if (a[mid] < a[lo])
            swap_d(&a[mid], &a[lo]);
        if (a[hi] < a[lo])
            swap_d(&a[hi], &a[lo]);
        if (a[hi] < a[mid])
            swap_d(&a[hi], &a[mid]);
        swap_d(&a[mid], &a[lo + 1]);
        const double pivot = a[lo + 1];
        size_t i = lo + 1, j = hi;
        for (;;) {
            do
                i++;
            while (a[i] < pivot);
            do
                j--;
            while (a[j] > pivot);
            if (i >= j)
                break;
            swap_d(&a[i], &a[j]);
        }
        swap_d(&a[lo + 1], &a[j]);
        /* a[j] = pivot in its final place; a[lo..j) <= pivot <= a(j..hi]. */
        if (k == j)
            return;
        if (k < j)
            hi = j - 1;
        else
            lo = j + 1;
    }
    insertion_sort(a + lo, hi - lo + 1);
}

static double min_of(const double *a, size_t n)
{
    double m = a[0];
    for (size_t i = 1; i < n; i++)
        m = a[i] < m ? a[i] : m;
    return m;
}

size_t cm_quantile_exact_scratch_size(size_t n)
{
    return n;
}

static bool valid_method(cm_quantile_method m)
{
    return m == CM_QUANTILE_INVERTED_CDF || m == CM_QUANTILE_WEIBULL || m == CM_QUANTILE_LINEAR ||
           m == CM_QUANTILE_MEDIAN_UNBIASED;
}

/*
 * Where a definition reads the quantile q of n sorted values: the ranks lo
 * and hi (hi = lo or lo + 1) and the weight g, and how to combine them:
 * TAKE returns x_lo; LINEAR interpolates like cm_quantile_exact() always has;
 * NUMPY computes numpy's _lerp even where lo = hi, which is what numpy does
 * for the clamped positions of types 6 and 8 (it can turn -0 into +0).
 */
enum { POS_TAKE, POS_LINEAR, POS_NUMPY };

typedef struct mpos {
    uint64_t lo, hi;
    double g;
    int how;
} mpos;

/*
 * numpy 1.24's positions (numpy/lib/function_base.py), operation for
 * operation, so that the doubles agree bit for bit:
 * - inverted_cdf: index = n q - 1; previous = floor(index); the result is
 *   x[previous] when index - previous == 0 and x[previous + 1] otherwise,
 *   clipped at 0;
 * - weibull and median_unbiased: v = n q + (alpha + q (1 - alpha - beta)) - 1
 *   with alpha = beta = 0 and 1/3.0; v >= n - 1 reads the last value twice
 *   with gamma = v + 1, v < 0 the first twice with gamma = v, otherwise
 *   floor(v) and floor(v) + 1 with gamma = v - floor(v).
 */
static mpos method_position(uint64_t n, double q, cm_quantile_method method)
{
    mpos p;
    const double fn = (double)n;
    if (method == CM_QUANTILE_LINEAR) {
        const cm__qpos l = cm__quantile_position(n, q);
        p.lo = l.k;
        p.hi = l.last ? l.k : l.k + 1;
        p.g = l.g;
        p.how = l.last ? POS_TAKE : POS_LINEAR;
        return p;
    }
    const double nq = fn * q;
    if (method == CM_QUANTILE_INVERTED_CDF) {
        const double index = nq - 1.0;
        const double prev = floor(index);
        const double res = index - prev == 0.0 ? prev : prev + 1.0;
        p.lo = p.hi = res < 0.0 ? 0 : (uint64_t)res; /* res <= n - 1 */
        p.g = 0.0;
        p.how = POS_TAKE;
        return p;
    }
    double v;
    if (method == CM_QUANTILE_WEIBULL) {
        v = (nq + q) - 1.0; /* alpha = beta = 0: 0 + q * 1 is q */
    } else {
        const double third = 1.0 / 3.0;
        const double c = (1.0 - third) - third;
        const double t = q * c;
        v = (nq + (third + t)) - 1.0;
    }
    p.how = POS_NUMPY;
    if (v >= fn - 1.0) {
        p.lo = p.hi = n - 1;
        p.g = v - -1.0; /* numpy marks the index -1 and takes v - (-1) */
    } else if (v < 0.0) {
        p.lo = p.hi = 0;
        p.g = v;
    } else {
        const double k = floor(v);
        p.lo = (uint64_t)k;
        p.hi = p.lo + 1;
        p.g = v - k;
    }
    return p;
}

/* numpy's _lerp for any weight t, with the overflow fallback of cm__lerp. */
static double numpy_lerp(double a, double b, double t)
{
    const double diff = b - a;
    if (!isfinite(diff))
        return (1.0 - t) * a + t * b;
    if (t >= 0.5) {
        const double step = diff * (1.0 - t);
        return b - step;
    }
    const double step = diff * t;
    return a + step;
}

static cm_status quantiles_exact(const double *xs, size_t n, const double *qs, size_t nq,
                                 cm_quantile_method method, double *scratch, size_t scratch_len,
                                 double *out)
{
    CM_REQUIRE((n == 0 || (xs != NULL && scratch != NULL)) &&
                   (nq == 0 || (qs != NULL && out != NULL)),
               CM_EINVAL);
    for (size_t i = 0; i < n; i++)
        CM_REQUIRE(isfinite(xs[i]), CM_EINVAL);
    for (size_t i = 0; i < nq; i++)
        CM_REQUIRE(valid_q(qs[i]), CM_EINVAL);
    CM_REQUIRE(valid_method(method), CM_EINVAL);
    CM_REQUIRE(n > 0, CM_ENODATA);
    CM_REQUIRE(scratch_len >= cm_quantile_exact_scratch_size(n), CM_ENOSPC);
    if (nq == 0)
        return CM_OK;
    double *a = scratch;
    if (a != xs)
        memcpy(a, xs, n * sizeof *a);
    /*
     * Take the distinct levels in increasing order (O(nq^2) comparisons, no
     * memory): ranks grow with q under every definition, and after selecting
     * rank k the values above it are all in a(k..n), so each selection works
     * on what is left.
     */
    size_t from = 0;    /* a[0..from) holds nothing above the ranks still to come */
    size_t done = 0;    /* levels answered so far */
    double last = -1.0; /* the largest level answered */
    while (done < nq) {
        double q = 2.0;
        for (size_t i = 0; i < nq; i++) {
            if (qs[i] > last && qs[i] < q)
                q = qs[i];
        }
        const mpos p = method_position(n, q, method);
        const size_t k = (size_t)p.lo;
        select_rank(a + from, n - from, k - from);
        from = k;
        const double lo = a[k];
        const double hi = p.hi == p.lo ? lo : min_of(a + k + 1, n - k - 1);
        double v = lo;
        if (p.how == POS_LINEAR)
            v = cm__lerp(lo, hi, p.g);
        else if (p.how == POS_NUMPY)
            v = numpy_lerp(lo, hi, p.g);
        for (size_t i = 0; i < nq; i++) {
            if (qs[i] == q) {
                out[i] = v;
                done++;
            }
        }
        last = q;
    }
    return CM_OK;
}

cm_status cm_quantiles_exact(const double *xs, size_t n, const double *qs, size_t nq,
                             double *scratch, size_t scratch_len, double *out)
{
    return quantiles_exact(xs, n, qs, nq, CM_QUANTILE_LINEAR, scratch, scratch_len, out);
}

cm_status cm_quantile_exact(const double *xs, size_t n, double q, double *scratch,
                            size_t scratch_len, double *out)
{
    CM_REQUIRE(out != NULL, CM_EINVAL);
    return quantiles_exact(xs, n, &q, 1, CM_QUANTILE_LINEAR, scratch, scratch_len, out);
}

cm_status cm_quantiles_exact_method(const double *xs, size_t n, const double *qs, size_t nq,
                                    cm_quantile_method method, double *scratch, size_t scratch_len,
                                    double *out)
{
    return quantiles_exact(xs, n, qs, nq, method, scratch, scratch_len, out);
}

cm_status cm_quantile_exact_method(const double *xs, size_t n, double q, cm_quantile_method method,
                                   double *scratch, size_t scratch_len, double *out)
{
    CM_REQUIRE(out != NULL, CM_EINVAL);
    return quantiles_exact(xs, n, &q, 1, method, scratch, scratch_len, out);
}

/* ---------------------------------------------------------------------- */
/* ABI queries                                                            */
/* ---------------------------------------------------------------------- */

size_t cm_sketch_sizeof(const char *name)
{
    static const cm__named_size sizes[] = {
        CM__SIZE_OF(cm_sketch),  CM__SIZE_OF(cm_sketch_summary),  CM__SIZE_OF(cm_share),
        CM__SIZE_OF(cm_sketch2), CM__SIZE_OF(cm_sketch2_summary),
    };
    return cm__lookup_size(sizes, CM__COUNT_OF(sizes), name);
}
