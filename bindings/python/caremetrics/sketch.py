"""Response-time distributions: the mergeable sketch and exact quantiles (caremetrics/sketch.h)."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any, Dict, Optional, Sequence

from . import _convert as cv
from ._accumulator import NAN, Accumulator, accumulator_prototypes
from ._lib import c_status, check_layouts, declare, lib
from .errors import NoDataError, check

_f64p = ctypes.POINTER(ctypes.c_double)
_u64p = ctypes.POINTER(ctypes.c_uint64)
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


class _Sketch2(ctypes.Structure):
    _fields_ = [
        ("resolution", ctypes.c_uint32),
        ("flags", ctypes.c_uint32),
        ("sum_sq", ctypes.c_uint64 * 3),
        ("reserved", ctypes.c_uint64 * 4),
        ("core", _Sketch),
    ]


class _Sketch2Summary(ctypes.Structure):
    _fields_ = [
        ("n", ctypes.c_uint64),
        ("zeros", ctypes.c_uint64),
        ("min_seconds", ctypes.c_double),
        ("max_seconds", ctypes.c_double),
        ("mean_seconds", ctypes.c_double),
        ("total_seconds", ctypes.c_double),
        ("stddev_seconds", ctypes.c_double),
        ("stddev_pop_seconds", ctypes.c_double),
        ("reserved", ctypes.c_double * 4),
    ]


class _Share(ctypes.Structure):
    _fields_ = [
        ("n", ctypes.c_uint64),
        ("count", ctypes.c_uint64),
        ("count_min", ctypes.c_uint64),
        ("count_max", ctypes.c_uint64),
        ("share", ctypes.c_double),
        ("lo", ctypes.c_double),
        ("hi", ctypes.c_double),
    ]


#: numpy's names of the quantile definitions and their Hyndman-Fan type numbers.
METHODS = {"inverted_cdf": 1, "weibull": 6, "linear": 7, "median_unbiased": 8}

declare(
    [
        ("cm_sketch_sizeof", ctypes.c_size_t, [ctypes.c_char_p]),
        ("cm_sketch_add_n", c_status, [ctypes.POINTER(_Sketch), ctypes.c_double, ctypes.c_uint64]),
        ("cm_sketch_add_weighted", c_status, [ctypes.POINTER(_Sketch), _f64p, _u64p, ctypes.c_size_t]),
        ("cm_sketch_rank", c_status, [ctypes.POINTER(_Sketch), ctypes.c_double, ctypes.c_double, ctypes.POINTER(_Share)]),
        ("cm_sketch2_init", c_status, [ctypes.POINTER(_Sketch2), ctypes.c_int]),
        ("cm_sketch2_add_n", c_status, [ctypes.POINTER(_Sketch2), ctypes.c_double, ctypes.c_uint64]),
        ("cm_sketch2_add_weighted", c_status, [ctypes.POINTER(_Sketch2), _f64p, _u64p, ctypes.c_size_t]),
        ("cm_sketch2_rank", c_status, [ctypes.POINTER(_Sketch2), ctypes.c_double, ctypes.c_double, ctypes.POINTER(_Share)]),
        ("cm_sketch2_quantile", c_status, [ctypes.POINTER(_Sketch2), ctypes.c_double, _f64p]),
        ("cm_sketch2_quantiles", c_status, [ctypes.POINTER(_Sketch2), _f64p, ctypes.c_size_t, _f64p]),
        (
            "cm_quantiles_exact_method",
            c_status,
            [_f64p, ctypes.c_size_t, _f64p, ctypes.c_size_t, ctypes.c_int, _f64p, ctypes.c_size_t, _f64p],
        ),
        ("cm_rank_exact", c_status, [_f64p, ctypes.c_size_t, ctypes.c_double, ctypes.c_double, ctypes.POINTER(_Share)]),
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
    + accumulator_prototypes("sketch2", _Sketch2, _Sketch2Summary, ctypes.c_double, ctypes.c_double, confidence=False)
)
check_layouts(
    lib.cm_sketch_sizeof,
    [
        ("cm_sketch", _Sketch),
        ("cm_sketch_summary", _SketchSummary),
        ("cm_sketch2", _Sketch2),
        ("cm_sketch2_summary", _Sketch2Summary),
        ("cm_share", _Share),
    ],
)


@dataclass(frozen=True)
class Share:
    """The share of values at or below a threshold: ``count`` of ``n`` (estimated from a
    sketch, exact from an array), the certain bounds ``count_min`` .. ``count_max``, and
    the Wilson interval ``lo`` .. ``hi`` (taken at the bounds)."""

    n: int
    count: int
    count_min: int
    count_max: int
    share: float
    lo: float
    hi: float


def _share(out: _Share) -> Share:
    return Share(int(out.n), int(out.count), int(out.count_min), int(out.count_max), out.share, out.lo, out.hi)


class _Counted:
    """add_n, add_weighted and share, common to Sketch and Sketch2."""

    __slots__ = ()
    _c: Any
    _prefix: str

    def add_n(self, seconds: float, count: int) -> Any:
        """Records one duration ``count`` times (count >= 1): the same sketch as that many add() calls."""
        v = cv.f64(seconds, "seconds")
        n = cv.u64(count, "count")
        status = getattr(lib, f"cm_{self._prefix}_add_n")(ctypes.byref(self._c), v, n)
        cv.checked(status, ("seconds", v, cv.NON_NEGATIVE), ("count", n, cv.Range(1)))
        return self

    def add_weighted(self, seconds: Any, counts: Any) -> Any:
        """Records each ``seconds[i]`` ``counts[i]`` times; all or nothing."""
        xs = cv.in_array(seconds, "f64", "seconds", role="duration")
        ns = cv.in_array(counts, "u64", "counts")
        n = cv.same_length((xs, "seconds"), (ns, "counts"))
        check(getattr(lib, f"cm_{self._prefix}_add_weighted")(ctypes.byref(self._c), xs.ptr, ns.ptr, n))
        return self

    def share(self, seconds: float, confidence: float = 0.95) -> Share:
        """Share of the durations at or below ``seconds`` ("replied within 1 hour"), with its
        bounds and Wilson interval; for 1 s (one unit) and more, the exact share at a
        threshold within 1 % of the one asked."""
        v = cv.f64(seconds, "seconds")
        c = cv.f64(confidence, "confidence")
        out = _Share()
        status = getattr(lib, f"cm_{self._prefix}_rank")(ctypes.byref(self._c), v, c, ctypes.byref(out))
        cv.checked(status, ("seconds", v, cv.NON_NEGATIVE), ("confidence", c, cv.FRACTION_OPEN))
        return _share(out)

@dataclass(frozen=True)
class SketchResult:
    """Count, exact minimum and maximum, and the mean of a sketch's durations (seconds)."""

    n: int
    zeros: int
    min_seconds: float
    max_seconds: float
    mean_seconds: float
    total_seconds: float


class Sketch(_Counted, Accumulator):
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


def quantiles_exact_method(values: Any, qs: Sequence[float], method: str = "linear") -> Any:
    """Exact quantiles under numpy's ``method=`` of the same name, bit for bit:
    ``"inverted_cdf"`` (SQL percentile_disc, type 1), ``"weibull"`` (Excel PERCENTILE.EXC,
    type 6), ``"linear"`` (numpy's default, type 7) or ``"median_unbiased"`` (type 8)."""
    if method not in METHODS:
        raise cv.invalid(f"method = {method!r} is not one of {sorted(METHODS)}")
    xs = cv.in_array(values, "f64", "values", missing=cv.SKIP, role="duration")
    q = cv.in_array(qs, "f64", "qs")
    need = int(lib.cm_quantile_exact_scratch_size(xs.n))
    scratch = (ctypes.c_double * max(1, need))()
    out, ptr = cv.out_array("f64", q.n)
    check(lib.cm_quantiles_exact_method(xs.ptr, xs.n, q.ptr, q.n, METHODS[method], scratch, need, ptr))
    return out


def share_exact(values: Any, threshold: float, confidence: float = 0.95) -> Share:
    """Exact share of values at or below ``threshold`` with its Wilson interval; missing
    entries are skipped."""
    xs = cv.in_array(values, "f64", "values", missing=cv.SKIP, role="duration")
    t = cv.f64(threshold, "threshold")
    c = cv.f64(confidence, "confidence")
    out = _Share()
    status = lib.cm_rank_exact(xs.ptr, xs.n, t, c, ctypes.byref(out))
    cv.checked(status, ("threshold", t, cv.FINITE), ("confidence", c, cv.FRACTION_OPEN))
    return _share(out)


@dataclass(frozen=True)
class Sketch2Result:
    """Count, exact extremes, mean, total and standard deviations (sample and population)."""

    n: int
    zeros: int
    min_seconds: float
    max_seconds: float
    mean_seconds: float
    total_seconds: float
    stddev_seconds: float
    stddev_pop_seconds: float


class Sketch2(_Counted, Accumulator):
    """A sketch with a chosen resolution and the standard deviation.

    ``Sketch2()`` has the 1-second layout of Sketch; ``Sketch2(subsecond=True)`` buckets
    from 2^-10 s (0.977 ms) to about 7.24 days, for chat and bot replies. Sketches of
    different resolutions do not merge."""

    _prefix = "sketch2"
    _struct = _Sketch2
    _elem = "f64"
    _scalar = "f64"
    _role = "duration"
    __slots__ = ()

    def __init__(self, subsecond: bool = False) -> None:
        self._c = _Sketch2()
        check(lib.cm_sketch2_init(ctypes.byref(self._c), 1 if subsecond else 0))

    @property
    def subsecond(self) -> bool:
        """True for the sub-second resolution."""
        return bool(self._c.resolution == 1)

    def quantile(self, q: float) -> float:
        """The q-quantile in seconds, numpy's default definition, within 0.99 % of the
        exact value for values of one unit (1 s, or 2^-10 s) and more."""
        out = ctypes.c_double()
        q = cv.f64(q, "q")
        cv.checked(lib.cm_sketch2_quantile(ctypes.byref(self._c), q, ctypes.byref(out)), ("q", q, cv.Range(0, 1)))
        return out.value

    def quantiles(self, qs: Any) -> Any:
        """Several quantiles at once."""
        arr = cv.in_array(qs, "f64", "qs")
        out, ptr = cv.out_array("f64", arr.n)
        check(lib.cm_sketch2_quantiles(ctypes.byref(self._c), arr.ptr, arr.n, ptr), "each q must be in [0, 1]")
        return cv.wrap(out, (arr,))

    def result(self) -> Sketch2Result:
        """Count, extremes, mean, total and standard deviations (NoDataError when empty)."""
        out = _Sketch2Summary()
        check(lib.cm_sketch2_result(ctypes.byref(self._c), ctypes.byref(out)))
        return Sketch2Result(
            int(out.n),
            int(out.zeros),
            out.min_seconds,
            out.max_seconds,
            out.mean_seconds,
            out.total_seconds,
            out.stddev_seconds,
            out.stddev_pop_seconds,
        )

    def _row(self, confidence: float, quantiles: Sequence[float] = Sketch.FRAME_QUANTILES) -> Dict[str, Any]:
        names = [_quantile_name(q) for q in quantiles]
        try:
            r = self.result()
        except NoDataError:
            return {"n": 0, **{k: NAN for k in names}, "mean": NAN, "std": NAN, "min": NAN, "max": NAN}
        qs = self.quantiles(list(quantiles))
        return {
            "n": r.n,
            **{k: float(v) for k, v in zip(names, qs)},
            "mean": r.mean_seconds,
            "std": r.stddev_seconds,
            "min": r.min_seconds,
            "max": r.max_seconds,
        }

    def __len__(self) -> int:
        """The number of durations recorded."""
        return int(self._c.core.n)

    def __repr__(self) -> str:
        return f"Sketch2(n={self._c.core.n}, subsecond={self.subsecond})"
