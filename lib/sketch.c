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

/* Format version of the serialized sketch. */
#define SKETCH_SERIAL_VERSION 1

/* Serialized layout: fixed part, then the sparse bucket list, then the CRC. */
#define SKETCH_FIXED   58 /* header 4, reserved 4, zeros, below_one, min, max, sum lo, sum hi, m */
#define SKETCH_MIN_LEN (SKETCH_FIXED + CM__SERIAL_TRAILER)

/* ---------------------------------------------------------------------- */
/* 128-bit unsigned arithmetic for the microsecond sum                    */
/* ---------------------------------------------------------------------- */

typedef struct u128 {
    uint64_t lo, hi;
} u128;

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

static bool u128_le(u128 a, u128 b)
{
    return a.hi < b.hi || (a.hi == b.hi && a.lo <= b.lo);
}

static double u128_to_double(u128 a)
{
    return (double)a.hi * 0x1p64 + (double)a.lo;
}

/*
 * A value rounded to the nearest whole microsecond, halves up. For
 * 0 <= x < CM_SKETCH_MAX_SECONDS the product x * 1e6 is below 2^50, so adding
 * 0.5 is exact and the conversion truncates a non-negative number: the result
 * is the same on every IEEE-754 machine.
 */
static uint64_t micros(double x)
{
    return (uint64_t)(x * 1e6 + 0.5);
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
 * in the lowest and highest non-empty classes, and the microsecond sum lies
 * between n * micros(min) and n * micros(max). Every state reached by
 * additions and merges passes; the checks make corrupt structs and bytes
 * fail cleanly, and bound the sum below 2^64 * 2^50 so it never overflows.
 */
static bool sketch_valid(const cm_sketch *s)
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
    const u128 sum = u128_of(s->sum_us);
    if (s->n == 0)
        return sum.lo == 0 && sum.hi == 0;
    if (class_of(s->min_seconds) != first || class_of(s->max_seconds) != last)
        return false;
    if (s->n == 1 && s->min_seconds != s->max_seconds)
        return false;
    return u128_le(u128_mul64(s->n, micros(s->min_seconds)), sum) &&
           u128_le(sum, u128_mul64(s->n, micros(s->max_seconds)));
}

cm_status cm_sketch_init(cm_sketch *sketch)
{
    CM_REQUIRE(sketch != NULL, CM_EINVAL);
    memset(sketch, 0, sizeof *sketch);
    return CM_OK;
}

/* Records x (valid, below the limit) into s, whose count is below UINT64_MAX. */
static void sketch_put(cm_sketch *s, double x)
{
    if (x == 0.0)
        x = 0.0; /* -0 is stored as +0, so min/max do not depend on the order */
    if (x >= 1.0)
        s->counts[bucket_of(x)]++;
    else if (x == 0.0)
        s->zeros++;
    else
        s->below_one++;
    if (s->n == 0) {
        s->min_seconds = s->max_seconds = x;
    } else {
        s->min_seconds = x < s->min_seconds ? x : s->min_seconds;
        s->max_seconds = x > s->max_seconds ? x : s->max_seconds;
    }
    s->n++;
    const u128 sum = u128_add(u128_of(s->sum_us), (u128){micros(x), 0});
    s->sum_us[0] = sum.lo;
    s->sum_us[1] = sum.hi;
}

cm_status cm_sketch_add(cm_sketch *sketch, double seconds)
{
    CM_REQUIRE(sketch != NULL, CM_EINVAL);
    CM_REQUIRE(valid_value(seconds), CM_EINVAL);
    CM_REQUIRE(seconds < CM_SKETCH_MAX_SECONDS, CM_ERANGE);
    CM_REQUIRE(sketch_plausible(sketch), CM_EINVAL);
    CM_REQUIRE(sketch->n != UINT64_MAX, CM_EOVERFLOW);
    sketch_put(sketch, seconds);
    return CM_OK;
}

cm_status cm_sketch_add_many(cm_sketch *sketch, const double *seconds, size_t n)
{
    CM_REQUIRE(sketch != NULL && (n == 0 || seconds != NULL), CM_EINVAL);
    /* Validate everything first, so that a bad value anywhere leaves the
     * sketch untouched; an invalid value outranks an out-of-range one. */
    bool invalid = false, out_of_range = false;
    for (size_t i = 0; i < n; i++) {
        const double x = seconds[i];
        invalid |= !valid_value(x);
        out_of_range |= !(x < CM_SKETCH_MAX_SECONDS);
    }
    CM_REQUIRE(!invalid, CM_EINVAL);
    CM_REQUIRE(!out_of_range, CM_ERANGE);
    CM_REQUIRE(sketch_plausible(sketch), CM_EINVAL);
    uint64_t total;
    CM_REQUIRE(!__builtin_add_overflow(sketch->n, (uint64_t)n, &total), CM_EOVERFLOW);
    if (n == 0)
        return CM_OK;
    /* sketch_put() for every value, with the running fields kept in registers:
     * the same counts, extremes and sum, about twice as fast. */
    cm_sketch *s = sketch;
    double lo = s->min_seconds, hi = s->max_seconds;
    if (s->n == 0)
        lo = hi = seconds[0] + 0.0; /* + 0.0 turns -0 into +0 */
    uint64_t zeros = 0, below_one = 0, sum_lo = s->sum_us[0], sum_hi = s->sum_us[1];
    for (size_t i = 0; i < n; i++) {
        const double x = seconds[i] + 0.0;
        if (x >= 1.0)
            s->counts[bucket_of(x)]++;
        else if (x == 0.0)
            zeros++;
        else
            below_one++;
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
        const uint64_t us = micros(x);
        sum_lo += us;
        sum_hi += sum_lo < us; /* carry */
    }
    s->zeros += zeros;
    s->below_one += below_one;
    s->min_seconds = lo;
    s->max_seconds = hi;
    s->n = total;
    s->sum_us[0] = sum_lo;
    s->sum_us[1] = sum_hi;
    return CM_OK;
}

cm_status cm_sketch_merge(cm_sketch *sketch, const cm_sketch *other)
{
    CM_REQUIRE(sketch != NULL && other != NULL, CM_EINVAL);
    CM_REQUIRE(sketch_valid(sketch) && sketch_valid(other), CM_EINVAL);
    uint64_t n;
    CM_REQUIRE(!__builtin_add_overflow(sketch->n, other->n, &n), CM_EOVERFLOW);
    if (other->n == 0)
        return CM_OK;
    /* Every count is at most its sketch's n, so with the total in range no
     * count overflows; each sum is below n * 2^50, so neither does the sum.
     * `other` may be `sketch`: every field is read before it is written. */
    const double lo = other->min_seconds, hi = other->max_seconds;
    const u128 sum = u128_add(u128_of(sketch->sum_us), u128_of(other->sum_us));
    if (sketch->n == 0) {
        sketch->min_seconds = lo;
        sketch->max_seconds = hi;
    } else {
        sketch->min_seconds = lo < sketch->min_seconds ? lo : sketch->min_seconds;
        sketch->max_seconds = hi > sketch->max_seconds ? hi : sketch->max_seconds;
    }
    sketch->zeros += other->zeros;
    sketch->below_one += other->below_one;
    for (uint32_t i = 0; i < CM_SKETCH_BUCKETS; i++)
        sketch->counts[i] += other->counts[i];
    sketch->sum_us[0] = sum.lo;
    sketch->sum_us[1] = sum.hi;
    sketch->n = n;
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
    CM_REQUIRE(sketch_valid(sketch), CM_EINVAL);
    CM_REQUIRE(sketch->n > 0, CM_ENODATA);
    *out = sketch_quantile(sketch, q);
    return CM_OK;
}

cm_status cm_sketch_quantiles(const cm_sketch *sketch, const double *qs, size_t n, double *out)
{
    CM_REQUIRE(sketch != NULL && (n == 0 || (qs != NULL && out != NULL)), CM_EINVAL);
    for (size_t i = 0; i < n; i++)
        CM_REQUIRE(valid_q(qs[i]), CM_EINVAL);
    CM_REQUIRE(sketch_valid(sketch), CM_EINVAL);
    CM_REQUIRE(sketch->n > 0, CM_ENODATA);
    for (size_t i = 0; i < n; i++)
        out[i] = sketch_quantile(sketch, qs[i]);
    return CM_OK;
}

cm_status cm_sketch_result(const cm_sketch *sketch, cm_sketch_summary *out)
{
    CM_REQUIRE(sketch != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(sketch_valid(sketch), CM_EINVAL);
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
/* Serialization                                                          */
/* ---------------------------------------------------------------------- */

/*
 * Bytes: header (kind CM__SERIAL_SKETCH, version 1), 4 zero bytes, zeros,
 * below_one, min and max (IEEE-754 bits), sum low and high words, all
 * 64-bit little-endian; m, the number of non-empty buckets (16-bit); then for
 * each non-empty bucket in increasing order the LEB128 varints
 * (index - previous index - 1) and count, the first index counting from -1;
 * then the CRC. n is not stored: it is the sum of the counts.
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

static size_t serialized_size(const cm_sketch *s)
{
    size_t size = SKETCH_MIN_LEN;
    uint32_t prev = UINT32_MAX; /* index -1 */
    for (uint32_t i = 0; i < CM_SKETCH_BUCKETS; i++) {
        if (s->counts[i] == 0)
            continue;
        size += varint_len(i - prev - 1) + varint_len(s->counts[i]);
        prev = i;
    }
    return size;
}

cm_status cm_sketch_serialize(const cm_sketch *sketch, uint8_t *buf, size_t cap, size_t *written)
{
    CM_REQUIRE(sketch != NULL && buf != NULL && written != NULL, CM_EINVAL);
    CM_REQUIRE(sketch_valid(sketch), CM_EINVAL);
    const size_t size = serialized_size(sketch);
    if (cap < size) {
        *written = size;
        return CM_ENOSPC;
    }
    cm__serial_begin(buf, CM__SERIAL_SKETCH, SKETCH_SERIAL_VERSION);
    memset(buf + 4, 0, 4);
    cm__put_u64le(buf + 8, sketch->zeros);
    cm__put_u64le(buf + 16, sketch->below_one);
    cm__put_u64le(buf + 24, double_bits(sketch->min_seconds));
    cm__put_u64le(buf + 32, double_bits(sketch->max_seconds));
    cm__put_u64le(buf + 40, sketch->sum_us[0]);
    cm__put_u64le(buf + 48, sketch->sum_us[1]);
    uint8_t *p = buf + SKETCH_FIXED;
    uint32_t prev = UINT32_MAX, m = 0;
    for (uint32_t i = 0; i < CM_SKETCH_BUCKETS; i++) {
        if (sketch->counts[i] == 0)
            continue;
        p = put_varint(p, i - prev - 1);
        p = put_varint(p, sketch->counts[i]);
        prev = i;
        m++;
    }
    buf[56] = (uint8_t)m;
    buf[57] = (uint8_t)(m >> 8);
    cm__serial_end(buf, size);
    *written = size;
    return CM_OK;
}

cm_status cm_sketch_deserialize(const uint8_t *buf, size_t len, cm_sketch *out)
{
    CM_REQUIRE(buf != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(len >= SKETCH_MIN_LEN && buf[0] == 'C' && buf[1] == 'M' &&
                   buf[2] == CM__SERIAL_SKETCH && buf[3] == SKETCH_SERIAL_VERSION,
               CM_EPARSE);
    const size_t body = len - CM__SERIAL_TRAILER;
    CM_REQUIRE(cm__get_u32le(buf + body) == cm__crc32(buf, body), CM_EPARSE);
    CM_REQUIRE(buf[4] == 0 && buf[5] == 0 && buf[6] == 0 && buf[7] == 0, CM_EPARSE);
    cm_sketch s;
    memset(&s, 0, sizeof s);
    s.zeros = cm__get_u64le(buf + 8);
    s.below_one = cm__get_u64le(buf + 16);
    s.min_seconds = bits_double(cm__get_u64le(buf + 24));
    s.max_seconds = bits_double(cm__get_u64le(buf + 32));
    s.sum_us[0] = cm__get_u64le(buf + 40);
    s.sum_us[1] = cm__get_u64le(buf + 48);
    const uint32_t m = (uint32_t)buf[56] | (uint32_t)buf[57] << 8;
    CM_REQUIRE(m <= CM_SKETCH_BUCKETS, CM_EPARSE);
    const uint8_t *p = buf + SKETCH_FIXED, *end = buf + body;
    uint64_t next = 0; /* lowest index the next entry may have */
    for (uint32_t j = 0; j < m; j++) {
        uint64_t gap, count;
        CM_REQUIRE(get_varint(&p, end, &gap) && get_varint(&p, end, &count), CM_EPARSE);
        CM_REQUIRE(gap < CM_SKETCH_BUCKETS - next && count > 0, CM_EPARSE);
        const uint64_t i = next + gap;
        s.counts[i] = count;
        next = i + 1;
    }
    CM_REQUIRE(p == end, CM_EPARSE);
    /* n is the total of the counts; sketch_valid then checks everything else. */
    uint64_t n = 0;
    CM_REQUIRE(!__builtin_add_overflow(s.zeros, s.below_one, &n), CM_EPARSE);
    for (uint32_t i = 0; i < CM_SKETCH_BUCKETS; i++)
        CM_REQUIRE(!__builtin_add_overflow(n, s.counts[i], &n), CM_EPARSE);
    s.n = n;
    CM_REQUIRE(sketch_valid(&s), CM_EPARSE);
    *out = s;
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

cm_status cm_quantiles_exact(const double *xs, size_t n, const double *qs, size_t nq,
                             double *scratch, size_t scratch_len, double *out)
{
    CM_REQUIRE((n == 0 || (xs != NULL && scratch != NULL)) &&
                   (nq == 0 || (qs != NULL && out != NULL)),
               CM_EINVAL);
    for (size_t i = 0; i < n; i++)
        CM_REQUIRE(isfinite(xs[i]), CM_EINVAL);
    for (size_t i = 0; i < nq; i++)
        CM_REQUIRE(valid_q(qs[i]), CM_EINVAL);
    CM_REQUIRE(n > 0, CM_ENODATA);
    CM_REQUIRE(scratch_len >= cm_quantile_exact_scratch_size(n), CM_ENOSPC);
    if (nq == 0)
        return CM_OK;
    double *a = scratch;
    if (a != xs)
        memcpy(a, xs, n * sizeof *a);
    /*
     * Take the distinct levels in increasing order (O(nq^2) comparisons, no
     * memory): ranks grow with q, and after selecting rank k the values above
     * it are all in a(k..n), so each selection works on what is left.
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
        const cm__qpos p = cm__quantile_position(n, q);
        const size_t k = (size_t)p.k;
        select_rank(a + from, n - from, k - from);
        from = k;
        double v = a[k];
        if (!p.last)
            v = cm__lerp(v, min_of(a + k + 1, n - k - 1), p.g);
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

cm_status cm_quantile_exact(const double *xs, size_t n, double q, double *scratch,
                            size_t scratch_len, double *out)
{
    CM_REQUIRE(out != NULL, CM_EINVAL);
    return cm_quantiles_exact(xs, n, &q, 1, scratch, scratch_len, out);
}

/* ---------------------------------------------------------------------- */
/* ABI queries                                                            */
/* ---------------------------------------------------------------------- */

size_t cm_sketch_sizeof(const char *name)
{
    if (name == NULL)
        return 0;
    if (strcmp(name, "cm_sketch") == 0)
        return sizeof(cm_sketch);
    if (strcmp(name, "cm_sketch_summary") == 0)
        return sizeof(cm_sketch_summary);
    return 0;
}
