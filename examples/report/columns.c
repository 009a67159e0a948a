/*
 * caremetrics-report: feeding the engine from a columnar ticket file
 * (docs/ticket-columns.md). The file's columns are the engine's, read in
 * place: only the blocks' pointers move.
 * SPDX-License-Identifier: MIT
 */
#include "report.h"

/* Channel and priority codes as the columnar layout stores them. */
static const char *const channels[] = {"phone", "chat", "email", "social", "messaging"};
static const char *const priorities[] = {"none", "urgent", "high", "normal", "low"};
/* The SLA level (0 none, 1 low .. 4 urgent) of each stored priority. */
static const uint8_t levels[] = {0, 4, 3, 2, 1};

static const cm_table_key keys[] = {
    {"channel", 5, 1, 0, channels},
    {"priority", 5, 1, 0, priorities},
};

void columnar_keys(cm_table_spec *spec)
{
    spec->keys = keys;
    spec->nkeys = 2;
    spec->priority_key = 1;
    spec->priority_levels = levels;
}

/* Rows per block: large enough to amortise each call, small enough to stay in cache. */
#define COLUMNAR_BLOCK 65536

cm_status columnar_fold(cm_table_report *rep, const tc_table *t, uint64_t begin, uint64_t end,
                        bool handle)
{
    for (uint64_t r = begin; r < end; r += COLUMNAR_BLOCK) {
        const size_t n = (size_t)(end - r < COLUMNAR_BLOCK ? end - r : COLUMNAR_BLOCK);
        const void *codes[2] = {t->channel + r, t->priority + r};
        cm_table_columns c;
        cm_status st = cm_table_columns_init(&c);
        if (st != CM_OK)
            return st;
        c.rows = n;
        c.created = t->created + r;
        c.first_reply = t->first_reply + r;
        c.solved = t->solved + r;
        c.contacts = t->contacts + r;
        c.reopened = t->reopened + r;
        c.escalated = t->escalated + r;
        c.abandoned = t->abandoned + r;
        c.csat = t->csat + r;
        c.nps = t->nps + r;
        c.ces = t->ces + r;
        c.wait_seconds = t->wait + r;
        c.handle_seconds = handle ? t->handle + r : NULL; /* none of the headline KPIs */
        c.keys = codes;
        c.first_row = r + 1;
        st = cm_table_report_add(rep, &c);
        if (st != CM_OK)
            return st;
    }
    return CM_OK;
}
