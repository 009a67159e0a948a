/*
 * PostgreSQL extension: the response-time sketch as a type and aggregates,
 * and exact quantiles as an aggregate.
 * SPDX-License-Identifier: MIT
 */
#include "pgcm.h"

#include "catalog/pg_type.h"
#include "port/pg_bswap.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include <math.h>

#define SKETCH_MAGIC 0x534b4554u

typedef struct pgcm_sketch_state {
    uint32 magic;
    cm_sketch acc;
} pgcm_sketch_state;

PGCM_BYTES(sketch, cm_sketch, CM_SKETCH_SERIALIZED_MAX);
PGCM_ACCUMULATOR(sketch, cm_sketch, CM_SKETCH_SERIALIZED_MAX, SKETCH_MAGIC);

/* ---- the cm_sketch type: the library's serialized bytes, checked on the way in ---- */

/* A value of type cm_sketch (a varlena of the library's bytes) as a sketch. */
static cm_sketch *sketch_value(FunctionCallInfo fcinfo, int argno, const char *what)
{
    bytea *b = PG_GETARG_BYTEA_PP(argno);
    cm_sketch *s = palloc(sizeof(cm_sketch));
    sketch_from_bytes(b, s, what);
    return s;
}

static Datum checked_bytes(Datum bytes, const char *what)
{
    bytea *b = DatumGetByteaPP(bytes);
    cm_sketch *s = palloc(sizeof(cm_sketch));
    sketch_from_bytes(b, s, what);
    pfree(s);
    return PointerGetDatum(b);
}

PG_FUNCTION_INFO_V1(pgcm_sketch_in);
Datum pgcm_sketch_in(PG_FUNCTION_ARGS)
{
    return checked_bytes(DirectFunctionCall1(byteain, PG_GETARG_DATUM(0)), "cm_sketch_in");
}

PG_FUNCTION_INFO_V1(pgcm_sketch_recv);
Datum pgcm_sketch_recv(PG_FUNCTION_ARGS)
{
    return checked_bytes(DirectFunctionCall1(bytearecv, PG_GETARG_DATUM(0)), "cm_sketch_recv");
}

/* bytea::cm_sketch */
PG_FUNCTION_INFO_V1(pgcm_sketch_from_bytea);
Datum pgcm_sketch_from_bytea(PG_FUNCTION_ARGS)
{
    return checked_bytes(PG_GETARG_DATUM(0), "cm_sketch");
}

/* ---- aggregates ---------------------------------------------------------------------- */

static pgcm_sketch_state *sketch_state(FunctionCallInfo fcinfo, const char *what)
{
    MemoryContext ctx = pgcm_agg_context(fcinfo, what);
    pgcm_sketch_state *s = sketch_state_arg(fcinfo, 0);
    return s != NULL ? s : sketch_state_new(ctx);
}

static Datum sketch_add(FunctionCallInfo fcinfo, double seconds)
{
    pgcm_sketch_state *s = sketch_state(fcinfo, "cm_sketch_trans");
    pgcm_check(cm_sketch_add(&s->acc, seconds), "cm_sketch", "duration = %g s", seconds);
    PG_RETURN_POINTER(s);
}

static Datum keep_state(FunctionCallInfo fcinfo, const char *what)
{
    (void)pgcm_agg_context(fcinfo, what);
    if (PG_ARGISNULL(0))
        PG_RETURN_NULL();
    PG_RETURN_POINTER(sketch_state_arg(fcinfo, 0));
}

/* cm_sketch(seconds float8) */
PG_FUNCTION_INFO_V1(pgcm_sketch_trans);
Datum pgcm_sketch_trans(PG_FUNCTION_ARGS)
{
    if (PG_ARGISNULL(1))
        return keep_state(fcinfo, "cm_sketch_trans");
    return sketch_add(fcinfo, PG_GETARG_FLOAT8(1));
}

/* An interval as seconds. Months have no fixed length, so they are refused. */
double pgcm_interval_seconds(const Interval *iv, const char *what);
double pgcm_interval_seconds(const Interval *iv, const char *what)
{
    if (iv->month != 0)
        pgcm_check(CM_EINVAL, what, "an interval with months has no fixed length in seconds");
    return (double)iv->day * SECS_PER_DAY + (double)iv->time / USECS_PER_SEC;
}

/* cm_sketch(duration interval) */
PG_FUNCTION_INFO_V1(pgcm_sketch_trans_interval);
Datum pgcm_sketch_trans_interval(PG_FUNCTION_ARGS)
{
    if (PG_ARGISNULL(1))
        return keep_state(fcinfo, "cm_sketch_trans");
    return sketch_add(fcinfo, pgcm_interval_seconds(PG_GETARG_INTERVAL_P(1), "cm_sketch"));
}

/* cm_sketch_merge(cm_sketch): sketches of groups or partitions into one. */
PG_FUNCTION_INFO_V1(pgcm_sketch_merge_trans);
Datum pgcm_sketch_merge_trans(PG_FUNCTION_ARGS)
{
    if (PG_ARGISNULL(1))
        return keep_state(fcinfo, "cm_sketch_merge_trans");
    pgcm_sketch_state *s = sketch_state(fcinfo, "cm_sketch_merge_trans");
    cm_sketch *other = sketch_value(fcinfo, 1, "cm_sketch_merge");
    pgcm_check(cm_sketch_merge(&s->acc, other), "cm_sketch_merge", NULL);
    pfree(other);
    PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(pgcm_sketch_final);
Datum pgcm_sketch_final(PG_FUNCTION_ARGS)
{
    (void)pgcm_agg_context(fcinfo, "cm_sketch_final");
    pgcm_sketch_state *s = sketch_state_arg(fcinfo, 0);
    if (s == NULL)
        PG_RETURN_NULL();
    PG_RETURN_BYTEA_P(sketch_to_bytes(&s->acc));
}

/* ---- reading a sketch ------------------------------------------------------------------ */

/* cm_quantile(cm_sketch, q float8) -> float8 (NULL for an empty sketch) */
PG_FUNCTION_INFO_V1(pgcm_sketch_quantile);
Datum pgcm_sketch_quantile(PG_FUNCTION_ARGS)
{
    cm_sketch *s = sketch_value(fcinfo, 0, "cm_quantile");
    const double q = PG_GETARG_FLOAT8(1);
    double v;
    const cm_status st = cm_sketch_quantile(s, q, &v);
    if (st == CM_ENODATA)
        PG_RETURN_NULL();
    pgcm_check(st, "cm_quantile", "q = %g", q);
    PG_RETURN_FLOAT8(v);
}

/* A float8[] argument without NULLs as a C array. */
static double *doubles_arg(FunctionCallInfo fcinfo, int argno, int *n, const char *what)
{
    ArrayType *a = PG_GETARG_ARRAYTYPE_P(argno);
    if (ARR_NDIM(a) > 1)
        pgcm_check(CM_EINVAL, what, "the quantiles must be a one-dimensional array");
    if (array_contains_nulls(a))
        pgcm_check(CM_EINVAL, what, "the quantiles must not be NULL");
    Datum *d;
    bool *nulls;
    deconstruct_array(a, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &d, &nulls,
                      n);
    double *out = palloc(sizeof(double) * (size_t)Max(*n, 1));
    for (int i = 0; i < *n; i++)
        out[i] = DatumGetFloat8(d[i]);
    return out;
}

static ArrayType *doubles_array(const double *v, int n)
{
    Datum *d = palloc(sizeof(Datum) * (size_t)Max(n, 1));
    for (int i = 0; i < n; i++)
        d[i] = Float8GetDatum(v[i]);
    return construct_array(d, n, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

/* cm_quantiles(cm_sketch, qs float8[]) -> float8[] */
PG_FUNCTION_INFO_V1(pgcm_sketch_quantiles);
Datum pgcm_sketch_quantiles(PG_FUNCTION_ARGS)
{
    cm_sketch *s = sketch_value(fcinfo, 0, "cm_quantiles");
    int n;
    const double *qs = doubles_arg(fcinfo, 1, &n, "cm_quantiles");
    double *out = palloc(sizeof(double) * (size_t)Max(n, 1));
    const cm_status st = cm_sketch_quantiles(s, qs, (size_t)n, out);
    if (st == CM_ENODATA)
        PG_RETURN_NULL();
    pgcm_check(st, "cm_quantiles", NULL);
    PG_RETURN_ARRAYTYPE_P(doubles_array(out, n));
}

/* cm_sketch_summary(cm_sketch) -> (n, zeros, min_seconds, max_seconds, mean_seconds, total_seconds) */
PG_FUNCTION_INFO_V1(pgcm_sketch_summary);
Datum pgcm_sketch_summary(PG_FUNCTION_ARGS)
{
    cm_sketch *s = sketch_value(fcinfo, 0, "cm_sketch_summary");
    cm_sketch_summary r;
    const cm_status st = cm_sketch_result(s, &r);
    if (st == CM_ENODATA)
        PG_RETURN_NULL();
    pgcm_check(st, "cm_sketch_summary", NULL);
    Datum v[6] = {Int64GetDatum(pgcm_count(r.n, "cm_sketch_summary")),
                  Int64GetDatum(pgcm_count(r.zeros, "cm_sketch_summary")),
                  Float8GetDatum(r.min_seconds),
                  Float8GetDatum(r.max_seconds),
                  Float8GetDatum(r.mean_seconds),
                  Float8GetDatum(r.total_seconds)};
    bool nulls[6] = {false};
    return pgcm_row(fcinfo, v, nulls);
}

/* ---- exact quantiles -------------------------------------------------------------------- */

/*
 * cm_quantiles_exact(value float8, qs float8[]) keeps every value (as
 * percentile_cont does) and selects the quantiles with cm_quantiles_exact()
 * in the final step; unlike an ordered-set aggregate it runs in parallel
 * workers. The library has no byte format for a list of values: partial
 * states travel as PostgreSQL's portable encoding of float8 (network byte
 * order): the quantile count, the quantiles, the value count, the values.
 */
#define EXACT_MAGIC 0x45584143u

typedef struct exact_state {
    uint32 magic;
    int nq;
    double *qs;
    size_t n, cap;
    double *xs;
} exact_state;

static exact_state *exact_arg(FunctionCallInfo fcinfo, int argno)
{
    if (PG_ARGISNULL(argno))
        return NULL;
    exact_state *s = (exact_state *)PG_GETARG_POINTER(argno);
    if (s->magic != EXACT_MAGIC)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("cm_quantiles_exact: the state is not a cm_quantiles_exact state")));
    return s;
}

static exact_state *exact_new(MemoryContext ctx, const double *qs, int nq, size_t cap)
{
    exact_state *s = MemoryContextAllocZero(ctx, sizeof(exact_state));
    s->magic = EXACT_MAGIC;
    s->nq = nq;
    s->qs = MemoryContextAlloc(ctx, sizeof(double) * (size_t)Max(nq, 1));
    memcpy(s->qs, qs, sizeof(double) * (size_t)nq);
    s->cap = Max(cap, 64);
    s->xs = MemoryContextAllocHuge(ctx, sizeof(double) * s->cap);
    return s;
}

static void exact_reserve(exact_state *s, size_t more)
{
    if (s->cap - s->n >= more)
        return;
    size_t cap = s->cap;
    while (cap - s->n < more)
        cap *= 2;
    if (cap > MaxAllocHugeSize / sizeof(double))
        pgcm_check(CM_ENOMEM, "cm_quantiles_exact", "too many values");
    s->xs = repalloc_huge(s->xs, sizeof(double) * cap);
    s->cap = cap;
}

static Datum exact_trans(FunctionCallInfo fcinfo, const double *qs, int nq)
{
    MemoryContext ctx = pgcm_agg_context(fcinfo, "cm_quantiles_exact_trans");
    exact_state *s = exact_arg(fcinfo, 0);
    if (PG_ARGISNULL(1)) {
        if (s == NULL)
            PG_RETURN_NULL();
        PG_RETURN_POINTER(s);
    }
    const double x = PG_GETARG_FLOAT8(1);
    if (s == NULL)
        s = exact_new(ctx, qs, nq, 0);
    exact_reserve(s, 1);
    s->xs[s->n++] = x;
    PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(pgcm_quantiles_exact_trans);
Datum pgcm_quantiles_exact_trans(PG_FUNCTION_ARGS)
{
    int nq = 0;
    const double *qs = NULL;
    if (PG_ARGISNULL(0) && !PG_ARGISNULL(1)) {
        if (PG_ARGISNULL(2))
            pgcm_check(CM_EINVAL, "cm_quantiles_exact", "the quantiles must not be NULL");
        qs = doubles_arg(fcinfo, 2, &nq, "cm_quantiles_exact");
    }
    return exact_trans(fcinfo, qs, nq);
}

PG_FUNCTION_INFO_V1(pgcm_quantile_exact_trans);
Datum pgcm_quantile_exact_trans(PG_FUNCTION_ARGS)
{
    double q = 0;
    if (PG_ARGISNULL(0) && !PG_ARGISNULL(1)) {
        if (PG_ARGISNULL(2))
            pgcm_check(CM_EINVAL, "cm_quantile_exact", "the quantile must not be NULL");
        q = PG_GETARG_FLOAT8(2);
    }
    return exact_trans(fcinfo, &q, 1);
}

PG_FUNCTION_INFO_V1(pgcm_quantiles_exact_combine);
Datum pgcm_quantiles_exact_combine(PG_FUNCTION_ARGS)
{
    MemoryContext ctx = pgcm_agg_context(fcinfo, "cm_quantiles_exact_combine");
    exact_state *a = exact_arg(fcinfo, 0), *b = exact_arg(fcinfo, 1);
    if (b == NULL) {
        if (a == NULL)
            PG_RETURN_NULL();
        PG_RETURN_POINTER(a);
    }
    if (a == NULL)
        a = exact_new(ctx, b->qs, b->nq, b->n);
    else if (a->nq != b->nq || memcmp(a->qs, b->qs, sizeof(double) * (size_t)a->nq) != 0)
        pgcm_check(CM_EINVAL, "cm_quantiles_exact", "the quantiles differ between rows");
    exact_reserve(a, b->n);
    memcpy(a->xs + a->n, b->xs, sizeof(double) * b->n);
    a->n += b->n;
    PG_RETURN_POINTER(a);
}

static void put_f8(char **p, double v)
{
    uint64 u;
    memcpy(&u, &v, sizeof u);
    u = pg_hton64(u);
    memcpy(*p, &u, sizeof u);
    *p += sizeof u;
}

static double get_f8(const char **p)
{
    uint64 u;
    memcpy(&u, *p, sizeof u);
    *p += sizeof u;
    u = pg_ntoh64(u);
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

PG_FUNCTION_INFO_V1(pgcm_quantiles_exact_serialize);
Datum pgcm_quantiles_exact_serialize(PG_FUNCTION_ARGS)
{
    (void)pgcm_agg_context(fcinfo, "cm_quantiles_exact_serialize");
    exact_state *s = exact_arg(fcinfo, 0);
    if (s == NULL)
        PG_RETURN_NULL();
    const size_t len = 8 * (2 + (size_t)s->nq + s->n);
    if (len > MaxAllocHugeSize - VARHDRSZ || len > (size_t)0x3fffffff - VARHDRSZ)
        pgcm_check(CM_EOVERFLOW, "cm_quantiles_exact", "too many values for one partial state");
    bytea *out = palloc(VARHDRSZ + len);
    SET_VARSIZE(out, VARHDRSZ + len);
    char *p = VARDATA(out);
    put_f8(&p, (double)s->nq);
    for (int i = 0; i < s->nq; i++)
        put_f8(&p, s->qs[i]);
    put_f8(&p, (double)s->n);
    for (size_t i = 0; i < s->n; i++)
        put_f8(&p, s->xs[i]);
    PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(pgcm_quantiles_exact_deserialize);
Datum pgcm_quantiles_exact_deserialize(PG_FUNCTION_ARGS)
{
    MemoryContext ctx = pgcm_agg_context(fcinfo, "cm_quantiles_exact_deserialize");
    bytea *b = PG_GETARG_BYTEA_PP(0);
    const size_t len = VARSIZE_ANY_EXHDR(b);
    const char *p = VARDATA_ANY(b);
    const char *what = "cm_quantiles_exact";
    if (len < 16 || len % 8 != 0)
        pgcm_check(CM_EPARSE, what, "a partial state of %zu bytes", len);
    const double nq = get_f8(&p);
    if (!(nq >= 0 && nq <= (double)(len / 8 - 2) && nq == floor(nq)))
        pgcm_check(CM_EPARSE, what, "a partial state with a bad quantile count");
    double *qs = palloc(sizeof(double) * (size_t)Max(nq, 1));
    for (int i = 0; i < (int)nq; i++)
        qs[i] = get_f8(&p);
    const double n = get_f8(&p);
    if (n != (double)(len / 8 - 2 - (size_t)nq))
        pgcm_check(CM_EPARSE, what, "a partial state with a bad value count");
    exact_state *s = exact_new(ctx, qs, (int)nq, (size_t)n);
    for (size_t i = 0; i < (size_t)n; i++)
        s->xs[i] = get_f8(&p);
    s->n = (size_t)n;
    PG_RETURN_POINTER(s);
}

static double *exact_result(FunctionCallInfo fcinfo, exact_state *s, bool *empty)
{
    const size_t scratch = cm_quantile_exact_scratch_size(s->n); /* doubles */
    if (scratch > MaxAllocHugeSize / sizeof(double))
        pgcm_check(CM_ENOMEM, "cm_quantiles_exact", "too many values");
    double *work = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * Max(scratch, 1));
    double *out = palloc(sizeof(double) * (size_t)Max(s->nq, 1));
    const cm_status st = cm_quantiles_exact(s->xs, s->n, s->qs, (size_t)s->nq, work, scratch, out);
    pfree(work);
    *empty = st == CM_ENODATA;
    if (!*empty)
        pgcm_check(st, "cm_quantiles_exact", NULL);
    (void)fcinfo;
    return out;
}

PG_FUNCTION_INFO_V1(pgcm_quantiles_exact_final);
Datum pgcm_quantiles_exact_final(PG_FUNCTION_ARGS)
{
    (void)pgcm_agg_context(fcinfo, "cm_quantiles_exact_final");
    exact_state *s = exact_arg(fcinfo, 0);
    if (s == NULL)
        PG_RETURN_NULL();
    bool empty;
    double *out = exact_result(fcinfo, s, &empty);
    if (empty)
        PG_RETURN_NULL();
    PG_RETURN_ARRAYTYPE_P(doubles_array(out, s->nq));
}

PG_FUNCTION_INFO_V1(pgcm_quantile_exact_final);
Datum pgcm_quantile_exact_final(PG_FUNCTION_ARGS)
{
    (void)pgcm_agg_context(fcinfo, "cm_quantile_exact_final");
    exact_state *s = exact_arg(fcinfo, 0);
    if (s == NULL)
        PG_RETURN_NULL();
    bool empty;
    double *out = exact_result(fcinfo, s, &empty);
    if (empty)
        PG_RETURN_NULL();
    PG_RETURN_FLOAT8(out[0]);
}
