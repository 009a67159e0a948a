/*
 * Backlog: open tickets at snapshot instants, their ages in calendar or
 * business time, flows between snapshots, per group. Definitions in
 * docs/backlog.md.
 *
 * A ticket [created, solved) is open at the snapshots j0 <= j < j1, where j0
 * is the first snapshot at or after `created` and j1 the first at or after
 * `solved` (two binary searches). Its creation is counted in interval j0 and
 * its solve in interval j1, which gives open_j = sum_{i<=j} (created_i -
 * solved_i) ticket by ticket. In business time the age at t_j is
 * elapsed(created, t_j0) + elapsed(t_j0, t_j); the second term is a
 * difference of elapsed(t_0, t_j), computed once per snapshot when the
 * backlog is created, so each ticket costs one calendar call
 * (elapsed(a, b) + elapsed(b, c) = elapsed(a, c) is part of the calendar's
 * contract).
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/backlog.h>
#include <caremetrics/sketch.h>

#include <string.h>

#include "common-internal.h"
#include "serial-internal.h"
#include "u128-internal.h"

#define BACKLOG_SERIAL_VERSION 1
#define BACKLOG_HEADER         36 /* bytes before the snapshot instants */
#define CELL_WORDS             7  /* open, created, solved, min, max, sum lo, sum hi */
#define FLAG_BUSINESS          2u /* in the bytes only */

typedef struct cell {
    uint64_t open, created, solved;
    uint64_t age_min, age_max; /* 0 while open == 0 */
    uint64_t age_sum[2];       /* 128-bit sum of the open tickets' ages */
} cell;

struct cm_backlog {
    cm_allocator alloc;
    bool custom_alloc;
    const cm_calendar *cal; /* NULL: calendar time */
    uint32_t nsnap, nbounds, groups, flags;
    uint64_t tickets;
    cm_time *snap;       /* [nsnap] */
    int64_t *cum;        /* [nsnap] business seconds from snap[0] (business time only) */
    int64_t *bounds;     /* [nbounds] */
    cell *cells;         /* [groups * nsnap] */
    uint64_t *buckets;   /* [groups * nsnap * (nbounds + 1)] */
    cm_sketch *sketches; /* [groups * nsnap], or NULL */
};

/*
 * Statuses that cannot be errors here (sizes and ranges were checked, and every
 * count is bounded by the ticket total): documented and dropped.
 */
static void ignore_status(cm_status st)
{
    (void)st;
}

/* Two's-complement decoding without implementation-defined conversions. */
static int64_t i64_of(uint64_t u)
{
    return u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
}

static size_t align_up(size_t n, size_t a)
{
    return (n + a - 1) / a * a;
}

static size_t cell_index(const cm_backlog *b, uint32_t group, size_t j)
{
    return (size_t)group * b->nsnap + j;
}

static uint64_t *buckets_of(const cm_backlog *b, size_t ci)
{
    return b->buckets + ci * (b->nbounds + 1u);
}

/* ---------------------------------------------------------------------- */
/* Creation                                                               */
/* ---------------------------------------------------------------------- */

static cm_status check_config(const cm_backlog_config *c)
{
    CM_REQUIRE(c->snapshots != NULL && (c->nbounds == 0 || c->age_bounds != NULL), CM_EINVAL);
    CM_REQUIRE((c->flags & ~CM_BACKLOG_NO_SKETCH) == 0, CM_EINVAL);
    CM_REQUIRE(c->nsnapshots >= 1 && c->nsnapshots <= CM_BACKLOG_MAX_SNAPSHOTS, CM_ERANGE);
    CM_REQUIRE(c->nbounds <= CM_BACKLOG_MAX_BOUNDS, CM_ERANGE);
    CM_REQUIRE(c->groups >= 1 && c->groups <= CM_BACKLOG_MAX_GROUPS, CM_ERANGE);
    CM_REQUIRE((uint64_t)c->groups * c->nsnapshots <= CM_BACKLOG_MAX_CELLS, CM_ERANGE);
    for (size_t j = 1; j < c->nsnapshots; j++)
        CM_REQUIRE(c->snapshots[j] > c->snapshots[j - 1], CM_EINVAL);
    CM_REQUIRE(c->snapshots[c->nsnapshots - 1] < CM_BACKLOG_OPEN, CM_ERANGE);
    for (size_t i = 0; i < c->nbounds; i++)
        CM_REQUIRE(c->age_bounds[i] > 0 && (i == 0 || c->age_bounds[i] > c->age_bounds[i - 1]),
                   CM_EINVAL);
    if (c->calendar != NULL) {
        CM_REQUIRE(c->snapshots[0] >= CM_CALENDAR_TIME_MIN &&
                       c->snapshots[c->nsnapshots - 1] <= CM_CALENDAR_TIME_MAX,
                   CM_ERANGE);
    }
    return CM_OK;
}

/* Allocates a zeroed backlog of a checked shape; the caller fills the snapshots and bounds. */
static cm_status allocate(size_t nsnap, size_t nbounds, uint32_t groups, uint32_t flags,
                          const cm_calendar *cal, const cm_allocator *alloc, cm_backlog **out)
{
    const size_t ncells = (size_t)groups * nsnap;
    const bool sketches = (flags & CM_BACKLOG_NO_SKETCH) == 0;
    size_t off = align_up(sizeof(cm_backlog), 16);
    const size_t o_snap = off;
    off += nsnap * sizeof(cm_time);
    const size_t o_cum = off;
    off += cal != NULL ? nsnap * sizeof(int64_t) : 0;
    const size_t o_bounds = off;
    off += nbounds * sizeof(int64_t);
    const size_t o_cells = align_up(off, 16);
    off = o_cells + ncells * sizeof(cell);
    const size_t o_buckets = off;
    off += ncells * (nbounds + 1) * sizeof(uint64_t);
    const size_t o_sketch = align_up(off, 16);
    off = o_sketch + (sketches ? ncells * sizeof(cm_sketch) : 0);

    char *block = cm__alloc(alloc, off);
    CM_REQUIRE(block != NULL, CM_ENOMEM);
    memset(block, 0, off); /* zero bytes are empty cells and empty sketches */
    cm_backlog *b = (cm_backlog *)(void *)block;
    if (alloc != NULL) {
        b->alloc = *alloc;
        b->custom_alloc = true;
    }
    b->cal = cal;
    b->nsnap = (uint32_t)nsnap;
    b->nbounds = (uint32_t)nbounds;
    b->groups = groups;
    b->flags = flags;
    b->snap = (cm_time *)(void *)(block + o_snap);
    b->cum = cal != NULL ? (int64_t *)(void *)(block + o_cum) : NULL;
    b->bounds = (int64_t *)(void *)(block + o_bounds);
    b->cells = (cell *)(void *)(block + o_cells);
    b->buckets = (uint64_t *)(void *)(block + o_buckets);
    b->sketches = sketches ? (cm_sketch *)(void *)(block + o_sketch) : NULL;
    *out = b;
    return CM_OK;
}

/* Business seconds from the first snapshot to each one; frees b on failure. */
static cm_status finish(cm_backlog *b)
{
    for (uint32_t j = 0; b->cal != NULL && j < b->nsnap; j++) {
        const cm_status st = cm_calendar_elapsed(b->cal, b->snap[0], b->snap[j], &b->cum[j]);
        if (st != CM_OK) {
            cm_backlog_free(b);
            return st;
        }
    }
    return CM_OK;
}

cm_status cm_backlog_new(const cm_backlog_config *config, const cm_allocator *alloc,
                         cm_backlog **out)
{
    CM_REQUIRE(config != NULL && out != NULL && cm__valid_allocator(alloc), CM_EINVAL);
    CM_TRY(check_config(config));
    cm_backlog *b;
    CM_TRY(allocate(config->nsnapshots, config->nbounds, config->groups, config->flags,
                    config->calendar, alloc, &b));
    memcpy(b->snap, config->snapshots, config->nsnapshots * sizeof(cm_time));
    if (config->nbounds > 0)
        memcpy(b->bounds, config->age_bounds, config->nbounds * sizeof(int64_t));
    CM_TRY(finish(b));
    *out = b;
    return CM_OK;
}

void cm_backlog_free(cm_backlog *backlog)
{
    if (backlog == NULL)
        return;
    const cm_allocator a = backlog->alloc;
    cm__free(backlog->custom_alloc ? &a : NULL, backlog);
}

/* ---------------------------------------------------------------------- */
/* Folding tickets in                                                     */
/* ---------------------------------------------------------------------- */

/* First snapshot at or after t (nsnap when none). */
static uint32_t first_at_or_after(const cm_backlog *b, cm_time t)
{
    uint32_t lo = 0, hi = b->nsnap;
    while (lo < hi) {
        const uint32_t mid = lo + (hi - lo) / 2;
        if (b->snap[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Checks one ticket without changing anything. */
static cm_status check_ticket(const cm_backlog *b, uint32_t group, cm_time created, cm_time solved)
{
    CM_REQUIRE(created != CM_BACKLOG_OPEN && solved >= created, CM_EINVAL);
    CM_REQUIRE(group < b->groups, CM_ERANGE);
    if (b->cal != NULL)
        CM_REQUIRE(created >= CM_CALENDAR_TIME_MIN && created <= CM_CALENDAR_TIME_MAX, CM_ERANGE);
    /* The oldest age this ticket will have: at the last snapshot it is open at. */
    const uint32_t j0 = first_at_or_after(b, created), j1 = first_at_or_after(b, solved);
    if (j1 > j0) {
        int64_t age;
        CM_REQUIRE(!__builtin_sub_overflow(b->snap[j1 - 1], created, &age) &&
                       (double)age < CM_SKETCH_MAX_SECONDS,
                   CM_ERANGE);
    }
    return CM_OK;
}

static uint32_t bucket_of(const cm_backlog *b, uint64_t age)
{
    uint32_t lo = 0, hi = b->nbounds; /* first bound above age */
    while (lo < hi) {
        const uint32_t mid = lo + (hi - lo) / 2;
        if ((uint64_t)b->bounds[mid] <= age)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Adds a checked ticket. */
static void fold(cm_backlog *b, uint32_t group, cm_time created, cm_time solved)
{
    const uint32_t j0 = first_at_or_after(b, created), j1 = first_at_or_after(b, solved);
    const size_t base = cell_index(b, group, 0);
    b->tickets++;
    if (j0 < b->nsnap)
        b->cells[base + j0].created++;
    if (solved != CM_BACKLOG_OPEN && j1 < b->nsnap)
        b->cells[base + j1].solved++;
    if (j1 <= j0)
        return;
    int64_t first = 0;
    if (b->cal != NULL) {
        /* In range by check_ticket and check_config: cannot fail. */
        if (cm_calendar_elapsed(b->cal, created, b->snap[j0], &first) != CM_OK)
            first = 0;
    }
    for (uint32_t j = j0; j < j1; j++) {
        const uint64_t age = b->cal != NULL ? (uint64_t)(first + (b->cum[j] - b->cum[j0]))
                                            : (uint64_t)(b->snap[j] - created);
        cell *c = &b->cells[base + j];
        if (c->open == 0 || age < c->age_min)
            c->age_min = age;
        if (c->open == 0 || age > c->age_max)
            c->age_max = age;
        c->open++;
        cm__u128 s = cm__u128_of(c->age_sum);
        (void)cm__u128_add(s, (cm__u128){age, 0}, &s); /* < 2^64 tickets of < 2^30 s */
        cm__u128_store(s, c->age_sum);
        buckets_of(b, base + j)[bucket_of(b, age)]++;
        if (b->sketches != NULL)
            ignore_status(cm_sketch_add(&b->sketches[base + j], (double)age)); /* checked range */
    }
}

cm_status cm_backlog_add(cm_backlog *backlog, uint32_t group, cm_time created, cm_time solved)
{
    CM_REQUIRE(backlog != NULL, CM_EINVAL);
    CM_TRY(check_ticket(backlog, group, created, solved));
    CM_REQUIRE(backlog->tickets != UINT64_MAX, CM_EOVERFLOW);
    fold(backlog, group, created, solved);
    return CM_OK;
}

cm_status cm_backlog_add_many(cm_backlog *backlog, const uint32_t *groups, const cm_time *created,
                              const cm_time *solved, size_t n)
{
    CM_REQUIRE(backlog != NULL && (n == 0 || (created != NULL && solved != NULL)), CM_EINVAL);
    for (size_t i = 0; i < n; i++)
        CM_TRY(check_ticket(backlog, groups != NULL ? groups[i] : 0, created[i], solved[i]));
    CM_REQUIRE(n <= UINT64_MAX - backlog->tickets, CM_EOVERFLOW);
    for (size_t i = 0; i < n; i++)
        fold(backlog, groups != NULL ? groups[i] : 0, created[i], solved[i]);
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Merging                                                                */
/* ---------------------------------------------------------------------- */

static bool same_setup(const cm_backlog *a, const cm_backlog *b)
{
    return a->nsnap == b->nsnap && a->nbounds == b->nbounds && a->groups == b->groups &&
           a->flags == b->flags && (a->cal == NULL) == (b->cal == NULL) &&
           memcmp(a->snap, b->snap, a->nsnap * sizeof(cm_time)) == 0 &&
           (a->nbounds == 0 || memcmp(a->bounds, b->bounds, a->nbounds * sizeof(int64_t)) == 0);
}

/* Adds cell o (with its buckets) into cell ci of b. The sums cannot overflow: every count is
 * at most the ticket total, checked by the caller. */
static void merge_cell(cm_backlog *b, size_t ci, const cell *o, const uint64_t *obuckets)
{
    cell *c = &b->cells[ci];
    if (o->open > 0) {
        if (c->open == 0 || o->age_min < c->age_min)
            c->age_min = o->age_min;
        if (c->open == 0 || o->age_max > c->age_max)
            c->age_max = o->age_max;
    }
    c->open += o->open;
    c->created += o->created;
    c->solved += o->solved;
    cm__u128 s = cm__u128_of(c->age_sum);
    (void)cm__u128_add(s, cm__u128_of(o->age_sum), &s);
    cm__u128_store(s, c->age_sum);
    uint64_t *bk = buckets_of(b, ci);
    for (uint32_t i = 0; i <= b->nbounds; i++)
        bk[i] += obuckets[i];
}

cm_status cm_backlog_merge(cm_backlog *backlog, const cm_backlog *other)
{
    CM_REQUIRE(backlog != NULL && other != NULL && same_setup(backlog, other), CM_EINVAL);
    CM_REQUIRE(other->tickets <= UINT64_MAX - backlog->tickets, CM_EOVERFLOW);
    const size_t ncells = (size_t)backlog->groups * backlog->nsnap;
    for (size_t ci = 0; ci < ncells; ci++) {
        const cell o = other->cells[ci]; /* a copy: other may be backlog */
        merge_cell(backlog, ci, &o, buckets_of(other, ci));
        if (backlog->sketches != NULL)
            ignore_status(cm_sketch_merge(&backlog->sketches[ci], &other->sketches[ci]));
    }
    backlog->tickets += other->tickets;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Queries                                                                */
/* ---------------------------------------------------------------------- */

cm_status cm_backlog_info(const cm_backlog *backlog, cm_backlog_summary *out)
{
    CM_REQUIRE(backlog != NULL && out != NULL, CM_EINVAL);
    cm_backlog_summary s;
    memset(&s, 0, sizeof s);
    s.tickets = backlog->tickets;
    s.nsnapshots = backlog->nsnap;
    s.nbounds = backlog->nbounds;
    s.groups = backlog->groups;
    s.flags = backlog->flags;
    s.business = backlog->cal != NULL;
    *out = s;
    return CM_OK;
}

cm_status cm_backlog_age_bounds(const cm_backlog *backlog, int64_t *bounds, size_t cap)
{
    CM_REQUIRE(backlog != NULL && (cap == 0 || bounds != NULL), CM_EINVAL);
    CM_REQUIRE(cap >= backlog->nbounds, CM_ENOSPC);
    if (backlog->nbounds > 0)
        memcpy(bounds, backlog->bounds, backlog->nbounds * sizeof *bounds);
    return CM_OK;
}

static cm_status check_query(const cm_backlog *b, uint32_t group, size_t index)
{
    CM_REQUIRE(group < b->groups || group == CM_BACKLOG_ALL_GROUPS, CM_ERANGE);
    CM_REQUIRE(index < b->nsnap, CM_ERANGE);
    return CM_OK;
}

/* Groups [*first, *last) that a query covers. */
static void group_range(const cm_backlog *b, uint32_t group, uint32_t *first, uint32_t *last)
{
    *first = group == CM_BACKLOG_ALL_GROUPS ? 0 : group;
    *last = group == CM_BACKLOG_ALL_GROUPS ? b->groups : group + 1;
}

cm_status cm_backlog_snapshot(const cm_backlog *backlog, uint32_t group, size_t index,
                              cm_backlog_point *out)
{
    CM_REQUIRE(backlog != NULL && out != NULL, CM_EINVAL);
    CM_TRY(check_query(backlog, group, index));
    uint32_t g0, g1;
    group_range(backlog, group, &g0, &g1);
    cell sum;
    memset(&sum, 0, sizeof sum);
    for (uint32_t g = g0; g < g1; g++) {
        const cell *c = &backlog->cells[cell_index(backlog, g, index)];
        if (c->open > 0) {
            if (sum.open == 0 || c->age_min < sum.age_min)
                sum.age_min = c->age_min;
            if (sum.open == 0 || c->age_max > sum.age_max)
                sum.age_max = c->age_max;
        }
        sum.open += c->open;
        sum.created += c->created;
        sum.solved += c->solved;
        cm__u128 s = cm__u128_of(sum.age_sum);
        (void)cm__u128_add(s, cm__u128_of(c->age_sum), &s);
        cm__u128_store(s, sum.age_sum);
    }
    cm_backlog_point p;
    memset(&p, 0, sizeof p);
    p.at = backlog->snap[index];
    p.open = sum.open;
    p.created = sum.created;
    p.solved = sum.solved;
    p.age_min = (int64_t)sum.age_min; /* ages are below 2^30 */
    p.age_max = (int64_t)sum.age_max;
    p.age_mean =
        sum.open > 0 ? cm__u128_to_double(cm__u128_of(sum.age_sum)) / (double)sum.open : 0.0;
    *out = p;
    return CM_OK;
}

cm_status cm_backlog_buckets(const cm_backlog *backlog, uint32_t group, size_t index,
                             uint64_t *counts, size_t cap)
{
    CM_REQUIRE(backlog != NULL && counts != NULL, CM_EINVAL);
    CM_TRY(check_query(backlog, group, index));
    CM_REQUIRE(cap >= (size_t)backlog->nbounds + 1, CM_ENOSPC);
    uint32_t g0, g1;
    group_range(backlog, group, &g0, &g1);
    for (uint32_t i = 0; i <= backlog->nbounds; i++)
        counts[i] = 0;
    for (uint32_t g = g0; g < g1; g++) {
        const uint64_t *bk = buckets_of(backlog, cell_index(backlog, g, index));
        for (uint32_t i = 0; i <= backlog->nbounds; i++)
            counts[i] += bk[i];
    }
    return CM_OK;
}

cm_status cm_backlog_quantiles(const cm_backlog *backlog, uint32_t group, size_t index,
                               const double *qs, size_t nq, double *out)
{
    CM_REQUIRE(backlog != NULL && (nq == 0 || (qs != NULL && out != NULL)), CM_EINVAL);
    CM_REQUIRE(backlog->sketches != NULL, CM_EINVAL);
    for (size_t i = 0; i < nq; i++)
        CM_REQUIRE(qs[i] >= 0.0 && qs[i] <= 1.0, CM_EINVAL); /* false for NaN */
    CM_TRY(check_query(backlog, group, index));
    if (group != CM_BACKLOG_ALL_GROUPS)
        return cm_sketch_quantiles(&backlog->sketches[cell_index(backlog, group, index)], qs, nq,
                                   out);
    cm_sketch all; /* 8 KiB on the stack: merging needs no allocation */
    memset(&all, 0, sizeof all);
    for (uint32_t g = 0; g < backlog->groups; g++)
        CM_TRY(cm_sketch_merge(&all, &backlog->sketches[cell_index(backlog, g, index)]));
    return cm_sketch_quantiles(&all, qs, nq, out);
}

/* ---------------------------------------------------------------------- */
/* Bytes                                                                  */
/* ---------------------------------------------------------------------- */

/*
 * Layout (docs/backlog.md): header "CM" 18 1; flags u8 (1 no sketch, 2
 * business time); 3 zero bytes; nsnapshots u32; nbounds u32; groups u32;
 * 4 zero bytes; tickets u64; the snapshots (i64 each); the bounds (i64 each);
 * then per group and snapshot: open, created, solved, age_min, age_max, the
 * age sum (2 words), nbounds + 1 bucket counts, and unless no-sketch the
 * sketch's length (u32) and bytes; CRC-32.
 */

static size_t sketch_bytes(const cm_sketch *s)
{
    uint8_t probe[1];
    size_t need = 0;
    ignore_status(cm_sketch_serialize(s, probe, 0, &need)); /* CM_ENOSPC with the size */
    return need;
}

cm_status cm_backlog_serialize(const cm_backlog *backlog, uint8_t *buf, size_t cap, size_t *written)
{
    CM_REQUIRE(backlog != NULL && buf != NULL && written != NULL, CM_EINVAL);
    const cm_backlog *b = backlog;
    const size_t ncells = (size_t)b->groups * b->nsnap;
    const size_t per_cell = 8 * (CELL_WORDS + (size_t)b->nbounds + 1);
    size_t size = BACKLOG_HEADER + 8 * ((size_t)b->nsnap + b->nbounds) + ncells * per_cell +
                  CM__SERIAL_TRAILER;
    if (b->sketches != NULL) {
        for (size_t ci = 0; ci < ncells; ci++)
            size += 4 + sketch_bytes(&b->sketches[ci]);
    }
    if (cap < size) {
        *written = size;
        return CM_ENOSPC;
    }
    cm__serial_begin(buf, CM__SERIAL_BACKLOG, BACKLOG_SERIAL_VERSION);
    buf[4] = (uint8_t)(b->flags | (b->cal != NULL ? FLAG_BUSINESS : 0u));
    buf[5] = buf[6] = buf[7] = 0;
    cm__put_u32le(buf + 8, b->nsnap);
    cm__put_u32le(buf + 12, b->nbounds);
    cm__put_u32le(buf + 16, b->groups);
    cm__put_u32le(buf + 20, 0);
    cm__put_u64le(buf + 24, b->tickets);
    cm__put_u32le(buf + 32, 0);
    size_t at = BACKLOG_HEADER;
    for (uint32_t j = 0; j < b->nsnap; j++, at += 8)
        cm__put_u64le(buf + at, (uint64_t)b->snap[j]);
    for (uint32_t i = 0; i < b->nbounds; i++, at += 8)
        cm__put_u64le(buf + at, (uint64_t)b->bounds[i]);
    for (size_t ci = 0; ci < ncells; ci++) {
        const cell *c = &b->cells[ci];
        const uint64_t words[CELL_WORDS] = {c->open,    c->created,    c->solved,    c->age_min,
                                            c->age_max, c->age_sum[0], c->age_sum[1]};
        for (int w = 0; w < CELL_WORDS; w++, at += 8)
            cm__put_u64le(buf + at, words[w]);
        const uint64_t *bk = buckets_of(b, ci);
        for (uint32_t i = 0; i <= b->nbounds; i++, at += 8)
            cm__put_u64le(buf + at, bk[i]);
        if (b->sketches != NULL) {
            size_t w = 0;
            const size_t room = size - CM__SERIAL_TRAILER - at - 4;
            ignore_status(cm_sketch_serialize(&b->sketches[ci], buf + at + 4, room, &w));
            cm__put_u32le(buf + at, (uint32_t)w);
            at += 4 + w;
        }
    }
    cm__serial_end(buf, size);
    *written = size;
    return CM_OK;
}

/* What serialized bytes hold, after a full check. */
typedef struct backlog_bytes {
    uint32_t flags, nsnap, nbounds, groups;
    uint64_t tickets;
    const uint8_t *snap, *bounds, *cells; /* positions inside the bytes */
    size_t end;                           /* offset of the CRC */
} backlog_bytes;

/* Reads one cell at *at into c, its buckets into bk (nbounds + 1), its sketch into s (if any). */
static cm_status read_cell(const uint8_t *buf, const backlog_bytes *h, size_t *at, cell *c,
                           uint64_t *bk, cm_sketch *s)
{
    const size_t fixed = 8 * (CELL_WORDS + (size_t)h->nbounds + 1);
    CM_REQUIRE(h->end - *at >= fixed, CM_EPARSE);
    uint64_t w[CELL_WORDS];
    for (int i = 0; i < CELL_WORDS; i++)
        w[i] = cm__get_u64le(buf + *at + 8 * (size_t)i);
    c->open = w[0];
    c->created = w[1];
    c->solved = w[2];
    c->age_min = w[3];
    c->age_max = w[4];
    c->age_sum[0] = w[5];
    c->age_sum[1] = w[6];
    for (uint32_t i = 0; i <= h->nbounds; i++)
        bk[i] = cm__get_u64le(buf + *at + 8 * (CELL_WORDS + (size_t)i));
    *at += fixed;
    if ((h->flags & CM_BACKLOG_NO_SKETCH) == 0) {
        CM_REQUIRE(h->end - *at >= 4, CM_EPARSE);
        const size_t n = cm__get_u32le(buf + *at);
        CM_REQUIRE(h->end - *at - 4 >= n, CM_EPARSE);
        if (cm_sketch_deserialize(buf + *at + 4, n, s) != CM_OK)
            return CM_EPARSE;
        *at += 4 + n;
    }
    return CM_OK;
}

/* A cell some sequence of additions could produce. */
static bool cell_valid(const cell *c, const uint64_t *bk, uint32_t nbounds, const cm_sketch *s,
                       uint64_t tickets)
{
    if (c->open > tickets || c->created > tickets || c->solved > tickets)
        return false;
    uint64_t in_buckets = 0;
    for (uint32_t i = 0; i <= nbounds; i++) {
        if (__builtin_add_overflow(in_buckets, bk[i], &in_buckets))
            return false;
    }
    if (in_buckets != c->open || (s != NULL && s->n != c->open))
        return false;
    if (c->open == 0)
        return c->age_min == 0 && c->age_max == 0 && c->age_sum[0] == 0 && c->age_sum[1] == 0;
    const cm__u128 sum = cm__u128_of(c->age_sum);
    return c->age_min <= c->age_max && (double)c->age_max < CM_SKETCH_MAX_SECONDS &&
           cm__u128_le(cm__u128_mul64(c->open, c->age_min), sum) &&
           cm__u128_le(sum, cm__u128_mul64(c->open, c->age_max));
}

/* Checks every byte: frame, header, increasing snapshots and bounds, each cell, and
 * open_j = sum_{i<=j} (created_i - solved_i) in each group. */
static cm_status check_bytes(const uint8_t *buf, size_t len, backlog_bytes *h)
{
    CM_REQUIRE(len >= BACKLOG_HEADER + CM__SERIAL_TRAILER, CM_EPARSE);
    CM_REQUIRE(cm__serial_check(buf, len, len, CM__SERIAL_BACKLOG, BACKLOG_SERIAL_VERSION),
               CM_EPARSE);
    h->flags = buf[4] & ~FLAG_BUSINESS;
    h->nsnap = cm__get_u32le(buf + 8);
    h->nbounds = cm__get_u32le(buf + 12);
    h->groups = cm__get_u32le(buf + 16);
    h->tickets = cm__get_u64le(buf + 24);
    CM_REQUIRE((buf[4] & ~(CM_BACKLOG_NO_SKETCH | FLAG_BUSINESS)) == 0 && buf[5] == 0 &&
                   buf[6] == 0 && buf[7] == 0 && cm__get_u32le(buf + 20) == 0 &&
                   cm__get_u32le(buf + 32) == 0,
               CM_EPARSE);
    CM_REQUIRE(h->nsnap >= 1 && h->nsnap <= CM_BACKLOG_MAX_SNAPSHOTS &&
                   h->nbounds <= CM_BACKLOG_MAX_BOUNDS && h->groups >= 1 &&
                   h->groups <= CM_BACKLOG_MAX_GROUPS &&
                   (uint64_t)h->groups * h->nsnap <= CM_BACKLOG_MAX_CELLS,
               CM_EPARSE);
    h->end = len - CM__SERIAL_TRAILER;
    const size_t fixed = 8 * ((size_t)h->nsnap + h->nbounds);
    CM_REQUIRE(h->end - BACKLOG_HEADER >= fixed, CM_EPARSE);
    h->snap = buf + BACKLOG_HEADER;
    h->bounds = h->snap + 8 * (size_t)h->nsnap;
    h->cells = h->bounds + 8 * (size_t)h->nbounds;
    for (uint32_t j = 1; j < h->nsnap; j++)
        CM_REQUIRE(i64_of(cm__get_u64le(h->snap + 8 * j)) >
                       i64_of(cm__get_u64le(h->snap + 8 * (j - 1))),
                   CM_EPARSE);
    for (uint32_t i = 0; i < h->nbounds; i++) {
        const int64_t v = i64_of(cm__get_u64le(h->bounds + 8 * i));
        CM_REQUIRE(v > 0 && (i == 0 || v > i64_of(cm__get_u64le(h->bounds + 8 * (i - 1)))),
                   CM_EPARSE);
    }
    size_t at = (size_t)(h->cells - buf);
    const bool sketches = (h->flags & CM_BACKLOG_NO_SKETCH) == 0;
    cm_sketch s;
    uint64_t bk[CM_BACKLOG_MAX_BOUNDS + 1];
    /* Every ticket is created in at most one interval of one group, so the creations of all
     * cells add up to at most the ticket count; the open counts of a snapshot, summed over
     * the groups, are then bounded by it too, and no all-groups query can overflow. */
    uint64_t created_all = 0;
    for (uint32_t g = 0; g < h->groups; g++) {
        uint64_t in = 0, out = 0;
        for (uint32_t j = 0; j < h->nsnap; j++) {
            cell c;
            CM_TRY(read_cell(buf, h, &at, &c, bk, &s));
            CM_REQUIRE(cell_valid(&c, bk, h->nbounds, sketches ? &s : NULL, h->tickets), CM_EPARSE);
            CM_REQUIRE(!__builtin_add_overflow(in, c.created, &in) &&
                           !__builtin_add_overflow(out, c.solved, &out) && in <= h->tickets &&
                           out <= in && in - out == c.open &&
                           !__builtin_add_overflow(created_all, c.created, &created_all) &&
                           created_all <= h->tickets,
                       CM_EPARSE);
        }
    }
    CM_REQUIRE(at == h->end, CM_EPARSE);
    return CM_OK;
}

/* Adds every cell of checked bytes into b (whose set-up matches). */
static void merge_bytes(cm_backlog *b, const uint8_t *buf, const backlog_bytes *h)
{
    size_t at = (size_t)(h->cells - buf);
    const size_t ncells = (size_t)b->groups * b->nsnap;
    cm_sketch s;
    uint64_t bk[CM_BACKLOG_MAX_BOUNDS + 1];
    for (size_t ci = 0; ci < ncells; ci++) {
        cell c;
        (void)read_cell(buf, h, &at, &c, bk, &s); /* checked before */
        merge_cell(b, ci, &c, bk);
        if (b->sketches != NULL)
            ignore_status(cm_sketch_merge(&b->sketches[ci], &s));
    }
    b->tickets += h->tickets;
}

/* Whether checked bytes describe the set-up of b. */
static bool bytes_match(const cm_backlog *b, const backlog_bytes *h)
{
    if (b->nsnap != h->nsnap || b->nbounds != h->nbounds || b->groups != h->groups ||
        b->flags != h->flags)
        return false;
    for (uint32_t j = 0; j < h->nsnap; j++) {
        if (b->snap[j] != i64_of(cm__get_u64le(h->snap + 8 * j)))
            return false;
    }
    for (uint32_t i = 0; i < h->nbounds; i++) {
        if (b->bounds[i] != i64_of(cm__get_u64le(h->bounds + 8 * i)))
            return false;
    }
    return true;
}

cm_status cm_backlog_deserialize(const uint8_t *buf, size_t len, const cm_calendar *calendar,
                                 const cm_allocator *alloc, cm_backlog **out)
{
    CM_REQUIRE(buf != NULL && out != NULL && cm__valid_allocator(alloc), CM_EINVAL);
    backlog_bytes h;
    CM_TRY(check_bytes(buf, len, &h));
    CM_REQUIRE(((buf[4] & FLAG_BUSINESS) != 0) == (calendar != NULL), CM_EINVAL);
    if (calendar != NULL) {
        const cm_time first = i64_of(cm__get_u64le(h.snap));
        const cm_time last = i64_of(cm__get_u64le(h.snap + 8 * (size_t)(h.nsnap - 1)));
        CM_REQUIRE(first >= CM_CALENDAR_TIME_MIN && last <= CM_CALENDAR_TIME_MAX, CM_ERANGE);
    }
    cm_backlog *b;
    CM_TRY(allocate(h.nsnap, h.nbounds, h.groups, h.flags, calendar, alloc, &b));
    for (uint32_t j = 0; j < h.nsnap; j++)
        b->snap[j] = i64_of(cm__get_u64le(h.snap + 8 * j));
    for (uint32_t i = 0; i < h.nbounds; i++)
        b->bounds[i] = i64_of(cm__get_u64le(h.bounds + 8 * i));
    CM_TRY(finish(b));
    merge_bytes(b, buf, &h);
    *out = b;
    return CM_OK;
}

cm_status cm_backlog_merge_serialized(cm_backlog *backlog, const uint8_t *buf, size_t len)
{
    CM_REQUIRE(backlog != NULL && buf != NULL, CM_EINVAL);
    backlog_bytes h;
    CM_TRY(check_bytes(buf, len, &h));
    const bool business = (buf[4] & FLAG_BUSINESS) != 0;
    CM_REQUIRE(bytes_match(backlog, &h) && business == (backlog->cal != NULL), CM_EINVAL);
    CM_REQUIRE(h.tickets <= UINT64_MAX - backlog->tickets, CM_EOVERFLOW);
    merge_bytes(backlog, buf, &h);
    return CM_OK;
}

size_t cm_backlog_sizeof(const char *name)
{
    static const cm__named_size sizes[] = {
        CM__SIZE_OF(cm_backlog_config),
        CM__SIZE_OF(cm_backlog_point),
        CM__SIZE_OF(cm_backlog_summary),
    };
    return cm__lookup_size(sizes, CM__COUNT_OF(sizes), name);
}

cm_status cm_backlog_constant(const char *name, int64_t *out)
{
    static const cm__named_int constants[] = {
        CM__INT_OF(CM_BACKLOG_OPEN),       CM__INT_OF(CM_BACKLOG_MAX_SNAPSHOTS),
        CM__INT_OF(CM_BACKLOG_MAX_BOUNDS), CM__INT_OF(CM_BACKLOG_MAX_GROUPS),
        CM__INT_OF(CM_BACKLOG_MAX_CELLS),  CM__INT_OF(CM_BACKLOG_ALL_GROUPS),
        CM__INT_OF(CM_BACKLOG_NO_SKETCH),
    };
    return cm__lookup_int(constants, CM__COUNT_OF(constants), name, out);
}
