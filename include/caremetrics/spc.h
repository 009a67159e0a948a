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
    CM_SPC_RULE_BELOW_THRESHOLD = 0x80,
    /** Nelson 3, the trend rule: the point ends a run of ::CM_SPC_TREND_RUN (6) points each strictly above (+1) or below (-1) the one before. @since 0.2 */
    CM_SPC_RULE_TREND = 0x100,
    /** Nelson 4: the point ends a run of ::CM_SPC_ALTERNATING_RUN (14) points going up and down in turn (side 0). @since 0.2 */
    CM_SPC_RULE_ALTERNATING = 0x200,
    /** Nelson 7, stratification: the point ends a run of ::CM_SPC_STRATIFICATION_RUN (15) points within 1 sigma of the centre, either side (side 0). @since 0.2 */
    CM_SPC_RULE_STRATIFICATION = 0x400,
    /** Nelson 8, mixture: the point ends a run of ::CM_SPC_MIXTURE_RUN (8) points beyond 1 sigma with points on both sides (side 0). @since 0.2 */
    CM_SPC_RULE_MIXTURE = 0x800,
    /** Not a run rule: the EWMA statistic is beyond its limits (cm_spc_ewma()). @since 0.2 */
    CM_SPC_RULE_EWMA = 0x1000,
    /** Not a run rule: an upper (+1) or lower (-1) CUSUM is above its decision interval (cm_spc_cusum()). @since 0.2 */
    CM_SPC_RULE_CUSUM = 0x2000
} cm_spc_rule;

/** The four Western Electric rules; also what a zero ::cm_spc_rules.enabled means. */
#define CM_SPC_RULES_WESTERN_ELECTRIC 0x0f
/**
 * Nelson's eight rules: beyond 3 sigma, same side (set ::cm_spc_rules.side_run
 * to 9 for Nelson's run of nine), trend, alternating, 2 of 3, 4 of 5,
 * stratification and mixture. @since 0.2
 */
#define CM_SPC_RULES_NELSON 0xf0f
/** Every run rule (every bit ::cm_spc_rules.enabled accepts). */
#define CM_SPC_RULES_ALL 0xfff
/** Points in a run of ::CM_SPC_RULE_TREND. @since 0.2 */
#define CM_SPC_TREND_RUN 6
/** Points in a run of ::CM_SPC_RULE_ALTERNATING. @since 0.2 */
#define CM_SPC_ALTERNATING_RUN 14
/** Points in a run of ::CM_SPC_RULE_STRATIFICATION. @since 0.2 */
#define CM_SPC_STRATIFICATION_RUN 15
/** Points in a run of ::CM_SPC_RULE_MIXTURE. @since 0.2 */
#define CM_SPC_MIXTURE_RUN 8
/** d2-like constant of the median of moving ranges of two points: sigma = median MR / 0.954. @since 0.2 */
#define CM_SPC_MEDIAN_D 0.954
/** Upper limit of the moving-range chart from the median moving range: 3.865 · median MR. @since 0.2 */
#define CM_SPC_MEDIAN_D4 3.865

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
    int32_t
        side; /**< +1: above the centre line or threshold (or a rising trend); -1: below; 0: a rule without a side (alternating, stratification, mixture). */
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

/** How cm_spc_individuals_ex() estimates sigma. @since 0.2 */
typedef enum cm_spc_sigma_method {
    /** `sigma = MRbar / 1.128`, `mr_ucl = 3.267 MRbar` (as cm_spc_individuals()). */
    CM_SPC_SIGMA_MR_MEAN = 0,
    /** `sigma = median MR / 0.954`, `mr_ucl = 3.865 median MR`: robust to a few large jumps. */
    CM_SPC_SIGMA_MR_MEDIAN = 1
} cm_spc_sigma_method;

/** Options of cm_spc_individuals_ex(). Zero-initialised: cm_spc_individuals(). @since 0.2 */
typedef struct cm_spc_xmr_options {
    uint32_t sigma_method; /**< A ::cm_spc_sigma_method. */
    uint32_t
        max_rounds; /**< Revisions: 0 = none; else at most this many rounds of dropping the points beyond the 3-sigma limits and recomputing. */
} cm_spc_xmr_options;

/**
 * Individuals / moving-range limits with a choice of sigma estimate, points
 * left out, and limits revised after dropping out-of-control points.
 *
 * A point left out (by the caller through @p exclude, or by a revision)
 * counts neither in the centre nor in any moving range: a moving range is
 * `|x_i - x_{i-1}|` for two neighbouring points both kept. With
 * `max_rounds > 0`, each round computes the limits of the kept points,
 * drops every kept point strictly beyond `center ± 3 sigma`, and starts
 * again, until a round drops nothing or @p opt->max_rounds rounds have
 * dropped points (then the limits are recomputed once more over what is
 * left). A round that would leave fewer than two kept neighbours is not
 * made. The median method sets `mr_bar` to the median moving range.
 *
 * @param xs the series; finite.
 * @param n number of points.
 * @param opt the options; NULL = zero-initialised.
 * @param[in,out] exclude NULL (keep every point) or @p n bytes: non-zero on entry leaves the
 *        point out; on return 1 for those, 2 for points a revision dropped, 0 for kept points.
 *        Required when `opt->max_rounds > 0`.
 * @param scratch @p scratch_len doubles of working memory for the median method (NULL for the mean).
 * @param scratch_len capacity of @p scratch; at least @p n for the median method.
 * @param[out] out the limits of the kept points.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL where required, a value is NaN or infinite, an unknown
 *         sigma method, or @p scratch too small.
 * @retval CM_ENODATA no two neighbouring points are kept: no moving range.
 * @retval CM_EOVERFLOW a sum or a range exceeds the range of double.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_spc_individuals_ex(const double *xs, size_t n,
                                                    const cm_spc_xmr_options *opt, uint8_t *exclude,
                                                    double *scratch, size_t scratch_len,
                                                    cm_spc_limits *out);

/** Parameters of an EWMA chart (Montgomery, section 9.2). @since 0.2 */
typedef struct cm_spc_ewma_params {
    double center; /**< Target mean mu0: the centre line and the EWMA's start value z_0. */
    double sigma;  /**< Process standard deviation of one point; >= 0. */
    double lambda; /**< Weight of the newest point, in (0, 1]; 0.05 to 0.25 for small shifts. */
    double width;  /**< Limit width L in sigmas of the EWMA, > 0; 3, or 2.7 with lambda 0.1. */
} cm_spc_ewma_params;

/**
 * Exponentially weighted moving average chart: detects small sustained shifts.
 *
 * `z_i = lambda x_i + (1 - lambda) z_{i-1}`, `z_0 = center`, with the exact
 * limits of point i (1-based)
 * `center ± L sigma sqrt(lambda / (2 - lambda) (1 - (1 - lambda)^(2 i)))`.
 * A signal (::CM_SPC_RULE_EWMA, side +1 or -1) at every point whose `z_i`
 * is strictly beyond its limits.
 *
 * @param xs the series; finite.
 * @param n number of points; at least 1.
 * @param p the chart's parameters.
 * @param[out] z NULL or @p n EWMA values.
 * @param[out] lcl NULL or @p n lower limits.
 * @param[out] ucl NULL or @p n upper limits.
 * @param[out] signals receives the signals; may be NULL when @p cap is 0.
 * @param cap capacity of @p signals in elements.
 * @param[out] count number of signals written; on ::CM_ENOSPC, the number there are.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, a value or parameter is NaN or infinite, sigma < 0,
 *         lambda outside (0, 1], or width <= 0.
 * @retval CM_ENODATA @p n is 0.
 * @retval CM_ENOSPC more than @p cap signals; @p count holds how many, the arrays are untouched.
 * @retval CM_EOVERFLOW a value or limit exceeds the range of double.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_spc_ewma(const double *xs, size_t n, const cm_spc_ewma_params *p,
                                          double *z, double *lcl, double *ucl,
                                          cm_spc_signal *signals, size_t cap, size_t *count);

/** Parameters of a tabular CUSUM (Montgomery, section 9.1). @since 0.2 */
typedef struct cm_spc_cusum_params {
    double center; /**< Target mean mu0. */
    double sigma;  /**< Process standard deviation of one point; >= 0. */
    double
        k; /**< Reference value in sigmas, >= 0: half the shift to detect (0.5 for a 1-sigma shift). */
    double h; /**< Decision interval in sigmas, >= 0 (4 or 5 usual). */
} cm_spc_cusum_params;

/**
 * Tabular (Page) CUSUM: detects small sustained shifts above and below the target.
 *
 * With `K = k sigma` and `H = h sigma`:
 * `C+_i = max(0, x_i - (center + K) + C+_{i-1})`,
 * `C-_i = max(0, (center - K) - x_i + C-_{i-1})`, `C+_0 = C-_0 = 0`.
 * A signal (::CM_SPC_RULE_CUSUM) at every point where `C+_i > H` (side +1)
 * or `C-_i > H` (side -1); the sums are not reset after a signal.
 *
 * @param xs the series; finite.
 * @param n number of points; at least 1.
 * @param p the chart's parameters.
 * @param[out] c_plus NULL or @p n upper sums.
 * @param[out] c_minus NULL or @p n lower sums.
 * @param[out] signals receives the signals; may be NULL when @p cap is 0.
 * @param cap capacity of @p signals in elements.
 * @param[out] count number of signals written; on ::CM_ENOSPC, the number there are.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, a value or parameter is NaN or infinite, or sigma, k or h
 *         is negative.
 * @retval CM_ENODATA @p n is 0.
 * @retval CM_ENOSPC more than @p cap signals; @p count holds how many, the arrays are untouched.
 * @retval CM_EOVERFLOW a sum exceeds the range of double.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_spc_cusum(const double *xs, size_t n, const cm_spc_cusum_params *p,
                                           double *c_plus, double *c_minus, cm_spc_signal *signals,
                                           size_t cap, size_t *count);

/**
 * Laney's p′ chart: a p-chart whose limits also carry the variation between
 * intervals, for proportions over large denominators.
 *
 * With the p-chart's `pbar` and `sigma_i = sqrt(pbar (1 - pbar) / den_i)`:
 * `z_i = (p_i - pbar) / sigma_i`, `sigma_z = mean |z_i - z_{i-1}| / 1.128`,
 * and the limits `pbar ± 3 sigma_i sigma_z`, clipped to [0, 1]
 * (Laney, "Improved control charts for attributes", Quality Engineering
 * 14(4), 2002). At `pbar` 0 or 1 every z is 0 and the limits collapse.
 *
 * @param num successes per interval, each at most `den[i]`.
 * @param den trials per interval, each at least 1.
 * @param n number of intervals; at least 2.
 * @param[out] center pbar.
 * @param[out] sigma_z the between-interval factor (1 for pure binomial variation).
 * @param[out] lcl array of @p n lower limits.
 * @param[out] ucl array of @p n upper limits.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or some `num[i] > den[i]`.
 * @retval CM_ENODATA @p n below 2 or some `den[i]` is 0.
 * @retval CM_EOVERFLOW the denominators add up past `UINT64_MAX`.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_spc_laney_p_chart(const uint64_t *num, const uint64_t *den,
                                                   size_t n, double *center, double *sigma_z,
                                                   double *lcl, double *ucl);

/**
 * Checks a proportion per interval against Laney p′ limits and run rules:
 * cm_spc_p_evaluate() with each point's sigma multiplied by @p sigma_z.
 *
 * @param num successes per interval, each at most `den[i]`.
 * @param den trials per interval, each at least 1.
 * @param n number of intervals; at least 1.
 * @param center the centre line, a proportion in [0, 1].
 * @param sigma_z the factor of cm_spc_laney_p_chart(); finite, >= 0.
 * @param rules the rules to check.
 * @param[out] signals receives the signals; may be NULL when @p cap is 0.
 * @param cap capacity of @p signals in elements.
 * @param[out] count number of signals written; on ::CM_ENOSPC, the number there are.
 * @retval CM_OK success.
 * @retval CM_EINVAL as cm_spc_p_evaluate(), or @p sigma_z NaN, infinite or negative.
 * @retval CM_ENODATA @p n is 0 or some `den[i]` is 0.
 * @retval CM_ENOSPC more than @p cap signals; @p count holds how many and @p signals is untouched.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_spc_laney_p_evaluate(const uint64_t *num, const uint64_t *den,
                                                      size_t n, double center, double sigma_z,
                                                      const cm_spc_rules *rules,
                                                      cm_spc_signal *signals, size_t cap,
                                                      size_t *count);

/**
 * Size of an SPC struct in this build of the library, for bindings that mirror the structs.
 *
 * @param name `"cm_spc_limits"`, `"cm_spc_rules"`, `"cm_spc_signal"`, `"cm_spc_xmr_options"`,
 *        `"cm_spc_ewma_params"` or `"cm_spc_cusum_params"`.
 * @return the size in bytes, or 0 for an unknown name or NULL.
 * @since 0.1
 */
CM_API size_t cm_spc_sizeof(const char *name);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CAREMETRICS_SPC_H */
