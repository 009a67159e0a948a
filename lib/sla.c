/*
 * SLA clocks rebuilt from a ticket's event log, and attainment accumulators.
 * One replay serves the policies of cm_sla_evaluate() and the policy sets of
 * cm_sla_policyset_evaluate(): both are compiled into a plan (sla-internal.h).
 * The rules are written out, with worked timelines, in docs/sla.md.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/sla.h>

#include <caremetrics/calendar.h>

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "common-internal.h"
#include "serial-internal.h"
#include "sla-internal.h"

/* Instants accepted in event logs: those the calendars accept, 0001-01-01T00:00:00Z ..
 * 9999-12-31T23:59:59Z. Differences and sums of targets then stay far inside int64. */
#define SLA_TIME_MIN CM_CALENDAR_TIME_MIN
#define SLA_TIME_MAX CM_CALENDAR_TIME_MAX

/* ---------------------------------------------------------------------- */
/* Clocks                                                                 */
/* ---------------------------------------------------------------------- */

/* The calendars and histories of one evaluation. */
typedef struct sla_cals {
    const cm_calendar *const *cal;
    size_t ncal;
    const cm_calendar_history *const *hist;
    size_t nhist;
} sla_cals;

/*
 * Every clock operation goes through these two functions: calendar time is
 * plain arithmetic; business time asks the calendar (or history), whose
 * elapsed() and add() are exact inverses (add(t, n) is the earliest t' with
 * elapsed(t, t') == n), which is what makes elapsed == target hold exactly at
 * the due instant. `sched` is the calendar of the ticket's schedule, for the
 * clocks that follow it.
 */
static cm_status clock_elapsed(const sla_cals *cs, sla_clock c, uint8_t sched, cm_time a, cm_time b,
                               int64_t *out)
{
    switch (c.kind) {
    case SLA_CLOCK_REAL:
        *out = b - a; /* both within SLA_TIME_MIN .. SLA_TIME_MAX */
        return CM_OK;
    case SLA_CLOCK_CALENDAR:
        return cm_calendar_elapsed(cs->cal[c.index], a, b, out);
    case SLA_CLOCK_HISTORY:
        return cm_calendar_history_elapsed(cs->hist[c.index], a, b, out);
    default:
        return cm_calendar_elapsed(cs->cal[sched], a, b, out);
    }
}

/* The instant n clock seconds after t; false when the clock never gets there. */
static bool clock_add(const sla_cals *cs, sla_clock c, uint8_t sched, cm_time t, int64_t n,
                      cm_time *out)
{
    switch (c.kind) {
    case SLA_CLOCK_REAL:
        return !__builtin_add_overflow(t, n, out);
    case SLA_CLOCK_CALENDAR:
        return cm_calendar_add(cs->cal[c.index], t, n, out) == CM_OK;
    case SLA_CLOCK_HISTORY:
        return cm_calendar_history_add(cs->hist[c.index], t, n, out) == CM_OK;
    default:
        return cm_calendar_add(cs->cal[sched], t, n, out) == CM_OK;
    }
}

/* ---------------------------------------------------------------------- */
/* Plans                                                                  */
/* ---------------------------------------------------------------------- */

/*
 * A policy's plan: its metrics' clocks as they are, and one mark per
 * (metric, priority) target, so the crossing of each priority's target is
 * noted as before the plans existed.
 */
void cm__sla_plan_policy(cm_sla_policy *p)
{
    memset(p->plan_metric, 0, sizeof p->plan_metric);
    memset(p->plan_goal_of, 0, sizeof p->plan_goal_of);
    uint16_t ngoals = 0;
    for (int m = 0; m < CM_SLA_METRIC_COUNT; m++) {
        sla_metric_plan *mp = &p->plan_metric[m];
        mp->pause = p->options[m].pause;
        mp->reopen = (uint8_t)p->options[m].reopen;
        mp->nkeys = p->nkeys[m];
        mp->measured = p->nkeys[m] > 0;
        for (uint8_t k = 0; k < p->nkeys[m]; k++) {
            const int32_t cal = p->key_calendar[m][k];
            mp->key[k].kind = cal == CM_SLA_CALENDAR_TIME ? SLA_CLOCK_REAL : SLA_CLOCK_CALENDAR;
            mp->key[k].index = cal == CM_SLA_CALENDAR_TIME ? 0 : (uint8_t)cal;
        }
        for (int pr = CM_SLA_PRIORITY_LOW; pr < CM_SLA_PRIORITY_COUNT; pr++) {
            if (p->key_of[m][pr] == SLA_NO_KEY)
                continue;
            const uint8_t mark = mp->nmarks++;
            mp->mark_key[mark] = p->key_of[m][pr];
            mp->mark_seconds[mark] = p->seconds[m][pr];
            sla_goal *g = &p->plan_goals[ngoals++];
            memset(g, 0, sizeof *g);
            g->seconds = p->seconds[m][pr];
            g->key = p->key_of[m][pr];
            g->mark = mark;
            p->plan_goal_of[m * CM_SLA_PRIORITY_COUNT + pr] = ngoals;
        }
    }
    sla_plan *pl = &p->plan;
    memset(pl, 0, sizeof *pl);
    pl->flags = p->flags;
    pl->nslots = CM_SLA_METRIC_COUNT;
    pl->nlevels = CM_SLA_PRIORITY_LEVELS;
    pl->npolicies = 1;
    pl->metric = p->plan_metric;
    pl->goal_of = p->plan_goal_of;
    pl->goals = p->plan_goals;
    pl->ncalendars = p->ncalendars;
}

/* ---------------------------------------------------------------------- */
/* Replay                                                                 */
/* ---------------------------------------------------------------------- */

/* Life of a metric's current instance. */
enum phase {
    PHASE_NONE,    /* never started */
    PHASE_RUNNING, /* started, counting or paused */
    PHASE_SOLVED,  /* stopped by a solve or close: a reopen may bring it back */
    PHASE_DONE,    /* stopped by its own stop event (a reply): final */
};

/*
 * The current instance of one metric. Elapsed time is kept for every clock
 * the metric's targets use (`before[k]`: time counted in closed segments),
 * because the policy and the priority, and with them the target and its
 * clock, may change until the instance stops. For each mark (a distinct
 * target or warning threshold) the segment in which the elapsed time reached
 * it is remembered, so a due or warning instant is one add() on the final
 * target's clock, computed only when the instance is reported.
 */
typedef struct slot {
    uint8_t phase;
    bool in_seg;          /* running and not paused: a segment is open */
    bool seg_at_stop;     /* a segment was open when the instance stopped */
    uint8_t level_stop;   /* priority level at the stop */
    uint8_t seg_cal;      /* the ticket's schedule during the open segment */
    uint8_t stop_cal;     /* ... during the segment the stop closed */
    uint8_t sched_stop;   /* the ticket's schedule at the stop */
    uint32_t policy_stop; /* policy at the stop */
    uint32_t cycle;       /* 1-based instance number */
    uint32_t event;       /* group ownership: the assigning event */
    uint64_t crossed;     /* bit j: mark j was reached */
    cm_time start, stop;  /* stop is CM_SLA_NO_TIME while running */
    cm_time seg_start;    /* start of the open segment */
    cm_time stop_from;    /* due at the stop = add(stop_from, stop_n) ... */
    int64_t stop_n;       /* ... when the target was not reached */
    int64_t before[SLA_PLAN_KEYS];
    cm_time cross_from[SLA_MAX_MARKS]; /* mark j reached at add(cross_from[j], cross_n[j]) */
    int64_t cross_n[SLA_MAX_MARKS];
    uint8_t cross_cal[SLA_MAX_MARKS];
    uint16_t vals_stop[SLA_MAX_ATTRS]; /* dimension values at the stop */
} slot;

/* An attribute of the ticket, as a policy set sees it. */
typedef struct attr_state {
    uint16_t vidx; /* value index among the set's values, CM_SLA_VALUE_OTHER or _UNSET */
    bool has_int;  /* the value is an integer */
    int64_t ival;
    const char *text; /* the raw value (NULL for a number or unset), for change detection */
} attr_state;

/* What the event being applied did, for the triggers of custom clocks. */
enum {
    CTX_CREATED = 1u << 0,
    CTX_CUSTOMER = 1u << 1,
    CTX_AGENT = 1u << 2,
    CTX_NOTE = 1u << 3,
    CTX_SOLVED = 1u << 4,
    CTX_REOPENED = 1u << 5,
    CTX_STATUS = 1u << 6,
    CTX_ATTR = 1u << 7,
    CTX_PRIORITY = 1u << 8,
};

typedef struct replay {
    const sla_plan *plan;
    const cm_sla_policyset *set; /* NULL: a policy of cm_sla_evaluate() */
    const sla_cals *cals;
    const unsigned char *events; /* cm_sla_event or cm_sla_ticket_event, `stride` bytes apart */
    size_t stride;
    bool compute; /* false: only count the records (first pass) */
    cm_time now;
    uint8_t status, level;
    uint8_t status_name; /* custom status, SLA_NO_NAME when none */
    uint8_t sched;       /* calendar of the ticket's schedule */
    bool agent_replied;  /* a public agent message exists: customer messages start next replies */
    bool by_agent;       /* an agent created the ticket */
    uint8_t nbuiltin;    /* slots a solve stops and a reopen brings back */
    cm_status err;       /* first failure of a calendar, reported at the end */
    size_t emitted[SLA_MAX_SLOTS]; /* finished instances written so far */
    size_t offset[SLA_MAX_SLOTS];  /* first record of each metric in out */
    size_t room;                   /* records per metric from its offset; 0: no limit */
    bool overflowed;               /* a metric needed more than `room` */
    cm_sla_instance *out;          /* cm_sla_evaluate() */
    cm_sla_record *rec;            /* cm_sla_policyset_evaluate() */
    /* Policy sets only. */
    bool sel_dirty;
    uint32_t sel[2]; /* selected regular and group policy */
    uint64_t tags;
    bool group_set;
    attr_state group; /* the raw group, dimension or not */
    uint32_t group_event;
    uint32_t ctx;
    uint8_t ctx_cat, ctx_name, ctx_level, ctx_attr;
    uint16_t ctx_old_v;
    bool ctx_changed;
    attr_state attr[SLA_MAX_ATTRS];
    slot s[SLA_MAX_SLOTS];
} replay;

static const cm_sla_event *event_at(const replay *r, size_t i)
{
    return (const cm_sla_event *)(const void *)(r->events + i * r->stride);
}

static bool is_solved(uint8_t status)
{
    return status == CM_SLA_STATUS_SOLVED || status == CM_SLA_STATUS_CLOSED;
}

static void note_error(replay *r, cm_status st)
{
    if (r->err == CM_OK)
        r->err = st;
}

/* ---- conditions of policy sets ------------------------------------------------ */

static bool status_matches(uint64_t cats, uint64_t names, uint8_t status, uint8_t name)
{
    return ((cats >> status) & 1u) != 0 || (name != SLA_NO_NAME && ((names >> name) & 1u) != 0);
}

static bool cond_holds(const replay *r, const sla_cond *c)
{
    switch (c->kind) {
    case SLA_COND_PRIORITY:
        return ((c->mask >> r->level) & 1u) != 0;
    case SLA_COND_STATUS: {
        const bool in = status_matches(c->mask, c->names, r->status, r->status_name);
        return c->op == CM_SLA_OP_IS ? in : !in;
    }
    case SLA_COND_TAGS:
        return c->op == CM_SLA_OP_INCLUDES ? (r->tags & c->mask) != 0 : (r->tags & c->mask) == 0;
    default: {
        const attr_state *a = &r->attr[c->attr];
        const bool listed = a->vidx < SLA_MAX_VALUES && ((c->mask >> a->vidx) & 1u) != 0;
        switch (c->op) {
        case CM_SLA_OP_IS:
            return listed;
        case CM_SLA_OP_IS_NOT:
            return !listed;
        case CM_SLA_OP_SET:
            return a->vidx != CM_SLA_VALUE_UNSET;
        case CM_SLA_OP_UNSET:
            return a->vidx == CM_SLA_VALUE_UNSET;
        case CM_SLA_OP_NE:
            return !(a->has_int && a->ival == c->number);
        default:
            return a->has_int && cm__sla_int_compare(c->op, a->ival, c->number);
        }
    }
    }
}

static bool conds_all(const replay *r, uint32_t first, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (!cond_holds(r, &r->set->conds[first + i]))
            return false;
    }
    return true;
}

static bool conds_any(const replay *r, uint32_t first, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (cond_holds(r, &r->set->conds[first + i]))
            return true;
    }
    return false;
}

/* The policy that applies to a slot now: the first of its kind whose conditions hold. */
static uint32_t policy_of(replay *r, int m)
{
    if (r->set == NULL)
        return 0;
    if (r->sel_dirty) {
        r->sel[0] = r->sel[1] = CM_SLA_NO_POLICY;
        for (uint32_t p = 0; p < r->set->npolicies; p++) {
            const sla_policy_rt *pol = &r->set->policies[p];
            if (r->sel[pol->kind] == CM_SLA_NO_POLICY && conds_all(r, pol->first, pol->n))
                r->sel[pol->kind] = p;
        }
        r->sel_dirty = false;
    }
    return r->sel[m == SLA_GROUP_SLOT ? CM_SLA_POLICY_GROUP : CM_SLA_POLICY_REGULAR];
}

static const sla_goal *goal_at(const replay *r, int m, uint32_t policy, uint8_t level)
{
    return policy == CM_SLA_NO_POLICY ? NULL : sla_goal_of(r->plan, policy, m, level);
}

static bool paused(const replay *r, int m)
{
    if (m < SLA_CUSTOM_SLOT) {
        const sla_metric_plan *mp = &r->plan->metric[m];
        return status_matches(mp->pause, mp->pause_names, r->status, r->status_name);
    }
    const sla_clock_rt *c = &r->set->clocks[m - SLA_CUSTOM_SLOT];
    return conds_any(r, c->pause, c->npause);
}

/* ---- segments and instances ------------------------------------------------- */

static void seg_open(replay *r, int m, cm_time t)
{
    r->s[m].in_seg = true;
    r->s[m].seg_start = t;
    r->s[m].seg_cal = r->sched;
}

/* Closes the open segment [seg_start, t): adds its length in every clock of
 * the metric and notes, per mark, the segment where the mark is reached. */
static void seg_close(replay *r, int m, cm_time t)
{
    slot *sl = &r->s[m];
    sl->in_seg = false;
    if (!r->compute)
        return;
    const sla_metric_plan *mp = &r->plan->metric[m];
    for (uint8_t k = 0; k < mp->nkeys; k++) {
        int64_t e = 0;
        const cm_status st = clock_elapsed(r->cals, mp->key[k], sl->seg_cal, sl->seg_start, t, &e);
        if (st != CM_OK) {
            note_error(r, st);
            e = 0;
        }
        for (uint8_t j = 0; j < mp->nmarks; j++) {
            const int64_t mark = mp->mark_seconds[j];
            if (mp->mark_key[j] != k || (sl->crossed & (UINT64_C(1) << j)))
                continue;
            if (sl->before[k] < mark && mark - sl->before[k] <= e) {
                sl->crossed |= UINT64_C(1) << j;
                sl->cross_from[j] = sl->seg_start;
                sl->cross_n[j] = mark - sl->before[k];
                sl->cross_cal[j] = sl->seg_cal;
            }
        }
        if (__builtin_add_overflow(sl->before[k], e, &sl->before[k]))
            note_error(r, CM_EOVERFLOW);
    }
}

/*
 * The instant the running or stopped instance reaches `seconds` on clock k
 * of the metric, with mark j (SLA_MAX_MARKS: none) for that threshold:
 * where it was reached, else where the open segment reaches it (a forecast),
 * else (stopped with a segment open at the stop) where that segment would
 * have reached it. CM_SLA_NO_TIME when unknown.
 */
static cm_time reach(replay *r, int m, const sla_goal *g, uint8_t j, int64_t seconds, bool at_stop)
{
    const slot *sl = &r->s[m];
    const sla_metric_plan *mp = &r->plan->metric[m];
    const sla_clock c = mp->key[g->key];
    cm_time from, out;
    int64_t n;
    uint8_t cal;
    if (j < SLA_MAX_MARKS && (sl->crossed & (UINT64_C(1) << j))) {
        from = sl->cross_from[j];
        n = sl->cross_n[j];
        cal = sl->cross_cal[j];
    } else if (sl->phase == PHASE_RUNNING && sl->in_seg) {
        /* Not reached before this segment: where this segment reaches it, past or future. */
        from = sl->seg_start;
        n = seconds - sl->before[g->key];
        cal = sl->seg_cal;
    } else if (at_stop && sl->phase != PHASE_RUNNING && sl->seg_at_stop) {
        from = sl->stop_from;
        n = sl->stop_n;
        cal = sl->stop_cal;
    } else {
        return CM_SLA_NO_TIME;
    }
    if (!clock_add(r->cals, c, cal, from, n, &out))
        return CM_SLA_NO_TIME; /* the calendar never accumulates that much time */
    return out;
}

/* The record of an instance as of r->now; `rec` (policy sets) gets the extras. */
static void report(replay *r, int m, cm_sla_instance *in, cm_sla_record *rec)
{
    const slot *sl = &r->s[m];
    memset(in, 0, sizeof *in);
    in->metric = sla_metric_of_slot(m);
    in->cycle = sl->cycle;
    in->start = sl->start;
    const bool running = sl->phase == PHASE_RUNNING;
    const uint8_t level = running ? r->level : sl->level_stop;
    const uint32_t policy = running ? policy_of(r, m) : sl->policy_stop;
    in->priority = level;
    in->stop = running ? CM_SLA_NO_TIME : sl->stop;
    in->calendar = CM_SLA_CALENDAR_TIME;
    in->due = CM_SLA_NO_TIME;
    in->breach = CM_SLA_NO_TIME;
    const sla_goal *g = goal_at(r, m, policy, level);
    if (rec != NULL) {
        rec->policy = policy;
        rec->event = m == SLA_GROUP_SLOT ? sl->event : CM_SLA_NO_EVENT;
        for (uint32_t d = 0; d < r->set->ndims; d++)
            rec->values[d] = running ? r->attr[d].vidx : sl->vals_stop[d];
    }
    if (g == NULL) {
        in->state = CM_SLA_NOT_APPLICABLE;
        return;
    }
    const sla_metric_plan *mp = &r->plan->metric[m];
    const sla_clock c = mp->key[g->key];
    int64_t elapsed = sl->before[g->key];
    if (running && sl->in_seg) {
        int64_t e = 0;
        const cm_status st = clock_elapsed(r->cals, c, sl->seg_cal, sl->seg_start, r->now, &e);
        if (st != CM_OK)
            note_error(r, st);
        else if (__builtin_add_overflow(elapsed, e, &elapsed))
            note_error(r, CM_EOVERFLOW);
    }
    in->due = reach(r, m, g, g->mark, g->seconds, true);
    if (c.kind == SLA_CLOCK_REAL)
        in->calendar = CM_SLA_CALENDAR_TIME;
    else if (c.kind == SLA_CLOCK_TICKET)
        in->calendar = running ? r->sched : sl->sched_stop;
    else
        in->calendar = c.index;
    in->target = g->seconds;
    in->elapsed = elapsed;
    in->remaining = g->seconds - elapsed;
    in->breached = elapsed > g->seconds;
    in->breach = in->breached ? in->due : CM_SLA_NO_TIME;
    if (running)
        in->state = sl->in_seg ? CM_SLA_ACTIVE : CM_SLA_PAUSED;
    else
        in->state = in->breached ? CM_SLA_BREACHED : CM_SLA_ACHIEVED;
    if (rec != NULL) {
        rec->clock = c.kind;
        rec->nwarnings = g->nwarn;
        for (uint8_t w = 0; w < g->nwarn; w++) {
            const uint8_t j = g->warn_mark[w];
            rec->warn_percent[w] = g->warn_pct[w];
            rec->warnings[w] = reach(r, m, g, j, mp->mark_seconds[j], false);
        }
    }
}

/* A blank record of a set, before report() or for a metric that never started. */
static void record_init(cm_sla_record *rec)
{
    memset(rec, 0, sizeof *rec);
    rec->policy = CM_SLA_NO_POLICY;
    rec->event = CM_SLA_NO_EVENT;
    for (int w = 0; w < CM_SLA_MAX_WARNINGS; w++)
        rec->warnings[w] = CM_SLA_NO_TIME;
}

/* Writes (or, in the counting pass, counts) the current instance of a metric as final. */
static void emit(replay *r, int m)
{
    if (!r->plan->metric[m].measured)
        return; /* not measured: one not-applicable record at the end */
    if (r->compute && r->room != 0 && r->emitted[m] + 1 >= r->room)
        r->overflowed = true; /* keep room for the current instance: evaluate again */
    else if (r->compute) {
        const size_t at = r->offset[m] + r->emitted[m];
        if (r->rec != NULL) {
            record_init(&r->rec[at]);
            report(r, m, &r->rec[at].instance, &r->rec[at]);
        } else {
            report(r, m, &r->out[at], NULL);
        }
    }
    r->emitted[m]++;
}

/* Starts an instance at t. A new cycle first emits the previous instance;
 * a restart reuses the cycle number and forgets the instance's time. */
static void start(replay *r, int m, cm_time t, bool new_cycle)
{
    slot *sl = &r->s[m];
    if (new_cycle && sl->phase != PHASE_NONE)
        emit(r, m);
    /* Only what a fresh instance reads is reset: the crossing and stop
     * fields are read only once `crossed` or `seg_at_stop` says they are set. */
    sl->cycle += new_cycle ? 1u : 0u;
    sl->phase = PHASE_RUNNING;
    sl->in_seg = false;
    sl->seg_at_stop = false;
    sl->level_stop = 0;
    sl->crossed = 0;
    sl->start = t;
    sl->stop = CM_SLA_NO_TIME;
    for (int k = 0; k < SLA_PLAN_KEYS; k++)
        sl->before[k] = 0;
    if (!paused(r, m))
        seg_open(r, m, t);
}

static void stop(replay *r, int m, cm_time t, uint8_t phase)
{
    slot *sl = &r->s[m];
    sl->level_stop = r->level;
    sl->sched_stop = r->sched;
    sl->seg_at_stop = sl->in_seg;
    if (r->compute) {
        sl->policy_stop = policy_of(r, m);
        if (r->set != NULL) {
            for (uint32_t d = 0; d < r->set->ndims; d++)
                sl->vals_stop[d] = r->attr[d].vidx;
        }
        const sla_goal *g = goal_at(r, m, sl->policy_stop, r->level);
        if (sl->in_seg && g != NULL) {
            sl->stop_from = sl->seg_start;
            sl->stop_n = g->seconds - sl->before[g->key];
            sl->stop_cal = sl->seg_cal;
        }
    }
    if (sl->in_seg)
        seg_close(r, m, t);
    sl->phase = phase;
    sl->stop = t;
}

/* Opens or closes the segments of running metrics whose pause state changed. */
static void update_pauses(replay *r, cm_time t, int from, int to)
{
    for (int m = from; m < to; m++) {
        slot *sl = &r->s[m];
        if (sl->phase != PHASE_RUNNING)
            continue;
        const bool p = paused(r, m);
        if (sl->in_seg && p)
            seg_close(r, m, t);
        else if (!sl->in_seg && !p)
            seg_open(r, m, t);
    }
}

static bool group_restart(replay *r, cm_time t);

/* Leaving solved or closed: each clock the solve stopped follows its metric's rule. */
static void reopen(replay *r, cm_time t)
{
    for (int m = 0; m < r->nbuiltin; m++) {
        slot *sl = &r->s[m];
        if (sl->phase != PHASE_SOLVED)
            continue;
        switch (r->plan->metric[m].reopen) {
        case CM_SLA_REOPEN_NEW_CYCLE:
            start(r, m, t, true);
            break;
        case CM_SLA_REOPEN_RESTART:
            start(r, m, t, false);
            break;
        default: /* reactivate: resume with the time counted so far */
            sl->phase = PHASE_RUNNING;
            sl->stop = CM_SLA_NO_TIME;
            sl->seg_at_stop = false;
            if (!paused(r, m))
                seg_open(r, m, t);
            break;
        }
    }
    if (r->set != NULL)
        (void)group_restart(r, t);
}

static void set_status(replay *r, cm_time t, uint8_t status, uint8_t name)
{
    const uint8_t old = r->status;
    if (status == old && name == r->status_name)
        return;
    if (r->set != NULL && !(r->ctx & CTX_STATUS)) {
        r->ctx |= CTX_STATUS;
        r->ctx_cat = old;
        r->ctx_name = r->status_name;
    }
    r->status = status;
    r->status_name = name;
    r->sel_dirty = true;
    if (is_solved(status)) {
        if (!is_solved(old)) {
            r->ctx |= CTX_SOLVED;
            for (int m = 0; m < r->nbuiltin; m++) {
                if (r->s[m].phase == PHASE_RUNNING)
                    stop(r, m, t, PHASE_SOLVED);
            }
        }
        return;
    }
    if (is_solved(old)) {
        r->ctx |= CTX_REOPENED;
        reopen(r, t);
        return;
    }
    update_pauses(r, t, 0, r->nbuiltin);
}

static void on_created(replay *r, const cm_sla_event *e)
{
    r->status = CM_SLA_STATUS_NEW;
    r->level = (uint8_t)e->value;
    r->ctx |= CTX_CREATED;
    if (e->flags & CM_SLA_EVENT_BY_AGENT) {
        /* An agent wrote first: nothing to answer yet, an update is owed. */
        r->agent_replied = true;
        r->by_agent = true;
        start(r, CM_SLA_PERIODIC_UPDATE, e->at, true);
    } else {
        start(r, CM_SLA_FIRST_REPLY, e->at, true);
    }
    start(r, CM_SLA_REQUESTER_WAIT, e->at, true);
    start(r, CM_SLA_AGENT_WORK, e->at, true);
    start(r, CM_SLA_TOTAL_RESOLUTION, e->at, true);
}

static void on_customer(replay *r, const cm_sla_event *e)
{
    r->ctx |= CTX_CUSTOMER;
    if (!(r->plan->flags & CM_SLA_POLICY_NO_AUTO_OPEN) &&
        (r->status == CM_SLA_STATUS_PENDING || r->status == CM_SLA_STATUS_ON_HOLD ||
         is_solved(r->status)))
        set_status(r, e->at, CM_SLA_STATUS_OPEN, SLA_NO_NAME);
    if (is_solved(r->status))
        return;
    /* On a ticket an agent created, the requester's first message may start
     * the first reply (Zendesk); it then starts no next reply. */
    if (r->by_agent && r->plan->agent_created == CM_SLA_AGENT_CREATED_REQUESTER_COMMENT &&
        r->s[CM_SLA_FIRST_REPLY].phase == PHASE_NONE) {
        start(r, CM_SLA_FIRST_REPLY, e->at, true);
        return;
    }
    /* Messages while a reply is owed belong to that reply's clock, which
     * started at the oldest of them. */
    if (r->agent_replied && r->s[CM_SLA_FIRST_REPLY].phase != PHASE_RUNNING &&
        r->s[CM_SLA_NEXT_REPLY].phase != PHASE_RUNNING)
        start(r, CM_SLA_NEXT_REPLY, e->at, true);
}

static void on_agent_reply(replay *r, const cm_sla_event *e)
{
    r->ctx |= CTX_AGENT;
    r->agent_replied = true;
    if (is_solved(r->status)) {
        /* A reply to a solved ticket answers what the solve left unanswered:
         * those clocks will not come back on a reopen. */
        for (int m = CM_SLA_FIRST_REPLY; m <= CM_SLA_PERIODIC_UPDATE; m++) {
            if (r->s[m].phase == PHASE_SOLVED)
                r->s[m].phase = PHASE_DONE;
        }
        return;
    }
    for (int m = CM_SLA_FIRST_REPLY; m <= CM_SLA_PERIODIC_UPDATE; m++) {
        if (r->s[m].phase == PHASE_RUNNING)
            stop(r, m, e->at, PHASE_DONE);
    }
    start(r, CM_SLA_PERIODIC_UPDATE, e->at, true);
}

/* ---- attributes, tags, schedules and custom clocks (policy sets) --------------- */

static int name_index(const char *const *names, uint32_t n, const char *s)
{
    for (uint32_t i = 0; i < n; i++) {
        if (strcmp(names[i], s) == 0)
            return (int)i;
    }
    return -1;
}

/* Parses a decimal int64 written the way %lld writes it; false for anything else. */
static bool text_int(const char *s, int64_t *out)
{
    const bool neg = *s == '-';
    const char *p = s + (neg ? 1 : 0);
    if (*p == '\0' || (*p == '0' && p[1] != '\0'))
        return false;
    uint64_t v = 0;
    for (; *p != '\0'; p++) {
        if (*p < '0' || *p > '9' || v > (UINT64_C(9223372036854775808) - (uint64_t)(*p - '0')) / 10)
            return false;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (neg && v == 0)
        return false;
    if (!neg && v > (uint64_t)INT64_MAX)
        return false;
    *out = neg ? (v == UINT64_C(9223372036854775808) ? INT64_MIN : -(int64_t)v) : (int64_t)v;
    return true;
}

/* An attribute's state for a value of an event (text, number or unset) on dimension d. */
static attr_state attr_value(const cm_sla_policyset *set, int d, const cm_sla_ticket_event *te)
{
    attr_state a = {CM_SLA_VALUE_UNSET, false, 0, NULL};
    char buf[24];
    const char *text = te->text;
    if (te->event.flags & CM_SLA_EVENT_NUMBER) {
        a.has_int = true;
        a.ival = te->number;
        /* Conditions name values as text: compare the number's decimal form. */
        uint64_t u = te->number < 0 ? 0u - (uint64_t)te->number : (uint64_t)te->number;
        char *q = buf + sizeof buf - 1;
        *q = '\0';
        do {
            *--q = (char)('0' + u % 10);
            u /= 10;
        } while (u != 0);
        if (te->number < 0)
            *--q = '-';
        text = q;
    } else if (text != NULL) {
        a.text = text;
        a.has_int = text_int(text, &a.ival);
    } else {
        return a;
    }
    a.vidx = CM_SLA_VALUE_OTHER;
    if (d >= 0) {
        const int v = name_index(set->dims[d].values, set->dims[d].nvalues, text);
        if (v >= 0)
            a.vidx = (uint16_t)v;
    }
    return a;
}

static bool same_value(const attr_state *a, const attr_state *b)
{
    if ((a->vidx == CM_SLA_VALUE_UNSET) != (b->vidx == CM_SLA_VALUE_UNSET))
        return false;
    if (a->vidx == CM_SLA_VALUE_UNSET)
        return true;
    if (a->text != NULL && b->text != NULL)
        return strcmp(a->text, b->text) == 0;
    if (a->text == NULL && b->text == NULL)
        return a->ival == b->ival; /* two numbers */
    /* a number and a text: equal when the text is that number's decimal form */
    return a->has_int && b->has_int && a->ival == b->ival && a->vidx == b->vidx;
}

/* A group (re)started after a reopen or an assignment on a solved ticket. */
static bool group_restart(replay *r, cm_time t)
{
    slot *g = &r->s[SLA_GROUP_SLOT];
    if (!r->set->has_group || !r->group_set || g->phase == PHASE_RUNNING || is_solved(r->status))
        return false;
    start(r, SLA_GROUP_SLOT, t, true);
    g->event = r->group_event;
    return true;
}

static void on_level(replay *r, uint8_t level)
{
    if (level == r->level)
        return;
    r->ctx |= CTX_PRIORITY;
    r->ctx_level = r->level;
    r->level = level;
    r->sel_dirty = true;
}

static void on_attribute(replay *r, const cm_sla_ticket_event *te, size_t index)
{
    const cm_sla_policyset *set = r->set;
    const cm_time t = te->event.at;
    if (strcmp(te->name, "priority") == 0) {
        int level = 0;
        if (te->event.flags & CM_SLA_EVENT_NUMBER)
            level = (int)te->number; /* checked: 0 .. nlevels */
        else if (te->text != NULL)
            level = name_index(set->level_names + 1, set->nlevels, te->text) + 1;
        on_level(r, (uint8_t)level);
        return;
    }
    int dim = -1;
    for (uint32_t i = 0; i < set->ndims; i++) {
        if (strcmp(set->dims[i].name, te->name) == 0) {
            dim = (int)i;
            break;
        }
    }
    const attr_state v = attr_value(set, dim, te);
    if (strcmp(te->name, "group") == 0 && set->has_group) {
        /* A span per group: the old one stops under the old attributes. */
        if (!(r->group_set && same_value(&r->group, &v))) {
            slot *g = &r->s[SLA_GROUP_SLOT];
            if (g->phase == PHASE_RUNNING)
                stop(r, SLA_GROUP_SLOT, t, PHASE_DONE);
            else if (g->phase == PHASE_SOLVED)
                g->phase = PHASE_DONE; /* the solved span will not resume */
            r->group = v;
            r->group_set = v.vidx != CM_SLA_VALUE_UNSET;
            r->group_event = (uint32_t)index;
            (void)group_restart(r, t);
        }
    }
    if (dim < 0)
        return;
    attr_state *a = &r->attr[dim];
    if (same_value(a, &v))
        return;
    r->ctx |= CTX_ATTR;
    r->ctx_attr = (uint8_t)dim;
    r->ctx_old_v = a->vidx;
    *a = v;
    r->sel_dirty = true;
}

/* The tags of a blank-separated list, as a mask over the set's tags. */
static uint64_t tag_mask(const cm_sla_policyset *set, const char *s)
{
    uint64_t mask = 0;
    while (*s != '\0') {
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
            s++;
        const char *w = s;
        while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            s++;
        const size_t len = (size_t)(s - w);
        for (uint32_t i = 0; len > 0 && i < set->ntags; i++) {
            if (strlen(set->tags[i]) == len && memcmp(set->tags[i], w, len) == 0)
                mask |= UINT64_C(1) << i;
        }
    }
    return mask;
}

static void on_tags(replay *r, const cm_sla_ticket_event *te)
{
    const uint64_t m = tag_mask(r->set, te->text);
    uint64_t tags = r->tags;
    if (te->event.type == CM_SLA_EVENT_TAGS)
        tags = m;
    else if (te->event.type == CM_SLA_EVENT_TAG_ADD)
        tags |= m;
    else
        tags &= ~m;
    if (tags != r->tags) {
        r->tags = tags;
        r->sel_dirty = true;
    }
}

/* The ticket moves to another schedule: clocks that follow it split their segment. */
static void on_schedule(replay *r, cm_time t, uint8_t cal)
{
    if (cal == r->sched)
        return;
    for (int m = 0; m < r->plan->nslots; m++) {
        slot *sl = &r->s[m];
        if (sl->phase == PHASE_RUNNING && sl->in_seg && r->plan->metric[m].has_ticket_key) {
            seg_close(r, m, t);
            sl->in_seg = true;
            sl->seg_start = t;
            sl->seg_cal = cal;
        }
    }
    r->sched = cal;
}

static bool trig_fires(const replay *r, const sla_trig *tg)
{
    switch (tg->kind) {
    case CM_SLA_ON_CREATED:
        return (r->ctx & CTX_CREATED) != 0;
    case CM_SLA_ON_CUSTOMER_REPLY:
        return (r->ctx & CTX_CUSTOMER) != 0;
    case CM_SLA_ON_AGENT_REPLY:
        return (r->ctx & CTX_AGENT) != 0;
    case CM_SLA_ON_AGENT_NOTE:
        return (r->ctx & CTX_NOTE) != 0;
    case CM_SLA_ON_SOLVED:
        return (r->ctx & CTX_SOLVED) != 0;
    case CM_SLA_ON_REOPENED:
        return (r->ctx & CTX_REOPENED) != 0;
    case CM_SLA_ON_STATUS_ENTER:
    case CM_SLA_ON_STATUS_LEAVE: {
        if (!(r->ctx & CTX_STATUS))
            return false;
        const bool was = status_matches(tg->mask, tg->names, r->ctx_cat, r->ctx_name);
        const bool is = status_matches(tg->mask, tg->names, r->status, r->status_name);
        return tg->kind == CM_SLA_ON_STATUS_ENTER ? is && !was : was && !is;
    }
    case CM_SLA_ON_SET:
        if (tg->attr == SLA_TRIG_PRIORITY)
            return (r->ctx & CTX_PRIORITY) && r->level != 0 &&
                   (tg->any || ((tg->mask >> r->level) & 1u) != 0);
        if (!(r->ctx & CTX_ATTR) || r->ctx_attr != tg->attr)
            return false;
        {
            const uint16_t v = r->attr[tg->attr].vidx;
            return v != CM_SLA_VALUE_UNSET &&
                   (tg->any || (v < SLA_MAX_VALUES && ((tg->mask >> v) & 1u) != 0));
        }
    default: /* CM_SLA_ON_UNSET */
        if (tg->attr == SLA_TRIG_PRIORITY)
            return (r->ctx & CTX_PRIORITY) && r->level == 0;
        return (r->ctx & CTX_ATTR) && r->ctx_attr == tg->attr &&
               r->attr[tg->attr].vidx == CM_SLA_VALUE_UNSET;
    }
}

static bool trigs_any(const replay *r, uint32_t first, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (trig_fires(r, &r->set->trigs[first + i]))
            return true;
    }
    return false;
}

/* After each event: custom clocks stop, then start, on their triggers; then pause. */
static void custom_clocks(replay *r, cm_time t)
{
    const cm_sla_policyset *set = r->set;
    for (uint32_t c = 0; c < set->nclocks; c++) {
        const int m = SLA_CUSTOM_SLOT + (int)c;
        const sla_clock_rt *ck = &set->clocks[c];
        if (r->s[m].phase == PHASE_RUNNING && trigs_any(r, ck->stop, ck->nstop))
            stop(r, m, t, PHASE_DONE);
        if (r->s[m].phase != PHASE_RUNNING && trigs_any(r, ck->start, ck->nstart))
            start(r, m, t, true);
    }
    update_pauses(r, t, SLA_CUSTOM_SLOT, SLA_CUSTOM_SLOT + (int)set->nclocks);
}

static uint8_t status_name_of(const replay *r, const cm_sla_ticket_event *te)
{
    if (te->name == NULL)
        return SLA_NO_NAME;
    const int i = name_index(r->set->statuses, r->set->nstatuses, te->name);
    return i < 0 ? SLA_NO_NAME : (uint8_t)i;
}

static void apply(replay *r, size_t index)
{
    const cm_sla_event *e = event_at(r, index);
    const cm_sla_ticket_event *te =
        r->set != NULL ? (const cm_sla_ticket_event *)(const void *)e : NULL;
    const bool automated = (e->flags & CM_SLA_EVENT_AUTOMATED) != 0;
    r->ctx = 0;
    switch (e->type) {
    case CM_SLA_EVENT_CREATED:
        on_created(r, e);
        break;
    case CM_SLA_EVENT_PRIORITY:
        if (te == NULL)
            r->level = (uint8_t)e->value;
        else
            on_level(r, (uint8_t)e->value);
        break;
    case CM_SLA_EVENT_CUSTOMER_REPLY:
        if (!automated)
            on_customer(r, e);
        break;
    case CM_SLA_EVENT_AGENT_REPLY:
        if (!automated)
            on_agent_reply(r, e);
        break;
    case CM_SLA_EVENT_STATUS:
        set_status(r, e->at, (uint8_t)e->value, te != NULL ? status_name_of(r, te) : SLA_NO_NAME);
        break;
    case CM_SLA_EVENT_REOPEN:
        if (is_solved(r->status))
            set_status(r, e->at, CM_SLA_STATUS_OPEN, SLA_NO_NAME);
        break;
    case CM_SLA_EVENT_AGENT_NOTE:
        r->ctx |= automated ? 0u : (uint32_t)CTX_NOTE;
        break;
    case CM_SLA_EVENT_ATTRIBUTE:
        on_attribute(r, te, index);
        break;
    case CM_SLA_EVENT_SCHEDULE:
        on_schedule(r, e->at, (uint8_t)e->value);
        break;
    default: /* tags */
        on_tags(r, te);
        break;
    }
    if (te != NULL && r->set->nclocks > 0)
        custom_clocks(r, e->at);
}

/* Order of application of events at the same instant. */
enum { RANK_COUNT = 6 };
static int rank_of(uint16_t type)
{
    switch (type) {
    case CM_SLA_EVENT_CREATED:
        return 0;
    case CM_SLA_EVENT_PRIORITY:
    case CM_SLA_EVENT_ATTRIBUTE:
    case CM_SLA_EVENT_TAGS:
    case CM_SLA_EVENT_TAG_ADD:
    case CM_SLA_EVENT_TAG_REMOVE:
    case CM_SLA_EVENT_SCHEDULE:
        return 1;
    case CM_SLA_EVENT_CUSTOMER_REPLY:
        return 2;
    case CM_SLA_EVENT_AGENT_REPLY:
        return 3;
    case CM_SLA_EVENT_AGENT_NOTE:
        return 4;
    default: /* status changes and reopens, in array order */
        return 5;
    }
}

/*
 * Applies the events up to `now`. Within one instant the events are applied
 * rank by rank, each rank in array order: a stable order without sorting a
 * copy (the instant's events are scanned once per rank).
 */
static void run(replay *r, size_t nevents)
{
    size_t i = 0;
    while (i < nevents && event_at(r, i)->at <= r->now) {
        const cm_time at = event_at(r, i)->at;
        size_t j = i + 1;
        while (j < nevents && event_at(r, j)->at == at)
            j++;
        if (j == i + 1) {
            apply(r, i);
        } else {
            for (int rank = 0; rank < RANK_COUNT; rank++) {
                for (size_t k = i; k < j; k++) {
                    if (rank_of(event_at(r, k)->type) == rank)
                        apply(r, k);
                }
            }
        }
        i = j;
    }
}

static bool event_valid(const cm_sla_event *e)
{
    switch (e->type) {
    case CM_SLA_EVENT_CREATED:
        return (e->flags & ~CM_SLA_EVENT_BY_AGENT) == 0 && e->value < CM_SLA_PRIORITY_COUNT;
    case CM_SLA_EVENT_CUSTOMER_REPLY:
    case CM_SLA_EVENT_AGENT_REPLY:
    case CM_SLA_EVENT_AGENT_NOTE:
        return (e->flags & ~CM_SLA_EVENT_AUTOMATED) == 0 && e->value == 0;
    case CM_SLA_EVENT_STATUS:
        return e->flags == 0 && e->value < CM_SLA_STATUS_COUNT;
    case CM_SLA_EVENT_PRIORITY:
        return e->flags == 0 && e->value < CM_SLA_PRIORITY_COUNT;
    case CM_SLA_EVENT_REOPEN:
        return e->flags == 0 && e->value == 0;
    default:
        return false;
    }
}

/* Checks the log: fields, order, a single creation first. */
static cm_status check_order(const replay *r, size_t nevents, cm_time now, cm_time *created)
{
    size_t ncreated = 0;
    bool out_of_range = now < SLA_TIME_MIN || now > SLA_TIME_MAX;
    for (size_t i = 0; i < nevents; i++) {
        const cm_sla_event *e = event_at(r, i);
        CM_REQUIRE(i == 0 || e->at >= event_at(r, i - 1)->at, CM_EINVAL);
        out_of_range = out_of_range || e->at < SLA_TIME_MIN || e->at > SLA_TIME_MAX;
        if (e->type == CM_SLA_EVENT_CREATED) {
            ncreated++;
            *created = e->at;
        }
    }
    CM_REQUIRE(ncreated == 1, CM_EINVAL);
    /* Sorted, so nothing precedes creation when it shares the first instant. */
    CM_REQUIRE(*created == event_at(r, 0)->at, CM_EINVAL);
    CM_REQUIRE(!out_of_range, CM_ERANGE);
    CM_REQUIRE(now >= *created, CM_EINVAL);
    return CM_OK;
}

static void replay_init(replay *r, const sla_plan *plan, const cm_sla_policyset *set,
                        const sla_cals *cals, const void *events, size_t stride, cm_time now,
                        bool compute)
{
    /* The slots need only their phase and cycle: start() sets the rest. */
    memset(r, 0, offsetof(replay, attr));
    for (int m = 0; m < plan->nslots; m++) {
        r->s[m].phase = PHASE_NONE;
        r->s[m].cycle = 0;
    }
    r->plan = plan;
    r->set = set;
    r->cals = cals;
    r->events = (const unsigned char *)events;
    r->stride = stride;
    r->now = now;
    r->compute = compute;
    r->status_name = SLA_NO_NAME;
    r->nbuiltin = CM_SLA_METRIC_COUNT;
    if (set != NULL) {
        r->nbuiltin = (uint8_t)(set->has_group ? SLA_GROUP_SLOT + 1 : SLA_GROUP_SLOT);
        r->sel_dirty = true;
        for (uint32_t d = 0; d < set->ndims; d++)
            r->attr[d] = (attr_state){CM_SLA_VALUE_UNSET, false, 0, NULL};
    }
}

/* The slots reported, in metric order, and whether each is. */
static bool reported(const replay *r, int m)
{
    return m < CM_SLA_METRIC_COUNT || (m == SLA_GROUP_SLOT && r->set->has_group) ||
           m >= SLA_CUSTOM_SLOT;
}

/* Writes the current instance of every reported metric after r's compute pass. */
static void finish_records(replay *r)
{
    const sla_plan *plan = r->plan;
    const cm_sla_policyset *set = r->set;
    for (int m = 0; m < plan->nslots; m++) {
        if (set != NULL && !reported(r, m))
            continue;
        const size_t at = r->offset[m] + r->emitted[m];
        cm_sla_instance *in = set != NULL ? &r->rec[at].instance : &r->out[at];
        if (set != NULL)
            record_init(&r->rec[at]);
        if (!plan->metric[m].measured || r->s[m].phase == PHASE_NONE) {
            memset(in, 0, sizeof *in);
            in->metric = sla_metric_of_slot(m);
            in->state = CM_SLA_NOT_APPLICABLE;
            in->priority = r->level;
            in->calendar = CM_SLA_CALENDAR_TIME;
            in->start = in->stop = in->due = in->breach = CM_SLA_NO_TIME;
            if (set != NULL) {
                r->rec[at].policy = policy_of(r, m);
                for (uint32_t d = 0; d < set->ndims; d++)
                    r->rec[at].values[d] = r->attr[d].vidx;
            }
        } else {
            report(r, m, in, set != NULL ? &r->rec[at] : NULL);
        }
    }
}

/* Starts the compute pass: records of metric m from offset[m], at most `room` each (0: exact). */
static void compute_pass(replay *r, size_t nevents, void *out, const size_t *offset, size_t room)
{
    replay_init(r, r->plan, r->set, r->cals, r->events, r->stride, r->now, true);
    memcpy(r->offset, offset, sizeof r->offset);
    r->room = room;
    if (r->set != NULL)
        r->rec = (cm_sla_record *)out;
    else
        r->out = (cm_sla_instance *)out;
    run(r, nevents);
    if (!r->overflowed)
        finish_records(r);
}

/*
 * The passes shared by both evaluations, once the log and calendars are
 * checked. Each event starts at most one instance per metric, so a metric
 * needs at most `nevents` records: when `out` has that room for every
 * reported metric, one pass computes the records at those offsets and then
 * packs them. Otherwise (or should a metric need more) a first pass counts
 * the records (the instances a log creates depend on the events alone, never
 * on time arithmetic) and a second computes them in place.
 */
static cm_status replay_both(replay *r, size_t nevents, void *out, size_t cap, size_t *count)
{
    const sla_plan *plan = r->plan;
    const cm_sla_policyset *set = r->set;
    const size_t rec_size = set != NULL ? sizeof(cm_sla_record) : sizeof(cm_sla_instance);
    size_t offset[SLA_MAX_SLOTS] = {0};
    size_t nreported = 0;
    for (int m = 0; m < plan->nslots; m++)
        nreported += set == NULL || reported(r, m) ? 1u : 0u;
    if (nreported > 0 && nevents <= cap / nreported) {
        size_t at = 0;
        for (int m = 0; m < plan->nslots; m++) {
            offset[m] = at;
            at += set == NULL || reported(r, m) ? nevents : 0;
        }
        compute_pass(r, nevents, out, offset, nevents);
        if (!r->overflowed) {
            /* Pack: each metric's records move down to follow the previous
             * metric's (never past the next metric's, which start later). */
            size_t needed = 0;
            for (int m = 0; m < plan->nslots; m++) {
                if (set != NULL && !reported(r, m))
                    continue;
                const size_t n = r->emitted[m] + 1;
                if (needed != offset[m])
                    memmove((unsigned char *)out + needed * rec_size,
                            (unsigned char *)out + offset[m] * rec_size, n * rec_size);
                needed += n;
            }
            CM_TRY(r->err);
            *count = needed;
            return CM_OK;
        }
    }
    replay_init(r, plan, set, r->cals, r->events, r->stride, r->now, false);
    run(r, nevents);
    size_t needed = 0;
    for (int m = 0; m < plan->nslots; m++) {
        offset[m] = needed;
        if (set == NULL || reported(r, m))
            needed += r->emitted[m] + 1; /* finished instances + the current one (or n/a) */
    }
    if (needed > cap) {
        *count = needed;
        return CM_ENOSPC;
    }
    compute_pass(r, nevents, out, offset, 0);
    CM_TRY(r->err);
    *count = needed;
    return CM_OK;
}

cm_status cm_sla_evaluate(const cm_sla_policy *policy, const cm_calendar *const *calendars,
                          size_t ncalendars, const cm_sla_event *events, size_t nevents,
                          cm_time now, cm_sla_instance *out, size_t cap, size_t *count)
{
    CM_REQUIRE(policy != NULL && count != NULL && events != NULL && nevents > 0, CM_EINVAL);
    CM_REQUIRE((cap == 0 || out != NULL) && (ncalendars == 0 || calendars != NULL), CM_EINVAL);
    for (size_t i = 0; i < nevents; i++)
        CM_REQUIRE(event_valid(&events[i]), CM_EINVAL);
    const sla_cals cals = {calendars, ncalendars, NULL, 0};
    replay r;
    replay_init(&r, &policy->plan, NULL, &cals, events, sizeof *events, now, false);
    cm_time created = 0;
    CM_TRY(check_order(&r, nevents, now, &created));

    /* Every calendar the policy names must be there. check_order() has put
     * the whole span inside the calendars' range, so no measurement of the
     * second pass (parts of that span) can fail on range. */
    CM_REQUIRE(ncalendars >= policy->ncalendars, CM_EINVAL);
    for (size_t c = 0; c < policy->ncalendars; c++) {
        bool used = false;
        for (int m = 0; m < CM_SLA_METRIC_COUNT; m++) {
            for (uint8_t k = 0; k < policy->nkeys[m]; k++)
                used = used || policy->key_calendar[m][k] == (int32_t)c;
        }
        if (!used)
            continue;
        CM_REQUIRE(calendars[c] != NULL, CM_EINVAL);
    }
    return replay_both(&r, nevents, out, cap, count);
}

/* ---------------------------------------------------------------------- */
/* Evaluation under a policy set                                          */
/* ---------------------------------------------------------------------- */

static bool str_ok(const char *s)
{
    return s != NULL && s[0] != '\0';
}

/* Checks one event of a set's log (the calendars of schedules are checked apart). */
static bool ticket_event_valid(const cm_sla_policyset *set, const cm_sla_ticket_event *te)
{
    const cm_sla_event *e = &te->event;
    const bool no_strings = te->name == NULL && te->text == NULL;
    if (te->number != 0 && e->type != CM_SLA_EVENT_ATTRIBUTE)
        return false;
    switch (e->type) {
    case CM_SLA_EVENT_CREATED:
        return (e->flags & ~CM_SLA_EVENT_BY_AGENT) == 0 && e->value <= set->nlevels && no_strings;
    case CM_SLA_EVENT_CUSTOMER_REPLY:
    case CM_SLA_EVENT_AGENT_REPLY:
    case CM_SLA_EVENT_AGENT_NOTE:
        return (e->flags & ~CM_SLA_EVENT_AUTOMATED) == 0 && e->value == 0 && no_strings;
    case CM_SLA_EVENT_STATUS:
        return e->flags == 0 && e->value < CM_SLA_STATUS_COUNT && te->text == NULL &&
               (te->name == NULL || te->name[0] != '\0');
    case CM_SLA_EVENT_PRIORITY:
        return e->flags == 0 && e->value <= set->nlevels && no_strings;
    case CM_SLA_EVENT_REOPEN:
        return e->flags == 0 && e->value == 0 && no_strings;
    case CM_SLA_EVENT_ATTRIBUTE:
        if ((e->flags & ~CM_SLA_EVENT_NUMBER) != 0 || e->value != 0 || !str_ok(te->name) ||
            strcmp(te->name, "status") == 0 || strcmp(te->name, "tags") == 0)
            return false;
        if (e->flags & CM_SLA_EVENT_NUMBER) {
            if (te->text != NULL)
                return false;
            return strcmp(te->name, "priority") != 0 ||
                   (te->number >= 0 && te->number <= (int64_t)set->nlevels);
        }
        return te->number == 0;
    case CM_SLA_EVENT_TAGS:
        return e->flags == 0 && e->value == 0 && te->name == NULL && te->text != NULL;
    case CM_SLA_EVENT_TAG_ADD:
    case CM_SLA_EVENT_TAG_REMOVE:
        return e->flags == 0 && e->value == 0 && te->name == NULL && str_ok(te->text);
    case CM_SLA_EVENT_SCHEDULE:
        return e->flags == 0 && no_strings && e->value < CM_SLA_MAX_CALENDARS;
    default:
        return false;
    }
}

/* A business calendar the evaluation needs must be there (the span is in its range). */
static cm_status need_calendar(const sla_cals *cs, size_t c)
{
    CM_REQUIRE(c < cs->ncal && cs->cal[c] != NULL, CM_EINVAL);
    return CM_OK;
}

cm_status cm_sla_policyset_evaluate(const cm_sla_policyset *set, const cm_sla_calendars *calendars,
                                    const cm_sla_ticket_event *events, size_t nevents, cm_time now,
                                    cm_sla_record *out, size_t cap, size_t *count)
{
    CM_REQUIRE(set != NULL && count != NULL && events != NULL && nevents > 0, CM_EINVAL);
    CM_REQUIRE(nevents < CM_SLA_NO_EVENT && (cap == 0 || out != NULL), CM_EINVAL);
    sla_cals cals = {NULL, 0, NULL, 0};
    if (calendars != NULL) {
        CM_REQUIRE(calendars->ncalendars == 0 || calendars->calendars != NULL, CM_EINVAL);
        CM_REQUIRE(calendars->nhistories == 0 || calendars->histories != NULL, CM_EINVAL);
        cals = (sla_cals){calendars->calendars, calendars->ncalendars, calendars->histories,
                          calendars->nhistories};
    }
    for (size_t i = 0; i < nevents; i++)
        CM_REQUIRE(ticket_event_valid(set, &events[i]), CM_EINVAL);
    replay r;
    replay_init(&r, &set->plan, set, &cals, events, sizeof *events, now, false);
    cm_time created = 0;
    CM_TRY(check_order(&r, nevents, now, &created));

    /* Every calendar and history a target names, every schedule an event
     * names, must be there; check_order() has put the span in their range. */
    bool ticket_clock = false;
    for (int m = 0; m < set->plan.nslots; m++) {
        const sla_metric_plan *mp = &set->metric[m];
        for (uint8_t k = 0; k < mp->nkeys; k++) {
            const sla_clock c = mp->key[k];
            if (c.kind == SLA_CLOCK_CALENDAR) {
                CM_TRY(need_calendar(&cals, c.index));
            } else if (c.kind == SLA_CLOCK_HISTORY) {
                CM_REQUIRE(c.index < cals.nhist && cals.hist[c.index] != NULL, CM_EINVAL);
            } else if (c.kind == SLA_CLOCK_TICKET) {
                ticket_clock = true;
            }
        }
    }
    if (ticket_clock) {
        CM_TRY(need_calendar(&cals, 0));
        for (size_t i = 0; i < nevents; i++) {
            if (events[i].event.type == CM_SLA_EVENT_SCHEDULE)
                CM_TRY(need_calendar(&cals, events[i].event.value));
        }
    }
    return replay_both(&r, nevents, out, cap, count);
}

cm_status cm_sla_next_alarm(const cm_sla_record *records, size_t n, cm_sla_alarm *out)
{
    CM_REQUIRE(out != NULL && (n == 0 || records != NULL), CM_EINVAL);
    cm_sla_alarm best = {CM_SLA_NO_TIME, 0, 0};
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        const cm_sla_record *rec = &records[i];
        const cm_sla_instance *in = &rec->instance;
        if (in->state != CM_SLA_ACTIVE)
            continue;
        /* kind 0 is the breach, k the k-th warning */
        for (uint32_t k = 0; k <= rec->nwarnings && k <= CM_SLA_MAX_WARNINGS; k++) {
            cm_time at;
            if (k == 0) {
                if (in->breached)
                    continue;
                at = in->due;
            } else {
                /* pending while below the threshold: its instant is still ahead */
                const int64_t thr =
                    (in->target * rec->warn_percent[k - 1] + 99) / 100; /* ceil, exact */
                if (in->elapsed >= thr)
                    continue;
                at = rec->warnings[k - 1];
            }
            if (at == CM_SLA_NO_TIME)
                continue;
            if (!found || at < best.at) {
                best.at = at;
                best.record = (uint32_t)i;
                best.kind = k;
                found = true;
            }
        }
    }
    CM_REQUIRE(found, CM_ENODATA);
    *out = best;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Attainment                                                             */
/* ---------------------------------------------------------------------- */

#define SLA_SERIAL_VERSION 1

/* Bytes before the distributions: frame header, 4 zero bytes, 24 tallies. */
#define TALLY_BYTES  56
#define COUNTS_BYTES (8 + CM_SLA_METRIC_COUNT * CM_SLA_PRIORITY_LEVELS * TALLY_BYTES)
#define NDIST        (2 * CM_SLA_PRIORITY_LEVELS)

_Static_assert(CM_SLA_ATTAINMENT_SERIALIZED_MAX ==
                   COUNTS_BYTES + NDIST * (4 + CM_SKETCH_SERIALIZED_MAX) + CM__SERIAL_TRAILER,
               "CM_SLA_ATTAINMENT_SERIALIZED_MAX must match the layout");

typedef cm_sla_tally tallies[CM_SLA_METRIC_COUNT][CM_SLA_PRIORITY_LEVELS];

static bool art_valid(const cm_art *a)
{
    if (a->n == 0)
        return a->total_seconds == 0 && a->min_seconds == 0 && a->max_seconds == 0;
    return a->min_seconds >= 0 && a->min_seconds <= a->max_seconds &&
           a->total_seconds >= a->max_seconds;
}

/* Every stopped instance is achieved or breached and adds one elapsed time. */
static bool tally_valid(const cm_sla_tally *t)
{
    return art_valid(&t->elapsed) && t->achieved <= UINT64_MAX - t->breached &&
           t->elapsed.n <= t->achieved + t->breached && t->elapsed.n >= t->achieved;
}

/* The distribution of a metric (first reply and total resolution have one). */
static const cm_sketch *dist_of(const cm_sla_attainment *a, uint32_t metric, int p)
{
    if (metric == CM_SLA_FIRST_REPLY)
        return &a->first_reply[p];
    if (metric == CM_SLA_TOTAL_RESOLUTION)
        return &a->resolution[p];
    return NULL;
}

static cm_sketch *dist_mut(cm_sla_attainment *a, uint32_t metric, int p)
{
    if (metric == CM_SLA_FIRST_REPLY)
        return &a->first_reply[p];
    if (metric == CM_SLA_TOTAL_RESOLUTION)
        return &a->resolution[p];
    return NULL;
}

/* The i-th of the eight distributions: first replies low..urgent, then resolutions. */
static cm_sketch *dist_at(cm_sla_attainment *a, int i)
{
    return i < CM_SLA_PRIORITY_LEVELS ? &a->first_reply[i]
                                      : &a->resolution[i - CM_SLA_PRIORITY_LEVELS];
}

static const cm_sketch *dist_at_c(const cm_sla_attainment *a, int i)
{
    return i < CM_SLA_PRIORITY_LEVELS ? &a->first_reply[i]
                                      : &a->resolution[i - CM_SLA_PRIORITY_LEVELS];
}

/*
 * The sketch's own cheap consistency check (docs/sketch.md: minimum and
 * maximum finite, ordered and in range, both zero while empty); the
 * functions that read every bucket check the rest.
 */
static bool sketch_plausible(const cm_sketch *s)
{
    const double lo = s->min_seconds, hi = s->max_seconds;
    if (!(isfinite(lo) && isfinite(hi) && lo >= 0.0 && lo <= hi && hi < CM_SKETCH_MAX_SECONDS))
        return false;
    return s->n != 0 || (lo == 0.0 && hi == 0.0);
}

/* Cheap whole-accumulator check: tallies, and distributions that hold
 * exactly the stopped instances the tallies count. */
static bool attainment_valid(const cm_sla_attainment *a)
{
    for (uint32_t m = 0; m < CM_SLA_METRIC_COUNT; m++) {
        for (int p = 0; p < CM_SLA_PRIORITY_LEVELS; p++) {
            const cm_sla_tally *t = &a->tally[m][p];
            const cm_sketch *d = dist_of(a, m, p);
            if (!tally_valid(t) || (d != NULL && (!sketch_plausible(d) || d->n != t->elapsed.n)))
                return false;
        }
    }
    return true;
}

bool cm__sla_record_valid(const cm_sla_instance *in, uint32_t min_level, uint32_t max_level)
{
    if (in->state > CM_SLA_BREACHED)
        return false;
    if (in->state == CM_SLA_NOT_APPLICABLE)
        return true;
    return in->priority >= min_level && in->priority <= max_level && in->elapsed >= 0 &&
           (in->state != CM_SLA_ACHIEVED || !in->breached) &&
           (in->state != CM_SLA_BREACHED || in->breached);
}

static bool instance_valid(const cm_sla_instance *in)
{
    return in->metric < CM_SLA_METRIC_COUNT &&
           cm__sla_record_valid(in, CM_SLA_PRIORITY_LOW, CM_SLA_PRIORITY_URGENT);
}

static bool stopped(const cm_sla_instance *in)
{
    return in->state == CM_SLA_ACHIEVED || in->state == CM_SLA_BREACHED;
}

static bool add_u64(uint64_t *a, uint64_t b)
{
    return !__builtin_add_overflow(*a, b, a);
}

cm_status cm_sla_attainment_add(cm_sla_attainment *acc, const cm_sla_instance *instances, size_t n)
{
    CM_REQUIRE(acc != NULL && (n == 0 || instances != NULL), CM_EINVAL);
    bool too_long = false;
    for (size_t i = 0; i < n; i++) {
        const cm_sla_instance *in = &instances[i];
        CM_REQUIRE(instance_valid(in), CM_EINVAL);
        too_long = too_long || (in->state != CM_SLA_NOT_APPLICABLE && stopped(in) &&
                                dist_of(acc, in->metric, 0) != NULL &&
                                !((double)in->elapsed < CM_SKETCH_MAX_SECONDS));
    }
    /* All or nothing, touching only what the records touch: copies of the
     * tallies they name (each checked with its distribution) take the
     * counts first; the distributions can then take every value, their
     * counts being the elapsed counts the copies checked for overflow. */
    enum { NTALLY = CM_SLA_METRIC_COUNT * CM_SLA_PRIORITY_LEVELS };
    int8_t slot_of[NTALLY];
    memset(slot_of, -1, sizeof slot_of);
    cm_sla_tally copy[NTALLY];
    int where[NTALLY];
    int ncopy = 0;
    for (size_t i = 0; i < n; i++) {
        const cm_sla_instance *in = &instances[i];
        if (in->state == CM_SLA_NOT_APPLICABLE)
            continue;
        const int p = (int)in->priority - 1;
        const int key = (int)in->metric * CM_SLA_PRIORITY_LEVELS + p;
        if (slot_of[key] >= 0)
            continue;
        const cm_sla_tally *t = &acc->tally[in->metric][p];
        const cm_sketch *d = dist_of(acc, in->metric, p);
        CM_REQUIRE(tally_valid(t) && (d == NULL || (sketch_plausible(d) && d->n == t->elapsed.n)),
                   CM_EINVAL);
        slot_of[key] = (int8_t)ncopy;
        where[ncopy] = key;
        copy[ncopy++] = *t;
    }
    CM_REQUIRE(!too_long, CM_ERANGE);
    for (size_t i = 0; i < n; i++) {
        const cm_sla_instance *in = &instances[i];
        if (in->state == CM_SLA_NOT_APPLICABLE)
            continue;
        const int key = (int)in->metric * CM_SLA_PRIORITY_LEVELS + (int)in->priority - 1;
        CM_REQUIRE(cm__sla_tally_add(&copy[slot_of[key]], in), CM_EOVERFLOW);
    }
    for (size_t i = 0; i < n; i++) {
        const cm_sla_instance *in = &instances[i];
        if (in->state == CM_SLA_NOT_APPLICABLE || !stopped(in))
            continue;
        cm_sketch *d = dist_mut(acc, in->metric, (int)in->priority - 1);
        if (d != NULL && cm_sketch_add(d, (double)in->elapsed) != CM_OK)
            return CM_EINVAL; /* unreachable: checked above */
    }
    for (int c = 0; c < ncopy; c++)
        acc->tally[where[c] / CM_SLA_PRIORITY_LEVELS][where[c] % CM_SLA_PRIORITY_LEVELS] = copy[c];
    return CM_OK;
}

static bool tally_merge(cm_sla_tally *t, const cm_sla_tally *o)
{
    return add_u64(&t->achieved, o->achieved) && add_u64(&t->breached, o->breached) &&
           add_u64(&t->open, o->open) && cm_art_merge(&t->elapsed, &o->elapsed) == CM_OK;
}

bool cm__sla_tally_valid(const cm_sla_tally *t)
{
    return tally_valid(t);
}

bool cm__sla_tally_merge(cm_sla_tally *t, const cm_sla_tally *o)
{
    return tally_merge(t, o) && tally_valid(t);
}

bool cm__sla_tally_add(cm_sla_tally *x, const cm_sla_instance *in)
{
    bool ok;
    if (stopped(in))
        ok = add_u64(in->breached ? &x->breached : &x->achieved, 1) &&
             cm_art_add(&x->elapsed, in->elapsed) == CM_OK;
    else
        ok = add_u64(in->breached ? &x->breached : &x->open, 1);
    return ok && tally_valid(x);
}

cm_status cm__sla_summary(const cm_sla_tally *sum, double confidence,
                          cm_sla_attainment_summary *out)
{
    uint64_t den;
    CM_REQUIRE(!__builtin_add_overflow(sum->achieved, sum->breached, &den), CM_EOVERFLOW);
    cm_sla_attainment_summary s;
    memset(&s, 0, sizeof s);
    s.achieved = sum->achieved;
    s.breached = sum->breached;
    s.open = sum->open;
    CM_TRY(cm_rate(sum->achieved, den, confidence, &s.attained));
    if (sum->elapsed.n > 0)
        CM_TRY(cm_art_result(&sum->elapsed, &s.elapsed));
    *out = s;
    return CM_OK;
}

void cm__sla_put_tally(uint8_t *q, const cm_sla_tally *t)
{
    cm__put_u64le(q, t->achieved);
    cm__put_u64le(q + 8, t->breached);
    cm__put_u64le(q + 16, t->open);
    cm__put_u64le(q + 24, t->elapsed.n);
    cm__put_u64le(q + 32, (uint64_t)t->elapsed.total_seconds);
    cm__put_u64le(q + 40, (uint64_t)t->elapsed.min_seconds);
    cm__put_u64le(q + 48, (uint64_t)t->elapsed.max_seconds);
}

static int64_t i64_from_u64(uint64_t u);

bool cm__sla_get_tally(const uint8_t *q, cm_sla_tally *x)
{
    x->achieved = cm__get_u64le(q);
    x->breached = cm__get_u64le(q + 8);
    x->open = cm__get_u64le(q + 16);
    x->elapsed.n = cm__get_u64le(q + 24);
    x->elapsed.total_seconds = i64_from_u64(cm__get_u64le(q + 32));
    x->elapsed.min_seconds = i64_from_u64(cm__get_u64le(q + 40));
    x->elapsed.max_seconds = i64_from_u64(cm__get_u64le(q + 48));
    return tally_valid(x);
}

cm_status cm_sla_attainment_merge(cm_sla_attainment *acc, const cm_sla_attainment *other)
{
    CM_REQUIRE(acc != NULL && other != NULL, CM_EINVAL);
    CM_REQUIRE(attainment_valid(acc) && attainment_valid(other), CM_EINVAL);
    tallies t;
    memcpy(t, acc->tally, sizeof t);
    for (int m = 0; m < CM_SLA_METRIC_COUNT; m++) {
        for (int p = 0; p < CM_SLA_PRIORITY_LEVELS; p++)
            CM_REQUIRE(tally_merge(&t[m][p], &other->tally[m][p]) && tally_valid(&t[m][p]),
                       CM_EOVERFLOW);
    }
    /* Each merge of distributions is tried on a copy first (one 8 KiB sketch
     * at a time), so a corrupt one leaves the accumulator as it was. */
    for (int i = 0; i < NDIST; i++) {
        cm_sketch trial = *dist_at_c(acc, i);
        CM_TRY(cm_sketch_merge(&trial, dist_at_c(other, i)));
    }
    memcpy(acc->tally, t, sizeof t);
    for (int i = 0; i < NDIST; i++) {
        if (cm_sketch_merge(dist_at(acc, i), dist_at_c(other, i)) != CM_OK)
            return CM_EINVAL; /* unreachable: the same merge succeeded above */
    }
    return CM_OK;
}

cm_status cm_sla_attainment_result(const cm_sla_attainment *acc, uint32_t metric, uint32_t priority,
                                   double confidence, cm_sla_attainment_summary *out)
{
    CM_REQUIRE(acc != NULL && out != NULL && metric < CM_SLA_METRIC_COUNT, CM_EINVAL);
    CM_REQUIRE(priority == CM_SLA_PRIORITY_ALL ||
                   (priority >= CM_SLA_PRIORITY_LOW && priority <= CM_SLA_PRIORITY_URGENT),
               CM_EINVAL);
    CM_REQUIRE(cm__valid_confidence(confidence), CM_EINVAL);
    CM_REQUIRE(attainment_valid(acc), CM_EINVAL);
    cm_sla_tally sum;
    memset(&sum, 0, sizeof sum);
    cm_sketch dist;
    memset(&dist, 0, sizeof dist);
    const bool has_dist = dist_of(acc, metric, 0) != NULL;
    for (uint32_t p = CM_SLA_PRIORITY_LOW; p <= CM_SLA_PRIORITY_URGENT; p++) {
        if (priority != CM_SLA_PRIORITY_ALL && priority != p)
            continue;
        CM_REQUIRE(tally_merge(&sum, &acc->tally[metric][p - 1]), CM_EOVERFLOW);
        if (has_dist)
            CM_TRY(cm_sketch_merge(&dist, dist_of(acc, metric, (int)p - 1)));
    }
    cm_sla_attainment_summary s;
    CM_TRY(cm__sla_summary(&sum, confidence, &s));
    if (has_dist && dist.n > 0) {
        static const double qs[3] = {0.5, 0.9, 0.99};
        double v[3];
        CM_TRY(cm_sketch_quantiles(&dist, qs, 3, v));
        s.has_quantiles = true;
        s.p50_seconds = v[0];
        s.p90_seconds = v[1];
        s.p99_seconds = v[2];
    }
    *out = s;
    return CM_OK;
}

/*
 * Bytes: frame header, 4 zero bytes; per metric and priority (low .. urgent)
 * achieved, breached, open, elapsed n, total, min, max as u64 (two's
 * complement for the signed ones); then the 8 distributions (first reply
 * low..urgent, total resolution low..urgent), each a u32 length and the
 * sketch's own bytes; CRC.
 */
static int64_t i64_from_u64(uint64_t u)
{
    return u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
}

/* Serialized size of one sketch (its own function validates it). */
static cm_status sketch_size(const cm_sketch *s, size_t *size)
{
    uint8_t probe = 0;
    const cm_status st = cm_sketch_serialize(s, &probe, 0, size);
    return st == CM_ENOSPC ? CM_OK : (st == CM_OK ? CM_EINVAL : st);
}

cm_status cm_sla_attainment_serialize(const cm_sla_attainment *acc, uint8_t *buf, size_t cap,
                                      size_t *written)
{
    CM_REQUIRE(acc != NULL && buf != NULL && written != NULL, CM_EINVAL);
    CM_REQUIRE(attainment_valid(acc), CM_EINVAL);
    size_t sizes[NDIST];
    size_t total = COUNTS_BYTES + CM__SERIAL_TRAILER;
    for (int i = 0; i < NDIST; i++) {
        CM_TRY(sketch_size(dist_at_c(acc, i), &sizes[i]));
        total += 4 + sizes[i];
    }
    if (cap < total) {
        *written = total;
        return CM_ENOSPC;
    }
    cm__serial_begin(buf, CM__SERIAL_SLA_ATTAINMENT, SLA_SERIAL_VERSION);
    memset(buf + 4, 0, 4);
    uint8_t *q = buf + 8;
    for (int m = 0; m < CM_SLA_METRIC_COUNT; m++) {
        for (int p = 0; p < CM_SLA_PRIORITY_LEVELS; p++) {
            cm__sla_put_tally(q, &acc->tally[m][p]);
            q += TALLY_BYTES;
        }
    }
    for (int i = 0; i < NDIST; i++) {
        size_t w = 0;
        cm__put_u32le(q, (uint32_t)sizes[i]);
        CM_TRY(cm_sketch_serialize(dist_at_c(acc, i), q + 4, sizes[i], &w));
        q += 4 + sizes[i];
    }
    cm__serial_end(buf, total);
    *written = total;
    return CM_OK;
}

cm_status cm_sla_attainment_deserialize(const uint8_t *buf, size_t len, cm_sla_attainment *out)
{
    CM_REQUIRE(buf != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(len >= COUNTS_BYTES + CM__SERIAL_TRAILER && len <= CM_SLA_ATTAINMENT_SERIALIZED_MAX,
               CM_EPARSE);
    CM_REQUIRE(cm__serial_check(buf, len, len, CM__SERIAL_SLA_ATTAINMENT, SLA_SERIAL_VERSION) &&
                   buf[4] == 0 && buf[5] == 0 && buf[6] == 0 && buf[7] == 0,
               CM_EPARSE);
    tallies t;
    const uint8_t *q = buf + 8;
    for (int m = 0; m < CM_SLA_METRIC_COUNT; m++) {
        for (int p = 0; p < CM_SLA_PRIORITY_LEVELS; p++) {
            CM_REQUIRE(cm__sla_get_tally(q, &t[m][p]), CM_EPARSE);
            q += TALLY_BYTES;
        }
    }
    /* First check every distribution (one sketch-sized scratch on the stack),
     * then write: the output stays untouched on error. */
    const uint8_t *end = buf + len - CM__SERIAL_TRAILER;
    size_t at[NDIST], size[NDIST];
    for (int i = 0; i < NDIST; i++) {
        CM_REQUIRE(end - q >= 4, CM_EPARSE);
        size[i] = cm__get_u32le(q);
        at[i] = (size_t)(q + 4 - buf);
        CM_REQUIRE((size_t)(end - (q + 4)) >= size[i], CM_EPARSE);
        cm_sketch d;
        CM_REQUIRE(cm_sketch_deserialize(q + 4, size[i], &d) == CM_OK, CM_EPARSE);
        const int m = i < CM_SLA_PRIORITY_LEVELS ? CM_SLA_FIRST_REPLY : CM_SLA_TOTAL_RESOLUTION;
        CM_REQUIRE(d.n == t[m][i % CM_SLA_PRIORITY_LEVELS].elapsed.n, CM_EPARSE);
        q += 4 + size[i];
    }
    CM_REQUIRE(q == end, CM_EPARSE);
    memcpy(out->tally, t, sizeof t);
    for (int i = 0; i < NDIST; i++) {
        if (cm_sketch_deserialize(buf + at[i], size[i], dist_at(out, i)) != CM_OK)
            return CM_EPARSE; /* unreachable: the same bytes were read above */
    }
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Names and ABI queries                                                  */
/* ---------------------------------------------------------------------- */

const char *cm_sla_metric_name(uint32_t metric)
{
    return metric < CM_SLA_METRIC_COUNT ? cm__sla_metric_names[metric] : "unknown";
}

const char *cm_sla_priority_name(uint32_t priority)
{
    return priority < CM_SLA_PRIORITY_COUNT ? cm__sla_priority_names[priority] : "unknown";
}

const char *cm_sla_status_name(uint32_t status)
{
    return status < CM_SLA_STATUS_COUNT ? cm__sla_status_names[status] : "unknown";
}

const char *cm_sla_state_name(uint32_t state)
{
    static const char *const names[] = {"not-applicable", "active", "paused", "achieved",
                                        "breached"};
    return state < sizeof names / sizeof names[0] ? names[state] : "unknown";
}

size_t cm_sla_sizeof(const char *name)
{
    static const cm__named_size sizes[] = {
        CM__SIZE_OF(cm_sla_event),
        CM__SIZE_OF(cm_sla_metric_options),
        CM__SIZE_OF(cm_sla_target),
        CM__SIZE_OF(cm_sla_instance),
        CM__SIZE_OF(cm_sla_tally),
        CM__SIZE_OF(cm_sla_attainment),
        CM__SIZE_OF(cm_sla_attainment_summary),
        CM__SIZE_OF(cm_sla_condition),
        CM__SIZE_OF(cm_sla_goal),
        CM__SIZE_OF(cm_sla_policy_def),
        CM__SIZE_OF(cm_sla_trigger),
        CM__SIZE_OF(cm_sla_clock_def),
        CM__SIZE_OF(cm_sla_metric_rules),
        CM__SIZE_OF(cm_sla_policyset_spec),
        CM__SIZE_OF(cm_sla_ticket_event),
        CM__SIZE_OF(cm_sla_calendars),
        CM__SIZE_OF(cm_sla_record),
        CM__SIZE_OF(cm_sla_policyset_shape),
        CM__SIZE_OF(cm_sla_alarm),
        CM__SIZE_OF(cm_sla_import_options),
    };
    return cm__lookup_size(sizes, CM__COUNT_OF(sizes), name);
}

cm_status cm_sla_constant(const char *name, int64_t *out)
{
    static const cm__named_int constants[] = {
        CM__INT_OF(CM_SLA_METRIC_COUNT),
        CM__INT_OF(CM_SLA_PRIORITY_COUNT),
        CM__INT_OF(CM_SLA_PRIORITY_LEVELS),
        CM__INT_OF(CM_SLA_PRIORITY_ALL),
        CM__INT_OF(CM_SLA_STATUS_COUNT),
        CM__INT_OF(CM_SLA_EVENT_AUTOMATED),
        CM__INT_OF(CM_SLA_EVENT_BY_AGENT),
        CM__INT_OF(CM_SLA_CALENDAR_TIME),
        CM__INT_OF(CM_SLA_MAX_TARGET_SECONDS),
        CM__INT_OF(CM_SLA_MAX_CALENDARS),
        CM__INT_OF(CM_SLA_POLICY_NO_AUTO_OPEN),
        CM__INT_OF(CM_SLA_NO_TIME),
        CM__INT_OF(CM_SLA_ATTAINMENT_SERIALIZED_MAX),
    };
    return cm__lookup_int(constants, CM__COUNT_OF(constants), name, out);
}
