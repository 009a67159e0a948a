"""The KPI module from Python: seed examples, mpmath oracles, errors, merge, pickle, buffers."""

import array
import multiprocessing
import pickle

import pytest

import caremetrics as cm
import kpi_oracle  # tests/oracle/kpi_oracle.py: textbook formulas at 50 digits

np = pytest.importorskip("numpy")

REL = 1e-12  # the C test suite's tolerance for the same closed forms


def close(got, want):
    return got == pytest.approx(float(want), rel=REL, abs=1e-15)


# ---- seeds ---------------------------------------------------------------


def test_seed_fcr():
    p = cm.rate(200, 250)
    assert p.value == 0.8 and (p.num, p.den) == (200, 250)
    _, lo, hi = kpi_oracle.wilson(200, 250, "0.95")
    assert close(p.lo, lo) and close(p.hi, hi)


def test_seed_csat():
    acc = cm.Csat().add_many([5] * 50 + [4] * 30 + [3] * 10 + [1] * 10)
    r = acc.result()
    assert (r.satisfied.num, r.satisfied.den) == (80, 100)
    assert r.satisfied.value == 0.8
    assert r.mean == pytest.approx(4.1, rel=REL)


def test_seed_nps():
    acc = cm.Nps().add_many([9, 10] * 60 + [7, 8] * 20 + [0, 3, 6, 6] * 10)
    r = acc.result()
    assert (r.n, r.promoters, r.passives, r.detractors) == (200, 120, 40, 40)
    assert r.score == 40.0
    score, se, lo, hi = kpi_oracle.nps([0, 10, 0, 10, 0, 0, 20, 20, 20, 60, 60], "0.95")
    assert close(r.se, se) and close(r.lo, lo) and close(r.hi, hi)


def test_seed_art():
    assert cm.art_mean(500 * 60, 50) == 600.0
    r = cm.Art().add_many([300, 900] * 25).result()
    assert r.mean_seconds == 600.0 and r.n == 50


# ---- oracle tables ----------------------------------------------------------


@pytest.mark.parametrize("num,den,conf,_src", kpi_oracle.WILSON)
def test_wilson_matches_mpmath(num, den, conf, _src):
    p = cm.rate(num, den, float(conf))
    value, lo, hi = kpi_oracle.wilson(num, den, conf)
    assert close(p.value, value) and close(p.lo, lo) and close(p.hi, hi)


@pytest.mark.parametrize("counts,conf,_src", kpi_oracle.CES)
def test_ces_matches_mpmath(counts, conf, _src):
    k = len(counts)
    acc = cm.Ces(7, 5, 7) if k == 7 else cm.Ces(k, 1, 2)
    acc.add_many([s + 1 for s, c in enumerate(counts) for _ in range(c)])
    r = acc.result(float(conf))
    mean, sd, lo, hi = kpi_oracle.ces(counts, conf)
    assert close(r.mean, mean) and close(r.sd, sd) and close(r.lo, lo) and close(r.hi, hi)


# ---- errors ------------------------------------------------------------------


def test_errors_carry_status_and_message():
    with pytest.raises(cm.NoDataError) as info:
        cm.rate(0, 0)
    e = info.value
    assert e.status == cm.STATUS["CM_ENODATA"] and e.name == "CM_ENODATA"
    assert "no data" in str(e)
    assert isinstance(e, cm.CaremetricsError)


@pytest.mark.parametrize(
    "call,exc",
    [
        (lambda: cm.rate(3, 2), cm.InvalidArgumentError),
        (lambda: cm.rate(1, 2, float("nan")), cm.InvalidArgumentError),
        (lambda: cm.rate(1, 2, 1.0), cm.InvalidArgumentError),
        (lambda: cm.rate(-1, 2), cm.InvalidArgumentError),  # checked before ctypes could wrap it
        (lambda: cm.rate(2**64, 2**64), cm.OutOfRangeError),
        (lambda: cm.rate(1.5, 2), cm.InvalidArgumentError),
        (lambda: cm.rate("1", 2), cm.InvalidArgumentError),
        (lambda: cm.abandonment_rate(10, 11), cm.InvalidArgumentError),
        (lambda: cm.abandonment_rate(5, 5, 5), cm.NoDataError),
        (lambda: cm.Nps().add(11), cm.OutOfRangeError),
        (lambda: cm.Nps().add(-1), cm.OutOfRangeError),
        (lambda: cm.Csat().add(6), cm.OutOfRangeError),
        (lambda: cm.Csat(11, 4), cm.OutOfRangeError),
        (lambda: cm.Csat(5), cm.InvalidArgumentError),
        (lambda: cm.Ces(5, 3, 2), cm.OutOfRangeError),
        (lambda: cm.Csat().result(), cm.NoDataError),
        (lambda: cm.Art().add(-1), cm.InvalidArgumentError),
        (lambda: cm.Art().add(2**63), cm.OutOfRangeError),
        (lambda: cm.art_mean(10, 0), cm.NoDataError),
        (lambda: cm.Csat().merge(cm.Csat(10, 8)), cm.InvalidArgumentError),
        (lambda: cm.Csat().merge(cm.Nps()), cm.InvalidArgumentError),
        (lambda: cm.Nps.from_bytes(b"CM"), cm.ParseError),
        (lambda: cm.Nps.from_bytes(b""), cm.ParseError),
        (lambda: cm.Csat.from_bytes(cm.Nps().to_bytes()), cm.ParseError),
        (lambda: cm.Nps().add_many([1, None, 12]), cm.OutOfRangeError),
        (lambda: cm.Nps().add_many([1, 300]), cm.OutOfRangeError),
        (lambda: cm.Nps().add_many(np.array([1, 300])), cm.OutOfRangeError),
        (lambda: cm.Nps().add_many(np.array([1.5])), cm.InvalidArgumentError),
        (lambda: cm.Nps().add_many("123"), cm.InvalidArgumentError),
        (lambda: cm.Art().add_many([1, 1.5]), cm.InvalidArgumentError),
        (lambda: cm.abandonment_rate_many([1.0], [1, 0]), cm.InvalidArgumentError),
        (lambda: cm.abandonment_rate_many([float("nan")], [1]), cm.InvalidArgumentError),
    ],
)
def test_bad_input_raises(call, exc):
    with pytest.raises(exc):
        call()


def test_failed_add_many_leaves_accumulator_unchanged():
    acc = cm.Nps().add_many([10, 9])
    before = acc.to_bytes()
    with pytest.raises(cm.OutOfRangeError):
        acc.add_many([5, 11])
    assert acc.to_bytes() == before


def test_corrupt_bytes_rejected():
    good = cm.Ces().add_many([7, 6, 1]).to_bytes()
    for i in range(len(good)):
        bad = bytearray(good)
        bad[i] ^= 0x10
        with pytest.raises(cm.ParseError):
            cm.Ces.from_bytes(bytes(bad))
    for n in range(len(good)):
        with pytest.raises(cm.ParseError):
            cm.Ces.from_bytes(good[:n])


# ---- missing answers and buffers -------------------------------------------------


def test_missing_answers_skipped():
    acc = cm.Csat().add_many([5, None, 4, float("nan"), cm.SCORE_NONE])
    assert acc.counts == {4: 1, 5: 1}
    acc2 = cm.Csat().add_many(np.array([5, np.nan, 4]))
    assert acc2 == acc


def test_numpy_arrays_read_without_copy():
    from caremetrics import _convert as cv

    scores = np.array([1, 2, 3], dtype=np.uint8)
    view = cv.in_array(scores, "u8", "scores")
    assert not view.copied and view.address == scores.ctypes.data
    secs = np.arange(10, dtype=np.int64)
    view = cv.in_array(secs, "i64", "seconds")
    assert not view.copied and view.address == secs.ctypes.data
    flags = np.array([True, False])
    view = cv.in_array(flags, "u8", "flags")
    assert not view.copied and view.address == flags.ctypes.data
    waits = np.linspace(0, 1, 5)
    view = cv.in_array(waits, "f64", "waits")
    assert not view.copied and view.address == waits.ctypes.data
    # Other dtypes are converted once.
    view = cv.in_array(np.array([1, 2], dtype=np.int64), "u8", "scores")
    assert view.copied
    # Non-contiguous slices are converted, not misread.
    strided = np.arange(10, dtype=np.int64)[::2]
    assert cm.Art().add_many(strided).result().total_seconds == 0 + 2 + 4 + 6 + 8


def test_buffer_protocol_objects_without_copy():
    from caremetrics import _convert as cv

    a = array.array("B", [5, 4, 1])
    view = cv.in_array(a, "u8", "scores")
    assert not view.copied and view.address == a.buffer_info()[0]
    assert cm.Csat().add_many(a).counts == {1: 1, 4: 1, 5: 1}
    b = bytearray([10, 0])
    assert not cv.in_array(memoryview(b), "u8", "scores").copied
    assert cm.Nps().add_many(memoryview(b)).result().score == 0.0
    # Read-only buffers (bytes) are read in place too.
    assert not cv.in_array(bytes([1, 2]), "u8", "scores").copied
    q = array.array("q", [60, 120])
    assert not cv.in_array(q, "i64", "seconds").copied
    assert cm.Art().add_many(q).result().mean_seconds == 90.0


def test_abandonment_arrays_match_counts():
    # Hand: waits/flags as in the C suite: 3 of 5 after one short abandon.
    waits = np.array([1, 2, 10, 30, 3, 5], dtype=np.float64)
    gone = np.array([True, False, True, True, False, True])
    p = cm.abandonment_rate_many(waits, gone, short_abandon_seconds=5)
    assert (p.num, p.den) == (3, 5)
    assert p == cm.abandonment_rate(6, 4, 1)


# ---- merge, pickle, map-reduce ---------------------------------------------------


def test_merge_any_split_equals_whole():
    rng = np.random.default_rng(7)
    scores = rng.integers(0, 11, size=10_000).astype(np.uint8)
    whole = cm.Nps().add_many(scores)
    parts = np.array_split(scores, 13)
    merged = cm.Nps()
    for i in rng.permutation(len(parts)):
        merged += cm.Nps().add_many(parts[i])
    assert merged == whole
    assert sum((cm.Nps().add_many(p) for p in parts), cm.Nps()) == whole


def test_pickle_round_trip():
    for acc in (cm.Csat(10, 8).add_many([10, 1]), cm.Nps().add(9), cm.Ces().add(7), cm.Art().add(60)):
        back = pickle.loads(pickle.dumps(acc))
        assert back == acc and type(back) is type(acc)
        assert back.to_bytes() == acc.to_bytes()


def _partial_nps(chunk):
    return cm.Nps().add_many(chunk)


def test_multiprocessing_reduction_is_exact():
    rng = np.random.default_rng(11)
    scores = rng.integers(0, 11, size=50_000).astype(np.uint8)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        parts = pool.map(_partial_nps, np.array_split(scores, 8))
    total = cm.Nps()
    for p in parts:
        total += p
    assert total == cm.Nps().add_many(scores)
    assert total.result() == cm.Nps().add_many(scores).result()


def test_reprs():
    assert repr(cm.Nps().add(9)) == "Nps(n=1)"
    assert "Csat(" in repr(cm.Csat()) and "Ces(" in repr(cm.Ces()) and "Art(" in repr(cm.Art())
    assert "Proportion(num=1, den=2" in repr(cm.rate(1, 2))


# ---- cost per contact ------------------------------------------------------------


def seed_cost():
    # The seeds' month: phone 2,000 contacts (8 min), chat 3,000 (6 min), email 5,000 (8 min);
    # costs in cents: phone usage $320, chat tool $500, shared $55,625.
    c = cm.CostPerContact(["phone", "chat", "email"])
    c.add_contacts("phone", 2000, 960000).add_contacts("chat", 3000, 1080000).add_contacts("email", 5000, 2400000)
    c.add_cost("phone", 32000).add_cost("chat", 50000).add_cost("shared", 5562500)
    return c


def test_cost_per_contact_seed():
    r = seed_cost().result()
    assert r.total_cost == 5644500 and r.contacts == 10000
    assert r.per_contact == pytest.approx(564.45, rel=1e-15)
    by = {ch.channel: ch for ch in r.channels}
    assert by["phone"].per_contact == pytest.approx(572.25, rel=1e-15)
    assert by["email"].per_contact == pytest.approx(556.25, rel=1e-15)
    h = {ch.channel: ch for ch in seed_cost().result("handle_time").channels}
    assert h["phone"].per_contact == pytest.approx((32000 + 5562500 * 960000 / 4440000) / 2000, rel=1e-14)
    assert cm.cost_per_contact(5644500, 10000) == pytest.approx(564.45)


def test_cost_merge_pickle_errors():
    a = cm.CostPerContact(["phone", "chat"]).add_many(["phone", "chat", "phone"], [300, 200, 100])
    b = cm.CostPerContact(["phone", "chat"]).add("chat", 50).add_cost("shared", 900)
    total = a + b
    assert total.result().contacts == 4
    assert pickle.loads(pickle.dumps(total)) == total
    assert pickle.loads(pickle.dumps(total)).channels == ["phone", "chat"]
    with pytest.raises(cm.InvalidArgumentError):
        a.add_cost("phone", -1)
    with pytest.raises(cm.InvalidArgumentError, match="fax"):
        a.add("fax")
    with pytest.raises(cm.OutOfRangeError):
        a.add_contacts(16, 1)
    with pytest.raises(cm.NoDataError):
        cm.CostPerContact().result()
    with pytest.raises(cm.InvalidArgumentError):
        seed_cost().result("weight")
    pd = pytest.importorskip("pandas")
    df = seed_cost().to_frame()
    assert df.loc["phone", "per_contact"] == pytest.approx(572.25)
