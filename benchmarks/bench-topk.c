/*
 * bench-topk: throughput of the contact-driver summary against exact counting
 * in a hash table holding every distinct key, in the same run.
 *
 *   bench-topk [N]     (default 4,000,000 drivers drawn from a Zipf-like law over
 *                       100,000 codes, as tags of tickets are)
 *
 * Measured: additions per second of codes (one at a time and as a column) and
 * of string tags, against the exact table (pre-sized, so neither side allocates
 * in the timed spans); the cost of a merge and of a serialization; memory; and
 * the largest error of the top-10 counts against the exact counts.
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <caremetrics/topk.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-common.h"

#define DISTINCT 100000u
#define TABLE    524288u /* slots of the exact table: a power of two, load below 0.2 */

/* The baseline: exact counts of every code in an open-addressing table. */
typedef struct exact {
    uint64_t *key, *count;
    size_t mask;
} exact;

static void exact_add(exact *e, uint64_t code)
{
    size_t i = (size_t)((code * 0x9E3779B97F4A7C15u) >> 20) & e->mask;
    while (e->count[i] != 0 && e->key[i] != code)
        i = (i + 1) & e->mask;
    e->key[i] = code;
    e->count[i]++;
}

static uint64_t exact_get(const exact *e, uint64_t code)
{
    size_t i = (size_t)((code * 0x9E3779B97F4A7C15u) >> 20) & e->mask;
    while (e->count[i] != 0 && e->key[i] != code)
        i = (i + 1) & e->mask;
    return e->count[i];
}

static volatile uint64_t sink;

int main(int argc, char **argv)
{
    const size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 4000000;
    if (n < 1000) {
        fprintf(stderr, "bench-topk: N must be at least 1000\n");
        return 2;
    }
    uint64_t *codes = malloc(n * sizeof *codes);
    char(*tags)[16] = malloc(n * sizeof *tags);
    const char **ptrs = malloc(n * sizeof *ptrs);
    exact e = {calloc(TABLE, 8), calloc(TABLE, 8), TABLE - 1};
    if (codes == NULL || tags == NULL || ptrs == NULL || e.key == NULL || e.count == NULL)
        return 1;
    /* Zipf-like: code = floor(DISTINCT * u^4): a few heavy drivers, a long tail. */
    uint64_t seed = 2025;
    for (size_t i = 0; i < n; i++) {
        const double u = (double)(bench_next(&seed) >> 11) * 0x1.0p-53;
        codes[i] = (uint64_t)(DISTINCT * u * u * u * u);
        snprintf(tags[i], sizeof tags[i], "drv-%" PRIu64, codes[i]);
        ptrs[i] = tags[i];
    }
    const uint32_t k = 1000;
    cm_topk *a, *b, *c, *s, *h1, *h2;
    BENCH_CHECK(cm_topk_new(CM_TOPK_CODES, k, 0, NULL, &a));
    BENCH_CHECK(cm_topk_new(CM_TOPK_CODES, k, 0, NULL, &b));
    BENCH_CHECK(cm_topk_new(CM_TOPK_STRINGS, k, 16, NULL, &s));
    BENCH_CHECK(cm_topk_new(CM_TOPK_CODES, k, 0, NULL, &h1));
    BENCH_CHECK(cm_topk_new(CM_TOPK_CODES, k, 0, NULL, &h2));
    BENCH_CHECK(cm_topk_new(CM_TOPK_CODES, k, 0, NULL, &c));
    printf("topk: %zu drivers over %u codes (Zipf-like), capacity %u\n", n, DISTINCT, k);

    double t0 = bench_now();
    for (size_t i = 0; i < n; i++)
        BENCH_CHECK(cm_topk_add_code(a, codes[i], 1));
    const double t_one = bench_now() - t0;
    t0 = bench_now();
    BENCH_CHECK(cm_topk_add_codes(b, codes, NULL, n));
    const double t_many = bench_now() - t0;
    t0 = bench_now();
    BENCH_CHECK(cm_topk_add_many(s, ptrs, NULL, NULL, n));
    const double t_str = bench_now() - t0;
    t0 = bench_now();
    for (size_t i = 0; i < n; i++)
        exact_add(&e, codes[i]);
    const double t_exact = bench_now() - t0;
    printf("  add codes   cm_topk_add_code    %8.1f M/s\n", (double)n / t_one / 1e6);
    printf("              cm_topk_add_codes   %8.1f M/s\n", (double)n / t_many / 1e6);
    printf("  add tags    cm_topk_add_many    %8.1f M/s (strings of 5-9 bytes)\n",
           (double)n / t_str / 1e6);
    printf("  baseline    exact hash table    %8.1f M/s   ratio add_codes/exact %.2fx\n",
           (double)n / t_exact / 1e6, t_exact / t_many);

    /* Accuracy of the top 10 against the exact counts. */
    cm_topk_entry top[10];
    size_t nt;
    cm_topk_summary info;
    BENCH_CHECK(cm_topk_result(b, top, 10, &nt));
    BENCH_CHECK(cm_topk_info(b, &info));
    uint64_t worst = 0;
    for (size_t i = 0; i < nt; i++) {
        const uint64_t f = exact_get(&e, top[i].code);
        if (f < top[i].count || f > top[i].upper) {
            fprintf(stderr, "bench-topk: bound violated for code %" PRIu64 "\n", top[i].code);
            return 1;
        }
        if (f - top[i].count > worst)
            worst = f - top[i].count;
    }
    printf("  accuracy    top-10 undercount at most %" PRIu64 " of %" PRIu64
           " (guaranteed <= %" PRIu64 ", N/(k+1) = %" PRIu64 ")\n",
           worst, top[nt - 1].count, info.error, (uint64_t)n / (k + 1));

    /* A larger summary on the same stream: the bound shrinks as N/(k+1). */
    cm_topk *big;
    BENCH_CHECK(cm_topk_new(CM_TOPK_CODES, 10 * k, 0, NULL, &big));
    t0 = bench_now();
    BENCH_CHECK(cm_topk_add_codes(big, codes, NULL, n));
    const double t_big = bench_now() - t0;
    BENCH_CHECK(cm_topk_result(big, top, 10, &nt));
    BENCH_CHECK(cm_topk_info(big, &info));
    worst = 0;
    for (size_t i = 0; i < nt; i++) {
        const uint64_t f = exact_get(&e, top[i].code);
        if (f < top[i].count || f > top[i].upper)
            return 1;
        if (f - top[i].count > worst)
            worst = f - top[i].count;
    }
    printf("  capacity %u: %8.1f M/s, top-10 undercount at most %" PRIu64 " of %" PRIu64
           " (guaranteed <= %" PRIu64 ")\n",
           10 * k, (double)n / t_big / 1e6, worst, top[nt - 1].count, info.error);
    cm_topk_free(big);

    /* Merge of two halves, and serialization. */
    BENCH_CHECK(cm_topk_add_codes(h1, codes, NULL, n / 2));
    BENCH_CHECK(cm_topk_add_codes(h2, codes + n / 2, NULL, n - n / 2));
    size_t need = 0, w;
    uint8_t probe[1];
    if (cm_topk_serialize(h2, probe, 0, &need) != CM_ENOSPC)
        return 1;
    uint8_t *buf = malloc(need);
    if (buf == NULL)
        return 1;
    const int reps = 200;
    double t_merge = 0.0, t_ser = 0.0;
    for (int r = 0; r < reps; r++) {
        BENCH_CHECK(cm_topk_clear(c));
        BENCH_CHECK(cm_topk_merge(c, h1));
        t0 = bench_now();
        BENCH_CHECK(cm_topk_merge(c, h2));
        t_merge += bench_now() - t0;
        t0 = bench_now();
        BENCH_CHECK(cm_topk_serialize(h2, buf, need, &w));
        t_ser += bench_now() - t0;
        sink = w;
    }
    printf("  merge       two summaries of %u %10.1f us\n", k, t_merge / reps * 1e6);
    printf("  serialize   %zu bytes in %.1f us (exact table: %zu bytes)\n", w, t_ser / reps * 1e6,
           (size_t)TABLE * 16);
    free(buf);
    free(codes);
    free(tags);
    free(ptrs);
    free(e.key);
    free(e.count);
    cm_topk_free(a);
    cm_topk_free(b);
    cm_topk_free(c);
    cm_topk_free(s);
    cm_topk_free(h1);
    cm_topk_free(h2);
    return 0;
}
