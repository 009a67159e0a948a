"""Control limits and run rules for metric series (caremetrics/spc.h)."""

from __future__ import annotations

import ctypes
import enum
from dataclasses import dataclass
from typing import Any, List, Optional

from . import _convert as cv
from ._lib import c_status, check_layouts, declare, lib
from .errors import STATUS, check

_f64p = ctypes.POINTER(ctypes.c_double)
_u64p = ctypes.POINTER(ctypes.c_uint64)


class Rule(enum.IntFlag):
    """Run rules; combine with ``|``. The first four are the Western Electric rules."""

    BEYOND_3SIGMA = 0x01
    TWO_OF_THREE = 0x02
    FOUR_OF_FIVE = 0x04
    SAME_SIDE = 0x08
    ABOVE_CENTER = 0x10
    BELOW_CENTER = 0x20
    ABOVE_THRESHOLD = 0x40
    BELOW_THRESHOLD = 0x80
    WESTERN_ELECTRIC = 0x0F
    ALL = 0xFF


class _Limits(ctypes.Structure):
    _fields_ = [(f, ctypes.c_double) for f in ("center", "sigma", "lcl", "ucl", "mr_bar", "mr_ucl")]


class _Rules(ctypes.Structure):
    _fields_ = [
        ("enabled", ctypes.c_uint32),
        ("side_run", ctypes.c_uint32),
        ("level_run", ctypes.c_uint32),
        ("reserved", ctypes.c_uint32),
        ("threshold", ctypes.c_double),
    ]


class _Signal(ctypes.Structure):
    _fields_ = [("index", ctypes.c_size_t), ("rule", ctypes.c_int), ("side", ctypes.c_int32)]


declare(
    [
        ("cm_spc_sizeof", ctypes.c_size_t, [ctypes.c_char_p]),
        ("cm_spc_individuals", c_status, [_f64p, ctypes.c_size_t, ctypes.POINTER(_Limits)]),
        ("cm_spc_p_chart", c_status, [_u64p, _u64p, ctypes.c_size_t, _f64p, _f64p, _f64p]),
        (
            "cm_spc_evaluate",
            c_status,
            [
                _f64p,
                ctypes.c_size_t,
                ctypes.POINTER(_Limits),
                ctypes.POINTER(_Rules),
                ctypes.POINTER(_Signal),
                ctypes.c_size_t,
                ctypes.POINTER(ctypes.c_size_t),
            ],
        ),
        (
            "cm_spc_p_evaluate",
            c_status,
            [
                _u64p,
                _u64p,
                ctypes.c_size_t,
                ctypes.c_double,
                ctypes.POINTER(_Rules),
                ctypes.POINTER(_Signal),
                ctypes.c_size_t,
                ctypes.POINTER(ctypes.c_size_t),
            ],
        ),
    ]
)
check_layouts(lib.cm_spc_sizeof, [("cm_spc_limits", _Limits), ("cm_spc_rules", _Rules), ("cm_spc_signal", _Signal)])


@dataclass(frozen=True)
class Limits:
    """Individuals / moving-range chart: centre, sigma = MRbar/1.128, 3-sigma limits."""

    center: float
    sigma: float
    lcl: float
    ucl: float
    mr_bar: float
    mr_ucl: float


@dataclass(frozen=True)
class PChart:
    """p-chart centre line and each point's own limits."""

    center: float
    lcl: Any
    ucl: Any


@dataclass(frozen=True)
class Signal:
    """A rule that fired at a point: its index, the rule, and the side (+1 above, -1 below)."""

    index: int
    rule: Rule
    side: int


def individuals(series: Any) -> Limits:
    """Control limits of an individuals / moving-range chart over a series."""
    xs = cv.in_array(series, "f64", "series")
    out = _Limits()
    check(lib.cm_spc_individuals(xs.ptr, xs.n, ctypes.byref(out)))
    return Limits(out.center, out.sigma, out.lcl, out.ucl, out.mr_bar, out.mr_ucl)


def p_chart(num: Any, den: Any) -> PChart:
    """p-chart limits for num[i] successes of den[i] per interval."""
    a = cv.in_array(num, "u64", "num")
    b = cv.in_array(den, "u64", "den")
    n = _same_length(a, b)
    center = ctypes.c_double()
    lcl, lp = cv.out_array("f64", n)
    ucl, up = cv.out_array("f64", n)
    check(lib.cm_spc_p_chart(a.ptr, b.ptr, n, ctypes.byref(center), lp, up))
    return PChart(center.value, cv.wrap(lcl, (a, b)), cv.wrap(ucl, (a, b)))


def _same_length(a: cv.InArray, b: cv.InArray) -> int:
    if a.n != b.n:
        raise cv.invalid(f"num has {a.n} entries but den has {b.n}")
    return a.n


def _rules(rules: Rule, side_run: int, level_run: int, threshold: float) -> _Rules:
    r = _Rules()
    r.enabled = cv.u32(int(rules) if isinstance(rules, Rule) else rules, "rules")
    r.side_run = cv.u32(side_run, "side_run")
    r.level_run = cv.u32(level_run, "level_run")
    r.threshold = cv.f64(threshold, "threshold")
    return r


def _signals(call: Any) -> List[Signal]:
    count = ctypes.c_size_t()
    cap = 64
    while True:
        buf = (_Signal * cap)()
        status = call(buf, cap, ctypes.byref(count))
        if status == STATUS["CM_ENOSPC"]:
            cap = count.value
            continue
        check(status)
        return [Signal(int(s.index), Rule(s.rule), int(s.side)) for s in buf[: count.value]]


def evaluate(
    series: Any,
    limits: Optional[Limits] = None,
    rules: Rule = Rule.WESTERN_ELECTRIC,
    side_run: int = 0,
    level_run: int = 0,
    threshold: float = 0.0,
) -> List[Signal]:
    """Which rules fire at which points. Limits default to those of the series itself;
    a run length of 0 means the library's default (8 for same-side, 3 for level runs)."""
    xs = cv.in_array(series, "f64", "series")
    lim = _Limits()
    if limits is None:
        check(lib.cm_spc_individuals(xs.ptr, xs.n, ctypes.byref(lim)))
    else:
        for f in ("center", "sigma", "lcl", "ucl", "mr_bar", "mr_ucl"):
            setattr(lim, f, cv.f64(getattr(limits, f), f))
    r = _rules(rules, side_run, level_run, threshold)
    return _signals(lambda buf, cap, cnt: lib.cm_spc_evaluate(xs.ptr, xs.n, ctypes.byref(lim), ctypes.byref(r), buf, cap, cnt))


def p_evaluate(
    num: Any,
    den: Any,
    center: Optional[float] = None,
    rules: Rule = Rule.WESTERN_ELECTRIC,
    side_run: int = 0,
    level_run: int = 0,
    threshold: float = 0.0,
) -> List[Signal]:
    """Run rules on a proportion per interval; the centre defaults to the series' pbar."""
    a = cv.in_array(num, "u64", "num")
    b = cv.in_array(den, "u64", "den")
    n = _same_length(a, b)
    if center is None:
        center = p_chart(num, den).center
    r = _rules(rules, side_run, level_run, threshold)
    c = cv.f64(center, "center")
    return _signals(lambda buf, cap, cnt: lib.cm_spc_p_evaluate(a.ptr, b.ptr, n, c, ctypes.byref(r), buf, cap, cnt))
