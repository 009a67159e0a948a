/*
 * SLA attainment broken down by policy, priority level and the attributes a
 * policy set names: a tally per cell (one value per key) and metric, counted
 * exactly as cm_sla_attainment counts, mergeable and serializable.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/sla.h>

#include <string.h>

#include "common-internal.h"
#include "serial-internal.h"
#include "sla-internal.h"

#define BREAKDOWN_VERSION 1

enum { KEY_POLICY, KEY_PRIORITY, KEY_DIM };

struct cm_sla_breakdown {
    cm_allocator alloc;
    bool own_alloc;
    bool has_group;
    uint32_t shape; /* the set's fingerprint with the keys */
    uint32_t nkeys;
    uint32_t kind[CM_SLA_BREAKDOWN_MAX_KEYS];
    uint32_t dim[CM_SLA_BREAKDOWN_MAX_KEYS];    /* KEY_DIM: the dimension */
    uint32_t size[CM_SLA_BREAKDOWN_MAX_KEYS];   /* values of the key */
    uint32_t stride[CM_SLA_BREAKDOWN_MAX_KEYS]; /* cell = sum of value * stride */
    uint32_t npolicies, nlevels, nclocks;
    uint32_t nvalues[CM_SLA_BREAKDOWN_MAX_KEYS]; /* KEY_DIM: named values */
    uint32_t nmetrics;                           /* metric slots per cell */
    size_t ncells;
    cm_sla_tally *tally; /* [cell * nmetrics + slot] */
};

/* FNV-1a over v's bytes, least significant first (the same on every host). */
static uint32_t mix(uint32_t h, uint32_t v)
{
    const unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                                (unsigned char)(v >> 24)};
    return cm__fnv32(h, b, sizeof b);
}

cm_status cm_sla_breakdown_new(const cm_sla_policyset *set, const char *const *keys, size_t nkeys,
                               const cm_allocator *alloc, cm_sla_breakdown **out)
{
    CM_REQUIRE(set != NULL && keys != NULL && out != NULL && cm__valid_allocator(alloc), CM_EINVAL);
    CM_REQUIRE(nkeys >= 1 && nkeys <= CM_SLA_BREAKDOWN_MAX_KEYS, CM_EINVAL);
    cm_sla_breakdown b;
    memset(&b, 0, sizeof b);
    b.nkeys = (uint32_t)nkeys;
    b.npolicies = set->npolicies;
    b.nlevels = set->nlevels;
    b.nclocks = set->nclocks;
    b.has_group = set->has_group;
    b.nmetrics = SLA_CUSTOM_SLOT + set->nclocks;
    b.shape = mix(set->fingerprint, (uint32_t)nkeys);
    uint64_t cells = 1;
    for (size_t k = 0; k < nkeys; k++) {
        CM_REQUIRE(keys[k] != NULL, CM_EINVAL);
        for (size_t j = 0; j < k; j++)
            CM_REQUIRE(strcmp(keys[j], keys[k]) != 0, CM_EINVAL);
        if (strcmp(keys[k], "policy") == 0) {
            b.kind[k] = KEY_POLICY;
            b.size[k] = set->npolicies + 1;
        } else if (strcmp(keys[k], "priority") == 0) {
            b.kind[k] = KEY_PRIORITY;
            b.size[k] = set->nlevels + 1;
        } else {
            uint32_t d = 0;
            while (d < set->ndims && strcmp(set->dims[d].name, keys[k]) != 0)
                d++;
            CM_REQUIRE(d < set->ndims, CM_EINVAL);
            b.kind[k] = KEY_DIM;
            b.dim[k] = d;
            b.nvalues[k] = set->dims[d].nvalues;
            b.size[k] = set->dims[d].nvalues + 2; /* other, unset */
        }
        b.shape = mix(mix(b.shape, b.kind[k]), b.kind[k] == KEY_DIM ? b.dim[k] : 0);
        cells *= b.size[k];
        CM_REQUIRE(cells <= CM_SLA_BREAKDOWN_MAX_CELLS, CM_ERANGE);
    }
    uint32_t stride = 1;
    for (size_t k = nkeys; k-- > 0;) {
        b.stride[k] = stride;
        stride *= b.size[k];
    }
    b.ncells = (size_t)cells;
    const size_t bytes = sizeof b + b.ncells * b.nmetrics * sizeof(cm_sla_tally);
    unsigned char *block = cm__alloc(alloc, bytes);
    CM_REQUIRE(block != NULL, CM_ENOMEM);
    memset(block, 0, bytes);
    if (alloc != NULL) {
        b.alloc = *alloc;
        b.own_alloc = true;
    }
    cm_sla_breakdown *bd = (cm_sla_breakdown *)(void *)block;
    *bd = b;
    bd->tally = (cm_sla_tally *)(void *)(block + sizeof b);
    *out = bd;
    return CM_OK;
}

void cm_sla_breakdown_free(cm_sla_breakdown *b)
{
    if (b == NULL)
        return;
    if (b->own_alloc) {
        const cm_allocator a = b->alloc;
        cm__free(&a, b);
    } else {
        cm__free(NULL, b);
    }
}

/* The metric slot of a record, or -1 when the shape has no such metric. */
static int slot_of(const cm_sla_breakdown *b, uint32_t metric)
{
    if (metric < CM_SLA_METRIC_COUNT)
        return (int)metric;
    if (metric == CM_SLA_GROUP_OWNERSHIP)
        return b->has_group ? SLA_GROUP_SLOT : -1;
    if (metric >= CM_SLA_CUSTOM_METRIC && metric - CM_SLA_CUSTOM_METRIC < b->nclocks)
        return SLA_CUSTOM_SLOT + (int)(metric - CM_SLA_CUSTOM_METRIC);
    return -1;
}

/* The position of a key value among the key's values, or -1. */
static int64_t key_index(const cm_sla_breakdown *b, size_t k, uint32_t v)
{
    if (b->kind[k] == KEY_POLICY) {
        if (v == CM_SLA_NO_POLICY)
            return b->npolicies;
        return v < b->npolicies ? (int64_t)v : -1;
    }
    if (b->kind[k] == KEY_PRIORITY)
        return v <= b->nlevels ? (int64_t)v : -1;
    if (v < b->nvalues[k])
        return v;
    if (v == CM_SLA_VALUE_OTHER)
        return b->nvalues[k];
    if (v == CM_SLA_VALUE_UNSET)
        return b->nvalues[k] + 1;
    return -1;
}

/* The tally a record counts in, or NULL for an invalid record. */
static cm_sla_tally *cell_of(const cm_sla_breakdown *b, const cm_sla_record *rec)
{
    const int slot = slot_of(b, rec->instance.metric);
    if (slot < 0 || !cm__sla_record_valid(&rec->instance, 0, b->nlevels))
        return NULL;
    size_t cell = 0;
    for (size_t k = 0; k < b->nkeys; k++) {
        uint32_t v;
        if (b->kind[k] == KEY_POLICY)
            v = rec->policy;
        else if (b->kind[k] == KEY_PRIORITY)
            v = rec->instance.priority;
        else
            v = rec->values[b->dim[k]];
        const int64_t i = key_index(b, k, v);
        if (i < 0)
            return NULL;
        cell += (size_t)i * b->stride[k];
    }
    return &b->tally[cell * b->nmetrics + (size_t)slot];
}

cm_status cm_sla_breakdown_add(cm_sla_breakdown *b, const cm_sla_record *records, size_t n)
{
    CM_REQUIRE(b != NULL && (n == 0 || records != NULL), CM_EINVAL);
    for (size_t i = 0; i < n; i++)
        CM_REQUIRE(cell_of(b, &records[i]) != NULL, CM_EINVAL);
    /*
     * All or nothing: for each tally the records touch (at its first record),
     * the sum of all its records is tried on a copy. A ticket has tens of
     * records, so the quadratic scan costs less than any bookkeeping.
     */
    for (size_t i = 0; i < n; i++) {
        if (records[i].instance.state == CM_SLA_NOT_APPLICABLE)
            continue;
        const cm_sla_tally *t = cell_of(b, &records[i]);
        bool first = true;
        for (size_t j = 0; j < i && first; j++)
            first =
                records[j].instance.state == CM_SLA_NOT_APPLICABLE || cell_of(b, &records[j]) != t;
        if (!first)
            continue;
        cm_sla_tally copy = *t;
        for (size_t j = i; j < n; j++) {
            if (records[j].instance.state != CM_SLA_NOT_APPLICABLE && cell_of(b, &records[j]) == t)
                CM_REQUIRE(cm__sla_tally_add(&copy, &records[j].instance), CM_EOVERFLOW);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (records[i].instance.state != CM_SLA_NOT_APPLICABLE &&
            !cm__sla_tally_add(cell_of(b, &records[i]), &records[i].instance))
            return CM_EOVERFLOW; /* unreachable: the same sums fit above */
    }
    return CM_OK;
}

static bool same_shape(const cm_sla_breakdown *a, const cm_sla_breakdown *b)
{
    if (a->shape != b->shape || a->nkeys != b->nkeys || a->ncells != b->ncells ||
        a->nmetrics != b->nmetrics)
        return false;
    for (size_t k = 0; k < a->nkeys; k++) {
        if (a->size[k] != b->size[k] || a->kind[k] != b->kind[k])
            return false;
    }
    return true;
}

cm_status cm_sla_breakdown_merge(cm_sla_breakdown *b, const cm_sla_breakdown *other)
{
    CM_REQUIRE(b != NULL && other != NULL && same_shape(b, other), CM_EINVAL);
    const size_t n = b->ncells * b->nmetrics;
    for (size_t i = 0; i < n; i++) {
        cm_sla_tally t = b->tally[i];
        CM_REQUIRE(cm__sla_tally_merge(&t, &other->tally[i]), CM_EOVERFLOW);
    }
    /* Every sum fits: apply them (other may be b itself: copy each first). */
    for (size_t i = 0; i < n; i++) {
        const cm_sla_tally o = other->tally[i];
        if (!cm__sla_tally_merge(&b->tally[i], &o))
            return CM_EOVERFLOW; /* unreachable */
    }
    return CM_OK;
}

cm_status cm_sla_breakdown_result(const cm_sla_breakdown *b, uint32_t metric, const uint32_t *key,
                                  double confidence, cm_sla_attainment_summary *out)
{
    CM_REQUIRE(b != NULL && key != NULL && out != NULL, CM_EINVAL);
    const int slot = slot_of(b, metric);
    CM_REQUIRE(slot >= 0 && cm__valid_confidence(confidence), CM_EINVAL);
    int64_t want[CM_SLA_BREAKDOWN_MAX_KEYS];
    for (size_t k = 0; k < b->nkeys; k++) {
        want[k] = key[k] == CM_SLA_ANY ? -1 : key_index(b, k, key[k]);
        CM_REQUIRE(key[k] == CM_SLA_ANY || want[k] >= 0, CM_EINVAL);
    }
    cm_sla_tally sum;
    memset(&sum, 0, sizeof sum);
    for (size_t cell = 0; cell < b->ncells; cell++) {
        bool match = true;
        for (size_t k = 0; k < b->nkeys && match; k++)
            match = want[k] < 0 || (int64_t)(cell / b->stride[k] % b->size[k]) == want[k];
        if (match)
            CM_REQUIRE(cm__sla_tally_merge(&sum, &b->tally[cell * b->nmetrics + (size_t)slot]),
                       CM_EOVERFLOW);
    }
    return cm__sla_summary(&sum, confidence, out);
}

/*
 * Bytes: frame header; shape (u32), number of keys (u32), each key's kind
 * and size (u32 each, four keys' worth), metric slots (u32), then the number
 * of non-empty tallies (u32) and each as its index (u32) and its seven u64;
 * CRC. Empty tallies are left out.
 */
#define HEAD_BYTES (4 + 4 + 4 + 8 * CM_SLA_BREAKDOWN_MAX_KEYS + 4 + 4)
#define ITEM_BYTES (4 + SLA_TALLY_BYTES)

static bool tally_empty(const cm_sla_tally *t)
{
    return t->achieved == 0 && t->breached == 0 && t->open == 0 && t->elapsed.n == 0;
}

cm_status cm_sla_breakdown_serialize(const cm_sla_breakdown *b, uint8_t *buf, size_t cap,
                                     size_t *written)
{
    CM_REQUIRE(b != NULL && (buf != NULL || cap == 0) && written != NULL, CM_EINVAL);
    const size_t n = b->ncells * b->nmetrics;
    size_t used = 0;
    for (size_t i = 0; i < n; i++)
        used += tally_empty(&b->tally[i]) ? 0u : 1u;
    const size_t total = HEAD_BYTES + used * ITEM_BYTES + CM__SERIAL_TRAILER;
    if (cap < total) {
        *written = total;
        return CM_ENOSPC;
    }
    memset(buf, 0, HEAD_BYTES);
    cm__serial_begin(buf, CM__SERIAL_SLA_BREAKDOWN, BREAKDOWN_VERSION);
    uint8_t *q = buf + 4;
    cm__put_u32le(q, b->shape);
    cm__put_u32le(q + 4, b->nkeys);
    for (size_t k = 0; k < b->nkeys; k++) {
        cm__put_u32le(q + 8 + 8 * k, b->kind[k]);
        cm__put_u32le(q + 12 + 8 * k, b->size[k]);
    }
    cm__put_u32le(q + 8 + 8 * CM_SLA_BREAKDOWN_MAX_KEYS, b->nmetrics);
    cm__put_u32le(q + 12 + 8 * CM_SLA_BREAKDOWN_MAX_KEYS, (uint32_t)used);
    q = buf + HEAD_BYTES;
    for (size_t i = 0; i < n; i++) {
        if (tally_empty(&b->tally[i]))
            continue;
        cm__put_u32le(q, (uint32_t)i);
        cm__sla_put_tally(q + 4, &b->tally[i]);
        q += ITEM_BYTES;
    }
    cm__serial_end(buf, total);
    *written = total;
    return CM_OK;
}

cm_status cm_sla_breakdown_deserialize(cm_sla_breakdown *b, const uint8_t *buf, size_t len)
{
    CM_REQUIRE(b != NULL && buf != NULL, CM_EINVAL);
    CM_REQUIRE(len >= HEAD_BYTES + CM__SERIAL_TRAILER, CM_EPARSE);
    const uint8_t *q = buf + 4;
    const uint32_t used = cm__get_u32le(q + 12 + 8 * CM_SLA_BREAKDOWN_MAX_KEYS);
    const size_t n = b->ncells * b->nmetrics;
    CM_REQUIRE(used <= n && len == HEAD_BYTES + (size_t)used * ITEM_BYTES + CM__SERIAL_TRAILER,
               CM_EPARSE);
    CM_REQUIRE(cm__serial_check(buf, len, len, CM__SERIAL_SLA_BREAKDOWN, BREAKDOWN_VERSION),
               CM_EPARSE);
    CM_REQUIRE(cm__get_u32le(q) == b->shape && cm__get_u32le(q + 4) == b->nkeys &&
                   cm__get_u32le(q + 8 + 8 * CM_SLA_BREAKDOWN_MAX_KEYS) == b->nmetrics,
               CM_EPARSE);
    for (size_t k = 0; k < CM_SLA_BREAKDOWN_MAX_KEYS; k++) {
        const bool set = k < b->nkeys;
        CM_REQUIRE(cm__get_u32le(q + 8 + 8 * k) == (set ? b->kind[k] : 0) &&
                       cm__get_u32le(q + 12 + 8 * k) == (set ? b->size[k] : 0),
                   CM_EPARSE);
    }
    /* Every item checked before the counts are replaced: indices increase. */
    const uint8_t *p = buf + HEAD_BYTES;
    int64_t last = -1;
    for (uint32_t i = 0; i < used; i++, p += ITEM_BYTES) {
        const uint32_t at = cm__get_u32le(p);
        cm_sla_tally t;
        CM_REQUIRE((int64_t)at > last && at < n && cm__sla_get_tally(p + 4, &t) && !tally_empty(&t),
                   CM_EPARSE);
        last = at;
    }
    memset(b->tally, 0, n * sizeof(cm_sla_tally));
    p = buf + HEAD_BYTES;
    for (uint32_t i = 0; i < used; i++, p += ITEM_BYTES) {
        if (!cm__sla_get_tally(p + 4, &b->tally[cm__get_u32le(p)]))
            return CM_EPARSE; /* unreachable: checked above */
    }
    return CM_OK;
}
