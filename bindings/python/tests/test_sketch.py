"""Sketch and exact quantiles from Python, against numpy's own quantiles."""

import pickle

import pytest

import caremetrics as cm

np = pytest.importorskip("numpy")

BOUND = 1 / 101 + 1e-12  # the documented relative error bound for values >= 1 s


def test_exact_quantiles_match_numpy():
    rng = np.random.default_rng(3)
    for n in (1, 2, 3, 10, 1001):
        xs = rng.lognormal(5, 2, size=n)
        qs = [0, 0.1, 0.5, 0.9, 0.99, 1]
        assert list(cm.quantiles_exact(xs, qs)) == list(np.quantile(xs, qs))
        assert cm.quantile_exact(list(xs), 0.5) == np.quantile(xs, 0.5)


def test_exact_quantiles_leave_input_alone():
    xs = np.array([5.0, 1.0, 3.0])
    cm.quantiles_exact(xs, [0.5])
    assert list(xs) == [5.0, 1.0, 3.0]


def test_sketch_within_bound_of_numpy():
    rng = np.random.default_rng(4)
    xs = np.ceil(rng.lognormal(8, 1.5, size=200_000))
    s = cm.Sketch().add_many(xs)
    qs = [0.5, 0.9, 0.99]
    for got, want in zip(s.quantiles(qs), np.quantile(xs, qs)):
        assert abs(got - want) <= BOUND * want
    r = s.result()
    assert r.n == len(xs) and r.min_seconds == xs.min() and r.max_seconds == xs.max()
    assert r.mean_seconds == pytest.approx(xs.mean(), rel=1e-12)


def test_sketch_merge_and_pickle_exact():
    rng = np.random.default_rng(5)
    xs = rng.exponential(3600, size=50_000)
    whole = cm.Sketch().add_many(xs)
    merged = sum((cm.Sketch().add_many(p) for p in np.array_split(xs, 7)), cm.Sketch())
    assert merged == whole
    assert pickle.loads(pickle.dumps(whole)) == whole
    assert len(whole) == 50_000


def test_sketch_zero_copy():
    from caremetrics import _convert as cv

    xs = np.array([1.0, 2.0])
    view = cv.in_array(xs, "f64", "seconds")
    assert not view.copied and view.address == xs.ctypes.data


@pytest.mark.parametrize(
    "call,exc",
    [
        (lambda: cm.Sketch().add(-1), cm.InvalidArgumentError),
        (lambda: cm.Sketch().add(float("nan")), cm.InvalidArgumentError),
        (lambda: cm.Sketch().add(1e12), cm.OutOfRangeError),
        (lambda: cm.Sketch().add_many([1.0, -1.0]), cm.InvalidArgumentError),
        (lambda: cm.Sketch().add_many(["1.0"]), cm.InvalidArgumentError),
        (lambda: cm.Sketch().quantile(0.5), cm.NoDataError),
        (lambda: cm.Sketch().add(1).quantile(1.5), cm.InvalidArgumentError),
        (lambda: cm.Sketch().result(), cm.NoDataError),
        (lambda: cm.Sketch.from_bytes(b"CM\x05"), cm.ParseError),
        (lambda: cm.quantiles_exact([], [0.5]), cm.NoDataError),
        (lambda: cm.quantiles_exact([1.0, float("inf")], [0.5]), cm.InvalidArgumentError),
    ],
)
def test_sketch_bad_input(call, exc):
    with pytest.raises(exc):
        call()
