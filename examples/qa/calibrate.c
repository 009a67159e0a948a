/*
 * caremetrics-qa calibrate: agreement between graders who scored the same
 * interactions (Krippendorff's alpha, intraclass correlations, each grader's
 * deviation from the others, and with a rubric the agreement per item).
 * SPDX-License-Identifier: MIT
 */
#include "qa-cli.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ERRORS 20

typedef struct calib_options {
    const char *path, *rubric_path, *unit, *grader, *score;
    uint32_t item_level;
    bool strict;
    out_format format;
} calib_options;

/* One rating as read: who rated what, the score, and with a rubric the pass
 * flag and the awards (in awards[index * items]). */
typedef struct rating {
    uint32_t unit, grader;
    unsigned long line;
    double score;
    bool passed;
} rating;

typedef struct calib_run {
    calib_options opt;
    cm_qa_rubric *rubric;
    cm_qa_rubric_summary info;
    name_set units, graders;
    rating *ratings;
    int32_t *awards;
    size_t n, cap;
    uint64_t skipped;
} calib_run;

static const char *const level_names[] = {"nominal", "ordinal", "interval", "ratio"};

static int calib_usage(void)
{
    fputs("usage: caremetrics-qa calibrate [OPTIONS] FILE\n"
          "  FILE: CSV with a header, one row per grader and interaction: the interaction,\n"
          "  the grader, and the score (or, with --rubric, one column per rubric item);\n"
          "  '-' reads standard input.\n"
          "  --unit COLUMN         the interaction column (interaction)\n"
          "  --grader COLUMN       the grader column (grader)\n"
          "  --score COLUMN        the score column without --rubric (score); empty = not rated\n"
          "  --rubric FILE         score each row with this rubric; adds the agreement on\n"
          "                        pass/fail and on every item\n"
          "  --item-level LEVEL    level of the items' points: nominal, ordinal, interval,\n"
          "                        ratio (ordinal)\n"
          "  --format FORMAT       text, csv or json (text)\n"
          "  --strict              stop at the first row that cannot be read\n",
          stderr);
    return 2;
}

static bool parse_level(const char *v, uint32_t *out)
{
    for (uint32_t k = 0; k < 4; k++) {
        if (strcmp(v, level_names[k]) == 0) {
            *out = k;
            return true;
        }
    }
    return false;
}

static int parse_calib_options(int argc, char **argv, calib_options *opt)
{
    opt->unit = "interaction";
    opt->grader = "grader";
    opt->score = "score";
    opt->item_level = CM_QA_ORDINAL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool ok = true;
        if (strcmp(a, "--strict") == 0) {
            opt->strict = true;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            calib_usage();
            exit(0);
        }
        if (a[0] != '-' || strcmp(a, "-") == 0) {
            if (opt->path != NULL)
                return calib_usage();
            opt->path = a;
            continue;
        }
        if (v == NULL)
            return calib_usage();
        if (strcmp(a, "--rubric") == 0)
            opt->rubric_path = v;
        else if (strcmp(a, "--unit") == 0)
            opt->unit = v;
        else if (strcmp(a, "--grader") == 0)
            opt->grader = v;
        else if (strcmp(a, "--score") == 0)
            opt->score = v;
        else if (strcmp(a, "--item-level") == 0)
            ok = parse_level(v, &opt->item_level);
        else if (strcmp(a, "--format") == 0)
            ok = parse_format(v, &opt->format);
        else
            return calib_usage();
        if (!ok)
            return calib_usage();
        i++;
    }
    if (opt->path == NULL)
        return calib_usage();
    return 0;
}

/* A whole field as a finite number; false for anything else. */
static bool field_number(const csv_field *f, double *out)
{
    char buf[64];
    if (f->len == 0 || f->len >= sizeof buf)
        return false;
    memcpy(buf, f->p, f->len);
    buf[f->len] = '\0';
    char *end;
    errno = 0;
    const double v = strtod(buf, &end);
    if (errno != 0 || *end != '\0' || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static bool add_rating(calib_run *run, const rating *r, const int32_t *awards)
{
    const size_t items = run->rubric ? run->info.items : 0;
    if (run->n == run->cap) {
        const size_t cap = run->cap ? run->cap * 2 : 256;
        rating *more = realloc(run->ratings, cap * sizeof *more);
        if (more == NULL)
            return false;
        run->ratings = more;
        if (items > 0) {
            int32_t *aw = realloc(run->awards, cap * items * sizeof *aw);
            if (aw == NULL)
                return false;
            run->awards = aw;
        }
        run->cap = cap;
    }
    run->ratings[run->n] = *r;
    if (items > 0)
        memcpy(run->awards + run->n * items, awards, items * sizeof *awards);
    run->n++;
    return true;
}

/* One row: false when it cannot be read (message printed); *fatal on out of memory. */
static bool read_row(calib_run *run, const table_reader *r, const int *cols, const int *item_col,
                     int32_t *awards, bool *fatal)
{
    const csv_field *uf = &r->fields[cols[0]], *gf = &r->fields[cols[1]];
    if (uf->len == 0 || gf->len == 0) {
        fprintf(stderr, "%s:%lu: column '%s' is empty\n", r->path, r->lineno,
                uf->len == 0 ? run->opt.unit : run->opt.grader);
        return false;
    }
    rating rt = {0, 0, r->lineno, 0.0, false};
    if (run->rubric != NULL) {
        if (!read_awards(run->rubric, r, item_col, awards))
            return false;
        cm_qa_result res;
        const cm_status st = cm_qa_score(run->rubric, awards, run->info.items, &res, NULL);
        if (st != CM_OK) {
            fprintf(stderr, "%s:%lu: %s\n", r->path, r->lineno,
                    st == CM_ENODATA ? "every item is N/A: nothing to score" : cm_strerror(st));
            return false;
        }
        rt.score = res.score;
        rt.passed = (res.flags & CM_QA_PASSED) != 0;
    } else {
        const csv_field *sf = &r->fields[cols[2]];
        if (sf->len == 0)
            return true; /* not rated */
        if (!field_number(sf, &rt.score)) {
            fprintf(stderr, "%s:%lu: column '%s': '%.*s' is not a number\n", r->path, r->lineno,
                    run->opt.score, sf->len > 40 ? 40 : (int)sf->len, sf->p);
            return false;
        }
    }
    const long u = names_intern(&run->units, uf->p, uf->len);
    const long g = names_intern(&run->graders, gf->p, gf->len);
    rt.unit = (uint32_t)u;
    rt.grader = (uint32_t)g;
    if (u < 0 || g < 0 || !add_rating(run, &rt, awards)) {
        fprintf(stderr, "%s: out of memory\n", PROG);
        *fatal = true;
        return false;
    }
    return true;
}

static int read_ratings(calib_run *run)
{
    table_reader r;
    if (!reader_open(&r, run->opt.path))
        return 1;
    int status = 0;
    int cols[3] = {-1, -1, -1};
    const char *names[3] = {run->opt.unit, run->opt.grader, run->opt.score};
    const int needed = run->rubric ? 2 : 3;
    for (int k = 0; k < needed && status == 0; k++) {
        cols[k] = reader_column(&r, names[k]);
        if (cols[k] == -1)
            fprintf(stderr, "%s: no column '%s'\n", r.path, names[k]);
        if (cols[k] < 0)
            status = 1;
    }
    const size_t items = run->rubric ? run->info.items : 1;
    int *item_col = malloc(items * sizeof *item_col);
    int32_t *awards = malloc(items * sizeof *awards);
    if (item_col == NULL || awards == NULL) {
        fprintf(stderr, "%s: out of memory\n", PROG);
        status = 1;
    } else if (status == 0 && run->rubric != NULL && !map_items(run->rubric, &r, item_col)) {
        status = 1;
    }
    while (status == 0) {
        const int got = reader_next(&r);
        if (got == 0)
            break;
        bool fatal = false;
        if (got > 0 && read_row(run, &r, cols, item_col, awards, &fatal))
            continue;
        run->skipped++;
        if (fatal || run->opt.strict)
            status = 1;
        else if (run->skipped == MAX_ERRORS)
            fprintf(stderr, "%s: more rows cannot be read; not listing them\n", r.path);
    }
    free(item_col);
    free(awards);
    reader_close(&r);
    return status;
}

/* ---- the statistics ------------------------------------------------------------ */

typedef struct alpha_out {
    cm_status status;
    cm_qa_alpha_result r;
} alpha_out;

typedef struct calib_stats {
    size_t units, graders;
    double *scores;   /* units x graders */
    uint8_t *present; /* units x graders */
    double *scratch;
    size_t scratch_len;
    alpha_out score_alpha[4];
    cm_status icc_status;
    cm_qa_icc_result icc;
    size_t complete; /* units every grader rated */
    cm_status dev_status;
    cm_qa_deviation *dev;
    alpha_out pass_alpha;
    alpha_out *item_alpha;
} calib_stats;

/* Fills the matrix with one value per rating: the score (what = 0), the pass
 * flag (1) or the points of one item (2; N/A is a missing rating). */
static void fill(const calib_run *run, calib_stats *st, size_t item, int what)
{
    const size_t g = st->graders;
    memset(st->present, 0, st->units * g);
    for (size_t k = 0; k < run->n; k++) {
        const rating *r = &run->ratings[k];
        const size_t cell = (size_t)r->unit * g + r->grader;
        double v = r->score;
        if (what == 1) {
            v = r->passed ? 1.0 : 0.0;
        } else if (what == 2) {
            const int32_t a = run->awards[k * run->info.items + item];
            if (a == CM_QA_NA)
                continue;
            v = a;
        }
        st->scores[cell] = v;
        st->present[cell] = 1;
    }
}

static cm_status icc_complete(calib_stats *st)
{
    const size_t g = st->graders;
    double *rows = malloc(st->units * g * sizeof *rows);
    if (rows == NULL)
        return CM_ENOMEM;
    size_t n = 0;
    for (size_t u = 0; u < st->units; u++) {
        size_t have = 0;
        for (size_t j = 0; j < g; j++)
            have += st->present[u * g + j] != 0;
        if (have == g)
            memcpy(rows + n++ * g, st->scores + u * g, g * sizeof *rows);
    }
    st->complete = n;
    const cm_status s = cm_qa_icc(rows, n, g, &st->icc);
    free(rows);
    return s;
}

/* Finds duplicates; computes everything. Returns 0 or the exit status. */
static int compute(const calib_run *run, calib_stats *st)
{
    st->units = run->units.count;
    st->graders = run->graders.count;
    if (run->n == 0) {
        fprintf(stderr, "%s: no rating could be read\n", run->opt.path);
        return 1;
    }
    const size_t cells = st->units * st->graders;
    st->scores = calloc(cells, sizeof *st->scores);
    st->present = calloc(cells, 1);
    st->scratch_len = cm_qa_alpha_scratch_size(st->units, st->graders);
    st->scratch = st->scratch_len < SIZE_MAX / sizeof(double)
                      ? malloc(st->scratch_len * sizeof *st->scratch)
                      : NULL;
    st->dev = calloc(st->graders, sizeof *st->dev);
    const size_t items = run->rubric ? run->info.items : 0;
    st->item_alpha = calloc(items ? items : 1, sizeof *st->item_alpha);
    unsigned long *line = calloc(cells, sizeof *line);
    if (st->scores == NULL || st->present == NULL || st->scratch == NULL || st->dev == NULL ||
        st->item_alpha == NULL || line == NULL) {
        free(line);
        fprintf(stderr, "%s: out of memory\n", PROG);
        return 1;
    }
    for (size_t k = 0; k < run->n; k++) {
        const rating *r = &run->ratings[k];
        const size_t cell = (size_t)r->unit * st->graders + r->grader;
        if (line[cell] != 0) {
            fprintf(stderr, "%s:%lu: grader '%s' already rated interaction '%s' on line %lu\n",
                    run->opt.path, r->line, run->graders.names[r->grader],
                    run->units.names[r->unit], line[cell]);
            free(line);
            return 1;
        }
        line[cell] = r->line;
    }
    free(line);
    if (st->graders < 2) {
        fprintf(stderr, "%s: %zu grader%s; agreement needs at least two\n", run->opt.path,
                st->graders, st->graders == 1 ? "" : "s");
        return 1;
    }
    fill(run, st, 0, 0);
    for (uint32_t level = 0; level < 4; level++)
        st->score_alpha[level].status =
            cm_qa_alpha(st->scores, st->present, st->units, st->graders, level, st->scratch,
                        st->scratch_len, &st->score_alpha[level].r);
    st->dev_status =
        cm_qa_grader_deviation(st->scores, st->present, st->units, st->graders, st->dev);
    st->icc_status = icc_complete(st);
    if (run->rubric != NULL) {
        fill(run, st, 0, 1);
        st->pass_alpha.status =
            cm_qa_alpha(st->scores, st->present, st->units, st->graders, CM_QA_NOMINAL, st->scratch,
                        st->scratch_len, &st->pass_alpha.r);
        for (size_t i = 0; i < items; i++) {
            fill(run, st, i, 2);
            st->item_alpha[i].status =
                cm_qa_alpha(st->scores, st->present, st->units, st->graders, run->opt.item_level,
                            st->scratch, st->scratch_len, &st->item_alpha[i].r);
        }
    }
    return 0;
}

static void stats_free(calib_stats *st)
{
    free(st->scores);
    free(st->present);
    free(st->scratch);
    free(st->dev);
    free(st->item_alpha);
}

/* ---- output -------------------------------------------------------------------- */

/* Why a statistic is undefined, in a few words. */
static const char *why(cm_status s)
{
    switch (s) {
    case CM_ENODATA:
        return "undefined: too few ratings or no variation";
    case CM_ERANGE:
        return "undefined: negative values";
    case CM_EOVERFLOW:
        return "undefined: values too large";
    default:
        return cm_strerror(s);
    }
}

static const char *verdict(double alpha)
{
    return alpha >= 0.8 ? "reliable" : alpha >= 0.667 ? "tentative" : "unreliable";
}

static const char *item_name(const cm_qa_rubric *rubric, size_t i)
{
    cm_qa_item item;
    return cm_qa_rubric_item(rubric, i, &item) == CM_OK ? item.name : "?";
}

static void text_alpha(const char *label, const alpha_out *a)
{
    if (a->status == CM_OK)
        printf("%s %.3f (%s, %" PRIu64 " ratings in %" PRIu64 " interactions)\n", label, a->r.alpha,
               verdict(a->r.alpha), a->r.pairable_values, a->r.pairable_units);
    else
        printf("%s %s\n", label, why(a->status));
}

static void text_output(const calib_run *run, const calib_stats *st)
{
    printf("%zu interactions, %zu graders, %zu ratings", st->units, st->graders, run->n);
    if (run->rubric)
        printf(", scored with %s", run->opt.rubric_path);
    if (run->skipped)
        printf(", %" PRIu64 " row%s skipped", run->skipped, run->skipped == 1 ? "" : "s");
    printf("\n\nagreement on the score: Krippendorff's alpha\n");
    for (uint32_t level = 0; level < 4; level++) {
        char label[40];
        snprintf(label, sizeof label, "  %-9s", level_names[level]);
        text_alpha(label, &st->score_alpha[level]);
    }
    printf("  (scores are interval data; alpha >= 0.800 is reliable, 0.667 to 0.800 tentative)\n");
    if (st->icc_status == CM_OK) {
        const cm_qa_icc_result *c = &st->icc;
        printf("\nintraclass correlations over the %zu interactions every grader scored\n",
               st->complete);
        printf("  ICC(1,1) %.3f  ICC(2,1) %.3f  ICC(3,1) %.3f\n", c->icc1, c->icc2, c->icc3);
        printf("  ICC(1,%zu) %.3f  ICC(2,%zu) %.3f  ICC(3,%zu) %.3f\n", st->graders, c->icc1k,
               st->graders, c->icc2k, st->graders, c->icc3k);
        printf("  (ICC(2,1): absolute agreement of one grader, the one to watch)\n");
    } else {
        printf("\nintraclass correlations over the %zu interactions every grader scored: %s\n",
               st->complete, why(st->icc_status));
    }
    if (run->rubric) {
        printf("\n");
        text_alpha("agreement on pass/fail: alpha (nominal)", &st->pass_alpha);
    }
    printf("\ngraders: deviation from the mean of the other graders' scores\n");
    int w = 6;
    for (size_t j = 0; j < st->graders; j++) {
        const int len = (int)strlen(run->graders.names[j]);
        w = len > w ? len : w;
    }
    w = w > 40 ? 40 : w;
    printf("  %-*s %7s %9s %9s\n", w, "grader", "n", "mean", "mean |d|");
    for (size_t j = 0; j < st->graders; j++) {
        const cm_qa_deviation *d = &st->dev[j];
        if (st->dev_status != CM_OK || d->n == 0)
            printf("  %-*.*s %7" PRIu64 " %9s %9s\n", w, w, run->graders.names[j],
                   st->dev_status == CM_OK ? d->n : 0, "n/a", "n/a");
        else
            printf("  %-*.*s %7" PRIu64 " %+9.2f %9.2f\n", w, w, run->graders.names[j], d->n,
                   d->mean, d->mean_abs);
    }
    if (run->rubric) {
        printf("\nitems: Krippendorff's alpha (%s) of the points, N/A as not rated\n",
               level_names[run->opt.item_level]);
        for (size_t i = 0; i < run->info.items; i++) {
            char label[80];
            snprintf(label, sizeof label, "  %-24s", item_name(run->rubric, i));
            text_alpha(label, &st->item_alpha[i]);
        }
    }
}

static void csv_row(const char *measure, const char *subject, const char *statistic, double v,
                    bool defined, uint64_t n)
{
    csv_string(stdout, measure);
    printf(",");
    csv_string(stdout, subject);
    printf(",");
    csv_string(stdout, statistic);
    if (defined)
        printf(",%.12g,%" PRIu64 "\n", v, n);
    else
        printf(",,%" PRIu64 "\n", n);
}

static void csv_alpha(const char *subject, const char *level, const alpha_out *a)
{
    csv_row("alpha", subject, level, a->r.alpha, a->status == CM_OK,
            a->status == CM_OK ? a->r.pairable_values : 0);
}

static void csv_output(const calib_run *run, const calib_stats *st)
{
    printf("measure,subject,statistic,value,n\n");
    for (uint32_t level = 0; level < 4; level++)
        csv_alpha("score", level_names[level], &st->score_alpha[level]);
    const bool icc = st->icc_status == CM_OK;
    const double v[6] = {st->icc.icc1,  st->icc.icc2,  st->icc.icc3,
                         st->icc.icc1k, st->icc.icc2k, st->icc.icc3k};
    static const char *const forms[6] = {"ICC(1,1)", "ICC(2,1)", "ICC(3,1)",
                                         "ICC(1,k)", "ICC(2,k)", "ICC(3,k)"};
    for (int f = 0; f < 6; f++)
        csv_row("icc", "score", forms[f], icc ? v[f] : 0.0, icc, st->complete);
    if (run->rubric)
        csv_alpha("pass", "nominal", &st->pass_alpha);
    for (size_t j = 0; j < st->graders; j++) {
        const cm_qa_deviation *d = &st->dev[j];
        const bool ok = st->dev_status == CM_OK && d->n > 0;
        const uint64_t n = st->dev_status == CM_OK ? d->n : 0;
        csv_row("deviation", run->graders.names[j], "mean", d->mean, ok, n);
        csv_row("deviation", run->graders.names[j], "mean_abs", d->mean_abs, ok, n);
    }
    for (size_t i = 0; run->rubric && i < run->info.items; i++) {
        char subject[80];
        snprintf(subject, sizeof subject, "item:%s", item_name(run->rubric, i));
        csv_alpha(subject, level_names[run->opt.item_level], &st->item_alpha[i]);
    }
}

static void json_alpha(const alpha_out *a)
{
    if (a->status != CM_OK) {
        printf("{\"alpha\":null,\"why\":\"%s\"}", cm_status_name(a->status));
        return;
    }
    printf("{\"alpha\":");
    json_number(stdout, a->r.alpha, 15);
    printf(",\"observed\":");
    json_number(stdout, a->r.observed, 15);
    printf(",\"expected\":");
    json_number(stdout, a->r.expected, 15);
    printf(",\"pairable_values\":%" PRIu64 ",\"pairable_units\":%" PRIu64 "}", a->r.pairable_values,
           a->r.pairable_units);
}

static void json_output(const calib_run *run, const calib_stats *st)
{
    printf("{\"interactions\":%zu,\"graders\":%zu,\"ratings\":%zu,\"skipped\":%" PRIu64, st->units,
           st->graders, run->n, run->skipped);
    printf(",\"score\":{\"alpha\":{");
    for (uint32_t level = 0; level < 4; level++) {
        printf("%s\"%s\":", level ? "," : "", level_names[level]);
        json_alpha(&st->score_alpha[level]);
    }
    printf("},\"icc\":");
    if (st->icc_status == CM_OK) {
        const cm_qa_icc_result *c = &st->icc;
        const double v[10] = {c->icc1,  c->icc2, c->icc3, c->icc1k, c->icc2k,
                              c->icc3k, c->bms,  c->wms,  c->jms,   c->ems};
        static const char *const keys[10] = {"icc1_1", "icc2_1", "icc3_1", "icc1_k", "icc2_k",
                                             "icc3_k", "bms",    "wms",    "jms",    "ems"};
        printf("{\"targets\":%zu,\"raters\":%zu", st->complete, st->graders);
        for (int f = 0; f < 10; f++) {
            printf(",\"%s\":", keys[f]);
            json_number(stdout, v[f], 15);
        }
        printf("}");
    } else {
        printf("null");
    }
    printf("}");
    if (run->rubric) {
        printf(",\"pass\":{\"alpha\":{\"nominal\":");
        json_alpha(&st->pass_alpha);
        printf("}}");
    }
    printf(",\"graders_deviation\":[");
    for (size_t j = 0; j < st->graders; j++) {
        const cm_qa_deviation *d = &st->dev[j];
        const bool ok = st->dev_status == CM_OK && d->n > 0;
        printf("%s{\"grader\":", j ? "," : "");
        json_string(stdout, run->graders.names[j]);
        printf(",\"n\":%" PRIu64 ",\"mean\":", st->dev_status == CM_OK ? d->n : 0);
        json_number(stdout, ok ? d->mean : (double)NAN, 15);
        printf(",\"mean_abs\":");
        json_number(stdout, ok ? d->mean_abs : (double)NAN, 15);
        printf("}");
    }
    printf("]");
    if (run->rubric) {
        printf(",\"items\":[");
        for (size_t i = 0; i < run->info.items; i++) {
            printf("%s{\"item\":", i ? "," : "");
            json_string(stdout, item_name(run->rubric, i));
            printf(",\"level\":\"%s\",\"agreement\":", level_names[run->opt.item_level]);
            json_alpha(&st->item_alpha[i]);
            printf("}");
        }
        printf("]");
    }
    printf("}\n");
}

int qa_calibrate_main(int argc, char **argv)
{
    calib_run run;
    memset(&run, 0, sizeof run);
    const int bad = parse_calib_options(argc, argv, &run.opt);
    if (bad)
        return bad;
    if (run.opt.rubric_path != NULL) {
        run.rubric = load_rubric(run.opt.rubric_path);
        if (run.rubric == NULL || cm_qa_rubric_info(run.rubric, &run.info) != CM_OK) {
            cm_qa_rubric_free(run.rubric);
            return 1;
        }
    }
    int status = read_ratings(&run);
    calib_stats st;
    memset(&st, 0, sizeof st);
    if (status == 0)
        status = compute(&run, &st);
    if (status == 0) {
        if (run.opt.format == FMT_TEXT)
            text_output(&run, &st);
        else if (run.opt.format == FMT_CSV)
            csv_output(&run, &st);
        else
            json_output(&run, &st);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "%s: cannot write the output\n", PROG);
            status = 1;
        }
    }
    stats_free(&st);
    names_free(&run.units);
    names_free(&run.graders);
    free(run.ratings);
    free(run.awards);
    cm_qa_rubric_free(run.rubric);
    return status;
}
