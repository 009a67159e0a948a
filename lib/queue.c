/*
 * Erlang B / C / A, staffing searches, workload and FTE. Formulas and
 * sources: docs/queue.md.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/queue.h>

#include <math.h>
#include <string.h>

#include "common-internal.h"

/* ---------------------------------------------------------------------- */
/* Erlang B recursion                                                      */
/* ---------------------------------------------------------------------- */

/*
 * The reciprocal of Erlang B obeys R(0) = 1, R(n) = 1 + (n/A)·R(n−1), with
 * R(n) = 1/B(n, A). We carry R and S = R − 1 = (n/A)·R(n−1): S is what the
 * Erlang C formulas need (1 − C is proportional to it) and it comes out of
 * the step without the cancellation of computing R − 1 afterwards.
 *
 * Every step is one rounded division and one multiply-add, and errors do not
 * grow: the relative error of R(n) is the error of R(n−1) times
 * 1 − B(n) < 1, plus the step's own rounding. Past n = A, R grows like
 * n!/A^n, so both are kept as r·2^e with a binary exponent e (scaling by a
 * power of two is exact). Once e reaches SATURATED, R > 2^1200: B and C are
 * below the smallest double and stay there for every larger n, and the
 * recursion stops.
 *
 * Starting point: the map R(n−1) -> R(n) shrinks an absolute error by n/A.
 * Started K = ⌈10·√A⌉ steps below m = min(N, ⌊A⌋) with the guess R = 1
 * (true value at most A/K there, since B(n) >= 1 − n/A), the guess's error
 * is multiplied by Π_{j<K} (1 − j/A) <= e^{−K(K−1)/2A} <= e^{−49.5} by the
 * time the recursion reaches m, far below the rounding of a double. So the
 * cost is O(√A + |N − A|) steps instead of N, which is what makes 10,000
 * Erlangs fast; the oracle tests check the result against 50-digit values.
 */
#define SCALE_BITS 600
#define SCALE_UP   0x1p600
#define SCALE_DOWN 0x1p-600
#define SATURATED  1200

typedef struct erlang {
    double a;    /* traffic A > 0 */
    uint32_t n;  /* agents the state describes */
    int e;       /* R = r·2^e, S = s·2^e */
    double r;    /* scaled R(n) = 1/B(n) */
    double s;    /* scaled S(n) = R(n) − 1 */
    double unit; /* 2^−e: the scaled 1 */
} erlang;

static void erlang_start(erlang *q, double a, uint32_t n)
{
    const double m = fmin((double)n, floor(a));
    const double k = ceil(10.0 * sqrt(a));
    q->a = a;
    q->e = 0;
    q->unit = 1.0;
    q->r = 1.0;
    q->s = 0.0;
    q->n = m > k ? (uint32_t)(m - k) : 0; /* exact at n = 0; a guess higher up */
}

static void erlang_up(erlang *q)
{
    q->n++;
    const double f = (double)q->n / q->a;
    if (f > 0x1p400) {
        /* Tiny traffic: the factor alone would overflow r·f. Move its binary
         * exponent into e (r stays <= 2^600, so r·m <= 2^600). */
        if (!isfinite(f)) {
            q->e = SATURATED; /* R(n) > n/A = ∞: B(n) is below every double */
            return;
        }
        int k;
        const double m = frexp(f, &k);
        q->s = q->r * m;
        q->e = q->e + k < SATURATED ? q->e + k : SATURATED;
        q->unit = ldexp(1.0, -q->e);
        q->r = q->s + q->unit;
        return;
    }
    q->s = q->r * f;
    q->r = q->s + q->unit;
    if (q->r > SCALE_UP) {
        q->r *= SCALE_DOWN;
        q->s *= SCALE_DOWN;
        q->e += SCALE_BITS;
        q->unit = ldexp(1.0, -q->e);
    }
}

/* n -> n − 1 using R(n−1) = S(n)·A/n; only used above A, where R(n−1) > 2
 * so R − 1 loses at most one bit. */
static void erlang_down(erlang *q)
{
    q->r = q->s * (q->a / (double)q->n);
    q->n--;
    if (q->e > 0 && q->r < 1.0) {
        const int k = q->e < SCALE_BITS ? q->e : SCALE_BITS;
        q->r = ldexp(q->r, k);
        q->e -= k;
        q->unit = ldexp(1.0, -q->e);
    }
    q->s = q->r - q->unit;
}

/* Advances to n agents. Once B has underflowed it stays 0 for every larger
 * n, so a saturated state simply takes the number n. */
static void erlang_to(erlang *q, uint32_t n)
{
    while (q->n < n && q->e < SATURATED)
        erlang_up(q);
    if (q->n < n)
        q->n = n;
}

static bool erlang_saturated(const erlang *q)
{
    return q->e >= SATURATED;
}

static double erlang_b_of(const erlang *q)
{
    return erlang_saturated(q) ? 0.0 : ldexp(1.0 / q->r, -q->e);
}

/*
 * Erlang C from the state at n > A: with R = 1/B,
 *   C = N·B / (N − A(1 − B)) = N / (A + (N − A)·R)
 *   1 − C = (N − A)·S / (A + (N − A)·R)
 * Both are ratios of sums of positive terms.
 */
static void erlang_c_of(const erlang *q, double *pw, double *npw)
{
    if (erlang_saturated(q)) {
        *pw = 0.0;
        *npw = 1.0;
        return;
    }
    const double n = (double)q->n, d = n - q->a;
    const double den = q->a * q->unit + d * q->r;
    *pw = q->e == 0 ? n / den : ldexp(n / den, -q->e);
    *npw = d * q->s / den;
}

/*
 * SL = 1 − C·e^{−(N−A)t/AHT}. When the subtracted term is at most ½ the
 * difference is exact to rounding (and never above 1); otherwise SL < ½ and
 * it is summed as (1 − C) + C·(1 − e^{−(N−A)t/AHT}), two non-negative terms,
 * so a small service level keeps its relative accuracy.
 */
static double erlang_sl_of(const erlang *q, double aht, double t)
{
    double pw, npw;
    erlang_c_of(q, &pw, &npw);
    const double x = ((double)q->n - q->a) * t / aht;
    const double late = pw * exp(-x);
    if (late <= 0.5)
        return 1.0 - late;
    return npw - pw * expm1(-x);
}

static double erlang_asa_of(const erlang *q, double aht)
{
    double pw, npw;
    erlang_c_of(q, &pw, &npw);
    return pw * aht / ((double)q->n - q->a);
}

/* ---------------------------------------------------------------------- */
/* Validation                                                              */
/* ---------------------------------------------------------------------- */

static bool nonneg(double v)
{
    return isfinite(v) && v >= 0.0;
}

static bool positive(double v)
{
    return isfinite(v) && v > 0.0;
}

static bool open_unit(double v)
{
    return isfinite(v) && v > 0.0 && v < 1.0;
}

static bool cap_unit(double v)
{
    return isfinite(v) && v > 0.0 && v <= 1.0;
}

/* Status for a traffic value already known to be a finite non-negative number. */
static cm_status traffic_range(double traffic)
{
    return traffic <= CM_ERLANG_MAX_TRAFFIC ? CM_OK : CM_ERANGE;
}

/* Traffic and AHT within their limits (both known to be finite and in domain).
 * The AHT bound keeps every ASA finite: ASA <= AHT/(N − A), and N − A is at
 * least the spacing of doubles near A, 2^−33 at 10^6 Erlangs. */
static cm_status limits(double traffic, double aht)
{
    CM_TRY(traffic_range(traffic));
    return aht <= CM_ERLANG_MAX_AHT_SECONDS ? CM_OK : CM_ERANGE;
}

/* Checks everything the Erlang C measures share, and builds the state at n. */
static cm_status erlang_c_state(double traffic, uint32_t agents, erlang *q)
{
    CM_TRY(traffic_range(traffic));
    CM_REQUIRE((double)agents > traffic, CM_EUNSTABLE);
    if (traffic == 0.0) {
        /* No traffic: R(n) is infinite for n >= 1, so every waiting measure is 0. */
        q->a = 0.0;
        q->n = agents;
        q->e = SATURATED;
        q->r = q->s = q->unit = 0.0;
        return CM_OK;
    }
    erlang_start(q, traffic, agents);
    erlang_to(q, agents);
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Erlang B and C                                                          */
/* ---------------------------------------------------------------------- */

cm_status cm_erlang_b(double traffic, uint32_t agents, double *p)
{
    CM_REQUIRE(p != NULL, CM_EINVAL);
    CM_REQUIRE(nonneg(traffic), CM_EINVAL);
    CM_TRY(traffic_range(traffic));
    if (traffic == 0.0) {
        *p = agents == 0 ? 1.0 : 0.0;
        return CM_OK;
    }
    erlang q;
    erlang_start(&q, traffic, agents);
    erlang_to(&q, agents);
    *p = erlang_b_of(&q);
    return CM_OK;
}

cm_status cm_erlang_c(double traffic, uint32_t agents, double *pw)
{
    CM_REQUIRE(pw != NULL, CM_EINVAL);
    CM_REQUIRE(nonneg(traffic), CM_EINVAL);
    erlang q;
    CM_TRY(erlang_c_state(traffic, agents, &q));
    double c, nc;
    erlang_c_of(&q, &c, &nc);
    *pw = c;
    return CM_OK;
}

cm_status cm_erlang_service_level(double traffic, uint32_t agents, double aht_seconds,
                                  double target_seconds, double *sl)
{
    CM_REQUIRE(sl != NULL, CM_EINVAL);
    CM_REQUIRE(nonneg(traffic) && positive(aht_seconds) && nonneg(target_seconds), CM_EINVAL);
    CM_TRY(limits(traffic, aht_seconds));
    erlang q;
    CM_TRY(erlang_c_state(traffic, agents, &q));
    *sl = erlang_sl_of(&q, aht_seconds, target_seconds);
    return CM_OK;
}

cm_status cm_erlang_asa(double traffic, uint32_t agents, double aht_seconds, double *asa_seconds)
{
    CM_REQUIRE(asa_seconds != NULL, CM_EINVAL);
    CM_REQUIRE(nonneg(traffic) && positive(aht_seconds), CM_EINVAL);
    CM_TRY(limits(traffic, aht_seconds));
    erlang q;
    CM_TRY(erlang_c_state(traffic, agents, &q));
    *asa_seconds = erlang_asa_of(&q, aht_seconds);
    return CM_OK;
}

cm_status cm_erlang_occupancy(double traffic, uint32_t agents, double *occupancy)
{
    CM_REQUIRE(occupancy != NULL, CM_EINVAL);
    CM_REQUIRE(nonneg(traffic), CM_EINVAL);
    CM_TRY(traffic_range(traffic));
    CM_REQUIRE((double)agents > traffic, CM_EUNSTABLE);
    *occupancy = traffic / (double)agents;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Erlang C staffing search                                                */
/* ---------------------------------------------------------------------- */

/* What a candidate number of agents has to achieve. */
typedef struct target {
    bool asa;       /* ASA target instead of a service level */
    double aht;     /* seconds */
    double seconds; /* answer-time target t, or the ASA target */
    double sl;      /* service-level target */
} target;

static bool meets(const erlang *q, const target *tg)
{
    if (tg->asa)
        return erlang_asa_of(q, tg->aht) <= tg->seconds;
    return erlang_sl_of(q, tg->aht, tg->seconds) >= tg->sl;
}

/*
 * Smallest N >= 1 with a/N <= cap, evaluated with the same division as
 * cm_erlang_occupancy() so the two always agree. Returns a double so a
 * result beyond UINT32_MAX can be reported.
 */
static double occupancy_floor(double a, double cap)
{
    double n = fmax(1.0, ceil(a / cap));
    if (!(n <= (double)UINT32_MAX))
        return n;
    while (a / n > cap)
        n += 1.0;
    while (n > 1.0 && a / (n - 1.0) <= cap)
        n -= 1.0;
    return n;
}

/* Standard normal density and distribution function. */
static double phi(double x)
{
    return exp(-0.5 * x * x) * 0.39894228040143267794;
}

static double big_phi(double x)
{
    return 0.5 * erfc(-x * 0.70710678118654752440);
}

/*
 * Square-root staffing (Halfin & Whitt 1981): with N = A + β·√A the
 * probability of waiting tends to α(β) = 1 / (1 + β·Φ(β)/φ(β)), so
 * SL ≈ 1 − α(β)·e^{−β·√A·t/AHT} and ASA ≈ α(β)·AHT/(β·√A). Ten
 * bisection steps for β in [0, 8] (β to within 0.008) are plenty for a
 * starting point: the search then steps to the exact answer.
 */
#define SQRT_STAFFING_MIN 256.0

static double sqrt_staffing(double a, const target *tg)
{
    const double ra = sqrt(a);
    double lo = 0.0, hi = 8.0;
    for (int i = 0; i < 10; i++) {
        const double b = 0.5 * (lo + hi);
        const double alpha = 1.0 / (1.0 + b * big_phi(b) / phi(b));
        const bool ok = tg->asa ? alpha * tg->aht <= tg->seconds * b * ra
                                : 1.0 - alpha * exp(-b * ra * tg->seconds / tg->aht) >= tg->sl;
        if (ok)
            hi = b;
        else
            lo = b;
    }
    return floor(a + lo * ra);
}

/*
 * Minimum agents for a target, leaving *q at that number of agents. The
 * recursion is run once up to the square-root-staffing estimate; from there
 * each candidate costs one recursion step up or down.
 */
static cm_status erlang_search(double a, const target *tg, double max_occupancy, erlang *q)
{
    const double lowest = fmax(floor(a) + 1.0, occupancy_floor(a, max_occupancy));
    CM_REQUIRE(lowest <= (double)UINT32_MAX, CM_EOVERFLOW);
    const uint32_t n_lo = (uint32_t)lowest;
    /* Below SQRT_STAFFING_MIN Erlangs the answer is a handful of steps above
     * ⌊A⌋ + 1, fewer than the estimate costs. */
    const double guess =
        a >= SQRT_STAFFING_MIN ? fmin(sqrt_staffing(a, tg), (double)UINT32_MAX) : 0.0;
    const uint32_t start = guess > lowest ? (uint32_t)guess : n_lo;
    erlang_start(q, a, start);
    erlang_to(q, start);
    if (erlang_saturated(q) && start > n_lo) {
        /* B underflowed on the way: every target is met at the start, and the
         * answer may lie lower. Restart at the lowest candidate. */
        erlang_start(q, a, n_lo);
        erlang_to(q, n_lo);
    }
    if (erlang_saturated(q))
        return CM_OK; /* meets every target; nothing lower is allowed */
    if (meets(q, tg)) {
        while (q->n > n_lo) {
            const erlang keep = *q;
            erlang_down(q);
            if (!meets(q, tg)) {
                *q = keep;
                break;
            }
        }
        return CM_OK;
    }
    /* Saturation makes every target met, so this loop ends. */
    do {
        CM_REQUIRE(q->n < UINT32_MAX, CM_EOVERFLOW);
        erlang_up(q);
    } while (!meets(q, tg));
    return CM_OK;
}

cm_status cm_erlang_agents(double traffic, double aht_seconds, double target_sl,
                           double target_seconds, double max_occupancy, uint32_t *agents)
{
    CM_REQUIRE(agents != NULL, CM_EINVAL);
    CM_REQUIRE(nonneg(traffic) && positive(aht_seconds) && open_unit(target_sl) &&
                   nonneg(target_seconds) && cap_unit(max_occupancy),
               CM_EINVAL);
    CM_TRY(limits(traffic, aht_seconds));
    if (traffic == 0.0) {
        *agents = 0;
        return CM_OK;
    }
    const target tg = {false, aht_seconds, target_seconds, target_sl};
    erlang q;
    CM_TRY(erlang_search(traffic, &tg, max_occupancy, &q));
    *agents = q.n;
    return CM_OK;
}

cm_status cm_erlang_agents_asa(double traffic, double aht_seconds, double target_asa_seconds,
                               double max_occupancy, uint32_t *agents)
{
    CM_REQUIRE(agents != NULL, CM_EINVAL);
    CM_REQUIRE(nonneg(traffic) && positive(aht_seconds) && positive(target_asa_seconds) &&
                   cap_unit(max_occupancy),
               CM_EINVAL);
    CM_TRY(limits(traffic, aht_seconds));
    if (traffic == 0.0) {
        *agents = 0;
        return CM_OK;
    }
    const target tg = {true, aht_seconds, target_asa_seconds, 0.0};
    erlang q;
    CM_TRY(erlang_search(traffic, &tg, max_occupancy, &q));
    *agents = q.n;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Incomplete gamma pieces for Erlang A                                    */
/* ---------------------------------------------------------------------- */

/* x − log(1 + x) for x > −1, without cancellation near 0. */
static double log1pmx_neg(double x)
{
    if (x < -0.5 || x > 1.0)
        return x - log1p(x);
    /* With u = x/(2 + x): log1p(x) = 2·atanh(u) and x − 2u = u·x, so
     * x − log1p(x) = u·x − 2·(u³/3 + u⁵/5 + ...), |u| <= 1/3. */
    const double u = x / (2.0 + x), u2 = u * u;
    double term = u * u2, sum = 0.0;
    for (int k = 3; k < 80; k += 2) {
        const double add = term / k;
        sum += add;
        if (fabs(add) <= 0x1p-60 * fabs(sum))
            break;
        term *= u2;
    }
    return u * x - 2.0 * sum;
}

/* Stirling remainder: lgamma(a + 1) − (a·ln a − a + ½·ln(2πa)), for a >= 15. */
static double stirling_rest(double a)
{
    const double r = 1.0 / a, r2 = r * r;
    return r *
           (1.0 / 12 +
            r2 * (-1.0 / 360 +
                  r2 * (1.0 / 1260 + r2 * (-1.0 / 1680 + r2 * (1.0 / 1188 + r2 * (-691.0 / 360360 +
                                                                                  r2 / 156.0))))));
}

/*
 * ln g(a, x) with g(a, x) = x^a·e^{−x} / Γ(a + 1), the term of the Poisson-like
 * series below. For a >= 15 in the form of Temme and DiDonato & Morris:
 *   ln g = −a·((x − a)/a − log1p((x − a)/a)) − ½·ln(2πa) − stirling_rest(a),
 * which keeps its absolute accuracy when x·ln x and lgamma are both large.
 */
static double log_gterm(double a, double x)
{
    if (a < 15.0)
        return a * log(x) - x - lgamma(a + 1.0);
    return -a * log1pmx_neg((x - a) / a) - 0.5 * log(6.28318530717958647693 * a) - stirling_rest(a);
}

/* ψ(lo + n) − ψ(lo) = Σ_{k<n} 1/(lo + k), for lo >= 1. */
static double digamma_diff(double lo, double n)
{
    if (n <= 64.0) {
        double sum = 0.0;
        for (double k = 0.0; k < n; k += 1.0)
            sum += 1.0 / (lo + k);
        return sum;
    }
    double sum = 0.0;
    while (lo < 16.0) {
        sum += 1.0 / lo;
        lo += 1.0;
        n -= 1.0;
    }
    const double hi = lo + n;
    /* ψ(x) = ln x − 1/(2x) − c(x), c(x) = Σ B_2k / (2k·x^2k); the next
     * term at x >= 16 is below 1e-16. */
    double c[2];
    const double xs[2] = {lo, hi};
    for (int i = 0; i < 2; i++) {
        const double r2 = 1.0 / (xs[i] * xs[i]);
        c[i] =
            r2 * (1.0 / 12 + r2 * (-1.0 / 120 + r2 * (1.0 / 252 + r2 * (-1.0 / 240 + r2 / 132.0))));
    }
    return sum + log1p(n / lo) - 0.5 * (1.0 / hi - 1.0 / lo) - (c[1] - c[0]);
}

/*
 * Sums over the terms p_j = g(a + j, x), j >= 0, in units of the largest
 * term. Σ_j p_j is the regularised lower incomplete gamma P(a, x). The sums
 * that the Erlang A formulas divide by x are accumulated already divided,
 * using p_{j+1}/x = p_j/(a + j + 1), so that nothing is 0/0 when x underflows.
 */
typedef struct gsum {
    double lnunit; /* ln of the unit: ln p_{top} */
    double top;    /* index of the unit term */
    double p;      /* Σ p_j                                  = P(a, x) */
    double p1x;    /* Σ p_j·a/(a + j + 1)                    = a·P(a + 1, x)/x */
    double m1x;    /* Σ p_j·(j + 1)/(a + j + 1)              = Σ_k k·p_k / x */
    double w;      /* Σ p_j·a/(a + j + 1)·(ψ(a + j + 2) − ψ(a + 1)) */
    double p0;     /* p_0, or 0 when it is negligible against guard·p_0 */
} gsum;

#define NEGLIGIBLE 0x1p-56

/* Adds term t = p_j (in units) with h = ψ(a + j + 2) − ψ(a + 1). */
static void gsum_add(gsum *g, double a, double j, double t, double h)
{
    const double inv = 1.0 / (a + j + 1.0);
    g->p += t;
    g->p1x += t * a * inv;
    g->m1x += t * (j + 1.0) * inv;
    g->w += t * a * inv * h;
}

/*
 * Walks from the largest term (p_{j+1}/p_j = x/(a + j + 1) crosses 1 at
 * j = x − a − 1) outwards until what is left of every sum is below 2^−56 of
 * it; the ratios bound the tails geometrically, and the extra factors of
 * each sum are at most 1 (h grows by at most 1/(a + j + 2) per step). Each
 * sum is of positive terms. `guard` is the multiplier (1 + S of the Erlang B
 * part) that p_0 meets in the caller, so the downward walk also continues
 * until guard·p_0 is negligible. Cost: a few times √x terms near the peak.
 */
static void gamma_walk(double a, double x, double guard, gsum *g)
{
    memset(g, 0, sizeof *g);
    if (!(x > 0.0)) {
        /* x = 0 (or underflowed): only p_0 is left. */
        g->lnunit = -HUGE_VAL;
        g->p0 = 1.0;
        gsum_add(g, a, 0.0, 1.0, 1.0 / (a + 1.0));
        return;
    }
    const double top = x > a + 1.0 ? floor(x - a) : 0.0;
    g->top = top;
    g->lnunit = log_gterm(a + top, x);
    const double h_top = digamma_diff(a + 1.0, top + 1.0);

    /* Upward, including the peak. */
    double t = 1.0, j = top, h = h_top;
    for (;;) {
        gsum_add(g, a, j, t, h);
        const double ratio = x / (a + j + 1.0);
        if (ratio < 1.0) {
            const double q = ratio / (1.0 - ratio); /* Σ_{i>=1} ratio^i */
            const double tail = t * q;
            const double tail_w = t * (h * q + q / ((1.0 - ratio) * (a + j + 2.0)));
            if (tail <= NEGLIGIBLE * g->p && tail * a / (a + j + 2.0) <= NEGLIGIBLE * g->p1x &&
                tail <= NEGLIGIBLE * g->m1x && tail_w <= NEGLIGIBLE * g->w)
                break;
        }
        t *= ratio;
        j += 1.0;
        h += 1.0 / (a + j + 1.0);
    }

    /* Downward from the peak. */
    if (top == 0.0) {
        g->p0 = 1.0;
        return;
    }
    t = 1.0;
    j = top;
    h = h_top;
    for (;;) {
        h -= 1.0 / (a + j + 1.0);
        t *= (a + j) / x; /* p_{j−1}/p_j < 1 below the peak */
        j -= 1.0;
        gsum_add(g, a, j, t, h);
        if (j == 0.0) {
            g->p0 = t;
            return;
        }
        const double below = (a + j) / x;
        const double tail = t * below / (1.0 - below);
        if ((tail + guard * t) <= NEGLIGIBLE * g->p && tail <= NEGLIGIBLE * g->p1x &&
            tail * (j + 1.0) / (a + j + 1.0) <= NEGLIGIBLE * g->m1x &&
            tail * h <= NEGLIGIBLE * g->w)
            return; /* p_0 <= t is negligible */
    }
}

/* ---------------------------------------------------------------------- */
/* Erlang A                                                                */
/* ---------------------------------------------------------------------- */

/*
 * With λ the arrival rate, μ = 1/AHT, θ = 1/patience, x = λ/θ, y = Nμ/θ and
 * z = x·e^{−θt}, the stationary probabilities of the birth-death chain give
 * (docs/queue.md has the derivation), with S = 1/B(N,A) − 1 and
 * D = S·g(y,x) + P(y,x):
 *   P(wait)        = P(y,x) / D
 *   P(abandon)     = Σ_k k·g(y+k,x)/x / D
 *   P(served)      = (S·g(y,x) + y·P(y+1,x)/x) / D
 *   P(served, W>t) = e^{−θt}·y·P(y+1,z)/z / D
 *   P(ab, W>t)     = e^{−θt}·Σ_k k·g(y+k,z)/z / D
 *   E[W; served]   = (1/θ)·Σ_j g(y+j,x)·y/(y+j+1)·(ψ(y+j+2) − ψ(y+1)) / D
 * The walks return these sums in units of their largest term; the Erlang B
 * state is scaled by 2^−e. Both scales cancel in every ratio.
 */
typedef struct erlang_a_in {
    double a, aht, patience, t;
    uint32_t n;
} erlang_a_in;

static void erlang_a_eval(const erlang_a_in *in, cm_erlang_a_result *out)
{
    const double a = in->a, n = (double)in->n;
    if (a == 0.0) {
        const cm_erlang_a_result idle = {0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0};
        *out = idle;
        return;
    }
    const double ratio = in->patience / in->aht;
    const double x = a * ratio, y = n * ratio, theta_t = in->t / in->patience;

    erlang q;
    erlang_start(&q, a, in->n);
    erlang_to(&q, in->n);
    if (erlang_saturated(&q)) {
        /* B(N) < 2^−1100: nobody waits, to double precision. */
        const cm_erlang_a_result none = {0.0, 0.0, 1.0, 0.0, 0.0, 0.0, a / n};
        *out = none;
        return;
    }
    /* The guard only matters when e = 0 (e > 0 means N > A: no downward walk). */
    gsum gx, gz;
    gamma_walk(y, x, 1.0 + q.s, &gx);
    /* late = e^{−θt} × (unit of the z walk) / (unit of the x walk). */
    const double z = x * exp(-theta_t);
    double late = 0.0;
    if (theta_t == 0.0) {
        gz = gx;
        late = 1.0;
    } else if (isfinite(theta_t)) {
        gamma_walk(y, z, 1.0 + q.s, &gz);
        if (gx.top == 0.0 && gz.top == 0.0)
            /* Both units are p_0: ln g(y,z) − ln g(y,x) = y·ln(z/x) + x − z exactly. */
            late = exp(-theta_t - y * theta_t - x * expm1(-theta_t));
        else if (z > 0.0)
            late = exp(gz.lnunit - gx.lnunit - theta_t);
    } else {
        memset(&gz, 0, sizeof gz);
    }
    const double u = q.unit;
    const double lower = q.s * gx.p0; /* S·g(y,x), scaled by 2^−e */
    const double den = lower + gx.p * u;
    const double served = lower + gx.p1x * u;
    const double served_late = late * gz.p1x * u;
    const double ab_late = late * gz.m1x * u;

    out->p_wait = gx.p * u / den;
    out->p_abandon = gx.m1x * u / den;
    out->service_level = fmax(0.0, served - served_late) / den;
    out->p_abandoned_within = fmax(0.0, gx.m1x * u - ab_late) / den;
    out->asa_seconds = in->patience * gx.w * u / served;
    out->mean_wait_seconds = out->p_abandon * in->patience;
    /* Busy agents never exceed N; the clamp removes rounding when all are busy. */
    out->occupancy = fmin(1.0, a * (served / den) / n);
}

static cm_status erlang_a_check(double traffic, double aht, double patience)
{
    CM_TRY(limits(traffic, aht));
    CM_REQUIRE(patience <= CM_ERLANG_A_MAX_PATIENCE_RATIO * aht, CM_ERANGE);
    return CM_OK;
}

cm_status cm_erlang_a(double traffic, uint32_t agents, double aht_seconds, double patience_seconds,
                      double target_seconds, cm_erlang_a_result *out)
{
    CM_REQUIRE(out != NULL, CM_EINVAL);
    CM_REQUIRE(nonneg(traffic) && positive(aht_seconds) && positive(patience_seconds) &&
                   nonneg(target_seconds),
               CM_EINVAL);
    CM_REQUIRE(agents >= 1, CM_EINVAL);
    CM_TRY(erlang_a_check(traffic, aht_seconds, patience_seconds));
    const erlang_a_in in = {traffic, aht_seconds, patience_seconds, target_seconds, agents};
    erlang_a_eval(&in, out);
    return CM_OK;
}

typedef struct erlang_a_goal {
    double sl, max_abandon, max_occupancy;
} erlang_a_goal;

static bool erlang_a_meets(erlang_a_in *in, uint64_t n, const erlang_a_goal *goal)
{
    cm_erlang_a_result r;
    in->n = (uint32_t)n;
    erlang_a_eval(in, &r);
    return r.service_level >= goal->sl && r.p_abandon <= goal->max_abandon &&
           r.occupancy <= goal->max_occupancy;
}

cm_status cm_erlang_a_agents(double traffic, double aht_seconds, double patience_seconds,
                             double target_sl, double target_seconds, double max_abandon,
                             double max_occupancy, uint32_t *agents)
{
    CM_REQUIRE(agents != NULL, CM_EINVAL);
    CM_REQUIRE(nonneg(traffic) && positive(aht_seconds) && positive(patience_seconds) &&
                   open_unit(target_sl) && nonneg(target_seconds) && cap_unit(max_abandon) &&
                   cap_unit(max_occupancy),
               CM_EINVAL);
    CM_TRY(erlang_a_check(traffic, aht_seconds, patience_seconds));
    if (traffic == 0.0) {
        *agents = 0;
        return CM_OK;
    }
    /* Occupancy is at most A/N, so ⌈A/cap⌉ agents always satisfy the cap:
     * beyond UINT32_MAX there is no answer to give. */
    erlang_a_in in = {traffic, aht_seconds, patience_seconds, target_seconds, 1};
    const erlang_a_goal goal = {target_sl, max_abandon, max_occupancy};
    const uint64_t limit = UINT32_MAX;
    uint64_t good, bad; /* meets at good, fails at bad (0 = none known) */
    uint64_t n0 = (uint64_t)ceil(traffic);
    if (n0 < 1)
        n0 = 1;
    if (erlang_a_meets(&in, n0, &goal)) {
        good = n0;
        bad = 0;
        for (uint64_t step = 1; good > 1; step *= 2) {
            const uint64_t c = good > step ? good - step : 1;
            if (!erlang_a_meets(&in, c, &goal)) {
                bad = c;
                break;
            }
            good = c;
        }
        if (good == 1 || bad == 0) {
            *agents = (uint32_t)good;
            return CM_OK;
        }
    } else {
        bad = n0;
        for (uint64_t step = 1;; step *= 2) {
            CM_REQUIRE(bad < limit, CM_EOVERFLOW);
            const uint64_t c = bad + step < limit ? bad + step : limit;
            if (erlang_a_meets(&in, c, &goal)) {
                good = c;
                break;
            }
            bad = c;
        }
    }
    while (good - bad > 1) {
        const uint64_t mid = bad + (good - bad) / 2;
        if (erlang_a_meets(&in, mid, &goal))
            good = mid;
        else
            bad = mid;
    }
    *agents = (uint32_t)good;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Workforce                                                               */
/* ---------------------------------------------------------------------- */

cm_status cm_workload_hours(const double *contacts, const double *aht_seconds, size_t n,
                            double *hours)
{
    CM_REQUIRE(hours != NULL && (n == 0 || (contacts != NULL && aht_seconds != NULL)), CM_EINVAL);
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        CM_REQUIRE(nonneg(contacts[i]) && positive(aht_seconds[i]), CM_EINVAL);
        sum += contacts[i] * aht_seconds[i];
    }
    CM_REQUIRE(isfinite(sum), CM_EOVERFLOW);
    *hours = sum / 3600.0;
    return CM_OK;
}

cm_status cm_workforce_plan(double workload_hours, double occupancy, double shrinkage,
                            double shift_hours, double days, cm_workforce *out)
{
    CM_REQUIRE(out != NULL, CM_EINVAL);
    CM_REQUIRE(nonneg(workload_hours) && cap_unit(occupancy) && nonneg(shrinkage) &&
                   shrinkage < 1.0 && positive(shift_hours) && positive(days),
               CM_EINVAL);
    cm_workforce w;
    w.workload_hours = workload_hours;
    w.scheduled_hours = workload_hours / occupancy / (1.0 - shrinkage);
    w.shifts = w.scheduled_hours / shift_hours;
    w.fte = w.shifts / days;
    CM_REQUIRE(isfinite(w.scheduled_hours) && isfinite(w.shifts) && isfinite(w.fte), CM_EOVERFLOW);
    *out = w;
    return CM_OK;
}

cm_status cm_staffing_plan(const double *volumes, const double *aht_seconds, size_t n,
                           double interval_seconds, double target_sl, double target_seconds,
                           double max_occupancy, cm_interval_staffing *out)
{
    CM_REQUIRE(n == 0 || (volumes != NULL && aht_seconds != NULL && out != NULL), CM_EINVAL);
    CM_REQUIRE(positive(interval_seconds) && open_unit(target_sl) && nonneg(target_seconds) &&
                   cap_unit(max_occupancy),
               CM_EINVAL);
    /* First pass: everything that could fail, so nothing is written on error.
     * With traffic <= CM_ERLANG_MAX_TRAFFIC a service-level target is met
     * well below UINT32_MAX agents; only the occupancy cap can exceed it. */
    for (size_t i = 0; i < n; i++)
        CM_REQUIRE(nonneg(volumes[i]) && positive(aht_seconds[i]), CM_EINVAL);
    for (size_t i = 0; i < n; i++) {
        const double a = volumes[i] * aht_seconds[i] / interval_seconds;
        CM_REQUIRE(isfinite(a), CM_ERANGE);
        CM_TRY(limits(a, aht_seconds[i]));
        CM_REQUIRE(occupancy_floor(a, max_occupancy) <= (double)UINT32_MAX, CM_EOVERFLOW);
    }
    for (size_t i = 0; i < n; i++) {
        const double a = volumes[i] * aht_seconds[i] / interval_seconds;
        cm_interval_staffing s = {a, 0, 1.0, 0.0, 0.0};
        if (a > 0.0) {
            const target tg = {false, aht_seconds[i], target_seconds, target_sl};
            erlang q;
            if (erlang_search(a, &tg, max_occupancy, &q) != CM_OK)
                return CM_EOVERFLOW; /* excluded by the first pass */
            s.agents = q.n;
            s.service_level = erlang_sl_of(&q, aht_seconds[i], target_seconds);
            s.asa_seconds = erlang_asa_of(&q, aht_seconds[i]);
            s.occupancy = a / (double)q.n;
        }
        out[i] = s;
    }
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* ABI queries                                                             */
/* ---------------------------------------------------------------------- */

size_t cm_queue_sizeof(const char *name)
{
    static const cm__named_size sizes[] = {
        CM__SIZE_OF(cm_erlang_a_result),
        CM__SIZE_OF(cm_workforce),
        CM__SIZE_OF(cm_interval_staffing),
    };
    return cm__lookup_size(sizes, CM__COUNT_OF(sizes), name);
}

cm_status cm_queue_constant(const char *name, double *out)
{
    static const cm__named_value constants[] = {
        CM__VALUE_OF(CM_ERLANG_MAX_TRAFFIC),
        CM__VALUE_OF(CM_ERLANG_A_MAX_PATIENCE_RATIO),
        CM__VALUE_OF(CM_ERLANG_MAX_AHT_SECONDS),
    };
    return cm__lookup_value(constants, CM__COUNT_OF(constants), name, out);
}
