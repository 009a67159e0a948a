"""Reading ticket columns of a DataFrame (or a mapping of columns) in blocks, in the
layout of the ticket-table engine (``cm_table_columns``).

Which column of the data feeds which column of the engine is a :class:`ColumnMap`:
the report's own names by default, a dict of our name -> the data's name, a
built-in preset (``"zendesk"``) or a mapping text in the format of the CSV
reader. Presets and texts are checked by the library's own parser
(``cm_csv_map_parse``) and then read here: their ``column`` and ``value``
lines work on DataFrame columns as they work on CSV fields.

Each column is prepared once (no copy of the whole column, except the
factorized codes of a text key column) and converted block by block into
scratch arrays of the block's size, with numpy; a block of 65,536 rows keeps
that scratch at a few megabytes. Values that cannot be represented in the
engine's types (a text that is not a number, a CSAT answer of 4.5, an
unknown priority) make their row a bad row, described with the value as the
data holds it; values the engine can represent but rejects (a CSAT answer of
6, a reply before creation) are judged by the engine. No Python loop runs
over rows: only over the distinct values of text and categorical columns.
"""

from __future__ import annotations

import ctypes
import math
import numbers
import re
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

import numpy as np

from . import _convert as cv
from ._lib import c_status, declare, lib
from .calendar import _ParseError
from .errors import NotFoundError, STATUS, check, invalid, parse_error

declare(
    [
        ("cm_csv_map_preset", c_status, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p)]),
        ("cm_csv_map_parse", c_status, [ctypes.c_char_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(_ParseError)]),
        ("cm_csv_map_free", None, [ctypes.c_void_p]),
        ("cm_table_instants_from_ticks", c_status, [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int64, ctypes.c_void_p]),
        ("cm_table_scores_from_doubles", c_status, [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.POINTER(ctypes.c_size_t)]),
        ("cm_table_counts_from_int64", c_status, [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.POINTER(ctypes.c_size_t)]),
    ]
)

#: A missing instant in the engine's instant columns (``CM_TABLE_NO_TIME``).
NO_TIME = -(2**63)
#: No survey answer (``CM_SCORE_NONE``).
SCORE_NONE = 255
#: The label of a key value that is missing (as the CSV reader names an empty field).
NONE_LABEL = "(none)"
#: Longest label in bytes (``CM_TABLE_LABEL_MAX``).
LABEL_MAX = 63
#: The priority key's labels: codes 0..4 are the SLA levels (as the CSV reader declares them).
PRIORITY_LABELS = ("none", "low", "normal", "high", "urgent")

_SECONDS_MAX_AFTER = 1e15  # the CSV reader's bound on durations after creation

# Our column names: (kind, engine column, seconds per unit, group). Targets of a group
# feed the same engine column, so a mapping uses at most one of them.
TARGETS: Dict[str, Tuple[str, str, float, int]] = {
    "created_at": ("instant", "created", 0, 0),
    "first_reply_at": ("instant", "first_reply", 0, 1),
    "first_reply_minutes": ("after", "first_reply", 60, 1),
    "first_reply_seconds": ("after", "first_reply", 1, 1),
    "solved_at": ("instant", "solved", 0, 2),
    "contacts": ("count", "contacts", 0, 3),
    "reopened": ("flag", "reopened", 0, 4),
    "reopens": ("count", "reopened", 0, 4),
    "escalated": ("flag", "escalated", 0, 5),
    "abandoned": ("flag", "abandoned", 0, 6),
    "csat": ("answer", "csat", 0, 7),
    "nps": ("answer", "nps", 0, 8),
    "ces": ("answer", "ces", 0, 9),
    "wait_seconds": ("seconds", "wait_seconds", 1, 10),
    "wait_minutes": ("seconds", "wait_seconds", 60, 10),
    "handle_seconds": ("seconds", "handle_seconds", 1, 11),
    "handle_minutes": ("seconds", "handle_seconds", 60, 11),
    "channel": ("key", "", 0, 12),
    "priority": ("priority", "", 0, 13),
}

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(text: str) -> str:
    """Text as value maps compare it: ASCII letters without case (as the CSV reader)."""
    return text.translate(_ASCII_LOWER)


# ---- column maps -----------------------------------------------------------------------------


def preset_text(name: str) -> str:
    """The text of a built-in mapping (``cm_csv_map_preset``): ``caremetrics`` or ``zendesk``."""
    out = ctypes.c_char_p()
    status = lib.cm_csv_map_preset(cv.text(name, "columns"), ctypes.byref(out))
    if status == STATUS["CM_ENOTFOUND"]:
        raise NotFoundError(status, f"columns = {name!r}: no such preset (there are caremetrics and zendesk)")
    if status != 0:
        raise invalid(f"columns = {name!r}")
    return out.value.decode()


def _check_text(text: str) -> None:
    """Raises the library's ParseError (with line and column) for a malformed mapping."""
    err = _ParseError()
    out = ctypes.c_void_p()
    status = lib.cm_csv_map_parse(cv.text(text, "columns"), None, ctypes.byref(out), ctypes.byref(err))
    if status != 0:
        raise parse_error(status, err)
    lib.cm_csv_map_free(out)


class _Lexer:
    """The words of a mapping line as the library's parser reads them: a bare word ends
    at a blank, '=' or '#'; a quoted string runs to the next quote; '#' starts a comment."""

    def __init__(self, line: str) -> None:
        self.s = line
        self.i = 0

    def blanks(self) -> None:
        while self.i < len(self.s) and self.s[self.i] in " \t":
            self.i += 1

    def token(self) -> Optional[str]:
        self.blanks()
        if self.i >= len(self.s) or self.s[self.i] == "#":
            return None
        if self.s[self.i] == '"':
            end = self.s.index('"', self.i + 1)
            word = self.s[self.i + 1 : end]
            self.i = end + 1
            return word
        start = self.i
        while self.i < len(self.s) and self.s[self.i] not in ' \t=#':
            self.i += 1
        return self.s[start : self.i]

    def value(self) -> str:
        """What follows '=': a word or quoted string, or nothing."""
        self.i += 1  # the '='
        if self.i >= len(self.s) or self.s[self.i] in " \t#":
            return ""
        return self.token() or ""


class ColumnMap:
    """Which column of the data feeds each of the report's columns, and how text
    values read (value maps). Built by :func:`column_map`."""

    def __init__(self, names: Dict[str, Any], required: Set[str], values: Dict[str, Dict[str, str]], source: str) -> None:
        self.names = names  # ours -> the data's column name
        self.required = required  # ours that must be in the data
        self.values = values  # ours -> {folded text: value text ('' = no value)}
        self.source = source  # for messages: "the default columns", "zendesk", ...

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ColumnMap):
            return NotImplemented
        return (self.names, self.required, self.values) == (other.names, other.required, other.values)

    def __repr__(self) -> str:
        return f"ColumnMap({self.source}: {self.names!r})"


def _read_text(text: str, source: str) -> ColumnMap:
    _check_text(text)
    names: Dict[str, Any] = {}
    required: Set[str] = set()
    values: Dict[str, Dict[str, str]] = {}
    for line in re.split(r"\r\n|\r|\n", text):
        x = _Lexer(line)
        word = x.token()
        if word == "column":
            ours, header, optional = x.token(), x.token(), x.token()
            names[ours] = header
            if optional != "optional":
                required.add(ours)
        elif word == "value":
            ours = x.token()
            table = values.setdefault(ours, {})
            while True:
                t = x.token()
                if t is None:
                    break
                table.setdefault(fold(t), x.value())  # the first entry of a text wins
        elif word == "input-tz":
            raise invalid(
                f"columns ({source}): input-tz is not applied to DataFrame columns; localize naive "
                "timestamps first (Series.dt.tz_localize) or they are read as UTC"
            )
    return ColumnMap(names, required, values, source)


def column_map(columns: Any) -> ColumnMap:
    """A ColumnMap from ``columns``: None (the report's own names, every column but
    created_at optional), a preset name (``"caremetrics"``, ``"zendesk"``), a mapping text
    (``column csat "Satisfaction"`` lines, docs/csv.md) or a dict of our name -> the
    data's column name (on top of the defaults; each names a column that must exist)."""
    if isinstance(columns, ColumnMap):
        return columns
    if columns is None:
        return _read_text(preset_text("caremetrics"), "the default columns")
    if isinstance(columns, str):
        if "\n" not in columns and "\r" not in columns and not columns.lstrip().startswith(("column", "value", "#")):
            return _read_text(preset_text(columns), f"preset {columns}")
        return _read_text(columns, "the mapping text")
    if hasattr(columns, "items"):
        base = _read_text(preset_text("caremetrics"), "the default columns")
        given = dict(columns.items())
        for ours, name in given.items():
            if ours not in TARGETS:
                raise invalid(f"columns has {ours!r}, which is none of: {', '.join(TARGETS)}")
            if not isinstance(name, str) and not isinstance(name, numbers.Integral):
                raise invalid(f"columns[{ours!r}] must be a column name, not {type(name).__name__}")
            for other in given:
                if other != ours and TARGETS[other][3] == TARGETS[ours][3]:
                    raise invalid(f"columns maps both {ours!r} and {other!r}, which feed the same column")
        for ours, name in given.items():
            for other in list(base.names):
                if TARGETS[other][3] == TARGETS[ours][3]:
                    del base.names[other]
                    base.required.discard(other)
            base.names[ours] = name
            base.required.add(ours)
        base.source = "columns"
        return base
    raise invalid(f"columns must be None, a preset name, a mapping text or a dict, not {type(columns).__name__}")


# ---- prepared columns -----------------------------------------------------------------------


def _is_pandas(x: Any) -> bool:
    return cv._is_pandas(x)


class Col:
    """One column of the data, prepared for reading in blocks without copying it.

    kind: "num" (a numpy numeric or bool array), "time" (int64 ticks of datetime64, with
    ``per_second`` ticks per second), "delta" (the same for timedelta64), "cat" (codes
    and categories of a categorical), "masked" (a pandas nullable array) or "obj" (an
    object array: text, mixed values)."""

    __slots__ = ("name", "kind", "data", "per_second", "categories", "n", "strided", "unit")

    def __init__(self, column: Any, name: Any) -> None:
        self.name = name
        self.per_second = 1
        self.strided = False
        self.unit = "s"
        self.categories: Any = None
        if _is_pandas(column):
            import pandas as pd

            if isinstance(column, pd.DataFrame):
                raise invalid(f"column {name!r} is a DataFrame (a duplicated column name?)")
            dtype = column.dtype
            if isinstance(dtype, pd.DatetimeTZDtype):
                self._time(np.asarray(column.array.asi8), getattr(dtype, "unit", "ns"), "time")
            elif isinstance(dtype, pd.CategoricalDtype):
                cat = column.array if isinstance(column, pd.Series) else column.values
                self.kind, self.data, self.categories = "cat", np.asarray(cat.codes), cat.categories
            elif isinstance(dtype, np.dtype):
                self._numpy(column.to_numpy(copy=False))
            elif getattr(dtype, "kind", "O") in "biuf" and hasattr(column.array, "isna"):
                self.kind, self.data = "masked", column.array
            else:
                self.kind, self.data = "obj", column.to_numpy(dtype=object)
        elif isinstance(column, np.ndarray):
            self._numpy(column)
        elif isinstance(column, (str, bytes)) or not hasattr(column, "__len__"):
            raise invalid(f"column {name!r} must be a column of values, not {type(column).__name__}")
        else:
            try:
                a = np.asarray(memoryview(column))  # buffers: zero copy
            except TypeError:
                values = list(column)
                a = np.empty(len(values), dtype=object)
                a[:] = values
            self._numpy(a)
        self.n = len(self.data)

    def _time(self, ticks: Any, unit: Any, kind: str) -> None:
        unit, count = (unit, 1) if not isinstance(unit, tuple) else unit
        self.unit = f"{count}{unit}" if count != 1 else unit
        self.kind, self.data = kind, ticks
        # Ticks per second: below 1 for units coarser than a second.
        self.per_second = np.timedelta64(1, "s") / np.timedelta64(count, unit)

    def _numpy(self, a: Any) -> None:
        if a.ndim != 1:
            raise invalid(f"column {self.name!r} must be one-dimensional, not of shape {a.shape}")
        if not a.dtype.isnative:
            a = a.astype(a.dtype.newbyteorder("="))
        self.strided = not a.flags.c_contiguous
        if a.dtype.kind in "Mm":
            unit, count = np.datetime_data(a.dtype)
            self._time(a.view(np.int64), (unit, count), "time" if a.dtype.kind == "M" else "delta")
        elif a.dtype.kind in "biuf":
            self.kind, self.data = "num", a
        elif a.dtype.kind in "OUS":
            self.kind, self.data = "obj", a.astype(object)
        else:
            raise invalid(f"column {self.name!r} holds {a.dtype} values")

    def raw(self, a: int, b: int) -> Any:
        """Rows [a, b): a view, or a contiguous copy of a strided block."""
        if self.strided:
            return np.ascontiguousarray(self.data[a:b])
        return self.data[a:b]


class Scratch:
    """The scratch arrays of a converter, one set per slot: while the engine reads a block
    converted into one slot, the next block is converted into the other."""

    __slots__ = ("rows", "arrays")

    def __init__(self, rows: int) -> None:
        self.rows = max(1, rows)
        self.arrays: Dict[Tuple[int, str], Any] = {}

    def get(self, blk: "Block", name: str, dtype: Any) -> Any:
        key = (blk.slot, name)
        a = self.arrays.get(key)
        if a is None or len(a) < blk.n:
            a = self.arrays[key] = np.empty(max(self.rows, blk.n), dtype=dtype)
        return a[: blk.n]


class Block:
    """Where a block's converted columns and its bad rows are gathered."""

    __slots__ = ("a", "b", "n", "slot", "created", "bad", "why")

    def __init__(self, a: int, b: int, slot: int = 0) -> None:
        self.a, self.b, self.n, self.slot = a, b, b - a, slot
        self.created: Any = None
        self.bad: Any = None  # rows the engine cannot be given: a bool mask, or None
        self.why: List[Tuple[Any, Callable[[int], Tuple[str, str, str]]]] = []  # (mask, describe)

    def reject(self, mask: Any, describe: Callable[[int], Tuple[str, str, str]]) -> None:
        """Marks rows as bad; describe(i) gives (column, value, expected) of row i of the block."""
        if mask is None or not mask.any():
            return
        self.bad = mask.copy() if self.bad is None else (self.bad | mask)
        self.why.append((mask, describe))

    def describe(self, i: int) -> Tuple[str, str, str]:
        for mask, describe in self.why:
            if mask[i]:
                return describe(i)
        return ("(unknown)", "", "")


def _text(v: Any) -> str:
    s = str(v)
    return s if len(s) <= 47 else s[:44] + "..."


_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def _number(v: Any) -> Optional[float]:
    """A label as a number (a Python or numpy number, or decimal text), else None."""
    if isinstance(v, (bool, np.bool_)):
        return float(v)
    if isinstance(v, numbers.Real):
        x = float(v)
        return x if not math.isnan(x) else None
    if isinstance(v, str) and _NUMBER.fullmatch(v):
        return float(v)
    return None


_NO = ("", "0", "false", "no", "n", "f")
_YES = ("1", "true", "yes", "y", "t")


class Target:
    """One of the report's columns read from a column of the data."""

    def __init__(self, ours: str, col: Col, values: Optional[Dict[str, str]]) -> None:
        self.ours = ours
        self.kind, self.field, self.scale, _ = TARGETS[ours]
        self.col = col
        self.values = values or {}
        if col.kind == "delta" and self.kind not in ("seconds", "after"):
            raise invalid(f"column {col.name!r} ({ours}) holds timedelta64 values, not {self._takes()}")
        if col.kind == "time" and self.kind != "instant":
            raise invalid(f"column {col.name!r} ({ours}) holds datetime64 values, not {self._takes()}")
        self._label_cache: Optional[Tuple[Any, Any, Any]] = None  # categorical: per category

    def _takes(self) -> str:
        return {
            "instant": "instants",
            "after": "durations after creation",
            "count": "counts",
            "flag": "flags",
            "answer": "survey answers",
            "seconds": "durations in seconds",
        }[self.kind]

    def expected(self) -> str:
        """What the column accepts, as in bad-row descriptions (the CSV reader's words)."""
        return {
            "instant": "a date and time such as 2025-01-06T09:00:00Z, or missing",
            "after": "a number of minutes or seconds after creation, or missing",
            "count": "a whole number, or missing",
            "flag": "0 or 1 (true/false, yes/no), or missing",
            "answer": "a whole number on the survey's scale (or a mapped text), or missing",
            "seconds": "a number of seconds (or minutes), or missing",
        }[self.kind]

    # -- labels of text and categorical columns --------------------------------------

    def _label_value(self, label: Any) -> Tuple[bool, float]:
        """(ok, value) of one distinct text: NaN value = missing."""
        if isinstance(label, str):
            mapped = self.values.get(fold(label))
            if mapped is not None:
                if mapped == "":
                    return True, math.nan
                label = mapped
            elif self.kind == "flag":
                f = fold(label.strip())
                if f in _NO:
                    return True, 0.0
                if f in _YES:
                    return True, 1.0
                return False, math.nan
            if self.kind == "instant":
                return False, math.nan
        elif self.kind == "instant":
            return False, math.nan
        x = _number(label)
        return (x is not None), (x if x is not None else math.nan)

    def _labels(self, labels: Any) -> Tuple[Any, Any]:
        """Values (NaN = missing) and ok flags of distinct labels; the last slot is for -1."""
        vals = np.full(len(labels) + 1, np.nan)
        ok = np.ones(len(labels) + 1, dtype=bool)
        for j, label in enumerate(labels):
            ok[j], vals[j] = self._label_value(label)
        return vals, ok

    def numbers(self, blk: Block) -> Tuple[Any, Any]:
        """The block as float64 (NaN: missing) and the mask of unreadable entries, for the
        text, categorical and nullable kinds."""
        raw = self.col.raw(blk.a, blk.b)
        kind = self.col.kind
        if kind == "masked":
            return raw.to_numpy(dtype=np.float64, na_value=np.nan), None
        if kind == "cat":
            if self._label_cache is None:
                self._label_cache = self._labels(self.col.categories)
            vals, ok = self._label_cache
            codes = raw.astype(np.intp)
            bad = ~ok.take(codes)
            return vals.take(codes), (bad if bad.any() else None)
        if kind == "obj":
            codes, uniques = cv.factorize(raw, f"column {self.col.name!r}")
            vals, ok = self._labels(uniques)
            bad = ~ok.take(codes)
            return vals.take(codes), (bad if bad.any() else None)
        a = raw
        if a.dtype.kind == "b":
            return a.astype(np.float64), None
        return a.astype(np.float64, copy=False), None

    def reject(self, blk: Block, mask: Any) -> None:
        raw = self.col

        def describe(i: int) -> Tuple[str, str, str]:
            v = raw.raw(blk.a + i, blk.a + i + 1)
            value = v[0] if raw.kind != "cat" else raw.categories[v[0]] if v[0] >= 0 else None
            if raw.kind == "time":
                value = _time_text(int(v[0]), raw.per_second)
            return (str(raw.name), _text(value), self.expected())

        blk.reject(mask, describe)


def _time_text(ticks: int, per_second: Any) -> str:
    if ticks == NO_TIME:
        return "NaT"
    return f"{ticks / per_second:.0f} s after 1970-01-01T00:00:00Z"


# ---- instants ---------------------------------------------------------------------------------


class Instants(Target):
    """created_at, first_reply_at, solved_at: int64 Unix seconds, NO_TIME when missing."""

    def __init__(self, ours: str, col: Col, values: Optional[Dict[str, str]], rows: int) -> None:
        super().__init__(ours, col, values)
        self.scratch = Scratch(rows)

    def convert(self, blk: Block, private: bool = False) -> Any:
        col, n = self.col, blk.n
        out = self.scratch.get(blk, "out", np.int64)
        if col.kind == "time":
            ticks = col.raw(blk.a, blk.b)
            per = col.per_second
            if per == 1:
                if not private:
                    return ticks  # datetime64[s] is the engine's layout, NaT included
                np.copyto(out, ticks)
                return out
            if not (float(per).is_integer() or float(1 / per).is_integer()):
                # An unusual unit (such as 7 ms): numpy's own conversion, NaT kept.
                np.copyto(out, ticks.view(f"datetime64[{col.unit}]").astype("datetime64[s]").view(np.int64))
                return out
            if per > 1 and float(per).is_integer():
                per = int(per)
                if n and ticks.flags.aligned and ticks.flags.c_contiguous:
                    # One pass in C (floor to the second, NaT kept as NO_TIME).
                    check(lib.cm_table_instants_from_ticks(ticks.ctypes.data, n, per, out.ctypes.data))
                    return out
                np.floor_divide(ticks, per, out=out)
                if n and ticks.min() == NO_TIME:  # NaT is the smallest int64
                    # NaT // per is NO_TIME // per: add what turns it into NO_TIME, without a
                    # masked store (slow when many rows have no reply or solve instant).
                    fix = self.scratch.get(blk, "fix", np.int64)
                    np.multiply(ticks == NO_TIME, NO_TIME - NO_TIME // per, out=fix)
                    np.add(out, fix, out=out)
                return out
            mult = round(1 / per)  # units coarser than a second
            with np.errstate(over="ignore"):
                np.multiply(ticks, mult, out=out)
            nat = ticks == NO_TIME
            self.reject(blk, (out // mult != ticks) & ~nat)
            np.putmask(out, nat, NO_TIME)
            return out
        if col.kind == "num" and col.data.dtype == np.int64 and not private:
            return col.raw(blk.a, blk.b)  # Unix seconds: the engine's layout
        if col.kind in ("num", "masked"):
            v, _ = self.numbers(blk)
            return self._from_seconds(blk, v, out)
        return self._from_text(blk, out)

    def _from_seconds(self, blk: Block, v: Any, out: Any) -> Any:
        """Unix seconds as float64 (NaN: missing) into out; non-whole or out-of-range values are bad."""
        missing = np.isnan(v)
        bad = ~missing & ((np.floor(v) != v) | (v < -9.2e18) | (v > 9.2e18))
        self.reject(blk, bad)
        np.copyto(out, np.where(missing | bad, 0.0, v), casting="unsafe")
        out[missing] = NO_TIME
        return out

    def _from_text(self, blk: Block, out: Any) -> Any:
        """Text, datetime objects or categories: pandas reads the block (naive as UTC)."""
        import pandas as pd

        raw = self.col.raw(blk.a, blk.b)
        if self.col.kind == "cat":
            if self._label_cache is None:
                cats = self.col.categories
                parsed = pd.to_datetime(pd.Index(cats), utc=True, errors="coerce") if len(cats) else pd.DatetimeIndex([], tz="UTC")
                secs = np.append(np.asarray(parsed.asi8) // 10**9, NO_TIME)
                nat = np.append(np.asarray(parsed.isna()), True)
                secs[nat] = NO_TIME
                self._label_cache = (secs, nat, np.append(np.zeros(len(cats), dtype=bool), True))
            secs, nat, missing = self._label_cache
            codes = raw.astype(np.intp)
            self.reject(blk, nat.take(codes) & ~missing.take(codes))
            np.copyto(out, secs.take(codes))
            return out
        missing = np.asarray(pd.isna(raw))
        try:
            parsed = pd.to_datetime(pd.Series(raw, copy=False), utc=True, errors="coerce")
        except (TypeError, ValueError):  # mixed values pandas refuses outright
            parsed = pd.Series([_one_instant(v) for v in pd.unique(raw)], dtype="datetime64[ns, UTC]")
            parsed = parsed.take(pd.Index(pd.unique(raw)).get_indexer(raw))
        ns = np.asarray(parsed.array.asi8)
        nat = ns == NO_TIME
        self.reject(blk, nat & ~missing)
        np.floor_divide(ns, 10**9, out=out)
        np.copyto(out, NO_TIME, where=nat)
        return out


def _one_instant(v: Any) -> Any:
    import pandas as pd

    try:
        return pd.to_datetime(v, utc=True)
    except (TypeError, ValueError, OverflowError):
        return pd.NaT


class After(Target):
    """first_reply_minutes / first_reply_seconds: the reply instant from a duration after creation."""

    def __init__(self, ours: str, col: Col, values: Optional[Dict[str, str]], rows: int) -> None:
        super().__init__(ours, col, values)
        self.scratch = Scratch(rows)

    def convert(self, blk: Block, private: bool = False) -> Any:
        out = self.scratch.get(blk, "out", np.int64)
        if self.col.kind == "delta":
            ticks = self.col.raw(blk.a, blk.b)
            secs = ticks / self.col.per_second
            secs[ticks == NO_TIME] = np.nan
        else:
            secs, unreadable = self.numbers(blk)
            if unreadable is not None:
                self.reject(blk, unreadable)
                secs = np.where(unreadable, np.nan, secs)
            secs = secs * self.scale
        missing = np.isnan(secs)
        bad = ~missing & ~((secs >= 0) & (secs <= _SECONDS_MAX_AFTER))
        self.reject(blk, bad)
        created = blk.created
        # To the nearest second (ties to even), as the CSV reader rounds.
        whole = np.where(missing | bad, 0.0, secs)
        whole = (whole + 2.0**52) - 2.0**52
        np.add(created, whole.astype(np.int64), out=out, casting="unsafe")
        out[missing | bad | (created == NO_TIME)] = NO_TIME
        return out


# ---- counts, flags, answers, seconds ------------------------------------------------------------


class Integers(Target):
    """contacts (uint32, missing = 1), reopens (a count read as a flag, missing = 0),
    flags (uint8, missing = 0) and survey answers (uint8, missing = SCORE_NONE)."""

    def __init__(self, ours: str, col: Col, values: Optional[Dict[str, str]], rows: int) -> None:
        super().__init__(ours, col, values)
        if self.kind == "count":  # contacts, and reopens before it becomes a flag
            self.dtype, self.missing, self.top = np.uint32, (1 if ours == "contacts" else 0), 2**32 - 1
        elif self.kind == "flag":
            self.dtype, self.missing, self.top = np.uint8, 0, 255
        else:
            self.dtype, self.missing, self.top = np.uint8, SCORE_NONE, 254
        self.scratch = Scratch(rows)

    def convert(self, blk: Block, private: bool = False) -> Any:
        col = self.col
        out = self.scratch.get(blk, "out", self.dtype)
        if col.kind == "num":
            a = col.raw(blk.a, blk.b)
            if a.dtype.kind == "b" and self.dtype == np.uint8 and self.kind != "answer":
                return a.view(np.uint8)  # flags: bool is 0 / 1 bytes
            if a.dtype.kind in "biu":
                out = self._ints(blk, a, out)
            else:
                out = self._floats(blk, a, out)
        else:
            v, unreadable = self.numbers(blk)
            if unreadable is not None:
                self.reject(blk, unreadable)
                v = np.where(unreadable, np.nan, v)
            out = self._floats(blk, v, out)
        if self.ours == "reopens":  # reopened at least once
            flag = self.scratch.get(blk, "flag", np.uint8)
            np.not_equal(out, 0, out=flag.view(bool))
            return flag
        return out

    def _ints(self, blk: Block, a: Any, out: Any) -> Any:
        if len(a) == 0:
            return out
        if self.dtype == np.uint32 and a.dtype == np.int64 and a.flags.aligned and a.flags.c_contiguous:
            # Counts: one pass in C; a block with values outside 0..2**32-1 is read again
            # below to describe them.
            unusable = ctypes.c_size_t()
            check(lib.cm_table_counts_from_int64(a.ctypes.data, len(a), out.ctypes.data, ctypes.byref(unusable)))
            if unusable.value == 0:
                return out
        if a.dtype.kind != "b" and (int(a.min()) < 0 or int(a.max()) > self.top):
            outside = (a < 0) | (a > self.top)
            self.reject(blk, outside)
            a = np.where(outside, self.missing, a)
        if a.dtype == self.dtype:
            return a
        np.copyto(out, a, casting="unsafe")
        return out

    def _floats(self, blk: Block, v: Any, out: Any) -> Any:
        """float64 with NaN for missing: whole numbers from 0 to top, else bad."""
        n = len(v)
        if n == 0:
            return out
        if self.missing == SCORE_NONE and v.dtype == np.float64 and v.flags.aligned and v.flags.c_contiguous:
            # Survey answers: one pass in C; a block with unusable values (fractions,
            # values outside 0..254) is read again below to describe them.
            unusable = ctypes.c_size_t()
            check(lib.cm_table_scores_from_doubles(v.ctypes.data, n, out.ctypes.data, ctypes.byref(unusable)))
            if unusable.value == 0:
                return out
        lo, hi = np.fmin.reduce(v), np.fmax.reduce(v)  # NaN only when every entry is
        if math.isnan(lo):
            out.fill(self.missing)
            return out
        if lo < 0 or hi > self.top:  # rare: leave them out before the cast
            outside = (v < 0) | (v > self.top)
            self.reject(blk, outside)
            v = np.where(outside, np.nan, v)
        nan = np.isnan(v)
        with np.errstate(invalid="ignore"):  # NaN entries cast to anything: replaced below
            np.copyto(out, v, casting="unsafe")
        whole = out == v  # False for NaN and for fractions
        if np.count_nonzero(whole) + np.count_nonzero(nan) != n:
            fraction = ~whole & ~nan
            self.reject(blk, fraction)
            nan |= fraction
        if self.dtype == np.uint8 and self.missing == SCORE_NONE:
            mark = self.scratch.get(blk, "mark", np.uint8)  # 255 where missing, 0 elsewhere: OR sets the "no answer" code
            np.multiply(nan.view(np.uint8), np.uint8(SCORE_NONE), out=mark)
            np.bitwise_or(out, mark, out=out)
        else:
            np.putmask(out, nan, self.missing)
        return out


class Seconds(Target):
    """wait_seconds, handle_seconds (float64, NaN when missing), also from minutes."""

    def __init__(self, ours: str, col: Col, values: Optional[Dict[str, str]], rows: int) -> None:
        super().__init__(ours, col, values)
        self.scratch = Scratch(rows)

    def convert(self, blk: Block, private: bool = False) -> Any:
        col, out = self.col, self.scratch.get(blk, "out", np.float64)
        if col.kind == "delta":
            ticks = col.raw(blk.a, blk.b)
            np.true_divide(ticks, col.per_second, out=out)
            out[ticks == NO_TIME] = np.nan
        elif col.kind == "num" and col.data.dtype == np.float64 and self.scale == 1:
            return col.raw(blk.a, blk.b)  # the engine's layout, NaN included
        elif col.kind == "num":
            np.copyto(out, col.raw(blk.a, blk.b), casting="unsafe")
        else:
            v, unreadable = self.numbers(blk)
            if unreadable is not None:
                self.reject(blk, unreadable)
                v = np.where(unreadable, np.nan, v)
            np.copyto(out, v)
        if self.scale != 1:
            out *= self.scale
        return out


# ---- keys -----------------------------------------------------------------------------------------


def label_of(value: Any) -> str:
    """The engine's label for a key value: its text (numbers without a decimal point when whole)."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def key_label(value: Any, values: Dict[str, str]) -> str:
    """The engine's label of a value of a key column, through its value map (``value
    channel "Web form"=web``); an empty text is the label of missing values."""
    label = label_of(value)
    if isinstance(value, str):
        mapped = values.get(fold(value))
        if mapped:
            label = mapped
    return label if label != "" else NONE_LABEL


def label_problem(label: str) -> Optional[str]:
    """Why a text cannot be a label, or None."""
    if "\0" in label:
        return "a value without NUL characters"
    if len(label.encode("utf-8", "surrogatepass")) > LABEL_MAX:
        return "a value of at most 63 bytes"
    return None


def priority_level(value: Any, values: Dict[str, str]) -> Optional[int]:
    """The SLA level (0..4) of a priority value, or None when it is not one."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return 0
    if isinstance(value, str):
        mapped = values.get(fold(value))
        text = mapped if mapped is not None else value
        f = fold(text.strip())
        if f == "":
            return 0
        for level, name in enumerate(PRIORITY_LABELS):
            if f == name:
                return level
        return None
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, numbers.Integral) and 0 <= int(value) <= 4:
        return int(value)
    if isinstance(value, float) and value.is_integer() and 0 <= value <= 4:
        return int(value)
    return None


class KeyCodes:
    """A key column as codes into its distinct values: a categorical's codes and
    categories (read in place), or the column factorized once (``_convert.factorize``)."""

    def __init__(self, column: Any, col: Col) -> None:
        self.col = col
        if col.kind in ("time", "delta"):
            kind = "datetime64" if col.kind == "time" else "timedelta64"
            raise invalid(f"column {col.name!r} holds {kind} values; group by time with a bucket such as 'day'")
        self.categorical = col.kind == "cat"
        codes, values = cv.factorize(column, f"column {col.name!r}", keep_dtype=True)
        if not self.categorical and len(values) < 2**31:
            codes = codes.astype(np.int32)
        self.codes, self.values = codes, list(values)
        self.has_missing = bool(len(codes) and codes.min() < 0)
