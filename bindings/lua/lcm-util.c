/*
 * Helpers shared by the files of the Lua module: error triples, argument
 * checks and result tables. The module's files call these; these call
 * nothing of the module's.
 * SPDX-License-Identifier: MIT
 */
#include "lcm-util.h"

#include <limits.h>
#include <stdarg.h>

int lcm_fail(lua_State *L, cm_status st)
{
    lua_pushnil(L);
    lua_pushfstring(L, "%s: %s", cm_status_name(st), cm_strerror(st));
    lua_pushstring(L, cm_status_name(st));
    return 3;
}

int lcm_fail_parse(lua_State *L, cm_status st, const cm_parse_error *err)
{
    if (st != CM_EPARSE || err->message == NULL)
        return lcm_fail(L, st);
    lua_pushnil(L);
    lua_pushfstring(L, "%s: %s (line %d, column %d: %s)", cm_status_name(st), cm_strerror(st),
                    (int)err->line, (int)err->column, err->message);
    lua_pushstring(L, cm_status_name(st));
    return 3;
}

int lcm_fail_detail(lua_State *L, cm_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lua_pushnil(L);
    lua_pushfstring(L, "%s: %s (", cm_status_name(st), cm_strerror(st));
    lua_pushvfstring(L, fmt, ap);
    lua_pushliteral(L, ")");
    lua_concat(L, 3);
    lua_pushstring(L, cm_status_name(st));
    va_end(ap);
    return 3;
}

bool lcm_int_in(lua_State *L, lua_Integer v, const char *name, lua_Integer lo, lua_Integer hi)
{
    if (v >= lo && v <= hi)
        return true;
    const cm_status st = (lo == 0 && v < 0) ? CM_EINVAL : CM_ERANGE;
    lcm_fail_detail(L, st, "%s = %I is outside %I .. %I", name, v, lo, hi);
    return false;
}

bool lcm_arg_u32(lua_State *L, int idx, const char *name, uint32_t *out)
{
    const lua_Integer v = luaL_checkinteger(L, idx);
    if (!lcm_int_in(L, v, name, 0, (lua_Integer)UINT32_MAX))
        return false;
    *out = (uint32_t)v;
    return true;
}

bool lcm_arg_i32(lua_State *L, int idx, const char *name, int32_t *out)
{
    const lua_Integer v = luaL_checkinteger(L, idx);
    if (!lcm_int_in(L, v, name, INT32_MIN, INT32_MAX))
        return false;
    *out = (int32_t)v;
    return true;
}

bool lcm_arg_count(lua_State *L, int idx, const char *name, uint64_t *out)
{
    const lua_Integer v = luaL_checkinteger(L, idx);
    if (!lcm_int_in(L, v, name, 0, LUA_MAXINTEGER))
        return false;
    *out = (uint64_t)v;
    return true;
}

const char *lcm_arg_text(lua_State *L, int idx, const char *name)
{
    size_t len;
    const char *s = luaL_checklstring(L, idx, &len);
    const char *nul = memchr(s, '\0', len);
    if (nul != NULL) {
        lcm_fail_detail(L, CM_EINVAL, "%s contains a NUL byte at offset %I", name,
                        (lua_Integer)(nul - s));
        return NULL;
    }
    return s;
}

int lcm_number_or_fail(lua_State *L, cm_status st, double v)
{
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_pushnumber(L, v);
    return 1;
}

int lcm_integer_or_fail(lua_State *L, cm_status st, int64_t v)
{
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_pushinteger(L, v);
    return 1;
}

void lcm_set_number(lua_State *L, const char *key, double v)
{
    lua_pushnumber(L, v);
    lua_setfield(L, -2, key);
}

void lcm_set_integer(lua_State *L, const char *key, lua_Integer v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, key);
}

static lua_Integer to_lua_count(uint64_t v)
{
    return v > (uint64_t)LUA_MAXINTEGER ? LUA_MAXINTEGER : (lua_Integer)v;
}

void lcm_push_proportion(lua_State *L, const cm_proportion *p)
{
    lua_createtable(L, 0, 5);
    lcm_set_integer(L, "num", to_lua_count(p->num));
    lcm_set_integer(L, "den", to_lua_count(p->den));
    lcm_set_number(L, "value", p->value);
    lcm_set_number(L, "lo", p->lo);
    lcm_set_number(L, "hi", p->hi);
}

void lcm_new_class(lua_State *L, const char *name, const luaL_Reg *methods)
{
    luaL_newmetatable(L, name);
    luaL_setfuncs(L, methods, 0);
    lua_pushvalue(L, -1);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
}

double *lcm_check_doubles(lua_State *L, int idx, size_t *n)
{
    luaL_checktype(L, idx, LUA_TTABLE);
    const lua_Integer len = luaL_len(L, idx);
    double *xs = (double *)lua_newuserdatauv(L, (size_t)(len > 0 ? len : 1) * sizeof(double), 0);
    for (lua_Integer i = 0; i < len; i++) {
        lua_geti(L, idx, i + 1);
        xs[i] = luaL_checknumber(L, -1);
        lua_pop(L, 1);
    }
    *n = (size_t)len;
    return xs;
}
