#!/usr/bin/python3
"""Reference values for tests/test-calendar.c, computed with Python's zoneinfo.

Run with Debian's interpreter (its zoneinfo reads /usr/share/zoneinfo, the
same tzdata files the C tests load):
    /usr/bin/python3 tests/oracle/calendar_oracle.py > tests/data/calendar-oracle.h

Nothing here comes from lib/: time-zone offsets come from zoneinfo (CPython's
own TZif reader and POSIX-TZ rules); wall-clock times are converted with
fold=0, which PEP 495 defines as the offset before a transition, i.e. the
"compatible" rule (a time in a gap moves forward by the gap, an ambiguous
time takes its first occurrence). The business-time rules are written out
from docs/calendar.md in the most direct way: build every open period of
every local date, merge them, and walk the list.
"""
import bisect
import random
import sys
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

DAY = 86400
UTC = timezone.utc

# ---------------------------------------------------------------------------
# Time zones
# ---------------------------------------------------------------------------


def zone(name):
    return UTC if name == "UTC" else ZoneInfo(name)


def offset_at(name, t):
    return int(datetime.fromtimestamp(t, zone(name)).utcoffset().total_seconds())


def transitions(name, year):
    """Instants of the offset changes in a year: a scan every 6 hours, then bisection."""
    start = int(datetime(year, 1, 1, tzinfo=UTC).timestamp())
    end = int(datetime(year + 1, 1, 1, tzinfo=UTC).timestamp())
    out = []
    prev = offset_at(name, start)
    t = start
    while t < end:
        nxt = t + 6 * 3600
        o = offset_at(name, nxt)
        if o != prev:
            lo, hi = t, nxt  # offset(lo) == prev, offset(hi) != prev
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if offset_at(name, mid) == prev:
                    lo = mid
                else:
                    hi = mid
            out.append(hi)
            prev = o
        t = nxt
    return out


def local_to_utc(name, y, mo, d, h, mi, s):
    return int(datetime(y, mo, d, h, mi, s, tzinfo=zone(name)).timestamp())


def conv(name, day, secs):
    """Instant of local date `day` plus `secs` wall-clock seconds (may pass midnight)."""
    dt = datetime.combine(day, time(0), tzinfo=zone(name)) + timedelta(seconds=secs)
    return int(dt.timestamp())


# ---------------------------------------------------------------------------
# Calendars, straight from the documented rules
# ---------------------------------------------------------------------------


class Cal:
    def __init__(self, tz, weekly, holidays=(), specials=None, rec_holidays=(), rec_specials=None):
        self.tz = tz
        self.weekly = weekly  # {0..6 (Mon..Sun): [(s, e)]}
        self.holidays = set(holidays)  # dates
        self.specials = specials or {}  # date -> [(s, e)]
        self.rec_holidays = set(rec_holidays)  # (month, day)
        self.rec_specials = rec_specials or {}  # (month, day) -> [(s, e)]
        self.cache = {}

    def own(self, day):
        """(closed, intervals) of a local date: dated entries, then every-year ones, then weekly."""
        if day in self.specials:
            return False, self.specials[day]
        if day in self.holidays:
            return True, []
        md = (day.month, day.day)
        if md in self.rec_specials:
            return False, self.rec_specials[md]
        if md in self.rec_holidays:
            return True, []
        return False, self.weekly.get(day.weekday(), [])

    def periods(self, d0, d1):
        """Merged open periods of the local dates d0 .. d1 (inclusive)."""
        key = (d0, d1)
        if key in self.cache:
            return self.cache[key]
        raw = []
        day = d0
        while day <= d1:
            closed, ivs = self.own(day)
            if not closed:
                pclosed, pivs = self.own(day - timedelta(days=1))
                pieces = list(ivs)
                if not pclosed:
                    # the previous evening's hours that run past midnight
                    pieces += [(0, e - DAY) for (s, e) in pivs if e > DAY]
                lo = conv(self.tz, day, 0)
                hi = conv(self.tz, day + timedelta(days=1), 0)
                for s, e in pieces:
                    a = max(conv(self.tz, day, s), lo)
                    b = min(conv(self.tz, day, e), hi)
                    if b > a:
                        raw.append((a, b))
            day += timedelta(days=1)
        raw.sort()
        merged = []
        for a, b in raw:
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        out = [tuple(p) for p in merged]
        self.cache[key] = out
        return out

    def is_business_day(self, day):
        closed, ivs = self.own(day)
        return not closed and len(ivs) > 0


class Ops:
    """The operations over a finite list of merged periods (the caller keeps queries well inside it)."""

    def __init__(self, cal, d0, d1):
        self.cal = cal
        self.p = cal.periods(d0, d1)
        self.lo = self.p[0][0] if self.p else None
        self.hi = self.p[-1][1] if self.p else None
        self.ends = [e for s, e in self.p]
        self.cum = [0]  # open seconds before each period
        for s, e in self.p:
            self.cum.append(self.cum[-1] + e - s)

    def first_after(self, t):
        """Index of the first period with end > t."""
        return bisect.bisect_right(self.ends, t)

    def open_before(self, t):
        k = self.first_after(t)
        if k == len(self.p):
            return self.cum[k]
        s, e = self.p[k]
        return self.cum[k] + max(0, t - s)

    def elapsed(self, a, b):
        return self.open_before(b) - self.open_before(a)

    def is_open(self, t):
        k = self.first_after(t)
        return k < len(self.p) and self.p[k][0] <= t

    def next_open(self, t):
        k = self.first_after(t)
        return max(self.p[k][0], t) if k < len(self.p) else None

    def next_close(self, t):
        k = self.first_after(t)
        return self.p[k][1] if k < len(self.p) else None

    def add(self, t, n):
        if n == 0:
            return t
        k = self.first_after(t)
        if n > 0:
            for s, e in self.p[k:]:
                s = max(s, t)
                if n <= e - s:
                    return s + n
                n -= e - s
            return None
        n = -n
        for s, e in reversed(self.p[:k + 1]):
            if s >= t:
                continue
            e = min(e, t)
            if n <= e - s:
                return e - n
            n -= e - s
        return None

    def add_roll(self, t, n):
        if n == 0:
            return self.next_open(t)
        r = self.add(t, n)
        if r is None:
            return None
        if n > 0 and not self.is_open(r):
            return self.next_open(r)
        if n < 0 and self.is_open(r) and not self.is_open(r - 1):
            prev = [e for s, e in self.p if e <= r]
            return prev[-1] if prev else None
        return r

    def add_days(self, t, n):
        tz = zone(self.cal.tz)
        local = datetime.fromtimestamp(t, tz)
        day = local.date()
        step = 1 if n > 0 else -1
        left = abs(n)
        while left > 0:
            day += timedelta(days=step)
            if self.cal.is_business_day(day):
                left -= 1
        target = int(datetime.combine(day, local.time().replace(fold=0), tzinfo=tz).timestamp())
        return self.next_open(target)


# ---------------------------------------------------------------------------
# Spec text of a calendar (what the C tests parse)
# ---------------------------------------------------------------------------

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def hms(secs):
    h, rest = divmod(secs, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")


def interval_text(s, e):
    # an end past midnight is written as a time at or before the start
    return f"{hms(s)}-{hms(e - DAY if e > DAY else e)}"


def spec_of(cal, style=0):
    lines = [f"tz {cal.tz}"] if cal.tz != "UTC" or style % 2 else []
    # group weekdays with identical hours into lists
    groups = {}
    for d in range(7):
        ivs = tuple(cal.weekly.get(d, []))
        if ivs:
            groups.setdefault(ivs, []).append(d)
    for ivs, days in groups.items():
        if len(days) > 1 and days == list(range(days[0], days[-1] + 1)):
            dtext = f"{DAYS[days[0]]}-{DAYS[days[-1]]}"
        else:
            dtext = ",".join(DAYS[d] for d in days)
        lines.append(dtext + " " + ", ".join(interval_text(s, e) for s, e in ivs))
    for d in sorted(cal.holidays):
        lines.append(f"{d.isoformat()} closed")
    for d in sorted(cal.specials):
        lines.append(f"{d.isoformat()} " + ", ".join(interval_text(s, e) for s, e in cal.specials[d]))
    for m, d in sorted(cal.rec_holidays):
        lines.append(f"*-{m:02d}-{d:02d} closed")
    for (m, d), ivs in sorted(cal.rec_specials.items()):
        lines.append(f"*-{m:02d}-{d:02d} " + ", ".join(interval_text(s, e) for s, e in ivs))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# Named calendars: the acceptance list of the business-calendar issue
# ---------------------------------------------------------------------------

H = 3600
US_2025 = [date(2025, 1, 1), date(2025, 1, 20), date(2025, 2, 17), date(2025, 5, 26),
           date(2025, 6, 19), date(2025, 7, 4), date(2025, 9, 1), date(2025, 10, 13),
           date(2025, 11, 11), date(2025, 11, 27), date(2025, 12, 25)]
WEEKDAYS = range(5)


def weekly(days, ivs):
    return {d: list(ivs) for d in days}


NAMED = [
    ("weekdays 09-17, New York, US holidays 2025",
     Cal("America/New_York", weekly(WEEKDAYS, [(9 * H, 17 * H)]), holidays=US_2025)),
    ("split day 09-12 / 13-17:30, London",
     Cal("Europe/London", weekly(WEEKDAYS, [(9 * H, 12 * H), (13 * H, 17 * H + 1800)]))),
    ("24x7, New York", Cal("America/New_York", weekly(range(7), [(0, DAY)]))),
    ("24x7, London", Cal("Europe/London", weekly(range(7), [(0, DAY)]))),
    ("24x7, Sydney", Cal("Australia/Sydney", weekly(range(7), [(0, DAY)]))),
    ("weekend shifts 08-20, Sydney", Cal("Australia/Sydney", weekly([5, 6], [(8 * H, 20 * H)]))),
    ("overnight 22-06 weekdays with holidays, New York",
     Cal("America/New_York", weekly(WEEKDAYS, [(22 * H, DAY + 6 * H)]),
         holidays=[date(2025, 3, 8), date(2025, 11, 5), date(2025, 12, 25)])),
    ("18-24 and 00-06 touching at midnight, New York",
     Cal("America/New_York", {0: [(18 * H, DAY)], 1: [(0, 6 * H), (18 * H, DAY)],
                              2: [(0, 6 * H), (18 * H, DAY)], 3: [(0, 6 * H), (18 * H, DAY)],
                              4: [(0, 6 * H), (18 * H, DAY)], 5: [(0, 6 * H)]})),
    ("special hours and every-year dates, London",
     Cal("Europe/London", weekly(WEEKDAYS, [(9 * H, 17 * H)]),
         specials={date(2025, 12, 24): [(9 * H, 12 * H)], date(2025, 12, 31): [(10 * H, 14 * H)],
                   date(2025, 12, 27): [(10 * H, 13 * H)]},
         rec_holidays=[(12, 25), (12, 26), (1, 1)], rec_specials={(12, 23): [(8 * H, 20 * H)]})),
    ("leap day, UTC",
     Cal("UTC", weekly(WEEKDAYS, [(9 * H, 17 * H)]), specials={date(2024, 2, 29): [(10 * H, 11 * H)]},
         rec_holidays=[(2, 28)])),
    ("every-year February 29 closed, UTC",
     Cal("UTC", weekly(range(7), [(8 * H, 18 * H)]), rec_holidays=[(2, 29)])),
    ("Kolkata 10:00-18:30 Monday to Saturday", Cal("Asia/Kolkata", weekly(range(6), [(10 * H, 18 * H + 1800)]))),
    ("UTC 08-16 weekdays, second precision",
     Cal("UTC", weekly(WEEKDAYS, [(8 * H + 30, 16 * H + 15)]))),
    ("Sunday hours across the New York DST gap and overlap",
     Cal("America/New_York", {6: [(0, 30 * 60), (1 * H, 3 * H + 1800), (4 * H, 4 * H + 900)],
                              5: [(23 * H, DAY + 2 * H + 15 * 60)]})),
    ("hours inside the New York gap",
     Cal("America/New_York", {6: [(2 * H + 15 * 60, 2 * H + 45 * 60), (12 * H, 13 * H)]})),
    ("Sunday 00:30-03:00, London (gap 01:00-02:00, overlap 01:00-02:00)",
     Cal("Europe/London", {6: [(30 * 60, 3 * H)], 0: [(9 * H, 17 * H)]})),
    ("Sunday 01:30-03:30, Sydney (overlap 02:00-03:00 in April, gap in October)",
     Cal("Australia/Sydney", {6: [(1 * H + 1800, 3 * H + 1800)], 2: [(9 * H, 17 * H)]})),
    ("overnight from Sunday into Monday and holiday Monday, Sydney",
     Cal("Australia/Sydney", {6: [(20 * H, DAY + 8 * H)], 0: [(9 * H, 17 * H)]},
         holidays=[date(2025, 4, 7), date(2025, 10, 6)])),
]


def iso(t):
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def probes(ops, d0, d1, rng, extra=()):
    """Interesting instants: period ends and their neighbours, DST days, random ones."""
    lo = int(datetime.combine(d0, time(0), tzinfo=UTC).timestamp())
    hi = int(datetime.combine(d1, time(0), tzinfo=UTC).timestamp())
    pts = set(extra)
    inside = [(s, e) for s, e in ops.p if lo <= s < hi]
    for s, e in rng.sample(inside, min(len(inside), 4)):
        pts.update([s, s - 1, e, e - 1, (s + e) // 2])
    for _ in range(6):
        pts.add(rng.randrange(lo, hi))
    return sorted(p for p in pts if lo <= p < hi)


def cases_for(ops, pts, rng, margin_lo, margin_hi):
    """Rows (op, t, arg, expect); results must stay inside [margin_lo, margin_hi]."""
    rows = []

    def ok(x):
        return x is not None and margin_lo <= x <= margin_hi

    for t in pts:
        rows.append(("O", t, 0, int(ops.is_open(t))))
        no = ops.next_open(t)
        if ok(no):
            rows.append(("N", t, 0, no))
        nc = ops.next_close(t)
        if ok(nc) and nc < ops.hi:
            rows.append(("C", t, 0, nc))
            # land exactly on the period end, and one second short of it
            rem = ops.elapsed(t, nc)
            if rem > 0:
                rows.append(("A", t, rem, ops.add(t, rem)))
                rows.append(("R", t, rem, ops.add_roll(t, rem)))
                rows.append(("A", t, rem - 1, ops.add(t, rem - 1)))
        for n in rng.sample([1, 3600, 8 * 3600, 3 * 86400, 10 * 86400 + 7, rng.randrange(1, 40 * 86400)], 3):
            sign = rng.choice([1, -1])
            r = ops.add(t, sign * n)
            if ok(r):
                rows.append(("A", t, sign * n, r))
            r = ops.add_roll(t, -sign * n)
            if ok(r):
                rows.append(("R", t, -sign * n, r))
        for dt in rng.sample([1, 3599, 86400, 7 * 86400 + 11, rng.randrange(1, 30 * 86400)], 2):
            u = t + rng.choice([1, -1]) * dt
            if margin_lo <= u <= margin_hi:
                rows.append(("E", t, u, ops.elapsed(t, u)))
        n = rng.choice([0, 1, -1, 5, -5, 23])
        r = ops.add_days(t, n)
        if ok(r):
            rows.append(("D", t, n, r))
    return rows


# ---------------------------------------------------------------------------
# Random calendars
# ---------------------------------------------------------------------------

RANDOM_ZONES = ["America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata", "UTC",
                "Australia/Lord_Howe", "Europe/Dublin", "America/Sao_Paulo", "Pacific/Chatham",
                "America/St_Johns", "Asia/Jerusalem", "America/Santiago", "Europe/Berlin"]


def random_intervals(rng, allow_overnight=True):
    n = rng.choice([1, 1, 1, 2, 2, 3])
    out = []
    for _ in range(n):
        s = rng.randrange(0, DAY // 900) * 900 + rng.choice([0, 0, 0, 30, 59])
        if s >= DAY:
            s = DAY - 60
        if allow_overnight and rng.random() < 0.2:
            e = s + rng.randrange(1, DAY // 60) * 60  # may run past midnight
        else:
            e = rng.randrange(s // 60 + 1, DAY // 60 + 1) * 60
        if e == s + DAY and s != 0:
            e -= 60  # a whole day from mid-day cannot be written in the spec
        out.append((s, min(e, s + DAY)))
    return sorted(out)


def random_cal(rng, year):
    tz = rng.choice(RANDOM_ZONES)
    kind = rng.random()
    wk = {}
    if kind < 0.1:
        wk = weekly(range(7), [(0, DAY)])
    else:
        for d in range(7):
            if rng.random() < 0.7:
                wk[d] = random_intervals(rng)
    holidays, specials, rec_h, rec_s = [], {}, [], {}
    for _ in range(rng.randrange(0, 12)):
        day = date(year, 1, 1) + timedelta(days=rng.randrange(0, 3 * 366))
        if rng.random() < 0.6:
            holidays.append(day)
        else:
            specials[day] = random_intervals(rng)
    for d in list(specials):
        if d in holidays:
            del specials[d]
    for _ in range(rng.randrange(0, 3)):
        md = (rng.randrange(1, 13), rng.randrange(1, 29))
        if rng.random() < 0.6:
            rec_h.append(md)
        else:
            rec_s[md] = random_intervals(rng)
    for md in list(rec_s):
        if md in rec_h:
            del rec_s[md]
    return Cal(tz, wk, holidays, specials, rec_h, rec_s)


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def c_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def emit():
    rng = random.Random(20251123)
    out = []
    out.append("/* Generated by tests/oracle/calendar_oracle.py with Python's zoneinfo; do not edit. */")
    out.append("#ifndef CALENDAR_ORACLE_H\n#define CALENDAR_ORACLE_H\n")

    # --- UTC offsets and local times at and around every 2025 transition ---
    rows = []
    for name in ["America/New_York", "Europe/London", "Australia/Sydney"]:
        for tr in transitions(name, 2025):
            for dt in (-86400, -3601, -1, 0, 1, 1800, 3600, 86400):
                rows.append((name, tr + dt, "2025 transition %+d s" % dt))
    for name in ["Asia/Kolkata", "UTC"]:
        for mo in (1, 3, 6, 11):
            rows.append((name, int(datetime(2025, mo, 9, 12, tzinfo=UTC).timestamp()), "2025"))
    # far past and future: the POSIX footer governs instants after the table
    far = [(1900, 1, 1), (1969, 12, 31), (1970, 1, 1), (2037, 11, 1), (2038, 3, 14), (2050, 7, 1),
           (2100, 3, 14), (2100, 11, 7), (2500, 3, 11), (2500, 10, 31), (9999, 6, 1)]
    for name in ["America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata",
                 "Europe/Dublin", "Australia/Lord_Howe", "Asia/Jerusalem", "America/Nuuk",
                 "Africa/Casablanca", "Pacific/Apia", "America/Santiago", "Pacific/Chatham"]:
        for y, mo, d in far:
            for hh in (0, 7, 13):
                rows.append((name, int(datetime(y, mo, d, hh, 30, tzinfo=UTC).timestamp()), "far"))
        for y in (2045, 2087, 2090, 2300):
            for tr in transitions(name, y):
                for dt in (-1, 0):
                    rows.append((name, tr + dt, f"{y} transition"))
    out.append("static const struct { const char *zone; int64_t t; int32_t offset; int32_t year, month, day, hour, minute, second; const char *what; } tz_instant_oracle[] = {")
    for name, t, what in rows:
        lt = datetime.fromtimestamp(t, zone(name))
        off = int(lt.utcoffset().total_seconds())
        out.append(f"    {{\"{name}\", {t}, {off}, {lt.year}, {lt.month}, {lt.day}, {lt.hour}, {lt.minute}, {lt.second}, \"{what}\"}},")
    out.append("};\n")

    # --- local -> UTC with the compatible rule (fold=0) ---
    loc = []
    for name in ["America/New_York", "Europe/London", "Australia/Sydney", "Australia/Lord_Howe",
                 "Europe/Dublin", "America/Nuuk", "Asia/Jerusalem"]:
        for year in (2025, 2044, 2300):
            for tr in transitions(name, year):
                before = offset_at(name, tr - 1)
                after = offset_at(name, tr)
                # local wall-clock times around the change, on both clocks
                for base in (tr + before, tr + after):
                    for dt in (-3600, -1, 0, 1, 900, 1800, 3599, 3600):
                        lt = datetime.fromtimestamp(base + dt, UTC)  # wall-clock fields
                        what = "gap" if after > before else "overlap"
                        loc.append((name, lt, f"{year} {what}"))
    for name in ["Asia/Kolkata", "UTC", "Pacific/Apia"]:
        for y, mo, d, hh in [(2025, 1, 1, 0), (2025, 7, 4, 12), (2011, 12, 29, 23), (2011, 12, 31, 0),
                             (2011, 12, 30, 12)]:
            loc.append((name, datetime(y, mo, d, hh, 0, 0), "plain"))
    out.append("static const struct { const char *zone; int32_t year, month, day, hour, minute, second; int64_t t; const char *what; } tz_local_oracle[] = {")
    for name, lt, what in loc:
        t = local_to_utc(name, lt.year, lt.month, lt.day, lt.hour, lt.minute, lt.second)
        out.append(f"    {{\"{name}\", {lt.year}, {lt.month}, {lt.day}, {lt.hour}, {lt.minute}, {lt.second}, {t}, \"{what}\"}},")
    out.append("};\n")

    # --- calendars ---
    specs = []
    cases = []
    # named calendars over 2024-12 .. 2026-01 (every 2025 DST change), with
    # extra probes on each transition day of their zone
    for title, cal in NAMED:
        idx = len(specs)
        specs.append((title, spec_of(cal, idx)))
        d0, d1 = date(2023, 12, 1), date(2026, 3, 1)
        ops = Ops(cal, d0, d1)
        extra = []
        if cal.tz != "UTC":
            for tr in transitions(cal.tz, 2025):
                extra += [tr - 1, tr, tr + 1, tr - 7200, tr + 7200]
                lt = datetime.fromtimestamp(tr, zone(cal.tz)).date()
                midnight = conv(cal.tz, lt, 0)
                extra += [midnight, midnight + 1, conv(cal.tz, lt + timedelta(days=1), 0)]
        if "leap" in title or "February 29" in title:
            for y in (2024, 2025):
                extra += [int(datetime(y, 2, 28, 12, tzinfo=UTC).timestamp()),
                          int(datetime(y, 2, 29 if y == 2024 else 28, 10, 30, tzinfo=UTC).timestamp())]
        pts = probes(ops, date(2024, 12, 20), date(2026, 1, 10), rng, extra)
        lo = int(datetime(2024, 1, 10, tzinfo=UTC).timestamp())
        hi = int(datetime(2026, 2, 10, tzinfo=UTC).timestamp())
        for op, t, arg, exp in cases_for(ops, pts, rng, lo, hi):
            cases.append((idx, op, t, arg, exp))
    # random calendars, some probed far from the precomputed years
    for k in range(40):
        year = rng.choice([2024, 2024, 2024, 1955, 2150, 2400])
        cal = random_cal(rng, year)
        idx = len(specs)
        specs.append((f"random {k}", spec_of(cal, idx)))
        ops = Ops(cal, date(year - 1, 1, 1), date(year + 4, 1, 1))
        if not ops.p:
            continue
        pts = probes(ops, date(year, 1, 5), date(year + 3, 1, 1), rng)
        pts = rng.sample(pts, min(len(pts), 10))
        lo = int(datetime(year - 1, 3, 1, tzinfo=UTC).timestamp())
        hi = int(datetime(year + 3, 10, 1, tzinfo=UTC).timestamp())
        for op, t, arg, exp in cases_for(ops, sorted(pts), rng, lo, hi):
            cases.append((idx, op, t, arg, exp))

    out.append("static const struct { const char *title, *spec; } cal_oracle_specs[] = {")
    for title, spec in specs:
        out.append(f"    {{{c_string(title)}, {c_string(spec)}}},")
    out.append("};\n")
    out.append("/* op: O is_open, N next_open, C next_close, A add, R add_roll, E elapsed(t, arg), D add_days */")
    out.append("static const struct { int cal; char op; int64_t t, arg, expect; } cal_oracle[] = {")
    for idx, op, t, arg, exp in cases:
        out.append(f"    {{{idx}, '{op}', {t}, {arg}, {exp}}},")
    out.append("};\n")
    out.append("#endif /* CALENDAR_ORACLE_H */")
    print("\n".join(out))


if __name__ == "__main__":
    emit()
