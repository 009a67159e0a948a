/*
 * Helpers shared by the files of the PostgreSQL extension (not installed).
 *
 * The extension is a binding: every formula, validation rule and byte format
 * is the library's. These helpers turn its statuses into SQL errors, convert
 * between PostgreSQL and library values, cache parsed calendars and policies
 * per backend, and define the aggregate support functions of the library's
 * mergeable accumulators.
 * SPDX-License-Identifier: MIT
 */
#ifndef PGCM_H
#define PGCM_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/timestamp.h"

#include <caremetrics.h>

/* Raises the SQL error of a library status (never returns when st != CM_OK).
 * `what` names the SQL function; `detail` (printf format, may be NULL) says
 * which argument or value was refused. */
void pgcm_check(cm_status st, const char *what, const char *detail, ...)
    __attribute__((format(printf, 3, 4)));

/* The same for text the library parsed: the detail gives its line and column. */
void pgcm_check_parse(cm_status st, const char *what, const cm_parse_error *err);

/* PostgreSQL counts microseconds from 2000-01-01; the library seconds from 1970-01-01. */
#define PGCM_EPOCH_SECONDS INT64CONST(946684800)

/* timestamptz -> cm_time without raising: false for an infinite value. Whole
 * seconds; a fraction is truncated toward the earlier second, as
 * cm_time_parse() does. Every finite timestamptz fits. */
static inline bool pgcm_time_finite(TimestampTz ts, cm_time *out)
{
    if (TIMESTAMP_NOT_FINITE(ts))
        return false;
    int64 s = ts / USECS_PER_SEC;
    if (ts % USECS_PER_SEC < 0)
        s -= 1; /* toward the earlier second */
    *out = s + PGCM_EPOCH_SECONDS;
    return true;
}

/* timestamptz <-> cm_time, as pgcm_time_finite(); infinite values are refused
 * with an SQL error naming `arg`. */
cm_time pgcm_time(TimestampTz ts, const char *what, const char *arg);
TimestampTz pgcm_timestamptz(cm_time t);

/* The composite value the calling function returns, from its columns. */
Datum pgcm_row(FunctionCallInfo fcinfo, Datum *values, bool *nulls);

/* A uint64 count as bigint; CM_EOVERFLOW past INT64_MAX. */
int64 pgcm_count(uint64_t n, const char *what);

/* The memory context of the aggregate calling a support function; raises an
 * error when called outside an aggregate (support functions take `internal`
 * states, which only the executor may hand them). */
MemoryContext pgcm_agg_context(FunctionCallInfo fcinfo, const char *what);

/* ---- parsed calendars and policies, cached per backend ---- */

typedef enum pgcm_kind { PGCM_CALENDAR = 0, PGCM_POLICY = 1 } pgcm_kind;

/* The parsed object of a spec (a cm_calendar or a cm_sla_policy), parsed on
 * the first use and then kept per backend in a bounded cache keyed by the
 * text. The pointer stays valid until the end of the current SQL function
 * call at least. Parse errors raise an SQL error with line and column. */
const void *pgcm_parsed(pgcm_kind kind, const char *text, size_t len, const char *what);

/* pgcm_parsed(), held until the memory context `ctx` is reset or deleted: the
 * object stays valid that long (it is not evicted, and cm_cache_reset() only
 * forgets it), for objects that keep a pointer to it across calls. */
const void *pgcm_parsed_hold(pgcm_kind kind, const char *text, size_t len, const char *what,
                             MemoryContext ctx);

/* pgcm_parsed() of argument `argno`, a text-like varlena. When that argument
 * is a constant of the query, the result is remembered in the call site's
 * fn_extra, so a query applies the same calendar to every row without even a
 * lookup. */
const void *pgcm_parsed_arg(FunctionCallInfo fcinfo, int argno, pgcm_kind kind, const char *what);

/* Most calendars one call may name (a cache slot stays free for the policy). */
#define PGCM_MAX_CALENDARS 15

/* The parsed objects of argument `argno`, an array of specs (NULL elements
 * give NULL), into out[0 .. *n); at most `max`. Constant arrays are
 * remembered like pgcm_parsed_arg()'s. */
void pgcm_parsed_array(FunctionCallInfo fcinfo, int argno, pgcm_kind kind, const char *what,
                       const void **out, int max, int *n);

/* ---- bytes ---- */

/* A new bytea (or bytea-like varlena) holding len bytes. */
bytea *pgcm_bytea(const uint8_t *data, size_t len);

/*
 * PGCM_ACCUMULATOR(kind, T, SIZE) defines the aggregate support functions of
 * the library accumulator `cm_<kind>_*` of type T, whose serialized size is at
 * most SIZE: pgcm_<kind>_combine, pgcm_<kind>_serialize and
 * pgcm_<kind>_deserialize, over a state `pgcm_<kind>_state` that the file
 * defines with T as its member `acc` and a `magic` tag.
 */
#define PGCM_ACCUMULATOR(kind, T, SIZE, MAGIC)                                               \
    static pgcm_##kind##_state *kind##_state_new(MemoryContext ctx)                          \
    {                                                                                        \
        pgcm_##kind##_state *s = MemoryContextAllocZero(ctx, sizeof(pgcm_##kind##_state));   \
        s->magic = MAGIC;                                                                    \
        return s;                                                                            \
    }                                                                                        \
    static pgcm_##kind##_state *kind##_state_arg(FunctionCallInfo fcinfo, int argno)         \
    {                                                                                        \
        if (PG_ARGISNULL(argno))                                                             \
            return NULL;                                                                     \
        pgcm_##kind##_state *s = (pgcm_##kind##_state *)PG_GETARG_POINTER(argno);            \
        if (s->magic != MAGIC)                                                               \
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),                        \
                            errmsg("cm_" #kind ": the state is not a cm_" #kind " state"))); \
        return s;                                                                            \
    }                                                                                        \
    PG_FUNCTION_INFO_V1(pgcm_##kind##_combine);                                              \
    Datum pgcm_##kind##_combine(PG_FUNCTION_ARGS)                                            \
    {                                                                                        \
        MemoryContext ctx = pgcm_agg_context(fcinfo, "cm_" #kind "_combine");                \
        pgcm_##kind##_state *a = kind##_state_arg(fcinfo, 0);                                \
        pgcm_##kind##_state *b = kind##_state_arg(fcinfo, 1);                                \
        if (b == NULL) {                                                                     \
            if (a == NULL)                                                                   \
                PG_RETURN_NULL();                                                            \
            PG_RETURN_POINTER(a);                                                            \
        }                                                                                    \
        if (a == NULL) {                                                                     \
            a = kind##_state_new(ctx);                                                       \
            a->acc = b->acc;                                                                 \
            PG_RETURN_POINTER(a);                                                            \
        }                                                                                    \
        pgcm_check(cm_##kind##_merge(&a->acc, &b->acc), "cm_" #kind,                         \
                   "merging two partial states");                                            \
        PG_RETURN_POINTER(a);                                                                \
    }                                                                                        \
    PG_FUNCTION_INFO_V1(pgcm_##kind##_serialize);                                            \
    Datum pgcm_##kind##_serialize(PG_FUNCTION_ARGS)                                          \
    {                                                                                        \
        (void)pgcm_agg_context(fcinfo, "cm_" #kind "_serialize");                            \
        pgcm_##kind##_state *s = kind##_state_arg(fcinfo, 0);                                \
        if (s == NULL)                                                                       \
            PG_RETURN_NULL();                                                                \
        PG_RETURN_BYTEA_P(kind##_to_bytes(&s->acc));                                         \
    }                                                                                        \
    PG_FUNCTION_INFO_V1(pgcm_##kind##_deserialize);                                          \
    Datum pgcm_##kind##_deserialize(PG_FUNCTION_ARGS)                                        \
    {                                                                                        \
        MemoryContext ctx = pgcm_agg_context(fcinfo, "cm_" #kind "_deserialize");            \
        bytea *b = PG_GETARG_BYTEA_PP(0);                                                    \
        pgcm_##kind##_state *s = kind##_state_new(ctx);                                      \
        kind##_from_bytes(b, &s->acc, "cm_" #kind);                                          \
        PG_RETURN_POINTER(s);                                                                \
    }                                                                                        \
    extern int pgcm_no_such_variable_##kind

/*
 * PGCM_BYTES(kind, T, SIZE) defines kind_to_bytes() and kind_from_bytes():
 * the library's _serialize into a new bytea, and its _deserialize, whose
 * failure on truncated or corrupt bytes is an SQL error.
 */
#define PGCM_BYTES(kind, T, SIZE)                                                                \
    static bytea *kind##_to_bytes(const T *acc)                                                  \
    {                                                                                            \
        bytea *out = (bytea *)palloc(VARHDRSZ + (SIZE));                                         \
        size_t n = 0;                                                                            \
        pgcm_check(cm_##kind##_serialize(acc, (uint8_t *)VARDATA(out), (SIZE), &n), "cm_" #kind, \
                   NULL);                                                                        \
        SET_VARSIZE(out, VARHDRSZ + n);                                                          \
        return out;                                                                              \
    }                                                                                            \
    static void kind##_from_bytes(bytea *b, T *acc, const char *what)                            \
    {                                                                                            \
        pgcm_check(                                                                              \
            cm_##kind##_deserialize((const uint8_t *)VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), acc), \
            what, "%zu bytes of a serialized cm_" #kind " state", (size_t)VARSIZE_ANY_EXHDR(b)); \
    }                                                                                            \
    extern int pgcm_no_such_variable_bytes_##kind

#endif /* PGCM_H */
