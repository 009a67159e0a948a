/*
 * libcaremetrics — proportions, survey scores and response-time KPIs.
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_KPI_H
#define CAREMETRICS_KPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <caremetrics/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup kpi KPIs: proportions, CSAT, NPS, CES, response times, abandonment
 * @brief Ratio KPIs with confidence intervals and mergeable survey accumulators.
 *
 * Every ratio KPI of a help desk is a proportion `num / den` and goes
 * through cm_rate(), which adds a Wilson score interval:
 *
 * | KPI | numerator | denominator |
 * |---|---|---|
 * | first contact resolution (FCR) | tickets solved in one contact | tickets solved |
 * | escalation rate | tickets escalated | tickets handled |
 * | reopen rate | tickets reopened after being solved | tickets solved |
 * | deflection rate | self-service sessions that did not become a ticket | self-service sessions |
 * | retention rate | customers kept over the period | customers at the start |
 * | churn rate | customers lost over the period | customers at the start |
 * | abandonment rate | see cm_abandonment_rate() | |
 *
 * Survey scores are kept in accumulators: plain structs holding one count per
 * score value. A zero-initialised accumulator is empty and ready to use with
 * the default scale; `_add` / `_add_many` record answers, `_merge` combines two
 * accumulators exactly (in any order or grouping), `_result` computes the
 * score, and `_serialize` / `_deserialize` move an accumulator between
 * processes or machines as portable little-endian bytes, so partial results
 * of a map-reduce combine to exactly the single-pass result.
 *
 * Accumulators are not locked: give each thread its own and merge them.
 * Nothing in this module allocates memory. The formulas are spelled out in
 * `docs/metrics.md`.
 *
 * @code
 * cm_csat csat = {0};                 // 1..5 scale, satisfied = 4 and 5
 * const uint8_t scores[] = {5, 4, 2, 5, CM_SCORE_NONE, 3};
 * if (cm_csat_add_many(&csat, scores, 6) == CM_OK) {
 *     cm_csat_summary s;
 *     if (cm_csat_result(&csat, CM_DEFAULT_CONFIDENCE, &s) == CM_OK)
 *         printf("CSAT %.1f%% (%.1f%%..%.1f%%)\n", 100 * s.satisfied.value,
 *                100 * s.satisfied.lo, 100 * s.satisfied.hi);
 * }
 * @endcode
 * @{
 */

/** @file caremetrics/kpi.h
 *  @brief Proportions, survey scores (CSAT, NPS, CES), response times and abandonment. */

/** The documented default confidence level for intervals (95 %). */
#define CM_DEFAULT_CONFIDENCE 0.95

/**
 * Marks a missing answer in the score arrays given to the `_add_many`
 * functions: such entries are skipped.
 */
#define CM_SCORE_NONE 255

/** A proportion `num / den` with a confidence interval, all as fractions in [0, 1]. */
typedef struct cm_proportion {
    uint64_t num; /**< Numerator: the number of successes. */
    uint64_t den; /**< Denominator: the number of trials; always > 0 in a result. */
    double value; /**< `num / den`. */
    double lo;    /**< Lower bound of the Wilson score interval. */
    double hi;    /**< Upper bound of the Wilson score interval. */
} cm_proportion;

/**
 * Computes a proportion and its Wilson score interval.
 *
 * With `p = num/den`, `n = den` and `z` the standard normal quantile of
 * `(1 + confidence) / 2`, the interval is
 * `(p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n)`.
 * Unlike the textbook Wald interval it stays inside [0, 1] and keeps its
 * coverage for small samples and proportions near 0 or 1 (Wilson, 1927;
 * Brown, Cai & DasGupta, 2001).
 *
 * @param num successes, at most @p den.
 * @param den trials.
 * @param confidence confidence level in (0, 1); ::CM_DEFAULT_CONFIDENCE is the usual choice.
 * @param[out] out the proportion and its interval.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p out is NULL, @p num > @p den, or @p confidence is NaN or outside (0, 1).
 * @retval CM_ENODATA @p den is 0.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_rate(uint64_t num, uint64_t den, double confidence,
                                      cm_proportion *out);

/**
 * Abandonment rate of a real-time queue, optionally without short abandons.
 *
 * `rate = (abandoned − short_abandoned) / (offered − short_abandoned)`:
 * contacts that hung up within the short-abandon threshold (typically a few
 * seconds: misdials, IVR drop-outs) are removed from both the numerator and
 * the denominator. Pass 0 for @p short_abandoned to count every abandon.
 *
 * @param offered contacts that entered the queue, answered or not.
 * @param abandoned contacts that hung up before being answered, at most @p offered.
 * @param short_abandoned those of @p abandoned under the short-abandon threshold.
 * @param confidence confidence level in (0, 1) for the Wilson interval.
 * @param[out] out the rate and its interval.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p out is NULL, the counts are inconsistent, or @p confidence is invalid.
 * @retval CM_ENODATA no contact remains once short abandons are removed.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_abandonment_rate(uint64_t offered, uint64_t abandoned,
                                                  uint64_t short_abandoned, double confidence,
                                                  cm_proportion *out);

/**
 * Abandonment rate over per-contact arrays of wait times and outcomes.
 *
 * Contact `i` waited `wait_seconds[i]` and was abandoned when
 * `abandoned[i] != 0`. An abandoned contact with a wait strictly below
 * @p short_abandon_seconds is a short abandon and is left out of both the
 * numerator and the denominator (see cm_abandonment_rate()). A threshold of 0
 * keeps every contact.
 *
 * @param wait_seconds time each contact spent in the queue, in seconds; finite and >= 0.
 * @param abandoned one flag per contact: 0 = answered, anything else = abandoned.
 * @param n number of contacts in both arrays.
 * @param short_abandon_seconds short-abandon threshold in seconds; finite and >= 0.
 * @param confidence confidence level in (0, 1) for the Wilson interval.
 * @param[out] out the rate and its interval.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL (arrays may be NULL only when @p n is 0), a wait
 *         is NaN, infinite or negative, or an argument is invalid.
 * @retval CM_ENODATA no contact remains once short abandons are removed.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_abandonment_rate_many(const double *wait_seconds,
                                                       const uint8_t *abandoned, size_t n,
                                                       double short_abandon_seconds,
                                                       double confidence, cm_proportion *out);

/* ------------------------------------------------------------------------ */
/* CSAT                                                                      */
/* ------------------------------------------------------------------------ */

/** Largest supported CSAT scale: answers run from 1 to at most this value. */
#define CM_CSAT_MAX_SCALE 10
/** CSAT scale of a zero-initialised accumulator: answers 1..5. */
#define CM_CSAT_DEFAULT_SCALE 5
/** Satisfied threshold of a zero-initialised accumulator: answers 4 and 5 are satisfied. */
#define CM_CSAT_DEFAULT_SATISFIED 4
/** Size in bytes of a serialized ::cm_csat. */
#define CM_CSAT_SERIALIZED_SIZE 92

/**
 * Customer-satisfaction accumulator: counts of answers on a 1..K scale.
 *
 * Zero-initialise it (`cm_csat acc = {0};`) for the default 1..5 scale where 4
 * and 5 are satisfied, or call cm_csat_init() for another scale. A zero
 * `scale` or `satisfied_min` field stands for the default.
 */
typedef struct cm_csat {
    uint8_t scale;         /**< K: answers run 1..K (0 = ::CM_CSAT_DEFAULT_SCALE). */
    uint8_t satisfied_min; /**< Lowest satisfied answer (0 = ::CM_CSAT_DEFAULT_SATISFIED). */
    uint8_t reserved[6];   /**< Must be zero. */
    uint64_t counts[CM_CSAT_MAX_SCALE]; /**< `counts[s - 1]`: number of answers equal to `s`. */
} cm_csat;

/** Result of cm_csat_result(). */
typedef struct cm_csat_summary {
    cm_proportion satisfied; /**< Share of answers >= the satisfied threshold, with its interval. */
    double mean;             /**< Mean answer on the 1..K scale. */
} cm_csat_summary;

/**
 * Empties a CSAT accumulator and sets its scale.
 *
 * @param[out] acc the accumulator.
 * @param scale K, the highest answer: 2..::CM_CSAT_MAX_SCALE.
 * @param satisfied_min lowest answer that counts as satisfied: 1..K.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p acc is NULL.
 * @retval CM_ERANGE @p scale or @p satisfied_min is out of range.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_csat_init(cm_csat *acc, uint32_t scale, uint32_t satisfied_min);

/**
 * Records one CSAT answer.
 *
 * @param acc the accumulator.
 * @param score the answer, 1..K.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p acc is NULL or holds an invalid scale.
 * @retval CM_ERANGE @p score is outside 1..K.
 * @retval CM_EOVERFLOW a count would exceed `UINT64_MAX`.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_csat_add(cm_csat *acc, int32_t score);

/**
 * Records an array of CSAT answers; entries equal to ::CM_SCORE_NONE are skipped.
 *
 * All or nothing: if any entry is out of range the accumulator is unchanged.
 *
 * @param acc the accumulator.
 * @param scores the answers, each 1..K or ::CM_SCORE_NONE.
 * @param n number of entries; @p scores may be NULL when @p n is 0.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or @p acc holds an invalid scale.
 * @retval CM_ERANGE an entry is outside 1..K.
 * @retval CM_EOVERFLOW a count would exceed `UINT64_MAX`.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_csat_add_many(cm_csat *acc, const uint8_t *scores, size_t n);

/**
 * Adds the answers of @p other to @p acc. Exact, commutative and associative.
 *
 * @param acc the accumulator that receives the answers.
 * @param other the accumulator to add; may be @p acc itself.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, or the two use different scales or thresholds.
 * @retval CM_EOVERFLOW a count would exceed `UINT64_MAX`.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_csat_merge(cm_csat *acc, const cm_csat *other);

/**
 * Computes CSAT: the share of satisfied answers with its Wilson interval, and the mean answer.
 *
 * @param acc the accumulator.
 * @param confidence confidence level in (0, 1).
 * @param[out] out the result.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p confidence is invalid, or @p acc is invalid.
 * @retval CM_ENODATA no answers were recorded.
 * @retval CM_EOVERFLOW the counts add up past `UINT64_MAX`.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_csat_result(const cm_csat *acc, double confidence,
                                             cm_csat_summary *out);

/**
 * Writes an accumulator as ::CM_CSAT_SERIALIZED_SIZE portable bytes (format in `docs/metrics.md`).
 *
 * @param acc the accumulator.
 * @param[out] buf destination.
 * @param cap capacity of @p buf in bytes.
 * @param[out] written bytes written; on ::CM_ENOSPC, the size needed.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or @p acc is invalid.
 * @retval CM_ENOSPC @p cap is too small; @p written holds the size needed.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_csat_serialize(const cm_csat *acc, uint8_t *buf, size_t cap,
                                                size_t *written);

/**
 * Reads an accumulator written by cm_csat_serialize(), on any machine.
 *
 * @param buf the bytes.
 * @param len their number; must be exactly ::CM_CSAT_SERIALIZED_SIZE.
 * @param[out] out the accumulator.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_EPARSE the bytes are truncated, corrupt, of another kind or of an unknown format version.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_csat_deserialize(const uint8_t *buf, size_t len, cm_csat *out);

/* ------------------------------------------------------------------------ */
/* NPS                                                                       */
/* ------------------------------------------------------------------------ */

/** Size in bytes of a serialized ::cm_nps. */
#define CM_NPS_SERIALIZED_SIZE 100

/**
 * Net Promoter Score accumulator: counts of answers 0..10.
 *
 * Zero-initialise it or call cm_nps_init(). Promoters answer 9–10, passives
 * 7–8 and detractors 0–6.
 */
typedef struct cm_nps {
    uint64_t counts[11]; /**< `counts[s]`: number of answers equal to `s`. */
} cm_nps;

/** Result of cm_nps_result(). */
typedef struct cm_nps_summary {
    uint64_t n;          /**< Number of answers. */
    uint64_t promoters;  /**< Answers 9 and 10. */
    uint64_t passives;   /**< Answers 7 and 8. */
    uint64_t detractors; /**< Answers 0 to 6. */
    double score;        /**< NPS = 100 · (promoters − detractors) / n, in [−100, +100]. */
    double se;           /**< Standard error of the score, on the same −100..+100 scale. */
    double lo;           /**< Lower bound of the confidence interval, clamped to −100. */
    double hi;           /**< Upper bound of the confidence interval, clamped to +100. */
} cm_nps_summary;

/**
 * Empties an NPS accumulator.
 *
 * @param[out] acc the accumulator.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p acc is NULL.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_nps_init(cm_nps *acc);

/**
 * Records one NPS answer.
 *
 * @param acc the accumulator.
 * @param score the answer, 0..10.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p acc is NULL.
 * @retval CM_ERANGE @p score is outside 0..10.
 * @retval CM_EOVERFLOW a count would exceed `UINT64_MAX`.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_nps_add(cm_nps *acc, int32_t score);

/**
 * Records an array of NPS answers; entries equal to ::CM_SCORE_NONE are skipped.
 *
 * All or nothing: if any entry is out of range the accumulator is unchanged.
 *
 * @param acc the accumulator.
 * @param scores the answers, each 0..10 or ::CM_SCORE_NONE.
 * @param n number of entries; @p scores may be NULL when @p n is 0.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_ERANGE an entry is outside 0..10.
 * @retval CM_EOVERFLOW a count would exceed `UINT64_MAX`.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_nps_add_many(cm_nps *acc, const uint8_t *scores, size_t n);

/**
 * Adds the answers of @p other to @p acc. Exact, commutative and associative.
 *
 * @param acc the accumulator that receives the answers.
 * @param other the accumulator to add; may be @p acc itself.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_EOVERFLOW a count would exceed `UINT64_MAX`.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_nps_merge(cm_nps *acc, const cm_nps *other);

/**
 * Computes the Net Promoter Score, its standard error and a confidence interval.
 *
 * With shares `pP = promoters/n` and `pD = detractors/n`, the score is
 * `100·(pP − pD)`; each answer contributes +1, 0 or −1, so the per-answer
 * variance is `pP + pD − (pP − pD)²` (trinomial) and the standard error is
 * `100·sqrt((pP + pD − (pP − pD)²) / n)`. The interval is `score ± z·se`
 * (normal approximation) clamped to [−100, +100].
 *
 * @param acc the accumulator.
 * @param confidence confidence level in (0, 1).
 * @param[out] out the result.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or @p confidence is invalid.
 * @retval CM_ENODATA no answers were recorded.
 * @retval CM_EOVERFLOW the counts add up past `UINT64_MAX`.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_nps_result(const cm_nps *acc, double confidence,
                                            cm_nps_summary *out);

/**
 * Writes an accumulator as ::CM_NPS_SERIALIZED_SIZE portable bytes.
 *
 * @param acc the accumulator.
 * @param[out] buf destination.
 * @param cap capacity of @p buf in bytes.
 * @param[out] written bytes written; on ::CM_ENOSPC, the size needed.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_ENOSPC @p cap is too small; @p written holds the size needed.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_nps_serialize(const cm_nps *acc, uint8_t *buf, size_t cap,
                                               size_t *written);

/**
 * Reads an accumulator written by cm_nps_serialize(), on any machine.
 *
 * @param buf the bytes.
 * @param len their number; must be exactly ::CM_NPS_SERIALIZED_SIZE.
 * @param[out] out the accumulator.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_EPARSE the bytes are truncated, corrupt, of another kind or of an unknown format version.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_nps_deserialize(const uint8_t *buf, size_t len, cm_nps *out);

/* ------------------------------------------------------------------------ */
/* CES                                                                       */
/* ------------------------------------------------------------------------ */

/** Largest supported CES scale: answers run from 1 to at most this value. */
#define CM_CES_MAX_SCALE 10
/** CES scale of a zero-initialised accumulator: the 1..7 agreement scale of CES 2.0. */
#define CM_CES_DEFAULT_SCALE 7
/** Lowest low-effort answer of a zero-initialised accumulator (5 = "somewhat agree" it was easy). */
#define CM_CES_DEFAULT_EASY_MIN 5
/** Highest low-effort answer of a zero-initialised accumulator. */
#define CM_CES_DEFAULT_EASY_MAX 7
/** Size in bytes of a serialized ::cm_ces. */
#define CM_CES_SERIALIZED_SIZE 92

/**
 * Customer Effort Score accumulator: counts of answers on a 1..K scale.
 *
 * Zero-initialised, it uses the CES 2.0 scale: 1..7 agreement with "the
 * company made it easy to handle my issue", where 5..7 are low-effort answers.
 * For the older 1..5 effort scale ("how much effort did you personally have
 * to put forth", 1 = very low) call `cm_ces_init(&acc, 5, 1, 2)`.
 */
typedef struct cm_ces {
    uint8_t scale;       /**< K: answers run 1..K (0 = ::CM_CES_DEFAULT_SCALE). */
    uint8_t easy_min;    /**< Lowest low-effort answer (0 = ::CM_CES_DEFAULT_EASY_MIN). */
    uint8_t easy_max;    /**< Highest low-effort answer (0 = ::CM_CES_DEFAULT_EASY_MAX). */
    uint8_t reserved[5]; /**< Must be zero. */
    uint64_t counts[CM_CES_MAX_SCALE]; /**< `counts[s - 1]`: number of answers equal to `s`. */
} cm_ces;

/** Result of cm_ces_result(). */
typedef struct cm_ces_summary {
    uint64_t n;  /**< Number of answers. */
    double mean; /**< Mean answer: the CES. */
    double sd; /**< Sample standard deviation of the answers (n − 1 denominator; 0 when n = 1). */
    double lo; /**< Lower bound of the normal-approximation interval of the mean. */
    double hi; /**< Upper bound of the normal-approximation interval of the mean. */
    cm_proportion easy; /**< Share of low-effort answers, with its Wilson interval. */
} cm_ces_summary;

/**
 * Empties a CES accumulator and sets its scale and low-effort band.
 *
 * @param[out] acc the accumulator.
 * @param scale K, the highest answer: 2..::CM_CES_MAX_SCALE (usually 5 or 7).
 * @param easy_min lowest answer that means low effort, 1..K.
 * @param easy_max highest answer that means low effort, @p easy_min..K.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p acc is NULL.
 * @retval CM_ERANGE a parameter is out of range.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_ces_init(cm_ces *acc, uint32_t scale, uint32_t easy_min,
                                          uint32_t easy_max);

/**
 * Records one CES answer.
 *
 * @param acc the accumulator.
 * @param score the answer, 1..K.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p acc is NULL or holds an invalid scale.
 * @retval CM_ERANGE @p score is outside 1..K.
 * @retval CM_EOVERFLOW a count would exceed `UINT64_MAX`.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_ces_add(cm_ces *acc, int32_t score);

/**
 * Records an array of CES answers; entries equal to ::CM_SCORE_NONE are skipped.
 *
 * All or nothing: if any entry is out of range the accumulator is unchanged.
 *
 * @param acc the accumulator.
 * @param scores the answers, each 1..K or ::CM_SCORE_NONE.
 * @param n number of entries; @p scores may be NULL when @p n is 0.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or @p acc holds an invalid scale.
 * @retval CM_ERANGE an entry is outside 1..K.
 * @retval CM_EOVERFLOW a count would exceed `UINT64_MAX`.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_ces_add_many(cm_ces *acc, const uint8_t *scores, size_t n);

/**
 * Adds the answers of @p other to @p acc. Exact, commutative and associative.
 *
 * @param acc the accumulator that receives the answers.
 * @param other the accumulator to add; may be @p acc itself.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, or the two use different scales or low-effort bands.
 * @retval CM_EOVERFLOW a count would exceed `UINT64_MAX`.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_ces_merge(cm_ces *acc, const cm_ces *other);

/**
 * Computes the CES: mean answer with its interval, and the share of low-effort answers.
 *
 * The interval of the mean is `mean ± z·sd/sqrt(n)`.
 *
 * @param acc the accumulator.
 * @param confidence confidence level in (0, 1).
 * @param[out] out the result.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p confidence is invalid, or @p acc is invalid.
 * @retval CM_ENODATA no answers were recorded.
 * @retval CM_EOVERFLOW the counts add up past `UINT64_MAX`.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_ces_result(const cm_ces *acc, double confidence,
                                            cm_ces_summary *out);

/**
 * Writes an accumulator as ::CM_CES_SERIALIZED_SIZE portable bytes.
 *
 * @param acc the accumulator.
 * @param[out] buf destination.
 * @param cap capacity of @p buf in bytes.
 * @param[out] written bytes written; on ::CM_ENOSPC, the size needed.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or @p acc is invalid.
 * @retval CM_ENOSPC @p cap is too small; @p written holds the size needed.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_ces_serialize(const cm_ces *acc, uint8_t *buf, size_t cap,
                                               size_t *written);

/**
 * Reads an accumulator written by cm_ces_serialize(), on any machine.
 *
 * @param buf the bytes.
 * @param len their number; must be exactly ::CM_CES_SERIALIZED_SIZE.
 * @param[out] out the accumulator.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_EPARSE the bytes are truncated, corrupt, of another kind or of an unknown format version.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_ces_deserialize(const uint8_t *buf, size_t len, cm_ces *out);

/* ------------------------------------------------------------------------ */
/* Average response time                                                    */
/* ------------------------------------------------------------------------ */

/** Size in bytes of a serialized ::cm_art. */
#define CM_ART_SERIALIZED_SIZE 44

/**
 * Average-response-time accumulator over whole-second durations.
 *
 * The durations are calendar or business seconds, as the caller measured
 * them (see the calendar module for business time). Zero-initialise it or call
 * cm_art_init(). The sum is kept exactly as an integer, so merging is exact.
 */
typedef struct cm_art {
    uint64_t n;            /**< Number of responses. */
    int64_t total_seconds; /**< Sum of the response times. */
    int64_t min_seconds;   /**< Shortest response time (0 while n = 0). */
    int64_t max_seconds;   /**< Longest response time (0 while n = 0). */
} cm_art;

/** Result of cm_art_result(). */
typedef struct cm_art_summary {
    uint64_t n;            /**< Number of responses. */
    int64_t total_seconds; /**< Sum of the response times, in seconds. */
    int64_t min_seconds;   /**< Shortest response time, in seconds. */
    int64_t max_seconds;   /**< Longest response time, in seconds. */
    double mean_seconds;   /**< ART = total / n, in seconds. */
} cm_art_summary;

/**
 * Average response time from totals: `total_seconds / responses`.
 *
 * @param total_seconds sum of the response times, in seconds; >= 0.
 * @param responses number of responses.
 * @param[out] out the mean, in seconds.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p out is NULL or @p total_seconds is negative.
 * @retval CM_ENODATA @p responses is 0.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_art_mean(int64_t total_seconds, uint64_t responses, double *out);

/**
 * Empties an ART accumulator.
 *
 * @param[out] acc the accumulator.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p acc is NULL.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_art_init(cm_art *acc);

/**
 * Records one response time.
 *
 * @param acc the accumulator.
 * @param seconds the response time in seconds; >= 0.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p acc is NULL or invalid, or @p seconds is negative.
 * @retval CM_EOVERFLOW the total would exceed `INT64_MAX` seconds.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_art_add(cm_art *acc, int64_t seconds);

/**
 * Records an array of response times. All or nothing.
 *
 * @param acc the accumulator.
 * @param seconds the response times in seconds, each >= 0.
 * @param n number of entries; @p seconds may be NULL when @p n is 0.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p acc is invalid, or an entry is negative.
 * @retval CM_EOVERFLOW the total would exceed `INT64_MAX` seconds.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_art_add_many(cm_art *acc, const int64_t *seconds, size_t n);

/**
 * Adds the responses of @p other to @p acc. Exact, commutative and associative.
 *
 * @param acc the accumulator that receives the responses.
 * @param other the accumulator to add; may be @p acc itself.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or an accumulator is invalid.
 * @retval CM_EOVERFLOW the total would exceed `INT64_MAX` seconds.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_art_merge(cm_art *acc, const cm_art *other);

/**
 * Computes the average response time and the range of response times.
 *
 * @param acc the accumulator.
 * @param[out] out the result.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or @p acc is invalid.
 * @retval CM_ENODATA no responses were recorded.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_art_result(const cm_art *acc, cm_art_summary *out);

/**
 * Writes an accumulator as ::CM_ART_SERIALIZED_SIZE portable bytes.
 *
 * @param acc the accumulator.
 * @param[out] buf destination.
 * @param cap capacity of @p buf in bytes.
 * @param[out] written bytes written; on ::CM_ENOSPC, the size needed.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or @p acc is invalid.
 * @retval CM_ENOSPC @p cap is too small; @p written holds the size needed.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_art_serialize(const cm_art *acc, uint8_t *buf, size_t cap,
                                               size_t *written);

/**
 * Reads an accumulator written by cm_art_serialize(), on any machine.
 *
 * @param buf the bytes.
 * @param len their number; must be exactly ::CM_ART_SERIALIZED_SIZE.
 * @param[out] out the accumulator.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_EPARSE the bytes are truncated, corrupt, of another kind or of an unknown format version.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_art_deserialize(const uint8_t *buf, size_t len, cm_art *out);

/* ------------------------------------------------------------------------ */
/* Cost per contact                                                         */
/* ------------------------------------------------------------------------ */

/** Number of channels a ::cm_cost accumulator tracks (indexes 0..15, chosen by the caller). */
#define CM_COST_CHANNELS 16
/** Channel argument of cm_cost_add_cost() for costs shared by every channel. */
#define CM_COST_SHARED 0xffffffffu
/** Size in bytes of a serialized ::cm_cost. */
#define CM_COST_SERIALIZED_SIZE 404

/** How cm_cost_result() spreads the shared costs over the channels. */
typedef enum cm_cost_basis {
    CM_COST_BY_CONTACTS = 0,   /**< In proportion to each channel's contacts. */
    CM_COST_BY_HANDLE_TIME = 1 /**< In proportion to each channel's handle time (activity-based). */
} cm_cost_basis;

/**
 * Cost-per-contact accumulator: costs in whole minor currency units (cents,
 * or any fixed unit such as micro-dollars for sub-cent usage rates), contacts
 * and handle time per channel, and the costs shared by all channels.
 *
 * Cost per contact = total cost / contacts handled, where the total is every
 * cost of the period (shared plus each channel's direct costs) and contacts
 * are the contacts handled in it (answered calls, chats, emails replied to,
 * as the caller counts them). Per channel, the direct cost per contact is
 * the channel's own costs (telephony minutes, SMS, per-seat tools) over its
 * contacts, and the fully loaded cost per contact adds the channel's share of
 * the shared costs (agents, managers, tools, facilities), allocated by
 * contacts or by handle time (see `docs/metrics.md`). Integer sums make
 * merging exact. Zero-initialise it or call cm_cost_init().
 */
typedef struct cm_cost {
    int64_t shared;                            /**< Costs shared by every channel. */
    int64_t direct[CM_COST_CHANNELS];          /**< Direct costs of each channel. */
    uint64_t contacts[CM_COST_CHANNELS];       /**< Contacts handled per channel. */
    uint64_t handle_seconds[CM_COST_CHANNELS]; /**< Handle time per channel, seconds. */
} cm_cost;

/** One channel of a cost-per-contact result. */
typedef struct cm_cost_channel {
    uint64_t contacts;         /**< Contacts handled. */
    uint64_t handle_seconds;   /**< Handle time, seconds. */
    int64_t direct;            /**< Direct costs. */
    double allocated;          /**< The channel's share of the shared costs. */
    double direct_per_contact; /**< `direct / contacts` (0 without contacts). */
    double
        per_contact; /**< Fully loaded: `(direct + allocated) / contacts` (0 without contacts). */
} cm_cost_channel;

/** Result of cm_cost_result(). */
typedef struct cm_cost_summary {
    uint64_t contacts;                          /**< Contacts over every channel. */
    uint64_t handle_seconds;                    /**< Handle time over every channel, seconds. */
    int64_t total_cost;                         /**< Shared plus direct costs. */
    double per_contact;                         /**< Cost per contact: `total_cost / contacts`. */
    cm_cost_channel channels[CM_COST_CHANNELS]; /**< Per channel, by index. */
} cm_cost_summary;

/**
 * Cost per contact from totals: `total_cost / contacts`.
 *
 * @param total_cost every cost of the period, in minor units; >= 0.
 * @param contacts contacts handled in the period.
 * @param[out] out the cost per contact, in the same minor units.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p out is NULL or @p total_cost is negative.
 * @retval CM_ENODATA @p contacts is 0.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_cost_per_contact(int64_t total_cost, uint64_t contacts,
                                                  double *out);

/**
 * Empties a cost accumulator.
 *
 * @param[out] acc the accumulator.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p acc is NULL.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_cost_init(cm_cost *acc);

/**
 * Records a cost of one channel, or a shared cost.
 *
 * @param acc the accumulator.
 * @param channel 0..::CM_COST_CHANNELS − 1, or ::CM_COST_SHARED.
 * @param amount the cost in minor units; >= 0.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p acc is NULL or @p amount is negative.
 * @retval CM_ERANGE @p channel is out of range.
 * @retval CM_EOVERFLOW a sum would exceed `INT64_MAX`.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_cost_add_cost(cm_cost *acc, uint32_t channel, int64_t amount);

/**
 * Records contacts handled on a channel and their handle time.
 *
 * @param acc the accumulator.
 * @param channel 0..::CM_COST_CHANNELS − 1.
 * @param contacts number of contacts.
 * @param handle_seconds their total handle time in seconds.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p acc is NULL.
 * @retval CM_ERANGE @p channel is out of range.
 * @retval CM_EOVERFLOW a count would exceed `UINT64_MAX`.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_cost_add_contacts(cm_cost *acc, uint32_t channel,
                                                   uint64_t contacts, uint64_t handle_seconds);

/**
 * Records one contact per entry: its channel and handle time. All or nothing.
 *
 * @param acc the accumulator.
 * @param channels the channel of each contact, 0..::CM_COST_CHANNELS − 1.
 * @param handle_seconds the handle time of each contact in seconds (>= 0), or NULL.
 * @param n number of contacts; the arrays may be NULL when it is 0.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or a handle time is negative.
 * @retval CM_ERANGE a channel is out of range.
 * @retval CM_EOVERFLOW a count would exceed `UINT64_MAX`.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_cost_add_many(cm_cost *acc, const uint8_t *channels,
                                               const int64_t *handle_seconds, size_t n);

/**
 * Adds the costs and contacts of @p other to @p acc. Exact, commutative and associative.
 *
 * @param acc the accumulator that receives them.
 * @param other the accumulator to add; may be @p acc itself.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or an accumulator holds a negative cost.
 * @retval CM_EOVERFLOW a sum would overflow; @p acc is unchanged.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_cost_merge(cm_cost *acc, const cm_cost *other);

/**
 * Cost per contact overall and per channel, with the shared costs allocated by @p basis.
 *
 * The overall figure does not depend on the basis. With basis contacts,
 * channel c receives `shared · contacts_c / contacts`; with handle time,
 * `shared · handle_c / handle`. The allocated shares add up to the shared
 * costs (up to rounding of the doubles).
 *
 * @param acc the accumulator.
 * @param basis a ::cm_cost_basis.
 * @param[out] out the result.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p basis is unknown, or @p acc holds a negative cost.
 * @retval CM_ENODATA no contact was recorded, or basis handle time with no handle time while
 *         there are shared costs to allocate.
 * @retval CM_EOVERFLOW the costs add up past `INT64_MAX`, or the contacts or handle times past
 *         `UINT64_MAX`.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_cost_result(const cm_cost *acc, uint32_t basis,
                                             cm_cost_summary *out);

/**
 * Writes an accumulator as ::CM_COST_SERIALIZED_SIZE portable bytes.
 *
 * @param acc the accumulator.
 * @param[out] buf destination.
 * @param cap capacity of @p buf in bytes.
 * @param[out] written bytes written; on ::CM_ENOSPC, the size needed.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or @p acc holds a negative cost.
 * @retval CM_ENOSPC @p cap is too small; @p written holds the size needed.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_cost_serialize(const cm_cost *acc, uint8_t *buf, size_t cap,
                                                size_t *written);

/**
 * Reads an accumulator written by cm_cost_serialize(), on any machine.
 *
 * @param buf the bytes.
 * @param len their number; exactly ::CM_COST_SERIALIZED_SIZE.
 * @param[out] out the accumulator.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_EPARSE the bytes are truncated, corrupt, of another kind or format version, or
 *         hold a negative cost.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_cost_deserialize(const uint8_t *buf, size_t len, cm_cost *out);

/* ------------------------------------------------------------------------ */
/* ABI queries for bindings                                                 */
/* ------------------------------------------------------------------------ */

/**
 * Size of a KPI struct in this build of the library, for bindings that mirror the structs.
 *
 * @param name one of `"cm_proportion"`, `"cm_csat"`, `"cm_csat_summary"`, `"cm_nps"`,
 *        `"cm_nps_summary"`, `"cm_ces"`, `"cm_ces_summary"`, `"cm_art"`, `"cm_art_summary"`,
 *        and since 0.2 `"cm_cost"`, `"cm_cost_channel"`, `"cm_cost_summary"`.
 * @return the size in bytes, or 0 for an unknown name or NULL.
 * @since 0.1
 */
CM_API size_t cm_kpi_sizeof(const char *name);

/**
 * Value of a KPI macro in this build of the library, for bindings that cannot read macros.
 *
 * @param name the macro's name: `"CM_DEFAULT_CONFIDENCE"`, `"CM_SCORE_NONE"`,
 *        `"CM_CSAT_MAX_SCALE"`, `"CM_CSAT_DEFAULT_SCALE"`, `"CM_CSAT_DEFAULT_SATISFIED"`,
 *        `"CM_CES_MAX_SCALE"`, `"CM_CES_DEFAULT_SCALE"`, `"CM_CES_DEFAULT_EASY_MIN"`,
 *        `"CM_CES_DEFAULT_EASY_MAX"`, one of the `"CM_*_SERIALIZED_SIZE"` sizes, and since 0.2
 *        `"CM_COST_CHANNELS"` and `"CM_COST_SHARED"`.
 * @param[out] out the value.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_ENOTFOUND no KPI macro has that name.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_kpi_constant(const char *name, double *out);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CAREMETRICS_KPI_H */
