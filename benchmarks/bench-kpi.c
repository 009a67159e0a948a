/*
 * bench-kpi: throughput of the plain survey KPIs (CSAT, NPS, CES) over
 * columns of answers, against a hand-written single-pass loop in the same run.
 *
 *   bench-kpi [N]      (default 10,000,000 tickets)
 *
 * Answers are bytes, CM_SCORE_NONE where a ticket has no survey (the columnar
 * ticket layout's encoding), with realistic response rates.
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L
#include <caremetrics.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* Column of answers lo..hi answered by `percent` of the tickets. */
static uint8_t *column(size_t n, int lo, int hi, int percent, uint64_t seed)
{
    uint8_t *c = malloc(n);
    for (size_t i = 0; c != NULL && i < n; i++) {
        const uint64_t r = next(&seed);
        c[i] = (int)(r % 100) < percent ? (uint8_t)(lo + (int)((r >> 8) % (uint64_t)(hi - lo + 1)))
                                        : CM_SCORE_NONE;
    }
    return c;
}

typedef struct totals {
    uint64_t csat_sat, csat_n, promoters, detractors, nps_n, ces_sum, ces_n;
} totals;

/* The hand-written loop: one pass, counters only, no validation. */
static totals naive(const uint8_t *csat, const uint8_t *nps, const uint8_t *ces, size_t n)
{
    totals t = {0, 0, 0, 0, 0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        if (csat[i] != CM_SCORE_NONE) {
            t.csat_n++;
            t.csat_sat += csat[i] >= 4;
        }
        if (nps[i] != CM_SCORE_NONE) {
            t.nps_n++;
            t.promoters += nps[i] >= 9;
            t.detractors += nps[i] <= 6;
        }
        if (ces[i] != CM_SCORE_NONE) {
            t.ces_n++;
            t.ces_sum += ces[i];
        }
    }
    return t;
}

int main(int argc, char **argv)
{
    const size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 10000000u;
    uint8_t *csat = column(n, 1, 5, 25, 1), *nps = column(n, 0, 10, 15, 2),
            *ces = column(n, 1, 7, 10, 3);
    if (n == 0 || csat == NULL || nps == NULL || ces == NULL) {
        fprintf(stderr, "bench-kpi: out of memory or N = 0\n");
        return 1;
    }
    double best_naive = 1e9, best_lib = 1e9;
    totals t = {0, 0, 0, 0, 0, 0, 0};
    cm_csat_summary cs = {{0, 0, 0, 0, 0}, 0};
    cm_nps_summary ns = {0, 0, 0, 0, 0, 0, 0, 0};
    cm_ces_summary es;
    for (int round = 0; round < 5; round++) {
        double t0 = now();
        t = naive(csat, nps, ces, n);
        best_naive = now() - t0 < best_naive ? now() - t0 : best_naive;

        t0 = now();
        cm_csat a = {0};
        cm_nps b = {{0}};
        cm_ces c = {0};
        if (cm_csat_add_many(&a, csat, n) != CM_OK || cm_nps_add_many(&b, nps, n) != CM_OK ||
            cm_ces_add_many(&c, ces, n) != CM_OK || cm_csat_result(&a, 0.95, &cs) != CM_OK ||
            cm_nps_result(&b, 0.95, &ns) != CM_OK || cm_ces_result(&c, 0.95, &es) != CM_OK) {
            fprintf(stderr, "bench-kpi: library call failed\n");
            return 1;
        }
        best_lib = now() - t0 < best_lib ? now() - t0 : best_lib;
    }
    /* Same answers both ways, or the comparison means nothing. */
    if (cs.satisfied.num != t.csat_sat || cs.satisfied.den != t.csat_n ||
        ns.promoters != t.promoters || ns.detractors != t.detractors || ns.n != t.nps_n) {
        fprintf(stderr, "bench-kpi: the library and the loop disagree\n");
        return 1;
    }
    printf("plain survey KPIs (CSAT, NPS, CES with intervals) over %zu tickets, best of 5:\n", n);
    printf("  naive single-pass loop     %8.1f M tickets/s\n", (double)n / best_naive / 1e6);
    printf("  libcaremetrics _add_many   %8.1f M tickets/s\n", (double)n / best_lib / 1e6);
    printf("  ratio library / naive      %8.2f\n", best_naive / best_lib);
    free(csat);
    free(nps);
    free(ces);
    return 0;
}
