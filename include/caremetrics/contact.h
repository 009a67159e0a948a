/*
 * libcaremetrics — contact-center interval counters: service level, ASA, AHT, abandonment.
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_CONTACT_H
#define CAREMETRICS_CONTACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <caremetrics/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup contact Contact: real-time channel intervals and service level
 * @brief Mergeable per-interval counters of a phone or chat queue and the KPIs read from them.
 *
 * A ::cm_contact counts the contacts of one interval (a half hour, a day, a
 * month): offered, answered, answered within the target time T, abandoned,
 * abandoned within T, short abandons, and the total wait and handle time.
 * From these come the service level in each of the industry's six
 * definitions (::cm_sl_variant), the abandonment rate, the average speed of
 * answer (ASA), the average handle time (AHT) and occupancy.
 *
 * Counters are plain structs: zero-initialise one (T = 20 s, short abandons
 * under 5 s) or call cm_contact_init(), then record contacts one by one or
 * from arrays. Two counters with the same thresholds merge exactly (in any
 * order or grouping), and serialize to portable, versioned bytes so interval
 * counts from many sites or processes combine to exactly the single-pass
 * result. Times are recorded in whole milliseconds, each contact's wait and
 * handle time rounded to the nearest millisecond, so totals are exact
 * integers. Counts read from an ACD report may also be written into the
 * fields directly; the result functions check that they are consistent.
 *
 * Nothing in this module allocates memory. The formulas are in
 * `docs/contact.md`; for a confidence interval pass the counts of
 * cm_contact_service_level_counts() to cm_rate().
 *
 * @code
 * cm_contact day = {0};                       // T = 20 s, short abandons < 5 s
 * cm_status st = cm_contact_add(&day, 12.0, 310.0, false);  // answered after 12 s
 * st = cm_contact_add(&day, 45.0, 0.0, true);                // hung up after 45 s
 * double sl;
 * if (cm_contact_service_level(&day, CM_SL_ABANDONS_AGAINST, &sl) == CM_OK)
 *     printf("SL %.1f %%\n", 100 * sl);        // 1 of 2 = 50.0 %
 * @endcode
 * @{
 */

/** @file caremetrics/contact.h
 *  @brief Contact-center interval counters, the six service-level variants, ASA, AHT, abandonment. */

/** Service-level target time T of a zero-initialised counter, in seconds. */
#define CM_CONTACT_DEFAULT_TARGET_SECONDS 20
/** Short-abandon threshold of a zero-initialised counter, in seconds. */
#define CM_CONTACT_DEFAULT_SHORT_ABANDON_SECONDS 5
/** Largest target time or short-abandon threshold, in seconds (49.7 days, in milliseconds a uint32). */
#define CM_CONTACT_MAX_THRESHOLD_SECONDS 4294967.295
/** Size in bytes of a serialized ::cm_contact. */
#define CM_CONTACT_SERIALIZED_SIZE 88

/**
 * The six service-level definitions in use in contact centers.
 *
 * With `aT` answered within T, `abT` abandoned within T, `abS` short abandons
 * (under the short-abandon threshold) and `offered` all contacts:
 *
 * | variant | formula | ICMI example |
 * |---|---|---|
 * | ::CM_SL_ANSWERED_ONLY | `aT / answered` | 86.0 % |
 * | ::CM_SL_ABANDONS_AGAINST | `aT / offered` | 81.1 % |
 * | ::CM_SL_ABANDONS_BEFORE_T_IGNORED | `aT / (offered − abT)` | 82.7 % |
 * | ::CM_SL_ABANDONS_BEFORE_T_MET | `(aT + abT) / offered` | 83.0 % |
 * | ::CM_SL_SHORT_ABANDONS_MET | `(aT + abS) / offered` | 82.1 % |
 * | ::CM_SL_SHORT_ABANDONS_EXCLUDED | `aT / (offered − abS)` | 81.9 % |
 *
 * (ICMI example: 1000 answered, 860 within 20 s, 60 abandoned of which 20
 * within 20 s and 10 under 5 s, so 1060 offered.)
 */
typedef enum cm_sl_variant {
    CM_SL_ANSWERED_ONLY = 0,    /**< Answered within T over answered: abandons are ignored. */
    CM_SL_ABANDONS_AGAINST = 1, /**< Answered within T over offered: every abandon is a miss. */
    CM_SL_ABANDONS_BEFORE_T_IGNORED =
        2, /**< Abandons within T leave the denominator; later abandons are misses. */
    CM_SL_ABANDONS_BEFORE_T_MET = 3, /**< Abandons within T count as met; later ones as misses. */
    CM_SL_SHORT_ABANDONS_MET = 4,    /**< Short abandons count as met; other abandons as misses. */
    CM_SL_SHORT_ABANDONS_EXCLUDED =
        5 /**< Short abandons leave the denominator; other abandons are misses. */
} cm_sl_variant;

/** Number of ::cm_sl_variant values: they run from 0 to `CM_SL_VARIANT_COUNT − 1`. */
#define CM_SL_VARIANT_COUNT 6

/**
 * Counters of one interval of a real-time queue (phone, chat).
 *
 * Zero-initialised it is empty with T = ::CM_CONTACT_DEFAULT_TARGET_SECONDS
 * and a short-abandon threshold of ::CM_CONTACT_DEFAULT_SHORT_ABANDON_SECONDS.
 * A contact is "within T" when its wait is at most T, and a short abandon
 * when it hung up after a wait strictly under the short-abandon threshold.
 * A consistent counter has `answered + abandoned <= offered` (the difference
 * being contacts with another outcome, such as overflowed or still queued,
 * which count as misses), `answered_within <= answered` and
 * `abandoned_short <= abandoned_within <= abandoned`.
 */
typedef struct cm_contact {
    uint32_t target_ms;         /**< T in milliseconds; 0 = the defaults for both thresholds. */
    uint32_t short_abandon_ms;  /**< Short-abandon threshold in milliseconds, at most T (0 when
                                     `target_ms` is 0). */
    uint64_t offered;           /**< Contacts offered to the queue. */
    uint64_t answered;          /**< Contacts answered by an agent. */
    uint64_t answered_within;   /**< Answered after a wait of at most T. */
    uint64_t abandoned;         /**< Contacts that hung up before being answered. */
    uint64_t abandoned_within;  /**< Abandoned after a wait of at most T. */
    uint64_t abandoned_short;   /**< Abandoned after a wait under the short-abandon threshold. */
    uint64_t answered_wait_ms;  /**< Total wait of the answered contacts, milliseconds. */
    uint64_t abandoned_wait_ms; /**< Total wait of the abandoned contacts, milliseconds. */
    uint64_t handle_ms;         /**< Total handle time of the answered contacts, milliseconds. */
} cm_contact;

/**
 * Empties a counter and sets its thresholds.
 *
 * Both are rounded to whole milliseconds.
 *
 * @param[out] c the counter.
 * @param target_seconds service-level target time T in seconds; in
 *        [0.001, ::CM_CONTACT_MAX_THRESHOLD_SECONDS].
 * @param short_abandon_seconds short-abandon threshold in seconds; in [0, @p target_seconds]
 *        (0: no abandon is short).
 * @retval CM_OK success.
 * @retval CM_EINVAL @p c is NULL or a threshold is NaN, infinite or negative.
 * @retval CM_ERANGE @p target_seconds rounds to under 1 ms or exceeds
 *         ::CM_CONTACT_MAX_THRESHOLD_SECONDS, or the short-abandon threshold exceeds it.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_contact_init(cm_contact *c, double target_seconds,
                                              double short_abandon_seconds);

/**
 * Records one contact.
 *
 * @param c the counter.
 * @param wait_seconds time in the queue before being answered or hanging up, in seconds; >= 0.
 * @param handle_seconds handle time (talk, hold and wrap) of an answered contact in
 *        seconds; >= 0. Ignored for an abandoned contact, but still checked.
 * @param abandoned true if the contact hung up before being answered.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p c is NULL or holds invalid thresholds, or a time is NaN,
 *         infinite or negative.
 * @retval CM_EOVERFLOW a count or total would exceed `UINT64_MAX`, or a time exceeds
 *         2^63 milliseconds.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_contact_add(cm_contact *c, double wait_seconds,
                                             double handle_seconds, bool abandoned);

/**
 * Records an array of contacts given as parallel arrays. All or nothing.
 *
 * @param c the counter.
 * @param wait_seconds wait of each contact in seconds, each >= 0.
 * @param handle_seconds handle time of each contact in seconds, each >= 0; may be NULL
 *        when handle times are not known (they count as 0).
 * @param abandoned one flag per contact: 0 = answered, anything else = abandoned.
 * @param n number of contacts; @p wait_seconds and @p abandoned may be NULL when @p n is 0.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p c holds invalid thresholds, or a time is NaN,
 *         infinite or negative.
 * @retval CM_EOVERFLOW a count or total would exceed `UINT64_MAX`.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_contact_add_many(cm_contact *c, const double *wait_seconds,
                                                  const double *handle_seconds,
                                                  const uint8_t *abandoned, size_t n);

/**
 * Adds the contacts of @p other to @p acc. Exact, commutative and associative.
 *
 * @param acc the counter that receives the contacts.
 * @param other the counter to add; may be @p acc itself.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, a counter holds invalid thresholds, or the two use
 *         different thresholds.
 * @retval CM_EOVERFLOW a count or total would exceed `UINT64_MAX`.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_contact_merge(cm_contact *acc, const cm_contact *other);

/**
 * Numerator and denominator of a service-level variant.
 *
 * Pass them to cm_rate() for a Wilson confidence interval.
 *
 * @param c the counter.
 * @param variant which definition (see ::cm_sl_variant).
 * @param[out] num contacts that met the target.
 * @param[out] den contacts the service level is taken over; may be 0.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p variant is unknown, or the counts are inconsistent.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_contact_service_level_counts(const cm_contact *c,
                                                              cm_sl_variant variant, uint64_t *num,
                                                              uint64_t *den);

/**
 * Service level in one of its six definitions, as a fraction in [0, 1].
 *
 * @param c the counter.
 * @param variant which definition (see ::cm_sl_variant).
 * @param[out] sl the service level.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p variant is unknown, or the counts are inconsistent.
 * @retval CM_ENODATA the variant's denominator is 0.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_contact_service_level(const cm_contact *c, cm_sl_variant variant,
                                                       double *sl);

/**
 * Abandonment rate: `abandoned / offered`, or without short abandons
 * `(abandoned − short) / (offered − short)`.
 *
 * For a confidence interval pass the same counts to cm_abandonment_rate().
 *
 * @param c the counter.
 * @param exclude_short true to leave short abandons out of both terms.
 * @param[out] rate the abandonment rate, in [0, 1].
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or the counts are inconsistent.
 * @retval CM_ENODATA no contact remains in the denominator.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_contact_abandonment_rate(const cm_contact *c, bool exclude_short,
                                                          double *rate);

/**
 * Average speed of answer: total wait of the answered contacts over the answered contacts.
 *
 * @param c the counter.
 * @param[out] seconds the ASA in seconds.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or the counts are inconsistent.
 * @retval CM_ENODATA no contact was answered.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_contact_asa(const cm_contact *c, double *seconds);

/**
 * Average handle time: total handle time over the answered contacts.
 *
 * @param c the counter.
 * @param[out] seconds the AHT in seconds.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or the counts are inconsistent.
 * @retval CM_ENODATA no contact was answered.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_contact_aht(const cm_contact *c, double *seconds);

/**
 * Average time to abandon: total wait of the abandoned contacts over the abandoned contacts.
 *
 * @param c the counter.
 * @param[out] seconds the mean wait before hanging up, in seconds.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or the counts are inconsistent.
 * @retval CM_ENODATA no contact was abandoned.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_contact_abandon_time(const cm_contact *c, double *seconds);

/**
 * Occupancy: share of the agents' staffed time spent handling contacts.
 *
 * `handle time / staffed_seconds`, where the staffed time is the agents'
 * time logged in to the queue (for example 12 agents × 1800 s for a half
 * hour).
 *
 * @param c the counter.
 * @param staffed_seconds staffed agent time in seconds; finite and > 0.
 * @param[out] occupancy the occupancy, in [0, 1].
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p staffed_seconds is not a positive finite number,
 *         or the counts are inconsistent.
 * @retval CM_ERANGE the handle time exceeds the staffed time (occupancy above 1).
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_contact_occupancy(const cm_contact *c, double staffed_seconds,
                                                   double *occupancy);

/**
 * Writes a counter as ::CM_CONTACT_SERIALIZED_SIZE portable bytes.
 *
 * @param c the counter.
 * @param[out] buf destination.
 * @param cap capacity of @p buf in bytes.
 * @param[out] written bytes written; on ::CM_ENOSPC, the size needed.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or @p c holds invalid thresholds or inconsistent counts.
 * @retval CM_ENOSPC @p cap is too small; @p written holds the size needed.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_contact_serialize(const cm_contact *c, uint8_t *buf, size_t cap,
                                                   size_t *written);

/**
 * Reads a counter written by cm_contact_serialize(), on any machine.
 *
 * @param buf the bytes.
 * @param len their number; must be exactly ::CM_CONTACT_SERIALIZED_SIZE.
 * @param[out] out the counter.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_EPARSE the bytes are truncated, corrupt, of another kind, of an unknown
 *         format version, or describe an inconsistent counter.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_contact_deserialize(const uint8_t *buf, size_t len,
                                                     cm_contact *out);

/**
 * Size of a contact struct in this build of the library, for bindings that mirror the structs.
 *
 * @param name `"cm_contact"`.
 * @return the size in bytes, or 0 for an unknown name or NULL.
 * @since 0.1
 */
CM_API size_t cm_contact_sizeof(const char *name);

/**
 * Value of a contact macro in this build of the library, for bindings that cannot read macros.
 *
 * @param name `"CM_CONTACT_DEFAULT_TARGET_SECONDS"`, `"CM_CONTACT_DEFAULT_SHORT_ABANDON_SECONDS"`,
 *        `"CM_CONTACT_MAX_THRESHOLD_SECONDS"`, `"CM_CONTACT_SERIALIZED_SIZE"` or
 *        `"CM_SL_VARIANT_COUNT"`.
 * @param[out] out the value.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_ENOTFOUND no contact macro has that name.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_contact_constant(const char *name, double *out);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CAREMETRICS_CONTACT_H */
