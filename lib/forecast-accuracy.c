/*
 * Forecast accuracy (MAE, RMSE, bias, wMAPE, MASE) and the rolling-origin
 * backtest that picks the best of several models.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/forecast.h>

#include <math.h>
#include <string.h>

#include "common-internal.h"
#include "forecast-internal.h"

/* Sums of the errors of one forecast, or of a model over several origins. */
typedef struct errsum {
    uint64_t n;
    double abs, sq, err, act;
} errsum;

static void errsum_add(errsum *e, double actual, double forecast)
{
    const double d = forecast - actual;
    e->n++;
    e->abs += fabs(d);
    e->sq += d * d;
    e->err += d;
    e->act += fabs(actual);
}

static void errsum_result(const errsum *e, double scale, cm_forecast_accuracy *out)
{
    cm_forecast_accuracy a;
    memset(&a, 0, sizeof a);
    a.n = e->n;
    if (e->n > 0) {
        const double n = (double)e->n;
        a.mae = e->abs / n;
        a.rmse = sqrt(e->sq / n);
        a.bias = e->err / n;
        a.wmape_defined = e->act > 0.0;
        a.wmape = a.wmape_defined ? e->abs / e->act : 0.0;
        a.mase_defined = scale > 0.0;
        a.mase = a.mase_defined ? a.mae / scale : 0.0;
    }
    *out = a;
}

/* Mean |y_t − y_{t−season}| over pairs of observed points; 0 when there are none. */
static double naive_scale(const double *y, const uint8_t *state, size_t n, size_t season)
{
    double s = 0.0;
    uint64_t c = 0;
    for (size_t t = season; t < n; t++) {
        if (state == NULL ||
            (state[t] == CM_FORECAST_OBSERVED && state[t - season] == CM_FORECAST_OBSERVED)) {
            s += fabs(y[t] - y[t - season]);
            c++;
        }
    }
    return c > 0 && isfinite(s) ? s / (double)c : 0.0;
}

/* Whether every measure of the sums is a finite number (huge values can overflow them). */
static bool errsum_finite(const errsum *e)
{
    return isfinite(e->abs) && isfinite(e->sq) && isfinite(e->err) && isfinite(e->act);
}

static bool finite_all(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i]))
            return false;
    }
    return true;
}

static bool states_ok(const uint8_t *s, size_t n)
{
    for (size_t i = 0; s != NULL && i < n; i++) {
        if (s[i] > CM_FORECAST_MISSING)
            return false;
    }
    return true;
}

cm_status cm_forecast_evaluate(const double *actual, const double *forecast, const uint8_t *state,
                               size_t n, const double *train, const uint8_t *train_state,
                               size_t n_train, size_t season, cm_forecast_accuracy *out)
{
    CM_REQUIRE(out != NULL && (n == 0 || (actual != NULL && forecast != NULL)), CM_EINVAL);
    CM_REQUIRE(train != NULL || n_train == 0, CM_EINVAL);
    CM_REQUIRE(train == NULL || season >= 1, CM_EINVAL);
    CM_REQUIRE(finite_all(actual, n) && finite_all(forecast, n) && states_ok(state, n), CM_EINVAL);
    CM_REQUIRE(finite_all(train, n_train) && states_ok(train_state, n_train), CM_EINVAL);
    errsum e = {0, 0.0, 0.0, 0.0, 0.0};
    for (size_t t = 0; t < n; t++) {
        if (state == NULL || state[t] == CM_FORECAST_OBSERVED)
            errsum_add(&e, actual[t], forecast[t]);
    }
    CM_REQUIRE(e.n > 0, CM_ENODATA);
    CM_REQUIRE(errsum_finite(&e), CM_EOVERFLOW);
    const double scale = train != NULL ? naive_scale(train, train_state, n_train, season) : 0.0;
    errsum_result(&e, scale, out);
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Rolling-origin backtest                                                 */
/* ---------------------------------------------------------------------- */

static cm_status check_models(const cm_forecast_model *models, size_t n_models)
{
    CM_REQUIRE(models != NULL && n_models > 0, CM_EINVAL);
    for (size_t i = 0; i < n_models; i++) {
        CM_TRY(cm__fc_check_model(&models[i]));
        CM_REQUIRE(models[i].slots_per_day == models[0].slots_per_day, CM_EINVAL);
    }
    return CM_OK;
}

/* Layout: the error sums of every model, one week of forecasts, then the
 * largest workspace any model needs; sizes rounded to 8 bytes. */
static cm_status backtest_layout(const cm_forecast_model *models, size_t n_models, size_t n,
                                 size_t *sums_bytes, size_t *fc_bytes, size_t *model_bytes)
{
    const size_t week = (size_t)7 * models[0].slots_per_day;
    size_t most = 0;
    for (size_t i = 0; i < n_models; i++) {
        size_t b;
        CM_TRY(cm_forecast_workspace_size(&models[i], n, week, &b));
        most = b > most ? b : most;
    }
    CM_REQUIRE(!__builtin_mul_overflow(n_models, sizeof(errsum), sums_bytes), CM_EOVERFLOW);
    *fc_bytes = week * sizeof(double);
    *model_bytes = most;
    size_t total;
    CM_REQUIRE(!__builtin_add_overflow(*sums_bytes, *fc_bytes, &total) &&
                   !__builtin_add_overflow(total, most, &total),
               CM_EOVERFLOW);
    return CM_OK;
}

cm_status cm_forecast_backtest_workspace_size(const cm_forecast_model *models, size_t n_models,
                                              size_t n, size_t *bytes)
{
    CM_REQUIRE(bytes != NULL, CM_EINVAL);
    CM_TRY(check_models(models, n_models));
    size_t a, b, c;
    CM_TRY(backtest_layout(models, n_models, n, &a, &b, &c));
    *bytes = a + b + c;
    return CM_OK;
}

static double criterion_value(const cm_forecast_accuracy *a, cm_forecast_criterion c)
{
    switch (c) {
    case CM_FORECAST_BY_RMSE:
        return a->rmse;
    case CM_FORECAST_BY_WMAPE:
        return a->wmape_defined ? a->wmape : a->mae;
    case CM_FORECAST_BY_MASE:
        return a->mase_defined ? a->mase : a->mae;
    case CM_FORECAST_BY_BIAS:
        return fabs(a->bias);
    default:
        return a->mae;
    }
}

cm_status cm_forecast_backtest(const cm_forecast_model *models, size_t n_models, const double *y,
                               const uint8_t *state, size_t n, uint32_t weeks,
                               cm_forecast_criterion criterion, void *work, size_t work_size,
                               cm_forecast_accuracy *scores, size_t *best)
{
    CM_REQUIRE(scores != NULL && best != NULL, CM_EINVAL);
    CM_TRY(check_models(models, n_models));
    CM_REQUIRE(criterion >= CM_FORECAST_BY_MAE && criterion <= CM_FORECAST_BY_BIAS, CM_EINVAL);
    const uint32_t p = models[0].slots_per_day;
    CM_TRY(cm__fc_check_series(y, state, n, p));
    CM_REQUIRE(weeks >= 1, CM_EINVAL);
    CM_REQUIRE(work == NULL || (uintptr_t)work % _Alignof(double) == 0, CM_EINVAL);
    size_t sums_bytes, fc_bytes, model_bytes;
    CM_TRY(backtest_layout(models, n_models, n, &sums_bytes, &fc_bytes, &model_bytes));
    CM_REQUIRE(work != NULL && work_size >= sums_bytes + fc_bytes + model_bytes, CM_ENOSPC);
    const size_t week = (size_t)7 * p;
    CM_REQUIRE(n / week > weeks, CM_ENODATA);
    const size_t first = n - (size_t)weeks * week;

    unsigned char *base = work;
    errsum *sums = (errsum *)(void *)base;
    double *fc = (double *)(void *)(base + sums_bytes);
    void *model_work = model_bytes > 0 ? base + sums_bytes + fc_bytes : NULL;
    for (size_t i = 0; i < n_models; i++) {
        memset(&sums[i], 0, sizeof sums[i]);
        for (uint32_t k = 0; k < weeks; k++) {
            const size_t o = first + (size_t)k * week;
            const cm_status st =
                cm_forecast_predict(&models[i], y, state, o, NULL, state != NULL ? state + o : NULL,
                                    week, 0.5, model_work, model_bytes, fc, NULL, NULL);
            if (st == CM_ENODATA || st == CM_ERANGE) {
                memset(&sums[i], 0, sizeof sums[i]); /* cannot run here: not a candidate */
                break;
            }
            CM_TRY(st);
            for (size_t t = 0; t < week; t++) {
                if (state == NULL || state[o + t] == CM_FORECAST_OBSERVED)
                    errsum_add(&sums[i], y[o + t], fc[t]);
            }
        }
        if (!errsum_finite(&sums[i]))
            memset(&sums[i], 0, sizeof sums[i]); /* errors beyond a double: not a candidate */
    }
    const double scale = naive_scale(y, state, first, week);
    size_t pick = n_models;
    double pick_value = 0.0;
    for (size_t i = 0; i < n_models; i++) {
        if (sums[i].n == 0)
            continue;
        cm_forecast_accuracy a;
        errsum_result(&sums[i], scale, &a);
        const double v = criterion_value(&a, criterion);
        if (pick == n_models || v < pick_value) {
            pick = i;
            pick_value = v;
        }
    }
    CM_REQUIRE(pick < n_models, CM_ENODATA);
    for (size_t i = 0; i < n_models; i++)
        errsum_result(&sums[i], scale, &scores[i]);
    *best = pick;
    return CM_OK;
}
