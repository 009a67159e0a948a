/*
 * SLA clocks rebuilt from a ticket's event log, and attainment accumulators.
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

/*
 * Every clock operation goes through these two functions: calendar time is
 * plain arithmetic; business time asks the calendar, whose elapsed() and add()
 * are exact inverses (add(t, n) is the earliest t' with elapsed(t, t') == n),
 * which is what makes elapsed == target hold exactly at the due instant.
 */
static cm_status clock_elapsed(const cm_calendar *const *cals, int32_t cal, cm_time a, cm_time b,
                               int64_t *out)
{
    if (cal == CM_SLA_CALENDAR_TIME) {
        *out = b - a; /* both within SLA_TIME_MIN .. SLA_TIME_MAX */
        return CM_OK;
    }
    return cm_calendar_elapsed(cals[cal], a, b, out);
}

/* The instant n clock seconds after t; false when the clock never gets there. */
static bool clock_add(const cm_calendar *const *cals, int32_t cal, cm_time t, int64_t n,
                      cm_time *out)
{
    if (cal == CM_SLA_CALENDAR_TIME)
        return !__builtin_add_overflow(t, n, out);
    return cm_calendar_add(cals[cal], t, n, out) == CM_OK;
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
 * because the priority, and with it the target and its clock, may change
 * until the instance stops. For each priority the segment in which the
 * elapsed time reached that priority's target is remembered, so the due
 * instant is one add() on the final priority's clock, computed only when the
 * instance is reported.
 */
typedef struct slot {
    uint8_t phase;
    bool in_seg;         /* running and not paused: a segment is open */
    bool seg_at_stop;    /* a segment was open when the instance stopped */
    uint8_t prio_stop;   /* priority at the stop */
    uint8_t crossed;     /* bit p: the target of priority p was reached */
    uint32_t cycle;      /* 1-based instance number */
    cm_time start, stop; /* stop is CM_SLA_NO_TIME while running */
    cm_time seg_start;   /* start of the open segment */
    cm_time stop_from;   /* due at the stop = add(stop_from, stop_n) ... */
    int64_t stop_n;      /* ... when the target was not reached */
    int64_t before[SLA_MAX_KEYS];
    cm_time cross_from[CM_SLA_PRIORITY_COUNT]; /* due = add(cross_from[p], cross_n[p]) */
    int64_t cross_n[CM_SLA_PRIORITY_COUNT];
} slot;

typedef struct replay {
    const cm_sla_policy *pol;
    const cm_calendar *const *cals;
    bool compute; /* false: only count the records (first pass) */
    cm_time now;
    uint8_t status, priority;
    bool agent_replied; /* a public agent message exists: customer messages start next replies */
    cm_status err;      /* first failure of a calendar, reported at the end */
    slot s[CM_SLA_METRIC_COUNT];
    size_t emitted[CM_SLA_METRIC_COUNT]; /* finished instances written so far */
    size_t offset[CM_SLA_METRIC_COUNT];  /* first record of each metric in out */
    cm_sla_instance *out;
} replay;

static bool is_solved(uint8_t status)
{
    return status == CM_SLA_STATUS_SOLVED || status == CM_SLA_STATUS_CLOSED;
}

static bool paused(const replay *r, int m)
{
    return (r->pol->options[m].pause & CM_SLA_PAUSE(r->status)) != 0;
}

static void note_error(replay *r, cm_status st)
{
    if (r->err == CM_OK)
        r->err = st;
}

static void seg_open(replay *r, int m, cm_time t)
{
    r->s[m].in_seg = true;
    r->s[m].seg_start = t;
}

/* Closes the open segment [seg_start, t): adds its length in every clock of
 * the metric and notes, per priority, the segment where the target is reached. */
static void seg_close(replay *r, int m, cm_time t)
{
    slot *sl = &r->s[m];
    sl->in_seg = false;
    if (!r->compute)
        return;
    const cm_sla_policy *p = r->pol;
    for (uint8_t k = 0; k < p->nkeys[m]; k++) {
        int64_t e = 0;
        const cm_status st = clock_elapsed(r->cals, p->key_calendar[m][k], sl->seg_start, t, &e);
        if (st != CM_OK) {
            note_error(r, st);
            e = 0;
        }
        for (int pr = CM_SLA_PRIORITY_LOW; pr < CM_SLA_PRIORITY_COUNT; pr++) {
            const int64_t target = p->seconds[m][pr];
            if (p->key_of[m][pr] != k || (sl->crossed & (1u << pr)))
                continue;
            if (sl->before[k] < target && target - sl->before[k] <= e) {
                sl->crossed = (uint8_t)(sl->crossed | (1u << pr));
                sl->cross_from[pr] = sl->seg_start;
                sl->cross_n[pr] = target - sl->before[k];
            }
        }
        if (__builtin_add_overflow(sl->before[k], e, &sl->before[k]))
            note_error(r, CM_EOVERFLOW);
    }
}

/* The record of an instance as of r->now. */
static cm_sla_instance report(replay *r, int m)
{
    const cm_sla_policy *p = r->pol;
    const slot *sl = &r->s[m];
    cm_sla_instance in;
    memset(&in, 0, sizeof in);
    in.metric = (uint32_t)m;
    in.cycle = sl->cycle;
    in.start = sl->start;
    const bool running = sl->phase == PHASE_RUNNING;
    const uint8_t prio = running ? r->priority : sl->prio_stop;
    in.priority = prio;
    in.stop = running ? CM_SLA_NO_TIME : sl->stop;
    in.calendar = CM_SLA_CALENDAR_TIME;
    in.due = CM_SLA_NO_TIME;
    in.breach = CM_SLA_NO_TIME;
    const uint8_t k = p->key_of[m][prio];
    if (k == SLA_NO_KEY) {
        in.state = CM_SLA_NOT_APPLICABLE;
        return in;
    }
    const int64_t target = p->seconds[m][prio];
    const int32_t cal = p->key_calendar[m][k];
    int64_t elapsed = sl->before[k];
    bool have_due = false;
    cm_time from = 0;
    int64_t n = 0;
    if (sl->crossed & (1u << prio)) {
        have_due = true;
        from = sl->cross_from[prio];
        n = sl->cross_n[prio];
    }
    if (running && sl->in_seg) {
        int64_t e = 0;
        const cm_status st = clock_elapsed(r->cals, cal, sl->seg_start, r->now, &e);
        if (st != CM_OK)
            note_error(r, st);
        else if (__builtin_add_overflow(elapsed, e, &elapsed))
            note_error(r, CM_EOVERFLOW);
        if (!have_due) {
            /* Not reached before this segment: due where this segment reaches it,
             * past or future. */
            have_due = true;
            from = sl->seg_start;
            n = target - sl->before[k];
        }
    } else if (!running && !have_due && sl->seg_at_stop) {
        have_due = true;
        from = sl->stop_from;
        n = sl->stop_n;
    }
    if (have_due && !clock_add(r->cals, cal, from, n, &in.due))
        in.due = CM_SLA_NO_TIME; /* the calendar never accumulates that much time */
    in.calendar = cal;
    in.target = target;
    in.elapsed = elapsed;
    in.remaining = target - elapsed;
    in.breached = elapsed > target;
    in.breach = in.breached ? in.due : CM_SLA_NO_TIME;
    if (running)
        in.state = sl->in_seg ? CM_SLA_ACTIVE : CM_SLA_PAUSED;
    else
        in.state = in.breached ? CM_SLA_BREACHED : CM_SLA_ACHIEVED;
    return in;
}

/* Writes (or, in the counting pass, counts) the current instance of a metric as final. */
static void emit(replay *r, int m)
{
    if (r->pol->nkeys[m] == 0)
        return; /* not measured: one not-applicable record at the end */
    if (r->compute)
        r->out[r->offset[m] + r->emitted[m]] = report(r, m);
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
    sl->prio_stop = 0;
    sl->crossed = 0;
    sl->start = t;
    sl->stop = CM_SLA_NO_TIME;
    for (int k = 0; k < SLA_MAX_KEYS; k++)
        sl->before[k] = 0;
    if (!paused(r, m))
        seg_open(r, m, t);
}

static void stop(replay *r, int m, cm_time t, uint8_t phase)
{
    slot *sl = &r->s[m];
    const uint8_t k = r->pol->key_of[m][r->priority];
    sl->prio_stop = r->priority;
    sl->seg_at_stop = sl->in_seg;
    if (sl->in_seg) {
        if (k != SLA_NO_KEY) {
            sl->stop_from = sl->seg_start;
            sl->stop_n = r->pol->seconds[m][r->priority] - sl->before[k];
        }
        seg_close(r, m, t);
    }
    sl->phase = phase;
    sl->stop = t;
}

/* Leaving solved or closed: each clock the solve stopped follows its metric's rule. */
static void reopen(replay *r, cm_time t)
{
    for (int m = 0; m < CM_SLA_METRIC_COUNT; m++) {
        slot *sl = &r->s[m];
        if (sl->phase != PHASE_SOLVED)
            continue;
        switch (r->pol->options[m].reopen) {
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
}

static void set_status(replay *r, cm_time t, uint8_t status)
{
    const uint8_t old = r->status;
    if (status == old)
        return;
    r->status = status;
    if (is_solved(status)) {
        if (!is_solved(old)) {
            for (int m = 0; m < CM_SLA_METRIC_COUNT; m++) {
                if (r->s[m].phase == PHASE_RUNNING)
                    stop(r, m, t, PHASE_SOLVED);
            }
        }
        return;
    }
    if (is_solved(old)) {
        reopen(r, t);
        return;
    }
    for (int m = 0; m < CM_SLA_METRIC_COUNT; m++) {
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

static void on_created(replay *r, const cm_sla_event *e)
{
    r->status = CM_SLA_STATUS_NEW;
    r->priority = (uint8_t)e->value;
    if (e->flags & CM_SLA_EVENT_BY_AGENT) {
        /* An agent wrote first: nothing to answer yet, an update is owed. */
        r->agent_replied = true;
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
    if (!(r->pol->flags & CM_SLA_POLICY_NO_AUTO_OPEN) &&
        (r->status == CM_SLA_STATUS_PENDING || r->status == CM_SLA_STATUS_ON_HOLD ||
         is_solved(r->status)))
        set_status(r, e->at, CM_SLA_STATUS_OPEN);
    if (is_solved(r->status))
        return;
    /* Messages while a reply is owed belong to that reply's clock, which
     * started at the oldest of them. */
    if (r->agent_replied && r->s[CM_SLA_FIRST_REPLY].phase != PHASE_RUNNING &&
        r->s[CM_SLA_NEXT_REPLY].phase != PHASE_RUNNING)
        start(r, CM_SLA_NEXT_REPLY, e->at, true);
}

static void on_agent_reply(replay *r, const cm_sla_event *e)
{
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

static void apply(replay *r, const cm_sla_event *e)
{
    const bool automated = (e->flags & CM_SLA_EVENT_AUTOMATED) != 0;
    switch (e->type) {
    case CM_SLA_EVENT_CREATED:
        on_created(r, e);
        break;
    case CM_SLA_EVENT_PRIORITY:
        r->priority = (uint8_t)e->value;
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
        set_status(r, e->at, (uint8_t)e->value);
        break;
    case CM_SLA_EVENT_REOPEN:
        if (is_solved(r->status))
            set_status(r, e->at, CM_SLA_STATUS_OPEN);
        break;
    default: /* agent notes: no clock sees them */
        break;
    }
}

/* Order of application of events at the same instant. */
enum { RANK_COUNT = 6 };
static int rank_of(uint16_t type)
{
    switch (type) {
    case CM_SLA_EVENT_CREATED:
        return 0;
    case CM_SLA_EVENT_PRIORITY:
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
static void run(replay *r, const cm_sla_event *events, size_t nevents)
{
    size_t i = 0;
    while (i < nevents && events[i].at <= r->now) {
        size_t j = i + 1;
        while (j < nevents && events[j].at == events[i].at)
            j++;
        for (int rank = 0; rank < RANK_COUNT; rank++) {
            for (size_t k = i; k < j; k++) {
                if (rank_of(events[k].type) == rank)
                    apply(r, &events[k]);
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
static cm_status check_events(const cm_sla_event *events, size_t nevents, cm_time now,
                              cm_time *created)
{
    size_t ncreated = 0;
    bool out_of_range = now < SLA_TIME_MIN || now > SLA_TIME_MAX;
    for (size_t i = 0; i < nevents; i++) {
        const cm_sla_event *e = &events[i];
        CM_REQUIRE(event_valid(e), CM_EINVAL);
        CM_REQUIRE(i == 0 || e->at >= events[i - 1].at, CM_EINVAL);
        out_of_range = out_of_range || e->at < SLA_TIME_MIN || e->at > SLA_TIME_MAX;
        if (e->type == CM_SLA_EVENT_CREATED) {
            ncreated++;
            *created = e->at;
        }
    }
    CM_REQUIRE(ncreated == 1, CM_EINVAL);
    /* Sorted, so nothing precedes creation when it shares the first instant. */
    CM_REQUIRE(*created == events[0].at, CM_EINVAL);
    CM_REQUIRE(!out_of_range, CM_ERANGE);
    CM_REQUIRE(now >= *created, CM_EINVAL);
    return CM_OK;
}

static void replay_init(replay *r, const cm_sla_policy *policy, const cm_calendar *const *cals,
                        cm_time now, bool compute)
{
    /* The slots need only their phase and cycle: start() sets the rest. */
    memset(r, 0, offsetof(replay, s));
    for (int m = 0; m < CM_SLA_METRIC_COUNT; m++) {
        r->s[m].phase = PHASE_NONE;
        r->s[m].cycle = 0;
        r->emitted[m] = 0;
    }
    r->out = NULL;
    r->pol = policy;
    r->cals = cals;
    r->now = now;
    r->compute = compute;
}

cm_status cm_sla_evaluate(const cm_sla_policy *policy, const cm_calendar *const *calendars,
                          size_t ncalendars, const cm_sla_event *events, size_t nevents,
                          cm_time now, cm_sla_instance *out, size_t cap, size_t *count)
{
    CM_REQUIRE(policy != NULL && count != NULL && events != NULL && nevents > 0, CM_EINVAL);
    CM_REQUIRE((cap == 0 || out != NULL) && (ncalendars == 0 || calendars != NULL), CM_EINVAL);
    cm_time created = 0;
    CM_TRY(check_events(events, nevents, now, &created));

    /* Every calendar the policy names must be there and able to measure the
     * whole span: the second pass then only measures parts of that span. */
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
        int64_t span;
        CM_TRY(clock_elapsed(calendars, (int32_t)c, created, now, &span));
    }

    /* First pass: the records needed. The instances a log creates depend on
     * the events alone, never on time arithmetic. */
    replay r;
    replay_init(&r, policy, calendars, now, false);
    run(&r, events, nevents);
    size_t needed = 0;
    size_t offset[CM_SLA_METRIC_COUNT];
    for (int m = 0; m < CM_SLA_METRIC_COUNT; m++) {
        offset[m] = needed;
        needed += r.emitted[m] + 1; /* finished instances + the current one (or n/a) */
    }
    if (needed > cap) {
        *count = needed;
        return CM_ENOSPC;
    }

    /* Second pass: the same replay with the clocks. */
    replay_init(&r, policy, calendars, now, true);
    memcpy(r.offset, offset, sizeof offset);
    r.out = out;
    run(&r, events, nevents);
    for (int m = 0; m < CM_SLA_METRIC_COUNT; m++) {
        if (policy->nkeys[m] == 0 || r.s[m].phase == PHASE_NONE) {
            cm_sla_instance na;
            memset(&na, 0, sizeof na);
            na.metric = (uint32_t)m;
            na.state = CM_SLA_NOT_APPLICABLE;
            na.priority = r.priority;
            na.calendar = CM_SLA_CALENDAR_TIME;
            na.start = na.stop = na.due = na.breach = CM_SLA_NO_TIME;
            out[offset[m] + r.emitted[m]] = na;
        } else {
            out[offset[m] + r.emitted[m]] = report(&r, m);
        }
    }
    CM_TRY(r.err);
    *count = needed;
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

static bool instance_valid(const cm_sla_instance *in)
{
    if (in->metric >= CM_SLA_METRIC_COUNT || in->state > CM_SLA_BREACHED)
        return false;
    if (in->state == CM_SLA_NOT_APPLICABLE)
        return true;
    return in->priority >= CM_SLA_PRIORITY_LOW && in->priority <= CM_SLA_PRIORITY_URGENT &&
           in->elapsed >= 0 && (in->state != CM_SLA_ACHIEVED || !in->breached) &&
           (in->state != CM_SLA_BREACHED || in->breached);
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
        cm_sla_tally *x = &copy[slot_of[key]];
        bool ok;
        if (stopped(in))
            ok = add_u64(in->breached ? &x->breached : &x->achieved, 1) &&
                 cm_art_add(&x->elapsed, in->elapsed) == CM_OK;
        else
            ok = add_u64(in->breached ? &x->breached : &x->open, 1);
        CM_REQUIRE(ok && tally_valid(x), CM_EOVERFLOW);
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
    uint64_t den;
    CM_REQUIRE(!__builtin_add_overflow(sum.achieved, sum.breached, &den), CM_EOVERFLOW);
    cm_sla_attainment_summary s;
    memset(&s, 0, sizeof s);
    s.achieved = sum.achieved;
    s.breached = sum.breached;
    s.open = sum.open;
    CM_TRY(cm_rate(sum.achieved, den, confidence, &s.attained));
    if (sum.elapsed.n > 0)
        CM_TRY(cm_art_result(&sum.elapsed, &s.elapsed));
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
            const cm_sla_tally *t = &acc->tally[m][p];
            cm__put_u64le(q, t->achieved);
            cm__put_u64le(q + 8, t->breached);
            cm__put_u64le(q + 16, t->open);
            cm__put_u64le(q + 24, t->elapsed.n);
            cm__put_u64le(q + 32, (uint64_t)t->elapsed.total_seconds);
            cm__put_u64le(q + 40, (uint64_t)t->elapsed.min_seconds);
            cm__put_u64le(q + 48, (uint64_t)t->elapsed.max_seconds);
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
            cm_sla_tally *x = &t[m][p];
            x->achieved = cm__get_u64le(q);
            x->breached = cm__get_u64le(q + 8);
            x->open = cm__get_u64le(q + 16);
            x->elapsed.n = cm__get_u64le(q + 24);
            x->elapsed.total_seconds = i64_from_u64(cm__get_u64le(q + 32));
            x->elapsed.min_seconds = i64_from_u64(cm__get_u64le(q + 40));
            x->elapsed.max_seconds = i64_from_u64(cm__get_u64le(q + 48));
            CM_REQUIRE(tally_valid(x), CM_EPARSE);
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
    static const struct {
        const char *name;
        size_t size;
    } sizes[] = {
        {"cm_sla_event", sizeof(cm_sla_event)},
        {"cm_sla_metric_options", sizeof(cm_sla_metric_options)},
        {"cm_sla_target", sizeof(cm_sla_target)},
        {"cm_sla_instance", sizeof(cm_sla_instance)},
        {"cm_sla_tally", sizeof(cm_sla_tally)},
        {"cm_sla_attainment", sizeof(cm_sla_attainment)},
        {"cm_sla_attainment_summary", sizeof(cm_sla_attainment_summary)},
    };
    if (name == NULL)
        return 0;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        if (strcmp(sizes[i].name, name) == 0)
            return sizes[i].size;
    }
    return 0;
}

cm_status cm_sla_constant(const char *name, int64_t *out)
{
#define SLA_CONSTANT(macro)      \
    {                            \
#macro, (int64_t)(macro) \
    }
    static const struct {
        const char *name;
        int64_t value;
    } constants[] = {
        SLA_CONSTANT(CM_SLA_METRIC_COUNT),
        SLA_CONSTANT(CM_SLA_PRIORITY_COUNT),
        SLA_CONSTANT(CM_SLA_PRIORITY_LEVELS),
        SLA_CONSTANT(CM_SLA_PRIORITY_ALL),
        SLA_CONSTANT(CM_SLA_STATUS_COUNT),
        SLA_CONSTANT(CM_SLA_EVENT_AUTOMATED),
        SLA_CONSTANT(CM_SLA_EVENT_BY_AGENT),
        SLA_CONSTANT(CM_SLA_CALENDAR_TIME),
        SLA_CONSTANT(CM_SLA_MAX_TARGET_SECONDS),
        SLA_CONSTANT(CM_SLA_MAX_CALENDARS),
        SLA_CONSTANT(CM_SLA_POLICY_NO_AUTO_OPEN),
        SLA_CONSTANT(CM_SLA_NO_TIME),
        SLA_CONSTANT(CM_SLA_ATTAINMENT_SERIALIZED_MAX),
    };
#undef SLA_CONSTANT
    CM_REQUIRE(name != NULL && out != NULL, CM_EINVAL);
    for (size_t i = 0; i < sizeof constants / sizeof constants[0]; i++) {
        if (strcmp(constants[i].name, name) == 0) {
            *out = constants[i].value;
            return CM_OK;
        }
    }
    return CM_ENOTFOUND;
}
