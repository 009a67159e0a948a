"""Erlang and workforce functions from Python: seed examples and the mpmath reference."""

import pytest

import caremetrics as cm
import queue_oracle  # tests/oracle/queue_oracle.py: 60-digit Erlang formulas
from caremetrics import queue as q

REL = 1e-12


@pytest.mark.parametrize("a,n", [(0.1, 1), (2.0, 3), (50.0, 60), (1000.0, 1040), (20000.0, 20150)])
def test_erlang_b_c_match_mpmath(a, n):
    b = queue_oracle.erlang_b(n, a)
    assert q.erlang_b(a, n) == pytest.approx(float(b), rel=REL)
    assert q.erlang_c(a, n) == pytest.approx(float(queue_oracle.erlang_c(n, a, b)), rel=REL)
    sl = queue_oracle.service_level(n, a, 300, 20)
    assert q.service_level(a, n, 300, 20) == pytest.approx(float(sl), rel=REL)
    assert q.asa(a, n, 300) == pytest.approx(float(queue_oracle.asa(n, a, 300)), rel=REL)


def test_seed_staffing_examples():
    # 60 calls/h x 6 min = 6 Erlangs, 80/20 -> 9 agents (SL 83.4 %).
    assert q.agents(6.0, 360, 0.8, 20) == 9
    assert round(100 * q.service_level(6.0, 9, 360, 20), 1) == 83.4
    # 300 calls/h x 6 min = 30 Erlangs -> 36 agents (84.8 %); 35 give 78.4 %.
    assert q.agents(30.0, 360, 0.8, 20) == 36
    assert round(100 * q.service_level(30.0, 36, 360, 20), 1) == 84.8
    assert round(100 * q.service_level(30.0, 35, 360, 20), 1) == 78.4
    # Erlang A with a 5-minute mean patience: 34 agents.
    assert q.erlang_a_agents(30.0, 360, 300, 0.8, 20) == 34


def test_seed_workforce():
    # 5,000 x 8 + 3,000 x 6 + 2,000 x 8 minutes = 74,000 min = 1,233.3 h.
    hours = q.workload_hours([5000, 3000, 2000], [480, 360, 480])
    assert hours == pytest.approx(74000 / 60, rel=1e-15)
    w = q.workforce_plan(hours, 0.85, 0.30, 8, 22)
    assert w.scheduled_hours == pytest.approx(74000 / 60 / 0.85 / 0.70, rel=1e-15)
    assert w.shifts == pytest.approx(w.scheduled_hours / 8, rel=1e-15)
    assert round(w.fte, 1) == 11.8


def test_staffing_plan_agrees_with_agents():
    plan = q.staffing_plan([60, 0, 300], [360, 360, 360], 3600, 0.8, 20)
    assert [p.agents for p in plan] == [9, 0, 36]
    assert plan[0].traffic == pytest.approx(6.0, rel=1e-15)


@pytest.mark.parametrize(
    "call,exc",
    [
        (lambda: q.erlang_c(10, 10), cm.UnstableQueueError),
        (lambda: q.erlang_b(float("nan"), 3), cm.InvalidArgumentError),
        (lambda: q.erlang_b(-1, 3), cm.InvalidArgumentError),
        (lambda: q.agents(10, 0, 0.8, 20), cm.InvalidArgumentError),
        (lambda: q.agents(10, 300, 1.0, 20), cm.InvalidArgumentError),
        (lambda: q.agents(10, 300, 0.8, 20, max_occupancy=0), cm.InvalidArgumentError),
        (lambda: q.erlang_b(1, -1), cm.InvalidArgumentError),
        (lambda: q.erlang_b(1, 2**32), cm.OutOfRangeError),
        (lambda: q.workload_hours([1, 2], [3]), cm.InvalidArgumentError),
    ],
)
def test_queue_bad_input(call, exc):
    with pytest.raises(exc):
        call()
