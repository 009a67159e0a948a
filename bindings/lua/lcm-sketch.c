/*
 * Lua userdata for the response-time sketch, and exact quantiles.
 *
 *   local s = caremetrics.sketch():add_many({12, 340, 5.5})
 *   s:quantile(0.5); s:quantiles({0.5, 0.9, 0.99}); s:result()
 *   caremetrics.quantiles_exact({...}, {0.5, 0.9})
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics.h>

#include <lauxlib.h>
#include <lua.h>

#include "lcaremetrics.h"

static double check_double(lua_State *L, int idx)
{
    return luaL_checknumber(L, idx);
}

LCM_ACCUMULATOR(sketch, cm_sketch, double, check_double)

static int sketch_result(lua_State *L)
{
    cm_sketch_summary s;
    const cm_status st = cm_sketch_result(check_sketch(L, 1), &s);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, 0, 6);
    lcm_set_integer(L, "n", (lua_Integer)s.n);
    lcm_set_integer(L, "zeros", (lua_Integer)s.zeros);
    lcm_set_number(L, "min_seconds", s.min_seconds);
    lcm_set_number(L, "max_seconds", s.max_seconds);
    lcm_set_number(L, "mean_seconds", s.mean_seconds);
    lcm_set_number(L, "total_seconds", s.total_seconds);
    return 1;
}

static int sketch_quantile(lua_State *L)
{
    double v;
    const cm_status st = cm_sketch_quantile(check_sketch(L, 1), luaL_checknumber(L, 2), &v);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_pushnumber(L, v);
    return 1;
}

/* Pushes a Lua array of the n doubles. */
static void push_doubles(lua_State *L, const double *xs, size_t n)
{
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushnumber(L, xs[i]);
        lua_seti(L, -2, (lua_Integer)i + 1);
    }
}

static int sketch_quantiles(lua_State *L)
{
    lua_settop(L, 2); /* scratch arrays are pushed above the arguments */
    const cm_sketch *s = check_sketch(L, 1);
    size_t n;
    const double *qs = lcm_check_doubles(L, 2, &n);
    double *out = (double *)lua_newuserdatauv(L, (n ? n : 1) * sizeof(double), 0);
    const cm_status st = cm_sketch_quantiles(s, qs, n, out);
    if (st != CM_OK)
        return lcm_fail(L, st);
    push_doubles(L, out, n);
    return 1;
}

static int sketch__tostring(lua_State *L)
{
    lua_pushfstring(L, "caremetrics.sketch(n=%I)", (lua_Integer)check_sketch(L, 1)->n);
    return 1;
}

static int l_sketch(lua_State *L)
{
    new_sketch(L);
    return 1;
}

static int l_quantiles_exact(lua_State *L)
{
    lua_settop(L, 2); /* scratch arrays are pushed above the arguments */
    size_t n, nq;
    const double *xs = lcm_check_doubles(L, 1, &n);
    const double *qs = lcm_check_doubles(L, 2, &nq);
    const size_t scratch_len = cm_quantile_exact_scratch_size(n);
    double *scratch =
        (double *)lua_newuserdatauv(L, (scratch_len ? scratch_len : 1) * sizeof(double), 0);
    double *out = (double *)lua_newuserdatauv(L, (nq ? nq : 1) * sizeof(double), 0);
    const cm_status st = cm_quantiles_exact(xs, n, qs, nq, scratch, scratch_len, out);
    if (st != CM_OK)
        return lcm_fail(L, st);
    push_doubles(L, out, nq);
    return 1;
}

LCM_METHODS(sketch)

void lcm_open_sketch(lua_State *L)
{
    lcm_new_class(L, "caremetrics.sketch", sketch_methods);
    luaL_getmetatable(L, "caremetrics.sketch");
    lua_pushcfunction(L, sketch_quantile);
    lua_setfield(L, -2, "quantile");
    lua_pushcfunction(L, sketch_quantiles);
    lua_setfield(L, -2, "quantiles");
    lua_pop(L, 1);
    static const luaL_Reg functions[] = {
        {"sketch", l_sketch},
        {"sketch_deserialize", sketch_deserialize},
        {"quantiles_exact", l_quantiles_exact},
        {NULL, NULL},
    };
    luaL_setfuncs(L, functions, 0);
}
