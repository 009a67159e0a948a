#!/usr/bin/python3
"""caremetrics.report over a DataFrame against the C engine and pandas, in one process.

    bench-python-report.py --gen PATH/gen-tickets [--tickets N] [--repeat R]

Generates N tickets (default 2,000,000) with the benchmarks' generator, loads
them into the DataFrame of the side-by-side benchmark (benchmarks/compare/
pandas_kpis.py: UTC datetime64[ns] instants with NaT, categorical channel
and priority, float survey answers with NaN, bool flags), then times, best of
R runs, wall clock and processor time:

- pandas: the vectorised KPIs of pandas_kpis.py (CSAT, NPS, CES, FCR, first
  reply mean / median / p90, business-hours first reply, abandonment, first
  replies within the SLA targets per priority);
- report: ``caremetrics.report(df, calendar=..., policy=...)``, every KPI of
  docs/python.md (more than pandas computes: resolution times, quantiles of
  four durations, SLA attainment, service level ...), conversions included;
- engine: the same report's C compute time: ``cm_table_report_add`` over the
  columns already in the engine's layout, then ``cm_table_report_finish``;
- the same two without calendar and policy (``caremetrics.report(df)``).

It checks that the counts both compute agree, and ends with

    ratios: report/engine=X (cpu Y) plain report/engine=Z (cpu W) pandas/report=P

Timings on a shared machine are noisy: compare ratios of one run, and the
processor times beside the wall clock. The load average is printed.
"""

import argparse
import ctypes
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "compare"))
sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))

import numpy as np  # noqa: E402

import kpicommon as kc  # noqa: E402
import pandas_kpis as pk  # noqa: E402

import caremetrics as cm  # noqa: E402
from caremetrics import sla, table  # noqa: E402
from caremetrics._lib import lib  # noqa: E402

NO_TIME = -(2**63)


def best_of(fn, repeat):
    """fn() repeat times (pandas_kpis.best_of): its last result, the best wall and the best processor time."""
    out, wall, cpu = pk.best_of(fn, repeat)
    return out, min(wall), min(cpu)


def engine_columns(df):
    """The frame's columns in the engine's layout, converted once (not timed)."""

    def instants(s):
        ns = s.array.asi8
        out = ns // 10**9
        out[ns == NO_TIME] = NO_TIME
        return out

    def answers(s):
        v = s.to_numpy()
        return np.where(np.isnan(v), 255, v).astype(np.uint8)

    return {
        "created": instants(df.created_at),
        "first_reply": instants(df.first_reply_at),
        "solved": instants(df.solved_at),
        "contacts": df.contacts.to_numpy().astype(np.uint32),
        "reopened": df.reopened.to_numpy().view(np.uint8),
        "escalated": df.escalated.to_numpy().view(np.uint8),
        "abandoned": df.abandoned.to_numpy().view(np.uint8),
        "csat": answers(df.csat),
        "nps": answers(df.nps),
        "ces": answers(df.ces),
        "wait_seconds": np.ascontiguousarray(df.wait_seconds.to_numpy()),
        "handle_seconds": np.ascontiguousarray(df.handle_seconds.to_numpy()),
    }


def engine_run(spec, cols, keys, n):
    """One cm_table_report_add over every row, then finish: the engine's compute time."""
    rep = table.TableReport(spec)  # memory taken and written before the clock starts
    c = table._Columns()
    assert lib.cm_table_columns_init(ctypes.byref(c)) == 0
    c.rows = n
    for name, a in cols.items():
        setattr(c, name, a.ctypes.data)
    ptrs = (ctypes.c_void_p * max(1, len(keys)))(*[k.ctypes.data for k in keys])
    c.keys = ptrs if keys else None

    def run():
        status = rep._call(lib.cm_table_report_add, ctypes.byref(c))
        assert status == 0, status
        return rep._finish()

    w, p = time.perf_counter(), time.process_time()
    run()
    out = (time.perf_counter() - w, time.process_time() - p)
    rep.close()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gen", required=True, help="the gen-tickets program")
    ap.add_argument("--tickets", type=int, default=2_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()

    load0 = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "tickets.cmt")
        subprocess.run([args.gen, "--seed", str(args.seed), "--tickets", str(args.tickets), "--format", "columnar", "-o", path], check=True)
        df = pk.frame_from_columnar(path)
    n = len(df)
    calendar = cm.Calendar(open(kc.CALENDAR_FILE).read())
    policy = sla.Policy(open(os.path.join(ROOT, "examples", "data", "sla-policy.txt")).read())
    cols = engine_columns(df)
    levels = np.array([4, 3, 2, 1, 0], dtype=np.uint8)  # urgent, high, normal, low; -1 (none) -> 0
    prio = levels[df.priority.cat.codes.to_numpy().astype(np.intp)]

    day_table = pk.DayTable(kc.load_holidays())
    want, pandas_wall, pandas_cpu = best_of(lambda: pk.compute(df, day_table), args.repeat)

    results = {}
    configs = (
        ("headline", dict(calendar=calendar, policy=policy, kpis="headline", exact_quantiles=True), [prio]),
        ("report", dict(calendar=calendar, policy=policy), [prio]),
        ("plain", {}, []),
    )
    for label, options, keys in configs:
        got, wall, cpu = best_of(lambda: cm.report(df, **options), args.repeat)
        facts = table._Survey(df, table.base_spec(None, **options), ()).facts
        spec = table.sized_spec(facts, None, **options)
        engine = [engine_run(spec, cols, keys, n) for _ in range(args.repeat)]
        results[label] = (got, wall, cpu, min(e[0] for e in engine), min(e[1] for e in engine))

    # The counts both sides compute must agree.
    row = results["headline"][0].loc["all"]
    checks = [
        ("tickets", "count", row["tickets"], want["tickets"]),
        ("csat.num", "count", row["csat_num"], want["csat"]["num"]),
        ("csat.den", "count", row["csat_den"], want["csat"]["den"]),
        ("nps.n", "count", row["nps_n"], want["nps"]["n"]),
        ("nps.score", "real", row["nps_value"], want["nps"]["score"]),
        ("ces.mean", "real", row["ces_value"], want["ces"]["mean"]),
        ("fcr.num", "count", row["fcr_num"], want["fcr"]["num"]),
        ("fcr.den", "count", row["fcr_den"], want["fcr"]["den"]),
        ("first_reply.n", "count", row["first_reply_n"], want["first_reply"]["n"]),
        ("first_reply.mean", "real", row["first_reply_mean_seconds"], want["first_reply"]["mean_seconds"]),
        ("first_reply.median", "real", row["first_reply_median_seconds"], want["first_reply"]["median_seconds"]),
        ("first_reply.p90", "real", row["first_reply_p90_seconds"], want["first_reply"]["p90_seconds"]),
        ("business.n", "count", row["first_reply_business_n"], want["first_reply_business"]["n"]),
        ("business.total", "count", row["first_reply_business_total_seconds"], want["first_reply_business"]["total_seconds"]),
        ("abandonment.num", "count", row["abandonment_num"], want["abandonment"]["num"]),
        ("abandonment.den", "count", row["abandonment_den"], want["abandonment"]["den"]),
    ]
    for p in kc.PRIORITIES:
        checks.append((f"sla {p} achieved", "count", row[f"sla_first_reply_within_{p}_num"], want["sla_first_reply"][p]["achieved"]))
        checks.append((f"sla {p} total", "count", row[f"sla_first_reply_within_{p}_den"], want["sla_first_reply"][p]["total"]))
    bad = [(name, a, b) for name, kind, a, b in checks if not kc.agree(kind, a, b)]
    load1 = os.getloadavg()

    print(f"bench-python-report: {n} tickets, best of {args.repeat}; {os.cpu_count()} CPUs, "
          f"load average {load0[0]:.2f} before, {load1[0]:.2f} after")
    print(f"  {'':52s} {'wall s':>8s} {'cpu s':>8s} {'M tickets/s':>12s}")
    print(f"  {'pandas, vectorised KPIs (pandas_kpis.py)':52s} {pandas_wall:8.3f} {pandas_cpu:8.3f} {n / pandas_wall / 1e6:12.2f}")
    titles = {
        "headline": "kpis='headline', exact quantiles",
        "report": "every KPI, calendar and policy",
        "plain": "every KPI: report(df)",
    }
    for label, title in titles.items():
        _, wall, cpu, ewall, ecpu = results[label]
        print(f"  {'caremetrics.report, ' + title:52s} {wall:8.3f} {cpu:8.3f} {n / wall / 1e6:12.2f}")
        print(f"  {'  the engine alone (C)':52s} {ewall:8.3f} {ecpu:8.3f} {n / ewall / 1e6:12.2f}")
    h = results["headline"]
    parts = [f"{label}/engine={results[label][1] / results[label][3]:.2f} (cpu {results[label][2] / results[label][4]:.2f})" for label in titles]
    print("ratios: " + " ".join(parts) + f" pandas/headline={pandas_wall / h[1]:.2f} (cpu {pandas_cpu / h[2]:.2f}) match={'no' if bad else 'yes'}")
    for name, a, b in bad:
        print(f"  disagree: {name}: report {a}, pandas {b}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
