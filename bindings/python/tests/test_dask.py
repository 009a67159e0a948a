"""Accumulators, calendars and policies on a real distributed.LocalCluster with two worker
processes: partials built on the workers, shipped back with cloudpickle, merged in a tree,
equal to the single-process result field for field.

Run separately from the other tests (meson test python-dask): it starts worker processes.
"""

import os
from pathlib import Path

import pytest

import caremetrics as cm
from caremetrics import sla

pd = pytest.importorskip("pandas")
dask = pytest.importorskip("dask", reason="needs Debian's python3-dask")
dd = pytest.importorskip("dask.dataframe", reason="needs Debian's python3-dask")
distributed = pytest.importorskip("distributed", reason="needs Debian's python3-distributed")
cmd = pytest.importorskip("caremetrics.dask")

DATA = Path(__file__).resolve().parents[3] / "examples" / "data"


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    c = distributed.Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


@pytest.fixture(scope="module")
def tickets():
    df = pd.read_csv(DATA / "sample-tickets.csv", parse_dates=["created_at", "first_reply_at", "solved_at"])
    return df, dd.from_pandas(df, npartitions=8)


def test_two_worker_processes(client):
    workers = client.scheduler_info()["workers"]
    assert len(workers) == 2
    pids = set(client.run(os.getpid).values())
    assert len(pids) == 2 and os.getpid() not in pids


def _csat_on_worker(part):
    return os.getpid(), cm.Csat().add_many(part)


def test_survey_accumulators_reduce_exactly(client, tickets):
    df, ddf = tickets
    for column, make in (("csat", cm.Csat), ("nps", cm.Nps), ("ces", cm.Ces)):
        got = cmd.accumulate(ddf[column], lambda part, make=make: make().add_many(part), split_every=3).compute()
        assert got == make().add_many(df[column])
        assert got.result() == make().add_many(df[column]).result()
    # The partials really were built in the worker processes.
    parts = [dask.delayed(_csat_on_worker)(p) for p in ddf.csat.to_delayed()]
    built = client.gather(client.compute(parts))
    pids = {pid for pid, _ in built}
    assert pids and os.getpid() not in pids
    assert cmd.merge_all(*(acc for _, acc in built)) == cm.Csat().add_many(df.csat)


def test_grouped_accumulators_equal_the_pandas_frame(client, tickets):
    df, ddf = tickets
    per_channel = cmd.accumulate_by(ddf, "channel", "csat", cm.Csat).compute()
    got = cm.frame_of(per_channel, names=["channel"])
    want = cm.csat_frame(df.groupby("channel").csat)
    pd.testing.assert_frame_equal(got, want)
    durations = cmd.accumulate_by(ddf, "priority", "wait_seconds", cm.Sketch, split_every=2).compute()
    for prio, acc in durations.items():
        assert acc == cm.Sketch().add_many(df.wait_seconds[df.priority == prio])


def test_calendar_and_policy_travel_to_workers(client, tickets):
    df, ddf = tickets
    cal = cm.Calendar((DATA / "office-hours.cal").read_text())
    policy = sla.Policy((DATA / "sla-policy.txt").read_text())
    # A calendar captured in a task runs on the workers.
    got = ddf.map_partitions(lambda p: cal.elapsed_many(p.created_at, p.first_reply_at), meta=("frt", "m8[ns]")).compute()
    pd.testing.assert_series_equal(got, cal.elapsed_many(df.created_at, df.first_reply_at), check_names=False)

    # SLA attainment per partition (one library call each), merged in a tree.
    def events(p):
        parts = [
            pd.DataFrame({"ticket": p.ticket_id, "at": p.created_at, "type": "created", "value": p.priority}),
            pd.DataFrame({"ticket": p.ticket_id, "at": p.first_reply_at, "type": "agent-reply", "value": None}),
            pd.DataFrame({"ticket": p.ticket_id, "at": p.solved_at, "type": "status", "value": "solved"}),
        ]
        return pd.concat(parts).dropna(subset=["at"])

    now = df[["created_at", "first_reply_at", "solved_at"]].max().max()
    att = cmd.accumulate(ddf, lambda p: sla.Attainment().add_many(policy, events(p), now, [cal])).compute()
    assert att == sla.Attainment().add_many(policy, events(df), now, [cal])
    pd.testing.assert_frame_equal(att.to_frame(), sla.Attainment().add_many(policy, events(df), now, [cal]).to_frame())


# ---- the ticket-table report ------------------------------------------------------------------


def test_report_equals_the_single_process_report(client, tickets):
    df, ddf = tickets
    cal = cm.Calendar((DATA / "office-hours.cal").read_text())
    policy = sla.Policy((DATA / "sla-policy.txt").read_text())
    for by in (None, "channel", ["priority", "month"], ["channel", "time-of-day"]):
        want = cm.report(df, by=by, calendar=cal, policy=policy)
        got = cmd.report(ddf, by=by, calendar=cal, policy=policy, split_every=3)
        pd.testing.assert_frame_equal(got, want)
    want = cm.report(df, by="channel", exact_quantiles=True)
    pd.testing.assert_frame_equal(cmd.report(ddf, by="channel", exact_quantiles=True, split_every=2), want)
    # The partials really are folded in the worker processes.
    graph = cmd.report(ddf, by="channel", compute=False)
    assert client.compute(graph).result().equals(cm.report(df, by="channel"))


def test_report_merges_partitions_whose_labels_differ(client, tickets):
    df, _ = tickets
    shuffled = df.sample(frac=1, random_state=11).reset_index(drop=True)
    # Text keys met in a different order in every partition ...
    ddf = dd.from_pandas(shuffled, npartitions=6)
    pd.testing.assert_frame_equal(cmd.report(ddf, by="channel"), cm.report(shuffled, by="channel"))
    # ... and categorical partitions whose categories differ (order and set).
    halves = [shuffled.iloc[:1400].copy(), shuffled.iloc[1400:].copy()]
    halves[0]["channel"] = pd.Categorical(halves[0].channel, categories=["social", "phone", "email", "chat", "messaging"])
    halves[1]["channel"] = pd.Categorical(halves[1].channel, categories=["chat", "email", "messaging", "phone", "social", "sms"])
    parts = dd.from_delayed([dask.delayed(h) for h in halves], meta=halves[1].iloc[:0], verify_meta=False)
    got = cmd.report(parts, by="channel")
    want = cm.report(shuffled.assign(channel=pd.Categorical(shuffled.channel, categories=["social", "phone", "email", "chat", "messaging", "sms"])), by="channel")
    pd.testing.assert_frame_equal(got.sort_index(), want.sort_index())
    assert got.loc["sms", "rows"] == 0  # a category of one partition only: an empty group


def test_report_bad_rows_and_strict(client, tickets):
    df, _ = tickets
    bad = df.copy()
    bad.loc[[5, 2900], "csat"] = [9.0, 4.5]
    ddf = dd.from_pandas(bad, npartitions=4)
    got = cmd.report(ddf)
    want = cm.report(bad)
    pd.testing.assert_frame_equal(got, want)
    assert got.attrs["bad_rows"] == 2 and [b.row for b in got.attrs["first_bad_rows"]] == [5, 2900]
    with pytest.raises(cm.BadRowError, match="row 5"):
        cmd.report(ddf, strict=True)
