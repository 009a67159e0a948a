"""Backlog: open tickets at interval ends and their ages (caremetrics/backlog.h).

A :class:`Backlog` is set up with snapshot instants (Unix seconds, e.g. the
end of each day), age bounds in seconds, a number of groups and optionally a
business :class:`~caremetrics.Calendar`; tickets fold in from their created
and solved instants (``None`` = still open). Backlogs with the same set-up
merge and serialize; those in calendar time pickle. ``to_frame`` gives one
row per group and snapshot when pandas is present.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any, List, Optional, Sequence

from . import _convert as cv
from . import _frame
from ._lib import c_status, check_layouts, declare, lib
from ._handle import Handle, Holding
from .calendar import Calendar
from .errors import STATUS, check, invalid

_vp = ctypes.c_void_p
_u8p = ctypes.POINTER(ctypes.c_uint8)
_i64p = ctypes.POINTER(ctypes.c_int64)
_u32p = ctypes.POINTER(ctypes.c_uint32)
_u64p = ctypes.POINTER(ctypes.c_uint64)
_f64p = ctypes.POINTER(ctypes.c_double)
_size = ctypes.c_size_t

declare([("cm_backlog_constant", c_status, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int64)])])


def _constant(name: str) -> int:
    out = ctypes.c_int64()
    check(lib.cm_backlog_constant(name.encode(), ctypes.byref(out)), name)
    return int(out.value)


#: Solve instant of a ticket that is still open (``None`` in Python).
OPEN = _constant("CM_BACKLOG_OPEN")
#: The group argument meaning every group together.
ALL_GROUPS = _constant("CM_BACKLOG_ALL_GROUPS")
NO_SKETCH = _constant("CM_BACKLOG_NO_SKETCH")


class _Config(ctypes.Structure):
    _fields_ = [
        ("snapshots", _i64p),
        ("nsnapshots", _size),
        ("age_bounds", _i64p),
        ("nbounds", _size),
        ("groups", ctypes.c_uint32),
        ("flags", ctypes.c_uint32),
        ("calendar", _vp),
    ]


class _Point(ctypes.Structure):
    _fields_ = [
        ("at", ctypes.c_int64),
        ("open", ctypes.c_uint64),
        ("created", ctypes.c_uint64),
        ("solved", ctypes.c_uint64),
        ("age_min", ctypes.c_int64),
        ("age_max", ctypes.c_int64),
        ("age_mean", ctypes.c_double),
    ]


class _Summary(ctypes.Structure):
    _fields_ = [
        ("tickets", ctypes.c_uint64),
        ("nsnapshots", ctypes.c_uint32),
        ("nbounds", ctypes.c_uint32),
        ("groups", ctypes.c_uint32),
        ("flags", ctypes.c_uint32),
        ("business", ctypes.c_bool),
    ]


declare(
    [
        ("cm_backlog_sizeof", _size, [ctypes.c_char_p]),
        ("cm_backlog_new", c_status, [ctypes.POINTER(_Config), _vp, ctypes.POINTER(_vp)]),
        ("cm_backlog_free", None, [_vp]),
        ("cm_backlog_add", c_status, [_vp, ctypes.c_uint32, ctypes.c_int64, ctypes.c_int64]),
        ("cm_backlog_add_many", c_status, [_vp, _u32p, _i64p, _i64p, _size]),
        ("cm_backlog_merge", c_status, [_vp, _vp]),
        ("cm_backlog_info", c_status, [_vp, ctypes.POINTER(_Summary)]),
        ("cm_backlog_age_bounds", c_status, [_vp, _i64p, _size]),
        ("cm_backlog_snapshot", c_status, [_vp, ctypes.c_uint32, _size, ctypes.POINTER(_Point)]),
        ("cm_backlog_buckets", c_status, [_vp, ctypes.c_uint32, _size, _u64p, _size]),
        ("cm_backlog_quantiles", c_status, [_vp, ctypes.c_uint32, _size, _f64p, _size, _f64p]),
        ("cm_backlog_serialize", c_status, [_vp, _u8p, _size, ctypes.POINTER(_size)]),
        ("cm_backlog_deserialize", c_status, [_u8p, _size, _vp, _vp, ctypes.POINTER(_vp)]),
        ("cm_backlog_merge_serialized", c_status, [_vp, _u8p, _size]),
    ]
)
check_layouts(
    lib.cm_backlog_sizeof,
    [("cm_backlog_config", _Config), ("cm_backlog_point", _Point), ("cm_backlog_summary", _Summary)],
)


@dataclass(frozen=True)
class BacklogPoint:
    """One group (or all) at one snapshot: open tickets, flows since the previous snapshot,
    and the open tickets' ages in seconds (calendar or business)."""

    at: int
    open: int
    created: int
    solved: int
    age_min: int
    age_max: int
    age_mean: float


def _group(g: Optional[int]) -> int:
    return ALL_GROUPS if g is None else cv.u32(g, "group")


def _solved(v: Any, i: Any) -> int:
    if v is None or (isinstance(v, float) and v != v):
        return OPEN
    return cv.i64(v, f"solved[{i}]" if i is not None else "solved")


class Backlog(Handle):
    """Open tickets at ``snapshots``, aged against ``age_bounds`` (seconds), per group."""

    __slots__ = ("calendar", "snapshots", "age_bounds", "groups", "sketch", "_holds_calendar")
    _free = lib.cm_backlog_free

    def __init__(
        self,
        snapshots: Sequence[int],
        age_bounds: Sequence[int] = (),
        groups: int = 1,
        calendar: Optional[Calendar] = None,
        sketch: bool = True,
    ) -> None:
        snaps = [cv.i64(s, f"snapshots[{i}]") for i, s in enumerate(snapshots)]
        bounds = [cv.i64(b, f"age_bounds[{i}]") for i, b in enumerate(age_bounds)]
        if calendar is not None and not isinstance(calendar, Calendar):
            raise invalid("calendar must be a caremetrics.Calendar")
        s_arr = (ctypes.c_int64 * max(1, len(snaps)))(*snaps)
        b_arr = (ctypes.c_int64 * max(1, len(bounds)))(*bounds)
        # The backlog reads its calendar on every addition: hold it open as long as the
        # backlog lives (closing the calendar then frees it only after the backlog).
        cal_ptr = calendar._acquire() if calendar is not None else None
        cfg = _Config(
            s_arr, len(snaps), b_arr, len(bounds), cv.u32(groups, "groups"),
            0 if sketch else NO_SKETCH, cal_ptr,
        )
        out = _vp()
        status = lib.cm_backlog_new(ctypes.byref(cfg), None, ctypes.byref(out))
        if status != 0:
            if calendar is not None:
                calendar._release()
            check(status)
        self._take(out)
        self.calendar = calendar
        self._holds_calendar = calendar is not None
        self.snapshots = tuple(snaps)
        self.age_bounds = tuple(bounds)
        self.groups = int(groups)
        self.sketch = bool(sketch)

    def _free_now(self) -> None:
        super()._free_now()
        if getattr(self, "_holds_calendar", False):
            self._holds_calendar = False
            self.calendar._release()

    def add(self, created: int, solved: Optional[int] = None, group: int = 0) -> "Backlog":
        """Folds in one ticket; ``solved=None`` for a ticket still open."""
        check(self._call(lib.cm_backlog_add, cv.u32(group, "group"), cv.i64(created, "created"), _solved(solved, None)))
        return self

    def add_many(self, created: Any, solved: Any, groups: Optional[Any] = None) -> "Backlog":
        """Folds in columns of tickets (int64 arrays are read without copying; in lists,
        ``None`` marks a ticket still open). All or nothing."""
        c = cv.in_array(created, "i64", "created")
        if isinstance(solved, (list, tuple)):
            solved = [_solved(v, i) for i, v in enumerate(solved)]
        s = cv.in_array(solved, "i64", "solved")
        g = cv.in_array(groups, "u32", "groups") if groups is not None else None
        if s.n != c.n or (g is not None and g.n != c.n):
            raise invalid("created, solved and groups must have the same length")
        check(self._call(lib.cm_backlog_add_many, g.ptr if g else None, c.ptr, s.ptr, c.n))
        return self

    def merge(self, other: "Backlog") -> "Backlog":
        """Adds the tickets of a backlog with the same set-up (exact)."""
        if not isinstance(other, Backlog):
            raise invalid(f"cannot merge {type(other).__name__} into Backlog")
        with Holding([self, other]) as (a, b):
            check(lib.cm_backlog_merge(a, b))
        return self

    def __iadd__(self, other: "Backlog") -> "Backlog":
        return self.merge(other)

    @property
    def tickets(self) -> int:
        """Tickets folded in, merges included."""
        s = _Summary()
        check(self._call(lib.cm_backlog_info, ctypes.byref(s)))
        return int(s.tickets)

    def snapshot(self, index: int, group: Optional[int] = None) -> BacklogPoint:
        """Counts and ages at snapshot ``index`` for one group, or all (``None``)."""
        p = _Point()
        check(self._call(lib.cm_backlog_snapshot, _group(group), cv.integer(index, "u64", "index"), ctypes.byref(p)))
        return BacklogPoint(int(p.at), int(p.open), int(p.created), int(p.solved), int(p.age_min), int(p.age_max), p.age_mean)

    def buckets(self, index: int, group: Optional[int] = None) -> List[int]:
        """Open tickets per age bucket, youngest first (len(age_bounds) + 1 buckets)."""
        n = len(self.age_bounds) + 1
        out = (ctypes.c_uint64 * n)()
        check(self._call(lib.cm_backlog_buckets, _group(group), cv.integer(index, "u64", "index"), out, n))
        return [int(x) for x in out]

    def quantiles(self, index: int, qs: Sequence[float] = (0.5, 0.9), group: Optional[int] = None) -> List[float]:
        """Age quantiles in seconds at snapshot ``index`` (within 1 %, numpy's definition)."""
        q = cv.in_array(qs, "f64", "qs")
        out = (ctypes.c_double * max(1, q.n))()
        check(self._call(lib.cm_backlog_quantiles, _group(group), cv.integer(index, "u64", "index"), q.ptr, q.n, out))
        return [out[i] for i in range(q.n)]

    def to_frame(self, qs: Sequence[float] = (0.5, 0.9), group_names: Optional[Sequence[Any]] = None) -> Any:
        """One row per group and snapshot, plus "all" when there are several groups:
        counts, ages, buckets (``age<b0``, ``age<b1``, ..., ``age>=bN``) and quantiles.
        Needs pandas."""
        names = list(group_names) if group_names is not None else list(range(self.groups))
        if len(names) != self.groups:
            raise invalid(f"group_names has {len(names)} names for {self.groups} groups")
        labels = [f"age<{b}" for b in self.age_bounds] + [f"age>={self.age_bounds[-1]}" if self.age_bounds else "all_ages"]
        rows = []
        which = list(enumerate(names)) + ([(None, "all")] if self.groups > 1 else [])
        for g, name in which:
            for j in range(len(self.snapshots)):
                p = self.snapshot(j, g)
                row = {"group": name, "at": p.at, "open": p.open, "created": p.created, "solved": p.solved,
                       "age_min": p.age_min, "age_mean": p.age_mean, "age_max": p.age_max}
                row.update(zip(labels, self.buckets(j, g)))
                if self.sketch:
                    vals = self.quantiles(j, qs, g) if p.open else [float("nan")] * len(qs)
                    row.update({f"age_q{q:g}": v for q, v in zip(qs, vals)})
                rows.append(row)
        return _frame.frame(rows, index=["group", "at"])

    def to_bytes(self) -> bytes:
        """The library's portable bytes (calendar-time and business-time alike)."""
        probe = (ctypes.c_uint8 * 1)()
        need = _size()
        status = self._call(lib.cm_backlog_serialize, probe, 0, ctypes.byref(need))
        if status != STATUS["CM_ENOSPC"]:
            check(status)
        buf = (ctypes.c_uint8 * need.value)()
        w = _size()
        check(self._call(lib.cm_backlog_serialize, buf, need.value, ctypes.byref(w)))
        return bytes(buf[: w.value])

    @classmethod
    def from_bytes(cls, data: bytes, calendar: Optional[Calendar] = None) -> "Backlog":
        """A backlog from ``to_bytes`` output; business-time bytes need the same calendar."""
        raw = bytes(data)
        buf = (ctypes.c_uint8 * max(1, len(raw))).from_buffer_copy(raw.ljust(1, b"\0"))
        if calendar is not None and not isinstance(calendar, Calendar):
            raise invalid("calendar must be a caremetrics.Calendar")
        cal_ptr = calendar._acquire() if calendar is not None else None
        out = _vp()
        status = lib.cm_backlog_deserialize(buf, len(raw), cal_ptr, None, ctypes.byref(out))
        if status != 0:
            if calendar is not None:
                calendar._release()
            check(status)
        b = object.__new__(cls)
        b._take(out)
        b._holds_calendar = calendar is not None
        s = _Summary()
        check(lib.cm_backlog_info(out, ctypes.byref(s)))
        b.calendar = calendar
        b.groups = int(s.groups)
        b.sketch = not (s.flags & NO_SKETCH)
        b.snapshots = tuple(b.snapshot(j, 0).at for j in range(s.nsnapshots))
        bounds = (ctypes.c_int64 * max(1, s.nbounds))()
        check(lib.cm_backlog_age_bounds(out, bounds, s.nbounds))
        b.age_bounds = tuple(int(x) for x in bounds[: s.nbounds])
        return b

    def merge_bytes(self, data: bytes) -> "Backlog":
        """Merges serialized bytes of a backlog with the same set-up without building it."""
        raw = bytes(data)
        buf = (ctypes.c_uint8 * max(1, len(raw))).from_buffer_copy(raw.ljust(1, b"\0"))
        check(self._call(lib.cm_backlog_merge_serialized, buf, len(raw)))
        return self

    def __reduce__(self) -> Any:
        if self.calendar is not None:
            raise TypeError("a business-time Backlog does not pickle: send to_bytes() and rebuild "
                            "with Backlog.from_bytes(data, calendar)")
        return (_backlog_from_bytes, (self.to_bytes(),))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Backlog):
            return NotImplemented
        return self.to_bytes() == other.to_bytes()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Backlog({len(self.snapshots)} snapshots, {self.groups} groups, {self.tickets} tickets)"


def _backlog_from_bytes(data: bytes) -> Backlog:
    return Backlog.from_bytes(data)


__all__ = ["Backlog", "BacklogPoint", "OPEN", "ALL_GROUPS"]
