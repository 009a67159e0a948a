"""caremetrics.report / TableReport: the ticket-table engine over DataFrames.

Expected figures come from independent computations: the library's per-KPI
calls (Csat, Nps, Ces, rate, Sketch, Calendar.elapsed_many, Contacts,
sla.Attainment) applied with pandas to the rows of each group, pandas'
own arithmetic (counts, time zones), numpy's exact percentiles, and the
caremetrics-report program on the same files.
"""

import json
import math
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import caremetrics as cm
from caremetrics import sla

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "examples" / "data"
NY = "America/New_York"


@pytest.fixture(scope="module")
def sample():
    return pd.read_csv(DATA / "sample-tickets.csv", parse_dates=["created_at", "first_reply_at", "solved_at"])


@pytest.fixture(scope="module")
def office():
    return cm.Calendar((DATA / "office-hours.cal").read_text())


@pytest.fixture(scope="module")
def policy():
    return sla.Policy((DATA / "sla-policy.txt").read_text())


# ---- the caremetrics-report program on the same files ----------------------------------------


def report_program():
    exe = os.environ.get("CAREMETRICS_REPORT")
    if exe:
        return exe
    lib = os.environ.get("CAREMETRICS_LIBRARY")
    candidates = [Path(lib).resolve().parents[1] / "examples" / "caremetrics-report"] if lib else []
    candidates.append(ROOT / "build" / "examples" / "caremetrics-report")
    for c in candidates:
        if c.exists():
            return str(c)
    pytest.skip("caremetrics-report is not built")


def program_json(*args):
    out = subprocess.run([report_program(), "--format", "json", *map(str, args)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def same(got, want, what):
    """Field equality: counts equal, figures bit for bit (both come from the same engine
    through %.17g), null = NaN."""
    if want is None:
        assert isinstance(got, float) and math.isnan(got), f"{what}: {got!r}, expected null"
    elif isinstance(want, bool):
        assert bool(got) == want, f"{what}: {got!r} != {want!r}"
    else:
        assert got == want, f"{what}: {got!r} != {want!r}"


def compare_group(row, j, what):
    """Every KPI the program prints for a group, against the frame's row."""
    same(row["tickets"], j["tickets"], f"{what} tickets")
    same(row["abandoned_contacts"], j["abandoned_contacts"], f"{what} abandoned_contacts")
    for f in ("num", "den", "value", "lo", "hi", "mean"):
        same(row[f"csat_{f}"], j["csat"][f], f"{what} csat.{f}")
    for f, col in (("n", "n"), ("promoters", "promoters"), ("passives", "passives"), ("detractors", "detractors"), ("score", "value"), ("se", "se"), ("lo", "lo"), ("hi", "hi")):
        same(row[f"nps_{col}"], j["nps"][f], f"{what} nps.{f}")
    for f, col in (("n", "n"), ("mean", "value"), ("lo", "lo"), ("hi", "hi"), ("low_effort", "easy")):
        same(row[f"ces_{col}"], j["ces"][f], f"{what} ces.{f}")
    if j["ces"]["n"]:
        same(row["ces_easy_lo"], j["ces"]["low_effort_lo"], f"{what} ces.low_effort_lo")
        same(row["ces_easy_hi"], j["ces"]["low_effort_hi"], f"{what} ces.low_effort_hi")
    for key, col in (("fcr", "fcr"), ("reopen_rate", "reopen_rate"), ("escalation_rate", "escalation_rate"), ("abandonment", "abandonment")):
        for f in ("num", "den", "value", "lo", "hi"):
            same(row[f"{col}_{f}"], j[key][f], f"{what} {key}.{f}")
    for key in ("first_reply", "resolution", "first_reply_business", "resolution_business"):
        d = j[key]
        for f in ("n", "total_seconds", "mean_seconds", "median_seconds", "p90_seconds", "p99_seconds"):
            same(row[f"{key}_{f}"], d[f], f"{what} {key}.{f}")
        if d["n"]:
            same(row[f"{key}_min_seconds"], d["min_seconds"], f"{what} {key}.min_seconds")
            same(row[f"{key}_max_seconds"], d["max_seconds"], f"{what} {key}.max_seconds")
    for prio, s in j["sla_first_reply"].items():
        for f, col in (("achieved", "num"), ("total", "den"), ("value", "value"), ("lo", "lo"), ("hi", "hi")):
            same(row[f"sla_first_reply_within_{prio}_{col}"], s[f], f"{what} sla_first_reply.{prio}.{f}")
        same(row[f"sla_first_reply_{prio}_target_seconds"], s["target_seconds"], f"{what} {prio} target")
        same(row[f"sla_first_reply_{prio}_business"], s["business"], f"{what} {prio} business")
    same(row["handle_n"], j["handle"]["n"], f"{what} handle.n")
    same(row["handle_total_seconds"], j["handle"]["total_seconds"], f"{what} handle.total_seconds")


def test_sample_equals_the_report_program(sample, office, policy):
    j = program_json(DATA / "sample-tickets.csv")
    whole = cm.report(sample, calendar=office, policy=policy)
    assert list(whole.index) == ["all"]
    assert whole.attrs["rows"] == j["rows"] == 3000 and whole.attrs["bad_rows"] == j["bad_rows"] == 0
    compare_group(whole.loc["all"], j, "all")
    assert whole.attrs["as_of"] == pd.Timestamp(j["sla"]["as_of"])
    for a in j["sla"]["attainment"]:
        prefix = f"sla_{a['metric']}_{a['priority']}"
        row = whole.loc["all"]
        for f, col in (("achieved", "num"), ("value", "value"), ("lo", "lo"), ("hi", "hi"), ("open", "open"), ("mean_seconds", "mean_seconds"), ("target_seconds", "target_seconds"), ("business", "business")):
            same(row[f"{prefix}_{col}"], a[f], f"{prefix}.{f}")
        same(row[f"{prefix}_den"] - row[f"{prefix}_num"], a["breached"], f"{prefix}.breached")
    channels = cm.report(sample, by="channel", calendar=office, policy=policy)
    assert list(channels.index) == [g["group"] for g in j["channels"]]  # both sort by label
    for g in j["channels"]:
        compare_group(channels.loc[g["group"]], g, g["group"])
    priorities = cm.report(sample, by="priority", calendar=office, policy=policy)
    assert list(priorities.index) == [g["group"] for g in j["priorities"]]  # urgent .. low, none
    for g in j["priorities"]:
        compare_group(priorities.loc[g["group"]], g, g["group"])
    # Service level per real-time channel: the program's staffing section.
    for s in j["staffing"]["observed"]:
        row = channels.loc[s["channel"]]
        same(row["offered"], s["offered"], f"{s['channel']} offered")
        same(row["service_level_value"], s["service_level"], f"{s['channel']} service level")
        same(row["service_level_lo"], s["service_level_lo"], f"{s['channel']} service level lo")
        same(row["service_level_hi"], s["service_level_hi"], f"{s['channel']} service level hi")
        same(row["asa_seconds"], s["asa_seconds"], f"{s['channel']} asa")
        same(row["aht_seconds"], s["aht_seconds"], f"{s['channel']} aht")


def test_by_and_buckets_equal_the_program(sample, office):
    j = program_json("--by", "channel,month", DATA / "sample-tickets.csv")
    got = cm.report(sample, by=["channel", "month"], calendar=office)
    assert len(got) == len(j["groups"])
    for g in j["groups"]:
        start = pd.Timestamp(g["start"])  # office hours run in UTC
        row = got.loc[(g["channel"], start)]
        assert row["bucket_end"] == pd.Timestamp(g["end"])
        compare_group(row, {**g, "sla_first_reply": {}}, g["group"])
    j = program_json("--exact-quantiles", "--by", "priority", DATA / "sample-tickets.csv")
    exact = cm.report(sample, by="priority", calendar=office, exact_quantiles=True)
    for g in j["groups"]:
        compare_group(exact.loc[g["priority"]], {**g, "sla_first_reply": {}}, g["group"])


def test_zendesk_export(office, policy):
    path = ROOT / "tests" / "data" / "zendesk-export.csv"
    df = pd.read_csv(path)  # Zendesk's headers and text values as pandas reads them
    j = program_json("--preset", "zendesk", path)
    whole = cm.report(df, calendar=office, policy=policy, columns="zendesk")
    compare_group(whole.loc["all"], j, "all")
    assert whole.loc["all", "fcr_n"] == 0 and math.isnan(whole.loc["all", "fcr_value"])  # no contacts column
    channels = cm.report(df, by="channel", calendar=office, policy=policy, columns="zendesk")
    for g in j["channels"]:
        compare_group(channels.loc[g["group"]], g, g["group"])
    priorities = cm.report(df, by="priority", calendar=office, policy=policy, columns="zendesk")
    for g in j["priorities"]:
        compare_group(priorities.loc[g["group"]], g, g["group"])
    # The same export with datetimes parsed and categorical text reads the same.
    typed = df.copy()
    for c in ("Created at", "Solved at"):
        typed[c] = pd.to_datetime(typed[c])
    typed["Satisfaction Score"] = typed["Satisfaction Score"].astype("category")
    typed["Priority"] = typed["Priority"].astype("category")
    again = cm.report(typed, by="priority", calendar=office, policy=policy, columns="zendesk")
    pd.testing.assert_frame_equal(again, priorities)
    # Any other column of the export groups too.
    groups = cm.report(df, by="Group", columns="zendesk")
    assert groups["tickets"].to_dict() == df["Group"].fillna("(none)").value_counts().sort_index().to_dict()


# ---- against the per-KPI library calls ---------------------------------------------------------


def reference(rows, cal, policy, now):
    """Every KPI of a group from the library's per-KPI calls over its rows."""
    t = rows[~rows.abandoned]
    solved = t[t.solved_at.notna()]
    replied = t[t.first_reply_at.notna()]
    out = {"rows": len(rows), "tickets": len(t), "abandoned_contacts": int(rows.abandoned.sum())}
    out.update({f"csat_{k}": v for k, v in cm.Csat().add_many(t.csat)._row(0.95).items()})
    out.update({f"nps_{k}": v for k, v in cm.Nps().add_many(t.nps)._row(0.95).items()})
    out.update({f"ces_{k}": v for k, v in cm.Ces().add_many(t.ces)._row(0.95).items()})

    def prop(name, num, den):
        r = cm.rate(int(num), int(den)).to_dict() if den else {"value": math.nan, "lo": math.nan, "hi": math.nan, "num": 0, "den": 0, "n": 0}
        out.update({f"{name}_{k}": v for k, v in r.items()})

    prop("fcr", (solved.contacts == 1).sum(), len(solved))
    prop("reopen_rate", solved.reopened.sum(), len(solved))
    prop("escalation_rate", t.escalated.sum(), len(t))
    prop("solved_rate", len(solved), len(t))
    prop("replied_rate", len(replied), len(t))
    spans = {
        "first_reply": (replied.first_reply_at - replied.created_at).dt.total_seconds(),
        "resolution": (solved.solved_at - solved.created_at).dt.total_seconds(),
        "first_reply_business": cal.elapsed_many(replied.created_at, replied.first_reply_at).dt.total_seconds(),
        "resolution_business": cal.elapsed_many(solved.created_at, solved.solved_at).dt.total_seconds(),
    }
    for name, secs in spans.items():
        s = cm.Sketch().add_many(secs.to_numpy())
        out[f"{name}_n"] = len(secs)
        if len(secs):
            r = s.result()
            out[f"{name}_mean_seconds"] = r.mean_seconds
            out[f"{name}_total_seconds"] = float(secs.sum())
            out[f"{name}_min_seconds"] = float(secs.min())
            out[f"{name}_max_seconds"] = float(secs.max())
            for q, col in ((0.5, "median"), (0.9, "p90"), (0.99, "p99")):
                out[f"{name}_{col}_seconds"] = s.quantile(q)
    handled = rows.handle_seconds.dropna()
    out["handle_n"] = len(handled)
    out["handle_total_seconds"] = float(handled.sum())  # quarter seconds: exact
    offered = rows.wait_seconds.notna() | rows.abandoned
    short = rows.abandoned & (rows.wait_seconds < 5)
    n_off, n_lost, n_short = int(offered.sum()), int(rows.abandoned.sum()), int(short.sum())
    prop("abandonment", n_lost - n_short, n_off - n_short)
    waited = rows[rows.wait_seconds.notna()]
    contacts = cm.contact.Contacts(20, 5).add_many(waited.wait_seconds, waited.handle_seconds.fillna(0), waited.abandoned)
    out["offered"] = contacts.offered
    num, den = contacts.service_level_counts()
    prop("service_level", num, den)
    for prio, level in (("urgent", 4), ("high", 3), ("normal", 2), ("low", 1)):
        target = policy.target(sla.Metric.FIRST_REPLY, sla.Priority(level))
        mine = replied[replied.priority == prio]
        spent = (mine.first_reply_at - mine.created_at).dt.total_seconds()
        if target.calendar is not None:
            spent = cal.elapsed_many(mine.created_at, mine.first_reply_at).dt.total_seconds()
        prop(f"sla_first_reply_within_{prio}", (spent <= target.seconds).sum(), len(mine))
    # SLA attainment: each ticket's history created -> first reply -> solved, replayed at now.
    events = ticket_events(t[t.priority.notna()])
    att = sla.Attainment().add_many(policy, events, now, [cal]) if len(events) else sla.Attainment()
    for metric, mname in ((sla.Metric.FIRST_REPLY, "first_reply"), (sla.Metric.TOTAL_RESOLUTION, "total_resolution")):
        for prio, level in (("urgent", 4), ("high", 3), ("normal", 2), ("low", 1), ("all", sla.ALL_PRIORITIES)):
            try:
                r = att.result(metric, level)
            except cm.NoDataError:
                out[f"sla_{mname}_{prio}_den"] = 0
                continue
            out[f"sla_{mname}_{prio}_num"] = r.achieved
            out[f"sla_{mname}_{prio}_den"] = r.achieved + r.breached
            out[f"sla_{mname}_{prio}_open"] = r.open
            out[f"sla_{mname}_{prio}_value"] = r.attained.value
            out[f"sla_{mname}_{prio}_lo"] = r.attained.lo
            out[f"sla_{mname}_{prio}_hi"] = r.attained.hi
            if r.achieved + r.breached:
                out[f"sla_{mname}_{prio}_mean_seconds"] = r.mean_seconds
    return out


def ticket_events(t):
    ids = np.arange(len(t))
    reply_first = ~(t.solved_at < t.first_reply_at).to_numpy()
    parts = [
        pd.DataFrame({"ticket": ids, "at": t.created_at.to_numpy(), "type": "created", "value": t.priority.astype(object).to_numpy(), "o": 0}),
        pd.DataFrame({"ticket": ids, "at": t.first_reply_at.to_numpy(), "type": "agent-reply", "value": None, "o": np.where(reply_first, 1, 2)}),
        pd.DataFrame({"ticket": ids, "at": t.solved_at.to_numpy(), "type": "status", "value": "solved", "o": np.where(reply_first, 2, 1)}),
    ]
    ev = pd.concat(parts).dropna(subset=["at"]).sort_values(["ticket", "o"], kind="stable")
    ev["at"] = pd.to_datetime(ev["at"], utc=True)
    return ev.drop(columns="o").reset_index(drop=True)


CHANNELS = ["phone", "chat", "email"]
PRIORITIES = ["urgent", "high", "normal", "low"]


def random_tickets(rng, n):
    """n random tickets around New York's change back to standard time, with every kind of gap."""
    created = 1760486400 + rng.integers(0, 36 * 86400, n)
    durations = rng.choice([120, 8 * 3600, 5 * 86400, 40 * 86400], n) * rng.random(n)
    reply = np.where(rng.random(n) < 0.2, np.nan, created + np.floor(durations))
    solve = np.where(rng.random(n) < 0.25, np.nan, created + np.floor(durations * rng.random(n) * 3))
    channel = rng.choice(CHANNELS, n)
    realtime = channel != "email"
    abandoned = realtime & (rng.random(n) < 0.1)
    reply[abandoned] = np.nan
    solve[abandoned] = np.nan

    def answers(lo, hi, share):
        v = rng.integers(lo, hi + 1, n).astype(float)
        v[rng.random(n) >= share] = np.nan
        return v

    return pd.DataFrame(
        {
            "created_at": pd.to_datetime(created, unit="s", utc=True),
            "first_reply_at": pd.to_datetime(reply, unit="s", utc=True),
            "solved_at": pd.to_datetime(solve, unit="s", utc=True),
            "channel": channel,
            "priority": np.where(rng.random(n) < 0.15, None, rng.choice(PRIORITIES, n)),
            "contacts": rng.integers(1, 4, n),
            "reopened": rng.random(n) < 0.1,
            "escalated": rng.random(n) < 0.12,
            "abandoned": abandoned,
            "csat": answers(1, 5, 0.4),
            "nps": answers(0, 10, 0.3),
            "ces": answers(1, 7, 0.2),
            "wait_seconds": np.where(realtime, rng.integers(0, 600, n) / 4.0, np.nan),
            "handle_seconds": np.where(abandoned | (rng.random(n) < 0.15), np.nan, rng.integers(0, 4000, n) / 4.0),
        }
    )


NY_CAL = "tz America/New_York\nmon-fri 09:00-17:00\nsat 10:00-12:00, 13:00-14:00\n2025-11-11 closed\n"
NY_POLICY = """first-reply urgent 15m calendar
first-reply high 1h calendar
first-reply normal 4h business
first-reply low 8h business
total-resolution urgent 4h calendar
total-resolution high 8h business
total-resolution normal 24h business
"""


def check_against_reference(df, by_channel):
    cal, policy = cm.Calendar(NY_CAL), sla.Policy(NY_POLICY)
    now = pd.Timestamp(max(df[c].max() for c in ("created_at", "first_reply_at", "solved_at")))
    got = cm.report(df, by="channel" if by_channel else None, calendar=cal, policy=policy)
    groups = {ch: df[df.channel == ch] for ch in sorted(set(df.channel))} if by_channel else {"all": df}
    assert list(got.index) == list(groups)
    for name, rows in groups.items():
        want = reference(rows, cal, policy, now)
        row = got.loc[name]
        for col, v in want.items():
            if isinstance(v, float) and math.isnan(v):
                assert math.isnan(row[col]), f"{name} {col}: {row[col]!r}, expected NaN"
            else:
                assert row[col] == v, f"{name} {col}: {row[col]!r} != {v!r}"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_frames_equal_the_per_kpi_calls(seed):
    df = random_tickets(np.random.default_rng(seed), 700)
    check_against_reference(df, by_channel=False)
    check_against_reference(df, by_channel=True)


def test_property_blocks_and_threads_change_nothing():
    hypothesis = pytest.importorskip("hypothesis")
    st = pytest.importorskip("hypothesis.strategies")

    @hypothesis.settings(max_examples=25)
    @hypothesis.given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 300), block=st.integers(1, 64))
    def run(seed, n, block):
        df = random_tickets(np.random.default_rng(seed), n)
        cal, policy = cm.Calendar(NY_CAL), sla.Policy(NY_POLICY)
        want = cm.report(df, by="channel", calendar=cal, policy=policy, threads=False)
        got = cm.report(df, by="channel", calendar=cal, policy=policy, block_rows=block)
        pd.testing.assert_frame_equal(got, want)
        if n:
            check_against_reference(df, by_channel=True)

    run()


def test_frames_of_the_existing_helpers_agree(sample):
    got = cm.report(sample, by="channel")
    t = sample[sample.abandoned == 0]
    for kpi, helper, cols in (
        ("csat", cm.csat_frame, ["value", "lo", "hi", "num", "den", "n", "mean"]),
        ("nps", cm.nps_frame, ["value", "lo", "hi", "se", "n", "promoters", "passives", "detractors"]),
        ("ces", cm.ces_frame, ["value", "lo", "hi", "sd", "n", "easy", "easy_lo", "easy_hi"]),
    ):
        want = helper(t.groupby("channel")[kpi])
        mine = got[[f"{kpi}_{c}" for c in cols]]
        mine.columns = cols
        pd.testing.assert_frame_equal(mine, want[cols], check_names=False)
    solved = t[t.solved_at.notna()]
    fcr = cm.rate_frame((solved.contacts == 1).groupby(solved.channel))
    mine = got[["fcr_value", "fcr_lo", "fcr_hi", "fcr_num", "fcr_den", "fcr_n"]]
    mine.columns = ["value", "lo", "hi", "num", "den", "n"]
    pd.testing.assert_frame_equal(mine, fcr, check_names=False)


def test_exact_quantiles_are_numpys(sample):
    got = cm.report(sample, by="priority", exact_quantiles=True, quantiles=[0.25, 0.5, 0.9, 0.999])
    assert {"first_reply_p25_seconds", "first_reply_median_seconds", "first_reply_p99_9_seconds"} <= set(got.columns)
    t = sample[(sample.abandoned == 0) & sample.first_reply_at.notna()]
    secs = (t.first_reply_at - t.created_at).dt.total_seconds()
    for prio, rows in secs.groupby(t.priority.fillna("none")):
        want = np.quantile(rows.to_numpy(), [0.25, 0.5, 0.9, 0.999])
        assert got.loc[prio, ["first_reply_p25_seconds", "first_reply_median_seconds", "first_reply_p90_seconds", "first_reply_p99_9_seconds"]].tolist() == list(want)


# ---- columns as data teams hold them --------------------------------------------------------------


def test_nat_na_and_dtypes_read_the_same(sample):
    plain = cm.report(sample, by="channel")
    typed = sample.copy()
    typed["csat"] = typed.csat.astype("Int64")  # NA: no answer
    typed["nps"] = typed.nps.astype("Float64")
    typed["reopened"] = typed.reopened.astype("boolean")
    typed["escalated"] = typed.escalated.astype(bool)
    typed["channel"] = typed.channel.astype("category")
    typed["contacts"] = typed.contacts.astype("uint16")
    typed["created_at"] = typed.created_at.dt.tz_convert("Asia/Kolkata")  # the same instants
    typed["first_reply_at"] = typed.first_reply_at.dt.tz_localize(None)  # naive: UTC
    typed["solved_at"] = (typed.solved_at - pd.Timestamp("1970-01-01", tz="UTC")) // pd.Timedelta(seconds=1)  # float seconds, NaN
    typed["wait_seconds"] = pd.to_timedelta(typed.wait_seconds.fillna(0), unit="s").where(typed.wait_seconds.notna())
    pd.testing.assert_frame_equal(cm.report(typed, by="channel"), plain)
    # A mapping of numpy arrays, with the engine's own layout, reads the same.
    cols = {c: sample[c].to_numpy() for c in sample.columns if c not in ("created_at", "first_reply_at", "solved_at")}
    for c in ("created_at", "first_reply_at", "solved_at"):
        cols[c] = sample[c].dt.tz_localize(None).to_numpy().astype("datetime64[s]")
    cols["channel"] = sample.channel.tolist()
    pd.testing.assert_frame_equal(cm.report(cols, by="channel"), plain)


def test_categorical_keys_with_missing_values_read_as_text(sample, office, policy):
    """Categorical keys (int8 codes, -1 for missing) give the groups, SLA levels and bad
    rows of the same values as text."""
    df = sample.copy()
    prio = df.priority.astype(object).where(np.arange(len(df)) % 7 != 3, None)
    prio = prio.where(np.arange(len(df)) % 101 != 5, "P1")  # no such priority: bad rows
    chan = df.channel.astype(object).where(np.arange(len(df)) % 5 != 1, None)
    as_text = df.assign(priority=prio, channel=chan)
    as_cat = df.assign(priority=pd.Categorical(prio, categories=["P1", "low", "urgent", "normal", "high"]),
                       channel=pd.Categorical(chan))
    assert as_cat.priority.cat.codes.dtype == np.int8 and (as_cat.priority.cat.codes == -1).any()
    for by in ("priority", "channel", ["channel", "priority"]):
        want = cm.report(as_text, by=by, calendar=office, policy=policy, observed=True)
        got = cm.report(as_cat, by=by, calendar=office, policy=policy, observed=True, block_rows=1000)
        assert got.attrs["bad_rows"] == want.attrs["bad_rows"] > 0
        assert [(b.row, b.column, b.value) for b in got.attrs["first_bad_rows"]] == [(b.row, b.column, b.value) for b in want.attrs["first_bad_rows"]]
        pd.testing.assert_frame_equal(got.sort_index(), want.sort_index(), check_index_type=False, check_categorical=False)


def test_columns_at_odd_addresses_read_the_same(sample):
    """Arrays whose memory is not aligned for their type (a pickle's buffer, a slice of
    bytes) are read through an aligned copy: the C engine takes aligned values."""
    plain = cm.report(sample, by="channel")

    def odd(a):
        a = np.ascontiguousarray(a)
        raw = np.zeros(a.nbytes + 1, dtype=np.uint8)
        raw[1:] = a.view(np.uint8)
        out = np.frombuffer(raw.data, dtype=a.dtype, offset=1, count=a.size)
        assert not out.flags.aligned or a.itemsize == 1
        return out

    cols = {c: sample[c].to_numpy() for c in sample.columns if c not in ("created_at", "first_reply_at", "solved_at")}
    for c in ("created_at", "first_reply_at", "solved_at"):
        cols[c] = odd(sample[c].dt.tz_localize(None).to_numpy().astype("datetime64[s]"))
    for c in ("wait_seconds", "handle_seconds", "csat", "contacts"):
        if c in cols:
            cols[c] = odd(cols[c].astype(np.float64))
    cols["channel"] = sample.channel.tolist()
    pd.testing.assert_frame_equal(cm.report(cols, by="channel"), plain)


def test_missing_entries_and_absent_columns():
    df = pd.DataFrame(
        {
            "created_at": pd.to_datetime(["2025-01-06 09:00", "2025-01-06 10:00", "2025-01-07 11:00"], utc=True),
            "first_reply_at": pd.to_datetime(["2025-01-06 09:30", None, "2025-01-07 11:10"], utc=True),
            "csat": pd.array([5, pd.NA, 2], dtype="Int64"),
            "channel": pd.Categorical(["chat", "chat", "email"], categories=["chat", "email", "phone"]),
        }
    )
    got = cm.report(df, by="channel")
    assert got.loc["chat", ["csat_num", "csat_den"]].tolist() == [1, 1]
    assert got.loc["chat", "first_reply_n"] == 1 and got.loc["chat", "first_reply_mean_seconds"] == 1800
    # No solved_at column: no FCR, no resolution times, never a default.
    for g in ("chat", "email"):
        assert got.loc[g, "fcr_n"] == 0 and math.isnan(got.loc[g, "fcr_value"])
        assert got.loc[g, "resolution_n"] == 0 and math.isnan(got.loc[g, "resolution_mean_seconds"])
        assert math.isnan(got.loc[g, "nps_value"]) and got.loc[g, "nps_n"] == 0
    # An unobserved category is an empty group: counts 0, figures NaN.
    assert got.loc["phone", "rows"] == 0 and got.loc["phone", "csat_n"] == 0 and math.isnan(got.loc["phone", "csat_value"])
    assert got["rows"].dtype == np.int64 and got["csat_value"].dtype == np.float64
    assert list(cm.report(df, by="channel", observed=True).index) == ["chat", "email"]
    # Missing keys form their own group.
    df["team"] = ["a", None, "a"]
    teams = cm.report(df, by="team")
    assert teams["rows"].to_dict() == {"(none)": 1, "a": 2}


def test_dst_buckets_follow_the_calendars_zone():
    cal = cm.Calendar("tz America/New_York\nmon-fri 09:00-17:00")
    # Around the fall-back night of 2025-11-02 (01:00-02:00 happens twice) and the spring-forward
    # night of 2025-03-09 (02:00-03:00 does not happen).
    stamps = pd.date_range("2025-11-01 20:00", "2025-11-03 06:00", freq="17min", tz="UTC").append(
        pd.date_range("2025-03-08 20:00", "2025-03-10 06:00", freq="23min", tz="UTC")
    )
    df = pd.DataFrame({"created_at": stamps})
    local = stamps.tz_convert(NY)
    hours = cm.report(df, by="hour", calendar=cal)
    want = pd.Series(1, index=stamps).groupby(stamps.floor("H")).size()  # New York hours are UTC hours
    assert hours.index.tz is not None and str(hours.index.tz) == NY
    # (compared in UTC: pandas hashes the two 01:00 of New York alike)
    assert {k.tz_convert("UTC"): v for k, v in hours["rows"].items()} == want.to_dict()
    repeated = [t for t in hours.index if t.hour == 1 and t.month == 11 and t.day == 2]
    assert len(repeated) == 2 and repeated[1] - repeated[0] == pd.Timedelta(hours=1)  # EDT then EST
    days = cm.report(df, by="day", calendar=cal)
    per_date = pd.Series(1, index=stamps).groupby(local.date).size()
    assert [d.date() for d in days.index] == list(per_date.index)
    assert days["rows"].tolist() == per_date.tolist()
    span = (days["bucket_end"] - days.index.to_series()).dt.total_seconds() / 3600
    assert span[pd.Timestamp("2025-11-02", tz=NY)] == 25 and span[pd.Timestamp("2025-03-09", tz=NY)] == 23
    weekdays = cm.report(df, by="weekday", calendar=cal)
    assert weekdays["rows"].to_dict() == pd.Series(local.dayofweek + 1).value_counts().sort_index().to_dict()
    slots = cm.report(df, by="time-of-day", calendar=cal)
    assert slots["rows"].to_dict() == {f"{h:02d}:00": n for h, n in pd.Series(local.hour).value_counts().sort_index().items()}
    half = cm.report(df, by=["30min"], calendar=cal)
    assert half.index.name == "interval" and half["rows"].sum() == len(df)
    assert (half["bucket_end"] - half.index.to_series() == pd.Timedelta(minutes=30)).all()
    # Without a calendar the buckets are in UTC.
    utc_days = cm.report(df, by="day")
    assert str(utc_days.index.tz) == "UTC" and utc_days["rows"].tolist() == pd.Series(1, index=stamps).groupby(stamps.date).size().tolist()


# ---- bad rows ----------------------------------------------------------------------------------------


def test_bad_rows_are_counted_described_and_left_out():
    good = pd.DataFrame(
        {
            "created_at": pd.to_datetime(["2025-01-06 09:00"] * 6, utc=True),
            "first_reply_at": pd.to_datetime(["2025-01-06 09:10"] * 6, utc=True),
            "csat": [5.0, 4.0, 1.0, 2.0, 3.0, 5.0],
            "priority": ["high", "low", "normal", "urgent", None, "HIGH"],
        },
        index=[10, 11, 12, 13, 14, 15],
    )
    bad = good.copy()
    bad.loc[11, "csat"] = 6.0  # off the scale: the engine's check
    bad.loc[12, "csat"] = 4.5  # not an answer: the binding's
    bad.loc[13, "priority"] = "P1"  # no such priority
    bad.loc[14, "first_reply_at"] = pd.Timestamp("2025-01-05", tz="UTC")  # before creation
    got = cm.report(bad, by="priority")
    assert got.attrs["bad_rows"] == 4 and got.attrs["rows"] == 6
    rows = got.attrs["first_bad_rows"]
    assert [b.row for b in rows] == [11, 12, 13, 14]  # the index labels, in order
    assert (rows[0].column, rows[0].value) == ("csat", "6") and "1..5" in rows[0].expected
    assert (rows[1].column, rows[1].value) == ("csat", "4.5") and "whole number" in rows[1].expected
    assert (rows[2].column, rows[2].value) == ("priority", "P1") and "urgent" in rows[2].expected
    assert rows[3].column == "first_reply_at"
    # The good rows are reported as they would be alone.
    want = cm.report(good.loc[[10, 15]], by="priority")
    assert got["tickets"].to_dict() == {"high": 2}
    pd.testing.assert_series_equal(got.loc["high"], want.loc["high"])
    with pytest.raises(cm.BadRowError, match=r"row 11: column csat: value '6'") as e:
        cm.report(bad, by="priority", strict=True)
    assert isinstance(e.value, cm.InvalidArgumentError) and e.value.bad_row.row == 11


def test_many_bad_rows_in_one_block():
    n = 200
    df = pd.DataFrame(
        {
            "created_at": pd.Series(pd.to_datetime(["2025-01-06 09:00"] * n, utc=True)),
            "csat": np.where(np.arange(n) % 3 == 0, "bad", "5"),  # text: 67 unreadable answers
            "nps": np.where(np.arange(n) % 5 == 1, 11, 9),  # 40 off the scale, for the engine
        }
    )
    got = cm.report(df, block_rows=64)
    unreadable = set(np.flatnonzero(np.arange(n) % 3 == 0))
    off_scale = set(np.flatnonzero(np.arange(n) % 5 == 1))
    assert got.attrs["bad_rows"] == len(unreadable | off_scale)
    first = got.attrs["first_bad_rows"]
    assert [b.row for b in first] == sorted(unreadable | off_scale)[:16]
    for b in first:
        assert (b.column, b.value) == (("csat", "bad") if b.row in unreadable else ("nps", "11"))
    good = df.drop(index=list(unreadable | off_scale))
    assert got.loc["all", "csat_n"] == len(good) and got.loc["all", "tickets"] == len(good)


def test_missing_creation_instants_and_text_dates():
    df = pd.DataFrame({"created_at": ["2025-01-06 09:00", None, "2025-02-30 10:00", "2025-01-07T10:00:00+01:00"], "csat": [5, 4, 3, 2]})
    got = cm.report(df)
    assert got.attrs["bad_rows"] == 2 and got.loc["all", "csat_n"] == 2
    first = got.attrs["first_bad_rows"]
    assert [(b.row, b.column) for b in first] == [(1, "created_at"), (2, "created_at")]
    assert first[1].value == "2025-02-30 10:00"
    assert got.loc["all", "last_created"] == pd.Timestamp("2025-01-07 09:00", tz="UTC")


# ---- arguments -----------------------------------------------------------------------------------------


def test_bad_arguments_name_themselves(sample, office, policy):
    cases = [
        (dict(by=["day", "month"]), cm.InvalidArgumentError, "two time buckets"),
        (dict(by="7min"), cm.InvalidArgumentError, "divide a day"),
        (dict(by="team"), cm.NotFoundError, "no column 'team'"),
        (dict(by=5), cm.InvalidArgumentError, "by must be"),
        (dict(confidence=1.5), cm.InvalidArgumentError, r"confidence = 1.5 is outside \(0, 1\)"),
        (dict(quantiles=[1.5]), cm.OutOfRangeError, "outside"),
        (dict(quantiles=[0.1] * 9), cm.OutOfRangeError, "len"),
        (dict(quantiles=[0.5, 0.5]), cm.InvalidArgumentError, "repeats"),
        (dict(calendar="tz UTC"), cm.InvalidArgumentError, "calendar must be a caremetrics.Calendar"),
        (dict(policy="first-reply high 1h calendar"), cm.InvalidArgumentError, "policy must be"),
        (dict(policy=policy), cm.InvalidArgumentError, "give calendar="),
        (dict(columns="freshdesk"), cm.NotFoundError, "no such preset"),
        (dict(columns={"satisfaction": "csat"}), cm.InvalidArgumentError, "none of"),
        (dict(columns={"first_reply_at": "a", "first_reply_minutes": "b"}), cm.InvalidArgumentError, "same column"),
        (dict(columns={"created_at": "opened"}), cm.NotFoundError, "'opened'"),
        (dict(columns="column created_at\n"), cm.ParseError, "line 1"),
        (dict(columns="column created_at created_at\ninput-tz Europe/Paris\n"), cm.InvalidArgumentError, "tz_localize"),
        (dict(strict="yes"), cm.InvalidArgumentError, "strict"),
        (dict(block_rows=0), cm.InvalidArgumentError, "block_rows"),
        (dict(csat_scale=5), cm.InvalidArgumentError, "both"),
        (dict(csat_scale=40, csat_satisfied_min=4), cm.CaremetricsError, ""),
        (dict(short_abandon_seconds=-1.0), cm.InvalidArgumentError, "short_abandon_seconds"),
        (dict(as_of="yesterday"), cm.InvalidArgumentError, "as_of"),
    ]
    for kwargs, cls, text in cases:
        with pytest.raises(cls, match=text):
            cm.report(sample, **kwargs)
    with pytest.raises(cm.InvalidArgumentError, match="DataFrame or a mapping"):
        cm.report([1, 2, 3])
    with pytest.raises(cm.NotFoundError, match="creation column"):
        cm.report(sample.drop(columns="created_at"))
    with pytest.raises(cm.InvalidArgumentError, match="rows, not"):
        cm.report({"created_at": np.zeros(3, dtype="int64"), "csat": [1, 2]})
    with pytest.raises(cm.InvalidArgumentError, match="exact_quantiles needs row_capacity"):
        cm.ReportSpec(exact_quantiles=True)
    with pytest.raises(cm.InvalidArgumentError, match="timedelta64"):
        cm.report(pd.DataFrame({"created_at": pd.to_timedelta([1], unit="s")}))


def test_mapping_presets_and_dicts(sample):
    renamed = sample.rename(columns={"created_at": "opened", "csat": "rating", "channel": "via"})
    got = cm.report(renamed, by="channel", columns={"created_at": "opened", "csat": "rating", "channel": "via"})
    pd.testing.assert_frame_equal(got, cm.report(sample, by="channel"))
    text = 'column created_at "opened"\ncolumn csat rating\nvalue csat good=5 bad=1 "no answer"=\n'
    small = pd.DataFrame({"opened": pd.to_datetime(["2025-01-06"] * 4, utc=True), "rating": ["Good", "BAD", "no answer", None]})
    r = cm.report(small, columns=text)
    assert r.loc["all", ["csat_num", "csat_den"]].tolist() == [1, 2]


# ---- the report object ----------------------------------------------------------------------------------


def test_merge_bytes_and_pickle_equal_one_pass(sample, office, policy):
    cloudpickle = pytest.importorskip("cloudpickle")
    spec = cm.ReportSpec(["channel", "week"], calendar=office, policy=policy, group_capacity=2048)
    whole = cm.TableReport(spec).add(sample).result()
    parts = [cm.TableReport(spec).add(chunk) for chunk in np.array_split(sample.sample(frac=1, random_state=7), 4)]
    total = parts[0]
    total.merge(pickle.loads(pickle.dumps(parts[1])))
    total.merge(cloudpickle.loads(cloudpickle.dumps(parts[2])))
    total.merge_bytes(parts[3].to_bytes())
    pd.testing.assert_frame_equal(total.result(), whole)
    again = cm.TableReport.from_bytes(total.to_bytes(), pickle.loads(pickle.dumps(spec)))
    pd.testing.assert_frame_equal(again.result(), whole)
    assert pickle.loads(pickle.dumps(spec)) == spec
    with pytest.raises(cm.ParseError):
        cm.TableReport.from_bytes(b"not a report", spec)
    with pytest.raises(cm.InvalidArgumentError, match="specs differ"):
        total.merge(cm.TableReport(cm.ReportSpec("channel")))
    with pytest.raises(cm.InvalidArgumentError, match="cannot merge"):
        total.merge(cm.Csat())


def test_labels_learnt_in_other_orders_merge_by_label(sample):
    spec = cm.ReportSpec("channel", keys={"channel": 8})
    a = sample.iloc[:1500].copy()
    b = sample.iloc[1500:].copy()
    a["channel"] = pd.Categorical(a.channel, categories=["social", "phone", "email", "chat", "messaging"])
    b["channel"] = pd.Categorical(b.channel, categories=["chat", "email", "messaging", "phone", "social", "sms"])
    merged = cm.TableReport(spec).add(a).merge(cm.TableReport(spec).add(b))
    want = cm.TableReport(spec).add(sample).result()
    pd.testing.assert_frame_equal(merged.result(), want)


def test_exact_quantile_reports_grow_when_merged(sample):
    spec = cm.ReportSpec(exact_quantiles=True, row_capacity=1000)
    parts = [cm.TableReport(spec).add(sample.iloc[i : i + 1000]) for i in range(0, 3000, 1000)]
    total = parts[0].merge(parts[1]).merge(parts[2])
    pd.testing.assert_frame_equal(total.result(), cm.report(sample, exact_quantiles=True))


def test_table_report_contacts_and_lifetime(sample):
    rep = cm.TableReport(cm.ReportSpec()).add(sample)
    contacts = rep.contacts()
    waited = sample[sample.wait_seconds.notna()]
    want = cm.contact.Contacts(20, 5).add_many(waited.wait_seconds, waited.handle_seconds.fillna(0), waited.abandoned.astype(bool))
    assert contacts == want
    assert rep.rows() == (3000, 0) and rep.as_of() is None
    rep.close()
    with pytest.raises(cm.InvalidArgumentError, match="closed"):
        rep.to_bytes()


def test_engine_layouts_are_read_in_place():
    from caremetrics import _table_columns as tc
    from caremetrics import table

    n = 100
    waits = np.arange(n, dtype=np.float64)
    flags = np.zeros(n, dtype=bool)
    secs = np.arange(n, dtype=np.int64) + 1_700_000_000
    answers = np.full(n, 3, dtype=np.uint8)
    blk = tc.Block(0, n)
    assert np.shares_memory(tc.Seconds("wait_seconds", tc.Col(waits, "w"), None, n).convert(blk), waits)
    assert np.shares_memory(tc.Integers("reopened", tc.Col(flags, "r"), None, n).convert(blk), flags)
    assert np.shares_memory(tc.Integers("csat", tc.Col(answers, "a"), None, n).convert(blk), answers)
    assert np.shares_memory(tc.Instants("created_at", tc.Col(secs.view("datetime64[s]"), "c"), None, n).convert(blk), secs)
    assert np.shares_memory(tc.Instants("created_at", tc.Col(pd.Series(secs), "c"), None, n).convert(blk), secs)
    ns = pd.Series(secs.view("datetime64[s]").astype("datetime64[ns]"))
    assert not np.shares_memory(tc.Instants("created_at", tc.Col(ns, "c"), None, n).convert(blk), ns.to_numpy())
    # Categorical codes that are the engine's codes: the key is read in place too.
    df = pd.DataFrame({"created_at": secs, "channel": pd.Categorical(["a", "b"] * 50)})
    rep = table.TableReport(table.sized_spec({"rows": n, "unsolved": n, "first": None, "last": None, "keys": {"channel": (["a", "b"], True, False)}}, "channel"))
    reader = table._Reader(rep, df, 64, 0)
    assert reader.keys[0].zero_copy
    codes = reader.keys[0].convert(tc.Block(0, n))
    assert np.shares_memory(codes, df.channel.cat.codes.to_numpy())


def test_headline_kpis_and_bad_row_errors_travel(sample, office, policy):
    full = cm.report(sample, calendar=office, policy=policy)
    head = cm.report(sample, calendar=office, policy=policy, kpis="headline")
    for col in ("tickets", "csat_value", "fcr_value", "first_reply_median_seconds", "first_reply_business_mean_seconds", "sla_first_reply_within_high_value", "abandonment_value"):
        assert head.loc["all", col] == full.loc["all", col], col
    assert head.loc["all", "resolution_n"] == 0 and math.isnan(head.loc["all", "first_reply_business_median_seconds"])
    assert head.loc["all", "sla_first_reply_all_den"] == 0 and head.loc["all", "offered"] == 0
    with pytest.raises(cm.InvalidArgumentError, match="kpis"):
        cm.report(sample, kpis="some")
    e = cm.BadRowError(cm.BadRow(7, "csat", "6", "an answer 1..5, or none"), 3)
    again = pickle.loads(pickle.dumps(e))
    assert again.bad_row == e.bad_row and again.bad_rows == 3 and str(again) == str(e)


@pytest.mark.parametrize("unit", ["ns", "us", "ms", "s", "m", "h", "D", "7ms", "2s"])
def test_datetime_units_floor_to_the_second(unit):
    base = np.array(["2025-01-06T09:00:00.123", "NaT", "1969-12-31T23:59:59.5", "2025-03-09T10:00:00.999"], dtype="datetime64[ms]")
    a = base.astype(f"datetime64[{unit}]")
    got = cm.report({"created_at": a, "csat": [5, 4, 3, 2]})
    # Floored Unix seconds, from numpy's exact conversion to milliseconds.
    ms = a[~np.isnat(a)].astype("datetime64[ms]").astype(np.int64)
    want = np.floor_divide(ms, 1000)
    assert got.attrs["bad_rows"] == 1 and got.attrs["first_bad_rows"][0].row == 1  # NaT creation
    assert got.loc["all", "first_created"].value // 10**9 == want.min()
    assert got.loc["all", "last_created"].value // 10**9 == want.max()
    assert got.loc["all", "csat_n"] == 3


def test_property_instants_in_ticks_floor_like_numpy():
    """datetime64 in ns, us and ms is converted by the library: numpy's floor division
    (exact for negative instants and the int64 extremes) is the oracle; NaT stays missing."""
    hypothesis = pytest.importorskip("hypothesis")
    st = pytest.importorskip("hypothesis.strategies")
    from caremetrics import _table_columns as tc

    NAT = -(2**63)
    ticks = st.one_of(st.integers(-(2**63) + 1, 2**63 - 1), st.integers(-(10**10), 10**10), st.just(NAT),
                      st.sampled_from([-1, 0, 1, 2**63 - 1, -(2**63) + 1, -(10**9), -(10**9) - 1, 999999999]))

    @hypothesis.settings(max_examples=200, deadline=None)
    @hypothesis.given(values=st.lists(ticks, min_size=1, max_size=200), unit=st.sampled_from(["ns", "us", "ms"]), block=st.integers(1, 64))
    def check(values, unit, block):
        a = np.array(values, dtype=np.int64)
        per = {"ns": 10**9, "us": 10**6, "ms": 10**3}[unit]
        want = np.where(a == NAT, NAT, np.floor_divide(a, per))
        col = tc.Col(a.view(f"datetime64[{unit}]"), "created_at")
        t = tc.Instants("created_at", col, None, block)
        got = np.concatenate([t.convert(tc.Block(i, min(len(a), i + block))).copy() for i in range(0, len(a), block)])
        assert got.tolist() == want.tolist()

    check()


def test_property_float_answers_read_like_numpy():
    """float64 answers are converted by the library: whole numbers 0..254 are answers, NaN
    is no answer, anything else makes its row bad (as numpy's reading of them decides)."""
    hypothesis = pytest.importorskip("hypothesis")
    st = pytest.importorskip("hypothesis.strategies")
    from caremetrics import _table_columns as tc

    answers = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-3, 260).map(float),
                        st.sampled_from([0.5, 4.5, -0.0, 254.0, 255.0, 1e300, 2.0**52, 2.0**52 + 5, -(2.0**52)]))

    @hypothesis.settings(max_examples=200, deadline=None)
    @hypothesis.given(values=st.lists(answers, min_size=1, max_size=200))
    def check(values):
        v = np.array(values, dtype=np.float64)
        t = tc.Integers("csat", tc.Col(v, "csat"), None, len(v))
        blk = tc.Block(0, len(v))
        got = t.convert(blk)
        nan = np.isnan(v)
        with np.errstate(invalid="ignore"):
            usable = ~nan & (v >= 0) & (v <= 254) & (np.floor(v) == v)
        want = np.where(usable, np.where(usable, v, 0).astype(np.int64), 255)
        assert got.tolist() == want.tolist()
        bad = np.zeros(len(v), dtype=bool) if blk.bad is None else blk.bad
        assert bad.tolist() == (~usable & ~nan).tolist()

    check()


def test_property_int64_counts_read_like_numpy():
    """int64 contacts are converted by the library: 0..2**32-1 are kept, other values make
    their row bad and read as missing (1 contact)."""
    hypothesis = pytest.importorskip("hypothesis")
    st = pytest.importorskip("hypothesis.strategies")
    from caremetrics import _table_columns as tc

    counts = st.one_of(st.integers(-(2**63), 2**63 - 1), st.integers(-3, 10), st.sampled_from([2**32 - 1, 2**32, -(2**63)]))

    @hypothesis.settings(max_examples=200, deadline=None)
    @hypothesis.given(values=st.lists(counts, min_size=1, max_size=200))
    def check(values):
        a = np.array(values, dtype=np.int64)
        t = tc.Integers("contacts", tc.Col(a, "contacts"), None, len(a))
        blk = tc.Block(0, len(a))
        got = t.convert(blk)
        usable = (a >= 0) & (a <= 2**32 - 1)
        assert got.dtype == np.uint32
        assert got.tolist() == np.where(usable, a, 1).tolist()
        bad = np.zeros(len(a), dtype=bool) if blk.bad is None else blk.bad
        assert bad.tolist() == (~usable).tolist()

    check()


def test_as_of_confidence_and_quantile_options(sample, office, policy):
    t = sample[sample.abandoned == 0]
    later = pd.Timestamp("2026-03-01", tz="UTC")  # after every event: open tickets run longer
    got = cm.report(sample, calendar=office, policy=policy, as_of=later, confidence=0.9, quantiles=None)
    assert got.attrs["as_of"] == later and got.attrs["confidence"] == 0.9
    att = sla.Attainment().add_many(policy, ticket_events(t[t.priority.notna()]), later, [office])
    for level, name in ((4, "urgent"), (1, "low"), (sla.ALL_PRIORITIES, "all")):
        r = att.result(sla.Metric.TOTAL_RESOLUTION, level, 0.9)
        assert got.loc["all", [f"sla_total_resolution_{name}_num", f"sla_total_resolution_{name}_den", f"sla_total_resolution_{name}_open"]].tolist() == [r.achieved, r.achieved + r.breached, r.open]
        assert got.loc["all", f"sla_total_resolution_{name}_lo"] == r.attained.lo
    csat = cm.Csat().add_many(t.csat).result(0.9)
    assert got.loc["all", "csat_lo"] == csat.satisfied.lo and got.loc["all", "csat_hi"] == csat.satisfied.hi
    assert not any(c.endswith("_median_seconds") for c in got.columns)
    assert got.loc["all", "first_reply_mean_seconds"] == cm.report(sample).loc["all", "first_reply_mean_seconds"]


def test_value_maps_relabel_keys():
    df = pd.DataFrame({"opened": pd.to_datetime(["2025-01-06"] * 4, utc=True), "via": ["Web form", "Mail", "web FORM", None]})
    text = 'column created_at opened\ncolumn channel via\nvalue channel "web form"=web mail=email\n'
    got = cm.report(df, by="channel", columns=text)
    assert got["rows"].to_dict() == {"(none)": 1, "email": 1, "web": 2}


def test_import_needs_neither_numpy_nor_pandas():
    # The scalar API stays usable without numpy: the report's column conversions load numpy
    # on first use only, and report() then raises ImportError.
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name.split('.')[0] in ('numpy', 'pandas'):\n"
        "            raise ImportError('no ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import caremetrics as cm\n"
        "assert cm.Csat().add_many([5, 4, 1]).result().satisfied.num == 2\n"
        "try:\n"
        "    cm.report({'created_at': [0]})\n"
        "except ImportError:\n"
        "    pass\n"
        "else:\n"
        "    raise AssertionError('report ran without numpy')\n"
        "assert 'numpy' not in sys.modules\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
