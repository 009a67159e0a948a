/*
 * The parts of the Lua module `caremetrics` (not installed): the entry file
 * lcaremetrics.c calls each lcm-<module>.c file's opener; those use the
 * helpers of lcm-util.h.
 * SPDX-License-Identifier: MIT
 */
#ifndef LCAREMETRICS_H
#define LCAREMETRICS_H

#include "lcm-util.h"

/* Add the constructors of each module to the module table on top of the stack. */
void lcm_open_kpi(lua_State *L);
void lcm_open_sketch(lua_State *L);
void lcm_open_spc(lua_State *L);
void lcm_open_queue(lua_State *L);
void lcm_open_calendar(lua_State *L);
void lcm_open_sla(lua_State *L);
void lcm_open_sla_policyset(lua_State *L);
void lcm_open_forecast(lua_State *L);
void lcm_open_qa(lua_State *L);
void lcm_open_topk(lua_State *L);
void lcm_open_backlog(lua_State *L);

#endif /* LCAREMETRICS_H */
