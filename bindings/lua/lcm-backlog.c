/*
 * Backlog (open tickets at interval ends and their ages) from Lua.
 *
 *   local b = assert(caremetrics.backlog({t1, t2, t3}, {86400, 3 * 86400}, 2[, calendar]))
 *   b:add(created[, solved[, group]])         -- solved nil: still open; groups 1..n
 *   b:add_many(created, solved, groups)       -- solved entries false: still open
 *   local p = b:snapshot(2[, group])          -- snapshots 1..n; group nil: all groups
 *   b:buckets(2); b:quantiles(2, {0.5, 0.9})
 *   caremetrics.backlog_deserialize(b:serialize()[, calendar])
 * Snapshot and group numbers are 1-based, as Lua arrays.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics.h>

#include <lauxlib.h>
#include <lua.h>

#include "lcaremetrics.h"
#include "lcm-calendar.h"

#define BACKLOG "caremetrics.backlog"

typedef struct handle {
    cm_backlog *ptr; /* NULL once closed */
} handle;

static cm_backlog *check_backlog(lua_State *L, int idx)
{
    handle *h = (handle *)luaL_checkudata(L, idx, BACKLOG);
    luaL_argcheck(L, h->ptr != NULL, idx, "backlog is closed");
    return h->ptr;
}

/* Keeps the calendar userdata alive as long as the backlog: the backlog's user value. */
static handle *new_handle(lua_State *L, int calendar_idx)
{
    handle *h = (handle *)lua_newuserdatauv(L, sizeof *h, 1);
    h->ptr = NULL;
    luaL_setmetatable(L, BACKLOG);
    if (calendar_idx != 0) {
        lua_pushvalue(L, calendar_idx);
        lua_setiuservalue(L, -2, 1);
    }
    return h;
}

/* A Lua array of integers into a Lua-owned int64 array pushed on the stack. */
static int64_t *check_ints(lua_State *L, int idx, size_t *n)
{
    luaL_checktype(L, idx, LUA_TTABLE);
    const lua_Integer len = luaL_len(L, idx);
    int64_t *v = (int64_t *)lua_newuserdatauv(L, (size_t)(len > 0 ? len : 1) * sizeof *v, 0);
    for (lua_Integer i = 0; i < len; i++) {
        lua_geti(L, idx, i + 1);
        v[i] = luaL_checkinteger(L, -1);
        lua_pop(L, 1);
    }
    *n = (size_t)len;
    return v;
}

/* A 1-based group number as the library's index; out-of-range values stay out of range. */
static uint32_t group_at(lua_State *L, int idx)
{
    if (lua_isnoneornil(L, idx))
        return CM_BACKLOG_ALL_GROUPS;
    const lua_Integer g = luaL_checkinteger(L, idx);
    return g < 1 || g > (lua_Integer)UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)(g - 1);
}

static size_t index_at(lua_State *L, int idx)
{
    const lua_Integer j = luaL_checkinteger(L, idx);
    return j < 1 ? SIZE_MAX : (size_t)(j - 1);
}

/* backlog(snapshots[, bounds[, groups[, calendar[, sketch]]]]) */
static int l_backlog(lua_State *L)
{
    lua_settop(L, 5);
    size_t ns, nb = 0;
    const int64_t *snaps = check_ints(L, 1, &ns);
    const int64_t *bounds = NULL;
    if (!lua_isnil(L, 2))
        bounds = check_ints(L, 2, &nb);
    uint32_t groups = 1;
    if (!lua_isnil(L, 3) && !lcm_arg_u32(L, 3, "groups", &groups))
        return 3;
    const cm_calendar *cal = lua_isnil(L, 4) ? NULL : lcm_check_calendar(L, 4);
    const uint32_t flags = lua_isnil(L, 5) || lua_toboolean(L, 5) ? 0u : CM_BACKLOG_NO_SKETCH;
    const cm_backlog_config cfg = {snaps, ns, bounds, nb, groups, flags, cal};
    handle *h = new_handle(L, cal != NULL ? 4 : 0);
    const cm_status st = cm_backlog_new(&cfg, NULL, &h->ptr);
    if (st != CM_OK)
        return lcm_fail(L, st);
    return 1;
}

static int backlog_close(lua_State *L)
{
    handle *h = (handle *)luaL_checkudata(L, 1, BACKLOG);
    cm_backlog_free(h->ptr);
    h->ptr = NULL;
    return 0;
}

/* b:add(created[, solved[, group]]) */
static int backlog_add(lua_State *L)
{
    cm_backlog *b = check_backlog(L, 1);
    const cm_time created = luaL_checkinteger(L, 2);
    const cm_time solved = lua_isnoneornil(L, 3) ? CM_BACKLOG_OPEN : luaL_checkinteger(L, 3);
    const uint32_t group = lua_isnoneornil(L, 4) ? 0u : group_at(L, 4);
    const cm_status st = cm_backlog_add(b, group, created, solved);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_settop(L, 1);
    return 1;
}

/* b:add_many(created, solved[, groups]); false in solved marks an open ticket. All or nothing. */
static int backlog_add_many(lua_State *L)
{
    cm_backlog *b = check_backlog(L, 1);
    lua_settop(L, 4);
    size_t n;
    const int64_t *created = check_ints(L, 2, &n);
    luaL_checktype(L, 3, LUA_TTABLE);
    if ((size_t)luaL_len(L, 3) != n)
        return lcm_fail(L, CM_EINVAL);
    int64_t *solved = (int64_t *)lua_newuserdatauv(L, (n ? n : 1) * sizeof *solved, 0);
    for (size_t i = 0; i < n; i++) {
        lua_geti(L, 3, (lua_Integer)i + 1);
        solved[i] = lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1)
                        ? CM_BACKLOG_OPEN
                        : luaL_checkinteger(L, -1);
        lua_pop(L, 1);
    }
    uint32_t *groups = NULL;
    if (!lua_isnil(L, 4)) {
        luaL_checktype(L, 4, LUA_TTABLE);
        if ((size_t)luaL_len(L, 4) != n)
            return lcm_fail(L, CM_EINVAL);
        groups = (uint32_t *)lua_newuserdatauv(L, (n ? n : 1) * sizeof *groups, 0);
        for (size_t i = 0; i < n; i++) {
            lua_geti(L, 4, (lua_Integer)i + 1);
            groups[i] = group_at(L, -1);
            lua_pop(L, 1);
        }
    }
    const cm_status st = cm_backlog_add_many(b, groups, created, solved, n);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_settop(L, 1);
    return 1;
}

static int backlog_merge(lua_State *L)
{
    const cm_status st = cm_backlog_merge(check_backlog(L, 1), check_backlog(L, 2));
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_settop(L, 1);
    return 1;
}

static int backlog_info(lua_State *L)
{
    cm_backlog_summary s;
    const cm_status st = cm_backlog_info(check_backlog(L, 1), &s);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, 0, 5);
    lcm_set_integer(L, "tickets", (lua_Integer)s.tickets);
    lcm_set_integer(L, "snapshots", s.nsnapshots);
    lcm_set_integer(L, "buckets", (lua_Integer)s.nbounds + 1);
    lcm_set_integer(L, "groups", s.groups);
    lua_pushboolean(L, s.business);
    lua_setfield(L, -2, "business");
    int64_t bounds[CM_BACKLOG_MAX_BOUNDS];
    const size_t n = s.nbounds;
    if (cm_backlog_age_bounds(check_backlog(L, 1), bounds, CM_BACKLOG_MAX_BOUNDS) != CM_OK)
        return lcm_fail(L, CM_EINVAL);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushinteger(L, (lua_Integer)bounds[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "age_bounds");
    return 1;
}

/* b:snapshot(j[, group]) */
static int backlog_snapshot(lua_State *L)
{
    cm_backlog_point p;
    const cm_status st =
        cm_backlog_snapshot(check_backlog(L, 1), group_at(L, 3), index_at(L, 2), &p);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, 0, 7);
    lcm_set_integer(L, "at", p.at);
    lcm_set_integer(L, "open", (lua_Integer)p.open);
    lcm_set_integer(L, "created", (lua_Integer)p.created);
    lcm_set_integer(L, "solved", (lua_Integer)p.solved);
    lcm_set_integer(L, "age_min", p.age_min);
    lcm_set_integer(L, "age_max", p.age_max);
    lcm_set_number(L, "age_mean", p.age_mean);
    return 1;
}

static int backlog_buckets(lua_State *L)
{
    lua_settop(L, 3); /* the counts array is pushed above the arguments */
    const cm_backlog *b = check_backlog(L, 1);
    cm_backlog_summary s;
    if (cm_backlog_info(b, &s) != CM_OK)
        return lcm_fail(L, CM_EINVAL);
    uint64_t *c = (uint64_t *)lua_newuserdatauv(L, ((size_t)s.nbounds + 1) * sizeof *c, 0);
    const cm_status st = cm_backlog_buckets(b, group_at(L, 3), index_at(L, 2), c, s.nbounds + 1);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, (int)s.nbounds + 1, 0);
    for (uint32_t i = 0; i <= s.nbounds; i++) {
        lua_pushinteger(L, (lua_Integer)c[i]);
        lua_seti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* b:quantiles(j, qs[, group]) */
static int backlog_quantiles(lua_State *L)
{
    const cm_backlog *b = check_backlog(L, 1);
    lua_settop(L, 4);
    size_t n;
    const double *qs = lcm_check_doubles(L, 3, &n);
    double *out = (double *)lua_newuserdatauv(L, (n ? n : 1) * sizeof *out, 0);
    const cm_status st = cm_backlog_quantiles(b, group_at(L, 4), index_at(L, 2), qs, n, out);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushnumber(L, out[i]);
        lua_seti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int backlog_serialize(lua_State *L)
{
    const cm_backlog *b = check_backlog(L, 1);
    uint8_t probe[1];
    size_t need = 0, w = 0;
    cm_status st = cm_backlog_serialize(b, probe, 0, &need);
    if (st != CM_ENOSPC)
        return lcm_fail(L, st == CM_OK ? CM_EINVAL : st);
    luaL_Buffer buf;
    uint8_t *p = (uint8_t *)luaL_buffinitsize(L, &buf, need);
    st = cm_backlog_serialize(b, p, need, &w);
    luaL_pushresultsize(&buf, st == CM_OK ? w : 0);
    return st == CM_OK ? 1 : lcm_fail(L, st);
}

static int l_backlog_deserialize(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    const cm_calendar *cal = lua_isnoneornil(L, 2) ? NULL : lcm_check_calendar(L, 2);
    handle *h = new_handle(L, cal != NULL ? 2 : 0);
    const cm_status st = cm_backlog_deserialize((const uint8_t *)s, len, cal, NULL, &h->ptr);
    if (st != CM_OK)
        return lcm_fail(L, st);
    return 1;
}

static int backlog_merge_serialized(lua_State *L)
{
    size_t len;
    cm_backlog *b = check_backlog(L, 1);
    const char *s = luaL_checklstring(L, 2, &len);
    const cm_status st = cm_backlog_merge_serialized(b, (const uint8_t *)s, len);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_settop(L, 1);
    return 1;
}

static int backlog__tostring(lua_State *L)
{
    cm_backlog_summary s;
    if (cm_backlog_info(check_backlog(L, 1), &s) != CM_OK)
        return 0;
    lua_pushfstring(L, "caremetrics.backlog(snapshots=%d, tickets=%I)", (int)s.nsnapshots,
                    (lua_Integer)s.tickets);
    return 1;
}

static const luaL_Reg backlog_methods[] = {
    {"add", backlog_add},
    {"add_many", backlog_add_many},
    {"merge", backlog_merge},
    {"merge_serialized", backlog_merge_serialized},
    {"info", backlog_info},
    {"snapshot", backlog_snapshot},
    {"buckets", backlog_buckets},
    {"quantiles", backlog_quantiles},
    {"serialize", backlog_serialize},
    {"close", backlog_close},
    {"__gc", backlog_close},
    {"__tostring", backlog__tostring},
    {NULL, NULL},
};

void lcm_open_backlog(lua_State *L)
{
    lcm_new_class(L, BACKLOG, backlog_methods);
    lua_pushinteger(L, CM_BACKLOG_OPEN);
    lua_setfield(L, -2, "BACKLOG_OPEN");
    static const luaL_Reg functions[] = {
        {"backlog", l_backlog},
        {"backlog_deserialize", l_backlog_deserialize},
        {NULL, NULL},
    };
    luaL_setfuncs(L, functions, 0);
}
