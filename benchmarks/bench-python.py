#!/usr/bin/python3
"""Cost of the Python binding over the C library, measured in one process.

Per-call overhead: a scalar call through the binding (argument checks,
result dataclass) against the bare ctypes call of the same C function.
Array throughput: add_many over 10M scores through the binding against the
same C function called directly on the same memory; with a matching dtype
the binding passes the numpy buffer without copying, so the two should be
within a few percent.

SLA attainment: the same synthetic tickets (created, first reply, solved, on
the bundled SLA policy and office-hours calendar) counted ticket by ticket
through Attainment.add (one library call per ticket) and as one table
through Attainment.add_many (one call for all), which must agree exactly;
and a pandas Series fed to Csat.add_many against the same ndarray.

usage: bench-python.py [N] [SLA_TICKETS]   (CAREMETRICS_LIBRARY and PYTHONPATH as for the tests)
"""

import ctypes
import sys
import time
from pathlib import Path

import numpy as np

import caremetrics as cm
from caremetrics import kpi, sla
from caremetrics._lib import lib

DATA = Path(__file__).resolve().parents[1] / "examples" / "data"


def best_of(fn, repeat=5):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    calls = 100_000

    # Per-call overhead.
    out = kpi._Proportion()
    raw = best_of(lambda: [lib.cm_rate(200, 250, 0.95, ctypes.byref(out)) for _ in range(calls)])
    wrapped = best_of(lambda: [cm.rate(200, 250) for _ in range(calls)])
    print(f"scalar cm_rate: ctypes {raw / calls * 1e6:.2f} us/call, binding "
          f"{wrapped / calls * 1e6:.2f} us/call, overhead {(wrapped - raw) / calls * 1e6:.2f} us/call")

    # Array throughput, 10M NPS answers.
    rng = np.random.default_rng(1)
    scores = rng.integers(0, 11, size=n).astype(np.uint8)
    ptr = scores.ctypes.data_as(ctypes.POINTER(ctypes.c_uint8))

    def c_call():
        acc = kpi._Nps()
        assert lib.cm_nps_add_many(ctypes.byref(acc), ptr, n) == 0

    def binding_call():
        cm.Nps().add_many(scores)

    c_time = best_of(c_call)
    b_time = best_of(binding_call)
    print(f"add_many {n:,} uint8 scores: C {n / c_time / 1e6:,.0f} M/s, binding "
          f"{n / b_time / 1e6:,.0f} M/s, ratio binding/C {b_time / c_time:.3f}")

    as_int64 = scores.astype(np.int64)
    conv_time = best_of(lambda: cm.Nps().add_many(as_int64), repeat=3)
    print(f"add_many {n:,} int64 scores (range-checked, converted once): "
          f"{n / conv_time / 1e6:,.0f} M/s, ratio to C on uint8 {conv_time / c_time:.2f}")

    secs = rng.integers(0, 86400, size=n).astype(np.int64)
    sptr = secs.ctypes.data_as(ctypes.POINTER(ctypes.c_int64))

    def c_art():
        acc = kpi._Art()
        assert lib.cm_art_add_many(ctypes.byref(acc), sptr, n) == 0

    ca = best_of(c_art)
    ba = best_of(lambda: cm.Art().add_many(secs))
    print(f"Art.add_many {n:,} int64 seconds: C {n / ca / 1e6:,.0f} M/s, binding "
          f"{n / ba / 1e6:,.0f} M/s, ratio binding/C {ba / ca:.3f}")


    pandas_series(n)
    sla_attainment(int(sys.argv[2]) if len(sys.argv) > 2 else 200_000)


def pandas_series(n):
    try:
        import pandas as pd
    except ImportError:
        print("pandas: not installed, skipped")
        return
    rng = np.random.default_rng(2)
    scores = rng.integers(1, 6, size=n)  # int64, as read_csv gives them
    series = pd.Series(scores)
    nullable = pd.Series(scores, dtype="Int64")
    nullable[::10] = pd.NA
    t_arr = best_of(lambda: cm.Csat().add_many(scores), repeat=3)
    t_ser = best_of(lambda: cm.Csat().add_many(series), repeat=3)
    t_null = best_of(lambda: cm.Csat().add_many(nullable), repeat=3)
    print(f"Csat.add_many {n:,} int64 scores: ndarray {t_arr:.3f} s, Series {t_ser:.3f} s "
          f"(ratio {t_ser / t_arr:.2f}), Int64 Series with 10 % NA {t_null:.3f} s (ratio {t_null / t_arr:.2f})")


def sla_tickets(n):
    """n tickets: created in 2025 H1 at random priorities, first reply after a lognormal
    delay (some never), solved later (some not yet). One row per event."""
    import pandas as pd

    rng = np.random.default_rng(3)
    t0 = 1735689600  # 2025-01-01
    created = t0 + rng.integers(0, 180 * 86400, size=n)
    reply = created + np.ceil(rng.lognormal(8, 1.5, size=n)).astype(np.int64)
    solved = reply + np.ceil(rng.lognormal(10, 1.5, size=n)).astype(np.int64)
    replied = rng.random(n) < 0.95
    closed = replied & (rng.random(n) < 0.8)
    ids = np.arange(n)
    ticket = np.concatenate([ids, ids[replied], ids[closed]])
    at = np.concatenate([created, reply[replied], solved[closed]])
    kind = np.concatenate([np.full(n, 1), np.full(replied.sum(), 3), np.full(closed.sum(), 5)])
    value = np.concatenate([rng.integers(1, 5, size=n), np.zeros(replied.sum(), dtype=np.int64), np.full(closed.sum(), 4)])
    table = pd.DataFrame({"ticket": ticket, "at": at, "type": kind, "value": value})
    now = int(max(at.max(), t0 + 200 * 86400))
    return table, now


def sla_attainment(n):
    try:
        table, now = sla_tickets(n)
    except ImportError:
        print("SLA attainment: pandas not installed, skipped")
        return
    policy = sla.Policy((DATA / "sla-policy.txt").read_text())
    cal = cm.Calendar((DATA / "office-hours.cal").read_text())
    logs = [
        [sla.Event(int(a), int(k), int(v)) for a, k, v in zip(g["at"], g["type"], g["value"])]
        for _, g in table.sort_values(["ticket", "at"], kind="stable").groupby("ticket", sort=True)
    ]

    def one_by_one():
        acc = sla.Attainment()
        for log in logs:
            acc.add(policy, log, now, [cal])
        return acc

    def column():
        return sla.Attainment().add_many(policy, table, now, [cal])

    t0 = time.perf_counter()
    slow = one_by_one()
    t_one = time.perf_counter() - t0
    t_col = best_of(column, repeat=3)
    assert column() == slow, "the table and the ticket-by-ticket path disagree"
    print(f"SLA attainment {n:,} tickets ({len(table):,} events): ticket by ticket "
          f"{n / t_one:,.0f} tickets/s ({t_one:.2f} s), one table {n / t_col:,.0f} tickets/s "
          f"({t_col:.2f} s), speed-up {t_one / t_col:.1f}x")


if __name__ == "__main__":
    main()
