"""KPI results as pandas Series and DataFrames; expected figures from pandas arithmetic
and the mpmath Wilson oracle, never from the binding."""

import math

import pytest

import caremetrics as cm
import kpi_oracle

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

REL = 1e-12


@pytest.fixture
def tickets():
    return pd.DataFrame(
        {
            "channel": pd.Categorical(["chat", "email", "chat", "chat", "email", "phone"], categories=["chat", "email", "phone", "social"]),
            "team": ["a", "a", "b", "b", "b", "a"],
            "csat": pd.array([5, 2, 4, pd.NA, 5, pd.NA], dtype="Int64"),
            "nps": [10, 9, 3, 7, None, None],
            "resolved_first": pd.array([True, False, True, None, True, False], dtype="boolean"),
            "first_reply": pd.to_timedelta([60, 600, 120, None, 3600, 30], unit="s"),
        }
    )


def test_csat_frame_per_channel(tickets):
    f = cm.csat_frame(tickets.groupby("channel").csat)
    assert list(f.index) == ["chat", "email", "phone", "social"] and f.index.name == "channel"
    assert list(f.columns) == ["value", "lo", "hi", "num", "den", "n", "mean"]
    # chat: answers 5, 4 -> 2 of 2 satisfied, mean 4.5; email: 2, 5 -> 1 of 2.
    assert f.loc["chat", ["num", "den", "n"]].tolist() == [2, 2, 2] and f.loc["chat", "mean"] == 4.5
    assert f.loc["email", ["num", "den"]].tolist() == [1, 2] and f.loc["email", "value"] == 0.5
    _, lo, hi = kpi_oracle.wilson(1, 2, "0.95")
    assert f.loc["email", "lo"] == pytest.approx(float(lo), rel=REL) and f.loc["email", "hi"] == pytest.approx(float(hi), rel=REL)
    # phone answered nothing; social has no tickets at all: NaN, counts 0, no exception.
    for empty in ("phone", "social"):
        assert math.isnan(f.loc[empty, "value"]) and f.loc[empty, "n"] == 0
    assert f["n"].dtype == np.int64 and f["value"].dtype == np.float64


def test_other_kpis_per_group(tickets):
    nps = cm.nps_frame(tickets.groupby(["team", "channel"], observed=True).nps)
    assert nps.index.names == ["team", "channel"]
    # team a chat: one 10 -> +100; team b chat: 3 and 7 -> (0 - 1) / 2 = -50.
    assert nps.loc[("a", "chat"), "value"] == 100.0 and nps.loc[("b", "chat"), "value"] == -50.0
    assert nps.loc[("b", "chat"), ["promoters", "passives", "detractors"]].tolist() == [0, 1, 1]
    fcr = cm.rate_frame(tickets.groupby("team").resolved_first)
    # a: True, False, False -> 1 of 3; b: True, NA, True -> 2 of 2.
    assert fcr.loc["a", ["num", "den"]].tolist() == [1, 3] and fcr.loc["b", ["num", "den"]].tolist() == [2, 2]
    art = cm.art_frame(tickets.groupby("team").first_reply)
    assert art.loc["a", "value"] == (60 + 600 + 30) / 3 and art.loc["b", "n"] == 2
    dist = cm.sketch_frame(tickets.groupby("team").first_reply, quantiles=[0.5, 0.999])
    assert list(dist.columns) == ["n", "p50", "p99.9", "mean", "min", "max"]
    assert dist.loc["b", "min"] == 120 and dist.loc["b", "max"] == 3600


def test_ungrouped_columns_give_series(tickets):
    s = cm.csat_frame(tickets.csat)
    assert isinstance(s, pd.Series) and s["num"] == 3 and s["den"] == 4
    assert cm.Csat().add_many(tickets.csat).to_series().equals(s)
    empty = cm.nps_frame(pd.Series([None, None], dtype="Float64"))
    assert empty["n"] == 0 and math.isnan(empty["value"])
    one = cm.Nps().add_many([10, 0]).to_frame()
    assert one.index.tolist() == ["nps"] and one.loc["nps", "value"] == 0.0
    assert cm.rate(3, 4).to_dict()["n"] == 4


def test_frame_errors(tickets):
    with pytest.raises(cm.InvalidArgumentError, match="one grouped column"):
        cm.csat_frame(tickets.groupby("channel"))
    with pytest.raises(cm.InvalidArgumentError, match=r"values\[0\] = 2 is not a boolean"):
        cm.rate_frame([2, 1])
    with pytest.raises(cm.OutOfRangeError):
        cm.csat_frame(pd.Series([6]).groupby(np.zeros(1)))
