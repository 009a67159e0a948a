/*
 * Benchmark of the SLA replay: tickets per second through cm_sla_evaluate()
 * for realistic event logs of 5-30 events (replies, pending and on-hold
 * spells, priority changes, solves and reopens) under the bundled severity
 * matrix, business hours on a Monday-Friday 09:00-17:00 calendar in New York
 * (daylight saving), next to a naive baseline measured in the same run that
 * re-evaluates the first reply and the total resolution (the metrics with a
 * target at every priority) by stepping through the ticket's life minute by
 * minute (on a subset, scaled to tickets per second). The baseline's elapsed times are also compared with
 * the library's: every event falls on a whole minute, so stepping minutes is
 * exact, and any difference is reported.
 *
 * The same tickets then go through cm_sla_policyset_evaluate(): under the
 * same text read as a policy set (the records must equal cm_sla_evaluate's),
 * and under a set of three policies chosen by conditions on the ticket's
 * organization, with a group policy and warnings, the ticket's attributes set
 * at its creation. Ratios are against cm_sla_evaluate in the same run.
 *
 *   meson test -C build-rel --benchmark -v sla
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <caremetrics.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef CM_SLA_POLICY_FILE
#define CM_SLA_POLICY_FILE "examples/data/sla-policy.txt"
#endif

#define N_TICKETS 100000
#define N_NAIVE   300
#define MAX_EV    30
#define MINUTE    60
#define REPEATS   3

static double clock_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng_state = 20251123;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static double rng_unit(void)
{
    return (double)(rng_next() >> 11) * 0x1.0p-53;
}

static uint32_t rng_below(uint32_t n)
{
    return (uint32_t)(rng_next() % n);
}

/* A lognormal delay in whole minutes (at least 1) with the given median. */
static cm_time delay(double median_minutes, double sigma)
{
    const double u1 = rng_unit() + 1e-12, u2 = rng_unit();
    const double z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
    double m = median_minutes * exp(sigma * z);
    if (m < 1.0)
        m = 1.0;
    if (m > 60.0 * 24 * 30)
        m = 60.0 * 24 * 30;
    return (cm_time)m * MINUTE;
}

typedef struct ticket {
    cm_sla_event ev[MAX_EV];
    uint32_t n;
    cm_time now;
} ticket;

static void push(ticket *t, cm_time at, uint16_t type, uint16_t flags, uint32_t value)
{
    t->ev[t->n++] = (cm_sla_event){at, type, flags, value};
}

/*
 * One ticket: created by the customer (priority urgent 5 %, high 20 %,
 * normal 55 %, low 15 %, none 5 %), then turns of agent and customer
 * messages with lognormal delays, pending after some agent replies, the odd
 * bot reply, note, on-hold spell or priority change, a solve, and in a fifth
 * of the tickets a reopen by the customer and a second solve. 5-30 events.
 */
static void gen_ticket(ticket *t)
{
    t->n = 0;
    /* 2025-01-01 + up to 360 days, on a whole minute */
    cm_time at = INT64_C(1735689600) + (cm_time)rng_below(360 * 24 * 60) * MINUTE;
    const uint32_t r = rng_below(100);
    const uint32_t prio = r < 5    ? CM_SLA_PRIORITY_URGENT
                          : r < 25 ? CM_SLA_PRIORITY_HIGH
                          : r < 80 ? CM_SLA_PRIORITY_NORMAL
                          : r < 95 ? CM_SLA_PRIORITY_LOW
                                   : CM_SLA_PRIORITY_NONE;
    const double speed = prio == CM_SLA_PRIORITY_URGENT ? 0.1
                         : prio == CM_SLA_PRIORITY_HIGH ? 0.4
                                                        : 1;
    const uint32_t want = 7 + rng_below(24); /* 5..30 events in the end */
    const bool reopen = rng_below(5) == 0;
    push(t, at, CM_SLA_EVENT_CREATED, 0, prio);
    bool agent_turn = true;
    bool solved_once = false;
    while (t->n + 5 <= want) { /* room for this turn's 3 events and the final 2 */
        if (agent_turn) {
            at += delay(120 * speed, 1.2);
            const uint32_t k = rng_below(20);
            if (k == 0) {
                push(t, at, CM_SLA_EVENT_AGENT_REPLY, CM_SLA_EVENT_AUTOMATED, 0);
                continue;
            }
            if (k == 1) {
                push(t, at, CM_SLA_EVENT_AGENT_NOTE, 0, 0);
                continue;
            }
            if (k == 2) {
                push(t, at, CM_SLA_EVENT_STATUS, 0, CM_SLA_STATUS_ON_HOLD);
                at += delay(240, 1.0);
                push(t, at, CM_SLA_EVENT_STATUS, 0, CM_SLA_STATUS_OPEN);
                continue;
            }
            if (k == 3) {
                push(t, at, CM_SLA_EVENT_PRIORITY, 0, 1 + rng_below(4));
                continue;
            }
            push(t, at, CM_SLA_EVENT_AGENT_REPLY, 0, 0);
            if (rng_below(2) == 0)
                push(t, at, CM_SLA_EVENT_STATUS, 0, CM_SLA_STATUS_PENDING);
            agent_turn = false;
        } else {
            at += delay(300, 1.5);
            push(t, at, CM_SLA_EVENT_CUSTOMER_REPLY, 0, 0);
            agent_turn = true;
            if (reopen && !solved_once && t->n + 7 <= want && rng_below(3) == 0) {
                at += delay(60 * speed, 1.0);
                push(t, at, CM_SLA_EVENT_AGENT_REPLY, 0, 0);
                push(t, at, CM_SLA_EVENT_STATUS, 0, CM_SLA_STATUS_SOLVED);
                solved_once = true; /* the next customer message reopens it */
                agent_turn = false;
            }
        }
    }
    at += delay(60 * speed, 1.0);
    push(t, at, CM_SLA_EVENT_AGENT_REPLY, 0, 0);
    push(t, at, CM_SLA_EVENT_STATUS, 0, CM_SLA_STATUS_SOLVED);
    t->now = at + 86400;
}

/* ---- the naive baseline ---------------------------------------------------- */

/*
 * Re-evaluates one metric from scratch by walking the ticket minute by
 * minute: at each minute find the ticket's status and whether the clock runs
 * (started, not stopped, not paused, calendar open for business targets) by
 * scanning the log. Returns the elapsed seconds in the clock of the final
 * priority's target, or -1 when the metric has no target.
 */
static int64_t naive_elapsed(const cm_sla_policy *p, const cm_calendar *cal, const ticket *t,
                             uint32_t metric)
{
    const cm_time created = t->ev[0].at;
    /* the priority that applies: the one at the stop (first reply) or at the end */
    uint32_t prio = t->ev[0].value;
    cm_time first_reply = -1;
    for (uint32_t i = 0; i < t->n; i++) {
        const cm_sla_event *e = &t->ev[i];
        const bool answer = e->type == CM_SLA_EVENT_AGENT_REPLY && e->flags == 0;
        const bool solve = e->type == CM_SLA_EVENT_STATUS && e->value == CM_SLA_STATUS_SOLVED;
        if (metric == CM_SLA_FIRST_REPLY && first_reply < 0 && (answer || solve))
            first_reply = e->at;
        if (e->type == CM_SLA_EVENT_PRIORITY && (first_reply < 0 || e->at <= first_reply))
            prio = e->value;
    }
    cm_sla_target target;
    if (cm_sla_policy_target(p, metric, prio, &target) != CM_OK)
        return -1;
    int64_t elapsed = 0;
    for (cm_time m = created; m < t->now; m += MINUTE) {
        /* status at minute m: the last status event at or before m; customer
         * replies reopen solved tickets and wake pending ones */
        uint32_t status = CM_SLA_STATUS_NEW;
        for (uint32_t i = 0; i < t->n && t->ev[i].at <= m; i++) {
            const cm_sla_event *e = &t->ev[i];
            if (e->type == CM_SLA_EVENT_STATUS)
                status = e->value;
            else if (e->type == CM_SLA_EVENT_CUSTOMER_REPLY && status != CM_SLA_STATUS_OPEN &&
                     status != CM_SLA_STATUS_NEW)
                status = CM_SLA_STATUS_OPEN;
        }
        if (status == CM_SLA_STATUS_SOLVED)
            continue;
        if (metric == CM_SLA_FIRST_REPLY && m >= first_reply)
            break;
        bool open = true;
        if (target.calendar != CM_SLA_CALENDAR_TIME && cm_calendar_is_open(cal, m, &open) != CM_OK)
            return -2;
        if (open)
            elapsed += MINUTE;
    }
    return elapsed;
}

/* Tickets per second of cm_sla_policyset_evaluate over every ticket (best of REPEATS). */
static double time_set(const cm_sla_policyset *set, const cm_sla_calendars *cals,
                       cm_sla_ticket_event *const *tev, const uint32_t *ntev, const ticket *tickets,
                       cm_sla_record *rec, size_t cap, uint64_t *records)
{
    double best = 1e300;
    for (int rep = 0; rep < REPEATS; rep++) {
        *records = 0;
        const double t0 = clock_now();
        for (int i = 0; i < N_TICKETS; i++) {
            size_t n = 0;
            if (cm_sla_policyset_evaluate(set, cals, tev[i], ntev[i], tickets[i].now, rec, cap,
                                          &n) != CM_OK)
                return -1;
            *records += n;
        }
        const double dt = clock_now() - t0;
        best = dt < best ? dt : best;
    }
    return N_TICKETS / best;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    static char buf[65536];
    const size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

int main(void)
{
    const char *text = slurp(CM_SLA_POLICY_FILE);
    cm_sla_policy *policy = NULL;
    cm_calendar *cal = NULL;
    if (text == NULL || cm_sla_policy_parse(text, &policy, NULL) != CM_OK ||
        cm_calendar_parse("tz America/New_York\nmon-fri 09:00-17:00\n", &cal, NULL) != CM_OK) {
        fprintf(stderr, "bench-sla: cannot load the policy %s or the calendar\n",
                CM_SLA_POLICY_FILE);
        return 1;
    }
    const cm_calendar *cals[1] = {cal};

    ticket *tickets = malloc(N_TICKETS * sizeof *tickets);
    cm_sla_instance *out = malloc(6 * MAX_EV * sizeof *out);
    if (tickets == NULL || out == NULL)
        return 1;
    uint64_t nevents = 0;
    for (int i = 0; i < N_TICKETS; i++) {
        gen_ticket(&tickets[i]);
        nevents += tickets[i].n;
    }

    /* The library: every ticket evaluated a day after its last event. */
    double best = 1e300;
    uint64_t records = 0, breached = 0;
    for (int rep = 0; rep < REPEATS; rep++) {
        records = breached = 0;
        const double t0 = clock_now();
        for (int i = 0; i < N_TICKETS; i++) {
            size_t n = 0;
            const cm_status st = cm_sla_evaluate(policy, cals, 1, tickets[i].ev, tickets[i].n,
                                                 tickets[i].now, out, 6 * MAX_EV, &n);
            if (st != CM_OK) {
                fprintf(stderr, "bench-sla: ticket %d: %s\n", i, cm_status_name(st));
                for (uint32_t k = 0; k < tickets[i].n; k++)
                    fprintf(stderr, "  %" PRId64 " %u %u %u\n", tickets[i].ev[k].at,
                            tickets[i].ev[k].type, tickets[i].ev[k].flags, tickets[i].ev[k].value);
                return 1;
            }
            records += n;
            for (size_t k = 0; k < n; k++)
                breached += out[k].breached;
        }
        const double dt = clock_now() - t0;
        best = dt < best ? dt : best;
    }
    const double fast = N_TICKETS / best;

    /* The baseline on the first N_NAIVE tickets, timed alone, then checked
     * against the library. */
    static const uint32_t metrics[] = {CM_SLA_FIRST_REPLY, CM_SLA_TOTAL_RESOLUTION};
    enum { NM = sizeof metrics / sizeof metrics[0] };
    static int64_t naive_result[N_NAIVE][NM];
    const double t0 = clock_now();
    for (int i = 0; i < N_NAIVE; i++) {
        for (int k = 0; k < NM; k++)
            naive_result[i][k] = naive_elapsed(policy, cal, &tickets[i], metrics[k]);
    }
    const double naive = N_NAIVE / (clock_now() - t0);
    uint64_t compared = 0, differ = 0;
    for (int i = 0; i < N_NAIVE; i++) {
        size_t n = 0;
        if (cm_sla_evaluate(policy, cals, 1, tickets[i].ev, tickets[i].n, tickets[i].now, out,
                            6 * MAX_EV, &n) != CM_OK)
            return 1;
        for (int k = 0; k < NM; k++) {
            const int64_t e = naive_result[i][k];
            if (e == -2)
                return 1;
            for (size_t j = 0; j < n && e >= 0; j++) {
                if (out[j].metric != metrics[k] || out[j].state == CM_SLA_NOT_APPLICABLE)
                    continue;
                compared++;
                if (out[j].elapsed != e && ++differ <= 5)
                    fprintf(stderr, "ticket %d %s: library %" PRId64 " s, naive %" PRId64 " s\n", i,
                            cm_sla_metric_name(metrics[k]), out[j].elapsed, e);
            }
        }
    }

    printf("sla: %d tickets, %" PRIu64 " events (%.1f per ticket, 5-30), severity matrix,\n"
           "     business hours Mon-Fri 09:00-17:00 America/New_York\n",
           N_TICKETS, nevents, (double)nevents / N_TICKETS);
    printf("  cm_sla_evaluate             %12.0f tickets/s  %12.0f events/s  (%" PRIu64
           " records, %" PRIu64 " breached)\n",
           fast, fast * (double)nevents / N_TICKETS, records, breached);
    printf("  naive minute stepping       %12.1f tickets/s  (%d tickets, 2 metrics)\n", naive,
           N_NAIVE);
    printf("  ratio                       %12.0fx\n", fast / naive);
    printf("  elapsed compared on %" PRIu64 " instances: %" PRIu64 " differ\n", compared, differ);

    /* Policy sets: the events with their strings, built before timing. */
    enum { NATTR = 2, CAP = 8 * (MAX_EV + NATTR) };
    static const char *const orgs[] = {"VIP", "Gold", "Acme", "Initech"};
    static const char *const groups[] = {"Tier 1", "Tier 2"};
    cm_sla_ticket_event *tev_all = calloc((size_t)N_TICKETS * (MAX_EV + NATTR), sizeof *tev_all);
    cm_sla_ticket_event **tev = malloc(N_TICKETS * sizeof *tev);
    uint32_t *ntev = malloc(N_TICKETS * sizeof *ntev);
    cm_sla_record *rec = malloc(CAP * sizeof *rec);
    if (tev_all == NULL || tev == NULL || ntev == NULL || rec == NULL)
        return 1;
    for (int i = 0; i < N_TICKETS; i++) {
        tev[i] = tev_all + (size_t)i * (MAX_EV + NATTR);
        uint32_t k = 0;
        for (uint32_t j = 0; j < tickets[i].n; j++) {
            tev[i][k++].event = tickets[i].ev[j];
            if (j == 0) {
                tev[i][k++] =
                    (cm_sla_ticket_event){{tickets[i].ev[0].at, CM_SLA_EVENT_ATTRIBUTE, 0, 0},
                                          "organization",
                                          orgs[i % 4],
                                          0};
                tev[i][k++] =
                    (cm_sla_ticket_event){{tickets[i].ev[0].at, CM_SLA_EVENT_ATTRIBUTE, 0, 0},
                                          "group",
                                          groups[i / 4 % 2],
                                          0};
            }
        }
        ntev[i] = k;
    }
    cm_sla_policyset *same = NULL, *rich = NULL;
    if (cm_sla_policyset_parse(text, NULL, &same, NULL) != CM_OK ||
        cm_sla_policyset_parse("policy vip\n"
                               "  when organization is VIP, Gold\n"
                               "  first-reply urgent,high 30m calendar warn 50%,75%\n"
                               "  first-reply normal,low 2h business warn 75%\n"
                               "  next-reply * 4h business warn 75%\n"
                               "  total-resolution * 16h business warn 75%\n"
                               "policy acme\n"
                               "  when organization is Acme\n"
                               "  first-reply * 4h business\n"
                               "  total-resolution * 24h business\n"
                               "policy default\n"
                               "  first-reply * 8h business\n"
                               "  periodic-update * 8h business\n"
                               "  total-resolution * 40h business\n"
                               "group-policy tier2\n"
                               "  when group is \"Tier 2\"\n"
                               "  group-ownership * 8h business warn 75%\n",
                               NULL, &rich, NULL) != CM_OK)
        return 1;
    const cm_sla_calendars calset = {cals, 1, NULL, 0};
    /* The same text as a set gives the same records as cm_sla_evaluate; this pass
     * also brings every page of the events in before timing. */
    uint64_t mismatched = 0;
    for (int i = 0; i < N_TICKETS; i++) {
        size_t n = 0, m = 0;
        if (cm_sla_evaluate(policy, cals, 1, tickets[i].ev, tickets[i].n, tickets[i].now, out,
                            6 * MAX_EV, &n) != CM_OK ||
            cm_sla_policyset_evaluate(same, &calset, tev[i], ntev[i], tickets[i].now, rec, CAP,
                                      &m) != CM_OK)
            return 1;
        bool equal = n == m;
        for (size_t k = 0; equal && k < n; k++)
            equal = memcmp(&out[k], &rec[k].instance, sizeof out[k]) == 0;
        mismatched += !equal;
    }
    uint64_t records_same = 0, records_rich = 0;
    const double set_same = time_set(same, &calset, tev, ntev, tickets, rec, CAP, &records_same);
    const double set_rich = time_set(rich, &calset, tev, ntev, tickets, rec, CAP, &records_rich);
    if (set_same < 0 || set_rich < 0)
        return 1;
    printf("  cm_sla_policyset_evaluate, the same text as a set\n"
           "                              %12.0f tickets/s  (%.2fx cm_sla_evaluate; %" PRIu64
           " tickets differ)\n",
           set_same, set_same / fast, mismatched);
    printf("  cm_sla_policyset_evaluate, 3 policies by organization, a group policy, warnings\n"
           "                              %12.0f tickets/s  (%.2fx cm_sla_evaluate; %" PRIu64
           " records)\n",
           set_rich, set_rich / fast, records_rich);
    cm_sla_policyset_free(same);
    cm_sla_policyset_free(rich);
    free(tev_all);
    free(tev);
    free(ntev);
    free(rec);
    cm_calendar_free(cal);
    cm_sla_policy_free(policy);
    free(tickets);
    free(out);
    return differ == 0 && mismatched == 0 ? 0 : 1;
}
