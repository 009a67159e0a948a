"""Argument conversion: range-checked scalars, and columns as data teams hold them.

ctypes silently wraps integers that do not fit the C type (``c_uint64(-1)``
is 2**64 - 1), so every integer is checked here before a call, and every
error names the argument, its value and the accepted range.

Every array entry point of the package goes through :func:`in_array`, which
accepts numpy arrays, pandas Series and Index objects (numpy-backed,
datetime64 with or without a zone, nullable ``Int*``/``UInt*``/``Float*``/
``boolean``, categorical), buffer-protocol objects (``array.array``,
``memoryview``, ``bytes``, ``bytearray``) and plain sequences. The rules
(also in docs/python.md):

- **Zero copy** when the memory already has the C layout: a one-dimensional,
  contiguous, native-endian array of the C element type (``uint8`` scores,
  ``int64`` seconds, ``float64`` durations, ``bool`` flags), including
  read-only arrays and the numpy array behind a pandas Series, and
  ``datetime64[s]`` instants. Everything else is converted once: other
  dtypes, big-endian or strided arrays, datetime64 in another unit,
  nullable and categorical dtypes, object columns and lists, and any column
  whose missing entries must be filled or dropped.
- **Missing** entries are ``None``, NaN, ``NaT`` and ``pd.NA``. Each entry
  point says what they mean: no answer (survey scores), skipped (durations
  fed to an accumulator), a missing result (calendar arithmetic), or an
  error naming the first missing position.
- **Instants** are int64 seconds since the epoch (UTC). datetime64 columns of
  any unit and ``datetime``/``Timestamp`` objects are accepted where an
  instant is expected: zone-aware values are exact instants; naive values
  are read as UTC (numpy's convention; ``tz_localize`` a local column
  first). Sub-second parts are floored to the second.
- **Durations** are seconds: timedelta64 columns and ``timedelta`` objects
  are accepted where a duration is expected (floored to whole seconds for
  integer durations).
"""

from __future__ import annotations

import array
import ctypes
import datetime as _dt
import math
import numbers
from typing import Any, List, Optional, Sequence, Tuple

from .errors import STATUS, CaremetricsError, OutOfRangeError, error_for, invalid

try:  # numpy is optional
    import numpy as _np
except ImportError:  # pragma: no cover - exercised only without numpy
    _np = None

HAVE_NUMPY = _np is not None

# kind: (ctypes type, accepted memoryview formats, itemsize, min, max, array.array code)
_KINDS = {
    "u8": (ctypes.c_uint8, ("B",), 1, 0, 2**8 - 1, "B"),
    "u16": (ctypes.c_uint16, ("H",), 2, 0, 2**16 - 1, "H"),
    "i32": (ctypes.c_int32, ("i",), 4, -(2**31), 2**31 - 1, "i"),
    "u32": (ctypes.c_uint32, ("I",), 4, 0, 2**32 - 1, "I"),
    "i64": (ctypes.c_int64, ("q", "l"), 8, -(2**63), 2**63 - 1, "q"),
    "u64": (ctypes.c_uint64, ("Q", "L"), 8, 0, 2**64 - 1, "Q"),
    "f64": (ctypes.c_double, ("d",), 8, None, None, "d"),
}

#: What an entry point does with missing entries (None, NaN, NaT, pd.NA).
RAISE = "raise"  # InvalidArgumentError naming the first missing position
SKIP = "skip"  # dropped before the call
MASK = "mask"  # filled with 0 for the call; InArray.missing says where they were

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_NAT = -(2**63)  # NaT as int64


def range_text(kind: str) -> str:
    """The accepted range of an integer kind, as in error messages: ``0 .. 255``."""
    return f"{_KINDS[kind][3]} .. {_KINDS[kind][4]}"


def _out_of_range(what: str, value: Any, lo: int, hi: int) -> CaremetricsError:
    msg = f"{what} = {value} is outside {lo} .. {hi}"
    if lo == 0 and value < 0:  # a negative count: the library's CM_EINVAL
        return invalid(msg)
    return OutOfRangeError(STATUS["CM_ERANGE"], msg)


def integer(x: Any, kind: str, what: str) -> int:
    """x as a Python int that fits the C integer `kind` ("u8", "i32", "u64", ...)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Integral):
        raise invalid(f"{what} must be an integer, not {type(x).__name__}")
    v = int(x)
    lo, hi = _KINDS[kind][3], _KINDS[kind][4]
    if not lo <= v <= hi:
        raise _out_of_range(what, v, lo, hi)
    return v


def u64(x: Any, what: str) -> int:
    """A uint64 argument."""
    return integer(x, "u64", what)


def i64(x: Any, what: str) -> int:
    """An int64 argument."""
    return integer(x, "i64", what)


def u32(x: Any, what: str) -> int:
    """A uint32 argument."""
    return integer(x, "u32", what)


def i32(x: Any, what: str) -> int:
    """An int32 argument."""
    return integer(x, "i32", what)


def f64(x: Any, what: str) -> float:
    """A real number; NaN and infinities pass through for the library to reject."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise invalid(f"{what} must be a number, not {type(x).__name__}")
    return float(x)


def text(x: Any, what: str) -> bytes:
    """A str as the NUL-terminated UTF-8 the library reads.

    An embedded NUL would silently end the C string early (the rest of a
    calendar or policy would be ignored), so it is rejected, as are lone
    surrogates, which have no UTF-8 form."""
    if not isinstance(x, str):
        raise invalid(f"{what} must be a str, not {type(x).__name__}")
    nul = x.find("\0")
    if nul >= 0:
        raise invalid(f"{what} contains a NUL character at index {nul}")
    try:
        return x.encode("utf-8")
    except UnicodeEncodeError as e:
        raise invalid(f"{what} has a character that cannot be encoded as UTF-8 at index {e.start}") from None


def data(x: Any, what: str) -> bytes:
    """Binary data (bytes, bytearray, memoryview, or any buffer) as bytes."""
    if isinstance(x, str):
        raise invalid(f"{what} must be bytes, not str (read the file in binary mode)")
    try:
        return bytes(memoryview(x))
    except TypeError:
        raise invalid(f"{what} must be bytes, not {type(x).__name__}") from None


def _is_missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float):
        return math.isnan(v)
    if _np is not None and isinstance(v, (_np.datetime64, _np.timedelta64)):
        return bool(_np.isnat(v))
    if _is_pandas(v):  # pd.NA, pd.NaT
        return type(v).__name__ in ("NAType", "NaTType")
    return False


def _datetime_seconds(v: Any) -> Optional[int]:
    """Unix seconds (floored) of a datetime-like scalar, or None if it is not one."""
    if _is_pandas(v) and hasattr(v, "value") and type(v).__name__ == "Timestamp":
        return int(v.value) // 10**9  # nanoseconds since the epoch, UTC
    if isinstance(v, _dt.datetime):
        if v.tzinfo is None or v.tzinfo.utcoffset(v) is None:
            v = v.replace(tzinfo=_dt.timezone.utc)  # naive: UTC
        return (v - _EPOCH) // _dt.timedelta(seconds=1)
    if _np is not None and isinstance(v, _np.datetime64):
        return int(v.astype("datetime64[s]").astype(_np.int64))
    return None


def _timedelta_seconds(v: Any) -> Optional[float]:
    if isinstance(v, _dt.timedelta):  # includes pd.Timedelta
        if _is_pandas(v) and hasattr(v, "value"):
            return int(v.value) / 10**9
        return v / _dt.timedelta(seconds=1)
    if _np is not None and isinstance(v, _np.timedelta64):
        return float(v / _np.timedelta64(1, "s"))
    return None


def instant(x: Any, what: str) -> int:
    """An instant as Unix seconds: an int, or a datetime / Timestamp / datetime64
    (zone-aware exactly; naive read as UTC; sub-second parts floored)."""
    if _is_missing(x):
        raise invalid(f"{what} is missing")
    s = _datetime_seconds(x)
    return integer(x if s is None else s, "i64", what)


def seconds(x: Any, what: str, kind: str = "i64") -> Any:
    """A duration in seconds: a number, or a timedelta (floored to whole seconds for ints)."""
    if not isinstance(x, numbers.Real) or isinstance(x, bool):
        s = None if _is_missing(x) else _timedelta_seconds(x)
        if s is None:
            raise invalid(f"{what} must be a number of seconds or a timedelta, not {type(x).__name__}")
        x = s if kind == "f64" else math.floor(s)
    return f64(x, what) if kind == "f64" else integer(x, kind, what)


# ---- argument domains, for messages ------------------------------------------------


class Range:
    """A documented domain of a real argument, used to name the argument a library
    call rejected: ``Range(0, 1, lo_open=True, hi_open=True)`` prints as ``(0, 1)``.
    The library stays the judge; this only explains its verdict."""

    __slots__ = ("lo", "hi", "lo_open", "hi_open")

    def __init__(self, lo: Optional[float] = None, hi: Optional[float] = None, lo_open: bool = False, hi_open: bool = False) -> None:
        self.lo, self.hi, self.lo_open, self.hi_open = lo, hi, lo_open, hi_open

    def __contains__(self, v: Any) -> bool:
        try:
            v = float(v)
        except (TypeError, ValueError):
            return False
        if not math.isfinite(v):
            return False
        if self.lo is not None and (v < self.lo or (self.lo_open and v == self.lo)):
            return False
        if self.hi is not None and (v > self.hi or (self.hi_open and v == self.hi)):
            return False
        return True

    def __str__(self) -> str:
        def num(v: float) -> str:
            return f"{v:g}" if isinstance(v, float) else str(v)

        if self.lo is not None and self.hi is not None:
            return f"{'(' if self.lo_open else '['}{num(self.lo)}, {num(self.hi)}{')' if self.hi_open else ']'}"
        if self.lo is not None:
            return f"{'>' if self.lo_open else '>='} {num(self.lo)}"
        if self.hi is not None:
            return f"{'<' if self.hi_open else '<='} {num(self.hi)}"
        return "finite"


#: Common domains.
POSITIVE = Range(0, None, lo_open=True)
NON_NEGATIVE = Range(0)
FRACTION_OPEN = Range(0, 1, lo_open=True, hi_open=True)
FRACTION_CAP = Range(0, 1, lo_open=True)
FINITE = Range()


def checked(status: int, *args: Tuple[str, Any, Range]) -> None:
    """Raises for a non-OK status, naming the first argument outside its documented
    domain (``target_sl = 80 is outside (0, 1)``), or listing the arguments when each
    is in its own domain and only their combination was refused."""
    if status == 0:
        return
    for name, value, domain in args:
        if value not in domain:
            raise error_for(status, f"{name} = {value!r} is outside {domain}")
    raise error_for(status, ", ".join(f"{n} = {v!r}" for n, v, _ in args) or None)


# ---- columns ------------------------------------------------------------------------


def _is_pandas(obj: Any) -> bool:
    mod = type(obj).__module__
    return mod == "pandas" or mod.startswith("pandas.")


def _pandas() -> Any:
    import pandas

    return pandas


class InArray:
    """A read-only C view of a column: ``ptr`` and ``n``, kept alive with the object.

    ``copied`` tells whether the data had to be converted (False means the C
    function reads the caller's memory directly). ``missing`` is a boolean
    numpy array of the entries that were missing (MASK policy) or None;
    ``index`` the pandas index of a Series argument; ``temporal`` is
    ``"datetime"`` or ``"timedelta"`` for datetime64 / timedelta64 input,
    ``tz`` the zone of a zone-aware column.
    """

    __slots__ = ("ptr", "n", "copied", "missing", "index", "temporal", "tz", "array", "_keep")

    def __init__(self, ptr: Any, n: int, copied: bool, keep: Any) -> None:
        self.ptr = ptr
        self.n = n
        self.copied = copied
        self._keep = keep
        self.array = keep if HAVE_NUMPY and isinstance(keep, _np.ndarray) else None
        self.missing: Any = None
        self.index: Any = None
        self.temporal: Optional[str] = None
        self.tz: Any = None

    @property
    def address(self) -> int:
        """Address of the first element (0 for an empty array)."""
        return ctypes.cast(self.ptr, ctypes.c_void_p).value or 0


# -- without numpy: buffers and sequences ------------------------------------------------


def _format_ok(fmt: str, kind: str) -> bool:
    return fmt.lstrip("@=<") in _KINDS[kind][1]


def _plain_value(v: Any, i: int, kind: str, what: str, role: Optional[str]) -> Any:
    if isinstance(v, bool) and kind != "f64":
        return int(v)  # flags: True / False as 1 / 0
    if role == "instant":
        s = _datetime_seconds(v)
        if s is not None:
            v = s
    elif role == "duration" and not isinstance(v, numbers.Real):
        s = _timedelta_seconds(v)
        if s is not None:
            v = s if kind == "f64" else math.floor(s)
    if kind == "f64":
        return f64(v, f"{what}[{i}]")
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    elif isinstance(v, float):
        raise invalid(f"{what}[{i}] = {v!r} is not a whole number")
    return integer(v, kind, f"{what}[{i}]")


def _plain(obj: Any, kind: str, what: str, none_value: Optional[int], missing: str, role: Optional[str]) -> InArray:
    ctype = _KINDS[kind][0]
    try:
        mv = memoryview(obj)
    except TypeError:
        mv = None
    if mv is not None:
        if mv.ndim != 1:
            raise invalid(f"{what} must be one-dimensional")
        if mv.c_contiguous and _format_ok(mv.format, kind):
            n = mv.shape[0]
            if n == 0:
                return InArray(None, 0, False, None)
            if not mv.readonly:
                arr = (ctype * n).from_buffer(mv)
                return InArray(ctypes.cast(arr, ctypes.POINTER(ctype)), n, False, (arr, mv))
            arr = (ctype * n).from_buffer_copy(mv)
            return InArray(ctypes.cast(arr, ctypes.POINTER(ctype)), n, True, arr)
        values = mv.tolist()
    elif isinstance(obj, (str, bytes)) or not hasattr(obj, "__iter__"):
        raise invalid(f"{what} must be a sequence of numbers, not {type(obj).__name__}")
    else:
        values = list(obj)
    out: List[Any] = []
    gaps: List[bool] = []
    for i, v in enumerate(values):
        if _is_missing(v):
            if none_value is not None:
                out.append(none_value)
                gaps.append(False)
            elif missing == SKIP:
                continue
            elif missing == MASK:
                out.append(0)
                gaps.append(True)
            else:
                raise invalid(f"{what}[{i}] is missing")
            continue
        out.append(_plain_value(v, i, kind, what, role))
        gaps.append(False)
    arr = (ctype * len(out))(*out)
    result = InArray(ctypes.cast(arr, ctypes.POINTER(ctype)), len(out), True, arr)
    if missing == MASK and any(gaps):
        result.missing = gaps
    return result


# -- with numpy ---------------------------------------------------------------------------


def _pandas_values(obj: Any, what: str) -> Tuple[Any, Any, Any, Any, bool]:
    """(numpy array, missing mask or None, index or None, zone, whether the array is a
    fresh conversion rather than pandas' own memory) of a pandas object."""
    pd = _pandas()
    if isinstance(obj, pd.DataFrame):
        raise invalid(f"{what} must be one column, not a DataFrame")
    index = obj.index if isinstance(obj, pd.Series) else None
    if not isinstance(obj, (pd.Series, pd.Index)):
        if not isinstance(obj, pd.api.extensions.ExtensionArray):
            raise invalid(f"{what} must be a column, not {type(obj).__name__}")
        obj = pd.Series(obj, copy=False)
    dtype = obj.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        unit = getattr(dtype, "unit", "ns")
        return obj.to_numpy(dtype=f"datetime64[{unit}]"), None, index, dtype.tz, False  # UTC, no copy
    if isinstance(dtype, pd.CategoricalDtype):
        cat = obj.array if isinstance(obj, pd.Series) else obj.values
        codes = _np.asarray(cat.codes)
        cats = _np.asarray(cat.categories)
        gaps = codes < 0
        if cats.size == 0:
            values = _np.zeros(codes.shape, dtype=_np.int64)
        else:
            values = cats.take(_np.where(gaps, 0, codes))
        return values, (gaps if gaps.any() else None), index, None, True
    if isinstance(dtype, _np.dtype):
        return obj.to_numpy(copy=False), None, index, None, False
    numpy_dtype = getattr(dtype, "numpy_dtype", None)
    if numpy_dtype is not None and getattr(dtype, "kind", "O") in "biuf":  # nullable masked dtypes
        gaps = _np.asarray(obj.isna())
        fill = False if dtype.kind == "b" else 0
        values = obj.to_numpy(dtype=numpy_dtype, na_value=fill)  # the values buffer when nothing is missing
        return values, (gaps if gaps.any() else None), index, None, bool(gaps.any())
    return obj.to_numpy(dtype=object, na_value=None), None, index, None, True


def _objects(values: Any, what: str) -> Tuple[Any, Any]:
    """An object array (lists, object columns) as a typed array and its missing mask."""
    n = len(values)
    gaps = _np.zeros(n, dtype=bool)
    ints: List[Any] = [0] * n
    kinds = set()
    for i, v in enumerate(values):
        if _is_missing(v):
            gaps[i] = True
            continue
        if isinstance(v, (bool, _np.bool_)):
            ints[i] = int(v)
            kinds.add("int")
        elif isinstance(v, numbers.Integral):
            ints[i] = int(v)
            kinds.add("int")
        elif isinstance(v, numbers.Real):
            ints[i] = float(v)
            kinds.add("float")
        else:
            s = _datetime_seconds(v)
            if s is not None:
                ints[i] = s
                kinds.add("datetime")
                continue
            d = _timedelta_seconds(v)
            if d is not None:
                ints[i] = d
                kinds.add("timedelta")
                continue
            raise invalid(f"{what}[{i}] = {v!r} is not a number")
    if len(kinds & {"datetime", "timedelta"}) and len(kinds) > 1:
        raise invalid(f"{what} mixes {' and '.join(sorted(kinds))} values")
    if kinds == {"datetime"}:
        return _np.array(ints, dtype=_np.int64).view("datetime64[s]"), gaps
    if kinds == {"timedelta"}:
        secs = _np.array(ints, dtype=_np.float64)
        whole = _np.floor(secs)
        if (secs == whole).all():
            return whole.astype(_np.int64).view("timedelta64[s]"), gaps
        return (secs * 1e9).round().astype(_np.int64).view("timedelta64[ns]"), gaps
    if "float" in kinds:
        if not all(float(v).is_integer() for v, g in zip(ints, gaps) if not g):
            return _np.array(ints, dtype=_np.float64), gaps
        ints = [int(v) for v in ints]  # whole numbers: keep big integers exact
    big = [v for v in ints if v > 2**63 - 1]
    if big:
        small = [v for v in ints if v < 0]
        if small:
            i = next(i for i, v in enumerate(ints) if v > 2**63 - 1)
            raise OutOfRangeError(STATUS["CM_ERANGE"], f"{what}[{i}] = {ints[i]} does not fit 64 bits with negative values")
        for i, v in enumerate(ints):
            if v > 2**64 - 1:
                raise OutOfRangeError(STATUS["CM_ERANGE"], f"{what}[{i}] = {v} is outside 0 .. {2**64 - 1}")
        return _np.array(ints, dtype=_np.uint64), gaps
    for i, v in enumerate(ints):
        if v < -(2**63):
            raise OutOfRangeError(STATUS["CM_ERANGE"], f"{what}[{i}] = {v} is outside {-(2**63)} .. {2**64 - 1}")
    return _np.array(ints, dtype=_np.int64), gaps


def _as_numpy(obj: Any, what: str) -> Tuple[Any, Any, Any, Any, Any]:
    """(array, missing mask, index, zone, the caller's own memory or None)."""
    if _is_pandas(obj):
        a, gaps, index, tz, fresh = _pandas_values(obj, what)
        own = None if fresh else a
    elif isinstance(obj, _np.ndarray):
        a, gaps, index, tz, own = obj, None, None, None, obj
    else:
        try:
            mv = memoryview(obj)
        except TypeError:
            mv = None
        if mv is not None:
            try:
                a = _np.asarray(mv)  # zero copy, read-only buffers included
            except (TypeError, ValueError):
                a = _np.array(mv.tolist(), dtype=object)
            gaps, index, tz, own = None, None, None, a
        elif isinstance(obj, str) or not hasattr(obj, "__iter__"):
            raise invalid(f"{what} must be a sequence of numbers, not {type(obj).__name__}")
        else:
            values = list(obj)
            a = _np.empty(len(values), dtype=object)
            a[:] = values
            gaps, index, tz, own = None, None, None, None
    if a.ndim != 1:
        raise invalid(f"{what} must be one-dimensional, not of shape {a.shape}")
    if a.dtype == object:
        a, more = _objects(a, what)
        gaps = more if gaps is None else (gaps | more)
        own = None
    return a, gaps, index, tz, own


def _time_seconds(a: Any, kind: str, what: str) -> Any:
    """datetime64 / timedelta64 as seconds: int64 floored, or float64 for durations."""
    code = "datetime64" if a.dtype.kind == "M" else "timedelta64"
    if not a.dtype.isnative:
        a = a.astype(a.dtype.newbyteorder("="))
    unit, count = _np.datetime_data(a.dtype)
    step = _np.timedelta64(count, unit)
    second = _np.timedelta64(1, "s")
    if kind == "f64":
        ticks = a.view(_np.int64).astype(_np.float64)
        # Divide by the ticks per second (exactly rounded) rather than multiply by its inverse.
        return ticks / (second / step) if step < second else ticks * (step / second)
    if unit == "s" and count == 1:
        return a.view(_np.int64)  # a view: datetime64[s] is int64 seconds
    out = a.astype(f"{code}[s]")  # floors finer units
    if step > second:
        # Coarser units are multiplied: check that nothing wrapped around.
        nat = _np.isnat(a)
        bad = (out.astype(a.dtype) != a) & ~nat
        if bad.any():
            i = int(_np.argmax(bad))
            raise OutOfRangeError(STATUS["CM_ERANGE"], f"{what}[{i}] = {a[i]} does not fit int64 seconds")
    return out.view(_np.int64)


def _fits(a: Any, lo: int, hi: int) -> bool:
    """Whether every entry of a numeric array lies in [lo, hi] (floats: below hi + 1)."""
    if a.dtype.kind == "f":
        return bool(a.min() >= float(lo) and a.max() < float(hi + 1))
    if a.dtype.kind == "b":
        return True
    info = _np.iinfo(a.dtype)
    return (lo <= info.min or int(a.min()) >= lo) and (hi >= info.max or int(a.max()) <= hi)


def _finish(a: Any, gaps: Any, kind: str, what: str, none_value: Optional[int], missing: str, role: Optional[str]) -> Tuple[Any, Any, Optional[str]]:
    """Typed, range-checked, contiguous array of `kind`, and the mask left for MASK."""
    temporal = None
    if a.dtype.kind in "Mm":
        temporal = "datetime" if a.dtype.kind == "M" else "timedelta"
        wanted = "instant" if temporal == "datetime" else "duration"
        if role != wanted:
            takes = {"instant": "instants", "duration": "durations in seconds"}.get(role or "", "numbers")
            raise invalid(f"{what} holds {a.dtype} values but takes {takes}")
        if not a.dtype.isnative:
            a = a.astype(a.dtype.newbyteorder("="))
        if a.size and int(a.view(_np.int64).min()) == _NAT:  # one reduction; NaT is the minimum
            nat = _np.isnat(a)
            gaps = nat if gaps is None else (gaps | nat)
        a = _time_seconds(a, kind, what)
    elif a.dtype.kind not in "biuf":
        raise invalid(f"{what} must hold numbers, not {a.dtype}")
    if a.dtype.kind == "f" and a.size and _np.isnan(a.min()):  # min propagates NaN
        nan = _np.isnan(a)
        gaps = nan if gaps is None else (gaps | nan)
    if gaps is not None and not gaps.any():
        gaps = None
    left = None
    if gaps is not None:
        if none_value is not None:
            a = _np.where(gaps, none_value, a)
        elif missing == SKIP:
            a = a[~gaps]
        elif missing == MASK:
            a = _np.where(gaps, 0, a)
            left = gaps
        else:
            raise invalid(f"{what}[{int(_np.argmax(gaps))}] is missing")
    ctype = _KINDS[kind][0]
    target = _np.dtype(ctype)
    if kind != "f64":
        if a.dtype == _np.bool_:
            a = a.view(_np.uint8) if kind == "u8" else a.astype(target)
        elif a.dtype.kind == "f":
            whole = _np.floor(a) == a  # False for infinities
            if not whole.all():
                i = int(_np.argmax(~whole))
                raise invalid(f"{what}[{i}] = {a[i]!r} is not a whole number")
        lo, hi = _KINDS[kind][3], _KINDS[kind][4]
        if a.size and a.dtype != target and not _fits(a, lo, hi):
            # Only now find the first offending entry (two reductions were enough to know).
            if a.dtype.kind == "f":
                bad = (a < float(lo)) | (a >= float(hi + 1))
            else:
                info = _np.iinfo(a.dtype)
                bad = _np.zeros(a.shape, dtype=bool)
                if lo > info.min:
                    bad |= a < lo
                if hi < info.max:
                    bad |= a > hi
            if bad.any():
                i = int(_np.argmax(bad))
                v = a[i]
                raise _out_of_range(f"{what}[{i}]", int(v) if a.dtype.kind != "f" else float(v), lo, hi)
    # Contiguous and aligned for C (a buffer at an odd offset is copied).
    return _np.require(a, dtype=target, requirements=["C", "A"]), left, temporal


def in_array(
    obj: Any,
    kind: str,
    what: str,
    none_value: Optional[int] = None,
    missing: str = RAISE,
    role: Optional[str] = None,
) -> InArray:
    """Views a column as a C array of `kind` ("u8", "i64", "f64", ...).

    Missing entries become `none_value` when given (survey scores), else
    follow `missing` (RAISE, SKIP or MASK). `role` is "instant" where
    datetime64 / datetime values are accepted (as Unix seconds) or
    "duration" where timedelta64 / timedelta values are (as seconds)."""
    if _np is None:
        return _plain(obj, kind, what, none_value, missing, role)
    a, gaps, index, tz, own = _as_numpy(obj, what)
    conv, left, temporal = _finish(a, gaps, kind, what, none_value, missing, role)
    ctype = _KINDS[kind][0]
    copied = own is None or conv.size == 0 or not _np.may_share_memory(conv, own)
    result = InArray(conv.ctypes.data_as(ctypes.POINTER(ctype)), int(conv.shape[0]), copied, conv)
    result.missing = left
    result.index = index
    result.temporal = temporal
    result.tz = tz
    return result


def same_length(*arrays: Tuple[InArray, str]) -> int:
    """The common length of several InArrays, or InvalidArgumentError naming the two that differ."""
    (first, fname) = arrays[0]
    for arr, name in arrays[1:]:
        if arr.n != first.n:
            raise invalid(f"{fname} has {first.n} entries but {name} has {arr.n}")
    return first.n


def out_array(kind: str, n: int) -> Tuple[Any, Any]:
    """A fresh output array (numpy when available, else array.array) and its C pointer."""
    ctype = _KINDS[kind][0]
    if _np is not None:
        a = _np.zeros(n, dtype=_np.dtype(ctype))
        return a, a.ctypes.data_as(ctypes.POINTER(ctype))
    a = array.array(_KINDS[kind][5], bytes(_KINDS[kind][2] * n))
    if n == 0:
        return a, None
    return a, ctypes.cast((ctype * n).from_buffer(a), ctypes.POINTER(ctype))


def _union(masks: Sequence[Any]) -> Any:
    out = None
    for m in masks:
        if m is None:
            continue
        m = _np.asarray(m, dtype=bool) if _np is not None else m
        out = m if out is None else (out | m)
    return out


def wrap(out: Any, inputs: Sequence[InArray], temporal: Optional[str] = None, tz: Any = None) -> Any:
    """An output column shaped like its inputs.

    ``temporal`` "datetime" makes int64 seconds a datetime64 column (in zone
    `tz` for pandas), "timedelta" a timedelta64 column; missing inputs give
    NaT there, and NaN (numpy) or NA (pandas ``Int64``) in plain numbers. A
    pandas Series input gives a Series with its index."""
    gaps = _union([a.missing for a in inputs])
    index = next((a.index for a in inputs if a.index is not None), None)
    if _np is None:
        if gaps is not None:  # pragma: no cover - needs numpy for missing entries
            raise invalid("missing entries need numpy")
        return out
    if temporal is not None:
        res = out.view("datetime64[s]" if temporal == "datetime" else "timedelta64[s]")
        if gaps is not None:
            res[gaps] = _np.datetime64("NaT") if temporal == "datetime" else _np.timedelta64("NaT")
    else:
        res = out
    if index is None:
        if gaps is not None and temporal is None:
            res = res.astype(_np.float64)
            res[gaps] = _np.nan
        return res
    pd = _pandas()
    if temporal is None and gaps is not None:
        series = pd.Series(pd.array(res, dtype="Int64" if res.dtype.kind == "i" else None), index=index)
        series[gaps] = pd.NA
        return series
    series = pd.Series(res, index=index, copy=False)
    if temporal == "datetime" and tz is not None:
        series = series.dt.tz_localize("UTC").dt.tz_convert(tz)
    return series


# ---- keys --------------------------------------------------------------------------------


def factorize(keys: Any, what: str, keep_dtype: bool = False) -> Tuple[Any, Any]:
    """Integer codes of a key column (categorical, object, string or numbers) and the
    labels they stand for: ``codes[i]`` indexes ``labels``; missing keys get -1.
    Categorical columns reuse their codes and categories (unobserved categories
    included); other columns are factorized in order of first appearance. Codes are
    int64, or with `keep_dtype` the categorical's own codes (int8 for up to 127
    categories), read in place."""
    if _np is None:  # pragma: no cover - keys need numpy
        raise invalid(f"{what}: key columns need numpy")
    pd = _pandas()
    if isinstance(keys, pd.DataFrame):
        raise invalid(f"{what} must be one column, not a DataFrame")
    if isinstance(getattr(keys, "dtype", None), pd.CategoricalDtype):
        cat = keys.array if isinstance(keys, pd.Series) else getattr(keys, "values", keys)
        return _np.asarray(cat.codes, dtype=None if keep_dtype else _np.int64), cat.categories
    if isinstance(keys, (str, bytes)) or not hasattr(keys, "__len__"):
        raise invalid(f"{what} must be a column of keys, not {type(keys).__name__}")
    if not _is_pandas(keys) and not isinstance(keys, _np.ndarray):
        column = _np.empty(len(keys), dtype=object)
        column[:] = list(keys)
        keys = column
    if getattr(keys, "ndim", 1) != 1:
        raise invalid(f"{what} must be one-dimensional")
    codes, labels = pd.factorize(keys, sort=False)
    return _np.asarray(codes, dtype=_np.int64), labels


def names(values: Any, table: dict, what: str) -> Any:
    """An integer column from a column of codes or of names (categorical, object or
    string), each name looked up in `table` (name -> code; case, ``-`` and ``_`` are
    ignored). Unknown names raise InvalidArgumentError listing the accepted ones."""
    if _np is None:  # pragma: no cover
        raise invalid(f"{what}: named columns need numpy")
    if getattr(getattr(values, "dtype", None), "kind", "O") in "biuf":
        return values  # codes: checked by in_array
    codes, labels = factorize(values, what)
    lookup = {_key(k): v for k, v in table.items()}
    mapped = _np.empty(len(labels), dtype=_np.int64)
    for j, label in enumerate(labels):
        if isinstance(label, numbers.Integral) and not isinstance(label, bool):
            mapped[j] = int(label)
            continue
        if isinstance(label, str) and _key(label) in lookup:
            mapped[j] = lookup[_key(label)]
            continue
        accepted = ", ".join(sorted(table))
        raise invalid(f"{what} has {label!r}, which is none of: {accepted}")
    if (codes < 0).any():
        raise invalid(f"{what}[{int(_np.argmax(codes < 0))}] is missing")
    return mapped.take(codes) if len(mapped) else _np.zeros(len(codes), dtype=_np.int64)


def _key(name: str) -> str:
    return name.strip().lower().replace("_", "-")
