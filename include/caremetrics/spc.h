/*
 * libcaremetrics — statistical process control: control limits and run rules
 * for per-interval metric series.
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_SPC_H
#define CAREMETRICS_SPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <caremetrics/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup spc SPC: control limits and drift alerts
 * @brief Shewhart control limits for a metric per interval and the run rules
 *        that tell drift from noise.
 *
 * Two charts are supported:
 * - the **individuals / moving-range chart** (XmR) for a measured value per
 *   interval, such as the median first-reply time per hour: centre line the
 *   mean, `sigma = MRbar / 1.128`, limits `mean ± 3 sigma`
 *   (cm_spc_individuals(), cm_spc_evaluate());
 * - the **p-chart** for a proportion per interval with its own denominator,
 *   such as CSAT or service level per day: centre `pbar = Σnum / Σden`,
 *   per-point limits `pbar ± 3 sqrt(pbar (1 - pbar) / den_i)` clipped to
 *   [0, 1] (cm_spc_p_chart(), cm_spc_p_evaluate()).
 *
 * The evaluators check a series against the rules enabled in a
 * ::cm_spc_rules and report every point at which a rule fires, with the rule
 * and the side, into a caller-provided array. The formulas and the exact
 * definition of every rule are in `docs/spc.md`. Nothing here allocates.
 *
 * The seed's alert "chat first response above 90 s for three consecutive
 * intervals":
 * @code
 * cm_spc_limits lim;                    // from a baseline period
 * cm_spc_rules rules = {0};
 * rules.enabled = CM_SPC_RULES_WESTERN_ELECTRIC | CM_SPC_RULE_ABOVE_THRESHOLD;
 * rules.threshold = 90.0;                // seconds
 * rules.level_run = 3;                   // intervals
 * cm_spc_signal sig[64];
 * size_t count;
 * if (cm_spc_individuals(baseline, nb, &lim) == CM_OK &&
 *     cm_spc_evaluate(frt, n, &lim, &rules, sig, 64, &count) == CM_OK)
 *     for (size_t i = 0; i < count; i++)
 *         printf("interval %zu: rule %d\n", sig[i].index, (int)sig[i].rule);
 * @endcode
 * @{
 */

/** @file caremetrics/spc.h
 *  @brief Control limits (XmR chart, p-chart) and run rules. */

/** d2 for moving ranges of two points: sigma = MRbar / d2. */
#define CM_SPC_D2 1.128
/** D4 for moving ranges of two points: the MR chart's upper limit is D4 · MRbar. */
#define CM_SPC_D4 3.267
/** Run length of ::CM_SPC_RULE_SAME_SIDE when ::cm_spc_rules.side_run is 0 (Western Electric). */
#define CM_SPC_DEFAULT_SIDE_RUN 8
/** Run length of the centre and threshold runs when ::cm_spc_rules.level_run is 0. */
#define CM_SPC_DEFAULT_LEVEL_RUN 3

/**
 * A run rule. Rules are bits: combine them with `|` in ::cm_spc_rules.enabled.
 *
 * "Beyond k sigma" means strictly farther than `k · sigma` from the centre
 * line; with sigma = 0 every point off the centre line is beyond. A rule
 * fires at the point that completes its pattern, and again at every later
 * point that still completes one (a run of 10 above the centre fires the
 * 8-point rule at its 8th, 9th and 10th point).
 */
typedef enum cm_spc_rule {
    /** Western Electric 1: the point is beyond 3 sigma. */
    CM_SPC_RULE_BEYOND_3SIGMA = 0x01,
    /** Western Electric 2: the point is beyond 2 sigma, and so is one of the two before it, same side. */
    CM_SPC_RULE_2_OF_3 = 0x02,
    /** Western Electric 3: the point is beyond 1 sigma, and so are three of the four before it, same side. */
    CM_SPC_RULE_4_OF_5 = 0x04,
    /** Western Electric 4: the point ends a run of ::cm_spc_rules.side_run (default 8) points strictly on one side of the centre. */
    CM_SPC_RULE_SAME_SIDE = 0x08,
    /** The point ends a run of ::cm_spc_rules.level_run (default 3) points strictly above the centre line. */
    CM_SPC_RULE_ABOVE_CENTER = 0x10,
    /** The point ends a run of ::cm_spc_rules.level_run (default 3) points strictly below the centre line. */
    CM_SPC_RULE_BELOW_CENTER = 0x20,
    /** The point ends a run of ::cm_spc_rules.level_run (default 3) points strictly above ::cm_spc_rules.threshold. */
    CM_SPC_RULE_ABOVE_THRESHOLD = 0x40,
    /** The point ends a run of ::cm_spc_rules.level_run (default 3) points strictly below ::cm_spc_rules.threshold. */
    CM_SPC_RULE_BELOW_THRESHOLD = 0x80
} cm_spc_rule;

/** The four Western Electric rules; also what a zero ::cm_spc_rules.enabled means. */
#define CM_SPC_RULES_WESTERN_ELECTRIC 0x0f
/** Every rule. */
#define CM_SPC_RULES_ALL 0xff

/** Control limits of an individuals / moving-range chart. */
typedef struct cm_spc_limits {
    double center; /**< Centre line: the mean of the series. */
    double sigma;  /**< Estimated process standard deviation: `mr_bar / 1.128`; >= 0. */
    double lcl;    /**< Lower control limit: `center - 3 sigma` (may be negative). */
    double ucl;    /**< Upper control limit: `center + 3 sigma`. */
    double mr_bar; /**< Mean moving range: the mean of `|x_i - x_{i-1}|` over the n - 1 pairs. */
    double mr_ucl; /**< Upper control limit of the moving-range chart: `3.267 mr_bar`. */
} cm_spc_limits;

/** Which rules to check and their parameters. Zero-initialised: the Western Electric rules. */
typedef struct cm_spc_rules {
    uint32_t
        enabled; /**< Bitwise OR of ::cm_spc_rule values; 0 = ::CM_SPC_RULES_WESTERN_ELECTRIC. */
    uint32_t
        side_run; /**< Points in a run for ::CM_SPC_RULE_SAME_SIDE; 0 = ::CM_SPC_DEFAULT_SIDE_RUN. */
    uint32_t
        level_run; /**< Points in a run for the centre and threshold rules; 0 = ::CM_SPC_DEFAULT_LEVEL_RUN. */
    uint32_t reserved; /**< Must be zero. */
    double
        threshold; /**< Level of the threshold rules, in the unit of the series (seconds, or a proportion for p-charts). */
} cm_spc_rules;

/** One rule firing at one point. */
typedef struct cm_spc_signal {
    size_t index;     /**< Index of the point in the series (0-based). */
    cm_spc_rule rule; /**< The rule that fired. */
    int32_t side;     /**< +1: above the centre line or threshold; -1: below. */
} cm_spc_signal;

/**
 * Control limits of the individuals / moving-range chart of a series.
 *
 * `center` is the mean of the series; `mr_bar` the mean of the n - 1 moving
 * ranges `|x_i - x_{i-1}|`; `sigma = mr_bar / 1.128` (d2 for ranges of two
 * points); `lcl, ucl = center ∓ 3 sigma`; `mr_ucl = 3.267 mr_bar` (D4). Use a
 * stable baseline period to set the limits, then check new intervals against
 * them with cm_spc_evaluate().
 *
 * @param xs the series, one value per interval; finite.
 * @param n number of points; at least 2.
 * @param[out] out the limits.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or a value is NaN or infinite.
 * @retval CM_ENODATA fewer than 2 points: no moving range.
 * @retval CM_EOVERFLOW a sum or a range exceeds the range of double.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_spc_individuals(const double *xs, size_t n, cm_spc_limits *out);

/**
 * Control limits of the p-chart of a proportion per interval.
 *
 * Point `i` is `num[i] / den[i]`. The centre line is `pbar = Σnum / Σden`
 * and point `i` has its own limits
 * `pbar ± 3 sqrt(pbar (1 - pbar) / den[i])`, clipped to [0, 1].
 *
 * @param num successes per interval (e.g. satisfied answers), each at most `den[i]`.
 * @param den trials per interval (e.g. answers), each at least 1.
 * @param n number of intervals; at least 1.
 * @param[out] center the centre line pbar.
 * @param[out] lcl array of @p n lower limits.
 * @param[out] ucl array of @p n upper limits.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or some `num[i] > den[i]`.
 * @retval CM_ENODATA @p n is 0 or some `den[i]` is 0 (leave empty intervals out).
 * @retval CM_EOVERFLOW the denominators add up past `UINT64_MAX`.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_spc_p_chart(const uint64_t *num, const uint64_t *den, size_t n,
                                             double *center, double *lcl, double *ucl);

/**
 * Checks a series against control limits and run rules.
 *
 * Only `limits->center` and `limits->sigma` are read: the zones are
 * `center ± k sigma`, so limits from cm_spc_individuals() over a baseline, or
 * set by hand from a target, both work. Signals come in increasing index
 * order, and within a point in the bit order of ::cm_spc_rule.
 *
 * @param xs the series; finite.
 * @param n number of points; at least 1.
 * @param limits centre line and sigma (finite, sigma >= 0).
 * @param rules the rules to check (zero-initialised: Western Electric).
 * @param[out] signals receives the signals; may be NULL when @p cap is 0.
 * @param cap capacity of @p signals in elements.
 * @param[out] count number of signals written; on ::CM_ENOSPC, the number there are.
 * @retval CM_OK success (possibly with no signal).
 * @retval CM_EINVAL a pointer is NULL, a value, the centre, sigma or the threshold is NaN or
 *         infinite, sigma is negative, or @p rules has unknown bits or a non-zero reserved field.
 * @retval CM_ENODATA @p n is 0.
 * @retval CM_ENOSPC more than @p cap signals; @p count holds how many and @p signals is untouched.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_spc_evaluate(const double *xs, size_t n,
                                              const cm_spc_limits *limits,
                                              const cm_spc_rules *rules, cm_spc_signal *signals,
                                              size_t cap, size_t *count);

/**
 * Checks a proportion per interval against p-chart limits and run rules.
 *
 * Point `i` is `p_i = num[i] / den[i]` with `sigma_i = sqrt(center (1 -
 * center) / den[i])`; the rules are those of cm_spc_evaluate() with each
 * point's own sigma. @p center is usually the `pbar` of cm_spc_p_chart() over a
 * baseline, or a target proportion. The threshold of the threshold rules is a
 * proportion (e.g. 0.8 for "service level below 80 %").
 *
 * @param num successes per interval, each at most `den[i]`.
 * @param den trials per interval, each at least 1.
 * @param n number of intervals; at least 1.
 * @param center the centre line, a proportion in [0, 1].
 * @param rules the rules to check.
 * @param[out] signals receives the signals; may be NULL when @p cap is 0.
 * @param cap capacity of @p signals in elements.
 * @param[out] count number of signals written; on ::CM_ENOSPC, the number there are.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, some `num[i] > den[i]`, @p center or the threshold is
 *         NaN or infinite, @p center is outside [0, 1], or @p rules is invalid.
 * @retval CM_ENODATA @p n is 0 or some `den[i]` is 0.
 * @retval CM_ENOSPC more than @p cap signals; @p count holds how many and @p signals is untouched.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_spc_p_evaluate(const uint64_t *num, const uint64_t *den, size_t n,
                                                double center, const cm_spc_rules *rules,
                                                cm_spc_signal *signals, size_t cap, size_t *count);

/**
 * Size of an SPC struct in this build of the library, for bindings that mirror the structs.
 *
 * @param name `"cm_spc_limits"`, `"cm_spc_rules"` or `"cm_spc_signal"`.
 * @return the size in bytes, or 0 for an unknown name or NULL.
 * @since 0.1
 */
CM_API size_t cm_spc_sizeof(const char *name);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CAREMETRICS_SPC_H */
