"""Argument conversion: range checks for integers, zero-copy arrays.

ctypes silently wraps integers that do not fit the C type (``c_uint64(-1)`` is
2**64 - 1), so every integer is checked here before a call. Arrays are passed
without copying when they already hold the C element type contiguously
(numpy arrays, array.array, memoryview, bytearray) and are converted once
otherwise.
"""

from __future__ import annotations

import array
import ctypes
import math
import numbers
from typing import Any, Optional, Tuple

from .errors import STATUS, OutOfRangeError, invalid

try:  # numpy is optional
    import numpy as _np
except ImportError:  # pragma: no cover - exercised only without numpy
    _np = None

HAVE_NUMPY = _np is not None

# kind: (ctypes type, accepted memoryview formats, itemsize, min, max, array.array code)
_KINDS = {
    "u8": (ctypes.c_uint8, ("B",), 1, 0, 2**8 - 1, "B"),
    "i32": (ctypes.c_int32, ("i",), 4, -(2**31), 2**31 - 1, "i"),
    "u32": (ctypes.c_uint32, ("I",), 4, 0, 2**32 - 1, "I"),
    "i64": (ctypes.c_int64, ("q", "l"), 8, -(2**63), 2**63 - 1, "q"),
    "u64": (ctypes.c_uint64, ("Q", "L"), 8, 0, 2**64 - 1, "Q"),
    "f64": (ctypes.c_double, ("d",), 8, None, None, "d"),
}


def integer(x: Any, kind: str, what: str) -> int:
    """x as a Python int that fits the C integer `kind` ("u8", "i32", "u64", ...)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Integral):
        raise invalid(f"{what} must be an integer, not {type(x).__name__}")
    v = int(x)
    lo, hi = _KINDS[kind][3], _KINDS[kind][4]
    if not lo <= v <= hi:
        if kind.startswith("u") and v < 0:
            raise invalid(f"{what} must not be negative")
        raise OutOfRangeError(STATUS["CM_ERANGE"], f"{what} = {v} does not fit {kind}")
    return v


def u64(x: Any, what: str) -> int:
    return integer(x, "u64", what)


def i64(x: Any, what: str) -> int:
    return integer(x, "i64", what)


def u32(x: Any, what: str) -> int:
    return integer(x, "u32", what)


def i32(x: Any, what: str) -> int:
    return integer(x, "i32", what)


def f64(x: Any, what: str) -> float:
    """A real number; NaN and infinities pass through for the library to reject."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise invalid(f"{what} must be a number, not {type(x).__name__}")
    return float(x)


def _format_ok(fmt: str, kind: str) -> bool:
    return fmt.lstrip("@=<") in _KINDS[kind][1]


class InArray:
    """A read-only C view of a Python sequence: ``ptr`` and ``n``, kept alive with the object.

    ``copied`` tells whether the data had to be converted (False means the C
    function reads the caller's memory directly).
    """

    __slots__ = ("ptr", "n", "copied", "_keep")

    def __init__(self, ptr: Any, n: int, copied: bool, keep: Any) -> None:
        self.ptr = ptr
        self.n = n
        self.copied = copied
        self._keep = keep

    @property
    def address(self) -> int:
        """Address of the first element (0 for an empty array)."""
        return ctypes.cast(self.ptr, ctypes.c_void_p).value or 0


def _from_values(values: list, kind: str, what: str, none_value: Optional[int]) -> InArray:
    ctype = _KINDS[kind][0]
    out = []
    for i, v in enumerate(values):
        if v is None or (kind != "f64" and isinstance(v, float) and math.isnan(v)):
            if none_value is None:
                raise invalid(f"{what}[{i}] is missing")
            out.append(none_value)
        elif isinstance(v, bool) and kind != "f64":
            out.append(int(v))  # flags: True / False as 1 / 0
        elif kind == "f64":
            out.append(f64(v, f"{what}[{i}]"))
        elif isinstance(v, float) and v.is_integer():
            out.append(integer(int(v), kind, f"{what}[{i}]"))
        else:
            out.append(integer(v, kind, f"{what}[{i}]"))
    arr = (ctype * len(out))(*out)
    return InArray(ctypes.cast(arr, ctypes.POINTER(ctype)), len(out), True, arr)


def _from_numpy(a: Any, kind: str, what: str, none_value: Optional[int]) -> InArray:
    ctype = _KINDS[kind][0]
    if a.ndim != 1:
        raise invalid(f"{what} must be one-dimensional")
    target = _np.dtype(ctype)
    if a.dtype == _np.bool_ and kind == "u8" and a.flags.c_contiguous:
        a = a.view(_np.uint8)  # booleans are bytes 0/1: a view, not a copy
    if a.dtype == target and a.flags.c_contiguous:
        return InArray(a.ctypes.data_as(ctypes.POINTER(ctype)), int(a.shape[0]), False, a)
    if kind == "f64":
        if a.dtype.kind not in "biuf":
            raise invalid(f"{what} must hold numbers, not {a.dtype}")
        conv = _np.ascontiguousarray(a, dtype=target)
    else:
        src = a
        if a.dtype.kind == "f":
            missing = _np.isnan(a)
            if missing.any():
                if none_value is None:
                    raise invalid(f"{what} has missing values (NaN)")
                src = _np.where(missing, none_value, a)
            if not _np.all(_np.mod(src, 1) == 0):
                raise invalid(f"{what} must hold whole numbers")
        elif a.dtype.kind not in "biu":
            raise invalid(f"{what} must hold integers, not {a.dtype}")
        if src.size:
            lo, hi = _KINDS[kind][3], _KINDS[kind][4]
            if src.min() < lo or src.max() > hi:
                raise OutOfRangeError(STATUS["CM_ERANGE"], f"{what} has values outside {kind}")
        conv = _np.ascontiguousarray(src, dtype=target)
    return InArray(conv.ctypes.data_as(ctypes.POINTER(ctype)), int(conv.shape[0]), True, conv)


def in_array(obj: Any, kind: str, what: str, none_value: Optional[int] = None) -> InArray:
    """Views obj as a C array of `kind`; None (or NaN in integer kinds) becomes none_value."""
    ctype = _KINDS[kind][0]
    if _np is not None and isinstance(obj, _np.ndarray):
        return _from_numpy(obj, kind, what, none_value)
    try:
        mv = memoryview(obj)
    except TypeError:
        mv = None
    if mv is not None:
        if mv.ndim == 1 and mv.c_contiguous and _format_ok(mv.format, kind):
            n = mv.shape[0]
            if n == 0:
                return InArray(None, 0, False, None)
            if not mv.readonly:
                arr = (ctype * n).from_buffer(mv)
                return InArray(ctypes.cast(arr, ctypes.POINTER(ctype)), n, False, (arr, mv))
            arr = (ctype * n).from_buffer_copy(mv)
            return InArray(ctypes.cast(arr, ctypes.POINTER(ctype)), n, True, arr)
        if mv.ndim != 1:
            raise invalid(f"{what} must be one-dimensional")
        return _from_values(mv.tolist(), kind, what, none_value)
    if isinstance(obj, (str, bytes)) or not hasattr(obj, "__iter__"):
        raise invalid(f"{what} must be a sequence of numbers, not {type(obj).__name__}")
    return _from_values(list(obj), kind, what, none_value)


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
