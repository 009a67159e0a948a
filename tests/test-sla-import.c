/*
 * Tests of the importers (cm_sla_import): the hand-made exports of
 * examples/data read into the events listed by hand below, the clocks of
 * those tickets worked out by hand, and every kind of bad input.
 * SPDX-License-Identifier: MIT
 */
#include "test-sla.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#ifndef CM_TEST_DATA
#define CM_TEST_DATA "examples/data"
#endif

/* Monday 2025-01-06 00:00:00 UTC. */
#define MON         INT64_C(1736121600)
#define AT(d, h, m) (MON + (int64_t)(d)*86400 + (int64_t)(h)*3600 + (int64_t)(m)*60)
#define H(x)        ((int64_t)(x)*3600)
#define MIN(x)      ((int64_t)(x)*60)

#define CREATED  CM_SLA_EVENT_CREATED
#define CUSTOMER CM_SLA_EVENT_CUSTOMER_REPLY
#define AGENT    CM_SLA_EVENT_AGENT_REPLY
#define NOTE     CM_SLA_EVENT_AGENT_NOTE
#define STATUS   CM_SLA_EVENT_STATUS
#define ATTR     CM_SLA_EVENT_ATTRIBUTE
#define TAGS     CM_SLA_EVENT_TAGS
#define AUTO     CM_SLA_EVENT_AUTOMATED
#define NUMBER   CM_SLA_EVENT_NUMBER

/* An expected event: at, type, flags, value, name, text, number. */
typedef struct xev {
    cm_time at;
    uint16_t type, flags;
    uint32_t value;
    const char *name, *text;
    int64_t number;
} xev;

static char *slurp(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", CM_TEST_DATA, name);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    static char buf[1 << 16];
    *len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return buf;
}

static cm_sla_ticket *import_file(uint32_t format, const char *name)
{
    size_t len = 0;
    const char *json = slurp(name, &len);
    cm_sla_ticket *t = NULL;
    cm_parse_error err = {0, 0, NULL};
    const cm_status st = cm_sla_import(format, json, len, NULL, NULL, &t, &err);
    ck_assert_msg(st == CM_OK, "%s: %s at %u:%u", name, err.message ? err.message : "?",
                  (unsigned)err.line, (unsigned)err.column);
    return t;
}

static bool same_str(const char *a, const char *b)
{
    return (a == NULL) == (b == NULL) && (a == NULL || strcmp(a, b) == 0);
}

static void check_events(const cm_sla_ticket *t, const xev *want, size_t n)
{
    const cm_sla_ticket_event *ev = NULL;
    size_t got = 0;
    ck_assert_status(cm_sla_ticket_events(t, &ev, &got), CM_OK);
    ck_assert_uint_eq(got, n);
    for (size_t i = 0; i < n; i++) {
        const cm_sla_ticket_event *e = &ev[i];
        ck_assert_msg(e->event.at == want[i].at && e->event.type == want[i].type &&
                          e->event.flags == want[i].flags && e->event.value == want[i].value &&
                          same_str(e->name, want[i].name) && same_str(e->text, want[i].text) &&
                          e->number == want[i].number,
                      "event %zu: at %lld type %u flags %u value %u name %s text %s number %lld", i,
                      (long long)e->event.at, e->event.type, e->event.flags, e->event.value,
                      e->name ? e->name : "(null)", e->text ? e->text : "(null)",
                      (long long)e->number);
    }
}

/* ---- Zendesk audits -------------------------------------------------------------- */

/*
 * examples/data/zendesk-audits.json, audit by audit: the creation by the
 * requester (its description is part of it) with its fields, requester_id
 * read but not an event; a trigger's auto-acknowledgement (via rule:
 * automated); an internal note; a public reply and pending; the
 * requester's reply and open; priority high and group 360002; on-hold with
 * a note; reply and solve with new tags; the requester's reply reopening it.
 */
static const xev zendesk_events[] = {
    {AT(0, 9, 0), CREATED, 0, 0, NULL, NULL, 0},
    {AT(0, 9, 0), ATTR, 0, 0, "subject", "Invoice shows the wrong VAT number", 0},
    {AT(0, 9, 0), STATUS, 0, CM_SLA_STATUS_NEW, NULL, NULL, 0},
    {AT(0, 9, 0), ATTR, 0, 0, "priority", "normal", 0},
    {AT(0, 9, 0), ATTR, 0, 0, "type", "incident", 0},
    {AT(0, 9, 0), ATTR, 0, 0, "group", "360001", 0},
    {AT(0, 9, 0), ATTR, 0, 0, "organization", "370001", 0},
    {AT(0, 9, 0), ATTR, 0, 0, "brand", "380001", 0},
    {AT(0, 9, 0), TAGS, 0, 0, NULL, "billing vip", 0},
    {AT(0, 9, 0), ATTR, 0, 0, "360012345678", "gold", 0},
    {AT(0, 9, 0) + 5, AGENT, AUTO, 0, NULL, NULL, 0},
    {AT(0, 9, 20), NOTE, 0, 0, NULL, NULL, 0},
    {AT(0, 9, 45), AGENT, 0, 0, NULL, NULL, 0},
    {AT(0, 9, 45), STATUS, 0, CM_SLA_STATUS_PENDING, NULL, NULL, 0},
    {AT(0, 9, 45), ATTR, 0, 0, "assignee", "800001", 0},
    {AT(0, 11, 0), CUSTOMER, 0, 0, NULL, NULL, 0},
    {AT(0, 11, 0), STATUS, 0, CM_SLA_STATUS_OPEN, NULL, NULL, 0},
    {AT(0, 11, 30), ATTR, 0, 0, "priority", "high", 0},
    {AT(0, 11, 30), ATTR, 0, 0, "group", "360002", 0},
    {AT(0, 11, 30), ATTR, 0, 0, "assignee", NULL, 0},
    {AT(0, 12, 0), NOTE, 0, 0, NULL, NULL, 0},
    {AT(0, 12, 0), STATUS, 0, CM_SLA_STATUS_ON_HOLD, NULL, NULL, 0},
    {AT(0, 12, 0), ATTR, 0, 0, "assignee", "800002", 0},
    {AT(0, 14, 0), AGENT, 0, 0, NULL, NULL, 0},
    {AT(0, 14, 0), STATUS, 0, CM_SLA_STATUS_SOLVED, NULL, NULL, 0},
    {AT(0, 14, 0), TAGS, 0, 0, NULL, "billing vat vip", 0},
    {AT(1, 9, 0), CUSTOMER, 0, 0, NULL, NULL, 0},
    {AT(1, 9, 0), STATUS, 0, CM_SLA_STATUS_OPEN, NULL, NULL, 0},
};

START_TEST(zendesk_audits_events)
{
    cm_sla_ticket *t = import_file(CM_SLA_IMPORT_ZENDESK_AUDITS, "zendesk-audits.json");
    check_events(t, zendesk_events, NELEM(zendesk_events));
    const char *id = NULL;
    size_t skipped = 9;
    ck_assert_status(cm_sla_ticket_info(t, &id, &skipped), CM_OK);
    ck_assert_str_eq(id, "4711");
    ck_assert_uint_eq(skipped, 0);
    cm_sla_ticket_free(t);
}
END_TEST

START_TEST(zendesk_audits_clocks)
{
    /*
     * The imported ticket under a set keyed on its tag, evaluated Tuesday 10:00:
     *  first reply     09:00-09:45 = 45 min of 1 h, achieved (the 09:00:05
     *                  auto-acknowledgement does not count), due 10:00
     *  next reply #1   11:00-14:00 = 3 h of 2 h, breached at 13:00
     *  next reply #2   Tuesday 09:00 (reopen), 1 h of 2 h, due 11:00
     *  requester wait  45 min + 11:00-14:00 (on-hold counts) 3 h = 3h45m,
     *                  reactivated Tuesday 09:00: 4h45m of 8 h, due
     *                  Tuesday 09:00 + 4h15m = 13:15
     *  agent work      45 min + 11:00-12:00 = 1h45m, + 1 h Tuesday = 2h45m of
     *                  4 h, due 09:00 + 2h15m = 11:15
     *  group 360001    09:00-11:30, 2h30m of 2 h, breached at 11:00
     *  group 360002    11:30-14:00, 2h30m, breached at 13:30; a new span from
     *                  the reopen: 1 h, due 11:00
     */
    cm_sla_ticket *t = import_file(CM_SLA_IMPORT_ZENDESK_AUDITS, "zendesk-audits.json");
    cm_sla_policyset *set = NULL;
    ck_assert_status(cm_sla_policyset_parse("policy vip\n"
                                            "  when tags include vip\n"
                                            "  first-reply * 1h calendar\n"
                                            "  next-reply * 2h calendar\n"
                                            "  requester-wait * 8h calendar\n"
                                            "  agent-work * 4h calendar\n"
                                            "group-policy ola\n"
                                            "  group-ownership * 2h calendar\n",
                                            NULL, &set, NULL),
                     CM_OK);
    const cm_sla_ticket_event *ev = NULL;
    size_t nev = 0;
    ck_assert_status(cm_sla_ticket_events(t, &ev, &nev), CM_OK);
    cm_sla_record out[64];
    size_t n = 0;
    ck_assert_status(cm_sla_policyset_evaluate(set, NULL, ev, nev, AT(1, 10, 0), out, 64, &n),
                     CM_OK);
    static const struct {
        uint32_t metric, cycle, state;
        int64_t elapsed, target;
        cm_time due;
        uint32_t event;
    } want[] = {
        {CM_SLA_FIRST_REPLY, 1, CM_SLA_ACHIEVED, MIN(45), H(1), AT(0, 10, 0), CM_SLA_NO_EVENT},
        {CM_SLA_NEXT_REPLY, 1, CM_SLA_BREACHED, H(3), H(2), AT(0, 13, 0), CM_SLA_NO_EVENT},
        {CM_SLA_NEXT_REPLY, 2, CM_SLA_ACTIVE, H(1), H(2), AT(1, 11, 0), CM_SLA_NO_EVENT},
        {CM_SLA_REQUESTER_WAIT, 1, CM_SLA_ACTIVE, MIN(285), H(8), AT(1, 13, 15), CM_SLA_NO_EVENT},
        {CM_SLA_AGENT_WORK, 1, CM_SLA_ACTIVE, MIN(165), H(4), AT(1, 11, 15), CM_SLA_NO_EVENT},
        {CM_SLA_GROUP_OWNERSHIP, 1, CM_SLA_BREACHED, MIN(150), H(2), AT(0, 11, 0), 5},
        {CM_SLA_GROUP_OWNERSHIP, 2, CM_SLA_BREACHED, MIN(150), H(2), AT(0, 13, 30), 18},
        {CM_SLA_GROUP_OWNERSHIP, 3, CM_SLA_ACTIVE, H(1), H(2), AT(1, 11, 0), 18},
    };
    for (size_t w = 0; w < NELEM(want); w++) {
        const cm_sla_record *r = NULL;
        for (size_t i = 0; i < n && r == NULL; i++) {
            if (out[i].instance.metric == want[w].metric && out[i].instance.cycle == want[w].cycle)
                r = &out[i];
        }
        ck_assert_msg(r != NULL, "row %zu: no record", w);
        ck_assert_msg(
            r->instance.state == want[w].state && r->instance.elapsed == want[w].elapsed &&
                r->instance.target == want[w].target && r->instance.due == want[w].due &&
                r->event == want[w].event && r->policy == (w >= 5 ? 1u : 0u),
            "row %zu: %s elapsed %lld target %lld due %lld event %u policy %u", w,
            cm_sla_state_name(r->instance.state), (long long)r->instance.elapsed,
            (long long)r->instance.target, (long long)r->instance.due, r->event, r->policy);
    }
    ck_assert_uint_eq(out[0].instance.priority, 2); /* normal at its stop (09:45) */
    cm_sla_policyset_free(set);
    cm_sla_ticket_free(t);
}
END_TEST

/* ---- Zendesk ticket metric events ------------------------------------------------- */

/*
 * examples/data/zendesk-metric-events.json (listed out of order at the end):
 * reply_time 1 activates at creation (a customer's ticket), is fulfilled at
 * 09:45 (a reply) when requester wait and agent work pause (pending);
 * reply_time 2 activates at 11:00 (the customer writes) with both clocks
 * resuming (open); agent work alone pauses 12:00-13:00 (on-hold); 14:00 a
 * reply and every clock fulfilled (solved). apply_sla, breach,
 * update_status and the update and group clocks are not needed.
 */
static const xev metric_events[] = {
    {AT(0, 9, 0), CREATED, 0, 0, NULL, NULL, 0},
    {AT(0, 9, 45), AGENT, 0, 0, NULL, NULL, 0},
    {AT(0, 9, 45), STATUS, 0, CM_SLA_STATUS_PENDING, NULL, NULL, 0},
    {AT(0, 11, 0), CUSTOMER, 0, 0, NULL, NULL, 0},
    {AT(0, 11, 0), STATUS, 0, CM_SLA_STATUS_OPEN, NULL, NULL, 0},
    {AT(0, 12, 0), STATUS, 0, CM_SLA_STATUS_ON_HOLD, NULL, NULL, 0},
    {AT(0, 13, 0), STATUS, 0, CM_SLA_STATUS_OPEN, NULL, NULL, 0},
    {AT(0, 14, 0), AGENT, 0, 0, NULL, NULL, 0},
    {AT(0, 14, 0), STATUS, 0, CM_SLA_STATUS_SOLVED, NULL, NULL, 0},
};

START_TEST(zendesk_metric_events)
{
    cm_sla_ticket *t =
        import_file(CM_SLA_IMPORT_ZENDESK_METRIC_EVENTS, "zendesk-metric-events.json");
    check_events(t, metric_events, NELEM(metric_events));
    const char *id = NULL;
    ck_assert_status(cm_sla_ticket_info(t, &id, NULL), CM_OK);
    ck_assert_str_eq(id, "4712");
    cm_sla_ticket_free(t);
}
END_TEST

/* ---- Jira --------------------------------------------------------------------------- */

/*
 * examples/data/jira-issue.json: the fields hold today's values, the
 * changelog (newest first) the changes. Values at creation: the issue type
 * and labels never changed (today's); status, priority, assignee, Team and
 * resolution from the "from" side of their earliest change. Then each change
 * at its instant, and the comments (public: replies, the reporter's the
 * customer's; jsdPublic false: a note).
 */
static const xev jira_events[] = {
    {AT(0, 9, 0), CREATED, 0, 0, NULL, NULL, 0},
    {AT(0, 9, 0), ATTR, 0, 0, "type", "[System] Incident", 0},
    {AT(0, 9, 0), TAGS, 0, 0, NULL, "network", 0},
    {AT(0, 9, 0), STATUS, 0, CM_SLA_STATUS_OPEN, "Waiting for support", NULL, 0},
    {AT(0, 9, 0), ATTR, 0, 0, "assignee", NULL, 0},
    {AT(0, 9, 0), ATTR, 0, 0, "priority", "Medium", 0},
    {AT(0, 9, 0), ATTR, 0, 0, "Team", "Service Desk", 0},
    {AT(0, 9, 0), ATTR, 0, 0, "resolution", NULL, 0},
    {AT(0, 9, 15), AGENT, 0, 0, NULL, NULL, 0},
    {AT(0, 9, 20), NOTE, 0, 0, NULL, NULL, 0},
    {AT(0, 9, 30), STATUS, 0, CM_SLA_STATUS_OPEN, "In Progress", NULL, 0},
    {AT(0, 9, 30), ATTR, 0, 0, "assignee", "5b10ac8d82e05b22cc7d4ef5", 0},
    {AT(0, 10, 0), ATTR, 0, 0, "priority", "High", 0},
    {AT(0, 10, 0), STATUS, 0, CM_SLA_STATUS_PENDING, "Waiting for customer", NULL, 0},
    {AT(0, 11, 0), STATUS, 0, CM_SLA_STATUS_OPEN, "In Progress", NULL, 0},
    {AT(0, 11, 0), CUSTOMER, 0, 0, NULL, NULL, 0},
    {AT(0, 12, 0), ATTR, 0, 0, "priority", "Highest", 0},
    {AT(0, 12, 0), ATTR, 0, 0, "Team", "Network", 0},
    {AT(0, 13, 0), STATUS, 0, CM_SLA_STATUS_ON_HOLD, "Waiting for approval", NULL, 0},
    {AT(0, 14, 0), STATUS, 0, CM_SLA_STATUS_OPEN, "In Progress", NULL, 0},
    {AT(0, 14, 30), AGENT, 0, 0, NULL, NULL, 0},
    {AT(0, 15, 0), ATTR, 0, 0, "resolution", "Done", 0},
    {AT(0, 15, 0), STATUS, 0, CM_SLA_STATUS_SOLVED, "Resolved", NULL, 0},
};

START_TEST(jira_issue_events)
{
    cm_sla_ticket *t = import_file(CM_SLA_IMPORT_JIRA_ISSUE, "jira-issue.json");
    check_events(t, jira_events, NELEM(jira_events));
    const char *id = NULL;
    ck_assert_status(cm_sla_ticket_info(t, &id, NULL), CM_OK);
    ck_assert_str_eq(id, "SUP-42");
    cm_sla_ticket_free(t);
}
END_TEST

START_TEST(jira_issue_clocks)
{
    /*
     * Jira Service Management's two usual SLAs as custom clocks, with its
     * five priorities, on the imported issue:
     *  time to first response  09:00 to the first public agent comment 09:15,
     *                          Medium then: 15 min of 2 h, achieved
     *  time to resolution      09:00 to "resolution set" (15:00), paused in
     *                          "Waiting for customer" (10:00-11:00) and
     *                          "Waiting for approval" (13:00-14:00): 1h + 2h +
     *                          1h = 4 h; Highest at the stop: 4 h, exactly on
     *                          time, due 15:00
     */
    cm_sla_ticket *t = import_file(CM_SLA_IMPORT_JIRA_ISSUE, "jira-issue.json");
    cm_sla_policyset *set = NULL;
    cm_parse_error err = {0, 0, NULL};
    const cm_status st = cm_sla_policyset_parse(
        "priorities Lowest, Low, Medium, High, Highest\n"
        "clock time-to-first-response\n"
        "  start created\n"
        "  stop agent-reply\n"
        "clock time-to-resolution\n"
        "  start created\n"
        "  stop set resolution\n"
        "  pause status is \"Waiting for customer\", \"Waiting for approval\"\n"
        "policy incidents\n"
        "  when type is \"[System] Incident\"\n"
        "  time-to-first-response Highest,High 30m calendar\n"
        "  time-to-first-response Medium,Low,Lowest 2h calendar\n"
        "  time-to-resolution Highest 4h calendar\n"
        "  time-to-resolution High,Medium 8h calendar\n",
        NULL, &set, &err);
    ck_assert_msg(st == CM_OK, "%s", err.message);
    const cm_sla_ticket_event *ev = NULL;
    size_t nev = 0;
    ck_assert_status(cm_sla_ticket_events(t, &ev, &nev), CM_OK);
    cm_sla_record out[64];
    size_t n = 0;
    ck_assert_status(cm_sla_policyset_evaluate(set, NULL, ev, nev, AT(0, 16, 0), out, 64, &n),
                     CM_OK);
    const cm_sla_record *ttfr = &out[n - 2], *ttr = &out[n - 1];
    ck_assert_uint_eq(ttfr->instance.metric, CM_SLA_CUSTOM_METRIC);
    ck_assert_uint_eq(ttfr->instance.state, CM_SLA_ACHIEVED);
    ck_assert_int_eq(ttfr->instance.elapsed, MIN(15));
    ck_assert_int_eq(ttfr->instance.target, H(2));
    ck_assert_uint_eq(ttfr->instance.priority, 3);
    ck_assert_uint_eq(ttr->instance.metric, CM_SLA_CUSTOM_METRIC + 1);
    ck_assert_uint_eq(ttr->instance.state, CM_SLA_ACHIEVED);
    ck_assert_int_eq(ttr->instance.elapsed, H(4));
    ck_assert_int_eq(ttr->instance.target, H(4));
    ck_assert_int_eq(ttr->instance.due, AT(0, 15, 0));
    ck_assert_int_eq(ttr->instance.stop, AT(0, 15, 0));
    ck_assert_uint_eq(ttr->instance.priority, 5);
    cm_sla_policyset_free(set);
    cm_sla_ticket_free(t);
}
END_TEST

START_TEST(jira_status_options)
{
    /* A status of the caller's workflow, unknown to the built-in table. */
    static const char json[] =
        "{\"key\":\"X-1\",\"fields\":{\"created\":\"2025-01-06T09:00:00.000+0100\","
        "\"status\":{\"name\":\"Triage\"}},\"changelog\":{\"histories\":[]}}";
    cm_sla_ticket *t = NULL;
    cm_parse_error err = {0, 0, NULL};
    ck_assert_status(
        cm_sla_import(CM_SLA_IMPORT_JIRA_ISSUE, json, strlen(json), NULL, NULL, &t, &err),
        CM_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.message, "unknown Jira status"));
    ck_assert_uint_eq(err.column, 82); /* the name "Triage" */
    static const char *const names[] = {"Triage"};
    static const uint32_t cats[] = {CM_SLA_STATUS_NEW};
    const cm_sla_import_options o = {0, 0, names, cats, 1};
    ck_assert_status(
        cm_sla_import(CM_SLA_IMPORT_JIRA_ISSUE, json, strlen(json), &o, NULL, &t, NULL), CM_OK);
    /* +0100: 09:00 there is 08:00 UTC. */
    static const xev want[] = {{AT(0, 8, 0), CREATED, 0, 0, NULL, NULL, 0},
                               {AT(0, 8, 0), STATUS, 0, CM_SLA_STATUS_NEW, "Triage", NULL, 0}};
    check_events(t, want, NELEM(want));
    cm_sla_ticket_free(t);
    const uint32_t badcat[] = {6};
    const cm_sla_import_options bad = {0, 0, names, badcat, 1};
    ck_assert_status(
        cm_sla_import(CM_SLA_IMPORT_JIRA_ISSUE, json, strlen(json), &bad, NULL, &t, NULL),
        CM_EINVAL);
}
END_TEST

START_TEST(jira_field_first_change)
{
    /*
     * A field's value at creation is the "from" side of its earliest change,
     * whatever the order of the histories and however the field's name is
     * escaped: "Te\u0061m" is "Team". Histories listed newest first: Team
     * changes at 11:00 (B -> C) and 10:00 (A -> B, escaped), Tier at 10:30
     * (1 -> 2). At creation: Team A, Tier 1; then B, 2, C.
     */
    static const char json[] =
        "{\"key\":\"X-2\",\"fields\":{\"created\":\"2025-01-06T09:00:00.000+0000\"},"
        "\"changelog\":{\"histories\":["
        "{\"created\":\"2025-01-06T11:00:00.000+0000\",\"items\":"
        "[{\"field\":\"Team\",\"fromString\":\"B\",\"toString\":\"C\"}]},"
        "{\"created\":\"2025-01-06T10:30:00.000+0000\",\"items\":"
        "[{\"field\":\"Tier\",\"fromString\":\"1\",\"toString\":\"2\"}]},"
        "{\"created\":\"2025-01-06T10:00:00.000+0000\",\"items\":"
        "[{\"field\":\"Te\\u0061m\",\"fromString\":\"A\",\"toString\":\"B\"}]}]}}";
    cm_sla_ticket *t = NULL;
    cm_parse_error err = {0, 0, NULL};
    ck_assert_msg(
        cm_sla_import(CM_SLA_IMPORT_JIRA_ISSUE, json, strlen(json), NULL, NULL, &t, &err) == CM_OK,
        "%s", err.message);
    static const xev want[] = {
        {AT(0, 9, 0), CREATED, 0, 0, NULL, NULL, 0}, {AT(0, 9, 0), ATTR, 0, 0, "Team", "A", 0},
        {AT(0, 9, 0), ATTR, 0, 0, "Tier", "1", 0},   {AT(0, 10, 0), ATTR, 0, 0, "Team", "B", 0},
        {AT(0, 10, 30), ATTR, 0, 0, "Tier", "2", 0}, {AT(0, 11, 0), ATTR, 0, 0, "Team", "C", 0},
    };
    check_events(t, want, NELEM(want));
    cm_sla_ticket_free(t);
}
END_TEST

/* ---- bad input ------------------------------------------------------------------------ */

static const struct {
    const char *what;
    uint32_t format;
    const char *json;
    uint32_t line, column;
    const char *message;
} bad_json[] = {
    /* Columns point at the offending element: the opening quote or bracket of the
     * value, or where a missing one was expected (counted on the string by hand). */
    {"empty", 1, "", 1, 1, "empty document"},
    {"not JSON", 1, "audits", 1, 1, "expected a value"},
    {"unclosed", 1, "{\"audits\": [", 1, 13, "unexpected end"},
    {"trailing comma", 1, "{\"audits\": [1,]}", 1, 15, "expected a value"},
    {"missing colon", 1, "{\"audits\" []}", 1, 11, "expected :"},
    {"bad escape", 1, "{\"a\\q\": 1}", 1, 4, "invalid escape"},
    {"lone surrogate", 1, "[\"\\ud800\"]", 1, 3, "unpaired surrogate"},
    {"NUL escape", 1, "[\"a\\u0000\"]", 1, 4, "NUL"},
    {"control char", 1, "[\"a\tb\"]", 1, 4, "control character"},
    {"bad UTF-8", 1, "[\"\xc3\x28\"]", 1, 3, "invalid UTF-8"},
    {"overlong UTF-8", 1, "[\"\xc0\xaf\"]", 1, 3, "invalid UTF-8"},
    {"bad number", 1, "[01]", 1, 3, "expected , or ]"},
    {"after the value", 1, "{} {}", 1, 4, "after the JSON value"},
    {"second line", 1, "{\n  \"audits\": [\n    {\"x\": tru}\n  ]\n}", 3, 11, "expected a value"},
    {"not audits", 1, "{\"tickets\": []}", 1, 1, "expected Zendesk audits"},
    {"no creation", 1, "{\"audits\": []}", 1, 1, "Create"},
    {"audit without time", 1, "{\"audits\": [{\"events\": []}]}", 1, 13, "created_at"},
    {"bad time", 1, "{\"audits\": [{\"created_at\": \"yesterday\", \"events\": []}]}", 1, 28,
     "timestamp"},
    {"unknown audit event", 1,
     "{\"audits\": [{\"created_at\": \"2025-01-06T09:00:00Z\", \"events\": "
     "[{\"type\": \"Create\", \"field_name\": \"status\", \"value\": \"new\"}, {\"type\": "
     "\"Teleport\"}]}]}",
     1, 132, "unknown Zendesk audit event type"},
    {"unknown status", 1,
     "{\"audits\": [{\"created_at\": \"2025-01-06T09:00:00Z\", \"events\": "
     "[{\"type\": \"Create\", \"field_name\": \"status\", \"value\": \"paused\"}]}]}",
     1, 115, "unknown Zendesk status"},
    {"two tickets", 1,
     "{\"audits\": [{\"ticket_id\": 1, \"created_at\": \"2025-01-06T09:00:00Z\", \"events\": []},"
     "{\"ticket_id\": 2, \"created_at\": \"2025-01-06T09:00:00Z\", \"events\": []}]}",
     1, 96, "several tickets"},
    {"event before creation", 1,
     "{\"audits\": [{\"created_at\": \"2025-01-06T10:00:00Z\", \"events\": [{\"type\": \"Create\", "
     "\"field_name\": \"status\", \"value\": \"new\"}]}, {\"created_at\": "
     "\"2025-01-06T09:00:00Z\", "
     "\"events\": [{\"type\": \"Comment\", \"public\": false}]}]}",
     1, 1, "precedes"},
    {"numeric priority", 1,
     "{\"audits\": [{\"created_at\": \"2025-01-06T09:00:00Z\", \"events\": [{\"type\": \"Create\", "
     "\"field_name\": \"status\", \"value\": \"new\"}, {\"type\": \"Change\", \"field_name\": "
     "\"priority\", \"value\": 13}]}]}",
     1, 177, "a priority is a name"},
    {"unknown metric", 2,
     "{\"ticket_metric_events\": [{\"metric\": \"reply_time\", \"type\": \"teleport\", \"time\": "
     "\"2025-01-06T09:00:00Z\"}]}",
     1, 60, "unknown Zendesk metric event type"},
    {"no activation", 2,
     "{\"ticket_metric_events\": [{\"metric\": \"reply_time\", \"type\": \"fulfill\", \"time\": "
     "\"2025-01-06T09:00:00Z\"}]}",
     1, 1, "cannot tell when"},
    {"jira without fields", 3, "{\"key\": \"X-1\"}", 1, 1, "has fields"},
    {"jira bad changelog", 3,
     "{\"fields\": {\"created\": \"2025-01-06T09:00:00.000+0000\"}, \"changelog\": []}", 1, 70,
     "histories"},
    {"jira item without field", 3,
     "{\"fields\": {\"created\": \"2025-01-06T09:00:00.000+0000\"}, \"changelog\": "
     "{\"histories\": [{\"created\": \"2025-01-06T10:00:00.000+0000\", \"items\": [{}]}]}}",
     1, 139, "has a field"},
};

START_TEST(import_errors)
{
    const int i = _i;
    cm_sla_ticket *t;
    cm_parse_error err = {0, 0, NULL};
    poison(&t);
    const cm_status st = cm_sla_import(bad_json[i].format, bad_json[i].json,
                                       strlen(bad_json[i].json), NULL, NULL, &t, &err);
    ck_assert_msg(st == CM_EPARSE, "%s: %s", bad_json[i].what, cm_status_name(st));
    ck_assert_untouched(&t);
    ck_assert_msg(err.line == bad_json[i].line && err.column == bad_json[i].column &&
                      strstr(err.message, bad_json[i].message) != NULL,
                  "%s: %u:%u %s, expected %u:%u %s", bad_json[i].what, (unsigned)err.line,
                  (unsigned)err.column, err.message, (unsigned)bad_json[i].line,
                  (unsigned)bad_json[i].column, bad_json[i].message);
}
END_TEST

START_TEST(import_skip_unknown_and_order)
{
    /* With CM_SLA_IMPORT_SKIP_UNKNOWN the unknown entry is skipped and counted; audits
     * listed newest first come out in time order. */
    static const char json[] =
        "{\"audits\": ["
        "{\"ticket_id\": 7, \"created_at\": \"2025-01-06T10:00:00Z\", \"author_id\": 5, "
        "\"events\": [{\"type\": \"Comment\", \"public\": true, \"author_id\": 5}, "
        "{\"type\": \"Teleport\"}]},"
        "{\"ticket_id\": 7, \"created_at\": \"2025-01-06T09:00:00Z\", \"author_id\": 9, "
        "\"events\": [{\"type\": \"Comment\", \"public\": true}, {\"type\": \"Create\", "
        "\"field_name\": \"requester_id\", \"value\": 9}, {\"type\": \"Create\", \"field_name\": "
        "\"custom\", \"value\": 12.5}, {\"type\": \"Create\", \"field_name\": \"flag\", \"value\": "
        "true}, {\"type\": \"Create\", \"field_name\": \"n\", \"value\": -3}]}]}";
    const cm_sla_import_options o = {CM_SLA_IMPORT_SKIP_UNKNOWN, 0, NULL, NULL, 0};
    cm_sla_ticket *t = NULL;
    ck_assert_status(
        cm_sla_import(CM_SLA_IMPORT_ZENDESK_AUDITS, json, strlen(json), &o, NULL, &t, NULL), CM_OK);
    static const xev want[] = {
        {AT(0, 9, 0), CREATED, 0, 0, NULL, NULL, 0},
        {AT(0, 9, 0), ATTR, 0, 0, "custom", "12.5", 0},
        {AT(0, 9, 0), ATTR, 0, 0, "flag", "true", 0},
        {AT(0, 9, 0), ATTR, NUMBER, 0, "n", NULL, -3},
        {AT(0, 10, 0), AGENT, 0, 0, NULL, NULL, 0},
    };
    check_events(t, want, NELEM(want));
    size_t skipped = 0;
    ck_assert_status(cm_sla_ticket_info(t, NULL, &skipped), CM_OK);
    ck_assert_uint_eq(skipped, 1);
    cm_sla_ticket_free(t);
}
END_TEST

START_TEST(import_creation_first_at_its_instant)
{
    /* An audit at the creation's instant listed before the creating one: the creation
     * still opens the log (found by fuzzing: the reply came first and evaluation
     * refused the ticket). */
    static const char json[] =
        "{\"audits\": ["
        "{\"ticket_id\": 7, \"created_at\": \"2025-01-06T09:00:00Z\", \"author_id\": 5, "
        "\"events\": [{\"type\": \"Comment\", \"public\": true}]},"
        "{\"ticket_id\": 7, \"created_at\": \"2025-01-06T09:00:00Z\", \"author_id\": 9, "
        "\"events\": [{\"type\": \"Create\", \"field_name\": \"requester_id\", \"value\": 9}]}]}";
    cm_sla_ticket *t = NULL;
    ck_assert_status(
        cm_sla_import(CM_SLA_IMPORT_ZENDESK_AUDITS, json, strlen(json), NULL, NULL, &t, NULL),
        CM_OK);
    static const xev want[] = {
        {AT(0, 9, 0), CREATED, 0, 0, NULL, NULL, 0},
        {AT(0, 9, 0), AGENT, 0, 0, NULL, NULL, 0},
    };
    check_events(t, want, NELEM(want));
    cm_sla_ticket_free(t);
}
END_TEST

static void *counting_alloc(void *opaque, size_t size)
{
    ++*(int *)opaque;
    return malloc(size);
}

static void counting_free(void *opaque, void *p)
{
    --*(int *)opaque;
    free(p);
}

static void *failing_alloc(void *opaque, size_t size)
{
    (void)opaque;
    (void)size;
    return NULL;
}

START_TEST(import_bad_input)
{
    cm_sla_ticket *t;
    poison(&t);
    const char *j = "[]";
    ck_assert_status(cm_sla_import(1, NULL, 0, NULL, NULL, &t, NULL), CM_EINVAL);
    ck_assert_status(cm_sla_import(1, j, 2, NULL, NULL, NULL, NULL), CM_EINVAL);
    ck_assert_status(cm_sla_import(0, j, 2, NULL, NULL, &t, NULL), CM_EINVAL);
    ck_assert_status(cm_sla_import(4, j, 2, NULL, NULL, &t, NULL), CM_EINVAL);
    const cm_sla_import_options flags = {2, 0, NULL, NULL, 0};
    ck_assert_status(cm_sla_import(1, j, 2, &flags, NULL, &t, NULL), CM_EINVAL);
    const cm_sla_import_options reserved = {0, 1, NULL, NULL, 0};
    ck_assert_status(cm_sla_import(1, j, 2, &reserved, NULL, &t, NULL), CM_EINVAL);
    const cm_sla_import_options nonames = {0, 0, NULL, NULL, 1};
    ck_assert_status(cm_sla_import(1, j, 2, &nonames, NULL, &t, NULL), CM_EINVAL);
    const cm_allocator half = {counting_alloc, NULL, NULL};
    ck_assert_status(cm_sla_import(1, j, 2, NULL, &half, &t, NULL), CM_EINVAL);
    /* Out of memory: nothing allocated is left behind. */
    size_t len = 0;
    const char *json = slurp("zendesk-audits.json", &len);
    const cm_allocator none = {failing_alloc, counting_free, NULL};
    ck_assert_status(cm_sla_import(1, json, len, NULL, &none, &t, NULL), CM_ENOMEM);
    ck_assert_untouched(&t);
    /* One block through the caller's allocator. */
    int live = 0;
    const cm_allocator count = {counting_alloc, counting_free, &live};
    ck_assert_status(cm_sla_import(1, json, len, NULL, &count, &t, NULL), CM_OK);
    ck_assert_int_eq(live, 1);
    cm_sla_ticket_free(t);
    ck_assert_int_eq(live, 0);
    cm_sla_ticket_free(NULL);
    const cm_sla_ticket_event *ev;
    size_t n;
    ck_assert_status(cm_sla_ticket_events(NULL, &ev, &n), CM_EINVAL);
    ck_assert_status(cm_sla_ticket_info(NULL, NULL, NULL), CM_EINVAL);
    /* Nesting deeper than 64 levels. */
    char deep[200];
    memset(deep, '[', 65);
    memset(deep + 65, ']', 65);
    deep[130] = '\0';
    cm_parse_error err = {0, 0, NULL};
    ck_assert_status(cm_sla_import(1, deep, 130, NULL, NULL, &t, &err), CM_EPARSE);
    ck_assert_uint_eq(err.column, 65);
    ck_assert_ptr_nonnull(strstr(err.message, "64 levels"));
}
END_TEST

void sla_import_tcases(Suite *s)
{
    TCase *tc = tcase_create("import");
    tcase_add_test(tc, zendesk_audits_events);
    tcase_add_test(tc, zendesk_audits_clocks);
    tcase_add_test(tc, zendesk_metric_events);
    tcase_add_test(tc, jira_issue_events);
    tcase_add_test(tc, jira_issue_clocks);
    tcase_add_test(tc, jira_status_options);
    tcase_add_test(tc, jira_field_first_change);
    tcase_add_loop_test(tc, import_errors, 0, (int)NELEM(bad_json));
    tcase_add_test(tc, import_skip_unknown_and_order);
    tcase_add_test(tc, import_creation_first_at_its_instant);
    tcase_add_test(tc, import_bad_input);
    suite_add_tcase(s, tc);
}
