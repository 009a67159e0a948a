/*
 * Policy sets and help-desk exports from Lua (docs/sla.md, sections 11-16).
 *
 *   local set = assert(caremetrics.sla_policyset(text))
 *   local ticket = assert(caremetrics.sla_import("jira-issue", json,
 *                                                {statuses = {Triage = "new"}, skip_unknown = true}))
 *   local records, alarm = set:evaluate(ticket, now, {calendar}, {calendar_history})
 *   -- records[i]: metric, cycle, state, level, policy, breached, calendar, start, stop,
 *   --   due, breach, elapsed, target, remaining, group_event, warnings = {{percent, at}}
 *   -- alarm: the next warning or breach, {at, record, warning} (nil when none)
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics.h>

#include <stdint.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lcaremetrics.h"
#include "lcm-calendar.h"

#define POLICYSET     "caremetrics.sla_policyset"
#define TICKET        "caremetrics.sla_ticket"
#define MAX_CALENDARS 64
#define MAX_STATUSES  256

typedef struct set_handle {
    cm_sla_policyset *ptr;
} set_handle;

typedef struct ticket_handle {
    cm_sla_ticket *ptr;
} ticket_handle;

static cm_sla_policyset *check_set(lua_State *L, int idx)
{
    set_handle *h = (set_handle *)luaL_checkudata(L, idx, POLICYSET);
    luaL_argcheck(L, h->ptr != NULL, idx, "policy set is closed");
    return h->ptr;
}

static cm_sla_ticket *check_ticket(lua_State *L, int idx)
{
    ticket_handle *h = (ticket_handle *)luaL_checkudata(L, idx, TICKET);
    luaL_argcheck(L, h->ptr != NULL, idx, "ticket is closed");
    return h->ptr;
}

static int l_policyset(lua_State *L)
{
    const char *text = lcm_arg_text(L, 1, "text");
    if (text == NULL)
        return 3;
    set_handle *h = (set_handle *)lua_newuserdatauv(L, sizeof *h, 0);
    h->ptr = NULL;
    luaL_setmetatable(L, POLICYSET);
    cm_parse_error err = {0, 0, NULL};
    const cm_status st = cm_sla_policyset_parse(text, NULL, &h->ptr, &err);
    return st == CM_OK ? 1 : lcm_fail_parse(L, st, &err);
}

static int set_close(lua_State *L)
{
    set_handle *h = (set_handle *)luaL_checkudata(L, 1, POLICYSET);
    cm_sla_policyset_free(h->ptr);
    h->ptr = NULL;
    return 0;
}

static int set_tostring(lua_State *L)
{
    set_handle *h = (set_handle *)luaL_checkudata(L, 1, POLICYSET);
    lua_pushstring(L, h->ptr ? POLICYSET : POLICYSET " (closed)");
    return 1;
}

/* set:levels(): the priority levels' names, lowest first. */
static int set_levels(lua_State *L)
{
    const cm_sla_policyset *set = check_set(L, 1);
    cm_sla_policyset_shape shape;
    const cm_status st = cm_sla_policyset_info(set, &shape);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, (int)shape.nlevels, 0);
    for (uint32_t i = 1; i <= shape.nlevels; i++) {
        lua_pushstring(L, cm_sla_policyset_level_name(set, i));
        lua_seti(L, -2, (lua_Integer)i);
    }
    return 1;
}

/* set:policies(): the policies' names in their order. */
static int set_policies(lua_State *L)
{
    const cm_sla_policyset *set = check_set(L, 1);
    cm_sla_policyset_shape shape;
    cm_status st = cm_sla_policyset_info(set, &shape);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, (int)shape.npolicies, 0);
    for (uint32_t i = 0; i < shape.npolicies; i++) {
        const char *name = NULL;
        st = cm_sla_policyset_policy(set, i, &name, NULL);
        if (st != CM_OK)
            return lcm_fail(L, st);
        lua_pushstring(L, name);
        lua_seti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static void set_time(lua_State *L, const char *key, cm_time t)
{
    if (t != CM_SLA_NO_TIME)
        lcm_set_integer(L, key, t);
}

static void push_record(lua_State *L, const cm_sla_policyset *set, const cm_sla_record *r)
{
    const cm_sla_instance *o = &r->instance;
    lua_createtable(L, 0, 16);
    lua_pushstring(L, cm_sla_policyset_metric_name(set, o->metric));
    lua_setfield(L, -2, "metric");
    lua_pushstring(L, cm_sla_state_name(o->state));
    lua_setfield(L, -2, "state");
    lua_pushstring(L, cm_sla_policyset_level_name(set, o->priority));
    lua_setfield(L, -2, "level");
    const char *policy = NULL;
    if (r->policy != CM_SLA_NO_POLICY &&
        cm_sla_policyset_policy(set, r->policy, &policy, NULL) == CM_OK) {
        lua_pushstring(L, policy);
        lua_setfield(L, -2, "policy");
    }
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
    if (r->event != CM_SLA_NO_EVENT)
        lcm_set_integer(L, "group_event", (lua_Integer)r->event + 1);
    lua_createtable(L, r->nwarnings, 0);
    for (uint32_t k = 0; k < r->nwarnings && k < CM_SLA_MAX_WARNINGS; k++) {
        lua_createtable(L, 0, 2);
        lcm_set_integer(L, "percent", r->warn_percent[k]);
        set_time(L, "at", r->warnings[k]);
        lua_seti(L, -2, (lua_Integer)k + 1);
    }
    lua_setfield(L, -2, "warnings");
}

/* The table at idx (nil: none) of calendars (into cals) or histories (into hists, when
 * cals is NULL), at most MAX_CALENDARS. */
static size_t check_clocks(lua_State *L, int idx, const cm_calendar **cals,
                           const cm_calendar_history **hists)
{
    if (lua_isnil(L, idx))
        return 0;
    luaL_checktype(L, idx, LUA_TTABLE);
    const lua_Integer len = luaL_len(L, idx);
    luaL_argcheck(L, len <= MAX_CALENDARS, idx, "too many calendars");
    for (lua_Integer i = 0; i < len; i++) {
        lua_geti(L, idx, i + 1);
        if (cals != NULL)
            cals[i] = lcm_check_calendar(L, -1);
        else
            hists[i] = lcm_check_calendar_history(L, -1);
        lua_pop(L, 1);
    }
    return (size_t)len;
}

/* set:evaluate(ticket [, now [, calendars [, histories]]]): records, and the next alarm or nil. */
static int set_evaluate(lua_State *L)
{
    lua_settop(L, 5); /* the records are pushed above the arguments */
    const cm_sla_policyset *set = check_set(L, 1);
    const cm_sla_ticket *ticket = check_ticket(L, 2);
    const cm_calendar *cals[MAX_CALENDARS];
    const cm_calendar_history *hists[MAX_CALENDARS];
    const size_t ncal = check_clocks(L, 4, cals, NULL);
    const size_t nhist = check_clocks(L, 5, NULL, hists);
    cm_sla_policyset_shape shape;
    cm_status st = cm_sla_policyset_info(set, &shape);
    if (st != CM_OK)
        return lcm_fail(L, st);
    if (shape.nhistories > nhist)
        return lcm_fail_detail(L, CM_EINVAL, "the policy set names %d calendar histories, %d given",
                               (int)shape.nhistories, (int)nhist);
    if (shape.ncalendars > ncal)
        return lcm_fail_detail(L, CM_EINVAL, "the policy set names %d calendars, %d given",
                               (int)shape.ncalendars, (int)ncal);
    const cm_sla_ticket_event *ev = NULL;
    size_t nev = 0;
    st = cm_sla_ticket_events(ticket, &ev, &nev);
    if (st != CM_OK)
        return lcm_fail(L, st);
    const cm_time now = lua_isnil(L, 3) ? ev[nev - 1].event.at : luaL_checkinteger(L, 3);
    const cm_sla_calendars calendars = {cals, ncal, hists, nhist};
    size_t need = 0;
    st = cm_sla_policyset_evaluate(set, &calendars, ev, nev, now, NULL, 0, &need);
    if (st != CM_ENOSPC && st != CM_OK)
        return lcm_fail(L, st);
    cm_sla_record *out = (cm_sla_record *)lua_newuserdatauv(L, (need ? need : 1) * sizeof *out, 0);
    size_t n = 0;
    st = cm_sla_policyset_evaluate(set, &calendars, ev, nev, now, out, need, &n);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        push_record(L, set, &out[i]);
        lua_seti(L, -2, (lua_Integer)i + 1);
    }
    cm_sla_alarm alarm;
    st = cm_sla_next_alarm(out, n, &alarm);
    if (st == CM_ENODATA) {
        lua_pushnil(L);
        return 2;
    }
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, 0, 3);
    lcm_set_integer(L, "at", alarm.at);
    lcm_set_integer(L, "record", (lua_Integer)alarm.record + 1);
    if (alarm.kind > 0)
        lcm_set_integer(L, "warning", out[alarm.record].warn_percent[alarm.kind - 1]);
    return 2;
}

/* The options table at idx into *io; false after pushing the error triple. */
static bool import_options(lua_State *L, int idx, cm_sla_import_options *io, const char **names,
                           uint32_t *cats)
{
    memset(io, 0, sizeof *io);
    if (lua_isnoneornil(L, idx))
        return true;
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_getfield(L, idx, "skip_unknown");
    if (lua_toboolean(L, -1))
        io->flags |= CM_SLA_IMPORT_SKIP_UNKNOWN;
    lua_pop(L, 1);
    lua_getfield(L, idx, "statuses"); /* stays on the stack: it owns the names */
    if (lua_isnil(L, -1))
        return true;
    luaL_argcheck(L, lua_istable(L, -1), idx, "statuses must be a table of name = category");
    const int t = lua_gettop(L);
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, t) != 0) {
        if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING) {
            lcm_fail_detail(L, CM_EINVAL, "statuses: names and categories must be strings");
            return false;
        }
        size_t len = 0;
        const char *name = lua_tolstring(L, -2, &len);
        const char *cat = lua_tostring(L, -1);
        if (len == 0 || strlen(name) != len) {
            lcm_fail_detail(L, CM_EINVAL, "statuses: a name is empty or has a NUL byte");
            return false;
        }
        uint32_t c = 0;
        while (c < CM_SLA_STATUS_COUNT && strcmp(cat, cm_sla_status_name(c)) != 0)
            c++;
        if (c == CM_SLA_STATUS_COUNT) {
            lcm_fail_detail(L, CM_EINVAL,
                            "statuses[\"%s\"] = \"%s\" is not one of new, open, pending, "
                            "on-hold, solved, closed",
                            name, cat);
            return false;
        }
        if (n == MAX_STATUSES) {
            lcm_fail_detail(L, CM_EINVAL, "statuses: at most %d of them", MAX_STATUSES);
            return false;
        }
        names[n] = name; /* the key stays referenced by the table */
        cats[n++] = c;
        lua_pop(L, 1);
    }
    io->status_names = names;
    io->status_categories = cats;
    io->nstatuses = n;
    return true;
}

/* caremetrics.sla_import(format, json [, options]): a ticket, or nil, message, status. */
static int l_import(lua_State *L)
{
    static const struct {
        const char *name;
        uint32_t format;
    } formats[] = {
        {"zendesk-audits", CM_SLA_IMPORT_ZENDESK_AUDITS},
        {"zendesk-metric-events", CM_SLA_IMPORT_ZENDESK_METRIC_EVENTS},
        {"jira-issue", CM_SLA_IMPORT_JIRA_ISSUE},
        {"jira-changelog", CM_SLA_IMPORT_JIRA_ISSUE},
    };
    lua_settop(L, 3);
    const char *fname = luaL_checkstring(L, 1);
    size_t f = 0;
    while (f < sizeof formats / sizeof formats[0] && strcmp(fname, formats[f].name) != 0)
        f++;
    if (f == sizeof formats / sizeof formats[0])
        return lcm_fail_detail(L, CM_EINVAL,
                               "format = \"%s\" is not one of zendesk-audits, "
                               "zendesk-metric-events, jira-issue, jira-changelog",
                               fname);
    size_t len = 0;
    const char *json = luaL_checklstring(L, 2, &len);
    const char *names[MAX_STATUSES];
    uint32_t cats[MAX_STATUSES];
    cm_sla_import_options io;
    if (!import_options(L, 3, &io, names, cats))
        return 3;
    ticket_handle *h = (ticket_handle *)lua_newuserdatauv(L, sizeof *h, 0);
    h->ptr = NULL;
    luaL_setmetatable(L, TICKET);
    cm_parse_error err = {0, 0, NULL};
    const cm_status st = cm_sla_import(formats[f].format, json, len, &io, NULL, &h->ptr, &err);
    return st == CM_OK ? 1 : lcm_fail_parse(L, st, &err);
}

static int ticket_close(lua_State *L)
{
    ticket_handle *h = (ticket_handle *)luaL_checkudata(L, 1, TICKET);
    cm_sla_ticket_free(h->ptr);
    h->ptr = NULL;
    return 0;
}

static int ticket_tostring(lua_State *L)
{
    ticket_handle *h = (ticket_handle *)luaL_checkudata(L, 1, TICKET);
    lua_pushstring(L, h->ptr ? TICKET : TICKET " (closed)");
    return 1;
}

/* ticket:info(): its id, its number of events and the entries skipped as unknown. */
static int ticket_info(lua_State *L)
{
    const cm_sla_ticket *t = check_ticket(L, 1);
    const char *id = NULL;
    size_t skipped = 0, n = 0;
    const cm_sla_ticket_event *ev = NULL;
    cm_status st = cm_sla_ticket_info(t, &id, &skipped);
    if (st == CM_OK)
        st = cm_sla_ticket_events(t, &ev, &n);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_pushstring(L, id);
    lua_pushinteger(L, (lua_Integer)n);
    lua_pushinteger(L, (lua_Integer)skipped);
    return 3;
}

void lcm_open_sla_policyset(lua_State *L)
{
    static const luaL_Reg set_methods[] = {
        {"evaluate", set_evaluate},   {"levels", set_levels}, {"policies", set_policies},
        {"close", set_close},         {"__gc", set_close},    {"__close", set_close},
        {"__tostring", set_tostring}, {NULL, NULL},
    };
    static const luaL_Reg ticket_methods[] = {
        {"info", ticket_info},     {"close", ticket_close},         {"__gc", ticket_close},
        {"__close", ticket_close}, {"__tostring", ticket_tostring}, {NULL, NULL},
    };
    lcm_new_class(L, POLICYSET, set_methods);
    lcm_new_class(L, TICKET, ticket_methods);
    static const luaL_Reg functions[] = {
        {"sla_policyset", l_policyset},
        {"sla_import", l_import},
        {NULL, NULL},
    };
    luaL_setfuncs(L, functions, 0);
}
