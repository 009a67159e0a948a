"""The Python side of the C accumulators: add, add_many, merge, +, bytes, pickle, frames.

Accumulators pickle through the library's portable bytes and a module-level
restore function, so they travel between processes and machines with
pickle, cloudpickle (Dask, joblib, Spark) or multiprocessing, and merge to
exactly the single-pass result.
"""

from __future__ import annotations

import ctypes
import math
from typing import Any, ClassVar, Dict, Iterable, List, Optional, Type, TypeVar

from . import _convert as cv
from ._lib import c_status, lib
from .errors import STATUS, check, invalid


def accumulator_prototypes(prefix: str, struct: Any, summary: Any, elem: Any, scalar: Any, confidence: bool = True) -> List[Any]:
    """Prototypes of cm_<prefix>_add/_add_many/_merge/_result/_serialize/_deserialize."""
    p = ctypes.POINTER(struct)
    result_args = [p, ctypes.c_double, ctypes.POINTER(summary)] if confidence else [p, ctypes.POINTER(summary)]
    return [
        (f"cm_{prefix}_add", c_status, [p, scalar]),
        (f"cm_{prefix}_add_many", c_status, [p, ctypes.POINTER(elem), ctypes.c_size_t]),
        (f"cm_{prefix}_merge", c_status, [p, p]),
        (f"cm_{prefix}_result", c_status, result_args),
        (f"cm_{prefix}_serialize", c_status, [p, ctypes.POINTER(ctypes.c_uint8), ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t)]),
        (f"cm_{prefix}_deserialize", c_status, [ctypes.POINTER(ctypes.c_uint8), ctypes.c_size_t, p]),
    ]



_A = TypeVar("_A", bound="Accumulator")


class Accumulator:
    """Shared behaviour of the C accumulators; subclasses name their C prefix and struct."""

    _prefix: ClassVar[str]
    _struct: ClassVar[Type[ctypes.Structure]]
    _elem: ClassVar[str]  # element kind of add_many arrays
    _scalar: ClassVar[str]  # kind of add()'s argument
    _none: ClassVar[Optional[int]] = None  # what None / NaN become in add_many arrays
    _role: ClassVar[Optional[str]] = None  # "duration": timedelta columns are accepted
    _c: Any
    __slots__ = ("_c",)

    def _fn(self, verb: str) -> Any:
        return getattr(lib, f"cm_{self._prefix}_{verb}")

    def add(self: _A, value: Any) -> _A:
        """Records one value; raises OutOfRangeError outside the scale. Returns self."""
        if self._role == "duration":
            v = cv.seconds(value, "value", self._scalar)
        elif self._scalar == "f64":
            v = cv.f64(value, "value")
        else:
            v = cv.integer(value, self._scalar, "value")
        check(self._fn("add")(ctypes.byref(self._c), v), f"value = {value!r}")
        return self

    def add_many(self: _A, values: Iterable[Any]) -> _A:
        """Records a column of values, all or nothing. Returns self.

        Takes numpy arrays, pandas Series (nullable dtypes included), buffers
        and sequences; missing entries (None, NaN, NaT, NA) are skipped. Arrays
        of the C element type are read without copying (docs/python.md)."""
        arr = cv.in_array(values, self._elem, "values", none_value=self._none, missing=cv.SKIP, role=self._role)
        check(self._fn("add_many")(ctypes.byref(self._c), arr.ptr, arr.n))
        return self

    def merge(self: _A, other: _A) -> _A:
        """Adds the contents of another accumulator of the same kind and scale. Returns self."""
        if type(other) is not type(self):
            raise invalid(f"cannot merge {type(other).__name__} into {type(self).__name__}")
        check(self._fn("merge")(ctypes.byref(self._c), ctypes.byref(other._c)))
        return self

    def __iadd__(self: _A, other: _A) -> _A:
        return self.merge(other)

    def __add__(self: _A, other: _A) -> _A:
        if type(other) is not type(self):
            return NotImplemented
        return self.copy().merge(other)

    def copy(self: _A) -> _A:
        """An independent copy."""
        new = object.__new__(type(self))
        new._c = self._struct.from_buffer_copy(self._c)
        return new

    def to_bytes(self) -> bytes:
        """The library's portable serialized form (little-endian, versioned, CRC-checked)."""
        serialize = self._fn("serialize")
        probe = (ctypes.c_uint8 * 1)()
        need = ctypes.c_size_t()
        status = serialize(ctypes.byref(self._c), probe, 0, ctypes.byref(need))
        if status != STATUS["CM_ENOSPC"]:
            check(status)
        buf = (ctypes.c_uint8 * need.value)()
        written = ctypes.c_size_t()
        check(serialize(ctypes.byref(self._c), buf, need.value, ctypes.byref(written)))
        return bytes(buf[: written.value])

    @classmethod
    def from_bytes(cls: Type[_A], data: bytes) -> _A:
        """Reads bytes written by ``to_bytes`` on any machine; ParseError if damaged."""
        raw = bytes(data)
        buf = (ctypes.c_uint8 * max(1, len(raw))).from_buffer_copy(raw.ljust(1, b"\0"))
        new = object.__new__(cls)
        new._c = cls._struct()
        check(getattr(lib, f"cm_{cls._prefix}_deserialize")(buf, len(raw), ctypes.byref(new._c)))
        return new

    def __reduce__(self) -> Any:
        # A module-level function and the class by reference: cloudpickle pickles a
        # bound classmethod by value, dragging the ctypes library along.
        return (_restore, (type(self), self.to_bytes()))

    # ---- pandas --------------------------------------------------------------------

    def _row(self, confidence: float) -> Dict[str, Any]:
        """The tidy fields of the result, NaN (counts 0) where the metric is undefined."""
        raise NotImplementedError

    def _name(self) -> str:
        return type(self).__name__.lower()

    def to_series(self, confidence: Optional[float] = None) -> Any:
        """The result as a pandas Series of tidy fields (``value``, ``lo``, ``hi``,
        ``n``...; see docs/python.md); NaN values and zero counts when empty."""
        import pandas as pd

        return pd.Series(self._row(_confidence(confidence)), name=self._name())

    def to_frame(self, confidence: Optional[float] = None) -> Any:
        """The result as a one-row pandas DataFrame with the columns of to_series()."""
        import pandas as pd

        return pd.DataFrame([self._row(_confidence(confidence))], index=[self._name()])

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.to_bytes() == other.to_bytes()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]  # mutable


def _restore(cls: Type[_A], data: bytes) -> _A:
    """Rebuilds a pickled accumulator of class `cls` from its portable bytes."""
    if not (isinstance(cls, type) and issubclass(cls, Accumulator)):
        raise invalid(f"cannot restore a {cls!r}")
    return cls.from_bytes(data)


def _confidence(confidence: Optional[float]) -> float:
    from .kpi import DEFAULT_CONFIDENCE

    return DEFAULT_CONFIDENCE if confidence is None else cv.f64(confidence, "confidence")


NAN = math.nan


def proportion_fields(p: Any) -> Dict[str, Any]:
    """value, lo, hi, num, den, n of a Proportion (or NaN and zero counts for None)."""
    if p is None:
        return {"value": NAN, "lo": NAN, "hi": NAN, "num": 0, "den": 0, "n": 0}
    return {"value": p.value, "lo": p.lo, "hi": p.hi, "num": p.num, "den": p.den, "n": p.den}
