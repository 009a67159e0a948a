/*
 * The SLA section of caremetrics-report: first-reply and total-resolution
 * attainment per priority under the report's SLA policy and business calendar
 * (--policy, --calendar; docs/report.md).
 * SPDX-License-Identifier: MIT
 */
#ifndef CM_EXAMPLE_SLA_SECTION_H
#define CM_EXAMPLE_SLA_SECTION_H

#include <caremetrics.h>

#include <stdbool.h>
#include <stdint.h>

#include "rules.h"

/* A ticket still open: judged at the end, as of the latest instant of the file. */
typedef struct sla_open_ticket {
    cm_time created, first_reply; /* first_reply: CM_SLA_NO_TIME if none */
    uint8_t priority;             /* cm_sla_priority */
} sla_open_ticket;

typedef struct sla_section {
    cm_sla_attainment *acc; /* 67 KB, on the heap */
    sla_open_ticket *open;
    size_t nopen, cap;
    cm_time latest; /* latest instant seen in any row */
    bool any;
} sla_section;

/* Empties the section. False only when out of memory. */
bool sla_section_init(sla_section *s);
void sla_section_free(sla_section *s);

/*
 * Adds one ticket (not an abandoned contact). `tc_priority` is the columnar
 * layout's priority (0 none, 1 urgent .. 4 low); first_reply and solved are
 * CM_SLA_NO_TIME when empty. A solved ticket is judged at once; an open one
 * is kept for the end. False when out of memory or a count overflows.
 */
bool sla_section_add(sla_section *s, const report_rules *rules, cm_time created,
                     cm_time first_reply, cm_time solved, uint8_t tc_priority);

/* Adds `src` into `dst`. */
bool sla_section_merge(sla_section *dst, const sla_section *src);

/* Judges the open tickets as of the latest instant and prints the section. */
void sla_section_print(const sla_section *s, const report_rules *rules, double confidence);

#endif /* CM_EXAMPLE_SLA_SECTION_H */
