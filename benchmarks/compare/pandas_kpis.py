#!/usr/bin/python3
"""The KPIs of the side-by-side benchmark in pandas (docs/benchmarks.md).

    pandas_kpis.py (--columnar FILE.cmt | --csv FILE.csv) [--repeat R]
                   [--custom-business-hour N]

Loads the tickets into a DataFrame (UTC datetime columns, categorical channel
and priority, float survey answers with NaN for "no answer"), then computes
every KPI R times, vectorised, and prints one JSON object: the KPIs, the best
compute time, wall and processor (the load is not timed), and the compute time of the same KPIs
with business hours computed the textbook way (tz_convert + numpy.busday_count)
instead of the faster per-UTC-day table. With --custom-business-hour N it also
times pandas' per-row CustomBusinessHour offset on the first N normal and low
priority tickets (their SLA due instants), checked against the vectorised
result.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kpicommon as kc  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

CHANNELS = ["phone", "chat", "email", "social", "messaging"]
TIME_COLUMNS = ["created_at", "first_reply_at", "solved_at"]
WEEKMASK = "1111100"
NS = 10**9
DAY = 86400


# ---- loading (not timed) ------------------------------------------------------------


def frame_from_columnar(path):
    rows, c = kc.read_columnar(path, np)

    def instants(a):
        ns = np.where(a == kc.NONE_TIME, np.iinfo(np.int64).min, a * NS)
        return pd.DatetimeIndex(ns.view("datetime64[ns]")).tz_localize("UTC")

    def scores(a):
        return np.where(a == kc.NONE_SCORE, np.nan, a.astype(np.float64))

    return pd.DataFrame(
        {
            "created_at": instants(c["created_at"]),
            "channel": pd.Categorical.from_codes(c["channel"].astype(np.int8), CHANNELS),
            "priority": pd.Categorical.from_codes(
                c["priority"].astype(np.int8) - 1, list(kc.PRIORITIES)
            ),
            "first_reply_at": instants(c["first_reply_at"]),
            "solved_at": instants(c["solved_at"]),
            "contacts": c["contacts"].astype(np.int64),
            "reopened": c["reopened"].astype(bool),
            "escalated": c["escalated"].astype(bool),
            "csat": scores(c["csat"]),
            "nps": scores(c["nps"]),
            "ces": scores(c["ces"]),
            "wait_seconds": c["wait_seconds"],
            "abandoned": c["abandoned"].astype(bool),
            "handle_seconds": c["handle_seconds"],
            "pending_seconds": c["pending_seconds"],
        }
    )


def frame_from_csv(path):
    df = pd.read_csv(
        path,
        dtype={
            "ticket_id": np.int64,
            "channel": pd.CategoricalDtype(CHANNELS),
            "priority": pd.CategoricalDtype(list(kc.PRIORITIES)),
            "contacts": np.int64,
            "reopened": bool,
            "escalated": bool,
            "csat": np.float64,
            "nps": np.float64,
            "ces": np.float64,
            "wait_seconds": np.float64,
            "abandoned": bool,
            "handle_seconds": np.float64,
            "pending_seconds": np.int64,
            "created_at": str,
            "first_reply_at": str,
            "solved_at": str,
        },
    )
    for col in TIME_COLUMNS:
        df[col] = pd.to_datetime(df[col], format="%Y-%m-%dT%H:%M:%SZ", utc=True)
    return df


# ---- business hours -----------------------------------------------------------------


class DayTable:
    """The schedule as one entry per UTC day: opening second, open length, and
    the open seconds of all earlier days.

    Built once with pandas (each local date's 09:00 and 17:00 localised to
    America/New_York, business days from numpy.is_busday with the holidays).
    In New York the hours of a local date always fall inside the UTC date of
    the same number, which the constructor checks, so the business seconds
    before an instant are one lookup by UTC day and a clamp.
    """

    def __init__(self, holidays, first="2008-01-01", last="2059-12-31"):
        dates = pd.date_range(first, last, freq="D")
        opens = (dates + pd.Timedelta(hours=kc.OPEN_HOUR)).tz_localize(kc.ZONE).asi8 // NS
        closes = (dates + pd.Timedelta(hours=kc.CLOSE_HOUR)).tz_localize(kc.ZONE).asi8 // NS
        self.first_day = dates[0].value // (DAY * NS)
        day_start = (np.arange(len(dates), dtype=np.int64) + self.first_day) * DAY
        if not ((opens >= day_start) & (closes <= day_start + DAY)).all():
            raise ValueError("opening hours cross a UTC midnight: the day table does not apply")
        is_open = np.is_busday(
            dates.values.astype("datetime64[D]"),
            weekmask=WEEKMASK,
            holidays=np.array(holidays, dtype="datetime64[D]"),
        )
        self.open = opens - day_start
        self.length = np.where(is_open, closes - opens, 0)
        self.before = np.cumsum(self.length) - self.length
        self.ndays = len(dates)

    def before_instants(self, t):
        """Business seconds from the table's start to each Unix second in t."""
        day = t // DAY
        i = day - self.first_day
        if len(i) and (i.min() < 0 or i.max() >= self.ndays):
            raise ValueError("an instant lies outside the day table")
        x = np.clip(t - day * DAY - self.open[i], 0, self.length[i])
        return self.before[i] + x

    def elapsed(self, a, b):
        """Business seconds of [a, b) for arrays of Unix seconds."""
        return self.before_instants(b) - self.before_instants(a)


class TzConvertCalendar:
    """The textbook vectorised way: local wall time by tz_convert, whole business
    days by numpy.busday_count, and the partial day clipped to 09:00-17:00.

    Exact for this schedule because no daylight-saving change happens between
    09:00 and 17:00, so local seconds inside the opening hours are real seconds.
    """

    def __init__(self, holidays):
        self.holidays = np.array(holidays, dtype="datetime64[D]")
        self.origin = np.datetime64("2000-01-03", "D")

    def before_instants(self, t):
        """Business seconds from the origin to each instant (a tz-aware DatetimeIndex)."""
        local = t.tz_convert(kc.ZONE).tz_localize(None).asi8 // NS
        day = local // DAY
        sod = local - day * DAY
        d64 = day.astype("datetime64[D]")
        full = np.busday_count(self.origin, d64, weekmask=WEEKMASK, holidays=self.holidays)
        is_open = np.is_busday(d64, weekmask=WEEKMASK, holidays=self.holidays)
        part = np.clip(sod - kc.OPEN_HOUR * 3600, 0, (kc.CLOSE_HOUR - kc.OPEN_HOUR) * 3600)
        return full * ((kc.CLOSE_HOUR - kc.OPEN_HOUR) * 3600) + np.where(is_open, part, 0)

    def elapsed_index(self, a, b):
        return self.before_instants(b) - self.before_instants(a)


# ---- the KPIs (timed) -----------------------------------------------------------------


def compute(df, table, tzcal=None):
    """Every KPI of docs/benchmarks.md; business hours by the day table, or by
    tz_convert + busday_count when tzcal is given."""
    abandoned = df["abandoned"].to_numpy()
    ticket = ~abandoned
    channel = df["channel"].cat.codes.to_numpy()
    wait = df["wait_seconds"].to_numpy()

    # Abandonment: phone and chat rows with a wait or an abandon, short abandons out of both sides.
    offered = (channel <= 1) & (~np.isnan(wait) | abandoned)
    lost = offered & abandoned
    short = lost & (wait < kc.SHORT_ABANDON_SECONDS)
    n_offered, n_lost, n_short = offered.sum(), lost.sum(), short.sum()

    csat = df["csat"].to_numpy()[ticket]
    nps = df["nps"].to_numpy()[ticket]
    ces = df["ces"].to_numpy()[ticket]
    ces = ces[~np.isnan(ces)]
    n_nps = np.count_nonzero(~np.isnan(nps))

    created = df["created_at"].array.asi8
    reply = df["first_reply_at"].array.asi8
    solved = df["solved_at"].array.asi8
    nat = np.iinfo(np.int64).min
    is_solved = ticket & (solved != nat)
    has_reply = ticket & (reply != nat)
    created_s = created[has_reply] // NS
    reply_s = reply[has_reply] // NS
    elapsed = reply_s - created_s
    if tzcal is None:
        business = table.elapsed(created_s, reply_s)
    else:
        business = tzcal.elapsed_index(
            df["created_at"].array[has_reply], df["first_reply_at"].array[has_reply]
        )
    median, p90 = np.percentile(elapsed, [50, 90]) if len(elapsed) else (None, None)

    # SLA: urgent and high in calendar time, normal and low in business time.
    prio = df["priority"].cat.codes.to_numpy()[has_reply]
    targets = np.array([kc.SLA_TARGETS[p][0] for p in kc.PRIORITIES], dtype=np.int64)
    with_prio = prio >= 0
    p = prio[with_prio]
    spent = np.where(p <= 1, elapsed[with_prio], business[with_prio])
    met = spent <= targets[p]
    total = np.bincount(p, minlength=4)
    achieved = np.bincount(p[met], minlength=4)

    return kc.kpi_dict(
        rows=len(df),
        tickets=np.count_nonzero(ticket),
        csat=(np.count_nonzero(csat >= 4), np.count_nonzero(~np.isnan(csat))),
        nps=(n_nps, np.count_nonzero(nps >= 9), np.count_nonzero(nps <= 6)),
        ces=(len(ces), float(ces.sum())),
        fcr=(
            np.count_nonzero(is_solved & (df["contacts"].to_numpy() == 1)),
            np.count_nonzero(is_solved),
        ),
        reply=(len(elapsed), int(elapsed.sum()), median, p90),
        business=(len(business), int(business.sum())),
        abandonment=(int(n_lost - n_short), int(n_offered - n_short)),
        sla={q: (int(achieved[i]), int(total[i])) for i, q in enumerate(kc.PRIORITIES)},
    )


def custom_business_hour(df, table, holidays, n):
    """SLA due instants of the first n normal/low tickets with a first reply by
    pandas' per-row CustomBusinessHour offset; returns the timing and whether
    every achieved flag equals the day table's."""
    prio = df["priority"]
    pick = df["first_reply_at"].notna() & ~df["abandoned"] & prio.isin(["normal", "low"])
    sub = df[pick].head(n)
    offsets = {
        q: pd.offsets.CustomBusinessHour(
            n=kc.SLA_TARGETS[q][0] // 3600,
            start="%02d:00" % kc.OPEN_HOUR,
            end="%02d:00" % kc.CLOSE_HOUR,
            weekmask="Mon Tue Wed Thu Fri",
            holidays=holidays,
        )
        for q in ("normal", "low")
    }
    # CustomBusinessHour works on wall-clock time: convert to naive New York time.
    created = sub["created_at"].dt.tz_convert(kc.ZONE).dt.tz_localize(None)
    reply = sub["first_reply_at"].dt.tz_convert(kc.ZONE).dt.tz_localize(None)
    t0 = time.perf_counter()
    met = [r <= c + offsets[q] for c, r, q in zip(created, reply, sub["priority"])]
    seconds = time.perf_counter() - t0
    c_s = sub["created_at"].array.asi8 // NS
    r_s = sub["first_reply_at"].array.asi8 // NS
    targets = np.array([kc.SLA_TARGETS[q][0] for q in sub["priority"]])
    expected = table.elapsed(c_s, r_s) <= targets
    return {
        "tickets": len(sub),
        "seconds": seconds,
        "tickets_per_second": len(sub) / seconds if seconds > 0 else None,
        "agrees": bool((np.array(met, dtype=bool) == expected).all()),
    }


def best_of(fn, repeat):
    """Runs fn repeat times: its result, the wall times and the processor times."""
    runs, cpu, result = [], [], None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        cpu.append(time.process_time() - c0)
        runs.append(time.perf_counter() - t0)
    return result, runs, cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--columnar", metavar="FILE")
    src.add_argument("--csv", metavar="FILE")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--custom-business-hour", type=int, default=0, metavar="N")
    args = ap.parse_args()

    holidays = kc.load_holidays()
    t0 = time.perf_counter()
    df = frame_from_csv(args.csv) if args.csv else frame_from_columnar(args.columnar)
    load_seconds = time.perf_counter() - t0
    table = DayTable(holidays)
    tzcal = TzConvertCalendar(holidays)

    kpis, runs, cpu = best_of(lambda: compute(df, table), args.repeat)
    kpis_tz, runs_tz, cpu_tz = best_of(lambda: compute(df, table, tzcal), args.repeat)
    bad, _ = kc.compare_kpis({"table": kpis, "tz_convert": kpis_tz})
    if bad:
        sys.exit("pandas_kpis: the two business-hour methods disagree on %s" % bad[0][0])
    out = dict(kpis)
    out.update(
        threads=1,
        compute_seconds=min(runs),
        compute_cpu_seconds=min(cpu),
        runs=runs,
        load_seconds=load_seconds,
        compute_seconds_tz_convert=min(runs_tz),
        compute_cpu_seconds_tz_convert=min(cpu_tz),
        pandas=pd.__version__,
        numpy=np.__version__,
    )
    if args.custom_business_hour > 0:
        out["custom_business_hour"] = custom_business_hour(
            df, table, [str(h) for h in holidays], args.custom_business_hour
        )
    print(kc.dump(out))


if __name__ == "__main__":
    main()
