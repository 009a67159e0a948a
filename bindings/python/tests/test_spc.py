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


# Montgomery, Introduction to Statistical Quality Control, examples 9.1 and 9.2.
MONTGOMERY = [9.45, 7.99, 9.29, 11.66, 12.16, 10.18, 8.04, 11.46, 9.20, 10.34,
              9.03, 11.47, 10.51, 9.40, 10.08, 9.37, 10.62, 10.31, 8.52, 10.84,
              10.90, 9.33, 12.29, 11.50, 10.60, 11.08, 10.38, 11.62, 11.31, 10.52]


def test_cusum_montgomery():
    # k = 0.5, h = 5: C+ = 5.28 > 5 at period 29 and 5.30 at period 30.
    ch = spc.cusum(MONTGOMERY, center=10, sigma=1, k=0.5, h=5)
    assert [(s.index, s.rule, s.side) for s in ch.signals] == [(28, spc.Rule.CUSUM, 1), (29, spc.Rule.CUSUM, 1)]
    assert ch.values[28] == pytest.approx(5.28, abs=1e-12)
    assert ch.lower[1] == pytest.approx(1.56, abs=1e-12)


def test_ewma_montgomery():
    # lambda 0.1, L 2.7: limits 10 +- 0.27 at period 1; signals at periods 29 and 30.
    ch = spc.ewma(MONTGOMERY, center=10, sigma=1, lam=0.1, width=2.7)
    assert ch.values[0] == pytest.approx(9.945, abs=1e-12)
    assert ch.upper[0] == pytest.approx(10.27, abs=1e-12)
    assert ch.lower[0] == pytest.approx(9.73, abs=1e-12)
    assert [s.index for s in ch.signals] == [28, 29]
    assert all(s.rule == spc.Rule.EWMA and s.side == 1 for s in ch.signals)


def test_median_sigma_exclusion_and_revision():
    # Moving ranges 2, 1, 2, 1, 18: median 2, sigma 2 / 0.954.
    lim = spc.individuals([10, 12, 11, 13, 12, 30], sigma="median")
    assert lim.sigma == pytest.approx(2 / 0.954, rel=1e-15)
    assert lim.excluded is None
    # The 40 is beyond the first limits (UCL 25.35) and dropped: the rest has mean 11.6.
    lim = spc.individuals([10, 12, 11, 13, 12, 10, 12, 11, 13, 12, 40], max_rounds=5)
    assert lim.center == pytest.approx(11.6, rel=1e-15)
    assert lim.excluded == [0] * 10 + [2]
    lim = spc.individuals([10, 12, 11, 13, 12, 30], exclude=[False, False, True, False, False, False])
    assert lim.center == pytest.approx(77 / 5, rel=1e-15)
    assert lim.mr_bar == pytest.approx(7, rel=1e-15)


def test_laney_by_hand():
    # 50, 60, 40, 50 of 100: z = 0, 2, -2, 0; sigma_z = (8/3) / 1.128.
    ch = spc.laney_p_chart([50, 60, 40, 50], [100] * 4)
    assert ch.center == 0.5
    assert ch.sigma_z == pytest.approx(8 / 3 / 1.128, rel=1e-14)
    assert list(ch.ucl) == pytest.approx([0.5 + 0.4 / 1.128] * 4, rel=1e-14)
    sig = spc.laney_p_evaluate([50, 90], [100, 100], center=0.5, sigma_z=2.0, rules=spc.Rule.BEYOND_3SIGMA)
    assert [(s.index, s.side) for s in sig] == [(1, 1)]


# Weekly NHS accident-and-emergency attendances (den) and those seen within
# four hours (num), from Mohammed, Panesar, Laney, Wilson, BMJ Quality & Safety
# 22 (2013) 362-368, doi:10.1136/bmjqs-2012-001373 (qicharts2's nhs_accidents).
# Expected: qicharts2 0.8.1's P' chart of it, printed to 17 significant digits
# in test/fixtures/qicharts2.ts of
# https://github.com/AUS-DOH-Safety-and-Quality/PowerBI-SPC at commit
# d4bb4f6da41e163e8fb1fb0975ab4d9328120463 (case "nhs pp").
NHS_SEEN = [266501, 264225, 276532, 281461, 269071, 261215, 270409, 279778, 270483, 270320,
            267923, 271478, 255353, 256820, 261835, 259144, 255910, 260863, 264465, 260989]
NHS_ALL = [280443, 276823, 291681, 296155, 282343, 275888, 283867, 295251, 284468, 282529,
           279618, 283932, 266629, 268091, 276803, 271578, 266005, 273520, 278574, 273772]


def test_laney_published_nhs_accidents():
    ch = spc.laney_p_chart(NHS_SEEN, NHS_ALL)
    # Figures printed to 17 significant digits round-trip to the same double:
    # half a unit in the last printed digit is equality.
    assert ch.center == 0.95289971134419116
    assert list(ch.lcl[:3]) == [0.9401296441775141, 0.94004641862513627, 0.9403780655785402]
    assert ch.lcl[19] == 0.93997499652290417
    assert list(ch.ucl[:3]) == [0.96566977851086822, 0.96575300406324605, 0.96542135710984212]
    assert ch.ucl[19] == 0.96582442616547814


def test_nelson_trend():
    sig = spc.evaluate([0, 1, 2, 3, 4, 5], limits=spc.Limits(0, 100, -300, 300, 0, 0), rules=spc.Rule.TREND)
    assert [(s.index, s.rule, s.side) for s in sig] == [(5, spc.Rule.TREND, 1)]


@pytest.mark.parametrize(
    "call,exc,text",
    [
        (lambda: spc.ewma([1, 2], 0, 1, lam=0), cm.InvalidArgumentError, "lam"),
        (lambda: spc.ewma([1, 2], 0, 1, lam=1.5), cm.InvalidArgumentError, "lam"),
        (lambda: spc.ewma([1, 2], 0, 1, width=0), cm.InvalidArgumentError, "width"),
        (lambda: spc.ewma([1, 2], 0, float("nan")), cm.InvalidArgumentError, "sigma"),
        (lambda: spc.cusum([1, 2], 0, 1, k=-1), cm.InvalidArgumentError, "k"),
        (lambda: spc.cusum([1, 2], 0, 1, h=-1), cm.InvalidArgumentError, "h"),
        (lambda: spc.cusum([], 0, 1), cm.NoDataError, ""),
        (lambda: spc.individuals([1, 2], sigma="range"), cm.InvalidArgumentError, "sigma"),
        (lambda: spc.individuals([1, 2], exclude=[True]), cm.InvalidArgumentError, "exclude"),
        (lambda: spc.individuals([1, 2], max_rounds=-1), cm.InvalidArgumentError, "max_rounds"),
        (lambda: spc.individuals([1, 2, 3], exclude=[False, True, False]), cm.NoDataError, ""),
        (lambda: spc.laney_p_chart([1], [10]), cm.NoDataError, ""),
        (lambda: spc.laney_p_evaluate([1], [10], 0.1, -1.0), cm.InvalidArgumentError, "sigma_z"),
    ],
)
def test_charts_bad_input(call, exc, text):
    with pytest.raises(exc, match=text):
        call()
