"""Accumulators over Dask collections: per-partition partials merged in a tree.

Every accumulator merges exactly and pickles through its portable bytes
(with pickle and cloudpickle alike), so a KPI over a ``dask.dataframe`` or
``dask.bag`` is the single-pass result, field for field, whatever the
partitioning and however many workers or machines::

    import caremetrics as cm
    import caremetrics.dask as cmd

    csat = cmd.accumulate(ddf.csat, lambda part: cm.Csat().add_many(part)).compute()
    per_channel = cmd.accumulate_by(ddf, "channel", "csat", cm.Csat).compute()
    cm.frames.frame_of(per_channel)          # one row per channel
    cmd.report(ddf, by="channel")            # the whole KPI report, as cm.report(df)

Each partition builds its partial accumulator where it lives; partials are
merged ``split_every`` at a time, so no single task receives them all. This
module needs Dask (Debian: python3-dask); importing ``caremetrics`` does not.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Hashable, Iterable, List, Optional, Sequence, Union

import dask
from dask.delayed import Delayed

from . import _convert as cv
from ._accumulator import Accumulator
from .errors import invalid
from .table import BadRowError, ReportSpec, TableReport, _Survey, base_spec, sized_spec

__all__ = ["accumulate", "accumulate_by", "merge_tree", "report"]


def merge_all(*accumulators: Accumulator) -> Accumulator:
    """A new accumulator holding the merge of the given ones (which are left alone)."""
    if not accumulators:
        raise invalid("nothing to merge")
    total = accumulators[0].copy()
    for acc in accumulators[1:]:
        total.merge(acc)
    return total


def merge_groups(*parts: Dict[Hashable, Accumulator]) -> Dict[Hashable, Accumulator]:
    """Merges dicts of key -> accumulator key by key into a new dict."""
    out: Dict[Hashable, Accumulator] = {}
    for part in parts:
        for key, acc in part.items():
            if key in out:
                out[key].merge(acc)
            else:
                out[key] = acc.copy()
    return out


def merge_tree(partials: Iterable[Any], split_every: int = 8, merge: Callable[..., Any] = merge_all) -> Any:
    """A dask Delayed merging the (delayed) partials ``split_every`` at a time, level by
    level, into one; ``merge`` combines a group (merge_all for accumulators,
    merge_groups for dicts of them)."""
    if isinstance(split_every, bool) or not isinstance(split_every, int) or split_every < 2:
        raise invalid(f"split_every = {split_every!r} must be an integer >= 2")
    level: List[Any] = list(partials)
    if not level:
        raise invalid("no partitions to merge")
    while len(level) > 1:
        level = [dask.delayed(merge)(*level[i : i + split_every]) for i in range(0, len(level), split_every)]
    only = level[0]
    return only if isinstance(only, Delayed) else dask.delayed(only)


def _partitions(collection: Any) -> List[Any]:
    to_delayed = getattr(collection, "to_delayed", None)
    if to_delayed is None:
        raise invalid(f"collection must be a dask DataFrame, Series or Bag, not {type(collection).__name__}")
    return list(to_delayed())


def accumulate(collection: Any, make: Callable[[Any], Accumulator], split_every: int = 8) -> Any:
    """``make(partition)`` on every partition of a dask Series, DataFrame or Bag (a
    pandas object or a list per partition), merged in a tree: a Delayed whose
    ``compute()`` is the accumulator of the whole collection."""
    partials = [dask.delayed(make)(part) for part in _partitions(collection)]
    return merge_tree(partials, split_every)


def _by_key(frame: Any, by: Any, column: str, make: Callable[[], Accumulator]) -> Dict[Hashable, Accumulator]:
    out: Dict[Hashable, Accumulator] = {}
    for key, part in frame.groupby(by, observed=True, sort=False)[column]:
        out[key] = make().add_many(part)
    return out


def accumulate_by(frame: Any, by: Any, column: str, make: Callable[[], Accumulator], split_every: int = 8) -> Any:
    """Per-group accumulators of one column of a dask DataFrame: each partition groups
    its rows by ``by`` and feeds ``column`` to ``make()``; the dicts are merged key by
    key in a tree. A Delayed whose ``compute()`` is ``{key: accumulator}``
    (``caremetrics.frames.frame_of`` makes it a DataFrame)."""
    partials = [dask.delayed(_by_key)(part, by, column, make) for part in _partitions(frame)]
    return merge_tree(partials, split_every, merge_groups)


# ---- the ticket-table report ---------------------------------------------------------------


def _survey(part: Any, spec: ReportSpec) -> Dict[str, Any]:
    return _Survey(part, spec, spec.by_keys).facts


def merge_surveys(*parts: Dict[str, Any]) -> Dict[str, Any]:
    """Combines what partitions need to size a report: rows, open tickets, the span of
    creation instants, and each key's distinct values (in order of first appearance)."""
    out: Dict[str, Any] = {"rows": 0, "unsolved": 0, "first": None, "last": None, "keys": {}}
    for p in parts:
        out["rows"] += p["rows"]
        out["unsolved"] += p["unsolved"]
        for end, pick in (("first", min), ("last", max)):
            if p[end] is not None:
                out[end] = p[end] if out[end] is None else pick(out[end], p[end])
        for name, (values, categorical, missing) in p["keys"].items():
            if name not in out["keys"]:
                out["keys"][name] = (list(values), categorical, missing)
                continue
            seen, cat, miss = out["keys"][name]
            merged = list(dict.fromkeys(list(seen) + list(values)))
            out["keys"][name] = (merged, cat and categorical, miss or missing)
    return out


def _partial(part: Any, spec: ReportSpec, block_rows: int) -> TableReport:
    rows = max(1, len(part))
    own = spec.replace(
        row_capacity=rows if spec.row_capacity else 0,
        open_capacity=rows if spec.open_capacity else 0,
    )
    # One thread per partition: the workers run partitions side by side.
    return TableReport(own).add(part, block_rows=block_rows, threads=False)


def _result(total: TableReport, confidence: Optional[float], observed: bool, strict: bool) -> Any:
    if strict:
        rows, bad = total.rows()
        if bad:
            raise BadRowError(total.bad_rows()[0], bad)
    return total.result(confidence, observed)


def report(
    frame: Any,
    by: Union[None, str, Sequence[str]] = None,
    calendar: Any = None,
    policy: Any = None,
    columns: Any = None,
    *,
    confidence: Optional[float] = None,
    observed: bool = False,
    strict: bool = False,
    split_every: int = 8,
    compute: bool = True,
    block_rows: int = 65536,
    **options: Any,
) -> Any:
    """``caremetrics.report`` over a dask DataFrame: the same DataFrame, field for field.

    A first pass reads what sizes the report (rows, the span of creation instants, each
    key's distinct values: categories, or the union of the partitions' values); then
    every partition folds its rows into a partial report (the engine's portable bytes
    travel between processes) and the partials are merged ``split_every`` at a time in a
    tree. Keys are matched by their text, so partitions that met their values in another
    order, or whose categories differ, merge exactly. Other keyword arguments are those of
    ``caremetrics.report`` (``threads`` is ignored: each partition is read by one
    thread). With ``compute=False`` the result is a Delayed."""
    if not isinstance(strict, bool):
        raise invalid(f"strict must be True or False, not {strict!r}")
    options.pop("threads", None)
    if confidence is not None and not 0.0 < cv.f64(confidence, "confidence") < 1.0:
        raise invalid(f"confidence = {confidence!r} is outside (0, 1)")
    if isinstance(block_rows, bool) or not isinstance(block_rows, int) or block_rows < 1:
        raise invalid(f"block_rows = {block_rows!r} must be an integer >= 1")
    base = base_spec(by, calendar=calendar, policy=policy, columns=columns, **options)
    parts = _partitions(frame)
    facts = merge_tree([dask.delayed(_survey)(p, base) for p in parts], split_every, merge_surveys).compute()
    spec = sized_spec(facts, by, calendar=calendar, policy=policy, columns=columns, **options)
    total = merge_tree([dask.delayed(_partial)(p, spec, block_rows) for p in parts], split_every)
    out = dask.delayed(_result)(total, confidence, observed, strict)
    return out.compute() if compute else out
