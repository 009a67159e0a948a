/*
 * sla-timer: replays one ticket's events under an SLA policy and prints every
 * metric's state, due time and remaining time.
 *
 *   sla-timer [--policy FILE] [--calendar FILE]... [--now TIME] [--events FILE] [EVENT...]
 *
 * An event is an RFC 3339 instant, a kind and, for some kinds, a value:
 *
 *   2025-01-10T16:30:00Z created normal      created by the customer, priority
 *   ... created-by-agent low                 created by an agent with a public message
 *   ... customer | customer-auto             customer message (auto: an auto-responder)
 *   ... agent | bot                          public agent reply (bot: automated)
 *   ... note                                 private agent note
 *   ... status pending                       new, open, pending, on-hold, solved, closed
 *   ... priority urgent                      none, low, normal, high, urgent
 *   ... reopen
 *
 * Events come from the command line or from a file (--events, "-" for
 * standard input; whitespace-separated, "#" starts a comment). The policy
 * defaults to the bundled severity matrix and the calendars (index 0, 1, ...
 * in the order given) to its Monday-Friday 09:00-17:00 calendar. --now
 * defaults to the last event's instant.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CM_EXAMPLE_DATA
#define CM_EXAMPLE_DATA "examples/data"
#endif

#define MAX_EVENTS    4096
#define MAX_CALENDARS 8

static int usage(void)
{
    fputs("usage: sla-timer [--policy FILE] [--calendar FILE]... [--now TIME] [--events FILE] "
          "[EVENT...]\n"
          "  EVENT: TIME KIND [VALUE], e.g. 2025-01-10T16:30:00Z created normal\n"
          "  kinds: created PRIORITY, created-by-agent PRIORITY, customer, customer-auto,\n"
          "         agent, bot, note, status STATUS, priority PRIORITY, reopen\n",
          stderr);
    return 2;
}

/* Reads a whole file (or standard input for "-") into a NUL-terminated buffer. */
static char *slurp(const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "sla-timer: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        len += fread(buf + len, 1, cap - len - 1, f);
        if (len < cap - 1)
            break;
        char *bigger = realloc(buf, cap * 2);
        if (bigger == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    const int failed = ferror(f);
    if (f != stdin)
        fclose(f);
    if (buf == NULL || failed) {
        fprintf(stderr, "sla-timer: %s: cannot read\n", path);
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

/* The value whose library name is `word`, or -1. */
static int lookup(const char *word, const char *(*name)(uint32_t), uint32_t count)
{
    for (uint32_t v = 0; v < count; v++) {
        if (strcmp(word, name(v)) == 0)
            return (int)v;
    }
    return -1;
}

/* A cursor over whitespace-separated words, from argv or from a text. */
typedef struct words {
    char **argv;
    int argc, next;
    char *text; /* when reading a file: modified in place */
} words;

static const char *next_word(words *w)
{
    if (w->text == NULL)
        return w->next < w->argc ? w->argv[w->next++] : NULL;
    while (*w->text == ' ' || *w->text == '\t' || *w->text == '\r' || *w->text == '\n')
        w->text++;
    if (*w->text == '\0')
        return NULL;
    char *start = w->text;
    while (*w->text != '\0' && !strchr(" \t\r\n", *w->text))
        w->text++;
    if (*w->text != '\0')
        *w->text++ = '\0';
    return start;
}

/* Blanks out comments: from '#' to the end of the line. */
static void strip_comments(char *text)
{
    bool comment = false;
    for (char *p = text; *p != '\0'; p++) {
        if (*p == '#')
            comment = true;
        else if (*p == '\n')
            comment = false;
        if (comment)
            *p = ' ';
    }
}

/* Parses events until the words run out; returns their number or -1. */
static long parse_events(words *w, cm_sla_event *ev, size_t cap)
{
    size_t n = 0;
    const char *t;
    while ((t = next_word(w)) != NULL) {
        cm_sla_event e = {0, 0, 0, 0};
        if (cm_time_parse(t, strlen(t), &e.at) != CM_OK) {
            fprintf(stderr, "sla-timer: '%s' is not an RFC 3339 instant\n", t);
            return -1;
        }
        const char *kind = next_word(w);
        if (kind == NULL) {
            fprintf(stderr, "sla-timer: event at %s has no kind\n", t);
            return -1;
        }
        const char *(*value_names)(uint32_t) = NULL;
        uint32_t nvalues = 0;
        if (strcmp(kind, "created") == 0 || strcmp(kind, "created-by-agent") == 0) {
            e.type = CM_SLA_EVENT_CREATED;
            e.flags = (uint16_t)(kind[7] == '\0' ? 0 : CM_SLA_EVENT_BY_AGENT);
            value_names = cm_sla_priority_name;
            nvalues = CM_SLA_PRIORITY_COUNT;
        } else if (strcmp(kind, "customer") == 0 || strcmp(kind, "customer-auto") == 0) {
            e.type = CM_SLA_EVENT_CUSTOMER_REPLY;
            e.flags = (uint16_t)(kind[8] == '\0' ? 0 : CM_SLA_EVENT_AUTOMATED);
        } else if (strcmp(kind, "agent") == 0 || strcmp(kind, "bot") == 0) {
            e.type = CM_SLA_EVENT_AGENT_REPLY;
            e.flags = (uint16_t)(kind[0] == 'a' ? 0 : CM_SLA_EVENT_AUTOMATED);
        } else if (strcmp(kind, "note") == 0) {
            e.type = CM_SLA_EVENT_AGENT_NOTE;
        } else if (strcmp(kind, "status") == 0) {
            e.type = CM_SLA_EVENT_STATUS;
            value_names = cm_sla_status_name;
            nvalues = CM_SLA_STATUS_COUNT;
        } else if (strcmp(kind, "priority") == 0) {
            e.type = CM_SLA_EVENT_PRIORITY;
            value_names = cm_sla_priority_name;
            nvalues = CM_SLA_PRIORITY_COUNT;
        } else if (strcmp(kind, "reopen") == 0) {
            e.type = CM_SLA_EVENT_REOPEN;
        } else {
            fprintf(stderr, "sla-timer: unknown event kind '%s'\n", kind);
            return -1;
        }
        if (value_names != NULL) {
            const char *v = next_word(w);
            const int value = v != NULL ? lookup(v, value_names, nvalues) : -1;
            if (value < 0) {
                fprintf(stderr, "sla-timer: '%s' needs a %s\n", kind,
                        e.type == CM_SLA_EVENT_STATUS ? "status" : "priority");
                return -1;
            }
            e.value = (uint32_t)value;
        }
        if (n == cap) {
            fprintf(stderr, "sla-timer: more than %zu events\n", cap);
            return -1;
        }
        ev[n++] = e;
    }
    return (long)n;
}

static void fmt_time(char *buf, size_t cap, cm_time t)
{
    if (t == CM_SLA_NO_TIME || cm_time_format(t, buf, cap) != CM_OK)
        snprintf(buf, cap, "-");
}

/* Seconds as [-]H:MM:SS-like text: 3h 05m, 12m 30s, 45s. */
static void fmt_seconds(char *buf, size_t cap, int64_t s)
{
    const char *sign = s < 0 ? "-" : "";
    const unsigned long long a = s < 0 ? 0ull - (unsigned long long)s : (unsigned long long)s;
    if (a >= 3600)
        snprintf(buf, cap, "%s%lluh %02llum", sign, a / 3600, a / 60 % 60);
    else if (a >= 60)
        snprintf(buf, cap, "%s%llum %02llus", sign, a / 60, a % 60);
    else
        snprintf(buf, cap, "%s%llus", sign, a);
}

static void print_records(const cm_sla_instance *r, size_t n, cm_time now)
{
    char nowbuf[CM_TIME_FORMAT_SIZE];
    fmt_time(nowbuf, sizeof nowbuf, now);
    printf("as of %s\n", nowbuf);
    printf("%-17s %5s  %-14s %-8s %-20s  %10s  %10s  %10s  %s\n", "metric", "cycle", "state",
           "priority", "due", "remaining", "elapsed", "target", "clock");
    for (size_t i = 0; i < n; i++) {
        char due[CM_TIME_FORMAT_SIZE], rem[32], el[32], tg[32], clock[32];
        const bool na = r[i].state == CM_SLA_NOT_APPLICABLE;
        fmt_time(due, sizeof due, r[i].due);
        fmt_seconds(rem, sizeof rem, r[i].remaining);
        fmt_seconds(el, sizeof el, r[i].elapsed);
        fmt_seconds(tg, sizeof tg, r[i].target);
        if (r[i].calendar == CM_SLA_CALENDAR_TIME)
            snprintf(clock, sizeof clock, "calendar");
        else
            snprintf(clock, sizeof clock, "business %d", (int)r[i].calendar);
        printf("%-17s %5u  %-14s %-8s %-20s  %10s  %10s  %10s  %s\n",
               cm_sla_metric_name(r[i].metric), (unsigned)r[i].cycle, cm_sla_state_name(r[i].state),
               cm_sla_priority_name(r[i].priority), na ? "-" : due, na ? "-" : rem, na ? "-" : el,
               na ? "-" : tg, na ? "-" : clock);
        if (r[i].stop != CM_SLA_NO_TIME || r[i].breach != CM_SLA_NO_TIME) {
            char start[CM_TIME_FORMAT_SIZE], stop[CM_TIME_FORMAT_SIZE], br[CM_TIME_FORMAT_SIZE];
            fmt_time(start, sizeof start, r[i].start);
            fmt_time(stop, sizeof stop, r[i].stop);
            fmt_time(br, sizeof br, r[i].breach);
            printf("%25s started %s, stopped %s, breached %s\n", "", start, stop, br);
        }
    }
}

int main(int argc, char **argv)
{
    const char *policy_path = CM_EXAMPLE_DATA "/sla-policy.txt";
    const char *calendar_paths[MAX_CALENDARS];
    int ncal = 0;
    const char *events_path = NULL, *now_text = NULL;
    /* Options may come anywhere; every other argument is a word of the events. */
    char **event_words = malloc((size_t)argc * sizeof *event_words);
    int nwords = 0;
    if (event_words == NULL)
        return 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--policy") == 0 && i + 1 < argc) {
            policy_path = argv[++i];
        } else if (strcmp(a, "--calendar") == 0 && i + 1 < argc) {
            if (ncal == MAX_CALENDARS) {
                free(event_words);
                return usage();
            }
            calendar_paths[ncal++] = argv[++i];
        } else if (strcmp(a, "--now") == 0 && i + 1 < argc) {
            now_text = argv[++i];
        } else if (strcmp(a, "--events") == 0 && i + 1 < argc) {
            events_path = argv[++i];
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            free(event_words);
            usage();
            return 0;
        } else if (a[0] == '-' && a[1] == '-') {
            free(event_words);
            return usage();
        } else {
            event_words[nwords++] = argv[i];
        }
    }
    if (ncal == 0)
        calendar_paths[ncal++] = CM_EXAMPLE_DATA "/office-hours.cal";
    if ((events_path != NULL) == (nwords > 0)) {
        fprintf(stderr, "sla-timer: give the events either on the command line or with "
                        "--events\n");
        free(event_words);
        return usage();
    }

    int rc = 1;
    char *policy_text = NULL, *events_text = NULL;
    cm_sla_policy *policy = NULL;
    cm_calendar *cals[MAX_CALENDARS] = {NULL};
    static cm_sla_event ev[MAX_EVENTS];
    static cm_sla_instance out[6 * MAX_EVENTS];
    cm_parse_error err = {0, 0, NULL};
    cm_status st;

    if ((policy_text = slurp(policy_path)) == NULL)
        goto done;
    if ((st = cm_sla_policy_parse(policy_text, &policy, &err)) != CM_OK) {
        if (st == CM_EPARSE)
            fprintf(stderr, "sla-timer: %s:%u:%u: %s\n", policy_path, (unsigned)err.line,
                    (unsigned)err.column, err.message);
        else
            fprintf(stderr, "sla-timer: %s: %s\n", policy_path, cm_strerror(st));
        goto done;
    }
    for (int c = 0; c < ncal; c++) {
        char *spec = slurp(calendar_paths[c]);
        if (spec == NULL)
            goto done;
        st = cm_calendar_parse(spec, &cals[c], &err);
        free(spec);
        if (st != CM_OK) {
            fprintf(stderr, "sla-timer: %s:%u:%u: %s\n", calendar_paths[c], (unsigned)err.line,
                    (unsigned)err.column, st == CM_EPARSE ? err.message : cm_strerror(st));
            goto done;
        }
    }
    size_t needed = 0;
    if (cm_sla_policy_info(policy, NULL, &needed) == CM_OK && needed > (size_t)ncal) {
        fprintf(stderr, "sla-timer: the policy names %zu calendars, %d given\n", needed, ncal);
        goto done;
    }

    words w = {event_words, nwords, 0, NULL};
    if (events_path != NULL) {
        if ((events_text = slurp(events_path)) == NULL)
            goto done;
        strip_comments(events_text);
        w.text = events_text;
    }
    const long nev = parse_events(&w, ev, MAX_EVENTS);
    if (nev < 0)
        goto done;
    if (nev == 0) {
        fprintf(stderr, "sla-timer: no events\n");
        goto done;
    }
    cm_time now = ev[nev - 1].at;
    if (now_text != NULL && cm_time_parse(now_text, strlen(now_text), &now) != CM_OK) {
        fprintf(stderr, "sla-timer: --now '%s' is not an RFC 3339 instant\n", now_text);
        goto done;
    }
    size_t n = 0;
    st = cm_sla_evaluate(policy, (const cm_calendar *const *)cals, (size_t)ncal, ev, (size_t)nev,
                         now, out, sizeof out / sizeof out[0], &n);
    if (st != CM_OK) {
        fprintf(stderr, "sla-timer: cannot evaluate the events: %s (%s)\n", cm_strerror(st),
                cm_status_name(st));
        goto done;
    }
    print_records(out, n, now);
    rc = 0;
done:
    for (int c = 0; c < ncal; c++)
        cm_calendar_free(cals[c]);
    cm_sla_policy_free(policy);
    free(policy_text);
    free(events_text);
    free(event_words);
    return rc;
}
