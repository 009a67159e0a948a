/*
 * libcaremetrics — time zones: IANA zones from TZif data, POSIX rules, fixed
 * offsets, and the conversions between instants and local wall-clock time.
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_TZ_H
#define CAREMETRICS_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <caremetrics/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup tz Time zones
 * @brief IANA time zones, POSIX TZ rules and fixed offsets, shared by reference.
 *
 * A ::cm_tz is a time zone: UTC, a fixed offset, an IANA zone read from a TZif
 * file (RFC 8536, versions 1 to 4, including the POSIX-TZ footer that governs
 * instants after the file's last transition), or a POSIX TZ rule string. It
 * converts instants to local wall-clock time and back; business calendars
 * (@ref calendar) are built on top of it.
 *
 * **Sharing.** A zone is immutable and reference-counted (with C11 atomics):
 * the constructors return a zone holding one reference, cm_tz_ref() takes
 * another, and cm_tz_free() gives one back; the zone is released with the
 * last reference. Calendars and calendar builders take their own reference
 * to the zone they are given instead of copying it, so a thousand calendars
 * in `America/New_York` built from one zone hold one copy of its data, and
 * the caller may free its reference as soon as it has handed the zone over.
 * Taking and releasing references is thread-safe; every query is too. A
 * ::cm_tz_cache shares zones between calendar specs that name them (`tz
 * America/New_York`).
 *
 * **Memory.** Each constructor has a `_with_allocator` twin taking a
 * ::cm_allocator (NULL means `malloc`/`free`); the zone keeps a copy of it and
 * is released through it, by whichever holder drops the last reference. The
 * allocator must therefore stay usable until every calendar sharing the zone
 * has been freed.
 *
 * Queries accept instants in [::CM_TZ_TIME_MIN, ::CM_TZ_TIME_MAX] (the years 1
 * to 9999) and never allocate.
 * @{
 */

/** @file caremetrics/tz.h
 *  @brief Time zones: TZif, POSIX rules, fixed offsets, local time conversions. */

/** Earliest instant the time-zone functions accept: 0001-01-01T00:00:00Z. */
#define CM_TZ_TIME_MIN ((cm_time)-62135596800LL)
/** Latest instant the time-zone functions accept: 9999-12-31T23:59:59Z. */
#define CM_TZ_TIME_MAX ((cm_time)253402300799LL)

/**
 * A time zone (opaque, immutable, reference-counted). Create with cm_tz_load(),
 * cm_tz_from_tzif(), cm_tz_from_posix(), cm_tz_fixed() (or their
 * `_with_allocator` twins, or cm_tz_cache_load()); release with cm_tz_free().
 */
typedef struct cm_tz cm_tz;

/**
 * A set of zones loaded by name, shared between their users (opaque,
 * thread-safe). Create with cm_tz_cache_new(); release with cm_tz_cache_free().
 */
typedef struct cm_tz_cache cm_tz_cache;

/* ------------------------------------------------------------------------ */
/* Constructors                                                             */
/* ------------------------------------------------------------------------ */

/**
 * Loads a time zone by name.
 *
 * `"UTC"` and fixed offsets `"+HH:MM"` / `"-HH:MM"` (00:00 to 23:59) need no
 * files. Any other name is an IANA zone such as `"America/New_York"`, read as a
 * TZif file from the directory in the `TZDIR` environment variable, then from
 * `/usr/share/zoneinfo`. A name must be relative and made of letters, digits and
 * `_ + - . /`, with no empty, `.` or `..` component and at most 255 characters:
 * anything else is refused before the file system is touched.
 *
 * Allocates the zone once (the file is read into a temporary buffer and
 * closed before returning).
 *
 * @param name the zone name, NUL-terminated.
 * @param[out] out the new zone; free it with cm_tz_free().
 * @retval CM_OK success.
 * @retval CM_EINVAL @p name or @p out is NULL, or @p name is not a valid zone name.
 * @retval CM_ENOTFOUND no readable zone file of that name exists.
 * @retval CM_EPARSE the file is not valid TZif data.
 * @retval CM_ENOMEM memory allocation failed.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_tz_load(const char *name, cm_tz **out);

/**
 * cm_tz_load() with the caller's memory functions.
 *
 * The temporary file buffer and the zone are allocated through @p alloc, and
 * the zone is released through it.
 *
 * @param name the zone name, NUL-terminated.
 * @param alloc memory functions, or NULL for `malloc` and `free`.
 * @param[out] out the new zone; free it with cm_tz_free().
 * @retval CM_OK success.
 * @retval CM_EINVAL @p name or @p out is NULL, @p alloc lacks a function, or
 *         @p name is not a valid zone name.
 * @retval CM_ENOTFOUND no readable zone file of that name exists.
 * @retval CM_EPARSE the file is not valid TZif data.
 * @retval CM_ENOMEM an allocation failed; nothing is left allocated.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_tz_load_with_allocator(const char *name, const cm_allocator *alloc,
                                                        cm_tz **out);

/**
 * Reads a time zone from TZif bytes in memory (RFC 8536, versions 1 to 4).
 *
 * For version 2 and later files the 64-bit data block is used and the POSIX-TZ
 * footer governs the instants after the last transition. Every count, index and
 * offset is checked against the buffer and against RFC 8536; leap-second records
 * are checked and ignored (instants are POSIX time). The bytes are copied: the
 * buffer may be released as soon as this returns.
 *
 * @param data the TZif bytes.
 * @param len number of bytes in @p data.
 * @param[out] out the new zone; free it with cm_tz_free().
 * @retval CM_OK success.
 * @retval CM_EINVAL @p data or @p out is NULL.
 * @retval CM_EPARSE the bytes are truncated, malformed or inconsistent.
 * @retval CM_ENOMEM memory allocation failed.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_tz_from_tzif(const uint8_t *data, size_t len, cm_tz **out);

/**
 * cm_tz_from_tzif() with the caller's memory functions.
 *
 * @param data the TZif bytes.
 * @param len number of bytes in @p data.
 * @param alloc memory functions, or NULL for `malloc` and `free`.
 * @param[out] out the new zone; free it with cm_tz_free().
 * @retval CM_OK success.
 * @retval CM_EINVAL @p data or @p out is NULL, or @p alloc lacks a function.
 * @retval CM_EPARSE the bytes are truncated, malformed or inconsistent.
 * @retval CM_ENOMEM the allocation failed.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_tz_from_tzif_with_allocator(const uint8_t *data, size_t len,
                                                             const cm_allocator *alloc,
                                                             cm_tz **out);

/**
 * Creates a time zone from a POSIX TZ rule string, such as
 * `"EST5EDT,M3.2.0,M11.1.0"` or `"<+0530>-5:30"`.
 *
 * The grammar is POSIX's with the RFC 8536 extensions (rule times from -167 to
 * 167 hours): `std offset [dst [offset] ,start[/time],end[/time]]` where a name is
 * three or more letters or `<...>`, an offset is `[+-]hh[:mm[:ss]]` measured west
 * of Greenwich (so `EST5` is UTC−5), and a date is `Jn`, `n` or `Mm.w.d`. A DST
 * name without rules is refused rather than given implicit rules.
 * Useful on systems that carry no zoneinfo files.
 *
 * @param tz the rule string, NUL-terminated.
 * @param[out] out the new zone; free it with cm_tz_free().
 * @retval CM_OK success.
 * @retval CM_EINVAL @p tz or @p out is NULL.
 * @retval CM_EPARSE the string is not a valid rule.
 * @retval CM_ENOMEM memory allocation failed.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_tz_from_posix(const char *tz, cm_tz **out);

/**
 * cm_tz_from_posix() with the caller's memory functions.
 *
 * @param tz the rule string, NUL-terminated.
 * @param alloc memory functions, or NULL for `malloc` and `free`.
 * @param[out] out the new zone; free it with cm_tz_free().
 * @retval CM_OK success.
 * @retval CM_EINVAL @p tz or @p out is NULL, or @p alloc lacks a function.
 * @retval CM_EPARSE the string is not a valid rule.
 * @retval CM_ENOMEM the allocation failed.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_tz_from_posix_with_allocator(const char *tz,
                                                              const cm_allocator *alloc,
                                                              cm_tz **out);

/**
 * Creates a zone with a constant offset from UTC.
 *
 * @param offset_seconds seconds east of Greenwich, -86399..86399 (`+05:30` is 19800).
 * @param[out] out the new zone; free it with cm_tz_free().
 * @retval CM_OK success.
 * @retval CM_EINVAL @p out is NULL.
 * @retval CM_ERANGE @p offset_seconds is outside -86399..86399.
 * @retval CM_ENOMEM memory allocation failed.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_tz_fixed(int32_t offset_seconds, cm_tz **out);

/**
 * cm_tz_fixed() with the caller's memory functions.
 *
 * @param offset_seconds seconds east of Greenwich, -86399..86399.
 * @param alloc memory functions, or NULL for `malloc` and `free`.
 * @param[out] out the new zone; free it with cm_tz_free().
 * @retval CM_OK success.
 * @retval CM_EINVAL @p out is NULL, or @p alloc lacks a function.
 * @retval CM_ERANGE @p offset_seconds is outside -86399..86399.
 * @retval CM_ENOMEM the allocation failed.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_tz_fixed_with_allocator(int32_t offset_seconds,
                                                         const cm_allocator *alloc, cm_tz **out);

/**
 * Takes another reference to a zone.
 *
 * The zone stays alive until every reference has been given back with
 * cm_tz_free(). Useful to keep a calendar's zone (cm_calendar_get_tz())
 * beyond the calendar. Thread-safe; never allocates.
 *
 * @param tz the zone.
 * @param[out] out receives @p tz itself, now holding one more reference.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p tz or @p out is NULL.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_tz_ref(const cm_tz *tz, cm_tz **out);

/**
 * Gives back one reference to a zone; the last one releases it.
 *
 * Calendars and builders that were given the zone hold references of their
 * own, so the caller may free its reference as soon as it has handed the zone
 * over. Thread-safe.
 *
 * @param tz the zone; NULL is a no-op.
 * @since 0.1
 */
CM_API void cm_tz_free(cm_tz *tz);

/* ------------------------------------------------------------------------ */
/* Sharing zones by name                                                    */
/* ------------------------------------------------------------------------ */

/**
 * Creates an empty zone cache.
 *
 * A cache loads each zone name once, with cm_tz_load(), and hands out
 * references to the same zone afterwards. Calendar specs read through a
 * builder given the cache (cm_calendar_builder_set_tz_cache()) share their
 * zones this way. Loading through a cache is thread-safe (lock-free); the
 * cache lives until cm_tz_cache_free(), and the zones it handed out live on
 * while anyone holds them.
 *
 * @param alloc memory functions for the cache and the zones it loads, or NULL.
 * @param[out] out the new cache; free it with cm_tz_cache_free().
 * @retval CM_OK success.
 * @retval CM_EINVAL @p out is NULL, or @p alloc lacks a function.
 * @retval CM_ENOMEM the allocation failed.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_tz_cache_new(const cm_allocator *alloc, cm_tz_cache **out);

/**
 * Releases a cache and its references to the zones it loaded.
 *
 * Must not run while another thread loads through the cache. Zones still held
 * by calendars or callers stay alive.
 *
 * @param cache the cache; NULL is a no-op.
 * @since 0.2
 */
CM_API void cm_tz_cache_free(cm_tz_cache *cache);

/**
 * A zone by name, loaded on first use and shared afterwards.
 *
 * The name is read as by cm_tz_load(). Failures are not remembered: a later
 * call tries again.
 *
 * @param cache the cache.
 * @param name the zone name, NUL-terminated.
 * @param[out] out a new reference to the zone; give it back with cm_tz_free().
 * @retval CM_OK success.
 * @retval CM_EINVAL @p cache, @p name or @p out is NULL, or @p name is not a valid zone name.
 * @retval CM_ENOTFOUND no readable zone file of that name exists.
 * @retval CM_EPARSE the file is not valid TZif data.
 * @retval CM_ENOMEM an allocation failed.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_tz_cache_load(cm_tz_cache *cache, const char *name, cm_tz **out);

/**
 * Number of distinct zones a cache holds.
 *
 * @param cache the cache.
 * @param[out] out the number of zones loaded through it so far.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p cache or @p out is NULL.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_tz_cache_count(const cm_tz_cache *cache, size_t *out);

/* ------------------------------------------------------------------------ */
/* Conversions                                                              */
/* ------------------------------------------------------------------------ */

/**
 * Offset of local time from UTC at an instant.
 *
 * @param tz the zone.
 * @param t the instant, in [::CM_TZ_TIME_MIN, ::CM_TZ_TIME_MAX].
 * @param[out] out seconds east of Greenwich (local = UTC + offset).
 * @retval CM_OK success.
 * @retval CM_EINVAL @p tz or @p out is NULL.
 * @retval CM_ERANGE @p t is outside the accepted range.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_tz_utc_offset(const cm_tz *tz, cm_time t, int32_t *out);

/**
 * Local wall-clock date and time of an instant.
 *
 * @param tz the zone.
 * @param t the instant, in [::CM_TZ_TIME_MIN, ::CM_TZ_TIME_MAX].
 * @param[out] out the local date and time, with weekday and day of the year.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p tz or @p out is NULL.
 * @retval CM_ERANGE @p t is outside the accepted range.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_tz_to_local(const cm_tz *tz, cm_time t, cm_civil *out);

/**
 * Instant of a local wall-clock date and time, with the "compatible" rule.
 *
 * The rule of RFC 5545, java.time and JavaScript Temporal (`"compatible"`): a
 * wall-clock time that does not exist because the clocks jump forward (a DST gap)
 * is moved forward by the length of the gap — 02:30 on the day New York springs
 * forward is 03:30 EDT; a wall-clock time that occurs twice because the clocks
 * fall back takes its first occurrence — 01:30 on the day New York falls back is
 * 01:30 EDT. Only `year`, `month`, `day`, `hour`, `minute` and `second` are read.
 *
 * @param tz the zone.
 * @param local the wall-clock date and time: year 1..9999, the other fields in
 *        their usual ranges (hour 0..23, second 0..59).
 * @param[out] out the instant.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p tz, @p local or @p out is NULL.
 * @retval CM_ERANGE a field is out of range (including 31 April), or the instant
 *         falls outside [::CM_TZ_TIME_MIN, ::CM_TZ_TIME_MAX].
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_tz_from_local(const cm_tz *tz, const cm_civil *local,
                                               cm_time *out);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CAREMETRICS_TZ_H */
