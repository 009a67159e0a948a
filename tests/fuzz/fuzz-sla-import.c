/*
 * libFuzzer target: cm_sla_import. The first byte picks the format (Zendesk
 * audits, Zendesk ticket metric events, Jira issue) and whether unknown
 * entries are skipped; the rest is the export, in a buffer of exactly its
 * size (no NUL after it). A rejected export must say where (a line and column
 * inside it) and why; an accepted one must give events in time order, one
 * creation first, that a policy set with group and custom clocks replays
 * without error, records that keep the documented invariants.
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

#define MAX_RECORDS 4096

/* Every kind of target: conditions on imported attributes, a group policy, a custom clock. */
static const char set_text[] = "clock waiting\n"
                               "  start status-enter pending\n"
                               "  stop status-leave pending\n"
                               "policy vip\n"
                               "  when tags include vip\n"
                               "  when priority >= high\n"
                               "  first-reply * 30m calendar warn 50%,75%\n"
                               "  next-reply * 1h calendar\n"
                               "  waiting * 2h calendar\n"
                               "policy incidents\n"
                               "  when type is incident, \"[System] Incident\"\n"
                               "  total-resolution * 8h calendar warn 90%\n"
                               "policy default\n"
                               "  first-reply * 4h calendar\n"
                               "  requester-wait * 1d calendar\n"
                               "  agent-work * 1d calendar\n"
                               "  periodic-update * 4h calendar\n"
                               "group-policy ola\n"
                               "  group-ownership * 2h calendar warn 75%\n";

static cm_sla_record records[MAX_RECORDS];

static void check_ticket(const cm_sla_ticket *t, size_t len)
{
    static cm_sla_policyset *set;
    if (set == NULL)
        CHECK(cm_sla_policyset_parse(set_text, NULL, &set, NULL) == CM_OK);
    const cm_sla_ticket_event *ev = NULL;
    size_t n = 0, skipped = 0;
    const char *id = NULL;
    CHECK(cm_sla_ticket_events(t, &ev, &n) == CM_OK && ev != NULL && n >= 1);
    CHECK(cm_sla_ticket_info(t, &id, &skipped) == CM_OK && id != NULL && skipped <= len);
    size_t created = 0;
    for (size_t i = 0; i < n; i++) {
        CHECK(i == 0 || ev[i].event.at >= ev[i - 1].event.at);
        created += ev[i].event.type == CM_SLA_EVENT_CREATED;
        if (ev[i].name != NULL)
            (void)strlen(ev[i].name);
        if (ev[i].text != NULL)
            (void)strlen(ev[i].text);
    }
    CHECK(created == 1 && ev[0].event.type == CM_SLA_EVENT_CREATED);
    cm_sla_policyset_shape shape;
    CHECK(cm_sla_policyset_info(set, &shape) == CM_OK);
    const cm_time now = ev[n - 1].event.at + 3600;
    size_t count = 0;
    const cm_status st =
        cm_sla_policyset_evaluate(set, NULL, ev, n, now, records, MAX_RECORDS, &count);
    if (st == CM_ENOSPC) {
        CHECK(count > MAX_RECORDS && count <= (size_t)shape.nmetrics * n);
        return;
    }
    /* An instant within a year of 9999-12-31 leaves `now` out of range. */
    if (st == CM_ERANGE)
        return;
    CHECK(st == CM_OK);
    CHECK(count >= shape.nmetrics - (shape.nmetrics > 6 ? 1u : 0u));
    for (size_t i = 0; i < count; i++) {
        const cm_sla_instance *in = &records[i].instance;
        CHECK(in->state <= CM_SLA_BREACHED);
        if (in->state == CM_SLA_NOT_APPLICABLE)
            continue;
        CHECK(in->remaining == in->target - in->elapsed);
        CHECK(in->breached == (in->elapsed > in->target));
        CHECK(in->elapsed >= 0 && in->target > 0 && in->start <= now);
        CHECK(records[i].policy == CM_SLA_NO_POLICY || records[i].policy < shape.npolicies);
    }
    cm_sla_alarm alarm;
    const cm_status ast = cm_sla_next_alarm(records, count, &alarm);
    CHECK(ast == CM_OK || ast == CM_ENODATA);
    if (ast == CM_OK)
        CHECK(alarm.record < count && alarm.kind <= CM_SLA_MAX_WARNINGS);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const uint32_t format = 1u + data[0] % 3u;
    const cm_sla_import_options options = {(data[0] & 0x80u) ? CM_SLA_IMPORT_SKIP_UNKNOWN : 0u, 0,
                                           NULL, NULL, 0};
    const size_t len = size - 1;
    char *json = malloc(len > 0 ? len : 1);
    if (json == NULL)
        return 0;
    memcpy(json, data + 1, len);
    uint32_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += json[i] == '\n';
    cm_sla_ticket *t = NULL;
    cm_parse_error err = {0, 0, NULL};
    const cm_status st = cm_sla_import(format, json, len, &options, NULL, &t, &err);
    if (st == CM_OK) {
        check_ticket(t, len);
        cm_sla_ticket_free(t);
    } else {
        CHECK(st == CM_EPARSE && t == NULL);
        CHECK(err.message != NULL && err.line >= 1 && err.line <= lines && err.column >= 1);
    }
    free(json);
    return 0;
}
