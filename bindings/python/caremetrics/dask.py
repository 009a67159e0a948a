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

Each partition builds its partial accumulator where it lives; partials are
merged ``split_every`` at a time, so no single task receives them all. This
module needs Dask (Debian: python3-dask); importing ``caremetrics`` does not.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Hashable, Iterable, List

import dask
from dask.delayed import Delayed

from ._accumulator import Accumulator
from .errors import invalid

__all__ = ["accumulate", "accumulate_by", "merge_tree"]


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
