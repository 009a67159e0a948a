/*
 * The SLA policy object, shared by lib/sla-policy.c (construction, text
 * parser) and lib/sla.c (replay, attainment); never installed.
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_SLA_INTERNAL_H
#define CAREMETRICS_SLA_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <caremetrics/sla.h>

/* A clock: calendar time (CM_SLA_CALENDAR_TIME) or a calendar index. */
#define SLA_MAX_KEYS  CM_SLA_PRIORITY_LEVELS
#define SLA_NO_KEY    UINT8_MAX
#define SLA_NO_TARGET 0

/* Statuses that may pause a clock. */
#define SLA_PAUSABLE                                                      \
    (CM_SLA_PAUSE(CM_SLA_STATUS_NEW) | CM_SLA_PAUSE(CM_SLA_STATUS_OPEN) | \
     CM_SLA_PAUSE(CM_SLA_STATUS_PENDING) | CM_SLA_PAUSE(CM_SLA_STATUS_ON_HOLD))

struct cm_sla_policy {
    /* seconds[m][p]: target of metric m at priority p, SLA_NO_TARGET if none
     * (always none for CM_SLA_PRIORITY_NONE); calendar[m][p]: its clock. */
    int64_t seconds[CM_SLA_METRIC_COUNT][CM_SLA_PRIORITY_COUNT];
    int32_t calendar[CM_SLA_METRIC_COUNT][CM_SLA_PRIORITY_COUNT];
    cm_sla_metric_options options[CM_SLA_METRIC_COUNT];
    uint32_t flags;
    /* Derived: the distinct clocks of each metric's targets, so a replay
     * measures every running segment once per clock rather than per priority. */
    uint8_t nkeys[CM_SLA_METRIC_COUNT];
    int32_t key_calendar[CM_SLA_METRIC_COUNT][SLA_MAX_KEYS];
    uint8_t key_of[CM_SLA_METRIC_COUNT][CM_SLA_PRIORITY_COUNT]; /* SLA_NO_KEY: no target */
    size_t ncalendars;                                          /* largest index + 1 */
    cm_allocator alloc; /* copy of the caller's, when has_alloc */
    bool has_alloc;
};

/* Names shared by the parser and the name functions. */
extern const char *const cm__sla_metric_names[CM_SLA_METRIC_COUNT];
extern const char *const cm__sla_priority_names[CM_SLA_PRIORITY_COUNT];
extern const char *const cm__sla_status_names[CM_SLA_STATUS_COUNT];

#endif /* CAREMETRICS_SLA_INTERNAL_H */
