/*
 * Workforce forecasting from Lua: interval layouts as userdata, series as
 * arrays of numbers, models as tables; workspaces live in Lua-owned memory.
 *
 *   local iv = assert(caremetrics.forecast_intervals(cal, 2025, 3, 3, 28, 30))
 *   local counts = iv:counts(created, channels, handle_seconds, 2)  -- per channel arrays
 *   local y, state = iv:grid(counts.arrivals[1])
 *   local m = caremetrics.forecast_model("taylor", iv:slots_per_day())
 *   local point, lo, hi = caremetrics.forecast_predict(m, y, 7 * 48, state)
 *   local plan, summary = future:staffing_plan(volumes, aht, {queue = "erlang-c", concurrency = 2})
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics.h>

#include <lauxlib.h>
#include <lua.h>

#include <string.h>

#include "lcaremetrics.h"
#include "lcm-calendar.h"

#define INTERVALS "caremetrics.intervals"

typedef struct intervals {
    size_t n;
    uint32_t days, slots;
    cm_forecast_interval iv[];
} intervals;

static const char *const method_names[] = {"naive",        "mean",   "median",
                                           "holt-winters", "taylor", NULL};
static const char *const trend_names[] = {"none", "additive", "damped", NULL};
static const char *const season_names[] = {"additive", "multiplicative", NULL};
static const char *const param_names[] = {"alpha", "beta", "gamma", "omega", "phi", "lambda", NULL};
static const char *const criterion_names[] = {"mae", "rmse", "wmape", "mase", "bias", NULL};
static const char *const queue_names[] = {"erlang-c", "erlang-a", "workload", NULL};

/* ---- arrays ------------------------------------------------------------------- */

static void push_doubles(lua_State *L, const double *v, size_t n)
{
    lua_createtable(L, n > INT32_MAX ? 0 : (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushnumber(L, v[i]);
        lua_seti(L, -2, (lua_Integer)i + 1);
    }
}

static void push_bytes(lua_State *L, const uint8_t *v, size_t n)
{
    lua_createtable(L, n > INT32_MAX ? 0 : (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushinteger(L, v[i]);
        lua_seti(L, -2, (lua_Integer)i + 1);
    }
}

/* An optional array of slot states (nil: none), pushed as scratch memory. Values out of
 * 0..255 become 255, which the library refuses. */
static const uint8_t *opt_states(lua_State *L, int idx, size_t *n)
{
    *n = 0;
    if (lua_isnoneornil(L, idx))
        return NULL;
    luaL_checktype(L, idx, LUA_TTABLE);
    const lua_Integer len = luaL_len(L, idx);
    uint8_t *s = (uint8_t *)lua_newuserdatauv(L, (size_t)(len > 0 ? len : 1), 0);
    for (lua_Integer i = 0; i < len; i++) {
        lua_geti(L, idx, i + 1);
        const lua_Integer v = luaL_checkinteger(L, -1);
        s[i] = (uint8_t)(v < 0 || v > 255 ? 255 : v);
        lua_pop(L, 1);
    }
    *n = (size_t)len;
    return s;
}

static const double *opt_doubles(lua_State *L, int idx, size_t *n)
{
    *n = 0;
    if (lua_isnoneornil(L, idx))
        return NULL;
    return lcm_check_doubles(L, idx, n);
}

static size_t check_size(lua_State *L, int idx)
{
    const lua_Integer v = luaL_checkinteger(L, idx);
    luaL_argcheck(L, v >= 0, idx, "must not be negative");
    return (size_t)v;
}

/* ---- models as tables ----------------------------------------------------------- */

/* luaL_checkoption that also refuses a name with an embedded NUL ("taylor\0x"). */
static int check_name(lua_State *L, int idx, const char *def, const char *const names[])
{
    if (def != NULL && lua_isnoneornil(L, idx))
        return luaL_checkoption(L, idx, def, names);
    size_t len;
    const char *s = luaL_checklstring(L, idx, &len);
    luaL_argcheck(L, strlen(s) == len, idx, "contains a NUL byte");
    return luaL_checkoption(L, idx, NULL, names);
}

static void model_field_string(lua_State *L, int idx, const char *key, const char *const names[],
                               int first, int *out)
{
    lua_getfield(L, idx, key);
    if (!lua_isnil(L, -1))
        *out = first + check_name(L, -1, NULL, names);
    lua_pop(L, 1);
}

static void model_field_u32(lua_State *L, int idx, const char *key, uint32_t *out)
{
    lua_getfield(L, idx, key);
    if (!lua_isnil(L, -1)) {
        const lua_Integer v = luaL_checkinteger(L, -1);
        if (v < 0 || v > (lua_Integer)UINT32_MAX)
            luaL_error(L, "%s = %I is outside 0 .. 4294967295", key, v);
        *out = (uint32_t)v;
    }
    lua_pop(L, 1);
}

/* A model from a table: method and slots_per_day required; the rest default as
 * cm_forecast_model_default(). Wrong types or names raise. */
static cm_forecast_model check_model(lua_State *L, int idx)
{
    luaL_checktype(L, idx, LUA_TTABLE);
    idx = lua_absindex(L, idx);
    int method = 0;
    uint32_t slots = 0;
    model_field_string(L, idx, "method", method_names, CM_FORECAST_SEASONAL_NAIVE, &method);
    model_field_u32(L, idx, "slots_per_day", &slots);
    cm_forecast_model m;
    memset(&m, 0, sizeof m);
    if (cm_forecast_model_default((cm_forecast_method)method, slots, &m) != CM_OK) {
        /* Keep what the table says; the library will refuse it with a status. */
        m.method = (cm_forecast_method)method;
        m.slots_per_day = slots;
    }
    int trend = (int)m.trend, season = (int)m.seasonality;
    model_field_string(L, idx, "trend", trend_names, 0, &trend);
    model_field_string(L, idx, "seasonality", season_names, 0, &season);
    m.trend = (cm_forecast_trend)trend;
    m.seasonality = (cm_forecast_seasonality)season;
    model_field_u32(L, idx, "weeks", &m.weeks);
    lua_getfield(L, idx, "fit");
    if (lua_isboolean(L, -1)) {
        m.fit = lua_toboolean(L, -1) ? CM_FORECAST_FIT_ALL : 0;
    } else if (lua_istable(L, -1)) {
        m.fit = 0;
        const lua_Integer n = luaL_len(L, -1);
        for (lua_Integer i = 1; i <= n; i++) {
            lua_geti(L, -1, i);
            m.fit |= 1u << check_name(L, -1, NULL, param_names);
            lua_pop(L, 1);
        }
    } else if (!lua_isnil(L, -1)) {
        luaL_error(L, "model.fit must be a boolean or a list of parameter names");
    }
    lua_pop(L, 1);
    double *params[] = {&m.params.alpha, &m.params.beta, &m.params.gamma,
                        &m.params.omega, &m.params.phi,  &m.params.lambda};
    for (int i = 0; param_names[i] != NULL; i++) {
        lua_getfield(L, idx, param_names[i]);
        if (!lua_isnil(L, -1))
            *params[i] = luaL_checknumber(L, -1);
        lua_pop(L, 1);
    }
    return m;
}

static void push_model(lua_State *L, const cm_forecast_model *m)
{
    lua_createtable(L, 0, 12);
    const int method = (int)m->method - CM_FORECAST_SEASONAL_NAIVE;
    lua_pushstring(L, method >= 0 && method < 5 ? method_names[method] : "?");
    lua_setfield(L, -2, "method");
    lcm_set_integer(L, "slots_per_day", m->slots_per_day);
    lcm_set_integer(L, "weeks", m->weeks);
    lua_pushstring(L, m->trend <= CM_FORECAST_TREND_DAMPED ? trend_names[m->trend] : "?");
    lua_setfield(L, -2, "trend");
    lua_pushstring(L, m->seasonality <= CM_FORECAST_SEASON_MULTIPLICATIVE
                          ? season_names[m->seasonality]
                          : "?");
    lua_setfield(L, -2, "seasonality");
    lua_newtable(L);
    int k = 1;
    for (int i = 0; param_names[i] != NULL; i++) {
        if (m->fit & (1u << i)) {
            lua_pushstring(L, param_names[i]);
            lua_seti(L, -2, k++);
        }
    }
    lua_setfield(L, -2, "fit");
    const double params[] = {m->params.alpha, m->params.beta, m->params.gamma,
                             m->params.omega, m->params.phi,  m->params.lambda};
    for (int i = 0; param_names[i] != NULL; i++)
        lcm_set_number(L, param_names[i], params[i]);
}

/* caremetrics.forecast_model(method, slots_per_day[, changes]) */
static int l_model(lua_State *L)
{
    const int method = CM_FORECAST_SEASONAL_NAIVE + check_name(L, 1, NULL, method_names);
    cm_forecast_model m;
    uint32_t slots_per_day;
    if (!lcm_arg_u32(L, 2, "slots_per_day", &slots_per_day))
        return 3;
    const cm_status st = cm_forecast_model_default((cm_forecast_method)method, slots_per_day, &m);
    if (st != CM_OK)
        return lcm_fail(L, st);
    push_model(L, &m);
    if (lua_istable(L, 3)) {
        lua_pushnil(L);
        while (lua_next(L, 3) != 0) {
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_settable(L, -4);
        }
        /* Read it back, so a bad name raises here and the table comes out normalised. */
        const cm_forecast_model checked = check_model(L, -1);
        lua_pop(L, 1);
        push_model(L, &checked);
    }
    return 1;
}

/* ---- intervals ------------------------------------------------------------------ */

static intervals *check_intervals(lua_State *L, int idx)
{
    return (intervals *)luaL_checkudata(L, idx, INTERVALS);
}

/* caremetrics.forecast_intervals(calendar, year, month, day, days, minutes) */
static int l_intervals(lua_State *L)
{
    const cm_calendar *cal = lcm_check_calendar(L, 1);
    int32_t y, mo, d;
    uint32_t days, minutes;
    if (!lcm_arg_i32(L, 2, "year", &y) || !lcm_arg_i32(L, 3, "month", &mo) ||
        !lcm_arg_i32(L, 4, "day", &d) || !lcm_arg_u32(L, 5, "days", &days) ||
        !lcm_arg_u32(L, 6, "minutes", &minutes))
        return 3;
    size_t n = 0;
    cm_status st = cm_forecast_intervals(cal, y, mo, d, days, minutes, NULL, 0, &n);
    if (st != CM_OK && st != CM_ENOSPC)
        return lcm_fail(L, st);
    intervals *iv = (intervals *)lua_newuserdatauv(L, sizeof *iv + n * sizeof iv->iv[0], 0);
    iv->n = 0;
    iv->days = days;
    iv->slots = 1440 / minutes;
    luaL_setmetatable(L, INTERVALS);
    if (n > 0) {
        st = cm_forecast_intervals(cal, y, mo, d, days, minutes, iv->iv, n, &n);
        if (st != CM_OK)
            return lcm_fail(L, st);
    }
    iv->n = n;
    return 1;
}

static int iv_len(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)check_intervals(L, 1)->n);
    return 1;
}

static int iv_days(lua_State *L)
{
    lua_pushinteger(L, check_intervals(L, 1)->days);
    return 1;
}

static int iv_slots(lua_State *L)
{
    lua_pushinteger(L, check_intervals(L, 1)->slots);
    return 1;
}

/* iv:get(i) -> {start, seconds, open_seconds, day, slot} (1-based i; day and slot from 0) */
static int iv_get(lua_State *L)
{
    const intervals *iv = check_intervals(L, 1);
    const lua_Integer i = luaL_checkinteger(L, 2);
    luaL_argcheck(L, i >= 1 && (size_t)i <= iv->n, 2, "no such interval");
    const cm_forecast_interval *x = &iv->iv[i - 1];
    lua_createtable(L, 0, 5);
    lcm_set_integer(L, "start", x->start);
    lcm_set_integer(L, "seconds", x->seconds);
    lcm_set_integer(L, "open_seconds", x->open_seconds);
    lcm_set_integer(L, "day", x->day);
    lcm_set_integer(L, "slot", x->slot);
    return 1;
}

/* iv:counts(created[, channel[, handle_seconds[, channels]]]) -> {arrivals, handle_sum,
 * handled} with one array per channel; channels are numbered from 1 in Lua. */
static int iv_counts(lua_State *L)
{
    lua_settop(L, 5);
    const intervals *iv = check_intervals(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    const lua_Integer rows = luaL_len(L, 2);
    uint32_t channels = 1;
    if (!lua_isnoneornil(L, 5) && !lcm_arg_u32(L, 5, "channels", &channels))
        return 3;
    luaL_argcheck(L, channels >= 1 && channels < 1024, 5, "must be 1 to 1023 channels");
    cm_time *created =
        (cm_time *)lua_newuserdatauv(L, (size_t)(rows > 0 ? rows : 1) * sizeof(cm_time), 0);
    for (lua_Integer r = 0; r < rows; r++) {
        lua_geti(L, 2, r + 1);
        created[r] = luaL_checkinteger(L, -1);
        lua_pop(L, 1);
    }
    uint32_t *channel = NULL;
    if (!lua_isnil(L, 3)) {
        luaL_checktype(L, 3, LUA_TTABLE);
        luaL_argcheck(L, luaL_len(L, 3) == rows, 3, "must have one channel per row");
        channel =
            (uint32_t *)lua_newuserdatauv(L, (size_t)(rows > 0 ? rows : 1) * sizeof *channel, 0);
        for (lua_Integer r = 0; r < rows; r++) {
            lua_geti(L, 3, r + 1);
            const lua_Integer c = luaL_checkinteger(L, -1);
            channel[r] = c < 1 || c > (lua_Integer)UINT32_MAX ? UINT32_MAX : (uint32_t)(c - 1);
            lua_pop(L, 1);
        }
    }
    double *handle = NULL;
    if (!lua_isnil(L, 4)) {
        luaL_checktype(L, 4, LUA_TTABLE);
        luaL_argcheck(L, luaL_len(L, 4) == rows, 4, "must have one handle time per row");
        handle = (double *)lua_newuserdatauv(L, (size_t)(rows > 0 ? rows : 1) * sizeof *handle, 0);
        for (lua_Integer r = 0; r < rows; r++) {
            lua_geti(L, 4, r + 1);
            /* false marks an unknown handle time */
            handle[r] = lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1)
                            ? CM_FORECAST_HANDLE_UNKNOWN
                            : luaL_checknumber(L, -1);
            lua_pop(L, 1);
        }
    }
    const size_t cells = (size_t)channels * iv->n;
    double *out = (double *)lua_newuserdatauv(L, 3 * (cells ? cells : 1) * sizeof(double), 0);
    memset(out, 0, 3 * (cells ? cells : 1) * sizeof(double));
    uint64_t counted = 0;
    const cm_status st = cm_forecast_history_add(
        iv->iv, iv->n, created, channel, handle, (size_t)rows, channels, out,
        handle ? out + cells : NULL, handle ? out + 2 * cells : NULL, &counted);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, 0, 4);
    const char *const names[] = {"arrivals", "handle_sum", "handled"};
    for (int k = 0; k < (handle ? 3 : 1); k++) {
        lua_createtable(L, (int)channels, 0);
        for (uint32_t c = 0; c < channels; c++) {
            push_doubles(L, out + (size_t)k * cells + (size_t)c * iv->n, iv->n);
            lua_seti(L, -2, (lua_Integer)c + 1);
        }
        lua_setfield(L, -2, names[k]);
    }
    lcm_set_integer(L, "counted", (lua_Integer)counted);
    return 1;
}

/* iv:grid([values]) -> grid (or nil), state */
static int iv_grid(lua_State *L)
{
    lua_settop(L, 2);
    const intervals *iv = check_intervals(L, 1);
    size_t n = 0;
    const double *values = opt_doubles(L, 2, &n);
    if (values != NULL)
        luaL_argcheck(L, n == iv->n, 2, "must have one value per interval");
    const size_t cells = (size_t)iv->days * iv->slots;
    double *grid =
        values ? (double *)lua_newuserdatauv(L, (cells ? cells : 1) * sizeof(double), 0) : NULL;
    uint8_t *state = (uint8_t *)lua_newuserdatauv(L, cells ? cells : 1, 0);
    const cm_status st =
        cm_forecast_to_grid(iv->iv, iv->n, values, iv->days, iv->slots, grid, state);
    if (st != CM_OK)
        return lcm_fail(L, st);
    if (grid != NULL)
        push_doubles(L, grid, cells);
    else
        lua_pushnil(L);
    push_bytes(L, state, cells);
    return 2;
}

/* iv:from_grid(grid[, volumes = true]) -> values */
static int iv_from_grid(lua_State *L)
{
    lua_settop(L, 3);
    const intervals *iv = check_intervals(L, 1);
    size_t n;
    const double *grid = lcm_check_doubles(L, 2, &n);
    luaL_argcheck(L, n == (size_t)iv->days * iv->slots, 2, "must have days x slots_per_day values");
    const bool volumes = lua_isnil(L, 3) || lua_toboolean(L, 3);
    double *out = (double *)lua_newuserdatauv(L, (iv->n ? iv->n : 1) * sizeof(double), 0);
    const cm_status st =
        cm_forecast_from_grid(iv->iv, iv->n, grid, iv->days, iv->slots, volumes, out);
    if (st != CM_OK)
        return lcm_fail(L, st);
    push_doubles(L, out, iv->n);
    return 1;
}

static double opt_field(lua_State *L, int idx, const char *key, double def)
{
    lua_getfield(L, idx, key);
    const double v = lua_isnil(L, -1) ? def : luaL_checknumber(L, -1);
    lua_pop(L, 1);
    return v;
}

/* iv:staffing_plan(volumes, aht_seconds[, options]) -> per-interval tables, summary */
static int iv_staffing(lua_State *L)
{
    lua_settop(L, 4);
    const intervals *iv = check_intervals(L, 1);
    size_t nv, na;
    const double *vol = lcm_check_doubles(L, 2, &nv);
    const double *aht = lcm_check_doubles(L, 3, &na);
    luaL_argcheck(L, nv == iv->n, 2, "must have one volume per interval");
    luaL_argcheck(L, na == iv->n, 3, "must have one handle time per interval");
    if (lua_isnil(L, 4))
        lua_newtable(L);
    else
        luaL_checktype(L, 4, LUA_TTABLE);
    const int o = lua_absindex(L, 4);
    cm_forecast_staffing_options opt;
    int queue = 0;
    model_field_string(L, o, "queue", queue_names, 0, &queue);
    opt.queue = (cm_forecast_queue)queue;
    opt.target_sl = opt_field(L, o, "target_sl", 0.8);
    opt.target_seconds = opt_field(L, o, "target_seconds", 20.0);
    opt.max_occupancy = opt_field(L, o, "max_occupancy", 0.85);
    opt.patience_seconds = opt_field(L, o, "patience_seconds", 0.0);
    opt.concurrency = 1;
    model_field_u32(L, o, "concurrency", &opt.concurrency);
    opt.shrinkage = opt_field(L, o, "shrinkage", 0.3);
    opt.shift_hours = opt_field(L, o, "shift_hours", 8.0);
    opt.workdays_per_week = opt_field(L, o, "workdays_per_week", 5.0);
    cm_forecast_staffing *out =
        (cm_forecast_staffing *)lua_newuserdatauv(L, (iv->n ? iv->n : 1) * sizeof *out, 0);
    cm_forecast_staffing_summary s;
    const cm_status st = cm_forecast_staffing_plan(iv->iv, vol, aht, iv->n, &opt, out, &s);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_createtable(L, (int)iv->n, 0);
    for (size_t i = 0; i < iv->n; i++) {
        lua_createtable(L, 0, 7);
        lcm_set_number(L, "traffic", out[i].traffic);
        lcm_set_integer(L, "agents", out[i].agents);
        lcm_set_number(L, "service_level", out[i].service_level);
        lcm_set_number(L, "asa_seconds", out[i].asa_seconds);
        lcm_set_number(L, "p_abandon", out[i].p_abandon);
        lcm_set_number(L, "occupancy", out[i].occupancy);
        lcm_set_number(L, "scheduled", out[i].scheduled);
        lua_seti(L, -2, (lua_Integer)i + 1);
    }
    lua_createtable(L, 0, 10);
    lcm_set_number(L, "contacts", s.contacts);
    lcm_set_number(L, "workload_hours", s.workload_hours);
    lcm_set_number(L, "agent_hours", s.agent_hours);
    lcm_set_number(L, "scheduled_hours", s.scheduled_hours);
    lcm_set_number(L, "days", s.days);
    lcm_set_number(L, "fte", s.fte);
    lcm_set_integer(L, "peak_agents", s.peak_agents);
    lcm_set_integer(L, "peak_scheduled", s.peak_scheduled);
    lcm_set_integer(L, "peak_interval", (lua_Integer)s.peak_interval + 1);
    lcm_set_number(L, "peak_ratio", s.peak_ratio);
    return 2;
}

/* ---- fitting and forecasting --------------------------------------------------------- */

static void *workspace(lua_State *L, const cm_forecast_model *m, size_t n, size_t h, size_t *bytes,
                       cm_status *st)
{
    *bytes = 0;
    *st = cm_forecast_workspace_size(m, n, h, bytes);
    if (*st != CM_OK)
        return NULL;
    /* Lua's allocator returns memory aligned like malloc's. */
    return lua_newuserdatauv(L, *bytes ? *bytes : 1, 0);
}

static void push_fit(lua_State *L, const cm_forecast_fit_result *r)
{
    lua_createtable(L, 0, 5);
    push_model(L, &r->model);
    lua_setfield(L, -2, "model");
    lcm_set_number(L, "sse", r->sse);
    lcm_set_number(L, "sigma", r->sigma);
    lcm_set_integer(L, "observations", (lua_Integer)r->observations);
    lcm_set_integer(L, "evaluations", r->evaluations);
}

/* caremetrics.forecast_fit(model, y[, state[, initial]]) -> result table */
static int l_fit(lua_State *L)
{
    lua_settop(L, 4);
    const cm_forecast_model m = check_model(L, 1);
    size_t n, ns, ni;
    const double *y = lcm_check_doubles(L, 2, &n);
    const uint8_t *state = opt_states(L, 3, &ns);
    luaL_argcheck(L, state == NULL || ns == n, 3, "must have one state per value");
    const double *initial = opt_doubles(L, 4, &ni);
    size_t want = 0;
    if (initial != NULL && cm_forecast_initial_size(&m, &want) == CM_OK)
        luaL_argcheck(L, ni == want, 4, "has the wrong number of initial states");
    size_t bytes;
    cm_status st;
    void *work = workspace(L, &m, n, 0, &bytes, &st);
    cm_forecast_fit_result r;
    if (st == CM_OK)
        st = cm_forecast_fit(&m, y, state, n, initial, work, bytes, &r, NULL);
    if (st != CM_OK)
        return lcm_fail(L, st);
    push_fit(L, &r);
    return 1;
}

/* caremetrics.forecast_predict(model, y, horizon[, state[, future_state[, confidence]]])
 * -> point, lo, hi (lo and hi nil when the model has no prediction interval) */
static int l_predict(lua_State *L)
{
    lua_settop(L, 6);
    const cm_forecast_model m = check_model(L, 1);
    size_t n, ns, nf;
    const double *y = lcm_check_doubles(L, 2, &n);
    const size_t h = check_size(L, 3);
    const uint8_t *state = opt_states(L, 4, &ns);
    luaL_argcheck(L, state == NULL || ns == n, 4, "must have one state per value");
    const uint8_t *future = opt_states(L, 5, &nf);
    luaL_argcheck(L, future == NULL || nf == h, 5, "must have one state per forecast slot");
    const double confidence = luaL_optnumber(L, 6, 0.95);
    bool bounds = false;
    cm_status st = cm_forecast_has_interval(&m, &bounds);
    if (st != CM_OK)
        return lcm_fail(L, st);
    size_t bytes;
    void *work = workspace(L, &m, n, h, &bytes, &st);
    if (st != CM_OK)
        return lcm_fail(L, st);
    double *out = (double *)lua_newuserdatauv(L, 3 * (h ? h : 1) * sizeof(double), 0);
    st = cm_forecast_predict(&m, y, state, n, NULL, future, h, confidence, work, bytes, out,
                             bounds ? out + h : NULL, bounds ? out + 2 * h : NULL);
    if (st != CM_OK)
        return lcm_fail(L, st);
    push_doubles(L, out, h);
    if (!bounds) {
        lua_pushnil(L);
        lua_pushnil(L);
        return 3;
    }
    push_doubles(L, out + h, h);
    push_doubles(L, out + 2 * h, h);
    return 3;
}

static void push_accuracy(lua_State *L, const cm_forecast_accuracy *a)
{
    lua_createtable(L, 0, 6);
    lcm_set_integer(L, "n", (lua_Integer)a->n);
    lcm_set_number(L, "mae", a->mae);
    lcm_set_number(L, "rmse", a->rmse);
    lcm_set_number(L, "bias", a->bias);
    if (a->wmape_defined)
        lcm_set_number(L, "wmape", a->wmape);
    if (a->mase_defined)
        lcm_set_number(L, "mase", a->mase);
}

/* caremetrics.forecast_evaluate(actual, forecast[, state[, train[, season]]]) -> table
 * (wmape and mase absent when undefined) */
static int l_evaluate(lua_State *L)
{
    lua_settop(L, 5);
    size_t na, nf, ns, nt;
    const double *actual = lcm_check_doubles(L, 1, &na);
    const double *fc = lcm_check_doubles(L, 2, &nf);
    luaL_argcheck(L, na == nf, 2, "must have as many entries as actual");
    const uint8_t *state = opt_states(L, 3, &ns);
    luaL_argcheck(L, state == NULL || ns == na, 3, "must have one state per value");
    const double *train = opt_doubles(L, 4, &nt);
    const size_t season = lua_isnil(L, 5) ? (train ? 1 : 0) : check_size(L, 5);
    cm_forecast_accuracy a;
    const cm_status st = cm_forecast_evaluate(actual, fc, state, na, train, NULL, nt, season, &a);
    if (st != CM_OK)
        return lcm_fail(L, st);
    push_accuracy(L, &a);
    return 1;
}

/* caremetrics.forecast_backtest(models, y, weeks[, state[, criterion]]) -> best (1-based),
 * scores (false for a model that could not run) */
static int l_backtest(lua_State *L)
{
    lua_settop(L, 5);
    luaL_checktype(L, 1, LUA_TTABLE);
    const lua_Integer k = luaL_len(L, 1);
    luaL_argcheck(L, k >= 1 && k <= 64, 1, "must hold 1 to 64 models");
    cm_forecast_model models[64];
    for (lua_Integer i = 0; i < k; i++) {
        lua_geti(L, 1, i + 1);
        models[i] = check_model(L, -1);
        lua_pop(L, 1);
    }
    size_t n, ns;
    const double *y = lcm_check_doubles(L, 2, &n);
    uint32_t weeks;
    if (!lcm_arg_u32(L, 3, "weeks", &weeks))
        return 3;
    const uint8_t *state = opt_states(L, 4, &ns);
    luaL_argcheck(L, state == NULL || ns == n, 4, "must have one state per value");
    const int criterion = check_name(L, 5, "rmse", criterion_names);
    size_t bytes = 0, best = 0;
    cm_status st = cm_forecast_backtest_workspace_size(models, (size_t)k, n, &bytes);
    if (st != CM_OK)
        return lcm_fail(L, st);
    void *work = lua_newuserdatauv(L, bytes ? bytes : 1, 0);
    cm_forecast_accuracy scores[64];
    st = cm_forecast_backtest(models, (size_t)k, y, state, n, weeks,
                              (cm_forecast_criterion)criterion, work, bytes, scores, &best);
    if (st != CM_OK)
        return lcm_fail(L, st);
    lua_pushinteger(L, (lua_Integer)best + 1);
    lua_createtable(L, (int)k, 0);
    for (lua_Integer i = 0; i < k; i++) {
        if (scores[i].n == 0)
            lua_pushboolean(L, 0);
        else
            push_accuracy(L, &scores[i]);
        lua_seti(L, -2, i + 1);
    }
    return 2;
}

/* caremetrics.forecast_aht(handle_sum, handled, slots_per_day, weeks, horizon[, state]) */
static int l_aht(lua_State *L)
{
    lua_settop(L, 6);
    size_t ns, nh, nst;
    const double *sum = lcm_check_doubles(L, 1, &ns);
    const double *handled = lcm_check_doubles(L, 2, &nh);
    luaL_argcheck(L, ns == nh, 2, "must have as many entries as handle_sum");
    uint32_t slots, weeks;
    if (!lcm_arg_u32(L, 3, "slots_per_day", &slots) || !lcm_arg_u32(L, 4, "weeks", &weeks))
        return 3;
    const size_t h = check_size(L, 5);
    const uint8_t *state = opt_states(L, 6, &nst);
    luaL_argcheck(L, state == NULL || nst == ns, 6, "must have one state per value");
    double *out = (double *)lua_newuserdatauv(L, (h ? h : 1) * sizeof(double), 0);
    const cm_status st = cm_forecast_aht(sum, handled, state, ns, slots, weeks, h, out);
    if (st != CM_OK)
        return lcm_fail(L, st);
    push_doubles(L, out, h);
    return 1;
}

void lcm_open_forecast(lua_State *L)
{
    static const luaL_Reg iv_methods[] = {
        {"__len", iv_len},
        {"count", iv_len},
        {"days", iv_days},
        {"slots_per_day", iv_slots},
        {"get", iv_get},
        {"counts", iv_counts},
        {"grid", iv_grid},
        {"from_grid", iv_from_grid},
        {"staffing_plan", iv_staffing},
        {NULL, NULL},
    };
    lcm_new_class(L, INTERVALS, iv_methods);
    static const luaL_Reg funcs[] = {
        {"forecast_intervals", l_intervals},
        {"forecast_model", l_model},
        {"forecast_fit", l_fit},
        {"forecast_predict", l_predict},
        {"forecast_evaluate", l_evaluate},
        {"forecast_backtest", l_backtest},
        {"forecast_aht", l_aht},
        {NULL, NULL},
    };
    luaL_setfuncs(L, funcs, 0);
    lua_createtable(L, 0, 3);
    lcm_set_integer(L, "OBSERVED", CM_FORECAST_OBSERVED);
    lcm_set_integer(L, "CLOSED", CM_FORECAST_CLOSED);
    lcm_set_integer(L, "MISSING", CM_FORECAST_MISSING);
    lua_setfield(L, -2, "forecast_state");
}
