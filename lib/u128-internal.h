/*
 * Unsigned 128-bit integers as two 64-bit words, for the exact sums of the
 * mergeable accumulators (QA scores, backlog ages). Never installed.
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_U128_INTERNAL_H
#define CAREMETRICS_U128_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

typedef struct cm__u128 {
    uint64_t lo, hi;
} cm__u128;

static inline cm__u128 cm__u128_of(const uint64_t w[2])
{
    cm__u128 r = {w[0], w[1]};
    return r;
}

static inline void cm__u128_store(cm__u128 a, uint64_t w[2])
{
    w[0] = a.lo;
    w[1] = a.hi;
}

/* a + b; false when the sum does not fit 128 bits. */
static inline bool cm__u128_add(cm__u128 a, cm__u128 b, cm__u128 *out)
{
    cm__u128 r;
    r.lo = a.lo + b.lo;
    const uint64_t carry = r.lo < a.lo;
    if (__builtin_add_overflow(a.hi, b.hi, &r.hi) || __builtin_add_overflow(r.hi, carry, &r.hi))
        return false;
    *out = r;
    return true;
}

/* Full 64 x 64 -> 128-bit product from 32-bit halves. */
static inline cm__u128 cm__u128_mul64(uint64_t a, uint64_t b)
{
    const uint64_t a0 = a & 0xffffffffu, a1 = a >> 32;
    const uint64_t b0 = b & 0xffffffffu, b1 = b >> 32;
    const uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    const uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
    cm__u128 r;
    r.lo = (mid << 32) | (p00 & 0xffffffffu);
    r.hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    return r;
}

static inline bool cm__u128_le(cm__u128 a, cm__u128 b)
{
    return a.hi < b.hi || (a.hi == b.hi && a.lo <= b.lo);
}

static inline double cm__u128_to_double(cm__u128 a)
{
    return (double)a.hi * 18446744073709551616.0 + (double)a.lo;
}

#endif /* CAREMETRICS_U128_INTERNAL_H */
