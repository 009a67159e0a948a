"""The whole KPI report of a ticket history over a DataFrame (caremetrics/table.h).

:func:`report` runs the library's ticket-table engine over a pandas DataFrame
(or a mapping of column name -> column) and returns a DataFrame with one row
per group and tidy columns (``csat_value``, ``csat_lo``, ``fcr_value``,
``first_reply_median_seconds``, ``sla_first_reply_high_value``, ...; the list
is in docs/python.md). Every figure is computed by the engine: the columns
are converted block by block (65,536 rows by default, read in place where the
layout already matches) and folded into one report, allocation-free in C.

:class:`TableReport` is the object underneath, for reports built piece by
piece: made from a :class:`ReportSpec`, it folds frames (``add``), merges
exactly with reports of an equal spec (``merge``, in any order and grouping,
labels matched by text), travels as the library's portable bytes
(``to_bytes`` / ``from_bytes``, pickle and cloudpickle), and gives the result
frame (``result``). ``caremetrics.dask.report`` uses it per partition.
"""

from __future__ import annotations

import ctypes
import math
import numbers
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from . import _convert as cv
from ._handle import Handle
from ._lib import c_status, check_layouts, declare, lib
from .calendar import Calendar
from .contact import Contacts, SlVariant, _Contact
from .errors import (
    STATUS,
    BufferTooSmallError,
    CaremetricsError,
    InvalidArgumentError,
    NotFoundError,
    check,
    error_for,
    invalid,
)
from .kpi import DEFAULT_CONFIDENCE, _CesSummary, _CsatSummary, _NpsSummary, _Proportion
from .sla import Metric, Policy, Priority


class _LazyColumnsModule:
    """caremetrics._table_columns, imported on first use: it needs numpy, which the
    scalar API does not (``import caremetrics`` works without numpy)."""

    def __getattr__(self, name: str) -> Any:
        from . import _table_columns

        value = getattr(_table_columns, name)
        setattr(self, name, value)  # found in the instance from now on
        return value


tc: Any = _LazyColumnsModule()

_vp = ctypes.c_void_p
_u8p = ctypes.POINTER(ctypes.c_uint8)

# ---- the C structs (caremetrics/table.h) ---------------------------------------------------

MAX_KEYS = 16  # CM_TABLE_MAX_KEYS
MAX_CODES = 65536  # CM_TABLE_MAX_CODES
MAX_QUANTILES = 8  # CM_TABLE_MAX_QUANTILES
BAD_ROWS_KEPT = 16  # CM_TABLE_BAD_ROWS_KEPT
ALL_CODES = 2**32 - 1  # CM_TABLE_ALL_CODES
_SLA_ALL = 255  # CM_SLA_PRIORITY_ALL
_ATTAINMENT, _CONTACTS = 0x1, 0x2
_SKETCH, _EXACT, _NO_QUANTILES = 0, 1, 2


class _Key(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("cardinality", ctypes.c_uint32),
        ("width", ctypes.c_uint32),
        ("reserved", ctypes.c_uint32),
        ("labels", ctypes.POINTER(ctypes.c_char_p)),
    ]


class _Grouping(ctypes.Structure):
    _fields_ = [(f, ctypes.c_uint32) for f in ("keys", "bucket", "minutes", "capacity")]


class _Spec(ctypes.Structure):
    _fields_ = [
        ("size", ctypes.c_uint32),
        ("flags", ctypes.c_uint32),
        ("keys", ctypes.POINTER(_Key)),
        ("nkeys", ctypes.c_size_t),
        ("groupings", ctypes.POINTER(_Grouping)),
        ("ngroupings", ctypes.c_size_t),
        ("calendar", _vp),
        ("policy", _vp),
        ("policy_calendars", ctypes.POINTER(_vp)),
        ("npolicy_calendars", ctypes.c_size_t),
        ("priority_key", ctypes.c_int32),
        ("reserved0", ctypes.c_uint32),
        ("priority_levels", _u8p),
        ("as_of", ctypes.c_int64),
        ("quantile_mode", ctypes.c_uint32),
        ("quantile_metrics", ctypes.c_uint32),
        ("quantiles", ctypes.POINTER(ctypes.c_double)),
        ("nquantiles", ctypes.c_size_t),
        ("short_abandon_seconds", ctypes.c_double),
        ("service_target_seconds", ctypes.c_double),
        ("csat_scale", ctypes.c_uint32),
        ("csat_satisfied_min", ctypes.c_uint32),
        ("ces_scale", ctypes.c_uint32),
        ("ces_easy_min", ctypes.c_uint32),
        ("ces_easy_max", ctypes.c_uint32),
        ("duration_metrics", ctypes.c_uint32),
        ("row_capacity", ctypes.c_uint64),
        ("open_capacity", ctypes.c_uint64),
        ("group_capacity", ctypes.c_uint64),
        ("reserved", ctypes.c_uint64 * 3),
    ]


class _Columns(ctypes.Structure):
    _fields_ = [
        ("size", ctypes.c_uint32),
        ("reserved", ctypes.c_uint32),
        ("rows", ctypes.c_size_t),
        ("created", _vp),
        ("first_reply", _vp),
        ("solved", _vp),
        ("contacts", _vp),
        ("reopened", _vp),
        ("escalated", _vp),
        ("abandoned", _vp),
        ("csat", _vp),
        ("nps", _vp),
        ("ces", _vp),
        ("wait_seconds", _vp),
        ("handle_seconds", _vp),
        ("keys", ctypes.POINTER(_vp)),
        ("row_numbers", _vp),
        ("first_row", ctypes.c_uint64),
        ("reserved1", ctypes.c_uint64 * 4),
    ]


class _Group(ctypes.Structure):
    _fields_ = [
        ("grouping", ctypes.c_uint32),
        ("reserved", ctypes.c_uint32),
        ("codes", ctypes.c_uint32 * MAX_KEYS),
        ("start", ctypes.c_int64),
        ("end", ctypes.c_int64),
        ("slot", ctypes.c_int64),
        ("utc_offset", ctypes.c_int32),
        ("reserved1", ctypes.c_uint32),
    ]


class _Counts(ctypes.Structure):
    _fields_ = [
        ("rows", ctypes.c_uint64),
        ("tickets", ctypes.c_uint64),
        ("abandoned", ctypes.c_uint64),
        ("replied", ctypes.c_uint64),
        ("solved", ctypes.c_uint64),
        ("handled", ctypes.c_uint64),
        ("handle_seconds", ctypes.c_double),
        ("first_created", ctypes.c_int64),
        ("last_created", ctypes.c_int64),
    ]


class _Duration(ctypes.Structure):
    _fields_ = [
        ("n", ctypes.c_uint64),
        ("mean_seconds", ctypes.c_double),
        ("total_seconds", ctypes.c_double),
        ("min_seconds", ctypes.c_double),
        ("max_seconds", ctypes.c_double),
        ("nquantiles", ctypes.c_uint32),
        ("exact", ctypes.c_bool),
        ("reserved", ctypes.c_uint8 * 3),
        ("quantiles", ctypes.c_double * MAX_QUANTILES),
    ]


class _Sla(ctypes.Structure):
    _fields_ = [
        ("achieved", ctypes.c_uint64),
        ("breached", ctypes.c_uint64),
        ("open", ctypes.c_uint64),
        ("attained", _Proportion),
        ("mean_seconds", ctypes.c_double),
        ("target_seconds", ctypes.c_int64),
        ("business", ctypes.c_bool),
        ("reserved", ctypes.c_uint8 * 7),
    ]


class _BadRow(ctypes.Structure):
    _fields_ = [
        ("row", ctypes.c_uint64),
        ("column", ctypes.c_char * 64),
        ("value", ctypes.c_char * 48),
        ("expected", ctypes.c_char * 80),
    ]


_R = _vp  # cm_table_report *
_sizep = ctypes.POINTER(ctypes.c_size_t)
_u64p = ctypes.POINTER(ctypes.c_uint64)
declare(
    [
        ("cm_table_sizeof", ctypes.c_size_t, [ctypes.c_char_p]),
        ("cm_table_spec_init", c_status, [ctypes.POINTER(_Spec)]),
        ("cm_table_columns_init", c_status, [ctypes.POINTER(_Columns)]),
        ("cm_table_report_new", c_status, [ctypes.POINTER(_Spec), _vp, ctypes.POINTER(_R)]),
        ("cm_table_report_free", None, [_R]),
        ("cm_table_report_add", c_status, [_R, ctypes.POINTER(_Columns)]),
        ("cm_table_report_add_bad_row", c_status, [_R, ctypes.POINTER(_BadRow)]),
        ("cm_table_report_intern", c_status, [_R, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_uint32)]),
        ("cm_table_report_merge", c_status, [_R, _R]),
        ("cm_table_report_serialize", c_status, [_R, _u8p, ctypes.c_size_t, _sizep]),
        ("cm_table_report_merge_bytes", c_status, [_R, _u8p, ctypes.c_size_t]),
        ("cm_table_report_finish", c_status, [_R]),
        ("cm_table_report_group_count", ctypes.c_size_t, [_R]),
        ("cm_table_report_group", c_status, [_R, ctypes.c_size_t, ctypes.POINTER(_Group)]),
        ("cm_table_report_label", ctypes.c_char_p, [_R, ctypes.c_size_t, ctypes.c_uint32]),
        ("cm_table_report_rows", c_status, [_R, _u64p, _u64p, ctypes.POINTER(_BadRow), ctypes.c_size_t, _sizep]),
        ("cm_table_report_counts", c_status, [_R, ctypes.c_size_t, ctypes.POINTER(_Counts)]),
        ("cm_table_report_rate", c_status, [_R, ctypes.c_size_t, ctypes.c_uint32, ctypes.c_double, ctypes.POINTER(_Proportion)]),
        ("cm_table_report_csat", c_status, [_R, ctypes.c_size_t, ctypes.c_double, ctypes.POINTER(_CsatSummary)]),
        ("cm_table_report_nps", c_status, [_R, ctypes.c_size_t, ctypes.c_double, ctypes.POINTER(_NpsSummary)]),
        ("cm_table_report_ces", c_status, [_R, ctypes.c_size_t, ctypes.c_double, ctypes.POINTER(_CesSummary)]),
        ("cm_table_report_duration", c_status, [_R, ctypes.c_size_t, ctypes.c_uint32, ctypes.POINTER(_Duration)]),
        ("cm_table_report_contact", c_status, [_R, ctypes.c_size_t, ctypes.POINTER(_Contact)]),
        ("cm_table_report_reply_within", c_status, [_R, ctypes.c_size_t, ctypes.c_uint32, ctypes.c_double, ctypes.POINTER(_Proportion)]),
        ("cm_table_report_sla", c_status, [_R, ctypes.c_size_t, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_double, ctypes.POINTER(_Sla)]),
        ("cm_table_report_as_of", c_status, [_R, ctypes.POINTER(ctypes.c_int64)]),
        ("cm_sla_policy_info", c_status, [_vp, ctypes.POINTER(ctypes.c_uint32), _sizep]),
    ]
)
check_layouts(
    lib.cm_table_sizeof,
    [
        ("cm_table_spec", _Spec),
        ("cm_table_columns", _Columns),
        ("cm_table_key", _Key),
        ("cm_table_grouping", _Grouping),
        ("cm_table_group", _Group),
        ("cm_table_counts", _Counts),
        ("cm_table_duration", _Duration),
        ("cm_table_sla", _Sla),
        ("cm_table_bad_row", _BadRow),
    ],
)

# ---- names -------------------------------------------------------------------------------------

#: Time buckets ``by`` accepts besides intervals such as ``"30min"``: name -> (cm_table_bucket, minutes).
BUCKETS = {
    "hour": (2, 0),
    "day": (3, 0),
    "week": (4, 0),
    "month": (5, 0),
    "time-of-day": (6, 60),
    "weekday": (7, 0),
}
_MINUTES_BUCKET = 1
_INTERVAL = re.compile(r"\s*(\d+)\s*(min|mins|minute|minutes|m|t|h|hr|hour|hours)\s*", re.I)

#: What a report measures: "all" of docs/python.md, or the "headline" set (as
#: caremetrics-report --kpis-only): no resolution times, first-reply quantiles of calendar
#: time only, no SLA attainment (first replies within target stay), no service level.
KPI_SETS = ("all", "headline")
#: The rate KPIs: column prefix -> cm_table_rate_kpi.
RATES = {"fcr": 0, "reopen_rate": 1, "escalation_rate": 2, "solved_rate": 4, "replied_rate": 5}
#: The duration KPIs: column prefix -> cm_table_duration_metric.
DURATIONS = {"first_reply": 0, "resolution": 2, "first_reply_business": 1, "resolution_business": 3}
#: Priorities of the SLA columns, and their levels (CM_SLA_PRIORITY_*).
SLA_PRIORITIES = {"urgent": 4, "high": 3, "normal": 2, "low": 1, "all": _SLA_ALL}
#: SLA metrics the columns feed: column infix -> cm_sla_metric.
SLA_METRICS = {"first_reply": int(Metric.FIRST_REPLY), "total_resolution": int(Metric.TOTAL_RESOLUTION)}
_PROPORTION = ("value", "lo", "hi", "num", "den", "n")


def quantile_name(q: float) -> str:
    """The column infix of a quantile: ``median`` for 0.5, else ``p90``, ``p99``, ``p99_9``."""
    if q == 0.5:
        return "median"
    return "p" + format(q * 100, ".10g").replace(".", "_")


@dataclass(frozen=True)
class BadRow:
    """A row the report could not use: its number (the row's index label when the data has a
    non-negative integer index, else its position), the column, the value as text, and what the
    column accepts."""

    row: int
    column: str
    value: str
    expected: str


class BadRowError(InvalidArgumentError):
    """A bad row in a report run with ``strict=True``; ``bad_row`` describes the first one and
    ``bad_rows`` counts them."""

    def __init__(self, bad: BadRow, count: int) -> None:
        self.bad_row = bad
        self.bad_rows = count
        where = f"row {bad.row}: column {bad.column}"
        if bad.value:
            where += f": value {bad.value!r}"
        super().__init__(STATUS["CM_EINVAL"], f"{where}: expected {bad.expected} ({count} bad row{'s' if count != 1 else ''})")

    def __reduce__(self) -> Any:
        # Raised in a Dask worker, it travels back to the caller by pickle.
        return (BadRowError, (self.bad_row, self.bad_rows))


# ---- the spec ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeySpec:
    """A key column of a report: its name, the most distinct values it may hold
    (``capacity``), the values known in advance (codes follow their order) and whether
    they are all of them (categories: groups without rows are reported too)."""

    name: str
    capacity: int
    values: Tuple[Any, ...] = ()
    complete: bool = False

    @property
    def labels(self) -> Tuple[str, ...]:
        """The engine's labels of ``values`` (their text)."""
        return tuple(tc.label_of(v) for v in self.values)


def _key_specs(by_keys: Sequence[str], keys: Any, priority: bool) -> Tuple[KeySpec, ...]:
    given: Dict[str, Any] = {}
    if keys is not None:
        if not hasattr(keys, "items"):
            raise invalid(f"keys must be a dict of key name -> capacity or values, not {type(keys).__name__}")
        given = dict(keys.items())
    out: List[KeySpec] = []
    names = list(by_keys) + (["priority"] if priority and "priority" not in by_keys else [])
    for name in given:
        if name not in names:
            raise invalid(f"keys has {name!r}, which is not a key of the report (by = {list(by_keys)!r})")
    for name in names:
        spec = given.get(name)
        if name == "priority":
            if spec is not None and not isinstance(spec, KeySpec):
                raise invalid("keys['priority']: the priority key has the fixed values none, low, normal, high, urgent")
            out.append(KeySpec("priority", 5, tc.PRIORITY_LABELS, False))
            continue
        if isinstance(spec, KeySpec):
            if spec.name != name:
                raise invalid(f"keys[{name!r}] is the KeySpec of {spec.name!r}")
            ks = spec
        elif spec is None:
            ks = KeySpec(name, 256)
        elif isinstance(spec, numbers.Integral) or isinstance(spec, bool):
            ks = KeySpec(name, cv.integer(spec, "u32", f"keys[{name!r}]"))
        elif isinstance(spec, (str, bytes)) or not hasattr(spec, "__iter__"):
            raise invalid(f"keys[{name!r}] must be a capacity or a sequence of values, not {type(spec).__name__}")
        else:
            values = list(spec)
            ks = KeySpec(name, len(values) + 1, tuple(values), True)
        if not 1 <= ks.capacity <= MAX_CODES:
            raise cv._out_of_range(f"keys[{name!r}] capacity", ks.capacity, 1, MAX_CODES)
        if len(ks.values) > ks.capacity:
            raise invalid(f"keys[{name!r}] has {len(ks.values)} values but a capacity of {ks.capacity}")
        out.append(ks)
    return tuple(out)


def _bucket(text: str) -> Optional[Tuple[str, int, int]]:
    """(name, cm_table_bucket, minutes) of a time bucket name, or None when text is not one."""
    if not isinstance(text, str):
        return None
    name = text.strip().lower().replace("_", "-")
    if name in BUCKETS:
        b, m = BUCKETS[name]
        return name, b, m
    for prefix in ("time-of-day:", "time-of-day/", "time-of-day "):
        if name.startswith(prefix):
            m = _minutes(text[len(prefix) :], text)
            return "time_of_day", BUCKETS["time-of-day"][0], m
    if _INTERVAL.fullmatch(text):
        return "interval", _MINUTES_BUCKET, _minutes(text, text)
    return None


def _minutes(text: str, whole: str) -> int:
    m = _INTERVAL.fullmatch(text)
    if not m:
        raise invalid(f"by has {whole!r}: expected an interval such as 30min or 2h")
    n = int(m.group(1)) * (60 if m.group(2).lower().startswith("h") else 1)
    if not 1 <= n <= 1440 or 1440 % n != 0:
        raise invalid(f"by has {whole!r}: the interval must divide a day (1440 minutes), such as 15min, 30min, 1h")
    return n


def _instant_or_none(x: Any, what: str) -> Optional[int]:
    if x is None:
        return None
    t = cv.instant(x, what)
    if not -62135596800 <= t <= 253402300799:
        raise cv.OutOfRangeError(STATUS["CM_ERANGE"], f"{what} = {x!r} is outside the years 1 .. 9999")
    return t


class ReportSpec:
    """What a :class:`TableReport` measures (the engine's ``cm_table_spec``).

    ``by`` names the report's groups: key columns (``channel``, ``priority``, or any
    column of the data) and at most one time bucket of the creation instant in the
    calendar's zone: ``hour``, ``day``, ``week`` (ISO, Monday first), ``month``,
    ``weekday`` (1 Monday .. 7 Sunday), ``time-of-day`` (hours of the day over all
    dates; ``time-of-day:30min`` for other slots) or an interval such as ``30min``.
    Without keys or bucket the report has one group, the whole history.

    ``keys`` gives each key its room: a capacity (distinct values it may learn) or the
    values themselves (then groups without rows are reported too, as for categorical
    columns); by default 256. ``calendar`` (a :class:`caremetrics.Calendar`) measures
    business time and local time; ``policy`` (a :class:`caremetrics.sla.Policy`) adds
    first replies within target and SLA attainment per priority, its business targets
    on ``calendar`` (or on ``policy_calendars`` when it names several). Open tickets are
    judged at ``as_of`` (an instant), by default the latest instant of any row.

    ``quantiles`` (at most 8 probabilities; empty for none) come from the engine's
    sketches (within 1 %), or exact with ``exact_quantiles=True``, which keeps every
    duration: ``row_capacity`` is then the tickets the report can hold.
    ``group_capacity`` is the room of a grouping with a time bucket or more than 4,096
    key combinations (0: the engine's 1,024), ``open_capacity`` the open tickets SLA
    attainment can hold until the latest instant is known (0: 65,536). Reports merge
    when their specs agree on everything but ``row_capacity`` and ``open_capacity``.

    ``columns`` says where each of the report's columns is in the data: None for the
    report's own names, a preset (``"zendesk"``), a mapping text, or a dict of our name
    -> the data's column name (see :func:`report`). Specs pickle; calendars and
    policies travel by their source.
    """

    def __init__(
        self,
        by: Union[None, str, Sequence[str]] = None,
        *,
        keys: Optional[Mapping[str, Any]] = None,
        calendar: Optional[Calendar] = None,
        policy: Optional[Policy] = None,
        policy_calendars: Optional[Sequence[Optional[Calendar]]] = None,
        columns: Any = None,
        exact_quantiles: bool = False,
        quantiles: Optional[Sequence[float]] = (0.5, 0.9, 0.99),
        as_of: Any = None,
        kpis: str = "all",
        short_abandon_seconds: float = 5.0,
        service_target_seconds: float = 20.0,
        csat_scale: Optional[int] = None,
        csat_satisfied_min: Optional[int] = None,
        ces_scale: Optional[int] = None,
        ces_easy_min: Optional[int] = None,
        ces_easy_max: Optional[int] = None,
        row_capacity: int = 0,
        group_capacity: int = 0,
        open_capacity: int = 0,
    ) -> None:
        self._args = dict(
            by=by, keys=keys, calendar=calendar, policy=policy, policy_calendars=policy_calendars, columns=columns,
            exact_quantiles=exact_quantiles, quantiles=quantiles, as_of=as_of, kpis=kpis,
            short_abandon_seconds=short_abandon_seconds, service_target_seconds=service_target_seconds,
            csat_scale=csat_scale, csat_satisfied_min=csat_satisfied_min, ces_scale=ces_scale,
            ces_easy_min=ces_easy_min, ces_easy_max=ces_easy_max, row_capacity=row_capacity,
            group_capacity=group_capacity, open_capacity=open_capacity,
        )
        # -- groups
        if by is None:
            names: List[str] = []
        elif isinstance(by, str):
            names = [by]
        elif hasattr(by, "__iter__"):
            names = list(by)
        else:
            raise invalid(f"by must be a column name, a time bucket or a list of them, not {type(by).__name__}")
        self.bucket: Optional[Tuple[str, int, int]] = None
        self.by_keys: Tuple[str, ...] = ()
        keys_: List[str] = []
        bucket_text = None
        for name in names:
            if not isinstance(name, str):
                raise invalid(f"by has {name!r}: names must be str")
            b = _bucket(name)
            if b is not None:
                if self.bucket is not None:
                    raise invalid(f"by = {names!r} has two time buckets ({self.bucket[0]} and {name}); at most one")
                self.bucket, bucket_text = b, name
                continue
            problem = tc.label_problem(name)
            if problem is not None or not name:
                raise invalid(f"by has {name!r}: a key name must be 1 to 63 bytes without NUL")
            if name not in keys_:
                keys_.append(name)
        if len(keys_) > MAX_KEYS - 1:
            raise invalid(f"by has {len(keys_)} keys; at most {MAX_KEYS - 1}")
        self.by_keys = tuple(keys_)
        # -- calendar and policy
        if calendar is not None and not isinstance(calendar, Calendar):
            raise invalid(f"calendar must be a caremetrics.Calendar or None, not {type(calendar).__name__}")
        if policy is not None and not isinstance(policy, Policy):
            raise invalid(f"policy must be a caremetrics.sla.Policy or None, not {type(policy).__name__}")
        self.calendar, self.policy = calendar, policy
        self.policy_calendars: Optional[Tuple[Optional[Calendar], ...]] = None
        if policy_calendars is not None:
            if isinstance(policy_calendars, Calendar) or not hasattr(policy_calendars, "__iter__"):
                raise invalid("policy_calendars must be a sequence of Calendar (or None where the policy uses none)")
            cals = tuple(policy_calendars)
            for i, c in enumerate(cals):
                if c is not None and not isinstance(c, Calendar):
                    raise invalid(f"policy_calendars[{i}] must be a Calendar or None, not {type(c).__name__}")
            self.policy_calendars = cals
        if policy is not None:
            needed = ctypes.c_size_t()
            check(policy._call(lambda p: lib.cm_sla_policy_info(p, None, ctypes.byref(needed))))
            have = len(self.policy_calendars) if self.policy_calendars is not None else (1 if calendar is not None else 0)
            if needed.value > have:
                raise invalid(
                    f"policy has business-hour targets on {needed.value} calendar(s): give calendar= "
                    + ("(its calendar 0)" if needed.value == 1 else f"or policy_calendars= with {needed.value} calendars")
                )
        self.keys = _key_specs(self.by_keys, keys, policy is not None or "priority" in self.by_keys)
        self.columns = tc.column_map(columns)
        # -- quantiles and options
        if not isinstance(exact_quantiles, bool):
            raise invalid(f"exact_quantiles must be True or False, not {exact_quantiles!r}")
        self.exact_quantiles = exact_quantiles
        if kpis not in KPI_SETS:
            raise invalid(f"kpis = {kpis!r} is none of: {', '.join(KPI_SETS)}")
        self.kpis = kpis
        qs: Tuple[float, ...] = ()
        if quantiles is not None:
            if isinstance(quantiles, (str, bytes)) or not hasattr(quantiles, "__iter__"):
                raise invalid(f"quantiles must be a sequence of probabilities, not {type(quantiles).__name__}")
            qs = tuple(cv.f64(q, "quantiles") for q in quantiles)
            if len(qs) > MAX_QUANTILES:
                raise cv._out_of_range("len(quantiles)", len(qs), 0, MAX_QUANTILES)
            for q in qs:
                if not 0.0 <= q <= 1.0:
                    raise cv.OutOfRangeError(STATUS["CM_ERANGE"], f"quantiles has {q!r}, outside [0, 1]")
            names_q = [quantile_name(q) for q in qs]
            if len(set(names_q)) != len(names_q):
                raise invalid(f"quantiles = {list(qs)!r} repeats a quantile")
        self.quantiles = qs
        self.as_of = _instant_or_none(as_of, "as_of")
        self.short_abandon_seconds = cv.f64(short_abandon_seconds, "short_abandon_seconds")
        self.service_target_seconds = cv.f64(service_target_seconds, "service_target_seconds")
        try:  # the library's own checks of these thresholds, naming the argument
            Contacts(self.service_target_seconds, self.short_abandon_seconds)
        except CaremetricsError:
            raise invalid(
                f"service_target_seconds = {service_target_seconds!r}, short_abandon_seconds = {short_abandon_seconds!r}: "
                f"both in [0, {4294967.295}] seconds, the short-abandon threshold at most the target"
            ) from None
        from .kpi import Ces, Csat

        scales = [("csat_scale", csat_scale), ("csat_satisfied_min", csat_satisfied_min), ("ces_scale", ces_scale),
                  ("ces_easy_min", ces_easy_min), ("ces_easy_max", ces_easy_max)]
        for name, v in scales:
            if v is not None:
                cv.integer(v, "u32", name)
        if csat_scale is not None or csat_satisfied_min is not None:
            Csat(csat_scale, csat_satisfied_min)  # raises, naming what is wrong
        if ces_scale is not None or ces_easy_min is not None or ces_easy_max is not None:
            Ces(ces_scale, ces_easy_min, ces_easy_max)
        self.csat = (csat_scale or 0, csat_satisfied_min or 0)
        self.ces = (ces_scale or 0, ces_easy_min or 0, ces_easy_max or 0)
        self.row_capacity = cv.integer(row_capacity, "u32", "row_capacity")
        self.open_capacity = cv.integer(open_capacity, "u32", "open_capacity")
        self.group_capacity = cv.integer(group_capacity, "u32", "group_capacity")
        if self.group_capacity > 2**31 - 1:
            raise cv._out_of_range("group_capacity", self.group_capacity, 0, 2**31 - 1)
        if exact_quantiles and qs and self.row_capacity == 0:
            raise invalid("exact_quantiles needs row_capacity: the number of tickets the report will hold")
        # The arguments as checked, for copies, pickling and equality.
        self._args.update(
            by=list(self.by_keys) + ([bucket_text] if bucket_text is not None else []),
            quantiles=list(qs), as_of=self.as_of,
            policy_calendars=list(self.policy_calendars) if self.policy_calendars is not None else None,
        )

    # -- copies and pickling

    def replace(self, **changes: Any) -> "ReportSpec":
        """A spec with some arguments changed."""
        args = dict(self._args)
        for k in changes:
            if k not in args:
                raise invalid(f"ReportSpec has no argument {k!r}")
        args.update(changes)
        if "keys" not in changes:
            args["keys"] = {k.name: k for k in self.keys if k.name != "priority"}
        if "columns" not in changes:
            args["columns"] = self.columns
        return ReportSpec(**args)

    def __reduce__(self) -> Any:
        args = dict(self._args)
        args["keys"] = {k.name: k for k in self.keys if k.name != "priority"}
        args["columns"] = self.columns
        return (_restore_spec, (args,))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ReportSpec):
            return NotImplemented
        mine, theirs = self.__reduce__()[1][0], other.__reduce__()[1][0]
        for k in ("calendar", "policy"):
            a, b = mine.pop(k), theirs.pop(k)
            if (a is None) != (b is None) or (a is not None and a.__reduce__() != b.__reduce__()):
                return False
        a, b = mine.pop("policy_calendars"), theirs.pop("policy_calendars")
        if [c.__reduce__() if c else None for c in a or ()] != [c.__reduce__() if c else None for c in b or ()]:
            return False
        return mine == theirs

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        by = list(self.by_keys) + ([self.bucket[0]] if self.bucket else [])
        return f"ReportSpec(by={by!r})"

    # -- the C spec

    @property
    def priority_key(self) -> int:
        """Index of the priority key in ``keys``, or -1."""
        for i, k in enumerate(self.keys):
            if k.name == "priority":
                return i
        return -1

    def _flags(self) -> int:
        if self.kpis == "headline":
            return 0
        return _CONTACTS | (_ATTAINMENT if self.policy is not None else 0)


def _restore_spec(args: Dict[str, Any]) -> ReportSpec:
    """Rebuilds a pickled ReportSpec."""
    return ReportSpec(**args)


def _width(capacity: int) -> Tuple[int, Any]:
    import numpy as np

    return (1, np.uint8) if capacity <= 256 else (2, np.uint16)


class _CSpec:
    """A cm_table_spec with everything it points to kept alive."""

    def __init__(self, spec: ReportSpec, calendar: Any, policy: Any, policy_calendars: Any) -> None:
        s = _Spec()
        check(lib.cm_table_spec_init(ctypes.byref(s)))
        self.names = [k.name.encode() for k in spec.keys]
        self.keys = (_Key * max(1, len(spec.keys)))()
        for i, k in enumerate(spec.keys):
            self.keys[i].name = self.names[i]
            self.keys[i].cardinality = k.capacity
            self.keys[i].width = _width(k.capacity)[0]
        s.keys = self.keys
        s.nkeys = len(spec.keys)
        mask = 0
        for name in spec.by_keys:
            mask |= 1 << [k.name for k in spec.keys].index(name)
        bucket, minutes = (spec.bucket[1], spec.bucket[2]) if spec.bucket else (0, 0)
        self.groupings = (_Grouping * 1)(_Grouping(mask, bucket, minutes, 0))
        s.groupings = self.groupings
        s.ngroupings = 1
        s.flags = spec._flags()
        s.calendar = calendar
        s.policy = policy
        if policy_calendars is not None:
            self.cals = (_vp * max(1, len(policy_calendars)))(*policy_calendars)
            s.policy_calendars = self.cals
            s.npolicy_calendars = len(policy_calendars)
        s.priority_key = spec.priority_key
        s.as_of = tc.NO_TIME if spec.as_of is None else spec.as_of
        if not spec.quantiles:
            s.quantile_mode = _NO_QUANTILES
        else:
            s.quantile_mode = _EXACT if spec.exact_quantiles else _SKETCH
            self.qs = (ctypes.c_double * len(spec.quantiles))(*spec.quantiles)
            s.quantiles = self.qs
            s.nquantiles = len(spec.quantiles)
        if spec.kpis == "headline":  # first replies only, quantiles of the calendar one
            s.duration_metrics = (1 << DURATIONS["first_reply"]) | (1 << DURATIONS["first_reply_business"])
            s.quantile_metrics = 1 << DURATIONS["first_reply"]
        s.short_abandon_seconds = spec.short_abandon_seconds
        s.service_target_seconds = spec.service_target_seconds
        s.csat_scale, s.csat_satisfied_min = spec.csat
        s.ces_scale, s.ces_easy_min, s.ces_easy_max = spec.ces
        s.row_capacity = spec.row_capacity if spec.exact_quantiles and spec.quantiles else 0
        s.open_capacity = spec.open_capacity
        s.group_capacity = spec.group_capacity
        self.spec = s


# ---- the report -------------------------------------------------------------------------------------


class TableReport(Handle):
    """A ticket-table report: folds frames, merges, travels as bytes, gives a result frame.

    ``TableReport(spec)`` allocates all the report's memory at once (the engine then
    folds without allocating). ``add(data)`` folds a DataFrame or a mapping of columns
    in blocks; ``merge(other)`` adds a report of an equal spec exactly (labels are
    matched by text, so reports that learnt their keys in different orders merge);
    ``to_bytes()`` / ``TableReport.from_bytes(data, spec)`` are the library's portable,
    versioned bytes; pickle and cloudpickle carry the spec and those bytes.
    ``result()`` is the DataFrame of :func:`report`. One thread at a time may fold or
    merge; the C object is freed by ``close()``, a ``with`` block or the collector.
    """

    __slots__ = ("spec", "_held", "_codes")
    _free = lib.cm_table_report_free

    def __init__(self, spec: ReportSpec) -> None:
        if not isinstance(spec, ReportSpec):
            raise invalid(f"spec must be a ReportSpec, not {type(spec).__name__}")
        self.spec = spec
        self._codes: List[Dict[str, int]] = [{} for _ in spec.keys]
        handles = [h for h in (spec.calendar, spec.policy, *(spec.policy_calendars or ())) if h is not None]
        held: List[Handle] = []
        try:
            for h in handles:
                h._acquire()
                held.append(h)
            cal = spec.calendar._ptr if spec.calendar is not None else None
            pol = spec.policy._ptr if spec.policy is not None else None
            pcs = [c._ptr if c is not None else None for c in spec.policy_calendars] if spec.policy_calendars is not None else None
            c = _CSpec(spec, cal, pol, pcs)
            out = _R()
            status = lib.cm_table_report_new(ctypes.byref(c.spec), None, ctypes.byref(out))
            if status == STATUS["CM_EINVAL"]:
                raise invalid("the spec was refused (a policy target on a calendar it lacks?)")
            check(status, "the report's memory: lower group_capacity, row_capacity or the keys' capacities")
        except BaseException:
            for h in held:
                h._release()
            raise
        self._held = held
        self._take(out)
        for i, k in enumerate(spec.keys):
            for label in k.labels:
                if tc.label_problem(label) is None:
                    self._intern(i, label)

    def _free_now(self) -> None:  # with the lock held
        ptr, self._ptr = self._ptr, None
        if ptr:
            lib.cm_table_report_free(ptr)
        held, self._held = getattr(self, "_held", []), []
        for h in held:
            h._release()

    # -- labels

    def _intern(self, key: int, label: str) -> Optional[int]:
        """The engine's code of a key's label (added when new), or None when the key is full."""
        code = self._codes[key].get(label)
        if code is not None:
            return code
        raw = label.encode("utf-8", "surrogatepass")
        out = ctypes.c_uint32()
        status = self._call(lib.cm_table_report_intern, key, raw, len(raw), ctypes.byref(out))
        if status == STATUS["CM_ENOSPC"]:
            return None
        check(status, f"key {self.spec.keys[key].name!r}, label {label!r}")
        self._codes[key][label] = out.value
        return out.value

    # -- folding

    def add(self, data: Any, *, block_rows: int = 65536, first_row: int = 0, strict: bool = False, threads: bool = True) -> "TableReport":
        """Folds a DataFrame (or a mapping of column name -> column) into the report.

        Columns are found through the spec's ``columns``; absent ones leave their KPIs
        without data. Rows are read in blocks of ``block_rows``. Bad rows are counted and
        the first ones described (see :meth:`bad_rows`); with ``strict=True`` the first
        block holding one raises :class:`BadRowError`. Rows are numbered by the data's
        non-negative integer index, else by position from ``first_row``. With ``threads``
        the next block is converted in a second thread while the engine folds the current
        one. Returns self."""
        if not isinstance(strict, bool):
            raise invalid(f"strict must be True or False, not {strict!r}")
        if not isinstance(threads, bool):
            raise invalid(f"threads must be True or False, not {threads!r}")
        _Reader(self, data, cv.integer(block_rows, "u32", "block_rows") or _too_small(), first_row).run(strict, threads)
        return self

    # -- merging and bytes

    def rows(self) -> Tuple[int, int]:
        """(rows folded, bad rows among them)."""
        rows, bad = ctypes.c_uint64(), ctypes.c_uint64()
        check(self._call(lib.cm_table_report_rows, ctypes.byref(rows), ctypes.byref(bad), None, 0, None))
        return int(rows.value), int(bad.value)

    def bad_rows(self) -> List[BadRow]:
        """The first bad rows (up to 16, by row number) with what was wrong."""
        return self._call(_bad_rows)

    def merge(self, other: "TableReport") -> "TableReport":
        """Adds another report of an equal spec into this one, exactly. Returns self."""
        if not isinstance(other, TableReport):
            raise invalid(f"cannot merge {type(other).__name__} into TableReport")
        if other is self:
            raise invalid("cannot merge a report into itself (merge a copy)")
        status = other._call(lambda src: self._call(lib.cm_table_report_merge, src))
        if status == STATUS["CM_ENOSPC"]:
            self._grow(other.rows()[0])
            status = other._call(lambda src: self._call(lib.cm_table_report_merge, src))
        self._merge_status(status)
        return self

    def _merge_status(self, status: int) -> None:
        if status == STATUS["CM_EINVAL"]:
            raise invalid("the reports' specs differ (keys, capacities, groupings, quantiles, thresholds, scales, SLA targets, as_of)")
        if status == STATUS["CM_ENOSPC"]:
            raise BufferTooSmallError(status, "a grouping has more groups than its capacity (group_capacity)")
        check(status)

    def merge_bytes(self, data: bytes) -> "TableReport":
        """Adds the bytes of a report of an equal spec (from to_bytes, on any machine). Returns self."""
        raw = cv.data(data, "data")
        buf = (ctypes.c_uint8 * max(1, len(raw))).from_buffer_copy(raw.ljust(1, b"\0"))
        status = self._call(lib.cm_table_report_merge_bytes, buf, len(raw))
        if status == STATUS["CM_ENOSPC"]:
            # Room for what the bytes can hold: a kept duration takes 4 bytes, an open ticket 9.
            self._grow(len(raw) // 4 + 1)
            status = self._call(lib.cm_table_report_merge_bytes, buf, len(raw))
        if status == STATUS["CM_EPARSE"]:
            raise error_for(status, f"data: {len(raw)} bytes are not a report (truncated, damaged or of an unknown version)")
        self._merge_status(status)
        return self

    def _grow(self, extra: int) -> None:
        """Replaces the C report by one with room for `extra` more kept and open tickets."""
        rows = self.rows()[0]
        room = min(2**32 - 1, rows + extra + 1)
        spec = self.spec.replace(
            row_capacity=max(self.spec.row_capacity, room) if self.spec.exact_quantiles and self.spec.quantiles else self.spec.row_capacity,
            open_capacity=max(self.spec.open_capacity, room, 65536),
        )
        bigger = TableReport(spec)
        status = self._call(lambda src: bigger._call(lib.cm_table_report_merge, src))
        self._merge_status(status)
        with self._lock:
            old, self._ptr = self._ptr, bigger._ptr
            bigger._ptr = old  # the old report is freed with `bigger`
            self.spec = spec
            self._held, bigger._held = bigger._held, self._held
        bigger.close()

    def to_bytes(self) -> bytes:
        """The report as the library's portable, versioned, checksummed bytes."""
        need = ctypes.c_size_t()
        probe = (ctypes.c_uint8 * 1)()
        status = self._call(lib.cm_table_report_serialize, probe, 0, ctypes.byref(need))
        if status != STATUS["CM_ENOSPC"]:
            check(status)
        buf = (ctypes.c_uint8 * need.value)()
        n = ctypes.c_size_t()
        check(self._call(lib.cm_table_report_serialize, buf, need.value, ctypes.byref(n)))
        return bytes(buf[: n.value])

    @classmethod
    def from_bytes(cls, data: bytes, spec: ReportSpec) -> "TableReport":
        """A report from bytes written by to_bytes() of a report with an equal spec."""
        return cls(spec).merge_bytes(data)

    def copy(self) -> "TableReport":
        """An independent copy (through the bytes)."""
        return TableReport.from_bytes(self.to_bytes(), self.spec)

    def __reduce__(self) -> Any:
        return (_restore_report, (self.spec, self.to_bytes()))

    # -- results

    def _finish(self) -> int:
        check(self._call(lib.cm_table_report_finish))
        return int(self._call(lib.cm_table_report_group_count))

    def as_of(self) -> Optional[int]:
        """The instant open tickets were judged at (Unix seconds), or None before any row."""
        self._finish()
        out = ctypes.c_int64()
        check(self._call(lib.cm_table_report_as_of, ctypes.byref(out)))
        return None if out.value == tc.NO_TIME else int(out.value)

    def contacts(self) -> Any:
        """The whole report's real-time contact counters as a :class:`caremetrics.contact.Contacts`
        (for the service level in each of its definitions); NoDataError without waits."""
        if self.spec.by_keys or self.spec.bucket:
            raise invalid("contacts() reads a report without groups; use the result's service_level columns")
        self._finish()
        c = _Contact()
        check(self._call(lib.cm_table_report_contact, 0, ctypes.byref(c)))
        acc = object.__new__(Contacts)
        acc._c = c
        return acc

    def result(self, confidence: Optional[float] = None, observed: bool = False) -> Any:
        """The report as a pandas DataFrame: one row per group, the columns of docs/python.md.

        A KPI without data is NaN with zero counts. With ``observed=False`` (pandas'
        default) keys given by their values (categorical columns) also show the groups
        without rows. ``attrs`` holds ``rows``, ``bad_rows`` (a count), ``first_bad_rows``
        (:class:`BadRow` list), ``as_of`` and ``confidence``."""
        c = DEFAULT_CONFIDENCE if confidence is None else cv.f64(confidence, "confidence")
        if not 0.0 < c < 1.0:
            raise invalid(f"confidence = {confidence!r} is outside (0, 1)")
        return _Result(self, c, observed).frame()

    def __repr__(self) -> str:
        if self.closed:
            return "TableReport(closed)"
        rows, bad = self.rows()
        return f"TableReport({self.spec!r}, rows={rows}, bad_rows={bad})"


def _bad_rows(ptr: Any) -> List[BadRow]:
    out = (_BadRow * BAD_ROWS_KEPT)()
    n = ctypes.c_size_t()
    check(lib.cm_table_report_rows(ptr, None, None, out, BAD_ROWS_KEPT, ctypes.byref(n)))
    return [BadRow(int(b.row), b.column.decode(errors="replace"), b.value.decode(errors="replace"), b.expected.decode(errors="replace")) for b in out[: n.value]]


def _too_small() -> int:
    raise invalid("block_rows must be at least 1")


def _restore_report(spec: ReportSpec, data: bytes) -> TableReport:
    """Rebuilds a pickled TableReport from its spec and bytes."""
    return TableReport.from_bytes(data, spec)


# ---- reading data -------------------------------------------------------------------------------------


def _columns_of(data: Any) -> Tuple[List[Any], int]:
    """The column names of a DataFrame or mapping, and its number of rows (None if unknown)."""
    if cv._is_pandas(data):
        import pandas as pd

        if isinstance(data, pd.DataFrame):
            return list(data.columns), len(data)
        raise invalid(f"data must be a DataFrame or a mapping of columns, not a {type(data).__name__}")
    if isinstance(data, (str, bytes)) or not hasattr(data, "keys") or not hasattr(data, "__getitem__"):
        raise invalid(f"data must be a DataFrame or a mapping of columns, not {type(data).__name__}")
    return list(data.keys()), -1


def _key_column(cmap: tc.ColumnMap, key: str) -> Any:
    """The data's column of a key: the mapped column of channel and priority, else the key's name."""
    return cmap.names.get(key, key) if key in ("channel", "priority") else key


class _Reader:
    """One DataFrame or mapping folded into a report, block by block."""

    def __init__(self, rep: TableReport, data: Any, block_rows: int, first_row: int, codes: Optional[Dict[str, Any]] = None) -> None:
        spec = rep.spec
        names, nrows = _columns_of(data)
        present = set(names)
        cmap = spec.columns
        self.rep = rep
        self.block = block_rows
        self.targets: List[Any] = []
        self.created: Any = None
        for ours, name in cmap.names.items():
            if name not in present:
                if ours in cmap.required:
                    raise NotFoundError(STATUS["CM_ENOTFOUND"], f"the data has no column {name!r} ({ours}, {cmap.source})")
                continue
            kind = tc.TARGETS[ours][0]
            if kind in ("key", "priority"):
                continue
            col = tc.Col(data[name], name)
            if nrows < 0:
                nrows = col.n
            elif col.n != nrows:
                raise invalid(f"column {name!r} has {col.n} rows, not {nrows}")
            cls = {"instant": tc.Instants, "after": tc.After, "seconds": tc.Seconds}.get(kind, tc.Integers)
            t = cls(ours, col, cmap.values.get(ours), min(block_rows, max(nrows, 1)))
            if ours == "created_at":
                self.created = t
            else:
                self.targets.append(t)
        if self.created is None:
            raise NotFoundError(STATUS["CM_ENOTFOUND"], f"the data has no creation column {cmap.names.get('created_at', 'created_at')!r} (created_at)")
        self.n = nrows
        # Keys: the data's column for each of the spec's keys.
        self.keys: List[_KeyReader] = []
        for i, k in enumerate(spec.keys):
            name = _key_column(cmap, k.name)
            if name not in present:
                if k.name == "priority" and "priority" not in spec.by_keys:
                    self.keys.append(_KeyReader(rep, i, None, None, {}, nrows))  # no priorities: no SLA
                    continue
                raise NotFoundError(STATUS["CM_ENOTFOUND"], f"the data has no column {name!r} to group by ({k.name})")
            col = tc.Col(data[name], name)
            if col.n != nrows:
                raise invalid(f"column {name!r} has {col.n} rows, not {nrows}")
            known = (codes or {}).get(k.name)
            self.keys.append(_KeyReader(rep, i, data[name], col, cmap.values.get(k.name, {}), nrows, known))
        self.rows = _RowNumbers(data, nrows, first_row)
        self.c = _Columns()
        check(lib.cm_table_columns_init(ctypes.byref(self.c)))
        self.key_ptrs = (_vp * max(1, len(self.keys)))()
        self.c.keys = self.key_ptrs if self.keys else None

    def run(self, strict: bool, threads: bool) -> None:
        """Folds every block. With `threads`, the next block is converted in a second thread
        while the engine folds this one (numpy and the library both release the GIL)."""
        blocks = [(a, min(self.n, a + self.block)) for a in range(0, self.n, self.block)]
        if not threads or len(blocks) < 2:
            for i, (a, b) in enumerate(blocks):
                self.feed(self.convert(a, b, i % 2))
                self.check(strict)
            return
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1, thread_name_prefix="caremetrics-report") as pool:
            pending = pool.submit(self.convert, blocks[0][0], blocks[0][1], 0)
            for i in range(len(blocks)):
                ready = pending.result()
                if i + 1 < len(blocks):
                    pending = pool.submit(self.convert, blocks[i + 1][0], blocks[i + 1][1], (i + 1) % 2)
                self.feed(ready)
                self.check(strict)

    def check(self, strict: bool) -> None:
        if strict:
            rows, bad = self.rep.rows()
            if bad:
                raise BadRowError(self.rep.bad_rows()[0], bad)

    def convert(self, a: int, b: int, slot: int) -> Tuple[tc.Block, Dict[str, Any], List[Any]]:
        """A block's columns in the engine's layout (into the slot's scratch arrays)."""
        blk = tc.Block(a, b, slot)
        created = self.created.convert(blk)
        blk.created = created
        arrays: Dict[str, Any] = {"created": created}
        for t in self.targets:
            arrays[t.field] = t.convert(blk)
        return blk, arrays, [k.convert(blk) for k in self.keys]

    def feed(self, prepared: Tuple[tc.Block, Dict[str, Any], List[Any]]) -> None:
        """Folds a converted block: the rows it could not convert become bad rows (the first
        ones, by number, with their description), the others go to the engine."""
        import numpy as np

        blk, arrays, codes = prepared
        a = blk.a
        skip: List[int] = []
        if blk.bad is not None:
            bad_at = np.flatnonzero(blk.bad)
            numbers = self.rows.numbers_of(a, bad_at)
            order = np.argsort(numbers, kind="stable")
            described = bad_at[order[:BAD_ROWS_KEPT]]
            for i, number in zip(described, numbers[order[:BAD_ROWS_KEPT]]):
                column, value, expected = blk.describe(int(i))
                row = _BadRow()
                row.row = int(number)
                row.column = column.encode("utf-8", "replace")[:63]
                row.value = value.encode("utf-8", "replace")[:47]
                row.expected = expected.encode("utf-8", "replace")[:79]
                check(self.rep._call(lib.cm_table_report_add_bad_row, ctypes.byref(row)))
            rest = bad_at[order[BAD_ROWS_KEPT:]]
            if len(rest):
                # The others are given to the engine with no creation instant: it counts them
                # as bad rows (and never keeps their description: the described ones come
                # first by number).
                own = self.created.convert(blk, private=True)
                own[rest] = tc.NO_TIME
                arrays["created"] = own
            skip = sorted(int(i) for i in described)
        start = 0
        for stop in skip + [blk.n]:
            if stop > start:
                self._add(arrays, codes, a, start, stop)
            start = stop + 1

    def _add(self, arrays: Dict[str, Any], codes: List[Any], a: int, start: int, stop: int) -> None:
        import numpy as np

        c = self.c
        c.rows = stop - start
        for field in ("created", "first_reply", "solved", "contacts", "reopened", "escalated", "abandoned", "csat", "nps", "ces", "wait_seconds", "handle_seconds"):
            arr = arrays.get(field)
            if arr is not None and not arr.flags.aligned:
                # Memory from a pickle or a buffer at an odd offset: C reads aligned values.
                arr = arrays[field] = np.require(arr, requirements=["A", "C"])
            setattr(c, field, None if arr is None else arr.ctypes.data + start * arr.itemsize)
        for i, k in enumerate(codes):
            if not k.flags.aligned:
                k = codes[i] = np.require(k, requirements=["A", "C"])
            self.key_ptrs[i] = k.ctypes.data + start * k.itemsize
        self.rows.set(c, a + start)
        status = self.rep._call(lib.cm_table_report_add, ctypes.byref(c))
        if status == STATUS["CM_ENOSPC"]:
            raise BufferTooSmallError(
                status,
                "the report is full: more groups than group_capacity, more tickets than row_capacity "
                "(exact quantiles) or more open tickets than open_capacity",
            )
        check(status)


class _RowNumbers:
    """How rows are numbered: the data's non-negative integer index, else positions."""

    def __init__(self, data: Any, n: int, first_row: int) -> None:
        import numpy as np

        self.first = cv.u64(first_row, "first_row")
        self.numbers: Any = None
        index = getattr(data, "index", None)
        if index is None or not cv._is_pandas(data):
            return
        import pandas as pd

        if isinstance(index, pd.RangeIndex):
            if index.step == 1 and index.start >= 0:
                self.first = index.start
                return
        if index.dtype.kind in "iu" and len(index) and int(index.min()) >= 0:
            self.numbers = np.ascontiguousarray(index.to_numpy()).astype(np.uint64, copy=False)
            return
        if isinstance(index, pd.RangeIndex) and len(index) and index.min() >= 0:
            self.numbers = np.asarray(index, dtype=np.uint64)

    def numbers_of(self, a: int, at: Any) -> Any:
        import numpy as np

        if self.numbers is not None:
            return self.numbers[a + at]
        return (self.first + a + at).astype(np.uint64)

    def set(self, c: _Columns, a: int) -> None:
        if self.numbers is not None:
            c.row_numbers = self.numbers.ctypes.data + a * 8
            c.first_row = 0
        else:
            c.row_numbers = None
            c.first_row = self.first + a


class _KeyReader:
    """A key column as the engine's codes, block by block."""

    def __init__(self, rep: TableReport, index: int, column: Any, col: Optional[tc.Col], values: Dict[str, str], rows: int, known: Optional[tc.KeyCodes] = None) -> None:
        import numpy as np

        spec = rep.spec.keys[index]
        self.spec = spec
        self.width, self.dtype = _width(spec.capacity)
        self.scratch = tc.Scratch(min(rows, 65536))
        self.col = col
        self.zero_copy = False
        if col is None:  # a priority key without a column: every ticket without priority
            self.codes = None
            return
        kc = known if known is not None else tc.KeyCodes(column, col)  # factorized once per frame
        self.codes = kc.codes
        # The engine's code of each distinct value, -1 when it cannot have one; the last
        # slot is for missing values.
        mapping = np.full(len(kc.values) + 1, -1, dtype=np.int64)
        self.why: Dict[int, str] = {}
        for j, v in enumerate(list(kc.values) + [None]):
            if j == len(kc.values) and not kc.has_missing:
                continue
            code, problem = self._code_of(rep, index, v, values, j == len(kc.values))
            if code is None:
                self.why[j] = problem
            else:
                mapping[j] = code
        self.table = np.where(mapping < 0, 0, mapping).astype(self.dtype)  # engine code per value
        self.unusable = mapping < 0
        self.values = list(kc.values)
        n = len(kc.values)
        dt = self.codes.dtype
        # Categorical codes that are already the engine's codes are read in place.
        self.zero_copy = (
            not kc.has_missing
            and not self.why
            and dt.kind in "iu"
            and dt.itemsize == self.width
            and n <= 2 ** (8 * dt.itemsize - (dt.kind == "i"))
            and np.array_equal(mapping[:n], np.arange(n))
        )
        # int8 codes to one-byte engine codes: a byte translation table (a quarter of the
        # time of numpy's take, which widens the codes to intp first).
        self.lut: Optional[bytes] = None
        if not self.zero_copy and dt == np.int8 and self.width == 1:
            lut = np.zeros(256, dtype=np.uint8)
            lut[:n] = self.table[:n]
            lut[255] = self.table[n]  # code -1: missing
            self.lut = lut.tobytes()

    def _code_of(self, rep: TableReport, index: int, value: Any, values: Dict[str, str], missing: bool) -> Tuple[Optional[int], str]:
        if self.spec.name == "priority":
            level = tc.priority_level(None if missing else value, values)
            if level is None:
                return None, "urgent, high, normal, low or missing (or a value map for it)"
            return level, ""
        label = tc.NONE_LABEL if missing else tc.key_label(value, values)
        problem = tc.label_problem(label)
        if problem is not None:
            return None, problem
        code = rep._intern(index, label)
        if code is None:
            return None, f"at most {self.spec.capacity} distinct values (the key's capacity)"
        return code, ""

    def convert(self, blk: tc.Block) -> Any:
        import numpy as np

        if self.codes is None:
            out = self.scratch.get(blk, "out", self.dtype)
            out.fill(0)
            return out
        codes = self.codes[blk.a : blk.b]
        if self.zero_copy:
            return codes.view(self.dtype)
        if self.lut is not None:
            out = np.frombuffer(codes.tobytes().translate(self.lut), dtype=np.uint8)
        else:
            out = self.scratch.get(blk, "out", self.dtype)
            np.take(self.table, codes, out=out)  # -1 (missing) takes the last slot
        if self.why:
            bad = self.unusable.take(codes)
            if bad.any():
                col, why, vals = self.col, self.why, self.values

                def describe(i: int) -> Tuple[str, str, str]:
                    j = int(codes[i])
                    v = vals[j] if j >= 0 else None
                    return (str(col.name), tc._text(v), why.get(j if j >= 0 else len(vals), "a value"))

                blk.reject(bad, describe)
        return out


# ---- results ------------------------------------------------------------------------------------------

_NAN = math.nan
_ENODATA = STATUS["CM_ENODATA"]


class _Result:
    """Reads every group of a finished report into rows of tidy columns."""

    def __init__(self, rep: TableReport, confidence: float, observed: bool) -> None:
        self.rep, self.c, self.observed = rep, confidence, observed
        self.spec = rep.spec
        self.ptr: Any = None  # the report, held open while the frame is read
        self.qnames = [f"_{quantile_name(q)}_seconds" for q in self.spec.quantiles]
        self.prefixed = {prefix: [f"{prefix}_{f}" for f in _PROPORTION] for prefix in
                         list(RATES) + ["abandonment", "service_level", "csat"]
                         + [f"sla_first_reply_within_{p}" for p in SLA_PRIORITIES]
                         + [f"sla_{m}_{p}" for m in SLA_METRICS for p in SLA_PRIORITIES]}
        self.targets: Dict[Tuple[int, int], Tuple[int, bool]] = {}

    def _get(self, fn: Any, *args: Any) -> bool:
        status = fn(self.ptr, *args)
        if status == 0:
            return True
        if status == _ENODATA:
            return False
        check(status)
        return False

    @staticmethod
    def _get_status(status: int) -> bool:
        if status == _ENODATA:
            return False
        check(status)
        return True

    def _share(self, out: Dict[str, Any], prefix: str, p: Optional[_Proportion]) -> None:
        names = self.prefixed[prefix]
        if p is None:
            out[names[0]] = out[names[1]] = out[names[2]] = _NAN
            out[names[3]] = out[names[4]] = out[names[5]] = 0
        else:
            out[names[0]], out[names[1]], out[names[2]] = p.value, p.lo, p.hi
            out[names[3]], out[names[4]] = int(p.num), int(p.den)
            out[names[5]] = int(p.den)

    def row(self, g: Optional[int]) -> Dict[str, Any]:
        """The columns of group g (None: an empty group), always in the same order."""
        c = self.c
        out: Dict[str, Any] = {}
        k = _Counts()
        have = g is not None and self._get(lib.cm_table_report_counts, g, ctypes.byref(k))
        out["rows"] = int(k.rows) if have else 0
        out["tickets"] = int(k.tickets) if have else 0
        out["abandoned_contacts"] = int(k.abandoned) if have else 0
        out["replied"] = int(k.replied) if have else 0
        out["solved"] = int(k.solved) if have else 0
        out["first_created"] = _Instant(k.first_created if have else tc.NO_TIME)  # datetimes in the frame
        out["last_created"] = _Instant(k.last_created if have else tc.NO_TIME)
        cs = _CsatSummary()
        ok = g is not None and self._get(lib.cm_table_report_csat, g, c, ctypes.byref(cs))
        self._share(out, "csat", cs.satisfied if ok else None)
        out["csat_mean"] = cs.mean if ok else _NAN
        ns = _NpsSummary()
        if g is not None and self._get(lib.cm_table_report_nps, g, c, ctypes.byref(ns)):
            out["nps_value"], out["nps_lo"], out["nps_hi"], out["nps_se"] = ns.score, ns.lo, ns.hi, ns.se
            out["nps_n"], out["nps_promoters"], out["nps_passives"], out["nps_detractors"] = int(ns.n), int(ns.promoters), int(ns.passives), int(ns.detractors)
        else:
            out["nps_value"] = out["nps_lo"] = out["nps_hi"] = out["nps_se"] = _NAN
            out["nps_n"] = out["nps_promoters"] = out["nps_passives"] = out["nps_detractors"] = 0
        es = _CesSummary()
        if g is not None and self._get(lib.cm_table_report_ces, g, c, ctypes.byref(es)):
            out["ces_value"], out["ces_lo"], out["ces_hi"], out["ces_sd"], out["ces_n"] = es.mean, es.lo, es.hi, es.sd, int(es.n)
            out["ces_easy"], out["ces_easy_lo"], out["ces_easy_hi"] = es.easy.value, es.easy.lo, es.easy.hi
        else:
            out["ces_value"] = out["ces_lo"] = out["ces_hi"] = out["ces_sd"] = _NAN
            out["ces_n"] = 0
            out["ces_easy"] = out["ces_easy_lo"] = out["ces_easy_hi"] = _NAN
        p = _Proportion()
        for name, kpi in RATES.items():
            ok = g is not None and self._get(lib.cm_table_report_rate, g, kpi, c, ctypes.byref(p))
            self._share(out, name, p if ok else None)
        d = _Duration()
        for name, metric in DURATIONS.items():
            ok = g is not None and self._get(lib.cm_table_report_duration, g, metric, ctypes.byref(d))
            out[name + "_n"] = int(d.n) if ok else 0
            out[name + "_mean_seconds"] = d.mean_seconds if ok else _NAN
            out[name + "_total_seconds"] = d.total_seconds if ok else 0.0
            out[name + "_min_seconds"] = d.min_seconds if ok else _NAN
            out[name + "_max_seconds"] = d.max_seconds if ok else _NAN
            for i, q in enumerate(self.qnames):
                out[name + q] = d.quantiles[i] if ok and i < d.nquantiles else _NAN
        out["handle_n"] = int(k.handled) if have else 0
        out["handle_total_seconds"] = k.handle_seconds if have else 0.0
        out["handle_mean_seconds"] = k.handle_seconds / k.handled if have and k.handled else _NAN
        ok = g is not None and self._get(lib.cm_table_report_rate, g, 3, c, ctypes.byref(p))
        self._share(out, "abandonment", p if ok else None)
        ct = _Contact()
        ok = g is not None and self._get(lib.cm_table_report_contact, g, ctypes.byref(ct))
        out["offered"] = int(ct.offered) if ok else 0
        sl, asa, aht = None, _NAN, _NAN
        if ok and ct.offered:
            num, den, sl = ctypes.c_uint64(), ctypes.c_uint64(), _Proportion()
            cref = ctypes.byref(ct)
            check(lib.cm_contact_service_level_counts(cref, int(SlVariant.ABANDONS_AGAINST), ctypes.byref(num), ctypes.byref(den)))
            if not den.value or self._get_status(lib.cm_rate(num.value, den.value, c, ctypes.byref(sl))) is False:
                sl = None
            asa = _measure(lib.cm_contact_asa, cref)
            aht = _measure(lib.cm_contact_aht, cref)
        self._share(out, "service_level", sl)
        out["asa_seconds"], out["aht_seconds"] = asa, aht
        if self.spec.policy is not None:
            self._sla(out, g)
        return out

    def _sla(self, out: Dict[str, Any], g: Optional[int]) -> None:
        c = self.c
        p = _Proportion()
        for pname, level in SLA_PRIORITIES.items():
            ok = g is not None and self._get(lib.cm_table_report_reply_within, g, level, c, ctypes.byref(p))
            self._share(out, f"sla_first_reply_within_{pname}", p if ok else None)
        s = _Sla()
        for mname, metric in SLA_METRICS.items():
            for pname, level in SLA_PRIORITIES.items():
                ok = g is not None and self._get(lib.cm_table_report_sla, g, metric, level, c, ctypes.byref(s))
                prefix = f"sla_{mname}_{pname}"
                self._share(out, prefix, s.attained if ok else None)
                out[prefix + "_open"] = int(s.open) if ok else 0
                out[prefix + "_mean_seconds"] = s.mean_seconds if ok and s.achieved + s.breached else _NAN
                target, business = (int(s.target_seconds), bool(s.business)) if ok else self._target(metric, level)
                out[prefix + "_target_seconds"] = target
                out[prefix + "_business"] = business

    def _target(self, metric: int, level: int) -> Tuple[int, bool]:
        """The policy's target of a metric at a level (for groups without a judged instance)."""
        if (metric, level) not in self.targets:
            t = None if level == _SLA_ALL else self.spec.policy.target(Metric(metric), Priority(level))
            self.targets[(metric, level)] = (0, False) if t is None else (int(t.seconds), t.calendar is not None)
        return self.targets[(metric, level)]

    # -- the frame

    def frame(self) -> Any:
        rep = self.rep
        ngroups = rep._finish()
        self.ptr = rep._acquire()
        try:
            return self._frame(ngroups)
        finally:
            self.ptr = None
            rep._release()

    def _frame(self, ngroups: int) -> Any:
        import numpy as np
        import pandas as pd

        spec, ptr = self.spec, self.ptr
        key_index = [[k.name for k in spec.keys].index(name) for name in spec.by_keys]
        label_to_value = [self._label_values(spec.keys[i]) for i in key_index]
        index_rows: List[Tuple[Any, ...]] = []
        rows: List[Dict[str, Any]] = []
        starts: List[int] = []
        ends: List[int] = []
        offsets: List[int] = []
        grp = _Group()
        bucket = spec.bucket[0] if spec.bucket is not None else None
        instants = bucket is not None and bucket not in ("weekday", "time_of_day", "time-of-day")
        for gi in range(ngroups):
            check(lib.cm_table_report_group(ptr, gi, ctypes.byref(grp)))
            labels = []
            for j, ki in enumerate(key_index):
                raw = lib.cm_table_report_label(ptr, ki, grp.codes[ki])
                label = raw.decode("utf-8", "surrogatepass") if raw is not None else tc.NONE_LABEL
                labels.append(label_to_value[j](label))
            if bucket == "weekday":
                labels.append(int(grp.slot))
            elif bucket is not None and not instants:
                m = int(grp.slot) * spec.bucket[2]
                labels.append(f"{m // 60:02d}:{m % 60:02d}")
            elif instants:
                starts.append(int(grp.start))
                ends.append(int(grp.end))
                offsets.append(int(grp.utc_offset))
            index_rows.append(tuple(labels))
            rows.append(self.row(gi))
        template = self.row(None)
        # One 2-D block per dtype (pandas' own layout), not one array per column: a frame of
        # a few hundred columns is then built in a few calls.
        by_dtype: Dict[Any, List[str]] = {}
        for col, empty in template.items():
            dtype = _Instant if isinstance(empty, _Instant) else bool if isinstance(empty, bool) else np.int64 if isinstance(empty, int) else np.float64
            by_dtype.setdefault(dtype, []).append(col)
        parts: List[Any] = []
        for dtype, cols in by_dtype.items():
            if dtype is _Instant:
                for col in cols:
                    stamps = np.array([int(r[col]) for r in rows], dtype=np.int64).view("datetime64[s]")  # NO_TIME is NaT
                    parts.append(pd.DataFrame({col: pd.DatetimeIndex(stamps).tz_localize("UTC")}))
            else:
                block = np.array([[r[c] for c in cols] for r in rows], dtype=dtype).reshape(len(rows), len(cols))
                parts.append(pd.DataFrame(block, columns=cols))
        order = list(template)
        level_names = list(spec.by_keys)
        if bucket is not None:
            level_names.append(bucket.replace("-", "_"))
        if instants:
            zone = _zone_of(spec.calendar, np.array(starts, dtype=np.int64), np.array(offsets, dtype=np.int64))
            start_ix = pd.DatetimeIndex(np.array(starts, dtype=np.int64).view("datetime64[s]")).tz_localize("UTC").tz_convert(zone)
            end_ix = pd.DatetimeIndex(np.array(ends, dtype=np.int64).view("datetime64[s]")).tz_localize("UTC").tz_convert(zone)
            index_rows = [r + (t,) for r, t in zip(index_rows, start_ix)]
            parts.append(pd.DataFrame({"bucket_end": end_ix}))
            order.insert(0, "bucket_end")
        if not level_names:
            index = pd.Index(["all"])
        elif len(level_names) == 1:
            index = pd.Index([r[0] for r in index_rows], name=level_names[0], tupleize_cols=False, dtype=None if index_rows else object)
        elif index_rows:
            index = pd.MultiIndex.from_tuples(index_rows, names=level_names)
        else:
            index = pd.MultiIndex.from_arrays([[] for _ in level_names], names=level_names)
        frame = pd.concat(parts, axis=1)[order]
        frame.index = index
        empty_row = {k: (pd.NaT if isinstance(v, _Instant) else v) for k, v in template.items()}
        if instants:
            empty_row = {"bucket_end": pd.NaT, **empty_row}
        frame = self._complete(frame, empty_row, key_index)
        rows_seen, bad = ctypes.c_uint64(), ctypes.c_uint64()
        check(lib.cm_table_report_rows(ptr, ctypes.byref(rows_seen), ctypes.byref(bad), None, 0, None))
        rows_seen, bad = int(rows_seen.value), int(bad.value)
        frame.attrs["rows"] = rows_seen
        frame.attrs["bad_rows"] = bad
        frame.attrs["first_bad_rows"] = _bad_rows(ptr)
        as_of = ctypes.c_int64()
        check(lib.cm_table_report_as_of(ptr, ctypes.byref(as_of)))
        frame.attrs["as_of"] = None if as_of.value == tc.NO_TIME else pd.Timestamp(as_of.value, unit="s", tz="UTC")
        frame.attrs["confidence"] = self.c
        return frame

    def _label_values(self, key: KeySpec) -> Any:
        known = {tc.label_of(v): v for v in key.values}
        if key.name == "priority":
            return lambda label: label
        ints = all(isinstance(v, int) and not isinstance(v, bool) for v in key.values) and key.values

        def value(label: str) -> Any:
            if label in known:
                return known[label]
            if ints and re.fullmatch(r"-?\d+", label):
                return int(label)
            return label

        return value

    def _complete(self, frame: Any, template: Dict[str, Any], key_index: List[int]) -> Any:
        """Sorts the groups as pandas' groupby does (priorities urgent first), and adds the
        groups without rows of keys given by their values (categories) unless observed."""
        import numpy as np
        import pandas as pd

        spec = self.spec
        nlev = frame.index.nlevels
        if not spec.by_keys and spec.bucket is None:
            return frame
        tuples = [t if nlev > 1 else (t,) for t in frame.index]
        orders: List[List[Any]] = []
        complete = False
        for j in range(nlev):
            seen = list(dict.fromkeys(t[j] for t in tuples))
            key = spec.keys[key_index[j]] if j < len(key_index) else None
            if key is not None and key.name == "priority":
                order = [p for p in _PRIORITY_ORDER if p in seen]
            elif key is not None and key.complete:
                known = set(key.values)
                order = list(key.values) + _sorted([v for v in seen if v not in known])
                complete = complete or not self.observed
            else:
                order = _sorted(seen)
            orders.append(order)
        ranks = [{v: i for i, v in enumerate(order)} for order in orders]
        positions = sorted(range(len(tuples)), key=lambda r: tuple(ranks[j][tuples[r][j]] for j in range(nlev)))
        frame = frame.iloc[positions]
        if complete:
            if nlev == 1:
                full = pd.Index(orders[0], name=frame.index.name, tupleize_cols=False)
            else:
                full = pd.MultiIndex.from_product(orders, names=frame.index.names)
            if len(full) != len(frame):
                frame = frame.reindex(full).fillna(template)
                for col, empty in template.items():
                    if isinstance(empty, bool):
                        frame[col] = frame[col].astype(bool)
                    elif isinstance(empty, int):
                        frame[col] = frame[col].astype(np.int64)
        return frame


class _Instant(int):
    """Unix seconds of a result column shown as a datetime."""


_PRIORITY_ORDER = ("urgent", "high", "normal", "low", "none")


def _sorted(values: List[Any]) -> List[Any]:
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=lambda v: (type(v).__name__, str(v)))


def _measure(fn: Any, counter: Any) -> float:
    """A measure of a contact counter (ASA, AHT), NaN without data."""
    out = ctypes.c_double()
    status = fn(counter, ctypes.byref(out))
    if status == _ENODATA:
        return _NAN
    check(status)
    return out.value


def _zone_of(calendar: Optional[Calendar], starts: Any, offsets: Any) -> str:
    """The zone the time buckets are labelled in: the calendar's, when pandas knows it by name
    and agrees with the engine's offsets at every bucket start, else UTC."""
    import pandas as pd

    if calendar is None:
        return "UTC"
    name = None
    tz = calendar.tz
    if tz is not None:
        source = getattr(tz, "_source", ())
        name = source[1] if source and source[0] == "name" else None
    else:
        m = re.search(r"^[ \t]*tz[ \t]+(\S+)", calendar.spec, re.M)
        name = m.group(1) if m else "UTC"
    if name is None:
        return "UTC"
    try:
        local = pd.DatetimeIndex(starts.astype("datetime64[s]")).tz_localize("UTC").tz_convert(name)
    except Exception:  # a zone pandas does not know by that name
        return "UTC"
    seen = (local.tz_localize(None).asi8 - local.tz_convert("UTC").tz_localize(None).asi8) // 10**9
    return name if (seen == offsets).all() else "UTC"


# ---- the one call ----------------------------------------------------------------------------------------


class _Survey:
    """Reads the columns a spec's sizes depend on (creation instants, solve instants, keys)."""

    def __init__(self, data: Any, spec: ReportSpec, by: Sequence[str], keep_codes: bool = False) -> None:
        import numpy as np

        names, nrows = _columns_of(data)
        present = set(names)
        cmap = spec.columns
        facts: Dict[str, Any] = {"rows": 0, "unsolved": 0, "first": None, "last": None, "keys": {}}
        self.codes: Dict[str, tc.KeyCodes] = {}
        created_name = cmap.names.get("created_at")
        if created_name not in present:
            raise NotFoundError(STATUS["CM_ENOTFOUND"], f"the data has no creation column {created_name!r} (created_at)")
        col = tc.Col(data[created_name], created_name)
        nrows = col.n
        facts["rows"] = nrows
        if spec.bucket is not None and nrows:
            step = 1 << 20
            t = tc.Instants("created_at", col, None, min(nrows, step))
            lo, hi = None, None
            for a in range(0, nrows, step):
                secs = t.convert(tc.Block(a, min(nrows, a + step)))
                ok = secs[secs != tc.NO_TIME]
                if len(ok):
                    lo = int(ok.min()) if lo is None else min(lo, int(ok.min()))
                    hi = int(ok.max()) if hi is None else max(hi, int(ok.max()))
            facts["first"], facts["last"] = lo, hi
        # Open tickets (for the room SLA attainment needs): those without a solve instant.
        facts["unsolved"] = nrows
        solved_name = cmap.names.get("solved_at")
        if solved_name in present and spec._flags() & _ATTAINMENT and spec.as_of is None:
            s = tc.Col(data[solved_name], solved_name)
            if s.kind == "time":
                facts["unsolved"] = int(np.count_nonzero(s.data == tc.NO_TIME))
        for name in by:
            col_name = _key_column(cmap, name)
            if name == "priority":
                continue
            if col_name not in present:
                where = f" ({cmap.source})" if name == "channel" else f"; its columns: {', '.join(map(str, names[:20]))}"
                raise NotFoundError(STATUS["CM_ENOTFOUND"], f"by has {name!r}, but the data has no column {col_name!r}" + where)
            kc = tc.KeyCodes(data[col_name], tc.Col(data[col_name], col_name))
            vmap = cmap.values.get(name, {})
            values = list(dict.fromkeys(tc.key_label(v, vmap) for v in kc.values)) if vmap else kc.values
            facts["keys"][name] = (values, kc.categorical, kc.has_missing)
            if keep_codes:
                self.codes[name] = kc
        self.facts = facts


def _group_capacity(spec: ReportSpec, facts: Dict[str, Any], capacities: Dict[str, int]) -> int:
    """Room for the groups of a grouping: key combinations times the buckets of the span,
    at most a group per row (the caremetrics-report sizing)."""
    combos = 1
    for name in spec.by_keys:
        combos *= capacities.get(name, 5)
    if spec.bucket is None:
        if combos <= 4096:
            return 0
        return int(min(combos, facts["rows"] + 64, 2**31 - 1))
    first, last = facts["first"], facts["last"]
    if first is None:
        return 64
    span = (last - first) + 2 * 86400.0
    _, bucket, minutes = spec.bucket
    buckets = {
        _MINUTES_BUCKET: lambda: span / (60.0 * minutes) + 2 * 1440 / minutes,
        2: lambda: span / 3600.0 + 48,
        3: lambda: span / 86400.0 + 2,
        4: lambda: span / 604800.0 + 2,
        5: lambda: span / (28 * 86400.0) + 2,
        6: lambda: 1440 / minutes,
        7: lambda: 7,
    }[bucket]()
    return int(min(combos * int(buckets + 1), facts["rows"] + 64, 2**31 - 1))


def base_spec(by: Any, **options: Any) -> ReportSpec:
    """The spec of a report's options before the data sizes it (room for one row)."""
    if options.get("exact_quantiles") and not options.get("row_capacity"):
        options = {**options, "row_capacity": 1}
    return ReportSpec(by, **options)


def sized_spec(facts: Dict[str, Any], by: Any, **options: Any) -> ReportSpec:
    """The spec of a report over data whose survey is `facts` (rows, unsolved, span, keys)."""
    base = base_spec(by, **options)
    keys: Dict[str, Any] = {}
    capacities: Dict[str, int] = {}
    for name in base.by_keys:
        if name == "priority":
            capacities[name] = 5
            continue
        values, categorical, _ = facts["keys"][name]
        labels: Dict[str, Any] = {}
        for v in values:
            labels.setdefault(tc.label_of(v), v)
        kept = [v for label, v in labels.items() if tc.label_problem(label) is None]
        capacity = min(MAX_CODES, max(1, len(labels) + 1))  # and the label of missing values
        keys[name] = KeySpec(name, capacity, tuple(kept), bool(categorical))
        capacities[name] = capacity
    rows = max(1, facts["rows"])
    return base.replace(
        keys=keys,
        row_capacity=rows if base.exact_quantiles and base.quantiles else 0,
        open_capacity=max(1, facts["unsolved"]) if base._flags() & _ATTAINMENT and base.as_of is None else 0,
        group_capacity=options.get("group_capacity") or _group_capacity(base, facts, capacities),
    )


def report(
    data: Any,
    by: Union[None, str, Sequence[str]] = None,
    calendar: Optional[Calendar] = None,
    policy: Optional[Policy] = None,
    columns: Any = None,
    *,
    confidence: Optional[float] = None,
    exact_quantiles: bool = False,
    quantiles: Optional[Sequence[float]] = (0.5, 0.9, 0.99),
    as_of: Any = None,
    kpis: str = "all",
    strict: bool = False,
    observed: bool = False,
    policy_calendars: Optional[Sequence[Optional[Calendar]]] = None,
    short_abandon_seconds: float = 5.0,
    service_target_seconds: float = 20.0,
    csat_scale: Optional[int] = None,
    csat_satisfied_min: Optional[int] = None,
    ces_scale: Optional[int] = None,
    ces_easy_min: Optional[int] = None,
    ces_easy_max: Optional[int] = None,
    block_rows: int = 65536,
    threads: bool = True,
) -> Any:
    """The KPI report of a ticket history: one row per group, tidy columns (docs/python.md).

    ``data`` is a pandas DataFrame or a mapping of column name -> column (numpy arrays,
    Series, lists), one row per ticket or real-time contact, in the report's own column
    names: ``created_at`` (required), ``first_reply_at``, ``solved_at`` (datetime64 in
    any unit, zone-aware or naive = UTC, Unix seconds, or text; NaT = none), ``contacts``,
    ``reopened``, ``escalated``, ``abandoned`` (bool or 0/1), ``csat``, ``nps``, ``ces``
    (answers; NaN / NA = no answer), ``wait_seconds``, ``handle_seconds`` (seconds or
    timedelta64), ``channel``, ``priority`` (urgent, high, normal, low, missing). A
    column the data lacks leaves its KPIs NaN. ``columns`` maps our names to the data's:
    a dict (``{"created_at": "opened", "csat": "rating"}``), ``"zendesk"`` (a Zendesk
    ticket export's headers and values: satisfaction Good / Bad, priority names, first
    reply minutes, reopens) or a mapping text.

    ``by``: key columns (channel, priority, or any column of the data) and at most one
    time bucket of the creation instant in the calendar's zone (``hour``, ``day``,
    ``week``, ``month``, ``weekday``, ``time-of-day``, or an interval like ``30min``).
    ``calendar`` adds business times; ``policy`` the SLA columns (first replies within
    target and attainment per metric and priority, open tickets judged at ``as_of``,
    default the latest instant in the data). Quantiles come from the engine's sketches
    (within 1 %) unless ``exact_quantiles``. Intervals are at ``confidence`` (0.95).

    Rows the engine cannot use (a CSAT answer of 6, a reply before creation, an
    unknown priority, a text that is not a number) are left out and counted:
    ``result.attrs["bad_rows"]`` and ``result.attrs["first_bad_rows"]`` (row, column,
    value, expected); ``strict=True`` raises :class:`BadRowError` instead. Errors in
    the arguments raise :class:`CaremetricsError` subclasses naming the argument.
    """
    if not isinstance(strict, bool):
        raise invalid(f"strict must be True or False, not {strict!r}")
    options = dict(
        calendar=calendar, policy=policy, policy_calendars=policy_calendars, columns=columns,
        exact_quantiles=exact_quantiles, quantiles=quantiles, as_of=as_of, kpis=kpis,
        short_abandon_seconds=short_abandon_seconds, service_target_seconds=service_target_seconds,
        csat_scale=csat_scale, csat_satisfied_min=csat_satisfied_min, ces_scale=ces_scale,
        ces_easy_min=ces_easy_min, ces_easy_max=ces_easy_max,
    )
    base = base_spec(by, **options)
    if confidence is not None:
        c = cv.f64(confidence, "confidence")
        if not 0.0 < c < 1.0:
            raise invalid(f"confidence = {confidence!r} is outside (0, 1)")
    _columns_of(data)
    if not isinstance(threads, bool):
        raise invalid(f"threads must be True or False, not {threads!r}")
    survey = _Survey(data, base, base.by_keys, keep_codes=True)
    spec = sized_spec(survey.facts, by, **options)
    with TableReport(spec) as rep:
        block = cv.integer(block_rows, "u32", "block_rows") or _too_small()
        _Reader(rep, data, block, 0, survey.codes).run(strict, threads)
        return rep.result(confidence, observed)
