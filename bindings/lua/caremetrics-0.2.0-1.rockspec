-- The Lua module, built by LuaRocks against an installed libcaremetrics
-- (headers and library from meson install, or a distribution package).
-- From this directory:
--   luarocks --lua-version 5.4 make caremetrics-0.2.0-1.rockspec CAREMETRICS_DIR=/usr/local
-- CAREMETRICS_INCDIR and CAREMETRICS_LIBDIR override the two directories
-- (a multiarch libdir such as /usr/local/lib/x86_64-linux-gnu, for instance).
rockspec_format = "3.0"
package = "caremetrics"
version = "0.2.0-1"
source = {
   url = "file://./",
}
description = {
   summary = "Help-desk and contact-center metrics, business calendars and SLA clocks",
   detailed = [[
Lua 5.4 binding of libcaremetrics: CSAT, NPS, CES, response-time sketches,
Erlang B/C/A staffing, business calendars, SLA clocks, QA scorecards and
grader agreement, contact drivers, backlog and cost per contact, computed by the C
library. Needs libcaremetrics installed (headers and shared library).
]],
   license = "MIT",
}
dependencies = {
   "lua >= 5.4",
}
external_dependencies = {
   CAREMETRICS = {
      header = "caremetrics.h",
      library = "caremetrics",
   },
}
build = {
   type = "builtin",
   modules = {
      caremetrics = {
         sources = {
            "lcaremetrics.c", "lcm-util.c", "lcm-kpi.c", "lcm-sketch.c", "lcm-spc.c",
            "lcm-queue.c", "lcm-calendar.c", "lcm-sla.c", "lcm-sla-policyset.c",
            "lcm-forecast.c", "lcm-qa.c", "lcm-topk.c", "lcm-backlog.c",
         },
         incdirs = { "$(CAREMETRICS_INCDIR)" },
         libdirs = { "$(CAREMETRICS_LIBDIR)" },
         libraries = { "caremetrics" },
         defines = {},
      },
   },
}
