"""Version queries and RFC 3339 time conversion (caremetrics/common.h)."""

from __future__ import annotations

import ctypes

from . import _convert as cv
from ._lib import c_status, declare, lib
from .errors import check

declare(
    [
        ("cm_time_parse", c_status, [ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_int64)]),
        ("cm_time_format", c_status, [ctypes.c_int64, ctypes.c_char_p, ctypes.c_size_t]),
    ]
)

_TIME_FORMAT_SIZE = 21


def version() -> str:
    """Version of the loaded library, ``"MAJOR.MINOR.PATCH"``."""
    return lib.cm_version_string().decode()


def version_number() -> int:
    """Version of the loaded library as ``MAJOR * 10000 + MINOR * 100 + PATCH``."""
    return int(lib.cm_version())


def parse_time(text: str) -> int:
    """Parses an RFC 3339 timestamp (``2025-01-06T09:00:00Z``, offsets, or a bare date)
    into Unix seconds (UTC). Raises ParseError for anything else."""
    raw = cv.text(text, "text")
    out = ctypes.c_int64()
    check(lib.cm_time_parse(raw, len(raw), ctypes.byref(out)), repr(text))
    return out.value


def format_time(t: int) -> str:
    """Formats Unix seconds as ``YYYY-MM-DDTHH:MM:SSZ`` (years 0..9999)."""
    buf = ctypes.create_string_buffer(_TIME_FORMAT_SIZE)
    check(lib.cm_time_format(cv.instant(t, "t"), buf, len(buf)), "t must lie in the years 0 .. 9999")
    return buf.value.decode()
