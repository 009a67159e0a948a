/*
 * Tests of the ticket-table engine (include/caremetrics/table.h).
 *
 * Expected values come from hand-worked tables and, for random tables, from
 * the library's per-KPI functions applied to the rows of each group one by
 * one (cm_csat_add, cm_sketch_add_many, cm_quantiles_exact, cm_calendar_elapsed,
 * cm_contact_add, cm_sla_evaluate + cm_sla_attainment): the engine must give
 * exactly their results, whatever the block split, the number of partial
 * reports, the merge order and the trips through bytes.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics.h>

#include "testing.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const channel_labels[] = {"phone", "chat", "email"};
static const char *const priority_labels[] = {"none", "low", "normal", "high", "urgent"};

static const char *const calendar_spec = "tz America/New_York\n"
                                         "mon-fri 09:00-17:00\n"
                                         "sat 10:00-12:00, 13:00-14:00, 15:00-16:00\n"
                                         "2025-07-04 closed\n";
static const char *const policy_text = "first-reply urgent 15m calendar\n"
                                       "first-reply high 1h calendar\n"
                                       "first-reply normal 4h business\n"
                                       "first-reply low 8h business\n"
                                       "total-resolution urgent 4h calendar\n"
                                       "total-resolution high 8h business\n"
                                       "total-resolution normal 24h business\n";

/* One ticket row, as the reference sees it. */
typedef struct row {
    cm_time created, reply, solved;
    uint32_t contacts;
    uint8_t reopened, escalated, abandoned, csat, nps, ces, channel, priority;
    double wait, handle;
} row;

/* Column arrays of a table of rows. */
typedef struct table {
    size_t n;
    cm_time *created, *reply, *solved;
    uint32_t *contacts;
    uint8_t *reopened, *escalated, *abandoned, *csat, *nps, *ces, *channel, *priority;
    double *wait, *handle;
} table;

static void table_fill(table *t, const row *rows, size_t n)
{
    t->n = n;
    t->created = calloc(n + 1, sizeof(cm_time));
    t->reply = calloc(n + 1, sizeof(cm_time));
    t->solved = calloc(n + 1, sizeof(cm_time));
    t->contacts = calloc(n + 1, sizeof(uint32_t));
    t->reopened = calloc(n + 1, 1);
    t->escalated = calloc(n + 1, 1);
    t->abandoned = calloc(n + 1, 1);
    t->csat = calloc(n + 1, 1);
    t->nps = calloc(n + 1, 1);
    t->ces = calloc(n + 1, 1);
    t->channel = calloc(n + 1, 1);
    t->priority = calloc(n + 1, 1);
    t->wait = calloc(n + 1, sizeof(double));
    t->handle = calloc(n + 1, sizeof(double));
    for (size_t i = 0; i < n; i++) {
        t->created[i] = rows[i].created;
        t->reply[i] = rows[i].reply;
        t->solved[i] = rows[i].solved;
        t->contacts[i] = rows[i].contacts;
        t->reopened[i] = rows[i].reopened;
        t->escalated[i] = rows[i].escalated;
        t->abandoned[i] = rows[i].abandoned;
        t->csat[i] = rows[i].csat;
        t->nps[i] = rows[i].nps;
        t->ces[i] = rows[i].ces;
        t->channel[i] = rows[i].channel;
        t->priority[i] = rows[i].priority;
        t->wait[i] = rows[i].wait;
        t->handle[i] = rows[i].handle;
    }
}

static void table_free(table *t)
{
    free(t->created);
    free(t->reply);
    free(t->solved);
    free(t->contacts);
    free(t->reopened);
    free(t->escalated);
    free(t->abandoned);
    free(t->csat);
    free(t->nps);
    free(t->ces);
    free(t->channel);
    free(t->priority);
    free(t->wait);
    free(t->handle);
}

/* A block of rows [from, from + n) of the table with every column. */
static void block_of(const table *t, size_t from, size_t n, const void **keys, cm_table_columns *c)
{
    ck_assert_status(cm_table_columns_init(c), CM_OK);
    c->rows = n;
    c->created = t->created + from;
    c->first_reply = t->reply + from;
    c->solved = t->solved + from;
    c->contacts = t->contacts + from;
    c->reopened = t->reopened + from;
    c->escalated = t->escalated + from;
    c->abandoned = t->abandoned + from;
    c->csat = t->csat + from;
    c->nps = t->nps + from;
    c->ces = t->ces + from;
    c->wait_seconds = t->wait + from;
    c->handle_seconds = t->handle + from;
    keys[0] = t->channel + from;
    keys[1] = t->priority + from;
    c->keys = keys;
    c->first_row = from + 1;
}

/* ---- the fixture ------------------------------------------------------------------ */

typedef struct fixture {
    cm_calendar *cal;
    cm_sla_policy *policy;
    cm_table_key keys[2];
    cm_table_grouping groupings[8];
    size_t ngroupings;
    cm_table_spec spec;
} fixture;

static void fixture_make(fixture *f, uint32_t mode, uint64_t rows)
{
    cm_parse_error err;
    ck_assert_status(cm_calendar_parse(calendar_spec, &f->cal, &err), CM_OK);
    ck_assert_status(cm_sla_policy_parse(policy_text, &f->policy, &err), CM_OK);
    f->keys[0] = (cm_table_key){"channel", 3, 1, 0, channel_labels};
    f->keys[1] = (cm_table_key){"priority", 5, 1, 0, priority_labels};
    const cm_table_grouping g[] = {
        {0, CM_TABLE_BUCKET_NONE, 0, 0},          {1u, CM_TABLE_BUCKET_NONE, 0, 0},
        {2u, CM_TABLE_BUCKET_NONE, 0, 0},         {3u, CM_TABLE_BUCKET_NONE, 0, 0},
        {0, CM_TABLE_BUCKET_DAY, 0, 64},          {1u, CM_TABLE_BUCKET_MONTH, 0, 16},
        {0, CM_TABLE_BUCKET_TIME_OF_DAY, 60, 32}, {0, CM_TABLE_BUCKET_HOUR, 0, 1024},
    };
    memcpy(f->groupings, g, sizeof g);
    f->ngroupings = NELEM(g);
    ck_assert_status(cm_table_spec_init(&f->spec), CM_OK);
    f->spec.keys = f->keys;
    f->spec.nkeys = 2;
    f->spec.groupings = f->groupings;
    f->spec.ngroupings = f->ngroupings;
    f->spec.calendar = f->cal;
    f->spec.policy = f->policy;
    f->spec.priority_key = 1;
    f->spec.flags |= CM_TABLE_SLA_ATTAINMENT;
    f->spec.quantile_mode = mode;
    f->spec.row_capacity = mode == CM_TABLE_QUANTILES_EXACT ? rows : 0;
}

static void fixture_free(fixture *f)
{
    cm_calendar_free(f->cal);
    cm_sla_policy_free(f->policy);
}

/* ---- random tables ------------------------------------------------------------------- */

static cm_time random_instant(test_rng *r)
{
    /* 2025-10-15 .. 2025-11-20, across New York's change back to standard time */
    return 1760486400 + (cm_time)rng_below(r, 36 * 86400);
}

static int64_t random_duration(test_rng *r)
{
    switch (rng_below(r, 4)) {
    case 0:
        return (int64_t)rng_below(r, 120);
    case 1:
        return (int64_t)rng_below(r, 8 * 3600);
    case 2:
        return (int64_t)rng_below(r, 5 * 86400);
    default:
        return (int64_t)rng_below(r, 40 * 86400);
    }
}

static row random_row(test_rng *r)
{
    row x;
    memset(&x, 0, sizeof x);
    x.created = random_instant(r);
    x.channel = (uint8_t)rng_below(r, 3);
    x.priority = (uint8_t)rng_below(r, 5);
    x.reply = rng_below(r, 5) == 0 ? CM_TABLE_NO_TIME : x.created + random_duration(r);
    x.solved = rng_below(r, 4) == 0 ? CM_TABLE_NO_TIME : x.created + random_duration(r);
    x.contacts = 1 + (uint32_t)rng_below(r, 3);
    x.reopened = (uint8_t)(rng_below(r, 10) == 0);
    x.escalated = (uint8_t)(rng_below(r, 8) == 0);
    x.csat = rng_below(r, 3) == 0 ? (uint8_t)(1 + rng_below(r, 5)) : CM_SCORE_NONE;
    x.nps = rng_below(r, 4) == 0 ? (uint8_t)rng_below(r, 11) : CM_SCORE_NONE;
    x.ces = rng_below(r, 5) == 0 ? (uint8_t)(1 + rng_below(r, 7)) : CM_SCORE_NONE;
    const bool realtime = x.channel < 2;
    x.wait = realtime ? (double)rng_below(r, 600) / 4.0 : D_NAN;
    x.abandoned = (uint8_t)(realtime && rng_below(r, 12) == 0);
    x.handle = x.abandoned || rng_below(r, 6) == 0 ? D_NAN : (double)rng_below(r, 4000) / 3.0;
    if (x.abandoned) {
        x.reply = CM_TABLE_NO_TIME;
        x.solved = CM_TABLE_NO_TIME;
    }
    return x;
}

/* ---- the reference -------------------------------------------------------------------- */

typedef struct ref_group {
    uint64_t rows, tickets, abandoned, replied, solved;
    uint64_t fcr_num, fcr_den, reopen_num, esc_num;
    uint64_t offered, lost, lost_short;
    cm_csat csat;
    cm_nps nps;
    cm_ces ces;
    cm_contact contact;
    double *dur[CM_TABLE_DURATION_COUNT];
    size_t ndur[CM_TABLE_DURATION_COUNT];
    uint64_t within_met[5], within_judged[5];
    cm_sla_attainment *att;
} ref_group;

static void ref_init(ref_group *g, size_t cap)
{
    memset(g, 0, sizeof *g);
    ck_assert_status(cm_csat_init(&g->csat, 5, 4), CM_OK);
    ck_assert_status(cm_ces_init(&g->ces, 7, 5, 7), CM_OK);
    ck_assert_status(cm_contact_init(&g->contact, 20, 5), CM_OK);
    for (size_t m = 0; m < CM_TABLE_DURATION_COUNT; m++)
        g->dur[m] = malloc((cap + 1) * sizeof(double));
    g->att = calloc(1, sizeof *g->att);
}

static void ref_free(ref_group *g)
{
    for (size_t m = 0; m < CM_TABLE_DURATION_COUNT; m++)
        free(g->dur[m]);
    free(g->att);
}

/* The ticket's log as the engine sees it, replayed by the SLA engine at `now`. */
static void ref_sla(const fixture *f, ref_group *g, const row *x, cm_time now)
{
    static const uint8_t level_of[5] = {0, 1, 2, 3, 4};
    const uint8_t level = level_of[x->priority];
    if (level == 0 || now == CM_TABLE_NO_TIME || x->created > now)
        return; /* no attainment judged */
    cm_sla_event ev[3];
    size_t n = 0;
    ev[n++] = (cm_sla_event){x->created, CM_SLA_EVENT_CREATED, 0, level};
    const cm_sla_event reply = {x->reply, CM_SLA_EVENT_AGENT_REPLY, 0, 0};
    const cm_sla_event solve = {x->solved, CM_SLA_EVENT_STATUS, 0, CM_SLA_STATUS_SOLVED};
    if (x->reply != CM_TABLE_NO_TIME && x->solved != CM_TABLE_NO_TIME && x->solved < x->reply) {
        ev[n++] = solve;
        ev[n++] = reply;
    } else {
        if (x->reply != CM_TABLE_NO_TIME)
            ev[n++] = reply;
        if (x->solved != CM_TABLE_NO_TIME)
            ev[n++] = solve;
    }
    const cm_calendar *cals[] = {f->cal};
    cm_sla_instance out[32];
    size_t k;
    ck_assert_status(cm_sla_evaluate(f->policy, cals, 1, ev, n, now, out, 32, &k), CM_OK);
    /* Only the metrics the columns feed: first reply and total resolution. */
    cm_sla_instance keep[32];
    size_t m = 0;
    for (size_t i = 0; i < k; i++) {
        if (out[i].metric == CM_SLA_FIRST_REPLY || out[i].metric == CM_SLA_TOTAL_RESOLUTION)
            keep[m++] = out[i];
    }
    ck_assert_status(cm_sla_attainment_add(g->att, keep, m), CM_OK);
}

static void ref_add(const fixture *f, ref_group *g, const row *x, cm_time now)
{
    g->rows++;
    if (x->wait == x->wait || x->abandoned) {
        g->offered++;
        g->lost += x->abandoned;
        g->lost_short += x->abandoned && x->wait == x->wait && x->wait < 5.0;
    }
    if (x->wait == x->wait)
        ck_assert_status(cm_contact_add(&g->contact, x->wait,
                                        x->handle == x->handle ? x->handle : 0.0,
                                        x->abandoned != 0),
                         CM_OK);
    if (x->abandoned) {
        g->abandoned++;
        return;
    }
    g->tickets++;
    g->esc_num += x->escalated;
    if (x->csat != CM_SCORE_NONE)
        ck_assert_status(cm_csat_add(&g->csat, x->csat), CM_OK);
    if (x->nps != CM_SCORE_NONE)
        ck_assert_status(cm_nps_add(&g->nps, x->nps), CM_OK);
    if (x->ces != CM_SCORE_NONE)
        ck_assert_status(cm_ces_add(&g->ces, x->ces), CM_OK);
    static const cm_time none = CM_TABLE_NO_TIME;
    const cm_time ends[2] = {x->reply, x->solved};
    for (size_t e = 0; e < 2; e++) {
        if (ends[e] == none)
            continue;
        int64_t b;
        ck_assert_status(cm_calendar_elapsed(f->cal, x->created, ends[e], &b), CM_OK);
        g->dur[2 * e][g->ndur[2 * e]++] = (double)(ends[e] - x->created);
        g->dur[2 * e + 1][g->ndur[2 * e + 1]++] = (double)b;
    }
    if (x->reply != none) {
        g->replied++;
        cm_sla_target t;
        if (x->priority > 0 &&
            cm_sla_policy_target(f->policy, CM_SLA_FIRST_REPLY, x->priority, &t) == CM_OK) {
            int64_t el = x->reply - x->created;
            if (t.calendar != CM_SLA_CALENDAR_TIME)
                ck_assert_status(cm_calendar_elapsed(f->cal, x->created, x->reply, &el), CM_OK);
            g->within_judged[x->priority]++;
            g->within_met[x->priority] += el <= t.seconds;
        }
    }
    if (x->solved != none) {
        g->solved++;
        g->fcr_den++;
        g->fcr_num += x->contacts == 1;
        g->reopen_num += x->reopened;
    }
    ref_sla(f, g, x, now);
}

/* ---- comparing a group -------------------------------------------------------------------- */

static void expect_quantiles(const cm_table_duration *d, const ref_group *g, size_t m,
                             uint32_t mode)
{
    static const double qs[] = {0.5, 0.9, 0.99};
    double want[3];
    const size_t n = g->ndur[m];
    if (mode == CM_TABLE_QUANTILES_EXACT) {
        const size_t len = cm_quantile_exact_scratch_size(n);
        double *scratch = malloc((len + 1) * sizeof(double));
        ck_assert_status(cm_quantiles_exact(g->dur[m], n, qs, 3, scratch, len, want), CM_OK);
        free(scratch);
        ck_assert(d->exact);
    } else {
        cm_sketch s = {0};
        ck_assert_status(cm_sketch_add_many(&s, g->dur[m], n), CM_OK);
        ck_assert_status(cm_sketch_quantiles(&s, qs, 3, want), CM_OK);
        ck_assert(!d->exact);
    }
    ck_assert_uint_eq(d->nquantiles, 3);
    for (size_t i = 0; i < 3; i++)
        ck_assert_msg(d->quantiles[i] == want[i], "metric %zu q%zu: %.17g, expected %.17g", m, i,
                      d->quantiles[i], want[i]);
}

static void expect_group(const cm_table_report *rep, size_t gi, const ref_group *g, uint32_t mode)
{
    cm_table_counts c;
    ck_assert_status(cm_table_report_counts(rep, gi, &c), CM_OK);
    ck_assert_uint_eq(c.rows, g->rows);
    ck_assert_uint_eq(c.tickets, g->tickets);
    ck_assert_uint_eq(c.abandoned, g->abandoned);
    ck_assert_uint_eq(c.replied, g->replied);
    ck_assert_uint_eq(c.solved, g->solved);
    cm_proportion p;
    if (g->fcr_den > 0) {
        ck_assert_status(cm_table_report_rate(rep, gi, CM_TABLE_FCR, 0.95, &p), CM_OK);
        ck_assert_uint_eq(p.num, g->fcr_num);
        ck_assert_uint_eq(p.den, g->fcr_den);
        ck_assert_status(cm_table_report_rate(rep, gi, CM_TABLE_REOPEN, 0.95, &p), CM_OK);
        ck_assert_uint_eq(p.num, g->reopen_num);
    } else {
        ck_assert_status(cm_table_report_rate(rep, gi, CM_TABLE_FCR, 0.95, &p), CM_ENODATA);
    }
    if (g->tickets > 0) {
        ck_assert_status(cm_table_report_rate(rep, gi, CM_TABLE_ESCALATION, 0.95, &p), CM_OK);
        ck_assert_uint_eq(p.num, g->esc_num);
        ck_assert_uint_eq(p.den, g->tickets);
    }
    if (g->offered > g->lost_short) {
        ck_assert_status(cm_table_report_rate(rep, gi, CM_TABLE_ABANDONMENT, 0.95, &p), CM_OK);
        ck_assert_uint_eq(p.num, g->lost - g->lost_short);
        ck_assert_uint_eq(p.den, g->offered - g->lost_short);
    }
    cm_csat cs;
    cm_nps np;
    cm_ces ce;
    ck_assert_status(cm_table_report_surveys(rep, gi, &cs, &np, &ce), CM_OK);
    ck_assert(memcmp(cs.counts, g->csat.counts, sizeof cs.counts) == 0);
    ck_assert(memcmp(np.counts, g->nps.counts, sizeof np.counts) == 0);
    ck_assert(memcmp(ce.counts, g->ces.counts, sizeof ce.counts) == 0);
    cm_contact ct;
    ck_assert_status(cm_table_report_contact(rep, gi, &ct), CM_OK);
    ck_assert(memcmp(&ct, &g->contact, sizeof ct) == 0);
    for (size_t m = 0; m < CM_TABLE_DURATION_COUNT; m++) {
        cm_table_duration d;
        const size_t n = g->ndur[m];
        if (n == 0) {
            ck_assert_status(cm_table_report_duration(rep, gi, (uint32_t)m, &d), CM_ENODATA);
            continue;
        }
        ck_assert_status(cm_table_report_duration(rep, gi, (uint32_t)m, &d), CM_OK);
        ck_assert_uint_eq(d.n, n);
        double sum = 0, lo = g->dur[m][0], hi = g->dur[m][0];
        for (size_t i = 0; i < n; i++) {
            sum += g->dur[m][i];
            lo = g->dur[m][i] < lo ? g->dur[m][i] : lo;
            hi = g->dur[m][i] > hi ? g->dur[m][i] : hi;
        }
        ck_assert(d.total_seconds == sum); /* integers below 2^53: exact */
        ck_assert(d.min_seconds == lo && d.max_seconds == hi);
        ck_assert(d.mean_seconds == sum / (double)n);
        expect_quantiles(&d, g, m, mode);
    }
    for (uint32_t l = CM_SLA_PRIORITY_LOW; l <= CM_SLA_PRIORITY_URGENT; l++) {
        const cm_status st = cm_table_report_reply_within(rep, gi, l, 0.95, &p);
        if (g->within_judged[l] == 0) {
            ck_assert(st == CM_ENODATA);
            continue;
        }
        ck_assert_status(st, CM_OK);
        ck_assert_uint_eq(p.num, g->within_met[l]);
        ck_assert_uint_eq(p.den, g->within_judged[l]);
    }
    static const uint32_t metrics[] = {CM_SLA_FIRST_REPLY, CM_SLA_TOTAL_RESOLUTION};
    for (size_t mi = 0; mi < 2; mi++) {
        for (uint32_t l = CM_SLA_PRIORITY_LOW; l <= CM_SLA_PRIORITY_URGENT; l++) {
            cm_sla_attainment_summary want;
            cm_table_sla got;
            const cm_status sw = cm_sla_attainment_result(g->att, metrics[mi], l, 0.95, &want);
            const cm_status sg = cm_table_report_sla(rep, gi, metrics[mi], l, 0.95, &got);
            if (sw != CM_OK) {
                ck_assert_msg(sg == CM_ENODATA, "metric %u level %u: %s", metrics[mi], l,
                              cm_status_name(sg));
                continue;
            }
            ck_assert_status(sg, CM_OK);
            ck_assert_uint_eq(got.achieved, want.achieved);
            ck_assert_uint_eq(got.breached, want.breached);
            ck_assert_uint_eq(got.open, want.open);
            ck_assert_uint_eq(got.attained.num, want.attained.num);
            ck_assert_uint_eq(got.attained.den, want.attained.den);
            if (want.elapsed.n > 0)
                ck_assert_double_eq_tol(got.mean_seconds, want.elapsed.mean_seconds,
                                        1e-9 * want.elapsed.mean_seconds + 1e-9);
        }
    }
}

/* ---- the property test ----------------------------------------------------------------------- */

enum { RANDOM_ROWS = 2500 };

/* Which rows of the table a group of grouping gi holds. */
static bool in_group(const fixture *f, size_t gi, const cm_table_group *grp, const row *x)
{
    const cm_table_grouping *g = &f->groupings[gi];
    if ((g->keys & 1u) && grp->codes[0] != x->channel)
        return false;
    if ((g->keys & 2u) && grp->codes[1] != x->priority)
        return false;
    if (g->bucket == CM_TABLE_BUCKET_NONE)
        return true;
    if (g->bucket == CM_TABLE_BUCKET_TIME_OF_DAY) {
        const cm_tz *tz;
        ck_assert_status(cm_calendar_get_tz(f->cal, &tz), CM_OK);
        cm_civil local;
        ck_assert_status(cm_tz_to_local(tz, x->created, &local), CM_OK);
        return grp->slot == local.hour;
    }
    return x->created >= grp->start && x->created < grp->end;
}

static void check_report(const fixture *f, const cm_table_report *rep, const row *rows, size_t n,
                         uint32_t mode)
{
    const bool attainment = (f->spec.flags & CM_TABLE_SLA_ATTAINMENT) != 0;
    cm_time latest = CM_TABLE_NO_TIME;
    for (size_t i = 0; i < n; i++) {
        const cm_time t[3] = {rows[i].created, rows[i].reply, rows[i].solved};
        for (size_t k = 0; k < 3; k++)
            latest = t[k] > latest ? t[k] : latest;
    }
    cm_time as_of;
    ck_assert_status(cm_table_report_as_of(rep, &as_of), CM_OK);
    ck_assert_int_eq(as_of, attainment ? latest : CM_TABLE_NO_TIME);
    const size_t ngroups = cm_table_report_group_count(rep);
    uint64_t per_grouping[8] = {0};
    ck_assert_uint_ge(ngroups, 1);
    for (size_t gi = 0; gi < ngroups; gi++) {
        cm_table_group grp;
        ck_assert_status(cm_table_report_group(rep, gi, &grp), CM_OK);
        ref_group g;
        ref_init(&g, n);
        for (size_t i = 0; i < n; i++) {
            if (in_group(f, grp.grouping, &grp, &rows[i]))
                ref_add(f, &g, &rows[i], attainment ? latest : CM_TABLE_NO_TIME);
        }
        ck_assert_msg(g.rows > 0 || grp.grouping == 0, "group %zu is empty", gi);
        per_grouping[grp.grouping] += g.rows;
        expect_group(rep, gi, &g, mode);
        ref_free(&g);
    }
    /* Every grouping's groups hold every row exactly once. */
    for (size_t g = 0; g < f->ngroupings; g++)
        ck_assert_uint_eq(per_grouping[g], n);
}

static const uint32_t modes[] = {CM_TABLE_QUANTILES_EXACT, CM_TABLE_QUANTILES_SKETCH};

/* Loop index: quantile mode, and whether the spec has only the whole-history grouping
 * and no SLA attainment (the kernel's column-by-column path) or every grouping. */
START_TEST(random_tables_match_the_library)
{
    const uint32_t mode = modes[_i % 2];
    const bool whole_only = _i >= 2;
    test_rng r = test_rng_make("table random_tables_match_the_library");
    row *rows = malloc(RANDOM_ROWS * sizeof *rows);
    for (size_t i = 0; i < RANDOM_ROWS; i++)
        rows[i] = random_row(&r);
    table t;
    table_fill(&t, rows, RANDOM_ROWS);
    fixture f;
    fixture_make(&f, mode, RANDOM_ROWS);
    if (whole_only) {
        f.ngroupings = 1;
        f.spec.ngroupings = 1;
        f.spec.flags &= ~CM_TABLE_SLA_ATTAINMENT;
    }

    /* Fold in random blocks into 1-4 partial reports, some of them merged through bytes. */
    const size_t parts = 1 + (size_t)rng_below(&r, 4);
    cm_table_report *rep[4];
    for (size_t k = 0; k < parts; k++)
        ck_assert_status(cm_table_report_new(&f.spec, NULL, &rep[k]), CM_OK);
    size_t at = 0;
    while (at < RANDOM_ROWS) {
        size_t n = 1 + (size_t)rng_below(&r, 3000);
        n = n > RANDOM_ROWS - at ? RANDOM_ROWS - at : n;
        const void *keys[2];
        cm_table_columns c;
        block_of(&t, at, n, keys, &c);
        ck_assert_status(cm_table_report_add(rep[rng_below(&r, parts)], &c), CM_OK);
        at += n;
    }
    for (size_t k = 1; k < parts; k++) {
        if (rng_below(&r, 2) == 0) {
            ck_assert_status(cm_table_report_merge(rep[0], rep[k]), CM_OK);
        } else {
            size_t len;
            ck_assert_status(cm_table_report_serialize(rep[k], NULL, 0, &len), CM_ENOSPC);
            uint8_t *bytes = malloc(len);
            ck_assert_status(cm_table_report_serialize(rep[k], bytes, len, &len), CM_OK);
            ck_assert_status(cm_table_report_merge_bytes(rep[0], bytes, len), CM_OK);
            free(bytes);
        }
    }
    ck_assert_status(cm_table_report_finish(rep[0]), CM_OK);
    uint64_t nrows, nbad;
    ck_assert_status(cm_table_report_rows(rep[0], &nrows, &nbad, NULL, 0, NULL), CM_OK);
    ck_assert_uint_eq(nrows, RANDOM_ROWS);
    ck_assert_uint_eq(nbad, 0);
    check_report(&f, rep[0], rows, RANDOM_ROWS, mode);
    for (size_t k = 0; k < parts; k++)
        cm_table_report_free(rep[k]);
    fixture_free(&f);
    table_free(&t);
    free(rows);
}
END_TEST

/* ---- bad input ------------------------------------------------------------------------- */

static const char *const two_labels[] = {"a", "b"};
static const char *const dup_labels[] = {"a", "a"};
static const char *const long_label[] = {
    "a", "0123456789012345678901234567890123456789012345678901234567890123"};
static const uint8_t bad_levels[] = {0, 7};
static const double bad_q[] = {0.5, 1.5};

/* Each case breaks one field of a valid spec. */
static void break_spec(int which, cm_table_spec *s, cm_table_key *k, cm_table_grouping *g)
{
    switch (which) {
    case 0:
        s->size = 4;
        break;
    case 1:
        s->flags = 0x80;
        break;
    case 2:
        s->reserved0 = 1;
        break;
    case 3:
        s->nkeys = CM_TABLE_MAX_KEYS + 1;
        break;
    case 4:
        k[0].name = NULL;
        break;
    case 5:
        k[0].name = "";
        break;
    case 6:
        k[0].cardinality = 0;
        break;
    case 7:
        k[0].width = 3;
        break;
    case 8:
        k[0].width = 1;
        k[0].cardinality = 300;
        k[0].labels = NULL;
        break;
    case 9:
        k[0].labels = dup_labels;
        break;
    case 10:
        k[0].labels = long_label;
        break;
    case 11:
        k[1].name = "channel";
        break; /* duplicate key names */
    case 12:
        g[0].keys = 1u << 5;
        break;
    case 13:
        g[0].bucket = 9;
        break;
    case 14:
        g[0].bucket = CM_TABLE_BUCKET_MINUTES;
        g[0].minutes = 7;
        break;
    case 15:
        g[0].bucket = CM_TABLE_BUCKET_DAY;
        g[0].minutes = 5;
        break;
    case 16:
        s->priority_key = 5;
        break;
    case 17:
        s->priority_levels = bad_levels;
        break;
    case 18:
        s->quantile_mode = 3;
        break;
    case 19:
        s->quantiles = bad_q;
        s->nquantiles = 2;
        break;
    case 20:
        s->quantiles = NULL;
        s->nquantiles = 2;
        break;
    case 21:
        s->short_abandon_seconds = (double)NAN;
        break;
    case 22:
        s->service_target_seconds = -1;
        break;
    case 23:
        s->csat_scale = 40;
        break;
    case 24:
        s->quantile_mode = CM_TABLE_QUANTILES_EXACT;
        s->row_capacity = 0;
        break;
    case 25:
        s->as_of = INT64_MAX;
        break;
    case 26:
        s->groupings = NULL;
        break;
    case 27:
        s->reserved[1] = 3;
        break;
    case 28:
        s->duration_metrics = 0x10;
        break;
    default:
        s->policy_calendars = NULL;
        s->npolicy_calendars = 3;
        break;
    }
}

START_TEST(spec_bad_input)
{
    cm_table_key k[2] = {{"channel", 2, 1, 0, two_labels}, {"priority", 5, 1, 0, NULL}};
    cm_table_grouping g[2] = {{0, CM_TABLE_BUCKET_NONE, 0, 0}, {1, CM_TABLE_BUCKET_NONE, 0, 0}};
    cm_table_spec s;
    ck_assert_status(cm_table_spec_init(&s), CM_OK);
    s.keys = k;
    s.nkeys = 2;
    s.groupings = g;
    s.ngroupings = 2;
    s.priority_key = 1;
    cm_table_report *r;
    ck_assert_status(cm_table_report_new(&s, NULL, &r), CM_OK);
    cm_table_report_free(r);
    break_spec(_i, &s, k, g);
    r = (cm_table_report *)(uintptr_t)0x1;
    const cm_status st = cm_table_report_new(&s, NULL, &r);
    ck_assert_msg(st == CM_EINVAL || st == CM_EOVERFLOW, "case %d: %s", _i, cm_status_name(st));
    ck_assert_ptr_eq(r, (cm_table_report *)(uintptr_t)0x1);
}
END_TEST

START_TEST(calls_bad_input)
{
    cm_table_spec s;
    ck_assert_status(cm_table_spec_init(NULL), CM_EINVAL);
    ck_assert_status(cm_table_columns_init(NULL), CM_EINVAL);
    ck_assert_status(cm_table_spec_init(&s), CM_OK);
    cm_table_report *r;
    ck_assert_status(cm_table_report_new(NULL, NULL, &r), CM_EINVAL);
    ck_assert_status(cm_table_report_new(&s, NULL, NULL), CM_EINVAL);
    const cm_allocator half = {NULL, NULL, NULL};
    ck_assert_status(cm_table_report_new(&s, &half, &r), CM_EINVAL);
    ck_assert_status(cm_table_report_new(&s, NULL, &r), CM_OK);
    cm_table_columns c;
    ck_assert_status(cm_table_columns_init(&c), CM_OK);
    ck_assert_status(cm_table_report_add(r, &c), CM_OK); /* no rows */
    c.rows = 1;
    ck_assert_status(cm_table_report_add(r, &c), CM_EINVAL); /* no created column */
    ck_assert_status(cm_table_report_add(NULL, &c), CM_EINVAL);
    c.size = 8;
    ck_assert_status(cm_table_report_add(r, &c), CM_EINVAL);
    /* Results before finishing, and out of range after. */
    cm_table_counts n;
    ck_assert_status(cm_table_report_counts(r, 0, &n), CM_EINVAL);
    ck_assert_uint_eq(cm_table_report_group_count(r), 0);
    ck_assert_status(cm_table_report_finish(r), CM_OK);
    ck_assert_uint_eq(cm_table_report_group_count(r), 1);
    poison(&n);
    ck_assert_status(cm_table_report_counts(r, 1, &n), CM_ERANGE);
    ck_assert_untouched(&n);
    cm_proportion p;
    poison(&p);
    ck_assert_status(cm_table_report_rate(r, 0, CM_TABLE_FCR, 1.0, &p), CM_EINVAL);
    ck_assert_status(cm_table_report_rate(r, 0, 99, 0.95, &p), CM_EINVAL);
    ck_assert_status(cm_table_report_rate(r, 0, CM_TABLE_FCR, 0.95, &p), CM_ENODATA);
    ck_assert_untouched(&p);
    cm_table_sla sla;
    ck_assert_status(cm_table_report_sla(r, 0, CM_SLA_NEXT_REPLY, CM_SLA_PRIORITY_ALL, 0.9, &sla),
                     CM_EINVAL);
    ck_assert_status(cm_table_report_sla(r, 0, CM_SLA_FIRST_REPLY, 7, 0.9, &sla), CM_EINVAL);
    ck_assert_status(cm_table_report_sla(r, 0, CM_SLA_FIRST_REPLY, CM_SLA_PRIORITY_ALL, 0.9, &sla),
                     CM_ENODATA);
    cm_table_duration d;
    ck_assert_status(cm_table_report_duration(r, 0, 4, &d), CM_EINVAL);
    uint32_t code;
    ck_assert_status(cm_table_report_intern(r, 0, "x", 1, &code), CM_EINVAL); /* no keys */
    ck_assert_ptr_null(cm_table_report_label(r, 0, 0));
    ck_assert_str_eq(cm_table_column_name(CM_TABLE_COL_HANDLE), "handle_seconds");
    ck_assert_str_eq(cm_table_column_name(99), "unknown");
    ck_assert_uint_eq(cm_table_sizeof("cm_table_group"), sizeof(cm_table_group));
    ck_assert_uint_eq(cm_table_sizeof("nope"), 0);
    ck_assert_uint_eq(cm_table_sizeof(NULL), 0);
    cm_table_bad_row bad;
    memset(&bad, 'x', sizeof bad);
    ck_assert_status(cm_table_report_add_bad_row(r, &bad), CM_EINVAL); /* not terminated */
    size_t len;
    ck_assert_status(cm_table_report_serialize(r, NULL, 5, &len), CM_EINVAL);
    ck_assert_status(cm_table_report_merge(r, r), CM_EINVAL);
    ck_assert_status(cm_table_report_merge_bytes(r, NULL, 0), CM_EINVAL);
    cm_table_report_free(r);
    cm_table_report_free(NULL);
}
END_TEST

/* One bad value per column: each row is counted bad with its column, the others folded. */
START_TEST(bad_rows_name_their_column)
{
    static const char *const labels[] = {"phone", "chat"};
    const cm_table_key keys[] = {{"channel", 2, 1, 0, labels}};
    cm_table_spec s;
    ck_assert_status(cm_table_spec_init(&s), CM_OK);
    s.keys = keys;
    s.nkeys = 1;
    cm_table_report *r;
    ck_assert_status(cm_table_report_new(&s, NULL, &r), CM_OK);
    enum { N = 13 };
    const cm_time T = 1736154000;
    cm_time created[N], reply[N], solved[N];
    uint32_t contacts[N];
    uint8_t reopened[N], escalated[N], abandoned[N], csat[N], nps[N], ces[N], channel[N];
    double wait[N], handle[N];
    for (size_t i = 0; i < N; i++) {
        created[i] = T;
        reply[i] = T + 60;
        solved[i] = T + 600;
        contacts[i] = 1;
        reopened[i] = escalated[i] = abandoned[i] = 0;
        csat[i] = 5;
        nps[i] = 10;
        ces[i] = 7;
        channel[i] = 0;
        wait[i] = 10;
        handle[i] = 100;
    }
    created[1] = CM_TABLE_NO_TIME;
    reply[2] = T - 1;
    solved[3] = T + (int64_t)CM_SKETCH_MAX_SECONDS + 10;
    contacts[4] = 0;
    reopened[5] = 2;
    escalated[6] = 7;
    csat[7] = 6;
    nps[8] = 11;
    ces[9] = 0;
    wait[10] = -1;
    handle[11] = 2e9;
    channel[12] = 2;
    static const char *const expect[N] = {
        NULL,           "created_at",     "first_reply_at", "solved_at", "contacts",
        "reopened",     "escalated",      "csat",           "nps",       "ces",
        "wait_seconds", "handle_seconds", "channel"};
    const void *kc[] = {channel};
    cm_table_columns c;
    ck_assert_status(cm_table_columns_init(&c), CM_OK);
    c.rows = N;
    c.created = created;
    c.first_reply = reply;
    c.solved = solved;
    c.contacts = contacts;
    c.reopened = reopened;
    c.escalated = escalated;
    c.abandoned = abandoned;
    c.csat = csat;
    c.nps = nps;
    c.ces = ces;
    c.wait_seconds = wait;
    c.handle_seconds = handle;
    c.keys = kc;
    c.first_row = 100;
    ck_assert_status(cm_table_report_add(r, &c), CM_OK);
    ck_assert_status(cm_table_report_finish(r), CM_OK);
    uint64_t rows, nbad;
    cm_table_bad_row bad[CM_TABLE_BAD_ROWS_KEPT];
    size_t kept;
    ck_assert_status(cm_table_report_rows(r, &rows, &nbad, bad, CM_TABLE_BAD_ROWS_KEPT, &kept),
                     CM_OK);
    ck_assert_uint_eq(rows, N);
    ck_assert_uint_eq(nbad, N - 1);
    ck_assert_uint_eq(kept, N - 1);
    for (size_t i = 1; i < N; i++) {
        ck_assert_uint_eq(bad[i - 1].row, 100 + i);
        ck_assert_str_eq(bad[i - 1].column, expect[i]);
        ck_assert(bad[i - 1].value[0] != '\0' && bad[i - 1].expected[0] != '\0');
    }
    ck_assert_str_eq(bad[7 - 1].value, "6");
    cm_table_counts n;
    ck_assert_status(cm_table_report_counts(r, 0, &n), CM_OK);
    ck_assert_uint_eq(n.rows, 1);
    cm_table_report_free(r);
}
END_TEST

/* ---- exact quantiles of many values ----------------------------------------------------------- */

/* A duration of the shape `_i` picks: ties, all below 2^16, spread over 20 years, two clusters. */
static int64_t shaped_duration(test_rng *g, int shape)
{
    switch (shape) {
    case 0:
        return 600;
    case 1:
        return (int64_t)rng_below(g, 70);
    case 2:
        return (int64_t)rng_below(g, 65536);
    case 3:
        return (int64_t)(rng_unit(g) * rng_unit(g) * 6.4e8);
    default:
        return rng_below(g, 2) ? (int64_t)rng_below(g, 100)
                               : 600000000 - (int64_t)rng_below(g, 100);
    }
}

START_TEST(exact_quantiles_of_many_values)
{
    /* Whole history and two groups, both above the size sorted in place: the values the
     * selection gives must be cm_quantiles_exact()'s, bit for bit. */
    enum { N = 30011 };
    static const double q[CM_TABLE_MAX_QUANTILES] = {0, 0.001, 0.25, 0.5, 0.9, 0.99, 0.999, 1};
    static const char *const two[] = {"a", "b"};
    const cm_table_key key = {"k", 2, 1, 0, two};
    const cm_table_grouping g[2] = {{0, CM_TABLE_BUCKET_NONE, 0, 0},
                                    {1, CM_TABLE_BUCKET_NONE, 0, 0}};
    test_rng rng = {(uint64_t)_i + 11};
    cm_time *created = malloc(N * sizeof *created), *reply = malloc(N * sizeof *reply);
    uint8_t *code = malloc(N);
    double *d[3] = {malloc(N * sizeof(double)), malloc(N * sizeof(double)),
                    malloc(N * sizeof(double))};
    size_t nd[3] = {0, 0, 0};
    for (size_t i = 0; i < N; i++) {
        created[i] = 1736154000 + (cm_time)i;
        code[i] = (uint8_t)rng_below(&rng, 2);
        const bool replied = rng_below(&rng, 10) != 0;
        const int64_t v = shaped_duration(&rng, _i);
        reply[i] = replied ? created[i] + v : CM_TABLE_NO_TIME;
        if (replied) {
            d[0][nd[0]++] = (double)v;
            d[1 + code[i]][nd[1 + code[i]]++] = (double)v;
        }
    }
    cm_table_spec s;
    ck_assert_status(cm_table_spec_init(&s), CM_OK);
    s.keys = &key;
    s.nkeys = 1;
    s.groupings = g;
    s.ngroupings = 2;
    s.quantile_mode = CM_TABLE_QUANTILES_EXACT;
    s.quantile_metrics = 1u << CM_TABLE_FIRST_REPLY;
    s.quantiles = q;
    s.nquantiles = CM_TABLE_MAX_QUANTILES;
    s.row_capacity = N;
    cm_table_report *r;
    ck_assert_status(cm_table_report_new(&s, NULL, &r), CM_OK);
    const void *keys[1] = {code};
    cm_table_columns c;
    ck_assert_status(cm_table_columns_init(&c), CM_OK);
    c.rows = N;
    c.created = created;
    c.first_reply = reply;
    c.keys = keys;
    ck_assert_status(cm_table_report_add(r, &c), CM_OK);
    ck_assert_status(cm_table_report_finish(r), CM_OK);
    ck_assert_uint_eq(cm_table_report_group_count(r), 3);
    for (size_t k = 0; k < 3; k++) {
        cm_table_group grp;
        ck_assert_status(cm_table_report_group(r, k, &grp), CM_OK);
        const size_t which = grp.grouping == 0 ? 0 : 1 + grp.codes[0];
        ck_assert_uint_gt(nd[which], 4096);
        double want[CM_TABLE_MAX_QUANTILES];
        const size_t len = cm_quantile_exact_scratch_size(nd[which]);
        double *scratch = malloc(len * sizeof *scratch);
        ck_assert_status(
            cm_quantiles_exact(d[which], nd[which], q, CM_TABLE_MAX_QUANTILES, scratch, len, want),
            CM_OK);
        free(scratch);
        cm_table_duration dur;
        ck_assert_status(cm_table_report_duration(r, k, CM_TABLE_FIRST_REPLY, &dur), CM_OK);
        ck_assert(dur.exact);
        ck_assert_uint_eq(dur.n, nd[which]);
        for (size_t j = 0; j < CM_TABLE_MAX_QUANTILES; j++)
            ck_assert_msg(dur.quantiles[j] == want[j], "shape %d group %zu q %g: %.17g != %.17g",
                          _i, k, q[j], dur.quantiles[j], want[j]);
    }
    cm_table_report_free(r);
    for (size_t k = 0; k < 3; k++)
        free(d[k]);
    free(created);
    free(reply);
    free(code);
}
END_TEST

/* A report whose one block is large (a row capacity of 3 million: more than 8 MiB, placed
 * for huge pages) folds, answers and frees like a small one. */
START_TEST(large_report_block)
{
    static const double q[] = {0.5};
    const cm_table_grouping g[] = {{0, CM_TABLE_BUCKET_NONE, 0, 0}};
    cm_table_spec s;
    ck_assert_status(cm_table_spec_init(&s), CM_OK);
    s.groupings = g;
    s.ngroupings = 1;
    s.quantile_mode = CM_TABLE_QUANTILES_EXACT;
    s.quantile_metrics = 1u << CM_TABLE_FIRST_REPLY;
    s.quantiles = q;
    s.nquantiles = 1;
    s.row_capacity = 3000000;
    cm_table_report *r;
    ck_assert_status(cm_table_report_new(&s, NULL, &r), CM_OK);
    const cm_time created[] = {1736150400, 1736150400, 1736150400};
    const cm_time reply[] = {1736150410, 1736150420, 1736150440};
    cm_table_columns c;
    ck_assert_status(cm_table_columns_init(&c), CM_OK);
    c.rows = 3;
    c.created = created;
    c.first_reply = reply;
    ck_assert_status(cm_table_report_add(r, &c), CM_OK);
    ck_assert_status(cm_table_report_finish(r), CM_OK);
    cm_table_duration dur;
    ck_assert_status(cm_table_report_duration(r, 0, CM_TABLE_FIRST_REPLY, &dur), CM_OK);
    ck_assert_uint_eq(dur.n, 3);
    ck_assert(dur.exact);
    ck_assert_double_eq(dur.quantiles[0], 20.0); /* the middle of 10, 20 and 40 s */
    ck_assert_double_eq(dur.total_seconds, 70.0);
    cm_table_report_free(r);
}
END_TEST

/* ---- time buckets across the changes of New York's clocks ---------------------------------- */

static size_t groups_of(const cm_table_report *r, uint32_t grouping, cm_table_group *out,
                        size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < cm_table_report_group_count(r); i++) {
        cm_table_group g;
        ck_assert_status(cm_table_report_group(r, i, &g), CM_OK);
        if (g.grouping == grouping && n < cap)
            out[n++] = g;
    }
    return n;
}

START_TEST(dst_buckets)
{
    /* One ticket at the half hour of every UTC hour of a New York date: 25 on the day the
     * clocks go back (2025-11-02), 23 on the day they go forward (2025-03-09). */
    static const struct {
        cm_time midnight; /* 00:00 local, in UTC */
        int hours;
        int32_t first_offset, last_offset;
        size_t slots; /* distinct local half-hour slots */
    } days[] = {{1762056000, 25, -14400, -18000, 24}, {1741496400, 23, -18000, -14400, 23}};
    cm_calendar *cal;
    ck_assert_status(cm_calendar_parse("tz America/New_York\nmon-fri 09:00-17:00\n", &cal, NULL),
                     CM_OK);
    const cm_table_grouping g[] = {{0, CM_TABLE_BUCKET_HOUR, 0, 64},
                                   {0, CM_TABLE_BUCKET_DAY, 0, 4},
                                   {0, CM_TABLE_BUCKET_TIME_OF_DAY, 30, 64}};
    for (size_t d = 0; d < NELEM(days); d++) {
        cm_table_spec s;
        ck_assert_status(cm_table_spec_init(&s), CM_OK);
        s.groupings = g;
        s.ngroupings = 3;
        s.calendar = cal;
        cm_table_report *r;
        ck_assert_status(cm_table_report_new(&s, NULL, &r), CM_OK);
        cm_time created[25];
        for (int h = 0; h < days[d].hours; h++)
            created[h] = days[d].midnight + 3600 * h + 1800;
        cm_table_columns c;
        ck_assert_status(cm_table_columns_init(&c), CM_OK);
        c.rows = (size_t)days[d].hours;
        c.created = created;
        ck_assert_status(cm_table_report_add(r, &c), CM_OK);
        ck_assert_status(cm_table_report_finish(r), CM_OK);
        cm_table_group out[64];
        const size_t nh = groups_of(r, 0, out, 64);
        ck_assert_int_eq((int)nh, days[d].hours);
        ck_assert_int_eq(out[0].start, days[d].midnight);
        ck_assert_int_eq(out[0].utc_offset, days[d].first_offset);
        ck_assert_int_eq(out[nh - 1].utc_offset, days[d].last_offset);
        for (size_t i = 0; i < nh; i++) {
            ck_assert_int_eq(out[i].end - out[i].start, 3600);
            if (i > 0)
                ck_assert_int_eq(out[i].start, out[i - 1].end); /* back to back, in order */
        }
        const size_t nd = groups_of(r, 1, out, 64);
        ck_assert_uint_eq(nd, 1);
        ck_assert_int_eq(out[0].start, days[d].midnight);
        ck_assert_int_eq(out[0].end - out[0].start, 3600 * days[d].hours);
        cm_table_counts n;
        ck_assert_status(cm_table_report_counts(r, nh, &n), CM_OK);
        ck_assert_uint_eq(n.rows, (uint64_t)days[d].hours);
        /* Half-hour slots of the local day: the slot of the half hours is odd. */
        const size_t nt = groups_of(r, 2, out, 64);
        for (size_t i = 0; i < nt; i++)
            ck_assert_int_eq(out[i].slot % 2, 1);
        ck_assert_uint_eq(nt, days[d].slots); /* 01:30 twice in November, 02:30 never in March */
        cm_table_report_free(r);
    }
    cm_calendar_free(cal);
}
END_TEST

/* ---- business time of tickets decades apart --------------------------------------------------- */

START_TEST(business_time_over_decades)
{
    /* The engine memoises business time per UTC day around the first day it meets and
     * measures each new day from the one met before; tickets from 1975 to 2070 in random
     * order (most days outside the memo, the rest in no order) must give exactly the sums of
     * cm_calendar_elapsed() per ticket, and the same median and maximum. */
    enum { N = 5000 };
    cm_calendar *cal;
    ck_assert_status(cm_calendar_parse("tz America/New_York\nmon-fri 09:00-17:00\n"
                                       "*-12-25 closed\n2031-06-02 10:00-12:00\n",
                                       &cal, NULL),
                     CM_OK);
    test_rng rng = test_rng_make("business_time_over_decades");
    cm_time *created = malloc(N * sizeof *created), *reply = malloc(N * sizeof *reply);
    double *want = malloc(N * sizeof *want);
    ck_assert(created != NULL && reply != NULL && want != NULL);
    double total = 0;
    for (size_t i = 0; i < N; i++) {
        created[i] = 157766400 + (cm_time)rng_below(&rng, 95u * 365u * 86400u); /* 1975.. */
        reply[i] = created[i] + (cm_time)rng_below(&rng, 20u * 86400u);
        int64_t e;
        ck_assert_status(cm_calendar_elapsed(cal, created[i], reply[i], &e), CM_OK);
        want[i] = (double)e;
        total += (double)e;
    }
    cm_table_spec s;
    ck_assert_status(cm_table_spec_init(&s), CM_OK);
    s.calendar = cal;
    s.quantile_mode = CM_TABLE_QUANTILES_EXACT;
    s.quantile_metrics = 1u << CM_TABLE_FIRST_REPLY_BUSINESS;
    s.row_capacity = N;
    cm_table_report *r;
    ck_assert_status(cm_table_report_new(&s, NULL, &r), CM_OK);
    cm_table_columns c;
    ck_assert_status(cm_table_columns_init(&c), CM_OK);
    c.rows = N;
    c.created = created;
    c.first_reply = reply;
    ck_assert_status(cm_table_report_add(r, &c), CM_OK);
    ck_assert_status(cm_table_report_finish(r), CM_OK);
    cm_table_duration dur;
    ck_assert_status(cm_table_report_duration(r, 0, CM_TABLE_FIRST_REPLY_BUSINESS, &dur), CM_OK);
    ck_assert_uint_eq(dur.n, N);
    ck_assert_double_eq(dur.total_seconds, total); /* whole seconds below 2^53: exact */
    const double q[1] = {0.5};
    double median;
    const size_t len = cm_quantile_exact_scratch_size(N);
    double *scratch = malloc(len * sizeof *scratch);
    ck_assert_ptr_nonnull(scratch);
    ck_assert_status(cm_quantiles_exact(want, N, q, 1, scratch, len, &median), CM_OK);
    ck_assert_double_eq(dur.quantiles[0], median);
    double hi = 0;
    for (size_t i = 0; i < N; i++)
        hi = want[i] > hi ? want[i] : hi;
    ck_assert_double_eq(dur.max_seconds, hi);
    free(scratch);
    cm_table_report_free(r);
    cm_calendar_free(cal);
    free(created);
    free(reply);
    free(want);
}
END_TEST

/* ---- labels learnt from data, merged by label ------------------------------------------------- */

START_TEST(merge_by_label)
{
    const cm_table_key keys[] = {{"team", 8, 2, 0, NULL}};
    const cm_table_grouping g[] = {{0, CM_TABLE_BUCKET_NONE, 0, 0},
                                   {1, CM_TABLE_BUCKET_NONE, 0, 0}};
    cm_table_spec s;
    ck_assert_status(cm_table_spec_init(&s), CM_OK);
    s.keys = keys;
    s.nkeys = 1;
    s.groupings = g;
    s.ngroupings = 2;
    cm_table_report *a, *b, *one;
    ck_assert_status(cm_table_report_new(&s, NULL, &a), CM_OK);
    ck_assert_status(cm_table_report_new(&s, NULL, &b), CM_OK);
    ck_assert_status(cm_table_report_new(&s, NULL, &one), CM_OK);
    /* a learns red then blue; b learns blue then green; one learns all three in order. */
    static const char *const names[] = {"red", "blue", "blue", "green", "blue"};
    static const uint8_t csat[] = {5, 1, 4, 2, 5};
    cm_table_report *into[] = {a, a, b, b, b};
    for (size_t i = 0; i < NELEM(names); i++) {
        cm_table_report *targets[2] = {into[i], one};
        for (size_t t = 0; t < 2; t++) {
            uint32_t code;
            ck_assert_status(
                cm_table_report_intern(targets[t], 0, names[i], strlen(names[i]), &code), CM_OK);
            const uint16_t codes[1] = {(uint16_t)code};
            const cm_time created[1] = {1736154000 + (cm_time)i};
            const void *kc[] = {codes};
            cm_table_columns c;
            ck_assert_status(cm_table_columns_init(&c), CM_OK);
            c.rows = 1;
            c.created = created;
            c.csat = &csat[i];
            c.keys = kc;
            ck_assert_status(cm_table_report_add(targets[t], &c), CM_OK);
        }
    }
    ck_assert_status(cm_table_report_merge(a, b), CM_OK);
    ck_assert_status(cm_table_report_finish(a), CM_OK);
    ck_assert_status(cm_table_report_finish(one), CM_OK);
    ck_assert_uint_eq(cm_table_report_group_count(a), cm_table_report_group_count(one));
    for (size_t i = 1; i < cm_table_report_group_count(a); i++) {
        cm_table_group ga, go;
        ck_assert_status(cm_table_report_group(a, i, &ga), CM_OK);
        ck_assert_status(cm_table_report_group(one, i, &go), CM_OK);
        ck_assert_str_eq(cm_table_report_label(a, 0, ga.codes[0]),
                         cm_table_report_label(one, 0, go.codes[0]));
        cm_csat x, y;
        ck_assert_status(cm_table_report_surveys(a, i, &x, NULL, NULL), CM_OK);
        ck_assert_status(cm_table_report_surveys(one, i, &y, NULL, NULL), CM_OK);
        ck_assert(memcmp(x.counts, y.counts, sizeof x.counts) == 0);
    }
    /* Labels: empty, too long, a NUL inside; room for 8. */
    uint32_t code;
    ck_assert_status(cm_table_report_intern(a, 0, "", 0, &code), CM_EINVAL);
    ck_assert_status(cm_table_report_intern(a, 0, "a\0b", 3, &code), CM_EINVAL);
    ck_assert_status(cm_table_report_intern(a, 1, "x", 1, &code), CM_EINVAL);
    for (int i = 0; i < 5; i++) {
        char l[8];
        snprintf(l, sizeof l, "t%d", i);
        ck_assert_status(cm_table_report_intern(a, 0, l, strlen(l), &code), CM_OK);
    }
    ck_assert_status(cm_table_report_intern(a, 0, "more", 4, &code), CM_ENOSPC);
    cm_table_report_free(a);
    cm_table_report_free(b);
    cm_table_report_free(one);
}
END_TEST

/* ---- capacities and bytes: all or nothing ------------------------------------------------------ */

static size_t bytes_of(const cm_table_report *r, uint8_t **out)
{
    size_t len;
    ck_assert_status(cm_table_report_serialize(r, NULL, 0, &len), CM_ENOSPC);
    *out = malloc(len);
    ck_assert_status(cm_table_report_serialize(r, *out, len, &len), CM_OK);
    return len;
}

START_TEST(capacity_and_bytes)
{
    fixture f;
    fixture_make(&f, CM_TABLE_QUANTILES_EXACT, 64);
    f.groupings[7].capacity = 30; /* hours */
    f.spec.open_capacity = 64;
    test_rng rng = {7};
    row rows[64];
    for (size_t i = 0; i < 64; i++)
        rows[i] = random_row(&rng);
    table t;
    table_fill(&t, rows, 64);
    cm_table_report *r, *empty;
    ck_assert_status(cm_table_report_new(&f.spec, NULL, &r), CM_OK);
    ck_assert_status(cm_table_report_new(&f.spec, NULL, &empty), CM_OK);
    const void *keys[2];
    cm_table_columns c;
    block_of(&t, 0, 20, keys, &c);
    ck_assert_status(cm_table_report_add(r, &c), CM_OK);
    uint8_t *before, *after;
    const size_t nb = bytes_of(r, &before);
    /* 44 more rows over 36 days of hours: more than 30 hourly groups. */
    block_of(&t, 20, 44, keys, &c);
    ck_assert_status(cm_table_report_add(r, &c), CM_ENOSPC);
    size_t na = bytes_of(r, &after);
    ck_assert(na == nb && memcmp(before, after, nb) == 0);
    free(after);
    /* The kept durations: 64 rows of room, 20 used. */
    block_of(&t, 0, 64, keys, &c);
    f.groupings[7].capacity = 1024;
    cm_table_report *wide;
    ck_assert_status(cm_table_report_new(&f.spec, NULL, &wide), CM_OK);
    ck_assert_status(cm_table_report_add(wide, &c), CM_OK);
    ck_assert_status(cm_table_report_add(wide, &c), CM_ENOSPC);
    /* Bytes: every truncation and every byte changed is refused, the report untouched. */
    for (size_t cut = 0; cut < nb; cut += cut < 512 ? 1 : 37)
        ck_assert_status(cm_table_report_merge_bytes(empty, before, cut), CM_EPARSE);
    uint8_t *flipped = malloc(nb);
    for (size_t at = 0; at < nb; at += at < 512 ? 1 : 37) { /* the header, then a sample */
        memcpy(flipped, before, nb);
        flipped[at] ^= 0x20;
        const cm_status st = cm_table_report_merge_bytes(empty, flipped, nb);
        ck_assert_msg(st == CM_EPARSE || st == CM_EINVAL, "byte %zu: %s", at, cm_status_name(st));
    }
    free(flipped);
    na = bytes_of(empty, &after);
    uint8_t *fresh;
    f.groupings[7].capacity = 30; /* the spec of empty */
    cm_table_report *other;
    ck_assert_status(cm_table_report_new(&f.spec, NULL, &other), CM_OK);
    const size_t nf = bytes_of(other, &fresh);
    ck_assert(na == nf && memcmp(after, fresh, nf) == 0);
    /* Good bytes merge, and the merged report writes the same bytes as the original. */
    ck_assert_status(cm_table_report_merge_bytes(empty, before, nb), CM_OK);
    free(after);
    na = bytes_of(empty, &after);
    ck_assert(na == nb && memcmp(before, after, nb) == 0);
    /* A spec that differs is refused. */
    f.spec.short_abandon_seconds = 7;
    cm_table_report *different;
    ck_assert_status(cm_table_report_new(&f.spec, NULL, &different), CM_OK);
    ck_assert_status(cm_table_report_merge_bytes(different, before, nb), CM_EINVAL);
    ck_assert_status(cm_table_report_merge(different, r), CM_EINVAL);
    free(before);
    free(after);
    free(fresh);
    cm_table_report_free(r);
    cm_table_report_free(empty);
    cm_table_report_free(wide);
    cm_table_report_free(other);
    cm_table_report_free(different);
    fixture_free(&f);
    table_free(&t);
}
END_TEST

/* ---- SLA: an open ticket exactly at its due instant ------------------------------------------- */

START_TEST(open_ticket_at_due_instant)
{
    /* Calendar-time target of 1h; ticket a is open from 09:00, ticket b shows the latest
     * instant of the file at 10:00: a's clock has run exactly 1h, which is within. One more
     * second and it is breached. */
    cm_sla_policy *policy;
    ck_assert_status(cm_sla_policy_parse("first-reply * 1h calendar\n", &policy, NULL), CM_OK);
    static const char *const levels[] = {"none", "low", "normal", "high", "urgent"};
    const cm_table_key keys[] = {{"priority", 5, 1, 0, levels}};
    for (int extra = 0; extra <= 1; extra++) {
        cm_table_spec s;
        ck_assert_status(cm_table_spec_init(&s), CM_OK);
        s.keys = keys;
        s.nkeys = 1;
        s.priority_key = 0;
        s.policy = policy;
        s.flags |= CM_TABLE_SLA_ATTAINMENT;
        cm_table_report *r;
        ck_assert_status(cm_table_report_new(&s, NULL, &r), CM_OK);
        const cm_time created[2] = {1736154000, 1736154000};
        const cm_time reply[2] = {CM_TABLE_NO_TIME, 1736157600 + extra};
        const uint8_t prio[2] = {3, 3};
        const void *kc[] = {prio};
        cm_table_columns c;
        ck_assert_status(cm_table_columns_init(&c), CM_OK);
        c.rows = 2;
        c.created = created;
        c.first_reply = reply;
        c.keys = kc;
        ck_assert_status(cm_table_report_add(r, &c), CM_OK);
        ck_assert_status(cm_table_report_finish(r), CM_OK);
        cm_table_sla sla;
        ck_assert_status(
            cm_table_report_sla(r, 0, CM_SLA_FIRST_REPLY, CM_SLA_PRIORITY_HIGH, 0.95, &sla), CM_OK);
        ck_assert_uint_eq(sla.open, extra == 0 ? 1 : 0);
        ck_assert_uint_eq(sla.breached, extra == 0 ? 0 : 2);
        cm_table_report_free(r);
    }
    cm_sla_policy_free(policy);
}
END_TEST

/* Instants in ticks of s, ms, us, ns and an odd unit: floor to the second, NaT kept. */
START_TEST(instants_from_ticks)
{
    const int64_t ns[] = {0,
                          999999999,
                          1000000000,
                          -1,
                          -1000000000,
                          -1000000001,
                          1736150399999999999,
                          INT64_MAX,
                          INT64_MIN + 1,
                          CM_TABLE_NO_TIME};
    const cm_time ns_s[] = {0,  0,          1,          -1,          -1,
                            -2, 1736150399, 9223372036, -9223372037, CM_TABLE_NO_TIME};
    cm_time out[NELEM(ns)];
    ck_assert_status(cm_table_instants_from_ticks(ns, NELEM(ns), 1000000000, out), CM_OK);
    for (size_t i = 0; i < NELEM(ns); i++)
        ck_assert_int_eq(out[i], ns_s[i]);

    const int64_t ms[] = {-1, 1999, -1000, -1001, 1736150400000, CM_TABLE_NO_TIME};
    const cm_time ms_s[] = {-1, 1, -1, -2, 1736150400, CM_TABLE_NO_TIME};
    ck_assert_status(cm_table_instants_from_ticks(ms, NELEM(ms), 1000, out), CM_OK);
    for (size_t i = 0; i < NELEM(ms); i++)
        ck_assert_int_eq(out[i], ms_s[i]);

    const int64_t us[] = {1500000, -1500000, -1, 999999, CM_TABLE_NO_TIME};
    const cm_time us_s[] = {1, -2, -1, 0, CM_TABLE_NO_TIME};
    ck_assert_status(cm_table_instants_from_ticks(us, NELEM(us), 1000000, out), CM_OK);
    for (size_t i = 0; i < NELEM(us); i++)
        ck_assert_int_eq(out[i], us_s[i]);

    /* 7 ticks a second: 13 is 1 s and 6 ticks, -14 exactly -2 s, -15 in the second -3. */
    const int64_t odd[] = {13, -1, -14, -15, 6, CM_TABLE_NO_TIME};
    const cm_time odd_s[] = {1, -1, -2, -3, 0, CM_TABLE_NO_TIME};
    ck_assert_status(cm_table_instants_from_ticks(odd, NELEM(odd), 7, out), CM_OK);
    for (size_t i = 0; i < NELEM(odd); i++)
        ck_assert_int_eq(out[i], odd_s[i]);

    /* Seconds are copied; in place works. */
    ck_assert_status(cm_table_instants_from_ticks(ns, NELEM(ns), 1, out), CM_OK);
    for (size_t i = 0; i < NELEM(ns); i++)
        ck_assert_int_eq(out[i], ns[i]);
    int64_t inplace[] = {-1500, 2500, CM_TABLE_NO_TIME};
    ck_assert_status(cm_table_instants_from_ticks(inplace, 3, 1000, inplace), CM_OK);
    ck_assert_int_eq(inplace[0], -2);
    ck_assert_int_eq(inplace[1], 2);
    ck_assert_int_eq(inplace[2], CM_TABLE_NO_TIME);

    /* Bad input: outputs untouched. */
    cm_time one;
    poison(&one);
    ck_assert_status(cm_table_instants_from_ticks(NULL, 1, 1000, &one), CM_EINVAL);
    ck_assert_status(cm_table_instants_from_ticks(ns, 1, 1000, NULL), CM_EINVAL);
    ck_assert_status(cm_table_instants_from_ticks(ns, 1, 0, &one), CM_EINVAL);
    ck_assert_status(cm_table_instants_from_ticks(ns, 1, -1000, &one), CM_EINVAL);
    ck_assert_status(cm_table_instants_from_ticks(ns, 1, INT64_MIN, &one), CM_EINVAL);
    ck_assert_untouched(&one);
    ck_assert_status(cm_table_instants_from_ticks(NULL, 0, 1000, NULL), CM_OK);
}
END_TEST

/* Answers as doubles: NaN is no answer; fractions and values outside 0..254 are unusable. */
START_TEST(scores_from_doubles)
{
    const double v[] = {D_NAN, 0.0,   5.0,    254.0, 255.0, 4.5, -1.0,
                        -0.0,  D_INF, -D_INF, 1e300, 10.0,  0.25};
    const uint8_t want[] = {CM_SCORE_NONE,
                            0,
                            5,
                            254,
                            CM_SCORE_NONE,
                            CM_SCORE_NONE,
                            CM_SCORE_NONE,
                            0,
                            CM_SCORE_NONE,
                            CM_SCORE_NONE,
                            CM_SCORE_NONE,
                            10,
                            CM_SCORE_NONE};
    uint8_t out[NELEM(v)];
    size_t unusable = 99;
    ck_assert_status(cm_table_scores_from_doubles(v, NELEM(v), out, &unusable), CM_OK);
    for (size_t i = 0; i < NELEM(v); i++)
        ck_assert_uint_eq(out[i], want[i]);
    ck_assert_uint_eq(unusable, 7); /* 255, 4.5, -1, +inf, -inf, 1e300, 0.25 */
    ck_assert_status(cm_table_scores_from_doubles(v, 4, out, &unusable), CM_OK);
    ck_assert_uint_eq(unusable, 0);
    ck_assert_status(cm_table_scores_from_doubles(NULL, 0, NULL, &unusable), CM_OK);
    ck_assert_uint_eq(unusable, 0);

    /* Bad input: outputs untouched. */
    uint8_t one;
    size_t count;
    poison(&one);
    poison(&count);
    ck_assert_status(cm_table_scores_from_doubles(v, 1, &one, NULL), CM_EINVAL);
    ck_assert_status(cm_table_scores_from_doubles(NULL, 1, &one, &count), CM_EINVAL);
    ck_assert_status(cm_table_scores_from_doubles(v, 1, NULL, &count), CM_EINVAL);
    ck_assert_untouched(&one);
    ck_assert_untouched(&count);
}
END_TEST

/* Counts as int64: 0..UINT32_MAX are kept; negatives and larger values are unusable. */
START_TEST(counts_from_int64)
{
    const int64_t v[] = {0,          1,          7,  1000000,   1000001,
                         4294967295, 4294967296, -1, INT64_MIN, INT64_MAX};
    const uint32_t want[] = {0, 1, 7, 1000000, 1000001, 4294967295u, 0, 0, 0, 0};
    uint32_t out[NELEM(v)];
    size_t unusable = 99;
    ck_assert_status(cm_table_counts_from_int64(v, NELEM(v), out, &unusable), CM_OK);
    for (size_t i = 0; i < NELEM(v); i++)
        ck_assert_uint_eq(out[i], want[i]);
    ck_assert_uint_eq(unusable, 4); /* 2^32, -1, INT64_MIN, INT64_MAX */
    ck_assert_status(cm_table_counts_from_int64(v, 6, out, &unusable), CM_OK);
    ck_assert_uint_eq(unusable, 0);
    ck_assert_status(cm_table_counts_from_int64(NULL, 0, NULL, &unusable), CM_OK);
    ck_assert_uint_eq(unusable, 0);

    /* Bad input: outputs untouched. */
    uint32_t one;
    size_t count;
    poison(&one);
    poison(&count);
    ck_assert_status(cm_table_counts_from_int64(v, 1, &one, NULL), CM_EINVAL);
    ck_assert_status(cm_table_counts_from_int64(NULL, 1, &one, &count), CM_EINVAL);
    ck_assert_status(cm_table_counts_from_int64(v, 1, NULL, &count), CM_EINVAL);
    ck_assert_untouched(&one);
    ck_assert_untouched(&count);
}
END_TEST

Suite *table_suite(void);
Suite *table_suite(void)
{
    Suite *s = suite_create("table");
    TCase *tc = tcase_create("property");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, random_tables_match_the_library, 0, 4);
    suite_add_tcase(s, tc);
    tc = tcase_create("input");
    tcase_add_loop_test(tc, spec_bad_input, 0, 30);
    tcase_add_test(tc, calls_bad_input);
    tcase_add_test(tc, bad_rows_name_their_column);
    tcase_add_test(tc, instants_from_ticks);
    tcase_add_test(tc, scores_from_doubles);
    tcase_add_test(tc, counts_from_int64);
    suite_add_tcase(s, tc);
    tc = tcase_create("groups");
    tcase_add_test(tc, dst_buckets);
    tcase_add_test(tc, business_time_over_decades);
    tcase_add_loop_test(tc, exact_quantiles_of_many_values, 0, 5);
    tcase_add_test(tc, merge_by_label);
    tcase_add_test(tc, large_report_block);
    tcase_add_test(tc, open_ticket_at_due_instant);
    suite_add_tcase(s, tc);
    tc = tcase_create("bytes");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, capacity_and_bytes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(table_suite());
}
