"""Workforce forecasting (caremetrics/forecast.h): interval histories, forecasts, accuracy, staffing.

Every computation runs in libcaremetrics; this module converts arguments and
results. Arrays go in as numpy arrays, ``array.array``, ``memoryview`` or
sequences and come out as numpy arrays (``array.array`` without numpy).
:func:`forecast_frame` takes and returns pandas DataFrames when pandas is
installed (``forecast_tickets`` gives the same result as a dict of arrays).

A run, step by step::

    import caremetrics as cm
    from caremetrics import forecast as fc
    cal = cm.Calendar("tz UTC\\nmon-sun 00:00-24:00")
    iv = fc.intervals(cal, "2025-01-06", 56, 30)           # 8 weeks of 30-minute intervals
    counts = iv.counts(created_seconds)                     # arrivals per channel and interval
    y, state = iv.grid(counts.arrivals[0])                  # the regular slot grid
    m = fc.model("taylor", iv.slots_per_day)
    f = fc.predict(m, y, 7 * 48, state=state)               # point, lo, hi for the next week
"""

from __future__ import annotations

import ctypes
import datetime as _dt
from dataclasses import asdict, dataclass, replace
from typing import Any, Dict, List, Optional, Sequence, Tuple

from . import _convert as cv
from ._lib import c_status, check_layouts, declare, lib
from .calendar import Calendar, _Civil
from .common import parse_time
from ._handle import Holding, all_handles
from .errors import STATUS, NoDataError, check, invalid

try:  # numpy is optional
    import numpy as _np
except ImportError:  # pragma: no cover - exercised only without numpy
    _np = None

_f64 = ctypes.c_double
_f64p = ctypes.POINTER(ctypes.c_double)
_u8p = ctypes.POINTER(ctypes.c_uint8)
_u32 = ctypes.c_uint32
_i32 = ctypes.c_int32
_u64 = ctypes.c_uint64
_i64 = ctypes.c_int64
_size = ctypes.c_size_t
_vp = ctypes.c_void_p

OBSERVED = 0
"""Slot state: an ordinary slot, fitted on and forecast."""
CLOSED = 1
"""Slot state: the calendar is closed; left out of fits and forecast as 0."""
MISSING = 2
"""Slot state: no data (a wall-clock slot the clocks skip); left out of fits."""

METHODS = {"naive": 1, "mean": 2, "median": 3, "holt-winters": 4, "taylor": 5}
TRENDS = {"none": 0, "additive": 1, "damped": 2}
SEASONALITIES = {"additive": 0, "multiplicative": 1}
CRITERIA = {"mae": 0, "rmse": 1, "wmape": 2, "mase": 3, "bias": 4}
QUEUES = {"erlang-c": 0, "erlang-a": 1, "workload": 2}
PARAMETERS = ("alpha", "beta", "gamma", "omega", "phi", "lambda_")
_FIT_BITS = {name: 1 << i for i, name in enumerate(PARAMETERS)}


class _Interval(ctypes.Structure):
    _fields_ = [("start", _i64), ("seconds", _i32), ("open_seconds", _i32), ("day", _u32), ("slot", _u32)]


class _Params(ctypes.Structure):
    _fields_ = [(name, _f64) for name in ("alpha", "beta", "gamma", "omega", "phi", "lambda_")]


class _Model(ctypes.Structure):
    _fields_ = [
        ("method", ctypes.c_int),
        ("slots_per_day", _u32),
        ("weeks", _u32),
        ("trend", ctypes.c_int),
        ("seasonality", ctypes.c_int),
        ("fit", _u32),
        ("params", _Params),
    ]


class _FitResult(ctypes.Structure):
    _fields_ = [("model", _Model), ("sse", _f64), ("sigma", _f64), ("observations", _u64), ("evaluations", _u32)]


class _Accuracy(ctypes.Structure):
    _fields_ = [
        ("n", _u64),
        ("mae", _f64),
        ("rmse", _f64),
        ("bias", _f64),
        ("wmape", _f64),
        ("mase", _f64),
        ("wmape_defined", ctypes.c_bool),
        ("mase_defined", ctypes.c_bool),
    ]


class _StaffingOptions(ctypes.Structure):
    _fields_ = [
        ("queue", ctypes.c_int),
        ("target_sl", _f64),
        ("target_seconds", _f64),
        ("max_occupancy", _f64),
        ("patience_seconds", _f64),
        ("concurrency", _u32),
        ("shrinkage", _f64),
        ("shift_hours", _f64),
        ("workdays_per_week", _f64),
    ]


class _Staffing(ctypes.Structure):
    _fields_ = [
        ("traffic", _f64),
        ("agents", _u32),
        ("service_level", _f64),
        ("asa_seconds", _f64),
        ("p_abandon", _f64),
        ("occupancy", _f64),
        ("scheduled", _f64),
    ]


class _Summary(ctypes.Structure):
    _fields_ = [
        ("contacts", _f64),
        ("workload_hours", _f64),
        ("agent_hours", _f64),
        ("scheduled_hours", _f64),
        ("days", _f64),
        ("fte", _f64),
        ("peak_agents", _u32),
        ("peak_scheduled", _u32),
        ("peak_interval", _size),
        ("peak_ratio", _f64),
    ]


_IntervalP = ctypes.POINTER(_Interval)
declare(
    [
        ("cm_forecast_sizeof", _size, [ctypes.c_char_p]),
        ("cm_forecast_constant", c_status, [ctypes.c_char_p, _f64p]),
        ("cm_calendar_get_tz", c_status, [_vp, ctypes.POINTER(_vp)]),
        (
            "cm_forecast_intervals",
            c_status,
            [_vp, _i32, _i32, _i32, _u32, _u32, _IntervalP, _size, ctypes.POINTER(_size)],
        ),
        (
            "cm_forecast_history_add",
            c_status,
            [
                _IntervalP,
                _size,
                ctypes.POINTER(_i64),
                ctypes.POINTER(_u32),
                _f64p,
                _size,
                _u32,
                _f64p,
                _f64p,
                _f64p,
                ctypes.POINTER(_u64),
            ],
        ),
        ("cm_forecast_to_grid", c_status, [_IntervalP, _size, _f64p, _u32, _u32, _f64p, _u8p]),
        ("cm_forecast_from_grid", c_status, [_IntervalP, _size, _f64p, _u32, _u32, ctypes.c_bool, _f64p]),
        ("cm_forecast_aht", c_status, [_f64p, _f64p, _u8p, _size, _u32, _u32, _size, _f64p]),
        ("cm_forecast_model_default", c_status, [ctypes.c_int, _u32, ctypes.POINTER(_Model)]),
        ("cm_forecast_initial_size", c_status, [ctypes.POINTER(_Model), ctypes.POINTER(_size)]),
        ("cm_forecast_has_interval", c_status, [ctypes.POINTER(_Model), ctypes.POINTER(ctypes.c_bool)]),
        ("cm_forecast_workspace_size", c_status, [ctypes.POINTER(_Model), _size, _size, ctypes.POINTER(_size)]),
        (
            "cm_forecast_fit",
            c_status,
            [ctypes.POINTER(_Model), _f64p, _u8p, _size, _f64p, _vp, _size, ctypes.POINTER(_FitResult), _f64p],
        ),
        (
            "cm_forecast_predict",
            c_status,
            [ctypes.POINTER(_Model), _f64p, _u8p, _size, _f64p, _u8p, _size, _f64, _vp, _size, _f64p, _f64p, _f64p],
        ),
        (
            "cm_forecast_evaluate",
            c_status,
            [_f64p, _f64p, _u8p, _size, _f64p, _u8p, _size, _size, ctypes.POINTER(_Accuracy)],
        ),
        (
            "cm_forecast_backtest_workspace_size",
            c_status,
            [ctypes.POINTER(_Model), _size, _size, ctypes.POINTER(_size)],
        ),
        (
            "cm_forecast_backtest",
            c_status,
            [
                ctypes.POINTER(_Model),
                _size,
                _f64p,
                _u8p,
                _size,
                _u32,
                ctypes.c_int,
                _vp,
                _size,
                ctypes.POINTER(_Accuracy),
                ctypes.POINTER(_size),
            ],
        ),
        (
            "cm_forecast_staffing_plan",
            c_status,
            [
                _IntervalP,
                _f64p,
                _f64p,
                _size,
                ctypes.POINTER(_StaffingOptions),
                ctypes.POINTER(_Staffing),
                ctypes.POINTER(_Summary),
            ],
        ),
    ]
)
check_layouts(
    lib.cm_forecast_sizeof,
    [
        ("cm_forecast_interval", _Interval),
        ("cm_forecast_params", _Params),
        ("cm_forecast_model", _Model),
        ("cm_forecast_fit_result", _FitResult),
        ("cm_forecast_accuracy", _Accuracy),
        ("cm_forecast_staffing_options", _StaffingOptions),
        ("cm_forecast_staffing", _Staffing),
        ("cm_forecast_staffing_summary", _Summary),
    ],
)


def _constant(name: str) -> float:
    out = ctypes.c_double()
    check(lib.cm_forecast_constant(name.encode(), ctypes.byref(out)))
    return out.value


HANDLE_UNKNOWN = _constant("CM_FORECAST_HANDLE_UNKNOWN")
"""Handle time meaning "not known" (NaN and None are converted to it)."""
MAX_WEEKS = int(_constant("CM_FORECAST_MAX_WEEKS"))
MAX_CONCURRENCY = int(_constant("CM_FORECAST_MAX_CONCURRENCY"))


# ---- conversions ------------------------------------------------------------------


def _choice(table: Dict[str, int], value: Any, what: str) -> int:
    if value not in table:
        raise cv.invalid(f"{what} = {value!r}; expected one of {', '.join(table)}")
    return table[value]


def _name_of(table: Dict[str, int], code: int) -> str:
    for k, v in table.items():
        if v == code:
            return k
    return str(code)


def _states(obj: Any, what: str) -> Optional[cv.InArray]:
    return None if obj is None else cv.in_array(obj, "u8", what)


def _ptr(a: Optional[cv.InArray]) -> Any:
    return None if a is None else a.ptr


def _date(value: Any, what: str) -> Tuple[int, int, int]:
    if isinstance(value, _dt.datetime):
        return value.year, value.month, value.day
    if isinstance(value, _dt.date):
        return value.year, value.month, value.day
    if isinstance(value, str):
        try:
            d = _dt.date.fromisoformat(value)
        except ValueError:
            raise cv.invalid(f"{what} = {value!r} is not a date YYYY-MM-DD") from None
        return d.year, d.month, d.day
    if isinstance(value, tuple) and len(value) == 3:
        return tuple(cv.i32(v, what) for v in value)  # type: ignore[return-value]
    raise cv.invalid(f"{what} must be a date, 'YYYY-MM-DD' or (year, month, day)")


def _instants(obj: Any, what: str) -> cv.InArray:
    """Unix seconds from int seconds, numpy datetime64, pandas datetimes or RFC 3339 strings."""
    if _np is not None:
        if hasattr(obj, "dt") and hasattr(obj, "to_numpy"):  # a pandas Series of datetimes
            s = obj
            if getattr(s.dt, "tz", None) is not None:
                s = s.dt.tz_convert("UTC").dt.tz_localize(None)
            if s.isna().any():
                raise cv.invalid(f"{what} has missing instants")
            obj = s.to_numpy(dtype="datetime64[ns]")
        a = _np.asarray(obj) if not isinstance(obj, (list, tuple)) or not obj or not isinstance(obj[0], str) else None
        if a is not None and a.dtype.kind == "M":
            return cv.in_array(_np.floor_divide(a.astype("datetime64[ns]").astype(_np.int64), 10**9), "i64", what)
        if a is not None and a.dtype.kind in "OU":
            return cv.in_array([parse_time(str(x)) for x in a], "i64", what)
    if isinstance(obj, (list, tuple)) and obj and isinstance(obj[0], str):
        return cv.in_array([parse_time(x) for x in obj], "i64", what)
    return cv.in_array(obj, "i64", what)


def _handles(obj: Any, n: int) -> cv.InArray:
    """Handle seconds with None / NaN mapped to HANDLE_UNKNOWN."""
    if _np is not None and not isinstance(obj, (list, tuple)):
        a = _np.asarray(obj, dtype=float)
        if a.ndim == 1 and _np.isnan(a).any():
            a = _np.where(_np.isnan(a), HANDLE_UNKNOWN, a)
        return cv.in_array(a, "f64", "handle_seconds")
    vals = [HANDLE_UNKNOWN if v is None or (isinstance(v, float) and v != v) else v for v in obj]
    return cv.in_array(vals, "f64", "handle_seconds")


def _out(n: int) -> Tuple[Any, Any]:
    return cv.out_array("f64", n)


def _records(ctype: Any, array: Any, n: int) -> Any:
    """A numpy view of n ctypes structs, by field offsets (no copy of the C memory's layout rules)."""
    kinds = {_f64: "<f8", _u32: "<u4", _i32: "<i4", _i64: "<i8"}
    names = [f for f, t in ctype._fields_]
    dt = _np.dtype(
        {
            "names": names,
            "formats": [kinds[t] for _, t in ctype._fields_],
            "offsets": [getattr(ctype, f).offset for f in names],
            "itemsize": ctypes.sizeof(ctype),
        }
    )
    return _np.frombuffer(array, dtype=dt, count=n)


# ---- interval histories ---------------------------------------------------------------


@dataclass(frozen=True)
class History:
    """Per-channel counts over an :class:`Intervals` layout (2-D arrays, channel by interval
    with numpy; without numpy, flat arrays of ``channels × len(intervals)``)."""

    channels: List[Any]
    arrivals: Any
    handle_sum: Any
    handled: Any
    counted: int


def _channel_codes(channel: Any, channels: Optional[Sequence[Any]], n: int) -> Tuple[List[Any], Any]:
    """Labels (sorted distinct values unless given) and each row's index among them."""
    if _np is not None:
        arr = _np.asarray(channel)
        if arr.dtype.kind == "O":
            arr = arr.astype(str)
        if arr.ndim != 1 or arr.shape[0] != n:
            raise cv.invalid(f"channel has {arr.size} entries but created has {n}")
        uniq, inverse = _np.unique(arr, return_inverse=True)
        labels = list(channels) if channels is not None else uniq.tolist()
        pos = {c: i for i, c in enumerate(labels)}
        missing = [u for u in uniq.tolist() if u not in pos]
        if missing:
            raise cv.invalid(f"channel {missing[0]!r} is not in channels")
        return labels, _np.array([pos[u] for u in uniq.tolist()], dtype=_np.uint32)[inverse]
    raw = list(channel)
    if len(raw) != n:
        raise cv.invalid(f"channel has {len(raw)} entries but created has {n}")
    labels = list(channels) if channels is not None else sorted(set(raw), key=str)
    pos = {c: i for i, c in enumerate(labels)}
    try:
        return labels, [pos[c] for c in raw]
    except KeyError as e:
        raise cv.invalid(f"channel {e.args[0]!r} is not in channels") from None


class Intervals:
    """The intervals of local time of a range of dates (cm_forecast_intervals).

    ``start``, ``seconds``, ``open_seconds``, ``day`` and ``slot`` are arrays with one entry
    per interval; ``slots_per_day`` and ``days`` describe the grid they map onto.
    """

    __slots__ = ("_c", "n", "days", "slots_per_day", "interval_minutes", "calendar")

    def __init__(self, c_array: Any, n: int, days: int, interval_minutes: int, calendar: Calendar) -> None:
        self._c = c_array
        self.n = n
        self.days = days
        self.interval_minutes = interval_minutes
        self.slots_per_day = 1440 // interval_minutes
        self.calendar = calendar

    def __len__(self) -> int:
        return self.n

    def _field(self, name: str, kind: str) -> Any:
        if _np is not None:
            return _records(_Interval, self._c, self.n)[name].copy()
        return [getattr(self._c[i], name) for i in range(self.n)]

    @property
    def start(self) -> Any:
        """First instant of each interval (Unix seconds)."""
        return self._field("start", "i64")

    @property
    def seconds(self) -> Any:
        """Real length of each interval in seconds."""
        return self._field("seconds", "i32")

    @property
    def open_seconds(self) -> Any:
        """Seconds of each interval during which the calendar is open."""
        return self._field("open_seconds", "i32")

    @property
    def day(self) -> Any:
        """Index of each interval's local date, from 0."""
        return self._field("day", "u32")

    @property
    def slot(self) -> Any:
        """Wall-clock slot of each interval."""
        return self._field("slot", "u32")

    def counts(
        self,
        created: Any,
        channel: Any = None,
        handle_seconds: Any = None,
        channels: Optional[Sequence[Any]] = None,
    ) -> History:
        """Arrivals (and handle-time sums) per channel and interval.

        ``channel`` holds labels (strings or ints); ``channels`` fixes their order (default:
        sorted distinct labels). ``handle_seconds`` may hold NaN / None for unknown times.
        """
        t = _instants(created, "created")
        labels: List[Any] = [0]
        index = None
        if channel is not None:
            labels, codes = _channel_codes(channel, channels, t.n)
            index = cv.in_array(codes, "u32", "channel")
        h = None
        if handle_seconds is not None:
            h = _handles(handle_seconds, t.n)
            if h.n != t.n:
                raise cv.invalid(f"handle_seconds has {h.n} entries but created has {t.n}")
        k = len(labels)
        arrivals, ap = _out(k * self.n)
        hsum, hp = _out(k * self.n)
        handled, dp = _out(k * self.n)
        counted = _u64()
        check(
            lib.cm_forecast_history_add(
                self._c, self.n, t.ptr, _ptr(index), _ptr(h), t.n, cv.u32(k, "channels"), ap, hp, dp,
                ctypes.byref(counted),
            )
        )
        if _np is not None:
            arrivals, hsum, handled = (a.reshape(k, self.n) for a in (arrivals, hsum, handled))
        return History(labels, arrivals, hsum, handled, int(counted.value))

    def grid(self, values: Any = None) -> Tuple[Any, Any]:
        """(grid, state): per-interval values on the regular ``days × slots_per_day`` slot grid
        (cm_forecast_to_grid); with no values, (None, state)."""
        cells = self.days * self.slots_per_day
        v = None if values is None else cv.in_array(values, "f64", "values")
        if v is not None and v.n != self.n:
            raise cv.invalid(f"values has {v.n} entries but there are {self.n} intervals")
        g, gp = _out(cells) if v is not None else (None, None)
        s, sp = cv.out_array("u8", cells)
        check(lib.cm_forecast_to_grid(self._c, self.n, _ptr(v), self.days, self.slots_per_day, gp, sp))
        return g, s

    def from_grid(self, grid: Any, volumes: bool = True) -> Any:
        """Grid values back on the intervals (cm_forecast_from_grid): volumes scale with the
        interval's length and are 0 when closed; other quantities are copied."""
        g = cv.in_array(grid, "f64", "grid")
        if g.n != self.days * self.slots_per_day:
            raise cv.invalid(f"grid has {g.n} entries, expected {self.days * self.slots_per_day}")
        out, op = _out(self.n)
        check(lib.cm_forecast_from_grid(self._c, self.n, g.ptr, self.days, self.slots_per_day, bool(volumes), op))
        return out


def intervals(calendar: Calendar, first_date: Any, days: int, interval_minutes: int = 30) -> Intervals:
    """Lays out ``days`` dates of ``interval_minutes`` intervals of local time in the calendar's
    zone (23- and 25-hour days at DST changes), each with its open seconds."""
    y, m, d = _date(first_date, "first_date")
    days = cv.u32(days, "days")
    minutes = cv.u32(interval_minutes, "interval_minutes")
    n = _size()
    ymd = (cv.i32(y, "year"), cv.i32(m, "month"), cv.i32(d, "day"))
    with Holding(all_handles([calendar], Calendar, "calendar")) as (cp,):
        if cp is None:
            raise invalid("calendar must be a Calendar, not None")
        args = (cp, *ymd, days, minutes)
        status = lib.cm_forecast_intervals(*args, None, 0, ctypes.byref(n))
        if status != STATUS["CM_ENOSPC"]:  # CM_ENOSPC reports the count
            check(status)
        arr = (_Interval * max(1, n.value))()
        check(lib.cm_forecast_intervals(*args, arr, n.value, ctypes.byref(n)))
    return Intervals(arr, n.value, days, minutes, calendar)


# ---- models, fitting, forecasting --------------------------------------------------------


@dataclass(frozen=True)
class Model:
    """A forecasting model (cm_forecast_model). Build one with :func:`model`."""

    method: str
    slots_per_day: int
    weeks: int
    trend: str
    seasonality: str
    fit: Tuple[str, ...]
    alpha: float
    beta: float
    gamma: float
    omega: float
    phi: float
    lambda_: float

    def _c(self) -> _Model:
        bits = 0
        for name in self.fit:
            bits |= _FIT_BITS[name] if name in _FIT_BITS else _choice(_FIT_BITS, name, "fit")
        return _Model(
            _choice(METHODS, self.method, "method"),
            cv.u32(self.slots_per_day, "slots_per_day"),
            cv.u32(self.weeks, "weeks"),
            _choice(TRENDS, self.trend, "trend"),
            _choice(SEASONALITIES, self.seasonality, "seasonality"),
            bits,
            _Params(*(cv.f64(getattr(self, p), p) for p in PARAMETERS)),
        )

    @classmethod
    def _from_c(cls, m: _Model) -> "Model":
        return cls(
            _name_of(METHODS, m.method),
            int(m.slots_per_day),
            int(m.weeks),
            _name_of(TRENDS, m.trend),
            _name_of(SEASONALITIES, m.seasonality),
            tuple(p for p in PARAMETERS if m.fit & _FIT_BITS[p]),
            *(getattr(m.params, p) for p in PARAMETERS),
        )

    def initial_size(self) -> int:
        """Number of initial states (cm_forecast_initial_size)."""
        n = _size()
        check(lib.cm_forecast_initial_size(ctypes.byref(self._c()), ctypes.byref(n)))
        return n.value

    def has_interval(self) -> bool:
        """Whether the model defines prediction intervals."""
        out = ctypes.c_bool()
        check(lib.cm_forecast_has_interval(ctypes.byref(self._c()), ctypes.byref(out)))
        return bool(out.value)


def model(method: str, slots_per_day: int = 48, **changes: Any) -> Model:
    """The library's default model for a method (cm_forecast_model_default), with changes:
    ``weeks``, ``trend`` ('none', 'additive', 'damped'), ``seasonality`` ('additive',
    'multiplicative'), ``fit`` (True: every parameter, False: none, or names), and the
    parameters ``alpha``, ``beta``, ``gamma``, ``omega``, ``phi``, ``lambda_``."""
    out = _Model()
    check(
        lib.cm_forecast_model_default(
            _choice(METHODS, method, "method"), cv.u32(slots_per_day, "slots_per_day"), ctypes.byref(out)
        ),
        f"slots_per_day = {slots_per_day}",
    )
    m = Model._from_c(out)
    fit = changes.pop("fit", None)
    if fit is True:
        changes["fit"] = PARAMETERS
    elif fit is False:
        changes["fit"] = ()
    elif fit is not None:
        changes["fit"] = tuple(fit)
    unknown = set(changes) - set(Model.__dataclass_fields__)
    if unknown:
        raise cv.invalid(f"unknown model fields: {', '.join(sorted(unknown))}")
    return replace(m, **changes)


@dataclass(frozen=True)
class FitResult:
    """A fitted model (fit parameters fixed), its one-step errors and effort."""

    model: Model
    sse: float
    sigma: float
    observations: int
    evaluations: int
    fitted: Any = None


@dataclass(frozen=True)
class Forecast:
    """Point forecasts, and the prediction interval bounds (None when not asked or undefined)."""

    point: Any
    lo: Any = None
    hi: Any = None


def _series(y: Any, state: Any) -> Tuple[cv.InArray, Optional[cv.InArray]]:
    a = cv.in_array(y, "f64", "y")
    s = _states(state, "state")
    if s is not None and s.n != a.n:
        raise cv.invalid(f"state has {s.n} entries but y has {a.n}")
    return a, s


def _initial(m: Model, initial: Any) -> Optional[cv.InArray]:
    if initial is None:
        return None
    i = cv.in_array(initial, "f64", "initial")
    need = m.initial_size()
    if i.n != need:
        raise cv.invalid(f"initial has {i.n} states, the model has {need}")
    return i


def _workspace(cm: _Model, n: int, horizon: int) -> Tuple[Any, int]:
    size = _size()
    check(lib.cm_forecast_workspace_size(ctypes.byref(cm), n, horizon, ctypes.byref(size)))
    buf = (ctypes.c_double * max(1, (size.value + 7) // 8))()
    return buf, size.value


def fit(m: Model, y: Any, state: Any = None, initial: Any = None, fitted: bool = False) -> FitResult:
    """Fits the model's free parameters by minimising one-step squared errors (cm_forecast_fit).

    ``fitted=True`` also returns the one-step forecasts (smoothing methods only: daily totals for
    Holt-Winters, slots for Taylor)."""
    a, s = _series(y, state)
    init = _initial(m, initial)
    cm = m._c()
    work, size = _workspace(cm, a.n, 0)
    out = _FitResult()
    fv, fp = (None, None)
    if fitted:
        fv, fp = _out(a.n // m.slots_per_day if m.method == "holt-winters" else a.n)
    check(lib.cm_forecast_fit(ctypes.byref(cm), a.ptr, _ptr(s), a.n, _ptr(init), work, size, ctypes.byref(out), fp))
    return FitResult(
        Model._from_c(out.model), out.sse, out.sigma, int(out.observations), int(out.evaluations), fv
    )


def predict(
    m: Model,
    y: Any,
    horizon: int,
    state: Any = None,
    future_state: Any = None,
    initial: Any = None,
    confidence: float = 0.95,
    bounds: Optional[bool] = None,
) -> Forecast:
    """Forecasts the next ``horizon`` slots (whole days), fitting free parameters first
    (cm_forecast_predict). ``bounds``: True asks for the prediction interval, False does not,
    None (default) asks when the model defines one."""
    a, s = _series(y, state)
    init = _initial(m, initial)
    h = cv.integer(horizon, "u64", "horizon")
    fs = _states(future_state, "future_state")
    if fs is not None and fs.n != h:
        raise cv.invalid(f"future_state has {fs.n} entries but horizon is {h}")
    if bounds is None:
        bounds = m.has_interval()
    cm = m._c()
    work, size = _workspace(cm, a.n, h)
    point, pp = _out(h)
    lo, lp = _out(h) if bounds else (None, None)
    hi, hp = _out(h) if bounds else (None, None)
    check(
        lib.cm_forecast_predict(
            ctypes.byref(cm), a.ptr, _ptr(s), a.n, _ptr(init), _ptr(fs), h, cv.f64(confidence, "confidence"),
            work, size, pp, lp, hp,
        )
    )
    return Forecast(point, lo, hi)


# ---- accuracy and selection -------------------------------------------------------------


@dataclass(frozen=True)
class Accuracy:
    """MAE, RMSE, bias (forecast − actual), wMAPE and MASE; None where undefined."""

    n: int
    mae: float
    rmse: float
    bias: float
    wmape: Optional[float]
    mase: Optional[float]

    @classmethod
    def _from_c(cls, a: _Accuracy) -> "Accuracy":
        return cls(
            int(a.n), a.mae, a.rmse, a.bias, a.wmape if a.wmape_defined else None, a.mase if a.mase_defined else None
        )


def evaluate(
    actual: Any,
    forecast: Any,
    state: Any = None,
    train: Any = None,
    train_state: Any = None,
    season: Optional[int] = None,
) -> Accuracy:
    """Accuracy of a forecast over its observed points (cm_forecast_evaluate); MASE needs the
    training series and its seasonal lag (``7 × slots_per_day`` for a weekly naive scale)."""
    a = cv.in_array(actual, "f64", "actual")
    f = cv.in_array(forecast, "f64", "forecast")
    if a.n != f.n:
        raise cv.invalid(f"actual has {a.n} entries but forecast has {f.n}")
    s = _states(state, "state")
    t = None if train is None else cv.in_array(train, "f64", "train")
    ts = _states(train_state, "train_state")
    if season is None:
        season = 0 if t is None else 1
    out = _Accuracy()
    check(
        lib.cm_forecast_evaluate(
            a.ptr, f.ptr, _ptr(s), a.n, _ptr(t), _ptr(ts), 0 if t is None else t.n,
            cv.integer(season, "u64", "season"), ctypes.byref(out),
        )
    )
    return Accuracy._from_c(out)


@dataclass(frozen=True)
class Backtest:
    """The best model's index and every model's accuracy (None for a model that could not run)."""

    best: int
    scores: List[Optional[Accuracy]]


def backtest(models: Sequence[Model], y: Any, weeks: int, state: Any = None, criterion: str = "rmse") -> Backtest:
    """Rolling-origin backtest over the last ``weeks`` weeks (cm_forecast_backtest)."""
    if not models:
        raise cv.invalid("models is empty")
    a, s = _series(y, state)
    arr = (_Model * len(models))(*(m._c() for m in models))
    size = _size()
    check(lib.cm_forecast_backtest_workspace_size(arr, len(models), a.n, ctypes.byref(size)))
    work = (ctypes.c_double * max(1, (size.value + 7) // 8))()
    scores = (_Accuracy * len(models))()
    best = _size()
    check(
        lib.cm_forecast_backtest(
            arr, len(models), a.ptr, _ptr(s), a.n, cv.u32(weeks, "weeks"), _choice(CRITERIA, criterion, "criterion"),
            work, size.value, scores, ctypes.byref(best),
        )
    )
    return Backtest(int(best.value), [Accuracy._from_c(x) if x.n else None for x in scores])


def aht(handle_sum: Any, handled: Any, slots_per_day: int, weeks: int, horizon: int, state: Any = None) -> Any:
    """Average handle time per future slot from handle-second sums and counts on the grid
    (cm_forecast_aht)."""
    hs = cv.in_array(handle_sum, "f64", "handle_sum")
    hd = cv.in_array(handled, "f64", "handled")
    if hs.n != hd.n:
        raise cv.invalid(f"handle_sum has {hs.n} entries but handled has {hd.n}")
    s = _states(state, "state")
    h = cv.integer(horizon, "u64", "horizon")
    out, op = _out(h)
    check(
        lib.cm_forecast_aht(
            hs.ptr, hd.ptr, _ptr(s), hs.n, cv.u32(slots_per_day, "slots_per_day"), cv.u32(weeks, "weeks"), h, op
        )
    )
    return out


# ---- staffing -------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffingSummary:
    """Totals of a staffing plan: contacts, hours, FTE and the peak."""

    contacts: float
    workload_hours: float
    agent_hours: float
    scheduled_hours: float
    days: float
    fte: float
    peak_agents: int
    peak_scheduled: int
    peak_interval: int
    peak_ratio: float


@dataclass(frozen=True)
class StaffingPlan:
    """Per-interval arrays (traffic, agents, service_level, asa_seconds, p_abandon, occupancy,
    scheduled) and the summary."""

    traffic: Any
    agents: Any
    service_level: Any
    asa_seconds: Any
    p_abandon: Any
    occupancy: Any
    scheduled: Any
    summary: StaffingSummary


def staffing_plan(
    iv: Intervals,
    volumes: Any,
    aht_seconds: Any,
    queue: str = "erlang-c",
    target_sl: float = 0.8,
    target_seconds: float = 20.0,
    max_occupancy: float = 0.85,
    patience_seconds: float = 0.0,
    concurrency: int = 1,
    shrinkage: float = 0.3,
    shift_hours: float = 8.0,
    workdays_per_week: float = 5.0,
) -> StaffingPlan:
    """Agents per forecast interval (cm_forecast_staffing_plan): Erlang C or A with
    ``concurrency`` contacts per agent (chat), or the workload at the occupancy cap."""
    v = cv.in_array(volumes, "f64", "volumes")
    a = cv.in_array(aht_seconds, "f64", "aht_seconds")
    if v.n != iv.n or a.n != iv.n:
        raise cv.invalid(f"volumes ({v.n}) and aht_seconds ({a.n}) need one entry per interval ({iv.n})")
    opt = _StaffingOptions(
        _choice(QUEUES, queue, "queue"),
        cv.f64(target_sl, "target_sl"),
        cv.f64(target_seconds, "target_seconds"),
        cv.f64(max_occupancy, "max_occupancy"),
        cv.f64(patience_seconds, "patience_seconds"),
        cv.u32(concurrency, "concurrency"),
        cv.f64(shrinkage, "shrinkage"),
        cv.f64(shift_hours, "shift_hours"),
        cv.f64(workdays_per_week, "workdays_per_week"),
    )
    out = (_Staffing * max(1, iv.n))()
    summary = _Summary()
    check(lib.cm_forecast_staffing_plan(iv._c, v.ptr, a.ptr, iv.n, ctypes.byref(opt), out, ctypes.byref(summary)))
    cols: Dict[str, Any] = {}
    table = _records(_Staffing, out, iv.n) if _np is not None else None
    for name, _ in _Staffing._fields_:
        cols[name] = table[name].copy() if table is not None else [getattr(out[i], name) for i in range(iv.n)]
    return StaffingPlan(
        summary=StaffingSummary(*(getattr(summary, f) for f, _ in _Summary._fields_)), **cols
    )


# ---- the whole run, on ticket columns or a DataFrame ------------------------------------------

CHANNEL_QUEUES = {"phone": "erlang-c", "chat": "erlang-c"}
"""Channels staffed with a queueing model; every other channel is staffed by its workload."""


def _local_date(calendar: Calendar, t: int) -> _dt.date:
    tz = _vp()
    c = _Civil()
    with Holding(all_handles([calendar], Calendar, "calendar")) as (cp,):
        if cp is None:
            raise invalid("calendar must be a Calendar, not None")
        check(lib.cm_calendar_get_tz(cp, ctypes.byref(tz)))
        check(lib.cm_tz_to_local(tz, cv.i64(t, "t"), ctypes.byref(c)))
    return _dt.date(c.year, c.month, c.day)


def forecast_tickets(
    created: Any,
    channel: Any,
    handle_seconds: Any = None,
    calendar: Optional[Calendar] = None,
    days: int = 14,
    interval_minutes: int = 30,
    start: Any = None,
    history_weeks: int = 52,
    method: str = "auto",
    criterion: str = "rmse",
    backtest_weeks: int = 4,
    weeks: int = 4,
    confidence: float = 0.95,
    chat_concurrency: int = 2,
    patience_seconds: float = 0.0,
    **staffing: Any,
) -> Dict[str, Any]:
    """Forecasts and staffs every channel of a ticket history, as caremetrics-forecast does.

    ``created`` (instants), ``channel`` (labels) and ``handle_seconds`` (NaN for unknown) are
    columns. The history runs from its first local date (at most ``history_weeks`` weeks)
    to the day before ``start`` (default: the day after the last arrival). ``method`` is a
    name of :data:`METHODS` or ``"auto"`` (the best of a backtest of all of them). Phone and
    chat are staffed with Erlang C (Erlang A with ``patience_seconds``), chat with
    ``chat_concurrency`` chats per agent; other channels by their workload. Returns a dict
    of equal-length arrays (one row per channel and forecast interval) plus "methods" and
    "summaries" per channel.
    """
    if calendar is None:
        calendar = Calendar("tz UTC\nmon-sun 00:00-24:00\n")
    t = _instants(created, "created")
    if t.n == 0:
        raise cv.invalid("created is empty")
    times = _t_values(t)
    last = _local_date(calendar, int(max(times)))
    first_day = _local_date(calendar, int(min(times)))
    start_day = _dt.date(*_date(start, "start")) if start is not None else last + _dt.timedelta(days=1)
    first_day = max(first_day, start_day - _dt.timedelta(weeks=history_weeks))
    hdays = (start_day - first_day).days
    if hdays < 7:
        raise cv.invalid(f"history too short: {hdays} days before {start_day}, at least 7 needed")
    hist = intervals(calendar, first_day, hdays, interval_minutes)
    fut = intervals(calendar, start_day, days, interval_minutes)
    counts = hist.counts(_t_values(t), channel, handle_seconds)
    p = hist.slots_per_day
    _, future_state = fut.grid()
    candidates = list(METHODS) if method == "auto" else [method]
    rows: Dict[str, List[Any]] = {
        k: []
        for k in ("channel", "start", "seconds", "open_seconds", "volume", "lo", "hi", "aht_seconds", "agents",
                  "service_level", "occupancy", "scheduled")
    }
    methods: Dict[Any, str] = {}
    summaries: Dict[Any, StaffingSummary] = {}
    starts = fut.start
    for ci, label in enumerate(counts.channels):
        arrivals = _row(counts.arrivals, ci, hist.n)
        if sum(arrivals) == 0:
            continue
        y, state = hist.grid(arrivals)
        models = [
            model(name, p, **({} if name == "holt-winters" else {"weeks": weeks}),
                  **({"trend": "damped"} if name == "holt-winters" else {}))
            for name in candidates
        ]
        chosen = models[0]
        if len(models) > 1:
            bt_weeks = min(backtest_weeks, hdays // 7 - 1)
            if bt_weeks >= 1:
                chosen = models[backtest(models, y, bt_weeks, state, criterion).best]
            else:
                chosen = model("mean", p, weeks=weeks)
        f = predict(chosen, y, days * p, state, future_state, confidence=confidence)
        volume = fut.from_grid(f.point)
        lo = fut.from_grid(f.lo) if f.lo is not None else [None] * fut.n
        hi = fut.from_grid(f.hi) if f.hi is not None else [None] * fut.n
        hs, _ = hist.grid(_row(counts.handle_sum, ci, hist.n))
        hd, _ = hist.grid(_row(counts.handled, ci, hist.n))
        try:
            a = fut.from_grid(aht(hs, hd, p, min(weeks, hdays // 7), days * p, state), volumes=False)
        except NoDataError:  # no handle times: volumes only
            a = None
        plan = None
        if a is not None:
            queue = CHANNEL_QUEUES.get(str(label), "workload")
            if queue == "erlang-c" and patience_seconds > 0:
                queue = "erlang-a"
            plan = staffing_plan(
                fut, volume, a, queue=queue, patience_seconds=patience_seconds,
                concurrency=chat_concurrency if str(label) == "chat" else 1, **staffing,
            )
            summaries[label] = plan.summary
        methods[label] = chosen.method
        for i in range(fut.n):
            rows["channel"].append(label)
            rows["start"].append(int(starts[i]))
            rows["seconds"].append(int(fut._c[i].seconds))
            rows["open_seconds"].append(int(fut._c[i].open_seconds))
            rows["volume"].append(float(volume[i]))
            rows["lo"].append(None if lo[i] is None else float(lo[i]))
            rows["hi"].append(None if hi[i] is None else float(hi[i]))
            rows["aht_seconds"].append(None if a is None else float(a[i]))
            rows["agents"].append(None if plan is None else int(plan.agents[i]))
            rows["service_level"].append(None if plan is None else float(plan.service_level[i]))
            rows["occupancy"].append(None if plan is None else float(plan.occupancy[i]))
            rows["scheduled"].append(None if plan is None else float(plan.scheduled[i]))
    out: Dict[str, Any] = dict(rows)
    out["methods"] = methods
    out["summaries"] = summaries
    return out


def _t_values(t: cv.InArray) -> Any:
    """The int64 seconds of a converted column, as an array the next call can take."""
    if _np is not None:
        return _np.ctypeslib.as_array(t.ptr, shape=(t.n,)).copy() if t.n else _np.zeros(0, dtype=_np.int64)
    return [t.ptr[i] for i in range(t.n)]


def _row(a: Any, i: int, n: int) -> Any:
    if _np is not None and hasattr(a, "ndim") and a.ndim == 2:
        return a[i]
    return a[i * n : (i + 1) * n]


def forecast_frame(tickets: Any, calendar: Optional[Calendar] = None, **options: Any) -> Any:
    """:func:`forecast_tickets` on a pandas DataFrame with the report's columns (created_at,
    channel, handle_seconds), returning a DataFrame: one row per channel and forecast
    interval, with ``start`` as UTC timestamps. ``df.attrs`` carries the methods and
    summaries."""
    import pandas as pd  # optional dependency, only for this function

    handle = tickets["handle_seconds"] if "handle_seconds" in tickets else None
    created = tickets["created_at"]
    if created.dtype == object:
        created = pd.to_datetime(created, utc=True)
    res = forecast_tickets(created, tickets["channel"], handle, calendar, **options)
    methods, summaries = res.pop("methods"), res.pop("summaries")
    df = pd.DataFrame(res)
    df["start"] = pd.to_datetime(df["start"], unit="s", utc=True)
    df.attrs["methods"] = methods
    df.attrs["summaries"] = {k: asdict(v) for k, v in summaries.items()}
    return df
