/*
 * Merging ticket-table reports, directly or through their portable bytes.
 *
 * Two reports merge when their specs are equal: the fingerprint, canonical
 * bytes of everything that decides what a group holds (keys by name,
 * cardinality and width, groupings, priority levels, quantile settings,
 * thresholds, survey scales, SLA targets, the judging instant, capacities
 * of hashed groupings), is the same. Labels are not in it: groups are
 * matched by label, through a map from the source's codes to the
 * destination's, adding labels the destination lacks.
 *
 * Bytes, version 1, little-endian, in the frame of serial-internal.h:
 *   u32 fingerprint length, fingerprint
 *   u64 rows, bad rows; i64 latest; u8 broken; u8 seen[12]
 *   u32 bad rows kept; each: u64 row, column[64], value[48], expected[80]
 *   per key: u32 labels; each: u8 length, bytes
 *   per grouping: u32 groups; each: u32 slot, u64 combination, i64 ordinal,
 *       i32 offset, the accumulators (u64 each, see put_acc()), and per
 *       sketch metric u32 length + the sketch's own bytes
 *   u64 kept; per kept ticket: u32 value per kept metric, u32 slot per grouping
 *   u64 open; per open ticket: i64 breach per SLA metric, u8 level, u32 slot
 *       per grouping
 * Slots are the writer's; the reader maps them through the group list.
 * SPDX-License-Identifier: MIT
 */
#include "table-core.h"

#include <string.h>

#include "serial-internal.h"

#define TABLE_FORMAT 1
#define ACC_WORDS    135

/* ---- byte writer and reader ----------------------------------------------------- */

typedef struct writer {
    uint8_t *p; /* NULL: measure only */
    size_t len, cap;
} writer;

static void put(writer *w, const void *src, size_t n)
{
    if (w->p != NULL && n <= w->cap - w->len && w->len <= w->cap)
        memcpy(w->p + w->len, src, n);
    w->len += n;
}

static void put_u8(writer *w, uint8_t v)
{
    put(w, &v, 1);
}

static void put_u32(writer *w, uint32_t v)
{
    uint8_t b[4];
    cm__put_u32le(b, v);
    put(w, b, 4);
}

static void put_u64(writer *w, uint64_t v)
{
    uint8_t b[8];
    cm__put_u64le(b, v);
    put(w, b, 8);
}

typedef struct reader {
    const uint8_t *p;
    size_t len, at;
    bool bad;
} reader;

static const uint8_t *take(reader *r, size_t n)
{
    if (r->bad || n > r->len - r->at) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *p = r->p + r->at;
    r->at += n;
    return p;
}

static uint8_t get_u8(reader *r)
{
    const uint8_t *p = take(r, 1);
    return p != NULL ? p[0] : 0;
}

static uint32_t get_u32(reader *r)
{
    const uint8_t *p = take(r, 4);
    return p != NULL ? cm__get_u32le(p) : 0;
}

static uint64_t get_u64(reader *r)
{
    const uint8_t *p = take(r, 8);
    return p != NULL ? cm__get_u64le(p) : 0;
}

/* ---- the fingerprint ----------------------------------------------------------------- */

static uint64_t bits(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

cm_status cm__table_fingerprint(cm_table_report *r)
{
    const cm_table_spec *s = &r->spec;
    writer w = {r->fingerprint, 0, r->fingerprint_cap};
    put(&w, "CMTABLE1", 8);
    put_u32(&w, r->flags);
    put_u32(&w, (uint32_t)r->nkeys);
    for (size_t k = 0; k < r->nkeys; k++) {
        const size_t n = strlen(r->keys[k].name);
        put_u8(&w, (uint8_t)n);
        put(&w, r->keys[k].name, n);
        put_u32(&w, r->keys[k].cardinality);
        put_u32(&w, r->keys[k].width);
    }
    put_u32(&w, (uint32_t)r->ngroupings);
    for (size_t g = 0; g < r->ngroupings; g++) {
        const tbl_grouping *gr = &r->groupings[g];
        put_u32(&w, gr->g.keys);
        put_u32(&w, gr->g.bucket);
        put_u32(&w, gr->g.minutes);
        put_u64(&w, gr->capacity);
    }
    put_u32(&w, (uint32_t)r->priority_key);
    if (r->priority_key >= 0) {
        const uint32_t card = r->keys[r->priority_key].cardinality;
        for (uint32_t c = 0; c < card; c++)
            put_u8(&w, s->priority_levels != NULL ? s->priority_levels[c] : (uint8_t)c);
    }
    put_u64(&w, (uint64_t)s->as_of);
    put_u32(&w, r->quantile_mode);
    put_u32(&w, r->quantile_metrics);
    put_u32(&w, r->duration_metrics);
    put_u32(&w, (uint32_t)r->nquantiles);
    for (size_t i = 0; i < r->nquantiles; i++)
        put_u64(&w, bits(r->quantiles[i]));
    put_u64(&w, bits(s->short_abandon_seconds));
    put_u64(&w, bits(s->service_target_seconds));
    cm_csat csat;
    cm_ces ces;
    CM_TRY(cm__table_surveys(s, &csat, &ces));
    put_u8(&w, csat.scale);
    put_u8(&w, csat.satisfied_min);
    put_u8(&w, ces.scale);
    put_u8(&w, ces.easy_min);
    put_u8(&w, ces.easy_max);
    put_u8(&w, s->calendar != NULL);
    put_u8(&w, r->has_policy);
    for (size_t m = 0; m < TBL_SLA_METRICS; m++) {
        for (size_t l = 0; l < TBL_LEVELS; l++) {
            put_u64(&w, (uint64_t)r->target[m][l].seconds);
            put_u8(&w, r->target[m][l].business);
        }
    }
    put_u64(&w, r->open_capacity > 0);
    CM_REQUIRE(w.len <= w.cap, CM_EOVERFLOW);
    r->fingerprint_len = w.len;
    return CM_OK;
}

/* ---- accumulators as words ------------------------------------------------------------ */

/* Every field of an accumulator, in a fixed order; `load` copies words back. */
static void acc_words(tbl_acc *a, uint64_t *words, bool load)
{
    uint64_t *fields[ACC_WORDS];
    size_t n = 0;
    uint64_t *counts[] = {
        &a->rows,    &a->tickets,    &a->abandoned,  &a->replied,      &a->solved,      &a->fcr_den,
        &a->fcr_num, &a->reopen_den, &a->reopen_num, &a->esc_den,      &a->esc_num,     &a->offered,
        &a->lost,    &a->lost_short, &a->handled,    &a->handle_us[0], &a->handle_us[1]};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
        fields[n++] = counts[i];
    fields[n++] = (uint64_t *)(void *)&a->first_created;
    fields[n++] = (uint64_t *)(void *)&a->last_created;
    for (size_t l = 0; l < TBL_LEVELS; l++) {
        fields[n++] = &a->within_judged[l];
        fields[n++] = &a->within_met[l];
    }
    for (size_t m = 0; m < CM_TABLE_DURATION_COUNT; m++) {
        fields[n++] = &a->dur[m].n;
        fields[n++] = &a->dur[m].sum;
        fields[n++] = (uint64_t *)(void *)&a->dur[m].min;
        fields[n++] = (uint64_t *)(void *)&a->dur[m].max;
    }
    for (size_t m = 0; m < TBL_SLA_METRICS; m++) {
        for (size_t l = 0; l < TBL_LEVELS; l++) {
            tbl_sla *s = &a->sla[m][l];
            fields[n++] = &s->achieved;
            fields[n++] = &s->breached;
            fields[n++] = &s->open;
            fields[n++] = &s->stopped;
            fields[n++] = &s->stopped_sum;
        }
    }
    for (size_t i = 0; i < CM_CSAT_MAX_SCALE; i++)
        fields[n++] = &a->csat.counts[i];
    for (size_t i = 0; i < 11; i++)
        fields[n++] = &a->nps.counts[i];
    for (size_t i = 0; i < CM_CES_MAX_SCALE; i++)
        fields[n++] = &a->ces.counts[i];
    cm_contact *c = &a->contact;
    uint64_t *contact[] = {&c->offered,          &c->answered,          &c->answered_within,
                           &c->abandoned,        &c->abandoned_within,  &c->abandoned_short,
                           &c->answered_wait_ms, &c->abandoned_wait_ms, &c->handle_ms};
    for (size_t i = 0; i < sizeof contact / sizeof contact[0]; i++)
        fields[n++] = contact[i];
    for (size_t i = 0; i < n; i++) {
        if (load)
            *fields[i] = words[i];
        else
            words[i] = *fields[i];
    }
}

/* Whether adding s into d would overflow a count or a sum. */
static bool acc_overflows(const tbl_acc *d, const tbl_acc *s)
{
    uint64_t a[ACC_WORDS], b[ACC_WORDS];
    acc_words((tbl_acc *)(uintptr_t)d, a, false);
    acc_words((tbl_acc *)(uintptr_t)s, b, false);
    for (size_t i = 0; i < ACC_WORDS; i++) {
        uint64_t sum;
        const bool instant = i == 17 || i == 18;                     /* first / last created */
        const bool extreme = i >= 29 && i < 45 && (i - 29) % 4 >= 2; /* duration min / max */
        const bool handle = i == 15 || i == 16;                      /* 128 bits: cannot overflow */
        if (instant || extreme || handle)
            continue;
        if (__builtin_add_overflow(a[i], b[i], &sum))
            return true;
    }
    return false;
}

/* ---- merging ------------------------------------------------------------------------------ */

/* The destination code of each source label of key k into dst->remap[k] (UINT32_MAX
 * for labels dst lacks); with `apply`, the missing labels are added first. */
static cm_status map_labels(cm_table_report *dst, size_t k, const char *const *labels, uint32_t n,
                            bool apply)
{
    const tbl_key *key = &dst->keys[k];
    uint32_t missing = 0;
    for (uint32_t c = 0; c < n; c++) {
        const size_t len = strlen(labels[c]);
        int64_t at = cm__table_find_label(dst, k, labels[c], len);
        if (at < 0) {
            missing++;
            if (apply)
                at = cm__table_add_label(dst, k, labels[c], len);
        }
        dst->remap[k][c] = at < 0 ? UINT32_MAX : (uint32_t)at;
    }
    CM_REQUIRE(key->nlabels + (apply ? 0 : missing) <= key->cardinality, CM_ENOSPC);
    return CM_OK;
}

/* Labels of a report's key, as an array of pointers into the tile's scratch: at most
 * the key's cardinality, kept in the caller-provided array. */
static void label_list(const cm_table_report *r, size_t k, const char **out)
{
    for (uint32_t c = 0; c < r->keys[k].nlabels; c++)
        out[c] = cm__table_label(r, k, c);
}

/* Slot in dst of the group of grouping gi with a source-coded identity; without
 * `insert`, SIZE_MAX when dst lacks it (or a label of it). */
static size_t mapped_slot(cm_table_report *dst, size_t gi, const uint32_t codes[], int64_t ordinal,
                          int32_t offset, bool insert)
{
    uint32_t mapped[CM_TABLE_MAX_KEYS];
    const tbl_grouping *g = &dst->groupings[gi];
    for (size_t k = 0; k < CM_TABLE_MAX_KEYS; k++)
        mapped[k] = codes[k];
    for (uint32_t j = 0; j < g->nkeys; j++) {
        const uint32_t key = g->key[j];
        mapped[key] = dst->remap[key][codes[key]];
        if (mapped[key] == UINT32_MAX)
            return SIZE_MAX;
    }
    if (insert)
        return cm__slot_for(dst, gi, mapped, ordinal, offset);
    uint64_t combo = 0;
    for (uint32_t j = 0; j < g->nkeys; j++)
        combo += mapped[g->key[j]] * g->stride[j];
    if (!g->hashed)
        return g->base + (size_t)combo;
    const tbl_gkey key = {combo, ordinal, offset, 0};
    const size_t s = cm__hashed_find(g, &key);
    return s == SIZE_MAX ? SIZE_MAX : g->base + s;
}

static void merge_bad(cm_table_report *dst, const cm_table_bad_row *bad, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cm__table_keep_bad(dst, &bad[i]);
}

static void merge_totals(cm_table_report *dst, uint64_t rows, uint64_t bad, cm_time latest,
                         const bool seen[CM_TABLE_COLUMN_COUNT], bool broken)
{
    dst->rows += rows;
    dst->bad_rows += bad;
    if (latest != CM_TABLE_NO_TIME && (dst->latest == CM_TABLE_NO_TIME || latest > dst->latest))
        dst->latest = latest;
    for (size_t i = 0; i < CM_TABLE_COLUMN_COUNT; i++)
        dst->seen[i] |= seen[i];
    dst->broken |= broken;
    dst->finished = false;
}

/* Room for n more open tickets, compacting first when needed. */
static bool open_room(cm_table_report *dst, uint64_t n)
{
    if (n <= dst->open_capacity - dst->nopen)
        return true;
    cm__table_compact_open(dst);
    return n <= dst->open_capacity - dst->nopen;
}

cm_status cm_table_report_merge(cm_table_report *dst, const cm_table_report *src)
{
    CM_REQUIRE(dst != NULL && src != NULL && dst != src, CM_EINVAL);
    CM_REQUIRE(dst->fingerprint_len == src->fingerprint_len &&
                   memcmp(dst->fingerprint, src->fingerprint, dst->fingerprint_len) == 0,
               CM_EINVAL);
    /* Check everything first: labels, groups, kept durations, open tickets, overflow. */
    for (size_t k = 0; k < dst->nkeys; k++) {
        label_list(src, k, dst->label_ptrs);
        CM_TRY(map_labels(dst, k, dst->label_ptrs, src->keys[k].nlabels, false));
    }
    for (size_t gi = 0; gi < src->ngroupings; gi++) {
        const tbl_grouping *g = &src->groupings[gi];
        const size_t slots = g->hashed ? g->used : g->capacity;
        size_t fresh = 0;
        for (size_t s = 0; s < slots; s++) {
            const tbl_acc *a = &src->acc[g->base + s];
            if (cm__table_acc_empty(a))
                continue;
            uint32_t codes[CM_TABLE_MAX_KEYS];
            int64_t ordinal;
            int32_t offset;
            cm__slot_identity(src, g, s, codes, &ordinal, &offset);
            const size_t d = mapped_slot(dst, gi, codes, ordinal, offset, false);
            if (d == SIZE_MAX)
                fresh++;
            else
                CM_REQUIRE(!acc_overflows(&dst->acc[d], a), CM_EOVERFLOW);
        }
        CM_REQUIRE(fresh <= dst->groupings[gi].capacity - dst->groupings[gi].used, CM_ENOSPC);
    }
    CM_REQUIRE(src->kept <= dst->row_capacity - dst->kept, CM_ENOSPC);
    if (src->nopen > 0)
        CM_REQUIRE(open_room(dst, src->nopen), CM_ENOSPC);
    for (size_t k = 0; k < dst->nkeys; k++) {
        label_list(src, k, dst->label_ptrs);
        (void)map_labels(dst, k, dst->label_ptrs, src->keys[k].nlabels, true);
    }
    /* Apply. Labels were added above; nothing below can fail. */
    for (size_t gi = 0; gi < src->ngroupings; gi++) {
        const tbl_grouping *g = &src->groupings[gi];
        const size_t slots = g->hashed ? g->used : g->capacity;
        for (size_t s = 0; s < slots; s++) {
            const size_t from = g->base + s;
            if (cm__table_acc_empty(&src->acc[from]))
                continue;
            uint32_t codes[CM_TABLE_MAX_KEYS];
            int64_t ordinal;
            int32_t offset;
            cm__slot_identity(src, g, s, codes, &ordinal, &offset);
            const size_t d = mapped_slot(dst, gi, codes, ordinal, offset, true);
            dst->slot_map[from] = (uint32_t)d;
            cm__table_add_acc(&dst->acc[d], &src->acc[from]);
            for (size_t k = 0; k < dst->nsketch; k++)
                CM_CANNOT_FAIL(cm_sketch_merge(&dst->sketches[d * dst->nsketch + k],
                                               &src->sketches[from * src->nsketch + k]));
        }
    }
    const size_t end = (size_t)dst->kept;
    for (size_t j = 0; j < dst->nkept; j++)
        memcpy(dst->kept_value[j] + end, src->kept_value[j], (size_t)src->kept * sizeof(uint32_t));
    for (size_t gi = 0; gi < dst->ngroupings; gi++) {
        uint32_t *to = dst->kept_slot[gi];
        const uint32_t *from = src->kept_slot[gi];
        for (size_t i = 0; to != NULL && i < src->kept; i++)
            to[end + i] = dst->slot_map[from[i]];
    }
    dst->kept += src->kept;
    for (size_t i = 0; i < src->nopen; i++) {
        const size_t at = (size_t)dst->nopen + i;
        dst->open[at] = src->open[i];
        for (size_t gi = 0; gi < dst->ngroupings; gi++)
            dst->open_slot[gi][at] = dst->slot_map[src->open_slot[gi][i]];
    }
    dst->nopen += src->nopen;
    merge_bad(dst, src->bad, src->bad_kept);
    merge_totals(dst, src->rows, src->bad_rows, src->latest, src->seen, src->broken);
    return CM_OK;
}

/* ---- serialization --------------------------------------------------------------------------- */

static void put_bad(writer *w, const cm_table_bad_row *b)
{
    put_u64(w, b->row);
    put(w, b->column, sizeof b->column);
    put(w, b->value, sizeof b->value);
    put(w, b->expected, sizeof b->expected);
}

static void write_report(const cm_table_report *r, writer *w)
{
    uint8_t head[CM__SERIAL_HEADER];
    cm__serial_begin(head, CM__SERIAL_TABLE, TABLE_FORMAT);
    put(w, head, sizeof head);
    put_u32(w, (uint32_t)r->fingerprint_len);
    put(w, r->fingerprint, r->fingerprint_len);
    put_u64(w, r->rows);
    put_u64(w, r->bad_rows);
    put_u64(w, (uint64_t)r->latest);
    put_u8(w, r->broken);
    for (size_t i = 0; i < CM_TABLE_COLUMN_COUNT; i++)
        put_u8(w, r->seen[i]);
    put_u32(w, (uint32_t)r->bad_kept);
    for (size_t i = 0; i < r->bad_kept; i++)
        put_bad(w, &r->bad[i]);
    for (size_t k = 0; k < r->nkeys; k++) {
        put_u32(w, r->keys[k].nlabels);
        for (uint32_t c = 0; c < r->keys[k].nlabels; c++) {
            const char *l = cm__table_label(r, k, c);
            const size_t n = strlen(l);
            put_u8(w, (uint8_t)n);
            put(w, l, n);
        }
    }
    for (size_t gi = 0; gi < r->ngroupings; gi++) {
        const tbl_grouping *g = &r->groupings[gi];
        const size_t slots = g->hashed ? g->used : g->capacity;
        uint32_t groups = 0;
        for (size_t s = 0; s < slots; s++)
            groups += !cm__table_acc_empty(&r->acc[g->base + s]);
        put_u32(w, groups);
        for (size_t s = 0; s < slots; s++) {
            const size_t slot = g->base + s;
            tbl_acc *a = &r->acc[slot];
            if (cm__table_acc_empty(a))
                continue;
            put_u32(w, (uint32_t)slot);
            if (g->hashed) {
                put_u64(w, g->slot_key[s].combo);
                put_u64(w, (uint64_t)g->slot_key[s].ordinal);
                put_u32(w, (uint32_t)g->slot_key[s].offset);
            } else {
                put_u64(w, s);
                put_u64(w, 0);
                put_u32(w, 0);
            }
            uint64_t words[ACC_WORDS];
            acc_words(a, words, false);
            for (size_t i = 0; i < ACC_WORDS; i++)
                put_u64(w, words[i]);
            for (size_t k = 0; k < r->nsketch; k++) {
                uint8_t sk[CM_SKETCH_SERIALIZED_MAX];
                size_t n = 0;
                CM_CANNOT_FAIL(
                    cm_sketch_serialize(&r->sketches[slot * r->nsketch + k], sk, sizeof sk, &n));
                put_u32(w, (uint32_t)n);
                put(w, sk, n);
            }
        }
    }
    /* Kept durations: one room check for all of them (measuring only adds). */
    put_u64(w, r->kept);
    const size_t kept = (size_t)r->kept, row_bytes = 4 * (r->nkept + r->ngroupings);
    if (w->p != NULL && w->len <= w->cap && row_bytes > 0 &&
        kept <= (w->cap - w->len) / row_bytes) {
        uint8_t *o = w->p + w->len;
        for (size_t i = 0; i < kept; i++) {
            for (size_t j = 0; j < r->nkept; j++, o += 4)
                cm__put_u32le(o, r->kept_value[j][i]);
            for (size_t gi = 0; gi < r->ngroupings; gi++, o += 4)
                cm__put_u32le(o, r->kept_slot[gi] != NULL ? r->kept_slot[gi][i]
                                                          : (uint32_t)r->groupings[gi].base);
        }
    }
    w->len += kept * row_bytes;
    put_u64(w, r->nopen);
    for (size_t i = 0; i < r->nopen; i++) {
        for (size_t m = 0; m < TBL_SLA_METRICS; m++)
            put_u64(w, (uint64_t)r->open[i].breach[m]);
        put_u8(w, r->open[i].level);
        for (size_t gi = 0; gi < r->ngroupings; gi++)
            put_u32(w, r->open_slot[gi][i]);
    }
    put_u32(w, 0); /* the CRC's place */
}

cm_status cm_table_report_serialize(const cm_table_report *report, uint8_t *buf, size_t cap,
                                    size_t *len)
{
    CM_REQUIRE(report != NULL && len != NULL && (buf != NULL || cap == 0), CM_EINVAL);
    writer measure = {NULL, 0, 0};
    write_report(report, &measure);
    if (measure.len > cap) {
        *len = measure.len;
        return CM_ENOSPC;
    }
    writer w = {buf, 0, cap};
    write_report(report, &w);
    cm__serial_end(buf, w.len);
    *len = w.len;
    return CM_OK;
}

/* ---- reading bytes ------------------------------------------------------------------------------ */

/* A source slot's destination, learned from the group list (UINT32_MAX: none). */
static bool valid_src_slot(const cm_table_report *dst, uint32_t slot)
{
    return slot < dst->ngroups && dst->slot_map[slot] != UINT32_MAX;
}

/*
 * Reads the bytes; with apply false only checks them and the room they need, with
 * apply true merges them (after a successful check, so nothing can fail).
 */
static cm_status read_report(cm_table_report *dst, const uint8_t *buf, size_t len, bool apply)
{
    reader rd = {buf, len - CM__SERIAL_TRAILER, CM__SERIAL_HEADER, false};
    const uint32_t flen = get_u32(&rd);
    const uint8_t *fp = take(&rd, flen);
    CM_REQUIRE(!rd.bad, CM_EPARSE);
    CM_REQUIRE(flen == dst->fingerprint_len && memcmp(fp, dst->fingerprint, flen) == 0, CM_EINVAL);
    const uint64_t rows = get_u64(&rd), bad = get_u64(&rd);
    const cm_time latest = (cm_time)get_u64(&rd);
    const uint8_t broken = get_u8(&rd);
    bool seen[CM_TABLE_COLUMN_COUNT];
    for (size_t i = 0; i < CM_TABLE_COLUMN_COUNT; i++)
        seen[i] = get_u8(&rd) != 0;
    const uint32_t nbad = get_u32(&rd);
    CM_REQUIRE(!rd.bad && nbad <= CM_TABLE_BAD_ROWS_KEPT && bad <= rows && broken <= 1, CM_EPARSE);
    CM_REQUIRE(latest == CM_TABLE_NO_TIME ||
                   (latest >= CM_CALENDAR_TIME_MIN && latest <= CM_CALENDAR_TIME_MAX),
               CM_EPARSE);
    cm_table_bad_row badrows[CM_TABLE_BAD_ROWS_KEPT];
    for (uint32_t i = 0; i < nbad; i++) {
        cm_table_bad_row *b = &badrows[i];
        b->row = get_u64(&rd);
        const uint8_t *col = take(&rd, sizeof b->column), *val = take(&rd, sizeof b->value),
                      *exp = take(&rd, sizeof b->expected);
        CM_REQUIRE(!rd.bad, CM_EPARSE);
        memcpy(b->column, col, sizeof b->column);
        memcpy(b->value, val, sizeof b->value);
        memcpy(b->expected, exp, sizeof b->expected);
        CM_REQUIRE(memchr(b->column, '\0', sizeof b->column) != NULL &&
                       memchr(b->value, '\0', sizeof b->value) != NULL &&
                       memchr(b->expected, '\0', sizeof b->expected) != NULL,
                   CM_EPARSE);
    }
    /* Labels. */
    for (size_t k = 0; k < dst->nkeys; k++) {
        const uint32_t n = get_u32(&rd);
        CM_REQUIRE(!rd.bad && n <= dst->keys[k].cardinality, CM_EPARSE);
        char *arena = dst->label_arena;
        for (uint32_t c = 0; c < n; c++) {
            const uint8_t l = get_u8(&rd);
            const uint8_t *p = take(&rd, l);
            CM_REQUIRE(!rd.bad && l >= 1 && l <= CM_TABLE_LABEL_MAX && memchr(p, '\0', l) == NULL,
                       CM_EPARSE);
            char *s = arena + (size_t)c * (CM_TABLE_LABEL_MAX + 1);
            memcpy(s, p, l);
            s[l] = '\0';
            dst->label_ptrs[c] = s;
            for (uint32_t e = 0; e < c; e++)
                CM_REQUIRE(strcmp(dst->label_ptrs[e], s) != 0, CM_EPARSE);
        }
        CM_TRY(map_labels(dst, k, dst->label_ptrs, n, apply));
        dst->src_labels[k] = n;
    }
    /* Groups. */
    if (!apply) {
        for (size_t i = 0; i < dst->ngroups; i++)
            dst->slot_map[i] = UINT32_MAX;
    }
    for (size_t gi = 0; gi < dst->ngroupings; gi++) {
        tbl_grouping *g = &dst->groupings[gi];
        const uint32_t groups = get_u32(&rd);
        CM_REQUIRE(!rd.bad && groups <= g->capacity, CM_EPARSE);
        size_t fresh = 0;
        for (uint32_t i = 0; i < groups; i++) {
            const uint32_t slot = get_u32(&rd);
            const uint64_t combo = get_u64(&rd);
            const int64_t ordinal = (int64_t)get_u64(&rd);
            const int32_t offset = (int32_t)get_u32(&rd);
            uint64_t words[ACC_WORDS];
            for (size_t k = 0; k < ACC_WORDS; k++)
                words[k] = get_u64(&rd);
            CM_REQUIRE(!rd.bad && slot >= g->base && slot < g->base + g->capacity &&
                           combo < g->combos,
                       CM_EPARSE);
            CM_REQUIRE(g->hashed || (combo == slot - g->base && ordinal == 0 && offset == 0),
                       CM_EPARSE);
            uint32_t codes[CM_TABLE_MAX_KEYS];
            for (size_t k = 0; k < CM_TABLE_MAX_KEYS; k++)
                codes[k] = CM_TABLE_ALL_CODES;
            for (uint32_t j = 0; j < g->nkeys; j++) {
                const uint32_t key = g->key[j];
                codes[key] = (uint32_t)((combo / g->stride[j]) % dst->keys[key].cardinality);
                CM_REQUIRE(codes[key] < dst->src_labels[key], CM_EPARSE);
            }
            tbl_acc a;
            memset(&a, 0, sizeof a);
            a.csat = dst->acc[0].csat;
            a.ces = dst->acc[0].ces;
            a.contact = dst->acc[0].contact;
            acc_words(&a, words, true);
            CM_REQUIRE(a.rows > 0, CM_EPARSE);
            cm_sketch sk[CM_TABLE_DURATION_COUNT];
            for (size_t k = 0; k < dst->nsketch; k++) {
                const uint32_t n = get_u32(&rd);
                const uint8_t *p = take(&rd, n);
                CM_REQUIRE(!rd.bad && cm_sketch_deserialize(p, n, &sk[k]) == CM_OK, CM_EPARSE);
            }
            const size_t d = mapped_slot(dst, gi, codes, ordinal, offset, apply);
            if (!apply) {
                CM_REQUIRE(dst->slot_map[slot] == UINT32_MAX, CM_EPARSE); /* listed once */
                dst->slot_map[slot] = 0;
                if (d == SIZE_MAX)
                    fresh++;
                else
                    CM_REQUIRE(!acc_overflows(&dst->acc[d], &a), CM_EOVERFLOW);
                continue;
            }
            dst->slot_map[slot] = (uint32_t)d;
            cm__table_add_acc(&dst->acc[d], &a);
            for (size_t k = 0; k < dst->nsketch; k++)
                CM_CANNOT_FAIL(cm_sketch_merge(&dst->sketches[d * dst->nsketch + k], &sk[k]));
        }
        if (!apply)
            CM_REQUIRE(fresh <= g->capacity - g->used, CM_ENOSPC);
    }
    /* Kept durations and open tickets. */
    const uint64_t kept = get_u64(&rd);
    CM_REQUIRE(!rd.bad, CM_EPARSE);
    CM_REQUIRE(kept <= dst->row_capacity - dst->kept, dst->nkept > 0 ? CM_ENOSPC : CM_EPARSE);
    /* Their bytes at once: kept rows of nkept values and ngroupings slots. */
    const size_t row_bytes = 4 * (dst->nkept + dst->ngroupings);
    CM_REQUIRE(kept == 0 || (row_bytes > 0 && kept <= (rd.len - rd.at) / row_bytes), CM_EPARSE);
    const uint8_t *kp = take(&rd, (size_t)kept * row_bytes);
    CM_REQUIRE(!rd.bad, CM_EPARSE);
    for (size_t i = 0; i < (size_t)kept; i++) {
        const size_t at = (size_t)dst->kept + i;
        for (size_t j = 0; j < dst->nkept; j++, kp += 4) {
            const uint32_t v = cm__get_u32le(kp);
            CM_REQUIRE(v == TBL_NO_VALUE || v <= TBL_MAX_DURATION, CM_EPARSE);
            if (apply)
                dst->kept_value[j][at] = v;
        }
        for (size_t gi = 0; gi < dst->ngroupings; gi++, kp += 4) {
            const uint32_t s = cm__get_u32le(kp);
            CM_REQUIRE(valid_src_slot(dst, s), CM_EPARSE);
            CM_REQUIRE(cm__slot_grouping(dst, s) == gi, CM_EPARSE);
            if (apply && dst->kept_slot[gi] != NULL)
                dst->kept_slot[gi][at] = dst->slot_map[s];
        }
    }
    const uint64_t nopen = get_u64(&rd);
    CM_REQUIRE(!rd.bad, CM_EPARSE);
    if (!apply && nopen > 0)
        CM_REQUIRE(dst->open_capacity > 0 && open_room(dst, nopen), CM_ENOSPC);
    for (uint64_t i = 0; i < nopen; i++) {
        tbl_open o;
        memset(&o, 0, sizeof o);
        for (size_t m = 0; m < TBL_SLA_METRICS; m++)
            o.breach[m] = (cm_time)get_u64(&rd);
        o.level = get_u8(&rd);
        CM_REQUIRE(!rd.bad && o.level >= 1 && o.level < TBL_LEVELS, CM_EPARSE);
        const size_t at = (size_t)(dst->nopen + i);
        for (size_t gi = 0; gi < dst->ngroupings; gi++) {
            const uint32_t s = get_u32(&rd);
            CM_REQUIRE(!rd.bad && valid_src_slot(dst, s) && cm__slot_grouping(dst, s) == gi,
                       CM_EPARSE);
            if (apply)
                dst->open_slot[gi][at] = dst->slot_map[s];
        }
        if (apply)
            dst->open[at] = o;
    }
    CM_REQUIRE(rd.at == rd.len, CM_EPARSE);
    if (apply) {
        dst->kept += kept;
        dst->nopen += nopen;
        merge_bad(dst, badrows, nbad);
        merge_totals(dst, rows, bad, latest, seen, broken != 0);
    }
    return CM_OK;
}

cm_status cm_table_report_merge_bytes(cm_table_report *dst, const uint8_t *buf, size_t len)
{
    CM_REQUIRE(dst != NULL && buf != NULL, CM_EINVAL);
    CM_REQUIRE(len >= CM__SERIAL_HEADER + CM__SERIAL_TRAILER, CM_EPARSE);
    CM_REQUIRE(cm__serial_check(buf, len, len, CM__SERIAL_TABLE, TABLE_FORMAT), CM_EPARSE);
    CM_TRY(read_report(dst, buf, len, false));
    return read_report(dst, buf, len, true);
}
