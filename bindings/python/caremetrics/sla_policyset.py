"""Policy sets and help-desk exports (caremetrics/sla.h, docs/sla.md sections 11-16).

A :class:`PolicySet` is parsed from the policy-set text format (ordered
policies with conditions, any number of priority levels, group policies,
custom clocks, warnings). :func:`import_ticket` reads one ticket's history
from a Zendesk ticket-audits or ticket-metric-events export or a Jira issue
with its changelog. :meth:`PolicySet.evaluate` replays an imported ticket
and gives one :class:`Record` per metric instance; :func:`records_frame`
turns them into a pandas DataFrame, and :func:`next_alarm` gives the next
warning or breach over all of a ticket's clocks.

Instants are Unix seconds (UTC); elapsed, target and remaining time are
seconds, business seconds when the target's clock is a calendar.
"""

from __future__ import annotations

import ctypes
import enum
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from . import _convert as cv
from ._handle import Handle, Holding, all_handles
from ._lib import c_status, check_layouts, declare, lib
from .calendar import Calendar, CalendarHistory, _ParseError
from .errors import STATUS, ParseError, check, invalid, parse_error
from .sla import _NO_TIME, STATE_NAMES, STATUS_NAMES, State, _calendar_handles, _Event, _Instance, _time

_vp = ctypes.c_void_p
_MAX_WARNINGS = 4
_MAX_DIMENSIONS = 16
_NO_INDEX = 0xFFFFFFFF
_GROUP_OWNERSHIP = 6  # CM_SLA_GROUP_OWNERSHIP
_CUSTOM_METRIC = 16  # CM_SLA_CUSTOM_METRIC: the first custom clock


class ImportFormat(enum.IntEnum):
    """Export formats :func:`import_ticket` reads (values pinned by the library)."""

    ZENDESK_AUDITS = 1
    ZENDESK_METRIC_EVENTS = 2
    JIRA_ISSUE = 3


_FORMAT_NAMES = {
    "zendesk-audits": ImportFormat.ZENDESK_AUDITS,
    "zendesk-metric-events": ImportFormat.ZENDESK_METRIC_EVENTS,
    "jira-issue": ImportFormat.JIRA_ISSUE,
    "jira-changelog": ImportFormat.JIRA_ISSUE,
}
_SKIP_UNKNOWN = 0x1


class _TicketEvent(ctypes.Structure):
    _fields_ = [("event", _Event), ("name", ctypes.c_char_p), ("text", ctypes.c_char_p), ("number", ctypes.c_int64)]


class _Calendars(ctypes.Structure):
    _fields_ = [
        ("calendars", ctypes.POINTER(_vp)),
        ("ncalendars", ctypes.c_size_t),
        ("histories", ctypes.POINTER(_vp)),
        ("nhistories", ctypes.c_size_t),
    ]


class _Record(ctypes.Structure):
    _fields_ = [
        ("instance", _Instance),
        ("policy", ctypes.c_uint32),
        ("event", ctypes.c_uint32),
        ("clock", ctypes.c_uint32),
        ("nwarnings", ctypes.c_uint8),
        ("warn_percent", ctypes.c_uint8 * _MAX_WARNINGS),
        ("reserved", ctypes.c_uint8 * 3),
        ("warnings", ctypes.c_int64 * _MAX_WARNINGS),
        ("values", ctypes.c_uint16 * _MAX_DIMENSIONS),
    ]


class _Shape(ctypes.Structure):
    _fields_ = [
        ("npolicies", ctypes.c_uint32),
        ("nclocks", ctypes.c_uint32),
        ("nlevels", ctypes.c_uint32),
        ("ndimensions", ctypes.c_uint32),
        ("nmetrics", ctypes.c_uint32),
        ("flags", ctypes.c_uint32),
        ("ncalendars", ctypes.c_size_t),
        ("nhistories", ctypes.c_size_t),
    ]


class _Alarm(ctypes.Structure):
    _fields_ = [("at", ctypes.c_int64), ("record", ctypes.c_uint32), ("kind", ctypes.c_uint32)]


class _ImportOptions(ctypes.Structure):
    _fields_ = [
        ("flags", ctypes.c_uint32),
        ("reserved", ctypes.c_uint32),
        ("status_names", ctypes.POINTER(ctypes.c_char_p)),
        ("status_categories", ctypes.POINTER(ctypes.c_uint32)),
        ("nstatuses", ctypes.c_size_t),
    ]


_sizep = ctypes.POINTER(ctypes.c_size_t)
_strp = ctypes.POINTER(ctypes.c_char_p)
declare(
    [
        ("cm_sla_policyset_parse", c_status, [ctypes.c_char_p, _vp, ctypes.POINTER(_vp), ctypes.POINTER(_ParseError)]),
        ("cm_sla_policyset_free", None, [_vp]),
        ("cm_sla_policyset_info", c_status, [_vp, ctypes.POINTER(_Shape)]),
        ("cm_sla_policyset_policy", c_status, [_vp, ctypes.c_uint32, _strp, ctypes.POINTER(ctypes.c_uint32)]),
        ("cm_sla_policyset_metric_name", ctypes.c_char_p, [_vp, ctypes.c_uint32]),
        ("cm_sla_policyset_level_name", ctypes.c_char_p, [_vp, ctypes.c_uint32]),
        ("cm_sla_policyset_dimension", c_status, [_vp, ctypes.c_uint32, _strp, ctypes.POINTER(_strp), _sizep]),
        (
            "cm_sla_policyset_evaluate",
            c_status,
            [_vp, ctypes.POINTER(_Calendars), ctypes.POINTER(_TicketEvent), ctypes.c_size_t, ctypes.c_int64,
             ctypes.POINTER(_Record), ctypes.c_size_t, _sizep],
        ),
        ("cm_sla_next_alarm", c_status, [ctypes.POINTER(_Record), ctypes.c_size_t, ctypes.POINTER(_Alarm)]),
        (
            "cm_sla_import",
            c_status,
            [ctypes.c_uint32, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(_ImportOptions), _vp, ctypes.POINTER(_vp),
             ctypes.POINTER(_ParseError)],
        ),
        ("cm_sla_ticket_free", None, [_vp]),
        ("cm_sla_ticket_events", c_status, [_vp, ctypes.POINTER(ctypes.POINTER(_TicketEvent)), _sizep]),
        ("cm_sla_ticket_info", c_status, [_vp, _strp, _sizep]),
    ]
)
check_layouts(
    lib.cm_sla_sizeof,
    [
        ("cm_sla_ticket_event", _TicketEvent),
        ("cm_sla_calendars", _Calendars),
        ("cm_sla_record", _Record),
        ("cm_sla_policyset_shape", _Shape),
        ("cm_sla_alarm", _Alarm),
        ("cm_sla_import_options", _ImportOptions),
    ],
)


@dataclass(frozen=True)
class Record:
    """One instance of a metric under a policy set at the evaluation instant.

    ``metric`` is the metric's name (``"first-reply"``, ``"group-ownership"`` or a
    custom clock); ``level`` the priority level's name (``"none"`` for none);
    ``policy`` the name of the policy whose target applies, or None; ``group_event``
    the index of the event that assigned the group (group ownership only);
    ``calendar`` the index of the target's calendar or history, None for calendar
    time; ``warnings`` the ``(percent, instant)`` of each warning threshold, the
    instant None while it is not forecast. Instants that do not exist are None."""

    metric: str
    cycle: int
    state: State
    level: str
    policy: Optional[str]
    breached: bool
    calendar: Optional[int]
    start: Optional[int]
    stop: Optional[int]
    elapsed: int
    target: int
    remaining: int
    due: Optional[int]
    breach: Optional[int]
    group_event: Optional[int]
    warnings: Tuple[Tuple[int, Optional[int]], ...]


@dataclass(frozen=True)
class Alarm:
    """The next warning or breach of a ticket: when it fires, the index of its
    record in the list evaluate() gave, and ``warning`` (the threshold in percent)
    or None for the breach itself."""

    at: int
    record: int
    warning: Optional[int]


class PolicySet(Handle):
    """An ordered list of SLA policies with conditions, parsed from the text format of
    docs/sla.md (section 11); the 0.1 policy text is valid too.

    Immutable and shareable between threads; freed on close(), at the end of a with
    block, or when collected, never while a call in another thread uses it. Pickles
    by its text."""

    __slots__ = ("_text",)
    _free = lib.cm_sla_policyset_free

    def __init__(self, text: str) -> None:
        raw = cv.text(text, "text")
        err = _ParseError()
        out = _vp()
        status = lib.cm_sla_policyset_parse(raw, None, ctypes.byref(out), ctypes.byref(err))
        if status != 0:
            raise parse_error(status, err)
        self._take(out)
        self._text = text

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> "PolicySet":
        """A policy set from a dict, read as the text format (docs/python.md):
        ``priorities``, ``customer_reply_opens``, ``pause`` and ``reopen`` (metric to statuses or
        mode), ``first_reply_agent_created``, ``clocks`` (name, start and stop triggers
        ``[kind, value...]``, pause conditions), ``policies`` and ``group_policies`` (name,
        ``when`` conditions ``[attribute, operator, value...]``, ``targets`` with metrics,
        levels, duration (seconds, a timedelta or text such as ``"1h30m"``), clock
        (``"calendar"``, ``"business"``, ``("business", i)``, ``("history", i)``,
        ``"ticket-schedule"``) and warn percents). Errors name the entry."""
        return _from_dict(cls, spec)

    def _shape(self) -> _Shape:
        s = _Shape()
        check(self._call(lib.cm_sla_policyset_info, ctypes.byref(s)))
        return s

    @property
    def levels(self) -> List[str]:
        """The priority levels' names, lowest first (level 1 first)."""
        n = self._shape().nlevels
        return [self._call(lib.cm_sla_policyset_level_name, i).decode() for i in range(1, n + 1)]

    @property
    def policies(self) -> List[str]:
        """The policies' names, regular and group, in their order."""
        names = []
        for i in range(self._shape().npolicies):
            name = ctypes.c_char_p()
            check(self._call(lib.cm_sla_policyset_policy, i, ctypes.byref(name), None))
            names.append(name.value.decode() if name.value is not None else "")
        return names

    @property
    def metrics(self) -> List[str]:
        """The metrics an evaluation reports: the six, group ownership when the set has a
        group policy, and the custom clocks."""
        shape = self._shape()
        has_group = shape.nmetrics > _GROUP_OWNERSHIP + shape.nclocks
        numbers = [*range(_GROUP_OWNERSHIP + has_group), *range(_CUSTOM_METRIC, _CUSTOM_METRIC + shape.nclocks)]
        return [self._call(lib.cm_sla_policyset_metric_name, m).decode() for m in numbers]

    @property
    def calendars_needed(self) -> int:
        """The least number of calendars evaluate() needs."""
        return int(self._shape().ncalendars)

    def evaluate(
        self,
        ticket: "Ticket",
        now: Any = None,
        calendars: Sequence[Optional[Calendar]] = (),
        histories: Sequence[CalendarHistory] = (),
    ) -> List[Record]:
        """Replays an imported ticket up to ``now`` (default: its last event's instant):
        one Record per metric instance, grouped by metric and by cycle.
        ``calendars[i]`` is the calendar a target's ``business i`` (and the ticket's
        schedule ``i``) names, ``histories[i]`` the calendar history of ``history i``."""
        if not isinstance(ticket, Ticket):
            raise invalid(f"ticket must be a Ticket from import_ticket(), not {type(ticket).__name__}")
        handles = _calendar_handles(calendars)
        if isinstance(histories, CalendarHistory) or not hasattr(histories, "__iter__"):
            raise invalid("histories must be a sequence of CalendarHistory")
        hist = all_handles(histories, CalendarHistory, "histories")
        shape = self._shape()
        if shape.ncalendars > len(handles):
            raise invalid(f"the policy set names {shape.ncalendars} calendars, {len(handles)} given")
        if shape.nhistories > len(hist):
            raise invalid(f"the policy set names {shape.nhistories} calendar histories, {len(hist)} given")
        count = ctypes.c_size_t()
        with Holding([self, ticket, *handles, *hist]) as (p, tk, *held):
            ptrs, hptrs = held[: len(handles)], held[len(handles) :]
            evp = ctypes.POINTER(_TicketEvent)()
            nev = ctypes.c_size_t()
            check(lib.cm_sla_ticket_events(tk, ctypes.byref(evp), ctypes.byref(nev)))
            t = evp[nev.value - 1].event.at if now is None else cv.instant(now, "now")
            arr = (_vp * max(1, len(ptrs)))(*ptrs)
            harr = (_vp * max(1, len(hptrs)))(*hptrs)
            cals = _Calendars(arr, len(ptrs), harr, len(hptrs))
            cap = max(8, shape.nmetrics)
            while True:
                out = (_Record * cap)()
                status = lib.cm_sla_policyset_evaluate(p, ctypes.byref(cals), evp, nev.value, t, out, cap, ctypes.byref(count))
                if status == STATUS["CM_ENOSPC"] and count.value > cap:
                    cap = count.value
                    continue
                check(status, f"now = {t}")
                break
            metric_names: Dict[int, str] = {}
            records = []
            for o in out[: count.value]:
                i = o.instance
                m = int(i.metric)
                if m not in metric_names:
                    metric_names[m] = lib.cm_sla_policyset_metric_name(p, m).decode()
                policy = None
                if o.policy != _NO_INDEX:
                    name = ctypes.c_char_p()
                    check(lib.cm_sla_policyset_policy(p, o.policy, ctypes.byref(name), None))
                    policy = (name.value or b"").decode()
                records.append(
                    Record(
                        metric_names[m],
                        int(i.cycle),
                        State(i.state),
                        lib.cm_sla_policyset_level_name(p, i.priority).decode(),
                        policy,
                        bool(i.breached),
                        None if i.calendar < 0 else int(i.calendar),
                        _time(i.start),
                        _time(i.stop),
                        int(i.elapsed),
                        int(i.target),
                        int(i.remaining),
                        _time(i.due),
                        _time(i.breach),
                        None if o.event == _NO_INDEX else int(o.event),
                        tuple((int(o.warn_percent[k]), _time(o.warnings[k])) for k in range(o.nwarnings)),
                    )
                )
        return records

    def __reduce__(self) -> Any:
        return (_restore_policyset, (self._text,))

    def __repr__(self) -> str:
        return "PolicySet(...)"


def _word(x: Any, where: str) -> str:
    """A name or value of the text format, always quoted (or an integer, bare)."""
    if isinstance(x, bool) or not isinstance(x, (str, int)):
        raise invalid(f"{where} = {x!r} must be a str or an int")
    if isinstance(x, int):
        return str(x)
    if x == "" or any(c in x for c in "\0\n\r"):
        raise invalid(f"{where} = {x!r} must be non-empty, on one line, without NUL")
    return '"' + x.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _words(xs: Any, where: str) -> str:
    items = [xs] if isinstance(xs, (str, int)) else list(xs)
    if not items:
        raise invalid(f"{where} is empty")
    return ", ".join(_word(x, f"{where}[{i}]") for i, x in enumerate(items))


def _keyword(x: Any, allowed: Sequence[str], where: str) -> str:
    if x not in allowed:
        raise invalid(f"{where} = {x!r} is not one of {', '.join(allowed)}")
    return str(x)


_OPERATORS = ("is", "is-not", "=", "!=", "<", "<=", ">", ">=", "is-set", "is-unset", "include", "exclude")
_TRIGGERS = ("created", "customer-reply", "agent-reply", "agent-note", "solved", "reopened",
             "status-enter", "status-leave", "set", "unset")


def _condition(c: Any, where: str) -> str:
    if isinstance(c, (str, bytes)) or not isinstance(c, Sequence) or len(c) < 2:
        raise invalid(f"{where} = {c!r} must be [attribute, operator, value...]")
    op = _keyword(c[1], _OPERATORS, f"{where}[1]")
    if op in ("is-set", "is-unset"):
        if len(c) != 2:
            raise invalid(f"{where}: {op} takes no value")
        return f"{_word(c[0], f'{where}[0]')} {op}"
    if len(c) < 3:
        raise invalid(f"{where}: {op} needs a value")
    attr = "tags" if c[0] == "tags" else _word(c[0], f"{where}[0]")
    attr = "status" if c[0] == "status" else attr
    attr = "priority" if c[0] == "priority" else attr
    return f"{attr} {op} {_words(c[2:], f'{where}[2:]')}"


def _trigger(t: Any, where: str) -> str:
    if isinstance(t, str):
        t = [t]
    if isinstance(t, bytes) or not isinstance(t, Sequence) or not t:
        raise invalid(f"{where} = {t!r} must be [kind, value...]")
    kind = _keyword(t[0], _TRIGGERS, f"{where}[0]")
    if kind in ("set", "unset"):
        if len(t) < 2:
            raise invalid(f"{where}: {kind} needs an attribute")
        rest = f" {_words(t[2:], f'{where}[2:]')}" if len(t) > 2 else ""
        return f"{kind} {_word(t[1], f'{where}[1]')}{rest}"
    if kind in ("status-enter", "status-leave"):
        return f"{kind} {_words(t[1:], f'{where}[1:]')}"
    if len(t) != 1:
        raise invalid(f"{where}: {kind} takes no value")
    return kind


def _duration(d: Any, where: str) -> str:
    if isinstance(d, str):
        if not d or not d.isalnum():
            raise invalid(f"{where} = {d!r} is not a duration such as 4h or 1h30m")
        return d
    n = cv.seconds(d, where)
    if n <= 0:
        raise invalid(f"{where} = {d!r} must be positive")
    return f"{n}s"


def _percent(x: Any, where: str) -> str:
    if isinstance(x, bool) or not isinstance(x, int) or not 1 <= x <= 100:
        raise invalid(f"{where} = {x!r} must be a percent, an integer 1 .. 100")
    return f"{x}%"


def _clock(c: Any, where: str) -> str:
    if c in ("calendar", "business", "ticket-schedule"):
        return str(c)
    if isinstance(c, (tuple, list)) and len(c) == 2 and c[0] in ("business", "history"):
        return f"{c[0]} {cv.integer(c[1], 'u32', f'{where}[1]')}"
    raise invalid(f"{where} = {c!r} is not calendar, business, ticket-schedule, "
                  "(\"business\", INDEX) or (\"history\", INDEX)")


def _policy_lines(kind: str, p: Any, where: str, out: List[Tuple[str, str]]) -> None:
    if not isinstance(p, Mapping):
        raise invalid(f"{where} must be a dict with name, when and targets")
    unknown = set(p) - {"name", "when", "targets"}
    if unknown:
        raise invalid(f"{where} has unknown keys {sorted(unknown)}")
    out.append((f"{kind} {_word(p.get('name'), f'{where}.name')}", where))
    for i, c in enumerate(p.get("when", ())):
        out.append((f"  when {_condition(c, f'{where}.when[{i}]')}", f"{where}.when[{i}]"))
    targets = p.get("targets", ())
    for i, t in enumerate(targets):
        w = f"{where}.targets[{i}]"
        if not isinstance(t, Mapping):
            raise invalid(f"{w} must be a dict with metrics, levels, duration, clock and warn")
        unknown = set(t) - {"metrics", "levels", "duration", "clock", "warn"}
        if unknown:
            raise invalid(f"{w} has unknown keys {sorted(unknown)}")
        levels = t.get("levels", "*")
        lv = levels if levels in ("*", "any") else _words(levels, f"{w}.levels")
        line = f"  {_words(t.get('metrics'), f'{w}.metrics')} {lv} {_duration(t.get('duration'), f'{w}.duration')}"
        line += f" {_clock(t.get('clock', 'calendar'), f'{w}.clock')}"
        warn = t.get("warn", ())
        if warn:
            line += " warn " + ", ".join(_percent(x, f"{w}.warn[{k}]") for k, x in enumerate(warn))
        out.append((line, w))


def _render(d: Mapping[str, Any]) -> List[Tuple[str, str]]:
    """The text format's lines of a policy-set dict, each with the place it came from."""
    known = {"priorities", "customer_reply_opens", "pause", "reopen", "first_reply_agent_created",
             "clocks", "policies", "group_policies"}
    unknown = set(d) - known
    if unknown:
        raise invalid(f"unknown keys {sorted(unknown)}; expected some of {sorted(known)}")
    out: List[Tuple[str, str]] = []
    if "priorities" in d:
        out.append((f"priorities {_words(d['priorities'], 'priorities')}", "priorities"))
    if "customer_reply_opens" in d:
        v = d["customer_reply_opens"]
        if not isinstance(v, bool):
            raise invalid(f"customer_reply_opens = {v!r} must be a bool")
        out.append((f"customer-reply-opens {'yes' if v else 'no'}", "customer_reply_opens"))
    for metric, statuses in dict(d.get("pause", {})).items():
        w = f"pause[{metric!r}]"
        what = "none" if not statuses else _words(statuses, w)
        out.append((f"{_words(metric, w)} pause {what}", w))
    for metric, mode in dict(d.get("reopen", {})).items():
        w = f"reopen[{metric!r}]"
        out.append((f"{_words(metric, w)} reopen {_keyword(mode, ('reactivate', 'new-cycle', 'restart'), w)}", w))
    if "first_reply_agent_created" in d:
        mode = _keyword(d["first_reply_agent_created"], ("not-applicable", "requester-comment"), "first_reply_agent_created")
        out.append((f"first-reply agent-created {mode}", "first_reply_agent_created"))
    for i, c in enumerate(d.get("clocks", ())):
        w = f"clocks[{i}]"
        if not isinstance(c, Mapping):
            raise invalid(f"{w} must be a dict with name, start, stop and pause")
        out.append((f"clock {_word(c.get('name'), f'{w}.name')}", w))
        for part, render in (("start", _trigger), ("stop", _trigger), ("pause", _condition)):
            for k, x in enumerate(c.get(part, ())):
                out.append((f"  {part} {render(x, f'{w}.{part}[{k}]')}", f"{w}.{part}[{k}]"))
    for i, p in enumerate(d.get("policies", ())):
        _policy_lines("policy", p, f"policies[{i}]", out)
    for i, p in enumerate(d.get("group_policies", ())):
        _policy_lines("group-policy", p, f"group_policies[{i}]", out)
    return out


def _from_dict(cls: Any, spec: Mapping[str, Any]) -> PolicySet:
    if not isinstance(spec, Mapping):
        raise invalid(f"spec must be a dict, not {type(spec).__name__}")
    lines = _render(spec)
    text = "".join(line + "\n" for line, _ in lines)
    err = _ParseError()
    out = _vp()
    status = lib.cm_sla_policyset_parse(cv.text(text, "spec"), None, ctypes.byref(out), ctypes.byref(err))
    if status != 0:
        if status == STATUS["CM_EPARSE"] and 1 <= err.line <= len(lines):
            line, where = lines[err.line - 1]
            why = (err.message or b"").decode()
            raise ParseError(status, f"{where}: {why}, in the line {line.strip()!r} of the text it reads as")
        raise parse_error(status, err)
    s = object.__new__(cls)
    s._take(out)
    s._text = text
    return s


def _restore_policyset(text: str) -> PolicySet:
    """Rebuilds a pickled PolicySet from its text."""
    return PolicySet(text)


class Ticket(Handle):
    """One ticket's events as read from a help desk's export by :func:`import_ticket`."""

    __slots__ = ()
    _free = lib.cm_sla_ticket_free

    def _info(self) -> Tuple[str, int]:
        ident = ctypes.c_char_p()
        skipped = ctypes.c_size_t()
        check(self._call(lib.cm_sla_ticket_info, ctypes.byref(ident), ctypes.byref(skipped)))
        return (ident.value or b"").decode(), int(skipped.value)

    @property
    def id(self) -> str:
        """The Zendesk ticket id or the Jira issue key ("" when the export has none)."""
        return self._info()[0]

    @property
    def skipped(self) -> int:
        """Entries of unknown types skipped (with ``skip_unknown=True``)."""
        return self._info()[1]

    def __len__(self) -> int:
        evp = ctypes.POINTER(_TicketEvent)()
        n = ctypes.c_size_t()
        check(self._call(lib.cm_sla_ticket_events, ctypes.byref(evp), ctypes.byref(n)))
        return int(n.value)

    def __repr__(self) -> str:
        return f"Ticket(id={self.id!r}, events={len(self)})"


def import_ticket(
    format: str, data: Any, statuses: Optional[Mapping[str, str]] = None, skip_unknown: bool = False
) -> Ticket:
    """Reads one ticket's history from a JSON export (field mapping in docs/sla.md,
    "Importers"). ``format`` is ``"zendesk-audits"``, ``"zendesk-metric-events"`` or
    ``"jira-issue"`` (alias ``"jira-changelog"``); ``data`` the export as bytes or str;
    ``statuses`` maps Jira status names to a category (``"new"``, ``"open"``,
    ``"pending"``, ``"on-hold"``, ``"solved"``, ``"closed"``), tried before the built-in
    table; ``skip_unknown`` skips entries of unknown types instead of failing.
    Malformed exports raise ParseError with the line and column."""
    if not isinstance(format, str) or format not in _FORMAT_NAMES:
        raise invalid(f"format = {format!r} is not one of {', '.join(sorted(_FORMAT_NAMES))}")
    if isinstance(data, str):
        raw = data.encode("utf-8", "surrogatepass")
    elif isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
    else:
        raise invalid(f"data must be bytes or str, not {type(data).__name__}")
    if not isinstance(skip_unknown, bool):
        raise invalid(f"skip_unknown must be a bool, not {type(skip_unknown).__name__}")
    items = list((statuses or {}).items())
    names = (ctypes.c_char_p * max(1, len(items)))()
    cats = (ctypes.c_uint32 * max(1, len(items)))()
    for k, (name, cat) in enumerate(items):
        names[k] = cv.text(name, f"statuses key {name!r}")
        if not name:
            raise invalid("statuses has an empty status name")
        if cat not in STATUS_NAMES:
            raise invalid(f"statuses[{name!r}] = {cat!r} is not one of {', '.join(STATUS_NAMES)}")
        cats[k] = STATUS_NAMES.index(cat)
    opts = _ImportOptions(_SKIP_UNKNOWN if skip_unknown else 0, 0, names, cats, len(items))
    err = _ParseError()
    out = _vp()
    status = lib.cm_sla_import(int(_FORMAT_NAMES[format]), raw, len(raw), ctypes.byref(opts), None, ctypes.byref(out), ctypes.byref(err))
    if status != 0:
        raise parse_error(status, err)
    t = object.__new__(Ticket)
    t._take(out)
    return t


def next_alarm(records: Sequence[Record]) -> Optional[Alarm]:
    """The next warning or breach over a ticket's records, as evaluate() gave them
    (cm_sla_next_alarm): only running, unpaused clocks count; the earliest wins (the
    lower record, then the breach before the warnings, on a tie). None when nothing
    is pending."""
    if isinstance(records, Record) or not hasattr(records, "__iter__"):
        raise invalid("records must be a sequence of Record")
    recs = list(records)
    arr = (_Record * max(1, len(recs)))()
    for r, rec in enumerate(recs):
        if not isinstance(rec, Record):
            raise invalid(f"records[{r}] is not a Record, but {type(rec).__name__}")
        o = arr[r]
        o.instance.state = int(rec.state)
        o.instance.breached = rec.breached
        o.instance.elapsed = rec.elapsed
        o.instance.target = rec.target
        o.instance.due = _NO_TIME if rec.due is None else rec.due
        o.nwarnings = len(rec.warnings)
        for k, (percent, at) in enumerate(rec.warnings[:_MAX_WARNINGS]):
            o.warn_percent[k] = percent
            o.warnings[k] = _NO_TIME if at is None else at
    alarm = _Alarm()
    status = lib.cm_sla_next_alarm(arr, len(recs), ctypes.byref(alarm))
    if status == STATUS["CM_ENODATA"]:
        return None
    check(status)
    rec = recs[alarm.record]
    return Alarm(int(alarm.at), int(alarm.record), None if alarm.kind == 0 else rec.warnings[alarm.kind - 1][0])


def records_frame(records: Sequence[Record]) -> Any:
    """The records as a pandas DataFrame, one row each; instants as UTC timestamps
    (NaT where none), the warnings as a column of ``(percent, instant)`` tuples."""
    import pandas as pd

    rows = [r.__dict__ for r in records]
    cols = list(Record.__dataclass_fields__)
    df = pd.DataFrame(rows, columns=cols)
    df["state"] = [STATE_NAMES[int(s)] for s in df["state"]] if len(df) else df["state"]
    for c in ("start", "stop", "due", "breach"):
        df[c] = pd.to_datetime(df[c].astype("Int64"), unit="s", utc=True)
    return df
