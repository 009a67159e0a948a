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
from .errors import check

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


def _scalar(fn: Any, *args: Any) -> float:
    out = ctypes.c_double()
    check(fn(*args, ctypes.byref(out)))
    return out.value


def erlang_b(traffic: float, agents: int) -> float:
    """Blocking probability of an M/M/N/N system."""
    return _scalar(lib.cm_erlang_b, cv.f64(traffic, "traffic"), cv.u32(agents, "agents"))


def erlang_c(traffic: float, agents: int) -> float:
    """Probability that an arrival waits (UnstableQueueError when agents <= traffic)."""
    return _scalar(lib.cm_erlang_c, cv.f64(traffic, "traffic"), cv.u32(agents, "agents"))


def service_level(traffic: float, agents: int, aht_seconds: float, target_seconds: float) -> float:
    """Erlang C share answered within target: 1 − Pw·exp(−(N − A)·t / AHT)."""
    return _scalar(
        lib.cm_erlang_service_level,
        cv.f64(traffic, "traffic"),
        cv.u32(agents, "agents"),
        cv.f64(aht_seconds, "aht_seconds"),
        cv.f64(target_seconds, "target_seconds"),
    )


def asa(traffic: float, agents: int, aht_seconds: float) -> float:
    """Erlang C average speed of answer in seconds: Pw·AHT / (N − A)."""
    return _scalar(lib.cm_erlang_asa, cv.f64(traffic, "traffic"), cv.u32(agents, "agents"), cv.f64(aht_seconds, "aht_seconds"))


def occupancy(traffic: float, agents: int) -> float:
    """Agent occupancy A / N."""
    return _scalar(lib.cm_erlang_occupancy, cv.f64(traffic, "traffic"), cv.u32(agents, "agents"))


def _agents(fn: Any, *args: Any) -> int:
    out = ctypes.c_uint32()
    check(fn(*args, ctypes.byref(out)))
    return int(out.value)


def agents(
    traffic: float, aht_seconds: float, target_sl: float, target_seconds: float, max_occupancy: float = 1.0
) -> int:
    """Fewest agents meeting an Erlang C service level (e.g. 0.8 within 20 s) and an occupancy cap."""
    return _agents(
        lib.cm_erlang_agents,
        cv.f64(traffic, "traffic"),
        cv.f64(aht_seconds, "aht_seconds"),
        cv.f64(target_sl, "target_sl"),
        cv.f64(target_seconds, "target_seconds"),
        cv.f64(max_occupancy, "max_occupancy"),
    )


def agents_for_asa(traffic: float, aht_seconds: float, target_asa_seconds: float, max_occupancy: float = 1.0) -> int:
    """Fewest agents keeping the Erlang C ASA at or below a target."""
    return _agents(
        lib.cm_erlang_agents_asa,
        cv.f64(traffic, "traffic"),
        cv.f64(aht_seconds, "aht_seconds"),
        cv.f64(target_asa_seconds, "target_asa_seconds"),
        cv.f64(max_occupancy, "max_occupancy"),
    )


def erlang_a(
    traffic: float, agents: int, aht_seconds: float, patience_seconds: float, target_seconds: float
) -> ErlangAResult:
    """Erlang A (exponential patience with the given mean): wait, abandon, SL, ASA, occupancy."""
    out = _ErlangA()
    check(
        lib.cm_erlang_a(
            cv.f64(traffic, "traffic"),
            cv.u32(agents, "agents"),
            cv.f64(aht_seconds, "aht_seconds"),
            cv.f64(patience_seconds, "patience_seconds"),
            cv.f64(target_seconds, "target_seconds"),
            ctypes.byref(out),
        )
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
        cv.f64(traffic, "traffic"),
        cv.f64(aht_seconds, "aht_seconds"),
        cv.f64(patience_seconds, "patience_seconds"),
        cv.f64(target_sl, "target_sl"),
        cv.f64(target_seconds, "target_seconds"),
        cv.f64(max_abandon, "max_abandon"),
        cv.f64(max_occupancy, "max_occupancy"),
    )


def _pair(a: Any, b: Any, an: str, bn: str) -> tuple:
    x = cv.in_array(a, "f64", an)
    y = cv.in_array(b, "f64", bn)
    if x.n != y.n:
        raise cv.invalid(f"{an} has {x.n} entries but {bn} has {y.n}")
    return x, y


def workload_hours(contacts: Any, aht_seconds: Any) -> float:
    """Σ contacts × AHT over channels, in hours."""
    c, a = _pair(contacts, aht_seconds, "contacts", "aht_seconds")
    out = ctypes.c_double()
    check(lib.cm_workload_hours(c.ptr, a.ptr, c.n, ctypes.byref(out)))
    return out.value


def workforce_plan(
    workload_hours: float, occupancy: float, shrinkage: float, shift_hours: float = 8.0, days: float = 1.0
) -> Workforce:
    """Scheduled hours = workload / occupancy / (1 − shrinkage); shifts; FTE over `days`."""
    out = _Workforce()
    check(
        lib.cm_workforce_plan(
            cv.f64(workload_hours, "workload_hours"),
            cv.f64(occupancy, "occupancy"),
            cv.f64(shrinkage, "shrinkage"),
            cv.f64(shift_hours, "shift_hours"),
            cv.f64(days, "days"),
            ctypes.byref(out),
        )
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
    check(
        lib.cm_staffing_plan(
            v.ptr,
            a.ptr,
            v.n,
            cv.f64(interval_seconds, "interval_seconds"),
            cv.f64(target_sl, "target_sl"),
            cv.f64(target_seconds, "target_seconds"),
            cv.f64(max_occupancy, "max_occupancy"),
            out,
        )
    )
    return [IntervalStaffing(o.traffic, int(o.agents), o.service_level, o.asa_seconds, o.occupancy) for o in out[: v.n]]
