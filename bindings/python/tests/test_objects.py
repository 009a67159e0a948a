"""Objects that travel and objects that are shared: pickling (pickle and cloudpickle),
close() under concurrent use, and bad text or types that must not slip through."""

import datetime as dt
import pickle
import threading

import pytest

import caremetrics as cm
from caremetrics import sla
from caremetrics.calendar import Calendar, TimeZone
from caremetrics.contact import Contacts

np = pytest.importorskip("numpy")

try:
    import cloudpickle
except ImportError:  # pragma: no cover - Debian: python3-cloudpickle
    cloudpickle = None

PICKLERS = [pytest.param(pickle, id="pickle"), pytest.param(cloudpickle, id="cloudpickle", marks=pytest.mark.skipif(cloudpickle is None, reason="python3-cloudpickle is not installed"))]

WEEKDAYS = "tz America/New_York\nmon-fri 09:00-17:00\n2025-12-25 closed\n"
T0 = int(dt.datetime(2025, 3, 7, 21, 30, tzinfo=dt.timezone.utc).timestamp())  # Friday 16:30 EST


def accumulators():
    t0 = T0
    pol = sla.Policy("first-reply * 4h business\ntotal-resolution * 24h calendar\n")
    att = sla.Attainment().add(pol, [(t0, sla.EventType.CREATED, sla.Priority.HIGH), (t0 + 600, sla.EventType.AGENT_REPLY)], now=t0 + 3600, calendars=[Calendar(WEEKDAYS)])
    return [
        cm.Csat(10, 8).add_many([10, 1, 9]),
        cm.Nps().add_many([9, 0, 7]),
        cm.Ces().add_many([7, 2]),
        cm.Art().add_many([60, 600]),
        cm.Sketch().add_many([1.0, 2.5, 3600.0]),
        Contacts(20, 5).add(10.0, 300.0).add(30.0, 0.0, True),
        att,
    ]


@pytest.mark.parametrize("pickler", PICKLERS)
def test_every_accumulator_round_trips(pickler):
    for acc in accumulators():
        back = pickle.loads(pickler.dumps(acc))  # cloudpickle output is read by plain pickle
        assert type(back) is type(acc) and back == acc and back.to_bytes() == acc.to_bytes()
        # Still a working, independent accumulator.
        assert back.merge(acc) is back and back != acc


def _zones():
    with open("/usr/share/zoneinfo/Australia/Sydney", "rb") as f:
        tzif = f.read()
    return [
        TimeZone("Europe/London"),
        TimeZone("+05:30"),
        TimeZone.fixed(-3600),
        TimeZone.from_posix("EST5EDT,M3.2.0,M11.1.0"),
        TimeZone.from_tzif(tzif, "Australia/Sydney"),
    ]


@pytest.mark.parametrize("pickler", PICKLERS)
def test_time_zones_calendars_and_policies_round_trip(pickler):
    probes = [T0 + k * 86400 * 37 for k in range(12)]
    for tz in _zones():
        back = pickle.loads(pickler.dumps(tz))
        assert repr(back) == repr(tz)
        assert [back.utc_offset(t) for t in probes] == [tz.utc_offset(t) for t in probes]
    for cal in (Calendar(WEEKDAYS), Calendar("mon-fri 08:00-18:00", tz=_zones()[-1])):
        back = pickle.loads(pickler.dumps(cal))
        assert back.spec == cal.spec
        assert [back.add(t, 4 * 3600) for t in probes] == [cal.add(t, 4 * 3600) for t in probes]
    text = "first-reply urgent 1h calendar\nfirst-reply normal 4h business\n"
    built = sla.Policy.from_targets([sla.Target(sla.Metric.FIRST_REPLY, sla.Priority.HIGH, 3600, 0)])
    for pol in (sla.Policy(text), built):
        back = pickle.loads(pickler.dumps(pol))
        for m in sla.Metric:
            for p in sla.Priority:
                assert back.target(m, p) == pol.target(m, p)


@pytest.mark.skipif(cloudpickle is None, reason="python3-cloudpickle is not installed")
def test_cloudpickle_carries_no_ctypes_state():
    # A pickled object names a module-level restore function and plain data only.
    for obj in [*accumulators(), Calendar(WEEKDAYS), *_zones(), sla.Policy("first-reply * 1h calendar")]:
        data = cloudpickle.dumps(obj)
        assert b"ctypes" not in data and b"CDLL" not in data


def test_close_waits_for_running_calls():
    # elapsed_many releases the GIL in C; closing from another thread must neither free
    # the calendar under it nor let later calls through.
    cal = Calendar(WEEKDAYS)
    start = np.arange(T0, T0 + 400_000 * 60, 60, dtype=np.int64)
    end = start + 7 * 86400
    want = cal.elapsed_many(start[:1000], end[:1000])
    errors, results = [], []
    started = threading.Barrier(5)

    def work():
        started.wait()
        for _ in range(20):
            try:
                results.append(cal.elapsed_many(start, end)[:1000])
            except cm.InvalidArgumentError as e:
                errors.append(str(e))
                return

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    started.wait()
    cal.close()
    for t in threads:
        t.join()
    assert cal.closed
    assert all((r == want).all() for r in results)
    assert all("Calendar is closed" in e for e in errors)
    with pytest.raises(cm.InvalidArgumentError, match="closed"):
        cal.elapsed(0, 1)
    cal.close()  # twice is harmless


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: Calendar("tz UTC\x00\nmon-fri 09:00-17:00"), r"spec contains a NUL character at index 6"),
        (lambda: Calendar("tz UTC\nmon-fri 09:00-17:00 \ud800"), r"spec has a character that cannot be encoded"),
        (lambda: TimeZone("UTC\x00junk"), r"name contains a NUL"),
        (lambda: TimeZone.from_posix("EST5\x00"), r"rule contains a NUL"),
        (lambda: TimeZone.from_tzif("TZif2..."), r"data must be bytes, not str"),
        (lambda: TimeZone(5), r"name must be a str, not int"),
        (lambda: sla.Policy("first-reply * 4h calendar\x00\nfirst-reply urgent 1h calendar"), r"text contains a NUL"),
        (lambda: cm.parse_time("2025-01-01\x00"), r"text contains a NUL"),
        (lambda: sla.evaluate(sla.Policy("first-reply * 1h calendar"), [(0, 1, 2)], now=10, calendars=["cal"]), r"calendars\[0\] must be a Calendar or None"),
        (lambda: sla.evaluate(sla.Policy("first-reply * 1h calendar"), [(0,)], now=10), r"events\[0\]"),
        (lambda: sla.evaluate(sla.Policy("first-reply * 1h calendar"), [(0, "created")], now=10), r"events\[0\]\.type must be an integer"),
        (lambda: sla.Attainment().result("first-reply"), r"metric must be an integer"),
        (lambda: Contacts().service_level(9), r"variant = 9 is none of"),
        (lambda: cm.queue.erlang_b(30, -5), r"agents = -5 is outside 0 \.\. 4294967295"),
        (lambda: cm.queue.agents(traffic=30, aht_seconds=360, target_sl=80, target_seconds=20), r"target_sl = 80\.0 is outside \(0, 1\)"),
        (lambda: cm.rate(1, 2, 1.5), r"confidence = 1\.5 is outside \(0, 1\)"),
    ],
)
def test_bad_text_and_types_are_caremetrics_errors(call, message):
    with pytest.raises(cm.CaremetricsError, match=message):
        call()


def test_unused_calendar_may_be_none():
    # The policy measures first reply in calendar time: no calendar is needed, and a
    # None in the list is passed to the library as NULL, which it accepts.
    pol = sla.Policy("first-reply * 1h calendar\n")
    events = [(T0, sla.EventType.CREATED, sla.Priority.HIGH), (T0 + 600, sla.EventType.AGENT_REPLY)]
    fr = sla.evaluate(pol, events, now=T0 + 3600, calendars=[None])[0]
    assert fr.state == sla.State.ACHIEVED and fr.elapsed == 600
    with pytest.raises(cm.InvalidArgumentError):
        sla.evaluate(sla.Policy("first-reply * 1h business\n"), events, now=T0 + 3600, calendars=[None])


def test_datetimes_accepted_where_instants_are():
    cal = Calendar(WEEKDAYS)
    friday = dt.datetime(2025, 3, 7, 16, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert cal.add(friday, dt.timedelta(hours=4)) == cal.add(T0, 4 * 3600)
    assert cal.elapsed(friday, friday + dt.timedelta(days=3)) == cal.elapsed(T0, T0 + 3 * 86400)
