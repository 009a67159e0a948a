/*
 * Control limits and run rules from Lua.
 *
 *   local lim = caremetrics.spc_individuals({...})       -- {center, sigma, lcl, ucl, mr_bar, mr_ucl}
 *   local sig = caremetrics.spc_evaluate({...}, {rules = caremetrics.SPC_ABOVE_THRESHOLD,
 *                                               threshold = 90, level_run = 3, limits = lim})
 *   -- sig[i] = {index = 0-based point, rule = bit, side = +1 / -1 / 0}
 *   caremetrics.spc_individuals(xs, {sigma = "median", exclude = {false, true, ...},
 *                                    max_rounds = 5})       -- limits, plus `excluded` (0/1/2)
 *   caremetrics.spc_ewma(xs, {center =, sigma =, lambda =, width =})
 *                                                -- {z = {}, lcl = {}, ucl = {}, signals = {}}
 *   caremetrics.spc_cusum(xs, {center =, sigma =, k =, h =})
 *                                                -- {c_plus = {}, c_minus = {}, signals = {}}
 *   caremetrics.spc_laney_p_chart(num, den)      -- {center, sigma_z, lcl = {}, ucl = {}}
 *   caremetrics.spc_laney_p_evaluate(num, den, {center =, sigma_z =, rules =, ...})
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

/* An optional uint32 field (0 when absent); false after pushing the error triple. */
static bool opt_field_u32(lua_State *L, int idx, const char *key, uint32_t *out);

static int l_individuals(lua_State *L)
{
    lua_settop(L, 2); /* scratch arrays are pushed above the arguments */
    size_t n;
    const double *xs = lcm_check_doubles(L, 1, &n);
    cm_spc_xmr_options opt = {CM_SPC_SIGMA_MR_MEAN, 0};
    uint8_t *mask = NULL;
    double *scratch = NULL;
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        if (!opt_field_u32(L, 2, "max_rounds", &opt.max_rounds))
            return 3;
        lua_getfield(L, 2, "sigma");
        const char *method = luaL_optstring(L, -1, "mean");
        lua_pop(L, 1);
        if (strcmp(method, "median") == 0)
            opt.sigma_method = CM_SPC_SIGMA_MR_MEDIAN;
        else if (strcmp(method, "mean") != 0)
            return lcm_fail_detail(L, CM_EINVAL, "sigma = %s is not \"mean\" or \"median\"",
                                   method);
        lua_getfield(L, 2, "exclude");
        const bool have_exclude = !lua_isnil(L, -1);
        if (have_exclude || opt.max_rounds > 0) {
            mask = (uint8_t *)lua_newuserdatauv(L, n > 0 ? n : 1, 0);
            memset(mask, 0, n > 0 ? n : 1);
        }
        if (have_exclude) {
            luaL_checktype(L, -2, LUA_TTABLE);
            if ((size_t)luaL_len(L, -2) != n)
                return lcm_fail_detail(L, CM_EINVAL, "exclude has %I entries, the series %I",
                                       (lua_Integer)luaL_len(L, -2), (lua_Integer)n);
            for (size_t i = 0; i < n; i++) {
                lua_geti(L, -2, (lua_Integer)i + 1);
                mask[i] = (uint8_t)lua_toboolean(L, -1);
                lua_pop(L, 1);
            }
        }
        if (opt.sigma_method == CM_SPC_SIGMA_MR_MEDIAN)
            scratch = (double *)lua_newuserdatauv(L, (n > 0 ? n : 1) * sizeof(double), 0);
    }
    cm_spc_limits lim;
    const cm_status st =
        cm_spc_individuals_ex(xs, n, &opt, mask, scratch, scratch != NULL ? n : 0, &lim);
    if (st != CM_OK)
        return lcm_fail(L, st);
    push_limits(L, &lim);
    if (mask != NULL) {
        lua_createtable(L, (int)n, 0);
        for (size_t i = 0; i < n; i++) {
            lua_pushinteger(L, mask[i]);
            lua_seti(L, -2, (lua_Integer)i + 1);
        }
        lua_setfield(L, -2, "excluded");
    }
    return 1;
}

static double opt_field_number(lua_State *L, int idx, const char *key, double dflt)
{
    lua_getfield(L, idx, key);
    const double v = luaL_optnumber(L, -1, dflt);
    lua_pop(L, 1);
    return v;
}

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

static void push_signals(lua_State *L, const cm_spc_signal *sig, size_t count)
{
    lua_createtable(L, (int)count, 0);
    for (size_t i = 0; i < count; i++) {
        lua_createtable(L, 0, 3);
        lcm_set_integer(L, "index", (lua_Integer)sig[i].index);
        lcm_set_integer(L, "rule", (lua_Integer)sig[i].rule);
        lcm_set_integer(L, "side", sig[i].side);
        lua_seti(L, -2, (lua_Integer)i + 1);
    }
}

/* Rules from the fields of the table at idx; false after pushing the error triple. */
static bool opt_rules(lua_State *L, int idx, cm_spc_rules *rules)
{
    if (!opt_field_u32(L, idx, "rules", &rules->enabled) ||
        !opt_field_u32(L, idx, "side_run", &rules->side_run) ||
        !opt_field_u32(L, idx, "level_run", &rules->level_run))
        return false;
    rules->threshold = opt_field_number(L, idx, "threshold", 0.0);
    return true;
}

static void push_doubles(lua_State *L, const char *key, const double *v, size_t n)
{
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushnumber(L, v[i]);
        lua_seti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, key);
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
        if (!opt_rules(L, 2, &rules))
            return 3;
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
    push_signals(L, sig, count);
    return 1;
}

/* EWMA (cusum false) or CUSUM over xs with the parameters of the table at 2. */
static int chart(lua_State *L, bool cusum)
{
    lua_settop(L, 2);
    size_t n;
    const double *xs = lcm_check_doubles(L, 1, &n);
    luaL_checktype(L, 2, LUA_TTABLE);
    const double center = opt_field_number(L, 2, "center", 0.0);
    const double sigma = opt_field_number(L, 2, "sigma", 1.0);
    const cm_spc_ewma_params e = {center, sigma, opt_field_number(L, 2, "lambda", 0.2),
                                  opt_field_number(L, 2, "width", 3.0)};
    const cm_spc_cusum_params c = {center, sigma, opt_field_number(L, 2, "k", 0.5),
                                   opt_field_number(L, 2, "h", 5.0)};
    size_t count = 0;
    cm_status st = cusum ? cm_spc_cusum(xs, n, &c, NULL, NULL, NULL, 0, &count)
                         : cm_spc_ewma(xs, n, &e, NULL, NULL, NULL, NULL, 0, &count);
    if (st != CM_OK && st != CM_ENOSPC)
        return lcm_fail(L, st);
    const size_t m = n > 0 ? n : 1;
    double *v = (double *)lua_newuserdatauv(L, 3 * m * sizeof(double), 0);
    cm_spc_signal *sig =
        (cm_spc_signal *)lua_newuserdatauv(L, (count ? count : 1) * sizeof *sig, 0);
    st = cusum ? cm_spc_cusum(xs, n, &c, v, v + m, sig, count, &count)
               : cm_spc_ewma(xs, n, &e, v, v + m, v + 2 * m, sig, count, &count);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, 0, 4);
    push_doubles(L, cusum ? "c_plus" : "z", v, n);
    push_doubles(L, cusum ? "c_minus" : "lcl", v + m, n);
    if (!cusum)
        push_doubles(L, "ucl", v + 2 * m, n);
    push_signals(L, sig, count);
    lua_setfield(L, -2, "signals");
    return 1;
}

static int l_ewma(lua_State *L)
{
    return chart(L, false);
}

static int l_cusum(lua_State *L)
{
    return chart(L, true);
}

/* A Lua array of counts as uint64 in Lua-owned memory; NULL after pushing the error triple. */
static uint64_t *check_counts(lua_State *L, int idx, const char *name, size_t *n)
{
    luaL_checktype(L, idx, LUA_TTABLE);
    const lua_Integer len = luaL_len(L, idx);
    uint64_t *v = (uint64_t *)lua_newuserdatauv(L, (size_t)(len > 0 ? len : 1) * sizeof *v, 0);
    for (lua_Integer i = 0; i < len; i++) {
        lua_geti(L, idx, i + 1);
        const lua_Integer x = luaL_checkinteger(L, -1);
        lua_pop(L, 1);
        if (!lcm_int_in(L, x, name, 0, LUA_MAXINTEGER))
            return NULL;
        v[i] = (uint64_t)x;
    }
    *n = (size_t)len;
    return v;
}

static int l_laney_p_chart(lua_State *L)
{
    lua_settop(L, 2);
    size_t n, nd;
    const uint64_t *num = check_counts(L, 1, "num", &n);
    if (num == NULL)
        return 3;
    const uint64_t *den = check_counts(L, 2, "den", &nd);
    if (den == NULL)
        return 3;
    if (n != nd)
        return lcm_fail_detail(L, CM_EINVAL, "num has %I entries but den has %I", (lua_Integer)n,
                               (lua_Integer)nd);
    double *lim = (double *)lua_newuserdatauv(L, 2 * (n > 0 ? n : 1) * sizeof(double), 0);
    double center, sz;
    const cm_status st = cm_spc_laney_p_chart(num, den, n, &center, &sz, lim, lim + n);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, 0, 4);
    lcm_set_number(L, "center", center);
    lcm_set_number(L, "sigma_z", sz);
    push_doubles(L, "lcl", lim, n);
    push_doubles(L, "ucl", lim + n, n);
    return 1;
}

static int l_laney_p_evaluate(lua_State *L)
{
    lua_settop(L, 3);
    size_t n, nd;
    const uint64_t *num = check_counts(L, 1, "num", &n);
    if (num == NULL)
        return 3;
    const uint64_t *den = check_counts(L, 2, "den", &nd);
    if (den == NULL)
        return 3;
    if (n != nd)
        return lcm_fail_detail(L, CM_EINVAL, "num has %I entries but den has %I", (lua_Integer)n,
                               (lua_Integer)nd);
    luaL_checktype(L, 3, LUA_TTABLE);
    cm_spc_rules rules = {0};
    if (!opt_rules(L, 3, &rules))
        return 3;
    lua_getfield(L, 3, "center");
    lua_getfield(L, 3, "sigma_z");
    double center = luaL_optnumber(L, -2, 0.0), sz = luaL_optnumber(L, -1, 1.0);
    const bool own = lua_isnil(L, -2) || lua_isnil(L, -1);
    lua_pop(L, 2);
    cm_status st = CM_OK;
    if (own) { /* the series' own centre and factor */
        double *lim = (double *)lua_newuserdatauv(L, 2 * (n > 0 ? n : 1) * sizeof(double), 0);
        double c0, z0;
        st = cm_spc_laney_p_chart(num, den, n, &c0, &z0, lim, lim + n);
        if (st != CM_OK)
            return lcm_fail(L, st);
        lua_getfield(L, 3, "center");
        center = luaL_optnumber(L, -1, c0);
        lua_getfield(L, 3, "sigma_z");
        sz = luaL_optnumber(L, -1, z0);
        lua_pop(L, 2);
    }
    size_t count = 0;
    st = cm_spc_laney_p_evaluate(num, den, n, center, sz, &rules, NULL, 0, &count);
    if (st != CM_OK && st != CM_ENOSPC)
        return lcm_fail(L, st);
    cm_spc_signal *sig =
        (cm_spc_signal *)lua_newuserdatauv(L, (count ? count : 1) * sizeof *sig, 0);
    st = cm_spc_laney_p_evaluate(num, den, n, center, sz, &rules, sig, count, &count);
    if (st != CM_OK)
        return lcm_fail(L, st);
    push_signals(L, sig, count);
    return 1;
}

void lcm_open_spc(lua_State *L)
{
    static const luaL_Reg functions[] = {
        {"spc_individuals", l_individuals},
        {"spc_evaluate", l_evaluate},
        {"spc_ewma", l_ewma},
        {"spc_cusum", l_cusum},
        {"spc_laney_p_chart", l_laney_p_chart},
        {"spc_laney_p_evaluate", l_laney_p_evaluate},
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
        {"SPC_TREND", CM_SPC_RULE_TREND},
        {"SPC_ALTERNATING", CM_SPC_RULE_ALTERNATING},
        {"SPC_STRATIFICATION", CM_SPC_RULE_STRATIFICATION},
        {"SPC_MIXTURE", CM_SPC_RULE_MIXTURE},
        {"SPC_EWMA", CM_SPC_RULE_EWMA},
        {"SPC_CUSUM", CM_SPC_RULE_CUSUM},
        {"SPC_WESTERN_ELECTRIC", CM_SPC_RULES_WESTERN_ELECTRIC},
        {"SPC_NELSON", CM_SPC_RULES_NELSON},
        {"SPC_ALL", CM_SPC_RULES_ALL},
    };
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        lua_pushinteger(L, rules[i].value);
        lua_setfield(L, -2, rules[i].name);
    }
}
