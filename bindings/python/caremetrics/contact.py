"""Real-time channel interval counters and the six service-level definitions (caremetrics/contact.h)."""

from __future__ import annotations

import ctypes
import enum
from typing import Any, Optional, Tuple

from . import _convert as cv
from ._accumulator import Accumulator
from ._lib import c_status, check_layouts, declare, lib
from .errors import check, error_for

_f64 = ctypes.c_double
_f64p = ctypes.POINTER(ctypes.c_double)
_u64 = ctypes.c_uint64


class SlVariant(enum.IntEnum):
    """The industry's service-level definitions (formulas in docs/contact.md)."""

    ANSWERED_ONLY = 0
    ABANDONS_AGAINST = 1
    ABANDONS_BEFORE_T_IGNORED = 2
    ABANDONS_BEFORE_T_MET = 3
    SHORT_ABANDONS_MET = 4
    SHORT_ABANDONS_EXCLUDED = 5


class _Contact(ctypes.Structure):
    _fields_ = [("target_ms", ctypes.c_uint32), ("short_abandon_ms", ctypes.c_uint32)] + [
        (f, _u64)
        for f in (
            "offered",
            "answered",
            "answered_within",
            "abandoned",
            "abandoned_within",
            "abandoned_short",
            "answered_wait_ms",
            "abandoned_wait_ms",
            "handle_ms",
        )
    ]


_P = ctypes.POINTER(_Contact)
declare(
    [
        ("cm_contact_sizeof", ctypes.c_size_t, [ctypes.c_char_p]),
        ("cm_contact_init", c_status, [_P, _f64, _f64]),
        ("cm_contact_add", c_status, [_P, _f64, _f64, ctypes.c_bool]),
        ("cm_contact_add_many", c_status, [_P, _f64p, _f64p, ctypes.POINTER(ctypes.c_uint8), ctypes.c_size_t]),
        ("cm_contact_merge", c_status, [_P, _P]),
        ("cm_contact_service_level_counts", c_status, [_P, ctypes.c_int, ctypes.POINTER(_u64), ctypes.POINTER(_u64)]),
        ("cm_contact_service_level", c_status, [_P, ctypes.c_int, _f64p]),
        ("cm_contact_abandonment_rate", c_status, [_P, ctypes.c_bool, _f64p]),
        ("cm_contact_asa", c_status, [_P, _f64p]),
        ("cm_contact_aht", c_status, [_P, _f64p]),
        ("cm_contact_abandon_time", c_status, [_P, _f64p]),
        ("cm_contact_occupancy", c_status, [_P, _f64, _f64p]),
        ("cm_contact_serialize", c_status, [_P, ctypes.POINTER(ctypes.c_uint8), ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t)]),
        ("cm_contact_deserialize", c_status, [ctypes.POINTER(ctypes.c_uint8), ctypes.c_size_t, _P]),
    ]
)
check_layouts(lib.cm_contact_sizeof, [("cm_contact", _Contact)])


def _variant(v: Any) -> int:
    try:
        return int(SlVariant(v))
    except (ValueError, TypeError):
        accepted = ", ".join(f"{m.name} ({m.value})" for m in SlVariant)
        raise cv.invalid(f"variant = {v!r} is none of {accepted}") from None


class Contacts(Accumulator):
    """Counters of one queue interval: offered, answered (within T), abandoned (within T,
    short), total waits and handle time. ``Contacts()`` uses the library's default
    thresholds; merge, ``+``, bytes and pickle work as for the other accumulators."""

    _prefix = "contact"
    _struct = _Contact
    __slots__ = ()

    def __init__(self, target_seconds: Optional[float] = None, short_abandon_seconds: Optional[float] = None) -> None:
        self._c = _Contact()
        if target_seconds is not None or short_abandon_seconds is not None:
            if target_seconds is None or short_abandon_seconds is None:
                raise cv.invalid("give target_seconds and short_abandon_seconds together, or neither")
            t = cv.seconds(target_seconds, "target_seconds", "f64")
            sa = cv.seconds(short_abandon_seconds, "short_abandon_seconds", "f64")
            status = lib.cm_contact_init(ctypes.byref(self._c), t, sa)
            if status != 0 and t in cv.NON_NEGATIVE and sa in cv.NON_NEGATIVE:
                raise error_for(status, f"short_abandon_seconds = {sa!r} must not exceed target_seconds = {t!r}")
            cv.checked(status, ("target_seconds", t, cv.NON_NEGATIVE), ("short_abandon_seconds", sa, cv.NON_NEGATIVE))

    def add(self, wait_seconds: float, handle_seconds: float = 0.0, abandoned: bool = False) -> "Contacts":  # type: ignore[override]
        """Records one contact. Returns self."""
        w = cv.seconds(wait_seconds, "wait_seconds", "f64")
        h = cv.seconds(handle_seconds, "handle_seconds", "f64")
        cv.checked(
            lib.cm_contact_add(ctypes.byref(self._c), w, h, bool(abandoned)),
            ("wait_seconds", w, cv.NON_NEGATIVE),
            ("handle_seconds", h, cv.NON_NEGATIVE),
        )
        return self

    def add_many(self, wait_seconds: Any, handle_seconds: Any, abandoned: Any) -> "Contacts":  # type: ignore[override]
        """Records parallel columns of contacts, all or nothing: waits and handle times in
        seconds (float64, or timedelta64) and outcome flags (bool/uint8, nonzero =
        abandoned). A missing entry raises InvalidArgumentError naming its position."""
        w = cv.in_array(wait_seconds, "f64", "wait_seconds", role="duration")
        h = cv.in_array(handle_seconds, "f64", "handle_seconds", role="duration")
        a = cv.in_array(abandoned, "u8", "abandoned")
        cv.same_length((w, "wait_seconds"), (h, "handle_seconds"), (a, "abandoned"))
        check(lib.cm_contact_add_many(ctypes.byref(self._c), w.ptr, h.ptr, a.ptr, w.n))
        return self

    def service_level(self, variant: SlVariant = SlVariant.ABANDONS_AGAINST) -> float:
        """Service level under one of the six definitions."""
        out = ctypes.c_double()
        check(lib.cm_contact_service_level(ctypes.byref(self._c), _variant(variant), ctypes.byref(out)))
        return out.value

    def service_level_counts(self, variant: SlVariant = SlVariant.ABANDONS_AGAINST) -> Tuple[int, int]:
        """(numerator, denominator) of a service-level definition, e.g. for ``rate()``'s interval."""
        num, den = _u64(), _u64()
        check(lib.cm_contact_service_level_counts(ctypes.byref(self._c), _variant(variant), ctypes.byref(num), ctypes.byref(den)))
        return int(num.value), int(den.value)

    def _measure(self, fn: Any, *args: Any) -> float:
        out = ctypes.c_double()
        check(fn(ctypes.byref(self._c), *args, ctypes.byref(out)))
        return out.value

    def abandonment_rate(self, exclude_short: bool = True) -> float:
        """Abandoned over offered, short abandons left out of both when exclude_short."""
        return self._measure(lib.cm_contact_abandonment_rate, bool(exclude_short))

    def asa(self) -> float:
        """Average speed of answer in seconds."""
        return self._measure(lib.cm_contact_asa)

    def aht(self) -> float:
        """Average handle time in seconds."""
        return self._measure(lib.cm_contact_aht)

    def abandon_time(self) -> float:
        """Average wait of the abandoned contacts in seconds."""
        return self._measure(lib.cm_contact_abandon_time)

    def occupancy(self, staffed_seconds: float) -> float:
        """Handle time over the agents' staffed time."""
        return self._measure(lib.cm_contact_occupancy, cv.f64(staffed_seconds, "staffed_seconds"))

    @property
    def offered(self) -> int:
        """Contacts offered (answered + abandoned)."""
        return int(self._c.offered)

    def __repr__(self) -> str:
        c = self._c
        return f"Contacts(offered={c.offered}, answered={c.answered}, abandoned={c.abandoned})"
