"""Quality scorecards and grader calibration (caremetrics/qa.h).

A :class:`Rubric` scores evaluations (item points, ``None`` = N/A) into
scores in [0, 100] with pass/fail and critical failures; :class:`QaScores`
accumulates them per agent or team (mean with a Student t interval, pass
rate with a Wilson interval) and merges, serializes and pickles like the KPI
accumulators. :func:`alpha`, :func:`icc` and :func:`grader_deviation`
measure how well graders agree. Every rule lives in the C library.

With pandas, :func:`scorecards` scores an evaluations table and summarises it
per agent (or any column), and :func:`grader_deviation` of a DataFrame returns
a DataFrame.
"""

from __future__ import annotations

import ctypes
import math
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from . import _convert as cv
from . import _frame
from ._lib import c_status, check_layouts, declare, lib
from ._handle import Handle
from .calendar import _ParseError
from .errors import STATUS, check, invalid, parse_error
from .kpi import DEFAULT_CONFIDENCE, Proportion, _Proportion
from .spc import _Signal

_u8 = ctypes.c_uint8
_u32 = ctypes.c_uint32
_u64 = ctypes.c_uint64
_f64 = ctypes.c_double
_vp = ctypes.c_void_p
_i32p = ctypes.POINTER(ctypes.c_int32)
_u8p = ctypes.POINTER(ctypes.c_uint8)
_f64p = ctypes.POINTER(ctypes.c_double)

declare([("cm_qa_constant", c_status, [ctypes.c_char_p, ctypes.POINTER(_f64)])])


def _constant(name: str) -> int:
    out = _f64()
    check(lib.cm_qa_constant(name.encode(), ctypes.byref(out)), name)
    return int(out.value)


#: Award marking an item as not applicable (``None`` in Python).
NA = _constant("CM_QA_NA")
#: Outcome bits of a scored evaluation.
PASSED = _constant("CM_QA_PASSED")
CRITICAL_FAILED = _constant("CM_QA_CRITICAL_FAILED")
#: Item flags.
ITEM_CRITICAL = _constant("CM_QA_ITEM_CRITICAL")
ITEM_NA_ALLOWED = _constant("CM_QA_ITEM_NA_ALLOWED")
#: Levels of measurement of :func:`alpha`, by name.
LEVELS = {name: _constant("CM_QA_" + name.upper()) for name in ("nominal", "ordinal", "interval", "ratio")}
_ACC_BYTES = _constant("CM_QA_ACC_SERIALIZED_SIZE")


class _Section(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("weight", _f64)]


class _Item(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("section", _u32), ("points", _u32), ("flags", _u32), ("reserved", _u32)]


class _RubricSummary(ctypes.Structure):
    _fields_ = [
        ("sections", _u32),
        ("items", _u32),
        ("critical", _u32),
        ("reserved", _u32),
        ("pass_score", _f64),
        ("max_points", _u64),
    ]


class _Result(ctypes.Structure):
    _fields_ = [
        ("score", _f64),
        ("raw_score", _f64),
        ("flags", _u32),
        ("critical_failures", _u32),
        ("applicable_items", _u32),
        ("na_items", _u32),
        ("na_sections", _u64),
    ]


class _Acc(ctypes.Structure):
    _fields_ = [
        ("n", _u64),
        ("passed", _u64),
        ("critical_failed", _u64),
        ("min_micro", _u64),
        ("max_micro", _u64),
        ("sum", _u64 * 2),
        ("sum_sq", _u64 * 2),
    ]


class _Summary(ctypes.Structure):
    _fields_ = [
        ("n", _u64),
        ("mean", _f64),
        ("sd", _f64),
        ("lo", _f64),
        ("hi", _f64),
        ("min", _f64),
        ("max", _f64),
        ("pass_rate", _Proportion),
        ("critical_rate", _Proportion),
    ]


class _Alpha(ctypes.Structure):
    _fields_ = [
        ("alpha", _f64),
        ("observed", _f64),
        ("expected", _f64),
        ("pairable_values", _u64),
        ("pairable_units", _u64),
        ("distinct_values", _u64),
    ]


class _Icc(ctypes.Structure):
    _fields_ = [
        (n, _f64) for n in ("icc1", "icc2", "icc3", "icc1k", "icc2k", "icc3k", "bms", "wms", "jms", "ems")
    ] + [("targets", _u64), ("raters", _u64)]


class _Deviation(ctypes.Structure):
    _fields_ = [("n", _u64), ("mean", _f64), ("mean_abs", _f64)]


_accp = ctypes.POINTER(_Acc)
declare(
    [
        ("cm_qa_sizeof", ctypes.c_size_t, [ctypes.c_char_p]),
        (
            "cm_qa_rubric_new",
            c_status,
            [ctypes.POINTER(_Section), ctypes.c_size_t, ctypes.POINTER(_Item), ctypes.c_size_t, _f64, _vp, ctypes.POINTER(_vp)],
        ),
        ("cm_qa_rubric_parse", c_status, [ctypes.c_char_p, _vp, ctypes.POINTER(_vp), ctypes.POINTER(_ParseError)]),
        ("cm_qa_rubric_free", None, [_vp]),
        ("cm_qa_rubric_info", c_status, [_vp, ctypes.POINTER(_RubricSummary)]),
        ("cm_qa_rubric_section", c_status, [_vp, ctypes.c_size_t, ctypes.POINTER(_Section)]),
        ("cm_qa_rubric_item", c_status, [_vp, ctypes.c_size_t, ctypes.POINTER(_Item)]),
        ("cm_qa_rubric_find_item", c_status, [_vp, ctypes.c_char_p, ctypes.POINTER(ctypes.c_size_t)]),
        ("cm_qa_score", c_status, [_vp, _i32p, ctypes.c_size_t, ctypes.POINTER(_Result), _f64p]),
        ("cm_qa_score_many", c_status, [_vp, _i32p, ctypes.c_size_t, _f64p, _u8p]),
        ("cm_qa_acc_init", c_status, [_accp]),
        ("cm_qa_acc_add", c_status, [_accp, _f64, _u32]),
        ("cm_qa_acc_add_result", c_status, [_accp, ctypes.POINTER(_Result)]),
        ("cm_qa_acc_add_many", c_status, [_accp, _f64p, _u8p, ctypes.c_size_t]),
        ("cm_qa_acc_merge", c_status, [_accp, _accp]),
        ("cm_qa_acc_result", c_status, [_accp, _f64, ctypes.POINTER(_Summary)]),
        ("cm_qa_acc_serialize", c_status, [_accp, _u8p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t)]),
        ("cm_qa_acc_deserialize", c_status, [_u8p, ctypes.c_size_t, _accp]),
        (
            "cm_qa_alerts",
            c_status,
            [_f64p, ctypes.c_size_t, _f64, _u32, ctypes.POINTER(_Signal), ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t)],
        ),
        ("cm_qa_alpha_scratch_size", ctypes.c_size_t, [ctypes.c_size_t, ctypes.c_size_t]),
        (
            "cm_qa_alpha",
            c_status,
            [_f64p, _u8p, ctypes.c_size_t, ctypes.c_size_t, _u32, _f64p, ctypes.c_size_t, ctypes.POINTER(_Alpha)],
        ),
        ("cm_qa_icc", c_status, [_f64p, ctypes.c_size_t, ctypes.c_size_t, ctypes.POINTER(_Icc)]),
        ("cm_qa_grader_deviation", c_status, [_f64p, _u8p, ctypes.c_size_t, ctypes.c_size_t, ctypes.POINTER(_Deviation)]),
    ]
)
check_layouts(
    lib.cm_qa_sizeof,
    [
        ("cm_qa_section", _Section),
        ("cm_qa_item", _Item),
        ("cm_qa_rubric_summary", _RubricSummary),
        ("cm_qa_result", _Result),
        ("cm_qa_acc", _Acc),
        ("cm_qa_summary", _Summary),
        ("cm_qa_alpha_result", _Alpha),
        ("cm_qa_icc_result", _Icc),
        ("cm_qa_deviation", _Deviation),
    ],
)


def _name(s: Any, what: str) -> bytes:
    if not isinstance(s, str):
        raise invalid(f"{what} must be a str, not {type(s).__name__}")
    if "\0" in s:
        raise invalid(f"{what} = {s!r} contains a NUL character")
    return s.encode()


# ---- rubrics ----------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """A rubric section: its name and weight in percent."""

    name: str
    weight: float


@dataclass(frozen=True)
class Item:
    """A rubric item: name, section index, maximum points, and whether it is critical or N/A-able."""

    name: str
    section: int
    points: int
    critical: bool = False
    na: bool = False


@dataclass(frozen=True)
class QaResult:
    """One scored evaluation: final score (0 after a critical failure), raw score, outcome,
    and each section's score (``None`` for a section whose items were all N/A)."""

    score: float
    raw_score: float
    passed: bool
    critical_failed: bool
    critical_failures: int
    applicable_items: int
    na_items: int
    sections: Dict[str, Optional[float]]

    @property
    def flags(self) -> int:
        """The outcome bits (PASSED, CRITICAL_FAILED) as the C library stores them."""
        return (PASSED if self.passed else 0) | (CRITICAL_FAILED if self.critical_failed else 0)


def _award(v: Any, what: str) -> int:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return NA
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return cv.i32(v, what)


class Rubric(Handle):
    """A QA rubric: weighted sections of items with points, N/A-able and critical items.

    ``Rubric(text)`` parses the text form (docs/qa.md); :meth:`build` takes
    sections and items. Parse errors raise :class:`ParseError` with ``line``
    and ``column``.
    """

    __slots__ = ("text", "_items", "_sections", "pass_score")
    _free = lib.cm_qa_rubric_free

    def __init__(self, text: str) -> None:
        err = _ParseError()
        out = _vp()
        status = lib.cm_qa_rubric_parse(_name(text, "text"), None, ctypes.byref(out), ctypes.byref(err))
        if status != 0:
            raise parse_error(status, err)
        self._take(out)
        self.text = text
        self._load()

    @classmethod
    def build(
        cls,
        sections: Sequence[Tuple[str, float]],
        items: Sequence[Union[Item, Tuple[Any, ...]]],
        pass_score: float,
    ) -> "Rubric":
        """A rubric from ``[(name, weight%), ...]`` and items given as :class:`Item` or
        ``(name, section, points[, critical[, na]])``, the section by index or name."""
        sec_names = [s[0] for s in sections]
        keep = []
        secs = (_Section * max(1, len(sections)))()
        for i, (name, weight) in enumerate(sections):
            b = _name(name, f"sections[{i}] name")
            keep.append(b)
            secs[i] = _Section(b, cv.f64(weight, f"sections[{i}] weight"))
        its = (_Item * max(1, len(items)))()
        for i, it in enumerate(items):
            if not isinstance(it, Item):
                it = Item(*it)
            section = it.section
            if isinstance(section, str):
                if section not in sec_names:
                    raise invalid(f"items[{i}] names section {section!r}, which does not exist")
                section = sec_names.index(section)
            b = _name(it.name, f"items[{i}] name")
            keep.append(b)
            flags = (ITEM_CRITICAL if it.critical else 0) | (ITEM_NA_ALLOWED if it.na else 0)
            its[i] = _Item(b, cv.u32(section, f"items[{i}] section"), cv.u32(it.points, f"items[{i}] points"), flags, 0)
        out = _vp()
        check(
            lib.cm_qa_rubric_new(
                secs, len(sections), its, len(items), cv.f64(pass_score, "pass_score"), None, ctypes.byref(out)
            )
        )
        r = object.__new__(cls)
        r._take(out)
        r.text = None
        r._load()
        return r

    def _load(self) -> None:
        s = _RubricSummary()
        check(self._call(lib.cm_qa_rubric_info, ctypes.byref(s)))
        self.pass_score = s.pass_score
        secs = []
        for i in range(s.sections):
            x = _Section()
            check(self._call(lib.cm_qa_rubric_section, i, ctypes.byref(x)))
            secs.append(Section(x.name.decode(), x.weight))
        items = []
        for i in range(s.items):
            x = _Item()
            check(self._call(lib.cm_qa_rubric_item, i, ctypes.byref(x)))
            items.append(
                Item(x.name.decode(), int(x.section), int(x.points), bool(x.flags & ITEM_CRITICAL), bool(x.flags & ITEM_NA_ALLOWED))
            )
        self._sections = tuple(secs)
        self._items = tuple(items)

    @property
    def sections(self) -> Tuple[Section, ...]:
        """The sections, in order."""
        return self._sections

    @property
    def items(self) -> Tuple[Item, ...]:
        """The items, in awards order."""
        return self._items

    @property
    def item_names(self) -> List[str]:
        """Item names in awards order."""
        return [i.name for i in self._items]

    def _awards(self, awards: Any) -> Any:
        """A C array of awards in item order from a sequence or a mapping by item name."""
        n = len(self._items)
        if isinstance(awards, Mapping):
            unknown = [k for k in awards if k not in self.item_names]
            if unknown:
                # Let the library say it: the first unknown name gives CM_ENOTFOUND.
                idx = ctypes.c_size_t()
                check(self._call(lib.cm_qa_rubric_find_item, _name(str(unknown[0]), "item"), ctypes.byref(idx)), repr(unknown[0]))
            missing = [name for name in self.item_names if name not in awards]
            if missing:
                raise invalid(f"no award for item {missing[0]!r} (give None for N/A)")
            values = [awards[name] for name in self.item_names]
        else:
            values = list(awards)
            if len(values) != n:
                raise invalid(f"awards has {len(values)} entries but the rubric has {n} items")
        arr = (ctypes.c_int32 * max(1, n))(*[_award(v, f"award for {self.item_names[i]!r}") for i, v in enumerate(values)])
        return arr

    def score(self, awards: Any) -> QaResult:
        """Scores one evaluation: points per item in item order, or a dict by item name;
        ``None`` marks an N/A item."""
        arr = self._awards(awards)
        out = _Result()
        secs = (_f64 * len(self._sections))()
        check(self._call(lib.cm_qa_score, arr, len(self._items), ctypes.byref(out), secs))
        sections = {
            s.name: (None if out.na_sections >> i & 1 else secs[i]) for i, s in enumerate(self._sections)
        }
        return QaResult(
            out.score,
            out.raw_score,
            bool(out.flags & PASSED),
            bool(out.flags & CRITICAL_FAILED),
            int(out.critical_failures),
            int(out.applicable_items),
            int(out.na_items),
            sections,
        )

    def score_many(self, awards: Any) -> Tuple[Any, Any]:
        """Scores a table of evaluations (rows) by items (columns, in item order); ``None`` or
        NaN is N/A. Returns (scores, flags) arrays (numpy when present); a DataFrame's columns
        are picked by item name."""
        n = len(self._items)
        if _frame.is_frame(awards):
            missing = [c for c in self.item_names if c not in awards.columns]
            if missing:
                raise invalid(f"the table has no column for item {missing[0]!r}")
            rows = awards[self.item_names].astype(object).values.tolist()
        else:
            rows = [list(r) for r in awards]
        flat = []
        for e, row in enumerate(rows):
            if len(row) != n:
                raise invalid(f"evaluation {e} has {len(row)} awards but the rubric has {n} items")
            flat.extend(_award(v, f"award [{e}][{i}]") for i, v in enumerate(row))
        arr = (ctypes.c_int32 * max(1, len(flat)))(*flat)
        scores, sp = cv.out_array("f64", len(rows))
        flags, fp = cv.out_array("u8", len(rows))
        check(self._call(lib.cm_qa_score_many, arr, len(rows), sp, fp))
        return scores, flags

    def __repr__(self) -> str:
        return f"Rubric({len(self._sections)} sections, {len(self._items)} items, pass {self.pass_score:g})"


# ---- accumulators ---------------------------------------------------------------


@dataclass(frozen=True)
class QaSummary:
    """Mean score with its Student t interval, spread and extremes, pass and critical-failure rates."""

    n: int
    mean: float
    sd: float
    lo: float
    hi: float
    min: float
    max: float
    pass_rate: Proportion
    critical_rate: Proportion


class QaScores:
    """Mergeable accumulator of evaluation scores for one agent, team or period.

    ``add(score, passed=..., critical_failed=...)``, ``add_result(Rubric.score(...))``,
    ``add_many(scores, flags)`` (the arrays of :meth:`Rubric.score_many`); merges with
    ``+`` / ``merge``, serializes with ``to_bytes`` / ``from_bytes`` and pickles.
    """

    __slots__ = ("_c",)

    def __init__(self) -> None:
        self._c = _Acc()

    def add(self, score: float, passed: bool = False, critical_failed: bool = False) -> "QaScores":
        """Records one evaluation: its score in [0, 100] and outcome."""
        flags = (PASSED if passed else 0) | (CRITICAL_FAILED if critical_failed else 0)
        check(lib.cm_qa_acc_add(ctypes.byref(self._c), cv.f64(score, "score"), flags))
        return self

    def add_result(self, result: QaResult) -> "QaScores":
        """Records a :class:`QaResult`: its final score and outcome."""
        check(lib.cm_qa_acc_add(ctypes.byref(self._c), cv.f64(result.score, "score"), result.flags))
        return self

    def add_many(self, scores: Any, flags: Any) -> "QaScores":
        """Records arrays of scores and outcome bytes (float64 / uint8 arrays without copying)."""
        s = cv.in_array(scores, "f64", "scores")
        f = cv.in_array(flags, "u8", "flags")
        if s.n != f.n:
            raise invalid(f"scores has {s.n} entries but flags has {f.n}")
        check(lib.cm_qa_acc_add_many(ctypes.byref(self._c), s.ptr, f.ptr, s.n))
        return self

    def merge(self, other: "QaScores") -> "QaScores":
        """Adds the evaluations of another accumulator (exact, any order)."""
        if not isinstance(other, QaScores):
            raise invalid(f"cannot merge {type(other).__name__} into QaScores")
        check(lib.cm_qa_acc_merge(ctypes.byref(self._c), ctypes.byref(other._c)))
        return self

    def __iadd__(self, other: "QaScores") -> "QaScores":
        return self.merge(other)

    def __add__(self, other: "QaScores") -> "QaScores":
        if not isinstance(other, QaScores):
            return NotImplemented
        return self.copy().merge(other)

    def copy(self) -> "QaScores":
        """An independent copy."""
        new = QaScores()
        new._c = _Acc.from_buffer_copy(self._c)
        return new

    def result(self, confidence: float = DEFAULT_CONFIDENCE) -> QaSummary:
        """The summary (NoDataError when empty)."""
        out = _Summary()
        check(lib.cm_qa_acc_result(ctypes.byref(self._c), cv.f64(confidence, "confidence"), ctypes.byref(out)))
        return QaSummary(
            int(out.n), out.mean, out.sd, out.lo, out.hi, out.min, out.max,
            Proportion._of(out.pass_rate), Proportion._of(out.critical_rate),
        )

    def to_bytes(self) -> bytes:
        """The library's portable serialized form (84 bytes, CRC-checked)."""
        size = _ACC_BYTES
        buf = (_u8 * size)()
        w = ctypes.c_size_t()
        check(lib.cm_qa_acc_serialize(ctypes.byref(self._c), buf, size, ctypes.byref(w)))
        return bytes(buf[: w.value])

    @classmethod
    def from_bytes(cls, data: bytes) -> "QaScores":
        """Reads bytes written by ``to_bytes`` on any machine; ParseError if damaged."""
        raw = bytes(data)
        buf = (_u8 * max(1, len(raw))).from_buffer_copy(raw.ljust(1, b"\0"))
        new = cls()
        check(lib.cm_qa_acc_deserialize(buf, len(raw), ctypes.byref(new._c)))
        return new

    def __reduce__(self) -> Any:
        return (_qa_scores_from_bytes, (self.to_bytes(),))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QaScores):
            return NotImplemented
        return self.to_bytes() == other.to_bytes()

    __hash__ = None  # type: ignore[assignment]

    def __len__(self) -> int:
        return int(self._c.n)

    def __repr__(self) -> str:
        return f"QaScores(n={self._c.n})"


def _qa_scores_from_bytes(data: bytes) -> QaScores:
    return QaScores.from_bytes(data)


def alerts(values: Any, threshold: float, periods: int) -> List[int]:
    """Indexes of the periods that end a run of at least ``periods`` values strictly below
    ``threshold`` (e.g. a weekly mean score below 85 for two weeks)."""
    v = cv.in_array(values, "f64", "values")
    count = ctypes.c_size_t()
    cap = v.n
    sig = (_Signal * max(1, cap))()
    check(
        lib.cm_qa_alerts(v.ptr, v.n, cv.f64(threshold, "threshold"), cv.u32(periods, "periods"), sig, cap, ctypes.byref(count))
    )
    return [int(sig[i].index) for i in range(count.value)]


# ---- agreement -------------------------------------------------------------------


@dataclass(frozen=True)
class AlphaResult:
    """Krippendorff's alpha with its observed and expected disagreement."""

    alpha: float
    observed: float
    expected: float
    pairable_values: int
    pairable_units: int
    distinct_values: int


@dataclass(frozen=True)
class IccResult:
    """The six intraclass correlations of Shrout & Fleiss and the ANOVA mean squares."""

    icc1: float
    icc2: float
    icc3: float
    icc1k: float
    icc2k: float
    icc3k: float
    bms: float
    wms: float
    jms: float
    ems: float
    targets: int
    raters: int


@dataclass(frozen=True)
class GraderDeviation:
    """A grader's mean signed and absolute deviation from the other graders' mean."""

    grader: Any
    n: int
    mean: float
    mean_abs: float


def _matrix(ratings: Any, missing_ok: bool) -> Tuple[Any, Any, int, int, List[Any]]:
    """(values, presence mask or None, units, raters, rater labels) of a units x raters table.

    None (and NaN when missing_ok) mark missing ratings."""
    labels: List[Any]
    if _frame.is_frame(ratings):
        labels = list(ratings.columns)
        rows = ratings.astype(object).values.tolist()
    else:
        rows = [list(r) for r in ratings]
        labels = list(range(len(rows[0]))) if rows else []
    units = len(rows)
    raters = len(rows[0]) if rows else 0
    vals = []
    mask = []
    for u, row in enumerate(rows):
        if len(row) != raters:
            raise invalid(f"ratings row {u} has {len(row)} entries, the first has {raters}")
        for r, x in enumerate(row):
            gone = x is None or (missing_ok and isinstance(x, float) and math.isnan(x))
            mask.append(0 if gone else 1)
            vals.append(0.0 if gone else cv.f64(x, f"ratings[{u}][{r}]"))
    values = (_f64 * max(1, len(vals)))(*vals)
    present = (_u8 * max(1, len(mask)))(*mask) if not all(mask) else None
    return values, present, units, raters, labels


def alpha(ratings: Any, level: str = "interval") -> AlphaResult:
    """Krippendorff's alpha of a units x raters table (rows: interactions, columns: graders);
    None or NaN = not rated. ``level``: nominal, ordinal, interval or ratio."""
    if level not in LEVELS:
        raise invalid(f"level = {level!r}; expected one of {', '.join(LEVELS)}")
    values, present, units, raters, _ = _matrix(ratings, True)
    need = int(lib.cm_qa_alpha_scratch_size(units, raters))
    scratch = (_f64 * max(1, need))()
    out = _Alpha()
    check(lib.cm_qa_alpha(values, present, units, raters, LEVELS[level], scratch, need, ctypes.byref(out)))
    return AlphaResult(
        out.alpha, out.observed, out.expected, int(out.pairable_values), int(out.pairable_units), int(out.distinct_values)
    )


def icc(ratings: Any) -> IccResult:
    """The six intraclass correlations of a complete targets x raters table."""
    values, present, targets, raters, _ = _matrix(ratings, False)
    if present is not None:
        raise invalid("icc needs every rating: leave out the targets with a missing one")
    out = _Icc()
    check(lib.cm_qa_icc(values, targets, raters, ctypes.byref(out)))
    return IccResult(*(getattr(out, f[0]) for f in _Icc._fields_[:10]), int(out.targets), int(out.raters))


def grader_deviation(ratings: Any) -> Any:
    """Each grader's mean deviation from the others' mean on the units they shared (positive:
    lenient). A list of :class:`GraderDeviation`; a DataFrame indexed by grader when
    ``ratings`` is a DataFrame."""
    values, present, units, raters, labels = _matrix(ratings, True)
    out = (_Deviation * max(1, raters))()
    check(lib.cm_qa_grader_deviation(values, present, units, raters, out))
    rows = [GraderDeviation(labels[r], int(out[r].n), out[r].mean, out[r].mean_abs) for r in range(raters)]
    if _frame.is_frame(ratings):
        return _frame.frame([vars(d) for d in rows], index=["grader"])
    return rows


# ---- tables (pandas) ---------------------------------------------------------------


def scorecards(rubric: Rubric, evaluations: Any, by: Union[str, Sequence[str]] = "agent",
               confidence: float = DEFAULT_CONFIDENCE) -> Any:
    """Scores an evaluations DataFrame (one column per item, ``None``/NaN = N/A) and
    summarises it per ``by`` group: evaluations, mean score with its t interval, pass rate
    and critical-failure rate with Wilson intervals. Needs pandas."""
    if not _frame.is_frame(evaluations):
        raise invalid("scorecards needs a pandas DataFrame of evaluations")
    keys = [by] if isinstance(by, str) else list(by)
    scores, flags = rubric.score_many(evaluations)
    groups: Dict[Any, QaScores] = {}
    labels = evaluations[keys].itertuples(index=False, name=None)
    for i, key in enumerate(labels):
        groups.setdefault(key, QaScores()).add(float(scores[i]), bool(flags[i] & PASSED), bool(flags[i] & CRITICAL_FAILED))
    rows = []
    for key, acc in groups.items():
        r = acc.result(confidence)
        row = dict(zip(keys, key))
        row.update(
            evaluations=r.n, mean=r.mean, lo=r.lo, hi=r.hi, sd=r.sd, min=r.min, max=r.max,
            pass_rate=r.pass_rate.value, pass_lo=r.pass_rate.lo, pass_hi=r.pass_rate.hi,
            critical_rate=r.critical_rate.value,
        )
        rows.append(row)
    return _frame.frame(rows, index=keys).sort_index()


__all__ = [
    "NA", "PASSED", "CRITICAL_FAILED", "LEVELS", "Section", "Item", "QaResult", "Rubric", "QaSummary",
    "QaScores", "alerts", "AlphaResult", "IccResult", "GraderDeviation", "alpha", "icc",
    "grader_deviation", "scorecards",
]
