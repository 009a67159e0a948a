"""Exceptions raised for the library's non-OK statuses.

Every exception carries ``status`` (the ``cm_status`` value), ``name`` (such
as ``"CM_EINVAL"``) and the library's ``cm_strerror`` message. The classes
also derive from the closest built-in exception, so ``except ValueError``
catches bad input as it would anywhere in Python.
"""

from __future__ import annotations

import ctypes
from typing import Dict, Optional, Type

from ._lib import lib


class CaremetricsError(Exception):
    """Base class: a libcaremetrics function returned a non-OK status."""

    status: int
    name: str

    def __init__(self, status: int, detail: Optional[str] = None) -> None:
        self.status = status
        self.name = lib.cm_status_name(status).decode()
        message = lib.cm_strerror(status).decode()
        self.message = message
        super().__init__(f"{self.name}: {message}" + (f" ({detail})" if detail else ""))


class InvalidArgumentError(CaremetricsError, ValueError):
    """CM_EINVAL: NULL, NaN or infinite input, a negative count, inconsistent counts, a bad option."""


class OutOfRangeError(CaremetricsError, ValueError):
    """CM_ERANGE: a value outside its scale, such as an NPS answer of 11."""


class NoDataError(CaremetricsError):
    """CM_ENODATA: the metric is undefined for the data (zero denominator, empty accumulator)."""


class UnstableQueueError(CaremetricsError):
    """CM_EUNSTABLE: the offered load is at or above the number of agents."""


class ParseError(CaremetricsError, ValueError):
    """CM_EPARSE: malformed text or bytes; ``line`` and ``column`` locate text errors (1-based, or 0)."""

    def __init__(
        self, status: int, detail: Optional[str] = None, line: int = 0, column: int = 0
    ) -> None:
        self.line = line
        self.column = column
        where = f"line {line}, column {column}" if line else None
        super().__init__(status, ", ".join(x for x in (where, detail) if x) or None)


class NotFoundError(CaremetricsError, LookupError):
    """CM_ENOTFOUND: a named object, such as a time zone, does not exist."""


class ResultOverflowError(CaremetricsError, OverflowError):
    """CM_EOVERFLOW: a result or count does not fit its type."""


class OutOfMemoryError(CaremetricsError, MemoryError):
    """CM_ENOMEM: the library could not allocate memory."""


class BufferTooSmallError(CaremetricsError):
    """CM_ENOSPC: an output buffer was too small (the bindings size buffers themselves)."""


_BY_NAME: Dict[str, Type[CaremetricsError]] = {
    "CM_EINVAL": InvalidArgumentError,
    "CM_ERANGE": OutOfRangeError,
    "CM_ENODATA": NoDataError,
    "CM_EUNSTABLE": UnstableQueueError,
    "CM_EPARSE": ParseError,
    "CM_ENOTFOUND": NotFoundError,
    "CM_EOVERFLOW": ResultOverflowError,
    "CM_ENOMEM": OutOfMemoryError,
    "CM_ENOSPC": BufferTooSmallError,
}

#: Status values by name, read from the library (``{"CM_OK": 0, "CM_EINVAL": -1, ...}``).
STATUS: Dict[str, int] = {}
for _value in range(0, -64, -1):
    _name = lib.cm_status_name(_value).decode()
    if _name != "CM_UNKNOWN":
        STATUS[_name] = _value
_CLASS_BY_STATUS = {STATUS[n]: cls for n, cls in _BY_NAME.items() if n in STATUS}


def error_for(status: int, detail: Optional[str] = None) -> CaremetricsError:
    """The exception for a non-OK status."""
    cls = _CLASS_BY_STATUS.get(status, CaremetricsError)
    return cls(status, detail)


def check(status: int, detail: Optional[str] = None) -> None:
    """Raises the matching exception unless status is CM_OK."""
    if status != 0:
        raise error_for(status, detail)


def invalid(detail: str) -> InvalidArgumentError:
    """An InvalidArgumentError for input rejected before it reaches C (wrong Python type or width)."""
    return InvalidArgumentError(STATUS["CM_EINVAL"], detail)


def parse_error(status: int, err: ctypes.Structure) -> CaremetricsError:
    """The exception for a parser's status, with line and column from a cm_parse_error."""
    if status == STATUS["CM_EPARSE"]:
        msg = err.message.decode() if err.message else None
        return ParseError(status, msg, int(err.line), int(err.column))
    return error_for(status)
