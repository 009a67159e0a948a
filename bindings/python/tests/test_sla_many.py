"""SLA over a table of events (one library call) against the ticket-by-ticket path."""

import datetime as dt
from pathlib import Path

import pytest

import caremetrics as cm
from caremetrics import sla
from caremetrics.calendar import Calendar

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

DATA = Path(__file__).resolve().parents[3] / "examples" / "data"
NOW = pd.Timestamp("2025-07-01", tz="UTC")


@pytest.fixture(scope="module")
def setup():
    policy = sla.Policy((DATA / "sla-policy.txt").read_text())
    cal = Calendar((DATA / "office-hours.cal").read_text())
    t = pd.read_csv(DATA / "sample-tickets.csv", parse_dates=["created_at", "first_reply_at", "solved_at"])
    t = t[t.created_at < NOW].head(600)
    parts = [
        pd.DataFrame({"ticket": t.ticket_id, "at": t.created_at, "type": "created", "value": t.priority}),
        pd.DataFrame({"ticket": t.ticket_id, "at": t.first_reply_at, "type": "agent-reply", "value": None}),
        pd.DataFrame({"ticket": t.ticket_id, "at": t.solved_at, "type": "status", "value": "solved"}),
    ]
    events = pd.concat(parts).dropna(subset=["at"])
    events = events[events["at"] <= NOW]
    return policy, cal, events


def one_by_one(events):
    for ticket, log in events.groupby("ticket", sort=False):
        yield ticket, [
            sla.Event(
                int(row.at.timestamp()),
                sla.EVENT_TYPE_NAMES[row.type],
                0 if row.value is None or row.value != row.value else (sla.PRIORITY_NAMES.index(row.value) if row.value in sla.PRIORITY_NAMES else sla.STATUS_NAMES.index(row.value)),
            )
            for row in log.sort_values("at", kind="stable").itertuples()
        ]


def test_evaluate_many_equals_evaluate(setup):
    policy, cal, events = setup
    frame = sla.evaluate_many(policy, events.sample(frac=1, random_state=3), NOW, [cal])  # shuffled rows
    now = int(NOW.timestamp())
    by_ticket = dict(tuple(frame.groupby("ticket", sort=False)))
    for ticket, log in one_by_one(events):
        want = sla.evaluate(policy, log, now, [cal])
        got = by_ticket[ticket]
        assert len(got) == len(want)
        for row, inst in zip(got.itertuples(), want):
            assert row.metric == sla.METRIC_NAMES[inst.metric] and row.state == sla.STATE_NAMES[inst.state]
            assert row.priority == sla.PRIORITY_NAMES[inst.priority] and row.cycle == inst.cycle
            assert (row.elapsed, row.target, row.remaining, row.breached) == (inst.elapsed, inst.target, inst.remaining, inst.breached)
            for name in ("start", "stop", "due", "breach"):
                value = getattr(row, name)
                expect = getattr(inst, name)
                assert (pd.isna(value) and expect is None) or int(value.timestamp()) == expect
            assert (pd.isna(row.calendar) and inst.calendar is None) or row.calendar == inst.calendar


def test_attainment_add_many_equals_add(setup):
    policy, cal, events = setup
    now = int(NOW.timestamp())
    single = sla.Attainment()
    for _, log in one_by_one(events):
        single.add(policy, log, now, [cal])
    many = sla.Attainment().add_many(policy, events, NOW, [cal])
    assert many == single
    # The same table with codes instead of names, Unix seconds and renamed columns.
    coded = pd.DataFrame(
        {
            "id": events.ticket.to_numpy(),
            "t": events["at"].astype("int64").to_numpy() // 10**9,
            "kind": events.type.map(sla.EVENT_TYPE_NAMES).to_numpy(),
            "v": [0 if not isinstance(v, str) else (sla.PRIORITY_NAMES.index(v) if v in sla.PRIORITY_NAMES else sla.STATUS_NAMES.index(v)) for v in events.value],
        }
    )
    again = sla.Attainment().add_many(policy, coded, now, [cal], ticket="id", at="t", type="kind", value="v")
    assert again == single
    frame = many.to_frame()
    fr = single.result(sla.Metric.FIRST_REPLY, sla.ALL_PRIORITIES)
    assert frame.loc[("first-reply", "all"), "achieved"] == fr.achieved
    assert frame.loc[("first-reply", "all"), "value"] == fr.attained.value


def test_plain_columns_without_dataframe():
    policy = sla.Policy("first-reply * 1h calendar\n")
    t0 = int(dt.datetime(2025, 1, 6, 9, tzinfo=dt.timezone.utc).timestamp())
    events = {
        "ticket": np.array([7, 7, 8]),
        "at": np.array([t0, t0 + 600, t0], dtype=np.int64),
        "type": np.array([1, 3, 1]),
        "value": np.array([2, 0, 4]),
    }
    frame = sla.evaluate_many(policy, events, t0 + 7200)
    fr = frame[frame.metric == "first-reply"]
    assert list(fr.ticket) == [7, 8] and list(fr.state) == ["achieved", "active"] and list(fr.breached) == [False, True]
    assert fr.iloc[0].stop == t0 + 600 and pd.isna(fr.iloc[1].stop)  # Unix seconds, NA for none
    assert fr.iloc[1].breach == t0 + 3600
    acc = sla.Attainment().add_many(policy, events, t0 + 7200)
    r = acc.result(sla.Metric.FIRST_REPLY)
    assert (r.achieved, r.breached) == (1, 1)


@pytest.mark.parametrize(
    "events,message",
    [
        ({"ticket": ["a", "b"], "at": [10, 20], "type": ["created", "agent-reply"], "value": ["high", None]}, r"ticket 'b'"),
        ({"ticket": ["a"], "at": [10], "type": ["opened"]}, r"type has 'opened', which is none of"),
        ({"ticket": ["a"], "at": [10], "type": ["created"], "value": ["pending"]}, r"value\[0\] = 'pending' does not fit an event of type created"),
        ({"ticket": ["a"], "at": [10], "type": ["created"], "value": ["soon"]}, r"neither a priority"),
        ({"ticket": ["a", None], "at": [10, 20], "type": ["created", "created"]}, r"ticket\[1\] is missing"),
        ({"ticket": ["a"], "at": [10]}, r"events has no type column 'type'"),
        ({"ticket": ["a", "a"], "at": [10], "type": ["created", "created"]}, r"differ in length"),
        ({"ticket": ["a"], "at": [10], "type": [70000]}, r"type\[0\] = 70000 is outside 0 \.\. 65535"),
    ],
)
def test_bad_tables_name_the_problem(events, message):
    policy = sla.Policy("first-reply * 1h calendar\n")
    with pytest.raises(cm.CaremetricsError, match=message):
        sla.evaluate_many(policy, events, 100)
    acc = sla.Attainment()
    before = acc.to_bytes()
    with pytest.raises(cm.CaremetricsError, match=message):
        acc.add_many(policy, events, 100)
    assert acc.to_bytes() == before
