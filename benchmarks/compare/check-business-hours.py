#!/usr/bin/python3
"""Checks the business-hours computation of every benchmark peer against zoneinfo.

    check-business-hours.py --naive PATH [--postgres] [--pairs N]

1. us-holidays.txt must equal the US federal holidays of 2024-2026 derived
   from their rules (5 U.S.C. 6103, observed dates), and business-hours.cal
   must be that schedule in the calendar text format.
2. On N seeded random pairs of instants (CM_TEST_SEED overrides the seed),
   plus pairs around every holiday, every daylight-saving change and the
   exact opening and closing instants, the business seconds of [a, b) from
   the naive C loop, from both pandas methods, and (with --postgres) from the
   PostgreSQL query's schedule must equal a plain zoneinfo reference that
   builds every open period one local date at a time; so must the library's
   calendar reading business-hours.cal, when the caremetrics Python package
   can be imported (CAREMETRICS_LIBRARY, PYTHONPATH). pandas' per-row
   CustomBusinessHour must give the same SLA verdicts (4 and 8 business
   hours) as the reference.

Exits 0 when everything agrees, 1 on a disagreement, 77 when a required
peer (PostgreSQL with --postgres) is not available.
"""

import argparse
import datetime as dt
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import kpicommon as kc  # noqa: E402


def federal_holidays(year):
    """Observed US federal holidays of a year (5 U.S.C. 6103)."""

    def nth(month, weekday, n):  # n-th weekday (0 = Monday) of a month; n = -1: the last
        if n > 0:
            d = dt.date(year, month, 1)
            d += dt.timedelta(days=(weekday - d.weekday()) % 7 + 7 * (n - 1))
            return d
        d = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
        return d - dt.timedelta(days=(d.weekday() - weekday) % 7)

    def observed(d):  # Saturday -> Friday, Sunday -> Monday
        return d - dt.timedelta(days=1) if d.weekday() == 5 else (
            d + dt.timedelta(days=1) if d.weekday() == 6 else d)

    fixed = [(1, 1), (6, 19), (7, 4), (11, 11), (12, 25)]
    days = [observed(dt.date(year, m, d)) for m, d in fixed]
    days += [
        nth(1, 0, 3),  # Birthday of Martin Luther King, Jr.
        nth(2, 0, 3),  # Washington's Birthday
        nth(5, 0, -1),  # Memorial Day
        nth(9, 0, 1),  # Labor Day
        nth(10, 0, 2),  # Columbus Day
        nth(11, 3, 4),  # Thanksgiving Day
    ]
    # New Year's Day of the next year falling on a Saturday is observed on Dec 31.
    if dt.date(year + 1, 1, 1).weekday() == 5:
        days.append(dt.date(year, 12, 31))
    return sorted(d for d in days if d.year == year)


def check_files(errors):
    expected = [d for y in (2024, 2025, 2026) for d in federal_holidays(y)]
    listed = kc.load_holidays()
    if listed != expected:
        errors.append("us-holidays.txt differs from the federal rules: extra %s, missing %s"
                      % (sorted(set(listed) - set(expected)), sorted(set(expected) - set(listed))))
    with open(kc.CALENDAR_FILE) as f:
        lines = [ln.strip() for ln in f if ln.strip() and not ln.startswith("#")]
    want = ["tz %s" % kc.ZONE, "mon-fri %02d:00-%02d:00" % (kc.OPEN_HOUR, kc.CLOSE_HOUR)]
    want += ["%s closed" % d for d in listed]
    if lines != want:
        errors.append("business-hours.cal is not the schedule of us-holidays.txt")
    return len(expected)


def local(y, m, d, hh=0, mm=0, ss=0):
    from zoneinfo import ZoneInfo

    return int(dt.datetime(y, m, d, hh, mm, ss, tzinfo=ZoneInfo(kc.ZONE)).timestamp())


def make_pairs(n, seed):
    rng = random.Random(seed)
    lo = int(dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc).timestamp())
    hi = int(dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc).timestamp())
    spans = [3600, 86400, 14 * 86400, 60 * 86400]
    pairs = []
    for _ in range(n):
        a = rng.randrange(lo, hi)
        pairs.append((a, a + rng.randrange(0, rng.choice(spans) + 1)))
    one = dt.timedelta(days=1)
    for h in kc.load_holidays():
        prev, nxt = h - one, h + one
        pairs += [
            (local(h.year, h.month, h.day, 8), local(nxt.year, nxt.month, nxt.day, 8)),
            (local(prev.year, prev.month, prev.day, 16), local(nxt.year, nxt.month, nxt.day, 10)),
            (local(h.year, h.month, h.day, 12), local(h.year, h.month, h.day, 13)),
        ]
    # Daylight-saving changes (second Sunday of March, first Sunday of November).
    for y in (2024, 2025, 2026):
        for m, nth in ((3, 2), (11, 1)):
            d = dt.date(y, m, 1)
            d += dt.timedelta(days=(6 - d.weekday()) % 7 + 7 * (nth - 1))
            fri, mon = d - 2 * one, d + one
            pairs += [
                (local(fri.year, fri.month, fri.day, 16, 30), local(mon.year, mon.month, mon.day, 9, 30)),
                (local(d.year, d.month, d.day, 0), local(mon.year, mon.month, mon.day, 17)),
                (local(d.year, d.month, d.day, 1, 30), local(d.year, d.month, d.day, 3, 30)),
                (local(fri.year, fri.month, fri.day, 9), local(mon.year, mon.month, mon.day, 17)),
            ]
    # Exact opening and closing instants, and empty spans.
    for day in (dt.date(2024, 1, 2), dt.date(2025, 7, 7), dt.date(2025, 11, 3)):
        o = local(day.year, day.month, day.day, kc.OPEN_HOUR)
        c = local(day.year, day.month, day.day, kc.CLOSE_HOUR)
        pairs += [(o, c), (o, o), (c, c), (o - 1, o + 1), (c - 1, c + 1), (o, c + 86400)]
    return pairs


def report(name, got, want, pairs, errors):
    bad = [(p, g, w) for p, g, w in zip(pairs, got, want) if g != w]
    if bad:
        errors.append("%s: %d of %d pairs differ, e.g. %s" % (name, len(bad), len(pairs), bad[:3]))
    else:
        print("  %-40s %d pairs agree" % (name, len(pairs)))


def check_naive(path, pairs, want, errors):
    text = "".join("%d %d\n" % p for p in pairs)
    p = subprocess.run([path, "--elapsed"], input=text, capture_output=True, text=True)
    if p.returncode != 0:
        errors.append("naive --elapsed failed: %s" % p.stderr.strip())
        return
    report("naive C loop", [int(x) for x in p.stdout.split()], want, pairs, errors)


def check_pandas(pairs, want, errors):
    try:
        import numpy as np
        import pandas as pd

        import pandas_kpis as pk
    except ImportError as e:
        print("  pandas: skipped (%s)" % e)
        return
    holidays = kc.load_holidays()
    a = np.array([p[0] for p in pairs], dtype=np.int64)
    b = np.array([p[1] for p in pairs], dtype=np.int64)
    table = pk.DayTable(holidays)
    report("pandas, day table", table.elapsed(a, b).tolist(), want, pairs, errors)
    tz = pk.TzConvertCalendar(holidays)
    ia = pd.DatetimeIndex((a * pk.NS).view("datetime64[ns]")).tz_localize("UTC")
    ib = pd.DatetimeIndex((b * pk.NS).view("datetime64[ns]")).tz_localize("UTC")
    report("pandas, tz_convert + busday_count", tz.elapsed_index(ia, ib).tolist(), want, pairs,
           errors)
    # CustomBusinessHour: the SLA verdict "elapsed <= target" as reply <= created + offset.
    got, exp = [], []
    for hours in (4, 8):
        off = pd.offsets.CustomBusinessHour(
            n=hours, start="%02d:00" % kc.OPEN_HOUR, end="%02d:00" % kc.CLOSE_HOUR,
            weekmask="Mon Tue Wed Thu Fri", holidays=[str(h) for h in holidays])
        la = ia.tz_convert(kc.ZONE).tz_localize(None)
        lb = ib.tz_convert(kc.ZONE).tz_localize(None)
        got += [bool(y <= x + off) for x, y in zip(la, lb)]
        exp += [w <= hours * 3600 for w in want]
    report("pandas CustomBusinessHour SLA verdicts", got, exp, pairs * 2, errors)


def check_library(pairs, want, errors):
    """The library's calendar (what the report uses) parsing business-hours.cal."""
    try:
        import caremetrics
    except (ImportError, OSError) as e:
        print("  caremetrics Python binding: skipped (%s)" % e)
        return
    with open(kc.CALENDAR_FILE) as f:
        cal = caremetrics.Calendar(f.read())
    report("caremetrics calendar (business-hours.cal)", [cal.elapsed(a, b) for a, b in pairs],
           want, pairs, errors)


def check_postgres(pairs, want, errors):
    import postgres_kpis as pq

    if not all(os.access(os.path.join(pq.BINDIR, b), os.X_OK) for b in ("initdb", "pg_ctl", "psql")):
        print("  postgres: not available (%s)" % pq.BINDIR)
        return False
    rows = "".join("%d,%d,%d\n" % (i, a, b) for i, (a, b) in enumerate(pairs))
    with pq.Cluster() as pg:
        pg.psql("-c", pq.SCHEMA)
        pg.psql(
            "-c", "CREATE TEMP TABLE pairs (id bigint, a bigint, b bigint)",
            "-c", "\\copy pairs FROM STDIN WITH (FORMAT csv)",
            "-c", "INSERT INTO tickets (ticket_id, created_at, channel, first_reply_at, contacts,"
                  " abandoned) SELECT id, to_timestamp(a), 'email', to_timestamp(b), 1, false"
                  " FROM pairs",
            input=rows,
        )
        out = pg.psql("-c", pq.query_text(tail="\nSELECT ticket_id, business FROM b ORDER BY 1;"))
    got = {}
    for line in out.split():
        i, v = line.split("|")
        got[int(i)] = int(float(v)) if v else None
    report("PostgreSQL query's schedule", [got.get(i) for i in range(len(pairs))], want, pairs,
           errors)
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--naive", required=True, metavar="PATH")
    ap.add_argument("--postgres", action="store_true")
    ap.add_argument("--pairs", type=int, default=400)
    args = ap.parse_args()
    seed = int(os.environ.get("CM_TEST_SEED", "20250105"))
    print("seed %d (set CM_TEST_SEED to change)" % seed)
    errors = []
    n = check_files(errors)
    print("  holiday list and calendar file: %d federal holidays 2024-2026 checked" % n)
    pairs = make_pairs(args.pairs, seed)
    ref = kc.ReferenceCalendar()
    want = [ref.elapsed(a, b) for a, b in pairs]
    check_naive(args.naive, pairs, want, errors)
    if args.postgres:
        if not check_postgres(pairs, want, errors):
            return 77
    else:
        check_pandas(pairs, want, errors)
        check_library(pairs, want, errors)
    for e in errors:
        print("FAIL: " + e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
