/*
 * Tests of caremetrics/spc.h.
 *
 * Every series is hand-made for one rule, with the expected signals worked
 * out in the comment next to it; a seeded property test compares the
 * evaluator with a brute-force reading of the rule definitions in docs/spc.md
 * (each window recounted from scratch). Laney's p' chart is also checked
 * against a published data set and a third party's chart of it, figure by
 * figure to the 17 digits printed.
 * Tolerance for limits: 1e-12 relative. They are means and a division by
 * 1.128 of numbers of order 10; the compensated sums are exact here and the
 * rest is a handful of roundings (about 1e-15).
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/spc.h>

#include "testing.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define TOL      1e-12

typedef struct want {
    size_t index;
    cm_spc_rule rule;
    int32_t side;
} want;

/* Evaluates xs against centre/sigma with the given rules and compares every signal. */
static void expect_signals(const double *xs, size_t n, double center, double sigma,
                           const cm_spc_rules *rules, const want *w, size_t nw)
{
    cm_spc_limits lim = {center, sigma, 0, 0, 0, 0};
    cm_spc_signal sig[64];
    size_t count = 99;
    ck_assert_status(cm_spc_evaluate(xs, n, &lim, rules, sig, NELEM(sig), &count), CM_OK);
    ck_assert_uint_eq(count, nw);
    for (size_t i = 0; i < nw; i++) {
        ck_assert_msg(
            sig[i].index == w[i].index && sig[i].rule == w[i].rule && sig[i].side == w[i].side,
            "signal %zu: got (%zu, 0x%x, %d), want (%zu, 0x%x, %d)", i, sig[i].index,
            (unsigned)sig[i].rule, sig[i].side, w[i].index, (unsigned)w[i].rule, w[i].side);
    }
}

/* ---- limits ---------------------------------------------------------------- */

START_TEST(individuals_hand)
{
    /* Hand: {10, 12, 11, 13, 12}: mean 58 / 5 = 11.6; moving ranges 2, 1, 2, 1,
     * MRbar 6 / 4 = 1.5; sigma 1.5 / 1.128; limits 11.6 ± 4.5 / 1.128
     * = 11.6 ± 3.9893617...; MR chart UCL 3.267 * 1.5 = 4.9005. */
    const double xs[] = {10, 12, 11, 13, 12};
    cm_spc_limits l;
    ck_assert_status(cm_spc_individuals(xs, 5, &l), CM_OK);
    ck_assert_rel(l.center, 11.6, TOL);
    ck_assert_rel(l.mr_bar, 1.5, TOL);
    ck_assert_rel(l.sigma, 1.5 / 1.128, TOL);
    ck_assert_rel(l.ucl, 11.6 + 4.5 / 1.128, TOL);
    ck_assert_rel(l.lcl, 11.6 - 4.5 / 1.128, TOL);
    ck_assert_rel(l.mr_ucl, 4.9005, TOL);
    /* Two points: one moving range. {100, 40}: mean 70, MRbar 60. */
    const double two[] = {100, 40};
    ck_assert_status(cm_spc_individuals(two, 2, &l), CM_OK);
    ck_assert_rel(l.center, 70.0, TOL);
    ck_assert_rel(l.mr_bar, 60.0, TOL);
    ck_assert_rel(l.lcl, 70.0 - 180.0 / 1.128, TOL); /* negative: not clipped */
    /* All equal: sigma 0, the limits on the centre line. */
    const double flat[] = {5, 5, 5, 5};
    ck_assert_status(cm_spc_individuals(flat, 4, &l), CM_OK);
    ck_assert_double_eq(l.center, 5.0);
    ck_assert_double_eq(l.sigma, 0.0);
    ck_assert_double_eq(l.ucl, 5.0);
}
END_TEST

START_TEST(individuals_bad_input)
{
    const double xs[] = {1, 2, 3};
    cm_spc_limits l;
    poison(&l);
    ck_assert_status(cm_spc_individuals(NULL, 3, &l), CM_EINVAL);
    ck_assert_status(cm_spc_individuals(xs, 3, NULL), CM_EINVAL);
    const double bad[][3] = {{1, D_NAN, 3}, {D_INF, 1, 2}, {1, 2, -D_INF}};
    for (size_t i = 0; i < NELEM(bad); i++)
        ck_assert_status(cm_spc_individuals(bad[i], 3, &l), CM_EINVAL);
    ck_assert_status(cm_spc_individuals(xs, 0, &l), CM_ENODATA);
    ck_assert_status(cm_spc_individuals(NULL, 0, &l), CM_ENODATA);
    ck_assert_status(cm_spc_individuals(xs, 1, &l), CM_ENODATA);
    /* A moving range past DBL_MAX. */
    const double huge[] = {1e308, -1e308};
    ck_assert_status(cm_spc_individuals(huge, 2, &l), CM_EOVERFLOW);
    ck_assert_untouched(&l);
}
END_TEST

START_TEST(p_chart_hand)
{
    /* Hand: CSAT per day 80/100, 45/50, 190/200: pbar = 315 / 350 = 0.9,
     * pbar (1 - pbar) = 0.09.
     *   den 100: 3 sqrt(0.0009) = 0.09           -> [0.81, 0.99]
     *   den 50:  3 sqrt(0.0018) = 0.127279...    -> [0.772720..., 1.0 (clipped)]
     *   den 200: 3 sqrt(0.00045) = 0.0636396...  -> [0.836360..., 0.963639...] */
    const uint64_t num[] = {80, 45, 190}, den[] = {100, 50, 200};
    double center, lcl[3], ucl[3];
    ck_assert_status(cm_spc_p_chart(num, den, 3, &center, lcl, ucl), CM_OK);
    ck_assert_rel(center, 0.9, TOL);
    ck_assert_rel(lcl[0], 0.81, TOL);
    ck_assert_rel(ucl[0], 0.99, TOL);
    ck_assert_rel(lcl[1], 0.9 - 3 * sqrt(0.0018), TOL);
    ck_assert_double_eq(ucl[1], 1.0);
    ck_assert_rel(lcl[2], 0.9 - 3 * sqrt(0.00045), TOL);
    ck_assert_rel(ucl[2], 0.9 + 3 * sqrt(0.00045), TOL);
    /* Low proportions clip at 0: 1/50 and 0/50 -> pbar 0.01, 3 sqrt(0.0099/50) = 0.0422. */
    const uint64_t n2[] = {1, 0}, d2[] = {50, 50};
    ck_assert_status(cm_spc_p_chart(n2, d2, 2, &center, lcl, ucl), CM_OK);
    ck_assert_rel(center, 0.01, TOL);
    ck_assert_double_eq(lcl[0], 0.0);
    ck_assert_rel(ucl[0], 0.01 + 3 * sqrt(0.0099 / 50), TOL);
    /* Every answer satisfied: pbar 1, the limits collapse onto it. */
    const uint64_t all[] = {7, 9};
    ck_assert_status(cm_spc_p_chart(all, all, 2, &center, lcl, ucl), CM_OK);
    ck_assert_double_eq(center, 1.0);
    ck_assert_double_eq(lcl[1], 1.0);
    ck_assert_double_eq(ucl[1], 1.0);
}
END_TEST

START_TEST(p_chart_bad_input)
{
    const uint64_t num[] = {1, 2}, den[] = {10, 10};
    double center, lcl[2], ucl[2];
    poison(&center);
    poison(&lcl);
    poison(&ucl);
    ck_assert_status(cm_spc_p_chart(NULL, den, 2, &center, lcl, ucl), CM_EINVAL);
    ck_assert_status(cm_spc_p_chart(num, NULL, 2, &center, lcl, ucl), CM_EINVAL);
    ck_assert_status(cm_spc_p_chart(num, den, 2, NULL, lcl, ucl), CM_EINVAL);
    ck_assert_status(cm_spc_p_chart(num, den, 2, &center, NULL, ucl), CM_EINVAL);
    ck_assert_status(cm_spc_p_chart(num, den, 2, &center, lcl, NULL), CM_EINVAL);
    const uint64_t over[] = {1, 11};
    ck_assert_status(cm_spc_p_chart(over, den, 2, &center, lcl, ucl), CM_EINVAL);
    const uint64_t zero_den[] = {10, 0}, zero_num[] = {1, 0};
    ck_assert_status(cm_spc_p_chart(zero_num, zero_den, 2, &center, lcl, ucl), CM_ENODATA);
    ck_assert_status(cm_spc_p_chart(num, den, 0, &center, lcl, ucl), CM_ENODATA);
    const uint64_t ones[] = {1, 1}, big[] = {UINT64_MAX, 1};
    ck_assert_status(cm_spc_p_chart(ones, big, 2, &center, lcl, ucl), CM_EOVERFLOW);
    ck_assert_untouched(&center);
    ck_assert_untouched(&lcl);
    ck_assert_untouched(&ucl);
}
END_TEST

/* ---- one hand-made series per rule ---------------------------------------- */

START_TEST(rule_seed_threshold_run)
{
    /* Seed: "chat first response above 90 s for three consecutive intervals".
     * Runs strictly above 90: indices 2-4 (95, 100, 92) -> fires at 4;
     * 6-7 (91, 95) is only two; 90 at 8 is not above; 9-12 -> fires at 11, 12. */
    const double frt[] = {60, 80, 95, 100, 92, 70, 91, 95, 90, 120, 130, 140, 150};
    cm_spc_rules r = {0};
    r.enabled = CM_SPC_RULE_ABOVE_THRESHOLD;
    r.threshold = 90.0;
    r.level_run = 3;
    const want w[] = {{4, CM_SPC_RULE_ABOVE_THRESHOLD, 1},
                      {11, CM_SPC_RULE_ABOVE_THRESHOLD, 1},
                      {12, CM_SPC_RULE_ABOVE_THRESHOLD, 1}};
    expect_signals(frt, NELEM(frt), 100.0, 10.0, &r, w, NELEM(w));
    /* level_run 0 means the default, 3. */
    r.level_run = 0;
    expect_signals(frt, NELEM(frt), 100.0, 10.0, &r, w, NELEM(w));
    /* A run of 4 instead: only index 12. */
    r.level_run = 4;
    const want w4[] = {{12, CM_SPC_RULE_ABOVE_THRESHOLD, 1}};
    expect_signals(frt, NELEM(frt), 100.0, 10.0, &r, w4, NELEM(w4));
}
END_TEST

START_TEST(rule_below_threshold)
{
    /* Service level below 80 % for three intervals: 0.79, 0.75, 0.7 -> fires at 3;
     * 0.8 itself is not below. */
    const double sl[] = {0.85, 0.79, 0.75, 0.7, 0.8, 0.6, 0.5};
    cm_spc_rules r = {0};
    r.enabled = CM_SPC_RULE_BELOW_THRESHOLD;
    r.threshold = 0.8;
    const want w[] = {{3, CM_SPC_RULE_BELOW_THRESHOLD, -1}};
    expect_signals(sl, NELEM(sl), 0.85, 0.05, &r, w, NELEM(w));
}
END_TEST

START_TEST(rule_beyond_3sigma)
{
    /* Centre 0, sigma 1: 3.0 is on the limit (not beyond), 3.01 above, -3.5 below. */
    const double xs[] = {0, 3.0, 3.01, -3.5, 2.9};
    cm_spc_rules r = {0};
    r.enabled = CM_SPC_RULE_BEYOND_3SIGMA;
    const want w[] = {{2, CM_SPC_RULE_BEYOND_3SIGMA, 1}, {3, CM_SPC_RULE_BEYOND_3SIGMA, -1}};
    expect_signals(xs, NELEM(xs), 0.0, 1.0, &r, w, NELEM(w));
    /* Scaled: centre 100, sigma 10: 131 above, 69 below. */
    const double ys[] = {100, 131, 69, 129};
    const want w2[] = {{1, CM_SPC_RULE_BEYOND_3SIGMA, 1}, {2, CM_SPC_RULE_BEYOND_3SIGMA, -1}};
    expect_signals(ys, NELEM(ys), 100.0, 10.0, &r, w2, NELEM(w2));
}
END_TEST

START_TEST(rule_2_of_3)
{
    /* Centre 0, sigma 1. Beyond +2: indices 0, 2, 6, 9; beyond -2: 3, 5.
     *   i = 2: beyond +2 and 0 is too (window 0..2)        -> fires +1
     *   i = 3: beyond -2, window 1..3 has only itself       -> no
     *   i = 5: beyond -2, window 3..5 has 3 as well         -> fires -1
     *   i = 6: beyond +2, window 4..6 has only itself       -> no
     *   i = 9: beyond +2, window 7..9 has only itself       -> no
     * 2.0 at index 7 is not beyond. */
    const double xs[] = {2.5, 0, 2.1, -2.5, 0, -2.2, 2.5, 2.0, 1, 2.5};
    cm_spc_rules r = {0};
    r.enabled = CM_SPC_RULE_2_OF_3;
    const want w[] = {{2, CM_SPC_RULE_2_OF_3, 1}, {5, CM_SPC_RULE_2_OF_3, -1}};
    expect_signals(xs, NELEM(xs), 0.0, 1.0, &r, w, NELEM(w));
    /* The pattern point must itself be beyond: {2.5, 2.5, 0} fires at 1 only. */
    const double ys[] = {2.5, 2.5, 0};
    const want w2[] = {{1, CM_SPC_RULE_2_OF_3, 1}};
    expect_signals(ys, NELEM(ys), 0.0, 1.0, &r, w2, NELEM(w2));
}
END_TEST

START_TEST(rule_4_of_5)
{
    /* Centre 0, sigma 1. Beyond +1: 0, 1, 3, 4, 5, 7 (0.5 at 2 and -2 at 6 are not).
     *   i = 3: window 0..3 has 3 of 4                  -> no
     *   i = 4: window 0..4 = 1,1,0,1,1 = 4 of 5         -> fires
     *   i = 5: window 1..5 = 1,0,1,1,1 = 4              -> fires
     *   i = 7: window 3..7 = 1,1,1,0,1 = 4              -> fires */
    const double xs[] = {1.5, 1.2, 0.5, 1.1, 1.3, 1.4, -2, 1.2};
    cm_spc_rules r = {0};
    r.enabled = CM_SPC_RULE_4_OF_5;
    const want w[] = {
        {4, CM_SPC_RULE_4_OF_5, 1}, {5, CM_SPC_RULE_4_OF_5, 1}, {7, CM_SPC_RULE_4_OF_5, 1}};
    expect_signals(xs, NELEM(xs), 0.0, 1.0, &r, w, NELEM(w));
    /* Below: mirror image. */
    double ys[NELEM(xs)];
    for (size_t i = 0; i < NELEM(xs); i++)
        ys[i] = -xs[i];
    const want wd[] = {
        {4, CM_SPC_RULE_4_OF_5, -1}, {5, CM_SPC_RULE_4_OF_5, -1}, {7, CM_SPC_RULE_4_OF_5, -1}};
    expect_signals(ys, NELEM(ys), 0.0, 1.0, &r, wd, NELEM(wd));
}
END_TEST

START_TEST(rule_same_side)
{
    /* Ten points above the centre (0..9), then eight below (10..17): the
     * 8-point run fires at 7, 8, 9 (+1) and 17 (-1). A point on the centre
     * line (index 18) ends a run; 19..26 are above again -> fires at 26. */
    double xs[27];
    for (size_t i = 0; i < 27; i++)
        xs[i] = i < 10 ? 0.5 : i < 18 ? -0.5 : i == 18 ? 0.0 : 0.2;
    cm_spc_rules r = {0};
    r.enabled = CM_SPC_RULE_SAME_SIDE;
    const want w[] = {{7, CM_SPC_RULE_SAME_SIDE, 1},
                      {8, CM_SPC_RULE_SAME_SIDE, 1},
                      {9, CM_SPC_RULE_SAME_SIDE, 1},
                      {17, CM_SPC_RULE_SAME_SIDE, -1},
                      {26, CM_SPC_RULE_SAME_SIDE, 1}};
    expect_signals(xs, 27, 0.0, 1.0, &r, w, NELEM(w));
    /* Nelson's 9-point variant: 8, 9 only (the other runs are 8 long). */
    r.side_run = 9;
    const want w9[] = {{8, CM_SPC_RULE_SAME_SIDE, 1}, {9, CM_SPC_RULE_SAME_SIDE, 1}};
    expect_signals(xs, 27, 0.0, 1.0, &r, w9, NELEM(w9));
}
END_TEST

START_TEST(rule_center_runs)
{
    /* Centre 2.5: above at 2, 4, 5, 6; below at 0, 1, 3.
     * Runs of 3: above fires at 6; no run of 3 below.
     * Runs of 2: above fires at 5, 6; below fires at 1. */
    const double xs[] = {1, 2, 3, 0, 4, 5, 6};
    cm_spc_rules r = {0};
    r.enabled = CM_SPC_RULE_ABOVE_CENTER | CM_SPC_RULE_BELOW_CENTER;
    const want w3[] = {{6, CM_SPC_RULE_ABOVE_CENTER, 1}};
    expect_signals(xs, NELEM(xs), 2.5, 1.0, &r, w3, NELEM(w3));
    r.level_run = 2;
    const want w2[] = {{1, CM_SPC_RULE_BELOW_CENTER, -1},
                       {5, CM_SPC_RULE_ABOVE_CENTER, 1},
                       {6, CM_SPC_RULE_ABOVE_CENTER, 1}};
    expect_signals(xs, NELEM(xs), 2.5, 1.0, &r, w2, NELEM(w2));
}
END_TEST

START_TEST(rules_western_electric_default)
{
    /* Zero-initialised rules: the four Western Electric rules. Centre 0, sigma 1.
     *   0: 3.5  beyond 3 (WE1)
     *   1: 2.5  beyond 2 and 0 is too (WE2)
     *   2: 1.5  beyond 1; window 0..2 has 3 beyond 1 -> not yet 4
     *   3: 1.2  beyond 1; 4 of 4 so far (WE3)
     *   4..7: 0.1 above: run of 8 above the centre ends at 7 (WE4); the
     *         window 0..4 still has 4 beyond 1 but 0.1 itself is not -> no WE3.
     * Within a point, signals come in bit order. */
    const double xs[] = {3.5, 2.5, 1.5, 1.2, 0.1, 0.1, 0.1, 0.1};
    cm_spc_rules r = {0};
    const want w[] = {{0, CM_SPC_RULE_BEYOND_3SIGMA, 1},
                      {1, CM_SPC_RULE_2_OF_3, 1},
                      {3, CM_SPC_RULE_4_OF_5, 1},
                      {7, CM_SPC_RULE_SAME_SIDE, 1}};
    expect_signals(xs, NELEM(xs), 0.0, 1.0, &r, w, NELEM(w));
    /* One point firing two rules: 4.0 after 2.5 is beyond 3 and completes 2 of 3. */
    const double ys[] = {2.5, 4.0};
    const want w2[] = {{1, CM_SPC_RULE_BEYOND_3SIGMA, 1}, {1, CM_SPC_RULE_2_OF_3, 1}};
    expect_signals(ys, NELEM(ys), 0.0, 1.0, &r, w2, NELEM(w2));
}
END_TEST

START_TEST(rules_zero_sigma)
{
    /* Limits from a flat baseline have sigma 0: any point off the centre is beyond. */
    const double base[] = {5, 5, 5};
    cm_spc_limits l;
    ck_assert_status(cm_spc_individuals(base, 3, &l), CM_OK);
    const double xs[] = {5, 5, 5.1};
    cm_spc_rules r = {0};
    cm_spc_signal sig[4];
    size_t count;
    ck_assert_status(cm_spc_evaluate(xs, 3, &l, &r, sig, 4, &count), CM_OK);
    ck_assert_uint_eq(count, 1);
    ck_assert_uint_eq(sig[0].index, 2);
    ck_assert_int_eq(sig[0].rule, CM_SPC_RULE_BEYOND_3SIGMA);
}
END_TEST

START_TEST(p_evaluate_hand)
{
    /* Centre 0.9. p = 0.8 (den 100, sigma 0.03): d = -0.1 < -0.09 -> beyond 3 (-1).
     * p = 0.95 (den 200, sigma 0.0212): d = 0.05 beyond 2 (0.0424) but not 3;
     * 2 of 3 needs another: p = 0.96 (den 200) next -> fires at 3 (+1).
     * p = 0.9 (den 50) at 1 is on the centre line. */
    const uint64_t num[] = {80, 45, 190, 192}, den[] = {100, 50, 200, 200};
    cm_spc_rules r = {0};
    r.enabled = CM_SPC_RULE_BEYOND_3SIGMA | CM_SPC_RULE_2_OF_3;
    cm_spc_signal sig[8];
    size_t count;
    ck_assert_status(cm_spc_p_evaluate(num, den, 4, 0.9, &r, sig, 8, &count), CM_OK);
    ck_assert_uint_eq(count, 2);
    ck_assert_uint_eq(sig[0].index, 0);
    ck_assert_int_eq(sig[0].rule, CM_SPC_RULE_BEYOND_3SIGMA);
    ck_assert_int_eq(sig[0].side, -1);
    ck_assert_uint_eq(sig[1].index, 3);
    ck_assert_int_eq(sig[1].rule, CM_SPC_RULE_2_OF_3);
    ck_assert_int_eq(sig[1].side, 1);
    /* Service level under 80 % for three days (threshold on the proportion). */
    const uint64_t met[] = {85, 79, 150, 70}, offered[] = {100, 100, 200, 100};
    r.enabled = CM_SPC_RULE_BELOW_THRESHOLD;
    r.threshold = 0.8;
    ck_assert_status(cm_spc_p_evaluate(met, offered, 4, 0.85, &r, sig, 8, &count), CM_OK);
    ck_assert_uint_eq(count, 1);
    ck_assert_uint_eq(sig[0].index, 3);
    ck_assert_int_eq(sig[0].rule, CM_SPC_RULE_BELOW_THRESHOLD);
}
END_TEST

/* ---- bad input and buffer sizes ------------------------------------------- */

START_TEST(evaluate_bad_input)
{
    const double xs[] = {1, 5, 9, 12};
    const cm_spc_limits lim = {5, 1, 2, 8, 1.128, 3.685};
    cm_spc_rules r = {0};
    cm_spc_signal sig[4];
    size_t count;
    poison(&sig);
    poison(&count);
    ck_assert_status(cm_spc_evaluate(NULL, 4, &lim, &r, sig, 4, &count), CM_EINVAL);
    ck_assert_status(cm_spc_evaluate(xs, 4, NULL, &r, sig, 4, &count), CM_EINVAL);
    ck_assert_status(cm_spc_evaluate(xs, 4, &lim, NULL, sig, 4, &count), CM_EINVAL);
    ck_assert_status(cm_spc_evaluate(xs, 4, &lim, &r, NULL, 4, &count), CM_EINVAL);
    ck_assert_status(cm_spc_evaluate(xs, 4, &lim, &r, sig, 4, NULL), CM_EINVAL);
    const double nan_series[] = {1, D_NAN, 3};
    ck_assert_status(cm_spc_evaluate(nan_series, 3, &lim, &r, sig, 4, &count), CM_EINVAL);
    const double inf_series[] = {D_INF};
    ck_assert_status(cm_spc_evaluate(inf_series, 1, &lim, &r, sig, 4, &count), CM_EINVAL);
    cm_spc_limits bad = lim;
    bad.sigma = -1;
    ck_assert_status(cm_spc_evaluate(xs, 4, &bad, &r, sig, 4, &count), CM_EINVAL);
    bad.sigma = D_NAN;
    ck_assert_status(cm_spc_evaluate(xs, 4, &bad, &r, sig, 4, &count), CM_EINVAL);
    bad = lim;
    bad.center = D_INF;
    ck_assert_status(cm_spc_evaluate(xs, 4, &bad, &r, sig, 4, &count), CM_EINVAL);
    cm_spc_rules br = r;
    br.enabled = CM_SPC_RULE_EWMA; /* a chart's signal, not a run rule */
    ck_assert_status(cm_spc_evaluate(xs, 4, &lim, &br, sig, 4, &count), CM_EINVAL);
    br.enabled = 0x10000;
    ck_assert_status(cm_spc_evaluate(xs, 4, &lim, &br, sig, 4, &count), CM_EINVAL);
    br = r;
    br.reserved = 1;
    ck_assert_status(cm_spc_evaluate(xs, 4, &lim, &br, sig, 4, &count), CM_EINVAL);
    br = r;
    br.threshold = D_NAN;
    ck_assert_status(cm_spc_evaluate(xs, 4, &lim, &br, sig, 4, &count), CM_EINVAL);
    ck_assert_status(cm_spc_evaluate(xs, 0, &lim, &r, sig, 4, &count), CM_ENODATA);
    ck_assert_status(cm_spc_evaluate(NULL, 0, &lim, &r, sig, 4, &count), CM_ENODATA);
    ck_assert_untouched(&sig);
    ck_assert_untouched(&count);

    /* p-chart evaluator. */
    const uint64_t num[] = {1, 2}, den[] = {10, 10}, over[] = {11, 2}, zero[] = {10, 0};
    ck_assert_status(cm_spc_p_evaluate(NULL, den, 2, 0.1, &r, sig, 4, &count), CM_EINVAL);
    ck_assert_status(cm_spc_p_evaluate(num, NULL, 2, 0.1, &r, sig, 4, &count), CM_EINVAL);
    ck_assert_status(cm_spc_p_evaluate(num, den, 2, 0.1, NULL, sig, 4, &count), CM_EINVAL);
    ck_assert_status(cm_spc_p_evaluate(num, den, 2, 0.1, &r, NULL, 4, &count), CM_EINVAL);
    ck_assert_status(cm_spc_p_evaluate(num, den, 2, 0.1, &r, sig, 4, NULL), CM_EINVAL);
    ck_assert_status(cm_spc_p_evaluate(over, den, 2, 0.1, &r, sig, 4, &count), CM_EINVAL);
    const double bad_center[] = {D_NAN, -0.01, 1.01, D_INF};
    for (size_t i = 0; i < NELEM(bad_center); i++)
        ck_assert_status(cm_spc_p_evaluate(num, den, 2, bad_center[i], &r, sig, 4, &count),
                         CM_EINVAL);
    ck_assert_status(cm_spc_p_evaluate(num, den, 2, 0.1, &br, sig, 4, &count), CM_EINVAL);
    const uint64_t num0[] = {1, 0};
    ck_assert_status(cm_spc_p_evaluate(num0, zero, 2, 0.1, &r, sig, 4, &count), CM_ENODATA);
    ck_assert_status(cm_spc_p_evaluate(num, den, 0, 0.1, &r, sig, 4, &count), CM_ENODATA);
    ck_assert_untouched(&sig);
    ck_assert_untouched(&count);
}
END_TEST

START_TEST(evaluate_no_space)
{
    /* Five points beyond 3 sigma: five signals. */
    const double xs[] = {10, -10, 10, -10, 10};
    const cm_spc_limits lim = {0, 1, -3, 3, 1.128, 3.685};
    cm_spc_rules r = {0};
    r.enabled = CM_SPC_RULE_BEYOND_3SIGMA;
    cm_spc_signal sig[5];
    size_t count = 0;
    poison(&sig);
    ck_assert_status(cm_spc_evaluate(xs, 5, &lim, &r, sig, 4, &count), CM_ENOSPC);
    ck_assert_uint_eq(count, 5);
    ck_assert_untouched(&sig);
    /* A size query: no array at all. */
    count = 0;
    ck_assert_status(cm_spc_evaluate(xs, 5, &lim, &r, NULL, 0, &count), CM_ENOSPC);
    ck_assert_uint_eq(count, 5);
    ck_assert_status(cm_spc_evaluate(xs, 5, &lim, &r, sig, 5, &count), CM_OK);
    ck_assert_uint_eq(count, 5);
    ck_assert_int_eq(sig[4].side, 1);
    /* No signal: OK with count 0, even without an array. */
    const double calm[] = {0.1, -0.1};
    ck_assert_status(cm_spc_evaluate(calm, 2, &lim, &r, NULL, 0, &count), CM_OK);
    ck_assert_uint_eq(count, 0);
    const uint64_t num[] = {0, 10, 0}, den[] = {10, 10, 10};
    ck_assert_status(cm_spc_p_evaluate(num, den, 3, 0.5, &r, NULL, 0, &count), CM_ENOSPC);
    ck_assert_uint_eq(count, 3);
}
END_TEST

/* ---- property: the evaluator agrees with the rule definitions ------------- */

/* Brute force, straight from docs/spc.md: every window recounted at every point. */
static size_t reference(const double *xs, size_t n, double c, double sd, uint32_t side_run,
                        uint32_t level_run, double thr, want *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const double d = xs[i] - c;
        if (d > 3 * sd || d < -3 * sd)
            out[k++] = (want){i, CM_SPC_RULE_BEYOND_3SIGMA, d > 0 ? 1 : -1};
        for (int side = 1; side >= -1; side -= 2) {
            size_t hits = 0;
            for (size_t j = i >= 2 ? i - 2 : 0; j <= i; j++)
                hits += side * (xs[j] - c) > 2 * sd;
            if (side * d > 2 * sd && hits >= 2)
                out[k++] = (want){i, CM_SPC_RULE_2_OF_3, side};
        }
        for (int side = 1; side >= -1; side -= 2) {
            size_t hits = 0;
            for (size_t j = i >= 4 ? i - 4 : 0; j <= i; j++)
                hits += side * (xs[j] - c) > sd;
            if (side * d > sd && hits >= 4)
                out[k++] = (want){i, CM_SPC_RULE_4_OF_5, side};
        }
        /* runs: all of the last N points satisfy the condition */
#define RUN(cond, len, result)                                           \
    do {                                                                 \
        bool all_ = i + 1 >= (len);                                      \
        for (size_t j = i + 1 - (all_ ? (len) : 0); all_ && j <= i; j++) \
            all_ = (cond);                                               \
        if (all_)                                                        \
            out[k++] = (result);                                         \
    } while (0)
        RUN(xs[j] > c, side_run, ((want){i, CM_SPC_RULE_SAME_SIDE, 1}));
        RUN(xs[j] < c, side_run, ((want){i, CM_SPC_RULE_SAME_SIDE, -1}));
        RUN(xs[j] > c, level_run, ((want){i, CM_SPC_RULE_ABOVE_CENTER, 1}));
        RUN(xs[j] < c, level_run, ((want){i, CM_SPC_RULE_BELOW_CENTER, -1}));
        RUN(xs[j] > thr, level_run, ((want){i, CM_SPC_RULE_ABOVE_THRESHOLD, 1}));
        RUN(xs[j] < thr, level_run, ((want){i, CM_SPC_RULE_BELOW_THRESHOLD, -1}));
        /* Nelson 3, 4, 7, 8: the first point of a window needs no step before it. */
        const size_t w6 = i + 1 - (i + 1 >= 6 ? 6 : 0), w14 = i + 1 - (i + 1 >= 14 ? 14 : 0);
        RUN(j == w6 || xs[j] > xs[j - 1], 6, ((want){i, CM_SPC_RULE_TREND, 1}));
        RUN(j == w6 || xs[j] < xs[j - 1], 6, ((want){i, CM_SPC_RULE_TREND, -1}));
        RUN(j == w14 || (xs[j] != xs[j - 1] &&
                         (j == w14 + 1 || (xs[j] - xs[j - 1]) * (xs[j - 1] - xs[j - 2]) < 0)),
            14, ((want){i, CM_SPC_RULE_ALTERNATING, 0}));
        RUN(fabs(xs[j] - c) <= sd, 15, ((want){i, CM_SPC_RULE_STRATIFICATION, 0}));
        if (i + 1 >= 8) {
            bool all = true, up = false, down = false;
            for (size_t j = i - 7; j <= i; j++) {
                all = all && fabs(xs[j] - c) > sd;
                up = up || xs[j] - c > sd;
                down = down || xs[j] - c < -sd;
            }
            if (all && up && down)
                out[k++] = (want){i, CM_SPC_RULE_MIXTURE, 0};
        }
#undef RUN
    }
    return k;
}

START_TEST(evaluate_matches_definitions)
{
    test_rng r = test_rng_make("evaluate_matches_definitions");
    static double xs[400];
    static want ref[400 * 14];
    static cm_spc_signal sig[400 * 14];
    uint32_t seen = 0; /* every rule must have fired somewhere */
    for (int round = 0; round < 500; round++) {
        const size_t n = 1 + (size_t)rng_below(&r, 400);
        /* Small integers around the centre, so that ties with the centre,
         * the threshold and the zone edges all occur. */
        const double drift = (double)rng_below(&r, 3);
        const uint64_t mode = rng_below(&r, 4);
        for (size_t i = 0; i < n; i++) {
            if (mode == 1) /* narrow: stratification */
                xs[i] = (double)rng_below(&r, 3) - 1.0;
            else if (mode == 2) /* saw teeth: trends, with ties now and then */
                xs[i] = (double)(i % 8) - 4.0 + (double)rng_below(&r, 2) * 0.5;
            else if (mode == 3) /* zigzag, sometimes broken: alternation and mixture */
                xs[i] = (i % 2 ? 3.0 : -3.0) + (rng_below(&r, 20) == 0 ? 3.0 : 0.0);
            else
                xs[i] = (double)rng_below(&r, 9) - 4.0 + (i > n / 2 ? drift : 0.0);
        }
        cm_spc_rules rules = {0};
        rules.enabled = CM_SPC_RULES_ALL;
        rules.side_run = 1 + (uint32_t)rng_below(&r, 10);
        rules.level_run = 1 + (uint32_t)rng_below(&r, 5);
        rules.threshold = (double)rng_below(&r, 5) - 2.0;
        const double sd = (double)rng_below(&r, 3) * 0.5; /* 0, 0.5 or 1 */
        const cm_spc_limits lim = {0.0, sd, 0, 0, 0, 0};
        size_t count;
        ck_assert_status(cm_spc_evaluate(xs, n, &lim, &rules, sig, NELEM(sig), &count), CM_OK);
        const size_t nref =
            reference(xs, n, 0.0, sd, rules.side_run, rules.level_run, rules.threshold, ref);
        ck_assert_uint_eq(count, nref);
        /* Counted, then asserted once: a passing Check assertion costs a pipe write. */
        size_t differ = 0;
        for (size_t i = 0; i < count; i++) {
            differ += sig[i].index != ref[i].index || sig[i].rule != ref[i].rule ||
                      sig[i].side != ref[i].side;
            seen |= (uint32_t)sig[i].rule;
        }
        ck_assert_msg(differ == 0, "round %d: %zu signals differ", round, differ);
    }
    ck_assert_uint_eq(seen, CM_SPC_RULES_ALL);
}
END_TEST

START_TEST(spc_sizeof_matches)
{
    ck_assert_uint_eq(cm_spc_sizeof("cm_spc_limits"), sizeof(cm_spc_limits));
    ck_assert_uint_eq(cm_spc_sizeof("cm_spc_rules"), sizeof(cm_spc_rules));
    ck_assert_uint_eq(cm_spc_sizeof("cm_spc_signal"), sizeof(cm_spc_signal));
    ck_assert_uint_eq(cm_spc_sizeof("cm_spc_xmr_options"), sizeof(cm_spc_xmr_options));
    ck_assert_uint_eq(cm_spc_sizeof("cm_spc_ewma_params"), sizeof(cm_spc_ewma_params));
    ck_assert_uint_eq(cm_spc_sizeof("cm_spc_cusum_params"), sizeof(cm_spc_cusum_params));
    ck_assert_uint_eq(cm_spc_sizeof("cm_nothing"), 0);
    ck_assert_uint_eq(cm_spc_sizeof(NULL), 0);
}
END_TEST

/* ---- Nelson rules by hand ------------------------------------------------- */

START_TEST(rule_nelson_hand)
{
    cm_spc_rules r = {0};
    /* Trend: 0 1 2 3 4 5 rises five times: the 6th point (index 5) fires,
     * and index 6 (6) again; the tie 6 6 ends it; 6 5 4 3 2 1 falls five
     * times from index 8: fires at index 13. */
    r.enabled = CM_SPC_RULE_TREND;
    const double trend[] = {0, 1, 2, 3, 4, 5, 6, 6, 5, 4, 3, 2, 1, 0};
    const want wt[] = {{5, CM_SPC_RULE_TREND, 1},
                       {6, CM_SPC_RULE_TREND, 1},
                       {12, CM_SPC_RULE_TREND, -1},
                       {13, CM_SPC_RULE_TREND, -1}};
    expect_signals(trend, NELEM(trend), 0, 100, &r, wt, NELEM(wt));
    /* Alternating: 14 points up, down, up... fire at index 13 and 14; a
     * repeated value (index 15) ends the run. */
    r.enabled = CM_SPC_RULE_ALTERNATING;
    double zig[16];
    for (size_t i = 0; i < 15; i++)
        zig[i] = i % 2 ? 1.0 : -1.0;
    zig[15] = zig[14];
    const want wa[] = {{13, CM_SPC_RULE_ALTERNATING, 0}, {14, CM_SPC_RULE_ALTERNATING, 0}};
    expect_signals(zig, 16, 0, 100, &r, wa, NELEM(wa));
    /* Stratification: 15 points within 1 sigma (a point exactly on 1 sigma
     * is within); the 16th point at 1.5 sigma ends it. */
    r.enabled = CM_SPC_RULE_STRATIFICATION;
    double flat[16];
    for (size_t i = 0; i < 15; i++)
        flat[i] = i % 3 == 0 ? 1.0 : -0.5;
    flat[15] = 1.5;
    const want ws[] = {{14, CM_SPC_RULE_STRATIFICATION, 0}};
    expect_signals(flat, 16, 0, 1, &r, ws, NELEM(ws));
    /* Mixture: 8 points beyond 1 sigma, both sides: fires at index 7; eight
     * points all above 1 sigma (indices 9..16) do not. */
    r.enabled = CM_SPC_RULE_MIXTURE;
    const double mix[] = {2, -2, 1.5, 2, -1.5, 2, 2, 2, 0, 2, 2, 2, 2, 2, 2, 2, 2};
    const want wm[] = {{7, CM_SPC_RULE_MIXTURE, 0}};
    expect_signals(mix, NELEM(mix), 0, 1, &r, wm, NELEM(wm));
}
END_TEST

/* ---- XmR with a median sigma, points left out, revised limits -------------- */

START_TEST(individuals_ex_hand)
{
    /* {10, 12, 11, 13, 12, 30}: moving ranges 2, 1, 2, 1, 18, median 2;
     * sigma 2 / 0.954; MR UCL 3.865 * 2 = 7.73; centre 88 / 6. */
    const double xs[] = {10, 12, 11, 13, 12, 30};
    double scratch[6];
    cm_spc_limits l;
    cm_spc_xmr_options o = {CM_SPC_SIGMA_MR_MEDIAN, 0};
    ck_assert_status(cm_spc_individuals_ex(xs, 6, &o, NULL, scratch, 6, &l), CM_OK);
    ck_assert_rel(l.center, 88.0 / 6.0, TOL);
    ck_assert_rel(l.mr_bar, 2.0, TOL);
    ck_assert_rel(l.sigma, 2.0 / 0.954, TOL);
    ck_assert_rel(l.mr_ucl, 7.73, TOL);
    ck_assert_rel(l.ucl, 88.0 / 6.0 + 6.0 / 0.954, TOL);
    /* NULL options: the same as cm_spc_individuals. */
    cm_spc_limits a, b;
    ck_assert_status(cm_spc_individuals(xs, 6, &a), CM_OK);
    ck_assert_status(cm_spc_individuals_ex(xs, 6, NULL, NULL, NULL, 0, &b), CM_OK);
    ck_assert_mem_eq(&a, &b, sizeof a);
    /* Left out by the caller: index 2 (11). Kept 10, 12, 13, 12, 30: mean 77 / 5;
     * ranges of kept neighbours: |12-10| = 2, |12-13| = 1, |30-12| = 18:
     * mean 21 / 3 = 7 (13 - 11 and 11 - 12 are gone). */
    uint8_t ex[6] = {0, 0, 7, 0, 0, 0};
    o.sigma_method = CM_SPC_SIGMA_MR_MEAN;
    ck_assert_status(cm_spc_individuals_ex(xs, 6, &o, ex, NULL, 0, &l), CM_OK);
    ck_assert_rel(l.center, 77.0 / 5.0, TOL);
    ck_assert_rel(l.mr_bar, 7.0, TOL);
    ck_assert_uint_eq(ex[2], 1); /* normalised */
    /* Revision. {10,12,11,13,12,10,12,11,13,12,40}: round 1: mean 156 / 11 =
     * 14.18..., ranges 2,1,2,1,2,2,1,2,1,28: MRbar 42 / 10 = 4.2, sigma
     * 3.7234, UCL 25.35: 40 is dropped. Round 2: ten points, mean 11.6,
     * ranges 2,1,2,1,2,2,1,2,1 = 14 / 9, UCL 11.6 + 3 (14/9)/1.128 = 15.737:
     * nothing beyond. */
    const double rv[] = {10, 12, 11, 13, 12, 10, 12, 11, 13, 12, 40};
    uint8_t drop[11] = {0};
    o.max_rounds = 5;
    ck_assert_status(cm_spc_individuals_ex(rv, 11, &o, drop, NULL, 0, &l), CM_OK);
    ck_assert_rel(l.center, 11.6, TOL);
    ck_assert_rel(l.mr_bar, 14.0 / 9.0, TOL);
    for (size_t i = 0; i < 10; i++)
        ck_assert_uint_eq(drop[i], 0);
    ck_assert_uint_eq(drop[10], 2);
    /* A round that would leave no two kept neighbours is not made. {31, 35,
     * 29, 33, 36, 30, 34, 32, 35, 31, 240, 33, 30}: mean 629 / 13 = 48.38,
     * median moving range 4, sigma 4 / 0.954: limits 35.8 .. 60.96 leave only
     * the 36 (index 4) inside; the round is undone. */
    const double asa[] = {31, 35, 29, 33, 36, 30, 34, 32, 35, 31, 240, 33, 30};
    uint8_t none[13] = {0};
    double sc[13];
    const cm_spc_xmr_options med = {CM_SPC_SIGMA_MR_MEDIAN, 5};
    ck_assert_status(cm_spc_individuals_ex(asa, 13, &med, none, sc, 13, &l), CM_OK);
    ck_assert_rel(l.center, 629.0 / 13.0, TOL);
    ck_assert_rel(l.sigma, 4.0 / 0.954, TOL);
    for (size_t i = 0; i < 13; i++)
        ck_assert_uint_eq(none[i], 0);
    /* max_rounds 1 stops after the first drop; the limits are recomputed. */
    memset(drop, 0, sizeof drop);
    o.max_rounds = 1;
    ck_assert_status(cm_spc_individuals_ex(rv, 11, &o, drop, NULL, 0, &l), CM_OK);
    ck_assert_rel(l.center, 11.6, TOL);
}
END_TEST

START_TEST(individuals_ex_bad_input)
{
    const double xs[] = {1, 2, 3}, nan[] = {1, D_NAN, 3};
    double scratch[3];
    uint8_t ex[3] = {0, 0, 0};
    cm_spc_limits l;
    poison(&l);
    cm_spc_xmr_options o = {2, 0};
    ck_assert_status(cm_spc_individuals_ex(xs, 3, &o, NULL, NULL, 0, &l), CM_EINVAL);
    o.sigma_method = CM_SPC_SIGMA_MR_MEDIAN;
    ck_assert_status(cm_spc_individuals_ex(xs, 3, &o, NULL, NULL, 0, &l), CM_EINVAL);
    ck_assert_status(cm_spc_individuals_ex(xs, 3, &o, NULL, scratch, 2, &l), CM_EINVAL);
    o.sigma_method = CM_SPC_SIGMA_MR_MEAN;
    o.max_rounds = 1;
    ck_assert_status(cm_spc_individuals_ex(xs, 3, &o, NULL, NULL, 0, &l), CM_EINVAL);
    ck_assert_status(cm_spc_individuals_ex(nan, 3, &o, ex, NULL, 0, &l), CM_EINVAL);
    ck_assert_status(cm_spc_individuals_ex(NULL, 3, &o, ex, NULL, 0, &l), CM_EINVAL);
    ck_assert_status(cm_spc_individuals_ex(xs, 3, &o, ex, NULL, 0, NULL), CM_EINVAL);
    /* No two kept neighbours: {kept, out, kept}. The mask is not normalised. */
    uint8_t gap[3] = {0, 9, 0};
    ck_assert_status(cm_spc_individuals_ex(xs, 3, &o, gap, NULL, 0, &l), CM_ENODATA);
    ck_assert_uint_eq(gap[1], 9);
    ck_assert_status(cm_spc_individuals_ex(xs, 1, NULL, NULL, NULL, 0, &l), CM_ENODATA);
    const double big[] = {-1.5e308, 1.5e308};
    ck_assert_status(cm_spc_individuals_ex(big, 2, NULL, NULL, NULL, 0, &l), CM_EOVERFLOW);
    ck_assert_untouched(&l);
}
END_TEST

/* ---- EWMA and CUSUM: Montgomery's examples ------------------------------- */

/* Montgomery, Introduction to Statistical Quality Control, examples 9.1 and
 * 9.2: mu0 = 10, sigma = 1; the first 20 points from N(10, 1), the last 10
 * from N(11, 1). */
static const double montgomery[30] = {9.45,  7.99,  9.29,  11.66, 12.16, 10.18, 8.04,  11.46,
                                      9.20,  10.34, 9.03,  11.47, 10.51, 9.40,  10.08, 9.37,
                                      10.62, 10.31, 8.52,  10.84, 10.90, 9.33,  12.29, 11.50,
                                      10.60, 11.08, 10.38, 11.62, 11.31, 10.52};

START_TEST(cusum_montgomery)
{
    /* k = 1/2, h = 5: C+ first exceeds H = 5 at period 29 (C+ = 5.28) and
     * again at 30 (5.30); C- never does (textbook table 9.2). */
    const cm_spc_cusum_params p = {10, 1, 0.5, 5};
    double cp[30], cmn[30];
    cm_spc_signal sig[8];
    size_t count;
    ck_assert_status(cm_spc_cusum(montgomery, 30, &p, cp, cmn, sig, 8, &count), CM_OK);
    ck_assert_uint_eq(count, 2);
    ck_assert_uint_eq(sig[0].index, 28);
    ck_assert_int_eq(sig[0].rule, CM_SPC_RULE_CUSUM);
    ck_assert_int_eq(sig[0].side, 1);
    ck_assert_uint_eq(sig[1].index, 29);
    ck_assert_close(cp[28], 5.28, 1e-12);
    ck_assert_close(cp[29], 5.30, 1e-12);
    /* Period 1: C+ = max(0, 9.45 - 10.5) = 0, C- = max(0, 9.5 - 9.45) = 0.05;
     * period 2: C- = 0.05 + 9.5 - 7.99 = 1.56. */
    ck_assert_double_eq(cp[0], 0.0);
    ck_assert_close(cmn[0], 0.05, 1e-12);
    ck_assert_close(cmn[1], 1.56, 1e-12);
}
END_TEST

START_TEST(ewma_montgomery)
{
    /* lambda = 0.1, L = 2.7: limits 10 ± 2.7 sqrt(0.1/1.9 (1 - 0.9^(2i))):
     * period 1: ± 2.7 sqrt(0.01) = ± 0.27; period 2: ± 2.7 sqrt(0.0181);
     * z_1 = 0.1 * 9.45 + 0.9 * 10 = 9.945, z_2 = 0.1 * 7.99 + 0.9 * 9.945 =
     * 9.7495. The chart signals at periods 29 and 30 (z = 10.6468 and
     * 10.6341 above the UCL of about 10.6187). */
    const cm_spc_ewma_params p = {10, 1, 0.1, 2.7};
    double z[30], lo[30], hi[30];
    cm_spc_signal sig[8];
    size_t count;
    ck_assert_status(cm_spc_ewma(montgomery, 30, &p, z, lo, hi, sig, 8, &count), CM_OK);
    ck_assert_close(z[0], 9.945, 1e-12);
    ck_assert_close(z[1], 9.7495, 1e-12);
    ck_assert_close(hi[0], 10.27, 1e-12);
    ck_assert_close(lo[0], 9.73, 1e-12);
    ck_assert_close(hi[1], 10.0 + 2.7 * sqrt(0.0181), 1e-12);
    /* Far from the start the limits approach 10 ± 2.7 sqrt(0.1 / 1.9). */
    ck_assert_close(hi[29], 10.0 + 2.7 * sqrt(0.1 / 1.9 * (1.0 - pow(0.9, 60))), 1e-12);
    ck_assert_uint_eq(count, 2);
    ck_assert_uint_eq(sig[0].index, 28);
    ck_assert_int_eq(sig[0].rule, CM_SPC_RULE_EWMA);
    ck_assert_int_eq(sig[0].side, 1);
    ck_assert_uint_eq(sig[1].index, 29);
    /* lambda = 1 is the Shewhart chart: z = x, limits ± L sigma. */
    const cm_spc_ewma_params shew = {0, 1, 1, 3};
    const double xs[] = {1, -3.5, 2.9};
    ck_assert_status(cm_spc_ewma(xs, 3, &shew, z, lo, hi, sig, 8, &count), CM_OK);
    ck_assert_double_eq(z[1], -3.5);
    ck_assert_double_eq(hi[2], 3.0);
    ck_assert_uint_eq(count, 1);
    ck_assert_int_eq(sig[0].side, -1);
}
END_TEST

START_TEST(run_lengths_sustained_shift)
{
    /* A noiseless shift of delta sigma from the first point. CUSUM: C+ grows
     * by delta - k per point and signals at the first i with i (delta - k) > h,
     * i = floor(h / (delta - k)) + 1: delta = 1, k = 0.5, h = 5 -> 11 (at 10,
     * C+ = 5 is not above 5); delta = 2 -> floor(5 / 1.5) + 1 = 4. */
    double xs[40];
    cm_spc_signal sig[80];
    size_t count;
    for (size_t i = 0; i < 40; i++)
        xs[i] = 1.0;
    const cm_spc_cusum_params c = {0, 1, 0.5, 5};
    ck_assert_status(cm_spc_cusum(xs, 40, &c, NULL, NULL, sig, 80, &count), CM_OK);
    ck_assert_uint_eq(sig[0].index + 1, 11);
    for (size_t i = 0; i < 40; i++)
        xs[i] = 2.0;
    ck_assert_status(cm_spc_cusum(xs, 40, &c, NULL, NULL, sig, 80, &count), CM_OK);
    ck_assert_uint_eq(sig[0].index + 1, 4);
    /* EWMA: z_i = delta (1 - 0.9^i) against 2.7 sqrt(0.1/1.9 (1 - 0.81^i)),
     * evaluated with mpmath at 30 digits for delta = 1: i = 7 gives 0.521703
     * < 0.543976, i = 8 gives 0.569533 > 0.559095: run length 8. */
    for (size_t i = 0; i < 40; i++)
        xs[i] = 1.0;
    const cm_spc_ewma_params e = {0, 1, 0.1, 2.7};
    ck_assert_status(cm_spc_ewma(xs, 40, &e, NULL, NULL, NULL, sig, 80, &count), CM_OK);
    ck_assert_uint_eq(sig[0].index + 1, 8);
}
END_TEST

/* A standard normal variate (Box-Muller; rng_unit is in [0, 1)). */
static double normal(test_rng *r)
{
    const double u = 1.0 - rng_unit(r), v = rng_unit(r);
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* Mean run length to the first CUSUM signal over `runs` simulated series of
 * N(shift, 1) points, and its standard error. A series is drawn 256 points at
 * a time and the chart rerun over the longer series until it signals. */
static void cusum_arl(test_rng *r, double shift, double h, int runs, double *arl, double *se)
{
    enum { LEN = 1 << 14 };
    static double xs[LEN];
    static cm_spc_signal sig[2 * LEN];
    const cm_spc_cusum_params p = {0, 1, 0.5, h};
    double sum = 0, sq = 0;
    for (int k = 0; k < runs; k++) {
        size_t len = 0, count = 0;
        while (count == 0) {
            ck_assert_uint_lt(len, LEN); /* P(no signal in 16384 points) < 1e-15 */
            const size_t more = len < 256 ? 256 : len;
            for (size_t i = len; i < len + more; i++)
                xs[i] = shift + normal(r);
            len += more;
            ck_assert_status(cm_spc_cusum(xs, len, &p, NULL, NULL, sig, NELEM(sig), &count), CM_OK);
        }
        const size_t first = sig[0].index;
        const double rl = (double)(first + 1);
        sum += rl;
        sq += rl * rl;
    }
    *arl = sum / runs;
    *se = sqrt((sq / runs - *arl * *arl) / runs);
}

START_TEST(cusum_average_run_lengths)
{
    /* Montgomery, table 9.3 (two-sided tabular CUSUM, k = 1/2): h = 4: ARL
     * 168 in control and 8.38 for a 1-sigma shift; h = 5: 465 and 10.4.
     * Simulated, accepted within 4 standard errors of the estimate. */
    test_rng r = test_rng_make("cusum_average_run_lengths");
    const struct {
        double shift, h, want;
        int runs;
    } cases[] = {{0, 4, 168, 2000}, {0, 5, 465, 2000}, {1, 4, 8.38, 2000}, {1, 5, 10.4, 2000}};
    for (size_t i = 0; i < NELEM(cases); i++) {
        double arl, se;
        cusum_arl(&r, cases[i].shift, cases[i].h, cases[i].runs, &arl, &se);
        ck_assert_msg(fabs(arl - cases[i].want) <= 4 * se,
                      "shift %g, h %g: ARL %.2f (se %.2f), textbook %.2f", cases[i].shift,
                      cases[i].h, arl, se, cases[i].want);
    }
}
END_TEST

START_TEST(ewma_cusum_bad_input)
{
    const double xs[] = {1, 2, 3}, nan[] = {1, D_NAN, 3};
    double a[3], b[3], c[3];
    cm_spc_signal sig[4];
    size_t count;
    poison(&a);
    poison(&b);
    poison(&c);
    poison(&sig);
    poison(&count);
    const cm_spc_ewma_params e = {0, 1, 0.2, 3};
    ck_assert_status(cm_spc_ewma(NULL, 3, &e, a, b, c, sig, 4, &count), CM_EINVAL);
    ck_assert_status(cm_spc_ewma(xs, 3, NULL, a, b, c, sig, 4, &count), CM_EINVAL);
    ck_assert_status(cm_spc_ewma(xs, 3, &e, a, b, c, NULL, 4, &count), CM_EINVAL);
    ck_assert_status(cm_spc_ewma(xs, 3, &e, a, b, c, sig, 4, NULL), CM_EINVAL);
    ck_assert_status(cm_spc_ewma(nan, 3, &e, a, b, c, sig, 4, &count), CM_EINVAL);
    const double bad_lambda[] = {0.0, -0.1, 1.0000001, D_NAN, D_INF};
    for (size_t i = 0; i < NELEM(bad_lambda); i++) {
        cm_spc_ewma_params q = e;
        q.lambda = bad_lambda[i];
        ck_assert_status(cm_spc_ewma(xs, 3, &q, a, b, c, sig, 4, &count), CM_EINVAL);
    }
    cm_spc_ewma_params q = e;
    q.width = 0;
    ck_assert_status(cm_spc_ewma(xs, 3, &q, a, b, c, sig, 4, &count), CM_EINVAL);
    q = e;
    q.sigma = -1;
    ck_assert_status(cm_spc_ewma(xs, 3, &q, a, b, c, sig, 4, &count), CM_EINVAL);
    q = e;
    q.center = D_NAN;
    ck_assert_status(cm_spc_ewma(xs, 3, &q, a, b, c, sig, 4, &count), CM_EINVAL);
    ck_assert_status(cm_spc_ewma(xs, 0, &e, a, b, c, sig, 4, &count), CM_ENODATA);
    const double far[] = {10, 10, 10};
    ck_assert_status(cm_spc_ewma(far, 3, &e, a, b, c, sig, 2, &count), CM_ENOSPC);
    ck_assert_uint_eq(count, 3);
    poison(&count);
    const double huge[] = {1.7e308, 1.7e308};
    q = e;
    q.sigma = 1e308; /* 3 sigma is past DBL_MAX */
    ck_assert_status(cm_spc_ewma(huge, 2, &q, a, b, c, sig, 4, &count), CM_EOVERFLOW);

    const cm_spc_cusum_params k = {0, 1, 0.5, 4};
    ck_assert_status(cm_spc_cusum(NULL, 3, &k, a, b, sig, 4, &count), CM_EINVAL);
    ck_assert_status(cm_spc_cusum(xs, 3, NULL, a, b, sig, 4, &count), CM_EINVAL);
    ck_assert_status(cm_spc_cusum(xs, 3, &k, a, b, NULL, 4, &count), CM_EINVAL);
    ck_assert_status(cm_spc_cusum(xs, 3, &k, a, b, sig, 4, NULL), CM_EINVAL);
    ck_assert_status(cm_spc_cusum(nan, 3, &k, a, b, sig, 4, &count), CM_EINVAL);
    cm_spc_cusum_params kk = k;
    kk.k = -0.5;
    ck_assert_status(cm_spc_cusum(xs, 3, &kk, a, b, sig, 4, &count), CM_EINVAL);
    kk = k;
    kk.h = -1;
    ck_assert_status(cm_spc_cusum(xs, 3, &kk, a, b, sig, 4, &count), CM_EINVAL);
    kk = k;
    kk.h = D_NAN;
    ck_assert_status(cm_spc_cusum(xs, 3, &kk, a, b, sig, 4, &count), CM_EINVAL);
    kk = k;
    kk.sigma = -1;
    ck_assert_status(cm_spc_cusum(xs, 3, &kk, a, b, sig, 4, &count), CM_EINVAL);
    ck_assert_status(cm_spc_cusum(xs, 0, &k, a, b, sig, 4, &count), CM_ENODATA);
    ck_assert_status(cm_spc_cusum(far, 3, &k, a, b, sig, 2, &count), CM_ENOSPC);
    ck_assert_uint_eq(count, 3);
    poison(&count);
    const double swing[] = {1.7e308, 1.7e308};
    ck_assert_status(cm_spc_cusum(swing, 2, &k, a, b, sig, 4, &count), CM_EOVERFLOW);
    ck_assert_untouched(&a);
    ck_assert_untouched(&b);
    ck_assert_untouched(&c);
    ck_assert_untouched(&sig);
    ck_assert_untouched(&count);
}
END_TEST

/* ---- Laney p' ------------------------------------------------------------ */

START_TEST(laney_hand)
{
    /* 50, 60, 40, 50 of 100 each: pbar = 0.5, sigma_i = 0.05, z = 0, 2, -2,
     * 0; moving ranges 2, 4, 2: sigma_z = (8/3) / 1.128; limits
     * 0.5 ± 3 * 0.05 * sigma_z = 0.5 ± 0.4 / 1.128. */
    const uint64_t num[] = {50, 60, 40, 50}, den[] = {100, 100, 100, 100};
    double c, sz, lcl[4], ucl[4];
    ck_assert_status(cm_spc_laney_p_chart(num, den, 4, &c, &sz, lcl, ucl), CM_OK);
    ck_assert_double_eq(c, 0.5);
    ck_assert_rel(sz, 8.0 / 3.0 / 1.128, TOL);
    ck_assert_rel(ucl[0], 0.5 + 0.4 / 1.128, TOL);
    ck_assert_rel(lcl[3], 0.5 - 0.4 / 1.128, TOL);
    /* Unequal denominators: 30 of 100 and 90 of 200 and 45 of 100: pbar =
     * 165 / 400 = 0.4125; sigma_i = sqrt(0.4125 * 0.5875 / den). */
    const uint64_t n2[] = {30, 90, 45}, d2[] = {100, 200, 100};
    ck_assert_status(cm_spc_laney_p_chart(n2, d2, 3, &c, &sz, lcl, ucl), CM_OK);
    const double v = 0.4125 * 0.5875;
    const double z0 = (0.30 - 0.4125) / sqrt(v / 100), z1 = (0.45 - 0.4125) / sqrt(v / 200),
                 z2 = (0.45 - 0.4125) / sqrt(v / 100);
    const double want_sz = (fabs(z1 - z0) + fabs(z2 - z1)) / 2.0 / 1.128;
    ck_assert_rel(c, 0.4125, TOL);
    ck_assert_rel(sz, want_sz, TOL);
    ck_assert_rel(ucl[1], 0.4125 + 3.0 * sqrt(v / 200) * want_sz, TOL);
    /* The evaluator: p = 0.5 at centre 0.5 with sigma_z 2 is quiet; 0.9 with
     * limits 0.5 ± 3 * 0.05 * 2 = 0.5 ± 0.3 is beyond. */
    const uint64_t en[] = {50, 90}, ed[] = {100, 100};
    cm_spc_rules r = {0};
    r.enabled = CM_SPC_RULE_BEYOND_3SIGMA;
    cm_spc_signal sig[4];
    size_t count;
    ck_assert_status(cm_spc_laney_p_evaluate(en, ed, 2, 0.5, 2.0, &r, sig, 4, &count), CM_OK);
    ck_assert_uint_eq(count, 1);
    ck_assert_uint_eq(sig[0].index, 1);
    /* With sigma_z 3 the limit is 0.95: quiet. */
    ck_assert_status(cm_spc_laney_p_evaluate(en, ed, 2, 0.5, 3.0, &r, sig, 4, &count), CM_OK);
    ck_assert_uint_eq(count, 0);
    /* All at the extreme: limits collapse. */
    const uint64_t all[] = {10, 20}, alld[] = {10, 20};
    ck_assert_status(cm_spc_laney_p_chart(all, alld, 2, &c, &sz, lcl, ucl), CM_OK);
    ck_assert_double_eq(c, 1.0);
    ck_assert_double_eq(sz, 0.0);
    ck_assert_double_eq(lcl[1], 1.0);
}
END_TEST

/*
 * A published data set with a third party's published chart. The data:
 * weekly attendances at the NHS's major accident and emergency departments
 * (den) and those seen within four hours (num), 20 weeks, from M. A.
 * Mohammed, J. J. Panesar, D. B. Laney, R. Wilson, "Statistical process
 * control charts for attribute data involving very large sample sizes: a
 * review of problems and solutions", BMJ Quality & Safety 22 (2013) 362-368,
 * doi:10.1136/bmjqs-2012-001373; shipped as the nhs_accidents data set of
 * the R package qicharts2 (J. Anhøj, https://github.com/anhoej/qicharts2,
 * whose vignette draws its P' chart).
 *
 * The expected figures are qicharts2 0.8.1's P' chart (qic(chart = "pp"),
 * sigma_z = mean moving range of z / 1.128, moving ranges not screened) on
 * that data, printed to 17 significant digits in the file
 * test/fixtures/qicharts2.ts of PowerBI-SPC
 * (https://github.com/AUS-DOH-Safety-and-Quality/PowerBI-SPC, commit
 * d4bb4f6da41e163e8fb1fb0975ab4d9328120463), cases
 * "nhs pp" (all 20 weeks: "targets" = centre, "ll99"/"ul99" = 3-sigma
 * limits) and "nhs pp part 10" (weeks 1-10 and 11-20 as two charts).
 * qicharts2 prints no sigma_z; its limits carry it. Each figure is asserted
 * to half a unit in its 17th significant digit, the precision printed.
 */
static const uint64_t nhs_seen[20] = {266501, 264225, 276532, 281461, 269071, 261215, 270409,
                                      279778, 270483, 270320, 267923, 271478, 255353, 256820,
                                      261835, 259144, 255910, 260863, 264465, 260989};
static const uint64_t nhs_all[20] = {280443, 276823, 291681, 296155, 282343, 275888, 283867,
                                     295251, 284468, 282529, 279618, 283932, 266629, 268091,
                                     276803, 271578, 266005, 273520, 278574, 273772};

/* |got - published| within half a unit in the 17th significant digit of the published figure. */
static void expect_printed17(const char *what, size_t i, double got, double published)
{
    const double half = 0.5 * pow(10.0, floor(log10(fabs(published))) - 16.0);
    ck_assert_msg(fabs(got - published) <= half, "%s[%zu] = %.17g, published %.17g", what, i, got,
                  published);
}

START_TEST(laney_published_nhs)
{
    static const double lcl_all[20] = {
        0.9401296441775141,  0.94004641862513627, 0.9403780655785402,  0.94047300747792362,
        0.94017268417608979, 0.94002465678041103, 0.94020689402152513, 0.94045399796641838,
        0.94022030926792188, 0.94017687421815865, 0.94011081930595297, 0.94020834697566502,
        0.93980301398912502, 0.9398387733905802,  0.94004595428549564, 0.93992289402775664,
        0.93978766173624928, 0.93996904398143111, 0.9400868775214295,  0.93997499652290417};
    static const double ucl_all[20] = {
        0.96566977851086822, 0.96575300406324605, 0.96542135710984212, 0.9653264152104587,
        0.96562673851229253, 0.96577476590797129, 0.96559252866685719, 0.96534542472196394,
        0.96557911342046043, 0.96562254847022366, 0.96568860338242934, 0.96559107571271729,
        0.96599640869925729, 0.96596064929780212, 0.96575346840288667, 0.96587652866062568,
        0.96601176095213304, 0.96583037870695121, 0.96571254516695282, 0.96582442616547814};
    /* "nhs pp part 10": weeks 1-10 and weeks 11-20, each its own chart. */
    static const double center_half[2] = {0.95105964383277042, 0.95481431224580271};
    static const double lcl_half[20] = {
        0.93866469138900677, 0.93858391054812595, 0.93890581552810026, 0.93899796855379847,
        0.938706467107847,   0.93856278794736447, 0.93873967205514641, 0.93897951743776198,
        0.93875269323498345, 0.93871053406939875, 0.940610623423212,   0.94071894028663061,
        0.94026876652700142, 0.94030848188383087, 0.94053858258001044, 0.94040190853489958,
        0.94025171590041701, 0.94045316391958889, 0.94058403303084548, 0.94045977497287903};
    static const double ucl_half[20] = {
        0.96345459627653407, 0.96353537711741488, 0.96321347213744057, 0.96312131911174237,
        0.96341282055769384, 0.96355649971817636, 0.96337961561039442, 0.96313977022777886,
        0.96336659443055739, 0.96340875359614209, 0.96901800106839342, 0.96890968420497481,
        0.969359857964604,   0.96932014260777455, 0.96909004191159498, 0.96922671595670584,
        0.96937690859118841, 0.96917546057201653, 0.96904459146075994, 0.96916884951872639};
    double c, sz, lcl[20], ucl[20];
    ck_assert_status(cm_spc_laney_p_chart(nhs_seen, nhs_all, 20, &c, &sz, lcl, ucl), CM_OK);
    expect_printed17("center", 0, c, 0.95289971134419116);
    for (size_t i = 0; i < 20; i++) {
        expect_printed17("lcl", i, lcl[i], lcl_all[i]);
        expect_printed17("ucl", i, ucl[i], ucl_all[i]);
    }
    /* sigma_z as the published figures imply it, week by week: (ucl - centre)
     * / (3 sqrt(pbar (1 - pbar) / n)). The subtraction leaves about 14 good
     * digits of the printed 17, hence the tolerance. */
    for (size_t i = 0; i < 20; i++) {
        const double pbar = 0.95289971134419116;
        const double implied =
            (ucl_all[i] - pbar) / (3.0 * sqrt(pbar * (1.0 - pbar) / (double)nhs_all[i]));
        ck_assert_rel(sz, implied, 1e-13);
    }
    for (size_t h = 0; h < 2; h++) {
        ck_assert_status(
            cm_spc_laney_p_chart(nhs_seen + 10 * h, nhs_all + 10 * h, 10, &c, &sz, lcl, ucl),
            CM_OK);
        expect_printed17("center of half", h, c, center_half[h]);
        for (size_t i = 0; i < 10; i++) {
            expect_printed17("lcl of half", 10 * h + i, lcl[i], lcl_half[10 * h + i]);
            expect_printed17("ucl of half", 10 * h + i, ucl[i], ucl_half[10 * h + i]);
        }
    }
}
END_TEST

START_TEST(laney_bad_input)
{
    const uint64_t num[] = {1, 2}, den[] = {10, 10}, over[] = {11, 2}, zero[] = {10, 0};
    double c, sz, lcl[2], ucl[2];
    poison(&c);
    poison(&sz);
    poison(&lcl);
    poison(&ucl);
    ck_assert_status(cm_spc_laney_p_chart(NULL, den, 2, &c, &sz, lcl, ucl), CM_EINVAL);
    ck_assert_status(cm_spc_laney_p_chart(num, NULL, 2, &c, &sz, lcl, ucl), CM_EINVAL);
    ck_assert_status(cm_spc_laney_p_chart(num, den, 2, NULL, &sz, lcl, ucl), CM_EINVAL);
    ck_assert_status(cm_spc_laney_p_chart(num, den, 2, &c, NULL, lcl, ucl), CM_EINVAL);
    ck_assert_status(cm_spc_laney_p_chart(num, den, 2, &c, &sz, NULL, ucl), CM_EINVAL);
    ck_assert_status(cm_spc_laney_p_chart(num, den, 2, &c, &sz, lcl, NULL), CM_EINVAL);
    ck_assert_status(cm_spc_laney_p_chart(over, den, 2, &c, &sz, lcl, ucl), CM_EINVAL);
    const uint64_t n0[] = {1, 0};
    ck_assert_status(cm_spc_laney_p_chart(n0, zero, 2, &c, &sz, lcl, ucl), CM_ENODATA);
    ck_assert_status(cm_spc_laney_p_chart(num, den, 1, &c, &sz, lcl, ucl), CM_ENODATA);
    const uint64_t big[] = {UINT64_MAX, 1}, one[] = {1, 1};
    ck_assert_status(cm_spc_laney_p_chart(one, big, 2, &c, &sz, lcl, ucl), CM_EOVERFLOW);
    ck_assert_untouched(&c);
    ck_assert_untouched(&sz);
    ck_assert_untouched(&lcl);
    ck_assert_untouched(&ucl);
    cm_spc_rules r = {0};
    cm_spc_signal sig[4];
    size_t count;
    poison(&sig);
    poison(&count);
    const double bad_sz[] = {-1.0, D_NAN, D_INF};
    for (size_t i = 0; i < NELEM(bad_sz); i++)
        ck_assert_status(cm_spc_laney_p_evaluate(num, den, 2, 0.1, bad_sz[i], &r, sig, 4, &count),
                         CM_EINVAL);
    ck_assert_status(cm_spc_laney_p_evaluate(num, den, 2, 1.5, 1.0, &r, sig, 4, &count), CM_EINVAL);
    ck_assert_status(cm_spc_laney_p_evaluate(num, den, 0, 0.1, 1.0, &r, sig, 4, &count),
                     CM_ENODATA);
    ck_assert_untouched(&sig);
    ck_assert_untouched(&count);
}
END_TEST

static Suite *spc_suite(void)
{
    Suite *s = suite_create("spc");
    TCase *tc = tcase_create("limits");
    tcase_add_test(tc, individuals_hand);
    tcase_add_test(tc, individuals_bad_input);
    tcase_add_test(tc, p_chart_hand);
    tcase_add_test(tc, p_chart_bad_input);
    suite_add_tcase(s, tc);

    tc = tcase_create("rules");
    tcase_add_test(tc, rule_seed_threshold_run);
    tcase_add_test(tc, rule_below_threshold);
    tcase_add_test(tc, rule_beyond_3sigma);
    tcase_add_test(tc, rule_2_of_3);
    tcase_add_test(tc, rule_4_of_5);
    tcase_add_test(tc, rule_same_side);
    tcase_add_test(tc, rule_center_runs);
    tcase_add_test(tc, rules_western_electric_default);
    tcase_add_test(tc, rules_zero_sigma);
    tcase_add_test(tc, p_evaluate_hand);
    tcase_add_test(tc, evaluate_bad_input);
    tcase_add_test(tc, evaluate_no_space);
    tcase_add_test(tc, evaluate_matches_definitions);
    tcase_add_test(tc, spc_sizeof_matches);
    tcase_add_test(tc, rule_nelson_hand);
    suite_add_tcase(s, tc);

    tc = tcase_create("charts");
    tcase_add_test(tc, individuals_ex_hand);
    tcase_add_test(tc, individuals_ex_bad_input);
    tcase_add_test(tc, cusum_montgomery);
    tcase_add_test(tc, ewma_montgomery);
    tcase_add_test(tc, run_lengths_sustained_shift);
    tcase_add_test(tc, cusum_average_run_lengths);
    tcase_add_test(tc, ewma_cusum_bad_input);
    tcase_add_test(tc, laney_hand);
    tcase_add_test(tc, laney_published_nhs);
    tcase_add_test(tc, laney_bad_input);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(spc_suite());
}
