"""Contact drivers: a mergeable heavy-hitters summary (caremetrics/topk.h).

:class:`TopK` keeps k counters over string keys (tags, driver names) or
64-bit codes. Every key's true count lies in ``[count, upper]``; the largest
undercount is at most total / (k + 1), so every driver above that share is
held, and counts are exact while at most k distinct keys were seen.
Summaries merge (``+``), serialize and pickle; ``to_frame`` gives a
DataFrame when pandas is present.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any, Iterable, List, Optional, Tuple, Union

from . import _convert as cv
from . import _frame
from ._lib import c_status, check_layouts, declare, lib
from ._handle import Handle, Holding
from .errors import STATUS, check, invalid

_vp = ctypes.c_void_p
_u8p = ctypes.POINTER(ctypes.c_uint8)
_u64 = ctypes.c_uint64
_u64p = ctypes.POINTER(ctypes.c_uint64)
_size = ctypes.c_size_t

declare([("cm_topk_constant", c_status, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int64)])])


def _constant(name: str) -> int:
    out = ctypes.c_int64()
    check(lib.cm_topk_constant(name.encode(), ctypes.byref(out)), name)
    return int(out.value)


STRINGS = _constant("CM_TOPK_STRINGS")
CODES = _constant("CM_TOPK_CODES")
MAX_CAPACITY = _constant("CM_TOPK_MAX_CAPACITY")
MAX_KEY_BYTES = _constant("CM_TOPK_MAX_KEY_BYTES")


class _Entry(ctypes.Structure):
    _fields_ = [
        ("key", ctypes.c_void_p),
        ("key_len", _size),
        ("code", _u64),
        ("count", _u64),
        ("upper", _u64),
    ]


class _Summary(ctypes.Structure):
    _fields_ = [
        ("total", _u64),
        ("error", _u64),
        ("capacity", ctypes.c_uint32),
        ("size", ctypes.c_uint32),
        ("keys", ctypes.c_uint32),
        ("max_key_bytes", ctypes.c_uint32),
        ("exact", ctypes.c_bool),
    ]


declare(
    [
        ("cm_topk_sizeof", _size, [ctypes.c_char_p]),
        ("cm_topk_new", c_status, [ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint32, _vp, ctypes.POINTER(_vp)]),
        ("cm_topk_free", None, [_vp]),
        ("cm_topk_clear", c_status, [_vp]),
        ("cm_topk_add", c_status, [_vp, ctypes.c_char_p, _size, _u64]),
        ("cm_topk_add_code", c_status, [_vp, _u64, _u64]),
        ("cm_topk_add_many", c_status, [_vp, ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(_size), _u64p, _size]),
        ("cm_topk_add_codes", c_status, [_vp, _u64p, _u64p, _size]),
        ("cm_topk_add_tags", c_status, [_vp, ctypes.c_char_p, _size, ctypes.c_char_p, _u64]),
        (
            "cm_topk_add_tags_many",
            c_status,
            [_vp, ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(_size), _size, ctypes.c_char_p, _u64],
        ),
        ("cm_topk_merge", c_status, [_vp, _vp]),
        ("cm_topk_info", c_status, [_vp, ctypes.POINTER(_Summary)]),
        ("cm_topk_result", c_status, [_vp, ctypes.POINTER(_Entry), _size, ctypes.POINTER(_size)]),
        ("cm_topk_estimate", c_status, [_vp, ctypes.c_char_p, _size, _u64p, _u64p]),
        ("cm_topk_estimate_code", c_status, [_vp, _u64, _u64p, _u64p]),
        ("cm_topk_serialize", c_status, [_vp, _u8p, _size, ctypes.POINTER(_size)]),
        ("cm_topk_deserialize", c_status, [_u8p, _size, _vp, ctypes.POINTER(_vp)]),
        ("cm_topk_merge_serialized", c_status, [_vp, _u8p, _size]),
    ]
)
check_layouts(lib.cm_topk_sizeof, [("cm_topk_entry", _Entry), ("cm_topk_summary", _Summary)])


@dataclass(frozen=True)
class TopKEntry:
    """A key with its counter (a lower bound on its true count) and an upper bound."""

    key: Union[str, bytes, int]
    count: int
    upper: int


@dataclass(frozen=True)
class TopKInfo:
    """Total weight added, the largest possible undercount, capacity and counters in use."""

    total: int
    error: int
    capacity: int
    size: int
    exact: bool


def _key(k: Any, what: str) -> bytes:
    if isinstance(k, str):
        k = k.encode()
    elif isinstance(k, (bytes, bytearray, memoryview)):
        k = bytes(k)
    else:
        raise invalid(f"{what} must be a str or bytes, not {type(k).__name__}")
    if b"\0" in k:
        raise invalid(f"{what} = {k!r} contains a NUL byte")
    return k


class TopK(Handle):
    """Heavy hitters over ``"strings"`` (str keys, returned as str; bytes keys stay bytes)
    or ``"codes"`` (ints), with ``capacity`` counters."""

    __slots__ = ("kind", "_bytes_keys")
    _free = lib.cm_topk_free

    def __init__(self, capacity: int = 1000, keys: str = "strings", max_key_bytes: int = 64) -> None:
        if keys not in ("strings", "codes"):
            raise invalid(f"keys = {keys!r}; expected 'strings' or 'codes'")
        out = _vp()
        check(
            lib.cm_topk_new(
                STRINGS if keys == "strings" else CODES,
                cv.u32(capacity, "capacity"),
                cv.u32(max_key_bytes, "max_key_bytes"),
                None,
                ctypes.byref(out),
            )
        )
        self._take(out)
        self.kind = keys
        self._bytes_keys = False

    @classmethod
    def _made(cls, ptr: _vp, kind: str) -> "TopK":
        t = object.__new__(cls)
        t._take(ptr)
        t.kind = kind
        t._bytes_keys = False
        return t

    def add(self, key: Union[str, bytes, int], weight: int = 1) -> "TopK":
        """Adds ``weight`` occurrences of one key (a code for a codes summary)."""
        w = cv.u64(weight, "weight")
        if self.kind == "codes":
            check(self._call(lib.cm_topk_add_code, cv.u64(key, "key"), w))
        else:
            self._bytes_keys |= not isinstance(key, str)
            k = _key(key, "key")
            check(self._call(lib.cm_topk_add, k, len(k), w))
        return self

    def add_many(self, keys: Iterable[Any], weights: Optional[Any] = None) -> "TopK":
        """Adds a column of keys (and weights, 1 each by default). Codes: uint64 arrays are
        read without copying. All or nothing."""
        if self.kind == "codes":
            c = cv.in_array(keys, "u64", "keys")
            w = cv.in_array(weights, "u64", "weights") if weights is not None else None
            if w is not None and w.n != c.n:
                raise invalid(f"keys has {c.n} entries but weights has {w.n}")
            check(self._call(lib.cm_topk_add_codes, c.ptr, w.ptr if w else None, c.n))
            return self
        ks = [_key(k, f"keys[{i}]") for i, k in enumerate(keys)]
        n = len(ks)
        ptrs = (ctypes.c_char_p * max(1, n))(*ks)
        lens = (_size * max(1, n))(*[len(k) for k in ks])
        w = cv.in_array(weights, "u64", "weights") if weights is not None else None
        if w is not None and w.n != n:
            raise invalid(f"keys has {n} entries but weights has {w.n}")
        check(self._call(lib.cm_topk_add_many, ptrs, lens, w.ptr if w else None, n))
        return self

    def add_tags(self, field: Union[str, bytes, None], separators: str = " ,;", weight: int = 1) -> "TopK":
        """Adds every tag of one ticket's tag field, split at any of ``separators``;
        ``None`` or an empty field adds nothing."""
        if field is None:
            return self
        f = field.encode() if isinstance(field, str) else bytes(field)
        if b"\0" in f:
            raise invalid(f"field = {field!r} contains a NUL byte")
        sep = _key(separators, "separators")
        check(self._call(lib.cm_topk_add_tags, f, len(f), sep, cv.u64(weight, "weight")))
        return self

    def add_tag_fields(self, fields: Iterable[Any], separators: str = " ,;", weight: int = 1) -> "TopK":
        """Adds the tags of a column of tag fields (``None`` and NaN are empty), e.g. a pandas
        Series. All or nothing."""
        fs = []
        for i, v in enumerate(fields):
            if v is None or (isinstance(v, float) and v != v):
                fs.append(b"")
                continue
            b = v.encode() if isinstance(v, str) else bytes(v)
            if b"\0" in b:
                raise invalid(f"fields[{i}] = {v!r} contains a NUL byte")
            fs.append(b)
        n = len(fs)
        ptrs = (ctypes.c_char_p * max(1, n))(*fs)
        lens = (_size * max(1, n))(*[len(f) for f in fs])
        sep = _key(separators, "separators")
        check(self._call(lib.cm_topk_add_tags_many, ptrs, lens, n, sep, cv.u64(weight, "weight")))
        return self

    def merge(self, other: "TopK") -> "TopK":
        """Merges another summary of the same kind and capacity into this one."""
        if not isinstance(other, TopK):
            raise invalid(f"cannot merge {type(other).__name__} into TopK")
        with Holding([self, other]) as (a, b):
            check(lib.cm_topk_merge(a, b))
        self._bytes_keys |= other._bytes_keys
        return self

    def __iadd__(self, other: "TopK") -> "TopK":
        return self.merge(other)

    def __add__(self, other: "TopK") -> "TopK":
        if not isinstance(other, TopK):
            return NotImplemented
        return self.copy().merge(other)

    def copy(self) -> "TopK":
        """An independent copy (through the canonical bytes)."""
        new = TopK.from_bytes(self.to_bytes())
        new._bytes_keys = self._bytes_keys
        return new

    def clear(self) -> "TopK":
        """Empties the summary, keeping its capacity and key kind."""
        check(self._call(lib.cm_topk_clear))
        return self

    def info(self) -> TopKInfo:
        """Total weight, error bound, capacity and counters in use."""
        s = _Summary()
        check(self._call(lib.cm_topk_info, ctypes.byref(s)))
        return TopKInfo(int(s.total), int(s.error), int(s.capacity), int(s.size), bool(s.exact))

    def _decode(self, e: _Entry) -> Any:
        if self.kind == "codes":
            return int(e.code)
        raw = ctypes.string_at(e.key, e.key_len)
        if self._bytes_keys:
            return raw
        try:
            return raw.decode()
        except UnicodeDecodeError:
            return raw

    def top(self, n: int = 10) -> List[TopKEntry]:
        """The ``n`` keys with the largest counts, most frequent first (ties by key)."""
        cap = cv.u32(n, "n")
        out = (_Entry * max(1, cap))()
        count = _size()
        check(self._call(lib.cm_topk_result, out, cap, ctypes.byref(count)))
        return [TopKEntry(self._decode(out[i]), int(out[i].count), int(out[i].upper)) for i in range(count.value)]

    def estimate(self, key: Union[str, bytes, int]) -> Tuple[int, int]:
        """(lower, upper) bounds on the true count of any key, held or not."""
        lo, hi = _u64(), _u64()
        if self.kind == "codes":
            check(self._call(lib.cm_topk_estimate_code, cv.u64(key, "key"), ctypes.byref(lo), ctypes.byref(hi)))
        else:
            k = _key(key, "key")
            check(self._call(lib.cm_topk_estimate, k, len(k), ctypes.byref(lo), ctypes.byref(hi)))
        return int(lo.value), int(hi.value)

    def to_frame(self, n: int = 10) -> Any:
        """The top ``n`` as a DataFrame (key, count, upper, share of the total). Needs pandas."""
        total = self.info().total
        rows = [
            {"key": e.key, "count": e.count, "upper": e.upper, "share": e.count / total if total else 0.0}
            for e in self.top(n)
        ]
        return _frame.frame(rows, index=["key"]) if rows else _frame.frame([], None)

    def to_bytes(self) -> bytes:
        """The library's portable, canonical bytes."""
        probe = (ctypes.c_uint8 * 1)()
        need = _size()
        status = self._call(lib.cm_topk_serialize, probe, 0, ctypes.byref(need))
        if status != STATUS["CM_ENOSPC"]:
            check(status)
        buf = (ctypes.c_uint8 * need.value)()
        w = _size()
        check(self._call(lib.cm_topk_serialize, buf, need.value, ctypes.byref(w)))
        return bytes(buf[: w.value])

    @classmethod
    def from_bytes(cls, data: bytes) -> "TopK":
        """A summary from ``to_bytes`` output, on any machine; ParseError if damaged."""
        raw = bytes(data)
        buf = (ctypes.c_uint8 * max(1, len(raw))).from_buffer_copy(raw.ljust(1, b"\0"))
        out = _vp()
        check(lib.cm_topk_deserialize(buf, len(raw), None, ctypes.byref(out)))
        t = cls._made(out, "strings")
        s = _Summary()
        check(lib.cm_topk_info(out, ctypes.byref(s)))
        t.kind = "codes" if s.keys == CODES else "strings"
        return t

    def merge_bytes(self, data: bytes) -> "TopK":
        """Merges a serialized summary without building it."""
        raw = bytes(data)
        buf = (ctypes.c_uint8 * max(1, len(raw))).from_buffer_copy(raw.ljust(1, b"\0"))
        check(self._call(lib.cm_topk_merge_serialized, buf, len(raw)))
        return self

    def __reduce__(self) -> Any:
        return (_topk_from_bytes, (self.to_bytes(), self._bytes_keys))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TopK):
            return NotImplemented
        return self.to_bytes() == other.to_bytes()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        i = self.info()
        return f"TopK({self.kind}, capacity={i.capacity}, total={i.total}, error={i.error})"


def _topk_from_bytes(data: bytes, bytes_keys: bool = False) -> TopK:
    t = TopK.from_bytes(data)
    t._bytes_keys = bytes_keys
    return t


__all__ = ["TopK", "TopKEntry", "TopKInfo", "MAX_CAPACITY", "MAX_KEY_BYTES"]
