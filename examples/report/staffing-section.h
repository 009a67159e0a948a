/*
 * The staffing section of caremetrics-report: observed service of the
 * real-time channels (contact module), workload and FTE of every channel,
 * and the Erlang C staffing of an average day (queue module).
 * SPDX-License-Identifier: MIT
 */
#ifndef CM_EXAMPLE_STAFFING_SECTION_H
#define CM_EXAMPLE_STAFFING_SECTION_H

#include <caremetrics.h>

#include <stdbool.h>
#include <stdint.h>

#define STAFFING_CHANNELS 5 /* phone, chat, email, social, messaging: as in report.c */

typedef struct staffing_section {
    cm_contact realtime[2]; /* phone, chat */
    uint64_t handled[STAFFING_CHANNELS];
    double handle_seconds[STAFFING_CHANNELS];
    double hour_offered[24], hour_answered[24], hour_handle[24]; /* phone + chat, UTC hours */
    cm_time first, last;
    bool any;
} staffing_section;

/* Empties the section; `short_abandon` is the report's short-abandon threshold in seconds. */
bool staffing_section_init(staffing_section *s, double short_abandon);

/*
 * Adds one valid row. `channel` is the report's channel index (0 phone,
 * 1 chat, ...); a wait or handle time of -1 means the field was empty.
 * Returns false only if a counter would overflow.
 */
bool staffing_section_add(staffing_section *s, int channel, cm_time created, double wait,
                          double handle, bool abandoned);

/* Adds the counts of `src` into `dst` (both initialised with the same threshold). */
bool staffing_section_merge(staffing_section *dst, const staffing_section *src);

/* Prints the section; `confidence` for the interval of the service level. */
void staffing_section_print(const staffing_section *s, double confidence);

#endif /* CM_EXAMPLE_STAFFING_SECTION_H */
