/*
 * PostgreSQL extension: errors, time conversion, the per-backend cache of
 * parsed calendars and policies, and the module's entry points.
 * SPDX-License-Identifier: MIT
 */
#include "pgcm.h"

#include "access/htup_details.h"
#include "common/hashfn.h"
#include "funcapi.h"
#include "nodes/execnodes.h"
#include "storage/ipc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include <stdarg.h>
#include <stdio.h>

PG_MODULE_MAGIC;

/* The SQLSTATE of each library status. */
static int sqlstate(cm_status st)
{
    switch (st) {
    case CM_ERANGE:
    case CM_EOVERFLOW:
        return ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
    case CM_EPARSE:
        return ERRCODE_INVALID_TEXT_REPRESENTATION;
    case CM_ENOTFOUND:
        return ERRCODE_UNDEFINED_OBJECT;
    case CM_ENOMEM:
        return ERRCODE_OUT_OF_MEMORY;
    case CM_ENODATA:
    case CM_EUNSTABLE:
    case CM_EINVAL:
        return ERRCODE_INVALID_PARAMETER_VALUE;
    default:
        return ERRCODE_INTERNAL_ERROR;
    }
}

void pgcm_check(cm_status st, const char *what, const char *detail, ...)
{
    if (st == CM_OK)
        return;
    char buf[256] = "";
    if (detail != NULL) {
        va_list ap;
        va_start(ap, detail);
        vsnprintf(buf, sizeof buf, detail, ap);
        va_end(ap);
    }
    ereport(ERROR,
            (errcode(sqlstate(st)), errmsg("%s: %s: %s", what, cm_status_name(st), cm_strerror(st)),
             buf[0] != '\0' ? errdetail("%s", buf) : 0));
}

void pgcm_check_parse(cm_status st, const char *what, const cm_parse_error *err)
{
    if (st == CM_EPARSE && err->message != NULL)
        pgcm_check(st, what, "line %u, column %u: %s", err->line, err->column, err->message);
    pgcm_check(st, what, NULL);
}

cm_time pgcm_time(TimestampTz ts, const char *what, const char *arg)
{
    cm_time t = 0;
    if (!pgcm_time_finite(ts, &t))
        pgcm_check(CM_ERANGE, what, "%s is infinite", arg);
    return t;
}

TimestampTz pgcm_timestamptz(cm_time t)
{
    /* Every instant the library returns lies in the years 1..9999: no overflow. */
    return (t - PGCM_EPOCH_SECONDS) * USECS_PER_SEC;
}

Datum pgcm_row(FunctionCallInfo fcinfo, Datum *values, bool *nulls)
{
    TupleDesc desc;
    if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("function returning a record called in a context that cannot "
                               "accept one")));
    desc = BlessTupleDesc(desc);
    return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
}

int64 pgcm_count(uint64_t n, const char *what)
{
    if (n > (uint64_t)PG_INT64_MAX)
        pgcm_check(CM_EOVERFLOW, what, "a count of %llu does not fit bigint",
                   (unsigned long long)n);
    return (int64)n;
}

MemoryContext pgcm_agg_context(FunctionCallInfo fcinfo, const char *what)
{
    MemoryContext ctx;
    if (!AggCheckCallContext(fcinfo, &ctx))
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("%s called in non-aggregate context", what)));
    return ctx;
}

bytea *pgcm_bytea(const uint8_t *data, size_t len)
{
    bytea *out = (bytea *)palloc(VARHDRSZ + len);
    SET_VARSIZE(out, VARHDRSZ + len);
    memcpy(VARDATA(out), data, len);
    return out;
}

/* ---- the cache of parsed calendars and policies ---------------------------------- */

/*
 * A small array searched linearly: a backend uses a handful of calendars and
 * policies. Each entry owns a copy of its text (in TopMemoryContext) and the
 * object the library parsed from it (malloc'd by the library). When the cache
 * is full the least recently used entry is freed with the library's _free.
 * Generations let call sites that remembered an entry notice that it was
 * replaced. An entry held by pgcm_parsed_hold() (a report that keeps a pointer
 * to its calendar across calls) is never evicted while held.
 */
#define CACHE_SIZE 16

typedef struct entry {
    uint64 generation; /* 0: empty */
    uint64 used;       /* tick of the last use */
    uint64 holds;      /* pgcm_parsed_hold() holders: never evicted while > 0 */
    bool forgotten;    /* dropped by cm_cache_reset() while held: freed when released */
    pgcm_kind kind;
    uint32 hash;
    size_t len;
    char *text;
    void *object;
} entry;

static entry cache[CACHE_SIZE];
static entry *last[2]; /* the entry of each kind used last: rows often repeat it */
static uint64 generations, ticks;

static void free_object(pgcm_kind kind, void *object)
{
    if (kind == PGCM_CALENDAR)
        cm_calendar_free(object);
    else
        cm_sla_policy_free(object);
}

static void clear_entry(entry *e)
{
    if (e->generation == 0)
        return;
    free_object(e->kind, e->object);
    pfree(e->text);
    if (last[e->kind] == e)
        last[e->kind] = NULL;
    memset(e, 0, sizeof *e);
}

/* Forgets every entry; a held one (see pgcm_parsed_hold()) is only hidden from
 * lookups, and freed when its last holder releases it. */
static int cache_forget(void)
{
    int n = 0;
    for (int i = 0; i < CACHE_SIZE; i++) {
        entry *e = &cache[i];
        if (e->generation == 0 || e->forgotten)
            continue;
        n++;
        if (e->holds == 0) {
            clear_entry(e);
        } else {
            e->forgotten = true;
            if (last[e->kind] == e)
                last[e->kind] = NULL;
        }
    }
    return n;
}

/* At the end of the process everything goes, held or not. */
static void cache_clear(int code, Datum arg)
{
    (void)code;
    (void)arg;
    for (int i = 0; i < CACHE_SIZE; i++)
        clear_entry(&cache[i]);
}

void _PG_init(void);
void _PG_init(void)
{
    on_proc_exit(cache_clear, 0);
}

static cm_status parse(pgcm_kind kind, const char *text, void **object, cm_parse_error *err)
{
    cm_status st;
    if (kind == PGCM_CALENDAR) {
        cm_calendar *cal = NULL;
        st = cm_calendar_parse(text, &cal, err);
        *object = cal;
    } else {
        cm_sla_policy *policy = NULL;
        st = cm_sla_policy_parse(text, &policy, err);
        *object = policy;
    }
    return st;
}

static entry *lookup(pgcm_kind kind, const char *text, size_t len, const char *what)
{
    entry *l = last[kind];
    if (l != NULL && l->len == len && memcmp(l->text, text, len) == 0) {
        l->used = ++ticks;
        return l;
    }
    if (len > (size_t)MaxAllocSize - 1)
        pgcm_check(CM_EINVAL, what, "the text is too long");
    const uint32 h = hash_bytes((const unsigned char *)text, (int)len);
    for (int i = 0; i < CACHE_SIZE; i++) {
        entry *e = &cache[i];
        if (e->generation != 0 && !e->forgotten && e->kind == kind && e->hash == h &&
            e->len == len && memcmp(e->text, text, len) == 0) {
            e->used = ++ticks;
            last[kind] = e;
            return e;
        }
    }
    /* A miss: the text, NUL-terminated, in TopMemoryContext first, so that
     * nothing can fail between the library's allocation and its entry. */
    if (memchr(text, '\0', len) != NULL)
        pgcm_check(CM_EINVAL, what, "the text contains a NUL character");
    char *copy = MemoryContextAlloc(TopMemoryContext, len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    cm_parse_error err = {0};
    void *object = NULL;
    const cm_status st = parse(kind, copy, &object, &err);
    if (st != CM_OK) {
        pfree(copy);
        pgcm_check_parse(st, what, &err);
    }
    /* The least recently used entry nobody holds: at most MAX_HELD are held. */
    entry *victim = NULL;
    for (int i = 0; i < CACHE_SIZE; i++) {
        if (cache[i].generation == 0) {
            victim = &cache[i];
            break;
        }
        if (cache[i].holds == 0 && (victim == NULL || cache[i].used < victim->used))
            victim = &cache[i];
    }
    Assert(victim != NULL);
    clear_entry(victim);
    victim->generation = ++generations;
    victim->used = ++ticks;
    victim->kind = kind;
    victim->hash = h;
    victim->len = len;
    victim->text = copy;
    victim->object = object;
    last[kind] = victim;
    return victim;
}

const void *pgcm_parsed(pgcm_kind kind, const char *text, size_t len, const char *what)
{
    return lookup(kind, text, len, what)->object;
}

/* ---- holding a parsed object for the life of a memory context ---------------------- */

/* Cache entries held at once; the others stay free for eviction. Past this, a
 * holder gets its own parsed copy. */
#define MAX_HELD (CACHE_SIZE / 2)

static int held_entries;

typedef struct hold {
    MemoryContextCallback cb;
    pgcm_kind kind;
    entry *e; /* the cache entry held, or NULL */
    uint64 generation;
    void *own; /* the holder's own object when too many entries are held */
} hold;

static void release(void *arg)
{
    hold *h = arg;
    if (h->own != NULL) {
        free_object(h->kind, h->own);
        return;
    }
    entry *e = h->e;
    if (e->generation != h->generation || e->holds == 0)
        return; /* cleared at the end of the process */
    if (--e->holds == 0) {
        held_entries--;
        if (e->forgotten)
            clear_entry(e);
    }
}

const void *pgcm_parsed_hold(pgcm_kind kind, const char *text, size_t len, const char *what,
                             MemoryContext ctx)
{
    hold *h = MemoryContextAllocZero(ctx, sizeof(hold));
    entry *e = lookup(kind, text, len, what);
    h->kind = kind;
    if (e->holds == 0 && held_entries >= MAX_HELD) {
        cm_parse_error err = {0};
        /* The same text parsed before: only memory can fail. */
        pgcm_check(parse(kind, e->text, &h->own, &err), what, NULL);
    } else {
        if (e->holds++ == 0)
            held_entries++;
        h->e = e;
        h->generation = e->generation;
    }
    h->cb.func = release;
    h->cb.arg = h;
    MemoryContextRegisterResetCallback(ctx, &h->cb);
    return h->own != NULL ? h->own : e->object;
}

/* What a call site remembers of its constant arguments (fn_extra). */
#define MAX_REMEMBERED 6

typedef struct slot {
    entry *e;
    uint64 generation;
} slot;

typedef struct remembered {
    int count[MAX_REMEMBERED]; /* -1: not remembered */
    slot s[MAX_REMEMBERED][PGCM_MAX_CALENDARS];
} remembered;

/* The call site's memory of argument argno, when that argument is a constant. */
static remembered *memory_of(FunctionCallInfo fcinfo, int argno)
{
    FmgrInfo *fl = fcinfo->flinfo;
    if (argno >= MAX_REMEMBERED || fl == NULL || !get_fn_expr_arg_stable(fl, argno))
        return NULL;
    if (fl->fn_extra == NULL) {
        remembered *r = MemoryContextAllocZero(fl->fn_mcxt, sizeof(remembered));
        for (int i = 0; i < MAX_REMEMBERED; i++)
            r->count[i] = -1;
        fl->fn_extra = r;
    }
    return fl->fn_extra;
}

/* Whether every remembered entry of argno is still in the cache. */
static bool still_valid(const remembered *r, int argno, pgcm_kind kind)
{
    if (r == NULL || r->count[argno] < 0)
        return false;
    for (int i = 0; i < r->count[argno]; i++) {
        const slot *sl = &r->s[argno][i];
        if (sl->e != NULL &&
            (sl->e->generation != sl->generation || sl->e->kind != kind || sl->e->forgotten))
            return false;
    }
    for (int i = 0; i < r->count[argno]; i++)
        if (r->s[argno][i].e != NULL)
            r->s[argno][i].e->used = ++ticks;
    return true;
}

static void remember(remembered *r, int argno, int i, entry *e)
{
    if (r == NULL)
        return;
    r->s[argno][i].e = e;
    r->s[argno][i].generation = e != NULL ? e->generation : 0;
}

const void *pgcm_parsed_arg(FunctionCallInfo fcinfo, int argno, pgcm_kind kind, const char *what)
{
    remembered *r = memory_of(fcinfo, argno);
    if (still_valid(r, argno, kind) && r->count[argno] == 1)
        return r->s[argno][0].e->object;
    text *t = PG_GETARG_TEXT_PP(argno);
    entry *e = lookup(kind, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), what);
    if (r != NULL) {
        remember(r, argno, 0, e);
        r->count[argno] = 1;
    }
    return e->object;
}

void pgcm_parsed_array(FunctionCallInfo fcinfo, int argno, pgcm_kind kind, const char *what,
                       const void **out, int max, int *n)
{
    remembered *r = memory_of(fcinfo, argno);
    if (still_valid(r, argno, kind)) {
        for (int i = 0; i < r->count[argno]; i++)
            out[i] = r->s[argno][i].e != NULL ? r->s[argno][i].e->object : NULL;
        *n = r->count[argno];
        return;
    }
    ArrayType *a = PG_GETARG_ARRAYTYPE_P(argno);
    if (ARR_NDIM(a) > 1)
        pgcm_check(CM_EINVAL, what, "the calendars must be a one-dimensional array");
    Datum *elems;
    bool *nulls;
    int count;
    deconstruct_array(a, ARR_ELEMTYPE(a), -1, false, TYPALIGN_INT, &elems, &nulls, &count);
    if (count > max)
        pgcm_check(CM_EINVAL, what, "%d calendars; at most %d in one call", count, max);
    if (r != NULL)
        r->count[argno] = -1; /* until every element is resolved */
    for (int i = 0; i < count; i++) {
        entry *e = NULL;
        if (!nulls[i]) {
            text *t = DatumGetTextPP(elems[i]);
            e = lookup(kind, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), what);
        }
        remember(r, argno, i, e);
        out[i] = e != NULL ? e->object : NULL;
    }
    if (r != NULL)
        r->count[argno] = count;
    *n = count;
}

/* cm_cache_reset(): forgets every parsed calendar and policy of this backend,
 * so that the next use reads the time-zone files again. */
PG_FUNCTION_INFO_V1(pgcm_cache_reset);
Datum pgcm_cache_reset(PG_FUNCTION_ARGS)
{
    (void)fcinfo;
    PG_RETURN_INT32(cache_forget());
}

/* cm_version(): the version of the library the extension runs on. */
PG_FUNCTION_INFO_V1(pgcm_version);
Datum pgcm_version(PG_FUNCTION_ARGS)
{
    (void)fcinfo;
    PG_RETURN_TEXT_P(cstring_to_text(cm_version_string()));
}
