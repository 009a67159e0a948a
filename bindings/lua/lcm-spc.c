/*
 * Control limits and run rules from Lua.
 *
 *   local lim = caremetrics.spc_individuals({...})       -- {center, sigma, lcl, ucl, mr_bar, mr_ucl}
 *   local sig = caremetrics.spc_evaluate({...}, {rules = caremetrics.SPC_ABOVE_THRESHOLD,
 *                                               threshold = 90, level_run = 3, limits = lim})
 *   -- sig[i] = {index = 0-based point, rule = bit, side = +1 / -1}
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics.h>

#include <lauxlib.h>
#include <lua.h>

#include "lcaremetrics.h"

static void push_limits(lua_State *L, const cm_spc_limits *l)
{
    lua_createtable(L, 0, 6);
    lcm_set_number(L, "center", l->center);
    lcm_set_number(L, "sigma", l->sigma);
    lcm_set_number(L, "lcl", l->lcl);
    lcm_set_number(L, "ucl", l->ucl);
    lcm_set_number(L, "mr_bar", l->mr_bar);
    lcm_set_number(L, "mr_ucl", l->mr_ucl);
}

static int l_individuals(lua_State *L)
{
    lua_settop(L, 1); /* scratch arrays are pushed above the arguments */
    size_t n;
    const double *xs = lcm_check_doubles(L, 1, &n);
    cm_spc_limits lim;
    const cm_status st = cm_spc_individuals(xs, n, &lim);
    if (st != CM_OK)
        return lcm_fail(L, st);
    push_limits(L, &lim);
    return 1;
}

static double opt_field_number(lua_State *L, int idx, const char *key, double dflt)
{
    lua_getfield(L, idx, key);
    const double v = luaL_optnumber(L, -1, dflt);
    lua_pop(L, 1);
    return v;
}

/* An optional uint32 field (0 when absent); false after pushing the error triple. */
static bool opt_field_u32(lua_State *L, int idx, const char *key, uint32_t *out)
{
    lua_getfield(L, idx, key);
    const lua_Integer v = luaL_optinteger(L, -1, 0);
    lua_pop(L, 1);
    if (!lcm_int_in(L, v, key, 0, (lua_Integer)UINT32_MAX))
        return false;
    *out = (uint32_t)v;
    return true;
}

static int l_evaluate(lua_State *L)
{
    lua_settop(L, 2); /* scratch arrays are pushed above the arguments */
    size_t n;
    const double *xs = lcm_check_doubles(L, 1, &n);
    cm_spc_rules rules = {0};
    cm_spc_limits lim;
    bool have_limits = false;
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        if (!opt_field_u32(L, 2, "rules", &rules.enabled) ||
            !opt_field_u32(L, 2, "side_run", &rules.side_run) ||
            !opt_field_u32(L, 2, "level_run", &rules.level_run))
            return 3;
        rules.threshold = opt_field_number(L, 2, "threshold", 0.0);
        lua_getfield(L, 2, "limits");
        if (lua_istable(L, -1)) {
            const int t = lua_gettop(L);
            lim.center = opt_field_number(L, t, "center", 0.0);
            lim.sigma = opt_field_number(L, t, "sigma", 0.0);
            lim.lcl = opt_field_number(L, t, "lcl", 0.0);
            lim.ucl = opt_field_number(L, t, "ucl", 0.0);
            lim.mr_bar = opt_field_number(L, t, "mr_bar", 0.0);
            lim.mr_ucl = opt_field_number(L, t, "mr_ucl", 0.0);
            have_limits = true;
        }
        lua_pop(L, 1);
    }
    cm_status st = have_limits ? CM_OK : cm_spc_individuals(xs, n, &lim);
    if (st != CM_OK)
        return lcm_fail(L, st);
    size_t count = 0;
    st = cm_spc_evaluate(xs, n, &lim, &rules, NULL, 0, &count);
    if (st != CM_OK && st != CM_ENOSPC)
        return lcm_fail(L, st);
    cm_spc_signal *sig =
        (cm_spc_signal *)lua_newuserdatauv(L, (count ? count : 1) * sizeof *sig, 0);
    st = cm_spc_evaluate(xs, n, &lim, &rules, sig, count, &count);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, (int)count, 0);
    for (size_t i = 0; i < count; i++) {
        lua_createtable(L, 0, 3);
        lcm_set_integer(L, "index", (lua_Integer)sig[i].index);
        lcm_set_integer(L, "rule", (lua_Integer)sig[i].rule);
        lcm_set_integer(L, "side", sig[i].side);
        lua_seti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

void lcm_open_spc(lua_State *L)
{
    static const luaL_Reg functions[] = {
        {"spc_individuals", l_individuals},
        {"spc_evaluate", l_evaluate},
        {NULL, NULL},
    };
    luaL_setfuncs(L, functions, 0);
    static const struct {
        const char *name;
        lua_Integer value;
    } rules[] = {
        {"SPC_BEYOND_3SIGMA", CM_SPC_RULE_BEYOND_3SIGMA},
        {"SPC_2_OF_3", CM_SPC_RULE_2_OF_3},
        {"SPC_4_OF_5", CM_SPC_RULE_4_OF_5},
        {"SPC_SAME_SIDE", CM_SPC_RULE_SAME_SIDE},
        {"SPC_ABOVE_CENTER", CM_SPC_RULE_ABOVE_CENTER},
        {"SPC_BELOW_CENTER", CM_SPC_RULE_BELOW_CENTER},
        {"SPC_ABOVE_THRESHOLD", CM_SPC_RULE_ABOVE_THRESHOLD},
        {"SPC_BELOW_THRESHOLD", CM_SPC_RULE_BELOW_THRESHOLD},
        {"SPC_WESTERN_ELECTRIC", CM_SPC_RULES_WESTERN_ELECTRIC},
    };
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        lua_pushinteger(L, rules[i].value);
        lua_setfield(L, -2, rules[i].name);
    }
}
