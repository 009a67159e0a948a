"""Response-time distributions: the mergeable sketch and exact quantiles (caremetrics/sketch.h)."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any, Dict, Sequence

from . import _convert as cv
from ._accumulator import NAN, Accumulator, accumulator_prototypes
from ._lib import c_status, check_layouts, declare, lib
from .errors import NoDataError, check

_f64p = ctypes.POINTER(ctypes.c_double)
_BUCKETS = 1024


class _Sketch(ctypes.Structure):
    _fields_ = [
        ("n", ctypes.c_uint64),
        ("zeros", ctypes.c_uint64),
        ("below_one", ctypes.c_uint64),
        ("min_seconds", ctypes.c_double),
        ("max_seconds", ctypes.c_double),
        ("sum_us", ctypes.c_uint64 * 2),
        ("counts", ctypes.c_uint64 * _BUCKETS),
    ]


class _SketchSummary(ctypes.Structure):
    _fields_ = [
        ("n", ctypes.c_uint64),
        ("zeros", ctypes.c_uint64),
        ("min_seconds", ctypes.c_double),
        ("max_seconds", ctypes.c_double),
        ("mean_seconds", ctypes.c_double),
        ("total_seconds", ctypes.c_double),
    ]


declare(
    [
        ("cm_sketch_sizeof", ctypes.c_size_t, [ctypes.c_char_p]),
        ("cm_sketch_init", c_status, [ctypes.POINTER(_Sketch)]),
        ("cm_sketch_quantile", c_status, [ctypes.POINTER(_Sketch), ctypes.c_double, _f64p]),
        ("cm_sketch_quantiles", c_status, [ctypes.POINTER(_Sketch), _f64p, ctypes.c_size_t, _f64p]),
        ("cm_sketch_bucket_bounds", c_status, [ctypes.c_uint32, _f64p, _f64p, _f64p]),
        ("cm_quantile_exact_scratch_size", ctypes.c_size_t, [ctypes.c_size_t]),
        (
            "cm_quantiles_exact",
            c_status,
            [_f64p, ctypes.c_size_t, _f64p, ctypes.c_size_t, _f64p, ctypes.c_size_t, _f64p],
        ),
    ]
    + accumulator_prototypes("sketch", _Sketch, _SketchSummary, ctypes.c_double, ctypes.c_double, confidence=False)
)
check_layouts(lib.cm_sketch_sizeof, [("cm_sketch", _Sketch), ("cm_sketch_summary", _SketchSummary)])

@dataclass(frozen=True)
class SketchResult:
    """Count, exact minimum and maximum, and the mean of a sketch's durations (seconds)."""

    n: int
    zeros: int
    min_seconds: float
    max_seconds: float
    mean_seconds: float
    total_seconds: float


class Sketch(Accumulator):
    """Mergeable histogram of durations in seconds (1 s to about 20 years, zero exact):
    quantiles within 0.99 % of the exact value, exact merge in any order.
    float64 arrays are read without copying; timedelta64 columns are read as
    seconds; missing entries (NaN, NaT, None) are skipped."""

    _prefix = "sketch"
    _struct = _Sketch
    _elem = "f64"
    _scalar = "f64"
    _role = "duration"
    __slots__ = ()
    #: The quantiles of to_series() / to_frame(): columns p50, p90, p99.
    FRAME_QUANTILES = (0.5, 0.9, 0.99)

    def __init__(self) -> None:
        self._c = _Sketch()

    def quantile(self, q: float) -> float:
        """The q-quantile in seconds (0.5 = median, 0.9 = p90), numpy's default definition."""
        out = ctypes.c_double()
        q = cv.f64(q, "q")
        cv.checked(lib.cm_sketch_quantile(ctypes.byref(self._c), q, ctypes.byref(out)), ("q", q, cv.Range(0, 1)))
        return out.value

    def quantiles(self, qs: Any) -> Any:
        """Several quantiles at once; returns a numpy array when numpy is present."""
        arr = cv.in_array(qs, "f64", "qs")
        out, ptr = cv.out_array("f64", arr.n)
        check(lib.cm_sketch_quantiles(ctypes.byref(self._c), arr.ptr, arr.n, ptr), "each q must be in [0, 1]")
        return cv.wrap(out, (arr,))

    def result(self) -> SketchResult:
        """Count, minimum, maximum and mean (NoDataError when empty)."""
        out = _SketchSummary()
        check(lib.cm_sketch_result(ctypes.byref(self._c), ctypes.byref(out)))
        return SketchResult(
            int(out.n), int(out.zeros), out.min_seconds, out.max_seconds, out.mean_seconds, out.total_seconds
        )

    def _row(self, confidence: float, quantiles: Sequence[float] = FRAME_QUANTILES) -> Dict[str, Any]:
        names = [_quantile_name(q) for q in quantiles]
        try:
            r = self.result()
        except NoDataError:
            return {"n": 0, **{k: NAN for k in names}, "mean": NAN, "min": NAN, "max": NAN}
        qs = self.quantiles(list(quantiles))
        return {"n": r.n, **{k: float(v) for k, v in zip(names, qs)}, "mean": r.mean_seconds, "min": r.min_seconds, "max": r.max_seconds}

    def __len__(self) -> int:
        """The number of durations recorded."""
        return int(self._c.n)

    def __repr__(self) -> str:
        return f"Sketch(n={self._c.n})"


def _quantile_name(q: float) -> str:
    """Column name of a quantile: p50, p90, p99, p99.9."""
    return "p" + f"{100 * q:.10g}"


def quantiles_exact(values: Any, qs: Sequence[float]) -> Any:
    """Exact quantiles of an array by selection (numpy's default, Hyndman-Fan type 7).
    The values are copied once into a scratch buffer; the input is never modified.
    Missing entries (NaN, NaT, None) are skipped, as pandas does; timedelta64
    columns are read as seconds."""
    xs = cv.in_array(values, "f64", "values", missing=cv.SKIP, role="duration")
    q = cv.in_array(qs, "f64", "qs")
    need = int(lib.cm_quantile_exact_scratch_size(xs.n))
    scratch = (ctypes.c_double * max(1, need))()
    out, ptr = cv.out_array("f64", q.n)
    check(lib.cm_quantiles_exact(xs.ptr, xs.n, q.ptr, q.n, scratch, need, ptr))
    return out


def quantile_exact(values: Any, q: float) -> float:
    """One exact quantile of an array (see quantiles_exact)."""
    return float(quantiles_exact(values, [q])[0])
