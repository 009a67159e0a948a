#!/usr/bin/python3
"""Reference values for tests/test-queue.c, computed with mpmath at 50+ digits.

Run with Debian's interpreter (it has python3-mpmath):
    /usr/bin/python3 tests/oracle/queue_oracle.py erlang > tests/data/queue-oracle.h

Every value is computed twice, by independent routes, and the script stops
if they disagree:
  Erlang B   the recursion B(n) = A·B(n-1)/(n + A·B(n-1)) in 60-digit
             arithmetic, and the closed form A^N·e^-A / Γ(N+1, A) through
             mpmath's incomplete gamma function;
  Erlang C   C = N·B/(N - A(1 - B)), SL = 1 - C·e^{-(N-A)t/AHT},
             ASA = C·AHT/(N - A) from either B;
  Erlang A   closed forms in regularised incomplete gamma functions
             (docs/queue.md) with the mean wait of the answered as a
             quadrature, and, where the chain is small enough, a brute-force
             birth-death chain truncated far out: stationary probabilities,
             first-step analysis for the answered/abandoned split and the
             mean wait, uniformisation of the tagged caller's chain for the
             waits within t;
  staffing   linear scans over N of the functions above.
The C library computes none of these the same way (it sums around the peak
of a Poisson-like series and scales by powers of two).
"""
import sys

import mpmath as mp

mp.mp.dps = 60


def exact(x):
    """The value of the double nearest to decimal x: the input C really receives."""
    return mp.mpf(float(x))


def c_double(x):
    x = mp.mpf(x)
    if x != 0 and abs(x) < mp.mpf("1e-300"):
        raise SystemExit("value %s would be subnormal in C; pick another grid point" % x)
    s = mp.nstr(x, 20)
    if "." not in s and "e" not in s:
        s += ".0"
    return s


# ---------------------------------------------------------------- Erlang B/C

def erlang_b_recursion(n, a):
    b = mp.mpf(1)
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def erlang_b_gamma(n, a):
    # B = (a^n/n!) / sum_{k<=n} a^k/k! = a^n e^-a / Gamma(n+1, a)
    return mp.exp(n * mp.log(a) - a) / mp.gammainc(n + 1, a)


def erlang_b(n, a):
    r = erlang_b_recursion(n, a)
    g = erlang_b_gamma(n, a)
    if abs(r - g) > mp.mpf("1e-45") * abs(g):
        raise SystemExit("Erlang B routes disagree at N=%d A=%s: %s vs %s" % (n, a, r, g))
    return g


def erlang_c(n, a, b=None):
    if b is None:
        b = erlang_b(n, a)
    return n * b / (n - a * (1 - b))


def service_level(n, a, aht, t, c=None):
    if c is None:
        c = erlang_c(n, a)
    return 1 - c * mp.exp(-(n - a) * t / aht)


def asa(n, a, aht, c=None):
    if c is None:
        c = erlang_c(n, a)
    return c * aht / (n - a)


def bc_grid():
    rows = []
    traffics = ["0.1", "0.5", "1", "2.5", "7.3", "10", "30", "49.99", "100", "250.5",
                "1000", "2500", "10000", "20000"]
    for at in traffics:
        a = exact(at)
        fa = int(mp.floor(a))
        ra = float(mp.sqrt(a))
        ns = {fa + 1, fa + 2, fa + 5}
        for k in (0.5, 1, 2, 3, 5, 8):
            ns.add(fa + 1 + int(k * ra))
        if a >= 2:
            ns.add(max(1, fa // 2))     # N < A: Erlang B only
            ns.add(fa)                  # N = floor(A) <= A
        if a <= 10:
            ns.add(fa + 40)             # far tail
        for n in sorted(ns):
            rows.append((at, n))
    # the seeds
    rows += [("6", 9), ("6", 10), ("30", 35), ("30", 36)]
    # up to 100,000 Erlangs
    rows += [("100000", 100000 + k) for k in (1, 150, 316, 632, 1000)]
    rows += [("100000", 99000)]
    return rows


def emit_bc(out):
    out.append("/* Erlang B, C, service level (AHT 180 s, t = 20 s) and ASA on a grid of traffic")
    out.append(" * 0.1 .. 100,000 Erlangs and N from A+1 upward (and a few N <= A for Erlang B).")
    out.append(" * c, sl, asa are 0 where N <= A (unstable: the C functions return CM_EUNSTABLE). */")
    out.append("static const struct { double traffic; uint32_t agents; double b, c, sl, asa; } "
               "erlang_oracle[] = {")
    aht, t = mp.mpf(180), mp.mpf(20)
    for at, n in bc_grid():
        a = exact(at)
        b = erlang_b(n, a)
        if n > a:
            c = erlang_c(n, a, b)
            sl = service_level(n, a, aht, t, c)
            w = asa(n, a, aht, c)
        else:
            c = sl = w = mp.mpf(0)
        out.append("    {%s, %du, %s, %s, %s, %s}," % (at if "." in at or "e" in at else at + ".0",
                   n, c_double(b), c_double(c), c_double(sl), c_double(w)))
    out.append("};")
    out.append("")


# ---------------------------------------------------------------- Erlang A

def P(a, x):
    """Regularised lower incomplete gamma P(a, x)."""
    if x == 0:
        return mp.mpf(0)
    return mp.gammainc(a, 0, x, regularized=True)


def gterm(a, x):
    if x == 0:
        return mp.mpf(0)
    return mp.exp(a * mp.log(x) - x - mp.loggamma(a + 1))


def erlang_a_closed(a, n, aht, pat, t, want_asa=True):
    """Closed forms (docs/queue.md): returns the seven fields of cm_erlang_a_result
    (the ASA, a quadrature, only when want_asa)."""
    ratio = pat / aht
    x, y = a * ratio, n * ratio
    tt = t / pat
    z = x * mp.exp(-tt)
    s = 1 / erlang_b(n, a) - 1
    gx = gterm(y, x)
    px, p1x = P(y, x), P(y + 1, x)
    den = x * (s * gx + px)
    p_wait = x * px / den
    p_ab = (x * px - y * p1x) / den
    served = (x * s * gx + y * p1x) / den
    pz, p1z = P(y, z), P(y + 1, z)
    sl = served - y * p1z / den
    ab_within = p_ab - (z * pz - y * p1z) / den
    mean_wait = p_ab * pat
    occ = a * served / n
    if not want_asa:
        return [p_wait, p_ab, sl, ab_within, None, mean_wait, occ]
    # E[W; served] = (y / (theta * den)) * int_0^x P(y+1, w)/w dw, theta = 1/pat
    f = lambda w: P(y + 1, w) / w if w > 0 else mp.mpf(0)
    pts = [mp.mpf(0)]
    width = mp.sqrt(y + 1)
    for k in (-12, -6, -3, 0, 3, 6, 12):
        p = y + 1 + k * width
        if 0 < p < x:
            pts.append(p)
    pts.append(x)
    integral = mp.quad(f, sorted(set(pts)))
    e_w_served = pat * y * integral / den
    asa_ = e_w_served / served
    return [p_wait, p_ab, sl, ab_within, asa_, mean_wait, occ]


def erlang_a_chain(a, n, aht, pat, t):
    """Brute force: truncated birth-death chain, first-step analysis, uniformisation."""
    mu, th = 1 / aht, 1 / pat
    lam = a * mu
    x, y = lam / th, n * mu / th
    jmax = int(max(mp.mpf(0), x - y) + 20 * mp.sqrt(x + 1) + 60)
    # stationary probabilities, unnormalised with pi_0 = 1
    pi = [mp.mpf(1)]
    for k in range(1, n + jmax + 1):
        death = k * mu if k <= n else n * mu + (k - n) * th
        pi.append(pi[-1] * lam / death)
    tot = mp.fsum(pi)
    if pi[-1] / tot > mp.mpf("1e-50"):
        raise SystemExit("chain truncated too early")
    pi = [p / tot for p in pi]
    q = pi[n:]  # an arrival finds j = 0, 1, ... callers ahead
    p_wait = mp.fsum(q)
    # first-step analysis of the tagged caller with j ahead
    ps, ews = [], []
    for j in range(len(q)):
        down = n * mu + j * th  # j = 0: an agent frees up, the caller is answered
        out = down + th
        if j == 0:
            ps.append(down / out)
            ews.append(ps[0] / out)
        else:
            ps.append(down / out * ps[j - 1])
            ews.append(ps[j] / out + down / out * ews[j - 1])
    served = mp.fsum(pi[:n]) + mp.fsum(qj * pj for qj, pj in zip(q, ps))
    p_ab = 1 - served
    e_w_served = mp.fsum(qj * ej for qj, ej in zip(q, ews))
    asa_ = e_w_served / served
    # uniformisation: vector over "j ahead" plus absorbing answered / abandoned
    if t > 0:
        m = len(q)
        rate = n * mu + (m - 1) * th + th
        v = list(q)
        ans = ab = mp.mpf(0)
        poisson = mp.exp(-rate * t)
        acc_ans = acc_ab = mp.mpf(0)
        k = 0
        cum = mp.mpf(0)
        while True:
            cum += poisson
            acc_ans += poisson * ans
            acc_ab += poisson * ab
            if 1 - cum < mp.mpf("1e-55") and k > rate * t:
                break
            # one uniformised step
            nv = [mp.mpf(0)] * m
            for j in range(m):
                if v[j] == 0:
                    continue
                down = n * mu + j * th
                stay = 1 - (down + th) / rate
                nv[j] += v[j] * stay
                if j == 0:
                    ans += v[j] * down / rate
                else:
                    nv[j - 1] += v[j] * down / rate
                ab += v[j] * th / rate
            v = nv
            k += 1
            poisson = poisson * rate * t / k
        sl = mp.fsum(pi[:n]) + acc_ans
        ab_within = acc_ab
    else:
        sl = mp.fsum(pi[:n])
        ab_within = mp.mpf(0)
    return [p_wait, p_ab, sl, ab_within, asa_, p_ab / th, a * served / n]


A_GRID = [
    # traffic, agents, aht, patience, t, source
    ("30", 34, "360", "300", "20", "seed: 300 calls/h, 6 min, patience 5 min -> 34 agents"),
    ("30", 33, "360", "300", "20", "seed: one agent fewer misses 80/20"),
    ("30", 30, "360", "60", "20", "seed: patience 1 min -> 30 agents"),
    ("6", 9, "360", "180", "20", "seed: 60 calls/h, 6 min"),
    ("0.5", 1, "300", "60", "20", "single agent"),
    ("0.5", 3, "300", "900", "0", "t = 0"),
    ("2", 1, "300", "120", "30", "overloaded, N < A"),
    ("5", 5, "240", "240", "20", "N = A"),
    ("5", 8, "240", "24", "60", "short patience"),
    ("12.5", 10, "200", "2000", "15", "overloaded, long patience"),
    ("12.5", 16, "200", "6000", "15", "long patience, close to Erlang C"),
    ("50", 40, "300", "30", "20", "heavily overloaded, impatient"),
    ("50", 55, "300", "180", "20", ""),
    ("100", 108, "180", "120", "20", ""),
    ("100", 90, "180", "600", "10", "overloaded"),
    ("1000", 1030, "300", "600", "20", "large"),
    ("1000", 980, "300", "150", "20", "large, overloaded"),
    ("10000", 10080, "300", "300", "20", "very large"),
    ("10000", 9900, "300", "60", "20", "very large, overloaded"),
]

CHAIN_LIMIT = 700  # states beyond N for the brute-force check


def emit_a(out):
    out.append("/* Erlang A (M/M/N+M): the fields of cm_erlang_a_result. \"chain\" marks rows")
    out.append(" * also confirmed by the brute-force birth-death chain. */")
    out.append("static const struct { double traffic; uint32_t agents; double aht, patience, t;")
    out.append("    double p_wait, p_abandon, sl, ab_within, asa, mean_wait, occupancy;")
    out.append("    const char *source; } erlang_a_oracle[] = {")
    for at, n, aht, pat, t, src in A_GRID:
        a, ah, pa, tt = exact(at), exact(aht), exact(pat), exact(t)
        v = erlang_a_closed(a, n, ah, pa, tt)
        x, y = a * pa / ah, n * pa / ah
        tag = src
        if max(mp.mpf(0), x - y) + 20 * mp.sqrt(x + 1) + 60 <= CHAIN_LIMIT:
            w = erlang_a_chain(a, n, ah, pa, tt)
            for name, p, q in zip(["p_wait", "p_ab", "sl", "ab_within", "asa", "mean_wait",
                                   "occ"], v, w):
                if abs(p - q) > mp.mpf("1e-35") * max(abs(p), mp.mpf("1e-10")):
                    raise SystemExit("Erlang A routes disagree (%s) at %s: %s vs %s"
                                     % (name, (at, n, aht, pat, t), p, q))
            tag = (src + "; " if src else "") + "chain"
        out.append("    {%s, %du, %s, %s, %s, %s, \"%s\"}," % (
            c_double(a), n, c_double(ah), c_double(pa), c_double(tt),
            ", ".join(c_double(e) for e in v), tag))
    out.append("};")
    out.append("")


# ---------------------------------------------------------------- staffing

STAFF_GRID = [
    # traffic, aht, sl target, t, max occupancy
    ("6", "360", "0.8", "20", "1"),
    ("30", "360", "0.8", "20", "1"),
    ("30", "360", "0.8", "20", "0.8"),
    ("0.05", "300", "0.9", "30", "1"),
    ("2.5", "240", "0.95", "10", "1"),
    ("10", "180", "0.8", "20", "1"),
    ("100", "300", "0.9", "15", "1"),
    ("100", "300", "0.8", "20", "0.85"),
    ("1000", "240", "0.8", "20", "1"),
    ("1000", "240", "0.99", "5", "1"),
    ("10000", "300", "0.8", "20", "1"),
    ("10000", "300", "0.95", "30", "1"),
    ("20000", "420", "0.9", "60", "1"),
    ("100000", "300", "0.8", "20", "1"),
    ("7.7", "300", "0.5", "0", "1"),
]

ASA_GRID = [
    # traffic, aht, ASA target, max occupancy
    ("6", "360", "30", "1"),
    ("30", "360", "15", "1"),
    ("30", "360", "60", "0.9"),
    ("0.3", "600", "5", "1"),
    ("100", "300", "2", "1"),
    ("1000", "240", "1", "1"),
    ("10000", "300", "0.5", "1"),
    ("100000", "300", "0.1", "1"),
]

A_STAFF_GRID = [
    # traffic, aht, patience, sl, t, max abandon, max occupancy
    ("30", "360", "300", "0.8", "20", "1", "1"),
    ("30", "360", "60", "0.8", "20", "1", "1"),
    ("30", "360", "300", "0.8", "20", "0.02", "1"),
    ("6", "360", "180", "0.8", "20", "1", "1"),
    ("6", "360", "180", "0.8", "20", "1", "0.6"),
    ("100", "300", "120", "0.9", "20", "1", "1"),
    ("1000", "300", "600", "0.8", "20", "0.05", "1"),
]


def scan(a, pred, occ_cap):
    """Smallest N > A with N within the occupancy cap and pred(N, C(N)), stepping the
    Erlang B recursion by one agent at a time from N = floor(A) + 1 (where B is
    checked by both routes). Returns N and C(N - 1) (None when N - 1 <= A)."""
    n = int(mp.floor(a)) + 1
    b = erlang_b(n, a)
    last = None
    while True:
        c = erlang_c(n, a, b)
        if a / n <= occ_cap and pred(n, c):
            return n, last
        last = c
        n += 1
        b = a * b / (n + a * b)


def margin_check(value, target, what):
    if abs(value - target) < mp.mpf("1e-9"):
        raise SystemExit("staffing case too close to its target: %s" % what)


def emit_staffing(out):
    out.append("/* Minimum agents for an Erlang C service-level target, by linear scan. */")
    out.append("static const struct { double traffic, aht, sl, t, max_occupancy; uint32_t agents;"
               " double sl_at; } staffing_oracle[] = {")
    for at, aht, sl, t, occ in STAFF_GRID:
        a, ah, target, tt, cap = exact(at), exact(aht), exact(sl), exact(t), exact(occ)
        n, last = scan(a, lambda n, c: service_level(n, a, ah, tt, c) >= target, cap)
        got = service_level(n, a, ah, tt, erlang_c(n, a))
        margin_check(got, target, at)
        if last is not None:
            margin_check(service_level(n - 1, a, ah, tt, last), target, at)
        out.append("    {%s, %s, %s, %s, %s, %du, %s}," % (c_double(a), c_double(ah),
                   c_double(target), c_double(tt), c_double(cap), n, c_double(got)))
    out.append("};")
    out.append("")
    out.append("/* Minimum agents for an Erlang C ASA target, by linear scan. */")
    out.append("static const struct { double traffic, aht, asa, max_occupancy; uint32_t agents; }"
               " staffing_asa_oracle[] = {")
    for at, aht, target_asa, occ in ASA_GRID:
        a, ah, target, cap = exact(at), exact(aht), exact(target_asa), exact(occ)
        n, last = scan(a, lambda n, c: asa(n, a, ah, c) <= target, cap)
        margin_check(asa(n, a, ah), target, at)
        out.append("    {%s, %s, %s, %s, %du}," % (c_double(a), c_double(ah), c_double(target),
                                                   c_double(cap), n))
    out.append("};")
    out.append("")
    out.append("/* Minimum agents for Erlang A targets, by linear scan over N >= 1. */")
    out.append("static const struct { double traffic, aht, patience, sl, t, max_abandon,"
               " max_occupancy; uint32_t agents; double sl_at, abandon_at; }"
               " staffing_a_oracle[] = {")
    for at, aht, pat, sl, t, mab, occ in A_STAFF_GRID:
        a, ah, pa, target, tt = exact(at), exact(aht), exact(pat), exact(sl), exact(t)
        mab_, cap = exact(mab), exact(occ)

        def meets(n):
            v = erlang_a_closed(a, n, ah, pa, tt, want_asa=False)
            return v, v[2] >= target and v[1] <= mab_ and v[6] <= cap

        # Each measure is monotone in N: bisect, then confirm both neighbours.
        lo, hi = 0, max(2, int(2 * a))
        while not meets(hi)[1]:
            lo, hi = hi, 2 * hi
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if meets(mid)[1]:
                hi = mid
            else:
                lo = mid
        n = hi
        v, ok = meets(n)
        prev, ok_prev = meets(n - 1) if n > 1 else (None, False)
        assert ok and not ok_prev
        margin_check(v[2], target, at)
        if prev is not None:
            margin_check(prev[2], target, at)
        out.append("    {%s, %s, %s, %s, %s, %s, %s, %du, %s, %s}," % (
            c_double(a), c_double(ah), c_double(pa), c_double(target), c_double(tt),
            c_double(mab_), c_double(cap), n, c_double(v[2]), c_double(v[1])))
    out.append("};")
    out.append("")


def patience_for_34(out):
    """The seed's 300 calls/h example: for which mean patience does Erlang A give 34 agents?"""
    a, ah, tt, target = exact("30"), exact("360"), exact("20"), exact("0.8")

    def agents(pat):
        n = 28
        while erlang_a_closed(a, n, ah, pat, tt, want_asa=False)[2] < target:
            n += 1
        return n

    def boundary(lo, hi, want_hi):
        # smallest patience (to 0.1 s) for which agents() >= want_hi, given lo < it <= hi
        lo, hi = mp.mpf(lo), mp.mpf(hi)
        while hi - lo > mp.mpf("0.1"):
            mid = (lo + hi) / 2
            if agents(mid) >= want_hi:
                hi = mid
            else:
                lo = mid
        return hi

    b34 = boundary(200, 300, 34)
    b35 = boundary(300, 5000, 35)
    out.append("/* Seed \"30-34 agents depending on abandonment\" (300 calls/h, AHT 6 min, 80/20):")
    out.append(" * Erlang A needs 34 agents for mean patience from %s s to %s s (to 0.1 s). */"
               % (mp.nstr(b34, 5), mp.nstr(b35, 5)))
    out.append("#define PATIENCE_34_FROM %s" % c_double(mp.ceil(b34)))
    out.append("#define PATIENCE_34_TO %s" % c_double(mp.floor(b35 - mp.mpf("0.1"))))
    out.append("")


def main():
    if len(sys.argv) != 2 or sys.argv[1] != "erlang":
        raise SystemExit("usage: queue_oracle.py erlang")
    out = ["/* Generated by tests/oracle/queue_oracle.py with mpmath at 60 digits; do not edit. */",
           "#ifndef QUEUE_ORACLE_H", "#define QUEUE_ORACLE_H", ""]
    emit_bc(out)
    emit_a(out)
    emit_staffing(out)
    patience_for_34(out)
    out.append("#endif /* QUEUE_ORACLE_H */")
    print("\n".join(out))


if __name__ == "__main__":
    main()
