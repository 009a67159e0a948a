/*
 * PostgreSQL extension: CSAT, NPS and CES aggregates over the library's
 * survey accumulators, and rates with Wilson intervals.
 * SPDX-License-Identifier: MIT
 */
#include "pgcm.h"

#include "port/pg_bswap.h"

/* cm_proportion: (num, den, value, lo, hi). */
static Datum proportion_row(FunctionCallInfo fcinfo, const cm_proportion *p, const char *what)
{
    Datum v[5] = {Int64GetDatum(pgcm_count(p->num, what)), Int64GetDatum(pgcm_count(p->den, what)),
                  Float8GetDatum(p->value), Float8GetDatum(p->lo), Float8GetDatum(p->hi)};
    bool n[5] = {false};
    return pgcm_row(fcinfo, v, n);
}

/* A confidence argument: the library checks its range. */
static double confidence_arg(FunctionCallInfo fcinfo, int argno)
{
    return PG_NARGS() > argno ? PG_GETARG_FLOAT8(argno) : CM_DEFAULT_CONFIDENCE;
}

/* An int argument that the library takes as uint64: negative values are its CM_EINVAL. */
static uint64_t count_arg(FunctionCallInfo fcinfo, int argno, const char *what, const char *name)
{
    const int64 v = PG_GETARG_INT64(argno);
    if (v < 0)
        pgcm_check(CM_EINVAL, what, "%s = " INT64_FORMAT " is negative", name, v);
    return (uint64_t)v;
}

/* cm_rate(num bigint, den bigint, confidence float8 DEFAULT 0.95) -> cm_proportion */
PG_FUNCTION_INFO_V1(pgcm_rate);
Datum pgcm_rate(PG_FUNCTION_ARGS)
{
    const uint64_t num = count_arg(fcinfo, 0, "cm_rate", "num");
    const uint64_t den = count_arg(fcinfo, 1, "cm_rate", "den");
    const double confidence = confidence_arg(fcinfo, 2);
    cm_proportion p;
    const cm_status st = cm_rate(num, den, confidence, &p);
    if (st == CM_ENODATA)
        PG_RETURN_NULL();
    pgcm_check(st, "cm_rate", "num = %llu, den = %llu, confidence = %g", (unsigned long long)num,
               (unsigned long long)den, confidence);
    return proportion_row(fcinfo, &p, "cm_rate");
}

/* cm_abandonment_rate(offered, abandoned, short_abandoned, confidence) -> cm_proportion */
PG_FUNCTION_INFO_V1(pgcm_abandonment_rate);
Datum pgcm_abandonment_rate(PG_FUNCTION_ARGS)
{
    const char *what = "cm_abandonment_rate";
    const uint64_t offered = count_arg(fcinfo, 0, what, "offered");
    const uint64_t abandoned = count_arg(fcinfo, 1, what, "abandoned");
    const uint64_t short_abandoned = count_arg(fcinfo, 2, what, "short_abandoned");
    const double confidence = confidence_arg(fcinfo, 3);
    cm_proportion p;
    const cm_status st = cm_abandonment_rate(offered, abandoned, short_abandoned, confidence, &p);
    if (st == CM_ENODATA)
        PG_RETURN_NULL();
    pgcm_check(st, what, "offered = %llu, abandoned = %llu, short_abandoned = %llu",
               (unsigned long long)offered, (unsigned long long)abandoned,
               (unsigned long long)short_abandoned);
    return proportion_row(fcinfo, &p, what);
}

/* ---- cm_rate(bool) aggregate ------------------------------------------------------ */

/*
 * The state is two counts. The library has no accumulator for them (cm_rate()
 * takes the counts), so partial states travel as PostgreSQL's own portable
 * encoding of two bigints (network byte order, 16 bytes).
 */
#define RATE_MAGIC 0x52415445u

typedef struct rate_state {
    uint32 magic;
    uint64 num, den;
} rate_state;

static rate_state *rate_arg(FunctionCallInfo fcinfo, int argno)
{
    if (PG_ARGISNULL(argno))
        return NULL;
    rate_state *s = (rate_state *)PG_GETARG_POINTER(argno);
    if (s->magic != RATE_MAGIC)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("cm_rate: the state is not a cm_rate state")));
    return s;
}

static rate_state *rate_new(MemoryContext ctx)
{
    rate_state *s = MemoryContextAllocZero(ctx, sizeof(rate_state));
    s->magic = RATE_MAGIC;
    return s;
}

PG_FUNCTION_INFO_V1(pgcm_rate_trans);
Datum pgcm_rate_trans(PG_FUNCTION_ARGS)
{
    MemoryContext ctx = pgcm_agg_context(fcinfo, "cm_rate_trans");
    rate_state *s = rate_arg(fcinfo, 0);
    if (PG_ARGISNULL(1)) {
        if (s == NULL)
            PG_RETURN_NULL();
        PG_RETURN_POINTER(s);
    }
    if (s == NULL)
        s = rate_new(ctx);
    if (s->den == PG_UINT64_MAX)
        pgcm_check(CM_EOVERFLOW, "cm_rate", "more than 2^64 - 1 rows");
    s->num += PG_GETARG_BOOL(1) ? 1 : 0;
    s->den += 1;
    PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(pgcm_rate_combine);
Datum pgcm_rate_combine(PG_FUNCTION_ARGS)
{
    MemoryContext ctx = pgcm_agg_context(fcinfo, "cm_rate_combine");
    rate_state *a = rate_arg(fcinfo, 0), *b = rate_arg(fcinfo, 1);
    if (b == NULL) {
        if (a == NULL)
            PG_RETURN_NULL();
        PG_RETURN_POINTER(a);
    }
    if (a == NULL)
        a = rate_new(ctx);
    if (b->den > PG_UINT64_MAX - a->den)
        pgcm_check(CM_EOVERFLOW, "cm_rate", "more than 2^64 - 1 rows");
    a->num += b->num;
    a->den += b->den;
    PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(pgcm_rate_serialize);
Datum pgcm_rate_serialize(PG_FUNCTION_ARGS)
{
    (void)pgcm_agg_context(fcinfo, "cm_rate_serialize");
    rate_state *s = rate_arg(fcinfo, 0);
    if (s == NULL)
        PG_RETURN_NULL();
    const uint64 be[2] = {pg_hton64(s->num), pg_hton64(s->den)};
    PG_RETURN_BYTEA_P(pgcm_bytea((const uint8_t *)be, sizeof be));
}

PG_FUNCTION_INFO_V1(pgcm_rate_deserialize);
Datum pgcm_rate_deserialize(PG_FUNCTION_ARGS)
{
    MemoryContext ctx = pgcm_agg_context(fcinfo, "cm_rate_deserialize");
    bytea *b = PG_GETARG_BYTEA_PP(0);
    if (VARSIZE_ANY_EXHDR(b) != 16)
        pgcm_check(CM_EPARSE, "cm_rate", "a cm_rate state is 16 bytes, not %zu",
                   (size_t)VARSIZE_ANY_EXHDR(b));
    uint64 be[2];
    memcpy(be, VARDATA_ANY(b), sizeof be);
    const uint64 num = pg_ntoh64(be[0]), den = pg_ntoh64(be[1]);
    if (num > den)
        pgcm_check(CM_EPARSE, "cm_rate", "a cm_rate state with more successes than rows");
    rate_state *s = rate_new(ctx);
    s->num = num;
    s->den = den;
    PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(pgcm_rate_final);
Datum pgcm_rate_final(PG_FUNCTION_ARGS)
{
    (void)pgcm_agg_context(fcinfo, "cm_rate_final");
    rate_state *s = rate_arg(fcinfo, 0);
    if (s == NULL)
        PG_RETURN_NULL();
    cm_proportion p;
    const cm_status st = cm_rate(s->num, s->den, CM_DEFAULT_CONFIDENCE, &p);
    if (st == CM_ENODATA)
        PG_RETURN_NULL();
    pgcm_check(st, "cm_rate", NULL);
    return proportion_row(fcinfo, &p, "cm_rate");
}

/* ---- survey accumulators ---------------------------------------------------------- */

#define CSAT_MAGIC 0x43534154u
#define NPS_MAGIC  0x4e505320u
#define CES_MAGIC  0x43455320u

typedef struct pgcm_csat_state {
    uint32 magic;
    cm_csat acc;
} pgcm_csat_state;

typedef struct pgcm_nps_state {
    uint32 magic;
    cm_nps acc;
} pgcm_nps_state;

typedef struct pgcm_ces_state {
    uint32 magic;
    cm_ces acc;
} pgcm_ces_state;

PGCM_BYTES(csat, cm_csat, CM_CSAT_SERIALIZED_SIZE);
PGCM_BYTES(nps, cm_nps, CM_NPS_SERIALIZED_SIZE);
PGCM_BYTES(ces, cm_ces, CM_CES_SERIALIZED_SIZE);
PGCM_ACCUMULATOR(csat, cm_csat, CM_CSAT_SERIALIZED_SIZE, CSAT_MAGIC);
PGCM_ACCUMULATOR(nps, cm_nps, CM_NPS_SERIALIZED_SIZE, NPS_MAGIC);
PGCM_ACCUMULATOR(ces, cm_ces, CM_CES_SERIALIZED_SIZE, CES_MAGIC);

/* An int argument narrowed to the library's uint32 by saturation, so that the
 * library, not the binding, refuses an out-of-range value. */
static uint32_t u32_arg(FunctionCallInfo fcinfo, int argno)
{
    const int32 v = PG_GETARG_INT32(argno);
    return v < 0 ? PG_UINT32_MAX : (uint32_t)v;
}

/* Whether the optional scale arguments (from argno on) are all present; the
 * scale of a state is set by the first row with an answer, and every later
 * row must name the same one. */
static bool scale_args(FunctionCallInfo fcinfo, int from, const char *what)
{
    if (PG_NARGS() <= from)
        return false;
    for (int i = from; i < PG_NARGS(); i++)
        if (PG_ARGISNULL(i))
            pgcm_check(CM_EINVAL, what, "the scale arguments must not be NULL");
    return true;
}

PG_FUNCTION_INFO_V1(pgcm_csat_trans);
Datum pgcm_csat_trans(PG_FUNCTION_ARGS)
{
    MemoryContext ctx = pgcm_agg_context(fcinfo, "cm_csat_trans");
    pgcm_csat_state *s = csat_state_arg(fcinfo, 0);
    if (PG_ARGISNULL(1)) {
        if (s == NULL)
            PG_RETURN_NULL();
        PG_RETURN_POINTER(s);
    }
    const bool scaled = scale_args(fcinfo, 2, "cm_csat");
    if (s == NULL || scaled) {
        cm_csat init = {0};
        if (scaled) {
            const uint32_t k = u32_arg(fcinfo, 2), sat = u32_arg(fcinfo, 3);
            pgcm_check(cm_csat_init(&init, k, sat), "cm_csat", "scale = %d, satisfied_min = %d",
                       PG_GETARG_INT32(2), PG_GETARG_INT32(3));
        }
        if (s == NULL) {
            s = csat_state_new(ctx);
            s->acc = init;
        } else if (s->acc.scale != init.scale || s->acc.satisfied_min != init.satisfied_min) {
            pgcm_check(CM_EINVAL, "cm_csat", "the scale changed between rows");
        }
    }
    const int32 score = PG_GETARG_INT32(1);
    pgcm_check(cm_csat_add(&s->acc, score), "cm_csat", "score = %d on the scale 1..%d", score,
               s->acc.scale);
    PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(pgcm_csat_final);
Datum pgcm_csat_final(PG_FUNCTION_ARGS)
{
    (void)pgcm_agg_context(fcinfo, "cm_csat_final");
    pgcm_csat_state *s = csat_state_arg(fcinfo, 0);
    if (s == NULL)
        PG_RETURN_NULL();
    cm_csat_summary r;
    const cm_status st = cm_csat_result(&s->acc, CM_DEFAULT_CONFIDENCE, &r);
    if (st == CM_ENODATA)
        PG_RETURN_NULL();
    pgcm_check(st, "cm_csat", NULL);
    /* (n, satisfied, value, lo, hi, mean) */
    Datum v[6] = {Int64GetDatum(pgcm_count(r.satisfied.den, "cm_csat")),
                  Int64GetDatum(pgcm_count(r.satisfied.num, "cm_csat")),
                  Float8GetDatum(r.satisfied.value),
                  Float8GetDatum(r.satisfied.lo),
                  Float8GetDatum(r.satisfied.hi),
                  Float8GetDatum(r.mean)};
    bool n[6] = {false};
    return pgcm_row(fcinfo, v, n);
}

PG_FUNCTION_INFO_V1(pgcm_nps_trans);
Datum pgcm_nps_trans(PG_FUNCTION_ARGS)
{
    MemoryContext ctx = pgcm_agg_context(fcinfo, "cm_nps_trans");
    pgcm_nps_state *s = nps_state_arg(fcinfo, 0);
    if (PG_ARGISNULL(1)) {
        if (s == NULL)
            PG_RETURN_NULL();
        PG_RETURN_POINTER(s);
    }
    if (s == NULL)
        s = nps_state_new(ctx);
    const int32 score = PG_GETARG_INT32(1);
    pgcm_check(cm_nps_add(&s->acc, score), "cm_nps", "score = %d on the scale 0..10", score);
    PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(pgcm_nps_final);
Datum pgcm_nps_final(PG_FUNCTION_ARGS)
{
    (void)pgcm_agg_context(fcinfo, "cm_nps_final");
    pgcm_nps_state *s = nps_state_arg(fcinfo, 0);
    if (s == NULL)
        PG_RETURN_NULL();
    cm_nps_summary r;
    const cm_status st = cm_nps_result(&s->acc, CM_DEFAULT_CONFIDENCE, &r);
    if (st == CM_ENODATA)
        PG_RETURN_NULL();
    pgcm_check(st, "cm_nps", NULL);
    /* (n, promoters, passives, detractors, score, se, lo, hi) */
    Datum v[8] = {Int64GetDatum(pgcm_count(r.n, "cm_nps")),
                  Int64GetDatum(pgcm_count(r.promoters, "cm_nps")),
                  Int64GetDatum(pgcm_count(r.passives, "cm_nps")),
                  Int64GetDatum(pgcm_count(r.detractors, "cm_nps")),
                  Float8GetDatum(r.score),
                  Float8GetDatum(r.se),
                  Float8GetDatum(r.lo),
                  Float8GetDatum(r.hi)};
    bool n[8] = {false};
    return pgcm_row(fcinfo, v, n);
}

PG_FUNCTION_INFO_V1(pgcm_ces_trans);
Datum pgcm_ces_trans(PG_FUNCTION_ARGS)
{
    MemoryContext ctx = pgcm_agg_context(fcinfo, "cm_ces_trans");
    pgcm_ces_state *s = ces_state_arg(fcinfo, 0);
    if (PG_ARGISNULL(1)) {
        if (s == NULL)
            PG_RETURN_NULL();
        PG_RETURN_POINTER(s);
    }
    const bool scaled = scale_args(fcinfo, 2, "cm_ces");
    if (s == NULL || scaled) {
        cm_ces init = {0};
        if (scaled) {
            pgcm_check(
                cm_ces_init(&init, u32_arg(fcinfo, 2), u32_arg(fcinfo, 3), u32_arg(fcinfo, 4)),
                "cm_ces", "scale = %d, easy_min = %d, easy_max = %d", PG_GETARG_INT32(2),
                PG_GETARG_INT32(3), PG_GETARG_INT32(4));
        }
        if (s == NULL) {
            s = ces_state_new(ctx);
            s->acc = init;
        } else if (s->acc.scale != init.scale || s->acc.easy_min != init.easy_min ||
                   s->acc.easy_max != init.easy_max) {
            pgcm_check(CM_EINVAL, "cm_ces", "the scale changed between rows");
        }
    }
    const int32 score = PG_GETARG_INT32(1);
    pgcm_check(cm_ces_add(&s->acc, score), "cm_ces", "score = %d on the scale 1..%d", score,
               s->acc.scale != 0 ? s->acc.scale : CM_CES_DEFAULT_SCALE);
    PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(pgcm_ces_final);
Datum pgcm_ces_final(PG_FUNCTION_ARGS)
{
    (void)pgcm_agg_context(fcinfo, "cm_ces_final");
    pgcm_ces_state *s = ces_state_arg(fcinfo, 0);
    if (s == NULL)
        PG_RETURN_NULL();
    cm_ces_summary r;
    const cm_status st = cm_ces_result(&s->acc, CM_DEFAULT_CONFIDENCE, &r);
    if (st == CM_ENODATA)
        PG_RETURN_NULL();
    pgcm_check(st, "cm_ces", NULL);
    /* (n, mean, sd, lo, hi, easy, easy_share, easy_lo, easy_hi) */
    Datum v[9] = {Int64GetDatum(pgcm_count(r.n, "cm_ces")),
                  Float8GetDatum(r.mean),
                  Float8GetDatum(r.sd),
                  Float8GetDatum(r.lo),
                  Float8GetDatum(r.hi),
                  Int64GetDatum(pgcm_count(r.easy.num, "cm_ces")),
                  Float8GetDatum(r.easy.value),
                  Float8GetDatum(r.easy.lo),
                  Float8GetDatum(r.easy.hi)};
    bool n[9] = {false};
    return pgcm_row(fcinfo, v, n);
}

/* ---- average response time ------------------------------------------------------------ */

#define ART_MAGIC 0x41525420u

typedef struct pgcm_art_state {
    uint32 magic;
    cm_art acc;
} pgcm_art_state;

PGCM_BYTES(art, cm_art, CM_ART_SERIALIZED_SIZE);
PGCM_ACCUMULATOR(art, cm_art, CM_ART_SERIALIZED_SIZE, ART_MAGIC);

/* cm_art(seconds bigint) */
PG_FUNCTION_INFO_V1(pgcm_art_trans);
Datum pgcm_art_trans(PG_FUNCTION_ARGS)
{
    MemoryContext ctx = pgcm_agg_context(fcinfo, "cm_art_trans");
    pgcm_art_state *s = art_state_arg(fcinfo, 0);
    if (PG_ARGISNULL(1)) {
        if (s == NULL)
            PG_RETURN_NULL();
        PG_RETURN_POINTER(s);
    }
    if (s == NULL)
        s = art_state_new(ctx);
    const int64 seconds = PG_GETARG_INT64(1);
    pgcm_check(cm_art_add(&s->acc, seconds), "cm_art", "seconds = " INT64_FORMAT, seconds);
    PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(pgcm_art_final);
Datum pgcm_art_final(PG_FUNCTION_ARGS)
{
    (void)pgcm_agg_context(fcinfo, "cm_art_final");
    pgcm_art_state *s = art_state_arg(fcinfo, 0);
    if (s == NULL)
        PG_RETURN_NULL();
    cm_art_summary r;
    const cm_status st = cm_art_result(&s->acc, &r);
    if (st == CM_ENODATA)
        PG_RETURN_NULL();
    pgcm_check(st, "cm_art", NULL);
    /* (n, total_seconds, min_seconds, max_seconds, mean_seconds) */
    Datum v[5] = {Int64GetDatum(pgcm_count(r.n, "cm_art")), Int64GetDatum(r.total_seconds),
                  Int64GetDatum(r.min_seconds), Int64GetDatum(r.max_seconds),
                  Float8GetDatum(r.mean_seconds)};
    bool n[5] = {false};
    return pgcm_row(fcinfo, v, n);
}
