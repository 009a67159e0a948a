#!/usr/bin/python3
"""Reference values for tests/test-qa.c, computed with mpmath at 50 digits.

Run with Debian's interpreter (it has python3-mpmath):
    /usr/bin/python3 tests/oracle/qa_oracle.py qa > tests/data/qa-oracle.h

Written from the textbook definitions, independently of lib/qa*.c:
 - Krippendorff's alpha through the coincidence matrix o_ck and the metric
   differences of "Computing Krippendorff's Alpha-Reliability" (2011), where
   the C code uses closed forms (mid-ranks, sums of squared deviations);
 - the six ICCs of Shrout & Fleiss (1979) from the ANOVA sums of squares;
 - the Student t interval of a mean score, t from the regularized incomplete
   beta function (mpmath.betainc) solved with mpmath.findroot.
Random matrices come from a splitmix64 generator written here, so the data
(and the header) do not depend on the Python version.
"""
import sys

import mpmath as mp

mp.mp.dps = 50

MASK = (1 << 64) - 1


class SplitMix:
    def __init__(self, seed):
        self.s = seed & MASK

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & MASK
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n


def alpha(matrix, level):
    """matrix: list of units, each a list of ratings or None; returns (alpha, Do, De)."""
    units = [[mp.mpf(x) for x in u if x is not None] for u in matrix]
    units = [u for u in units if len(u) >= 2]
    values = sorted(set(x for u in units for x in u))
    idx = {v: i for i, v in enumerate(values)}
    nv = len(values)
    o = [[mp.mpf(0)] * nv for _ in range(nv)]
    for u in units:
        m = len(u)
        for i in range(m):
            for j in range(m):
                if i != j:
                    o[idx[u[i]]][idx[u[j]]] += mp.mpf(1) / (m - 1)
    nc = [mp.fsum(row) for row in o]
    n = mp.fsum(nc)

    def delta2(c, k):
        a, b = values[c], values[k]
        if level == "nominal":
            return mp.mpf(0 if c == k else 1)
        if level == "interval":
            return (a - b) ** 2
        if level == "ratio":
            return mp.mpf(0) if a + b == 0 else ((a - b) / (a + b)) ** 2
        lo, hi = min(c, k), max(c, k)
        return (mp.fsum(nc[lo:hi + 1]) - (nc[c] + nc[k]) / 2) ** 2

    do = mp.fsum(o[c][k] * delta2(c, k) for c in range(nv) for k in range(nv)) / n
    de = mp.fsum(nc[c] * nc[k] * delta2(c, k) for c in range(nv) for k in range(nv)) / (n * (n - 1))
    return 1 - do / de, do, de


def icc(rows):
    y = [[mp.mpf(x) for x in r] for r in rows]
    n, k = len(y), len(y[0])
    g = mp.fsum(x for r in y for x in r) / (n * k)
    rm = [mp.fsum(r) / k for r in y]
    cm = [mp.fsum(y[i][j] for i in range(n)) / n for j in range(k)]
    sst = mp.fsum((x - g) ** 2 for r in y for x in r)
    ssr = k * mp.fsum((m - g) ** 2 for m in rm)
    ssc = n * mp.fsum((m - g) ** 2 for m in cm)
    ssw = sst - ssr
    sse = sst - ssr - ssc
    bms, wms = ssr / (n - 1), ssw / (n * (k - 1))
    jms, ems = ssc / (k - 1), sse / ((n - 1) * (k - 1))
    return [
        (bms - wms) / (bms + (k - 1) * wms),
        (bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n),
        (bms - ems) / (bms + (k - 1) * ems),
        (bms - wms) / bms,
        (bms - ems) / (bms + (jms - ems) / n),
        (bms - ems) / bms,
        bms, wms, jms, ems,
    ]


def t_critical(conf, nu):
    """t with P(|T| <= t) = conf: 1 - I_{nu/(nu+t^2)}(nu/2, 1/2) = conf."""
    conf = mp.mpf(float(conf))
    nu = mp.mpf(nu)

    def f(t):
        return 1 - mp.betainc(nu / 2, mp.mpf(1) / 2, 0, nu / (nu + t * t), regularized=True) - conf

    hi = mp.mpf(1)
    while f(hi) < 0:
        hi *= 2
    return mp.findroot(f, (hi / 2 if hi > 1 else mp.mpf(0), hi), solver="illinois")


def mean_interval(scores, conf):
    # scores are recorded in micro-points: the C accumulator rounds them so
    xs = [mp.mpf(round(s * 1000000)) / 1000000 for s in scores]
    n = len(xs)
    mean = mp.fsum(xs) / n
    sd = mp.sqrt(mp.fsum((x - mean) ** 2 for x in xs) / (n - 1))
    t = t_critical(conf, n - 1)
    half = t * sd / mp.sqrt(n)
    return mean, sd, max(mp.mpf(0), mean - half), min(mp.mpf(100), mean + half)


def c_double(x):
    s = mp.nstr(mp.mpf(x), 20)
    if "." not in s and "e" not in s:
        s += ".0"
    return s


# Krippendorff (2011): rows are units 1..12, columns observers A..D; None = missing.
KRIPPENDORFF = [
    [1, 1, None, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3], [2, 2, 2, 2], [1, 2, 3, 4],
    [4, 4, 4, 4], [1, 1, 2, 1], [2, 2, 2, 2], [None, 5, 5, 5], [None, None, 1, 1],
    [None, 3, None, None],
]

# Shrout & Fleiss (1979), Table 2: 6 targets x 4 judges.
SHROUT_FLEISS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]

LEVELS = ["nominal", "ordinal", "interval", "ratio"]


def random_alpha_cases():
    """Random QA-like matrices: scores on a 1..5 scale or 0..100 with decimals, some missing."""
    cases = []
    rng = SplitMix(20261123)
    for c in range(12):
        units = 3 + rng.below(25)
        raters = 2 + rng.below(5)
        scale = rng.below(3)
        rows = []
        for _ in range(units):
            base = rng.below(5)
            row = []
            for _ in range(raters):
                if rng.below(5) == 0:
                    row.append(None)
                elif scale == 0:
                    row.append(1 + min(4, max(0, base + rng.below(3) - 1)))
                elif scale == 1:
                    row.append((50 + 10 * base + rng.below(21) - 10) + rng.below(4) / 4)
                else:
                    row.append(rng.below(3))
            rows.append(row)
        cases.append(rows)
    return cases


def random_icc_cases():
    cases = []
    rng = SplitMix(7)
    for c in range(8):
        n = 2 + rng.below(30)
        k = 2 + rng.below(6)
        rows = []
        for _ in range(n):
            target = rng.below(60)
            rows.append([40 + target + rng.below(15) + (j * (c % 3)) + rng.below(4) / 8 for j in range(k)])
        cases.append(rows)
    return cases


MEAN_CASES = [
    # scores, repeat, confidence
    ([92.5, 88.0, 75.25, 100.0, 81.0], 1, "0.95"),
    ([60.0, 70.0], 1, "0.95"),
    ([60.0, 70.0], 1, "0.99"),
    ([85.0, 86.0, 90.0], 1, "0.5"),
    ([85.0, 86.0, 90.0, 91.5], 1, "0.999"),
    ([70.0, 95.0, 88.8888888, 91.0, 79.5, 83.25], 5, "0.9"),
    ([80.0, 90.0], 2501, "0.95"),
    ([80.0, 90.0, 85.0], 4001, "0.95"),
    ([80.0, 90.0], 6000, "0.99"),
]


def fmt_row(vals):
    return "{" + ", ".join(vals) + "}"


def emit_qa():
    out = []
    out.append("/* Generated by tests/oracle/qa_oracle.py (mpmath, 50 digits); do not edit. */")
    out.append("#ifndef QA_ORACLE_H\n#define QA_ORACLE_H\n")
    out.append("#define QA_NA_VALUE -1.0 /* missing rating in the tables below */\n")
    # published example: computed values from the coincidence-matrix definition
    out.append("/* Krippendorff (2011) example: alpha by level (nominal, ordinal, interval, ratio). */")
    out.append("static const double krippendorff_example_oracle[4] = {")
    for lv in LEVELS:
        a, _, _ = alpha(KRIPPENDORFF, lv)
        out.append(f"    {c_double(a)}, /* {lv} */")
    out.append("};\n")
    out.append("/* Shrout & Fleiss (1979) example: ICC(1,1) (2,1) (3,1) (1,k) (2,k) (3,k), BMS WMS JMS EMS. */")
    vals = icc(SHROUT_FLEISS)
    out.append("static const double shrout_fleiss_oracle[10] = {" + ", ".join(c_double(v) for v in vals) + "};\n")

    # random alpha cases
    cases = random_alpha_cases()
    out.append("typedef struct alpha_case {\n    size_t units, raters;\n    const double *ratings; /* QA_NA_VALUE = missing */\n    double alpha[4];\n} alpha_case;\n")
    for i, rows in enumerate(cases):
        flat = [c_double(x) if x is not None else "QA_NA_VALUE" for r in rows for x in r]
        out.append(f"static const double alpha_case_{i}[] = {{" + ", ".join(flat) + "};")
    out.append("static const alpha_case alpha_oracle[] = {")
    for i, rows in enumerate(cases):
        res = []
        for lv in LEVELS:
            try:
                res.append(c_double(alpha(rows, lv)[0]))
            except ZeroDivisionError:
                res.append("0.0 /* undefined */")
        out.append(f"    {{{len(rows)}, {len(rows[0])}, alpha_case_{i}, {fmt_row(res)}}},")
    out.append("};\n")

    # random ICC cases
    icases = random_icc_cases()
    out.append("typedef struct icc_case {\n    size_t targets, raters;\n    const double *ratings;\n    double icc[10];\n} icc_case;\n")
    for i, rows in enumerate(icases):
        flat = [c_double(x) for r in rows for x in r]
        out.append(f"static const double icc_case_{i}[] = {{" + ", ".join(flat) + "};")
    out.append("static const icc_case icc_oracle[] = {")
    for i, rows in enumerate(icases):
        out.append(f"    {{{len(rows)}, {len(rows[0])}, icc_case_{i}, {fmt_row([c_double(v) for v in icc(rows)])}}},")
    out.append("};\n")

    # mean intervals
    out.append("typedef struct mean_case {\n    const double *scores;\n    size_t nscores, repeat;\n    double confidence, mean, sd, lo, hi;\n} mean_case;\n")
    for i, (scores, rep, conf) in enumerate(MEAN_CASES):
        out.append(f"static const double mean_scores_{i}[] = {{" + ", ".join(repr(s) for s in scores) + "};")
    out.append("static const mean_case mean_oracle[] = {")
    for i, (scores, rep, conf) in enumerate(MEAN_CASES):
        mean, sd, lo, hi = mean_interval(scores * rep, conf)
        out.append(f"    {{mean_scores_{i}, {len(scores)}, {rep}, {conf}, {c_double(mean)}, {c_double(sd)}, {c_double(lo)}, {c_double(hi)}}},")
    out.append("};\n")
    out.append("#endif /* QA_ORACLE_H */")
    print("\n".join(out))


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] != "qa":
        sys.exit("usage: qa_oracle.py qa")
    emit_qa()
