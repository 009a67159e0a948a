#!/usr/bin/python3
"""Tests of the caremetrics PostgreSQL extension (TAP), run by `meson test --suite postgresql`.

Starts a throwaway cluster (pgcluster.py: initdb in a temporary directory,
a unix socket only, stopped and deleted at the end), creates the extension
and checks:
- every function and aggregate against the C library itself, called through
  the Python binding on the same data (not against figures of our own);
- bad input (malformed calendar and policy text, corrupt serialized states,
  NULLs, out-of-range values) raises an SQL error carrying the library's
  message, and the server keeps accepting connections without a crash;
- a parallel plan (Partial and Finalize Aggregate with workers) for every
  aggregate over a large table, with the result of the serial plan.

CM_TEST_SEED sets the seed of the generated data (printed).
"""

import argparse
import json
import math
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pgcluster  # noqa: E402

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def same(got, want, what):
    check(got == want, "%s: got %r, want %r" % (what, got, want))


def fnum(text):
    return None if text == "" else float(text)


def row(text):
    """A composite value printed by psql, such as (1,2,0.5,,x), as a list of strings."""
    text = text.strip()
    check(text.startswith("(") and text.endswith(")"), "not a row: %r" % text)
    return text[1:-1].split(",")


class Ctx:
    def __init__(self, pg, cm, seed):
        self.pg, self.cm, self.rng = pg, cm, random.Random(seed)

    def q(self, sql, input=None):
        return self.pg.psql(sql, input).strip()

    def error(self, sql):
        """The error message of a statement that must fail."""
        rc, out, err = self.pg.run(sql)
        check(rc != 0, "no error from %r (output %r)" % (sql, out))
        check("ERROR:" in err, "no SQL error from %r: %r" % (sql, err))
        return err

    def strerror(self, name):
        from caremetrics._lib import lib

        return lib.cm_strerror(self.cm.STATUS[name]).decode()

    def refused(self, sql, status, detail=None):
        """sql fails with the library's status name and message (and detail, when given)."""
        err = self.error(sql)
        want = "%s: %s" % (status, self.strerror(status))
        check(want in err, "%r: want %r in %r" % (sql, want, err))
        if detail is not None:
            check(detail in err, "%r: want %r in %r" % (sql, detail, err))


def load(ctx, table, columns, rows):
    ctx.q("DROP TABLE IF EXISTS %s; CREATE TABLE %s (%s)" % (table, table, columns))
    text = "".join("\t".join("\\N" if v is None else str(v) for v in r) + "\n" for r in rows)
    ctx.q("COPY %s FROM STDIN" % table, input=text)


# ---- scores and rates ------------------------------------------------------------------


def scores(ctx, lo, hi, n=3000):
    return [None if ctx.rng.random() < 0.1 else ctx.rng.randint(lo, hi) for _ in range(n)]


def answers(xs):
    return [x for x in xs if x is not None]


@test
def csat_equals_library(ctx):
    xs = scores(ctx, 1, 5)
    load(ctx, "s", "x integer", [(x,) for x in xs])
    want = ctx.cm.Csat().add_many(answers(xs)).result()
    got = row(ctx.q("SELECT cm_csat(x) FROM s"))
    same([int(got[0]), int(got[1])], [want.satisfied.den, want.satisfied.num], "counts")
    same([float(v) for v in got[2:]],
         [want.satisfied.value, want.satisfied.lo, want.satisfied.hi, want.mean], "values")
    ys = scores(ctx, 1, 10)
    load(ctx, "s10", "x integer", [(y,) for y in ys])
    want = ctx.cm.Csat(10, 8).add_many(answers(ys)).result()
    got = row(ctx.q("SELECT cm_csat(x, 10, 8) FROM s10"))
    same([int(got[0]), int(got[1]), float(got[2]), float(got[5])],
         [want.satisfied.den, want.satisfied.num, want.satisfied.value, want.mean], "1..10 scale")
    same(ctx.q("SELECT cm_csat(x) IS NULL FROM s WHERE x IS NULL"), "t", "no answers: NULL")


@test
def nps_equals_library(ctx):
    xs = scores(ctx, 0, 10)
    load(ctx, "s", "x integer", [(x,) for x in xs])
    w = ctx.cm.Nps().add_many(answers(xs)).result()
    got = row(ctx.q("SELECT cm_nps(x) FROM s"))
    same([int(v) for v in got[:4]], [w.n, w.promoters, w.passives, w.detractors], "counts")
    same([float(v) for v in got[4:]], [w.score, w.se, w.lo, w.hi], "score")


@test
def ces_equals_library(ctx):
    xs = scores(ctx, 1, 7)
    load(ctx, "s", "x integer", [(x,) for x in xs])
    w = ctx.cm.Ces().add_many(answers(xs)).result()
    got = row(ctx.q("SELECT cm_ces(x) FROM s"))
    same(int(got[0]), w.n, "n")
    same([float(v) for v in got[1:5]], [w.mean, w.sd, w.lo, w.hi], "mean")
    same([int(got[5]), float(got[6]), float(got[7]), float(got[8])],
         [w.easy.num, w.easy.value, w.easy.lo, w.easy.hi], "low effort")
    ys = scores(ctx, 1, 5)
    load(ctx, "s5", "x integer", [(y,) for y in ys])
    w = ctx.cm.Ces(5, 1, 2).add_many(answers(ys)).result()
    got = row(ctx.q("SELECT cm_ces(x, 5, 1, 2) FROM s5"))
    same([float(got[1]), int(got[5])], [w.mean, w.easy.num], "1..5 effort scale")


@test
def rates_equal_library(ctx):
    flags = [None if ctx.rng.random() < 0.05 else ctx.rng.random() < 0.7 for _ in range(2000)]
    load(ctx, "f", "x boolean", [(f,) for f in flags])
    num, den = sum(1 for f in flags if f), sum(1 for f in flags if f is not None)
    w = ctx.cm.rate(num, den)
    got = row(ctx.q("SELECT cm_rate(x) FROM f"))
    same([int(got[0]), int(got[1])], [num, den], "counts")
    same([float(v) for v in got[2:]], [w.value, w.lo, w.hi], "interval")
    w = ctx.cm.rate(200, 250, 0.99)
    got = row(ctx.q("SELECT cm_rate(200, 250, 0.99)"))
    same([float(v) for v in got[2:]], [w.value, w.lo, w.hi], "cm_rate(num, den, confidence)")
    w = ctx.cm.abandonment_rate(1000, 60, 10)
    got = row(ctx.q("SELECT cm_abandonment_rate(1000, 60, 10)"))
    same([int(got[0]), int(got[1]), float(got[2])], [w.num, w.den, w.value], "abandonment")
    same(ctx.q("SELECT cm_rate(0, 0) IS NULL"), "t", "no trials: NULL")


@test
def art_equals_library(ctx):
    xs = [None if ctx.rng.random() < 0.1 else ctx.rng.randrange(0, 10 ** 6) for _ in range(3000)]
    load(ctx, "a", "x bigint", [(x,) for x in xs])
    w = ctx.cm.Art().add_many(answers(xs)).result()
    got = row(ctx.q("SELECT cm_art(x) FROM a"))
    same([int(v) for v in got[:4]] + [float(got[4])],
         [w.n, w.total_seconds, w.min_seconds, w.max_seconds, w.mean_seconds], "cm_art")


# ---- sketch and quantiles ----------------------------------------------------------------


def durations(ctx, n=5000):
    return [round(ctx.rng.lognormvariate(7, 1.5), 3) if ctx.rng.random() > 0.02 else 0.0
            for _ in range(n)]


@test
def sketch_equals_library(ctx):
    xs = durations(ctx)
    load(ctx, "d", "g integer, x float8", [(i % 7, x) for i, x in enumerate(xs)])
    s = ctx.cm.Sketch().add_many(xs)
    qs = [0.5, 0.9, 0.99]
    got = ctx.q("SELECT cm_quantiles(cm_sketch(x), '{0.5,0.9,0.99}') FROM d")
    same([float(v) for v in got.strip("{}").split(",")], list(s.quantiles(qs)), "quantiles")
    same(float(ctx.q("SELECT cm_quantile(cm_sketch(x), 0.9) FROM d")), s.quantile(0.9), "p90")
    got = ctx.q("SELECT encode(cm_sketch(x)::bytea, 'hex') FROM d")
    same(got, s.to_bytes().hex(), "the library's bytes")
    got = ctx.q("SELECT encode(cm_sketch_merge(s)::bytea, 'hex') FROM "
                "(SELECT cm_sketch(x) AS s FROM d GROUP BY g) p")
    same(got, s.to_bytes().hex(), "merged per-group sketches")
    got = ctx.q("SELECT encode(cm_sketch(x * interval '1 second')::bytea, 'hex') FROM d")
    same(got, s.to_bytes().hex(), "cm_sketch(interval)")
    r = s.result()
    got = row(ctx.q("SELECT cm_sketch_summary(cm_sketch(x)) FROM d"))
    same([int(got[0]), int(got[1])], [r.n, r.zeros], "summary counts")
    same([float(v) for v in got[2:]], [r.min_seconds, r.max_seconds, r.mean_seconds,
                                       r.total_seconds], "summary")
    # The text form reads back to the same sketch.
    same(ctx.q("SELECT cm_quantile(cm_sketch(x)::text::cm_sketch, 0.5) FROM d"),
         ctx.q("SELECT cm_quantile(cm_sketch(x), 0.5) FROM d"), "text round trip")


@test
def exact_quantiles_equal_library(ctx):
    xs = durations(ctx, 4001)
    load(ctx, "d", "x float8", [(x,) for x in xs])
    qs = [0.0, 0.25, 0.5, 0.9, 0.99, 1.0]
    want = list(ctx.cm.quantiles_exact(xs, qs))
    got = ctx.q("SELECT cm_quantiles_exact(x, '{0,0.25,0.5,0.9,0.99,1}') FROM d")
    same([float(v) for v in got.strip("{}").split(",")], want, "quantiles")
    same(float(ctx.q("SELECT cm_quantile_exact(x, 0.9) FROM d")), want[3], "one quantile")
    # PostgreSQL's percentile_cont has the same definition (type 7).
    pc = ctx.q("SELECT percentile_cont(ARRAY[0,0.25,0.5,0.9,0.99,1]) WITHIN GROUP (ORDER BY x) "
               "FROM d")
    for a, b in zip([float(v) for v in pc.strip("{}").split(",")], want):
        check(abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1), "percentile_cont %r vs %r" % (a, b))


# ---- calendars ------------------------------------------------------------------------------

CALENDAR = ("tz America/New_York\nmon-fri 09:00-17:00\nsat 10:00-14:00\n"
            "2025-12-25 closed\n2025-12-24 09:00-12:00\n")


def lit(text):
    return "'" + text.replace("'", "''") + "'"


@test
def calendar_functions_equal_library(ctx):
    cal = ctx.cm.Calendar(CALENDAR)
    base = 1735689600  # 2025-01-01T00:00:00Z
    rows = []
    for i in range(400):
        a = base + ctx.rng.randrange(0, 366 * 86400)
        b = a + ctx.rng.randrange(-20 * 86400, 40 * 86400)
        n = ctx.rng.randrange(-100 * 3600, 200 * 3600)
        d = ctx.rng.randrange(-30, 30)
        rows.append((i, a, b, n, d))
    load(ctx, "c", "i integer, a bigint, b bigint, n bigint, d integer", rows)
    ctx.q("CREATE TABLE cal (spec cm_calendar); INSERT INTO cal VALUES (%s)" % lit(CALENDAR))
    out = ctx.q(
        "SELECT i, cm_business_seconds(spec, to_timestamp(a), to_timestamp(b)),"
        " extract(epoch FROM cm_business_add(spec, to_timestamp(a), n))::bigint,"
        " cm_is_open(spec, to_timestamp(a)),"
        " extract(epoch FROM cm_next_open(spec, to_timestamp(a)))::bigint,"
        " extract(epoch FROM cm_next_close(spec, to_timestamp(a)))::bigint,"
        " extract(epoch FROM cm_business_add_days(spec, to_timestamp(a), d))::bigint"
        " FROM c, cal ORDER BY i")
    for line, (i, a, b, n, d) in zip(out.splitlines(), rows):
        got = line.split("|")
        want = [str(i), str(cal.elapsed(a, b)), str(cal.add(a, n)),
                "t" if cal.is_open(a) else "f", str(cal.next_open(a)), str(cal.next_close(a)),
                str(cal.add_days(a, d))]
        same(got, want, "row %d (a=%d b=%d n=%d d=%d)" % (i, a, b, n, d))
    # A literal spec, and an interval of business time.
    got = ctx.q("SELECT cm_business_add(%s, '2025-03-07 16:30:00-05', interval '4 hours')"
                % lit(CALENDAR))
    want = cal.add(1741383000, 4 * 3600)
    same(int(ctx.q("SELECT extract(epoch FROM timestamptz %s)::bigint" % lit(got))), want,
         "cm_business_add(interval)")
    same(len(out.splitlines()), len(rows), "row count")


@test
def calendar_cache(ctx):
    n = int(ctx.q("SELECT count(*) FROM (SELECT cm_is_open(('tz UTC' || chr(10) || "
                  "'mon-fri 09:00-' || lpad(h::text, 2, '0') || ':00')::cm_calendar, "
                  "now()) FROM generate_series(10, 29) h WHERE h < 24) x"))
    same(n, 14, "distinct calendars in one statement")
    # 14 calendars parsed by that statement's backend; a new backend starts empty.
    same(ctx.q("SELECT cm_cache_reset()"), "0", "a new session has an empty cache")
    same(ctx.q("SELECT cm_is_open('tz UTC', now()), cm_cache_reset()"), "f|1",
         "one calendar cached, then forgotten")


# ---- SLA -------------------------------------------------------------------------------------

POLICY = open(os.path.join(HERE, "..", "..", "..", "examples", "data", "sla-policy.txt")).read()
OFFICE = open(os.path.join(HERE, "..", "..", "..", "examples", "data", "office-hours.cal")).read()

KINDS = {  # the SQL kinds, as the library's event types and flags
    "created": (1, 0), "created-by-agent": (1, 2), "customer": (2, 0), "customer-auto": (2, 1),
    "agent": (3, 0), "bot": (3, 1), "note": (4, 0), "status": (5, 0), "priority": (6, 0),
    "reopen": (7, 0),
}


def ticket(ctx, t0):
    """A random but valid event log: (instant, kind, value) triples."""
    prios = ["urgent", "high", "normal", "low", "none"]
    t = t0
    log = [(t, "created", ctx.rng.choice(prios))]
    for _ in range(ctx.rng.randrange(1, 9)):
        t += ctx.rng.randrange(0, 3 * 86400)
        kind = ctx.rng.choice(["customer", "agent", "agent", "note", "status", "priority",
                               "bot", "reopen"])
        value = None
        if kind == "status":
            value = ctx.rng.choice(["open", "pending", "on-hold", "solved", "closed"])
        if kind == "priority":
            value = ctx.rng.choice(prios)
        log.append((t, kind, value))
    return log


def py_events(cm, log):
    out = []
    for at, kind, value in log:
        typ, flags = KINDS[kind]
        v = 0
        if kind in ("created", "priority"):
            v = int(getattr(cm.sla.Priority, value.upper()))
        if kind == "status":
            v = int(getattr(cm.sla.Status, value.upper().replace("-", "_")))
        out.append(cm.sla.Event(at, typ, v, flags))
    return out


def sql_events(log):
    return "ARRAY[%s]::cm_sla_event[]" % ",".join(
        "(to_timestamp(%d),'%s',%s)" % (at, k, "NULL" if v is None else "'%s'" % v)
        for at, k, v in log)


def ts(v):
    return None if v == "" else int(float(v))


@test
def sla_evaluate_equals_library(ctx):
    cm = ctx.cm
    policy, cal = cm.sla.Policy(POLICY), cm.Calendar(OFFICE)
    checked = 0
    for k in range(40):
        log = ticket(ctx, 1736150400 + k * 7919)
        now = log[-1][0] + ctx.rng.randrange(0, 5 * 86400)
        want = cm.sla.evaluate(policy, py_events(cm, log), now, [cal])
        out = ctx.q(
            "SELECT metric, cycle, state, priority, breached, calendar,"
            " extract(epoch FROM started)::bigint, extract(epoch FROM stopped)::bigint,"
            " elapsed, target, remaining, extract(epoch FROM due)::bigint,"
            " extract(epoch FROM breach)::bigint"
            " FROM cm_sla_evaluate(%s, %s, to_timestamp(%d), %s)"
            % (lit(POLICY), sql_events(log), now, lit(OFFICE)))
        lines = out.splitlines()
        same(len(lines), len(want), "ticket %d: instances" % k)
        for line, w in zip(lines, want):
            f = line.split("|")
            same([f[0], int(f[1]), f[2], f[3], f[4] == "t", None if f[5] == "" else int(f[5]),
                  ts(f[6]), ts(f[7]), int(f[8]), int(f[9]), int(f[10]), ts(f[11]), ts(f[12])],
                 [w.metric.name.lower().replace("_", "-"), w.cycle, w.state.name.lower().replace("_", "-"),
                  w.priority.name.lower(), w.breached, w.calendar, w.start, w.stop, w.elapsed,
                  w.target, w.remaining, w.due, w.breach],
                 "ticket %d" % k)
            checked += 1
    check(checked > 200, "only %d instances compared" % checked)
    # The jsonb form is the same replay.
    log = ticket(ctx, 1736150400)
    doc = json.dumps([{"at": ctx.q("SELECT to_timestamp(%d)" % at), "kind": k, "value": v}
                      for at, k, v in log])
    a = ctx.q("SELECT array_agg(i::text) FROM cm_sla_evaluate(%s, %s::jsonb, to_timestamp(%d),"
              " %s) i" % (lit(POLICY), lit(doc), log[-1][0], lit(OFFICE)))
    b = ctx.q("SELECT array_agg(i::text) FROM cm_sla_evaluate(%s, %s, to_timestamp(%d), %s) i"
              % (lit(POLICY), sql_events(log), log[-1][0], lit(OFFICE)))
    same(a, b, "jsonb events")


@test
def sla_attainment_equals_library(ctx):
    cm = ctx.cm
    policy, cal = cm.sla.Policy(POLICY), cm.Calendar(OFFICE)
    acc = cm.sla.Attainment()
    rows = []
    for k in range(300):
        log = ticket(ctx, 1736150400 + k * 3001)
        now = log[-1][0] + 3600
        acc.add(policy, py_events(cm, log), now, [cal])
        rows.append("(%d, %s, to_timestamp(%d))" % (k % 5, sql_events(log), now))
    ctx.q("DROP TABLE IF EXISTS t; CREATE TABLE t (g integer, events cm_sla_event[], "
          "now timestamptz); INSERT INTO t VALUES " + ",".join(rows))
    ctx.q("CREATE TABLE p AS SELECT %s::cm_sla_policy AS policy, %s::cm_calendar AS office"
          % (lit(POLICY), lit(OFFICE)))
    got = ctx.q("SELECT encode(cm_sla_attainment(policy, events, t.now, office)::bytea, 'hex')"
                " FROM t, p")
    same(got, acc.to_bytes().hex(), "the library's bytes")
    got = ctx.q("SELECT encode(cm_sla_attainment_merge(a)::bytea, 'hex') FROM"
                " (SELECT cm_sla_attainment(policy, events, t.now, office) AS a"
                "  FROM t, p GROUP BY g) x")
    same(got, acc.to_bytes().hex(), "merged per-group attainments")
    for metric in ("first-reply", "total-resolution", "periodic-update"):
        for prio in ("all", "urgent", "normal", "low"):
            m = getattr(cm.sla.Metric, metric.upper().replace("-", "_"))
            p = cm.sla.ALL_PRIORITIES if prio == "all" else getattr(cm.sla.Priority, prio.upper())
            try:
                w = acc.result(m, p)
            except cm.NoDataError:
                same(ctx.q("SELECT cm_sla_result(cm_sla_attainment(policy, events, t.now, "
                           "office), '%s', '%s') IS NULL FROM t, p" % (metric, prio)), "t",
                     "%s %s: no data" % (metric, prio))
                continue
            got = row(ctx.q("SELECT cm_sla_result(cm_sla_attainment(policy, events, t.now, "
                            "office), '%s', '%s') FROM t, p" % (metric, prio)))
            same([int(got[0]), int(got[1]), int(got[2]), float(got[3]), float(got[4]),
                  float(got[5]), float(got[6])] + [fnum(v) for v in got[7:]],
                 [w.achieved, w.breached, w.open, w.attained.value, w.attained.lo,
                  w.attained.hi, w.mean_seconds, w.p50_seconds, w.p90_seconds, w.p99_seconds],
                 "%s %s" % (metric, prio))


@test
def sla_attainment_of_columns_equals_library(ctx):
    cm = ctx.cm
    policy, cal = cm.sla.Policy(POLICY), cm.Calendar(OFFICE)
    acc = cm.sla.Attainment()
    rows = []
    for k in range(400):
        created = 1736150400 + k * 4099
        prio = ctx.rng.choice(["urgent", "high", "normal", "low", "none", None])
        reply = created + ctx.rng.randrange(0, 2 * 86400) if ctx.rng.random() < 0.8 else None
        solved = created + ctx.rng.randrange(0, 6 * 86400) if ctx.rng.random() < 0.6 else None
        now = max(t for t in (created, reply, solved) if t is not None) + 600
        log = [(created, "created", prio or "none")]
        log += sorted([(t, k2, v) for t, k2, v in ((reply, "agent", None),
                                                    (solved, "status", "solved"))
                       if t is not None], key=lambda e: e[0])
        acc.add(policy, py_events(cm, log), now, [cal])
        rows.append((prio, created, reply, solved, now))
    load(ctx, "tk", "priority text, created bigint, reply bigint, solved bigint, now bigint", rows)
    got = ctx.q("SELECT encode(cm_sla_attainment(%s, priority, to_timestamp(created),"
                " to_timestamp(reply), to_timestamp(solved), to_timestamp(now), %s)::bytea, 'hex')"
                " FROM tk" % (lit(POLICY), lit(OFFICE)))
    same(got, acc.to_bytes().hex(), "the library's bytes")


# ---- Erlang C -----------------------------------------------------------------------------


@test
def erlang_equals_library(ctx):
    q = ctx.cm.queue
    for a, n, aht, t in [(30.0, 36, 360.0, 20.0), (2.5, 4, 180.0, 30.0), (1000.0, 1040, 240.0, 15.0)]:
        got = ctx.q("SELECT cm_erlang_c(%r, %d), cm_erlang_b(%r, %d), cm_service_level(%r, %d, %r,"
                    " %r), cm_erlang_asa(%r, %d, %r)" % (a, n, a, n, a, n, aht, t, a, n, aht))
        same([float(v) for v in got.split("|")],
             [q.erlang_c(a, n), q.erlang_b(a, n), q.service_level(a, n, aht, t),
              q.asa(a, n, aht)], "traffic %r, %d agents" % (a, n))
    same(int(ctx.q("SELECT cm_erlang_agents(30, 360, 0.8, 20)")),
         q.agents(traffic=30, aht_seconds=360, target_sl=0.8, target_seconds=20), "agents")
    same(int(ctx.q("SELECT cm_erlang_agents(30, 360, 0.8, 20, 0.85)")),
         q.agents(traffic=30, aht_seconds=360, target_sl=0.8, target_seconds=20,
                  max_occupancy=0.85), "agents with an occupancy cap")


# ---- the whole-row report ----------------------------------------------------------------

REPORT_POLICY = ("first-reply urgent 30m calendar\nfirst-reply high 2h calendar\n"
                 "first-reply normal 4h business\nfirst-reply low 8h business\n"
                 "total-resolution urgent 8h calendar\ntotal-resolution normal 40h business\n")
# The first-reply targets of REPORT_POLICY: seconds and whether they count business time.
REPORT_TARGETS = {"urgent": (1800, False), "high": (7200, False), "normal": (14400, True),
                  "low": (28800, True)}
REPORT_COLUMNS = ("i integer, grp text, created float8, reply float8, solved float8,"
                  " contacts integer, reopened boolean, escalated boolean, abandoned boolean,"
                  " csat integer, nps integer, ces integer, wait float8, handle float8, prio text")
# The aggregate's arguments over the table loaded by load_report_rows().
REPORT_ARGS = ("to_timestamp(created), to_timestamp(reply), to_timestamp(solved), contacts,"
               " reopened, escalated, abandoned, csat, nps, ces, wait, handle")
DURATIONS = ("first_reply", "first_reply_business", "resolution", "resolution_business")

# One problem per bad row: (what to change, the column a bad-row report names).
BAD_KINDS = [
    ("created", None, "created_at"), ("created", float("inf"), "created_at"),
    ("reply", "before", "first_reply_at"), ("reply", float("inf"), "first_reply_at"),
    ("solved", "before", "solved_at"), ("contacts", -2, "contacts"), ("contacts", 0, "contacts"),
    ("csat", 6, "csat"), ("csat", 0, "csat"), ("csat", 300, "csat"), ("nps", 11, "nps"),
    ("nps", -1, "nps"), ("ces", 8, "ces"), ("wait", -1.0, "wait_seconds"),
    ("wait", float("nan"), "wait_seconds"), ("handle", float("nan"), "handle_seconds"),
    ("handle", -5.0, "handle_seconds"), ("prio", "p1", "priority"),
]


def report_rows(ctx, n, bad_share=0.01):
    """Random ticket rows (dicts) with NULLs in every column and some bad rows."""
    rng = ctx.rng
    t0 = 1735689600  # 2025-01-01T00:00:00Z
    rows = []
    for i in range(n):
        created = t0 + rng.randrange(0, 200 * 86400) + (0.5 if rng.random() < 0.05 else 0)
        abandoned = rng.choice([False] * 12 + [True, None])
        r = {
            "i": i, "grp": rng.choice(["phone", "chat", "email"]), "created": created,
            "reply": created + int(rng.lognormvariate(8, 1.6)) if rng.random() < 0.85 else None,
            "solved": created + int(rng.lognormvariate(11, 1.2)) if rng.random() < 0.6 else None,
            "contacts": rng.choice([1, 1, 1, 2, 3, None]),
            "reopened": rng.choice([False, False, False, True, None]),
            "escalated": rng.choice([False, False, True, None]),
            "abandoned": abandoned,
            "csat": rng.choice([None, None, 1, 2, 3, 4, 5, 5]),
            "nps": rng.choice([None, None] + list(range(11))),
            "ces": rng.choice([None] + list(range(1, 8))),
            "wait": round(rng.expovariate(1 / 40.0), 3) if rng.random() < 0.4 else None,
            "handle": round(rng.expovariate(1 / 300.0), 6) if rng.random() < 0.7 else None,
            "prio": rng.choice(["urgent", "high", "normal", "normal", "low", "none", None]),
            "bad": None,
        }
        if abandoned:
            r["wait"] = round(rng.expovariate(1 / 30.0), 3)
        if rng.random() < bad_share:
            col, value, name = rng.choice(BAD_KINDS)
            if value == "before":
                value = r["created"] - 1 - rng.randrange(0, 3600)
            r[col] = value
            r["bad"] = name
        rows.append(r)
    return rows


def load_report_rows(ctx, table, rows):
    def text(v):
        if v is None:
            return "\\N"
        if isinstance(v, bool):
            return "t" if v else "f"
        if isinstance(v, float) and v != v:
            return "NaN"
        if v == float("inf"):
            return "Infinity"
        return repr(v) if isinstance(v, float) else str(v)

    keys = ("i", "grp", "created", "reply", "solved", "contacts", "reopened", "escalated",
            "abandoned", "csat", "nps", "ces", "wait", "handle", "prio")
    load(ctx, table, REPORT_COLUMNS, [tuple(text(r[k]) for k in keys) for r in rows])
    ctx.q("ANALYZE %s" % table)


def expected_report(cm, rows, cal=None, exact=False, priority=False, conf=0.95):
    """Every field of cm_report_result, from the library's per-KPI functions row by row."""
    good = [r for r in rows if r["bad"] is None]
    tickets = [r for r in good if r["abandoned"] is not True]
    secs = [None if r["created"] is None else int(math.floor(r["created"])) for r in good]
    out = {"rows": len(good), "bad_rows": len(rows) - len(good), "tickets": len(tickets),
           "abandoned": sum(1 for r in good if r["abandoned"] is True),
           "replied": sum(1 for r in tickets if r["reply"] is not None),
           "solved": sum(1 for r in tickets if r["solved"] is not None)}
    out["first_created"] = min(secs) if secs else None
    out["last_created"] = max(secs) if secs else None

    def put(prefix, names, values):
        for k, v in zip(names, values if values is not None else [None] * len(names)):
            out[prefix + k] = v

    def answers(col):
        return [r[col] for r in tickets if r[col] is not None]

    try:
        c = cm.Csat().add_many(answers("csat")).result(conf)
        put("csat_", ("n", "satisfied", "value", "lo", "hi", "mean"),
            (c.satisfied.den, c.satisfied.num, c.satisfied.value, c.satisfied.lo,
             c.satisfied.hi, c.mean))
    except cm.NoDataError:
        put("csat_", ("n", "satisfied", "value", "lo", "hi", "mean"), None)
    try:
        p = cm.Nps().add_many(answers("nps")).result(conf)
        put("nps_", ("n", "promoters", "passives", "detractors", "score", "lo", "hi"),
            (p.n, p.promoters, p.passives, p.detractors, p.score, p.lo, p.hi))
    except cm.NoDataError:
        put("nps_", ("n", "promoters", "passives", "detractors", "score", "lo", "hi"), None)
    try:
        e = cm.Ces().add_many(answers("ces")).result(conf)
        put("ces_", ("n", "mean", "lo", "hi", "easy_share"), (e.n, e.mean, e.lo, e.hi,
                                                               e.easy.value))
    except cm.NoDataError:
        put("ces_", ("n", "mean", "lo", "hi", "easy_share"), None)

    def rate(prefix, num, den):
        if den == 0:
            put(prefix, ("num", "den", "value", "lo", "hi"), None)
        else:
            w = cm.rate(num, den, conf)
            put(prefix, ("num", "den", "value", "lo", "hi"), (w.num, w.den, w.value, w.lo, w.hi))

    solved = [r for r in tickets if r["solved"] is not None]
    fcr = [r for r in solved if r["contacts"] is not None]
    rate("fcr_", sum(1 for r in fcr if r["contacts"] == 1), len(fcr))
    reo = [r for r in solved if r["reopened"] is not None]
    rate("reopen_", sum(1 for r in reo if r["reopened"]), len(reo))
    esc = [r for r in tickets if r["escalated"] is not None]
    rate("escalation_", sum(1 for r in esc if r["escalated"]), len(esc))
    offered = [r for r in good if r["wait"] is not None or r["abandoned"] is True]
    lost = [r for r in offered if r["abandoned"] is True]
    short = [r for r in lost if r["wait"] is not None and r["wait"] < 5.0]
    rate("abandonment_", len(lost) - len(short), len(offered) - len(short))

    def elapsed(r, col, business):
        a, b = int(math.floor(r["created"])), int(math.floor(r[col]))
        return cal.elapsed(a, b) if business else b - a

    qs = [0.5, 0.9, 0.99]
    for name in DURATIONS:
        col = "reply" if name.startswith("first_reply") else "solved"
        business = name.endswith("business")
        names = ("n", "total_seconds", "mean_seconds", "min_seconds", "max_seconds",
                 "median_seconds", "p90_seconds", "p99_seconds")
        if business and cal is None:
            put(name + "_", names, None)
            continue
        d = [elapsed(r, col, business) for r in tickets if r[col] is not None]
        if not d:
            put(name + "_", names, None)
            continue
        q = (list(cm.quantiles_exact(d, qs)) if exact
             else list(cm.Sketch().add_many([float(x) for x in d]).quantiles(qs)))
        put(name + "_", names, [len(d), sum(d), sum(d) / len(d), min(d), max(d)] + q)
    out["quantiles_exact"] = exact
    handled = [r["handle"] for r in good if r["handle"] is not None]
    out["handled"] = len(handled)
    out["handle_seconds"] = sum(round(h * 1e6) for h in handled) / 1e6
    ct = cm.contact.Contacts(20.0, 5.0)
    for r in good:
        if r["wait"] is not None:
            ct.add(r["wait"], r["handle"] if r["handle"] is not None else 0.0,
                   r["abandoned"] is True)
    for key, fn in (("service_level", ct.service_level), ("asa_seconds", ct.asa)):
        try:
            out[key] = fn()
        except cm.NoDataError:
            out[key] = None
    within = {}
    for p, (target, business) in REPORT_TARGETS.items():
        judged = [r for r in tickets if r["prio"] == p and r["reply"] is not None]
        within[p] = (sum(1 for r in judged if elapsed(r, "reply", business) <= target),
                     len(judged))
    for p in ("all",) + tuple(REPORT_TARGETS):
        prefix = "reply_within_" if p == "all" else "reply_within_%s_" % p
        if p == "all":
            num, den = sum(v[0] for v in within.values()), sum(v[1] for v in within.values())
        else:
            num, den = within[p]
        if not priority or den == 0:
            put(prefix, ("num", "den", "value"), None)
        else:
            put(prefix, ("num", "den", "value"), (num, den, num / den))
    return out


def report_json(ctx, sql, settings=""):
    """The fields of the cm_report_result that sql returns, as a dict (instants as epochs)."""
    text = ctx.q(settings + "SELECT row_to_json(r)::text, extract(epoch FROM (r).first_created)::bigint,"
                 " extract(epoch FROM (r).last_created)::bigint FROM (%s) s(r)" % sql)
    j, first, last = text.split("|")
    out = json.loads(j)
    out["first_created"] = None if first == "" else int(first)
    out["last_created"] = None if last == "" else int(last)
    return out


def same_report(got, want, what):
    check(len(got) == 98, "%s: %d fields" % (what, len(got)))
    check(set(got) == set(want), "%s: fields %s" % (what, sorted(set(got) ^ set(want))))
    diff = [(k, got[k], want[k]) for k in want if got[k] != want[k]]
    check(not diff, "%s: %d fields differ, first %s" % (what, len(diff), diff[:4]))


def replayed(cm, rows, now):
    """SLA attainment of tickets (row dicts) under REPORT_POLICY, each replayed by the library
    as the log creation, first reply, solve, judged at `now`."""
    policy, cal = cm.sla.Policy(REPORT_POLICY), cm.Calendar(CALENDAR)
    acc = cm.sla.Attainment()
    for r in rows:
        log = [(int(math.floor(r["created"])), "created", r["prio"] or "none")]
        log += sorted([(int(math.floor(t)), k, v) for t, k, v in
                       ((r["reply"], "agent", None), (r["solved"], "status", "solved"))
                       if t is not None], key=lambda e: e[0])
        acc.add(policy, py_events(cm, log), now, [cal])
    return acc


def report_options(extra=""):
    return "cm_report_options(calendar => %s, policy => %s%s)" % (lit(CALENDAR),
                                                                   lit(REPORT_POLICY), extra)


@test
def report_equals_library(ctx):
    cm = ctx.cm
    cal = cm.Calendar(CALENDAR)
    rows = report_rows(ctx, 6000)
    load_report_rows(ctx, "rp", rows)
    ctx.last_rows = rows
    check(sum(1 for r in rows if r["bad"]) >= 30, "few bad rows")
    # No options: no calendar, no priority, sketch quantiles.
    got = report_json(ctx, "SELECT cm_report(%s) FROM rp" % REPORT_ARGS)
    same_report(got, expected_report(cm, [dict(r, prio=None, bad=None if r["bad"] == "priority"
                                                else r["bad"]) for r in rows]), "no options")
    # A calendar, a policy and each ticket's priority; sketch, then exact quantiles.
    for exact in (False, True):
        opts = report_options(", quantiles => 'exact'" if exact else "")
        got = report_json(ctx, "SELECT cm_report(%s, prio, %s) FROM rp" % (REPORT_ARGS, opts))
        same_report(got, expected_report(cm, rows, cal, exact=exact, priority=True),
                    "calendar, policy, %s" % ("exact" if exact else "sketch"))
    # The priority as an enum.
    ctx.q("DROP TYPE IF EXISTS prio_enum CASCADE;"
          " CREATE TYPE prio_enum AS ENUM ('low', 'normal', 'high', 'urgent', 'none', 'p1')")
    a = ctx.q("SELECT row_to_json(cm_report(%s, prio, %s)) FROM rp" % (REPORT_ARGS,
                                                                       report_options()))
    b = ctx.q("SELECT row_to_json(cm_report(%s, prio::prio_enum, %s)) FROM rp"
              % (REPORT_ARGS, report_options()))
    same(b, a, "priority as an enum")
    # Another confidence, and other survey scales.
    got = report_json(ctx, "SELECT cm_report(%s, cm_report_options(confidence => 0.9,"
                           " csat_scale => 10, csat_satisfied_min => 8)) FROM rp" % REPORT_ARGS)
    # On that scale an answer of 6 is no longer a bad row.
    ok = [r for r in rows if r["bad"] in (None, "priority") or (r["bad"] == "csat"
                                                                 and 1 <= r["csat"] <= 10)]
    want = cm.Csat(10, 8).add_many([r["csat"] for r in ok if r["csat"] is not None
                                    and r["abandoned"] is not True]).result(0.9)
    same([got["csat_n"], got["csat_satisfied"], got["csat_lo"]],
         [want.satisfied.den, want.satisfied.num, want.satisfied.lo], "csat 1..10 at 90 %")


@test
def report_group_by(ctx):
    cm = ctx.cm
    cal = cm.Calendar(CALENDAR)
    rows = report_rows(ctx, 4000)
    load_report_rows(ctx, "rg", rows)
    out = ctx.q("SELECT grp, row_to_json(r)::text, extract(epoch FROM (r).first_created)::bigint,"
                " extract(epoch FROM (r).last_created)::bigint FROM (SELECT grp, cm_report(%s,"
                " prio, %s) FROM rg GROUP BY grp) s(grp, r) ORDER BY grp"
                % (REPORT_ARGS, report_options(", quantiles => 'exact'")))
    groups = 0
    for line in out.splitlines():
        grp, j, first, last = line.split("|")
        got = json.loads(j)
        got["first_created"], got["last_created"] = int(first), int(last)
        same_report(got, expected_report(cm, [r for r in rows if r["grp"] == grp], cal,
                                         exact=True, priority=True), "group %s" % grp)
        groups += 1
    same(groups, 3, "groups")
    # Hashed and sorted grouping give the same.
    for setting in ("SET enable_hashagg = off; ", "SET enable_sort = off; "):
        same(ctx.q(setting + "SELECT string_agg(row_to_json(r)::text, ',' ORDER BY grp) FROM"
                   " (SELECT grp, cm_report(%s) FROM rg GROUP BY grp) s(grp, r)" % REPORT_ARGS),
             ctx.q("SELECT string_agg(row_to_json(r)::text, ',' ORDER BY grp) FROM"
                   " (SELECT grp, cm_report(%s) FROM rg GROUP BY grp) s(grp, r)" % REPORT_ARGS),
             setting)


@test
def report_nulls(ctx):
    # No rows: NULL, as other aggregates.
    same(ctx.q("SELECT cm_report(%s) IS NULL FROM rp WHERE false" % REPORT_ARGS), "t", "no rows")
    # A column that is NULL on every row is a column the data does not have: its KPIs
    # are NULL, never computed from a default.
    got = report_json(ctx, "SELECT cm_report(to_timestamp(created), NULL, NULL, NULL, NULL,"
                           " NULL, NULL, NULL, NULL, NULL, NULL, NULL) FROM rp")
    good = sum(1 for r in ctx.last_rows if r["created"] is not None
               and math.isfinite(r["created"]))
    same([got["rows"], got["tickets"], got["bad_rows"]], [good, good, len(ctx.last_rows) - good],
         "counts (rows without a creation instant are bad)")
    for k in ("csat_n", "nps_score", "ces_mean", "fcr_value", "reopen_value", "escalation_value",
              "abandonment_value", "first_reply_n", "resolution_median_seconds",
              "first_reply_business_n", "service_level", "asa_seconds", "reply_within_value"):
        same(got[k], None, k)
    same(got["handled"], 0, "handled")
    # NULL creation rows are bad rows, the others are folded.
    same(ctx.q("SELECT (r).rows, (r).bad_rows FROM (SELECT cm_report(NULL, NULL, NULL, 1, false,"
               " false, false, 5, NULL, NULL, NULL, NULL) FROM generate_series(1, 3)) s(r)"),
         "0|3", "NULL creation")
    # Windows: the report of the rows so far.
    got = ctx.q("SELECT string_agg(((r).rows)::text, ',' ORDER BY i) FROM (SELECT i, cm_report("
                "to_timestamp(1735689600 + i), NULL, NULL, 1, false, false, false, 5, NULL, NULL,"
                " NULL, NULL) OVER (ORDER BY i) FROM generate_series(1, 2500) i) s(i, r)"
                " WHERE i IN (1, 2, 1024, 1025, 2500)")
    same(got, "1,2,1024,1025,2500", "running report")


@test
def report_bad_rows(ctx):
    rows = ctx.last_rows
    bad = [(r["i"] + 1, r["bad"]) for r in rows if r["bad"] is not None]
    out = ctx.q("SELECT row_number, column_name, value, expected FROM cm_report_bad_rows("
                "(SELECT cm_report_state(%s, prio, %s) FROM (SELECT * FROM rp ORDER BY i) o))"
                % (REPORT_ARGS, report_options()))
    got = [line.split("|") for line in out.splitlines()]
    same([(int(g[0]), g[1]) for g in got], bad[:16], "the first 16 bad rows and their columns")
    check(all(g[3] != "" for g in got), "every bad row says what was expected")
    # strict => true: the first bad row is an error.
    first = bad[0]
    err = ctx.error("SELECT cm_report(%s, prio, %s) FROM (SELECT * FROM rp ORDER BY i) o"
                    % (REPORT_ARGS, report_options(", strict => true")))
    check("cm_report: bad row %d: %s = " % first in err, "strict error: %r" % err)
    check("strict => true" in err, "strict error hint: %r" % err)


@test
def report_states_merge(ctx):
    cm = ctx.cm
    opts = report_options(", quantiles => 'exact'")
    whole = ctx.q("SELECT row_to_json(cm_report(%s, prio, %s)) FROM rp" % (REPORT_ARGS, opts))
    same(ctx.q("SELECT row_to_json(cm_report_result(cm_report_state(%s, prio, %s))) FROM rp"
               % (REPORT_ARGS, opts)), whole, "cm_report_result(cm_report_state(...))")
    ctx.q("DROP TABLE IF EXISTS daily; CREATE TABLE daily AS SELECT grp, cm_report_state(%s,"
          " prio, %s) AS s FROM rp GROUP BY grp" % (REPORT_ARGS, opts))
    same(ctx.q("SELECT row_to_json(cm_report_result(cm_report_merge(s))) FROM daily"), whole,
         "states merged")
    same(ctx.q("SELECT row_to_json(cm_report_result(cm_report_merge(s::text::cm_report_state)))"
               " FROM daily"), whole, "text round trip")
    same(ctx.q("SELECT row_to_json(cm_report_result(cm_report_merge(s::bytea::cm_report_state)))"
               " FROM daily"), whole, "bytea round trip")
    # SLA attainment judged at an instant, as the library replays each ticket.
    rows = [r for r in ctx.last_rows if r["bad"] is None and r["abandoned"] is not True]
    as_of = max(int(math.floor(max(v for v in (r["created"], r["reply"], r["solved"])
                                   if v is not None))) for r in rows) + 600
    acc = replayed(cm, rows, as_of)
    state = ("(SELECT cm_report_state(%s, prio, %s) FROM rp)"
             % (REPORT_ARGS, report_options(", attainment => true, as_of => to_timestamp(%d)"
                                            % as_of)))
    for metric in ("first-reply", "total-resolution"):
        for prio in ("all", "urgent", "high", "normal", "low"):
            m = getattr(cm.sla.Metric, metric.upper().replace("-", "_"))
            p = cm.sla.ALL_PRIORITIES if prio == "all" else getattr(cm.sla.Priority, prio.upper())
            try:
                w = acc.result(m, p)
            except cm.NoDataError:
                same(ctx.q("SELECT cm_report_sla(%s, '%s', '%s') IS NULL" % (state, metric, prio)),
                     "t", "%s %s: no data" % (metric, prio))
                continue
            got = row(ctx.q("SELECT cm_report_sla(%s, '%s', '%s')" % (state, metric, prio)))
            same([int(got[0]), int(got[1]), int(got[2]), float(got[3]), float(got[4]),
                  float(got[5]), float(got[6])],
                 [w.achieved, w.breached, w.open, w.attained.value, w.attained.lo,
                  w.attained.hi, w.mean_seconds], "attainment %s %s" % (metric, prio))


@test
def report_bad_options_and_states(ctx):
    r = ctx.refused
    cols = "SELECT cm_report(%s, %%s) FROM rp" % REPORT_ARGS
    r("SELECT cm_report_options(quantiles => 'fast')", "CM_EINVAL", "sketch, exact or none")
    r("SELECT cm_report_options(durations => '{first_reply,waiting}')", "CM_EINVAL",
      "unknown duration")
    r("SELECT cm_report_options(csat_scale => -1)", "CM_ERANGE", "csat_scale")
    r("SELECT cm_report_options(csat_scale => 5, csat_satisfied_min => 6)", "CM_EINVAL",
      "csat_satisfied_min 6")
    r("SELECT cm_report_options(confidence => 1.5)", "CM_EINVAL", "confidence")
    r("SELECT cm_report_options(short_abandon_seconds => 'NaN')", "CM_EINVAL")
    r("SELECT cm_report_options(policy => 'first-reply normal 4h business')", "CM_EINVAL",
      "give a calendar")
    r("SELECT cm_report_options(attainment => true)", "CM_EINVAL", "needs a policy")
    r("SELECT cm_report_options(calendar => 'mon-fry 09:00-17:00')", "CM_EPARSE")
    r(cols % ("cm_report_options(policy => 'first-reply urgent 1h calendar')"), "CM_EINVAL",
      "priority")
    # Options written as a row rather than by cm_report_options() are checked too.
    r(cols % "ROW(NULL, NULL, 'fast', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
      " NULL, NULL, NULL)::cm_report_options", "CM_EINVAL")
    err = ctx.error("SELECT cm_report(%s, cm_report_options(csat_scale => 5 + (i %% 2)))"
                    " FROM rp" % REPORT_ARGS)
    check("the options changed within a group" in err, err)
    # Corrupt states: truncated, bit-flipped (header and the library's bytes), empty,
    # another type's bytes, a different format byte.
    good = bytes.fromhex(ctx.q("SELECT encode(cm_report_state(%s, prio, %s)::bytea, 'hex')"
                               " FROM rp" % (REPORT_ARGS, report_options())))
    sketch = ctx.cm.Sketch().add_many([1.0, 2.0]).to_bytes()
    bad = [good[:-1], good[:11], good[:40], b"", good + b"\0", sketch, b"CMPGRPT\x02" + good[8:]]
    bad += [flipped(good, i) for i in range(0, len(good), max(1, len(good) // 40))]
    for b in bad:
        r("SELECT '\\x%s'::cm_report_state" % b.hex(), "CM_EPARSE")
        r("SELECT cm_report_result('\\x%s'::bytea::cm_report_state)" % b.hex(), "CM_EPARSE")
    # A change of any bit of the header (the options, whose CRC-32C follows them) or
    # of every 7th byte after it, and a cut at the same places, are refused as malformed
    # (CM_EPARSE): the library checks its own bytes the same way.
    ctx.q("""DO $$
DECLARE
  b bytea := (SELECT cm_report_state(%s, prio, cm_report_options(policy =>
                'first-reply * 1h calendar'))::bytea FROM rp WHERE i < 40);
  accepted text := '';
BEGIN
  FOR i IN 0 .. length(b) - 1 LOOP
    CONTINUE WHEN i >= 160 AND i %% 7 <> 0;
    BEGIN
      PERFORM cm_report_result(set_byte(b, i, get_byte(b, i) # (1 << (i %% 8)))::cm_report_state);
      accepted := accepted || ' flip ' || i;
    EXCEPTION WHEN invalid_text_representation THEN NULL;
    END;
    BEGIN
      PERFORM cm_report_result(substring(b FROM 1 FOR i)::cm_report_state);
      accepted := accepted || ' cut ' || i;
    EXCEPTION WHEN invalid_text_representation THEN NULL;
    END;
  END LOOP;
  IF accepted <> '' OR length(b) < 200 THEN
    RAISE EXCEPTION 'corrupt states accepted:%% (of %% bytes)', accepted, length(b);
  END IF;
END $$""" % REPORT_ARGS)
    # States made with different options do not merge.
    ctx.q("DROP TABLE IF EXISTS st; CREATE TABLE st AS SELECT cm_report_state(%s) AS s FROM rp"
          " UNION ALL SELECT cm_report_state(%s, cm_report_options(short_abandon_seconds => 9))"
          " FROM rp" % (REPORT_ARGS, REPORT_ARGS))
    err = ctx.error("SELECT cm_report_merge(s) FROM st")
    check("different options" in err, err)
    r("SELECT cm_report_sla(cm_report_state(%s, prio, %s), 'first-answer') FROM rp"
      % (REPORT_ARGS, report_options()), "CM_EINVAL", "unknown metric")
    # The support functions take `internal` states and refuse to run outside an aggregate.
    for sql in ("SELECT cm_report_deserialize('\\x%s'::bytea, NULL)" % good.hex(),
                "SELECT cm_report_combine(NULL, NULL)", "SELECT cm_report_final(NULL)",
                "SELECT cm_report_serialize(NULL)", "SELECT cm_report_state_final(NULL)",
                "SELECT cm_report_trans(NULL, now(), NULL, NULL, 1, false, false, false, 5, NULL,"
                " NULL, NULL, NULL)"):
        ctx.error(sql)


# ---- bad input -----------------------------------------------------------------------------


def flipped(data, i):
    b = bytearray(data)
    b[i] ^= 0x10
    return bytes(b)


@test
def bad_input_is_an_error(ctx):
    cm = ctx.cm
    r = ctx.refused
    # Scores and rates out of their scales.
    r("SELECT cm_nps(x) FROM (VALUES (10), (11)) v(x)", "CM_ERANGE", "score = 11")
    r("SELECT cm_csat(x) FROM (VALUES (0)) v(x)", "CM_ERANGE")
    r("SELECT cm_csat(x, 11, 9) FROM (VALUES (3)) v(x)", "CM_ERANGE")
    r("SELECT cm_csat(x, s, 4) FROM (VALUES (3, 5), (3, 7)) v(x, s)", "CM_EINVAL",
      "the scale changed")
    r("SELECT cm_ces(x) FROM (VALUES (8)) v(x)", "CM_ERANGE")
    r("SELECT cm_ces(x, 5, 3, 2) FROM (VALUES (3)) v(x)", "CM_ERANGE")
    r("SELECT cm_rate(3, 2)", "CM_EINVAL")
    r("SELECT cm_rate(-1, 2)", "CM_EINVAL", "num = -1")
    r("SELECT cm_rate(1, 2, 1.5)", "CM_EINVAL")
    r("SELECT cm_rate(1, 2, 'NaN')", "CM_EINVAL")
    r("SELECT cm_abandonment_rate(10, 20, 0)", "CM_EINVAL")
    # Durations and quantiles.
    r("SELECT cm_art(x) FROM (VALUES (-1)) v(x)", "CM_EINVAL")
    r("SELECT cm_sla_attainment(%s, 'p1', now(), now(), NULL, now(), %s)"
      % (lit(POLICY), lit(OFFICE)), "CM_EINVAL", "unknown priority")
    r("SELECT cm_sla_attainment(%s, 'low', now(), now() - interval '1 hour', NULL, now(), %s)"
      % (lit(POLICY), lit(OFFICE)), "CM_EINVAL")
    r("SELECT cm_sketch(x) FROM (VALUES (-1.0)) v(x)", "CM_EINVAL")
    r("SELECT cm_sketch(x) FROM (VALUES ('NaN'::float8)) v(x)", "CM_EINVAL")
    r("SELECT cm_sketch(x) FROM (VALUES ('Infinity'::float8)) v(x)", "CM_EINVAL")
    r("SELECT cm_sketch(x) FROM (VALUES (1e12)) v(x)", "CM_ERANGE")
    r("SELECT cm_sketch(x) FROM (VALUES (interval '1 month')) v(x)", "CM_EINVAL", "months")
    r("SELECT cm_quantile(cm_sketch(x), 1.5) FROM (VALUES (1.0)) v(x)", "CM_EINVAL")
    r("SELECT cm_quantiles(cm_sketch(x), '{0.5,NULL}') FROM (VALUES (1.0)) v(x)", "CM_EINVAL")
    r("SELECT cm_quantiles_exact(x, '{0.5,2}') FROM (VALUES (1.0)) v(x)", "CM_EINVAL")
    r("SELECT cm_quantile_exact(x, 0.5) FROM (VALUES ('NaN'::float8)) v(x)", "CM_EINVAL")
    # Corrupt serialized states: truncated, bit-flipped, empty, of another kind.
    good = cm.Sketch().add_many([1.0, 2.0, 30.0, 400.0]).to_bytes()
    bad = [good[:-1], good[:5], b"", good + b"\0", cm.Nps().add(3).to_bytes()]
    bad += [flipped(good, i) for i in range(0, len(good), max(1, len(good) // 24))]
    for b in bad:
        r("SELECT '\\x%s'::cm_sketch" % b.hex(), "CM_EPARSE")
        r("SELECT cm_quantile('\\x%s'::bytea::cm_sketch, 0.5)" % b.hex(), "CM_EPARSE")
    good = cm.sla.Attainment().add(cm.sla.Policy(POLICY), py_events(cm, ticket(ctx, 1736150400)),
                                   1736150400 + 86400 * 9, [cm.Calendar(OFFICE)]).to_bytes()
    for i in range(0, len(good), max(1, len(good) // 24)):
        r("SELECT cm_sla_result('\\x%s'::cm_sla_attainment, 'first-reply')"
          % flipped(good, i).hex(), "CM_EPARSE")
    r("SELECT cm_sla_result('\\x%s'::bytea::cm_sla_attainment, 'first-reply')" % good[:-3].hex(),
      "CM_EPARSE")
    # The support functions of the aggregates take `internal` states, which SQL
    # cannot make; they are refused (and would refuse to run outside an aggregate).
    for fn in ("cm_csat_deserialize", "cm_nps_deserialize", "cm_sketch_deserialize",
               "cm_rate_deserialize", "cm_sla_attainment_deserialize",
               "cm_quantiles_exact_deserialize"):
        for arg in ("NULL", "NULL::internal"):
            ctx.error("SELECT %s('\\x%s'::bytea, %s)" % (fn, good.hex(), arg))
    for sql in ("SELECT cm_csat_combine(NULL, NULL)", "SELECT cm_csat_trans(NULL, 3)",
                "SELECT cm_sketch_final(NULL)", "SELECT cm_sla_attainment_serialize(NULL)"):
        ctx.error(sql)
    # Calendars and policies: malformed text, with the line and column.
    r("SELECT 'tz UTC\nmon-fri 09:00-25:00'::cm_calendar", "CM_EPARSE", "line 2, column")
    r("SELECT 'tz Mars/Olympus_Mons'::cm_calendar", "CM_EPARSE")
    r("SELECT cm_calendar('mon-fry 09:00-17:00')", "CM_EPARSE", "line 1, column")
    r("SELECT cm_business_seconds('wed 9-5', now(), now())", "CM_EPARSE")
    r("SELECT 'first-reply urgent 15x calendar'::cm_sla_policy", "CM_EPARSE", "line 1, column")
    r("SELECT 'first-reply normal 1d business'::cm_sla_policy", "CM_EPARSE", "days")
    r("SELECT * FROM cm_sla_evaluate('first-reply * 1h business', ARRAY[(now(), 'created',"
      " 'normal')]::cm_sla_event[], now())", "CM_EINVAL")
    # Instants and amounts out of range.
    r("SELECT cm_business_seconds('tz UTC', '-infinity', now())", "CM_ERANGE", "infinite")
    r("SELECT cm_is_open('tz UTC', '4000-01-01 BC')", "CM_ERANGE")
    r("SELECT cm_business_add('tz UTC\nmon 09:00-10:00', now(), interval '1 day')", "CM_EINVAL",
      "days")
    r("SELECT cm_business_add('tz UTC\nmon 09:00-10:00', '9999-12-20', 3600 * 100)",
      "CM_EOVERFLOW")
    # SLA events.
    ev = "ARRAY[(to_timestamp(1736150400), 'created', 'normal'), %s]::cm_sla_event[]"
    for e, detail in [("(to_timestamp(1736150300), 'agent', NULL)", None),
                      ("(to_timestamp(1736150500), 'agent', 'x')", "takes no value"),
                      ("(to_timestamp(1736150500), 'status', 'sleeping')", "unknown status"),
                      ("(to_timestamp(1736150500), 'wave', NULL)", "unknown kind"),
                      ("(NULL, 'agent', NULL)", "must not be NULL"),
                      ("(to_timestamp(1736150500), 'created', 'low')", None)]:
        r("SELECT * FROM cm_sla_evaluate(%s, %s, now(), %s)" % (lit(POLICY), ev % e, lit(OFFICE)),
          "CM_EINVAL", detail)
    r("SELECT * FROM cm_sla_evaluate(%s, %s, to_timestamp(0), %s)"
      % (lit(POLICY), ev % "(to_timestamp(1736150500), 'agent', NULL)", lit(OFFICE)), "CM_EINVAL")
    r("SELECT cm_sla_result(cm_sla_attainment(%s, %s, now(), %s), 'first-answer')"
      % (lit(POLICY), ev % "(to_timestamp(1736150500), 'agent', NULL)", lit(OFFICE)),
      "CM_EINVAL", "unknown metric")
    # Erlang.
    r("SELECT cm_erlang_c(30, 30)", "CM_EUNSTABLE")
    r("SELECT cm_erlang_c(30, -1)", "CM_EINVAL", "negative")
    r("SELECT cm_erlang_c('NaN', 3)", "CM_EINVAL")
    r("SELECT cm_service_level(3, 5, 0, 20)", "CM_EINVAL")
    r("SELECT cm_erlang_agents(1e9, 360, 0.8, 20)", "CM_ERANGE")
    # NULL arguments: NULL results, no error, no crash.
    same(ctx.q("SELECT cm_erlang_c(NULL, 3) IS NULL, cm_business_seconds(NULL, now(), now())"
               " IS NULL, cm_quantile(NULL, 0.5) IS NULL, (SELECT count(*) FROM "
               "cm_sla_evaluate(NULL, NULL::cm_sla_event[], now()))"), "t|t|t|0", "NULL arguments")


@test
def server_survived(ctx):
    same(ctx.q("SELECT 1"), "1", "the server accepts connections")
    log = ctx.pg.server_log()
    for bad in ("terminated by signal", "was terminated", "server process", "PANIC"):
        check(bad not in log, "server log: %r" % bad)


# ---- parallel plans --------------------------------------------------------------------------

PARALLEL = ("SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; "
            "SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2; ")
SERIAL = "SET max_parallel_workers_per_gather = 0; "
AGGREGATES = (
    "SELECT cm_csat(csat), cm_nps(nps), cm_ces(ces), cm_rate(solved), cm_art(reply::bigint),"
    " cm_quantiles(cm_sketch(reply), '{0.5,0.9}'), cm_quantiles_exact(reply, '{0.5,0.9}'),"
    " sum(cm_business_seconds(%s, created, created + reply * interval '1 second')),"
    " cm_sla_result(cm_sla_attainment(%s, ARRAY[(created, 'created', prio),"
    "   (created + reply * interval '1 second', 'agent', NULL)]::cm_sla_event[],"
    "   created + interval '30 days', %s), 'first-reply'),"
    " cm_sla_result(cm_sla_attainment(%s, prio, created, created + reply * interval '1 second',"
    "   NULL, created + interval '30 days', %s), 'first-reply', 'normal')"
    " FROM big")


@test
def parallel_plan_equals_serial(ctx):
    ctx.q("DROP TABLE IF EXISTS big; CREATE TABLE big AS SELECT"
          " (1 + i % 5)::int AS csat, (i * 7 % 11)::int AS nps, (1 + i * 3 % 7)::int AS ces,"
          " i % 3 = 0 AS solved, (i * 37 % 100003)::float8 AS reply,"
          " timestamptz '2025-01-06 00:00Z' + i * interval '97 seconds' AS created,"
          " (ARRAY['urgent','high','normal','low'])[1 + i % 4] AS prio"
          " FROM generate_series(1, 200000) i; ANALYZE big")
    sql = AGGREGATES % (lit(OFFICE), lit(POLICY), lit(OFFICE), lit(POLICY), lit(OFFICE))
    plan = ctx.q(PARALLEL + "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + sql)
    for want in ("Finalize Aggregate", "Partial Aggregate", "Gather", "Workers Planned: 2"):
        check(want in plan, "parallel plan lacks %r:\n%s" % (want, plan))
    m = re.search(r"Workers Launched: (\d+)", plan)
    check(m and int(m.group(1)) >= 1, "no worker launched:\n%s" % plan)
    serial_plan = ctx.q(SERIAL + "EXPLAIN (COSTS OFF) " + sql)
    check("Partial Aggregate" not in serial_plan, "serial plan:\n%s" % serial_plan)
    same(ctx.q(PARALLEL + sql), ctx.q(SERIAL + sql), "parallel and serial results")


@test
def report_parallel_equals_serial(ctx):
    cm = ctx.cm
    # More tickets than an exact report first has room for (65,536): it grows.
    rows = report_rows(ctx, 70000, bad_share=0.002)
    load_report_rows(ctx, "rbig", rows)
    opts = report_options(", quantiles => 'exact'")
    sql = "SELECT cm_report(%s, prio, %s) FROM rbig" % (REPORT_ARGS, opts)
    same_report(report_json(ctx, sql, SERIAL),
                expected_report(cm, rows, cm.Calendar(CALENDAR), exact=True, priority=True),
                "serial, exact")
    for query in (sql, "SELECT cm_report(%s, prio, %s) FROM rbig" % (REPORT_ARGS,
                                                                     report_options()),
                  "SELECT grp, cm_report(%s) FROM rbig GROUP BY grp" % REPORT_ARGS,
                  "SELECT cm_report_result(cm_report_merge(s)) FROM (SELECT"
                  " cm_report_state(%s, prio, %s) s FROM rbig GROUP BY grp) x"
                  % (REPORT_ARGS, opts)):
        plan = ctx.q(PARALLEL + "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + query)
        for want in ("Finalize", "Partial", "Gather"):
            check(want in plan, "parallel plan lacks %r:\n%s" % (want, plan))
        m = re.search(r"Workers Launched: (\d+)", plan)
        check(m and int(m.group(1)) >= 1, "no worker launched:\n%s" % plan)
        text = "SELECT string_agg(x::text, ';' ORDER BY x::text) FROM (%s) x" % query
        same(ctx.q(PARALLEL + text), ctx.q(SERIAL + text), "parallel and serial: %s" % query[:60])
    # SLA attainment judged at the latest instant of any row: the open tickets are kept
    # until the end (more than a report first has room for: it grows).
    good = [r for r in rows if r["bad"] is None]
    latest = max(int(math.floor(v)) for r in good for v in (r["created"], r["reply"], r["solved"])
                 if v is not None)
    acc = replayed(cm, [r for r in good if r["abandoned"] is not True], latest)
    check(sum(1 for r in good if r["solved"] is None) > 8192, "few open tickets")
    state = ("(SELECT cm_report_state(%s, prio, %s) FROM rbig)"
             % (REPORT_ARGS, report_options(", attainment => true")))
    for metric in ("first-reply", "total-resolution"):
        m = getattr(cm.sla.Metric, metric.upper().replace("-", "_"))
        w = acc.result(m, cm.sla.ALL_PRIORITIES)
        sql = "SELECT cm_report_sla(%s, '%s')" % (state, metric)
        got = row(ctx.q(SERIAL + sql))
        same([int(got[0]), int(got[1]), int(got[2]), float(got[3]), float(got[6])],
             [w.achieved, w.breached, w.open, w.attained.value, w.mean_seconds],
             "attainment at the latest instant, %s" % metric)
        same(ctx.q(PARALLEL + sql), ctx.q(SERIAL + sql), "parallel attainment, %s" % metric)


@test
def server_alive_at_the_end(ctx):
    server_survived(ctx)


# ---- runner -----------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser()
    for a in ("bindir", "pkglibdir", "sharedir", "module", "library", "control", "script"):
        ap.add_argument("--" + a, required=True)
    ap.add_argument("--sanitized", default="no")
    args = ap.parse_args()
    if args.sanitized == "yes":
        print("1..0 # SKIP the server is not built with the sanitizers the module needs")
        return 0
    try:
        import caremetrics as cm
    except Exception as e:  # the oracle is the library through its Python binding
        print("1..0 # SKIP the Python binding (the oracle) does not load: %s" % e)
        return 0
    seed = int(os.environ.get("CM_TEST_SEED", "20250106"))
    print("# seed %d (CM_TEST_SEED)" % seed)
    settings = {"max_worker_processes": "4", "max_parallel_workers": "4",
                "shared_buffers": "64MB"}
    try:
        cluster = pgcluster.Cluster(args.bindir, args.pkglibdir, args.sharedir, args.module,
                                    args.library, args.control, args.script, settings)
        pg = cluster.__enter__()
    except pgcluster.Unavailable as e:
        print("1..0 # SKIP %s" % str(e).replace("\n", " "))
        return 0
    failed = 0
    try:
        ctx = Ctx(pg, cm, seed)
        print("1..%d" % (len(TESTS) + 1))
        rc, _, err = pg.run("CREATE EXTENSION caremetrics")
        ok = rc == 0 and pg.psql("SELECT cm_version()").strip() == cm.version()
        print("%s 1 - CREATE EXTENSION caremetrics (library %s)" % ("ok" if ok else "not ok",
                                                                     cm.version()))
        if not ok:
            print("# " + err.replace("\n", "\n# "))
            failed += 1
        for i, t in enumerate(TESTS, start=2):
            try:
                t(ctx)
                print("ok %d - %s" % (i, t.__name__))
            except Exception as e:  # report and go on with the next test
                failed += 1
                print("not ok %d - %s" % (i, t.__name__))
                print("# " + str(e).replace("\n", "\n# "))
    finally:
        cluster.__exit__(None, None, None)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
