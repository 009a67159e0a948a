"""Columns as data teams hold them: numpy, pandas, datetime64, missing values, buffers.

Expected values come from numpy / the standard library (datetime arithmetic,
integer floor division), never from the binding itself.
"""

import array
import datetime as dt

import pytest

import caremetrics as cm
from caremetrics import _convert as cv

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

UTC = dt.timezone.utc


# ---- zero copy where the memory already has the C layout ---------------------------------


@pytest.mark.parametrize(
    "make,kind",
    [
        (lambda: np.arange(5, dtype=np.uint8), "u8"),
        (lambda: np.arange(5, dtype=np.int64), "i64"),
        (lambda: np.linspace(0, 1, 5), "f64"),
        (lambda: np.array([True, False, True]), "u8"),
        (lambda: np.arange(5, dtype=np.uint64), "u64"),
    ],
)
def test_native_arrays_are_read_in_place(make, kind):
    a = make()
    view = cv.in_array(a, kind, "x")
    assert not view.copied and view.address == a.ctypes.data
    a.flags.writeable = False  # read-only: still in place, the library only reads
    view = cv.in_array(a, kind, "x")
    assert not view.copied and view.address == a.ctypes.data


def test_series_backed_by_numpy_is_read_in_place():
    s = pd.Series(np.arange(1000, dtype=np.int64), index=np.arange(1000) * 2)
    view = cv.in_array(s, "i64", "x")
    assert not view.copied and view.address == s.to_numpy().ctypes.data
    scores = pd.Series(np.array([5, 4, 1], dtype=np.uint8))
    assert cv.in_array(scores, "u8", "x").address == scores.to_numpy().ctypes.data
    idx = pd.Index(np.arange(4, dtype=np.float64))
    assert not cv.in_array(idx, "f64", "x").copied


def test_nullable_columns_without_missing_values_are_read_in_place():
    s = pd.Series([5, 4, 1], dtype="Int64")
    assert not cv.in_array(s, "i64", "x").copied  # the values buffer behind the mask
    gaps = pd.Series([5, None, 1], dtype="Int64")
    view = cv.in_array(gaps, "i64", "x", missing=cv.SKIP)
    assert view.copied and list(view.array) == [5, 1]


def test_datetime64_seconds_are_int64_seconds_in_place():
    a = np.array(["2025-01-06T09:00:00", "2025-01-06T17:00:00"], dtype="datetime64[s]")
    view = cv.in_array(a, "i64", "t", role="instant")
    assert not view.copied and view.address == a.ctypes.data and view.temporal == "datetime"


@pytest.mark.parametrize(
    "make",
    [
        lambda: np.arange(6, dtype=np.int64)[::2],  # strided
        lambda: np.arange(3, dtype=">i8"),  # big-endian
        lambda: np.arange(3, dtype=np.int32),  # another width
        lambda: pd.Series([1, 2, 3], dtype="Int32"),  # nullable of another width
        lambda: pd.Series([1, 2, 3], dtype="category"),  # categorical
        lambda: [1, 2, 3],
    ],
)
def test_other_layouts_are_converted_once(make):
    obj = make()
    view = cv.in_array(obj, "i64", "x")
    assert view.copied
    assert list(view.array) == [int(v) for v in np.asarray(obj, dtype=np.int64)]


def test_big_endian_and_strided_values_are_right():
    big = np.array([1, 300, -7], dtype=">i8")
    assert cm.Art().add_many(np.abs(big)).result().total_seconds == 308
    assert list(cv.in_array(big, "i64", "x").array) == [1, 300, -7]
    floats = np.array([1.5, 2.5], dtype=">f8")
    assert list(cv.in_array(floats, "f64", "x").array) == [1.5, 2.5]
    m = np.arange(12, dtype=np.uint8).reshape(3, 4)[:, 1]  # a column of a matrix
    assert list(cv.in_array(m, "u8", "x").array) == [1, 5, 9]


def test_buffers_without_numpy_types():
    a = array.array("q", [60, 120])
    view = cv.in_array(a, "i64", "x")
    assert not view.copied and view.address == a.buffer_info()[0]
    b = bytes([1, 2, 3])
    assert list(cv.in_array(b, "u8", "x").array) == [1, 2, 3]


# ---- datetime64 in every unit, zones, NaT ------------------------------------------------

INSTANTS = [
    dt.datetime(2025, 3, 9, 6, 59, 59, 999999, tzinfo=UTC),
    dt.datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC),  # floors to ...:59
    dt.datetime(2000, 2, 29, 12, 0, 0, tzinfo=UTC),
]


def floor_seconds(d):
    return (d - dt.datetime(1970, 1, 1, tzinfo=UTC)) // dt.timedelta(seconds=1)


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_datetime64_units_floor_to_seconds(unit):
    a = np.array([d.replace(tzinfo=None) for d in INSTANTS], dtype=f"datetime64[{unit}]")
    got = cv.in_array(a, "i64", "t", role="instant").array
    want = [floor_seconds(d.replace(microsecond=d.microsecond if unit != "s" else 0)) for d in INSTANTS]
    assert list(got) == want


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_zone_aware_series_are_exact_instants(zone):
    s = pd.Series(pd.to_datetime([d.isoformat() for d in INSTANTS], utc=True)).dt.tz_convert(zone)
    assert list(cv.in_array(s, "i64", "t", role="instant").array) == [floor_seconds(d) for d in INSTANTS]


def test_naive_series_are_utc():
    naive = pd.Series(pd.to_datetime(["2025-01-06 09:00:00"]))
    assert list(cv.in_array(naive, "i64", "t", role="instant").array) == [floor_seconds(dt.datetime(2025, 1, 6, 9, tzinfo=UTC))]


def test_datetime_objects_and_timestamps():
    ny = pd.Timestamp("2025-07-01 09:00", tz="America/New_York")
    values = [dt.datetime(2025, 7, 1, 13, tzinfo=UTC), ny, np.datetime64("2025-07-01T13:00:00"), None]
    view = cv.in_array(values, "i64", "t", role="instant", missing=cv.MASK)
    want = floor_seconds(dt.datetime(2025, 7, 1, 13, tzinfo=UTC))
    assert list(view.array[:3]) == [want] * 3 and list(view.missing) == [False] * 3 + [True]
    assert cv.instant(ny, "t") == want and cv.instant(dt.datetime(2025, 7, 1, 13), "t") == want


def test_calendar_columns_from_read_csv():
    csv = "created_at,first_reply_at\n2025-03-07T16:30:00Z,2025-03-10T13:00:00Z\n2025-03-10T09:00:00Z,\n"
    import io

    df = pd.read_csv(io.StringIO(csv), parse_dates=["created_at", "first_reply_at"])
    assert str(df.created_at.dtype) == "datetime64[ns, UTC]"
    cal = cm.Calendar("tz UTC\nmon-fri 09:00-17:00")
    got = cal.elapsed_many(df.created_at, df.first_reply_at)
    assert isinstance(got, pd.Series) and (got.index == df.index).all()
    # Friday 16:30 to Monday 13:00 on a 09-17 calendar: 30 min + 4 h.
    assert got[0] == pd.Timedelta(hours=4, minutes=30) and pd.isna(got[1])
    due = cal.add_many(df.created_at, pd.Series([4 * 3600, 3600]))
    assert due[0] == pd.Timestamp("2025-03-10 12:30", tz="UTC") and due[1] == pd.Timestamp("2025-03-10 10:00", tz="UTC")
    ny = cal.add_many(df.created_at.dt.tz_convert("America/New_York"), [4 * 3600, 3600])
    assert str(ny.dtype) == "datetime64[ns, America/New_York]" and ny[0] == due[0]


def test_calendar_numpy_columns_keep_numpy_types():
    cal = cm.Calendar("tz UTC\nmon-sun 00:00-24:00")
    a = np.array(["2025-01-01T00:00", "NaT"], dtype="datetime64[m]")
    b = np.array(["2025-01-01T01:00", "2025-01-01T00:00"], dtype="datetime64[m]")
    got = cal.elapsed_many(a, b)
    assert got.dtype == np.dtype("timedelta64[s]") and got[0] == np.timedelta64(3600, "s") and np.isnat(got[1])
    ints = cal.elapsed_many(np.array([0, 60]), np.array([60, 0]))
    assert ints.dtype == np.int64 and list(ints) == [60, -60]
    with_gap = cal.elapsed_many([0, None], [60, 60])
    assert with_gap.dtype == np.float64 and with_gap[0] == 60 and np.isnan(with_gap[1])


def test_timedelta_durations():
    s = pd.Series(pd.to_timedelta(["1s", "2.5s", None]))
    assert cm.Sketch().add_many(s).result().total_seconds == 3.5  # NaT skipped
    assert cm.Art().add_many(s).result().total_seconds == 3  # floored to whole seconds
    waits = pd.Series(pd.to_timedelta([10, 40], unit="s"))
    assert cm.abandonment_rate_many(waits, [True, False]).num == 1


# ---- nullable, categorical, missing --------------------------------------------------------


def test_nullable_scores_are_no_answer():
    s = pd.Series([5, pd.NA, 4, 1], dtype="Int64")
    assert cm.Csat().add_many(s).counts == {1: 1, 4: 1, 5: 1}
    f = pd.Series([9.0, None, 10.0], dtype="Float64")
    assert cm.Nps().add_many(f).result().n == 2
    u = pd.Series([7, None], dtype="UInt8")
    assert cm.Ces().add_many(u).result().n == 1


def test_categorical_scores_and_keys():
    s = pd.Series([5, 4, None, 5], dtype="category")
    assert cm.Csat().add_many(s).counts == {4: 1, 5: 2}
    keys = pd.Series(["chat", "email", None, "chat"], dtype=pd.CategoricalDtype(["chat", "email", "phone"]))
    codes, labels = cv.factorize(keys, "channel")
    assert list(codes) == [0, 1, -1, 0] and list(labels) == ["chat", "email", "phone"]
    codes, labels = cv.factorize(["b", "a", "b"], "channel")
    assert list(codes) == [0, 1, 0] and list(labels) == ["b", "a"]


def test_missing_policies():
    assert cm.Sketch().add_many([1.0, float("nan"), None, 3.0]).result().n == 2
    with pytest.raises(cm.InvalidArgumentError, match=r"wait_seconds\[1\] is missing"):
        cm.abandonment_rate_many([1.0, None], [True, False])
    with pytest.raises(cm.InvalidArgumentError, match=r"series\[2\] is missing"):
        cm.spc.individuals(pd.Series([1.0, 2.0, None]))


# ---- wrong input: clear errors, never a silent wrong result -----------------------------------


@pytest.mark.parametrize(
    "call,exc,message",
    [
        (lambda: cm.Nps().add_many(np.array([1, 300])), cm.OutOfRangeError, r"values\[1\] = 300 is outside 0 \.\. 255"),
        (lambda: cm.Nps().add_many([3, -1]), cm.InvalidArgumentError, r"values\[1\] = -1 is outside 0 \.\. 255"),
        (lambda: cm.Nps().add_many(np.array([2.0**64])), cm.OutOfRangeError, r"values\[0\]"),
        (lambda: cm.Art().add_many(np.array([2.0**63])), cm.OutOfRangeError, r"values\[0\]"),
        (lambda: cm.Art().add_many(np.array([1.0, 2.5])), cm.InvalidArgumentError, r"values\[1\] = 2\.5 is not a whole number"),
        (lambda: cm.Nps().add_many(np.array(["9"])), cm.InvalidArgumentError, r"must hold numbers"),
        (lambda: cm.Nps().add_many(["9"]), cm.InvalidArgumentError, r"values\[0\] = '9' is not a number"),
        (lambda: cm.Nps().add_many(pd.Series(pd.to_datetime(["2025-01-01"]))), cm.InvalidArgumentError, r"holds datetime64"),
        (lambda: cm.Nps().add_many(np.zeros((2, 2))), cm.InvalidArgumentError, r"one-dimensional"),
        (lambda: cm.Nps().add_many(pd.DataFrame({"a": [1]})), cm.InvalidArgumentError, r"not a DataFrame"),
        (lambda: cm.Nps().add_many("123"), cm.InvalidArgumentError, r"not str"),
        (lambda: cm.Calendar("tz UTC\nmon 09:00-17:00").elapsed_many([0], [dt.timedelta(1)]), cm.InvalidArgumentError, r"end"),
        (lambda: cm.Calendar("tz UTC\nmon 09:00-17:00").elapsed_many([0, 1], [2]), cm.InvalidArgumentError, r"start has 2 entries but end has 1"),
        (lambda: cm.Calendar("tz UTC\nmon 09:00-17:00").elapsed_many(np.array(["9999-12-31"], dtype="M8[D]") + np.timedelta64(2 * 10**14, "D"), [0]), cm.OutOfRangeError, r"start\[0\]"),
        (lambda: cm.Calendar("tz UTC\nmon 09:00-17:00").elapsed_many(np.array(["9999-12-31"], dtype="M8[D]") + np.timedelta64(10, "D"), [0]), cm.OutOfRangeError, r"years 1 \.\. 9999"),
        (lambda: cv.names(["created", "replied"], {"created": 1}, "type"), cm.InvalidArgumentError, r"'replied', which is none of: created"),
    ],
)
def test_wrong_input_raises_named_errors(call, exc, message):
    with pytest.raises(exc, match=message) as info:
        call()
    assert isinstance(info.value, cm.CaremetricsError)


# ---- properties (Hypothesis) ----------------------------------------------------------------

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

INT_DTYPES = st.sampled_from(["i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8"]).flatmap(
    lambda code: st.sampled_from(["<", ">"]).map(lambda order: np.dtype(order + code))
)


def layouts(arrays):
    """The same values as given, strided (every other element of a doubled array) or read-only."""

    @st.composite
    def draw(draw_):
        a = draw_(arrays)
        how = draw_(st.sampled_from(["plain", "strided", "readonly"]))
        if how == "strided":
            b = np.empty(2 * len(a), dtype=a.dtype)
            b[::2] = a
            return a, b[::2]
        if how == "readonly":
            c = a.copy()
            c.flags.writeable = False
            return a, c
        return a, a

    return draw()


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["u8", "i32", "u32", "i64", "u64"]), layouts(hnp.arrays(INT_DTYPES, st.integers(0, 40))))
def test_integer_columns_convert_exactly_or_refuse(kind, pair):
    values, column = pair
    lo, hi = cv._KINDS[kind][3], cv._KINDS[kind][4]
    want = [int(v) for v in values]
    if all(lo <= v <= hi for v in want):
        assert [int(v) for v in cv.in_array(column, kind, "x").array] == want
    else:
        with pytest.raises((cm.OutOfRangeError, cm.InvalidArgumentError)) as info:
            cv.in_array(column, kind, "x")
        first = next(i for i, v in enumerate(want) if not lo <= v <= hi)
        assert f"x[{first}] = {want[first]}" in str(info.value)


@settings(max_examples=200, deadline=None)
@given(
    layouts(hnp.arrays(np.dtype("f8"), st.integers(0, 40), elements=st.floats(allow_infinity=False, width=64))),
)
def test_float_columns_with_nan_as_missing(pair):
    values, column = pair
    view = cv.in_array(column, "f64", "x", missing=cv.SKIP)
    assert list(view.array) == [v for v in values if not np.isnan(v)]
    masked = cv.in_array(column, "f64", "x", missing=cv.MASK)
    assert (masked.missing is None and not np.isnan(values).any()) or list(masked.missing) == list(np.isnan(values))


UNITS = st.sampled_from(["s", "ms", "us", "ns"])
PER_SECOND = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}


@settings(max_examples=200, deadline=None)
@given(UNITS, st.sampled_from(["<", ">"]), st.lists(st.one_of(st.none(), st.integers(-(10**17), 10**17)), max_size=30))
def test_datetime64_floors_every_unit_and_masks_nat(unit, order, ticks):
    # ticks are in the unit; None is NaT. Expected seconds by integer floor division.
    raw = np.array([np.iinfo(np.int64).min if t is None else t for t in ticks], dtype=np.int64)
    a = raw.view(f"datetime64[{unit}]").astype(np.dtype(f"{order}M8[{unit}]"))
    view = cv.in_array(a, "i64", "t", role="instant", missing=cv.MASK)
    got = list(view.array)
    for t, g, gap in zip(ticks, got, [False] * len(ticks) if view.missing is None else view.missing):
        if t is None:
            assert gap
        else:
            assert not gap and g == t // PER_SECOND[unit]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-(10**17), 10**17), min_size=1, max_size=20), st.sampled_from(["UTC", "Europe/Paris", "Pacific/Chatham", "America/St_Johns"]))
def test_zone_does_not_change_instants(ns, zone):
    utc = pd.Series(pd.to_datetime(np.array(ns, dtype=np.int64), unit="ns", utc=True))
    local = utc.dt.tz_convert(zone)
    want = [v // 10**9 for v in ns]
    assert list(cv.in_array(utc, "i64", "t", role="instant").array) == want
    assert list(cv.in_array(local, "i64", "t", role="instant").array) == want


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(0, 10)), max_size=40))
def test_nullable_scores_equal_the_answered_subset(scores):
    s = pd.Series(scores, dtype="Int64")
    answered = [v for v in scores if v is not None]
    assert cm.Nps().add_many(s) == cm.Nps().add_many(np.array(answered, dtype=np.uint8))


def test_accumulator_arrays_at_odd_addresses():
    """Entry points of the accumulators read unaligned arrays through an aligned copy."""
    seconds = np.array([5, 4, 1, 3, 5, 2], dtype=np.float64)
    raw = np.zeros(seconds.nbytes + 1, dtype=np.uint8)
    raw[1:] = seconds.view(np.uint8)
    odd = np.frombuffer(raw.data, dtype=np.float64, offset=1, count=seconds.size)
    assert not odd.flags.aligned
    got = cm.Sketch().add_many(odd).result()
    assert (got.n, got.min_seconds, got.max_seconds, got.total_seconds) == (6, 1.0, 5.0, 20.0)
