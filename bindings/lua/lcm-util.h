/*
 * Helpers shared by the files of the Lua module (lcm-util.c; not installed).
 * SPDX-License-Identifier: MIT
 */
#ifndef LCM_UTIL_H
#define LCM_UTIL_H

#include <caremetrics.h>

#include <lauxlib.h>
#include <lua.h>

#include <string.h>

/* Pushes nil, "CM_NAME: message", "CM_NAME"; returns 3. */
int lcm_fail(lua_State *L, cm_status st);

/* Push the result (1 value), or the error triple when st is not CM_OK (3 values). */
int lcm_number_or_fail(lua_State *L, cm_status st, double v);
int lcm_integer_or_fail(lua_State *L, cm_status st, int64_t v);

/* Pushes nil, "CM_NAME: message (detail)", "CM_NAME"; returns 3. The detail is a
 * lua_pushfstring format (%s, %d, %I for lua_Integer, %f). */
int lcm_fail_detail(lua_State *L, cm_status st, const char *fmt, ...);

/* A parse failure: nil, "CM_EPARSE: ... (line L, column C: why)", "CM_EPARSE"; any other
 * status as lcm_fail(). Returns 3. */
int lcm_fail_parse(lua_State *L, cm_status st, const cm_parse_error *err);

/*
 * Range checks before narrowing, as the Python binding does: each returns true
 * with the value, or false after pushing the error triple, which names the
 * argument, its value and the accepted range ("agents = -5 is outside
 * 0 .. 4294967295"): CM_EINVAL for a negative value where 0 is the lower
 * bound (a negative count), CM_ERANGE otherwise. The caller then returns 3.
 * A value that is not an integer raises, as luaL_checkinteger does.
 */
bool lcm_int_in(lua_State *L, lua_Integer v, const char *name, lua_Integer lo, lua_Integer hi);
bool lcm_arg_u32(lua_State *L, int idx, const char *name, uint32_t *out);
bool lcm_arg_i32(lua_State *L, int idx, const char *name, int32_t *out);
bool lcm_arg_count(lua_State *L, int idx, const char *name, uint64_t *out);

/* A string argument without an embedded NUL (the C string would silently end
 * there): the string, or NULL after pushing the CM_EINVAL triple naming it. */
const char *lcm_arg_text(lua_State *L, int idx, const char *name);

/* Fields of the table on top of the stack. */
void lcm_set_number(lua_State *L, const char *key, double v);
void lcm_set_integer(lua_State *L, const char *key, lua_Integer v);

/* Pushes {num, den, value, lo, hi}. */
void lcm_push_proportion(lua_State *L, const cm_proportion *p);

/* Registers a metatable `name` whose __index is itself. */
void lcm_new_class(lua_State *L, const char *name, const luaL_Reg *methods);

/* A Lua array of numbers as a double array in Lua-owned memory, pushed on the stack:
 * callers first lua_settop() to their argument count so optional arguments stay nil. */
double *lcm_check_doubles(lua_State *L, int idx, size_t *n);

/*
 * LCM_ACCUMULATOR_CORE(kind, T) defines the userdata methods shared by every
 * C accumulator `cm_<kind>_*` of type T: check/new helpers, merge, serialize,
 * deserialize, __add, __eq and __gc. LCM_ACCUMULATOR_ADD adds add and
 * add_many for accumulators fed one array of values; LCM_ACCUMULATOR does
 * both. The file using them adds `<kind>_result` and `<kind>__tostring`, then
 * LCM_METHODS(kind).
 *
 * add_many reads array entries into a fixed buffer of LCM_CHUNK elements and
 * hands them to the library chunk by chunk, into a copy of the accumulator
 * that is committed only when every chunk succeeded: all or nothing, like the
 * C function, and without allocating.
 */
enum { LCM_CHUNK = 512 };

#define LCM_ACCUMULATOR_CORE(kind, T)                                                             \
    static T *check_##kind(lua_State *L, int idx)                                                 \
    {                                                                                             \
        return (T *)luaL_checkudata(L, idx, "caremetrics." #kind);                                \
    }                                                                                             \
    static T *new_##kind(lua_State *L)                                                            \
    {                                                                                             \
        T *acc = (T *)lua_newuserdatauv(L, sizeof(T), 0);                                         \
        memset(acc, 0, sizeof *acc);                                                              \
        luaL_setmetatable(L, "caremetrics." #kind);                                               \
        return acc;                                                                               \
    }                                                                                             \
    static int kind##_merge(lua_State *L)                                                         \
    {                                                                                             \
        T *acc = check_##kind(L, 1);                                                              \
        const cm_status st = cm_##kind##_merge(acc, check_##kind(L, 2));                          \
        if (st != CM_OK)                                                                          \
            return lcm_fail(L, st);                                                               \
        lua_settop(L, 1);                                                                         \
        return 1;                                                                                 \
    }                                                                                             \
    static int kind##__add(lua_State *L)                                                          \
    {                                                                                             \
        const T *a = check_##kind(L, 1);                                                          \
        const T *b = check_##kind(L, 2);                                                          \
        T *sum = new_##kind(L);                                                                   \
        *sum = *a;                                                                                \
        const cm_status st = cm_##kind##_merge(sum, b);                                           \
        if (st != CM_OK)                                                                          \
            return luaL_error(L, "%s: %s", cm_status_name(st), cm_strerror(st));                  \
        return 1;                                                                                 \
    }                                                                                             \
    /* Pushes the serialized bytes of the accumulator at idx; returns the status. */              \
    static cm_status push_bytes_##kind(lua_State *L, int idx)                                     \
    {                                                                                             \
        const T *acc = check_##kind(L, idx);                                                      \
        uint8_t probe[1];                                                                         \
        size_t need = 0;                                                                          \
        cm_status st = cm_##kind##_serialize(acc, probe, 0, &need);                               \
        if (st != CM_ENOSPC)                                                                      \
            return st == CM_OK ? CM_EINVAL : st;                                                  \
        luaL_Buffer b;                                                                            \
        uint8_t *p = (uint8_t *)luaL_buffinitsize(L, &b, need);                                   \
        size_t written = 0;                                                                       \
        st = cm_##kind##_serialize(acc, p, need, &written);                                       \
        luaL_pushresultsize(&b, st == CM_OK ? written : 0);                                       \
        return st;                                                                                \
    }                                                                                             \
    static int kind##_serialize(lua_State *L)                                                     \
    {                                                                                             \
        const cm_status st = push_bytes_##kind(L, 1);                                             \
        return st == CM_OK ? 1 : lcm_fail(L, st);                                                 \
    }                                                                                             \
    static int kind##_deserialize(lua_State *L)                                                   \
    {                                                                                             \
        size_t len;                                                                               \
        const char *s = luaL_checklstring(L, 1, &len);                                            \
        T tmp;                                                                                    \
        const cm_status st = cm_##kind##_deserialize((const uint8_t *)s, len, &tmp);              \
        if (st != CM_OK)                                                                          \
            return lcm_fail(L, st);                                                               \
        *new_##kind(L) = tmp;                                                                     \
        return 1;                                                                                 \
    }                                                                                             \
    /* Equal when the serialized forms are: a zero-initialised default scale and the same     \
     * scale set explicitly compare equal. */   \
    static int kind##__eq(lua_State *L)                                                           \
    {                                                                                             \
        const bool same = push_bytes_##kind(L, 1) == CM_OK && push_bytes_##kind(L, 2) == CM_OK && \
                          lua_rawequal(L, -1, -2);                                                \
        lua_pushboolean(L, same);                                                                 \
        return 1;                                                                                 \
    }                                                                                             \
    static int kind##__gc(lua_State *L)                                                           \
    {                                                                                             \
        /* Plain struct in Lua-owned memory: nothing to release; wipe it for safety. */           \
        memset(check_##kind(L, 1), 0, sizeof(T));                                                 \
        return 0;                                                                                 \
    }

#define LCM_ACCUMULATOR_ADD(kind, T, elem_t, check_elem)                      \
    static int kind##_add(lua_State *L)                                       \
    {                                                                         \
        T *acc = check_##kind(L, 1);                                          \
        const cm_status st = cm_##kind##_add(acc, check_elem(L, 2));          \
        if (st != CM_OK)                                                      \
            return lcm_fail(L, st);                                           \
        lua_settop(L, 1);                                                     \
        return 1;                                                             \
    }                                                                         \
    static int kind##_add_many(lua_State *L)                                  \
    {                                                                         \
        T *acc = check_##kind(L, 1);                                          \
        luaL_checktype(L, 2, LUA_TTABLE);                                     \
        T copy = *acc;                                                        \
        elem_t buf[LCM_CHUNK];                                                \
        const lua_Integer n = luaL_len(L, 2);                                 \
        for (lua_Integer i = 0; i < n; i += LCM_CHUNK) {                      \
            const lua_Integer m = n - i < LCM_CHUNK ? n - i : LCM_CHUNK;      \
            for (lua_Integer j = 0; j < m; j++) {                             \
                lua_geti(L, 2, i + j + 1);                                    \
                buf[j] = (elem_t)check_elem(L, -1);                           \
                lua_pop(L, 1);                                                \
            }                                                                 \
            const cm_status st = cm_##kind##_add_many(&copy, buf, (size_t)m); \
            if (st != CM_OK)                                                  \
                return lcm_fail(L, st);                                       \
        }                                                                     \
        *acc = copy;                                                          \
        lua_settop(L, 1);                                                     \
        return 1;                                                             \
    }

#define LCM_ACCUMULATOR(kind, T, elem_t, check_elem) \
    LCM_ACCUMULATOR_CORE(kind, T)                    \
    LCM_ACCUMULATOR_ADD(kind, T, elem_t, check_elem)

#define LCM_METHODS(kind)                      \
    static const luaL_Reg kind##_methods[] = { \
        {"add", kind##_add},                   \
        {"add_many", kind##_add_many},         \
        {"merge", kind##_merge},               \
        {"result", kind##_result},             \
        {"serialize", kind##_serialize},       \
        {"__add", kind##__add},                \
        {"__eq", kind##__eq},                  \
        {"__gc", kind##__gc},                  \
        {"__tostring", kind##__tostring},      \
        {NULL, NULL},                          \
    };

#endif /* LCM_UTIL_H */
