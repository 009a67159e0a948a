/*
 * Contact-center interval counters: the six service-level variants,
 * abandonment, ASA, AHT, occupancy. Formulas: docs/contact.md.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/contact.h>

#include <math.h>
#include <string.h>

#include "common-internal.h"
#include "serial-internal.h"

/* Format version of the serialized counter. */
#define CONTACT_SERIAL_VERSION 1

/* Number of 64-bit fields of cm_contact, in declaration order from `offered`. */
#define CONTACT_U64_FIELDS 9

/* ---------------------------------------------------------------------- */
/* Thresholds and consistency                                             */
/* ---------------------------------------------------------------------- */

typedef struct thresholds {
    uint64_t target_ms, short_ms;
} thresholds;

/* Effective thresholds; false when the stored pair is not a valid one. */
static bool get_thresholds(const cm_contact *c, thresholds *t)
{
    if (c->target_ms == 0) {
        if (c->short_abandon_ms != 0)
            return false;
        t->target_ms = CM_CONTACT_DEFAULT_TARGET_SECONDS * 1000u;
        t->short_ms = CM_CONTACT_DEFAULT_SHORT_ABANDON_SECONDS * 1000u;
        return true;
    }
    if (c->short_abandon_ms > c->target_ms)
        return false;
    t->target_ms = c->target_ms;
    t->short_ms = c->short_abandon_ms;
    return true;
}

static bool consistent(const cm_contact *c)
{
    thresholds t;
    uint64_t done;
    return get_thresholds(c, &t) && !__builtin_add_overflow(c->answered, c->abandoned, &done) &&
           done <= c->offered && c->answered_within <= c->answered &&
           c->abandoned_short <= c->abandoned_within && c->abandoned_within <= c->abandoned;
}

/*
 * Seconds to whole milliseconds, rounded to nearest (ties away from zero).
 * Fails with CM_EINVAL for NaN, infinity or a negative value, CM_EOVERFLOW
 * at 2^63 ms (292 million years) or more.
 */
static cm_status to_ms(double seconds, uint64_t *ms)
{
    CM_REQUIRE(isfinite(seconds) && seconds >= 0.0, CM_EINVAL);
    const double v = round(seconds * 1000.0);
    CM_REQUIRE(v < 0x1p63, CM_EOVERFLOW);
    *ms = (uint64_t)v;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Recording                                                              */
/* ---------------------------------------------------------------------- */

cm_status cm_contact_init(cm_contact *c, double target_seconds, double short_abandon_seconds)
{
    CM_REQUIRE(c != NULL, CM_EINVAL);
    CM_REQUIRE(isfinite(target_seconds) && isfinite(short_abandon_seconds), CM_EINVAL);
    CM_REQUIRE(target_seconds >= 0.0 && short_abandon_seconds >= 0.0, CM_EINVAL);
    const double t = round(target_seconds * 1000.0);
    const double s = round(short_abandon_seconds * 1000.0);
    CM_REQUIRE(t >= 1.0 && t <= (double)UINT32_MAX && s <= t, CM_ERANGE);
    memset(c, 0, sizeof *c);
    c->target_ms = (uint32_t)t;
    c->short_abandon_ms = (uint32_t)s;
    return CM_OK;
}

/* Adds one validated contact to *c, failing only on overflow (then *c is partly updated:
 * callers work on a copy). */
static cm_status add_one(cm_contact *c, const thresholds *t, uint64_t wait_ms, uint64_t handle_ms,
                         bool abandoned)
{
    const bool within = wait_ms <= t->target_ms;
    CM_REQUIRE(!__builtin_add_overflow(c->offered, 1u, &c->offered), CM_EOVERFLOW);
    if (abandoned) {
        CM_REQUIRE(!__builtin_add_overflow(c->abandoned, 1u, &c->abandoned), CM_EOVERFLOW);
        c->abandoned_within += within; /* <= abandoned: no overflow */
        c->abandoned_short += wait_ms < t->short_ms;
        CM_REQUIRE(!__builtin_add_overflow(c->abandoned_wait_ms, wait_ms, &c->abandoned_wait_ms),
                   CM_EOVERFLOW);
    } else {
        CM_REQUIRE(!__builtin_add_overflow(c->answered, 1u, &c->answered), CM_EOVERFLOW);
        c->answered_within += within;
        CM_REQUIRE(!__builtin_add_overflow(c->answered_wait_ms, wait_ms, &c->answered_wait_ms),
                   CM_EOVERFLOW);
        CM_REQUIRE(!__builtin_add_overflow(c->handle_ms, handle_ms, &c->handle_ms), CM_EOVERFLOW);
    }
    return CM_OK;
}

cm_status cm_contact_add(cm_contact *c, double wait_seconds, double handle_seconds, bool abandoned)
{
    CM_REQUIRE(c != NULL, CM_EINVAL);
    CM_REQUIRE(isfinite(wait_seconds) && isfinite(handle_seconds), CM_EINVAL);
    thresholds t;
    CM_REQUIRE(get_thresholds(c, &t), CM_EINVAL);
    uint64_t wait_ms, handle_ms;
    CM_TRY(to_ms(wait_seconds, &wait_ms));
    CM_TRY(to_ms(handle_seconds, &handle_ms));
    cm_contact next = *c;
    CM_TRY(add_one(&next, &t, wait_ms, handle_ms, abandoned));
    *c = next;
    return CM_OK;
}

cm_status cm_contact_add_many(cm_contact *c, const double *wait_seconds,
                              const double *handle_seconds, const uint8_t *abandoned, size_t n)
{
    CM_REQUIRE(c != NULL && (n == 0 || (wait_seconds != NULL && abandoned != NULL)), CM_EINVAL);
    thresholds t;
    CM_REQUIRE(get_thresholds(c, &t), CM_EINVAL);
    /* All or nothing: bad input anywhere is found before anything is counted. */
    for (size_t i = 0; i < n; i++) {
        CM_REQUIRE(isfinite(wait_seconds[i]) && wait_seconds[i] >= 0.0, CM_EINVAL);
        if (handle_seconds != NULL)
            CM_REQUIRE(isfinite(handle_seconds[i]) && handle_seconds[i] >= 0.0, CM_EINVAL);
    }
    cm_contact next = *c;
    for (size_t i = 0; i < n; i++) {
        uint64_t wait_ms, handle_ms = 0;
        CM_TRY(to_ms(wait_seconds[i], &wait_ms));
        if (handle_seconds != NULL)
            CM_TRY(to_ms(handle_seconds[i], &handle_ms));
        CM_TRY(add_one(&next, &t, wait_ms, handle_ms, abandoned[i] != 0));
    }
    *c = next;
    return CM_OK;
}

static uint64_t *u64_field(cm_contact *c, int i)
{
    uint64_t *const f[CONTACT_U64_FIELDS] = {
        &c->offered,          &c->answered,          &c->answered_within,
        &c->abandoned,        &c->abandoned_within,  &c->abandoned_short,
        &c->answered_wait_ms, &c->abandoned_wait_ms, &c->handle_ms,
    };
    return f[i];
}

static uint64_t u64_get(const cm_contact *c, int i)
{
    const uint64_t f[CONTACT_U64_FIELDS] = {
        c->offered,          c->answered,          c->answered_within,
        c->abandoned,        c->abandoned_within,  c->abandoned_short,
        c->answered_wait_ms, c->abandoned_wait_ms, c->handle_ms,
    };
    return f[i];
}

cm_status cm_contact_merge(cm_contact *acc, const cm_contact *other)
{
    CM_REQUIRE(acc != NULL && other != NULL, CM_EINVAL);
    thresholds ta, tb;
    CM_REQUIRE(get_thresholds(acc, &ta) && get_thresholds(other, &tb), CM_EINVAL);
    CM_REQUIRE(ta.target_ms == tb.target_ms && ta.short_ms == tb.short_ms, CM_EINVAL);
    cm_contact next = *acc;
    for (int i = 0; i < CONTACT_U64_FIELDS; i++) {
        uint64_t *f = u64_field(&next, i);
        CM_REQUIRE(!__builtin_add_overflow(*f, u64_get(other, i), f), CM_EOVERFLOW);
    }
    *acc = next;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* KPIs                                                                   */
/* ---------------------------------------------------------------------- */

cm_status cm_contact_service_level_counts(const cm_contact *c, cm_sl_variant variant, uint64_t *num,
                                          uint64_t *den)
{
    CM_REQUIRE(c != NULL && num != NULL && den != NULL, CM_EINVAL);
    CM_REQUIRE(consistent(c), CM_EINVAL);
    /* In a consistent counter every sum below is at most `offered` and every
     * difference is non-negative. */
    uint64_t n, d;
    switch (variant) {
    case CM_SL_ANSWERED_ONLY:
        n = c->answered_within;
        d = c->answered;
        break;
    case CM_SL_ABANDONS_AGAINST:
        n = c->answered_within;
        d = c->offered;
        break;
    case CM_SL_ABANDONS_BEFORE_T_IGNORED:
        n = c->answered_within;
        d = c->offered - c->abandoned_within;
        break;
    case CM_SL_ABANDONS_BEFORE_T_MET:
        n = c->answered_within + c->abandoned_within;
        d = c->offered;
        break;
    case CM_SL_SHORT_ABANDONS_MET:
        n = c->answered_within + c->abandoned_short;
        d = c->offered;
        break;
    case CM_SL_SHORT_ABANDONS_EXCLUDED:
        n = c->answered_within;
        d = c->offered - c->abandoned_short;
        break;
    default:
        return CM_EINVAL;
    }
    *num = n;
    *den = d;
    return CM_OK;
}

cm_status cm_contact_service_level(const cm_contact *c, cm_sl_variant variant, double *sl)
{
    CM_REQUIRE(sl != NULL, CM_EINVAL);
    uint64_t num, den;
    CM_TRY(cm_contact_service_level_counts(c, variant, &num, &den));
    CM_REQUIRE(den > 0, CM_ENODATA);
    *sl = (double)num / (double)den;
    return CM_OK;
}

cm_status cm_contact_abandonment_rate(const cm_contact *c, bool exclude_short, double *rate)
{
    CM_REQUIRE(c != NULL && rate != NULL, CM_EINVAL);
    CM_REQUIRE(consistent(c), CM_EINVAL);
    const uint64_t drop = exclude_short ? c->abandoned_short : 0;
    const uint64_t den = c->offered - drop;
    CM_REQUIRE(den > 0, CM_ENODATA);
    *rate = (double)(c->abandoned - drop) / (double)den;
    return CM_OK;
}

/* total_ms / count, in seconds. */
static cm_status mean_seconds(const cm_contact *c, uint64_t total_ms, uint64_t count, double *out)
{
    CM_REQUIRE(c != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(consistent(c), CM_EINVAL);
    CM_REQUIRE(count > 0, CM_ENODATA);
    *out = (double)total_ms / (double)count / 1000.0;
    return CM_OK;
}

cm_status cm_contact_asa(const cm_contact *c, double *seconds)
{
    return mean_seconds(c, c != NULL ? c->answered_wait_ms : 0, c != NULL ? c->answered : 0,
                        seconds);
}

cm_status cm_contact_aht(const cm_contact *c, double *seconds)
{
    return mean_seconds(c, c != NULL ? c->handle_ms : 0, c != NULL ? c->answered : 0, seconds);
}

cm_status cm_contact_abandon_time(const cm_contact *c, double *seconds)
{
    return mean_seconds(c, c != NULL ? c->abandoned_wait_ms : 0, c != NULL ? c->abandoned : 0,
                        seconds);
}

cm_status cm_contact_occupancy(const cm_contact *c, double staffed_seconds, double *occupancy)
{
    CM_REQUIRE(c != NULL && occupancy != NULL, CM_EINVAL);
    CM_REQUIRE(isfinite(staffed_seconds) && staffed_seconds > 0.0, CM_EINVAL);
    CM_REQUIRE(consistent(c), CM_EINVAL);
    const double occ = (double)c->handle_ms / 1000.0 / staffed_seconds;
    CM_REQUIRE(occ <= 1.0, CM_ERANGE);
    *occupancy = occ;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Serialization                                                          */
/* ---------------------------------------------------------------------- */

/*
 * Layout (88 bytes): the frame header "CM", kind, version; target_ms and
 * short_abandon_ms as u32; the nine counters as u64 in declaration order;
 * CRC-32 of everything before it. All little-endian.
 */
cm_status cm_contact_serialize(const cm_contact *c, uint8_t *buf, size_t cap, size_t *written)
{
    CM_REQUIRE(c != NULL && buf != NULL && written != NULL, CM_EINVAL);
    CM_REQUIRE(consistent(c), CM_EINVAL);
    if (cap < CM_CONTACT_SERIALIZED_SIZE) {
        *written = CM_CONTACT_SERIALIZED_SIZE;
        return CM_ENOSPC;
    }
    cm__serial_begin(buf, CM__SERIAL_CONTACT, CONTACT_SERIAL_VERSION);
    uint8_t *p = buf + CM__SERIAL_HEADER;
    cm__put_u32le(p, c->target_ms);
    cm__put_u32le(p + 4, c->short_abandon_ms);
    p += 8;
    for (int i = 0; i < CONTACT_U64_FIELDS; i++, p += 8)
        cm__put_u64le(p, u64_get(c, i));
    cm__serial_end(buf, CM_CONTACT_SERIALIZED_SIZE);
    *written = CM_CONTACT_SERIALIZED_SIZE;
    return CM_OK;
}

cm_status cm_contact_deserialize(const uint8_t *buf, size_t len, cm_contact *out)
{
    CM_REQUIRE(buf != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(cm__serial_check(buf, len, CM_CONTACT_SERIALIZED_SIZE, CM__SERIAL_CONTACT,
                                CONTACT_SERIAL_VERSION),
               CM_EPARSE);
    cm_contact c;
    const uint8_t *p = buf + CM__SERIAL_HEADER;
    c.target_ms = cm__get_u32le(p);
    c.short_abandon_ms = cm__get_u32le(p + 4);
    p += 8;
    for (int i = 0; i < CONTACT_U64_FIELDS; i++, p += 8)
        *u64_field(&c, i) = cm__get_u64le(p);
    CM_REQUIRE(consistent(&c), CM_EPARSE);
    *out = c;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* ABI queries                                                            */
/* ---------------------------------------------------------------------- */

size_t cm_contact_sizeof(const char *name)
{
    static const cm__named_size sizes[] = {
        CM__SIZE_OF(cm_contact),
    };
    return cm__lookup_size(sizes, CM__COUNT_OF(sizes), name);
}

cm_status cm_contact_constant(const char *name, double *out)
{
    static const cm__named_value constants[] = {
        CM__VALUE_OF(CM_CONTACT_DEFAULT_TARGET_SECONDS),
        CM__VALUE_OF(CM_CONTACT_DEFAULT_SHORT_ABANDON_SECONDS),
        CM__VALUE_OF(CM_CONTACT_MAX_THRESHOLD_SECONDS),
        CM__VALUE_OF(CM_CONTACT_SERIALIZED_SIZE),
        CM__VALUE_OF(CM_SL_VARIANT_COUNT),
    };
    return cm__lookup_value(constants, CM__COUNT_OF(constants), name, out);
}
