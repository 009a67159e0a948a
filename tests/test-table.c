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

Suite *table_suite(void);
Suite *table_suite(void)
{
    Suite *s = suite_create("table");
    TCase *tc = tcase_create("property");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, random_tables_match_the_library, 0, 4);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(table_suite());
}
