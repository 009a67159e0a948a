/*
 * Time zones and business calendars from Lua: userdata that own the C
 * objects and free them in __gc (or :close()).
 *
 *   local cal = assert(caremetrics.calendar("tz America/New_York\nmon-fri 09:00-17:00"))
 *   cal:add(t, 4 * 3600); cal:elapsed(a, b); cal:is_open(t); cal:elapsed_many(as, bs)
 *   local tz = assert(caremetrics.timezone("Europe/London")); tz:utc_offset(t)
 *   local h = assert(caremetrics.calendar_history("tz UTC\nmon-fri 09:00-17:00\nfrom 2025-03-01\n..."))
 *   h:elapsed(a, b); h:add(t, seconds)
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics.h>

#include <lauxlib.h>
#include <lua.h>

#include "lcaremetrics.h"
#include "lcm-calendar.h"

#define CALENDAR "caremetrics.calendar"
#define TIMEZONE "caremetrics.timezone"
#define HISTORY  "caremetrics.calendar_history"

typedef struct handle {
    void *ptr; /* NULL once closed */
} handle;

cm_calendar *lcm_check_calendar(lua_State *L, int idx)
{
    handle *h = (handle *)luaL_checkudata(L, idx, CALENDAR);
    luaL_argcheck(L, h->ptr != NULL, idx, "calendar is closed");
    return h->ptr;
}

static cm_tz *check_tz(lua_State *L, int idx)
{
    handle *h = (handle *)luaL_checkudata(L, idx, TIMEZONE);
    luaL_argcheck(L, h->ptr != NULL, idx, "time zone is closed");
    return h->ptr;
}

static handle *new_handle(lua_State *L, const char *mt)
{
    handle *h = (handle *)lua_newuserdatauv(L, sizeof *h, 0);
    h->ptr = NULL;
    luaL_setmetatable(L, mt);
    return h;
}

static int l_calendar(lua_State *L)
{
    const char *spec = lcm_arg_text(L, 1, "spec");
    if (spec == NULL)
        return 3;
    const cm_tz *tz = lua_isnoneornil(L, 2) ? NULL : check_tz(L, 2);
    handle *h = new_handle(L, CALENDAR);
    cm_parse_error err = {0, 0, NULL};
    cm_calendar *cal = NULL;
    cm_status st;
    if (tz == NULL) {
        st = cm_calendar_parse(spec, &cal, &err);
    } else {
        cm_calendar_builder *b = NULL;
        st = cm_calendar_builder_new(&b);
        if (st == CM_OK)
            st = cm_calendar_builder_add_spec(b, spec, &err);
        if (st == CM_OK)
            st = cm_calendar_builder_set_tz(b, tz);
        if (st == CM_OK)
            st = cm_calendar_builder_build(b, &cal);
        cm_calendar_builder_free(b);
    }
    if (st != CM_OK)
        return lcm_fail_parse(L, st, &err);
    h->ptr = cal;
    return 1;
}

static int calendar_close(lua_State *L)
{
    handle *h = (handle *)luaL_checkudata(L, 1, CALENDAR);
    cm_calendar_free(h->ptr);
    h->ptr = NULL;
    return 0;
}

static int calendar_add(lua_State *L)
{
    cm_time t = 0;
    const cm_status st = cm_calendar_add(lcm_check_calendar(L, 1), luaL_checkinteger(L, 2),
                                         luaL_checkinteger(L, 3), &t);
    return lcm_integer_or_fail(L, st, t);
}

static int calendar_add_roll(lua_State *L)
{
    cm_time t = 0;
    const cm_status st = cm_calendar_add_roll(lcm_check_calendar(L, 1), luaL_checkinteger(L, 2),
                                              luaL_checkinteger(L, 3), &t);
    return lcm_integer_or_fail(L, st, t);
}

static int calendar_elapsed(lua_State *L)
{
    int64_t s = 0;
    const cm_status st = cm_calendar_elapsed(lcm_check_calendar(L, 1), luaL_checkinteger(L, 2),
                                             luaL_checkinteger(L, 3), &s);
    return lcm_integer_or_fail(L, st, s);
}

static int calendar_is_open(lua_State *L)
{
    bool open = false;
    const cm_status st =
        cm_calendar_is_open(lcm_check_calendar(L, 1), luaL_checkinteger(L, 2), &open);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_pushboolean(L, open);
    return 1;
}

static int calendar_next_open(lua_State *L)
{
    cm_time t = 0;
    const cm_status st =
        cm_calendar_next_open(lcm_check_calendar(L, 1), luaL_checkinteger(L, 2), &t);
    return lcm_integer_or_fail(L, st, t);
}

static int calendar_next_close(lua_State *L)
{
    cm_time t = 0;
    const cm_status st =
        cm_calendar_next_close(lcm_check_calendar(L, 1), luaL_checkinteger(L, 2), &t);
    return lcm_integer_or_fail(L, st, t);
}

static int calendar_add_days(lua_State *L)
{
    cm_time t = 0;
    const cm_calendar *cal = lcm_check_calendar(L, 1);
    const lua_Integer start = luaL_checkinteger(L, 2);
    int32_t d;
    if (!lcm_arg_i32(L, 3, "days", &d))
        return 3;
    const cm_status st = cm_calendar_add_days(cal, start, d, &t);
    return lcm_integer_or_fail(L, st, t);
}

/* Lua arrays of integers as int64 arrays in Lua-owned memory (pushed). */
static int64_t *check_int64s(lua_State *L, int idx, size_t *n)
{
    luaL_checktype(L, idx, LUA_TTABLE);
    const lua_Integer len = luaL_len(L, idx);
    int64_t *xs = (int64_t *)lua_newuserdatauv(L, (size_t)(len > 0 ? len : 1) * sizeof *xs, 0);
    for (lua_Integer i = 0; i < len; i++) {
        lua_geti(L, idx, i + 1);
        xs[i] = luaL_checkinteger(L, -1);
        lua_pop(L, 1);
    }
    *n = (size_t)len;
    return xs;
}

static int calendar_many(lua_State *L, cm_status (*fn)(const cm_calendar *, const cm_time *,
                                                       const cm_time *, size_t, cm_time *))
{
    lua_settop(L, 3); /* scratch arrays are pushed above the arguments */
    const cm_calendar *cal = lcm_check_calendar(L, 1);
    size_t na, nb;
    const int64_t *a = check_int64s(L, 2, &na);
    const int64_t *b = check_int64s(L, 3, &nb);
    luaL_argcheck(L, na == nb, 3, "must have as many entries as the first array");
    int64_t *out = (int64_t *)lua_newuserdatauv(L, (na ? na : 1) * sizeof *out, 0);
    const cm_status st = fn(cal, a, b, na, out);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, (int)na, 0);
    for (size_t i = 0; i < na; i++) {
        lua_pushinteger(L, out[i]);
        lua_seti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int calendar_elapsed_many(lua_State *L)
{
    return calendar_many(L, cm_calendar_elapsed_many);
}

static int calendar_add_many(lua_State *L)
{
    return calendar_many(L, cm_calendar_add_many);
}

static int calendar_tostring(lua_State *L)
{
    handle *h = (handle *)luaL_checkudata(L, 1, CALENDAR);
    lua_pushstring(L, h->ptr ? "caremetrics.calendar" : "caremetrics.calendar (closed)");
    return 1;
}

/* ---- time zones ------------------------------------------------------------------- */

static int l_timezone(lua_State *L)
{
    const char *name = lcm_arg_text(L, 1, "name");
    if (name == NULL)
        return 3;
    handle *h = new_handle(L, TIMEZONE);
    cm_tz *tz = NULL;
    const cm_status st = cm_tz_load(name, &tz);
    if (st != CM_OK)
        return lcm_fail(L, st);
    h->ptr = tz;
    return 1;
}

static int tz_close(lua_State *L)
{
    handle *h = (handle *)luaL_checkudata(L, 1, TIMEZONE);
    cm_tz_free(h->ptr);
    h->ptr = NULL;
    return 0;
}

static int tz_utc_offset(lua_State *L)
{
    int32_t off = 0;
    const cm_status st = cm_tz_utc_offset(check_tz(L, 1), luaL_checkinteger(L, 2), &off);
    return lcm_integer_or_fail(L, st, off);
}

static int tz_to_local(lua_State *L)
{
    cm_civil c;
    const cm_status st = cm_tz_to_local(check_tz(L, 1), luaL_checkinteger(L, 2), &c);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, 0, 8);
    lcm_set_integer(L, "year", c.year);
    lcm_set_integer(L, "month", c.month);
    lcm_set_integer(L, "day", c.day);
    lcm_set_integer(L, "hour", c.hour);
    lcm_set_integer(L, "minute", c.minute);
    lcm_set_integer(L, "second", c.second);
    lcm_set_integer(L, "weekday", c.weekday);
    lcm_set_integer(L, "yday", c.yday);
    return 1;
}

/* An optional int32 field (0 when absent); false after pushing the error triple. */
static bool field_i32(lua_State *L, int idx, const char *key, int32_t *out)
{
    lua_getfield(L, idx, key);
    const lua_Integer v = luaL_optinteger(L, -1, 0);
    lua_pop(L, 1);
    if (!lcm_int_in(L, v, key, INT32_MIN, INT32_MAX))
        return false;
    *out = (int32_t)v;
    return true;
}

static int tz_from_local(lua_State *L)
{
    const cm_tz *tz = check_tz(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    cm_civil c = {0, 0, 0, 0, 0, 0, 0, 0};
    if (!field_i32(L, 2, "year", &c.year) || !field_i32(L, 2, "month", &c.month) ||
        !field_i32(L, 2, "day", &c.day) || !field_i32(L, 2, "hour", &c.hour) ||
        !field_i32(L, 2, "minute", &c.minute) || !field_i32(L, 2, "second", &c.second))
        return 3;
    cm_time t = 0;
    const cm_status st = cm_tz_from_local(tz, &c, &t);
    return lcm_integer_or_fail(L, st, t);
}

static int tz_tostring(lua_State *L)
{
    handle *h = (handle *)luaL_checkudata(L, 1, TIMEZONE);
    lua_pushstring(L, h->ptr ? "caremetrics.timezone" : "caremetrics.timezone (closed)");
    return 1;
}

cm_calendar_history *lcm_check_calendar_history(lua_State *L, int idx)
{
    handle *h = (handle *)luaL_checkudata(L, idx, HISTORY);
    luaL_argcheck(L, h->ptr != NULL, idx, "calendar history is closed");
    return h->ptr;
}

static int l_calendar_history(lua_State *L)
{
    const char *text = lcm_arg_text(L, 1, "text");
    if (text == NULL)
        return 3;
    handle *h = new_handle(L, HISTORY);
    cm_parse_error err = {0, 0, NULL};
    cm_calendar_history *out = NULL;
    const cm_status st = cm_calendar_history_parse(text, NULL, &out, &err);
    if (st != CM_OK)
        return lcm_fail_parse(L, st, &err);
    h->ptr = out;
    return 1;
}

static int history_close(lua_State *L)
{
    handle *h = (handle *)luaL_checkudata(L, 1, HISTORY);
    cm_calendar_history_free(h->ptr);
    h->ptr = NULL;
    return 0;
}

static int history_elapsed(lua_State *L)
{
    int64_t s = 0;
    const cm_status st = cm_calendar_history_elapsed(
        lcm_check_calendar_history(L, 1), luaL_checkinteger(L, 2), luaL_checkinteger(L, 3), &s);
    return lcm_integer_or_fail(L, st, s);
}

static int history_add(lua_State *L)
{
    cm_time t = 0;
    const cm_status st = cm_calendar_history_add(
        lcm_check_calendar_history(L, 1), luaL_checkinteger(L, 2), luaL_checkinteger(L, 3), &t);
    return lcm_integer_or_fail(L, st, t);
}

static int history_tostring(lua_State *L)
{
    handle *h = (handle *)luaL_checkudata(L, 1, HISTORY);
    lua_pushstring(L, h->ptr ? HISTORY : HISTORY " (closed)");
    return 1;
}

void lcm_open_calendar(lua_State *L)
{
    static const luaL_Reg calendar_methods[] = {
        {"add", calendar_add},
        {"add_roll", calendar_add_roll},
        {"elapsed", calendar_elapsed},
        {"is_open", calendar_is_open},
        {"next_open", calendar_next_open},
        {"next_close", calendar_next_close},
        {"add_days", calendar_add_days},
        {"elapsed_many", calendar_elapsed_many},
        {"add_many", calendar_add_many},
        {"close", calendar_close},
        {"__gc", calendar_close},
        {"__close", calendar_close},
        {"__tostring", calendar_tostring},
        {NULL, NULL},
    };
    static const luaL_Reg tz_methods[] = {
        {"utc_offset", tz_utc_offset},
        {"to_local", tz_to_local},
        {"from_local", tz_from_local},
        {"close", tz_close},
        {"__gc", tz_close},
        {"__close", tz_close},
        {"__tostring", tz_tostring},
        {NULL, NULL},
    };
    lcm_new_class(L, CALENDAR, calendar_methods);
    lcm_new_class(L, TIMEZONE, tz_methods);
    static const luaL_Reg history_methods[] = {
        {"elapsed", history_elapsed},
        {"add", history_add},
        {"close", history_close},
        {"__gc", history_close},
        {"__close", history_close},
        {"__tostring", history_tostring},
        {NULL, NULL},
    };
    lcm_new_class(L, HISTORY, history_methods);
    static const luaL_Reg functions[] = {
        {"calendar", l_calendar},
        {"timezone", l_timezone},
        {"calendar_history", l_calendar_history},
        {NULL, NULL},
    };
    luaL_setfuncs(L, functions, 0);
}
