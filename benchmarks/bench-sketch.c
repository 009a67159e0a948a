/*
 * bench-sketch: throughput of the response-time sketch against the naive way
 * to get percentiles (keep every value, sort, index), in the same run.
 *
 *   bench-sketch [N]     (default 2,000,000 lognormal response times)
 *
 * Measured: inserts per second (one at a time and as an array) against
 * storing + qsort; the cost of a quantile query; exact quantiles by
 * selection against qsort; the cost of merging two sketches against merging
 * two shards of raw values (concatenate + sort); serialized size.
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <caremetrics/sketch.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* splitmix64 and a lognormal with median 20 min, log-sigma 1.6: first-reply times. */
static uint64_t next_u64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static double unit(uint64_t *x)
{
    return (double)(next_u64(x) >> 11) * 0x1.0p-53;
}

static double response_time(uint64_t *x)
{
    const double u1 = 1.0 - unit(x), u2 = unit(x);
    const double z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
    return fmin(1200.0 * exp(1.6 * z), 1e8);
}

static int cmp_double(const void *pa, const void *pb)
{
    const double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* The naive percentile of a sorted array (nearest rank below h = (n-1) q, interpolated). */
static double sorted_quantile(const double *s, size_t n, double q)
{
    const double h = (double)(n - 1) * q;
    const size_t k = (size_t)h;
    return k + 1 < n ? s[k] + (h - (double)k) * (s[k + 1] - s[k]) : s[n - 1];
}

static volatile double sink;

#define CHECK(expr)                                                             \
    do {                                                                        \
        const cm_status st_ = (expr);                                           \
        if (st_ != CM_OK) {                                                     \
            fprintf(stderr, "bench-sketch: %s: %s\n", #expr, cm_strerror(st_)); \
            exit(1);                                                            \
        }                                                                       \
    } while (0)

int main(int argc, char **argv)
{
    const size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 2000000;
    if (n < 1000) {
        fprintf(stderr, "bench-sketch: N must be at least 1000\n");
        return 2;
    }
    double *xs = malloc(n * sizeof *xs), *copy = malloc(n * sizeof *xs);
    if (xs == NULL || copy == NULL)
        return 1;
    uint64_t seed = 2025;
    for (size_t i = 0; i < n; i++)
        xs[i] = response_time(&seed);
    const double qs[3] = {0.5, 0.9, 0.99};
    double v[3];
    printf("sketch: %zu lognormal response times (median 20 min), cm_sketch = %zu bytes\n", n,
           sizeof(cm_sketch));

    /* Inserts. */
    static cm_sketch s, t;
    CHECK(cm_sketch_init(&s));
    double t0 = now();
    for (size_t i = 0; i < n; i++)
        CHECK(cm_sketch_add(&s, xs[i]));
    const double t_add = now() - t0;
    /* Baseline: keep every value, sort, read the percentiles. */
    t0 = now();
    memcpy(copy, xs, n * sizeof *xs);
    qsort(copy, n, sizeof *copy, cmp_double);
    for (int j = 0; j < 3; j++)
        sink = sorted_quantile(copy, n, qs[j]);
    const double t_sort = now() - t0;
    /* Whole seconds in runs of 64, as the ticket-table engine feeds each
     * group's sketch from a tile of rows. */
    for (size_t i = 0; i < n; i++)
        copy[i] = floor(xs[i]);
    CHECK(cm_sketch_init(&t));
    t0 = now();
    for (size_t i = 0; i < n; i += 64)
        CHECK(cm_sketch_add_many(&t, copy + i, n - i < 64 ? n - i : 64));
    const double t_whole = now() - t0;
    CHECK(cm_sketch_init(&t));
    t0 = now();
    CHECK(cm_sketch_add_many(&t, xs, n));
    const double t_many = now() - t0;
    printf("  inserts     cm_sketch_add       %8.1f M/s\n", (double)n / t_add / 1e6);
    printf("              cm_sketch_add_many  %8.1f M/s\n", (double)n / t_many / 1e6);
    printf("              whole seconds, runs of 64 %5.1f M/s\n", (double)n / t_whole / 1e6);
    printf("              baseline store+qsort %7.1f M/s   ratio add %.1fx, add_many %.1fx\n",
           (double)n / t_sort / 1e6, t_sort / t_add, t_sort / t_many);

    /* Queries: p50, p90, p99 from the sketch. */
    const int reps = 2000;
    t0 = now();
    for (int r = 0; r < reps; r++) {
        CHECK(cm_sketch_quantiles(&s, qs, 3, v));
        sink = v[0];
    }
    const double t_query = (now() - t0) / reps;
    printf("  query       p50/p90/p99 from the sketch %8.2f us (%.0f / %.0f / %.0f s)\n",
           t_query * 1e6, v[0], v[1], v[2]);

    /* Exact quantiles: selection against a full sort. */
    double exact[3];
    t0 = now();
    CHECK(cm_quantiles_exact(xs, n, qs, 3, copy, n, exact));
    const double t_select = now() - t0;
    printf("  exact       cm_quantiles_exact  %8.1f ms   baseline qsort %8.1f ms   ratio %.1fx\n",
           t_select * 1e3, t_sort * 1e3, t_sort / t_select);
    double worst = 0.0;
    for (int j = 0; j < 3; j++)
        worst = fmax(worst, fabs(v[j] - exact[j]) / exact[j]);
    printf("              largest relative error of the sketch here: %.3f %% (bound %.3f %%)\n",
           100.0 * worst, 100.0 * CM_SKETCH_RELATIVE_ERROR);

    /* Merge: two sketches of half the data each, against concatenating two
     * shards of raw values and sorting them again. */
    static cm_sketch a, b, m;
    CHECK(cm_sketch_init(&a));
    CHECK(cm_sketch_init(&b));
    CHECK(cm_sketch_add_many(&a, xs, n / 2));
    CHECK(cm_sketch_add_many(&b, xs + n / 2, n - n / 2));
    const int merges = 20000;
    t0 = now();
    for (int r = 0; r < merges; r++) {
        m = a;
        CHECK(cm_sketch_merge(&m, &b));
    }
    const double t_merge = (now() - t0) / merges;
    t0 = now();
    memcpy(copy, xs, n * sizeof *xs);
    qsort(copy, n, sizeof *copy, cmp_double);
    const double t_raw_merge = now() - t0;
    printf("  merge       two sketches        %8.2f us   baseline concat+qsort %8.1f ms   "
           "ratio %.0fx\n",
           t_merge * 1e6, t_raw_merge * 1e3, t_raw_merge / t_merge);
    if (memcmp(&m, &s, sizeof s) != 0 || memcmp(&t, &s, sizeof s) != 0) {
        fprintf(stderr, "bench-sketch: merged or array-built sketch differs from single pass\n");
        return 1;
    }

    /* Serialized size against the raw values. */
    static uint8_t buf[CM_SKETCH_SERIALIZED_MAX];
    size_t w;
    const int sers = 20000;
    t0 = now();
    for (int r = 0; r < sers; r++)
        CHECK(cm_sketch_serialize(&s, buf, sizeof buf, &w));
    const double t_ser = (now() - t0) / sers;
    printf("  serialize   %zu bytes in %.2f us   raw values %zu bytes   ratio %.0fx smaller\n", w,
           t_ser * 1e6, n * sizeof(double), (double)(n * sizeof(double)) / (double)w);
    free(xs);
    free(copy);
    return 0;
}
