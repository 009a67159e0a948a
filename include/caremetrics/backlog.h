/*
 * libcaremetrics — backlog: open tickets at the end of each interval and their
 * ages, in calendar or business time, per group, mergeable.
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_BACKLOG_H
#define CAREMETRICS_BACKLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <caremetrics/calendar.h>
#include <caremetrics/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup backlog Backlog: open tickets and their ages over time
 * @brief How many tickets were open at the end of each day (or hour, or
 *        week), how old they were, and how many arrived and left in between.
 *
 * A ::cm_backlog is set up with a list of snapshot instants `t_0 < t_1 < ...`
 * (the ends of the reporting intervals), age buckets, a number of groups
 * (queues, teams, priorities) and, optionally, a business calendar. Each
 * ticket is folded in from its creation and solve instants (the table
 * engine's columns); for every group and snapshot the backlog keeps:
 *
 * - `open`: tickets with `created <= t_j < solved` (a ticket solved exactly
 *   at `t_j` is gone; one created exactly at `t_j` is there);
 * - `created` and `solved`: tickets created, and solved, in `(t_{j-1}, t_j]`
 *   (for j = 0: at or before `t_0`), so that
 *   `open_j = Σ_{i<=j} created_i − Σ_{i<=j} solved_i`;
 * - the ages `t_j − created` of the open tickets, in seconds of calendar time
 *   or of the calendar's business hours: count per age bucket, exact minimum,
 *   maximum and mean, and (unless ::CM_BACKLOG_NO_SKETCH) a ::cm_sketch for
 *   the median, p90 and other quantiles within 1 %.
 *
 * Backlogs with the same set-up merge exactly, in memory or through portable
 * bytes, so shards of a ticket history fold in parallel. The definitions and
 * worked examples are in `docs/backlog.md`.
 *
 * @code
 * const cm_time days[] = {1735776000, 1735862400, 1735948800};   // 2 to 4 January 2025, 00:00 UTC
 * const int64_t bounds[] = {86400, 3 * 86400, 7 * 86400};         // <1 d, 1-3 d, 3-7 d, >=7 d
 * const cm_backlog_config cfg = {days, 3, bounds, 3, 1, 0, NULL};
 * cm_backlog *b;
 * cm_status st = cm_backlog_new(&cfg, NULL, &b);
 * st = cm_backlog_add(b, 0, 1735700000, CM_BACKLOG_OPEN);           // still open
 * cm_backlog_point p;
 * st = cm_backlog_snapshot(b, 0, 2, &p);                            // p.open, p.age_mean ...
 * cm_backlog_free(b);
 * @endcode
 *
 * Only cm_backlog_new() and cm_backlog_deserialize() allocate. A backlog is
 * not locked: give each thread its own and merge them. A business-time
 * backlog reads its calendar (which is immutable and thread-safe) on every
 * addition: the calendar must outlive the backlog.
 * @{
 */

/** @file caremetrics/backlog.h
 *  @brief Open tickets and their age distribution at interval ends. */

/** Solve instant of a ticket that is still open. */
#define CM_BACKLOG_OPEN INT64_MAX
/** Most snapshots of a backlog. */
#define CM_BACKLOG_MAX_SNAPSHOTS 100000u
/** Most age bounds (so at most 65 buckets). */
#define CM_BACKLOG_MAX_BOUNDS 64u
/** Most groups. */
#define CM_BACKLOG_MAX_GROUPS 65536u
/** Most cells (groups × snapshots). */
#define CM_BACKLOG_MAX_CELLS 16777216u
/** Group argument of the queries meaning "all groups together". */
#define CM_BACKLOG_ALL_GROUPS UINT32_MAX
/** Set-up flag: keep no quantile sketch per cell (saves 8 KiB per group and snapshot). */
#define CM_BACKLOG_NO_SKETCH 1u

/** A backlog. Opaque; see cm_backlog_new(). */
typedef struct cm_backlog cm_backlog;

/** Set-up of a backlog; copied by cm_backlog_new(). */
typedef struct cm_backlog_config {
    const cm_time *snapshots; /**< Snapshot instants, strictly increasing. */
    size_t nsnapshots;        /**< Their number, 1..::CM_BACKLOG_MAX_SNAPSHOTS. */
    /** Upper ends of the age buckets in seconds, strictly increasing and > 0: bucket 0 holds
     *  ages below `age_bounds[0]`, bucket i ages in `[age_bounds[i-1], age_bounds[i])`, the
     *  last bucket the rest. May be NULL when @c nbounds is 0 (one bucket). */
    const int64_t *age_bounds;
    size_t nbounds;  /**< Number of bounds, 0..::CM_BACKLOG_MAX_BOUNDS. */
    uint32_t groups; /**< Number of groups, 1..::CM_BACKLOG_MAX_GROUPS. */
    uint32_t flags;  /**< 0 or ::CM_BACKLOG_NO_SKETCH. */
    /** NULL for ages in calendar seconds, else ages in this calendar's business seconds. */
    const cm_calendar *calendar;
} cm_backlog_config;

/** One group at one snapshot, from cm_backlog_snapshot(). */
typedef struct cm_backlog_point {
    cm_time at;       /**< The snapshot instant. */
    uint64_t open;    /**< Tickets open at that instant. */
    uint64_t created; /**< Tickets created since the previous snapshot (j = 0: up to it). */
    uint64_t solved;  /**< Tickets solved since the previous snapshot (j = 0: up to it). */
    int64_t age_min;  /**< Age of the newest open ticket, seconds (0 when none is open). */
    int64_t age_max;  /**< Age of the oldest open ticket, seconds (0 when none is open). */
    double age_mean;  /**< Mean age of the open tickets, seconds (0 when none is open). */
} cm_backlog_point;

/** Set-up and contents of a backlog, from cm_backlog_info(). */
typedef struct cm_backlog_summary {
    uint64_t tickets;    /**< Tickets added, merges included. */
    uint32_t nsnapshots; /**< Number of snapshots. */
    uint32_t nbounds;    /**< Number of age bounds; there are nbounds + 1 buckets. */
    uint32_t groups;     /**< Number of groups. */
    uint32_t flags;      /**< The set-up flags. */
    bool business;       /**< Ages are business seconds. */
} cm_backlog_summary;

/**
 * Creates an empty backlog. Allocates once.
 *
 * @param config the set-up; its arrays are copied.
 * @param alloc memory functions, or NULL for malloc and free (kept for cm_backlog_free()).
 * @param[out] out the new backlog.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, the snapshots or bounds are not strictly increasing,
 *         a bound is not positive, a flag is unknown, or @p alloc lacks a function.
 * @retval CM_ERANGE a count is out of range (snapshots, bounds, groups or cells), or with a
 *         calendar a snapshot lies outside [::CM_CALENDAR_TIME_MIN, ::CM_CALENDAR_TIME_MAX].
 * @retval CM_ENOMEM out of memory.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_backlog_new(const cm_backlog_config *config,
                                             const cm_allocator *alloc, cm_backlog **out);

/**
 * Frees a backlog through the allocator it was created with. NULL is a no-op.
 *
 * @param backlog the backlog, or NULL.
 * @since 0.2
 */
CM_API void cm_backlog_free(cm_backlog *backlog);

/**
 * Folds in one ticket. O(log snapshots + open snapshots); one calendar call in business time.
 *
 * @param backlog the backlog.
 * @param group the ticket's group, 0..groups − 1.
 * @param created when the ticket was created.
 * @param solved when it was solved, or ::CM_BACKLOG_OPEN; not before @p created.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p backlog is NULL, @p solved is before @p created, or @p created is
 *         ::CM_BACKLOG_OPEN.
 * @retval CM_ERANGE @p group is out of range; in business time @p created lies outside the
 *         calendar's range; or the ticket is open at a snapshot ::CM_SKETCH_MAX_SECONDS
 *         (about 20.3 years) or more after its creation.
 * @retval CM_EOVERFLOW the backlog already holds `UINT64_MAX` tickets.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_backlog_add(cm_backlog *backlog, uint32_t group, cm_time created,
                                             cm_time solved);

/**
 * Folds in columns of tickets. All or nothing: every ticket is checked first.
 *
 * @param backlog the backlog.
 * @param groups one group per ticket, or NULL for group 0.
 * @param created creation instants.
 * @param solved solve instants, ::CM_BACKLOG_OPEN for open tickets.
 * @param n number of tickets; the arrays may be NULL when it is 0.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or a ticket is invalid (see cm_backlog_add()).
 * @retval CM_ERANGE a group or instant is out of range (see cm_backlog_add()).
 * @retval CM_EOVERFLOW the ticket count would exceed `UINT64_MAX`.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_backlog_add_many(cm_backlog *backlog, const uint32_t *groups,
                                                  const cm_time *created, const cm_time *solved,
                                                  size_t n);

/**
 * Adds the tickets of @p other to @p backlog. Exact, commutative and associative.
 *
 * @param backlog the backlog that receives the tickets.
 * @param other a backlog with the same snapshots, bounds, groups, flags and time kind
 *        (calendar or business; the calendars themselves are not compared); may be @p backlog.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or the set-ups differ.
 * @retval CM_EOVERFLOW the ticket count would exceed `UINT64_MAX`; @p backlog is unchanged.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_backlog_merge(cm_backlog *backlog, const cm_backlog *other);

/**
 * Set-up and ticket count of a backlog.
 *
 * @param backlog the backlog.
 * @param[out] out the summary.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_backlog_info(const cm_backlog *backlog, cm_backlog_summary *out);

/**
 * The age bounds a backlog was set up with.
 *
 * @param backlog the backlog.
 * @param[out] bounds receives nbounds values (see cm_backlog_info()); may be NULL when @p cap is 0.
 * @param cap capacity of @p bounds in elements.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_ENOSPC @p cap is below nbounds; @p bounds is untouched.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_backlog_age_bounds(const cm_backlog *backlog, int64_t *bounds,
                                                    size_t cap);

/**
 * Open, created and solved counts and ages of one group (or all) at one snapshot.
 *
 * @param backlog the backlog.
 * @param group a group, or ::CM_BACKLOG_ALL_GROUPS.
 * @param index the snapshot, 0..nsnapshots − 1.
 * @param[out] out the counts and ages.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_ERANGE @p group or @p index is out of range.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_backlog_snapshot(const cm_backlog *backlog, uint32_t group,
                                                  size_t index, cm_backlog_point *out);

/**
 * Open tickets per age bucket of one group (or all) at one snapshot.
 *
 * @param backlog the backlog.
 * @param group a group, or ::CM_BACKLOG_ALL_GROUPS.
 * @param index the snapshot.
 * @param[out] counts receives nbounds + 1 counts, youngest bucket first.
 * @param cap capacity of @p counts in elements.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_ERANGE @p group or @p index is out of range.
 * @retval CM_ENOSPC @p cap is below nbounds + 1; @p counts is untouched.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_backlog_buckets(const cm_backlog *backlog, uint32_t group,
                                                 size_t index, uint64_t *counts, size_t cap);

/**
 * Quantiles of the open tickets' ages of one group (or all) at one snapshot,
 * from the cell's sketch (cm_sketch_quantiles(): numpy's definition, within 1 %).
 *
 * @param backlog a backlog created without ::CM_BACKLOG_NO_SKETCH.
 * @param group a group, or ::CM_BACKLOG_ALL_GROUPS.
 * @param index the snapshot.
 * @param qs the quantiles, each in [0, 1].
 * @param nq their number; @p qs and @p out may be NULL when it is 0.
 * @param[out] out the ages in seconds.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, a quantile is NaN or outside [0, 1], or the backlog
 *         keeps no sketches.
 * @retval CM_ERANGE @p group or @p index is out of range.
 * @retval CM_ENODATA no ticket was open at that snapshot.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_backlog_quantiles(const cm_backlog *backlog, uint32_t group,
                                                   size_t index, const double *qs, size_t nq,
                                                   double *out);

/**
 * Writes a backlog as portable bytes (format in `docs/backlog.md`).
 *
 * @param backlog the backlog.
 * @param[out] buf destination.
 * @param cap capacity of @p buf in bytes.
 * @param[out] written bytes written; on ::CM_ENOSPC, the size needed.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_ENOSPC @p cap is too small; @p written holds the size needed and @p buf is untouched.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_backlog_serialize(const cm_backlog *backlog, uint8_t *buf,
                                                   size_t cap, size_t *written);

/**
 * Builds a new backlog from bytes written by cm_backlog_serialize(). Allocates once.
 *
 * @param buf the bytes.
 * @param len their number.
 * @param calendar the business calendar when the bytes are of a business-time backlog (the
 *        same calendar as the writer's), else NULL.
 * @param alloc memory functions for the new backlog, or NULL.
 * @param[out] out the new backlog.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p calendar is given for calendar-time bytes or
 *         missing for business-time bytes, or @p alloc lacks a function.
 * @retval CM_EPARSE the bytes are truncated, corrupt, of another kind or format version, or
 *         describe a backlog no additions could produce.
 * @retval CM_ERANGE the snapshots lie outside the calendar's range.
 * @retval CM_ENOMEM out of memory.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_backlog_deserialize(const uint8_t *buf, size_t len,
                                                     const cm_calendar *calendar,
                                                     const cm_allocator *alloc, cm_backlog **out);

/**
 * Merges serialized bytes into @p backlog without building a backlog from them.
 *
 * @param backlog the backlog that receives the tickets.
 * @param buf bytes written by cm_backlog_serialize() for a backlog of the same set-up.
 * @param len their number.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or the bytes are of a different set-up.
 * @retval CM_EPARSE the bytes are invalid (see cm_backlog_deserialize()); @p backlog is unchanged.
 * @retval CM_EOVERFLOW the ticket count would exceed `UINT64_MAX`; @p backlog is unchanged.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_backlog_merge_serialized(cm_backlog *backlog, const uint8_t *buf,
                                                          size_t len);

/**
 * Size of a backlog struct in this build of the library, for bindings that mirror the structs.
 *
 * @param name `"cm_backlog_config"`, `"cm_backlog_point"` or `"cm_backlog_summary"`.
 * @return the size in bytes, or 0 for an unknown name or NULL.
 * @since 0.2
 */
CM_API size_t cm_backlog_sizeof(const char *name);

/**
 * Value of a backlog macro in this build of the library, for bindings.
 *
 * @param name `"CM_BACKLOG_OPEN"`, `"CM_BACKLOG_MAX_SNAPSHOTS"`, `"CM_BACKLOG_MAX_BOUNDS"`,
 *        `"CM_BACKLOG_MAX_GROUPS"`, `"CM_BACKLOG_MAX_CELLS"`, `"CM_BACKLOG_ALL_GROUPS"` or
 *        `"CM_BACKLOG_NO_SKETCH"`.
 * @param[out] out the value.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_ENOTFOUND no backlog constant has that name.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_backlog_constant(const char *name, int64_t *out);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CAREMETRICS_BACKLOG_H */
