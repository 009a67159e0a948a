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
 * Size of a sketch-module struct in this build of the library, for bindings
 * that mirror the structs.
 *
 * @param name `"cm_sketch"` or `"cm_sketch_summary"`.
 * @return the size in bytes, or 0 for an unknown name or NULL.
 * @since 0.1
 */
CM_API size_t cm_sketch_sizeof(const char *name);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CAREMETRICS_SKETCH_H */
