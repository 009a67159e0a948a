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
