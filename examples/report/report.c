/*
 * caremetrics-report: the KPI report over a ticket history.
 *
 *   caremetrics-report [OPTIONS] [FILE]
 *
 * FILE is a CSV export (our columns, docs/report.md, or any export through a
 * column mapping, docs/csv.md) or a columnar ticket file
 * (docs/ticket-columns.md, recognised by its magic); without FILE the bundled
 * sample history is read, and "-" reads CSV from standard input. Regular
 * files are mapped into memory and split between worker threads; each folds
 * its rows into its own report (the library's ticket-table engine), and the
 * reports are merged exactly. Everything is computed by the library; this
 * program reads options and files and prints.
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* MAP_POPULATE */

#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
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
/* A stream is read in pieces of this size; a header must end within the first one. */
#define STREAM_CHUNK (1u << 20)
/* Bytes of CSV folded per call, between progress updates. */
#define FOLD_CHUNK (4u << 20)

static const char *program = "caremetrics-report";

static double clock_seconds(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static long minor_faults(void)
{
    struct rusage u;
    return getrusage(RUSAGE_SELF, &u) == 0 ? u.ru_minflt : 0;
}

/* ---- input -------------------------------------------------------------------------- */

typedef struct input {
    const char *data;
    size_t size;
    bool mapped;
} input;

static const char *input_path = "";

/* A mapped file that shrinks while it is read raises SIGBUS: say so and stop. */
static void on_sigbus(int sig)
{
    (void)sig;
    static const char msg[] = ": the input changed (was it truncated?) while being read\n";
    ssize_t w = write(STDERR_FILENO, program, strlen(program));
    w = write(STDERR_FILENO, ": ", 2);
    w = write(STDERR_FILENO, input_path, strlen(input_path));
    w = write(STDERR_FILENO, msg + 1, sizeof msg - 2);
    (void)w;
    _exit(1);
}

/* Reads a stream (standard input, a pipe, a device) into memory. The header line must
 * end within the first STREAM_CHUNK bytes, so an endless stream without line ends
 * (such as /dev/zero) stops there. */
static int read_stream(int fd, input *in, const char **why)
{
    size_t cap = STREAM_CHUNK, n = 0;
    char *buf = malloc(cap);
    bool header = false;
    while (buf != NULL) {
        const ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            free(buf);
            *why = strerror(errno);
            return -1;
        }
        if (got == 0)
            break;
        if (!header)
            header = memchr(buf + n, '\n', (size_t)got) != NULL ||
                     memchr(buf + n, '\r', (size_t)got) != NULL;
        n += (size_t)got;
        if (!header && n >= STREAM_CHUNK) {
            free(buf);
            *why = "no line end in the first 1 MiB: not a CSV file";
            return -1;
        }
        if (n == cap) {
            char *bigger = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
            if (bigger == NULL)
                break;
            buf = bigger;
            cap *= 2;
        }
    }
    if (buf == NULL || n == cap) {
        free(buf);
        *why = "out of memory reading the input";
        return -1;
    }
    in->data = buf;
    in->size = n;
    in->mapped = false;
    return 0;
}

static int open_input(const char *path, input *in, const char **why)
{
    input_path = path;
    if (strcmp(path, "-") == 0)
        return read_stream(STDIN_FILENO, in, why);
    const int fd = open(path, O_RDONLY);
    if (fd < 0) {
        *why = strerror(errno);
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        *why = strerror(errno);
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode) || st.st_size == 0) {
        const int rc = read_stream(fd, in, why); /* devices, pipes, empty files */
        close(fd);
        return rc;
    }
    in->size = (size_t)st.st_size;
    int flags = MAP_PRIVATE;
#ifdef MAP_POPULATE
    flags |= MAP_POPULATE; /* paged in now, not while the report is timed */
#endif
    /* The handler is in place before the mapping exists, for the reads below too. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigbus;
    sigaction(SIGBUS, &sa, NULL);
    void *p = mmap(NULL, in->size, PROT_READ, flags, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        *why = strerror(errno);
        return -1;
    }
    in->data = p;
    in->mapped = true;
    /* Read every line of the mapping once now: MAP_POPULATE maps the pages, but on some
     * virtual machines the first read of each still costs far more than the next, and
     * that belongs to loading the file, not to computing the report. */
    volatile unsigned char sink = 0;
    for (size_t i = 0; i < in->size; i += 64)
        sink = (unsigned char)(sink + ((const unsigned char *)p)[i]);
    return 0;
}

static void close_input(input *in)
{
    if (in->mapped)
        munmap((void *)(uintptr_t)in->data, in->size);
    else
        free((void *)(uintptr_t)in->data);
}

/* The end of the first line, and (in *body) the start of the second. */
static size_t header_end(const input *in, size_t *body)
{
    size_t i = 0;
    while (i < in->size && in->data[i] != '\n' && in->data[i] != '\r')
        i++;
    size_t b = i;
    if (b < in->size)
        b += in->data[b] == '\r' && b + 1 < in->size && in->data[b + 1] == '\n' ? 2 : 1;
    *body = b;
    return i;
}

/* Lines in [p, end): line ends, plus a last line without one. */
static uint64_t count_lines(const char *p, const char *end)
{
    if (p >= end)
        return 0;
    const bool lf = memchr(p, '\n', (size_t)(end - p)) != NULL;
    const char sep = lf ? '\n' : '\r';
    uint64_t n = 0;
    for (const char *q = p; q < end;) {
        const char *e = memchr(q, sep, (size_t)(end - q));
        n++;
        q = e != NULL ? e + 1 : end;
    }
    return n;
}

/* ---- options ------------------------------------------------------------------------ */

static int usage(FILE *to)
{
    fputs("usage: caremetrics-report [OPTIONS] [FILE]\n"
          "  FILE               ticket history: CSV (docs/report.md, docs/csv.md) or\n"
          "                     columnar (docs/ticket-columns.md); default: the bundled\n"
          "                     sample; '-' reads CSV from standard input\n"
          "  --format F         text (default), json or csv\n"
          "  --by G[,G...]      also report per group: any key column (channel, priority,\n"
          "                     or a column of the file) and at most one time bucket:\n"
          "                     hour, day, week, month, weekday, time-of-day, interval\n"
          "  --interval D       the length of 'interval' buckets, such as 30m or 2h (30m)\n"
          "  --columns MAP      column mapping: a file, or 'ours=Header,...' pairs\n"
          "  --preset NAME      a built-in mapping: caremetrics (default) or zendesk\n"
          "  --input-tz ZONE    time zone of timestamps without an offset (UTC)\n"
          "  --confidence C     confidence level of the intervals, in (0, 1) (0.95)\n"
          "  --short-abandon S  abandons after a shorter wait are left out (5 s)\n"
          "  --threads N        worker threads (default: one per CPU for large inputs)\n"
          "  --exact-quantiles  exact quantiles instead of the sketches' (within 1 %)\n"
          "  --kpis-only        the headline KPIs only: no breakdowns, staffing or SLA replay\n"
          "  --calendar FILE    business hours (calendar spec); default: the bundled one\n"
          "  --policy FILE      SLA policy; default: the bundled severity matrix\n"
          "  --as-of INSTANT    judge open tickets at this instant (default: the latest\n"
          "                     instant in the file)\n"
          "  --progress / --no-progress\n"
          "                     progress on stderr (default: when it is a terminal)\n"
          "  --strict           exit status 1, and no report, when a row is unreadable\n"
          "optional sections (CSV input; docs/report.md):\n"
          "  --drivers COLUMN   the top contact drivers from a tags column\n"
          "  --drivers-top K    how many drivers to list, 1 to 100 (10)\n"
          "  --backlog I        open tickets and their ages at the end of each day,\n"
          "                     week or month (UTC)\n"
          "  --qa-rubric FILE --qa-evaluations FILE\n"
          "                     QA scorecards of an evaluations file (docs/qa.md)\n"
          "  --qa-by COLUMN     the evaluations' grouping column (agent)\n",
          to);
    return to == stdout ? 0 : 2;
}

static bool bad_option(const char *option, const char *value, const char *expected)
{
    if (value != NULL)
        fprintf(stderr, "%s: %s: expected %s, got \"%s\"\n", program, option, expected, value);
    else
        fprintf(stderr, "%s: %s: expected %s\n", program, option, expected);
    return false;
}

static bool parse_minutes(const char *v, uint32_t *out)
{
    char *end;
    const long n = strtol(v, &end, 10);
    long minutes = -1;
    if (end != v && strcmp(end, "m") == 0)
        minutes = n;
    else if (end != v && strcmp(end, "h") == 0 && n <= 24)
        minutes = n * 60;
    if (minutes < 1 || minutes > 1440 || 1440 % minutes != 0)
        return false;
    *out = (uint32_t)minutes;
    return true;
}

static bool add_by(options *opt, const char *list)
{
    static const struct {
        const char *name;
        uint32_t bucket;
    } buckets[] = {
        {"hour", CM_TABLE_BUCKET_HOUR},        {"day", CM_TABLE_BUCKET_DAY},
        {"week", CM_TABLE_BUCKET_WEEK},        {"month", CM_TABLE_BUCKET_MONTH},
        {"weekday", CM_TABLE_BUCKET_WEEKDAY},  {"time-of-day", CM_TABLE_BUCKET_TIME_OF_DAY},
        {"interval", CM_TABLE_BUCKET_MINUTES},
    };
    char *copy = strdup(list);
    if (copy == NULL)
        return false;
    bool ok = true;
    char *save = NULL;
    for (char *name = strtok_r(copy, ",", &save); ok && name != NULL;
         name = strtok_r(NULL, ",", &save)) {
        bool bucket = false;
        for (size_t b = 0; b < sizeof buckets / sizeof buckets[0]; b++) {
            if (strcmp(name, buckets[b].name) != 0)
                continue;
            bucket = true;
            if (opt->by_bucket != CM_TABLE_BUCKET_NONE && opt->by_bucket != buckets[b].bucket)
                ok = bad_option("--by", list, "at most one time bucket");
            opt->by_bucket = buckets[b].bucket;
        }
        if (bucket)
            continue;
        if (opt->nby == BY_MAX) {
            ok = bad_option("--by", list, "at most 4 columns");
            break;
        }
        if (strlen(name) > CM_TABLE_LABEL_MAX) {
            ok = bad_option("--by", list, "column names of at most 63 bytes");
            break;
        }
        strcpy(opt->by_names[opt->nby], name);
        opt->by[opt->nby] = opt->by_names[opt->nby];
        opt->nby++;
    }
    free(copy);
    return ok;
}

static bool parse_options(int argc, char **argv, options *opt)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        const bool takes = strcmp(a, "--confidence") == 0 || strcmp(a, "--short-abandon") == 0 ||
                           strcmp(a, "--calendar") == 0 || strcmp(a, "--policy") == 0 ||
                           strcmp(a, "--threads") == 0 || strcmp(a, "--format") == 0 ||
                           strcmp(a, "--by") == 0 || strcmp(a, "--interval") == 0 ||
                           strcmp(a, "--columns") == 0 || strcmp(a, "--preset") == 0 ||
                           strcmp(a, "--input-tz") == 0 || strcmp(a, "--as-of") == 0 ||
                           strcmp(a, "--drivers") == 0 || strcmp(a, "--drivers-top") == 0 ||
                           strcmp(a, "--backlog") == 0 || strcmp(a, "--qa-rubric") == 0 ||
                           strcmp(a, "--qa-evaluations") == 0 || strcmp(a, "--qa-by") == 0;
        if (takes && v == NULL)
            return bad_option(a, NULL, "a value");
        char *end;
        if (strcmp(a, "--strict") == 0) {
            opt->strict = true;
        } else if (strcmp(a, "--exact-quantiles") == 0) {
            opt->exact_quantiles = true;
        } else if (strcmp(a, "--kpis-only") == 0) {
            opt->kpis_only = true;
        } else if (strcmp(a, "--progress") == 0 || strcmp(a, "--no-progress") == 0) {
            opt->progress = a[2] == 'p';
        } else if (strcmp(a, "--confidence") == 0) {
            opt->confidence = strtod(v, &end);
            if (*end != '\0' || !(opt->confidence > 0.0 && opt->confidence < 1.0))
                return bad_option(a, v, "a number between 0 and 1, such as 0.95");
            i++;
        } else if (strcmp(a, "--short-abandon") == 0) {
            opt->short_abandon = strtod(v, &end);
            if (*end != '\0' || !(opt->short_abandon >= 0.0 && opt->short_abandon <= 3600.0))
                return bad_option(a, v, "a number of seconds, 0 to 3600");
            i++;
        } else if (strcmp(a, "--calendar") == 0) {
            opt->calendar_file = v;
            i++;
        } else if (strcmp(a, "--policy") == 0) {
            opt->policy_file = v;
            i++;
        } else if (strcmp(a, "--columns") == 0) {
            opt->columns = v;
            i++;
        } else if (strcmp(a, "--preset") == 0) {
            opt->preset = v;
            i++;
        } else if (strcmp(a, "--input-tz") == 0) {
            opt->input_tz = v;
            i++;
        } else if (strcmp(a, "--as-of") == 0) {
            if (cm_time_parse(v, strlen(v), &opt->as_of) != CM_OK)
                return bad_option(a, v, "an RFC 3339 instant such as 2025-01-31T23:59:59Z");
            i++;
        } else if (strcmp(a, "--threads") == 0) {
            const long n = strtol(v, &end, 10);
            if (*end != '\0' || n < 1 || n > MAX_THREADS)
                return bad_option(a, v, "a number of threads, 1 to 64");
            opt->threads = (unsigned)n;
            i++;
        } else if (strcmp(a, "--format") == 0) {
            if (strcmp(v, "text") == 0)
                opt->format = FORMAT_TEXT;
            else if (strcmp(v, "json") == 0)
                opt->format = FORMAT_JSON;
            else if (strcmp(v, "csv") == 0)
                opt->format = FORMAT_CSV;
            else
                return bad_option(a, v, "text, json or csv");
            i++;
        } else if (strcmp(a, "--by") == 0) {
            if (!add_by(opt, v))
                return false;
            i++;
        } else if (strcmp(a, "--interval") == 0) {
            if (!parse_minutes(v, &opt->by_minutes))
                return bad_option(a, v, "minutes (30m) or hours (2h) that divide a day");
            i++;
        } else if (strcmp(a, "--drivers") == 0) {
            opt->drivers_column = v;
            i++;
        } else if (strcmp(a, "--drivers-top") == 0) {
            const long n = strtol(v, &end, 10);
            if (*end != '\0' || n < 1 || n > DRIVERS_TOP_MAX)
                return bad_option(a, v, "a number of drivers, 1 to 100");
            opt->drivers_top = (uint32_t)n;
            i++;
        } else if (strcmp(a, "--backlog") == 0) {
            if (strcmp(v, "day") == 0)
                opt->backlog = BACKLOG_DAY;
            else if (strcmp(v, "week") == 0)
                opt->backlog = BACKLOG_WEEK;
            else if (strcmp(v, "month") == 0)
                opt->backlog = BACKLOG_MONTH;
            else
                return bad_option(a, v, "day, week or month");
            i++;
        } else if (strcmp(a, "--qa-rubric") == 0) {
            opt->qa_rubric = v;
            i++;
        } else if (strcmp(a, "--qa-evaluations") == 0) {
            opt->qa_evaluations = v;
            i++;
        } else if (strcmp(a, "--qa-by") == 0) {
            opt->qa_by = v;
            opt->qa_by_given = true;
            i++;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "%s: unknown option %s\n", program, a);
            return false;
        } else if (opt->path == NULL) {
            opt->path = a;
        } else {
            fprintf(stderr, "%s: more than one input file (%s, %s)\n", program, opt->path, a);
            return false;
        }
    }
    if (opt->by_bucket == CM_TABLE_BUCKET_MINUTES && opt->by_minutes == 0)
        opt->by_minutes = 30;
    if (opt->by_bucket == CM_TABLE_BUCKET_TIME_OF_DAY && opt->by_minutes == 0)
        opt->by_minutes = 60; /* hours of the day, named by their start */
    if (opt->by_bucket == CM_TABLE_BUCKET_NONE && opt->by_minutes != 0)
        opt->by_bucket = CM_TABLE_BUCKET_MINUTES; /* --interval alone groups by intervals */
    if (opt->columns != NULL && opt->preset != NULL)
        return bad_option("--columns", opt->columns, "either --columns or --preset, not both");
    if ((opt->qa_rubric != NULL) != (opt->qa_evaluations != NULL))
        return bad_option(opt->qa_rubric != NULL ? "--qa-rubric" : "--qa-evaluations", NULL,
                          "both --qa-rubric and --qa-evaluations");
    if (opt->qa_by_given && opt->qa_rubric == NULL)
        return bad_option("--qa-by", opt->qa_by, "--qa-rubric and --qa-evaluations");
    if (opt->drivers_top != 0 && opt->drivers_column == NULL)
        return bad_option("--drivers-top", NULL, "--drivers COLUMN");
    if (opt->qa_evaluations != NULL && strcmp(opt->qa_evaluations, "-") == 0)
        return bad_option("--qa-evaluations", "-", "a file (standard input is not read for it)");
    if (opt->drivers_top == 0)
        opt->drivers_top = 10;
    if (opt->qa_by == NULL)
        opt->qa_by = "agent";
    return true;
}

/* ---- column mappings ---------------------------------------------------------------- */

/* The text of --columns: a file, or pairs ours=Header separated by commas (turned into
 * the mapping's directives). Returns a malloc'd text or NULL with *why set. */
static char *mapping_text(const options *opt, const char **why)
{
    if (opt->columns == NULL) {
        const char *preset;
        if (cm_csv_map_preset(opt->preset != NULL ? opt->preset : "caremetrics", &preset) !=
            CM_OK) {
            *why = "unknown preset (there are caremetrics and zendesk)";
            return NULL;
        }
        return strdup(preset);
    }
    const char *spec = opt->columns;
    if (strchr(spec, '=') == NULL) {
        FILE *f = fopen(spec, "rb");
        if (f == NULL) {
            *why = strerror(errno);
            return NULL;
        }
        char *buf = malloc(1 << 20);
        const size_t n = buf != NULL ? fread(buf, 1, (1 << 20) - 1, f) : 0;
        fclose(f);
        if (buf == NULL) {
            *why = "out of memory";
            return NULL;
        }
        buf[n] = '\0';
        if (memchr(buf, '\0', n) != NULL) {
            free(buf);
            *why = "a NUL byte in the mapping file";
            return NULL;
        }
        return buf;
    }
    /* ours=Header,...: each pair becomes `column ours "Header"`. */
    const size_t cap = 3 * strlen(spec) + 64;
    char *text = malloc(cap);
    if (text == NULL) {
        *why = "out of memory";
        return NULL;
    }
    size_t w = 0;
    const char *p = spec;
    while (*p != '\0') {
        const char *comma = strchr(p, ',');
        const size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (eq == NULL || eq == p || memchr(p, '"', len) != NULL) {
            free(text);
            *why = "expected ours=Header pairs separated by commas (see docs/csv.md)";
            return NULL;
        }
        w += (size_t)snprintf(text + w, cap - w, "column %.*s \"%.*s\"\n", (int)(eq - p), p,
                              (int)(len - (size_t)(eq - p) - 1), eq + 1);
        p += len;
        if (*p == ',')
            p++;
    }
    return text;
}

/* Says what is wrong with a header, naming the missing column: a column of the mapping
 * (err points into its text) or a --by column (line 0: extra[column - 1]). */
static void header_problem(const options *opt, const char *mapping, const char *const *extra,
                           const cm_parse_error *err, cm_status st)
{
    if (st == CM_ENOTFOUND && err->line == 0) {
        fprintf(stderr, "%s: %s: no column \"%s\" in the header (--by)\n", program, opt->path,
                extra[err->column - 1]);
        return;
    }
    if (st == CM_ENOTFOUND) {
        /* The header's name at err->line, err->column of the mapping. */
        const char *p = mapping;
        for (uint32_t l = 1; l < err->line && p != NULL; l++) {
            p = strchr(p, '\n');
            p = p != NULL ? p + 1 : NULL;
        }
        const char *name = p != NULL ? p + err->column - 1 : "";
        const bool quoted = *name == '"';
        name += quoted;
        size_t len = 0;
        while (name[len] != '\0' && name[len] != '\n' &&
               (quoted ? name[len] != '"' : name[len] != ' ' && name[len] != '\t'))
            len++;
        fprintf(stderr, "%s: %s: no column \"%.*s\" in the header (%s, line %u)\n", program,
                opt->path, (int)len, name,
                opt->columns != NULL  ? opt->columns
                : opt->preset != NULL ? opt->preset
                                      : "the default columns",
                err->line);
        return;
    }
    if (st == CM_EPARSE)
        fprintf(stderr, "%s: %s: header, column %u: %s\n", program, opt->path, err->column,
                err->message);
    else
        fprintf(stderr, "%s: %s: %s\n", program, opt->path, cm_strerror(st));
}

/* ---- workers -------------------------------------------------------------------------- */

typedef struct worker {
    cm_table_report *rep;
    cm_csv_reader *reader; /* CSV input */
    const char *begin, *end;
    uint64_t first_line, lines;
    const tc_table *table; /* columnar input */
    uint64_t row_begin, row_end;
    bool handle;
    cm_status status;
    pthread_t thread;
} worker;

static struct {
    bool on;
    uint64_t total;
    double last;
    pthread_mutex_t lock;
    uint64_t done;
} progress = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void progress_add(uint64_t units)
{
    if (!progress.on)
        return;
    pthread_mutex_lock(&progress.lock);
    progress.done += units;
    const double t = clock_seconds(CLOCK_MONOTONIC);
    if (t - progress.last >= 0.25) {
        progress.last = t;
        fprintf(stderr, "\r%s: %3.0f %%", program,
                100.0 * (double)progress.done / (double)(progress.total ? progress.total : 1));
        fflush(stderr);
    }
    pthread_mutex_unlock(&progress.lock);
}

static void *run_csv(void *arg)
{
    worker *w = arg;
    const char *p = w->begin;
    uint64_t line = w->first_line;
    w->status = CM_OK;
    while (p < w->end && w->status == CM_OK) {
        size_t cut = (size_t)(w->end - p);
        if (cut > FOLD_CHUNK) {
            size_t at;
            if (cm_csv_split_point(p, (size_t)(w->end - p), 0, FOLD_CHUNK, &at) == CM_OK)
                cut = at;
        }
        uint64_t lines = 0;
        w->status = cm_csv_reader_fold(w->reader, p, cut, line, w->rep, &lines);
        line += lines;
        p += cut;
        progress_add(cut);
    }
    w->lines = line - w->first_line;
    return NULL;
}

static void *run_columns(void *arg)
{
    worker *w = arg;
    w->status = CM_OK;
    for (uint64_t r = w->row_begin; r < w->row_end && w->status == CM_OK; r += 1u << 20) {
        const uint64_t e = w->row_end - r < (1u << 20) ? w->row_end : r + (1u << 20);
        w->status = columnar_fold(w->rep, w->table, r, e, w->handle);
        progress_add(e - r);
    }
    return NULL;
}

static void run_workers(worker *w, unsigned n, void *(*fn)(void *))
{
    unsigned started = 0;
    for (unsigned i = 1; i < n; i++) {
        if (pthread_create(&w[i].thread, NULL, fn, &w[i]) != 0)
            break;
        started = i;
    }
    fn(&w[0]);
    for (unsigned i = 1; i <= started; i++)
        pthread_join(w[i].thread, NULL);
    for (unsigned i = started + 1; i < n; i++)
        fn(&w[i]); /* could not start a thread: do the work here */
}

static unsigned thread_count(const options *opt, size_t size)
{
    if (opt->threads > 0)
        return size < SMALL_INPUT ? 1 : opt->threads;
    if (size < SMALL_INPUT)
        return 1;
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus < 1 ? 1 : cpus > MAX_THREADS ? MAX_THREADS : (unsigned)cpus;
}

static const char *default_sample(void)
{
    return access(CM_SAMPLE_SOURCE, R_OK) == 0 ? CM_SAMPLE_SOURCE : CM_SAMPLE_INSTALLED;
}

/* ---- the report's spec ------------------------------------------------------------------- */

typedef struct plan {
    cm_table_spec spec;
    cm_table_grouping groupings[G_COUNT];
    report_view view;
} plan;

static int key_index(const cm_table_spec *s, const char *name)
{
    for (size_t k = 0; k < s->nkeys; k++) {
        if (strcmp(s->keys[k].name, name) == 0)
            return (int)k;
    }
    return -1;
}

/* Groups a bucket of `minutes` spans between two instants (with room for DST repeats). */
static uint64_t buckets_between(uint32_t bucket, uint32_t minutes, cm_time first, cm_time last)
{
    const double span = (double)(last - first) + 86400.0 * 2;
    switch (bucket) {
    case CM_TABLE_BUCKET_MINUTES:
        return (uint64_t)(span / (60.0 * minutes)) + 2 * 24 * 60 / minutes;
    case CM_TABLE_BUCKET_HOUR:
        return (uint64_t)(span / 3600.0) + 48;
    case CM_TABLE_BUCKET_DAY:
        return (uint64_t)(span / 86400.0) + 2;
    case CM_TABLE_BUCKET_WEEK:
        return (uint64_t)(span / 604800.0) + 2;
    case CM_TABLE_BUCKET_MONTH:
        return (uint64_t)(span / (28.0 * 86400.0)) + 2;
    case CM_TABLE_BUCKET_WEEKDAY:
        return 7;
    default: /* time of day */
        return 1440 / minutes;
    }
}

/* Fills the spec from the options. `labels[k]` is the number of labels key k will hold
 * (for the groups' room); `first`/`last` the span of creation instants. */
static bool make_plan(plan *p, const options *opt, const report_rules *rules, uint64_t rows,
                      const uint32_t *labels, cm_time first, cm_time last)
{
    cm_table_spec *s = &p->spec;
    report_view *v = &p->view;
    for (int g = 0; g < G_COUNT; g++)
        v->grouping[g] = -1;
    v->channel_key = key_index(s, "channel");
    v->priority_key = s->priority_key;
    size_t ng = 0;
    p->groupings[ng] = (cm_table_grouping){0, CM_TABLE_BUCKET_NONE, 0, 0};
    v->grouping[G_ALL] = (int)ng++;
    if (!opt->kpis_only) {
        if (v->channel_key >= 0) {
            p->groupings[ng] = (cm_table_grouping){1u << v->channel_key, 0, 0, 0};
            v->grouping[G_CHANNEL] = (int)ng++;
        }
        if (v->priority_key >= 0) {
            p->groupings[ng] = (cm_table_grouping){1u << v->priority_key, 0, 0, 0};
            v->grouping[G_PRIORITY] = (int)ng++;
        }
        /* The staffing section's average day: hours of the local day. */
        p->groupings[ng] = (cm_table_grouping){0, CM_TABLE_BUCKET_TIME_OF_DAY, 60, 24};
        v->grouping[G_HOUR_OF_DAY] = (int)ng++;
    }
    if (opt->nby > 0 || opt->by_bucket != CM_TABLE_BUCKET_NONE) {
        uint32_t mask = 0;
        uint64_t combos = 1;
        v->nby_keys = 0;
        for (size_t i = 0; i < opt->nby; i++) {
            const int k = key_index(s, opt->by[i]);
            if (k < 0) {
                fprintf(stderr,
                        "%s: --by %s: no such column (the file's columns and channel, "
                        "priority)\n",
                        program, opt->by[i]);
                return false;
            }
            if (mask & (1u << k))
                continue;
            mask |= 1u << k;
            v->by_keys[v->nby_keys++] = k;
            combos *= labels[k] > 0 ? labels[k] : 1;
        }
        const uint32_t minutes = opt->by_bucket == CM_TABLE_BUCKET_MINUTES ||
                                         opt->by_bucket == CM_TABLE_BUCKET_TIME_OF_DAY
                                     ? (opt->by_minutes != 0 ? opt->by_minutes : 60)
                                     : 0;
        uint64_t capacity = 0;
        if (opt->by_bucket != CM_TABLE_BUCKET_NONE) {
            capacity = combos * buckets_between(opt->by_bucket, minutes, first, last);
            if (capacity > rows + 64)
                capacity = rows + 64; /* every row in a group of its own at most */
            if (capacity > UINT32_MAX / 2) {
                fprintf(stderr, "%s: --by: too many groups\n", program);
                return false;
            }
        }
        p->groupings[ng] = (cm_table_grouping){mask, opt->by_bucket, minutes, (uint32_t)capacity};
        v->grouping[G_BY] = (int)ng++;
    }
    s->groupings = p->groupings;
    s->ngroupings = ng;
    s->calendar = rules->calendar;
    s->policy = rules->policy;
    if (s->policy != NULL && s->calendar == NULL)
        s->policy = NULL;
    s->as_of = opt->as_of;
    s->short_abandon_seconds = opt->short_abandon;
    /* T of the service level is the 20 s of 80/20; a short-abandon threshold above it
     * raises T with it. */
    s->service_target_seconds = opt->short_abandon > 20.0 ? opt->short_abandon : 20.0;
    s->flags = opt->kpis_only ? 0 : CM_TABLE_CONTACTS | CM_TABLE_SLA_ATTAINMENT;
    s->quantile_mode = opt->exact_quantiles ? CM_TABLE_QUANTILES_EXACT : CM_TABLE_QUANTILES_SKETCH;
    if (opt->kpis_only) {
        s->duration_metrics = (1u << CM_TABLE_FIRST_REPLY) | (1u << CM_TABLE_FIRST_REPLY_BUSINESS);
        s->quantile_metrics = 1u << CM_TABLE_FIRST_REPLY;
    }
    s->row_capacity = opt->exact_quantiles ? (rows > 0 ? rows : 1) : 0;
    return true;
}

/* The span of creation instants and the labels of each key, from a quick pass. */
static bool survey_input(const options *opt, const input *in, size_t body, const tc_table *table,
                         const cm_csv_map *map, const cm_tz *tz, const char *const *extra,
                         size_t nextra, cm_time *first, cm_time *last, uint32_t *labels)
{
    *first = 0;
    *last = 0;
    if (table != NULL) {
        for (uint64_t i = 0; i < table->rows; i++) {
            const cm_time c = table->created[i];
            if (c == TC_NONE_TIME)
                continue;
            *first = i == 0 || c < *first ? c : *first;
            *last = i == 0 || c > *last ? c : *last;
        }
        labels[0] = labels[1] = 5;
        return true;
    }
    (void)opt;
    size_t hb;
    const size_t hlen = header_end(in, &hb);
    cm_csv_reader *reader;
    cm_parse_error err;
    if (cm_csv_reader_new(map, in->data, hlen, tz, extra, nextra, NULL, &reader, &err) != CM_OK)
        return false;
    cm_table_spec spec;
    cm_table_report *rep = NULL;
    bool ok = cm_table_spec_init(&spec) == CM_OK && cm_csv_reader_spec(reader, &spec) == CM_OK;
    spec.quantile_mode = CM_TABLE_QUANTILES_NONE;
    spec.flags = 0;
    ok = ok && cm_table_report_new(&spec, NULL, &rep) == CM_OK;
    ok = ok && cm_csv_reader_fold(reader, in->data + body, in->size - body, 2, rep, NULL) == CM_OK;
    cm_table_counts c;
    ok = ok && cm_table_report_finish(rep) == CM_OK && cm_table_report_counts(rep, 0, &c) == CM_OK;
    if (ok) {
        *first = c.first_created != CM_TABLE_NO_TIME ? c.first_created : 0;
        *last = c.last_created != CM_TABLE_NO_TIME ? c.last_created : 0;
        for (size_t k = 0; k < spec.nkeys; k++) {
            uint32_t n = 0;
            while (cm_table_report_label(rep, k, n) != NULL)
                n++;
            labels[k] = n;
        }
    }
    cm_table_report_free(rep);
    cm_csv_reader_free(reader);
    return ok;
}

/* ---- main ----------------------------------------------------------------------------- */

static void print_bad_rows(const cm_table_report *rep, bool columnar)
{
    cm_table_bad_row bad[BAD_ROWS_SHOWN];
    uint64_t nbad = 0;
    size_t n = 0;
    if (cm_table_report_rows(rep, NULL, &nbad, bad, BAD_ROWS_SHOWN, &n) != CM_OK)
        return;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(bad[i].column, "(line)") == 0)
            fprintf(stderr, "%s: %s: line %llu: expected %s\n", program, input_path,
                    (unsigned long long)bad[i].row, bad[i].expected);
        else
            fprintf(stderr, "%s: %s: %s %llu: column %s: value \"%s\": expected %s\n", program,
                    input_path, columnar ? "row" : "line", (unsigned long long)bad[i].row,
                    bad[i].column, bad[i].value, bad[i].expected);
    }
    if (nbad > n)
        fprintf(stderr, "%s: %llu more bad rows are counted but not shown\n", program,
                (unsigned long long)(nbad - n));
}

int main(int argc, char **argv)
{
    options opt = {.confidence = CM_DEFAULT_CONFIDENCE,
                   .short_abandon = 5.0,
                   .progress = -1,
                   .as_of = CM_TABLE_NO_TIME};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return usage(stdout);
    }
    if (!parse_options(argc, argv, &opt)) {
        fprintf(stderr, "%s: --help lists the options\n", program);
        return 2;
    }
    if (opt.path == NULL)
        opt.path = default_sample();
    static report_rules rules;
    if (!report_rules_load(&rules, opt.calendar_file, opt.policy_file)) {
        fprintf(stderr, "%s: %s\n", program, rules.problem);
        report_rules_free(&rules);
        return 1;
    }
    opt.rules = &rules;

    input in;
    const char *why = NULL;
    if (open_input(opt.path, &in, &why) != 0) {
        fprintf(stderr, "%s: %s: %s\n", program, opt.path, why);
        return 1;
    }
    int rc = 1;
    const bool columnar = in.size >= 8 && memcmp(in.data, TC_MAGIC, 8) == 0;
    tc_table table;
    extra_sections *sections = NULL;
    cm_csv_map *map = NULL;
    cm_tz *tz = NULL;
    char *mapping = NULL;
    size_t body = 0;
    uint64_t units = 0, rows = 0;
    static worker w[MAX_THREADS];
    unsigned n = 1;
    plan pl;
    memset(&pl, 0, sizeof pl);
    if (cm_table_spec_init(&pl.spec) != CM_OK)
        goto out;
    if (columnar) {
        const char *error;
        if (tc_open((const uint8_t *)in.data, in.size, &table, &error) != 0) {
            fprintf(stderr, "%s: %s: %s\n", program, opt.path, error);
            goto out;
        }
        columnar_keys(&pl.spec);
        units = rows = table.rows;
        for (size_t i = 0; i < opt.nby; i++) {
            if (key_index(&pl.spec, opt.by[i]) < 0) {
                fprintf(stderr, "%s: --by %s: a columnar file has the keys channel and priority\n",
                        program, opt.by[i]);
                goto out;
            }
        }
    } else {
        if (in.size == 0) {
            fprintf(stderr, "%s: %s: no header line (the file is empty)\n", program, opt.path);
            goto out;
        }
        mapping = mapping_text(&opt, &why);
        if (mapping == NULL) {
            fprintf(stderr, "%s: %s: %s\n", program, opt.columns != NULL ? opt.columns : opt.preset,
                    why);
            goto out;
        }
        cm_parse_error err = {0, 0, NULL};
        const cm_status st = cm_csv_map_parse(mapping, NULL, &map, &err);
        if (st != CM_OK) {
            fprintf(stderr, "%s: %s:%u:%u: %s\n", program,
                    opt.columns != NULL ? opt.columns : "preset", err.line, err.column,
                    st == CM_EPARSE ? err.message : cm_strerror(st));
            goto out;
        }
        if (opt.input_tz != NULL && cm_tz_load(opt.input_tz, &tz) != CM_OK) {
            fprintf(stderr, "%s: --input-tz: unknown time zone \"%s\"\n", program, opt.input_tz);
            goto out;
        }
        const size_t hlen = header_end(&in, &body);
        /* --by names that are not the map's keys are further columns of the file. */
        const char *extra[BY_MAX];
        size_t nextra = 0;
        for (size_t i = 0; i < opt.nby; i++) {
            if (strcmp(opt.by[i], "channel") != 0 && strcmp(opt.by[i], "priority") != 0)
                extra[nextra++] = opt.by[i];
        }
        n = thread_count(&opt, in.size);
        for (unsigned i = 0; i < n; i++) {
            const cm_status rs =
                cm_csv_reader_new(map, in.data, hlen, tz, extra, nextra, NULL, &w[i].reader, &err);
            if (rs != CM_OK) {
                header_problem(&opt, mapping, extra, &err, rs);
                fprintf(stderr, "%s: the header is: %.*s\n", program,
                        (int)(hlen < 300 ? hlen : 300), in.data);
                goto out;
            }
        }
        if (cm_csv_reader_spec(w[0].reader, &pl.spec) != CM_OK)
            goto out;
        units = in.size - body;
        rows = count_lines(in.data + body, in.data + in.size);
    }
    if (columnar)
        n = thread_count(&opt, in.size);
    /* The span of creation instants and the keys' labels, to size time-bucketed groups. */
    uint32_t labels[CM_TABLE_MAX_KEYS] = {0};
    cm_time first = 0, last = 0;
    if (opt.by_bucket != CM_TABLE_BUCKET_NONE) {
        const char *extra[BY_MAX];
        size_t nextra = 0;
        for (size_t i = 0; i < opt.nby; i++) {
            if (strcmp(opt.by[i], "channel") != 0 && strcmp(opt.by[i], "priority") != 0)
                extra[nextra++] = opt.by[i];
        }
        if (!survey_input(&opt, &in, body, columnar ? &table : NULL, map, tz, extra, nextra, &first,
                          &last, labels)) {
            fprintf(stderr, "%s: %s: out of memory\n", program, opt.path);
            goto out;
        }
    } else {
        for (size_t k = 0; k < pl.spec.nkeys; k++)
            labels[k] = pl.spec.keys[k].cardinality;
    }
    if (!make_plan(&pl, &opt, &rules, rows, labels, first, last))
        goto out;
    /* One report per worker, all memory taken now: folding allocates and faults nothing. */
    const char *split = in.data + body;
    uint64_t line = 2;
    for (unsigned i = 0; i < n; i++) {
        worker *wk = &w[i];
        wk->table = &table;
        wk->handle = !opt.kpis_only;
        wk->row_begin = rows * i / n;
        wk->row_end = rows * (i + 1) / n;
        if (!columnar) {
            const size_t from = (size_t)(split - (in.data + body));
            size_t at = (size_t)(in.size - body) * (i + 1) / n;
            at = at < from ? from : at;
            if (i + 1 < n &&
                cm_csv_split_point(in.data + body, in.size - body, from, at, &at) == CM_OK)
                wk->end = in.data + body + at;
            else
                wk->end = in.data + in.size;
            wk->begin = split;
            if (wk->end < wk->begin)
                wk->end = wk->begin;
            wk->first_line = line;
            const uint64_t lines = count_lines(wk->begin, wk->end);
            line += lines;
            split = wk->end;
            wk->row_begin = 0;
            wk->row_end = lines;
        }
        cm_table_spec spec = pl.spec;
        if (opt.exact_quantiles) /* worker 0 receives the others' rows when merging */
            spec.row_capacity =
                i == 0 ? (rows > 0 ? rows : 1)
                       : (wk->row_end > wk->row_begin ? wk->row_end - wk->row_begin : 1);
        const cm_status st = cm_table_report_new(&spec, NULL, &wk->rep);
        if (st != CM_OK) {
            fprintf(stderr, "%s: the report: %s\n", program, cm_strerror(st));
            goto out;
        }
    }
    progress.on = opt.progress == 1 || (opt.progress == -1 && isatty(STDERR_FILENO) &&
                                        in.size >= SMALL_INPUT && opt.format == FORMAT_TEXT);
    progress.total = units;
    opt.threads = n;

    /* The optional sections, outside the timed span (they are not the engine's work). */
    if (extra_wanted(&opt)) {
        sections = extra_compute(&opt, in.data, in.size, columnar);
        if (sections == NULL)
            goto out;
        pl.view.extra = sections;
    }
    const long faults0 = minor_faults();
    const double t0 = clock_seconds(CLOCK_MONOTONIC);
    const double cpu0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    run_workers(w, n, columnar ? run_columns : run_csv);
    cm_status st = CM_OK;
    for (unsigned i = 0; i < n && st == CM_OK; i++)
        st = w[i].status;
    for (unsigned i = 1; i < n && st == CM_OK; i++)
        st = cm_table_report_merge(w[0].rep, w[i].rep);
    if (st == CM_OK)
        st = cm_table_report_finish(w[0].rep);
    pl.view.compute_seconds = clock_seconds(CLOCK_MONOTONIC) - t0;
    pl.view.compute_cpu_seconds = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    pl.view.compute_minor_faults = minor_faults() - faults0;
    if (progress.on)
        fprintf(stderr, "\r%40s\r", "");
    if (st != CM_OK) {
        fprintf(stderr, "%s: %s: %s\n", program, opt.path,
                st == CM_ENOSPC ? "more groups than the report has room for" : cm_strerror(st));
        goto out;
    }
    print_bad_rows(w[0].rep, columnar);
    uint64_t bad = 0;
    if (cm_table_report_rows(w[0].rep, NULL, &bad, NULL, 0, NULL) != CM_OK)
        goto out;
    if (opt.strict && bad > 0)
        goto out;
    pl.view.rep = w[0].rep;
    pl.view.opt = &opt;
    if (opt.format == FORMAT_JSON)
        print_json(&pl.view);
    else if (opt.format == FORMAT_CSV)
        print_csv(&pl.view);
    else
        print_text(&pl.view);
    rc = fflush(stdout) == 0 ? 0 : 1;
out:
    extra_free(sections);
    for (unsigned i = 0; i < MAX_THREADS; i++) {
        cm_table_report_free(w[i].rep);
        cm_csv_reader_free(w[i].reader);
    }
    cm_csv_map_free(map);
    cm_tz_free(tz);
    free(mapping);
    close_input(&in);
    report_rules_free(&rules);
    return rc;
}
