"""Contact drivers from Python: bounds against exact counts, merging, bytes, pickle, pandas."""

import collections
import multiprocessing
import pickle
import random

import pytest

import caremetrics as cm


def check_bounds(t, exact):
    info = t.info()
    assert info.total == sum(exact.values())
    assert info.error <= info.total // (info.capacity + 1)
    for key, f in exact.items():
        lo, hi = t.estimate(key)
        assert lo <= f <= hi
        if f > info.error:
            assert lo > 0


def test_round_robin_and_merge():
    rng = random.Random(7)
    stream = [f"k{i % 11}" for i in range(5000)] + [f"x{rng.randrange(10**6)}" for _ in range(3000)]
    rng.shuffle(stream)
    exact = collections.Counter(stream)
    whole = cm.TopK(10).add_many(stream)
    check_bounds(whole, exact)
    parts = [cm.TopK(10).add_many(stream[i::3]) for i in range(3)]
    merged = parts[0] + parts[1]
    merged.merge_bytes(parts[2].to_bytes())
    check_bounds(merged, exact)
    assert parts[0] + parts[1] == parts[1] + parts[0]  # commutative, canonical bytes


def test_exact_below_capacity_and_tags():
    t = cm.TopK(100)
    for field in ["billing refund", "  vip,billing ", "refund;login", None, float("nan"), ""]:
        t.add_tag_fields([field])
    top = t.top(3)
    assert [(e.key, e.count) for e in top] == [("billing", 2), ("refund", 2), ("login", 1)]
    assert t.info().exact and all(e.upper == e.count for e in top)
    assert t.estimate("nope") == (0, 0)


def test_codes_and_numpy():
    np = pytest.importorskip("numpy")
    codes = np.array([3, 1, 3, 3, 2, 1], dtype=np.uint64)
    t = cm.TopK(2, keys="codes").add_many(codes, weights=np.ones(6, dtype=np.uint64))
    assert t.top(1)[0].key == 3
    assert t.info().total == 6


def test_errors():
    with pytest.raises(cm.InvalidArgumentError):
        cm.TopK(10).add("a\0b")
    with pytest.raises(cm.OutOfRangeError):
        cm.TopK(10, max_key_bytes=4).add("toolong")
    with pytest.raises(cm.OutOfRangeError):
        cm.TopK(0)
    with pytest.raises(cm.InvalidArgumentError):
        cm.TopK(-1)
    with pytest.raises(cm.OutOfRangeError):
        cm.TopK(2**40)
    with pytest.raises(cm.InvalidArgumentError):
        cm.TopK(10, keys="floats")
    with pytest.raises(cm.InvalidArgumentError):
        cm.TopK(10).merge(cm.TopK(11))
    with pytest.raises(cm.ResultOverflowError):
        cm.TopK(10).add("a", 2**63 - 1).add("b")
    with pytest.raises(cm.ParseError):
        cm.TopK.from_bytes(b"CM\x11\x01" + bytes(40))
    t = cm.TopK(10).add("a", 3)
    with pytest.raises(cm.OutOfRangeError):
        t.add_many(["b", "x" * 100])
    assert t.info().total == 3  # all or nothing


def _worker(chunk):
    return cm.TopK(8).add_many(chunk)


def test_pickle_and_processes():
    stream = [f"d{(i * i) % 13}" for i in range(2000)]
    chunks = [stream[i::4] for i in range(4)]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        parts = pool.map(_worker, chunks)
    total = parts[0]
    for p in parts[1:]:
        total += p
    check_bounds(total, collections.Counter(stream))
    assert pickle.loads(pickle.dumps(total)) == total


def test_to_frame():
    pytest.importorskip("pandas")
    df = cm.TopK(5).add_many(["a", "b", "a"]).to_frame(2)
    assert list(df.index) == ["a", "b"] and df.loc["a", "count"] == 2
    assert df.loc["a", "share"] == pytest.approx(2 / 3)
