/*
 * libFuzzer target: cm_sla_policyset_parse. A rejected text must say where
 * (line and column inside the text) and why; an accepted set must answer its
 * queries consistently and replay a fixed ticket history (attributes, tags,
 * custom statuses, a group change, a schedule change, a reopen) into records
 * that keep the documented invariants, which a breakdown by policy, priority
 * and the first dimension counts and restores from its bytes.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/calendar.h>
#include <caremetrics/sla.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)  \
    do {             \
        if (!(cond)) \
            abort(); \
    } while (0)

#define T0 INT64_C(1741356000) /* Friday 2025-03-07 14:00 UTC, 09:00 in New York */
#define E(at, type, flags, value, name, text)                    \
    {                                                            \
        {T0 + (at), (type), (flags), (value)}, (name), (text), 0 \
    }

static const cm_sla_ticket_event history[] = {
    E(0, CM_SLA_EVENT_CREATED, 0, 2, NULL, NULL),
    E(0, CM_SLA_EVENT_ATTRIBUTE, 0, 0, "group", "Tier 1"),
    E(0, CM_SLA_EVENT_ATTRIBUTE, 0, 0, "organization", "VIP"),
    E(0, CM_SLA_EVENT_TAGS, 0, 0, NULL, "vip billing"),
    E(600, CM_SLA_EVENT_AGENT_REPLY, CM_SLA_EVENT_AUTOMATED, 0, NULL, NULL),
    E(1800, CM_SLA_EVENT_AGENT_REPLY, 0, 0, NULL, NULL),
    E(1800, CM_SLA_EVENT_STATUS, 0, CM_SLA_STATUS_PENDING, "Waiting for approval", NULL),
    E(7200, CM_SLA_EVENT_CUSTOMER_REPLY, 0, 0, NULL, NULL),
    E(7200, CM_SLA_EVENT_STATUS, 0, CM_SLA_STATUS_OPEN, NULL, NULL),
    E(9000, CM_SLA_EVENT_PRIORITY, 0, 1, NULL, NULL),
    E(9000, CM_SLA_EVENT_ATTRIBUTE, 0, 0, "group", "Tier 2"),
    E(9000, CM_SLA_EVENT_TAG_ADD, 0, 0, NULL, "escalated"),
    E(10800, CM_SLA_EVENT_STATUS, 0, CM_SLA_STATUS_ON_HOLD, NULL, NULL),
    E(12000, CM_SLA_EVENT_SCHEDULE, 0, 1, NULL, NULL),
    E(12000, CM_SLA_EVENT_AGENT_NOTE, 0, 0, NULL, NULL),
    E(14400, CM_SLA_EVENT_STATUS, 0, CM_SLA_STATUS_SOLVED, NULL, NULL),
    E(86400, CM_SLA_EVENT_CUSTOMER_REPLY, 0, 0, NULL, NULL),
    E(86400, CM_SLA_EVENT_REOPEN, 0, 0, NULL, NULL),
    E(86400, CM_SLA_EVENT_TAG_REMOVE, 0, 0, NULL, "vip"),
    E(90000, CM_SLA_EVENT_ATTRIBUTE, 0, 0, "group", NULL),
    E(90000, CM_SLA_EVENT_AGENT_REPLY, 0, 0, NULL, NULL),
};
#define NHISTORY (sizeof history / sizeof history[0])
#define CAP      (64 * NHISTORY)

static cm_sla_record out[CAP];

/* Every calendar index names New York hours (the replay crosses the DST change of
 * 9 March) and every history changes them on 10 March. */
static const cm_sla_calendars *calendars(void)
{
    static cm_calendar *office;
    static cm_calendar_history *hist;
    static const cm_calendar *cals[CM_SLA_MAX_CALENDARS];
    static const cm_calendar_history *hists[CM_SLA_MAX_CALENDARS];
    static cm_sla_calendars all;
    if (office == NULL) {
        CHECK(cm_calendar_parse("tz America/New_York\nmon-fri 09:00-17:00\n", &office, NULL) ==
              CM_OK);
        CHECK(cm_calendar_history_parse("tz America/New_York\nmon-fri 09:00-17:00\n"
                                        "from 2025-03-10\ntz America/New_York\n"
                                        "mon-sat 08:00-20:00\n",
                                        NULL, &hist, NULL) == CM_OK);
        for (size_t c = 0; c < CM_SLA_MAX_CALENDARS; c++) {
            cals[c] = office;
            hists[c] = hist;
        }
        all = (cm_sla_calendars){cals, CM_SLA_MAX_CALENDARS, hists, CM_SLA_MAX_CALENDARS};
    }
    return &all;
}

static void check_records(const cm_sla_policyset_shape *sh, size_t n, cm_time now)
{
    for (size_t i = 0; i < n; i++) {
        const cm_sla_record *r = &out[i];
        const cm_sla_instance *in = &r->instance;
        CHECK(i == 0 || in->metric >= out[i - 1].instance.metric);
        CHECK(in->state <= CM_SLA_BREACHED && in->priority <= sh->nlevels);
        CHECK(r->policy == CM_SLA_NO_POLICY || r->policy < sh->npolicies);
        CHECK(r->nwarnings <= CM_SLA_MAX_WARNINGS);
        if (in->state == CM_SLA_NOT_APPLICABLE)
            continue;
        CHECK(in->remaining == in->target - in->elapsed);
        CHECK(in->breached == (in->elapsed > in->target));
        CHECK(in->elapsed >= 0 && in->target > 0 && in->start <= now);
        if (in->state == CM_SLA_ACHIEVED || in->state == CM_SLA_BREACHED)
            CHECK(in->breached == (in->state == CM_SLA_BREACHED) && in->stop >= in->start);
        for (uint32_t w = 1; w < r->nwarnings; w++)
            CHECK(r->warn_percent[w] > r->warn_percent[w - 1]);
    }
    cm_sla_alarm alarm;
    const cm_status st = cm_sla_next_alarm(out, n, &alarm);
    CHECK(st == CM_OK || st == CM_ENODATA);
    if (st == CM_OK)
        CHECK(alarm.record < n && alarm.kind <= out[alarm.record].nwarnings);
}

static void check_breakdown(const cm_sla_policyset *set, const cm_sla_policyset_shape *sh, size_t n)
{
    const char *keys[3] = {"policy", "priority", NULL};
    size_t nkeys = 2;
    if (sh->ndimensions > 0) {
        CHECK(cm_sla_policyset_dimension(set, 0, &keys[nkeys], NULL, NULL) == CM_OK);
        /* An attribute named policy is not a key: that name is the policy's. */
        if (strcmp(keys[nkeys], "policy") != 0 && strcmp(keys[nkeys], "priority") != 0)
            nkeys++;
    }
    cm_sla_breakdown *b = NULL, *c = NULL;
    const cm_status st = cm_sla_breakdown_new(set, keys, nkeys, NULL, &b);
    if (st == CM_ERANGE)
        return;
    CHECK(st == CM_OK);
    CHECK(cm_sla_breakdown_add(b, out, n) == CM_OK);
    CHECK(cm_sla_breakdown_new(set, keys, nkeys, NULL, &c) == CM_OK);
    size_t need = 0;
    CHECK(cm_sla_breakdown_serialize(b, NULL, 0, &need) == CM_ENOSPC && need > 0);
    uint8_t *buf = malloc(need);
    if (buf != NULL) {
        size_t written = 0;
        CHECK(cm_sla_breakdown_serialize(b, buf, need, &written) == CM_OK && written == need);
        CHECK(cm_sla_breakdown_deserialize(c, buf, need) == CM_OK);
        CHECK(cm_sla_breakdown_deserialize(c, buf, need - 1) == CM_EPARSE);
        free(buf);
    }
    const uint32_t any[3] = {CM_SLA_ANY, CM_SLA_ANY, CM_SLA_ANY};
    for (uint32_t m = 0; m < 6; m++) {
        cm_sla_attainment_summary x, y;
        const cm_status sx = cm_sla_breakdown_result(b, m, any, 0.95, &x);
        const cm_status sy = cm_sla_breakdown_result(c, m, any, 0.95, &y);
        CHECK(sx == sy && (sx == CM_OK || sx == CM_ENODATA));
        if (sx == CM_OK)
            CHECK(x.achieved == y.achieved && x.breached == y.breached);
    }
    cm_sla_breakdown_free(b);
    cm_sla_breakdown_free(c);
}

static void check_set(const cm_sla_policyset *set)
{
    cm_sla_policyset_shape sh;
    CHECK(cm_sla_policyset_info(set, &sh) == CM_OK);
    CHECK(sh.npolicies <= CM_SLA_MAX_POLICIES && sh.nclocks <= CM_SLA_MAX_CUSTOM_METRICS);
    CHECK(sh.nlevels >= 1 && sh.nlevels <= CM_SLA_MAX_LEVELS);
    CHECK(sh.ndimensions <= CM_SLA_MAX_DIMENSIONS);
    CHECK(sh.ncalendars <= CM_SLA_MAX_CALENDARS && sh.nhistories <= CM_SLA_MAX_CALENDARS);
    for (uint32_t p = 0; p < sh.npolicies; p++) {
        const char *name = NULL;
        uint32_t kind = 9;
        CHECK(cm_sla_policyset_policy(set, p, &name, &kind) == CM_OK);
        CHECK(name != NULL && name[0] != '\0' && kind <= CM_SLA_POLICY_GROUP);
    }
    for (uint32_t c = 0; c < sh.nclocks; c++) {
        uint32_t m = 0;
        const char *name = cm_sla_policyset_metric_name(set, CM_SLA_CUSTOM_METRIC + c);
        CHECK(cm_sla_policyset_metric(set, name, &m) == CM_OK && m == CM_SLA_CUSTOM_METRIC + c);
    }
    /* The history's priority levels 1 and 2 must exist: skip sets with one level. */
    if (sh.nlevels < 2)
        return;
    for (size_t k = 1; k <= NHISTORY; k++) {
        size_t n = 0;
        const cm_time now = history[k - 1].event.at + 3600;
        const cm_status st =
            cm_sla_policyset_evaluate(set, calendars(), history, k, now, out, CAP, &n);
        CHECK(st == CM_OK);
        CHECK(n >= 6 && n <= (size_t)sh.nmetrics * k);
        check_records(&sh, n, now);
        if (k == NHISTORY)
            check_breakdown(set, &sh, n);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    uint32_t lines = 1;
    for (size_t i = 0; i < size && text[i] != '\0'; i++)
        lines += text[i] == '\n';
    cm_sla_policyset *set = NULL;
    cm_parse_error err = {0, 0, NULL};
    const cm_status st = cm_sla_policyset_parse(text, NULL, &set, &err);
    if (st == CM_OK) {
        check_set(set);
        cm_sla_policyset_free(set);
    } else {
        CHECK(st == CM_EPARSE && set == NULL);
        CHECK(err.message != NULL && err.line >= 1 && err.line <= lines && err.column >= 1);
    }
    free(text);
    return 0;
}
