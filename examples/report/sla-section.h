/*
 * The SLA section of caremetrics-report: first-reply and total-resolution
 * attainment per priority under the bundled severity-matrix policy, in the
 * business hours of its Monday-Friday calendar (docs/report.md).
 * SPDX-License-Identifier: MIT
 */
#ifndef CM_EXAMPLE_SLA_SECTION_H
#define CM_EXAMPLE_SLA_SECTION_H

#include <caremetrics.h>

#include "csv.h"

typedef struct sla_section sla_section;

/* Loads the policy and its calendar; NULL only when out of memory (a
 * missing file is reported in the section instead). */
sla_section *sla_section_new(void);
void sla_section_free(sla_section *s);

/* Reads the priority column: urgent, high, normal, low, or empty for none. */
bool sla_section_priority(const csv_field *f, int *priority);

/* Records one ticket; false when out of memory. */
bool sla_section_add(sla_section *s, cm_time created, bool has_reply, cm_time first_reply,
                     bool has_solved, cm_time solved, int priority);

/* Replays every ticket at the latest instant of the file and prints the section. */
void sla_section_print(sla_section *s, double confidence);

#endif /* CM_EXAMPLE_SLA_SECTION_H */
