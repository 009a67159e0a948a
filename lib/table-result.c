/*
 * The ticket-table engine's results: finishing a report (group order, exact
 * or sketch quantiles, open tickets judged) and every accessor.
 * SPDX-License-Identifier: MIT
 */
#include "table-core.h"

#include <math.h>
#include <string.h>

#include "quantile-internal.h"

/* ---- results ---------------------------------------------------------------------------- */

/* Orders the slots of hashed grouping g (order[lo..hi)) by identity: a heap sort, which
 * needs no memory of its own. */
static bool slot_before(const tbl_grouping *g, uint32_t a, uint32_t b)
{
    const tbl_gkey *x = &g->slot_key[a - g->base];
    const tbl_gkey *y = &g->slot_key[b - g->base];
    if (x->combo != y->combo)
        return x->combo < y->combo;
    if (x->ordinal != y->ordinal)
        return x->ordinal < y->ordinal;
    return x->offset > y->offset; /* the earlier of a repeated hour has the larger offset */
}

static void sift(const tbl_grouping *g, uint32_t *a, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && slot_before(g, a[child], a[child + 1]))
            child++;
        if (!slot_before(g, a[root], a[child]))
            return;
        const uint32_t t = a[root];
        a[root] = a[child];
        a[child] = t;
        root = child;
    }
}

static void sort_slots(const tbl_grouping *g, uint32_t *a, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift(g, a, i, n);
    for (size_t end = n; end-- > 1;) {
        const uint32_t t = a[0];
        a[0] = a[end];
        a[end] = t;
        sift(g, a, 0, end);
    }
}

static void order_groups(cm_table_report *r)
{
    size_t n = 0;
    for (size_t gi = 0; gi < r->ngroupings; gi++) {
        const tbl_grouping *g = &r->groupings[gi];
        const size_t first = n;
        const size_t slots = g->hashed ? g->used : g->capacity;
        const bool whole = g->g.keys == 0 && g->g.bucket == CM_TABLE_BUCKET_NONE;
        for (size_t s = 0; s < slots; s++) {
            if (whole || !cm__table_acc_empty(&r->acc[g->base + s]))
                r->order[n++] = (uint32_t)(g->base + s);
        }
        if (g->hashed)
            sort_slots(g, r->order + first, n - first);
    }
    r->nresults = n;
}

static double *result_at(const cm_table_report *r, size_t slot, size_t metric)
{
    return r->results + (slot * CM_TABLE_DURATION_COUNT + metric) * CM_TABLE_MAX_QUANTILES;
}

static void sketch_quantiles(cm_table_report *r)
{
    for (size_t i = 0; i < r->nresults; i++) {
        const size_t slot = r->order[i];
        for (size_t m = 0; m < CM_TABLE_DURATION_COUNT; m++) {
            const uint32_t si = r->sketch_index[m];
            if (si == UINT32_MAX)
                continue;
            const cm_sketch *sk = &r->sketches[slot * r->nsketch + si];
            if (sk->n > 0)
                CM_CANNOT_FAIL(
                    cm_sketch_quantiles(sk, r->quantiles, r->nquantiles, result_at(r, slot, m)));
        }
    }
}

static tbl_sla *judged_at(const cm_table_report *r, size_t slot, size_t metric, size_t level)
{
    return r->judged + (slot * TBL_SLA_METRICS + metric) * TBL_LEVELS + level;
}

/* Judges the kept open tickets at the judging instant, per group of every grouping. */
static void judge_open(cm_table_report *r)
{
    memset(r->judged, 0, r->ngroups * TBL_SLA_METRICS * TBL_LEVELS * sizeof(tbl_sla));
    for (size_t i = 0; i < r->nopen; i++) {
        const tbl_open *o = &r->open[i];
        for (size_t m = 0; m < TBL_SLA_METRICS; m++) {
            if (o->breach[m] == CM_TABLE_NO_TIME)
                continue;
            const bool late = o->breach[m] < r->judged_at;
            for (size_t g = 0; g < r->ngroupings; g++) {
                tbl_sla *j = judged_at(r, r->open_slot[g][i], m, o->level);
                j->breached += late;
                j->open += !late;
            }
        }
    }
}

cm_status cm_table_report_finish(cm_table_report *report)
{
    CM_REQUIRE(report != NULL, CM_EINVAL);
    cm_table_report *r = report;
    r->judged_at = r->spec.as_of != CM_TABLE_NO_TIME ? r->spec.as_of : r->latest;
    order_groups(r);
    if (r->quantile_mode == CM_TABLE_QUANTILES_SKETCH)
        sketch_quantiles(r);
    else if (r->nkept > 0)
        cm__table_select(r);
    judge_open(r);
    r->finished = true;
    return CM_OK;
}

size_t cm_table_report_group_count(const cm_table_report *report)
{
    return report != NULL && report->finished ? report->nresults : 0;
}

/* The slot of result group g, after the common checks. */
static cm_status result_slot(const cm_table_report *r, size_t g, size_t *slot)
{
    CM_REQUIRE(r != NULL && r->finished, CM_EINVAL);
    CM_REQUIRE(!r->broken, CM_EOVERFLOW);
    CM_REQUIRE(g < r->nresults, CM_ERANGE);
    *slot = r->order[g];
    return CM_OK;
}

cm_status cm_table_report_group(const cm_table_report *report, size_t index, cm_table_group *out)
{
    size_t slot;
    CM_REQUIRE(out != NULL, CM_EINVAL);
    CM_TRY(result_slot(report, index, &slot));
    cm_table_report *r = (cm_table_report *)(uintptr_t)report;
    /* Describing a bucket reads the zone memo, which is only ever filled, never changed. */
    cm__slot_describe(r, cm__slot_grouping(r, slot), slot, out);
    return CM_OK;
}

cm_status cm_table_report_rows(const cm_table_report *report, uint64_t *rows, uint64_t *bad,
                               cm_table_bad_row *out, size_t cap, size_t *n)
{
    CM_REQUIRE(report != NULL && (out != NULL || cap == 0), CM_EINVAL);
    const size_t k = cap < report->bad_kept ? cap : report->bad_kept;
    if (k > 0)
        memcpy(out, report->bad, k * sizeof *out);
    if (rows != NULL)
        *rows = report->rows;
    if (bad != NULL)
        *bad = report->bad_rows;
    if (n != NULL)
        *n = k;
    return CM_OK;
}

cm_status cm_table_report_counts(const cm_table_report *report, size_t group, cm_table_counts *out)
{
    size_t slot;
    CM_REQUIRE(out != NULL, CM_EINVAL);
    CM_TRY(result_slot(report, group, &slot));
    const tbl_acc *a = &report->acc[slot];
    cm_table_counts c;
    c.rows = a->rows;
    c.tickets = a->tickets;
    c.abandoned = a->abandoned;
    c.replied = a->replied;
    c.solved = a->solved;
    c.handled = a->handled;
    c.handle_seconds =
        ((double)a->handle_us[1] * 18446744073709551616.0 + (double)a->handle_us[0]) / 1e6;
    c.first_created = a->first_created;
    c.last_created = a->last_created;
    *out = c;
    return CM_OK;
}

static bool confidence_ok(double c)
{
    return isfinite(c) && c > 0.0 && c < 1.0;
}

cm_status cm_table_report_rate(const cm_table_report *report, size_t group, uint32_t kpi,
                               double confidence, cm_proportion *out)
{
    size_t slot;
    CM_REQUIRE(out != NULL && kpi < CM_TABLE_RATE_COUNT && confidence_ok(confidence), CM_EINVAL);
    CM_TRY(result_slot(report, group, &slot));
    const tbl_acc *a = &report->acc[slot];
    uint64_t num = 0, den = 0;
    switch (kpi) {
    case CM_TABLE_FCR:
        num = a->fcr_num;
        den = a->fcr_den;
        break;
    case CM_TABLE_REOPEN:
        num = a->reopen_num;
        den = a->reopen_den;
        break;
    case CM_TABLE_ESCALATION:
        num = a->esc_num;
        den = a->esc_den;
        break;
    case CM_TABLE_ABANDONMENT:
        num = a->lost - a->lost_short;
        den = a->offered - a->lost_short;
        break;
    case CM_TABLE_SOLVED:
        CM_REQUIRE(report->seen[CM_TABLE_COL_SOLVED], CM_ENODATA);
        num = a->solved;
        den = a->tickets;
        break;
    default: /* CM_TABLE_REPLIED */
        CM_REQUIRE(report->seen[CM_TABLE_COL_FIRST_REPLY], CM_ENODATA);
        num = a->replied;
        den = a->tickets;
        break;
    }
    return cm_rate(num, den, confidence, out);
}

cm_status cm_table_report_csat(const cm_table_report *report, size_t group, double confidence,
                               cm_csat_summary *out)
{
    size_t slot;
    CM_REQUIRE(out != NULL && confidence_ok(confidence), CM_EINVAL);
    CM_TRY(result_slot(report, group, &slot));
    return cm_csat_result(&report->acc[slot].csat, confidence, out);
}

cm_status cm_table_report_nps(const cm_table_report *report, size_t group, double confidence,
                              cm_nps_summary *out)
{
    size_t slot;
    CM_REQUIRE(out != NULL && confidence_ok(confidence), CM_EINVAL);
    CM_TRY(result_slot(report, group, &slot));
    return cm_nps_result(&report->acc[slot].nps, confidence, out);
}

cm_status cm_table_report_ces(const cm_table_report *report, size_t group, double confidence,
                              cm_ces_summary *out)
{
    size_t slot;
    CM_REQUIRE(out != NULL && confidence_ok(confidence), CM_EINVAL);
    CM_TRY(result_slot(report, group, &slot));
    return cm_ces_result(&report->acc[slot].ces, confidence, out);
}

cm_status cm_table_report_surveys(const cm_table_report *report, size_t group, cm_csat *csat,
                                  cm_nps *nps, cm_ces *ces)
{
    size_t slot;
    CM_TRY(result_slot(report, group, &slot));
    const tbl_acc *a = &report->acc[slot];
    if (csat != NULL)
        *csat = a->csat;
    if (nps != NULL)
        *nps = a->nps;
    if (ces != NULL)
        *ces = a->ces;
    return CM_OK;
}

cm_status cm_table_report_duration(const cm_table_report *report, size_t group, uint32_t metric,
                                   cm_table_duration *out)
{
    size_t slot;
    CM_REQUIRE(out != NULL && metric < CM_TABLE_DURATION_COUNT, CM_EINVAL);
    CM_TRY(result_slot(report, group, &slot));
    const tbl_dur *d = &report->acc[slot].dur[metric];
    CM_REQUIRE(d->n > 0, CM_ENODATA);
    cm_table_duration v;
    memset(&v, 0, sizeof v);
    v.n = d->n;
    v.total_seconds = (double)d->sum;
    v.mean_seconds = (double)d->sum / (double)d->n;
    v.min_seconds = (double)d->min;
    v.max_seconds = (double)d->max;
    if ((report->quantile_metrics >> metric) & 1u) {
        v.nquantiles = (uint32_t)report->nquantiles;
        v.exact = report->quantile_mode == CM_TABLE_QUANTILES_EXACT;
        memcpy(v.quantiles, result_at(report, slot, metric), report->nquantiles * sizeof(double));
    }
    *out = v;
    return CM_OK;
}

cm_status cm_table_report_contact(const cm_table_report *report, size_t group, cm_contact *out)
{
    size_t slot;
    CM_REQUIRE(out != NULL, CM_EINVAL);
    CM_TRY(result_slot(report, group, &slot));
    CM_REQUIRE(report->seen[CM_TABLE_COL_WAIT] && (report->flags & CM_TABLE_CONTACTS), CM_ENODATA);
    *out = report->acc[slot].contact;
    return CM_OK;
}

static bool priority_ok(uint32_t p)
{
    return (p >= CM_SLA_PRIORITY_LOW && p <= CM_SLA_PRIORITY_URGENT) || p == CM_SLA_PRIORITY_ALL;
}

cm_status cm_table_report_reply_within(const cm_table_report *report, size_t group,
                                       uint32_t priority, double confidence, cm_proportion *out)
{
    size_t slot;
    CM_REQUIRE(out != NULL && priority_ok(priority) && confidence_ok(confidence), CM_EINVAL);
    CM_TRY(result_slot(report, group, &slot));
    const tbl_acc *a = &report->acc[slot];
    uint64_t met = 0, judged = 0;
    bool target = false;
    for (uint32_t l = CM_SLA_PRIORITY_LOW; l <= CM_SLA_PRIORITY_URGENT; l++) {
        if (priority != CM_SLA_PRIORITY_ALL && l != priority)
            continue;
        target |= report->target[TBL_SLA_FR][l].seconds > 0;
        met += a->within_met[l];
        judged += a->within_judged[l];
    }
    CM_REQUIRE(target, CM_ENODATA);
    return cm_rate(met, judged, confidence, out);
}

cm_status cm_table_report_sla(const cm_table_report *report, size_t group, uint32_t metric,
                              uint32_t priority, double confidence, cm_table_sla *out)
{
    size_t slot;
    CM_REQUIRE(out != NULL && priority_ok(priority) && confidence_ok(confidence), CM_EINVAL);
    CM_REQUIRE(metric == CM_SLA_FIRST_REPLY || metric == CM_SLA_TOTAL_RESOLUTION, CM_EINVAL);
    CM_TRY(result_slot(report, group, &slot));
    CM_REQUIRE(report->has_policy && (report->flags & CM_TABLE_SLA_ATTAINMENT), CM_ENODATA);
    const size_t m = metric == CM_SLA_FIRST_REPLY ? TBL_SLA_FR : TBL_SLA_TR;
    tbl_sla sum;
    memset(&sum, 0, sizeof sum);
    bool target = false;
    for (uint32_t l = CM_SLA_PRIORITY_LOW; l <= CM_SLA_PRIORITY_URGENT; l++) {
        if (priority != CM_SLA_PRIORITY_ALL && l != priority)
            continue;
        target |= report->target[m][l].seconds > 0;
        cm__table_add_sla(&sum, &report->acc[slot].sla[m][l]);
        cm__table_add_sla(&sum, judged_at(report, slot, m, l));
    }
    CM_REQUIRE(target, CM_ENODATA);
    cm_table_sla v;
    memset(&v, 0, sizeof v);
    v.achieved = sum.achieved;
    v.breached = sum.breached;
    v.open = sum.open;
    CM_TRY(cm_rate(sum.achieved, sum.achieved + sum.breached, confidence, &v.attained));
    v.mean_seconds = sum.stopped > 0 ? (double)sum.stopped_sum / (double)sum.stopped : 0.0;
    if (priority != CM_SLA_PRIORITY_ALL) {
        v.target_seconds = report->target[m][priority].seconds;
        v.business = report->target[m][priority].business;
    }
    *out = v;
    return CM_OK;
}

cm_status cm_table_report_as_of(const cm_table_report *report, cm_time *out)
{
    CM_REQUIRE(report != NULL && out != NULL && report->finished, CM_EINVAL);
    *out = report->judged_at;
    return CM_OK;
}

size_t cm_table_sizeof(const char *name)
{
    static const cm__named_size sizes[] = {
        CM__SIZE_OF(cm_table_spec),     CM__SIZE_OF(cm_table_columns),
        CM__SIZE_OF(cm_table_key),      CM__SIZE_OF(cm_table_grouping),
        CM__SIZE_OF(cm_table_group),    CM__SIZE_OF(cm_table_counts),
        CM__SIZE_OF(cm_table_duration), CM__SIZE_OF(cm_table_sla),
        CM__SIZE_OF(cm_table_bad_row),
    };
    return cm__lookup_size(sizes, CM__COUNT_OF(sizes), name);
}
