/*
 * Contact drivers (heavy hitters) from Lua.
 *
 *   local t = assert(caremetrics.topk(1000))            -- or topk(k, "codes"), topk(k, "strings", 64)
 *   t:add("billing"); t:add_many({"refund", "vip"}); t:add_tags("billing refund", " ,")
 *   for _, e in ipairs(t:top(10)) do print(e.key, e.count, e.upper) end
 *   local lo, hi = t:estimate("refund"); local info = t:info()
 *   local all = caremetrics.topk_deserialize(a:serialize()); all:merge(b)
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics.h>

#include <lauxlib.h>
#include <lua.h>

#include <string.h>

#include "lcaremetrics.h"

#define TOPK "caremetrics.topk"

typedef struct handle {
    cm_topk *ptr; /* NULL once closed */
    bool codes;
} handle;

static handle *check_handle(lua_State *L, int idx)
{
    handle *h = (handle *)luaL_checkudata(L, idx, TOPK);
    luaL_argcheck(L, h->ptr != NULL, idx, "summary is closed");
    return h;
}

static handle *new_handle(lua_State *L)
{
    handle *h = (handle *)lua_newuserdatauv(L, sizeof *h, 0);
    h->ptr = NULL;
    h->codes = false;
    luaL_setmetatable(L, TOPK);
    return h;
}

static int l_topk(lua_State *L)
{
    static const char *const kinds[] = {"strings", "codes", NULL};
    uint32_t k, max_key = 64;
    if (!lcm_arg_u32(L, 1, "capacity", &k))
        return 3;
    const int kind = luaL_checkoption(L, 2, "strings", kinds);
    if (!lua_isnoneornil(L, 3) && !lcm_arg_u32(L, 3, "max_key_bytes", &max_key))
        return 3;
    handle *h = new_handle(L);
    const cm_status st = cm_topk_new((uint32_t)kind, k, max_key, NULL, &h->ptr);
    if (st != CM_OK)
        return lcm_fail(L, st);
    h->codes = kind == CM_TOPK_CODES;
    return 1;
}

static int topk_close(lua_State *L)
{
    handle *h = (handle *)luaL_checkudata(L, 1, TOPK);
    cm_topk_free(h->ptr);
    h->ptr = NULL;
    return 0;
}

/* A weight argument: a negative one becomes an error, as ctypes would wrap it. */
static bool weight_at(lua_State *L, int idx, uint64_t *w)
{
    const lua_Integer v = luaL_optinteger(L, idx, 1);
    if (v < 0)
        return false;
    *w = (uint64_t)v;
    return true;
}

static int topk_add(lua_State *L)
{
    const handle *h = check_handle(L, 1);
    uint64_t w;
    if (!weight_at(L, 3, &w))
        return lcm_fail(L, CM_EINVAL);
    cm_status st;
    if (h->codes) {
        st = cm_topk_add_code(h->ptr, (uint64_t)luaL_checkinteger(L, 2), w);
    } else {
        const char *k = lcm_arg_text(L, 2, "key");
        if (k == NULL)
            return 3;
        st = cm_topk_add(h->ptr, k, strlen(k), w);
    }
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_settop(L, 1);
    return 1;
}

/* t:add_many(keys[, weights]): all or nothing (checked through the C column functions). */
static int topk_add_many(lua_State *L)
{
    const handle *h = check_handle(L, 1);
    lua_settop(L, 3);
    luaL_checktype(L, 2, LUA_TTABLE);
    const bool weighted = !lua_isnil(L, 3);
    if (weighted)
        luaL_checktype(L, 3, LUA_TTABLE);
    const lua_Integer n = luaL_len(L, 2);
    if (weighted && luaL_len(L, 3) != n)
        return lcm_fail(L, CM_EINVAL);
    uint64_t *w = (uint64_t *)lua_newuserdatauv(L, (size_t)(n > 0 ? n : 1) * sizeof *w, 0);
    for (lua_Integer i = 0; i < n; i++) {
        w[i] = 1;
        if (weighted) {
            lua_geti(L, 3, i + 1);
            const lua_Integer v = luaL_checkinteger(L, -1);
            lua_pop(L, 1);
            if (v < 0)
                return lcm_fail(L, CM_EINVAL);
            w[i] = (uint64_t)v;
        }
    }
    cm_status st;
    if (h->codes) {
        uint64_t *c = (uint64_t *)lua_newuserdatauv(L, (size_t)(n > 0 ? n : 1) * sizeof *c, 0);
        for (lua_Integer i = 0; i < n; i++) {
            lua_geti(L, 2, i + 1);
            c[i] = (uint64_t)luaL_checkinteger(L, -1);
            lua_pop(L, 1);
        }
        st = cm_topk_add_codes(h->ptr, c, w, (size_t)n);
    } else {
        const char **k =
            (const char **)lua_newuserdatauv(L, (size_t)(n > 0 ? n : 1) * sizeof *k, 0);
        size_t *len = (size_t *)lua_newuserdatauv(L, (size_t)(n > 0 ? n : 1) * sizeof *len, 0);
        /* The strings stay alive in the keys table, which is on the stack. */
        for (lua_Integer i = 0; i < n; i++) {
            lua_geti(L, 2, i + 1);
            k[i] = lcm_arg_text(L, -1, "keys[i]");
            if (k[i] == NULL)
                return 3;
            len[i] = strlen(k[i]);
            lua_pop(L, 1);
        }
        st = cm_topk_add_many(h->ptr, k, len, w, (size_t)n);
    }
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_settop(L, 1);
    return 1;
}

/* t:add_tags(field[, separators[, weight]]) */
static int topk_add_tags(lua_State *L)
{
    const handle *h = check_handle(L, 1);
    const char *field = lcm_arg_text(L, 2, "field");
    if (field == NULL)
        return 3;
    const char *sep = lua_isnoneornil(L, 3) ? " ,;" : lcm_arg_text(L, 3, "separators");
    if (sep == NULL)
        return 3;
    uint64_t w;
    const cm_status st =
        !weight_at(L, 4, &w) ? CM_EINVAL : cm_topk_add_tags(h->ptr, field, strlen(field), sep, w);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_settop(L, 1);
    return 1;
}

/* t:add_tag_fields(fields[, separators[, weight]]): one tags field per ticket, all or
 * nothing (cm_topk_add_tags_many). An empty string is a ticket without tags. */
static int topk_add_tag_fields(lua_State *L)
{
    const handle *h = check_handle(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    const char *sep = lua_isnoneornil(L, 3) ? " ,;" : lcm_arg_text(L, 3, "separators");
    if (sep == NULL)
        return 3;
    uint64_t w;
    if (!weight_at(L, 4, &w))
        return lcm_fail(L, CM_EINVAL);
    const lua_Integer n = luaL_len(L, 2);
    const size_t cells = (size_t)(n > 0 ? n : 1);
    const char **f = (const char **)lua_newuserdatauv(L, cells * sizeof *f, 0);
    size_t *len = (size_t *)lua_newuserdatauv(L, cells * sizeof *len, 0);
    /* The strings stay alive in the fields table, which is on the stack. */
    for (lua_Integer i = 0; i < n; i++) {
        lua_geti(L, 2, i + 1);
        f[i] = lcm_arg_text(L, -1, "fields[i]");
        if (f[i] == NULL)
            return 3;
        len[i] = strlen(f[i]);
        lua_pop(L, 1);
    }
    const cm_status st = cm_topk_add_tags_many(h->ptr, f, len, (size_t)n, sep, w);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_settop(L, 1);
    return 1;
}

/* t:clear(): forgets every key, keeping the set-up. */
static int topk_clear(lua_State *L)
{
    const cm_status st = cm_topk_clear(check_handle(L, 1)->ptr);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_settop(L, 1);
    return 1;
}

static int topk_merge(lua_State *L)
{
    const handle *a = check_handle(L, 1);
    const handle *b = check_handle(L, 2);
    const cm_status st = cm_topk_merge(a->ptr, b->ptr);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_settop(L, 1);
    return 1;
}

static int topk_info(lua_State *L)
{
    cm_topk_summary s;
    const cm_status st = cm_topk_info(check_handle(L, 1)->ptr, &s);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, 0, 5);
    lcm_set_integer(L, "total", (lua_Integer)s.total);
    lcm_set_integer(L, "error", (lua_Integer)s.error);
    lcm_set_integer(L, "capacity", s.capacity);
    lcm_set_integer(L, "size", s.size);
    lua_pushboolean(L, s.exact);
    lua_setfield(L, -2, "exact");
    return 1;
}

/* t:top([n]) -> {{key=, count=, upper=}, ...}, most frequent first. */
static int topk_top(lua_State *L)
{
    const handle *h = check_handle(L, 1);
    uint32_t n = 10;
    if (!lua_isnoneornil(L, 2) && !lcm_arg_u32(L, 2, "n", &n))
        return 3;
    cm_topk_summary s;
    if (cm_topk_info(h->ptr, &s) != CM_OK)
        return lcm_fail(L, CM_EINVAL);
    const size_t cap = n < s.size ? n : s.size;
    cm_topk_entry *e = (cm_topk_entry *)lua_newuserdatauv(L, (cap ? cap : 1) * sizeof *e, 0);
    size_t count = 0;
    const cm_status st = cm_topk_result(h->ptr, e, cap, &count);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, (int)count, 0);
    for (size_t i = 0; i < count; i++) {
        lua_createtable(L, 0, 3);
        if (h->codes)
            lua_pushinteger(L, (lua_Integer)e[i].code);
        else
            lua_pushlstring(L, e[i].key, e[i].key_len);
        lua_setfield(L, -2, "key");
        lcm_set_integer(L, "count", (lua_Integer)e[i].count);
        lcm_set_integer(L, "upper", (lua_Integer)e[i].upper);
        lua_seti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int topk_estimate(lua_State *L)
{
    const handle *h = check_handle(L, 1);
    uint64_t lo = 0, hi = 0;
    cm_status st;
    if (h->codes) {
        st = cm_topk_estimate_code(h->ptr, (uint64_t)luaL_checkinteger(L, 2), &lo, &hi);
    } else {
        const char *k = lcm_arg_text(L, 2, "key");
        if (k == NULL)
            return 3;
        st = cm_topk_estimate(h->ptr, k, strlen(k), &lo, &hi);
    }
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_pushinteger(L, (lua_Integer)lo);
    lua_pushinteger(L, (lua_Integer)hi);
    return 2;
}

static int topk_serialize(lua_State *L)
{
    const handle *h = check_handle(L, 1);
    uint8_t probe[1];
    size_t need = 0, w = 0;
    cm_status st = cm_topk_serialize(h->ptr, probe, 0, &need);
    if (st != CM_ENOSPC)
        return lcm_fail(L, st == CM_OK ? CM_EINVAL : st);
    luaL_Buffer b;
    uint8_t *p = (uint8_t *)luaL_buffinitsize(L, &b, need);
    st = cm_topk_serialize(h->ptr, p, need, &w);
    luaL_pushresultsize(&b, st == CM_OK ? w : 0);
    return st == CM_OK ? 1 : lcm_fail(L, st);
}

static int l_topk_deserialize(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    handle *h = new_handle(L);
    const cm_status st = cm_topk_deserialize((const uint8_t *)s, len, NULL, &h->ptr);
    if (st != CM_OK)
        return lcm_fail(L, st);
    cm_topk_summary info;
    if (cm_topk_info(h->ptr, &info) == CM_OK)
        h->codes = info.keys == CM_TOPK_CODES;
    return 1;
}

static int topk_merge_serialized(lua_State *L)
{
    const handle *h = check_handle(L, 1);
    size_t len;
    const char *s = luaL_checklstring(L, 2, &len);
    const cm_status st = cm_topk_merge_serialized(h->ptr, (const uint8_t *)s, len);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_settop(L, 1);
    return 1;
}

static int topk__tostring(lua_State *L)
{
    cm_topk_summary s;
    if (cm_topk_info(check_handle(L, 1)->ptr, &s) != CM_OK)
        return 0;
    lua_pushfstring(L, "caremetrics.topk(capacity=%d, total=%I)", (int)s.capacity,
                    (lua_Integer)s.total);
    return 1;
}

static const luaL_Reg topk_methods[] = {
    {"add", topk_add},
    {"add_many", topk_add_many},
    {"add_tags", topk_add_tags},
    {"add_tag_fields", topk_add_tag_fields},
    {"clear", topk_clear},
    {"merge", topk_merge},
    {"merge_serialized", topk_merge_serialized},
    {"info", topk_info},
    {"top", topk_top},
    {"estimate", topk_estimate},
    {"serialize", topk_serialize},
    {"close", topk_close},
    {"__gc", topk_close},
    {"__tostring", topk__tostring},
    {NULL, NULL},
};

void lcm_open_topk(lua_State *L)
{
    lcm_new_class(L, TOPK, topk_methods);
    static const luaL_Reg functions[] = {
        {"topk", l_topk},
        {"topk_deserialize", l_topk_deserialize},
        {NULL, NULL},
    };
    luaL_setfuncs(L, functions, 0);
}
