"""Policy sets and the importers from Python: the hand-worked timelines of the
library's tests (tests/test-sla-import.c) through the binding, and bad input."""

import datetime as dt
import pickle
from pathlib import Path

import pytest

import caremetrics as cm
from caremetrics import sla_policyset as ps
from caremetrics.sla import State

DATA = Path(__file__).resolve().parents[3] / "examples" / "data"


def at(day, hour, minute=0):
    """Monday 2025-01-06 is day 0."""
    return int(dt.datetime(2025, 1, 6 + day, hour, minute, tzinfo=dt.timezone.utc).timestamp())


def rec(records, metric, cycle):
    found = [r for r in records if r.metric == metric and r.cycle == cycle]
    assert len(found) == 1, (metric, cycle)
    return found[0]


@pytest.fixture(scope="module")
def jira():
    s = ps.PolicySet((DATA / "jira-sla.txt").read_text())
    t = ps.import_ticket("jira-issue", (DATA / "jira-issue.json").read_bytes())
    return s, t


def test_jira_five_priorities_and_custom_clocks(jira):
    s, t = jira
    assert s.levels == ["Lowest", "Low", "Medium", "High", "Highest"]
    assert s.policies == ["incidents", "requests"]
    assert s.metrics[-2:] == ["time-to-first-response", "time-to-resolution"]
    assert (t.id, len(t), t.skipped) == ("SUP-42", 23, 0)
    records = s.evaluate(t, now=at(0, 16))
    # Created 09:00 at Medium, first public agent comment 09:15: 15 min of 2 h.
    r = rec(records, "time-to-first-response", 1)
    assert (r.state, r.level, r.policy, r.elapsed, r.target) == (State.ACHIEVED, "Medium", "incidents", 900, 7200)
    # Raised to Highest; paused in the two waiting statuses; resolved after 4 h of 4 h
    # at 15:00, its 75 % warning at 13:00 (3 h counted).
    r = rec(records, "time-to-resolution", 1)
    assert (r.state, r.level, r.elapsed, r.target, r.stop) == (State.ACHIEVED, "Highest", 4 * 3600, 4 * 3600, at(0, 15))
    assert r.warnings == ((75, at(0, 13)),)
    assert not r.breached
    assert ps.next_alarm(records) is None  # nothing runs any more


def test_zendesk_audits_group_slas_and_next_alarm():
    s = ps.PolicySet((DATA / "zendesk-sla.txt").read_text())
    t = ps.import_ticket("zendesk-audits", (DATA / "zendesk-audits.json").read_text())
    assert (t.id, len(t)) == ("4711", 28)
    records = s.evaluate(t, now=dt.datetime(2025, 1, 7, 10, tzinfo=dt.timezone.utc))
    r = rec(records, "first-reply", 1)
    assert (r.state, r.policy, r.elapsed, r.target) == (State.ACHIEVED, "VIP", 45 * 60, 3600)
    # Group 360001 09:00-11:30: 2h30m of 2 h, breached at 11:00; then 360002.
    g1 = rec(records, "group-ownership", 1)
    assert (g1.state, g1.policy, g1.elapsed, g1.target, g1.due) == (State.BREACHED, "Group OLA", 150 * 60, 7200, at(0, 11))
    g2 = rec(records, "group-ownership", 2)
    assert (g2.state, g2.elapsed, g2.due) == (State.BREACHED, 150 * 60, at(0, 13, 30))
    assert g2.group_event is not None and g2.group_event > g1.group_event
    # Next reply #2 from the reopen Tuesday 09:00: its 75 % warning at 10:30 comes first.
    alarm = ps.next_alarm(records)
    assert alarm is not None
    assert (records[alarm.record].metric, records[alarm.record].cycle) == ("next-reply", 2)
    assert (alarm.at, alarm.warning) == (at(1, 10, 30), 75)


def test_records_frame(jira):
    pd = pytest.importorskip("pandas")
    s, t = jira
    records = s.evaluate(t, now=at(0, 16))
    df = ps.records_frame(records)
    assert len(df) == len(records)
    row = df[df.metric == "time-to-resolution"].iloc[0]
    assert row.state == "achieved"
    assert row.stop == pd.Timestamp("2025-01-06T15:00:00Z")
    assert pd.isna(df[df.metric == "first-reply"].iloc[0].due)


def test_jira_status_table_and_unknown_types():
    doc = (
        '{"key":"X-1","fields":{"created":"2025-01-06T09:00:00.000+0000",'
        '"status":{"name":"Triage"}},"changelog":{"histories":[]}}'
    )
    with pytest.raises(cm.ParseError) as e:
        ps.import_ticket("jira-issue", doc)
    assert (e.value.line, e.value.column) == (1, 82)
    assert "unknown Jira status" in str(e.value)
    assert len(ps.import_ticket("jira-changelog", doc, statuses={"Triage": "new"})) == 2  # creation, status
    z = (
        '{"audits":[{"id":1,"ticket_id":9,"created_at":"2025-01-06T09:00:00Z","author_id":5,'
        '"events":[{"type":"Create","field_name":"status","value":"new"},{"type":"Frobnicate"}]}]}'
    )
    with pytest.raises(cm.ParseError, match="unknown Zendesk audit event type"):
        ps.import_ticket("zendesk-audits", z)
    assert ps.import_ticket("zendesk-audits", z, skip_unknown=True).skipped == 1


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: ps.import_ticket("xml", b"{}"), "format = 'xml'"),
        (lambda: ps.import_ticket("jira-issue", 42), "data must be bytes or str"),
        (lambda: ps.import_ticket("jira-issue", b"{}", statuses={"A": "later"}), "statuses['A'] = 'later'"),
        (lambda: ps.import_ticket("jira-issue", b"{}", statuses={"A\0B": "open"}), "NUL"),
        (lambda: ps.import_ticket("jira-issue", b"{}", skip_unknown=1), "skip_unknown must be a bool"),
        (lambda: ps.PolicySet("policy p\n  first-reply * 1h calendar\0"), "NUL"),
        (lambda: ps.next_alarm([1]), "records[0] is not a Record"),
    ],
)
def test_bad_arguments(call, message):
    with pytest.raises(cm.InvalidArgumentError) as e:
        call()
    assert message in str(e.value)


def test_parse_and_import_errors_locate_the_fault(jira):
    s, t = jira
    with pytest.raises(cm.ParseError) as e:
        ps.PolicySet("policy p\n  when frobs are 3\n")
    assert e.value.line == 2
    with pytest.raises(cm.ParseError) as e:
        ps.import_ticket("zendesk-audits", '{"audits": [1,]}')
    assert e.value.line == 1 and e.value.column > 0
    with pytest.raises(cm.InvalidArgumentError, match="ticket must be a Ticket"):
        s.evaluate("SUP-42")
    with pytest.raises(cm.InvalidArgumentError):
        s.evaluate(t, now=at(0, 8))  # before the creation
    z = ps.PolicySet((DATA / "zendesk-sla.txt").read_text())
    closed = ps.import_ticket("zendesk-audits", (DATA / "zendesk-audits.json").read_bytes())
    closed.close()
    with pytest.raises(cm.InvalidArgumentError, match="closed"):
        z.evaluate(closed)


def test_pickle_and_business_calendar():
    text = "policy p\n  first-reply * 4h business 0\n"
    s = pickle.loads(pickle.dumps(ps.PolicySet(text)))
    assert s.calendars_needed == 1
    doc = (
        '{"audits":[{"id":1,"ticket_id":9,"created_at":"2025-01-10T16:30:00Z","author_id":5,'
        '"events":[{"type":"Create","field_name":"status","value":"new"},'
        '{"type":"Create","field_name":"priority","value":"normal"}]}]}'
    )
    t = ps.import_ticket("zendesk-audits", doc)
    with pytest.raises(cm.InvalidArgumentError, match="names 1 calendars, 0 given"):
        s.evaluate(t)
    cal = cm.Calendar((DATA / "office-hours.cal").read_text())
    # Friday 16:30 on Monday-Friday 09:00-17:00: 30 min Friday, due Monday 12:30.
    r = rec(s.evaluate(t, now=at(7, 10), calendars=[cal]), "first-reply", 1)
    assert (r.state, r.calendar, r.elapsed, r.due) == (State.ACTIVE, 0, 90 * 60, at(7, 12, 30))


JIRA_DICT = {
    "priorities": ["Lowest", "Low", "Medium", "High", "Highest"],
    "clocks": [
        {"name": "time-to-first-response", "start": ["created"], "stop": ["agent-reply"]},
        {
            "name": "time-to-resolution",
            "start": ["created"],
            "stop": [["set", "resolution"]],
            "pause": [["status", "is", "Waiting for customer", "Waiting for approval"]],
        },
    ],
    "policies": [
        {
            "name": "incidents",
            "when": [["type", "is", "[System] Incident"]],
            "targets": [
                {"metrics": "time-to-first-response", "levels": ["Highest", "High"], "duration": 1800},
                {"metrics": "time-to-first-response", "levels": ["Medium", "Low", "Lowest"], "duration": dt.timedelta(hours=2)},
                {"metrics": "time-to-resolution", "levels": "Highest", "duration": "4h", "warn": [75]},
                {"metrics": "time-to-resolution", "levels": ["High", "Medium"], "duration": "8h", "clock": "calendar", "warn": [75]},
            ],
        },
        {"name": "requests", "targets": [{"metrics": "time-to-first-response", "levels": "*", "duration": 8 * 3600}]},
    ],
}


def test_from_dict_reads_as_the_text(jira):
    s, t = jira
    d = ps.PolicySet.from_dict(JIRA_DICT)
    assert (d.levels, d.policies, d.metrics) == (s.levels, s.policies, s.metrics)
    for now in (at(0, 9, 10), at(0, 12), at(0, 16)):
        assert d.evaluate(t, now=now) == s.evaluate(t, now=now)
    again = pickle.loads(pickle.dumps(d))
    assert again.evaluate(t, now=at(0, 16)) == s.evaluate(t, now=at(0, 16))


def test_from_dict_errors_name_the_entry():
    with pytest.raises(cm.ParseError, match=r"policies\[0\]\.targets\[1\]: unknown priority"):
        ps.PolicySet.from_dict(
            {"policies": [{"name": "p", "targets": [
                {"metrics": "first-reply", "levels": "*", "duration": 60},
                {"metrics": "first-reply", "levels": "Urgent", "duration": 60},
            ]}]}
        )
    bad = [
        ({"polices": []}, "unknown keys ['polices']"),
        ({"policies": [{"name": "p", "when": [["group", "matches", "x"]]}]}, "policies[0].when[0][1] = 'matches'"),
        ({"policies": [{"name": "p", "when": [["group", "is"]]}]}, "policies[0].when[0]: is needs a value"),
        ({"policies": [{"name": "a\nb"}]}, "policies[0].name = 'a\\nb' must be non-empty, on one line"),
        ({"policies": [{"name": "p", "targets": [{"metrics": "first-reply", "duration": -5}]}]}, "targets[0].duration = -5 must be positive"),
        ({"policies": [{"name": "p", "targets": [{"metrics": "first-reply", "duration": 60, "clock": "weekly"}]}]}, "targets[0].clock = 'weekly'"),
        ({"policies": [{"name": "p", "targets": [{"metrics": "first-reply", "duration": 60, "warn": [300]}]}]}, "warn[0]"),
        ({"clocks": [{"name": "c", "start": [["opened"]]}]}, "clocks[0].start[0][0] = 'opened'"),
        ({"customer_reply_opens": "yes"}, "customer_reply_opens = 'yes' must be a bool"),
        ({"reopen": {"first-reply": "again"}}, "reopen['first-reply'] = 'again'"),
    ]
    for spec, message in bad:
        with pytest.raises(cm.InvalidArgumentError) as e:
            ps.PolicySet.from_dict(spec)
        assert message in str(e.value), (spec, str(e.value))


def test_calendar_history_mid_ticket():
    # 09:00-17:00 until Wednesday 2025-01-08, 08:00-18:00 from then. Created Tuesday 13:00,
    # 16 business hours: Tuesday 4 h, Wednesday 10 h, Thursday 08:00 + 2 h = due 10:00.
    # At Wednesday 12:00: 4 h + 4 h counted.
    team = cm.CalendarHistory("tz UTC\nmon-fri 09:00-17:00\nfrom 2025-01-08\ntz UTC\nmon-fri 08:00-18:00\n")
    assert team.elapsed(at(1, 13), at(2, 12)) == 8 * 3600
    assert team.add(at(1, 13), 16 * 3600) == at(3, 10)
    s = ps.PolicySet.from_dict(
        {"policies": [{"name": "team", "targets": [{"metrics": "total-resolution", "duration": 16 * 3600, "clock": ("history", 0)}]}]}
    )
    doc = (
        '{"audits":[{"id":1,"ticket_id":9,"created_at":"2025-01-07T13:00:00Z","author_id":5,'
        '"events":[{"type":"Create","field_name":"status","value":"new"},'
        '{"type":"Create","field_name":"priority","value":"normal"}]}]}'
    )
    t = ps.import_ticket("zendesk-audits", doc)
    with pytest.raises(cm.InvalidArgumentError, match="names 1 calendar histories, 0 given"):
        s.evaluate(t, now=at(2, 12))
    with pytest.raises(cm.InvalidArgumentError, match="histories\\[0\\] must be a CalendarHistory"):
        s.evaluate(t, now=at(2, 12), histories=["team"])
    r = rec(s.evaluate(t, now=at(2, 12), histories=[pickle.loads(pickle.dumps(team))]), "total-resolution", 1)
    assert (r.state, r.calendar, r.elapsed, r.due) == (State.ACTIVE, 0, 8 * 3600, at(3, 10))
