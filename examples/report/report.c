/*
 * caremetrics-report: the KPI report over a ticket history.
 *
 *   caremetrics-report [OPTIONS] [FILE]
 *
 * FILE is a CSV (columns in docs/report.md) or a columnar ticket file
 * (docs/ticket-columns.md, recognised by its magic); without FILE the bundled
 * sample history is read, and "-" reads CSV from standard input. Regular
 * files are mapped into memory and split between worker threads, each folding
 * its rows into its own accumulators; the partial reports are merged exactly.
 * Rows that cannot be read are reported on stderr with their line (CSV) or
 * row (columnar) number and counted; with --strict the first one stops the
 * report with exit status 1.
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* MAP_POPULATE */

#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef CM_SAMPLE_SOURCE
#define CM_SAMPLE_SOURCE "examples/data/sample-tickets.csv"
#endif
#ifndef CM_SAMPLE_INSTALLED
#define CM_SAMPLE_INSTALLED "/usr/local/share/caremetrics/sample-tickets.csv"
#endif

#define MAX_THREADS 64
/* Inputs smaller than this are read by one thread and show no progress. */
#define SMALL_INPUT (8u << 20)

static double clock_seconds(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double now_seconds(void)
{
    return clock_seconds(CLOCK_MONOTONIC);
}

/* ---- progress on a terminal ------------------------------------------------------ */

static struct {
    atomic_size_t done;
    size_t total;
    double last;
    bool on;
    pthread_mutex_t lock;
} progress = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void progress_add(size_t bytes)
{
    const size_t done = atomic_fetch_add(&progress.done, bytes) + bytes;
    if (!progress.on || pthread_mutex_trylock(&progress.lock) != 0)
        return;
    const double t = now_seconds();
    if (t - progress.last >= 0.25) {
        progress.last = t;
        fprintf(stderr, "\rcaremetrics-report: %3.0f %%",
                100.0 * (double)done / (double)(progress.total ? progress.total : 1));
        fflush(stderr);
    }
    pthread_mutex_unlock(&progress.lock);
}

static void progress_end(void)
{
    if (progress.on)
        fprintf(stderr, "\r%40s\r", "");
}

/* ---- workers --------------------------------------------------------------------- */

typedef struct worker {
    report rep;
    const options *opt;
    /* CSV: a byte range; columnar: a row range. */
    const csv_reader *csv;
    const char *begin, *end;
    uint64_t first_line, lines; /* CSV: number of the range's first line; lines read */
    const tc_table *table;
    uint64_t row_begin, row_end;
    bool stop;
    pthread_t thread;
} worker;

static void *run_csv(void *arg)
{
    worker *w = arg;
    w->lines = csv_parse_range(w->csv, w->begin, w->end, w->first_line, &w->rep, w->opt, &w->stop,
                               progress.on ? progress_add : NULL);
    return NULL;
}

static void *run_columns(void *arg)
{
    worker *w = arg;
    const tc_table *t = w->table;
    for (uint64_t r = w->row_begin; r < w->row_end && !w->stop; r += BLOCK_ROWS) {
        const uint64_t n = w->row_end - r < BLOCK_ROWS ? w->row_end - r : BLOCK_ROWS;
        const tc_table slice = {
            .rows = n,
            .created = t->created + r,
            .first_reply = t->first_reply + r,
            .solved = t->solved + r,
            .pending = t->pending + r,
            .channel = t->channel + r,
            .priority = t->priority + r,
            .reopened = t->reopened + r,
            .escalated = t->escalated + r,
            .csat = t->csat + r,
            .nps = t->nps + r,
            .ces = t->ces + r,
            .abandoned = t->abandoned + r,
            .contacts = t->contacts + r,
            .wait = t->wait + r,
            .handle = t->handle + r,
        };
        report_add_block(&w->rep, &slice, r + 1, NULL, w->opt); /* rows numbered from 1 */
        if (w->opt->strict && w->rep.bad_rows > 0)
            w->stop = true;
        if (progress.on)
            progress_add((size_t)n);
    }
    return NULL;
}

/* Runs fn on every worker (in threads when there are several). */
static bool run_workers(worker *w, unsigned n, void *(*fn)(void *))
{
    if (n == 1) {
        fn(&w[0]);
        return true;
    }
    unsigned started = 0;
    for (; started < n; started++) {
        if (pthread_create(&w[started].thread, NULL, fn, &w[started]) != 0)
            break;
    }
    for (unsigned i = 0; i < started; i++)
        pthread_join(w[i].thread, NULL);
    for (unsigned i = started; i < n; i++)
        fn(&w[i]); /* could not start a thread: do the work here */
    return true;
}

/* Splits [begin, end) into n ranges that start at line starts. */
static void split_lines(worker *w, unsigned n, const char *begin, const char *end)
{
    const char *p = begin;
    for (unsigned i = 0; i < n; i++) {
        w[i].begin = p;
        const char *cut = i + 1 == n ? end : begin + (size_t)(end - begin) * (i + 1) / n;
        if (cut < p)
            cut = p;
        if (i + 1 < n) {
            const char *nl = memchr(cut, '\n', (size_t)(end - cut));
            cut = nl ? nl + 1 : end;
        }
        w[i].end = cut;
        p = cut;
    }
}

/* ---- inputs ---------------------------------------------------------------------- */

typedef struct input {
    const char *data;
    size_t size;
    bool mapped;
} input;

static int open_mapped(const char *path, input *in, bool populate)
{
    const int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        errno = EINVAL;
        return -1;
    }
    in->size = (size_t)st.st_size;
    in->mapped = true;
    if (in->size == 0) {
        in->data = "";
        in->mapped = false;
        close(fd);
        return 0;
    }
    int flags = MAP_PRIVATE;
#ifdef MAP_POPULATE
    if (populate)
        flags |= MAP_POPULATE;
#else
    (void)populate;
#endif
    void *p = mmap(NULL, in->size, PROT_READ, flags, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return -1;
    in->data = p;
    return 0;
}

/* Reads all of a stream (standard input, a pipe) into memory. */
static int read_stream(FILE *f, input *in)
{
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *bigger = realloc(buf, cap * 2);
        if (bigger == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    if (buf == NULL || ferror(f)) {
        free(buf);
        errno = buf == NULL ? ENOMEM : EIO;
        return -1;
    }
    in->data = buf;
    in->size = n;
    in->mapped = false;
    return 0;
}

static void close_input(input *in)
{
    if (in->mapped)
        munmap((void *)(uintptr_t)in->data, in->size);
    else if (in->size > 0)
        free((void *)(uintptr_t)in->data);
}

static unsigned thread_count(const options *opt, size_t size)
{
    if (size < SMALL_INPUT)
        return 1;
    if (opt->threads > 0)
        return opt->threads > MAX_THREADS ? MAX_THREADS : opt->threads;
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus < 1 ? 1 : cpus > MAX_THREADS ? MAX_THREADS : (unsigned)cpus;
}

/*
 * Folds the workers' reports into w[0]. Worker 0's CSV lines are numbered from
 * 2 (line 1 is the header); the others count from 0, as their first line's
 * number is only known once the earlier ranges are read, and are shifted here.
 */
static bool merge_workers(worker *w, unsigned n, bool csv, const options *opt)
{
    uint64_t line = csv ? w[0].first_line + w[0].lines : 0;
    for (unsigned i = 1; i < n; i++) {
        if (!report_merge(&w[0].rep, &w[i].rep, csv ? line : 0, opt))
            return false;
        line += w[i].lines;
        report_free(&w[i].rep);
    }
    return true;
}

static const char *default_sample(void)
{
    return access(CM_SAMPLE_SOURCE, R_OK) == 0 ? CM_SAMPLE_SOURCE : CM_SAMPLE_INSTALLED;
}

static int usage(FILE *to)
{
    fputs("usage: caremetrics-report [OPTIONS] [FILE]\n"
          "  FILE               ticket history: CSV (docs/report.md) or columnar\n"
          "                     (docs/ticket-columns.md); default: the bundled sample;\n"
          "                     '-' reads CSV from standard input\n"
          "  --format F         text (default), json or csv\n"
          "  --by G             also report per channel, priority or month\n"
          "  --confidence C     confidence level of the intervals, in (0, 1) (0.95)\n"
          "  --short-abandon S  abandons after a shorter wait are left out (5 s)\n"
          "  --threads N        worker threads (default: one per CPU for large inputs)\n"
          "  --exact-quantiles  exact first-reply quantiles instead of the sketch's\n"
          "  --kpis-only        the headline KPIs only: no breakdowns, staffing or SLA replay\n"
          "  --calendar FILE    business hours (calendar spec); default: the bundled one\n"
          "  --policy FILE      SLA policy; default: the bundled severity matrix\n"
          "  --progress / --no-progress\n"
          "                     progress on stderr (default: when it is a terminal)\n"
          "  --strict           stop at the first unreadable row (exit status 1)\n",
          to);
    return to == stdout ? 0 : 2;
}

static bool parse_options(int argc, char **argv, options *opt)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end;
        if (strcmp(a, "--strict") == 0) {
            opt->strict = true;
        } else if (strcmp(a, "--exact-quantiles") == 0) {
            opt->exact_quantiles = true;
        } else if (strcmp(a, "--kpis-only") == 0) {
            opt->kpis_only = true;
        } else if (strcmp(a, "--progress") == 0 || strcmp(a, "--no-progress") == 0) {
            opt->progress = a[2] == 'p';
        } else if (strcmp(a, "--confidence") == 0 && v) {
            opt->confidence = strtod(v, &end);
            if (*end != '\0' || !(opt->confidence > 0.0 && opt->confidence < 1.0))
                return false;
            i++;
        } else if (strcmp(a, "--short-abandon") == 0 && v) {
            opt->short_abandon = strtod(v, &end);
            if (*end != '\0' || !(opt->short_abandon >= 0.0) || !isfinite(opt->short_abandon))
                return false;
            i++;
        } else if (strcmp(a, "--calendar") == 0 && v) {
            opt->calendar_file = v;
            i++;
        } else if (strcmp(a, "--policy") == 0 && v) {
            opt->policy_file = v;
            i++;
        } else if (strcmp(a, "--threads") == 0 && v) {
            const long n = strtol(v, &end, 10);
            if (*end != '\0' || n < 1 || n > MAX_THREADS)
                return false;
            opt->threads = (unsigned)n;
            i++;
        } else if (strcmp(a, "--format") == 0 && v) {
            if (strcmp(v, "text") == 0)
                opt->format = FORMAT_TEXT;
            else if (strcmp(v, "json") == 0)
                opt->format = FORMAT_JSON;
            else if (strcmp(v, "csv") == 0)
                opt->format = FORMAT_CSV;
            else
                return false;
            i++;
        } else if (strcmp(a, "--by") == 0 && v) {
            if (strcmp(v, "channel") == 0)
                opt->by = BY_CHANNEL;
            else if (strcmp(v, "priority") == 0)
                opt->by = BY_PRIORITY;
            else if (strcmp(v, "month") == 0)
                opt->by = BY_MONTH;
            else
                return false;
            i++;
        } else if (a[0] == '-' && a[1] != '\0') {
            return false;
        } else if (opt->path == NULL) {
            opt->path = a;
        } else {
            return false;
        }
    }
    return true;
}

int main(int argc, char **argv)
{
    options opt = {.confidence = CM_DEFAULT_CONFIDENCE, .short_abandon = 5.0, .progress = -1};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return usage(stdout);
    }
    if (!parse_options(argc, argv, &opt))
        return usage(stderr);
    if (opt.path == NULL)
        opt.path = default_sample();
    static report_rules rules;
    if (!report_rules_load(&rules, opt.calendar_file, opt.policy_file)) {
        fprintf(stderr, "caremetrics-report: %s\n", rules.problem);
        report_rules_free(&rules);
        return 1;
    }
    opt.rules = &rules;

    input in;
    const bool from_stdin = strcmp(opt.path, "-") == 0;
    if ((from_stdin ? read_stream(stdin, &in) : open_mapped(opt.path, &in, true)) != 0) {
        fprintf(stderr, "caremetrics-report: %s: %s\n", opt.path, strerror(errno));
        return 1;
    }
    const bool columnar = in.size >= 8 && memcmp(in.data, TC_MAGIC, 8) == 0;
    tc_table table;
    csv_reader *csv = NULL;
    const char *body = in.data, *error = NULL;
    uint64_t units = 0; /* rows (columnar) or bytes (CSV) to process */
    if (columnar) {
        if (tc_open((const uint8_t *)in.data, in.size, &table, &error) != 0) {
            fprintf(stderr, "caremetrics-report: %s: %s\n", opt.path, error);
            close_input(&in);
            return 1;
        }
        units = table.rows;
    } else {
        const char *nl = memchr(in.data, '\n', in.size);
        size_t hlen = nl ? (size_t)(nl - in.data) : in.size;
        body = nl ? nl + 1 : in.data + in.size;
        if (hlen > 0 && in.data[hlen - 1] == '\r')
            hlen--;
        csv = in.size > 0 ? csv_reader_new(in.data, hlen, &error) : NULL;
        if (csv == NULL) {
            fprintf(stderr, "caremetrics-report: %s: %s\n", opt.path,
                    in.size == 0 ? "no header line" : error);
            close_input(&in);
            return 1;
        }
        units = (uint64_t)(in.data + in.size - body);
    }

    const unsigned n = thread_count(&opt, in.size);
    opt.threads = n;
    progress.on = opt.progress == 1 || (opt.progress == -1 && isatty(STDERR_FILENO) &&
                                        in.size >= SMALL_INPUT && opt.format == FORMAT_TEXT);
    progress.total = (size_t)units;
    static worker w[MAX_THREADS];
    bool ok = true;
    for (unsigned i = 0; i < n; i++) {
        w[i].opt = &opt;
        w[i].csv = csv;
        w[i].table = &table;
        w[i].row_begin = units * i / n;
        w[i].row_end = units * (i + 1) / n;
        w[i].first_line = i == 0 ? 2 : 0;
        ok = ok && report_init(&w[i].rep, &opt);
    }
    const double t0 = now_seconds(), cpu0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    if (ok) {
        if (columnar) {
            run_workers(w, n, run_columns);
        } else {
            split_lines(w, n, body, in.data + in.size);
            run_workers(w, n, run_csv);
        }
        ok = merge_workers(w, n, !columnar, &opt);
    }
    const double compute_seconds = now_seconds() - t0;
    const double compute_cpu_seconds = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    progress_end();
    report *rep = &w[0].rep;
    const char *unit = columnar ? "row" : "line";
    for (size_t i = 0; i < rep->bad_shown; i++)
        fprintf(stderr, "caremetrics-report: %s %llu: %s\n", unit,
                (unsigned long long)rep->bad[i].line, rep->bad[i].what);
    if (rep->bad_rows > rep->bad_shown)
        fprintf(stderr, "caremetrics-report: %llu more bad rows are counted but not shown\n",
                (unsigned long long)(rep->bad_rows - rep->bad_shown));
    int rc = 0;
    if (!ok || rep->failed) {
        fprintf(stderr, "caremetrics-report: out of memory or a total overflowed\n");
        rc = 1;
    } else if (opt.strict && rep->bad_rows > 0) {
        rc = 1;
    } else if (opt.format == FORMAT_JSON) {
        print_json(rep, &opt, compute_seconds, compute_cpu_seconds);
    } else if (opt.format == FORMAT_CSV) {
        print_csv(rep, &opt);
    } else {
        print_text(rep, &opt);
    }
    report_free(rep);
    csv_reader_free(csv);
    close_input(&in);
    report_rules_free(&rules);
    return rc;
}
