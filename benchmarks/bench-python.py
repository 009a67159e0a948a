#!/usr/bin/python3
"""Cost of the Python binding over the C library, measured in one process.

Per-call overhead: a scalar call through the binding (argument checks,
result dataclass) against the bare ctypes call of the same C function.
Array throughput: add_many over 10M scores through the binding against the
same C function called directly on the same memory; with a matching dtype
the binding passes the numpy buffer without copying, so the two should be
within a few percent.

usage: bench-python.py [N]   (CAREMETRICS_LIBRARY and PYTHONPATH as for the tests)
"""

import ctypes
import sys
import time

import numpy as np

import caremetrics as cm
from caremetrics import kpi
from caremetrics._lib import lib


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


if __name__ == "__main__":
    main()
