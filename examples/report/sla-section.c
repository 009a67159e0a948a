/*
 * The SLA section of caremetrics-report. Each ticket becomes a three-event
 * log (created with its priority, the first public reply, the solve) that
 * cm_sla_evaluate() replays at the latest instant found in the file, so
 * tickets still open are judged as of the end of the history: an open
 * target already past due counts as breached, one still in time is left out.
 * SPDX-License-Identifier: MIT
 */
#include "sla-section.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CM_DATA_SOURCE_DIR
#define CM_DATA_SOURCE_DIR "examples/data"
#endif
#ifndef CM_DATA_INSTALLED_DIR
#define CM_DATA_INSTALLED_DIR "/usr/local/share/caremetrics"
#endif

#define POLICY_FILE   "sla-policy.txt"
#define CALENDAR_FILE "office-hours.cal"

typedef struct sla_ticket {
    cm_time created, reply, solved;
    uint8_t priority;
    bool has_reply, has_solved;
} sla_ticket;

struct sla_section {
    cm_sla_policy *policy;
    cm_calendar *calendar;
    char problem[160]; /* why the section cannot be computed, or empty */
    char policy_path[512];
    sla_ticket *tickets;
    size_t n, cap;
    cm_time latest;
};

/* Reads a data file from the source tree, else from the installed data directory. */
static char *read_data(const char *name, char *path, size_t cap)
{
    const char *dirs[] = {CM_DATA_SOURCE_DIR, CM_DATA_INSTALLED_DIR};
    for (int d = 0; d < 2; d++) {
        snprintf(path, cap, "%s/%s", dirs[d], name);
        FILE *f = fopen(path, "rb");
        if (f == NULL)
            continue;
        char *buf = malloc(65536);
        const size_t len = buf != NULL ? fread(buf, 1, 65535, f) : 0;
        fclose(f);
        if (buf != NULL)
            buf[len] = '\0';
        return buf;
    }
    return NULL;
}

sla_section *sla_section_new(void)
{
    sla_section *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    char cal_path[512];
    char *policy = read_data(POLICY_FILE, s->policy_path, sizeof s->policy_path);
    char *cal = read_data(CALENDAR_FILE, cal_path, sizeof cal_path);
    cm_parse_error err = {0, 0, NULL};
    if (policy == NULL || cal == NULL)
        snprintf(s->problem, sizeof s->problem, "cannot read %s",
                 policy == NULL ? POLICY_FILE : CALENDAR_FILE);
    else if (cm_sla_policy_parse(policy, &s->policy, &err) != CM_OK)
        snprintf(s->problem, sizeof s->problem, "%s:%u:%u: %s", s->policy_path, (unsigned)err.line,
                 (unsigned)err.column, err.message ? err.message : "?");
    else if (cm_calendar_parse(cal, &s->calendar, &err) != CM_OK)
        snprintf(s->problem, sizeof s->problem, "%s:%u:%u: %s", cal_path, (unsigned)err.line,
                 (unsigned)err.column, err.message ? err.message : "?");
    free(policy);
    free(cal);
    return s;
}

void sla_section_free(sla_section *s)
{
    if (s == NULL)
        return;
    cm_sla_policy_free(s->policy);
    cm_calendar_free(s->calendar);
    free(s->tickets);
    free(s);
}

bool sla_section_priority(const csv_field *f, int *priority)
{
    if (f->len == 0) {
        *priority = CM_SLA_PRIORITY_NONE;
        return true;
    }
    for (uint32_t p = CM_SLA_PRIORITY_LOW; p <= CM_SLA_PRIORITY_URGENT; p++) {
        if (csv_is(f, cm_sla_priority_name(p))) {
            *priority = (int)p;
            return true;
        }
    }
    return false;
}

bool sla_section_add(sla_section *s, cm_time created, bool has_reply, cm_time first_reply,
                     bool has_solved, cm_time solved, int priority)
{
    if (s->n == s->cap) {
        const size_t cap = s->cap ? 2 * s->cap : 1024;
        sla_ticket *t = realloc(s->tickets, cap * sizeof *t);
        if (t == NULL)
            return false;
        s->tickets = t;
        s->cap = cap;
    }
    sla_ticket *t = &s->tickets[s->n++];
    t->created = created;
    t->reply = first_reply;
    t->solved = solved;
    t->has_reply = has_reply;
    t->has_solved = has_solved;
    t->priority = (uint8_t)priority;
    const cm_time last = has_solved && solved > created ? solved : created;
    const cm_time latest = has_reply && first_reply > last ? first_reply : last;
    if (s->n == 1 || latest > s->latest)
        s->latest = latest;
    return true;
}

/* The ticket's log, in order of time (a reply may be recorded after the solve). */
static size_t ticket_log(const sla_ticket *t, cm_sla_event *ev)
{
    size_t n = 0;
    ev[n++] = (cm_sla_event){t->created, CM_SLA_EVENT_CREATED, 0, t->priority};
    if (t->has_reply)
        ev[n++] = (cm_sla_event){t->reply, CM_SLA_EVENT_AGENT_REPLY, 0, 0};
    if (t->has_solved) {
        const cm_sla_event solve = {t->solved, CM_SLA_EVENT_STATUS, 0, CM_SLA_STATUS_SOLVED};
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

static void fmt_duration(char *buf, size_t cap, double seconds)
{
    const long long s = llround(seconds);
    if (s < 3600)
        snprintf(buf, cap, "%lldm %02llds", s / 60, s % 60);
    else
        snprintf(buf, cap, "%lldh %02lldm", s / 3600, s / 60 % 60);
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

void sla_section_print(sla_section *s, double confidence)
{
    const int pct = (int)lround(confidence * 100.0);
    printf("\nSLA attainment (%d %% confidence)        value  interval       met of judged   open  "
           "      mean     median        p90\n",
           pct);
    if (s->problem[0] != '\0') {
        printf("  SLA policy unavailable: %s\n", s->problem);
        return;
    }
    static cm_sla_attainment acc; /* 67 KB: not on the stack */
    memset(&acc, 0, sizeof acc);
    const cm_calendar *cals[1] = {s->calendar};
    uint64_t failed = 0;
    for (size_t i = 0; i < s->n; i++) {
        cm_sla_event ev[3];
        cm_sla_instance out[18];
        size_t n = 0;
        const size_t nev = ticket_log(&s->tickets[i], ev);
        if (cm_sla_evaluate(s->policy, cals, 1, ev, nev, s->latest, out, 18, &n) != CM_OK ||
            cm_sla_attainment_add(&acc, out, n) != CM_OK)
            failed++;
    }
    char as_of[CM_TIME_FORMAT_SIZE] = "-";
    if (s->n > 0 && cm_time_format(s->latest, as_of, sizeof as_of) != CM_OK)
        snprintf(as_of, sizeof as_of, "-");
    printf("  policy %s, business hours Mon-Fri 09:00-17:00 UTC, as of %s\n", s->policy_path,
           as_of);
    static const uint32_t metrics[] = {CM_SLA_FIRST_REPLY, CM_SLA_TOTAL_RESOLUTION};
    for (size_t m = 0; m < 2; m++) {
        for (uint32_t p = CM_SLA_PRIORITY_URGENT; p >= CM_SLA_PRIORITY_LOW; p--)
            print_line(&acc, metrics[m], p, confidence);
        print_line(&acc, metrics[m], CM_SLA_PRIORITY_ALL, confidence);
    }
    if (failed > 0)
        printf("  %llu tickets could not be evaluated\n", (unsigned long long)failed);
}
