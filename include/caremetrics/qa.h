/*
 * libcaremetrics — quality scorecards: rubrics, scoring, per-agent and per-team
 * accumulators, and the agreement between graders (calibration).
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_QA_H
#define CAREMETRICS_QA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <caremetrics/common.h>
#include <caremetrics/kpi.h>
#include <caremetrics/spc.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup qa QA: scorecards and grader calibration
 * @brief Rubrics with weighted sections, N/A and critical items; scores in
 *        [0, 100] with pass/fail; mergeable per-agent and per-team
 *        accumulators; Krippendorff's alpha, intraclass correlations and each
 *        grader's deviation from the consensus.
 *
 * A ::cm_qa_rubric is a scorecard: sections with weights in percent that add
 * up to 100, and items with points. An evaluation gives each item a number of
 * points between 0 and its maximum, or ::CM_QA_NA when the item does not apply
 * (only items declared N/A-able). Scoring works in three steps (the rules, with
 * worked examples, are in `docs/qa.md`):
 *
 * 1. Section score = 100 · (points awarded) / (points possible), over the
 *    section's applicable items: an N/A item's points leave both sums, so its
 *    weight is shared by the other items of its section in proportion to
 *    their points.
 * 2. Evaluation score = the weighted mean of the section scores over the
 *    sections that have an applicable item: a section whose items are all N/A
 *    leaves the mean, and its weight is shared by the other sections in
 *    proportion to their weights.
 * 3. A critical item awarded less than its maximum fails the evaluation:
 *    its score is 0 (the raw score is kept beside it) and it does not pass.
 *    Otherwise it passes when its score is at least the rubric's pass mark.
 *
 * Rubrics come from arrays (cm_qa_rubric_new()) or from a small text format
 * with line and column errors (cm_qa_rubric_parse()):
 *
 * @code
 * cm_qa_rubric *rubric;
 * cm_parse_error err;
 * cm_status st = cm_qa_rubric_parse("pass 85\n"
 *                                   "section accuracy 40%\n"
 *                                   "item correct-answer 4\n"
 *                                   "item verified-identity 1 critical\n"
 *                                   "section communication 60%\n"
 *                                   "item empathy 3\n"
 *                                   "item next-steps 2 na\n", NULL, &rubric, &err);
 * const int32_t awards[] = {3, 1, 3, CM_QA_NA};
 * cm_qa_result r;
 * st = cm_qa_score(rubric, awards, 4, &r, NULL);  // r.score = 0.4·80 + 0.6·100 = 92
 * cm_qa_acc agent = {0};
 * st = cm_qa_acc_add_result(&agent, &r);
 * cm_qa_rubric_free(rubric);
 * @endcode
 *
 * A ::cm_qa_acc is a plain struct like the KPI accumulators: zero-initialise
 * it, add scores, merge, serialize; cm_qa_acc_result() gives the mean score
 * with a Student t interval and the pass rate with a Wilson interval.
 * cm_qa_alerts() flags runs of periods below a threshold ("re-train when an
 * agent dips below 85 % for two weeks") through the spc module's threshold
 * rule.
 *
 * Calibration compares graders who scored the same interactions: cm_qa_alpha()
 * (Krippendorff's alpha for nominal, ordinal, interval and ratio data, with
 * missing ratings), cm_qa_icc() (the six intraclass correlations of Shrout and
 * Fleiss) and cm_qa_grader_deviation() (each grader's mean deviation from the
 * others).
 *
 * Rubrics are immutable once built and may be shared by any number of threads;
 * only the constructors allocate. Accumulators are not locked: give each
 * thread its own and merge them.
 * @{
 */

/** @file caremetrics/qa.h
 *  @brief Quality scorecards, QA accumulators and grader agreement. */

/** Award marking an item as not applicable in an evaluation (only for N/A-able items). */
#define CM_QA_NA (-1)
/** Most sections a rubric may have. */
#define CM_QA_MAX_SECTIONS 64
/** Most items a rubric may have. */
#define CM_QA_MAX_ITEMS 1024
/** Largest number of points one item may be worth. */
#define CM_QA_MAX_POINTS 1000000
/** Longest section or item name, in bytes (without the terminating NUL). */
#define CM_QA_NAME_MAX 63
/** How far the section weights may sum from 100 (percentage points). */
#define CM_QA_WEIGHT_TOLERANCE 1e-9
/** Size in bytes of a serialized ::cm_qa_acc. */
#define CM_QA_ACC_SERIALIZED_SIZE 84

/** Flags of a rubric item, combined with `|` in ::cm_qa_item.flags. */
typedef enum cm_qa_item_flag {
    /** Awarding less than the item's maximum fails the whole evaluation (score 0). */
    CM_QA_ITEM_CRITICAL = 1,
    /** The item may be marked ::CM_QA_NA; never together with ::CM_QA_ITEM_CRITICAL. */
    CM_QA_ITEM_NA_ALLOWED = 2
} cm_qa_item_flag;

/** Outcome bits of a scored evaluation (::cm_qa_result.flags, cm_qa_acc_add()). */
typedef enum cm_qa_outcome {
    /** The evaluation passed: no critical failure and a score at or above the pass mark. */
    CM_QA_PASSED = 1,
    /** A critical item was awarded less than its maximum. */
    CM_QA_CRITICAL_FAILED = 2
} cm_qa_outcome;

/** Level of measurement of the ratings given to cm_qa_alpha(). */
typedef enum cm_qa_level {
    CM_QA_NOMINAL = 0,  /**< Categories: any two different values disagree equally. */
    CM_QA_ORDINAL = 1,  /**< Ranks: differences count the values lying between (Krippendorff). */
    CM_QA_INTERVAL = 2, /**< Numbers: squared differences. */
    CM_QA_RATIO = 3     /**< Non-negative numbers with a true zero: `((a − b)/(a + b))²`. */
} cm_qa_level;

/** A rubric: sections, items, pass mark. Opaque; see cm_qa_rubric_new(). */
typedef struct cm_qa_rubric cm_qa_rubric;

/** One section of a rubric, as given to cm_qa_rubric_new() and read by cm_qa_rubric_section(). */
typedef struct cm_qa_section {
    /** Unique name: 1 to ::CM_QA_NAME_MAX bytes, none of them a space, a control
     *  character or `#`. Read back from a rubric, it points into the rubric. */
    const char *name;
    double weight; /**< Weight in percent, > 0; the weights of a rubric add up to 100. */
} cm_qa_section;

/** One item of a rubric, as given to cm_qa_rubric_new() and read by cm_qa_rubric_item(). */
typedef struct cm_qa_item {
    const char *name;  /**< Unique name among the items, with the rules of section names. */
    uint32_t section;  /**< Index of its section in the section array. */
    uint32_t points;   /**< Maximum points, 1..::CM_QA_MAX_POINTS. */
    uint32_t flags;    /**< ::cm_qa_item_flag bits, or 0. */
    uint32_t reserved; /**< Must be zero. */
} cm_qa_item;

/** Shape of a rubric, from cm_qa_rubric_info(). */
typedef struct cm_qa_rubric_summary {
    uint32_t sections;   /**< Number of sections. */
    uint32_t items;      /**< Number of items: the length of an awards array. */
    uint32_t critical;   /**< Number of critical items. */
    uint32_t reserved;   /**< Zero. */
    double pass_score;   /**< Pass mark in [0, 100]. */
    uint64_t max_points; /**< Sum of every item's maximum points. */
} cm_qa_rubric_summary;

/** The score of one evaluation, from cm_qa_score(). */
typedef struct cm_qa_result {
    double score;     /**< Final score in [0, 100]: 0 after a critical failure, else `raw_score`. */
    double raw_score; /**< Weighted score in [0, 100] before critical failures are applied. */
    uint32_t flags;   /**< ::CM_QA_PASSED and/or ::CM_QA_CRITICAL_FAILED. */
    uint32_t critical_failures; /**< Critical items awarded less than their maximum. */
    uint32_t applicable_items;  /**< Items scored (not N/A). */
    uint32_t na_items;          /**< Items marked ::CM_QA_NA. */
    uint64_t na_sections; /**< Bit `s` set: section `s` had no applicable item and left the mean. */
} cm_qa_result;

/**
 * QA score accumulator over evaluations: count, pass and critical-failure
 * counts, and exact sums of the scores.
 *
 * Scores are recorded rounded to the nearest micro-point (1e-6 of a point,
 * as the sketch records microseconds); the sums are 128-bit integers, so
 * merging in any order or grouping gives exactly the single-pass struct.
 * Zero-initialise it (`cm_qa_acc acc = {0};`) or call cm_qa_acc_init().
 */
typedef struct cm_qa_acc {
    uint64_t n;               /**< Evaluations recorded. */
    uint64_t passed;          /**< Of them, evaluations that passed. */
    uint64_t critical_failed; /**< Of them, evaluations with a critical failure. */
    uint64_t min_micro;       /**< Lowest score in micro-points (0 while n = 0). */
    uint64_t max_micro;       /**< Highest score in micro-points (0 while n = 0). */
    uint64_t sum[2];    /**< Sum of the scores in micro-points, 128-bit, `sum[0]` the low word. */
    uint64_t sum_sq[2]; /**< Sum of the squared micro-point scores, 128-bit, `sum_sq[0]` low. */
} cm_qa_acc;

/** Result of cm_qa_acc_result(). */
typedef struct cm_qa_summary {
    uint64_t n;  /**< Evaluations. */
    double mean; /**< Mean score, 0..100. */
    double sd; /**< Sample standard deviation of the scores (n − 1 denominator; 0 when n = 1). */
    double lo; /**< Lower end of the Student t interval of the mean, clamped to 0 (0 when n = 1). */
    double
        hi; /**< Upper end of the Student t interval of the mean, clamped to 100 (100 when n = 1). */
    double min;                  /**< Lowest score. */
    double max;                  /**< Highest score. */
    cm_proportion pass_rate;     /**< Share of evaluations that passed, with its Wilson interval. */
    cm_proportion critical_rate; /**< Share with a critical failure, with its Wilson interval. */
} cm_qa_summary;

/** Result of cm_qa_alpha(). */
typedef struct cm_qa_alpha_result {
    double alpha;             /**< Krippendorff's alpha: `1 − observed / expected`, at most 1. */
    double observed;          /**< Observed disagreement D_o. */
    double expected;          /**< Expected disagreement D_e (> 0 in any result). */
    uint64_t pairable_values; /**< n: ratings in units that have at least two. */
    uint64_t pairable_units;  /**< Units with at least two ratings. */
    uint64_t distinct_values; /**< Distinct values among the pairable ratings. */
} cm_qa_alpha_result;

/** Result of cm_qa_icc(): the six intraclass correlations of Shrout and Fleiss (1979). */
typedef struct cm_qa_icc_result {
    double icc1;      /**< ICC(1,1): one-way random, single rating. */
    double icc2;      /**< ICC(2,1): two-way random, absolute agreement, single rating. */
    double icc3;      /**< ICC(3,1): two-way mixed, consistency, single rating. */
    double icc1k;     /**< ICC(1,k): one-way random, mean of k ratings. */
    double icc2k;     /**< ICC(2,k): two-way random, mean of k ratings. */
    double icc3k;     /**< ICC(3,k): two-way mixed, mean of k ratings (Cronbach's alpha). */
    double bms;       /**< Between-targets mean square. */
    double wms;       /**< Within-target mean square. */
    double jms;       /**< Between-judges mean square. */
    double ems;       /**< Residual mean square. */
    uint64_t targets; /**< n: targets (interactions). */
    uint64_t raters;  /**< k: raters (graders). */
} cm_qa_icc_result;

/** One grader's deviation from the others, from cm_qa_grader_deviation(). */
typedef struct cm_qa_deviation {
    uint64_t n;      /**< Units this grader rated together with at least one other grader. */
    double mean;     /**< Mean signed deviation from the other graders' mean (> 0: lenient). */
    double mean_abs; /**< Mean absolute deviation. */
} cm_qa_deviation;

/* ------------------------------------------------------------------------ */
/* Rubrics                                                                  */
/* ------------------------------------------------------------------------ */

/**
 * Builds a rubric from arrays of sections and items. Allocates once.
 *
 * The items keep their order: it is the order of the awards given to
 * cm_qa_score(). Every section needs at least one item.
 *
 * @param sections the sections, 1..::CM_QA_MAX_SECTIONS of them; weights > 0
 *        adding up to 100 within ::CM_QA_WEIGHT_TOLERANCE.
 * @param nsections number of sections.
 * @param items the items, 1..::CM_QA_MAX_ITEMS of them.
 * @param nitems number of items.
 * @param pass_score pass mark in [0, 100]: a score at or above it passes.
 * @param alloc memory functions, or NULL for malloc and free (kept for cm_qa_rubric_free()).
 * @param[out] out the new rubric.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, a weight or @p pass_score is NaN or infinite, the
 *         weights do not add up to 100, a weight is not positive, a name is empty, too long,
 *         holds a space, control character or `#`, or is repeated, an item names a missing
 *         section, has 0 points, unknown flags, a non-zero reserved field or is critical and
 *         N/A-able, a section has no item, or @p alloc lacks a function.
 * @retval CM_ERANGE @p pass_score is outside [0, 100], there are no sections or items or
 *         more than the maxima, or an item has more than ::CM_QA_MAX_POINTS points.
 * @retval CM_ENOMEM out of memory.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_qa_rubric_new(const cm_qa_section *sections, size_t nsections,
                                               const cm_qa_item *items, size_t nitems,
                                               double pass_score, const cm_allocator *alloc,
                                               cm_qa_rubric **out);

/**
 * Parses a rubric from its text form (grammar in `docs/qa.md`). Allocates once.
 *
 * One statement per line; `#` starts a comment; blanks and tabs separate words:
 * @code
 * pass 85                       # pass mark, 0..100
 * section accuracy 40%          # name and weight in percent ("%" optional)
 * item correct-answer 4         # name and points, in the section above
 * item verified-identity 1 critical
 * item policy-quoted 2 na       # may be marked N/A
 * section communication 60
 * item empathy 3
 * @endcode
 * Exactly one `pass` statement; at least one section, each with an item; the
 * weights add up to 100.
 *
 * @param text the rubric, NUL-terminated.
 * @param alloc memory functions, or NULL for malloc and free.
 * @param[out] out the new rubric.
 * @param[out] err where and why parsing stopped; may be NULL. Filled only on ::CM_EPARSE.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p text or @p out is NULL, or @p alloc lacks a function.
 * @retval CM_EPARSE the text is malformed or breaks a rule of cm_qa_rubric_new(); see @p err.
 * @retval CM_ENOMEM out of memory.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_qa_rubric_parse(const char *text, const cm_allocator *alloc,
                                                 cm_qa_rubric **out, cm_parse_error *err);

/**
 * Frees a rubric through the allocator it was built with. NULL is a no-op.
 *
 * @param rubric the rubric, or NULL.
 * @since 0.2
 */
CM_API void cm_qa_rubric_free(cm_qa_rubric *rubric);

/**
 * Shape of a rubric: numbers of sections, items and critical items, pass mark.
 *
 * @param rubric the rubric.
 * @param[out] out the summary.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_qa_rubric_info(const cm_qa_rubric *rubric,
                                                cm_qa_rubric_summary *out);

/**
 * One section of a rubric; its name points into the rubric.
 *
 * @param rubric the rubric.
 * @param index the section, 0..sections − 1.
 * @param[out] out the section.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_ERANGE @p index is out of range.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_qa_rubric_section(const cm_qa_rubric *rubric, size_t index,
                                                   cm_qa_section *out);

/**
 * One item of a rubric; its name points into the rubric.
 *
 * @param rubric the rubric.
 * @param index the item, 0..items − 1.
 * @param[out] out the item.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_ERANGE @p index is out of range.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_qa_rubric_item(const cm_qa_rubric *rubric, size_t index,
                                                cm_qa_item *out);

/**
 * Index of the item with a given name.
 *
 * @param rubric the rubric.
 * @param name the item's name, NUL-terminated.
 * @param[out] index its position in the awards array.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_ENOTFOUND the rubric has no such item.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_qa_rubric_find_item(const cm_qa_rubric *rubric, const char *name,
                                                     size_t *index);

/* ------------------------------------------------------------------------ */
/* Scoring                                                                  */
/* ------------------------------------------------------------------------ */

/**
 * Scores one evaluation (rules in the module description and `docs/qa.md`).
 *
 * @param rubric the rubric.
 * @param awards points awarded per item, in the rubric's item order: 0..points,
 *        or ::CM_QA_NA for an N/A-able item.
 * @param n number of awards: exactly the rubric's item count.
 * @param[out] out the result.
 * @param[out] section_scores NULL, or an array of one double per section that
 *        receives each section's score in [0, 100] (0 for a section flagged in
 *        ::cm_qa_result.na_sections).
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p n is not the item count, or an item that is not
 *         N/A-able is marked ::CM_QA_NA (including every critical item).
 * @retval CM_ERANGE an award is negative (other than ::CM_QA_NA) or above the item's points.
 * @retval CM_ENODATA every item is N/A: nothing to score.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_qa_score(const cm_qa_rubric *rubric, const int32_t *awards,
                                          size_t n, cm_qa_result *out, double *section_scores);

/**
 * Scores one evaluation given as item names and awards, in any order.
 *
 * Every item of the rubric must be named exactly once (N/A items with
 * ::CM_QA_NA); otherwise as cm_qa_score().
 *
 * @param rubric the rubric.
 * @param names item names, NUL-terminated, @p n of them.
 * @param awards the award of each named item.
 * @param n number of names: the rubric's item count.
 * @param[out] out the result.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p n is not the item count, a name is repeated, or an
 *         item that is not N/A-able is marked ::CM_QA_NA.
 * @retval CM_ENOTFOUND a name is not an item of the rubric.
 * @retval CM_ERANGE an award is outside 0..points.
 * @retval CM_ENODATA every item is N/A.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_qa_score_named(const cm_qa_rubric *rubric,
                                                const char *const *names, const int32_t *awards,
                                                size_t n, cm_qa_result *out);

/**
 * Scores many evaluations: the column form of cm_qa_score(). All or nothing.
 *
 * @param rubric the rubric.
 * @param awards `nevals × items` awards, row-major: evaluation `e`'s award for
 *        item `i` is `awards[e * items + i]`.
 * @param nevals number of evaluations; the arrays may be NULL when it is 0.
 * @param[out] scores `nevals` final scores (::cm_qa_result.score).
 * @param[out] flags `nevals` outcome bytes (::cm_qa_result.flags), ready for cm_qa_acc_add_many().
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, an N/A is not allowed, or `nevals × items` overflows.
 * @retval CM_ERANGE an award is outside 0..points.
 * @retval CM_ENODATA an evaluation has every item N/A.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_qa_score_many(const cm_qa_rubric *rubric, const int32_t *awards,
                                               size_t nevals, double *scores, uint8_t *flags);

/* ------------------------------------------------------------------------ */
/* Accumulators                                                             */
/* ------------------------------------------------------------------------ */

/**
 * Empties a QA accumulator (the same as zero-initialising it).
 *
 * @param[out] acc the accumulator.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p acc is NULL.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_qa_acc_init(cm_qa_acc *acc);

/**
 * Records one evaluation's score and outcome.
 *
 * @param acc the accumulator.
 * @param score the score in [0, 100].
 * @param flags ::cm_qa_outcome bits; a critical failure may not pass.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p acc is NULL or inconsistent, @p score is NaN or infinite, or @p flags
 *         has unknown bits or both ::CM_QA_PASSED and ::CM_QA_CRITICAL_FAILED.
 * @retval CM_ERANGE @p score is outside [0, 100].
 * @retval CM_EOVERFLOW the accumulator already holds `UINT64_MAX` evaluations.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_qa_acc_add(cm_qa_acc *acc, double score, uint32_t flags);

/**
 * Records a result of cm_qa_score(): its final score and flags.
 *
 * @param acc the accumulator.
 * @param result the scored evaluation.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or the result is inconsistent.
 * @retval CM_ERANGE the score is outside [0, 100].
 * @retval CM_EOVERFLOW the accumulator already holds `UINT64_MAX` evaluations.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_qa_acc_add_result(cm_qa_acc *acc, const cm_qa_result *result);

/**
 * Records arrays of scores and outcome bytes (as written by cm_qa_score_many()). All or nothing.
 *
 * @param acc the accumulator.
 * @param scores scores in [0, 100].
 * @param flags one ::cm_qa_outcome byte per score.
 * @param n number of evaluations; the arrays may be NULL when it is 0.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p acc is inconsistent, a score is NaN or infinite, or
 *         a flags byte is invalid.
 * @retval CM_ERANGE a score is outside [0, 100].
 * @retval CM_EOVERFLOW the count would exceed `UINT64_MAX`.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_qa_acc_add_many(cm_qa_acc *acc, const double *scores,
                                                 const uint8_t *flags, size_t n);

/**
 * Adds the evaluations of @p other to @p acc. Exact, commutative and associative.
 *
 * @param acc the accumulator that receives the evaluations.
 * @param other the accumulator to add; may be @p acc itself.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or an accumulator is inconsistent.
 * @retval CM_EOVERFLOW a count or sum would overflow; @p acc is unchanged.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_qa_acc_merge(cm_qa_acc *acc, const cm_qa_acc *other);

/**
 * Mean score with a Student t interval, spread, extremes, pass rate and critical-failure rate.
 *
 * The interval of the mean is `mean ± t·sd/sqrt(n)` with `t` the quantile
 * `(1 + confidence)/2` of Student's t with n − 1 degrees of freedom, clamped
 * to [0, 100]; with one evaluation it is the whole scale. The rates are
 * Wilson intervals (cm_rate()).
 *
 * @param acc the accumulator.
 * @param confidence confidence level in (0, 1), e.g. ::CM_DEFAULT_CONFIDENCE.
 * @param[out] out the summary.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p confidence is invalid, or @p acc is inconsistent.
 * @retval CM_ENODATA no evaluation was recorded.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_qa_acc_result(const cm_qa_acc *acc, double confidence,
                                               cm_qa_summary *out);

/**
 * Writes an accumulator as ::CM_QA_ACC_SERIALIZED_SIZE portable bytes (format in `docs/qa.md`).
 *
 * @param acc the accumulator.
 * @param[out] buf destination.
 * @param cap capacity of @p buf in bytes.
 * @param[out] written bytes written; on ::CM_ENOSPC, the size needed.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or @p acc is inconsistent.
 * @retval CM_ENOSPC @p cap is too small; @p written holds the size needed.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_qa_acc_serialize(const cm_qa_acc *acc, uint8_t *buf, size_t cap,
                                                  size_t *written);

/**
 * Reads an accumulator written by cm_qa_acc_serialize(), on any machine.
 *
 * @param buf the bytes.
 * @param len their number; exactly ::CM_QA_ACC_SERIALIZED_SIZE.
 * @param[out] out the accumulator.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_EPARSE the bytes are truncated, corrupt, of another kind or format version, or
 *         describe an accumulator no sequence of additions could produce.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_qa_acc_deserialize(const uint8_t *buf, size_t len, cm_qa_acc *out);

/**
 * Flags runs of periods below a threshold, e.g. "an agent below 85 for two weeks".
 *
 * The series is one value per period (an agent's mean score or pass rate in
 * percent per week, from cm_qa_acc_result()). A signal is reported at every
 * period that ends a run of at least @p periods consecutive values strictly
 * below @p threshold: the spc module's ::CM_SPC_RULE_BELOW_THRESHOLD with
 * `level_run = periods` (cm_spc_evaluate()).
 *
 * @param values one value per period, each in [0, 100].
 * @param n number of periods; at least 1.
 * @param threshold the level in [0, 100].
 * @param periods run length, at least 1.
 * @param[out] signals receives the signals (rule ::CM_SPC_RULE_BELOW_THRESHOLD, side −1);
 *        may be NULL when @p cap is 0.
 * @param cap capacity of @p signals in elements.
 * @param[out] count signals written; on ::CM_ENOSPC, how many there are.
 * @retval CM_OK success (possibly no signal).
 * @retval CM_EINVAL a pointer is NULL, a value or @p threshold is NaN or infinite, or
 *         @p periods is 0.
 * @retval CM_ERANGE a value or @p threshold is outside [0, 100].
 * @retval CM_ENODATA @p n is 0.
 * @retval CM_ENOSPC more than @p cap signals; @p count holds how many and @p signals is untouched.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_qa_alerts(const double *values, size_t n, double threshold,
                                           uint32_t periods, cm_spc_signal *signals, size_t cap,
                                           size_t *count);

/* ------------------------------------------------------------------------ */
/* Calibration: agreement between graders                                   */
/* ------------------------------------------------------------------------ */

/**
 * Number of `double`s of scratch space cm_qa_alpha() needs: `4 · units · raters`.
 *
 * @param units number of units (interactions).
 * @param raters number of raters (graders).
 * @return the scratch size in doubles, or `SIZE_MAX` when it does not fit a `size_t`.
 * @since 0.2
 */
CM_API size_t cm_qa_alpha_scratch_size(size_t units, size_t raters);

/**
 * Krippendorff's alpha of a units × raters matrix with missing ratings.
 *
 * `alpha = 1 − D_o / D_e`, where, over the pairable ratings (those in units
 * rated at least twice; n of them, `m_u` in unit u), `D_o = (1/n) Σ_u
 * Σ_{i≠j} δ²(x_ui, x_uj) / (m_u − 1)` and `D_e = (1/(n(n − 1))) Σ_{c,k}
 * n_c n_k δ²(c, k)` with `n_c` the number of pairable ratings equal to c.
 * δ² is `[c ≠ k]` (nominal), `(c − k)²` (interval), `((c − k)/(c + k))²`
 * (ratio), and for ordinal data `(Σ_{g=c..k} n_g − (n_c + n_k)/2)²`
 * (Krippendorff, "Computing Krippendorff's Alpha-Reliability", 2011); the
 * worked example there gives 0.743, 0.815, 0.849 and 0.797 (`docs/qa.md`).
 * Cost: O(values · log values + Σ_u m_u²), plus O(distinct²) for ratio data.
 *
 * @param ratings `units × raters` values, row-major: rater `r`'s rating of unit
 *        `u` is `ratings[u * raters + r]`; finite; >= 0 for ratio data. Entries
 *        marked missing are not read.
 * @param present NULL when every rating is present, else one byte per rating:
 *        0 = missing, anything else = present.
 * @param units number of units.
 * @param raters number of raters; at least 2.
 * @param level a ::cm_qa_level.
 * @param scratch working memory of @p scratch_len doubles.
 * @param scratch_len at least cm_qa_alpha_scratch_size(units, raters).
 * @param[out] out the result.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p raters is below 2, @p level is unknown, or a present
 *         rating is NaN or infinite.
 * @retval CM_ERANGE a ratio rating is negative.
 * @retval CM_ENODATA no unit has two ratings, or every pairable rating is the same value
 *         (no variation: alpha is undefined).
 * @retval CM_ENOSPC @p scratch_len is too small.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_qa_alpha(const double *ratings, const uint8_t *present,
                                          size_t units, size_t raters, uint32_t level,
                                          double *scratch, size_t scratch_len,
                                          cm_qa_alpha_result *out);

/**
 * The six intraclass correlations of Shrout and Fleiss (1979) of a complete
 * targets × raters matrix.
 *
 * From the two-way ANOVA mean squares BMS (targets), WMS (within targets), JMS
 * (judges) and EMS (residual), with n targets and k raters:
 * ICC(1,1) = (BMS − WMS)/(BMS + (k−1)WMS), ICC(2,1) = (BMS − EMS)/(BMS +
 * (k−1)EMS + k(JMS − EMS)/n), ICC(3,1) = (BMS − EMS)/(BMS + (k−1)EMS),
 * ICC(1,k) = (BMS − WMS)/BMS, ICC(2,k) = (BMS − EMS)/(BMS + (JMS − EMS)/n),
 * ICC(3,k) = (BMS − EMS)/BMS. Their 6 targets × 4 judges example gives .17,
 * .29, .71, .44, .62 and .91. Targets with a missing rating must be left out.
 *
 * @param ratings `targets × raters` values, row-major; finite.
 * @param targets number of targets; at least 2.
 * @param raters number of raters; at least 2.
 * @param[out] out the result.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p raters is below 2, or a rating is NaN or infinite.
 * @retval CM_ENODATA fewer than 2 targets, or no variation between targets (BMS = 0) or
 *         another zero denominator: the correlations are undefined.
 * @retval CM_EOVERFLOW a sum of squares exceeds the range of double.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_qa_icc(const double *ratings, size_t targets, size_t raters,
                                        cm_qa_icc_result *out);

/**
 * Each grader's mean deviation from the others on the units they rated together.
 *
 * For rater r on a unit with m >= 2 ratings, the deviation is its rating minus
 * the mean of the other m − 1 ratings (leave-one-out consensus, so a grader is
 * not compared with itself). `mean` averages the signed deviations (positive:
 * more lenient than the others), `mean_abs` their absolute values, over the
 * units the grader rated with somebody else. A grader with no such unit gets
 * n = 0 and zeros.
 *
 * @param ratings `units × raters` values, row-major; finite where present.
 * @param present NULL when every rating is present, else one byte per rating (0 = missing).
 * @param units number of units.
 * @param raters number of raters; at least 2.
 * @param[out] out @p raters results, one per rater.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p raters is below 2, or a present rating is NaN or
 *         infinite.
 * @retval CM_ENODATA no unit has two ratings.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_qa_grader_deviation(const double *ratings, const uint8_t *present,
                                                     size_t units, size_t raters,
                                                     cm_qa_deviation *out);

/**
 * Size of a QA struct in this build of the library, for bindings that mirror the structs.
 *
 * @param name `"cm_qa_section"`, `"cm_qa_item"`, `"cm_qa_rubric_summary"`, `"cm_qa_result"`,
 *        `"cm_qa_acc"`, `"cm_qa_summary"`, `"cm_qa_alpha_result"`, `"cm_qa_icc_result"` or
 *        `"cm_qa_deviation"`.
 * @return the size in bytes, or 0 for an unknown name or NULL.
 * @since 0.2
 */
CM_API size_t cm_qa_sizeof(const char *name);

/**
 * Value of a QA macro in this build of the library, for bindings that cannot read macros.
 *
 * @param name the macro's name: `"CM_QA_NA"`, `"CM_QA_MAX_SECTIONS"`, `"CM_QA_MAX_ITEMS"`,
 *        `"CM_QA_MAX_POINTS"`, `"CM_QA_NAME_MAX"`, `"CM_QA_WEIGHT_TOLERANCE"`,
 *        `"CM_QA_ACC_SERIALIZED_SIZE"`, or an enumerator of ::cm_qa_item_flag,
 *        ::cm_qa_outcome or ::cm_qa_level.
 * @param[out] out the value.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_ENOTFOUND no QA macro or enumerator has that name.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_qa_constant(const char *name, double *out);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CAREMETRICS_QA_H */
