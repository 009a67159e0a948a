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
} cm_sla_event_type;

/** Event flag: the message was sent by automation (bot, auto-responder); no clock sees it. */
#define CM_SLA_EVENT_AUTOMATED 0x1u
/** Event flag on ::CM_SLA_EVENT_CREATED: an agent created the ticket with a public message. */
#define CM_SLA_EVENT_BY_AGENT 0x2u

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
 *        `"cm_sla_attainment_summary"`.
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
