/*
 * numpy's "linear" quantile method, shared by the exact and estimated
 * quantiles of lib/ (sketch, table); never installed.
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_QUANTILE_INTERNAL_H
#define CAREMETRICS_QUANTILE_INTERNAL_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * numpy's linear interpolation between neighbouring order statistics a <= b
 * at weight g in [0, 1), written as numpy's _lerp writes it: from the nearer
 * end, so that g = 0 gives a and g near 1 gives b exactly. Separate
 * statements keep the compiler from fusing the multiply and add. Where the
 * difference overflows, the weighted sum of the ends stays finite.
 */
static inline double cm__lerp(double a, double b, double g)
{
    const double diff = b - a;
    if (!isfinite(diff))
        return (1.0 - g) * a + g * b; /* values more than DBL_MAX apart: numpy gives inf or NaN */
    if (g >= 0.5) {
        const double step = diff * (1.0 - g);
        return b - step;
    }
    const double step = diff * g;
    return a + step;
}

/*
 * Position of quantile q among n > 0 sorted values, as numpy's "linear"
 * method computes it: h = (n - 1) * q in double, k = floor(h), g = h - k;
 * h >= n - 1 selects the last value alone.
 */
typedef struct cm__qpos {
    uint64_t k;
    double g;
    bool last;
} cm__qpos;

static inline cm__qpos cm__quantile_position(uint64_t n, double q)
{
    const double top = (double)(n - 1);
    const double h = top * q;
    cm__qpos p;
    if (h >= top) {
        p.k = n - 1;
        p.g = 0.0;
        p.last = true;
    } else {
        const double k = floor(h);
        p.k = (uint64_t)k;
        p.g = h - k;
        p.last = false;
    }
    return p;
}

#endif /* CAREMETRICS_QUANTILE_INTERNAL_H */
