/*
 * caremetrics-qa score: scorecards per agent, team or any column from a file
 * of evaluations, with alerts for runs of periods below a threshold.
 * SPDX-License-Identifier: MIT
 */
#include "qa-cli.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli-util.h"

#define MAX_BY         4
#define MAX_ERRORS     20
#define ALERT_ON_SCORE 0
#define ALERT_ON_PASS  1

typedef struct score_options {
    const char *path, *rubric_path, *period;
    const char *by[MAX_BY];
    int nby;
    bool by_given, strict, threshold_given;
    double confidence, threshold;
    uint32_t periods;
    int alert_on;
    out_format format;
} score_options;

/* The scorecards of one grouping column (or of everything, with no column). */
typedef struct grouping {
    const char *column; /* NULL: one group, "all" */
    int col;
    name_set keys;
    cm_qa_acc *acc;
    double *section_sum; /* [group * sections + s] */
    uint64_t *section_n;
    size_t cap;
} grouping;

/* One scored evaluation, kept for the per-period alerts. */
typedef struct scored {
    uint32_t period;
    uint32_t group[MAX_BY];
    double score;
    uint8_t flags;
} scored;

typedef struct score_run {
    score_options opt;
    cm_qa_rubric *rubric;
    cm_qa_rubric_summary info;
    grouping g[MAX_BY + 1]; /* the --by columns, then "all" */
    int ng;
    name_set periods;
    int period_col;
    scored *rows;
    size_t nrows, rows_cap;
    uint64_t evaluations, skipped;
} score_run;

static int score_usage(void)
{
    fputs("usage: caremetrics-qa score --rubric RUBRIC [OPTIONS] FILE\n"
          "  FILE: evaluations CSV with a header: one column per rubric item (points\n"
          "  awarded, or 'na' / 'n/a' / empty for N/A) and any other columns; '-' reads\n"
          "  standard input.\n"
          "  --rubric FILE         the rubric (text form, docs/qa.md)\n"
          "  --by COLUMN           scorecards per value of COLUMN; repeat for up to 4\n"
          "                        groupings (default: agent, when there is such a column)\n"
          "  --period COLUMN       the period of each evaluation (e.g. an ISO week), for alerts\n"
          "  --alert-below X       alert when a group is below X (default: the pass mark)...\n"
          "  --alert-periods N     ...for N consecutive periods (2)\n"
          "  --alert-on WHAT       score (the period's mean score) or pass-rate (in percent)\n"
          "  --confidence C        confidence of the intervals (0.95)\n"
          "  --format FORMAT       text, csv or json (text)\n"
          "  --strict              stop at the first row that cannot be scored\n",
          stderr);
    return 2;
}

static int parse_score_options(int argc, char **argv, score_options *opt)
{
    opt->confidence = CM_DEFAULT_CONFIDENCE;
    opt->periods = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool ok = true;
        if (strcmp(a, "--strict") == 0) {
            opt->strict = true;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            score_usage();
            exit(0);
        }
        if (a[0] != '-' || strcmp(a, "-") == 0) {
            if (opt->path != NULL)
                return score_usage();
            opt->path = a;
            continue;
        }
        if (v == NULL)
            return score_usage();
        if (strcmp(a, "--rubric") == 0) {
            opt->rubric_path = v;
        } else if (strcmp(a, "--by") == 0) {
            ok = opt->nby < MAX_BY && v[0] != '\0';
            if (ok)
                opt->by[opt->nby++] = v;
            opt->by_given = true;
        } else if (strcmp(a, "--period") == 0) {
            opt->period = v;
        } else if (strcmp(a, "--alert-below") == 0) {
            ok = cli_number(v, 0.0, 100.0, false, false, &opt->threshold);
            opt->threshold_given = true;
        } else if (strcmp(a, "--alert-periods") == 0) {
            double n;
            ok = cli_number(v, 1.0, 1000.0, false, false, &n) && n == floor(n);
            opt->periods = ok ? (uint32_t)n : 0;
        } else if (strcmp(a, "--alert-on") == 0) {
            if (strcmp(v, "score") == 0)
                opt->alert_on = ALERT_ON_SCORE;
            else if (strcmp(v, "pass-rate") == 0)
                opt->alert_on = ALERT_ON_PASS;
            else
                ok = false;
        } else if (strcmp(a, "--confidence") == 0) {
            ok = cli_number(v, 0.0, 1.0, true, true, &opt->confidence);
        } else if (strcmp(a, "--format") == 0) {
            ok = parse_format(v, &opt->format);
        } else {
            return score_usage();
        }
        if (!ok)
            return score_usage();
        i++;
    }
    if (opt->rubric_path == NULL || opt->path == NULL)
        return score_usage();
    return 0;
}

/* Room for one more group in a grouping. */
static bool grouping_reserve(grouping *g, size_t sections)
{
    if (g->keys.count < g->cap)
        return true;
    const size_t cap = g->cap ? g->cap * 2 : 16;
    cm_qa_acc *acc = realloc(g->acc, cap * sizeof *acc);
    if (acc == NULL)
        return false;
    g->acc = acc;
    double *sum = realloc(g->section_sum, cap * sections * sizeof *sum);
    if (sum == NULL)
        return false;
    g->section_sum = sum;
    uint64_t *n = realloc(g->section_n, cap * sections * sizeof *n);
    if (n == NULL)
        return false;
    g->section_n = n;
    for (size_t k = g->cap; k < cap; k++) {
        memset(&acc[k], 0, sizeof acc[k]);
        for (size_t s = 0; s < sections; s++) {
            sum[k * sections + s] = 0.0;
            n[k * sections + s] = 0;
        }
    }
    g->cap = cap;
    return true;
}

static void grouping_free(grouping *g)
{
    names_free(&g->keys);
    free(g->acc);
    free(g->section_sum);
    free(g->section_n);
}

/* Finds the grouping columns and the period column in the header. */
static bool locate_columns(score_run *run, const table_reader *r)
{
    score_options *opt = &run->opt;
    if (!opt->by_given && reader_column(r, "agent") >= 0)
        opt->by[opt->nby++] = "agent";
    for (int k = 0; k < opt->nby; k++) {
        const int col = reader_column(r, opt->by[k]);
        if (col == -1)
            fprintf(stderr, "%s: no column '%s' (--by)\n", r->path, opt->by[k]);
        if (col < 0)
            return false;
        run->g[k].column = opt->by[k];
        run->g[k].col = col;
    }
    run->ng = opt->nby + 1;
    run->g[opt->nby].column = NULL;
    run->g[opt->nby].col = -1;
    run->period_col = -1;
    if (opt->period != NULL) {
        run->period_col = reader_column(r, opt->period);
        if (run->period_col == -1)
            fprintf(stderr, "%s: no column '%s' (--period)\n", r->path, opt->period);
        if (run->period_col < 0)
            return false;
    }
    return true;
}

/* Records one scored evaluation in every grouping; false when out of memory. */
static bool record(score_run *run, const table_reader *r, const cm_qa_result *res,
                   const double *sections, uint32_t period)
{
    const size_t ns = run->info.sections;
    scored row = {period, {0}, res->score, (uint8_t)res->flags};
    for (int k = 0; k < run->ng; k++) {
        grouping *g = &run->g[k];
        const csv_field *f = g->col >= 0 ? &r->fields[g->col] : NULL;
        const long idx =
            f != NULL ? names_intern(&g->keys, f->p, f->len) : names_intern(&g->keys, "all", 3);
        if (idx < 0 || !grouping_reserve(g, ns))
            return false;
        if (cm_qa_acc_add_result(&g->acc[idx], res) != CM_OK)
            return false;
        for (size_t s = 0; s < ns; s++) {
            if (res->na_sections & ((uint64_t)1 << s))
                continue;
            g->section_sum[(size_t)idx * ns + s] += sections[s];
            g->section_n[(size_t)idx * ns + s]++;
        }
        if (k < MAX_BY)
            row.group[k] = (uint32_t)idx;
    }
    if (run->period_col < 0)
        return true;
    if (run->nrows == run->rows_cap) {
        const size_t cap = run->rows_cap ? run->rows_cap * 2 : 1024;
        scored *rows = realloc(run->rows, cap * sizeof *rows);
        if (rows == NULL)
            return false;
        run->rows = rows;
        run->rows_cap = cap;
    }
    run->rows[run->nrows++] = row;
    return true;
}

/* Reads and scores every row. Returns 0, or the exit status. */
static int read_evaluations(score_run *run)
{
    table_reader r;
    if (!reader_open(&r, run->opt.path))
        return 1;
    int status = 0;
    int32_t *awards = malloc(run->info.items * sizeof *awards);
    int *col = malloc(run->info.items * sizeof *col);
    double *sections = malloc(run->info.sections * sizeof *sections);
    if (awards == NULL || col == NULL || sections == NULL) {
        fprintf(stderr, "%s: out of memory\n", PROG);
        status = 1;
    } else if (!map_items(run->rubric, &r, col) || !locate_columns(run, &r)) {
        status = 1;
    }
    while (status == 0) {
        const int got = reader_next(&r);
        if (got == 0)
            break;
        bool ok = got > 0 && read_awards(run->rubric, &r, col, awards);
        cm_qa_result res;
        if (ok) {
            const cm_status st = cm_qa_score(run->rubric, awards, run->info.items, &res, sections);
            if (st != CM_OK) {
                fprintf(stderr, "%s:%lu: %s\n", r.path, r.lineno,
                        st == CM_ENODATA ? "every item is N/A: nothing to score" : cm_strerror(st));
                ok = false;
            }
        }
        long period = 0;
        if (ok && run->period_col >= 0) {
            const csv_field *f = &r.fields[run->period_col];
            if (f->len == 0) {
                fprintf(stderr, "%s:%lu: column '%s' is empty\n", r.path, r.lineno,
                        run->opt.period);
                ok = false;
            } else if ((period = names_intern(&run->periods, f->p, f->len)) < 0) {
                fprintf(stderr, "%s: out of memory\n", PROG);
                status = 1;
                break;
            }
        }
        if (!ok) {
            run->skipped++;
            if (run->opt.strict) {
                status = 1;
            } else if (run->skipped == MAX_ERRORS) {
                fprintf(stderr, "%s: more rows cannot be scored; not listing them\n", r.path);
            }
            continue;
        }
        if (!record(run, &r, &res, sections, (uint32_t)period)) {
            fprintf(stderr, "%s: out of memory\n", PROG);
            status = 1;
        }
        run->evaluations++;
    }
    if (status == 0 && run->evaluations == 0) {
        fprintf(stderr, "%s: no evaluation could be scored\n", r.path);
        status = 1;
    }
    free(awards);
    free(col);
    free(sections);
    reader_close(&r);
    return status;
}

/* ---- alerts ------------------------------------------------------------------- */

/* A run of periods below the threshold. */
typedef struct alert_run {
    size_t from, to; /* positions in the sorted periods */
} alert_run;

/* Per group of grouping k: the runs of at least opt.periods periods below the
 * threshold, over the periods sorted by name. A period without evaluations of
 * the group breaks a run. */
typedef struct alerts {
    cm_qa_acc *cell; /* [group * periods + sorted period] */
    size_t *order;   /* sorted position -> period index */
    size_t *rank;    /* period index -> sorted position */
    alert_run *runs;
    size_t *first_run, *nruns; /* per group */
    size_t total;
} alerts;

static double period_value(const score_run *run, const cm_qa_acc *c)
{
    cm_qa_summary s;
    if (cm_qa_acc_result(c, run->opt.confidence, &s) != CM_OK)
        return (double)NAN;
    return run->opt.alert_on == ALERT_ON_PASS ? 100.0 * s.pass_rate.value : s.mean;
}

static bool compute_alerts(const score_run *run, int k, alerts *al)
{
    memset(al, 0, sizeof *al);
    const grouping *g = &run->g[k];
    const size_t np = run->periods.count, ngr = g->keys.count;
    al->cell = calloc(ngr * np, sizeof *al->cell);
    al->order = malloc(np * sizeof *al->order);
    al->rank = malloc(np * sizeof *al->rank);
    al->first_run = calloc(ngr, sizeof *al->first_run);
    al->nruns = calloc(ngr, sizeof *al->nruns);
    double *values = malloc(np * sizeof *values);
    cm_spc_signal *sig = malloc(np * sizeof *sig);
    size_t cap = 16;
    al->runs = malloc(cap * sizeof *al->runs);
    bool ok = al->cell != NULL && al->order != NULL && al->rank != NULL && al->first_run != NULL &&
              al->nruns != NULL && values != NULL && sig != NULL && al->runs != NULL;
    if (ok) {
        names_sorted(&run->periods, al->order);
        for (size_t p = 0; p < np; p++)
            al->rank[al->order[p]] = p;
        for (size_t i = 0; i < run->nrows; i++) {
            const scored *row = &run->rows[i];
            const size_t gi = k < MAX_BY && g->column != NULL ? row->group[k] : 0;
            ok = ok && cm_qa_acc_add(&al->cell[gi * np + al->rank[row->period]], row->score,
                                     row->flags) == CM_OK;
        }
    }
    for (size_t gi = 0; ok && gi < ngr; gi++) {
        al->first_run[gi] = al->total;
        /* Each stretch of consecutive periods with evaluations, on its own. */
        size_t p = 0;
        while (p < np) {
            while (p < np && al->cell[gi * np + p].n == 0)
                p++;
            size_t len = 0;
            while (p + len < np && al->cell[gi * np + p + len].n > 0) {
                values[len] = period_value(run, &al->cell[gi * np + p + len]);
                len++;
            }
            if (len == 0)
                break;
            size_t count = 0;
            ok = cm_qa_alerts(values, len, run->opt.threshold, run->opt.periods, sig, len,
                              &count) == CM_OK;
            /* A signal at every period that ends a long enough run: one run per
             * sequence of consecutive signals. */
            for (size_t s = 0; ok && s < count; s++) {
                const size_t end = p + sig[s].index;
                if (s > 0 && sig[s].index == sig[s - 1].index + 1) {
                    al->runs[al->total - 1].to = end;
                    continue;
                }
                if (al->total == cap) {
                    alert_run *more = realloc(al->runs, 2 * cap * sizeof *more);
                    if (more == NULL) {
                        ok = false;
                        break;
                    }
                    al->runs = more;
                    cap *= 2;
                }
                al->runs[al->total].from = end + 1 - run->opt.periods;
                al->runs[al->total].to = end;
                al->total++;
                al->nruns[gi]++;
            }
            p += len;
        }
    }
    free(values);
    free(sig);
    return ok;
}

static void alerts_free(alerts *al)
{
    free(al->cell);
    free(al->order);
    free(al->rank);
    free(al->runs);
    free(al->first_run);
    free(al->nruns);
}

/* ---- output ------------------------------------------------------------------- */

static const char *section_name(const cm_qa_rubric *rubric, size_t s)
{
    cm_qa_section sec;
    return cm_qa_rubric_section(rubric, s, &sec) == CM_OK ? sec.name : "?";
}

static double section_mean(const grouping *g, size_t gi, size_t s, size_t ns)
{
    const uint64_t n = g->section_n[gi * ns + s];
    return n ? g->section_sum[gi * ns + s] / (double)n : (double)NAN;
}

static const char *period_name(const score_run *run, const alerts *al, size_t pos)
{
    return run->periods.names[al->order[pos]];
}

static const char *shown(const char *key)
{
    return key[0] ? key : "(blank)";
}

static void text_grouping(const score_run *run, int k, const alerts *al)
{
    const grouping *g = &run->g[k];
    const size_t ns = run->info.sections;
    const double pct = 100.0 * run->opt.confidence;
    size_t *order = malloc(g->keys.count * sizeof *order);
    if (order == NULL)
        return;
    names_sorted(&g->keys, order);
    int w = g->column ? (int)strlen(g->column) : 3;
    for (size_t i = 0; i < g->keys.count; i++) {
        const int len = (int)strlen(shown(g->keys.names[i]));
        w = len > w ? len : w;
    }
    if (w > 40)
        w = 40;
    printf("\n%-*.*s %7s %7s  %-16s %7s  %-14s %8s %7s %7s\n", w, w, g->column ? g->column : "",
           "n", "mean", "interval", "pass", "interval", "critical", "min", "max");
    for (size_t i = 0; i < g->keys.count; i++) {
        const size_t gi = order[i];
        cm_qa_summary s;
        if (cm_qa_acc_result(&g->acc[gi], run->opt.confidence, &s) != CM_OK)
            continue;
        char mean_iv[40], pass_iv[40];
        snprintf(mean_iv, sizeof mean_iv, "[%.2f, %.2f]", s.lo, s.hi);
        snprintf(pass_iv, sizeof pass_iv, "[%.1f, %.1f]", 100.0 * s.pass_rate.lo,
                 100.0 * s.pass_rate.hi);
        printf("%-*.*s %7" PRIu64 " %7.2f  %-16s %6.1f%%  %-14s %8" PRIu64 " %7.2f %7.2f\n", w, w,
               shown(g->keys.names[gi]), s.n, s.mean, mean_iv, 100.0 * s.pass_rate.value, pass_iv,
               s.critical_rate.num, s.min, s.max);
    }
    printf("(intervals: %g %% Student t for the mean, Wilson for the pass rate)\n", pct);
    printf("\nsection means%s\n", g->column ? "" : " (all)");
    int sw[64];
    printf("%-*.*s", w, w, g->column ? g->column : "");
    for (size_t s = 0; s < ns && s < 64; s++) {
        const int len = (int)strlen(section_name(run->rubric, s));
        sw[s] = len < 7 ? 7 : len;
        printf(" %*s", sw[s], section_name(run->rubric, s));
    }
    printf("\n");
    for (size_t i = 0; i < g->keys.count; i++) {
        const size_t gi = order[i];
        printf("%-*.*s", w, w, shown(g->keys.names[gi]));
        for (size_t s = 0; s < ns && s < 64; s++) {
            const double m = section_mean(g, gi, s, ns);
            if (isnan(m))
                printf(" %*s", sw[s], "n/a");
            else
                printf(" %*.2f", sw[s], m);
        }
        printf("\n");
    }
    if (al != NULL) {
        const char *what = run->opt.alert_on == ALERT_ON_PASS ? "pass rate" : "mean score";
        printf("\nalerts: %s below %g for %u consecutive periods (%s)\n", what, run->opt.threshold,
               run->opt.periods, run->opt.period);
        if (al->total == 0)
            printf("  none\n");
        for (size_t i = 0; i < g->keys.count; i++) {
            const size_t gi = order[i];
            for (size_t j = 0; j < al->nruns[gi]; j++) {
                const alert_run *ar = &al->runs[al->first_run[gi] + j];
                const size_t len = ar->to - ar->from + 1;
                printf("  %s: %s to %s (%zu period%s):", shown(g->keys.names[gi]),
                       period_name(run, al, ar->from), period_name(run, al, ar->to), len,
                       len == 1 ? "" : "s");
                for (size_t p = ar->from; p <= ar->to; p++)
                    printf(" %.2f", period_value(run, &al->cell[gi * run->periods.count + p]));
                printf("\n");
            }
        }
    }
    free(order);
}

static void csv_header(const score_run *run)
{
    printf("grouping,group,n,mean,mean_lo,mean_hi,sd,min,max,passed,pass_rate,pass_lo,pass_hi,"
           "critical_failed,critical_rate");
    for (size_t s = 0; s < run->info.sections; s++) {
        printf(",");
        char name[80];
        snprintf(name, sizeof name, "section:%s", section_name(run->rubric, s));
        csv_string(stdout, name);
    }
    if (run->period_col >= 0)
        printf(",alert_runs,last_alert_period");
    printf("\n");
}

static void csv_grouping(const score_run *run, int k, const alerts *al)
{
    const grouping *g = &run->g[k];
    const size_t ns = run->info.sections;
    size_t *order = malloc(g->keys.count * sizeof *order);
    if (order == NULL)
        return;
    names_sorted(&g->keys, order);
    for (size_t i = 0; i < g->keys.count; i++) {
        const size_t gi = order[i];
        cm_qa_summary s;
        if (cm_qa_acc_result(&g->acc[gi], run->opt.confidence, &s) != CM_OK)
            continue;
        csv_string(stdout, g->column ? g->column : "all");
        printf(",");
        csv_string(stdout, g->keys.names[gi]);
        printf(",%" PRIu64 ",%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%" PRIu64 ",%.6f,%.6f,%.6f,%" PRIu64
               ",%.6f",
               s.n, s.mean, s.lo, s.hi, s.sd, s.min, s.max, s.pass_rate.num, s.pass_rate.value,
               s.pass_rate.lo, s.pass_rate.hi, s.critical_rate.num, s.critical_rate.value);
        for (size_t sec = 0; sec < ns; sec++) {
            const double m = section_mean(g, gi, sec, ns);
            if (isnan(m))
                printf(",");
            else
                printf(",%.6f", m);
        }
        if (al != NULL) {
            printf(",%zu,", al->nruns[gi]);
            if (al->nruns[gi] > 0)
                csv_string(stdout, period_name(run, al,
                                               al->runs[al->first_run[gi] + al->nruns[gi] - 1].to));
        }
        printf("\n");
    }
    free(order);
}

static void json_rate(const char *name, const cm_proportion *p)
{
    printf("\"%s\":{\"count\":%" PRIu64 ",\"value\":", name, p->num);
    json_number(stdout, p->value, 12);
    printf(",\"lo\":");
    json_number(stdout, p->lo, 12);
    printf(",\"hi\":");
    json_number(stdout, p->hi, 12);
    printf("}");
}

static void json_grouping(const score_run *run, int k, const alerts *al)
{
    const grouping *g = &run->g[k];
    const size_t ns = run->info.sections;
    size_t *order = malloc(g->keys.count * sizeof *order);
    if (order == NULL)
        return;
    names_sorted(&g->keys, order);
    printf("{\"by\":");
    if (g->column)
        json_string(stdout, g->column);
    else
        printf("null");
    printf(",\"groups\":[");
    for (size_t i = 0; i < g->keys.count; i++) {
        const size_t gi = order[i];
        cm_qa_summary s;
        if (cm_qa_acc_result(&g->acc[gi], run->opt.confidence, &s) != CM_OK)
            continue;
        printf("%s{\"name\":", i ? "," : "");
        json_string(stdout, g->keys.names[gi]);
        printf(",\"n\":%" PRIu64 ",\"mean\":", s.n);
        json_number(stdout, s.mean, 12);
        printf(",\"mean_lo\":");
        json_number(stdout, s.lo, 12);
        printf(",\"mean_hi\":");
        json_number(stdout, s.hi, 12);
        printf(",\"sd\":");
        json_number(stdout, s.sd, 12);
        printf(",\"min\":");
        json_number(stdout, s.min, 12);
        printf(",\"max\":");
        json_number(stdout, s.max, 12);
        printf(",");
        json_rate("pass_rate", &s.pass_rate);
        printf(",");
        json_rate("critical_rate", &s.critical_rate);
        printf(",\"sections\":{");
        for (size_t sec = 0; sec < ns; sec++) {
            printf("%s", sec ? "," : "");
            json_string(stdout, section_name(run->rubric, sec));
            printf(":");
            json_number(stdout, section_mean(g, gi, sec, ns), 12);
        }
        printf("}");
        if (al != NULL) {
            printf(",\"alerts\":[");
            for (size_t j = 0; j < al->nruns[gi]; j++) {
                const alert_run *ar = &al->runs[al->first_run[gi] + j];
                printf("%s{\"from\":", j ? "," : "");
                json_string(stdout, period_name(run, al, ar->from));
                printf(",\"to\":");
                json_string(stdout, period_name(run, al, ar->to));
                printf(",\"values\":[");
                for (size_t p = ar->from; p <= ar->to; p++) {
                    printf("%s", p > ar->from ? "," : "");
                    json_number(stdout, period_value(run, &al->cell[gi * run->periods.count + p]),
                                12);
                }
                printf("]}");
            }
            printf("]");
        }
        printf("}");
    }
    printf("]}");
    free(order);
}

static void text_intro(const score_run *run)
{
    printf("%" PRIu64 " evaluation%s scored against %s (%u sections, %u items, pass mark %g)",
           run->evaluations, run->evaluations == 1 ? "" : "s", run->opt.rubric_path,
           run->info.sections, run->info.items, run->info.pass_score);
    if (run->skipped)
        printf(", %" PRIu64 " row%s skipped", run->skipped, run->skipped == 1 ? "" : "s");
    printf("\n");
}

static int output(score_run *run)
{
    const bool with_alerts = run->period_col >= 0;
    alerts al[MAX_BY + 1];
    int made = 0;
    int status = 0;
    for (; with_alerts && made < run->ng; made++) {
        if (!compute_alerts(run, made, &al[made])) {
            alerts_free(&al[made]);
            fprintf(stderr, "%s: out of memory\n", PROG);
            status = 1;
            break;
        }
    }
    if (status == 0) {
        if (run->opt.format == FMT_CSV)
            csv_header(run);
        if (run->opt.format == FMT_TEXT)
            text_intro(run);
        if (run->opt.format == FMT_JSON) {
            printf("{\"rubric\":");
            json_string(stdout, run->opt.rubric_path);
            printf(",\"pass_score\":");
            json_number(stdout, run->info.pass_score, 12);
            printf(",\"evaluations\":%" PRIu64 ",\"skipped\":%" PRIu64 ",\"confidence\":",
                   run->evaluations, run->skipped);
            json_number(stdout, run->opt.confidence, 12);
            if (with_alerts) {
                printf(",\"alert\":{\"period\":");
                json_string(stdout, run->opt.period);
                printf(",\"on\":\"%s\",\"below\":",
                       run->opt.alert_on == ALERT_ON_PASS ? "pass-rate" : "score");
                json_number(stdout, run->opt.threshold, 12);
                printf(",\"periods\":%u}", run->opt.periods);
            }
            printf(",\"groupings\":[");
        }
        for (int k = 0; k < run->ng; k++) {
            const alerts *a = with_alerts ? &al[k] : NULL;
            if (run->opt.format == FMT_TEXT)
                text_grouping(run, k, a);
            else if (run->opt.format == FMT_CSV)
                csv_grouping(run, k, a);
            else {
                printf("%s", k ? "," : "");
                json_grouping(run, k, a);
            }
        }
        if (run->opt.format == FMT_JSON)
            printf("]}\n");
    }
    for (int k = 0; k < made; k++)
        alerts_free(&al[k]);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "%s: cannot write the output\n", PROG);
        status = 1;
    }
    return status;
}

int qa_score_main(int argc, char **argv)
{
    score_run run;
    memset(&run, 0, sizeof run);
    const int bad = parse_score_options(argc, argv, &run.opt);
    if (bad)
        return bad;
    run.rubric = load_rubric(run.opt.rubric_path);
    if (run.rubric == NULL)
        return 1;
    int status = cm_qa_rubric_info(run.rubric, &run.info) == CM_OK ? 0 : 1;
    if (!run.opt.threshold_given)
        run.opt.threshold = run.info.pass_score;
    if (status == 0)
        status = read_evaluations(&run);
    if (status == 0)
        status = output(&run);
    for (int k = 0; k < MAX_BY + 1; k++)
        grouping_free(&run.g[k]);
    names_free(&run.periods);
    free(run.rows);
    cm_qa_rubric_free(run.rubric);
    return status;
}
