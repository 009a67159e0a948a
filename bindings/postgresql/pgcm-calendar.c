/*
 * PostgreSQL extension: business calendars (type cm_calendar, the text spec
 * checked on input) and business-time arithmetic.
 * SPDX-License-Identifier: MIT
 */
#include "pgcm.h"

#include "libpq/pqformat.h"
#include "utils/builtins.h"

/* ---- types whose value is a spec: cm_calendar and cm_sla_policy ----------------------- */

static const char *const type_name[] = {"cm_calendar", "cm_sla_policy"};

/* Parses (and caches) the text so that only valid specs are ever stored. */
static Datum checked_spec(text *t, pgcm_kind kind)
{
    (void)pgcm_parsed(kind, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), type_name[kind]);
    return PointerGetDatum(t);
}

static Datum spec_in(FunctionCallInfo fcinfo, pgcm_kind kind)
{
    return checked_spec(cstring_to_text(PG_GETARG_CSTRING(0)), kind);
}

static Datum spec_recv(FunctionCallInfo fcinfo, pgcm_kind kind)
{
    StringInfo buf = (StringInfo)PG_GETARG_POINTER(0);
    int n;
    char *s = pq_getmsgtext(buf, buf->len - buf->cursor, &n);
    return checked_spec(cstring_to_text_with_len(s, n), kind);
}

#define SPEC_TYPE(name, kind)                            \
    PG_FUNCTION_INFO_V1(pgcm_##name##_in);               \
    Datum pgcm_##name##_in(PG_FUNCTION_ARGS)             \
    {                                                    \
        return spec_in(fcinfo, kind);                    \
    }                                                    \
    PG_FUNCTION_INFO_V1(pgcm_##name##_recv);             \
    Datum pgcm_##name##_recv(PG_FUNCTION_ARGS)           \
    {                                                    \
        return spec_recv(fcinfo, kind);                  \
    }                                                    \
    PG_FUNCTION_INFO_V1(pgcm_##name##_from_text);        \
    Datum pgcm_##name##_from_text(PG_FUNCTION_ARGS)      \
    {                                                    \
        return checked_spec(PG_GETARG_TEXT_PP(0), kind); \
    }                                                    \
    extern int pgcm_no_such_variable_spec_##name

SPEC_TYPE(calendar, PGCM_CALENDAR);
SPEC_TYPE(policy, PGCM_POLICY);

/* ---- business-time arithmetic -------------------------------------------------------------- */

static const cm_calendar *calendar_arg(FunctionCallInfo fcinfo, const char *what)
{
    return pgcm_parsed_arg(fcinfo, 0, PGCM_CALENDAR, what);
}

/* cm_business_seconds(cal, a timestamptz, b timestamptz) -> bigint */
PG_FUNCTION_INFO_V1(pgcm_business_seconds);
Datum pgcm_business_seconds(PG_FUNCTION_ARGS)
{
    const char *what = "cm_business_seconds";
    const cm_calendar *cal = calendar_arg(fcinfo, what);
    const cm_time a = pgcm_time(PG_GETARG_TIMESTAMPTZ(1), what, "the start");
    const cm_time b = pgcm_time(PG_GETARG_TIMESTAMPTZ(2), what, "the end");
    int64_t out;
    pgcm_check(cm_calendar_elapsed(cal, a, b, &out), what, "from %lld to %lld (Unix seconds)",
               (long long)a, (long long)b);
    PG_RETURN_INT64(out);
}

static Datum business_add(FunctionCallInfo fcinfo, int64_t seconds)
{
    const char *what = "cm_business_add";
    const cm_calendar *cal = calendar_arg(fcinfo, what);
    const cm_time t = pgcm_time(PG_GETARG_TIMESTAMPTZ(1), what, "the start");
    cm_time out;
    pgcm_check(cm_calendar_add(cal, t, seconds, &out), what, "%lld business seconds from %lld",
               (long long)seconds, (long long)t);
    PG_RETURN_TIMESTAMPTZ(pgcm_timestamptz(out));
}

/* cm_business_add(cal, t timestamptz, seconds bigint) -> timestamptz */
PG_FUNCTION_INFO_V1(pgcm_business_add);
Datum pgcm_business_add(PG_FUNCTION_ARGS)
{
    return business_add(fcinfo, PG_GETARG_INT64(2));
}

/* cm_business_add(cal, t timestamptz, amount interval) -> timestamptz: hours,
 * minutes and seconds only, since a business day is whatever the calendar
 * says (as in the SLA policy format, which refuses days in business time). */
PG_FUNCTION_INFO_V1(pgcm_business_add_interval);
Datum pgcm_business_add_interval(PG_FUNCTION_ARGS)
{
    const Interval *iv = PG_GETARG_INTERVAL_P(2);
    if (iv->month != 0 || iv->day != 0)
        pgcm_check(CM_EINVAL, "cm_business_add",
                   "days are ambiguous in business time: write hours (8 hours for a 09-17 day), "
                   "or use cm_business_add_days");
    if (iv->time % USECS_PER_SEC != 0)
        pgcm_check(CM_EINVAL, "cm_business_add", "business time is counted in whole seconds");
    return business_add(fcinfo, iv->time / USECS_PER_SEC);
}

/* cm_business_add_days(cal, t timestamptz, days int) -> timestamptz */
PG_FUNCTION_INFO_V1(pgcm_business_add_days);
Datum pgcm_business_add_days(PG_FUNCTION_ARGS)
{
    const char *what = "cm_business_add_days";
    const cm_calendar *cal = calendar_arg(fcinfo, what);
    const cm_time t = pgcm_time(PG_GETARG_TIMESTAMPTZ(1), what, "the start");
    const int32 days = PG_GETARG_INT32(2);
    cm_time out;
    pgcm_check(cm_calendar_add_days(cal, t, days, &out), what, "%d business days from %lld", days,
               (long long)t);
    PG_RETURN_TIMESTAMPTZ(pgcm_timestamptz(out));
}

/* cm_is_open(cal, t timestamptz) -> bool */
PG_FUNCTION_INFO_V1(pgcm_is_open);
Datum pgcm_is_open(PG_FUNCTION_ARGS)
{
    const char *what = "cm_is_open";
    const cm_calendar *cal = calendar_arg(fcinfo, what);
    const cm_time t = pgcm_time(PG_GETARG_TIMESTAMPTZ(1), what, "the instant");
    bool out;
    pgcm_check(cm_calendar_is_open(cal, t, &out), what, "at %lld (Unix seconds)", (long long)t);
    PG_RETURN_BOOL(out);
}

typedef cm_status (*instant_fn)(const cm_calendar *, cm_time, cm_time *);

/* An instant from an instant; NULL when the calendar has none (CM_ENOTFOUND). */
static Datum next_instant(FunctionCallInfo fcinfo, instant_fn fn, const char *what)
{
    const cm_calendar *cal = calendar_arg(fcinfo, what);
    const cm_time t = pgcm_time(PG_GETARG_TIMESTAMPTZ(1), what, "the instant");
    cm_time out;
    const cm_status st = fn(cal, t, &out);
    if (st == CM_ENOTFOUND)
        PG_RETURN_NULL();
    pgcm_check(st, what, "at %lld (Unix seconds)", (long long)t);
    PG_RETURN_TIMESTAMPTZ(pgcm_timestamptz(out));
}

/* cm_next_open(cal, t timestamptz) -> timestamptz */
PG_FUNCTION_INFO_V1(pgcm_next_open);
Datum pgcm_next_open(PG_FUNCTION_ARGS)
{
    return next_instant(fcinfo, cm_calendar_next_open, "cm_next_open");
}

/* cm_next_close(cal, t timestamptz) -> timestamptz */
PG_FUNCTION_INFO_V1(pgcm_next_close);
Datum pgcm_next_close(PG_FUNCTION_ARGS)
{
    return next_instant(fcinfo, cm_calendar_next_close, "cm_next_close");
}
