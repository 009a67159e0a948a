/*
 * Control limits (individuals / moving-range chart, p-chart) and run rules.
 * Formulas and rule definitions: docs/spc.md.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/spc.h>

#include <math.h>
#include <string.h>

#include <caremetrics/sketch.h>

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

static cm_status xmr_limits(const double *xs, size_t n, const uint8_t *drop, uint32_t method,
                            double *scratch, cm_spc_limits *out);

cm_status cm_spc_individuals(const double *xs, size_t n, cm_spc_limits *out)
{
    CM_REQUIRE(out != NULL && (n == 0 || xs != NULL), CM_EINVAL);
    for (size_t i = 0; i < n; i++)
        CM_REQUIRE(isfinite(xs[i]), CM_EINVAL);
    return xmr_limits(xs, n, NULL, CM_SPC_SIGMA_MR_MEAN, NULL, out);
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

/* pbar = Σnum / Σden. At exactly 0 or 1 (every point the same extreme) the
 * limits collapse onto the centre line. */
static cm_status pooled(const uint64_t *num, const uint64_t *den, size_t n, double *p)
{
    uint64_t tn = 0, td = 0;
    for (size_t i = 0; i < n; i++) {
        CM_REQUIRE(!__builtin_add_overflow(td, den[i], &td), CM_EOVERFLOW);
        tn += num[i]; /* <= td */
    }
    *p = (double)tn / (double)td;
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
    double p;
    CM_TRY(pooled(num, den, n, &p));
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
    double center, sigma; /* sigma: of every point (xs), or Laney's factor (proportions) */
} series;

static double point_value(const series *s, size_t i)
{
    return s->xs != NULL ? s->xs[i] : (double)s->num[i] / (double)s->den[i];
}

static double point_sigma(const series *s, size_t i)
{
    return s->xs != NULL ? s->sigma : p_sigma(s->center, s->den[i]) * s->sigma;
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
    uint64_t rising = 0, falling = 0, alternating = 0, within = 0, outside = 0; /* runs */
    double prev_step = 0.0;
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
        /* Steps from the previous point; a flat step ends trends and alternation. */
        const double step = i > 0 ? x - point_value(s, i - 1) : 0.0;
        rising = run_step(rising, step > 0.0);
        falling = run_step(falling, step < 0.0);
        if (step == 0.0)
            alternating = 0;
        else
            alternating = (step > 0.0) != (prev_step > 0.0) && prev_step != 0.0
                              ? run_step(alternating, true)
                              : 1;
        prev_step = step;
        within = run_step(within, !(d > sd || d < -sd));
        outside = run_step(outside, d > sd || d < -sd);

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
        /* Runs of N points are runs of N - 1 steps. */
        if (on & CM_SPC_RULE_TREND) {
            if (rising >= CM_SPC_TREND_RUN - 1)
                emit(k, i, CM_SPC_RULE_TREND, 1);
            if (falling >= CM_SPC_TREND_RUN - 1)
                emit(k, i, CM_SPC_RULE_TREND, -1);
        }
        if ((on & CM_SPC_RULE_ALTERNATING) && alternating >= CM_SPC_ALTERNATING_RUN - 1)
            emit(k, i, CM_SPC_RULE_ALTERNATING, 0);
        if ((on & CM_SPC_RULE_STRATIFICATION) && within >= CM_SPC_STRATIFICATION_RUN)
            emit(k, i, CM_SPC_RULE_STRATIFICATION, 0);
        if ((on & CM_SPC_RULE_MIXTURE) && outside >= CM_SPC_MIXTURE_RUN &&
            bits_in(up1, CM_SPC_MIXTURE_RUN) > 0 && bits_in(dn1, CM_SPC_MIXTURE_RUN) > 0)
            emit(k, i, CM_SPC_RULE_MIXTURE, 0);
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
    return cm_spc_laney_p_evaluate(num, den, n, center, 1.0, rules, signals, cap, count);
}

/* ---------------------------------------------------------------------- */
/* XmR limits with points left out, a median sigma, revisions              */
/* ---------------------------------------------------------------------- */

/*
 * Limits of the points i with drop[i] == 0 (drop NULL: every point). The
 * moving ranges are those of neighbours both kept. CM_ENODATA without one.
 */
static cm_status xmr_limits(const double *xs, size_t n, const uint8_t *drop, uint32_t method,
                            double *scratch, cm_spc_limits *out)
{
    ksum sum = {0.0, 0.0}, mr = {0.0, 0.0};
    size_t kept = 0, ranges = 0;
    for (size_t i = 0; i < n; i++) {
        if (drop != NULL && drop[i] != 0)
            continue;
        ksum_add(&sum, xs[i]);
        kept++;
        if (i > 0 && (drop == NULL || drop[i - 1] == 0)) {
            const double r = fabs(xs[i] - xs[i - 1]);
            ksum_add(&mr, r);
            if (method == CM_SPC_SIGMA_MR_MEDIAN)
                scratch[ranges] = r;
            ranges++;
        }
    }
    CM_REQUIRE(ranges > 0, CM_ENODATA);
    cm_spc_limits l;
    l.center = ksum_value(&sum) / (double)kept;
    if (method == CM_SPC_SIGMA_MR_MEDIAN) {
        double med;
        CM_TRY(cm_quantile_exact(scratch, ranges, 0.5, scratch, ranges, &med));
        l.mr_bar = med;
        l.sigma = med / CM_SPC_MEDIAN_D;
        l.mr_ucl = CM_SPC_MEDIAN_D4 * med;
    } else {
        l.mr_bar = ksum_value(&mr) / (double)ranges;
        l.sigma = l.mr_bar / CM_SPC_D2;
        l.mr_ucl = CM_SPC_D4 * l.mr_bar;
    }
    l.lcl = l.center - 3.0 * l.sigma;
    l.ucl = l.center + 3.0 * l.sigma;
    CM_REQUIRE(isfinite(l.center) && isfinite(l.mr_bar) && isfinite(l.lcl) && isfinite(l.ucl) &&
                   isfinite(l.mr_ucl),
               CM_EOVERFLOW);
    *out = l;
    return CM_OK;
}

cm_status cm_spc_individuals_ex(const double *xs, size_t n, const cm_spc_xmr_options *opt,
                                uint8_t *exclude, double *scratch, size_t scratch_len,
                                cm_spc_limits *out)
{
    const cm_spc_xmr_options none = {0, 0};
    if (opt == NULL)
        opt = &none;
    CM_REQUIRE(out != NULL && (n == 0 || xs != NULL), CM_EINVAL);
    CM_REQUIRE(opt->sigma_method == CM_SPC_SIGMA_MR_MEAN ||
                   opt->sigma_method == CM_SPC_SIGMA_MR_MEDIAN,
               CM_EINVAL);
    CM_REQUIRE(opt->max_rounds == 0 || exclude != NULL || n == 0, CM_EINVAL);
    CM_REQUIRE(opt->sigma_method != CM_SPC_SIGMA_MR_MEDIAN || (scratch != NULL && scratch_len >= n),
               CM_EINVAL);
    for (size_t i = 0; i < n; i++)
        CM_REQUIRE(isfinite(xs[i]), CM_EINVAL);
    cm_spc_limits l;
    /* The caller's points first, without writing the mask: nothing changes on failure. */
    CM_TRY(xmr_limits(xs, n, exclude, opt->sigma_method, scratch, &l));
    if (exclude != NULL)
        for (size_t i = 0; i < n; i++)
            exclude[i] = exclude[i] != 0;
    for (uint32_t round = 0; round < opt->max_rounds; round++) {
        size_t dropped = 0;
        for (size_t i = 0; i < n; i++)
            if (exclude[i] == 0 && (xs[i] > l.ucl || xs[i] < l.lcl)) {
                exclude[i] = 3; /* tentatively */
                dropped++;
            }
        if (dropped == 0)
            break;
        cm_spc_limits next;
        const bool ok = xmr_limits(xs, n, exclude, opt->sigma_method, scratch, &next) == CM_OK;
        for (size_t i = 0; i < n; i++)
            if (exclude[i] == 3)
                exclude[i] = ok ? 2 : 0;
        if (!ok)
            break;
        l = next;
    }
    *out = l;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* EWMA and CUSUM                                                         */
/* ---------------------------------------------------------------------- */

/* Where the values of a chart statistic go: optional arrays, and the signals. */
typedef struct trace {
    double *a, *b, *c;
    sink k;
} trace;

static void put(double *a, size_t i, double v)
{
    if (a != NULL)
        a[i] = v;
}

static cm_status ewma_pass(const double *xs, size_t n, const cm_spc_ewma_params *p, trace *t)
{
    const double keep = 1.0 - p->lambda;
    const double spread = p->width * p->sigma * sqrt(p->lambda / (2.0 - p->lambda));
    double z = p->center, fade = 1.0; /* fade = (1 - lambda)^(2 i) */
    for (size_t i = 0; i < n; i++) {
        z = p->lambda * xs[i] + keep * z;
        fade *= keep * keep;
        const double half = spread * sqrt(1.0 - fade);
        const double lo = p->center - half, hi = p->center + half;
        CM_REQUIRE(isfinite(z) && isfinite(lo) && isfinite(hi), CM_EOVERFLOW);
        put(t->a, i, z);
        put(t->b, i, lo);
        put(t->c, i, hi);
        if (z > hi)
            emit(&t->k, i, CM_SPC_RULE_EWMA, 1);
        else if (z < lo)
            emit(&t->k, i, CM_SPC_RULE_EWMA, -1);
    }
    return CM_OK;
}

static cm_status cusum_pass(const double *xs, size_t n, const cm_spc_cusum_params *p, trace *t)
{
    const double kk = p->k * p->sigma, hh = p->h * p->sigma;
    const double up = p->center + kk, down = p->center - kk;
    CM_REQUIRE(isfinite(hh) && isfinite(up) && isfinite(down), CM_EOVERFLOW);
    double cp = 0.0, cm = 0.0;
    for (size_t i = 0; i < n; i++) {
        cp = fmax(0.0, xs[i] - up + cp);
        cm = fmax(0.0, down - xs[i] + cm);
        CM_REQUIRE(isfinite(cp) && isfinite(cm), CM_EOVERFLOW);
        put(t->a, i, cp);
        put(t->b, i, cm);
        if (cp > hh)
            emit(&t->k, i, CM_SPC_RULE_CUSUM, 1);
        if (cm > hh)
            emit(&t->k, i, CM_SPC_RULE_CUSUM, -1);
    }
    return CM_OK;
}

static bool finite_series(const double *xs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(xs[i]))
            return false;
    return true;
}

cm_status cm_spc_ewma(const double *xs, size_t n, const cm_spc_ewma_params *p, double *z,
                      double *lcl, double *ucl, cm_spc_signal *signals, size_t cap, size_t *count)
{
    CM_REQUIRE(p != NULL && count != NULL && (n == 0 || xs != NULL) &&
                   (cap == 0 || signals != NULL),
               CM_EINVAL);
    CM_REQUIRE(finite_series(xs, n) && isfinite(p->center) && isfinite(p->sigma) &&
                   isfinite(p->width) && p->sigma >= 0.0 && p->lambda > 0.0 && p->lambda <= 1.0 &&
                   p->width > 0.0,
               CM_EINVAL);
    CM_REQUIRE(n > 0, CM_ENODATA);
    trace probe = {NULL, NULL, NULL, {NULL, 0, 0}};
    CM_TRY(ewma_pass(xs, n, p, &probe));
    if (probe.k.count > cap) {
        *count = probe.k.count;
        return CM_ENOSPC;
    }
    trace t = {z, lcl, ucl, {signals, cap, 0}};
    CM_TRY(ewma_pass(xs, n, p, &t));
    *count = t.k.count;
    return CM_OK;
}

cm_status cm_spc_cusum(const double *xs, size_t n, const cm_spc_cusum_params *p, double *c_plus,
                       double *c_minus, cm_spc_signal *signals, size_t cap, size_t *count)
{
    CM_REQUIRE(p != NULL && count != NULL && (n == 0 || xs != NULL) &&
                   (cap == 0 || signals != NULL),
               CM_EINVAL);
    CM_REQUIRE(finite_series(xs, n) && isfinite(p->center) && isfinite(p->sigma) &&
                   isfinite(p->k) && isfinite(p->h) && p->sigma >= 0.0 && p->k >= 0.0 &&
                   p->h >= 0.0,
               CM_EINVAL);
    CM_REQUIRE(n > 0, CM_ENODATA);
    trace probe = {NULL, NULL, NULL, {NULL, 0, 0}};
    CM_TRY(cusum_pass(xs, n, p, &probe));
    if (probe.k.count > cap) {
        *count = probe.k.count;
        return CM_ENOSPC;
    }
    trace t = {c_plus, c_minus, NULL, {signals, cap, 0}};
    CM_TRY(cusum_pass(xs, n, p, &t));
    *count = t.k.count;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Laney p'                                                               */
/* ---------------------------------------------------------------------- */

/* Standardised distance of point i from pbar; 0 where sigma_i is 0. */
static double laney_z(const uint64_t *num, const uint64_t *den, size_t i, double p)
{
    const double sd = p_sigma(p, den[i]);
    return sd > 0.0 ? ((double)num[i] / (double)den[i] - p) / sd : 0.0;
}

cm_status cm_spc_laney_p_chart(const uint64_t *num, const uint64_t *den, size_t n, double *center,
                               double *sigma_z, double *lcl, double *ucl)
{
    CM_REQUIRE(center != NULL && sigma_z != NULL &&
                   (n == 0 || (num != NULL && den != NULL && lcl != NULL && ucl != NULL)),
               CM_EINVAL);
    CM_TRY(check_counts(num, den, n));
    CM_REQUIRE(n >= 2, CM_ENODATA);
    double p;
    CM_TRY(pooled(num, den, n, &p));
    ksum mr = {0.0, 0.0};
    double prev = laney_z(num, den, 0, p);
    for (size_t i = 1; i < n; i++) {
        const double zi = laney_z(num, den, i, p);
        ksum_add(&mr, fabs(zi - prev));
        prev = zi;
    }
    const double sz = ksum_value(&mr) / (double)(n - 1) / CM_SPC_D2;
    for (size_t i = 0; i < n; i++) {
        const double three = 3.0 * p_sigma(p, den[i]) * sz;
        lcl[i] = fmax(0.0, p - three);
        ucl[i] = fmin(1.0, p + three);
    }
    *center = p;
    *sigma_z = sz;
    return CM_OK;
}

cm_status cm_spc_laney_p_evaluate(const uint64_t *num, const uint64_t *den, size_t n, double center,
                                  double sigma_z, const cm_spc_rules *rules, cm_spc_signal *signals,
                                  size_t cap, size_t *count)
{
    CM_REQUIRE(isfinite(sigma_z) && sigma_z >= 0.0, CM_EINVAL);
    CM_REQUIRE(rules != NULL && count != NULL && (n == 0 || (num != NULL && den != NULL)) &&
                   (cap == 0 || signals != NULL),
               CM_EINVAL);
    CM_REQUIRE(isfinite(center) && isfinite(rules->threshold), CM_EINVAL);
    CM_REQUIRE(center >= 0.0 && center <= 1.0 && rules_valid(rules), CM_EINVAL);
    CM_TRY(check_counts(num, den, n));
    const series s = {NULL, num, den, center, sigma_z};
    return run_rules(&s, n, rules, signals, cap, count);
}

size_t cm_spc_sizeof(const char *name)
{
    static const cm__named_size sizes[] = {
        CM__SIZE_OF(cm_spc_limits),      CM__SIZE_OF(cm_spc_rules),
        CM__SIZE_OF(cm_spc_signal),      CM__SIZE_OF(cm_spc_xmr_options),
        CM__SIZE_OF(cm_spc_ewma_params), CM__SIZE_OF(cm_spc_cusum_params),
    };
    return cm__lookup_size(sizes, CM__COUNT_OF(sizes), name);
}
