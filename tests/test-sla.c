/*
 * Tests of caremetrics/sla.h.
 *
 * The timelines below are complete ticket histories with every expected value
 * worked out by hand in the comment next to the case (times are UTC on the
 * week of Monday 2025-01-06; "Mon 09:00 + 3h = 12:00"). They use calendar-time
 * targets, where an elapsed time is plain subtraction; the business-hours
 * timelines are in their own table further down. Everything here is integer
 * seconds, so every comparison is exact.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/sla.h>

#include "test-sla.h"
#include "testing.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Monday 2025-01-06 00:00:00 UTC: 2025-01-01 is 1735689600, plus 5 days. */
#define MON         INT64_C(1736121600)
#define AT(d, h, m) (MON + (int64_t)(d)*86400 + (int64_t)(h)*3600 + (int64_t)(m)*60)
#define H(x)        ((int64_t)(x)*3600)
#define MIN(x)      ((int64_t)(x)*60)
#define NO          CM_SLA_NO_TIME
#define CAL         CM_SLA_CALENDAR_TIME

#define CREATED(t, p)                     \
    {                                     \
        (t), CM_SLA_EVENT_CREATED, 0, (p) \
    }
#define BY_AGENT(t, p)                                        \
    {                                                         \
        (t), CM_SLA_EVENT_CREATED, CM_SLA_EVENT_BY_AGENT, (p) \
    }
#define AGENT(t)                            \
    {                                       \
        (t), CM_SLA_EVENT_AGENT_REPLY, 0, 0 \
    }
#define BOT(t)                                                   \
    {                                                            \
        (t), CM_SLA_EVENT_AGENT_REPLY, CM_SLA_EVENT_AUTOMATED, 0 \
    }
#define NOTE(t)                            \
    {                                      \
        (t), CM_SLA_EVENT_AGENT_NOTE, 0, 0 \
    }
#define CUSTOMER(t)                            \
    {                                          \
        (t), CM_SLA_EVENT_CUSTOMER_REPLY, 0, 0 \
    }
#define STATUS(t, s)                     \
    {                                    \
        (t), CM_SLA_EVENT_STATUS, 0, (s) \
    }
#define PRIO(t, p)                         \
    {                                      \
        (t), CM_SLA_EVENT_PRIORITY, 0, (p) \
    }
#define REOPEN(t)                      \
    {                                  \
        (t), CM_SLA_EVENT_REOPEN, 0, 0 \
    }

#define FIRST   CM_SLA_FIRST_REPLY
#define NEXT    CM_SLA_NEXT_REPLY
#define UPDATE  CM_SLA_PERIODIC_UPDATE
#define WAIT    CM_SLA_REQUESTER_WAIT
#define WORK    CM_SLA_AGENT_WORK
#define TOTAL   CM_SLA_TOTAL_RESOLUTION
#define NA      CM_SLA_NOT_APPLICABLE
#define ACTIVE  CM_SLA_ACTIVE
#define PAUSED  CM_SLA_PAUSED
#define OK_     CM_SLA_ACHIEVED
#define LATE    CM_SLA_BREACHED
#define NONE    CM_SLA_PRIORITY_NONE
#define LOW     CM_SLA_PRIORITY_LOW
#define NORMAL  CM_SLA_PRIORITY_NORMAL
#define HIGH    CM_SLA_PRIORITY_HIGH
#define URGENT  CM_SLA_PRIORITY_URGENT
#define PENDING CM_SLA_STATUS_PENDING
#define ONHOLD  CM_SLA_STATUS_ON_HOLD
#define OPEN    CM_SLA_STATUS_OPEN
#define SOLVED  CM_SLA_STATUS_SOLVED
#define CLOSED  CM_SLA_STATUS_CLOSED

/*
 * The calendar-time policy of most timelines. First reply differs per
 * priority so that priority changes show; the other metrics use `*`.
 */
static const char calendar_policy[] = "first-reply      urgent  1h   calendar\n"
                                      "first-reply      high    2h   calendar\n"
                                      "first-reply      normal  3h   calendar\n"
                                      "first-reply      low     8h   calendar\n"
                                      "next-reply       *       2h   calendar\n"
                                      "periodic-update  *       4h   calendar\n"
                                      "requester-wait   *       8h   calendar\n"
                                      "agent-work       *       6h   calendar\n"
                                      "total-resolution *       24h  calendar\n";

/* One expected record: out[idx]. remaining and breached are derived from it. */
typedef struct want {
    int idx;
    uint32_t metric, cycle, state, priority;
    cm_time start, stop;
    int64_t elapsed, target;
    cm_time due, breach;
} want;

typedef struct timeline {
    const char *name;
    const char *policy; /* NULL: calendar_policy */
    const char *extra;  /* appended option lines, or NULL */
    cm_sla_event events[16];
    size_t nevents;
    cm_time now;
    size_t count; /* records expected in all */
    want w[12];
    size_t nw;
} timeline;

#define W(...)      \
    {               \
        __VA_ARGS__ \
    }

static const timeline timelines[] = {
    /* Priority change mid-clock, before it: created Mon 10:00 normal (3 h).
     * At 10:30: elapsed 30 min, due 10:00 + 3h = 13:00. */
    {"priority-before-change",
     NULL,
     NULL,
     {CREATED(AT(0, 10, 0), NORMAL), PRIO(AT(0, 11, 0), HIGH)},
     2,
     AT(0, 10, 30),
     6,
     {W(0, FIRST, 1, ACTIVE, NORMAL, AT(0, 10, 0), NO, MIN(30), H(3), AT(0, 13, 0), NO)},
     1},
    /* ... after it: high (2 h) at 11:00 keeps the elapsed time and swaps the
     * target: at 11:30 elapsed 1h30m, due 10:00 + 2h = 12:00, remaining 30 min. */
    {"priority-after-change",
     NULL,
     NULL,
     {CREATED(AT(0, 10, 0), NORMAL), PRIO(AT(0, 11, 0), HIGH)},
     2,
     AT(0, 11, 30),
     6,
     {W(0, FIRST, 1, ACTIVE, HIGH, AT(0, 10, 0), NO, MIN(90), H(2), AT(0, 12, 0), NO)},
     1},
    /* ... and past the new due: at 12:30 elapsed 2h30m > 2h, breached since 12:00. */
    {"priority-change-breach",
     NULL,
     NULL,
     {CREATED(AT(0, 10, 0), NORMAL), PRIO(AT(0, 11, 0), HIGH)},
     2,
     AT(0, 12, 30),
     6,
     {W(0, FIRST, 1, ACTIVE, HIGH, AT(0, 10, 0), NO, MIN(150), H(2), AT(0, 12, 0), AT(0, 12, 0))},
     1},
    /* A change that lands past the new target: created 09:00 normal, urgent
     * (1 h) at 10:30, reply 10:45. Elapsed 1h45m > 1h: breached, due (and
     * breach) where 1 h was reached, 10:00. */
    {"priority-change-already-late",
     NULL,
     NULL,
     {CREATED(AT(0, 9, 0), NORMAL), PRIO(AT(0, 10, 30), URGENT), AGENT(AT(0, 10, 45))},
     3,
     AT(0, 11, 0),
     6,
     {W(0, FIRST, 1, LATE, URGENT, AT(0, 9, 0), AT(0, 10, 45), MIN(105), H(1), AT(0, 10, 0),
        AT(0, 10, 0))},
     1},
    /* A stopped instance keeps the priority of its stop: first reply 09:30
     * (normal, 30 min of 3 h, due 12:00), urgent only afterwards at 10:00. */
    {"priority-after-stop",
     NULL,
     NULL,
     {CREATED(AT(0, 9, 0), NORMAL), AGENT(AT(0, 9, 30)), PRIO(AT(0, 10, 0), URGENT)},
     3,
     AT(0, 11, 0),
     6,
     {W(0, FIRST, 1, OK_, NORMAL, AT(0, 9, 0), AT(0, 9, 30), MIN(30), H(3), AT(0, 12, 0), NO),
      /* the periodic update started at 09:30 runs under urgent: 1h30m of 4h, due 13:30 */
      W(2, UPDATE, 1, ACTIVE, URGENT, AT(0, 9, 30), NO, MIN(90), H(4), AT(0, 13, 30), NO)},
     2},
    /*
     * Pending pauses requester wait and agent work, not total resolution.
     * Mon 09:00 created (normal); 10:00 agent reply, pending; 14:00 customer
     * reply (back to open, next reply starts); 15:00 agent reply; 16:00 solved.
     *  first reply  09:00-10:00 = 1h of 3h, due 09:00 + 3h = 12:00.
     *  next reply   14:00-15:00 = 1h of 2h, due 16:00.
     *  update #1    10:00-15:00 = 5h of 4h: breached at 14:00 (pending does
     *               not pause it by default); #2 15:00-16:00 (solve) = 1h, due 19:00.
     *  requester wait  counts 09:00-10:00 and 14:00-16:00 = 3h of 8h; due from
     *               the last segment: 14:00 + (8h - 1h) = 21:00.
     *  agent work   the same 3h of 6h; due 14:00 + (6h - 1h) = 19:00.
     *  total        09:00-16:00 = 7h of 24h, due Tue 09:00.
     */
    {"pending-pauses-wait-not-total",
     NULL,
     NULL,
     {CREATED(AT(0, 9, 0), NORMAL), AGENT(AT(0, 10, 0)), STATUS(AT(0, 10, 0), PENDING),
      CUSTOMER(AT(0, 14, 0)), AGENT(AT(0, 15, 0)), STATUS(AT(0, 16, 0), SOLVED)},
     6,
     AT(0, 17, 0),
     7,
     {W(0, FIRST, 1, OK_, NORMAL, AT(0, 9, 0), AT(0, 10, 0), H(1), H(3), AT(0, 12, 0), NO),
      W(1, NEXT, 1, OK_, NORMAL, AT(0, 14, 0), AT(0, 15, 0), H(1), H(2), AT(0, 16, 0), NO),
      W(2, UPDATE, 1, LATE, NORMAL, AT(0, 10, 0), AT(0, 15, 0), H(5), H(4), AT(0, 14, 0),
        AT(0, 14, 0)),
      W(3, UPDATE, 2, OK_, NORMAL, AT(0, 15, 0), AT(0, 16, 0), H(1), H(4), AT(0, 19, 0), NO),
      W(4, WAIT, 1, OK_, NORMAL, AT(0, 9, 0), AT(0, 16, 0), H(3), H(8), AT(0, 21, 0), NO),
      W(5, WORK, 1, OK_, NORMAL, AT(0, 9, 0), AT(0, 16, 0), H(3), H(6), AT(0, 19, 0), NO),
      W(6, TOTAL, 1, OK_, NORMAL, AT(0, 9, 0), AT(0, 16, 0), H(7), H(24), AT(1, 9, 0), NO)},
     7},
    /*
     * On-hold pauses agent work only. Mon 09:00 created (high); 09:30 reply;
     * 10:00 on-hold; 13:00 open; now 14:00.
     *  requester wait runs throughout: 5h of 8h, due 17:00.
     *  agent work: 09:00-10:00 and 13:00-14:00 = 2h of 6h, due 13:00 + 5h = 18:00.
     */
    {"on-hold-pauses-agent-work",
     NULL,
     NULL,
     {CREATED(AT(0, 9, 0), HIGH), AGENT(AT(0, 9, 30)), STATUS(AT(0, 10, 0), ONHOLD),
      STATUS(AT(0, 13, 0), OPEN)},
     4,
     AT(0, 14, 0),
     6,
     {W(3, WAIT, 1, ACTIVE, HIGH, AT(0, 9, 0), NO, H(5), H(8), AT(0, 17, 0), NO),
      W(4, WORK, 1, ACTIVE, HIGH, AT(0, 9, 0), NO, H(2), H(6), AT(0, 18, 0), NO)},
     2},
    /*
     * Reopen, three ways. Mon 09:00 created (normal); 09:30 reply; 12:00
     * solved; Tue 09:00 customer reply (reopens, next reply starts); 10:00
     * reply; 11:00 solved. Now Tue 12:00.
     * Reactivate (the default): total resolution resumes at the reopen:
     *  3h (Mon 09-12) + 2h (Tue 09-11) = 5h of 24h; due from the last segment:
     *  Tue 09:00 + (24h - 3h) = Wed 06:00.
     *  The update started Mon 09:30 stopped at the solve with 2h30m, resumes
     *  Tue 09:00 and ends at the 10:00 reply: 3h30m of 4h, due 10:00 - ... =
     *  Tue 09:00 + (4h - 2h30m) = 10:30. Update #2 10:00-11:00, due 14:00.
     *  next reply Tue 09:00-10:00: 1h of 2h, due 11:00.
     */
    {"reopen-reactivate",
     NULL,
     NULL,
     {CREATED(AT(0, 9, 0), NORMAL), AGENT(AT(0, 9, 30)), STATUS(AT(0, 12, 0), SOLVED),
      CUSTOMER(AT(1, 9, 0)), AGENT(AT(1, 10, 0)), STATUS(AT(1, 11, 0), SOLVED)},
     6,
     AT(1, 12, 0),
     7,
     {W(0, FIRST, 1, OK_, NORMAL, AT(0, 9, 0), AT(0, 9, 30), MIN(30), H(3), AT(0, 12, 0), NO),
      W(1, NEXT, 1, OK_, NORMAL, AT(1, 9, 0), AT(1, 10, 0), H(1), H(2), AT(1, 11, 0), NO),
      W(2, UPDATE, 1, OK_, NORMAL, AT(0, 9, 30), AT(1, 10, 0), MIN(210), H(4), AT(1, 10, 30), NO),
      W(3, UPDATE, 2, OK_, NORMAL, AT(1, 10, 0), AT(1, 11, 0), H(1), H(4), AT(1, 14, 0), NO),
      W(4, WAIT, 1, OK_, NORMAL, AT(0, 9, 0), AT(1, 11, 0), H(5), H(8), AT(1, 14, 0), NO),
      W(6, TOTAL, 1, OK_, NORMAL, AT(0, 9, 0), AT(1, 11, 0), H(5), H(24), AT(2, 6, 0), NO)},
     6},
    /*
     * The same log with new cycles (Jira SM): cycle 1 keeps Mon 09:00-12:00
     * (3h of 24h, due Tue 09:00); cycle 2 runs Tue 09:00-11:00 (2h, due Wed
     * 09:00). Update: #1 Mon 09:30-12:00 (2h30m, due 13:30); #2 the new cycle
     * Tue 09:00-10:00 (1h, due 13:00); #3 10:00-11:00 (due 14:00).
     */
    {"reopen-new-cycle",
     NULL,
     "* reopen new-cycle\n",
     {CREATED(AT(0, 9, 0), NORMAL), AGENT(AT(0, 9, 30)), STATUS(AT(0, 12, 0), SOLVED),
      CUSTOMER(AT(1, 9, 0)), AGENT(AT(1, 10, 0)), STATUS(AT(1, 11, 0), SOLVED)},
     6,
     AT(1, 12, 0),
     11,
     {W(0, FIRST, 1, OK_, NORMAL, AT(0, 9, 0), AT(0, 9, 30), MIN(30), H(3), AT(0, 12, 0), NO),
      W(1, NEXT, 1, OK_, NORMAL, AT(1, 9, 0), AT(1, 10, 0), H(1), H(2), AT(1, 11, 0), NO),
      W(2, UPDATE, 1, OK_, NORMAL, AT(0, 9, 30), AT(0, 12, 0), MIN(150), H(4), AT(0, 13, 30), NO),
      W(3, UPDATE, 2, OK_, NORMAL, AT(1, 9, 0), AT(1, 10, 0), H(1), H(4), AT(1, 13, 0), NO),
      W(4, UPDATE, 3, OK_, NORMAL, AT(1, 10, 0), AT(1, 11, 0), H(1), H(4), AT(1, 14, 0), NO),
      W(5, WAIT, 1, OK_, NORMAL, AT(0, 9, 0), AT(0, 12, 0), H(3), H(8), AT(0, 17, 0), NO),
      W(6, WAIT, 2, OK_, NORMAL, AT(1, 9, 0), AT(1, 11, 0), H(2), H(8), AT(1, 17, 0), NO),
      W(9, TOTAL, 1, OK_, NORMAL, AT(0, 9, 0), AT(0, 12, 0), H(3), H(24), AT(1, 9, 0), NO),
      W(10, TOTAL, 2, OK_, NORMAL, AT(1, 9, 0), AT(1, 11, 0), H(2), H(24), AT(2, 9, 0), NO)},
     9},
    /*
     * And with restart: the earlier time is forgotten. Total: one instance
     * Tue 09:00-11:00, 2h, due Wed 09:00. Update #1 restarted Tue 09:00,
     * ended 10:00 (due 13:00); #2 10:00-11:00.
     */
    {"reopen-restart",
     NULL,
     "* reopen restart\n",
     {CREATED(AT(0, 9, 0), NORMAL), AGENT(AT(0, 9, 30)), STATUS(AT(0, 12, 0), SOLVED),
      CUSTOMER(AT(1, 9, 0)), AGENT(AT(1, 10, 0)), STATUS(AT(1, 11, 0), SOLVED)},
     6,
     AT(1, 12, 0),
     7,
     {W(0, FIRST, 1, OK_, NORMAL, AT(0, 9, 0), AT(0, 9, 30), MIN(30), H(3), AT(0, 12, 0), NO),
      W(2, UPDATE, 1, OK_, NORMAL, AT(1, 9, 0), AT(1, 10, 0), H(1), H(4), AT(1, 13, 0), NO),
      W(3, UPDATE, 2, OK_, NORMAL, AT(1, 10, 0), AT(1, 11, 0), H(1), H(4), AT(1, 14, 0), NO),
      W(4, WAIT, 1, OK_, NORMAL, AT(1, 9, 0), AT(1, 11, 0), H(2), H(8), AT(1, 17, 0), NO),
      W(6, TOTAL, 1, OK_, NORMAL, AT(1, 9, 0), AT(1, 11, 0), H(2), H(24), AT(2, 9, 0), NO)},
     5},
    /*
     * Reopen while it is still reopened (now Tue 09:30): reactivated total
     * resolution is running again with 3h + 30m = 3h30m, due Wed 06:00.
     */
    {"reopen-reactivate-running",
     NULL,
     NULL,
     {CREATED(AT(0, 9, 0), NORMAL), AGENT(AT(0, 9, 30)), STATUS(AT(0, 12, 0), SOLVED),
      CUSTOMER(AT(1, 9, 0)), AGENT(AT(1, 10, 0)), STATUS(AT(1, 11, 0), SOLVED)},
     6,
     AT(1, 9, 30),
     6,
     {W(5, TOTAL, 1, ACTIVE, NORMAL, AT(0, 9, 0), NO, MIN(210), H(24), AT(2, 6, 0), NO)},
     1},
    /*
     * Next reply with two customer messages before the agent answers: the
     * clock starts at the older one. Mon 09:00 created; 09:10 reply; customer
     * 10:00 and 10:30; reply 11:15 -> 1h15m of 2h, due 12:00. A third
     * message at 11:30 starts turn 2: at 12:00 30 min, due 13:30.
     */
    {"next-reply-oldest-message",
     NULL,
     NULL,
     {CREATED(AT(0, 9, 0), NORMAL), AGENT(AT(0, 9, 10)), CUSTOMER(AT(0, 10, 0)),
      CUSTOMER(AT(0, 10, 30)), AGENT(AT(0, 11, 15)), CUSTOMER(AT(0, 11, 30))},
     6,
     AT(0, 12, 0),
     8,
     {W(1, NEXT, 1, OK_, NORMAL, AT(0, 10, 0), AT(0, 11, 15), MIN(75), H(2), AT(0, 12, 0), NO),
      W(2, NEXT, 2, ACTIVE, NORMAL, AT(0, 11, 30), NO, MIN(30), H(2), AT(0, 13, 30), NO)},
     2},
    /* Customer messages before the first reply belong to the first reply:
     * no next-reply instance (cycle 0, not applicable). */
    {"no-next-reply-before-first",
     NULL,
     NULL,
     {CREATED(AT(0, 9, 0), NORMAL), CUSTOMER(AT(0, 9, 20)), AGENT(AT(0, 9, 40))},
     3,
     AT(0, 10, 0),
     6,
     {W(0, FIRST, 1, OK_, NORMAL, AT(0, 9, 0), AT(0, 9, 40), MIN(40), H(3), AT(0, 12, 0), NO),
      W(1, NEXT, 0, NA, NORMAL, NO, NO, 0, 0, NO, NO)},
     2},
    /*
     * Breach while paused, for a pausable metric (the pausable update).
     * Mon 09:00 created (normal); 09:30 reply starts the update (4h, due
     * 13:30); 14:00 pending. At 15:00 the update is paused and breached:
     * 4h30m counted, remaining -30 min, breached at 13:30. Requester wait and
     * agent work are paused below their targets (5h of 8h and of 6h): no due.
     */
    {"breach-while-paused",
     NULL,
     "periodic-update pause pending\n",
     {CREATED(AT(0, 9, 0), NORMAL), AGENT(AT(0, 9, 30)), STATUS(AT(0, 14, 0), PENDING)},
     3,
     AT(0, 15, 0),
     6,
     {W(2, UPDATE, 1, PAUSED, NORMAL, AT(0, 9, 30), NO, MIN(270), H(4), AT(0, 13, 30),
        AT(0, 13, 30)),
      W(3, WAIT, 1, PAUSED, NORMAL, AT(0, 9, 0), NO, H(5), H(8), NO, NO),
      W(4, WORK, 1, PAUSED, NORMAL, AT(0, 9, 0), NO, H(5), H(6), NO, NO),
      W(5, TOTAL, 1, ACTIVE, NORMAL, AT(0, 9, 0), NO, H(6), H(24), AT(1, 9, 0), NO)},
     4},
    /* The pausable update resumes when the customer writes (16:00, back to
     * open): 4h30m + 30 min at 16:30 = 5h, still breached at 13:30. */
    {"breach-while-paused-resumes",
     NULL,
     "periodic-update pause pending\n",
     {CREATED(AT(0, 9, 0), NORMAL), AGENT(AT(0, 9, 30)), STATUS(AT(0, 14, 0), PENDING),
      CUSTOMER(AT(0, 16, 0))},
     4,
     AT(0, 16, 30),
     6,
     {W(2, UPDATE, 1, ACTIVE, NORMAL, AT(0, 9, 30), NO, H(5), H(4), AT(0, 13, 30), AT(0, 13, 30))},
     1},
    /* A ticket without priority: every clock runs, none has a target. */
    {"no-priority",
     NULL,
     NULL,
     {CREATED(AT(0, 9, 0), NONE), AGENT(AT(0, 10, 0))},
     2,
     AT(0, 11, 0),
     6,
     {W(0, FIRST, 1, NA, NONE, AT(0, 9, 0), AT(0, 10, 0), 0, 0, NO, NO),
      W(1, NEXT, 0, NA, NONE, NO, NO, 0, 0, NO, NO),
      W(2, UPDATE, 1, NA, NONE, AT(0, 10, 0), NO, 0, 0, NO, NO),
      W(5, TOTAL, 1, NA, NONE, AT(0, 9, 0), NO, 0, 0, NO, NO)},
     4},
    /* ... until a priority is set (high at 10:30): total resolution is judged
     * from creation, 2h of 24h at 11:00, due Tue 09:00. The first reply
     * stopped without a priority stays not applicable. */
    {"priority-set-later",
     NULL,
     NULL,
     {CREATED(AT(0, 9, 0), NONE), AGENT(AT(0, 10, 0)), PRIO(AT(0, 10, 30), HIGH)},
     3,
     AT(0, 11, 0),
     6,
     {W(0, FIRST, 1, NA, NONE, AT(0, 9, 0), AT(0, 10, 0), 0, 0, NO, NO),
      W(5, TOTAL, 1, ACTIVE, HIGH, AT(0, 9, 0), NO, H(2), H(24), AT(1, 9, 0), NO)},
     2},
    /* An agent-created ticket has no first reply; its update runs from creation. */
    {"created-by-agent",
     NULL,
     NULL,
     {BY_AGENT(AT(0, 9, 0), LOW), CUSTOMER(AT(0, 10, 0))},
     2,
     AT(0, 11, 0),
     6,
     {W(0, FIRST, 0, NA, LOW, NO, NO, 0, 0, NO, NO),
      W(1, NEXT, 1, ACTIVE, LOW, AT(0, 10, 0), NO, H(1), H(2), AT(0, 12, 0), NO),
      W(2, UPDATE, 1, ACTIVE, LOW, AT(0, 9, 0), NO, H(2), H(4), AT(0, 13, 0), NO)},
     3},
    /* A bot reply (09:01) and a private note (09:05) answer nothing; the
     * human reply at 09:45 does: 45 min of 8h (low), due 17:00. */
    {"automated-and-private",
     NULL,
     NULL,
     {CREATED(AT(0, 9, 0), LOW), BOT(AT(0, 9, 1)), NOTE(AT(0, 9, 5)), AGENT(AT(0, 9, 45))},
     4,
     AT(0, 10, 0),
     6,
     {W(0, FIRST, 1, OK_, LOW, AT(0, 9, 0), AT(0, 9, 45), MIN(45), H(8), AT(0, 17, 0), NO),
      W(2, UPDATE, 1, ACTIVE, LOW, AT(0, 9, 45), NO, MIN(15), H(4), AT(0, 13, 45), NO)},
     2},
    /*
     * Same instant, listed solve-then-reply: the reply applies first (agent
     * replies rank before status changes), so it answers the customer and
     * starts an update which the solve stops at once (0 s). The reopen at
     * 11:00 reactivates that update: 1h at 12:00, due 11:00 + 4h = 15:00.
     */
    {"same-instant-reply-before-solve",
     NULL,
     NULL,
     {CREATED(AT(0, 9, 0), NORMAL), STATUS(AT(0, 10, 0), SOLVED), AGENT(AT(0, 10, 0)),
      REOPEN(AT(0, 11, 0))},
     4,
     AT(0, 12, 0),
     6,
     {W(0, FIRST, 1, OK_, NORMAL, AT(0, 9, 0), AT(0, 10, 0), H(1), H(3), AT(0, 12, 0), NO),
      W(2, UPDATE, 1, ACTIVE, NORMAL, AT(0, 10, 0), NO, H(1), H(4), AT(0, 15, 0), NO),
      W(5, TOTAL, 1, ACTIVE, NORMAL, AT(0, 9, 0), NO, H(2), H(24), AT(1, 10, 0), NO)},
     3},
    /* A customer message and an agent reply in the same second: the message
     * applies first, so its next reply is answered at once (0 s, due +2h).
     * The priority change of that second applies before both. */
    {"same-instant-customer-agent-priority",
     NULL,
     NULL,
     {CREATED(AT(0, 9, 0), NORMAL), AGENT(AT(0, 9, 30)), AGENT(AT(0, 10, 0)),
      CUSTOMER(AT(0, 10, 0)), PRIO(AT(0, 10, 0), URGENT)},
     5,
     AT(0, 10, 30),
     7,
     {W(1, NEXT, 1, OK_, URGENT, AT(0, 10, 0), AT(0, 10, 0), 0, H(2), AT(0, 12, 0), NO),
      W(3, UPDATE, 2, ACTIVE, URGENT, AT(0, 10, 0), NO, MIN(30), H(4), AT(0, 14, 0), NO)},
     2},
    /* Without auto-open a customer message leaves a pending ticket pending:
     * requester wait stays paused (1h at 12:00, paused since 10:00). */
    {"no-auto-open",
     NULL,
     "customer-reply-opens no\n",
     {CREATED(AT(0, 9, 0), NORMAL), AGENT(AT(0, 10, 0)), STATUS(AT(0, 10, 0), PENDING),
      CUSTOMER(AT(0, 11, 0))},
     4,
     AT(0, 12, 0),
     6,
     {W(1, NEXT, 1, ACTIVE, NORMAL, AT(0, 11, 0), NO, H(1), H(2), AT(0, 13, 0), NO),
      W(3, WAIT, 1, PAUSED, NORMAL, AT(0, 9, 0), NO, H(1), H(8), NO, NO)},
     2},
    /* With auto-open (the default) the same message wakes it: 1h + 1h = 2h,
     * due 11:00 + 7h = 18:00. */
    {"auto-open",
     NULL,
     NULL,
     {CREATED(AT(0, 9, 0), NORMAL), AGENT(AT(0, 10, 0)), STATUS(AT(0, 10, 0), PENDING),
      CUSTOMER(AT(0, 11, 0))},
     4,
     AT(0, 12, 0),
     6,
     {W(3, WAIT, 1, ACTIVE, NORMAL, AT(0, 9, 0), NO, H(2), H(8), AT(0, 18, 0), NO)},
     1},
    /* A closed ticket can be reopened: closed at 10:00 straight from open,
     * opened again at 11:00; at 12:00 total = 1h + 1h. Solved -> closed
     * changes nothing; a reopen event on an open ticket is ignored. */
    {"closed-reopened",
     NULL,
     NULL,
     {CREATED(AT(0, 9, 0), URGENT), STATUS(AT(0, 10, 0), CLOSED), STATUS(AT(0, 10, 30), SOLVED),
      STATUS(AT(0, 11, 0), OPEN), REOPEN(AT(0, 11, 30))},
     5,
     AT(0, 12, 0),
     6,
     {W(0, FIRST, 1, ACTIVE, URGENT, AT(0, 9, 0), NO, H(2), H(1), AT(0, 10, 0), AT(0, 10, 0)),
      W(5, TOTAL, 1, ACTIVE, URGENT, AT(0, 9, 0), NO, H(2), H(24), AT(1, 10, 0), NO)},
     2},
    /* Events after `now` are not applied: at 09:30 nothing has been answered. */
    {"events-after-now",
     NULL,
     NULL,
     {CREATED(AT(0, 9, 0), HIGH), AGENT(AT(0, 10, 0)), STATUS(AT(0, 11, 0), SOLVED)},
     3,
     AT(0, 9, 30),
     6,
     {W(0, FIRST, 1, ACTIVE, HIGH, AT(0, 9, 0), NO, MIN(30), H(2), AT(0, 11, 0), NO),
      W(2, UPDATE, 0, NA, HIGH, NO, NO, 0, 0, NO, NO)},
     2},
    /* Exactly at the due instant the clock equals its target and is not yet
     * breached; one second later it is. */
    {"at-due-instant",
     NULL,
     NULL,
     {CREATED(AT(0, 9, 0), URGENT)},
     1,
     AT(0, 10, 0),
     6,
     {W(0, FIRST, 1, ACTIVE, URGENT, AT(0, 9, 0), NO, H(1), H(1), AT(0, 10, 0), NO)},
     1},
    {"one-second-late",
     NULL,
     NULL,
     {CREATED(AT(0, 9, 0), URGENT)},
     1,
     AT(0, 10, 0) + 1,
     6,
     {W(0, FIRST, 1, ACTIVE, URGENT, AT(0, 9, 0), NO, H(1) + 1, H(1), AT(0, 10, 0), AT(0, 10, 0))},
     1},
    /* A reply exactly at the due instant is on time. */
    {"reply-at-due",
     NULL,
     NULL,
     {CREATED(AT(0, 9, 0), URGENT), AGENT(AT(0, 10, 0))},
     2,
     AT(0, 11, 0),
     6,
     {W(0, FIRST, 1, OK_, URGENT, AT(0, 9, 0), AT(0, 10, 0), H(1), H(1), AT(0, 10, 0), NO)},
     1},
    /* A policy measuring only first reply: every other metric is one
     * not-applicable record, whatever happened. */
    {"unmeasured-metrics",
     "first-reply * 30m calendar\n",
     NULL,
     {CREATED(AT(0, 9, 0), HIGH), AGENT(AT(0, 9, 20)), CUSTOMER(AT(0, 9, 40)), AGENT(AT(0, 9, 50))},
     4,
     AT(0, 10, 0),
     6,
     {W(0, FIRST, 1, OK_, HIGH, AT(0, 9, 0), AT(0, 9, 20), MIN(20), MIN(30), AT(0, 9, 30), NO),
      W(1, NEXT, 0, NA, HIGH, NO, NO, 0, 0, NO, NO),
      W(2, UPDATE, 0, NA, HIGH, NO, NO, 0, 0, NO, NO),
      W(5, TOTAL, 0, NA, HIGH, NO, NO, 0, 0, NO, NO)},
     4},
    /* Solving a ticket nobody answered ends its first reply: 2h of 3h,
     * achieved (as Jira's time to first response stops on resolution), with
     * the due it had, 12:00. */
    {"solved-without-reply",
     NULL,
     NULL,
     {CREATED(AT(0, 9, 0), NORMAL), STATUS(AT(0, 11, 0), SOLVED)},
     2,
     AT(0, 12, 0),
     6,
     {W(0, FIRST, 1, OK_, NORMAL, AT(0, 9, 0), AT(0, 11, 0), H(2), H(3), AT(0, 12, 0), NO)},
     1},
    /* ... and reopening it (reactivate) brings that first reply back:
     * 2h + 1h at 13:00 = 3h, due 12:00 + (3h - 2h) = 13:00 = now: not breached. */
    {"solved-without-reply-reopened",
     NULL,
     NULL,
     {CREATED(AT(0, 9, 0), NORMAL), STATUS(AT(0, 11, 0), SOLVED), CUSTOMER(AT(0, 12, 0))},
     3,
     AT(0, 13, 0),
     6,
     {W(0, FIRST, 1, ACTIVE, NORMAL, AT(0, 9, 0), NO, H(3), H(3), AT(0, 13, 0), NO),
      W(1, NEXT, 0, NA, NORMAL, NO, NO, 0, 0, NO, NO)},
     2},
    /* An agent reply on the solved ticket answers it: the reopen no longer
     * brings the first reply back (stop stays at the solve). */
    {"reply-after-solve",
     NULL,
     NULL,
     {CREATED(AT(0, 9, 0), NORMAL), STATUS(AT(0, 11, 0), SOLVED), AGENT(AT(0, 11, 30)),
      CUSTOMER(AT(0, 12, 0))},
     4,
     AT(0, 13, 0),
     6,
     {W(0, FIRST, 1, OK_, NORMAL, AT(0, 9, 0), AT(0, 11, 0), H(2), H(3), AT(0, 12, 0), NO),
      W(1, NEXT, 1, ACTIVE, NORMAL, AT(0, 12, 0), NO, H(1), H(2), AT(0, 14, 0), NO)},
     2},
};

static cm_sla_policy *policy_of(const char *text, const char *extra)
{
    char buf[2048];
    snprintf(buf, sizeof buf, "%s%s", text, extra != NULL ? extra : "");
    cm_sla_policy *p = NULL;
    cm_parse_error err = {0, 0, NULL};
    const cm_status st = cm_sla_policy_parse(buf, &p, &err);
    ck_assert_msg(st == CM_OK, "policy: %s at %u:%u", err.message ? err.message : "?",
                  (unsigned)err.line, (unsigned)err.column);
    return p;
}

/* Invariants every record satisfies, whatever the timeline. */
static void check_record(const cm_sla_instance *in, cm_time now)
{
    ck_assert_uint_lt(in->metric, CM_SLA_METRIC_COUNT);
    ck_assert_uint_le(in->state, CM_SLA_BREACHED);
    ck_assert_int_eq(in->remaining, in->target - in->elapsed);
    ck_assert(in->breached == (in->elapsed > in->target));
    ck_assert(in->breach == (in->breached ? in->due : NO));
    ck_assert_mem_eq(in->reserved, "\0\0\0", 3);
    if (in->state == NA) {
        ck_assert(in->elapsed == 0 && in->target == 0 && in->due == NO);
        return;
    }
    ck_assert_int_gt(in->target, 0);
    ck_assert_int_ge(in->elapsed, 0);
    ck_assert_int_le(in->start, now);
    if (in->state == ACTIVE || in->state == PAUSED) {
        ck_assert_int_eq(in->stop, NO);
    } else {
        ck_assert_int_ge(in->stop, in->start);
        ck_assert(in->breached == (in->state == LATE));
    }
    if (in->state == ACTIVE)
        ck_assert_int_ne(in->due, NO);
}

static void check_want(const cm_sla_instance *got, const want *w)
{
    ck_assert_msg(got->metric == w->metric && got->cycle == w->cycle,
                  "record %d: metric %u cycle %u, expected metric %u cycle %u", w->idx, got->metric,
                  got->cycle, w->metric, w->cycle);
    ck_assert_msg(got->state == w->state, "record %d: state %s, expected %s", w->idx,
                  cm_sla_state_name(got->state), cm_sla_state_name(w->state));
    ck_assert_uint_eq(got->priority, w->priority);
    ck_assert_int_eq(got->start, w->start);
    ck_assert_int_eq(got->stop, w->stop);
    ck_assert_int_eq(got->elapsed, w->elapsed);
    ck_assert_int_eq(got->target, w->target);
    ck_assert_int_eq(got->due, w->due);
    ck_assert_int_eq(got->breach, w->breach);
}

START_TEST(timeline_table)
{
    const timeline *tl = &timelines[_i];
    fprintf(stderr, "timeline %s\n", tl->name);
    cm_sla_policy *p = policy_of(tl->policy != NULL ? tl->policy : calendar_policy, tl->extra);
    cm_sla_instance out[64];
    size_t n = 0;
    ck_assert_status(cm_sla_evaluate(p, NULL, 0, tl->events, tl->nevents, tl->now, out, 64, &n),
                     CM_OK);
    ck_assert_uint_eq(n, tl->count);
    uint32_t last_metric = 0;
    for (size_t i = 0; i < n; i++) {
        check_record(&out[i], tl->now);
        ck_assert_uint_ge(out[i].metric, last_metric); /* grouped by metric */
        last_metric = out[i].metric;
        ck_assert_int_eq(out[i].calendar, CAL);
    }
    for (size_t i = 0; i < tl->nw; i++)
        check_want(&out[tl->w[i].idx], &tl->w[i]);
    cm_sla_policy_free(p);
}
END_TEST

/* ---- events: order, duplicates, bad input ------------------------------------ */

START_TEST(evaluate_same_instant_any_order)
{
    /* Events of one instant give the same result in any array order. */
    const cm_sla_event a[] = {CREATED(AT(0, 9, 0), NORMAL), CUSTOMER(AT(0, 10, 0)),
                              AGENT(AT(0, 10, 0)),          STATUS(AT(0, 10, 0), PENDING),
                              PRIO(AT(0, 10, 0), HIGH),     NOTE(AT(0, 10, 0))};
    const cm_sla_event b[] = {CREATED(AT(0, 9, 0), NORMAL),  NOTE(AT(0, 10, 0)),
                              STATUS(AT(0, 10, 0), PENDING), AGENT(AT(0, 10, 0)),
                              PRIO(AT(0, 10, 0), HIGH),      CUSTOMER(AT(0, 10, 0))};
    cm_sla_policy *p = policy_of(calendar_policy, NULL);
    cm_sla_instance x[32], y[32];
    size_t nx, ny;
    memset(x, 0, sizeof x);
    memset(y, 0, sizeof y);
    ck_assert_status(cm_sla_evaluate(p, NULL, 0, a, 6, AT(0, 12, 0), x, 32, &nx), CM_OK);
    ck_assert_status(cm_sla_evaluate(p, NULL, 0, b, 6, AT(0, 12, 0), y, 32, &ny), CM_OK);
    ck_assert_uint_eq(nx, ny);
    ck_assert_mem_eq(x, y, nx * sizeof x[0]);
    /* Creation may be listed after events of its own instant. */
    const cm_sla_event c[] = {PRIO(AT(0, 9, 0), URGENT), CREATED(AT(0, 9, 0), LOW)};
    ck_assert_status(cm_sla_evaluate(p, NULL, 0, c, 2, AT(0, 9, 30), x, 32, &nx), CM_OK);
    ck_assert_uint_eq(x[0].priority, URGENT); /* the change follows the creation */
    cm_sla_policy_free(p);
}
END_TEST

START_TEST(evaluate_duplicates)
{
    /* Identical events apply twice: a repeated status or priority is a no-op,
     * a repeated reply is another reply (it starts another update). */
    const cm_sla_event once[] = {CREATED(AT(0, 9, 0), NORMAL), STATUS(AT(0, 9, 30), PENDING),
                                 AGENT(AT(0, 10, 0))};
    const cm_sla_event twice[] = {CREATED(AT(0, 9, 0), NORMAL), STATUS(AT(0, 9, 30), PENDING),
                                  STATUS(AT(0, 9, 30), PENDING), AGENT(AT(0, 10, 0)),
                                  AGENT(AT(0, 10, 0))};
    cm_sla_policy *p = policy_of(calendar_policy, NULL);
    cm_sla_instance x[32], y[32];
    size_t nx, ny;
    ck_assert_status(cm_sla_evaluate(p, NULL, 0, once, 3, AT(0, 11, 0), x, 32, &nx), CM_OK);
    ck_assert_status(cm_sla_evaluate(p, NULL, 0, twice, 5, AT(0, 11, 0), y, 32, &ny), CM_OK);
    ck_assert_uint_eq(nx + 1, ny); /* one more update instance (0 s, achieved) */
    ck_assert_uint_eq(y[2].metric, UPDATE);
    ck_assert_uint_eq(y[2].state, OK_);
    ck_assert_int_eq(y[2].elapsed, 0);
    ck_assert_uint_eq(y[3].cycle, 2);
    cm_sla_policy_free(p);
}
END_TEST

START_TEST(evaluate_capacity)
{
    cm_sla_policy *p = policy_of(calendar_policy, NULL);
    const cm_sla_event ev[] = {CREATED(AT(0, 9, 0), NORMAL), AGENT(AT(0, 9, 30)),
                               AGENT(AT(0, 10, 0))};
    cm_sla_instance out[8];
    size_t n = 99;
    /* Needed: first, next (n/a), update x2, wait, work, total = 7. */
    ck_assert_status(cm_sla_evaluate(p, NULL, 0, ev, 3, AT(0, 11, 0), NULL, 0, &n), CM_ENOSPC);
    ck_assert_uint_eq(n, 7);
    poison(&out);
    n = 99;
    ck_assert_status(cm_sla_evaluate(p, NULL, 0, ev, 3, AT(0, 11, 0), out, 6, &n), CM_ENOSPC);
    ck_assert_uint_eq(n, 7);
    ck_assert_untouched(&out);
    ck_assert_status(cm_sla_evaluate(p, NULL, 0, ev, 3, AT(0, 11, 0), out, 7, &n), CM_OK);
    ck_assert_uint_eq(n, 7);
    cm_sla_policy_free(p);
}
END_TEST

START_TEST(evaluate_bound)
{
    /* The documented bound: at most 6 records per event. A log where every
     * event is a reopen or a reply under new-cycle reaches many instances. */
    cm_sla_policy *p = policy_of(calendar_policy, "* reopen new-cycle\n");
    cm_sla_event ev[40];
    size_t ne = 0;
    ev[ne++] = (cm_sla_event)CREATED(AT(0, 0, 0), NORMAL);
    for (int i = 0; ne + 3 <= NELEM(ev); i++) {
        ev[ne++] = (cm_sla_event)AGENT(AT(0, 0, 0) + 10 * i + 1);
        ev[ne++] = (cm_sla_event)STATUS(AT(0, 0, 0) + 10 * i + 2, SOLVED);
        ev[ne++] = (cm_sla_event)CUSTOMER(AT(0, 0, 0) + 10 * i + 3);
    }
    size_t n = 0;
    ck_assert_status(cm_sla_evaluate(p, NULL, 0, ev, ne, AT(1, 0, 0), NULL, 0, &n), CM_ENOSPC);
    ck_assert_uint_le(n, 6 * ne);
    ck_assert_uint_gt(n, 2 * ne); /* 4 at creation, then 6 per round of 3 events: 82 */
    cm_sla_policy_free(p);
}
END_TEST

START_TEST(evaluate_bad_input)
{
    cm_sla_policy *p = policy_of(calendar_policy, NULL);
    const cm_sla_event ok[] = {CREATED(AT(0, 9, 0), NORMAL), AGENT(AT(0, 9, 30))};
    cm_sla_instance out[16];
    size_t n;
    poison(&out);
    poison(&n);
    const cm_time now = AT(0, 10, 0);
    ck_assert_status(cm_sla_evaluate(NULL, NULL, 0, ok, 2, now, out, 16, &n), CM_EINVAL);
    ck_assert_status(cm_sla_evaluate(p, NULL, 0, NULL, 2, now, out, 16, &n), CM_EINVAL);
    ck_assert_status(cm_sla_evaluate(p, NULL, 0, ok, 0, now, out, 16, &n), CM_EINVAL);
    ck_assert_status(cm_sla_evaluate(p, NULL, 0, ok, 2, now, NULL, 16, &n), CM_EINVAL);
    ck_assert_status(cm_sla_evaluate(p, NULL, 0, ok, 2, now, out, 16, NULL), CM_EINVAL);
    ck_assert_status(cm_sla_evaluate(p, NULL, 1, ok, 2, now, out, 16, &n), CM_EINVAL);

    /* Each bad log, with the status it must give. */
    static const struct {
        const char *what;
        cm_sla_event ev[3];
        size_t n;
        cm_status want;
    } bad[] = {
        {"unknown type 0", {CREATED(AT(0, 9, 0), 2), {AT(0, 9, 1), 0, 0, 0}}, 2, CM_EINVAL},
        {"unknown type 8", {CREATED(AT(0, 9, 0), 2), {AT(0, 9, 1), 8, 0, 0}}, 2, CM_EINVAL},
        {"unknown flag",
         {CREATED(AT(0, 9, 0), 2), {AT(0, 9, 1), CM_SLA_EVENT_AGENT_REPLY, 4, 0}},
         2,
         CM_EINVAL},
        {"by-agent on a reply",
         {CREATED(AT(0, 9, 0), 2), {AT(0, 9, 1), CM_SLA_EVENT_AGENT_REPLY, 2, 0}},
         2,
         CM_EINVAL},
        {"automated status",
         {CREATED(AT(0, 9, 0), 2), {AT(0, 9, 1), CM_SLA_EVENT_STATUS, 1, 1}},
         2,
         CM_EINVAL},
        {"status 6", {CREATED(AT(0, 9, 0), 2), STATUS(AT(0, 9, 1), 6)}, 2, CM_EINVAL},
        {"priority 5", {CREATED(AT(0, 9, 0), 2), PRIO(AT(0, 9, 1), 5)}, 2, CM_EINVAL},
        {"created priority 9", {CREATED(AT(0, 9, 0), 9)}, 1, CM_EINVAL},
        {"value on a reply",
         {CREATED(AT(0, 9, 0), 2), {AT(0, 9, 1), CM_SLA_EVENT_AGENT_REPLY, 0, 1}},
         2,
         CM_EINVAL},
        {"value on a reopen",
         {CREATED(AT(0, 9, 0), 2), {AT(0, 9, 1), CM_SLA_EVENT_REOPEN, 0, 1}},
         2,
         CM_EINVAL},
        {"out of order",
         {CREATED(AT(0, 9, 0), 2), AGENT(AT(0, 9, 30)), AGENT(AT(0, 9, 20))},
         3,
         CM_EINVAL},
        {"no creation", {AGENT(AT(0, 9, 30))}, 1, CM_EINVAL},
        {"two creations", {CREATED(AT(0, 9, 0), 2), CREATED(AT(0, 9, 30), 2)}, 2, CM_EINVAL},
        {"reply before creation", {AGENT(AT(0, 8, 0)), CREATED(AT(0, 9, 0), 2)}, 2, CM_EINVAL},
        {"year 10000", {CREATED(AT(0, 9, 0), 2), AGENT(INT64_C(253402300800))}, 2, CM_ERANGE},
        {"year 0", {CREATED(INT64_C(-62135596801), 2)}, 1, CM_ERANGE},
    };
    for (size_t i = 0; i < NELEM(bad); i++) {
        const cm_status st = cm_sla_evaluate(p, NULL, 0, bad[i].ev, bad[i].n, now, out, 16, &n);
        ck_assert_msg(st == bad[i].want, "%s: %s", bad[i].what, cm_status_name(st));
    }
    /* now before creation, and now outside the years 1..9999 */
    ck_assert_status(cm_sla_evaluate(p, NULL, 0, ok, 2, AT(0, 8, 0), out, 16, &n), CM_EINVAL);
    ck_assert_status(cm_sla_evaluate(p, NULL, 0, ok, 2, INT64_MAX, out, 16, &n), CM_ERANGE);
    ck_assert_status(cm_sla_evaluate(p, NULL, 0, ok, 2, NO, out, 16, &n), CM_ERANGE);
    ck_assert_untouched(&out);
    ck_assert_untouched(&n);
    cm_sla_policy_free(p);

    /* A business target needs its calendar. */
    p = policy_of("first-reply * 4h business 2\n", NULL);
    size_t need = 0;
    ck_assert_status(cm_sla_policy_info(p, NULL, &need), CM_OK);
    ck_assert_uint_eq(need, 3);
    const cm_calendar *none[3] = {NULL, NULL, NULL};
    ck_assert_status(cm_sla_evaluate(p, NULL, 0, ok, 2, now, out, 16, &n), CM_EINVAL);
    ck_assert_status(cm_sla_evaluate(p, none, 2, ok, 2, now, out, 16, &n), CM_EINVAL);
    ck_assert_status(cm_sla_evaluate(p, none, 3, ok, 2, now, out, 16, &n), CM_EINVAL);
    ck_assert_untouched(&out);
    cm_sla_policy_free(p);
}
END_TEST

/* ---- policies ---------------------------------------------------------------- */

START_TEST(policy_defaults)
{
    cm_sla_metric_options o;
    const uint32_t pause[CM_SLA_METRIC_COUNT] = {
        0, 0, 0, CM_SLA_PAUSE(PENDING), CM_SLA_PAUSE(PENDING) | CM_SLA_PAUSE(ONHOLD), 0};
    for (uint32_t m = 0; m < CM_SLA_METRIC_COUNT; m++) {
        ck_assert_status(cm_sla_metric_defaults(m, &o), CM_OK);
        ck_assert_uint_eq(o.pause, pause[m]);
        ck_assert_uint_eq(o.reopen, CM_SLA_REOPEN_REACTIVATE);
    }
    poison(&o);
    ck_assert_status(cm_sla_metric_defaults(6, &o), CM_EINVAL);
    ck_assert_status(cm_sla_metric_defaults(0, NULL), CM_EINVAL);
    ck_assert_untouched(&o);
}
END_TEST

START_TEST(policy_new_and_query)
{
    const cm_sla_target t[] = {
        {FIRST, URGENT, 900, CAL, 0},
        {TOTAL, LOW, 80 * 3600, 1, 0},
    };
    cm_sla_metric_options opt[CM_SLA_METRIC_COUNT];
    for (uint32_t m = 0; m < CM_SLA_METRIC_COUNT; m++)
        ck_assert_status(cm_sla_metric_defaults(m, &opt[m]), CM_OK);
    opt[TOTAL].reopen = CM_SLA_REOPEN_RESTART;
    cm_sla_policy *p = NULL;
    ck_assert_status(cm_sla_policy_new(t, 2, opt, CM_SLA_POLICY_NO_AUTO_OPEN, &p), CM_OK);
    cm_sla_target got;
    ck_assert_status(cm_sla_policy_target(p, FIRST, URGENT, &got), CM_OK);
    ck_assert_mem_eq(&got, &t[0], sizeof got);
    ck_assert_status(cm_sla_policy_target(p, TOTAL, LOW, &got), CM_OK);
    ck_assert_mem_eq(&got, &t[1], sizeof got);
    poison(&got);
    ck_assert_status(cm_sla_policy_target(p, FIRST, HIGH, &got), CM_ENOTFOUND);
    ck_assert_status(cm_sla_policy_target(p, FIRST, NONE, &got), CM_ENOTFOUND);
    ck_assert_status(cm_sla_policy_target(p, 6, HIGH, &got), CM_EINVAL);
    ck_assert_status(cm_sla_policy_target(p, FIRST, 5, &got), CM_EINVAL);
    ck_assert_status(cm_sla_policy_target(NULL, FIRST, HIGH, &got), CM_EINVAL);
    ck_assert_status(cm_sla_policy_target(p, FIRST, HIGH, NULL), CM_EINVAL);
    ck_assert_untouched(&got);
    cm_sla_metric_options o;
    ck_assert_status(cm_sla_policy_options(p, TOTAL, &o), CM_OK);
    ck_assert_uint_eq(o.reopen, CM_SLA_REOPEN_RESTART);
    poison(&o);
    ck_assert_status(cm_sla_policy_options(p, 6, &o), CM_EINVAL);
    ck_assert_status(cm_sla_policy_options(NULL, 0, &o), CM_EINVAL);
    ck_assert_status(cm_sla_policy_options(p, 0, NULL), CM_EINVAL);
    ck_assert_untouched(&o);
    uint32_t flags;
    size_t ncal;
    ck_assert_status(cm_sla_policy_info(p, &flags, &ncal), CM_OK);
    ck_assert_uint_eq(flags, CM_SLA_POLICY_NO_AUTO_OPEN);
    ck_assert_uint_eq(ncal, 2);
    ck_assert_status(cm_sla_policy_info(p, NULL, NULL), CM_OK);
    ck_assert_status(cm_sla_policy_info(NULL, &flags, &ncal), CM_EINVAL);
    cm_sla_policy_free(p);
    cm_sla_policy_free(NULL);

    /* No targets at all is a valid (if idle) policy; options NULL = defaults. */
    ck_assert_status(cm_sla_policy_new(NULL, 0, NULL, 0, &p), CM_OK);
    ck_assert_status(cm_sla_policy_options(p, WORK, &o), CM_OK);
    ck_assert_uint_eq(o.pause, CM_SLA_PAUSE(PENDING) | CM_SLA_PAUSE(ONHOLD));
    cm_sla_policy_free(p);
}
END_TEST

START_TEST(policy_new_bad_input)
{
    static const cm_sla_target bad[] = {
        {6, HIGH, 60, CAL, 0},                                /* unknown metric */
        {FIRST, NONE, 60, CAL, 0},                            /* priority none */
        {FIRST, 5, 60, CAL, 0},                               /* unknown priority */
        {FIRST, HIGH, 0, CAL, 0},                             /* zero target */
        {FIRST, HIGH, -5, CAL, 0},                            /* negative */
        {FIRST, HIGH, CM_SLA_MAX_TARGET_SECONDS + 1, CAL, 0}, /* too long */
        {FIRST, HIGH, 60, -2, 0},                             /* bad calendar */
        {FIRST, HIGH, 60, CM_SLA_MAX_CALENDARS, 0},           /* index too large */
        {FIRST, HIGH, 60, CAL, 1},                            /* reserved */
    };
    cm_sla_policy *p;
    poison(&p);
    for (size_t i = 0; i < NELEM(bad); i++)
        ck_assert_msg(cm_sla_policy_new(&bad[i], 1, NULL, 0, &p) == CM_EINVAL, "row %zu", i);
    const cm_sla_target dup[] = {{FIRST, HIGH, 60, CAL, 0}, {FIRST, HIGH, 120, 0, 0}};
    ck_assert_status(cm_sla_policy_new(dup, 2, NULL, 0, &p), CM_EINVAL);
    ck_assert_status(cm_sla_policy_new(NULL, 1, NULL, 0, &p), CM_EINVAL);
    ck_assert_status(cm_sla_policy_new(dup, 1, NULL, 0, NULL), CM_EINVAL);
    ck_assert_status(cm_sla_policy_new(dup, 25, NULL, 0, &p), CM_EINVAL);
    ck_assert_status(cm_sla_policy_new(dup, 1, NULL, 2, &p), CM_EINVAL);
    cm_sla_metric_options opt[CM_SLA_METRIC_COUNT] = {{0, 0}};
    opt[3].pause = CM_SLA_PAUSE(SOLVED);
    ck_assert_status(cm_sla_policy_new(dup, 1, opt, 0, &p), CM_EINVAL);
    opt[3].pause = 0;
    opt[5].reopen = 3;
    ck_assert_status(cm_sla_policy_new(dup, 1, opt, 0, &p), CM_EINVAL);
    ck_assert_untouched(&p);
}
END_TEST

START_TEST(policy_parse_forms)
{
    /* Every form of the grammar, checked through the queries. */
    static const char text[] =
        "# comment line\n"
        "\n"
        "first-reply,next-reply  urgent,high  1h30m  calendar   # trailing comment\r\n"
        "periodic-update         *            1d12h  calendar\n"
        "total-resolution        normal       24h    business\n"
        "total-resolution        low          80h    business 3\n"
        "requester-wait          low          45s    calendar\n"
        "agent-work              low          2m     calendar\n"
        "   requester-wait   pause  pending,on-hold\n"
        "periodic-update pause none\n"
        "*  reopen  new-cycle\n"
        "customer-reply-opens no";
    cm_sla_policy *p = NULL;
    cm_parse_error err;
    ck_assert_status(cm_sla_policy_parse(text, &p, &err), CM_OK);
    cm_sla_target t;
    ck_assert_status(cm_sla_policy_target(p, FIRST, URGENT, &t), CM_OK);
    ck_assert_int_eq(t.seconds, 5400); /* 1h30m = 3600 + 1800 */
    ck_assert_int_eq(t.calendar, CAL);
    ck_assert_status(cm_sla_policy_target(p, NEXT, HIGH, &t), CM_OK);
    ck_assert_int_eq(t.seconds, 5400);
    ck_assert_status(cm_sla_policy_target(p, FIRST, NORMAL, &t), CM_ENOTFOUND);
    for (uint32_t pr = LOW; pr <= URGENT; pr++) {
        ck_assert_status(cm_sla_policy_target(p, UPDATE, pr, &t), CM_OK);
        ck_assert_int_eq(t.seconds, 129600); /* 1d12h = 86400 + 43200 */
    }
    ck_assert_status(cm_sla_policy_target(p, TOTAL, NORMAL, &t), CM_OK);
    ck_assert_int_eq(t.calendar, 0);
    ck_assert_status(cm_sla_policy_target(p, TOTAL, LOW, &t), CM_OK);
    ck_assert_int_eq(t.calendar, 3);
    ck_assert_int_eq(t.seconds, 288000);
    ck_assert_status(cm_sla_policy_target(p, WAIT, LOW, &t), CM_OK);
    ck_assert_int_eq(t.seconds, 45);
    ck_assert_status(cm_sla_policy_target(p, WORK, LOW, &t), CM_OK);
    ck_assert_int_eq(t.seconds, 120);
    cm_sla_metric_options o;
    ck_assert_status(cm_sla_policy_options(p, WAIT, &o), CM_OK);
    ck_assert_uint_eq(o.pause, CM_SLA_PAUSE(PENDING) | CM_SLA_PAUSE(ONHOLD));
    ck_assert_uint_eq(o.reopen, CM_SLA_REOPEN_NEW_CYCLE);
    ck_assert_status(cm_sla_policy_options(p, UPDATE, &o), CM_OK);
    ck_assert_uint_eq(o.pause, 0);
    ck_assert_status(cm_sla_policy_options(p, WORK, &o), CM_OK); /* default kept */
    ck_assert_uint_eq(o.pause, CM_SLA_PAUSE(PENDING) | CM_SLA_PAUSE(ONHOLD));
    uint32_t flags;
    size_t ncal;
    ck_assert_status(cm_sla_policy_info(p, &flags, &ncal), CM_OK);
    ck_assert_uint_eq(flags, CM_SLA_POLICY_NO_AUTO_OPEN);
    ck_assert_uint_eq(ncal, 4);
    cm_sla_policy_free(p);

    ck_assert_status(cm_sla_policy_parse("", &p, NULL), CM_OK);
    cm_sla_policy_free(p);
    ck_assert_status(cm_sla_policy_parse("customer-reply-opens yes\n", &p, NULL), CM_OK);
    ck_assert_status(cm_sla_policy_info(p, &flags, NULL), CM_OK);
    ck_assert_uint_eq(flags, 0);
    cm_sla_policy_free(p);
}
END_TEST

/* Parse errors: the text, the line and column (1-based), and a word of the message. */
static const struct {
    const char *text;
    uint32_t line, column;
    const char *message;
} parse_errors[] = {
    {"first-repl * 1h calendar", 1, 1, "unknown metric"},
    {"first-reply,,next-reply * 1h calendar", 1, 13, "unknown metric"},
    {"first-reply urgnt 1h calendar", 1, 13, "unknown priority"},
    {"first-reply high,none 1h calendar", 1, 18, "unknown priority"},
    {"first-reply high", 1, 17, "expected a duration"},
    {"first-reply high 1h", 1, 20, "expected the clock"},
    {"first-reply high 1h weekly", 1, 21, "unknown clock"},
    {"first-reply high 1x calendar", 1, 19, "unknown unit"},
    {"first-reply high h calendar", 1, 18, "expected a number"},
    {"first-reply high 10 calendar", 1, 20, "expected a unit"},
    {"first-reply high 30m1h calendar", 1, 22, "from d down to s"},
    {"first-reply high 1h1h calendar", 1, 21, "from d down to s"},
    {"first-reply high 0m calendar", 1, 18, "longer than zero"},
    {"first-reply high 36525d1s calendar", 1, 24, "100 years"},
    {"first-reply high 99999999999999h calendar", 1, 18, "100 years"},
    {"first-reply high 1d business", 1, 19, "days are ambiguous"},
    {"first-reply high 1h business x", 1, 30, "calendar index"},
    {"first-reply high 1h business 64", 1, 30, "calendar index"},
    {"first-reply high 1h calendar extra", 1, 30, "unexpected text"},
    {"first-reply high 1h business 1 extra", 1, 32, "unexpected text"},
    {"# ok\nfirst-reply high 1h calendar\nfirst-reply * 2h calendar", 3, 1, "already set"},
    {"agent-work pause", 1, 17, "expected none"},
    {"agent-work pause solved", 1, 18, "cannot pause"},
    {"agent-work pause pending,waiting", 1, 26, "unknown status"},
    {"agent-work pause none x", 1, 23, "unexpected text"},
    {"agent-work pause none\n* pause pending", 2, 1, "already set"},
    {"agent-work reopen", 1, 18, "expected reactivate"},
    {"agent-work reopen sometimes", 1, 19, "unknown reopen"},
    {"agent-work reopen restart x", 1, 27, "unexpected text"},
    {"agent-work reopen restart\nagent-work reopen restart", 2, 1, "already set"},
    {"agent-work", 1, 11, "expected a priority"},
    {"customer-reply-opens", 1, 21, "expected yes or no"},
    {"customer-reply-opens maybe", 1, 22, "expected yes or no"},
    {"customer-reply-opens no no", 1, 25, "unexpected text"},
    {"customer-reply-opens no\ncustomer-reply-opens yes", 2, 1, "already set"},
    {"a b c d e f g", 1, 13, "unexpected text"},
    {"\n\n  \tfirst-reply high 2h  sideways # x", 3, 25, "unknown clock"},
};

START_TEST(policy_parse_errors)
{
    const int i = _i;
    cm_sla_policy *p;
    cm_parse_error err;
    poison(&p);
    ck_assert_status(cm_sla_policy_parse(parse_errors[i].text, &p, &err), CM_EPARSE);
    ck_assert_untouched(&p);
    ck_assert_msg(err.line == parse_errors[i].line && err.column == parse_errors[i].column,
                  "%s: error at %u:%u (%s), expected %u:%u", parse_errors[i].text,
                  (unsigned)err.line, (unsigned)err.column, err.message,
                  (unsigned)parse_errors[i].line, (unsigned)parse_errors[i].column);
    ck_assert_ptr_nonnull(strstr(err.message, parse_errors[i].message));
    /* err may be NULL */
    ck_assert_status(cm_sla_policy_parse(parse_errors[i].text, &p, NULL), CM_EPARSE);
}
END_TEST

START_TEST(policy_parse_bad_input)
{
    cm_sla_policy *p;
    cm_parse_error err;
    poison(&p);
    poison(&err);
    ck_assert_status(cm_sla_policy_parse(NULL, &p, &err), CM_EINVAL);
    ck_assert_status(cm_sla_policy_parse("", NULL, &err), CM_EINVAL);
    ck_assert_untouched(&p);
    ck_assert_untouched(&err);
    /* On success err is untouched. */
    ck_assert_status(cm_sla_policy_parse("first-reply * 1h calendar", &p, &err), CM_OK);
    ck_assert_untouched(&err);
    cm_sla_policy_free(p);
}
END_TEST

/* ---- attainment ----------------------------------------------------------------- */

static cm_sla_instance rec(uint32_t metric, uint32_t state, uint32_t prio, int64_t elapsed,
                           int64_t target)
{
    cm_sla_instance in;
    memset(&in, 0, sizeof in);
    in.metric = metric;
    in.cycle = 1;
    in.state = state;
    in.priority = prio;
    in.elapsed = elapsed;
    in.target = target;
    in.remaining = target - elapsed;
    in.breached = elapsed > target;
    return in;
}

/* Relative error bound of a sketch quantile (docs/sketch.md), for the
 * distribution checks below: 1/101 of the exact type-7 quantile. */
#define QTOL CM_SKETCH_RELATIVE_ERROR

/* Accumulators are 67 KB: the tests keep them in static storage. */
static cm_sla_attainment acc_a, acc_b, acc_c, acc_ab, acc_ba, acc_abc1, acc_abc2, acc_bc, acc_back;
static uint8_t bytes_a[CM_SLA_ATTAINMENT_SERIALIZED_MAX], bytes_b[CM_SLA_ATTAINMENT_SERIALIZED_MAX];

static void reseal(uint8_t *b, size_t n)
{
    const uint32_t c = test_crc32(b, n - 4);
    for (int i = 0; i < 4; i++)
        b[n - 4 + (size_t)i] = (uint8_t)(c >> (8 * i));
}

START_TEST(attainment_counts)
{
    /* Hand: first reply, high: achieved 600 s and 1200 s, breached (stopped)
     * 9000 s, running past due (breached, no elapsed), running in time (open);
     * first reply, low: achieved 60 s. Not-applicable records are skipped.
     * High: 2 achieved of 4 judged (2 breached), 1 open; elapsed n 3, mean
     * (600 + 1200 + 9000) / 3 = 3600. All priorities: 3 of 5.
     * Quantiles (numpy's type 7) of 600, 1200, 9000: p50 = 1200; p90: h =
     * 2 * 0.9 = 1.8, 1200 + 0.8 * 7800 = 7440; p99: 1200 + 0.98 * 7800 = 8844. */
    const cm_sla_instance r[] = {
        rec(FIRST, OK_, HIGH, 600, 7200),    rec(FIRST, OK_, HIGH, 1200, 7200),
        rec(FIRST, LATE, HIGH, 9000, 7200),  rec(FIRST, ACTIVE, HIGH, 8000, 7200),
        rec(FIRST, PAUSED, HIGH, 100, 7200), rec(FIRST, OK_, LOW, 60, 7200),
        rec(TOTAL, NA, NONE, 0, 0),          rec(NEXT, OK_, HIGH, 30, 60),
    };
    cm_sla_attainment *acc = &acc_a;
    memset(acc, 0, sizeof *acc);
    ck_assert_status(cm_sla_attainment_add(acc, r, NELEM(r)), CM_OK);
    cm_sla_attainment_summary s;
    ck_assert_status(cm_sla_attainment_result(acc, FIRST, HIGH, 0.95, &s), CM_OK);
    ck_assert_uint_eq(s.achieved, 2);
    ck_assert_uint_eq(s.breached, 2);
    ck_assert_uint_eq(s.open, 1);
    ck_assert_uint_eq(s.attained.num, 2);
    ck_assert_uint_eq(s.attained.den, 4);
    ck_assert_uint_eq(s.elapsed.n, 3);
    ck_assert_double_eq(s.elapsed.mean_seconds, 3600.0);
    ck_assert_int_eq(s.elapsed.min_seconds, 600);
    ck_assert_int_eq(s.elapsed.max_seconds, 9000);
    ck_assert(s.has_quantiles);
    ck_assert_rel(s.p50_seconds, 1200.0, QTOL);
    ck_assert_rel(s.p90_seconds, 7440.0, QTOL);
    ck_assert_rel(s.p99_seconds, 8844.0, QTOL);
    ck_assert_uint_eq(acc->first_reply[HIGH - 1].n, 3);
    /* The interval is cm_rate's: the same numbers. */
    cm_proportion q;
    ck_assert_status(cm_rate(2, 4, 0.95, &q), CM_OK);
    ck_assert_mem_eq(&s.attained, &q, sizeof q);
    ck_assert_status(cm_sla_attainment_result(acc, FIRST, CM_SLA_PRIORITY_ALL, 0.95, &s), CM_OK);
    ck_assert_uint_eq(s.attained.num, 3);
    ck_assert_uint_eq(s.attained.den, 5);
    ck_assert_uint_eq(s.elapsed.n, 4);
    /* 60, 600, 1200, 9000: p50 = 600 + 0.5 * 600 = 900 */
    ck_assert_rel(s.p50_seconds, 900.0, QTOL);
    /* Metrics other than first reply and resolution keep no distribution. */
    ck_assert_status(cm_sla_attainment_result(acc, NEXT, HIGH, 0.95, &s), CM_OK);
    ck_assert(!s.has_quantiles);
    ck_assert_double_eq(s.p50_seconds, 0.0);
    poison(&s);
    ck_assert_status(cm_sla_attainment_result(acc, TOTAL, HIGH, 0.95, &s), CM_ENODATA);
    ck_assert_status(cm_sla_attainment_result(acc, FIRST, URGENT, 0.95, &s), CM_ENODATA);
    ck_assert_untouched(&s);
    /* Only breached-while-running instances: attainment 0 %, no elapsed times. */
    cm_sla_attainment *b = &acc_b;
    memset(b, 0, sizeof *b);
    const cm_sla_instance late = rec(FIRST, ACTIVE, LOW, 50, 10);
    ck_assert_status(cm_sla_attainment_add(b, &late, 1), CM_OK);
    ck_assert_status(cm_sla_attainment_result(b, FIRST, LOW, 0.95, &s), CM_OK);
    ck_assert_uint_eq(s.attained.num, 0);
    ck_assert_uint_eq(s.attained.den, 1);
    ck_assert_uint_eq(s.elapsed.n, 0);
    ck_assert_double_eq(s.elapsed.mean_seconds, 0.0);
    ck_assert(!s.has_quantiles);
}
END_TEST

START_TEST(attainment_from_evaluate)
{
    /* The pending timeline's records: first reply achieved, next reply
     * achieved, updates one breached and one achieved, the rest achieved. */
    cm_sla_policy *p = policy_of(calendar_policy, NULL);
    const cm_sla_event ev[] = {CREATED(AT(0, 9, 0), NORMAL),  AGENT(AT(0, 10, 0)),
                               STATUS(AT(0, 10, 0), PENDING), CUSTOMER(AT(0, 14, 0)),
                               AGENT(AT(0, 15, 0)),           STATUS(AT(0, 16, 0), SOLVED)};
    cm_sla_instance out[16];
    size_t n;
    ck_assert_status(cm_sla_evaluate(p, NULL, 0, ev, 6, AT(0, 17, 0), out, 16, &n), CM_OK);
    cm_sla_attainment *acc = &acc_a;
    memset(acc, 0, sizeof *acc);
    ck_assert_status(cm_sla_attainment_add(acc, out, n), CM_OK);
    cm_sla_attainment_summary s;
    ck_assert_status(cm_sla_attainment_result(acc, UPDATE, NORMAL, 0.9, &s), CM_OK);
    ck_assert_uint_eq(s.achieved, 1);
    ck_assert_uint_eq(s.breached, 1);
    ck_assert_int_eq(s.elapsed.total_seconds, H(6)); /* 5h + 1h */
    ck_assert_status(cm_sla_attainment_result(acc, WAIT, NORMAL, 0.9, &s), CM_OK);
    ck_assert_uint_eq(s.achieved, 1);
    ck_assert_int_eq(s.elapsed.total_seconds, H(3));
    /* total resolution 7h: one value, so every quantile is it exactly */
    ck_assert_status(cm_sla_attainment_result(acc, TOTAL, NORMAL, 0.9, &s), CM_OK);
    ck_assert(s.has_quantiles);
    ck_assert_double_eq(s.p50_seconds, (double)H(7));
    ck_assert_double_eq(s.p99_seconds, (double)H(7));
    cm_sla_policy_free(p);
}
END_TEST

static void random_attainment(test_rng *r, cm_sla_attainment *a)
{
    memset(a, 0, sizeof *a);
    cm_sla_instance in[32];
    for (size_t i = 0; i < NELEM(in); i++) {
        const uint32_t m = (uint32_t)rng_below(r, CM_SLA_METRIC_COUNT);
        const uint32_t st = (uint32_t)rng_below(r, 5);
        const uint32_t pr = 1 + (uint32_t)rng_below(r, 4);
        const int64_t target = 1 + (int64_t)rng_below(r, 10000);
        int64_t elapsed = (int64_t)rng_below(r, 20000);
        if (st == OK_ && elapsed > target)
            elapsed = target;
        if (st == LATE && elapsed <= target)
            elapsed = target + 1;
        in[i] = rec(m, st, pr, elapsed, target);
    }
    ck_assert_status(cm_sla_attainment_add(a, in, NELEM(in)), CM_OK);
}

START_TEST(attainment_merge_and_bytes)
{
    test_rng r = test_rng_make("attainment_merge_and_bytes");
    for (int k = 0; k < 100; k++) {
        random_attainment(&r, &acc_a);
        random_attainment(&r, &acc_b);
        random_attainment(&r, &acc_c);
        acc_ab = acc_a;
        ck_assert_status(cm_sla_attainment_merge(&acc_ab, &acc_b), CM_OK);
        acc_ba = acc_b;
        ck_assert_status(cm_sla_attainment_merge(&acc_ba, &acc_a), CM_OK);
        ck_assert_mem_eq(&acc_ab, &acc_ba, sizeof acc_ab);
        acc_abc1 = acc_ab;
        ck_assert_status(cm_sla_attainment_merge(&acc_abc1, &acc_c), CM_OK);
        acc_bc = acc_b;
        ck_assert_status(cm_sla_attainment_merge(&acc_bc, &acc_c), CM_OK);
        acc_abc2 = acc_a;
        ck_assert_status(cm_sla_attainment_merge(&acc_abc2, &acc_bc), CM_OK);
        ck_assert_mem_eq(&acc_abc1, &acc_abc2, sizeof acc_abc1);
        size_t w;
        ck_assert_status(cm_sla_attainment_serialize(&acc_abc1, bytes_a, sizeof bytes_a, &w),
                         CM_OK);
        ck_assert_uint_le(w, CM_SLA_ATTAINMENT_SERIALIZED_MAX);
        ck_assert_status(cm_sla_attainment_deserialize(bytes_a, w, &acc_back), CM_OK);
        ck_assert_mem_eq(&acc_back, &acc_abc1, sizeof acc_back);
        /* The bytes depend on the counts only, not on how they were merged. */
        size_t w2;
        ck_assert_status(cm_sla_attainment_serialize(&acc_abc2, bytes_b, sizeof bytes_b, &w2),
                         CM_OK);
        ck_assert_uint_eq(w, w2);
        ck_assert_mem_eq(bytes_a, bytes_b, w);
    }
    /* Merging with itself doubles. */
    random_attainment(&r, &acc_a);
    acc_b = acc_a;
    ck_assert_status(cm_sla_attainment_merge(&acc_b, &acc_b), CM_OK);
    ck_assert_uint_eq(acc_b.tally[0][0].achieved, 2 * acc_a.tally[0][0].achieved);
    ck_assert_uint_eq(acc_b.first_reply[0].n, 2 * acc_a.first_reply[0].n);
}
END_TEST

START_TEST(attainment_bytes_layout)
{
    /* Hand-built expectations: magic, kind 7, version 1, zeros, then
     * tally[first][low] achieved = 1, elapsed n 1, total, min, max 60; after
     * the 24 tallies (1,352 bytes from the start) the 8 distributions, each a
     * little-endian length and the sketch's own bytes; CRC last. */
    cm_sla_attainment *a = &acc_a;
    memset(a, 0, sizeof *a);
    const cm_sla_instance one = rec(FIRST, OK_, LOW, 60, 100);
    ck_assert_status(cm_sla_attainment_add(a, &one, 1), CM_OK);
    uint8_t *b = bytes_a;
    size_t w;
    ck_assert_status(cm_sla_attainment_serialize(a, b, sizeof bytes_a, &w), CM_OK);
    ck_assert_uint_eq(b[0], 'C');
    ck_assert_uint_eq(b[1], 'M');
    ck_assert_uint_eq(b[2], 7);
    ck_assert_uint_eq(b[3], 1);
    ck_assert_uint_eq(b[8], 1);  /* achieved, little-endian */
    ck_assert_uint_eq(b[32], 1); /* elapsed n */
    ck_assert_uint_eq(b[40], 60);
    ck_assert_uint_eq(b[48], 60);
    ck_assert_uint_eq(b[56], 60);
    uint8_t sk[CM_SKETCH_SERIALIZED_MAX];
    size_t one_size, empty_size;
    ck_assert_status(cm_sketch_serialize(&a->first_reply[0], sk, sizeof sk, &one_size), CM_OK);
    ck_assert_uint_eq((size_t)b[1352] | (size_t)b[1353] << 8, one_size);
    ck_assert_mem_eq(b + 1356, sk, one_size);
    ck_assert_status(cm_sketch_serialize(&a->first_reply[1], sk, sizeof sk, &empty_size), CM_OK);
    ck_assert_uint_eq(w, 1352 + 8 * 4 + one_size + 7 * empty_size + 4);

    cm_sla_attainment *out = &acc_b;
    poison(out);
    ck_assert_status(cm_sla_attainment_deserialize(b, w - 1, out), CM_EPARSE);
    ck_assert_status(cm_sla_attainment_deserialize(b, 100, out), CM_EPARSE);
    for (size_t i = 0; i < w; i++) {
        memcpy(bytes_b, b, w);
        bytes_b[i] ^= 0x10;
        ck_assert_status(cm_sla_attainment_deserialize(bytes_b, w, out), CM_EPARSE);
    }
    /* Behind the checksum: a distribution whose count disagrees with the
     * tally (first reply low: 1 counted, its sketch swapped for an empty one),
     * non-zero padding, a length past the end. */
    memcpy(bytes_b, b, 1352);
    bytes_b[1352] = (uint8_t)empty_size;
    bytes_b[1353] = 0;
    bytes_b[1354] = bytes_b[1355] = 0;
    memcpy(bytes_b + 1356, b + 1356 + one_size + 4, w - 1356 - one_size - 4);
    const size_t w_swapped = w - one_size + empty_size;
    reseal(bytes_b, w_swapped);
    ck_assert_status(cm_sla_attainment_deserialize(bytes_b, w_swapped, out), CM_EPARSE);
    memcpy(bytes_b, b, w);
    bytes_b[5] = 1;
    reseal(bytes_b, w);
    ck_assert_status(cm_sla_attainment_deserialize(bytes_b, w, out), CM_EPARSE);
    memcpy(bytes_b, b, w);
    bytes_b[1353] = 0x7F;
    reseal(bytes_b, w);
    ck_assert_status(cm_sla_attainment_deserialize(bytes_b, w, out), CM_EPARSE);
    ck_assert_status(cm_sla_attainment_deserialize(NULL, w, out), CM_EINVAL);
    ck_assert_untouched(out);
    ck_assert_status(cm_sla_attainment_deserialize(b, w, NULL), CM_EINVAL);
    ck_assert_status(cm_sla_attainment_deserialize(b, w, out), CM_OK);
    ck_assert_mem_eq(out, a, sizeof *a);

    size_t need = 0;
    ck_assert_status(cm_sla_attainment_serialize(a, b, 10, &need), CM_ENOSPC);
    ck_assert_uint_eq(need, w);
    ck_assert_status(cm_sla_attainment_serialize(NULL, b, sizeof bytes_a, &w), CM_EINVAL);
    ck_assert_status(cm_sla_attainment_serialize(a, NULL, sizeof bytes_a, &w), CM_EINVAL);
    ck_assert_status(cm_sla_attainment_serialize(a, b, sizeof bytes_a, NULL), CM_EINVAL);
}
END_TEST

START_TEST(attainment_bad_input)
{
    cm_sla_attainment *acc = &acc_a, *before = &acc_b, *broken = &acc_c;
    memset(acc, 0, sizeof *acc);
    const cm_sla_instance good = rec(FIRST, OK_, LOW, 60, 100);
    ck_assert_status(cm_sla_attainment_add(acc, &good, 1), CM_OK);
    *before = *acc;
    cm_sla_instance bad[] = {
        rec(6, OK_, LOW, 1, 2),      rec(FIRST, 5, LOW, 1, 2),    rec(FIRST, OK_, NONE, 1, 2),
        rec(FIRST, OK_, 5, 1, 2),    rec(FIRST, OK_, LOW, -1, 2), rec(FIRST, OK_, LOW, 3, 2),
        rec(FIRST, LATE, LOW, 1, 2),
    };
    bad[5].breached = true; /* achieved yet breached */
    for (size_t i = 0; i < NELEM(bad); i++) {
        const cm_sla_instance two[2] = {good, bad[i]};
        ck_assert_msg(cm_sla_attainment_add(acc, two, 2) == CM_EINVAL, "row %zu", i);
        ck_assert_mem_eq(acc, before, sizeof *acc); /* all or nothing */
    }
    /* 20.3 years of first reply do not fit the distribution. */
    const cm_sla_instance two_long[2] = {good, rec(FIRST, LATE, LOW, 640583701, 100)};
    ck_assert_status(cm_sla_attainment_add(acc, two_long, 2), CM_ERANGE);
    const cm_sla_instance long_next = rec(NEXT, LATE, LOW, 640583701, 100);
    ck_assert_mem_eq(acc, before, sizeof *acc);
    ck_assert_status(cm_sla_attainment_add(acc, &long_next, 1), CM_OK); /* no distribution */
    *acc = *before;
    ck_assert_status(cm_sla_attainment_add(NULL, &good, 1), CM_EINVAL);
    ck_assert_status(cm_sla_attainment_add(acc, NULL, 1), CM_EINVAL);
    ck_assert_status(cm_sla_attainment_add(acc, NULL, 0), CM_OK);
    /* Inconsistent accumulators are refused everywhere: more elapsed times
     * than stopped instances; a distribution out of step with its tally; an
     * impossible sketch maximum. (Adding checks the tallies it updates, here
     * first reply at low; the other functions check everything.) */
    for (int kind = 0; kind < 5; kind++) {
        *broken = *acc;
        if (kind == 0)
            broken->tally[FIRST][0].elapsed.n = 5;
        else if (kind == 1)
            broken->first_reply[0].n = 7;
        else if (kind == 2)
            broken->first_reply[0].max_seconds = -1.0;
        else if (kind == 3)
            broken->tally[2][1].elapsed.n = 5;
        else
            broken->resolution[3].n = 1;
        if (kind < 3)
            ck_assert_status(cm_sla_attainment_add(broken, &good, 1), CM_EINVAL);
        ck_assert_status(cm_sla_attainment_merge(acc, broken), CM_EINVAL);
        ck_assert_status(cm_sla_attainment_merge(broken, acc), CM_EINVAL);
        ck_assert_mem_eq(acc, before, sizeof *acc);
        cm_sla_attainment_summary s;
        poison(&s);
        ck_assert_status(cm_sla_attainment_result(broken, FIRST, LOW, 0.95, &s), CM_EINVAL);
        ck_assert_untouched(&s);
        size_t w;
        ck_assert_status(cm_sla_attainment_serialize(broken, bytes_a, sizeof bytes_a, &w),
                         CM_EINVAL);
    }
    /* A corrupt bucket, found only by the full check of a merge: nothing changes. */
    *broken = *acc;
    broken->first_reply[0].counts[500] = 7;
    ck_assert_status(cm_sla_attainment_merge(acc, broken), CM_EINVAL);
    ck_assert_mem_eq(acc, before, sizeof *acc);
    cm_sla_attainment_summary s;
    poison(&s);
    ck_assert_status(cm_sla_attainment_result(NULL, FIRST, LOW, 0.95, &s), CM_EINVAL);
    ck_assert_status(cm_sla_attainment_result(acc, FIRST, LOW, 0.95, NULL), CM_EINVAL);
    ck_assert_status(cm_sla_attainment_result(acc, 6, LOW, 0.95, &s), CM_EINVAL);
    ck_assert_status(cm_sla_attainment_result(acc, FIRST, NONE, 0.95, &s), CM_EINVAL);
    ck_assert_status(cm_sla_attainment_result(acc, FIRST, 5, 0.95, &s), CM_EINVAL);
    const double bad_conf[] = {0.0, 1.0, D_NAN, D_INF, -D_INF};
    for (size_t i = 0; i < NELEM(bad_conf); i++)
        ck_assert_status(cm_sla_attainment_result(acc, FIRST, LOW, bad_conf[i], &s), CM_EINVAL);
    ck_assert_untouched(&s);
    ck_assert_status(cm_sla_attainment_merge(NULL, acc), CM_EINVAL);
    ck_assert_status(cm_sla_attainment_merge(acc, NULL), CM_EINVAL);
    /* Overflow: the counts stay as they were. */
    cm_sla_attainment *full = &acc_ab, *full_before = &acc_ba;
    memset(full, 0, sizeof *full);
    full->tally[1][0].achieved = UINT64_MAX - 1;
    full->tally[1][0].elapsed.n = UINT64_MAX - 1;
    *full_before = *full;
    const cm_sla_instance next_ok = rec(NEXT, OK_, LOW, 60, 100);
    const cm_sla_instance two[2] = {next_ok, next_ok};
    ck_assert_status(cm_sla_attainment_add(full, two, 2), CM_EOVERFLOW);
    ck_assert_mem_eq(full, full_before, sizeof *full);
    ck_assert_status(cm_sla_attainment_merge(full, full), CM_EOVERFLOW);
    ck_assert_mem_eq(full, full_before, sizeof *full);
}
END_TEST

/* ---- names and ABI ---------------------------------------------------------------- */

START_TEST(names_and_abi)
{
    ck_assert_str_eq(cm_sla_metric_name(FIRST), "first-reply");
    ck_assert_str_eq(cm_sla_metric_name(TOTAL), "total-resolution");
    ck_assert_str_eq(cm_sla_metric_name(6), "unknown");
    ck_assert_str_eq(cm_sla_priority_name(NONE), "none");
    ck_assert_str_eq(cm_sla_priority_name(URGENT), "urgent");
    ck_assert_str_eq(cm_sla_priority_name(99), "unknown");
    ck_assert_str_eq(cm_sla_status_name(ONHOLD), "on-hold");
    ck_assert_str_eq(cm_sla_status_name(CLOSED), "closed");
    ck_assert_str_eq(cm_sla_status_name(6), "unknown");
    ck_assert_str_eq(cm_sla_state_name(NA), "not-applicable");
    ck_assert_str_eq(cm_sla_state_name(LATE), "breached");
    ck_assert_str_eq(cm_sla_state_name(5), "unknown");
    ck_assert_uint_eq(cm_sla_sizeof("cm_sla_event"), 16);
    ck_assert_uint_eq(cm_sla_sizeof("cm_sla_event"), sizeof(cm_sla_event));
    ck_assert_uint_eq(cm_sla_sizeof("cm_sla_target"), 24);
    ck_assert_uint_eq(cm_sla_sizeof("cm_sla_instance"), 80);
    ck_assert_uint_eq(cm_sla_sizeof("cm_sla_metric_options"), 8);
    ck_assert_uint_eq(cm_sla_sizeof("cm_sla_tally"), sizeof(cm_sla_tally));
    ck_assert_uint_eq(cm_sla_sizeof("cm_sla_attainment"), sizeof(cm_sla_attainment));
    ck_assert_uint_eq(cm_sla_sizeof("cm_sla_attainment_summary"),
                      sizeof(cm_sla_attainment_summary));
    ck_assert_uint_eq(cm_sla_sizeof("cm_sla_nothing"), 0);
    ck_assert_uint_eq(cm_sla_sizeof(NULL), 0);
    int64_t v;
    ck_assert_status(cm_sla_constant("CM_SLA_NO_TIME", &v), CM_OK);
    ck_assert_int_eq(v, INT64_MIN);
    ck_assert_status(cm_sla_constant("CM_SLA_ATTAINMENT_SERIALIZED_MAX", &v), CM_OK);
    ck_assert_int_eq(v, CM_SLA_ATTAINMENT_SERIALIZED_MAX);
    ck_assert_int_eq(v, 1356 + 8 * (4 + CM_SKETCH_SERIALIZED_MAX));
    ck_assert_status(cm_sla_constant("CM_SLA_CALENDAR_TIME", &v), CM_OK);
    ck_assert_int_eq(v, -1);
    poison(&v);
    ck_assert_status(cm_sla_constant("CM_SLA_NOPE", &v), CM_ENOTFOUND);
    ck_assert_status(cm_sla_constant(NULL, &v), CM_EINVAL);
    ck_assert_untouched(&v);
    ck_assert_status(cm_sla_constant("CM_SLA_NO_TIME", NULL), CM_EINVAL);
}
END_TEST

/* ---- properties of the replay ------------------------------------------------------ */

/* A random but valid log: creation, then replies, status and priority changes. */
static size_t random_log(test_rng *r, cm_sla_event *ev, size_t cap)
{
    cm_time t = AT(0, 0, 0) + (cm_time)rng_below(r, 7 * 86400);
    size_t n = 0;
    ev[n++] = (cm_sla_event){t, CM_SLA_EVENT_CREATED,
                             (uint16_t)(rng_below(r, 6) == 0 ? CM_SLA_EVENT_BY_AGENT : 0),
                             (uint32_t)rng_below(r, 5)};
    const size_t len = 4 + (size_t)rng_below(r, cap - 4);
    while (n < len) {
        if (rng_below(r, 4) != 0)
            t += (cm_time)rng_below(r, 6 * 3600); /* else the same instant */
        cm_sla_event e = {t, 0, 0, 0};
        switch (rng_below(r, 10)) {
        case 0:
        case 1:
        case 2:
            e.type = CM_SLA_EVENT_CUSTOMER_REPLY;
            e.flags = (uint16_t)(rng_below(r, 8) == 0 ? CM_SLA_EVENT_AUTOMATED : 0);
            break;
        case 3:
        case 4:
        case 5:
            e.type = CM_SLA_EVENT_AGENT_REPLY;
            e.flags = (uint16_t)(rng_below(r, 8) == 0 ? CM_SLA_EVENT_AUTOMATED : 0);
            break;
        case 6:
        case 7:
            e.type = CM_SLA_EVENT_STATUS;
            e.value = (uint32_t)rng_below(r, CM_SLA_STATUS_COUNT);
            break;
        case 8:
            e.type = CM_SLA_EVENT_PRIORITY;
            e.value = (uint32_t)rng_below(r, CM_SLA_PRIORITY_COUNT);
            break;
        default:
            e.type = rng_below(r, 2) ? CM_SLA_EVENT_REOPEN : CM_SLA_EVENT_AGENT_NOTE;
            break;
        }
        ev[n++] = e;
    }
    return n;
}

/*
 * The documented state transitions of one instance between two evaluations.
 * Several events may share the instant between them, so a reopen may be
 * followed by a new stop: after a reopen anything may follow.
 */
static bool transition_allowed(uint32_t from, uint32_t to, bool reopened)
{
    if (from == to || from == NA || to == NA)
        return true; /* n/a: not started yet, or the priority lost its target */
    if (from == ACTIVE || from == PAUSED)
        return true; /* pause, resume, stop within or after the target */
    return reopened; /* achieved or breached: only a reopen brings an instance back */
}

START_TEST(replay_properties)
{
    test_rng r = test_rng_make("replay_properties");
    static const char *const extras[] = {"", "* reopen new-cycle\n",
                                         "* reopen restart\nperiodic-update pause pending\n",
                                         "customer-reply-opens no\nnext-reply pause on-hold\n"};
    for (int k = 0; k < 800; k++) {
        const int variant = (int)rng_below(&r, NELEM(extras));
        cm_sla_policy *p = policy_of(calendar_policy, extras[variant]);
        cm_sla_event ev[30];
        const size_t n = random_log(&r, ev, NELEM(ev));
        const bool restart = variant == 2;
        cm_sla_instance prev[200], cur[200];
        size_t nprev = 0;
        cm_time prev_now = ev[0].at - 1;
        for (size_t i = 0; i <= n; i++) {
            /* now = each event's time, then a day after the last */
            const cm_time now = i < n ? ev[i].at : ev[n - 1].at + 86400;
            size_t nc = 0;
            ck_assert_status(cm_sla_evaluate(p, NULL, 0, ev, n, now, cur, 200, &nc), CM_OK);
            ck_assert_uint_le(nc, 6 * n);
            /* No room to spare: counted first, then computed in place; the same records. */
            cm_sla_instance exact[200];
            size_t nx = 0;
            ck_assert_status(cm_sla_evaluate(p, NULL, 0, ev, n, now, exact, nc, &nx), CM_OK);
            ck_assert_uint_eq(nx, nc);
            ck_assert_mem_eq(exact, cur, nc * sizeof cur[0]);
            /* Could a reopen have happened in (prev_now, now]? */
            bool reopened = false;
            for (size_t j = 0; j < n; j++) {
                if (ev[j].at > prev_now && ev[j].at <= now)
                    reopened = reopened || ev[j].type == CM_SLA_EVENT_REOPEN ||
                               ev[j].type == CM_SLA_EVENT_STATUS ||
                               ev[j].type == CM_SLA_EVENT_CUSTOMER_REPLY;
            }
            prev_now = now;
            for (size_t a = 0; a < nc; a++) {
                check_record(&cur[a], now);
                if (cur[a].state == ACTIVE && !cur[a].breached)
                    ck_assert_int_ge(cur[a].due, now);
                for (size_t b = 0; b < nprev; b++) {
                    const cm_sla_instance *o = &prev[b];
                    if (o->metric != cur[a].metric || o->cycle != cur[a].cycle || o->cycle == 0)
                        continue;
                    ck_assert_msg(transition_allowed(o->state, cur[a].state, reopened),
                                  "%s cycle %u: %s -> %s", cm_sla_metric_name(o->metric), o->cycle,
                                  cm_sla_state_name(o->state), cm_sla_state_name(cur[a].state));
                    /* Elapsed time of the same clock never decreases (a restart
                     * starts the instance over: it may). */
                    if (!restart && o->state != NA && cur[a].state != NA &&
                        o->priority == cur[a].priority && o->start == cur[a].start)
                        ck_assert_int_ge(cur[a].elapsed, o->elapsed);
                    /* A stopped instance never changes unless reopened. */
                    if ((o->state == OK_ || o->state == LATE) && !reopened)
                        ck_assert_mem_eq(o, &cur[a], sizeof *o);
                }
            }
            memcpy(prev, cur, nc * sizeof cur[0]);
            nprev = nc;
        }
        cm_sla_policy_free(p);
    }
}
END_TEST

START_TEST(replay_due_is_exact)
{
    /* For every running instance, evaluating at its due instant gives
     * elapsed == target exactly, and one second later elapsed == target + 1. */
    test_rng r = test_rng_make("replay_due_is_exact");
    cm_sla_policy *p = policy_of(calendar_policy, NULL);
    for (int k = 0; k < 400; k++) {
        cm_sla_event ev[20];
        const size_t n = random_log(&r, ev, NELEM(ev));
        const cm_time now = ev[n - 1].at;
        cm_sla_instance a[128], b[128];
        size_t na, nb;
        ck_assert_status(cm_sla_evaluate(p, NULL, 0, ev, n, now, a, 128, &na), CM_OK);
        for (size_t i = 0; i < na; i++) {
            if (a[i].state != ACTIVE || a[i].due < now)
                continue;
            ck_assert_status(cm_sla_evaluate(p, NULL, 0, ev, n, a[i].due, b, 128, &nb), CM_OK);
            ck_assert_uint_eq(nb, na);
            ck_assert_int_eq(b[i].elapsed, b[i].target);
            ck_assert(!b[i].breached);
            ck_assert_status(cm_sla_evaluate(p, NULL, 0, ev, n, a[i].due + 1, b, 128, &nb), CM_OK);
            ck_assert_int_eq(b[i].elapsed, b[i].target + 1);
            ck_assert_int_eq(b[i].breach, a[i].due);
        }
    }
    cm_sla_policy_free(p);
}
END_TEST

/* ---- business time ------------------------------------------------------------ */

/*
 * Business-hours timelines. Calendar 0 is UTC Monday-Friday 09:00-17:00,
 * calendar 1 the same hours in New York (EST until Sunday 2025-03-09 02:00,
 * EDT after), calendar 2 UTC Monday-Friday 09:00-17:00 with Monday
 * 2025-01-13 a holiday, calendar 3 every day 00:00-24:00 in New York.
 * 2025-01-10 is a Friday; "Fri" and "Mon" below are the 10th and the 13th.
 */
static const char *const calendar_specs[] = {
    "tz UTC\nmon-fri 09:00-17:00\n",
    "tz America/New_York\nmon-fri 09:00-17:00\n",
    "tz UTC\nmon-fri 09:00-17:00\n2025-01-13 closed\n",
    "tz America/New_York\nmon-sun 00:00-24:00\n",
};

#define FRI(h, m)  AT(4, h, m)
#define SAT(h, m)  AT(5, h, m)
#define MON2(h, m) AT(7, h, m)
#define TUE2(h, m) AT(8, h, m)
/* 2025-03-07 (Friday) 00:00 UTC = MON + 60 days */
#define MAR(d, h, m) (MON + (int64_t)(60 + (d)) * 86400 + (int64_t)(h)*3600 + (int64_t)(m)*60)

static const timeline business_timelines[] = {
    /* Created Friday 16:30 with a 4-business-hour first reply: Friday counts
     * 16:30-17:00 = 30 min, the remaining 3h30m run from Monday 09:00: due
     * Monday 12:30. On Saturday 10:00 it is active (the ticket's status does
     * not pause it; the calendar is closed), 30 min counted. */
    {"friday-1630-saturday",
     "first-reply normal 4h business\n",
     NULL,
     {CREATED(FRI(16, 30), NORMAL)},
     1,
     SAT(10, 0),
     6,
     {W(0, FIRST, 1, ACTIVE, NORMAL, FRI(16, 30), NO, MIN(30), H(4), MON2(12, 30), NO)},
     1},
    /* ... exactly at Monday 12:30: 4h counted, not breached */
    {"friday-1630-at-due",
     "first-reply normal 4h business\n",
     NULL,
     {CREATED(FRI(16, 30), NORMAL)},
     1,
     MON2(12, 30),
     6,
     {W(0, FIRST, 1, ACTIVE, NORMAL, FRI(16, 30), NO, H(4), H(4), MON2(12, 30), NO)},
     1},
    /* ... one second later: breached at 12:30 */
    {"friday-1630-late",
     "first-reply normal 4h business\n",
     NULL,
     {CREATED(FRI(16, 30), NORMAL)},
     1,
     MON2(12, 30) + 1,
     6,
     {W(0, FIRST, 1, ACTIVE, NORMAL, FRI(16, 30), NO, H(4) + 1, H(4), MON2(12, 30), MON2(12, 30))},
     1},
    /* ... answered Monday 11:00: 30 min + 2h = 2h30m, achieved, due was 12:30 */
    {"friday-1630-answered",
     "first-reply normal 4h business\n",
     NULL,
     {CREATED(FRI(16, 30), NORMAL), AGENT(MON2(11, 0))},
     2,
     MON2(12, 0),
     6,
     {W(0, FIRST, 1, OK_, NORMAL, FRI(16, 30), MON2(11, 0), MIN(150), H(4), MON2(12, 30), NO)},
     1},
    /* With Monday a holiday (calendar 2) the remaining 3h30m run on Tuesday:
     * due Tuesday 12:30. */
    {"friday-1630-holiday",
     "first-reply normal 4h business 2\n",
     NULL,
     {CREATED(FRI(16, 30), NORMAL)},
     1,
     MON2(15, 0),
     6,
     {W(0, FIRST, 1, ACTIVE, NORMAL, FRI(16, 30), NO, MIN(30), H(4), TUE2(12, 30), NO)},
     1},
    /*
     * Calendar and business targets side by side (the severity matrix's
     * high): created Friday 16:30, first reply 1h in calendar time is due
     * Friday 17:30 and by Saturday 10:00 has counted 17h30m (breached);
     * total resolution, 8 business hours, has counted 30 min and is due
     * Monday 09:00 + 7h30m = 16:30.
     */
    {"calendar-and-business",
     "first-reply high 1h calendar\ntotal-resolution high 8h business\n",
     NULL,
     {CREATED(FRI(16, 30), HIGH)},
     1,
     SAT(10, 0),
     6,
     {W(0, FIRST, 1, ACTIVE, HIGH, FRI(16, 30), NO, MIN(1050), H(1), FRI(17, 30), FRI(17, 30)),
      W(5, TOTAL, 1, ACTIVE, HIGH, FRI(16, 30), NO, MIN(30), H(8), MON2(16, 30), NO)},
     2},
    /*
     * Pending pauses requester wait in business time, not total resolution.
     * Mon 2025-01-06 16:00 created; 16:30 reply + pending; Tue 10:00 the
     * customer writes (open); Tue 12:00 solved. Requester wait: 16:00-16:30
     * + Tue 10:00-12:00 = 2h30m of 8h, due from the last segment: Tue 10:00 +
     * 7h30m business = Tue 17:00 (7h) + Wed 09:30. Total: Mon 16:00-17:00 +
     * Tue 09:00-12:00 = 4h of 24h, due Mon 16:00 + 24h business = Mon 1h,
     * Tue 8h, Wed 8h, Thu 09:00 + 7h = Thu 16:00.
     */
    {"pending-business",
     "requester-wait * 8h business\ntotal-resolution * 24h business\n",
     NULL,
     {CREATED(AT(0, 16, 0), NORMAL), AGENT(AT(0, 16, 30)), STATUS(AT(0, 16, 30), PENDING),
      CUSTOMER(AT(1, 10, 0)), STATUS(AT(1, 12, 0), SOLVED)},
     5,
     AT(1, 13, 0),
     6,
     {W(3, WAIT, 1, OK_, NORMAL, AT(0, 16, 0), AT(1, 12, 0), MIN(150), H(8), AT(2, 9, 30), NO),
      W(5, TOTAL, 1, OK_, NORMAL, AT(0, 16, 0), AT(1, 12, 0), H(4), H(24), AT(3, 16, 0), NO)},
     2},
    /*
     * A priority change that switches clocks: created Monday 08:00 (closed)
     * normal, 4 business hours; urgent (15 min, calendar time) at 08:10. At
     * 08:20 the first reply is judged in calendar time from its start: 20 min
     * of 15, breached at 08:15. Under normal it would have counted nothing.
     */
    {"priority-switches-clock",
     "first-reply normal 4h business\nfirst-reply urgent 15m calendar\n",
     NULL,
     {CREATED(AT(0, 8, 0), NORMAL), PRIO(AT(0, 8, 10), URGENT)},
     2,
     AT(0, 8, 20),
     6,
     {W(0, FIRST, 1, ACTIVE, URGENT, AT(0, 8, 0), NO, MIN(20), MIN(15), AT(0, 8, 15),
        AT(0, 8, 15))},
     1},
    /* ... and back: created 08:00 urgent, normal at 08:05: at 08:30 nothing
     * counted in business time, due 09:00 + 4h = 13:00. */
    {"priority-switches-back",
     "first-reply normal 4h business\nfirst-reply urgent 15m calendar\n",
     NULL,
     {CREATED(AT(0, 8, 0), URGENT), PRIO(AT(0, 8, 5), NORMAL)},
     2,
     AT(0, 8, 30),
     6,
     {W(0, FIRST, 1, ACTIVE, NORMAL, AT(0, 8, 0), NO, 0, H(4), AT(0, 13, 0), NO)},
     1},
    /*
     * Daylight saving in the middle of a business clock (calendar 1, New
     * York). Created Friday 2025-03-07 15:00 EST = 20:00 UTC, 4 business
     * hours: Friday counts 2h (to 17:00 EST = 22:00 UTC); New York moves to
     * EDT on Sunday; Monday opens 09:00 EDT = 13:00 UTC and the remaining 2h
     * end 11:00 EDT = 15:00 UTC (an hour earlier in UTC than Friday's offset
     * would say). At Monday 10:00 EDT (14:00 UTC): 3h counted. Total
     * resolution 24h in calendar time alongside: 66h counted (Fri 20:00 to
     * Mon 14:00 UTC), breached at Saturday 20:00 UTC.
     */
    {"dst-in-the-middle",
     "first-reply normal 4h business 1\ntotal-resolution normal 24h calendar\n",
     NULL,
     {CREATED(MAR(0, 20, 0), NORMAL)},
     1,
     MAR(3, 14, 0),
     6,
     {W(0, FIRST, 1, ACTIVE, NORMAL, MAR(0, 20, 0), NO, H(3), H(4), MAR(3, 15, 0), NO),
      W(5, TOTAL, 1, ACTIVE, NORMAL, MAR(0, 20, 0), NO, H(66), H(24), MAR(1, 20, 0),
        MAR(1, 20, 0))},
     2},
    /* ... at the due instant, 15:00 UTC: exactly 4h. */
    {"dst-at-due",
     "first-reply normal 4h business 1\n",
     NULL,
     {CREATED(MAR(0, 20, 0), NORMAL)},
     1,
     MAR(3, 15, 0),
     6,
     {W(0, FIRST, 1, ACTIVE, NORMAL, MAR(0, 20, 0), NO, H(4), H(4), MAR(3, 15, 0), NO)},
     1},
    /*
     * A business clock open around the clock in New York (calendar 3) counts
     * real seconds across the 23-hour DST Sunday: created Saturday 2025-03-08
     * 12:00 EST (17:00 UTC), 24 business hours are due Sunday 17:00 UTC =
     * 13:00 EDT, not at 12:00 on the wall clock.
     */
    {"dst-short-day",
     "total-resolution urgent 24h business 3\n",
     NULL,
     {CREATED(MAR(1, 17, 0), URGENT)},
     1,
     MAR(2, 12, 0),
     6,
     {W(5, TOTAL, 1, ACTIVE, URGENT, MAR(1, 17, 0), NO, H(19), H(24), MAR(2, 17, 0), NO)},
     1},
};

static cm_calendar *business_cals[NELEM(calendar_specs)];

static void business_setup(void)
{
    for (size_t i = 0; i < NELEM(calendar_specs); i++) {
        cm_parse_error err = {0, 0, NULL};
        const cm_status st = cm_calendar_parse(calendar_specs[i], &business_cals[i], &err);
        ck_assert_msg(st == CM_OK, "calendar %zu: %s", i, err.message ? err.message : "?");
    }
}

static void business_teardown(void)
{
    for (size_t i = 0; i < NELEM(calendar_specs); i++)
        cm_calendar_free(business_cals[i]);
}

START_TEST(business_table)
{
    const timeline *tl = &business_timelines[_i];
    fprintf(stderr, "business timeline %s\n", tl->name);
    cm_sla_policy *p = policy_of(tl->policy, tl->extra);
    const cm_calendar *const *cals = (const cm_calendar *const *)business_cals;
    cm_sla_instance out[64];
    size_t n = 0;
    ck_assert_status(cm_sla_evaluate(p, cals, NELEM(calendar_specs), tl->events, tl->nevents,
                                     tl->now, out, 64, &n),
                     CM_OK);
    ck_assert_uint_eq(n, tl->count);
    for (size_t i = 0; i < n; i++)
        check_record(&out[i], tl->now);
    for (size_t i = 0; i < tl->nw; i++)
        check_want(&out[tl->w[i].idx], &tl->w[i]);
    cm_sla_policy_free(p);
}
END_TEST

/* Business-time versions of the replay properties, on New York hours (DST)
 * with a holiday: the due instant is exact (elapsed == target there), and a
 * running clock's elapsed time never decreases. */
static const char business_policy[] = "first-reply      urgent  1h   calendar\n"
                                      "first-reply      high    2h   business 1\n"
                                      "first-reply      normal  4h   business 1\n"
                                      "first-reply      low     8h   business 2\n"
                                      "next-reply       *       2h   business 1\n"
                                      "periodic-update  *       4h   business 1\n"
                                      "periodic-update  pause   pending\n"
                                      "requester-wait   *       8h   business 1\n"
                                      "agent-work       *       6h   business 2\n"
                                      "total-resolution *       24h  business 1\n";

START_TEST(business_due_is_exact)
{
    test_rng r = test_rng_make("business_due_is_exact");
    cm_sla_policy *p = policy_of(business_policy, NULL);
    const cm_calendar *const *cals = (const cm_calendar *const *)business_cals;
    for (int k = 0; k < 300; k++) {
        cm_sla_event ev[20];
        const size_t n = random_log(&r, ev, NELEM(ev));
        /* spread over March, across the DST change of the 9th */
        const cm_time shift = MAR(0, 0, 0) - AT(0, 0, 0);
        for (size_t i = 0; i < n; i++)
            ev[i].at += shift;
        const cm_time now = ev[n - 1].at;
        cm_sla_instance a[128], b[128];
        size_t na, nb;
        ck_assert_status(cm_sla_evaluate(p, cals, 4, ev, n, now, a, 128, &na), CM_OK);
        for (size_t i = 0; i < na; i++) {
            check_record(&a[i], now);
            if (a[i].state != ACTIVE || a[i].due < now)
                continue;
            ck_assert_status(cm_sla_evaluate(p, cals, 4, ev, n, a[i].due, b, 128, &nb), CM_OK);
            ck_assert_uint_eq(nb, na);
            ck_assert_int_eq(b[i].elapsed, b[i].target);
            ck_assert(!b[i].breached);
            /* One counted second later it is breached, at its due instant. */
            cm_time later;
            const cm_calendar *cal = b[i].calendar == CAL ? NULL : cals[b[i].calendar];
            if (cal != NULL)
                ck_assert_status(cm_calendar_add(cal, a[i].due, 1, &later), CM_OK);
            else
                later = a[i].due + 1;
            ck_assert_status(cm_sla_evaluate(p, cals, 4, ev, n, later, b, 128, &nb), CM_OK);
            ck_assert_int_eq(b[i].elapsed, b[i].target + 1);
            ck_assert_int_eq(b[i].breach, a[i].due);
        }
    }
    cm_sla_policy_free(p);
}
END_TEST

START_TEST(business_elapsed_monotonic)
{
    test_rng r = test_rng_make("business_elapsed_monotonic");
    cm_sla_policy *p = policy_of(business_policy, NULL);
    const cm_calendar *const *cals = (const cm_calendar *const *)business_cals;
    for (int k = 0; k < 200; k++) {
        cm_sla_event ev[24];
        const size_t n = random_log(&r, ev, NELEM(ev));
        cm_sla_instance prev[160], cur[160];
        size_t nprev = 0;
        for (size_t i = 0; i <= n; i++) {
            const cm_time now = i < n ? ev[i].at : ev[n - 1].at + 3 * 86400;
            size_t nc = 0;
            ck_assert_status(cm_sla_evaluate(p, cals, 4, ev, n, now, cur, 160, &nc), CM_OK);
            for (size_t a = 0; a < nc; a++) {
                check_record(&cur[a], now);
                for (size_t b = 0; b < nprev; b++) {
                    const cm_sla_instance *o = &prev[b];
                    if (o->metric == cur[a].metric && o->cycle == cur[a].cycle && o->cycle > 0 &&
                        o->state != NA && cur[a].state != NA && o->calendar == cur[a].calendar)
                        ck_assert_int_ge(cur[a].elapsed, o->elapsed);
                }
            }
            memcpy(prev, cur, nc * sizeof cur[0]);
            nprev = nc;
        }
    }
    cm_sla_policy_free(p);
}
END_TEST

static Suite *sla_suite(void)
{
    Suite *s = suite_create("sla");
    TCase *tc = tcase_create("timelines");
    tcase_add_loop_test(tc, timeline_table, 0, (int)NELEM(timelines));
    suite_add_tcase(s, tc);

    tc = tcase_create("business");
    tcase_add_checked_fixture(tc, business_setup, business_teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, business_table, 0, (int)NELEM(business_timelines));
    tcase_add_test(tc, business_due_is_exact);
    tcase_add_test(tc, business_elapsed_monotonic);
    suite_add_tcase(s, tc);

    tc = tcase_create("evaluate");
    tcase_add_test(tc, evaluate_same_instant_any_order);
    tcase_add_test(tc, evaluate_duplicates);
    tcase_add_test(tc, evaluate_capacity);
    tcase_add_test(tc, evaluate_bound);
    tcase_add_test(tc, evaluate_bad_input);
    suite_add_tcase(s, tc);

    tc = tcase_create("policy");
    tcase_add_test(tc, policy_defaults);
    tcase_add_test(tc, policy_new_and_query);
    tcase_add_test(tc, policy_new_bad_input);
    tcase_add_test(tc, policy_parse_forms);
    tcase_add_loop_test(tc, policy_parse_errors, 0, (int)NELEM(parse_errors));
    tcase_add_test(tc, policy_parse_bad_input);
    suite_add_tcase(s, tc);

    tc = tcase_create("attainment");
    tcase_add_test(tc, attainment_counts);
    tcase_add_test(tc, attainment_from_evaluate);
    tcase_add_test(tc, attainment_merge_and_bytes);
    tcase_add_test(tc, attainment_bytes_layout);
    tcase_add_test(tc, attainment_bad_input);
    suite_add_tcase(s, tc);

    tc = tcase_create("names");
    tcase_add_test(tc, names_and_abi);
    suite_add_tcase(s, tc);

    tc = tcase_create("properties");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, replay_properties);
    tcase_add_test(tc, replay_due_is_exact);
    suite_add_tcase(s, tc);

    sla_policyset_tcases(s);
    sla_import_tcases(s);
    return s;
}

int main(void)
{
    return run_suite(sla_suite());
}
