/*
 * bench-backlog: folding a ticket history into daily backlog snapshots,
 * against the direct way (for every snapshot, test every ticket), in the same
 * run; in calendar time and in business time.
 *
 *   bench-backlog [N]   (default 1,000,000 tickets over 90 days, 4 groups, 31 daily
 *                        snapshots over the last month, ages in 4 buckets)
 *
 * Measured: tickets per second of cm_backlog_add_many (with and without the age
 * sketches) against the direct loop computing the same open counts and age sums;
 * in business time, against the direct loop calling cm_calendar_elapsed for every
 * open (ticket, snapshot) pair. Both sides have their memory before the clock
 * starts, and their open counts and age sums are compared afterwards.
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <caremetrics/backlog.h>
#include <caremetrics/calendar.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-common.h"

#define SNAPS  31
#define GROUPS 4
#define DAY    86400

/* The direct way: every snapshot against every ticket; open counts and age sums. */
static void direct(const cm_time *snaps, const uint32_t *g, const cm_time *created,
                   const cm_time *solved, size_t n, const cm_calendar *cal, uint64_t *open,
                   double *age_sum)
{
    for (size_t j = 0; j < SNAPS; j++) {
        for (size_t i = 0; i < n; i++) {
            if (created[i] <= snaps[j] && snaps[j] < solved[i]) {
                int64_t age = snaps[j] - created[i];
                if (cal != NULL && cm_calendar_elapsed(cal, created[i], snaps[j], &age) != CM_OK)
                    exit(1);
                open[g[i] * SNAPS + j]++;
                age_sum[g[i] * SNAPS + j] += (double)age;
            }
        }
    }
}

static int compare(const cm_backlog *b, const uint64_t *open, const double *age_sum)
{
    for (uint32_t g = 0; g < GROUPS; g++) {
        for (size_t j = 0; j < SNAPS; j++) {
            cm_backlog_point p;
            BENCH_CHECK(cm_backlog_snapshot(b, g, j, &p));
            const double want = age_sum[g * SNAPS + j];
            if (p.open != open[g * SNAPS + j] ||
                fabs(p.age_mean * (double)p.open - want) > 1e-9 * fmax(1.0, want)) {
                fprintf(stderr, "bench-backlog: group %u snapshot %zu differs\n", g, j);
                return 1;
            }
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    const size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
    uint32_t *g = malloc(n * sizeof *g);
    cm_time *created = malloc(n * sizeof *created), *solved = malloc(n * sizeof *solved);
    uint64_t *open = calloc(GROUPS * SNAPS, sizeof *open);
    double *age_sum = calloc(GROUPS * SNAPS, sizeof *age_sum);
    if (g == NULL || created == NULL || solved == NULL || open == NULL || age_sum == NULL)
        return 1;
    /* 90 days of tickets from 2025-01-01; lognormal time to solve (median 20 h), 5 % open. */
    const cm_time start = 1735689600;
    uint64_t seed = 2025;
    for (size_t i = 0; i < n; i++) {
        g[i] = (uint32_t)(bench_next(&seed) % GROUPS);
        created[i] = start + (cm_time)(bench_unit(&seed) * 90 * DAY);
        const double u1 = 1.0 - bench_unit(&seed), u2 = bench_unit(&seed);
        const double z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
        solved[i] = bench_unit(&seed) < 0.05
                        ? CM_BACKLOG_OPEN
                        : created[i] + (cm_time)fmin(72000.0 * exp(1.2 * z), 1e8);
    }
    cm_time snaps[SNAPS];
    for (size_t j = 0; j < SNAPS; j++)
        snaps[j] = start + (cm_time)(60 + j) * DAY;
    const int64_t bounds[] = {DAY, 3 * DAY, 7 * DAY};
    cm_calendar *cal;
    BENCH_CHECK(cm_calendar_parse("tz America/New_York\nmon-fri 09:00-17:00\n", &cal, NULL));
    printf("backlog: %zu tickets over 90 days, %d groups, %d daily snapshots, 4 buckets\n", n,
           GROUPS, SNAPS);

    for (int mode = 0; mode < 3; mode++) {
        const cm_calendar *c = mode == 2 ? cal : NULL;
        const uint32_t flags = mode == 1 ? CM_BACKLOG_NO_SKETCH : 0;
        const cm_backlog_config cfg = {snaps, SNAPS, bounds, 3, GROUPS, flags, c};
        cm_backlog *b;
        BENCH_CHECK(cm_backlog_new(&cfg, NULL, &b));
        memset(open, 0, GROUPS * SNAPS * sizeof *open);
        memset(age_sum, 0, GROUPS * SNAPS * sizeof *age_sum);
        double t0 = bench_now();
        BENCH_CHECK(cm_backlog_add_many(b, g, created, solved, n));
        const double t_fold = bench_now() - t0;
        t0 = bench_now();
        direct(snaps, g, created, solved, n, c, open, age_sum);
        const double t_direct = bench_now() - t0;
        if (compare(b, open, age_sum) != 0)
            return 1;
        static const char *const names[] = {
            "calendar time, sketches", "calendar time, buckets only", "business time, sketches"};
        printf("  %-28s cm_backlog_add_many %8.2f M tickets/s   direct loop %8.2f M/s   "
               "ratio %.1fx\n",
               names[mode], (double)n / t_fold / 1e6, (double)n / t_direct / 1e6,
               t_direct / t_fold);
        cm_backlog_free(b);
    }
    cm_calendar_free(cal);
    free(g);
    free(created);
    free(solved);
    free(open);
    free(age_sum);
    return 0;
}
