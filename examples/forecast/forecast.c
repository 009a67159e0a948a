/*
 * caremetrics-forecast: per-channel, per-interval arrival forecasts and the
 * agents they need, for the days after a ticket or call history.
 *
 *   caremetrics-forecast [OPTIONS] [FILE]
 *
 * Reads a history with the report's columns (created_at, channel,
 * handle_seconds; docs/report.md), counts arrivals per channel into
 * intervals of local time in the calendar's zone, picks a forecasting method
 * per channel by a rolling-origin backtest (or uses the one asked for),
 * forecasts the next days with prediction intervals, and sizes each
 * interval: Erlang C (or A) for phone, Erlang C with several chats per agent
 * for chat, the workload at the occupancy cap for email, social and
 * messaging. Prints text, CSV or JSON. Without FILE it reads the bundled
 * sample history; "-" reads standard input.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli-util.h"
#include "history.h"

#ifndef CM_SAMPLE_SOURCE
#define CM_SAMPLE_SOURCE "examples/data/sample-tickets.csv"
#endif
#ifndef CM_SAMPLE_INSTALLED
#define CM_SAMPLE_INSTALLED "/usr/local/share/caremetrics/sample-tickets.csv"
#endif

#define CALENDAR_BYTES (1 << 20)

typedef enum { FMT_TEXT, FMT_CSV, FMT_JSON } out_format;

/* The methods the program knows, in the order a backtest tries them. */
typedef struct method_choice {
    const char *name;
    cm_forecast_method method;
    cm_forecast_trend trend;
} method_choice;

static const method_choice choices[] = {
    {"naive", CM_FORECAST_SEASONAL_NAIVE, CM_FORECAST_TREND_NONE},
    {"mean", CM_FORECAST_WEEKLY_MEAN, CM_FORECAST_TREND_NONE},
    {"median", CM_FORECAST_WEEKLY_MEDIAN, CM_FORECAST_TREND_NONE},
    {"holt-winters", CM_FORECAST_HOLT_WINTERS, CM_FORECAST_TREND_DAMPED},
    {"taylor", CM_FORECAST_TAYLOR, CM_FORECAST_TREND_NONE},
};
#define NCHOICES ((int)(sizeof choices / sizeof choices[0]))

typedef struct options {
    const char *path, *calendar_path, *start;
    uint32_t interval_minutes, days, history_weeks, backtest_weeks, weeks, chat_concurrency;
    int method;  /* index into choices, or -1 for the backtest's choice */
    int channel; /* -1: every channel */
    cm_forecast_criterion criterion;
    out_format format;
    double target, seconds, max_occupancy, shrinkage, shift_hours, workdays, patience, confidence;
    bool strict;
} options;

/* Everything computed for one channel. */
typedef struct channel_result {
    bool active;     /* arrivals in the history */
    int choice;      /* index into choices */
    bool backtested; /* the choice came from a backtest */
    uint32_t backtest_weeks;
    cm_forecast_accuracy scores[NCHOICES];
    cm_forecast_fit_result fit;
    bool has_interval, has_aht;
    double contacts_history;
    double *volume, *lo, *hi, *aht; /* per forecast interval */
    cm_forecast_staffing *staff;
    cm_forecast_staffing_summary summary;
} channel_result;

/* The days and intervals of the run. */
typedef struct plan {
    const cm_tz *tz;
    int64_t first_day,
        start_day; /* days since 1970-01-01 of the first history and forecast dates */
    uint32_t history_days;
    uint32_t slots; /* per day */
    cm_forecast_interval *hist_iv, *fc_iv;
    size_t n_hist, n_fc;
    unsigned long long rows_used;
} plan;

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n > 0 ? n : 1, size);
    if (p == NULL) {
        fprintf(stderr, "caremetrics-forecast: out of memory\n");
        exit(1);
    }
    return p;
}

/* ---- dates -------------------------------------------------------------------- */

static bool day_of(int64_t day, cm_civil *c)
{
    return cm_time_to_civil(day * 86400, c) == CM_OK;
}

static bool parse_date(const char *s, int64_t *day)
{
    cm_time t;
    if (strlen(s) != 10 || cm_time_parse(s, 10, &t) != CM_OK)
        return false;
    *day = t / 86400;
    return true;
}

static int64_t local_day(const cm_tz *tz, cm_time t)
{
    cm_civil c, u = {0};
    if (cm_tz_to_local(tz, t, &c) != CM_OK)
        return 0;
    u.year = c.year;
    u.month = c.month;
    u.day = c.day;
    cm_time mid = 0;
    if (cm_time_from_civil(&u, &mid) != CM_OK)
        return 0;
    return mid / 86400;
}

/* "2025-03-09 01:30" in the zone, and its offset "-05:00". */
static void local_text(const cm_tz *tz, cm_time t, char *when, size_t cap, char *off, size_t ocap)
{
    cm_civil c;
    int32_t o = 0;
    if (cm_tz_to_local(tz, t, &c) != CM_OK || cm_tz_utc_offset(tz, t, &o) != CM_OK) {
        snprintf(when, cap, "?");
        snprintf(off, ocap, "?");
        return;
    }
    snprintf(when, cap, "%04d-%02d-%02d %02d:%02d", (int)c.year, (int)c.month, (int)c.day,
             (int)c.hour, (int)c.minute);
    const int32_t a = o < 0 ? -o : o;
    snprintf(off, ocap, "%c%02d:%02d", o < 0 ? '-' : '+', (int)(a / 3600), (int)(a % 3600 / 60));
}

static void date_text(int64_t day, char *buf, size_t cap)
{
    cm_civil c;
    if (!day_of(day, &c))
        snprintf(buf, cap, "?");
    else
        snprintf(buf, cap, "%04d-%02d-%02d", (int)c.year, (int)c.month, (int)c.day);
}

/* ---- the run ------------------------------------------------------------------ */

static int layout(const cm_calendar *cal, int64_t first, uint32_t days, uint32_t minutes,
                  cm_forecast_interval **out, size_t *n)
{
    cm_civil c;
    if (!day_of(first, &c)) {
        fprintf(stderr, "caremetrics-forecast: date out of range\n");
        return 1;
    }
    cm_status st = cm_forecast_intervals(cal, c.year, c.month, c.day, days, minutes, NULL, 0, n);
    if (st == CM_ENOSPC) {
        *out = xcalloc(*n, sizeof **out);
        st = cm_forecast_intervals(cal, c.year, c.month, c.day, days, minutes, *out, *n, n);
    }
    if (st != CM_OK) {
        fprintf(stderr, "caremetrics-forecast: cannot lay out the intervals: %s\n",
                cm_strerror(st));
        return 1;
    }
    return 0;
}

static cm_forecast_model model_of(int choice, uint32_t slots, uint32_t weeks)
{
    cm_forecast_model m;
    if (cm_forecast_model_default(choices[choice].method, slots, &m) != CM_OK)
        memset(&m, 0, sizeof m);
    m.trend = choices[choice].trend;
    if (choices[choice].method != CM_FORECAST_HOLT_WINTERS)
        m.weeks = weeks;
    return m;
}

static cm_forecast_staffing_options staffing_for(int channel, const options *opt)
{
    cm_forecast_staffing_options s = {CM_FORECAST_QUEUE_ERLANG_C,
                                      opt->target,
                                      opt->seconds,
                                      opt->max_occupancy,
                                      opt->patience,
                                      1,
                                      opt->shrinkage,
                                      opt->shift_hours,
                                      opt->workdays};
    if (channel == CH_PHONE || channel == CH_CHAT) {
        if (opt->patience > 0.0)
            s.queue = CM_FORECAST_QUEUE_ERLANG_A;
        if (channel == CH_CHAT)
            s.concurrency = opt->chat_concurrency;
    } else {
        s.queue = CM_FORECAST_QUEUE_WORKLOAD;
    }
    return s;
}

/* Forecast and staff one channel. Returns 0, or 1 after printing why. */
static int run_channel(int ch, const options *opt, const plan *pl, const double *arrivals,
                       const double *hsum, const double *handled, channel_result *res)
{
    const uint32_t p = pl->slots, days = pl->history_days;
    const size_t n = (size_t)days * p, h = (size_t)opt->days * p;
    const size_t hn = pl->n_hist;
    double *y = xcalloc(n, sizeof *y), *gs = xcalloc(n, sizeof *gs), *gh = xcalloc(n, sizeof *gh);
    uint8_t *state = xcalloc(n, 1), *future = xcalloc(h, 1);
    double *point = xcalloc(h, sizeof *point), *lo = xcalloc(h, sizeof *lo);
    double *hi = xcalloc(h, sizeof *hi), *aht = xcalloc(h, sizeof *aht);
    int rc = 1;
    cm_status st =
        cm_forecast_to_grid(pl->hist_iv, hn, arrivals + (size_t)ch * hn, days, p, y, state);
    if (st == CM_OK)
        st = cm_forecast_to_grid(pl->hist_iv, hn, hsum + (size_t)ch * hn, days, p, gs, NULL);
    if (st == CM_OK)
        st = cm_forecast_to_grid(pl->hist_iv, hn, handled + (size_t)ch * hn, days, p, gh, NULL);
    if (st == CM_OK)
        st = cm_forecast_to_grid(pl->fc_iv, pl->n_fc, NULL, opt->days, p, NULL, future);
    if (st != CM_OK) {
        fprintf(stderr, "caremetrics-forecast: %s: %s\n", history_channels[ch], cm_strerror(st));
        goto done;
    }

    /* The method: as asked, or the best of a rolling-origin backtest. */
    res->choice = opt->method;
    if (opt->method < 0) {
        const uint32_t avail = days / 7 > 0 ? days / 7 - 1 : 0;
        const uint32_t weeks = opt->backtest_weeks < avail ? opt->backtest_weeks : avail;
        res->choice = 1; /* the weekly mean when there is too little history to compare */
        if (weeks > 0) {
            cm_forecast_model models[NCHOICES];
            for (int i = 0; i < NCHOICES; i++)
                models[i] = model_of(i, p, opt->weeks);
            size_t bytes = 0, best = 0;
            st = cm_forecast_backtest_workspace_size(models, NCHOICES, n, &bytes);
            void *work = st == CM_OK ? xcalloc(bytes, 1) : NULL;
            if (st == CM_OK)
                st = cm_forecast_backtest(models, NCHOICES, y, state, n, weeks, opt->criterion,
                                          work, bytes, res->scores, &best);
            free(work);
            if (st == CM_OK) {
                res->choice = (int)best;
                res->backtested = true;
                res->backtest_weeks = weeks;
            } else if (st != CM_ENODATA) {
                fprintf(stderr, "caremetrics-forecast: %s: backtest: %s\n", history_channels[ch],
                        cm_strerror(st));
                goto done;
            }
        }
    }
    const cm_forecast_model m = model_of(res->choice, p, opt->weeks);
    size_t bytes = 0;
    st = cm_forecast_workspace_size(&m, n, h, &bytes);
    void *work = st == CM_OK ? xcalloc(bytes, 1) : NULL;
    if (st == CM_OK)
        st = cm_forecast_has_interval(&m, &res->has_interval);
    if (st == CM_OK)
        st = cm_forecast_fit(&m, y, state, n, NULL, work, bytes, &res->fit, NULL);
    if (st == CM_OK)
        st = cm_forecast_predict(&res->fit.model, y, state, n, NULL, future, h, opt->confidence,
                                 work, bytes, point, res->has_interval ? lo : NULL,
                                 res->has_interval ? hi : NULL);
    free(work);
    if (st == CM_ENODATA) {
        fprintf(stderr,
                "caremetrics-forecast: %s: the %s method needs more history than %u days "
                "(at least 7, 14 for holt-winters and taylor, with observed intervals)\n",
                history_channels[ch], choices[res->choice].name, days);
        goto done;
    }
    if (st != CM_OK) {
        fprintf(stderr, "caremetrics-forecast: %s: %s forecast: %s\n", history_channels[ch],
                choices[res->choice].name, cm_strerror(st));
        goto done;
    }

    /* Back to real intervals, handle times, agents. */
    res->volume = xcalloc(pl->n_fc, sizeof(double));
    res->lo = xcalloc(pl->n_fc, sizeof(double));
    res->hi = xcalloc(pl->n_fc, sizeof(double));
    res->aht = xcalloc(pl->n_fc, sizeof(double));
    res->staff = xcalloc(pl->n_fc, sizeof(cm_forecast_staffing));
    st = cm_forecast_from_grid(pl->fc_iv, pl->n_fc, point, opt->days, p, true, res->volume);
    if (st == CM_OK && res->has_interval)
        st = cm_forecast_from_grid(pl->fc_iv, pl->n_fc, lo, opt->days, p, true, res->lo);
    if (st == CM_OK && res->has_interval)
        st = cm_forecast_from_grid(pl->fc_iv, pl->n_fc, hi, opt->days, p, true, res->hi);
    if (st != CM_OK) {
        fprintf(stderr, "caremetrics-forecast: %s: %s\n", history_channels[ch], cm_strerror(st));
        goto done;
    }
    const uint32_t aht_weeks = days / 7 < opt->weeks ? days / 7 : opt->weeks;
    st = cm_forecast_aht(gs, gh, state, n, p, aht_weeks > 0 ? aht_weeks : 1, h, aht);
    if (st == CM_OK)
        st = cm_forecast_from_grid(pl->fc_iv, pl->n_fc, aht, opt->days, p, false, res->aht);
    res->has_aht = st == CM_OK;
    if (res->has_aht) {
        const cm_forecast_staffing_options so = staffing_for(ch, opt);
        st = cm_forecast_staffing_plan(pl->fc_iv, res->volume, res->aht, pl->n_fc, &so, res->staff,
                                       &res->summary);
        if (st != CM_OK) {
            fprintf(stderr, "caremetrics-forecast: %s: staffing: %s\n", history_channels[ch],
                    cm_strerror(st));
            goto done;
        }
    }
    rc = 0;
done:
    free(y);
    free(gs);
    free(gh);
    free(state);
    free(future);
    free(point);
    free(lo);
    free(hi);
    free(aht);
    return rc;
}

/* ---- output ------------------------------------------------------------------- */

static const char *queue_name(int ch, const options *opt)
{
    const cm_forecast_staffing_options so = staffing_for(ch, opt);
    return so.queue == CM_FORECAST_QUEUE_ERLANG_C   ? "erlang-c"
           : so.queue == CM_FORECAST_QUEUE_ERLANG_A ? "erlang-a"
                                                    : "workload";
}

static void json_string(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

static void print_text(const options *opt, const plan *pl, const history *hist,
                       const channel_result *res)
{
    char first[16], last[16], fc_first[16], fc_last[16], when[48], off[16];
    date_text(pl->first_day, first, sizeof first);
    date_text(pl->start_day - 1, last, sizeof last);
    date_text(pl->start_day, fc_first, sizeof fc_first);
    date_text(pl->start_day + opt->days - 1, fc_last, sizeof fc_last);
    printf("caremetrics-forecast %s: %s\n", cm_version_string(), opt->path);
    printf("history %s .. %s (%u days, %llu contacts), forecast %s .. %s, %u-minute intervals\n",
           first, last, pl->history_days, pl->rows_used, fc_first, fc_last, opt->interval_minutes);
    printf("staffing: %g %% answered within %g s, occupancy at most %g %%, %g %% shrinkage, "
           "%g-hour shifts, %g days a week, %u chats per agent\n",
           100 * opt->target, opt->seconds, 100 * opt->max_occupancy, 100 * opt->shrinkage,
           opt->shift_hours, opt->workdays, opt->chat_concurrency);
    if (hist->bad_rows > 0)
        printf("bad rows skipped: %llu\n", hist->bad_rows);
    for (int ch = 0; ch < NCHANNELS; ch++) {
        const channel_result *r = &res[ch];
        if (!r->active)
            continue;
        printf("\n%s: %s", history_channels[ch], choices[r->choice].name);
        if (r->backtested) {
            const cm_forecast_accuracy *a = &r->scores[r->choice];
            printf(", best of a %u-week backtest: RMSE %.2f, MAE %.2f, bias %+.2f",
                   r->backtest_weeks, a->rmse, a->mae, a->bias);
            if (a->wmape_defined)
                printf(", wMAPE %.1f %%", 100 * a->wmape);
            if (a->mase_defined)
                printf(", MASE %.2f", a->mase);
        }
        printf("\n");
        if (!r->has_aht)
            printf("  no handle times in the history: volumes only\n");
        printf("  %-16s %9s %21s %8s %6s %7s %10s\n", "local time", "volume",
               r->has_interval ? "interval" : "", "AHT", "agents", "SL", "occupancy");
        for (size_t i = 0; i < pl->n_fc; i++) {
            if (pl->fc_iv[i].open_seconds == 0)
                continue;
            local_text(pl->tz, pl->fc_iv[i].start, when, sizeof when, off, sizeof off);
            printf("  %-16s %9.2f", when, r->volume[i]);
            if (r->has_interval)
                printf("  [%8.2f, %8.2f]", r->lo[i], r->hi[i]);
            else
                printf(" %21s", "");
            if (r->has_aht) {
                const cm_forecast_staffing *s = &r->staff[i];
                const long long secs = llround(r->aht[i]);
                printf(" %4lldm %02llds %6u", secs / 60, secs % 60, s->agents);
                if (staffing_for(ch, opt).queue == CM_FORECAST_QUEUE_WORKLOAD)
                    printf(" %7s", "-");
                else
                    printf(" %5.1f %%", 100 * s->service_level);
                printf(" %8.1f %%", 100 * s->occupancy);
            }
            printf("\n");
        }
        if (r->has_aht) {
            const cm_forecast_staffing_summary *s = &r->summary;
            printf("  %.1f contacts, workload %.1f h, %.1f agent-hours on queue (%s), %.1f h "
                   "scheduled, FTE %.2f\n",
                   s->contacts, s->workload_hours, s->agent_hours, queue_name(ch, opt),
                   s->scheduled_hours, s->fte);
            if (s->peak_agents > 0) {
                local_text(pl->tz, pl->fc_iv[s->peak_interval].start, when, sizeof when, off,
                           sizeof off);
                printf("  peak %u agents at %s (%u on shift), %.2fx the average\n", s->peak_agents,
                       when, s->peak_scheduled, s->peak_ratio);
            }
        }
    }
}

static void print_csv(const plan *pl, const options *opt, const channel_result *res)
{
    printf("channel,method,interval_start,local_time,utc_offset,seconds,open_seconds,volume,lo,hi,"
           "aht_seconds,traffic,agents,scheduled,service_level,asa_seconds,occupancy,p_abandon\n");
    char start[CM_TIME_FORMAT_SIZE], when[48], off[16];
    for (int ch = 0; ch < NCHANNELS; ch++) {
        const channel_result *r = &res[ch];
        if (!r->active)
            continue;
        for (size_t i = 0; i < pl->n_fc; i++) {
            const cm_forecast_interval *iv = &pl->fc_iv[i];
            if (cm_time_format(iv->start, start, sizeof start) != CM_OK)
                snprintf(start, sizeof start, "?");
            local_text(pl->tz, iv->start, when, sizeof when, off, sizeof off);
            printf("%s,%s,%s,%s,%s,%d,%d,%.6g,", history_channels[ch], choices[r->choice].name,
                   start, when, off, (int)iv->seconds, (int)iv->open_seconds, r->volume[i]);
            if (r->has_interval)
                printf("%.6g,%.6g,", r->lo[i], r->hi[i]);
            else
                printf(",,");
            if (r->has_aht) {
                const cm_forecast_staffing *s = &r->staff[i];
                printf("%.6g,%.6g,%u,%.6g,", r->aht[i], s->traffic, s->agents, s->scheduled);
                if (staffing_for(ch, opt).queue == CM_FORECAST_QUEUE_WORKLOAD)
                    printf(",,");
                else
                    printf("%.6g,%.6g,", s->service_level, s->asa_seconds);
                printf("%.6g,%.6g\n", s->occupancy, s->p_abandon);
            } else {
                printf(",,,,,,,\n");
            }
        }
    }
}

static void json_accuracy(const cm_forecast_accuracy *a)
{
    if (a->n == 0) {
        printf("null");
        return;
    }
    printf("{\"n\": %llu, \"mae\": %.6g, \"rmse\": %.6g, \"bias\": %.6g, \"wmape\": ",
           (unsigned long long)a->n, a->mae, a->rmse, a->bias);
    if (a->wmape_defined)
        printf("%.6g", a->wmape);
    else
        printf("null");
    printf(", \"mase\": ");
    if (a->mase_defined)
        printf("%.6g", a->mase);
    else
        printf("null");
    printf("}");
}

static void print_json(const options *opt, const plan *pl, const history *hist,
                       const channel_result *res)
{
    char first[16], fc_first[16], start[CM_TIME_FORMAT_SIZE], when[48], off[16];
    date_text(pl->first_day, first, sizeof first);
    date_text(pl->start_day, fc_first, sizeof fc_first);
    printf("{\"version\": \"%s\", \"input\": ", cm_version_string());
    json_string(opt->path);
    printf(", \"interval_minutes\": %u, \"history\": {\"first_date\": \"%s\", \"days\": %u, "
           "\"contacts\": %llu, \"bad_rows\": %llu}, \"forecast\": {\"first_date\": \"%s\", "
           "\"days\": %u, \"confidence\": %g}, \"channels\": [",
           opt->interval_minutes, first, pl->history_days, pl->rows_used, hist->bad_rows, fc_first,
           opt->days, opt->confidence);
    bool first_ch = true;
    for (int ch = 0; ch < NCHANNELS; ch++) {
        const channel_result *r = &res[ch];
        if (!r->active)
            continue;
        printf("%s\n  {\"channel\": \"%s\", \"method\": \"%s\", \"queue\": \"%s\", \"backtest\": ",
               first_ch ? "" : ",", history_channels[ch], choices[r->choice].name,
               queue_name(ch, opt));
        first_ch = false;
        if (r->backtested) {
            printf("{\"weeks\": %u, \"scores\": {", r->backtest_weeks);
            for (int i = 0; i < NCHOICES; i++) {
                printf("%s\"%s\": ", i ? ", " : "", choices[i].name);
                json_accuracy(&r->scores[i]);
            }
            printf("}}");
        } else {
            printf("null");
        }
        const cm_forecast_params *pp = &r->fit.model.params;
        printf(", \"fit\": {\"sigma\": %.6g, \"alpha\": %.6g, \"beta\": %.6g, \"gamma\": %.6g, "
               "\"omega\": %.6g, \"phi\": %.6g, \"lambda\": %.6g}",
               r->fit.sigma, pp->alpha, pp->beta, pp->gamma, pp->omega, pp->phi, pp->lambda);
        if (r->has_aht) {
            const cm_forecast_staffing_summary *s = &r->summary;
            printf(", \"summary\": {\"contacts\": %.6g, \"workload_hours\": %.6g, "
                   "\"agent_hours\": %.6g, \"scheduled_hours\": %.6g, \"fte\": %.6g, "
                   "\"peak_agents\": %u, \"peak_scheduled\": %u, \"peak_ratio\": %.6g}",
                   s->contacts, s->workload_hours, s->agent_hours, s->scheduled_hours, s->fte,
                   s->peak_agents, s->peak_scheduled, s->peak_ratio);
        } else {
            printf(", \"summary\": null");
        }
        printf(", \"intervals\": [");
        for (size_t i = 0; i < pl->n_fc; i++) {
            const cm_forecast_interval *iv = &pl->fc_iv[i];
            if (cm_time_format(iv->start, start, sizeof start) != CM_OK)
                snprintf(start, sizeof start, "?");
            local_text(pl->tz, iv->start, when, sizeof when, off, sizeof off);
            printf("%s\n    {\"start\": \"%s\", \"local\": \"%s\", \"offset\": \"%s\", "
                   "\"seconds\": %d, \"open\": %s, \"volume\": %.6g",
                   i ? "," : "", start, when, off, (int)iv->seconds,
                   iv->open_seconds > 0 ? "true" : "false", r->volume[i]);
            if (r->has_interval)
                printf(", \"lo\": %.6g, \"hi\": %.6g", r->lo[i], r->hi[i]);
            if (r->has_aht) {
                const cm_forecast_staffing *s = &r->staff[i];
                printf(", \"aht_seconds\": %.6g, \"traffic\": %.6g, \"agents\": %u, "
                       "\"scheduled\": %.6g, \"occupancy\": %.6g",
                       r->aht[i], s->traffic, s->agents, s->scheduled, s->occupancy);
                if (staffing_for(ch, opt).queue != CM_FORECAST_QUEUE_WORKLOAD)
                    printf(", \"service_level\": %.6g, \"asa_seconds\": %.6g, \"p_abandon\": %.6g",
                           s->service_level, s->asa_seconds, s->p_abandon);
            }
            printf("}");
        }
        printf("]}");
    }
    printf("]}\n");
}

/* ---- options ------------------------------------------------------------------ */

static int usage(void)
{
    fputs("usage: caremetrics-forecast [OPTIONS] [FILE]\n"
          "  FILE: ticket or call history CSV (created_at, channel, handle_seconds; see\n"
          "  docs/report.md); '-' reads standard input; default: the bundled sample.\n"
          "  --calendar FILE       business calendar spec: time zone, hours, holidays\n"
          "                        (default: open around the clock in UTC)\n"
          "  --interval MINUTES    interval length, dividing a day (30)\n"
          "  --days N              days to forecast (14)\n"
          "  --start YYYY-MM-DD    first forecast date (the day after the last row)\n"
          "  --history-weeks N     weeks of history to use at most (52)\n"
          "  --method NAME         auto, naive, mean, median, holt-winters, taylor (auto)\n"
          "  --backtest-weeks N    weeks the auto method is judged on (4)\n"
          "  --criterion NAME      what the backtest minimises: rmse, mae, wmape, mase, bias\n"
          "                        (rmse: unbiased forecasts; mae favours medians, which\n"
          "                        forecast 0 for sparse intervals)\n"
          "  --weeks N             weeks looked back by mean, median, AHT (4)\n"
          "  --channel NAME        one channel only (phone, chat, email, social, messaging)\n"
          "  --format FORMAT       text, csv or json (text)\n"
          "  --confidence C        prediction interval coverage (0.95)\n"
          "  --target SL --seconds T   service level target (0.8 within 20 s)\n"
          "  --max-occupancy OCC   occupancy cap (0.85)\n"
          "  --shrinkage S         share of paid time off the queue (0.3)\n"
          "  --shift-hours H       paid hours of a shift (8)\n"
          "  --workdays D          shifts one FTE works a week (5)\n"
          "  --chat-concurrency K  chats an agent handles at once (2)\n"
          "  --patience SECONDS    Erlang A for phone and chat with this mean patience\n"
          "  --strict              stop at the first unreadable row\n",
          stderr);
    return 2;
}

static bool count_arg(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
    double v;
    if (!cli_number(s, lo, hi, false, false, &v) || v != floor(v))
        return false;
    *out = (uint32_t)v;
    return true;
}

static const char *default_history(void)
{
    FILE *f = fopen(CM_SAMPLE_SOURCE, "r");
    if (f != NULL) {
        fclose(f);
        return CM_SAMPLE_SOURCE;
    }
    return CM_SAMPLE_INSTALLED;
}

static int parse_options(int argc, char **argv, options *opt)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool ok = true;
        if (strcmp(a, "--strict") == 0) {
            opt->strict = true;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage();
            exit(0);
        }
        if (a[0] != '-' || strcmp(a, "-") == 0) {
            if (opt->path != NULL)
                return usage();
            opt->path = a;
            continue;
        }
        if (v == NULL)
            return usage();
        if (strcmp(a, "--calendar") == 0) {
            opt->calendar_path = v;
        } else if (strcmp(a, "--start") == 0) {
            opt->start = v;
        } else if (strcmp(a, "--interval") == 0) {
            ok = count_arg(v, 1, 1440, &opt->interval_minutes) && 1440 % opt->interval_minutes == 0;
            if (!ok)
                fprintf(stderr,
                        "caremetrics-forecast: --interval must divide a day (1440 minutes)\n");
        } else if (strcmp(a, "--days") == 0) {
            ok = count_arg(v, 1, 3660, &opt->days);
        } else if (strcmp(a, "--history-weeks") == 0) {
            ok = count_arg(v, 1, 5200, &opt->history_weeks);
        } else if (strcmp(a, "--backtest-weeks") == 0) {
            ok = count_arg(v, 0, 520, &opt->backtest_weeks);
        } else if (strcmp(a, "--weeks") == 0) {
            ok = count_arg(v, 1, CM_FORECAST_MAX_WEEKS, &opt->weeks);
        } else if (strcmp(a, "--chat-concurrency") == 0) {
            ok = count_arg(v, 1, CM_FORECAST_MAX_CONCURRENCY, &opt->chat_concurrency);
        } else if (strcmp(a, "--method") == 0) {
            opt->method = -2;
            if (strcmp(v, "auto") == 0)
                opt->method = -1;
            for (int k = 0; k < NCHOICES; k++) {
                if (strcmp(v, choices[k].name) == 0)
                    opt->method = k;
            }
            ok = opt->method > -2;
        } else if (strcmp(a, "--channel") == 0) {
            opt->channel = -2;
            for (int k = 0; k < NCHANNELS; k++) {
                if (strcmp(v, history_channels[k]) == 0)
                    opt->channel = k;
            }
            ok = opt->channel >= 0;
        } else if (strcmp(a, "--criterion") == 0) {
            static const char *const names[] = {"mae", "rmse", "wmape", "mase", "bias"};
            ok = false;
            for (int k = 0; k < 5; k++) {
                if (strcmp(v, names[k]) == 0) {
                    opt->criterion = (cm_forecast_criterion)k;
                    ok = true;
                }
            }
        } else if (strcmp(a, "--format") == 0) {
            if (strcmp(v, "text") == 0)
                opt->format = FMT_TEXT;
            else if (strcmp(v, "csv") == 0)
                opt->format = FMT_CSV;
            else if (strcmp(v, "json") == 0)
                opt->format = FMT_JSON;
            else
                ok = false;
        } else if (strcmp(a, "--confidence") == 0) {
            ok = cli_number(v, 0.0, 1.0, true, true, &opt->confidence);
        } else if (strcmp(a, "--target") == 0) {
            ok = cli_number(v, 0.0, 1.0, true, true, &opt->target);
        } else if (strcmp(a, "--seconds") == 0) {
            ok = cli_number(v, 0.0, 86400.0, false, false, &opt->seconds);
        } else if (strcmp(a, "--max-occupancy") == 0) {
            ok = cli_number(v, 0.0, 1.0, true, false, &opt->max_occupancy);
        } else if (strcmp(a, "--shrinkage") == 0) {
            ok = cli_number(v, 0.0, 1.0, false, true, &opt->shrinkage);
        } else if (strcmp(a, "--shift-hours") == 0) {
            ok = cli_number(v, 0.0, 24.0, true, false, &opt->shift_hours);
        } else if (strcmp(a, "--workdays") == 0) {
            ok = cli_number(v, 0.0, 7.0, true, false, &opt->workdays);
        } else if (strcmp(a, "--patience") == 0) {
            ok = cli_number(v, 0.0, 1e7, true, false, &opt->patience);
        } else {
            return usage();
        }
        if (!ok)
            return usage();
        i++;
    }
    if (opt->path == NULL)
        opt->path = default_history();
    return 0;
}

static cm_calendar *load_calendar(const char *path)
{
    cm_calendar *cal = NULL;
    cm_parse_error err;
    if (path == NULL) {
        if (cm_calendar_parse("tz UTC\nmon-sun 00:00-24:00\n", &cal, NULL) != CM_OK)
            return NULL;
        return cal;
    }
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "caremetrics-forecast: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    char *text = xcalloc(CALENDAR_BYTES + 1, 1);
    const size_t len = fread(text, 1, CALENDAR_BYTES, f);
    const bool too_long = !feof(f);
    fclose(f);
    cm_status st = CM_EINVAL;
    if (too_long)
        fprintf(stderr, "caremetrics-forecast: %s: calendar larger than 1 MiB\n", path);
    else if (memchr(text, '\0', len) != NULL)
        fprintf(stderr, "caremetrics-forecast: %s: not a text file\n", path);
    else if ((st = cm_calendar_parse(text, &cal, &err)) == CM_EPARSE)
        fprintf(stderr, "caremetrics-forecast: %s: line %u, column %u: %s\n", path, err.line,
                err.column, err.message);
    else if (st != CM_OK)
        fprintf(stderr, "caremetrics-forecast: %s: %s\n", path, cm_strerror(st));
    free(text);
    return st == CM_OK ? cal : NULL;
}

/* ---- main --------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    options opt = {
        NULL,     NULL, NULL, 30,   14,   52,  4,   4,   2,    -1,   -1, CM_FORECAST_BY_RMSE,
        FMT_TEXT, 0.80, 20.0, 0.85, 0.30, 8.0, 5.0, 0.0, 0.95, false};
    const int prc = parse_options(argc, argv, &opt);
    if (prc != 0)
        return prc;
    cm_calendar *cal = load_calendar(opt.calendar_path);
    if (cal == NULL)
        return 1;
    FILE *in = strcmp(opt.path, "-") == 0 ? stdin : fopen(opt.path, "r");
    if (in == NULL) {
        fprintf(stderr, "caremetrics-forecast: %s: %s\n", opt.path, strerror(errno));
        cm_calendar_free(cal);
        return 1;
    }
    history hist;
    int rc = history_read_csv(in, opt.path, opt.strict, &hist);
    if (in != stdin)
        fclose(in);
    plan pl;
    memset(&pl, 0, sizeof pl);
    channel_result res[NCHANNELS];
    memset(res, 0, sizeof res);
    double *arrivals = NULL, *hsum = NULL, *handled = NULL;
    if (rc != 0)
        goto out;
    rc = 1;
    if (hist.n == 0) {
        fprintf(stderr, "caremetrics-forecast: %s: no rows\n", opt.path);
        goto out;
    }
    if (cm_calendar_get_tz(cal, &pl.tz) != CM_OK)
        goto out;
    cm_time lo_t = hist.created[0], hi_t = hist.created[0];
    for (size_t i = 1; i < hist.n; i++) {
        lo_t = hist.created[i] < lo_t ? hist.created[i] : lo_t;
        hi_t = hist.created[i] > hi_t ? hist.created[i] : hi_t;
    }
    if (opt.start != NULL && !parse_date(opt.start, &pl.start_day)) {
        fprintf(stderr, "caremetrics-forecast: --start %s: not a date YYYY-MM-DD\n", opt.start);
        goto out;
    }
    if (opt.start == NULL)
        pl.start_day = local_day(pl.tz, hi_t) + 1;
    pl.first_day = local_day(pl.tz, lo_t);
    if (pl.first_day < pl.start_day - 7 * (int64_t)opt.history_weeks)
        pl.first_day = pl.start_day - 7 * (int64_t)opt.history_weeks;
    if (pl.start_day - pl.first_day < 7) {
        char when[16];
        date_text(pl.start_day, when, sizeof when);
        fprintf(stderr,
                "caremetrics-forecast: %s: history too short: %lld days before %s, at least 7 "
                "needed\n",
                opt.path, (long long)(pl.start_day - pl.first_day), when);
        goto out;
    }
    pl.history_days = (uint32_t)(pl.start_day - pl.first_day);
    pl.slots = 1440 / opt.interval_minutes;
    if (layout(cal, pl.first_day, pl.history_days, opt.interval_minutes, &pl.hist_iv, &pl.n_hist) ||
        layout(cal, pl.start_day, opt.days, opt.interval_minutes, &pl.fc_iv, &pl.n_fc))
        goto out;

    arrivals = xcalloc((size_t)NCHANNELS * pl.n_hist, sizeof *arrivals);
    hsum = xcalloc((size_t)NCHANNELS * pl.n_hist, sizeof *hsum);
    handled = xcalloc((size_t)NCHANNELS * pl.n_hist, sizeof *handled);
    uint64_t counted = 0;
    cm_status st =
        cm_forecast_history_add(pl.hist_iv, pl.n_hist, hist.created, hist.channel, hist.handle,
                                hist.n, NCHANNELS, arrivals, hsum, handled, &counted);
    if (st != CM_OK) {
        fprintf(stderr, "caremetrics-forecast: counting arrivals: %s\n", cm_strerror(st));
        goto out;
    }
    pl.rows_used = counted;
    int active = 0;
    for (int ch = 0; ch < NCHANNELS; ch++) {
        if (opt.channel >= 0 && ch != opt.channel)
            continue;
        double total = 0.0;
        for (size_t i = 0; i < pl.n_hist; i++)
            total += arrivals[(size_t)ch * pl.n_hist + i];
        if (total == 0.0)
            continue;
        res[ch].active = true;
        res[ch].contacts_history = total;
        if (run_channel(ch, &opt, &pl, arrivals, hsum, handled, &res[ch]) != 0)
            goto out;
        active++;
    }
    if (active == 0) {
        char from[16], to[16];
        date_text(pl.first_day, from, sizeof from);
        date_text(pl.start_day - 1, to, sizeof to);
        fprintf(stderr,
                "caremetrics-forecast: %s: no arrivals from %s to %s (see --start and "
                "--channel)\n",
                opt.path, from, to);
        goto out;
    }
    if (opt.format == FMT_CSV)
        print_csv(&pl, &opt, res);
    else if (opt.format == FMT_JSON)
        print_json(&opt, &pl, &hist, res);
    else
        print_text(&opt, &pl, &hist, res);
    rc = fflush(stdout) == 0 ? 0 : 1;
out:
    for (int ch = 0; ch < NCHANNELS; ch++) {
        free(res[ch].volume);
        free(res[ch].lo);
        free(res[ch].hi);
        free(res[ch].aht);
        free(res[ch].staff);
    }
    free(arrivals);
    free(hsum);
    free(handled);
    free(pl.hist_iv);
    free(pl.fc_iv);
    history_free(&hist);
    cm_calendar_free(cal);
    return rc;
}
