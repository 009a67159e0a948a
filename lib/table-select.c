/*
 * Exact quantiles of the durations a report keeps (CM_TABLE_QUANTILES_EXACT).
 *
 * Durations are whole seconds below 2^30, kept as uint32 per ticket with the
 * ticket's slot in every grouping. For each grouping the values are first
 * gathered group by group (a counting sort by slot into scratch memory);
 * the whole-history grouping reads them in place. Then, per group:
 *
 * - a few thousand values or fewer are sorted (heap sort, in place);
 * - more are selected by radix: a histogram of the 16 highest bits (of the
 *   largest value) finds the bucket of every rank needed, and one more pass,
 *   with a histogram of the lower bits of those buckets, the value of each.
 *
 * The ranks and the interpolation are numpy's "linear" method, the same as
 * cm_quantile_exact(), so both give the same doubles bit for bit.
 * SPDX-License-Identifier: MIT
 */
#include "table-core.h"

#include <string.h>

#include "quantile-internal.h"

#define BUCKETS 65536

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

/* The largest present value of xs[0..len), or 0 (a loop compilers vectorise). */
CM__VECTOR_CLONES static uint32_t present_max(const uint32_t *xs, size_t len)
{
    uint32_t m = 0;
    for (size_t i = 0; i < len; i++) {
        const uint32_t v = xs[i] != TBL_NO_VALUE ? xs[i] : 0;
        m = v > m ? v : m;
    }
    return m;
}

/*
 * Values of the wanted ranks among the present values of xs[0..len) (entries
 * equal to TBL_NO_VALUE are absent), the largest of which is `top`. The buckets are the values' upper bits
 * above the largest present value's 16 highest: one histogram pass finds the
 * bucket of every wanted rank (two interleaved histograms, so runs of equal
 * values do not wait on one counter), and one more pass, with a histogram of
 * the lower bits of each wanted bucket, the values (when the buckets are
 * narrower than single values, the first pass is enough). `counts` has
 * 2 * BUCKETS 64-bit words of scratch.
 */
static void radix_ranks(const uint32_t *xs, size_t len, uint32_t top, wanted *w, uint64_t *counts)
{
    unsigned bits = 0;
    while (bits < 32 && (top >> bits) != 0)
        bits++;
    const unsigned shift = bits > 16 ? bits - 16 : 0;
    const uint32_t nb = (top >> shift) + 1; /* buckets 0 .. nb - 1; nb collects the absent */
    uint32_t *h0 = (uint32_t *)(void *)counts, *h1 = h0 + BUCKETS + 1;
    uint8_t *slot_of = (uint8_t *)(h1 + BUCKETS + 1);
    memset(h0, 0, ((size_t)nb + 1) * sizeof *h0);
    memset(h1, 0, ((size_t)nb + 1) * sizeof *h1);
    size_t i = 0;
    for (; i + 1 < len; i += 2) {
        const uint32_t a = xs[i] >> shift, b = xs[i + 1] >> shift;
        h0[a < nb ? a : nb]++;
        h1[b < nb ? b : nb]++;
    }
    if (i < len) {
        const uint32_t a = xs[i] >> shift;
        h0[a < nb ? a : nb]++;
    }
    for (uint32_t b = 0; b < nb; b++)
        h0[b] += h1[b];
    /* Bucket and rank within the bucket of each wanted rank. */
    uint32_t bucket[2 * CM_TABLE_MAX_QUANTILES];
    uint64_t within[2 * CM_TABLE_MAX_QUANTILES];
    for (size_t j = 0; j < w->n; j++) {
        uint64_t seen = 0;
        uint32_t b = 0;
        while (b + 1 < nb && seen + h0[b] <= w->rank[j]) /* bounded even if n disagrees */
            seen += h0[b++];
        bucket[j] = b;
        within[j] = w->rank[j] - seen;
        w->value[j] = b << shift;
    }
    if (shift == 0)
        return; /* a bucket per value */
    /* The lower bits of the wanted buckets, as many buckets per pass as h1 holds. */
    const uint32_t width = UINT32_C(1) << shift, mask = width - 1;
    const size_t per_pass = BUCKETS / width;
    bool done[2 * CM_TABLE_MAX_QUANTILES] = {false};
    for (size_t first = 0; first < w->n;) {
        size_t nchosen = 0;
        memset(slot_of, 0, (size_t)nb + 1);
        for (size_t j = first; j < w->n && nchosen < per_pass; j++) {
            if (!done[j] && slot_of[bucket[j]] == 0)
                slot_of[bucket[j]] = (uint8_t)++nchosen;
        }
        uint32_t *lo = h1;
        memset(lo, 0, nchosen * width * sizeof *lo);
        for (size_t k = 0; k < len; k++) {
            const uint32_t v = xs[k], b = v >> shift;
            const unsigned s = slot_of[b < nb ? b : nb];
            if (s != 0)
                lo[(size_t)(s - 1) * width + (v & mask)]++;
        }
        for (size_t j = first; j < w->n; j++) {
            const unsigned s = slot_of[bucket[j]];
            if (done[j] || s == 0)
                continue;
            const uint32_t *h = lo + (size_t)(s - 1) * width;
            uint64_t seen = 0;
            uint32_t v = 0;
            while (v < mask && seen + h[v] <= within[j])
                seen += h[v++];
            w->value[j] = (bucket[j] << shift) | v;
            done[j] = true;
        }
        while (first < w->n && done[first])
            first++;
    }
}

/* The largest present value of a group's kept values: its duration maximum, which
 * the same rows fed (else a pass over the values). */
static uint32_t top_of(const tbl_dur *d, const uint32_t *xs, size_t len)
{
    return d->max >= 0 && d->max <= TBL_MAX_DURATION ? (uint32_t)d->max : present_max(xs, len);
}

/* Quantiles of the n values xs[0..n) (all present), which may be reordered. */
static void group_quantiles(cm_table_report *r, const tbl_dur *d, uint32_t *xs, size_t n,
                            double *out)
{
    wanted w;
    wanted_ranks(r, n, &w);
    if (n <= TBL_SORT_MAX) {
        heap_sort(xs, n);
        for (size_t j = 0; j < w.n; j++)
            w.value[j] = xs[w.rank[j]];
    } else {
        radix_ranks(xs, n, top_of(d, xs, n), &w, r->select_counts);
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
            if (cm__single_slot(g)) {
                const uint64_t n = r->acc[g->base].dur[m].n;
                if (n == 0)
                    continue;
                wanted w;
                wanted_ranks(r, n, &w);
                if (n <= TBL_SORT_MAX) { /* the scratch holds TBL_SORT_MAX + 1 */
                    size_t k = 0;
                    for (size_t i = 0; i < kept; i++) {
                        r->select_scratch[k] = vals[i];
                        k += vals[i] != TBL_NO_VALUE;
                    }
                    group_quantiles(r, &r->acc[g->base].dur[m], r->select_scratch, k,
                                    results_of(r, g->base, m));
                } else {
                    radix_ranks(vals, kept, top_of(&r->acc[g->base].dur[m], vals, kept), &w,
                                r->select_counts);
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
                    group_quantiles(r, &r->acc[g->base + s].dur[m], r->select_scratch + begin,
                                    end - begin, results_of(r, g->base + s, m));
                begin = end;
            }
        }
    }
}
