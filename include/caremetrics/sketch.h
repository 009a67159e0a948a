/*
 * libcaremetrics — response-time distributions: a mergeable quantile sketch
 * and exact quantiles of an array.
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_SKETCH_H
#define CAREMETRICS_SKETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <caremetrics/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup sketch Sketch: response-time distributions
 * @brief Median, p90 and p99 of durations over millions of tickets, mergeable
 *        across shards, and exact quantiles of an array.
 *
 * A ::cm_sketch is a fixed-size log-bucketed histogram of non-negative
 * durations in seconds. Bucket `i` holds the values in
 * `[1.02^i, 1.02^(i+1))` seconds for `i` = 0..1023, so the sketch covers
 * 1 s to ::CM_SKETCH_MAX_SECONDS (about 20.3 years); zero is counted
 * exactly and values between 0 and 1 s share one bucket. Counts are
 * integers, so merging is exact and independent of order: sketches filled
 * on shards and merged in any order are byte-for-byte the sketch of the
 * whole data set.
 *
 * Quantiles follow numpy's default definition (Hyndman & Fan type 7, see
 * cm_quantile_exact()) applied to the values the sketch stands for, and are
 * within 1/101 (0.990 %) of the exact quantile for values of 1 s and more.
 * The bucket scheme, the proof of the bound and the byte format are in
 * `docs/sketch.md`.
 *
 * A sketch is a plain struct of ::CM_SKETCH_BUCKETS + 7 64-bit words
 * (8,248 bytes): zero-initialise it (`cm_sketch s = {0};`) or call
 * cm_sketch_init(). Nothing in this module allocates. A sketch is not
 * locked: give each thread its own and merge them.
 *
 * @code
 * cm_sketch s = {0};
 * for (size_t i = 0; i < n; i++)
 *     if (cm_sketch_add(&s, first_reply_seconds[i]) != CM_OK)
 *         break;
 * const double qs[] = {0.5, 0.9, 0.99};
 * double v[3];
 * if (cm_sketch_quantiles(&s, qs, 3, v) == CM_OK)
 *     printf("median %.0f s, p90 %.0f s, p99 %.0f s\n", v[0], v[1], v[2]);
 * @endcode
 * @{
 */

/** @file caremetrics/sketch.h
 *  @brief Mergeable response-time sketch and exact quantiles. */

/** Number of logarithmic buckets of a ::cm_sketch. */
#define CM_SKETCH_BUCKETS 1024

/**
 * Exclusive upper end of the sketch's range, in seconds: the double nearest to
 * 1.02^1024, about 20.3 years. cm_sketch_add() rejects larger values.
 */
#define CM_SKETCH_MAX_SECONDS 640583700.8762107

/**
 * Relative error bound of a sketch quantile for values of 1 s and more:
 * 1/101 rounded up (the exact bound is 1/101 plus a few units in the last place).
 */
#define CM_SKETCH_RELATIVE_ERROR 0.0099010

/** Largest size in bytes of a serialized ::cm_sketch: 62 fixed bytes and at most 12 per bucket. */
#define CM_SKETCH_SERIALIZED_MAX 12350

/**
 * A mergeable histogram of durations.
 *
 * Every field is part of the ABI and may be read directly; change them only
 * through the functions, which check that they stay consistent. A
 * zero-initialised struct is an empty sketch.
 */
typedef struct cm_sketch {
    uint64_t n;                         /**< Number of values recorded. */
    uint64_t zeros;                     /**< Values equal to 0. */
    uint64_t below_one;                 /**< Values strictly between 0 and 1 s. */
    double min_seconds;                 /**< Smallest value recorded, exactly (0 while n = 0). */
    double max_seconds;                 /**< Largest value recorded, exactly (0 while n = 0). */
    uint64_t sum_us[2];                 /**< Sum of the values rounded to whole microseconds: a
                              128-bit integer, `sum_us[0]` the low 64 bits. */
    uint64_t counts[CM_SKETCH_BUCKETS]; /**< `counts[i]`: values in
                                             `[1.02^i, 1.02^(i+1))` s (bounds
                                             from cm_sketch_bucket_bounds()). */
} cm_sketch;

/** Result of cm_sketch_result(). */
typedef struct cm_sketch_summary {
    uint64_t n;           /**< Number of values. */
    uint64_t zeros;       /**< Values equal to 0. */
    double min_seconds;   /**< Smallest value, exactly. */
    double max_seconds;   /**< Largest value, exactly. */
    double mean_seconds;  /**< Mean: the microsecond sum divided by n (see cm_sketch_result()). */
    double total_seconds; /**< Sum of the values rounded to microseconds, in seconds. */
} cm_sketch_summary;

/**
 * Empties a sketch (the same as zero-initialising it).
 *
 * @param[out] sketch the sketch.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p sketch is NULL.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_sketch_init(cm_sketch *sketch);

/**
 * Records one duration.
 *
 * Zero goes to the zero count and values in (0, 1) s to the sub-second
 * count; both are exact counts. Every other value goes to its bucket.
 * The minimum, the maximum and the microsecond sum are updated exactly.
 * Only cheap consistency checks of @p sketch are made here (its minimum,
 * maximum and count); the full check runs in the functions that read every
 * bucket anyway.
 *
 * @param sketch the sketch.
 * @param seconds the duration in seconds: finite, >= 0 (-0 counts as 0) and
 *        below ::CM_SKETCH_MAX_SECONDS.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p sketch is NULL or inconsistent, or @p seconds is NaN, infinite or negative.
 * @retval CM_ERANGE @p seconds is at or above ::CM_SKETCH_MAX_SECONDS (about 20.3 years).
 * @retval CM_EOVERFLOW the sketch already holds `UINT64_MAX` values.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_sketch_add(cm_sketch *sketch, double seconds);

/**
 * Adds the values of @p other to @p sketch. Exact, commutative and associative:
 * any split of a data set, merged in any order, gives the bytes of a single pass.
 *
 * @param sketch the sketch that receives the values.
 * @param other the sketch to add; may be @p sketch itself.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or a sketch is inconsistent.
 * @retval CM_EOVERFLOW the total count would exceed `UINT64_MAX`; @p sketch is unchanged.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_sketch_merge(cm_sketch *sketch, const cm_sketch *other);

/**
 * Estimates one quantile of the recorded values.
 *
 * With the values sorted `x_0 <= ... <= x_{n-1}`, `h = (n - 1) q`,
 * `k = floor(h)` and `g = h - k`, the result is `e_k + g (e_{k+1} - e_k)`
 * (numpy's default, Hyndman & Fan type 7), where `e_r` stands for `x_r`:
 * `e_0` is the exact minimum, `e_{n-1}` the exact maximum, and any other
 * `e_r` is the representative value of the bucket holding rank `r` (0 for the
 * zero count, 0.5 s for the sub-second count, `1.02^i * 102/101` for bucket
 * `i`), clamped to [minimum, maximum].
 *
 * When `x_k` and `x_{k+1}` are 0 or at least 1 s the result is within
 * ::CM_SKETCH_RELATIVE_ERROR (1/101) of the exact type-7 quantile; a rank in
 * (0, 1) s adds at most 0.5 s of absolute error. q = 0 and q = 1 give the
 * exact minimum and maximum.
 *
 * @param sketch the sketch.
 * @param q the quantile, in [0, 1] (0.5 = median, 0.9 = p90).
 * @param[out] out the estimate, in seconds.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p q is NaN or outside [0, 1], or @p sketch is inconsistent.
 * @retval CM_ENODATA the sketch is empty.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_sketch_quantile(const cm_sketch *sketch, double q, double *out);

/**
 * Estimates several quantiles at once; see cm_sketch_quantile(). All or nothing.
 *
 * @param sketch the sketch.
 * @param qs the quantiles, each in [0, 1], in any order.
 * @param n number of quantiles; @p qs and @p out may be NULL when @p n is 0.
 * @param[out] out `out[i]` receives the estimate of `qs[i]`, in seconds.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, a quantile is NaN or outside [0, 1], or @p sketch is inconsistent.
 * @retval CM_ENODATA the sketch is empty.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_sketch_quantiles(const cm_sketch *sketch, const double *qs,
                                                  size_t n, double *out);

/**
 * Count, minimum, maximum and mean of the recorded values.
 *
 * The mean is kept exactly mergeable: each value is rounded to the nearest
 * microsecond when recorded and the sketch keeps the exact 128-bit integer sum,
 * so merged sketches hold exactly the sum of a single pass. The mean is that
 * sum divided by n: within 0.5 µs of the mean of the values as given (exact
 * for whole-second or whole-microsecond durations), up to the final rounding
 * to double.
 *
 * @param sketch the sketch.
 * @param[out] out the summary.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or @p sketch is inconsistent.
 * @retval CM_ENODATA the sketch is empty.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_sketch_result(const cm_sketch *sketch, cm_sketch_summary *out);

/**
 * Writes a sketch as portable bytes: a sparse encoding of the non-empty buckets
 * (format in `docs/sketch.md`), typically a few hundred bytes and never more
 * than ::CM_SKETCH_SERIALIZED_MAX.
 *
 * The bytes depend only on the values recorded, not on the order of the
 * additions and merges that recorded them.
 *
 * @param sketch the sketch.
 * @param[out] buf destination.
 * @param cap capacity of @p buf in bytes.
 * @param[out] written bytes written; on ::CM_ENOSPC, the size needed.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or @p sketch is inconsistent.
 * @retval CM_ENOSPC @p cap is too small; @p written holds the size needed and @p buf is untouched.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_sketch_serialize(const cm_sketch *sketch, uint8_t *buf, size_t cap,
                                                  size_t *written);

/**
 * Reads a sketch written by cm_sketch_serialize(), on any machine.
 *
 * @param buf the bytes.
 * @param len their number: exactly the size written.
 * @param[out] out the sketch.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_EPARSE the bytes are truncated, corrupt, of another kind or format version, not in
 *         canonical form, or describe a sketch no sequence of additions could produce.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_sketch_deserialize(const uint8_t *buf, size_t len, cm_sketch *out);

/**
 * Range and representative value of bucket @p index, as used by every sketch.
 *
 * `counts[index]` holds the values `x` with `lo <= x < hi`; `lo` and `hi` are
 * the doubles nearest to `1.02^index` and `1.02^(index+1)`, and `value`, the
 * double nearest to `1.02^index * 102/101`, is the harmonic mean of the exact
 * bounds: the point whose largest relative distance to the bucket is smallest.
 *
 * @param index the bucket, 0..::CM_SKETCH_BUCKETS - 1.
 * @param[out] lo inclusive lower bound, in seconds.
 * @param[out] hi exclusive upper bound, in seconds.
 * @param[out] value the representative value, in seconds.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_ERANGE @p index is ::CM_SKETCH_BUCKETS or more.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_sketch_bucket_bounds(uint32_t index, double *lo, double *hi,
                                                      double *value);

/**
 * Records an array of durations; see cm_sketch_add(). All or nothing: if any
 * value is invalid the sketch is unchanged.
 *
 * @param sketch the sketch.
 * @param seconds the durations in seconds, each finite, >= 0 and below ::CM_SKETCH_MAX_SECONDS.
 * @param n number of values; @p seconds may be NULL when @p n is 0.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p sketch is inconsistent, or a value is NaN, infinite
 *         or negative.
 * @retval CM_ERANGE a value is at or above ::CM_SKETCH_MAX_SECONDS (and none is invalid).
 * @retval CM_EOVERFLOW the count would exceed `UINT64_MAX`.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_sketch_add_many(cm_sketch *sketch, const double *seconds,
                                                 size_t n);

/**
 * Records one duration @p count times: the same sketch, byte for byte, as
 * @p count calls of cm_sketch_add(), in one step. For data that arrive
 * already counted (a histogram exported by another tool, a column of
 * values with their frequencies).
 *
 * @param sketch the sketch.
 * @param seconds the duration in seconds: finite, >= 0 and below ::CM_SKETCH_MAX_SECONDS.
 * @param count how many times to record it; at least 1.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p sketch is NULL or inconsistent, @p seconds is NaN, infinite or
 *         negative, or @p count is 0.
 * @retval CM_ERANGE @p seconds is at or above ::CM_SKETCH_MAX_SECONDS.
 * @retval CM_EOVERFLOW the count of the sketch would exceed `UINT64_MAX`; the sketch is unchanged.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sketch_add_n(cm_sketch *sketch, double seconds, uint64_t count);

/**
 * Records each `seconds[i]` `counts[i]` times; see cm_sketch_add_n(). All or
 * nothing: if any value or count is invalid, or the total would overflow, the
 * sketch is unchanged.
 *
 * @param sketch the sketch.
 * @param seconds the durations in seconds, each finite, >= 0 and below ::CM_SKETCH_MAX_SECONDS.
 * @param counts the number of times to record each, each at least 1.
 * @param n number of entries; the arrays may be NULL when @p n is 0.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p sketch is inconsistent, a value is NaN, infinite or
 *         negative, or a count is 0.
 * @retval CM_ERANGE a value is at or above ::CM_SKETCH_MAX_SECONDS (and none is invalid).
 * @retval CM_EOVERFLOW the counts add up, with the sketch's, past `UINT64_MAX`.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sketch_add_weighted(cm_sketch *sketch, const double *seconds,
                                                     const uint64_t *counts, size_t n);

/**
 * The share of values at or below a threshold ("replied within 1 hour"),
 * with its bounds. Result of cm_sketch_rank(), cm_sketch2_rank() and
 * cm_rank_exact().
 *
 * `count_min <= count <= count_max`. From an array all three are the exact
 * count; from a sketch `count_min` and `count_max` are the values certainly
 * and possibly at or below the threshold, and `count` the estimate. `lo` and
 * `hi` are the Wilson score interval of the share at the requested
 * confidence, the lower end taken at `count_min` and the upper end at
 * `count_max`: when the count is exact this is exactly the Wilson interval of
 * cm_rate(), otherwise it covers both the sketch's resolution and the
 * sampling error.
 */
typedef struct cm_share {
    uint64_t n; /**< Number of values in all. */
    uint64_t
        count; /**< Values at or below the threshold: exact (arrays) or estimated (sketches). */
    uint64_t count_min; /**< Values certainly at or below the threshold. */
    uint64_t count_max; /**< Values possibly at or below the threshold. */
    double share;       /**< `count / n`, in [0, 1]. */
    double lo;          /**< Lower end of the interval: Wilson lower bound of `count_min / n`. */
    double hi;          /**< Upper end of the interval: Wilson upper bound of `count_max / n`. */
} cm_share;

/**
 * Share of the recorded durations at or below @p seconds: the empirical
 * distribution function of the sketch, for SLA questions such as "what share
 * of first replies came within an hour".
 *
 * Values in buckets entirely at or below the threshold, and zeros, count for
 * certain; the bucket that contains the threshold is split by its
 * representative value (the one cm_sketch_quantile() uses), so rank and
 * quantile agree. The exact minimum and maximum make the answer exact below
 * the minimum and at or above the maximum. For a threshold of 1 s or more the
 * estimated share lies between the exact shares at `seconds * 101 / 102` and
 * at `seconds * 1.01`: it is the exact share at a threshold within 1 % of the
 * one asked (`docs/sketch.md` proves it). `count_min` and `count_max` bound
 * the exact count for certain.
 *
 * @param sketch the sketch.
 * @param seconds the threshold in seconds; finite and >= 0.
 * @param confidence confidence level of the interval, in (0, 1), e.g. 0.95.
 * @param[out] out the share, its bounds and its interval.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p seconds is NaN, infinite or negative, @p confidence
 *         is not in (0, 1), or @p sketch is inconsistent.
 * @retval CM_ENODATA the sketch is empty.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sketch_rank(const cm_sketch *sketch, double seconds,
                                             double confidence, cm_share *out);

/* ------------------------------------------------------------------------ */
/* Exact quantiles                                                          */
/* ------------------------------------------------------------------------ */

/**
 * Number of `double`s of scratch space cm_quantile_exact() and
 * cm_quantiles_exact() need for an array of @p n values: @p n.
 *
 * @param n number of values.
 * @return the scratch size in doubles (not bytes).
 * @since 0.1
 */
CM_API size_t cm_quantile_exact_scratch_size(size_t n);

/**
 * Exact quantile of an array, by selection in caller-provided scratch memory.
 *
 * The definition is numpy's default (`numpy.quantile(xs, q)`, method
 * `"linear"`), which is Hyndman & Fan's type 7 and the default of R and
 * Excel's PERCENTILE.INC: with the values sorted `x_0 <= ... <= x_{n-1}`,
 * `h = (n - 1) q`, `k = floor(h)` and `g = h - k`, the quantile is
 * `x_k + g (x_{k+1} - x_k)` (`x_{n-1}` when `h >= n - 1`), with numpy's
 * rounding: for `g >= 0.5` it is computed as `x_{k+1} - (1 - g)(x_{k+1} - x_k)`.
 *
 * The values are copied into @p scratch and partially reordered there by
 * introselect (quickselect with median-of-three pivots, falling back to
 * heapsort on adversarial input), so the cost is O(n) on average and
 * O(n log n) at worst; @p xs is not modified unless it is @p scratch itself.
 *
 * @param xs the values; any finite doubles.
 * @param n number of values.
 * @param q the quantile, in [0, 1].
 * @param scratch working memory of @p scratch_len doubles; may be @p xs itself
 *        (cast from const), which is then reordered in place.
 * @param scratch_len capacity of @p scratch in doubles; at least cm_quantile_exact_scratch_size(n).
 * @param[out] out the quantile.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, a value is NaN or infinite, or @p q is NaN or outside [0, 1].
 * @retval CM_ENODATA @p n is 0.
 * @retval CM_ENOSPC @p scratch_len is below cm_quantile_exact_scratch_size(n).
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_quantile_exact(const double *xs, size_t n, double q,
                                                double *scratch, size_t scratch_len, double *out);

/**
 * Several exact quantiles of one array; see cm_quantile_exact(). The
 * selections share their work: the quantiles are taken in increasing order,
 * each within the part of the array left above the previous one.
 *
 * @param xs the values; any finite doubles.
 * @param n number of values.
 * @param qs the quantiles, each in [0, 1], in any order.
 * @param nq number of quantiles; @p qs and @p out may be NULL when @p nq is 0.
 * @param scratch working memory of @p scratch_len doubles; may be @p xs itself.
 * @param scratch_len capacity of @p scratch in doubles; at least cm_quantile_exact_scratch_size(n).
 * @param[out] out `out[i]` receives the quantile `qs[i]`.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, a value is NaN or infinite, or a quantile is NaN or
 *         outside [0, 1].
 * @retval CM_ENODATA @p n is 0.
 * @retval CM_ENOSPC @p scratch_len is below cm_quantile_exact_scratch_size(n).
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_quantiles_exact(const double *xs, size_t n, const double *qs,
                                                 size_t nq, double *scratch, size_t scratch_len,
                                                 double *out);

/**
 * Definition of a quantile of a sample, for cm_quantile_exact_method() and
 * cm_quantiles_exact_method(). The values are Hyndman and Fan's type
 * numbers; each method gives, bit for bit, what `numpy.quantile(xs, q,
 * method=...)` gives with the numpy name in its description.
 *
 * With the `n` values sorted `x_0 <= ... <= x_{n-1}` (0-based):
 */
typedef enum cm_quantile_method {
    /** Type 1, numpy `"inverted_cdf"`, SQL `percentile_disc`: the smallest value whose rank
     *  reaches `n q`, that is `x_k` with `k = ceil(n q) - 1` (and `x_0` for q = 0). Always one
     *  of the values. */
    CM_QUANTILE_INVERTED_CDF = 1,
    /** Type 6, numpy `"weibull"`, Excel `PERCENTILE.EXC`, Minitab and SPSS: interpolation at
     *  the position `h = (n + 1) q - 1`, clamped to the first and last value (where Excel
     *  returns \#NUM!). */
    CM_QUANTILE_WEIBULL = 6,
    /** Type 7, numpy `"linear"` (its default), R's default, Excel `PERCENTILE.INC`, SQL
     *  `percentile_cont`: interpolation at `h = (n - 1) q`. The definition of
     *  cm_quantile_exact() and of the sketch. */
    CM_QUANTILE_LINEAR = 7,
    /** Type 8, numpy `"median_unbiased"`, Hyndman and Fan's recommendation: interpolation at
     *  `h = (n + 1/3) q - 2/3`, clamped like type 6; approximately median-unbiased whatever
     *  the distribution. */
    CM_QUANTILE_MEDIAN_UNBIASED = 8
} cm_quantile_method;

/**
 * Exact quantile of an array under a chosen definition; see
 * cm_quantile_exact() for the selection and the scratch memory, and
 * ::cm_quantile_method for the definitions. `CM_QUANTILE_LINEAR` gives
 * exactly cm_quantile_exact().
 *
 * The interpolating methods compute, like numpy, `x_k + g (x_{k+1} - x_k)`
 * from the nearer end; where that difference would overflow (values more than
 * `DBL_MAX` apart), where numpy returns an infinity or NaN, the result is
 * `(1 - g) x_k + g x_{k+1}` instead, so no NaN is ever returned.
 *
 * @param xs the values; any finite doubles.
 * @param n number of values.
 * @param q the quantile, in [0, 1].
 * @param method the definition, a ::cm_quantile_method.
 * @param scratch working memory of @p scratch_len doubles; may be @p xs itself.
 * @param scratch_len capacity of @p scratch in doubles; at least cm_quantile_exact_scratch_size(n).
 * @param[out] out the quantile.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, a value is NaN or infinite, @p q is NaN or outside
 *         [0, 1], or @p method is not a ::cm_quantile_method.
 * @retval CM_ENODATA @p n is 0.
 * @retval CM_ENOSPC @p scratch_len is below cm_quantile_exact_scratch_size(n).
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_quantile_exact_method(const double *xs, size_t n, double q,
                                                       cm_quantile_method method, double *scratch,
                                                       size_t scratch_len, double *out);

/**
 * Several exact quantiles of one array under a chosen definition; see
 * cm_quantiles_exact() and cm_quantile_exact_method().
 *
 * @param xs the values; any finite doubles.
 * @param n number of values.
 * @param qs the quantiles, each in [0, 1], in any order.
 * @param nq number of quantiles; @p qs and @p out may be NULL when @p nq is 0.
 * @param method the definition, a ::cm_quantile_method.
 * @param scratch working memory of @p scratch_len doubles; may be @p xs itself.
 * @param scratch_len capacity of @p scratch in doubles; at least cm_quantile_exact_scratch_size(n).
 * @param[out] out `out[i]` receives the quantile `qs[i]`.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, a value is NaN or infinite, a quantile is NaN or
 *         outside [0, 1], or @p method is not a ::cm_quantile_method.
 * @retval CM_ENODATA @p n is 0.
 * @retval CM_ENOSPC @p scratch_len is below cm_quantile_exact_scratch_size(n).
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_quantiles_exact_method(const double *xs, size_t n,
                                                        const double *qs, size_t nq,
                                                        cm_quantile_method method, double *scratch,
                                                        size_t scratch_len, double *out);

/**
 * Exact share of an array's values at or below a threshold, with its Wilson
 * score interval: the exact counterpart of cm_sketch_rank(). One pass, no
 * scratch memory; the array is not modified.
 *
 * `count = count_min = count_max` is the number of `xs[i] <= threshold`, and
 * `[lo, hi]` the Wilson interval of cm_rate() for that count out of @p n.
 *
 * @param xs the values; any finite doubles.
 * @param n number of values.
 * @param threshold the threshold, finite, in the unit of the values.
 * @param confidence confidence level of the interval, in (0, 1), e.g. 0.95.
 * @param[out] out the share and its interval.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, a value or @p threshold is NaN or infinite, or
 *         @p confidence is not in (0, 1).
 * @retval CM_ENODATA @p n is 0.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_rank_exact(const double *xs, size_t n, double threshold,
                                            double confidence, cm_share *out);

/* ------------------------------------------------------------------------ */
/* Sketch with a chosen resolution and the standard deviation               */
/* ------------------------------------------------------------------------ */

/** Resolution of a ::cm_sketch2: the unit its buckets are laid out in. */
typedef enum cm_sketch_resolution {
    /** Buckets from 1 s to ::CM_SKETCH_MAX_SECONDS (about 20.3 years): the layout of
     *  ::cm_sketch, for first-reply and resolution times of tickets. */
    CM_SKETCH_SECONDS = 0,
    /** Buckets from 2^-10 s (0.977 ms) to ::CM_SKETCH_SUBSECOND_MAX_SECONDS (about 7.24
     *  days): for chat and bot replies and API latencies. */
    CM_SKETCH_SUBSECOND = 1
} cm_sketch_resolution;

/**
 * Exclusive upper end of the range of a ::CM_SKETCH_SUBSECOND sketch, in
 * seconds: ::CM_SKETCH_MAX_SECONDS / 1024, about 625,570 s or 7.24 days.
 */
#define CM_SKETCH_SUBSECOND_MAX_SECONDS (CM_SKETCH_MAX_SECONDS / 1024.0)

/** Largest size in bytes of a serialized ::cm_sketch2: 86 fixed bytes and at most 12 per bucket. */
#define CM_SKETCH2_SERIALIZED_MAX 12374

/**
 * A mergeable histogram of durations at a chosen resolution, which also
 * keeps the exact sum of squares for the standard deviation.
 *
 * It is a ::cm_sketch (`core`) laid out in units of its resolution (1 s, or
 * 2^-10 s for ::CM_SKETCH_SUBSECOND), plus the sum of the squares of the
 * values. Every value is multiplied by the unit's power of two on the way in
 * and divided on the way out, which is exact in binary floating point, so the
 * bucket boundaries, the minimum and the maximum are exactly those of
 * ::cm_sketch scaled, and the error bound of ::CM_SKETCH_RELATIVE_ERROR holds
 * for every value of one unit and more. The struct is ::cm_sketch plus 64
 * bytes (8,312 bytes). A zero-initialised struct is an empty
 * ::CM_SKETCH_SECONDS sketch; cm_sketch2_init() chooses the resolution.
 *
 * ::cm_sketch keeps its 0.1 layout and byte format unchanged; this type has
 * its own (format version 2 of the sketch, `docs/sketch.md`). Sketches of
 * different resolutions do not merge.
 */
typedef struct cm_sketch2 {
    uint32_t resolution;  /**< A ::cm_sketch_resolution, set by cm_sketch2_init(). */
    uint32_t flags;       /**< Zero; reserved for later options. */
    uint64_t sum_sq[3];   /**< Sum of the squares of the values in millionths of the unit,
                              each value rounded as for `core.sum_us`: a 192-bit integer,
                              `sum_sq[0]` the low word. */
    uint64_t reserved[4]; /**< Zero; reserved for later fields. */
    cm_sketch core;       /**< The values in units of the resolution: for
                               ::CM_SKETCH_SECONDS exactly the ::cm_sketch of the same
                               values; the `_seconds` fields hold units. */
} cm_sketch2;

/** Result of cm_sketch2_result(); every duration in seconds. */
typedef struct cm_sketch2_summary {
    uint64_t n;                /**< Number of values. */
    uint64_t zeros;            /**< Values equal to 0. */
    double min_seconds;        /**< Smallest value, exactly. */
    double max_seconds;        /**< Largest value, exactly. */
    double mean_seconds;       /**< Mean of the values rounded to millionths of the unit. */
    double total_seconds;      /**< Sum of the values rounded to millionths of the unit. */
    double stddev_seconds;     /**< Sample standard deviation (divisor n - 1, as pandas, R and
                                    Excel's STDEV.S); 0 for a single value. */
    double stddev_pop_seconds; /**< Population standard deviation (divisor n, as numpy's std). */
    double reserved[4];        /**< Zero; reserved for later fields. */
} cm_sketch2_summary;

/**
 * Empties a sketch and sets its resolution.
 *
 * @param[out] sketch the sketch.
 * @param resolution a ::cm_sketch_resolution.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p sketch is NULL or @p resolution is not a ::cm_sketch_resolution.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sketch2_init(cm_sketch2 *sketch, cm_sketch_resolution resolution);

/**
 * Records one duration; see cm_sketch_add(). Values below one unit of the
 * resolution (and above 0) share one class that stands for half a unit.
 *
 * @param sketch the sketch.
 * @param seconds the duration in seconds: finite, >= 0 and below the resolution's maximum
 *        (::CM_SKETCH_MAX_SECONDS or ::CM_SKETCH_SUBSECOND_MAX_SECONDS).
 * @retval CM_OK success.
 * @retval CM_EINVAL @p sketch is NULL or inconsistent, or @p seconds is NaN, infinite or negative.
 * @retval CM_ERANGE @p seconds is at or above the resolution's maximum.
 * @retval CM_EOVERFLOW the sketch already holds `UINT64_MAX` values.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sketch2_add(cm_sketch2 *sketch, double seconds);

/**
 * Records one duration @p count times; see cm_sketch_add_n().
 *
 * @param sketch the sketch.
 * @param seconds the duration in seconds: finite, >= 0 and below the resolution's maximum.
 * @param count how many times to record it; at least 1.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p sketch is NULL or inconsistent, @p seconds is NaN, infinite or
 *         negative, or @p count is 0.
 * @retval CM_ERANGE @p seconds is at or above the resolution's maximum.
 * @retval CM_EOVERFLOW the count of the sketch would exceed `UINT64_MAX`; the sketch is unchanged.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sketch2_add_n(cm_sketch2 *sketch, double seconds, uint64_t count);

/**
 * Records an array of durations, all or nothing; see cm_sketch_add_many().
 *
 * @param sketch the sketch.
 * @param seconds the durations in seconds, each finite, >= 0 and below the resolution's maximum.
 * @param n number of values; @p seconds may be NULL when @p n is 0.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p sketch is inconsistent, or a value is NaN, infinite
 *         or negative.
 * @retval CM_ERANGE a value is at or above the resolution's maximum (and none is invalid).
 * @retval CM_EOVERFLOW the count would exceed `UINT64_MAX`.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sketch2_add_many(cm_sketch2 *sketch, const double *seconds,
                                                  size_t n);

/**
 * Records each `seconds[i]` `counts[i]` times, all or nothing; see
 * cm_sketch_add_weighted().
 *
 * @param sketch the sketch.
 * @param seconds the durations in seconds, each finite, >= 0 and below the resolution's maximum.
 * @param counts the number of times to record each, each at least 1.
 * @param n number of entries; the arrays may be NULL when @p n is 0.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p sketch is inconsistent, a value is NaN, infinite or
 *         negative, or a count is 0.
 * @retval CM_ERANGE a value is at or above the resolution's maximum (and none is invalid).
 * @retval CM_EOVERFLOW the counts add up, with the sketch's, past `UINT64_MAX`.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sketch2_add_weighted(cm_sketch2 *sketch, const double *seconds,
                                                      const uint64_t *counts, size_t n);

/**
 * Adds the values of @p other to @p sketch; exact, commutative and
 * associative, like cm_sketch_merge().
 *
 * @param sketch the sketch that receives the values.
 * @param other the sketch to add, of the same resolution; may be @p sketch itself.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, a sketch is inconsistent, or the resolutions differ.
 * @retval CM_EOVERFLOW the total count would exceed `UINT64_MAX`; @p sketch is unchanged.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sketch2_merge(cm_sketch2 *sketch, const cm_sketch2 *other);

/**
 * Estimates one quantile; see cm_sketch_quantile(). Within
 * ::CM_SKETCH_RELATIVE_ERROR of the exact type-7 quantile when the ranks it
 * interpolates are 0 or at least one unit of the resolution.
 *
 * @param sketch the sketch.
 * @param q the quantile, in [0, 1].
 * @param[out] out the estimate, in seconds.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p q is NaN or outside [0, 1], or @p sketch is inconsistent.
 * @retval CM_ENODATA the sketch is empty.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sketch2_quantile(const cm_sketch2 *sketch, double q, double *out);

/**
 * Estimates several quantiles at once; all or nothing.
 *
 * @param sketch the sketch.
 * @param qs the quantiles, each in [0, 1], in any order.
 * @param n number of quantiles; @p qs and @p out may be NULL when @p n is 0.
 * @param[out] out `out[i]` receives the estimate of `qs[i]`, in seconds.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, a quantile is NaN or outside [0, 1], or @p sketch is inconsistent.
 * @retval CM_ENODATA the sketch is empty.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sketch2_quantiles(const cm_sketch2 *sketch, const double *qs,
                                                   size_t n, double *out);

/**
 * Share of the recorded durations at or below @p seconds; see
 * cm_sketch_rank(). The 1 % bound holds for thresholds of one unit and more.
 *
 * @param sketch the sketch.
 * @param seconds the threshold in seconds; finite and >= 0.
 * @param confidence confidence level of the interval, in (0, 1).
 * @param[out] out the share, its bounds and its interval.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p seconds is NaN, infinite or negative, @p confidence
 *         is not in (0, 1), or @p sketch is inconsistent.
 * @retval CM_ENODATA the sketch is empty.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sketch2_rank(const cm_sketch2 *sketch, double seconds,
                                              double confidence, cm_share *out);

/**
 * Count, extremes, mean and standard deviation of the recorded values.
 *
 * The sum and the sum of squares are exact integers (each value rounded to
 * the nearest millionth of the unit, halves up), so merged sketches give the
 * single-pass result exactly. The variance is computed from them as the exact
 * integer `n S2 - S1^2` divided by `n (n - 1)` (or `n^2`), rounded once: no
 * cancellation, whatever the spread. It is the variance of the rounded
 * values, within half a millionth of the unit of the variance of the values
 * as given.
 *
 * @param sketch the sketch.
 * @param[out] out the summary.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or @p sketch is inconsistent.
 * @retval CM_ENODATA the sketch is empty.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sketch2_result(const cm_sketch2 *sketch, cm_sketch2_summary *out);

/**
 * Writes a sketch as portable bytes (format version 2 of the sketch, in
 * `docs/sketch.md`); never more than ::CM_SKETCH2_SERIALIZED_MAX.
 *
 * @param sketch the sketch.
 * @param[out] buf destination.
 * @param cap capacity of @p buf in bytes.
 * @param[out] written bytes written; on ::CM_ENOSPC, the size needed.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or @p sketch is inconsistent.
 * @retval CM_ENOSPC @p cap is too small; @p written holds the size needed and @p buf is untouched.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sketch2_serialize(const cm_sketch2 *sketch, uint8_t *buf,
                                                   size_t cap, size_t *written);

/**
 * Reads a sketch written by cm_sketch2_serialize(), on any machine. Bytes of a
 * ::cm_sketch (format version 1) are refused: they hold no sum of squares;
 * read them with cm_sketch_deserialize().
 *
 * @param buf the bytes.
 * @param len their number: exactly the size written.
 * @param[out] out the sketch.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_EPARSE the bytes are truncated, corrupt, of another kind or format version, not in
 *         canonical form, or describe a sketch no sequence of additions could produce.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sketch2_deserialize(const uint8_t *buf, size_t len,
                                                     cm_sketch2 *out);

/**
 * Copies a ::CM_SKETCH_SECONDS sketch into a ::cm_sketch, for code and stored
 * data that use the 0.1 type (the sum of squares is dropped). The copy holds
 * exactly the ::cm_sketch of the same values.
 *
 * @param sketch the sketch.
 * @param[out] out the ::cm_sketch.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p sketch is inconsistent, or its resolution is not
 *         ::CM_SKETCH_SECONDS.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sketch2_to_sketch(const cm_sketch2 *sketch, cm_sketch *out);

/**
 * Range and representative value of bucket @p index at a resolution: those of
 * cm_sketch_bucket_bounds() times the unit (2^-10 for ::CM_SKETCH_SUBSECOND).
 *
 * @param resolution a ::cm_sketch_resolution.
 * @param index the bucket, 0..::CM_SKETCH_BUCKETS - 1.
 * @param[out] lo inclusive lower bound, in seconds.
 * @param[out] hi exclusive upper bound, in seconds.
 * @param[out] value the representative value, in seconds.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or @p resolution is not a ::cm_sketch_resolution.
 * @retval CM_ERANGE @p index is ::CM_SKETCH_BUCKETS or more.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sketch2_bucket_bounds(cm_sketch_resolution resolution,
                                                       uint32_t index, double *lo, double *hi,
                                                       double *value);

/**
 * Size of a sketch-module struct in this build of the library, for bindings
 * that mirror the structs.
 *
 * @param name `"cm_sketch"`, `"cm_sketch_summary"`, `"cm_share"`, `"cm_sketch2"` or
 *        `"cm_sketch2_summary"` (the last three since 0.2).
 * @return the size in bytes, or 0 for an unknown name or NULL.
 * @since 0.1
 */
CM_API size_t cm_sketch_sizeof(const char *name);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CAREMETRICS_SKETCH_H */
