"""Shared pieces of the side-by-side benchmark (docs/benchmarks.md).

The KPI list and the agreement rule every peer is checked with, the holiday
list, the columnar file reader used by the Python peers, and a deliberately
plain reference for business time (zoneinfo, one local date at a time) that
the fast implementations of every peer are tested against.
"""

import datetime as _dt
import json
import math
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
HOLIDAYS_FILE = os.path.join(HERE, "us-holidays.txt")
CALENDAR_FILE = os.path.join(HERE, "business-hours.cal")

ZONE = "America/New_York"
OPEN_HOUR, CLOSE_HOUR = 9, 17
SHORT_ABANDON_SECONDS = 5.0
PRIORITIES = ("urgent", "high", "normal", "low")
# SLA first-reply targets in seconds, and whether they count business time.
SLA_TARGETS = {
    "urgent": (15 * 60, False),
    "high": (3600, False),
    "normal": (4 * 3600, True),
    "low": (8 * 3600, True),
}

# Relative tolerance for means, proportions and quantiles; counts are exact.
REL_TOL = 1e-9

# (path, kind): kind "count" must be equal, "real" equal to REL_TOL relative.
KPI_FIELDS = [
    ("rows", "count"),
    ("tickets", "count"),
    ("csat.num", "count"),
    ("csat.den", "count"),
    ("csat.value", "real"),
    ("nps.n", "count"),
    ("nps.promoters", "count"),
    ("nps.detractors", "count"),
    ("nps.score", "real"),
    ("ces.n", "count"),
    ("ces.mean", "real"),
    ("fcr.num", "count"),
    ("fcr.den", "count"),
    ("fcr.value", "real"),
    ("first_reply.n", "count"),
    ("first_reply.mean_seconds", "real"),
    ("first_reply.median_seconds", "real"),
    ("first_reply.p90_seconds", "real"),
    ("first_reply_business.n", "count"),
    ("first_reply_business.total_seconds", "count"),
    ("first_reply_business.mean_seconds", "real"),
    ("abandonment.num", "count"),
    ("abandonment.den", "count"),
    ("abandonment.value", "real"),
]
for _p in PRIORITIES:
    KPI_FIELDS += [
        ("sla_first_reply.%s.achieved" % _p, "count"),
        ("sla_first_reply.%s.total" % _p, "count"),
        ("sla_first_reply.%s.value" % _p, "real"),
    ]


def load_holidays(path=HOLIDAYS_FILE):
    """The closed dates, as a sorted list of datetime.date."""
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                out.append(_dt.date.fromisoformat(line))
    return sorted(out)


MISSING = object()  # a KPI the peer does not compute (absent, unlike null = no data)


def lookup(kpis, path):
    v = kpis
    for part in path.split("."):
        if not isinstance(v, dict) or part not in v:
            return MISSING
        v = v[part]
    return v


def agree(kind, a, b):
    """Whether two values of a KPI agree under the benchmark's rule."""
    if a is None or b is None:
        return a is None and b is None
    if kind == "count":
        return float(a) == float(b) and float(a) == math.floor(float(a))
    a, b = float(a), float(b)
    if not (math.isfinite(a) and math.isfinite(b)):
        return False
    return abs(a - b) <= REL_TOL * max(abs(a), abs(b))


def compare_kpis(results):
    """results: {peer: kpi dict}.

    Returns (bad, absent): bad lists (field, {peer: value}) for every field on
    which the peers that compute it disagree; absent maps each peer to the
    fields it does not compute (they are compared among the others).
    """
    bad, absent = [], {p: [] for p in results}
    for path, kind in KPI_FIELDS:
        values = {}
        for p, k in results.items():
            v = lookup(k, path)
            if v is MISSING:
                absent[p].append(path)
            else:
                values[p] = v
        peers = list(values)
        if peers and not all(agree(kind, values[peers[0]], values[q]) for q in peers[1:]):
            bad.append((path, values))
    return bad, {p: f for p, f in absent.items() if f}


def kpi_dict(rows, tickets, csat, nps, ces, fcr, reply, business, abandonment, sla):
    """Builds the common KPI object from plain numbers (used by the Python peers).

    csat, fcr, abandonment: (num, den); nps: (n, promoters, detractors);
    ces: (n, sum); reply: (n, sum, median, p90); business: (n, total);
    sla: {priority: (achieved, total)}.
    """

    def ratio(num, den):
        return {"num": int(num), "den": int(den), "value": num / den if den else None}

    n_r, sum_r, med, p90 = reply
    out = {
        "rows": int(rows),
        "tickets": int(tickets),
        "csat": ratio(*csat),
        "nps": {
            "n": int(nps[0]),
            "promoters": int(nps[1]),
            "detractors": int(nps[2]),
            "score": 100.0 * (nps[1] - nps[2]) / nps[0] if nps[0] else None,
        },
        "ces": {"n": int(ces[0]), "mean": ces[1] / ces[0] if ces[0] else None},
        "fcr": ratio(*fcr),
        "first_reply": {
            "n": int(n_r),
            "mean_seconds": sum_r / n_r if n_r else None,
            "median_seconds": float(med) if n_r else None,
            "p90_seconds": float(p90) if n_r else None,
        },
        "first_reply_business": {
            "n": int(business[0]),
            "total_seconds": int(business[1]),
            "mean_seconds": business[1] / business[0] if business[0] else None,
        },
        "abandonment": ratio(*abandonment),
        "sla_first_reply": {},
    }
    for p in PRIORITIES:
        a, t = sla[p]
        out["sla_first_reply"][p] = {
            "achieved": int(a),
            "total": int(t),
            "value": a / t if t else None,
        }
    return out


# ---- the columnar file (docs/ticket-columns.md), read with the struct module ----

_TYPES = {1: "u1", 2: "<u4", 3: "<i8", 4: "<f8"}
_WIDTH = {1: 1, 2: 4, 3: 8, 4: 8}
NONE_TIME = -(2**63)
NONE_SCORE = 255


def read_columnar(path, np):
    """The columns of a columnar ticket file as numpy arrays (copied into memory)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"CMTICKET":
        raise ValueError("%s: not a columnar ticket file" % path)
    version, ncols, rows = struct.unpack_from("<IIQ", data, 8)
    if version != 1:
        raise ValueError("%s: version %d" % (path, version))
    cols = {}
    for c in range(ncols):
        name, typ, offset = struct.unpack_from("<16sB7xQ", data, 32 + 32 * c)
        name = name.rstrip(b"\0").decode()
        end = offset + rows * _WIDTH[typ]
        if end > len(data):
            raise ValueError("%s: column %s past the end" % (path, name))
        cols[name] = np.frombuffer(data, dtype=_TYPES[typ], count=rows, offset=offset).copy()
    return rows, cols


# ---- reference business time -----------------------------------------------------


class ReferenceCalendar:
    """Business seconds of [a, b) on the benchmark's schedule, one local date at a time.

    Plain and slow on purpose: every open period is built with zoneinfo from
    the local date's 09:00 and 17:00, and the overlap with [a, b) is summed.
    """

    def __init__(self, holidays=None):
        from zoneinfo import ZoneInfo

        self.zone = ZoneInfo(ZONE)
        self.holidays = set(holidays if holidays is not None else load_holidays())

    def period(self, day):
        """The open period [start, end) of a local date in Unix seconds, or None."""
        if day.weekday() >= 5 or day in self.holidays:
            return None
        start = _dt.datetime(day.year, day.month, day.day, OPEN_HOUR, tzinfo=self.zone)
        end = _dt.datetime(day.year, day.month, day.day, CLOSE_HOUR, tzinfo=self.zone)
        return int(start.timestamp()), int(end.timestamp())

    def elapsed(self, a, b):
        if b <= a:
            return -self.elapsed(b, a) if b < a else 0
        utc = _dt.timezone.utc
        first = _dt.datetime.fromtimestamp(a, utc).astimezone(self.zone).date()
        last = _dt.datetime.fromtimestamp(b, utc).astimezone(self.zone).date()
        total = 0
        day = first - _dt.timedelta(days=1)
        while day <= last + _dt.timedelta(days=1):
            p = self.period(day)
            if p is not None:
                total += max(0, min(b, p[1]) - max(a, p[0]))
            day += _dt.timedelta(days=1)
        return total


def dump(obj):
    return json.dumps(obj, indent=None, separators=(", ", ": "))
