/*
 * PostgreSQL extension: SLA clocks of a ticket replayed from its events, and
 * SLA attainment as an aggregate over the library's accumulator.
 * SPDX-License-Identifier: MIT
 */
#include "pgcm.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include <string.h>

/* ---- events --------------------------------------------------------------------------- */

/* The kinds of cm_sla_event.kind, as the sla-timer example names them. */
static const struct {
    const char *name;
    uint16_t type, flags;
    char value; /* 'p': a priority, 's': a status, 0: none */
} kinds[] = {
    {"created", CM_SLA_EVENT_CREATED, 0, 'p'},
    {"created-by-agent", CM_SLA_EVENT_CREATED, CM_SLA_EVENT_BY_AGENT, 'p'},
    {"customer", CM_SLA_EVENT_CUSTOMER_REPLY, 0, 0},
    {"customer-auto", CM_SLA_EVENT_CUSTOMER_REPLY, CM_SLA_EVENT_AUTOMATED, 0},
    {"agent", CM_SLA_EVENT_AGENT_REPLY, 0, 0},
    {"bot", CM_SLA_EVENT_AGENT_REPLY, CM_SLA_EVENT_AUTOMATED, 0},
    {"note", CM_SLA_EVENT_AGENT_NOTE, 0, 0},
    {"status", CM_SLA_EVENT_STATUS, 0, 's'},
    {"priority", CM_SLA_EVENT_PRIORITY, 0, 'p'},
    {"reopen", CM_SLA_EVENT_REOPEN, 0, 0},
};

typedef const char *(*name_fn)(uint32_t);

/* The value whose library name is `name`, among 0 .. count-1; -1 if none. */
static int64 named(name_fn fn, uint32_t count, const char *name)
{
    for (uint32_t v = 0; v < count; v++)
        if (strcmp(fn(v), name) == 0)
            return v;
    return -1;
}

static const char *const sla = "cm_sla_evaluate";

/* One cm_sla_event row (at, kind, value) as the library's event. */
static cm_sla_event event_of(HeapTupleHeader row, TupleDesc desc, int i)
{
    HeapTupleData tup;
    tup.t_len = HeapTupleHeaderGetDatumLength(row);
    ItemPointerSetInvalid(&tup.t_self);
    tup.t_tableOid = InvalidOid;
    tup.t_data = row;
    Datum v[3];
    bool null[3];
    heap_deform_tuple(&tup, desc, v, null);
    if (null[0] || null[1])
        pgcm_check(CM_EINVAL, sla, "event %d: the instant and the kind must not be NULL", i + 1);
    cm_sla_event e = {.at = pgcm_time(DatumGetTimestampTz(v[0]), sla, "an event's instant")};
    const char *kind = TextDatumGetCString(v[1]);
    const char *value = null[2] ? NULL : TextDatumGetCString(v[2]);
    for (size_t k = 0; k < lengthof(kinds); k++) {
        if (strcmp(kinds[k].name, kind) != 0)
            continue;
        e.type = kinds[k].type;
        e.flags = kinds[k].flags;
        int64 n = 0;
        if (kinds[k].value == 0 && value != NULL)
            pgcm_check(CM_EINVAL, sla, "event %d: a %s event takes no value", i + 1, kind);
        if (kinds[k].value == 'p' && value != NULL)
            n = named(cm_sla_priority_name, CM_SLA_PRIORITY_COUNT, value);
        if (kinds[k].value == 's') {
            if (value == NULL)
                pgcm_check(CM_EINVAL, sla, "event %d: a status event needs the new status", i + 1);
            n = named(cm_sla_status_name, CM_SLA_STATUS_COUNT, value);
        }
        if (n < 0)
            pgcm_check(CM_EINVAL, sla, "event %d: unknown %s \"%s\"", i + 1,
                       kinds[k].value == 'p' ? "priority" : "status", value);
        e.value = (uint32_t)n;
        return e;
    }
    pgcm_check(CM_EINVAL, sla,
               "event %d: unknown kind \"%s\" (created, created-by-agent, customer, "
               "customer-auto, agent, bot, note, status, priority, reopen)",
               i + 1, kind);
    return e;
}

/* The cm_sla_event[] argument argno as library events (palloc'd). */
static cm_sla_event *events_arg(FunctionCallInfo fcinfo, int argno, int *n)
{
    ArrayType *a = PG_GETARG_ARRAYTYPE_P(argno);
    if (ARR_NDIM(a) > 1)
        pgcm_check(CM_EINVAL, sla, "the events must be a one-dimensional array");
    const Oid type = ARR_ELEMTYPE(a);
    int16 len;
    bool byval;
    char align;
    get_typlenbyvalalign(type, &len, &byval, &align);
    Datum *elems;
    bool *nulls;
    int count;
    deconstruct_array(a, type, len, byval, align, &elems, &nulls, &count);
    TupleDesc desc = lookup_rowtype_tupdesc(type, -1);
    if (desc->natts != 3) {
        ReleaseTupleDesc(desc);
        pgcm_check(CM_EINVAL, sla, "the events must be of type cm_sla_event");
    }
    cm_sla_event *ev = palloc(sizeof(cm_sla_event) * (size_t)Max(count, 1));
    for (int i = 0; i < count; i++) {
        if (nulls[i]) {
            ReleaseTupleDesc(desc);
            pgcm_check(CM_EINVAL, sla, "event %d is NULL", i + 1);
        }
        ev[i] = event_of(DatumGetHeapTupleHeader(elems[i]), desc, i);
    }
    ReleaseTupleDesc(desc);
    *n = count;
    return ev;
}

/* Replays one ticket's events under the policy of argument `at`, with the
 * calendars of argument `cal_at` (when there is one) and `now`. */
static cm_sla_instance *evaluate(FunctionCallInfo fcinfo, int at, int cal_at,
                                 const cm_sla_event *ev, int n, cm_time now, const char *what,
                                 size_t *count)
{
    const cm_sla_policy *policy = pgcm_parsed_arg(fcinfo, at, PGCM_POLICY, what);
    const void *cals[PGCM_MAX_CALENDARS];
    int ncals = 0;
    if (PG_NARGS() > cal_at && !PG_ARGISNULL(cal_at))
        pgcm_parsed_array(fcinfo, cal_at, PGCM_CALENDAR, what, cals, PGCM_MAX_CALENDARS, &ncals);
    /* Each event starts at most one instance per metric. */
    const size_t cap = CM_SLA_METRIC_COUNT * (size_t)Max(n, 1);
    cm_sla_instance *out = palloc(sizeof(cm_sla_instance) * cap);
    pgcm_check(cm_sla_evaluate(policy, (const cm_calendar *const *)cals, (size_t)ncals, ev,
                               (size_t)n, now, out, cap, count),
               what, "%d events, %d calendars", n, ncals);
    return out;
}

/* Replays one ticket: the arguments from `at` on are (policy, events, now [, calendars]). */
static cm_sla_instance *replay(FunctionCallInfo fcinfo, int at, const char *what, size_t *count)
{
    int n;
    cm_sla_event *ev = events_arg(fcinfo, at + 1, &n);
    const cm_time now = pgcm_time(PG_GETARG_TIMESTAMPTZ(at + 2), what, "now");
    cm_sla_instance *out = evaluate(fcinfo, at, at + 3, ev, n, now, what, count);
    pfree(ev);
    return out;
}

static Datum time_or_null(cm_time t, bool *null)
{
    *null = t == CM_SLA_NO_TIME;
    return *null ? (Datum)0 : TimestampTzGetDatum(pgcm_timestamptz(t));
}

/* cm_sla_evaluate(policy, events cm_sla_event[], now, VARIADIC calendars) -> SETOF cm_sla_instance */
PG_FUNCTION_INFO_V1(pgcm_sla_evaluate);
Datum pgcm_sla_evaluate(PG_FUNCTION_ARGS)
{
    for (int i = 0; i < 3; i++)
        if (PG_ARGISNULL(i))
            PG_RETURN_NULL();
    size_t count;
    cm_sla_instance *out = replay(fcinfo, 0, sla, &count);
    InitMaterializedSRF(fcinfo, 0);
    ReturnSetInfo *rsi = (ReturnSetInfo *)fcinfo->resultinfo;
    for (size_t i = 0; i < count; i++) {
        const cm_sla_instance *o = &out[i];
        /* (metric, cycle, state, priority, breached, calendar, started, stopped, elapsed,
         *  target, remaining, due, breach) */
        Datum v[13];
        bool null[13] = {false};
        v[0] = CStringGetTextDatum(cm_sla_metric_name(o->metric));
        v[1] = Int32GetDatum((int32)o->cycle);
        v[2] = CStringGetTextDatum(cm_sla_state_name(o->state));
        v[3] = CStringGetTextDatum(cm_sla_priority_name(o->priority));
        v[4] = BoolGetDatum(o->breached);
        v[5] = Int32GetDatum(o->calendar);
        null[5] = o->calendar == CM_SLA_CALENDAR_TIME;
        v[6] = time_or_null(o->start, &null[6]);
        v[7] = time_or_null(o->stop, &null[7]);
        v[8] = Int64GetDatum(o->elapsed);
        v[9] = Int64GetDatum(o->target);
        v[10] = Int64GetDatum(o->remaining);
        v[11] = time_or_null(o->due, &null[11]);
        v[12] = time_or_null(o->breach, &null[12]);
        tuplestore_putvalues(rsi->setResult, rsi->setDesc, v, null);
    }
    return (Datum)0;
}

/* ---- attainment ------------------------------------------------------------------------- */

#define ATTAINMENT_MAGIC 0x534c4141u

typedef struct pgcm_sla_attainment_state {
    uint32 magic;
    cm_sla_attainment acc;
} pgcm_sla_attainment_state;

PGCM_BYTES(sla_attainment, cm_sla_attainment, CM_SLA_ATTAINMENT_SERIALIZED_MAX);
PGCM_ACCUMULATOR(sla_attainment, cm_sla_attainment, CM_SLA_ATTAINMENT_SERIALIZED_MAX,
                 ATTAINMENT_MAGIC);

static Datum checked_bytes(Datum bytes, const char *what)
{
    bytea *b = DatumGetByteaPP(bytes);
    cm_sla_attainment *a = palloc(sizeof(cm_sla_attainment));
    sla_attainment_from_bytes(b, a, what);
    pfree(a);
    return PointerGetDatum(b);
}

PG_FUNCTION_INFO_V1(pgcm_sla_attainment_in);
Datum pgcm_sla_attainment_in(PG_FUNCTION_ARGS)
{
    return checked_bytes(DirectFunctionCall1(byteain, PG_GETARG_DATUM(0)), "cm_sla_attainment_in");
}

PG_FUNCTION_INFO_V1(pgcm_sla_attainment_recv);
Datum pgcm_sla_attainment_recv(PG_FUNCTION_ARGS)
{
    return checked_bytes(DirectFunctionCall1(bytearecv, PG_GETARG_DATUM(0)),
                         "cm_sla_attainment_recv");
}

PG_FUNCTION_INFO_V1(pgcm_sla_attainment_from_bytea);
Datum pgcm_sla_attainment_from_bytea(PG_FUNCTION_ARGS)
{
    return checked_bytes(PG_GETARG_DATUM(0), "cm_sla_attainment");
}

static pgcm_sla_attainment_state *attainment_state(FunctionCallInfo fcinfo, const char *what)
{
    MemoryContext ctx = pgcm_agg_context(fcinfo, what);
    pgcm_sla_attainment_state *s = sla_attainment_state_arg(fcinfo, 0);
    return s != NULL ? s : sla_attainment_state_new(ctx);
}

/* cm_sla_attainment(policy, events, now [, VARIADIC calendars]): a ticket per row. */
PG_FUNCTION_INFO_V1(pgcm_sla_attainment_trans);
Datum pgcm_sla_attainment_trans(PG_FUNCTION_ARGS)
{
    const char *what = "cm_sla_attainment";
    pgcm_sla_attainment_state *s = sla_attainment_state_arg(fcinfo, 0);
    /* A row without a policy, events or instant is no ticket. */
    if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3)) {
        (void)pgcm_agg_context(fcinfo, what);
        if (s == NULL)
            PG_RETURN_NULL();
        PG_RETURN_POINTER(s);
    }
    s = attainment_state(fcinfo, what);
    size_t count;
    cm_sla_instance *out = replay(fcinfo, 1, what, &count);
    pgcm_check(cm_sla_attainment_add(&s->acc, out, count), what, NULL);
    pfree(out);
    PG_RETURN_POINTER(s);
}

/*
 * cm_sla_attainment(policy, priority text, created, first_reply, solved, now [, VARIADIC
 * calendars]): a ticket per row from the columns most ticket tables have. Its
 * log is the creation at `created` with the priority, a public agent reply at
 * `first_reply` and a solve at `solved` (each when not NULL), in time order.
 */
PG_FUNCTION_INFO_V1(pgcm_sla_attainment_columns_trans);
Datum pgcm_sla_attainment_columns_trans(PG_FUNCTION_ARGS)
{
    const char *what = "cm_sla_attainment";
    pgcm_sla_attainment_state *s = sla_attainment_state_arg(fcinfo, 0);
    /* A row without a policy, creation or instant is no ticket. */
    if (PG_ARGISNULL(1) || PG_ARGISNULL(3) || PG_ARGISNULL(6)) {
        (void)pgcm_agg_context(fcinfo, what);
        if (s == NULL)
            PG_RETURN_NULL();
        PG_RETURN_POINTER(s);
    }
    s = attainment_state(fcinfo, what);
    cm_sla_event ev[3] = {{0}};
    int n = 0;
    ev[n].at = pgcm_time(PG_GETARG_TIMESTAMPTZ(3), what, "the creation");
    ev[n].type = CM_SLA_EVENT_CREATED;
    if (!PG_ARGISNULL(2)) {
        text *t = PG_GETARG_TEXT_PP(2);
        const char *name = text_to_cstring(t);
        const int64 p = named(cm_sla_priority_name, CM_SLA_PRIORITY_COUNT, name);
        if (p < 0)
            pgcm_check(CM_EINVAL, what, "unknown priority \"%s\"", name);
        ev[n].value = (uint32_t)p;
    }
    n++;
    for (int arg = 4; arg <= 5; arg++) {
        if (PG_ARGISNULL(arg))
            continue;
        cm_sla_event e = {.at = pgcm_time(PG_GETARG_TIMESTAMPTZ(arg), what, "an event's instant"),
                          .type = arg == 4 ? CM_SLA_EVENT_AGENT_REPLY : CM_SLA_EVENT_STATUS,
                          .value = arg == 4 ? 0 : CM_SLA_STATUS_SOLVED};
        /* A solve before the reply comes first: the log is in time order. */
        if (n == 2 && e.at < ev[1].at) {
            ev[2] = ev[1];
            ev[1] = e;
        } else {
            ev[n] = e;
        }
        n++;
    }
    const cm_time now = pgcm_time(PG_GETARG_TIMESTAMPTZ(6), what, "now");
    size_t count;
    cm_sla_instance *out = evaluate(fcinfo, 1, 7, ev, n, now, what, &count);
    pgcm_check(cm_sla_attainment_add(&s->acc, out, count), what, NULL);
    pfree(out);
    PG_RETURN_POINTER(s);
}

/* cm_sla_attainment_merge(cm_sla_attainment): stored attainments into one. */
PG_FUNCTION_INFO_V1(pgcm_sla_attainment_merge_trans);
Datum pgcm_sla_attainment_merge_trans(PG_FUNCTION_ARGS)
{
    const char *what = "cm_sla_attainment_merge";
    if (PG_ARGISNULL(1)) {
        (void)pgcm_agg_context(fcinfo, what);
        if (PG_ARGISNULL(0))
            PG_RETURN_NULL();
        PG_RETURN_POINTER(sla_attainment_state_arg(fcinfo, 0));
    }
    pgcm_sla_attainment_state *s = attainment_state(fcinfo, what);
    cm_sla_attainment *other = palloc(sizeof(cm_sla_attainment));
    sla_attainment_from_bytes(PG_GETARG_BYTEA_PP(1), other, what);
    pgcm_check(cm_sla_attainment_merge(&s->acc, other), what, NULL);
    pfree(other);
    PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(pgcm_sla_attainment_final);
Datum pgcm_sla_attainment_final(PG_FUNCTION_ARGS)
{
    (void)pgcm_agg_context(fcinfo, "cm_sla_attainment_final");
    pgcm_sla_attainment_state *s = sla_attainment_state_arg(fcinfo, 0);
    if (s == NULL)
        PG_RETURN_NULL();
    PG_RETURN_BYTEA_P(sla_attainment_to_bytes(&s->acc));
}

/* cm_sla_result(cm_sla_attainment, metric text, priority text, confidence float8) -> cm_sla_summary */
PG_FUNCTION_INFO_V1(pgcm_sla_result);
Datum pgcm_sla_result(PG_FUNCTION_ARGS)
{
    const char *what = "cm_sla_result";
    cm_sla_attainment *a = palloc(sizeof(cm_sla_attainment));
    sla_attainment_from_bytes(PG_GETARG_BYTEA_PP(0), a, what);
    const char *metric_name = text_to_cstring(PG_GETARG_TEXT_PP(1));
    const char *priority_name = text_to_cstring(PG_GETARG_TEXT_PP(2));
    const double confidence = PG_GETARG_FLOAT8(3);
    const int64 metric = named(cm_sla_metric_name, CM_SLA_METRIC_COUNT, metric_name);
    if (metric < 0)
        pgcm_check(CM_EINVAL, what, "unknown metric \"%s\"", metric_name);
    int64 priority = strcmp(priority_name, "all") == 0
                         ? CM_SLA_PRIORITY_ALL
                         : named(cm_sla_priority_name, CM_SLA_PRIORITY_COUNT, priority_name);
    if (priority < 0)
        pgcm_check(CM_EINVAL, what, "unknown priority \"%s\"", priority_name);
    cm_sla_attainment_summary r;
    const cm_status st =
        cm_sla_attainment_result(a, (uint32_t)metric, (uint32_t)priority, confidence, &r);
    if (st == CM_ENODATA)
        PG_RETURN_NULL();
    pgcm_check(st, what, "metric %s, priority %s, confidence %g", metric_name, priority_name,
               confidence);
    /* (achieved, breached, open, value, lo, hi, mean_seconds, p50_seconds, p90_seconds,
     *  p99_seconds) */
    Datum v[10] = {Int64GetDatum(pgcm_count(r.achieved, what)),
                   Int64GetDatum(pgcm_count(r.breached, what)),
                   Int64GetDatum(pgcm_count(r.open, what)),
                   Float8GetDatum(r.attained.value),
                   Float8GetDatum(r.attained.lo),
                   Float8GetDatum(r.attained.hi),
                   Float8GetDatum(r.elapsed.mean_seconds),
                   Float8GetDatum(r.p50_seconds),
                   Float8GetDatum(r.p90_seconds),
                   Float8GetDatum(r.p99_seconds)};
    bool null[10] = {false};
    null[7] = null[8] = null[9] = !r.has_quantiles;
    return pgcm_row(fcinfo, v, null);
}
