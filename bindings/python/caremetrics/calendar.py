"""Time zones, business calendars and business-time arithmetic (caremetrics/calendar.h).

Instants are Unix seconds (int, UTC); durations are whole seconds. Where an
instant is expected, ``datetime``, ``pandas.Timestamp`` and ``datetime64``
values are accepted too (zone-aware exactly, naive as UTC, sub-second parts
floored), and the array forms take datetime64 / timedelta64 columns and
give datetime64 / timedelta64 columns back (docs/python.md).

A :class:`Calendar` is immutable once built and may be shared between
threads; its C object is freed when the Python object is garbage-collected,
on ``close()`` or at the end of a ``with`` block, and never while a call in
another thread is still using it. Calendars and time zones pickle (also
with cloudpickle) by their source text or bytes.
"""

from __future__ import annotations

import ctypes
import datetime as _dt
from typing import Any, Iterable, Optional, Tuple

from . import _convert as cv
from ._handle import Handle
from ._lib import c_status, declare, lib
from .errors import check, parse_error

_i64 = ctypes.c_int64
_i64p = ctypes.POINTER(ctypes.c_int64)
_vp = ctypes.c_void_p


class _ParseError(ctypes.Structure):
    _fields_ = [("line", ctypes.c_uint32), ("column", ctypes.c_uint32), ("message", ctypes.c_char_p)]


class _Civil(ctypes.Structure):
    _fields_ = [
        (f, ctypes.c_int32) for f in ("year", "month", "day", "hour", "minute", "second", "weekday", "yday")
    ]


declare(
    [
        ("cm_tz_load", c_status, [ctypes.c_char_p, ctypes.POINTER(_vp)]),
        ("cm_tz_from_tzif", c_status, [ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(_vp)]),
        ("cm_tz_from_posix", c_status, [ctypes.c_char_p, ctypes.POINTER(_vp)]),
        ("cm_tz_fixed", c_status, [ctypes.c_int32, ctypes.POINTER(_vp)]),
        ("cm_tz_free", None, [_vp]),
        ("cm_tz_utc_offset", c_status, [_vp, _i64, ctypes.POINTER(ctypes.c_int32)]),
        ("cm_tz_to_local", c_status, [_vp, _i64, ctypes.POINTER(_Civil)]),
        ("cm_tz_from_local", c_status, [_vp, ctypes.POINTER(_Civil), _i64p]),
        ("cm_calendar_builder_new", c_status, [ctypes.POINTER(_vp)]),
        ("cm_calendar_builder_free", None, [_vp]),
        ("cm_calendar_builder_set_tz", c_status, [_vp, _vp]),
        ("cm_calendar_builder_add_spec", c_status, [_vp, ctypes.c_char_p, ctypes.POINTER(_ParseError)]),
        ("cm_calendar_builder_build", c_status, [_vp, ctypes.POINTER(_vp)]),
        ("cm_calendar_parse", c_status, [ctypes.c_char_p, ctypes.POINTER(_vp), ctypes.POINTER(_ParseError)]),
        ("cm_calendar_free", None, [_vp]),
        ("cm_calendar_add", c_status, [_vp, _i64, _i64, _i64p]),
        ("cm_calendar_add_roll", c_status, [_vp, _i64, _i64, _i64p]),
        ("cm_calendar_elapsed", c_status, [_vp, _i64, _i64, _i64p]),
        ("cm_calendar_is_open", c_status, [_vp, _i64, ctypes.POINTER(ctypes.c_bool)]),
        ("cm_calendar_next_open", c_status, [_vp, _i64, _i64p]),
        ("cm_calendar_next_close", c_status, [_vp, _i64, _i64p]),
        ("cm_calendar_add_days", c_status, [_vp, _i64, ctypes.c_int32, _i64p]),
        ("cm_calendar_elapsed_many", c_status, [_vp, _i64p, _i64p, ctypes.c_size_t, _i64p]),
        ("cm_calendar_add_many", c_status, [_vp, _i64p, _i64p, ctypes.c_size_t, _i64p]),
    ]
)


class TimeZone(Handle):
    """A time zone: ``TimeZone("America/New_York")`` (IANA, from $TZDIR or
    /usr/share/zoneinfo), ``"UTC"``, ``"+05:30"``; or :meth:`from_tzif`,
    :meth:`from_posix`, :meth:`fixed`.

    Immutable and shareable between threads. Pickles by what it was made
    from (the name, the TZif bytes, the POSIX rule or the offset)."""

    __slots__ = ("name", "_source")
    _free = lib.cm_tz_free

    def __init__(self, name: str) -> None:
        raw = cv.text(name, "name")
        out = _vp()
        check(lib.cm_tz_load(raw, ctypes.byref(out)), f"name = {name!r}")
        self._take(out)
        self.name = name
        self._source: Tuple[Any, ...] = ("name", name)

    @classmethod
    def _made(cls, ptr: _vp, name: str, source: Tuple[Any, ...]) -> "TimeZone":
        tz = object.__new__(cls)
        tz._take(ptr)
        tz.name = name
        tz._source = source
        return tz

    @classmethod
    def from_tzif(cls, data: bytes, name: str = "tzif") -> "TimeZone":
        """A zone from TZif bytes (RFC 8536 v1-v4), e.g. read from a zoneinfo file
        opened in binary mode."""
        raw = cv.data(data, "data")
        label = name if isinstance(name, str) else cv.text(name, "name").decode()
        out = _vp()
        check(lib.cm_tz_from_tzif(raw, len(raw), ctypes.byref(out)), f"data: {len(raw)} bytes")
        return cls._made(out, label, ("tzif", raw, label))

    @classmethod
    def from_posix(cls, rule: str) -> "TimeZone":
        """A zone from a POSIX TZ rule such as ``"EST5EDT,M3.2.0,M11.1.0"``."""
        raw = cv.text(rule, "rule")
        out = _vp()
        check(lib.cm_tz_from_posix(raw, ctypes.byref(out)), f"rule = {rule!r}")
        return cls._made(out, rule, ("posix", rule))

    @classmethod
    def fixed(cls, offset_seconds: int) -> "TimeZone":
        """A zone at a fixed offset east of Greenwich, in seconds."""
        off = cv.i32(offset_seconds, "offset_seconds")
        out = _vp()
        check(lib.cm_tz_fixed(off, ctypes.byref(out)), f"offset_seconds = {off}")
        return cls._made(out, f"{off:+d}s", ("fixed", off))

    def utc_offset(self, t: Any) -> int:
        """Seconds east of Greenwich at instant t."""
        out = ctypes.c_int32()
        check(self._call(lib.cm_tz_utc_offset, cv.instant(t, "t"), ctypes.byref(out)))
        return out.value

    def to_local(self, t: Any) -> Tuple[int, int, int, int, int, int]:
        """(year, month, day, hour, minute, second) of instant t on the local wall clock."""
        c = _Civil()
        check(self._call(lib.cm_tz_to_local, cv.instant(t, "t"), ctypes.byref(c)))
        return (c.year, c.month, c.day, c.hour, c.minute, c.second)

    def from_local(self, year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> int:
        """The instant of a local wall-clock time; a time in a DST gap moves forward by the
        gap, an ambiguous time takes its first occurrence."""
        names = ("year", "month", "day", "hour", "minute", "second")
        c = _Civil(*(cv.i32(v, n) for v, n in zip((year, month, day, hour, minute, second), names)), 0, 0)
        out = ctypes.c_int64()
        check(self._call(lib.cm_tz_from_local, ctypes.byref(c), ctypes.byref(out)))
        return out.value

    def __reduce__(self) -> Any:
        return (_restore_timezone, (self._source,))

    def __repr__(self) -> str:
        return f"TimeZone({self.name!r})"


def _restore_timezone(source: Tuple[Any, ...]) -> TimeZone:
    """Rebuilds a pickled TimeZone from what it was made from."""
    how = source[0]
    if how == "name":
        return TimeZone(source[1])
    if how == "tzif":
        return TimeZone.from_tzif(source[1], source[2])
    if how == "posix":
        return TimeZone.from_posix(source[1])
    if how == "fixed":
        return TimeZone.fixed(source[1])
    raise cv.invalid(f"unknown time zone source {how!r}")


#: What the calendar functions' CM_ERANGE / CM_EOVERFLOW refer to.
_RANGE_NOTE = "instants and results must lie in the years 1 .. 9999"


class Calendar(Handle):
    """A business calendar from the text spec (docs/calendar-spec.md), e.g.::

        Calendar('''
            tz America/New_York
            mon-fri 09:00-17:00
            2025-12-25 closed
        ''')

    ``tz`` overrides (or supplies) the zone with a :class:`TimeZone` object.
    Parse errors raise :class:`ParseError` with ``line`` and ``column``.
    Immutable and shareable between threads; pickles by its spec (and zone).
    """

    __slots__ = ("spec", "_tz")
    _free = lib.cm_calendar_free

    def __init__(self, spec: str, tz: Optional[TimeZone] = None) -> None:
        raw = cv.text(spec, "spec")
        if tz is not None and not isinstance(tz, TimeZone):
            raise cv.invalid(f"tz must be a TimeZone or None, not {type(tz).__name__}")
        err = _ParseError()
        out = _vp()
        if tz is None:
            status = lib.cm_calendar_parse(raw, ctypes.byref(out), ctypes.byref(err))
            if status != 0:
                raise parse_error(status, err)
        else:
            b = _vp()
            check(lib.cm_calendar_builder_new(ctypes.byref(b)))
            try:
                status = lib.cm_calendar_builder_add_spec(b, raw, ctypes.byref(err))
                if status != 0:
                    raise parse_error(status, err)
                check(tz._call(lambda p: lib.cm_calendar_builder_set_tz(b, p)))
                check(lib.cm_calendar_builder_build(b, ctypes.byref(out)))
            finally:
                lib.cm_calendar_builder_free(b)
        self._take(out)
        self.spec = spec
        self._tz = tz

    @property
    def tz(self) -> Optional[TimeZone]:
        """The TimeZone given to the constructor, or None when the spec names the zone."""
        return self._tz

    def _instant(self, fn: Any, *args: Any) -> int:
        out = ctypes.c_int64()
        check(self._call(fn, *args, ctypes.byref(out)), _RANGE_NOTE)
        return out.value

    def add(self, start: Any, seconds: Any) -> int:
        """The earliest instant with `seconds` business seconds after start (negative: before)."""
        return self._instant(lib.cm_calendar_add, cv.instant(start, "start"), cv.seconds(seconds, "seconds"))

    def add_roll(self, start: Any, seconds: Any) -> int:
        """Like add, but a result exactly at a closing rolls to the next opening (pandas)."""
        return self._instant(lib.cm_calendar_add_roll, cv.instant(start, "start"), cv.seconds(seconds, "seconds"))

    def elapsed(self, start: Any, end: Any) -> int:
        """Business seconds of [start, end); negative when end < start."""
        return self._instant(lib.cm_calendar_elapsed, cv.instant(start, "start"), cv.instant(end, "end"))

    def is_open(self, t: Any) -> bool:
        """Whether instant t lies inside business hours (an opening is open, a closing is not)."""
        out = ctypes.c_bool()
        check(self._call(lib.cm_calendar_is_open, cv.instant(t, "t"), ctypes.byref(out)))
        return bool(out.value)

    def next_open(self, t: Any) -> int:
        """The earliest open instant at or after t."""
        return self._instant(lib.cm_calendar_next_open, cv.instant(t, "t"))

    def next_close(self, t: Any) -> int:
        """The end of the period containing t, or of the next one."""
        return self._instant(lib.cm_calendar_next_close, cv.instant(t, "t"))

    def add_days(self, start: Any, days: int) -> int:
        """`days` business days from start's local date, at the same local time, then the
        next open instant."""
        return self._instant(lib.cm_calendar_add_days, cv.instant(start, "start"), cv.i32(days, "days"))

    def elapsed_many(self, start: Any, end: Any) -> Any:
        """Business seconds between each pair of instants.

        ``start`` and ``end`` are columns of instants: int64 Unix seconds
        (read without copying), or datetime64 columns of any unit, zone-aware
        or naive (= UTC). int64 in gives int64 seconds out; datetime64 in gives
        timedelta64 out, NaT where either instant is missing. A pandas Series
        in gives a Series with its index out; otherwise a numpy array."""
        x = cv.in_array(start, "i64", "start", missing=cv.MASK, role="instant")
        y = cv.in_array(end, "i64", "end", missing=cv.MASK, role="instant")
        n = cv.same_length((x, "start"), (y, "end"))
        out, ptr = cv.out_array("i64", n)
        check(self._call(lib.cm_calendar_elapsed_many, x.ptr, y.ptr, n, ptr), _RANGE_NOTE)
        temporal = "timedelta" if (x.temporal or y.temporal) else None
        return cv.wrap(out, (x, y), temporal)

    def add_many(self, start: Any, seconds: Any) -> Any:
        """add() over a column of instants and a column of business seconds (numbers or
        timedelta64). datetime64 instants in give datetime64 out, in the zone of a
        zone-aware Series, NaT where an input is missing; see elapsed_many."""
        x = cv.in_array(start, "i64", "start", missing=cv.MASK, role="instant")
        y = cv.in_array(seconds, "i64", "seconds", missing=cv.MASK, role="duration")
        n = cv.same_length((x, "start"), (y, "seconds"))
        out, ptr = cv.out_array("i64", n)
        check(self._call(lib.cm_calendar_add_many, x.ptr, y.ptr, n, ptr), _RANGE_NOTE)
        return cv.wrap(out, (x, y), "datetime" if x.temporal else None, x.tz)

    def __reduce__(self) -> Any:
        return (_restore_calendar, (self.spec, self._tz))

    def __repr__(self) -> str:
        first = self.spec.strip().splitlines()[0] if self.spec.strip() else ""
        return f"Calendar({first!r}...)"


def _restore_calendar(spec: str, tz: Optional[TimeZone]) -> Calendar:
    """Rebuilds a pickled Calendar from its spec and zone."""
    return Calendar(spec, tz)


def closed_dates_spec(dates: Iterable[Any]) -> str:
    """Calendar spec lines closing each of ``dates``, to append to a spec.

    ``dates`` is any iterable of ``datetime.date`` values (a ``datetime`` is
    taken by its date); a mapping is iterated by its keys, so a country
    calendar of the ``holidays`` package (Debian's ``python3-holidays``)
    works as it is::

        import holidays
        us = holidays.US(years=range(2024, 2027))   # observed days included
        cal = Calendar("tz America/New_York\nmon-fri 09:00-17:00\n" + closed_dates_spec(us))

    Dates are written sorted, once each, as ``YYYY-MM-DD closed`` lines.
    A value that is not a date raises :class:`InvalidArgumentError`."""
    days = set()
    for i, d in enumerate(dates):
        if isinstance(d, _dt.datetime):
            d = d.date()
        if not isinstance(d, _dt.date):
            raise cv.invalid(f"dates[{i}] = {d!r} must be a datetime.date, not {type(d).__name__}")
        days.add(d)
    return "".join(f"{d.year:04d}-{d.month:02d}-{d.day:02d} closed\n" for d in sorted(days))


declare(
    [
        ("cm_calendar_history_parse", c_status, [ctypes.c_char_p, _vp, ctypes.POINTER(_vp), ctypes.POINTER(_ParseError)]),
        ("cm_calendar_history_free", None, [_vp]),
        ("cm_calendar_history_elapsed", c_status, [_vp, _i64, _i64, _i64p]),
        ("cm_calendar_history_add", c_status, [_vp, _i64, _i64, _i64p]),
    ]
)


class CalendarHistory(Handle):
    """A calendar in force from each of a list of instants (docs/sla.md, "Schedules that
    change"): sections of calendar spec, each opened by ``from DATE`` or ``from INSTANT``.
    Immutable and shareable between threads; pickles by its text."""

    __slots__ = ("text",)
    _free = lib.cm_calendar_history_free

    def __init__(self, text: str) -> None:
        raw = cv.text(text, "text")
        err = _ParseError()
        out = _vp()
        status = lib.cm_calendar_history_parse(raw, None, ctypes.byref(out), ctypes.byref(err))
        if status != 0:
            raise parse_error(status, err)
        self._take(out)
        self.text = text

    def elapsed(self, start: Any, end: Any) -> int:
        """Open seconds between two instants, each part on the calendar in force over it."""
        out = _i64()
        check(self._call(lib.cm_calendar_history_elapsed, cv.instant(start, "start"), cv.instant(end, "end"), ctypes.byref(out)))
        return int(out.value)

    def add(self, t: Any, seconds: Any) -> int:
        """The earliest instant at which ``seconds`` open seconds have passed since ``t``."""
        out = _i64()
        check(self._call(lib.cm_calendar_history_add, cv.instant(t, "t"), cv.seconds(seconds, "seconds"), ctypes.byref(out)))
        return int(out.value)

    def __reduce__(self) -> Any:
        return (_restore_calendar_history, (self.text,))

    def __repr__(self) -> str:
        return "CalendarHistory(...)"


def _restore_calendar_history(text: str) -> CalendarHistory:
    """Rebuilds a pickled CalendarHistory from its text."""
    return CalendarHistory(text)
