/*
 * Tests of SLA policy sets (caremetrics/sla.h, "Policy sets"): selection by
 * conditions, re-selection, group SLAs, schedules that change, priority
 * levels of any number, custom clocks, warnings, alarms and breakdowns.
 *
 * Every timeline is a ticket worked out by hand in the comment beside it;
 * times are UTC on the week of Monday 2025-01-06 ("Mon 09:00 + 3h = 12:00").
 * Everything is integer seconds, so every comparison is exact.
 * SPDX-License-Identifier: MIT
 */
#include "test-sla.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Monday 2025-01-06 00:00:00 UTC. */
#define MON         INT64_C(1736121600)
#define AT(d, h, m) (MON + (int64_t)(d)*86400 + (int64_t)(h)*3600 + (int64_t)(m)*60)
#define H(x)        ((int64_t)(x)*3600)
#define MIN(x)      ((int64_t)(x)*60)
#define NO          CM_SLA_NO_TIME

#define TE(t, type, flags, value, name, text, number)             \
    {                                                             \
        {(t), (type), (flags), (value)}, (name), (text), (number) \
    }
#define T_CREATED(t, lvl)  TE(t, CM_SLA_EVENT_CREATED, 0, lvl, NULL, NULL, 0)
#define T_BY_AGENT(t, lvl) TE(t, CM_SLA_EVENT_CREATED, CM_SLA_EVENT_BY_AGENT, lvl, NULL, NULL, 0)
#define T_AGENT(t)         TE(t, CM_SLA_EVENT_AGENT_REPLY, 0, 0, NULL, NULL, 0)
#define T_CUSTOMER(t)      TE(t, CM_SLA_EVENT_CUSTOMER_REPLY, 0, 0, NULL, NULL, 0)
#define T_STATUS(t, s)     TE(t, CM_SLA_EVENT_STATUS, 0, s, NULL, NULL, 0)
#define T_CSTATUS(t, s, n) TE(t, CM_SLA_EVENT_STATUS, 0, s, n, NULL, 0)
#define T_PRIO(t, l)       TE(t, CM_SLA_EVENT_PRIORITY, 0, l, NULL, NULL, 0)
#define T_ATTR(t, n, v)    TE(t, CM_SLA_EVENT_ATTRIBUTE, 0, 0, n, v, 0)
#define T_NUM(t, n, v)     TE(t, CM_SLA_EVENT_ATTRIBUTE, CM_SLA_EVENT_NUMBER, 0, n, NULL, v)
#define T_TAGS(t, v)       TE(t, CM_SLA_EVENT_TAGS, 0, 0, NULL, v, 0)
#define T_SCHED(t, c)      TE(t, CM_SLA_EVENT_SCHEDULE, 0, c, NULL, NULL, 0)

#define FIRST   CM_SLA_FIRST_REPLY
#define NEXT    CM_SLA_NEXT_REPLY
#define WAIT    CM_SLA_REQUESTER_WAIT
#define TOTAL   CM_SLA_TOTAL_RESOLUTION
#define GROUP   CM_SLA_GROUP_OWNERSHIP
#define NA      CM_SLA_NOT_APPLICABLE
#define ACTIVE  CM_SLA_ACTIVE
#define PAUSED  CM_SLA_PAUSED
#define OK_     CM_SLA_ACHIEVED
#define LATE    CM_SLA_BREACHED
#define PENDING CM_SLA_STATUS_PENDING
#define ONHOLD  CM_SLA_STATUS_ON_HOLD
#define OPEN    CM_SLA_STATUS_OPEN
#define SOLVED  CM_SLA_STATUS_SOLVED

static cm_sla_policyset *set_of(const char *text)
{
    cm_sla_policyset *s = NULL;
    cm_parse_error err = {0, 0, NULL};
    const cm_status st = cm_sla_policyset_parse(text, NULL, &s, &err);
    ck_assert_msg(st == CM_OK, "set: %s at %u:%u", err.message ? err.message : "?",
                  (unsigned)err.line, (unsigned)err.column);
    return s;
}

/* Calendars of the business timelines: 0 UTC Mon-Fri 09-17, 1 the same in New York. */
static cm_calendar *cals[2];
static cm_calendar_history *hist;

static void cal_setup(void)
{
    static const char *const specs[] = {"tz UTC\nmon-fri 09:00-17:00\n",
                                        "tz America/New_York\nmon-fri 09:00-17:00\n"};
    for (size_t i = 0; i < NELEM(specs); i++)
        ck_assert_status(cm_calendar_parse(specs[i], &cals[i], NULL), CM_OK);
    /* From Wednesday 2025-01-08 the team works 08:00-18:00. */
    ck_assert_status(cm_calendar_history_parse("tz UTC\nmon-fri 09:00-17:00\n"
                                               "from 2025-01-08\n"
                                               "tz UTC\nmon-fri 08:00-18:00\n",
                                               NULL, &hist, NULL),
                     CM_OK);
}

static void cal_teardown(void)
{
    for (size_t i = 0; i < NELEM(cals); i++)
        cm_calendar_free(cals[i]);
    cm_calendar_history_free(hist);
}

static size_t eval(const cm_sla_policyset *set, const cm_sla_ticket_event *ev, size_t n,
                   cm_time now, cm_sla_record *out, size_t cap)
{
    const cm_calendar_history *const hs[1] = {hist};
    const cm_sla_calendars cs = {(const cm_calendar *const *)cals, cals[0] != NULL ? 2 : 0, hs,
                                 hist != NULL ? 1 : 0};
    size_t count = 0;
    ck_assert_status(cm_sla_policyset_evaluate(set, &cs, ev, n, now, out, cap, &count), CM_OK);
    /* The same records with no room to spare (records counted first, then
     * computed in place) as with room for the most a log can need. */
    cm_sla_record *exact = malloc((count > 0 ? count : 1) * sizeof *exact);
    ck_assert_ptr_nonnull(exact);
    size_t again = 0;
    ck_assert_status(cm_sla_policyset_evaluate(set, &cs, ev, n, now, exact, count, &again), CM_OK);
    ck_assert_uint_eq(again, count);
    ck_assert_mem_eq(exact, out, count * sizeof *exact);
    free(exact);
    /* Invariants of every record. */
    for (size_t i = 0; i < count; i++) {
        const cm_sla_instance *in = &out[i].instance;
        ck_assert_int_eq(in->remaining, in->target - in->elapsed);
        ck_assert(in->breached == (in->elapsed > in->target));
        ck_assert(in->breach == (in->breached ? in->due : NO));
        if (i > 0)
            ck_assert_uint_ge(in->metric, out[i - 1].instance.metric);
    }
    return count;
}

/* The record of a metric's cycle (cycle 0: the first record of the metric). */
static const cm_sla_record *rec_of(const cm_sla_record *out, size_t n, uint32_t metric,
                                   uint32_t cycle)
{
    for (size_t i = 0; i < n; i++) {
        if (out[i].instance.metric == metric && (cycle == 0 || out[i].instance.cycle == cycle))
            return &out[i];
    }
    ck_abort_msg("no record of metric %u cycle %u", metric, cycle);
    return NULL;
}

static void want(const cm_sla_record *r, uint32_t state, uint32_t policy, int64_t elapsed,
                 int64_t target, cm_time due)
{
    ck_assert_msg(r->instance.state == state, "state %s, expected %s",
                  cm_sla_state_name(r->instance.state), cm_sla_state_name(state));
    ck_assert_uint_eq(r->policy, policy);
    ck_assert_int_eq(r->instance.elapsed, elapsed);
    ck_assert_int_eq(r->instance.target, target);
    ck_assert_int_eq(r->instance.due, due);
}

/* ---- selection -------------------------------------------------------------- */

static const char vip_set[] = "policy \"VIP urgent\"\n"
                              "  when priority is urgent\n"
                              "  when organization is VIP\n"
                              "  first-reply * 30m calendar\n"
                              "policy urgent\n"
                              "  when priority is urgent\n"
                              "  first-reply * 1h calendar\n"
                              "policy default\n"
                              "  first-reply * 4h calendar\n";

START_TEST(first_match)
{
    cm_sla_policyset *set = set_of(vip_set);
    cm_sla_record out[16];
    /* Urgent and VIP: the first policy, 30 min from 09:00, due 09:30; at 09:10 10 min counted. */
    const cm_sla_ticket_event a[] = {T_CREATED(AT(0, 9, 0), 4),
                                     T_ATTR(AT(0, 9, 0), "organization", "VIP")};
    size_t n = eval(set, a, 2, AT(0, 9, 10), out, 16);
    want(rec_of(out, n, FIRST, 1), ACTIVE, 0, MIN(10), MIN(30), AT(0, 9, 30));
    /* Urgent, another organization: the second policy, 1 h, due 10:00. */
    const cm_sla_ticket_event b[] = {T_CREATED(AT(0, 9, 0), 4),
                                     T_ATTR(AT(0, 9, 0), "organization", "Acme")};
    n = eval(set, b, 2, AT(0, 9, 10), out, 16);
    want(rec_of(out, n, FIRST, 1), ACTIVE, 1, MIN(10), H(1), AT(0, 10, 0));
    /* VIP but normal: only the last policy matches, 4 h, due 13:00. */
    const cm_sla_ticket_event c[] = {T_CREATED(AT(0, 9, 0), 2),
                                     T_ATTR(AT(0, 9, 0), "organization", "VIP")};
    n = eval(set, c, 2, AT(0, 9, 10), out, 16);
    want(rec_of(out, n, FIRST, 1), ACTIVE, 2, MIN(10), H(4), AT(0, 13, 0));
    /* No priority: the default policy applies but has no target for "none": n/a. */
    const cm_sla_ticket_event d[] = {T_CREATED(AT(0, 9, 0), 0)};
    n = eval(set, d, 1, AT(0, 9, 10), out, 16);
    ck_assert_uint_eq(rec_of(out, n, FIRST, 1)->instance.state, NA);
    ck_assert_uint_eq(rec_of(out, n, FIRST, 1)->policy, 2);
    /* Six metrics reported (no group policy, no clocks); one attribute dimension. */
    ck_assert_uint_eq(n, 6);
    cm_sla_policyset_shape sh;
    ck_assert_status(cm_sla_policyset_info(set, &sh), CM_OK);
    ck_assert_uint_eq(sh.npolicies, 3);
    ck_assert_uint_eq(sh.nmetrics, 6);
    ck_assert_uint_eq(sh.ndimensions, 1);
    ck_assert_uint_eq(sh.nlevels, 4);
    cm_sla_policyset_free(set);
}
END_TEST

START_TEST(reselect_priority)
{
    /*
     * Created 09:00 normal, organization Acme: default policy, 4 h, due 13:00.
     * Urgent at 10:00: the "urgent" policy's 1 h applies to the time kept:
     * at 10:30 1h30m > 1h, breached since 10:00. VIP at 10:45: the first
     * policy's 30 min, breached since 09:30.
     */
    cm_sla_policyset *set = set_of(vip_set);
    cm_sla_record out[16];
    const cm_sla_ticket_event ev[] = {
        T_CREATED(AT(0, 9, 0), 2), T_ATTR(AT(0, 9, 0), "organization", "Acme"),
        T_PRIO(AT(0, 10, 0), 4), T_ATTR(AT(0, 10, 45), "organization", "VIP")};
    size_t n = eval(set, ev, 4, AT(0, 9, 30), out, 16);
    want(rec_of(out, n, FIRST, 1), ACTIVE, 2, MIN(30), H(4), AT(0, 13, 0));
    n = eval(set, ev, 4, AT(0, 10, 30), out, 16);
    want(rec_of(out, n, FIRST, 1), ACTIVE, 1, MIN(90), H(1), AT(0, 10, 0));
    ck_assert_int_eq(rec_of(out, n, FIRST, 1)->instance.breach, AT(0, 10, 0));
    n = eval(set, ev, 4, AT(0, 10, 45), out, 16);
    want(rec_of(out, n, FIRST, 1), ACTIVE, 0, MIN(105), MIN(30), AT(0, 9, 30));
    ck_assert_uint_eq(rec_of(out, n, FIRST, 1)->instance.priority, 4);
    cm_sla_policyset_free(set);
}
END_TEST

START_TEST(reselect_group)
{
    /*
     * Created 09:00 in Tier 1 (default: 4 h), moved to Tier 2 at 09:30
     * (1 h): due 10:00; the reply at 10:15 is late: 1h15m, breach 10:00.
     * The record keeps the group of its stop: value 0 ("Tier 2").
     */
    cm_sla_policyset *set = set_of("policy tier2\n"
                                   "  when group is \"Tier 2\"\n"
                                   "  first-reply * 1h calendar\n"
                                   "policy default\n"
                                   "  first-reply * 4h calendar\n");
    cm_sla_record out[16];
    const cm_sla_ticket_event ev[] = {
        T_CREATED(AT(0, 9, 0), 2), T_ATTR(AT(0, 9, 0), "group", "Tier 1"),
        T_ATTR(AT(0, 9, 30), "group", "Tier 2"), T_AGENT(AT(0, 10, 15))};
    size_t n = eval(set, ev, 4, AT(0, 9, 20), out, 16);
    want(rec_of(out, n, FIRST, 1), ACTIVE, 1, MIN(20), H(4), AT(0, 13, 0));
    ck_assert_uint_eq(rec_of(out, n, FIRST, 1)->values[0], CM_SLA_VALUE_OTHER); /* Tier 1 */
    n = eval(set, ev, 4, AT(0, 11, 0), out, 16);
    const cm_sla_record *r = rec_of(out, n, FIRST, 1);
    want(r, LATE, 0, MIN(75), H(1), AT(0, 10, 0));
    ck_assert_int_eq(r->instance.stop, AT(0, 10, 15));
    ck_assert_uint_eq(r->values[0], 0);
    const char *name = NULL;
    const char *const *values = NULL;
    size_t nv = 0;
    ck_assert_status(cm_sla_policyset_dimension(set, 0, &name, &values, &nv), CM_OK);
    ck_assert_str_eq(name, "group");
    ck_assert_uint_eq(nv, 1);
    ck_assert_str_eq(values[0], "Tier 2");
    cm_sla_policyset_free(set);
}
END_TEST

/* ---- group SLAs ---------------------------------------------------------------- */

START_TEST(group_two_groups)
{
    /*
     * Tier 1 owns the ticket 09:00-10:30: 1h30m of 2 h (calendar), due
     * 11:00, achieved. Tier 2 owns it 10:30-15:00 (the solve): on the
     * Mon-Fri 09-17 calendar 4h30m of 4 h, due 10:30 + 4h = 14:30, breached.
     */
    cm_sla_policyset *set = set_of("group-policy \"Tier 1 OLA\"\n"
                                   "  when group is \"Tier 1\"\n"
                                   "  group-ownership * 2h calendar\n"
                                   "group-policy \"Tier 2 OLA\"\n"
                                   "  when group is \"Tier 2\"\n"
                                   "  group-ownership * 4h business\n");
    cm_sla_record out[16];
    const cm_sla_ticket_event ev[] = {T_CREATED(AT(0, 9, 0), 2),
                                      T_ATTR(AT(0, 9, 0), "group", "Tier 1"),
                                      T_ATTR(AT(0, 10, 30), "group", "Tier 2"),
                                      T_AGENT(AT(0, 14, 0)), T_STATUS(AT(0, 15, 0), SOLVED)};
    const size_t n = eval(set, ev, 5, AT(0, 16, 0), out, 16);
    ck_assert_uint_eq(n, 8); /* six n/a metrics, two group spans */
    const cm_sla_record *a = rec_of(out, n, GROUP, 1), *b = rec_of(out, n, GROUP, 2);
    want(a, OK_, 0, MIN(90), H(2), AT(0, 11, 0));
    ck_assert_int_eq(a->instance.start, AT(0, 9, 0));
    ck_assert_int_eq(a->instance.stop, AT(0, 10, 30));
    ck_assert_uint_eq(a->event, 1);
    ck_assert_int_eq(a->instance.calendar, CM_SLA_CALENDAR_TIME);
    want(b, LATE, 1, MIN(270), H(4), AT(0, 14, 30));
    ck_assert_int_eq(b->instance.stop, AT(0, 15, 0));
    ck_assert_uint_eq(b->event, 2);
    ck_assert_int_eq(b->instance.calendar, 0);
    ck_assert_uint_eq(b->clock, CM_SLA_CLOCK_BUSINESS);
    uint32_t metric = 0;
    ck_assert_status(cm_sla_policyset_metric(set, "group-ownership", &metric), CM_OK);
    ck_assert_uint_eq(metric, GROUP);
    ck_assert_str_eq(cm_sla_policyset_metric_name(set, GROUP), "group-ownership");
    cm_sla_policyset_free(set);
}
END_TEST

START_TEST(group_reopen)
{
    /*
     * Reassigning the same group is no change; unassigning stops the span;
     * a solve stops it and a reopen starts a new one (Zendesk). Tier 1 09:00;
     * "Tier 1" again 09:30 (no change); solved 10:00 (span 1: 1 h); reopened
     * by the customer 11:00 (span 2 from 11:00); no group 11:30 (span 2 ends:
     * 30 min).
     */
    cm_sla_policyset *set = set_of("group-policy any\n  group-ownership * 2h calendar\n");
    cm_sla_record out[16];
    const cm_sla_ticket_event ev[] = {
        T_CREATED(AT(0, 9, 0), 2),
        T_ATTR(AT(0, 9, 0), "group", "Tier 1"),
        T_ATTR(AT(0, 9, 30), "group", "Tier 1"),
        T_STATUS(AT(0, 10, 0), SOLVED),
        T_CUSTOMER(AT(0, 11, 0)),
        TE(AT(0, 11, 30), CM_SLA_EVENT_ATTRIBUTE, 0, 0, "group", NULL, 0)};
    const size_t n = eval(set, ev, 6, AT(0, 12, 0), out, 16);
    ck_assert_uint_eq(n, 8);
    want(rec_of(out, n, GROUP, 1), OK_, 0, H(1), H(2), AT(0, 11, 0));
    want(rec_of(out, n, GROUP, 2), OK_, 0, MIN(30), H(2), AT(0, 13, 0));
    ck_assert_int_eq(rec_of(out, n, GROUP, 2)->instance.start, AT(0, 11, 0));
    ck_assert_uint_eq(rec_of(out, n, GROUP, 2)->event, 1);
    cm_sla_policyset_free(set);
}
END_TEST

/* ---- schedules that change ---------------------------------------------------- */

START_TEST(schedule_change)
{
    /*
     * First reply 4 business hours on the ticket's schedule. Created Monday
     * 15:00 on calendar 0 (UTC 09-17): 15:00-16:00 counts 1 h. At 16:00 the
     * ticket moves to calendar 1 (New York 09-17 EST = 14:00-22:00 UTC):
     * 16:00-18:00 counts 2 h, so at 18:00 3 h are counted and the last hour
     * ends at 19:00 UTC. On calendar 0 alone: 2 h Monday, due Tuesday 11:00.
     */
    cm_sla_policyset *set = set_of("first-reply * 4h ticket-schedule\n");
    cm_sla_record out[16];
    const cm_sla_ticket_event ev[] = {T_CREATED(AT(0, 15, 0), 2), T_SCHED(AT(0, 16, 0), 1),
                                      T_AGENT(AT(0, 19, 30))};
    size_t n = eval(set, ev, 3, AT(0, 18, 0), out, 16);
    const cm_sla_record *r = rec_of(out, n, FIRST, 1);
    want(r, ACTIVE, 0, H(3), H(4), AT(0, 19, 0));
    ck_assert_int_eq(r->instance.calendar, 1);
    ck_assert_uint_eq(r->clock, CM_SLA_CLOCK_TICKET_SCHEDULE);
    n = eval(set, ev, 3, AT(0, 20, 0), out, 16);
    r = rec_of(out, n, FIRST, 1);
    want(r, LATE, 0, MIN(270), H(4), AT(0, 19, 0));
    n = eval(set, ev, 1, AT(0, 18, 0), out, 16); /* no change */
    want(rec_of(out, n, FIRST, 1), ACTIVE, 0, H(2), H(4), AT(1, 11, 0));
    ck_assert_int_eq(rec_of(out, n, FIRST, 1)->instance.calendar, 0);
    cm_sla_policyset_free(set);
}
END_TEST

START_TEST(history_change)
{
    /*
     * Resolution 16 business hours on the team's history: 09-17 until
     * Wednesday 2025-01-08, 08-18 from then. Created Tuesday 13:00: Tuesday
     * 13:00-17:00 = 4 h, Wednesday 08:00-18:00 = 10 h, Thursday 08:00 + 2 h
     * = 10:00. At Wednesday 12:00: 4 h + 4 h = 8 h.
     */
    cm_sla_policyset *set = set_of("total-resolution * 16h history 0\n");
    cm_sla_record out[16];
    const cm_sla_ticket_event ev[] = {T_CREATED(AT(1, 13, 0), 2)};
    const size_t n = eval(set, ev, 1, AT(2, 12, 0), out, 16);
    const cm_sla_record *r = rec_of(out, n, TOTAL, 1);
    want(r, ACTIVE, 0, H(8), H(16), AT(3, 10, 0));
    ck_assert_uint_eq(r->clock, CM_SLA_CLOCK_HISTORY);
    cm_sla_policyset_shape sh;
    ck_assert_status(cm_sla_policyset_info(set, &sh), CM_OK);
    ck_assert_uint_eq(sh.nhistories, 1);
    ck_assert_uint_eq(sh.ncalendars, 0);
    cm_sla_policyset_free(set);
}
END_TEST

/* ---- priority levels ------------------------------------------------------------ */

static const char jira_set[] = "priorities Lowest, Low, Medium, High, Highest\n"
                               "first-reply Highest 30m calendar\n"
                               "first-reply High    1h  calendar\n"
                               "first-reply Medium  4h  calendar\n"
                               "first-reply Low     8h  calendar\n"
                               "first-reply Lowest  16h calendar\n";

START_TEST(five_levels)
{
    cm_sla_policyset *set = set_of(jira_set);
    static const struct {
        const char *name;
        uint32_t level;
        int64_t target;
        cm_time due;
    } rows[] = {
        {"Highest", 5, MIN(30), AT(0, 9, 30)}, {"High", 4, H(1), AT(0, 10, 0)},
        {"Medium", 3, H(4), AT(0, 13, 0)},     {"Low", 2, H(8), AT(0, 17, 0)},
        {"Lowest", 1, H(16), AT(1, 1, 0)},
    };
    cm_sla_record out[16];
    for (size_t i = 0; i < NELEM(rows); i++) {
        const cm_sla_ticket_event ev[] = {T_CREATED(AT(0, 9, 0), 0),
                                          T_ATTR(AT(0, 9, 0), "priority", rows[i].name)};
        const size_t n = eval(set, ev, 2, AT(0, 9, 5), out, 16);
        const cm_sla_record *r = rec_of(out, n, FIRST, 1);
        want(r, ACTIVE, 0, MIN(5), rows[i].target, rows[i].due);
        ck_assert_uint_eq(r->instance.priority, rows[i].level);
        ck_assert_str_eq(cm_sla_policyset_level_name(set, rows[i].level), rows[i].name);
    }
    /* A name the set does not know is no priority: n/a. */
    const cm_sla_ticket_event x[] = {T_CREATED(AT(0, 9, 0), 0),
                                     T_ATTR(AT(0, 9, 0), "priority", "Critical")};
    size_t n = eval(set, x, 2, AT(0, 9, 5), out, 16);
    ck_assert_uint_eq(rec_of(out, n, FIRST, 1)->instance.state, NA);
    /* Medium, raised to Highest at 09:10: 30 min from 09:00; the reply at 09:40 is late. */
    const cm_sla_ticket_event y[] = {T_CREATED(AT(0, 9, 0), 3),
                                     T_ATTR(AT(0, 9, 10), "priority", "Highest"),
                                     T_AGENT(AT(0, 9, 40))};
    n = eval(set, y, 3, AT(0, 10, 0), out, 16);
    want(rec_of(out, n, FIRST, 1), LATE, 0, MIN(40), MIN(30), AT(0, 9, 30));
    /* A level by number: 5 is Highest; 6 does not exist. */
    const cm_sla_ticket_event z[] = {T_CREATED(AT(0, 9, 0), 0), T_NUM(AT(0, 9, 0), "priority", 5)};
    n = eval(set, z, 2, AT(0, 9, 5), out, 16);
    ck_assert_int_eq(rec_of(out, n, FIRST, 1)->instance.target, MIN(30));
    const cm_sla_ticket_event bad[] = {T_CREATED(AT(0, 9, 0), 6)};
    size_t cnt;
    ck_assert_status(cm_sla_policyset_evaluate(set, NULL, bad, 1, AT(0, 10, 0), out, 16, &cnt),
                     CM_EINVAL);
    cm_sla_policyset_free(set);
}
END_TEST

/* ---- custom clocks ------------------------------------------------------------ */

static const char clock_set[] = "clock resolution-clock\n"
                                "  start created\n"
                                "  stop solved\n"
                                "  pause status is \"Waiting for vendor\"\n"
                                "clock approval\n"
                                "  start status-enter \"Waiting for approval\"\n"
                                "  stop status-leave \"Waiting for approval\"\n"
                                "policy default\n"
                                "  resolution-clock * 4h calendar\n"
                                "  approval         * 2h calendar\n";

START_TEST(custom_clocks)
{
    /*
     * resolution-clock runs 09:00-10:00 (1 h), pauses while the custom status
     * "Waiting for vendor" holds (10:00-12:00), runs 12:00-14:00 (2 h): 3 h of
     * 4 h at the solve, due 12:00 + (4h - 1h) = 15:00. approval runs while the
     * ticket is "Waiting for approval", 12:30-13:15: 45 min of 2 h, due 14:30.
     */
    cm_sla_policyset *set = set_of(clock_set);
    cm_sla_record out[32];
    const cm_sla_ticket_event ev[] = {T_CREATED(AT(0, 9, 0), 2),
                                      T_CSTATUS(AT(0, 10, 0), OPEN, "Waiting for vendor"),
                                      T_CSTATUS(AT(0, 12, 0), OPEN, "In Progress"),
                                      T_CSTATUS(AT(0, 12, 30), ONHOLD, "Waiting for approval"),
                                      T_CSTATUS(AT(0, 13, 15), OPEN, "In Progress"),
                                      T_STATUS(AT(0, 14, 0), SOLVED)};
    uint32_t res = 0, appr = 0;
    ck_assert_status(cm_sla_policyset_metric(set, "resolution-clock", &res), CM_OK);
    ck_assert_status(cm_sla_policyset_metric(set, "approval", &appr), CM_OK);
    ck_assert_uint_eq(res, CM_SLA_CUSTOM_METRIC);
    ck_assert_uint_eq(appr, CM_SLA_CUSTOM_METRIC + 1);
    size_t n = eval(set, ev, 6, AT(0, 11, 0), out, 32);
    ck_assert_uint_eq(n, 8); /* six n/a metrics and the two clocks */
    want(rec_of(out, n, res, 1), PAUSED, 0, H(1), H(4), NO);
    ck_assert_uint_eq(rec_of(out, n, appr, 0)->instance.state, NA); /* not started */
    n = eval(set, ev, 6, AT(0, 15, 0), out, 32);
    want(rec_of(out, n, res, 1), OK_, 0, H(3), H(4), AT(0, 15, 0));
    const cm_sla_record *a = rec_of(out, n, appr, 1);
    want(a, OK_, 0, MIN(45), H(2), AT(0, 14, 30));
    ck_assert_int_eq(a->instance.start, AT(0, 12, 30));
    ck_assert_int_eq(a->instance.stop, AT(0, 13, 15));
    ck_assert_str_eq(cm_sla_policyset_metric_name(set, appr), "approval");
    cm_sla_policyset_free(set);
}
END_TEST

START_TEST(custom_status_pauses_builtin)
{
    /* Agent work also pauses in a custom status: 09:00-10:00 and 11:00-12:00 = 2 h. */
    cm_sla_policyset *set = set_of("agent-work pause pending, on-hold, \"Waiting for vendor\"\n"
                                   "agent-work * 8h calendar\n");
    cm_sla_record out[16];
    const cm_sla_ticket_event ev[] = {T_CREATED(AT(0, 9, 0), 2),
                                      T_CSTATUS(AT(0, 10, 0), OPEN, "Waiting for vendor"),
                                      T_CSTATUS(AT(0, 11, 0), OPEN, NULL)};
    const size_t n = eval(set, ev, 3, AT(0, 12, 0), out, 16);
    want(rec_of(out, n, CM_SLA_AGENT_WORK, 1), ACTIVE, 0, H(2), H(8), AT(0, 18, 0));
    cm_sla_policyset_free(set);
}
END_TEST

START_TEST(clock_cycles_and_triggers)
{
    /*
     * A clock from each customer message to the next agent reply, paused
     * while the tag "waiting-vendor" is on: message 09:00, tag 09:30-10:00,
     * reply 10:30 = 1 h (cycle 1); message 11:00, reply 11:20 (cycle 2, 20
     * min); a change of the attribute "tier" to gold starts nothing.
     */
    cm_sla_policyset *set = set_of("clock turn\n"
                                   "  start customer-reply\n"
                                   "  start set tier silver\n"
                                   "  stop agent-reply\n"
                                   "  pause tags include waiting-vendor\n"
                                   "policy default\n"
                                   "  turn * 2h calendar\n");
    cm_sla_record out[32];
    const cm_sla_ticket_event ev[] = {
        T_CREATED(AT(0, 8, 0), 2),
        T_CUSTOMER(AT(0, 9, 0)),
        T_TAGS(AT(0, 9, 30), "vip waiting-vendor"),
        TE(AT(0, 10, 0), CM_SLA_EVENT_TAG_REMOVE, 0, 0, NULL, "waiting-vendor", 0),
        T_AGENT(AT(0, 10, 30)),
        T_CUSTOMER(AT(0, 11, 0)),
        T_AGENT(AT(0, 11, 20)),
        T_ATTR(AT(0, 12, 0), "tier", "gold"),
        T_ATTR(AT(0, 12, 30), "tier", "silver")};
    const size_t n = eval(set, ev, 9, AT(0, 13, 0), out, 32);
    const uint32_t turn = CM_SLA_CUSTOM_METRIC;
    want(rec_of(out, n, turn, 1), OK_, 0, H(1), H(2), AT(0, 11, 30));
    want(rec_of(out, n, turn, 2), OK_, 0, MIN(20), H(2), AT(0, 13, 0));
    /* "set tier silver" started a third cycle at 12:30: 30 min at 13:00. */
    want(rec_of(out, n, turn, 3), ACTIVE, 0, MIN(30), H(2), AT(0, 14, 30));
    cm_sla_policyset_free(set);
}
END_TEST

START_TEST(agent_created_first_reply)
{
    /*
     * An agent opens the ticket at 09:00. By default first reply is n/a.
     * With "agent-created requester-comment" it starts at the requester's
     * first message (10:00) and the reply at 10:30 achieves it (30 min of
     * 1 h); that message starts no next reply; the next one (11:00) does.
     */
    const cm_sla_ticket_event ev[] = {T_BY_AGENT(AT(0, 9, 0), 2), T_CUSTOMER(AT(0, 10, 0)),
                                      T_AGENT(AT(0, 10, 30)), T_CUSTOMER(AT(0, 11, 0))};
    cm_sla_record out[16];
    cm_sla_policyset *plain = set_of("first-reply * 1h calendar\nnext-reply * 2h calendar\n");
    size_t n = eval(plain, ev, 4, AT(0, 11, 30), out, 16);
    ck_assert_uint_eq(rec_of(out, n, FIRST, 0)->instance.state, NA);
    want(rec_of(out, n, NEXT, 1), OK_, 0, MIN(30), H(2), AT(0, 12, 0)); /* 10:00-10:30 */
    cm_sla_policyset_free(plain);
    cm_sla_policyset *set = set_of("first-reply agent-created requester-comment\n"
                                   "first-reply * 1h calendar\nnext-reply * 2h calendar\n");
    n = eval(set, ev, 4, AT(0, 11, 30), out, 16);
    const cm_sla_record *f = rec_of(out, n, FIRST, 1);
    want(f, OK_, 0, MIN(30), H(1), AT(0, 11, 0));
    ck_assert_int_eq(f->instance.start, AT(0, 10, 0));
    want(rec_of(out, n, NEXT, 1), ACTIVE, 0, MIN(30), H(2), AT(0, 13, 0)); /* from 11:00 */
    ck_assert_uint_eq(rec_of(out, n, NEXT, 1)->instance.cycle, 1);
    cm_sla_policyset_free(set);
}
END_TEST

/* ---- warnings and alarms -------------------------------------------------------- */

START_TEST(warnings)
{
    /* First reply 4 h from 09:00, warnings at 50 % and 75 %: 11:00 and 12:00, due 13:00. */
    cm_sla_policyset *set = set_of("first-reply * 4h calendar warn 50%,75%\n"
                                   "requester-wait * 4h calendar warn 50%\n"
                                   "total-resolution * 8h business warn 75%\n");
    cm_sla_record out[16];
    const cm_sla_ticket_event ev[] = {T_CREATED(AT(0, 9, 0), 2)};
    size_t n = eval(set, ev, 1, AT(0, 11, 30), out, 16);
    const cm_sla_record *r = rec_of(out, n, FIRST, 1);
    ck_assert_uint_eq(r->nwarnings, 2);
    ck_assert_uint_eq(r->warn_percent[0], 50);
    ck_assert_uint_eq(r->warn_percent[1], 75);
    ck_assert_int_eq(r->warnings[0], AT(0, 11, 0));
    ck_assert_int_eq(r->warnings[1], AT(0, 12, 0));
    ck_assert_int_eq(r->instance.due, AT(0, 13, 0));
    /* 75 % of 8 business hours is 6 h: Monday 09:00 + 6 h = 15:00. */
    ck_assert_int_eq(rec_of(out, n, TOTAL, 1)->warnings[0], AT(0, 15, 0));
    /* The next alarm over the ticket: requester wait's 50 % (11:00) has passed; first
     * reply's 75 % at 12:00 is next. */
    cm_sla_alarm al;
    ck_assert_status(cm_sla_next_alarm(out, n, &al), CM_OK);
    ck_assert_int_eq(al.at, AT(0, 12, 0));
    ck_assert_uint_eq(out[al.record].instance.metric, FIRST);
    ck_assert_uint_eq(al.kind, 2);
    /* At 12:30 both first-reply warnings have fired; the breaches at 13:00 come next. */
    n = eval(set, ev, 1, AT(0, 12, 30), out, 16);
    ck_assert_status(cm_sla_next_alarm(out, n, &al), CM_OK);
    ck_assert_int_eq(al.at, AT(0, 13, 0));
    ck_assert_uint_eq(al.kind, 0);
    ck_assert_uint_eq(out[al.record].instance.metric, FIRST); /* the lower record on a tie */

    /* Paused below its threshold, a warning has no instant: pending from 10:00 (1 h
     * counted), open at 11:00: at 10:30 none, at 11:30 11:00 + (2h - 1h) = 12:00. */
    const cm_sla_ticket_event p[] = {T_CREATED(AT(0, 9, 0), 2), T_STATUS(AT(0, 10, 0), PENDING),
                                     T_STATUS(AT(0, 11, 0), OPEN)};
    n = eval(set, p, 3, AT(0, 10, 30), out, 16);
    r = rec_of(out, n, WAIT, 1);
    ck_assert_uint_eq(r->instance.state, PAUSED);
    ck_assert_int_eq(r->warnings[0], NO);
    ck_assert_int_eq(r->instance.due, NO);
    n = eval(set, p, 3, AT(0, 11, 30), out, 16);
    ck_assert_int_eq(rec_of(out, n, WAIT, 1)->warnings[0], AT(0, 12, 0));
    /* A stopped clock's unreached warning did not fire. */
    const cm_sla_ticket_event q[] = {T_CREATED(AT(0, 9, 0), 2), T_AGENT(AT(0, 10, 0))};
    n = eval(set, q, 2, AT(0, 12, 0), out, 16);
    ck_assert_int_eq(rec_of(out, n, FIRST, 1)->warnings[0], NO);
    ck_assert_int_eq(rec_of(out, n, FIRST, 1)->instance.due, AT(0, 13, 0));
    cm_sla_policyset_free(set);
}
END_TEST

START_TEST(struct_sizes)
{
    /* The sizes bindings mirror, for the structs of policy sets and importers. */
    ck_assert_uint_eq(cm_sla_sizeof("cm_sla_condition"), sizeof(cm_sla_condition));
    ck_assert_uint_eq(cm_sla_sizeof("cm_sla_goal"), sizeof(cm_sla_goal));
    ck_assert_uint_eq(cm_sla_sizeof("cm_sla_policy_def"), sizeof(cm_sla_policy_def));
    ck_assert_uint_eq(cm_sla_sizeof("cm_sla_trigger"), sizeof(cm_sla_trigger));
    ck_assert_uint_eq(cm_sla_sizeof("cm_sla_clock_def"), sizeof(cm_sla_clock_def));
    ck_assert_uint_eq(cm_sla_sizeof("cm_sla_metric_rules"), sizeof(cm_sla_metric_rules));
    ck_assert_uint_eq(cm_sla_sizeof("cm_sla_policyset_spec"), sizeof(cm_sla_policyset_spec));
    ck_assert_uint_eq(cm_sla_sizeof("cm_sla_ticket_event"), sizeof(cm_sla_ticket_event));
    ck_assert_uint_eq(cm_sla_sizeof("cm_sla_calendars"), sizeof(cm_sla_calendars));
    ck_assert_uint_eq(cm_sla_sizeof("cm_sla_record"), sizeof(cm_sla_record));
    ck_assert_uint_eq(cm_sla_sizeof("cm_sla_policyset_shape"), sizeof(cm_sla_policyset_shape));
    ck_assert_uint_eq(cm_sla_sizeof("cm_sla_alarm"), sizeof(cm_sla_alarm));
    ck_assert_uint_eq(cm_sla_sizeof("cm_sla_import_options"), sizeof(cm_sla_import_options));
}
END_TEST

START_TEST(alarm_edges)
{
    cm_sla_alarm al;
    poison(&al);
    ck_assert_status(cm_sla_next_alarm(NULL, 0, &al), CM_ENODATA);
    ck_assert_status(cm_sla_next_alarm(NULL, 1, &al), CM_EINVAL);
    cm_sla_record r;
    memset(&r, 0, sizeof r);
    ck_assert_status(cm_sla_next_alarm(&r, 1, NULL), CM_EINVAL);
    ck_assert_status(cm_sla_next_alarm(&r, 1, &al), CM_ENODATA); /* n/a */
    ck_assert_untouched(&al);
    /* Breached and running: its breach has happened; nothing pending. */
    r.instance.state = ACTIVE;
    r.instance.target = 60;
    r.instance.elapsed = 61;
    r.instance.breached = true;
    r.instance.due = 100;
    ck_assert_status(cm_sla_next_alarm(&r, 1, &al), CM_ENODATA);
    r.instance.elapsed = 60;
    r.instance.breached = false;
    ck_assert_status(cm_sla_next_alarm(&r, 1, &al), CM_OK); /* due now: the breach is next */
    ck_assert_int_eq(al.at, 100);
}
END_TEST

/* ---- the same answers as cm_sla_evaluate() ----------------------------------------- */

static const char legacy_text[] = "first-reply      urgent  1h   calendar\n"
                                  "first-reply      high    2h   business 0\n"
                                  "first-reply      normal  4h   business 1\n"
                                  "first-reply      low     8h   business 0\n"
                                  "next-reply       *       2h   business 1\n"
                                  "periodic-update  *       4h   calendar\n"
                                  "periodic-update  pause   pending\n"
                                  "requester-wait   *       8h   business 0\n"
                                  "agent-work       *       6h   calendar\n"
                                  "total-resolution *       24h  business 1\n"
                                  "total-resolution reopen  new-cycle\n"
                                  "next-reply       reopen  restart\n";

START_TEST(legacy_equivalence)
{
    /* Random logs: the text as a policy and as a set give the same instances. */
    test_rng rng = test_rng_make("legacy_equivalence");
    cm_sla_policy *pol = NULL;
    ck_assert_status(cm_sla_policy_parse(legacy_text, &pol, NULL), CM_OK);
    cm_sla_policyset *set = set_of(legacy_text);
    for (int k = 0; k < 600; k++) {
        cm_sla_event ev[24];
        cm_sla_ticket_event te[24];
        cm_time t = AT(0, 0, 0) + (cm_time)rng_below(&rng, 30 * 86400);
        size_t n = 0;
        ev[n++] = (cm_sla_event){t, CM_SLA_EVENT_CREATED,
                                 (uint16_t)(rng_below(&rng, 6) == 0 ? CM_SLA_EVENT_BY_AGENT : 0),
                                 (uint32_t)rng_below(&rng, 5)};
        const size_t len = 2 + (size_t)rng_below(&rng, NELEM(ev) - 2);
        while (n < len) {
            if (rng_below(&rng, 4) != 0)
                t += (cm_time)rng_below(&rng, 8 * 3600);
            cm_sla_event e = {t, 0, 0, 0};
            switch (rng_below(&rng, 9)) {
            case 0:
            case 1:
                e.type = CM_SLA_EVENT_CUSTOMER_REPLY;
                e.flags = (uint16_t)(rng_below(&rng, 8) == 0 ? CM_SLA_EVENT_AUTOMATED : 0);
                break;
            case 2:
            case 3:
                e.type = CM_SLA_EVENT_AGENT_REPLY;
                break;
            case 4:
            case 5:
                e.type = CM_SLA_EVENT_STATUS;
                e.value = (uint32_t)rng_below(&rng, CM_SLA_STATUS_COUNT);
                break;
            case 6:
                e.type = CM_SLA_EVENT_PRIORITY;
                e.value = (uint32_t)rng_below(&rng, CM_SLA_PRIORITY_COUNT);
                break;
            case 7:
                e.type = CM_SLA_EVENT_REOPEN;
                break;
            default:
                e.type = CM_SLA_EVENT_AGENT_NOTE;
                break;
            }
            ev[n++] = e;
        }
        for (size_t i = 0; i < n; i++)
            te[i] = (cm_sla_ticket_event){ev[i], NULL, NULL, 0};
        const cm_time now = ev[n - 1].at + (cm_time)rng_below(&rng, 3 * 86400);
        cm_sla_instance a[6 * NELEM(ev)];
        cm_sla_record b[6 * NELEM(ev)];
        size_t na = 0;
        ck_assert_status(
            cm_sla_evaluate(pol, (const cm_calendar *const *)cals, 2, ev, n, now, a, NELEM(a), &na),
            CM_OK);
        const size_t nb = eval(set, te, n, now, b, NELEM(b));
        ck_assert_uint_eq(na, nb);
        for (size_t i = 0; i < na; i++) {
            ck_assert_msg(memcmp(&a[i], &b[i].instance, sizeof a[i]) == 0,
                          "log %d record %zu (%s cycle %u): the set differs", k, i,
                          cm_sla_metric_name(a[i].metric), a[i].cycle);
            ck_assert_uint_eq(b[i].policy, 0);
        }
    }
    cm_sla_policy_free(pol);
    cm_sla_policyset_free(set);
}
END_TEST

/* ---- the text format ------------------------------------------------------------ */

START_TEST(parse_forms)
{
    /* Every form of the grammar, with comments, quotes and lists with blanks. */
    static const char text[] = "# a set\n"
                               "priorities p1, p2, \"p 3\"\n"
                               "customer-reply-opens no\r\n"
                               "first-reply agent-created requester-comment\n"
                               "requester-wait pause pending, \"Waiting on \\\"vendor\\\"\"\n"
                               "group-ownership reopen reactivate\n"
                               "clock c-1\n"
                               "  start created\n"
                               "  start set team \"Red, Blue\"\n"
                               "  stop unset team\n"
                               "  stop reopened\n"
                               "  pause tags exclude a, b\n"
                               "  pause priority >= p2\n"
                               "policy \"P #1\"   # comment\n"
                               "  when tier >= 2\n"
                               "  when team is-not \"Red, Blue\", Green\n"
                               "  when status is open, \"Custom one\"\n"
                               "  when brand is-set\n"
                               "  first-reply,next-reply p1,\"p 3\" 1h30m calendar warn 10%, 90%\n"
                               "  c-1 any 45s business 3\n"
                               "  total-resolution none 2h history 2\n"
                               "  agent-work * 1d calendar\n"
                               "group-policy g\n"
                               "  group-ownership * 8h business\n";
    cm_sla_policyset *set = NULL;
    cm_parse_error err = {0, 0, NULL};
    ck_assert_msg(cm_sla_policyset_parse(text, NULL, &set, &err) == CM_OK, "%u:%u %s",
                  (unsigned)err.line, (unsigned)err.column, err.message);
    cm_sla_policyset_shape sh;
    ck_assert_status(cm_sla_policyset_info(set, &sh), CM_OK);
    ck_assert_uint_eq(sh.npolicies, 2);
    ck_assert_uint_eq(sh.nclocks, 1);
    ck_assert_uint_eq(sh.nlevels, 3);
    ck_assert_uint_eq(sh.nmetrics, 8);
    ck_assert_uint_eq(sh.flags, CM_SLA_POLICY_NO_AUTO_OPEN);
    ck_assert_uint_eq(sh.ncalendars, 4);
    ck_assert_uint_eq(sh.nhistories, 3);
    ck_assert_uint_eq(sh.ndimensions, 3); /* team, tier, brand */
    const char *name = NULL;
    uint32_t kind = 9;
    ck_assert_status(cm_sla_policyset_policy(set, 0, &name, &kind), CM_OK);
    ck_assert_str_eq(name, "P #1");
    ck_assert_uint_eq(kind, CM_SLA_POLICY_REGULAR);
    ck_assert_status(cm_sla_policyset_policy(set, 1, &name, &kind), CM_OK);
    ck_assert_uint_eq(kind, CM_SLA_POLICY_GROUP);
    ck_assert_status(cm_sla_policyset_policy(set, 2, &name, &kind), CM_ENOTFOUND);
    ck_assert_str_eq(cm_sla_policyset_level_name(set, 3), "p 3");
    ck_assert_str_eq(cm_sla_policyset_level_name(set, 0), "none");
    ck_assert_str_eq(cm_sla_policyset_level_name(set, 4), "unknown");
    const char *const *values = NULL;
    size_t nv = 0;
    ck_assert_status(cm_sla_policyset_dimension(set, 0, &name, &values, &nv), CM_OK);
    ck_assert_str_eq(name, "team");
    ck_assert_uint_eq(nv, 2);
    ck_assert_str_eq(values[0], "Red, Blue");
    ck_assert_str_eq(values[1], "Green");
    ck_assert_status(cm_sla_policyset_dimension(set, 3, &name, &values, &nv), CM_ENOTFOUND);
    uint32_t m;
    ck_assert_status(cm_sla_policyset_metric(set, "c-1", &m), CM_OK);
    ck_assert_uint_eq(m, CM_SLA_CUSTOM_METRIC);
    ck_assert_status(cm_sla_policyset_metric(set, "c-2", &m), CM_ENOTFOUND);
    ck_assert_str_eq(cm_sla_policyset_metric_name(set, CM_SLA_CUSTOM_METRIC + 1), "unknown");
    ck_assert_str_eq(cm_sla_policyset_metric_name(NULL, 0), "unknown");
    cm_sla_policyset_free(set);
    cm_sla_policyset_free(NULL);
}
END_TEST

static const struct {
    const char *text;
    uint32_t line, column;
    const char *message;
} set_errors[] = {
    {"policy", 1, 7, "expected a name"},
    {"policy a\n  when", 2, 7, "expected an attribute"},
    {"policy a\n  when group", 2, 13, "expected is"},
    {"policy a\n  when group is", 2, 16, "expected a value"},
    {"policy a\n  when group is x,", 2, 19, "after the comma"},
    {"policy a\n  when tier >= two", 2, 16, "integer"},
    {"policy a\n  when priority >= critical", 2, 20, "unknown priority"},
    {"policy a\n  when tags is x", 2, 13, "include or exclude"},
    {"policy a\n  when group include x", 2, 14, "for tags"},
    {"policy a\n  when group is \"x", 2, 17, "unterminated"},
    {"policy a\n  when group is \"\"", 2, 17, "empty string"},
    {"when group is x", 1, 1, "policy block"},
    {"start created", 1, 1, "clock block"},
    {"clock c\n  start created\n  stop solved\n  first-reply * 1h calendar", 4, 3,
     "start, stop and pause"},
    {"clock c\n  start created", 1, 7, "one start and one stop"},
    {"clock c\n  start nothing\n  stop solved", 2, 9, "expected created"},
    {"clock c\n  start set\n  stop solved", 2, 12, "expected an attribute"},
    {"clock c\n  start status-enter\n  stop solved", 2, 21, "expected a status"},
    {"clock first-reply\n  start created\n  stop solved", 1, 7, "must be new"},
    {"clock \"a b\"\n  start created\n  stop solved", 1, 7, "letters, digits"},
    {"policy p\n  first-reply * 1h calendar\nclock c\n  start created\n  stop solved", 3, 1,
     "before the policies"},
    {"first-reply * 1h calendar\npolicy p", 1, 1, "targets outside a policy"},
    {"policy p\npolicy q\nfirst-reply pause none", 3, 13, "whole set"},
    {"policy p\n  group-ownership * 1h calendar", 2, 3, "group policies"},
    {"group-policy p\n  first-reply * 1h calendar", 2, 3, "group-ownership targets only"},
    {"policy p\n  nonsense * 1h calendar", 2, 3, "unknown metric"},
    {"policy p\n  first-reply urgentish 1h calendar", 2, 15, "unknown priority"},
    {"policy p\n  first-reply * 1h", 2, 19, "expected the clock"},
    {"policy p\n  first-reply * 1h weekly", 2, 20, "unknown clock"},
    {"policy p\n  first-reply * 1h history", 2, 27, "history index"},
    {"policy p\n  first-reply * 1h business 64", 2, 29, "calendar index"},
    {"policy p\n  first-reply * 1d business", 2, 18, "days are ambiguous"},
    {"policy p\n  first-reply * 1h calendar warn", 2, 33, "warning such as"},
    {"policy p\n  first-reply * 1h calendar warn 75", 2, 34, "percentage"},
    {"policy p\n  first-reply * 1h calendar warn 75%,50%", 2, 34, "increasing"},
    {"policy p\n  first-reply * 1h calendar warn 100%", 2, 34, "percentage"},
    {"policy p\n  first-reply * 1h calendar warn 1%,2%,3%,4%,5%", 2, 34, "at most 4"},
    {"policy p\n  first-reply * 1h calendar extra", 2, 29, "unexpected text"},
    {"policy p\n  first-reply * 1h calendar\n  first-reply high 2h calendar", 3, 3, "already set"},
    {"policy p\npolicy p", 2, 1, "same name"},
    {"priorities a, b\npriorities c", 2, 1, "come first"},
    {"first-reply pause none\npriorities a", 2, 1, "come first"},
    {"priorities a, none", 1, 15, "not none"},
    {"priorities a, a", 1, 15, "distinct"},
    {"next-reply agent-created requester-comment", 1, 1, "rule of first-reply"},
    {"first-reply agent-created sometimes", 1, 27, "not-applicable or"},
    {"agent-work pause solved", 1, 18, "cannot pause"},
    {"agent-work pause none\nagent-work pause pending", 2, 1, "already set"},
};

START_TEST(parse_errors)
{
    const int i = _i;
    cm_sla_policyset *set;
    cm_parse_error err = {0, 0, NULL};
    poison(&set);
    ck_assert_status(cm_sla_policyset_parse(set_errors[i].text, NULL, &set, &err), CM_EPARSE);
    ck_assert_untouched(&set);
    ck_assert_msg(err.line == set_errors[i].line && err.column == set_errors[i].column &&
                      strstr(err.message, set_errors[i].message) != NULL,
                  "%s: %u:%u %s, expected %u:%u %s", set_errors[i].text, (unsigned)err.line,
                  (unsigned)err.column, err.message, (unsigned)set_errors[i].line,
                  (unsigned)set_errors[i].column, set_errors[i].message);
    ck_assert_status(cm_sla_policyset_parse(set_errors[i].text, NULL, &set, NULL), CM_EPARSE);
}
END_TEST

START_TEST(parse_legacy_texts)
{
    /* Every text the policy parser accepts is a set; its errors are errors here too. */
    static const char *const ok[] = {
        "",
        "customer-reply-opens yes\n",
        "first-reply,next-reply  urgent,high  1h30m  calendar   # trailing comment\r\n"
        "periodic-update         *            1d12h  calendar\n"
        "total-resolution        low          80h    business 3\n"
        "   requester-wait   pause  pending,on-hold\n"
        "*  reopen  new-cycle\n"
        "customer-reply-opens no",
    };
    for (size_t i = 0; i < NELEM(ok); i++) {
        cm_sla_policyset *set = NULL;
        ck_assert_status(cm_sla_policyset_parse(ok[i], NULL, &set, NULL), CM_OK);
        cm_sla_policyset_free(set);
    }
    static const char *const bad[] = {"first-repl * 1h calendar", "first-reply high 0m calendar",
                                      "agent-work reopen sometimes", "customer-reply-opens maybe",
                                      "agent-work"};
    for (size_t i = 0; i < NELEM(bad); i++) {
        cm_sla_policyset *set = NULL;
        cm_sla_policy *pol = NULL;
        ck_assert_status(cm_sla_policyset_parse(bad[i], NULL, &set, NULL), CM_EPARSE);
        ck_assert_status(cm_sla_policy_parse(bad[i], &pol, NULL), CM_EPARSE);
    }
}
END_TEST

START_TEST(parse_bad_input)
{
    cm_sla_policyset *set;
    poison(&set);
    const cm_allocator half = {NULL, NULL, NULL};
    ck_assert_status(cm_sla_policyset_parse(NULL, NULL, &set, NULL), CM_EINVAL);
    ck_assert_status(cm_sla_policyset_parse("", NULL, NULL, NULL), CM_EINVAL);
    ck_assert_status(cm_sla_policyset_parse("", &half, &set, NULL), CM_EINVAL);
    ck_assert_untouched(&set);
}
END_TEST

/* ---- the struct API -------------------------------------------------------------- */

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

START_TEST(struct_api)
{
    /* The VIP policies of first_match, built from structs through a counting allocator. */
    static const char *const urgent[] = {"urgent"};
    static const char *const vip[] = {"VIP"};
    const cm_sla_condition c0[] = {{"priority", CM_SLA_OP_IS, 1, urgent, 0},
                                   {"organization", CM_SLA_OP_IS, 1, vip, 0}};
    const cm_sla_goal g0[] = {
        {FIRST, CM_SLA_LEVELS_NAMED, 1800, CM_SLA_CLOCK_CALENDAR_TIME, 0, {0, 0, 0, 0}, 0}};
    const cm_sla_goal g1[] = {
        {FIRST, CM_SLA_LEVELS_NAMED, 14400, CM_SLA_CLOCK_CALENDAR_TIME, 0, {25, 0, 0, 0}, 0}};
    const cm_sla_policy_def pols[] = {{"VIP urgent", CM_SLA_POLICY_REGULAR, 0, c0, 2, g0, 1},
                                      {"default", CM_SLA_POLICY_REGULAR, 0, NULL, 0, g1, 1}};
    cm_sla_policyset_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.policies = pols;
    spec.npolicies = 2;
    int live = 0;
    const cm_allocator alloc = {counting_alloc, counting_free, &live};
    cm_sla_policyset *set = NULL;
    ck_assert_status(cm_sla_policyset_new(&spec, &alloc, &set), CM_OK);
    ck_assert_int_eq(live, 1); /* one block */
    cm_sla_record out[16];
    const cm_sla_ticket_event ev[] = {T_CREATED(AT(0, 9, 0), 4),
                                      T_ATTR(AT(0, 9, 0), "organization", "VIP")};
    size_t n = eval(set, ev, 2, AT(0, 9, 10), out, 16);
    want(rec_of(out, n, FIRST, 1), ACTIVE, 0, MIN(10), MIN(30), AT(0, 9, 30));
    n = eval(set, ev, 1, AT(0, 9, 10), out, 16);
    want(rec_of(out, n, FIRST, 1), ACTIVE, 1, MIN(10), H(4), AT(0, 13, 0));
    ck_assert_int_eq(rec_of(out, n, FIRST, 1)->warnings[0], AT(0, 10, 0)); /* 25 % of 4 h */
    cm_sla_policyset_free(set);
    ck_assert_int_eq(live, 0);
}
END_TEST

START_TEST(struct_api_bad_input)
{
    static const char *const one[] = {"x"};
    static const char *const empty[] = {""};
    const cm_sla_goal good = {FIRST, CM_SLA_LEVELS_NAMED, 60, 0, 0, {0, 0, 0, 0}, 0};
    static const struct {
        const char *what;
        cm_sla_condition cond;
        cm_sla_goal goal;
        uint32_t kind;
    } rows[] = {
        {"unknown op", {"group", 13, 1, one, 0}, {0}, 0},
        {"no values", {"group", CM_SLA_OP_IS, 0, NULL, 0}, {0}, 0},
        {"empty value", {"group", CM_SLA_OP_IS, 1, empty, 0}, {0}, 0},
        {"values on is-set", {"group", CM_SLA_OP_SET, 1, one, 0}, {0}, 0},
        {"number on is", {"group", CM_SLA_OP_IS, 1, one, 3}, {0}, 0},
        {"no attribute", {NULL, CM_SLA_OP_SET, 0, NULL, 0}, {0}, 0},
        {"include on group", {"group", CM_SLA_OP_INCLUDES, 1, one, 0}, {0}, 0},
        {"is on tags", {"tags", CM_SLA_OP_IS, 1, one, 0}, {0}, 0},
        {"compare status", {"status", CM_SLA_OP_LT, 0, NULL, 2}, {0}, 0},
        {"unknown level name", {"priority", CM_SLA_OP_IS, 1, one, 0}, {0}, 0},
        {"level out of range", {"priority", CM_SLA_OP_GE, 0, NULL, 5}, {0}, 0},
        {"unknown metric", {0}, {99, CM_SLA_LEVELS_NAMED, 60, 0, 0, {0}, 0}, 0},
        {"group goal, regular", {0}, {GROUP, CM_SLA_LEVELS_NAMED, 60, 0, 0, {0}, 0}, 0},
        {"regular goal, group", {0}, {FIRST, CM_SLA_LEVELS_NAMED, 60, 0, 0, {0}, 0}, 1},
        {"no level", {0}, {FIRST, 0, 60, 0, 0, {0}, 0}, 0},
        {"level 5 of 4", {0}, {FIRST, 1u << 5, 60, 0, 0, {0}, 0}, 0},
        {"zero seconds", {0}, {FIRST, 2, 0, 0, 0, {0}, 0}, 0},
        {"too long", {0}, {FIRST, 2, CM_SLA_MAX_TARGET_SECONDS + 1, 0, 0, {0}, 0}, 0},
        {"unknown clock", {0}, {FIRST, 2, 60, 4, 0, {0}, 0}, 0},
        {"index on calendar time", {0}, {FIRST, 2, 60, 0, 1, {0}, 0}, 0},
        {"index 64", {0}, {FIRST, 2, 60, 1, 64, {0}, 0}, 0},
        {"warning 100", {0}, {FIRST, 2, 60, 0, 0, {100, 0, 0, 0}, 0}, 0},
        {"warnings decrease", {0}, {FIRST, 2, 60, 0, 0, {50, 40, 0, 0}, 0}, 0},
        {"warning after a gap", {0}, {FIRST, 2, 60, 0, 0, {50, 0, 60, 0}, 0}, 0},
        {"reserved", {0}, {FIRST, 2, 60, 0, 0, {0}, 1}, 0},
        {"unknown kind", {0}, {0}, 2},
    };
    for (size_t i = 0; i < NELEM(rows); i++) {
        const bool has_cond = rows[i].cond.attribute != NULL || rows[i].cond.op != 0;
        const cm_sla_goal *g =
            rows[i].goal.seconds != 0 || rows[i].goal.metric != 0 || rows[i].goal.levels != 0
                ? &rows[i].goal
                : &good;
        const cm_sla_policy_def p = {
            "p", rows[i].kind, 0, has_cond ? &rows[i].cond : NULL, has_cond ? 1u : 0u, g, 1};
        cm_sla_policyset_spec spec;
        memset(&spec, 0, sizeof spec);
        spec.policies = &p;
        spec.npolicies = 1;
        cm_sla_policyset *set;
        poison(&set);
        const cm_status st = cm_sla_policyset_new(&spec, NULL, &set);
        ck_assert_msg(st == CM_EINVAL, "%s: %s", rows[i].what, cm_status_name(st));
        ck_assert_untouched(&set);
    }
    /* Spec-level rows. */
    cm_sla_policyset_spec spec;
    cm_sla_policyset *set;
    memset(&spec, 0, sizeof spec);
    poison(&set);
    ck_assert_status(cm_sla_policyset_new(NULL, NULL, &set), CM_EINVAL);
    ck_assert_status(cm_sla_policyset_new(&spec, NULL, NULL), CM_EINVAL);
    const cm_allocator half = {counting_alloc, NULL, NULL};
    ck_assert_status(cm_sla_policyset_new(&spec, &half, &set), CM_EINVAL);
    spec.flags = 2;
    ck_assert_status(cm_sla_policyset_new(&spec, NULL, &set), CM_EINVAL);
    spec.flags = 0;
    spec.npolicies = 1; /* policies NULL */
    ck_assert_status(cm_sla_policyset_new(&spec, NULL, &set), CM_EINVAL);
    spec.npolicies = 0;
    spec.npriorities = 16;
    ck_assert_status(cm_sla_policyset_new(&spec, NULL, &set), CM_EINVAL);
    spec.npriorities = 0;
    const cm_sla_metric_rules r[] = {{FIRST, 0, NULL, 0, 0, 0}, {FIRST, 0, NULL, 0, 0, 0}};
    spec.rules = r;
    spec.nrules = 2; /* a metric twice */
    ck_assert_status(cm_sla_policyset_new(&spec, NULL, &set), CM_EINVAL);
    const cm_sla_metric_rules r2[] = {{NEXT, 0, NULL, 0, 0, 1}}; /* agent-created on next reply */
    spec.rules = r2;
    spec.nrules = 1;
    ck_assert_status(cm_sla_policyset_new(&spec, NULL, &set), CM_EINVAL);
    const cm_sla_trigger tr = {CM_SLA_ON_CREATED, 0, NULL, NULL};
    const cm_sla_clock_def ck = {"first-reply", &tr, 1, &tr, 1, NULL, 0};
    spec.rules = NULL;
    spec.nrules = 0;
    spec.clocks = &ck;
    spec.nclocks = 1; /* the name of a metric */
    ck_assert_status(cm_sla_policyset_new(&spec, NULL, &set), CM_EINVAL);
    ck_assert_untouched(&set);
    /* The limit of distinct targets: 65 durations for one metric. */
    cm_sla_goal goals[CM_SLA_MAX_ITEMS];
    cm_sla_policy_def pol[2];
    for (size_t p = 0; p < 2; p++) {
        for (size_t i = 0; i < CM_SLA_MAX_ITEMS; i++)
            goals[i] = (cm_sla_goal){
                FIRST, 1u << (i % 4 + 1), (int64_t)(60 * (i + 1)), 0, 0, {0, 0, 0, 0}, 0};
        pol[p] = (cm_sla_policy_def){p == 0 ? "a" : "b", 0, 0, NULL, 0, goals, 4};
    }
    pol[1].goals = goals + 4;
    pol[1].ngoals = 4;
    memset(&spec, 0, sizeof spec);
    spec.policies = pol;
    spec.npolicies = 2;
    ck_assert_status(cm_sla_policyset_new(&spec, NULL, &set), CM_OK); /* 8 distinct: fine */
    cm_sla_policyset_free(set);
}
END_TEST

/* ---- evaluation: bad input ---------------------------------------------------------- */

START_TEST(evaluate_bad_input)
{
    cm_sla_policyset *set = set_of("first-reply * 1h ticket-schedule\n");
    cm_sla_record out[16];
    size_t n;
    poison(&out);
    poison(&n);
    const cm_calendar *const c1[1] = {cals[0]};
    const cm_sla_calendars cs = {c1, 1, NULL, 0};
    const cm_sla_ticket_event ok[] = {T_CREATED(AT(0, 9, 0), 2), T_AGENT(AT(0, 9, 30))};
    const cm_time now = AT(0, 10, 0);
    ck_assert_status(cm_sla_policyset_evaluate(NULL, &cs, ok, 2, now, out, 16, &n), CM_EINVAL);
    ck_assert_status(cm_sla_policyset_evaluate(set, &cs, NULL, 2, now, out, 16, &n), CM_EINVAL);
    ck_assert_status(cm_sla_policyset_evaluate(set, &cs, ok, 0, now, out, 16, &n), CM_EINVAL);
    ck_assert_status(cm_sla_policyset_evaluate(set, &cs, ok, 2, now, NULL, 16, &n), CM_EINVAL);
    ck_assert_status(cm_sla_policyset_evaluate(set, &cs, ok, 2, now, out, 16, NULL), CM_EINVAL);
    ck_assert_status(cm_sla_policyset_evaluate(set, NULL, ok, 2, now, out, 16, &n), CM_EINVAL);
    const cm_sla_calendars nul = {NULL, 1, NULL, 0};
    ck_assert_status(cm_sla_policyset_evaluate(set, &nul, ok, 2, now, out, 16, &n), CM_EINVAL);
    static const struct {
        const char *what;
        cm_sla_ticket_event ev[2];
        cm_status want;
    } bad[] = {
        {"type 13",
         {T_CREATED(AT(0, 9, 0), 2), TE(AT(0, 9, 1), 13, 0, 0, NULL, NULL, 0)},
         CM_EINVAL},
        {"attribute without name",
         {T_CREATED(AT(0, 9, 0), 2), T_ATTR(AT(0, 9, 1), NULL, "x")},
         CM_EINVAL},
        {"attribute named status",
         {T_CREATED(AT(0, 9, 0), 2), T_ATTR(AT(0, 9, 1), "status", "x")},
         CM_EINVAL},
        {"attribute named tags",
         {T_CREATED(AT(0, 9, 0), 2), T_ATTR(AT(0, 9, 1), "tags", "x")},
         CM_EINVAL},
        {"number and text",
         {T_CREATED(AT(0, 9, 0), 2),
          TE(AT(0, 9, 1), CM_SLA_EVENT_ATTRIBUTE, CM_SLA_EVENT_NUMBER, 0, "a", "x", 1)},
         CM_EINVAL},
        {"number without the flag",
         {T_CREATED(AT(0, 9, 0), 2), TE(AT(0, 9, 1), CM_SLA_EVENT_ATTRIBUTE, 0, 0, "a", NULL, 1)},
         CM_EINVAL},
        {"priority number 5",
         {T_CREATED(AT(0, 9, 0), 2), T_NUM(AT(0, 9, 1), "priority", 5)},
         CM_EINVAL},
        {"tags without text", {T_CREATED(AT(0, 9, 0), 2), T_TAGS(AT(0, 9, 1), NULL)}, CM_EINVAL},
        {"empty tag",
         {T_CREATED(AT(0, 9, 0), 2), TE(AT(0, 9, 1), CM_SLA_EVENT_TAG_ADD, 0, 0, NULL, "", 0)},
         CM_EINVAL},
        {"text on a reply",
         {T_CREATED(AT(0, 9, 0), 2), TE(AT(0, 9, 1), CM_SLA_EVENT_AGENT_REPLY, 0, 0, NULL, "x", 0)},
         CM_EINVAL},
        {"empty custom status",
         {T_CREATED(AT(0, 9, 0), 2), T_CSTATUS(AT(0, 9, 1), OPEN, "")},
         CM_EINVAL},
        {"schedule 1 missing", {T_CREATED(AT(0, 9, 0), 2), T_SCHED(AT(0, 9, 1), 1)}, CM_EINVAL},
        {"priority level 5", {T_CREATED(AT(0, 9, 0), 2), T_PRIO(AT(0, 9, 1), 5)}, CM_EINVAL},
        {"out of order", {T_CREATED(AT(0, 9, 0), 2), T_AGENT(AT(0, 8, 0))}, CM_EINVAL},
        {"two creations", {T_CREATED(AT(0, 9, 0), 2), T_CREATED(AT(0, 9, 1), 2)}, CM_EINVAL},
        {"year 10000", {T_CREATED(AT(0, 9, 0), 2), T_AGENT(INT64_C(253402300800))}, CM_ERANGE},
    };
    for (size_t i = 0; i < NELEM(bad); i++) {
        const cm_status st = cm_sla_policyset_evaluate(set, &cs, bad[i].ev, 2, now, out, 16, &n);
        ck_assert_msg(st == bad[i].want, "%s: %s", bad[i].what, cm_status_name(st));
    }
    ck_assert_status(cm_sla_policyset_evaluate(set, &cs, ok, 2, AT(0, 8, 0), out, 16, &n),
                     CM_EINVAL);
    ck_assert_untouched(&out);
    ck_assert_untouched(&n);
    /* Capacity: one record per metric (only first reply is measured). */
    n = 0;
    ck_assert_status(cm_sla_policyset_evaluate(set, &cs, ok, 2, now, NULL, 0, &n), CM_ENOSPC);
    ck_assert_uint_eq(n, 6);
    cm_sla_policyset_free(set);
}
END_TEST

/* ---- breakdowns ------------------------------------------------------------------ */

START_TEST(breakdown_counts)
{
    /*
     * Three tickets under the VIP set, counted by policy and organization:
     * A urgent VIP answered in 20 min (policy 0, achieved); B urgent Acme
     * answered in 2 h (policy 1, breached); C normal VIP answered in 1 h
     * (policy 2, achieved). By policy: 1/1, 0/1, 1/1; by organization VIP
     * (value 0): 2 achieved of 2; other: 0 of 1.
     */
    cm_sla_policyset *set = set_of(vip_set);
    static const char *const keys[] = {"policy", "organization"};
    cm_sla_breakdown *b = NULL, *c = NULL;
    ck_assert_status(cm_sla_breakdown_new(set, keys, 2, NULL, &b), CM_OK);
    ck_assert_status(cm_sla_breakdown_new(set, keys, 2, NULL, &c), CM_OK);
    static const struct {
        uint32_t level;
        const char *org;
        int64_t reply;
    } tickets[] = {{4, "VIP", MIN(20)}, {4, "Acme", H(2)}, {2, "VIP", H(1)}};
    cm_sla_record out[16];
    for (size_t i = 0; i < NELEM(tickets); i++) {
        const cm_sla_ticket_event ev[] = {T_CREATED(AT(0, 9, 0), tickets[i].level),
                                          T_ATTR(AT(0, 9, 0), "organization", tickets[i].org),
                                          T_AGENT(AT(0, 9, 0) + tickets[i].reply)};
        const size_t n = eval(set, ev, 3, AT(0, 12, 0), out, 16);
        ck_assert_status(cm_sla_breakdown_add(i == 2 ? c : b, out, n), CM_OK);
    }
    ck_assert_status(cm_sla_breakdown_merge(b, c), CM_OK);
    cm_sla_attainment_summary s;
    const uint32_t p0[] = {0, CM_SLA_ANY}, p1[] = {1, CM_SLA_ANY}, vip[] = {CM_SLA_ANY, 0},
                   other[] = {CM_SLA_ANY, CM_SLA_VALUE_OTHER}, all[] = {CM_SLA_ANY, CM_SLA_ANY};
    ck_assert_status(cm_sla_breakdown_result(b, FIRST, p0, 0.95, &s), CM_OK);
    ck_assert_uint_eq(s.achieved, 1);
    ck_assert_uint_eq(s.breached, 0);
    ck_assert_uint_eq(s.elapsed.n, 1);
    ck_assert_status(cm_sla_breakdown_result(b, FIRST, p1, 0.95, &s), CM_OK);
    ck_assert_uint_eq(s.breached, 1);
    ck_assert_status(cm_sla_breakdown_result(b, FIRST, vip, 0.95, &s), CM_OK);
    ck_assert_uint_eq(s.achieved, 2);
    ck_assert_uint_eq(s.breached, 0);
    ck_assert_status(cm_sla_breakdown_result(b, FIRST, other, 0.95, &s), CM_OK);
    ck_assert_uint_eq(s.achieved, 0);
    ck_assert_uint_eq(s.breached, 1);
    ck_assert_status(cm_sla_breakdown_result(b, FIRST, all, 0.95, &s), CM_OK);
    ck_assert_uint_eq(s.achieved + s.breached, 3);
    ck_assert_double_eq_tol(s.attained.value, 2.0 / 3.0, 1e-15);
    /* Total resolution runs for all three: open, left out of the attainment. */
    ck_assert_status(cm_sla_breakdown_result(b, TOTAL, all, 0.95, &s), CM_ENODATA);
    /* Bytes round trip into a breakdown of the same shape. */
    uint8_t buf[4096];
    size_t w = 0, need = 0;
    ck_assert_status(cm_sla_breakdown_serialize(b, NULL, 0, &need), CM_ENOSPC);
    ck_assert_status(cm_sla_breakdown_serialize(b, buf, need - 1, &w), CM_ENOSPC);
    ck_assert_uint_eq(w, need);
    ck_assert_status(cm_sla_breakdown_serialize(b, NULL, 1, &w), CM_EINVAL);
    ck_assert_status(cm_sla_breakdown_serialize(b, buf, sizeof buf, NULL), CM_EINVAL);
    ck_assert_status(cm_sla_breakdown_serialize(NULL, buf, sizeof buf, &w), CM_EINVAL);
    ck_assert_status(cm_sla_breakdown_serialize(b, buf, sizeof buf, &w), CM_OK);
    ck_assert_uint_eq(w, need);
    cm_sla_breakdown *d = NULL;
    ck_assert_status(cm_sla_breakdown_new(set, keys, 2, NULL, &d), CM_OK);
    ck_assert_status(cm_sla_breakdown_deserialize(d, buf, w), CM_OK);
    uint8_t buf2[4096];
    size_t w2 = 0;
    ck_assert_status(cm_sla_breakdown_serialize(d, buf2, sizeof buf2, &w2), CM_OK);
    ck_assert_uint_eq(w, w2);
    ck_assert_mem_eq(buf, buf2, w);
    /* Corrupt bytes, another shape, bad keys. */
    buf[w - 1] ^= 1;
    ck_assert_status(cm_sla_breakdown_deserialize(d, buf, w), CM_EPARSE);
    buf[w - 1] ^= 1;
    ck_assert_status(cm_sla_breakdown_deserialize(d, buf, w - 1), CM_EPARSE);
    cm_sla_breakdown *e = NULL;
    static const char *const one[] = {"policy"};
    ck_assert_status(cm_sla_breakdown_new(set, one, 1, NULL, &e), CM_OK);
    ck_assert_status(cm_sla_breakdown_deserialize(e, buf, w), CM_EPARSE);
    ck_assert_status(cm_sla_breakdown_merge(e, b), CM_EINVAL);
    static const char *const bad1[] = {"policy", "policy"};
    static const char *const bad2[] = {"colour"};
    cm_sla_breakdown *x;
    poison(&x);
    ck_assert_status(cm_sla_breakdown_new(set, bad1, 2, NULL, &x), CM_EINVAL);
    ck_assert_status(cm_sla_breakdown_new(set, bad2, 1, NULL, &x), CM_EINVAL);
    ck_assert_status(cm_sla_breakdown_new(set, one, 0, NULL, &x), CM_EINVAL);
    ck_assert_status(cm_sla_breakdown_new(NULL, one, 1, NULL, &x), CM_EINVAL);
    ck_assert_untouched(&x);
    const uint32_t badkey[] = {7, CM_SLA_ANY};
    ck_assert_status(cm_sla_breakdown_result(b, FIRST, badkey, 0.95, &s), CM_EINVAL);
    ck_assert_status(cm_sla_breakdown_result(b, 99, all, 0.95, &s), CM_EINVAL);
    ck_assert_status(cm_sla_breakdown_result(b, FIRST, all, 1.0, &s), CM_EINVAL);
    /* A record with an unknown policy: nothing is added. */
    cm_sla_record bogus = out[0];
    bogus.policy = 9;
    ck_assert_status(cm_sla_breakdown_add(b, &bogus, 1), CM_EINVAL);
    cm_sla_breakdown_free(b);
    cm_sla_breakdown_free(c);
    cm_sla_breakdown_free(d);
    cm_sla_breakdown_free(e);
    cm_sla_breakdown_free(NULL);
    cm_sla_policyset_free(set);
}
END_TEST

START_TEST(breakdown_by_group)
{
    /* The two group spans of group_two_groups, by group: Tier 1 achieved, Tier 2 breached. */
    cm_sla_policyset *set = set_of("group-policy t1\n  when group is \"Tier 1\"\n"
                                   "  group-ownership * 2h calendar\n"
                                   "group-policy t2\n  when group is \"Tier 2\"\n"
                                   "  group-ownership * 4h calendar\n");
    static const char *const keys[] = {"group"};
    cm_sla_breakdown *b = NULL;
    ck_assert_status(cm_sla_breakdown_new(set, keys, 1, NULL, &b), CM_OK);
    const cm_sla_ticket_event ev[] = {
        T_CREATED(AT(0, 9, 0), 2), T_ATTR(AT(0, 9, 0), "group", "Tier 1"),
        T_ATTR(AT(0, 10, 30), "group", "Tier 2"), T_STATUS(AT(0, 15, 0), SOLVED)};
    cm_sla_record out[16];
    const size_t n = eval(set, ev, 4, AT(0, 16, 0), out, 16);
    ck_assert_status(cm_sla_breakdown_add(b, out, n), CM_OK);
    cm_sla_attainment_summary s;
    const uint32_t t1[] = {0}, t2[] = {1};
    ck_assert_status(cm_sla_breakdown_result(b, GROUP, t1, 0.95, &s), CM_OK);
    ck_assert_uint_eq(s.achieved, 1);
    ck_assert_int_eq(s.elapsed.total_seconds, MIN(90));
    ck_assert_status(cm_sla_breakdown_result(b, GROUP, t2, 0.95, &s), CM_OK);
    ck_assert_uint_eq(s.breached, 1);
    ck_assert_int_eq(s.elapsed.total_seconds, MIN(270));
    cm_sla_breakdown_free(b);
    cm_sla_policyset_free(set);
}
END_TEST

/* ---- calendar histories ------------------------------------------------------------ */

START_TEST(history_arithmetic)
{
    /* The history of cal_setup: 09-17 until Wednesday 2025-01-08, 08-18 from then. */
    int64_t e = 0;
    /* Tuesday 16:00 to Wednesday 09:00: 1 h (Tuesday) + 1 h (Wednesday 08-09). */
    ck_assert_status(cm_calendar_history_elapsed(hist, AT(1, 16, 0), AT(2, 9, 0), &e), CM_OK);
    ck_assert_int_eq(e, H(2));
    ck_assert_status(cm_calendar_history_elapsed(hist, AT(2, 9, 0), AT(1, 16, 0), &e), CM_OK);
    ck_assert_int_eq(e, -H(2));
    cm_time t = 0;
    ck_assert_status(cm_calendar_history_add(hist, AT(1, 16, 0), H(2), &t), CM_OK);
    ck_assert_int_eq(t, AT(2, 9, 0));
    ck_assert_status(cm_calendar_history_add(hist, AT(2, 9, 0), -H(2), &t), CM_OK);
    ck_assert_int_eq(t, AT(1, 16, 0));
    ck_assert_status(cm_calendar_history_add(hist, AT(2, 9, 0), 0, &t), CM_OK);
    ck_assert_int_eq(t, AT(2, 9, 0));
    bool open = true;
    ck_assert_status(cm_calendar_history_is_open(hist, AT(1, 8, 30), &open), CM_OK);
    ck_assert(!open); /* Tuesday 08:30: before 09:00 */
    ck_assert_status(cm_calendar_history_is_open(hist, AT(2, 8, 30), &open), CM_OK);
    ck_assert(open); /* Wednesday 08:30: the new hours */
    const cm_calendar *cal = NULL;
    cm_time until = 0;
    ck_assert_status(cm_calendar_history_at(hist, AT(1, 8, 30), &cal, &until), CM_OK);
    ck_assert_int_eq(until, AT(2, 0, 0));
    ck_assert_status(cm_calendar_history_at(hist, AT(2, 8, 30), &cal, &until), CM_OK);
    ck_assert_int_eq(until, CM_CALENDAR_TIME_MAX);
    /* Properties on random spans: elapsed(t, add(t, n)) == n, and the split sums. */
    test_rng r = test_rng_make("history_arithmetic");
    for (int k = 0; k < 300; k++) {
        const cm_time a = AT(0, 0, 0) + (cm_time)rng_below(&r, 5 * 86400);
        const int64_t n = (int64_t)rng_below(&r, 40 * 3600) - 20 * 3600;
        ck_assert_status(cm_calendar_history_add(hist, a, n, &t), CM_OK);
        ck_assert_status(cm_calendar_history_elapsed(hist, a, t, &e), CM_OK);
        ck_assert_int_eq(e, n);
    }
}
END_TEST

START_TEST(history_new_and_parse)
{
    const cm_calendar *cs[2] = {cals[0], cals[1]};
    const cm_time from[2] = {AT(0, 0, 0), AT(2, 0, 0)};
    cm_calendar_history *h = NULL;
    ck_assert_status(cm_calendar_history_new(cs, from, 2, NULL, &h), CM_OK);
    /* Before the first entry nothing counts: Sunday to Monday 10:00 counts 09-10. */
    int64_t e = 0;
    ck_assert_status(cm_calendar_history_elapsed(h, AT(-1, 0, 0), AT(0, 10, 0), &e), CM_OK);
    ck_assert_int_eq(e, H(1));
    cm_time t;
    ck_assert_status(cm_calendar_history_add(h, AT(0, 10, 0), -H(2), &t), CM_EOVERFLOW);
    cm_calendar_history_free(h);
    cm_calendar_history *x;
    poison(&x);
    const cm_time back[2] = {AT(2, 0, 0), AT(0, 0, 0)};
    ck_assert_status(cm_calendar_history_new(cs, back, 2, NULL, &x), CM_EINVAL);
    ck_assert_status(cm_calendar_history_new(cs, from, 0, NULL, &x), CM_EINVAL);
    ck_assert_status(cm_calendar_history_new(NULL, from, 2, NULL, &x), CM_EINVAL);
    const cm_time far[1] = {INT64_MAX};
    ck_assert_status(cm_calendar_history_new(cs, far, 1, NULL, &x), CM_ERANGE);
    static const struct {
        const char *text;
        uint32_t line, column;
        const char *message;
    } errors[] = {
        {"", 1, 1, "no calendar"},
        {"# only a comment\n", 1, 1, "no calendar"},
        {"from 2025-13-01\ntz UTC\n", 1, 6, "expected a date"},
        {"from\ntz UTC\n", 1, 5, "expected a date"},
        {"from 2025-01-01 x\ntz UTC\n", 1, 17, "unexpected text"},
        {"from 2025-02-01\ntz UTC\nfrom 2025-01-01\ntz UTC\n", 3, 6, "must increase"},
        {"tz UTC\nmon-fri 09:00-17:00\nfrom 2025-01-01\nmon-fri 25:00-26:00\n", 4, 0, ""},
    };
    for (size_t i = 0; i < NELEM(errors); i++) {
        cm_parse_error err = {0, 0, NULL};
        const cm_status st = cm_calendar_history_parse(errors[i].text, NULL, &x, &err);
        ck_assert_msg(st == CM_EPARSE, "%s: %s", errors[i].text, cm_status_name(st));
        ck_assert_msg(err.line == errors[i].line &&
                          (errors[i].column == 0 || err.column == errors[i].column) &&
                          strstr(err.message, errors[i].message) != NULL,
                      "%s: %u:%u %s", errors[i].text, (unsigned)err.line, (unsigned)err.column,
                      err.message);
    }
    ck_assert_untouched(&x);
    ck_assert_status(cm_calendar_history_parse(NULL, NULL, &x, NULL), CM_EINVAL);
    /* A date in a zone: 2025-03-09 00:00 in New York is 05:00 UTC. */
    ck_assert_status(cm_calendar_history_parse("tz UTC\nfrom 2025-03-09\ntz America/New_York\n"
                                               "mon-sun 00:00-24:00\n",
                                               NULL, &h, NULL),
                     CM_OK);
    const cm_calendar *c = NULL;
    cm_time until = 0;
    ck_assert_status(cm_calendar_history_at(h, INT64_C(1741478400), &c, &until), CM_OK);
    ck_assert_int_eq(until, INT64_C(1741478400) + 5 * 3600);
    cm_calendar_history_free(h);
}
END_TEST

void sla_policyset_tcases(Suite *s)
{
    TCase *tc = tcase_create("policyset");
    tcase_add_checked_fixture(tc, cal_setup, cal_teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, first_match);
    tcase_add_test(tc, reselect_priority);
    tcase_add_test(tc, reselect_group);
    tcase_add_test(tc, group_two_groups);
    tcase_add_test(tc, group_reopen);
    tcase_add_test(tc, schedule_change);
    tcase_add_test(tc, history_change);
    tcase_add_test(tc, five_levels);
    tcase_add_test(tc, custom_clocks);
    tcase_add_test(tc, custom_status_pauses_builtin);
    tcase_add_test(tc, clock_cycles_and_triggers);
    tcase_add_test(tc, agent_created_first_reply);
    tcase_add_test(tc, warnings);
    tcase_add_test(tc, alarm_edges);
    tcase_add_test(tc, struct_sizes);
    tcase_add_test(tc, legacy_equivalence);
    tcase_add_test(tc, parse_forms);
    tcase_add_loop_test(tc, parse_errors, 0, (int)NELEM(set_errors));
    tcase_add_test(tc, parse_legacy_texts);
    tcase_add_test(tc, parse_bad_input);
    tcase_add_test(tc, struct_api);
    tcase_add_test(tc, struct_api_bad_input);
    tcase_add_test(tc, evaluate_bad_input);
    tcase_add_test(tc, breakdown_counts);
    tcase_add_test(tc, breakdown_by_group);
    tcase_add_test(tc, history_arithmetic);
    tcase_add_test(tc, history_new_and_parse);
    suite_add_tcase(s, tc);
}
