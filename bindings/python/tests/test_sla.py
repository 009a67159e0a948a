"""SLA replay and attainment from Python; expected instants worked by hand (zoneinfo for UTC)."""

import datetime as dt
import pickle

import pytest

import caremetrics as cm
from caremetrics.calendar import Calendar
from caremetrics.sla import (
    ALL_PRIORITIES,
    Attainment,
    Event,
    EventType,
    Metric,
    Policy,
    Priority,
    State,
    Status,
    Target,
    evaluate,
)


def utc(y, mo, d, h=0, mi=0):
    return int(dt.datetime(y, mo, d, h, mi, tzinfo=dt.timezone.utc).timestamp())


POLICY = """
first-reply       normal  4h   business
first-reply       high    2h   calendar
total-resolution  normal  24h  calendar
"""
WEEKDAYS = "tz UTC\nmon-fri 09:00-17:00\n"


def first(instances, metric):
    return next(i for i in instances if i.metric == metric)


def test_friday_afternoon_first_reply_due_monday():
    # Created Friday 2025-03-07 16:30: 30 business minutes on Friday, 3.5 h on Monday.
    cal = Calendar(WEEKDAYS)
    created = utc(2025, 3, 7, 16, 30)
    events = [Event(created, EventType.CREATED, Priority.NORMAL)]
    fr = first(evaluate(Policy(POLICY), events, now=created + 60, calendars=[cal]), Metric.FIRST_REPLY)
    assert fr.state == State.ACTIVE and fr.due == utc(2025, 3, 10, 12, 30)
    assert fr.target == 4 * 3600 and fr.elapsed == 60 and fr.remaining == 4 * 3600 - 60
    # Replied Monday 13:00: 4 h 30 min of business time, breached at the due instant.
    events.append(Event(utc(2025, 3, 10, 13), EventType.AGENT_REPLY))
    fr = first(evaluate(Policy(POLICY), events, now=utc(2025, 3, 11), calendars=[cal]), Metric.FIRST_REPLY)
    assert fr.state == State.BREACHED and fr.breached and fr.breach == utc(2025, 3, 10, 12, 30)
    assert fr.elapsed == 4 * 3600 + 1800 and fr.stop == utc(2025, 3, 10, 13)


def test_priority_change_swaps_the_target():
    # Created 10:00 normal (total resolution 24 h calendar); the first reply is high at
    # 11:00: 2 h calendar from creation -> due 12:00.
    cal = Calendar(WEEKDAYS)
    t0 = utc(2025, 3, 4, 10)
    events = [Event(t0, EventType.CREATED, Priority.NORMAL), Event(t0 + 3600, EventType.PRIORITY, Priority.HIGH)]
    fr = first(evaluate(Policy(POLICY), events, now=t0 + 3600, calendars=[cal]), Metric.FIRST_REPLY)
    assert fr.priority == Priority.HIGH and fr.due == utc(2025, 3, 4, 12) and fr.calendar is None


def test_bot_reply_does_not_count_and_no_priority_has_no_sla():
    cal = Calendar(WEEKDAYS)
    t0 = utc(2025, 3, 4, 10)
    events = [Event(t0, EventType.CREATED, Priority.HIGH), Event(t0 + 60, EventType.AGENT_REPLY, flags=cm.sla.AUTOMATED)]
    fr = first(evaluate(Policy(POLICY), events, now=t0 + 120, calendars=[cal]), Metric.FIRST_REPLY)
    assert fr.state == State.ACTIVE
    none = evaluate(Policy(POLICY), [Event(t0, EventType.CREATED, Priority.NONE)], now=t0 + 60, calendars=[cal])
    assert all(i.state == State.NOT_APPLICABLE for i in none)


def test_attainment_merge_and_pickle():
    cal = Calendar(WEEKDAYS)
    pol = Policy.from_targets([Target(Metric.FIRST_REPLY, Priority.HIGH, 3600)])
    assert pol.target(Metric.FIRST_REPLY, Priority.HIGH) == Target(Metric.FIRST_REPLY, Priority.HIGH, 3600)
    assert pol.target(Metric.FIRST_REPLY, Priority.LOW) is None
    a, b = Attainment(), Attainment()
    t0 = utc(2025, 3, 4, 10)
    for k, reply in enumerate([600, 1800, 5400, 3600]):  # the last is exactly on time
        acc = a if k % 2 == 0 else b
        acc.add(pol, [(t0, EventType.CREATED, Priority.HIGH), (t0 + reply, EventType.AGENT_REPLY)], now=t0 + 86400, calendars=[cal])
    total = a + b
    r = total.result(Metric.FIRST_REPLY, Priority.HIGH)
    assert (r.achieved, r.breached, r.open) == (3, 1, 0)
    assert r.attained.value == 0.75 and r.mean_seconds == (600 + 1800 + 5400 + 3600) / 4
    assert total.result(Metric.FIRST_REPLY, ALL_PRIORITIES).achieved == 3
    assert pickle.loads(pickle.dumps(total)) == total


@pytest.mark.parametrize(
    "call,exc",
    [
        (lambda: Policy("first-reply normal 4 hours business"), cm.ParseError),
        (lambda: Policy.from_targets([Target(Metric.FIRST_REPLY, Priority.HIGH, 0)]), cm.InvalidArgumentError),
        (lambda: evaluate(Policy(POLICY), [(10, EventType.CREATED, 2), (5, EventType.AGENT_REPLY)], now=20), cm.InvalidArgumentError),
        (lambda: evaluate(Policy(POLICY), [(10, 99, 0)], now=20), cm.InvalidArgumentError),
        (lambda: evaluate(Policy(POLICY), [(10, EventType.CREATED, 2)], now=20, calendars=[]), cm.CaremetricsError),
        (lambda: Attainment().result(Metric.FIRST_REPLY, Priority.HIGH), cm.NoDataError),
    ],
)
def test_sla_bad_input(call, exc):
    with pytest.raises(exc):
        call()


def test_parse_error_position():
    with pytest.raises(cm.ParseError) as info:
        Policy("first-reply normal 4h calendar\nfirst-reply sooner 1h calendar\n")
    assert info.value.line == 2
