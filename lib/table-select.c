/*
 * Exact quantiles of the durations a report keeps (CM_TABLE_QUANTILES_EXACT).
 *
 * Durations are whole seconds below 2^30, kept as uint32 per ticket with the
 * ticket's slot in every grouping. For each grouping the values are first
 * gathered group by group (a counting sort by slot into scratch memory);
 * the whole-history grouping reads them in place. Then, per group:
 *
 * - a few thousand values or fewer are sorted (heap sort, in place);
 * - more are selected by radix: a histogram of the upper 16 bits finds the
 *   bucket of every rank needed, and one more pass per distinct bucket, with
 *   a histogram of the lower 16 bits, finds the value of each rank in it.
 *
 * The ranks and the interpolation are numpy's "linear" method, the same as
 * cm_quantile_exact(), so both give the same doubles bit for bit.
 * SPDX-License-Identifier: MIT
 */
#include "table-internal.h"

#include <string.h>

#include "quantile-internal.h"

#define SORT_MAX 4096
#define BUCKETS  65536

static void sift(uint32_t *a, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && a[child] < a[child + 1])
            child++;
        if (a[root] >= a[child])
            return;
        const uint32_t t = a[root];
        a[root] = a[child];
        a[child] = t;
        root = child;
    }
}

static void heap_sort(uint32_t *a, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift(a, i, n);
    for (size_t end = n; end-- > 1;) {
        const uint32_t t = a[0];
        a[0] = a[end];
        a[end] = t;
        sift(a, 0, end);
    }
}

/* The ranks numpy's linear method reads for each probability. */
typedef struct wanted {
    uint64_t rank[2 * CM_TABLE_MAX_QUANTILES];
    uint32_t value[2 * CM_TABLE_MAX_QUANTILES];
    size_t n;
} wanted;

static void wanted_ranks(const cm_table_report *r, uint64_t n, wanted *w)
{
    w->n = 0;
    for (size_t i = 0; i < r->nquantiles; i++) {
        const cm__qpos p = cm__quantile_position(n, r->quantiles[i]);
        w->rank[w->n++] = p.k;
        w->rank[w->n++] = p.last ? p.k : p.k + 1;
    }
}

static void write_quantiles(const cm_table_report *r, uint64_t n, const wanted *w, double *out)
{
    for (size_t i = 0; i < r->nquantiles; i++) {
        const cm__qpos p = cm__quantile_position(n, r->quantiles[i]);
        const double a = (double)w->value[2 * i];
        out[i] = p.last ? a : cm__lerp(a, (double)w->value[2 * i + 1], p.g);
    }
}

/*
 * Values of the wanted ranks among the n present values of xs[0..len) (entries equal
 * to TBL_NO_VALUE are absent): two histogram passes and one more per distinct upper
 * bucket. `hist` has 2 * BUCKETS counters.
 */
static void radix_ranks(const uint32_t *xs, size_t len, wanted *w, uint64_t *hist)
{
    uint64_t *hi = hist, *lo = hist + BUCKETS;
    memset(hi, 0, BUCKETS * sizeof *hi);
    uint64_t absent = 0;
    for (size_t i = 0; i < len; i++) {
        hi[xs[i] >> 16]++;
        absent += xs[i] == TBL_NO_VALUE;
    }
    hi[TBL_NO_VALUE >> 16] -= absent; /* durations never reach the last bucket */
    /* Bucket and rank within the bucket of each wanted rank. */
    uint32_t bucket[2 * CM_TABLE_MAX_QUANTILES];
    uint64_t within[2 * CM_TABLE_MAX_QUANTILES];
    for (size_t j = 0; j < w->n; j++) {
        uint64_t seen = 0;
        uint32_t b = 0;
        while (seen + hi[b] <= w->rank[j])
            seen += hi[b++];
        bucket[j] = b;
        within[j] = w->rank[j] - seen;
    }
    bool done[2 * CM_TABLE_MAX_QUANTILES] = {false};
    for (size_t j = 0; j < w->n; j++) {
        if (done[j])
            continue;
        const uint32_t b = bucket[j];
        memset(lo, 0, BUCKETS * sizeof *lo);
        for (size_t i = 0; i < len; i++) {
            const uint32_t v = xs[i];
            if (v >> 16 == b && v != TBL_NO_VALUE)
                lo[v & 0xffffu]++;
        }
        for (size_t k = j; k < w->n; k++) {
            if (done[k] || bucket[k] != b)
                continue;
            uint64_t seen = 0;
            uint32_t v = 0;
            while (seen + lo[v] <= within[k])
                seen += lo[v++];
            w->value[k] = (b << 16) | v;
            done[k] = true;
        }
    }
}

/* Quantiles of the n values xs[0..n) (all present), which may be reordered. */
static void group_quantiles(cm_table_report *r, uint32_t *xs, size_t n, double *out)
{
    wanted w;
    wanted_ranks(r, n, &w);
    if (n <= SORT_MAX) {
        heap_sort(xs, n);
        for (size_t j = 0; j < w.n; j++)
            w.value[j] = xs[w.rank[j]];
    } else {
        radix_ranks(xs, n, &w, r->select_counts);
    }
    write_quantiles(r, n, &w, out);
}

static double *results_of(cm_table_report *r, size_t slot, size_t metric)
{
    return r->results + (slot * CM_TABLE_DURATION_COUNT + metric) * CM_TABLE_MAX_QUANTILES;
}

void cm__table_select(cm_table_report *r)
{
    const size_t kept = (size_t)r->kept;
    uint64_t *start = r->select_counts + 2 * BUCKETS; /* ngroups + 1 counters */
    for (size_t j = 0; j < r->nkept; j++) {
        const uint32_t m = r->kept_metrics[j];
        const uint32_t *vals = r->kept_value[j];
        for (size_t gi = 0; gi < r->ngroupings; gi++) {
            const tbl_grouping *g = &r->groupings[gi];
            if (!g->hashed && g->combos == 1) {
                const uint64_t n = r->acc[g->base].dur[m].n;
                if (n == 0)
                    continue;
                wanted w;
                wanted_ranks(r, n, &w);
                if (n <= SORT_MAX) {
                    size_t k = 0;
                    for (size_t i = 0; i < kept; i++) {
                        r->select_scratch[k] = vals[i];
                        k += vals[i] != TBL_NO_VALUE;
                    }
                    group_quantiles(r, r->select_scratch, k, results_of(r, g->base, m));
                } else {
                    radix_ranks(vals, kept, &w, r->select_counts);
                    write_quantiles(r, n, &w, results_of(r, g->base, m));
                }
                continue;
            }
            /* Gather the values group by group. */
            const size_t slots = g->capacity;
            const uint32_t *slot = r->kept_slot[gi];
            memset(start, 0, (slots + 1) * sizeof *start);
            for (size_t i = 0; i < kept; i++)
                start[slot[i] - g->base + 1] += vals[i] != TBL_NO_VALUE;
            for (size_t s = 0; s < slots; s++)
                start[s + 1] += start[s];
            for (size_t i = 0; i < kept; i++) {
                if (vals[i] != TBL_NO_VALUE)
                    r->select_scratch[start[slot[i] - g->base]++] = vals[i];
            }
            /* start[s] is now the end of group s, the start of group s + 1. */
            size_t begin = 0;
            for (size_t s = 0; s < slots; s++) {
                const size_t end = (size_t)start[s];
                if (end > begin)
                    group_quantiles(r, r->select_scratch + begin, end - begin,
                                    results_of(r, g->base + s, m));
                begin = end;
            }
        }
    }
}
