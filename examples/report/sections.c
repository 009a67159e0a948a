/*
 * The optional sections of caremetrics-report: contact drivers from a tags
 * column (topk module), the backlog at interval ends (backlog module) and QA
 * scorecards from an evaluations file (qa module). They are computed in one
 * extra pass over the CSV input, and only when their options are given.
 * SPDX-License-Identifier: MIT
 */
#include "report.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "qa-cli.h"

#define DAY         86400
#define LINE_START  65536
#define FIELDS_MAX  1024
#define TAG_BYTES   64
#define SNAPSHOTS   1000
#define DRIVERS_CAP 1000 /* counters of the summary; exact while there are no more tags */

/* Age buckets of the backlog: < 1 day, 1-3 days, 3-7 days, 7-30 days, 30 days or more. */
static const int64_t age_bounds[] = {DAY, 3 * DAY, 7 * DAY, 30 * DAY};
#define NBUCKETS (sizeof age_bounds / sizeof age_bounds[0] + 1)
static const char *const bucket_names[NBUCKETS] = {"<1d", "1-3d", "3-7d", "7-30d", ">=30d"};

struct extra_sections {
    const options *opt;
    /* drivers */
    cm_topk *drivers;
    uint64_t tickets, tagged, bad_tags;
    /* backlog */
    cm_backlog *backlog;
    cm_time *snaps;
    size_t nsnaps;
    uint64_t backlog_tickets, backlog_skipped;
    /* QA */
    cm_qa_rubric *rubric;
    cm_qa_rubric_summary info;
    name_set groups;
    cm_qa_acc *acc; /* one per group */
    size_t acc_cap;
    cm_qa_acc all;
    uint64_t qa_skipped;
    bool qa_grouped;
};

/* ---- reading the CSV rows --------------------------------------------------- */

typedef struct rows {
    const char *p, *end;
    char *buf; /* grown to the longest line */
    size_t cap;
    csv_field fields[FIELDS_MAX];
    int n;
} rows;

/* The next line split into fields: 1, 0 at the end, -1 for a line that cannot be split
 * (unbalanced quotes, more than FIELDS_MAX fields) or out of memory. */
static int next_row(rows *r)
{
    while (r->p < r->end) {
        const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
        const char *stop = nl != NULL ? nl : r->end;
        size_t len = (size_t)(stop - r->p);
        const char *line = r->p;
        r->p = nl != NULL ? nl + 1 : r->end;
        if (len > 0 && line[len - 1] == '\r')
            len--;
        if (len == 0)
            continue;
        if (len > r->cap) {
            char *buf = realloc(r->buf, len);
            if (buf == NULL)
                return -1;
            r->buf = buf;
            r->cap = len;
        }
        memcpy(r->buf, line, len);
        r->n = csv_split(r->buf, len, r->fields, FIELDS_MAX);
        return r->n < 0 ? -1 : 1;
    }
    return 0;
}

static int header_column(const rows *r, const char *name)
{
    for (int i = 0; i < r->n; i++) {
        if (csv_is(&r->fields[i], name))
            return i;
    }
    return -1;
}

static bool field_time(const rows *r, int col, cm_time *out)
{
    if (col < 0 || col >= r->n || r->fields[col].len == 0)
        return false;
    return cm_time_parse(r->fields[col].p, r->fields[col].len, out) == CM_OK;
}

/* True when a tags field holds something other than separators. */
static bool has_tag(const csv_field *f)
{
    for (size_t i = 0; i < f->len; i++) {
        if (f->p[i] != ' ' && f->p[i] != ',')
            return true;
    }
    return false;
}

/* ---- snapshot instants -------------------------------------------------------- */

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The end of the UTC day, ISO week (Monday 00:00) or month holding t. */
static cm_time interval_end(uint32_t interval, cm_time t)
{
    const int64_t day = floor_div(t, DAY);
    if (interval == BACKLOG_DAY)
        return (day + 1) * DAY;
    if (interval == BACKLOG_WEEK) /* 1970-01-05 was a Monday */
        return (floor_div(day - 4, 7) * 7 + 4 + 7) * DAY;
    /* month: civil date of `day` (Howard Hinnant's algorithm) */
    const int64_t z = day + 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int64_t m = mp < 10 ? mp + 3 : mp - 9;
    const int64_t y = yoe + era * 400 + (m <= 2);
    return days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) * DAY;
}

/* ---- the pass over the tickets ------------------------------------------------- */

static bool tickets_pass(extra_sections *x, const char *data, size_t size)
{
    const options *opt = x->opt;
    rows r = {data, data + size, malloc(LINE_START), LINE_START, {{0}}, 0};
    if (r.buf == NULL)
        return false;
    bool ok = false;
    if (next_row(&r) != 1) {
        fprintf(stderr, "caremetrics-report: %s: the header cannot be read\n", opt->path);
        goto out;
    }
    int tags_col = -1, created_col = -1, solved_col = -1, abandoned_col = -1;
    if (opt->drivers_column != NULL) {
        tags_col = header_column(&r, opt->drivers_column);
        if (tags_col < 0) {
            fprintf(stderr, "caremetrics-report: %s: no column '%s' (--drivers)\n", opt->path,
                    opt->drivers_column);
            goto out;
        }
        if (cm_topk_new(CM_TOPK_STRINGS, DRIVERS_CAP, TAG_BYTES, NULL, &x->drivers) != CM_OK)
            goto out;
    }
    if (opt->backlog != BACKLOG_NONE) {
        created_col = header_column(&r, "created_at");
        solved_col = header_column(&r, "solved_at");
        abandoned_col = header_column(&r, "abandoned");
        if (created_col < 0 || solved_col < 0) {
            fprintf(stderr,
                    "caremetrics-report: %s: --backlog reads the columns created_at and "
                    "solved_at\n",
                    opt->path);
            goto out;
        }
    }
    const char *body = r.p;
    /* The backlog's span: first creation to the last instant seen (or --as-of). */
    if (opt->backlog != BACKLOG_NONE) {
        cm_time first = INT64_MAX, last = INT64_MIN, t;
        int got;
        while ((got = next_row(&r)) != 0) {
            if (got < 0 || !field_time(&r, created_col, &t))
                continue;
            first = t < first ? t : first;
            last = t > last ? t : last;
            if (field_time(&r, solved_col, &t) && t > last)
                last = t;
        }
        if (opt->as_of != CM_TABLE_NO_TIME)
            last = opt->as_of;
        x->snaps = malloc(SNAPSHOTS * sizeof *x->snaps);
        if (x->snaps == NULL)
            goto out;
        /* No ticket (or none before --as-of): no snapshot, and the section says so. */
        for (cm_time s = first <= last ? interval_end(opt->backlog, first) : 0; first <= last;
             s = interval_end(opt->backlog, s)) {
            if (x->nsnaps == SNAPSHOTS) {
                fprintf(stderr,
                        "caremetrics-report: --backlog: more than %d snapshots; choose a longer "
                        "interval or an earlier --as-of\n",
                        SNAPSHOTS);
                goto out;
            }
            const bool final = s >= last;
            x->snaps[x->nsnaps++] = final && opt->as_of != CM_TABLE_NO_TIME ? last : s;
            if (final)
                break;
        }
        const cm_backlog_config cfg = {x->snaps, x->nsnaps, age_bounds, NBUCKETS - 1, 1, 0, NULL};
        if (x->nsnaps > 0 && cm_backlog_new(&cfg, NULL, &x->backlog) != CM_OK)
            goto out;
    }
    r.p = body;
    int got;
    while ((got = next_row(&r)) != 0) {
        if (got < 0)
            continue; /* the table engine reports the line */
        if (x->drivers != NULL) {
            x->tickets++;
            const csv_field *f = tags_col < r.n ? &r.fields[tags_col] : NULL;
            if (f != NULL && has_tag(f)) {
                const cm_status st = cm_topk_add_tags(x->drivers, f->p, f->len, " ,", 1);
                if (st == CM_OK)
                    x->tagged++;
                else if (st == CM_ERANGE)
                    x->bad_tags++;
                else
                    goto out;
            }
        }
        if (x->backlog != NULL) {
            cm_time created, solved = CM_BACKLOG_OPEN;
            if (abandoned_col >= 0 && abandoned_col < r.n && csv_is(&r.fields[abandoned_col], "1"))
                continue; /* an abandoned call is a contact, not a ticket */
            const bool has_solved = solved_col < r.n && r.fields[solved_col].len > 0;
            if (!field_time(&r, created_col, &created) ||
                (has_solved && !field_time(&r, solved_col, &solved)) ||
                cm_backlog_add(x->backlog, 0, created, solved) != CM_OK) {
                x->backlog_skipped++;
                continue;
            }
            x->backlog_tickets++;
        }
    }
    ok = true;
out:
    free(r.buf);
    return ok;
}

/* ---- QA ------------------------------------------------------------------------- */

static bool qa_pass(extra_sections *x)
{
    const options *opt = x->opt;
    x->rubric = load_rubric(opt->qa_rubric);
    if (x->rubric == NULL || cm_qa_rubric_info(x->rubric, &x->info) != CM_OK ||
        cm_qa_acc_init(&x->all) != CM_OK)
        return false;
    table_reader r;
    if (!reader_open(&r, opt->qa_evaluations))
        return false;
    bool ok = false;
    int32_t *awards = malloc(x->info.items * sizeof *awards);
    int *col = malloc(x->info.items * sizeof *col);
    if (awards == NULL || col == NULL || !map_items(x->rubric, &r, col))
        goto out;
    const int by = reader_column(&r, opt->qa_by);
    if (by < 0 && opt->qa_by_given) {
        fprintf(stderr, "%s: no column '%s' (--qa-by)\n", r.path, opt->qa_by);
        goto out;
    }
    x->qa_grouped = by >= 0;
    int got;
    while ((got = reader_next(&r)) != 0) {
        cm_qa_result res;
        if (got < 0 || !read_awards(x->rubric, &r, col, awards) ||
            cm_qa_score(x->rubric, awards, x->info.items, &res, NULL) != CM_OK) {
            x->qa_skipped++;
            if (opt->strict)
                goto out;
            continue;
        }
        if (cm_qa_acc_add_result(&x->all, &res) != CM_OK)
            goto out;
        if (by < 0)
            continue;
        const size_t known = x->groups.count;
        const long gi = names_intern(&x->groups, r.fields[by].p, r.fields[by].len);
        if (gi < 0)
            goto out;
        if ((size_t)gi >= x->acc_cap) {
            const size_t cap = x->acc_cap ? x->acc_cap * 2 : 64;
            cm_qa_acc *acc = realloc(x->acc, cap * sizeof *acc);
            if (acc == NULL)
                goto out;
            x->acc = acc;
            x->acc_cap = cap;
        }
        if (x->groups.count > known && cm_qa_acc_init(&x->acc[gi]) != CM_OK)
            goto out;
        if (cm_qa_acc_add_result(&x->acc[gi], &res) != CM_OK)
            goto out;
    }
    if (x->all.n == 0) {
        fprintf(stderr, "%s: no evaluation could be scored (--qa-evaluations)\n", r.path);
        goto out;
    }
    ok = true;
out:
    free(awards);
    free(col);
    reader_close(&r);
    return ok;
}

/* ---- set-up ----------------------------------------------------------------------- */

bool extra_wanted(const options *opt)
{
    return opt->drivers_column != NULL || opt->backlog != BACKLOG_NONE || opt->qa_rubric != NULL;
}

extra_sections *extra_compute(const options *opt, const char *data, size_t size, bool columnar)
{
    extra_sections *x = calloc(1, sizeof *x);
    if (x == NULL) {
        fprintf(stderr, "caremetrics-report: out of memory\n");
        return NULL;
    }
    x->opt = opt;
    if (opt->drivers_column != NULL || opt->backlog != BACKLOG_NONE) {
        if (columnar) {
            fprintf(stderr, "caremetrics-report: --drivers and --backlog read CSV input\n");
            goto fail;
        }
        if (!tickets_pass(x, data, size))
            goto fail;
    }
    if (opt->qa_rubric != NULL && !qa_pass(x))
        goto fail;
    return x;
fail:
    extra_free(x);
    return NULL;
}

void extra_free(extra_sections *x)
{
    if (x == NULL)
        return;
    cm_topk_free(x->drivers);
    cm_backlog_free(x->backlog);
    free(x->snaps);
    cm_qa_rubric_free(x->rubric);
    names_free(&x->groups);
    free(x->acc);
    free(x);
}

/* ---- results shared by the three formats --------------------------------------------- */

static size_t drivers_top(const extra_sections *x, cm_topk_entry *top, cm_topk_summary *info)
{
    size_t n = 0;
    if (cm_topk_info(x->drivers, info) != CM_OK ||
        cm_topk_result(x->drivers, top, x->opt->drivers_top, &n) != CM_OK)
        return 0;
    return n;
}

typedef struct backlog_row {
    cm_backlog_point p;
    uint64_t buckets[NBUCKETS];
    double q[2]; /* median, p90; NaN when nothing is open */
} backlog_row;

static bool backlog_row_at(const extra_sections *x, size_t j, backlog_row *row)
{
    static const double qs[2] = {0.5, 0.9};
    if (cm_backlog_snapshot(x->backlog, CM_BACKLOG_ALL_GROUPS, j, &row->p) != CM_OK ||
        cm_backlog_buckets(x->backlog, CM_BACKLOG_ALL_GROUPS, j, row->buckets, NBUCKETS) != CM_OK)
        return false;
    if (cm_backlog_quantiles(x->backlog, CM_BACKLOG_ALL_GROUPS, j, qs, 2, row->q) != CM_OK)
        row->q[0] = row->q[1] = (double)NAN;
    return true;
}

/* The groups in name order, then everybody (index SIZE_MAX). */
static size_t qa_order(const extra_sections *x, size_t **order)
{
    *order = malloc((x->groups.count + 1) * sizeof **order);
    if (*order == NULL)
        return 0;
    names_sorted(&x->groups, *order);
    (*order)[x->groups.count] = SIZE_MAX;
    return x->groups.count + 1;
}

static bool qa_summary(const extra_sections *x, size_t gi, cm_qa_summary *s)
{
    const cm_qa_acc *acc = gi == SIZE_MAX ? &x->all : &x->acc[gi];
    return cm_qa_acc_result(acc, x->opt->confidence, s) == CM_OK;
}

static const char *backlog_interval_name(uint32_t b)
{
    return b == BACKLOG_DAY ? "day" : b == BACKLOG_WEEK ? "week" : "month";
}

/* ---- text ------------------------------------------------------------------------------- */

void extra_text(const extra_sections *x)
{
    if (x == NULL)
        return;
    char a[32], b[32], c[32], d[32], t[CM_TIME_FORMAT_SIZE];
    if (x->drivers != NULL) {
        cm_topk_entry top[DRIVERS_TOP_MAX];
        cm_topk_summary info;
        const size_t n = drivers_top(x, top, &info);
        printf("\nContact drivers (column %s): %" PRIu64 " of %" PRIu64 " tickets tagged, %" PRIu64
               " tags\n",
               x->opt->drivers_column, x->tagged, x->tickets, info.total);
        if (info.exact)
            printf("  counts are exact\n");
        else
            printf("  counts are lower bounds, at most %" PRIu64 " below the true count\n",
                   info.error);
        for (size_t i = 0; i < n; i++)
            printf("  %2zu. %-32s %8" PRIu64 "  %5.1f%% of tagged tickets\n", i + 1, top[i].key,
                   top[i].count,
                   x->tagged ? 100.0 * (double)top[i].count / (double)x->tagged : 0.0);
        if (x->bad_tags > 0)
            printf("  tickets left out for a tag longer than %d bytes: %" PRIu64 "\n", TAG_BYTES,
                   x->bad_tags);
    }
    if (x->opt->backlog != BACKLOG_NONE) {
        printf("\nBacklog at the end of each %s (UTC): %" PRIu64 " tickets",
               backlog_interval_name(x->opt->backlog), x->backlog_tickets);
        if (x->backlog_skipped > 0)
            printf(", %" PRIu64 " rows left out (unreadable created_at or solved_at)",
                   x->backlog_skipped);
        if (x->nsnaps == 0)
            printf("\n  no snapshot: no ticket with a readable created_at%s\n",
                   x->opt->as_of != CM_TABLE_NO_TIME ? " up to --as-of" : "");
        else
            printf("\n%-20s %7s %7s %7s %9s %9s %9s %9s", "at", "open", "created", "solved",
                   "mean age", "median", "p90", "oldest");
        for (size_t k = 0; k < NBUCKETS && x->nsnaps > 0; k++)
            printf(" %6s", bucket_names[k]);
        if (x->nsnaps > 0)
            putchar('\n');
        for (size_t j = 0; j < x->nsnaps; j++) {
            backlog_row row;
            if (!backlog_row_at(x, j, &row) || cm_time_format(row.p.at, t, sizeof t) != CM_OK)
                continue;
            const bool any = row.p.open > 0;
            fmt_duration(a, sizeof a, row.p.age_mean);
            fmt_duration(b, sizeof b, row.q[0]);
            fmt_duration(c, sizeof c, row.q[1]);
            fmt_duration(d, sizeof d, (double)row.p.age_max);
            printf("%-20s %7" PRIu64 " %7" PRIu64 " %7" PRIu64 " %9s %9s %9s %9s", t, row.p.open,
                   row.p.created, row.p.solved, any ? a : "-", any ? b : "-", any ? c : "-",
                   any ? d : "-");
            for (size_t k = 0; k < NBUCKETS; k++)
                printf(" %6" PRIu64, row.buckets[k]);
            putchar('\n');
        }
    }
    if (x->rubric != NULL) {
        printf("\nQA scores (%s against %s, pass mark %g): %" PRIu64 " evaluations",
               x->opt->qa_evaluations, x->opt->qa_rubric, x->info.pass_score, x->all.n);
        if (x->qa_skipped > 0)
            printf(", %" PRIu64 " rows left out", x->qa_skipped);
        printf("\n%-20s %6s %7s  %-16s %7s  %-14s %8s\n", x->qa_grouped ? x->opt->qa_by : "", "n",
               "mean", "interval", "pass", "interval", "critical");
        size_t *order;
        const size_t n = qa_order(x, &order);
        for (size_t i = 0; i < n; i++) {
            cm_qa_summary s;
            if (!qa_summary(x, order[i], &s))
                continue;
            printf("%-20s %6" PRIu64 " %7.2f  [%6.2f, %6.2f] %6.1f%%  [%4.1f, %5.1f] %8" PRIu64
                   "\n",
                   order[i] == SIZE_MAX ? "all" : x->groups.names[order[i]], s.n, s.mean, s.lo,
                   s.hi, 100 * s.pass_rate.value, 100 * s.pass_rate.lo, 100 * s.pass_rate.hi,
                   s.critical_rate.num);
        }
        free(order);
    }
}

/* ---- JSON --------------------------------------------------------------------------------- */

static void jnum(double v)
{
    if (isfinite(v))
        printf("%.17g", v);
    else
        printf("null");
}

void extra_json(const extra_sections *x)
{
    if (x == NULL)
        return;
    char t[CM_TIME_FORMAT_SIZE];
    if (x->drivers != NULL) {
        cm_topk_entry top[DRIVERS_TOP_MAX];
        cm_topk_summary info;
        const size_t n = drivers_top(x, top, &info);
        printf(", \"drivers\": {\"column\": ");
        json_string(stdout, x->opt->drivers_column);
        printf(", \"tickets\": %" PRIu64 ", \"tagged\": %" PRIu64 ", \"tags\": %" PRIu64
               ", \"exact\": %s, \"error\": %" PRIu64 ", \"long_tags\": %" PRIu64 ", \"top\": [",
               x->tickets, x->tagged, info.total, info.exact ? "true" : "false", info.error,
               x->bad_tags);
        for (size_t i = 0; i < n; i++) {
            printf("%s{\"tag\": ", i ? ", " : "");
            json_string(stdout, top[i].key);
            printf(", \"count\": %" PRIu64 ", \"upper\": %" PRIu64 "}", top[i].count, top[i].upper);
        }
        printf("]}");
    }
    if (x->opt->backlog != BACKLOG_NONE) {
        printf(", \"backlog\": {\"interval\": \"%s\", \"tickets\": %" PRIu64
               ", \"skipped\": %" PRIu64 ", \"age_buckets\": [",
               backlog_interval_name(x->opt->backlog), x->backlog_tickets, x->backlog_skipped);
        for (size_t k = 0; k < NBUCKETS; k++)
            printf("%s\"%s\"", k ? ", " : "", bucket_names[k]);
        printf("], \"snapshots\": [");
        for (size_t j = 0; j < x->nsnaps; j++) {
            backlog_row row;
            if (!backlog_row_at(x, j, &row) || cm_time_format(row.p.at, t, sizeof t) != CM_OK)
                continue;
            const bool any = row.p.open > 0;
            printf("%s{\"at\": \"%s\", \"open\": %" PRIu64 ", \"created\": %" PRIu64
                   ", \"solved\": %" PRIu64 ", \"age_mean_seconds\": ",
                   j ? ", " : "", t, row.p.open, row.p.created, row.p.solved);
            jnum(any ? row.p.age_mean : (double)NAN);
            printf(", \"age_median_seconds\": ");
            jnum(row.q[0]);
            printf(", \"age_p90_seconds\": ");
            jnum(row.q[1]);
            printf(", \"age_max_seconds\": ");
            jnum(any ? (double)row.p.age_max : (double)NAN);
            printf(", \"age_counts\": [");
            for (size_t k = 0; k < NBUCKETS; k++)
                printf("%s%" PRIu64, k ? ", " : "", row.buckets[k]);
            printf("]}");
        }
        printf("]}");
    }
    if (x->rubric != NULL) {
        printf(", \"qa\": {\"rubric\": ");
        json_string(stdout, x->opt->qa_rubric);
        printf(", \"evaluations_file\": ");
        json_string(stdout, x->opt->qa_evaluations);
        printf(", \"pass_score\": %.17g, \"skipped\": %" PRIu64 ", \"by\": ", x->info.pass_score,
               x->qa_skipped);
        if (x->qa_grouped)
            json_string(stdout, x->opt->qa_by);
        else
            printf("null");
        printf(", \"groups\": [");
        size_t *order;
        const size_t n = qa_order(x, &order);
        for (size_t i = 0; i < n; i++) {
            cm_qa_summary s;
            if (!qa_summary(x, order[i], &s))
                continue;
            printf("%s{\"group\": ", i ? ", " : "");
            json_string(stdout, order[i] == SIZE_MAX ? "all" : x->groups.names[order[i]]);
            printf(", \"n\": %" PRIu64 ", \"mean\": ", s.n);
            jnum(s.mean);
            printf(", \"mean_lo\": ");
            jnum(s.lo);
            printf(", \"mean_hi\": ");
            jnum(s.hi);
            printf(", \"sd\": ");
            jnum(s.sd);
            printf(", \"passed\": %" PRIu64 ", \"pass_rate\": ", s.pass_rate.num);
            jnum(s.pass_rate.value);
            printf(", \"pass_lo\": ");
            jnum(s.pass_rate.lo);
            printf(", \"pass_hi\": ");
            jnum(s.pass_rate.hi);
            printf(", \"critical_failed\": %" PRIu64 "}", s.critical_rate.num);
        }
        free(order);
        printf("]}");
    }
}

/* ---- CSV ----------------------------------------------------------------------------------- */

void extra_csv(const extra_sections *x)
{
    if (x == NULL)
        return;
    const double nan = (double)NAN;
    char t[CM_TIME_FORMAT_SIZE];
    if (x->drivers != NULL) {
        cm_topk_entry top[DRIVERS_TOP_MAX];
        cm_topk_summary info;
        const size_t n = drivers_top(x, top, &info);
        csv_row("drivers", "all", "tagged_tickets", (double)x->tagged, nan, nan, (int64_t)x->tagged,
                (int64_t)x->tickets);
        csv_row("drivers", "all", "error_bound", (double)info.error, nan, nan, -1, -1);
        for (size_t i = 0; i < n; i++)
            csv_row("drivers", top[i].key, "tickets", (double)top[i].count, (double)top[i].count,
                    (double)top[i].upper, (int64_t)top[i].count, (int64_t)x->tagged);
    }
    if (x->opt->backlog != BACKLOG_NONE) {
        for (size_t j = 0; j < x->nsnaps; j++) {
            backlog_row row;
            if (!backlog_row_at(x, j, &row) || cm_time_format(row.p.at, t, sizeof t) != CM_OK)
                continue;
            const bool any = row.p.open > 0;
            csv_row("backlog", t, "open", (double)row.p.open, nan, nan, -1, -1);
            csv_row("backlog", t, "created", (double)row.p.created, nan, nan, -1, -1);
            csv_row("backlog", t, "solved", (double)row.p.solved, nan, nan, -1, -1);
            csv_row("backlog", t, "age_mean_seconds", any ? row.p.age_mean : nan, nan, nan, -1, -1);
            csv_row("backlog", t, "age_median_seconds", row.q[0], nan, nan, -1, -1);
            csv_row("backlog", t, "age_p90_seconds", row.q[1], nan, nan, -1, -1);
            csv_row("backlog", t, "age_max_seconds", any ? (double)row.p.age_max : nan, nan, nan,
                    -1, -1);
            for (size_t k = 0; k < NBUCKETS; k++) {
                char kpi[32];
                snprintf(kpi, sizeof kpi, "age_%s", bucket_names[k]);
                csv_row("backlog", t, kpi, (double)row.buckets[k], nan, nan, -1, -1);
            }
        }
    }
    if (x->rubric != NULL) {
        size_t *order;
        const size_t n = qa_order(x, &order);
        for (size_t i = 0; i < n; i++) {
            cm_qa_summary s;
            if (!qa_summary(x, order[i], &s))
                continue;
            const char *g = order[i] == SIZE_MAX ? "all" : x->groups.names[order[i]];
            csv_row("qa", g, "mean_score", s.mean, s.lo, s.hi, (int64_t)s.n, -1);
            csv_row("qa", g, "pass_rate", s.pass_rate.value, s.pass_rate.lo, s.pass_rate.hi,
                    (int64_t)s.pass_rate.num, (int64_t)s.n);
            csv_row("qa", g, "critical_rate", s.critical_rate.value, s.critical_rate.lo,
                    s.critical_rate.hi, (int64_t)s.critical_rate.num, (int64_t)s.n);
        }
        free(order);
    }
}
