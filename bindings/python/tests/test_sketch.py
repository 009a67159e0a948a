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


@pytest.mark.parametrize("method", ["inverted_cdf", "weibull", "linear", "median_unbiased"])
def test_quantile_methods_bit_equal_numpy(method):
    rng = np.random.default_rng(11)
    qs = [0, 0.001, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1]
    for n in (1, 2, 3, 7, 100, 1001):
        xs = rng.integers(0, 20, size=n).astype(float) * 1.5  # ties
        got = list(cm.quantiles_exact_method(xs, qs, method=method))
        assert got == list(np.quantile(xs, qs, method=method)), (n, method)


def test_weighted_adds_equal_repeated_adds():
    a = cm.Sketch().add_weighted([1.5, 60.0, 0.0], [3, 2, 4])
    b = cm.Sketch().add_many([1.5] * 3 + [60.0] * 2 + [0.0] * 4)
    assert a.to_bytes() == b.to_bytes()
    assert cm.Sketch().add_n(7.25, 5).to_bytes() == cm.Sketch().add_many([7.25] * 5).to_bytes()


def test_share_exact_and_from_sketch():
    rng = np.random.default_rng(12)
    xs = rng.lognormal(7, 1.5, size=5000)
    exact = cm.share_exact(xs, 3600.0)
    assert exact.count == int(np.count_nonzero(xs <= 3600.0))
    assert exact.count_min == exact.count == exact.count_max
    # Wilson score interval at 95 %, written out independently.
    n, p, z = len(xs), exact.count / len(xs), 1.959963984540054
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert exact.lo == pytest.approx(centre - half, rel=1e-12)
    assert exact.hi == pytest.approx(centre + half, rel=1e-12)
    s = cm.Sketch().add_many(xs)
    est = s.share(3600.0)
    # The documented bound: between the exact shares at 3600 * 101/102 and 3600 * 1.01.
    assert np.count_nonzero(xs <= 3600.0 * 101 / 102) <= est.count <= np.count_nonzero(xs <= 3600.0 * 1.01)
    assert est.count_min <= exact.count <= est.count_max


def test_sketch2_subsecond_and_stddev():
    rng = np.random.default_rng(13)
    xs = rng.lognormal(-1, 1, size=2000)  # chat bot replies around 0.4 s
    s = cm.Sketch2(subsecond=True).add_many(xs)
    r = s.result()
    assert r.n == 2000
    assert r.min_seconds == xs.min() and r.max_seconds == xs.max()
    assert r.stddev_seconds == pytest.approx(np.std(xs, ddof=1), rel=1e-6)
    assert r.stddev_pop_seconds == pytest.approx(np.std(xs), rel=1e-6)
    assert xs.min() >= 2.0**-10  # every value at least one unit: the 1/101 bound holds
    for q in (0.5, 0.9, 0.99):
        assert abs(s.quantile(q) - np.quantile(xs, q)) <= BOUND * np.quantile(xs, q)
    back = pickle.loads(pickle.dumps(s))
    assert back.to_bytes() == s.to_bytes() and back.subsecond
    with pytest.raises(cm.InvalidArgumentError):
        s.merge(cm.Sketch2())


@pytest.mark.parametrize(
    "call,exc,text",
    [
        (lambda: cm.Sketch().add_n(1.0, 0), cm.InvalidArgumentError, "count"),
        (lambda: cm.Sketch().add_n(1.0, -1), cm.CaremetricsError, "count"),
        (lambda: cm.Sketch().add_n(float("nan"), 1), cm.InvalidArgumentError, "seconds"),
        (lambda: cm.Sketch().add_n(1.0, 2**64 - 1).add_n(1.0, 1), cm.ResultOverflowError, ""),
        (lambda: cm.Sketch().add_weighted([1.0], [1, 2]), cm.InvalidArgumentError, "counts"),
        (lambda: cm.Sketch().add_weighted([1.0, 2.0], [1, 0]), cm.InvalidArgumentError, ""),
        (lambda: cm.Sketch().add(1.0).share(float("nan")), cm.InvalidArgumentError, "seconds"),
        (lambda: cm.Sketch().add(1.0).share(1.0, confidence=1.0), cm.InvalidArgumentError, "confidence"),
        (lambda: cm.Sketch().share(1.0), cm.NoDataError, ""),
        (lambda: cm.share_exact([1.0], float("inf")), cm.InvalidArgumentError, "threshold"),
        (lambda: cm.quantiles_exact_method([1.0], [0.5], method="nearest"), cm.InvalidArgumentError, "method"),
        (lambda: cm.quantiles_exact_method([1.0], [1.5], method="weibull"), cm.InvalidArgumentError, ""),
    ],
)
def test_new_sketch_bad_input(call, exc, text):
    with pytest.raises(exc, match=text):
        call()
