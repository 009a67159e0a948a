/*
 * The SLA policy object, shared by lib/sla-policy.c (construction, text
 * parser) and lib/sla.c (replay, attainment); the compiled plan that the
 * replay reads, shared with the policy sets of lib/sla-policyset.c; never
 * installed.
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_SLA_INTERNAL_H
#define CAREMETRICS_SLA_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <caremetrics/sla.h>

/* A clock: calendar time (CM_SLA_CALENDAR_TIME) or a calendar index. */
#define SLA_MAX_KEYS  CM_SLA_PRIORITY_LEVELS
#define SLA_NO_KEY    UINT8_MAX
#define SLA_NO_TARGET 0

/* Statuses that may pause a clock. */
#define SLA_PAUSABLE                                                      \
    (CM_SLA_PAUSE(CM_SLA_STATUS_NEW) | CM_SLA_PAUSE(CM_SLA_STATUS_OPEN) | \
     CM_SLA_PAUSE(CM_SLA_STATUS_PENDING) | CM_SLA_PAUSE(CM_SLA_STATUS_ON_HOLD))

/* ---------------------------------------------------------------------- */
/* The compiled plan the replay reads                                     */
/* ---------------------------------------------------------------------- */

/*
 * Metrics are replayed in slots: the six of cm_sla_metric, then group
 * ownership, then the custom clocks of a policy set.
 */
#define SLA_GROUP_SLOT   CM_SLA_METRIC_COUNT
#define SLA_CUSTOM_SLOT  (CM_SLA_METRIC_COUNT + 1)
#define SLA_MAX_SLOTS    (SLA_CUSTOM_SLOT + CM_SLA_MAX_CUSTOM_METRICS)
#define SLA_PLAN_KEYS    8  /* distinct clocks of one metric */
#define SLA_MAX_MARKS    64 /* distinct (clock, seconds) thresholds of one metric */
#define SLA_MAX_ATTRS    CM_SLA_MAX_DIMENSIONS
#define SLA_MAX_VALUES   64 /* values named in conditions, per attribute */
#define SLA_MAX_TAGS     64 /* tags named in conditions */
#define SLA_MAX_STATUSES 64 /* custom statuses named in the set */
#define SLA_NO_NAME      UINT8_MAX

/* Kinds of clocks a target may run on. */
enum {
    SLA_CLOCK_REAL = CM_SLA_CLOCK_CALENDAR_TIME,
    SLA_CLOCK_CALENDAR = CM_SLA_CLOCK_BUSINESS,
    SLA_CLOCK_HISTORY = CM_SLA_CLOCK_HISTORY,
    SLA_CLOCK_TICKET = CM_SLA_CLOCK_TICKET_SCHEDULE,
};

typedef struct sla_clock {
    uint8_t kind;  /* SLA_CLOCK_* */
    uint8_t index; /* calendar or history index */
} sla_clock;

/* A target as the replay reads it. */
typedef struct sla_goal {
    int64_t seconds;
    uint8_t key;  /* index into the metric's clocks */
    uint8_t mark; /* the target's threshold among the metric's marks */
    uint8_t nwarn;
    uint8_t warn_mark[CM_SLA_MAX_WARNINGS];
    uint8_t warn_pct[CM_SLA_MAX_WARNINGS];
} sla_goal;

/*
 * One metric: its pause and reopen rules, the distinct clocks of its
 * targets, and its marks: every distinct (clock, seconds) at which a target
 * or a warning is reached. The replay notes where each mark is crossed, so
 * that any target's due instant and any warning's instant is one add() on
 * its clock when an instance is reported.
 */
typedef struct sla_metric_plan {
    uint32_t pause;       /* CM_SLA_PAUSE() mask over the status categories */
    uint64_t pause_names; /* bit i: custom status i pauses the metric */
    uint8_t reopen;       /* cm_sla_reopen */
    uint8_t nkeys, nmarks;
    bool measured;       /* at least one target names the metric */
    bool has_ticket_key; /* a clock follows the ticket's schedule */
    sla_clock key[SLA_PLAN_KEYS];
    uint8_t mark_key[SLA_MAX_MARKS];
    int64_t mark_seconds[SLA_MAX_MARKS];
} sla_metric_plan;

typedef struct sla_plan {
    uint32_t flags;        /* CM_SLA_POLICY_NO_AUTO_OPEN */
    uint8_t nslots;        /* metrics replayed: 6 for a policy, more for a set */
    uint8_t nlevels;       /* priority levels 1..nlevels */
    uint8_t agent_created; /* cm_sla_agent_created of first reply */
    uint32_t npolicies;    /* 1 for a policy */
    const sla_metric_plan *metric;
    /* goal_of[(policy * nslots + slot) * (nlevels + 1) + level]: a goal index + 1, or 0. */
    const uint16_t *goal_of;
    const sla_goal *goals;
    size_t ncalendars, nhistories; /* largest index named + 1 */
} sla_plan;

/* The goal of a slot under a policy at a priority level, or NULL. */
static inline const sla_goal *sla_goal_of(const sla_plan *p, uint32_t policy, int slot,
                                          uint32_t level)
{
    const uint16_t g =
        p->goal_of[((size_t)policy * p->nslots + (size_t)slot) * (p->nlevels + 1u) + level];
    return g == 0 ? NULL : &p->goals[g - 1];
}

struct cm_sla_policy {
    /* seconds[m][p]: target of metric m at priority p, SLA_NO_TARGET if none
     * (always none for CM_SLA_PRIORITY_NONE); calendar[m][p]: its clock. */
    int64_t seconds[CM_SLA_METRIC_COUNT][CM_SLA_PRIORITY_COUNT];
    int32_t calendar[CM_SLA_METRIC_COUNT][CM_SLA_PRIORITY_COUNT];
    cm_sla_metric_options options[CM_SLA_METRIC_COUNT];
    uint32_t flags;
    /* Derived: the distinct clocks of each metric's targets, so a replay
     * measures every running segment once per clock rather than per priority. */
    uint8_t nkeys[CM_SLA_METRIC_COUNT];
    int32_t key_calendar[CM_SLA_METRIC_COUNT][SLA_MAX_KEYS];
    uint8_t key_of[CM_SLA_METRIC_COUNT][CM_SLA_PRIORITY_COUNT]; /* SLA_NO_KEY: no target */
    size_t ncalendars;                                          /* largest index + 1 */
    /* Derived: the same policy as a plan for the replay (cm__sla_plan_policy). */
    sla_plan plan;
    sla_metric_plan plan_metric[CM_SLA_METRIC_COUNT];
    uint16_t plan_goal_of[CM_SLA_METRIC_COUNT * CM_SLA_PRIORITY_COUNT];
    sla_goal plan_goals[CM_SLA_METRIC_COUNT * CM_SLA_PRIORITY_LEVELS];
    cm_allocator alloc; /* copy of the caller's, when has_alloc */
    bool has_alloc;
};

/* Fills p->plan and the arrays behind it from the targets and options (lib/sla.c). */
void cm__sla_plan_policy(cm_sla_policy *p);

/* ---------------------------------------------------------------------- */
/* Policy sets (lib/sla-policyset.c builds them, lib/sla.c replays them)  */
/* ---------------------------------------------------------------------- */

enum { SLA_COND_ATTR, SLA_COND_PRIORITY, SLA_COND_STATUS, SLA_COND_TAGS };

/* A condition, compiled: masks over the set's interned names. */
typedef struct sla_cond {
    uint8_t kind;   /* SLA_COND_* */
    uint8_t op;     /* cm_sla_op */
    uint8_t attr;   /* SLA_COND_ATTR: the dimension */
    uint64_t mask;  /* values (attr), levels (priority), categories (status) or tags */
    uint64_t names; /* SLA_COND_STATUS: custom statuses */
    int64_t number;
} sla_cond;

/* A trigger of a custom clock, compiled. */
#define SLA_TRIG_PRIORITY UINT8_MAX /* `attr` of a trigger on the priority */
typedef struct sla_trig {
    uint8_t kind;   /* cm_sla_trigger_kind */
    uint8_t attr;   /* CM_SLA_ON_SET / _UNSET: a dimension or SLA_TRIG_PRIORITY */
    bool any;       /* CM_SLA_ON_SET without values */
    uint64_t mask;  /* categories, values or levels */
    uint64_t names; /* custom statuses */
} sla_trig;

typedef struct sla_policy_rt {
    const char *name;
    uint32_t kind;     /* cm_sla_policy_kind */
    uint32_t first, n; /* conditions conds[first .. first + n) */
} sla_policy_rt;

typedef struct sla_clock_rt {
    const char *name;
    uint32_t start, nstart, stop, nstop; /* trigs[] ranges */
    uint32_t pause, npause;              /* conds[] range */
} sla_clock_rt;

typedef struct sla_dim {
    const char *name;
    uint32_t nvalues;
    const char *values[SLA_MAX_VALUES];
} sla_dim;

struct cm_sla_policyset {
    cm_allocator alloc;
    bool own_alloc;   /* alloc was given (else malloc/free) */
    bool has_group;   /* a group policy exists: group ownership is reported */
    int8_t group_dim; /* the dimension named "group", or -1 */
    sla_plan plan;
    sla_metric_plan metric[SLA_MAX_SLOTS];
    uint32_t nlevels;
    const char *level_names[CM_SLA_MAX_LEVELS + 1];
    uint32_t npolicies;
    const sla_policy_rt *policies;
    const sla_cond *conds;
    uint32_t nclocks;
    sla_clock_rt clocks[CM_SLA_MAX_CUSTOM_METRICS];
    const sla_trig *trigs;
    uint32_t ndims;
    sla_dim dims[SLA_MAX_ATTRS];
    uint32_t ntags;
    const char *tags[SLA_MAX_TAGS];
    uint32_t nstatuses;
    const char *statuses[SLA_MAX_STATUSES];
    uint32_t nmetrics;    /* metrics reported by an evaluation */
    uint32_t fingerprint; /* CRC-32 of the shape: names of metrics, policies, levels, values */
};

/* The slot of a metric number in a set, or -1. */
static inline int sla_slot_of(const struct cm_sla_policyset *set, uint32_t metric)
{
    if (metric < CM_SLA_METRIC_COUNT)
        return (int)metric;
    if (metric == CM_SLA_GROUP_OWNERSHIP)
        return set->has_group ? SLA_GROUP_SLOT : -1;
    if (metric >= CM_SLA_CUSTOM_METRIC && metric - CM_SLA_CUSTOM_METRIC < set->nclocks)
        return SLA_CUSTOM_SLOT + (int)(metric - CM_SLA_CUSTOM_METRIC);
    return -1;
}

/* The metric number of a slot. */
static inline uint32_t sla_metric_of_slot(int slot)
{
    if (slot < SLA_GROUP_SLOT)
        return (uint32_t)slot;
    if (slot == SLA_GROUP_SLOT)
        return CM_SLA_GROUP_OWNERSHIP;
    return CM_SLA_CUSTOM_METRIC + (uint32_t)(slot - SLA_CUSTOM_SLOT);
}

/* Attainment helpers of lib/sla.c, shared with the breakdowns of lib/sla-breakdown.c. */
#define SLA_TALLY_BYTES 56 /* a tally's seven little-endian u64 */
bool cm__sla_record_valid(const cm_sla_instance *in, uint32_t min_level, uint32_t max_level);
bool cm__sla_tally_valid(const cm_sla_tally *t);
bool cm__sla_tally_merge(cm_sla_tally *t, const cm_sla_tally *o);   /* false on overflow */
bool cm__sla_tally_add(cm_sla_tally *x, const cm_sla_instance *in); /* false on overflow */
cm_status cm__sla_summary(const cm_sla_tally *sum, double confidence,
                          cm_sla_attainment_summary *out);
void cm__sla_put_tally(uint8_t *q, const cm_sla_tally *t);
bool cm__sla_get_tally(const uint8_t *q, cm_sla_tally *x); /* false when invalid */

/* Names shared by the parser and the name functions. */
extern const char *const cm__sla_metric_names[CM_SLA_METRIC_COUNT];
extern const char *const cm__sla_priority_names[CM_SLA_PRIORITY_COUNT];
extern const char *const cm__sla_status_names[CM_SLA_STATUS_COUNT];

/*
 * A duration of the policy texts: terms <digits><unit>, units d, h, m, s,
 * each at most once from the largest down, 1 s .. CM_SLA_MAX_TARGET_SECONDS;
 * days refused in business time. On failure returns false with the byte
 * offset of the error in *at and a static message.
 */
bool cm__sla_duration(const char *p, size_t len, bool business, int64_t *out, size_t *at,
                      const char **message);

/* Whether v compares with n as a condition's comparison operator says (::CM_SLA_OP_EQ ..
 * ::CM_SLA_OP_GE). */
static inline bool cm__sla_int_compare(uint32_t op, int64_t v, int64_t n)
{
    switch (op) {
    case CM_SLA_OP_EQ:
        return v == n;
    case CM_SLA_OP_NE:
        return v != n;
    case CM_SLA_OP_LT:
        return v < n;
    case CM_SLA_OP_LE:
        return v <= n;
    case CM_SLA_OP_GT:
        return v > n;
    default:
        return v >= n;
    }
}

#endif /* CAREMETRICS_SLA_INTERNAL_H */
