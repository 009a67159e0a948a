/*
 * The ticket-table engine's shared pieces: survey scales of a spec, the label
 * tables of keys, group accumulators, the kept bad rows and the column names. Folding, merging
 * and results all use them; they use nothing of those.
 * SPDX-License-Identifier: MIT
 */
#include "table-core.h"

#include <string.h>

cm_status cm__table_surveys(const cm_table_spec *s, cm_csat *csat, cm_ces *ces)
{
    /* 0 in the spec means the accumulator's default. */
    const uint32_t scale = s->csat_scale != 0 ? s->csat_scale : CM_CSAT_DEFAULT_SCALE;
    const uint32_t sat =
        s->csat_satisfied_min != 0 ? s->csat_satisfied_min : CM_CSAT_DEFAULT_SATISFIED;
    const uint32_t ces_scale = s->ces_scale != 0 ? s->ces_scale : CM_CES_DEFAULT_SCALE;
    const uint32_t easy_min = s->ces_easy_min != 0 ? s->ces_easy_min : CM_CES_DEFAULT_EASY_MIN;
    const uint32_t easy_max = s->ces_easy_max != 0 ? s->ces_easy_max : CM_CES_DEFAULT_EASY_MAX;
    CM_REQUIRE(cm_csat_init(csat, scale, sat) == CM_OK, CM_EINVAL);
    CM_REQUIRE(cm_ces_init(ces, ces_scale, easy_min, easy_max) == CM_OK, CM_EINVAL);
    return CM_OK;
}

/* ---- labels ------------------------------------------------------------------- */

static uint64_t label_hash(const char *s, size_t n)
{
    uint64_t h = UINT64_C(1469598103934665603); /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * UINT64_C(1099511628211);
    return h;
}

static char *label_at(const tbl_key *k, uint32_t code)
{
    return k->labels + (size_t)code * (CM_TABLE_LABEL_MAX + 1);
}

int64_t cm__table_find_label(const cm_table_report *r, size_t key, const char *label, size_t len)
{
    const tbl_key *k = &r->keys[key];
    size_t i = (size_t)label_hash(label, len) & k->index_mask;
    for (;;) {
        const uint32_t e = k->index[i];
        if (e == 0)
            return -1;
        const char *l = label_at(k, e - 1);
        if (strncmp(l, label, len) == 0 && l[len] == '\0')
            return (int64_t)(e - 1);
        i = (i + 1) & k->index_mask;
    }
}

uint32_t cm__table_add_label(cm_table_report *r, size_t key, const char *label, size_t len)
{
    tbl_key *k = &r->keys[key];
    const uint32_t code = k->nlabels++;
    memcpy(label_at(k, code), label, len);
    label_at(k, code)[len] = '\0';
    size_t i = (size_t)label_hash(label, len) & k->index_mask;
    while (k->index[i] != 0)
        i = (i + 1) & k->index_mask;
    k->index[i] = code + 1;
    return code;
}

const char *cm__table_label(const cm_table_report *r, size_t key, uint32_t code)
{
    return label_at(&r->keys[key], code);
}

/* ---- accumulators ------------------------------------------------------------------ */

static void add_dur(tbl_dur *d, const tbl_dur *s)
{
    d->n += s->n;
    d->sum += s->sum;
    d->min = s->min < d->min ? s->min : d->min;
    d->max = s->max > d->max ? s->max : d->max;
}

void cm__table_add_sla(tbl_sla *d, const tbl_sla *s)
{
    d->achieved += s->achieved;
    d->breached += s->breached;
    d->open += s->open;
    d->stopped += s->stopped;
    d->stopped_sum += s->stopped_sum;
}

/* Counts cannot overflow in practice (2^64 rows); sums of durations are bounded by
 * rows times the 20-year maximum; the caller checks the handle-time total. */
void cm__table_add_acc(tbl_acc *d, const tbl_acc *s)
{
    d->rows += s->rows;
    d->tickets += s->tickets;
    d->abandoned += s->abandoned;
    d->replied += s->replied;
    d->solved += s->solved;
    d->fcr_den += s->fcr_den;
    d->fcr_num += s->fcr_num;
    d->reopen_den += s->reopen_den;
    d->reopen_num += s->reopen_num;
    d->esc_den += s->esc_den;
    d->esc_num += s->esc_num;
    d->offered += s->offered;
    d->lost += s->lost;
    d->lost_short += s->lost_short;
    d->handled += s->handled;
    const uint64_t lo = d->handle_us[0] + s->handle_us[0];
    d->handle_us[1] += s->handle_us[1] + (lo < d->handle_us[0]);
    d->handle_us[0] = lo;
    if (s->first_created != CM_TABLE_NO_TIME &&
        (d->first_created == CM_TABLE_NO_TIME || s->first_created < d->first_created))
        d->first_created = s->first_created;
    if (s->last_created != CM_TABLE_NO_TIME &&
        (d->last_created == CM_TABLE_NO_TIME || s->last_created > d->last_created))
        d->last_created = s->last_created;
    for (size_t l = 0; l < TBL_LEVELS; l++) {
        d->within_judged[l] += s->within_judged[l];
        d->within_met[l] += s->within_met[l];
    }
    for (size_t m = 0; m < CM_TABLE_DURATION_COUNT; m++)
        add_dur(&d->dur[m], &s->dur[m]);
    for (size_t m = 0; m < TBL_SLA_METRICS; m++) {
        for (size_t l = 0; l < TBL_LEVELS; l++)
            cm__table_add_sla(&d->sla[m][l], &s->sla[m][l]);
    }
    /* Same scales and thresholds on both sides: these cannot fail. */
    CM_CANNOT_FAIL(cm_csat_merge(&d->csat, &s->csat));
    CM_CANNOT_FAIL(cm_nps_merge(&d->nps, &s->nps));
    CM_CANNOT_FAIL(cm_ces_merge(&d->ces, &s->ces));
    CM_CANNOT_FAIL(cm_contact_merge(&d->contact, &s->contact));
}

bool cm__table_acc_empty(const tbl_acc *a)
{
    return a->rows == 0;
}

void cm__table_keep_bad(cm_table_report *r, const cm_table_bad_row *b)
{
    /* Keep the first CM_TABLE_BAD_ROWS_KEPT by row number. */
    size_t at = r->bad_kept;
    while (at > 0 && r->bad[at - 1].row > b->row)
        at--;
    if (at >= CM_TABLE_BAD_ROWS_KEPT)
        return;
    const size_t last =
        r->bad_kept < CM_TABLE_BAD_ROWS_KEPT ? r->bad_kept : CM_TABLE_BAD_ROWS_KEPT - 1;
    memmove(&r->bad[at + 1], &r->bad[at], (last - at) * sizeof *b);
    r->bad[at] = *b;
    if (r->bad_kept < CM_TABLE_BAD_ROWS_KEPT)
        r->bad_kept++;
}

const char *cm_table_column_name(uint32_t column)
{
    static const char *const names[CM_TABLE_COLUMN_COUNT] = {
        "created_at", "first_reply_at", "solved_at", "contacts", "reopened",     "escalated",
        "abandoned",  "csat",           "nps",       "ces",      "wait_seconds", "handle_seconds",
    };
    return column < CM_TABLE_COLUMN_COUNT ? names[column] : "unknown";
}
