"""Interval counters and the six service-level definitions from Python."""

import pickle

import pytest

import caremetrics as cm
from caremetrics.contact import Contacts, SlVariant

np = pytest.importorskip("numpy")


def icmi_example():
    # 1,000 answered (860 within 20 s), 60 abandoned (20 within 20 s, 10 of them under 5 s).
    waits = [10.0] * 860 + [40.0] * 140 + [2.0] * 10 + [15.0] * 10 + [60.0] * 40
    gone = [False] * 1000 + [True] * 60
    return Contacts(20, 5).add_many(waits, [300.0] * 1060, gone)


@pytest.mark.parametrize(
    "variant,expected",
    [
        # The ICMI example; each value hand-computed in docs/contact.md.
        (SlVariant.ANSWERED_ONLY, 86.0),
        (SlVariant.ABANDONS_AGAINST, 81.1),
        (SlVariant.ABANDONS_BEFORE_T_IGNORED, 82.7),
        (SlVariant.ABANDONS_BEFORE_T_MET, 83.0),
        (SlVariant.SHORT_ABANDONS_MET, 82.1),
        (SlVariant.SHORT_ABANDONS_EXCLUDED, 81.9),
    ],
)
def test_icmi_service_levels(variant, expected):
    assert round(100 * icmi_example().service_level(variant), 1) == expected


def test_counts_feed_rate():
    c = icmi_example()
    num, den = c.service_level_counts(SlVariant.ANSWERED_ONLY)
    assert (num, den) == (860, 1000)
    assert cm.rate(num, den).value == 0.86


def test_merge_bytes_pickle():
    c = icmi_example()
    halves = Contacts(20, 5).add_many(np.full(500, 10.0), np.full(500, 300.0), np.zeros(500, bool))
    other = Contacts(20, 5).add_many(np.full(500, 10.0), np.full(500, 300.0), np.zeros(500, bool))
    assert (halves + other).offered == 1000
    assert pickle.loads(pickle.dumps(c)) == c
    assert Contacts.from_bytes(c.to_bytes()) == c
    assert c.asa() == pytest.approx((860 * 10 + 140 * 40) / 1000, rel=1e-12)
    assert c.aht() == pytest.approx(300.0, rel=1e-12)


@pytest.mark.parametrize(
    "call,exc",
    [
        (lambda: Contacts().add(-1), cm.InvalidArgumentError),
        (lambda: Contacts().add(float("nan")), cm.InvalidArgumentError),
        (lambda: Contacts().asa(), cm.NoDataError),
        (lambda: Contacts(20), cm.InvalidArgumentError),
        (lambda: Contacts(5, 20), cm.OutOfRangeError),
        (lambda: Contacts().add_many([1.0], [1.0, 2.0], [0]), cm.InvalidArgumentError),
        (lambda: Contacts().merge(Contacts(30, 5)), cm.InvalidArgumentError),
        (lambda: Contacts.from_bytes(b"\0" * 10), cm.ParseError),
    ],
)
def test_contact_bad_input(call, exc):
    with pytest.raises(exc):
        call()
