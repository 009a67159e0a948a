/*
 * SLA policy sets: ordered policies with conditions, custom clocks and
 * set-wide rules, built from a description (cm_sla_policyset_new) or parsed
 * from text (cm_sla_policyset_parse), and compiled into the plan the replay
 * of lib/sla.c reads. Grammar and rules: docs/sla.md, "Policy sets".
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/sla.h>

#include <stdlib.h>
#include <string.h>

#include "common-internal.h"
#include "sla-internal.h"

/* ---------------------------------------------------------------------- */
/* Durations (shared with the policy parser of lib/sla-policy.c)          */
/* ---------------------------------------------------------------------- */

static bool duration_fail(size_t *at, const char **message, size_t where, const char *why)
{
    *at = where;
    *message = why;
    return false;
}

bool cm__sla_duration(const char *p, size_t len, bool business, int64_t *out, size_t *at,
                      const char **message)
{
    static const char units[] = "dhms";
    static const int64_t scale[] = {86400, 3600, 60, 1};
    int64_t total = 0;
    int last = -1;
    size_t i = 0;
    if (len == 0)
        return duration_fail(at, message, 0, "expected a duration such as 4h or 1h30m");
    while (i < len) {
        const size_t start = i;
        int64_t v = 0;
        while (i < len && p[i] >= '0' && p[i] <= '9') {
            if (v > CM_SLA_MAX_TARGET_SECONDS)
                return duration_fail(at, message, start, "target longer than 100 years");
            v = v * 10 + (p[i] - '0');
            i++;
        }
        if (i == start)
            return duration_fail(at, message, i, "expected a number in the duration");
        if (i == len)
            return duration_fail(at, message, i, "expected a unit (d, h, m or s) after the number");
        const char *u = memchr(units, p[i], 4);
        if (u == NULL)
            return duration_fail(at, message, i, "unknown unit: use d, h, m or s");
        const int k = (int)(u - units);
        if (k <= last)
            return duration_fail(at, message, i,
                                 "duration units must run from d down to s, once each");
        if (k == 0 && business)
            return duration_fail(
                at, message, i,
                "days are ambiguous in business time: write hours (8h for a 09-17 day)");
        last = k;
        i++;
        if (v > CM_SLA_MAX_TARGET_SECONDS / scale[k] ||
            total + v * scale[k] > CM_SLA_MAX_TARGET_SECONDS)
            return duration_fail(at, message, start, "target longer than 100 years");
        total += v * scale[k];
    }
    if (total == 0)
        return duration_fail(at, message, 0, "a target must be longer than zero");
    *out = total;
    return true;
}

/* ---------------------------------------------------------------------- */
/* Building a set                                                         */
/* ---------------------------------------------------------------------- */

#define MAX_NAME      255
#define MAX_CLOCK     63
#define SLOTS_OF(n)   (SLA_CUSTOM_SLOT + (n))
#define ALIGN(n)      (((n) + 7u) & ~(size_t)7u)
#define LEVEL_BITS(n) ((uint32_t)((2u << (n)) - 1u)) /* levels 0 .. n */

static const char *const default_levels[] = {"low", "normal", "high", "urgent"};
static const char *const reopen_names[] = {"reactivate", "new-cycle", "restart"};

/* Which element of a description an error is about (the parser maps it to a line). */
enum {
    BLAME_SET,
    BLAME_PRIORITY, /* i: level name */
    BLAME_RULE,     /* i */
    BLAME_CLOCK,    /* i */
    BLAME_START,    /* i clock, j trigger */
    BLAME_STOP,     /* i clock, j trigger */
    BLAME_PAUSE,    /* i clock, j condition */
    BLAME_POLICY,   /* i */
    BLAME_COND,     /* i policy, j condition */
    BLAME_GOAL,     /* i policy, j goal */
};

typedef struct blame {
    int what;
    size_t i, j;
    const char *message;
} blame;

static cm_status fail(blame *b, int what, size_t i, size_t j, const char *message)
{
    b->what = what;
    b->i = i;
    b->j = j;
    b->message = message;
    return CM_EINVAL;
}

/* One block of memory, carved in order. */
typedef struct arena {
    unsigned char *base;
    size_t used, cap;
} arena;

static void *take(arena *a, size_t n)
{
    const size_t at = ALIGN(a->used);
    a->used = at + n;
    return a->base + at; /* the size computed beforehand covers every take */
}

static const char *keep(arena *a, const char *s)
{
    const size_t n = strlen(s) + 1;
    char *d = take(a, n);
    memcpy(d, s, n);
    return d;
}

static bool name_ok(const char *s, size_t max)
{
    if (s == NULL || s[0] == '\0')
        return false;
    return strlen(s) <= max;
}

static bool list_ok(const char *const *v, uint32_t n, uint32_t min)
{
    if (n < min || n > CM_SLA_MAX_ITEMS || (n > 0 && v == NULL))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        if (!name_ok(v[i], MAX_NAME))
            return false;
    }
    return true;
}

static int find(const char *const *names, uint32_t n, const char *s)
{
    for (uint32_t i = 0; i < n; i++) {
        if (strcmp(names[i], s) == 0)
            return (int)i;
    }
    return -1;
}

/* ---- sizes ------------------------------------------------------------------ */

static size_t strings_of(const char *const *v, uint32_t n)
{
    size_t s = 0;
    for (uint32_t i = 0; i < n; i++)
        s += ALIGN(strlen(v[i]) + 1);
    return s;
}

static size_t cond_strings(const cm_sla_condition *c)
{
    return ALIGN(strlen(c->attribute) + 1) + strings_of(c->values, c->nvalues);
}

static size_t trig_strings(const cm_sla_trigger *t)
{
    return (t->attribute != NULL ? ALIGN(strlen(t->attribute) + 1) : 0) +
           strings_of(t->values, t->nvalues);
}

/* ---- checks of the description before anything is allocated ------------------ */

static cm_status check_cond(const cm_sla_condition *c, blame *b, int what, size_t i, size_t j)
{
    if (!name_ok(c->attribute, MAX_NAME))
        return fail(b, what, i, j, "a condition needs an attribute name");
    if (c->op < CM_SLA_OP_IS || c->op > CM_SLA_OP_EXCLUDES)
        return fail(b, what, i, j, "unknown condition operator");
    const bool list = c->op == CM_SLA_OP_IS || c->op == CM_SLA_OP_IS_NOT ||
                      c->op == CM_SLA_OP_INCLUDES || c->op == CM_SLA_OP_EXCLUDES;
    if (list ? !list_ok(c->values, c->nvalues, 1) : c->nvalues != 0)
        return fail(b, what, i, j, "a condition's list of values is empty, too long or invalid");
    const bool cmp = c->op >= CM_SLA_OP_EQ && c->op <= CM_SLA_OP_GE;
    if (!cmp && c->number != 0)
        return fail(b, what, i, j, "only comparisons take a number");
    return CM_OK;
}

static cm_status check_trig(const cm_sla_trigger *t, blame *b, int what, size_t i, size_t j)
{
    if (t->kind < CM_SLA_ON_CREATED || t->kind > CM_SLA_ON_UNSET)
        return fail(b, what, i, j, "unknown trigger");
    const bool attr = t->kind == CM_SLA_ON_SET || t->kind == CM_SLA_ON_UNSET;
    if (attr ? !name_ok(t->attribute, MAX_NAME) : t->attribute != NULL)
        return fail(b, what, i, j, "set and unset triggers, and only they, name an attribute");
    const uint32_t min =
        t->kind == CM_SLA_ON_STATUS_ENTER || t->kind == CM_SLA_ON_STATUS_LEAVE ? 1 : 0;
    const bool takes = min == 1 || t->kind == CM_SLA_ON_SET;
    if (takes ? !list_ok(t->values, t->nvalues, min) : t->nvalues != 0)
        return fail(b, what, i, j, "a trigger's list of values is empty, too long or invalid");
    return CM_OK;
}

/* Checks pointers and counts and sums the bytes of the set. */
static cm_status check_spec(const cm_sla_policyset_spec *s, blame *b, size_t *size)
{
    size_t bytes = sizeof(cm_sla_policyset);
    if (s->reserved != 0 || (s->flags & ~CM_SLA_POLICY_NO_AUTO_OPEN) != 0)
        return fail(b, BLAME_SET, 0, 0, "unknown flag or non-zero reserved field");
    if ((s->priorities == NULL) != (s->npriorities == 0) || s->npriorities > CM_SLA_MAX_LEVELS)
        return fail(b, BLAME_SET, 0, 0, "between 1 and 15 priority names");
    if (s->nrules > CM_SLA_METRIC_COUNT + 1 || (s->nrules > 0 && s->rules == NULL) ||
        s->nclocks > CM_SLA_MAX_CUSTOM_METRICS || (s->nclocks > 0 && s->clocks == NULL) ||
        s->npolicies > CM_SLA_MAX_POLICIES || (s->npolicies > 0 && s->policies == NULL))
        return fail(b, BLAME_SET, 0, 0, "too many rules, clocks or policies");
    for (size_t i = 0; i < s->npriorities; i++) {
        if (!name_ok(s->priorities[i], MAX_NAME))
            return fail(b, BLAME_PRIORITY, i, 0, "a priority needs a name");
        bytes += ALIGN(strlen(s->priorities[i]) + 1);
    }
    for (size_t i = 0; i < s->nrules; i++) {
        const cm_sla_metric_rules *r = &s->rules[i];
        if (r->npause_statuses > CM_SLA_MAX_ITEMS ||
            !list_ok(r->pause_statuses, (uint32_t)r->npause_statuses, 0))
            return fail(b, BLAME_RULE, i, 0, "invalid list of pause statuses");
        bytes += strings_of(r->pause_statuses, (uint32_t)r->npause_statuses);
    }
    size_t nconds = 0, ntrigs = 0;
    for (size_t i = 0; i < s->nclocks; i++) {
        const cm_sla_clock_def *c = &s->clocks[i];
        if (!name_ok(c->name, MAX_CLOCK))
            return fail(b, BLAME_CLOCK, i, 0, "a clock needs a name of at most 63 bytes");
        if (c->nstart < 1 || c->nstart > CM_SLA_MAX_ITEMS || c->start == NULL || c->nstop < 1 ||
            c->nstop > CM_SLA_MAX_ITEMS || c->stop == NULL || c->npause > CM_SLA_MAX_ITEMS ||
            (c->npause > 0 && c->pause == NULL))
            return fail(b, BLAME_CLOCK, i, 0, "a clock needs 1 to 64 start and stop triggers");
        bytes += ALIGN(strlen(c->name) + 1);
        for (size_t j = 0; j < c->nstart; j++) {
            CM_TRY(check_trig(&c->start[j], b, BLAME_START, i, j));
            bytes += trig_strings(&c->start[j]);
        }
        for (size_t j = 0; j < c->nstop; j++) {
            CM_TRY(check_trig(&c->stop[j], b, BLAME_STOP, i, j));
            bytes += trig_strings(&c->stop[j]);
        }
        for (size_t j = 0; j < c->npause; j++) {
            CM_TRY(check_cond(&c->pause[j], b, BLAME_PAUSE, i, j));
            bytes += cond_strings(&c->pause[j]);
        }
        ntrigs += c->nstart + c->nstop;
        nconds += c->npause;
    }
    size_t ngoals = 0;
    for (size_t i = 0; i < s->npolicies; i++) {
        const cm_sla_policy_def *p = &s->policies[i];
        if (!name_ok(p->name, MAX_NAME))
            return fail(b, BLAME_POLICY, i, 0, "a policy needs a name");
        if (p->kind > CM_SLA_POLICY_GROUP || p->reserved != 0)
            return fail(b, BLAME_POLICY, i, 0, "unknown policy kind or non-zero reserved field");
        if (p->nconditions > CM_SLA_MAX_ITEMS || (p->nconditions > 0 && p->conditions == NULL) ||
            p->ngoals > CM_SLA_MAX_ITEMS || (p->ngoals > 0 && p->goals == NULL))
            return fail(b, BLAME_POLICY, i, 0, "at most 64 conditions and 64 targets a policy");
        bytes += ALIGN(strlen(p->name) + 1);
        for (size_t j = 0; j < p->nconditions; j++) {
            CM_TRY(check_cond(&p->conditions[j], b, BLAME_COND, i, j));
            bytes += cond_strings(&p->conditions[j]);
        }
        nconds += p->nconditions;
        ngoals += p->ngoals;
    }
    const size_t levels = (s->npriorities > 0 ? s->npriorities : 4) + 1;
    bytes += ALIGN(s->npolicies * sizeof(sla_policy_rt)) + ALIGN(nconds * sizeof(sla_cond)) +
             ALIGN(ntrigs * sizeof(sla_trig)) + ALIGN(ngoals * sizeof(sla_goal)) +
             ALIGN(s->npolicies * SLOTS_OF(s->nclocks) * levels * sizeof(uint16_t)) + 64;
    *size = bytes;
    return CM_OK;
}

/* ---- interning ---------------------------------------------------------------- */

typedef struct builder {
    cm_sla_policyset *set;
    arena a;
    blame *b;
    sla_cond *conds;
    uint32_t nconds;
    sla_trig *trigs;
    uint32_t ntrigs;
    sla_goal *goals;
    uint32_t ngoals;
    uint16_t *goal_of;
} builder;

static int intern_status(builder *bd, const char *name)
{
    cm_sla_policyset *set = bd->set;
    const int i = find(set->statuses, set->nstatuses, name);
    if (i >= 0 || set->nstatuses == SLA_MAX_STATUSES)
        return i;
    set->statuses[set->nstatuses] = keep(&bd->a, name);
    return (int)set->nstatuses++;
}

/* A status list as category and custom-status masks; false when there are too many statuses. */
static bool status_masks(builder *bd, const char *const *v, uint32_t n, uint64_t *cats,
                         uint64_t *names)
{
    *cats = *names = 0;
    for (uint32_t i = 0; i < n; i++) {
        const int c = find(cm__sla_status_names, CM_SLA_STATUS_COUNT, v[i]);
        if (c >= 0) {
            *cats |= UINT64_C(1) << c;
            continue;
        }
        const int k = intern_status(bd, v[i]);
        if (k < 0)
            return false;
        *names |= UINT64_C(1) << k;
    }
    return true;
}

static int intern_dim(builder *bd, const char *name)
{
    cm_sla_policyset *set = bd->set;
    for (uint32_t d = 0; d < set->ndims; d++) {
        if (strcmp(set->dims[d].name, name) == 0)
            return (int)d;
    }
    if (set->ndims == SLA_MAX_ATTRS)
        return -1;
    sla_dim *d = &set->dims[set->ndims];
    d->name = keep(&bd->a, name);
    d->nvalues = 0;
    if (strcmp(name, "group") == 0)
        set->group_dim = (int8_t)set->ndims;
    return (int)set->ndims++;
}

static bool value_mask(builder *bd, int dim, const char *const *v, uint32_t n, uint64_t *mask)
{
    sla_dim *d = &bd->set->dims[dim];
    *mask = 0;
    for (uint32_t i = 0; i < n; i++) {
        int k = find(d->values, d->nvalues, v[i]);
        if (k < 0) {
            if (d->nvalues == SLA_MAX_VALUES)
                return false;
            d->values[d->nvalues] = keep(&bd->a, v[i]);
            k = (int)d->nvalues++;
        }
        *mask |= UINT64_C(1) << k;
    }
    return true;
}

/* Priority names as a level mask (`none` is level 0); false for an unknown name. */
static bool level_mask(const cm_sla_policyset *set, const char *const *v, uint32_t n,
                       uint64_t *mask)
{
    *mask = 0;
    for (uint32_t i = 0; i < n; i++) {
        const int k =
            strcmp(v[i], "none") == 0 ? 0 : find(set->level_names, set->nlevels + 1, v[i]);
        if (k < 0)
            return false;
        *mask |= UINT64_C(1) << k;
    }
    return true;
}

static bool is_comparison(uint32_t op)
{
    return op >= CM_SLA_OP_EQ && op <= CM_SLA_OP_GE;
}

static cm_status compile_cond(builder *bd, const cm_sla_condition *c, int what, size_t i, size_t j)
{
    cm_sla_policyset *set = bd->set;
    sla_cond *o = &bd->conds[bd->nconds++];
    memset(o, 0, sizeof *o);
    o->op = (uint8_t)c->op;
    o->number = c->number;
    const bool tag_op = c->op == CM_SLA_OP_INCLUDES || c->op == CM_SLA_OP_EXCLUDES;
    if (strcmp(c->attribute, "tags") == 0) {
        if (!tag_op)
            return fail(bd->b, what, i, j, "tags take include or exclude");
        o->kind = SLA_COND_TAGS;
        for (uint32_t k = 0; k < c->nvalues; k++) {
            int t = find(set->tags, set->ntags, c->values[k]);
            if (t < 0) {
                if (set->ntags == SLA_MAX_TAGS)
                    return fail(bd->b, what, i, j, "more than 64 tags in the conditions");
                set->tags[set->ntags] = keep(&bd->a, c->values[k]);
                t = (int)set->ntags++;
            }
            o->mask |= UINT64_C(1) << t;
        }
        return CM_OK;
    }
    if (tag_op)
        return fail(bd->b, what, i, j, "include and exclude are for tags");
    if (strcmp(c->attribute, "status") == 0) {
        if (c->op != CM_SLA_OP_IS && c->op != CM_SLA_OP_IS_NOT)
            return fail(bd->b, what, i, j, "a status condition takes is or is-not");
        o->kind = SLA_COND_STATUS;
        if (!status_masks(bd, c->values, c->nvalues, &o->mask, &o->names))
            return fail(bd->b, what, i, j, "more than 64 custom statuses in the set");
        return CM_OK;
    }
    if (strcmp(c->attribute, "priority") == 0) {
        /* Every form becomes a mask over the levels. */
        o->kind = SLA_COND_PRIORITY;
        uint64_t m = 0;
        if (c->op == CM_SLA_OP_IS || c->op == CM_SLA_OP_IS_NOT) {
            if (!level_mask(set, c->values, c->nvalues, &m))
                return fail(bd->b, what, i, j, "unknown priority name");
            if (c->op == CM_SLA_OP_IS_NOT)
                m = ~m;
        } else if (c->op == CM_SLA_OP_SET || c->op == CM_SLA_OP_UNSET) {
            m = c->op == CM_SLA_OP_SET ? ~UINT64_C(1) : UINT64_C(1);
        } else {
            if (c->number < 0 || c->number > (int64_t)set->nlevels)
                return fail(bd->b, what, i, j, "a priority level is 0 .. the number of levels");
            for (uint32_t l = 0; l <= set->nlevels; l++) {
                if (cm__sla_int_compare(c->op, (int64_t)l, c->number))
                    m |= UINT64_C(1) << l;
            }
        }
        o->mask = m & LEVEL_BITS(set->nlevels);
        return CM_OK;
    }
    o->kind = SLA_COND_ATTR;
    const int d = intern_dim(bd, c->attribute);
    if (d < 0)
        return fail(bd->b, what, i, j, "more than 16 attributes in the conditions");
    o->attr = (uint8_t)d;
    if ((c->op == CM_SLA_OP_IS || c->op == CM_SLA_OP_IS_NOT) &&
        !value_mask(bd, d, c->values, c->nvalues, &o->mask))
        return fail(bd->b, what, i, j, "more than 64 values of one attribute");
    (void)is_comparison;
    return CM_OK;
}

static cm_status compile_trig(builder *bd, const cm_sla_trigger *t, int what, size_t i, size_t j)
{
    cm_sla_policyset *set = bd->set;
    sla_trig *o = &bd->trigs[bd->ntrigs++];
    memset(o, 0, sizeof *o);
    o->kind = (uint8_t)t->kind;
    if (t->kind == CM_SLA_ON_STATUS_ENTER || t->kind == CM_SLA_ON_STATUS_LEAVE) {
        if (!status_masks(bd, t->values, t->nvalues, &o->mask, &o->names))
            return fail(bd->b, what, i, j, "more than 64 custom statuses in the set");
        return CM_OK;
    }
    if (t->kind != CM_SLA_ON_SET && t->kind != CM_SLA_ON_UNSET)
        return CM_OK;
    if (strcmp(t->attribute, "status") == 0 || strcmp(t->attribute, "tags") == 0)
        return fail(bd->b, what, i, j,
                    "status changes are status-enter and status-leave; tags are not triggers");
    o->any = t->nvalues == 0;
    if (strcmp(t->attribute, "priority") == 0) {
        o->attr = SLA_TRIG_PRIORITY;
        if (!level_mask(set, t->values, t->nvalues, &o->mask))
            return fail(bd->b, what, i, j, "unknown priority name");
        return CM_OK;
    }
    const int d = intern_dim(bd, t->attribute);
    if (d < 0)
        return fail(bd->b, what, i, j, "more than 16 attributes in the conditions");
    o->attr = (uint8_t)d;
    if (!value_mask(bd, d, t->values, t->nvalues, &o->mask))
        return fail(bd->b, what, i, j, "more than 64 values of one attribute");
    return CM_OK;
}

static cm_status compile_rules(builder *bd, const cm_sla_policyset_spec *s)
{
    cm_sla_policyset *set = bd->set;
    for (int m = 0; m < CM_SLA_METRIC_COUNT; m++) {
        cm_sla_metric_options o;
        if (cm_sla_metric_defaults((uint32_t)m, &o) != CM_OK)
            o = (cm_sla_metric_options){0, CM_SLA_REOPEN_REACTIVATE};
        set->metric[m].pause = o.pause;
        set->metric[m].reopen = (uint8_t)o.reopen;
    }
    /* Zendesk's group ownership: every status counts; a reopen starts a new span. */
    set->metric[SLA_GROUP_SLOT].reopen = CM_SLA_REOPEN_NEW_CYCLE;
    bool seen[CM_SLA_METRIC_COUNT + 1] = {false};
    for (size_t i = 0; i < s->nrules; i++) {
        const cm_sla_metric_rules *r = &s->rules[i];
        const int m = r->metric < CM_SLA_METRIC_COUNT       ? (int)r->metric
                      : r->metric == CM_SLA_GROUP_OWNERSHIP ? SLA_GROUP_SLOT
                                                            : -1;
        if (m < 0 || seen[m])
            return fail(bd->b, BLAME_RULE, i, 0,
                        "rules name a metric once (six metrics and "
                        "group-ownership)");
        seen[m] = true;
        if ((r->pause & ~(uint32_t)SLA_PAUSABLE) != 0 || r->reopen > CM_SLA_REOPEN_RESTART ||
            r->agent_created > CM_SLA_AGENT_CREATED_REQUESTER_COMMENT ||
            (r->agent_created != 0 && r->metric != CM_SLA_FIRST_REPLY))
            return fail(bd->b, BLAME_RULE, i, 0, "invalid pause, reopen or agent-created rule");
        uint64_t cats = 0, names = 0;
        if (!status_masks(bd, r->pause_statuses, (uint32_t)r->npause_statuses, &cats, &names))
            return fail(bd->b, BLAME_RULE, i, 0, "more than 64 custom statuses in the set");
        if ((cats & ~(uint64_t)SLA_PAUSABLE) != 0)
            return fail(bd->b, BLAME_RULE, i, 0,
                        "solved and closed stop the clock; they cannot pause it");
        set->metric[m].pause = r->pause | (uint32_t)cats;
        set->metric[m].pause_names = names;
        set->metric[m].reopen = (uint8_t)r->reopen;
        if (r->metric == CM_SLA_FIRST_REPLY)
            set->plan.agent_created = (uint8_t)r->agent_created;
    }
    return CM_OK;
}

static cm_status compile_clocks(builder *bd, const cm_sla_policyset_spec *s)
{
    cm_sla_policyset *set = bd->set;
    for (size_t i = 0; i < s->nclocks; i++) {
        const cm_sla_clock_def *c = &s->clocks[i];
        const char *n = c->name;
        for (const char *p = n; *p != '\0'; p++) {
            const bool word = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                              (*p >= '0' && *p <= '9') || *p == '-' || *p == '_';
            if (!word)
                return fail(bd->b, BLAME_CLOCK, i, 0, "a clock's name is letters, digits, - and _");
        }
        bool clash = find(cm__sla_metric_names, CM_SLA_METRIC_COUNT, n) >= 0 ||
                     strcmp(n, "group-ownership") == 0;
        for (size_t k = 0; k < i; k++)
            clash = clash || strcmp(set->clocks[k].name, n) == 0;
        if (clash)
            return fail(bd->b, BLAME_CLOCK, i, 0, "a clock's name must be new");
        sla_clock_rt *o = &set->clocks[i];
        o->name = keep(&bd->a, n);
        o->start = bd->ntrigs;
        o->nstart = (uint32_t)c->nstart;
        for (size_t j = 0; j < c->nstart; j++)
            CM_TRY(compile_trig(bd, &c->start[j], BLAME_START, i, j));
        o->stop = bd->ntrigs;
        o->nstop = (uint32_t)c->nstop;
        for (size_t j = 0; j < c->nstop; j++)
            CM_TRY(compile_trig(bd, &c->stop[j], BLAME_STOP, i, j));
        o->pause = bd->nconds;
        o->npause = (uint32_t)c->npause;
        for (size_t j = 0; j < c->npause; j++)
            CM_TRY(compile_cond(bd, &c->pause[j], BLAME_PAUSE, i, j));
    }
    set->nclocks = (uint32_t)s->nclocks;
    return CM_OK;
}

/* The index of a clock among a metric's clocks, added if new; -1 when full. */
static int key_of(sla_metric_plan *mp, sla_clock c)
{
    for (uint8_t k = 0; k < mp->nkeys; k++) {
        if (mp->key[k].kind == c.kind && mp->key[k].index == c.index)
            return k;
    }
    if (mp->nkeys == SLA_PLAN_KEYS)
        return -1;
    mp->key[mp->nkeys] = c;
    if (c.kind == SLA_CLOCK_TICKET)
        mp->has_ticket_key = true;
    return mp->nkeys++;
}

/* The mark of a threshold on a clock of a metric, added if new; -1 when full. */
static int mark_of(sla_metric_plan *mp, uint8_t key, int64_t seconds)
{
    for (uint8_t j = 0; j < mp->nmarks; j++) {
        if (mp->mark_key[j] == key && mp->mark_seconds[j] == seconds)
            return j;
    }
    if (mp->nmarks == SLA_MAX_MARKS)
        return -1;
    mp->mark_key[mp->nmarks] = key;
    mp->mark_seconds[mp->nmarks] = seconds;
    return mp->nmarks++;
}

static cm_status compile_goal(builder *bd, uint32_t p, const cm_sla_goal *g, size_t j,
                              uint32_t kind)
{
    cm_sla_policyset *set = bd->set;
    blame *b = bd->b;
    int slot = -1;
    if (kind == CM_SLA_POLICY_GROUP)
        slot = g->metric == CM_SLA_GROUP_OWNERSHIP ? SLA_GROUP_SLOT : -1;
    else if (g->metric < CM_SLA_METRIC_COUNT)
        slot = (int)g->metric;
    else if (g->metric >= CM_SLA_CUSTOM_METRIC && g->metric - CM_SLA_CUSTOM_METRIC < set->nclocks)
        slot = SLA_CUSTOM_SLOT + (int)(g->metric - CM_SLA_CUSTOM_METRIC);
    if (slot < 0)
        return fail(b, BLAME_GOAL, p, j,
                    kind == CM_SLA_POLICY_GROUP
                        ? "a group policy has group-ownership targets only"
                        : "unknown metric (group-ownership targets belong in group policies)");
    uint32_t levels = g->levels;
    if (levels == CM_SLA_LEVELS_NAMED || levels == CM_SLA_LEVELS_ANY)
        levels &= LEVEL_BITS(set->nlevels);
    if (levels == 0 || (levels & ~LEVEL_BITS(set->nlevels)) != 0)
        return fail(b, BLAME_GOAL, p, j, "a target names priority levels the set has");
    if (g->seconds < 1 || g->seconds > CM_SLA_MAX_TARGET_SECONDS || g->reserved != 0 ||
        g->clock > CM_SLA_CLOCK_TICKET_SCHEDULE ||
        ((g->clock == CM_SLA_CLOCK_BUSINESS || g->clock == CM_SLA_CLOCK_HISTORY)
             ? g->index >= CM_SLA_MAX_CALENDARS
             : g->index != 0))
        return fail(b, BLAME_GOAL, p, j,
                    "a target is 1 s to 100 years on a known clock and calendar index");
    uint8_t nwarn = 0;
    for (int w = 0; w < CM_SLA_MAX_WARNINGS; w++) {
        const uint8_t pct = g->warnings[w];
        if (pct == 0)
            break;
        if (pct > 99 || (w > 0 && pct <= g->warnings[w - 1]))
            return fail(b, BLAME_GOAL, p, j, "warnings are 1 to 99 percent, increasing");
        nwarn++;
    }
    for (int w = nwarn; w < CM_SLA_MAX_WARNINGS; w++) {
        if (g->warnings[w] != 0)
            return fail(b, BLAME_GOAL, p, j, "warnings are 1 to 99 percent, increasing");
    }
    sla_metric_plan *mp = &set->metric[slot];
    const sla_clock c = {(uint8_t)g->clock, (uint8_t)g->index};
    const int key = key_of(mp, c);
    if (key < 0)
        return fail(b, BLAME_GOAL, p, j, "more than 8 clocks for one metric");
    const int mark = mark_of(mp, (uint8_t)key, g->seconds);
    if (mark < 0)
        return fail(b, BLAME_GOAL, p, j, "more than 64 distinct targets for one metric");
    sla_goal *o = &bd->goals[bd->ngoals];
    memset(o, 0, sizeof *o);
    o->seconds = g->seconds;
    o->key = (uint8_t)key;
    o->mark = (uint8_t)mark;
    o->nwarn = nwarn;
    for (uint8_t w = 0; w < nwarn; w++) {
        /* Reached when the elapsed time is at least pct % of the target: ceil(). */
        const int64_t thr = (g->seconds * g->warnings[w] + 99) / 100;
        const int wm = mark_of(mp, (uint8_t)key, thr);
        if (wm < 0)
            return fail(b, BLAME_GOAL, p, j, "more than 64 distinct targets for one metric");
        o->warn_mark[w] = (uint8_t)wm;
        o->warn_pct[w] = g->warnings[w];
    }
    bd->ngoals++;
    mp->measured = true;
    if (c.kind == SLA_CLOCK_CALENDAR || c.kind == SLA_CLOCK_TICKET) {
        const size_t need = c.kind == SLA_CLOCK_TICKET ? 1 : (size_t)c.index + 1;
        if (need > set->plan.ncalendars)
            set->plan.ncalendars = need;
    } else if (c.kind == SLA_CLOCK_HISTORY && (size_t)c.index + 1 > set->plan.nhistories) {
        set->plan.nhistories = (size_t)c.index + 1;
    }
    const size_t stride = set->nlevels + 1u;
    for (uint32_t l = 0; l <= set->nlevels; l++) {
        if (!((levels >> l) & 1u))
            continue;
        uint16_t *cell = &bd->goal_of[((size_t)p * set->plan.nslots + (size_t)slot) * stride + l];
        if (*cell != 0)
            return fail(b, BLAME_GOAL, p, j,
                        "a target for this metric and priority is already set in the policy");
        *cell = (uint16_t)bd->ngoals;
    }
    return CM_OK;
}

/* FNV-1a over the names that make a set's shape, for breakdowns to compare. */
static uint32_t fnv(uint32_t h, const char *s)
{
    static const unsigned char sep = 0xFF; /* a separator no string contains */
    return cm__fnv32(cm__fnv32(h, s, strlen(s)), &sep, 1);
}

static uint32_t shape_of(const cm_sla_policyset *set)
{
    uint32_t h = CM__FNV32_BASIS;
    h = fnv(h, set->has_group ? "group" : "nogroup");
    for (uint32_t l = 0; l <= set->nlevels; l++)
        h = fnv(h, set->level_names[l]);
    for (uint32_t p = 0; p < set->npolicies; p++)
        h = fnv(h, set->policies[p].name);
    for (uint32_t c = 0; c < set->nclocks; c++)
        h = fnv(h, set->clocks[c].name);
    for (uint32_t d = 0; d < set->ndims; d++) {
        h = fnv(h, set->dims[d].name);
        for (uint32_t v = 0; v < set->dims[d].nvalues; v++)
            h = fnv(h, set->dims[d].values[v]);
    }
    return h;
}

static cm_status compile(builder *bd, const cm_sla_policyset_spec *s)
{
    cm_sla_policyset *set = bd->set;
    blame *b = bd->b;
    /* Priority levels. */
    set->level_names[0] = "none";
    if (s->npriorities == 0) {
        set->nlevels = 4;
        for (int l = 0; l < 4; l++)
            set->level_names[l + 1] = default_levels[l];
    } else {
        set->nlevels = (uint32_t)s->npriorities;
        for (size_t l = 0; l < s->npriorities; l++) {
            const char *n = s->priorities[l];
            if (strcmp(n, "none") == 0 || strcmp(n, "any") == 0 || strcmp(n, "*") == 0 ||
                find(set->level_names + 1, (uint32_t)l, n) >= 0)
                return fail(b, BLAME_PRIORITY, l, 0,
                            "priority names are distinct, and not none, any or *");
            set->level_names[l + 1] = keep(&bd->a, n);
        }
    }
    set->plan.nlevels = (uint8_t)set->nlevels;
    set->plan.flags = s->flags;
    set->plan.nslots = (uint8_t)SLOTS_OF(s->nclocks);
    set->plan.npolicies = (uint32_t)s->npolicies;
    set->group_dim = -1;
    CM_TRY(compile_rules(bd, s));
    CM_TRY(compile_clocks(bd, s));
    sla_policy_rt *pol = take(&bd->a, s->npolicies * sizeof *pol);
    bd->goal_of =
        take(&bd->a, s->npolicies * set->plan.nslots * (set->nlevels + 1u) * sizeof(uint16_t));
    memset(bd->goal_of, 0,
           s->npolicies * set->plan.nslots * (set->nlevels + 1u) * sizeof(uint16_t));
    for (size_t i = 0; i < s->npolicies; i++) {
        const cm_sla_policy_def *p = &s->policies[i];
        for (size_t k = 0; k < i; k++) {
            if (strcmp(pol[k].name, p->name) == 0)
                return fail(b, BLAME_POLICY, i, 0, "two policies have the same name");
        }
        pol[i].name = keep(&bd->a, p->name);
        pol[i].kind = p->kind;
        pol[i].first = bd->nconds;
        pol[i].n = (uint32_t)p->nconditions;
        set->has_group = set->has_group || p->kind == CM_SLA_POLICY_GROUP;
        for (size_t j = 0; j < p->nconditions; j++)
            CM_TRY(compile_cond(bd, &p->conditions[j], BLAME_COND, i, j));
        for (size_t j = 0; j < p->ngoals; j++)
            CM_TRY(compile_goal(bd, (uint32_t)i, &p->goals[j], j, p->kind));
    }
    set->npolicies = (uint32_t)s->npolicies;
    set->policies = pol;
    set->conds = bd->conds;
    set->trigs = bd->trigs;
    set->plan.metric = set->metric;
    set->plan.goal_of = bd->goal_of;
    set->plan.goals = bd->goals;
    set->nmetrics = CM_SLA_METRIC_COUNT + (set->has_group ? 1u : 0u) + set->nclocks;
    set->fingerprint = shape_of(set);
    return CM_OK;
}

static cm_status build(const cm_sla_policyset_spec *spec, const cm_allocator *alloc,
                       cm_sla_policyset **out, blame *b)
{
    size_t size = 0;
    CM_TRY(check_spec(spec, b, &size));
    /* Exact counts of conditions, triggers and goals, for carving. */
    size_t nconds = 0, ntrigs = 0, ngoals = 0;
    for (size_t i = 0; i < spec->nclocks; i++) {
        nconds += spec->clocks[i].npause;
        ntrigs += spec->clocks[i].nstart + spec->clocks[i].nstop;
    }
    for (size_t i = 0; i < spec->npolicies; i++) {
        nconds += spec->policies[i].nconditions;
        ngoals += spec->policies[i].ngoals;
    }
    unsigned char *block = cm__alloc(alloc, size);
    CM_REQUIRE(block != NULL, CM_ENOMEM);
    memset(block, 0, size);
    builder bd;
    memset(&bd, 0, sizeof bd);
    bd.a = (arena){block, 0, size};
    bd.b = b;
    bd.set = take(&bd.a, sizeof(cm_sla_policyset));
    bd.conds = take(&bd.a, nconds * sizeof(sla_cond));
    bd.trigs = take(&bd.a, ntrigs * sizeof(sla_trig));
    bd.goals = take(&bd.a, ngoals * sizeof(sla_goal));
    const cm_status st = compile(&bd, spec);
    if (st != CM_OK) {
        cm__free(alloc, block);
        return st;
    }
    if (alloc != NULL) {
        bd.set->alloc = *alloc;
        bd.set->own_alloc = true;
    }
    *out = bd.set;
    return CM_OK;
}

cm_status cm_sla_policyset_new(const cm_sla_policyset_spec *spec, const cm_allocator *alloc,
                               cm_sla_policyset **out)
{
    CM_REQUIRE(spec != NULL && out != NULL && cm__valid_allocator(alloc), CM_EINVAL);
    blame b;
    return build(spec, alloc, out, &b);
}

void cm_sla_policyset_free(cm_sla_policyset *set)
{
    if (set == NULL)
        return;
    if (set->own_alloc) {
        const cm_allocator a = set->alloc;
        cm__free(&a, set);
    } else {
        cm__free(NULL, set);
    }
}

/* ---------------------------------------------------------------------- */
/* Queries                                                                */
/* ---------------------------------------------------------------------- */

cm_status cm_sla_policyset_info(const cm_sla_policyset *set, cm_sla_policyset_shape *out)
{
    CM_REQUIRE(set != NULL && out != NULL, CM_EINVAL);
    cm_sla_policyset_shape i;
    memset(&i, 0, sizeof i);
    i.npolicies = set->npolicies;
    i.nclocks = set->nclocks;
    i.nlevels = set->nlevels;
    i.ndimensions = set->ndims;
    i.nmetrics = set->nmetrics;
    i.flags = set->plan.flags;
    i.ncalendars = set->plan.ncalendars;
    i.nhistories = set->plan.nhistories;
    *out = i;
    return CM_OK;
}

cm_status cm_sla_policyset_policy(const cm_sla_policyset *set, uint32_t policy, const char **name,
                                  uint32_t *kind)
{
    CM_REQUIRE(set != NULL, CM_EINVAL);
    CM_REQUIRE(policy < set->npolicies, CM_ENOTFOUND);
    if (name != NULL)
        *name = set->policies[policy].name;
    if (kind != NULL)
        *kind = set->policies[policy].kind;
    return CM_OK;
}

cm_status cm_sla_policyset_metric(const cm_sla_policyset *set, const char *name, uint32_t *metric)
{
    CM_REQUIRE(set != NULL && name != NULL && metric != NULL, CM_EINVAL);
    const int m = find(cm__sla_metric_names, CM_SLA_METRIC_COUNT, name);
    if (m >= 0) {
        *metric = (uint32_t)m;
        return CM_OK;
    }
    if (set->has_group && strcmp(name, "group-ownership") == 0) {
        *metric = CM_SLA_GROUP_OWNERSHIP;
        return CM_OK;
    }
    for (uint32_t c = 0; c < set->nclocks; c++) {
        if (strcmp(set->clocks[c].name, name) == 0) {
            *metric = CM_SLA_CUSTOM_METRIC + c;
            return CM_OK;
        }
    }
    return CM_ENOTFOUND;
}

const char *cm_sla_policyset_metric_name(const cm_sla_policyset *set, uint32_t metric)
{
    if (set == NULL)
        return "unknown";
    const int slot = sla_slot_of(set, metric);
    if (slot < 0)
        return "unknown";
    if (slot < CM_SLA_METRIC_COUNT)
        return cm__sla_metric_names[slot];
    if (slot == SLA_GROUP_SLOT)
        return "group-ownership";
    return set->clocks[slot - SLA_CUSTOM_SLOT].name;
}

const char *cm_sla_policyset_level_name(const cm_sla_policyset *set, uint32_t level)
{
    if (set == NULL || level > set->nlevels)
        return "unknown";
    return set->level_names[level];
}

cm_status cm_sla_policyset_dimension(const cm_sla_policyset *set, uint32_t dimension,
                                     const char **name, const char *const **values, size_t *nvalues)
{
    CM_REQUIRE(set != NULL, CM_EINVAL);
    CM_REQUIRE(dimension < set->ndims, CM_ENOTFOUND);
    const sla_dim *d = &set->dims[dimension];
    if (name != NULL)
        *name = d->name;
    if (values != NULL)
        *values = d->values;
    if (nvalues != NULL)
        *nvalues = d->nvalues;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Text                                                                   */
/* ---------------------------------------------------------------------- */

typedef struct tpos {
    uint32_t line, col;
} tpos;

enum { BLOCK_NONE, BLOCK_CLOCK, BLOCK_POLICY };

#define NMETRICS_TEXT (SLA_CUSTOM_SLOT + CM_SLA_MAX_CUSTOM_METRICS) /* names a line may list */

typedef struct tparser {
    const char *s;
    size_t i, line_start;
    uint32_t line;
    cm_parse_error err;
    /* temporary storage, carved from one block */
    char *str;
    size_t nstr, cap_str;
    const char **vals;
    size_t nvals, cap_vals;
    cm_sla_condition *conds;
    tpos *cond_pos;
    size_t nconds, cap_lines;
    cm_sla_trigger *trigs;
    tpos *trig_pos;
    bool *trig_stop;
    size_t ntrigs;
    cm_sla_goal *goals;
    tpos *goal_pos;
    size_t ngoals, cap_goals;
    cm_sla_policy_def *pols;
    tpos *pol_pos;
    size_t npols;
    cm_sla_clock_def clocks[CM_SLA_MAX_CUSTOM_METRICS];
    tpos clock_pos[CM_SLA_MAX_CUSTOM_METRICS];
    size_t nclocks;
    const char *prio[CM_SLA_MAX_LEVELS];
    tpos prio_pos[CM_SLA_MAX_LEVELS];
    size_t nprio;
    bool prio_set;
    cm_sla_metric_rules rules[CM_SLA_METRIC_COUNT + 1];
    tpos rule_pos[CM_SLA_METRIC_COUNT + 1];
    bool pause_set[CM_SLA_METRIC_COUNT + 1], reopen_set[CM_SLA_METRIC_COUNT + 1];
    const char **pause_names[CM_SLA_METRIC_COUNT + 1];
    size_t npause_names[CM_SLA_METRIC_COUNT + 1];
    bool agent_set, flags_set, any_statement;
    uint32_t flags;
    int block;
    size_t first_trig; /* of the open clock block */
    size_t top_goals;  /* targets outside blocks (the text of a single policy) */
    tpos top_pos;
} tparser;

static bool tfail(tparser *p, size_t at, const char *message)
{
    p->err.line = p->line;
    p->err.column = (uint32_t)(at - p->line_start) + 1;
    p->err.message = message;
    return false;
}

static char cur(const tparser *p)
{
    return p->s[p->i];
}

static bool at_end(const tparser *p)
{
    const char c = cur(p);
    return c == '\0' || c == '\n' || c == '#' ||
           (c == '\r' && (p->s[p->i + 1] == '\n' || p->s[p->i + 1] == '\0'));
}

static void blanks(tparser *p)
{
    while (cur(p) == ' ' || cur(p) == '\t')
        p->i++;
}

static bool word_char(char c)
{
    return c != '\0' && c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '#' && c != ',' &&
           c != '"';
}

static tpos pos_at(const tparser *p, size_t at)
{
    return (tpos){p->line, (uint32_t)(at - p->line_start) + 1};
}

/* The bare word at the cursor (not consumed): its start and length (0 when none). */
static size_t peek_word(tparser *p, size_t *at)
{
    blanks(p);
    *at = p->i;
    size_t n = 0;
    while (word_char(p->s[p->i + n]))
        n++;
    return n;
}

/* Consumes the bare word `w` if it is next. */
static bool accept(tparser *p, const char *w)
{
    size_t at;
    const size_t n = peek_word(p, &at);
    if (n != strlen(w) || memcmp(p->s + at, w, n) != 0)
        return false;
    p->i += n;
    return true;
}

/*
 * A value: a bare word, or a string in double quotes with \" and \\ escapes.
 * Decoded into the string store; *at is where it starts. False (without an
 * error) when the line has no value there; an unterminated quote is an error.
 */
static bool value(tparser *p, const char **out, size_t *at, bool *bad)
{
    blanks(p);
    *at = p->i;
    *bad = false;
    char *d = p->str + p->nstr;
    size_t n = 0;
    if (cur(p) == '"') {
        p->i++;
        for (;;) {
            char c = cur(p);
            if (c == '\0' || c == '\n' || c == '\r') {
                *bad = true;
                return tfail(p, *at, "unterminated quoted string");
            }
            p->i++;
            if (c == '"')
                break;
            if (c == '\\' && (cur(p) == '"' || cur(p) == '\\')) {
                c = cur(p);
                p->i++;
            }
            d[n++] = c;
        }
        if (n == 0) {
            *bad = true;
            return tfail(p, *at, "an empty string is not a value");
        }
    } else {
        while (word_char(cur(p)))
            d[n++] = p->s[p->i++];
        if (n == 0)
            return false;
    }
    if (n > MAX_NAME) {
        *bad = true;
        return tfail(p, *at, "a name or value is longer than 255 bytes");
    }
    d[n] = '\0';
    p->nstr += n + 1;
    *out = d;
    return true;
}

/* The start of the list item after the one at `at` (raw text of a parsed list). */
static size_t skip_item(const char *s, size_t at)
{
    if (s[at] == '"') {
        at++;
        while (s[at] != '"')
            at += s[at] == '\\' ? 2 : 1;
        at++;
    } else {
        while (word_char(s[at]))
            at++;
    }
    while (s[at] == ' ' || s[at] == '\t' || s[at] == ',')
        at++;
    return at;
}

/* A comma-separated list of values into the value store. */
static bool list(tparser *p, const char *missing, const char *const **items, uint32_t *n,
                 size_t *first_at)
{
    const char **v = p->vals + p->nvals;
    uint32_t k = 0;
    bool bad;
    size_t at;
    for (;;) {
        const char *item;
        if (!value(p, &item, &at, &bad))
            return bad ? false : tfail(p, at, missing);
        if (k == 0)
            *first_at = at;
        if (k == CM_SLA_MAX_ITEMS)
            return tfail(p, at, "more than 64 values in one list");
        v[k++] = item;
        blanks(p);
        if (cur(p) != ',')
            break;
        p->i++;
        missing = "expected a value after the comma";
    }
    p->nvals += k;
    *items = v;
    *n = k;
    return true;
}

static bool line_end(tparser *p)
{
    blanks(p);
    if (!at_end(p))
        return tfail(p, p->i, "unexpected text at the end of the line");
    return true;
}

/* An integer, optionally signed. */
static bool integer(const char *s, int64_t *out)
{
    const bool neg = *s == '-';
    const char *q = s + (neg || *s == '+' ? 1 : 0);
    if (*q == '\0')
        return false;
    uint64_t v = 0;
    for (; *q != '\0'; q++) {
        if (*q < '0' || *q > '9' || v > (UINT64_C(1) << 62))
            return false;
        v = v * 10 + (uint64_t)(*q - '0');
    }
    if (v > (uint64_t)INT64_MAX)
        return false;
    *out = neg ? -(int64_t)v : (int64_t)v;
    return true;
}

/* The level of a priority name of the text (none is 0), or -1. */
static int64_t text_level(const tparser *p, const char *name)
{
    if (strcmp(name, "none") == 0)
        return 0;
    const size_t n = p->prio_set ? p->nprio : 4;
    for (size_t l = 0; l < n; l++) {
        if (strcmp(name, p->prio_set ? p->prio[l] : default_levels[l]) == 0)
            return (int64_t)l + 1;
    }
    return -1;
}

static const char *const op_words[] = {
    "is", "is-not", "=", "!=", "<", "<=", ">", ">=", "is-set", "is-unset", "include", "exclude"};

/* ATTR OP [VALUES]: a condition of `when` and `pause` lines. */
static bool condition(tparser *p, size_t at_line)
{
    const char *attr;
    size_t at;
    bool bad;
    if (!value(p, &attr, &at, &bad))
        return bad ? false : tfail(p, at, "expected an attribute such as priority or group");
    size_t op_at;
    const size_t n = peek_word(p, &op_at);
    int op = -1;
    for (int k = 0; k < 12; k++) {
        if (strlen(op_words[k]) == n && memcmp(p->s + op_at, op_words[k], n) == 0)
            op = k + 1;
    }
    if (op < 0)
        return tfail(p, op_at,
                     "expected is, is-not, =, !=, <, <=, >, >=, is-set, is-unset, include or "
                     "exclude");
    p->i += n;
    cm_sla_condition *c = &p->conds[p->nconds];
    memset(c, 0, sizeof *c);
    c->attribute = attr;
    c->op = (uint32_t)op;
    const bool tags = strcmp(attr, "tags") == 0;
    if ((op == CM_SLA_OP_INCLUDES || op == CM_SLA_OP_EXCLUDES) != tags)
        return tfail(p, op_at,
                     tags ? "tags take include or exclude" : "include and exclude are for tags");
    if (op == CM_SLA_OP_IS || op == CM_SLA_OP_IS_NOT || tags) {
        uint32_t k;
        size_t first;
        if (!list(p, "expected a value", &c->values, &k, &first))
            return false;
        c->nvalues = k;
    } else if (op >= CM_SLA_OP_EQ && op <= CM_SLA_OP_GE) {
        const char *v;
        size_t vat;
        if (!value(p, &v, &vat, &bad))
            return bad ? false : tfail(p, vat, "expected a number");
        int64_t num;
        if (strcmp(attr, "priority") == 0 && !integer(v, &num)) {
            num = text_level(p, v);
            if (num < 0)
                return tfail(p, vat, "unknown priority name");
        } else if (!integer(v, &num)) {
            return tfail(p, vat, "expected an integer");
        }
        c->number = num;
    }
    p->cond_pos[p->nconds++] = pos_at(p, at_line);
    return line_end(p);
}

static const char *const trig_words[] = {
    "created",  "customer-reply", "agent-reply",  "agent-note", "solved",
    "reopened", "status-enter",   "status-leave", "set",        "unset"};

static bool trigger(tparser *p, bool is_stop, size_t at_line)
{
    size_t at;
    const size_t n = peek_word(p, &at);
    int kind = -1;
    for (int k = 0; k < 10; k++) {
        if (strlen(trig_words[k]) == n && memcmp(p->s + at, trig_words[k], n) == 0)
            kind = k + 1;
    }
    if (kind < 0)
        return tfail(p, at,
                     "expected created, customer-reply, agent-reply, agent-note, solved, "
                     "reopened, status-enter, status-leave, set or unset");
    p->i += n;
    if (p->ntrigs == p->cap_lines)
        return tfail(p, at, "too many triggers");
    cm_sla_trigger *t = &p->trigs[p->ntrigs];
    memset(t, 0, sizeof *t);
    t->kind = (uint32_t)kind;
    if (kind == CM_SLA_ON_STATUS_ENTER || kind == CM_SLA_ON_STATUS_LEAVE) {
        size_t first;
        if (!list(p, "expected a status", &t->values, &t->nvalues, &first))
            return false;
    } else if (kind == CM_SLA_ON_SET || kind == CM_SLA_ON_UNSET) {
        bool bad;
        size_t vat;
        if (!value(p, &t->attribute, &vat, &bad))
            return bad ? false : tfail(p, vat, "expected an attribute");
        blanks(p);
        if (kind == CM_SLA_ON_SET && !at_end(p)) {
            size_t first;
            if (!list(p, "expected a value", &t->values, &t->nvalues, &first))
                return false;
        }
    }
    p->trig_stop[p->ntrigs] = is_stop;
    p->trig_pos[p->ntrigs++] = pos_at(p, at_line);
    return line_end(p);
}

/* The slots a METRICS list names ("*": the six), as a bit set; positions for errors. */
static bool metric_list(tparser *p, uint32_t *set, size_t *at_first)
{
    const char *const *items;
    uint32_t n;
    *set = 0;
    if (!list(p, "expected a metric", &items, &n, at_first))
        return false;
    if (n == 1 && strcmp(items[0], "*") == 0) {
        *set = (1u << CM_SLA_METRIC_COUNT) - 1u;
        return true;
    }
    /* Locate each item for its error column: re-scan the raw text. */
    size_t at = *at_first;
    for (uint32_t k = 0; k < n; k++, at = skip_item(p->s, at)) {
        int slot = find(cm__sla_metric_names, CM_SLA_METRIC_COUNT, items[k]);
        if (slot < 0 && strcmp(items[k], "group-ownership") == 0)
            slot = SLA_GROUP_SLOT;
        for (size_t c = 0; slot < 0 && c < p->nclocks; c++) {
            if (strcmp(p->clocks[c].name, items[k]) == 0)
                slot = SLA_CUSTOM_SLOT + (int)c;
        }
        if (slot < 0)
            return tfail(p, at,
                         "unknown metric: use first-reply, next-reply, periodic-update, "
                         "requester-wait, agent-work, total-resolution, group-ownership, a "
                         "clock defined above or *");
        *set |= 1u << slot;
    }
    return true;
}

static uint32_t metric_of_slot(int slot)
{
    return sla_metric_of_slot(slot);
}

/* Levels of a PRIORITIES list: names, none, * (named levels) or any (all). */
static bool priority_list(tparser *p, uint32_t *levels)
{
    const char *const *items;
    uint32_t n;
    size_t first;
    if (!list(p, "expected a priority", &items, &n, &first))
        return false;
    const uint32_t nl = (uint32_t)(p->prio_set ? p->nprio : 4);
    if (n == 1 && strcmp(items[0], "*") == 0) {
        *levels = LEVEL_BITS(nl) & ~1u;
        return true;
    }
    if (n == 1 && strcmp(items[0], "any") == 0) {
        *levels = LEVEL_BITS(nl);
        return true;
    }
    *levels = 0;
    size_t at = first;
    for (uint32_t k = 0; k < n; k++, at = skip_item(p->s, at)) {
        int l = strcmp(items[k], "none") == 0 ? 0 : -1;
        for (uint32_t j = 0; l < 0 && j < nl; j++) {
            if (strcmp(items[k], p->prio_set ? p->prio[j] : default_levels[j]) == 0)
                l = (int)j + 1;
        }
        if (l < 0)
            return tfail(p, at,
                         p->prio_set ? "unknown priority: use a name of the priorities line, "
                                       "none, any or *"
                                     : "unknown priority: use urgent, high, normal, low, none, "
                                       "any or *");
        *levels |= 1u << l;
    }
    return true;
}

/* METRICS PRIORITIES DURATION CLOCK [INDEX] [warn P%[,P%...]] */
static bool target_line(tparser *p, uint32_t slots, size_t metric_at)
{
    uint32_t levels;
    if (!priority_list(p, &levels))
        return false;
    size_t dur_at;
    const size_t dur_len = peek_word(p, &dur_at);
    if (dur_len == 0)
        return tfail(p, dur_at, "expected a duration such as 4h");
    p->i += dur_len;
    size_t clk_at;
    const size_t clk_len = peek_word(p, &clk_at);
    if (clk_len == 0)
        return tfail(p, clk_at,
                     "expected the clock: calendar, business, history or "
                     "ticket-schedule");
    cm_sla_goal g;
    memset(&g, 0, sizeof g);
    g.levels = levels;
    bool business = true;
    if (accept(p, "calendar")) {
        g.clock = CM_SLA_CLOCK_CALENDAR_TIME;
        business = false;
    } else if (accept(p, "business") || accept(p, "history")) {
        g.clock = p->s[clk_at] == 'b' ? CM_SLA_CLOCK_BUSINESS : CM_SLA_CLOCK_HISTORY;
        size_t at;
        const size_t n = peek_word(p, &at);
        int64_t idx = 0;
        char num[8];
        if (n > 0 && n < sizeof num && !(n == 4 && memcmp(p->s + at, "warn", 4) == 0)) {
            memcpy(num, p->s + at, n);
            num[n] = '\0';
            if (!integer(num, &idx) || idx < 0 || idx >= CM_SLA_MAX_CALENDARS || num[0] == '+' ||
                num[0] == '-')
                return tfail(p, at, "expected a calendar index 0..63");
            p->i += n;
        } else if (n > 0 && !(n == 4 && memcmp(p->s + at, "warn", 4) == 0)) {
            return tfail(p, at, "expected a calendar index 0..63");
        } else if (g.clock == CM_SLA_CLOCK_HISTORY) {
            return tfail(p, at, "expected a history index 0..63");
        }
        g.index = (uint32_t)idx;
    } else if (accept(p, "ticket-schedule")) {
        g.clock = CM_SLA_CLOCK_TICKET_SCHEDULE;
    } else {
        return tfail(p, clk_at,
                     "unknown clock: use calendar, business, history or ticket-schedule");
    }
    size_t bad_at = 0;
    const char *message = NULL;
    if (!cm__sla_duration(p->s + dur_at, dur_len, business, &g.seconds, &bad_at, &message))
        return tfail(p, dur_at + bad_at, message);
    if (accept(p, "warn")) {
        const char *const *items;
        uint32_t n;
        size_t first;
        if (!list(p, "expected a warning such as 75%", &items, &n, &first))
            return false;
        if (n > CM_SLA_MAX_WARNINGS)
            return tfail(p, first, "at most 4 warnings per target");
        for (uint32_t k = 0; k < n; k++) {
            const size_t len = strlen(items[k]);
            int64_t pct = 0;
            char num[4];
            if (len < 2 || len > 3 || items[k][len - 1] != '%')
                return tfail(p, first, "a warning is a percentage such as 75%");
            memcpy(num, items[k], len - 1);
            num[len - 1] = '\0';
            if (!integer(num, &pct) || pct < 1 || pct > 99 || num[0] == '+' || num[0] == '-' ||
                (k > 0 && pct <= g.warnings[k - 1]))
                return tfail(p, first, "warnings are 1% to 99%, increasing");
            g.warnings[k] = (uint8_t)pct;
        }
    }
    if (!line_end(p))
        return false;
    for (int slot = 0; slot < NMETRICS_TEXT; slot++) {
        if (!((slots >> slot) & 1u))
            continue;
        g.metric = metric_of_slot(slot);
        p->goals[p->ngoals] = g;
        p->goal_pos[p->ngoals++] = pos_at(p, metric_at);
    }
    return true;
}

/* METRICS pause none | STATUS[,STATUS...] */
static bool pause_line(tparser *p, uint32_t slots, size_t metric_at)
{
    size_t at;
    uint32_t mask = 0;
    const char **names = NULL;
    size_t nnames = 0;
    if (!accept(p, "none")) {
        const char *const *items;
        uint32_t n;
        if (!list(p, "expected none or a list of statuses (new, open, pending, on-hold)", &items,
                  &n, &at))
            return false;
        names = p->vals + p->nvals; /* the custom ones, compacted after the list */
        for (uint32_t k = 0; k < n; k++) {
            const int c = find(cm__sla_status_names, CM_SLA_STATUS_COUNT, items[k]);
            if (c >= 0)
                mask |= CM_SLA_PAUSE(c);
            else
                names[nnames++] = items[k];
        }
        p->nvals += nnames;
        if (mask & ~(uint32_t)SLA_PAUSABLE)
            return tfail(p, at, "solved and closed stop the clock; they cannot pause it");
    }
    if (!line_end(p))
        return false;
    for (int m = 0; m <= SLA_GROUP_SLOT; m++) {
        if (!((slots >> m) & 1u))
            continue;
        if (p->pause_set[m])
            return tfail(p, metric_at, "the pause statuses of this metric are already set");
        p->pause_set[m] = true;
        p->rules[m].pause = mask;
        p->pause_names[m] = names;
        p->npause_names[m] = nnames;
        p->rule_pos[m] = pos_at(p, metric_at);
    }
    return true;
}

static bool reopen_line(tparser *p, uint32_t slots, size_t metric_at)
{
    size_t at;
    const size_t n = peek_word(p, &at);
    int r = -1;
    for (int k = 0; k < 3; k++) {
        if (strlen(reopen_names[k]) == n && memcmp(p->s + at, reopen_names[k], n) == 0)
            r = k;
    }
    if (n == 0)
        return tfail(p, at, "expected reactivate, new-cycle or restart");
    if (r < 0)
        return tfail(p, at, "unknown reopen behaviour: use reactivate, new-cycle or restart");
    p->i += n;
    if (!line_end(p))
        return false;
    for (int m = 0; m <= SLA_GROUP_SLOT; m++) {
        if (!((slots >> m) & 1u))
            continue;
        if (p->reopen_set[m])
            return tfail(p, metric_at, "the reopen behaviour of this metric is already set");
        p->reopen_set[m] = true;
        p->rules[m].reopen = (uint32_t)r;
        p->rule_pos[m] = pos_at(p, metric_at);
    }
    return true;
}

/* Closes the open clock block: its triggers, start ones first. */
static bool close_block(tparser *p)
{
    if (p->block == BLOCK_CLOCK) {
        cm_sla_clock_def *c = &p->clocks[p->nclocks - 1];
        size_t nstart = 0, nstop = 0;
        for (size_t k = p->first_trig; k < p->ntrigs; k++) {
            if (p->trig_stop[k])
                nstop++;
            else
                nstart++;
        }
        if (nstart == 0 || nstop == 0) {
            p->err.line = p->clock_pos[p->nclocks - 1].line;
            p->err.column = p->clock_pos[p->nclocks - 1].col;
            p->err.message = "a clock needs at least one start and one stop line";
            return false;
        }
        /* Stable partition: starts, then stops (insertion, a block has few lines). */
        for (size_t k = p->first_trig + 1; k < p->ntrigs; k++) {
            const cm_sla_trigger t = p->trigs[k];
            const tpos tp = p->trig_pos[k];
            const bool st = p->trig_stop[k];
            size_t j = k;
            while (j > p->first_trig && p->trig_stop[j - 1] && !st) {
                p->trigs[j] = p->trigs[j - 1];
                p->trig_pos[j] = p->trig_pos[j - 1];
                p->trig_stop[j] = p->trig_stop[j - 1];
                j--;
            }
            p->trigs[j] = t;
            p->trig_pos[j] = tp;
            p->trig_stop[j] = st;
        }
        c->start = p->trigs + p->first_trig;
        c->nstart = nstart;
        c->stop = p->trigs + p->first_trig + nstart;
        c->nstop = nstop;
        if (c->nstart > CM_SLA_MAX_ITEMS || c->nstop > CM_SLA_MAX_ITEMS ||
            c->npause > CM_SLA_MAX_ITEMS) {
            p->err.line = p->clock_pos[p->nclocks - 1].line;
            p->err.column = p->clock_pos[p->nclocks - 1].col;
            p->err.message = "at most 64 start, 64 stop and 64 pause lines per clock";
            return false;
        }
    } else if (p->block == BLOCK_POLICY) {
        cm_sla_policy_def *pol = &p->pols[p->npols - 1];
        if (pol->nconditions > CM_SLA_MAX_ITEMS || pol->ngoals > CM_SLA_MAX_ITEMS) {
            p->err.line = p->pol_pos[p->npols - 1].line;
            p->err.column = p->pol_pos[p->npols - 1].col;
            p->err.message = "at most 64 conditions and 64 targets per policy";
            return false;
        }
    }
    p->block = BLOCK_NONE;
    return true;
}

static bool block_header(tparser *p, int kind, size_t at_kw)
{
    if (!close_block(p))
        return false;
    if (p->top_goals > 0) {
        p->err.line = p->top_pos.line;
        p->err.column = p->top_pos.col;
        p->err.message = "targets outside a policy: with clock or policy blocks, put every "
                         "target inside a policy";
        return false;
    }
    const char *name;
    size_t at;
    bool bad;
    if (!value(p, &name, &at, &bad))
        return bad ? false : tfail(p, at, "expected a name");
    if (!line_end(p))
        return false;
    if (kind == BLOCK_CLOCK) {
        if (p->npols > 0)
            return tfail(p, at_kw, "clocks come before the policies");
        if (p->nclocks == CM_SLA_MAX_CUSTOM_METRICS)
            return tfail(p, at_kw, "at most 16 clocks");
        cm_sla_clock_def *c = &p->clocks[p->nclocks];
        memset(c, 0, sizeof *c);
        c->name = name;
        c->pause = p->conds + p->nconds;
        p->clock_pos[p->nclocks++] = pos_at(p, at);
        p->first_trig = p->ntrigs;
    } else {
        if (p->npols == CM_SLA_MAX_POLICIES)
            return tfail(p, at_kw, "at most 256 policies");
        cm_sla_policy_def *pol = &p->pols[p->npols];
        memset(pol, 0, sizeof *pol);
        pol->name = name;
        pol->kind = p->s[at_kw] == 'g' ? CM_SLA_POLICY_GROUP : CM_SLA_POLICY_REGULAR;
        pol->conditions = p->conds + p->nconds;
        pol->goals = p->goals + p->ngoals;
        p->pol_pos[p->npols++] = pos_at(p, at_kw);
    }
    p->block = kind;
    return true;
}

static bool priorities_line(tparser *p, size_t at_kw)
{
    if (p->any_statement)
        return tfail(p, at_kw, "priorities must come first, before anything that names them");
    const char *const *items;
    uint32_t n;
    size_t first;
    if (!list(p, "expected priority names, lowest first", &items, &n, &first))
        return false;
    if (n > CM_SLA_MAX_LEVELS)
        return tfail(p, first, "at most 15 priorities");
    size_t at = first;
    for (uint32_t k = 0; k < n; k++) {
        p->prio[k] = items[k];
        p->prio_pos[k] = pos_at(p, at);
        at = skip_item(p->s, at);
    }
    p->nprio = n;
    p->prio_set = true;
    p->any_statement = true;
    return line_end(p);
}

static bool statement(tparser *p)
{
    size_t at;
    const size_t n = peek_word(p, &at);
#define KW(w) (n == sizeof(w) - 1 && memcmp(p->s + at, w, n) == 0)
    if (KW("priorities")) {
        p->i += n;
        return priorities_line(p, at);
    }
    p->any_statement = true;
    if (KW("clock") || KW("policy") || KW("group-policy")) {
        p->i += n;
        return block_header(p, KW("clock") ? BLOCK_CLOCK : BLOCK_POLICY, at);
    }
    if (KW("start") || KW("stop") || (KW("pause") && p->block == BLOCK_CLOCK)) {
        if (p->block != BLOCK_CLOCK)
            return tfail(p, at, "start and stop lines belong to a clock block");
        const bool is_stop = KW("stop");
        const bool is_pause = KW("pause");
        p->i += n;
        if (is_pause) {
            p->clocks[p->nclocks - 1].npause++;
            return condition(p, at);
        }
        return trigger(p, is_stop, at);
    }
    if (KW("when")) {
        if (p->block != BLOCK_POLICY)
            return tfail(p, at, "when lines belong to a policy block");
        p->i += n;
        p->pols[p->npols - 1].nconditions++;
        return condition(p, at);
    }
    if (KW("customer-reply-opens")) {
        p->i += n;
        if (p->block != BLOCK_NONE)
            return tfail(p, at, "set-wide rules come before the first clock or policy");
        const bool yes = accept(p, "yes");
        const bool no = !yes && accept(p, "no");
        size_t vat;
        if (!yes && !no) {
            (void)peek_word(p, &vat);
            return tfail(p, vat, "expected yes or no");
        }
        if (!line_end(p))
            return false;
        if (p->flags_set)
            return tfail(p, at, "customer-reply-opens is already set");
        p->flags_set = true;
        p->flags = no ? CM_SLA_POLICY_NO_AUTO_OPEN : 0;
        return true;
    }
#undef KW
    if (p->block == BLOCK_CLOCK)
        return tfail(p, at, "a clock block has start, stop and pause lines");
    uint32_t slots;
    size_t metric_at;
    if (!metric_list(p, &slots, &metric_at))
        return false;
    size_t kat;
    if (peek_word(p, &kat) == 0 && at_end(p))
        return tfail(p, kat,
                     "expected a priority, pause, reopen or agent-created after the metric");
    const bool rule = accept(p, "pause") || accept(p, "reopen") || accept(p, "agent-created");
    if (rule) {
        if (p->block != BLOCK_NONE)
            return tfail(p, kat,
                         "pause, reopen and agent-created apply to the whole set: write "
                         "them before the first clock or policy");
        if (slots >> (SLA_GROUP_SLOT + 1))
            return tfail(p, metric_at, "custom clocks pause with pause lines in their block");
        if (p->s[kat] == 'p')
            return pause_line(p, slots, metric_at);
        if (p->s[kat] == 'r')
            return reopen_line(p, slots, metric_at);
        if (slots != (1u << CM_SLA_FIRST_REPLY))
            return tfail(p, metric_at, "agent-created is a rule of first-reply");
        if (p->agent_set)
            return tfail(p, metric_at, "agent-created is already set");
        p->agent_set = true;
        p->rule_pos[CM_SLA_FIRST_REPLY] = pos_at(p, metric_at);
        if (accept(p, "requester-comment"))
            p->rules[CM_SLA_FIRST_REPLY].agent_created = CM_SLA_AGENT_CREATED_REQUESTER_COMMENT;
        else if (accept(p, "not-applicable"))
            p->rules[CM_SLA_FIRST_REPLY].agent_created = CM_SLA_AGENT_CREATED_NOT_APPLICABLE;
        else {
            size_t vat;
            (void)peek_word(p, &vat);
            return tfail(p, vat, "expected not-applicable or requester-comment");
        }
        return line_end(p);
    }
    if (p->block == BLOCK_NONE) {
        if (p->nclocks > 0 || p->npols > 0)
            return tfail(p, metric_at, "targets belong in a policy block");
        if (p->top_goals == 0)
            p->top_pos = pos_at(p, metric_at);
    }
    const size_t before = p->ngoals;
    if (!target_line(p, slots, metric_at))
        return false;
    if (p->block == BLOCK_POLICY)
        p->pols[p->npols - 1].ngoals += p->ngoals - before;
    else
        p->top_goals += p->ngoals - before;
    return true;
}

static bool parse_lines(tparser *p)
{
    for (p->line = 1;; p->line++) {
        p->line_start = p->i;
        blanks(p);
        if (!at_end(p) && !statement(p))
            return false;
        while (cur(p) != '\0' && cur(p) != '\n')
            p->i++; /* the comment */
        if (cur(p) == '\0')
            return close_block(p);
        p->i++;
        if (p->line == UINT32_MAX)
            return tfail(p, p->i, "too many lines");
    }
}

/* The position of the element a build error is about. */
static tpos blame_pos(const tparser *p, const blame *b)
{
    switch (b->what) {
    case BLAME_PRIORITY:
        return p->prio_pos[b->i];
    case BLAME_RULE:
        return (tpos){1, 1}; /* mapped by the caller */
    case BLAME_CLOCK:
        return p->clock_pos[b->i];
    case BLAME_START:
        return p->trig_pos[(size_t)(p->clocks[b->i].start - p->trigs) + b->j];
    case BLAME_STOP:
        return p->trig_pos[(size_t)(p->clocks[b->i].stop - p->trigs) + b->j];
    case BLAME_PAUSE:
        return p->cond_pos[(size_t)(p->clocks[b->i].pause - p->conds) + b->j];
    case BLAME_POLICY:
        return p->pol_pos[b->i];
    case BLAME_COND:
        return p->cond_pos[(size_t)(p->pols[b->i].conditions - p->conds) + b->j];
    case BLAME_GOAL:
        return p->top_goals > 0 ? p->goal_pos[b->j]
                                : p->goal_pos[(size_t)(p->pols[b->i].goals - p->goals) + b->j];
    default:
        return (tpos){1, 1};
    }
}

cm_status cm_sla_policyset_parse(const char *text, const cm_allocator *alloc,
                                 cm_sla_policyset **out, cm_parse_error *err)
{
    CM_REQUIRE(text != NULL && out != NULL && cm__valid_allocator(alloc), CM_EINVAL);
    /* Bounds of what the text can hold, from its length and its lines. */
    size_t len = 0, lines = 1, commas = 0;
    for (; text[len] != '\0'; len++) {
        lines += text[len] == '\n';
        commas += text[len] == ',';
    }
    const size_t cap_lines = lines;
    const size_t cap_goals = lines * NMETRICS_TEXT;
    const size_t cap_vals = 2 * (commas + 3 * lines) + 8;
    const size_t cap_str = len + lines + 8;
    size_t size = ALIGN(cap_str) + ALIGN(cap_vals * sizeof(char *));
    size += cap_lines * (ALIGN(sizeof(cm_sla_condition)) + ALIGN(sizeof(tpos)));
    size += cap_lines * (ALIGN(sizeof(cm_sla_trigger)) + ALIGN(sizeof(tpos)) + 1);
    size += cap_goals * (ALIGN(sizeof(cm_sla_goal)) + sizeof(tpos));
    size += cap_lines * (ALIGN(sizeof(cm_sla_policy_def)) + sizeof(tpos)) + 128;
    tparser *p = cm__alloc(alloc, sizeof *p);
    unsigned char *block = cm__alloc(alloc, size);
    if (p == NULL || block == NULL) {
        cm__free(alloc, block);
        cm__free(alloc, p);
        return CM_ENOMEM;
    }
    memset(p, 0, sizeof *p);
    arena a = {block, 0, size};
    p->s = text;
    p->cap_lines = cap_lines;
    p->cap_goals = cap_goals;
    p->str = take(&a, cap_str);
    p->cap_str = cap_str;
    p->vals = take(&a, cap_vals * sizeof(char *));
    p->cap_vals = cap_vals;
    p->conds = take(&a, cap_lines * sizeof(cm_sla_condition));
    p->cond_pos = take(&a, cap_lines * sizeof(tpos));
    p->trigs = take(&a, cap_lines * sizeof(cm_sla_trigger));
    p->trig_pos = take(&a, cap_lines * sizeof(tpos));
    p->trig_stop = take(&a, cap_lines);
    p->goals = take(&a, cap_goals * sizeof(cm_sla_goal));
    p->goal_pos = take(&a, cap_goals * sizeof(tpos));
    p->pols = take(&a, cap_lines * sizeof(cm_sla_policy_def));
    p->pol_pos = take(&a, cap_lines * sizeof(tpos));
    cm_status st = CM_EPARSE;
    if (parse_lines(p)) {
        /* The rules of the metrics the text sets, from their defaults. */
        cm_sla_metric_rules rules[CM_SLA_METRIC_COUNT + 1];
        tpos rule_pos[CM_SLA_METRIC_COUNT + 1];
        size_t nrules = 0;
        for (int m = 0; m <= SLA_GROUP_SLOT; m++) {
            const bool agent = m == CM_SLA_FIRST_REPLY && p->agent_set;
            if (!p->pause_set[m] && !p->reopen_set[m] && !agent)
                continue;
            cm_sla_metric_rules r;
            memset(&r, 0, sizeof r);
            cm_sla_metric_options d = {0, CM_SLA_REOPEN_NEW_CYCLE};
            if (m < CM_SLA_METRIC_COUNT && cm_sla_metric_defaults((uint32_t)m, &d) != CM_OK)
                d = (cm_sla_metric_options){0, CM_SLA_REOPEN_REACTIVATE};
            r.metric = sla_metric_of_slot(m);
            r.pause = p->pause_set[m] ? p->rules[m].pause : d.pause;
            r.pause_statuses = p->pause_set[m] ? p->pause_names[m] : NULL;
            r.npause_statuses = p->pause_set[m] ? p->npause_names[m] : 0;
            r.reopen = p->reopen_set[m] ? p->rules[m].reopen : d.reopen;
            r.agent_created = agent ? p->rules[m].agent_created : 0;
            rule_pos[nrules] = p->rule_pos[m];
            rules[nrules++] = r;
        }
        cm_sla_policy_def single = {"default", CM_SLA_POLICY_REGULAR, 0, NULL, 0,
                                    p->goals,  p->top_goals};
        cm_sla_policyset_spec spec;
        memset(&spec, 0, sizeof spec);
        spec.priorities = p->prio_set ? p->prio : NULL;
        spec.npriorities = p->prio_set ? p->nprio : 0;
        spec.rules = rules;
        spec.nrules = nrules;
        spec.clocks = p->clocks;
        spec.nclocks = p->nclocks;
        spec.policies = p->top_goals > 0 || p->npols == 0 ? &single : p->pols;
        spec.npolicies = p->top_goals > 0 || p->npols == 0 ? 1 : p->npols;
        spec.flags = p->flags;
        blame b = {BLAME_SET, 0, 0, NULL};
        st = build(&spec, alloc, out, &b);
        if (st == CM_EINVAL) {
            /* A rule the grammar accepts but a set may not hold (a limit): say where. */
            tpos where = b.what == BLAME_RULE ? rule_pos[b.i] : blame_pos(p, &b);
            p->err.line = where.line;
            p->err.column = where.col;
            p->err.message = b.message;
            st = CM_EPARSE;
        }
    }
    if (st == CM_EPARSE && err != NULL)
        *err = p->err;
    cm__free(alloc, block);
    cm__free(alloc, p);
    return st;
}
