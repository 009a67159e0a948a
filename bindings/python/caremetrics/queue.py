"""Erlang B / C / A, staffing searches and workforce planning (caremetrics/queue.h).

Traffic is in Erlangs (arrival rate × AHT); times are in seconds;
probabilities and service levels are fractions in [0, 1].
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any, List

from . import _convert as cv
from ._lib import c_status, check_layouts, declare, lib
from .errors import STATUS, check, error_for

_f64 = ctypes.c_double
_f64p = ctypes.POINTER(ctypes.c_double)
_u32 = ctypes.c_uint32
_u32p = ctypes.POINTER(ctypes.c_uint32)


class _ErlangA(ctypes.Structure):
    _fields_ = [
        (f, _f64)
        for f in (
            "p_wait",
            "p_abandon",
            "service_level",
            "p_abandoned_within",
            "asa_seconds",
            "mean_wait_seconds",
            "occupancy",
        )
    ]


class _Workforce(ctypes.Structure):
    _fields_ = [(f, _f64) for f in ("workload_hours", "scheduled_hours", "shifts", "fte")]


class _IntervalStaffing(ctypes.Structure):
    _fields_ = [
        ("traffic", _f64),
        ("agents", _u32),
        ("service_level", _f64),
        ("asa_seconds", _f64),
        ("occupancy", _f64),
    ]


declare(
    [
        ("cm_queue_sizeof", ctypes.c_size_t, [ctypes.c_char_p]),
        ("cm_queue_constant", c_status, [ctypes.c_char_p, _f64p]),
        ("cm_erlang_b", c_status, [_f64, _u32, _f64p]),
        ("cm_erlang_c", c_status, [_f64, _u32, _f64p]),
        ("cm_erlang_service_level", c_status, [_f64, _u32, _f64, _f64, _f64p]),
        ("cm_erlang_asa", c_status, [_f64, _u32, _f64, _f64p]),
        ("cm_erlang_occupancy", c_status, [_f64, _u32, _f64p]),
        ("cm_erlang_agents", c_status, [_f64, _f64, _f64, _f64, _f64, _u32p]),
        ("cm_erlang_agents_asa", c_status, [_f64, _f64, _f64, _f64, _u32p]),
        ("cm_erlang_a", c_status, [_f64, _u32, _f64, _f64, _f64, ctypes.POINTER(_ErlangA)]),
        ("cm_erlang_a_agents", c_status, [_f64, _f64, _f64, _f64, _f64, _f64, _f64, _u32p]),
        ("cm_workload_hours", c_status, [_f64p, _f64p, ctypes.c_size_t, _f64p]),
        ("cm_workforce_plan", c_status, [_f64, _f64, _f64, _f64, _f64, ctypes.POINTER(_Workforce)]),
        (
            "cm_staffing_plan",
            c_status,
            [_f64p, _f64p, ctypes.c_size_t, _f64, _f64, _f64, _f64, ctypes.POINTER(_IntervalStaffing)],
        ),
    ]
)
check_layouts(
    lib.cm_queue_sizeof,
    [("cm_erlang_a_result", _ErlangA), ("cm_workforce", _Workforce), ("cm_interval_staffing", _IntervalStaffing)],
)


@dataclass(frozen=True)
class ErlangAResult:
    """Erlang A (M/M/N+M) measures: probabilities as fractions, times in seconds."""

    p_wait: float
    p_abandon: float
    service_level: float
    p_abandoned_within: float
    asa_seconds: float
    mean_wait_seconds: float
    occupancy: float


@dataclass(frozen=True)
class Workforce:
    """Scheduled hours, shifts and FTE for a workload."""

    workload_hours: float
    scheduled_hours: float
    shifts: float
    fte: float


@dataclass(frozen=True)
class IntervalStaffing:
    """Erlang C staffing of one interval of a plan."""

    traffic: float
    agents: int
    service_level: float
    asa_seconds: float
    occupancy: float


def _constant(name: str) -> float:
    out = ctypes.c_double()
    check(lib.cm_queue_constant(name.encode(), ctypes.byref(out)), name)
    return out.value


#: Largest offered traffic the Erlang functions accept, in Erlangs.
MAX_TRAFFIC: float = _constant("CM_ERLANG_MAX_TRAFFIC")
#: Largest average handle time they accept, in seconds.
MAX_AHT_SECONDS: float = _constant("CM_ERLANG_MAX_AHT_SECONDS")

# The documented domain of each argument (queue.h), to name the one the library refused.
_DOMAINS = {
    "traffic": cv.Range(0, MAX_TRAFFIC),
    "agents": cv.Range(1, None),
    "aht_seconds": cv.Range(0, MAX_AHT_SECONDS, lo_open=True),
    "target_seconds": cv.NON_NEGATIVE,
    "target_sl": cv.FRACTION_OPEN,
    "target_asa_seconds": cv.POSITIVE,
    "max_occupancy": cv.FRACTION_CAP,
    "max_abandon": cv.FRACTION_CAP,
    "patience_seconds": cv.POSITIVE,
    "workload_hours": cv.NON_NEGATIVE,
    "occupancy": cv.FRACTION_CAP,
    "shrinkage": cv.Range(0, 1, hi_open=True),
    "shift_hours": cv.POSITIVE,
    "days": cv.POSITIVE,
    "interval_seconds": cv.POSITIVE,
}


def _args(**named: Any) -> List[Any]:
    """Each argument converted (agents as uint32, the rest as doubles) with its domain."""
    out = []
    for name, value in named.items():
        v = cv.u32(value, name) if name == "agents" else cv.f64(value, name)
        out.append((name, v, _DOMAINS.get(name, cv.FINITE)))
    return out


def _call(fn: Any, args: List[Any], out: Any) -> None:
    status = fn(*(v for _, v, _ in args), ctypes.byref(out))
    if status == STATUS["CM_EUNSTABLE"]:
        named = dict((n, v) for n, v, _ in args)
        raise error_for(status, f"agents = {named.get('agents')} must exceed traffic = {named.get('traffic')!r}")
    cv.checked(status, *args)


def _scalar(fn: Any, **named: Any) -> float:
    out = ctypes.c_double()
    _call(fn, _args(**named), out)
    return out.value


def erlang_b(traffic: float, agents: int) -> float:
    """Blocking probability of an M/M/N/N system."""
    return _scalar(lib.cm_erlang_b, traffic=traffic, agents=agents)


def erlang_c(traffic: float, agents: int) -> float:
    """Probability that an arrival waits (UnstableQueueError when agents <= traffic)."""
    return _scalar(lib.cm_erlang_c, traffic=traffic, agents=agents)


def service_level(traffic: float, agents: int, aht_seconds: float, target_seconds: float) -> float:
    """Erlang C share answered within target: 1 − Pw·exp(−(N − A)·t / AHT)."""
    return _scalar(lib.cm_erlang_service_level, traffic=traffic, agents=agents, aht_seconds=aht_seconds, target_seconds=target_seconds)


def asa(traffic: float, agents: int, aht_seconds: float) -> float:
    """Erlang C average speed of answer in seconds: Pw·AHT / (N − A)."""
    return _scalar(lib.cm_erlang_asa, traffic=traffic, agents=agents, aht_seconds=aht_seconds)


def occupancy(traffic: float, agents: int) -> float:
    """Agent occupancy A / N."""
    return _scalar(lib.cm_erlang_occupancy, traffic=traffic, agents=agents)


def _agents(fn: Any, **named: Any) -> int:
    out = ctypes.c_uint32()
    _call(fn, _args(**named), out)
    return int(out.value)


def agents(
    traffic: float, aht_seconds: float, target_sl: float, target_seconds: float, max_occupancy: float = 1.0
) -> int:
    """Fewest agents meeting an Erlang C service level (e.g. 0.8 within 20 s) and an occupancy cap."""
    return _agents(
        lib.cm_erlang_agents,
        traffic=traffic,
        aht_seconds=aht_seconds,
        target_sl=target_sl,
        target_seconds=target_seconds,
        max_occupancy=max_occupancy,
    )


def agents_for_asa(traffic: float, aht_seconds: float, target_asa_seconds: float, max_occupancy: float = 1.0) -> int:
    """Fewest agents keeping the Erlang C ASA at or below a target."""
    return _agents(
        lib.cm_erlang_agents_asa,
        traffic=traffic,
        aht_seconds=aht_seconds,
        target_asa_seconds=target_asa_seconds,
        max_occupancy=max_occupancy,
    )


def erlang_a(
    traffic: float, agents: int, aht_seconds: float, patience_seconds: float, target_seconds: float
) -> ErlangAResult:
    """Erlang A (exponential patience with the given mean): wait, abandon, SL, ASA, occupancy."""
    out = _ErlangA()
    _call(
        lib.cm_erlang_a,
        _args(traffic=traffic, agents=agents, aht_seconds=aht_seconds, patience_seconds=patience_seconds, target_seconds=target_seconds),
        out,
    )
    return ErlangAResult(*(getattr(out, f) for f, _ in _ErlangA._fields_))


def erlang_a_agents(
    traffic: float,
    aht_seconds: float,
    patience_seconds: float,
    target_sl: float,
    target_seconds: float,
    max_abandon: float = 1.0,
    max_occupancy: float = 1.0,
) -> int:
    """Fewest agents meeting an Erlang A service level, abandonment cap and occupancy cap."""
    return _agents(
        lib.cm_erlang_a_agents,
        traffic=traffic,
        aht_seconds=aht_seconds,
        patience_seconds=patience_seconds,
        target_sl=target_sl,
        target_seconds=target_seconds,
        max_abandon=max_abandon,
        max_occupancy=max_occupancy,
    )


def _pair(a: Any, b: Any, an: str, bn: str) -> tuple:
    x = cv.in_array(a, "f64", an)
    y = cv.in_array(b, "f64", bn, role="duration" if bn == "aht_seconds" else None)
    cv.same_length((x, an), (y, bn))
    return x, y


def workload_hours(contacts: Any, aht_seconds: Any) -> float:
    """Σ contacts × AHT over channels, in hours."""
    c, a = _pair(contacts, aht_seconds, "contacts", "aht_seconds")
    out = ctypes.c_double()
    check(lib.cm_workload_hours(c.ptr, a.ptr, c.n, ctypes.byref(out)), "contacts must be >= 0 and aht_seconds > 0, all finite")
    return out.value


def workforce_plan(
    workload_hours: float, occupancy: float, shrinkage: float, shift_hours: float = 8.0, days: float = 1.0
) -> Workforce:
    """Scheduled hours = workload / occupancy / (1 − shrinkage); shifts; FTE over `days`."""
    out = _Workforce()
    _call(
        lib.cm_workforce_plan,
        _args(workload_hours=workload_hours, occupancy=occupancy, shrinkage=shrinkage, shift_hours=shift_hours, days=days),
        out,
    )
    return Workforce(out.workload_hours, out.scheduled_hours, out.shifts, out.fte)


def staffing_plan(
    volumes: Any,
    aht_seconds: Any,
    interval_seconds: float,
    target_sl: float,
    target_seconds: float,
    max_occupancy: float = 1.0,
) -> List[IntervalStaffing]:
    """Erlang C agents, SL, ASA and occupancy for each interval of a forecast."""
    v, a = _pair(volumes, aht_seconds, "volumes", "aht_seconds")
    out = (_IntervalStaffing * max(1, v.n))()
    args = _args(interval_seconds=interval_seconds, target_sl=target_sl, target_seconds=target_seconds, max_occupancy=max_occupancy)
    status = lib.cm_staffing_plan(v.ptr, a.ptr, v.n, *(x for _, x, _ in args), out)
    cv.checked(status, *args)
    return [IntervalStaffing(o.traffic, int(o.agents), o.service_level, o.asa_seconds, o.occupancy) for o in out[: v.n]]
