/*
 * Proportions with Wilson intervals, CSAT / NPS / CES / ART accumulators,
 * abandonment rate. Formulas: docs/metrics.md.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/kpi.h>

#include <math.h>
#include <string.h>

#include "common-internal.h"
#include "serial-internal.h"

/* Format version of every accumulator's serialized bytes. */
#define KPI_SERIAL_VERSION 1

/* ---------------------------------------------------------------------- */
/* Proportions                                                            */
/* ---------------------------------------------------------------------- */

/* A proportion with its Wilson score interval (cm__wilson). */
static cm_proportion wilson(uint64_t num, uint64_t den, double z)
{
    cm_proportion r;
    r.num = num;
    r.den = den;
    r.value = (double)num / (double)den;
    cm__wilson(num, den, z, &r.lo, &r.hi);
    return r;
}

cm_status cm_rate(uint64_t num, uint64_t den, double confidence, cm_proportion *out)
{
    CM_REQUIRE(out != NULL, CM_EINVAL);
    CM_REQUIRE(cm__valid_confidence(confidence), CM_EINVAL);
    CM_REQUIRE(num <= den, CM_EINVAL);
    CM_REQUIRE(den > 0, CM_ENODATA);
    *out = wilson(num, den, cm__z_for_confidence(confidence));
    return CM_OK;
}

cm_status cm_abandonment_rate(uint64_t offered, uint64_t abandoned, uint64_t short_abandoned,
                              double confidence, cm_proportion *out)
{
    CM_REQUIRE(out != NULL, CM_EINVAL);
    CM_REQUIRE(cm__valid_confidence(confidence), CM_EINVAL);
    CM_REQUIRE(abandoned <= offered && short_abandoned <= abandoned, CM_EINVAL);
    return cm_rate(abandoned - short_abandoned, offered - short_abandoned, confidence, out);
}

cm_status cm_abandonment_rate_many(const double *wait_seconds, const uint8_t *abandoned, size_t n,
                                   double short_abandon_seconds, double confidence,
                                   cm_proportion *out)
{
    CM_REQUIRE(out != NULL && (n == 0 || (wait_seconds != NULL && abandoned != NULL)), CM_EINVAL);
    CM_REQUIRE(isfinite(short_abandon_seconds) && short_abandon_seconds >= 0.0, CM_EINVAL);
    CM_REQUIRE(cm__valid_confidence(confidence), CM_EINVAL);
    uint64_t offered = 0, lost = 0;
    for (size_t i = 0; i < n; i++) {
        const double w = wait_seconds[i];
        CM_REQUIRE(isfinite(w) && w >= 0.0, CM_EINVAL);
        const bool gone = abandoned[i] != 0;
        if (gone && w < short_abandon_seconds)
            continue; /* short abandon: out of both numerator and denominator */
        offered++;
        lost += gone;
    }
    return cm_rate(lost, offered, confidence, out);
}

/* ---------------------------------------------------------------------- */
/* Score histograms shared by CSAT, NPS and CES                           */
/* ---------------------------------------------------------------------- */

/*
 * A histogram of answers `first .. first + k - 1` stored in counts[0 .. k).
 * All updates go through a copy that is committed only on success, so a
 * failing call leaves the accumulator untouched.
 */

static cm_status hist_add_one(uint64_t *counts, uint32_t first, uint32_t k, int32_t score)
{
    CM_REQUIRE(score >= (int32_t)first && score < (int32_t)(first + k), CM_ERANGE);
    uint64_t *c = &counts[score - (int32_t)first];
    CM_REQUIRE(*c != UINT64_MAX, CM_EOVERFLOW);
    (*c)++;
    return CM_OK;
}

/* Largest histogram: NPS, answers 0..10. */
#define HIST_MAX 11

static cm_status hist_add_counts(uint64_t *counts, const uint64_t *add, uint32_t k)
{
    uint64_t sum[HIST_MAX];
    for (uint32_t i = 0; i < k; i++)
        CM_REQUIRE(!__builtin_add_overflow(counts[i], add[i], &sum[i]), CM_EOVERFLOW);
    memcpy(counts, sum, k * sizeof *counts);
    return CM_OK;
}

static cm_status hist_add_many(uint64_t *counts, uint32_t first, uint32_t k, const uint8_t *scores,
                               size_t n)
{
    CM_REQUIRE(n == 0 || scores != NULL, CM_EINVAL);
    /* One pass into a full byte histogram, then validate by value: the hot loop
     * has no branches, and an invalid entry anywhere rejects the whole call.
     * Four interleaved histograms keep runs of one value (most tickets have no
     * answer) from chaining each increment on the previous one. */
    uint64_t h4[4][256] = {{0}};
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        h4[0][scores[i]]++;
        h4[1][scores[i + 1]]++;
        h4[2][scores[i + 2]]++;
        h4[3][scores[i + 3]]++;
    }
    for (; i < n; i++)
        h4[0][scores[i]]++;
    uint64_t h[256];
    for (uint32_t v = 0; v < 256; v++)
        h[v] = h4[0][v] + h4[1][v] + h4[2][v] + h4[3][v];
    for (uint32_t v = 0; v < 256; v++) {
        if (h[v] != 0 && v != CM_SCORE_NONE && (v < first || v >= first + k))
            return CM_ERANGE;
    }
    return hist_add_counts(counts, h + first, k);
}

/* Total number of answers; fails when the counts sum past UINT64_MAX. */
static bool hist_total(const uint64_t *counts, uint32_t k, uint64_t *total)
{
    uint64_t t = 0;
    for (uint32_t i = 0; i < k; i++) {
        if (__builtin_add_overflow(t, counts[i], &t))
            return false;
    }
    *total = t;
    return true;
}

static uint64_t hist_range(const uint64_t *counts, uint32_t from, uint32_t to)
{
    uint64_t t = 0;
    for (uint32_t i = from; i <= to; i++)
        t += counts[i];
    return t;
}

/* Mean and sample standard deviation of answers first..first+k-1 (two passes, n > 0). */
static void hist_moments(const uint64_t *counts, uint32_t first, uint32_t k, uint64_t n,
                         double *mean, double *sd)
{
    double sum = 0.0;
    for (uint32_t i = 0; i < k; i++)
        sum += (double)counts[i] * (double)(first + i);
    const double m = sum / (double)n;
    double ss = 0.0;
    for (uint32_t i = 0; i < k; i++) {
        const double dev = (double)(first + i) - m;
        ss += (double)counts[i] * dev * dev;
    }
    *mean = m;
    *sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;
}

/* Counts above the scale must be zero in a valid accumulator. */
static bool hist_tail_zero(const uint64_t *counts, uint32_t k, uint32_t cap)
{
    for (uint32_t i = k; i < cap; i++) {
        if (counts[i] != 0)
            return false;
    }
    return true;
}

static bool bytes_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0)
            return false;
    }
    return true;
}

static void put_counts(uint8_t *p, const uint64_t *counts, uint32_t k)
{
    for (uint32_t i = 0; i < k; i++)
        cm__put_u64le(p + 8 * i, counts[i]);
}

static void get_counts(const uint8_t *p, uint64_t *counts, uint32_t k)
{
    for (uint32_t i = 0; i < k; i++)
        counts[i] = cm__get_u64le(p + 8 * i);
}

/* Shared ENOSPC handling of the _serialize functions. */
static cm_status serial_room(size_t cap, size_t size, size_t *written)
{
    if (cap < size) {
        *written = size;
        return CM_ENOSPC;
    }
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* CSAT                                                                   */
/* ---------------------------------------------------------------------- */

typedef struct csat_config {
    uint32_t scale, satisfied_min;
} csat_config;

static bool csat_config_of(const cm_csat *acc, csat_config *cfg)
{
    cfg->scale = acc->scale ? acc->scale : CM_CSAT_DEFAULT_SCALE;
    cfg->satisfied_min = acc->satisfied_min ? acc->satisfied_min : CM_CSAT_DEFAULT_SATISFIED;
    return cfg->scale >= 2 && cfg->scale <= CM_CSAT_MAX_SCALE && cfg->satisfied_min >= 1 &&
           cfg->satisfied_min <= cfg->scale && bytes_zero(acc->reserved, sizeof acc->reserved);
}

/* A CSAT accumulator is valid when its scale is and no answer lies above it. */
static bool csat_valid(const cm_csat *acc, csat_config *cfg)
{
    return csat_config_of(acc, cfg) && hist_tail_zero(acc->counts, cfg->scale, CM_CSAT_MAX_SCALE);
}

cm_status cm_csat_init(cm_csat *acc, uint32_t scale, uint32_t satisfied_min)
{
    CM_REQUIRE(acc != NULL, CM_EINVAL);
    CM_REQUIRE(scale >= 2 && scale <= CM_CSAT_MAX_SCALE, CM_ERANGE);
    CM_REQUIRE(satisfied_min >= 1 && satisfied_min <= scale, CM_ERANGE);
    memset(acc, 0, sizeof *acc);
    acc->scale = (uint8_t)scale;
    acc->satisfied_min = (uint8_t)satisfied_min;
    return CM_OK;
}

cm_status cm_csat_add(cm_csat *acc, int32_t score)
{
    csat_config cfg;
    CM_REQUIRE(acc != NULL && csat_config_of(acc, &cfg), CM_EINVAL);
    return hist_add_one(acc->counts, 1, cfg.scale, score);
}

cm_status cm_csat_add_many(cm_csat *acc, const uint8_t *scores, size_t n)
{
    csat_config cfg;
    CM_REQUIRE(acc != NULL && csat_config_of(acc, &cfg), CM_EINVAL);
    return hist_add_many(acc->counts, 1, cfg.scale, scores, n);
}

cm_status cm_csat_merge(cm_csat *acc, const cm_csat *other)
{
    csat_config a, b;
    CM_REQUIRE(acc != NULL && other != NULL, CM_EINVAL);
    CM_REQUIRE(csat_valid(acc, &a) && csat_valid(other, &b), CM_EINVAL);
    CM_REQUIRE(a.scale == b.scale && a.satisfied_min == b.satisfied_min, CM_EINVAL);
    return hist_add_counts(acc->counts, other->counts, a.scale);
}

cm_status cm_csat_result(const cm_csat *acc, double confidence, cm_csat_summary *out)
{
    csat_config cfg;
    uint64_t n;
    CM_REQUIRE(acc != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(cm__valid_confidence(confidence), CM_EINVAL);
    CM_REQUIRE(csat_valid(acc, &cfg), CM_EINVAL);
    CM_REQUIRE(hist_total(acc->counts, cfg.scale, &n), CM_EOVERFLOW);
    CM_REQUIRE(n > 0, CM_ENODATA);
    const uint64_t sat = hist_range(acc->counts, cfg.satisfied_min - 1, cfg.scale - 1);
    cm_csat_summary s;
    double sd;
    s.satisfied = wilson(sat, n, cm__z_for_confidence(confidence));
    hist_moments(acc->counts, 1, cfg.scale, n, &s.mean, &sd);
    *out = s;
    return CM_OK;
}

/* CSAT bytes: header, scale, satisfied_min, 2 zero bytes, 10 counts, CRC. */
cm_status cm_csat_serialize(const cm_csat *acc, uint8_t *buf, size_t cap, size_t *written)
{
    csat_config cfg;
    CM_REQUIRE(acc != NULL && buf != NULL && written != NULL, CM_EINVAL);
    CM_REQUIRE(csat_valid(acc, &cfg), CM_EINVAL);
    CM_TRY(serial_room(cap, CM_CSAT_SERIALIZED_SIZE, written));
    uint8_t *p = buf;
    cm__serial_begin(p, CM__SERIAL_CSAT, KPI_SERIAL_VERSION);
    p[4] = (uint8_t)cfg.scale;
    p[5] = (uint8_t)cfg.satisfied_min;
    p[6] = p[7] = 0;
    put_counts(p + 8, acc->counts, CM_CSAT_MAX_SCALE);
    cm__serial_end(p, CM_CSAT_SERIALIZED_SIZE);
    *written = CM_CSAT_SERIALIZED_SIZE;
    return CM_OK;
}

cm_status cm_csat_deserialize(const uint8_t *buf, size_t len, cm_csat *out)
{
    CM_REQUIRE(buf != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(
        cm__serial_check(buf, len, CM_CSAT_SERIALIZED_SIZE, CM__SERIAL_CSAT, KPI_SERIAL_VERSION),
        CM_EPARSE);
    cm_csat acc;
    csat_config cfg;
    uint64_t n;
    memset(&acc, 0, sizeof acc);
    acc.scale = buf[4];
    acc.satisfied_min = buf[5];
    get_counts(buf + 8, acc.counts, CM_CSAT_MAX_SCALE);
    CM_REQUIRE(acc.scale != 0 && acc.satisfied_min != 0 && buf[6] == 0 && buf[7] == 0 &&
                   csat_valid(&acc, &cfg) && hist_total(acc.counts, cfg.scale, &n),
               CM_EPARSE);
    *out = acc;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* NPS                                                                    */
/* ---------------------------------------------------------------------- */

#define NPS_K HIST_MAX

cm_status cm_nps_init(cm_nps *acc)
{
    CM_REQUIRE(acc != NULL, CM_EINVAL);
    memset(acc, 0, sizeof *acc);
    return CM_OK;
}

cm_status cm_nps_add(cm_nps *acc, int32_t score)
{
    CM_REQUIRE(acc != NULL, CM_EINVAL);
    return hist_add_one(acc->counts, 0, NPS_K, score);
}

cm_status cm_nps_add_many(cm_nps *acc, const uint8_t *scores, size_t n)
{
    CM_REQUIRE(acc != NULL, CM_EINVAL);
    return hist_add_many(acc->counts, 0, NPS_K, scores, n);
}

cm_status cm_nps_merge(cm_nps *acc, const cm_nps *other)
{
    CM_REQUIRE(acc != NULL && other != NULL, CM_EINVAL);
    return hist_add_counts(acc->counts, other->counts, NPS_K);
}

cm_status cm_nps_result(const cm_nps *acc, double confidence, cm_nps_summary *out)
{
    uint64_t n;
    CM_REQUIRE(acc != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(cm__valid_confidence(confidence), CM_EINVAL);
    CM_REQUIRE(hist_total(acc->counts, NPS_K, &n), CM_EOVERFLOW);
    CM_REQUIRE(n > 0, CM_ENODATA);
    cm_nps_summary s;
    s.n = n;
    s.detractors = hist_range(acc->counts, 0, 6);
    s.passives = hist_range(acc->counts, 7, 8);
    s.promoters = hist_range(acc->counts, 9, 10);
    const double dn = (double)n;
    const double pp = (double)s.promoters / dn;
    const double pd = (double)s.detractors / dn;
    /* Each answer scores +1, 0 or -1: mean pp - pd, variance pp + pd - (pp - pd)². */
    const double diff = ((double)s.promoters - (double)s.detractors) / dn;
    const double var = fmax(0.0, pp + pd - diff * diff);
    const double z = cm__z_for_confidence(confidence);
    s.score = 100.0 * diff;
    s.se = 100.0 * sqrt(var / dn);
    s.lo = fmax(-100.0, s.score - z * s.se);
    s.hi = fmin(100.0, s.score + z * s.se);
    *out = s;
    return CM_OK;
}

/* NPS bytes: header, 4 zero bytes, 11 counts, CRC. */
cm_status cm_nps_serialize(const cm_nps *acc, uint8_t *buf, size_t cap, size_t *written)
{
    CM_REQUIRE(acc != NULL && buf != NULL && written != NULL, CM_EINVAL);
    CM_TRY(serial_room(cap, CM_NPS_SERIALIZED_SIZE, written));
    cm__serial_begin(buf, CM__SERIAL_NPS, KPI_SERIAL_VERSION);
    memset(buf + 4, 0, 4);
    put_counts(buf + 8, acc->counts, NPS_K);
    cm__serial_end(buf, CM_NPS_SERIALIZED_SIZE);
    *written = CM_NPS_SERIALIZED_SIZE;
    return CM_OK;
}

cm_status cm_nps_deserialize(const uint8_t *buf, size_t len, cm_nps *out)
{
    CM_REQUIRE(buf != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(
        cm__serial_check(buf, len, CM_NPS_SERIALIZED_SIZE, CM__SERIAL_NPS, KPI_SERIAL_VERSION) &&
            bytes_zero(buf + 4, 4),
        CM_EPARSE);
    cm_nps acc;
    uint64_t n;
    get_counts(buf + 8, acc.counts, NPS_K);
    CM_REQUIRE(hist_total(acc.counts, NPS_K, &n), CM_EPARSE);
    *out = acc;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* CES                                                                    */
/* ---------------------------------------------------------------------- */

typedef struct ces_config {
    uint32_t scale, easy_min, easy_max;
} ces_config;

static bool ces_config_of(const cm_ces *acc, ces_config *cfg)
{
    cfg->scale = acc->scale ? acc->scale : CM_CES_DEFAULT_SCALE;
    cfg->easy_min = acc->easy_min ? acc->easy_min : CM_CES_DEFAULT_EASY_MIN;
    cfg->easy_max = acc->easy_max ? acc->easy_max : CM_CES_DEFAULT_EASY_MAX;
    return cfg->scale >= 2 && cfg->scale <= CM_CES_MAX_SCALE && cfg->easy_min >= 1 &&
           cfg->easy_min <= cfg->easy_max && cfg->easy_max <= cfg->scale &&
           bytes_zero(acc->reserved, sizeof acc->reserved);
}

static bool ces_valid(const cm_ces *acc, ces_config *cfg)
{
    return ces_config_of(acc, cfg) && hist_tail_zero(acc->counts, cfg->scale, CM_CES_MAX_SCALE);
}

cm_status cm_ces_init(cm_ces *acc, uint32_t scale, uint32_t easy_min, uint32_t easy_max)
{
    CM_REQUIRE(acc != NULL, CM_EINVAL);
    CM_REQUIRE(scale >= 2 && scale <= CM_CES_MAX_SCALE, CM_ERANGE);
    CM_REQUIRE(easy_min >= 1 && easy_min <= easy_max && easy_max <= scale, CM_ERANGE);
    memset(acc, 0, sizeof *acc);
    acc->scale = (uint8_t)scale;
    acc->easy_min = (uint8_t)easy_min;
    acc->easy_max = (uint8_t)easy_max;
    return CM_OK;
}

cm_status cm_ces_add(cm_ces *acc, int32_t score)
{
    ces_config cfg;
    CM_REQUIRE(acc != NULL && ces_config_of(acc, &cfg), CM_EINVAL);
    return hist_add_one(acc->counts, 1, cfg.scale, score);
}

cm_status cm_ces_add_many(cm_ces *acc, const uint8_t *scores, size_t n)
{
    ces_config cfg;
    CM_REQUIRE(acc != NULL && ces_config_of(acc, &cfg), CM_EINVAL);
    return hist_add_many(acc->counts, 1, cfg.scale, scores, n);
}

cm_status cm_ces_merge(cm_ces *acc, const cm_ces *other)
{
    ces_config a, b;
    CM_REQUIRE(acc != NULL && other != NULL, CM_EINVAL);
    CM_REQUIRE(ces_valid(acc, &a) && ces_valid(other, &b), CM_EINVAL);
    CM_REQUIRE(a.scale == b.scale && a.easy_min == b.easy_min && a.easy_max == b.easy_max,
               CM_EINVAL);
    return hist_add_counts(acc->counts, other->counts, a.scale);
}

cm_status cm_ces_result(const cm_ces *acc, double confidence, cm_ces_summary *out)
{
    ces_config cfg;
    uint64_t n;
    CM_REQUIRE(acc != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(cm__valid_confidence(confidence), CM_EINVAL);
    CM_REQUIRE(ces_valid(acc, &cfg), CM_EINVAL);
    CM_REQUIRE(hist_total(acc->counts, cfg.scale, &n), CM_EOVERFLOW);
    CM_REQUIRE(n > 0, CM_ENODATA);
    const double z = cm__z_for_confidence(confidence);
    cm_ces_summary s;
    s.n = n;
    hist_moments(acc->counts, 1, cfg.scale, n, &s.mean, &s.sd);
    const double half = z * s.sd / sqrt((double)n);
    s.lo = s.mean - half;
    s.hi = s.mean + half;
    s.easy = wilson(hist_range(acc->counts, cfg.easy_min - 1, cfg.easy_max - 1), n, z);
    *out = s;
    return CM_OK;
}

/* CES bytes: header, scale, easy_min, easy_max, 1 zero byte, 10 counts, CRC. */
cm_status cm_ces_serialize(const cm_ces *acc, uint8_t *buf, size_t cap, size_t *written)
{
    ces_config cfg;
    CM_REQUIRE(acc != NULL && buf != NULL && written != NULL, CM_EINVAL);
    CM_REQUIRE(ces_valid(acc, &cfg), CM_EINVAL);
    CM_TRY(serial_room(cap, CM_CES_SERIALIZED_SIZE, written));
    cm__serial_begin(buf, CM__SERIAL_CES, KPI_SERIAL_VERSION);
    buf[4] = (uint8_t)cfg.scale;
    buf[5] = (uint8_t)cfg.easy_min;
    buf[6] = (uint8_t)cfg.easy_max;
    buf[7] = 0;
    put_counts(buf + 8, acc->counts, CM_CES_MAX_SCALE);
    cm__serial_end(buf, CM_CES_SERIALIZED_SIZE);
    *written = CM_CES_SERIALIZED_SIZE;
    return CM_OK;
}

cm_status cm_ces_deserialize(const uint8_t *buf, size_t len, cm_ces *out)
{
    CM_REQUIRE(buf != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(
        cm__serial_check(buf, len, CM_CES_SERIALIZED_SIZE, CM__SERIAL_CES, KPI_SERIAL_VERSION),
        CM_EPARSE);
    cm_ces acc;
    ces_config cfg;
    uint64_t n;
    memset(&acc, 0, sizeof acc);
    acc.scale = buf[4];
    acc.easy_min = buf[5];
    acc.easy_max = buf[6];
    get_counts(buf + 8, acc.counts, CM_CES_MAX_SCALE);
    CM_REQUIRE(acc.scale != 0 && acc.easy_min != 0 && acc.easy_max != 0 && buf[7] == 0 &&
                   ces_valid(&acc, &cfg) && hist_total(acc.counts, cfg.scale, &n),
               CM_EPARSE);
    *out = acc;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Average response time                                                  */
/* ---------------------------------------------------------------------- */

static bool art_valid(const cm_art *a)
{
    if (a->n == 0)
        return a->total_seconds == 0 && a->min_seconds == 0 && a->max_seconds == 0;
    return a->min_seconds >= 0 && a->min_seconds <= a->max_seconds &&
           a->total_seconds >= a->max_seconds;
}

/* Adds one response to a copy; the caller commits it. */
static cm_status art_push(cm_art *a, int64_t seconds)
{
    CM_REQUIRE(seconds >= 0, CM_EINVAL);
    CM_REQUIRE(a->n != UINT64_MAX, CM_EOVERFLOW);
    CM_REQUIRE(!__builtin_add_overflow(a->total_seconds, seconds, &a->total_seconds), CM_EOVERFLOW);
    if (a->n == 0 || seconds < a->min_seconds)
        a->min_seconds = seconds;
    if (a->n == 0 || seconds > a->max_seconds)
        a->max_seconds = seconds;
    a->n++;
    return CM_OK;
}

cm_status cm_art_mean(int64_t total_seconds, uint64_t responses, double *out)
{
    CM_REQUIRE(out != NULL && total_seconds >= 0, CM_EINVAL);
    CM_REQUIRE(responses > 0, CM_ENODATA);
    *out = (double)total_seconds / (double)responses;
    return CM_OK;
}

cm_status cm_art_init(cm_art *acc)
{
    CM_REQUIRE(acc != NULL, CM_EINVAL);
    memset(acc, 0, sizeof *acc);
    return CM_OK;
}

cm_status cm_art_add(cm_art *acc, int64_t seconds)
{
    CM_REQUIRE(acc != NULL && art_valid(acc), CM_EINVAL);
    cm_art a = *acc;
    CM_TRY(art_push(&a, seconds));
    *acc = a;
    return CM_OK;
}

cm_status cm_art_add_many(cm_art *acc, const int64_t *seconds, size_t n)
{
    CM_REQUIRE(acc != NULL && art_valid(acc) && (n == 0 || seconds != NULL), CM_EINVAL);
    cm_art a = *acc;
    for (size_t i = 0; i < n; i++)
        CM_TRY(art_push(&a, seconds[i]));
    *acc = a;
    return CM_OK;
}

cm_status cm_art_merge(cm_art *acc, const cm_art *other)
{
    CM_REQUIRE(acc != NULL && other != NULL && art_valid(acc) && art_valid(other), CM_EINVAL);
    if (other->n == 0)
        return CM_OK;
    cm_art a = *acc;
    CM_REQUIRE(!__builtin_add_overflow(a.n, other->n, &a.n) &&
                   !__builtin_add_overflow(a.total_seconds, other->total_seconds, &a.total_seconds),
               CM_EOVERFLOW);
    a.min_seconds = acc->n == 0
                        ? other->min_seconds
                        : (other->min_seconds < a.min_seconds ? other->min_seconds : a.min_seconds);
    a.max_seconds = other->max_seconds > a.max_seconds ? other->max_seconds : a.max_seconds;
    *acc = a;
    return CM_OK;
}

cm_status cm_art_result(const cm_art *acc, cm_art_summary *out)
{
    CM_REQUIRE(acc != NULL && out != NULL && art_valid(acc), CM_EINVAL);
    CM_REQUIRE(acc->n > 0, CM_ENODATA);
    cm_art_summary s;
    s.n = acc->n;
    s.total_seconds = acc->total_seconds;
    s.min_seconds = acc->min_seconds;
    s.max_seconds = acc->max_seconds;
    s.mean_seconds = (double)acc->total_seconds / (double)acc->n;
    *out = s;
    return CM_OK;
}

/* ART bytes: header, 4 zero bytes, n, total, min, max (u64/i64 two's complement), CRC. */
cm_status cm_art_serialize(const cm_art *acc, uint8_t *buf, size_t cap, size_t *written)
{
    CM_REQUIRE(acc != NULL && buf != NULL && written != NULL && art_valid(acc), CM_EINVAL);
    CM_TRY(serial_room(cap, CM_ART_SERIALIZED_SIZE, written));
    cm__serial_begin(buf, CM__SERIAL_ART, KPI_SERIAL_VERSION);
    memset(buf + 4, 0, 4);
    cm__put_u64le(buf + 8, acc->n);
    cm__put_u64le(buf + 16, (uint64_t)acc->total_seconds);
    cm__put_u64le(buf + 24, (uint64_t)acc->min_seconds);
    cm__put_u64le(buf + 32, (uint64_t)acc->max_seconds);
    cm__serial_end(buf, CM_ART_SERIALIZED_SIZE);
    *written = CM_ART_SERIALIZED_SIZE;
    return CM_OK;
}

/* Two's-complement decoding without implementation-defined conversions. */
static int64_t i64_from_u64(uint64_t u)
{
    return u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
}

cm_status cm_art_deserialize(const uint8_t *buf, size_t len, cm_art *out)
{
    CM_REQUIRE(buf != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(
        cm__serial_check(buf, len, CM_ART_SERIALIZED_SIZE, CM__SERIAL_ART, KPI_SERIAL_VERSION) &&
            bytes_zero(buf + 4, 4),
        CM_EPARSE);
    cm_art a;
    a.n = cm__get_u64le(buf + 8);
    a.total_seconds = i64_from_u64(cm__get_u64le(buf + 16));
    a.min_seconds = i64_from_u64(cm__get_u64le(buf + 24));
    a.max_seconds = i64_from_u64(cm__get_u64le(buf + 32));
    CM_REQUIRE(art_valid(&a), CM_EPARSE);
    *out = a;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Cost per contact                                                       */
/* ---------------------------------------------------------------------- */

/* Format version of a serialized cm_cost. */
#define COST_SERIAL_VERSION 1

static bool cost_valid(const cm_cost *a)
{
    if (a->shared < 0)
        return false;
    for (int c = 0; c < CM_COST_CHANNELS; c++) {
        if (a->direct[c] < 0)
            return false;
    }
    return true;
}

cm_status cm_cost_per_contact(int64_t total_cost, uint64_t contacts, double *out)
{
    CM_REQUIRE(out != NULL && total_cost >= 0, CM_EINVAL);
    CM_REQUIRE(contacts > 0, CM_ENODATA);
    *out = (double)total_cost / (double)contacts;
    return CM_OK;
}

cm_status cm_cost_init(cm_cost *acc)
{
    CM_REQUIRE(acc != NULL, CM_EINVAL);
    memset(acc, 0, sizeof *acc);
    return CM_OK;
}

cm_status cm_cost_add_cost(cm_cost *acc, uint32_t channel, int64_t amount)
{
    CM_REQUIRE(acc != NULL && amount >= 0, CM_EINVAL);
    CM_REQUIRE(channel < CM_COST_CHANNELS || channel == CM_COST_SHARED, CM_ERANGE);
    int64_t *slot = channel == CM_COST_SHARED ? &acc->shared : &acc->direct[channel];
    int64_t sum;
    CM_REQUIRE(!__builtin_add_overflow(*slot, amount, &sum), CM_EOVERFLOW);
    *slot = sum;
    return CM_OK;
}

cm_status cm_cost_add_contacts(cm_cost *acc, uint32_t channel, uint64_t contacts,
                               uint64_t handle_seconds)
{
    CM_REQUIRE(acc != NULL, CM_EINVAL);
    CM_REQUIRE(channel < CM_COST_CHANNELS, CM_ERANGE);
    uint64_t c, h;
    CM_REQUIRE(!__builtin_add_overflow(acc->contacts[channel], contacts, &c) &&
                   !__builtin_add_overflow(acc->handle_seconds[channel], handle_seconds, &h),
               CM_EOVERFLOW);
    acc->contacts[channel] = c;
    acc->handle_seconds[channel] = h;
    return CM_OK;
}

cm_status cm_cost_add_many(cm_cost *acc, const uint8_t *channels, const int64_t *handle_seconds,
                           size_t n)
{
    CM_REQUIRE(acc != NULL && (n == 0 || channels != NULL), CM_EINVAL);
    cm_cost a = *acc;
    for (size_t i = 0; i < n; i++) {
        const int64_t h = handle_seconds != NULL ? handle_seconds[i] : 0;
        CM_REQUIRE(h >= 0, CM_EINVAL);
        CM_REQUIRE(channels[i] < CM_COST_CHANNELS, CM_ERANGE);
        CM_TRY(cm_cost_add_contacts(&a, channels[i], 1, (uint64_t)h));
    }
    *acc = a;
    return CM_OK;
}

cm_status cm_cost_merge(cm_cost *acc, const cm_cost *other)
{
    CM_REQUIRE(acc != NULL && other != NULL && cost_valid(acc) && cost_valid(other), CM_EINVAL);
    cm_cost a = *acc;
    CM_REQUIRE(!__builtin_add_overflow(a.shared, other->shared, &a.shared), CM_EOVERFLOW);
    for (int c = 0; c < CM_COST_CHANNELS; c++) {
        CM_REQUIRE(!__builtin_add_overflow(a.direct[c], other->direct[c], &a.direct[c]) &&
                       !__builtin_add_overflow(a.contacts[c], other->contacts[c], &a.contacts[c]) &&
                       !__builtin_add_overflow(a.handle_seconds[c], other->handle_seconds[c],
                                               &a.handle_seconds[c]),
                   CM_EOVERFLOW);
    }
    *acc = a;
    return CM_OK;
}

cm_status cm_cost_result(const cm_cost *acc, uint32_t basis, cm_cost_summary *out)
{
    CM_REQUIRE(acc != NULL && out != NULL && cost_valid(acc), CM_EINVAL);
    CM_REQUIRE(basis == CM_COST_BY_CONTACTS || basis == CM_COST_BY_HANDLE_TIME, CM_EINVAL);
    cm_cost_summary s;
    memset(&s, 0, sizeof s);
    s.total_cost = acc->shared;
    for (int c = 0; c < CM_COST_CHANNELS; c++) {
        CM_REQUIRE(!__builtin_add_overflow(s.total_cost, acc->direct[c], &s.total_cost) &&
                       !__builtin_add_overflow(s.contacts, acc->contacts[c], &s.contacts) &&
                       !__builtin_add_overflow(s.handle_seconds, acc->handle_seconds[c],
                                               &s.handle_seconds),
                   CM_EOVERFLOW);
    }
    CM_REQUIRE(s.contacts > 0, CM_ENODATA);
    const uint64_t whole = basis == CM_COST_BY_CONTACTS ? s.contacts : s.handle_seconds;
    CM_REQUIRE(whole > 0 || acc->shared == 0, CM_ENODATA);
    s.per_contact = (double)s.total_cost / (double)s.contacts;
    for (int c = 0; c < CM_COST_CHANNELS; c++) {
        cm_cost_channel *ch = &s.channels[c];
        ch->contacts = acc->contacts[c];
        ch->handle_seconds = acc->handle_seconds[c];
        ch->direct = acc->direct[c];
        const uint64_t part = basis == CM_COST_BY_CONTACTS ? ch->contacts : ch->handle_seconds;
        /* shared * (part / whole): the ratio first keeps the product in range. */
        ch->allocated = whole > 0 ? (double)acc->shared * ((double)part / (double)whole) : 0.0;
        if (ch->contacts > 0) {
            ch->direct_per_contact = (double)ch->direct / (double)ch->contacts;
            ch->per_contact = ((double)ch->direct + ch->allocated) / (double)ch->contacts;
        }
    }
    *out = s;
    return CM_OK;
}

/* Bytes: header, 4 zero bytes, shared, then per channel direct, contacts, handle; CRC. */
cm_status cm_cost_serialize(const cm_cost *acc, uint8_t *buf, size_t cap, size_t *written)
{
    CM_REQUIRE(acc != NULL && buf != NULL && written != NULL && cost_valid(acc), CM_EINVAL);
    CM_TRY(serial_room(cap, CM_COST_SERIALIZED_SIZE, written));
    cm__serial_begin(buf, CM__SERIAL_COST, COST_SERIAL_VERSION);
    memset(buf + 4, 0, 4);
    cm__put_u64le(buf + 8, (uint64_t)acc->shared);
    for (int c = 0; c < CM_COST_CHANNELS; c++) {
        uint8_t *p = buf + 16 + 24 * c;
        cm__put_u64le(p, (uint64_t)acc->direct[c]);
        cm__put_u64le(p + 8, acc->contacts[c]);
        cm__put_u64le(p + 16, acc->handle_seconds[c]);
    }
    cm__serial_end(buf, CM_COST_SERIALIZED_SIZE);
    *written = CM_COST_SERIALIZED_SIZE;
    return CM_OK;
}

cm_status cm_cost_deserialize(const uint8_t *buf, size_t len, cm_cost *out)
{
    CM_REQUIRE(buf != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(
        cm__serial_check(buf, len, CM_COST_SERIALIZED_SIZE, CM__SERIAL_COST, COST_SERIAL_VERSION) &&
            bytes_zero(buf + 4, 4),
        CM_EPARSE);
    cm_cost a;
    a.shared = i64_from_u64(cm__get_u64le(buf + 8));
    for (int c = 0; c < CM_COST_CHANNELS; c++) {
        const uint8_t *p = buf + 16 + 24 * c;
        a.direct[c] = i64_from_u64(cm__get_u64le(p));
        a.contacts[c] = cm__get_u64le(p + 8);
        a.handle_seconds[c] = cm__get_u64le(p + 16);
    }
    CM_REQUIRE(cost_valid(&a), CM_EPARSE);
    *out = a;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* ABI queries                                                            */
/* ---------------------------------------------------------------------- */

size_t cm_kpi_sizeof(const char *name)
{
    static const cm__named_size sizes[] = {
        CM__SIZE_OF(cm_proportion),  CM__SIZE_OF(cm_csat),         CM__SIZE_OF(cm_csat_summary),
        CM__SIZE_OF(cm_nps),         CM__SIZE_OF(cm_nps_summary),  CM__SIZE_OF(cm_ces),
        CM__SIZE_OF(cm_ces_summary), CM__SIZE_OF(cm_art),          CM__SIZE_OF(cm_art_summary),
        CM__SIZE_OF(cm_cost),        CM__SIZE_OF(cm_cost_channel), CM__SIZE_OF(cm_cost_summary),
    };
    return cm__lookup_size(sizes, CM__COUNT_OF(sizes), name);
}

cm_status cm_kpi_constant(const char *name, double *out)
{
    static const cm__named_value constants[] = {
        CM__VALUE_OF(CM_DEFAULT_CONFIDENCE),     CM__VALUE_OF(CM_SCORE_NONE),
        CM__VALUE_OF(CM_CSAT_MAX_SCALE),         CM__VALUE_OF(CM_CSAT_DEFAULT_SCALE),
        CM__VALUE_OF(CM_CSAT_DEFAULT_SATISFIED), CM__VALUE_OF(CM_CSAT_SERIALIZED_SIZE),
        CM__VALUE_OF(CM_NPS_SERIALIZED_SIZE),    CM__VALUE_OF(CM_CES_MAX_SCALE),
        CM__VALUE_OF(CM_CES_DEFAULT_SCALE),      CM__VALUE_OF(CM_CES_DEFAULT_EASY_MIN),
        CM__VALUE_OF(CM_CES_DEFAULT_EASY_MAX),   CM__VALUE_OF(CM_CES_SERIALIZED_SIZE),
        CM__VALUE_OF(CM_ART_SERIALIZED_SIZE),    CM__VALUE_OF(CM_COST_SERIALIZED_SIZE),
        CM__VALUE_OF(CM_COST_CHANNELS),          CM__VALUE_OF(CM_COST_SHARED),
    };
    return cm__lookup_value(constants, CM__COUNT_OF(constants), name, out);
}
