"""KPI results as pandas objects: one row of tidy columns per group.

Each helper takes a column (Series, array, list) or a grouped column
(``df.groupby("channel").csat``) and returns a Series of tidy fields for a
column, or a DataFrame with one row per group (indexed like
``groupby(...).size()``, unobserved categories included) for a grouped
column. The columns follow one convention, shared with the accumulators'
``to_series()`` / ``to_frame()``:

- ``value``: the headline figure (CSAT share, NPS score, CES mean, ...),
  with ``lo`` and ``hi`` its confidence interval where there is one;
- ``num`` and ``den`` for proportions; ``n`` the number of observations;
- metric-specific columns after those (``mean``, ``se``, ``promoters`` ...).

A group with no data (every answer missing, or an unobserved category)
gets NaN values and zero counts instead of raising NoDataError. Every
figure is computed by the library; pandas is needed only here.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Mapping, Optional, Sequence

from . import _convert as cv
from ._accumulator import Accumulator, _confidence, proportion_fields
from .errors import invalid
from .kpi import Art, Ces, Csat, Nps, rate
from .sketch import Sketch

Row = Callable[[Any], Dict[str, Any]]


def _is_grouped(data: Any) -> bool:
    return type(data).__name__ in ("SeriesGroupBy", "DataFrameGroupBy") and cv._is_pandas(data)


def _apply(data: Any, row: Row, name: str) -> Any:
    import pandas as pd

    if not _is_grouped(data):
        return pd.Series(row(data), name=name)
    if type(data).__name__ == "DataFrameGroupBy":
        raise invalid(f"{name}_frame takes one grouped column, such as df.groupby('channel').{name}")
    sizes = data.size()
    single = sizes.index.nlevels == 1
    rows = {(key[0] if single and isinstance(key, tuple) and len(key) == 1 else key): row(part) for key, part in data}
    template = row([])  # the fields of an empty group
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(template)) if rows else pd.DataFrame(columns=list(template))
    frame = frame.reindex(sizes.index)
    for col, empty in template.items():
        if isinstance(empty, int):  # counts: zero for empty groups, integer dtype
            frame[col] = frame[col].fillna(0).astype("int64")
        else:
            frame[col] = frame[col].astype("float64")
    frame.index.names = sizes.index.names
    return frame


def _accumulated(make: Callable[[], Accumulator], confidence: Optional[float]) -> Row:
    c = _confidence(confidence)
    return lambda values: make().add_many(values)._row(c)


def csat_frame(data: Any, confidence: Optional[float] = None, scale: Optional[int] = None, satisfied_min: Optional[int] = None) -> Any:
    """CSAT per group: value (satisfied share), lo, hi, num, den, n, mean.

    ``cm.csat_frame(df.groupby("channel").csat)``; missing answers are no answer.
    ``scale`` and ``satisfied_min`` as for :class:`Csat`."""
    return _apply(data, _accumulated(lambda: Csat(scale, satisfied_min), confidence), "csat")


def nps_frame(data: Any, confidence: Optional[float] = None) -> Any:
    """NPS per group: value (score on −100..100), lo, hi, se, n, promoters, passives, detractors."""
    return _apply(data, _accumulated(Nps, confidence), "nps")


def ces_frame(
    data: Any,
    confidence: Optional[float] = None,
    scale: Optional[int] = None,
    easy_min: Optional[int] = None,
    easy_max: Optional[int] = None,
) -> Any:
    """CES per group: value (mean answer), lo, hi, sd, n, easy (low-effort share), easy_lo, easy_hi."""
    return _apply(data, _accumulated(lambda: Ces(scale, easy_min, easy_max), confidence), "ces")


def art_frame(data: Any) -> Any:
    """Average response time per group, whole seconds (numbers or timedelta64):
    value (mean seconds), n, total_seconds, min_seconds, max_seconds."""
    return _apply(data, _accumulated(Art, None), "art")


def sketch_frame(data: Any, quantiles: Sequence[float] = Sketch.FRAME_QUANTILES) -> Any:
    """Duration distribution per group (seconds or timedelta64): n, one column per
    quantile (``p50``, ``p90``, ``p99`` by default, within 1 % of exact), mean, min, max."""
    qs = tuple(cv.f64(q, "quantiles") for q in quantiles)
    return _apply(data, lambda values: Sketch().add_many(values)._row(0.0, qs), "sketch")


def rate_frame(data: Any, confidence: Optional[float] = None) -> Any:
    """A rate per group from a column of outcomes (bool or 0/1; missing entries skipped):
    value, lo, hi (Wilson interval), num (outcomes true), den, n — FCR, escalation,
    reopen or any ratio KPI."""
    c = _confidence(confidence)

    def row(values: Any) -> Dict[str, Any]:
        arr = cv.in_array(values, "u8", "values", missing=cv.SKIP)
        if arr.n == 0:
            return proportion_fields(None)
        flags = arr.array
        if int(flags.max()) > 1:
            i = int((flags > 1).argmax())
            raise invalid(f"values[{i}] = {int(flags[i])} is not a boolean outcome (0 or 1)")
        return rate(int(flags.sum(dtype="uint64")), arr.n, c).to_dict()

    return _apply(data, row, "rate")


def frame_of(accumulators: Mapping[Any, Accumulator], confidence: Optional[float] = None, names: Optional[Sequence[str]] = None) -> Any:
    """One row of tidy columns per key of a mapping key -> accumulator (such as the
    result of ``caremetrics.dask.accumulate_by``), in key order; tuple keys give a
    MultiIndex, named by ``names``. Empty accumulators give NaN values."""
    import pandas as pd

    c = _confidence(confidence)
    keys = sorted(accumulators, key=_sort_key)
    rows = [accumulators[k]._row(c) for k in keys]
    if keys and all(isinstance(k, tuple) for k in keys):
        index = pd.MultiIndex.from_tuples(keys, names=names)
    else:
        index = pd.Index(keys, name=names[0] if names else None)
    return pd.DataFrame(rows, index=index)


def _sort_key(key: Any) -> Any:
    return (str(type(key)), key) if not isinstance(key, tuple) else tuple((str(type(k)), k) for k in key)
