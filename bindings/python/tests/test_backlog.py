"""Backlog from Python: the hand example, business time, merging, bytes, pickle, pandas."""

import pickle

import pytest

import caremetrics as cm

DAY = 86400
DAYS = [1735776000, 1735862400, 1735948800]  # 2 to 4 January 2025, 00:00 UTC


def hand_backlog():
    d0 = DAYS[0]
    b = cm.Backlog(DAYS, [DAY, 3 * DAY])
    b.add(d0 - 2 * DAY)  # still open
    b.add(d0 - DAY // 2, d0 + DAY // 2)
    b.add(d0 + DAY, d0 + 2 * DAY)
    b.add(d0 + DAY // 4, d0 + DAY // 4)
    b.add(d0 + 3 * DAY)
    return b


def test_hand_example():
    b = hand_backlog()
    p = [b.snapshot(j) for j in range(3)]
    assert [x.open for x in p] == [2, 2, 1]
    assert [x.created for x in p] == [2, 2, 0]
    assert [x.solved for x in p] == [0, 2, 1]
    assert p[1].age_min == 0 and p[1].age_max == 3 * DAY and p[1].age_mean == 1.5 * DAY
    assert b.buckets(1) == [1, 0, 1]
    q = b.quantiles(1, [0.0, 1.0])
    assert q == [0.0, 3.0 * DAY]


def test_columns_groups_and_merge():
    created = [DAYS[0] - 100, DAYS[0] - 5000, DAYS[1] - 10, DAYS[1] + 10]
    solved = [None, DAYS[1], None, DAYS[2] + 1]
    groups = [0, 1, 1, 0]
    a = cm.Backlog(DAYS, [3600], groups=2).add_many(created, solved, groups)
    b = cm.Backlog(DAYS, [3600], groups=2)
    for c, s, g in zip(created, solved, groups):
        b.add(c, s, g)
    assert a == b
    all_ = a.snapshot(1, None)
    assert all_.open == a.snapshot(1, 0).open + a.snapshot(1, 1).open
    half = cm.Backlog(DAYS, [3600], groups=2).add_many(created[:2], solved[:2], groups[:2])
    rest = cm.Backlog(DAYS, [3600], groups=2).add_many(created[2:], solved[2:], groups[2:])
    half.merge_bytes(rest.to_bytes())
    assert half == a
    assert pickle.loads(pickle.dumps(a)) == a
    c = cm.Backlog.from_bytes(a.to_bytes())
    assert c.age_bounds == (3600,) and c.snapshots == tuple(DAYS) and c.groups == 2


def test_business_time():
    cal = cm.Calendar("tz UTC\nmon-fri 09:00-17:00")
    b = cm.Backlog(DAYS, [8 * 3600], calendar=cal)
    b.add(DAYS[0] - 3 * DAY)  # Monday 30 Dec 2024 00:00
    p = b.snapshot(2)  # Saturday 4 Jan 00:00: Mon, Tue, Thu, Fri are open (1 Jan is not a holiday here)
    assert p.age_max == cal.elapsed(DAYS[0] - 3 * DAY, DAYS[2])
    with pytest.raises(TypeError):
        pickle.dumps(b)
    again = cm.Backlog.from_bytes(b.to_bytes(), cal)
    assert again == b
    with pytest.raises(cm.InvalidArgumentError):
        cm.Backlog.from_bytes(b.to_bytes())


def test_errors():
    with pytest.raises(cm.InvalidArgumentError):
        cm.Backlog([DAYS[1], DAYS[0]])
    with pytest.raises(cm.OutOfRangeError):
        cm.Backlog([])
    b = cm.Backlog(DAYS)
    with pytest.raises(cm.InvalidArgumentError):
        b.add(100, 99)
    with pytest.raises(cm.OutOfRangeError):
        b.add(100, 200, group=1)
    with pytest.raises(cm.OutOfRangeError):
        b.snapshot(3)
    with pytest.raises(cm.NoDataError):
        b.quantiles(0)
    with pytest.raises(cm.InvalidArgumentError):
        b.add_many([1, 2], [3])
    with pytest.raises(cm.InvalidArgumentError):
        cm.Backlog(DAYS, sketch=False).add(DAYS[0] - 5).quantiles(0)
    assert b.tickets == 0


def test_to_frame():
    pytest.importorskip("pandas")
    df = hand_backlog().to_frame(qs=(0.5,))
    assert list(df["open"]) == [2, 2, 1]
    assert list(df.columns[-4:]) == ["age<86400", "age<259200", "age>=259200", "age_q0.5"]
