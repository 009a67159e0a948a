/*
 * caremetrics-report: loading the business calendar and the SLA policy.
 * SPDX-License-Identifier: MIT
 */
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CM_DATA_SOURCE_DIR
#define CM_DATA_SOURCE_DIR "examples/data"
#endif
#ifndef CM_DATA_INSTALLED_DIR
#define CM_DATA_INSTALLED_DIR "/usr/local/share/caremetrics"
#endif

#define DEFAULT_POLICY   "sla-policy.txt"
#define DEFAULT_CALENDAR "office-hours.cal"
#define SPEC_MAX         (1 << 20)

/* Reads a whole text file (at most SPEC_MAX bytes); NULL if it cannot. */
static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = malloc(SPEC_MAX + 1);
    const size_t len = buf != NULL ? fread(buf, 1, SPEC_MAX + 1, f) : 0;
    const bool ok = buf != NULL && !ferror(f) && len <= SPEC_MAX;
    fclose(f);
    if (!ok) {
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

/* The named file, or the bundled one from the source tree, else the installed data. */
static char *read_rule_file(const char *named, const char *bundled, char *path, size_t cap)
{
    if (named != NULL) {
        snprintf(path, cap, "%s", named);
        return read_text(path);
    }
    const char *dirs[] = {CM_DATA_SOURCE_DIR, CM_DATA_INSTALLED_DIR};
    for (int d = 0; d < 2; d++) {
        snprintf(path, cap, "%s/%s", dirs[d], bundled);
        char *text = read_text(path);
        if (text != NULL)
            return text;
    }
    return NULL;
}

static void note(report_rules *r, const char *path, const cm_parse_error *err, cm_status st)
{
    if (st == CM_EPARSE && err->message != NULL)
        snprintf(r->problem, sizeof r->problem, "%s:%u:%u: %s", path, (unsigned)err->line,
                 (unsigned)err->column, err->message);
    else
        snprintf(r->problem, sizeof r->problem, "%s: %s", path, cm_strerror(st));
}

bool report_rules_load(report_rules *r, const char *calendar_file, const char *policy_file)
{
    memset(r, 0, sizeof *r);
    cm_parse_error err = {0, 0, NULL};
    char *cal =
        read_rule_file(calendar_file, DEFAULT_CALENDAR, r->calendar_path, sizeof r->calendar_path);
    if (cal == NULL) {
        snprintf(r->problem, sizeof r->problem, "cannot read %s", r->calendar_path);
        return calendar_file == NULL;
    }
    cm_status st = cm_calendar_parse(cal, &r->calendar, &err);
    free(cal);
    if (st != CM_OK) {
        note(r, r->calendar_path, &err, st);
        return calendar_file == NULL;
    }
    char *pol = read_rule_file(policy_file, DEFAULT_POLICY, r->policy_path, sizeof r->policy_path);
    if (pol == NULL) {
        snprintf(r->problem, sizeof r->problem, "cannot read %s", r->policy_path);
        return policy_file == NULL;
    }
    st = cm_sla_policy_parse(pol, &r->policy, &err);
    free(pol);
    if (st != CM_OK) {
        note(r, r->policy_path, &err, st);
        return policy_file == NULL;
    }
    /* Report priorities urgent, high, normal, low are the library's 4, 3, 2, 1. */
    for (int p = 0; p < 4; p++) {
        cm_sla_target t;
        if (cm_sla_policy_target(r->policy, CM_SLA_FIRST_REPLY, (uint32_t)(4 - p), &t) != CM_OK)
            continue; /* no first-reply target at this priority */
        r->first_reply_target[p] = t.seconds;
        r->first_reply_business[p] = t.calendar != CM_SLA_CALENDAR_TIME;
        if (t.calendar > 0) {
            snprintf(r->problem, sizeof r->problem,
                     "%s: the report gives the policy one calendar (number 0)", r->policy_path);
            return policy_file == NULL;
        }
    }
    return true;
}

void report_rules_free(report_rules *r)
{
    cm_calendar_free(r->calendar);
    cm_sla_policy_free(r->policy);
    r->calendar = NULL;
    r->policy = NULL;
}
