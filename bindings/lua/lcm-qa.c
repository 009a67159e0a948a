/*
 * QA scorecards and grader agreement from Lua.
 *
 *   local r = assert(caremetrics.qa_rubric(text))           -- freed by __gc or r:close()
 *   caremetrics.qa_rubric_build({{name="a", weight=100}}, {{name="x", section=1, points=2}}, 85)
 *   local res = r:score({4, 1, 3, "na", 5, 2})              -- or {["item-name"] = 4, ...}
 *   local acc = caremetrics.qa_scores():add_result(res)     -- accumulator: merge, +, serialize
 *   caremetrics.qa_alpha({{1, 1, false}, {2, 3, 2}}, "ordinal")   -- false = not rated
 *   caremetrics.qa_icc(matrix); caremetrics.qa_grader_deviation(matrix)
 *   caremetrics.qa_alerts({90, 84, 83}, 85, 2)              -- 1-based periods
 * Item and period numbers are 1-based, as Lua arrays.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics.h>

#include <lauxlib.h>
#include <lua.h>

#include <math.h>
#include <string.h>

#include "lcaremetrics.h"

#define RUBRIC "caremetrics.qa_rubric"

typedef struct handle {
    cm_qa_rubric *ptr; /* NULL once closed */
} handle;

static cm_qa_rubric *check_rubric(lua_State *L, int idx)
{
    handle *h = (handle *)luaL_checkudata(L, idx, RUBRIC);
    luaL_argcheck(L, h->ptr != NULL, idx, "rubric is closed");
    return h->ptr;
}

static int l_rubric(lua_State *L)
{
    const char *text = lcm_arg_text(L, 1, "text");
    if (text == NULL)
        return 3;
    handle *h = (handle *)lua_newuserdatauv(L, sizeof *h, 0);
    h->ptr = NULL;
    luaL_setmetatable(L, RUBRIC);
    cm_parse_error err = {0, 0, NULL};
    const cm_status st = cm_qa_rubric_parse(text, NULL, &h->ptr, &err);
    if (st != CM_OK)
        return lcm_fail_parse(L, st, &err);
    return 1;
}

/* An integer field of the table at idx, range-checked; false after pushing the triple. */
static bool field_int(lua_State *L, int idx, const char *key, const char *name, lua_Integer lo,
                      lua_Integer hi, lua_Integer *out)
{
    lua_getfield(L, idx, key);
    int ok = 0;
    const lua_Integer v = lua_tointegerx(L, -1, &ok);
    lua_pop(L, 1);
    if (!ok) {
        lcm_fail_detail(L, CM_EINVAL, "%s is not an integer", name);
        return false;
    }
    *out = v;
    return lcm_int_in(L, v, name, lo, hi);
}

static bool field_flag(lua_State *L, int idx, const char *key)
{
    lua_getfield(L, idx, key);
    const bool on = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return on;
}

/*
 * caremetrics.qa_rubric_build(sections, items, pass_score): sections as
 * {{name=, weight=}, ...}, items as {{name=, section=, points=, critical=, na=}, ...}
 * with the section by 1-based index or by name.
 */
static int l_rubric_build(lua_State *L)
{
    lua_settop(L, 3);
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checktype(L, 2, LUA_TTABLE);
    const double pass = luaL_checknumber(L, 3);
    const lua_Integer ns = luaL_len(L, 1), ni = luaL_len(L, 2);
    if (ns < 1 || ns > CM_QA_MAX_SECTIONS)
        return lcm_fail_detail(L, CM_ERANGE, "%I sections, expected 1 .. %d", ns,
                               (int)CM_QA_MAX_SECTIONS);
    if (ni < 1 || ni > CM_QA_MAX_ITEMS)
        return lcm_fail_detail(L, CM_ERANGE, "%I items, expected 1 .. %d", ni,
                               (int)CM_QA_MAX_ITEMS);
    cm_qa_section *secs = (cm_qa_section *)lua_newuserdatauv(L, (size_t)ns * sizeof *secs, 0);
    cm_qa_item *items = (cm_qa_item *)lua_newuserdatauv(L, (size_t)ni * sizeof *items, 0);
    /* The names stay alive in the argument tables. */
    for (lua_Integer i = 0; i < ns; i++) {
        if (lua_geti(L, 1, i + 1) != LUA_TTABLE)
            return lcm_fail_detail(L, CM_EINVAL, "sections[%I] is not a table", i + 1);
        lua_getfield(L, -1, "name");
        secs[i].name = lcm_arg_text(L, -1, "section name");
        if (secs[i].name == NULL)
            return 3;
        lua_pop(L, 1);
        lua_getfield(L, -1, "weight");
        int ok = 0;
        secs[i].weight = lua_tonumberx(L, -1, &ok);
        if (!ok)
            return lcm_fail_detail(L, CM_EINVAL, "sections[%I].weight is not a number", i + 1);
        lua_pop(L, 2);
    }
    for (lua_Integer i = 0; i < ni; i++) {
        if (lua_geti(L, 2, i + 1) != LUA_TTABLE)
            return lcm_fail_detail(L, CM_EINVAL, "items[%I] is not a table", i + 1);
        const int it = lua_gettop(L);
        lua_getfield(L, it, "name");
        items[i].name = lcm_arg_text(L, -1, "item name");
        if (items[i].name == NULL)
            return 3;
        lua_pop(L, 1);
        lua_Integer sec = 0, points = 0;
        if (lua_getfield(L, it, "section") == LUA_TSTRING) {
            const char *want = lua_tostring(L, -1);
            for (lua_Integer k = 0; k < ns && sec == 0; k++)
                sec = strcmp(secs[k].name, want) == 0 ? k + 1 : 0;
            if (sec == 0)
                return lcm_fail_detail(L, CM_EINVAL,
                                       "items[%I] names section \"%s\", which does "
                                       "not exist",
                                       i + 1, want);
            lua_pop(L, 1);
        } else {
            lua_pop(L, 1);
            if (!field_int(L, it, "section", "section", 1, ns, &sec))
                return 3;
        }
        if (!field_int(L, it, "points", "points", 0, UINT32_MAX, &points))
            return 3;
        items[i].section = (uint32_t)(sec - 1);
        items[i].points = (uint32_t)points;
        items[i].flags = (field_flag(L, it, "critical") ? CM_QA_ITEM_CRITICAL : 0u) |
                         (field_flag(L, it, "na") ? CM_QA_ITEM_NA_ALLOWED : 0u);
        items[i].reserved = 0;
        lua_pop(L, 1);
    }
    handle *h = (handle *)lua_newuserdatauv(L, sizeof *h, 0);
    h->ptr = NULL;
    luaL_setmetatable(L, RUBRIC);
    const cm_status st = cm_qa_rubric_new(secs, (size_t)ns, items, (size_t)ni, pass, NULL, &h->ptr);
    if (st != CM_OK)
        return lcm_fail(L, st);
    return 1;
}

static int rubric_close(lua_State *L)
{
    handle *h = (handle *)luaL_checkudata(L, 1, RUBRIC);
    cm_qa_rubric_free(h->ptr);
    h->ptr = NULL;
    return 0;
}

static int rubric_info(lua_State *L)
{
    cm_qa_rubric_summary s;
    const cm_status st = cm_qa_rubric_info(check_rubric(L, 1), &s);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, 0, 5);
    lcm_set_integer(L, "sections", s.sections);
    lcm_set_integer(L, "items", s.items);
    lcm_set_integer(L, "critical", s.critical);
    lcm_set_number(L, "pass_score", s.pass_score);
    lcm_set_integer(L, "max_points", (lua_Integer)s.max_points);
    return 1;
}

/* {{name=, section=, points=, critical=, na=}, ...}, sections 1-based. */
static int rubric_items(lua_State *L)
{
    const cm_qa_rubric *r = check_rubric(L, 1);
    cm_qa_rubric_summary s;
    if (cm_qa_rubric_info(r, &s) != CM_OK)
        return lcm_fail(L, CM_EINVAL);
    lua_createtable(L, (int)s.items, 0);
    for (uint32_t i = 0; i < s.items; i++) {
        cm_qa_item it;
        if (cm_qa_rubric_item(r, i, &it) != CM_OK)
            return lcm_fail(L, CM_EINVAL);
        lua_createtable(L, 0, 5);
        lua_pushstring(L, it.name);
        lua_setfield(L, -2, "name");
        lcm_set_integer(L, "section", (lua_Integer)it.section + 1);
        lcm_set_integer(L, "points", it.points);
        lua_pushboolean(L, (it.flags & CM_QA_ITEM_CRITICAL) != 0);
        lua_setfield(L, -2, "critical");
        lua_pushboolean(L, (it.flags & CM_QA_ITEM_NA_ALLOWED) != 0);
        lua_setfield(L, -2, "na");
        lua_seti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int rubric_sections(lua_State *L)
{
    const cm_qa_rubric *r = check_rubric(L, 1);
    cm_qa_rubric_summary s;
    if (cm_qa_rubric_info(r, &s) != CM_OK)
        return lcm_fail(L, CM_EINVAL);
    lua_createtable(L, (int)s.sections, 0);
    for (uint32_t i = 0; i < s.sections; i++) {
        cm_qa_section sec;
        if (cm_qa_rubric_section(r, i, &sec) != CM_OK)
            return lcm_fail(L, CM_EINVAL);
        lua_createtable(L, 0, 2);
        lua_pushstring(L, sec.name);
        lua_setfield(L, -2, "name");
        lcm_set_number(L, "weight", sec.weight);
        lua_seti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* One award: an integer (saturated so the library sees out-of-range values), or "na". */
static int32_t award_at(lua_State *L, int idx)
{
    if (lua_type(L, idx) == LUA_TSTRING && strcmp(lua_tostring(L, idx), "na") == 0)
        return CM_QA_NA;
    /* Out-of-range values saturate, so the library sees them and says CM_ERANGE. */
    const lua_Integer v = luaL_checkinteger(L, idx);
    return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

/* Reads the awards table at idx into aw (item order); a table keyed by item names is
 * matched through the library. Returns CM_OK or the status to report. */
static cm_status read_awards(lua_State *L, const cm_qa_rubric *r, int idx, uint32_t nitems,
                             int32_t *aw)
{
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_geti(L, idx, 1);
    const bool array = !lua_isnil(L, -1);
    lua_pop(L, 1);
    if (array) {
        if (luaL_len(L, idx) != (lua_Integer)nitems)
            return CM_EINVAL;
        for (uint32_t i = 0; i < nitems; i++) {
            lua_geti(L, idx, (lua_Integer)i + 1);
            aw[i] = award_at(L, -1);
            lua_pop(L, 1);
        }
        return CM_OK;
    }
    uint8_t seen[CM_QA_MAX_ITEMS] = {0};
    uint32_t count = 0;
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        size_t i;
        if (lua_type(L, -2) != LUA_TSTRING) {
            lua_pop(L, 2);
            return CM_EINVAL;
        }
        const cm_status st = cm_qa_rubric_find_item(r, lua_tostring(L, -2), &i);
        if (st != CM_OK) {
            lua_pop(L, 2);
            return st;
        }
        aw[i] = award_at(L, -1);
        count += !seen[i];
        seen[i] = 1;
        lua_pop(L, 1);
    }
    return count == nitems ? CM_OK : CM_EINVAL;
}

/*
 * r:score_many(rows) -> scores, passed, critical_failed: one evaluation per row (an awards
 * table as r:score takes), all or nothing; the three arrays feed acc:add_many.
 */
static int rubric_score_many(lua_State *L)
{
    const cm_qa_rubric *r = check_rubric(L, 1);
    lua_settop(L, 2);
    luaL_checktype(L, 2, LUA_TTABLE);
    cm_qa_rubric_summary s;
    if (cm_qa_rubric_info(r, &s) != CM_OK)
        return lcm_fail(L, CM_EINVAL);
    const lua_Integer n = luaL_len(L, 2);
    if (n < 0 || (uint64_t)n > SIZE_MAX / sizeof(int32_t) / s.items)
        return lcm_fail(L, CM_EINVAL);
    const size_t rows = (size_t)n, cells = rows > 0 ? rows : 1;
    int32_t *aw = (int32_t *)lua_newuserdatauv(L, cells * s.items * sizeof(int32_t), 0);
    double *scores = (double *)lua_newuserdatauv(L, cells * sizeof(double), 0);
    uint8_t *flags = (uint8_t *)lua_newuserdatauv(L, cells, 0);
    for (size_t e = 0; e < rows; e++) {
        lua_geti(L, 2, (lua_Integer)e + 1);
        if (lua_type(L, -1) != LUA_TTABLE)
            return lcm_fail_detail(L, CM_EINVAL, "rows[%I] is not a table", (lua_Integer)e + 1);
        const cm_status st = read_awards(L, r, lua_gettop(L), s.items, aw + e * s.items);
        if (st != CM_OK)
            return lcm_fail_detail(L, st, "rows[%I]", (lua_Integer)e + 1);
        lua_pop(L, 1);
    }
    const cm_status st = cm_qa_score_many(r, aw, rows, scores, flags);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, n > INT32_MAX ? INT32_MAX : (int)n, 0);
    lua_createtable(L, n > INT32_MAX ? INT32_MAX : (int)n, 0);
    lua_createtable(L, n > INT32_MAX ? INT32_MAX : (int)n, 0);
    for (size_t e = 0; e < rows; e++) {
        lua_pushnumber(L, scores[e]);
        lua_rawseti(L, -4, (lua_Integer)e + 1);
        lua_pushboolean(L, (flags[e] & CM_QA_PASSED) != 0);
        lua_rawseti(L, -3, (lua_Integer)e + 1);
        lua_pushboolean(L, (flags[e] & CM_QA_CRITICAL_FAILED) != 0);
        lua_rawseti(L, -2, (lua_Integer)e + 1);
    }
    return 3;
}

static int rubric_score(lua_State *L)
{
    const cm_qa_rubric *r = check_rubric(L, 1);
    cm_qa_rubric_summary s;
    if (cm_qa_rubric_info(r, &s) != CM_OK)
        return lcm_fail(L, CM_EINVAL);
    int32_t *aw = (int32_t *)lua_newuserdatauv(L, s.items * sizeof(int32_t), 0);
    double *sec = (double *)lua_newuserdatauv(L, s.sections * sizeof(double), 0);
    cm_status st = read_awards(L, r, 2, s.items, aw);
    cm_qa_result res;
    if (st == CM_OK)
        st = cm_qa_score(r, aw, s.items, &res, sec);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, 0, 8);
    lcm_set_number(L, "score", res.score);
    lcm_set_number(L, "raw_score", res.raw_score);
    lua_pushboolean(L, (res.flags & CM_QA_PASSED) != 0);
    lua_setfield(L, -2, "passed");
    lua_pushboolean(L, (res.flags & CM_QA_CRITICAL_FAILED) != 0);
    lua_setfield(L, -2, "critical_failed");
    lcm_set_integer(L, "critical_failures", res.critical_failures);
    lcm_set_integer(L, "applicable_items", res.applicable_items);
    lcm_set_integer(L, "na_items", res.na_items);
    lua_createtable(L, 0, (int)s.sections); /* name -> score, or false when all N/A */
    for (uint32_t i = 0; i < s.sections; i++) {
        cm_qa_section x;
        if (cm_qa_rubric_section(r, i, &x) != CM_OK)
            return lcm_fail(L, CM_EINVAL);
        if (res.na_sections >> i & 1u)
            lua_pushboolean(L, 0);
        else
            lua_pushnumber(L, sec[i]);
        lua_setfield(L, -2, x.name);
    }
    lua_setfield(L, -2, "sections");
    return 1;
}

static const luaL_Reg rubric_methods[] = {
    {"info", rubric_info},
    {"items", rubric_items},
    {"sections", rubric_sections},
    {"score", rubric_score},
    {"score_many", rubric_score_many},
    {"close", rubric_close},
    {"__gc", rubric_close},
    {NULL, NULL},
};

/* ---- the score accumulator ------------------------------------------------------ */

LCM_ACCUMULATOR_CORE(qa_acc, cm_qa_acc)

static uint32_t flags_of(lua_State *L, int passed, int critical)
{
    return (lua_toboolean(L, passed) ? (uint32_t)CM_QA_PASSED : 0u) |
           (lua_toboolean(L, critical) ? (uint32_t)CM_QA_CRITICAL_FAILED : 0u);
}

/* acc:add(score[, passed[, critical_failed]]) */
static int qa_acc_add(lua_State *L)
{
    cm_qa_acc *acc = check_qa_acc(L, 1);
    const cm_status st = cm_qa_acc_add(acc, luaL_checknumber(L, 2), flags_of(L, 3, 4));
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_settop(L, 1);
    return 1;
}

/* acc:add_result(r) with r from rubric:score() */
static int qa_acc_add_result(lua_State *L)
{
    cm_qa_acc *acc = check_qa_acc(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_getfield(L, 2, "score");
    const double score = luaL_checknumber(L, -1);
    lua_getfield(L, 2, "passed");
    lua_getfield(L, 2, "critical_failed");
    const cm_status st = cm_qa_acc_add(acc, score, flags_of(L, -2, -1));
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_settop(L, 1);
    return 1;
}

/* acc:add_many(scores, passed_flags[, critical_flags]): all or nothing. */
static int qa_acc_add_many(lua_State *L)
{
    cm_qa_acc *acc = check_qa_acc(L, 1);
    lua_settop(L, 4);
    size_t n;
    const double *scores = lcm_check_doubles(L, 2, &n);
    luaL_checktype(L, 3, LUA_TTABLE);
    cm_qa_acc copy = *acc;
    for (size_t i = 0; i < n; i++) {
        lua_geti(L, 3, (lua_Integer)i + 1);
        if (lua_istable(L, 4))
            lua_geti(L, 4, (lua_Integer)i + 1);
        else
            lua_pushnil(L);
        const cm_status st = cm_qa_acc_add(&copy, scores[i], flags_of(L, -2, -1));
        lua_pop(L, 2);
        if (st != CM_OK)
            return lcm_fail(L, st);
    }
    *acc = copy;
    lua_settop(L, 1);
    return 1;
}

static int qa_acc_result(lua_State *L)
{
    cm_qa_summary s;
    const cm_status st =
        cm_qa_acc_result(check_qa_acc(L, 1), luaL_optnumber(L, 2, CM_DEFAULT_CONFIDENCE), &s);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, 0, 9);
    lcm_set_integer(L, "n", (lua_Integer)s.n);
    lcm_set_number(L, "mean", s.mean);
    lcm_set_number(L, "sd", s.sd);
    lcm_set_number(L, "lo", s.lo);
    lcm_set_number(L, "hi", s.hi);
    lcm_set_number(L, "min", s.min);
    lcm_set_number(L, "max", s.max);
    lcm_push_proportion(L, &s.pass_rate);
    lua_setfield(L, -2, "pass_rate");
    lcm_push_proportion(L, &s.critical_rate);
    lua_setfield(L, -2, "critical_rate");
    return 1;
}

static int qa_acc__tostring(lua_State *L)
{
    lua_pushfstring(L, "caremetrics.qa_scores(n=%I)", (lua_Integer)check_qa_acc(L, 1)->n);
    return 1;
}

static const luaL_Reg qa_acc_methods[] = {
    {"add", qa_acc_add},
    {"add_result", qa_acc_add_result},
    {"add_many", qa_acc_add_many},
    {"merge", qa_acc_merge},
    {"result", qa_acc_result},
    {"serialize", qa_acc_serialize},
    {"__add", qa_acc__add},
    {"__eq", qa_acc__eq},
    {"__gc", qa_acc__gc},
    {"__tostring", qa_acc__tostring},
    {NULL, NULL},
};

static int l_qa_scores(lua_State *L)
{
    new_qa_acc(L);
    return 1;
}

/* ---- alerts and agreement --------------------------------------------------------- */

static int l_alerts(lua_State *L)
{
    lua_settop(L, 3);
    size_t n;
    const double *v = lcm_check_doubles(L, 1, &n);
    const double threshold = luaL_checknumber(L, 2);
    uint32_t periods;
    if (!lcm_arg_u32(L, 3, "periods", &periods))
        return 3;
    cm_spc_signal *sig = (cm_spc_signal *)lua_newuserdatauv(L, (n ? n : 1) * sizeof *sig, 0);
    size_t count = 0;
    const cm_status st = cm_qa_alerts(v, n, threshold, periods, sig, n, &count);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, (int)count, 0);
    for (size_t i = 0; i < count; i++) {
        lua_pushinteger(L, (lua_Integer)sig[i].index + 1);
        lua_seti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* A units x raters table of numbers, false = missing, read into Lua-owned arrays pushed on
 * the stack. Returns false (and pushes nothing useful) on a ragged table. */
static bool read_matrix(lua_State *L, int idx, double **values, uint8_t **present, size_t *units,
                        size_t *raters)
{
    luaL_checktype(L, idx, LUA_TTABLE);
    const lua_Integer nu = luaL_len(L, idx);
    lua_Integer nr = 0;
    if (nu > 0) {
        lua_geti(L, idx, 1);
        luaL_checktype(L, -1, LUA_TTABLE);
        nr = luaL_len(L, -1);
        lua_pop(L, 1);
    }
    const size_t cells = (size_t)nu * (size_t)nr;
    double *v = (double *)lua_newuserdatauv(L, (cells ? cells : 1) * sizeof(double), 0);
    uint8_t *p = (uint8_t *)lua_newuserdatauv(L, cells ? cells : 1, 0);
    for (lua_Integer u = 0; u < nu; u++) {
        lua_geti(L, idx, u + 1);
        luaL_checktype(L, -1, LUA_TTABLE);
        if (luaL_len(L, -1) != nr) {
            lua_pop(L, 1);
            return false;
        }
        for (lua_Integer r = 0; r < nr; r++) {
            lua_geti(L, -1, r + 1);
            const size_t k = (size_t)(u * nr + r);
            if (lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1)) {
                v[k] = 0.0;
                p[k] = 0;
            } else {
                v[k] = luaL_checknumber(L, -1);
                p[k] = 1;
            }
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    *values = v;
    *present = p;
    *units = (size_t)nu;
    *raters = (size_t)nr;
    return true;
}

static int l_alpha(lua_State *L)
{
    static const char *const levels[] = {"nominal", "ordinal", "interval", "ratio", NULL};
    lua_settop(L, 2);
    const int level = luaL_checkoption(L, 2, "interval", levels);
    double *v;
    uint8_t *p;
    size_t units, raters;
    if (!read_matrix(L, 1, &v, &p, &units, &raters))
        return lcm_fail(L, CM_EINVAL);
    const size_t need = cm_qa_alpha_scratch_size(units, raters);
    if (need == SIZE_MAX)
        return lcm_fail(L, CM_EINVAL);
    double *scratch = (double *)lua_newuserdatauv(L, (need ? need : 1) * sizeof(double), 0);
    cm_qa_alpha_result r;
    const cm_status st = cm_qa_alpha(v, p, units, raters, (uint32_t)level, scratch, need, &r);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, 0, 6);
    lcm_set_number(L, "alpha", r.alpha);
    lcm_set_number(L, "observed", r.observed);
    lcm_set_number(L, "expected", r.expected);
    lcm_set_integer(L, "pairable_values", (lua_Integer)r.pairable_values);
    lcm_set_integer(L, "pairable_units", (lua_Integer)r.pairable_units);
    lcm_set_integer(L, "distinct_values", (lua_Integer)r.distinct_values);
    return 1;
}

static int l_icc(lua_State *L)
{
    lua_settop(L, 1);
    double *v;
    uint8_t *p;
    size_t units, raters;
    if (!read_matrix(L, 1, &v, &p, &units, &raters))
        return lcm_fail(L, CM_EINVAL);
    for (size_t k = 0; k < units * raters; k++) {
        if (!p[k])
            return lcm_fail(L, CM_EINVAL); /* the ICCs need every rating */
    }
    cm_qa_icc_result r;
    const cm_status st = cm_qa_icc(v, units, raters, &r);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, 0, 12);
    lcm_set_number(L, "icc1", r.icc1);
    lcm_set_number(L, "icc2", r.icc2);
    lcm_set_number(L, "icc3", r.icc3);
    lcm_set_number(L, "icc1k", r.icc1k);
    lcm_set_number(L, "icc2k", r.icc2k);
    lcm_set_number(L, "icc3k", r.icc3k);
    lcm_set_number(L, "bms", r.bms);
    lcm_set_number(L, "wms", r.wms);
    lcm_set_number(L, "jms", r.jms);
    lcm_set_number(L, "ems", r.ems);
    lcm_set_integer(L, "targets", (lua_Integer)r.targets);
    lcm_set_integer(L, "raters", (lua_Integer)r.raters);
    return 1;
}

static int l_grader_deviation(lua_State *L)
{
    lua_settop(L, 1);
    double *v;
    uint8_t *p;
    size_t units, raters;
    if (!read_matrix(L, 1, &v, &p, &units, &raters))
        return lcm_fail(L, CM_EINVAL);
    cm_qa_deviation *d =
        (cm_qa_deviation *)lua_newuserdatauv(L, (raters ? raters : 1) * sizeof *d, 0);
    const cm_status st = cm_qa_grader_deviation(v, p, units, raters, d);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, (int)raters, 0);
    for (size_t r = 0; r < raters; r++) {
        lua_createtable(L, 0, 3);
        lcm_set_integer(L, "n", (lua_Integer)d[r].n);
        lcm_set_number(L, "mean", d[r].mean);
        lcm_set_number(L, "mean_abs", d[r].mean_abs);
        lua_seti(L, -2, (lua_Integer)r + 1);
    }
    return 1;
}

void lcm_open_qa(lua_State *L)
{
    lcm_new_class(L, RUBRIC, rubric_methods);
    lcm_new_class(L, "caremetrics.qa_acc", qa_acc_methods);
    static const luaL_Reg functions[] = {
        {"qa_rubric", l_rubric},
        {"qa_rubric_build", l_rubric_build},
        {"qa_scores", l_qa_scores},
        {"qa_scores_deserialize", qa_acc_deserialize},
        {"qa_alerts", l_alerts},
        {"qa_alpha", l_alpha},
        {"qa_icc", l_icc},
        {"qa_grader_deviation", l_grader_deviation},
        {NULL, NULL},
    };
    luaL_setfuncs(L, functions, 0);
}
