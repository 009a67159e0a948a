/*
 * caremetrics-report: the business calendar and the SLA policy the report
 * measures against (--calendar, --policy; bundled defaults in examples/data).
 * Loaded once by the main thread, then shared read-only by every worker.
 * SPDX-License-Identifier: MIT
 */
#ifndef CM_REPORT_RULES_H
#define CM_REPORT_RULES_H

#include <caremetrics.h>

#include <stdbool.h>
#include <stdint.h>

typedef struct report_rules {
    cm_calendar *calendar; /* NULL when it could not be loaded (see problem) */
    cm_sla_policy *policy; /* NULL when it could not be loaded (see problem) */
    char calendar_path[512], policy_path[512];
    char problem[800]; /* why business or SLA figures are missing, or empty */
    /* First-reply target per report priority (urgent, high, normal, low): seconds,
     * and whether it is measured in business time; 0 seconds = no target. */
    int64_t first_reply_target[4];
    bool first_reply_business[4];
} report_rules;

/* Loads the calendar and policy files (NULL: the bundled ones). Problems are
 * recorded in rules->problem, not fatal; false only for an explicitly named
 * file that cannot be used, with the reason in problem. */
bool report_rules_load(report_rules *rules, const char *calendar_file, const char *policy_file);
void report_rules_free(report_rules *rules);

#endif /* CM_REPORT_RULES_H */
