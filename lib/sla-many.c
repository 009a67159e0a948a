/*
 * SLA evaluation and attainment over a column of tickets: the event logs of
 * many tickets concatenated, with per-ticket offsets (caremetrics/sla.h).
 *
 * Bindings and data pipelines hold tickets as columns; these entry points
 * take a whole column in one call, so a binding makes one foreign call per
 * batch instead of one per ticket. Each ticket goes through cm_sla_evaluate()
 * exactly as a single call would, so the results cannot differ.
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <string.h>

#include <caremetrics/sla.h>

#include "common-internal.h"

/* cm_sla_evaluate() never needs more than this many records per event. */
#define RECORDS_PER_EVENT CM_SLA_METRIC_COUNT

/* offsets[0] == 0, non-decreasing, offsets[ntickets] == nevents; every ticket
 * has at least one event (the first empty ticket goes to *failed). */
static cm_status check_offsets(const size_t *offsets, size_t nevents, size_t ntickets,
                               size_t *failed)
{
    CM_REQUIRE(offsets[0] == 0 && offsets[ntickets] == nevents, CM_EINVAL);
    for (size_t i = 0; i < ntickets; i++) {
        if (offsets[i + 1] <= offsets[i]) {
            if (failed != NULL && offsets[i + 1] == offsets[i])
                *failed = i; /* an empty log: that ticket's fault */
            return CM_EINVAL;
        }
    }
    return CM_OK;
}

static cm_status ticket_error(cm_status st, size_t i, size_t *failed)
{
    if (failed != NULL)
        *failed = i;
    return st;
}

cm_status cm_sla_evaluate_many(const cm_sla_policy *policy, const cm_calendar *const *calendars,
                               size_t ncalendars, const cm_sla_event *events, size_t nevents,
                               const size_t *offsets, size_t ntickets, cm_time now,
                               cm_sla_instance *out, size_t cap, size_t *out_offsets, size_t *count,
                               size_t *failed)
{
    CM_REQUIRE(policy != NULL && offsets != NULL && out_offsets != NULL && count != NULL,
               CM_EINVAL);
    CM_REQUIRE((nevents == 0 || events != NULL) && (cap == 0 || out != NULL), CM_EINVAL);
    CM_TRY(check_offsets(offsets, nevents, ntickets, failed));

    /* First pass: every log checked and the records counted, nothing written
     * (a capacity of 0 makes cm_sla_evaluate() report what it needs). */
    size_t needed = 0;
    for (size_t i = 0; i < ntickets; i++) {
        size_t n = 0;
        const cm_status st = cm_sla_evaluate(policy, calendars, ncalendars, events + offsets[i],
                                             offsets[i + 1] - offsets[i], now, NULL, 0, &n);
        if (st != CM_ENOSPC && st != CM_OK)
            return ticket_error(st, i, failed);
        CM_REQUIRE(!__builtin_add_overflow(needed, n, &needed), CM_EOVERFLOW);
    }
    if (needed > cap) {
        *count = needed;
        return CM_ENOSPC;
    }

    /* Second pass: the same evaluations, written. */
    size_t used = 0;
    for (size_t i = 0; i < ntickets; i++) {
        size_t n = 0;
        out_offsets[i] = used;
        const cm_status st =
            cm_sla_evaluate(policy, calendars, ncalendars, events + offsets[i],
                            offsets[i + 1] - offsets[i], now, out + used, cap - used, &n);
        if (st != CM_OK)
            return ticket_error(st, i, failed); /* CM_EOVERFLOW: never with our calendars */
        used += n;
    }
    out_offsets[ntickets] = used;
    *count = used;
    return CM_OK;
}

size_t cm_sla_attainment_add_many_scratch_size(size_t max_events)
{
    size_t records, bytes, total;
    if (max_events == 0 ||
        __builtin_mul_overflow(max_events, (size_t)RECORDS_PER_EVENT, &records) ||
        __builtin_mul_overflow(records, sizeof(cm_sla_instance), &bytes) ||
        __builtin_add_overflow(bytes, sizeof(cm_sla_attainment), &total))
        return 0;
    return total;
}

cm_status cm_sla_attainment_add_many(cm_sla_attainment *acc, const cm_sla_policy *policy,
                                     const cm_calendar *const *calendars, size_t ncalendars,
                                     const cm_sla_event *events, size_t nevents,
                                     const size_t *offsets, size_t ntickets, cm_time now,
                                     void *scratch, size_t scratch_size, size_t *failed)
{
    CM_REQUIRE(acc != NULL && policy != NULL && offsets != NULL && scratch != NULL, CM_EINVAL);
    CM_REQUIRE(nevents == 0 || events != NULL, CM_EINVAL);
    CM_REQUIRE((uintptr_t)scratch % _Alignof(cm_sla_attainment) == 0 &&
                   scratch_size >= cm_sla_attainment_add_many_scratch_size(1),
               CM_EINVAL);
    CM_TRY(check_offsets(offsets, nevents, ntickets, failed));

    /* The working copy first, then the records of one ticket at a time. The
     * accumulator's alignment covers the records' (both hold int64 fields). */
    _Static_assert(sizeof(cm_sla_attainment) % _Alignof(cm_sla_instance) == 0,
                   "records after the working copy must be aligned");
    cm_sla_attainment *work = (cm_sla_attainment *)scratch;
    cm_sla_instance *records = (cm_sla_instance *)(work + 1);
    const size_t cap = (scratch_size - sizeof *work) / sizeof *records;
    memcpy(work, acc, sizeof *work);
    for (size_t i = 0; i < ntickets; i++) {
        size_t n = 0;
        cm_status st = cm_sla_evaluate(policy, calendars, ncalendars, events + offsets[i],
                                       offsets[i + 1] - offsets[i], now, records, cap, &n);
        if (st == CM_OK)
            st = cm_sla_attainment_add(work, records, n);
        if (st != CM_OK)
            return ticket_error(st, i, failed);
    }
    memcpy(acc, work, sizeof *acc);
    return CM_OK;
}
