"""SLA policies replayed over ticket event logs, and attainment (caremetrics/sla.h).

Instants are Unix seconds (UTC), or datetimes where an instant is expected;
targets, elapsed and remaining time are seconds, business seconds when the
target runs on a calendar. The rules of every clock are in docs/sla.md.

One ticket at a time: :func:`evaluate` and :meth:`Attainment.add`. A whole
table of events at once (one library call for every ticket, columns as
pandas holds them): :func:`evaluate_many` and :meth:`Attainment.add_many`.
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
    """The SLA metrics (values pinned by the library)."""

    FIRST_REPLY = 0
    NEXT_REPLY = 1
    PERIODIC_UPDATE = 2
    REQUESTER_WAIT = 3
    AGENT_WORK = 4
    TOTAL_RESOLUTION = 5


class Priority(enum.IntEnum):
    """Ticket priorities; NONE means no SLA applies."""

    NONE = 0
    LOW = 1
    NORMAL = 2
    HIGH = 3
    URGENT = 4


class Status(enum.IntEnum):
    """Ticket statuses, as carried by STATUS events."""

    NEW = 0
    OPEN = 1
    PENDING = 2
    ON_HOLD = 3
    SOLVED = 4
    CLOSED = 5


class EventType(enum.IntEnum):
    """Types of the events of a ticket's log."""

    CREATED = 1
    CUSTOMER_REPLY = 2
    AGENT_REPLY = 3
    AGENT_NOTE = 4
    STATUS = 5
    PRIORITY = 6
    REOPEN = 7


class State(enum.IntEnum):
    """State of a metric instance at the evaluation instant."""

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
_sizep = ctypes.POINTER(ctypes.c_size_t)
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
        (
            "cm_sla_evaluate_many",
            c_status,
            [_vp, ctypes.POINTER(_vp), ctypes.c_size_t, ctypes.POINTER(_Event), ctypes.c_size_t, _sizep, ctypes.c_size_t,
             ctypes.c_int64, ctypes.POINTER(_Instance), ctypes.c_size_t, _sizep, _sizep, _sizep],
        ),
        ("cm_sla_attainment_add_many_scratch_size", ctypes.c_size_t, [ctypes.c_size_t]),
        (
            "cm_sla_attainment_add_many",
            c_status,
            [_AP, _vp, ctypes.POINTER(_vp), ctypes.c_size_t, ctypes.POINTER(_Event), ctypes.c_size_t, _sizep, ctypes.c_size_t,
             ctypes.c_int64, _vp, ctypes.c_size_t, _sizep],
        ),
        ("cm_sla_metric_name", ctypes.c_char_p, [ctypes.c_uint32]),
        ("cm_sla_priority_name", ctypes.c_char_p, [ctypes.c_uint32]),
        ("cm_sla_status_name", ctypes.c_char_p, [ctypes.c_uint32]),
        ("cm_sla_state_name", ctypes.c_char_p, [ctypes.c_uint32]),
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


# ---- many tickets at once -----------------------------------------------------------------


def _names(fn: Any, count: int) -> List[str]:
    return [fn(i).decode() for i in range(count)]


#: Names the library gives metrics, priorities, statuses and states (policy-file spelling).
METRIC_NAMES = _names(lib.cm_sla_metric_name, len(Metric))
PRIORITY_NAMES = _names(lib.cm_sla_priority_name, len(Priority))
STATUS_NAMES = _names(lib.cm_sla_status_name, len(Status))
STATE_NAMES = _names(lib.cm_sla_state_name, len(State))
#: Event type names accepted in a ``type`` column: ``created``, ``customer-reply``, ...
EVENT_TYPE_NAMES = {e.name.lower().replace("_", "-"): int(e) for e in EventType}

_EVENT_DTYPE: Any = None


def _event_dtype() -> Any:
    global _EVENT_DTYPE
    if _EVENT_DTYPE is None:
        import numpy as np

        _EVENT_DTYPE = np.dtype({"names": ["at", "type", "flags", "value"], "formats": ["<i8", "<u2", "<u2", "<u4"], "offsets": [0, 8, 10, 12], "itemsize": ctypes.sizeof(_Event)})
    return _EVENT_DTYPE


def _column(events: Any, name: Optional[str], what: str, required: bool) -> Any:
    if name is None:
        return None
    try:
        return events[name]
    except (KeyError, IndexError, TypeError):
        if required:
            raise invalid(f"events has no {what} column {name!r}") from None
        return None


def _values(column: Any, types: Any, n: int) -> Any:
    """The value column: numbers, or priority / status names checked against each row's type."""
    import numpy as np

    if column is None:
        return np.zeros(n, dtype=np.uint32)
    if getattr(getattr(column, "dtype", None), "kind", "O") in "biuf":
        return cv.in_array(column, "u32", "value", missing=cv.MASK).array  # missing: 0
    codes, labels = cv.factorize(column, "value")
    mapped = np.zeros(len(labels) + 1, dtype=np.int64)  # the last slot: missing -> 0
    kind = np.zeros(len(labels) + 1, dtype=np.int8)  # 1 priority name, 2 status name
    prio = {k: i for i, k in enumerate(PRIORITY_NAMES)}
    status = {k: i for i, k in enumerate(STATUS_NAMES)}
    for j, label in enumerate(labels):
        key = cv._key(label) if isinstance(label, str) else None
        if key in prio:
            mapped[j], kind[j] = prio[key], 1
        elif key in status:
            mapped[j], kind[j] = status[key], 2
        elif isinstance(label, (int, np.integer)) and not isinstance(label, bool):
            mapped[j] = cv.u32(label, "value")
        else:
            raise invalid(f"value has {label!r}: neither a priority ({', '.join(PRIORITY_NAMES)}) nor a status ({', '.join(STATUS_NAMES)})")
    codes = np.where(codes < 0, len(labels), codes)
    row_kind = kind.take(codes)
    wrong = ((row_kind == 1) & (types != EventType.CREATED) & (types != EventType.PRIORITY)) | ((row_kind == 2) & (types != EventType.STATUS))
    if wrong.any():
        i = int(np.argmax(wrong))
        raise invalid(f"value[{i}] = {labels[codes[i]]!r} does not fit an event of type {EventType(int(types[i])).name.lower()}")
    return mapped.take(codes)


class _Column:
    """A table of events as the library's concatenated logs: events sorted by ticket then
    time (equal instants keep their order), offsets per ticket, and the ticket labels."""

    def __init__(self, events: Any, ticket: str, at: str, type: str, value: Optional[str], flags: Optional[str]) -> None:
        import numpy as np

        if isinstance(events, (str, bytes)) or not hasattr(events, "__getitem__"):
            raise invalid(f"events must be a DataFrame or a mapping of columns, not {_type_name(events)}")
        codes, self.labels = cv.factorize(_column(events, ticket, "ticket", True), "ticket")
        if (codes < 0).any():
            raise invalid(f"ticket[{int(np.argmax(codes < 0))}] is missing")
        times = cv.in_array(_column(events, at, "at", True), "i64", "at", role="instant")
        self.temporal = times.temporal
        self.tz = times.tz
        kinds = cv.names(_column(events, type, "type", True), EVENT_TYPE_NAMES, "type")
        kinds = cv.in_array(kinds, "u16", "type").array
        n = len(codes)
        vals = _values(_column(events, value, "value", False), kinds, len(kinds))
        fl = _column(events, flags, "flags", False)
        fl = np.zeros(n, dtype=np.uint16) if fl is None else cv.in_array(fl, "u16", "flags", missing=cv.MASK).array
        vals = cv.in_array(vals, "u32", "value").array
        lengths = {"ticket": n, "at": times.n, "type": len(kinds), "value": len(vals), "flags": len(fl)}
        if len(set(lengths.values())) != 1:
            raise invalid("events columns differ in length: " + ", ".join(f"{k} {v}" for k, v in lengths.items()))
        order = np.argsort(times.array, kind="stable")
        order = order[np.argsort(codes[order], kind="stable")]
        ev = np.empty(n, dtype=_event_dtype())
        ev["at"] = times.array[order]
        ev["type"] = kinds[order]
        ev["flags"] = fl[order]
        ev["value"] = vals[order]
        self.events = ev
        self.ntickets = len(self.labels)
        counts = np.bincount(codes, minlength=self.ntickets)
        self.offsets = np.zeros(self.ntickets + 1, dtype=np.uintp)
        np.cumsum(counts, out=self.offsets[1:])
        self.max_events = int(counts.max()) if self.ntickets else 0
        self.nevents = n

    def pointers(self) -> Tuple[Any, Any]:
        return (
            self.events.ctypes.data_as(ctypes.POINTER(_Event)),
            self.offsets.ctypes.data_as(_sizep),
        )

    def fail(self, status: int, failed: int) -> None:
        if failed < self.ntickets:
            check(status, f"ticket {self.labels[failed]!r}")
        check(status)


def _type_name(x: Any) -> str:
    return type(x).__name__


def _policy_and_calendars(policy: Any, calendars: Any) -> List[Any]:
    if not isinstance(policy, Policy):
        raise invalid(f"policy must be a Policy, not {type(policy).__name__}")
    return [policy, *_calendar_handles(calendars)]


def evaluate_many(
    policy: Policy,
    events: Any,
    now: Any,
    calendars: Sequence[Optional[Calendar]] = (),
    *,
    ticket: str = "ticket",
    at: str = "at",
    type: str = "type",
    value: Optional[str] = "value",
    flags: Optional[str] = "flags",
) -> Any:
    """Replays the events of many tickets at ``now`` in one library call.

    ``events`` is a DataFrame (or a mapping of columns) with one row per
    event: the ticket (any key), its instant (``at``: datetime64 or Unix
    seconds), its type (:class:`EventType` codes or names such as
    ``"created"``, ``"agent-reply"``, ``"status"``), and optionally its
    value (a priority for created / priority events, a status for status
    events, as codes or names such as ``"high"``, ``"pending"``) and flags.
    Other column names are given with the keyword arguments. Rows need not
    be sorted: they are ordered by ticket then time, events at the same
    instant keeping their order.

    Returns a pandas DataFrame with one row per metric instance: ticket,
    metric, cycle, state, priority, breached, calendar, start, stop,
    elapsed, target, remaining, due, breach (instants as datetime64 when
    ``at`` was, else Unix seconds; missing instants as NaT / NA)."""
    import numpy as np
    import pandas as pd

    col = _Column(events, ticket, at, type, value, flags)
    t = cv.instant(now, "now")
    ev, off = col.pointers()
    count, failed = ctypes.c_size_t(), ctypes.c_size_t(2**64 - 1)
    out_off = np.zeros(col.ntickets + 1, dtype=np.uintp)
    with Holding(_policy_and_calendars(policy, calendars)) as (p, *ptrs):
        cals = (_vp * max(1, len(ptrs)))(*ptrs)
        args = (p, cals, len(ptrs), ev, col.nevents, off, col.ntickets, t)
        cap = 6 * col.ntickets + 1
        while True:
            out = np.zeros(cap, dtype=_instance_dtype())
            status = lib.cm_sla_evaluate_many(
                *args, out.ctypes.data_as(ctypes.POINTER(_Instance)), cap, out_off.ctypes.data_as(_sizep), ctypes.byref(count), ctypes.byref(failed)
            )
            if status == STATUS["CM_ENOSPC"] and count.value > cap:
                cap = count.value
                continue
            if status != 0:
                col.fail(status, failed.value)
            break
    n = count.value
    rec = out[:n]
    owner = np.repeat(np.arange(col.ntickets), np.diff(out_off.astype(np.int64)))
    frame = pd.DataFrame(
        {
            "ticket": col.labels.take(owner) if hasattr(col.labels, "take") else [col.labels[i] for i in owner],
            "metric": pd.Categorical.from_codes(rec["metric"].astype(np.int64), METRIC_NAMES),
            "cycle": rec["cycle"].astype(np.int64),
            "state": pd.Categorical.from_codes(rec["state"].astype(np.int64), STATE_NAMES),
            "priority": pd.Categorical.from_codes(rec["priority"].astype(np.int64), PRIORITY_NAMES),
            "breached": rec["breached"].astype(bool),
            "calendar": pd.array(np.where(rec["calendar"] < 0, 0, rec["calendar"]), dtype="Int64"),
        }
    )
    frame.loc[rec["calendar"] < 0, "calendar"] = pd.NA
    for name in ("start", "stop"):
        frame[name] = _instants(rec[name], col)
    for name in ("elapsed", "target", "remaining"):
        frame[name] = rec[name].astype(np.int64)
    for name in ("due", "breach"):
        frame[name] = _instants(rec[name], col)
    return frame


def _instants(raw: Any, col: _Column) -> Any:
    import numpy as np
    import pandas as pd

    missing = raw == _NO_TIME
    if col.temporal:
        t = np.where(missing, np.iinfo(np.int64).min, raw).view("datetime64[s]")
        s = pd.Series(t).dt.tz_localize("UTC")
        return s.dt.tz_convert(col.tz).array if col.tz is not None else s.dt.tz_localize(None).array
    arr = pd.array(np.where(missing, 0, raw), dtype="Int64")
    arr[missing] = pd.NA
    return arr


def _instance_dtype() -> Any:
    import numpy as np

    fields = [(name, ctype) for name, ctype in _Instance._fields_]
    names, formats, offsets = [], [], []
    for name, ctype in fields:
        if name == "reserved":
            continue
        names.append(name)
        formats.append(np.dtype(ctype) if ctype is not ctypes.c_bool else np.dtype(np.bool_))
        offsets.append(getattr(_Instance, name).offset)
    return np.dtype({"names": names, "formats": formats, "offsets": offsets, "itemsize": ctypes.sizeof(_Instance)})


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

    def add_many(  # type: ignore[override]
        self,
        policy: Policy,
        events: Any,
        now: Any,
        calendars: Sequence[Optional[Calendar]] = (),
        *,
        ticket: str = "ticket",
        at: str = "at",
        type: str = "type",
        value: Optional[str] = "value",
        flags: Optional[str] = "flags",
    ) -> "Attainment":
        """Evaluates every ticket of a table of events at ``now`` and counts its instances,
        in one library call; the table is read as by :func:`evaluate_many`. All or
        nothing: an error names the ticket and leaves the accumulator as it was.
        Returns self."""
        import numpy as np

        col = _Column(events, ticket, at, type, value, flags)
        t = cv.instant(now, "now")
        ev, off = col.pointers()
        size = int(lib.cm_sla_attainment_add_many_scratch_size(max(1, col.max_events)))
        if size == 0:
            raise invalid(f"a ticket has {col.max_events} events, too many for one scratch buffer")
        scratch = np.empty((size + 7) // 8, dtype=np.uint64)  # 8-byte aligned
        failed = ctypes.c_size_t(2**64 - 1)
        with Holding(_policy_and_calendars(policy, calendars)) as (p, *ptrs):
            cals = (_vp * max(1, len(ptrs)))(*ptrs)
            status = lib.cm_sla_attainment_add_many(
                ctypes.byref(self._c), p, cals, len(ptrs), ev, col.nevents, off, col.ntickets, t,
                scratch.ctypes.data_as(_vp), size, ctypes.byref(failed),
            )
        if status != 0:
            col.fail(status, failed.value)
        return self

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

    def to_frame(self, confidence: Optional[float] = None) -> Any:  # type: ignore[override]
        """Attainment per metric and priority as a pandas DataFrame indexed by (metric,
        priority), priority ``all`` included, for every metric with an instance:
        achieved, breached, open, value (attainment), lo, hi, num, den, n,
        mean_seconds, p50_seconds, p90_seconds, p99_seconds (NaN when none stopped)."""
        import pandas as pd

        from ._accumulator import NAN, _confidence, proportion_fields

        c = _confidence(confidence)
        rows, keys = [], []
        for m in Metric:
            for prio, pname in [(int(p), PRIORITY_NAMES[p]) for p in Priority if p != Priority.NONE] + [(ALL_PRIORITIES, "all")]:
                t = self._c.tally[m] if prio == ALL_PRIORITIES else [self._c.tally[m][prio - 1]]
                achieved = sum(int(x.achieved) for x in t)
                breached = sum(int(x.breached) for x in t)
                opened = sum(int(x.open) for x in t)
                if achieved + breached + opened == 0:
                    continue
                if achieved + breached:
                    r = self.result(m, prio, c)
                    row = {"achieved": r.achieved, "breached": r.breached, "open": r.open, **proportion_fields(r.attained), "mean_seconds": r.mean_seconds}
                    qs = [r.p50_seconds, r.p90_seconds, r.p99_seconds]
                else:
                    row = {"achieved": 0, "breached": 0, "open": opened, **proportion_fields(None), "mean_seconds": NAN}
                    qs = [None, None, None]
                row.update({k: NAN if v is None else v for k, v in zip(("p50_seconds", "p90_seconds", "p99_seconds"), qs)})
                rows.append(row)
                keys.append((METRIC_NAMES[m], pname))
        columns = ["achieved", "breached", "open", "value", "lo", "hi", "num", "den", "n", "mean_seconds", "p50_seconds", "p90_seconds", "p99_seconds"]
        index = pd.MultiIndex.from_tuples(keys, names=["metric", "priority"]) if keys else pd.MultiIndex.from_tuples([], names=["metric", "priority"])
        return pd.DataFrame(rows, index=index, columns=columns)

    def __repr__(self) -> str:
        return "Attainment(...)"
