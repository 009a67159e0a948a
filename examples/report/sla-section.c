/*
 * The SLA section of caremetrics-report. Each ticket becomes a short event
 * log (created with its priority, the first public reply, the solve) that
 * cm_sla_evaluate() replays. A solved ticket's clocks have all stopped, so it
 * is judged as soon as it is read; a ticket still open is judged at the end,
 * as of the latest instant anywhere in the file: an open target already past
 * due counts as breached, one still in time is only counted as open.
 * SPDX-License-Identifier: MIT
 */
#include "sla-section.h"

#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RECORDS 18 /* 6 records per event, 3 events */

bool sla_section_init(sla_section *s)
{
    memset(s, 0, sizeof *s);
    s->acc = calloc(1, sizeof *s->acc);
    return s->acc != NULL;
}

void sla_section_free(sla_section *s)
{
    free(s->acc);
    free(s->open);
    memset(s, 0, sizeof *s);
}

/* The ticket's log in order of time (a reply may be recorded after the solve). */
static size_t ticket_log(cm_time created, cm_time reply, cm_time solved, uint8_t priority,
                         cm_sla_event *ev)
{
    size_t n = 0;
    ev[n++] = (cm_sla_event){created, CM_SLA_EVENT_CREATED, 0, priority};
    if (reply != CM_SLA_NO_TIME)
        ev[n++] = (cm_sla_event){reply, CM_SLA_EVENT_AGENT_REPLY, 0, 0};
    if (solved != CM_SLA_NO_TIME) {
        const cm_sla_event solve = {solved, CM_SLA_EVENT_STATUS, 0, CM_SLA_STATUS_SOLVED};
        if (n == 2 && ev[1].at > solve.at) {
            ev[2] = ev[1];
            ev[1] = solve;
        } else {
            ev[n] = solve;
        }
        n++;
    }
    return n;
}

/* Replays one log at `now` into the accumulator. */
static bool judge(const report_rules *rules, cm_sla_attainment *acc, const cm_sla_event *ev,
                  size_t nev, cm_time now)
{
    const cm_calendar *cals[1] = {rules->calendar};
    cm_sla_instance out[MAX_RECORDS];
    size_t n = 0;
    return cm_sla_evaluate(rules->policy, cals, 1, ev, nev, now, out, MAX_RECORDS, &n) == CM_OK &&
           cm_sla_attainment_add(acc, out, n) == CM_OK;
}

bool sla_section_add(sla_section *s, const report_rules *rules, cm_time created,
                     cm_time first_reply, cm_time solved, uint8_t tc_priority)
{
    if (rules->policy == NULL || rules->calendar == NULL)
        return true; /* the section reports why */
    cm_time last = created;
    if (first_reply != CM_SLA_NO_TIME && first_reply > last)
        last = first_reply;
    if (solved != CM_SLA_NO_TIME && solved > last)
        last = solved;
    if (!s->any || last > s->latest)
        s->latest = last;
    s->any = true;
    /* Stored 0 none, 1 urgent .. 4 low; the library's 1 low .. 4 urgent. */
    const uint8_t priority = tc_priority == 0 ? CM_SLA_PRIORITY_NONE : (uint8_t)(5 - tc_priority);
    if (priority == CM_SLA_PRIORITY_NONE)
        return true; /* no SLA */
    if (solved != CM_SLA_NO_TIME) {
        cm_sla_event ev[3];
        const size_t nev = ticket_log(created, first_reply, solved, priority, ev);
        return judge(rules, s->acc, ev, nev, last);
    }
    if (s->nopen == s->cap) {
        const size_t cap = s->cap ? 2 * s->cap : 256;
        sla_open_ticket *t = realloc(s->open, cap * sizeof *t);
        if (t == NULL)
            return false;
        s->open = t;
        s->cap = cap;
    }
    s->open[s->nopen++] = (sla_open_ticket){created, first_reply, priority};
    return true;
}

bool sla_section_merge(sla_section *dst, const sla_section *src)
{
    if (src->any && (!dst->any || src->latest > dst->latest))
        dst->latest = src->latest;
    dst->any = dst->any || src->any;
    if (cm_sla_attainment_merge(dst->acc, src->acc) != CM_OK)
        return false;
    if (src->nopen > dst->cap - dst->nopen) {
        const size_t cap = dst->nopen + src->nopen;
        sla_open_ticket *t = realloc(dst->open, cap * sizeof *t);
        if (t == NULL)
            return false;
        dst->open = t;
        dst->cap = cap;
    }
    if (src->nopen > 0)
        memcpy(dst->open + dst->nopen, src->open, src->nopen * sizeof *src->open);
    dst->nopen += src->nopen;
    return true;
}

static void print_line(const cm_sla_attainment *acc, uint32_t metric, uint32_t priority,
                       double confidence)
{
    char label[48];
    snprintf(label, sizeof label, "%s, %s",
             metric == CM_SLA_FIRST_REPLY ? "First reply" : "Total resolution",
             priority == CM_SLA_PRIORITY_ALL ? "all" : cm_sla_priority_name(priority));
    cm_sla_attainment_summary s;
    const cm_status st = cm_sla_attainment_result(acc, metric, priority, confidence, &s);
    if (st != CM_OK) {
        printf("  %-34s %s\n", label, cm_strerror(st));
        return;
    }
    char mean[32] = "-", median[32] = "-", p90[32] = "-";
    if (s.elapsed.n > 0)
        fmt_duration(mean, sizeof mean, s.elapsed.mean_seconds);
    if (s.has_quantiles) {
        fmt_duration(median, sizeof median, s.p50_seconds);
        fmt_duration(p90, sizeof p90, s.p90_seconds);
    }
    printf("  %-34s %7.1f %%  [%5.1f, %5.1f]  %6llu of %-6llu %6llu  %10s %10s %10s\n", label,
           100.0 * s.attained.value, 100.0 * s.attained.lo, 100.0 * s.attained.hi,
           (unsigned long long)s.achieved, (unsigned long long)s.attained.den,
           (unsigned long long)s.open, mean, median, p90);
}

void sla_section_print(const sla_section *s, const report_rules *rules, double confidence)
{
    printf("\nSLA attainment (%d %% confidence)        value  interval       met of judged   open"
           "        mean     median        p90\n",
           (int)lround(confidence * 100.0));
    if (rules->policy == NULL || rules->calendar == NULL) {
        printf("  SLA policy unavailable: %s\n", rules->problem);
        return;
    }
    /* The open tickets are judged into a copy, so the section stays as read. */
    cm_sla_attainment *acc = malloc(sizeof *acc);
    if (acc == NULL) {
        printf("  out of memory\n");
        return;
    }
    *acc = *s->acc;
    uint64_t failed = 0;
    for (size_t i = 0; i < s->nopen; i++) {
        const sla_open_ticket *t = &s->open[i];
        cm_sla_event ev[3];
        const size_t nev = ticket_log(t->created, t->first_reply, CM_SLA_NO_TIME, t->priority, ev);
        failed += !judge(rules, acc, ev, nev, s->latest);
    }
    char as_of[CM_TIME_FORMAT_SIZE] = "-";
    if (s->any && cm_time_format(s->latest, as_of, sizeof as_of) != CM_OK)
        snprintf(as_of, sizeof as_of, "-");
    printf("  policy %s, business hours %s, as of %s\n", rules->policy_path, rules->calendar_path,
           as_of);
    static const uint32_t metrics[] = {CM_SLA_FIRST_REPLY, CM_SLA_TOTAL_RESOLUTION};
    for (size_t m = 0; m < 2; m++) {
        for (uint32_t p = CM_SLA_PRIORITY_URGENT; p >= CM_SLA_PRIORITY_LOW; p--)
            print_line(acc, metrics[m], p, confidence);
        print_line(acc, metrics[m], CM_SLA_PRIORITY_ALL, confidence);
    }
    if (failed > 0)
        printf("  %llu tickets could not be judged\n", (unsigned long long)failed);
    free(acc);
}
