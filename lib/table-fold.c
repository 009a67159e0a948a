/*
 * The ticket-table engine's kernel: folding a block of rows.
 *
 * A block is handled in tiles of TBL_TILE rows. Before the rows of a tile
 * are read, the key codes are widened into the tile and every grouping's
 * slot is found for each row. Then one pass over the rows checks each row
 * (a bad row is flagged and skipped; after the pass the bad rows of the
 * tile are described), works out what a good row contributes (row_facts():
 * ticket or abandoned contact, reply, durations in calendar and business
 * time, survey answers, SLA states), and adds it
 *
 * - for the whole-history grouping, to counters held in registers, to
 *   interleaved survey histograms and to compacted arrays of waits and
 *   durations, which the library's _add_many functions take after the pass;
 * - for every other grouping, to the row's group.
 *
 * An absent column reads a tile-sized array of its "missing" value, so the
 * pass has no branch per column.
 *
 * Blocks are all or nothing: the capacity a block may need (groups of
 * hashed groupings, kept durations, undecided open tickets) is secured
 * before anything is folded.
 * SPDX-License-Identifier: MIT
 */
#include "table-core.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- reading columns -------------------------------------------------------- */

static uint32_t code_at(const void *col, uint32_t width, size_t i)
{
    switch (width) {
    case 1:
        return ((const uint8_t *)col)[i];
    case 2:
        return ((const uint16_t *)col)[i];
    default:
        return ((const uint32_t *)col)[i];
    }
}

static void load_codes(uint32_t *dst, const void *col, uint32_t width, size_t off, size_t n)
{
    if (width == 1) {
        const uint8_t *p = (const uint8_t *)col + off;
        for (size_t i = 0; i < n; i++)
            dst[i] = p[i];
    } else if (width == 2) {
        const uint16_t *p = (const uint16_t *)col + off;
        for (size_t i = 0; i < n; i++)
            dst[i] = p[i];
    } else {
        memcpy(dst, (const uint32_t *)col + off, n * sizeof *dst);
    }
}

static bool instant_ok(cm_time t)
{
    return (uint64_t)t - (uint64_t)CM_CALENDAR_TIME_MIN <=
           (uint64_t)(CM_CALENDAR_TIME_MAX - CM_CALENDAR_TIME_MIN);
}

/* A later instant of the row: missing, or not before creation, within the longest
 * duration, and within the calendars' years. Unsigned differences cannot overflow and
 * equal the true ones when the order is right. */
static bool later_ok(cm_time created, cm_time t)
{
    return (t == CM_TABLE_NO_TIME) |
           ((t >= created) & ((uint64_t)t - (uint64_t)created <= (uint64_t)TBL_MAX_DURATION) &
            (t <= CM_CALENDAR_TIME_MAX));
}

/* An answer first .. first + count - 1, or none. */
static bool survey_ok(unsigned v, unsigned first, unsigned count)
{
    return v - first < count || v == CM_SCORE_NONE;
}

static bool seconds_ok(double x)
{
    return !((x < 0.0) | (x > CM_TABLE_MAX_SECONDS)); /* NaN (none) passes */
}

/* ---- describing bad rows --------------------------------------------------------- */

static void put_instant(char *buf, size_t cap, cm_time t)
{
    char text[CM_TIME_FORMAT_SIZE];
    if (t == CM_TABLE_NO_TIME)
        snprintf(buf, cap, "(missing)");
    else if (cm_time_format(t, text, sizeof text) == CM_OK)
        snprintf(buf, cap, "%s", text);
    else
        snprintf(buf, cap, "%" PRId64, t);
}

/* Fills b with the first problem of row i (of the block), in column order. */
static void describe(const cm_table_report *r, const cm_table_columns *c, size_t i,
                     cm_table_bad_row *b)
{
    const cm_time cr = c->created[i];
    const char *col = NULL;
    char *v = b->value, *e = b->expected;
    const size_t vc = sizeof b->value, ec = sizeof b->expected;
    if (!instant_ok(cr)) {
        col = cm_table_column_name(CM_TABLE_COL_CREATED);
        put_instant(v, vc, cr);
        snprintf(e, ec, "an instant in the years 1..9999");
    } else if (c->first_reply != NULL && !later_ok(cr, c->first_reply[i])) {
        col = cm_table_column_name(CM_TABLE_COL_FIRST_REPLY);
        put_instant(v, vc, c->first_reply[i]);
        snprintf(e, ec, "none, or an instant from created_at to 20 years after it");
    } else if (c->solved != NULL && !later_ok(cr, c->solved[i])) {
        col = cm_table_column_name(CM_TABLE_COL_SOLVED);
        put_instant(v, vc, c->solved[i]);
        snprintf(e, ec, "none, or an instant from created_at to 20 years after it");
    } else if (c->contacts != NULL && c->contacts[i] - 1u >= CM_TABLE_MAX_CONTACTS) {
        col = cm_table_column_name(CM_TABLE_COL_CONTACTS);
        snprintf(v, vc, "%" PRIu32, c->contacts[i]);
        snprintf(e, ec, "a count of contacts 1..%u", CM_TABLE_MAX_CONTACTS);
    } else if (c->reopened != NULL && c->reopened[i] > 1) {
        col = cm_table_column_name(CM_TABLE_COL_REOPENED);
        snprintf(v, vc, "%u", c->reopened[i]);
        snprintf(e, ec, "0 or 1");
    } else if (c->escalated != NULL && c->escalated[i] > 1) {
        col = cm_table_column_name(CM_TABLE_COL_ESCALATED);
        snprintf(v, vc, "%u", c->escalated[i]);
        snprintf(e, ec, "0 or 1");
    } else if (c->abandoned != NULL && c->abandoned[i] > 1) {
        col = cm_table_column_name(CM_TABLE_COL_ABANDONED);
        snprintf(v, vc, "%u", c->abandoned[i]);
        snprintf(e, ec, "0 or 1");
    } else if (c->csat != NULL && !survey_ok(c->csat[i], 1, r->csat_scale)) {
        col = cm_table_column_name(CM_TABLE_COL_CSAT);
        snprintf(v, vc, "%u", c->csat[i]);
        snprintf(e, ec, "an answer 1..%u, or none", r->acc[0].csat.scale);
    } else if (c->nps != NULL && !survey_ok(c->nps[i], 0, 11)) {
        col = cm_table_column_name(CM_TABLE_COL_NPS);
        snprintf(v, vc, "%u", c->nps[i]);
        snprintf(e, ec, "an answer 0..10, or none");
    } else if (c->ces != NULL && !survey_ok(c->ces[i], 1, r->ces_scale)) {
        col = cm_table_column_name(CM_TABLE_COL_CES);
        snprintf(v, vc, "%u", c->ces[i]);
        snprintf(e, ec, "an answer 1..%u, or none", r->acc[0].ces.scale);
    } else if (c->wait_seconds != NULL && !seconds_ok(c->wait_seconds[i])) {
        col = cm_table_column_name(CM_TABLE_COL_WAIT);
        snprintf(v, vc, "%.15g", c->wait_seconds[i]);
        snprintf(e, ec, "seconds 0..1e9, or none");
    } else if (c->handle_seconds != NULL && !seconds_ok(c->handle_seconds[i])) {
        col = cm_table_column_name(CM_TABLE_COL_HANDLE);
        snprintf(v, vc, "%.15g", c->handle_seconds[i]);
        snprintf(e, ec, "seconds 0..1e9, or none");
    } else {
        for (size_t k = 0; k < r->nkeys; k++) {
            const tbl_key *key = &r->keys[k];
            const uint32_t code = code_at(c->keys[k], key->width, i);
            if (code >= key->nlabels) {
                col = key->name;
                snprintf(v, vc, "%" PRIu32, code);
                if (key->nlabels == 0)
                    snprintf(e, ec, "a code with a label (the key has none yet)");
                else
                    snprintf(e, ec, "a code with a label, 0..%" PRIu32, key->nlabels - 1);
                break;
            }
        }
    }
    snprintf(b->column, sizeof b->column, "%s", col != NULL ? col : "(unknown)");
}

/* SLA states of a row's instance. */
enum {
    ST_NONE = 0,     /* no target, not started */
    ST_MET = 1,      /* stopped within target */
    ST_LATE = 2,     /* stopped after target */
    ST_OPEN = 3,     /* running within target at the judging instant */
    ST_OVERDUE = 4,  /* running past due */
    ST_DEFERRED = 5, /* running; judged at the latest instant, at the end */
};

/* Elapsed time of [from, to) in the clock of a target. */
static int64_t target_elapsed(cm_table_report *r, const tbl_target *tg, cm_time from, cm_time to)
{
    if (tg->clock < 0)
        return to - from;
    return cm__clock_elapsed(&r->clocks[tg->clock], from, to);
}

/* The state of one SLA instance that started at `created` and stopped at `stop`
 * (CM_TABLE_NO_TIME while running), judged at `as_of` (explicit) or deferred. */
static uint8_t judge(cm_table_report *r, const tbl_target *tg, cm_time created, cm_time stop,
                     int64_t *elapsed, cm_time *breach)
{
    const cm_time as_of = r->spec.as_of;
    if (stop != CM_TABLE_NO_TIME) {
        *elapsed = target_elapsed(r, tg, created, stop);
        return *elapsed <= tg->seconds ? ST_MET : ST_LATE;
    }
    if (as_of != CM_TABLE_NO_TIME)
        return target_elapsed(r, tg, created, as_of) > tg->seconds ? ST_OVERDUE : ST_OPEN;
    /* Breached once the judging instant passes `breach`; the judging instant will be
     * at least the latest instant seen so far. */
    const cm_time b = tg->clock < 0 ? created + tg->seconds
                                    : cm__clock_breach(&r->clocks[tg->clock], created, tg->seconds);
    if (b < r->latest)
        return ST_OVERDUE;
    *breach = b;
    return ST_DEFERRED;
}

static cm_time before(cm_time a, cm_time b)
{
    if (a == CM_TABLE_NO_TIME)
        return b;
    if (b == CM_TABLE_NO_TIME)
        return a;
    return a < b ? a : b;
}

/* Instants after an explicit judging instant have not happened yet. */
static cm_time by_as_of(const cm_table_report *r, cm_time t)
{
    return r->spec.as_of != CM_TABLE_NO_TIME && t != CM_TABLE_NO_TIME && t > r->spec.as_of
               ? CM_TABLE_NO_TIME
               : t;
}

/* ---- group slots -------------------------------------------------------------------------- */

static void hashed_key(cm_table_report *r, tbl_grouping *g, const uint32_t *const *codes, size_t i,
                       cm_time created, tbl_gkey *k)
{
    uint64_t combo = 0;
    for (uint32_t j = 0; j < g->nkeys; j++)
        combo += codes[g->key[j]][i] * g->stride[j];
    k->combo = combo;
    k->used = 0;
    cm__bucket_of(r, g, created, &k->ordinal, &k->offset);
}

static void slots(cm_table_report *r, const cm_table_columns *c, size_t off, size_t n)
{
    tbl_tile *t = r->tile;
    const uint32_t *codes[CM_TABLE_MAX_KEYS];
    for (size_t k = 0; k < r->nkeys; k++)
        codes[k] = t->code[k];
    for (size_t gi = 0; gi < r->ngroupings; gi++) {
        tbl_grouping *g = &r->groupings[gi];
        uint32_t *slot = t->slot[gi];
        if (!g->hashed) {
            for (size_t i = 0; i < n; i++) {
                uint64_t combo = 0;
                for (uint32_t j = 0; j < g->nkeys; j++)
                    combo += codes[g->key[j]][i] * g->stride[j];
                /* A bad code would land outside the grouping: bad rows are never folded. */
                slot[i] = combo < g->combos ? (uint32_t)(g->base + combo) : (uint32_t)g->base;
            }
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            bool usable = instant_ok(c->created[off + i]);
            for (size_t key = 0; key < r->nkeys; key++)
                usable &= codes[key][i] < r->keys[key].nlabels;
            if (!usable) {
                slot[i] = (uint32_t)g->base; /* a bad row: never folded */
                continue;
            }
            tbl_gkey k;
            hashed_key(r, g, codes, i, c->created[off + i], &k);
            /* Secured by reserve_groups(): found, never inserted. */
            slot[i] = (uint32_t)(g->base + cm__hashed_slot(g, &k));
        }
    }
}

/* Restores a hashed grouping to its first `used` slots. */
static void rollback_grouping(tbl_grouping *g, size_t used)
{
    if (g->used == used)
        return;
    g->last_slot = SIZE_MAX;
    memset(g->table, 0, (g->table_mask + 1) * sizeof *g->table);
    const tbl_gkey *keys = g->slot_key;
    g->used = 0;
    for (size_t s = 0; s < used; s++)
        (void)cm__hashed_slot(g, &keys[s]); /* reinserts in the same order: same slots */
}

/* Takes the slots every usable row of the block needs in the hashed groupings. */
static cm_status reserve_groups(cm_table_report *r, const cm_table_columns *c)
{
    size_t used[CM_TABLE_MAX_GROUPINGS];
    bool any = false;
    for (size_t gi = 0; gi < r->ngroupings; gi++) {
        used[gi] = r->groupings[gi].used;
        any |= r->groupings[gi].hashed;
    }
    if (!any)
        return CM_OK;
    tbl_tile *t = r->tile;
    const uint32_t *codes[CM_TABLE_MAX_KEYS];
    for (size_t k = 0; k < r->nkeys; k++)
        codes[k] = t->code[k];
    for (size_t off = 0; off < c->rows; off += TBL_TILE) {
        const size_t n = c->rows - off < TBL_TILE ? c->rows - off : TBL_TILE;
        for (size_t i = 0; i < n; i++)
            t->bad[i] = !instant_ok(c->created[off + i]);
        for (size_t k = 0; k < r->nkeys; k++) {
            load_codes(t->code[k], c->keys[k], r->keys[k].width, off, n);
            for (size_t i = 0; i < n; i++)
                t->bad[i] |= t->code[k][i] >= r->keys[k].nlabels;
        }
        for (size_t gi = 0; gi < r->ngroupings; gi++) {
            tbl_grouping *g = &r->groupings[gi];
            if (!g->hashed)
                continue;
            for (size_t i = 0; i < n; i++) {
                if (t->bad[i])
                    continue;
                tbl_gkey k;
                hashed_key(r, g, codes, i, c->created[off + i], &k);
                if (cm__hashed_slot(g, &k) == SIZE_MAX) {
                    for (size_t gj = 0; gj < r->ngroupings; gj++) {
                        if (r->groupings[gj].hashed)
                            rollback_grouping(&r->groupings[gj], used[gj]);
                    }
                    return CM_ENOSPC;
                }
            }
        }
    }
    return CM_OK;
}

/* ---- open tickets ---------------------------------------------------------------------------- */

/* Counts the kept open tickets now certainly breached and drops those with nothing
 * left to decide, making room. */
void cm__table_compact_open(cm_table_report *r)
{
    size_t w = 0;
    for (size_t i = 0; i < r->nopen; i++) {
        tbl_open o = r->open[i];
        bool keep = false;
        for (size_t m = 0; m < TBL_SLA_METRICS; m++) {
            if (o.breach[m] == CM_TABLE_NO_TIME)
                continue;
            if (o.breach[m] < r->latest) {
                for (size_t g = 0; g < r->ngroupings; g++)
                    r->acc[r->open_slot[g][i]].sla[m][o.level].breached++;
                o.breach[m] = CM_TABLE_NO_TIME;
            } else {
                keep = true;
            }
        }
        if (!keep)
            continue;
        r->open[w] = o;
        for (size_t g = 0; g < r->ngroupings; g++)
            r->open_slot[g][w] = r->open_slot[g][i];
        w++;
    }
    r->nopen = w;
}

static cm_status reserve_open(cm_table_report *r, const cm_table_columns *c)
{
    if (r->open_capacity == 0)
        return CM_OK;
    uint64_t need = c->rows;
    if (c->solved != NULL) {
        need = 0;
        for (size_t i = 0; i < c->rows; i++)
            need += c->solved[i] == CM_TABLE_NO_TIME;
    }
    if (need <= r->open_capacity - r->nopen)
        return CM_OK;
    cm__table_compact_open(r);
    return need <= r->open_capacity - r->nopen ? CM_OK : CM_ENOSPC;
}

/* ---- one row ---------------------------------------------------------------------------- */

/* What a good row contributes. */
typedef struct row_facts {
    uint8_t ticket, replied, solved, offered, lost, lost_short, has_wait, handled;
    uint8_t fcr_den, fcr_num, reopen_den, reopen_num, esc_den, esc_num;
    uint8_t level, within_judged, within_met, csat, nps, ces, abandoned, keep_open;
    uint8_t sla_state[TBL_SLA_METRICS];
    uint8_t has_dur[CM_TABLE_DURATION_COUNT];
    int64_t dur[CM_TABLE_DURATION_COUNT];
    int64_t sla_elapsed[TBL_SLA_METRICS];
    cm_time breach[TBL_SLA_METRICS];
    double wait, handle;
    uint64_t handle_us;
} row_facts;

/* The columns of a tile, absent ones replaced by the tile's "missing" arrays, and
 * what the tile has to do: loop-invariant flags, so branches on them are predicted. */
typedef struct tile_cols {
    const cm_time *created, *reply, *solved;
    const uint32_t *contacts;
    const uint8_t *reopened, *escalated, *abandoned, *csat, *nps, *ces;
    const double *wait, *handle;
    bool has_reply, has_solved, has_contacts, has_reopened, has_escalated, has_abandoned;
    bool has_csat, has_nps, has_ces, has_wait, has_handle;
    bool business;                        /* business durations measured */
    bool dur[CM_TABLE_DURATION_COUNT];    /* durations measured */
    bool sketch[CM_TABLE_DURATION_COUNT]; /* sketches of the whole-history grouping */
    bool sla, attainment, keep, counters;
} tile_cols;

static void tile_columns(const cm_table_report *r, const cm_table_columns *c, size_t off,
                         tile_cols *k)
{
    const tbl_tile *t = r->tile;
    k->created = c->created + off;
    k->reply = c->first_reply != NULL ? c->first_reply + off : t->absent_time;
    k->solved = c->solved != NULL ? c->solved + off : t->absent_time;
    k->contacts = c->contacts != NULL ? c->contacts + off : t->absent_one;
    k->reopened = c->reopened != NULL ? c->reopened + off : t->absent_zero;
    k->escalated = c->escalated != NULL ? c->escalated + off : t->absent_zero;
    k->abandoned = c->abandoned != NULL ? c->abandoned + off : t->absent_zero;
    k->csat = c->csat != NULL ? c->csat + off : t->absent_score;
    k->nps = c->nps != NULL ? c->nps + off : t->absent_score;
    k->ces = c->ces != NULL ? c->ces + off : t->absent_score;
    k->wait = c->wait_seconds != NULL ? c->wait_seconds + off : t->absent_nan;
    k->handle = c->handle_seconds != NULL ? c->handle_seconds + off : t->absent_nan;
    k->has_reply = c->first_reply != NULL;
    k->has_solved = c->solved != NULL;
    k->has_contacts = c->contacts != NULL;
    k->has_reopened = c->reopened != NULL;
    k->has_escalated = c->escalated != NULL;
    k->has_abandoned = c->abandoned != NULL;
    k->has_csat = c->csat != NULL;
    k->has_nps = c->nps != NULL;
    k->has_ces = c->ces != NULL;
    k->has_wait = c->wait_seconds != NULL;
    k->has_handle = c->handle_seconds != NULL;
    for (size_t m = 0; m < CM_TABLE_DURATION_COUNT; m++) {
        k->dur[m] = (r->duration_metrics >> m) & 1u;
        k->sketch[m] = r->sketch_index[m] != UINT32_MAX;
    }
    k->dur[CM_TABLE_FIRST_REPLY] &= k->has_reply;
    k->dur[CM_TABLE_FIRST_REPLY_BUSINESS] &= k->has_reply;
    k->dur[CM_TABLE_RESOLUTION] &= k->has_solved;
    k->dur[CM_TABLE_RESOLUTION_BUSINESS] &= k->has_solved;
    k->business = k->dur[CM_TABLE_FIRST_REPLY_BUSINESS] | k->dur[CM_TABLE_RESOLUTION_BUSINESS];
    k->sla = r->has_policy && r->priority_key >= 0;
    k->attainment = k->sla && (r->flags & CM_TABLE_SLA_ATTAINMENT);
    k->keep = r->nkept > 0 || r->open_capacity > 0;
    k->counters = k->has_wait && (r->flags & CM_TABLE_CONTACTS);
}

/* Flags in t->bad the rows [0, n) of the tile whose small columns break a rule (see
 * describe() for which): one straight loop over every column (an absent one reads its
 * "missing" array, which passes), which compilers turn into vector code. The instants
 * are checked in the row loop (instants_bad()). */
CM__VECTOR_CLONES static void check_columns(cm_table_report *r, const tile_cols *k, size_t n)
{
    uint8_t *restrict bad = r->tile->bad;
    const uint32_t *restrict contacts = k->contacts;
    const uint8_t *restrict reopened = k->reopened, *restrict escalated = k->escalated,
                            *restrict abandoned = k->abandoned;
    const uint8_t *restrict csat = k->csat, *restrict nps = k->nps, *restrict ces = k->ces;
    const double *restrict wait = k->wait, *restrict handle = k->handle;
    const uint8_t cs = (uint8_t)r->csat_scale, es = (uint8_t)r->ces_scale;
    for (size_t i = 0; i < n; i++) {
        const uint8_t flags = reopened[i] | escalated[i] | abandoned[i];
        const uint8_t c = csat[i], p = nps[i], e = ces[i];
        /* Survey answers: in their scale, or none (255, which the scale tests let pass). */
        const uint8_t scores = (((uint8_t)(c - 1) >= cs) & (c != CM_SCORE_NONE)) |
                               ((p > 10) & (p != CM_SCORE_NONE)) |
                               (((uint8_t)(e - 1) >= es) & (e != CM_SCORE_NONE));
        /* Seconds: NaN (none) passes both tests. */
        const uint8_t secs = (wait[i] < 0.0) | (wait[i] > CM_TABLE_MAX_SECONDS) |
                             (handle[i] < 0.0) | (handle[i] > CM_TABLE_MAX_SECONDS);
        bad[i] =
            (uint8_t)((contacts[i] - 1u >= CM_TABLE_MAX_CONTACTS) | (flags > 1) | scores | secs);
    }
    for (size_t key = 0; key < r->nkeys; key++) {
        const uint32_t *code = r->tile->code[key];
        const uint32_t limit = r->keys[key].nlabels;
        for (size_t i = 0; i < n; i++)
            bad[i] |= code[i] >= limit;
    }
}

/* Whether the instants of row i break a rule. */
static inline __attribute__((always_inline)) bool instants_bad(const tile_cols *k, size_t i)
{
    const cm_time c = k->created[i];
    return (unsigned)!instant_ok(c) | (unsigned)!later_ok(c, k->reply[i]) |
           (unsigned)!later_ok(c, k->solved[i]);
}

/* SLA attainment of a ticket with a priority level: the state of each instance. */
static void sla_attainment_row(cm_table_report *r, const tile_cols *k, size_t i, row_facts *f)
{
    const cm_time created = k->created[i];
    const tbl_target *fr = &r->target[TBL_SLA_FR][f->level];
    const tbl_target *tr = &r->target[TBL_SLA_TR][f->level];
    if (r->spec.as_of != CM_TABLE_NO_TIME && created > r->spec.as_of)
        return; /* not created yet at the judging instant */
    const cm_time reply = by_as_of(r, k->reply[i]);
    const cm_time solve = by_as_of(r, k->solved[i]);
    /* Solving stops every clock: a first reply not given by then ends at the solve. */
    if (fr->seconds > 0)
        f->sla_state[TBL_SLA_FR] = judge(r, fr, created, before(reply, solve),
                                         &f->sla_elapsed[TBL_SLA_FR], &f->breach[TBL_SLA_FR]);
    if (tr->seconds > 0)
        f->sla_state[TBL_SLA_TR] =
            judge(r, tr, created, solve, &f->sla_elapsed[TBL_SLA_TR], &f->breach[TBL_SLA_TR]);
    f->keep_open =
        (f->sla_state[TBL_SLA_FR] == ST_DEFERRED) | (f->sla_state[TBL_SLA_TR] == ST_DEFERRED);
}

/* SLA facts of a ticket with a priority level: first reply within target, and with
 * attainment the state of each instance. */
static inline __attribute__((always_inline)) void sla_row(cm_table_report *r, const tile_cols *k,
                                                          size_t i, row_facts *f)
{
    const tbl_target *fr = &r->target[TBL_SLA_FR][f->level];
    if (fr->seconds > 0 && f->replied) {
        int64_t el;
        if (fr->clock < 0)
            el = f->dur[CM_TABLE_FIRST_REPLY];
        else if (fr->clock == 0 && f->has_dur[CM_TABLE_FIRST_REPLY_BUSINESS])
            el = f->dur[CM_TABLE_FIRST_REPLY_BUSINESS];
        else
            el = target_elapsed(r, fr, k->created[i], k->reply[i]);
        f->within_judged = 1;
        f->within_met = el <= fr->seconds;
    }
    if (k->attainment)
        sla_attainment_row(r, k, i, f);
}

/* The facts of good row i. */
static inline __attribute__((always_inline)) void
row_facts_of(cm_table_report *r, const tile_cols *k, size_t i, row_facts *f)
{
    const cm_time created = k->created[i], reply = k->reply[i], solve = k->solved[i];
    const uint8_t abandoned = k->abandoned[i];
    const uint8_t ticket = abandoned ^ 1;
    f->ticket = ticket;
    f->abandoned = abandoned;
    f->has_wait = 0;
    f->wait = 0.0;
    f->offered = abandoned;
    f->lost = abandoned;
    f->lost_short = 0;
    if (k->has_wait) {
        const double w = k->wait[i];
        const uint8_t has_wait = w == w;
        f->has_wait = has_wait;
        f->wait = has_wait ? w : 0.0;
        f->offered = has_wait | abandoned;
        f->lost_short = abandoned & has_wait & (w < r->spec.short_abandon_seconds);
    }
    f->handled = 0;
    f->handle = 0.0;
    f->handle_us = 0;
    if (k->has_handle) {
        const double h = k->handle[i];
        const uint8_t handled = h == h;
        f->handled = handled;
        f->handle = handled ? h : 0.0;
        /* Whole microseconds, to nearest (ties to even): below 2^52, where adding and
         * subtracting 2^52 rounds a double to an integer. */
        const double us = handled ? h * 1e6 : 0.0;
        f->handle_us = (uint64_t)((us + 0x1p52) - 0x1p52);
    }
    const uint8_t replied = ticket & (reply != CM_TABLE_NO_TIME);
    const uint8_t solved = ticket & (solve != CM_TABLE_NO_TIME);
    f->replied = replied;
    f->solved = solved;
    f->has_dur[CM_TABLE_FIRST_REPLY] = replied & k->dur[CM_TABLE_FIRST_REPLY];
    f->has_dur[CM_TABLE_RESOLUTION] = solved & k->dur[CM_TABLE_RESOLUTION];
    f->dur[CM_TABLE_FIRST_REPLY] = replied ? reply - created : 0;
    f->dur[CM_TABLE_RESOLUTION] = solved ? solve - created : 0;
    f->has_dur[CM_TABLE_FIRST_REPLY_BUSINESS] = 0;
    f->has_dur[CM_TABLE_RESOLUTION_BUSINESS] = 0;
    f->dur[CM_TABLE_FIRST_REPLY_BUSINESS] = 0;
    f->dur[CM_TABLE_RESOLUTION_BUSINESS] = 0;
    if (k->business && (replied | solved)) {
        /* B(end) - B(created), one B(created) per row. */
        tbl_clock *clock = &r->clocks[0];
        const int64_t b0 = cm__clock_business(clock, created);
        if (replied & k->dur[CM_TABLE_FIRST_REPLY_BUSINESS]) {
            f->dur[CM_TABLE_FIRST_REPLY_BUSINESS] = cm__clock_business(clock, reply) - b0;
            f->has_dur[CM_TABLE_FIRST_REPLY_BUSINESS] = 1;
        }
        if (solved & k->dur[CM_TABLE_RESOLUTION_BUSINESS]) {
            f->dur[CM_TABLE_RESOLUTION_BUSINESS] = cm__clock_business(clock, solve) - b0;
            f->has_dur[CM_TABLE_RESOLUTION_BUSINESS] = 1;
        }
    }
    /* Ratio KPIs: denominators count only rows that have the column. */
    f->fcr_den = solved & k->has_contacts;
    f->fcr_num = f->fcr_den & (k->contacts[i] == 1);
    f->reopen_den = solved & k->has_reopened;
    f->reopen_num = f->reopen_den & k->reopened[i];
    f->esc_den = ticket & k->has_escalated;
    f->esc_num = f->esc_den & k->escalated[i];
    /* Survey answers of tickets; other rows give none. */
    f->csat = ticket ? k->csat[i] : CM_SCORE_NONE;
    f->nps = ticket ? k->nps[i] : CM_SCORE_NONE;
    f->ces = ticket ? k->ces[i] : CM_SCORE_NONE;
    f->level = 0;
    f->within_judged = 0;
    f->within_met = 0;
    f->sla_state[TBL_SLA_FR] = ST_NONE;
    f->sla_state[TBL_SLA_TR] = ST_NONE;
    f->keep_open = 0;
    if (k->sla) {
        f->level = r->levels[r->tile->code[r->priority_key][i]];
        if (ticket && f->level != 0)
            sla_row(r, k, i, f);
    }
}

static void add_state(tbl_sla *s, uint8_t state, int64_t elapsed)
{
    s->achieved += state == ST_MET;
    s->breached += (state == ST_LATE) | (state == ST_OVERDUE);
    s->open += state == ST_OPEN;
    const bool stopped = (state == ST_MET) | (state == ST_LATE);
    s->stopped += stopped;
    s->stopped_sum += stopped ? (uint64_t)elapsed : 0;
}

/* Adds a row to a group's accumulators (any grouping but the first whole-history one). */
static void add_row(cm_table_report *r, size_t slot, cm_time created, const row_facts *f)
{
    tbl_acc *a = &r->acc[slot];
    a->first_created = a->first_created == CM_TABLE_NO_TIME || created < a->first_created
                           ? created
                           : a->first_created;
    a->last_created = a->last_created == CM_TABLE_NO_TIME || created > a->last_created
                          ? created
                          : a->last_created;
    a->rows++;
    a->tickets += f->ticket;
    a->abandoned += f->abandoned;
    a->replied += f->replied;
    a->solved += f->solved;
    a->fcr_den += f->fcr_den;
    a->fcr_num += f->fcr_num;
    a->reopen_den += f->reopen_den;
    a->reopen_num += f->reopen_num;
    a->esc_den += f->esc_den;
    a->esc_num += f->esc_num;
    a->offered += f->offered;
    a->lost += f->lost;
    a->lost_short += f->lost_short;
    a->handled += f->handled;
    const uint64_t us = a->handle_us[0] + f->handle_us;
    a->handle_us[1] += us < a->handle_us[0];
    a->handle_us[0] = us;
    for (size_t m = 0; m < CM_TABLE_DURATION_COUNT; m++) {
        if (!f->has_dur[m])
            continue;
        const int64_t d = f->dur[m];
        tbl_dur *x = &a->dur[m];
        x->n++;
        x->sum += (uint64_t)d;
        x->min = d < x->min ? d : x->min;
        x->max = d > x->max ? d : x->max;
    }
    a->within_judged[f->level] += f->within_judged;
    a->within_met[f->level] += f->within_met;
    for (size_t m = 0; m < TBL_SLA_METRICS; m++) {
        if (f->sla_state[m] != ST_NONE)
            add_state(&a->sla[m][f->level], f->sla_state[m], f->sla_elapsed[m]);
    }
    /* Survey answers: the scales were checked. */
    if (f->csat != CM_SCORE_NONE)
        a->csat.counts[f->csat - 1]++;
    if (f->nps != CM_SCORE_NONE)
        a->nps.counts[f->nps]++;
    if (f->ces != CM_SCORE_NONE)
        a->ces.counts[f->ces - 1]++;
}

/* What add_row() leaves to add_groups(): the row's durations and contact. */
static inline __attribute__((always_inline)) void stash_row(cm_table_report *r, size_t i,
                                                            const row_facts *f)
{
    tbl_tile *t = r->tile;
    for (size_t m = 0; m < CM_TABLE_DURATION_COUNT; m++) {
        t->has[m][i] = f->has_dur[m];
        t->dur[m][i] = f->dur[m];
    }
    t->row_contact[i] = f->has_wait && (r->flags & CM_TABLE_CONTACTS);
    t->row_wait[i] = f->wait;
    t->row_handle[i] = f->handle;
    t->row_abandoned[i] = f->abandoned != 0;
}

/*
 * The sketches and contact counters of the groupings other than `whole` over the
 * tile's good rows: the rows ordered by group (a counting sort over the groups the
 * tile touches), then one _add_many call per group and sketch.
 */
static bool add_groups(cm_table_report *r, size_t n, size_t whole)
{
    tbl_tile *t = r->tile;
    const bool contacts = (r->flags & CM_TABLE_CONTACTS) != 0;
    if (r->nsketch == 0 && !contacts)
        return true;
    bool ok = true;
    for (size_t g = 0; g < r->ngroupings; g++) {
        if (g == whole)
            continue;
        const uint32_t *slot = t->slot[g];
        size_t nlocal = 0, good = 0;
        for (size_t i = 0; i < n; i++) {
            if (t->bad[i])
                continue;
            uint16_t l = r->local_of[slot[i]];
            if (l == UINT16_MAX) {
                l = (uint16_t)nlocal;
                r->local_of[slot[i]] = l;
                t->local_slot[nlocal] = slot[i];
                t->run_end[nlocal++] = 0;
            }
            t->local[i] = l;
            t->run_end[l]++;
            good++;
        }
        for (size_t l = 1; l < nlocal; l++)
            t->run_end[l] += t->run_end[l - 1];
        for (size_t i = n; i-- > 0;) {
            if (!t->bad[i])
                t->order[--t->run_end[t->local[i]]] = (uint16_t)i;
        }
        /* run_end[l] is now where group l starts in order[]. */
        for (size_t l = 0; l < nlocal; l++) {
            const size_t slot_l = t->local_slot[l];
            r->local_of[slot_l] = UINT16_MAX;
            const uint16_t *rows = t->order + t->run_end[l];
            const size_t len = (l + 1 < nlocal ? t->run_end[l + 1] : good) - t->run_end[l];
            for (size_t m = 0; m < CM_TABLE_DURATION_COUNT; m++) {
                const uint32_t si = r->sketch_index[m];
                if (si == UINT32_MAX)
                    continue;
                size_t k = 0;
                for (size_t j = 0; j < len; j++) {
                    t->group_in[k] = (double)t->dur[m][rows[j]];
                    k += t->has[m][rows[j]];
                }
                if (k > 0)
                    ok &= cm_sketch_add_many(&r->sketches[slot_l * r->nsketch + si], t->group_in,
                                             k) == CM_OK;
            }
            if (!contacts)
                continue;
            size_t k = 0;
            for (size_t j = 0; j < len; j++) {
                const size_t i = rows[j];
                t->group_wait[k] = t->row_wait[i];
                t->group_handle[k] = t->row_handle[i];
                t->group_flag[k] = t->row_abandoned[i];
                k += t->row_contact[i];
            }
            if (k > 0)
                ok &= cm_contact_add_many(&r->acc[slot_l].contact, t->group_wait, t->group_handle,
                                          t->group_flag, k) == CM_OK;
        }
    }
    return ok;
}

/* ---- the whole-history grouping --------------------------------------------------------------- */

/* Its counters over one tile, kept in registers. */
typedef struct whole_sums {
    uint64_t rows, tickets, replied, solved, fcr_den, fcr_num, reopen_den, reopen_num;
    uint64_t esc_den, esc_num, offered, lost, lost_short, handled, handle_us;
    cm_time first, last;
    uint64_t judged, met; /* 16 bits per level 1..4: a tile has at most 1,024 rows */
    uint64_t dn[CM_TABLE_DURATION_COUNT], dsum[CM_TABLE_DURATION_COUNT];
    int64_t dmin[CM_TABLE_DURATION_COUNT], dmax[CM_TABLE_DURATION_COUNT];
    size_t nwait, nsketch[CM_TABLE_DURATION_COUNT];
    uint64_t answers[3][16]; /* the fast path's survey counts, by answer */
} whole_sums;

static inline __attribute__((always_inline)) void whole_add(cm_table_report *r, const tile_cols *k,
                                                            whole_sums *w, size_t i,
                                                            cm_time created, const row_facts *f)
{
    tbl_tile *t = r->tile;
    w->rows++;
    w->first = created < w->first ? created : w->first;
    w->last = created > w->last ? created : w->last;
    w->tickets += f->ticket;
    w->replied += f->replied;
    w->solved += f->solved;
    w->fcr_den += f->fcr_den;
    w->fcr_num += f->fcr_num;
    w->reopen_den += f->reopen_den;
    w->reopen_num += f->reopen_num;
    w->esc_den += f->esc_den;
    w->esc_num += f->esc_num;
    w->offered += f->offered;
    w->lost += f->lost;
    w->lost_short += f->lost_short;
    if (k->has_handle) {
        w->handled += f->handled;
        w->handle_us += f->handle_us; /* at most TBL_TILE * 1e15 per tile: no overflow */
    }
    if (k->sla) {
        /* Levels 1..4 in 16-bit fields of one counter: no branch, no memory. Level 0
         * is never judged (its flags are 0). */
        const unsigned shift = 16u * (f->level - 1u) & 63u;
        w->judged += (uint64_t)f->within_judged << shift;
        w->met += (uint64_t)f->within_met << shift;
    }
    for (size_t m = 0; m < CM_TABLE_DURATION_COUNT; m++) {
        if (!k->dur[m])
            continue;
        const uint8_t h = f->has_dur[m];
        const int64_t d = h ? f->dur[m] : 0;
        w->dn[m] += h;
        w->dsum[m] += (uint64_t)d;
        w->dmin[m] = h && d < w->dmin[m] ? d : w->dmin[m];
        w->dmax[m] = h && d > w->dmax[m] ? d : w->dmax[m];
        if (k->sketch[m]) {
            t->sketch_in[m][w->nsketch[m]] = (double)d;
            w->nsketch[m] += h;
        }
    }
    /* Interleaved histograms: neighbouring rows count into different copies. Only
     * 0..10 and none (255) occur: their low four bits index 16 counters. */
    const size_t lane = i & 3;
    if (k->has_csat)
        t->hist[0][lane][f->csat & 15]++;
    if (k->has_nps)
        t->hist[1][lane][f->nps & 15]++;
    if (k->has_ces)
        t->hist[2][lane][f->ces & 15]++;
    if (k->counters) {
        t->wait_in[w->nwait] = f->wait;
        t->handle_in[w->nwait] = f->handle;
        t->flag_in[w->nwait] = f->abandoned;
        w->nwait += f->has_wait;
    }
}

static bool whole_flush(cm_table_report *r, tbl_acc *a, size_t slot, whole_sums *w)
{
    tbl_tile *t = r->tile;
    if (w->rows == 0)
        return true;
    a->rows += w->rows;
    a->tickets += w->tickets;
    a->abandoned += w->rows - w->tickets;
    a->replied += w->replied;
    a->solved += w->solved;
    a->fcr_den += w->fcr_den;
    a->fcr_num += w->fcr_num;
    a->reopen_den += w->reopen_den;
    a->reopen_num += w->reopen_num;
    a->esc_den += w->esc_den;
    a->esc_num += w->esc_num;
    a->offered += w->offered;
    a->lost += w->lost;
    a->lost_short += w->lost_short;
    a->handled += w->handled;
    const uint64_t us = a->handle_us[0] + w->handle_us;
    a->handle_us[1] += us < a->handle_us[0];
    a->handle_us[0] = us;
    if (a->first_created == CM_TABLE_NO_TIME || w->first < a->first_created)
        a->first_created = w->first;
    if (a->last_created == CM_TABLE_NO_TIME || w->last > a->last_created)
        a->last_created = w->last;
    for (size_t l = 1; l < TBL_LEVELS; l++) {
        a->within_judged[l] += (w->judged >> (16 * (l - 1))) & 0xffffu;
        a->within_met[l] += (w->met >> (16 * (l - 1))) & 0xffffu;
    }
    bool ok = true;
    for (size_t m = 0; m < CM_TABLE_DURATION_COUNT; m++) {
        tbl_dur *d = &a->dur[m];
        d->n += w->dn[m];
        d->sum += w->dsum[m];
        d->min = w->dmin[m] < d->min ? w->dmin[m] : d->min;
        d->max = w->dmax[m] > d->max ? w->dmax[m] : d->max;
        const uint32_t si = r->sketch_index[m];
        if (si != UINT32_MAX && w->nsketch[m] > 0)
            ok &= cm_sketch_add_many(&r->sketches[slot * r->nsketch + si], t->sketch_in[m],
                                     w->nsketch[m]) == CM_OK;
    }
    /* Survey histograms: the scales were checked, so counts go straight in. */
    uint64_t *counts[3] = {a->csat.counts, a->nps.counts, a->ces.counts};
    const unsigned first[3] = {1, 0, 1};
    const unsigned span[3] = {r->csat_scale, 11, r->ces_scale};
    for (size_t s = 0; s < 3; s++) {
        for (unsigned v = first[s]; v < first[s] + span[s]; v++) {
            counts[s][v - first[s]] += (uint64_t)t->hist[s][0][v] + t->hist[s][1][v] +
                                       t->hist[s][2][v] + t->hist[s][3][v] + w->answers[s][v];
        }
    }
    memset(t->hist, 0, sizeof t->hist);
    if (w->nwait > 0)
        ok &= cm_contact_add_many(&a->contact, t->wait_in, t->handle_in, t->flag_in, w->nwait) ==
              CM_OK;
    return ok;
}

/* ---- the whole-history grouping alone, column by column -------------------------------------- */

/*
 * Business durations from creation to `end` of the rows that have one (`has`), into
 * out[] (0 for the others), with their count, sum and extremes into the whole
 * history's sums. An end on the day of creation, the common case, takes the day's
 * figures once: B(end) - B(created) within one day is the difference of two clamps.
 */
static inline __attribute__((always_inline)) void
business_column(tbl_clock *clock, const cm_time *restrict created, const cm_time *restrict end,
                const uint8_t *restrict has, int64_t *restrict out, size_t n, whole_sums *w,
                size_t metric)
{
    uint64_t count = 0, sum = 0;
    int64_t lo = w->dmin[metric], hi = w->dmax[metric];
    for (size_t i = 0; i < n; i++) {
        if (!has[i]) {
            out[i] = 0;
            continue;
        }
        const cm_time c = created[i];
        const uint64_t since = (uint64_t)(c - CM_CALENDAR_TIME_MIN);
        const uint64_t day = since / 86400;
        const int64_t x = (int64_t)(since - day * 86400), el = end[i] - c;
        const uint64_t at = day - (uint64_t)clock->first_day;
        int64_t v;
        if (at < TBL_DAYS && clock->days[at].state == 1 && x + el < 86400) {
            const tbl_bday *d = &clock->days[at];
            v = cm__clamp_period(x + el - d->s1, d->l1) - cm__clamp_period(x - d->s1, d->l1);
        } else {
            v = cm__clock_business(clock, end[i]) - cm__clock_business(clock, c);
        }
        out[i] = v;
        count++;
        sum += (uint64_t)v;
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    w->dn[metric] += count;
    w->dsum[metric] += sum;
    w->dmin[metric] = lo;
    w->dmax[metric] = hi;
}

/*
 * The fast path, when the whole-history grouping is the only one and no SLA
 * attainment is judged: the same sums as whole_add() over row_facts_of(), taken
 * one column (or pair of columns) at a time, so each loop is short, keeps its
 * counters in registers and costs nothing for an absent column. The rows'
 * bad flags (instants included) are in t->bad.
 */
CM__VECTOR_CLONES static size_t whole_columns(cm_table_report *r, const tile_cols *k, size_t n,
                                              whole_sums *w)
{
    tbl_tile *t = r->tile;
    /* The tile's arrays are the report's, the columns the caller's: no aliasing. */
    uint8_t *restrict bad = t->bad;
    uint8_t *restrict ticket = t->ticket, *restrict replied = t->replied,
                      *restrict solved = t->solved;
    int64_t *restrict dfr = t->dur[CM_TABLE_FIRST_REPLY];
    int64_t *restrict dres = t->dur[CM_TABLE_RESOLUTION];
    const cm_time *restrict created = k->created, *restrict reply = k->reply,
                            *restrict solve = k->solved;
    /* Instants: the rest of the checks, tickets, replies and solves, calendar durations. */
    uint64_t rows = 0, tickets = 0, nfr = 0, sfr = 0, nres = 0, sres = 0;
    size_t nbad = 0;
    cm_time first = w->first, last = w->last;
    int64_t lofr = w->dmin[CM_TABLE_FIRST_REPLY], hifr = w->dmax[CM_TABLE_FIRST_REPLY];
    int64_t lores = w->dmin[CM_TABLE_RESOLUTION], hires = w->dmax[CM_TABLE_RESOLUTION];
    /* Flags first (bytes), then the 64-bit sums: two loops compilers vectorise. */
    const uint8_t *abandoned = k->abandoned;
    for (size_t i = 0; i < n; i++) {
        const cm_time c = created[i], rp = reply[i], so = solve[i];
        const uint8_t b = bad[i] | !instant_ok(c) | !later_ok(c, rp) | !later_ok(c, so);
        bad[i] = b;
        const uint8_t tk = (uint8_t)(b ^ 1) & (abandoned[i] ^ 1);
        ticket[i] = tk;
        replied[i] = tk & (rp != CM_TABLE_NO_TIME);
        solved[i] = tk & (so != CM_TABLE_NO_TIME);
    }
    /* Durations are below 2^31 s: unsigned 32-bit extremes, which vector units have; a
     * missing duration reads as the largest value for the minimum and 0 for the maximum. */
    uint32_t lofr32 = UINT32_MAX, hifr32 = 0, lores32 = UINT32_MAX, hires32 = 0;
    for (size_t i = 0; i < n; i++) {
        const cm_time c = created[i];
        const int64_t x = replied[i], y = solved[i];
        nbad += bad[i];
        tickets += ticket[i];
        /* Differences in unsigned arithmetic, masked: a missing instant reads as 0. */
        const uint64_t uc = (uint64_t)c;
        const int64_t vx = (int64_t)(((uint64_t)reply[i] - uc) & (0 - (uint64_t)x));
        const int64_t vy = (int64_t)(((uint64_t)solve[i] - uc) & (0 - (uint64_t)y));
        dfr[i] = vx;
        dres[i] = vy;
        nfr += (uint64_t)x;
        sfr += (uint64_t)vx;
        nres += (uint64_t)y;
        sres += (uint64_t)vy;
        const uint32_t ux = (uint32_t)vx, uy = (uint32_t)vy;
        const uint32_t mx = (uint32_t)x - 1u, my = (uint32_t)y - 1u; /* 0 if present, else ~0 */
        const uint32_t xl = ux | mx, xh = ux & ~mx, yl = uy | my, yh = uy & ~my;
        lofr32 = xl < lofr32 ? xl : lofr32;
        hifr32 = xh > hifr32 ? xh : hifr32;
        lores32 = yl < lores32 ? yl : lores32;
        hires32 = yh > hires32 ? yh : hires32;
    }
    rows = n - nbad;
    if (nfr > 0) {
        lofr = (int64_t)lofr32 < lofr ? (int64_t)lofr32 : lofr;
        hifr = (int64_t)hifr32 > hifr ? (int64_t)hifr32 : hifr;
    }
    if (nres > 0) {
        lores = (int64_t)lores32 < lores ? (int64_t)lores32 : lores;
        hires = (int64_t)hires32 > hires ? (int64_t)hires32 : hires;
    }
    for (size_t i = 0; i < n; i++) {
        const cm_time c = created[i];
        const cm_time cf = bad[i] ? INT64_MAX : c, cl = bad[i] ? INT64_MIN : c;
        first = cf < first ? cf : first;
        last = cl > last ? cl : last;
    }
    w->rows += rows;
    w->tickets += tickets;
    w->first = first;
    w->last = last;
    w->replied += nfr;
    w->solved += nres;
    if (k->dur[CM_TABLE_FIRST_REPLY]) {
        w->dn[CM_TABLE_FIRST_REPLY] += nfr;
        w->dsum[CM_TABLE_FIRST_REPLY] += sfr;
        w->dmin[CM_TABLE_FIRST_REPLY] = lofr;
        w->dmax[CM_TABLE_FIRST_REPLY] = hifr;
    }
    if (k->dur[CM_TABLE_RESOLUTION]) {
        w->dn[CM_TABLE_RESOLUTION] += nres;
        w->dsum[CM_TABLE_RESOLUTION] += sres;
        w->dmin[CM_TABLE_RESOLUTION] = lores;
        w->dmax[CM_TABLE_RESOLUTION] = hires;
    }
    /* Survey answers of tickets: one count per answer, in loops compilers vectorise. */
    const uint8_t *surveys[3] = {k->has_csat ? k->csat : NULL, k->has_nps ? k->nps : NULL,
                                 k->has_ces ? k->ces : NULL};
    const unsigned lowest[3] = {1, 0, 1};
    const unsigned answers[3] = {r->csat_scale, 11, r->ces_scale};
    for (size_t sv = 0; sv < 3; sv++) {
        const uint8_t *p = surveys[sv];
        if (p == NULL)
            continue;
        for (unsigned v = lowest[sv]; v < lowest[sv] + answers[sv]; v++) {
            /* Byte counters over runs of 224 rows (7 AVX2 vectors) cannot wrap. */
            uint32_t cnt = 0;
            for (size_t from = 0; from < n; from += 224) {
                const size_t to = n - from < 224 ? n : from + 224;
                uint8_t c = 0;
                for (size_t i = from; i < to; i++)
                    c = (uint8_t)(c + ((p[i] == v) & ticket[i]));
                cnt += c;
            }
            w->answers[sv][v] += cnt;
        }
    }
    /* Business durations, and first replies within their SLA target (16-bit fields per
     * level, see whole_add()). */
    int64_t target[TBL_LEVELS] = {0};
    uint8_t source[TBL_LEVELS] = {0}; /* the target's elapsed: 0 calendar, 1 business, 2 other */
    const bool within = k->sla && k->has_reply;
    for (size_t l = 1; within && l < TBL_LEVELS; l++) {
        const tbl_target *tg = &r->target[TBL_SLA_FR][l];
        target[l] = tg->seconds;
        source[l] = tg->clock < 0                                             ? 0
                    : tg->clock == 0 && k->dur[CM_TABLE_FIRST_REPLY_BUSINESS] ? 1
                                                                              : 2;
    }
    if (k->dur[CM_TABLE_FIRST_REPLY_BUSINESS])
        business_column(&r->clocks[0], created, reply, replied,
                        t->dur[CM_TABLE_FIRST_REPLY_BUSINESS], n, w, CM_TABLE_FIRST_REPLY_BUSINESS);
    if (k->dur[CM_TABLE_RESOLUTION_BUSINESS])
        business_column(&r->clocks[0], created, solve, solved, t->dur[CM_TABLE_RESOLUTION_BUSINESS],
                        n, w, CM_TABLE_RESOLUTION_BUSINESS);
    if (within) {
        /* Each row's level, then one counting loop per level with a target (its
         * elapsed column is a constant of the loop). */
        const uint32_t *code = t->code[r->priority_key];
        uint8_t *restrict level = t->level;
        for (size_t i = 0; i < n; i++)
            level[i] = r->levels[code[i]];
        for (uint8_t l = 1; l < TBL_LEVELS; l++) {
            const int64_t sec = target[l];
            if (sec <= 0)
                continue;
            const int64_t *restrict el =
                source[l] == 1 ? t->dur[CM_TABLE_FIRST_REPLY_BUSINESS] : dfr;
            uint32_t judged = 0, met = 0; /* at most a tile of rows */
            if (source[l] == 2) {
                const tbl_target *tg = &r->target[TBL_SLA_FR][l];
                for (size_t i = 0; i < n; i++) {
                    if (level[i] != l || !replied[i])
                        continue;
                    judged++;
                    met += target_elapsed(r, tg, created[i], reply[i]) <= sec;
                }
            } else {
                for (size_t i = 0; i < n; i++) {
                    const uint32_t in = (uint32_t)(level[i] == l) & replied[i];
                    judged += in;
                    met += in & (el[i] <= sec);
                }
            }
            const unsigned shift = 16u * (l - 1u);
            w->judged += (uint64_t)judged << shift;
            w->met += (uint64_t)met << shift;
        }
    }
    /* Ratio KPIs of tickets and solved tickets. */
    if (k->has_contacts) {
        uint64_t den = 0, num = 0;
        for (size_t i = 0; i < n; i++) {
            den += t->solved[i];
            num += t->solved[i] & (k->contacts[i] == 1);
        }
        w->fcr_den += den;
        w->fcr_num += num;
    }
    if (k->has_reopened) {
        uint64_t den = 0, num = 0;
        for (size_t i = 0; i < n; i++) {
            den += t->solved[i];
            num += t->solved[i] & k->reopened[i];
        }
        w->reopen_den += den;
        w->reopen_num += num;
    }
    if (k->has_escalated) {
        uint64_t num = 0;
        for (size_t i = 0; i < n; i++)
            num += ticket[i] & k->escalated[i];
        w->esc_den += tickets;
        w->esc_num += num;
    }
    /* Real-time contacts: offered (a wait or an abandon), abandoned, short abandons. */
    if (k->has_wait) {
        uint64_t offered = 0, lost = 0, lost_short = 0;
        size_t m = w->nwait;
        const double thr = r->spec.short_abandon_seconds;
        for (size_t i = 0; i < n; i++) {
            const double x = k->wait[i];
            const uint8_t good = bad[i] ^ 1, ab = k->abandoned[i];
            const uint8_t hw = good & (x == x);
            offered += hw | (good & ab);
            lost += good & ab;
            lost_short += good & ab & hw & (x < thr);
        }
        for (size_t i = 0; k->counters && i < n; i++) {
            const double x = k->wait[i];
            t->wait_in[m] = x;
            t->handle_in[m] = k->handle[i] == k->handle[i] ? k->handle[i] : 0.0;
            t->flag_in[m] = k->abandoned[i];
            m += (bad[i] ^ 1) & (x == x);
        }
        w->offered += offered;
        w->lost += lost;
        w->lost_short += lost_short;
        w->nwait = m;
    } else if (k->has_abandoned) {
        uint64_t lost = 0;
        for (size_t i = 0; i < n; i++)
            lost += (bad[i] ^ 1) & k->abandoned[i];
        w->offered += lost;
        w->lost += lost;
    }
    if (k->has_handle) {
        uint64_t handled = 0, us = 0;
        for (size_t i = 0; i < n; i++) {
            const double h = k->handle[i];
            const uint8_t x = (bad[i] ^ 1) & (h == h);
            /* Whole microseconds, to nearest: see row_facts_of(). */
            const double v = x ? h * 1e6 : 0.0;
            handled += x;
            us += (uint64_t)((v + 0x1p52) - 0x1p52);
        }
        w->handled += handled;
        w->handle_us += us;
    }
    /* Durations for the sketches and the kept values (exact quantiles). */
    const uint8_t *hasm[CM_TABLE_DURATION_COUNT] = {t->replied, t->replied, t->solved, t->solved};
    for (size_t m = 0; m < CM_TABLE_DURATION_COUNT; m++) {
        if (!k->sketch[m] || !k->dur[m])
            continue;
        size_t j = w->nsketch[m];
        for (size_t i = 0; i < n; i++) {
            t->sketch_in[m][j] = (double)t->dur[m][i];
            j += hasm[m][i];
        }
        w->nsketch[m] = j;
    }
    for (size_t jm = 0; jm < r->nkept; jm++) {
        const uint32_t m = r->kept_metrics[jm];
        uint32_t *out = r->kept_value[jm] + r->kept;
        size_t at = 0;
        for (size_t i = 0; i < n; i++) {
            out[at] = hasm[m][i] ? (uint32_t)t->dur[m][i] : TBL_NO_VALUE;
            at += ticket[i];
        }
    }
    if (r->nkept > 0)
        r->kept += tickets;
    return nbad;
}

/* ---- a tile ----------------------------------------------------------------------------------- */

/* Kept durations (exact quantiles) and open tickets of a ticket. */
static inline __attribute__((always_inline)) void
keep_row(cm_table_report *r, size_t i, const row_facts *f, size_t whole, bool grouped)
{
    tbl_tile *t = r->tile;
    if (r->nkept > 0) {
        const size_t at = (size_t)r->kept++;
        for (size_t j = 0; j < r->nkept; j++) {
            const uint32_t m = r->kept_metrics[j];
            r->kept_value[j][at] = f->has_dur[m] ? (uint32_t)f->dur[m] : TBL_NO_VALUE;
        }
        for (size_t g = 0; grouped && g < r->ngroupings; g++) {
            if (r->kept_slot[g] != NULL)
                r->kept_slot[g][at] = t->slot[g][i];
        }
    }
    if (f->keep_open) {
        tbl_open *o = &r->open[r->nopen];
        for (size_t m = 0; m < TBL_SLA_METRICS; m++)
            o->breach[m] = f->sla_state[m] == ST_DEFERRED ? f->breach[m] : CM_TABLE_NO_TIME;
        o->level = f->level;
        for (size_t g = 0; g < r->ngroupings; g++)
            r->open_slot[g][r->nopen] = g == whole ? (uint32_t)r->groupings[g].base : t->slot[g][i];
        r->nopen++;
    }
}

/* Rows [off, off + n) of the block: returns false when a total overflowed. `grouped`
 * is a constant at each call: without other groupings the row's facts stay in
 * registers. */
static inline __attribute__((always_inline)) bool fold_rows(cm_table_report *r, const tile_cols *k,
                                                            size_t n, size_t whole, bool grouped,
                                                            whole_sums *w, size_t *nbad_out)
{
    tbl_tile *t = r->tile;
    cm_time latest = r->latest;
    size_t nbad = 0;
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        const bool bad = t->bad[i] | instants_bad(k, i);
        t->bad[i] = bad;
        if (bad) {
            nbad++;
            continue;
        }
        const cm_time created = k->created[i];
        if (k->attainment) {
            /* The judging instant will be at least the latest instant seen. */
            latest = created > latest ? created : latest;
            latest = k->reply[i] > latest ? k->reply[i] : latest; /* missing is INT64_MIN */
            latest = k->solved[i] > latest ? k->solved[i] : latest;
            r->latest = latest;
        }
        row_facts f;
        row_facts_of(r, k, i, &f);
        if (whole != SIZE_MAX) {
            whole_add(r, k, w, i, created, &f);
            if (k->attainment) {
                tbl_acc *a = &r->acc[r->groupings[whole].base];
                for (size_t m = 0; m < TBL_SLA_METRICS; m++) {
                    if (f.sla_state[m] != ST_NONE)
                        add_state(&a->sla[m][f.level], f.sla_state[m], f.sla_elapsed[m]);
                }
            }
        }
        if (grouped) {
            stash_row(r, i, &f);
            for (size_t g = 0; g < r->ngroupings; g++) {
                if (g != whole)
                    add_row(r, t->slot[g][i], created, &f);
            }
        }
        if (k->keep && f.ticket)
            keep_row(r, i, &f, whole, grouped);
    }
    r->latest = latest;
    *nbad_out = nbad;
    if (grouped)
        ok &= add_groups(r, n, whole);
    return ok;
}

static bool fold_tile(cm_table_report *r, const cm_table_columns *c, size_t off, size_t n,
                      size_t whole)
{
    tbl_tile *t = r->tile;
    tile_cols k;
    tile_columns(r, c, off, &k);
    for (size_t key = 0; key < r->nkeys; key++)
        load_codes(t->code[key], c->keys[key], r->keys[key].width, off, n);
    const bool grouped = r->ngroupings > (whole != SIZE_MAX ? 1u : 0u);
    if (grouped)
        slots(r, c, off, n);
    whole_sums w;
    memset(&w, 0, sizeof w);
    w.first = INT64_MAX;
    w.last = INT64_MIN;
    for (size_t m = 0; m < CM_TABLE_DURATION_COUNT; m++) {
        w.dmin[m] = INT64_MAX;
        w.dmax[m] = INT64_MIN;
    }
    check_columns(r, &k, n);
    size_t nbad = 0;
    bool ok = true;
    if (!grouped && !k.attainment && whole != SIZE_MAX) {
        nbad = whole_columns(r, &k, n, &w);
    } else if (grouped) {
        ok = fold_rows(r, &k, n, whole, true, &w, &nbad);
    } else {
        ok = fold_rows(r, &k, n, whole, false, &w, &nbad);
    }
    if (whole != SIZE_MAX)
        ok &= whole_flush(r, &r->acc[r->groupings[whole].base], r->groupings[whole].base, &w);
    if (nbad > 0) {
        for (size_t i = 0; i < n; i++) {
            if (!t->bad[i])
                continue;
            cm_table_bad_row b;
            memset(&b, 0, sizeof b);
            b.row = c->row_numbers != NULL ? c->row_numbers[off + i] : c->first_row + off + i;
            describe(r, c, off + i, &b);
            cm__table_keep_bad(r, &b);
        }
    }
    r->rows += n;
    r->bad_rows += nbad;
    return ok;
}

static void note_columns(cm_table_report *r, const cm_table_columns *c)
{
    const void *cols[CM_TABLE_COLUMN_COUNT] = {
        c->created,   c->first_reply, c->solved, c->contacts, c->reopened,     c->escalated,
        c->abandoned, c->csat,        c->nps,    c->ces,      c->wait_seconds, c->handle_seconds,
    };
    for (size_t i = 0; i < CM_TABLE_COLUMN_COUNT; i++)
        r->seen[i] |= cols[i] != NULL;
}

cm_status cm__table_fold(cm_table_report *r, const cm_table_columns *c)
{
    if (r->nkept > 0)
        CM_REQUIRE(c->rows <= r->row_capacity - r->kept, CM_ENOSPC);
    CM_TRY(reserve_open(r, c));
    CM_TRY(reserve_groups(r, c));
    note_columns(r, c);
    r->finished = false;
    /* The first whole-history grouping is summed in registers. */
    size_t whole = SIZE_MAX;
    for (size_t g = 0; g < r->ngroupings && whole == SIZE_MAX; g++) {
        if (cm__single_slot(&r->groupings[g]))
            whole = g;
    }
    bool ok = true;
    for (size_t off = 0; off < c->rows; off += TBL_TILE) {
        const size_t n = c->rows - off < TBL_TILE ? c->rows - off : TBL_TILE;
        ok &= fold_tile(r, c, off, n, whole);
    }
    if (!ok)
        r->broken = true; /* a total overflowed: every result says so */
    return ok ? CM_OK : CM_EOVERFLOW;
}
