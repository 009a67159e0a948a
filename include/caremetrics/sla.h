/*
 * libcaremetrics — SLA policies replayed over ticket event logs, attainment.
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_SLA_H
#define CAREMETRICS_SLA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <caremetrics/calendar.h>
#include <caremetrics/common.h>
#include <caremetrics/kpi.h>
#include <caremetrics/sketch.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup sla SLA clocks: policies, event-log replay, attainment
 * @brief Service-level targets measured by replaying a ticket's history.
 *
 * An SLA metric is a clock rebuilt from the ticket's events, not a due date
 * stamped once at creation: cm_sla_evaluate() replays the events (creation,
 * replies, status and priority changes, reopens) up to an instant `now` and
 * reports every instance of every metric with its state, elapsed time, due
 * instant, remaining time and breach instant. The same log evaluated at the
 * same `now` always gives the same answer, so a breach can be explained after
 * the fact and a dashboard can show a live countdown.
 *
 * | metric | starts | pauses in (default) | stops |
 * |---|---|---|---|
 * | ::CM_SLA_FIRST_REPLY | creation by the customer | — | first public agent reply |
 * | ::CM_SLA_NEXT_REPLY | the oldest unanswered customer message after an agent reply | — | next public agent reply |
 * | ::CM_SLA_PERIODIC_UPDATE | a public agent reply | — | the next public agent reply |
 * | ::CM_SLA_REQUESTER_WAIT | creation | pending | solved |
 * | ::CM_SLA_AGENT_WORK | creation | pending, on-hold | solved |
 * | ::CM_SLA_TOTAL_RESOLUTION | creation | — | solved |
 *
 * Solving (or closing) a ticket stops every running clock. A policy
 * (::cm_sla_policy) gives each metric a target per priority in calendar time
 * or in the business hours of a calendar (see `caremetrics/calendar.h`), the
 * statuses in which the metric pauses, and what a reopen does to it. Every
 * rule is spelled out with worked timelines in `docs/sla.md`, beside the
 * behaviour of Zendesk, Jira Service Management, Freshdesk and Zammad.
 *
 * Attainment over many tickets is kept in ::cm_sla_attainment, a plain,
 * zero-initialisable accumulator that merges exactly and serializes to
 * portable bytes.
 *
 * A policy is immutable once created and may be shared by any number of
 * threads; cm_sla_evaluate() and the attainment functions never allocate.
 *
 * @code
 * cm_sla_policy *policy;
 * cm_parse_error err;
 * if (cm_sla_policy_parse("first-reply * 4h business\n", &policy, &err) != CM_OK)
 *     return; // err.line, err.column, err.message
 * const cm_calendar *cals[] = {office_hours};   // from cm_calendar_parse()
 * const cm_sla_event log[] = {
 *     {created_at, CM_SLA_EVENT_CREATED, 0, CM_SLA_PRIORITY_NORMAL},
 *     {replied_at, CM_SLA_EVENT_AGENT_REPLY, 0, 0},
 * };
 * cm_sla_instance out[16];
 * size_t n;
 * if (cm_sla_evaluate(policy, cals, 1, log, 2, now, out, 16, &n) == CM_OK) {
 *     // out[0]: first reply, CM_SLA_ACHIEVED or CM_SLA_BREACHED, elapsed, due...
 * }
 * cm_sla_policy_free(policy);
 * @endcode
 * @{
 */

/** @file caremetrics/sla.h
 *  @brief SLA policies, event-log replay (cm_sla_evaluate()) and attainment. */

/** An SLA policy (opaque, immutable): targets, pause statuses and reopen behaviour. */
typedef struct cm_sla_policy cm_sla_policy;

/** The SLA metrics. Values are pinned. */
typedef enum cm_sla_metric {
    CM_SLA_FIRST_REPLY = 0, /**< Creation to the first public agent reply. */
    CM_SLA_NEXT_REPLY =
        1, /**< Oldest unanswered customer message to the next public agent reply. */
    CM_SLA_PERIODIC_UPDATE = 2,  /**< Public agent reply to the next public agent reply. */
    CM_SLA_REQUESTER_WAIT = 3,   /**< Creation to solved, paused while pending. */
    CM_SLA_AGENT_WORK = 4,       /**< Creation to solved, paused while pending or on-hold. */
    CM_SLA_TOTAL_RESOLUTION = 5, /**< Creation to solved, never paused. */
} cm_sla_metric;

/** Number of ::cm_sla_metric values (0 .. CM_SLA_METRIC_COUNT − 1). */
#define CM_SLA_METRIC_COUNT 6

/** Ticket priorities. ::CM_SLA_PRIORITY_NONE means "no SLA applies". Values are pinned. */
typedef enum cm_sla_priority {
    CM_SLA_PRIORITY_NONE = 0,   /**< No priority: no target applies. */
    CM_SLA_PRIORITY_LOW = 1,    /**< Low (severity 4). */
    CM_SLA_PRIORITY_NORMAL = 2, /**< Normal (severity 3). */
    CM_SLA_PRIORITY_HIGH = 3,   /**< High (severity 2). */
    CM_SLA_PRIORITY_URGENT = 4, /**< Urgent (severity 1). */
} cm_sla_priority;

/** Number of ::cm_sla_priority values, ::CM_SLA_PRIORITY_NONE included. */
#define CM_SLA_PRIORITY_COUNT 5
/** Number of priorities that can carry a target (low .. urgent). */
#define CM_SLA_PRIORITY_LEVELS 4
/** Passed as the priority to cm_sla_attainment_result(): every priority together. */
#define CM_SLA_PRIORITY_ALL 255

/** Ticket statuses. Values are pinned. */
typedef enum cm_sla_status {
    CM_SLA_STATUS_NEW = 0,     /**< Created, not yet worked on (the status at creation). */
    CM_SLA_STATUS_OPEN = 1,    /**< Waiting for the support team. */
    CM_SLA_STATUS_PENDING = 2, /**< Waiting for the customer. */
    CM_SLA_STATUS_ON_HOLD = 3, /**< Waiting for a third party. */
    CM_SLA_STATUS_SOLVED = 4,  /**< Solved: every clock stops. */
    CM_SLA_STATUS_CLOSED = 5,  /**< Closed: as solved (a closed ticket may still be reopened). */
} cm_sla_status;

/** Number of ::cm_sla_status values. */
#define CM_SLA_STATUS_COUNT 6

/** Bit of a status in a pause mask (::cm_sla_metric_options::pause); only new .. on-hold may pause. */
#define CM_SLA_PAUSE(status) (1u << (status))

/** Event types. Zero is not a type, so a zero-initialised event is rejected. Values are pinned. */
typedef enum cm_sla_event_type {
    CM_SLA_EVENT_CREATED = 1, /**< The ticket was created; `value` = initial ::cm_sla_priority. */
    CM_SLA_EVENT_CUSTOMER_REPLY = 2, /**< A public message from the customer (requester or CC). */
    CM_SLA_EVENT_AGENT_REPLY = 3,    /**< A public reply from an agent. */
    CM_SLA_EVENT_AGENT_NOTE = 4,     /**< A private (internal) agent note: no clock sees it. */
    CM_SLA_EVENT_STATUS = 5,         /**< A status change; `value` = the new ::cm_sla_status. */
    CM_SLA_EVENT_PRIORITY = 6,       /**< A priority change; `value` = the new ::cm_sla_priority. */
    CM_SLA_EVENT_REOPEN =
        7, /**< Reopen: a solved or closed ticket becomes open (else no effect). */
    /** Policy sets only: an attribute changes; ::cm_sla_ticket_event::name is the attribute,
     *  ::cm_sla_ticket_event::text (or `number`) its new value, both unset for "no value". */
    CM_SLA_EVENT_ATTRIBUTE = 8,
    /** Policy sets only: the ticket's tags become those of `text` (separated by blanks). */
    CM_SLA_EVENT_TAGS = 9,
    /** Policy sets only: the tag `text` is added. */
    CM_SLA_EVENT_TAG_ADD = 10,
    /** Policy sets only: the tag `text` is removed. */
    CM_SLA_EVENT_TAG_REMOVE = 11,
    /** Policy sets only: the ticket's schedule becomes business calendar `value`. */
    CM_SLA_EVENT_SCHEDULE = 12,
} cm_sla_event_type;

/** Event flag: the message was sent by automation (bot, auto-responder); no clock sees it. */
#define CM_SLA_EVENT_AUTOMATED 0x1u
/** Event flag on ::CM_SLA_EVENT_CREATED: an agent created the ticket with a public message. */
#define CM_SLA_EVENT_BY_AGENT 0x2u
/** Event flag on ::CM_SLA_EVENT_ATTRIBUTE: the value is ::cm_sla_ticket_event::number. @since 0.2 */
#define CM_SLA_EVENT_NUMBER 0x4u

/**
 * One event of a ticket's history.
 *
 * Events are given in order of time (`at` never decreasing). Events at the
 * same instant are applied in a fixed order whatever their order in the
 * array: creation, priority changes, customer messages, agent replies, agent
 * notes, then status changes and reopens (these last in array order).
 */
typedef struct cm_sla_event {
    cm_time at;    /**< When it happened, UTC seconds; year 1..9999. */
    uint16_t type; /**< A ::cm_sla_event_type. */
    uint16_t
        flags; /**< ::CM_SLA_EVENT_AUTOMATED on messages, ::CM_SLA_EVENT_BY_AGENT on creation. */
    uint32_t value; /**< New status or priority for the types that carry one, else 0. */
} cm_sla_event;

/** What a reopen does to a clock that the solve had stopped. Values are pinned. */
typedef enum cm_sla_reopen {
    /** The same instance resumes with the time it had (Zendesk). */
    CM_SLA_REOPEN_REACTIVATE = 0,
    /** The stopped instance stays as it was and a new cycle starts at the reopen (Jira SM). */
    CM_SLA_REOPEN_NEW_CYCLE = 1,
    /** The instance starts again from zero at the reopen; its earlier time is forgotten. */
    CM_SLA_REOPEN_RESTART = 2,
} cm_sla_reopen;

/** Per-metric behaviour of a policy. */
typedef struct cm_sla_metric_options {
    uint32_t
        pause; /**< Statuses that pause the clock: an OR of CM_SLA_PAUSE() over new .. on-hold. */
    uint32_t reopen; /**< A ::cm_sla_reopen. */
} cm_sla_metric_options;

/** The `calendar` of a target measured in calendar time (every second counts). */
#define CM_SLA_CALENDAR_TIME (-1)
/** Largest target: 100 years of 365.25 days, in seconds. */
#define CM_SLA_MAX_TARGET_SECONDS INT64_C(3155760000)
/** Largest calendar index a target may name. */
#define CM_SLA_MAX_CALENDARS 64

/** One target of a policy: a metric at a priority must finish within `seconds`. */
typedef struct cm_sla_target {
    uint32_t metric;   /**< A ::cm_sla_metric. */
    uint32_t priority; /**< ::CM_SLA_PRIORITY_LOW .. ::CM_SLA_PRIORITY_URGENT. */
    int64_t seconds;   /**< The target, 1 .. ::CM_SLA_MAX_TARGET_SECONDS. */
    int32_t calendar;  /**< ::CM_SLA_CALENDAR_TIME, or the index of a business calendar
                            in the array given to cm_sla_evaluate() (0 .. ::CM_SLA_MAX_CALENDARS − 1). */
    uint32_t reserved; /**< Must be 0. */
} cm_sla_target;

/** Policy flag: a customer message does not reopen a solved ticket nor wake a pending or on-hold one. */
#define CM_SLA_POLICY_NO_AUTO_OPEN 0x1u

/** State of a metric instance at the evaluation instant. Values are pinned. */
typedef enum cm_sla_state {
    CM_SLA_NOT_APPLICABLE = 0, /**< No target applies (no priority, no target, or never started). */
    CM_SLA_ACTIVE = 1,         /**< Running. */
    CM_SLA_PAUSED = 2,         /**< Running but paused by the ticket's status. */
    CM_SLA_ACHIEVED = 3,       /**< Stopped within the target. */
    CM_SLA_BREACHED = 4,       /**< Stopped after the target. */
} cm_sla_state;

/** An instant that does not exist (a clock that has not stopped, a breach that did not happen). */
#define CM_SLA_NO_TIME INT64_MIN

/**
 * One instance of a metric, as reported by cm_sla_evaluate().
 *
 * `elapsed`, `target` and `remaining` are in the clock of the target: real
 * seconds for calendar time, open seconds of the calendar for business time.
 * At the due instant `elapsed == target` exactly; the instance is breached
 * when `elapsed > target`.
 */
typedef struct cm_sla_instance {
    uint32_t metric; /**< The ::cm_sla_metric. */
    uint32_t
        cycle; /**< 1 for the first instance of the metric, 2 for the next...; 0 if it never started. */
    uint32_t state; /**< The ::cm_sla_state. */
    uint32_t
        priority; /**< The priority whose target applies: the one at `stop`, or at `now` if running. */
    bool breached;       /**< `elapsed > target` (running or stopped). */
    uint8_t reserved[3]; /**< Zero. */
    int32_t calendar;    /**< Clock of the target: ::CM_SLA_CALENDAR_TIME or a calendar index. */
    cm_time start;       /**< When the instance started (::CM_SLA_NO_TIME if it never did). */
    cm_time stop;        /**< When it stopped (::CM_SLA_NO_TIME while running). */
    int64_t elapsed;     /**< Time counted so far, in the target's clock (0 when not applicable). */
    int64_t target;      /**< The target in seconds (0 when not applicable). */
    int64_t remaining;   /**< `target − elapsed`; negative = overrun. */
    cm_time
        due; /**< The instant `elapsed` reaches `target` (see docs/sla.md), or ::CM_SLA_NO_TIME. */
    cm_time breach; /**< When the target was breached (= `due`), or ::CM_SLA_NO_TIME. */
} cm_sla_instance;

/* ------------------------------------------------------------------------ */
/* Policies                                                                 */
/* ------------------------------------------------------------------------ */

/**
 * Default options of a metric: the pause statuses and reopen behaviour of the table above.
 *
 * Requester wait pauses while pending; agent work while pending or on-hold;
 * the others never pause. Every metric reactivates on reopen.
 *
 * @param metric a ::cm_sla_metric.
 * @param[out] out the defaults.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p out is NULL or @p metric is unknown.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_sla_metric_defaults(uint32_t metric, cm_sla_metric_options *out);

/**
 * Creates a policy from a list of targets. Allocates once; see cm_sla_policy_free().
 *
 * A metric without any target is not measured (it is reported not applicable).
 * A priority without a target for a metric gets no SLA for that metric.
 *
 * @param targets the targets; each (metric, priority) pair at most once.
 * @param ntargets number of targets (0 .. 24); @p targets may be NULL when 0.
 * @param options ::CM_SLA_METRIC_COUNT entries indexed by metric, or NULL for the defaults
 *        of cm_sla_metric_defaults().
 * @param flags 0 or ::CM_SLA_POLICY_NO_AUTO_OPEN.
 * @param[out] out the new policy.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, a field is out of range (unknown metric, priority
 *         none, seconds outside 1 .. ::CM_SLA_MAX_TARGET_SECONDS, bad calendar index,
 *         non-zero reserved field, a pause bit for solved or closed, unknown reopen
 *         behaviour or flag), or a (metric, priority) pair is repeated.
 * @retval CM_ENOMEM out of memory.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_sla_policy_new(const cm_sla_target *targets, size_t ntargets,
                                                const cm_sla_metric_options *options,
                                                uint32_t flags, cm_sla_policy **out);

/**
 * cm_sla_policy_new() with the caller's memory functions.
 *
 * The policy is allocated through @p alloc (once) and released through it by
 * cm_sla_policy_free().
 *
 * @param targets the targets; each (metric, priority) pair at most once.
 * @param ntargets number of targets (0 .. 24); @p targets may be NULL when 0.
 * @param options ::CM_SLA_METRIC_COUNT entries indexed by metric, or NULL for the defaults.
 * @param flags 0 or ::CM_SLA_POLICY_NO_AUTO_OPEN.
 * @param alloc memory functions, or NULL for `malloc` and `free`.
 * @param[out] out the new policy.
 * @retval CM_OK success.
 * @retval CM_EINVAL as for cm_sla_policy_new(), or @p alloc lacks a function.
 * @retval CM_ENOMEM the allocation failed.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sla_policy_new_with_allocator(
    const cm_sla_target *targets, size_t ntargets, const cm_sla_metric_options *options,
    uint32_t flags, const cm_allocator *alloc, cm_sla_policy **out);

/**
 * Parses a policy from its text form (grammar and examples in `docs/sla.md`).
 *
 * One statement per line, `#` starts a comment:
 * @code
 * # metric[,metric] | *   priority[,priority] | *   duration   clock
 * first-reply            urgent                     15m        calendar
 * first-reply            normal,low                 4h         business      # calendar 0
 * total-resolution       high                       1h30m      business 1    # calendar 1
 * requester-wait         pause   pending,on-hold
 * total-resolution       reopen  new-cycle         # reactivate | new-cycle | restart
 * customer-reply-opens   no
 * @endcode
 * Durations combine `d`, `h`, `m` and `s` terms (`1h30m`); days are refused in
 * business time, where "a day" depends on the calendar (write 8h for one
 * 09:00–17:00 business day).
 *
 * @param text the policy, NUL-terminated.
 * @param[out] out the new policy; allocated once, see cm_sla_policy_free().
 * @param[out] err where and why parsing stopped; may be NULL. Filled only on ::CM_EPARSE.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p text or @p out is NULL.
 * @retval CM_EPARSE the text is malformed; see @p err.
 * @retval CM_ENOMEM out of memory.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_sla_policy_parse(const char *text, cm_sla_policy **out,
                                                  cm_parse_error *err);

/**
 * cm_sla_policy_parse() with the caller's memory functions.
 *
 * @param text the policy, NUL-terminated.
 * @param alloc memory functions for the policy, or NULL for `malloc` and `free`.
 * @param[out] out the new policy; see cm_sla_policy_free().
 * @param[out] err where and why parsing stopped; may be NULL. Filled only on ::CM_EPARSE.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p text or @p out is NULL, or @p alloc lacks a function.
 * @retval CM_EPARSE the text is malformed; see @p err.
 * @retval CM_ENOMEM the allocation failed.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sla_policy_parse_with_allocator(const char *text,
                                                                 const cm_allocator *alloc,
                                                                 cm_sla_policy **out,
                                                                 cm_parse_error *err);

/**
 * Frees a policy. `NULL` is a no-op.
 *
 * @param policy the policy, or NULL.
 * @since 0.1
 */
CM_API void cm_sla_policy_free(cm_sla_policy *policy);

/**
 * The target of a metric at a priority.
 *
 * @param policy the policy.
 * @param metric a ::cm_sla_metric.
 * @param priority ::CM_SLA_PRIORITY_NONE .. ::CM_SLA_PRIORITY_URGENT.
 * @param[out] out the target.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, or @p metric or @p priority is unknown.
 * @retval CM_ENOTFOUND the policy has no target for that pair (always so for priority none).
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_sla_policy_target(const cm_sla_policy *policy, uint32_t metric,
                                                   uint32_t priority, cm_sla_target *out);

/**
 * The options (pause statuses, reopen behaviour) of a metric in a policy.
 *
 * @param policy the policy.
 * @param metric a ::cm_sla_metric.
 * @param[out] out the options.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or @p metric is unknown.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_sla_policy_options(const cm_sla_policy *policy, uint32_t metric,
                                                    cm_sla_metric_options *out);

/**
 * The flags a policy was created with, and the number of calendars it needs.
 *
 * @param policy the policy.
 * @param[out] flags 0 or ::CM_SLA_POLICY_NO_AUTO_OPEN; may be NULL.
 * @param[out] calendars one more than the largest calendar index of its targets (0 when
 *        every target is in calendar time): the least `ncalendars` of cm_sla_evaluate(); may be NULL.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p policy is NULL.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_sla_policy_info(const cm_sla_policy *policy, uint32_t *flags,
                                                 size_t *calendars);

/* ------------------------------------------------------------------------ */
/* Evaluation                                                               */
/* ------------------------------------------------------------------------ */

/**
 * Replays a ticket's events up to @p now and reports every instance of every metric.
 *
 * Events after @p now are validated but not applied, so one log evaluated at
 * successive instants shows the clocks as they were then. The output holds
 * one or more records per metric, grouped by metric in ::cm_sla_metric order
 * and by cycle within a metric: every instance that started, or a single
 * record with `cycle` 0 and state ::CM_SLA_NOT_APPLICABLE for a metric that
 * never started or has no target in the policy. At most `6 · nevents`
 * records are ever needed (each event starts at most one instance per metric).
 * With that much room the log is replayed once; with less, once to count the
 * records and once to compute them.
 *
 * Rules (`docs/sla.md` has them all, with worked timelines):
 * - A clock counts while running and not paused, in calendar seconds or in the
 *   open seconds of its target's calendar. A priority change keeps the time
 *   counted and swaps the target (and clock); the instance is judged against
 *   the target of the priority at its stop, or at @p now while running.
 * - `due` is the instant the elapsed time reaches the target: for a running
 *   clock `cm_calendar_add(segment start, target − elapsed before it)`, so that
 *   `elapsed == target` exactly at `due`; unknown (::CM_SLA_NO_TIME) while
 *   paused before the target is reached, and for a stopped clock the instant
 *   it would have been due when it stopped.
 * - Solving or closing stops every running clock; a reopen (a status change
 *   out of solved or closed, ::CM_SLA_EVENT_REOPEN, or a customer message
 *   unless ::CM_SLA_POLICY_NO_AUTO_OPEN) applies each metric's ::cm_sla_reopen
 *   to the clocks the solve stopped.
 *
 * Nothing is allocated. The whole log is checked before anything is written.
 *
 * @param policy the policy.
 * @param calendars the business calendars its targets name by index; may be NULL
 *        when @p ncalendars is 0. Entries the policy does not use may be NULL.
 * @param ncalendars number of entries in @p calendars; at least what cm_sla_policy_info() reports.
 * @param events the ticket's events, `at` non-decreasing, exactly one ::CM_SLA_EVENT_CREATED
 *        and nothing before it.
 * @param nevents number of events (>= 1).
 * @param now the evaluation instant, not before creation; year 1..9999.
 * @param[out] out the instances; may be NULL when @p cap is 0.
 * @param cap capacity of @p out in records.
 * @param[out] count records written; on ::CM_ENOSPC the number needed.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL; an event has an unknown type, flag or value, or a
 *         non-zero value where none is carried; the events are out of order; there is no
 *         creation event, more than one, or an event before it; @p now is before creation;
 *         or a calendar the policy needs is missing.
 * @retval CM_ERANGE an event or @p now lies outside the years 1..9999
 *         (::CM_CALENDAR_TIME_MIN .. ::CM_CALENDAR_TIME_MAX, the calendars' range).
 * @retval CM_ENOSPC @p cap is too small; @p count holds the number needed.
 * @retval CM_EOVERFLOW a sum of elapsed times does not fit (not with the library's calendars,
 *         whose elapsed time never exceeds the span measured).
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_sla_evaluate(const cm_sla_policy *policy,
                                              const cm_calendar *const *calendars,
                                              size_t ncalendars, const cm_sla_event *events,
                                              size_t nevents, cm_time now, cm_sla_instance *out,
                                              size_t cap, size_t *count);

/* ------------------------------------------------------------------------ */
/* Attainment                                                               */
/* ------------------------------------------------------------------------ */

/**
 * Largest size in bytes of a serialized ::cm_sla_attainment: the counts take
 * 1,356 bytes, each of the 8 distributions 4 bytes plus its sketch's bytes.
 */
#define CM_SLA_ATTAINMENT_SERIALIZED_MAX (1356 + 8 * (4 + CM_SKETCH_SERIALIZED_MAX))

/** Counts of one metric at one priority. */
typedef struct cm_sla_tally {
    uint64_t achieved; /**< Instances stopped within their target. */
    uint64_t breached; /**< Instances stopped after their target, or running past it. */
    uint64_t open;     /**< Instances running within their target (not in the attainment). */
    cm_art elapsed;    /**< Elapsed time of the stopped instances, in their clock's seconds. */
} cm_sla_tally;

/**
 * SLA attainment accumulator: a ::cm_sla_tally per metric and priority, and
 * the distributions of first-reply and total-resolution times.
 *
 * Zero-initialise it (`memset`, or `static` storage) and feed it the output of
 * cm_sla_evaluate() with cm_sla_attainment_add(). Merging is exact,
 * commutative and associative. It holds eight ::cm_sketch of 8 KiB each
 * (about 67 KB in all): keep it in static or heap storage where stacks are
 * small. Not locked: one per thread, then merge.
 */
typedef struct cm_sla_attainment {
    /** `tally[metric][priority − 1]`, priorities low .. urgent. */
    cm_sla_tally tally[CM_SLA_METRIC_COUNT][CM_SLA_PRIORITY_LEVELS];
    /** Elapsed times of the stopped first-reply instances, `[priority − 1]`. */
    cm_sketch first_reply[CM_SLA_PRIORITY_LEVELS];
    /** Elapsed times of the stopped total-resolution instances, `[priority − 1]`. */
    cm_sketch resolution[CM_SLA_PRIORITY_LEVELS];
} cm_sla_attainment;

/** Result of cm_sla_attainment_result(). */
typedef struct cm_sla_attainment_summary {
    uint64_t achieved;      /**< Instances stopped within their target. */
    uint64_t breached;      /**< Instances stopped late or running past due. */
    uint64_t open;          /**< Instances running within their target (left out). */
    cm_proportion attained; /**< achieved / (achieved + breached), with its Wilson interval. */
    cm_art_summary
        elapsed;         /**< Elapsed times of the stopped instances; all zero when none stopped. */
    bool has_quantiles;  /**< The quantiles below are filled: first reply or total
                                 resolution, with at least one stopped instance. */
    uint8_t reserved[7]; /**< Zero. */
    double p50_seconds;  /**< Median elapsed time of the stopped instances (sketch estimate). */
    double p90_seconds;  /**< 90th percentile. */
    double p99_seconds;  /**< 99th percentile. */
} cm_sla_attainment_summary;

/**
 * Adds one ticket's instances, as written by cm_sla_evaluate(), to the accumulator.
 *
 * Not-applicable records are skipped. A stopped instance counts as achieved or
 * breached and adds its elapsed time; a running one counts as breached when
 * past its target (`breached`), else as open. All or nothing.
 *
 * @param acc the accumulator.
 * @param instances the records.
 * @param n number of records; @p instances may be NULL when 0.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, a record has an unknown metric, state or priority,
 *         a negative elapsed time, or a breached flag that contradicts its state, or a
 *         tally or distribution of @p acc that the records update is inconsistent
 *         (only those are checked here; merging and reading check the whole accumulator).
 * @retval CM_ERANGE a stopped first reply or total resolution lasted ::CM_SKETCH_MAX_SECONDS
 *         (about 20 years) or more: too long for its distribution.
 * @retval CM_EOVERFLOW a count or total would overflow.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_sla_attainment_add(cm_sla_attainment *acc,
                                                    const cm_sla_instance *instances, size_t n);

/**
 * Adds the counts of @p other to @p acc. Exact, commutative and associative.
 *
 * @param acc the accumulator that receives the counts.
 * @param other the accumulator to add; may be @p acc itself.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or an accumulator is invalid.
 * @retval CM_EOVERFLOW a count or total would overflow.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_sla_attainment_merge(cm_sla_attainment *acc,
                                                      const cm_sla_attainment *other);

/**
 * Attainment of a metric at a priority (or all priorities), with its Wilson interval.
 *
 * For first reply and total resolution the summary also gives the median,
 * p90 and p99 of the elapsed times of the stopped instances, estimated by
 * their ::cm_sketch (within 1 % for times of 1 s and more).
 *
 * @param acc the accumulator.
 * @param metric a ::cm_sla_metric.
 * @param priority ::CM_SLA_PRIORITY_LOW .. ::CM_SLA_PRIORITY_URGENT, or ::CM_SLA_PRIORITY_ALL.
 * @param confidence confidence level in (0, 1).
 * @param[out] out the result.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p metric or @p priority is unknown, @p confidence
 *         is invalid, or @p acc is invalid.
 * @retval CM_ENODATA no instance has been achieved or breached yet.
 * @retval CM_EOVERFLOW the counts or totals add up past their types.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_sla_attainment_result(const cm_sla_attainment *acc,
                                                       uint32_t metric, uint32_t priority,
                                                       double confidence,
                                                       cm_sla_attainment_summary *out);

/**
 * Writes an accumulator as portable bytes: the counts, then each distribution in
 * the sketch's sparse form (layout in `docs/sla.md`); at most
 * ::CM_SLA_ATTAINMENT_SERIALIZED_MAX bytes, typically a few kilobytes.
 *
 * @param acc the accumulator.
 * @param[out] buf destination.
 * @param cap capacity of @p buf in bytes.
 * @param[out] written bytes written; on ::CM_ENOSPC, the size needed.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or @p acc is invalid.
 * @retval CM_ENOSPC @p cap is too small; @p written holds the size needed.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_sla_attainment_serialize(const cm_sla_attainment *acc,
                                                          uint8_t *buf, size_t cap,
                                                          size_t *written);

/**
 * Reads an accumulator written by cm_sla_attainment_serialize(), on any machine.
 *
 * @param buf the bytes.
 * @param len their number: exactly the size written.
 * @param[out] out the accumulator.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_EPARSE the bytes are truncated, corrupt, of another kind or of an unknown format version.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_sla_attainment_deserialize(const uint8_t *buf, size_t len,
                                                            cm_sla_attainment *out);

/* ------------------------------------------------------------------------ */
/* Many tickets at once                                                     */
/* ------------------------------------------------------------------------ */

/**
 * Evaluates many tickets in one call: cm_sla_evaluate() over each event log of a column.
 *
 * The logs are concatenated in @p events; ticket `i` owns
 * `events[offsets[i] .. offsets[i + 1])`, so @p offsets has `ntickets + 1`
 * entries, starting at 0 and ending at @p nevents. The records of ticket `i`
 * are written to `out[out_offsets[i] .. out_offsets[i + 1])`, as
 * cm_sla_evaluate() would write them; every ticket is evaluated at the same
 * instant @p now.
 *
 * Every log is checked before anything is written: on an error nothing is
 * written but @p failed (the failing ticket), and on ::CM_ENOSPC @p count
 * (the records needed: at most `6 · nevents`). Nothing is allocated.
 *
 * @code
 * // Two tickets: events 0..1 and 2..4.
 * const size_t offsets[] = {0, 2, 5};
 * size_t out_offsets[3], n, bad;
 * cm_status st = cm_sla_evaluate_many(policy, cals, 1, events, 5, offsets, 2, now,
 *                                     out, cap, out_offsets, &n, &bad);
 * @endcode
 *
 * @param policy the policy.
 * @param calendars the business calendars its targets name by index, as for cm_sla_evaluate().
 * @param ncalendars number of entries in @p calendars.
 * @param events every ticket's events, ticket after ticket; may be NULL when @p nevents is 0.
 * @param nevents number of events in all.
 * @param offsets `ntickets + 1` non-decreasing indexes into @p events: `offsets[0] == 0`,
 *        `offsets[ntickets] == nevents`, and at least one event (the creation) per ticket.
 * @param ntickets number of tickets; 0 writes `out_offsets[0] = 0` and a @p count of 0.
 * @param now the evaluation instant; not before any ticket's creation; year 1..9999.
 * @param[out] out the records of every ticket; may be NULL when @p cap is 0.
 * @param cap capacity of @p out in records.
 * @param[out] out_offsets `ntickets + 1` entries: where each ticket's records start in @p out,
 *        then the total.
 * @param[out] count records written; on ::CM_ENOSPC the number needed.
 * @param[out] failed on an error other than ::CM_ENOSPC, the index of the first ticket that
 *        has it (untouched when the arguments themselves are wrong); may be NULL.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p offsets is not as described, or a ticket's log is
 *         refused by cm_sla_evaluate() (see @p failed).
 * @retval CM_ERANGE an event or @p now lies outside the years 1..9999 (see @p failed).
 * @retval CM_ENOSPC @p cap is too small; @p count holds the number needed.
 * @retval CM_EOVERFLOW the records needed do not fit `size_t`, or as for cm_sla_evaluate()
 *         (never with the library's calendars; then records may have been written).
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sla_evaluate_many(
    const cm_sla_policy *policy, const cm_calendar *const *calendars, size_t ncalendars,
    const cm_sla_event *events, size_t nevents, const size_t *offsets, size_t ntickets, cm_time now,
    cm_sla_instance *out, size_t cap, size_t *out_offsets, size_t *count, size_t *failed);

/**
 * Bytes of scratch memory cm_sla_attainment_add_many() needs for tickets of at most
 * @p max_events events each: a working copy of the accumulator and the records of one
 * ticket (`6 · max_events` at most).
 *
 * @param max_events the largest number of events of one ticket (>= 1).
 * @return the size in bytes; 0 when @p max_events is 0 or the size does not fit `size_t`.
 * @since 0.2
 */
CM_API size_t cm_sla_attainment_add_many_scratch_size(size_t max_events);

/**
 * Evaluates many tickets at @p now and adds their instances to an attainment accumulator.
 *
 * The same as cm_sla_evaluate() then cm_sla_attainment_add() for each ticket of
 * a column laid out as for cm_sla_evaluate_many(), in one call. All or
 * nothing: the tickets are counted into a working copy of @p acc in
 * @p scratch, which replaces @p acc only when every ticket succeeded. Nothing
 * is allocated.
 *
 * @param acc the accumulator.
 * @param policy the policy.
 * @param calendars the business calendars its targets name by index.
 * @param ncalendars number of entries in @p calendars.
 * @param events every ticket's events, ticket after ticket; may be NULL when @p nevents is 0.
 * @param nevents number of events in all.
 * @param offsets `ntickets + 1` indexes into @p events, as for cm_sla_evaluate_many().
 * @param ntickets number of tickets.
 * @param now the evaluation instant; not before any ticket's creation; year 1..9999.
 * @param scratch caller memory, aligned as `malloc` aligns; see
 *        cm_sla_attainment_add_many_scratch_size(). Its contents on return are unspecified.
 * @param scratch_size size of @p scratch in bytes.
 * @param[out] failed on an error found in a ticket, the index of that ticket; may be NULL.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p scratch is misaligned or smaller than one ticket of
 *         one event needs, @p offsets is not as described, a ticket's log is refused by
 *         cm_sla_evaluate() (see @p failed), or @p acc is invalid.
 * @retval CM_ERANGE an event or @p now lies outside the years 1..9999, or a stopped first
 *         reply or resolution lasted ::CM_SKETCH_MAX_SECONDS or more (see @p failed).
 * @retval CM_ENOSPC a ticket needs more records than @p scratch holds (see @p failed).
 * @retval CM_EOVERFLOW a count or total would overflow (see @p failed).
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sla_attainment_add_many(
    cm_sla_attainment *acc, const cm_sla_policy *policy, const cm_calendar *const *calendars,
    size_t ncalendars, const cm_sla_event *events, size_t nevents, const size_t *offsets,
    size_t ntickets, cm_time now, void *scratch, size_t scratch_size, size_t *failed);

/* ------------------------------------------------------------------------ */
/* Policy sets                                                              */
/* ------------------------------------------------------------------------ */

/**
 * @name Policy sets
 * Ordered policies selected by conditions over ticket attributes, group
 * SLAs, custom clocks, schedules that change and warnings (`docs/sla.md`,
 * "Policy sets"). A ::cm_sla_policyset is immutable once built and may be
 * shared by any number of threads; cm_sla_policyset_evaluate() never
 * allocates.
 * @{
 */

/** A policy set (opaque, immutable): ordered policies, custom clocks and rules. @since 0.2 */
typedef struct cm_sla_policyset cm_sla_policyset;

/** Metric of the time a ticket spends with each group (group SLAs). @since 0.2 */
#define CM_SLA_GROUP_OWNERSHIP 6
/** Metric of the first custom clock of a set; the i-th is `CM_SLA_CUSTOM_METRIC + i`. @since 0.2 */
#define CM_SLA_CUSTOM_METRIC 16
/** Most custom clocks in a set. @since 0.2 */
#define CM_SLA_MAX_CUSTOM_METRICS 16
/** Most policies (regular and group together) in a set. @since 0.2 */
#define CM_SLA_MAX_POLICIES 256
/** Most priority levels of a set (levels 1 .. this; 0 is "no priority"). @since 0.2 */
#define CM_SLA_MAX_LEVELS 15
/** Most warnings per target. @since 0.2 */
#define CM_SLA_MAX_WARNINGS 4
/** Most attributes named in a set's conditions (its breakdown dimensions, tags apart). @since 0.2 */
#define CM_SLA_MAX_DIMENSIONS 16
/** Most conditions, triggers or goals of one policy or clock, and values in one list. @since 0.2 */
#define CM_SLA_MAX_ITEMS 64
/** A record's `policy` when no policy of the set matched. @since 0.2 */
#define CM_SLA_NO_POLICY UINT32_MAX
/** A record's `event` when no event assigned it. @since 0.2 */
#define CM_SLA_NO_EVENT UINT32_MAX
/** Value index of an attribute set to a value no condition names. @since 0.2 */
#define CM_SLA_VALUE_OTHER 0xFFFEu
/** Value index of an attribute without a value. @since 0.2 */
#define CM_SLA_VALUE_UNSET 0xFFFFu
/** Goal level mask covering every named priority level (not "no priority"). @since 0.2 */
#define CM_SLA_LEVELS_NAMED 0xFFFEu
/** Goal level mask covering every level, "no priority" included. @since 0.2 */
#define CM_SLA_LEVELS_ANY 0xFFFFu

/** How a condition compares an attribute. Values are pinned. @since 0.2 */
typedef enum cm_sla_op {
    CM_SLA_OP_IS = 1,        /**< The value is one of `values` (exact bytes). */
    CM_SLA_OP_IS_NOT = 2,    /**< The value is none of `values`, or the attribute is unset. */
    CM_SLA_OP_EQ = 3,        /**< The value is an integer equal to `number`. */
    CM_SLA_OP_NE = 4,        /**< The value is not an integer equal to `number` (unset included). */
    CM_SLA_OP_LT = 5,        /**< The value is an integer below `number`. */
    CM_SLA_OP_LE = 6,        /**< The value is an integer at most `number`. */
    CM_SLA_OP_GT = 7,        /**< The value is an integer above `number`. */
    CM_SLA_OP_GE = 8,        /**< The value is an integer at least `number`. */
    CM_SLA_OP_SET = 9,       /**< The attribute has a value. */
    CM_SLA_OP_UNSET = 10,    /**< The attribute has no value. */
    CM_SLA_OP_INCLUDES = 11, /**< `tags` only: one of `values` is among the ticket's tags. */
    CM_SLA_OP_EXCLUDES = 12, /**< `tags` only: none of `values` is among the ticket's tags. */
} cm_sla_op;

/**
 * A condition over a ticket attribute.
 *
 * `attribute` is `"priority"` (values are level names, `number` a level),
 * `"status"` (values are `new`, `open`, `pending`, `on-hold`, `solved`,
 * `closed` or custom status names; ::CM_SLA_OP_IS and ::CM_SLA_OP_IS_NOT
 * only), `"tags"` (::CM_SLA_OP_INCLUDES and ::CM_SLA_OP_EXCLUDES only), or
 * any other attribute name the events set (`type`, `group`, `organization`,
 * `brand`, `channel`, a custom field...).
 * @since 0.2
 */
typedef struct cm_sla_condition {
    const char *attribute;     /**< The attribute, non-empty, at most 255 bytes. */
    uint32_t op;               /**< A ::cm_sla_op. */
    uint32_t nvalues;          /**< Entries of `values`: 1 .. ::CM_SLA_MAX_ITEMS for the list
                                    operators, 0 for the others. */
    const char *const *values; /**< The values, each non-empty, at most 255 bytes. */
    int64_t number;            /**< The integer of the comparisons; 0 for the others. */
} cm_sla_condition;

/** Kinds of clocks a goal runs on. Values are pinned. @since 0.2 */
typedef enum cm_sla_clock_kind {
    CM_SLA_CLOCK_CALENDAR_TIME = 0,   /**< Every second counts. */
    CM_SLA_CLOCK_BUSINESS = 1,        /**< The open seconds of calendar `index`. */
    CM_SLA_CLOCK_HISTORY = 2,         /**< The open seconds of calendar history `index`. */
    CM_SLA_CLOCK_TICKET_SCHEDULE = 3, /**< The open seconds of the ticket's schedule: calendar 0
                                           until a ::CM_SLA_EVENT_SCHEDULE names another. */
} cm_sla_clock_kind;

/** A target of a policy in a set: a metric at some priority levels must finish within `seconds`. @since 0.2 */
typedef struct cm_sla_goal {
    uint32_t metric; /**< A ::cm_sla_metric, ::CM_SLA_GROUP_OWNERSHIP (group policies only) or
                           `CM_SLA_CUSTOM_METRIC + i` for the set's i-th clock. */
    uint32_t levels; /**< Bit l set: applies at priority level l (0 = no priority);
                           ::CM_SLA_LEVELS_NAMED, ::CM_SLA_LEVELS_ANY. */
    int64_t seconds; /**< The target, 1 .. ::CM_SLA_MAX_TARGET_SECONDS. */
    uint32_t clock;  /**< A ::cm_sla_clock_kind. */
    uint32_t
        index; /**< Calendar or history index (0 .. ::CM_SLA_MAX_CALENDARS − 1); 0 otherwise. */
    uint8_t warnings[CM_SLA_MAX_WARNINGS]; /**< Warning thresholds in percent of the target,
                                                1 .. 99, increasing; 0 ends the list. */
    uint32_t reserved;                     /**< Must be 0. */
} cm_sla_goal;

/** Kinds of policies. Values are pinned. @since 0.2 */
typedef enum cm_sla_policy_kind {
    CM_SLA_POLICY_REGULAR = 0, /**< Targets for the six metrics and the custom clocks. */
    CM_SLA_POLICY_GROUP = 1,   /**< Targets for ::CM_SLA_GROUP_OWNERSHIP only. */
} cm_sla_policy_kind;

/**
 * One policy of a set: it applies to the tickets that meet all its
 * conditions, if no earlier policy of its kind does.
 * @since 0.2
 */
typedef struct cm_sla_policy_def {
    const char *name;                   /**< Its name, non-empty, at most 255 bytes. */
    uint32_t kind;                      /**< A ::cm_sla_policy_kind. */
    uint32_t reserved;                  /**< Must be 0. */
    const cm_sla_condition *conditions; /**< All must hold; none: every ticket. */
    size_t nconditions;                 /**< 0 .. ::CM_SLA_MAX_ITEMS. */
    const cm_sla_goal *goals;           /**< Its targets; each (metric, level) at most once. */
    size_t ngoals;                      /**< 0 .. ::CM_SLA_MAX_ITEMS. */
} cm_sla_policy_def;

/** What starts or stops a custom clock. Values are pinned. @since 0.2 */
typedef enum cm_sla_trigger_kind {
    CM_SLA_ON_CREATED = 1,        /**< The ticket's creation. */
    CM_SLA_ON_CUSTOMER_REPLY = 2, /**< A public customer message (not automated). */
    CM_SLA_ON_AGENT_REPLY = 3,    /**< A public agent reply (not automated). */
    CM_SLA_ON_AGENT_NOTE = 4,     /**< A private agent note. */
    CM_SLA_ON_SOLVED = 5,         /**< The ticket becomes solved or closed. */
    CM_SLA_ON_REOPENED = 6,       /**< A solved or closed ticket is reopened. */
    CM_SLA_ON_STATUS_ENTER = 7,   /**< The status becomes one of `values` (it was not). */
    CM_SLA_ON_STATUS_LEAVE = 8,   /**< The status stops being one of `values`. */
    CM_SLA_ON_SET = 9,            /**< `attribute` gets a value: any, or one of `values`. */
    CM_SLA_ON_UNSET = 10,         /**< `attribute` loses its value. */
} cm_sla_trigger_kind;

/** One start or stop condition of a custom clock. @since 0.2 */
typedef struct cm_sla_trigger {
    uint32_t kind;             /**< A ::cm_sla_trigger_kind. */
    uint32_t nvalues;          /**< Entries of `values` (0 .. ::CM_SLA_MAX_ITEMS). */
    const char *attribute;     /**< ::CM_SLA_ON_SET, ::CM_SLA_ON_UNSET: the attribute (not
                                    `status` nor `tags`); else NULL. */
    const char *const *values; /**< Statuses of ::CM_SLA_ON_STATUS_ENTER and _LEAVE (1 or more),
                                    values of ::CM_SLA_ON_SET (0: any value). */
} cm_sla_trigger;

/**
 * A custom clock, like a Jira Service Management SLA metric: it starts at any
 * start trigger when it is not running (a new cycle after a stop), stops at
 * any stop trigger, and pauses while any pause condition holds.
 * @since 0.2
 */
typedef struct cm_sla_clock_def {
    const char *name;              /**< Its name: a word of letters, digits, `-` and `_`,
                                        not a metric's name, at most 63 bytes. */
    const cm_sla_trigger *start;   /**< Start triggers (at least one). */
    size_t nstart;                 /**< 1 .. ::CM_SLA_MAX_ITEMS. */
    const cm_sla_trigger *stop;    /**< Stop triggers (at least one). */
    size_t nstop;                  /**< 1 .. ::CM_SLA_MAX_ITEMS. */
    const cm_sla_condition *pause; /**< Pause conditions; the clock pauses while any holds. */
    size_t npause;                 /**< 0 .. ::CM_SLA_MAX_ITEMS. */
} cm_sla_clock_def;

/** First reply on tickets an agent created (::CM_SLA_EVENT_BY_AGENT). Values are pinned. @since 0.2 */
typedef enum cm_sla_agent_created {
    /** Not measured: reported not applicable (as cm_sla_evaluate()). */
    CM_SLA_AGENT_CREATED_NOT_APPLICABLE = 0,
    /** Starts at the requester's first public message (Zendesk). */
    CM_SLA_AGENT_CREATED_REQUESTER_COMMENT = 1,
} cm_sla_agent_created;

/** Rules of one metric in a set (the set-wide equivalent of ::cm_sla_metric_options). @since 0.2 */
typedef struct cm_sla_metric_rules {
    uint32_t metric;                   /**< A ::cm_sla_metric or ::CM_SLA_GROUP_OWNERSHIP. */
    uint32_t pause;                    /**< Categories that pause it: an OR of CM_SLA_PAUSE(). */
    const char *const *pause_statuses; /**< Custom statuses that pause it too. */
    size_t npause_statuses;            /**< 0 .. ::CM_SLA_MAX_ITEMS. */
    uint32_t reopen;                   /**< A ::cm_sla_reopen. */
    uint32_t agent_created;            /**< First reply: a ::cm_sla_agent_created; else 0. */
} cm_sla_metric_rules;

/** Everything a policy set is built from; see cm_sla_policyset_new(). @since 0.2 */
typedef struct cm_sla_policyset_spec {
    const char *const *priorities; /**< Names of the levels 1, 2, ... (lowest first); NULL
                                           for `low`, `normal`, `high`, `urgent`. */
    size_t npriorities;            /**< 1 .. ::CM_SLA_MAX_LEVELS, or 0 with NULL. */
    const cm_sla_metric_rules
        *rules;    /**< Rules that replace a metric's defaults, each metric once. */
    size_t nrules; /**< 0 .. 7. */
    const cm_sla_clock_def *clocks;    /**< The custom clocks. */
    size_t nclocks;                    /**< 0 .. ::CM_SLA_MAX_CUSTOM_METRICS. */
    const cm_sla_policy_def *policies; /**< The policies, in the order they are tried. */
    size_t npolicies;                  /**< 0 .. ::CM_SLA_MAX_POLICIES. */
    uint32_t flags;                    /**< 0 or ::CM_SLA_POLICY_NO_AUTO_OPEN. */
    uint32_t reserved;                 /**< Must be 0. */
} cm_sla_policyset_spec;

/**
 * One event of a ticket's history for cm_sla_policyset_evaluate(): a
 * ::cm_sla_event with the strings of attribute, tag and custom-status changes.
 *
 * The strings are read during the call only. `name` and `text` are NULL and
 * `number` is 0 for the types that do not use them.
 * @since 0.2
 */
typedef struct cm_sla_ticket_event {
    /** When, what, flags and value, as for cm_sla_evaluate(); priority levels run
     *  0 .. the set's levels, and ::CM_SLA_EVENT_ATTRIBUTE, ::CM_SLA_EVENT_TAGS,
     *  ::CM_SLA_EVENT_TAG_ADD, ::CM_SLA_EVENT_TAG_REMOVE and ::CM_SLA_EVENT_SCHEDULE
     *  (`value`: a calendar index) are accepted. */
    cm_sla_event event;
    const char *name; /**< ::CM_SLA_EVENT_ATTRIBUTE: the attribute (not `status` nor
                           `tags`); ::CM_SLA_EVENT_STATUS: the custom status, or NULL. */
    const char *text; /**< The attribute's value (NULL: no value), or the tags. */
    int64_t number;   /**< The attribute's value with ::CM_SLA_EVENT_NUMBER; else 0. */
} cm_sla_ticket_event;

/**
 * The calendars a set's business targets run on, for cm_sla_policyset_evaluate().
 * @since 0.2
 */
typedef struct cm_sla_calendars {
    const cm_calendar *const *calendars;         /**< By index; may be NULL when none. */
    size_t ncalendars;                           /**< Entries of `calendars`. */
    const cm_calendar_history *const *histories; /**< By index; may be NULL when none. */
    size_t nhistories;                           /**< Entries of `histories`. */
} cm_sla_calendars;

/**
 * One instance of a metric under a policy set: the ::cm_sla_instance, the
 * policy judged against, the warnings and the attribute values.
 * @since 0.2
 */
typedef struct cm_sla_record {
    /** As cm_sla_evaluate() reports it; `metric` may also be ::CM_SLA_GROUP_OWNERSHIP or a
     *  custom clock, `priority` is a level of the set and `calendar` the index of the
     *  calendar (or history) of the target's clock, or ::CM_SLA_CALENDAR_TIME. */
    cm_sla_instance instance;
    uint32_t policy;   /**< Index of the policy whose target applies (at the stop, or at
                                `now` while running), or ::CM_SLA_NO_POLICY. */
    uint32_t event;    /**< Group ownership: index of the event that assigned the group;
                                else ::CM_SLA_NO_EVENT. */
    uint32_t clock;    /**< The ::cm_sla_clock_kind of the target's clock. */
    uint8_t nwarnings; /**< Warnings of the target (0 .. ::CM_SLA_MAX_WARNINGS). */
    uint8_t warn_percent[CM_SLA_MAX_WARNINGS]; /**< Their thresholds in percent. */
    uint8_t reserved[3];                       /**< Zero. */
    /** The instant each warning's threshold is (or, while running, will be) reached:
     *  like `due`, ::CM_SLA_NO_TIME while paused below it or if it stopped below it. */
    cm_time warnings[CM_SLA_MAX_WARNINGS];
    /** The value index of each dimension at the stop (at `now` while running):
     *  see cm_sla_policyset_dimension(). */
    uint16_t values[CM_SLA_MAX_DIMENSIONS];
} cm_sla_record;

/**
 * Builds a policy set from its description. Allocates once through @p alloc;
 * see cm_sla_policyset_free(). Every string is copied.
 *
 * @param spec the set.
 * @param alloc the allocator, or NULL for malloc/free.
 * @param[out] out the new set.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p alloc lacks a function, or a field of @p spec
 *         breaks the rules of its type (unknown metric, operator or kind, an empty or
 *         repeated name, a repeated (metric, level) in a policy, a value list of the wrong
 *         length, a level or status name the set does not know, a goal of the wrong kind
 *         of policy, non-zero reserved fields), or a limit is exceeded (at most
 *         ::CM_SLA_MAX_DIMENSIONS attributes, 64 values per attribute, 64 tags, 64 custom
 *         statuses, 8 clocks and 64 distinct target and warning thresholds per metric).
 * @retval CM_ENOMEM out of memory.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sla_policyset_new(const cm_sla_policyset_spec *spec,
                                                   const cm_allocator *alloc,
                                                   cm_sla_policyset **out);

/**
 * Parses a policy set from its text (grammar in `docs/sla.md`, "Policy sets").
 *
 * Every text cm_sla_policy_parse() accepts is a valid set with one policy
 * that applies to every ticket, and evaluates to the same records.
 * @code
 * priorities lowest, low, medium, high, highest
 * clock approval
 *   start status-enter "Waiting for approval"
 *   stop  status-leave "Waiting for approval"
 * policy "VIP urgent"
 *   when priority >= high
 *   when organization is VIP
 *   first-reply  *  30m  calendar  warn 50%,75%
 *   approval     *  8h   business
 * policy default
 *   first-reply  *  4h   business
 * group-policy tiers
 *   when group is "Tier 2"
 *   group-ownership * 8h ticket-schedule
 * @endcode
 *
 * @param text the set, NUL-terminated.
 * @param alloc the allocator, or NULL for malloc/free.
 * @param[out] out the new set.
 * @param[out] err where and why parsing stopped; may be NULL. Filled only on ::CM_EPARSE.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p text or @p out is NULL, or @p alloc lacks a function.
 * @retval CM_EPARSE the text is malformed or breaks a limit of cm_sla_policyset_new(); see @p err.
 * @retval CM_ENOMEM out of memory.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sla_policyset_parse(const char *text, const cm_allocator *alloc,
                                                     cm_sla_policyset **out, cm_parse_error *err);

/**
 * Frees a policy set through the allocator it was built with. `NULL` is a no-op.
 *
 * @param set the set, or NULL.
 * @since 0.2
 */
CM_API void cm_sla_policyset_free(cm_sla_policyset *set);

/** Sizes of a policy set, from cm_sla_policyset_info(). @since 0.2 */
typedef struct cm_sla_policyset_shape {
    uint32_t npolicies;   /**< Policies, regular and group. */
    uint32_t nclocks;     /**< Custom clocks. */
    uint32_t nlevels;     /**< Priority levels (1 .. nlevels). */
    uint32_t ndimensions; /**< Dimensions of the records' `values`. */
    uint32_t nmetrics;    /**< Metrics each evaluation reports: the six, group ownership when
                              the set has a group policy, and the custom clocks. */
    uint32_t flags;       /**< 0 or ::CM_SLA_POLICY_NO_AUTO_OPEN. */
    size_t ncalendars;    /**< Least `ncalendars` evaluation needs. */
    size_t nhistories;    /**< Least `nhistories` evaluation needs. */
} cm_sla_policyset_shape;

/**
 * Sizes of a set: policies, clocks, levels, dimensions, metrics reported and calendars needed.
 *
 * @param set the set.
 * @param[out] out the sizes.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sla_policyset_info(const cm_sla_policyset *set,
                                                    cm_sla_policyset_shape *out);

/**
 * Name and kind of a policy of the set.
 *
 * @param set the set.
 * @param policy its index, 0 .. npolicies − 1.
 * @param[out] name the name, owned by @p set; may be NULL.
 * @param[out] kind its ::cm_sla_policy_kind; may be NULL.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p set is NULL.
 * @retval CM_ENOTFOUND no policy has that index.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sla_policyset_policy(const cm_sla_policyset *set, uint32_t policy,
                                                      const char **name, uint32_t *kind);

/**
 * The metric number of a name: the six metrics, `group-ownership` and the set's clocks.
 *
 * @param set the set.
 * @param name the name, such as `"first-reply"` or a custom clock's.
 * @param[out] metric its number.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_ENOTFOUND the set knows no metric of that name.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sla_policyset_metric(const cm_sla_policyset *set, const char *name,
                                                      uint32_t *metric);

/**
 * Name of a metric of the set: the six, `"group-ownership"` or a custom clock.
 *
 * @param set the set.
 * @param metric a metric number.
 * @return a string owned by @p set or static; `"unknown"` for a number the set does not know
 *         or a NULL @p set.
 * @since 0.2
 */
CM_API const char *cm_sla_policyset_metric_name(const cm_sla_policyset *set, uint32_t metric);

/**
 * Name of a priority level of the set (`"none"` for level 0).
 *
 * @param set the set.
 * @param level 0 .. nlevels.
 * @return a string owned by @p set or static; `"unknown"` otherwise.
 * @since 0.2
 */
CM_API const char *cm_sla_policyset_level_name(const cm_sla_policyset *set, uint32_t level);

/**
 * A breakdown dimension of the set and the names of its values.
 *
 * The dimensions are the attributes the set's conditions and triggers name,
 * `priority`, `status` and `tags` apart, in the order they first appear. A
 * record's `values[d]` is the index of the attribute's value among the
 * values the conditions name (in order of appearance), ::CM_SLA_VALUE_OTHER
 * for any other value, or ::CM_SLA_VALUE_UNSET.
 *
 * @param set the set.
 * @param dimension 0 .. ndimensions − 1.
 * @param[out] name the attribute's name, owned by @p set; may be NULL.
 * @param[out] values the names of its values, owned by @p set; may be NULL.
 * @param[out] nvalues their number; may be NULL.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p set is NULL.
 * @retval CM_ENOTFOUND no dimension has that index.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sla_policyset_dimension(const cm_sla_policyset *set,
                                                         uint32_t dimension, const char **name,
                                                         const char *const **values,
                                                         size_t *nvalues);

/**
 * Replays a ticket's events under a policy set up to @p now and reports every
 * instance of every metric.
 *
 * The rules of cm_sla_evaluate() hold, with these additions (`docs/sla.md`):
 * - The policy that applies is the first regular policy whose conditions
 *   all hold; it is selected again whenever an attribute changes, and each
 *   instance is judged against the target of the policy and level at its
 *   stop (at @p now while running), its elapsed time kept.
 * - ::CM_SLA_GROUP_OWNERSHIP has one instance per span of the ticket with a
 *   group, judged against the first matching group policy, selected with
 *   the group of the span.
 * - Custom clocks start, stop and pause on their triggers and conditions.
 * - A ::CM_SLA_CLOCK_TICKET_SCHEDULE clock counts each segment on the
 *   schedule in force: a ::CM_SLA_EVENT_SCHEDULE splits the time there.
 * - Warnings: see ::cm_sla_record::warnings.
 *
 * The output holds one or more records per metric (see
 * ::cm_sla_policyset_shape::nmetrics), grouped by metric in increasing number
 * and by cycle; at most `nmetrics · nevents` records are needed (with that
 * much room the log is replayed once, with less twice). Nothing is
 * allocated; the whole log is checked before anything is written.
 *
 * @param set the set.
 * @param calendars the calendars and histories its business targets name; may be NULL
 *        when the set needs none.
 * @param events the ticket's events, `at` non-decreasing, exactly one ::CM_SLA_EVENT_CREATED
 *        and nothing before it.
 * @param nevents number of events (>= 1, < ::CM_SLA_NO_EVENT).
 * @param now the evaluation instant, not before creation; year 1..9999.
 * @param[out] out the records; may be NULL when @p cap is 0.
 * @param cap capacity of @p out in records.
 * @param[out] count records written; on ::CM_ENOSPC the number needed.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL; an event is invalid (unknown type or flag, a value
 *         out of range or a string where none is carried, a missing attribute name, an
 *         attribute named `status` or `tags`, a priority level the set does not have, a
 *         schedule without its calendar), the events are out of order, the creation is
 *         missing, repeated or not first, @p now is before creation, or a calendar or
 *         history the set needs is missing.
 * @retval CM_ERANGE an event or @p now lies outside the years 1..9999.
 * @retval CM_ENOSPC @p cap is too small; @p count holds the number needed.
 * @retval CM_EOVERFLOW a sum of elapsed times does not fit.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sla_policyset_evaluate(const cm_sla_policyset *set,
                                                        const cm_sla_calendars *calendars,
                                                        const cm_sla_ticket_event *events,
                                                        size_t nevents, cm_time now,
                                                        cm_sla_record *out, size_t cap,
                                                        size_t *count);

/** The next warning or breach of a ticket, from cm_sla_next_alarm(). @since 0.2 */
typedef struct cm_sla_alarm {
    cm_time at;      /**< When it fires. */
    uint32_t record; /**< Index of the record it belongs to. */
    uint32_t kind;   /**< 0: the breach (the due instant); k = 1 .. ::CM_SLA_MAX_WARNINGS:
                          the record's k-th warning. */
} cm_sla_alarm;

/**
 * The next warning or breach over all of a ticket's clocks: what a trigger
 * or a view waits for.
 *
 * Only running, unpaused records count (a paused clock has no forecast). A
 * warning is pending while the elapsed time is below its threshold, a breach
 * while the record is not breached; the earliest pending instant wins (the
 * lower record index, then the lower kind, on a tie).
 *
 * @param records the ticket's records, as cm_sla_policyset_evaluate() wrote them.
 * @param n their number.
 * @param[out] out the alarm.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL (@p records may be NULL when @p n is 0).
 * @retval CM_ENODATA nothing is pending.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sla_next_alarm(const cm_sla_record *records, size_t n,
                                                cm_sla_alarm *out);

/* ------------------------------------------------------------------------ */
/* Attainment by attribute                                                  */
/* ------------------------------------------------------------------------ */

/** Attainment broken down by policy, priority and attributes (opaque). @since 0.2 */
typedef struct cm_sla_breakdown cm_sla_breakdown;

/** In a breakdown key: every value of that dimension together. @since 0.2 */
#define CM_SLA_ANY UINT32_MAX
/** Most cells (products of the dimensions' sizes) of a breakdown. @since 0.2 */
#define CM_SLA_BREAKDOWN_MAX_CELLS 65536
/** Most dimensions of one breakdown. @since 0.2 */
#define CM_SLA_BREAKDOWN_MAX_KEYS 4

/**
 * Creates an attainment accumulator keyed by some dimensions of a set.
 * Allocates once; see cm_sla_breakdown_free().
 *
 * Each key is `"policy"` (npolicies + 1 values, the last for no policy),
 * `"priority"` (levels 0 .. nlevels), or the name of a dimension of the set
 * (its values, then other, then unset); a dimension named `policy` (an attribute
 * the conditions test) is not a key, as that name is the policy's. Each cell counts, per metric of the
 * set, achieved, breached and open instances and the elapsed times of the
 * stopped ones, exactly as ::cm_sla_attainment counts them.
 *
 * @param set the set whose records it will count; only its shape is kept.
 * @param keys the dimensions, 1 .. ::CM_SLA_BREAKDOWN_MAX_KEYS, each once.
 * @param nkeys their number.
 * @param alloc the allocator, or NULL for malloc/free.
 * @param[out] out the accumulator, all counts zero.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p alloc lacks a function, @p nkeys is out of
 *         range, or a key is unknown or repeated.
 * @retval CM_ERANGE the product of the dimensions' sizes exceeds ::CM_SLA_BREAKDOWN_MAX_CELLS.
 * @retval CM_ENOMEM out of memory.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sla_breakdown_new(const cm_sla_policyset *set,
                                                   const char *const *keys, size_t nkeys,
                                                   const cm_allocator *alloc,
                                                   cm_sla_breakdown **out);

/**
 * Frees a breakdown through its allocator. `NULL` is a no-op.
 *
 * @param b the breakdown, or NULL.
 * @since 0.2
 */
CM_API void cm_sla_breakdown_free(cm_sla_breakdown *b);

/**
 * Adds one ticket's records, as cm_sla_policyset_evaluate() wrote them. All or nothing.
 *
 * @param b the breakdown.
 * @param records the records.
 * @param n their number; @p records may be NULL when 0.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, or a record is invalid (as for
 *         cm_sla_attainment_add()) or has a metric, policy, level or value the shape
 *         does not have.
 * @retval CM_EOVERFLOW a count or total would overflow.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sla_breakdown_add(cm_sla_breakdown *b,
                                                   const cm_sla_record *records, size_t n);

/**
 * Adds the counts of @p other to @p b: exact, commutative and associative.
 *
 * @param b the breakdown that receives the counts.
 * @param other a breakdown of the same shape (same set text or spec, same keys);
 *        may be @p b itself.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or the shapes differ.
 * @retval CM_EOVERFLOW a count or total would overflow.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sla_breakdown_merge(cm_sla_breakdown *b,
                                                     const cm_sla_breakdown *other);

/**
 * Attainment of a metric in one cell, or summed over some dimensions.
 *
 * @param b the breakdown.
 * @param metric a metric of the set.
 * @param key one value index per key of the breakdown, in its order, or ::CM_SLA_ANY to
 *        sum over that dimension (::CM_SLA_VALUE_OTHER and ::CM_SLA_VALUE_UNSET are
 *        accepted for attribute dimensions; `npolicies` is "no policy").
 * @param confidence confidence level in (0, 1).
 * @param[out] out the result (`has_quantiles` false: breakdowns keep no distributions).
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p metric or a key value is unknown, or
 *         @p confidence is invalid.
 * @retval CM_ENODATA no instance in the cells has been achieved or breached.
 * @retval CM_EOVERFLOW the counts or totals add up past their types.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sla_breakdown_result(const cm_sla_breakdown *b, uint32_t metric,
                                                      const uint32_t *key, double confidence,
                                                      cm_sla_attainment_summary *out);

/**
 * Writes the counts as portable bytes (layout in `docs/sla.md`).
 *
 * @param b the breakdown.
 * @param[out] buf destination; may be NULL when @p cap is 0 (to ask the size).
 * @param cap capacity of @p buf in bytes.
 * @param[out] written bytes written; on ::CM_ENOSPC, the size needed.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p b or @p written is NULL, or @p buf is NULL with @p cap above 0.
 * @retval CM_ENOSPC @p cap is too small; @p written holds the size needed.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sla_breakdown_serialize(const cm_sla_breakdown *b, uint8_t *buf,
                                                         size_t cap, size_t *written);

/**
 * Replaces the counts of @p b by bytes that cm_sla_breakdown_serialize() wrote from a
 * breakdown of the same shape, on any machine.
 *
 * @param b the breakdown; untouched on error.
 * @param buf the bytes.
 * @param len their number: exactly the size written.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_EPARSE the bytes are truncated, corrupt, of another kind, version or shape.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sla_breakdown_deserialize(cm_sla_breakdown *b, const uint8_t *buf,
                                                           size_t len);

/* ------------------------------------------------------------------------ */
/* Importers                                                                */
/* ------------------------------------------------------------------------ */

/** A ticket read from an export: its events and the strings they point to (opaque). @since 0.2 */
typedef struct cm_sla_ticket cm_sla_ticket;

/** Import formats. Values are pinned. @since 0.2 */
typedef enum cm_sla_import_format {
    /** Zendesk ticket audits: `GET /api/v2/tickets/{id}/audits` (`{"audits": [...]}`). */
    CM_SLA_IMPORT_ZENDESK_AUDITS = 1,
    /** Zendesk ticket metric events: `{"ticket_metric_events": [...]}` of one ticket. */
    CM_SLA_IMPORT_ZENDESK_METRIC_EVENTS = 2,
    /** A Jira issue with its changelog: `GET /rest/api/3/issue/{key}?expand=changelog`. */
    CM_SLA_IMPORT_JIRA_ISSUE = 3,
} cm_sla_import_format;

/** Import flag: skip entries of unknown types instead of failing (they are counted). @since 0.2 */
#define CM_SLA_IMPORT_SKIP_UNKNOWN 0x1u

/** Options of cm_sla_import(). @since 0.2 */
typedef struct cm_sla_import_options {
    uint32_t flags;    /**< 0 or ::CM_SLA_IMPORT_SKIP_UNKNOWN. */
    uint32_t reserved; /**< Must be 0. */
    /** Jira: status names and the ::cm_sla_status each stands for, tried before the
     *  built-in table (`docs/sla.md`, "Importers"); may be NULL when `nstatuses` is 0. */
    const char *const *status_names;
    const uint32_t *status_categories; /**< One ::cm_sla_status per name. */
    size_t nstatuses;                  /**< Entries of both arrays. */
} cm_sla_import_options;

/**
 * Reads one ticket's history from a JSON export (field mapping in `docs/sla.md`,
 * "Importers").
 *
 * The JSON is read by the library's own reader, which never allocates and
 * nests at most 64 levels; the ticket is allocated once, its size bounded
 * by a small multiple of @p len. Events are sorted by time (stably), so an
 * export listed newest first reads the same as one listed oldest first.
 *
 * @param format a ::cm_sla_import_format.
 * @param json the export (UTF-8; need not be NUL-terminated).
 * @param len its length in bytes.
 * @param options the options, or NULL for none.
 * @param alloc the allocator, or NULL for malloc/free.
 * @param[out] out the ticket; see cm_sla_ticket_free().
 * @param[out] err on ::CM_EPARSE, the line and column in @p json and why; may be NULL.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p alloc lacks a function, @p format is unknown, or
 *         @p options has an unknown flag, a non-zero reserved field, a NULL or empty name
 *         or a category that is not a ::cm_sla_status.
 * @retval CM_EPARSE the JSON is malformed, nested too deeply, or not the export: a
 *         missing or mistyped field, an unknown entry type (without
 *         ::CM_SLA_IMPORT_SKIP_UNKNOWN), an unknown status, a bad timestamp, entries of
 *         several tickets, an entry before the creation, or no creation.
 * @retval CM_ENOMEM out of memory.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sla_import(uint32_t format, const char *json, size_t len,
                                            const cm_sla_import_options *options,
                                            const cm_allocator *alloc, cm_sla_ticket **out,
                                            cm_parse_error *err);

/**
 * Frees an imported ticket through its allocator. `NULL` is a no-op.
 *
 * @param ticket the ticket, or NULL.
 * @since 0.2
 */
CM_API void cm_sla_ticket_free(cm_sla_ticket *ticket);

/**
 * The events of an imported ticket, ready for cm_sla_policyset_evaluate().
 *
 * @param ticket the ticket.
 * @param[out] events its events, owned by @p ticket.
 * @param[out] n their number (at least 1).
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sla_ticket_events(const cm_sla_ticket *ticket,
                                                   const cm_sla_ticket_event **events, size_t *n);

/**
 * The identifier of an imported ticket (Zendesk ticket id, Jira issue key) and
 * the number of entries skipped as unknown.
 *
 * @param ticket the ticket.
 * @param[out] id its identifier, owned by @p ticket (empty when the export has none); may be NULL.
 * @param[out] skipped entries of unknown types skipped under ::CM_SLA_IMPORT_SKIP_UNKNOWN;
 *        may be NULL.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p ticket is NULL.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_sla_ticket_info(const cm_sla_ticket *ticket, const char **id,
                                                 size_t *skipped);

/** @} */

/* ------------------------------------------------------------------------ */
/* Names and ABI queries                                                    */
/* ------------------------------------------------------------------------ */

/**
 * Name of a metric as written in policy files, such as `"first-reply"`.
 *
 * @param metric any value.
 * @return a static string; `"unknown"` for values that are not a ::cm_sla_metric.
 * @since 0.1
 */
CM_API const char *cm_sla_metric_name(uint32_t metric);

/**
 * Name of a priority, such as `"urgent"` (`"none"` for ::CM_SLA_PRIORITY_NONE).
 *
 * @param priority any value.
 * @return a static string; `"unknown"` for values that are not a ::cm_sla_priority.
 * @since 0.1
 */
CM_API const char *cm_sla_priority_name(uint32_t priority);

/**
 * Name of a status as written in policy files, such as `"on-hold"`.
 *
 * @param status any value.
 * @return a static string; `"unknown"` for values that are not a ::cm_sla_status.
 * @since 0.1
 */
CM_API const char *cm_sla_status_name(uint32_t status);

/**
 * Name of an instance state, such as `"breached"` or `"not-applicable"`.
 *
 * @param state any value.
 * @return a static string; `"unknown"` for values that are not a ::cm_sla_state.
 * @since 0.1
 */
CM_API const char *cm_sla_state_name(uint32_t state);

/**
 * Size of an SLA struct in this build of the library, for bindings that mirror the structs.
 *
 * @param name one of `"cm_sla_event"`, `"cm_sla_metric_options"`, `"cm_sla_target"`,
 *        `"cm_sla_instance"`, `"cm_sla_tally"`, `"cm_sla_attainment"`,
 *        `"cm_sla_attainment_summary"`; since 0.2 also the structs of policy sets and
 *        importers: `"cm_sla_condition"`, `"cm_sla_goal"`, `"cm_sla_policy_def"`,
 *        `"cm_sla_trigger"`, `"cm_sla_clock_def"`, `"cm_sla_metric_rules"`,
 *        `"cm_sla_policyset_spec"`, `"cm_sla_ticket_event"`, `"cm_sla_calendars"`,
 *        `"cm_sla_record"`, `"cm_sla_policyset_shape"`, `"cm_sla_alarm"`,
 *        `"cm_sla_import_options"`.
 * @return the size in bytes, or 0 for an unknown name or NULL.
 * @since 0.1
 */
CM_API size_t cm_sla_sizeof(const char *name);

/**
 * Value of an SLA macro in this build of the library, for bindings that cannot read macros.
 *
 * @param name the macro's name, such as `"CM_SLA_NO_TIME"`, `"CM_SLA_METRIC_COUNT"`,
 *        `"CM_SLA_CALENDAR_TIME"` or `"CM_SLA_ATTAINMENT_SERIALIZED_MAX"`; every
 *        numeric `CM_SLA_*` macro of this header is known.
 * @param[out] out the value.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_ENOTFOUND no SLA macro has that name.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_sla_constant(const char *name, int64_t *out);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CAREMETRICS_SLA_H */
