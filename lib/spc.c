/*
 * Control limits (individuals / moving-range chart, p-chart) and run rules.
 * Formulas and rule definitions: docs/spc.md.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/spc.h>

#include <math.h>
#include <string.h>

#include "common-internal.h"

/*
 * Neumaier's compensated sum: the limits of a hand-made series come out as
 * the exact decimal arithmetic says, and long series lose no digits.
 */
typedef struct ksum {
    double s, c;
} ksum;

static void ksum_add(ksum *k, double x)
{
    const double t = k->s + x;
    if (fabs(k->s) >= fabs(x))
        k->c += (k->s - t) + x;
    else
        k->c += (x - t) + k->s;
    k->s = t;
}

static double ksum_value(const ksum *k)
{
    return k->s + k->c;
}

cm_status cm_spc_individuals(const double *xs, size_t n, cm_spc_limits *out)
{
    CM_REQUIRE(out != NULL && (n == 0 || xs != NULL), CM_EINVAL);
    for (size_t i = 0; i < n; i++)
        CM_REQUIRE(isfinite(xs[i]), CM_EINVAL);
    CM_REQUIRE(n >= 2, CM_ENODATA);
    ksum sum = {0.0, 0.0}, mr = {0.0, 0.0};
    for (size_t i = 0; i < n; i++) {
        ksum_add(&sum, xs[i]);
        if (i > 0)
            ksum_add(&mr, fabs(xs[i] - xs[i - 1]));
    }
    cm_spc_limits l;
    l.center = ksum_value(&sum) / (double)n;
    l.mr_bar = ksum_value(&mr) / (double)(n - 1);
    l.sigma = l.mr_bar / CM_SPC_D2;
    l.lcl = l.center - 3.0 * l.sigma;
    l.ucl = l.center + 3.0 * l.sigma;
    l.mr_ucl = CM_SPC_D4 * l.mr_bar;
    CM_REQUIRE(isfinite(l.center) && isfinite(l.mr_bar) && isfinite(l.lcl) && isfinite(l.ucl) &&
                   isfinite(l.mr_ucl),
               CM_EOVERFLOW);
    *out = l;
    return CM_OK;
}

/* Checks the counts of a p-chart series: pointers done, each num <= den, den > 0. */
static cm_status check_counts(const uint64_t *num, const uint64_t *den, size_t n)
{
    for (size_t i = 0; i < n; i++)
        CM_REQUIRE(num[i] <= den[i], CM_EINVAL);
    CM_REQUIRE(n > 0, CM_ENODATA);
    for (size_t i = 0; i < n; i++)
        CM_REQUIRE(den[i] > 0, CM_ENODATA);
    return CM_OK;
}

/* sigma of a proportion with centre p over den trials. */
static double p_sigma(double p, uint64_t den)
{
    return sqrt(p * (1.0 - p) / (double)den);
}

cm_status cm_spc_p_chart(const uint64_t *num, const uint64_t *den, size_t n, double *center,
                         double *lcl, double *ucl)
{
    CM_REQUIRE(center != NULL &&
                   (n == 0 || (num != NULL && den != NULL && lcl != NULL && ucl != NULL)),
               CM_EINVAL);
    CM_TRY(check_counts(num, den, n));
    uint64_t tn = 0, td = 0;
    for (size_t i = 0; i < n; i++) {
        CM_REQUIRE(!__builtin_add_overflow(td, den[i], &td), CM_EOVERFLOW);
        tn += num[i]; /* <= td */
    }
    /* At exactly 0 or 1 (every point the same extreme) the limits collapse
     * onto the centre line. */
    const double p = (double)tn / (double)td;
    for (size_t i = 0; i < n; i++) {
        const double three = 3.0 * p_sigma(p, den[i]);
        lcl[i] = fmax(0.0, p - three);
        ucl[i] = fmin(1.0, p + three);
    }
    *center = p;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Run rules                                                              */
/* ---------------------------------------------------------------------- */

/* The series being checked: measured values with one sigma, or proportions. */
typedef struct series {
    const double *xs;
    const uint64_t *num, *den;
    double center, sigma;
} series;

static double point_value(const series *s, size_t i)
{
    return s->xs != NULL ? s->xs[i] : (double)s->num[i] / (double)s->den[i];
}

static double point_sigma(const series *s, size_t i)
{
    return s->xs != NULL ? s->sigma : p_sigma(s->center, s->den[i]);
}

/* Collects signals: counts all of them, writes while there is room. */
typedef struct sink {
    cm_spc_signal *out;
    size_t cap, count;
} sink;

static void emit(sink *k, size_t index, cm_spc_rule rule, int32_t side)
{
    if (k->count < k->cap) {
        k->out[k->count].index = index;
        k->out[k->count].rule = rule;
        k->out[k->count].side = side;
    }
    k->count++;
}

/* Number of set bits among the low `width` bits of h. */
static unsigned bits_in(uint32_t h, unsigned width)
{
    h &= (1u << width) - 1u;
    unsigned c = 0;
    for (; h != 0; h &= h - 1)
        c++;
    return c;
}

/* Run length that saturates instead of wrapping. */
static uint64_t run_step(uint64_t run, bool on)
{
    return on ? (run == UINT64_MAX ? run : run + 1) : 0;
}

/*
 * One pass over the series. For each point: its distance d from the centre
 * and its sigma give the zone flags; shift registers keep the last five
 * flags for the "k of m" rules and counters the current runs.
 */
static void check_rules(const series *s, size_t n, const cm_spc_rules *r, sink *k)
{
    const uint32_t on = r->enabled != 0 ? r->enabled : CM_SPC_RULES_WESTERN_ELECTRIC;
    const uint64_t side_run = r->side_run != 0 ? r->side_run : CM_SPC_DEFAULT_SIDE_RUN;
    const uint64_t level_run = r->level_run != 0 ? r->level_run : CM_SPC_DEFAULT_LEVEL_RUN;
    uint32_t up2 = 0, dn2 = 0, up1 = 0, dn1 = 0; /* bit 0: this point */
    uint64_t above = 0, below = 0, over = 0, under = 0;
    for (size_t i = 0; i < n; i++) {
        const double x = point_value(s, i);
        const double sd = point_sigma(s, i);
        const double d = x - s->center;
        up2 = (up2 << 1) | (d > 2.0 * sd);
        dn2 = (dn2 << 1) | (d < -2.0 * sd);
        up1 = (up1 << 1) | (d > sd);
        dn1 = (dn1 << 1) | (d < -sd);
        above = run_step(above, d > 0.0);
        below = run_step(below, d < 0.0);
        over = run_step(over, x > r->threshold);
        under = run_step(under, x < r->threshold);

        if ((on & CM_SPC_RULE_BEYOND_3SIGMA) && (d > 3.0 * sd || d < -3.0 * sd))
            emit(k, i, CM_SPC_RULE_BEYOND_3SIGMA, d > 0.0 ? 1 : -1);
        if (on & CM_SPC_RULE_2_OF_3) {
            if ((up2 & 1u) && bits_in(up2, 3) >= 2)
                emit(k, i, CM_SPC_RULE_2_OF_3, 1);
            if ((dn2 & 1u) && bits_in(dn2, 3) >= 2)
                emit(k, i, CM_SPC_RULE_2_OF_3, -1);
        }
        if (on & CM_SPC_RULE_4_OF_5) {
            if ((up1 & 1u) && bits_in(up1, 5) >= 4)
                emit(k, i, CM_SPC_RULE_4_OF_5, 1);
            if ((dn1 & 1u) && bits_in(dn1, 5) >= 4)
                emit(k, i, CM_SPC_RULE_4_OF_5, -1);
        }
        if (on & CM_SPC_RULE_SAME_SIDE) {
            if (above >= side_run)
                emit(k, i, CM_SPC_RULE_SAME_SIDE, 1);
            if (below >= side_run)
                emit(k, i, CM_SPC_RULE_SAME_SIDE, -1);
        }
        if ((on & CM_SPC_RULE_ABOVE_CENTER) && above >= level_run)
            emit(k, i, CM_SPC_RULE_ABOVE_CENTER, 1);
        if ((on & CM_SPC_RULE_BELOW_CENTER) && below >= level_run)
            emit(k, i, CM_SPC_RULE_BELOW_CENTER, -1);
        if ((on & CM_SPC_RULE_ABOVE_THRESHOLD) && over >= level_run)
            emit(k, i, CM_SPC_RULE_ABOVE_THRESHOLD, 1);
        if ((on & CM_SPC_RULE_BELOW_THRESHOLD) && under >= level_run)
            emit(k, i, CM_SPC_RULE_BELOW_THRESHOLD, -1);
    }
}

static bool rules_valid(const cm_spc_rules *r)
{
    return (r->enabled & ~(uint32_t)CM_SPC_RULES_ALL) == 0 && r->reserved == 0;
}

/* Counts first, so that too small an array is reported without writing to it. */
static cm_status run_rules(const series *s, size_t n, const cm_spc_rules *rules,
                           cm_spc_signal *signals, size_t cap, size_t *count)
{
    sink probe = {NULL, 0, 0};
    check_rules(s, n, rules, &probe);
    if (probe.count > cap) {
        *count = probe.count;
        return CM_ENOSPC;
    }
    sink k = {signals, cap, 0};
    if (probe.count > 0)
        check_rules(s, n, rules, &k);
    *count = k.count;
    return CM_OK;
}

cm_status cm_spc_evaluate(const double *xs, size_t n, const cm_spc_limits *limits,
                          const cm_spc_rules *rules, cm_spc_signal *signals, size_t cap,
                          size_t *count)
{
    CM_REQUIRE(limits != NULL && rules != NULL && count != NULL && (n == 0 || xs != NULL) &&
                   (cap == 0 || signals != NULL),
               CM_EINVAL);
    for (size_t i = 0; i < n; i++)
        CM_REQUIRE(isfinite(xs[i]), CM_EINVAL);
    CM_REQUIRE(isfinite(limits->center) && isfinite(limits->sigma) && isfinite(rules->threshold),
               CM_EINVAL);
    CM_REQUIRE(limits->sigma >= 0.0 && rules_valid(rules), CM_EINVAL);
    CM_REQUIRE(n > 0, CM_ENODATA);
    const series s = {xs, NULL, NULL, limits->center, limits->sigma};
    return run_rules(&s, n, rules, signals, cap, count);
}

cm_status cm_spc_p_evaluate(const uint64_t *num, const uint64_t *den, size_t n, double center,
                            const cm_spc_rules *rules, cm_spc_signal *signals, size_t cap,
                            size_t *count)
{
    CM_REQUIRE(rules != NULL && count != NULL && (n == 0 || (num != NULL && den != NULL)) &&
                   (cap == 0 || signals != NULL),
               CM_EINVAL);
    CM_REQUIRE(isfinite(center) && isfinite(rules->threshold), CM_EINVAL);
    CM_REQUIRE(center >= 0.0 && center <= 1.0 && rules_valid(rules), CM_EINVAL);
    CM_TRY(check_counts(num, den, n));
    const series s = {NULL, num, den, center, 0.0};
    return run_rules(&s, n, rules, signals, cap, count);
}

size_t cm_spc_sizeof(const char *name)
{
    if (name == NULL)
        return 0;
    if (strcmp(name, "cm_spc_limits") == 0)
        return sizeof(cm_spc_limits);
    if (strcmp(name, "cm_spc_rules") == 0)
        return sizeof(cm_spc_rules);
    if (strcmp(name, "cm_spc_signal") == 0)
        return sizeof(cm_spc_signal);
    return 0;
}
