/*
 * libcaremetrics — the ticket-table engine: columns of tickets in, a grouped,
 * mergeable report of every KPI out.
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_TABLE_H
#define CAREMETRICS_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <caremetrics/calendar.h>
#include <caremetrics/common.h>
#include <caremetrics/contact.h>
#include <caremetrics/kpi.h>
#include <caremetrics/sla.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup table Table: the ticket-table engine
 * @brief The whole KPI report of a ticket history, from columns, grouped, mergeable.
 *
 * A ::cm_table_report folds blocks of ticket rows, given as column pointers
 * (::cm_table_columns), into per-group accumulators: counts, CSAT, NPS and
 * CES, first contact resolution, reopen and escalation rates, first reply
 * and resolution times in calendar and business time (mean and quantiles,
 * from sketches or exact), abandonment and the service level of real-time
 * contacts, handle times, the share of first replies within their SLA
 * target and SLA attainment per metric and priority. What the report
 * measures is fixed when it is created from a ::cm_table_spec:
 *
 * - **keys**: any number (up to ::CM_TABLE_MAX_KEYS) of categorical columns
 *   given as small integer codes with labels, such as channel, priority,
 *   team or brand. Nothing about their names or values is built in.
 * - **groupings**: the groups to report, each a set of keys and optionally a
 *   time bucket of the creation instant (hour, day, ISO week, month,
 *   N-minute interval, time of day or weekday) in the calendar's time zone.
 *   The empty grouping is the whole history.
 * - the business **calendar** for business times and local time, and the
 *   **SLA policy** with the key that holds each ticket's priority.
 *
 * Every row is validated; a row with an impossible value (a reply before
 * creation, a CSAT answer of 6, a key code without a label, an instant
 * outside the calendars' years 1..9999, a negative wait) is counted as a
 * bad row, with its number, column, value and what was expected kept for
 * the first ::CM_TABLE_BAD_ROWS_KEPT of them, and the other rows are
 * folded. A KPI whose column is absent has no data (::CM_ENODATA), it is
 * never computed from defaults.
 *
 * Memory is allocated once, by cm_table_report_new(), sized from the key
 * cardinalities, the groupings and the capacities of the spec; folding a
 * block (cm_table_report_add()), merging and finishing allocate nothing.
 * Reports built from equal specs merge exactly, in any order and grouping,
 * and serialize to portable, versioned bytes, so partial reports from
 * threads, processes or machines combine bit for bit into the single-pass
 * report. A report is used by one thread at a time; after
 * cm_table_report_finish() its results may be read by any number of
 * threads at once. The calendar and policy a report was created with must
 * outlive it.
 *
 * The KPI definitions and the rules of each column are in `docs/table.md`.
 *
 * @code
 * static const char *const channels[] = {"phone", "chat", "email"};
 * const cm_table_key keys[] = {{"channel", 3, 1, 0, channels}};
 * const cm_table_grouping groupings[] = {{0, CM_TABLE_BUCKET_NONE, 0, 0},          // all
 *                                        {1u << 0, CM_TABLE_BUCKET_NONE, 0, 0}};  // by channel
 * cm_table_spec spec;
 * cm_table_spec_init(&spec);
 * spec.keys = keys;
 * spec.nkeys = 1;
 * spec.groupings = groupings;
 * spec.ngroupings = 2;
 * cm_table_report *rep;
 * if (cm_table_report_new(&spec, NULL, &rep) != CM_OK)
 *     return;
 * const void *key_columns[] = {channel_codes};        // uint8_t per row
 * cm_table_columns block;
 * cm_table_columns_init(&block);
 * block.rows = n;
 * block.created = created;                            // cm_time per row
 * block.first_reply = first_reply;                    // CM_TABLE_NO_TIME when none
 * block.csat = csat;                                  // CM_SCORE_NONE when no answer
 * block.keys = key_columns;
 * cm_status st = cm_table_report_add(rep, &block);
 * st = cm_table_report_finish(rep);
 * for (size_t g = 0; g < cm_table_report_group_count(rep); g++) {
 *     cm_csat_summary csat;
 *     if (cm_table_report_csat(rep, g, 0.95, &csat) == CM_OK)
 *         printf("%zu: CSAT %.1f %%\n", g, 100 * csat.satisfied.value);
 * }
 * cm_table_report_free(rep);
 * @endcode
 * @{
 */

/** @file caremetrics/table.h
 *  @brief The ticket-table engine: grouped, mergeable KPI reports over ticket columns. */

/** A missing instant in an instant column (no first reply yet, not solved). */
#define CM_TABLE_NO_TIME INT64_MIN
/** Most key columns a spec may declare. */
#define CM_TABLE_MAX_KEYS 16
/** Most groupings a spec may declare. */
#define CM_TABLE_MAX_GROUPINGS 16
/** Most codes of one key. */
#define CM_TABLE_MAX_CODES 65536
/** Longest key label or key name in bytes, without the terminating NUL. */
#define CM_TABLE_LABEL_MAX 63
/** Most quantiles a spec may ask for. */
#define CM_TABLE_MAX_QUANTILES 8
/** Bad rows described in detail (the first ones by row number); all are counted. */
#define CM_TABLE_BAD_ROWS_KEPT 16
/** In ::cm_table_group, the code of a key the group's grouping does not use. */
#define CM_TABLE_ALL_CODES UINT32_MAX
/** Longest wait or handle time accepted, in seconds (about 31.7 years). */
#define CM_TABLE_MAX_SECONDS 1e9
/** Most contacts one row may count. */
#define CM_TABLE_MAX_CONTACTS 1000000u

/** Time buckets of a grouping (of the creation instant, in the calendar's zone). Pinned. */
typedef enum cm_table_bucket {
    CM_TABLE_BUCKET_NONE = 0,        /**< No time bucket. */
    CM_TABLE_BUCKET_MINUTES = 1,     /**< N-minute intervals of local time (N divides a day). */
    CM_TABLE_BUCKET_HOUR = 2,        /**< Hours of local time. */
    CM_TABLE_BUCKET_DAY = 3,         /**< Local dates. */
    CM_TABLE_BUCKET_WEEK = 4,        /**< ISO weeks (Monday to Sunday) of local dates. */
    CM_TABLE_BUCKET_MONTH = 5,       /**< Calendar months of local dates. */
    CM_TABLE_BUCKET_TIME_OF_DAY = 6, /**< N-minute slots of the local day, over all dates. */
    CM_TABLE_BUCKET_WEEKDAY = 7      /**< ISO weekday (1 Monday .. 7 Sunday), over all dates. */
} cm_table_bucket;

/** How a report computes quantiles of durations. Pinned. */
typedef enum cm_table_quantile_mode {
    CM_TABLE_QUANTILES_SKETCH = 0, /**< A ::cm_sketch per group and metric: within 1 %. */
    CM_TABLE_QUANTILES_EXACT = 1,  /**< Exact (numpy's default method) from the kept durations. */
    CM_TABLE_QUANTILES_NONE = 2    /**< No quantiles: counts, means, minimum and maximum only. */
} cm_table_quantile_mode;

/** Durations a report measures per ticket, in whole seconds. Pinned. */
typedef enum cm_table_duration_metric {
    CM_TABLE_FIRST_REPLY = 0,          /**< `first_reply - created`, calendar seconds. */
    CM_TABLE_FIRST_REPLY_BUSINESS = 1, /**< The same in the business seconds of the calendar. */
    CM_TABLE_RESOLUTION = 2,           /**< `solved - created`, calendar seconds. */
    CM_TABLE_RESOLUTION_BUSINESS = 3   /**< The same in business seconds. */
} cm_table_duration_metric;

/** Number of ::cm_table_duration_metric values. */
#define CM_TABLE_DURATION_COUNT 4

/** Ratio KPIs of a group. Pinned. */
typedef enum cm_table_rate_kpi {
    CM_TABLE_FCR = 0,        /**< Solved tickets with `contacts` 1 / solved tickets. */
    CM_TABLE_REOPEN = 1,     /**< Solved tickets reopened / solved tickets. */
    CM_TABLE_ESCALATION = 2, /**< Escalated tickets / tickets. */
    CM_TABLE_ABANDONMENT =
        3,               /**< Abandoned / offered real-time contacts, short abandons excluded. */
    CM_TABLE_SOLVED = 4, /**< Solved tickets / tickets. */
    CM_TABLE_REPLIED = 5 /**< Tickets with a first reply / tickets. */
} cm_table_rate_kpi;

/** Number of ::cm_table_rate_kpi values. */
#define CM_TABLE_RATE_COUNT 6

/** The built-in columns of ::cm_table_columns, as named in bad-row reports. Pinned. */
typedef enum cm_table_column {
    CM_TABLE_COL_CREATED = 0,     /**< `created_at` */
    CM_TABLE_COL_FIRST_REPLY = 1, /**< `first_reply_at` */
    CM_TABLE_COL_SOLVED = 2,      /**< `solved_at` */
    CM_TABLE_COL_CONTACTS = 3,    /**< `contacts` */
    CM_TABLE_COL_REOPENED = 4,    /**< `reopened` */
    CM_TABLE_COL_ESCALATED = 5,   /**< `escalated` */
    CM_TABLE_COL_ABANDONED = 6,   /**< `abandoned` */
    CM_TABLE_COL_CSAT = 7,        /**< `csat` */
    CM_TABLE_COL_NPS = 8,         /**< `nps` */
    CM_TABLE_COL_CES = 9,         /**< `ces` */
    CM_TABLE_COL_WAIT = 10,       /**< `wait_seconds` */
    CM_TABLE_COL_HANDLE = 11      /**< `handle_seconds` */
} cm_table_column;

/** Number of built-in columns; key column k is named by column number `CM_TABLE_COLUMN_COUNT + k`. */
#define CM_TABLE_COLUMN_COUNT 12

/** Spec flag: also judge SLA attainment (every instance, open tickets included). */
#define CM_TABLE_SLA_ATTAINMENT 0x1u
/** Spec flag (set by cm_table_spec_init()): keep the contact counters of real-time
 *  contacts for the service level and ASA (cm_table_report_contact()). */
#define CM_TABLE_CONTACTS 0x2u

/**
 * A categorical key column: codes 0 .. `cardinality - 1`, each with a label.
 *
 * Labels given here are copied; a key without them (`labels` NULL) starts
 * with no labels, and codes get theirs from cm_table_report_intern() (for
 * readers that learn the values from the data). A row whose code has no
 * label is a bad row. Reports merge groups by label, so two reports whose
 * codes differ for the same labels merge correctly.
 */
typedef struct cm_table_key {
    const char *name;          /**< Column name, 1 .. ::CM_TABLE_LABEL_MAX bytes (copied). */
    uint32_t cardinality;      /**< Codes the key may hold, 1 .. ::CM_TABLE_MAX_CODES. */
    uint32_t width;            /**< Bytes per code in ::cm_table_columns: 1, 2 or 4. */
    uint32_t reserved;         /**< Must be 0. */
    const char *const *labels; /**< `cardinality` distinct labels, or NULL. */
} cm_table_key;

/** A grouping: the keys it groups by and its time bucket. */
typedef struct cm_table_grouping {
    uint32_t keys;     /**< Bit k set: grouped by key k. 0 with no bucket: the whole history. */
    uint32_t bucket;   /**< A ::cm_table_bucket. */
    uint32_t minutes;  /**< For ::CM_TABLE_BUCKET_MINUTES and ::CM_TABLE_BUCKET_TIME_OF_DAY:
                           the interval, a divisor of 1440; else 0. */
    uint32_t capacity; /**< Groups it can hold when hashed (a time bucket, or over 4,096
                            code combinations); 0: the spec's `group_capacity`. */
} cm_table_grouping;

/**
 * What a report measures. Fill one with cm_table_spec_init(), then set what
 * differs. Everything is read (and copied) by cm_table_report_new(); the
 * calendars and the policy are referenced, not copied.
 */
typedef struct cm_table_spec {
    uint32_t size;            /**< `sizeof(cm_table_spec)`, set by cm_table_spec_init(). */
    uint32_t flags;           /**< ::CM_TABLE_SLA_ATTAINMENT, ::CM_TABLE_CONTACTS. */
    const cm_table_key *keys; /**< The key columns; may be NULL when @ref nkeys is 0. */
    size_t nkeys;             /**< 0 .. ::CM_TABLE_MAX_KEYS. */
    const cm_table_grouping *groupings; /**< NULL when @ref ngroupings is 0. */
    size_t
        ngroupings; /**< 0 .. ::CM_TABLE_MAX_GROUPINGS; 0 means one grouping, the whole history. */
    const cm_calendar *calendar; /**< Business hours and local time; NULL: no business
                                      times, buckets in UTC. */
    const cm_sla_policy *policy; /**< SLA targets; NULL: no SLA figures. */
    const cm_calendar *const *policy_calendars; /**< The calendars the policy's targets name
                                                     by index; NULL: `{calendar}`. */
    size_t npolicy_calendars; /**< Entries in @ref policy_calendars; 0 exactly when it is NULL. */
    int32_t priority_key;     /**< Index of the key holding each ticket's priority, or -1. */
    uint32_t reserved0;       /**< Must be 0. */
    const uint8_t *priority_levels; /**< Per code of the priority key, its ::cm_sla_priority
                                         (0 none, 1 low .. 4 urgent); NULL: the code itself. */
    cm_time as_of;                  /**< Instant open tickets are judged at (SLA attainment);
                        ::CM_TABLE_NO_TIME: the latest instant of any row. */
    uint32_t quantile_mode;         /**< A ::cm_table_quantile_mode. */
    uint32_t quantile_metrics;      /**< Bit m set: quantiles of ::cm_table_duration_metric m. */
    const double *quantiles;        /**< Probabilities in [0, 1]; NULL: 0.5, 0.9, 0.99. */
    size_t nquantiles;             /**< 1 .. ::CM_TABLE_MAX_QUANTILES when @ref quantiles is set. */
    double short_abandon_seconds;  /**< Abandons after a shorter wait are left out of the
                                       abandonment rate; default 5. */
    double service_target_seconds; /**< T of the service level; default 20. */
    uint32_t csat_scale;           /**< CSAT answers 1..K; 0: ::CM_CSAT_DEFAULT_SCALE. */
    uint32_t csat_satisfied_min;   /**< 0: ::CM_CSAT_DEFAULT_SATISFIED. */
    uint32_t ces_scale;            /**< 0: ::CM_CES_DEFAULT_SCALE. */
    uint32_t ces_easy_min;         /**< 0: ::CM_CES_DEFAULT_EASY_MIN. */
    uint32_t ces_easy_max;         /**< 0: ::CM_CES_DEFAULT_EASY_MAX. */
    uint32_t duration_metrics;     /**< Bit m set: measure ::cm_table_duration_metric m (all four
                                    after cm_table_spec_init(); fewer make folding cheaper). */
    uint64_t row_capacity;         /**< Tickets the report can keep durations of, for exact
                                quantiles; 0 unless ::CM_TABLE_QUANTILES_EXACT. */
    uint64_t open_capacity;        /**< Open tickets SLA attainment can hold undecided when judged
                                 at the latest instant (see `docs/table.md`); 0: 65,536. */
    uint64_t group_capacity;       /**< Groups each hashed grouping can hold (one with a time bucket
                                  or over 4,096 code combinations); 0: 1,024. */
    uint64_t reserved[3];          /**< Must be 0. */
} cm_table_spec;

/**
 * One block of rows: a pointer per column, NULL for a column the data does
 * not have. Only `created` is required. Fill one with cm_table_columns_init().
 */
typedef struct cm_table_columns {
    uint32_t size;              /**< `sizeof(cm_table_columns)`, set by cm_table_columns_init(). */
    uint32_t reserved;          /**< Must be 0. */
    size_t rows;                /**< Rows in the block. */
    const cm_time *created;     /**< Creation instants (required; never missing). */
    const cm_time *first_reply; /**< First public agent reply, or ::CM_TABLE_NO_TIME. */
    const cm_time *solved;      /**< Solve instant, or ::CM_TABLE_NO_TIME while open. */
    const uint32_t
        *contacts;           /**< Customer contacts the issue took, 1 .. ::CM_TABLE_MAX_CONTACTS. */
    const uint8_t *reopened; /**< 0 / 1. */
    const uint8_t *escalated;     /**< 0 / 1. */
    const uint8_t *abandoned;     /**< 0 / 1: a real-time contact that hung up (not a ticket). */
    const uint8_t *csat;          /**< Answer on the CSAT scale, or ::CM_SCORE_NONE. */
    const uint8_t *nps;           /**< 0..10, or ::CM_SCORE_NONE. */
    const uint8_t *ces;           /**< Answer on the CES scale, or ::CM_SCORE_NONE. */
    const double *wait_seconds;   /**< Queue wait of a real-time contact, or NaN. */
    const double *handle_seconds; /**< Agent handle time, or NaN. */
    const void *const *keys;      /**< One code column per key of the spec (element size per
                                  ::cm_table_key::width); NULL when the spec has no keys. */
    const uint64_t *row_numbers;  /**< Numbers naming rows in bad-row reports (file lines,
                                      say); NULL: `first_row + i`. */
    uint64_t first_row;           /**< See @ref row_numbers. */
    uint64_t reserved1[4];        /**< Must be 0. */
} cm_table_columns;

/** A ticket-table report (opaque): the spec, its groups and their accumulators. */
typedef struct cm_table_report cm_table_report;

/** A group of a finished report. */
typedef struct cm_table_group {
    uint32_t grouping;                 /**< Index of its grouping in the spec. */
    uint32_t reserved;                 /**< Zero. */
    uint32_t codes[CM_TABLE_MAX_KEYS]; /**< Code of each key, ::CM_TABLE_ALL_CODES for keys
                                            the grouping does not use. */
    cm_time start;                     /**< Start of its time bucket (the first instant in it), or
                        ::CM_TABLE_NO_TIME for no bucket and the cyclic buckets. */
    cm_time end;        /**< End of its time bucket (exclusive), or ::CM_TABLE_NO_TIME. */
    int64_t slot;       /**< Time-of-day slot (0-based) or ISO weekday of a cyclic bucket;
                        for the others the bucket's ordinal; 0 without bucket. */
    int32_t utc_offset; /**< Local time minus UTC at the bucket's start, in seconds. */
    uint32_t reserved1; /**< Zero. */
} cm_table_group;

/** Counts of a group. */
typedef struct cm_table_counts {
    uint64_t rows;         /**< Good rows in the group: tickets and abandoned contacts. */
    uint64_t tickets;      /**< Rows that are tickets (not abandoned). */
    uint64_t abandoned;    /**< Abandoned real-time contacts. */
    uint64_t replied;      /**< Tickets with a first reply. */
    uint64_t solved;       /**< Solved tickets. */
    uint64_t handled;      /**< Rows with a handle time. */
    double handle_seconds; /**< Their total handle time (microseconds summed exactly). */
    cm_time first_created; /**< Earliest creation instant (::CM_TABLE_NO_TIME when empty). */
    cm_time last_created;  /**< Latest creation instant. */
} cm_table_counts;

/** A duration KPI of a group. */
typedef struct cm_table_duration {
    uint64_t n;           /**< Tickets measured. */
    double mean_seconds;  /**< Mean (exact). */
    double total_seconds; /**< Sum (exact). */
    double min_seconds;   /**< Smallest. */
    double max_seconds;   /**< Largest. */
    uint32_t nquantiles;  /**< Quantiles filled in @ref quantiles (0 without them). */
    bool exact;           /**< Quantiles are exact (else sketch estimates within 1 %). */
    uint8_t reserved[3];  /**< Zero. */
    double quantiles[CM_TABLE_MAX_QUANTILES]; /**< At the spec's probabilities, in order. */
} cm_table_duration;

/** SLA figures of one metric and priority in a group. */
typedef struct cm_table_sla {
    uint64_t achieved;      /**< Instances stopped within target. */
    uint64_t breached;      /**< Stopped late, or running past due at the judging instant. */
    uint64_t open;          /**< Running within target at the judging instant. */
    cm_proportion attained; /**< achieved / (achieved + breached), Wilson interval. */
    double mean_seconds;    /**< Mean elapsed of the stopped instances, in the target's clock. */
    int64_t target_seconds; /**< The target (0 when the group mixes priorities). */
    bool business;          /**< The target counts business time. */
    uint8_t reserved[7];    /**< Zero. */
} cm_table_sla;

/** A bad row: where, and what was wrong. */
typedef struct cm_table_bad_row {
    uint64_t row;      /**< Its number (see ::cm_table_columns::row_numbers). */
    char column[64];   /**< The column's name. */
    char value[48];    /**< The offending value as text (shortened to fit). */
    char expected[80]; /**< What the column accepts. */
} cm_table_bad_row;

/* ------------------------------------------------------------------------ */
/* Creation                                                                 */
/* ------------------------------------------------------------------------ */

/**
 * Fills a spec with the defaults: no keys, one grouping (the whole history),
 * no calendar, no policy, sketch quantiles of all four durations at 0.5,
 * 0.9 and 0.99, short abandons under 5 s, a 20-second service target,
 * the default survey scales, open tickets judged at the latest instant.
 *
 * @param[out] spec the spec.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p spec is NULL.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_table_spec_init(cm_table_spec *spec);

/**
 * Prepares a block with every column absent and `size` set.
 *
 * @param[out] columns the block.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p columns is NULL.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_table_columns_init(cm_table_columns *columns);

/**
 * Converts instants counted in ticks of a fixed unit since
 * 1970-01-01T00:00:00Z (numpy and pandas `datetime64` in s, ms, us or ns,
 * Arrow timestamps) into the Unix seconds of an instant column. Each value
 * is divided by @p ticks_per_second rounding toward the past (floor: -1 ms
 * is -1 s, 1999 ms is 1 s), so an instant falls in the second that holds
 * it; ::CM_TABLE_NO_TIME (`INT64_MIN`, which is numpy's NaT) stays
 * ::CM_TABLE_NO_TIME. No other value becomes ::CM_TABLE_NO_TIME when
 * @p ticks_per_second is above 1. One pass, no allocation; the divisions by
 * 10^3, 10^6 and 10^9 are multiplications.
 *
 * @code
 * const int64_t ns[] = {1736150399999999999, -1, CM_TABLE_NO_TIME};
 * cm_time s[3];
 * cm_status st = cm_table_instants_from_ticks(ns, 3, 1000000000, s);
 * // s = {1736150399, -1, CM_TABLE_NO_TIME}
 * @endcode
 *
 * @param ticks @p n instants in ticks; NULL only when @p n is 0.
 * @param n number of instants.
 * @param ticks_per_second ticks in a second, at least 1: 1 (s), 1000 (ms),
 *        1000000 (us), 1000000000 (ns) or any other.
 * @param[out] out @p n Unix seconds; may be @p ticks itself (in place).
 * @retval CM_OK success.
 * @retval CM_EINVAL @p ticks or @p out is NULL while @p n is above 0, or
 *         @p ticks_per_second is below 1.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_table_instants_from_ticks(const int64_t *ticks, size_t n,
                                                           int64_t ticks_per_second, cm_time *out);

/**
 * Converts survey answers held as doubles (a float column with NaN for "no
 * answer", as pandas holds answers that may be missing) into an answer
 * column: NaN gives ::CM_SCORE_NONE and a whole number from 0 to 254 gives
 * itself. Any other value (a fraction, a negative number, 255 or more, an
 * infinity) is unusable: it also gives ::CM_SCORE_NONE and is counted in
 * @p unusable, so that the caller can report those rows. Whether an answer
 * is on its survey's scale is left to cm_table_report_add(), which counts
 * the row as bad when it is not. One pass, no allocation.
 *
 * @param values @p n answers; NULL only when @p n is 0.
 * @param n number of answers.
 * @param[out] out @p n answers (uint8), ::CM_SCORE_NONE for no answer.
 * @param[out] unusable number of unusable values.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p unusable is NULL, or @p values or @p out is NULL while
 *         @p n is above 0.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_table_scores_from_doubles(const double *values, size_t n,
                                                           uint8_t *out, size_t *unusable);

/**
 * Converts counts held as 64-bit integers (the int64 columns of numpy and
 * pandas) into a `contacts` column: a value from 0 to `UINT32_MAX` gives
 * itself; a negative or larger value is unusable: it gives 0 and is counted
 * in @p unusable, so that the caller can report those rows. Whether a count
 * is in the column's range (::CM_TABLE_MAX_CONTACTS) is left to
 * cm_table_report_add(). One pass, no allocation.
 *
 * @param values @p n counts; NULL only when @p n is 0.
 * @param n number of counts.
 * @param[out] out @p n counts (uint32).
 * @param[out] unusable number of unusable values.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p unusable is NULL, or @p values or @p out is NULL while
 *         @p n is above 0.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_table_counts_from_int64(const int64_t *values, size_t n,
                                                         uint32_t *out, size_t *unusable);

/**
 * Creates an empty report. All the memory the report will use is allocated
 * here and written once, so folding causes no allocation and no page faults.
 *
 * @param spec what to measure (see ::cm_table_spec); copied, except the
 *        calendars and policy it points to, which must outlive the report.
 * @param alloc memory functions, or NULL for malloc and free.
 * @param[out] out the report; free it with cm_table_report_free().
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL; `size` or a reserved field is wrong; a key has
 *         no name, a bad width or cardinality (a width too small for it), duplicate,
 *         empty or too long labels; a grouping names an undeclared key or has a bad
 *         bucket or interval; the priority key or its levels are invalid; a policy
 *         without the calendars its targets need; bad quantiles, thresholds or scales;
 *         ::CM_TABLE_QUANTILES_EXACT without `row_capacity`; an allocator without both
 *         functions.
 * @retval CM_EOVERFLOW the groups or capacities asked for do not fit in memory sizes.
 * @retval CM_ENOMEM out of memory.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_table_report_new(const cm_table_spec *spec,
                                                  const cm_allocator *alloc, cm_table_report **out);

/**
 * Frees a report.
 *
 * @param report the report, or NULL (nothing happens).
 * @since 0.2
 */
CM_API void cm_table_report_free(cm_table_report *report);

/**
 * Empties a report, keeping its spec, memory and labels.
 *
 * @param report the report.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p report is NULL.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_table_report_reset(cm_table_report *report);

/* ------------------------------------------------------------------------ */
/* Folding                                                                  */
/* ------------------------------------------------------------------------ */

/**
 * Folds a block of rows into the report.
 *
 * Every row is validated first (`docs/table.md` lists the checks); bad rows
 * are counted and described (cm_table_report_rows()) and the good rows
 * folded. A ticket is a row whose `abandoned` is 0 or absent; an abandoned
 * row is a real-time contact only. A row with a wait time or an abandon is a
 * real-time contact offered to a queue.
 *
 * All or nothing: on an error status other than ::CM_EOVERFLOW the report is
 * unchanged.
 *
 * @param report the report.
 * @param columns the block; its column pointers must each hold `rows` elements.
 * @retval CM_OK success (bad rows are not an error).
 * @retval CM_EINVAL a pointer is NULL (the report, the block, `created`, or the key
 *         columns when the spec has keys); wrong `size` or reserved fields.
 * @retval CM_ENOSPC a hashed grouping would need more groups than its capacity (or
 *         `group_capacity`), the block's rows would not fit in what is left of
 *         `row_capacity` (exact quantiles), or its unsolved rows in what is left of
 *         `open_capacity`.
 * @retval CM_EOVERFLOW a total overflowed; every result of the report is then
 *         ::CM_EOVERFLOW until cm_table_report_reset().
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_table_report_add(cm_table_report *report,
                                                  const cm_table_columns *columns);

/**
 * Counts a row the caller could not turn into values (say an unparsable
 * line of a file) as a bad row of the report, with its description.
 *
 * @param report the report.
 * @param bad the row's number and description (strings are truncated to fit).
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, or a string of @p bad is not NUL-terminated.
 * @retval CM_EOVERFLOW the count of rows would overflow.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_table_report_add_bad_row(cm_table_report *report,
                                                          const cm_table_bad_row *bad);

/**
 * The code of a label of a key, adding the label when the key does not have
 * it yet (for readers that learn a key's values from the data).
 *
 * @param report the report.
 * @param key index of the key in the spec.
 * @param label the label's bytes (need not be NUL-terminated); no NUL inside.
 * @param len its length, 1 .. ::CM_TABLE_LABEL_MAX.
 * @param[out] code the label's code.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p key is out of range, or the label is empty,
 *         too long or holds a NUL byte.
 * @retval CM_ENOSPC the key already has `cardinality` labels.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_table_report_intern(cm_table_report *report, size_t key,
                                                     const char *label, size_t len, uint32_t *code);

/**
 * Adds the groups of @p src into @p dst, exactly. Both must come from equal
 * specs (keys by name and cardinality, groupings, quantile settings,
 * thresholds, scales, SLA targets). Groups are matched by key labels, so
 * reports whose readers numbered the same labels differently merge
 * correctly; labels @p dst lacks are added.
 *
 * All or nothing: on an error status @p dst is unchanged.
 *
 * @param dst the report to add into.
 * @param src the report to add; not changed.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p dst is @p src, or the specs differ.
 * @retval CM_ENOSPC @p dst lacks room for the groups, labels, kept durations or open tickets.
 * @retval CM_EOVERFLOW a count would overflow.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_table_report_merge(cm_table_report *dst,
                                                    const cm_table_report *src);

/* ------------------------------------------------------------------------ */
/* Serialization                                                            */
/* ------------------------------------------------------------------------ */

/**
 * Writes a report as portable, versioned, checksummed bytes: a fingerprint
 * of its spec, its labels, its non-empty groups, its bad rows and its kept
 * durations and open tickets.
 *
 * @param report the report.
 * @param[out] buf the bytes; may be NULL when @p cap is 0.
 * @param cap capacity of @p buf.
 * @param[out] len bytes written; on ::CM_ENOSPC the size needed.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p report or @p len is NULL, or @p buf is NULL with @p cap > 0.
 * @retval CM_ENOSPC @p cap is too small; @p len holds the size needed.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_table_report_serialize(const cm_table_report *report, uint8_t *buf,
                                                        size_t cap, size_t *len);

/**
 * Merges serialized bytes (from cm_table_report_serialize() of a report with
 * an equal spec, on any machine) into a report, as cm_table_report_merge()
 * would merge that report. The bytes are checked completely first.
 *
 * @param dst the report to add into.
 * @param buf the bytes.
 * @param len their length.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, or the bytes come from a different spec.
 * @retval CM_EPARSE the bytes are truncated, corrupt or of an unknown version.
 * @retval CM_ENOSPC @p dst lacks room (see cm_table_report_merge()).
 * @retval CM_EOVERFLOW a count would overflow.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_table_report_merge_bytes(cm_table_report *dst, const uint8_t *buf,
                                                          size_t len);

/* ------------------------------------------------------------------------ */
/* Results                                                                  */
/* ------------------------------------------------------------------------ */

/**
 * Prepares the results after the last fold or merge: orders the groups,
 * computes the quantiles and judges the open tickets. The result functions
 * read what this prepared; after another fold or merge, call it again (they
 * return ::CM_EINVAL until then). Allocates nothing.
 *
 * @param report the report.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p report is NULL.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_table_report_finish(cm_table_report *report);

/**
 * Number of groups of a finished report: the non-empty groups of every
 * grouping, ordered by grouping, then key codes, then time bucket. The
 * whole-history grouping always has its group, even when empty.
 *
 * @param report the report.
 * @return the number of groups; 0 when @p report is NULL or not finished.
 * @since 0.2
 */
CM_API size_t cm_table_report_group_count(const cm_table_report *report);

/**
 * Describes group @p index of a finished report.
 *
 * @param report the report.
 * @param index 0 .. cm_table_report_group_count() - 1.
 * @param[out] out the group.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, or the report is not finished.
 * @retval CM_ERANGE @p index is out of range.
 * @retval CM_EOVERFLOW a total overflowed while folding (see cm_table_report_add()).
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_table_report_group(const cm_table_report *report, size_t index,
                                                    cm_table_group *out);

/**
 * The label of a code of a key.
 *
 * @param report the report.
 * @param key index of the key.
 * @param code the code.
 * @return the NUL-terminated label (owned by the report), or NULL when the key or
 *         code is out of range or the code has no label.
 * @since 0.2
 */
CM_API const char *cm_table_report_label(const cm_table_report *report, size_t key, uint32_t code);

/**
 * Rows folded, bad rows and the bad rows kept.
 *
 * @param report the report.
 * @param[out] rows rows seen (good and bad); may be NULL.
 * @param[out] bad rows found bad; may be NULL.
 * @param[out] out room for up to @p cap kept bad rows, first by row number; may be NULL
 *        when @p cap is 0.
 * @param cap capacity of @p out.
 * @param[out] n bad rows written to @p out; may be NULL.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p report is NULL, or @p out is NULL with @p cap > 0.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_table_report_rows(const cm_table_report *report, uint64_t *rows,
                                                   uint64_t *bad, cm_table_bad_row *out, size_t cap,
                                                   size_t *n);

/**
 * The counts of a group.
 *
 * @param report a finished report.
 * @param group the group's index.
 * @param[out] out the counts.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or the report is not finished.
 * @retval CM_ERANGE @p group is out of range.
 * @retval CM_EOVERFLOW a total overflowed while folding (see cm_table_report_add()).
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_table_report_counts(const cm_table_report *report, size_t group,
                                                     cm_table_counts *out);

/**
 * A ratio KPI of a group with its Wilson interval.
 *
 * @param report a finished report.
 * @param group the group's index.
 * @param kpi a ::cm_table_rate_kpi.
 * @param confidence confidence level in (0, 1).
 * @param[out] out the proportion.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, the report is not finished, @p kpi is unknown
 *         or @p confidence is outside (0, 1).
 * @retval CM_ERANGE @p group is out of range.
 * @retval CM_EOVERFLOW a total overflowed while folding (see cm_table_report_add()).
 * @retval CM_ENODATA the column it needs was absent from every block, or the denominator is 0.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_table_report_rate(const cm_table_report *report, size_t group,
                                                   uint32_t kpi, double confidence,
                                                   cm_proportion *out);

/**
 * CSAT of a group (see cm_csat_result()).
 *
 * @param report a finished report.
 * @param group the group's index.
 * @param confidence confidence level in (0, 1).
 * @param[out] out the summary.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, the report is not finished, or a bad confidence.
 * @retval CM_ERANGE @p group is out of range.
 * @retval CM_EOVERFLOW a total overflowed while folding (see cm_table_report_add()).
 * @retval CM_ENODATA no answers (or no `csat` column).
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_table_report_csat(const cm_table_report *report, size_t group,
                                                   double confidence, cm_csat_summary *out);

/**
 * NPS of a group (see cm_nps_result()).
 *
 * @param report a finished report.
 * @param group the group's index.
 * @param confidence confidence level in (0, 1).
 * @param[out] out the summary.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, the report is not finished, or a bad confidence.
 * @retval CM_ERANGE @p group is out of range.
 * @retval CM_EOVERFLOW a total overflowed while folding (see cm_table_report_add()).
 * @retval CM_ENODATA no answers (or no `nps` column).
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_table_report_nps(const cm_table_report *report, size_t group,
                                                  double confidence, cm_nps_summary *out);

/**
 * CES of a group (see cm_ces_result()).
 *
 * @param report a finished report.
 * @param group the group's index.
 * @param confidence confidence level in (0, 1).
 * @param[out] out the summary.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, the report is not finished, or a bad confidence.
 * @retval CM_ERANGE @p group is out of range.
 * @retval CM_EOVERFLOW a total overflowed while folding (see cm_table_report_add()).
 * @retval CM_ENODATA no answers (or no `ces` column).
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_table_report_ces(const cm_table_report *report, size_t group,
                                                  double confidence, cm_ces_summary *out);

/**
 * The survey accumulators of a group, to merge with others or serialize.
 *
 * @param report a finished report.
 * @param group the group's index.
 * @param[out] csat its CSAT answers; may be NULL.
 * @param[out] nps its NPS answers; may be NULL.
 * @param[out] ces its CES answers; may be NULL.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p report is NULL or not finished.
 * @retval CM_ERANGE @p group is out of range.
 * @retval CM_EOVERFLOW a total overflowed while folding (see cm_table_report_add()).
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_table_report_surveys(const cm_table_report *report, size_t group,
                                                      cm_csat *csat, cm_nps *nps, cm_ces *ces);

/**
 * A duration KPI of a group: count, mean, sum, extremes and quantiles.
 *
 * @param report a finished report.
 * @param group the group's index.
 * @param metric a ::cm_table_duration_metric.
 * @param[out] out the figures.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, the report is not finished or @p metric is unknown.
 * @retval CM_ERANGE @p group is out of range.
 * @retval CM_EOVERFLOW a total overflowed while folding (see cm_table_report_add()).
 * @retval CM_ENODATA no ticket measured (no column, no calendar for business time, or none
 *         in the group).
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_table_report_duration(const cm_table_report *report, size_t group,
                                                       uint32_t metric, cm_table_duration *out);

/**
 * The real-time contacts of a group that have a wait time, as a contact
 * counter with the spec's service target and short-abandon threshold: feed
 * it to cm_contact_service_level() and the other contact functions.
 *
 * @param report a finished report.
 * @param group the group's index.
 * @param[out] out the counter.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or the report is not finished.
 * @retval CM_ERANGE @p group is out of range.
 * @retval CM_EOVERFLOW a total overflowed while folding (see cm_table_report_add()).
 * @retval CM_ENODATA no `wait_seconds` column, or the spec lacks ::CM_TABLE_CONTACTS.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_table_report_contact(const cm_table_report *report, size_t group,
                                                      cm_contact *out);

/**
 * First replies within their SLA target: of the group's tickets that have a
 * priority with a first-reply target and a first reply, those whose reply
 * came within the target (in the target's clock).
 *
 * @param report a finished report.
 * @param group the group's index.
 * @param priority ::CM_SLA_PRIORITY_LOW .. ::CM_SLA_PRIORITY_URGENT, or
 *        ::CM_SLA_PRIORITY_ALL for every priority together.
 * @param confidence confidence level in (0, 1).
 * @param[out] out the proportion.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, the report is not finished, a bad priority or confidence.
 * @retval CM_ERANGE @p group is out of range.
 * @retval CM_EOVERFLOW a total overflowed while folding (see cm_table_report_add()).
 * @retval CM_ENODATA no policy, no target for the priority, or no replied ticket.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_table_report_reply_within(const cm_table_report *report,
                                                           size_t group, uint32_t priority,
                                                           double confidence, cm_proportion *out);

/**
 * SLA attainment of a metric at a priority in a group (with
 * ::CM_TABLE_SLA_ATTAINMENT): every ticket's instance judged as
 * cm_sla_evaluate() judges the history created → first reply → solved, open
 * tickets at the spec's `as_of` or the latest instant of any row.
 *
 * @param report a finished report.
 * @param group the group's index.
 * @param metric ::CM_SLA_FIRST_REPLY or ::CM_SLA_TOTAL_RESOLUTION (the metrics these
 *        columns can feed).
 * @param priority ::CM_SLA_PRIORITY_LOW .. ::CM_SLA_PRIORITY_URGENT, or ::CM_SLA_PRIORITY_ALL.
 * @param confidence confidence level in (0, 1).
 * @param[out] out the figures.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, the report is not finished, or a bad metric,
 *         priority or confidence.
 * @retval CM_ERANGE @p group is out of range.
 * @retval CM_EOVERFLOW a total overflowed while folding (see cm_table_report_add()).
 * @retval CM_ENODATA attainment was not asked for, the policy has no such target, or no
 *         instance was judged (all open, or none).
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_table_report_sla(const cm_table_report *report, size_t group,
                                                  uint32_t metric, uint32_t priority,
                                                  double confidence, cm_table_sla *out);

/**
 * The instant open tickets were judged at: the spec's `as_of`, or else, in a
 * report that judges SLA attainment (::CM_TABLE_SLA_ATTAINMENT with a policy
 * and a priority key), the latest instant of any row.
 *
 * @param report a finished report.
 * @param[out] out the instant, or ::CM_TABLE_NO_TIME when there is none (no `as_of`,
 *        and no attainment judged or no row folded).
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or the report is not finished.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_table_report_as_of(const cm_table_report *report, cm_time *out);

/**
 * Name of a column as bad-row reports and documents give it: the built-in
 * columns (`"created_at"`, ...) for numbers below ::CM_TABLE_COLUMN_COUNT.
 *
 * @param column a ::cm_table_column.
 * @return a static string, or `"unknown"`.
 * @since 0.2
 */
CM_API const char *cm_table_column_name(uint32_t column);

/**
 * Size of a public struct of this module, for bindings that mirror them.
 *
 * @param name `"cm_table_spec"`, `"cm_table_columns"`, `"cm_table_key"`,
 *        `"cm_table_grouping"`, `"cm_table_group"`, `"cm_table_counts"`,
 *        `"cm_table_duration"`, `"cm_table_sla"` or `"cm_table_bad_row"`.
 * @return its size in bytes, or 0 for an unknown name or NULL.
 * @since 0.2
 */
CM_API size_t cm_table_sizeof(const char *name);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CAREMETRICS_TABLE_H */
