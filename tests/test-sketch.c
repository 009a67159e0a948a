/*
 * Tests of caremetrics/sketch.h.
 *
 * Expected values come from:
 *  - tests/data/sketch-oracle.h, written by tests/oracle/sketch_oracle.py:
 *    numpy.quantile (the default "linear" method, and method="inverted_cdf",
 *    "weibull" and "median_unbiased") of arrays rebuilt here from a seed, and
 *    the exact rounding to whole microseconds (Python fractions) of values
 *    next to half-microsecond points;
 *  - Wilson intervals and standard deviations from python3-mpmath at 40
 *    digits, written next to each case;
 *  - an independent reference in this file: sort the values (radix sort) and
 *    apply the type-7 formula (for property tests and the 10^6-value
 *    acceptance runs);
 *  - the bucket definition of docs/sketch.md evaluated with pow() (bucket i
 *    covers [1.02^i, 1.02^(i+1)) and stands for 1.02^i * 102/101), with the
 *    arithmetic written next to each case.
 *
 * Tolerances:
 *  - exact quantiles: none. The library and numpy take the same order
 *    statistics and interpolate with the same operations in the same order,
 *    so the doubles must be identical.
 *  - sketch quantiles: SKETCH_REL = 1/101 + 2e-15 relative to the exact
 *    quantile. 1/101 is the documented bound (the harmonic midpoint of
 *    [L, 1.02 L) is within (1.02 - 1)/(1.02 + 1) of every point of it); the
 *    2e-15 (about 9 units in the last place) covers the rounding of the
 *    tabulated bounds and representatives to double (1 ulp each) and of the
 *    interpolation in both results (2 ulps each).
 *  - pow()-based expectations: 1e-13 relative: glibc's pow is within 1 ulp,
 *    and 1.02^i for i <= 1024 loses no more than a few ulps in the product
 *    with 102/101.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/sketch.h>

#include "testing.h"

#include "data/sketch-oracle.h"

#include <float.h>

#define NELEM(a)   (sizeof(a) / sizeof((a)[0]))
#define SKETCH_REL (1.0 / 101.0 + 2e-15)
#define POW_REL    1e-13

/* ---- independent reference: sort + type 7 ------------------------------- */

/*
 * Ascending sort of finite doubles: LSD radix sort, 8 passes of 8 bits, on
 * keys that order like the values (sign bit set for non-negative values, all
 * bits flipped for negative ones). No comparisons, no callbacks: it stays
 * fast under valgrind, and it shares nothing with the library's selection.
 */
#define SORT_MAX 1000000
static uint64_t sort_keys[SORT_MAX], sort_tmp[SORT_MAX];

static void sort_doubles(double *a, size_t n)
{
    ck_assert_uint_le(n, SORT_MAX);
    for (size_t i = 0; i < n; i++) {
        uint64_t u;
        memcpy(&u, &a[i], sizeof u);
        sort_keys[i] = (u >> 63) ? ~u : u | (UINT64_C(1) << 63);
    }
    uint64_t *src = sort_keys, *dst = sort_tmp;
    for (unsigned shift = 0; shift < 64; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[((src[i] >> shift) & 0xff) + 1]++;
        for (int b = 0; b < 256; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & 0xff]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    for (size_t i = 0; i < n; i++) {
        const uint64_t k = src[i];
        const uint64_t u = (k >> 63) ? k & ~(UINT64_C(1) << 63) : ~k;
        memcpy(&a[i], &u, sizeof u);
    }
}

/* numpy's "linear" quantile of an ascending array, written from its definition:
 * h = (n-1) q; the last value when h >= n-1; else x[k] + g (x[k+1] - x[k]),
 * evaluated from the nearer end as numpy's _lerp does. */
static double type7_sorted(const double *sorted, size_t n, double q)
{
    const double h = (double)(n - 1) * q;
    if (h >= (double)(n - 1))
        return sorted[n - 1];
    const double fk = floor(h);
    const size_t k = (size_t)fk;
    const double g = h - fk, a = sorted[k], b = sorted[k + 1], diff = b - a;
    if (g >= 0.5) {
        const double step = diff * (1.0 - g);
        return b - step;
    }
    const double step = diff * g;
    return a + step;
}

/* ---- arrays of the numpy oracle (same generator as sketch_oracle.py) ----- */

static double oracle_value(const char *kind, uint64_t x, size_t i, size_t n)
{
    const double u = (double)(x >> 11) * 0x1.0p-53;
    if (strcmp(kind, "uniform") == 0)
        return u;
    if (strcmp(kind, "ties") == 0)
        return (double)(x >> 60);
    if (strcmp(kind, "wide") == 0)
        return ldexp(u - 0.5, (int)(x & 63) - 32);
    if (strcmp(kind, "equal") == 0)
        return 42.5;
    if (strcmp(kind, "ascending") == 0)
        return (double)i;
    if (strcmp(kind, "descending") == 0)
        return (double)(n - i);
    if (strcmp(kind, "organ") == 0)
        return (double)(i < n - 1 - i ? i : n - 1 - i);
    if (strcmp(kind, "sawtooth") == 0)
        return (double)(i % 17);
    ck_abort_msg("unknown kind %s", kind);
    return 0.0;
}

static void oracle_array(const char *kind, uint64_t seed, size_t n, double *xs)
{
    test_rng r = {seed};
    for (size_t i = 0; i < n; i++)
        xs[i] = oracle_value(kind, rng_next(&r), i, n);
}

#define BIG 1000000
static double big_a[BIG], big_b[BIG], big_c[BIG];

/* ---- exact quantiles -------------------------------------------------------- */

START_TEST(exact_matches_numpy)
{
    const int c = _i;
    const size_t n = quantile_oracle[c].n;
    ck_assert_uint_le(n, BIG);
    oracle_array(quantile_oracle[c].kind, quantile_oracle[c].seed, n, big_a);
    memcpy(big_b, big_a, n * sizeof *big_a);
    double got[QUANTILE_ORACLE_NQ];
    /* All levels at once, into separate scratch: xs stays as it was. */
    ck_assert_status(
        cm_quantiles_exact(big_a, n, quantile_oracle_qs, QUANTILE_ORACLE_NQ, big_c, BIG, got),
        CM_OK);
    ck_assert_mem_eq(big_a, big_b, n * sizeof *big_a);
    for (int j = 0; j < QUANTILE_ORACLE_NQ; j++) {
        ck_assert_msg(got[j] == quantile_oracle[c].expected[j],
                      "%s n=%zu q=%.17g: got %.17g, numpy %.17g", quantile_oracle[c].kind, n,
                      quantile_oracle_qs[j], got[j], quantile_oracle[c].expected[j]);
        /* One level at a time, selecting in place in the array itself. */
        double one;
        memcpy(big_b, big_a, n * sizeof *big_a);
        ck_assert_status(cm_quantile_exact(big_b, n, quantile_oracle_qs[j], big_b, n, &one), CM_OK);
        ck_assert_msg(one == quantile_oracle[c].expected[j], "%s n=%zu q=%.17g: single %.17g",
                      quantile_oracle[c].kind, n, quantile_oracle_qs[j], one);
    }
}
END_TEST

START_TEST(exact_matches_sort_property)
{
    /* Random arrays (with ties and negatives) and random sets of levels in
     * random order, with repeats, against sort + type 7. */
    test_rng r = test_rng_make("exact_matches_sort_property");
    static double xs[5000], sorted[5000], scratch[5000];
    for (int round = 0; round < 300; round++) {
        const size_t n = 1 + (size_t)rng_below(&r, 5000);
        const uint64_t spread = 1 + rng_below(&r, 1000);
        for (size_t i = 0; i < n; i++)
            xs[i] = (double)rng_below(&r, spread) - (double)spread / 3 + rng_unit(&r) * 0.5;
        memcpy(sorted, xs, n * sizeof *xs);
        sort_doubles(sorted, n);
        double qs[16], got[16];
        const size_t nq = 1 + (size_t)rng_below(&r, 16);
        for (size_t j = 0; j < nq; j++)
            qs[j] = j > 0 && rng_below(&r, 4) == 0 ? qs[rng_below(&r, j)] : rng_unit(&r);
        if (rng_below(&r, 8) == 0)
            qs[0] = 1.0;
        ck_assert_status(cm_quantiles_exact(xs, n, qs, nq, scratch, n, got), CM_OK);
        for (size_t j = 0; j < nq; j++)
            ck_assert_msg(got[j] == type7_sorted(sorted, n, qs[j]), "n=%zu q=%.17g: %.17g vs %.17g",
                          n, qs[j], got[j], type7_sorted(sorted, n, qs[j]));
    }
}
END_TEST

/* Orders that break naive quickselects: sorted, reversed, all equal,
 * organ pipe, many duplicates, and Musser's median-of-3 killer. */
static void pattern(int kind, double *xs, size_t n)
{
    const size_t half = n / 2;
    for (size_t i = 0; i < n; i++) {
        switch (kind) {
        case 0:
            xs[i] = (double)i;
            break;
        case 1:
            xs[i] = (double)(n - i);
            break;
        case 2:
            xs[i] = 7.0;
            break;
        case 3:
            xs[i] = (double)(i < half ? i : n - i);
            break;
        case 4:
            xs[i] = (double)(i % 3);
            break;
        default:
            /* median-of-3 killer (Musser 1997, for first/middle/last pivots) */
            if (i < half)
                xs[i] = (double)(i % 2 == 0 ? i + 1 : half + i);
            else
                xs[i] = (double)(2 * (i - half + 1));
            break;
        }
    }
}

START_TEST(exact_adversarial_orders)
{
    const size_t n = 100000;
    const double qs[] = {0.0, 0.001, 0.25, 0.5, 0.5, 0.9, 0.99, 1.0};
    double got[NELEM(qs)];
    pattern(_i, big_a, n);
    memcpy(big_b, big_a, n * sizeof *big_a);
    sort_doubles(big_b, n);
    ck_assert_status(cm_quantiles_exact(big_a, n, qs, NELEM(qs), big_c, n, got), CM_OK);
    for (size_t j = 0; j < NELEM(qs); j++)
        ck_assert_double_eq(got[j], type7_sorted(big_b, n, qs[j]));
}
END_TEST

START_TEST(exact_hand)
{
    /* Hand: {30, 60, 120, 3600}: h = 3q.
     *   q = 0.5: h = 1.5 -> 60 + 0.5 (120 - 60) = 90
     *   q = 0.9: h = 2.7 -> 120 + 0.7 (3600 - 120) = 2556
     *   q = 0.25: h = 0.75 -> 30 + 0.75 (60 - 30) = 52.5 */
    const double xs[] = {3600, 30, 120, 60};
    double scratch[4], v;
    ck_assert_status(cm_quantile_exact(xs, 4, 0.5, scratch, 4, &v), CM_OK);
    ck_assert_double_eq(v, 90.0);
    ck_assert_status(cm_quantile_exact(xs, 4, 0.9, scratch, 4, &v), CM_OK);
    ck_assert_double_eq_tol(v, 2556.0, 1e-9);
    ck_assert_status(cm_quantile_exact(xs, 4, 0.25, scratch, 4, &v), CM_OK);
    ck_assert_double_eq(v, 52.5);
    ck_assert_status(cm_quantile_exact(xs, 1, 0.7, scratch, 1, &v), CM_OK);
    ck_assert_double_eq(v, 3600.0);
    ck_assert_uint_eq(cm_quantile_exact_scratch_size(4), 4);
    ck_assert_uint_eq(cm_quantile_exact_scratch_size(0), 0);
}
END_TEST

START_TEST(exact_bad_input)
{
    const double xs[] = {1, 2, 3};
    const double qs[] = {0.5, 0.9};
    double scratch[3], v, two[2];
    poison(&v);
    poison(&two);
    ck_assert_status(cm_quantile_exact(NULL, 3, 0.5, scratch, 3, &v), CM_EINVAL);
    ck_assert_status(cm_quantile_exact(xs, 3, 0.5, NULL, 3, &v), CM_EINVAL);
    ck_assert_status(cm_quantile_exact(xs, 3, 0.5, scratch, 3, NULL), CM_EINVAL);
    const double bad_q[] = {D_NAN, -0.1, 1.1, D_INF, -D_INF};
    for (size_t i = 0; i < NELEM(bad_q); i++)
        ck_assert_status(cm_quantile_exact(xs, 3, bad_q[i], scratch, 3, &v), CM_EINVAL);
    const double bad_x[][3] = {{1, D_NAN, 3}, {D_INF, 1, 2}, {1, 2, -D_INF}};
    for (size_t i = 0; i < NELEM(bad_x); i++)
        ck_assert_status(cm_quantile_exact(bad_x[i], 3, 0.5, scratch, 3, &v), CM_EINVAL);
    ck_assert_status(cm_quantile_exact(xs, 0, 0.5, scratch, 3, &v), CM_ENODATA);
    ck_assert_status(cm_quantile_exact(NULL, 0, 0.5, NULL, 0, &v), CM_ENODATA);
    ck_assert_status(cm_quantile_exact(xs, 3, 0.5, scratch, 2, &v), CM_ENOSPC);
    ck_assert_untouched(&v);

    ck_assert_status(cm_quantiles_exact(xs, 3, NULL, 2, scratch, 3, two), CM_EINVAL);
    ck_assert_status(cm_quantiles_exact(xs, 3, qs, 2, scratch, 3, NULL), CM_EINVAL);
    const double mixed[] = {0.5, D_NAN};
    ck_assert_status(cm_quantiles_exact(xs, 3, mixed, 2, scratch, 3, two), CM_EINVAL);
    ck_assert_status(cm_quantiles_exact(xs, 0, qs, 2, scratch, 3, two), CM_ENODATA);
    ck_assert_status(cm_quantiles_exact(xs, 3, qs, 2, scratch, 1, two), CM_ENOSPC);
    ck_assert_untouched(&two);
    /* No levels: nothing to do, but the array is still checked. */
    ck_assert_status(cm_quantiles_exact(xs, 3, NULL, 0, scratch, 3, NULL), CM_OK);
    ck_assert_status(cm_quantiles_exact(bad_x[0], 3, NULL, 0, scratch, 3, NULL), CM_EINVAL);
}
END_TEST

/* ---- sketch: buckets -------------------------------------------------------- */

/* Index of the only non-empty bucket of a one-value sketch, or -1/-2 for the
 * zero and sub-second counts. */
static int only_bucket(const cm_sketch *s)
{
    if (s->zeros == 1)
        return -1;
    if (s->below_one == 1)
        return -2;
    for (int i = 0; i < CM_SKETCH_BUCKETS; i++) {
        if (s->counts[i] == 1)
            return i;
    }
    return -3;
}

/* (Hot loops below count failures and assert once: every Check assertion
 * that passes costs a write to the runner's pipe.) */
static int bucket_of_value(double x)
{
    cm_sketch s = {0};
    if (cm_sketch_add(&s, x) != CM_OK)
        return -4;
    return only_bucket(&s);
}

START_TEST(bucket_bounds_definition)
{
    /* Bucket i is [1.02^i, 1.02^(i+1)) rounded to double, its value 1.02^i * 102/101;
     * every bound is placed on the right side by cm_sketch_add. */
    for (uint32_t i = 0; i < CM_SKETCH_BUCKETS; i++) {
        double lo, hi, v;
        ck_assert_status(cm_sketch_bucket_bounds(i, &lo, &hi, &v), CM_OK);
        ck_assert_rel(lo, pow(1.02, (double)i), POW_REL);
        ck_assert_rel(hi, pow(1.02, (double)(i + 1)), POW_REL);
        ck_assert_rel(v, pow(1.02, (double)i) * 102.0 / 101.0, POW_REL);
        ck_assert(lo < v && v < hi);
        /* the representative is within 1/101 of both ends */
        ck_assert((v - lo) / lo <= SKETCH_REL && (hi - v) / hi <= SKETCH_REL);
        ck_assert_int_eq(bucket_of_value(lo), (int)i);
        ck_assert_int_eq(bucket_of_value(nextafter(hi, 0.0)), (int)i);
        ck_assert_int_eq(bucket_of_value(v), (int)i);
        ck_assert_int_eq(bucket_of_value(nextafter(lo, 0.0)), i == 0 ? -2 : (int)i - 1);
        if (i + 1 < CM_SKETCH_BUCKETS)
            ck_assert_int_eq(bucket_of_value(hi), (int)i + 1);
        else
            ck_assert_double_eq(hi, CM_SKETCH_MAX_SECONDS);
    }
    /* Hand: ln 2 / ln 1.02 = 35.003, ln 60 / ln 1.02 = 206.76, ln 3600 / ln 1.02 = 413.52. */
    ck_assert_int_eq(bucket_of_value(1.0), 0);
    ck_assert_int_eq(bucket_of_value(2.0), 35);
    ck_assert_int_eq(bucket_of_value(60.0), 206);
    ck_assert_int_eq(bucket_of_value(3600.0), 413);
    ck_assert_int_eq(bucket_of_value(0.0), -1);
    ck_assert_int_eq(bucket_of_value(-0.0), -1);
    ck_assert_int_eq(bucket_of_value(DBL_MIN), -2);
    ck_assert_int_eq(bucket_of_value(nextafter(1.0, 0.0)), -2);
    /* 10 years of 365.25 days are inside the range (about 20.3 years). */
    ck_assert(10 * 365.25 * 86400 < CM_SKETCH_MAX_SECONDS);
    ck_assert_int_eq(bucket_of_value(nextafter(CM_SKETCH_MAX_SECONDS, 0.0)), CM_SKETCH_BUCKETS - 1);
}
END_TEST

START_TEST(bucket_random_values)
{
    /* Log-uniform values over the whole range land in the bucket whose bounds
     * enclose them. */
    test_rng r = test_rng_make("bucket_random_values");
    const double top = log(CM_SKETCH_MAX_SECONDS);
    size_t wrong = 0;
    double first_wrong = 0.0;
    for (int k = 0; k < 50000; k++) {
        const double x = fmin(exp(rng_unit(&r) * top), nextafter(CM_SKETCH_MAX_SECONDS, 0.0));
        const int b = bucket_of_value(x);
        double lo = 0, hi = 0, v = 0;
        const bool ok = b >= 0 && cm_sketch_bucket_bounds((uint32_t)b, &lo, &hi, &v) == CM_OK &&
                        lo <= x && x < hi && fabs(v - x) <= SKETCH_REL * x;
        if (!ok && wrong++ == 0)
            first_wrong = x;
    }
    ck_assert_msg(wrong == 0, "%zu values misplaced, the first %.17g", wrong, first_wrong);
}
END_TEST

START_TEST(bucket_bounds_bad_input)
{
    double lo, hi, v;
    poison(&lo);
    poison(&hi);
    poison(&v);
    ck_assert_status(cm_sketch_bucket_bounds(CM_SKETCH_BUCKETS, &lo, &hi, &v), CM_ERANGE);
    ck_assert_status(cm_sketch_bucket_bounds(UINT32_MAX, &lo, &hi, &v), CM_ERANGE);
    ck_assert_status(cm_sketch_bucket_bounds(0, NULL, &hi, &v), CM_EINVAL);
    ck_assert_status(cm_sketch_bucket_bounds(0, &lo, NULL, &v), CM_EINVAL);
    ck_assert_status(cm_sketch_bucket_bounds(0, &lo, &hi, NULL), CM_EINVAL);
    ck_assert_untouched(&lo);
    ck_assert_untouched(&hi);
    ck_assert_untouched(&v);
}
END_TEST

/* ---- sketch: values and quantiles ------------------------------------------ */

static double rep(int i)
{
    return pow(1.02, (double)i) * 102.0 / 101.0;
}

START_TEST(sketch_hand)
{
    /* Values {0, 0.25, 1, 2, 60, 3600}: one zero, one sub-second value, and
     * buckets 0, 35, 206, 413 (see bucket_bounds_definition). Sorted ranks
     * 0..5; h = 5q. Estimates per rank: e0 = min = 0, e1 = clamp(0.5) = 0.5,
     * e2 = rep(0) = 102/101, e3 = rep(35), e4 = rep(206), e5 = max = 3600. */
    cm_sketch s;
    ck_assert_status(cm_sketch_init(&s), CM_OK);
    const double xs[] = {60, 0, 2, 3600, 0.25, 1};
    for (size_t i = 0; i < NELEM(xs); i++)
        ck_assert_status(cm_sketch_add(&s, xs[i]), CM_OK);
    ck_assert_uint_eq(s.n, 6);
    ck_assert_uint_eq(s.zeros, 1);
    ck_assert_uint_eq(s.below_one, 1);
    ck_assert_uint_eq(s.counts[0] + s.counts[35] + s.counts[206] + s.counts[413], 4);
    const struct {
        double q, want, exact;
    } cases[] = {
        {0.0, 0.0, 0.0},    /* h = 0: the exact minimum */
        {1.0, 3600, 3600},  /* h = 5: the exact maximum */
        {0.2, 0.5, 0.25},   /* h = 1: e1; sub-second, within 0.5 s */
        {0.1, 0.25, 0.125}, /* h = 0.5: e1 - 0.5 (e1 - e0) = 0.25 */
        /* h = 2.5: e3 - 0.5 (e3 - e2) = (e2 + e3) / 2; exact (1 + 2) / 2 */
        {0.5, 0.5 * (rep(0) + rep(35)), 1.5},
        /* h = 4.5: 3600 - 0.5 (3600 - e4); exact (60 + 3600) / 2 = 1830 */
        {0.9, 3600 - 0.5 * (3600 - rep(206)), 1830},
        /* h = 3: e3 exactly; exact 2 */
        {0.6, rep(35), 2.0},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        double v;
        ck_assert_status(cm_sketch_quantile(&s, cases[i].q, &v), CM_OK);
        ck_assert_rel(v, cases[i].want, POW_REL);
        if (cases[i].exact >= 1.0)
            ck_assert(fabs(v - cases[i].exact) <= SKETCH_REL * cases[i].exact);
        else
            ck_assert(fabs(v - cases[i].exact) <= 0.5);
    }
    /* The same levels at once, in another order. */
    const double qs[] = {0.9, 0.0, 0.5, 0.9};
    double out[4];
    ck_assert_status(cm_sketch_quantiles(&s, qs, 4, out), CM_OK);
    for (size_t j = 0; j < 4; j++) {
        double v;
        ck_assert_status(cm_sketch_quantile(&s, qs[j], &v), CM_OK);
        ck_assert_double_eq(out[j], v);
    }
    /* Hand: mean = (0 + 0.25 + 1 + 2 + 60 + 3600) / 6 = 3663.25 / 6. */
    cm_sketch_summary sum;
    ck_assert_status(cm_sketch_result(&s, &sum), CM_OK);
    ck_assert_uint_eq(sum.n, 6);
    ck_assert_uint_eq(sum.zeros, 1);
    ck_assert_double_eq(sum.min_seconds, 0.0);
    ck_assert_double_eq(sum.max_seconds, 3600.0);
    ck_assert_double_eq(sum.total_seconds, 3663.25);
    ck_assert_double_eq(sum.mean_seconds, 3663.25 / 6.0);
    ck_assert_uint_eq(s.sum_us[0], 3663250000u);
    ck_assert_uint_eq(s.sum_us[1], 0);
}
END_TEST

START_TEST(sketch_small_counts_exact)
{
    /* With one or two values every quantile is exact: the ranks are the
     * exact minimum and maximum. Hand: {60, 3600}: median 1830, p90 3246,
     * p99 60 + 0.99 * 3540 = 3564.6. */
    cm_sketch s = {0};
    double v;
    ck_assert_status(cm_sketch_add(&s, 60), CM_OK);
    ck_assert_status(cm_sketch_quantile(&s, 0.37, &v), CM_OK);
    ck_assert_double_eq(v, 60.0);
    ck_assert_status(cm_sketch_add(&s, 3600), CM_OK);
    ck_assert_status(cm_sketch_quantile(&s, 0.5, &v), CM_OK);
    ck_assert_double_eq(v, 1830.0);
    ck_assert_status(cm_sketch_quantile(&s, 0.9, &v), CM_OK);
    ck_assert_double_eq_tol(v, 3246.0, 1e-9);
    ck_assert_status(cm_sketch_quantile(&s, 0.99, &v), CM_OK);
    ck_assert_double_eq_tol(v, 3564.6, 1e-9);
}
END_TEST

START_TEST(sketch_sub_second_and_zero)
{
    /* {0, 0, 0, 5}: median rank 1.5 lies among the zeros: exactly 0.
     * {0.2, 0.3, 0.9}: median e1 = clamp(0.5, 0.2, 0.9) = 0.5 (exact 0.3). */
    cm_sketch s = {0};
    const double a[] = {0, 0, 5, 0};
    ck_assert_status(cm_sketch_add_many(&s, a, 4), CM_OK);
    double v;
    ck_assert_status(cm_sketch_quantile(&s, 0.5, &v), CM_OK);
    ck_assert_double_eq(v, 0.0);
    ck_assert_uint_eq(s.zeros, 3);
    cm_sketch t = {0};
    const double b[] = {0.9, 0.2, 0.3};
    ck_assert_status(cm_sketch_add_many(&t, b, 3), CM_OK);
    ck_assert_status(cm_sketch_quantile(&t, 0.5, &v), CM_OK);
    ck_assert_double_eq(v, 0.5);
    /* Clamping: {0.1, 0.2, 0.3}: e1 = clamp(0.5, 0.1, 0.3) = 0.3. */
    cm_sketch u = {0};
    const double c[] = {0.1, 0.2, 0.3};
    ck_assert_status(cm_sketch_add_many(&u, c, 3), CM_OK);
    ck_assert_status(cm_sketch_quantile(&u, 0.5, &v), CM_OK);
    ck_assert_double_eq(v, 0.3);
    /* Random sub-second data: always within 0.5 s. */
    test_rng r = test_rng_make("sketch_sub_second_and_zero");
    for (int round = 0; round < 100; round++) {
        cm_sketch w = {0};
        const size_t n = 1 + (size_t)rng_below(&r, 1000);
        for (size_t i = 0; i < n; i++)
            big_a[i] = rng_unit(&r);
        ck_assert_status(cm_sketch_add_many(&w, big_a, n), CM_OK);
        sort_doubles(big_a, n);
        const double q = rng_unit(&r);
        ck_assert_status(cm_sketch_quantile(&w, q, &v), CM_OK);
        ck_assert(fabs(v - type7_sorted(big_a, n, q)) < 0.5);
    }
}
END_TEST

/* ---- acceptance: 10^6 values, four distributions, 100 shards ------------- */

static double box_muller(test_rng *r)
{
    const double u1 = 1.0 - rng_unit(r), u2 = rng_unit(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* 0 lognormal (median 10 min, sigma 1.5), 1 uniform 1 s..7 days,
 * 2 Pareto (scale 30 s, shape 1.2: heavy tail, infinite variance), 3 all equal. */
static const char *const dist_names[] = {"lognormal", "uniform", "pareto", "equal"};

static double draw(int dist, test_rng *r)
{
    for (;;) {
        double x;
        switch (dist) {
        case 0:
            x = 600.0 * exp(1.5 * box_muller(r));
            break;
        case 1:
            x = 1.0 + rng_unit(r) * (7 * 86400.0 - 1.0);
            break;
        case 2:
            x = 30.0 * pow(1.0 - rng_unit(r), -1.0 / 1.2);
            break;
        default:
            x = 1234.5;
            break;
        }
        if (x < CM_SKETCH_MAX_SECONDS)
            return x;
    }
}

static cm_sketch shards[100];

START_TEST(sketch_acceptance)
{
    const int dist = _i;
    test_rng r = test_rng_make(dist_names[dist]);
    const size_t n = BIG;
    for (size_t i = 0; i < n; i++)
        big_a[i] = draw(dist, &r);
    static cm_sketch whole, merged, via_bytes;
    ck_assert_status(cm_sketch_init(&whole), CM_OK);
    ck_assert_status(cm_sketch_add_many(&whole, big_a, n), CM_OK);
    ck_assert_uint_eq(whole.n, n);

    /* Reference: sort + type 7, and the library's exact quantiles must agree. */
    memcpy(big_b, big_a, n * sizeof *big_a);
    sort_doubles(big_b, n);
    size_t unsorted = 0;
    for (size_t i = 1; i < n; i++)
        unsorted += big_b[i - 1] > big_b[i];
    ck_assert_uint_eq(unsorted, 0);
    const double qs[] = {0.0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0};
    double est[NELEM(qs)], exact[NELEM(qs)];
    ck_assert_status(cm_quantiles_exact(big_a, n, qs, NELEM(qs), big_c, n, exact), CM_OK);
    ck_assert_status(cm_sketch_quantiles(&whole, qs, NELEM(qs), est), CM_OK);
    for (size_t j = 0; j < NELEM(qs); j++) {
        const double ref = type7_sorted(big_b, n, qs[j]);
        ck_assert_double_eq(exact[j], ref);
        /* Every value is >= 1 s here, so the relative bound applies. */
        ck_assert_msg(fabs(est[j] - ref) <= SKETCH_REL * ref,
                      "%s q=%g: sketch %.17g exact %.17g rel %.3g", dist_names[dist], qs[j], est[j],
                      ref, fabs(est[j] - ref) / ref);
        if (dist == 3)
            ck_assert_double_eq(est[j], 1234.5); /* clamped to [min, max] */
    }
    ck_assert_double_eq(est[0], big_b[0]);
    ck_assert_double_eq(est[NELEM(qs) - 1], big_b[n - 1]);

    /* The mean: values rounded to whole microseconds and summed exactly, as a
     * two-word integer (each value is below 2^50 us, so a carry fits). Then
     * one rounding to double for the sum and two divisions: a few ulps. */
    uint64_t lo_us = 0, hi_us = 0;
    for (size_t i = 0; i < n; i++) {
        const uint64_t us = (uint64_t)llround(big_a[i] * 1e6);
        lo_us += us;
        hi_us += lo_us < us;
    }
    cm_sketch_summary sum;
    ck_assert_status(cm_sketch_result(&whole, &sum), CM_OK);
    const double total = (double)hi_us * 0x1p64 + (double)lo_us;
    ck_assert_rel(sum.mean_seconds, total / 1e6 / (double)n, 1e-15);
    ck_assert_double_eq(sum.min_seconds, big_b[0]);
    ck_assert_double_eq(sum.max_seconds, big_b[n - 1]);

    /* 100 shards: each value to a random shard; merged in a random order,
     * directly and through bytes, they are the single-pass sketch, byte for byte. */
    for (size_t s = 0; s < NELEM(shards); s++)
        ck_assert_status(cm_sketch_init(&shards[s]), CM_OK);
    size_t failed = 0;
    for (size_t i = 0; i < n; i++)
        failed += cm_sketch_add(&shards[rng_below(&r, NELEM(shards))], big_a[i]) != CM_OK;
    ck_assert_uint_eq(failed, 0);
    size_t order[NELEM(shards)];
    for (size_t s = 0; s < NELEM(shards); s++)
        order[s] = s;
    for (size_t s = NELEM(shards); s > 1; s--) {
        const size_t j = (size_t)rng_below(&r, s);
        const size_t t = order[s - 1];
        order[s - 1] = order[j];
        order[j] = t;
    }
    ck_assert_status(cm_sketch_init(&merged), CM_OK);
    ck_assert_status(cm_sketch_init(&via_bytes), CM_OK);
    static uint8_t buf[CM_SKETCH_SERIALIZED_MAX], buf2[CM_SKETCH_SERIALIZED_MAX];
    for (size_t s = 0; s < NELEM(shards); s++) {
        ck_assert_status(cm_sketch_merge(&merged, &shards[order[s]]), CM_OK);
        size_t w;
        static cm_sketch back;
        ck_assert_status(cm_sketch_serialize(&shards[order[s]], buf, sizeof buf, &w), CM_OK);
        ck_assert_status(cm_sketch_deserialize(buf, w, &back), CM_OK);
        ck_assert_status(cm_sketch_merge(&via_bytes, &back), CM_OK);
    }
    ck_assert_mem_eq(&merged, &whole, sizeof whole);
    ck_assert_mem_eq(&via_bytes, &whole, sizeof whole);
    size_t w1, w2;
    ck_assert_status(cm_sketch_serialize(&whole, buf, sizeof buf, &w1), CM_OK);
    ck_assert_status(cm_sketch_serialize(&merged, buf2, sizeof buf2, &w2), CM_OK);
    ck_assert_uint_eq(w1, w2);
    ck_assert_mem_eq(buf, buf2, w1);
    fprintf(stderr, "%s: 10^6 values serialize to %zu bytes\n", dist_names[dist], w1);
}
END_TEST

/* ---- merge properties ---------------------------------------------------- */

START_TEST(sketch_merge_properties)
{
    /* (a + b) + c == a + (b + c) == c + b + a, and a + a doubles every count. */
    test_rng r = test_rng_make("sketch_merge_properties");
    for (int round = 0; round < 30; round++) {
        static cm_sketch a, b, c, ab_c, a_bc, cba, aa, tmp;
        ck_assert_status(cm_sketch_init(&a), CM_OK);
        ck_assert_status(cm_sketch_init(&b), CM_OK);
        ck_assert_status(cm_sketch_init(&c), CM_OK);
        cm_sketch *const parts[] = {&a, &b, &c};
        size_t failed = 0;
        for (int p = 0; p < 3; p++) {
            const size_t n = (size_t)rng_below(&r, 2000);
            for (size_t i = 0; i < n; i++) {
                const uint64_t kind = rng_below(&r, 10);
                const double x = kind == 0 ? 0.0 : kind == 1 ? rng_unit(&r) : draw(0, &r);
                failed += cm_sketch_add(parts[p], x) != CM_OK;
            }
        }
        ck_assert_uint_eq(failed, 0);
        ab_c = a;
        ck_assert_status(cm_sketch_merge(&ab_c, &b), CM_OK);
        ck_assert_status(cm_sketch_merge(&ab_c, &c), CM_OK);
        tmp = b;
        ck_assert_status(cm_sketch_merge(&tmp, &c), CM_OK);
        a_bc = a;
        ck_assert_status(cm_sketch_merge(&a_bc, &tmp), CM_OK);
        cba = c;
        ck_assert_status(cm_sketch_merge(&cba, &b), CM_OK);
        ck_assert_status(cm_sketch_merge(&cba, &a), CM_OK);
        ck_assert_mem_eq(&ab_c, &a_bc, sizeof a);
        ck_assert_mem_eq(&ab_c, &cba, sizeof a);
        aa = a;
        ck_assert_status(cm_sketch_merge(&aa, &aa), CM_OK);
        ck_assert_uint_eq(aa.n, 2 * a.n);
        size_t not_doubled = 0;
        for (int i = 0; i < CM_SKETCH_BUCKETS; i++)
            not_doubled += aa.counts[i] != 2 * a.counts[i];
        ck_assert_uint_eq(not_doubled, 0);
        ck_assert_double_eq(aa.min_seconds, a.min_seconds);
        /* Merging an empty sketch changes nothing; into an empty one copies. */
        cm_sketch empty = {0};
        tmp = a;
        ck_assert_status(cm_sketch_merge(&tmp, &empty), CM_OK);
        ck_assert_mem_eq(&tmp, &a, sizeof a);
        ck_assert_status(cm_sketch_merge(&empty, &a), CM_OK);
        ck_assert_mem_eq(&empty, &a, sizeof a);
    }
}
END_TEST

/* ---- bad input -------------------------------------------------------------- */

START_TEST(sketch_add_bad_input)
{
    cm_sketch s = {0};
    ck_assert_status(cm_sketch_add(&s, 10), CM_OK);
    const cm_sketch before = s;
    const double invalid[] = {D_NAN, D_INF, -D_INF, -1.0, -DBL_MIN};
    for (size_t i = 0; i < NELEM(invalid); i++)
        ck_assert_status(cm_sketch_add(&s, invalid[i]), CM_EINVAL);
    ck_assert_status(cm_sketch_add(&s, CM_SKETCH_MAX_SECONDS), CM_ERANGE);
    ck_assert_status(cm_sketch_add(&s, 1e300), CM_ERANGE);
    ck_assert_status(cm_sketch_add(NULL, 1.0), CM_EINVAL);
    /* All or nothing; an invalid value outranks an out-of-range one. */
    const double mixed[] = {1, 2, D_NAN};
    const double far[] = {1, 2, 1e12};
    const double both[] = {1e12, -5};
    ck_assert_status(cm_sketch_add_many(&s, mixed, 3), CM_EINVAL);
    ck_assert_status(cm_sketch_add_many(&s, far, 3), CM_ERANGE);
    ck_assert_status(cm_sketch_add_many(&s, both, 2), CM_EINVAL);
    ck_assert_status(cm_sketch_add_many(&s, NULL, 3), CM_EINVAL);
    ck_assert_status(cm_sketch_add_many(NULL, far, 1), CM_EINVAL);
    ck_assert_mem_eq(&s, &before, sizeof s);
    ck_assert_status(cm_sketch_add_many(&s, NULL, 0), CM_OK);
    ck_assert_mem_eq(&s, &before, sizeof s);
    ck_assert_status(cm_sketch_init(NULL), CM_EINVAL);

    /* A damaged struct is rejected by the cheap checks of add. */
    cm_sketch broken = s;
    broken.min_seconds = 20; /* above max */
    ck_assert_status(cm_sketch_add(&broken, 1), CM_EINVAL);
    broken = s;
    broken.max_seconds = D_NAN;
    ck_assert_status(cm_sketch_add(&broken, 1), CM_EINVAL);
    ck_assert_status(cm_sketch_add_many(&broken, far, 2), CM_EINVAL);
    broken = (cm_sketch){0};
    broken.max_seconds = 3; /* empty with a maximum */
    ck_assert_status(cm_sketch_add(&broken, 1), CM_EINVAL);
}
END_TEST

/* A valid sketch holding `n` values of 1 s: counts[0] = n, sum n * 10^6 us. */
static void ones(cm_sketch *s, uint64_t n)
{
    memset(s, 0, sizeof *s);
    s->n = n;
    s->counts[0] = n;
    s->min_seconds = s->max_seconds = 1.0;
    /* n * 10^6 as 128 bits: n = a * 2^32 + b */
    const uint64_t a = n >> 32, b = n & 0xffffffffu;
    const uint64_t lo_part = b * 1000000u;         /* < 2^52 */
    const uint64_t hi_part = a * 1000000u;         /* < 2^52, weight 2^32 */
    const uint64_t lo = lo_part + (hi_part << 32); /* may wrap */
    s->sum_us[0] = lo;
    s->sum_us[1] = (hi_part >> 32) + (lo < lo_part);
}

START_TEST(sketch_overflow)
{
    cm_sketch full, half;
    ones(&full, UINT64_MAX);
    const cm_sketch before = full;
    ck_assert_status(cm_sketch_add(&full, 1.0), CM_EOVERFLOW);
    const double one[] = {1.0};
    ck_assert_status(cm_sketch_add_many(&full, one, 1), CM_EOVERFLOW);
    ck_assert_mem_eq(&full, &before, sizeof full);
    /* The construction is a valid state: it gives a result. */
    cm_sketch_summary sum;
    ck_assert_status(cm_sketch_result(&full, &sum), CM_OK);
    ck_assert_double_eq(sum.mean_seconds, 1.0);
    ones(&half, UINT64_C(1) << 63);
    const cm_sketch half_before = half;
    ck_assert_status(cm_sketch_merge(&half, &half), CM_EOVERFLOW);
    ck_assert_mem_eq(&half, &half_before, sizeof half);
    ck_assert_status(cm_sketch_merge(&full, &half), CM_EOVERFLOW);
    ck_assert_mem_eq(&full, &before, sizeof full);
    ones(&half, (UINT64_C(1) << 63) - 1);
    ck_assert_status(cm_sketch_merge(&half, &half), CM_OK);
    ck_assert_uint_eq(half.n, UINT64_MAX - 1);
    ck_assert_status(cm_sketch_result(&half, &sum), CM_OK);
    ck_assert_double_eq(sum.mean_seconds, 1.0);
}
END_TEST

START_TEST(sketch_read_bad_input)
{
    cm_sketch s = {0}, empty = {0};
    const double xs[] = {5, 50, 500};
    ck_assert_status(cm_sketch_add_many(&s, xs, 3), CM_OK);
    double v;
    cm_sketch_summary sum;
    double out[2];
    poison(&v);
    poison(&sum);
    poison(&out);
    ck_assert_status(cm_sketch_quantile(NULL, 0.5, &v), CM_EINVAL);
    ck_assert_status(cm_sketch_quantile(&s, 0.5, NULL), CM_EINVAL);
    const double bad_q[] = {D_NAN, -0.0001, 1.0001, D_INF, -D_INF};
    for (size_t i = 0; i < NELEM(bad_q); i++)
        ck_assert_status(cm_sketch_quantile(&s, bad_q[i], &v), CM_EINVAL);
    ck_assert_status(cm_sketch_quantile(&empty, 0.5, &v), CM_ENODATA);
    const double qs[] = {0.5, D_NAN};
    ck_assert_status(cm_sketch_quantiles(&s, qs, 2, out), CM_EINVAL);
    ck_assert_status(cm_sketch_quantiles(&s, NULL, 2, out), CM_EINVAL);
    ck_assert_status(cm_sketch_quantiles(&s, qs, 1, NULL), CM_EINVAL);
    ck_assert_status(cm_sketch_quantiles(&empty, qs, 1, out), CM_ENODATA);
    ck_assert_status(cm_sketch_quantiles(&s, NULL, 0, NULL), CM_OK);
    ck_assert_status(cm_sketch_result(&empty, &sum), CM_ENODATA);
    ck_assert_status(cm_sketch_result(NULL, &sum), CM_EINVAL);
    ck_assert_status(cm_sketch_result(&s, NULL), CM_EINVAL);
    ck_assert_status(cm_sketch_merge(&s, NULL), CM_EINVAL);
    ck_assert_status(cm_sketch_merge(NULL, &s), CM_EINVAL);

    /* Damaged structs: each inconsistency is caught by every full reader. */
    cm_sketch bad[8];
    for (size_t i = 0; i < NELEM(bad); i++)
        bad[i] = s;
    bad[0].n = 4;              /* counts add up to 3 */
    bad[1].counts[1000] = 1;   /* ... or to 4 */
    bad[2].min_seconds = 6;    /* not in the lowest non-empty bucket */
    bad[3].max_seconds = 400;  /* not in the highest non-empty bucket */
    bad[4].sum_us[1] = 1;      /* sum above n * max */
    bad[5].sum_us[0] = 1;      /* sum below n * min */
    bad[6].min_seconds = -0.0; /* sign bit: never stored */
    bad[7].zeros = 1;          /* a zero, but min is 5 */
    bad[7].n = 4;
    cm_sketch ok = s;
    uint8_t buf[CM_SKETCH_SERIALIZED_MAX];
    size_t w;
    for (size_t i = 0; i < NELEM(bad); i++) {
        ck_assert_msg(cm_sketch_quantile(&bad[i], 0.5, &v) == CM_EINVAL, "bad[%zu] quantile", i);
        ck_assert_msg(cm_sketch_quantiles(&bad[i], qs, 1, out) == CM_EINVAL, "bad[%zu]", i);
        ck_assert_msg(cm_sketch_result(&bad[i], &sum) == CM_EINVAL, "bad[%zu] result", i);
        ck_assert_msg(cm_sketch_serialize(&bad[i], buf, sizeof buf, &w) == CM_EINVAL,
                      "bad[%zu] serialize", i);
        ck_assert_msg(cm_sketch_merge(&ok, &bad[i]) == CM_EINVAL, "bad[%zu] merge", i);
        ck_assert_msg(cm_sketch_merge(&bad[i], &s) == CM_EINVAL, "bad[%zu] merge into", i);
    }
    ck_assert_mem_eq(&ok, &s, sizeof s);
    /* One value whose min and max differ. */
    cm_sketch single = {0};
    ck_assert_status(cm_sketch_add(&single, 5.0), CM_OK);
    single.max_seconds = nextafter(5.0, 6.0);
    ck_assert_status(cm_sketch_result(&single, &sum), CM_EINVAL);
    ck_assert_untouched(&v);
    ck_assert_untouched(&sum);
    ck_assert_untouched(&out);
}
END_TEST

/* ---- serialization -------------------------------------------------------- */

START_TEST(serialize_layout)
{
    /* Pinned by docs/sketch.md. A sketch of {0, 1, 2}: "CM", kind 5, version 1,
     * four zero bytes; zeros = 1; below_one = 0; min = 0.0; max = 2.0
     * (0x4000000000000000); sum = 3 000 000 us (0x2DC6C0); m = 2; buckets 0
     * and 35 (ln 2 / ln 1.02 = 35.003): gap 0 count 1, gap 34 count 1; then
     * the CRC-32 of the 62 bytes before it, 0x877d7a52 by Python's zlib.crc32. */
    cm_sketch s = {0};
    const double xs[] = {2, 0, 1};
    ck_assert_status(cm_sketch_add_many(&s, xs, 3), CM_OK);
    uint8_t buf[128];
    size_t w;
    ck_assert_status(cm_sketch_serialize(&s, buf, sizeof buf, &w), CM_OK);
    const uint8_t want[66] = {
        'C',  'M',  5,    1,    0, 0, 0, 0,    /* frame, reserved */
        1,    0,    0,    0,    0, 0, 0, 0,    /* zeros */
        0,    0,    0,    0,    0, 0, 0, 0,    /* below_one */
        0,    0,    0,    0,    0, 0, 0, 0,    /* min 0.0 */
        0,    0,    0,    0,    0, 0, 0, 0x40, /* max 2.0 */
        0xc0, 0xc6, 0x2d, 0,    0, 0, 0, 0,    /* sum low */
        0,    0,    0,    0,    0, 0, 0, 0,    /* sum high */
        2,    0,                               /* m */
        0,    1,    34,   1,                   /* entries */
        0x52, 0x7a, 0x7d, 0x87,                /* CRC */
    };
    ck_assert_uint_eq(w, sizeof want);
    ck_assert_mem_eq(buf, want, sizeof want);
    cm_sketch back;
    ck_assert_status(cm_sketch_deserialize(buf, w, &back), CM_OK);
    ck_assert_mem_eq(&back, &s, sizeof s);
    /* An empty sketch is the 62-byte minimum. */
    cm_sketch empty = {0};
    ck_assert_status(cm_sketch_serialize(&empty, buf, sizeof buf, &w), CM_OK);
    ck_assert_uint_eq(w, 62);
    ck_assert_status(cm_sketch_deserialize(buf, w, &back), CM_OK);
    ck_assert_mem_eq(&back, &empty, sizeof empty);
}
END_TEST

START_TEST(serialize_round_trip_property)
{
    test_rng r = test_rng_make("serialize_round_trip_property");
    static uint8_t buf[CM_SKETCH_SERIALIZED_MAX];
    for (int round = 0; round < 200; round++) {
        static cm_sketch s, back;
        ck_assert_status(cm_sketch_init(&s), CM_OK);
        const size_t n = (size_t)rng_below(&r, 3000);
        size_t failed = 0;
        for (size_t i = 0; i < n; i++)
            failed += cm_sketch_add(&s, draw((int)rng_below(&r, 3), &r)) != CM_OK;
        ck_assert_uint_eq(failed, 0);
        /* Now and then a huge count, so that long varints are exercised. */
        if (round % 7 == 0 && n > 0) {
            cm_sketch big;
            ones(&big, UINT64_C(1) << (40 + round % 20));
            ck_assert_status(cm_sketch_merge(&s, &big), CM_OK);
        }
        size_t w;
        ck_assert_status(cm_sketch_serialize(&s, buf, sizeof buf, &w), CM_OK);
        ck_assert_uint_le(w, CM_SKETCH_SERIALIZED_MAX);
        ck_assert_status(cm_sketch_deserialize(buf, w, &back), CM_OK);
        ck_assert_mem_eq(&back, &s, sizeof s);
    }
}
END_TEST

START_TEST(serialize_max_size)
{
    /* Every bucket used with counts needing 9- and 10-byte varints stays
     * within CM_SKETCH_SERIALIZED_MAX. */
    static cm_sketch s;
    static uint8_t buf[CM_SKETCH_SERIALIZED_MAX + 16];
    memset(&s, 0, sizeof s);
    uint64_t n = 0;
    for (int i = 0; i < CM_SKETCH_BUCKETS; i++) {
        s.counts[i] = (UINT64_C(1) << 52) + (uint64_t)i; /* 8-byte varints */
        n += s.counts[i];
    }
    s.counts[0] += UINT64_C(1) << 63; /* one 10-byte varint; n stays below 2^64 */
    n += UINT64_C(1) << 63;
    s.n = n;
    double lo, hi, v;
    ck_assert_status(cm_sketch_bucket_bounds(0, &lo, &hi, &v), CM_OK);
    s.min_seconds = 1.0;
    ck_assert_status(cm_sketch_bucket_bounds(CM_SKETCH_BUCKETS - 1, &lo, &hi, &v), CM_OK);
    s.max_seconds = lo;
    s.sum_us[1] = 1u << 20; /* between n * 10^6 and n * 6.4e14 */
    size_t w;
    ck_assert_status(cm_sketch_serialize(&s, buf, sizeof buf, &w), CM_OK);
    ck_assert_uint_le(w, CM_SKETCH_SERIALIZED_MAX);
    static cm_sketch back;
    ck_assert_status(cm_sketch_deserialize(buf, w, &back), CM_OK);
    ck_assert_mem_eq(&back, &s, sizeof s);
}
END_TEST

/* Rewrites the CRC trailer so that a deliberate change reaches the checks behind it. */
static void fix_crc(uint8_t *buf, size_t len);

START_TEST(deserialize_rejects_damage)
{
    test_rng r = test_rng_make("deserialize_rejects_damage");
    cm_sketch s = {0};
    for (int i = 0; i < 500; i++)
        ck_assert_status(cm_sketch_add(&s, draw(0, &r)), CM_OK);
    ck_assert_status(cm_sketch_add(&s, 0.0), CM_OK);
    uint8_t buf[CM_SKETCH_SERIALIZED_MAX + 1], bad[CM_SKETCH_SERIALIZED_MAX + 1];
    size_t w;
    ck_assert_status(cm_sketch_serialize(&s, buf, sizeof buf, &w), CM_OK);
    cm_sketch out;
    poison(&out);
    /* Every truncation, one byte too many, every single-bit flip. */
    for (size_t len = 0; len < w; len++)
        ck_assert_status(cm_sketch_deserialize(buf, len, &out), CM_EPARSE);
    memcpy(bad, buf, w);
    bad[w] = 0;
    ck_assert_status(cm_sketch_deserialize(bad, w + 1, &out), CM_EPARSE);
    for (size_t bit = 0; bit < 8 * w; bit++) {
        memcpy(bad, buf, w);
        bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        ck_assert_status(cm_sketch_deserialize(bad, w, &out), CM_EPARSE);
    }
    /* Changes behind a valid CRC (bits flipped): kind, version, a reserved
     * byte, m (by 1 and by 1024), the sign of min (0.0 becomes -0.0), the
     * exponent of max, the top byte of the sum. */
    const struct {
        size_t offset;
        uint8_t flip;
    } edits[] = {{2, 0x01},  {3, 0x03},  {5, 0x01},  {56, 0x01},
                 {57, 0x04}, {31, 0x80}, {39, 0x7f}, {47, 0xff}};
    for (size_t e = 0; e < NELEM(edits); e++) {
        memcpy(bad, buf, w);
        bad[edits[e].offset] ^= edits[e].flip;
        fix_crc(bad, w);
        ck_assert_msg(cm_sketch_deserialize(bad, w, &out) == CM_EPARSE, "edit %zu", e);
    }
    ck_assert_untouched(&out);
    ck_assert_status(cm_sketch_deserialize(NULL, w, &out), CM_EINVAL);
    ck_assert_status(cm_sketch_deserialize(buf, w, NULL), CM_EINVAL);
}
END_TEST

/* A hand-built buffer: the fixed part of a sketch with min = max = 1 s and a
 * sum of `count` seconds, followed by `entries`, then the CRC. */
static size_t hand_bytes(uint8_t *buf, const uint8_t *entries, size_t elen, uint16_t m,
                         uint64_t count)
{
    memset(buf, 0, 58);
    buf[0] = 'C';
    buf[1] = 'M';
    buf[2] = 5;
    buf[3] = 1;
    const double one = 1.0;
    uint64_t bits, sum = count * 1000000u;
    memcpy(&bits, &one, 8);
    for (int i = 0; i < 8; i++) {
        buf[24 + i] = (uint8_t)(bits >> (8 * i));
        buf[32 + i] = (uint8_t)(bits >> (8 * i));
        buf[40 + i] = (uint8_t)(sum >> (8 * i));
    }
    buf[56] = (uint8_t)m;
    buf[57] = (uint8_t)(m >> 8);
    memcpy(buf + 58, entries, elen);
    fix_crc(buf, 58 + elen + 4);
    return 58 + elen + 4;
}

START_TEST(deserialize_rejects_non_canonical)
{
    uint8_t buf[128];
    cm_sketch out;
    /* The canonical form of "3 values of 1 s" is accepted. */
    const uint8_t good[] = {0, 3};
    ck_assert_status(cm_sketch_deserialize(buf, hand_bytes(buf, good, 2, 1, 3), &out), CM_OK);
    ck_assert_uint_eq(out.counts[0], 3);
    ck_assert_uint_eq(out.n, 3);
    poison(&out);
    const struct {
        uint8_t e[12];
        size_t len;
        uint16_t m;
        const char *why;
    } cases[] = {
        {{0x80, 0x00, 3}, 3, 1, "non-minimal gap"},
        {{0, 0x83, 0x00}, 3, 1, "non-minimal count"},
        {{0, 0}, 2, 1, "zero count"},
        {{0, 3, 0}, 3, 1, "trailing byte"},
        {{0, 3}, 2, 2, "m larger than the entries"},
        {{0, 1, 0, 2}, 4, 1, "m smaller than the entries"},
        {{0x80, 0x08, 3}, 3, 1, "index 1024"},
        {{0, 0x83}, 2, 1, "varint cut by the end"},
        {{0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}, 11, 1, "count > 2^64"},
        {{0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0},
         12,
         1,
         "11-byte varint"},
        {{1, 3}, 2, 1, "min of 1 s but bucket 1"},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        const size_t len = hand_bytes(buf, cases[i].e, cases[i].len, cases[i].m, 3);
        ck_assert_msg(cm_sketch_deserialize(buf, len, &out) == CM_EPARSE, "%s", cases[i].why);
    }
    /* m above 1024. */
    ck_assert_status(cm_sketch_deserialize(buf, hand_bytes(buf, good, 2, 1025, 3), &out),
                     CM_EPARSE);
    /* A sum that disagrees with n values of 1 s. */
    ck_assert_status(cm_sketch_deserialize(buf, hand_bytes(buf, good, 2, 1, 4), &out), CM_EPARSE);
    ck_assert_untouched(&out);
}
END_TEST

START_TEST(serialize_no_space)
{
    cm_sketch s = {0};
    const double xs[] = {3, 30, 300, 3000};
    ck_assert_status(cm_sketch_add_many(&s, xs, 4), CM_OK);
    uint8_t buf[128];
    size_t w;
    ck_assert_status(cm_sketch_serialize(&s, buf, sizeof buf, &w), CM_OK);
    uint8_t small[128];
    memset(small, CM_POISON, sizeof small);
    size_t need = 0;
    ck_assert_status(cm_sketch_serialize(&s, small, w - 1, &need), CM_ENOSPC);
    ck_assert_uint_eq(need, w);
    ck_assert_untouched(&small);
    ck_assert_status(cm_sketch_serialize(&s, NULL, 128, &need), CM_EINVAL);
    ck_assert_status(cm_sketch_serialize(&s, small, 128, NULL), CM_EINVAL);
    ck_assert_status(cm_sketch_serialize(NULL, small, 128, &need), CM_EINVAL);
}
END_TEST

START_TEST(sketch_sizeof_matches)
{
    ck_assert_uint_eq(cm_sketch_sizeof("cm_sketch"), sizeof(cm_sketch));
    ck_assert_uint_eq(cm_sketch_sizeof("cm_sketch_summary"), sizeof(cm_sketch_summary));
    ck_assert_uint_eq(cm_sketch_sizeof("cm_nothing"), 0);
    ck_assert_uint_eq(cm_sketch_sizeof(NULL), 0);
    ck_assert_uint_eq(cm_sketch_sizeof("cm_share"), sizeof(cm_share));
    ck_assert_uint_eq(cm_sketch_sizeof("cm_sketch2"), sizeof(cm_sketch2));
    ck_assert_uint_eq(cm_sketch_sizeof("cm_sketch2_summary"), sizeof(cm_sketch2_summary));
    /* cm_sketch2 is a cm_sketch and 64 bytes; the summary 12 words. */
    ck_assert_uint_eq(sizeof(cm_sketch2), 8312);
    ck_assert_uint_eq(sizeof(cm_sketch2_summary), 96);
    ck_assert_uint_eq(sizeof(cm_share), 56);
    /* The documented size: 1024 buckets and 7 more 64-bit words. */
    ck_assert_uint_eq(sizeof(cm_sketch), 8248);
}
END_TEST

/* ---- exact rounding to whole microseconds ---------------------------------- */

/* Microseconds the sketch's sum gains from one value x. */
static uint64_t added_micros(cm_sketch *s, double x)
{
    const uint64_t before = s->sum_us[0];
    ck_assert_status(cm_sketch_add(s, x), CM_OK);
    return s->sum_us[0] - before; /* the high word never moves here */
}

START_TEST(micros_rounding_cases)
{
    /* Halves round up, anything below a half rounds down, judged on the exact
     * value of the double: 5e-7 is 4.99999999999999977e-7 (below half a
     * microsecond), 1.9999995 is 1.99999949999999994 s, 2.5e-6 is
     * 2.50000000000000020e-6 (above 2.5 us), 1.5e-6 is
     * 1.50000000000000004e-6 (above), 3.5e-6 and 1.0000015 are just below
     * their halves, and so is 640583700.0000005, 640583700.00000047684 s
     * (Python: Fraction(x) * 10**6). */
    static cm_sketch s;
    ck_assert_status(cm_sketch_init(&s), CM_OK);
    const struct {
        double x;
        uint64_t us;
    } cases[] = {
        {5e-7, 0},
        {1.9999995, 1999999},
        {2.5e-6, 3},
        {1.5e-6, 2},
        {3.5e-6, 3},
        {1.0000015, 1000001},
        {0.0078125, 7813},          /* 2^-7 s is exactly 7812.5 us: halves up */
        {1234.5678125, 1234567812}, /* 1234.56781249999995 s */
        {0.0, 0},
        {1e-6, 1},
        {0.5, 500000},
        {4.9406564584124654e-324, 0},         /* smallest subnormal */
        {0x1.fffffffffffffp-22, 0},           /* just below 2^-21 s = 0.4768 us */
        {3600.0000005, 3600000001},           /* 3600.00000050000002 s */
        {640583700.0000005, 640583700000000}, /* near the top: ulp 1.2e-7 s */
        {nextafter(CM_SKETCH_MAX_SECONDS, 0.0), 640583700876211},
    };
    for (size_t i = 0; i < NELEM(cases); i++)
        ck_assert_msg(added_micros(&s, cases[i].x) == cases[i].us, "%.17g s: expected %" PRIu64,
                      cases[i].x, cases[i].us);
    /* The same through add_many, add_n and a cm_sketch2 of whole seconds. */
    for (size_t i = 0; i < NELEM(cases); i++) {
        cm_sketch a = {0}, b = {0};
        static cm_sketch2 c;
        ck_assert_status(cm_sketch2_init(&c, CM_SKETCH_SECONDS), CM_OK);
        ck_assert_status(cm_sketch_add_many(&a, &cases[i].x, 1), CM_OK);
        ck_assert_status(cm_sketch_add_n(&b, cases[i].x, 3), CM_OK);
        ck_assert_status(cm_sketch2_add(&c, cases[i].x), CM_OK);
        ck_assert_uint_eq(a.sum_us[0], cases[i].us);
        ck_assert_uint_eq(b.sum_us[0], 3 * cases[i].us);
        ck_assert_uint_eq(c.core.sum_us[0], cases[i].us);
    }
}
END_TEST

START_TEST(micros_rounding_oracle)
{
    /* 4096 half-microsecond points and 4 doubles either side of each, against
     * Python's exact fractions; the points come from the oracle's generator. */
    test_rng r = {MICROS_ORACLE_SEED};
    static cm_sketch s;
    ck_assert_status(cm_sketch_init(&s), CM_OK);
    size_t wrong = 0, checked = 0;
    double first_wrong = 0.0;
    for (int i = 0; i < MICROS_ORACLE_POINTS; i++) {
        uint64_t k;
        if (i < 1000) {
            k = (uint64_t)i;
        } else if (i % 4 == 0) {
            const uint64_t e = rng_next(&r) % 50;
            const uint64_t d = rng_next(&r) % 7;
            const uint64_t p2 = UINT64_C(1) << e;
            k = p2 + d >= 3 ? p2 + d - 3 : 0;
        } else {
            k = rng_next(&r) % UINT64_C(640583700000000);
        }
        const double x0 = (double)(2 * k + 1) / 2000000.0; /* correctly rounded, as in Python */
        for (int d = -MICROS_ORACLE_NEIGHBOURS; d <= MICROS_ORACLE_NEIGHBOURS; d++) {
            double x = x0;
            for (int j = 0; j < (d < 0 ? -d : d); j++)
                x = nextafter(x, d < 0 ? 0.0 : D_INF);
            const unsigned bit = (unsigned)(d + MICROS_ORACLE_NEIGHBOURS);
            const uint64_t want = k + ((micros_oracle_mask[i] >> bit) & 1u);
            if (s.n > 1000000)
                ck_assert_status(cm_sketch_init(&s), CM_OK);
            if (added_micros(&s, x) != want && wrong++ == 0)
                first_wrong = x;
            checked++;
        }
    }
    ck_assert_uint_eq(checked, (size_t)MICROS_ORACLE_POINTS * (2 * MICROS_ORACLE_NEIGHBOURS + 1));
    ck_assert_msg(wrong == 0, "%zu values rounded wrongly, the first %.17g", wrong, first_wrong);
}
END_TEST

START_TEST(micros_old_rounding_accepted)
{
    /* Version 0.1 summed (uint64_t)(x * 1e6 + 0.5), one microsecond off for
     * values such as 1.9999995 s (2,000,000 instead of 1,999,999). Such sums
     * stay valid, in structs and in bytes, so that 0.1 data can still be read
     * and merged; a sum two microseconds off is not. */
    cm_sketch s = {0};
    ck_assert_status(cm_sketch_add(&s, 1.9999995), CM_OK);
    ck_assert_uint_eq(s.sum_us[0], 1999999);
    s.sum_us[0] = 2000000; /* what 0.1 recorded */
    cm_sketch_summary sum;
    ck_assert_status(cm_sketch_result(&s, &sum), CM_OK);
    uint8_t buf[128];
    size_t w;
    ck_assert_status(cm_sketch_serialize(&s, buf, sizeof buf, &w), CM_OK);
    cm_sketch back;
    ck_assert_status(cm_sketch_deserialize(buf, w, &back), CM_OK);
    ck_assert_mem_eq(&back, &s, sizeof s);
    cm_sketch merged = s;
    ck_assert_status(cm_sketch_merge(&merged, &s), CM_OK);
    ck_assert_uint_eq(merged.sum_us[0], 4000000);
    s.sum_us[0] = 2000001;
    ck_assert_status(cm_sketch_result(&s, &sum), CM_EINVAL);
    s.sum_us[0] = 1999997;
    ck_assert_status(cm_sketch_result(&s, &sum), CM_EINVAL);
    /* A cm_sketch2 never had the old rounding and allows no slack. */
    static cm_sketch2 t;
    ck_assert_status(cm_sketch2_init(&t, CM_SKETCH_SECONDS), CM_OK);
    ck_assert_status(cm_sketch2_add(&t, 1.9999995), CM_OK);
    t.core.sum_us[0] = 2000000;
    cm_sketch2_summary sum2;
    ck_assert_status(cm_sketch2_result(&t, &sum2), CM_EINVAL);
}
END_TEST

/* ---- weighted additions ------------------------------------------------------ */

START_TEST(weighted_adds_equal_repeats)
{
    /* add_n(x, k) is k calls of add(x); add_weighted is add_n per entry. */
    test_rng r = test_rng_make("weighted_adds_equal_repeats");
    for (int round = 0; round < 50; round++) {
        static cm_sketch a, b, c;
        static cm_sketch2 a2, b2;
        const cm_sketch_resolution res = round % 2 ? CM_SKETCH_SUBSECOND : CM_SKETCH_SECONDS;
        ck_assert_status(cm_sketch_init(&a), CM_OK);
        ck_assert_status(cm_sketch_init(&b), CM_OK);
        ck_assert_status(cm_sketch_init(&c), CM_OK);
        ck_assert_status(cm_sketch2_init(&a2, res), CM_OK);
        ck_assert_status(cm_sketch2_init(&b2, res), CM_OK);
        double xs[40];
        uint64_t ks[40];
        const size_t n = 1 + (size_t)rng_below(&r, 40);
        size_t failed = 0;
        for (size_t i = 0; i < n; i++) {
            const uint64_t kind = rng_below(&r, 6);
            xs[i] = kind == 0 ? 0.0 : kind == 1 ? rng_unit(&r) : fmin(draw(0, &r), 600000.0);
            ks[i] = 1 + rng_below(&r, 20);
            for (uint64_t j = 0; j < ks[i]; j++) {
                failed += cm_sketch_add(&a, xs[i]) != CM_OK;
                failed += cm_sketch2_add(&a2, xs[i]) != CM_OK;
            }
            failed += cm_sketch_add_n(&b, xs[i], ks[i]) != CM_OK;
        }
        ck_assert_uint_eq(failed, 0);
        ck_assert_status(cm_sketch_add_weighted(&c, xs, ks, n), CM_OK);
        ck_assert_status(cm_sketch2_add_weighted(&b2, xs, ks, n), CM_OK);
        ck_assert_mem_eq(&a, &b, sizeof a);
        ck_assert_mem_eq(&a, &c, sizeof a);
        ck_assert_mem_eq(&a2, &b2, sizeof a2);
    }
    /* A huge weight: the sums grow by k times the value exactly. Hand: 2^40
     * values of 1.5 s sum to 1.5e6 * 2^40 us = 1,649,267,441,664,000,000 us. */
    cm_sketch big = {0};
    ck_assert_status(cm_sketch_add_n(&big, 1.5, UINT64_C(1) << 40), CM_OK);
    ck_assert_uint_eq(big.sum_us[0], UINT64_C(1649267441664000000));
    ck_assert_uint_eq(big.sum_us[1], 0);
    ck_assert_status(cm_sketch_add_n(&big, 1.5, UINT64_MAX - (UINT64_C(1) << 40)), CM_OK);
    ck_assert_uint_eq(big.n, UINT64_MAX);
    cm_sketch_summary sum;
    ck_assert_status(cm_sketch_result(&big, &sum), CM_OK);
    ck_assert_double_eq(sum.mean_seconds, 1.5);
}
END_TEST

START_TEST(weighted_adds_bad_input)
{
    cm_sketch s = {0};
    ck_assert_status(cm_sketch_add(&s, 10), CM_OK);
    const cm_sketch before = s;
    ck_assert_status(cm_sketch_add_n(&s, 5.0, 0), CM_EINVAL);
    ck_assert_status(cm_sketch_add_n(NULL, 5.0, 1), CM_EINVAL);
    ck_assert_status(cm_sketch_add_n(&s, D_NAN, 1), CM_EINVAL);
    ck_assert_status(cm_sketch_add_n(&s, -1.0, 1), CM_EINVAL);
    ck_assert_status(cm_sketch_add_n(&s, D_INF, 1), CM_EINVAL);
    ck_assert_status(cm_sketch_add_n(&s, CM_SKETCH_MAX_SECONDS, 1), CM_ERANGE);
    ck_assert_status(cm_sketch_add_n(&s, 5.0, UINT64_MAX), CM_EOVERFLOW);
    const double xs[] = {1, 2, 3};
    const uint64_t ks[] = {1, 2, 3}, zero[] = {1, 0, 3};
    const uint64_t huge[] = {1, UINT64_MAX - 2, 1};
    const double bad[] = {1, D_NAN, 3}, far[] = {1, 2, 1e12};
    ck_assert_status(cm_sketch_add_weighted(&s, xs, zero, 3), CM_EINVAL);
    ck_assert_status(cm_sketch_add_weighted(&s, bad, ks, 3), CM_EINVAL);
    ck_assert_status(cm_sketch_add_weighted(&s, far, ks, 3), CM_ERANGE);
    ck_assert_status(cm_sketch_add_weighted(&s, far, zero, 3), CM_EINVAL);
    ck_assert_status(cm_sketch_add_weighted(&s, xs, huge, 3), CM_EOVERFLOW);
    ck_assert_status(cm_sketch_add_weighted(&s, NULL, ks, 3), CM_EINVAL);
    ck_assert_status(cm_sketch_add_weighted(&s, xs, NULL, 3), CM_EINVAL);
    ck_assert_status(cm_sketch_add_weighted(NULL, xs, ks, 3), CM_EINVAL);
    ck_assert_mem_eq(&s, &before, sizeof s);
    ck_assert_status(cm_sketch_add_weighted(&s, NULL, NULL, 0), CM_OK);
    ck_assert_mem_eq(&s, &before, sizeof s);
    /* A damaged struct is refused by the cheap checks. */
    cm_sketch broken = s;
    broken.min_seconds = 50;
    ck_assert_status(cm_sketch_add_n(&broken, 1, 2), CM_EINVAL);
    ck_assert_status(cm_sketch_add_weighted(&broken, xs, ks, 3), CM_EINVAL);
}
END_TEST

/* ---- share at or below a threshold ------------------------------------------ */

START_TEST(rank_hand)
{
    /* Values {60, 0, 2, 3600, 0.25, 1} (see sketch_hand): classes zero, below
     * one second, buckets 0, 35, 206 and 413 (bucket 413 = [3563, 3634) s). */
    cm_sketch s = {0};
    const double xs[] = {60, 0, 2, 3600, 0.25, 1};
    ck_assert_status(cm_sketch_add_many(&s, xs, 6), CM_OK);
    const struct {
        double t;
        uint64_t est, lo, hi, exact;
    } cases[] = {
        {0.0, 1, 1, 1, 1},    /* the zeros, exactly */
        {0.1, 1, 1, 2, 1},    /* 0.25 may or may not be <= 0.1; split at 0.5: not */
        {0.5, 2, 1, 2, 2},    /* at the split: counted */
        {1.0, 2, 2, 3, 3},    /* bucket 0 is split at 102/101 s: 1 s is not counted */
        {1.01, 3, 2, 3, 3},   /* past the split */
        {1.5, 3, 3, 3, 3},    /* an empty bucket: exact */
        {59.0, 4, 4, 4, 4},   /* 59 s is in bucket 205, empty: exact */
        {3599.0, 5, 5, 5, 5}, /* 3600 is the maximum, in the same bucket, and > 3599 */
        {3600.0, 6, 6, 6, 6}, /* at the maximum: all */
        {1e300, 6, 6, 6, 6},  /* far above */
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        cm_share sh;
        ck_assert_status(cm_sketch_rank(&s, cases[i].t, 0.95, &sh), CM_OK);
        ck_assert_msg(sh.count == cases[i].est && sh.count_min == cases[i].lo &&
                          sh.count_max == cases[i].hi,
                      "t=%g: %" PRIu64 " [%" PRIu64 ", %" PRIu64 "]", cases[i].t, sh.count,
                      sh.count_min, sh.count_max);
        ck_assert(sh.count_min <= cases[i].exact && cases[i].exact <= sh.count_max);
        ck_assert_uint_eq(sh.n, 6);
        ck_assert_double_eq(sh.share, (double)cases[i].est / 6.0);
        /* The exact array form counts exactly. */
        cm_share ex;
        ck_assert_status(cm_rank_exact(xs, 6, cases[i].t, 0.95, &ex), CM_OK);
        ck_assert_uint_eq(ex.count, cases[i].exact);
        ck_assert_uint_eq(ex.count_min, cases[i].exact);
        ck_assert_uint_eq(ex.count_max, cases[i].exact);
    }
    /* Wilson ends (mpmath, z = sqrt(2) erfinv(0.95)): at 1 s the count is 2 to
     * 3 of 6, so lo = Wilson lower(2/6) = 0.0967714111057805 and hi = Wilson
     * upper(3/6) = 0.812383693517349; exactly, 5 of 6 at 60 s gives
     * [0.436497177813530, 0.969946630251693] at 95 % and
     * [0.497582915875400, 0.961894429920657] at 90 %. */
    cm_share sh;
    ck_assert_status(cm_sketch_rank(&s, 1.0, 0.95, &sh), CM_OK);
    ck_assert_double_eq_tol(sh.lo, 0.0967714111057805, 1e-13);
    ck_assert_double_eq_tol(sh.hi, 0.812383693517349, 1e-13);
    ck_assert_status(cm_rank_exact(xs, 6, 60.0, 0.95, &sh), CM_OK);
    ck_assert_double_eq_tol(sh.lo, 0.436497177813530, 1e-13);
    ck_assert_double_eq_tol(sh.hi, 0.969946630251693, 1e-13);
    ck_assert_status(cm_rank_exact(xs, 6, 60.0, 0.90, &sh), CM_OK);
    ck_assert_double_eq_tol(sh.lo, 0.497582915875400, 1e-13);
    ck_assert_double_eq_tol(sh.hi, 0.961894429920657, 1e-13);
    /* The sketch cannot tell whether the 60 in bucket 206 = [59.1, 60.3) s is
     * <= 60: 4 to 5 of 6, so lo = Wilson lower(4/6) at 90 % = 0.347014767000318. */
    ck_assert_status(cm_sketch_rank(&s, 60.0, 0.90, &sh), CM_OK);
    ck_assert_uint_eq(sh.count_min, 4);
    ck_assert_uint_eq(sh.count_max, 5);
    ck_assert_double_eq_tol(sh.lo, 0.347014767000318, 1e-13);
    ck_assert_double_eq_tol(sh.hi, 0.961894429920657, 1e-13);
    /* Everything, and nothing. */
    ck_assert_status(cm_sketch_rank(&s, 3600.0, 0.95, &sh), CM_OK);
    ck_assert_double_eq(sh.hi, 1.0);
    cm_sketch t = {0};
    ck_assert_status(cm_sketch_add(&t, 5.0), CM_OK);
    ck_assert_status(cm_sketch_rank(&t, 4.0, 0.95, &sh), CM_OK);
    ck_assert_uint_eq(sh.count, 0);
    ck_assert_double_eq(sh.lo, 0.0);
}
END_TEST

/* Number of sorted[i] <= x. */
static size_t count_le(const double *sorted, size_t n, double x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (sorted[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

START_TEST(rank_bound_property)
{
    /* For every threshold x >= 1 s (one unit), the estimate lies between the
     * exact counts at x * 101/102 and x * 1.01 (a hair wider for the rounding
     * of the tabulated bounds), and the bounds always hold the exact count.
     * Below 1 s, between the counts at 0 and below 1 s. Also at the sub-second
     * resolution, in its units. */
    test_rng r = test_rng_make("rank_bound_property");
    size_t wrong = 0;
    for (int round = 0; round < 60; round++) {
        const int dist = (int)rng_below(&r, 3);
        const cm_sketch_resolution res = round % 3 == 2 ? CM_SKETCH_SUBSECOND : CM_SKETCH_SECONDS;
        const double unit = res == CM_SKETCH_SUBSECOND ? 1.0 / 1024.0 : 1.0;
        const size_t n = 1 + (size_t)rng_below(&r, 20000);
        static cm_sketch s;
        static cm_sketch2 s2;
        ck_assert_status(cm_sketch_init(&s), CM_OK);
        ck_assert_status(cm_sketch2_init(&s2, res), CM_OK);
        for (size_t i = 0; i < n; i++) {
            const uint64_t kind = rng_below(&r, 20);
            double x = kind == 0 ? 0.0 : kind == 1 ? rng_unit(&r) : draw(dist, &r);
            if (res == CM_SKETCH_SUBSECOND)
                x = x / 4096.0; /* below the sub-second maximum */
            big_a[i] = x;
        }
        ck_assert_status(cm_sketch_add_many(&s, big_a, n), CM_OK);
        ck_assert_status(cm_sketch2_add_many(&s2, big_a, n), CM_OK);
        sort_doubles(big_a, n);
        for (int t = 0; t < 200; t++) {
            /* thresholds: data values, their neighbours, and random points */
            double x = t % 3 == 0   ? big_a[rng_below(&r, n)]
                       : t % 3 == 1 ? nextafter(big_a[rng_below(&r, n)], 0.0)
                                    : rng_unit(&r) * big_a[n - 1] * 1.1;
            cm_share a, b;
            ck_assert_status(cm_sketch2_rank(&s2, x, 0.95, &b), CM_OK);
            const size_t exact = count_le(big_a, n, x);
            size_t lo_ok, hi_ok;
            if (x >= unit) {
                lo_ok = count_le(big_a, n, x * (101.0 / 102.0) * (1 - 1e-15));
                hi_ok = count_le(big_a, n, x * 1.01 * (1 + 1e-15));
            } else {
                lo_ok = count_le(big_a, n, 0.0);
                hi_ok = count_le(big_a, n, nextafter(unit, 0.0));
            }
            bool ok = b.count >= lo_ok && b.count <= hi_ok && b.count_min <= exact &&
                      exact <= b.count_max && b.count_min <= b.count && b.count <= b.count_max &&
                      b.lo <= b.share && b.share <= b.hi;
            if (res == CM_SKETCH_SECONDS) {
                ck_assert_status(cm_sketch_rank(&s, x, 0.95, &a), CM_OK);
                ok &= memcmp(&a, &b, sizeof a) == 0; /* the same sketch, the same answer */
            }
            if (!ok && wrong++ == 0)
                fprintf(stderr,
                        "x=%.17g n=%zu exact %zu: %" PRIu64 " [%" PRIu64 ", %" PRIu64
                        "], allowed [%zu, %zu]\n",
                        x, n, exact, b.count, b.count_min, b.count_max, lo_ok, hi_ok);
        }
    }
    ck_assert_uint_eq(wrong, 0);
}
END_TEST

START_TEST(rank_bad_input)
{
    cm_sketch s = {0}, empty = {0};
    const double xs[] = {5, 50, 500};
    ck_assert_status(cm_sketch_add_many(&s, xs, 3), CM_OK);
    cm_share out;
    poison(&out);
    ck_assert_status(cm_sketch_rank(NULL, 1.0, 0.95, &out), CM_EINVAL);
    ck_assert_status(cm_sketch_rank(&s, 1.0, 0.95, NULL), CM_EINVAL);
    const double bad_t[] = {D_NAN, D_INF, -D_INF, -1.0, -DBL_MIN};
    for (size_t i = 0; i < NELEM(bad_t); i++) {
        ck_assert_status(cm_sketch_rank(&s, bad_t[i], 0.95, &out), CM_EINVAL);
        if (bad_t[i] < 0.0)
            continue; /* arrays accept any finite threshold */
        ck_assert_status(cm_rank_exact(xs, 3, bad_t[i], 0.95, &out), CM_EINVAL);
    }
    const double bad_c[] = {0.0, 1.0, -0.5, 1.5, D_NAN, D_INF};
    for (size_t i = 0; i < NELEM(bad_c); i++) {
        ck_assert_status(cm_sketch_rank(&s, 1.0, bad_c[i], &out), CM_EINVAL);
        ck_assert_status(cm_rank_exact(xs, 3, 1.0, bad_c[i], &out), CM_EINVAL);
    }
    ck_assert_status(cm_sketch_rank(&empty, 1.0, 0.95, &out), CM_ENODATA);
    cm_sketch broken = s;
    broken.n = 4;
    ck_assert_status(cm_sketch_rank(&broken, 1.0, 0.95, &out), CM_EINVAL);
    const double with_nan[] = {1, D_NAN}, with_inf[] = {D_INF, 1};
    ck_assert_status(cm_rank_exact(with_nan, 2, 1.0, 0.95, &out), CM_EINVAL);
    ck_assert_status(cm_rank_exact(with_inf, 2, 1.0, 0.95, &out), CM_EINVAL);
    ck_assert_status(cm_rank_exact(NULL, 2, 1.0, 0.95, &out), CM_EINVAL);
    ck_assert_status(cm_rank_exact(xs, 3, 1.0, 0.95, NULL), CM_EINVAL);
    ck_assert_status(cm_rank_exact(xs, 0, 1.0, 0.95, &out), CM_ENODATA);
    ck_assert_status(cm_rank_exact(NULL, 0, 1.0, 0.95, &out), CM_ENODATA);
    ck_assert_untouched(&out);
    /* Negative values and thresholds are fine for arrays: {-3, -1, 2} <= -1: 2. */
    const double neg[] = {2, -3, -1};
    ck_assert_status(cm_rank_exact(neg, 3, -1.0, 0.95, &out), CM_OK);
    ck_assert_uint_eq(out.count, 2);
}
END_TEST

/* ---- quantile definitions --------------------------------------------------- */

START_TEST(methods_match_numpy)
{
    /* Bit for bit: the doubles compared as bit patterns. */
    const int c = _i;
    const size_t n = method_oracle[c].n;
    ck_assert_uint_le(n, BIG);
    oracle_array(method_oracle[c].kind, method_oracle[c].seed, n, big_a);
    memcpy(big_b, big_a, n * sizeof *big_a);
    const cm_quantile_method m = (cm_quantile_method)method_oracle[c].type;
    double got[METHOD_ORACLE_NQ];
    ck_assert_status(
        cm_quantiles_exact_method(big_a, n, method_oracle_qs, METHOD_ORACLE_NQ, m, big_c, BIG, got),
        CM_OK);
    ck_assert_mem_eq(big_a, big_b, n * sizeof *big_a);
    for (int j = 0; j < METHOD_ORACLE_NQ; j++) {
        ck_assert_msg(memcmp(&got[j], &method_oracle[c].expected[j], sizeof got[j]) == 0,
                      "%s n=%zu type %d q=%.17g: got %a, numpy %a", method_oracle[c].kind, n,
                      method_oracle[c].type, method_oracle_qs[j], got[j],
                      method_oracle[c].expected[j]);
        double one;
        memcpy(big_b, big_a, n * sizeof *big_a);
        ck_assert_status(cm_quantile_exact_method(big_b, n, method_oracle_qs[j], m, big_b, n, &one),
                         CM_OK);
        ck_assert_msg(memcmp(&one, &got[j], sizeof one) == 0, "single level differs");
    }
    /* The linear method is cm_quantiles_exact itself. */
    if (m == CM_QUANTILE_LINEAR) {
        double lin[METHOD_ORACLE_NQ];
        ck_assert_status(
            cm_quantiles_exact(big_a, n, method_oracle_qs, METHOD_ORACLE_NQ, big_c, BIG, lin),
            CM_OK);
        ck_assert_mem_eq(lin, got, sizeof lin);
    }
}
END_TEST

START_TEST(methods_hand)
{
    /* {10, 20, 30, 40} (n = 4), hand:
     * type 1: q = 0.5 -> n q = 2, k = ceil(2) - 1 = 1: 20; q = 0.51 -> ceil(2.04) - 1 = 2: 30;
     *         q = 0 -> 10 (SQL percentile_disc(0) is the first value).
     * type 6: h = 5q - 1: q = 0.5 -> 1.5: 25; q = 0.1 -> -0.5 < 0: 10 (Excel: #NUM!);
     *         q = 0.9 -> 3.5 >= 3: 40; q = 0.3 -> 0.5: 15.
     * type 8: h = (4 + 1/3) q - 2/3: q = 0.5 -> 1.5: 25; q = 0.25 -> 0.41667: 14.1667.
     * type 7: h = 3q: q = 0.25 -> 0.75: 17.5. */
    const double xs[] = {40, 10, 30, 20};
    double scratch[4], v;
    const struct {
        cm_quantile_method m;
        double q, want;
    } cases[] = {
        {CM_QUANTILE_INVERTED_CDF, 0.5, 20},
        {CM_QUANTILE_INVERTED_CDF, 0.51, 30},
        {CM_QUANTILE_INVERTED_CDF, 0.0, 10},
        {CM_QUANTILE_INVERTED_CDF, 1.0, 40},
        {CM_QUANTILE_WEIBULL, 0.5, 25},
        {CM_QUANTILE_WEIBULL, 0.1, 10},
        {CM_QUANTILE_WEIBULL, 0.9, 40},
        {CM_QUANTILE_WEIBULL, 0.3, 15},
        {CM_QUANTILE_MEDIAN_UNBIASED, 0.5, 25},
        {CM_QUANTILE_LINEAR, 0.25, 17.5},
        {CM_QUANTILE_MEDIAN_UNBIASED, 0.25, 10.0 + 10.0 * (13.0 / 12.0 - 2.0 / 3.0)},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        ck_assert_status(cm_quantile_exact_method(xs, 4, cases[i].q, cases[i].m, scratch, 4, &v),
                         CM_OK);
        ck_assert_msg(fabs(v - cases[i].want) <= 1e-12, "type %d q=%g: %.17g, want %.17g",
                      (int)cases[i].m, cases[i].q, v, cases[i].want);
    }
    /* Values more than DBL_MAX apart: numpy's difference overflows; ours stays finite. */
    const double wide[] = {-1.5e308, 1.5e308};
    const cm_quantile_method all[] = {CM_QUANTILE_INVERTED_CDF, CM_QUANTILE_WEIBULL,
                                      CM_QUANTILE_LINEAR, CM_QUANTILE_MEDIAN_UNBIASED};
    const double qs[] = {0.0, 0.25, 0.5, 0.75, 1.0};
    for (size_t i = 0; i < NELEM(all); i++) {
        double out[5];
        ck_assert_status(cm_quantiles_exact_method(wide, 2, qs, 5, all[i], scratch, 4, out), CM_OK);
        for (int j = 0; j < 5; j++)
            ck_assert_msg(isfinite(out[j]) && out[j] >= -1.5e308 && out[j] <= 1.5e308,
                          "type %d q=%g: %g", (int)all[i], qs[j], out[j]);
    }
    /* Linear at q = 0.5 of {-1.5e308, 1.5e308}: 0.5 a + 0.5 b = 0. */
    ck_assert_status(cm_quantile_exact(wide, 2, 0.5, scratch, 4, &v), CM_OK);
    ck_assert_double_eq(v, 0.0);
}
END_TEST

START_TEST(methods_bad_input)
{
    const double xs[] = {1, 2, 3}, qs[] = {0.5, 0.9};
    double scratch[3], v, two[2];
    poison(&v);
    poison(&two);
    const int bad_m[] = {0, 2, 3, 4, 5, 9, -1, 100};
    for (size_t i = 0; i < NELEM(bad_m); i++) {
        ck_assert_status(
            cm_quantile_exact_method(xs, 3, 0.5, (cm_quantile_method)bad_m[i], scratch, 3, &v),
            CM_EINVAL);
        ck_assert_status(
            cm_quantiles_exact_method(xs, 3, qs, 2, (cm_quantile_method)bad_m[i], scratch, 3, two),
            CM_EINVAL);
    }
    const cm_quantile_method m = CM_QUANTILE_WEIBULL;
    ck_assert_status(cm_quantile_exact_method(NULL, 3, 0.5, m, scratch, 3, &v), CM_EINVAL);
    ck_assert_status(cm_quantile_exact_method(xs, 3, 0.5, m, NULL, 3, &v), CM_EINVAL);
    ck_assert_status(cm_quantile_exact_method(xs, 3, 0.5, m, scratch, 3, NULL), CM_EINVAL);
    ck_assert_status(cm_quantile_exact_method(xs, 3, D_NAN, m, scratch, 3, &v), CM_EINVAL);
    ck_assert_status(cm_quantile_exact_method(xs, 3, 1.5, m, scratch, 3, &v), CM_EINVAL);
    const double bad_x[] = {1, D_INF, 2};
    ck_assert_status(cm_quantile_exact_method(bad_x, 3, 0.5, m, scratch, 3, &v), CM_EINVAL);
    ck_assert_status(cm_quantile_exact_method(xs, 0, 0.5, m, scratch, 3, &v), CM_ENODATA);
    ck_assert_status(cm_quantile_exact_method(xs, 3, 0.5, m, scratch, 2, &v), CM_ENOSPC);
    ck_assert_status(cm_quantiles_exact_method(xs, 3, NULL, 2, m, scratch, 3, two), CM_EINVAL);
    ck_assert_status(cm_quantiles_exact_method(xs, 3, qs, 2, m, scratch, 1, two), CM_ENOSPC);
    ck_assert_untouched(&v);
    ck_assert_untouched(&two);
}
END_TEST

/* ---- cm_sketch2 ---------------------------------------------------------------- */

START_TEST(sketch2_matches_sketch)
{
    /* At whole-second resolution the core is exactly the cm_sketch of the same
     * values, and every answer is the same. */
    test_rng r = test_rng_make("sketch2_matches_sketch");
    static cm_sketch a, b;
    static cm_sketch2 s2;
    ck_assert_status(cm_sketch_init(&a), CM_OK);
    ck_assert_status(cm_sketch2_init(&s2, CM_SKETCH_SECONDS), CM_OK);
    for (size_t i = 0; i < 50000; i++)
        big_a[i] = rng_below(&r, 10) == 0 ? rng_unit(&r) : draw((int)(i % 3), &r);
    ck_assert_status(cm_sketch_add_many(&a, big_a, 50000), CM_OK);
    ck_assert_status(cm_sketch2_add_many(&s2, big_a, 50000), CM_OK);
    ck_assert_mem_eq(&s2.core, &a, sizeof a);
    ck_assert_status(cm_sketch2_to_sketch(&s2, &b), CM_OK);
    ck_assert_mem_eq(&b, &a, sizeof a);
    const double qs[] = {0, 0.1, 0.5, 0.9, 0.99, 1};
    double q1[6], q2[6];
    ck_assert_status(cm_sketch_quantiles(&a, qs, 6, q1), CM_OK);
    ck_assert_status(cm_sketch2_quantiles(&s2, qs, 6, q2), CM_OK);
    ck_assert_mem_eq(q1, q2, sizeof q1);
    for (int j = 0; j < 6; j++) {
        double one;
        ck_assert_status(cm_sketch2_quantile(&s2, qs[j], &one), CM_OK);
        ck_assert_double_eq(one, q1[j]);
    }
    cm_sketch_summary s1;
    cm_sketch2_summary s;
    ck_assert_status(cm_sketch_result(&a, &s1), CM_OK);
    ck_assert_status(cm_sketch2_result(&s2, &s), CM_OK);
    ck_assert_uint_eq(s.n, s1.n);
    ck_assert_uint_eq(s.zeros, s1.zeros);
    ck_assert_double_eq(s.min_seconds, s1.min_seconds);
    ck_assert_double_eq(s.max_seconds, s1.max_seconds);
    ck_assert_double_eq(s.mean_seconds, s1.mean_seconds);
    ck_assert_double_eq(s.total_seconds, s1.total_seconds);
    for (int i = 0; i < 4; i++)
        ck_assert_double_eq(s.reserved[i], 0.0);
}
END_TEST

START_TEST(sketch2_hand)
{
    /* Values {60, 0, 2, 3600, 0.25, 1}: mean 3663.25 / 6 = 610.541666...;
     * sample standard deviation 1464.72101794733138 s and population one
     * 1337.10123663613777 s (mpmath, 40 digits, on the exact values; every
     * value is a whole number of microseconds, so the rounding is exact). */
    static cm_sketch2 s;
    for (int res = 0; res < 2; res++) {
        ck_assert_status(cm_sketch2_init(&s, (cm_sketch_resolution)res), CM_OK);
        const double xs[] = {60, 0, 2, 3600, 0.25, 1};
        for (size_t i = 0; i < NELEM(xs); i++)
            ck_assert_status(cm_sketch2_add(&s, xs[i]), CM_OK);
        cm_sketch2_summary sum;
        ck_assert_status(cm_sketch2_result(&s, &sum), CM_OK);
        ck_assert_uint_eq(sum.n, 6);
        ck_assert_uint_eq(sum.zeros, 1);
        ck_assert_double_eq(sum.min_seconds, 0.0);
        ck_assert_double_eq(sum.max_seconds, 3600.0);
        ck_assert_double_eq(sum.total_seconds, 3663.25);
        ck_assert_double_eq_tol(sum.mean_seconds, 3663.25 / 6.0, 1e-12);
        ck_assert_rel(sum.stddev_seconds, 1464.72101794733138, 1e-14);
        ck_assert_rel(sum.stddev_pop_seconds, 1337.10123663613777, 1e-14);
        /* q = 0 and 1 are the exact extremes; the median interpolates the
         * representatives of 1 s and 2 s (see sketch_hand), in the units. */
        double v;
        ck_assert_status(cm_sketch2_quantile(&s, 1.0, &v), CM_OK);
        ck_assert_double_eq(v, 3600.0);
        ck_assert_status(cm_sketch2_quantile(&s, 0.5, &v), CM_OK);
        ck_assert(fabs(v - 1.5) <= SKETCH_REL * 1.5);
    }
    /* Sub-second: 0.25 s is 256 units, bucket floor(ln 256 / ln 1.02) = 280;
     * 0.0005 s (0.512 units) is below one unit. */
    ck_assert_status(cm_sketch2_init(&s, CM_SKETCH_SUBSECOND), CM_OK);
    ck_assert_status(cm_sketch2_add(&s, 0.25), CM_OK);
    ck_assert_status(cm_sketch2_add(&s, 0.0005), CM_OK);
    ck_assert_uint_eq(s.core.counts[280], 1);
    ck_assert_uint_eq(s.core.below_one, 1);
    ck_assert_double_eq(s.core.max_seconds, 256.0);
    ck_assert_double_eq(s.core.min_seconds, 0.512);
    /* One value: the sample standard deviation is 0 by definition here. */
    ck_assert_status(cm_sketch2_init(&s, CM_SKETCH_SUBSECOND), CM_OK);
    ck_assert_status(cm_sketch2_add(&s, 0.125), CM_OK);
    cm_sketch2_summary one;
    ck_assert_status(cm_sketch2_result(&s, &one), CM_OK);
    ck_assert_double_eq(one.stddev_seconds, 0.0);
    ck_assert_double_eq(one.stddev_pop_seconds, 0.0);
    ck_assert_double_eq(one.mean_seconds, 0.125);
}
END_TEST

START_TEST(sketch2_bucket_bounds_scaled)
{
    for (uint32_t i = 0; i < CM_SKETCH_BUCKETS; i++) {
        double lo, hi, v, lo2, hi2, v2;
        ck_assert_status(cm_sketch_bucket_bounds(i, &lo, &hi, &v), CM_OK);
        ck_assert_status(cm_sketch2_bucket_bounds(CM_SKETCH_SECONDS, i, &lo2, &hi2, &v2), CM_OK);
        ck_assert(lo2 == lo && hi2 == hi && v2 == v);
        ck_assert_status(cm_sketch2_bucket_bounds(CM_SKETCH_SUBSECOND, i, &lo2, &hi2, &v2), CM_OK);
        ck_assert(lo2 == ldexp(lo, -10) && hi2 == ldexp(hi, -10) && v2 == ldexp(v, -10));
    }
    double lo, hi, v;
    ck_assert_status(
        cm_sketch2_bucket_bounds(CM_SKETCH_SUBSECOND, CM_SKETCH_BUCKETS - 1, &lo, &hi, &v), CM_OK);
    ck_assert_double_eq(hi, CM_SKETCH_SUBSECOND_MAX_SECONDS);
    /* 7 days fit; 7.3 days do not (625,570 s is 7.24 days). */
    ck_assert(7 * 86400.0 < CM_SKETCH_SUBSECOND_MAX_SECONDS);
    ck_assert(7.3 * 86400.0 > CM_SKETCH_SUBSECOND_MAX_SECONDS);
    poison(&lo);
    ck_assert_status(cm_sketch2_bucket_bounds((cm_sketch_resolution)2, 0, &lo, &hi, &v), CM_EINVAL);
    ck_assert_status(cm_sketch2_bucket_bounds(CM_SKETCH_SUBSECOND, 1024, &lo, &hi, &v), CM_ERANGE);
    ck_assert_status(cm_sketch2_bucket_bounds(CM_SKETCH_SUBSECOND, 0, NULL, &hi, &v), CM_EINVAL);
    ck_assert_untouched(&lo);
}
END_TEST

/* Population and sample standard deviation of values rounded to millionths of
 * `unit`, independent of the library's sums: the deviations from the first value
 * summed exactly in 128-bit integers (n S2 - S1^2 is exact), one rounding at the
 * end. Exact also where long double is only a double (under valgrind). */
__extension__ typedef __int128 i128;

static void reference_stddev(const double *xs, size_t n, double unit, double *pop, double *sample)
{
    const long double scale = 1e6L / (long double)unit;
    const int64_t v0 = (int64_t)floorl((long double)xs[0] * scale + 0.5L);
    i128 s1 = 0, s2 = 0;
    for (size_t i = 0; i < n; i++) {
        const int64_t d = (int64_t)floorl((long double)xs[i] * scale + 0.5L) - v0;
        s1 += d;
        s2 += (i128)d * d;
    }
    const i128 num = (i128)n * s2 - s1 * s1; /* n^2 times the population variance */
    const long double nn = (long double)n;
    *pop = (double)(sqrtl((long double)num / (nn * nn)) / scale);
    *sample = n > 1 ? (double)(sqrtl((long double)num / (nn * (nn - 1))) / scale) : 0.0;
}

START_TEST(sketch2_stddev_property)
{
    /* The standard deviation of 10^5 values against an exact integer reference
     * (values rounded alike, one rounding at the end), after merging
     * shards in random order, and through bytes; also a spread where the
     * one-pass double formula loses every digit: 10^5 values of 10^6 s plus
     * or minus a microsecond. */
    test_rng r = test_rng_make("sketch2_stddev_property");
    for (int round = 0; round < 6; round++) {
        const cm_sketch_resolution res = round % 2 ? CM_SKETCH_SUBSECOND : CM_SKETCH_SECONDS;
        const double unit = res == CM_SKETCH_SUBSECOND ? 1.0 / 1024.0 : 1.0;
        const size_t n = 100000;
        for (size_t i = 0; i < n; i++) {
            if (round >= 4)
                big_a[i] =
                    (res == CM_SKETCH_SUBSECOND ? 5e5 : 1e6) + (double)rng_below(&r, 3) * 1e-6;
            else
                big_a[i] = draw(round / 2, &r) / (res == CM_SKETCH_SUBSECOND ? 2048.0 : 1.0);
        }
        static cm_sketch2 whole, merged, part[7];
        ck_assert_status(cm_sketch2_init(&whole, res), CM_OK);
        ck_assert_status(cm_sketch2_add_many(&whole, big_a, n), CM_OK);
        for (int p = 0; p < 7; p++)
            ck_assert_status(cm_sketch2_init(&part[p], res), CM_OK);
        size_t failed = 0;
        for (size_t i = 0; i < n; i++)
            failed += cm_sketch2_add(&part[rng_below(&r, 7)], big_a[i]) != CM_OK;
        ck_assert_uint_eq(failed, 0);
        ck_assert_status(cm_sketch2_init(&merged, res), CM_OK);
        static uint8_t buf[CM_SKETCH2_SERIALIZED_MAX];
        for (int p = 6; p >= 0; p--) {
            size_t w;
            static cm_sketch2 back;
            ck_assert_status(cm_sketch2_serialize(&part[p], buf, sizeof buf, &w), CM_OK);
            ck_assert_status(cm_sketch2_deserialize(buf, w, &back), CM_OK);
            ck_assert_status(cm_sketch2_merge(&merged, &back), CM_OK);
        }
        ck_assert_mem_eq(&merged, &whole, sizeof whole);
        cm_sketch2_summary sum;
        ck_assert_status(cm_sketch2_result(&whole, &sum), CM_OK);
        double pop, sample;
        reference_stddev(big_a, n, unit, &pop, &sample);
        ck_assert_msg(fabs(sum.stddev_pop_seconds - pop) <= 1e-13 * pop + 1e-12,
                      "round %d: pop %.17g vs %.17g", round, sum.stddev_pop_seconds, pop);
        ck_assert_msg(fabs(sum.stddev_seconds - sample) <= 1e-13 * sample + 1e-12,
                      "round %d: sample %.17g vs %.17g", round, sum.stddev_seconds, sample);
    }
}
END_TEST

START_TEST(sketch2_subsecond_acceptance)
{
    /* 10^6 chat replies: lognormal with a median of 800 ms (sigma 1.2),
     * capped below the range. Every quantile within the 1/101 bound of the
     * exact one where the exact one is at least one unit (2^-10 s). */
    test_rng r = test_rng_make("sketch2_subsecond_acceptance");
    const size_t n = BIG;
    for (size_t i = 0; i < n; i++)
        big_a[i] = fmin(0.8 * exp(1.2 * box_muller(&r)), 600000.0);
    static cm_sketch2 s;
    ck_assert_status(cm_sketch2_init(&s, CM_SKETCH_SUBSECOND), CM_OK);
    ck_assert_status(cm_sketch2_add_many(&s, big_a, n), CM_OK);
    memcpy(big_b, big_a, n * sizeof *big_a);
    sort_doubles(big_b, n);
    const double qs[] = {0.0, 0.001, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0};
    double est[NELEM(qs)];
    ck_assert_status(cm_sketch2_quantiles(&s, qs, NELEM(qs), est), CM_OK);
    for (size_t j = 0; j < NELEM(qs); j++) {
        const double ref = type7_sorted(big_b, n, qs[j]);
        if (ref >= 1.0 / 1024.0)
            ck_assert_msg(fabs(est[j] - ref) <= SKETCH_REL * ref, "q=%g: %.17g vs %.17g", qs[j],
                          est[j], ref);
        else
            ck_assert(fabs(est[j] - ref) <= 0.5 / 1024.0);
    }
    ck_assert_double_eq(est[0], big_b[0]);
    ck_assert_double_eq(est[NELEM(qs) - 1], big_b[n - 1]);
    size_t w;
    static uint8_t buf[CM_SKETCH2_SERIALIZED_MAX];
    ck_assert_status(cm_sketch2_serialize(&s, buf, sizeof buf, &w), CM_OK);
    fprintf(stderr, "sub-second: 10^6 values serialize to %zu bytes\n", w);
}
END_TEST

START_TEST(sketch2_serialize_layout)
{
    /* Pinned by docs/sketch.md. A sub-second sketch of {0, 1 s, 2 s}: in units
     * of 2^-10 s the values are 0, 1024 and 2048, buckets
     * floor(ln 1024 / ln 1.02) = 350 and floor(ln 2048 / ln 1.02) = 385;
     * "CM", kind 5, version 2, resolution 1, three zero bytes; zeros = 1;
     * below_one = 0; min = 0.0; max = 2048.0 (0x40a0000000000000); sum =
     * 3072 * 10^6 = 3,072,000,000 (0xb71b0000); sum of squares = (1024^2 +
     * 2048^2) 10^12 = 5,242,880,000,000,000,000 (0x48c2739500000000); m = 2;
     * entries gap 350 (0xde 0x02) count 1, gap 34 count 1; then the CRC-32 of
     * the 87 bytes before it, 0x205bb915 by Python's zlib.crc32. */
    static cm_sketch2 s, back;
    ck_assert_status(cm_sketch2_init(&s, CM_SKETCH_SUBSECOND), CM_OK);
    const double xs[] = {2, 0, 1};
    ck_assert_status(cm_sketch2_add_many(&s, xs, 3), CM_OK);
    uint8_t buf[128];
    size_t w;
    ck_assert_status(cm_sketch2_serialize(&s, buf, sizeof buf, &w), CM_OK);
    const uint8_t want[] = {
        'C',  'M',  5,    2,    1,    0,    0,    0,    /* frame, resolution, reserved */
        1,    0,    0,    0,    0,    0,    0,    0,    /* zeros */
        0,    0,    0,    0,    0,    0,    0,    0,    /* below_one */
        0,    0,    0,    0,    0,    0,    0,    0,    /* min 0.0 */
        0,    0,    0,    0,    0,    0,    0xa0, 0x40, /* max 2048.0 */
        0,    0,    0x1b, 0xb7, 0,    0,    0,    0,    /* sum low */
        0,    0,    0,    0,    0,    0,    0,    0,    /* sum high */
        0,    0,    0,    0,    0x95, 0x73, 0xc2, 0x48, /* sum of squares, word 0 */
        0,    0,    0,    0,    0,    0,    0,    0,    /* word 1 */
        0,    0,    0,    0,    0,    0,    0,    0,    /* word 2 */
        2,    0,                                        /* m */
        0xde, 0x02, 1,    34,   1,                      /* entries */
        0x15, 0xb9, 0x5b, 0x20,                         /* CRC */
    };
    ck_assert_uint_eq(w, sizeof want);
    ck_assert_mem_eq(buf, want, w);
    ck_assert_status(cm_sketch2_deserialize(buf, w, &back), CM_OK);
    ck_assert_mem_eq(&back, &s, sizeof s);
    /* Each reader refuses the other's version. */
    cm_sketch v1;
    ck_assert_status(cm_sketch_deserialize(buf, w, &v1), CM_EPARSE);
    cm_sketch plain = {0};
    ck_assert_status(cm_sketch_add_many(&plain, xs, 3), CM_OK);
    ck_assert_status(cm_sketch_serialize(&plain, buf, sizeof buf, &w), CM_OK);
    ck_assert_status(cm_sketch2_deserialize(buf, w, &back), CM_EPARSE);
    /* An empty sketch is the 86-byte minimum. */
    ck_assert_status(cm_sketch2_init(&s, CM_SKETCH_SECONDS), CM_OK);
    ck_assert_status(cm_sketch2_serialize(&s, buf, sizeof buf, &w), CM_OK);
    ck_assert_uint_eq(w, 86);
}
END_TEST

/* A valid sketch2 to damage, and its bytes. */
static size_t damaged_base(cm_sketch2 *s, uint8_t *buf, size_t cap)
{
    test_rng r = {77};
    ck_assert_status(cm_sketch2_init(s, CM_SKETCH_SUBSECOND), CM_OK);
    for (int i = 0; i < 300; i++)
        ck_assert_status(cm_sketch2_add(s, draw(0, &r) / 1000.0), CM_OK);
    ck_assert_status(cm_sketch2_add(s, 0.0), CM_OK);
    size_t w;
    ck_assert_status(cm_sketch2_serialize(s, buf, cap, &w), CM_OK);
    return w;
}

START_TEST(sketch2_rejects_damage)
{
    static cm_sketch2 s, out;
    static uint8_t buf[CM_SKETCH2_SERIALIZED_MAX + 1], bad[CM_SKETCH2_SERIALIZED_MAX + 1];
    const size_t w = damaged_base(&s, buf, sizeof buf);
    poison(&out);
    for (size_t len = 0; len < w; len++)
        ck_assert_status(cm_sketch2_deserialize(buf, len, &out), CM_EPARSE);
    for (size_t bit = 0; bit < 8 * w; bit++) {
        memcpy(bad, buf, w);
        bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        ck_assert_status(cm_sketch2_deserialize(bad, w, &out), CM_EPARSE);
    }
    /* Behind a valid CRC: resolution 2, a reserved byte, a sum of squares of
     * 0 (n S2 < S1^2 with S1 > 0) or of 2^128 and more (above S1 m(max)). */
    const struct {
        size_t offset;
        uint8_t flip;
    } edits[] = {{4, 0x03}, {6, 0x01}, {72, 0x01}, {71, 0x80}};
    for (size_t e = 0; e < NELEM(edits); e++) {
        memcpy(bad, buf, w);
        bad[edits[e].offset] ^= edits[e].flip;
        fix_crc(bad, w);
        ck_assert_msg(cm_sketch2_deserialize(bad, w, &out) == CM_EPARSE, "edit %zu", e);
    }
    memcpy(bad, buf, w);
    memset(bad + 56, 0, 24);
    fix_crc(bad, w);
    ck_assert_status(cm_sketch2_deserialize(bad, w, &out), CM_EPARSE);
    /* One off either bound: {2, 4} s has S1 = 6e6 and S2 = 20e12; S2 must lie
     * in [S1^2 / n, S1 m(max)] = [18e12, 24e12]. */
    static cm_sketch2 small;
    ck_assert_status(cm_sketch2_init(&small, CM_SKETCH_SECONDS), CM_OK);
    ck_assert_status(cm_sketch2_add(&small, 2.0), CM_OK);
    ck_assert_status(cm_sketch2_add(&small, 4.0), CM_OK);
    size_t sw;
    ck_assert_status(cm_sketch2_serialize(&small, bad, sizeof bad, &sw), CM_OK);
    const uint64_t s2s[] = {UINT64_C(17999999999999), UINT64_C(18000000000000),
                            UINT64_C(24000000000000), UINT64_C(24000000000001)};
    for (size_t i = 0; i < NELEM(s2s); i++) {
        for (int b = 0; b < 8; b++)
            bad[56 + b] = (uint8_t)(s2s[i] >> (8 * b));
        fix_crc(bad, sw);
        if (i == 0 || i == 3) {
            ck_assert_status(cm_sketch2_deserialize(bad, sw, &out), CM_EPARSE);
        } else {
            ck_assert_status(cm_sketch2_deserialize(bad, sw, &small), CM_OK);
            ck_assert_uint_eq(small.sum_sq[0], s2s[i]);
        }
    }
    ck_assert_untouched(&out);
    ck_assert_status(cm_sketch2_deserialize(NULL, w, &out), CM_EINVAL);
    ck_assert_status(cm_sketch2_deserialize(buf, w, NULL), CM_EINVAL);
}
END_TEST

START_TEST(sketch2_sum_of_squares_checked)
{
    /* A struct whose sum of squares breaks n S2 >= S1^2 (a negative variance)
     * or leaves [S1 m(min), S1 m(max)] is refused by every full reader. Values
     * {2, 4} s: S1 = 6e6, S2 = 20e12; n S2 = 40e12 >= S1^2 = 36e12. */
    static cm_sketch2 s, t;
    ck_assert_status(cm_sketch2_init(&s, CM_SKETCH_SECONDS), CM_OK);
    ck_assert_status(cm_sketch2_add(&s, 2), CM_OK);
    ck_assert_status(cm_sketch2_add(&s, 4), CM_OK);
    ck_assert_uint_eq(s.sum_sq[0], UINT64_C(20000000000000));
    const uint64_t bad_s2[] = {UINT64_C(17999999999999), /* n S2 < S1^2 */
                               UINT64_C(24000000000001), /* above S1 m(max) */
                               0};
    cm_sketch2_summary sum;
    double v;
    cm_share sh;
    uint8_t buf[256];
    size_t w;
    for (size_t i = 0; i < NELEM(bad_s2); i++) {
        t = s;
        t.sum_sq[0] = bad_s2[i];
        ck_assert_status(cm_sketch2_result(&t, &sum), CM_EINVAL);
        ck_assert_status(cm_sketch2_quantile(&t, 0.5, &v), CM_EINVAL);
        ck_assert_status(cm_sketch2_rank(&t, 3.0, 0.95, &sh), CM_EINVAL);
        ck_assert_status(cm_sketch2_serialize(&t, buf, sizeof buf, &w), CM_EINVAL);
        ck_assert_status(cm_sketch2_merge(&t, &s), CM_EINVAL);
    }
    t = s;
    t.sum_sq[2] = 1;
    ck_assert_status(cm_sketch2_result(&t, &sum), CM_EINVAL);
    t = s;
    t.flags = 1;
    ck_assert_status(cm_sketch2_add(&t, 1.0), CM_EINVAL);
    t = s;
    t.reserved[3] = 1;
    ck_assert_status(cm_sketch2_add(&t, 1.0), CM_EINVAL);
    t = s;
    t.resolution = 7;
    ck_assert_status(cm_sketch2_add(&t, 1.0), CM_EINVAL);
    ck_assert_status(cm_sketch2_result(&t, &sum), CM_EINVAL);
}
END_TEST

START_TEST(sketch2_bad_input)
{
    static cm_sketch2 s, sub, before, empty;
    ck_assert_status(cm_sketch2_init(&s, CM_SKETCH_SECONDS), CM_OK);
    ck_assert_status(cm_sketch2_init(&sub, CM_SKETCH_SUBSECOND), CM_OK);
    ck_assert_status(cm_sketch2_init(&empty, CM_SKETCH_SUBSECOND), CM_OK);
    ck_assert_status(cm_sketch2_add(&s, 10), CM_OK);
    ck_assert_status(cm_sketch2_add(&sub, 0.01), CM_OK);
    ck_assert_status(cm_sketch2_init(NULL, CM_SKETCH_SECONDS), CM_EINVAL);
    ck_assert_status(cm_sketch2_init(&before, (cm_sketch_resolution)2), CM_EINVAL);
    before = sub;
    const double invalid[] = {D_NAN, D_INF, -D_INF, -1.0, -DBL_MIN};
    for (size_t i = 0; i < NELEM(invalid); i++) {
        ck_assert_status(cm_sketch2_add(&sub, invalid[i]), CM_EINVAL);
        ck_assert_status(cm_sketch2_add_n(&sub, invalid[i], 2), CM_EINVAL);
    }
    /* The sub-second range ends at CM_SKETCH_SUBSECOND_MAX_SECONDS. */
    ck_assert_status(cm_sketch2_add(&sub, CM_SKETCH_SUBSECOND_MAX_SECONDS), CM_ERANGE);
    ck_assert_status(cm_sketch2_add(&sub, 8 * 86400.0), CM_ERANGE);
    ck_assert_status(cm_sketch2_add_n(&sub, 1.0, 0), CM_EINVAL);
    ck_assert_status(cm_sketch2_add_n(&sub, 1.0, UINT64_MAX), CM_EOVERFLOW);
    const double far[] = {1, 1e6}, nan2[] = {1e6, D_NAN};
    const uint64_t ks[] = {1, 1}, k0[] = {1, 0};
    ck_assert_status(cm_sketch2_add_many(&sub, far, 2), CM_ERANGE);
    ck_assert_status(cm_sketch2_add_many(&sub, nan2, 2), CM_EINVAL);
    ck_assert_status(cm_sketch2_add_many(&sub, NULL, 2), CM_EINVAL);
    ck_assert_status(cm_sketch2_add_many(NULL, far, 2), CM_EINVAL);
    ck_assert_status(cm_sketch2_add_weighted(&sub, far, ks, 2), CM_ERANGE);
    ck_assert_status(cm_sketch2_add_weighted(&sub, far, k0, 2), CM_EINVAL);
    ck_assert_status(cm_sketch2_add_weighted(&sub, far, NULL, 2), CM_EINVAL);
    ck_assert_mem_eq(&sub, &before, sizeof sub);
    /* 1e6 s is fine at whole seconds. */
    ck_assert_status(cm_sketch2_add_many(&s, far, 2), CM_OK);
    /* Resolutions do not mix. */
    ck_assert_status(cm_sketch2_merge(&s, &sub), CM_EINVAL);
    ck_assert_status(cm_sketch2_merge(&s, NULL), CM_EINVAL);
    ck_assert_status(cm_sketch2_merge(NULL, &s), CM_EINVAL);
    cm_sketch plain;
    poison(&plain);
    ck_assert_status(cm_sketch2_to_sketch(&sub, &plain), CM_EINVAL);
    ck_assert_status(cm_sketch2_to_sketch(NULL, &plain), CM_EINVAL);
    ck_assert_status(cm_sketch2_to_sketch(&s, NULL), CM_EINVAL);
    ck_assert_untouched(&plain);
    double v, out[2];
    cm_sketch2_summary sum;
    cm_share sh;
    poison(&v);
    poison(&out);
    poison(&sum);
    poison(&sh);
    const double qs[] = {0.5, 1.5};
    ck_assert_status(cm_sketch2_quantile(&sub, D_NAN, &v), CM_EINVAL);
    ck_assert_status(cm_sketch2_quantile(&sub, 0.5, NULL), CM_EINVAL);
    ck_assert_status(cm_sketch2_quantile(NULL, 0.5, &v), CM_EINVAL);
    ck_assert_status(cm_sketch2_quantile(&empty, 0.5, &v), CM_ENODATA);
    ck_assert_status(cm_sketch2_quantiles(&sub, qs, 2, out), CM_EINVAL);
    ck_assert_status(cm_sketch2_quantiles(&sub, NULL, 2, out), CM_EINVAL);
    ck_assert_status(cm_sketch2_quantiles(&empty, qs, 1, out), CM_ENODATA);
    ck_assert_status(cm_sketch2_result(&empty, &sum), CM_ENODATA);
    ck_assert_status(cm_sketch2_result(NULL, &sum), CM_EINVAL);
    ck_assert_status(cm_sketch2_result(&sub, NULL), CM_EINVAL);
    ck_assert_status(cm_sketch2_rank(&sub, -1.0, 0.95, &sh), CM_EINVAL);
    ck_assert_status(cm_sketch2_rank(&sub, D_NAN, 0.95, &sh), CM_EINVAL);
    ck_assert_status(cm_sketch2_rank(&sub, 1.0, 1.0, &sh), CM_EINVAL);
    ck_assert_status(cm_sketch2_rank(&empty, 1.0, 0.95, &sh), CM_ENODATA);
    ck_assert_status(cm_sketch2_rank(NULL, 1.0, 0.95, &sh), CM_EINVAL);
    ck_assert_untouched(&v);
    ck_assert_untouched(&out);
    ck_assert_untouched(&sum);
    ck_assert_untouched(&sh);
    uint8_t small[16];
    size_t need = 0;
    memset(small, CM_POISON, sizeof small);
    ck_assert_status(cm_sketch2_serialize(&sub, small, sizeof small, &need), CM_ENOSPC);
    ck_assert_uint_ge(need, 86);
    ck_assert_untouched(&small);
    ck_assert_status(cm_sketch2_serialize(NULL, small, sizeof small, &need), CM_EINVAL);
    ck_assert_status(cm_sketch2_serialize(&sub, NULL, sizeof small, &need), CM_EINVAL);
    ck_assert_status(cm_sketch2_serialize(&sub, small, sizeof small, NULL), CM_EINVAL);
    /* Overflow of the count by merging. */
    static cm_sketch2 full, one;
    ck_assert_status(cm_sketch2_init(&full, CM_SKETCH_SECONDS), CM_OK);
    ck_assert_status(cm_sketch2_add_n(&full, 3.0, UINT64_MAX), CM_OK);
    ck_assert_status(cm_sketch2_init(&one, CM_SKETCH_SECONDS), CM_OK);
    ck_assert_status(cm_sketch2_add(&one, 3.0), CM_OK);
    before = full;
    ck_assert_status(cm_sketch2_merge(&full, &one), CM_EOVERFLOW);
    ck_assert_status(cm_sketch2_add(&full, 3.0), CM_EOVERFLOW);
    ck_assert_mem_eq(&full, &before, sizeof full);
    /* UINT64_MAX values of 3 s: every sum at its largest, the variance 0. */
    ck_assert_status(cm_sketch2_result(&full, &sum), CM_OK);
    ck_assert_double_eq(sum.stddev_seconds, 0.0);
    ck_assert_double_eq(sum.mean_seconds, 3.0);
}
END_TEST

/* CRC-32 (IEEE), bitwise: the reference definition, independent of lib/. */
static void fix_crc(uint8_t *buf, size_t len)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < len - 4; i++) {
        c ^= buf[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    c ^= 0xffffffffu;
    for (int i = 0; i < 4; i++)
        buf[len - 4 + (size_t)i] = (uint8_t)(c >> (8 * i));
}

static Suite *sketch_suite(void)
{
    Suite *s = suite_create("sketch");
    TCase *tc = tcase_create("exact");
    tcase_add_loop_test(tc, exact_matches_numpy, 0, (int)NELEM(quantile_oracle));
    tcase_add_test(tc, exact_matches_sort_property);
    tcase_add_loop_test(tc, exact_adversarial_orders, 0, 6);
    tcase_add_test(tc, exact_hand);
    tcase_add_test(tc, exact_bad_input);
    tcase_add_loop_test(tc, methods_match_numpy, 0, (int)NELEM(method_oracle));
    tcase_add_test(tc, methods_hand);
    tcase_add_test(tc, methods_bad_input);
    suite_add_tcase(s, tc);

    tc = tcase_create("micros");
    tcase_add_test(tc, micros_rounding_cases);
    tcase_add_test(tc, micros_rounding_oracle);
    tcase_add_test(tc, micros_old_rounding_accepted);
    suite_add_tcase(s, tc);

    tc = tcase_create("rank");
    tcase_add_test(tc, rank_hand);
    tcase_add_test(tc, rank_bound_property);
    tcase_add_test(tc, rank_bad_input);
    suite_add_tcase(s, tc);

    tc = tcase_create("buckets");
    tcase_add_test(tc, bucket_bounds_definition);
    tcase_add_test(tc, bucket_random_values);
    tcase_add_test(tc, bucket_bounds_bad_input);
    suite_add_tcase(s, tc);

    tc = tcase_create("sketch");
    tcase_add_test(tc, sketch_hand);
    tcase_add_test(tc, sketch_small_counts_exact);
    tcase_add_test(tc, sketch_sub_second_and_zero);
    tcase_add_loop_test(tc, sketch_acceptance, 0, (int)NELEM(dist_names));
    tcase_add_test(tc, sketch_merge_properties);
    tcase_add_test(tc, sketch_add_bad_input);
    tcase_add_test(tc, sketch_overflow);
    tcase_add_test(tc, sketch_read_bad_input);
    suite_add_tcase(s, tc);

    tc = tcase_create("serialize");
    tcase_add_test(tc, serialize_layout);
    tcase_add_test(tc, serialize_round_trip_property);
    tcase_add_test(tc, serialize_max_size);
    tcase_add_test(tc, deserialize_rejects_damage);
    tcase_add_test(tc, deserialize_rejects_non_canonical);
    tcase_add_test(tc, serialize_no_space);
    tcase_add_test(tc, sketch_sizeof_matches);
    suite_add_tcase(s, tc);

    tc = tcase_create("weighted");
    tcase_add_test(tc, weighted_adds_equal_repeats);
    tcase_add_test(tc, weighted_adds_bad_input);
    suite_add_tcase(s, tc);

    tc = tcase_create("sketch2");
    tcase_add_test(tc, sketch2_matches_sketch);
    tcase_add_test(tc, sketch2_hand);
    tcase_add_test(tc, sketch2_bucket_bounds_scaled);
    tcase_add_test(tc, sketch2_stddev_property);
    tcase_add_test(tc, sketch2_subsecond_acceptance);
    tcase_add_test(tc, sketch2_serialize_layout);
    tcase_add_test(tc, sketch2_rejects_damage);
    tcase_add_test(tc, sketch2_sum_of_squares_checked);
    tcase_add_test(tc, sketch2_bad_input);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(sketch_suite());
}
