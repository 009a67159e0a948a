"""Time zones, business calendars and business-time arithmetic (caremetrics/calendar.h).

Instants are Unix seconds (int, UTC); durations are whole seconds. A
:class:`Calendar` is immutable once built and may be shared between threads;
its C object is freed when the Python object is garbage-collected (or on
``close()``, or at the end of a ``with`` block).
"""

from __future__ import annotations

import ctypes
from typing import Any, Optional, Tuple

from . import _convert as cv
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


class _Handle:
    """Owns one C object and frees it exactly once."""

    __slots__ = ("_ptr",)
    _free: Any = None

    def _take(self, ptr: _vp) -> None:
        self._ptr = ptr

    def close(self) -> None:
        """Frees the C object now; the Python object is unusable afterwards."""
        ptr, self._ptr = getattr(self, "_ptr", None), None
        if ptr:
            type(self)._free(ptr)

    def __del__(self) -> None:
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _p(self) -> _vp:
        if not getattr(self, "_ptr", None):
            raise cv.invalid(f"{type(self).__name__} is closed")
        return self._ptr


class TimeZone(_Handle):
    """A time zone: ``TimeZone("America/New_York")`` (IANA, from $TZDIR or
    /usr/share/zoneinfo), ``"UTC"``, ``"+05:30"``; or :meth:`from_tzif`,
    :meth:`from_posix`, :meth:`fixed`."""

    __slots__ = ("name",)
    _free = lib.cm_tz_free

    def __init__(self, name: str) -> None:
        if not isinstance(name, str):
            raise cv.invalid("name must be a str")
        out = _vp()
        check(lib.cm_tz_load(name.encode(), ctypes.byref(out)), repr(name))
        self._take(out)
        self.name = name

    @classmethod
    def _made(cls, ptr: _vp, name: str) -> "TimeZone":
        tz = object.__new__(cls)
        tz._take(ptr)
        tz.name = name
        return tz

    @classmethod
    def from_tzif(cls, data: bytes, name: str = "tzif") -> "TimeZone":
        """A zone from TZif bytes (RFC 8536 v1-v4), e.g. read from a zoneinfo file."""
        raw = bytes(data)
        out = _vp()
        check(lib.cm_tz_from_tzif(raw, len(raw), ctypes.byref(out)))
        return cls._made(out, name)

    @classmethod
    def from_posix(cls, rule: str) -> "TimeZone":
        """A zone from a POSIX TZ rule such as ``"EST5EDT,M3.2.0,M11.1.0"``."""
        out = _vp()
        check(lib.cm_tz_from_posix(rule.encode(), ctypes.byref(out)), repr(rule))
        return cls._made(out, rule)

    @classmethod
    def fixed(cls, offset_seconds: int) -> "TimeZone":
        """A zone at a fixed offset east of Greenwich, in seconds."""
        out = _vp()
        check(lib.cm_tz_fixed(cv.i32(offset_seconds, "offset_seconds"), ctypes.byref(out)))
        return cls._made(out, f"{offset_seconds:+d}s")

    def utc_offset(self, t: int) -> int:
        """Seconds east of Greenwich at instant t."""
        out = ctypes.c_int32()
        check(lib.cm_tz_utc_offset(self._p(), cv.i64(t, "t"), ctypes.byref(out)))
        return out.value

    def to_local(self, t: int) -> Tuple[int, int, int, int, int, int]:
        """(year, month, day, hour, minute, second) of instant t on the local wall clock."""
        c = _Civil()
        check(lib.cm_tz_to_local(self._p(), cv.i64(t, "t"), ctypes.byref(c)))
        return (c.year, c.month, c.day, c.hour, c.minute, c.second)

    def from_local(self, year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> int:
        """The instant of a local wall-clock time; a time in a DST gap moves forward by the
        gap, an ambiguous time takes its first occurrence."""
        c = _Civil(*(cv.i32(v, n) for v, n in zip((year, month, day, hour, minute, second), ("year", "month", "day", "hour", "minute", "second"))), 0, 0)
        out = ctypes.c_int64()
        check(lib.cm_tz_from_local(self._p(), ctypes.byref(c), ctypes.byref(out)))
        return out.value

    def __repr__(self) -> str:
        return f"TimeZone({self.name!r})"


class Calendar(_Handle):
    """A business calendar from the text spec (docs/calendar-spec.md), e.g.::

        Calendar('''
            tz America/New_York
            mon-fri 09:00-17:00
            2025-12-25 closed
        ''')

    ``tz`` overrides (or supplies) the zone with a :class:`TimeZone` object.
    Parse errors raise :class:`ParseError` with ``line`` and ``column``.
    """

    __slots__ = ("spec",)
    _free = lib.cm_calendar_free

    def __init__(self, spec: str, tz: Optional[TimeZone] = None) -> None:
        if not isinstance(spec, str):
            raise cv.invalid("spec must be a str")
        err = _ParseError()
        out = _vp()
        if tz is None:
            status = lib.cm_calendar_parse(spec.encode(), ctypes.byref(out), ctypes.byref(err))
            if status != 0:
                raise parse_error(status, err)
        else:
            b = _vp()
            check(lib.cm_calendar_builder_new(ctypes.byref(b)))
            try:
                status = lib.cm_calendar_builder_add_spec(b, spec.encode(), ctypes.byref(err))
                if status != 0:
                    raise parse_error(status, err)
                check(lib.cm_calendar_builder_set_tz(b, tz._p()))
                check(lib.cm_calendar_builder_build(b, ctypes.byref(out)))
            finally:
                lib.cm_calendar_builder_free(b)
        self._take(out)
        self.spec = spec

    def _instant(self, fn: Any, *args: Any) -> int:
        out = ctypes.c_int64()
        check(fn(self._p(), *args, ctypes.byref(out)))
        return out.value

    def add(self, start: int, seconds: int) -> int:
        """The earliest instant with `seconds` business seconds after start (negative: before)."""
        return self._instant(lib.cm_calendar_add, cv.i64(start, "start"), cv.i64(seconds, "seconds"))

    def add_roll(self, start: int, seconds: int) -> int:
        """Like add, but a result exactly at a closing rolls to the next opening (pandas)."""
        return self._instant(lib.cm_calendar_add_roll, cv.i64(start, "start"), cv.i64(seconds, "seconds"))

    def elapsed(self, start: int, end: int) -> int:
        """Business seconds of [start, end); negative when end < start."""
        return self._instant(lib.cm_calendar_elapsed, cv.i64(start, "start"), cv.i64(end, "end"))

    def is_open(self, t: int) -> bool:
        """Whether instant t lies inside business hours (an opening is open, a closing is not)."""
        out = ctypes.c_bool()
        check(lib.cm_calendar_is_open(self._p(), cv.i64(t, "t"), ctypes.byref(out)))
        return bool(out.value)

    def next_open(self, t: int) -> int:
        """The earliest open instant at or after t."""
        return self._instant(lib.cm_calendar_next_open, cv.i64(t, "t"))

    def next_close(self, t: int) -> int:
        """The end of the period containing t, or of the next one."""
        return self._instant(lib.cm_calendar_next_close, cv.i64(t, "t"))

    def add_days(self, start: int, days: int) -> int:
        """`days` business days from start's local date, at the same local time, then the
        next open instant."""
        return self._instant(lib.cm_calendar_add_days, cv.i64(start, "start"), cv.i32(days, "days"))

    def _many(self, fn: Any, a: Any, b: Any, an: str, bn: str) -> Any:
        x = cv.in_array(a, "i64", an)
        y = cv.in_array(b, "i64", bn)
        if x.n != y.n:
            raise cv.invalid(f"{an} has {x.n} entries but {bn} has {y.n}")
        out, ptr = cv.out_array("i64", x.n)
        check(fn(self._p(), x.ptr, y.ptr, x.n, ptr))
        return out

    def elapsed_many(self, start: Any, end: Any) -> Any:
        """Business seconds of each pair; int64 arrays are read without copying, and the
        result is a numpy array when numpy is present."""
        return self._many(lib.cm_calendar_elapsed_many, start, end, "start", "end")

    def add_many(self, start: Any, seconds: Any) -> Any:
        """add() over arrays of start instants and business seconds."""
        return self._many(lib.cm_calendar_add_many, start, seconds, "start", "seconds")

    def __repr__(self) -> str:
        first = self.spec.strip().splitlines()[0] if self.spec.strip() else ""
        return f"Calendar({first!r}...)"
