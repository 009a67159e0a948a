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
    TREND = 0x100
    ALTERNATING = 0x200
    STRATIFICATION = 0x400
    MIXTURE = 0x800
    EWMA = 0x1000
    CUSUM = 0x2000
    WESTERN_ELECTRIC = 0x0F
    NELSON = 0xF0F
    ALL = 0xFFF


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


class _XmrOptions(ctypes.Structure):
    _fields_ = [("sigma_method", ctypes.c_uint32), ("max_rounds", ctypes.c_uint32)]


class _EwmaParams(ctypes.Structure):
    _fields_ = [(f, ctypes.c_double) for f in ("center", "sigma", "lam", "width")]


class _CusumParams(ctypes.Structure):
    _fields_ = [(f, ctypes.c_double) for f in ("center", "sigma", "k", "h")]


_sigp = ctypes.POINTER(_Signal)
_szp = ctypes.POINTER(ctypes.c_size_t)


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
        (
            "cm_spc_individuals_ex",
            c_status,
            [
                _f64p,
                ctypes.c_size_t,
                ctypes.POINTER(_XmrOptions),
                ctypes.POINTER(ctypes.c_uint8),
                _f64p,
                ctypes.c_size_t,
                ctypes.POINTER(_Limits),
            ],
        ),
        (
            "cm_spc_ewma",
            c_status,
            [_f64p, ctypes.c_size_t, ctypes.POINTER(_EwmaParams), _f64p, _f64p, _f64p, _sigp, ctypes.c_size_t, _szp],
        ),
        (
            "cm_spc_cusum",
            c_status,
            [_f64p, ctypes.c_size_t, ctypes.POINTER(_CusumParams), _f64p, _f64p, _sigp, ctypes.c_size_t, _szp],
        ),
        ("cm_spc_laney_p_chart", c_status, [_u64p, _u64p, ctypes.c_size_t, _f64p, _f64p, _f64p, _f64p]),
        (
            "cm_spc_laney_p_evaluate",
            c_status,
            [_u64p, _u64p, ctypes.c_size_t, ctypes.c_double, ctypes.c_double, ctypes.POINTER(_Rules), _sigp, ctypes.c_size_t, _szp],
        ),
    ]
)
check_layouts(
    lib.cm_spc_sizeof,
    [
        ("cm_spc_limits", _Limits),
        ("cm_spc_rules", _Rules),
        ("cm_spc_signal", _Signal),
        ("cm_spc_xmr_options", _XmrOptions),
        ("cm_spc_ewma_params", _EwmaParams),
        ("cm_spc_cusum_params", _CusumParams),
    ],
)


@dataclass(frozen=True)
class Limits:
    """Individuals / moving-range chart: centre, sigma = MRbar/1.128, 3-sigma limits."""

    center: float
    sigma: float
    lcl: float
    ucl: float
    mr_bar: float
    mr_ucl: float
    #: With ``exclude`` or ``max_rounds``: per point 0 kept, 1 left out by the caller,
    #: 2 dropped by a revision; otherwise None.
    excluded: Any = None


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


_SIGMA = {"mean": 0, "median": 1}


def individuals(series: Any, sigma: str = "mean", exclude: Any = None, max_rounds: int = 0) -> Limits:
    """Control limits of an individuals / moving-range chart over a series.

    ``sigma="median"`` estimates sigma as the median moving range / 0.954 (robust to a few
    jumps). ``exclude`` (booleans, one per point) leaves points out of the centre and of
    every moving range; ``max_rounds > 0`` drops the points beyond the 3-sigma limits and
    recomputes, up to that many rounds. ``Limits.excluded`` then tells which points were
    left out (1) or dropped (2)."""
    xs = cv.in_array(series, "f64", "series")
    if sigma not in _SIGMA:
        raise cv.invalid(f"sigma = {sigma!r} is not one of {sorted(_SIGMA)}")
    opt = _XmrOptions(_SIGMA[sigma], cv.u32(max_rounds, "max_rounds"))
    mask = None
    if exclude is not None or max_rounds:
        mask = (ctypes.c_uint8 * max(xs.n, 1))()
        if exclude is not None:
            flags = list(exclude)
            if len(flags) != xs.n:
                raise cv.invalid(f"series has {xs.n} entries but exclude has {len(flags)}")
            for i, f in enumerate(flags):
                mask[i] = 1 if f else 0
    scratch = (ctypes.c_double * max(xs.n, 1))() if sigma == "median" else None
    out = _Limits()
    check(
        lib.cm_spc_individuals_ex(
            xs.ptr, xs.n, ctypes.byref(opt), mask, scratch, xs.n if scratch is not None else 0, ctypes.byref(out)
        )
    )
    excluded = None if mask is None else [int(v) for v in mask[: xs.n]]
    return Limits(out.center, out.sigma, out.lcl, out.ucl, out.mr_bar, out.mr_ucl, excluded)


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


def _signals(call: Any, args: Any = ()) -> List[Signal]:
    count = ctypes.c_size_t()
    cap = 64
    while True:
        buf = (_Signal * cap)()
        status = call(buf, cap, ctypes.byref(count))
        if status == STATUS["CM_ENOSPC"]:
            cap = count.value
            continue
        cv.checked(status, *args)
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


@dataclass(frozen=True)
class Chart:
    """A chart statistic per point, its limits or its second statistic, and the signals.

    EWMA: ``values`` = z, ``lower`` / ``upper`` = the limits. CUSUM: ``values`` = C+,
    ``lower`` = C-, ``upper`` = None (the decision interval is h sigma)."""

    values: Any
    lower: Any
    upper: Any
    signals: List[Signal]


def ewma(series: Any, center: float, sigma: float, lam: float = 0.2, width: float = 3.0) -> Chart:
    """EWMA chart: z_i = lam x_i + (1 - lam) z_{i-1} from z_0 = center, with the exact limits
    center +- width sigma sqrt(lam / (2 - lam) (1 - (1 - lam)^(2i))). ``lam`` in (0, 1]."""
    xs = cv.in_array(series, "f64", "series")
    p = _EwmaParams(cv.f64(center, "center"), cv.f64(sigma, "sigma"), cv.f64(lam, "lam"), cv.f64(width, "width"))
    z, zp = cv.out_array("f64", xs.n)
    lo, lop = cv.out_array("f64", xs.n)
    hi, hip = cv.out_array("f64", xs.n)
    args = (
        ("center", p.center, cv.FINITE),
        ("sigma", p.sigma, cv.NON_NEGATIVE),
        ("lam", p.lam, cv.FRACTION_CAP),
        ("width", p.width, cv.POSITIVE),
    )
    sig = _signals(lambda buf, cap, cnt: lib.cm_spc_ewma(xs.ptr, xs.n, ctypes.byref(p), zp, lop, hip, buf, cap, cnt), args)
    return Chart(cv.wrap(z, (xs,)), cv.wrap(lo, (xs,)), cv.wrap(hi, (xs,)), sig)


def cusum(series: Any, center: float, sigma: float, k: float = 0.5, h: float = 5.0) -> Chart:
    """Tabular CUSUM: C+_i = max(0, x_i - (center + k sigma) + C+_{i-1}) and the mirror C-;
    a signal wherever one exceeds h sigma. ``k`` and ``h`` in sigmas, >= 0."""
    xs = cv.in_array(series, "f64", "series")
    p = _CusumParams(cv.f64(center, "center"), cv.f64(sigma, "sigma"), cv.f64(k, "k"), cv.f64(h, "h"))
    up, upp = cv.out_array("f64", xs.n)
    dn, dnp = cv.out_array("f64", xs.n)
    args = (
        ("center", p.center, cv.FINITE),
        ("sigma", p.sigma, cv.NON_NEGATIVE),
        ("k", p.k, cv.NON_NEGATIVE),
        ("h", p.h, cv.NON_NEGATIVE),
    )
    sig = _signals(lambda buf, cap, cnt: lib.cm_spc_cusum(xs.ptr, xs.n, ctypes.byref(p), upp, dnp, buf, cap, cnt), args)
    return Chart(cv.wrap(up, (xs,)), cv.wrap(dn, (xs,)), None, sig)


@dataclass(frozen=True)
class LaneyPChart:
    """Laney p' chart: pbar, the between-interval factor sigma_z, each point's limits."""

    center: float
    sigma_z: float
    lcl: Any
    ucl: Any


def laney_p_chart(num: Any, den: Any) -> LaneyPChart:
    """Laney p' limits pbar +- 3 sigma_i sigma_z for proportions over large denominators."""
    a = cv.in_array(num, "u64", "num")
    b = cv.in_array(den, "u64", "den")
    n = _same_length(a, b)
    center, sz = ctypes.c_double(), ctypes.c_double()
    lcl, lp = cv.out_array("f64", n)
    ucl, up = cv.out_array("f64", n)
    check(lib.cm_spc_laney_p_chart(a.ptr, b.ptr, n, ctypes.byref(center), ctypes.byref(sz), lp, up))
    return LaneyPChart(center.value, sz.value, cv.wrap(lcl, (a, b)), cv.wrap(ucl, (a, b)))


def laney_p_evaluate(
    num: Any,
    den: Any,
    center: Optional[float] = None,
    sigma_z: Optional[float] = None,
    rules: Rule = Rule.WESTERN_ELECTRIC,
    side_run: int = 0,
    level_run: int = 0,
    threshold: float = 0.0,
) -> List[Signal]:
    """Run rules on a proportion per interval against Laney p' limits; the centre and
    sigma_z default to those of the series itself."""
    a = cv.in_array(num, "u64", "num")
    b = cv.in_array(den, "u64", "den")
    n = _same_length(a, b)
    if center is None or sigma_z is None:
        chart = laney_p_chart(num, den)
        center = chart.center if center is None else center
        sigma_z = chart.sigma_z if sigma_z is None else sigma_z
    r = _rules(rules, side_run, level_run, threshold)
    c = cv.f64(center, "center")
    z = cv.f64(sigma_z, "sigma_z")
    args = (("center", c, cv.Range(0, 1)), ("sigma_z", z, cv.NON_NEGATIVE), ("threshold", r.threshold, cv.FINITE))
    return _signals(lambda buf, cap, cnt: lib.cm_spc_laney_p_evaluate(a.ptr, b.ptr, n, c, z, ctypes.byref(r), buf, cap, cnt), args)
