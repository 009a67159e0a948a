/*
 * caremetrics-report: the KPI report over a ticket history CSV.
 *
 *   caremetrics-report [--confidence C] [--short-abandon SECONDS] [--strict] [FILE]
 *
 * Without FILE it reads the bundled sample history. The columns are
 * documented in docs/report.md; they are found by name in the header line, so
 * their order does not matter and unknown columns are ignored. Rows that
 * cannot be read are reported on stderr with their line number and counted;
 * with --strict the first one stops the report with exit status 1.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "staffing-section.h"

#ifndef CM_SAMPLE_SOURCE
#define CM_SAMPLE_SOURCE "examples/data/sample-tickets.csv"
#endif
#ifndef CM_SAMPLE_INSTALLED
#define CM_SAMPLE_INSTALLED "/usr/local/share/caremetrics/sample-tickets.csv"
#endif

#define MAX_FIELDS     64
#define LINE_MAX_BYTES 65536
#define BAD_ROWS_SHOWN 10

enum column {
    COL_CREATED,
    COL_CHANNEL,
    COL_PRIORITY,
    COL_FIRST_REPLY,
    COL_SOLVED,
    COL_CONTACTS,
    COL_REOPENED,
    COL_ESCALATED,
    COL_CSAT,
    COL_NPS,
    COL_CES,
    COL_WAIT,
    COL_ABANDONED,
    COL_HANDLE,
    NCOLUMNS
};

static const char *const column_names[NCOLUMNS] = {
    "created_at", "channel",      "priority",  "first_reply_at", "solved_at",
    "contacts",   "reopened",     "escalated", "csat",           "nps",
    "ces",        "wait_seconds", "abandoned", "handle_seconds",
};

enum { PHONE, CHAT, EMAIL, SOCIAL, MESSAGING, NCHANNELS };
static const char *const channel_names[NCHANNELS] = {"phone", "chat", "email", "social",
                                                     "messaging"};

/* Priorities; an empty field is "none". */
enum { URGENT, HIGH, NORMAL, LOW, NO_PRIORITY, NPRIORITIES };
static const char *const priority_names[NPRIORITIES] = {"urgent", "high", "normal", "low", "none"};

/* Response-time distributions: overall, per channel and per priority. */
typedef struct durations {
    cm_sketch all;
    cm_sketch by_channel[NCHANNELS];
    cm_sketch by_priority[NPRIORITIES];
} durations;

/* Everything the report accumulates. */
typedef struct report {
    uint64_t rows, tickets, bad_rows, contacts_offered;
    uint64_t by_channel[NCHANNELS];
    uint64_t solved, solved_first_contact, reopened, escalated;
    uint64_t realtime_offered, realtime_abandoned, realtime_short;
    cm_csat csat;
    cm_nps nps;
    cm_ces ces;
    durations first_reply, resolution;
    staffing_section staffing;
} report;

/* One parsed row, committed to the report only when every field is valid. */
typedef struct row {
    int channel, priority;
    bool has_reply, has_solved, has_wait, abandoned, reopened, escalated;
    cm_time created, first_reply, solved;
    long long contacts, csat, nps, ces;
    double wait;
    double handle; /* -1 when not given */
} row;

typedef struct options {
    double confidence;
    double short_abandon;
    bool strict;
    const char *path;
} options;

/* Column index of each known column in the file, or -1. */
typedef struct layout {
    int index[NCOLUMNS];
} layout;

static const csv_field *field(const csv_field *f, int nf, const layout *lay, enum column c)
{
    static const csv_field empty = {"", 0};
    const int i = lay->index[c];
    return (i >= 0 && i < nf) ? &f[i] : &empty;
}

static bool parse_flag(const csv_field *f, bool *out)
{
    long long v = 0;
    if (f->len == 0) {
        *out = false;
        return true;
    }
    if (!csv_int(f, 0, 1, &v))
        return false;
    *out = v == 1;
    return true;
}

static bool parse_time(const csv_field *f, bool *present, cm_time *out)
{
    *present = f->len > 0;
    return f->len == 0 || cm_time_parse(f->p, f->len, out) == CM_OK;
}

/* Optional survey answer: empty means not answered (-1). The scale check is the
 * library's: a throwaway accumulator accepts exactly the valid answers. */
static bool parse_score(const csv_field *f, long long *out, cm_status (*check)(int32_t))
{
    *out = -1;
    if (f->len == 0)
        return true;
    long long v;
    if (!csv_int(f, INT32_MIN, INT32_MAX, &v) || check((int32_t)v) != CM_OK)
        return false;
    *out = v;
    return true;
}

static cm_status check_csat(int32_t s)
{
    cm_csat a = {0};
    return cm_csat_add(&a, s);
}
static cm_status check_nps(int32_t s)
{
    cm_nps a = {{0}};
    return cm_nps_add(&a, s);
}
static cm_status check_ces(int32_t s)
{
    cm_ces a = {0};
    return cm_ces_add(&a, s);
}

/* A duration from `from` to `to` the response-time sketches can hold: not
 * negative and under CM_SKETCH_MAX_SECONDS (about 20 years). */
static bool in_range(cm_time from, cm_time to)
{
    return to >= from && (double)(to - from) < CM_SKETCH_MAX_SECONDS;
}

/* Records one duration overall, for its channel and for its priority. */
static bool add_duration(durations *d, const row *r, cm_time from, cm_time to)
{
    const double seconds = (double)(to - from);
    return cm_sketch_add(&d->all, seconds) == CM_OK &&
           cm_sketch_add(&d->by_channel[r->channel], seconds) == CM_OK &&
           cm_sketch_add(&d->by_priority[r->priority], seconds) == CM_OK;
}

/* Fills *r from the fields; on failure names the offending column. */
static bool parse_row(const csv_field *f, int nf, const layout *lay, row *r, const char **bad)
{
    memset(r, 0, sizeof *r);
    const csv_field *ch = field(f, nf, lay, COL_CHANNEL);
    r->channel = -1;
    for (int c = 0; c < NCHANNELS; c++) {
        if (csv_is(ch, channel_names[c]))
            r->channel = c;
    }
    bool created_present = false;
#define NEED(ok, col)                 \
    do {                              \
        if (!(ok)) {                  \
            *bad = column_names[col]; \
            return false;             \
        }                             \
    } while (0)
    NEED(r->channel >= 0, COL_CHANNEL);
    const csv_field *pr = field(f, nf, lay, COL_PRIORITY);
    r->priority = pr->len == 0 ? NO_PRIORITY : -1;
    for (int p = 0; p < NO_PRIORITY; p++) {
        if (csv_is(pr, priority_names[p]))
            r->priority = p;
    }
    NEED(r->priority >= 0, COL_PRIORITY);
    NEED(parse_time(field(f, nf, lay, COL_CREATED), &created_present, &r->created) &&
             created_present,
         COL_CREATED);
    NEED(parse_time(field(f, nf, lay, COL_FIRST_REPLY), &r->has_reply, &r->first_reply) &&
             (!r->has_reply || in_range(r->created, r->first_reply)),
         COL_FIRST_REPLY);
    NEED(parse_time(field(f, nf, lay, COL_SOLVED), &r->has_solved, &r->solved) &&
             (!r->has_solved || in_range(r->created, r->solved)),
         COL_SOLVED);
    const csv_field *contacts = field(f, nf, lay, COL_CONTACTS);
    r->contacts = 1;
    NEED(contacts->len == 0 || csv_int(contacts, 1, 1000000, &r->contacts), COL_CONTACTS);
    NEED(parse_flag(field(f, nf, lay, COL_REOPENED), &r->reopened), COL_REOPENED);
    NEED(parse_flag(field(f, nf, lay, COL_ESCALATED), &r->escalated), COL_ESCALATED);
    NEED(parse_flag(field(f, nf, lay, COL_ABANDONED), &r->abandoned), COL_ABANDONED);
    NEED(parse_score(field(f, nf, lay, COL_CSAT), &r->csat, check_csat), COL_CSAT);
    NEED(parse_score(field(f, nf, lay, COL_NPS), &r->nps, check_nps), COL_NPS);
    NEED(parse_score(field(f, nf, lay, COL_CES), &r->ces, check_ces), COL_CES);
    const csv_field *wait = field(f, nf, lay, COL_WAIT);
    r->has_wait = wait->len > 0;
    NEED(!r->has_wait || csv_seconds(wait, &r->wait), COL_WAIT);
    const csv_field *handle = field(f, nf, lay, COL_HANDLE);
    r->handle = -1.0;
    NEED(handle->len == 0 || csv_seconds(handle, &r->handle), COL_HANDLE);
#undef NEED
    return true;
}

/* Adds a valid row to the report. The accumulators cannot fail on validated
 * input short of 2^63 seconds of total response time. */
static bool commit_row(report *rep, const row *r, const options *opt)
{
    if (!staffing_section_add(&rep->staffing, r->channel, r->created, r->has_wait ? r->wait : -1.0,
                              r->handle, r->abandoned))
        return false;
    const bool realtime = r->channel == PHONE || r->channel == CHAT;
    if (realtime && (r->has_wait || r->abandoned)) {
        rep->realtime_offered++;
        if (r->abandoned) {
            rep->realtime_abandoned++;
            if (r->wait < opt->short_abandon)
                rep->realtime_short++;
        }
    }
    if (r->abandoned)
        return true; /* a contact that never became a ticket */
    rep->tickets++;
    rep->by_channel[r->channel]++;
    rep->escalated += r->escalated;
    bool ok = true;
    if (r->has_reply)
        ok = ok && add_duration(&rep->first_reply, r, r->created, r->first_reply);
    if (r->has_solved) {
        rep->solved++;
        rep->solved_first_contact += r->contacts == 1;
        rep->reopened += r->reopened;
        ok = ok && add_duration(&rep->resolution, r, r->created, r->solved);
    }
    if (r->csat >= 0)
        ok = ok && cm_csat_add(&rep->csat, (int32_t)r->csat) == CM_OK;
    if (r->nps >= 0)
        ok = ok && cm_nps_add(&rep->nps, (int32_t)r->nps) == CM_OK;
    if (r->ces >= 0)
        ok = ok && cm_ces_add(&rep->ces, (int32_t)r->ces) == CM_OK;
    return ok;
}

/* ---- output ---------------------------------------------------------------- */

static void fmt_duration(char *buf, size_t cap, double seconds)
{
    const long long s = llround(seconds);
    if (s < 60)
        snprintf(buf, cap, "%llds", s);
    else if (s < 3600)
        snprintf(buf, cap, "%lldm %02llds", s / 60, s % 60);
    else if (s < 86400)
        snprintf(buf, cap, "%lldh %02lldm", s / 3600, s / 60 % 60);
    else
        snprintf(buf, cap, "%lldd %02lldh", s / 86400, s / 3600 % 24);
}

static void print_rate(const char *label, uint64_t num, uint64_t den, double conf)
{
    cm_proportion p;
    const cm_status st = cm_rate(num, den, conf, &p);
    if (st != CM_OK) {
        printf("  %-34s %s\n", label, cm_strerror(st));
        return;
    }
    printf("  %-34s %7.1f %%  [%5.1f, %5.1f]  %10llu of %llu\n", label, 100.0 * p.value,
           100.0 * p.lo, 100.0 * p.hi, (unsigned long long)p.num, (unsigned long long)p.den);
}

/* One line of a response-time table: mean, median, p90, p99 and count. */
static void print_distribution(const char *label, const cm_sketch *s)
{
    static const double levels[3] = {0.5, 0.9, 0.99};
    cm_sketch_summary sum;
    double q[3];
    cm_status st = cm_sketch_result(s, &sum);
    if (st == CM_OK)
        st = cm_sketch_quantiles(s, levels, 3, q);
    if (st != CM_OK) {
        printf("  %-34s %s\n", label, cm_strerror(st));
        return;
    }
    char mean[32], med[32], p90[32], p99[32];
    fmt_duration(mean, sizeof mean, sum.mean_seconds);
    fmt_duration(med, sizeof med, q[0]);
    fmt_duration(p90, sizeof p90, q[1]);
    fmt_duration(p99, sizeof p99, q[2]);
    printf("  %-34s %10s %10s %10s %10s %10llu\n", label, mean, med, p90, p99,
           (unsigned long long)sum.n);
}

static void print_durations(const char *what, const durations *d)
{
    printf("\n%s by channel\n", what);
    for (int c = 0; c < NCHANNELS; c++)
        print_distribution(channel_names[c], &d->by_channel[c]);
    printf("\n%s by priority\n", what);
    for (int p = 0; p < NPRIORITIES; p++)
        print_distribution(priority_names[p], &d->by_priority[p]);
}

static void print_report(const report *rep, const options *opt)
{
    const double conf = opt->confidence;
    const int pct = (int)lround(conf * 100.0);
    printf("caremetrics-report %s: %s\n", cm_version_string(), opt->path);
    printf("rows %llu: tickets %llu, abandoned contacts %llu, bad rows %llu\n\n",
           (unsigned long long)rep->rows, (unsigned long long)rep->tickets,
           (unsigned long long)rep->realtime_abandoned, (unsigned long long)rep->bad_rows);

    printf("Tickets by channel\n");
    for (int c = 0; c < NCHANNELS; c++)
        printf("  %-34s %10llu\n", channel_names[c], (unsigned long long)rep->by_channel[c]);

    printf("\nSatisfaction (%d %% confidence)          value  interval          responses\n", pct);
    cm_csat_summary cs;
    cm_status st = cm_csat_result(&rep->csat, conf, &cs);
    if (st == CM_OK)
        printf("  %-34s %7.1f %%  [%5.1f, %5.1f]  %10llu\n", "CSAT (4-5 on 1-5)",
               100.0 * cs.satisfied.value, 100.0 * cs.satisfied.lo, 100.0 * cs.satisfied.hi,
               (unsigned long long)cs.satisfied.den);
    else
        printf("  %-34s %s\n", "CSAT", cm_strerror(st));
    cm_nps_summary ns;
    st = cm_nps_result(&rep->nps, conf, &ns);
    if (st == CM_OK)
        printf("  %-34s %+7.1f    [%+5.1f, %+5.1f]  %10llu  (se %.1f)\n", "NPS", ns.score, ns.lo,
               ns.hi, (unsigned long long)ns.n, ns.se);
    else
        printf("  %-34s %s\n", "NPS", cm_strerror(st));
    cm_ces_summary es;
    st = cm_ces_result(&rep->ces, conf, &es);
    if (st == CM_OK) {
        printf("  %-34s %7.2f    [%5.2f, %5.2f]  %10llu\n", "CES (mean on 1-7)", es.mean, es.lo,
               es.hi, (unsigned long long)es.n);
        printf("  %-34s %7.1f %%  [%5.1f, %5.1f]  %10llu\n", "CES low effort (5-7)",
               100.0 * es.easy.value, 100.0 * es.easy.lo, 100.0 * es.easy.hi,
               (unsigned long long)es.n);
    } else {
        printf("  %-34s %s\n", "CES", cm_strerror(st));
    }

    printf("\nResolution                              value  interval              count\n");
    print_rate("First contact resolution", rep->solved_first_contact, rep->solved, conf);
    print_rate("Reopen rate", rep->reopened, rep->solved, conf);
    print_rate("Escalation rate", rep->escalated, rep->tickets, conf);

    printf("\n%-36s %10s %10s %10s %10s %10s\n", "Response times (calendar)", "mean", "median",
           "p90", "p99", "n");
    print_distribution("First reply", &rep->first_reply.all);
    print_distribution("Resolution", &rep->resolution.all);
    print_durations("First reply", &rep->first_reply);
    print_durations("Resolution", &rep->resolution);

    printf("\nReal-time channels (phone, chat)        value  interval              count\n");
    char label[64];
    snprintf(label, sizeof label, "Abandonment (short < %gs excluded)", opt->short_abandon);
    cm_proportion p;
    st = cm_abandonment_rate(rep->realtime_offered, rep->realtime_abandoned, rep->realtime_short,
                             conf, &p);
    if (st == CM_OK)
        printf("  %-34s %7.1f %%  [%5.1f, %5.1f]  %10llu of %llu\n", label, 100.0 * p.value,
               100.0 * p.lo, 100.0 * p.hi, (unsigned long long)p.num, (unsigned long long)p.den);
    else
        printf("  %-34s %s\n", label, cm_strerror(st));
    staffing_section_print(&rep->staffing, conf);
}

/* ---- input ----------------------------------------------------------------- */

static void bad_row(report *rep, unsigned long long line, const char *what)
{
    rep->bad_rows++;
    if (rep->bad_rows <= BAD_ROWS_SHOWN)
        fprintf(stderr, "caremetrics-report: line %llu: %s\n", line, what);
    else if (rep->bad_rows == BAD_ROWS_SHOWN + 1)
        fprintf(stderr, "caremetrics-report: more bad rows are counted but not shown\n");
}

/* Reads one line into buf; returns its length without the line break, -1 at
 * end of input, or -2 when the line does not fit (the rest is skipped). */
static long read_line(FILE *in, char *buf, size_t cap)
{
    if (fgets(buf, (int)cap, in) == NULL)
        return -1;
    size_t n = strlen(buf);
    if (n > 0 && buf[n - 1] == '\n') {
        buf[--n] = '\0';
    } else if (!feof(in)) {
        int c;
        while ((c = fgetc(in)) != EOF && c != '\n') {
        }
        return -2;
    }
    if (n > 0 && buf[n - 1] == '\r')
        buf[--n] = '\0';
    return (long)n;
}

static int read_header(FILE *in, char *buf, layout *lay, const char *path)
{
    csv_field f[MAX_FIELDS];
    const long n = read_line(in, buf, LINE_MAX_BYTES);
    const int nf = n >= 0 ? csv_split(buf, (size_t)n, f, MAX_FIELDS) : -1;
    if (nf <= 0) {
        fprintf(stderr, "caremetrics-report: %s: no header line\n", path);
        return -1;
    }
    for (int c = 0; c < NCOLUMNS; c++) {
        lay->index[c] = -1;
        for (int i = 0; i < nf; i++) {
            if (csv_is(&f[i], column_names[c]))
                lay->index[c] = i;
        }
    }
    if (lay->index[COL_CREATED] < 0 || lay->index[COL_CHANNEL] < 0) {
        fprintf(stderr,
                "caremetrics-report: %s: the header needs the columns created_at and "
                "channel (see docs/report.md)\n",
                path);
        return -1;
    }
    return 0;
}

static int run(FILE *in, report *rep, const options *opt)
{
    static char buf[LINE_MAX_BYTES];
    layout lay;
    if (read_header(in, buf, &lay, opt->path) != 0)
        return 1;
    unsigned long long line = 1;
    for (;;) {
        const long n = read_line(in, buf, sizeof buf);
        line++;
        if (n == -1)
            break;
        if (n == 0)
            continue; /* blank line */
        rep->rows++;
        csv_field f[MAX_FIELDS];
        const int nf = n > 0 ? csv_split(buf, (size_t)n, f, MAX_FIELDS) : -1;
        row r;
        const char *bad = NULL;
        char what[128];
        if (n == -2) {
            snprintf(what, sizeof what, "line longer than %d bytes", LINE_MAX_BYTES - 2);
        } else if (nf < 0) {
            snprintf(what, sizeof what, "unbalanced quotes or too many fields");
        } else if (!parse_row(f, nf, &lay, &r, &bad)) {
            snprintf(what, sizeof what, "bad value in column %s", bad);
        } else if (!commit_row(rep, &r, opt)) {
            snprintf(what, sizeof what, "totals overflow");
        } else {
            continue;
        }
        bad_row(rep, line, what);
        if (opt->strict)
            return 1;
    }
    if (ferror(in)) {
        fprintf(stderr, "caremetrics-report: %s: read error\n", opt->path);
        return 1;
    }
    return 0;
}

static int usage(void)
{
    fputs("usage: caremetrics-report [--confidence C] [--short-abandon SECONDS] [--strict] "
          "[FILE]\n"
          "  FILE defaults to the bundled sample ticket history.\n",
          stderr);
    return 2;
}

static const char *default_sample(void)
{
    FILE *f = fopen(CM_SAMPLE_SOURCE, "r");
    if (f != NULL) {
        fclose(f);
        return CM_SAMPLE_SOURCE;
    }
    return CM_SAMPLE_INSTALLED;
}

int main(int argc, char **argv)
{
    options opt = {CM_DEFAULT_CONFIDENCE, 5.0, false, NULL};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        char *end;
        if (strcmp(a, "--strict") == 0) {
            opt.strict = true;
        } else if (strcmp(a, "--confidence") == 0 && i + 1 < argc) {
            opt.confidence = strtod(argv[++i], &end);
            if (*end != '\0' || !(opt.confidence > 0.0 && opt.confidence < 1.0))
                return usage();
        } else if (strcmp(a, "--short-abandon") == 0 && i + 1 < argc) {
            opt.short_abandon = strtod(argv[++i], &end);
            if (*end != '\0' || !(opt.short_abandon >= 0.0) || !isfinite(opt.short_abandon))
                return usage();
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage();
            return 0;
        } else if (a[0] == '-' && a[1] != '\0') {
            return usage();
        } else if (opt.path == NULL) {
            opt.path = a;
        } else {
            return usage();
        }
    }
    if (opt.path == NULL)
        opt.path = default_sample();
    FILE *in = strcmp(opt.path, "-") == 0 ? stdin : fopen(opt.path, "r");
    if (in == NULL) {
        fprintf(stderr, "caremetrics-report: %s: %s\n", opt.path, strerror(errno));
        return 1;
    }
    static report rep;
    if (!staffing_section_init(&rep.staffing, opt.short_abandon)) {
        fprintf(stderr, "caremetrics-report: --short-abandon: %s\n", cm_strerror(CM_ERANGE));
        return 2;
    }
    const int rc = run(in, &rep, &opt);
    if (in != stdin)
        fclose(in);
    if (rc != 0)
        return rc;
    print_report(&rep, &opt);
    return 0;
}
