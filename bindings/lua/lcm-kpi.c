/*
 * Lua userdata for the KPI accumulators: csat, nps, ces, art.
 *
 *   local acc = caremetrics.nps()          -- or csat([scale, satisfied_min]),
 *   acc:add(9); acc:add_many({10, 7, 3})   --    ces([scale, easy_min, easy_max]), art()
 *   local r = acc:result([confidence])      -- table of the C summary's fields
 *   local bytes = acc:serialize()           -- caremetrics.nps_deserialize(bytes)
 *   local all = acc + other                 -- exact merge into a new accumulator
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics.h>

#include <lauxlib.h>
#include <lua.h>

#include <string.h>

#include "lcaremetrics.h"

/* uint8_t score arrays: values outside 0..255 become 254, which no scale
 * accepts, so the library reports CM_ERANGE instead of a silent wrap. */
static uint8_t check_score_byte(lua_State *L, int idx)
{
    const lua_Integer v = luaL_checkinteger(L, idx);
    return (v < 0 || v > 255) ? 254 : (uint8_t)v;
}

static int64_t check_seconds(lua_State *L, int idx)
{
    return (int64_t)luaL_checkinteger(L, idx);
}

#define LCM_CSAT_ELEM(L, i) check_score_byte(L, i)
LCM_ACCUMULATOR(csat, cm_csat, uint8_t, LCM_CSAT_ELEM)
LCM_ACCUMULATOR(nps, cm_nps, uint8_t, LCM_CSAT_ELEM)
LCM_ACCUMULATOR(ces, cm_ces, uint8_t, LCM_CSAT_ELEM)
LCM_ACCUMULATOR(art, cm_art, int64_t, check_seconds)

/* ---- results ----------------------------------------------------------------- */

static int csat_result(lua_State *L)
{
    cm_csat_summary s;
    const cm_status st =
        cm_csat_result(check_csat(L, 1), luaL_optnumber(L, 2, CM_DEFAULT_CONFIDENCE), &s);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, 0, 2);
    lcm_push_proportion(L, &s.satisfied);
    lua_setfield(L, -2, "satisfied");
    lcm_set_number(L, "mean", s.mean);
    return 1;
}

static int nps_result(lua_State *L)
{
    cm_nps_summary s;
    const cm_status st =
        cm_nps_result(check_nps(L, 1), luaL_optnumber(L, 2, CM_DEFAULT_CONFIDENCE), &s);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, 0, 8);
    lcm_set_integer(L, "n", (lua_Integer)s.n);
    lcm_set_integer(L, "promoters", (lua_Integer)s.promoters);
    lcm_set_integer(L, "passives", (lua_Integer)s.passives);
    lcm_set_integer(L, "detractors", (lua_Integer)s.detractors);
    lcm_set_number(L, "score", s.score);
    lcm_set_number(L, "se", s.se);
    lcm_set_number(L, "lo", s.lo);
    lcm_set_number(L, "hi", s.hi);
    return 1;
}

static int ces_result(lua_State *L)
{
    cm_ces_summary s;
    const cm_status st =
        cm_ces_result(check_ces(L, 1), luaL_optnumber(L, 2, CM_DEFAULT_CONFIDENCE), &s);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, 0, 6);
    lcm_set_integer(L, "n", (lua_Integer)s.n);
    lcm_set_number(L, "mean", s.mean);
    lcm_set_number(L, "sd", s.sd);
    lcm_set_number(L, "lo", s.lo);
    lcm_set_number(L, "hi", s.hi);
    lcm_push_proportion(L, &s.easy);
    lua_setfield(L, -2, "easy");
    return 1;
}

static int art_result(lua_State *L)
{
    cm_art_summary s;
    const cm_status st = cm_art_result(check_art(L, 1), &s);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, 0, 5);
    lcm_set_integer(L, "n", (lua_Integer)s.n);
    lcm_set_integer(L, "total_seconds", s.total_seconds);
    lcm_set_integer(L, "min_seconds", s.min_seconds);
    lcm_set_integer(L, "max_seconds", s.max_seconds);
    lcm_set_number(L, "mean_seconds", s.mean_seconds);
    return 1;
}

/* ---- __tostring: the kind and the number of recorded values ------------------ */

static uint64_t count_sum(const uint64_t *c, size_t k)
{
    uint64_t n = 0;
    for (size_t i = 0; i < k; i++)
        n += c[i];
    return n;
}

static int csat__tostring(lua_State *L)
{
    const cm_csat *a = check_csat(L, 1);
    lua_pushfstring(L, "caremetrics.csat(n=%I)",
                    (lua_Integer)count_sum(a->counts, CM_CSAT_MAX_SCALE));
    return 1;
}

static int nps__tostring(lua_State *L)
{
    const cm_nps *a = check_nps(L, 1);
    lua_pushfstring(L, "caremetrics.nps(n=%I)", (lua_Integer)count_sum(a->counts, 11));
    return 1;
}

static int ces__tostring(lua_State *L)
{
    const cm_ces *a = check_ces(L, 1);
    lua_pushfstring(L, "caremetrics.ces(n=%I)",
                    (lua_Integer)count_sum(a->counts, CM_CES_MAX_SCALE));
    return 1;
}

static int art__tostring(lua_State *L)
{
    const cm_art *a = check_art(L, 1);
    lua_pushfstring(L, "caremetrics.art(n=%I, total_seconds=%I)", (lua_Integer)a->n,
                    (lua_Integer)a->total_seconds);
    return 1;
}

/* ---- constructors --------------------------------------------------------------- */

static int l_csat(lua_State *L)
{
    cm_csat init = {0};
    if (!lua_isnoneornil(L, 1)) {
        uint32_t scale, satisfied_min;
        if (!lcm_arg_u32(L, 1, "scale", &scale) ||
            !lcm_arg_u32(L, 2, "satisfied_min", &satisfied_min))
            return 3;
        const cm_status st = cm_csat_init(&init, scale, satisfied_min);
        if (st != CM_OK)
            return lcm_fail(L, st);
    }
    *new_csat(L) = init;
    return 1;
}

static int l_nps(lua_State *L)
{
    new_nps(L);
    return 1;
}

static int l_ces(lua_State *L)
{
    cm_ces init = {0};
    if (!lua_isnoneornil(L, 1)) {
        uint32_t scale, easy_min, easy_max;
        if (!lcm_arg_u32(L, 1, "scale", &scale) || !lcm_arg_u32(L, 2, "easy_min", &easy_min) ||
            !lcm_arg_u32(L, 3, "easy_max", &easy_max))
            return 3;
        const cm_status st = cm_ces_init(&init, scale, easy_min, easy_max);
        if (st != CM_OK)
            return lcm_fail(L, st);
    }
    *new_ces(L) = init;
    return 1;
}

static int l_art(lua_State *L)
{
    new_art(L);
    return 1;
}

LCM_METHODS(csat)
LCM_METHODS(nps)
LCM_METHODS(ces)
LCM_METHODS(art)

void lcm_open_kpi(lua_State *L)
{
    lcm_new_class(L, "caremetrics.csat", csat_methods);
    lcm_new_class(L, "caremetrics.nps", nps_methods);
    lcm_new_class(L, "caremetrics.ces", ces_methods);
    lcm_new_class(L, "caremetrics.art", art_methods);
    static const luaL_Reg constructors[] = {
        {"csat", l_csat},
        {"nps", l_nps},
        {"ces", l_ces},
        {"art", l_art},
        {"csat_deserialize", csat_deserialize},
        {"nps_deserialize", nps_deserialize},
        {"ces_deserialize", ces_deserialize},
        {"art_deserialize", art_deserialize},
        {NULL, NULL},
    };
    luaL_setfuncs(L, constructors, 0);
}
