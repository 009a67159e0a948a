/*
 * caremetrics-report: folding blocks of rows into KPI accumulators.
 *
 * The whole-history set takes the fast path: counts in one pass, durations and
 * survey answers gathered into block arrays handed to the library's _add_many
 * functions. Group sets (--by, and the per-channel / per-priority breakdowns)
 * are filled row by row. Every value is checked before it is used; what the
 * library accepts as a survey answer is asked of the library once at start-up.
 * SPDX-License-Identifier: MIT
 */
#include "report.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const channel_names[NCHANNELS] = {"phone", "chat", "email", "social", "messaging"};
const char *const priority_names[NPRIORITIES] = {"urgent", "high", "normal", "low", "none"};

/* Which byte values each survey accepts, per the library (CM_SCORE_NONE = no answer). */
typedef struct score_tables {
    bool csat[256], nps[256], ces[256];
} score_tables;

static score_tables scores;
static bool scores_ready;

static void init_score_tables(void)
{
    if (scores_ready)
        return;
    for (int v = 0; v < 256; v++) {
        cm_csat c = {0};
        cm_nps n = {{0}};
        cm_ces e = {0};
        const bool none = v == CM_SCORE_NONE;
        scores.csat[v] = none || cm_csat_add(&c, v) == CM_OK;
        scores.nps[v] = none || cm_nps_add(&n, v) == CM_OK;
        scores.ces[v] = none || cm_ces_add(&e, v) == CM_OK;
    }
    scores_ready = true;
}

bool report_init(report *rep, const options *opt)
{
    init_score_tables();
    memset(rep, 0, sizeof *rep);
    return staffing_section_init(&rep->staffing, opt->short_abandon) && sla_section_init(&rep->sla);
}

void report_free(report *rep)
{
    free(rep->months.sets);
    free(rep->first_reply_exact.values);
    sla_section_free(&rep->sla);
    rep->months.sets = NULL;
    rep->first_reply_exact.values = NULL;
}

void report_bad_row(report *rep, uint64_t line, const char *what)
{
    rep->bad_rows++;
    if (rep->bad_shown < BAD_ROWS_SHOWN) {
        bad_row *b = &rep->bad[rep->bad_shown++];
        b->line = line;
        snprintf(b->what, sizeof b->what, "%s", what);
    }
}

/* ---- validation ------------------------------------------------------------------ */

static bool duration_ok(int64_t from, int64_t to)
{
    return to == TC_NONE_TIME || (to >= from && (double)(to - from) < CM_SKETCH_MAX_SECONDS);
}

static bool seconds_ok(double v)
{
    return isnan(v) || (isfinite(v) && v >= 0.0);
}

/* NULL when row i is usable, else the name of the first bad column. */
static const char *check_row(const tc_table *t, size_t i)
{
    if (t->created[i] == TC_NONE_TIME)
        return "created_at";
    if (t->channel[i] >= NCHANNELS)
        return "channel";
    if (t->priority[i] > 4)
        return "priority";
    if (!duration_ok(t->created[i], t->first_reply[i]))
        return "first_reply_at";
    if (!duration_ok(t->created[i], t->solved[i]))
        return "solved_at";
    if (t->contacts[i] == 0)
        return "contacts";
    if (t->reopened[i] > 1)
        return "reopened";
    if (t->escalated[i] > 1)
        return "escalated";
    if (!scores.csat[t->csat[i]])
        return "csat";
    if (!scores.nps[t->nps[i]])
        return "nps";
    if (!scores.ces[t->ces[i]])
        return "ces";
    if (!seconds_ok(t->wait[i]))
        return "wait_seconds";
    if (t->abandoned[i] > 1)
        return "abandoned";
    if (!seconds_ok(t->handle[i]))
        return "handle_seconds";
    if (t->pending[i] < 0)
        return "pending_seconds";
    return NULL;
}

/* Report order of a stored priority (0 none, 1 urgent, ...). */
static int priority_index(uint8_t p)
{
    return p == TC_PRIORITY_NONE ? NO_PRIORITY : p - 1;
}

/* ---- the row-by-row path, for group sets ---------------------------------------- */

/* Counts a replied ticket's first reply in business time and against its SLA target. */
static bool add_reply_rules(kpi_set *s, const report_rules *rules, int pr, int64_t created,
                            int64_t reply, int64_t business)
{
    if (rules->calendar == NULL)
        return true;
    s->business_replies++;
    if (__builtin_add_overflow(s->business_reply_seconds, business, &s->business_reply_seconds))
        return false;
    if (pr < 4 && rules->first_reply_target[pr] > 0) {
        const int64_t elapsed = rules->first_reply_business[pr] ? business : reply - created;
        s->sla_judged[pr]++;
        s->sla_met[pr] += elapsed <= rules->first_reply_target[pr];
    }
    return true;
}

static bool kpi_set_add_row(kpi_set *s, const tc_table *t, size_t i, const options *opt)
{
    const double short_abandon = opt->short_abandon;
    const bool realtime = t->channel[i] == PHONE || t->channel[i] == CHAT;
    const bool abandoned = t->abandoned[i] != 0;
    const bool has_wait = !isnan(t->wait[i]);
    if (realtime && (has_wait || abandoned)) {
        s->rt_offered++;
        if (abandoned) {
            s->rt_abandoned++;
            s->rt_short += has_wait && t->wait[i] < short_abandon;
        }
    }
    if (abandoned)
        return true; /* a contact that never became a ticket */
    s->tickets++;
    s->by_channel[t->channel[i]]++;
    s->escalated += t->escalated[i];
    bool ok = true;
    if (t->first_reply[i] != TC_NONE_TIME) {
        ok &= cm_sketch_add(&s->first_reply, (double)(t->first_reply[i] - t->created[i])) == CM_OK;
        int64_t business = 0;
        if (opt->rules->calendar != NULL)
            ok &= cm_calendar_elapsed(opt->rules->calendar, t->created[i], t->first_reply[i],
                                      &business) == CM_OK;
        ok &= add_reply_rules(s, opt->rules, priority_index(t->priority[i]), t->created[i],
                              t->first_reply[i], business);
    }
    if (t->solved[i] != TC_NONE_TIME) {
        s->solved++;
        s->solved_first_contact += t->contacts[i] == 1;
        s->reopened += t->reopened[i];
        ok &= cm_sketch_add(&s->resolution, (double)(t->solved[i] - t->created[i])) == CM_OK;
    }
    if (t->csat[i] != CM_SCORE_NONE)
        ok &= cm_csat_add(&s->csat, t->csat[i]) == CM_OK;
    if (t->nps[i] != CM_SCORE_NONE)
        ok &= cm_nps_add(&s->nps, t->nps[i]) == CM_OK;
    if (t->ces[i] != CM_SCORE_NONE)
        ok &= cm_ces_add(&s->ces, t->ces[i]) == CM_OK;
    return ok;
}

static bool kpi_set_merge(kpi_set *d, const kpi_set *s)
{
    d->tickets += s->tickets;
    d->solved += s->solved;
    d->solved_first_contact += s->solved_first_contact;
    d->reopened += s->reopened;
    d->escalated += s->escalated;
    for (int c = 0; c < NCHANNELS; c++)
        d->by_channel[c] += s->by_channel[c];
    d->rt_offered += s->rt_offered;
    d->rt_abandoned += s->rt_abandoned;
    d->rt_short += s->rt_short;
    d->business_replies += s->business_replies;
    if (__builtin_add_overflow(d->business_reply_seconds, s->business_reply_seconds,
                               &d->business_reply_seconds))
        return false;
    for (int p = 0; p < 4; p++) {
        d->sla_met[p] += s->sla_met[p];
        d->sla_judged[p] += s->sla_judged[p];
    }
    return cm_csat_merge(&d->csat, &s->csat) == CM_OK && cm_nps_merge(&d->nps, &s->nps) == CM_OK &&
           cm_ces_merge(&d->ces, &s->ces) == CM_OK &&
           cm_sketch_merge(&d->first_reply, &s->first_reply) == CM_OK &&
           cm_sketch_merge(&d->resolution, &s->resolution) == CM_OK;
}

/* ---- months ------------------------------------------------------------------------ */

static int64_t month_of(cm_time t)
{
    cm_civil c;
    if (cm_time_to_civil(t, &c) != CM_OK)
        return 0;
    return ((int64_t)c.year - 1970) * 12 + (c.month - 1);
}

/* The set of month m, growing the table to cover it; NULL when out of memory. */
static kpi_set *month_set(month_table *mt, int64_t m)
{
    if (mt->count == 0 || m < mt->first || m >= mt->first + (int64_t)mt->count) {
        const int64_t lo = mt->count == 0 ? m : (m < mt->first ? m : mt->first);
        const int64_t hi =
            mt->count == 0
                ? m
                : (m >= mt->first + (int64_t)mt->count ? m : mt->first + (int64_t)mt->count - 1);
        const size_t n = (size_t)(hi - lo + 1);
        kpi_set *sets = calloc(n, sizeof *sets);
        if (sets == NULL)
            return NULL;
        if (mt->count > 0)
            memcpy(sets + (mt->first - lo), mt->sets, mt->count * sizeof *sets);
        free(mt->sets);
        mt->sets = sets;
        mt->first = lo;
        mt->count = n;
    }
    return &mt->sets[m - mt->first];
}

const kpi_set *report_month(const report *rep, size_t i, int64_t *month)
{
    *month = rep->months.first + (int64_t)i;
    return &rep->months.sets[i];
}

/* Appends n durations, growing the list geometrically. */
static bool push_durations(duration_list *l, const double *v, size_t n)
{
    if (n == 0)
        return true; /* memcpy from or to NULL is undefined even for 0 bytes */
    if (n > l->cap - l->count) {
        size_t cap = l->cap ? l->cap : 1 << 16;
        while (cap - l->count < n)
            cap *= 2;
        double *p = realloc(l->values, cap * sizeof *p);
        if (p == NULL)
            return false;
        l->values = p;
        l->cap = cap;
    }
    memcpy(l->values + l->count, v, n * sizeof *v);
    l->count += n;
    return true;
}

/* ---- the block kernel ------------------------------------------------------------- */

/* Whether row i has a problem, without saying which (check_row() does): one
 * branch-free pass the compiler can keep in registers. */
static bool row_bad(const tc_table *t, size_t i)
{
    /* Longest duration the response-time sketches hold, in whole seconds. */
    const uint64_t max_duration = (uint64_t)CM_SKETCH_MAX_SECONDS;
    const int64_t c = t->created[i], fr = t->first_reply[i], so = t->solved[i];
    const double w = t->wait[i], h = t->handle[i];
    bool bad = c == TC_NONE_TIME;
    bad |= t->channel[i] >= NCHANNELS;
    bad |= t->priority[i] > 4;
    bad |= t->contacts[i] == 0;
    bad |= (t->reopened[i] | t->escalated[i] | t->abandoned[i]) > 1;
    bad |= !(scores.csat[t->csat[i]] & scores.nps[t->nps[i]] & scores.ces[t->ces[i]]);
    /* A missing creation instant is already bad: measure from 0 instead. Unsigned
     * differences cannot overflow, and equal the true ones when the order is right. */
    const int64_t base = bad ? 0 : c;
    bad |= (fr != TC_NONE_TIME) & ((fr < base) | ((uint64_t)fr - (uint64_t)base > max_duration));
    bad |= (so != TC_NONE_TIME) & ((so < base) | ((uint64_t)so - (uint64_t)base > max_duration));
    bad |= (w < 0.0) | (w > DBL_MAX); /* NaN (no wait) passes both */
    bad |= (h < 0.0) | (h > DBL_MAX);
    bad |= t->pending[i] < 0;
    return bad;
}

/* The whole-history set over the good rows: counts without branches, durations
 * compacted into arrays and survey answers masked (CM_SCORE_NONE for rows that
 * are not tickets), then handed to the library's _add_many functions. */
static bool add_block_totals(report *rep, const tc_table *t, const uint8_t *bad, size_t n,
                             const options *opt)
{
    kpi_set *all = &rep->all;
    uint8_t csat[BLOCK_ROWS], nps[BLOCK_ROWS], ces[BLOCK_ROWS];
    double reply[BLOCK_ROWS], resolve[BLOCK_ROWS];
    int64_t from[BLOCK_ROWS], to[BLOCK_ROWS], business[BLOCK_ROWS];
    uint8_t prio[BLOCK_ROWS];
    size_t nreply = 0, nresolve = 0;
    uint64_t tickets = 0, escalated = 0, solved = 0, first_contact = 0, reopened = 0;
    uint64_t offered = 0, lost = 0, lost_short = 0;
    const double short_abandon = opt->short_abandon;
    for (size_t i = 0; i < n; i++) {
        const bool good = !bad[i];
        const bool gone = t->abandoned[i] != 0;
        const bool ticket = good & !gone;
        const double w = t->wait[i];
        const bool has_wait = w == w; /* not NaN */
        const bool realtime = good & (t->channel[i] <= CHAT) & (has_wait | gone);
        offered += realtime;
        lost += realtime & gone;
        lost_short += realtime & gone & has_wait & (w < short_abandon);
        tickets += ticket;
        all->by_channel[t->channel[i] < NCHANNELS ? t->channel[i] : 0] += ticket;
        escalated += ticket & (t->escalated[i] != 0);
        /* Durations are written unconditionally and kept only when they count; the
         * instant of a row without one is its creation, so nothing can overflow. */
        const int64_t created = t->created[i];
        const bool replied = ticket & (t->first_reply[i] != TC_NONE_TIME);
        const int64_t replied_at = replied ? t->first_reply[i] : created;
        reply[nreply] = (double)(replied_at - created);
        from[nreply] = created;
        to[nreply] = replied_at;
        prio[nreply] = (uint8_t)priority_index(t->priority[i] <= 4 ? t->priority[i] : 0);
        nreply += replied;
        const bool done = ticket & (t->solved[i] != TC_NONE_TIME);
        resolve[nresolve] = (double)((done ? t->solved[i] : created) - created);
        nresolve += done;
        solved += done;
        first_contact += done & (t->contacts[i] == 1);
        reopened += done & (t->reopened[i] != 0);
        csat[i] = ticket ? t->csat[i] : CM_SCORE_NONE;
        nps[i] = ticket ? t->nps[i] : CM_SCORE_NONE;
        ces[i] = ticket ? t->ces[i] : CM_SCORE_NONE;
    }
    all->tickets += tickets;
    all->escalated += escalated;
    all->solved += solved;
    all->solved_first_contact += first_contact;
    all->reopened += reopened;
    all->rt_offered += offered;
    all->rt_abandoned += lost;
    all->rt_short += lost_short;
    bool ok = true;
    if (opt->exact_quantiles)
        ok &= push_durations(&rep->first_reply_exact, reply, nreply);
    /* First replies in business time, and against each priority's target. */
    const report_rules *rules = opt->rules;
    if (rules->calendar != NULL && nreply > 0) {
        ok &= cm_calendar_elapsed_many(rules->calendar, from, to, nreply, business) == CM_OK;
        int64_t total = 0;
        uint64_t met[NPRIORITIES] = {0}, judged[NPRIORITIES] = {0};
        for (size_t i = 0; i < nreply; i++) {
            total += business[i];
            const int p = prio[i];
            const bool has_target = p < 4 && rules->first_reply_target[p] > 0;
            const int64_t elapsed =
                has_target && rules->first_reply_business[p] ? business[i] : to[i] - from[i];
            judged[p] += has_target;
            met[p] += has_target & (elapsed <= (has_target ? rules->first_reply_target[p] : 0));
        }
        all->business_replies += nreply;
        ok &= !__builtin_add_overflow(all->business_reply_seconds, total,
                                      &all->business_reply_seconds);
        for (int p = 0; p < 4; p++) {
            all->sla_met[p] += met[p];
            all->sla_judged[p] += judged[p];
        }
    }
    ok &= cm_csat_add_many(&all->csat, csat, n) == CM_OK;
    ok &= cm_nps_add_many(&all->nps, nps, n) == CM_OK;
    ok &= cm_ces_add_many(&all->ces, ces, n) == CM_OK;
    ok &= cm_sketch_add_many(&all->first_reply, reply, nreply) == CM_OK;
    if (!opt->kpis_only) /* the resolution distribution is not a headline KPI */
        ok &= cm_sketch_add_many(&all->resolution, resolve, nresolve) == CM_OK;
    return ok;
}

void report_add_block(report *rep, const tc_table *t, uint64_t first_line, const uint64_t *lines,
                      const options *opt)
{
    const size_t n = (size_t)t->rows;
    uint8_t bad[BLOCK_ROWS];
    bool any_bad = false;
    rep->rows += n;
    for (size_t i = 0; i < n; i++) {
        bad[i] = row_bad(t, i);
        any_bad |= bad[i];
    }
    if (any_bad) {
        for (size_t i = 0; i < n; i++) {
            if (!bad[i])
                continue;
            char what[96];
            const char *column = check_row(t, i);
            snprintf(what, sizeof what, "bad value in column %s", column ? column : "(unknown)");
            report_bad_row(rep, lines != NULL ? lines[i] : first_line + i, what);
        }
    }
    bool ok = add_block_totals(rep, t, bad, n, opt);
    /* Group sets and the staffing section, row by row, when asked for. */
    const bool staffing = !opt->kpis_only;
    const bool channels = !opt->kpis_only || opt->by == BY_CHANNEL;
    const bool priorities = !opt->kpis_only || opt->by == BY_PRIORITY;
    const bool months = opt->by == BY_MONTH;
    if (staffing || channels || priorities || months) {
        for (size_t i = 0; i < n; i++) {
            if (bad[i])
                continue;
            const int ch = t->channel[i];
            if (staffing)
                ok &= staffing_section_add(
                    &rep->staffing, ch, t->created[i], isnan(t->wait[i]) ? -1.0 : t->wait[i],
                    isnan(t->handle[i]) ? -1.0 : t->handle[i], t->abandoned[i] != 0);
            if (staffing && t->abandoned[i] == 0)
                ok &= sla_section_add(&rep->sla, opt->rules, t->created[i], t->first_reply[i],
                                      t->solved[i], t->priority[i]);
            if (channels)
                ok &= kpi_set_add_row(&rep->by_channel[ch], t, i, opt);
            if (priorities)
                ok &= kpi_set_add_row(&rep->by_priority[priority_index(t->priority[i])], t, i, opt);
            if (months) {
                kpi_set *m = month_set(&rep->months, month_of(t->created[i]));
                ok &= m != NULL && kpi_set_add_row(m, t, i, opt);
            }
        }
    }
    if (!ok)
        rep->failed = true;
}

/* ---- merging worker reports ---------------------------------------------------------- */

static bool merge_bad_rows(report *dst, const report *src, uint64_t line_offset)
{
    dst->bad_rows += src->bad_rows;
    /* Keep the first BAD_ROWS_SHOWN by line number. */
    for (size_t i = 0; i < src->bad_shown; i++) {
        bad_row b = src->bad[i];
        b.line += line_offset;
        size_t at = dst->bad_shown;
        while (at > 0 && dst->bad[at - 1].line > b.line)
            at--;
        if (at >= BAD_ROWS_SHOWN)
            continue;
        const size_t keep = dst->bad_shown < BAD_ROWS_SHOWN ? dst->bad_shown : BAD_ROWS_SHOWN - 1;
        memmove(&dst->bad[at + 1], &dst->bad[at], (keep - at) * sizeof b);
        dst->bad[at] = b;
        if (dst->bad_shown < BAD_ROWS_SHOWN)
            dst->bad_shown++;
    }
    return true;
}

bool report_merge(report *dst, const report *src, uint64_t line_offset, const options *opt)
{
    bool ok = !src->failed && merge_bad_rows(dst, src, line_offset);
    dst->rows += src->rows;
    ok = ok && kpi_set_merge(&dst->all, &src->all);
    for (int c = 0; ok && c < NCHANNELS; c++)
        ok = kpi_set_merge(&dst->by_channel[c], &src->by_channel[c]);
    for (int p = 0; ok && p < NPRIORITIES; p++)
        ok = kpi_set_merge(&dst->by_priority[p], &src->by_priority[p]);
    for (size_t i = 0; ok && i < src->months.count; i++) {
        kpi_set *m = month_set(&dst->months, src->months.first + (int64_t)i);
        ok = m != NULL && kpi_set_merge(m, &src->months.sets[i]);
    }
    if (ok && !opt->kpis_only)
        ok = staffing_section_merge(&dst->staffing, &src->staffing) &&
             sla_section_merge(&dst->sla, &src->sla);
    if (ok)
        ok = push_durations(&dst->first_reply_exact, src->first_reply_exact.values,
                            src->first_reply_exact.count);
    if (!ok)
        dst->failed = true;
    return ok;
}
