/*
 * Lua 5.4 module `caremetrics`: libcaremetrics for Lua.
 *
 * Thin by design: every formula, default and validation rule is the C
 * library's. Wrong argument types raise Lua errors (luaL_check*); data errors
 * return `nil, "CM_NAME: message", "CM_NAME"`. Accumulators are userdata with
 * methods, `__add` (merge into a new accumulator), `__eq`, `__tostring` and
 * `__gc`.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics.h>

#include <lauxlib.h>
#include <lua.h>

#include <limits.h>
#include <string.h>

#include "lcaremetrics.h"

/* ---- common ------------------------------------------------------------- */

static int l_version(lua_State *L)
{
    lua_pushstring(L, cm_version_string());
    return 1;
}

static int l_version_number(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)cm_version());
    return 1;
}

static int l_strerror(lua_State *L)
{
    const lua_Integer s = luaL_checkinteger(L, 1);
    const cm_status st = (s < INT_MIN || s > INT_MAX) ? (cm_status)INT_MIN : (cm_status)s;
    lua_pushstring(L, cm_strerror(st));
    return 1;
}

static int l_parse_time(lua_State *L)
{
    const char *s = lcm_arg_text(L, 1, "text");
    if (s == NULL)
        return 3;
    cm_time t;
    const cm_status st = cm_time_parse(s, strlen(s), &t);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_pushinteger(L, t);
    return 1;
}

static int l_format_time(lua_State *L)
{
    char buf[CM_TIME_FORMAT_SIZE];
    const cm_status st = cm_time_format(luaL_checkinteger(L, 1), buf, sizeof buf);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_pushstring(L, buf);
    return 1;
}

/* ---- rates ---------------------------------------------------------------- */

static int l_rate(lua_State *L)
{
    uint64_t num, den;
    if (!lcm_arg_count(L, 1, "num", &num) || !lcm_arg_count(L, 2, "den", &den))
        return 3;
    const double conf = luaL_optnumber(L, 3, CM_DEFAULT_CONFIDENCE);
    cm_proportion p;
    const cm_status st = cm_rate(num, den, conf, &p);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lcm_push_proportion(L, &p);
    return 1;
}

static int l_abandonment_rate(lua_State *L)
{
    uint64_t offered, abandoned, short_abandoned = 0;
    if (!lcm_arg_count(L, 1, "offered", &offered) ||
        !lcm_arg_count(L, 2, "abandoned", &abandoned) ||
        (!lua_isnoneornil(L, 3) && !lcm_arg_count(L, 3, "short_abandoned", &short_abandoned)))
        return 3;
    const double conf = luaL_optnumber(L, 4, CM_DEFAULT_CONFIDENCE);
    cm_proportion p;
    const cm_status st = cm_abandonment_rate(offered, abandoned, short_abandoned, conf, &p);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lcm_push_proportion(L, &p);
    return 1;
}

/* Calls cm_abandonment_rate_many one chunk at a time over Lua arrays and adds
 * up the counts the chunks report, so no allocation is needed. */
static int l_abandonment_rate_many(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checktype(L, 2, LUA_TTABLE);
    const lua_Integer n = luaL_len(L, 1);
    luaL_argcheck(L, luaL_len(L, 2) == n, 2, "must have as many entries as the waits");
    const double short_s = luaL_optnumber(L, 3, 0.0);
    const double conf = luaL_optnumber(L, 4, CM_DEFAULT_CONFIDENCE);
    enum { CHUNK = 256 };
    double waits[CHUNK];
    uint8_t gone[CHUNK];
    uint64_t num = 0, den = 0;
    for (lua_Integer i = 0; i < n; i += CHUNK) {
        const lua_Integer m = n - i < CHUNK ? n - i : CHUNK;
        for (lua_Integer j = 0; j < m; j++) {
            lua_geti(L, 1, i + j + 1);
            waits[j] = luaL_checknumber(L, -1);
            lua_geti(L, 2, i + j + 1);
            gone[j] =
                (uint8_t)(lua_isinteger(L, -1) ? lua_tointeger(L, -1) != 0 : lua_toboolean(L, -1));
            lua_pop(L, 2);
        }
        cm_proportion p;
        const cm_status st = cm_abandonment_rate_many(waits, gone, (size_t)m, short_s, conf, &p);
        if (st == CM_ENODATA)
            continue; /* a chunk of short abandons only */
        if (st != CM_OK)
            return lcm_fail(L, st);
        num += p.num;
        den += p.den;
    }
    cm_proportion p;
    const cm_status st = cm_rate(num, den, conf, &p);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lcm_push_proportion(L, &p);
    return 1;
}

static int l_art_mean(lua_State *L)
{
    const lua_Integer total = luaL_checkinteger(L, 1);
    uint64_t n;
    if (!lcm_arg_count(L, 2, "responses", &n))
        return 3;
    double mean;
    const cm_status st = cm_art_mean(total, n, &mean);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_pushnumber(L, mean);
    return 1;
}

static const luaL_Reg functions[] = {
    {"version", l_version},
    {"version_number", l_version_number},
    {"strerror", l_strerror},
    {"parse_time", l_parse_time},
    {"format_time", l_format_time},
    {"rate", l_rate},
    {"abandonment_rate", l_abandonment_rate},
    {"abandonment_rate_many", l_abandonment_rate_many},
    {"art_mean", l_art_mean},
    {NULL, NULL},
};

/* Exported: the module's only public symbol. */
__attribute__((visibility("default"))) int luaopen_caremetrics(lua_State *L);

int luaopen_caremetrics(lua_State *L)
{
    luaL_newlib(L, functions);
    lcm_open_kpi(L);
    lcm_open_sketch(L);
    lcm_open_spc(L);
    lcm_open_queue(L);
    lcm_open_calendar(L);
    lcm_open_sla(L);
    lcm_open_sla_policyset(L);
    lcm_open_forecast(L);
    lcm_open_qa(L);
    lcm_open_topk(L);
    lcm_open_backlog(L);

    lua_pushinteger(L, CM_SCORE_NONE);
    lua_setfield(L, -2, "SCORE_NONE");
    lua_pushnumber(L, CM_DEFAULT_CONFIDENCE);
    lua_setfield(L, -2, "DEFAULT_CONFIDENCE");
    /* status values by name, e.g. caremetrics.status.CM_EINVAL == -1 */
    lua_createtable(L, 0, CM_STATUS_COUNT);
    for (int i = 0; i < CM_STATUS_COUNT; i++) {
        lua_pushinteger(L, -i);
        lua_setfield(L, -2, cm_status_name((cm_status)-i));
    }
    lua_setfield(L, -2, "status");
    lua_pushstring(L, cm_version_string());
    lua_setfield(L, -2, "_VERSION");
    return 1;
}
