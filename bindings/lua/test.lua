-- Tests of the Lua module, printed as TAP. Run: LUA_CPATH=build/bindings/lua/?.so lua5.4 test.lua
local cm = require("caremetrics")

local n, failed = 0, 0
local function test(name, fn)
    n = n + 1
    local ok, err = pcall(fn)
    if ok then
        print(("ok %d - %s"):format(n, name))
    else
        failed = failed + 1
        print(("not ok %d - %s"):format(n, name))
        print("# " .. tostring(err):gsub("\n", "\n# "))
    end
end

local function eq(got, want, what)
    if got ~= want then
        error(("%s: got %s, expected %s"):format(what or "value", tostring(got), tostring(want)), 2)
    end
end

local function near(got, want, rel, what)
    local tol = rel * math.max(1.0, math.abs(want))
    if type(got) ~= "number" or math.abs(got - want) > tol then
        error(("%s: got %s, expected %.17g"):format(what or "value", tostring(got), want), 2)
    end
end

-- Asserts the nil, message, code triple of a data error.
local function fails(code, ...)
    local v, msg, c = ...
    if v ~= nil or c ~= code or type(msg) ~= "string" or not msg:find(code, 1, true) then
        error(("expected nil, msg, %s; got %s, %s, %s"):format(code, tostring(v), tostring(msg),
            tostring(c)), 2)
    end
end

test("version", function()
    eq(cm.version(), cm._VERSION)
    local a, b, c = cm.version():match("^(%d+)%.(%d+)%.(%d+)$")
    eq(cm.version_number(), a * 10000 + b * 100 + c, "version number")
    eq(cm.status.CM_OK, 0)
    eq(cm.status.CM_EINVAL, -1)
    eq(cm.strerror(cm.status.CM_ENODATA), "metric undefined: no data")
    eq(cm.strerror(12345), "unknown status")
end)

test("seed: FCR 200/250 = 80 %", function()
    local p = cm.rate(200, 250)
    eq(p.value, 0.8, "value")
    eq(p.num, 200)
    eq(p.den, 250)
    -- Wilson interval at 95 %: mpmath values of tests/data/kpi-oracle.h.
    near(p.lo, 0.7460440266329054515, 1e-12, "lo")
    near(p.hi, 0.8448759936698278019, 1e-12, "hi")
end)

test("seed: CSAT 80/100 = 80 %", function()
    local scores = {}
    for i = 1, 100 do scores[i] = i <= 50 and 5 or i <= 80 and 4 or i <= 90 and 3 or 1 end
    local r = cm.csat():add_many(scores):result()
    eq(r.satisfied.num, 80)
    eq(r.satisfied.value, 0.8)
    near(r.mean, 4.1, 1e-12, "mean")
end)

test("seed: NPS 120/40/40 of 200 = +40", function()
    local acc = cm.nps()
    for i = 1, 200 do acc:add(i <= 120 and 10 or i <= 160 and 8 or 3) end
    local r = acc:result()
    eq(r.score, 40.0, "score")
    eq(r.promoters, 120)
    eq(r.passives, 40)
    eq(r.detractors, 40)
    near(r.se, 80 / math.sqrt(200), 1e-12, "se") -- hand: 100 * sqrt((0.6 + 0.2 - 0.16) / 200)
end)

test("seed: ART 500 min over 50 = 10 min", function()
    eq(cm.art_mean(500 * 60, 50), 600.0)
    local acc = cm.art()
    for i = 1, 25 do acc:add(300); acc:add(900) end
    local r = acc:result()
    eq(r.mean_seconds, 600.0)
    eq(r.min_seconds, 300)
    eq(r.max_seconds, 900)
end)

test("CES scales", function()
    local r = cm.ces():add_many({7, cm.SCORE_NONE, 5, 4, 1}):result()
    eq(r.n, 4)
    near(r.mean, 4.25, 1e-12, "mean")
    eq(r.easy.num, 2)
    local five = assert(cm.ces(5, 1, 2))
    eq(five:add_many({1, 2, 5}):result().easy.num, 2)
end)

test("abandonment", function()
    local p = cm.abandonment_rate(100, 10, 4)
    eq(p.num, 6)
    eq(p.den, 96)
    -- hand: 6 contacts, one short abandon under 5 s -> 3 of 5
    p = cm.abandonment_rate_many({1, 2, 10, 30, 3, 5}, {true, false, true, true, false, 1}, 5)
    eq(p.num, 3)
    eq(p.den, 5)
    fails("CM_ENODATA", cm.abandonment_rate_many({1, 2}, {true, true}, 10))
    fails("CM_EINVAL", cm.abandonment_rate_many({-1}, {false}))
end)

test("data errors return nil, message, code", function()
    fails("CM_ENODATA", cm.rate(0, 0))
    fails("CM_EINVAL", cm.rate(3, 2))
    fails("CM_EINVAL", cm.rate(-1, 2))
    fails("CM_EINVAL", cm.rate(1, 2, 0 / 0))
    fails("CM_EINVAL", cm.rate(1, 2, 1.5))
    fails("CM_ERANGE", cm.nps():add(11))
    fails("CM_ERANGE", cm.nps():add(2 ^ 40 // 1))
    fails("CM_ERANGE", cm.csat():add(0))
    fails("CM_ERANGE", cm.csat(11, 4))
    fails("CM_ERANGE", cm.csat():add_many({5, 300}))
    fails("CM_ENODATA", cm.csat():result())
    fails("CM_EINVAL", cm.art():add(-5))
    fails("CM_EINVAL", cm.art_mean(10, -1))
    fails("CM_EPARSE", cm.parse_time("2025-02-30"))
    fails("CM_EPARSE", cm.nps_deserialize("CM"))
    fails("CM_EINVAL", cm.csat():merge(cm.csat(10, 8)))
end)

test("wrong argument types raise", function()
    assert(not pcall(cm.rate, "a", 2))
    assert(not pcall(cm.rate, 1.5, 2))
    assert(not pcall(function() cm.nps():add("x") end))
    assert(not pcall(function() cm.nps().add(cm.csat(), 5) end))
    assert(not pcall(cm.abandonment_rate_many, {1, 2}, {true}))
end)

test("add_many is all or nothing", function()
    local acc = cm.nps():add_many({10, 9})
    local before = acc:serialize()
    fails("CM_ERANGE", acc:add_many({5, 6, 11}))
    local big = {}
    for i = 1, 2000 do big[i] = 10 end
    big[1500] = 99 -- invalid entry in the third chunk
    fails("CM_ERANGE", acc:add_many(big))
    eq(acc:serialize(), before, "bytes")
end)

test("merge, __add, __eq and serialization", function()
    local a = cm.nps():add_many({10, 9, 3})
    local b = cm.nps():add_many({7, 0})
    local all = cm.nps():add_many({10, 9, 3, 7, 0})
    eq(a + b, all, "a + b")
    near(a:result().score, 100 * (2 - 1) / 3, 1e-12, "a unchanged by +")
    a:merge(b)
    eq(a, all, "merged")
    local back = assert(cm.nps_deserialize(all:serialize()))
    eq(back, all, "round trip")
    eq(#all:serialize(), 100, "size")
    for _, kind in ipairs({"csat", "ces", "art"}) do
        local acc = cm[kind]()
        acc:add(kind == "art" and 42 or 5)
        eq(cm[kind .. "_deserialize"](acc:serialize()), acc, kind)
    end
    assert(tostring(all):find("caremetrics.nps(n=5)", 1, true))
    assert(not pcall(function() return cm.nps() + cm.csat() end))
end)

test("time", function()
    eq(cm.parse_time("2025-03-09T01:30:00-05:30"), 1741503600)
    eq(cm.format_time(951827696), "2000-02-29T12:34:56Z")
    fails("CM_ERANGE", cm.format_time(253402300800))
end)

test("garbage collection releases accumulators", function()
    collectgarbage("collect")
    local before = collectgarbage("count")
    for _ = 1, 20000 do
        local acc = cm.csat():add(5)
        acc = acc + cm.csat()
    end
    collectgarbage("collect")
    collectgarbage("collect")
    local after = collectgarbage("count")
    assert(after < before + 64, ("memory grew from %.0f KB to %.0f KB"):format(before, after))
end)

test("sketch quantiles against exact quantiles", function()
    local xs = {}
    for i = 1, 1000 do xs[i] = i * 7.5 end
    local s = cm.sketch():add_many(xs)
    local exact = cm.quantiles_exact(xs, {0.5, 0.9})
    -- numpy's default (type 7) by hand: position 0.5 * 999 = 499.5 -> (500 + 501) / 2 * 7.5
    near(exact[1], 3753.75, 1e-15, "exact median")
    near(exact[2], (899.1 + 1) * 7.5, 1e-12, "exact p90")
    local q = s:quantiles({0.5, 0.9})
    assert(math.abs(q[1] - exact[1]) <= exact[1] / 101 + 1e-9, "median within the bound")
    assert(math.abs(q[2] - exact[2]) <= exact[2] / 101 + 1e-9, "p90 within the bound")
    eq(s:quantile(0.5), q[1])
    eq(s:result().n, 1000)
    eq(s:result().max_seconds, 7500.0)
    local back = assert(cm.sketch_deserialize(s:serialize()))
    eq(back, s, "round trip")
    local halves = cm.sketch():add_many({table.unpack(xs, 1, 500)}) + cm.sketch():add_many({table.unpack(xs, 501)})
    eq(halves, s, "merge of halves")
    fails("CM_EINVAL", cm.sketch():add(-1))
    fails("CM_ENODATA", cm.sketch():quantile(0.5))
    fails("CM_ENODATA", cm.quantiles_exact({}, {0.5}))
end)

test("control limits and run rules", function()
    -- Seed: chat first response above 90 s for three consecutive intervals fires at the 3rd.
    local sig = cm.spc_evaluate({60, 95, 70, 91, 92, 93, 80},
        {rules = cm.SPC_ABOVE_THRESHOLD, threshold = 90, level_run = 3})
    eq(#sig, 1, "signals")
    eq(sig[1].index, 5)
    eq(sig[1].rule, cm.SPC_ABOVE_THRESHOLD)
    eq(sig[1].side, 1)
    -- Hand: 10, 12, 11, 13 -> centre 11.5, MRbar 5/3, sigma MRbar / 1.128.
    local lim = cm.spc_individuals({10, 12, 11, 13})
    near(lim.center, 11.5, 1e-15, "centre")
    near(lim.sigma, 5 / 3 / 1.128, 1e-15, "sigma")
    sig = cm.spc_evaluate({10, 10.5, 13.5, 9}, {rules = cm.SPC_BEYOND_3SIGMA,
        limits = {center = 10, sigma = 1}})
    eq(#sig, 1)
    eq(sig[1].index, 2)
    fails("CM_ENODATA", cm.spc_individuals({}))
    fails("CM_EINVAL", cm.spc_individuals({1, 0 / 0}))
end)

test("Erlang staffing: seed examples", function()
    -- 60 calls/h x 6 min = 6 Erlangs, 80/20 -> 9 agents (SL 83.4 %)
    eq(cm.erlang_agents(6, 360, 0.8, 20), 9)
    eq(math.floor(1000 * cm.erlang_service_level(6, 9, 360, 20) + 0.5), 834)
    -- 300 calls/h x 6 min = 30 Erlangs -> 36 agents; Erlang A with 5-min patience -> 34
    eq(cm.erlang_agents(30, 360, 0.8, 20), 36)
    eq(cm.erlang_a_agents(30, 360, 300, 0.8, 20), 34)
    local a = cm.erlang_a(30, 34, 360, 300, 20)
    assert(a.p_abandon > 0 and a.p_abandon < 0.05, "abandon share")
    -- 74,000 min of work at 85 % occupancy and 30 % shrinkage over 22 days -> 11.8 FTE
    local hours = cm.workload_hours({5000, 3000, 2000}, {480, 360, 480})
    near(hours, 74000 / 60, 1e-15, "workload")
    local w = cm.workforce_plan(hours, 0.85, 0.30, 8, 22)
    near(w.scheduled_hours, 74000 / 60 / 0.85 / 0.70, 1e-15, "scheduled")
    eq(math.floor(10 * w.fte + 0.5), 118)
    local plan = cm.staffing_plan({60, 300}, {360, 360}, 3600, 0.8, 20)
    eq(plan[1].agents, 9)
    eq(plan[2].agents, 36)
    fails("CM_EUNSTABLE", cm.erlang_c(10, 10))
    fails("CM_EINVAL", cm.erlang_agents(10, 0, 0.8, 20))
    fails("CM_EINVAL", cm.erlang_b(0 / 0, 3))
end)

test("contact counters: the ICMI example", function()
    -- 1,000 answered (860 within 20 s), 60 abandoned (20 within 20 s, 10 under 5 s)
    local waits, handles, gone = {}, {}, {}
    local function add(count, wait, abandoned)
        for _ = 1, count do
            waits[#waits + 1] = wait
            handles[#handles + 1] = 300
            gone[#gone + 1] = abandoned
        end
    end
    add(860, 10, false); add(140, 40, false); add(10, 2, true); add(10, 15, true); add(40, 60, true)
    local c = cm.contacts(20, 5):add_many(waits, handles, gone)
    local want = {86.0, 81.1, 82.7, 83.0, 82.1, 81.9}
    local variants = {cm.SL_ANSWERED_ONLY, cm.SL_ABANDONS_AGAINST, cm.SL_ABANDONS_BEFORE_T_IGNORED,
        cm.SL_ABANDONS_BEFORE_T_MET, cm.SL_SHORT_ABANDONS_MET, cm.SL_SHORT_ABANDONS_EXCLUDED}
    for i, v in ipairs(variants) do
        eq(math.floor(1000 * c:service_level(v) + 0.5) / 10, want[i], "variant " .. v)
    end
    local num, den = c:service_level_counts(cm.SL_ANSWERED_ONLY)
    eq(num, 860)
    eq(den, 1000)
    eq(cm.contacts_deserialize(c:serialize()), c, "round trip")
    eq((c + cm.contacts(20, 5)):result().offered, 1060)
    fails("CM_ENODATA", cm.contacts():asa())
    fails("CM_EINVAL", cm.contacts():add(-1))
    fails("CM_ERANGE", cm.contacts(5, 20))
    assert(tostring(c):find("offered=1060", 1, true))
end)

test("business calendars", function()
    local cal = assert(cm.calendar("tz America/New_York\nmon-fri 09:00-17:00\n2025-12-25 closed"))
    -- Friday 2025-03-07 16:30 EST (21:30 UTC) + 4 business hours = Monday 12:30 EDT (16:30 UTC).
    local start = cm.parse_time("2025-03-07T21:30:00Z")
    local due = cal:add(start, 4 * 3600)
    eq(cm.format_time(due), "2025-03-10T16:30:00Z")
    eq(cal:elapsed(start, due), 4 * 3600)
    eq(cal:elapsed(due, start), -4 * 3600)
    eq(cal:is_open(start), true)
    eq(cal:is_open(cm.parse_time("2025-12-25T15:00:00Z")), false)
    local ends = cal:add_many({start, start}, {3600, 7200})
    eq(#ends, 2)
    local back = cal:elapsed_many({start, start}, ends)
    eq(back[1], 3600)
    eq(back[2], 7200)
    local ok, msg, code = cm.calendar("mon-fri 9-17")
    eq(ok, nil)
    eq(code, "CM_EPARSE")
    assert(msg:find("line 1, column 9", 1, true), msg)
    fails("CM_ENOTFOUND", cm.timezone("Mars/Olympus_Mons"))
    local tz = assert(cm.timezone("Europe/London"))
    eq(tz:utc_offset(cm.parse_time("2025-07-01T12:00:00Z")), 3600)
    eq(tz:to_local(cm.parse_time("2025-07-01T12:00:00Z")).hour, 13)
    eq(tz:from_local({year = 2025, month = 7, day = 1, hour = 13}), cm.parse_time("2025-07-01T12:00:00Z"))
    local sydney = assert(cm.calendar("mon-fri 09:00-17:00", assert(cm.timezone("Australia/Sydney"))))
    eq(sydney:is_open(cm.parse_time("2025-01-14T23:30:00Z")), true) -- 10:30 in Sydney
    cal:close()
    assert(not pcall(cal.add, cal, 0, 1), "closed calendar raises")
    for _ = 1, 200 do cm.calendar("mon-fri 09:00-17:00") end
    collectgarbage("collect")
end)

test("SLA replay and attainment", function()
    local policy = assert(cm.sla_policy("first-reply normal 4h business\nfirst-reply high 2h calendar\n"))
    local cal = assert(cm.calendar("tz UTC\nmon-fri 09:00-17:00"))
    -- Created Friday 2025-03-07 16:30 UTC, normal: 30 business minutes on Friday and
    -- 3.5 h on Monday -> due Monday 12:30.
    local t0 = cm.parse_time("2025-03-07T16:30:00Z")
    local events = {{at = t0, type = cm.SLA_CREATED, value = cm.SLA_NORMAL}}
    local inst = cm.sla_evaluate(policy, events, t0 + 60, {cal})
    local fr
    for _, i in ipairs(inst) do if i.metric == "first-reply" then fr = i end end
    eq(fr.state, "active")
    eq(fr.due, cm.parse_time("2025-03-10T12:30:00Z"))
    eq(fr.elapsed, 60)
    eq(policy:target(cm.SLA_FIRST_REPLY, cm.SLA_NORMAL).seconds, 4 * 3600)
    fails("CM_ENOTFOUND", policy:target(cm.SLA_FIRST_REPLY, cm.SLA_LOW))
    local acc = cm.sla_attainment()
    local h0 = cm.parse_time("2025-03-04T10:00:00Z")
    for _, reply in ipairs({600, 9000}) do -- high: 2 h target: one met, one breached
        acc:add(policy, {{at = h0, type = cm.SLA_CREATED, value = cm.SLA_HIGH},
                         {at = h0 + reply, type = cm.SLA_AGENT_REPLY}}, h0 + 86400, {cal})
    end
    local r = acc:result(cm.SLA_FIRST_REPLY, cm.SLA_HIGH)
    eq(r.achieved, 1)
    eq(r.breached, 1)
    eq(r.attained.value, 0.5)
    eq(cm.sla_attainment_deserialize(acc:serialize()), acc, "round trip")
    eq((acc + cm.sla_attainment()):result(cm.SLA_FIRST_REPLY).achieved, 1)
    local ok, msg, code = cm.sla_policy("first-reply normal 4 hours business")
    eq(code, "CM_EPARSE")
    assert(msg:find("line 1", 1, true), msg)
    fails("CM_EINVAL", cm.sla_evaluate(policy, {{at = 10, type = 99}}, 20, {cal}))
    fails("CM_EINVAL", cm.sla_evaluate(policy, {{at = 10, type = cm.SLA_CREATED, value = 2},
                                                {at = 5, type = cm.SLA_AGENT_REPLY}}, 20, {cal}))
    assert(not pcall(cm.sla_evaluate, policy, {{type = cm.SLA_CREATED}}, 20), "missing 'at' raises")
end)

-- Asserts the triple and that the message contains `text` (plain).
local function fails_with(code, text, ...)
    fails(code, ...)
    local _, msg = ...
    if not msg:find(text, 1, true) then
        error(("message %q lacks %q"):format(msg, text), 2)
    end
end

test("integer arguments are range-checked, not narrowed", function()
    -- A negative agent count used to saturate to 4294967295 agents (service level 1.0).
    fails_with("CM_EINVAL", "agents = -5 is outside 0 .. 4294967295", cm.erlang_service_level(30, -5, 360, 20))
    fails_with("CM_ERANGE", "agents = 4294967296 is outside", cm.erlang_c(30, 4294967296))
    fails_with("CM_EINVAL", "num = -1 is outside", cm.rate(-1, 2))
    fails_with("CM_EINVAL", "scale = -1", cm.csat(-1, 4))
    fails_with("CM_ERANGE", "days = 2147483648 is outside -2147483648 .. 2147483647",
        assert(cm.calendar("tz UTC\nmon-fri 09:00-17:00")):add_days(0, 2147483648))
    fails_with("CM_ERANGE", "year = 4294967296",
        assert(cm.timezone("UTC")):from_local({year = 4294967296, month = 1, day = 1}))
    local policy = assert(cm.sla_policy("first-reply * 1h calendar\n"))
    fails_with("CM_EINVAL", "metric = -1", policy:target(-1, cm.SLA_HIGH))
    fails_with("CM_ERANGE", "events[2].type = 65536 is outside 0 .. 65535",
        cm.sla_evaluate(policy, {{at = 0, type = cm.SLA_CREATED, value = 2}, {at = 1, type = 65536}}, 5))
    fails_with("CM_EINVAL", "events[1].value = -2", cm.sla_evaluate(policy, {{at = 0, type = cm.SLA_CREATED, value = -2}}, 5))
    fails_with("CM_ERANGE", "side_run = 4294967296", cm.spc_evaluate({1, 2, 3}, {side_run = 4294967296}))
    fails_with("CM_EINVAL", "priority = -1", cm.sla_attainment():result(cm.SLA_FIRST_REPLY, -1))
    assert(not pcall(cm.erlang_c, 30, 1.5), "a fractional agent count raises")
end)

test("strings with an embedded NUL are refused", function()
    -- The C string would end at the NUL: the calendar would be "tz UTC" only.
    fails_with("CM_EINVAL", "spec contains a NUL byte at offset 6", cm.calendar("tz UTC\0\nmon-fri 09:00-17:00"))
    fails_with("CM_EINVAL", "name contains a NUL", cm.timezone("UTC\0junk"))
    fails_with("CM_EINVAL", "text contains a NUL", cm.sla_policy("first-reply * 4h calendar\0\nfirst-reply urgent 1h calendar"))
    fails_with("CM_EINVAL", "text contains a NUL", cm.parse_time("2025-01-01\0"))
end)

test("SLA over many tickets in one call equals ticket by ticket", function()
    local policy = assert(cm.sla_policy("first-reply normal 4h business\nfirst-reply high 2h calendar\n"
        .. "total-resolution * 24h calendar\n"))
    local cal = assert(cm.calendar("tz UTC\nmon-fri 09:00-17:00"))
    local t0 = 1736154000 -- Monday 2025-01-06 09:00 UTC
    local tickets = {}
    for k = 1, 40 do
        local created = t0 + k * 3917
        local log = {{at = created, type = cm.SLA_CREATED, value = k % 3 == 0 and cm.SLA_HIGH or cm.SLA_NORMAL}}
        if k % 4 ~= 0 then log[#log + 1] = {at = created + k * 611, type = cm.SLA_AGENT_REPLY} end
        if k % 5 == 0 then log[#log + 1] = {at = created + 86400, type = cm.SLA_STATUS, value = cm.SLA_STATUS_SOLVED} end
        tickets[k] = log
    end
    local now = t0 + 3 * 86400
    local many = assert(cm.sla_evaluate_many(policy, tickets, now, {cal}))
    eq(#many, #tickets, "one entry per ticket")
    local one_by_one = cm.sla_attainment()
    for k, log in ipairs(tickets) do
        local single = assert(cm.sla_evaluate(policy, log, now, {cal}))
        eq(#many[k], #single, "records of ticket " .. k)
        for j, inst in ipairs(single) do
            for _, f in ipairs({"metric", "state", "priority", "breached", "cycle", "elapsed", "due", "stop"}) do
                eq(many[k][j][f], inst[f], ("ticket %d record %d %s"):format(k, j, f))
            end
        end
        assert(one_by_one:add(policy, log, now, {cal}))
    end
    local acc = assert(cm.sla_attainment():add_many(policy, tickets, now, {cal}))
    eq(acc, one_by_one, "attainment")
    -- A bad ticket is named and leaves the accumulator as it was.
    local before = acc:serialize()
    tickets[7] = {{at = t0, type = cm.SLA_AGENT_REPLY}}
    fails_with("CM_EINVAL", "tickets[7]", acc:add_many(policy, tickets, now, {cal}))
    fails_with("CM_EINVAL", "tickets[7]", cm.sla_evaluate_many(policy, tickets, now, {cal}))
    eq(acc:serialize(), before, "untouched")
    eq(#assert(cm.sla_evaluate_many(policy, {}, now)), 0, "no tickets")
end)

-- ---- forecasting ------------------------------------------------------------------

test("forecast: intervals across DST, counts, the slot grid", function()
    local cal = assert(cm.calendar("tz America/New_York\nmon-sat 00:00-24:00"))
    local fall = assert(cm.forecast_intervals(cal, 2025, 11, 2, 1, 60))
    eq(#fall, 25, "25-hour day")
    eq(fall:get(2).slot, 1)
    eq(fall:get(3).slot, 1, "01:00 twice")
    eq(fall:get(1).start, cm.parse_time("2025-11-02T04:00:00Z"))
    local v = {}
    for i = 1, 25 do v[i] = i end
    local grid, state = fall:grid(v)
    eq(grid[2], 2.5, "the doubled hour averages")
    eq(state[1], cm.forecast_state.CLOSED, "a Sunday is closed")
    local week = assert(cm.forecast_intervals(cal, 2025, 3, 3, 7, 60))
    local t0 = cm.parse_time("2025-03-03T14:00:00Z")
    local c = week:counts({t0, t0 + 60, t0 + 3600}, {1, 2, 1}, {300, false, 200}, 2)
    eq(c.counted, 3)
    eq(c.arrivals[1][10], 1, "09:00 EST")
    eq(c.arrivals[2][10], 1)
    eq(c.handle_sum[1][11], 200)
    eq(c.handled[2][10], 0, "unknown handle time")
    fails("CM_ERANGE", week:counts({t0}, {3}, nil, 2))
    fails("CM_EINVAL", cm.forecast_intervals(cal, 2025, 1, 1, 1, 7))
    fails("CM_ERANGE", cm.forecast_intervals(cal, 2025, 2, 30, 1, 30))
end)

test("forecast: weekly methods by hand, intervals, errors", function()
    local y = {10, 20, 30, 40, 50, 60, 70, 12, 18, 33, 40, 55, 58, 72, 11, 22, 29, 41, 52, 61, 69}
    local naive = cm.forecast_model("naive", 1)
    local p, lo, hi = cm.forecast_predict(naive, y, 7)
    eq(p[3], 29)
    near(hi[1] - p[1], 1.959963984540054 * math.sqrt(111 / 14), 1e-9, "naive interval")
    local mean = cm.forecast_model("mean", 1, {weeks = 2})
    p = cm.forecast_predict(mean, y, 7)
    eq(p[1], 11.5)
    local med = cm.forecast_model("median", 1, {weeks = 3})
    local mp, mlo = cm.forecast_predict(med, y, 7)
    eq(mp[2], 20)
    eq(mlo, nil, "no interval for the median")
    local r = assert(cm.forecast_fit(naive, y))
    eq(r.sse, 111)
    eq(r.observations, 14)
    fails("CM_ENODATA", cm.forecast_predict(naive, {1, 2, 3}, 1))
    fails("CM_EINVAL", cm.forecast_predict(naive, {1, 2, 3, 4, 5, 6, 0 / 0}, 7))
    local st = {}
    for i = 1, #y do st[i] = cm.forecast_state.OBSERVED end
    st[4] = 9
    fails("CM_EINVAL", cm.forecast_predict(naive, y, 7, st))
    assert(not pcall(cm.forecast_predict, naive, y, 7, {0, 1}), "a state array of another length raises")
    assert(not pcall(cm.forecast_model, "arima", 48), "unknown method raises")
    assert(not pcall(cm.forecast_model, "taylor\0x", 48), "a name with a NUL raises")
    assert(not pcall(cm.forecast_predict, {method = "taylor", slots_per_day = 1, trend = "up"}, y, 7))
end)

test("forecast: Taylor and Holt-Winters fit a weekly pattern", function()
    local y = {}
    for t = 0, 8 * 7 * 4 - 1 do
        y[t + 1] = 20 + 8 * math.sin(2 * math.pi * (t % 4) / 4) + ((t // 4) % 7 >= 5 and -5 or 2)
            + ((t * 7919) % 13) / 13 - 0.5
    end
    for _, method in ipairs({"taylor", "holt-winters"}) do
        local m = cm.forecast_model(method, 4)
        local r = assert(cm.forecast_fit(m, y))
        assert(r.evaluations > 0 and r.evaluations <= 200 * 4, method)
        eq(#r.model.fit, 0, "fitted parameters are fixed")
        local p = assert(cm.forecast_predict(r.model, y, 28))
        for k = 1, 28 do
            local t = #y + k - 1
            local truth = 20 + 8 * math.sin(2 * math.pi * (t % 4) / 4) + ((t // 4) % 7 >= 5 and -5 or 2)
            assert(math.abs(p[k] - truth) < 1.5, ("%s slot %d: %g vs %g"):format(method, k, p[k], truth))
        end
    end
    local best, scores = cm.forecast_backtest({cm.forecast_model("naive", 4), cm.forecast_model("taylor", 4)}, y, 2)
    assert(best == 1 or best == 2)
    eq(scores[1].n, 56)
    local a = assert(cm.forecast_evaluate({10, 20, 0, 5}, {12, 15, 1, 5}, nil, {1, 2, 3, 4, 5, 6}, 2))
    eq(a.mae, 2.0)
    eq(a.mase, 1.0)
    eq(cm.forecast_evaluate({0, 0}, {1, 1}).wmape, nil, "undefined wMAPE")
    local aht = assert(cm.forecast_aht({600, 600, 600, 600, 600, 600, 600}, {2, 2, 2, 2, 2, 2, 2}, 1, 1, 7))
    eq(aht[1], 300)
end)

test("forecast: staffing the seeds' examples, chat concurrency", function()
    local cal = assert(cm.calendar("tz UTC\nmon-sun 00:00-24:00"))
    local iv = assert(cm.forecast_intervals(cal, 2025, 1, 6, 1, 60))
    local vol, aht = {}, {}
    for i = 1, 24 do vol[i], aht[i] = 0, 360 end
    vol[10], vol[11] = 60, 300
    local plan, s = assert(iv:staffing_plan(vol, aht, {max_occupancy = 1}))
    eq(plan[10].agents, 9, "60 calls/h")
    eq(plan[11].agents, 36, "300 calls/h")
    eq(plan[1].agents, 0)
    eq(s.peak_agents, 36)
    eq(s.peak_interval, 11)
    near(s.agent_hours, 45, 1e-12)
    local chat = assert(iv:staffing_plan(vol, aht, {max_occupancy = 1, concurrency = 2}))
    eq(chat[10].agents, 5, "two chats per agent")
    fails("CM_EINVAL", iv:staffing_plan(vol, aht, {concurrency = 0}))
    assert(not pcall(iv.staffing_plan, iv, vol, aht, {queue = "erlang-x"}), "unknown queue raises")
end)

-- ---- QA scorecards, drivers, backlog, cost per contact ------------------------------

local SEED_RUBRIC = [[
pass 85
section accuracy 40%
item correct-answer 4
item verified-identity 1 critical
section communication 30
item empathy 3
item next-steps 2 na
section process 20%
item followed-script 5
section documentation 10
item tagged 2 na
]]

test("qa: rubric scoring by hand", function()
    local r = assert(cm.qa_rubric(SEED_RUBRIC))
    eq(r:info().items, 6)
    eq(r:items()[2].critical, true)
    eq(r:sections()[2].weight, 30.0)
    -- accuracy 4/5 = 80, communication 1/3 (next-steps N/A), process 100, documentation 100: 72
    local res = r:score({3, 1, 1, "na", 5, 2})
    near(res.score, 72.0, 1e-12, "score")
    eq(res.passed, false)
    eq(res.na_items, 1)
    near(res.sections.communication, 100 / 3, 1e-14, "section")
    local named = r:score({["correct-answer"] = 4, ["verified-identity"] = 0, empathy = 3,
                           ["next-steps"] = 2, ["followed-script"] = 5, tagged = 2})
    eq(named.score, 0.0)
    eq(named.critical_failed, true)
    near(named.raw_score, 92.0, 1e-12, "raw")
    fails("CM_EINVAL", r:score({4, "na", 3, 2, 5, 2}))   -- N/A on a critical item
    fails("CM_ERANGE", r:score({5, 1, 3, 2, 5, 2}))      -- above the item's points
    fails("CM_ENOTFOUND", r:score({nope = 1}))
    fails("CM_EINVAL", r:score({1, 2}))
    local _, msg, code = cm.qa_rubric("pass 80\nsection a 60\nitem x 1\nsection b 30\nitem y 1\n")
    eq(code, "CM_EPARSE")
    assert(msg:find("line 4, column 11", 1, true), msg)
    fails("CM_EINVAL", cm.qa_rubric("pass 80\0"))
    r:close()
    assert(not pcall(r.score, r, {1}), "closed rubric raises")
end)

test("qa: many evaluations in one call", function()
    local r = assert(cm.qa_rubric(SEED_RUBRIC))
    -- 100 (pass); 72 (section example above); 0 (critical failure, raw 92); by item names
    local rows = {{4, 1, 3, 2, 5, 2}, {3, 1, 1, "na", 5, 2}, {4, 0, 3, 2, 5, 2},
                  {["correct-answer"] = 4, ["verified-identity"] = 1, empathy = 3,
                   ["next-steps"] = 2, ["followed-script"] = 5, tagged = 2}}
    local scores, passed, critical = r:score_many(rows)
    eq(#scores, 4)
    eq(scores[1], 100.0)
    near(scores[2], 72.0, 1e-12, "score 2")
    eq(scores[3], 0.0)
    eq(scores[4], 100.0)
    eq(passed[1], true)
    eq(passed[2], false)
    eq(passed[3], false)
    eq(critical[3], true)
    eq(critical[1], false)
    for i = 1, 4 do eq(scores[i], r:score(rows[i]).score, "row " .. i) end
    local acc = cm.qa_scores():add_many(scores, passed, critical)
    eq(acc:result().n, 4)
    eq(acc:result().pass_rate.num, 2)
    local none = r:score_many({})
    eq(#none, 0)
    -- all or nothing: a bad row anywhere gives the error and no scores
    local v, msg, code = r:score_many({{4, 1, 3, 2, 5, 2}, {5, 1, 3, 2, 5, 2}})
    eq(v, nil)
    eq(code, "CM_ERANGE")
    assert(msg:find("CM_ERANGE", 1, true), msg)
    fails("CM_EINVAL", r:score_many({{4, 1, 3, 2, 5, 2}, 7}))
    fails("CM_EINVAL", r:score_many({{4, "na", 3, 2, 5, 2}}))
    fails("CM_EINVAL", r:score_many({{4, 1, 3}}))
    fails("CM_ENODATA", cm.qa_rubric("pass 50\nsection a 100\nitem x 1 na\n"):score_many({{"na"}}))
end)

test("qa: rubric from tables", function()
    local sections = {{name = "accuracy", weight = 40}, {name = "communication", weight = 30},
                      {name = "process", weight = 20}, {name = "documentation", weight = 10}}
    local items = {
        {name = "correct-answer", section = 1, points = 4},
        {name = "verified-identity", section = "accuracy", points = 1, critical = true},
        {name = "empathy", section = 2, points = 3},
        {name = "next-steps", section = "communication", points = 2, na = true},
        {name = "followed-script", section = 3, points = 5},
        {name = "tagged", section = 4, points = 2, na = true},
    }
    local r = assert(cm.qa_rubric_build(sections, items, 85))
    eq(r:info().items, 6)
    eq(r:info().critical, 1)
    eq(r:info().pass_score, 85.0)
    eq(r:items()[4].na, true)
    eq(r:items()[2].section, 1)
    -- the same hand example as the text form: 72
    near(r:score({3, 1, 1, "na", 5, 2}).score, 72.0, 1e-12, "score")
    eq(r:score({4, 0, 3, 2, 5, 2}).critical_failed, true)
    local function with(i, key, value)
        local copy = {}
        for k, it in ipairs(items) do
            copy[k] = {}
            for f, v in pairs(it) do copy[k][f] = v end
        end
        copy[i][key] = value
        return copy
    end
    fails("CM_EINVAL", cm.qa_rubric_build({{name = "a", weight = 60}, {name = "b", weight = 30}},
                                          {{name = "x", section = 1, points = 1},
                                           {name = "y", section = 2, points = 1}}, 80))
    fails("CM_EINVAL", cm.qa_rubric_build(sections, with(3, "section", "nope"), 85))
    fails("CM_ERANGE", cm.qa_rubric_build(sections, with(3, "section", 5), 85))
    fails("CM_ERANGE", cm.qa_rubric_build(sections, with(3, "points", 2 ^ 40 // 1), 85))
    fails("CM_EINVAL", cm.qa_rubric_build(sections, with(3, "points", -1), 85))
    fails("CM_EINVAL", cm.qa_rubric_build(sections, with(2, "na", true), 85))   -- critical and N/A
    fails("CM_EINVAL", cm.qa_rubric_build(sections, with(1, "name", "a\0b"), 85))
    fails("CM_EINVAL", cm.qa_rubric_build(sections, with(1, "name", "correct answer"), 85))
    fails("CM_ERANGE", cm.qa_rubric_build(sections, items, 101))
    fails("CM_EINVAL", cm.qa_rubric_build(sections, items, 0 / 0))
    fails("CM_ERANGE", cm.qa_rubric_build({}, items, 85))
    fails("CM_EINVAL", cm.qa_rubric_build(sections, {1, 2}, 85))
end)

test("qa: scores accumulator, alerts", function()
    local r = assert(cm.qa_rubric(SEED_RUBRIC))
    local a, b = cm.qa_scores(), cm.qa_scores()
    a:add_result(r:score({4, 1, 3, 2, 5, 2})):add(77.0)
    b:add_many({0.0, 91.5}, {false, true}, {true, false})
    local all = a + b
    local s = all:result()
    eq(s.n, 4)
    eq(s.pass_rate.num, 2)
    eq(s.critical_rate.num, 1)
    eq(cm.qa_scores_deserialize(all:serialize()), all, "round trip")
    fails("CM_ERANGE", cm.qa_scores():add(100.5))
    fails("CM_EINVAL", cm.qa_scores():add(0/0))
    fails("CM_EINVAL", cm.qa_scores():add(0, true, true))
    fails("CM_ENODATA", cm.qa_scores():result())
    local at = cm.qa_alerts({90, 84, 83, 86, 85, 80, 79, 78}, 85, 2)
    eq(#at, 3)
    eq(at[1], 3) -- 1-based: the third week ends the first two-week run
    eq(at[3], 8)
    fails("CM_ERANGE", cm.qa_alerts({90, 101}, 85, 2))
end)

test("qa: Krippendorff and Shrout-Fleiss examples", function()
    local k = {{1, 1, false, 1}, {2, 2, 3, 2}, {3, 3, 3, 3}, {3, 3, 3, 3}, {2, 2, 2, 2},
               {1, 2, 3, 4}, {4, 4, 4, 4}, {1, 1, 2, 1}, {2, 2, 2, 2}, {false, 5, 5, 5},
               {false, false, 1, 1}, {false, 3, false, false}}
    -- mpmath values of tests/data/qa-oracle.h; published (3 places) .743 .815 .849 .797
    near(cm.qa_alpha(k, "nominal").alpha, 0.74342105263157894737, 1e-12, "nominal")
    near(cm.qa_alpha(k, "ordinal").alpha, 0.81538750375488134575, 1e-12, "ordinal")
    near(cm.qa_alpha(k, "interval").alpha, 0.84910714285714285714, 1e-12, "interval")
    near(cm.qa_alpha(k, "ratio").alpha, 0.79740277471161207336, 1e-12, "ratio")
    eq(cm.qa_alpha(k).pairable_values, 40)
    local sf = {{9, 2, 5, 8}, {6, 1, 3, 2}, {8, 4, 6, 8}, {7, 1, 2, 6}, {10, 5, 6, 9}, {6, 2, 4, 7}}
    local icc = cm.qa_icc(sf)
    near(icc.icc1, 0.16574176840547539771, 1e-12, "ICC(1,1)")
    near(icc.icc2, 0.28976377952755905512, 1e-12, "ICC(2,1)")
    near(icc.icc3k, 0.90931554237706943415, 1e-12, "ICC(3,k)")
    local d = cm.qa_grader_deviation({{80, 82, 90}, {70, 70, 76}, {90, false, 96}})
    near(d[3].mean, 7.0, 1e-12, "lenient grader")
    eq(d[2].n, 2)
    fails("CM_EINVAL", cm.qa_alpha({{1}, {2}}))
    fails("CM_ENODATA", cm.qa_alpha({{1, false}, {false, 2}}))
    fails("CM_EINVAL", cm.qa_icc({{1, 2}, {3, false}}))
    fails("CM_EINVAL", cm.qa_alpha({{1, 2}, {3}}))
    assert(not pcall(cm.qa_alpha, k, "cardinal"), "unknown level raises")
end)

test("topk: drivers, bounds, merge, bytes", function()
    local t = assert(cm.topk(10))
    t:add_tags("billing refund"):add_tags("  vip,billing "):add_tags("refund;login")
    local top = t:top(3)
    eq(top[1].key, "billing")
    eq(top[1].count, 2)
    eq(top[2].key, "refund")
    eq(top[3].key, "login")
    eq(t:info().exact, true)
    local parts = {cm.topk(4), cm.topk(4)}
    local exact = {}
    for i = 1, 3000 do
        local key = "k" .. (i % 9)
        if i % 3 == 0 then key = "x" .. i end
        exact[key] = (exact[key] or 0) + 1
        parts[i % 2 + 1]:add(key)
    end
    local all = cm.topk_deserialize(parts[1]:serialize())
    all:merge_serialized(parts[2]:serialize())
    local info = all:info()
    eq(info.total, 3000)
    assert(info.error <= 3000 // 5, "error bound")
    for key, f in pairs(exact) do
        local lo, hi = all:estimate(key)
        assert(lo <= f and f <= hi, key)
        if f > info.error then assert(lo > 0, key .. " held") end
    end
    local codes = cm.topk(3, "codes"):add_many({5, 5, 7}, {1, 2, 1})
    eq(codes:top(1)[1].key, 5)
    eq(codes:top(1)[1].count, 3)
    fails("CM_EINVAL", cm.topk(10):add("a\0b"))
    fails("CM_ERANGE", cm.topk(10, "strings", 2):add("abc"))
    fails("CM_ERANGE", cm.topk(0))
    fails("CM_EINVAL", cm.topk(4):merge(cm.topk(5)))
    fails("CM_EPARSE", cm.topk_deserialize("CM"))
end)

test("topk: a column of tag fields, all or nothing; clear", function()
    -- billing in fields 1, 2 and 4; refund in 1; login in 3 and 4; field 5 holds no tag
    local t = assert(cm.topk(10, "strings", 8))
    t:add_tag_fields({"billing refund", "billing", "login", "login,billing", ""})
    local top = t:top(3)
    eq(top[1].key, "billing")
    eq(top[1].count, 3)
    eq(top[2].key, "login")
    eq(top[2].count, 2)
    eq(top[3].key, "refund")
    eq(t:info().total, 6)
    -- weight 2 with ";" as the only separator: "a b" is one tag
    local w = cm.topk(4):add_tag_fields({"a b;c"}, ";", 2)
    eq(w:estimate("a b"), 2)
    eq(w:estimate("c"), 2)
    -- a tag over 8 bytes in the last field: nothing of the column is added
    fails("CM_ERANGE", t:add_tag_fields({"vip", "verylongtag"}))
    eq(t:info().total, 6)
    eq(t:estimate("vip"), 0)
    fails("CM_EINVAL", t:add_tag_fields({"ok", "a\0b"}))
    fails("CM_EINVAL", t:add_tag_fields({"ok"}, ""))
    eq(t:info().total, 6)
    t:clear()
    eq(t:info().total, 0)
    eq(#t:top(3), 0)
    t:add("again")
    eq(t:top(1)[1].key, "again")
end)

test("backlog: hand example, groups, bytes", function()
    local DAY = 86400
    local d0 = 1735776000
    local b = assert(cm.backlog({d0, d0 + DAY, d0 + 2 * DAY}, {DAY, 3 * DAY}))
    b:add(d0 - 2 * DAY):add(d0 - DAY // 2, d0 + DAY // 2):add(d0 + DAY, d0 + 2 * DAY)
    b:add(d0 + DAY // 4, d0 + DAY // 4):add(d0 + 3 * DAY)
    local bounds = b:info().age_bounds
    eq(#bounds, 2)
    eq(bounds[1], DAY)
    eq(bounds[2], 3 * DAY)
    eq(#cm.backlog_deserialize(b:serialize()):info().age_bounds, 2)
    eq(#assert(cm.backlog({d0})):info().age_bounds, 0)
    local p = b:snapshot(2)
    eq(p.open, 2)
    eq(p.created, 2)
    eq(p.solved, 2)
    eq(p.age_max, 3 * DAY)
    eq(p.age_mean, 1.5 * DAY)
    local bk = b:buckets(2)
    eq(#bk, 3)
    eq(bk[1], 1)
    eq(bk[3], 1)
    eq(b:quantiles(2, {1.0})[1], 3.0 * DAY)
    local g = assert(cm.backlog({d0, d0 + DAY}, nil, 2))
    g:add_many({d0 - 10, d0 - 20, d0 + 5}, {false, d0 + 10, false}, {1, 2, 2})
    eq(g:snapshot(1, 1).open, 1)
    eq(g:snapshot(1).open, 2)
    eq(g:snapshot(2, 2).open, 1)
    local again = cm.backlog_deserialize(g:serialize())
    again:merge_serialized(g:serialize())
    eq(again:snapshot(1).open, 4)
    local cal = assert(cm.calendar("tz UTC\nmon-fri 09:00-17:00"))
    local biz = assert(cm.backlog({d0 + 2 * DAY}, nil, 1, cal))
    biz:add(d0 - 3 * DAY)
    eq(biz:snapshot(1).age_max, cal:elapsed(d0 - 3 * DAY, d0 + 2 * DAY))
    fails("CM_EINVAL", cm.backlog_deserialize(biz:serialize()))
    fails("CM_EINVAL", b:add(100, 99))
    fails("CM_ERANGE", b:add(d0, nil, 2))
    fails("CM_ERANGE", b:snapshot(4))
    fails("CM_EINVAL", cm.backlog({d0 + DAY, d0}))
    fails("CM_EINVAL", cm.backlog({d0}, nil, 1, nil, false):add(d0 - 5):quantiles(1, {0.5}))
end)

test("cost per contact: the seeds' month", function()
    local c = cm.cost()
    c:add_contacts(1, 2000, 960000):add_contacts(2, 3000, 1080000):add_contacts(3, 5000, 2400000)
    c:add_cost(1, 32000):add_cost(2, 50000):add_cost("shared", 5562500)
    local r = c:result()
    eq(r.total_cost, 5644500)
    near(r.per_contact, 564.45, 1e-14, "per contact")
    near(r.channels[1].per_contact, 572.25, 1e-14, "phone")
    near(c:result("handle_time").channels[1].per_contact, 617.3513513513514, 1e-12, "phone by time")
    local parts = cm.cost():add_many({1, 2, 2}, {300, 240, 180}) + cm.cost():add_cost("shared", 9)
    eq(parts:result().contacts, 3)
    eq(cm.cost_deserialize(parts:serialize()), parts, "round trip")
    near(cm.cost_per_contact(5644500, 10000), 564.45, 1e-14, "scalar")
    fails("CM_ERANGE", cm.cost():add_contacts(17, 1))
    fails("CM_EINVAL", cm.cost():add_cost(1, -5))
    fails("CM_ENODATA", cm.cost():result())
    fails("CM_ENODATA", cm.cost_per_contact(10, 0))
end)

test("EWMA, CUSUM, Laney p', median sigma, revised limits, Nelson rules", function()
    -- Montgomery, Introduction to Statistical Quality Control, examples 9.1 and 9.2.
    local xs = {9.45, 7.99, 9.29, 11.66, 12.16, 10.18, 8.04, 11.46, 9.20, 10.34,
                9.03, 11.47, 10.51, 9.40, 10.08, 9.37, 10.62, 10.31, 8.52, 10.84,
                10.90, 9.33, 12.29, 11.50, 10.60, 11.08, 10.38, 11.62, 11.31, 10.52}
    -- CUSUM k = 0.5, h = 5: C+ = 5.28 > 5 at period 29, 5.30 at 30.
    local c = assert(cm.spc_cusum(xs, {center = 10, sigma = 1, k = 0.5, h = 5}))
    eq(#c.signals, 2, "CUSUM signals")
    eq(c.signals[1].index, 28)
    eq(c.signals[1].rule, cm.SPC_CUSUM)
    near(c.c_plus[29], 5.28, 1e-12, "C+ at 29")
    near(c.c_minus[2], 1.56, 1e-12, "C- at 2")
    -- EWMA lambda 0.1, L 2.7: limits 10 +- 0.27 at period 1; signals at 29 and 30.
    local e = assert(cm.spc_ewma(xs, {center = 10, sigma = 1, lambda = 0.1, width = 2.7}))
    near(e.z[1], 9.945, 1e-12, "z_1")
    near(e.ucl[1], 10.27, 1e-12, "UCL_1")
    eq(#e.signals, 2, "EWMA signals")
    eq(e.signals[1].index, 28)
    eq(e.signals[1].rule, cm.SPC_EWMA)
    -- Laney: 50, 60, 40, 50 of 100: z = 0, 2, -2, 0, sigma_z = (8/3) / 1.128.
    local lp = assert(cm.spc_laney_p_chart({50, 60, 40, 50}, {100, 100, 100, 100}))
    near(lp.center, 0.5, 0, "pbar")
    near(lp.sigma_z, 8 / 3 / 1.128, 1e-14, "sigma_z")
    near(lp.ucl[1], 0.5 + 0.4 / 1.128, 1e-14, "UCL")
    local ls = assert(cm.spc_laney_p_evaluate({50, 90}, {100, 100},
        {center = 0.5, sigma_z = 2, rules = cm.SPC_BEYOND_3SIGMA}))
    eq(#ls, 1)
    eq(ls[1].index, 1)
    -- Weekly NHS A&E attendances and those seen within 4 hours (Mohammed, Panesar,
    -- Laney, Wilson, BMJ Qual Saf 22 (2013) 362-368; qicharts2's nhs_accidents):
    -- qicharts2 0.8.1's P' chart as printed to 17 digits in test/fixtures/qicharts2.ts
    -- of github.com/AUS-DOH-Safety-and-Quality/PowerBI-SPC ("nhs pp"). 17 digits
    -- round-trip a double, so half a unit in the last one is equality.
    local nhs = assert(cm.spc_laney_p_chart(
        {266501, 264225, 276532, 281461, 269071, 261215, 270409, 279778, 270483, 270320,
         267923, 271478, 255353, 256820, 261835, 259144, 255910, 260863, 264465, 260989},
        {280443, 276823, 291681, 296155, 282343, 275888, 283867, 295251, 284468, 282529,
         279618, 283932, 266629, 268091, 276803, 271578, 266005, 273520, 278574, 273772}))
    near(nhs.center, 0.95289971134419116, 0, "published pbar")
    near(nhs.lcl[1], 0.9401296441775141, 0, "published LCL week 1")
    near(nhs.ucl[1], 0.96566977851086822, 0, "published UCL week 1")
    near(nhs.lcl[20], 0.93997499652290417, 0, "published LCL week 20")
    near(nhs.ucl[20], 0.96582442616547814, 0, "published UCL week 20")
    -- Median moving range 2 of 2, 1, 2, 1, 18: sigma 2 / 0.954.
    local lim = assert(cm.spc_individuals({10, 12, 11, 13, 12, 30}, {sigma = "median"}))
    near(lim.sigma, 2 / 0.954, 1e-15, "median sigma")
    -- The 40 is dropped by the first revision; the rest has mean 11.6.
    lim = assert(cm.spc_individuals({10, 12, 11, 13, 12, 10, 12, 11, 13, 12, 40}, {max_rounds = 5}))
    near(lim.center, 11.6, 1e-15, "revised centre")
    eq(lim.excluded[11], 2)
    eq(lim.excluded[1], 0)
    lim = assert(cm.spc_individuals({10, 12, 11, 13, 12, 30},
        {exclude = {false, false, true, false, false, false}}))
    near(lim.center, 77 / 5, 1e-15, "centre without index 2")
    eq(lim.excluded[3], 1)
    -- Trend: six rising points fire at the sixth.
    local sig = cm.spc_evaluate({0, 1, 2, 3, 4, 5}, {rules = cm.SPC_TREND,
        limits = {center = 0, sigma = 100}})
    eq(#sig, 1)
    eq(sig[1].index, 5)
    eq(sig[1].side, 1)
    -- Bad input.
    fails("CM_EINVAL", cm.spc_ewma({1, 2}, {lambda = 0}))
    fails("CM_EINVAL", cm.spc_ewma({1, 2}, {lambda = 1.5}))
    fails("CM_EINVAL", cm.spc_cusum({1, 2}, {k = -1}))
    fails("CM_EINVAL", cm.spc_cusum({1, 2}, {h = -1}))
    fails("CM_ENODATA", cm.spc_cusum({}, {}))
    fails("CM_EINVAL", cm.spc_individuals({1, 2}, {sigma = "range"}))
    fails("CM_EINVAL", cm.spc_individuals({1, 2}, {exclude = {true}}))
    fails("CM_ENODATA", cm.spc_laney_p_chart({1}, {10}))
    fails("CM_EINVAL", cm.spc_laney_p_chart({1, 2}, {10}))
    fails_with("CM_EINVAL", "num = -1 is outside", cm.spc_laney_p_chart({-1, 2}, {10, 10}))
    fails("CM_EINVAL", cm.spc_laney_p_evaluate({1}, {10}, {center = 0.1, sigma_z = -1}))
end)

test("sketch: weighted adds, shares, quantile methods, sub-second sketch", function()
    -- Weighted adds give the same bytes as repeated adds.
    local a = cm.sketch():add_weighted({1.5, 60, 0}, {3, 2, 4})
    local b = cm.sketch():add_many({1.5, 1.5, 1.5, 60, 60, 0, 0, 0, 0})
    eq(a:serialize(), b:serialize(), "add_weighted")
    eq(cm.sketch():add_n(7.25, 5):serialize(), cm.sketch():add_many({7.25, 7.25, 7.25, 7.25, 7.25}):serialize(), "add_n")
    -- Exact share: 3 of 5 at or below 10; Wilson 95 % interval written out.
    local sh = assert(cm.share_exact({4, 10, 11, 2, 30}, 10))
    eq(sh.count, 3)
    local z, nn, p = 1.959963984540054, 5, 0.6
    local c = (p + z * z / (2 * nn)) / (1 + z * z / nn)
    local h = z / (1 + z * z / nn) * math.sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn))
    near(sh.lo, c - h, 1e-12, "Wilson lo")
    near(sh.hi, c + h, 1e-12, "Wilson hi")
    -- From a sketch: 3 values of 1 s and more, thresholds between buckets are exact.
    local ss = assert(cm.sketch():add_many({4, 10, 11, 2, 30}):share(20))
    eq(ss.count, 4)
    -- Quantile methods: numpy.quantile([1, 2, 3, 4], 0.3, method=...) gives 2 (inverted_cdf),
    -- 1.5 (weibull: h = 5 * 0.3 - 1 = 0.5), 1.9 (linear), 1.6333 (median_unbiased: h = 4.3333 * 0.3 - 2/3).
    eq(cm.quantiles_exact({1, 2, 3, 4}, {0.3}, "inverted_cdf")[1], 2)
    near(cm.quantiles_exact({1, 2, 3, 4}, {0.3}, "weibull")[1], 1.5, 1e-15)
    near(cm.quantiles_exact({1, 2, 3, 4}, {0.3})[1], 1.9, 1e-15)
    near(cm.quantiles_exact({1, 2, 3, 4}, {0.3}, "median_unbiased")[1], 1 + (4 + 1 / 3) * 0.3 - 2 / 3, 1e-15)
    -- Sub-second sketch with the standard deviation: 0.25, 0.5, 0.75 s -> sd 0.25 (n - 1).
    local s2 = cm.sketch2({subsecond = true}):add_many({0.25, 0.5, 0.75})
    local r = assert(s2:result())
    near(r.stddev_seconds, 0.25, 1e-12, "sample sd")
    near(r.stddev_pop_seconds, math.sqrt(0.125 / 3), 1e-12, "population sd")
    eq(r.min_seconds, 0.25)
    eq(cm.sketch2_deserialize(s2:serialize()), s2, "round trip")
    fails("CM_EINVAL", s2:merge(cm.sketch2()))
    -- Bad input.
    fails("CM_EINVAL", cm.sketch():add_n(1, 0))
    fails_with("CM_EINVAL", "count = -1 is outside", cm.sketch():add_n(1, -1))
    fails("CM_EINVAL", cm.sketch():add_weighted({1, 2}, {1}))
    fails("CM_EINVAL", cm.sketch():add_weighted({1, 2}, {1, 0}))
    fails("CM_EINVAL", cm.sketch():add(1):share(0 / 0))
    fails("CM_EINVAL", cm.sketch():add(1):share(1, 1))
    fails("CM_ENODATA", cm.sketch():share(1))
    fails("CM_EINVAL", cm.share_exact({1}, 1 / 0))
    fails("CM_EINVAL", cm.quantiles_exact({1}, {0.5}, "nearest"))
    fails("CM_EINVAL", cm.quantiles_exact({1}, {0.5}, "wei\0bull"))
end)

-- Policy sets and importers: the hand-worked timelines of tests/test-sla-import.c.
local data = debug.getinfo(1, "S").source:match("^@(.*)bindings/lua/test%.lua$")
data = (data == "" and "." or data:gsub("/$", "")) .. "/examples/data/"
local function slurp(name)
    local f = assert(io.open(data .. name, "rb"))
    local s = f:read("a")
    f:close()
    return s
end
local function at(day, h, m) -- Monday 2025-01-06 is day 0
    return 1736121600 + day * 86400 + h * 3600 + (m or 0) * 60
end
local function find(records, metric, cycle)
    for _, r in ipairs(records) do
        if r.metric == metric and r.cycle == cycle then return r end
    end
    error(("no record %s %d"):format(metric, cycle), 2)
end

test("policy set and Jira import: five priorities, custom clocks, warnings", function()
    local set = assert(cm.sla_policyset(slurp("jira-sla.txt")))
    eq(table.concat(set:levels(), ","), "Lowest,Low,Medium,High,Highest")
    eq(table.concat(set:policies(), ","), "incidents,requests")
    local t = assert(cm.sla_import("jira-issue", slurp("jira-issue.json")))
    local id, nev, skipped = t:info()
    eq(id, "SUP-42"); eq(nev, 23); eq(skipped, 0)
    local records, alarm = assert(set:evaluate(t, at(0, 16)))
    local r = find(records, "time-to-first-response", 1)
    eq(r.state, "achieved"); eq(r.level, "Medium"); eq(r.policy, "incidents")
    eq(r.elapsed, 900); eq(r.target, 7200)
    r = find(records, "time-to-resolution", 1)
    eq(r.state, "achieved"); eq(r.level, "Highest"); eq(r.elapsed, 4 * 3600); eq(r.target, 4 * 3600)
    eq(r.stop, at(0, 15)); eq(#r.warnings, 1); eq(r.warnings[1].percent, 75); eq(r.warnings[1].at, at(0, 13))
    eq(alarm, nil, "nothing pending")
end)

test("Zendesk audits: group SLAs and the next alarm", function()
    local set = assert(cm.sla_policyset(slurp("zendesk-sla.txt")))
    local t = assert(cm.sla_import("zendesk-audits", slurp("zendesk-audits.json")))
    local records, alarm = assert(set:evaluate(t, at(1, 10)))
    local r = find(records, "first-reply", 1)
    eq(r.state, "achieved"); eq(r.policy, "VIP"); eq(r.elapsed, 45 * 60)
    local g1, g2 = find(records, "group-ownership", 1), find(records, "group-ownership", 2)
    eq(g1.state, "breached"); eq(g1.policy, "Group OLA"); eq(g1.elapsed, 150 * 60); eq(g1.due, at(0, 11))
    eq(g2.state, "breached"); eq(g2.due, at(0, 13, 30)); assert(g2.group_event > g1.group_event)
    eq(records[alarm.record].metric, "next-reply"); eq(records[alarm.record].cycle, 2)
    eq(alarm.at, at(1, 10, 30)); eq(alarm.warning, 75)
    t:close()
    assert(not pcall(set.evaluate, set, t), "a closed ticket raises")
end)

test("importers and policy sets: errors with line and column", function()
    local doc = '{"key":"X-1","fields":{"created":"2025-01-06T09:00:00.000+0000",'
        .. '"status":{"name":"Triage"}},"changelog":{"histories":[]}}'
    fails_with("CM_EPARSE", "line 1, column 82: unknown Jira status", cm.sla_import("jira-issue", doc))
    local t = assert(cm.sla_import("jira-changelog", doc, {statuses = {Triage = "new"}}))
    local _, nev = t:info()
    eq(nev, 2, "creation and its status")
    fails_with("CM_EINVAL", 'statuses["Triage"] = "later"', cm.sla_import("jira-issue", doc, {statuses = {Triage = "later"}}))
    fails_with("CM_EINVAL", 'format = "xml"', cm.sla_import("xml", doc))
    local z = '{"audits":[{"id":1,"ticket_id":9,"created_at":"2025-01-06T09:00:00Z","author_id":5,'
        .. '"events":[{"type":"Create","field_name":"status","value":"new"},{"type":"Frobnicate"}]}]}'
    fails_with("CM_EPARSE", "unknown Zendesk audit event type", cm.sla_import("zendesk-audits", z))
    local _, _, skipped = assert(cm.sla_import("zendesk-audits", z, {skip_unknown = true})):info()
    eq(skipped, 1)
    fails_with("CM_EPARSE", "line 1, column", cm.sla_import("zendesk-audits", '{"audits": [1,]}'))
    fails_with("CM_EPARSE", "line 2", cm.sla_policyset("policy p\n  when frobs are 3\n"))
    fails_with("CM_EINVAL", "text contains a NUL", cm.sla_policyset("policy p\0"))
    local set = assert(cm.sla_policyset("policy p\n  first-reply * 4h business 0\n"))
    fails_with("CM_EINVAL", "names 1 calendars, 0 given", set:evaluate(t))
    fails("CM_EINVAL", assert(cm.sla_policyset(slurp("jira-sla.txt"))):evaluate(t, at(0, 8)))
end)

test("calendar history mid-ticket through a policy set", function()
    -- 09:00-17:00 until Wednesday 2025-01-08, 08:00-18:00 from then. Created Tuesday 13:00,
    -- 16 business hours: Tuesday 4 h, Wednesday 10 h, Thursday 08:00 + 2 h = due 10:00.
    local team = assert(cm.calendar_history("tz UTC\nmon-fri 09:00-17:00\nfrom 2025-01-08\ntz UTC\nmon-fri 08:00-18:00\n"))
    eq(team:elapsed(at(1, 13), at(2, 12)), 8 * 3600)
    eq(team:add(at(1, 13), 16 * 3600), at(3, 10))
    fails_with("CM_EPARSE", "line 3", cm.calendar_history("tz UTC\nmon-fri 09:00-17:00\nfrom yesterday\n"))
    local set = assert(cm.sla_policyset("policy team\n  total-resolution * 16h history 0\n"))
    local t = assert(cm.sla_import("zendesk-audits", '{"audits":[{"id":1,"ticket_id":9,'
        .. '"created_at":"2025-01-07T13:00:00Z","author_id":5,"events":[{"type":"Create",'
        .. '"field_name":"status","value":"new"},{"type":"Create","field_name":"priority","value":"normal"}]}]}'))
    fails_with("CM_EINVAL", "names 1 calendar histories, 0 given", set:evaluate(t, at(2, 12)))
    local records, alarm = assert(set:evaluate(t, at(2, 12), nil, {team}))
    local r = find(records, "total-resolution", 1)
    eq(r.state, "active"); eq(r.calendar, 0); eq(r.elapsed, 8 * 3600); eq(r.due, at(3, 10))
    eq(alarm.at, at(3, 10)); eq(alarm.warning, nil)
    team:close()
    assert(not pcall(set.evaluate, set, t, at(2, 12), nil, {team}), "a closed history raises")
end)

print("1.." .. n)
os.exit(failed == 0 and 0 or 1)
