/*
 * PostgreSQL extension: Erlang C queueing formulas and staffing.
 * SPDX-License-Identifier: MIT
 */
#include "pgcm.h"

/* An agents argument as the library's uint32 (negative values are refused). */
static uint32_t agents_arg(FunctionCallInfo fcinfo, int argno, const char *what)
{
    const int32 n = PG_GETARG_INT32(argno);
    if (n < 0)
        pgcm_check(CM_EINVAL, what, "agents = %d is negative", n);
    return (uint32_t)n;
}

/* cm_erlang_c(traffic float8, agents int) -> float8: probability of waiting */
PG_FUNCTION_INFO_V1(pgcm_erlang_c);
Datum pgcm_erlang_c(PG_FUNCTION_ARGS)
{
    const double a = PG_GETARG_FLOAT8(0);
    const uint32_t n = agents_arg(fcinfo, 1, "cm_erlang_c");
    double pw;
    pgcm_check(cm_erlang_c(a, n, &pw), "cm_erlang_c", "traffic = %g Erlangs, agents = %u", a, n);
    PG_RETURN_FLOAT8(pw);
}

/* cm_erlang_b(traffic float8, agents int) -> float8: blocking probability */
PG_FUNCTION_INFO_V1(pgcm_erlang_b);
Datum pgcm_erlang_b(PG_FUNCTION_ARGS)
{
    const double a = PG_GETARG_FLOAT8(0);
    const uint32_t n = agents_arg(fcinfo, 1, "cm_erlang_b");
    double p;
    pgcm_check(cm_erlang_b(a, n, &p), "cm_erlang_b", "traffic = %g Erlangs, agents = %u", a, n);
    PG_RETURN_FLOAT8(p);
}

/* cm_service_level(traffic, agents, aht_seconds, target_seconds) -> float8 */
PG_FUNCTION_INFO_V1(pgcm_service_level);
Datum pgcm_service_level(PG_FUNCTION_ARGS)
{
    const double a = PG_GETARG_FLOAT8(0);
    const uint32_t n = agents_arg(fcinfo, 1, "cm_service_level");
    const double aht = PG_GETARG_FLOAT8(2), t = PG_GETARG_FLOAT8(3);
    double sl;
    pgcm_check(cm_erlang_service_level(a, n, aht, t, &sl), "cm_service_level",
               "traffic = %g Erlangs, agents = %u, aht_seconds = %g, target_seconds = %g", a, n,
               aht, t);
    PG_RETURN_FLOAT8(sl);
}

/* cm_erlang_asa(traffic, agents, aht_seconds) -> float8 seconds */
PG_FUNCTION_INFO_V1(pgcm_erlang_asa);
Datum pgcm_erlang_asa(PG_FUNCTION_ARGS)
{
    const double a = PG_GETARG_FLOAT8(0);
    const uint32_t n = agents_arg(fcinfo, 1, "cm_erlang_asa");
    const double aht = PG_GETARG_FLOAT8(2);
    double asa;
    pgcm_check(cm_erlang_asa(a, n, aht, &asa), "cm_erlang_asa",
               "traffic = %g Erlangs, agents = %u, aht_seconds = %g", a, n, aht);
    PG_RETURN_FLOAT8(asa);
}

/* cm_erlang_agents(traffic, aht_seconds, target_sl, target_seconds, max_occupancy) -> bigint */
PG_FUNCTION_INFO_V1(pgcm_erlang_agents);
Datum pgcm_erlang_agents(PG_FUNCTION_ARGS)
{
    const double a = PG_GETARG_FLOAT8(0), aht = PG_GETARG_FLOAT8(1);
    const double sl = PG_GETARG_FLOAT8(2), t = PG_GETARG_FLOAT8(3), occ = PG_GETARG_FLOAT8(4);
    uint32_t n;
    pgcm_check(cm_erlang_agents(a, aht, sl, t, occ, &n), "cm_erlang_agents",
               "traffic = %g Erlangs, aht_seconds = %g, target_sl = %g, target_seconds = %g, "
               "max_occupancy = %g",
               a, aht, sl, t, occ);
    PG_RETURN_INT64((int64)n);
}
