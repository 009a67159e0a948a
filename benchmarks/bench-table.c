/*
 * Benchmark of the ticket-table engine: tickets per second folded into a
 * report, for the headline KPIs and for the full report (per channel and
 * priority, sketches, staffing counters, SLA attainment), on one and two
 * threads, next to a baseline measured in the same run: the same headline
 * KPIs from one library call per KPI over whole columns (compacting each
 * KPI's inputs first), what a program would do without the engine.
 *
 *   meson test -C build-rel --benchmark -v table      (2,000,000 tickets)
 *   bench-table [TICKETS]
 *
 * Everything that allocates or first touches memory (the tickets, the
 * reports, the baseline's arrays) is done before the clocks start; the
 * minor page faults of each timed span are printed (getrusage).
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <caremetrics.h>

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define REPEATS 5

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long faults(void)
{
    struct rusage u;
    return getrusage(RUSAGE_SELF, &u) == 0 ? u.ru_minflt : 0;
}

static uint64_t rng_state = 20261205;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static double rng_unit(void)
{
    return (double)(rng_next() >> 11) * 0x1.0p-53;
}

/* A lognormal duration in seconds with the given median. */
static int64_t lognormal(double median, double sigma)
{
    const double u1 = rng_unit() + 1e-12, u2 = rng_unit();
    const double z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
    return (int64_t)(median * exp(sigma * z));
}

typedef struct tickets {
    size_t n;
    cm_time *created, *reply, *solved;
    uint32_t *contacts;
    uint8_t *reopened, *escalated, *abandoned, *csat, *nps, *ces, *channel, *priority;
    double *wait, *handle;
} tickets;

static void *touch(size_t bytes)
{
    void *p = malloc(bytes);
    if (p == NULL) {
        fputs("bench-table: out of memory\n", stderr);
        exit(1);
    }
    memset(p, 0, bytes);
    return p;
}

static void generate(tickets *t, size_t n)
{
    t->n = n;
    t->created = touch(n * sizeof(cm_time));
    t->reply = touch(n * sizeof(cm_time));
    t->solved = touch(n * sizeof(cm_time));
    t->contacts = touch(n * sizeof(uint32_t));
    t->reopened = touch(n);
    t->escalated = touch(n);
    t->abandoned = touch(n);
    t->csat = touch(n);
    t->nps = touch(n);
    t->ces = touch(n);
    t->channel = touch(n);
    t->priority = touch(n);
    t->wait = touch(n * sizeof(double));
    t->handle = touch(n * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        const cm_time c = 1704067200 + (cm_time)(rng_next() % (730ull * 86400)); /* 2024-2025 */
        const uint8_t ch = (uint8_t)(rng_next() % 5);
        const bool realtime = ch < 2;
        t->created[i] = c;
        t->channel[i] = ch;
        t->priority[i] = (uint8_t)(rng_next() % 5);
        t->abandoned[i] = realtime && rng_next() % 14 == 0;
        t->wait[i] = realtime ? (double)lognormal(40, 1.0) : (double)NAN;
        const bool ticket = !t->abandoned[i];
        t->reply[i] = ticket && rng_next() % 30 != 0 ? c + lognormal(realtime ? 40 : 1800, 1.5)
                                                     : CM_TABLE_NO_TIME;
        t->solved[i] = ticket && rng_next() % 12 != 0 ? c + lognormal(realtime ? 1800 : 20000, 1.6)
                                                      : CM_TABLE_NO_TIME;
        t->contacts[i] = 1 + (uint32_t)(rng_next() % 4 == 0);
        t->reopened[i] = ticket && rng_next() % 19 == 0;
        t->escalated[i] = ticket && rng_next() % 10 == 0;
        t->csat[i] = ticket && rng_next() % 4 == 0 ? (uint8_t)(1 + rng_next() % 5) : CM_SCORE_NONE;
        t->nps[i] = ticket && rng_next() % 7 == 0 ? (uint8_t)(rng_next() % 11) : CM_SCORE_NONE;
        t->ces[i] = ticket && rng_next() % 10 == 0 ? (uint8_t)(1 + rng_next() % 7) : CM_SCORE_NONE;
        t->handle[i] = ticket && rng_next() % 8 != 0 ? (double)lognormal(400, 0.6) : (double)NAN;
    }
}

static const char *const channels[] = {"phone", "chat", "email", "social", "messaging"};
static const char *const priorities[] = {"none", "low", "normal", "high", "urgent"};

typedef struct setup {
    cm_calendar *cal;
    cm_sla_policy *policy;
    cm_table_key keys[2];
    cm_table_grouping groupings[4];
    cm_table_spec spec;
} setup;

static void make_setup(setup *s, bool full, size_t rows)
{
    cm_parse_error err;
    if (cm_calendar_parse("tz America/New_York\nmon-fri 09:00-17:00\n2024-07-04 closed\n"
                          "2024-12-25 closed\n2025-07-04 closed\n2025-12-25 closed\n",
                          &s->cal, &err) != CM_OK ||
        cm_sla_policy_parse("first-reply urgent 15m calendar\nfirst-reply high 1h calendar\n"
                            "first-reply normal 4h business\nfirst-reply low 8h business\n"
                            "total-resolution * 24h business\n",
                            &s->policy, &err) != CM_OK) {
        fputs("bench-table: calendar or policy\n", stderr);
        exit(1);
    }
    s->keys[0] = (cm_table_key){"channel", 5, 1, 0, channels};
    s->keys[1] = (cm_table_key){"priority", 5, 1, 0, priorities};
    s->groupings[0] = (cm_table_grouping){0, CM_TABLE_BUCKET_NONE, 0, 0};
    s->groupings[1] = (cm_table_grouping){1, CM_TABLE_BUCKET_NONE, 0, 0};
    s->groupings[2] = (cm_table_grouping){2, CM_TABLE_BUCKET_NONE, 0, 0};
    s->groupings[3] = (cm_table_grouping){0, CM_TABLE_BUCKET_TIME_OF_DAY, 60, 24};
    if (cm_table_spec_init(&s->spec) != CM_OK)
        exit(1);
    s->spec.keys = s->keys;
    s->spec.nkeys = 2;
    s->spec.groupings = s->groupings;
    s->spec.ngroupings = full ? 4 : 1;
    s->spec.calendar = s->cal;
    s->spec.policy = s->policy;
    s->spec.priority_key = 1;
    s->spec.quantile_mode = CM_TABLE_QUANTILES_EXACT;
    s->spec.row_capacity = rows;
    if (full) {
        s->spec.flags |= CM_TABLE_SLA_ATTAINMENT;
    } else {
        /* The headline KPIs: first reply in calendar and business time, its exact quantiles. */
        s->spec.flags = 0;
        s->spec.duration_metrics =
            (1u << CM_TABLE_FIRST_REPLY) | (1u << CM_TABLE_FIRST_REPLY_BUSINESS);
        s->spec.quantile_metrics = 1u << CM_TABLE_FIRST_REPLY;
    }
}

static void free_setup(setup *s)
{
    cm_calendar_free(s->cal);
    cm_sla_policy_free(s->policy);
}

/* ---- the engine ------------------------------------------------------------------------ */

typedef struct job {
    cm_table_report *rep;
    const tickets *t;
    size_t begin, end;
    bool full;
    cm_status st;
    pthread_t thread;
} job;

static void *fold(void *arg)
{
    job *j = arg;
    const tickets *t = j->t;
    j->st = CM_OK;
    for (size_t r = j->begin; r < j->end && j->st == CM_OK; r += 65536) {
        const size_t n = j->end - r < 65536 ? j->end - r : 65536;
        const void *keys[2] = {t->channel + r, t->priority + r};
        cm_table_columns c;
        j->st = cm_table_columns_init(&c);
        c.rows = n;
        c.created = t->created + r;
        c.first_reply = t->reply + r;
        c.solved = t->solved + r;
        c.contacts = t->contacts + r;
        c.reopened = t->reopened + r;
        c.escalated = t->escalated + r;
        c.abandoned = t->abandoned + r;
        c.csat = t->csat + r;
        c.nps = t->nps + r;
        c.ces = t->ces + r;
        c.wait_seconds = t->wait + r;
        c.handle_seconds = j->full ? t->handle + r : NULL;
        c.keys = keys;
        if (j->st == CM_OK)
            j->st = cm_table_report_add(j->rep, &c);
    }
    return NULL;
}

/* One timed run with `threads` reports folding a share each, merged and finished.
 * Returns seconds; *fault_count gets the minor faults of the span. */
static double run_engine(const tickets *t, job *jobs, unsigned threads, long *fault_count)
{
    for (unsigned i = 0; i < threads; i++) {
        if (cm_table_report_reset(jobs[i].rep) != CM_OK)
            exit(1);
    }
    const long f0 = faults();
    const double t0 = now();
    for (unsigned i = 1; i < threads; i++)
        pthread_create(&jobs[i].thread, NULL, fold, &jobs[i]);
    fold(&jobs[0]);
    for (unsigned i = 1; i < threads; i++)
        pthread_join(jobs[i].thread, NULL);
    cm_status st = CM_OK;
    for (unsigned i = 0; i < threads; i++)
        st = st == CM_OK ? jobs[i].st : st;
    for (unsigned i = 1; i < threads && st == CM_OK; i++)
        st = cm_table_report_merge(jobs[0].rep, jobs[i].rep);
    if (st == CM_OK)
        st = cm_table_report_finish(jobs[0].rep);
    const double dt = now() - t0;
    *fault_count = faults() - f0;
    if (st != CM_OK) {
        fprintf(stderr, "bench-table: %s\n", cm_strerror(st));
        exit(1);
    }
    (void)t;
    return dt;
}

/* ---- the baseline: one library call per KPI ---------------------------------------------------- */

typedef struct baseline {
    cm_time *from, *to;
    int64_t *business;
    double *reply, *scratch;
    uint8_t *csat, *nps, *ces;
    double *wait;
    uint8_t *lost;
} baseline;

static double run_baseline(const tickets *t, const setup *s, baseline *b, double *check)
{
    const double t0 = now();
    size_t nr = 0, nw = 0;
    for (size_t i = 0; i < t->n; i++) {
        const bool ticket = !t->abandoned[i];
        b->csat[i] = ticket ? t->csat[i] : CM_SCORE_NONE;
        b->nps[i] = ticket ? t->nps[i] : CM_SCORE_NONE;
        b->ces[i] = ticket ? t->ces[i] : CM_SCORE_NONE;
        if (ticket && t->reply[i] != CM_TABLE_NO_TIME) {
            b->from[nr] = t->created[i];
            b->to[nr] = t->reply[i];
            b->reply[nr] = (double)(t->reply[i] - t->created[i]);
            nr++;
        }
        if (t->wait[i] == t->wait[i] || t->abandoned[i]) {
            b->wait[nw] = t->wait[i] == t->wait[i] ? t->wait[i] : 0.0;
            b->lost[nw] = t->abandoned[i];
            nw++;
        }
    }
    cm_csat csat = {0};
    cm_nps nps = {{0}};
    cm_ces ces = {0};
    cm_sketch sk = {0};
    const double qs[3] = {0.5, 0.9, 0.99};
    double q[3];
    cm_proportion ab;
    bool ok = cm_csat_add_many(&csat, b->csat, t->n) == CM_OK &&
              cm_nps_add_many(&nps, b->nps, t->n) == CM_OK &&
              cm_ces_add_many(&ces, b->ces, t->n) == CM_OK &&
              cm_sketch_add_many(&sk, b->reply, nr) == CM_OK &&
              cm_calendar_elapsed_many(s->cal, b->from, b->to, nr, b->business) == CM_OK &&
              cm_quantiles_exact(b->reply, nr, qs, 3, b->scratch,
                                 cm_quantile_exact_scratch_size(nr), q) == CM_OK &&
              cm_abandonment_rate_many(b->wait, b->lost, nw, 5.0, 0.95, &ab) == CM_OK;
    int64_t total = 0;
    for (size_t i = 0; i < nr; i++)
        total += b->business[i];
    const double dt = now() - t0;
    if (!ok) {
        fputs("bench-table: baseline failed\n", stderr);
        exit(1);
    }
    *check = q[0] + (double)total;
    return dt;
}

int main(int argc, char **argv)
{
    const size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 2000000;
    if (n < 1000) {
        fputs("usage: bench-table [TICKETS >= 1000]\n", stderr);
        return 2;
    }
    tickets t;
    generate(&t, n);
    printf("bench-table: %zu tickets (2 years, 5 channels, 5 priorities), best of %d runs\n", n,
           REPEATS);

    baseline b = {touch(n * sizeof(cm_time)),
                  touch(n * sizeof(cm_time)),
                  touch(n * sizeof(int64_t)),
                  touch(n * sizeof(double)),
                  touch((cm_quantile_exact_scratch_size(n) + 1) * sizeof(double)),
                  touch(n),
                  touch(n),
                  touch(n),
                  touch(n * sizeof(double)),
                  touch(n)};
    setup kpis, full;
    make_setup(&kpis, false, n);
    make_setup(&full, true, n);
    double best_base = 1e9, check = 0;
    for (int r = 0; r < REPEATS; r++) {
        const double dt = run_baseline(&t, &kpis, &b, &check);
        best_base = dt < best_base ? dt : best_base;
    }

    static const struct {
        const char *name;
        bool full;
        unsigned threads;
    } runs[] = {{"headline KPIs, 1 thread", false, 1},
                {"headline KPIs, 2 threads", false, 2},
                {"full report, 1 thread", true, 1},
                {"full report, 2 threads", true, 2}};
    double best[4];
    for (size_t k = 0; k < 4; k++) {
        setup *s = runs[k].full ? &full : &kpis;
        job jobs[2];
        for (unsigned i = 0; i < runs[k].threads; i++) {
            cm_table_spec spec = s->spec;
            jobs[i].t = &t;
            jobs[i].full = runs[k].full;
            jobs[i].begin = n * i / runs[k].threads;
            jobs[i].end = n * (i + 1) / runs[k].threads;
            if (i > 0)
                spec.row_capacity = jobs[i].end - jobs[i].begin;
            if (cm_table_report_new(&spec, NULL, &jobs[i].rep) != CM_OK)
                return 1;
        }
        long worst_faults = 0;
        best[k] = 1e9;
        for (int r = 0; r < REPEATS; r++) {
            long f;
            const double dt = run_engine(&t, jobs, runs[k].threads, &f);
            best[k] = dt < best[k] ? dt : best[k];
            worst_faults = f > worst_faults ? f : worst_faults;
        }
        printf("  %-26s %8.4f s  %7.1f M tickets/s  minor faults in the timed span <= %ld\n",
               runs[k].name, best[k], (double)n / best[k] / 1e6, worst_faults);
        for (unsigned i = 0; i < runs[k].threads; i++)
            cm_table_report_free(jobs[i].rep);
    }
    printf("  %-26s %8.4f s  %7.1f M tickets/s  (one library call per KPI, check %.0f)\n",
           "baseline", best_base, (double)n / best_base / 1e6, check);
    printf("ratios: engine/baseline=%.2f two-threads/one=%.2f (headline), %.2f (full)\n",
           best_base / best[0], best[0] / best[1], best[2] / best[3]);
    free_setup(&kpis);
    free_setup(&full);
    return 0;
}
