/*
 * SLA policies, event-log replay and attainment from Lua.
 *
 *   local policy = assert(caremetrics.sla_policy(text))
 *   local events = {{at = t0, type = caremetrics.SLA_CREATED, value = caremetrics.SLA_NORMAL},
 *                   {at = t1, type = caremetrics.SLA_AGENT_REPLY}}
 *   local instances = caremetrics.sla_evaluate(policy, events, now, {calendar})
 *   local acc = caremetrics.sla_attainment(); acc:add(policy, events, now, {calendar})
 *   -- many tickets in one library call: a table of event tables
 *   local per_ticket = caremetrics.sla_evaluate_many(policy, {events1, events2}, now, {calendar})
 *   acc:add_many(policy, {events1, events2}, now, {calendar})
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics.h>

#include <stdint.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lcaremetrics.h"
#include "lcm-calendar.h"

#define POLICY        "caremetrics.sla_policy"
#define MAX_CALENDARS 16

typedef struct policy_handle {
    cm_sla_policy *ptr;
} policy_handle;

static cm_sla_policy *check_policy(lua_State *L, int idx)
{
    policy_handle *h = (policy_handle *)luaL_checkudata(L, idx, POLICY);
    luaL_argcheck(L, h->ptr != NULL, idx, "policy is closed");
    return h->ptr;
}

static int l_policy(lua_State *L)
{
    const char *text = lcm_arg_text(L, 1, "text");
    if (text == NULL)
        return 3;
    policy_handle *h = (policy_handle *)lua_newuserdatauv(L, sizeof *h, 0);
    h->ptr = NULL;
    luaL_setmetatable(L, POLICY);
    cm_parse_error err = {0, 0, NULL};
    const cm_status st = cm_sla_policy_parse(text, &h->ptr, &err);
    return st == CM_OK ? 1 : lcm_fail_parse(L, st, &err);
}

static int policy_close(lua_State *L)
{
    policy_handle *h = (policy_handle *)luaL_checkudata(L, 1, POLICY);
    cm_sla_policy_free(h->ptr);
    h->ptr = NULL;
    return 0;
}

static int policy_target(lua_State *L)
{
    cm_sla_target t;
    const cm_sla_policy *policy = check_policy(L, 1);
    uint32_t metric, priority;
    if (!lcm_arg_u32(L, 2, "metric", &metric) || !lcm_arg_u32(L, 3, "priority", &priority))
        return 3;
    const cm_status st = cm_sla_policy_target(policy, metric, priority, &t);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, 0, 2);
    lcm_set_integer(L, "seconds", t.seconds);
    if (t.calendar != CM_SLA_CALENDAR_TIME)
        lcm_set_integer(L, "calendar", t.calendar);
    return 1;
}

static int policy_tostring(lua_State *L)
{
    policy_handle *h = (policy_handle *)luaL_checkudata(L, 1, POLICY);
    lua_pushstring(L, h->ptr ? "caremetrics.sla_policy" : "caremetrics.sla_policy (closed)");
    return 1;
}

static lua_Integer field_int(lua_State *L, int idx, const char *key, bool required)
{
    lua_getfield(L, idx, key);
    const lua_Integer v = required ? luaL_checkinteger(L, -1) : luaL_optinteger(L, -1, 0);
    lua_pop(L, 1);
    return v;
}

/* A field of event i in [0, max]; false after pushing the error triple naming it. */
static bool event_field(lua_State *L, int e, lua_Integer i, const char *key, bool required,
                        lua_Integer max, lua_Integer *out)
{
    const lua_Integer v = field_int(L, e, key, required);
    if (v >= 0 && v <= max) {
        *out = v;
        return true;
    }
    lcm_fail_detail(L, v < 0 ? CM_EINVAL : CM_ERANGE, "events[%I].%s = %I is outside 0 .. %I",
                    i + 1, key, v, max);
    return false;
}

/* Reads the events table at idx into Lua-owned memory (pushed), or returns NULL
 * after pushing the error triple for an out-of-range field. */
static cm_sla_event *check_events(lua_State *L, int idx, size_t *n)
{
    luaL_checktype(L, idx, LUA_TTABLE);
    const lua_Integer len = luaL_len(L, idx);
    cm_sla_event *ev =
        (cm_sla_event *)lua_newuserdatauv(L, (size_t)(len > 0 ? len : 1) * sizeof *ev, 0);
    for (lua_Integer i = 0; i < len; i++) {
        lua_geti(L, idx, i + 1);
        luaL_checktype(L, -1, LUA_TTABLE);
        const int e = lua_gettop(L);
        lua_Integer type, flags, value;
        ev[i].at = field_int(L, e, "at", true);
        if (!event_field(L, e, i, "type", true, UINT16_MAX, &type) ||
            !event_field(L, e, i, "flags", false, UINT16_MAX, &flags) ||
            !event_field(L, e, i, "value", false, (lua_Integer)UINT32_MAX, &value))
            return NULL;
        ev[i].type = (uint16_t)type;
        ev[i].flags = (uint16_t)flags;
        ev[i].value = (uint32_t)value;
        lua_pop(L, 1);
    }
    *n = (size_t)len;
    return ev;
}

/* The calendars table at idx (may be absent) into an array of at most MAX_CALENDARS. */
static size_t check_calendars(lua_State *L, int idx, const cm_calendar **cals)
{
    if (lua_isnoneornil(L, idx))
        return 0;
    luaL_checktype(L, idx, LUA_TTABLE);
    const lua_Integer len = luaL_len(L, idx);
    luaL_argcheck(L, len <= MAX_CALENDARS, idx, "too many calendars");
    for (lua_Integer i = 0; i < len; i++) {
        lua_geti(L, idx, i + 1);
        cals[i] = lcm_check_calendar(L, -1);
        lua_pop(L, 1);
    }
    return (size_t)len;
}

/* Evaluates args (policy, events, now, calendars) at base; the instances go to
 * Lua-owned memory (pushed), sized by a first call that asks for the count.
 * Returns false after pushing the error triple of an out-of-range event field;
 * else true with the library's status in *st. */
static bool evaluate(lua_State *L, int base, cm_sla_instance **out, size_t *count, cm_status *st)
{
    const cm_sla_policy *policy = check_policy(L, base);
    const cm_time now = luaL_checkinteger(L, base + 2);
    const cm_calendar *cals[MAX_CALENDARS];
    const size_t ncal = check_calendars(L, base + 3, cals);
    size_t nev;
    const cm_sla_event *ev = check_events(L, base + 1, &nev);
    if (ev == NULL)
        return false;
    cm_sla_instance probe[1];
    size_t need = 0;
    *st = cm_sla_evaluate(policy, cals, ncal, ev, nev, now, probe, 0, &need);
    if (*st != CM_ENOSPC && *st != CM_OK)
        return true;
    *out = (cm_sla_instance *)lua_newuserdatauv(L, (need ? need : 1) * sizeof **out, 0);
    *st = cm_sla_evaluate(policy, cals, ncal, ev, nev, now, *out, need, count);
    return true;
}

static void set_time(lua_State *L, const char *key, cm_time t)
{
    if (t != CM_SLA_NO_TIME)
        lcm_set_integer(L, key, t);
}

/* Pushes an array of instance tables. */
static void push_instances(lua_State *L, const cm_sla_instance *out, size_t n)
{
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        const cm_sla_instance *o = &out[i];
        lua_createtable(L, 0, 14);
        lua_pushstring(L, cm_sla_metric_name(o->metric));
        lua_setfield(L, -2, "metric");
        lua_pushstring(L, cm_sla_state_name(o->state));
        lua_setfield(L, -2, "state");
        lua_pushstring(L, cm_sla_priority_name(o->priority));
        lua_setfield(L, -2, "priority");
        lua_pushboolean(L, o->breached);
        lua_setfield(L, -2, "breached");
        lcm_set_integer(L, "cycle", o->cycle);
        if (o->calendar != CM_SLA_CALENDAR_TIME)
            lcm_set_integer(L, "calendar", o->calendar);
        set_time(L, "start", o->start);
        set_time(L, "stop", o->stop);
        set_time(L, "due", o->due);
        set_time(L, "breach", o->breach);
        lcm_set_integer(L, "elapsed", o->elapsed);
        lcm_set_integer(L, "target", o->target);
        lcm_set_integer(L, "remaining", o->remaining);
        lua_seti(L, -2, (lua_Integer)i + 1);
    }
}

static int l_evaluate(lua_State *L)
{
    lua_settop(L, 4); /* scratch arrays are pushed above the arguments */
    cm_sla_instance *out = NULL;
    size_t n = 0;
    cm_status st;
    if (!evaluate(L, 1, &out, &n, &st))
        return 3;
    if (st != CM_OK)
        return lcm_fail(L, st);
    push_instances(L, out, n);
    return 1;
}

/* ---- many tickets at once ------------------------------------------------------------ */

/* A column of tickets: the tickets table at idx (an array of event arrays), its
 * events concatenated and the offsets, in Lua-owned memory (pushed). Returns
 * false after pushing the error triple of an out-of-range field. */
typedef struct column {
    cm_sla_event *events;
    size_t nevents;
    size_t *offsets;
    size_t ntickets;
    size_t max_events;
} column;

static bool check_column(lua_State *L, int idx, column *c)
{
    luaL_checktype(L, idx, LUA_TTABLE);
    const lua_Integer nt = luaL_len(L, idx);
    size_t total = 0;
    c->max_events = 0;
    for (lua_Integer i = 0; i < nt; i++) {
        lua_geti(L, idx, i + 1);
        luaL_argcheck(L, lua_type(L, -1) == LUA_TTABLE, idx,
                      "each ticket must be a table of events");
        const size_t len = (size_t)luaL_len(L, -1);
        total += len;
        c->max_events = len > c->max_events ? len : c->max_events;
        lua_pop(L, 1);
    }
    c->ntickets = (size_t)nt;
    c->nevents = total;
    c->offsets = (size_t *)lua_newuserdatauv(L, ((size_t)nt + 1) * sizeof *c->offsets, 0);
    c->events = (cm_sla_event *)lua_newuserdatauv(L, (total ? total : 1) * sizeof *c->events, 0);
    size_t at = 0;
    c->offsets[0] = 0;
    for (lua_Integer i = 0; i < nt; i++) {
        lua_geti(L, idx, i + 1);
        size_t n;
        const cm_sla_event *ev = check_events(L, lua_gettop(L), &n);
        if (ev == NULL)
            return false;
        memcpy(c->events + at, ev, n * sizeof *ev);
        at += n;
        c->offsets[i + 1] = at;
        lua_pop(L, 2); /* the ticket's scratch copy and the ticket */
    }
    return true;
}

static int fail_ticket(lua_State *L, cm_status st, size_t failed, size_t ntickets)
{
    if (failed < ntickets)
        return lcm_fail_detail(L, st, "tickets[%I]", (lua_Integer)failed + 1);
    return lcm_fail(L, st);
}

static int l_evaluate_many(lua_State *L)
{
    lua_settop(L, 4); /* scratch arrays are pushed above the arguments */
    const cm_sla_policy *policy = check_policy(L, 1);
    const cm_time now = luaL_checkinteger(L, 3);
    const cm_calendar *cals[MAX_CALENDARS];
    const size_t ncal = check_calendars(L, 4, cals);
    column c;
    if (!check_column(L, 2, &c))
        return 3;
    size_t *offs = (size_t *)lua_newuserdatauv(L, (c.ntickets + 1) * sizeof *offs, 0);
    size_t need = 0, failed = SIZE_MAX;
    cm_status st = cm_sla_evaluate_many(policy, cals, ncal, c.events, c.nevents, c.offsets,
                                        c.ntickets, now, NULL, 0, offs, &need, &failed);
    if (st != CM_OK && st != CM_ENOSPC)
        return fail_ticket(L, st, failed, c.ntickets);
    cm_sla_instance *out =
        (cm_sla_instance *)lua_newuserdatauv(L, (need ? need : 1) * sizeof *out, 0);
    size_t n = 0;
    st = cm_sla_evaluate_many(policy, cals, ncal, c.events, c.nevents, c.offsets, c.ntickets, now,
                              out, need, offs, &n, &failed);
    if (st != CM_OK)
        return fail_ticket(L, st, failed, c.ntickets);
    lua_createtable(L, (int)c.ntickets, 0);
    for (size_t i = 0; i < c.ntickets; i++) {
        push_instances(L, out + offs[i], offs[i + 1] - offs[i]);
        lua_seti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* ---- attainment -------------------------------------------------------------------- */

LCM_ACCUMULATOR_CORE(sla_attainment, cm_sla_attainment)

static int sla_attainment_add(lua_State *L)
{
    lua_settop(L, 5);
    cm_sla_attainment *acc = check_sla_attainment(L, 1);
    cm_sla_instance *out = NULL;
    size_t n = 0;
    cm_status st;
    if (!evaluate(L, 2, &out, &n, &st))
        return 3;
    if (st == CM_OK)
        st = cm_sla_attainment_add(acc, out, n);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_settop(L, 1);
    return 1;
}

static int sla_attainment_add_many(lua_State *L)
{
    lua_settop(L, 5);
    cm_sla_attainment *acc = check_sla_attainment(L, 1);
    const cm_sla_policy *policy = check_policy(L, 2);
    const cm_time now = luaL_checkinteger(L, 4);
    const cm_calendar *cals[MAX_CALENDARS];
    const size_t ncal = check_calendars(L, 5, cals);
    column c;
    if (!check_column(L, 3, &c))
        return 3;
    const size_t size = cm_sla_attainment_add_many_scratch_size(c.max_events ? c.max_events : 1);
    luaL_argcheck(L, size != 0, 3, "a ticket has too many events");
    /* Lua userdata memory is aligned for any C type (LUAI_MAXALIGN). */
    void *scratch = lua_newuserdatauv(L, size, 0);
    size_t failed = SIZE_MAX;
    const cm_status st =
        cm_sla_attainment_add_many(acc, policy, cals, ncal, c.events, c.nevents, c.offsets,
                                   c.ntickets, now, scratch, size, &failed);
    if (st != CM_OK)
        return fail_ticket(L, st, failed, c.ntickets);
    lua_settop(L, 1);
    return 1;
}

static int sla_attainment_result(lua_State *L)
{
    cm_sla_attainment_summary s;
    const cm_sla_attainment *acc = check_sla_attainment(L, 1);
    uint32_t metric, prio = CM_SLA_PRIORITY_ALL;
    if (!lcm_arg_u32(L, 2, "metric", &metric) ||
        (!lua_isnoneornil(L, 3) && !lcm_arg_u32(L, 3, "priority", &prio)))
        return 3;
    const cm_status st = cm_sla_attainment_result(acc, metric, prio,
                                                  luaL_optnumber(L, 4, CM_DEFAULT_CONFIDENCE), &s);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, 0, 8);
    lcm_set_integer(L, "achieved", (lua_Integer)s.achieved);
    lcm_set_integer(L, "breached", (lua_Integer)s.breached);
    lcm_set_integer(L, "open", (lua_Integer)s.open);
    lcm_push_proportion(L, &s.attained);
    lua_setfield(L, -2, "attained");
    lcm_set_number(L, "mean_seconds", s.elapsed.mean_seconds);
    if (s.has_quantiles) {
        lcm_set_number(L, "p50_seconds", s.p50_seconds);
        lcm_set_number(L, "p90_seconds", s.p90_seconds);
        lcm_set_number(L, "p99_seconds", s.p99_seconds);
    }
    return 1;
}

static int sla_attainment__tostring(lua_State *L)
{
    check_sla_attainment(L, 1);
    lua_pushstring(L, "caremetrics.sla_attainment");
    return 1;
}

static const luaL_Reg sla_attainment_methods[] = {
    {"add", sla_attainment_add},
    {"add_many", sla_attainment_add_many},
    {"merge", sla_attainment_merge},
    {"result", sla_attainment_result},
    {"serialize", sla_attainment_serialize},
    {"__add", sla_attainment__add},
    {"__eq", sla_attainment__eq},
    {"__gc", sla_attainment__gc},
    {"__tostring", sla_attainment__tostring},
    {NULL, NULL},
};

static int l_attainment(lua_State *L)
{
    new_sla_attainment(L);
    return 1;
}

void lcm_open_sla(lua_State *L)
{
    static const luaL_Reg policy_methods[] = {
        {"target", policy_target}, {"close", policy_close},         {"__gc", policy_close},
        {"__close", policy_close}, {"__tostring", policy_tostring}, {NULL, NULL},
    };
    lcm_new_class(L, POLICY, policy_methods);
    lcm_new_class(L, "caremetrics.sla_attainment", sla_attainment_methods);
    static const luaL_Reg functions[] = {
        {"sla_policy", l_policy},
        {"sla_evaluate", l_evaluate},
        {"sla_evaluate_many", l_evaluate_many},
        {"sla_attainment", l_attainment},
        {"sla_attainment_deserialize", sla_attainment_deserialize},
        {NULL, NULL},
    };
    luaL_setfuncs(L, functions, 0);
    static const struct {
        const char *name;
        lua_Integer value;
    } constants[] = {
        {"SLA_FIRST_REPLY", CM_SLA_FIRST_REPLY},
        {"SLA_NEXT_REPLY", CM_SLA_NEXT_REPLY},
        {"SLA_PERIODIC_UPDATE", CM_SLA_PERIODIC_UPDATE},
        {"SLA_REQUESTER_WAIT", CM_SLA_REQUESTER_WAIT},
        {"SLA_AGENT_WORK", CM_SLA_AGENT_WORK},
        {"SLA_TOTAL_RESOLUTION", CM_SLA_TOTAL_RESOLUTION},
        {"SLA_NONE", CM_SLA_PRIORITY_NONE},
        {"SLA_LOW", CM_SLA_PRIORITY_LOW},
        {"SLA_NORMAL", CM_SLA_PRIORITY_NORMAL},
        {"SLA_HIGH", CM_SLA_PRIORITY_HIGH},
        {"SLA_URGENT", CM_SLA_PRIORITY_URGENT},
        {"SLA_ALL", CM_SLA_PRIORITY_ALL},
        {"SLA_CREATED", CM_SLA_EVENT_CREATED},
        {"SLA_CUSTOMER_REPLY", CM_SLA_EVENT_CUSTOMER_REPLY},
        {"SLA_AGENT_REPLY", CM_SLA_EVENT_AGENT_REPLY},
        {"SLA_AGENT_NOTE", CM_SLA_EVENT_AGENT_NOTE},
        {"SLA_STATUS", CM_SLA_EVENT_STATUS},
        {"SLA_PRIORITY", CM_SLA_EVENT_PRIORITY},
        {"SLA_REOPEN", CM_SLA_EVENT_REOPEN},
        {"SLA_AUTOMATED", CM_SLA_EVENT_AUTOMATED},
        {"SLA_BY_AGENT", CM_SLA_EVENT_BY_AGENT},
        {"SLA_STATUS_NEW", CM_SLA_STATUS_NEW},
        {"SLA_STATUS_OPEN", CM_SLA_STATUS_OPEN},
        {"SLA_STATUS_PENDING", CM_SLA_STATUS_PENDING},
        {"SLA_STATUS_ON_HOLD", CM_SLA_STATUS_ON_HOLD},
        {"SLA_STATUS_SOLVED", CM_SLA_STATUS_SOLVED},
        {"SLA_STATUS_CLOSED", CM_SLA_STATUS_CLOSED},
    };
    for (size_t i = 0; i < sizeof constants / sizeof constants[0]; i++) {
        lua_pushinteger(L, constants[i].value);
        lua_setfield(L, -2, constants[i].name);
    }
}
