/*
 * Helpers shared by the files of the Lua module (not installed).
 * SPDX-License-Identifier: MIT
 */
#ifndef LCAREMETRICS_H
#define LCAREMETRICS_H

#include <caremetrics.h>

#include <lua.h>

/* Pushes nil, "CM_NAME: message", "CM_NAME"; returns 3. */
int lcm_fail(lua_State *L, cm_status st);

/* A non-negative integer argument; a negative one clears *ok (the library's CM_EINVAL). */
uint64_t lcm_check_count(lua_State *L, int idx, bool *ok);

/* Integer arguments narrowed by saturation, so the library still sees an out-of-range value. */
int32_t lcm_check_i32(lua_State *L, int idx);
uint32_t lcm_check_u32(lua_State *L, int idx);

/* Fields of the table on top of the stack. */
void lcm_set_number(lua_State *L, const char *key, double v);
void lcm_set_integer(lua_State *L, const char *key, lua_Integer v);

/* Pushes {num, den, value, lo, hi}. */
void lcm_push_proportion(lua_State *L, const cm_proportion *p);

/* Adds the accumulator constructors to the module table on top of the stack. */
void lcm_open_kpi(lua_State *L);

#endif /* LCAREMETRICS_H */
