-- KPIs from Lua: rates with intervals and mergeable survey accumulators.
--   LUA_CPATH='build/bindings/lua/?.so' lua5.4 examples/lua/kpis.lua
local cm = require("caremetrics")

local fcr = assert(cm.rate(200, 250))
print(("FCR  %.1f %% [%.1f, %.1f]"):format(100 * fcr.value, 100 * fcr.lo, 100 * fcr.hi))

-- Two shards of survey answers, merged exactly (or shipped as bytes).
local east = cm.nps():add_many({10, 9, 9, 7, 3})
local west = assert(cm.nps_deserialize(cm.nps():add_many({10, 6, 8}):serialize()))
local r = assert((east + west):result())
print(("NPS  %+.1f (se %.1f) over %d answers"):format(r.score, r.se, r.n))

-- Data errors are nil, message, code; wrong types raise.
local ok, msg, code = cm.nps():add(11)
print(ok, msg, code)
