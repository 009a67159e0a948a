/*
 * Tests of the column entry points of caremetrics/sla.h (lib/sla-many.c):
 * cm_sla_evaluate_many() and cm_sla_attainment_add_many().
 *
 * The hand-worked tickets use calendar-time targets on the week of Monday
 * 2025-01-06 (UTC), where an elapsed time is plain subtraction. The property
 * test checks the definition itself: a column gives exactly what one
 * cm_sla_evaluate() / cm_sla_attainment_add() per ticket gives.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/sla.h>

#include "testing.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define MON         INT64_C(1736121600) /* Monday 2025-01-06 00:00:00 UTC */
#define AT(d, h, m) (MON + (int64_t)(d)*86400 + (int64_t)(h)*3600 + (int64_t)(m)*60)

static const char POLICY[] = "first-reply normal 4h calendar\n"
                             "first-reply high 2h calendar\n"
                             "total-resolution * 24h calendar\n";

/* Three tickets, concatenated:
 *  0: normal, created Mon 09:00, replied 09:30, solved 11:00
 *     -> first reply achieved in 1800 s; resolution achieved in 7200 s.
 *  1: high, created Mon 10:00, replied 13:00 (target 2 h)
 *     -> first reply breached, 10800 s, due 12:00; resolution running at now.
 *  2: normal, created Mon 12:00, nothing else -> first reply active at now. */
static const cm_sla_event EVENTS[] = {
    {AT(0, 9, 0), CM_SLA_EVENT_CREATED, 0, CM_SLA_PRIORITY_NORMAL},
    {AT(0, 9, 30), CM_SLA_EVENT_AGENT_REPLY, 0, 0},
    {AT(0, 11, 0), CM_SLA_EVENT_STATUS, 0, CM_SLA_STATUS_SOLVED},
    {AT(0, 10, 0), CM_SLA_EVENT_CREATED, 0, CM_SLA_PRIORITY_HIGH},
    {AT(0, 13, 0), CM_SLA_EVENT_AGENT_REPLY, 0, 0},
    {AT(0, 12, 0), CM_SLA_EVENT_CREATED, 0, CM_SLA_PRIORITY_NORMAL},
};
static const size_t OFFSETS[] = {0, 3, 5, 6};
#define NTICKETS 3
#define NOW      AT(0, 14, 0)

static cm_sla_policy *policy(void)
{
    cm_sla_policy *p = NULL;
    ck_assert_status(cm_sla_policy_parse(POLICY, &p, NULL), CM_OK);
    return p;
}

static const cm_sla_instance *find(const cm_sla_instance *out, size_t from, size_t to,
                                   uint32_t metric)
{
    for (size_t k = from; k < to; k++) {
        if (out[k].metric == metric)
            return &out[k];
    }
    ck_abort_msg("metric %u not reported", metric);
    return NULL;
}

START_TEST(evaluate_many_hand_worked)
{
    cm_sla_policy *p = policy();
    cm_sla_instance out[64];
    size_t offs[NTICKETS + 1], n = 0, bad = 99;
    ck_assert_status(cm_sla_evaluate_many(p, NULL, 0, EVENTS, NELEM(EVENTS), OFFSETS, NTICKETS, NOW,
                                          out, NELEM(out), offs, &n, &bad),
                     CM_OK);
    ck_assert_uint_eq(bad, 99); /* untouched on success */
    ck_assert_uint_eq(offs[0], 0);
    ck_assert_uint_eq(offs[NTICKETS], n);
    /* One record per metric per ticket here (no cycles): 6 each. */
    for (size_t i = 0; i < NTICKETS; i++)
        ck_assert_uint_eq(offs[i + 1] - offs[i], CM_SLA_METRIC_COUNT);

    const cm_sla_instance *fr = find(out, offs[0], offs[1], CM_SLA_FIRST_REPLY);
    ck_assert_uint_eq(fr->state, CM_SLA_ACHIEVED);
    ck_assert_int_eq(fr->elapsed, 1800);
    const cm_sla_instance *tr = find(out, offs[0], offs[1], CM_SLA_TOTAL_RESOLUTION);
    ck_assert_uint_eq(tr->state, CM_SLA_ACHIEVED);
    ck_assert_int_eq(tr->elapsed, 7200);

    fr = find(out, offs[1], offs[2], CM_SLA_FIRST_REPLY);
    ck_assert_uint_eq(fr->state, CM_SLA_BREACHED);
    ck_assert_int_eq(fr->elapsed, 10800);
    ck_assert_int_eq(fr->due, AT(0, 12, 0));
    ck_assert_uint_eq(fr->priority, CM_SLA_PRIORITY_HIGH);
    tr = find(out, offs[1], offs[2], CM_SLA_TOTAL_RESOLUTION);
    ck_assert_uint_eq(tr->state, CM_SLA_ACTIVE);
    ck_assert_int_eq(tr->elapsed, 4 * 3600); /* 10:00 to now 14:00 */

    fr = find(out, offs[2], offs[3], CM_SLA_FIRST_REPLY);
    ck_assert_uint_eq(fr->state, CM_SLA_ACTIVE);
    ck_assert_int_eq(fr->remaining, 2 * 3600); /* 4 h target, 2 h elapsed */
    cm_sla_policy_free(p);
}
END_TEST

START_TEST(attainment_many_hand_worked)
{
    cm_sla_policy *p = policy();
    const size_t need = cm_sla_attainment_add_many_scratch_size(3);
    ck_assert_uint_eq(need, sizeof(cm_sla_attainment) + 18 * sizeof(cm_sla_instance));
    void *scratch = malloc(need);
    ck_assert_ptr_nonnull(scratch);
    cm_sla_attainment *acc = calloc(1, sizeof *acc);
    ck_assert_ptr_nonnull(acc);
    ck_assert_status(cm_sla_attainment_add_many(acc, p, NULL, 0, EVENTS, NELEM(EVENTS), OFFSETS,
                                                NTICKETS, NOW, scratch, need, NULL),
                     CM_OK);
    cm_sla_attainment_summary s;
    /* First reply: ticket 0 achieved, ticket 1 breached, ticket 2 open. */
    ck_assert_status(
        cm_sla_attainment_result(acc, CM_SLA_FIRST_REPLY, CM_SLA_PRIORITY_ALL, 0.95, &s), CM_OK);
    ck_assert_uint_eq(s.achieved, 1);
    ck_assert_uint_eq(s.breached, 1);
    ck_assert_uint_eq(s.open, 1);
    ck_assert_uint_eq(s.attained.num, 1);
    ck_assert_uint_eq(s.attained.den, 2);
    ck_assert_int_eq(s.elapsed.total_seconds, 1800 + 10800);
    /* Resolution: ticket 0 achieved; 1 and 2 running within 24 h. */
    ck_assert_status(
        cm_sla_attainment_result(acc, CM_SLA_TOTAL_RESOLUTION, CM_SLA_PRIORITY_ALL, 0.95, &s),
        CM_OK);
    ck_assert_uint_eq(s.achieved, 1);
    ck_assert_uint_eq(s.breached, 0);
    ck_assert_uint_eq(s.open, 2);
    free(acc);
    free(scratch);
    cm_sla_policy_free(p);
}
END_TEST

START_TEST(no_tickets)
{
    cm_sla_policy *p = policy();
    const size_t zero = 0;
    size_t offs[1] = {77}, n = 5;
    ck_assert_status(
        cm_sla_evaluate_many(p, NULL, 0, NULL, 0, &zero, 0, NOW, NULL, 0, offs, &n, NULL), CM_OK);
    ck_assert_uint_eq(offs[0], 0);
    ck_assert_uint_eq(n, 0);
    static cm_sla_attainment acc, before;
    char scratch[sizeof(cm_sla_attainment) + CM_SLA_METRIC_COUNT * sizeof(cm_sla_instance)]
        __attribute__((aligned(16)));
    ck_assert_status(cm_sla_attainment_add_many(&acc, p, NULL, 0, NULL, 0, &zero, 0, NOW, scratch,
                                                sizeof scratch, NULL),
                     CM_OK);
    ck_assert_mem_eq(&acc, &before, sizeof acc);
    cm_sla_policy_free(p);
}
END_TEST

START_TEST(evaluate_many_capacity)
{
    cm_sla_policy *p = policy();
    cm_sla_instance out[64];
    size_t offs[NTICKETS + 1], n = 0;
    /* 18 records needed; 17 is one short: ENOSPC with the exact need, nothing written. */
    memset(out, CM_POISON, sizeof out);
    memset(offs, CM_POISON, sizeof offs);
    ck_assert_status(cm_sla_evaluate_many(p, NULL, 0, EVENTS, NELEM(EVENTS), OFFSETS, NTICKETS, NOW,
                                          out, 17, offs, &n, NULL),
                     CM_ENOSPC);
    ck_assert_uint_eq(n, 18);
    const unsigned char *b = (const unsigned char *)out;
    for (size_t i = 0; i < sizeof out; i++)
        ck_assert_uint_eq(b[i], CM_POISON);
    b = (const unsigned char *)offs;
    for (size_t i = 0; i < sizeof offs; i++)
        ck_assert_uint_eq(b[i], CM_POISON);
    ck_assert_status(cm_sla_evaluate_many(p, NULL, 0, EVENTS, NELEM(EVENTS), OFFSETS, NTICKETS, NOW,
                                          NULL, 0, offs, &n, NULL),
                     CM_ENOSPC);
    ck_assert_uint_eq(n, 18);
    ck_assert_status(cm_sla_evaluate_many(p, NULL, 0, EVENTS, NELEM(EVENTS), OFFSETS, NTICKETS, NOW,
                                          out, 18, offs, &n, NULL),
                     CM_OK);
    cm_sla_policy_free(p);
}
END_TEST

/* A bad-input row: a column with one defect, the status expected and the ticket blamed
 * (SIZE_MAX: none, the arguments themselves are wrong). */
typedef struct bad_case {
    const char *what;
    cm_sla_event events[8];
    size_t nevents;
    size_t offsets[5];
    size_t ntickets;
    cm_time now;
    cm_status want;
    size_t failed;
} bad_case;

#define E(t, type, v)                            \
    {                                            \
        (t), CM_SLA_EVENT_##type, 0, (uint32_t)v \
    }
static const bad_case bad_cases[] = {
    {"first offset not 0", {E(AT(0, 9, 0), CREATED, 2)}, 1, {1, 1}, 1, NOW, CM_EINVAL, SIZE_MAX},
    {"last offset not nevents",
     {E(AT(0, 9, 0), CREATED, 2), E(AT(0, 9, 5), AGENT_REPLY, 0)},
     2,
     {0, 1},
     1,
     NOW,
     CM_EINVAL,
     SIZE_MAX},
    {"offsets decrease",
     {E(AT(0, 9, 0), CREATED, 2), E(AT(0, 9, 5), CREATED, 2)},
     2,
     {0, 2, 1, 2},
     3,
     NOW,
     CM_EINVAL,
     SIZE_MAX},
    {"empty ticket",
     {E(AT(0, 9, 0), CREATED, 2), E(AT(0, 9, 5), CREATED, 2)},
     2,
     {0, 1, 1, 2},
     3,
     NOW,
     CM_EINVAL,
     1},
    {"events out of order in ticket 2",
     {E(AT(0, 9, 0), CREATED, 2), E(AT(0, 9, 0), CREATED, 3), E(AT(0, 10, 0), CREATED, 2),
      E(AT(0, 9, 0), AGENT_REPLY, 0)},
     4,
     {0, 1, 2, 4},
     3,
     NOW,
     CM_EINVAL,
     2},
    {"no creation in ticket 1",
     {E(AT(0, 9, 0), CREATED, 2), E(AT(0, 9, 0), AGENT_REPLY, 0)},
     2,
     {0, 1, 2},
     2,
     NOW,
     CM_EINVAL,
     1},
    {"now before a creation",
     {E(AT(0, 9, 0), CREATED, 2), E(AT(0, 15, 0), CREATED, 2)},
     2,
     {0, 1, 2},
     2,
     NOW,
     CM_EINVAL,
     1},
    {"event past year 9999",
     {E(AT(0, 9, 0), CREATED, 2), E(AT(0, 9, 0), CREATED, 2),
      E(INT64_C(253402300800), AGENT_REPLY, 0)},
     3,
     {0, 1, 3},
     2,
     NOW,
     CM_ERANGE,
     1},
};

START_TEST(bad_column_table)
{
    const bad_case *c = &bad_cases[_i];
    cm_sla_policy *p = policy();
    cm_sla_instance out[64];
    size_t offs[5], n, failed = SIZE_MAX;
    memset(out, CM_POISON, sizeof out);
    memset(offs, CM_POISON, sizeof offs);
    memset(&n, CM_POISON, sizeof n);
    const cm_status st =
        cm_sla_evaluate_many(p, NULL, 0, c->events, c->nevents, c->offsets, c->ntickets, c->now,
                             out, NELEM(out), offs, &n, &failed);
    ck_assert_msg(st == c->want, "%s: %s, expected %s", c->what, cm_status_name(st),
                  cm_status_name(c->want));
    ck_assert_msg(failed == c->failed, "%s: failed = %zu, expected %zu", c->what, failed,
                  c->failed);
    ck_assert_untouched(&n);
    const unsigned char *b = (const unsigned char *)out;
    for (size_t i = 0; i < sizeof out; i++)
        ck_assert_uint_eq(b[i], CM_POISON);
    b = (const unsigned char *)offs;
    for (size_t i = 0; i < sizeof offs; i++)
        ck_assert_uint_eq(b[i], CM_POISON);

    /* The same column into an accumulator that already holds the good example:
     * same status and ticket, accumulator untouched. */
    static cm_sla_attainment acc, before;
    memset(&acc, 0, sizeof acc);
    const size_t size = cm_sla_attainment_add_many_scratch_size(8);
    void *scratch = malloc(size);
    ck_assert_ptr_nonnull(scratch);
    ck_assert_status(cm_sla_attainment_add_many(&acc, p, NULL, 0, EVENTS, NELEM(EVENTS), OFFSETS,
                                                NTICKETS, NOW, scratch, size, NULL),
                     CM_OK);
    before = acc;
    failed = SIZE_MAX;
    ck_assert_status(cm_sla_attainment_add_many(&acc, p, NULL, 0, c->events, c->nevents, c->offsets,
                                                c->ntickets, c->now, scratch, size, &failed),
                     c->want);
    ck_assert_uint_eq(failed, c->failed);
    ck_assert_mem_eq(&acc, &before, sizeof acc);
    free(scratch);
    cm_sla_policy_free(p);
}
END_TEST

START_TEST(bad_arguments)
{
    cm_sla_policy *p = policy();
    cm_sla_instance out[64];
    size_t offs[NTICKETS + 1], n = 7;
    const cm_sla_event *ev = EVENTS;
    const size_t ne = NELEM(EVENTS);
    /* Each pointer NULL. */
    ck_assert_status(cm_sla_evaluate_many(NULL, NULL, 0, ev, ne, OFFSETS, NTICKETS, NOW, out, 64,
                                          offs, &n, NULL),
                     CM_EINVAL);
    ck_assert_status(
        cm_sla_evaluate_many(p, NULL, 0, NULL, ne, OFFSETS, NTICKETS, NOW, out, 64, offs, &n, NULL),
        CM_EINVAL);
    ck_assert_status(
        cm_sla_evaluate_many(p, NULL, 0, ev, ne, NULL, NTICKETS, NOW, out, 64, offs, &n, NULL),
        CM_EINVAL);
    ck_assert_status(
        cm_sla_evaluate_many(p, NULL, 0, ev, ne, OFFSETS, NTICKETS, NOW, NULL, 64, offs, &n, NULL),
        CM_EINVAL);
    ck_assert_status(
        cm_sla_evaluate_many(p, NULL, 0, ev, ne, OFFSETS, NTICKETS, NOW, out, 64, NULL, &n, NULL),
        CM_EINVAL);
    ck_assert_status(
        cm_sla_evaluate_many(p, NULL, 0, ev, ne, OFFSETS, NTICKETS, NOW, out, 64, offs, NULL, NULL),
        CM_EINVAL);
    ck_assert_uint_eq(n, 7);
    /* A business-time policy without its calendar: refused for the first ticket. */
    cm_sla_policy *biz = NULL;
    ck_assert_status(cm_sla_policy_parse("first-reply * 4h business\n", &biz, NULL), CM_OK);
    size_t failed = SIZE_MAX;
    ck_assert_status(cm_sla_evaluate_many(biz, NULL, 0, ev, ne, OFFSETS, NTICKETS, NOW, out, 64,
                                          offs, &n, &failed),
                     CM_EINVAL);
    ck_assert_uint_eq(failed, 0);

    static cm_sla_attainment acc;
    const size_t size = cm_sla_attainment_add_many_scratch_size(3);
    unsigned char *scratch = malloc(size + 16);
    ck_assert_ptr_nonnull(scratch);
    ck_assert_status(cm_sla_attainment_add_many(NULL, p, NULL, 0, ev, ne, OFFSETS, NTICKETS, NOW,
                                                scratch, size, NULL),
                     CM_EINVAL);
    ck_assert_status(cm_sla_attainment_add_many(&acc, NULL, NULL, 0, ev, ne, OFFSETS, NTICKETS, NOW,
                                                scratch, size, NULL),
                     CM_EINVAL);
    ck_assert_status(cm_sla_attainment_add_many(&acc, p, NULL, 0, NULL, ne, OFFSETS, NTICKETS, NOW,
                                                scratch, size, NULL),
                     CM_EINVAL);
    ck_assert_status(cm_sla_attainment_add_many(&acc, p, NULL, 0, ev, ne, NULL, NTICKETS, NOW,
                                                scratch, size, NULL),
                     CM_EINVAL);
    ck_assert_status(cm_sla_attainment_add_many(&acc, p, NULL, 0, ev, ne, OFFSETS, NTICKETS, NOW,
                                                NULL, size, NULL),
                     CM_EINVAL);
    /* Misaligned, and too small for even one single-event ticket. */
    ck_assert_status(cm_sla_attainment_add_many(&acc, p, NULL, 0, ev, ne, OFFSETS, NTICKETS, NOW,
                                                scratch + 1, size, NULL),
                     CM_EINVAL);
    ck_assert_status(
        cm_sla_attainment_add_many(&acc, p, NULL, 0, ev, ne, OFFSETS, NTICKETS, NOW, scratch,
                                   cm_sla_attainment_add_many_scratch_size(1) - 1, NULL),
        CM_EINVAL);
    /* Room for 6 records, what a one-event log can need: these 3-event tickets need
     * exactly 6 each, so they fit. Only a ticket needing more is refused (next test). */
    cm_sla_attainment before = acc;
    failed = SIZE_MAX;
    const cm_status st =
        cm_sla_attainment_add_many(&acc, p, NULL, 0, ev, ne, OFFSETS, NTICKETS, NOW, scratch,
                                   cm_sla_attainment_add_many_scratch_size(1), &failed);
    ck_assert_status(st, CM_OK); /* every ticket here needs exactly 6 records */
    ck_assert_uint_eq(failed, SIZE_MAX);
    ck_assert_mem_ne(&acc, &before, sizeof acc);
    free(scratch);
    cm_sla_policy_free(biz);
    cm_sla_policy_free(p);
}
END_TEST

START_TEST(scratch_too_small_for_a_ticket)
{
    /* Created, replied, solved, reopened, replied, solved: total resolution runs in
     * two cycles under new-cycle reopens, so the log needs 7 records, more than the 6
     * the scratch of a one-event ticket holds. */
    cm_sla_policy *p = NULL;
    ck_assert_status(cm_sla_policy_parse("total-resolution * 24h calendar\n"
                                         "total-resolution reopen new-cycle\n",
                                         &p, NULL),
                     CM_OK);
    const cm_sla_event ev[] = {
        {AT(0, 9, 0), CM_SLA_EVENT_CREATED, 0, CM_SLA_PRIORITY_NORMAL},
        {AT(0, 10, 0), CM_SLA_EVENT_STATUS, 0, CM_SLA_STATUS_SOLVED},
        {AT(0, 11, 0), CM_SLA_EVENT_REOPEN, 0, 0},
        {AT(0, 12, 0), CM_SLA_EVENT_STATUS, 0, CM_SLA_STATUS_SOLVED},
    };
    const size_t offsets[] = {0, 4};
    size_t need = 0;
    cm_sla_instance probe[1];
    ck_assert_status(cm_sla_evaluate(p, NULL, 0, ev, 4, NOW, probe, 0, &need), CM_ENOSPC);
    ck_assert_uint_eq(need, 7);
    static cm_sla_attainment acc, before;
    const size_t small = cm_sla_attainment_add_many_scratch_size(1);
    void *scratch = malloc(cm_sla_attainment_add_many_scratch_size(4));
    ck_assert_ptr_nonnull(scratch);
    size_t failed = SIZE_MAX;
    ck_assert_status(cm_sla_attainment_add_many(&acc, p, NULL, 0, ev, 4, offsets, 1, NOW, scratch,
                                                small, &failed),
                     CM_ENOSPC);
    ck_assert_uint_eq(failed, 0);
    ck_assert_mem_eq(&acc, &before, sizeof acc);
    ck_assert_status(cm_sla_attainment_add_many(&acc, p, NULL, 0, ev, 4, offsets, 1, NOW, scratch,
                                                cm_sla_attainment_add_many_scratch_size(4), NULL),
                     CM_OK);
    cm_sla_attainment_summary s;
    ck_assert_status(
        cm_sla_attainment_result(&acc, CM_SLA_TOTAL_RESOLUTION, CM_SLA_PRIORITY_ALL, 0.95, &s),
        CM_OK);
    ck_assert_uint_eq(s.achieved, 2); /* two cycles: 1 h and 1 h */
    ck_assert_int_eq(s.elapsed.total_seconds, 7200);
    free(scratch);
    cm_sla_policy_free(p);
}
END_TEST

START_TEST(scratch_size_query)
{
    ck_assert_uint_eq(cm_sla_attainment_add_many_scratch_size(0), 0);
    ck_assert_uint_eq(cm_sla_attainment_add_many_scratch_size(SIZE_MAX), 0);
    ck_assert_uint_eq(cm_sla_attainment_add_many_scratch_size(SIZE_MAX / 6), 0);
    ck_assert_uint_eq(cm_sla_attainment_add_many_scratch_size(1),
                      sizeof(cm_sla_attainment) + 6 * sizeof(cm_sla_instance));
}
END_TEST

/* Random tickets of 1..12 events: a column gives exactly the per-ticket calls. */
static size_t random_ticket(test_rng *r, cm_sla_event *ev)
{
    size_t n = 0;
    cm_time t = AT(0, 0, 0) + (cm_time)rng_below(r, 5 * 86400);
    ev[n++] = (cm_sla_event){t, CM_SLA_EVENT_CREATED, 0, (uint32_t)rng_below(r, 5)};
    const size_t more = rng_below(r, 12);
    for (size_t k = 0; k < more; k++) {
        t += (cm_time)rng_below(r, 8 * 3600);
        const uint16_t type = (uint16_t)(2 + rng_below(r, 6)); /* customer reply .. reopen */
        uint32_t value = 0;
        if (type == CM_SLA_EVENT_STATUS)
            value = (uint32_t)rng_below(r, CM_SLA_STATUS_COUNT);
        else if (type == CM_SLA_EVENT_PRIORITY)
            value = (uint32_t)rng_below(r, CM_SLA_PRIORITY_COUNT);
        ev[n++] = (cm_sla_event){t, type, 0, value};
    }
    return n;
}

START_TEST(column_equals_ticket_by_ticket)
{
    const char *env = getenv("CM_TEST_SEED");
    const uint64_t seed = env ? strtoull(env, NULL, 10) : 20250106u;
    printf("column_equals_ticket_by_ticket: CM_TEST_SEED=%" PRIu64 "\n", seed);
    test_rng r = {seed};
    cm_sla_policy *p = NULL;
    ck_assert_status(cm_sla_policy_parse("first-reply urgent,high 1h calendar\n"
                                         "first-reply normal,low 4h business\n"
                                         "next-reply * 8h business\n"
                                         "requester-wait * 2d calendar\n"
                                         "total-resolution * 3d calendar\n"
                                         "total-resolution reopen new-cycle\n",
                                         &p, NULL),
                     CM_OK);
    cm_calendar *cal = NULL;
    ck_assert_status(cm_calendar_parse("tz America/New_York\nmon-fri 09:00-17:00\n", &cal, NULL),
                     CM_OK);
    const cm_calendar *cals[] = {cal};
    enum { T = 300, MAXEV = 13 };
    cm_sla_event *events = malloc(T * MAXEV * sizeof *events);
    size_t *offsets = malloc((T + 1) * sizeof *offsets);
    ck_assert_ptr_nonnull(events);
    ck_assert_ptr_nonnull(offsets);
    offsets[0] = 0;
    for (size_t i = 0; i < T; i++)
        offsets[i + 1] = offsets[i] + random_ticket(&r, events + offsets[i]);
    const size_t nevents = offsets[T];
    const cm_time now = AT(9, 0, 0);

    const size_t cap = 6 * nevents;
    cm_sla_instance *col = malloc(cap * sizeof *col);
    cm_sla_instance *one = malloc(6 * MAXEV * sizeof *one);
    size_t *outoff = malloc((T + 1) * sizeof *outoff);
    ck_assert_ptr_nonnull(col);
    ck_assert_ptr_nonnull(one);
    ck_assert_ptr_nonnull(outoff);
    size_t total = 0;
    ck_assert_status(cm_sla_evaluate_many(p, cals, 1, events, nevents, offsets, T, now, col, cap,
                                          outoff, &total, NULL),
                     CM_OK);
    cm_sla_attainment *single = calloc(1, sizeof *single);
    cm_sla_attainment *many = calloc(1, sizeof *many);
    ck_assert_ptr_nonnull(single);
    ck_assert_ptr_nonnull(many);
    for (size_t i = 0; i < T; i++) {
        size_t n = 0;
        ck_assert_status(cm_sla_evaluate(p, cals, 1, events + offsets[i],
                                         offsets[i + 1] - offsets[i], now, one, 6 * MAXEV, &n),
                         CM_OK);
        ck_assert_uint_eq(outoff[i + 1] - outoff[i], n);
        ck_assert_mem_eq(col + outoff[i], one, n * sizeof *one);
        ck_assert_status(cm_sla_attainment_add(single, one, n), CM_OK);
    }
    ck_assert_uint_eq(outoff[T], total);
    const size_t size = cm_sla_attainment_add_many_scratch_size(MAXEV);
    void *scratch = malloc(size);
    ck_assert_ptr_nonnull(scratch);
    ck_assert_status(cm_sla_attainment_add_many(many, p, cals, 1, events, nevents, offsets, T, now,
                                                scratch, size, NULL),
                     CM_OK);
    ck_assert_mem_eq(many, single, sizeof *many);
    free(scratch);
    free(single);
    free(many);
    free(outoff);
    free(one);
    free(col);
    free(offsets);
    free(events);
    cm_calendar_free(cal);
    cm_sla_policy_free(p);
}
END_TEST

static Suite *sla_many_suite(void)
{
    Suite *s = suite_create("sla-many");
    TCase *tc = tcase_create("hand-worked");
    tcase_add_test(tc, evaluate_many_hand_worked);
    tcase_add_test(tc, attainment_many_hand_worked);
    tcase_add_test(tc, no_tickets);
    suite_add_tcase(s, tc);

    tc = tcase_create("bad input");
    tcase_add_test(tc, evaluate_many_capacity);
    tcase_add_loop_test(tc, bad_column_table, 0, (int)NELEM(bad_cases));
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, scratch_too_small_for_a_ticket);
    tcase_add_test(tc, scratch_size_query);
    suite_add_tcase(s, tc);

    tc = tcase_create("properties");
    tcase_add_test(tc, column_equals_ticket_by_ticket);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sla_many_suite());
    srunner_run_all(sr, CK_NORMAL);
    const int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
