/*
 * libFuzzer target: cm_sla_policy_parse. A rejected text must say where (line
 * and column inside the text) and why; an accepted policy must answer every
 * query consistently and replay a fixed ticket history into records that keep
 * the documented invariants (remaining = target - elapsed, breached exactly
 * when elapsed > target, stopped records judged by their breach), with every
 * business target measured on a New York calendar.
 * SPDX-License-Identifier: MIT
 */
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

static const cm_sla_event history[] = {
    {T0, CM_SLA_EVENT_CREATED, 0, CM_SLA_PRIORITY_NORMAL},
    {T0 + 600, CM_SLA_EVENT_AGENT_REPLY, CM_SLA_EVENT_AUTOMATED, 0},
    {T0 + 1800, CM_SLA_EVENT_AGENT_REPLY, 0, 0},
    {T0 + 1800, CM_SLA_EVENT_STATUS, 0, CM_SLA_STATUS_PENDING},
    {T0 + 7200, CM_SLA_EVENT_CUSTOMER_REPLY, 0, 0},
    {T0 + 9000, CM_SLA_EVENT_PRIORITY, 0, CM_SLA_PRIORITY_URGENT},
    {T0 + 10800, CM_SLA_EVENT_STATUS, 0, CM_SLA_STATUS_ON_HOLD},
    {T0 + 14400, CM_SLA_EVENT_STATUS, 0, CM_SLA_STATUS_SOLVED},
    {T0 + 86400, CM_SLA_EVENT_CUSTOMER_REPLY, 0, 0},
    {T0 + 90000, CM_SLA_EVENT_AGENT_REPLY, 0, 0},
};
#define NHISTORY (sizeof history / sizeof history[0])

static void check_policy(const cm_sla_policy *p)
{
    size_t ncal = 0;
    uint32_t flags = 0;
    CHECK(cm_sla_policy_info(p, &flags, &ncal) == CM_OK);
    CHECK((flags & ~CM_SLA_POLICY_NO_AUTO_OPEN) == 0 && ncal <= CM_SLA_MAX_CALENDARS);
    for (uint32_t m = 0; m < CM_SLA_METRIC_COUNT; m++) {
        cm_sla_metric_options o;
        CHECK(cm_sla_policy_options(p, m, &o) == CM_OK);
        CHECK(o.reopen <= CM_SLA_REOPEN_RESTART);
        for (uint32_t pr = 0; pr < CM_SLA_PRIORITY_COUNT; pr++) {
            cm_sla_target t;
            const cm_status st = cm_sla_policy_target(p, m, pr, &t);
            CHECK(st == CM_OK || st == CM_ENOTFOUND);
            if (st == CM_OK)
                CHECK(pr != CM_SLA_PRIORITY_NONE && t.metric == m && t.priority == pr &&
                      t.seconds >= 1 && t.seconds <= CM_SLA_MAX_TARGET_SECONDS &&
                      (t.calendar == CM_SLA_CALENDAR_TIME || (size_t)t.calendar < ncal));
        }
    }
    /* Every calendar index the grammar allows names one business calendar
     * (New York hours, so the replay crosses the DST change of 9 March). */
    static cm_calendar *office;
    static const cm_calendar *cals[CM_SLA_MAX_CALENDARS];
    if (office == NULL) {
        CHECK(cm_calendar_parse("tz America/New_York\nmon-fri 09:00-17:00\n2025-03-10 closed\n",
                                &office, NULL) == CM_OK);
        for (size_t c = 0; c < CM_SLA_MAX_CALENDARS; c++)
            cals[c] = office;
    }
    cm_sla_instance out[6 * NHISTORY];
    for (size_t k = 1; k <= NHISTORY; k++) {
        size_t n = 0;
        const cm_time now = history[k - 1].at + 3600;
        CHECK(cm_sla_evaluate(p, cals, ncal, history, NHISTORY, now, out, 6 * NHISTORY, &n) ==
              CM_OK);
        CHECK(n >= CM_SLA_METRIC_COUNT && n <= 6 * NHISTORY);
        for (size_t i = 0; i < n; i++) {
            const cm_sla_instance *in = &out[i];
            CHECK(in->metric < CM_SLA_METRIC_COUNT && in->state <= CM_SLA_BREACHED);
            CHECK(in->remaining == in->target - in->elapsed);
            CHECK(in->breached == (in->elapsed > in->target));
            if (in->state == CM_SLA_ACHIEVED || in->state == CM_SLA_BREACHED)
                CHECK(in->breached == (in->state == CM_SLA_BREACHED) && in->stop >= in->start);
            if (in->state != CM_SLA_NOT_APPLICABLE)
                CHECK(in->elapsed >= 0 && in->target > 0 && in->start <= now);
        }
        cm_sla_attainment acc;
        memset(&acc, 0, sizeof acc);
        CHECK(cm_sla_attainment_add(&acc, out, n) == CM_OK);
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
    cm_sla_policy *p = NULL;
    cm_parse_error err = {0, 0, NULL};
    const cm_status st = cm_sla_policy_parse(text, &p, &err);
    if (st == CM_OK) {
        check_policy(p);
        cm_sla_policy_free(p);
    } else {
        CHECK(st == CM_EPARSE);
        CHECK(err.message != NULL && err.line >= 1 && err.line <= lines && err.column >= 1);
    }
    free(text);
    return 0;
}
