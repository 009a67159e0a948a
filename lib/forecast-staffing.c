/*
 * Staffing from a forecast: agents per interval with the queue module's
 * Erlang C and Erlang A searches, chat concurrency, peak coverage and FTE.
 * The chat model and its limits: docs/forecast.md.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/forecast.h>
#include <caremetrics/queue.h>

#include <math.h>
#include <string.h>

#include "common-internal.h"
#include "forecast-internal.h"

/* Servers any one interval may need: with concurrency k an agent is k
 * servers, so agents × k must fit a uint32_t with room to round up. */
#define MAX_SERVERS 2147483648.0 /* 2^31 */

static bool finite_in(double v, double lo, double hi)
{
    return isfinite(v) && v >= lo && v <= hi;
}

static cm_status check_options(const cm_forecast_staffing_options *o)
{
    CM_REQUIRE(o != NULL, CM_EINVAL);
    CM_REQUIRE(o->queue >= CM_FORECAST_QUEUE_ERLANG_C && o->queue <= CM_FORECAST_QUEUE_WORKLOAD,
               CM_EINVAL);
    if (o->queue != CM_FORECAST_QUEUE_WORKLOAD) {
        CM_REQUIRE(isfinite(o->target_sl) && o->target_sl > 0.0 && o->target_sl < 1.0, CM_EINVAL);
        CM_REQUIRE(isfinite(o->target_seconds) && o->target_seconds >= 0.0, CM_EINVAL);
    }
    if (o->queue == CM_FORECAST_QUEUE_ERLANG_A)
        CM_REQUIRE(isfinite(o->patience_seconds) && o->patience_seconds > 0.0, CM_EINVAL);
    CM_REQUIRE(isfinite(o->max_occupancy) && o->max_occupancy > 0.0 && o->max_occupancy <= 1.0,
               CM_EINVAL);
    CM_REQUIRE(o->concurrency >= 1 && o->concurrency <= CM_FORECAST_MAX_CONCURRENCY, CM_EINVAL);
    CM_REQUIRE(isfinite(o->shrinkage) && o->shrinkage >= 0.0 && o->shrinkage < 1.0, CM_EINVAL);
    CM_REQUIRE(isfinite(o->shift_hours) && o->shift_hours > 0.0, CM_EINVAL);
    CM_REQUIRE(isfinite(o->workdays_per_week) && o->workdays_per_week > 0.0 &&
                   o->workdays_per_week <= 7.0,
               CM_EINVAL);
    return CM_OK;
}

/* No agents: closed, no contacts, or contacts that take no time. */
static bool idle(const cm_forecast_interval *iv, double volume, double aht)
{
    return iv->open_seconds == 0 || volume == 0.0 || aht == 0.0;
}

/* One interval; every argument was checked by the first pass. */
static cm_status staff(const cm_forecast_staffing_options *o, double a, double aht,
                       cm_forecast_staffing *out)
{
    const uint32_t k = o->concurrency;
    cm_forecast_staffing s = {a, 0, 1.0, 0.0, 0.0, 0.0, 0.0};
    if (o->queue == CM_FORECAST_QUEUE_WORKLOAD) {
        s.agents = (uint32_t)ceil(a / (o->max_occupancy * k));
        s.service_level = 0.0;
    } else if (o->queue == CM_FORECAST_QUEUE_ERLANG_C) {
        uint32_t servers;
        CM_TRY(
            cm_erlang_agents(a, aht, o->target_sl, o->target_seconds, o->max_occupancy, &servers));
        s.agents = servers / k + (servers % k != 0);
        CM_TRY(cm_erlang_service_level(a, s.agents * k, aht, o->target_seconds, &s.service_level));
        CM_TRY(cm_erlang_asa(a, s.agents * k, aht, &s.asa_seconds));
    } else {
        uint32_t servers;
        CM_TRY(cm_erlang_a_agents(a, aht, o->patience_seconds, o->target_sl, o->target_seconds, 1.0,
                                  o->max_occupancy, &servers));
        s.agents = servers / k + (servers % k != 0);
        cm_erlang_a_result r;
        CM_TRY(cm_erlang_a(a, s.agents * k, aht, o->patience_seconds, o->target_seconds, &r));
        s.service_level = r.service_level;
        s.asa_seconds = r.asa_seconds;
        s.p_abandon = r.p_abandon;
    }
    if (o->queue == CM_FORECAST_QUEUE_ERLANG_A)
        s.occupancy = a * (1.0 - s.p_abandon) / ((double)s.agents * k);
    else
        s.occupancy = a / ((double)s.agents * k);
    s.scheduled = (double)s.agents / (1.0 - o->shrinkage);
    *out = s;
    return CM_OK;
}

cm_status cm_forecast_staffing_plan(const cm_forecast_interval *iv, const double *volumes,
                                    const double *aht_seconds, size_t n,
                                    const cm_forecast_staffing_options *opt,
                                    cm_forecast_staffing *out,
                                    cm_forecast_staffing_summary *summary)
{
    CM_REQUIRE(n == 0 || (iv != NULL && volumes != NULL && aht_seconds != NULL && out != NULL),
               CM_EINVAL);
    CM_TRY(check_options(opt));
    /* First pass: everything that could fail, so nothing is written on error. */
    double contacts = 0.0, workload = 0.0;
    for (size_t i = 0; i < n; i++) {
        CM_REQUIRE(iv[i].seconds > 0 && iv[i].open_seconds >= 0 &&
                       iv[i].open_seconds <= iv[i].seconds,
                   CM_EINVAL);
        CM_REQUIRE(isfinite(volumes[i]) && volumes[i] >= 0.0, CM_EINVAL);
        CM_REQUIRE(isfinite(aht_seconds[i]) && aht_seconds[i] >= 0.0, CM_EINVAL);
        CM_REQUIRE(aht_seconds[i] <= CM_ERLANG_MAX_AHT_SECONDS, CM_ERANGE);
        contacts += volumes[i];
        workload += volumes[i] * aht_seconds[i];
        if (idle(&iv[i], volumes[i], aht_seconds[i]))
            continue;
        const double a = volumes[i] * aht_seconds[i] / (double)iv[i].seconds;
        CM_REQUIRE(finite_in(a, 0.0, CM_ERLANG_MAX_TRAFFIC), CM_ERANGE);
        if (opt->queue == CM_FORECAST_QUEUE_ERLANG_A)
            CM_REQUIRE(opt->patience_seconds <= CM_ERLANG_A_MAX_PATIENCE_RATIO * aht_seconds[i],
                       CM_ERANGE);
        /* The occupancy cap sets the most servers any target needs: far more
         * than the service level, which is met within a few √A of A. */
        CM_REQUIRE(a / opt->max_occupancy + 10.0 * sqrt(a) + 100.0 <= MAX_SERVERS, CM_EOVERFLOW);
    }
    CM_REQUIRE(isfinite(contacts) && isfinite(workload), CM_EOVERFLOW);
    /* Second pass: cannot fail any more (the searches' own limits were
     * checked above). */
    double agent_seconds = 0.0, seconds = 0.0, busy_agents = 0.0;
    uint64_t busy = 0;
    uint32_t peak = 0;
    size_t peak_at = 0;
    for (size_t i = 0; i < n; i++) {
        cm_forecast_staffing s = {0.0, 0, 1.0, 0.0, 0.0, 0.0, 0.0};
        if (!idle(&iv[i], volumes[i], aht_seconds[i])) {
            const double a = volumes[i] * aht_seconds[i] / (double)iv[i].seconds;
            CM_TRY(staff(opt, a, aht_seconds[i], &s));
            busy++;
            busy_agents += s.agents;
        }
        out[i] = s;
        agent_seconds += (double)s.agents * iv[i].seconds;
        seconds += iv[i].seconds;
        if (s.agents > peak) {
            peak = s.agents;
            peak_at = i;
        }
    }
    if (summary != NULL) {
        cm_forecast_staffing_summary r;
        memset(&r, 0, sizeof r);
        r.contacts = contacts;
        r.workload_hours = workload / 3600.0;
        r.agent_hours = agent_seconds / 3600.0;
        r.days = seconds / 86400.0;
        r.peak_agents = peak;
        r.peak_interval = peak_at;
        r.peak_scheduled = (uint32_t)ceil((double)peak / (1.0 - opt->shrinkage));
        r.peak_ratio = busy > 0 && busy_agents > 0.0 ? peak / (busy_agents / (double)busy) : 0.0;
        if (n > 0) {
            /* Erlang staffing already includes idle time: occupancy 1 here. */
            cm_workforce w;
            CM_TRY(cm_workforce_plan(r.agent_hours, 1.0, opt->shrinkage, opt->shift_hours,
                                     r.days * opt->workdays_per_week / 7.0, &w));
            r.scheduled_hours = w.scheduled_hours;
            r.fte = w.fte;
        }
        *summary = r;
    }
    return CM_OK;
}
