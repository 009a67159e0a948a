/*
 * sla-timer: replays one ticket's events under an SLA policy set and prints
 * every clock's state, policy, due time, remaining time and warnings, then
 * the next warning or breach.
 *
 *   sla-timer [--policy FILE] [--calendar FILE]... [--history FILE]... [--now TIME]
 *             [--events FILE | --from FORMAT FILE [--status NAME=CATEGORY]... [--skip-unknown]
 *             | EVENT...]
 *
 * An event is an RFC 3339 instant, a kind and, for some kinds, values:
 *
 *   2025-01-10T16:30:00Z created normal      created by the customer, priority
 *   ... created-by-agent low                 created by an agent with a public message
 *   ... customer | customer-auto             customer message (auto: an auto-responder)
 *   ... agent | bot                          public agent reply (bot: automated)
 *   ... note                                 private agent note
 *   ... status pending                       new, open, pending, on-hold, solved, closed
 *   ... custom-status pending NAME           a custom status of that category
 *   ... priority urgent                      a level of the set, or none
 *   ... reopen
 *   ... set ATTRIBUTE VALUE                  e.g. set group "Tier 2"
 *   ... set-number ATTRIBUTE INTEGER         e.g. set-number tier 2
 *   ... unset ATTRIBUTE
 *   ... tags "a b" | tag-add a | tag-remove a
 *   ... schedule INDEX                       the ticket moves to calendar INDEX
 *
 * Events come from the command line, from a file (--events, "-" for standard
 * input; whitespace-separated, "#" starts a comment, "..." quotes a word with
 * blanks), or from a help desk's export (--from zendesk-audits,
 * zendesk-metric-events or jira-issue, alias jira-changelog). The policy set
 * defaults to the bundled severity matrix and the calendars (index 0, 1, ...
 * in the order given) to its Monday-Friday 09:00-17:00 calendar; calendar
 * histories (--history) are numbered the same way. --now defaults to the last
 * event's instant.
 *
 * Inputs are bounded: at most 4096 events, 1024 bytes per line of an events
 * file or per event word, 1 MiB per policy or calendar file, 32 MiB per
 * export; an events file must be text (no NUL byte). Reading stops at the
 * first byte past a limit, so an endless input (/dev/zero, a pipe) ends at once.
 * Exit status: 0 success; 1 a malformed input or an evaluation error; 2 a bad
 * option, or an input refused for a limit of sla-timer (too large, not text).
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CM_EXAMPLE_DATA
#define CM_EXAMPLE_DATA "examples/data"
#endif

#define MAX_EVENTS    4096
#define MAX_CALENDARS 8
#define MAX_STATUSES  64
#define MAX_LINE      1024
#define MAX_TEXT      ((size_t)1 << 20)
#define MAX_EXPORT    ((size_t)32 << 20)

static const char usage_text[] =
    "usage: sla-timer [--policy FILE] [--calendar FILE]... [--history FILE]... [--now TIME]\n"
    "                 [--events FILE | --from FORMAT FILE [--status NAME=CATEGORY]...\n"
    "                  [--skip-unknown] | EVENT...]\n"
    "  EVENT: TIME KIND [VALUE...], e.g. 2025-01-10T16:30:00Z created normal\n"
    "  kinds: created PRIORITY, created-by-agent PRIORITY, customer, customer-auto,\n"
    "         agent, bot, note, status STATUS, custom-status STATUS NAME,\n"
    "         priority PRIORITY, reopen, set ATTRIBUTE VALUE, set-number ATTRIBUTE N,\n"
    "         unset ATTRIBUTE, tags \"A B\", tag-add TAG, tag-remove TAG, schedule INDEX\n"
    "  FORMAT: zendesk-audits, zendesk-metric-events, jira-issue (or jira-changelog)\n";

static int usage(void)
{
    fputs(usage_text, stderr);
    return 2;
}

/* A bad option: what it expects, then a pointer to the usage; exit status 2. */
static int bad_option(const char *option, const char *expects, const char *got)
{
    if (got != NULL)
        fprintf(stderr, "sla-timer: %s: expected %s, got \"%s\"\n", option, expects, got);
    else
        fprintf(stderr, "sla-timer: %s: expected %s after it\n", option, expects);
    fputs("sla-timer: run sla-timer --help for the usage\n", stderr);
    return 2;
}

/*
 * Reads a whole file (or standard input for "-") into a NUL-terminated
 * buffer of at most `limit` bytes; refuses larger inputs as soon as they
 * pass the limit, and then sets *refused.
 */
static char *slurp(const char *path, size_t limit, size_t *len_out, bool *refused)
{
    const bool std_in = strcmp(path, "-") == 0;
    FILE *f = std_in ? stdin : fopen(path, "rb");
    if (std_in)
        path = "(standard input)";
    if (f == NULL) {
        fprintf(stderr, "sla-timer: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    bool too_big = false;
    while (buf != NULL) {
        len += fread(buf + len, 1, cap - len - 1, f);
        if (len < cap - 1)
            break;
        if (len > limit) {
            too_big = true;
            break;
        }
        const size_t grown = cap * 2 > limit + 2 ? limit + 2 : cap * 2;
        char *bigger = realloc(buf, grown);
        if (bigger == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap = grown;
    }
    const int failed = ferror(f);
    if (f != stdin)
        fclose(f);
    if (too_big) {
        fprintf(stderr, "sla-timer: %s: larger than %zu MiB, the limit of sla-timer\n", path,
                limit >> 20);
        *refused = true;
        free(buf);
        return NULL;
    }
    if (buf == NULL || failed) {
        fprintf(stderr, "sla-timer: %s: cannot read\n", path);
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    if (len_out != NULL)
        *len_out = len;
    return buf;
}

/* ---- Words of the events: from argv or from a file, line by line ---------------- */

typedef struct words {
    char **argv; /* the command line's event words, or NULL */
    int argc, next;
    FILE *in; /* or an events file */
    const char *path;
    unsigned long line; /* of the last line read */
    char buf[MAX_LINE + 2];
    size_t at; /* next unread byte of buf */
    bool failed;
    bool refused; /* failed on a limit of sla-timer */
} words;

/* Reads the next line of the events file into w->buf, comments blanked; false at the end. */
static bool next_line(words *w)
{
    size_t n = 0;
    int c;
    bool comment = false;
    w->line++;
    while ((c = getc(w->in)) != EOF && c != '\n') {
        if (c == '\0') {
            fprintf(stderr, "sla-timer: %s:%lu: a NUL byte: not a text file\n", w->path, w->line);
            w->failed = w->refused = true;
            return false;
        }
        if (n == MAX_LINE) {
            fprintf(stderr, "sla-timer: %s:%lu: line longer than %d bytes\n", w->path, w->line,
                    MAX_LINE);
            w->failed = w->refused = true;
            return false;
        }
        comment = comment || c == '#';
        w->buf[n++] = comment ? ' ' : (char)c;
    }
    if (ferror(w->in)) {
        fprintf(stderr, "sla-timer: %s: cannot read\n", w->path);
        w->failed = true;
        return false;
    }
    w->buf[n] = '\0';
    w->at = 0;
    return c != EOF || n > 0;
}

/* Copies the next word into `out` (MAX_LINE + 1 bytes); false at the end or on an error. */
static bool next_word(words *w, char *out)
{
    if (w->in == NULL) {
        if (w->next >= w->argc)
            return false;
        const char *a = w->argv[w->next++];
        if (strlen(a) > MAX_LINE) {
            fprintf(stderr,
                    "sla-timer: an event word longer than %d bytes, the limit of sla-timer\n",
                    MAX_LINE);
            w->failed = w->refused = true;
            return false;
        }
        strcpy(out, a);
        return true;
    }
    for (;;) {
        while (w->buf[w->at] != '\0' && strchr(" \t\r", w->buf[w->at]) != NULL)
            w->at++;
        if (w->buf[w->at] != '\0')
            break;
        if (!next_line(w))
            return false;
    }
    const char *p = w->buf + w->at;
    size_t n;
    if (*p == '"') {
        const char *end = strchr(p + 1, '"');
        if (end == NULL) {
            fprintf(stderr, "sla-timer: %s:%lu: a quote without its end\n", w->path, w->line);
            w->failed = true;
            return false;
        }
        n = (size_t)(end - p - 1);
        memcpy(out, p + 1, n);
        w->at += n + 2;
    } else {
        n = strcspn(p, " \t\r");
        memcpy(out, p, n);
        w->at += n;
    }
    out[n] = '\0';
    return true;
}

/* Where an event error is: "FILE:LINE: " for a file, "" on the command line. */
static void where(const words *w)
{
    if (w->in != NULL)
        fprintf(stderr, "sla-timer: %s:%lu: ", w->path, w->line);
    else
        fputs("sla-timer: ", stderr);
}

/* ---- Events --------------------------------------------------------------------- */

typedef struct events {
    cm_sla_ticket_event *ev;
    size_t n;
    char *strings[2 * MAX_EVENTS]; /* copies the events point to */
    size_t nstrings;
} events;

static const char *keep(events *e, const char *s)
{
    char *copy = malloc(strlen(s) + 1);
    if (copy == NULL)
        return NULL;
    strcpy(copy, s);
    e->strings[e->nstrings++] = copy;
    return copy;
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

/* A priority level of the set by name ("none" is 0), or -1. */
static int level_of(const cm_sla_policyset *set, uint32_t nlevels, const char *word)
{
    for (uint32_t l = 0; l <= nlevels; l++) {
        if (strcmp(word, cm_sla_policyset_level_name(set, l)) == 0)
            return (int)l;
    }
    return -1;
}

enum { NEEDS_NOTHING, NEEDS_LEVEL, NEEDS_STATUS, NEEDS_NAME, NEEDS_TEXT };

static const struct {
    const char *kind;
    uint16_t type, flags;
    unsigned first, second; /* what the values are */
} kinds[] = {
    {"created", CM_SLA_EVENT_CREATED, 0, NEEDS_LEVEL, NEEDS_NOTHING},
    {"created-by-agent", CM_SLA_EVENT_CREATED, CM_SLA_EVENT_BY_AGENT, NEEDS_LEVEL, NEEDS_NOTHING},
    {"customer", CM_SLA_EVENT_CUSTOMER_REPLY, 0, NEEDS_NOTHING, NEEDS_NOTHING},
    {"customer-auto", CM_SLA_EVENT_CUSTOMER_REPLY, CM_SLA_EVENT_AUTOMATED, NEEDS_NOTHING,
     NEEDS_NOTHING},
    {"agent", CM_SLA_EVENT_AGENT_REPLY, 0, NEEDS_NOTHING, NEEDS_NOTHING},
    {"bot", CM_SLA_EVENT_AGENT_REPLY, CM_SLA_EVENT_AUTOMATED, NEEDS_NOTHING, NEEDS_NOTHING},
    {"note", CM_SLA_EVENT_AGENT_NOTE, 0, NEEDS_NOTHING, NEEDS_NOTHING},
    {"status", CM_SLA_EVENT_STATUS, 0, NEEDS_STATUS, NEEDS_NOTHING},
    {"custom-status", CM_SLA_EVENT_STATUS, 0, NEEDS_STATUS, NEEDS_NAME},
    {"priority", CM_SLA_EVENT_PRIORITY, 0, NEEDS_LEVEL, NEEDS_NOTHING},
    {"reopen", CM_SLA_EVENT_REOPEN, 0, NEEDS_NOTHING, NEEDS_NOTHING},
    {"set", CM_SLA_EVENT_ATTRIBUTE, 0, NEEDS_NAME, NEEDS_TEXT},
    {"set-number", CM_SLA_EVENT_ATTRIBUTE, CM_SLA_EVENT_NUMBER, NEEDS_NAME, NEEDS_TEXT},
    {"unset", CM_SLA_EVENT_ATTRIBUTE, 0, NEEDS_NAME, NEEDS_NOTHING},
    {"tags", CM_SLA_EVENT_TAGS, 0, NEEDS_TEXT, NEEDS_NOTHING},
    {"tag-add", CM_SLA_EVENT_TAG_ADD, 0, NEEDS_TEXT, NEEDS_NOTHING},
    {"tag-remove", CM_SLA_EVENT_TAG_REMOVE, 0, NEEDS_TEXT, NEEDS_NOTHING},
    {"schedule", CM_SLA_EVENT_SCHEDULE, 0, NEEDS_TEXT, NEEDS_NOTHING},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

/* A whole word as a decimal integer in [lo, hi]. */
static bool integer(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    const long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* Reads one event's values into `e`; false (with a message) on an error. */
static bool event_values(words *w, events *all, size_t k, const cm_sla_policyset *set,
                         uint32_t nlevels, cm_sla_ticket_event *e)
{
    static char word[MAX_LINE + 2];
    const unsigned needs[2] = {kinds[k].first, kinds[k].second};
    const char *kind = kinds[k].kind;
    for (int i = 0; i < 2 && needs[i] != NEEDS_NOTHING; i++) {
        if (!next_word(w, word)) {
            if (!w->failed) {
                where(w);
                fprintf(stderr, "'%s' needs %s\n", kind,
                        needs[i] == NEEDS_LEVEL    ? "a priority"
                        : needs[i] == NEEDS_STATUS ? "a status"
                        : needs[i] == NEEDS_NAME   ? "a name"
                                                   : "a value");
            }
            return false;
        }
        if (needs[i] == NEEDS_LEVEL) {
            const int level = level_of(set, nlevels, word);
            if (level < 0) {
                where(w);
                fprintf(stderr, "'%s' needs a priority of the policy set, not '%s'\n", kind, word);
                return false;
            }
            e->event.value = (uint32_t)level;
        } else if (needs[i] == NEEDS_STATUS) {
            const int status = lookup(word, cm_sla_status_name, CM_SLA_STATUS_COUNT);
            if (status < 0) {
                where(w);
                fprintf(stderr,
                        "'%s' needs a status (new, open, pending, on-hold, solved, closed), not "
                        "'%s'\n",
                        kind, word);
                return false;
            }
            e->event.value = (uint32_t)status;
        } else if (e->event.type == CM_SLA_EVENT_SCHEDULE) {
            long long index;
            if (!integer(word, 0, CM_SLA_MAX_CALENDARS - 1, &index)) {
                where(w);
                fprintf(stderr, "'schedule' needs a calendar index 0 .. %d, not '%s'\n",
                        CM_SLA_MAX_CALENDARS - 1, word);
                return false;
            }
            e->event.value = (uint32_t)index;
        } else if (needs[i] == NEEDS_TEXT && (e->event.flags & CM_SLA_EVENT_NUMBER)) {
            long long number;
            if (!integer(word, INT64_MIN, INT64_MAX, &number)) {
                where(w);
                fprintf(stderr, "'set-number' needs an integer, not '%s'\n", word);
                return false;
            }
            e->number = number;
        } else {
            const char *s = keep(all, word);
            if (s == NULL) {
                fputs("sla-timer: out of memory\n", stderr);
                return false;
            }
            if (needs[i] == NEEDS_NAME)
                e->name = s;
            else
                e->text = s;
        }
    }
    return true;
}

/* Reads events until the words run out; false (with a message) on an error. */
static bool parse_events(words *w, events *all, const cm_sla_policyset *set, uint32_t nlevels)
{
    static char t[MAX_LINE + 2], kind[MAX_LINE + 2];
    while (next_word(w, t)) {
        if (all->n == MAX_EVENTS) {
            where(w);
            fprintf(stderr, "more than %d events, the limit of sla-timer\n", MAX_EVENTS);
            w->refused = true;
            return false;
        }
        cm_sla_ticket_event *e = &all->ev[all->n];
        memset(e, 0, sizeof *e);
        if (cm_time_parse(t, strlen(t), &e->event.at) != CM_OK) {
            where(w);
            fprintf(stderr, "'%s' is not an RFC 3339 instant\n", t);
            return false;
        }
        if (!next_word(w, kind)) {
            if (!w->failed) {
                where(w);
                fprintf(stderr, "event at %s has no kind\n", t);
            }
            return false;
        }
        size_t k = 0;
        while (k < NKINDS && strcmp(kind, kinds[k].kind) != 0)
            k++;
        if (k == NKINDS) {
            where(w);
            fprintf(stderr, "unknown event kind '%s'\n", kind);
            return false;
        }
        e->event.type = kinds[k].type;
        e->event.flags = kinds[k].flags;
        if (!event_values(w, all, k, set, nlevels, e))
            return false;
        all->n++;
    }
    return !w->failed;
}

/* ---- Output --------------------------------------------------------------------- */

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

static void fmt_clock(char *buf, size_t cap, const cm_sla_record *r)
{
    const int32_t c = r->instance.calendar;
    switch (r->clock) {
    case CM_SLA_CLOCK_BUSINESS:
        snprintf(buf, cap, "business %d", (int)c);
        break;
    case CM_SLA_CLOCK_HISTORY:
        snprintf(buf, cap, "history %d", (int)c);
        break;
    case CM_SLA_CLOCK_TICKET_SCHEDULE:
        snprintf(buf, cap, "schedule %d", (int)c);
        break;
    default:
        snprintf(buf, cap, "calendar");
    }
}

static void print_records(const cm_sla_policyset *set, const cm_sla_ticket_event *ev,
                          const cm_sla_record *rec, size_t n, cm_time now)
{
    char nowbuf[CM_TIME_FORMAT_SIZE];
    fmt_time(nowbuf, sizeof nowbuf, now);
    printf("as of %s\n", nowbuf);
    printf("%-22s %5s  %-14s %-8s %-20s  %10s  %10s  %10s  %-12s %s\n", "metric", "cycle", "state",
           "priority", "due", "remaining", "elapsed", "target", "clock", "policy");
    for (size_t i = 0; i < n; i++) {
        const cm_sla_instance *r = &rec[i].instance;
        char due[CM_TIME_FORMAT_SIZE], rem[32], el[32], tg[32], clock[32];
        const bool na = r->state == CM_SLA_NOT_APPLICABLE;
        const char *policy = "-";
        if (rec[i].policy != CM_SLA_NO_POLICY &&
            cm_sla_policyset_policy(set, rec[i].policy, &policy, NULL) != CM_OK)
            policy = "?";
        fmt_time(due, sizeof due, r->due);
        fmt_seconds(rem, sizeof rem, r->remaining);
        fmt_seconds(el, sizeof el, r->elapsed);
        fmt_seconds(tg, sizeof tg, r->target);
        fmt_clock(clock, sizeof clock, &rec[i]);
        printf("%-22s %5u  %-14s %-8s %-20s  %10s  %10s  %10s  %-12s %s\n",
               cm_sla_policyset_metric_name(set, r->metric), (unsigned)r->cycle,
               cm_sla_state_name(r->state), cm_sla_policyset_level_name(set, r->priority),
               na ? "-" : due, na ? "-" : rem, na ? "-" : el, na ? "-" : tg, na ? "-" : clock,
               policy);
        if (rec[i].event != CM_SLA_NO_EVENT) {
            const cm_sla_ticket_event *g = &ev[rec[i].event];
            if (g->event.flags & CM_SLA_EVENT_NUMBER)
                printf("%30s group %" PRId64 "\n", "", g->number);
            else
                printf("%30s group %s\n", "", g->text != NULL ? g->text : "(none)");
        }
        if (r->stop != CM_SLA_NO_TIME || r->breach != CM_SLA_NO_TIME) {
            char start[CM_TIME_FORMAT_SIZE], stop[CM_TIME_FORMAT_SIZE], br[CM_TIME_FORMAT_SIZE];
            fmt_time(start, sizeof start, r->start);
            fmt_time(stop, sizeof stop, r->stop);
            fmt_time(br, sizeof br, r->breach);
            printf("%30s started %s, stopped %s, breached %s\n", "", start, stop, br);
        }
        if (!na && rec[i].nwarnings > 0) {
            printf("%30s warnings", "");
            for (unsigned k = 0; k < rec[i].nwarnings; k++) {
                char at[CM_TIME_FORMAT_SIZE];
                fmt_time(at, sizeof at, rec[i].warnings[k]);
                printf("%s %u%% at %s", k > 0 ? "," : "", (unsigned)rec[i].warn_percent[k], at);
            }
            putchar('\n');
        }
    }
    cm_sla_alarm alarm;
    if (cm_sla_next_alarm(rec, n, &alarm) == CM_OK) {
        char at[CM_TIME_FORMAT_SIZE];
        fmt_time(at, sizeof at, alarm.at);
        const cm_sla_record *r = &rec[alarm.record];
        const char *metric = cm_sla_policyset_metric_name(set, r->instance.metric);
        if (alarm.kind == 0)
            printf("next: %s cycle %u breaches at %s\n", metric, (unsigned)r->instance.cycle, at);
        else
            printf("next: %s cycle %u warns (%u%%) at %s\n", metric, (unsigned)r->instance.cycle,
                   (unsigned)r->warn_percent[alarm.kind - 1], at);
    } else {
        puts("next: nothing pending");
    }
}

/* ---- Options -------------------------------------------------------------------- */

static const struct {
    const char *name;
    uint32_t format;
} formats[] = {
    {"zendesk-audits", CM_SLA_IMPORT_ZENDESK_AUDITS},
    {"zendesk-metric-events", CM_SLA_IMPORT_ZENDESK_METRIC_EVENTS},
    {"jira-issue", CM_SLA_IMPORT_JIRA_ISSUE},
    {"jira-changelog", CM_SLA_IMPORT_JIRA_ISSUE},
};

typedef struct options {
    const char *policy_path;
    bool has_policy;
    const char *calendar_paths[MAX_CALENDARS];
    int ncal;
    const char *history_paths[MAX_CALENDARS];
    int nhist;
    const char *events_path, *import_path;
    uint32_t format;
    bool has_now;
    cm_time now;
    const char *status_names[MAX_STATUSES];
    uint32_t status_categories[MAX_STATUSES];
    size_t nstatuses;
    uint32_t import_flags;
    char **event_words;
    int nwords;
} options;

/* Reads the options; returns -1 to go on, else the exit status. */
static int parse_options(int argc, char **argv, options *o)
{
    /* Options may come anywhere; every other argument is a word of the events. */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        } else if (strcmp(a, "--skip-unknown") == 0) {
            o->import_flags |= CM_SLA_IMPORT_SKIP_UNKNOWN;
            continue;
        } else if (!(a[0] == '-' && a[1] != '\0')) {
            o->event_words[o->nwords++] = argv[i];
            continue;
        }
        /* Every other option takes a value; a file name does not start with "--". */
        const bool no_file = v == NULL || v[0] == '\0' || (v[0] == '-' && v[1] == '-');
        const bool again = (strcmp(a, "--policy") == 0 && o->has_policy) ||
                           (strcmp(a, "--now") == 0 && o->has_now) ||
                           (strcmp(a, "--events") == 0 && o->events_path != NULL) ||
                           (strcmp(a, "--from") == 0 && o->import_path != NULL);
        if (again) {
            fprintf(stderr, "sla-timer: %s: given twice; it takes one value\n", a);
            fputs("sla-timer: run sla-timer --help for the usage\n", stderr);
            return 2;
        }
        if (strcmp(a, "--policy") == 0) {
            if (no_file)
                return bad_option(a, "a policy set file", v);
            o->policy_path = v;
            o->has_policy = true;
        } else if (strcmp(a, "--calendar") == 0 || strcmp(a, "--history") == 0) {
            const bool cal = a[2] == 'c';
            if (no_file)
                return bad_option(a, cal ? "a calendar file" : "a calendar history file", v);
            int *n = cal ? &o->ncal : &o->nhist;
            if (*n == MAX_CALENDARS) {
                fprintf(stderr, "sla-timer: %s: at most %d of them, got another: \"%s\"\n", a,
                        MAX_CALENDARS, v);
                return 2;
            }
            (cal ? o->calendar_paths : o->history_paths)[(*n)++] = v;
        } else if (strcmp(a, "--now") == 0) {
            if (v == NULL || cm_time_parse(v, strlen(v), &o->now) != CM_OK)
                return bad_option(a, "an RFC 3339 instant", v);
            o->has_now = true;
        } else if (strcmp(a, "--events") == 0) {
            if (no_file)
                return bad_option(a, "a file name or - for standard input", v);
            o->events_path = v;
        } else if (strcmp(a, "--from") == 0) {
            size_t f = 0;
            while (v != NULL && f < sizeof formats / sizeof formats[0] &&
                   strcmp(v, formats[f].name) != 0)
                f++;
            if (v == NULL || f == sizeof formats / sizeof formats[0])
                return bad_option(a, "zendesk-audits, zendesk-metric-events or jira-issue", v);
            if (i + 2 >= argc || argv[i + 2][0] == '\0' ||
                (argv[i + 2][0] == '-' && argv[i + 2][1] == '-'))
                return bad_option(a, "a file name (or -) after the format",
                                  i + 2 < argc ? argv[i + 2] : "");
            o->format = formats[f].format;
            o->import_path = argv[i + 2];
            i++;
        } else if (strcmp(a, "--status") == 0) {
            const char *eq = v != NULL ? strrchr(v, '=') : NULL;
            const int cat =
                eq != NULL ? lookup(eq + 1, cm_sla_status_name, CM_SLA_STATUS_COUNT) : -1;
            if (eq == NULL || eq == v || cat < 0)
                return bad_option(a,
                                  "NAME=CATEGORY with a category new, open, pending, on-hold, "
                                  "solved or closed",
                                  v);
            if (o->nstatuses == MAX_STATUSES) {
                fprintf(stderr, "sla-timer: --status: at most %d of them\n", MAX_STATUSES);
                return 2;
            }
            /* The name is the argument up to the '=': cut it in place. */
            argv[i + 1][eq - v] = '\0';
            o->status_names[o->nstatuses] = v;
            o->status_categories[o->nstatuses++] = (uint32_t)cat;
        } else {
            fprintf(stderr, "sla-timer: unknown option \"%s\"\n", a);
            fputs("sla-timer: run sla-timer --help for the usage\n", stderr);
            return 2;
        }
        i++;
    }
    const int sources = (o->events_path != NULL) + (o->import_path != NULL) + (o->nwords > 0);
    if (sources != 1) {
        fprintf(stderr, "sla-timer: give the events in one way: on the command line, with "
                        "--events or with --from\n");
        return usage();
    }
    if (o->import_path == NULL && (o->nstatuses > 0 || o->import_flags != 0)) {
        fprintf(stderr, "sla-timer: --status and --skip-unknown apply to --from only\n");
        return 2;
    }
    return -1;
}

/* ---- Loading -------------------------------------------------------------------- */

static void report_parse(const char *path, cm_status st, const cm_parse_error *err)
{
    if (st == CM_EPARSE)
        fprintf(stderr, "sla-timer: %s:%u:%u: %s\n", path, (unsigned)err->line,
                (unsigned)err->column, err->message);
    else
        fprintf(stderr, "sla-timer: %s: %s (%s)\n", path, cm_strerror(st), cm_status_name(st));
}

typedef struct loaded {
    cm_sla_policyset *set;
    cm_calendar *cals[MAX_CALENDARS];
    cm_calendar_history *hists[MAX_CALENDARS];
    cm_sla_ticket *ticket;
    events ev;
    cm_sla_record *out;
    bool refused; /* an input over a limit of sla-timer: exit status 2 */
} loaded;

static void unload(loaded *l, const options *o)
{
    for (int c = 0; c < o->ncal; c++)
        cm_calendar_free(l->cals[c]);
    for (int c = 0; c < o->nhist; c++)
        cm_calendar_history_free(l->hists[c]);
    cm_sla_policyset_free(l->set);
    cm_sla_ticket_free(l->ticket);
    for (size_t i = 0; i < l->ev.nstrings; i++)
        free(l->ev.strings[i]);
    free(l->ev.ev);
    free(l->out);
}

static bool load_calendars(loaded *l, const options *o)
{
    cm_parse_error err = {0, 0, NULL};
    for (int c = 0; c < o->ncal + o->nhist; c++) {
        const bool cal = c < o->ncal;
        const char *path = cal ? o->calendar_paths[c] : o->history_paths[c - o->ncal];
        char *spec = slurp(path, MAX_TEXT, NULL, &l->refused);
        if (spec == NULL)
            return false;
        const cm_status st =
            cal ? cm_calendar_parse(spec, &l->cals[c], &err)
                : cm_calendar_history_parse(spec, NULL, &l->hists[c - o->ncal], &err);
        free(spec);
        if (st != CM_OK) {
            report_parse(path, st, &err);
            return false;
        }
    }
    return true;
}

/* The ticket's events, from the export, the file or the command line. */
static bool load_events(loaded *l, const options *o, uint32_t nlevels,
                        const cm_sla_ticket_event **ev, size_t *n)
{
    if (o->import_path != NULL) {
        size_t len = 0;
        char *json = slurp(o->import_path, MAX_EXPORT, &len, &l->refused);
        if (json == NULL)
            return false;
        const cm_sla_import_options io = {o->import_flags, 0, o->status_names, o->status_categories,
                                          o->nstatuses};
        cm_parse_error err = {0, 0, NULL};
        const cm_status st = cm_sla_import(o->format, json, len, &io, NULL, &l->ticket, &err);
        free(json);
        const char *id = "";
        size_t skipped = 0;
        if (st != CM_OK || cm_sla_ticket_events(l->ticket, ev, n) != CM_OK ||
            cm_sla_ticket_info(l->ticket, &id, &skipped) != CM_OK) {
            report_parse(o->import_path, st, &err);
            if (st == CM_EPARSE && strstr(err.message, "unknown Jira status") != NULL)
                fputs("sla-timer: give its category with --status NAME=CATEGORY\n", stderr);
            return false;
        }
        printf("ticket %s: %zu events", id[0] != '\0' ? id : "(no id)", *n);
        if (skipped > 0)
            printf(", %zu entries of unknown types skipped", skipped);
        putchar('\n');
        return true;
    }
    l->ev.ev = malloc(MAX_EVENTS * sizeof *l->ev.ev);
    if (l->ev.ev == NULL) {
        fputs("sla-timer: out of memory\n", stderr);
        return false;
    }
    static words w;
    memset(&w, 0, sizeof w);
    w.argv = o->event_words;
    w.argc = o->nwords;
    if (o->events_path != NULL) {
        w.path = strcmp(o->events_path, "-") == 0 ? "(standard input)" : o->events_path;
        w.in = strcmp(o->events_path, "-") == 0 ? stdin : fopen(o->events_path, "rb");
        if (w.in == NULL) {
            fprintf(stderr, "sla-timer: %s: %s\n", o->events_path, strerror(errno));
            return false;
        }
    }
    const bool ok = parse_events(&w, &l->ev, l->set, nlevels);
    l->refused = w.refused;
    if (w.in != NULL && w.in != stdin)
        fclose(w.in);
    if (!ok)
        return false;
    if (l->ev.n == 0) {
        fprintf(stderr, "sla-timer: no events\n");
        return false;
    }
    *ev = l->ev.ev;
    *n = l->ev.n;
    return true;
}

int main(int argc, char **argv)
{
    options o;
    memset(&o, 0, sizeof o);
    o.policy_path = CM_EXAMPLE_DATA "/sla-policy.txt";
    o.event_words = malloc((size_t)argc * sizeof *o.event_words);
    if (o.event_words == NULL)
        return 1;
    const int status = parse_options(argc, argv, &o);
    if (status >= 0) {
        free(o.event_words);
        return status;
    }
    if (o.ncal == 0)
        o.calendar_paths[o.ncal++] = CM_EXAMPLE_DATA "/office-hours.cal";

    int rc = 1;
    loaded l;
    memset(&l, 0, sizeof l);
    cm_parse_error err = {0, 0, NULL};
    cm_status st;
    cm_sla_policyset_shape shape;
    const cm_sla_ticket_event *ev = NULL;
    size_t nev = 0;

    char *policy_text = slurp(o.policy_path, MAX_TEXT, NULL, &l.refused);
    if (policy_text == NULL)
        goto done;
    st = cm_sla_policyset_parse(policy_text, NULL, &l.set, &err);
    free(policy_text);
    if (st != CM_OK) {
        report_parse(o.policy_path, st, &err);
        goto done;
    }
    if (!load_calendars(&l, &o) || cm_sla_policyset_info(l.set, &shape) != CM_OK)
        goto done;
    if (shape.ncalendars > (size_t)o.ncal) {
        fprintf(stderr, "sla-timer: the policy names %zu calendars, %d given\n", shape.ncalendars,
                o.ncal);
        goto done;
    }
    if (shape.nhistories > (size_t)o.nhist) {
        fprintf(stderr, "sla-timer: the policy names %zu calendar histories, %d given\n",
                shape.nhistories, o.nhist);
        goto done;
    }
    if (!load_events(&l, &o, shape.nlevels, &ev, &nev))
        goto done;
    const cm_time now = o.has_now ? o.now : ev[nev - 1].event.at;
    const cm_sla_calendars cals = {(const cm_calendar *const *)l.cals, (size_t)o.ncal,
                                   (const cm_calendar_history *const *)l.hists, (size_t)o.nhist};
    size_t n = 0;
    st = cm_sla_policyset_evaluate(l.set, &cals, ev, nev, now, NULL, 0, &n);
    if (st == CM_ENOSPC) {
        l.out = malloc(n * sizeof *l.out);
        if (l.out == NULL) {
            fputs("sla-timer: out of memory\n", stderr);
            goto done;
        }
        st = cm_sla_policyset_evaluate(l.set, &cals, ev, nev, now, l.out, n, &n);
    }
    if (st != CM_OK) {
        fprintf(stderr, "sla-timer: cannot evaluate the events: %s (%s)\n", cm_strerror(st),
                cm_status_name(st));
        goto done;
    }
    print_records(l.set, ev, l.out, n, now);
    rc = 0;
done:
    if (rc != 0 && l.refused)
        rc = 2;
    unload(&l, &o);
    free(o.event_words);
    return rc;
}
