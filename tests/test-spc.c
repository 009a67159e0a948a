/*
 * Tests of caremetrics/spc.h.
 *
 * Every series is hand-made for one rule, with the expected signals worked
 * out in the comment next to it; a seeded property test compares the
 * evaluator with a brute-force reading of the rule definitions in docs/spc.md
 * (each window recounted from scratch).
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
    br.enabled = 0x100;
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
#undef RUN
    }
    return k;
}

START_TEST(evaluate_matches_definitions)
{
    test_rng r = test_rng_make("evaluate_matches_definitions");
    static double xs[400];
    static want ref[400 * 10];
    static cm_spc_signal sig[400 * 10];
    for (int round = 0; round < 500; round++) {
        const size_t n = 1 + (size_t)rng_below(&r, 400);
        /* Small integers around the centre, so that ties with the centre,
         * the threshold and the zone edges all occur. */
        const double drift = (double)rng_below(&r, 3);
        for (size_t i = 0; i < n; i++)
            xs[i] = (double)rng_below(&r, 9) - 4.0 + (i > n / 2 ? drift : 0.0);
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
        for (size_t i = 0; i < count; i++)
            differ += sig[i].index != ref[i].index || sig[i].rule != ref[i].rule ||
                      sig[i].side != ref[i].side;
        ck_assert_msg(differ == 0, "round %d: %zu signals differ", round, differ);
    }
}
END_TEST

START_TEST(spc_sizeof_matches)
{
    ck_assert_uint_eq(cm_spc_sizeof("cm_spc_limits"), sizeof(cm_spc_limits));
    ck_assert_uint_eq(cm_spc_sizeof("cm_spc_rules"), sizeof(cm_spc_rules));
    ck_assert_uint_eq(cm_spc_sizeof("cm_spc_signal"), sizeof(cm_spc_signal));
    ck_assert_uint_eq(cm_spc_sizeof("cm_nothing"), 0);
    ck_assert_uint_eq(cm_spc_sizeof(NULL), 0);
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
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(spc_suite());
}
