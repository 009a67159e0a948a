/*
 * Erlang B / C / A, staffing and workforce planning, and the contact-center
 * interval counters, from Lua.
 *
 *   caremetrics.erlang_agents(traffic, aht, target_sl, target_seconds[, max_occupancy])
 *   caremetrics.erlang_a(traffic, agents, aht, patience, target_seconds)   -- table
 *   caremetrics.workforce_plan(workload_hours, occupancy, shrinkage[, shift_hours[, days]])
 *   local c = caremetrics.contacts([target_seconds, short_abandon_seconds])
 *   c:add(wait, handle, abandoned); c:service_level(caremetrics.SL_ABANDONS_AGAINST)
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics.h>

#include <lauxlib.h>
#include <lua.h>

#include "lcaremetrics.h"

static int l_erlang_b(lua_State *L)
{
    double v = 0;
    const double traffic = luaL_checknumber(L, 1);
    uint32_t agents;
    if (!lcm_arg_u32(L, 2, "agents", &agents))
        return 3;
    const cm_status st = cm_erlang_b(traffic, agents, &v);
    return lcm_number_or_fail(L, st, v);
}

static int l_erlang_c(lua_State *L)
{
    double v = 0;
    const double traffic = luaL_checknumber(L, 1);
    uint32_t agents;
    if (!lcm_arg_u32(L, 2, "agents", &agents))
        return 3;
    const cm_status st = cm_erlang_c(traffic, agents, &v);
    return lcm_number_or_fail(L, st, v);
}

static int l_erlang_service_level(lua_State *L)
{
    double v = 0;
    const double traffic = luaL_checknumber(L, 1);
    uint32_t agents;
    if (!lcm_arg_u32(L, 2, "agents", &agents))
        return 3;
    const cm_status st = cm_erlang_service_level(traffic, agents, luaL_checknumber(L, 3),
                                                 luaL_checknumber(L, 4), &v);
    return lcm_number_or_fail(L, st, v);
}

static int l_erlang_asa(lua_State *L)
{
    double v = 0;
    const double traffic = luaL_checknumber(L, 1);
    uint32_t agents;
    if (!lcm_arg_u32(L, 2, "agents", &agents))
        return 3;
    const cm_status st = cm_erlang_asa(traffic, agents, luaL_checknumber(L, 3), &v);
    return lcm_number_or_fail(L, st, v);
}

static int l_erlang_occupancy(lua_State *L)
{
    double v = 0;
    const double traffic = luaL_checknumber(L, 1);
    uint32_t agents;
    if (!lcm_arg_u32(L, 2, "agents", &agents))
        return 3;
    const cm_status st = cm_erlang_occupancy(traffic, agents, &v);
    return lcm_number_or_fail(L, st, v);
}

static int l_erlang_agents(lua_State *L)
{
    uint32_t n = 0;
    const cm_status st =
        cm_erlang_agents(luaL_checknumber(L, 1), luaL_checknumber(L, 2), luaL_checknumber(L, 3),
                         luaL_checknumber(L, 4), luaL_optnumber(L, 5, 1.0), &n);
    return lcm_integer_or_fail(L, st, n);
}

static int l_erlang_agents_asa(lua_State *L)
{
    uint32_t n = 0;
    const cm_status st =
        cm_erlang_agents_asa(luaL_checknumber(L, 1), luaL_checknumber(L, 2), luaL_checknumber(L, 3),
                             luaL_optnumber(L, 4, 1.0), &n);
    return lcm_integer_or_fail(L, st, n);
}

static int l_erlang_a(lua_State *L)
{
    cm_erlang_a_result r;
    const double traffic = luaL_checknumber(L, 1);
    uint32_t agents;
    if (!lcm_arg_u32(L, 2, "agents", &agents))
        return 3;
    const cm_status st = cm_erlang_a(traffic, agents, luaL_checknumber(L, 3),
                                     luaL_checknumber(L, 4), luaL_checknumber(L, 5), &r);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, 0, 7);
    lcm_set_number(L, "p_wait", r.p_wait);
    lcm_set_number(L, "p_abandon", r.p_abandon);
    lcm_set_number(L, "service_level", r.service_level);
    lcm_set_number(L, "p_abandoned_within", r.p_abandoned_within);
    lcm_set_number(L, "asa_seconds", r.asa_seconds);
    lcm_set_number(L, "mean_wait_seconds", r.mean_wait_seconds);
    lcm_set_number(L, "occupancy", r.occupancy);
    return 1;
}

static int l_erlang_a_agents(lua_State *L)
{
    uint32_t n = 0;
    const cm_status st =
        cm_erlang_a_agents(luaL_checknumber(L, 1), luaL_checknumber(L, 2), luaL_checknumber(L, 3),
                           luaL_checknumber(L, 4), luaL_checknumber(L, 5),
                           luaL_optnumber(L, 6, 1.0), luaL_optnumber(L, 7, 1.0), &n);
    return lcm_integer_or_fail(L, st, n);
}

/* Two Lua arrays of numbers of the same length. */
static size_t check_pair(lua_State *L, int a, int b, const double **xa, const double **xb)
{
    size_t na, nb;
    *xa = lcm_check_doubles(L, a, &na);
    *xb = lcm_check_doubles(L, b, &nb);
    luaL_argcheck(L, na == nb, b, "must have as many entries as the first array");
    return na;
}

static int l_workload_hours(lua_State *L)
{
    lua_settop(L, 2); /* scratch arrays are pushed above the arguments */
    const double *contacts, *aht;
    const size_t n = check_pair(L, 1, 2, &contacts, &aht);
    double v = 0;
    const cm_status st = cm_workload_hours(contacts, aht, n, &v);
    return lcm_number_or_fail(L, st, v);
}

static int l_workforce_plan(lua_State *L)
{
    cm_workforce w;
    const cm_status st =
        cm_workforce_plan(luaL_checknumber(L, 1), luaL_checknumber(L, 2), luaL_checknumber(L, 3),
                          luaL_optnumber(L, 4, 8.0), luaL_optnumber(L, 5, 1.0), &w);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, 0, 4);
    lcm_set_number(L, "workload_hours", w.workload_hours);
    lcm_set_number(L, "scheduled_hours", w.scheduled_hours);
    lcm_set_number(L, "shifts", w.shifts);
    lcm_set_number(L, "fte", w.fte);
    return 1;
}

static int l_staffing_plan(lua_State *L)
{
    lua_settop(L, 6); /* scratch arrays are pushed above the arguments */
    const double *volumes, *aht;
    const size_t n = check_pair(L, 1, 2, &volumes, &aht);
    cm_interval_staffing *out =
        (cm_interval_staffing *)lua_newuserdatauv(L, (n ? n : 1) * sizeof *out, 0);
    const cm_status st =
        cm_staffing_plan(volumes, aht, n, luaL_checknumber(L, 3), luaL_checknumber(L, 4),
                         luaL_checknumber(L, 5), luaL_optnumber(L, 6, 1.0), out);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_createtable(L, 0, 5);
        lcm_set_number(L, "traffic", out[i].traffic);
        lcm_set_integer(L, "agents", out[i].agents);
        lcm_set_number(L, "service_level", out[i].service_level);
        lcm_set_number(L, "asa_seconds", out[i].asa_seconds);
        lcm_set_number(L, "occupancy", out[i].occupancy);
        lua_seti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* ---- contact counters ------------------------------------------------------- */

LCM_ACCUMULATOR_CORE(contact, cm_contact)

static int contact_add(lua_State *L)
{
    cm_contact *c = check_contact(L, 1);
    const cm_status st =
        cm_contact_add(c, luaL_checknumber(L, 2), luaL_optnumber(L, 3, 0.0), lua_toboolean(L, 4));
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_settop(L, 1);
    return 1;
}

static int contact_add_many(lua_State *L)
{
    lua_settop(L, 4); /* scratch arrays are pushed above the arguments */
    cm_contact *c = check_contact(L, 1);
    const double *waits, *handles;
    const size_t n = check_pair(L, 2, 3, &waits, &handles);
    luaL_checktype(L, 4, LUA_TTABLE);
    luaL_argcheck(L, luaL_len(L, 4) == (lua_Integer)n, 4, "must have one flag per contact");
    uint8_t *gone = (uint8_t *)lua_newuserdatauv(L, n ? n : 1, 0);
    for (size_t i = 0; i < n; i++) {
        lua_geti(L, 4, (lua_Integer)i + 1);
        gone[i] =
            (uint8_t)(lua_isinteger(L, -1) ? lua_tointeger(L, -1) != 0 : lua_toboolean(L, -1));
        lua_pop(L, 1);
    }
    const cm_status st = cm_contact_add_many(c, waits, handles, gone, n);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_settop(L, 1);
    return 1;
}

static int contact_service_level(lua_State *L)
{
    const lua_Integer v = luaL_optinteger(L, 2, CM_SL_ABANDONS_AGAINST);
    double sl = 0;
    const cm_status st = cm_contact_service_level(
        check_contact(L, 1), (cm_sl_variant)(v < 0 || v > 1000 ? 1000 : v), &sl);
    return lcm_number_or_fail(L, st, sl);
}

static int contact_service_level_counts(lua_State *L)
{
    const lua_Integer v = luaL_optinteger(L, 2, CM_SL_ABANDONS_AGAINST);
    uint64_t num = 0, den = 0;
    const cm_status st = cm_contact_service_level_counts(
        check_contact(L, 1), (cm_sl_variant)(v < 0 || v > 1000 ? 1000 : v), &num, &den);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_pushinteger(L, (lua_Integer)num);
    lua_pushinteger(L, (lua_Integer)den);
    return 2;
}

static int contact_abandonment_rate(lua_State *L)
{
    double v = 0;
    const bool exclude_short = lua_isnoneornil(L, 2) ? true : lua_toboolean(L, 2);
    const cm_status st = cm_contact_abandonment_rate(check_contact(L, 1), exclude_short, &v);
    return lcm_number_or_fail(L, st, v);
}

static int contact_asa(lua_State *L)
{
    double v = 0;
    const cm_status st = cm_contact_asa(check_contact(L, 1), &v);
    return lcm_number_or_fail(L, st, v);
}

static int contact_aht(lua_State *L)
{
    double v = 0;
    const cm_status st = cm_contact_aht(check_contact(L, 1), &v);
    return lcm_number_or_fail(L, st, v);
}

static int contact_abandon_time(lua_State *L)
{
    double v = 0;
    const cm_status st = cm_contact_abandon_time(check_contact(L, 1), &v);
    return lcm_number_or_fail(L, st, v);
}

static int contact_occupancy(lua_State *L)
{
    double v = 0;
    const cm_status st = cm_contact_occupancy(check_contact(L, 1), luaL_checknumber(L, 2), &v);
    return lcm_number_or_fail(L, st, v);
}

static int contact_result(lua_State *L)
{
    const cm_contact *c = check_contact(L, 1);
    lua_createtable(L, 0, 6);
    lcm_set_integer(L, "offered", (lua_Integer)c->offered);
    lcm_set_integer(L, "answered", (lua_Integer)c->answered);
    lcm_set_integer(L, "answered_within", (lua_Integer)c->answered_within);
    lcm_set_integer(L, "abandoned", (lua_Integer)c->abandoned);
    lcm_set_integer(L, "abandoned_within", (lua_Integer)c->abandoned_within);
    lcm_set_integer(L, "abandoned_short", (lua_Integer)c->abandoned_short);
    return 1;
}

static int contact__tostring(lua_State *L)
{
    const cm_contact *c = check_contact(L, 1);
    lua_pushfstring(L, "caremetrics.contacts(offered=%I, answered=%I, abandoned=%I)",
                    (lua_Integer)c->offered, (lua_Integer)c->answered, (lua_Integer)c->abandoned);
    return 1;
}

LCM_METHODS(contact)

static int l_contacts(lua_State *L)
{
    cm_contact init = {0};
    if (!lua_isnoneornil(L, 1)) {
        const cm_status st = cm_contact_init(&init, luaL_checknumber(L, 1), luaL_checknumber(L, 2));
        if (st != CM_OK)
            return lcm_fail(L, st);
    }
    *new_contact(L) = init;
    return 1;
}

void lcm_open_queue(lua_State *L)
{
    lcm_new_class(L, "caremetrics.contact", contact_methods);
    luaL_getmetatable(L, "caremetrics.contact");
    static const luaL_Reg extra[] = {
        {"service_level", contact_service_level},
        {"service_level_counts", contact_service_level_counts},
        {"abandonment_rate", contact_abandonment_rate},
        {"asa", contact_asa},
        {"aht", contact_aht},
        {"abandon_time", contact_abandon_time},
        {"occupancy", contact_occupancy},
        {NULL, NULL},
    };
    luaL_setfuncs(L, extra, 0);
    lua_pop(L, 1);
    static const luaL_Reg functions[] = {
        {"erlang_b", l_erlang_b},
        {"erlang_c", l_erlang_c},
        {"erlang_service_level", l_erlang_service_level},
        {"erlang_asa", l_erlang_asa},
        {"erlang_occupancy", l_erlang_occupancy},
        {"erlang_agents", l_erlang_agents},
        {"erlang_agents_asa", l_erlang_agents_asa},
        {"erlang_a", l_erlang_a},
        {"erlang_a_agents", l_erlang_a_agents},
        {"workload_hours", l_workload_hours},
        {"workforce_plan", l_workforce_plan},
        {"staffing_plan", l_staffing_plan},
        {"contacts", l_contacts},
        {"contacts_deserialize", contact_deserialize},
        {NULL, NULL},
    };
    luaL_setfuncs(L, functions, 0);
    static const struct {
        const char *name;
        lua_Integer value;
    } variants[] = {
        {"SL_ANSWERED_ONLY", CM_SL_ANSWERED_ONLY},
        {"SL_ABANDONS_AGAINST", CM_SL_ABANDONS_AGAINST},
        {"SL_ABANDONS_BEFORE_T_IGNORED", CM_SL_ABANDONS_BEFORE_T_IGNORED},
        {"SL_ABANDONS_BEFORE_T_MET", CM_SL_ABANDONS_BEFORE_T_MET},
        {"SL_SHORT_ABANDONS_MET", CM_SL_SHORT_ABANDONS_MET},
        {"SL_SHORT_ABANDONS_EXCLUDED", CM_SL_SHORT_ABANDONS_EXCLUDED},
    };
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        lua_pushinteger(L, variants[i].value);
        lua_setfield(L, -2, variants[i].name);
    }
}
