"""Calendars from Python; expected instants from the standard library's zoneinfo."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

import caremetrics as cm
from caremetrics.calendar import Calendar, TimeZone

np = pytest.importorskip("numpy")

NY = ZoneInfo("America/New_York")


def local(y, mo, d, h=0, mi=0, zone=NY):
    return int(dt.datetime(y, mo, d, h, mi, tzinfo=zone).timestamp())


WEEKDAYS = "tz America/New_York\nmon-fri 09:00-17:00\n"


def test_friday_afternoon_plus_four_business_hours():
    # Friday 2025-03-07 16:30 + 4 business hours: 30 min on Friday, 3.5 h on Monday
    # -> Monday 12:30, after the DST change of Sunday 2025-03-09.
    cal = Calendar(WEEKDAYS)
    start = local(2025, 3, 7, 16, 30)
    due = cal.add(start, 4 * 3600)
    assert due == local(2025, 3, 10, 12, 30)
    assert cal.elapsed(start, due) == 4 * 3600
    assert cal.elapsed(due, start) == -4 * 3600


def test_dst_days_of_a_24x7_calendar():
    cal = Calendar("tz America/New_York\nmon-sun 00:00-24:00\n")
    assert cal.elapsed(local(2025, 3, 9), local(2025, 3, 10)) == 82800
    assert cal.elapsed(local(2025, 11, 2), local(2025, 11, 3)) == 90000


def test_holidays_and_queries():
    cal = Calendar(WEEKDAYS + "2025-12-25 closed\n")
    eve = local(2025, 12, 24, 16)
    assert cal.add(eve, 2 * 3600) == local(2025, 12, 26, 10)
    assert cal.is_open(local(2025, 12, 26, 9)) and not cal.is_open(local(2025, 12, 25, 12))
    assert cal.next_open(local(2025, 12, 25, 12)) == local(2025, 12, 26, 9)
    assert cal.next_close(local(2025, 12, 26, 9)) == local(2025, 12, 26, 17)
    assert cal.add_days(local(2025, 12, 24, 10), 1) == local(2025, 12, 26, 10)
    # pandas' convention rolls a result landing on a closing to the next opening.
    assert cal.add(local(2025, 12, 26, 9), 8 * 3600) == local(2025, 12, 26, 17)
    assert cal.add_roll(local(2025, 12, 26, 9), 8 * 3600) == local(2025, 12, 29, 9)


def test_arrays_and_properties():
    cal = Calendar(WEEKDAYS)
    rng = np.random.default_rng(9)
    start = rng.integers(local(2024, 1, 1), local(2026, 1, 1), size=5000, dtype=np.int64)
    secs = rng.integers(0, 40 * 3600, size=5000, dtype=np.int64)
    due = cal.add_many(start, secs)
    assert isinstance(due, np.ndarray) and due.dtype == np.int64
    assert (cal.elapsed_many(start, due) == secs).all()
    assert [cal.add(int(s), int(n)) for s, n in zip(start[:50], secs[:50])] == list(due[:50])
    from caremetrics import _convert as cv

    view = cv.in_array(start, "i64", "start")
    assert not view.copied and view.address == start.ctypes.data


def test_time_zones():
    tz = TimeZone("Europe/London")
    t = local(2025, 7, 1, 12, zone=ZoneInfo("Europe/London"))
    assert tz.utc_offset(t) == 3600
    assert tz.to_local(t) == (2025, 7, 1, 12, 0, 0)
    assert tz.from_local(2025, 7, 1, 12) == t
    assert TimeZone.fixed(19800).utc_offset(0) == 19800
    assert TimeZone("+05:30").utc_offset(0) == 19800
    ny = TimeZone.from_posix("EST5EDT,M3.2.0,M11.1.0")
    assert ny.utc_offset(local(2025, 7, 1)) == -4 * 3600
    with open("/usr/share/zoneinfo/Australia/Sydney", "rb") as f:
        syd = TimeZone.from_tzif(f.read())
    assert syd.utc_offset(local(2025, 1, 15)) == 11 * 3600
    cal = Calendar("mon-fri 09:00-17:00\n", tz=syd)
    assert cal.is_open(local(2025, 1, 15, 10, zone=ZoneInfo("Australia/Sydney")))


@pytest.mark.parametrize(
    "spec,line,column",
    [
        ("mon-fri 9-17", 1, 9),
        ("tz America/New_York\nfun 09:00-17:00", 2, 1),
        ("mon 09:00-17:00\n2025-02-30 closed", 2, 9),  # points at the day
    ],
)
def test_parse_errors_locate_the_problem(spec, line, column):
    with pytest.raises(cm.ParseError) as info:
        Calendar(spec)
    assert (info.value.line, info.value.column) == (line, column)


def test_bad_input_and_lifetime():
    with pytest.raises(cm.NotFoundError):
        TimeZone("Mars/Olympus_Mons")
    with pytest.raises(cm.InvalidArgumentError):
        TimeZone("../../etc/passwd")
    with pytest.raises(cm.ParseError):
        TimeZone.from_tzif(b"TZif" + b"\0" * 40)
    cal = Calendar(WEEKDAYS)
    with pytest.raises(cm.InvalidArgumentError):
        cal.elapsed_many([1, 2], [3])
    with pytest.raises(cm.OutOfRangeError):
        cal.add(2**63, 1)
    with Calendar(WEEKDAYS) as c2:
        assert c2.elapsed(0, 0) == 0
    with pytest.raises(cm.InvalidArgumentError):
        c2.elapsed(0, 1)  # closed


def test_closed_dates_spec_from_dates():
    dates = [dt.date(2025, 7, 4), dt.datetime(2025, 12, 25, 15, 0), dt.date(2025, 7, 4)]
    spec = cm.closed_dates_spec(dates)
    assert spec == "2025-07-04 closed\n2025-12-25 closed\n"
    cal = Calendar(WEEKDAYS + spec)
    # Friday 4 July 2025 and Thursday 25 December 2025 are closed; the days around them are not.
    assert cal.elapsed(local(2025, 7, 4), local(2025, 7, 5)) == 0
    assert cal.elapsed(local(2025, 7, 3), local(2025, 7, 4)) == 8 * 3600
    assert cal.elapsed(local(2025, 12, 25), local(2025, 12, 26)) == 0
    assert cal.elapsed(local(2025, 12, 26), local(2025, 12, 27)) == 8 * 3600
    assert cm.closed_dates_spec([]) == ""
    with pytest.raises(cm.InvalidArgumentError, match=r"dates\[1\]"):
        cm.closed_dates_spec([dt.date(2025, 1, 1), "2025-01-02"])


def test_closed_dates_spec_from_the_holidays_package():
    holidays = pytest.importorskip("holidays")
    us = holidays.US(years=[2021])
    cal = Calendar(WEEKDAYS + cm.closed_dates_spec(us))
    # Independence Day 2021 fell on a Sunday and was observed on Monday 5 July;
    # Christmas Day fell on a Saturday and was observed on Friday 24 December
    # (OPM's federal holidays for 2021).
    assert cal.elapsed(local(2021, 7, 5), local(2021, 7, 6)) == 0
    assert cal.elapsed(local(2021, 7, 6), local(2021, 7, 7)) == 8 * 3600
    assert cal.elapsed(local(2021, 12, 24), local(2021, 12, 25)) == 0
    assert cal.elapsed(local(2021, 12, 23), local(2021, 12, 24)) == 8 * 3600
    # Thanksgiving, the fourth Thursday of November: 25 November 2021.
    assert not cal.is_open(local(2021, 11, 25, 12))
    assert cal.is_open(local(2021, 11, 24, 12))
