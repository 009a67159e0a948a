/*
 * SLA policies: construction, queries and the text format (docs/sla.md).
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/sla.h>

#include <stdlib.h>
#include <string.h>

#include "common-internal.h"
#include "sla-internal.h"

const char *const cm__sla_metric_names[CM_SLA_METRIC_COUNT] = {
    "first-reply",    "next-reply", "periodic-update",
    "requester-wait", "agent-work", "total-resolution",
};
const char *const cm__sla_priority_names[CM_SLA_PRIORITY_COUNT] = {
    "none", "low", "normal", "high", "urgent",
};
const char *const cm__sla_status_names[CM_SLA_STATUS_COUNT] = {
    "new", "open", "pending", "on-hold", "solved", "closed",
};
static const char *const reopen_names[] = {"reactivate", "new-cycle", "restart"};

#define MAX_TARGETS (CM_SLA_METRIC_COUNT * CM_SLA_PRIORITY_LEVELS)

cm_status cm_sla_metric_defaults(uint32_t metric, cm_sla_metric_options *out)
{
    CM_REQUIRE(out != NULL && metric < CM_SLA_METRIC_COUNT, CM_EINVAL);
    cm_sla_metric_options o = {0, CM_SLA_REOPEN_REACTIVATE};
    /* Zendesk's definitions: requester wait counts new, open and on-hold;
     * agent work counts new and open only. */
    if (metric == CM_SLA_REQUESTER_WAIT)
        o.pause = CM_SLA_PAUSE(CM_SLA_STATUS_PENDING);
    else if (metric == CM_SLA_AGENT_WORK)
        o.pause = CM_SLA_PAUSE(CM_SLA_STATUS_PENDING) | CM_SLA_PAUSE(CM_SLA_STATUS_ON_HOLD);
    *out = o;
    return CM_OK;
}

static bool target_valid(const cm_sla_target *t)
{
    return t->metric < CM_SLA_METRIC_COUNT && t->priority >= CM_SLA_PRIORITY_LOW &&
           t->priority <= CM_SLA_PRIORITY_URGENT && t->seconds >= 1 &&
           t->seconds <= CM_SLA_MAX_TARGET_SECONDS &&
           (t->calendar == CM_SLA_CALENDAR_TIME ||
            (t->calendar >= 0 && t->calendar < CM_SLA_MAX_CALENDARS)) &&
           t->reserved == 0;
}

static bool options_valid(const cm_sla_metric_options *o)
{
    return (o->pause & ~(uint32_t)SLA_PAUSABLE) == 0 && o->reopen <= CM_SLA_REOPEN_RESTART;
}

/* Fills the derived fields: the distinct clocks of each metric. */
static void derive(cm_sla_policy *p)
{
    p->ncalendars = 0;
    for (int m = 0; m < CM_SLA_METRIC_COUNT; m++) {
        p->nkeys[m] = 0;
        for (int pr = 0; pr < CM_SLA_PRIORITY_COUNT; pr++) {
            p->key_of[m][pr] = SLA_NO_KEY;
            if (p->seconds[m][pr] == SLA_NO_TARGET)
                continue;
            const int32_t cal = p->calendar[m][pr];
            uint8_t k = 0;
            while (k < p->nkeys[m] && p->key_calendar[m][k] != cal)
                k++;
            if (k == p->nkeys[m])
                p->key_calendar[m][p->nkeys[m]++] = cal;
            p->key_of[m][pr] = k;
            if (cal >= 0 && (size_t)cal + 1 > p->ncalendars)
                p->ncalendars = (size_t)cal + 1;
        }
    }
    cm__sla_plan_policy(p);
}

cm_status cm_sla_policy_new_with_allocator(const cm_sla_target *targets, size_t ntargets,
                                           const cm_sla_metric_options *options, uint32_t flags,
                                           const cm_allocator *alloc, cm_sla_policy **out)
{
    CM_REQUIRE(out != NULL && (ntargets == 0 || targets != NULL), CM_EINVAL);
    CM_REQUIRE(cm__valid_allocator(alloc), CM_EINVAL);
    CM_REQUIRE(ntargets <= MAX_TARGETS, CM_EINVAL);
    CM_REQUIRE((flags & ~CM_SLA_POLICY_NO_AUTO_OPEN) == 0, CM_EINVAL);
    bool seen[CM_SLA_METRIC_COUNT][CM_SLA_PRIORITY_COUNT] = {{false}};
    for (size_t i = 0; i < ntargets; i++) {
        CM_REQUIRE(target_valid(&targets[i]), CM_EINVAL);
        CM_REQUIRE(!seen[targets[i].metric][targets[i].priority], CM_EINVAL);
        seen[targets[i].metric][targets[i].priority] = true;
    }
    if (options != NULL) {
        for (int m = 0; m < CM_SLA_METRIC_COUNT; m++)
            CM_REQUIRE(options_valid(&options[m]), CM_EINVAL);
    }
    cm_sla_policy *p = cm__alloc(alloc, sizeof *p);
    CM_REQUIRE(p != NULL, CM_ENOMEM);
    memset(p, 0, sizeof *p);
    if (alloc != NULL) {
        p->alloc = *alloc;
        p->has_alloc = true;
    }
    for (int m = 0; m < CM_SLA_METRIC_COUNT; m++) {
        for (int pr = 0; pr < CM_SLA_PRIORITY_COUNT; pr++) {
            p->seconds[m][pr] = SLA_NO_TARGET;
            p->calendar[m][pr] = CM_SLA_CALENDAR_TIME;
        }
        if (options != NULL)
            p->options[m] = options[m];
        else if (cm_sla_metric_defaults((uint32_t)m, &p->options[m]) != CM_OK)
            p->options[m] = (cm_sla_metric_options){0, CM_SLA_REOPEN_REACTIVATE};
    }
    for (size_t i = 0; i < ntargets; i++) {
        p->seconds[targets[i].metric][targets[i].priority] = targets[i].seconds;
        p->calendar[targets[i].metric][targets[i].priority] = targets[i].calendar;
    }
    p->flags = flags;
    derive(p);
    *out = p;
    return CM_OK;
}

cm_status cm_sla_policy_new(const cm_sla_target *targets, size_t ntargets,
                            const cm_sla_metric_options *options, uint32_t flags,
                            cm_sla_policy **out)
{
    return cm_sla_policy_new_with_allocator(targets, ntargets, options, flags, NULL, out);
}

void cm_sla_policy_free(cm_sla_policy *policy)
{
    if (policy == NULL)
        return;
    const cm_allocator a = policy->alloc;
    cm__free(policy->has_alloc ? &a : NULL, policy);
}

cm_status cm_sla_policy_target(const cm_sla_policy *policy, uint32_t metric, uint32_t priority,
                               cm_sla_target *out)
{
    CM_REQUIRE(policy != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(metric < CM_SLA_METRIC_COUNT && priority < CM_SLA_PRIORITY_COUNT, CM_EINVAL);
    CM_REQUIRE(policy->seconds[metric][priority] != SLA_NO_TARGET, CM_ENOTFOUND);
    cm_sla_target t;
    t.metric = metric;
    t.priority = priority;
    t.seconds = policy->seconds[metric][priority];
    t.calendar = policy->calendar[metric][priority];
    t.reserved = 0;
    *out = t;
    return CM_OK;
}

cm_status cm_sla_policy_options(const cm_sla_policy *policy, uint32_t metric,
                                cm_sla_metric_options *out)
{
    CM_REQUIRE(policy != NULL && out != NULL && metric < CM_SLA_METRIC_COUNT, CM_EINVAL);
    *out = policy->options[metric];
    return CM_OK;
}

cm_status cm_sla_policy_info(const cm_sla_policy *policy, uint32_t *flags, size_t *calendars)
{
    CM_REQUIRE(policy != NULL, CM_EINVAL);
    if (flags != NULL)
        *flags = policy->flags;
    if (calendars != NULL)
        *calendars = policy->ncalendars;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Text format                                                            */
/* ---------------------------------------------------------------------- */

/* A token of the current line: [p, p + len), starting at 1-based column col. */
typedef struct token {
    const char *p;
    size_t len;
    uint32_t col;
} token;

#define MAX_TOKENS 6

typedef struct parser {
    uint32_t line;
    cm_parse_error err;
    cm_sla_target targets[MAX_TARGETS];
    size_t ntargets;
    bool target_line[CM_SLA_METRIC_COUNT][CM_SLA_PRIORITY_COUNT];
    cm_sla_metric_options options[CM_SLA_METRIC_COUNT];
    bool pause_set[CM_SLA_METRIC_COUNT], reopen_set[CM_SLA_METRIC_COUNT];
    bool flags_set;
    uint32_t flags;
} parser;

/* Records an error at a column of the current line; always returns false. */
static bool fail(parser *ps, uint32_t col, const char *message)
{
    ps->err.line = ps->line;
    ps->err.column = col;
    ps->err.message = message;
    return false;
}

static bool tok_is(const token *t, const char *word)
{
    const size_t n = strlen(word);
    return t->len == n && memcmp(t->p, word, n) == 0;
}

/* Index of the name equal to [p, p + len) among n names, or -1. */
static int lookup(const char *p, size_t len, const char *const *names, int n)
{
    for (int i = 0; i < n; i++) {
        if (strlen(names[i]) == len && memcmp(names[i], p, len) == 0)
            return i;
    }
    return -1;
}

/*
 * Splits a comma-separated list of names, "*" meaning all of them, into a
 * bit set. `first` skips names below it (priority none is not a priority of
 * the list). The parts of `t` are located for the error column.
 */
static bool parse_list(parser *ps, const token *t, const char *const *names, int first, int n,
                       const char *message, uint32_t *set)
{
    *set = 0;
    if (tok_is(t, "*")) {
        for (int i = first; i < n; i++)
            *set |= 1u << i;
        return true;
    }
    size_t i = 0;
    while (i <= t->len) {
        size_t j = i;
        while (j < t->len && t->p[j] != ',')
            j++;
        const int v = lookup(t->p + i, j - i, names + first, n - first);
        if (v < 0)
            return fail(ps, t->col + (uint32_t)i, message);
        *set |= 1u << (v + first);
        i = j + 1;
    }
    return true;
}

/*
 * A duration: one or more terms <digits><unit>, units d, h, m, s, each at
 * most once and from the largest down (1d12h, 1h30m, 90m, 45s).
 */
static bool parse_duration(parser *ps, const token *t, bool business, int64_t *out)
{
    size_t at = 0;
    const char *message = NULL;
    if (!cm__sla_duration(t->p, t->len, business, out, &at, &message))
        return fail(ps, t->col + (uint32_t)at, message);
    return true;
}

static bool parse_uint(const token *t, uint32_t max, uint32_t *out)
{
    if (t->len == 0 || t->len > 6)
        return false;
    uint32_t v = 0;
    for (size_t i = 0; i < t->len; i++) {
        if (t->p[i] < '0' || t->p[i] > '9')
            return false;
        v = v * 10 + (uint32_t)(t->p[i] - '0');
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

static bool expect_end(parser *ps, const token *tok, int ntok, int used)
{
    if (ntok > used)
        return fail(ps, tok[used].col, "unexpected text at the end of the line");
    return true;
}

/* METRICS PRIORITIES DURATION (calendar | business [N]) */
static bool parse_target(parser *ps, const token *tok, int ntok, uint32_t metrics)
{
    uint32_t prios;
    if (!parse_list(ps, &tok[1], cm__sla_priority_names, CM_SLA_PRIORITY_LOW, CM_SLA_PRIORITY_COUNT,
                    "unknown priority: use urgent, high, normal, low or *", &prios))
        return false;
    if (ntok < 3)
        return fail(ps, tok[1].col + (uint32_t)tok[1].len, "expected a duration such as 4h");
    if (ntok < 4)
        return fail(ps, tok[2].col + (uint32_t)tok[2].len,
                    "expected the clock: calendar or business");
    int32_t calendar = CM_SLA_CALENDAR_TIME;
    int used = 4;
    bool business = false;
    if (tok_is(&tok[3], "business")) {
        business = true;
        calendar = 0;
        if (ntok > 4) {
            uint32_t idx;
            if (!parse_uint(&tok[4], CM_SLA_MAX_CALENDARS - 1, &idx))
                return fail(ps, tok[4].col, "expected a calendar index 0..63");
            calendar = (int32_t)idx;
            used = 5;
        }
    } else if (!tok_is(&tok[3], "calendar")) {
        return fail(ps, tok[3].col, "unknown clock: use calendar or business");
    }
    int64_t seconds;
    if (!parse_duration(ps, &tok[2], business, &seconds) || !expect_end(ps, tok, ntok, used))
        return false;
    for (int m = 0; m < CM_SLA_METRIC_COUNT; m++) {
        for (int p = CM_SLA_PRIORITY_LOW; p < CM_SLA_PRIORITY_COUNT; p++) {
            if (!(metrics & (1u << m)) || !(prios & (1u << p)))
                continue;
            if (ps->target_line[m][p])
                return fail(ps, tok[0].col, "a target for this metric and priority is already set");
            ps->target_line[m][p] = true;
            cm_sla_target *t = &ps->targets[ps->ntargets++];
            t->metric = (uint32_t)m;
            t->priority = (uint32_t)p;
            t->seconds = seconds;
            t->calendar = calendar;
            t->reserved = 0;
        }
    }
    return true;
}

/* METRICS pause (none | STATUS[,STATUS...]) */
static bool parse_pause(parser *ps, const token *tok, int ntok, uint32_t metrics)
{
    if (ntok < 3)
        return fail(ps, tok[1].col + (uint32_t)tok[1].len,
                    "expected none or a list of statuses (new, open, pending, on-hold)");
    uint32_t mask = 0;
    if (!tok_is(&tok[2], "none")) {
        if (!parse_list(ps, &tok[2], cm__sla_status_names, 0, CM_SLA_STATUS_COUNT,
                        "unknown status: use new, open, pending or on-hold", &mask))
            return false;
        if (mask & ~(uint32_t)SLA_PAUSABLE)
            return fail(ps, tok[2].col, "solved and closed stop the clock; they cannot pause it");
    }
    if (!expect_end(ps, tok, ntok, 3))
        return false;
    for (int m = 0; m < CM_SLA_METRIC_COUNT; m++) {
        if (!(metrics & (1u << m)))
            continue;
        if (ps->pause_set[m])
            return fail(ps, tok[0].col, "the pause statuses of this metric are already set");
        ps->pause_set[m] = true;
        ps->options[m].pause = mask;
    }
    return true;
}

/* METRICS reopen (reactivate | new-cycle | restart) */
static bool parse_reopen(parser *ps, const token *tok, int ntok, uint32_t metrics)
{
    if (ntok < 3)
        return fail(ps, tok[1].col + (uint32_t)tok[1].len,
                    "expected reactivate, new-cycle or restart");
    const int r = lookup(tok[2].p, tok[2].len, reopen_names, 3);
    if (r < 0)
        return fail(ps, tok[2].col,
                    "unknown reopen behaviour: use reactivate, new-cycle or restart");
    if (!expect_end(ps, tok, ntok, 3))
        return false;
    for (int m = 0; m < CM_SLA_METRIC_COUNT; m++) {
        if (!(metrics & (1u << m)))
            continue;
        if (ps->reopen_set[m])
            return fail(ps, tok[0].col, "the reopen behaviour of this metric is already set");
        ps->reopen_set[m] = true;
        ps->options[m].reopen = (uint32_t)r;
    }
    return true;
}

static bool parse_statement(parser *ps, const token *tok, int ntok)
{
    if (tok_is(&tok[0], "customer-reply-opens")) {
        if (ntok < 2)
            return fail(ps, tok[0].col + (uint32_t)tok[0].len, "expected yes or no");
        if (!tok_is(&tok[1], "yes") && !tok_is(&tok[1], "no"))
            return fail(ps, tok[1].col, "expected yes or no");
        if (!expect_end(ps, tok, ntok, 2))
            return false;
        if (ps->flags_set)
            return fail(ps, tok[0].col, "customer-reply-opens is already set");
        ps->flags_set = true;
        ps->flags = tok_is(&tok[1], "no") ? CM_SLA_POLICY_NO_AUTO_OPEN : 0;
        return true;
    }
    uint32_t metrics;
    if (!parse_list(ps, &tok[0], cm__sla_metric_names, 0, CM_SLA_METRIC_COUNT,
                    "unknown metric: use first-reply, next-reply, periodic-update, "
                    "requester-wait, agent-work, total-resolution or *",
                    &metrics))
        return false;
    if (ntok < 2)
        return fail(ps, tok[0].col + (uint32_t)tok[0].len,
                    "expected a priority, pause or reopen after the metric");
    if (tok_is(&tok[1], "pause"))
        return parse_pause(ps, tok, ntok, metrics);
    if (tok_is(&tok[1], "reopen"))
        return parse_reopen(ps, tok, ntok, metrics);
    return parse_target(ps, tok, ntok, metrics);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Parses every line; on failure ps->err says where. */
static bool parse_text(parser *ps, const char *text)
{
    const char *p = text;
    for (ps->line = 1;; ps->line++) {
        const char *line = p;
        token tok[MAX_TOKENS];
        int ntok = 0;
        while (*p != '\0' && *p != '\n' && *p != '#') {
            if (is_blank(*p)) {
                p++;
                continue;
            }
            const char *start = p;
            while (*p != '\0' && *p != '\n' && *p != '#' && !is_blank(*p))
                p++;
            const uint32_t col = (uint32_t)(start - line) + 1;
            if (ntok == MAX_TOKENS)
                return fail(ps, col, "unexpected text at the end of the line");
            tok[ntok].p = start;
            tok[ntok].len = (size_t)(p - start);
            tok[ntok].col = col;
            ntok++;
        }
        if (ntok > 0 && !parse_statement(ps, tok, ntok))
            return false;
        while (*p != '\0' && *p != '\n')
            p++; /* the comment */
        if (*p == '\0')
            return true;
        p++;
        if (ps->line == UINT32_MAX)
            return fail(ps, 1, "too many lines");
    }
}

cm_status cm_sla_policy_parse_with_allocator(const char *text, const cm_allocator *alloc,
                                             cm_sla_policy **out, cm_parse_error *err)
{
    CM_REQUIRE(text != NULL && out != NULL && cm__valid_allocator(alloc), CM_EINVAL);
    parser ps;
    memset(&ps, 0, sizeof ps);
    for (int m = 0; m < CM_SLA_METRIC_COUNT; m++) {
        if (cm_sla_metric_defaults((uint32_t)m, &ps.options[m]) != CM_OK)
            ps.options[m] = (cm_sla_metric_options){0, CM_SLA_REOPEN_REACTIVATE};
    }
    if (!parse_text(&ps, text)) {
        if (err != NULL)
            *err = ps.err;
        return CM_EPARSE;
    }
    return cm_sla_policy_new_with_allocator(ps.targets, ps.ntargets, ps.options, ps.flags, alloc,
                                            out);
}

cm_status cm_sla_policy_parse(const char *text, cm_sla_policy **out, cm_parse_error *err)
{
    return cm_sla_policy_parse_with_allocator(text, NULL, out, err);
}
