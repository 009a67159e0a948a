/*
 * PostgreSQL extension: cm_report, the whole-row report aggregate over the
 * library's ticket-table engine (include/caremetrics/table.h).
 *
 * One aggregate call takes every column of a ticket row. The transition
 * function converts the row's values into the next slot of a column block
 * of BLOCK rows kept in the state; a full block is folded into the state's
 * cm_table_report by one cm_table_report_add() call. So the per-row cost is
 * a copy, and every KPI is the engine's, computed a block at a time.
 *
 * Memory: the state, its block and its report live in the aggregate's memory
 * context. The report is created once per group through a cm_allocator that
 * allocates there (palloc, freed with pfree); nothing is allocated per row.
 * The calendar and policy the report points to are held in the per-backend
 * cache until that context goes (pgcm_parsed_hold()).
 *
 * Partial states (parallel workers, cm_report_state values) are bytes: the
 * options the report was made with and a bound on its rows, checksummed,
 * then the engine's own bytes (cm_table_report_serialize()); combining
 * merges them exactly (cm_table_report_merge_bytes()).
 *
 * Exact quantiles keep every duration, so such a report needs room for the
 * rows it will hold, fixed when it is created. Creating a report writes all
 * of its memory, which costs more than folding on machines where page faults
 * are slow, so the first room is the planner's estimate of the group's rows
 * (ROWS_START when there is none); when it runs out, the state creates a
 * report twice as large and merges the old one into it. SLA attainment keeps
 * open tickets the same way.
 * SPDX-License-Identifier: MIT
 */
#include "pgcm.h"

#include "access/htup_details.h"
#include "catalog/pg_enum.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "nodes/execnodes.h"
#include "nodes/plannodes.h"
#include "port/pg_crc32c.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define REPORT_MAGIC 0x43525054u /* "CRPT" */

/* Rows of a column block: the engine's tile. */
#define BLOCK 1024
/* Room of a new report for kept rows (exact quantiles) and open tickets (SLA
 * attainment); both grow by doubling. An exact report takes over a megabyte
 * whatever its room, so without an estimate the first room is large enough to
 * make regrowing rare; with the planner's estimate it is that, within
 * [ROWS_MIN, ROWS_PLANNED_MAX]. */
#define ROWS_START       65536
#define ROWS_MIN         4096
#define ROWS_PLANNED_MAX (8u * 1024 * 1024)
#define OPEN_START       4096
/* The quantiles of the result, named median, p90 and p99. */
static const double QUANTILES[3] = {0.5, 0.9, 0.99};

/* The ticket columns of the aggregate's arguments, after the state. */
enum {
    A_CREATED = 1,
    A_FIRST_REPLY,
    A_SOLVED,
    A_CONTACTS,
    A_REOPENED,
    A_ESCALATED,
    A_ABANDONED,
    A_CSAT,
    A_NPS,
    A_CES,
    A_WAIT,
    A_HANDLE,
    A_COLUMNS = A_HANDLE /* then [priority,] options */
};

/* Columns that have no "missing" value in the engine: a NULL there makes the
 * row part of a block without that column. Bit p of a row's pattern. */
enum { P_CONTACTS = 1, P_REOPENED = 2, P_ESCALATED = 4, P_ABANDONED = 8, P_COUNT = 16 };

/* Option flags. */
enum {
    OPT_CALENDAR = 1,   /* a calendar (business durations) */
    OPT_POLICY = 2,     /* an SLA policy */
    OPT_PRIORITY = 4,   /* the priority argument (a key of the report) */
    OPT_ATTAINMENT = 8, /* SLA attainment */
    OPT_STRICT = 16     /* a bad row is an error */
};

/* The fields of the composite cm_report_options, in order. */
enum {
    O_CALENDAR = 1,
    O_POLICY,
    O_QUANTILES,
    O_DURATIONS,
    O_QUANTILE_DURATIONS,
    O_CONFIDENCE,
    O_SHORT_ABANDON,
    O_SERVICE_TARGET,
    O_CSAT_SCALE,
    O_CSAT_SATISFIED_MIN,
    O_CES_SCALE,
    O_CES_EASY_MIN,
    O_CES_EASY_MAX,
    O_ATTAINMENT,
    O_AS_OF,
    O_STRICT,
    O_COUNT = O_STRICT
};

static const char *const quantile_modes[] = {"sketch", "exact", "none"};
static const char *const duration_names[CM_TABLE_DURATION_COUNT] = {
    "first_reply", "first_reply_business", "resolution", "resolution_business"};

/* What a report measures, canonical: equal options give equal bytes. */
typedef struct report_opts {
    uint32 flags;
    uint32 quantiles;          /* cm_table_quantile_mode */
    uint32 durations;          /* bit m: cm_table_duration_metric m is measured */
    uint32 quantile_durations; /* bit m: and has quantiles */
    uint32 csat_scale, csat_satisfied_min, ces_scale, ces_easy_min, ces_easy_max; /* 0: default */
    double confidence, short_abandon, service_target;
    int64 as_of;                   /* CM_TABLE_NO_TIME: the latest instant */
    const char *calendar, *policy; /* spec texts (OPT_CALENDAR, OPT_POLICY) */
    uint32 calendar_len, policy_len;
} report_opts;

/* A block of rows, as columns. */
typedef struct block {
    int n;
    uint32 patterns; /* bit p: a row has NULL pattern p */
    cm_time created[BLOCK], first_reply[BLOCK], solved[BLOCK];
    uint64 row[BLOCK];
    double wait[BLOCK], handle[BLOCK];
    uint32 contacts[BLOCK];
    uint8 reopened[BLOCK], escalated[BLOCK], abandoned[BLOCK];
    uint8 csat[BLOCK], nps[BLOCK], ces[BLOCK], priority[BLOCK], pattern[BLOCK];
} block;

#define MAX_ENUMS 16

typedef struct report_state {
    uint32 magic;
    MemoryContext ctx; /* where the state, its block and its report live */
    report_opts opts;
    const cm_calendar *cal;   /* held while ctx lives */
    const cm_sla_policy *pol; /* held while ctx lives */
    cm_table_report *rep;     /* NULL until needed */
    uint64 capacity;          /* rows the report can keep (exact quantiles), else 0 */
    uint64 first_capacity;    /* the room of its first report (exact quantiles) */
    uint64 open_capacity;     /* open tickets it can keep (SLA attainment), else 0 */
    uint64 bound;             /* rows folded or merged into it: >= its kept tickets */
    uint8 *pending;           /* engine bytes not merged yet (a deserialized state) */
    size_t pending_len;
    uint64 pending_bound;
    /* Folding rows. */
    block *blk;     /* NULL in a state made from bytes */
    block *scratch; /* rows of one NULL pattern, when a block mixes them */
    uint64 seen;    /* rows given to the transition function: their numbers */
    Datum options;  /* the options argument last checked */
    bool options_null;
    bool priority_enum; /* the priority argument is an enum */
    int nenums;
    Oid enum_oid[MAX_ENUMS];
    int8 enum_level[MAX_ENUMS];
} report_state;

/* ---- the engine's allocator: palloc in the state's context ---------------------------- */

/*
 * The engine wants memory aligned as malloc's (16 bytes on x86-64); palloc
 * gives MAXALIGN (8). Each block is over-allocated by 16 bytes and the
 * pointer before the aligned address holds palloc's. No OOM error is raised
 * inside the library: a failed allocation returns NULL, which the library
 * turns into CM_ENOMEM.
 */
#define ALIGN 16

static void *engine_alloc(void *opaque, size_t size)
{
    if (size > SIZE_MAX - ALIGN)
        return NULL;
    char *raw = MemoryContextAllocExtended((MemoryContext)opaque, size + ALIGN,
                                           MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
    if (raw == NULL)
        return NULL;
    char *p = (char *)(((uintptr_t)raw + sizeof(void *) + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1));
    ((void **)p)[-1] = raw;
    return p;
}

static void engine_free(void *opaque, void *ptr)
{
    (void)opaque;
    pfree(((void **)ptr)[-1]);
}

/* ---- options ------------------------------------------------------------------------------ */

static const char *const what_options = "cm_report_options";

/* The level of a priority name (the library's names), or -1. */
static int priority_level(const char *name, size_t len)
{
    for (uint32_t v = 0; v < CM_SLA_PRIORITY_COUNT; v++) {
        const char *p = cm_sla_priority_name(v);
        if (strlen(p) == len && memcmp(p, name, len) == 0)
            return (int)v;
    }
    return -1;
}

static uint32 scale_field(HeapTupleHeader t, int field, const char *name)
{
    bool isnull;
    const Datum v = GetAttributeByNum(t, (AttrNumber)field, &isnull);
    if (isnull)
        return 0; /* the library's default */
    const int32 x = DatumGetInt32(v);
    if (x < 1)
        pgcm_check(CM_ERANGE, what_options, "%s = %d", name, x);
    return (uint32)x;
}

static double seconds_field(HeapTupleHeader t, int field, double dflt)
{
    bool isnull;
    const Datum v = GetAttributeByNum(t, (AttrNumber)field, &isnull);
    return isnull ? dflt : DatumGetFloat8(v);
}

static bool flag_field(HeapTupleHeader t, int field)
{
    bool isnull;
    const Datum v = GetAttributeByNum(t, (AttrNumber)field, &isnull);
    return !isnull && DatumGetBool(v);
}

/* A text field: its bytes (not copied) or NULL. */
static const char *text_field(HeapTupleHeader t, int field, uint32 *len)
{
    bool isnull;
    const Datum v = GetAttributeByNum(t, (AttrNumber)field, &isnull);
    if (isnull) {
        *len = 0;
        return NULL;
    }
    text *x = DatumGetTextPP(v);
    *len = (uint32)VARSIZE_ANY_EXHDR(x);
    return VARDATA_ANY(x);
}

/* A text[] field of duration names as bits of cm_table_duration_metric; dflt when NULL. */
static uint32 durations_field(HeapTupleHeader t, int field, uint32 dflt)
{
    bool isnull;
    const Datum d = GetAttributeByNum(t, (AttrNumber)field, &isnull);
    if (isnull)
        return dflt;
    ArrayType *a = DatumGetArrayTypeP(d);
    if (ARR_NDIM(a) > 1)
        pgcm_check(CM_EINVAL, what_options, "the durations must be a one-dimensional array");
    Datum *elems;
    bool *nulls;
    int n;
    deconstruct_array(a, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
    uint32 bits = 0;
    for (int i = 0; i < n; i++) {
        if (nulls[i])
            pgcm_check(CM_EINVAL, what_options, "the durations must not be NULL");
        text *x = DatumGetTextPP(elems[i]);
        const size_t xl = VARSIZE_ANY_EXHDR(x);
        uint32 m = 0;
        while (m < CM_TABLE_DURATION_COUNT && !(strlen(duration_names[m]) == xl &&
                                                memcmp(duration_names[m], VARDATA_ANY(x), xl) == 0))
            m++;
        if (m == CM_TABLE_DURATION_COUNT)
            pgcm_check(CM_EINVAL, what_options,
                       "unknown duration \"%.*s\"; expected first_reply, first_reply_business, "
                       "resolution or resolution_business",
                       (int)Min(xl, 40), VARDATA_ANY(x));
        bits |= 1u << m;
    }
    return bits;
}

/* The options of a cm_report_options value (NULL: all defaults). The texts
 * point into the value. */
static void opts_read(Datum value, bool isnull, bool priority, report_opts *o)
{
    cm_table_spec def;
    pgcm_check(cm_table_spec_init(&def), what_options, NULL);
    memset(o, 0, sizeof *o);
    o->flags = priority ? OPT_PRIORITY : 0;
    o->quantiles = def.quantile_mode;
    o->durations = def.duration_metrics;
    o->quantile_durations = def.quantile_metrics;
    o->confidence = CM_DEFAULT_CONFIDENCE;
    o->short_abandon = def.short_abandon_seconds;
    o->service_target = def.service_target_seconds;
    o->as_of = CM_TABLE_NO_TIME;
    if (isnull)
        return;
    HeapTupleHeader t = DatumGetHeapTupleHeader(value);
    o->calendar = text_field(t, O_CALENDAR, &o->calendar_len);
    o->policy = text_field(t, O_POLICY, &o->policy_len);
    o->flags |= (o->calendar != NULL ? OPT_CALENDAR : 0) | (o->policy != NULL ? OPT_POLICY : 0);
    uint32 len;
    const char *q = text_field(t, O_QUANTILES, &len);
    if (q != NULL) {
        uint32 m = 0;
        while (m < lengthof(quantile_modes) &&
               !(strlen(quantile_modes[m]) == len && memcmp(quantile_modes[m], q, len) == 0))
            m++;
        if (m == lengthof(quantile_modes))
            pgcm_check(CM_EINVAL, what_options,
                       "quantiles = \"%.*s\"; expected sketch, exact or none", (int)Min(len, 40),
                       q);
        o->quantiles = m;
    }
    o->durations = durations_field(t, O_DURATIONS, o->durations);
    o->quantile_durations = durations_field(t, O_QUANTILE_DURATIONS, o->quantile_durations);
    o->confidence = seconds_field(t, O_CONFIDENCE, o->confidence);
    o->short_abandon = seconds_field(t, O_SHORT_ABANDON, o->short_abandon);
    o->service_target = seconds_field(t, O_SERVICE_TARGET, o->service_target);
    o->csat_scale = scale_field(t, O_CSAT_SCALE, "csat_scale");
    o->csat_satisfied_min = scale_field(t, O_CSAT_SATISFIED_MIN, "csat_satisfied_min");
    o->ces_scale = scale_field(t, O_CES_SCALE, "ces_scale");
    o->ces_easy_min = scale_field(t, O_CES_EASY_MIN, "ces_easy_min");
    o->ces_easy_max = scale_field(t, O_CES_EASY_MAX, "ces_easy_max");
    o->flags |= flag_field(t, O_ATTAINMENT) ? OPT_ATTAINMENT : 0;
    o->flags |= flag_field(t, O_STRICT) ? OPT_STRICT : 0;
    bool anull;
    const Datum at = GetAttributeByNum(t, O_AS_OF, &anull);
    if (!anull)
        o->as_of = pgcm_time(DatumGetTimestampTz(at), what_options, "as_of");
}

static bool opts_equal(const report_opts *a, const report_opts *b)
{
    return a->flags == b->flags && a->quantiles == b->quantiles && a->durations == b->durations &&
           a->quantile_durations == b->quantile_durations && a->csat_scale == b->csat_scale &&
           a->csat_satisfied_min == b->csat_satisfied_min && a->ces_scale == b->ces_scale &&
           a->ces_easy_min == b->ces_easy_min && a->ces_easy_max == b->ces_easy_max &&
           memcmp(&a->confidence, &b->confidence, sizeof(double)) == 0 &&
           memcmp(&a->short_abandon, &b->short_abandon, sizeof(double)) == 0 &&
           memcmp(&a->service_target, &b->service_target, sizeof(double)) == 0 &&
           a->as_of == b->as_of && a->calendar_len == b->calendar_len &&
           a->policy_len == b->policy_len &&
           (a->calendar_len == 0 || memcmp(a->calendar, b->calendar, a->calendar_len) == 0) &&
           (a->policy_len == 0 || memcmp(a->policy, b->policy, a->policy_len) == 0);
}

/* The engine's spec of a state's options, with room for `rows` kept rows and
 * `open` open tickets. */
typedef struct spec_parts {
    cm_table_spec spec;
    cm_table_key key;
    const char *labels[CM_SLA_PRIORITY_COUNT];
} spec_parts;

static void spec_of(const report_opts *o, const cm_calendar *cal, const cm_sla_policy *pol,
                    uint64 rows, uint64 open, spec_parts *p)
{
    cm_table_spec *s = &p->spec;
    pgcm_check(cm_table_spec_init(s), "cm_report", NULL);
    s->calendar = cal;
    s->policy = pol;
    if (o->flags & OPT_PRIORITY) {
        /* The priority is a key whose codes are the library's levels. */
        for (uint32_t v = 0; v < CM_SLA_PRIORITY_COUNT; v++)
            p->labels[v] = cm_sla_priority_name(v);
        p->key.name = "priority";
        p->key.cardinality = CM_SLA_PRIORITY_COUNT;
        p->key.width = 1;
        p->key.reserved = 0;
        p->key.labels = p->labels;
        s->keys = &p->key;
        s->nkeys = 1;
        s->priority_key = 0;
    }
    if (o->flags & OPT_ATTAINMENT)
        s->flags |= CM_TABLE_SLA_ATTAINMENT;
    s->as_of = o->as_of;
    s->quantile_mode = o->quantiles;
    s->quantile_metrics = o->quantile_durations;
    s->quantiles = QUANTILES;
    s->nquantiles = lengthof(QUANTILES);
    s->duration_metrics = o->durations;
    s->short_abandon_seconds = o->short_abandon;
    s->service_target_seconds = o->service_target;
    s->csat_scale = o->csat_scale;
    s->csat_satisfied_min = o->csat_satisfied_min;
    s->ces_scale = o->ces_scale;
    s->ces_easy_min = o->ces_easy_min;
    s->ces_easy_max = o->ces_easy_max;
    s->row_capacity = o->quantiles == CM_TABLE_QUANTILES_EXACT ? rows : 0;
    s->open_capacity = open;
}

/* Why the engine refused a spec, for the error's detail. */
static void spec_refused(cm_status st, const report_opts *o, const cm_sla_policy *pol,
                         const char *what)
{
    size_t need = 0;
    if (pol != NULL && cm_sla_policy_info(pol, NULL, &need) == CM_OK && need > 0 &&
        !(o->flags & OPT_CALENDAR))
        pgcm_check(st, what, "the policy has business-time targets: give a calendar too");
    if (st == CM_ENOMEM || st == CM_EOVERFLOW)
        pgcm_check(st, what, "creating a report");
    pgcm_check(st, what,
               "the options: csat_scale %u, csat_satisfied_min %u, ces_scale %u, ces_easy_min %u, "
               "ces_easy_max %u (0: default), short_abandon_seconds %g, "
               "service_target_seconds %g",
               o->csat_scale, o->csat_satisfied_min, o->ces_scale, o->ces_easy_min, o->ces_easy_max,
               o->short_abandon, o->service_target);
}

/* The calendar and policy of options, parsed (and held while ctx lives, when given). */
static void opts_objects(const report_opts *o, MemoryContext ctx, const char *what,
                         const cm_calendar **cal, const cm_sla_policy **pol)
{
    *cal = NULL;
    *pol = NULL;
    if (o->flags & OPT_CALENDAR)
        *cal = ctx != NULL
                   ? pgcm_parsed_hold(PGCM_CALENDAR, o->calendar, o->calendar_len, what, ctx)
                   : pgcm_parsed(PGCM_CALENDAR, o->calendar, o->calendar_len, what);
    if (o->flags & OPT_POLICY)
        *pol = ctx != NULL ? pgcm_parsed_hold(PGCM_POLICY, o->policy, o->policy_len, what, ctx)
                           : pgcm_parsed(PGCM_POLICY, o->policy, o->policy_len, what);
}

/* Checks options as a report would use them: creates one and frees it. */
static void opts_check(const report_opts *o, const char *what)
{
    const cm_calendar *cal;
    const cm_sla_policy *pol;
    opts_objects(o, NULL, what, &cal, &pol);
    if ((o->flags & OPT_ATTAINMENT) && pol == NULL)
        pgcm_check(CM_EINVAL, what, "attainment needs a policy");
    cm_proportion p;
    pgcm_check(cm_rate(1, 2, o->confidence, &p), what, "confidence = %g", o->confidence);
    spec_parts sp;
    spec_of(o, cal, pol, 1, (o->flags & OPT_ATTAINMENT) ? 1 : 0, &sp);
    cm_table_report *r = NULL;
    const cm_status st = cm_table_report_new(&sp.spec, NULL, &r);
    if (st != CM_OK)
        spec_refused(st, o, pol, what);
    cm_table_report_free(r);
}

/*
 * cm_report_options(calendar, policy, quantiles, durations, quantile_durations, confidence,
 * short_abandon_seconds, service_target_seconds, csat_scale, csat_satisfied_min,
 * ces_scale, ces_easy_min, ces_easy_max, attainment, as_of, strict): the
 * options as a composite, checked the way a report will use them. A call site
 * remembers the last options it checked, so options from a column are not
 * checked again on every row.
 */
PG_FUNCTION_INFO_V1(pgcm_report_options);
Datum pgcm_report_options(PG_FUNCTION_ARGS)
{
    TupleDesc desc;
    if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE || desc->natts != O_COUNT)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("cm_report_options: the result type does not match")));
    desc = BlessTupleDesc(desc);
    Datum v[O_COUNT];
    bool n[O_COUNT];
    for (int i = 0; i < O_COUNT; i++) {
        n[i] = PG_ARGISNULL(i);
        v[i] = n[i] ? (Datum)0 : PG_GETARG_DATUM(i);
    }
    HeapTuple tuple = heap_form_tuple(desc, v, n);
    const Datum value = HeapTupleGetDatum(tuple);
    /* The bytes of the last options checked at this call site. */
    FmgrInfo *fl = fcinfo->flinfo;
    const HeapTupleHeader h = tuple->t_data;
    const Size len = HeapTupleHeaderGetDatumLength(h);
    bytea *last = fl->fn_extra;
    if (last != NULL && VARSIZE(last) - VARHDRSZ == len &&
        memcmp(VARDATA(last), (char *)h, len) == 0)
        return value;
    report_opts o;
    opts_read(value, false, false, &o);
    opts_check(&o, what_options);
    if (last == NULL || VARSIZE(last) - VARHDRSZ < len) {
        if (last != NULL)
            pfree(last);
        last = MemoryContextAlloc(fl->fn_mcxt, VARHDRSZ + len);
        fl->fn_extra = last;
    }
    SET_VARSIZE(last, VARHDRSZ + len);
    memcpy(VARDATA(last), (char *)h, len);
    return value;
}

/* ---- states ----------------------------------------------------------------------------------- */

static report_state *state_new(MemoryContext ctx, const report_opts *o, const char *what)
{
    report_state *s = MemoryContextAllocZero(ctx, sizeof(report_state));
    s->ctx = ctx;
    s->opts = *o;
    /* The texts, owned by the state. */
    if (o->flags & OPT_CALENDAR) {
        char *c = MemoryContextAlloc(ctx, o->calendar_len + 1);
        memcpy(c, o->calendar, o->calendar_len);
        s->opts.calendar = c;
    }
    if (o->flags & OPT_POLICY) {
        char *c = MemoryContextAlloc(ctx, o->policy_len + 1);
        memcpy(c, o->policy, o->policy_len);
        s->opts.policy = c;
    }
    opts_objects(&s->opts, ctx, what, &s->cal, &s->pol);
    s->magic = REPORT_MAGIC;
    return s;
}

static report_state *state_arg(FunctionCallInfo fcinfo, int argno)
{
    if (PG_ARGISNULL(argno))
        return NULL;
    report_state *s = (report_state *)PG_GETARG_POINTER(argno);
    if (s->magic != REPORT_MAGIC)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("cm_report: the state is not a cm_report state")));
    return s;
}

static cm_table_report *report_new(report_state *s, uint64 rows, uint64 open, const char *what)
{
    spec_parts sp;
    spec_of(&s->opts, s->cal, s->pol, rows, open, &sp);
    const cm_allocator al = {engine_alloc, engine_free, s->ctx};
    cm_table_report *r = NULL;
    const cm_status st = cm_table_report_new(&sp.spec, &al, &r);
    if (st != CM_OK)
        spec_refused(st, &s->opts, s->pol, what);
    return r;
}

static uint64 grown(uint64 capacity, uint64 need)
{
    uint64 c = capacity > 0 ? capacity : ROWS_START;
    if (c >= need)
        return c;
    while (c < need && c <= UINT32_MAX / 2)
        c *= 2;
    return Max(c, need);
}

/* Replaces the report by a larger one holding the same. */
static void report_grow(report_state *s, uint64 rows, uint64 open, const char *what)
{
    if (rows > UINT32_MAX || open > UINT32_MAX)
        pgcm_check(CM_ENOSPC, what, "a report keeps at most %u rows and open tickets", UINT32_MAX);
    cm_table_report *n = report_new(s, rows, open, what);
    const cm_status st = cm_table_report_merge(n, s->rep);
    if (st != CM_OK) {
        cm_table_report_free(n);
        pgcm_check(st, what, "moving the report into a larger one");
    }
    cm_table_report_free(s->rep);
    s->rep = n;
    s->capacity = s->opts.quantiles == CM_TABLE_QUANTILES_EXACT ? rows : 0;
    s->open_capacity = open;
}

/* An operation on a report that may need more room (CM_ENOSPC): it is all or
 * nothing, so it is tried again after the report has grown. */
typedef cm_status (*report_op)(cm_table_report *r, const void *arg, size_t len);

static cm_status op_add(cm_table_report *r, const void *arg, size_t len)
{
    (void)len;
    return cm_table_report_add(r, arg);
}

static cm_status op_merge(cm_table_report *r, const void *arg, size_t len)
{
    (void)len;
    return cm_table_report_merge(r, arg);
}

static cm_status op_merge_bytes(cm_table_report *r, const void *arg, size_t len)
{
    return cm_table_report_merge_bytes(r, arg, len);
}

static cm_status with_room(report_state *s, report_op op, const void *arg, size_t len,
                           const char *what)
{
    for (;;) {
        const cm_status st = op(s->rep, arg, len);
        if (st != CM_ENOSPC)
            return st;
        const bool exact = s->opts.quantiles == CM_TABLE_QUANTILES_EXACT;
        const bool open = s->open_capacity > 0;
        if (!exact && !open)
            return st;
        report_grow(s, exact ? grown(s->capacity, 2 * s->capacity) : 0,
                    open ? grown(s->open_capacity, 2 * s->open_capacity) : 0, what);
    }
}

/* Makes sure the state has a report with room for `more` rows, its pending
 * bytes merged. */
static void ensure_room(report_state *s, uint64 more, const char *what)
{
    const bool exact = s->opts.quantiles == CM_TABLE_QUANTILES_EXACT;
    const uint64 need = s->bound + s->pending_bound + more;
    if (s->rep == NULL) {
        s->capacity = exact ? grown(s->first_capacity, need) : 0;
        s->open_capacity =
            (s->opts.flags & OPT_ATTAINMENT) && s->opts.as_of == CM_TABLE_NO_TIME ? OPEN_START : 0;
        s->rep = report_new(s, s->capacity, s->open_capacity, what);
    } else if (exact && need > s->capacity) {
        report_grow(s, grown(s->capacity, need), s->open_capacity, what);
    }
    if (s->pending != NULL) {
        const cm_status st = with_room(s, op_merge_bytes, s->pending, s->pending_len, what);
        pgcm_check(st, what, "%zu bytes of a serialized report", s->pending_len);
        pfree(s->pending);
        s->pending = NULL;
        s->bound += s->pending_bound;
        s->pending_bound = 0;
    }
}

/* ---- bad rows ----------------------------------------------------------------------------------- */

static void strict_error(const cm_table_bad_row *b)
{
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("cm_report: bad row %llu: %s = %s", (unsigned long long)b->row,
                           b->column, b->value),
                    errdetail("%s expects %s.", b->column, b->expected),
                    errhint("Without strict => true, bad rows are counted and left out.")));
}

/* After folding with the strict option: the first bad row is an error. */
static void strict_check(report_state *s, uint64 bad_before)
{
    uint64 bad = 0;
    cm_table_bad_row kept[CM_TABLE_BAD_ROWS_KEPT];
    size_t n = 0;
    pgcm_check(cm_table_report_rows(s->rep, NULL, &bad, kept, lengthof(kept), &n), "cm_report",
               NULL);
    if (bad == bad_before || n == 0)
        return;
    size_t first = 0;
    for (size_t i = 1; i < n; i++)
        if (kept[i].row < kept[first].row)
            first = i;
    strict_error(&kept[first]);
}

static uint64 bad_count(report_state *s)
{
    uint64 bad = 0;
    pgcm_check(cm_table_report_rows(s->rep, NULL, &bad, NULL, 0, NULL), "cm_report", NULL);
    return bad;
}

static void fold(report_state *s, const char *what);

/* A row whose value the engine cannot be given (NULL creation, an infinite
 * instant, a number outside the column's type): counted as a bad row. */
static void bad_row(report_state *s, uint64 row, const char *column, const char *expected,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void bad_row(report_state *s, uint64 row, const char *column, const char *expected,
                    const char *fmt, ...)
{
    cm_table_bad_row b;
    memset(&b, 0, sizeof b);
    b.row = row;
    snprintf(b.column, sizeof b.column, "%s", column);
    snprintf(b.expected, sizeof b.expected, "%s", expected);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b.value, sizeof b.value, fmt, ap);
    va_end(ap);
    if (s->opts.flags & OPT_STRICT) {
        fold(s, "cm_report"); /* an earlier bad row among the rows before is the error */
        strict_error(&b);
    }
    ensure_room(s, 0, "cm_report");
    pgcm_check(cm_table_report_add_bad_row(s->rep, &b), "cm_report", NULL);
}

/* ---- folding -------------------------------------------------------------------------------------- */

static void columns_of(const report_state *s, const block *b, unsigned pattern, cm_table_columns *c,
                       const void **keys)
{
    pgcm_check(cm_table_columns_init(c), "cm_report", NULL);
    c->rows = (size_t)b->n;
    c->created = b->created;
    c->first_reply = b->first_reply;
    c->solved = b->solved;
    c->contacts = pattern & P_CONTACTS ? NULL : b->contacts;
    c->reopened = pattern & P_REOPENED ? NULL : b->reopened;
    c->escalated = pattern & P_ESCALATED ? NULL : b->escalated;
    c->abandoned = pattern & P_ABANDONED ? NULL : b->abandoned;
    c->csat = b->csat;
    c->nps = b->nps;
    c->ces = b->ces;
    c->wait_seconds = b->wait;
    c->handle_seconds = b->handle;
    c->row_numbers = b->row;
    if (s->opts.flags & OPT_PRIORITY) {
        keys[0] = b->priority;
        c->keys = keys;
    }
}

/* The rows of block b with NULL pattern p, into d. */
static void gather(const block *b, unsigned p, block *d)
{
    int k = 0;
    for (int i = 0; i < b->n; i++) {
        if (b->pattern[i] != p)
            continue;
        d->created[k] = b->created[i];
        d->first_reply[k] = b->first_reply[i];
        d->solved[k] = b->solved[i];
        d->row[k] = b->row[i];
        d->wait[k] = b->wait[i];
        d->handle[k] = b->handle[i];
        d->contacts[k] = b->contacts[i];
        d->reopened[k] = b->reopened[i];
        d->escalated[k] = b->escalated[i];
        d->abandoned[k] = b->abandoned[i];
        d->csat[k] = b->csat[i];
        d->nps[k] = b->nps[i];
        d->ces[k] = b->ces[i];
        d->priority[k] = b->priority[i];
        k++;
    }
    d->n = k;
}

static void fold_columns(report_state *s, const block *b, unsigned pattern, const char *what)
{
    cm_table_columns c;
    const void *keys[1];
    columns_of(s, b, pattern, &c, keys);
    pgcm_check(with_room(s, op_add, &c, 0, what), what, "folding a block of %d rows", b->n);
}

/* Folds the rows of the state's block into its report. */
static void fold(report_state *s, const char *what)
{
    block *b = s->blk;
    if (b == NULL || b->n == 0)
        return;
    ensure_room(s, (uint64)b->n, what);
    const uint64 bad_before = (s->opts.flags & OPT_STRICT) ? bad_count(s) : 0;
    if ((b->patterns & (b->patterns - 1)) == 0) {
        /* One NULL pattern, the usual case: the block as it is. */
        unsigned p = 0;
        while (!(b->patterns & (1u << p)))
            p++;
        fold_columns(s, b, p, what);
    } else {
        if (s->scratch == NULL)
            s->scratch = MemoryContextAlloc(s->ctx, sizeof(block));
        for (unsigned p = 0; p < P_COUNT; p++) {
            if (!(b->patterns & (1u << p)))
                continue;
            gather(b, p, s->scratch);
            fold_columns(s, s->scratch, p, what);
        }
    }
    s->bound += (uint64)b->n;
    b->n = 0;
    b->patterns = 0;
    if (s->opts.flags & OPT_STRICT)
        strict_check(s, bad_before);
}

/* Makes the state's report whole: its block folded, its pending bytes merged. */
static void settle(report_state *s, const char *what)
{
    fold(s, what);
    ensure_room(s, 0, what);
}

/* ---- the transition function ------------------------------------------------------------------- */

static const char *const what_report = "cm_report";

/* The level of an enum value whose label is a priority name; -1 (and the
 * label in `label`) otherwise. */
static int enum_level(report_state *s, Oid value, char *label, size_t cap)
{
    for (int k = 0; k < s->nenums && label == NULL; k++)
        if (s->enum_oid[k] == value)
            return s->enum_level[k];
    HeapTuple tup = SearchSysCache1(ENUMOID, ObjectIdGetDatum(value));
    if (!HeapTupleIsValid(tup))
        ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
                        errmsg("cm_report: invalid internal value for enum: %u", value)));
    const char *name = NameStr(((Form_pg_enum)GETSTRUCT(tup))->enumlabel);
    const int level = priority_level(name, strlen(name));
    if (label != NULL)
        snprintf(label, cap, "%s", name);
    ReleaseSysCache(tup);
    if (label == NULL && s->nenums < MAX_ENUMS) {
        s->enum_oid[s->nenums] = value;
        s->enum_level[s->nenums] = (int8)level;
        s->nenums++;
    }
    return level;
}

/* The options argument of a row: the same on every row of a group. */
static void check_options(report_state *s, FunctionCallInfo fcinfo, int argno)
{
    const bool isnull = PG_ARGISNULL(argno);
    const Datum v = isnull ? (Datum)0 : PG_GETARG_DATUM(argno);
    if (isnull == s->options_null && v == s->options)
        return;
    report_opts o;
    opts_read(v, isnull, (s->opts.flags & OPT_PRIORITY) != 0, &o);
    if (!opts_equal(&o, &s->opts))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("cm_report: the options changed within a group"),
                        errdetail("A group's report is made with the options of its first row.")));
    s->options = v;
    s->options_null = isnull;
}

/* The planner's estimate of the rows a group of the calling aggregate folds: its
 * input rows over its groups (a partial aggregate's input is its worker's share);
 * 0 when unknown (a window, another caller). */
static double planned_group_rows(FunctionCallInfo fcinfo)
{
    if (fcinfo->context == NULL || !IsA(fcinfo->context, AggState))
        return 0;
    const AggState *as = (const AggState *)fcinfo->context;
    const Agg *agg = (const Agg *)as->ss.ps.plan;
    const Plan *in = agg != NULL ? agg->plan.lefttree : NULL; /* its input */
    if (in == NULL || !(in->plan_rows > 0))
        return 0;
    double rows = in->plan_rows;
    if (agg->aggstrategy != AGG_PLAIN && agg->numGroups > 1)
        rows /= (double)agg->numGroups;
    return rows;
}

static report_state *state_for_rows(FunctionCallInfo fcinfo, int nargs)
{
    MemoryContext ctx = pgcm_agg_context(fcinfo, "cm_report_trans");
    const bool priority = nargs == A_COLUMNS + 3;
    const int at = nargs > A_COLUMNS + 1 ? nargs - 1 : -1;
    const bool isnull = at < 0 || PG_ARGISNULL(at);
    const Datum ov = isnull ? (Datum)0 : PG_GETARG_DATUM(at);
    report_opts o;
    opts_read(ov, isnull, priority, &o);
    if ((o.flags & OPT_POLICY) && !priority)
        pgcm_check(CM_EINVAL, what_report,
                   "a policy needs each ticket's priority: cm_report(..., priority, options)");
    if ((o.flags & OPT_ATTAINMENT) && !(o.flags & OPT_POLICY))
        pgcm_check(CM_EINVAL, what_report, "attainment needs a policy");
    cm_proportion p;
    pgcm_check(cm_rate(1, 2, o.confidence, &p), what_report, "confidence = %g", o.confidence);
    report_state *s = state_new(ctx, &o, what_report);
    s->options = ov;
    s->options_null = isnull;
    if (priority) {
        const Oid t = get_fn_expr_argtype(fcinfo->flinfo, A_COLUMNS + 1);
        s->priority_enum = OidIsValid(t) && type_is_enum(t);
    }
    if (o.quantiles == CM_TABLE_QUANTILES_EXACT) {
        /* Room for the estimate and a tenth more, in whole blocks. */
        const double rows = planned_group_rows(fcinfo);
        if (rows > 0) {
            const double want = ceil(rows * 1.1 / BLOCK) * BLOCK;
            s->first_capacity = want >= (double)ROWS_PLANNED_MAX ? ROWS_PLANNED_MAX
                                : want <= (double)ROWS_MIN       ? ROWS_MIN
                                                                 : (uint64)want;
        }
    }
    ensure_room(s, 0, what_report);
    s->blk = MemoryContextAlloc(ctx, sizeof(block));
    s->blk->n = 0;
    s->blk->patterns = 0;
    return s;
}

static inline bool time_arg(FunctionCallInfo fcinfo, int argno, cm_time *out)
{
    if (PG_ARGISNULL(argno)) {
        *out = CM_TABLE_NO_TIME;
        return true;
    }
    return pgcm_time_finite(PG_GETARG_TIMESTAMPTZ(argno), out);
}

static const char *infinity_name(FunctionCallInfo fcinfo, int argno)
{
    return TIMESTAMP_IS_NOBEGIN(PG_GETARG_TIMESTAMPTZ(argno)) ? "-infinity" : "infinity";
}

/* A survey answer: NULL is no answer; values the engine cannot be given are bad. */
static inline bool score_arg(FunctionCallInfo fcinfo, int argno, uint8 *out)
{
    if (PG_ARGISNULL(argno)) {
        *out = CM_SCORE_NONE;
        return true;
    }
    const int32 v = PG_GETARG_INT32(argno);
    *out = (uint8)v;
    return v >= 0 && v < CM_SCORE_NONE;
}

/* A flag: NULL sets the row's pattern bit (the row has no such column). */
static inline uint8 flag_arg(FunctionCallInfo fcinfo, int argno, unsigned bit, unsigned *pattern)
{
    if (PG_ARGISNULL(argno)) {
        *pattern |= bit;
        return 0;
    }
    return PG_GETARG_BOOL(argno) ? 1 : 0;
}

/* Seconds: NULL is none (NaN for the engine); NaN itself is a bad value. */
static inline bool seconds_arg(FunctionCallInfo fcinfo, int argno, double *out)
{
    if (PG_ARGISNULL(argno)) {
        *out = (double)NAN;
        return true;
    }
    *out = PG_GETARG_FLOAT8(argno);
    return !isnan(*out);
}

static const char *const expected_instant = "an instant in the years 1..9999";
static const char *const expected_score = "an answer on the survey's scale, or NULL";
static const char *const expected_seconds = "a number of seconds, or NULL";

/*
 * cm_report(created, first_reply, solved, contacts, reopened, escalated,
 * abandoned, csat, nps, ces, wait_seconds, handle_seconds [, priority] [, options])
 */
PG_FUNCTION_INFO_V1(pgcm_report_trans);
Datum pgcm_report_trans(PG_FUNCTION_ARGS)
{
    const int nargs = PG_NARGS();
    report_state *s = state_arg(fcinfo, 0);
    if (s == NULL)
        s = state_for_rows(fcinfo, nargs);
    else if (nargs > A_COLUMNS + 1)
        check_options(s, fcinfo, nargs - 1);
    if (s->blk == NULL) /* a state made from bytes: never given rows by the executor */
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("cm_report: the state takes no rows")));
    block *b = s->blk;
    const uint64 row = ++s->seen;
    const int i = b->n;
    /* Instants. */
    if (PG_ARGISNULL(A_CREATED)) {
        bad_row(s, row, cm_table_column_name(CM_TABLE_COL_CREATED), expected_instant, "NULL");
        PG_RETURN_POINTER(s);
    }
    static const int instants[3] = {A_CREATED, A_FIRST_REPLY, A_SOLVED};
    static const uint32 instant_cols[3] = {CM_TABLE_COL_CREATED, CM_TABLE_COL_FIRST_REPLY,
                                           CM_TABLE_COL_SOLVED};
    cm_time *const dst[3] = {&b->created[i], &b->first_reply[i], &b->solved[i]};
    for (int k = 0; k < 3; k++) {
        if (!time_arg(fcinfo, instants[k], dst[k])) {
            bad_row(s, row, cm_table_column_name(instant_cols[k]), expected_instant, "%s",
                    infinity_name(fcinfo, instants[k]));
            PG_RETURN_POINTER(s);
        }
    }
    /* Counts and flags. */
    unsigned pattern = 0;
    if (PG_ARGISNULL(A_CONTACTS)) {
        pattern |= P_CONTACTS;
        b->contacts[i] = 1;
    } else {
        const int32 c = PG_GETARG_INT32(A_CONTACTS);
        if (c < 0) {
            bad_row(s, row, cm_table_column_name(CM_TABLE_COL_CONTACTS),
                    "a count of contacts from 1", "%d", c);
            PG_RETURN_POINTER(s);
        }
        b->contacts[i] = (uint32)c; /* the engine checks the range */
    }
    b->reopened[i] = flag_arg(fcinfo, A_REOPENED, P_REOPENED, &pattern);
    b->escalated[i] = flag_arg(fcinfo, A_ESCALATED, P_ESCALATED, &pattern);
    b->abandoned[i] = flag_arg(fcinfo, A_ABANDONED, P_ABANDONED, &pattern);
    /* Surveys. */
    static const int scores[3] = {A_CSAT, A_NPS, A_CES};
    static const uint32 score_cols[3] = {CM_TABLE_COL_CSAT, CM_TABLE_COL_NPS, CM_TABLE_COL_CES};
    uint8 *const sdst[3] = {&b->csat[i], &b->nps[i], &b->ces[i]};
    for (int k = 0; k < 3; k++) {
        if (!score_arg(fcinfo, scores[k], sdst[k])) {
            bad_row(s, row, cm_table_column_name(score_cols[k]), expected_score, "%d",
                    PG_GETARG_INT32(scores[k]));
            PG_RETURN_POINTER(s);
        }
    }
    /* Seconds. */
    if (!seconds_arg(fcinfo, A_WAIT, &b->wait[i])) {
        bad_row(s, row, cm_table_column_name(CM_TABLE_COL_WAIT), expected_seconds, "NaN");
        PG_RETURN_POINTER(s);
    }
    if (!seconds_arg(fcinfo, A_HANDLE, &b->handle[i])) {
        bad_row(s, row, cm_table_column_name(CM_TABLE_COL_HANDLE), expected_seconds, "NaN");
        PG_RETURN_POINTER(s);
    }
    /* The priority: a name of the library's levels, as text or an enum label. */
    if (s->opts.flags & OPT_PRIORITY) {
        const int at = A_COLUMNS + 1;
        int level = CM_SLA_PRIORITY_NONE;
        if (!PG_ARGISNULL(at)) {
            if (s->priority_enum) {
                level = enum_level(s, PG_GETARG_OID(at), NULL, 0);
            } else {
                text *t = PG_GETARG_TEXT_PP(at);
                level = priority_level(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
            }
            if (level < 0) {
                char label[NAMEDATALEN];
                if (s->priority_enum) {
                    (void)enum_level(s, PG_GETARG_OID(at), label, sizeof label);
                } else {
                    text *t = PG_GETARG_TEXT_PP(at);
                    snprintf(label, sizeof label, "%.*s",
                             (int)Min(VARSIZE_ANY_EXHDR(t), sizeof label - 1), VARDATA_ANY(t));
                }
                char expected[80];
                snprintf(expected, sizeof expected, "%s, %s, %s, %s, %s or NULL",
                         cm_sla_priority_name(0), cm_sla_priority_name(1), cm_sla_priority_name(2),
                         cm_sla_priority_name(3), cm_sla_priority_name(4));
                bad_row(s, row, "priority", expected, "%s", label);
                PG_RETURN_POINTER(s);
            }
        }
        b->priority[i] = (uint8)level;
    }
    b->row[i] = row;
    b->pattern[i] = (uint8)pattern;
    b->patterns |= 1u << pattern;
    if (++b->n == BLOCK)
        fold(s, what_report);
    PG_RETURN_POINTER(s);
}

/* ---- bytes ------------------------------------------------------------------------------------------ */

/*
 * A partial report as bytes, little-endian:
 *   "CMPGRPT" and a format byte (1)
 *   u32 length H of the header that follows (up to the checksum)
 *   u32 flags, quantiles, durations, quantile_durations, csat_scale, csat_satisfied_min, ces_scale,
 *       ces_easy_min, ces_easy_max
 *   f64 confidence, short_abandon, service_target; i64 as_of; u64 bound
 *   u32 calendar length, its bytes; u32 policy length, its bytes
 *   u32 CRC-32C of everything before it
 *   the engine's bytes (cm_table_report_serialize())
 */
#define BYTES_MAGIC  "CMPGRPT"
#define BYTES_FORMAT 1
#define HEADER_FIXED (9 * 4 + 5 * 8 + 2 * 4)
#define TEXT_MAX     (64u * 1024 * 1024)

typedef struct wbuf {
    uint8 *p;
    size_t at;
} wbuf;

static void w_u32(wbuf *w, uint32 v)
{
    for (int k = 0; k < 4; k++)
        w->p[w->at++] = (uint8)(v >> (8 * k));
}

static void w_u64(wbuf *w, uint64 v)
{
    for (int k = 0; k < 8; k++)
        w->p[w->at++] = (uint8)(v >> (8 * k));
}

static void w_f64(wbuf *w, double v)
{
    uint64 u;
    memcpy(&u, &v, sizeof u);
    w_u64(w, u);
}

static void w_bytes(wbuf *w, const void *src, size_t n)
{
    if (n > 0)
        memcpy(w->p + w->at, src, n);
    w->at += n;
}

typedef struct rbuf {
    const uint8 *p;
    size_t len, at;
    bool bad;
} rbuf;

static const uint8 *r_take(rbuf *r, size_t n)
{
    if (r->bad || n > r->len - r->at) {
        r->bad = true;
        return NULL;
    }
    const uint8 *p = r->p + r->at;
    r->at += n;
    return p;
}

static uint64 r_uint(rbuf *r, int bytes)
{
    const uint8 *p = r_take(r, (size_t)bytes);
    uint64 v = 0;
    for (int k = 0; p != NULL && k < bytes; k++)
        v |= (uint64)p[k] << (8 * k);
    return v;
}

static double r_f64(rbuf *r)
{
    const uint64 u = r_uint(r, 8);
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

static size_t header_size(const report_opts *o)
{
    return 8 + 4 + HEADER_FIXED + o->calendar_len + o->policy_len + 4;
}

static void write_header(const report_opts *o, uint64 bound, uint8 *p)
{
    wbuf w = {p, 0};
    w_bytes(&w, BYTES_MAGIC, 7);
    p[w.at++] = BYTES_FORMAT;
    w_u32(&w, (uint32)(HEADER_FIXED + o->calendar_len + o->policy_len));
    w_u32(&w, o->flags);
    w_u32(&w, o->quantiles);
    w_u32(&w, o->durations);
    w_u32(&w, o->quantile_durations);
    w_u32(&w, o->csat_scale);
    w_u32(&w, o->csat_satisfied_min);
    w_u32(&w, o->ces_scale);
    w_u32(&w, o->ces_easy_min);
    w_u32(&w, o->ces_easy_max);
    w_f64(&w, o->confidence);
    w_f64(&w, o->short_abandon);
    w_f64(&w, o->service_target);
    w_u64(&w, (uint64)o->as_of);
    w_u64(&w, bound);
    w_u32(&w, o->calendar_len);
    w_bytes(&w, o->calendar, o->calendar_len);
    w_u32(&w, o->policy_len);
    w_bytes(&w, o->policy, o->policy_len);
    pg_crc32c crc;
    INIT_CRC32C(crc);
    COMP_CRC32C(crc, p, w.at);
    FIN_CRC32C(crc);
    w_u32(&w, crc);
}

/* Reads the header of report bytes: the options (texts point into the bytes),
 * the row bound, and where the engine's bytes start. Corrupt bytes are an error. */
static void read_header(const uint8 *p, size_t len, report_opts *o, uint64 *bound,
                        const uint8 **engine, size_t *engine_len, const char *what)
{
    rbuf r = {p, len, 0, false};
    const uint8 *magic = r_take(&r, 8);
    const uint32 hlen = (uint32)r_uint(&r, 4);
    bool ok = magic != NULL && memcmp(magic, BYTES_MAGIC, 7) == 0 && magic[7] == BYTES_FORMAT &&
              hlen >= HEADER_FIXED && hlen - HEADER_FIXED <= 2 * TEXT_MAX &&
              (size_t)hlen + 4 <= len - r.at;
    if (ok) {
        pg_crc32c crc;
        INIT_CRC32C(crc);
        COMP_CRC32C(crc, p, 12 + (size_t)hlen);
        FIN_CRC32C(crc);
        rbuf c = {p + 12 + hlen, 4, 0, false};
        ok = (uint32)r_uint(&c, 4) == crc;
    }
    if (ok) {
        memset(o, 0, sizeof *o);
        o->flags = (uint32)r_uint(&r, 4);
        o->quantiles = (uint32)r_uint(&r, 4);
        o->durations = (uint32)r_uint(&r, 4);
        o->quantile_durations = (uint32)r_uint(&r, 4);
        o->csat_scale = (uint32)r_uint(&r, 4);
        o->csat_satisfied_min = (uint32)r_uint(&r, 4);
        o->ces_scale = (uint32)r_uint(&r, 4);
        o->ces_easy_min = (uint32)r_uint(&r, 4);
        o->ces_easy_max = (uint32)r_uint(&r, 4);
        o->confidence = r_f64(&r);
        o->short_abandon = r_f64(&r);
        o->service_target = r_f64(&r);
        o->as_of = (int64)r_uint(&r, 8);
        *bound = r_uint(&r, 8);
        o->calendar_len = (uint32)r_uint(&r, 4);
        o->calendar = (const char *)r_take(&r, o->calendar_len);
        o->policy_len = (uint32)r_uint(&r, 4);
        o->policy = (const char *)r_take(&r, o->policy_len);
        ok = !r.bad && r.at == 12 + (size_t)hlen &&
             (o->flags & ~(uint32)(OPT_CALENDAR | OPT_POLICY | OPT_PRIORITY | OPT_ATTAINMENT |
                                   OPT_STRICT)) == 0 &&
             o->quantiles < lengthof(quantile_modes) &&
             (o->durations >> CM_TABLE_DURATION_COUNT) == 0 &&
             (o->quantile_durations >> CM_TABLE_DURATION_COUNT) == 0 &&
             ((o->flags & OPT_CALENDAR) != 0 || o->calendar_len == 0) &&
             ((o->flags & OPT_POLICY) != 0 || o->policy_len == 0);
    }
    if (!ok)
        pgcm_check(CM_EPARSE, what, "%zu bytes: not a serialized cm_report (corrupt or truncated)",
                   len);
    *engine = p + 12 + hlen + 4;
    *engine_len = len - (12 + (size_t)hlen + 4);
}

/* The state as bytes (its block folded first). */
static bytea *state_bytes(report_state *s, const char *what)
{
    fold(s, what);
    const uint8 *engine = s->pending;
    size_t elen = s->pending_len;
    if (s->rep != NULL || engine == NULL) {
        ensure_room(s, 0, what);
        const cm_status st = cm_table_report_serialize(s->rep, NULL, 0, &elen);
        if (st != CM_ENOSPC)
            pgcm_check(st == CM_OK ? CM_EINVAL : st, what, "measuring the report's bytes");
        engine = NULL;
    }
    const size_t hs = header_size(&s->opts);
    if (elen > MaxAllocSize - VARHDRSZ - hs)
        pgcm_check(CM_EOVERFLOW, what,
                   "the report takes %zu bytes, more than a value can hold (1 GB): "
                   "use quantiles => 'sketch' or fewer quantile_durations",
                   elen);
    bytea *out = palloc(VARHDRSZ + hs + elen);
    SET_VARSIZE(out, VARHDRSZ + hs + elen);
    uint8 *p = (uint8 *)VARDATA(out);
    write_header(&s->opts, s->bound + s->pending_bound, p);
    if (engine != NULL) {
        memcpy(p + hs, engine, elen);
    } else {
        size_t n = 0;
        pgcm_check(cm_table_report_serialize(s->rep, p + hs, elen, &n), what, NULL);
    }
    return out;
}

/* A state made from bytes: its header checked, the engine's bytes kept to be
 * merged when the report is needed. */
static report_state *state_from_bytes(const uint8 *p, size_t len, MemoryContext ctx,
                                      const char *what)
{
    report_opts o;
    uint64 bound;
    const uint8 *engine;
    size_t elen;
    read_header(p, len, &o, &bound, &engine, &elen, what);
    report_state *s = state_new(ctx, &o, what);
    s->pending = MemoryContextAllocHuge(ctx, Max(elen, 1));
    memcpy(s->pending, engine, elen);
    s->pending_len = elen;
    s->pending_bound = bound;
    return s;
}

static void different_options(const char *what)
{
    ereport(ERROR,
            (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
             errmsg("%s: the reports were made with different options", what),
             errdetail("Reports merge only when their options, calendar and policy are equal.")));
}

/* Adds report bytes (from state_bytes()) into a state. */
static void merge_bytes_into(report_state *s, const uint8 *p, size_t len, const char *what)
{
    report_opts o;
    uint64 bound;
    const uint8 *engine;
    size_t elen;
    read_header(p, len, &o, &bound, &engine, &elen, what);
    if (!opts_equal(&o, &s->opts))
        different_options(what);
    fold(s, what);
    ensure_room(s, bound, what);
    pgcm_check(with_room(s, op_merge_bytes, engine, elen, what), what,
               "%zu bytes of a serialized report", elen);
    s->bound += bound;
}

/* Adds state b into state a. */
static void merge_into(report_state *a, report_state *b, const char *what)
{
    if (!opts_equal(&a->opts, &b->opts))
        different_options(what);
    fold(b, what);
    fold(a, what);
    if (b->rep == NULL && b->pending != NULL) {
        ensure_room(a, b->pending_bound, what);
        pgcm_check(with_room(a, op_merge_bytes, b->pending, b->pending_len, what), what,
                   "%zu bytes of a serialized report", b->pending_len);
        a->bound += b->pending_bound;
        return;
    }
    if (b->rep == NULL)
        return;
    ensure_room(b, 0, what);
    ensure_room(a, b->bound, what);
    pgcm_check(with_room(a, op_merge, b->rep, 0, what), what, "merging two partial reports");
    a->bound += b->bound;
}

/* ---- support functions --------------------------------------------------------------------------- */

PG_FUNCTION_INFO_V1(pgcm_report_combine);
Datum pgcm_report_combine(PG_FUNCTION_ARGS)
{
    const char *what = "cm_report_combine";
    MemoryContext ctx = pgcm_agg_context(fcinfo, what);
    report_state *a = state_arg(fcinfo, 0);
    report_state *b = state_arg(fcinfo, 1);
    if (b == NULL) {
        if (a == NULL)
            PG_RETURN_NULL();
        PG_RETURN_POINTER(a);
    }
    if (a == NULL) {
        if (b->ctx == ctx)
            PG_RETURN_POINTER(b); /* it already lives where the aggregate keeps its state */
        a = state_new(ctx, &b->opts, what);
    }
    merge_into(a, b, "cm_report");
    PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(pgcm_report_serialize);
Datum pgcm_report_serialize(PG_FUNCTION_ARGS)
{
    (void)pgcm_agg_context(fcinfo, "cm_report_serialize");
    report_state *s = state_arg(fcinfo, 0);
    if (s == NULL)
        PG_RETURN_NULL();
    PG_RETURN_BYTEA_P(state_bytes(s, "cm_report"));
}

PG_FUNCTION_INFO_V1(pgcm_report_deserialize);
Datum pgcm_report_deserialize(PG_FUNCTION_ARGS)
{
    MemoryContext ctx = pgcm_agg_context(fcinfo, "cm_report_deserialize");
    bytea *b = PG_GETARG_BYTEA_PP(0);
    PG_RETURN_POINTER(
        state_from_bytes((const uint8 *)VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), ctx, "cm_report"));
}

/* ---- results ---------------------------------------------------------------------------------------- */

/* The composite being filled. */
typedef struct out {
    Datum *v;
    bool *n;
    int i, cap;
} out;

static void o_null(out *o, int k)
{
    for (int j = 0; j < k && o->i < o->cap; j++, o->i++) {
        o->v[o->i] = (Datum)0;
        o->n[o->i] = true;
    }
}

static void o_datum(out *o, Datum d)
{
    if (o->i < o->cap) {
        o->v[o->i] = d;
        o->n[o->i] = false;
    }
    o->i++;
}

static void o_count(out *o, uint64 x)
{
    o_datum(o, Int64GetDatum(pgcm_count(x, "cm_report")));
}

static void o_f8(out *o, double x)
{
    o_datum(o, Float8GetDatum(x));
}

static void o_time(out *o, cm_time t)
{
    if (t == CM_TABLE_NO_TIME)
        o_null(o, 1);
    else
        o_datum(o, TimestampTzGetDatum(pgcm_timestamptz(t)));
}

/* CM_ENODATA: the KPI's fields are NULL; other errors raise. */
static bool have(cm_status st, const char *kpi)
{
    if (st == CM_ENODATA)
        return false;
    pgcm_check(st, "cm_report", "%s", kpi);
    return true;
}

static void o_rate(out *o, const cm_table_report *r, uint32 kpi, double conf, const char *name)
{
    cm_proportion p;
    if (!have(cm_table_report_rate(r, 0, kpi, conf, &p), name)) {
        o_null(o, 5);
        return;
    }
    o_count(o, p.num);
    o_count(o, p.den);
    o_f8(o, p.value);
    o_f8(o, p.lo);
    o_f8(o, p.hi);
}

static void o_duration(out *o, const cm_table_report *r, uint32 metric)
{
    cm_table_duration d;
    if (!have(cm_table_report_duration(r, 0, metric, &d), duration_names[metric])) {
        o_null(o, 8);
        return;
    }
    o_count(o, d.n);
    o_datum(o, Int64GetDatum((int64)d.total_seconds)); /* a sum of whole seconds */
    o_f8(o, d.mean_seconds);
    o_datum(o, Int64GetDatum((int64)d.min_seconds));
    o_datum(o, Int64GetDatum((int64)d.max_seconds));
    for (uint32 q = 0; q < lengthof(QUANTILES); q++) {
        if (q < d.nquantiles)
            o_f8(o, d.quantiles[q]);
        else
            o_null(o, 1);
    }
}

static void o_within(out *o, const cm_table_report *r, uint32 priority, double conf)
{
    cm_proportion p;
    if (!have(cm_table_report_reply_within(r, 0, priority, conf, &p), "reply within target")) {
        o_null(o, 3);
        return;
    }
    o_count(o, p.num);
    o_count(o, p.den);
    o_f8(o, p.value);
}

/* Fields of cm_report_result. */
#define RESULT_FIELDS 98

/* The cm_report_result of a settled, finished report. */
static Datum result_row(FunctionCallInfo fcinfo, const report_state *s)
{
    const cm_table_report *r = s->rep;
    const double conf = s->opts.confidence;
    TupleDesc desc;
    if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE ||
        desc->natts != RESULT_FIELDS)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("cm_report: the result type does not match")));
    desc = BlessTupleDesc(desc);
    Datum v[RESULT_FIELDS];
    bool n[RESULT_FIELDS];
    out o = {v, n, 0, RESULT_FIELDS};
    /* Counts. */
    cm_table_counts c;
    uint64 bad = 0;
    pgcm_check(cm_table_report_counts(r, 0, &c), "cm_report", NULL);
    pgcm_check(cm_table_report_rows(r, NULL, &bad, NULL, 0, NULL), "cm_report", NULL);
    o_count(&o, c.rows);
    o_count(&o, bad);
    o_count(&o, c.tickets);
    o_count(&o, c.abandoned);
    o_count(&o, c.replied);
    o_count(&o, c.solved);
    o_time(&o, c.first_created);
    o_time(&o, c.last_created);
    /* Surveys. */
    cm_csat_summary cs;
    if (have(cm_table_report_csat(r, 0, conf, &cs), "csat")) {
        o_count(&o, cs.satisfied.den);
        o_count(&o, cs.satisfied.num);
        o_f8(&o, cs.satisfied.value);
        o_f8(&o, cs.satisfied.lo);
        o_f8(&o, cs.satisfied.hi);
        o_f8(&o, cs.mean);
    } else {
        o_null(&o, 6);
    }
    cm_nps_summary ns;
    if (have(cm_table_report_nps(r, 0, conf, &ns), "nps")) {
        o_count(&o, ns.n);
        o_count(&o, ns.promoters);
        o_count(&o, ns.passives);
        o_count(&o, ns.detractors);
        o_f8(&o, ns.score);
        o_f8(&o, ns.lo);
        o_f8(&o, ns.hi);
    } else {
        o_null(&o, 7);
    }
    cm_ces_summary es;
    if (have(cm_table_report_ces(r, 0, conf, &es), "ces")) {
        o_count(&o, es.n);
        o_f8(&o, es.mean);
        o_f8(&o, es.lo);
        o_f8(&o, es.hi);
        o_f8(&o, es.easy.value);
    } else {
        o_null(&o, 5);
    }
    /* Rates. */
    o_rate(&o, r, CM_TABLE_FCR, conf, "fcr");
    o_rate(&o, r, CM_TABLE_REOPEN, conf, "reopen");
    o_rate(&o, r, CM_TABLE_ESCALATION, conf, "escalation");
    o_rate(&o, r, CM_TABLE_ABANDONMENT, conf, "abandonment");
    /* Durations. */
    for (uint32 m = 0; m < CM_TABLE_DURATION_COUNT; m++)
        o_duration(&o, r, m);
    if (s->opts.quantiles == CM_TABLE_QUANTILES_NONE)
        o_null(&o, 1);
    else
        o_datum(&o, BoolGetDatum(s->opts.quantiles == CM_TABLE_QUANTILES_EXACT));
    /* Handle time and real-time contacts. */
    o_count(&o, c.handled);
    o_f8(&o, c.handle_seconds);
    cm_contact ct;
    double sl, asa;
    const bool contacts = have(cm_table_report_contact(r, 0, &ct), "contacts");
    if (contacts &&
        have(cm_contact_service_level(&ct, CM_SL_ABANDONS_AGAINST, &sl), "service level"))
        o_f8(&o, sl);
    else
        o_null(&o, 1);
    if (contacts && have(cm_contact_asa(&ct, &asa), "asa"))
        o_f8(&o, asa);
    else
        o_null(&o, 1);
    /* First replies within their SLA target: all priorities, then urgent .. low. */
    o_within(&o, r, CM_SLA_PRIORITY_ALL, conf);
    for (uint32 p = CM_SLA_PRIORITY_URGENT; p >= CM_SLA_PRIORITY_LOW; p--)
        o_within(&o, r, p, conf);
    if (o.i != RESULT_FIELDS)
        ereport(ERROR,
                (errcode(ERRCODE_INTERNAL_ERROR),
                 errmsg("cm_report: %d result fields, the type has %d", o.i, RESULT_FIELDS)));
    return HeapTupleGetDatum(heap_form_tuple(desc, v, n));
}

static void finish(report_state *s, const char *what)
{
    settle(s, what);
    pgcm_check(cm_table_report_finish(s->rep), what, NULL);
}

/* cm_report(...) -> cm_report_result */
PG_FUNCTION_INFO_V1(pgcm_report_final);
Datum pgcm_report_final(PG_FUNCTION_ARGS)
{
    (void)pgcm_agg_context(fcinfo, "cm_report_final");
    report_state *s = state_arg(fcinfo, 0);
    if (s == NULL)
        PG_RETURN_NULL();
    finish(s, what_report);
    return result_row(fcinfo, s);
}

/* cm_report_state(...), cm_report_merge(cm_report_state) -> cm_report_state */
PG_FUNCTION_INFO_V1(pgcm_report_state_final);
Datum pgcm_report_state_final(PG_FUNCTION_ARGS)
{
    (void)pgcm_agg_context(fcinfo, "cm_report_state_final");
    report_state *s = state_arg(fcinfo, 0);
    if (s == NULL)
        PG_RETURN_NULL();
    PG_RETURN_BYTEA_P(state_bytes(s, what_report));
}

/* cm_report_merge(cm_report_state): reports of groups, days or shards into one. */
PG_FUNCTION_INFO_V1(pgcm_report_merge_trans);
Datum pgcm_report_merge_trans(PG_FUNCTION_ARGS)
{
    const char *what = "cm_report_merge";
    MemoryContext ctx = pgcm_agg_context(fcinfo, what);
    report_state *s = state_arg(fcinfo, 0);
    if (PG_ARGISNULL(1)) {
        if (s == NULL)
            PG_RETURN_NULL();
        PG_RETURN_POINTER(s);
    }
    bytea *b = PG_GETARG_BYTEA_PP(1);
    const uint8 *p = (const uint8 *)VARDATA_ANY(b);
    const size_t len = VARSIZE_ANY_EXHDR(b);
    if (s == NULL) {
        s = state_from_bytes(p, len, ctx, what);
        ensure_room(s, 0, what); /* checks the bytes now */
    } else {
        merge_bytes_into(s, p, len, what);
    }
    PG_RETURN_POINTER(s);
}

/* ---- the cm_report_state type ---------------------------------------------------------------------- */

/* A state made from a cm_report_state value in a temporary context, checked
 * completely; `body` runs while it lives. */
typedef Datum (*state_body)(FunctionCallInfo fcinfo, report_state *s, const char *what);

static Datum with_state(FunctionCallInfo fcinfo, bytea *b, const char *what, state_body body)
{
    /* AllocSetContextCreate() without its macro, whose compile-time check uses a
     * GNU statement expression. */
    MemoryContext tmp = AllocSetContextCreateInternal(CurrentMemoryContext, "cm_report_state",
                                                      ALLOCSET_DEFAULT_SIZES);
    report_state *s =
        state_from_bytes((const uint8 *)VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), tmp, what);
    ensure_room(s, 0, what);
    const Datum d = body(fcinfo, s, what);
    MemoryContextDelete(tmp);
    return d;
}

static Datum checked(FunctionCallInfo fcinfo, report_state *s, const char *what)
{
    (void)fcinfo;
    (void)s;
    (void)what;
    return (Datum)0;
}

static Datum checked_bytes(FunctionCallInfo fcinfo, Datum bytes, const char *what)
{
    bytea *b = DatumGetByteaPP(bytes);
    (void)with_state(fcinfo, b, what, checked);
    return PointerGetDatum(b);
}

PG_FUNCTION_INFO_V1(pgcm_report_state_in);
Datum pgcm_report_state_in(PG_FUNCTION_ARGS)
{
    return checked_bytes(fcinfo, DirectFunctionCall1(byteain, PG_GETARG_DATUM(0)),
                         "cm_report_state_in");
}

PG_FUNCTION_INFO_V1(pgcm_report_state_recv);
Datum pgcm_report_state_recv(PG_FUNCTION_ARGS)
{
    return checked_bytes(fcinfo, DirectFunctionCall1(bytearecv, PG_GETARG_DATUM(0)),
                         "cm_report_state_recv");
}

PG_FUNCTION_INFO_V1(pgcm_report_state_from_bytea);
Datum pgcm_report_state_from_bytea(PG_FUNCTION_ARGS)
{
    return checked_bytes(fcinfo, PG_GETARG_DATUM(0), "cm_report_state");
}

static Datum result_body(FunctionCallInfo fcinfo, report_state *s, const char *what)
{
    pgcm_check(cm_table_report_finish(s->rep), what, NULL);
    return result_row(fcinfo, s);
}

/* cm_report_result(cm_report_state) -> cm_report_result */
PG_FUNCTION_INFO_V1(pgcm_report_result);
Datum pgcm_report_result(PG_FUNCTION_ARGS)
{
    return with_state(fcinfo, PG_GETARG_BYTEA_PP(0), "cm_report_result", result_body);
}

static Datum sla_body(FunctionCallInfo fcinfo, report_state *s, const char *what)
{
    const char *metric_name = text_to_cstring(PG_GETARG_TEXT_PP(1));
    const char *priority_name = text_to_cstring(PG_GETARG_TEXT_PP(2));
    uint32 metric = UINT32_MAX;
    if (strcmp(metric_name, cm_sla_metric_name(CM_SLA_FIRST_REPLY)) == 0)
        metric = CM_SLA_FIRST_REPLY;
    else if (strcmp(metric_name, cm_sla_metric_name(CM_SLA_TOTAL_RESOLUTION)) == 0)
        metric = CM_SLA_TOTAL_RESOLUTION;
    if (metric == UINT32_MAX)
        pgcm_check(CM_EINVAL, what, "unknown metric \"%s\" (%s or %s)", metric_name,
                   cm_sla_metric_name(CM_SLA_FIRST_REPLY),
                   cm_sla_metric_name(CM_SLA_TOTAL_RESOLUTION));
    int priority = strcmp(priority_name, "all") == 0
                       ? CM_SLA_PRIORITY_ALL
                       : priority_level(priority_name, strlen(priority_name));
    if (priority < 0 || priority == CM_SLA_PRIORITY_NONE)
        pgcm_check(CM_EINVAL, what, "unknown priority \"%s\" (all, %s, %s, %s or %s)",
                   priority_name, cm_sla_priority_name(1), cm_sla_priority_name(2),
                   cm_sla_priority_name(3), cm_sla_priority_name(4));
    pgcm_check(cm_table_report_finish(s->rep), what, NULL);
    cm_table_sla t;
    const cm_status st =
        cm_table_report_sla(s->rep, 0, metric, (uint32)priority, s->opts.confidence, &t);
    if (st == CM_ENODATA)
        return (Datum)0;
    pgcm_check(st, what, "metric %s, priority %s", metric_name, priority_name);
    /* (achieved, breached, open, value, lo, hi, mean_seconds, target_seconds, business) */
    Datum v[9] = {Int64GetDatum(pgcm_count(t.achieved, what)),
                  Int64GetDatum(pgcm_count(t.breached, what)),
                  Int64GetDatum(pgcm_count(t.open, what)),
                  Float8GetDatum(t.attained.value),
                  Float8GetDatum(t.attained.lo),
                  Float8GetDatum(t.attained.hi),
                  Float8GetDatum(t.mean_seconds),
                  Int64GetDatum(t.target_seconds),
                  BoolGetDatum(t.business)};
    bool n[9] = {false};
    /* All priorities together have no one target. */
    n[7] = priority == CM_SLA_PRIORITY_ALL;
    n[8] = priority == CM_SLA_PRIORITY_ALL;
    return pgcm_row(fcinfo, v, n);
}

/* cm_report_sla(cm_report_state, metric text, priority text) -> cm_report_sla */
PG_FUNCTION_INFO_V1(pgcm_report_sla);
Datum pgcm_report_sla(PG_FUNCTION_ARGS)
{
    const Datum d = with_state(fcinfo, PG_GETARG_BYTEA_PP(0), "cm_report_sla", sla_body);
    if (d == (Datum)0)
        PG_RETURN_NULL();
    return d;
}

static Datum bad_rows_body(FunctionCallInfo fcinfo, report_state *s, const char *what)
{
    ReturnSetInfo *rsinfo = (ReturnSetInfo *)fcinfo->resultinfo;
    cm_table_bad_row kept[CM_TABLE_BAD_ROWS_KEPT];
    size_t n = 0;
    pgcm_check(cm_table_report_rows(s->rep, NULL, NULL, kept, lengthof(kept), &n), what, NULL);
    for (size_t i = 0; i < n; i++) {
        Datum v[4] = {Int64GetDatum((int64)Min(kept[i].row, (uint64)PG_INT64_MAX)),
                      CStringGetTextDatum(kept[i].column), CStringGetTextDatum(kept[i].value),
                      CStringGetTextDatum(kept[i].expected)};
        bool nulls[4] = {false};
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
    }
    return (Datum)0;
}

/* cm_report_bad_rows(cm_report_state) -> SETOF (row, column, value, expected) */
PG_FUNCTION_INFO_V1(pgcm_report_bad_rows);
Datum pgcm_report_bad_rows(PG_FUNCTION_ARGS)
{
    InitMaterializedSRF(fcinfo, 0);
    (void)with_state(fcinfo, PG_GETARG_BYTEA_PP(0), "cm_report_bad_rows", bad_rows_body);
    return (Datum)0;
}
