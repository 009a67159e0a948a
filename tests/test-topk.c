/*
 * Tests of caremetrics/topk.h.
 *
 * The guarantees are checked against exact counts computed here by sorting
 * the stream: for every key, count <= f <= count + error; error <= N/(k+1);
 * every key with f > error is held; sum(counts) + (k+1) error <= N; exact
 * counts while at most k distinct keys were seen. The streams are the
 * adversarial ones for counter-based summaries: round robin over k+1 keys
 * (every arrival forces a decrement), heavy keys just above N/(k+1) hidden
 * among singletons, heavy keys first or last, heavy weights, skewed and
 * uniform mixes; each is checked on one summary and on summaries of parts of
 * the stream merged in random trees, in memory and through bytes.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/topk.h>

#include "testing.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MAXN     200000

/* Check records every assertion it evaluates (a write per call): the loops over whole
 * streams test with a plain `if` and only call into Check to fail. */
#define REQUIRE(cond, ...)             \
    do {                               \
        if (!(cond))                   \
            ck_abort_msg(__VA_ARGS__); \
    } while (0)

/* ---- streams and exact counts ------------------------------------------------ */

typedef struct stream {
    uint64_t code[MAXN];
    uint64_t weight[MAXN];
    size_t n;
} stream;

typedef struct truth {
    uint64_t code, count;
} truth;

static int cmp_truth(const void *a, const void *b)
{
    const truth *x = a, *y = b;
    return (x->code > y->code) - (x->code < y->code);
}

/* Exact counts of a stream, sorted by code; returns the number of distinct codes. */
static size_t exact_counts(const stream *s, truth *out)
{
    for (size_t i = 0; i < s->n; i++)
        out[i] = (truth){s->code[i], s->weight[i]};
    qsort(out, s->n, sizeof *out, cmp_truth);
    size_t d = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (d > 0 && out[d - 1].code == out[i].code)
            out[d - 1].count += out[i].count;
        else
            out[d++] = out[i];
    }
    return d;
}

static void key_of(uint64_t code, char *buf, size_t *len)
{
    *len = (size_t)snprintf(buf, 32, "drv-%" PRIu64, code);
}

/* Adversarial and ordinary streams, by number. */
enum {
    S_UNIFORM_SMALL,
    S_SKEWED,
    S_THRESHOLD,
    S_ROUND_ROBIN,
    S_HEAVY_FIRST,
    S_HEAVY_LAST,
    S_WEIGHTED,
    S_ASCENDING,
    S_COUNT
};

static const char *const stream_names[S_COUNT] = {"uniform over k/2 keys",
                                                  "skewed (cubic)",
                                                  "heavy keys at N/(k+1)+1 among singletons",
                                                  "round robin over k+1 keys",
                                                  "heavy keys first",
                                                  "heavy keys last",
                                                  "random weights",
                                                  "ascending frequencies"};

static void make_stream(int kind, uint32_t k, test_rng *r, stream *s)
{
    s->n = 0;
#define PUSH(c, w)             \
    do {                       \
        s->code[s->n] = (c);   \
        s->weight[s->n] = (w); \
        s->n++;                \
    } while (0)
    switch (kind) {
    case S_UNIFORM_SMALL:
        for (int i = 0; i < 50000; i++)
            PUSH(rng_below(r, k / 2 > 0 ? k / 2 : 1), 1);
        break;
    case S_SKEWED:
        for (int i = 0; i < 100000; i++) {
            const double u = rng_unit(r);
            PUSH((uint64_t)(5000.0 * u * u * u), 1);
        }
        break;
    case S_THRESHOLD: {
        /* h heavy keys, each with exactly floor(N/(k+1)) + 1 occurrences, spread at random
         * among distinct singletons. */
        const size_t n = 100000, h = k / 2 > 0 ? k / 2 : 1, each = n / (k + 1) + 1;
        size_t heavy_left[1024];
        for (size_t i = 0; i < h; i++)
            heavy_left[i] = each;
        size_t left = h * each, single = 1000000;
        for (size_t i = 0; i < n; i++) {
            if (left > 0 && rng_below(r, n - i) < left) {
                size_t j = rng_below(r, h);
                while (heavy_left[j] == 0)
                    j = (j + 1) % h;
                heavy_left[j]--;
                left--;
                PUSH(j, 1);
            } else {
                PUSH(single++, 1);
            }
        }
        break;
    }
    case S_ROUND_ROBIN:
        for (int i = 0; i < 60000; i++)
            PUSH((uint64_t)i % (k + 1), 1);
        break;
    case S_HEAVY_FIRST:
        for (int i = 0; i < 20000; i++)
            PUSH((uint64_t)i % 5, 1);
        for (int i = 0; i < 80000; i++)
            PUSH(100 + (uint64_t)i, 1);
        break;
    case S_HEAVY_LAST:
        for (int i = 0; i < 80000; i++)
            PUSH(100 + (uint64_t)i, 1);
        for (int i = 0; i < 20000; i++)
            PUSH((uint64_t)i % 5, 1);
        break;
    case S_WEIGHTED:
        for (int i = 0; i < 30000; i++)
            PUSH(rng_below(r, 3 * k + 3), 1 + rng_below(r, 1000000));
        break;
    case S_ASCENDING:
        /* key j appears j times, keys in increasing order of frequency */
        for (uint64_t j = 1; s->n + j <= 100000; j++) {
            for (uint64_t t = 0; t < j; t++)
                PUSH(j, 1);
        }
        break;
    }
#undef PUSH
}

/* Every guarantee of the summary against the exact counts of the whole stream. */
static void check_guarantees(const cm_topk *t, const truth *tr, size_t distinct, uint64_t total,
                             bool strings, const char *what)
{
    cm_topk_summary info;
    ck_assert_status(cm_topk_info(t, &info), CM_OK);
    ck_assert_msg(info.total == total, "%s: total %" PRIu64 ", expected %" PRIu64, what, info.total,
                  total);
    ck_assert_msg(info.error <= total / ((uint64_t)info.capacity + 1),
                  "%s: error %" PRIu64 " above N/(k+1)", what, info.error);
    ck_assert(info.size <= info.capacity);
    ck_assert(info.exact == (info.error == 0));
    if (distinct <= info.capacity)
        ck_assert_msg(info.error == 0, "%s: %zu distinct keys but error %" PRIu64, what, distinct,
                      info.error);
    uint64_t held = 0;
    for (size_t i = 0; i < distinct; i++) {
        uint64_t c, u;
        cm_status st;
        if (strings) {
            char key[32];
            size_t len;
            key_of(tr[i].code, key, &len);
            st = cm_topk_estimate(t, key, len, &c, &u);
        } else {
            st = cm_topk_estimate_code(t, tr[i].code, &c, &u);
        }
        REQUIRE(st == CM_OK, "%s: estimate failed", what);
        REQUIRE(c <= tr[i].count && tr[i].count <= u,
                "%s: key %" PRIu64 " true %" PRIu64 " outside [%" PRIu64 ", %" PRIu64 "]", what,
                tr[i].code, tr[i].count, c, u);
        REQUIRE(tr[i].count <= info.error || c > 0,
                "%s: key %" PRIu64 " (true %" PRIu64 ") above the error %" PRIu64 " but not held",
                what, tr[i].code, tr[i].count, info.error);
        REQUIRE(distinct > info.capacity || c == tr[i].count, "%s: inexact below capacity", what);
        held += c;
    }
    /* sum(counts) + (k+1) error <= N (the counts of held keys only: others are 0). */
    ck_assert_msg(held + ((uint64_t)info.capacity + 1) * info.error <= total,
                  "%s: invariant broken", what);
}

static cm_topk *new_summary(bool strings, uint32_t k)
{
    cm_topk *t;
    ck_assert_status(cm_topk_new(strings ? CM_TOPK_STRINGS : CM_TOPK_CODES, k, 24, NULL, &t),
                     CM_OK);
    return t;
}

static void add_range(cm_topk *t, const stream *s, size_t from, size_t to, bool strings)
{
    for (size_t i = from; i < to; i++) {
        cm_status st;
        if (strings) {
            char key[32];
            size_t len;
            key_of(s->code[i], key, &len);
            st = cm_topk_add(t, key, len, s->weight[i]);
        } else {
            st = cm_topk_add_code(t, s->code[i], s->weight[i]);
        }
        REQUIRE(st == CM_OK, "add failed: %s", cm_status_name(st));
    }
}

static uint8_t *bytes_of(const cm_topk *t, size_t *len);

static stream g_stream;
static truth g_truth[MAXN];

static const uint32_t capacities[] = {1, 2, 10, 64, 250};

/* Loop over stream kind x capacity x key kind. */
START_TEST(single_summary_guarantees)
{
    const int kind = _i % S_COUNT;
    const uint32_t k = capacities[(size_t)(_i / S_COUNT) % NELEM(capacities)];
    const bool strings = _i / (S_COUNT * (int)NELEM(capacities)) != 0;
    test_rng r = test_rng_make("single_summary_guarantees");
    make_stream(kind, k, &r, &g_stream);
    const size_t d = exact_counts(&g_stream, g_truth);
    uint64_t total = 0;
    for (size_t i = 0; i < g_stream.n; i++)
        total += g_stream.weight[i];
    cm_topk *t = new_summary(strings, k);
    add_range(t, &g_stream, 0, g_stream.n, strings);
    char what[128];
    snprintf(what, sizeof what, "%s, k=%u, %s", stream_names[kind], k,
             strings ? "strings" : "codes");
    check_guarantees(t, g_truth, d, total, strings, what);
    cm_topk_free(t);
}
END_TEST

/* A copy of a summary, through its bytes. */
static cm_topk *clone(const cm_topk *t)
{
    size_t need = 0;
    uint8_t probe[1];
    ck_assert_status(cm_topk_serialize(t, probe, 0, &need), CM_ENOSPC);
    uint8_t *buf = malloc(need);
    size_t w;
    ck_assert_status(cm_topk_serialize(t, buf, need, &w), CM_OK);
    ck_assert_uint_eq(w, need);
    cm_topk *c;
    ck_assert_status(cm_topk_deserialize(buf, w, NULL, &c), CM_OK);
    free(buf);
    return c;
}

/* Bytes of a summary, malloc'ed. */
static uint8_t *bytes_of(const cm_topk *t, size_t *len)
{
    uint8_t probe[1];
    ck_assert_status(cm_topk_serialize(t, probe, 0, len), CM_ENOSPC);
    uint8_t *buf = malloc(*len);
    size_t w;
    ck_assert_status(cm_topk_serialize(t, buf, *len, &w), CM_OK);
    return buf;
}

START_TEST(merged_summary_guarantees)
{
    const int kind = _i % S_COUNT;
    const uint32_t k = capacities[(size_t)(_i / S_COUNT) % NELEM(capacities)];
    const bool strings = _i / (S_COUNT * (int)NELEM(capacities)) != 0;
    test_rng r = test_rng_make("merged_summary_guarantees");
    make_stream(kind, k, &r, &g_stream);
    const size_t d = exact_counts(&g_stream, g_truth);
    uint64_t total = 0;
    for (size_t i = 0; i < g_stream.n; i++)
        total += g_stream.weight[i];
    static const size_t part_counts[] = {2, 3, 7};
    for (size_t pc = 0; pc < NELEM(part_counts); pc++) {
        const size_t parts = part_counts[pc];
        cm_topk *p[7];
        for (size_t j = 0; j < parts; j++)
            p[j] = new_summary(strings, k);
        /* Contiguous chunks for the first two, a random key-based split for the last
         * (each part then sees different heavy keys). */
        for (size_t i = 0; i < g_stream.n; i++) {
            const size_t j = pc < 2
                                 ? i * parts / g_stream.n
                                 : (size_t)((g_stream.code[i] * 0x9E3779B97F4A7C15u) >> 61) % parts;
            add_range(p[j], &g_stream, i, i + 1, strings);
        }
        /* Merge in a random tree: repeatedly merge a random pair, half the time through
         * bytes. */
        size_t live = parts;
        while (live > 1) {
            const size_t a = rng_below(&r, live);
            size_t b = rng_below(&r, live - 1);
            if (b >= a)
                b++;
            if (rng_below(&r, 2) == 0) {
                ck_assert_status(cm_topk_merge(p[a], p[b]), CM_OK);
            } else {
                size_t len;
                uint8_t *buf = bytes_of(p[b], &len);
                ck_assert_status(cm_topk_merge_serialized(p[a], buf, len), CM_OK);
                free(buf);
            }
            cm_topk_free(p[b]);
            p[b] = p[live - 1];
            live--;
        }
        char what[160];
        snprintf(what, sizeof what, "%s, k=%u, %s, %zu parts merged", stream_names[kind], k,
                 strings ? "strings" : "codes", parts);
        check_guarantees(p[0], g_truth, d, total, strings, what);
        /* The bytes describe the same summary. */
        cm_topk *c = clone(p[0]);
        check_guarantees(c, g_truth, d, total, strings, what);
        cm_topk_free(c);
        cm_topk_free(p[0]);
    }
}
END_TEST

START_TEST(merge_commutes)
{
    test_rng r = test_rng_make("merge_commutes");
    for (int round = 0; round < 50; round++) {
        const uint32_t k = 1 + (uint32_t)rng_below(&r, 40);
        cm_topk *a = new_summary(round % 2 == 0, k), *b = new_summary(round % 2 == 0, k);
        for (int i = 0; i < 3000; i++) {
            g_stream.code[0] = rng_below(&r, 3 * k);
            g_stream.weight[0] = 1 + rng_below(&r, 5);
            g_stream.n = 1;
            add_range(rng_below(&r, 2) ? a : b, &g_stream, 0, 1, round % 2 == 0);
        }
        cm_topk *ab = clone(a), *ba = clone(b);
        ck_assert_status(cm_topk_merge(ab, b), CM_OK);
        ck_assert_status(cm_topk_merge(ba, a), CM_OK);
        size_t la, lb;
        uint8_t *x = bytes_of(ab, &la), *y = bytes_of(ba, &lb);
        ck_assert_uint_eq(la, lb);
        ck_assert_mem_eq(x, y, la);
        free(x);
        free(y);
        /* Self-merge doubles: same as merging an identical copy. */
        cm_topk *aa = clone(a), *a2 = clone(a);
        ck_assert_status(cm_topk_merge(aa, aa), CM_OK);
        ck_assert_status(cm_topk_merge(a2, a), CM_OK);
        x = bytes_of(aa, &la);
        y = bytes_of(a2, &lb);
        ck_assert_uint_eq(la, lb);
        ck_assert_mem_eq(x, y, la);
        free(x);
        free(y);
        cm_topk_free(a);
        cm_topk_free(b);
        cm_topk_free(ab);
        cm_topk_free(ba);
        cm_topk_free(aa);
        cm_topk_free(a2);
    }
}
END_TEST

START_TEST(result_order_and_tags)
{
    cm_topk *t;
    ck_assert_status(cm_topk_new(CM_TOPK_STRINGS, 10, 16, NULL, &t), CM_OK);
    /* Hand counts: billing 3, refund 2, vip 2, login 1. */
    const char *fields[] = {"billing refund", "  vip,billing ", "refund;login", "billing,,vip"};
    for (size_t i = 0; i < NELEM(fields); i++)
        ck_assert_status(cm_topk_add_tags(t, fields[i], strlen(fields[i]), " ,;", 1), CM_OK);
    cm_topk_entry e[10];
    size_t n;
    ck_assert_status(cm_topk_result(t, e, 10, &n), CM_OK);
    ck_assert_uint_eq(n, 4);
    ck_assert_str_eq(e[0].key, "billing");
    ck_assert_uint_eq(e[0].count, 3);
    ck_assert_str_eq(e[1].key, "refund"); /* tie with vip: by key */
    ck_assert_str_eq(e[2].key, "vip");
    ck_assert_str_eq(e[3].key, "login");
    ck_assert_uint_eq(e[3].key_len, 5);
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_eq(e[i].upper, e[i].count); /* exact */
        ck_assert_uint_eq(e[i].code, 0);
    }
    /* The top 2 only; a prefix sorts before the longer key. */
    ck_assert_status(cm_topk_add(t, "vipx", 4, 2), CM_OK);
    ck_assert_status(cm_topk_result(t, e, 2, &n), CM_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(e[0].key, "billing");
    ck_assert_str_eq(e[1].key, "refund");
    ck_assert_status(cm_topk_result(t, e, 10, &n), CM_OK);
    ck_assert_str_eq(e[2].key, "vip");
    ck_assert_str_eq(e[3].key, "vipx");
    ck_assert_status(cm_topk_result(t, NULL, 0, &n), CM_OK);
    ck_assert_uint_eq(n, 0);
    /* Keys may hold any byte, NUL included. */
    ck_assert_status(cm_topk_add(t, "a\0b", 3, 1), CM_OK);
    uint64_t c, u;
    ck_assert_status(cm_topk_estimate(t, "a\0b", 3, &c, &u), CM_OK);
    ck_assert_uint_eq(c, 1);
    ck_assert_status(cm_topk_estimate(t, "a", 1, &c, &u), CM_OK);
    ck_assert_uint_eq(c, 0);
    ck_assert_uint_eq(u, 0);
    /* Weight 0 and empty fields change nothing. */
    cm_topk_summary before, after;
    ck_assert_status(cm_topk_info(t, &before), CM_OK);
    ck_assert_status(cm_topk_add(t, "zzz", 3, 0), CM_OK);
    ck_assert_status(cm_topk_add_tags(t, " ,, ", 4, " ,", 1), CM_OK);
    ck_assert_status(cm_topk_add_tags(t, NULL, 0, " ", 1), CM_OK);
    ck_assert_status(cm_topk_info(t, &after), CM_OK);
    ck_assert_mem_eq(&before, &after, sizeof before);
    /* The column form gives the same bytes as one field at a time; NULL fields are empty. */
    cm_topk *col, *one;
    ck_assert_status(cm_topk_new(CM_TOPK_STRINGS, 10, 16, NULL, &col), CM_OK);
    ck_assert_status(cm_topk_new(CM_TOPK_STRINGS, 10, 16, NULL, &one), CM_OK);
    const char *column[] = {"billing refund", NULL, "  vip,billing ", "refund;login"};
    ck_assert_status(cm_topk_add_tags_many(col, column, NULL, 4, " ,;", 2), CM_OK);
    for (size_t i = 0; i < 4; i++)
        if (column[i] != NULL)
            ck_assert_status(cm_topk_add_tags(one, column[i], strlen(column[i]), " ,;", 2), CM_OK);
    size_t lc, lo;
    uint8_t *bc = bytes_of(col, &lc), *bo = bytes_of(one, &lo);
    ck_assert_uint_eq(lc, lo);
    ck_assert_mem_eq(bc, bo, lc);
    free(bc);
    free(bo);
    const size_t lens[] = {7, 3};
    const char *pre[] = {"billingXYZ", "vip"}; /* lengths cut the first field to "billing" */
    ck_assert_status(cm_topk_add_tags_many(col, pre, lens, 2, " ", 1), CM_OK);
    uint64_t lo_count, hi_count;
    ck_assert_status(cm_topk_estimate(col, "billing", 7, &lo_count, &hi_count), CM_OK);
    ck_assert_uint_eq(lo_count, 5);
    cm_topk_summary keep_col;
    ck_assert_status(cm_topk_info(col, &keep_col), CM_OK);
    const char *too_long[] = {"a b", "c 12345678901234567"};
    ck_assert_status(cm_topk_add_tags_many(col, too_long, NULL, 2, " ", 1), CM_ERANGE);
    const size_t bad_lens[] = {3, 2};
    const char *null_field[] = {"a b", NULL};
    ck_assert_status(cm_topk_add_tags_many(col, null_field, bad_lens, 2, " ", 1), CM_EINVAL);
    ck_assert_status(cm_topk_add_tags_many(col, NULL, NULL, 1, " ", 1), CM_EINVAL);
    ck_assert_status(cm_topk_add_tags_many(col, column, NULL, 4, "", 1), CM_EINVAL);
    ck_assert_status(cm_topk_add_tags_many(col, column, NULL, 4, " ", CM_TOPK_MAX_TOTAL),
                     CM_EOVERFLOW);
    ck_assert_status(cm_topk_add_tags_many(col, NULL, NULL, 0, " ", 1), CM_OK);
    cm_topk_summary now_col;
    ck_assert_status(cm_topk_info(col, &now_col), CM_OK);
    ck_assert_mem_eq(&keep_col, &now_col, sizeof now_col);
    cm_topk_free(col);
    cm_topk_free(one);
    ck_assert_status(cm_topk_clear(t), CM_OK);
    ck_assert_status(cm_topk_info(t, &after), CM_OK);
    ck_assert_uint_eq(after.total, 0);
    ck_assert_uint_eq(after.size, 0);
    cm_topk_free(t);
    cm_topk_free(NULL);
}
END_TEST

START_TEST(columns_match_one_at_a_time)
{
    test_rng r = test_rng_make("columns_match_one_at_a_time");
    cm_topk *a, *b, *c, *d;
    ck_assert_status(cm_topk_new(CM_TOPK_STRINGS, 20, 24, NULL, &a), CM_OK);
    ck_assert_status(cm_topk_new(CM_TOPK_STRINGS, 20, 24, NULL, &b), CM_OK);
    ck_assert_status(cm_topk_new(CM_TOPK_CODES, 20, 0, NULL, &c), CM_OK);
    ck_assert_status(cm_topk_new(CM_TOPK_CODES, 20, 0, NULL, &d), CM_OK);
    static char keys[1000][32];
    const char *ptrs[1000];
    size_t lens[1000];
    uint64_t codes[1000], w[1000];
    for (int i = 0; i < 1000; i++) {
        codes[i] = rng_below(&r, 60);
        w[i] = 1 + rng_below(&r, 3);
        key_of(codes[i], keys[i], &lens[i]);
        ptrs[i] = keys[i];
        REQUIRE(cm_topk_add(a, keys[i], lens[i], w[i]) == CM_OK, "add");
        REQUIRE(cm_topk_add_code(c, codes[i], w[i]) == CM_OK, "add_code");
    }
    ck_assert_status(cm_topk_add_many(b, ptrs, NULL, w, 1000), CM_OK);
    ck_assert_status(cm_topk_add_codes(d, codes, w, 1000), CM_OK);
    size_t la, lb;
    uint8_t *x = bytes_of(a, &la), *y = bytes_of(b, &lb);
    ck_assert_uint_eq(la, lb);
    ck_assert_mem_eq(x, y, la);
    free(x);
    free(y);
    x = bytes_of(c, &la);
    y = bytes_of(d, &lb);
    ck_assert_uint_eq(la, lb);
    ck_assert_mem_eq(x, y, la);
    free(x);
    free(y);
    /* Weights NULL means 1 each; lens given explicitly. */
    cm_topk *e, *f;
    ck_assert_status(cm_topk_new(CM_TOPK_STRINGS, 20, 24, NULL, &e), CM_OK);
    ck_assert_status(cm_topk_new(CM_TOPK_STRINGS, 20, 24, NULL, &f), CM_OK);
    ck_assert_status(cm_topk_add_many(e, ptrs, lens, NULL, 1000), CM_OK);
    for (int i = 0; i < 1000; i++)
        REQUIRE(cm_topk_add(f, keys[i], lens[i], 1) == CM_OK, "add");
    x = bytes_of(e, &la);
    y = bytes_of(f, &lb);
    ck_assert_mem_eq(x, y, la);
    free(x);
    free(y);
    cm_topk_free(a);
    cm_topk_free(b);
    cm_topk_free(c);
    cm_topk_free(d);
    cm_topk_free(e);
    cm_topk_free(f);
}
END_TEST

START_TEST(bad_input)
{
    cm_topk *t = (cm_topk *)(uintptr_t)0x1, *s, *c;
    ck_assert_status(cm_topk_new(2, 10, 8, NULL, &t), CM_EINVAL);
    ck_assert_status(cm_topk_new(CM_TOPK_STRINGS, 0, 8, NULL, &t), CM_ERANGE);
    ck_assert_status(cm_topk_new(CM_TOPK_STRINGS, CM_TOPK_MAX_CAPACITY + 1, 8, NULL, &t),
                     CM_ERANGE);
    ck_assert_status(cm_topk_new(CM_TOPK_STRINGS, 10, 0, NULL, &t), CM_ERANGE);
    ck_assert_status(cm_topk_new(CM_TOPK_STRINGS, 10, CM_TOPK_MAX_KEY_BYTES + 1, NULL, &t),
                     CM_ERANGE);
    ck_assert_status(cm_topk_new(CM_TOPK_STRINGS, 10, 8, NULL, NULL), CM_EINVAL);
    const cm_allocator half = {NULL, NULL, NULL};
    ck_assert_status(cm_topk_new(CM_TOPK_STRINGS, 10, 8, &half, &t), CM_EINVAL);
    ck_assert_ptr_eq(t, (cm_topk *)(uintptr_t)0x1);

    ck_assert_status(cm_topk_new(CM_TOPK_STRINGS, 4, 8, NULL, &s), CM_OK);
    ck_assert_status(cm_topk_new(CM_TOPK_CODES, 4, 8, NULL, &c), CM_OK);
    ck_assert_status(cm_topk_add(s, "abc", 3, 5), CM_OK);
    cm_topk_summary keep;
    ck_assert_status(cm_topk_info(s, &keep), CM_OK);
    /* Wrong key kind, NULLs, lengths. */
    ck_assert_status(cm_topk_add(c, "abc", 3, 1), CM_EINVAL);
    ck_assert_status(cm_topk_add_code(s, 7, 1), CM_EINVAL);
    ck_assert_status(cm_topk_add(NULL, "abc", 3, 1), CM_EINVAL);
    ck_assert_status(cm_topk_add(s, NULL, 3, 1), CM_EINVAL);
    ck_assert_status(cm_topk_add(s, "abc", 0, 1), CM_ERANGE);
    ck_assert_status(cm_topk_add(s, "123456789", 9, 1), CM_ERANGE);
    ck_assert_status(cm_topk_add_code(NULL, 1, 1), CM_EINVAL);
    /* All or nothing: a bad key late in a column changes nothing. */
    const char *col[] = {"a", "b", "123456789"};
    ck_assert_status(cm_topk_add_many(s, col, NULL, NULL, 3), CM_ERANGE);
    const char *col_null[] = {"a", NULL};
    ck_assert_status(cm_topk_add_many(s, col_null, NULL, NULL, 2), CM_EINVAL);
    ck_assert_status(cm_topk_add_many(s, NULL, NULL, NULL, 2), CM_EINVAL);
    ck_assert_status(cm_topk_add_many(c, col, NULL, NULL, 1), CM_EINVAL);
    ck_assert_status(cm_topk_add_codes(s, NULL, NULL, 0), CM_EINVAL);
    ck_assert_status(cm_topk_add_codes(c, NULL, NULL, 1), CM_EINVAL);
    ck_assert_status(cm_topk_add_tags(s, "a 123456789", 11, " ", 1), CM_ERANGE);
    ck_assert_status(cm_topk_add_tags(s, "a b", 3, "", 1), CM_EINVAL);
    ck_assert_status(cm_topk_add_tags(s, "a b", 3, NULL, 1), CM_EINVAL);
    ck_assert_status(cm_topk_add_tags(s, NULL, 3, " ", 1), CM_EINVAL);
    ck_assert_status(cm_topk_add_tags(c, "a b", 3, " ", 1), CM_EINVAL);
    /* Totals past INT64_MAX. */
    ck_assert_status(cm_topk_add(s, "abc", 3, CM_TOPK_MAX_TOTAL), CM_EOVERFLOW);
    const uint64_t big[] = {CM_TOPK_MAX_TOTAL / 2, CM_TOPK_MAX_TOTAL / 2 + 1};
    const char *two[] = {"x", "y"};
    ck_assert_status(cm_topk_add_many(s, two, NULL, big, 2), CM_EOVERFLOW);
    const uint64_t wrap[] = {UINT64_MAX, 2};
    ck_assert_status(cm_topk_add_many(s, two, NULL, wrap, 2), CM_EOVERFLOW);
    ck_assert_status(cm_topk_add_tags(s, "a b c", 5, " ", CM_TOPK_MAX_TOTAL / 2), CM_EOVERFLOW);
    cm_topk_summary now;
    ck_assert_status(cm_topk_info(s, &now), CM_OK);
    ck_assert_mem_eq(&keep, &now, sizeof now);
    /* Merging unlike summaries. */
    cm_topk *s8;
    ck_assert_status(cm_topk_new(CM_TOPK_STRINGS, 4, 9, NULL, &s8), CM_OK);
    ck_assert_status(cm_topk_merge(s, c), CM_EINVAL);
    ck_assert_status(cm_topk_merge(s, s8), CM_EINVAL);
    ck_assert_status(cm_topk_merge(s, NULL), CM_EINVAL);
    ck_assert_status(cm_topk_add(s8, "abc", 3, CM_TOPK_MAX_TOTAL - 4), CM_OK);
    cm_topk *s9;
    ck_assert_status(cm_topk_new(CM_TOPK_STRINGS, 4, 9, NULL, &s9), CM_OK);
    ck_assert_status(cm_topk_add(s9, "abd", 3, 5), CM_OK);
    ck_assert_status(cm_topk_merge(s9, s8), CM_EOVERFLOW);
    ck_assert_status(cm_topk_merge(s8, s8), CM_EOVERFLOW);
    /* Queries. */
    cm_topk_entry e[2];
    size_t n;
    uint64_t lo, hi;
    poison(&e);
    poison(&n);
    poison(&lo);
    poison(&hi);
    ck_assert_status(cm_topk_result(NULL, e, 2, &n), CM_EINVAL);
    ck_assert_status(cm_topk_result(s, NULL, 2, &n), CM_EINVAL);
    ck_assert_status(cm_topk_result(s, e, 2, NULL), CM_EINVAL);
    ck_assert_status(cm_topk_estimate(c, "abc", 3, &lo, &hi), CM_EINVAL);
    ck_assert_status(cm_topk_estimate(s, "abc", 0, &lo, &hi), CM_ERANGE);
    ck_assert_status(cm_topk_estimate(s, "abc", 3, NULL, &hi), CM_EINVAL);
    ck_assert_status(cm_topk_estimate_code(s, 1, &lo, &hi), CM_EINVAL);
    ck_assert_status(cm_topk_estimate_code(c, 1, &lo, NULL), CM_EINVAL);
    ck_assert_untouched(&e);
    ck_assert_untouched(&n);
    ck_assert_untouched(&lo);
    ck_assert_untouched(&hi);
    cm_topk_summary info;
    poison(&info);
    ck_assert_status(cm_topk_info(NULL, &info), CM_EINVAL);
    ck_assert_status(cm_topk_info(s, NULL), CM_EINVAL);
    ck_assert_untouched(&info);
    ck_assert_status(cm_topk_clear(NULL), CM_EINVAL);
    ck_assert_uint_eq(cm_topk_sizeof("cm_topk_entry"), sizeof(cm_topk_entry));
    ck_assert_uint_eq(cm_topk_sizeof("cm_topk_summary"), sizeof(cm_topk_summary));
    ck_assert_uint_eq(cm_topk_sizeof("x"), 0);
    ck_assert_uint_eq(cm_topk_sizeof(NULL), 0);
    int64_t cv;
    ck_assert_status(cm_topk_constant("CM_TOPK_MAX_TOTAL", &cv), CM_OK);
    ck_assert_int_eq(cv, INT64_MAX);
    ck_assert_status(cm_topk_constant("CM_TOPK_CODES", &cv), CM_OK);
    ck_assert_int_eq(cv, CM_TOPK_CODES);
    poison(&cv);
    ck_assert_status(cm_topk_constant("nope", &cv), CM_ENOTFOUND);
    ck_assert_status(cm_topk_constant(NULL, &cv), CM_EINVAL);
    ck_assert_status(cm_topk_constant("CM_TOPK_CODES", NULL), CM_EINVAL);
    ck_assert_untouched(&cv);
    cm_topk_free(s);
    cm_topk_free(c);
    cm_topk_free(s8);
    cm_topk_free(s9);
}
END_TEST

static void reseal(uint8_t *buf, size_t len)
{
    const uint32_t crc = test_crc32(buf, len - 4);
    for (int i = 0; i < 4; i++)
        buf[len - 4 + (size_t)i] = (uint8_t)(crc >> (8 * i));
}

START_TEST(bytes_rejected)
{
    cm_topk *t;
    ck_assert_status(cm_topk_new(CM_TOPK_STRINGS, 3, 8, NULL, &t), CM_OK);
    ck_assert_status(cm_topk_add(t, "bb", 2, 5), CM_OK);
    ck_assert_status(cm_topk_add(t, "a", 1, 3), CM_OK);
    ck_assert_status(cm_topk_add(t, "ccc", 3, 2), CM_OK);
    size_t len;
    uint8_t *buf = bytes_of(t, &len);
    /* 40 header + records (8+4+1) (8+4+2) (8+4+3) + 4 CRC, keys in order a, bb, ccc. */
    ck_assert_uint_eq(len, 40 + 13 + 14 + 15 + 4);
    ck_assert_int_eq(buf[52], 'a');
    cm_topk *out = (cm_topk *)(uintptr_t)0x1;
    for (size_t l = 0; l < len; l++)
        ck_assert_status(cm_topk_deserialize(buf, l, NULL, &out), CM_EPARSE);
    for (size_t bit = 0; bit < 8 * len; bit++) {
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        ck_assert_status(cm_topk_deserialize(buf, len, NULL, &out), CM_EPARSE);
        ck_assert_status(cm_topk_merge_serialized(t, buf, len), CM_EPARSE);
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    /* Valid frames with impossible content. */
    uint8_t *bad = malloc(len);
    static const struct {
        size_t at;
        uint8_t value;
        const char *why;
    } edits[] = {
        {4, 2, "unknown key kind"},
        {5, 1, "reserved byte"},
        {8, 0, "capacity 0"},
        {16, 4, "more counters than the capacity"},
        {12, 0, "max key 0"},
        {40, 0, "a zero counter"},
        {32, 9, "error too large for the total"},
        {52, 'z', "keys out of order"},
        {48, 0, "a key of length 0"},
        {48, 9, "a key longer than max_key"},
    };
    for (size_t i = 0; i < NELEM(edits); i++) {
        memcpy(bad, buf, len);
        bad[edits[i].at] = edits[i].value;
        reseal(bad, len);
        ck_assert_msg(cm_topk_deserialize(bad, len, NULL, &out) == CM_EPARSE, "%s", edits[i].why);
        ck_assert_msg(cm_topk_merge_serialized(t, bad, len) == CM_EPARSE, "%s", edits[i].why);
    }
    ck_assert_ptr_eq(out, (cm_topk *)(uintptr_t)0x1);
    /* The summary was never touched by the rejected merges. */
    size_t len2;
    uint8_t *again = bytes_of(t, &len2);
    ck_assert_uint_eq(len2, len);
    ck_assert_mem_eq(again, buf, len);
    free(again);
    /* Bytes of a summary of another shape merge as CM_EINVAL. */
    cm_topk *other;
    ck_assert_status(cm_topk_new(CM_TOPK_STRINGS, 4, 8, NULL, &other), CM_OK);
    ck_assert_status(cm_topk_merge_serialized(other, buf, len), CM_EINVAL);
    ck_assert_status(cm_topk_merge_serialized(NULL, buf, len), CM_EINVAL);
    ck_assert_status(cm_topk_merge_serialized(other, NULL, len), CM_EINVAL);
    ck_assert_status(cm_topk_deserialize(NULL, len, NULL, &out), CM_EINVAL);
    ck_assert_status(cm_topk_deserialize(buf, len, NULL, NULL), CM_EINVAL);
    /* A round trip gives back the bytes. */
    cm_topk *back;
    ck_assert_status(cm_topk_deserialize(buf, len, NULL, &back), CM_OK);
    again = bytes_of(back, &len2);
    ck_assert_mem_eq(again, buf, len);
    free(again);
    free(bad);
    free(buf);
    cm_topk_free(t);
    cm_topk_free(other);
    cm_topk_free(back);
}
END_TEST

typedef struct counting {
    int calls, frees, fail_at;
} counting;

static void *count_alloc(void *opaque, size_t n)
{
    counting *c = opaque;
    return ++c->calls == c->fail_at ? NULL : malloc(n);
}

static void count_free(void *opaque, void *p)
{
    ((counting *)opaque)->frees++;
    free(p);
}

START_TEST(allocator)
{
    counting c = {0, 0, 0};
    const cm_allocator a = {count_alloc, count_free, &c};
    cm_topk *t;
    ck_assert_status(cm_topk_new(CM_TOPK_CODES, 100, 0, &a, &t), CM_OK);
    ck_assert_int_eq(c.calls, 1);
    for (uint64_t i = 0; i < 10000; i++)
        REQUIRE(cm_topk_add_code(t, i % 321, 1) == CM_OK, "add_code");
    ck_assert_int_eq(c.calls, 1); /* nothing after creation */
    size_t len;
    uint8_t *buf = bytes_of(t, &len);
    cm_topk *d = (cm_topk *)(uintptr_t)0x1;
    c.fail_at = 2;
    ck_assert_status(cm_topk_deserialize(buf, len, &a, &d), CM_ENOMEM);
    ck_assert_ptr_eq(d, (cm_topk *)(uintptr_t)0x1);
    ck_assert_status(cm_topk_deserialize(buf, len, &a, &d), CM_OK);
    cm_topk_free(d);
    cm_topk_free(t);
    ck_assert_int_eq(c.frees, 2);
    free(buf);
}
END_TEST

static Suite *topk_suite(void)
{
    Suite *s = suite_create("topk");
    TCase *tc = tcase_create("guarantees");
    const int loops = S_COUNT * (int)NELEM(capacities) * 2;
    tcase_add_loop_test(tc, single_summary_guarantees, 0, loops);
    tcase_add_loop_test(tc, merged_summary_guarantees, 0, loops);
    tcase_add_test(tc, merge_commutes);
    suite_add_tcase(s, tc);
    tc = tcase_create("api");
    tcase_add_test(tc, result_order_and_tags);
    tcase_add_test(tc, columns_match_one_at_a_time);
    tcase_add_test(tc, bad_input);
    tcase_add_test(tc, bytes_rejected);
    tcase_add_test(tc, allocator);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(topk_suite());
}
