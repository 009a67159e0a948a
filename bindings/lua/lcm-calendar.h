/*
 * What other files of the Lua module use of lcm-calendar.c (not installed).
 * SPDX-License-Identifier: MIT
 */
#ifndef LCM_CALENDAR_H
#define LCM_CALENDAR_H

#include "lcm-util.h"

/* The calendar userdata at idx (raises when it is not one, or is closed). */
struct cm_calendar *lcm_check_calendar(lua_State *L, int idx);

/* The calendar history userdata at idx (raises when it is not one, or is closed). */
struct cm_calendar_history *lcm_check_calendar_history(lua_State *L, int idx);

#endif /* LCM_CALENDAR_H */
