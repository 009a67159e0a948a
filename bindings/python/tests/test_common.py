import pytest

import caremetrics as cm


def test_version_matches_library():
    major, minor, patch = (int(x) for x in cm.version().split("."))
    assert cm.version_number() == major * 10000 + minor * 100 + patch
    assert cm.__version__ == cm.version()


def test_status_table_read_from_library():
    assert cm.STATUS["CM_OK"] == 0
    assert cm.STATUS["CM_EINVAL"] == -1
    assert set(cm.STATUS) >= {"CM_ERANGE", "CM_ENODATA", "CM_EPARSE", "CM_ENOSPC"}


@pytest.mark.parametrize(
    "text,expected",
    [
        # Expected instants from Python's datetime / calendar.timegm.
        ("1970-01-01T00:00:00Z", 0),
        ("2000-02-29T12:34:56Z", 951827696),
        ("2025-03-09T01:30:00-05:30", 1741503600),
        ("1969-12-31T23:59:59Z", -1),
    ],
)
def test_parse_time(text, expected):
    assert cm.parse_time(text) == expected


def test_time_round_trip_against_datetime():
    import datetime as dt

    for t in (0, 951827696, 1741503600, 253402300799, -62135596800):
        text = cm.format_time(t)
        expect = dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert text == expect.rjust(20, "0")
        assert cm.parse_time(text) == t


@pytest.mark.parametrize("bad", ["", "2025-02-29", "2025-01-01T24:00:00Z", "yesterday"])
def test_parse_time_rejects(bad):
    with pytest.raises(cm.ParseError) as info:
        cm.parse_time(bad)
    assert info.value.status == cm.STATUS["CM_EPARSE"]
    assert info.value.name == "CM_EPARSE"


def test_bad_argument_types():
    with pytest.raises(cm.InvalidArgumentError):
        cm.parse_time(b"2025-01-01")
    with pytest.raises(cm.OutOfRangeError):
        cm.format_time(2**63)
    with pytest.raises(cm.OutOfRangeError):
        cm.format_time(253402300800)  # year 10000: rejected by the library
