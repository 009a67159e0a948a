"""Control limits and run rules from Python on hand-made series."""

import pytest

import caremetrics as cm
from caremetrics import spc


def test_individuals_limits_by_hand():
    # Series 10, 12, 11, 13: mean 11.5; moving ranges 2, 1, 2 -> MRbar 5/3;
    # sigma = (5/3) / 1.128; limits 11.5 +- 3 sigma.
    lim = spc.individuals([10, 12, 11, 13])
    assert lim.center == pytest.approx(11.5, rel=1e-15)
    assert lim.mr_bar == pytest.approx(5 / 3, rel=1e-15)
    assert lim.sigma == pytest.approx(5 / 3 / 1.128, rel=1e-15)
    assert lim.ucl == pytest.approx(11.5 + 3 * 5 / 3 / 1.128, rel=1e-15)


def test_seed_three_intervals_above_90_seconds():
    # Chat first response per interval; the 3rd consecutive point above 90 s fires (index 5).
    series = [60, 95, 70, 91, 92, 93, 80]
    sig = spc.evaluate(series, rules=spc.Rule.ABOVE_THRESHOLD, threshold=90, level_run=3)
    assert [(s.index, s.rule, s.side) for s in sig] == [(5, spc.Rule.ABOVE_THRESHOLD, 1)]


def test_beyond_three_sigma_with_given_limits():
    lim = spc.Limits(center=10, sigma=1, lcl=7, ucl=13, mr_bar=1.128, mr_ucl=3.685)
    sig = spc.evaluate([10, 10.5, 13.5, 9], limits=lim, rules=spc.Rule.BEYOND_3SIGMA)
    assert [(s.index, s.side) for s in sig] == [(2, 1)]


def test_p_chart_by_hand():
    # 8/10, 9/10, 7/10: pbar = 24/30 = 0.8; each limit 0.8 +- 3 sqrt(0.8 * 0.2 / 10), clipped to [0, 1].
    pc = spc.p_chart([8, 9, 7], [10, 10, 10])
    assert pc.center == pytest.approx(0.8, rel=1e-15)
    half = 3 * (0.8 * 0.2 / 10) ** 0.5
    assert list(pc.lcl) == pytest.approx([0.8 - half] * 3, rel=1e-14)
    assert list(pc.ucl) == [1.0, 1.0, 1.0]


def test_many_signals_grow_the_buffer():
    # 200 points above the centre of a given baseline: the same-side rule fires at points 7..199.
    lim = spc.Limits(center=0, sigma=1000, lcl=-3000, ucl=3000, mr_bar=0, mr_ucl=0)
    sig = spc.evaluate([1.0] * 200, limits=lim, rules=spc.Rule.SAME_SIDE)
    assert [s.index for s in sig] == list(range(7, 200))


@pytest.mark.parametrize(
    "call,exc",
    [
        (lambda: spc.individuals([]), cm.NoDataError),
        (lambda: spc.individuals([1.0, float("nan")]), cm.InvalidArgumentError),
        (lambda: spc.p_chart([11], [10]), cm.InvalidArgumentError),
        (lambda: spc.p_chart([1, 2], [10]), cm.InvalidArgumentError),
        (lambda: spc.p_chart([-1], [10]), cm.InvalidArgumentError),
    ],
)
def test_spc_bad_input(call, exc):
    with pytest.raises(exc):
        call()
