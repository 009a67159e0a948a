/*
 * Forecasting methods on the regular slot grid: seasonal naive, weekly mean
 * and median, Holt-Winters on daily totals with an intraday profile, and
 * Taylor's double-seasonal Holt-Winters; the Nelder–Mead fit of their
 * parameters; prediction intervals. Formulas and sources: docs/forecast.md.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/forecast.h>

#include <math.h>
#include <string.h>

#include "common-internal.h"
#include "forecast-internal.h"

/* ---------------------------------------------------------------------- */
/* Models and series                                                       */
/* ---------------------------------------------------------------------- */

enum { P_ALPHA, P_BETA, P_GAMMA, P_OMEGA, P_PHI, P_LAMBDA, NPARAM };

/* Search bounds and starting point of the optimiser, per parameter. */
static const double fit_lo[NPARAM] = {0.0, 0.0, 0.0, 0.0, 0.8, 0.0};
static const double fit_hi[NPARAM] = {1.0, 1.0, 1.0, 1.0, 0.98, 0.99};
static const double fit_start[NPARAM] = {0.2, 0.05, 0.1, 0.1, 0.9, 0.2};

static bool smoothing(const cm_forecast_model *m)
{
    return m->method == CM_FORECAST_HOLT_WINTERS || m->method == CM_FORECAST_TAYLOR;
}

/* Bits of the parameters a model reads. */
static uint32_t used_params(const cm_forecast_model *m)
{
    if (!smoothing(m))
        return 0;
    uint32_t u = CM_FORECAST_ALPHA | CM_FORECAST_GAMMA;
    if (m->trend != CM_FORECAST_TREND_NONE)
        u |= CM_FORECAST_BETA;
    if (m->trend == CM_FORECAST_TREND_DAMPED)
        u |= CM_FORECAST_PHI;
    if (m->method == CM_FORECAST_TAYLOR)
        u |= CM_FORECAST_OMEGA | CM_FORECAST_LAMBDA;
    return u;
}

static void params_to_vec(const cm_forecast_params *p, double v[NPARAM])
{
    v[P_ALPHA] = p->alpha;
    v[P_BETA] = p->beta;
    v[P_GAMMA] = p->gamma;
    v[P_OMEGA] = p->omega;
    v[P_PHI] = p->phi;
    v[P_LAMBDA] = p->lambda;
}

static void vec_to_params(const double v[NPARAM], cm_forecast_params *p)
{
    p->alpha = v[P_ALPHA];
    p->beta = v[P_BETA];
    p->gamma = v[P_GAMMA];
    p->omega = v[P_OMEGA];
    p->phi = v[P_PHI];
    p->lambda = v[P_LAMBDA];
}

static bool unit(double v)
{
    return isfinite(v) && v >= 0.0 && v <= 1.0;
}

cm_status cm__fc_check_model(const cm_forecast_model *m)
{
    CM_REQUIRE(m != NULL, CM_EINVAL);
    CM_REQUIRE(m->method >= CM_FORECAST_SEASONAL_NAIVE && m->method <= CM_FORECAST_TAYLOR,
               CM_EINVAL);
    CM_REQUIRE(cm__fc_slots_ok(m->slots_per_day), CM_EINVAL);
    CM_REQUIRE(m->trend >= CM_FORECAST_TREND_NONE && m->trend <= CM_FORECAST_TREND_DAMPED,
               CM_EINVAL);
    CM_REQUIRE(m->seasonality == CM_FORECAST_SEASON_ADDITIVE ||
                   m->seasonality == CM_FORECAST_SEASON_MULTIPLICATIVE,
               CM_EINVAL);
    CM_REQUIRE(m->method != CM_FORECAST_TAYLOR || m->seasonality == CM_FORECAST_SEASON_ADDITIVE,
               CM_EINVAL);
    CM_REQUIRE((m->fit & ~CM_FORECAST_FIT_ALL) == 0, CM_EINVAL);
    if (m->method == CM_FORECAST_WEEKLY_MEAN || m->method == CM_FORECAST_WEEKLY_MEDIAN ||
        m->method == CM_FORECAST_HOLT_WINTERS)
        CM_REQUIRE(m->weeks >= 1 && m->weeks <= CM_FORECAST_MAX_WEEKS, CM_EINVAL);
    const uint32_t fixed = used_params(m) & ~m->fit;
    const cm_forecast_params *p = &m->params;
    CM_REQUIRE(!(fixed & CM_FORECAST_ALPHA) || unit(p->alpha), CM_EINVAL);
    CM_REQUIRE(!(fixed & CM_FORECAST_BETA) || unit(p->beta), CM_EINVAL);
    CM_REQUIRE(!(fixed & CM_FORECAST_GAMMA) || unit(p->gamma), CM_EINVAL);
    CM_REQUIRE(!(fixed & CM_FORECAST_OMEGA) || unit(p->omega), CM_EINVAL);
    CM_REQUIRE(!(fixed & CM_FORECAST_PHI) || (isfinite(p->phi) && p->phi > 0.0 && p->phi <= 1.0),
               CM_EINVAL);
    CM_REQUIRE(!(fixed & CM_FORECAST_LAMBDA) ||
                   (isfinite(p->lambda) && p->lambda > -1.0 && p->lambda < 1.0),
               CM_EINVAL);
    return CM_OK;
}

size_t cm__fc_min_history(const cm_forecast_model *m, bool have_initial)
{
    const size_t day = m->slots_per_day;
    if (smoothing(m))
        return have_initial ? day : 14 * day;
    return 7 * day;
}

cm_status cm__fc_check_series(const double *y, const uint8_t *state, size_t n,
                              uint32_t slots_per_day)
{
    CM_REQUIRE(y != NULL && cm__fc_slots_ok(slots_per_day), CM_EINVAL);
    CM_REQUIRE(n > 0 && n % slots_per_day == 0, CM_EINVAL);
    for (size_t t = 0; t < n; t++)
        CM_REQUIRE(isfinite(y[t]) && y[t] >= 0.0, CM_EINVAL);
    if (state != NULL) {
        for (size_t t = 0; t < n; t++)
            CM_REQUIRE(state[t] <= CM_FORECAST_MISSING, CM_EINVAL);
    }
    return CM_OK;
}

static bool observed(const uint8_t *state, size_t t)
{
    return state == NULL || state[t] == CM_FORECAST_OBSERVED;
}

cm_status cm_forecast_model_default(cm_forecast_method method, uint32_t slots_per_day,
                                    cm_forecast_model *out)
{
    CM_REQUIRE(out != NULL, CM_EINVAL);
    CM_REQUIRE(method >= CM_FORECAST_SEASONAL_NAIVE && method <= CM_FORECAST_TAYLOR, CM_EINVAL);
    CM_REQUIRE(cm__fc_slots_ok(slots_per_day), CM_EINVAL);
    cm_forecast_model m;
    memset(&m, 0, sizeof m);
    m.method = method;
    m.slots_per_day = slots_per_day;
    m.weeks = method == CM_FORECAST_HOLT_WINTERS ? 8 : 4;
    m.trend = CM_FORECAST_TREND_NONE;
    m.seasonality = CM_FORECAST_SEASON_ADDITIVE;
    m.fit = CM_FORECAST_FIT_ALL;
    m.params.alpha = 0.2;
    m.params.beta = 0.05;
    m.params.gamma = 0.1;
    m.params.omega = 0.1;
    m.params.phi = 0.9;
    m.params.lambda = 0.0;
    *out = m;
    return CM_OK;
}

static size_t initial_count(const cm_forecast_model *m)
{
    if (m->method == CM_FORECAST_HOLT_WINTERS)
        return 2 + 7;
    if (m->method == CM_FORECAST_TAYLOR)
        return 2 + (size_t)8 * m->slots_per_day;
    return 0;
}

cm_status cm_forecast_initial_size(const cm_forecast_model *model, size_t *n)
{
    CM_REQUIRE(n != NULL, CM_EINVAL);
    CM_TRY(cm__fc_check_model(model));
    *n = initial_count(model);
    return CM_OK;
}

static bool has_interval(const cm_forecast_model *m)
{
    switch (m->method) {
    case CM_FORECAST_SEASONAL_NAIVE:
    case CM_FORECAST_WEEKLY_MEAN:
    case CM_FORECAST_TAYLOR:
        return true;
    case CM_FORECAST_HOLT_WINTERS:
        return m->seasonality == CM_FORECAST_SEASON_ADDITIVE;
    default:
        return false;
    }
}

cm_status cm_forecast_has_interval(const cm_forecast_model *model, bool *out)
{
    CM_REQUIRE(out != NULL, CM_EINVAL);
    CM_TRY(cm__fc_check_model(model));
    *out = has_interval(model);
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Workspace                                                               */
/* ---------------------------------------------------------------------- */

/* Carves arrays out of the workspace; with base NULL it only adds up sizes. */
typedef struct carver {
    unsigned char *base;
    size_t used;
    bool overflow;
} carver;

static void *take(carver *c, size_t count, size_t size)
{
    size_t bytes, at;
    if (__builtin_mul_overflow(count, size, &bytes) ||
        __builtin_add_overflow(c->used, (size_t)7, &at)) {
        c->overflow = true;
        return NULL;
    }
    at &= ~(size_t)7; /* every array starts 8-aligned */
    if (__builtin_add_overflow(at, bytes, &c->used)) {
        c->overflow = true;
        return NULL;
    }
    return c->base != NULL ? c->base + at : NULL;
}

typedef struct workspace {
    double *totals;     /* Holt-Winters: daily totals */
    uint8_t *day_state; /* Holt-Winters: daily states */
    double *init;       /* initial states, computed or copied */
    double *ring_d;     /* Taylor: intraday season */
    double *ring_w;     /* Taylor: intraweek season */
    double *profile;    /* Holt-Winters: share of the day per weekday and slot */
    double *prof_var;   /* Holt-Winters: squared deviations from the profile */
    double *prof_cnt;   /* Holt-Winters: their counts */
} workspace;

static void lay_out(const cm_forecast_model *m, size_t n, size_t horizon, carver *c, workspace *w)
{
    memset(w, 0, sizeof *w);
    const size_t p = m->slots_per_day, week = 7 * p;
    if (m->method == CM_FORECAST_HOLT_WINTERS) {
        const size_t days = n / p;
        w->totals = take(c, days, sizeof(double));
        w->init = take(c, initial_count(m), sizeof(double));
        w->day_state = take(c, days, 1);
        if (horizon > 0) {
            w->profile = take(c, week, sizeof(double));
            w->prof_var = take(c, week, sizeof(double));
            w->prof_cnt = take(c, week, sizeof(double));
        }
    } else if (m->method == CM_FORECAST_TAYLOR) {
        w->init = take(c, initial_count(m), sizeof(double));
        w->ring_d = take(c, p, sizeof(double));
        w->ring_w = take(c, week, sizeof(double));
    }
}

cm_status cm_forecast_workspace_size(const cm_forecast_model *model, size_t n, size_t horizon,
                                     size_t *bytes)
{
    CM_REQUIRE(bytes != NULL, CM_EINVAL);
    CM_TRY(cm__fc_check_model(model));
    carver c = {NULL, 0, false};
    workspace w;
    lay_out(model, n, horizon, &c, &w);
    CM_REQUIRE(!c.overflow, CM_EOVERFLOW);
    *bytes = c.used;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Nelder–Mead in a box                                                    */
/* ---------------------------------------------------------------------- */

/*
 * The free parameters are searched in an unbounded space u, mapped into
 * their bounds by p = lo + (hi − lo)·σ(u) with the logistic σ. The simplex
 * starts at the fixed starting values with steps of 1 in u along each axis
 * and uses the standard coefficients (reflection 1, expansion 2,
 * contraction ½, shrink ½; Lagarias et al. 1998). It stops when the values
 * at its vertices agree to 1e-10 relative and its vertices to 1e-6 in u
 * (as scipy's fatol / xatol), or after the evaluation budget. Every step is
 * a fixed sequence of floating-point operations: the same data give the
 * same parameters.
 */
typedef double (*objective_fn)(const double p[NPARAM], void *ctx);

typedef struct problem {
    int k;            /* free parameters */
    int idx[NPARAM];  /* their positions in p */
    double p[NPARAM]; /* all parameters: fixed ones as given */
    objective_fn f;
    void *ctx;
    uint32_t evals, max_evals;
} problem;

static double to_param(double u, int i)
{
    return fit_lo[i] + (fit_hi[i] - fit_lo[i]) / (1.0 + exp(-u));
}

static double to_u(double p, int i)
{
    const double x = (p - fit_lo[i]) / (fit_hi[i] - fit_lo[i]);
    return log(x / (1.0 - x));
}

static double evaluate(problem *pr, const double *u)
{
    for (int a = 0; a < pr->k; a++)
        pr->p[pr->idx[a]] = to_param(u[a], pr->idx[a]);
    pr->evals++;
    const double v = pr->f(pr->p, pr->ctx);
    return isnan(v) ? (double)INFINITY : v;
}

static void nelder_mead(problem *pr, double *best_f)
{
    const int k = pr->k;
    double x[NPARAM + 1][NPARAM] = {{0.0}}, fx[NPARAM + 1] = {0.0};
    for (int a = 0; a < k; a++)
        x[0][a] = to_u(fit_start[pr->idx[a]], pr->idx[a]);
    fx[0] = evaluate(pr, x[0]);
    for (int v = 1; v <= k; v++) {
        memcpy(x[v], x[0], sizeof x[0]);
        x[v][v - 1] += 1.0;
        fx[v] = evaluate(pr, x[v]);
    }
    for (;;) {
        /* Order the vertices by value (insertion sort keeps ties in place). */
        for (int v = 1; v <= k; v++) {
            double xv[NPARAM];
            memcpy(xv, x[v], sizeof xv);
            const double fv = fx[v];
            int j = v;
            for (; j > 0 && fx[j - 1] > fv; j--) {
                memcpy(x[j], x[j - 1], sizeof x[j]);
                fx[j] = fx[j - 1];
            }
            memcpy(x[j], xv, sizeof xv);
            fx[j] = fv;
        }
        if (pr->evals >= pr->max_evals)
            break;
        double spread = 0.0;
        for (int v = 1; v <= k; v++) {
            for (int a = 0; a < k; a++)
                spread = fmax(spread, fabs(x[v][a] - x[0][a]));
        }
        if (fx[k] - fx[0] <= 1e-10 * fabs(fx[0]) && spread <= 1e-6)
            break;
        double c[NPARAM], xr[NPARAM], xt[NPARAM];
        for (int a = 0; a < k; a++) {
            double s = 0.0;
            for (int v = 0; v < k; v++)
                s += x[v][a];
            c[a] = s / k;
            xr[a] = c[a] + (c[a] - x[k][a]);
        }
        const double fr = evaluate(pr, xr);
        if (fr < fx[0]) {
            for (int a = 0; a < k; a++)
                xt[a] = c[a] + 2.0 * (c[a] - x[k][a]);
            const double fe = evaluate(pr, xt);
            if (fe < fr) {
                memcpy(x[k], xt, sizeof xt);
                fx[k] = fe;
            } else {
                memcpy(x[k], xr, sizeof xr);
                fx[k] = fr;
            }
            continue;
        }
        if (fr < fx[k - 1]) {
            memcpy(x[k], xr, sizeof xr);
            fx[k] = fr;
            continue;
        }
        const bool outside = fr < fx[k];
        for (int a = 0; a < k; a++)
            xt[a] = outside ? c[a] + 0.5 * (xr[a] - c[a]) : c[a] + 0.5 * (x[k][a] - c[a]);
        const double fc = evaluate(pr, xt);
        if (outside ? fc <= fr : fc < fx[k]) {
            memcpy(x[k], xt, sizeof xt);
            fx[k] = fc;
            continue;
        }
        for (int v = 1; v <= k; v++) {
            for (int a = 0; a < k; a++)
                x[v][a] = x[0][a] + 0.5 * (x[v][a] - x[0][a]);
            fx[v] = evaluate(pr, x[v]);
        }
    }
    for (int a = 0; a < k; a++)
        pr->p[pr->idx[a]] = to_param(x[0][a], pr->idx[a]);
    *best_f = fx[0];
}

/* ---------------------------------------------------------------------- */
/* Holt-Winters on daily totals                                            */
/* ---------------------------------------------------------------------- */

/*
 * The component form of statsmodels' ExponentialSmoothing (and of Hyndman
 * et al. 2008 for the additive case), with m = 7:
 *   ŷ_t = (l + φb) + s_{t−m}            or (l + φb)·s_{t−m}
 *   l'  = α(y − s) + (1−α)(l + φb)      or α·y/s + (1−α)(l + φb)
 *   b'  = β(l' − l) + (1−β)·φb
 *   s'  = γ(y − (l + φb)) + (1−γ)s      or γ·y/(l + φb) + (1−γ)s
 * φ = 1 without damping; b = 0 without trend. An unobserved day takes
 * y = ŷ, which leaves every state on its forecast path.
 */
typedef struct hw_model {
    const double *totals;
    const uint8_t *day_state;
    size_t days;
    cm_forecast_trend trend;
    bool mul;
    const double *init; /* l0, b0, s_0..s_6 */
} hw_model;

typedef struct hw_state {
    double l, b, s[7];
} hw_state;

static double damping(const cm_forecast_model *m, const double p[NPARAM])
{
    if (m->trend == CM_FORECAST_TREND_NONE)
        return 0.0;
    return m->trend == CM_FORECAST_TREND_DAMPED ? p[P_PHI] : 1.0;
}

/* Runs the recursion; returns the SSE over observed days, or +inf when it breaks. */
static double hw_run(const hw_model *h, const double p[NPARAM], double *fitted, hw_state *end,
                     uint64_t *count)
{
    const double alpha = p[P_ALPHA], beta = p[P_BETA], gamma = p[P_GAMMA];
    const double phi = h->trend == CM_FORECAST_TREND_DAMPED ? p[P_PHI] : 1.0;
    const bool trend = h->trend != CM_FORECAST_TREND_NONE;
    double l = h->init[0], b = trend ? h->init[1] : 0.0;
    double s[7];
    memcpy(s, h->init + 2, sizeof s);
    double sse = 0.0;
    uint64_t k = 0;
    int j = 0;
    for (size_t t = 0; t < h->days; t++) {
        const double lb = l + phi * b;
        const double yhat = h->mul ? lb * s[j] : lb + s[j];
        const uint8_t st = h->day_state[t];
        if (fitted != NULL)
            fitted[t] = st == CM_FORECAST_CLOSED ? 0.0 : yhat;
        double y = yhat;
        if (st == CM_FORECAST_OBSERVED) {
            y = h->totals[t];
            const double e = y - yhat;
            sse += e * e;
            k++;
        }
        double ln;
        if (h->mul) {
            ln = alpha * y / s[j] + (1.0 - alpha) * lb;
            s[j] = gamma * y / lb + (1.0 - gamma) * s[j];
        } else {
            ln = alpha * (y - s[j]) + (1.0 - alpha) * lb;
            s[j] = gamma * (y - lb) + (1.0 - gamma) * s[j];
        }
        if (trend)
            b = beta * (ln - l) + (1.0 - beta) * phi * b;
        l = ln;
        if (++j == 7)
            j = 0;
    }
    if (count != NULL)
        *count = k;
    if (end != NULL) {
        end->l = l;
        end->b = b;
        /* Rotate so that s[i] is the season of day `days + i`. */
        for (int i = 0; i < 7; i++)
            end->s[i] = s[(h->days + (size_t)i) % 7];
    }
    bool finite = isfinite(sse) && isfinite(l) && isfinite(b);
    for (int i = 0; i < 7; i++)
        finite = finite && isfinite(s[i]);
    return finite ? sse : (double)INFINITY;
}

/* Daily totals over observed slots; a day with no observed slot is closed
 * when any of its slots is, else missing. */
static cm_status hw_days(const cm_forecast_model *m, const double *y, const uint8_t *state,
                         size_t n, double *totals, uint8_t *day_state)
{
    const size_t p = m->slots_per_day, days = n / p;
    for (size_t d = 0; d < days; d++) {
        double sum = 0.0;
        bool any_obs = false, any_closed = false;
        for (size_t s = 0; s < p; s++) {
            const size_t t = d * p + s;
            if (observed(state, t)) {
                sum += y[t];
                any_obs = true;
            } else if (state[t] == CM_FORECAST_CLOSED) {
                any_closed = true;
            }
        }
        totals[d] = sum;
        day_state[d] = any_obs      ? CM_FORECAST_OBSERVED
                       : any_closed ? CM_FORECAST_CLOSED
                                    : CM_FORECAST_MISSING;
        CM_REQUIRE(isfinite(sum), CM_ERANGE);
        if (any_obs && m->seasonality == CM_FORECAST_SEASON_MULTIPLICATIVE)
            CM_REQUIRE(sum > 0.0, CM_ERANGE);
    }
    return CM_OK;
}

/*
 * Initial states from the first two weeks: the level is the first week's
 * mean moved back to the day before the series (l0 = m1 − 4·b0), the trend
 * the change of weekly mean per day, and the season of weekday j the mean of
 * y − m_k (or y / m_k) over the two weeks, 0 (or 1) when neither week
 * observed that weekday.
 */
static cm_status hw_initial(const cm_forecast_model *m, const double *totals,
                            const uint8_t *day_state, double *init)
{
    const bool mul = m->seasonality == CM_FORECAST_SEASON_MULTIPLICATIVE;
    double mean[2];
    for (int k = 0; k < 2; k++) {
        double s = 0.0;
        int c = 0;
        for (int j = 0; j < 7; j++) {
            if (day_state[7 * k + j] == CM_FORECAST_OBSERVED) {
                s += totals[7 * k + j];
                c++;
            }
        }
        CM_REQUIRE(c > 0, CM_ENODATA);
        mean[k] = s / c;
    }
    const double b0 = m->trend != CM_FORECAST_TREND_NONE ? (mean[1] - mean[0]) / 7.0 : 0.0;
    init[0] = mean[0] - 4.0 * b0;
    init[1] = b0;
    for (int j = 0; j < 7; j++) {
        double s = 0.0;
        int c = 0;
        for (int k = 0; k < 2; k++) {
            if (day_state[7 * k + j] == CM_FORECAST_OBSERVED) {
                s += mul ? totals[7 * k + j] / mean[k] : totals[7 * k + j] - mean[k];
                c++;
            }
        }
        init[2 + j] = c > 0 ? s / c : (mul ? 1.0 : 0.0);
    }
    return CM_OK;
}

static double hw_objective(const double p[NPARAM], void *ctx)
{
    return hw_run((const hw_model *)ctx, p, NULL, NULL, NULL);
}

/* ---------------------------------------------------------------------- */
/* Taylor's double-seasonal Holt-Winters                                   */
/* ---------------------------------------------------------------------- */

/*
 * Taylor (2003), additive, with an optional (damped) trend:
 *   f_t  = l + φb + d_{t−P} + w_{t−7P}          (one-step forecast)
 *   ŷ_t  = f_t + λ·e_{t−1}                      (AR(1) adjustment)
 *   e_t  = y_t − f_t
 *   l'   = α(y − d − w) + (1−α)(l + φb)
 *   b'   = β(l' − l) + (1−β)·φb
 *   d'   = δ(y − l' − w) + (1−δ)d               (δ is `gamma`)
 *   w'   = ω(y − l' − d) + (1−ω)w
 * Note the seasonal updates use the new level, as in Taylor's paper. An
 * unobserved slot takes y = ŷ, its expected value.
 */
typedef struct taylor_model {
    const double *y;
    const uint8_t *state;
    size_t n;
    size_t p, week;
    cm_forecast_trend trend;
    const double *init; /* l0, b0, d[P], w[7P] */
    double *d, *w;      /* rings, overwritten by each run */
} taylor_model;

typedef struct taylor_state {
    double l, b, e;
} taylor_state;

static double taylor_run(const taylor_model *tm, const double p[NPARAM], double *fitted,
                         taylor_state *end, uint64_t *count)
{
    const double alpha = p[P_ALPHA], beta = p[P_BETA], delta = p[P_GAMMA];
    const double omega = p[P_OMEGA], lambda = p[P_LAMBDA];
    const double phi = tm->trend == CM_FORECAST_TREND_DAMPED ? p[P_PHI] : 1.0;
    const bool trend = tm->trend != CM_FORECAST_TREND_NONE;
    double *d = tm->d, *w = tm->w;
    memcpy(d, tm->init + 2, tm->p * sizeof *d);
    memcpy(w, tm->init + 2 + tm->p, tm->week * sizeof *w);
    double l = tm->init[0], b = trend ? tm->init[1] : 0.0, e_prev = 0.0, sse = 0.0;
    uint64_t k = 0;
    size_t i = 0, j = 0;
    for (size_t t = 0; t < tm->n; t++) {
        const double lb = l + phi * b;
        const double f = lb + d[i] + w[j];
        const double yhat = f + lambda * e_prev;
        const uint8_t st = tm->state != NULL ? tm->state[t] : CM_FORECAST_OBSERVED;
        if (fitted != NULL)
            fitted[t] = st == CM_FORECAST_CLOSED ? 0.0 : yhat;
        double y = yhat;
        if (st == CM_FORECAST_OBSERVED) {
            y = tm->y[t];
            const double err = y - yhat;
            sse += err * err;
            k++;
        }
        const double ln = alpha * (y - d[i] - w[j]) + (1.0 - alpha) * lb;
        if (trend)
            b = beta * (ln - l) + (1.0 - beta) * phi * b;
        const double dn = delta * (y - ln - w[j]) + (1.0 - delta) * d[i];
        w[j] = omega * (y - ln - d[i]) + (1.0 - omega) * w[j];
        d[i] = dn;
        l = ln;
        e_prev = y - f;
        if (++i == tm->p)
            i = 0;
        if (++j == tm->week)
            j = 0;
    }
    if (count != NULL)
        *count = k;
    if (end != NULL) {
        end->l = l;
        end->b = b;
        end->e = e_prev;
    }
    return isfinite(sse) && isfinite(l) && isfinite(b) && isfinite(e_prev) ? sse : (double)INFINITY;
}

/*
 * Initial states from the first two weeks: level and trend from the two
 * weekly means M1, M2 (l0 = M1 − ((7P − 1)/2 + 1)·b0, b0 = (M2 − M1)/7P),
 * the intraday season of slot s the mean of y − M_k over that slot of every
 * day, the intraweek season of slot j the mean of y − M_k − d_s over the two
 * weeks; 0 where nothing was observed. ring_d holds the counts meanwhile.
 */
static cm_status taylor_initial(const taylor_model *tm, double *init, double *counts)
{
    const size_t p = tm->p, week = tm->week;
    double mean[2];
    for (int k = 0; k < 2; k++) {
        double s = 0.0;
        size_t c = 0;
        for (size_t j = 0; j < week; j++) {
            const size_t t = (size_t)k * week + j;
            if (observed(tm->state, t)) {
                s += tm->y[t];
                c++;
            }
        }
        CM_REQUIRE(c > 0, CM_ENODATA);
        mean[k] = s / (double)c;
    }
    const double b0 =
        tm->trend != CM_FORECAST_TREND_NONE ? (mean[1] - mean[0]) / (double)week : 0.0;
    init[0] = mean[0] - ((double)(week - 1) / 2.0 + 1.0) * b0;
    init[1] = b0;
    double *d = init + 2, *w = init + 2 + p;
    for (size_t s = 0; s < p; s++) {
        d[s] = 0.0;
        counts[s] = 0.0;
    }
    for (size_t t = 0; t < 2 * week; t++) {
        if (observed(tm->state, t)) {
            d[t % p] += tm->y[t] - mean[t / week];
            counts[t % p] += 1.0;
        }
    }
    for (size_t s = 0; s < p; s++)
        d[s] = counts[s] > 0.0 ? d[s] / counts[s] : 0.0;
    for (size_t j = 0; j < week; j++) {
        double s = 0.0;
        int c = 0;
        for (size_t k = 0; k < 2; k++) {
            const size_t t = k * week + j;
            if (observed(tm->state, t)) {
                s += tm->y[t] - mean[k] - d[j % p];
                c++;
            }
        }
        w[j] = c > 0 ? s / c : 0.0;
    }
    return CM_OK;
}

static double taylor_objective(const double p[NPARAM], void *ctx)
{
    return taylor_run((const taylor_model *)ctx, p, NULL, NULL, NULL);
}

/* ---------------------------------------------------------------------- */
/* Seasonal naive, weekly mean and median                                  */
/* ---------------------------------------------------------------------- */

static void sort_small(double *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        const double x = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

/*
 * Forecast of slot t (t may lie past the history) from the history's
 * observed values at the same weekly position: the latest one (naive), or
 * the mean or median of those among the `weeks` latest weeks before t that
 * were observed. `t` is looked up at t − 7P, t − 14P, ...; positions at or
 * past `n` are skipped (the forecast of a later week repeats the last one).
 * Returns false when no observed value was found.
 */
static bool weekly_value(const cm_forecast_model *m, const double *y, const uint8_t *state,
                         size_t n, size_t t, double *out)
{
    const size_t week = (size_t)7 * m->slots_per_day;
    if (t < week)
        return false;
    size_t j = t - week;
    if (j >= n)
        j -= ((j - n) / week + 1) * week;
    if (m->method == CM_FORECAST_SEASONAL_NAIVE) {
        for (;; j -= week) {
            if (observed(state, j)) {
                *out = y[j];
                return true;
            }
            if (j < week)
                return false;
        }
    }
    double vals[CM_FORECAST_MAX_WEEKS];
    size_t c = 0;
    for (uint32_t k = 0; k < m->weeks; k++) {
        if (observed(state, j))
            vals[c++] = y[j];
        if (j < week)
            break;
        j -= week;
    }
    if (c == 0)
        return false;
    if (m->method == CM_FORECAST_WEEKLY_MEAN) {
        double s = 0.0;
        for (size_t i = 0; i < c; i++)
            s += vals[i];
        *out = s / (double)c;
    } else {
        sort_small(vals, c);
        *out = c % 2 == 1 ? vals[c / 2] : 0.5 * (vals[c / 2 - 1] + vals[c / 2]);
    }
    return true;
}

/* In-sample errors of the weekly methods: each observed slot against the
 * method's forecast from the weeks before it. */
static double weekly_sse(const cm_forecast_model *m, const double *y, const uint8_t *state,
                         size_t n, uint64_t *count)
{
    double sse = 0.0;
    uint64_t k = 0;
    for (size_t t = 0; t < n; t++) {
        double f;
        if (observed(state, t) && weekly_value(m, y, state, t, t, &f)) {
            sse += (y[t] - f) * (y[t] - f);
            k++;
        }
    }
    *count = k;
    return sse;
}

/* ---------------------------------------------------------------------- */
/* Fitting                                                                 */
/* ---------------------------------------------------------------------- */

/* Everything a fit or a forecast of one model works with. */
typedef struct job {
    const cm_forecast_model *m;
    const double *y;
    const uint8_t *state;
    size_t n;
    workspace ws;
    hw_model hw;
    taylor_model tm;
} job;

static cm_status prepare(job *jb, const cm_forecast_model *m, const double *y, const uint8_t *state,
                         size_t n, const double *initial, void *work, size_t work_size,
                         size_t horizon)
{
    CM_TRY(cm__fc_check_model(m));
    CM_TRY(cm__fc_check_series(y, state, n, m->slots_per_day));
    CM_REQUIRE(work == NULL || (uintptr_t)work % _Alignof(double) == 0, CM_EINVAL);
    const size_t ninit = initial_count(m);
    if (initial != NULL) {
        for (size_t i = 0; i < ninit; i++)
            CM_REQUIRE(isfinite(initial[i]), CM_EINVAL);
    }
    carver c = {NULL, 0, false};
    lay_out(m, n, horizon, &c, &jb->ws);
    CM_REQUIRE(!c.overflow, CM_EOVERFLOW);
    CM_REQUIRE(work_size >= c.used && (c.used == 0 || work != NULL), CM_ENOSPC);
    CM_REQUIRE(n >= cm__fc_min_history(m, initial != NULL), CM_ENODATA);
    c.base = work;
    c.used = 0;
    lay_out(m, n, horizon, &c, &jb->ws);
    jb->m = m;
    jb->y = y;
    jb->state = state;
    jb->n = n;
    const size_t p = m->slots_per_day;
    if (m->method == CM_FORECAST_HOLT_WINTERS) {
        CM_TRY(hw_days(m, y, state, n, jb->ws.totals, jb->ws.day_state));
        if (initial != NULL)
            memcpy(jb->ws.init, initial, ninit * sizeof *initial);
        else
            CM_TRY(hw_initial(m, jb->ws.totals, jb->ws.day_state, jb->ws.init));
        jb->hw.totals = jb->ws.totals;
        jb->hw.day_state = jb->ws.day_state;
        jb->hw.days = n / p;
        jb->hw.trend = m->trend;
        jb->hw.mul = m->seasonality == CM_FORECAST_SEASON_MULTIPLICATIVE;
        jb->hw.init = jb->ws.init;
    } else if (m->method == CM_FORECAST_TAYLOR) {
        jb->tm.y = y;
        jb->tm.state = state;
        jb->tm.n = n;
        jb->tm.p = p;
        jb->tm.week = 7 * p;
        jb->tm.trend = m->trend;
        jb->tm.init = jb->ws.init;
        jb->tm.d = jb->ws.ring_d;
        jb->tm.w = jb->ws.ring_w;
        if (initial != NULL)
            memcpy(jb->ws.init, initial, ninit * sizeof *initial);
        else
            CM_TRY(taylor_initial(&jb->tm, jb->ws.init, jb->ws.ring_d));
    }
    return CM_OK;
}

/* Fits the free parameters (if any) and evaluates the model: fills res. */
static cm_status run_fit(job *jb, cm_forecast_fit_result *res, double *fitted)
{
    const cm_forecast_model *m = jb->m;
    cm_forecast_fit_result r;
    memset(&r, 0, sizeof r);
    r.model = *m;
    r.model.fit = 0;
    double p[NPARAM];
    params_to_vec(&m->params, p);
    if (!smoothing(m)) {
        r.sse = weekly_sse(m, jb->y, jb->state, jb->n, &r.observations);
        CM_REQUIRE(r.observations > 0, CM_ENODATA);
        CM_REQUIRE(isfinite(r.sse), CM_ERANGE);
        r.sigma = sqrt(r.sse / (double)r.observations);
        *res = r;
        return CM_OK;
    }
    const bool hw = m->method == CM_FORECAST_HOLT_WINTERS;
    const uint32_t free_bits = used_params(m) & m->fit;
    if (free_bits != 0) {
        problem pr;
        memset(&pr, 0, sizeof pr);
        memcpy(pr.p, p, sizeof p);
        for (int i = 0; i < NPARAM; i++) {
            if (free_bits & (1u << i))
                pr.idx[pr.k++] = i;
        }
        pr.f = hw ? hw_objective : taylor_objective;
        pr.ctx = hw ? (void *)&jb->hw : (void *)&jb->tm;
        pr.max_evals = CM_FORECAST_EVALUATIONS_PER_PARAMETER * (uint32_t)pr.k;
        double best;
        nelder_mead(&pr, &best);
        memcpy(p, pr.p, sizeof p);
        r.evaluations = pr.evals;
    }
    r.sse = hw ? hw_run(&jb->hw, p, fitted, NULL, &r.observations)
               : taylor_run(&jb->tm, p, fitted, NULL, &r.observations);
    CM_REQUIRE(r.observations > 0, CM_ENODATA);
    CM_REQUIRE(isfinite(r.sse), CM_ERANGE);
    r.sigma = sqrt(r.sse / (double)r.observations);
    vec_to_params(p, &r.model.params);
    *res = r;
    return CM_OK;
}

cm_status cm_forecast_fit(const cm_forecast_model *model, const double *y, const uint8_t *state,
                          size_t n, const double *initial, void *work, size_t work_size,
                          cm_forecast_fit_result *out, double *fitted)
{
    CM_REQUIRE(out != NULL, CM_EINVAL);
    CM_TRY(cm__fc_check_model(model));
    CM_REQUIRE(fitted == NULL || smoothing(model), CM_EINVAL);
    job jb;
    CM_TRY(prepare(&jb, model, y, state, n, initial, work, work_size, 0));
    /* Evaluate into a local result first: `fitted` is written by the final
     * run only, which cannot fail once the fit succeeded. */
    cm_forecast_fit_result r;
    CM_TRY(run_fit(&jb, &r, NULL));
    if (fitted != NULL) {
        double p[NPARAM];
        params_to_vec(&r.model.params, p);
        if (model->method == CM_FORECAST_HOLT_WINTERS)
            (void)hw_run(&jb.hw, p, fitted, NULL, NULL);
        else
            (void)taylor_run(&jb.tm, p, fitted, NULL, NULL);
    }
    *out = r;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Forecasting                                                             */
/* ---------------------------------------------------------------------- */

/*
 * Where forecasts go. Each method runs twice: a dry run that only checks
 * that every value is finite (extreme data can overflow a trend or a
 * variance), then the run that writes; so on CM_ERANGE nothing is written.
 */
typedef struct outputs {
    size_t horizon;
    const uint8_t *future;
    double z; /* 0 without bounds */
    double *point, *lo, *hi;
    bool dry;
    bool *finite; /* cleared by a dry run that meets a non-finite value */
} outputs;

static void put(const outputs *o, size_t k, double f, double sd)
{
    const bool closed = o->future != NULL && o->future[k] == CM_FORECAST_CLOSED;
    if (o->dry) {
        if (!closed && (!isfinite(f) ||
                        (o->lo != NULL && !(isfinite(f - o->z * sd) && isfinite(f + o->z * sd)))))
            *o->finite = false;
        return;
    }
    if (closed) {
        o->point[k] = 0.0;
        if (o->lo != NULL) {
            o->lo[k] = 0.0;
            o->hi[k] = 0.0;
        }
        return;
    }
    o->point[k] = fmax(f, 0.0);
    if (o->lo != NULL) {
        o->lo[k] = fmax(f - o->z * sd, 0.0);
        o->hi[k] = fmax(f + o->z * sd, 0.0);
    }
}

static cm_status predict_weekly(const job *jb, const outputs *o)
{
    const cm_forecast_model *m = jb->m;
    double sigma = 0.0;
    if (o->lo != NULL) {
        uint64_t count;
        const double sse = weekly_sse(m, jb->y, jb->state, jb->n, &count);
        CM_REQUIRE(count > 0, CM_ENODATA);
        sigma = sqrt(sse / (double)count);
    }
    const size_t week = (size_t)7 * m->slots_per_day;
    for (size_t k = 0; k < o->horizon; k++) {
        double f;
        if (!weekly_value(m, jb->y, jb->state, jb->n, jb->n + k, &f))
            f = 0.0;
        /* Seasonal naive: σ_h = σ·sqrt(⌊(h − 1)/7P⌋ + 1) (Hyndman and
         * Athanasopoulos, FPP3 §5.5); the weekly mean keeps σ. */
        const double sd = m->method == CM_FORECAST_SEASONAL_NAIVE
                              ? sigma * sqrt((double)(k / week) + 1.0)
                              : sigma;
        put(o, k, f, sd);
    }
    return CM_OK;
}

/* Intraday profile of the last `weeks` weeks and the squared deviations of
 * each slot from its share of the day. */
static void hw_profile(const job *jb)
{
    const cm_forecast_model *m = jb->m;
    const size_t p = m->slots_per_day, week = 7 * p, days = jb->n / p;
    double *prof = jb->ws.profile, *var = jb->ws.prof_var, *cnt = jb->ws.prof_cnt;
    const double *tot = jb->ws.totals;
    const uint8_t *ds = jb->ws.day_state;
    const size_t span = (size_t)m->weeks * 7 < days ? (size_t)m->weeks * 7 : days;
    double den[7] = {0}, all_den = 0.0;
    for (size_t i = 0; i < week; i++) {
        prof[i] = 0.0;
        var[i] = 0.0;
        cnt[i] = 0.0;
    }
    for (size_t d = days - span; d < days; d++) {
        if (ds[d] != CM_FORECAST_OBSERVED)
            continue;
        const size_t j = d % 7;
        den[j] += tot[d];
        for (size_t s = 0; s < p; s++) {
            if (observed(jb->state, d * p + s))
                prof[j * p + s] += jb->y[d * p + s];
        }
    }
    for (int j = 0; j < 7; j++)
        all_den += den[j];
    /* Shares: per weekday, else pooled over the weekdays, else uniform. The
     * pooled numerators are summed before any share overwrites them. */
    for (size_t s = 0; s < p; s++) {
        double pooled = 0.0;
        for (size_t j = 0; j < 7; j++)
            pooled += prof[j * p + s];
        for (size_t j = 0; j < 7; j++) {
            double *v = &prof[j * p + s];
            if (den[j] > 0.0)
                *v /= den[j];
            else
                *v = all_den > 0.0 ? pooled / all_den : 1.0 / (double)p;
        }
    }
    for (size_t d = days - span; d < days; d++) {
        if (ds[d] != CM_FORECAST_OBSERVED)
            continue;
        const size_t j = d % 7;
        for (size_t s = 0; s < p; s++) {
            const size_t t = d * p + s;
            if (observed(jb->state, t)) {
                const double e = jb->y[t] - tot[d] * prof[j * p + s];
                var[j * p + s] += e * e;
                cnt[j * p + s] += 1.0;
            }
        }
    }
    for (size_t i = 0; i < week; i++)
        var[i] = cnt[i] > 0.0 ? var[i] / cnt[i] : 0.0;
}

/*
 * Daily forecasts spread over the slots by the profile. The daily
 * variance of additive Holt-Winters is σ²(1 + Σ_{j<h} c_j²) with
 * c_j = α(1 + βφ_j) + γ·[j ≡ 0 mod 7], φ_j = φ + … + φ^j (Hyndman et al.
 * 2008, class 1); a slot adds its own squared deviation from the profile:
 * var = share²·var_day + var_slot.
 */
static cm_status predict_hw(const job *jb, const cm_forecast_fit_result *fit, const outputs *o)
{
    const cm_forecast_model *m = &fit->model;
    double p[NPARAM];
    params_to_vec(&m->params, p);
    hw_state end;
    (void)hw_run(&jb->hw, p, NULL, &end, NULL);
    hw_profile(jb);
    const size_t ps = m->slots_per_day, days = jb->n / ps, hdays = o->horizon / ps;
    const double phi = damping(m, p);
    const double alpha = p[P_ALPHA], beta = p[P_BETA], gamma = p[P_GAMMA];
    const double var1 = fit->sigma * fit->sigma;
    double phi_pow = 1.0, phi_sum = 0.0, csum = 0.0;
    for (size_t k = 1; k <= hdays; k++) {
        phi_pow *= phi;
        phi_sum += phi_pow; /* φ_k */
        const double base = end.l + phi_sum * end.b;
        const double season = end.s[(k - 1) % 7];
        const double day = jb->hw.mul ? base * season : base + season;
        if (k > 1) {
            /* c_{k−1} with φ_{k−1} = φ_k − φ^k. */
            const double c =
                alpha * (1.0 + beta * (phi_sum - phi_pow)) + ((k - 1) % 7 == 0 ? gamma : 0.0);
            csum += c * c;
        }
        const double var_day = var1 * (1.0 + csum);
        const size_t j = (days + k - 1) % 7;
        bool closed = o->future != NULL;
        for (size_t s = 0; closed && s < ps; s++)
            closed = o->future[(k - 1) * ps + s] == CM_FORECAST_CLOSED;
        for (size_t s = 0; s < ps; s++) {
            const size_t idx = (k - 1) * ps + s;
            const double share = jb->ws.profile[j * ps + s];
            const double f = closed ? 0.0 : fmax(day, 0.0) * share;
            const double sd = sqrt(share * share * var_day + jb->ws.prof_var[j * ps + s]);
            put(o, idx, f, closed ? 0.0 : sd);
        }
    }
    return CM_OK;
}

/*
 * Taylor's forecast k steps ahead: l + φ_k·b + d + w + λ^k·e_n. Its h-step
 * variance is σ²·Σ_{j<h} ψ_j² with ψ_0 = 1 and ψ_j the change of the j-step
 * forecast when an observation comes in 1 above its forecast: the level
 * moves by α, the trend by αβ, the two seasons of that slot by δ(1 − α) and
 * ω(1 − α), the error by 1, so
 *   ψ_j = α(1 + β·φ_j) + δ(1 − α)·[P | j] + ω(1 − α)·[7P | j] + λ^j.
 */
static cm_status predict_taylor(const job *jb, const cm_forecast_fit_result *fit, const outputs *o)
{
    const cm_forecast_model *m = &fit->model;
    double p[NPARAM];
    params_to_vec(&m->params, p);
    taylor_state end;
    (void)taylor_run(&jb->tm, p, NULL, &end, NULL);
    const size_t ps = jb->tm.p, week = jb->tm.week;
    const double phi = damping(m, p);
    const double alpha = p[P_ALPHA], beta = p[P_BETA], delta = p[P_GAMMA];
    const double omega = p[P_OMEGA], lambda = p[P_LAMBDA];
    double phi_pow = 1.0, phi_sum = 0.0, lam_pow = 1.0, psum = 0.0;
    size_t i0 = jb->n % ps, j0 = jb->n % week; /* ring positions of the next slot */
    for (size_t k = 0; k < o->horizon; k++) {
        /* ψ_k uses φ_k and λ^k before they advance to the forecast's k + 1. */
        const double psi = k == 0 ? 1.0
                                  : alpha * (1.0 + beta * phi_sum) +
                                        (k % ps == 0 ? delta * (1.0 - alpha) : 0.0) +
                                        (k % week == 0 ? omega * (1.0 - alpha) : 0.0) + lam_pow;
        psum += psi * psi;
        phi_pow *= phi;
        phi_sum += phi_pow;
        lam_pow *= lambda;
        const double f = end.l + phi_sum * end.b + jb->tm.d[i0] + jb->tm.w[j0] + lam_pow * end.e;
        put(o, k, f, fit->sigma * sqrt(psum));
        if (++i0 == ps)
            i0 = 0;
        if (++j0 == week)
            j0 = 0;
    }
    return CM_OK;
}

cm_status cm_forecast_predict(const cm_forecast_model *model, const double *y, const uint8_t *state,
                              size_t n, const double *initial, const uint8_t *future_state,
                              size_t horizon, double confidence, void *work, size_t work_size,
                              double *point, double *lo, double *hi)
{
    CM_TRY(cm__fc_check_model(model));
    CM_REQUIRE(horizon == 0 || point != NULL, CM_EINVAL);
    CM_REQUIRE((lo == NULL) == (hi == NULL), CM_EINVAL);
    CM_REQUIRE(horizon % model->slots_per_day == 0, CM_EINVAL);
    if (lo != NULL) {
        CM_REQUIRE(has_interval(model), CM_EINVAL);
        CM_REQUIRE(cm__valid_confidence(confidence), CM_EINVAL);
    }
    if (future_state != NULL) {
        for (size_t k = 0; k < horizon; k++)
            CM_REQUIRE(future_state[k] <= CM_FORECAST_MISSING, CM_EINVAL);
    }
    job jb;
    CM_TRY(prepare(&jb, model, y, state, n, initial, work, work_size, horizon));
    cm_forecast_fit_result fit;
    if (smoothing(model))
        CM_TRY(run_fit(&jb, &fit, NULL));
    if (horizon == 0)
        return CM_OK; /* the history was checked (and fitted); nothing to forecast */
    bool finite = true;
    outputs o = {horizon, future_state, lo != NULL ? cm__z_for_confidence(confidence) : 0.0,
                 point,   lo,           hi,
                 true,    &finite};
    for (int pass = 0; pass < 2; pass++) {
        o.dry = pass == 0;
        switch (model->method) {
        case CM_FORECAST_HOLT_WINTERS:
            CM_TRY(predict_hw(&jb, &fit, &o));
            break;
        case CM_FORECAST_TAYLOR:
            CM_TRY(predict_taylor(&jb, &fit, &o));
            break;
        default:
            CM_TRY(predict_weekly(&jb, &o));
            break;
        }
        CM_REQUIRE(finite, CM_ERANGE);
    }
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* ABI queries                                                             */
/* ---------------------------------------------------------------------- */

size_t cm_forecast_sizeof(const char *name)
{
    static const cm__named_size sizes[] = {
        CM__SIZE_OF(cm_forecast_interval), CM__SIZE_OF(cm_forecast_params),
        CM__SIZE_OF(cm_forecast_model),    CM__SIZE_OF(cm_forecast_fit_result),
        CM__SIZE_OF(cm_forecast_accuracy), CM__SIZE_OF(cm_forecast_staffing_options),
        CM__SIZE_OF(cm_forecast_staffing), CM__SIZE_OF(cm_forecast_staffing_summary),
    };
    return cm__lookup_size(sizes, CM__COUNT_OF(sizes), name);
}

cm_status cm_forecast_constant(const char *name, double *out)
{
    static const cm__named_value constants[] = {
        CM__VALUE_OF(CM_FORECAST_MAX_WEEKS),
        CM__VALUE_OF(CM_FORECAST_MAX_CONCURRENCY),
        CM__VALUE_OF(CM_FORECAST_EVALUATIONS_PER_PARAMETER),
        CM__VALUE_OF(CM_FORECAST_HANDLE_UNKNOWN),
    };
    return cm__lookup_value(constants, CM__COUNT_OF(constants), name, out);
}
