/*
 * Lua userdata for the response-time sketch, and exact quantiles.
 *
 *   local s = caremetrics.sketch():add_many({12, 340, 5.5})
 *   s:quantile(0.5); s:quantiles({0.5, 0.9, 0.99}); s:result()
 *   caremetrics.quantiles_exact({...}, {0.5, 0.9} [, "weibull"])   -- numpy's method names
 *   s:add_n(30, 5); s:add_weighted({30, 60}, {5, 2}); s:share(3600 [, 0.95])
 *   caremetrics.share_exact({...}, 3600 [, 0.95])
 *   caremetrics.sketch2({subsecond = true})     -- sub-second buckets, standard deviation
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
    lua_settop(L, 3); /* scratch arrays are pushed above the arguments */
    size_t n, nq;
    const double *xs = lcm_check_doubles(L, 1, &n);
    const double *qs = lcm_check_doubles(L, 2, &nq);
    static const struct {
        const char *name;
        cm_quantile_method method;
    } methods[] = {
        {"inverted_cdf", CM_QUANTILE_INVERTED_CDF},
        {"weibull", CM_QUANTILE_WEIBULL},
        {"linear", CM_QUANTILE_LINEAR},
        {"median_unbiased", CM_QUANTILE_MEDIAN_UNBIASED},
    };
    const char *name = lua_isnoneornil(L, 3) ? "linear" : lcm_arg_text(L, 3, "method");
    if (name == NULL)
        return 3;
    size_t m = 0;
    while (m < sizeof methods / sizeof methods[0] && strcmp(methods[m].name, name) != 0)
        m++;
    if (m == sizeof methods / sizeof methods[0])
        return lcm_fail_detail(
            L, CM_EINVAL, "method = %s is not inverted_cdf, weibull, linear or median_unbiased",
            name);
    const size_t scratch_len = cm_quantile_exact_scratch_size(n);
    double *scratch =
        (double *)lua_newuserdatauv(L, (scratch_len ? scratch_len : 1) * sizeof(double), 0);
    double *out = (double *)lua_newuserdatauv(L, (nq ? nq : 1) * sizeof(double), 0);
    const cm_status st =
        cm_quantiles_exact_method(xs, n, qs, nq, methods[m].method, scratch, scratch_len, out);
    if (st != CM_OK)
        return lcm_fail(L, st);
    push_doubles(L, out, nq);
    return 1;
}

/* ---- shared by sketch and sketch2: weighted adds and the share within a threshold ---- */

static void push_share(lua_State *L, const cm_share *sh)
{
    lua_createtable(L, 0, 7);
    lcm_set_integer(L, "n", (lua_Integer)sh->n);
    lcm_set_integer(L, "count", (lua_Integer)sh->count);
    lcm_set_integer(L, "count_min", (lua_Integer)sh->count_min);
    lcm_set_integer(L, "count_max", (lua_Integer)sh->count_max);
    lcm_set_number(L, "share", sh->share);
    lcm_set_number(L, "lo", sh->lo);
    lcm_set_number(L, "hi", sh->hi);
}

/* Reads a Lua array of non-negative integers into Lua-owned memory (a count of 0 is
 * the library's to refuse); NULL after pushing the error triple. */
static uint64_t *check_count_array(lua_State *L, int idx, size_t *n)
{
    luaL_checktype(L, idx, LUA_TTABLE);
    const lua_Integer len = luaL_len(L, idx);
    uint64_t *v = (uint64_t *)lua_newuserdatauv(L, (size_t)(len > 0 ? len : 1) * sizeof *v, 0);
    for (lua_Integer i = 0; i < len; i++) {
        lua_geti(L, idx, i + 1);
        const lua_Integer x = luaL_checkinteger(L, -1);
        lua_pop(L, 1);
        if (!lcm_int_in(L, x, "counts", 0, LUA_MAXINTEGER))
            return NULL;
        v[i] = (uint64_t)x;
    }
    *n = (size_t)len;
    return v;
}

#define LCM_COUNTED(kind, T)                                                                 \
    static int kind##_add_n(lua_State *L)                                                    \
    {                                                                                        \
        T *acc = check_##kind(L, 1);                                                         \
        const double v = luaL_checknumber(L, 2);                                             \
        uint64_t count;                                                                      \
        if (!lcm_arg_count(L, 3, "count", &count))                                           \
            return 3;                                                                        \
        const cm_status st = cm_##kind##_add_n(acc, v, count);                               \
        if (st != CM_OK)                                                                     \
            return lcm_fail(L, st);                                                          \
        lua_settop(L, 1);                                                                    \
        return 1;                                                                            \
    }                                                                                        \
    static int kind##_add_weighted(lua_State *L)                                             \
    {                                                                                        \
        lua_settop(L, 3);                                                                    \
        T *acc = check_##kind(L, 1);                                                         \
        size_t n, nc;                                                                        \
        const double *xs = lcm_check_doubles(L, 2, &n);                                      \
        const uint64_t *counts = check_count_array(L, 3, &nc);                               \
        if (counts == NULL)                                                                  \
            return 3;                                                                        \
        if (n != nc)                                                                         \
            return lcm_fail_detail(L, CM_EINVAL, "seconds has %I entries but counts has %I", \
                                   (lua_Integer)n, (lua_Integer)nc);                         \
        const cm_status st = cm_##kind##_add_weighted(acc, xs, counts, n);                   \
        if (st != CM_OK)                                                                     \
            return lcm_fail(L, st);                                                          \
        lua_settop(L, 1);                                                                    \
        return 1;                                                                            \
    }                                                                                        \
    static int kind##_share(lua_State *L)                                                    \
    {                                                                                        \
        cm_share sh;                                                                         \
        const cm_status st = cm_##kind##_rank(check_##kind(L, 1), luaL_checknumber(L, 2),    \
                                              luaL_optnumber(L, 3, 0.95), &sh);              \
        if (st != CM_OK)                                                                     \
            return lcm_fail(L, st);                                                          \
        push_share(L, &sh);                                                                  \
        return 1;                                                                            \
    }                                                                                        \
    static void add_counted_##kind(lua_State *L)                                             \
    {                                                                                        \
        luaL_getmetatable(L, "caremetrics." #kind);                                          \
        lua_pushcfunction(L, kind##_add_n);                                                  \
        lua_setfield(L, -2, "add_n");                                                        \
        lua_pushcfunction(L, kind##_add_weighted);                                           \
        lua_setfield(L, -2, "add_weighted");                                                 \
        lua_pushcfunction(L, kind##_share);                                                  \
        lua_setfield(L, -2, "share");                                                        \
        lua_pop(L, 1);                                                                       \
    }

LCM_COUNTED(sketch, cm_sketch)

/* ---- sketch2 ---------------------------------------------------------------------- */

LCM_ACCUMULATOR(sketch2, cm_sketch2, double, check_double)
LCM_COUNTED(sketch2, cm_sketch2)

static int sketch2_result(lua_State *L)
{
    cm_sketch2_summary s;
    const cm_status st = cm_sketch2_result(check_sketch2(L, 1), &s);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, 0, 8);
    lcm_set_integer(L, "n", (lua_Integer)s.n);
    lcm_set_integer(L, "zeros", (lua_Integer)s.zeros);
    lcm_set_number(L, "min_seconds", s.min_seconds);
    lcm_set_number(L, "max_seconds", s.max_seconds);
    lcm_set_number(L, "mean_seconds", s.mean_seconds);
    lcm_set_number(L, "total_seconds", s.total_seconds);
    lcm_set_number(L, "stddev_seconds", s.stddev_seconds);
    lcm_set_number(L, "stddev_pop_seconds", s.stddev_pop_seconds);
    return 1;
}

static int sketch2_quantile(lua_State *L)
{
    double v;
    const cm_status st = cm_sketch2_quantile(check_sketch2(L, 1), luaL_checknumber(L, 2), &v);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_pushnumber(L, v);
    return 1;
}

static int sketch2_quantiles(lua_State *L)
{
    lua_settop(L, 2);
    const cm_sketch2 *s = check_sketch2(L, 1);
    size_t n;
    const double *qs = lcm_check_doubles(L, 2, &n);
    double *out = (double *)lua_newuserdatauv(L, (n ? n : 1) * sizeof(double), 0);
    const cm_status st = cm_sketch2_quantiles(s, qs, n, out);
    if (st != CM_OK)
        return lcm_fail(L, st);
    push_doubles(L, out, n);
    return 1;
}

static int sketch2__tostring(lua_State *L)
{
    const cm_sketch2 *s = check_sketch2(L, 1);
    lua_pushfstring(L, "caremetrics.sketch2(n=%I, %s)", (lua_Integer)s->core.n,
                    s->resolution == CM_SKETCH_SUBSECOND ? "subsecond" : "seconds");
    return 1;
}

static int l_sketch2(lua_State *L)
{
    bool subsecond = false;
    if (!lua_isnoneornil(L, 1)) {
        luaL_checktype(L, 1, LUA_TTABLE);
        lua_getfield(L, 1, "subsecond");
        subsecond = lua_toboolean(L, -1);
        lua_pop(L, 1);
    }
    cm_sketch2 *s = new_sketch2(L);
    const cm_status st = cm_sketch2_init(s, subsecond ? CM_SKETCH_SUBSECOND : CM_SKETCH_SECONDS);
    if (st != CM_OK)
        return lcm_fail(L, st);
    return 1;
}

static int l_share_exact(lua_State *L)
{
    lua_settop(L, 3);
    size_t n;
    const double *xs = lcm_check_doubles(L, 1, &n);
    cm_share sh;
    const cm_status st =
        cm_rank_exact(xs, n, luaL_checknumber(L, 2), luaL_optnumber(L, 3, 0.95), &sh);
    if (st != CM_OK)
        return lcm_fail(L, st);
    push_share(L, &sh);
    return 1;
}

LCM_METHODS(sketch)
LCM_METHODS(sketch2)

void lcm_open_sketch(lua_State *L)
{
    lcm_new_class(L, "caremetrics.sketch", sketch_methods);
    luaL_getmetatable(L, "caremetrics.sketch");
    lua_pushcfunction(L, sketch_quantile);
    lua_setfield(L, -2, "quantile");
    lua_pushcfunction(L, sketch_quantiles);
    lua_setfield(L, -2, "quantiles");
    lua_pop(L, 1);
    add_counted_sketch(L);
    lcm_new_class(L, "caremetrics.sketch2", sketch2_methods);
    luaL_getmetatable(L, "caremetrics.sketch2");
    lua_pushcfunction(L, sketch2_quantile);
    lua_setfield(L, -2, "quantile");
    lua_pushcfunction(L, sketch2_quantiles);
    lua_setfield(L, -2, "quantiles");
    lua_pop(L, 1);
    add_counted_sketch2(L);
    static const luaL_Reg functions[] = {
        {"sketch", l_sketch},
        {"sketch_deserialize", sketch_deserialize},
        {"sketch2", l_sketch2},
        {"sketch2_deserialize", sketch2_deserialize},
        {"share_exact", l_share_exact},
        {"quantiles_exact", l_quantiles_exact},
        {NULL, NULL},
    };
    luaL_setfuncs(L, functions, 0);
}
