"""Proportions, CSAT, NPS, CES, response times and abandonment (caremetrics/kpi.h).

Every formula lives in the C library; this module converts arguments and
results. Accumulators merge exactly (``a + b``, ``a.merge(b)``), serialize to
the library's portable bytes (``to_bytes`` / ``from_bytes``) and pickle
through those bytes, so partial results from processes or machines combine
to exactly the single-pass result.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any, Dict, Optional, Sequence

from . import _convert as cv
from ._accumulator import NAN, Accumulator, accumulator_prototypes, proportion_fields
from ._lib import c_status, check_layouts, declare, lib
from .errors import NoDataError, check, invalid

_u8p = ctypes.POINTER(ctypes.c_uint8)
_f64p = ctypes.POINTER(ctypes.c_double)
_i64p = ctypes.POINTER(ctypes.c_int64)
_u64 = ctypes.c_uint64
_f64 = ctypes.c_double


class _Proportion(ctypes.Structure):
    _fields_ = [("num", _u64), ("den", _u64), ("value", _f64), ("lo", _f64), ("hi", _f64)]


class _Csat(ctypes.Structure):
    _fields_ = [
        ("scale", ctypes.c_uint8),
        ("satisfied_min", ctypes.c_uint8),
        ("reserved", ctypes.c_uint8 * 6),
        ("counts", _u64 * 10),
    ]


class _CsatSummary(ctypes.Structure):
    _fields_ = [("satisfied", _Proportion), ("mean", _f64)]


class _Nps(ctypes.Structure):
    _fields_ = [("counts", _u64 * 11)]


class _NpsSummary(ctypes.Structure):
    _fields_ = [
        ("n", _u64),
        ("promoters", _u64),
        ("passives", _u64),
        ("detractors", _u64),
        ("score", _f64),
        ("se", _f64),
        ("lo", _f64),
        ("hi", _f64),
    ]


class _Ces(ctypes.Structure):
    _fields_ = [
        ("scale", ctypes.c_uint8),
        ("easy_min", ctypes.c_uint8),
        ("easy_max", ctypes.c_uint8),
        ("reserved", ctypes.c_uint8 * 5),
        ("counts", _u64 * 10),
    ]


class _CesSummary(ctypes.Structure):
    _fields_ = [
        ("n", _u64),
        ("mean", _f64),
        ("sd", _f64),
        ("lo", _f64),
        ("hi", _f64),
        ("easy", _Proportion),
    ]


class _Art(ctypes.Structure):
    _fields_ = [
        ("n", _u64),
        ("total_seconds", ctypes.c_int64),
        ("min_seconds", ctypes.c_int64),
        ("max_seconds", ctypes.c_int64),
    ]


class _ArtSummary(ctypes.Structure):
    _fields_ = [
        ("n", _u64),
        ("total_seconds", ctypes.c_int64),
        ("min_seconds", ctypes.c_int64),
        ("max_seconds", ctypes.c_int64),
        ("mean_seconds", _f64),
    ]


declare(
    [
        ("cm_kpi_sizeof", ctypes.c_size_t, [ctypes.c_char_p]),
        ("cm_kpi_constant", c_status, [ctypes.c_char_p, _f64p]),
        ("cm_rate", c_status, [_u64, _u64, _f64, ctypes.POINTER(_Proportion)]),
        ("cm_abandonment_rate", c_status, [_u64, _u64, _u64, _f64, ctypes.POINTER(_Proportion)]),
        (
            "cm_abandonment_rate_many",
            c_status,
            [_f64p, _u8p, ctypes.c_size_t, _f64, _f64, ctypes.POINTER(_Proportion)],
        ),
        ("cm_art_mean", c_status, [ctypes.c_int64, _u64, _f64p]),
        ("cm_csat_init", c_status, [ctypes.POINTER(_Csat), ctypes.c_uint32, ctypes.c_uint32]),
        ("cm_nps_init", c_status, [ctypes.POINTER(_Nps)]),
        (
            "cm_ces_init",
            c_status,
            [ctypes.POINTER(_Ces), ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint32],
        ),
        ("cm_art_init", c_status, [ctypes.POINTER(_Art)]),
    ]
    + accumulator_prototypes("csat", _Csat, _CsatSummary, ctypes.c_uint8, ctypes.c_int32)
    + accumulator_prototypes("nps", _Nps, _NpsSummary, ctypes.c_uint8, ctypes.c_int32)
    + accumulator_prototypes("ces", _Ces, _CesSummary, ctypes.c_uint8, ctypes.c_int32)
    + accumulator_prototypes("art", _Art, _ArtSummary, ctypes.c_int64, ctypes.c_int64, confidence=False)
)

check_layouts(
    lib.cm_kpi_sizeof,
    [
        ("cm_proportion", _Proportion),
        ("cm_csat", _Csat),
        ("cm_csat_summary", _CsatSummary),
        ("cm_nps", _Nps),
        ("cm_nps_summary", _NpsSummary),
        ("cm_ces", _Ces),
        ("cm_ces_summary", _CesSummary),
        ("cm_art", _Art),
        ("cm_art_summary", _ArtSummary),
    ],
)


def _constant(name: str) -> float:
    out = ctypes.c_double()
    check(lib.cm_kpi_constant(name.encode(), ctypes.byref(out)), name)
    return out.value


#: The documented default confidence level of every interval (0.95).
DEFAULT_CONFIDENCE: float = _constant("CM_DEFAULT_CONFIDENCE")
#: Marks an unanswered survey in score arrays (255); ``None`` and NaN are converted to it.
SCORE_NONE: int = int(_constant("CM_SCORE_NONE"))


@dataclass(frozen=True)
class Proportion:
    """``num / den`` with its Wilson score interval ``[lo, hi]``; fractions in [0, 1]."""

    num: int
    den: int
    value: float
    lo: float
    hi: float

    @classmethod
    def _of(cls, p: _Proportion) -> "Proportion":
        return cls(int(p.num), int(p.den), p.value, p.lo, p.hi)

    def to_dict(self) -> Dict[str, Any]:
        """The tidy fields ``value, lo, hi, num, den, n`` (n = den), as in result frames."""
        return proportion_fields(self)


@dataclass(frozen=True)
class CsatResult:
    """CSAT: the satisfied share with its interval, and the mean answer on the 1..K scale."""

    satisfied: Proportion
    mean: float


@dataclass(frozen=True)
class NpsResult:
    """NPS on −100..+100 with its standard error and interval, and the answer counts."""

    n: int
    promoters: int
    passives: int
    detractors: int
    score: float
    se: float
    lo: float
    hi: float


@dataclass(frozen=True)
class CesResult:
    """CES: mean answer, sample standard deviation, interval of the mean, low-effort share."""

    n: int
    mean: float
    sd: float
    lo: float
    hi: float
    easy: Proportion


@dataclass(frozen=True)
class ArtResult:
    """Average response time and the range of response times, in seconds."""

    n: int
    total_seconds: int
    min_seconds: int
    max_seconds: int
    mean_seconds: float


def rate(num: int, den: int, confidence: float = DEFAULT_CONFIDENCE) -> Proportion:
    """A proportion with its Wilson score interval: FCR, escalation, reopen, deflection,
    retention or churn rate (``num`` successes of ``den``)."""
    out = _Proportion()
    n, d, c = cv.u64(num, "num"), cv.u64(den, "den"), cv.f64(confidence, "confidence")
    status = lib.cm_rate(n, d, c, ctypes.byref(out))
    if status:
        cv.checked(status, ("confidence", c, cv.FRACTION_OPEN), ("num", n, cv.Range(0, d)), ("den", d, cv.Range(1)))
    return Proportion._of(out)


def abandonment_rate(
    offered: int, abandoned: int, short_abandoned: int = 0, confidence: float = DEFAULT_CONFIDENCE
) -> Proportion:
    """(abandoned − short_abandoned) / (offered − short_abandoned) with its interval."""
    out = _Proportion()
    check(
        lib.cm_abandonment_rate(
            cv.u64(offered, "offered"),
            cv.u64(abandoned, "abandoned"),
            cv.u64(short_abandoned, "short_abandoned"),
            cv.f64(confidence, "confidence"),
            ctypes.byref(out),
        )
    )
    return Proportion._of(out)


def abandonment_rate_many(
    wait_seconds: Any,
    abandoned: Any,
    short_abandon_seconds: float = 0.0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Proportion:
    """Abandonment over per-contact columns: waits in seconds (float64, or timedelta64)
    and outcome flags (nonzero = abandoned; bool or uint8 arrays are read without
    copying). Abandons after a wait strictly below ``short_abandon_seconds`` leave both
    numerator and denominator. A missing wait or flag raises InvalidArgumentError."""
    w = cv.in_array(wait_seconds, "f64", "wait_seconds", role="duration")
    a = cv.in_array(abandoned, "u8", "abandoned")
    cv.same_length((w, "wait_seconds"), (a, "abandoned"))
    out = _Proportion()
    check(
        lib.cm_abandonment_rate_many(
            w.ptr,
            a.ptr,
            w.n,
            cv.f64(short_abandon_seconds, "short_abandon_seconds"),
            cv.f64(confidence, "confidence"),
            ctypes.byref(out),
        )
    )
    return Proportion._of(out)


def art_mean(total_seconds: int, responses: int) -> float:
    """Average response time in seconds: ``total_seconds / responses``."""
    out = ctypes.c_double()
    check(lib.cm_art_mean(cv.i64(total_seconds, "total_seconds"), cv.u64(responses, "responses"), ctypes.byref(out)))
    return out.value


class Csat(Accumulator):
    """CSAT accumulator on a 1..scale scale; answers >= satisfied_min are satisfied.

    ``Csat()`` uses the library's default scale (1..5, satisfied 4 and 5).
    """

    _prefix = "csat"
    _struct = _Csat
    _elem = "u8"
    _scalar = "i32"
    _none = SCORE_NONE
    __slots__ = ()

    def __init__(self, scale: int | None = None, satisfied_min: int | None = None) -> None:
        self._c = _Csat()  # zero: the library's defaults
        if scale is not None or satisfied_min is not None:
            if scale is None or satisfied_min is None:
                raise invalid("give both scale and satisfied_min, or neither")
            check(lib.cm_csat_init(ctypes.byref(self._c), cv.u32(scale, "scale"), cv.u32(satisfied_min, "satisfied_min")))

    @property
    def counts(self) -> dict:
        """Answers recorded per score value."""
        return {s + 1: int(c) for s, c in enumerate(self._c.counts) if c}

    def result(self, confidence: float = DEFAULT_CONFIDENCE) -> CsatResult:
        """CSAT share with its Wilson interval, and the mean answer. NoDataError when empty."""
        out = _CsatSummary()
        check(lib.cm_csat_result(ctypes.byref(self._c), cv.f64(confidence, "confidence"), ctypes.byref(out)))
        return CsatResult(Proportion._of(out.satisfied), out.mean)

    def _row(self, confidence: float) -> Dict[str, Any]:
        try:
            r = self.result(confidence)
        except NoDataError:
            return {**proportion_fields(None), "mean": NAN}
        return {**proportion_fields(r.satisfied), "mean": r.mean}

    def __repr__(self) -> str:
        return f"Csat(scale={self._c.scale or 'default'}, satisfied_min={self._c.satisfied_min or 'default'}, n={sum(self._c.counts)})"


class Nps(Accumulator):
    """Net Promoter Score accumulator over answers 0..10."""

    _prefix = "nps"
    _struct = _Nps
    _elem = "u8"
    _scalar = "i32"
    _none = SCORE_NONE
    __slots__ = ()

    def __init__(self) -> None:
        self._c = _Nps()

    @property
    def counts(self) -> dict:
        """Answers recorded per score value."""
        return {s: int(c) for s, c in enumerate(self._c.counts) if c}

    def result(self, confidence: float = DEFAULT_CONFIDENCE) -> NpsResult:
        """NPS = 100·(promoters − detractors)/n with its standard error and interval."""
        out = _NpsSummary()
        check(lib.cm_nps_result(ctypes.byref(self._c), cv.f64(confidence, "confidence"), ctypes.byref(out)))
        return NpsResult(
            int(out.n), int(out.promoters), int(out.passives), int(out.detractors), out.score, out.se, out.lo, out.hi
        )

    def _row(self, confidence: float) -> Dict[str, Any]:
        try:
            r = self.result(confidence)
        except NoDataError:
            return {"value": NAN, "lo": NAN, "hi": NAN, "se": NAN, "n": 0, "promoters": 0, "passives": 0, "detractors": 0}
        return {
            "value": r.score, "lo": r.lo, "hi": r.hi, "se": r.se, "n": r.n,
            "promoters": r.promoters, "passives": r.passives, "detractors": r.detractors,
        }

    def __repr__(self) -> str:
        return f"Nps(n={sum(self._c.counts)})"


class Ces(Accumulator):
    """Customer Effort Score accumulator on a 1..scale scale.

    ``Ces()`` is CES 2.0 (1..7, answers 5..7 are low effort); the original effort
    scale is ``Ces(scale=5, easy_min=1, easy_max=2)``.
    """

    _prefix = "ces"
    _struct = _Ces
    _elem = "u8"
    _scalar = "i32"
    _none = SCORE_NONE
    __slots__ = ()

    def __init__(self, scale: int | None = None, easy_min: int | None = None, easy_max: int | None = None) -> None:
        self._c = _Ces()
        given = [x is not None for x in (scale, easy_min, easy_max)]
        if any(given):
            if not all(given):
                raise invalid("give scale, easy_min and easy_max together, or none of them")
            check(
                lib.cm_ces_init(
                    ctypes.byref(self._c),
                    cv.u32(scale, "scale"),
                    cv.u32(easy_min, "easy_min"),
                    cv.u32(easy_max, "easy_max"),
                )
            )

    @property
    def counts(self) -> dict:
        """Answers recorded per score value."""
        return {s + 1: int(c) for s, c in enumerate(self._c.counts) if c}

    def result(self, confidence: float = DEFAULT_CONFIDENCE) -> CesResult:
        """Mean answer with its interval, sample standard deviation and low-effort share."""
        out = _CesSummary()
        check(lib.cm_ces_result(ctypes.byref(self._c), cv.f64(confidence, "confidence"), ctypes.byref(out)))
        return CesResult(int(out.n), out.mean, out.sd, out.lo, out.hi, Proportion._of(out.easy))

    def _row(self, confidence: float) -> Dict[str, Any]:
        try:
            r = self.result(confidence)
        except NoDataError:
            return {"value": NAN, "lo": NAN, "hi": NAN, "sd": NAN, "n": 0, "easy": NAN, "easy_lo": NAN, "easy_hi": NAN}
        return {
            "value": r.mean, "lo": r.lo, "hi": r.hi, "sd": r.sd, "n": r.n,
            "easy": r.easy.value, "easy_lo": r.easy.lo, "easy_hi": r.easy.hi,
        }

    def __repr__(self) -> str:
        return f"Ces(scale={self._c.scale or 'default'}, n={sum(self._c.counts)})"


class Art(Accumulator):
    """Average-response-time accumulator over whole-second durations (int64 arrays are read
    without copying; timedelta64 columns are floored to whole seconds)."""

    _prefix = "art"
    _struct = _Art
    _elem = "i64"
    _scalar = "i64"
    _role = "duration"
    __slots__ = ()

    def __init__(self) -> None:
        self._c = _Art()

    def result(self) -> ArtResult:
        """Mean, total, minimum and maximum response time in seconds."""
        out = _ArtSummary()
        check(lib.cm_art_result(ctypes.byref(self._c), ctypes.byref(out)))
        return ArtResult(int(out.n), int(out.total_seconds), int(out.min_seconds), int(out.max_seconds), out.mean_seconds)

    def _row(self, confidence: float) -> Dict[str, Any]:
        try:
            r = self.result()
        except NoDataError:
            return {"value": NAN, "n": 0, "total_seconds": 0, "min_seconds": NAN, "max_seconds": NAN}
        return {"value": r.mean_seconds, "n": r.n, "total_seconds": r.total_seconds, "min_seconds": r.min_seconds, "max_seconds": r.max_seconds}

    def __repr__(self) -> str:
        return f"Art(n={self._c.n}, total_seconds={self._c.total_seconds})"


# ---- cost per contact ---------------------------------------------------------

_COST_CHANNELS = 16
#: Channel argument of :meth:`CostPerContact.add_cost` for costs shared by every channel.
COST_SHARED = "shared"
_COST_BASIS = {"contacts": 0, "handle_time": 1}


class _Cost(ctypes.Structure):
    _fields_ = [
        ("shared", ctypes.c_int64),
        ("direct", ctypes.c_int64 * _COST_CHANNELS),
        ("contacts", _u64 * _COST_CHANNELS),
        ("handle_seconds", _u64 * _COST_CHANNELS),
    ]


class _CostChannel(ctypes.Structure):
    _fields_ = [
        ("contacts", _u64),
        ("handle_seconds", _u64),
        ("direct", ctypes.c_int64),
        ("allocated", _f64),
        ("direct_per_contact", _f64),
        ("per_contact", _f64),
    ]


class _CostSummary(ctypes.Structure):
    _fields_ = [
        ("contacts", _u64),
        ("handle_seconds", _u64),
        ("total_cost", ctypes.c_int64),
        ("per_contact", _f64),
        ("channels", _CostChannel * _COST_CHANNELS),
    ]


_costp = ctypes.POINTER(_Cost)
declare(
    [
        ("cm_cost_per_contact", c_status, [ctypes.c_int64, _u64, _f64p]),
        ("cm_cost_add_cost", c_status, [_costp, ctypes.c_uint32, ctypes.c_int64]),
        ("cm_cost_add_contacts", c_status, [_costp, ctypes.c_uint32, _u64, _u64]),
        ("cm_cost_add_many", c_status, [_costp, _u8p, _i64p, ctypes.c_size_t]),
        ("cm_cost_merge", c_status, [_costp, _costp]),
        ("cm_cost_result", c_status, [_costp, ctypes.c_uint32, ctypes.POINTER(_CostSummary)]),
        ("cm_cost_serialize", c_status, [_costp, _u8p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t)]),
        ("cm_cost_deserialize", c_status, [_u8p, ctypes.c_size_t, _costp]),
    ]
)
check_layouts(lib.cm_kpi_sizeof, [("cm_cost", _Cost), ("cm_cost_channel", _CostChannel), ("cm_cost_summary", _CostSummary)])


@dataclass(frozen=True)
class CostChannel:
    """One channel: contacts, handle time, direct costs, its share of the shared costs, and
    the direct and fully loaded cost per contact (0 without contacts)."""

    channel: Any
    contacts: int
    handle_seconds: int
    direct: int
    allocated: float
    direct_per_contact: float
    per_contact: float


@dataclass(frozen=True)
class CostResult:
    """Total cost over contacts handled, and the per-channel breakdown (channels with
    contacts or costs only)."""

    contacts: int
    handle_seconds: int
    total_cost: int
    per_contact: float
    channels: list


def cost_per_contact(total_cost: int, contacts: int) -> float:
    """``total_cost / contacts``, in the minor units of the cost."""
    out = ctypes.c_double()
    check(lib.cm_cost_per_contact(cv.i64(total_cost, "total_cost"), cv.u64(contacts, "contacts"), ctypes.byref(out)))
    return out.value


class CostPerContact(Accumulator):
    """Costs (integer minor units, e.g. cents), contacts and handle time per channel.

    Channels are named on creation (``CostPerContact(["phone", "chat", "email"])``, at
    most 16) or used by index. Merges exactly, serializes and pickles; ``to_frame``
    gives the per-channel table when pandas is present.
    """

    _prefix = "cost"
    _struct = _Cost
    __slots__ = ("channels",)

    def __init__(self, channels: Optional[Sequence[str]] = None) -> None:
        self._c = _Cost()
        names = list(channels) if channels is not None else []
        if len(names) > _COST_CHANNELS:
            raise invalid(f"channels has {len(names)} names; at most {_COST_CHANNELS}")
        self.channels = names

    def _index(self, channel: Any) -> int:
        if channel == COST_SHARED:
            return 0xFFFFFFFF
        if isinstance(channel, str):
            if channel not in self.channels:
                raise invalid(f"channel {channel!r} is not one of {self.channels}")
            return self.channels.index(channel)
        return cv.u32(channel, "channel")

    def add_cost(self, channel: Any, amount: int) -> "CostPerContact":
        """Records a cost of a channel, or of every channel with ``"shared"``."""
        check(lib.cm_cost_add_cost(ctypes.byref(self._c), self._index(channel), cv.i64(amount, "amount")))
        return self

    def add_contacts(self, channel: Any, contacts: int, handle_seconds: int = 0) -> "CostPerContact":
        """Records contacts handled on a channel and their total handle time."""
        if channel == COST_SHARED:
            raise invalid("contacts belong to a channel, not to 'shared'")
        check(
            lib.cm_cost_add_contacts(
                ctypes.byref(self._c), self._index(channel), cv.u64(contacts, "contacts"), cv.u64(handle_seconds, "handle_seconds")
            )
        )
        return self

    def add(self, channel: Any, handle_seconds: int = 0) -> "CostPerContact":  # type: ignore[override]
        """Records one contact."""
        return self.add_contacts(channel, 1, handle_seconds)

    def add_many(self, channels: Any, handle_seconds: Optional[Any] = None) -> "CostPerContact":  # type: ignore[override]
        """Records one contact per entry (channel names or indexes; uint8 index arrays are read
        without copying) with optional handle times in seconds. All or nothing."""
        if not isinstance(channels, (bytes, bytearray)) and not (cv.HAVE_NUMPY and hasattr(channels, "dtype")):
            channels = [self._index(c) if isinstance(c, str) else c for c in channels]
        ch = cv.in_array(channels, "u8", "channels")
        h = cv.in_array(handle_seconds, "i64", "handle_seconds") if handle_seconds is not None else None
        if h is not None and h.n != ch.n:
            raise invalid(f"channels has {ch.n} entries but handle_seconds has {h.n}")
        check(lib.cm_cost_add_many(ctypes.byref(self._c), ch.ptr, h.ptr if h else None, ch.n))
        return self

    def result(self, basis: str = "contacts") -> CostResult:
        """Cost per contact overall and per channel, shared costs allocated by ``"contacts"``
        or ``"handle_time"``."""
        if basis not in _COST_BASIS:
            raise invalid(f"basis = {basis!r}; expected 'contacts' or 'handle_time'")
        out = _CostSummary()
        check(lib.cm_cost_result(ctypes.byref(self._c), _COST_BASIS[basis], ctypes.byref(out)))
        rows = []
        for i in range(_COST_CHANNELS):
            c = out.channels[i]
            if c.contacts == 0 and c.direct == 0 and i >= len(self.channels):
                continue
            name = self.channels[i] if i < len(self.channels) else i
            rows.append(
                CostChannel(name, int(c.contacts), int(c.handle_seconds), int(c.direct), c.allocated, c.direct_per_contact, c.per_contact)
            )
        return CostResult(int(out.contacts), int(out.handle_seconds), int(out.total_cost), out.per_contact, rows)

    def to_frame(self, basis: str = "contacts") -> Any:
        """The per-channel table of :meth:`result` as a DataFrame. Needs pandas."""
        from . import _frame

        return _frame.frame([vars(c) for c in self.result(basis).channels], index=["channel"])

    @classmethod
    def from_bytes(cls, data: bytes, channels: Optional[Sequence[str]] = None) -> "CostPerContact":  # type: ignore[override]
        """An accumulator from ``to_bytes`` output; ``channels`` names the channels again."""
        new = super().from_bytes(data)
        new.channels = list(channels) if channels is not None else []
        return new

    def copy(self) -> "CostPerContact":
        """An independent copy, with the channel names."""
        new = super().copy()
        new.channels = list(self.channels)
        return new

    def __reduce__(self) -> Any:
        return (_cost_from_bytes, (self.to_bytes(), list(self.channels)))

    def __repr__(self) -> str:
        return f"CostPerContact(channels={self.channels}, contacts={sum(self._c.contacts)})"


def _cost_from_bytes(data: bytes, channels: list) -> CostPerContact:
    return CostPerContact.from_bytes(data, channels)
