"""Forecasting from Python: intervals across DST, methods against statsmodels, staffing, pandas."""

import math
from pathlib import Path

import pytest

import caremetrics as cm
from caremetrics import forecast as fc

np = pytest.importorskip("numpy")

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "examples" / "data" / "sample-tickets.csv"


def test_intervals_follow_dst():
    cal = cm.Calendar("tz America/New_York\nmon-sun 00:00-24:00")
    spring = fc.intervals(cal, "2025-03-09", 1, 30)
    fall = fc.intervals(cal, (2025, 11, 2), 1, 30)
    assert (len(spring), len(fall)) == (46, 50)
    assert list(spring.slot[:6]) == [0, 1, 2, 3, 6, 7]
    assert list(fall.slot[:8]) == [0, 1, 2, 3, 2, 3, 4, 5]
    assert fall.start[0] == cm.parse_time("2025-11-02T04:00:00Z")
    assert set(fall.seconds) == {1800}
    office = cm.Calendar("tz UTC\nmon-fri 09:00-17:00")
    week = fc.intervals(office, "2025-01-06", 7, 60)
    assert int((week.open_seconds > 0).sum()) == 5 * 8


def test_counts_grid_and_back():
    cal = cm.Calendar("tz UTC\nmon-sun 00:00-24:00")
    iv = fc.intervals(cal, "2025-01-06", 1, 60)
    created = np.array(["2025-01-06T00:10:00", "2025-01-06T00:50:00", "2025-01-06T05:00:00"], dtype="datetime64[s]")
    h = iv.counts(created, ["phone", "chat", "phone"], [100.0, float("nan"), 300.0])
    assert h.channels == ["chat", "phone"]
    assert h.counted == 3
    assert h.arrivals.shape == (2, 24)
    assert h.arrivals[1, 0] == 1 and h.arrivals[1, 5] == 1 and h.arrivals[0, 0] == 1
    assert h.handle_sum[1, 5] == 300 and h.handled[0, 0] == 0  # NaN: not known
    grid, state = iv.grid(h.arrivals[1])
    assert list(state) == [fc.OBSERVED] * 24
    assert list(iv.from_grid(grid)) == list(h.arrivals[1])
    with pytest.raises(cm.InvalidArgumentError, match="channel"):
        iv.counts(created, ["phone"])
    with pytest.raises(cm.InvalidArgumentError):
        iv.counts(created, None, [1.0, -5.0, 2.0])


def test_model_defaults_and_errors():
    m = fc.model("holt-winters", 48)
    assert (m.weeks, m.trend, m.alpha) == (8, "none", 0.2)
    assert m.initial_size() == 9 and m.has_interval()
    assert not fc.model("median").has_interval()
    assert fc.model("taylor", 24, fit=False).fit == ()
    with pytest.raises(cm.InvalidArgumentError, match="method = 'arima'"):
        fc.model("arima")
    with pytest.raises(cm.InvalidArgumentError):
        fc.model("taylor", 7)  # 7 slots do not divide a day
    with pytest.raises(cm.OutOfRangeError):
        fc.model("taylor", 2**32)


statsmodels = pytest.importorskip("statsmodels.tsa.holtwinters")


@pytest.mark.parametrize("trend,damped,seasonal", [(None, False, "add"), ("add", True, "add"), ("add", False, "mul")])
def test_holt_winters_matches_statsmodels(trend, damped, seasonal):
    t = np.arange(49)
    y = 300 + 2 * t + 40 * np.sin(2 * np.pi * t / 7) + 5 * np.cos(1.7 * t)
    init = [300.0, 2.0, 0.0, 31.0, 39.0, 17.0, -17.0, -39.0, -31.0]
    if seasonal == "mul":
        init = [300.0, 2.0] + [1.0 + v / 300.0 for v in init[2:]]
    kw = dict(initialization_method="known", initial_level=init[0], initial_seasonal=init[2:])
    fit_kw = dict(smoothing_level=0.3, smoothing_seasonal=0.2, optimized=False)
    if trend:
        kw["initial_trend"] = init[1]
        fit_kw["smoothing_trend"] = 0.1
    if damped:
        fit_kw["damping_trend"] = 0.9
    res = statsmodels.ExponentialSmoothing(
        y, trend=trend, damped_trend=damped, seasonal=seasonal, seasonal_periods=7, **kw
    ).fit(**fit_kw)
    m = fc.model(
        "holt-winters", 1, weeks=1, fit=False, alpha=0.3, beta=0.1, gamma=0.2, phi=0.9,
        trend="damped" if damped else ("additive" if trend else "none"),
        seasonality="multiplicative" if seasonal == "mul" else "additive",
    )
    r = fc.fit(m, y, initial=init, fitted=True)
    assert r.fitted == pytest.approx(np.asarray(res.fittedvalues), rel=1e-9)
    assert r.sse == pytest.approx(res.sse, rel=1e-9)
    f = fc.predict(m, y, 14, initial=init, bounds=False)
    sm = np.asarray(res.forecast(14))
    keep = [k for k in range(14) if (k + 1) % 7]  # statsmodels 0.13 issue #9538 at 7 and 14
    assert f.point[keep] == pytest.approx(sm[keep], rel=1e-9)


def test_taylor_forecast_and_bounds():
    rng = np.random.default_rng(5)
    p, weeks = 24, 8
    t = np.arange(weeks * 7 * p)
    mean = 10 + 6 * np.sin(2 * np.pi * t / p) + np.where((t // p) % 7 >= 5, -3, 1)
    y = np.maximum(mean + rng.normal(0, 1.5, t.size), 0)
    f = fc.predict(fc.model("taylor", p), y, 7 * p)
    assert f.lo is not None and np.all(f.lo <= f.point) and np.all(f.point <= f.hi)
    truth = 10 + 6 * np.sin(2 * np.pi * (t[-1] + 1 + np.arange(7 * p)) / p) + np.where(
        ((t[-1] + 1 + np.arange(7 * p)) // p) % 7 >= 5, -3, 1
    )
    assert math.sqrt(np.mean((f.point - np.maximum(truth, 0)) ** 2)) < 1.0
    med = fc.predict(fc.model("median", p), y, p)
    assert med.lo is None
    with pytest.raises(cm.InvalidArgumentError):
        fc.predict(fc.model("median", p), y, p, bounds=True)
    with pytest.raises(cm.NoDataError):
        fc.predict(fc.model("taylor", p), y[: 10 * p], p)
    bad = y.copy()
    bad[3] = np.nan
    with pytest.raises(cm.InvalidArgumentError):
        fc.fit(fc.model("taylor", p), bad)
    with pytest.raises(cm.InvalidArgumentError, match="state"):
        fc.fit(fc.model("taylor", p), y, state=[0] * 5)


def test_evaluate_and_backtest():
    a = fc.evaluate([10, 20, 0, 5], [12, 15, 1, 5], train=[1, 2, 3, 4, 5, 6], season=2)
    assert (a.n, a.mae, a.bias, a.mase) == (4, 2.0, -0.5, 1.0)
    assert a.rmse == pytest.approx(math.sqrt(7.5)) and a.wmape == pytest.approx(8 / 35)
    assert fc.evaluate([0, 0], [1, 2]).wmape is None
    y = np.tile(np.arange(14, dtype=float) + 5, 8)
    bt = fc.backtest([fc.model("naive", 2), fc.model("mean", 2), fc.model("taylor", 2)], y, 2, criterion="mae")
    assert bt.best == 0 and bt.scores[0].mae == 0.0 and bt.scores[1].mae == 0.0  # a tie: the first
    assert bt.scores[2].n == 28
    with pytest.raises(cm.InvalidArgumentError, match="criterion"):
        fc.backtest([fc.model("naive", 2)], y, 2, criterion="best")


def test_staffing_seeds_and_chat():
    cal = cm.Calendar("tz UTC\nmon-sun 00:00-24:00")
    iv = fc.intervals(cal, "2025-01-06", 1, 60)
    vol = np.zeros(24)
    vol[9], vol[10] = 60, 300
    plan = fc.staffing_plan(iv, vol, np.full(24, 360.0), max_occupancy=1.0)
    assert (plan.agents[9], plan.agents[10], plan.agents[0]) == (9, 36, 0)
    assert round(100 * plan.service_level[9], 1) == 83.4
    assert plan.summary.peak_agents == 36 and plan.summary.agent_hours == pytest.approx(45)
    chat = fc.staffing_plan(iv, vol, np.full(24, 360.0), concurrency=2, max_occupancy=1.0)
    assert chat.agents[9] == 5
    with pytest.raises(cm.InvalidArgumentError):
        fc.staffing_plan(iv, vol, np.full(24, 360.0), concurrency=0)
    with pytest.raises(cm.InvalidArgumentError, match="queue"):
        fc.staffing_plan(iv, vol, np.full(24, 360.0), queue="erlang-x")


def test_forecast_frame_on_the_sample():
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(SAMPLE)
    out = fc.forecast_frame(df, days=3, method="mean", interval_minutes=60)
    assert set(out["channel"]) == {"phone", "chat", "email", "social", "messaging"}
    assert len(out) == 5 * 3 * 24
    assert str(out["start"].dt.tz) == "UTC"
    assert (out["volume"] >= 0).all() and (out["agents"] >= 0).all()
    assert out.attrs["methods"]["phone"] == "mean"
    # The weekly mean of the last 4 weeks, through the step-by-step API.
    cal = cm.Calendar("tz UTC\nmon-sun 00:00-24:00")
    hist = fc.intervals(cal, "2025-01-01", 364, 60)
    created = pd.to_datetime(df["created_at"], utc=True)
    h = hist.counts(created, df["channel"], df["handle_seconds"], channels=["phone"] + ["chat", "email", "social", "messaging"])
    y, state = hist.grid(h.arrivals[0])
    f = fc.predict(fc.model("mean", 24), y, 3 * 24)
    mine = out[out["channel"] == "phone"]["volume"].to_numpy()
    assert mine == pytest.approx(f.point, abs=1e-12)
