"""SLA policies replayed over ticket event logs, and attainment (caremetrics/sla.h).

Instants are Unix seconds (UTC); targets, elapsed and remaining time are
seconds, business seconds when the target runs on a calendar. The rules of
every clock are in docs/sla.md.
"""

from __future__ import annotations

import ctypes
import enum
from dataclasses import dataclass
from typing import Any, Iterable, List, Optional, Sequence, Tuple

from . import _convert as cv
from ._accumulator import Accumulator
from ._handle import Handle, Holding, all_handles
from ._lib import c_status, check_layouts, declare, lib
from .calendar import Calendar, _ParseError
from .errors import STATUS, check, invalid, parse_error
from .kpi import Proportion, _ArtSummary, _Proportion
from .sketch import _Sketch

_vp = ctypes.c_void_p


class Metric(enum.IntEnum):
    FIRST_REPLY = 0
    NEXT_REPLY = 1
    PERIODIC_UPDATE = 2
    REQUESTER_WAIT = 3
    AGENT_WORK = 4
    TOTAL_RESOLUTION = 5


class Priority(enum.IntEnum):
    NONE = 0
    LOW = 1
    NORMAL = 2
    HIGH = 3
    URGENT = 4


class Status(enum.IntEnum):
    NEW = 0
    OPEN = 1
    PENDING = 2
    ON_HOLD = 3
    SOLVED = 4
    CLOSED = 5


class EventType(enum.IntEnum):
    CREATED = 1
    CUSTOMER_REPLY = 2
    AGENT_REPLY = 3
    AGENT_NOTE = 4
    STATUS = 5
    PRIORITY = 6
    REOPEN = 7


class State(enum.IntEnum):
    NOT_APPLICABLE = 0
    ACTIVE = 1
    PAUSED = 2
    ACHIEVED = 3
    BREACHED = 4


#: Event flag: sent by automation (a bot); no clock sees it.
AUTOMATED = 0x1
#: Event flag on CREATED: an agent opened the ticket with a public message.
BY_AGENT = 0x2
#: Used in the library for an instant that does not exist; None in Python.
_NO_TIME = -(2**63)
#: Every priority together, for Attainment.result().
ALL_PRIORITIES = 255


class _Event(ctypes.Structure):
    _fields_ = [("at", ctypes.c_int64), ("type", ctypes.c_uint16), ("flags", ctypes.c_uint16), ("value", ctypes.c_uint32)]


class _Target(ctypes.Structure):
    _fields_ = [
        ("metric", ctypes.c_uint32),
        ("priority", ctypes.c_uint32),
        ("seconds", ctypes.c_int64),
        ("calendar", ctypes.c_int32),
        ("reserved", ctypes.c_uint32),
    ]


class _Instance(ctypes.Structure):
    _fields_ = [
        ("metric", ctypes.c_uint32),
        ("cycle", ctypes.c_uint32),
        ("state", ctypes.c_uint32),
        ("priority", ctypes.c_uint32),
        ("breached", ctypes.c_bool),
        ("reserved", ctypes.c_uint8 * 3),
        ("calendar", ctypes.c_int32),
        ("start", ctypes.c_int64),
        ("stop", ctypes.c_int64),
        ("elapsed", ctypes.c_int64),
        ("target", ctypes.c_int64),
        ("remaining", ctypes.c_int64),
        ("due", ctypes.c_int64),
        ("breach", ctypes.c_int64),
    ]


class _Tally(ctypes.Structure):
    _fields_ = [
        ("achieved", ctypes.c_uint64),
        ("breached", ctypes.c_uint64),
        ("open", ctypes.c_uint64),
        ("elapsed", ctypes.c_uint64 * 4),  # cm_art
    ]


class _Attainment(ctypes.Structure):
    _fields_ = [("tally", (_Tally * 4) * 6), ("first_reply", _Sketch * 4), ("resolution", _Sketch * 4)]


class _AttainmentSummary(ctypes.Structure):
    _fields_ = [
        ("achieved", ctypes.c_uint64),
        ("breached", ctypes.c_uint64),
        ("open", ctypes.c_uint64),
        ("attained", _Proportion),
        ("elapsed", _ArtSummary),
        ("has_quantiles", ctypes.c_bool),
        ("reserved", ctypes.c_uint8 * 7),
        ("p50_seconds", ctypes.c_double),
        ("p90_seconds", ctypes.c_double),
        ("p99_seconds", ctypes.c_double),
    ]


_AP = ctypes.POINTER(_Attainment)
declare(
    [
        ("cm_sla_sizeof", ctypes.c_size_t, [ctypes.c_char_p]),
        ("cm_sla_policy_new", c_status, [ctypes.POINTER(_Target), ctypes.c_size_t, _vp, ctypes.c_uint32, ctypes.POINTER(_vp)]),
        ("cm_sla_policy_parse", c_status, [ctypes.c_char_p, ctypes.POINTER(_vp), ctypes.POINTER(_ParseError)]),
        ("cm_sla_policy_free", None, [_vp]),
        ("cm_sla_policy_target", c_status, [_vp, ctypes.c_uint32, ctypes.c_uint32, ctypes.POINTER(_Target)]),
        (
            "cm_sla_evaluate",
            c_status,
            [
                _vp,
                ctypes.POINTER(_vp),
                ctypes.c_size_t,
                ctypes.POINTER(_Event),
                ctypes.c_size_t,
                ctypes.c_int64,
                ctypes.POINTER(_Instance),
                ctypes.c_size_t,
                ctypes.POINTER(ctypes.c_size_t),
            ],
        ),
        ("cm_sla_attainment_add", c_status, [_AP, ctypes.POINTER(_Instance), ctypes.c_size_t]),
        ("cm_sla_attainment_merge", c_status, [_AP, _AP]),
        ("cm_sla_attainment_result", c_status, [_AP, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_double, ctypes.POINTER(_AttainmentSummary)]),
        ("cm_sla_attainment_serialize", c_status, [_AP, ctypes.POINTER(ctypes.c_uint8), ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t)]),
        ("cm_sla_attainment_deserialize", c_status, [ctypes.POINTER(ctypes.c_uint8), ctypes.c_size_t, _AP]),
    ]
)
check_layouts(
    lib.cm_sla_sizeof,
    [
        ("cm_sla_event", _Event),
        ("cm_sla_target", _Target),
        ("cm_sla_instance", _Instance),
        ("cm_sla_tally", _Tally),
        ("cm_sla_attainment", _Attainment),
        ("cm_sla_attainment_summary", _AttainmentSummary),
    ],
)


@dataclass(frozen=True)
class Event:
    """One entry of a ticket's log: ``Event(at, EventType.STATUS, Status.PENDING)``."""

    at: int
    type: EventType
    value: int = 0
    flags: int = 0


@dataclass(frozen=True)
class Target:
    """A metric at a priority must finish within ``seconds``; ``calendar`` is the index
    of a business calendar given to evaluate(), or None for calendar time."""

    metric: Metric
    priority: Priority
    seconds: int
    calendar: Optional[int] = None


@dataclass(frozen=True)
class Instance:
    """One clock of a ticket at the evaluation instant. Instants that do not exist are None;
    ``elapsed``, ``target`` and ``remaining`` (negative: overrun) are seconds in the target's clock."""

    metric: Metric
    cycle: int
    state: State
    priority: Priority
    breached: bool
    calendar: Optional[int]
    start: Optional[int]
    stop: Optional[int]
    elapsed: int
    target: int
    remaining: int
    due: Optional[int]
    breach: Optional[int]


def _time(t: int) -> Optional[int]:
    return None if t == _NO_TIME else int(t)


class Policy(Handle):
    """An SLA policy, parsed from the text format of docs/sla.md or built from targets.

    Immutable and shareable between threads; freed on close(), at the end of a
    with block, or when collected, never while a call in another thread uses
    it. Pickles (also with cloudpickle) by its text or its targets."""

    __slots__ = ("_source",)
    _free = lib.cm_sla_policy_free

    def __init__(self, text: str) -> None:
        raw = cv.text(text, "text")
        err = _ParseError()
        out = _vp()
        status = lib.cm_sla_policy_parse(raw, ctypes.byref(out), ctypes.byref(err))
        if status != 0:
            raise parse_error(status, err)
        self._take(out)
        self._source: Tuple[Any, ...] = ("text", text)

    @classmethod
    def from_targets(cls, targets: Iterable[Target]) -> "Policy":
        """A policy with these targets and the default pause and reopen rules of every metric."""
        ts = [t if isinstance(t, Target) else Target(*t) for t in targets]
        arr = (_Target * max(1, len(ts)))()
        rows = []
        for i, t in enumerate(ts):
            arr[i].metric = cv.u32(t.metric, f"targets[{i}].metric")
            arr[i].priority = cv.u32(t.priority, f"targets[{i}].priority")
            arr[i].seconds = cv.seconds(t.seconds, f"targets[{i}].seconds")
            arr[i].calendar = -1 if t.calendar is None else cv.i32(t.calendar, f"targets[{i}].calendar")
            rows.append((int(t.metric), int(t.priority), int(arr[i].seconds), t.calendar))
        out = _vp()
        check(lib.cm_sla_policy_new(arr, len(ts), None, 0, ctypes.byref(out)))
        p = object.__new__(cls)
        p._take(out)
        p._source = ("targets", tuple(rows))
        return p

    def target(self, metric: Metric, priority: Priority) -> Optional[Target]:
        """The target of a metric at a priority, or None when the policy has none."""
        t = _Target()
        status = self._call(lib.cm_sla_policy_target, cv.u32(metric, "metric"), cv.u32(priority, "priority"), ctypes.byref(t))
        if status == STATUS["CM_ENOTFOUND"]:
            return None
        check(status, f"metric = {metric!r}, priority = {priority!r}")
        return Target(Metric(t.metric), Priority(t.priority), int(t.seconds), None if t.calendar < 0 else int(t.calendar))

    def __reduce__(self) -> Any:
        return (_restore_policy, (self._source,))

    def __repr__(self) -> str:
        return "Policy(...)"


def _restore_policy(source: Tuple[Any, ...]) -> Policy:
    """Rebuilds a pickled Policy from its text or targets."""
    if source[0] == "text":
        return Policy(source[1])
    if source[0] == "targets":
        return Policy.from_targets(Target(Metric(m), Priority(p), s, c) for m, p, s, c in source[1])
    raise invalid(f"unknown policy source {source[0]!r}")


def _event_array(events: Sequence[Any]) -> Tuple[Any, int]:
    if isinstance(events, (str, bytes)) or not hasattr(events, "__iter__"):
        raise invalid(f"events must be a sequence of Event, not {type(events).__name__}")
    evs = list(events)
    arr = (_Event * max(1, len(evs)))()
    for i, e in enumerate(evs):
        if not isinstance(e, Event):
            try:
                e = Event(*e)
            except TypeError:
                raise invalid(f"events[{i}] = {e!r} is not an Event nor an (at, type[, value[, flags]]) tuple") from None
        arr[i].at = cv.instant(e.at, f"events[{i}].at")
        arr[i].type = cv.integer(e.type, "u16", f"events[{i}].type")
        arr[i].flags = cv.integer(e.flags, "u16", f"events[{i}].flags")
        arr[i].value = cv.u32(e.value, f"events[{i}].value")
    return arr, len(evs)


def _calendar_handles(calendars: Sequence[Optional[Calendar]]) -> List[Any]:
    if isinstance(calendars, Calendar) or not hasattr(calendars, "__iter__"):
        raise invalid("calendars must be a sequence of Calendar (or None where the policy uses none)")
    return all_handles(calendars, Calendar, "calendars")


def _instances(policy: Policy, events: Sequence[Any], now: Any, calendars: Sequence[Optional[Calendar]]) -> Tuple[Any, int]:
    if not isinstance(policy, Policy):
        raise invalid(f"policy must be a Policy, not {type(policy).__name__}")
    ev, n = _event_array(events)
    t = cv.instant(now, "now")
    handles = _calendar_handles(calendars)
    cap = 8
    count = ctypes.c_size_t()
    with Holding([policy, *handles]) as (p, *ptrs):
        cals = (_vp * max(1, len(ptrs)))(*ptrs)
        while True:
            out = (_Instance * cap)()
            status = lib.cm_sla_evaluate(p, cals, len(ptrs), ev, n, t, out, cap, ctypes.byref(count))
            if status == STATUS["CM_ENOSPC"] and count.value > cap:
                cap = count.value
                continue
            check(status)
            return out, count.value


def evaluate(policy: Policy, events: Sequence[Any], now: int, calendars: Sequence[Calendar] = ()) -> List[Instance]:
    """Replays a ticket's events (in time order) at instant ``now``: one Instance per metric
    instance. ``calendars[i]`` is the business calendar a target's ``calendar=i`` names."""
    out, n = _instances(policy, events, now, calendars)
    return [
        Instance(
            Metric(o.metric),
            int(o.cycle),
            State(o.state),
            Priority(o.priority),
            bool(o.breached),
            None if o.calendar < 0 else int(o.calendar),
            _time(o.start),
            _time(o.stop),
            int(o.elapsed),
            int(o.target),
            int(o.remaining),
            _time(o.due),
            _time(o.breach),
        )
        for o in out[:n]
    ]


@dataclass(frozen=True)
class AttainmentResult:
    """Achieved / breached / open instances, attainment with its interval, elapsed times."""

    achieved: int
    breached: int
    open: int
    attained: Proportion
    mean_seconds: float
    p50_seconds: Optional[float]
    p90_seconds: Optional[float]
    p99_seconds: Optional[float]


class Attainment(Accumulator):
    """Mergeable SLA attainment per metric and priority (about 67 KB; merges, bytes, pickle)."""

    _prefix = "sla_attainment"
    _struct = _Attainment
    __slots__ = ()

    def __init__(self) -> None:
        self._c = _Attainment()

    def add(self, policy: Policy, events: Sequence[Any], now: int, calendars: Sequence[Calendar] = ()) -> "Attainment":  # type: ignore[override]
        """Evaluates one ticket at ``now`` and counts its instances. Returns self."""
        out, n = _instances(policy, events, now, calendars)
        check(lib.cm_sla_attainment_add(ctypes.byref(self._c), out, n))
        return self

    def add_many(self, *args: Any) -> "Attainment":  # type: ignore[override]
        raise TypeError("Attainment counts tickets one at a time: use add()")

    def result(self, metric: Metric, priority: int = ALL_PRIORITIES, confidence: float = 0.95) -> AttainmentResult:
        """Attainment of one metric at one priority (or ALL_PRIORITIES)."""
        s = _AttainmentSummary()
        check(
            lib.cm_sla_attainment_result(
                ctypes.byref(self._c), cv.u32(metric, "metric"), cv.u32(priority, "priority"), cv.f64(confidence, "confidence"), ctypes.byref(s)
            )
        )
        q = (lambda v: v if s.has_quantiles else None)
        return AttainmentResult(
            int(s.achieved),
            int(s.breached),
            int(s.open),
            Proportion._of(s.attained),
            s.elapsed.mean_seconds,
            q(s.p50_seconds),
            q(s.p90_seconds),
            q(s.p99_seconds),
        )

    def __repr__(self) -> str:
        return "Attainment(...)"
