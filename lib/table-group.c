/*
 * Group slots of the ticket-table engine.
 *
 * Every group of every grouping has a slot in the report's accumulator
 * array. A grouping without a time bucket whose keys have at most 65,536
 * code combinations is dense: the slot is its base plus the mixed-radix
 * number of the codes (first key most significant), so groups come out in
 * code order. Other groupings are hashed: a slot is taken, in order of first
 * appearance, for each distinct (codes, bucket, UTC offset), up to the
 * spec's group capacity, and found again through an open-addressing table.
 *
 * Buckets are of local time in the calendar's zone. Buckets shorter than a
 * day carry the UTC offset, so the hour repeated when clocks go back is two
 * buckets (01:00 EDT and 01:00 EST) and the hour skipped when they go forward
 * is none: a 23- or 25-hour day has 23 or 25 hourly buckets.
 * SPDX-License-Identifier: MIT
 */
#include "table-core.h"

#include <string.h>

#define DAY 86400

static int64_t floor_div(int64_t a, int64_t b)
{
    const int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static uint64_t mix(uint64_t h)
{
    /* splitmix64's finaliser */
    h ^= h >> 30;
    h *= UINT64_C(0xbf58476d1ce4e5b9);
    h ^= h >> 27;
    h *= UINT64_C(0x94d049bb133111eb);
    return h ^ (h >> 31);
}

static uint64_t key_hash(const tbl_gkey *k)
{
    return mix(k->combo ^ mix((uint64_t)k->ordinal ^ ((uint64_t)(uint32_t)k->offset << 40)));
}

static bool key_equal(const tbl_gkey *a, const tbl_gkey *b)
{
    return a->combo == b->combo && a->ordinal == b->ordinal && a->offset == b->offset;
}

cm_status cm__groupings_setup(cm_table_report *r, uint64_t group_capacity)
{
    size_t base = 0;
    for (size_t gi = 0; gi < r->ngroupings; gi++) {
        tbl_grouping *g = &r->groupings[gi];
        g->nkeys = 0;
        uint64_t combos = 1;
        bool big = false;
        for (uint32_t k = 0; k < CM_TABLE_MAX_KEYS; k++) {
            if ((g->g.keys >> k) & 1u)
                g->key[g->nkeys++] = k;
        }
        /* Strides: the last key varies fastest. */
        for (uint32_t j = g->nkeys; j-- > 0;) {
            g->stride[j] = combos;
            const uint64_t card = r->keys[g->key[j]].cardinality;
            if (combos > UINT64_MAX / card) {
                big = true;
                combos = UINT64_MAX;
            } else {
                combos *= card;
            }
        }
        if (big)
            return CM_EOVERFLOW;
        g->combos = combos;
        g->hashed = g->g.bucket != CM_TABLE_BUCKET_NONE || combos > TBL_DENSE_MAX;
        g->capacity = !g->hashed          ? (size_t)combos
                      : g->g.capacity > 0 ? (size_t)g->g.capacity
                                          : (size_t)group_capacity;
        g->base = base;
        g->used = 0;
        g->last_slot = SIZE_MAX;
        if (base > SIZE_MAX - g->capacity)
            return CM_EOVERFLOW;
        base += g->capacity;
    }
    r->ngroups = base;
    return CM_OK;
}

void cm__bucket_of(cm_table_report *r, const tbl_grouping *g, cm_time t, int64_t *ordinal,
                   int32_t *offset)
{
    const int32_t off = cm__zone_offset(&r->zone, t);
    const int64_t local = t + off;
    const int64_t days = floor_div(local, DAY);
    *offset = 0;
    switch (g->g.bucket) {
    case CM_TABLE_BUCKET_MINUTES:
    case CM_TABLE_BUCKET_HOUR: {
        const int64_t len = g->g.bucket == CM_TABLE_BUCKET_HOUR ? 3600 : 60 * (int64_t)g->g.minutes;
        *ordinal = floor_div(local, len);
        *offset = off;
        return;
    }
    case CM_TABLE_BUCKET_DAY:
        *ordinal = days;
        return;
    case CM_TABLE_BUCKET_WEEK:
        *ordinal = floor_div(days + 3, 7); /* weeks from Monday 1969-12-29 */
        return;
    case CM_TABLE_BUCKET_MONTH: {
        int64_t y;
        int32_t m, d;
        cm__civil_from_days(days, &y, &m, &d);
        *ordinal = (y - 1970) * 12 + (m - 1);
        return;
    }
    case CM_TABLE_BUCKET_TIME_OF_DAY:
        *ordinal = (local - days * DAY) / (60 * (int64_t)g->g.minutes);
        return;
    case CM_TABLE_BUCKET_WEEKDAY:
        *ordinal = days + 3 - 7 * floor_div(days + 3, 7) + 1; /* 1970-01-01 was a Thursday */
        return;
    default:
        *ordinal = 0;
        return;
    }
}

size_t cm__hashed_find(const tbl_grouping *g, const tbl_gkey *k)
{
    size_t i = (size_t)key_hash(k) & g->table_mask;
    for (;;) {
        const uint32_t e = g->table[i];
        if (e == 0)
            return SIZE_MAX;
        if (key_equal(&g->slot_key[e - 1], k))
            return e - 1;
        i = (i + 1) & g->table_mask;
    }
}

size_t cm__hashed_slot(tbl_grouping *g, const tbl_gkey *k)
{
    if (g->last_slot != SIZE_MAX && key_equal(&g->last_key, k))
        return g->last_slot;
    size_t i = (size_t)key_hash(k) & g->table_mask;
    for (;;) {
        const uint32_t e = g->table[i];
        if (e == 0)
            break;
        if (key_equal(&g->slot_key[e - 1], k)) {
            g->last_slot = e - 1;
            g->last_key = *k;
            return e - 1;
        }
        i = (i + 1) & g->table_mask;
    }
    if (g->used == g->capacity)
        return SIZE_MAX;
    const size_t s = g->used++;
    g->slot_key[s] = *k;
    g->slot_key[s].used = 1;
    g->table[i] = (uint32_t)(s + 1);
    g->last_slot = s;
    g->last_key = *k;
    return s;
}

void cm__slot_identity(const cm_table_report *r, const tbl_grouping *g, size_t slot,
                       uint32_t codes[CM_TABLE_MAX_KEYS], int64_t *ordinal, int32_t *offset)
{
    uint64_t combo;
    if (g->hashed) {
        const tbl_gkey *k = &g->slot_key[slot];
        combo = k->combo;
        *ordinal = k->ordinal;
        *offset = k->offset;
    } else {
        combo = slot;
        *ordinal = 0;
        *offset = 0;
    }
    for (size_t k = 0; k < CM_TABLE_MAX_KEYS; k++)
        codes[k] = CM_TABLE_ALL_CODES;
    for (uint32_t j = 0; j < g->nkeys; j++) {
        const uint32_t key = g->key[j];
        codes[key] = (uint32_t)((combo / g->stride[j]) % r->keys[key].cardinality);
    }
}

size_t cm__slot_for(cm_table_report *r, size_t gi, const uint32_t codes[CM_TABLE_MAX_KEYS],
                    int64_t ordinal, int32_t offset)
{
    tbl_grouping *g = &r->groupings[gi];
    uint64_t combo = 0;
    for (uint32_t j = 0; j < g->nkeys; j++)
        combo += codes[g->key[j]] * g->stride[j];
    if (!g->hashed)
        return g->base + (size_t)combo;
    const tbl_gkey k = {combo, ordinal, offset, 0};
    const size_t s = cm__hashed_slot(g, &k);
    return s == SIZE_MAX ? SIZE_MAX : g->base + s;
}

size_t cm__slot_grouping(const cm_table_report *r, size_t slot)
{
    size_t gi = 0;
    while (gi + 1 < r->ngroupings && slot >= r->groupings[gi + 1].base)
        gi++;
    return gi;
}

/* The first instant of local wall time `local` (seconds), as RFC 5545 and
 * java.time resolve it: in a gap, moved forward by the gap; when repeated, the
 * first occurrence. */
static cm_time from_local(const cm_table_report *r, int64_t local)
{
    if (r->zone.tz == NULL)
        return local;
    const int64_t days = floor_div(local, DAY);
    const int64_t secs = local - days * DAY;
    int64_t y;
    cm_civil c = {0};
    cm__civil_from_days(days, &y, &c.month, &c.day);
    c.year = (int32_t)y;
    c.hour = (int32_t)(secs / 3600);
    c.minute = (int32_t)(secs / 60 % 60);
    c.second = (int32_t)(secs % 60);
    cm_time t;
    if (y < 1 || y > 9999 || cm_tz_from_local(r->zone.tz, &c, &t) != CM_OK)
        return local; /* the edges of the years 1..9999: the UTC reading */
    return t;
}

void cm__slot_describe(cm_table_report *r, size_t gi, size_t slot, cm_table_group *out)
{
    const tbl_grouping *g = &r->groupings[gi];
    int64_t ordinal;
    int32_t offset;
    memset(out, 0, sizeof *out);
    out->grouping = (uint32_t)gi;
    cm__slot_identity(r, g, slot - g->base, out->codes, &ordinal, &offset);
    out->start = CM_TABLE_NO_TIME;
    out->end = CM_TABLE_NO_TIME;
    out->slot = ordinal;
    switch (g->g.bucket) {
    case CM_TABLE_BUCKET_MINUTES:
    case CM_TABLE_BUCKET_HOUR: {
        const int64_t len = g->g.bucket == CM_TABLE_BUCKET_HOUR ? 3600 : 60 * (int64_t)g->g.minutes;
        out->start = ordinal * len - offset;
        out->end = out->start + len;
        out->utc_offset = offset;
        break;
    }
    case CM_TABLE_BUCKET_DAY:
        out->start = from_local(r, ordinal * DAY);
        out->end = from_local(r, (ordinal + 1) * DAY);
        break;
    case CM_TABLE_BUCKET_WEEK:
        out->start = from_local(r, (ordinal * 7 - 3) * DAY);
        out->end = from_local(r, (ordinal * 7 + 4) * DAY);
        break;
    case CM_TABLE_BUCKET_MONTH: {
        const int64_t y = 1970 + floor_div(ordinal, 12);
        const int32_t m = (int32_t)(ordinal - 12 * floor_div(ordinal, 12)) + 1;
        const int64_t first = cm__days_from_civil(y, m, 1);
        const int64_t next =
            m == 12 ? cm__days_from_civil(y + 1, 1, 1) : cm__days_from_civil(y, m + 1, 1);
        out->start = from_local(r, first * DAY);
        out->end = from_local(r, next * DAY);
        break;
    }
    default:
        break;
    }
    if (out->start != CM_TABLE_NO_TIME && g->g.bucket != CM_TABLE_BUCKET_MINUTES &&
        g->g.bucket != CM_TABLE_BUCKET_HOUR)
        out->utc_offset = cm__zone_offset(&r->zone, out->start);
}
