/*
 * caremetrics-staffing: agents per interval for a day's forecast.
 *
 *   caremetrics-staffing [--interval MINUTES] [--target SL] [--seconds T]
 *                        [--max-occupancy OCC] [--shrinkage S] [--shift-hours H]
 *                        [--patience SECONDS] [--strict] [FILE]
 *
 * Reads a forecast CSV with the columns interval_start, volume and
 * aht_seconds (found by name in the header line; order free, other columns
 * ignored) and prints, for each interval, the Erlang C agents needed for the
 * service-level target with their expected service level, ASA and occupancy;
 * with --patience, also the Erlang A agents and abandonment. Then the day's
 * totals and FTE. Without FILE it reads the bundled sample forecast. Rows that
 * cannot be read are reported on stderr with their line number and skipped;
 * with --strict the first one ends the run with exit status 1.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli-util.h"
#include "csv.h"

#ifndef CM_FORECAST_SOURCE
#define CM_FORECAST_SOURCE "examples/data/sample-forecast.csv"
#endif
#ifndef CM_FORECAST_INSTALLED
#define CM_FORECAST_INSTALLED "/usr/local/share/caremetrics/sample-forecast.csv"
#endif

#define MAX_FIELDS    32
#define MAX_INTERVALS 1440 /* one-minute intervals over a day */
#define LINE_BYTES    4096

typedef struct options {
    double interval_minutes, target, seconds, max_occupancy, shrinkage, shift_hours, patience;
    bool strict;
    const char *path;
} options;

typedef struct forecast {
    size_t n;
    char start[MAX_INTERVALS][32];
    double volume[MAX_INTERVALS], aht[MAX_INTERVALS];
    unsigned long long bad_rows;
} forecast;

enum { COL_START, COL_VOLUME, COL_AHT, NCOLS };
static const char *const col_names[NCOLS] = {"interval_start", "volume", "aht_seconds"};

/* An interval start is HH:MM or an RFC 3339 instant. */
static bool valid_start(const csv_field *f)
{
    if (f->len == 5 && f->p[2] == ':') {
        long long h, m;
        const csv_field hh = {f->p, 2}, mm = {f->p + 3, 2};
        return csv_int(&hh, 0, 23, &h) && csv_int(&mm, 0, 59, &m) && f->p[0] != '+' &&
               f->p[0] != '-' && f->p[3] != '+' && f->p[3] != '-';
    }
    cm_time t;
    return f->len > 0 && f->len < 32 && cm_time_parse(f->p, f->len, &t) == CM_OK;
}

static void bad_row(forecast *fc, unsigned long long line, const char *what)
{
    fc->bad_rows++;
    fprintf(stderr, "caremetrics-staffing: line %llu: %s\n", line, what);
}

static int read_forecast(FILE *in, forecast *fc, const options *opt)
{
    static char buf[LINE_BYTES];
    csv_field f[MAX_FIELDS];
    long n = cli_read_line(in, buf, sizeof buf);
    int nf = n >= 0 ? csv_split(buf, (size_t)n, f, MAX_FIELDS) : -1;
    if (nf <= 0) {
        fprintf(stderr, "caremetrics-staffing: %s: no header line\n", opt->path);
        return 1;
    }
    int col[NCOLS];
    for (int c = 0; c < NCOLS; c++) {
        col[c] = -1;
        for (int i = 0; i < nf; i++) {
            if (csv_is(&f[i], col_names[c]))
                col[c] = i;
        }
        if (col[c] < 0) {
            fprintf(stderr,
                    "caremetrics-staffing: %s: the header needs the columns interval_start, "
                    "volume and aht_seconds\n",
                    opt->path);
            return 1;
        }
    }
    unsigned long long line = 1;
    while ((n = cli_read_line(in, buf, sizeof buf)) != -1) {
        line++;
        if (n == 0)
            continue;
        char what[96];
        nf = n > 0 ? csv_split(buf, (size_t)n, f, MAX_FIELDS) : -1;
        double vol = 0.0, aht = 0.0;
        if (nf < 0) {
            snprintf(what, sizeof what, "unreadable line");
        } else if (col[COL_START] >= nf || !valid_start(&f[col[COL_START]])) {
            snprintf(what, sizeof what, "bad value in column interval_start");
        } else if (col[COL_VOLUME] >= nf || !csv_seconds(&f[col[COL_VOLUME]], &vol)) {
            snprintf(what, sizeof what, "bad value in column volume");
        } else if (col[COL_AHT] >= nf || !csv_seconds(&f[col[COL_AHT]], &aht) || aht <= 0.0) {
            snprintf(what, sizeof what, "bad value in column aht_seconds");
        } else if (fc->n == MAX_INTERVALS) {
            snprintf(what, sizeof what, "more than %d intervals", MAX_INTERVALS);
        } else {
            const csv_field *s = &f[col[COL_START]];
            memcpy(fc->start[fc->n], s->p, s->len);
            fc->start[fc->n][s->len] = '\0';
            fc->volume[fc->n] = vol;
            fc->aht[fc->n] = aht;
            fc->n++;
            continue;
        }
        bad_row(fc, line, what);
        if (opt->strict)
            return 1;
    }
    if (ferror(in)) {
        fprintf(stderr, "caremetrics-staffing: %s: read error\n", opt->path);
        return 1;
    }
    return 0;
}

static void fmt_mmss(char *buf, size_t cap, double seconds)
{
    const long long s = llround(seconds);
    snprintf(buf, cap, "%lldm %02llds", s / 60, s % 60);
}

static int plan(const forecast *fc, const options *opt)
{
    static cm_interval_staffing out[MAX_INTERVALS];
    const double interval_s = opt->interval_minutes * 60.0;
    cm_status st = cm_staffing_plan(fc->volume, fc->aht, fc->n, interval_s, opt->target,
                                    opt->seconds, opt->max_occupancy, out);
    if (st != CM_OK) {
        fprintf(stderr, "caremetrics-staffing: %s\n", cm_strerror(st));
        return 1;
    }
    const bool erlang_a = opt->patience > 0.0;
    printf("caremetrics-staffing %s: %s\n", cm_version_string(), opt->path);
    printf("target %g %% within %g s, occupancy at most %g %%, %g-minute intervals (Erlang C)\n",
           100.0 * opt->target, opt->seconds, 100.0 * opt->max_occupancy, opt->interval_minutes);
    if (erlang_a)
        printf("Erlang A: mean patience %g s, abandons counting against the target\n",
               opt->patience);
    printf("\n%-20s %8s %8s %9s %7s %8s %8s %10s", "interval", "volume", "AHT", "Erlangs", "agents",
           "SL", "ASA", "occupancy");
    if (erlang_a)
        printf(" %9s %8s", "Erlang A", "abandon");
    printf("\n");

    double agent_hours = 0.0, contacts = 0.0;
    uint64_t sum_agents_a = 0;
    for (size_t i = 0; i < fc->n; i++) {
        const cm_interval_staffing *s = &out[i];
        char aht[32];
        fmt_mmss(aht, sizeof aht, fc->aht[i]);
        printf("%-20s %8.1f %8s %9.2f %7u %6.1f %% %6.1f s %8.1f %%", fc->start[i], fc->volume[i],
               aht, s->traffic, s->agents, 100.0 * s->service_level, s->asa_seconds,
               100.0 * s->occupancy);
        if (erlang_a) {
            uint32_t na = 0;
            cm_erlang_a_result r = {0};
            st = cm_erlang_a_agents(s->traffic, fc->aht[i], opt->patience, opt->target,
                                    opt->seconds, 1.0, opt->max_occupancy, &na);
            if (st == CM_OK && na > 0)
                st = cm_erlang_a(s->traffic, na, fc->aht[i], opt->patience, opt->seconds, &r);
            if (st != CM_OK) {
                fprintf(stderr, "\ncaremetrics-staffing: %s: %s\n", fc->start[i], cm_strerror(st));
                return 1;
            }
            printf(" %9u %6.1f %%", na, 100.0 * r.p_abandon);
            sum_agents_a += na;
        }
        printf("\n");
        agent_hours += s->agents * opt->interval_minutes / 60.0;
        contacts += fc->volume[i];
    }

    double workload = 0.0;
    cm_workforce by_intervals, by_workload;
    st = cm_workload_hours(fc->volume, fc->aht, fc->n, &workload);
    if (st == CM_OK)
        /* Erlang staffing already includes idle time: occupancy 1 here. */
        st = cm_workforce_plan(agent_hours, 1.0, opt->shrinkage, opt->shift_hours, 1.0,
                               &by_intervals);
    if (st == CM_OK)
        st = cm_workforce_plan(workload, opt->max_occupancy, opt->shrinkage, opt->shift_hours, 1.0,
                               &by_workload);
    if (st != CM_OK) {
        fprintf(stderr, "caremetrics-staffing: %s\n", cm_strerror(st));
        return 1;
    }
    printf("\nday: %zu intervals, %.0f contacts, workload %.1f h, %.1f agent-hours on queue\n",
           fc->n, contacts, workload, agent_hours);
    printf("FTE (interval staffing, %g %% shrinkage, %g-hour shifts)   %8.2f\n",
           100.0 * opt->shrinkage, opt->shift_hours, by_intervals.fte);
    printf("FTE (workload at %g %% occupancy, same shrinkage)          %8.2f\n",
           100.0 * opt->max_occupancy, by_workload.fte);
    if (erlang_a) {
        cm_workforce wa;
        st = cm_workforce_plan((double)sum_agents_a * opt->interval_minutes / 60.0, 1.0,
                               opt->shrinkage, opt->shift_hours, 1.0, &wa);
        if (st == CM_OK)
            printf("FTE (Erlang A interval staffing)                           %8.2f\n", wa.fte);
    }
    if (fc->bad_rows > 0)
        printf("bad rows skipped: %llu\n", fc->bad_rows);
    return 0;
}

static int usage(void)
{
    fputs("usage: caremetrics-staffing [--interval MINUTES] [--target SL] [--seconds T]\n"
          "         [--max-occupancy OCC] [--shrinkage S] [--shift-hours H]\n"
          "         [--patience SECONDS] [--strict] [FILE]\n"
          "  FILE: CSV with interval_start, volume, aht_seconds; defaults to the bundled\n"
          "  sample forecast. Defaults: 30-minute intervals, 80 % within 20 s, occupancy\n"
          "  at most 85 %, 30 % shrinkage, 8-hour shifts.\n",
          stderr);
    return 2;
}

static const char *default_forecast(void)
{
    FILE *f = fopen(CM_FORECAST_SOURCE, "r");
    if (f != NULL) {
        fclose(f);
        return CM_FORECAST_SOURCE;
    }
    return CM_FORECAST_INSTALLED;
}

int main(int argc, char **argv)
{
    options opt = {30.0, 0.80, 20.0, 0.85, 0.30, 8.0, 0.0, false, NULL};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool ok = true;
        if (strcmp(a, "--strict") == 0) {
            opt.strict = true;
            continue;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage();
            return 0;
        } else if (v != NULL && strcmp(a, "--interval") == 0) {
            ok = cli_number(v, 0.0, 1440.0, true, false, &opt.interval_minutes);
        } else if (v != NULL && strcmp(a, "--target") == 0) {
            ok = cli_number(v, 0.0, 1.0, true, true, &opt.target);
        } else if (v != NULL && strcmp(a, "--seconds") == 0) {
            ok = cli_number(v, 0.0, 86400.0, false, false, &opt.seconds);
        } else if (v != NULL && strcmp(a, "--max-occupancy") == 0) {
            ok = cli_number(v, 0.0, 1.0, true, false, &opt.max_occupancy);
        } else if (v != NULL && strcmp(a, "--shrinkage") == 0) {
            ok = cli_number(v, 0.0, 1.0, false, true, &opt.shrinkage);
        } else if (v != NULL && strcmp(a, "--shift-hours") == 0) {
            ok = cli_number(v, 0.0, 24.0, true, false, &opt.shift_hours);
        } else if (v != NULL && strcmp(a, "--patience") == 0) {
            ok = cli_number(v, 0.0, 1e7, true, false, &opt.patience);
        } else if (a[0] == '-' && a[1] != '\0') {
            return usage();
        } else if (opt.path == NULL) {
            opt.path = a;
            continue;
        } else {
            return usage();
        }
        if (!ok)
            return usage();
        i++; /* the option's value */
    }
    if (opt.path == NULL)
        opt.path = default_forecast();
    FILE *in = strcmp(opt.path, "-") == 0 ? stdin : fopen(opt.path, "r");
    if (in == NULL) {
        fprintf(stderr, "caremetrics-staffing: %s: %s\n", opt.path, strerror(errno));
        return 1;
    }
    static forecast fc;
    const int rc = read_forecast(in, &fc, &opt);
    if (in != stdin)
        fclose(in);
    if (rc != 0)
        return rc;
    if (fc.n == 0) {
        fprintf(stderr, "caremetrics-staffing: %s: no intervals\n", opt.path);
        return 1;
    }
    return plan(&fc, &opt);
}
