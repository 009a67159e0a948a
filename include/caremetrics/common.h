/*
 * libcaremetrics — status codes, version, time types.
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_COMMON_H
#define CAREMETRICS_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <caremetrics/version.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup common Common definitions
 * @brief Status codes, version queries and the time types shared by every module.
 *
 * Conventions that hold for the whole library:
 * - Every fallible function returns a ::cm_status and writes its results
 *   through out-pointers. On any status other than ::CM_OK the outputs are
 *   left untouched (the one documented exception: a ::CM_ENOSPC result
 *   reports the size that would have been needed).
 * - Instants are ::cm_time, whole seconds since the Unix epoch in UTC.
 *   Calendar and SLA durations are `int64_t` seconds; queueing math uses
 *   `double` seconds; counts are `uint64_t`.
 * - The library keeps no global mutable state: every function is re-entrant
 *   and thread-safe. Compute functions never allocate; objects that own
 *   memory allocate once when created and are immutable afterwards.
 * - The library never prints, exits or aborts.
 * @{
 */

/** @file caremetrics/common.h
 *  @brief Status codes, version queries and the time types shared by every module. */

/**
 * @def CM_API
 * Marks a public symbol; the library is built with hidden visibility otherwise.
 */
/**
 * @def CM_NODISCARD
 * Asks the compiler to warn when a returned ::cm_status is ignored.
 */
#if defined(__GNUC__) || defined(__clang__)
#define CM_API       __attribute__((visibility("default")))
#define CM_NODISCARD __attribute__((warn_unused_result))
#else
#define CM_API
#define CM_NODISCARD
#endif

/**
 * Result of every fallible function: ::CM_OK (zero) or a negative error code.
 *
 * The numeric values are part of the ABI and never change; new codes are only
 * ever appended, below the last one. Being negative, errors can be tested with
 * `status < 0`. cm_strerror() gives a one-line message and cm_status_name()
 * the enumerator's name.
 */
typedef enum cm_status {
    CM_OK = 0, /**< Success. */
    CM_EINVAL =
        -1, /**< Invalid argument: NULL pointer, NaN or infinity, a negative value where none is allowed, inconsistent counts, or an unknown option. */
    CM_ERANGE =
        -2, /**< A value lies outside its scale or domain (for example an NPS score of 11). */
    CM_ENODATA =
        -3, /**< The metric is undefined for the data: a zero denominator or an empty accumulator. */
    CM_EUNSTABLE =
        -4, /**< Queue load is at or above the number of agents: waiting times grow without bound. */
    CM_EPARSE = -5,    /**< Malformed text, serialized bytes or time-zone data. */
    CM_ENOTFOUND = -6, /**< A named object (such as a time zone) does not exist. */
    CM_EOVERFLOW = -7, /**< A result or an intermediate count does not fit its type. */
    CM_ENOMEM = -8,    /**< Memory allocation failed (constructors only). */
    CM_ENOSPC = -9     /**< The caller's buffer is too small; the needed size is reported. */
} cm_status;

/** Number of defined ::cm_status values: they run from 0 down to `1 - CM_STATUS_COUNT`. */
#define CM_STATUS_COUNT 10

/**
 * One-line English description of a status.
 *
 * @param status any value, including ones this version does not define.
 * @return a static, NUL-terminated string; never NULL. Unknown values give
 *         `"unknown status"`.
 * @since 0.1
 */
CM_API const char *cm_strerror(cm_status status);

/**
 * Name of a status enumerator, such as `"CM_EINVAL"` (useful for bindings and logs).
 *
 * @param status any value, including ones this version does not define.
 * @return a static, NUL-terminated string; never NULL. Unknown values give
 *         `"CM_UNKNOWN"`.
 * @since 0.1
 */
CM_API const char *cm_status_name(cm_status status);

/**
 * Version of the library loaded at run time, as one number.
 *
 * @return `MAJOR * 10000 + MINOR * 100 + PATCH`; compare with ::CM_VERSION_NUMBER
 *         to detect a program running against a different library than it was
 *         compiled with.
 * @since 0.1
 */
CM_API uint32_t cm_version(void);

/**
 * Version of the library loaded at run time, as a string.
 *
 * @return a static string `"MAJOR.MINOR.PATCH"`; never NULL.
 * @since 0.1
 */
CM_API const char *cm_version_string(void);

/**
 * An instant: whole seconds since 1970-01-01T00:00:00Z, ignoring leap seconds
 * (POSIX time). Signed, so instants before 1970 are negative.
 */
typedef int64_t cm_time;

/**
 * A broken-down UTC date and time, as filled by cm_time_to_civil().
 */
typedef struct cm_civil {
    int32_t year;    /**< Proleptic Gregorian year, 0..9999 for cm_time_from_civil(). */
    int32_t month;   /**< 1..12. */
    int32_t day;     /**< 1..31, valid for the month. */
    int32_t hour;    /**< 0..23. */
    int32_t minute;  /**< 0..59. */
    int32_t second;  /**< 0..59. */
    int32_t weekday; /**< ISO weekday, 1 = Monday .. 7 = Sunday (output only). */
    int32_t yday;    /**< Day of the year, 1..366 (output only). */
} cm_civil;

/**
 * Where and why a text parser stopped (calendar specs, policy files, ...).
 *
 * Parsers fill it on ::CM_EPARSE when the caller passes one; it is untouched
 * on success.
 */
typedef struct cm_parse_error {
    uint32_t line;       /**< 1-based line of the error. */
    uint32_t column;     /**< 1-based column: the byte offset within the line plus one. */
    const char *message; /**< Static English description; never NULL once filled. */
} cm_parse_error;

/**
 * Memory functions for the objects that allocate (calendars, time zones,
 * policies, reports, ...), in the manner of zstd's `ZSTD_customMem`.
 *
 * Constructors that take a `const cm_allocator *` use it for every
 * allocation of the object they build and keep a copy of it to free the
 * object later; NULL means the C library's `malloc` and `free` (on Linux,
 * blocks of 8 MiB and more come from `posix_memalign` on 2 MiB boundaries,
 * advised for transparent huge pages, and are still released by `free`). Both
 * functions must be set. `alloc` returns memory aligned for any object type
 * (as `malloc` does), or NULL when it cannot; the library then returns
 * ::CM_ENOMEM and frees whatever the constructor had allocated. `free` is
 * never called with NULL. Neither is called after construction except by
 * the object's `_free` function, and never from two threads at once for the
 * same object.
 * @since 0.2
 */
typedef struct cm_allocator {
    void *(*alloc)(void *opaque, size_t size); /**< Allocates @p size bytes, or returns NULL. */
    void (*free)(void *opaque, void *ptr);     /**< Releases a block returned by `alloc`. */
    void *opaque;                              /**< Passed to both functions unchanged. */
} cm_allocator;

/** Size of the text written by cm_time_format(), including the terminating NUL. */
#define CM_TIME_FORMAT_SIZE 21

/**
 * Converts a UTC date and time of day to an instant.
 *
 * Only `year`, `month`, `day`, `hour`, `minute` and `second` are read;
 * `weekday` and `yday` are ignored.
 *
 * @param civil date and time in UTC; year 0..9999.
 * @param[out] out the instant.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p civil or @p out is NULL.
 * @retval CM_ERANGE a field is outside its range (for example 31 April or hour 24).
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_time_from_civil(const cm_civil *civil, cm_time *out);

/**
 * Breaks an instant down into its UTC date and time of day.
 *
 * @param t the instant; any value whose year lies in -999999..999999.
 * @param[out] out the broken-down date and time, including weekday and day of year.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p out is NULL.
 * @retval CM_ERANGE @p t is outside the supported years.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_time_to_civil(cm_time t, cm_civil *out);

/**
 * Parses an RFC 3339 / ISO 8601 timestamp.
 *
 * Accepted forms: `YYYY-MM-DDTHH:MM:SS` followed by `Z`, by an offset
 * `+HH:MM` / `-HH:MM`, or by nothing (then UTC is assumed). The `T` may be
 * a space or a lower-case `t`; an optional fraction `.ddd` after the seconds
 * is accepted and truncated toward the earlier second. A bare date
 * `YYYY-MM-DD` means 00:00:00 UTC. The text need not be NUL-terminated.
 *
 * @param text the characters to parse.
 * @param len number of characters in @p text; all of them must belong to the timestamp.
 * @param[out] out the instant.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p text or @p out is NULL.
 * @retval CM_EPARSE the text is not a valid timestamp (including dates such as 2025-02-30).
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_time_parse(const char *text, size_t len, cm_time *out);

/**
 * Formats an instant as `YYYY-MM-DDTHH:MM:SSZ`.
 *
 * @param t the instant; its year must lie in 0..9999.
 * @param[out] buf receives the NUL-terminated text (20 characters + NUL).
 * @param cap capacity of @p buf in bytes; at least ::CM_TIME_FORMAT_SIZE.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p buf is NULL.
 * @retval CM_ENOSPC @p cap is below ::CM_TIME_FORMAT_SIZE.
 * @retval CM_ERANGE the year of @p t lies outside 0..9999.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_time_format(cm_time t, char *buf, size_t cap);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CAREMETRICS_COMMON_H */
