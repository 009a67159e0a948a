"""pandas, when it is installed: table-shaped results as DataFrames.

pandas is optional. Functions that return tables return a ``DataFrame`` when
pandas can be imported and their input was a DataFrame (or when they are
``to_frame`` methods); without pandas, ``to_frame`` raises ImportError and the
other forms return lists of dataclasses.
"""

from __future__ import annotations

from typing import Any, Iterable, List, Optional

try:  # pandas is optional
    import pandas as _pd
except ImportError:  # pragma: no cover - exercised only without pandas
    _pd = None

HAVE_PANDAS = _pd is not None


def is_frame(obj: Any) -> bool:
    """Whether obj is a pandas DataFrame."""
    return _pd is not None and isinstance(obj, _pd.DataFrame)


def frame(rows: Iterable[dict], index: Optional[List[str]] = None) -> Any:
    """A DataFrame of the given records (dicts), optionally indexed by some of their keys."""
    if _pd is None:
        raise ImportError("caremetrics: this result needs pandas (Debian: python3-pandas)")
    df = _pd.DataFrame(list(rows))
    if index:
        df = df.set_index(index)
    return df
