/*
 * Mergeable heavy hitters: a weighted Misra-Gries summary with k counters.
 *
 * Invariant (with N the total weight, Δ = `error`, c the counters):
 *     sum(c) + (k + 1) Δ <= N,   and for every key  c(x) <= f(x) <= c(x) + Δ
 * (c(x) = 0 for keys not held). An update of weight w of a key not held when
 * all k counters are in use subtracts d = min(w, smallest counter) from the k
 * counters and from w, so (k + 1) d leaves the counters and Δ grows by d:
 * both sides move together. A merge adds the counters key by key and
 * subtracts the (k+1)-th largest sum c* from all of them (Agarwal et al.,
 * "Mergeable summaries", PODS 2012): at least k + 1 sums lose c* each, so the
 * invariant holds with Δ = Δ1 + Δ2 + c*. Hence Δ <= N / (k + 1), and every
 * key with f(x) > Δ has a counter. docs/topk.md has the full argument.
 *
 * Subtracting d from every counter is O(1): counters are stored as
 * raw = count + base, and "subtract d from all" is base += d; counters whose
 * raw falls to base leave through a min-heap on raw. Keys are found through an
 * open-addressing table (linear probing, backward-shift deletion) sized for
 * 2k keys, and every array has 2k slots, so a merge can hold both summaries'
 * keys before it truncates back to k without allocating.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/topk.h>

#include <string.h>

#include "common-internal.h"
#include "serial-internal.h"
#include "u128-internal.h"

#define TOPK_SERIAL_VERSION 1
#define TOPK_HEADER         40 /* bytes before the first record */
#define NO_SLOT             UINT32_MAX

struct cm_topk {
    cm_allocator alloc;
    bool custom_alloc;
    uint32_t keys;      /* cm_topk_keys */
    uint32_t k;         /* capacity */
    uint32_t max_key;   /* longest string key (8 for codes) */
    uint32_t slot_size; /* bytes per stored string key, NUL included (0 for codes) */
    uint32_t size;      /* counters in use = entries of heap[] */
    uint32_t nfree;     /* entries of freelist[] */
    uint32_t mask;      /* table size - 1 */
    uint64_t total, error, base;
    uint64_t *raw;      /* [2k] count + base */
    uint64_t *hash;     /* [2k] */
    uint64_t *code;     /* [2k] codes only */
    uint64_t *scratch;  /* [2k] counts while merging */
    uint32_t *len;      /* [2k] key lengths */
    uint32_t *heap;     /* [2k] min-heap of slots by raw; also the list of live slots */
    uint32_t *pos;      /* [2k] position of each live slot in heap[] */
    uint32_t *freelist; /* [2k] */
    uint32_t *table;    /* [mask + 1] slot + 1, or 0 when empty */
    char *bytes;        /* [2k * slot_size] */
};

/* ---------------------------------------------------------------------- */
/* Hashing                                                                */
/* ---------------------------------------------------------------------- */

static uint64_t mix64(uint64_t z)
{
    /* splitmix64's finaliser: every input bit affects every output bit. */
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static uint64_t load64(const char *p, size_t n)
{
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++)
        w |= (uint64_t)(unsigned char)p[i] << (8 * i);
    return w;
}

static uint64_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15u ^ ((uint64_t)n * 0xC2B2AE3D27D4EB4Fu);
    while (n >= 8) {
        h = (h ^ mix64(load64(p, 8))) * 0x9FB21C651E98DF25u;
        p += 8;
        n -= 8;
    }
    if (n > 0)
        h = (h ^ mix64(load64(p, n) ^ 0xFF51AFD7ED558CCDu)) * 0x9FB21C651E98DF25u;
    return mix64(h);
}

/* ---------------------------------------------------------------------- */
/* Slots, table, heap                                                     */
/* ---------------------------------------------------------------------- */

typedef struct keyref {
    const char *p;
    size_t len;
    uint64_t code;
    uint64_t hash;
} keyref;

static keyref string_key(const char *p, size_t len)
{
    keyref k = {p, len, 0, hash_bytes(p, len)};
    return k;
}

static keyref code_key(uint64_t code)
{
    keyref k = {NULL, 0, code, mix64(code ^ 0x2545F4914F6CDD1Du)};
    return k;
}

static char *slot_bytes(const cm_topk *t, uint32_t s)
{
    return t->bytes + (size_t)s * t->slot_size;
}

static bool slot_is(const cm_topk *t, uint32_t s, const keyref *k)
{
    if (t->hash[s] != k->hash)
        return false;
    if (t->keys == CM_TOPK_CODES)
        return t->code[s] == k->code;
    return t->len[s] == k->len && memcmp(slot_bytes(t, s), k->p, k->len) == 0;
}

static uint32_t find_slot(const cm_topk *t, const keyref *k)
{
    for (uint32_t i = (uint32_t)k->hash & t->mask;; i = (i + 1) & t->mask) {
        const uint32_t e = t->table[i];
        if (e == 0)
            return NO_SLOT;
        if (slot_is(t, e - 1, k))
            return e - 1;
    }
}

static void table_insert(cm_topk *t, uint32_t s)
{
    uint32_t i = (uint32_t)t->hash[s] & t->mask;
    while (t->table[i] != 0)
        i = (i + 1) & t->mask;
    t->table[i] = s + 1;
}

/* Removes slot s from the table, shifting later entries of its cluster back. */
static void table_remove(cm_topk *t, uint32_t s)
{
    uint32_t i = (uint32_t)t->hash[s] & t->mask;
    while (t->table[i] != s + 1)
        i = (i + 1) & t->mask;
    for (uint32_t j = (i + 1) & t->mask; t->table[j] != 0; j = (j + 1) & t->mask) {
        const uint32_t home = (uint32_t)t->hash[t->table[j] - 1] & t->mask;
        /* The entry at j may move to the hole at i unless its home lies in (i, j]. */
        const bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (!stays) {
            t->table[i] = t->table[j];
            i = j;
        }
    }
    t->table[i] = 0;
}

static void heap_set(cm_topk *t, uint32_t i, uint32_t s)
{
    t->heap[i] = s;
    t->pos[s] = i;
}

static void sift_up(cm_topk *t, uint32_t i)
{
    const uint32_t s = t->heap[i];
    while (i > 0) {
        const uint32_t parent = (i - 1) / 2;
        if (t->raw[t->heap[parent]] <= t->raw[s])
            break;
        heap_set(t, i, t->heap[parent]);
        i = parent;
    }
    heap_set(t, i, s);
}

static void sift_down(cm_topk *t, uint32_t i)
{
    const uint32_t s = t->heap[i];
    for (;;) {
        uint32_t child = 2 * i + 1;
        if (child >= t->size)
            break;
        if (child + 1 < t->size && t->raw[t->heap[child + 1]] < t->raw[t->heap[child]])
            child++;
        if (t->raw[t->heap[child]] >= t->raw[s])
            break;
        heap_set(t, i, t->heap[child]);
        i = child;
    }
    heap_set(t, i, s);
}

static void heapify(cm_topk *t)
{
    for (uint32_t i = 0; i < t->size; i++)
        t->pos[t->heap[i]] = i;
    for (uint32_t i = t->size / 2; i-- > 0;)
        sift_down(t, i);
}

/* Takes a free slot, stores the key in it and enters it in the table (not the heap). */
static uint32_t new_slot(cm_topk *t, const keyref *k)
{
    const uint32_t s = t->freelist[--t->nfree];
    t->hash[s] = k->hash;
    if (t->keys == CM_TOPK_CODES) {
        t->code[s] = k->code;
    } else {
        memcpy(slot_bytes(t, s), k->p, k->len);
        slot_bytes(t, s)[k->len] = '\0';
        t->len[s] = (uint32_t)k->len;
    }
    table_insert(t, s);
    return s;
}

static void drop_slot(cm_topk *t, uint32_t s)
{
    table_remove(t, s);
    t->freelist[t->nfree++] = s;
}

/* ---------------------------------------------------------------------- */
/* Creation                                                               */
/* ---------------------------------------------------------------------- */

static size_t align8(size_t n)
{
    return (n + 7u) & ~(size_t)7u;
}

static void reset(cm_topk *t)
{
    const uint32_t slots = 2 * t->k;
    t->size = 0;
    t->total = t->error = t->base = 0;
    memset(t->table, 0, ((size_t)t->mask + 1) * sizeof *t->table);
    /* Free slots are handed out in increasing order. */
    t->nfree = slots;
    for (uint32_t i = 0; i < slots; i++)
        t->freelist[i] = slots - 1 - i;
}

cm_status cm_topk_new(uint32_t keys, uint32_t capacity, uint32_t max_key_bytes,
                      const cm_allocator *alloc, cm_topk **out)
{
    CM_REQUIRE(out != NULL && cm__valid_allocator(alloc), CM_EINVAL);
    CM_REQUIRE(keys == CM_TOPK_STRINGS || keys == CM_TOPK_CODES, CM_EINVAL);
    CM_REQUIRE(capacity >= 1 && capacity <= CM_TOPK_MAX_CAPACITY, CM_ERANGE);
    if (keys == CM_TOPK_CODES)
        max_key_bytes = 8;
    CM_REQUIRE(max_key_bytes >= 1 && max_key_bytes <= CM_TOPK_MAX_KEY_BYTES, CM_ERANGE);

    const size_t slots = 2 * (size_t)capacity;
    size_t table = 8;
    while (table < 2 * slots)
        table *= 2; /* load factor at most 1/2, even in the middle of a merge */
    const size_t slot_size = keys == CM_TOPK_CODES ? 0 : (size_t)max_key_bytes + 1;
    /* Layout of the single block; every part 8-byte aligned. */
    size_t off = align8(sizeof(cm_topk));
    const size_t o_raw = off;
    off += slots * 8;
    const size_t o_hash = off;
    off += slots * 8;
    const size_t o_code = off;
    off += keys == CM_TOPK_CODES ? slots * 8 : 0;
    const size_t o_scratch = off;
    off += slots * 8;
    const size_t o_len = off;
    off += align8(slots * 4);
    const size_t o_heap = off;
    off += align8(slots * 4);
    const size_t o_pos = off;
    off += align8(slots * 4);
    const size_t o_free = off;
    off += align8(slots * 4);
    const size_t o_table = off;
    off += align8(table * 4);
    const size_t o_bytes = off;
    off += slots * slot_size;

    char *block = cm__alloc(alloc, off);
    CM_REQUIRE(block != NULL, CM_ENOMEM);
    cm_topk *t = (cm_topk *)(void *)block;
    memset(t, 0, sizeof *t);
    if (alloc != NULL) {
        t->alloc = *alloc;
        t->custom_alloc = true;
    }
    t->keys = keys;
    t->k = capacity;
    t->max_key = max_key_bytes;
    t->slot_size = (uint32_t)slot_size;
    t->mask = (uint32_t)(table - 1);
    t->raw = (uint64_t *)(void *)(block + o_raw);
    t->hash = (uint64_t *)(void *)(block + o_hash);
    t->code = keys == CM_TOPK_CODES ? (uint64_t *)(void *)(block + o_code) : NULL;
    t->scratch = (uint64_t *)(void *)(block + o_scratch);
    t->len = (uint32_t *)(void *)(block + o_len);
    t->heap = (uint32_t *)(void *)(block + o_heap);
    t->pos = (uint32_t *)(void *)(block + o_pos);
    t->freelist = (uint32_t *)(void *)(block + o_free);
    t->table = (uint32_t *)(void *)(block + o_table);
    t->bytes = block + o_bytes;
    memset(t->len, 0, slots * 4);
    reset(t);
    *out = t;
    return CM_OK;
}

void cm_topk_free(cm_topk *topk)
{
    if (topk == NULL)
        return;
    const cm_allocator a = topk->alloc;
    cm__free(topk->custom_alloc ? &a : NULL, topk);
}

cm_status cm_topk_clear(cm_topk *topk)
{
    CM_REQUIRE(topk != NULL, CM_EINVAL);
    reset(topk);
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Updates                                                                */
/* ---------------------------------------------------------------------- */

/* Adds w > 0 of key k; the caller checked that the total stays within range. */
static void update(cm_topk *t, const keyref *k, uint64_t w)
{
    t->total += w;
    const uint32_t s = find_slot(t, k);
    if (s != NO_SLOT) {
        t->raw[s] += w;
        sift_down(t, t->pos[s]);
        return;
    }
    if (t->size == t->k) {
        /* Subtract d from every counter and from w; counters reaching 0 leave. */
        const uint64_t smallest = t->raw[t->heap[0]] - t->base;
        const uint64_t d = w < smallest ? w : smallest;
        t->base += d;
        t->error += d;
        w -= d;
        while (t->size > 0 && t->raw[t->heap[0]] <= t->base) {
            const uint32_t gone = t->heap[0];
            t->size--;
            if (t->size > 0) {
                heap_set(t, 0, t->heap[t->size]);
                sift_down(t, 0);
            }
            drop_slot(t, gone);
        }
        if (w == 0)
            return;
    }
    const uint32_t n = new_slot(t, k);
    t->raw[n] = t->base + w;
    heap_set(t, t->size, n);
    t->size++;
    sift_up(t, t->size - 1);
}

static cm_status room_for(const cm_topk *t, uint64_t w)
{
    CM_REQUIRE(w <= CM_TOPK_MAX_TOTAL - t->total, CM_EOVERFLOW);
    return CM_OK;
}

cm_status cm_topk_add(cm_topk *topk, const char *key, size_t len, uint64_t weight)
{
    CM_REQUIRE(topk != NULL && key != NULL && topk->keys == CM_TOPK_STRINGS, CM_EINVAL);
    CM_REQUIRE(len >= 1 && len <= topk->max_key, CM_ERANGE);
    CM_TRY(room_for(topk, weight));
    if (weight > 0) {
        const keyref k = string_key(key, len);
        update(topk, &k, weight);
    }
    return CM_OK;
}

cm_status cm_topk_add_code(cm_topk *topk, uint64_t code, uint64_t weight)
{
    CM_REQUIRE(topk != NULL && topk->keys == CM_TOPK_CODES, CM_EINVAL);
    CM_TRY(room_for(topk, weight));
    if (weight > 0) {
        const keyref k = code_key(code);
        update(topk, &k, weight);
    }
    return CM_OK;
}

/* The sum of n weights (1 each when weights is NULL), or false past the range. */
static bool weight_sum(const uint64_t *weights, size_t n, uint64_t *sum)
{
    uint64_t s = 0;
    for (size_t i = 0; i < n; i++) {
        if (__builtin_add_overflow(s, weights != NULL ? weights[i] : 1u, &s))
            return false;
    }
    *sum = s;
    return true;
}

cm_status cm_topk_add_many(cm_topk *topk, const char *const *keys, const size_t *lens,
                           const uint64_t *weights, size_t n)
{
    CM_REQUIRE(topk != NULL && topk->keys == CM_TOPK_STRINGS && (n == 0 || keys != NULL),
               CM_EINVAL);
    for (size_t i = 0; i < n; i++)
        CM_REQUIRE(keys[i] != NULL, CM_EINVAL);
    for (size_t i = 0; i < n; i++) {
        const size_t len = lens != NULL ? lens[i] : strlen(keys[i]);
        CM_REQUIRE(len >= 1 && len <= topk->max_key, CM_ERANGE);
    }
    uint64_t sum;
    CM_REQUIRE(weight_sum(weights, n, &sum), CM_EOVERFLOW);
    CM_TRY(room_for(topk, sum));
    for (size_t i = 0; i < n; i++) {
        const uint64_t w = weights != NULL ? weights[i] : 1u;
        if (w == 0)
            continue;
        const keyref k = string_key(keys[i], lens != NULL ? lens[i] : strlen(keys[i]));
        update(topk, &k, w);
    }
    return CM_OK;
}

cm_status cm_topk_add_codes(cm_topk *topk, const uint64_t *codes, const uint64_t *weights, size_t n)
{
    CM_REQUIRE(topk != NULL && topk->keys == CM_TOPK_CODES && (n == 0 || codes != NULL), CM_EINVAL);
    uint64_t sum;
    CM_REQUIRE(weight_sum(weights, n, &sum), CM_EOVERFLOW);
    CM_TRY(room_for(topk, sum));
    for (size_t i = 0; i < n; i++) {
        const uint64_t w = weights != NULL ? weights[i] : 1u;
        if (w == 0)
            continue;
        const keyref k = code_key(codes[i]);
        update(topk, &k, w);
    }
    return CM_OK;
}

/* Next tag of text[*at .. len): its start and length, or false at the end. */
static bool next_tag(const char *text, size_t len, const bool *sep, size_t *at, size_t *start,
                     size_t *tag_len)
{
    size_t i = *at;
    while (i < len && sep[(unsigned char)text[i]])
        i++;
    if (i == len) {
        *at = i;
        return false;
    }
    const size_t b = i;
    while (i < len && !sep[(unsigned char)text[i]])
        i++;
    *start = b;
    *tag_len = i - b;
    *at = i;
    return true;
}

/* Length of field i of a column (0 for a NULL field). */
static size_t field_len(const char *const *fields, const size_t *lens, size_t i)
{
    return lens != NULL ? lens[i] : fields[i] != NULL ? strlen(fields[i]) : 0;
}

cm_status cm_topk_add_tags_many(cm_topk *topk, const char *const *fields, const size_t *lens,
                                size_t n, const char *separators, uint64_t weight)
{
    CM_REQUIRE(topk != NULL && separators != NULL && (n == 0 || fields != NULL), CM_EINVAL);
    CM_REQUIRE(topk->keys == CM_TOPK_STRINGS && separators[0] != '\0', CM_EINVAL);
    bool sep[256] = {false};
    for (const char *s = separators; *s != '\0'; s++)
        sep[(unsigned char)*s] = true;
    uint64_t tags = 0;
    for (size_t i = 0; i < n; i++) {
        const size_t len = field_len(fields, lens, i);
        CM_REQUIRE(len == 0 || fields[i] != NULL, CM_EINVAL);
        size_t at = 0, b, k;
        while (next_tag(fields[i], len, sep, &at, &b, &k)) {
            CM_REQUIRE(k <= topk->max_key, CM_ERANGE);
            tags++;
        }
    }
    uint64_t sum;
    CM_REQUIRE(!__builtin_mul_overflow(tags, weight, &sum), CM_EOVERFLOW);
    CM_TRY(room_for(topk, sum));
    for (size_t i = 0; i < n && weight > 0; i++) {
        const size_t len = field_len(fields, lens, i);
        size_t at = 0, b, k;
        while (next_tag(fields[i], len, sep, &at, &b, &k)) {
            const keyref key = string_key(fields[i] + b, k);
            update(topk, &key, weight);
        }
    }
    return CM_OK;
}

cm_status cm_topk_add_tags(cm_topk *topk, const char *text, size_t len, const char *separators,
                           uint64_t weight)
{
    CM_REQUIRE(topk != NULL && separators != NULL && (len == 0 || text != NULL), CM_EINVAL);
    CM_REQUIRE(topk->keys == CM_TOPK_STRINGS && separators[0] != '\0', CM_EINVAL);
    bool sep[256] = {false};
    for (const char *s = separators; *s != '\0'; s++)
        sep[(unsigned char)*s] = true;
    size_t at = 0, b, n, tags = 0;
    while (next_tag(text, len, sep, &at, &b, &n)) {
        CM_REQUIRE(n <= topk->max_key, CM_ERANGE);
        tags++;
    }
    uint64_t sum;
    CM_REQUIRE(!__builtin_mul_overflow((uint64_t)tags, weight, &sum), CM_EOVERFLOW);
    CM_TRY(room_for(topk, sum));
    if (weight == 0)
        return CM_OK;
    at = 0;
    while (next_tag(text, len, sep, &at, &b, &n)) {
        const keyref k = string_key(text + b, n);
        update(topk, &k, weight);
    }
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Merging                                                                */
/* ---------------------------------------------------------------------- */

/* Phase 1 of a merge: adds count c of key k, without keeping the heap in order. */
static void merge_entry(cm_topk *t, const keyref *k, uint64_t c)
{
    const uint32_t s = find_slot(t, k);
    if (s != NO_SLOT) {
        t->raw[s] += c;
        return;
    }
    const uint32_t n = new_slot(t, k);
    t->raw[n] = t->base + c;
    t->heap[t->size++] = n;
}

/* Sorts n counts in decreasing order (heapsort: no recursion, O(n log n) on any input). */
static void sort_desc(uint64_t *a, size_t n)
{
    for (size_t start = n / 2; start-- > 0;) {
        for (size_t root = start;;) {
            size_t c = 2 * root + 1;
            if (c >= n)
                break;
            if (c + 1 < n && a[c + 1] < a[c])
                c++;
            if (a[c] >= a[root])
                break;
            const uint64_t x = a[c];
            a[c] = a[root];
            a[root] = x;
            root = c;
        }
    }
    for (size_t end = n; end-- > 1;) {
        const uint64_t x = a[0];
        a[0] = a[end];
        a[end] = x;
        for (size_t root = 0;;) {
            size_t c = 2 * root + 1;
            if (c >= end)
                break;
            if (c + 1 < end && a[c + 1] < a[c])
                c++;
            if (a[c] >= a[root])
                break;
            const uint64_t y = a[c];
            a[c] = a[root];
            a[root] = y;
            root = c;
        }
    }
}

/* Phase 2: subtract the (k+1)-th largest count, drop what reaches 0, rebuild the heap. */
static void merge_finish(cm_topk *t, uint64_t other_error, uint64_t other_total)
{
    const uint32_t n = t->size;
    uint64_t cut = 0;
    if (n > t->k) {
        for (uint32_t i = 0; i < n; i++)
            t->scratch[i] = t->raw[t->heap[i]] - t->base;
        sort_desc(t->scratch, n);
        cut = t->scratch[t->k];
    }
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++) {
        const uint32_t s = t->heap[i];
        const uint64_t c = t->raw[s] - t->base;
        if (c <= cut) {
            drop_slot(t, s);
        } else {
            t->raw[s] = c - cut;
            t->heap[m++] = s;
        }
    }
    t->size = m;
    t->base = 0;
    t->error += other_error + cut;
    t->total += other_total;
    heapify(t);
}

static bool same_shape(const cm_topk *a, uint32_t keys, uint32_t k, uint32_t max_key)
{
    return a->keys == keys && a->k == k && a->max_key == max_key;
}

cm_status cm_topk_merge(cm_topk *topk, const cm_topk *other)
{
    CM_REQUIRE(topk != NULL && other != NULL, CM_EINVAL);
    CM_REQUIRE(same_shape(topk, other->keys, other->k, other->max_key), CM_EINVAL);
    CM_TRY(room_for(topk, other->total));
    if (other == topk) {
        /* Every counter, the error and the total double (no key is new). */
        for (uint32_t i = 0; i < topk->size; i++) {
            const uint32_t s = topk->heap[i];
            topk->raw[s] = 2 * (topk->raw[s] - topk->base);
        }
        topk->base = 0;
        topk->error *= 2;
        topk->total *= 2;
        heapify(topk);
        return CM_OK;
    }
    for (uint32_t i = 0; i < other->size; i++) {
        const uint32_t s = other->heap[i];
        const keyref k = other->keys == CM_TOPK_CODES
                             ? code_key(other->code[s])
                             : string_key(slot_bytes(other, s), other->len[s]);
        merge_entry(topk, &k, other->raw[s] - other->base);
    }
    merge_finish(topk, other->error, other->total);
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Queries                                                                */
/* ---------------------------------------------------------------------- */

cm_status cm_topk_info(const cm_topk *topk, cm_topk_summary *out)
{
    CM_REQUIRE(topk != NULL && out != NULL, CM_EINVAL);
    cm_topk_summary s;
    memset(&s, 0, sizeof s);
    s.total = topk->total;
    s.error = topk->error;
    s.capacity = topk->k;
    s.size = topk->size;
    s.keys = topk->keys;
    s.max_key_bytes = topk->max_key;
    s.exact = topk->error == 0;
    *out = s;
    return CM_OK;
}

static uint64_t upper_of(const cm_topk *t, uint64_t count)
{
    const uint64_t u = count + t->error; /* both <= 2^63 */
    return u < t->total ? u : t->total;
}

/* Key order: codes numerically; strings bytewise, a prefix before the longer key. */
static int entry_key_cmp(const cm_topk_entry *a, const cm_topk_entry *b)
{
    if (a->key == NULL)
        return (a->code > b->code) - (a->code < b->code);
    const size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
    const int c = memcmp(a->key, b->key, n);
    if (c != 0)
        return c;
    return (a->key_len > b->key_len) - (a->key_len < b->key_len);
}

/* True when a ranks before b: larger count, then smaller key. */
static bool ranks_before(const cm_topk_entry *a, const cm_topk_entry *b)
{
    if (a->count != b->count)
        return a->count > b->count;
    return entry_key_cmp(a, b) < 0;
}

/* Min-heap on rank (the worst-ranked entry at the top) over out[0 .. n). */
static void rank_sift_down(cm_topk_entry *h, size_t i, size_t n)
{
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            return;
        if (c + 1 < n && ranks_before(&h[c], &h[c + 1]))
            c++;
        if (!ranks_before(&h[i], &h[c]))
            return;
        const cm_topk_entry x = h[i];
        h[i] = h[c];
        h[c] = x;
        i = c;
    }
}

static void rank_sift_up(cm_topk_entry *h, size_t i)
{
    while (i > 0) {
        const size_t p = (i - 1) / 2;
        if (!ranks_before(&h[p], &h[i]))
            return;
        const cm_topk_entry x = h[i];
        h[i] = h[p];
        h[p] = x;
        i = p;
    }
}

static cm_topk_entry entry_of(const cm_topk *t, uint32_t s)
{
    cm_topk_entry e;
    memset(&e, 0, sizeof e);
    if (t->keys == CM_TOPK_CODES) {
        e.code = t->code[s];
    } else {
        e.key = slot_bytes(t, s);
        e.key_len = t->len[s];
    }
    e.count = t->raw[s] - t->base;
    e.upper = upper_of(t, e.count);
    return e;
}

cm_status cm_topk_result(const cm_topk *topk, cm_topk_entry *out, size_t cap, size_t *count)
{
    CM_REQUIRE(topk != NULL && count != NULL && (cap == 0 || out != NULL), CM_EINVAL);
    /* Keep the best `cap` in a heap whose top is the worst of them, then sort. */
    size_t h = 0;
    for (uint32_t i = 0; i < topk->size && cap > 0; i++) {
        const cm_topk_entry e = entry_of(topk, topk->heap[i]);
        if (h < cap) {
            out[h] = e;
            rank_sift_up(out, h++);
        } else if (ranks_before(&e, &out[0])) {
            out[0] = e;
            rank_sift_down(out, 0, h);
        }
    }
    for (size_t end = h; end-- > 1;) {
        const cm_topk_entry x = out[0];
        out[0] = out[end];
        out[end] = x;
        rank_sift_down(out, 0, end);
    }
    *count = h;
    return CM_OK;
}

static void estimate(const cm_topk *t, const keyref *k, uint64_t *count, uint64_t *upper)
{
    const uint32_t s = find_slot(t, k);
    const uint64_t c = s == NO_SLOT ? 0 : t->raw[s] - t->base;
    *count = c;
    *upper = upper_of(t, c);
}

cm_status cm_topk_estimate(const cm_topk *topk, const char *key, size_t len, uint64_t *count,
                           uint64_t *upper)
{
    CM_REQUIRE(topk != NULL && key != NULL && count != NULL && upper != NULL, CM_EINVAL);
    CM_REQUIRE(topk->keys == CM_TOPK_STRINGS, CM_EINVAL);
    CM_REQUIRE(len >= 1 && len <= topk->max_key, CM_ERANGE);
    const keyref k = string_key(key, len);
    estimate(topk, &k, count, upper);
    return CM_OK;
}

cm_status cm_topk_estimate_code(const cm_topk *topk, uint64_t code, uint64_t *count,
                                uint64_t *upper)
{
    CM_REQUIRE(topk != NULL && count != NULL && upper != NULL, CM_EINVAL);
    CM_REQUIRE(topk->keys == CM_TOPK_CODES, CM_EINVAL);
    const keyref k = code_key(code);
    estimate(topk, &k, count, upper);
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Bytes                                                                  */
/* ---------------------------------------------------------------------- */

/*
 * Layout (docs/topk.md): header "CM" 17 1; keys u8; 3 zero bytes; capacity
 * u32; max_key u32; size u32; 4 zero bytes; total u64; error u64; then `size`
 * records in increasing key order: count u64 and, for strings, length u32 and
 * the bytes, for codes the code u64; CRC-32.
 */

static size_t record_size(const cm_topk *t, uint32_t s)
{
    return t->keys == CM_TOPK_CODES ? 16 : 12 + (size_t)t->len[s];
}

static int slot_key_cmp(const cm_topk *t, uint32_t a, uint32_t b)
{
    const cm_topk_entry ea = entry_of(t, a), eb = entry_of(t, b);
    return entry_key_cmp(&ea, &eb);
}

static uint32_t idx_get(const uint8_t *p, size_t i)
{
    uint32_t v;
    memcpy(&v, p + 4 * i, 4);
    return v;
}

static void idx_set(uint8_t *p, size_t i, uint32_t v)
{
    memcpy(p + 4 * i, &v, 4);
}

/* Heapsort of n slot numbers stored (unaligned) at p, by key. */
static void sort_slots(const cm_topk *t, uint8_t *p, size_t n)
{
    for (size_t start = n / 2; start-- > 0;) {
        for (size_t root = start;;) {
            size_t c = 2 * root + 1;
            if (c >= n)
                break;
            if (c + 1 < n && slot_key_cmp(t, idx_get(p, c + 1), idx_get(p, c)) > 0)
                c++;
            if (slot_key_cmp(t, idx_get(p, c), idx_get(p, root)) <= 0)
                break;
            const uint32_t x = idx_get(p, c);
            idx_set(p, c, idx_get(p, root));
            idx_set(p, root, x);
            root = c;
        }
    }
    for (size_t end = n; end-- > 1;) {
        const uint32_t x = idx_get(p, 0);
        idx_set(p, 0, idx_get(p, end));
        idx_set(p, end, x);
        for (size_t root = 0;;) {
            size_t c = 2 * root + 1;
            if (c >= end)
                break;
            if (c + 1 < end && slot_key_cmp(t, idx_get(p, c + 1), idx_get(p, c)) > 0)
                c++;
            if (slot_key_cmp(t, idx_get(p, c), idx_get(p, root)) <= 0)
                break;
            const uint32_t y = idx_get(p, c);
            idx_set(p, c, idx_get(p, root));
            idx_set(p, root, y);
            root = c;
        }
    }
}

cm_status cm_topk_serialize(const cm_topk *topk, uint8_t *buf, size_t cap, size_t *written)
{
    CM_REQUIRE(topk != NULL && buf != NULL && written != NULL, CM_EINVAL);
    size_t records = 0;
    for (uint32_t i = 0; i < topk->size; i++)
        records += record_size(topk, topk->heap[i]);
    const size_t size = TOPK_HEADER + records + CM__SERIAL_TRAILER;
    if (cap < size) {
        *written = size;
        return CM_ENOSPC;
    }
    cm__serial_begin(buf, CM__SERIAL_TOPK, TOPK_SERIAL_VERSION);
    buf[4] = (uint8_t)topk->keys;
    buf[5] = buf[6] = buf[7] = 0;
    cm__put_u32le(buf + 8, topk->k);
    cm__put_u32le(buf + 12, topk->max_key);
    cm__put_u32le(buf + 16, topk->size);
    cm__put_u32le(buf + 20, 0);
    cm__put_u64le(buf + 24, topk->total);
    cm__put_u64le(buf + 32, topk->error);
    /*
     * Canonical order without scratch memory: the slot numbers are sorted in
     * the last 4 * size bytes of the record area, then the records are written
     * from its start. Every record is at least 12 bytes, so the record being
     * written never reaches the slot numbers not yet read.
     */
    const size_t end = TOPK_HEADER + records;
    uint8_t *idx = buf + end - 4 * (size_t)topk->size;
    for (uint32_t i = 0; i < topk->size; i++)
        idx_set(idx, i, topk->heap[i]);
    sort_slots(topk, idx, topk->size);
    size_t at = TOPK_HEADER;
    for (uint32_t j = 0; j < topk->size; j++) {
        const uint32_t s = idx_get(idx, j);
        cm__put_u64le(buf + at, topk->raw[s] - topk->base);
        if (topk->keys == CM_TOPK_CODES) {
            cm__put_u64le(buf + at + 8, topk->code[s]);
            at += 16;
        } else {
            cm__put_u32le(buf + at + 8, topk->len[s]);
            memmove(buf + at + 12, slot_bytes(topk, s), topk->len[s]);
            at += 12 + (size_t)topk->len[s];
        }
    }
    cm__serial_end(buf, size);
    *written = size;
    return CM_OK;
}

/* What the header of serialized bytes says. */
typedef struct topk_bytes {
    uint32_t keys, k, max_key, size;
    uint64_t total, error;
} topk_bytes;

/* Reads record r at *at (already bounds-checked by check_bytes). */
static keyref read_record(const uint8_t *buf, uint32_t keys, size_t *at, uint64_t *count)
{
    *count = cm__get_u64le(buf + *at);
    if (keys == CM_TOPK_CODES) {
        const keyref k = code_key(cm__get_u64le(buf + *at + 8));
        *at += 16;
        return k;
    }
    const size_t len = cm__get_u32le(buf + *at + 8);
    const keyref k = string_key((const char *)(buf + *at + 12), len);
    *at += 12 + len;
    return k;
}

static int keyref_cmp(const keyref *a, const keyref *b)
{
    if (a->p == NULL)
        return (a->code > b->code) - (a->code < b->code);
    const size_t n = a->len < b->len ? a->len : b->len;
    const int c = memcmp(a->p, b->p, n);
    if (c != 0)
        return c;
    return (a->len > b->len) - (a->len < b->len);
}

/* Full validation of serialized bytes: frame, header, records, order, invariant. */
static cm_status check_bytes(const uint8_t *buf, size_t len, topk_bytes *h)
{
    CM_REQUIRE(len >= TOPK_HEADER + CM__SERIAL_TRAILER, CM_EPARSE);
    CM_REQUIRE(cm__serial_check(buf, len, len, CM__SERIAL_TOPK, TOPK_SERIAL_VERSION), CM_EPARSE);
    h->keys = buf[4];
    h->k = cm__get_u32le(buf + 8);
    h->max_key = cm__get_u32le(buf + 12);
    h->size = cm__get_u32le(buf + 16);
    h->total = cm__get_u64le(buf + 24);
    h->error = cm__get_u64le(buf + 32);
    CM_REQUIRE(buf[5] == 0 && buf[6] == 0 && buf[7] == 0 && cm__get_u32le(buf + 20) == 0,
               CM_EPARSE);
    CM_REQUIRE(h->keys == CM_TOPK_STRINGS || h->keys == CM_TOPK_CODES, CM_EPARSE);
    CM_REQUIRE(h->k >= 1 && h->k <= CM_TOPK_MAX_CAPACITY && h->size <= h->k, CM_EPARSE);
    CM_REQUIRE(h->keys == CM_TOPK_CODES ? h->max_key == 8
                                        : h->max_key >= 1 && h->max_key <= CM_TOPK_MAX_KEY_BYTES,
               CM_EPARSE);
    CM_REQUIRE(h->total <= CM_TOPK_MAX_TOTAL, CM_EPARSE);
    const size_t end = len - CM__SERIAL_TRAILER;
    size_t at = TOPK_HEADER;
    uint64_t sum = 0;
    keyref prev = {NULL, 0, 0, 0};
    for (uint32_t r = 0; r < h->size; r++) {
        const size_t fixed = h->keys == CM_TOPK_CODES ? 16 : 12;
        CM_REQUIRE(end - at >= fixed, CM_EPARSE);
        if (h->keys == CM_TOPK_STRINGS) {
            const uint32_t klen = cm__get_u32le(buf + at + 8);
            CM_REQUIRE(klen >= 1 && klen <= h->max_key && end - at - 12 >= klen, CM_EPARSE);
        }
        uint64_t c;
        const keyref k = read_record(buf, h->keys, &at, &c);
        CM_REQUIRE(c >= 1 && !__builtin_add_overflow(sum, c, &sum), CM_EPARSE);
        CM_REQUIRE(r == 0 || keyref_cmp(&prev, &k) < 0, CM_EPARSE); /* sorted, no repeats */
        prev = k;
    }
    CM_REQUIRE(at == end, CM_EPARSE);
    /* sum(c) + (k + 1) error <= total: what every sequence of updates and merges keeps. */
    cm__u128 lhs;
    CM_REQUIRE(
        cm__u128_add(cm__u128_mul64((uint64_t)h->k + 1, h->error), (cm__u128){sum, 0}, &lhs) &&
            cm__u128_le(lhs, (cm__u128){h->total, 0}),
        CM_EPARSE);
    return CM_OK;
}

cm_status cm_topk_deserialize(const uint8_t *buf, size_t len, const cm_allocator *alloc,
                              cm_topk **out)
{
    CM_REQUIRE(buf != NULL && out != NULL && cm__valid_allocator(alloc), CM_EINVAL);
    topk_bytes h;
    CM_TRY(check_bytes(buf, len, &h));
    cm_topk *t;
    CM_TRY(cm_topk_new(h.keys, h.k, h.max_key, alloc, &t));
    size_t at = TOPK_HEADER;
    for (uint32_t r = 0; r < h.size; r++) {
        uint64_t c;
        const keyref k = read_record(buf, h.keys, &at, &c);
        const uint32_t s = new_slot(t, &k);
        t->raw[s] = c;
        t->heap[t->size++] = s;
    }
    t->total = h.total;
    t->error = h.error;
    heapify(t);
    *out = t;
    return CM_OK;
}

cm_status cm_topk_merge_serialized(cm_topk *topk, const uint8_t *buf, size_t len)
{
    CM_REQUIRE(topk != NULL && buf != NULL, CM_EINVAL);
    topk_bytes h;
    CM_TRY(check_bytes(buf, len, &h));
    CM_REQUIRE(same_shape(topk, h.keys, h.k, h.max_key), CM_EINVAL);
    CM_TRY(room_for(topk, h.total));
    size_t at = TOPK_HEADER;
    for (uint32_t r = 0; r < h.size; r++) {
        uint64_t c;
        const keyref k = read_record(buf, h.keys, &at, &c);
        merge_entry(topk, &k, c);
    }
    merge_finish(topk, h.error, h.total);
    return CM_OK;
}

size_t cm_topk_sizeof(const char *name)
{
    static const cm__named_size sizes[] = {
        CM__SIZE_OF(cm_topk_entry),
        CM__SIZE_OF(cm_topk_summary),
    };
    return cm__lookup_size(sizes, CM__COUNT_OF(sizes), name);
}

cm_status cm_topk_constant(const char *name, int64_t *out)
{
    static const cm__named_int constants[] = {
        CM__INT_OF(CM_TOPK_MAX_CAPACITY), CM__INT_OF(CM_TOPK_MAX_KEY_BYTES),
        CM__INT_OF(CM_TOPK_MAX_TOTAL),    CM__INT_OF(CM_TOPK_STRINGS),
        CM__INT_OF(CM_TOPK_CODES),
    };
    return cm__lookup_int(constants, CM__COUNT_OF(constants), name, out);
}
