/*
 * The ticket-table engine's kernel: folding a block of rows.
 *
 * A block is handled in tiles of TBL_TILE rows, column by column, so every
 * loop runs over one or two arrays and absent columns cost nothing:
 *
 * 1. validate: a bad flag per row, from each present column in turn; bad
 *    rows are described (column, value, what was expected) and counted;
 * 2. facts: per row, what the row contributes (a ticket, a reply, its
 *    durations in calendar and business seconds, the survey answers of
 *    tickets, its SLA states), as flags and values in the tile;
 * 3. fold: the whole-history grouping sums the facts in straight loops and
 *    hands the survey answers and durations to the library's _add_many
 *    functions; every other grouping adds each row's facts to its group.
 *
 * Blocks are all or nothing: the capacity a block may need (groups of
 * hashed groupings, kept durations, undecided open tickets) is secured
 * before anything is folded.
 * SPDX-License-Identifier: MIT
 */
#include "table-internal.h"

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
    return t == CM_TABLE_NO_TIME ||
           ((t >= created) & ((uint64_t)t - (uint64_t)created <= (uint64_t)TBL_MAX_DURATION) &
            (t <= CM_CALENDAR_TIME_MAX));
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
    } else if (c->csat != NULL && !r->valid_csat[c->csat[i]]) {
        col = cm_table_column_name(CM_TABLE_COL_CSAT);
        snprintf(v, vc, "%u", c->csat[i]);
        snprintf(e, ec, "an answer 1..%u, or none", r->acc[0].csat.scale);
    } else if (c->nps != NULL && !r->valid_nps[c->nps[i]]) {
        col = cm_table_column_name(CM_TABLE_COL_NPS);
        snprintf(v, vc, "%u", c->nps[i]);
        snprintf(e, ec, "an answer 0..10, or none");
    } else if (c->ces != NULL && !r->valid_ces[c->ces[i]]) {
        col = cm_table_column_name(CM_TABLE_COL_CES);
        snprintf(v, vc, "%u", c->ces[i]);
        snprintf(e, ec, "an answer 1..%u, or none", r->acc[0].ces.scale);
    } else if (c->wait_seconds != NULL && !seconds_ok(c->wait_seconds[i])) {
        col = cm_table_column_name(CM_TABLE_COL_WAIT);
        snprintf(v, vc, "%.17g", c->wait_seconds[i]);
        snprintf(e, ec, "seconds 0..1e9, or none");
    } else if (c->handle_seconds != NULL && !seconds_ok(c->handle_seconds[i])) {
        col = cm_table_column_name(CM_TABLE_COL_HANDLE);
        snprintf(v, vc, "%.17g", c->handle_seconds[i]);
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

/* ---- stage 1: validation ---------------------------------------------------------- */

/* Flags the bad rows of rows [off, off + n) in t->bad and loads the key codes;
 * returns the number of bad rows. */
static size_t validate(cm_table_report *r, const cm_table_columns *c, size_t off, size_t n)
{
    tbl_tile *t = r->tile;
    uint8_t *bad = t->bad;
    const cm_time *cr = c->created + off;
    for (size_t i = 0; i < n; i++)
        bad[i] = !instant_ok(cr[i]);
    if (c->first_reply != NULL) {
        const cm_time *p = c->first_reply + off;
        for (size_t i = 0; i < n; i++)
            bad[i] |= !later_ok(cr[i], p[i]);
    }
    if (c->solved != NULL) {
        const cm_time *p = c->solved + off;
        for (size_t i = 0; i < n; i++)
            bad[i] |= !later_ok(cr[i], p[i]);
    }
    if (c->contacts != NULL) {
        const uint32_t *p = c->contacts + off;
        for (size_t i = 0; i < n; i++)
            bad[i] |= p[i] - 1u >= CM_TABLE_MAX_CONTACTS;
    }
    const uint8_t *flags[3] = {c->reopened, c->escalated, c->abandoned};
    for (size_t f = 0; f < 3; f++) {
        if (flags[f] == NULL)
            continue;
        const uint8_t *p = flags[f] + off;
        for (size_t i = 0; i < n; i++)
            bad[i] |= p[i] > 1;
    }
    const uint8_t *surveys[3] = {c->csat, c->nps, c->ces};
    const bool *valid[3] = {r->valid_csat, r->valid_nps, r->valid_ces};
    for (size_t s = 0; s < 3; s++) {
        if (surveys[s] == NULL)
            continue;
        const uint8_t *p = surveys[s] + off;
        const bool *ok = valid[s];
        for (size_t i = 0; i < n; i++)
            bad[i] |= !ok[p[i]];
    }
    const double *secs[2] = {c->wait_seconds, c->handle_seconds};
    for (size_t s = 0; s < 2; s++) {
        if (secs[s] == NULL)
            continue;
        const double *p = secs[s] + off;
        for (size_t i = 0; i < n; i++)
            bad[i] |= !seconds_ok(p[i]);
    }
    for (size_t k = 0; k < r->nkeys; k++) {
        uint32_t *code = t->code[k];
        load_codes(code, c->keys[k], r->keys[k].width, off, n);
        const uint32_t limit = r->keys[k].nlabels;
        for (size_t i = 0; i < n; i++)
            bad[i] |= code[i] >= limit;
    }
    size_t nbad = 0;
    for (size_t i = 0; i < n; i++)
        nbad += bad[i];
    if (nbad > 0) {
        for (size_t i = 0; i < n; i++) {
            if (!bad[i])
                continue;
            cm_table_bad_row b;
            memset(&b, 0, sizeof b);
            b.row = c->row_numbers != NULL ? c->row_numbers[off + i] : c->first_row + off + i;
            describe(r, c, off + i, &b);
            cm__table_keep_bad(r, &b);
        }
        /* Codes of bad rows are never used, but keep them in range. */
        for (size_t k = 0; k < r->nkeys; k++) {
            for (size_t i = 0; i < n; i++)
                t->code[k][i] = bad[i] ? 0 : t->code[k][i];
        }
    }
    return nbad;
}

/* ---- stage 2: facts ------------------------------------------------------------------- */

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

static void sla_facts(cm_table_report *r, const cm_table_columns *c, size_t off, size_t n)
{
    tbl_tile *t = r->tile;
    const cm_time *cr = c->created + off;
    const bool attainment = (r->flags & CM_TABLE_SLA_ATTAINMENT) != 0;
    for (size_t i = 0; i < n; i++) {
        t->within_judged[i] = 0;
        t->within_met[i] = 0;
        t->sla_state[TBL_SLA_FR][i] = ST_NONE;
        t->sla_state[TBL_SLA_TR][i] = ST_NONE;
        t->keep_open[i] = 0;
        const uint8_t lv = t->level[i];
        if (!t->ticket[i] || lv == 0)
            continue;
        const tbl_target *fr = &r->target[TBL_SLA_FR][lv];
        const tbl_target *tr = &r->target[TBL_SLA_TR][lv];
        if (fr->seconds > 0 && t->replied[i]) {
            const cm_time reply = c->first_reply[off + i];
            int64_t el;
            if (fr->clock < 0)
                el = t->dur[CM_TABLE_FIRST_REPLY][i];
            else if (fr->clock == 0 && r->spec.calendar != NULL)
                el = t->dur[CM_TABLE_FIRST_REPLY_BUSINESS][i];
            else
                el = target_elapsed(r, fr, cr[i], reply);
            t->within_judged[i] = 1;
            t->within_met[i] = el <= fr->seconds;
        }
        if (!attainment)
            continue;
        if (r->spec.as_of != CM_TABLE_NO_TIME && cr[i] > r->spec.as_of)
            continue; /* not created yet at the judging instant */
        const cm_time reply =
            c->first_reply != NULL ? by_as_of(r, c->first_reply[off + i]) : CM_TABLE_NO_TIME;
        const cm_time solve =
            c->solved != NULL ? by_as_of(r, c->solved[off + i]) : CM_TABLE_NO_TIME;
        /* Solving stops every clock: a first reply not given by then ends at the solve. */
        if (fr->seconds > 0)
            t->sla_state[TBL_SLA_FR][i] =
                judge(r, fr, cr[i], before(reply, solve), &t->sla_elapsed[TBL_SLA_FR][i],
                      &t->breach[TBL_SLA_FR][i]);
        if (tr->seconds > 0)
            t->sla_state[TBL_SLA_TR][i] = judge(r, tr, cr[i], solve, &t->sla_elapsed[TBL_SLA_TR][i],
                                                &t->breach[TBL_SLA_TR][i]);
        t->keep_open[i] = (t->sla_state[TBL_SLA_FR][i] == ST_DEFERRED) |
                          (t->sla_state[TBL_SLA_TR][i] == ST_DEFERRED);
    }
}

static void facts(cm_table_report *r, const cm_table_columns *c, size_t off, size_t n)
{
    tbl_tile *t = r->tile;
    const cm_time *cr = c->created + off;
    for (size_t i = 0; i < n; i++)
        t->abandoned[i] = c->abandoned != NULL ? c->abandoned[off + i] : 0;
    for (size_t i = 0; i < n; i++)
        t->ticket[i] = (t->bad[i] ^ 1) & !t->abandoned[i];
    /* Real-time contacts: a wait or an abandon. */
    if (c->wait_seconds != NULL) {
        const double *w = c->wait_seconds + off;
        const double thr = r->spec.short_abandon_seconds;
        for (size_t i = 0; i < n; i++) {
            const double x = w[i];
            const uint8_t hw = (t->bad[i] ^ 1) & (x == x);
            t->has_wait[i] = hw;
            t->wait[i] = hw ? x : 0.0;
            t->offered[i] = (t->bad[i] ^ 1) & (hw | t->abandoned[i]);
            t->lost[i] = t->offered[i] & t->abandoned[i];
            t->lost_short[i] = t->lost[i] & hw & (x < thr);
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            t->has_wait[i] = 0;
            t->offered[i] = (t->bad[i] ^ 1) & t->abandoned[i];
            t->lost[i] = t->offered[i];
            t->lost_short[i] = 0;
        }
    }
    if (c->handle_seconds != NULL) {
        const double *h = c->handle_seconds + off;
        for (size_t i = 0; i < n; i++) {
            const double x = h[i];
            const uint8_t hh = (t->bad[i] ^ 1) & (x == x);
            t->handled[i] = hh;
            t->handle[i] = hh ? x : 0.0;
            /* Whole microseconds, nearest: at most 1e15, exact in a double. */
            t->handle_us[i] = hh ? (uint64_t)llround(x * 1e6) : 0;
        }
    } else {
        memset(t->handled, 0, n);
        for (size_t i = 0; i < n; i++) {
            t->handle[i] = 0.0;
            t->handle_us[i] = 0;
        }
    }
    /* Durations in calendar seconds. */
    const cm_time *ends[2] = {c->first_reply, c->solved};
    uint8_t *has[2] = {t->replied, t->solved};
    const size_t metric[2] = {CM_TABLE_FIRST_REPLY, CM_TABLE_RESOLUTION};
    for (size_t e = 0; e < 2; e++) {
        int64_t *d = t->dur[metric[e]];
        uint8_t *hd = t->has_dur[metric[e]];
        if (ends[e] == NULL) {
            memset(has[e], 0, n);
            memset(hd, 0, n);
            continue;
        }
        const cm_time *p = ends[e] + off;
        for (size_t i = 0; i < n; i++) {
            const uint8_t ok = t->ticket[i] & (p[i] != CM_TABLE_NO_TIME);
            has[e][i] = ok;
            hd[i] = ok;
            d[i] = ok ? p[i] - cr[i] : 0;
        }
    }
    /* The same in business seconds: B(end) - B(created), one B(created) per row. */
    const bool business = r->spec.calendar != NULL;
    memset(t->has_dur[CM_TABLE_FIRST_REPLY_BUSINESS], 0, n);
    memset(t->has_dur[CM_TABLE_RESOLUTION_BUSINESS], 0, n);
    if (business) {
        tbl_clock *clock = &r->clocks[0];
        int64_t *bfr = t->dur[CM_TABLE_FIRST_REPLY_BUSINESS];
        int64_t *bres = t->dur[CM_TABLE_RESOLUTION_BUSINESS];
        for (size_t i = 0; i < n; i++) {
            bfr[i] = 0;
            bres[i] = 0;
            if (!(t->replied[i] | t->solved[i]))
                continue;
            const int64_t b0 = cm__clock_business(clock, cr[i]);
            t->bcreated[i] = b0;
            if (t->replied[i])
                bfr[i] = cm__clock_business(clock, c->first_reply[off + i]) - b0;
            if (t->solved[i])
                bres[i] = cm__clock_business(clock, c->solved[off + i]) - b0;
        }
        memcpy(t->has_dur[CM_TABLE_FIRST_REPLY_BUSINESS], t->replied, n);
        memcpy(t->has_dur[CM_TABLE_RESOLUTION_BUSINESS], t->solved, n);
    }
    /* Ratio KPIs: denominators count only rows that have the column. */
    for (size_t i = 0; i < n; i++) {
        const uint8_t fcr = c->contacts != NULL ? t->solved[i] : 0;
        t->fcr_den[i] = fcr;
        t->fcr_num[i] = fcr & (c->contacts != NULL && c->contacts[off + i] == 1);
        const uint8_t ro = c->reopened != NULL ? t->solved[i] : 0;
        t->reopen_den[i] = ro;
        t->reopen_num[i] = ro & (c->reopened != NULL ? c->reopened[off + i] : 0);
        const uint8_t es = c->escalated != NULL ? t->ticket[i] : 0;
        t->esc_den[i] = es;
        t->esc_num[i] = es & (c->escalated != NULL ? c->escalated[off + i] : 0);
    }
    /* Survey answers of tickets; every other row gives none. */
    const uint8_t *surveys[3] = {c->csat, c->nps, c->ces};
    uint8_t *masked[3] = {t->csat, t->nps, t->ces};
    for (size_t s = 0; s < 3; s++) {
        if (surveys[s] == NULL) {
            memset(masked[s], CM_SCORE_NONE, n);
            continue;
        }
        const uint8_t *p = surveys[s] + off;
        for (size_t i = 0; i < n; i++)
            masked[s][i] = t->ticket[i] ? p[i] : CM_SCORE_NONE;
    }
    /* Priority levels, then the SLA. */
    if (r->priority_key >= 0) {
        const uint32_t *code = t->code[r->priority_key];
        for (size_t i = 0; i < n; i++)
            t->level[i] = t->bad[i] ? 0 : r->levels[code[i]];
    } else {
        memset(t->level, 0, n);
    }
    if (r->has_policy)
        sla_facts(r, c, off, n);
}

/* The latest instant of the tile's good rows raises the report's. */
static void raise_latest(cm_table_report *r, const cm_table_columns *c, size_t off, size_t n)
{
    const uint8_t *bad = r->tile->bad;
    cm_time latest = r->latest;
    const cm_time *cols[3] = {c->created, c->first_reply, c->solved};
    for (size_t k = 0; k < 3; k++) {
        if (cols[k] == NULL)
            continue;
        const cm_time *p = cols[k] + off;
        for (size_t i = 0; i < n; i++) {
            const cm_time v = bad[i] ? CM_TABLE_NO_TIME : p[i];
            latest = v > latest ? v : latest;
        }
    }
    r->latest = latest;
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
                slot[i] = (uint32_t)(g->base + combo);
            }
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            if (t->bad[i]) {
                slot[i] = (uint32_t)g->base;
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
    g->used = used;
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

/* ---- stage 3: folding ------------------------------------------------------------------------ */

static uint64_t count(const uint8_t *p, size_t n)
{
    uint64_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += p[i];
    return s;
}

static void fold_durations_whole(tbl_acc *a, const tbl_tile *t, size_t n)
{
    for (size_t m = 0; m < CM_TABLE_DURATION_COUNT; m++) {
        const int64_t *d = t->dur[m];
        const uint8_t *h = t->has_dur[m];
        uint64_t cnt = 0, sum = 0;
        int64_t lo = a->dur[m].min, hi = a->dur[m].max;
        for (size_t i = 0; i < n; i++) {
            cnt += h[i];
            sum += (uint64_t)d[i]; /* 0 where absent */
            const int64_t v = d[i];
            lo = h[i] && v < lo ? v : lo;
            hi = h[i] && v > hi ? v : hi;
        }
        a->dur[m].n += cnt;
        a->dur[m].sum += sum;
        a->dur[m].min = lo;
        a->dur[m].max = hi;
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

/* The whole-history grouping: one group, sums over the tile. */
static bool fold_whole(cm_table_report *r, tbl_acc *a, size_t sketch_slot, size_t n,
                       const cm_time *created)
{
    tbl_tile *t = r->tile;
    uint64_t good = 0;
    cm_time lo = a->first_created, hi = a->last_created;
    for (size_t i = 0; i < n; i++) {
        good += !t->bad[i];
        const cm_time v = created[i];
        if (!t->bad[i]) {
            lo = lo == CM_TABLE_NO_TIME || v < lo ? v : lo;
            hi = hi == CM_TABLE_NO_TIME || v > hi ? v : hi;
        }
    }
    a->first_created = lo;
    a->last_created = hi;
    a->rows += good;
    const uint64_t tickets = count(t->ticket, n);
    a->tickets += tickets;
    a->abandoned += good - tickets;
    a->replied += count(t->replied, n);
    a->solved += count(t->solved, n);
    a->fcr_den += count(t->fcr_den, n);
    a->fcr_num += count(t->fcr_num, n);
    a->reopen_den += count(t->reopen_den, n);
    a->reopen_num += count(t->reopen_num, n);
    a->esc_den += count(t->esc_den, n);
    a->esc_num += count(t->esc_num, n);
    a->offered += count(t->offered, n);
    a->lost += count(t->lost, n);
    a->lost_short += count(t->lost_short, n);
    a->handled += count(t->handled, n);
    uint64_t us = 0;
    for (size_t i = 0; i < n; i++)
        us += t->handle_us[i]; /* at most 1024 * 1e15: no overflow */
    const uint64_t lo_us = a->handle_us[0] + us;
    a->handle_us[1] += lo_us < a->handle_us[0];
    a->handle_us[0] = lo_us;
    fold_durations_whole(a, t, n);
    for (size_t i = 0; i < n; i++) {
        a->within_judged[t->level[i]] += t->within_judged[i];
        a->within_met[t->level[i]] += t->within_met[i];
    }
    if (r->has_policy && (r->flags & CM_TABLE_SLA_ATTAINMENT)) {
        for (size_t m = 0; m < TBL_SLA_METRICS; m++) {
            for (size_t i = 0; i < n; i++) {
                if (t->sla_state[m][i] != ST_NONE)
                    add_state(&a->sla[m][t->level[i]], t->sla_state[m][i], t->sla_elapsed[m][i]);
            }
        }
    }
    bool ok = cm_csat_add_many(&a->csat, t->csat, n) == CM_OK;
    ok &= cm_nps_add_many(&a->nps, t->nps, n) == CM_OK;
    ok &= cm_ces_add_many(&a->ces, t->ces, n) == CM_OK;
    /* Contacts with a wait, compacted. */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        t->scratch[k] = t->wait[i];
        t->scratch_handle[k] = t->handle[i];
        t->scratch_flag[k] = t->abandoned[i];
        k += t->has_wait[i];
    }
    if (k > 0)
        ok &= cm_contact_add_many(&a->contact, t->scratch, t->scratch_handle, t->scratch_flag, k) ==
              CM_OK;
    /* Sketches of the durations, compacted. */
    for (size_t m = 0; m < CM_TABLE_DURATION_COUNT; m++) {
        const uint32_t si = r->sketch_index[m];
        if (si == UINT32_MAX)
            continue;
        size_t j = 0;
        for (size_t i = 0; i < n; i++) {
            t->scratch[j] = (double)t->dur[m][i];
            j += t->has_dur[m][i];
        }
        if (j > 0)
            ok &= cm_sketch_add_many(&r->sketches[sketch_slot * r->nsketch + si], t->scratch, j) ==
                  CM_OK;
    }
    return ok;
}

/* Any other grouping: each good row into its group. */
static bool fold_rows(cm_table_report *r, size_t gi, size_t n, const cm_time *created)
{
    tbl_tile *t = r->tile;
    const uint32_t *slot = t->slot[gi];
    const bool attainment = r->has_policy && (r->flags & CM_TABLE_SLA_ATTAINMENT);
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        if (t->bad[i])
            continue;
        tbl_acc *a = &r->acc[slot[i]];
        const cm_time v = created[i];
        a->first_created =
            a->first_created == CM_TABLE_NO_TIME || v < a->first_created ? v : a->first_created;
        a->last_created =
            a->last_created == CM_TABLE_NO_TIME || v > a->last_created ? v : a->last_created;
        a->rows++;
        a->tickets += t->ticket[i];
        a->abandoned += !t->ticket[i];
        a->replied += t->replied[i];
        a->solved += t->solved[i];
        a->fcr_den += t->fcr_den[i];
        a->fcr_num += t->fcr_num[i];
        a->reopen_den += t->reopen_den[i];
        a->reopen_num += t->reopen_num[i];
        a->esc_den += t->esc_den[i];
        a->esc_num += t->esc_num[i];
        a->offered += t->offered[i];
        a->lost += t->lost[i];
        a->lost_short += t->lost_short[i];
        a->handled += t->handled[i];
        const uint64_t us = a->handle_us[0] + t->handle_us[i];
        a->handle_us[1] += us < a->handle_us[0];
        a->handle_us[0] = us;
        for (size_t m = 0; m < CM_TABLE_DURATION_COUNT; m++) {
            if (!t->has_dur[m][i])
                continue;
            const int64_t d = t->dur[m][i];
            tbl_dur *x = &a->dur[m];
            x->n++;
            x->sum += (uint64_t)d;
            x->min = d < x->min ? d : x->min;
            x->max = d > x->max ? d : x->max;
            const uint32_t si = r->sketch_index[m];
            if (si != UINT32_MAX)
                ok &= cm_sketch_add(&r->sketches[(size_t)slot[i] * r->nsketch + si], (double)d) ==
                      CM_OK;
        }
        a->within_judged[t->level[i]] += t->within_judged[i];
        a->within_met[t->level[i]] += t->within_met[i];
        if (attainment) {
            for (size_t m = 0; m < TBL_SLA_METRICS; m++) {
                if (t->sla_state[m][i] != ST_NONE)
                    add_state(&a->sla[m][t->level[i]], t->sla_state[m][i], t->sla_elapsed[m][i]);
            }
        }
        /* Survey answers: the scales were checked. */
        if (t->csat[i] != CM_SCORE_NONE)
            a->csat.counts[t->csat[i] - 1]++;
        if (t->nps[i] != CM_SCORE_NONE)
            a->nps.counts[t->nps[i]]++;
        if (t->ces[i] != CM_SCORE_NONE)
            a->ces.counts[t->ces[i] - 1]++;
        if (t->has_wait[i])
            ok &= cm_contact_add(&a->contact, t->wait[i], t->handle[i], t->abandoned[i] != 0) ==
                  CM_OK;
    }
    return ok;
}

/* Kept durations and open tickets of the tile's tickets. */
static void keep_rows(cm_table_report *r, size_t n)
{
    tbl_tile *t = r->tile;
    if (r->nkept > 0) {
        size_t at = (size_t)r->kept;
        for (size_t i = 0; i < n; i++) {
            if (!t->ticket[i])
                continue;
            for (size_t j = 0; j < r->nkept; j++) {
                const uint32_t m = r->kept_metrics[j];
                r->kept_value[j][at] = t->has_dur[m][i] ? (uint32_t)t->dur[m][i] : TBL_NO_VALUE;
            }
            for (size_t g = 0; g < r->ngroupings; g++)
                r->kept_slot[g][at] = t->slot[g][i];
            at++;
        }
        r->kept = at;
    }
    if (r->open_capacity > 0) {
        for (size_t i = 0; i < n; i++) {
            if (!t->keep_open[i])
                continue;
            tbl_open *o = &r->open[r->nopen];
            for (size_t m = 0; m < TBL_SLA_METRICS; m++)
                o->breach[m] =
                    t->sla_state[m][i] == ST_DEFERRED ? t->breach[m][i] : CM_TABLE_NO_TIME;
            o->level = t->level[i];
            for (size_t g = 0; g < r->ngroupings; g++)
                r->open_slot[g][r->nopen] = t->slot[g][i];
            r->nopen++;
        }
    }
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
    bool ok = true;
    for (size_t off = 0; off < c->rows; off += TBL_TILE) {
        const size_t n = c->rows - off < TBL_TILE ? c->rows - off : TBL_TILE;
        const size_t nbad = validate(r, c, off, n);
        r->rows += n;
        r->bad_rows += nbad;
        raise_latest(r, c, off, n);
        facts(r, c, off, n);
        slots(r, c, off, n);
        for (size_t gi = 0; gi < r->ngroupings; gi++) {
            const tbl_grouping *g = &r->groupings[gi];
            if (!g->hashed && g->combos == 1)
                ok &= fold_whole(r, &r->acc[g->base], g->base, n, c->created + off);
            else
                ok &= fold_rows(r, gi, n, c->created + off);
        }
        keep_rows(r, n);
    }
    if (!ok)
        r->broken = true; /* a total overflowed: every result says so */
    return ok ? CM_OK : CM_EOVERFLOW;
}
