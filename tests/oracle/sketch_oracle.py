#!/usr/bin/python3
"""Reference values for tests/test-sketch.c: numpy's quantiles, and exact
rational rounding of values to whole microseconds.

Run with Debian's interpreter (it has python3-numpy):
    /usr/bin/python3 tests/oracle/sketch_oracle.py sketch > tests/data/sketch-oracle.h

Each quantile case names an array by its kind, seed and length; the test
rebuilds the same array with the same splitmix64 generator (tests/testing.h)
and the same exact double operations, so the header carries only the
expected values: numpy.quantile(xs, q) with numpy's default method
("linear", Hyndman & Fan type 7), and numpy.quantile(xs, q, method=m) for
the methods the library offers besides.

The rounding table checks the sketch's sum of whole microseconds: for
thousands of half-microsecond points (k + 1/2) us, the double nearest to
(2k + 1) / 2e6 s and its neighbours up to 4 units in the last place either
side, rounded half up with Python's exact fractions.
"""
import math
import sys
from fractions import Fraction

import numpy as np

M64 = (1 << 64) - 1


def splitmix64(seed):
    state = seed
    while True:
        state = (state + 0x9E3779B97F4A7C15) & M64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        yield z ^ (z >> 31)


def unit(x):
    return (x >> 11) * 2.0**-53


# Every value is produced by exact or correctly rounded IEEE operations, so C
# computes the same doubles (see fill_array in tests/test-sketch.c).
KINDS = {
    "uniform": lambda x, i, n: unit(x),
    "ties": lambda x, i, n: float(x >> 60),
    "wide": lambda x, i, n: math.ldexp(unit(x) - 0.5, (x & 63) - 32),
    "equal": lambda x, i, n: 42.5,
    "ascending": lambda x, i, n: float(i),
    "descending": lambda x, i, n: float(n - i),
    "organ": lambda x, i, n: float(min(i, n - 1 - i)),
    "sawtooth": lambda x, i, n: float(i % 17),
}

SIZES = [1, 2, 3, 7, 16, 17, 100, 1000, 10007, 100000]

QS = ["0.0", "0.01", "0.1", "0.25", "0.5", "0.75", "0.9", "0.99", "0.999", "1.0",
      "0.3333333333333333", "0.123456789"]


def array(kind, seed, n):
    g = splitmix64(seed)
    f = KINDS[kind]
    return np.array([f(next(g), i, n) for i in range(n)], dtype=np.float64)


def emit_quantile():
    qs = np.array([float(q) for q in QS])
    print(f"#define QUANTILE_ORACLE_NQ {len(QS)}\n")
    print(f"static const double quantile_oracle_qs[{len(QS)}] = {{{', '.join(QS)}}};\n")
    print("/* numpy.quantile(array(kind, seed, n), quantile_oracle_qs), method 'linear'. */")
    print("static const struct { const char *kind; uint64_t seed; size_t n; "
          f"double expected[{len(QS)}]; }} quantile_oracle[] = {{")
    seed = 1000
    for kind in KINDS:
        for n in SIZES:
            seed += 1
            got = np.quantile(array(kind, seed, n), qs)
            vals = ", ".join(repr(float(v)) for v in got)
            print(f"    {{\"{kind}\", {seed}u, {n}u, {{{vals}}}}},")
    print("};\n")


# The library's other definitions, by Hyndman & Fan type number.
METHODS = {1: "inverted_cdf", 6: "weibull", 8: "median_unbiased", 7: "linear"}

METHOD_QS = ["0.0", "0.001", "0.01", "0.05", "0.1", "0.125", "0.2", "0.25",
             "0.3333333333333333", "0.4", "0.5", "0.6", "0.6666666666666666",
             "0.75", "0.8", "0.875", "0.9", "0.95", "0.99", "0.999", "1.0",
             "0.123456789", "0.7071067811865476", "0.5000000000000001"]

METHOD_KINDS = ["ties", "uniform", "wide", "sawtooth", "equal", "ascending"]
METHOD_SIZES = [1, 2, 3, 4, 5, 7, 10, 16, 33, 100, 999, 10007]


def emit_methods():
    qs = np.array([float(q) for q in METHOD_QS])
    print(f"#define METHOD_ORACLE_NQ {len(METHOD_QS)}\n")
    print(f"static const double method_oracle_qs[{len(METHOD_QS)}] = {{{', '.join(METHOD_QS)}}};\n")
    print("/* numpy.quantile(array(kind, seed, n), method_oracle_qs, method=...); the method by")
    print("   its Hyndman & Fan type: 1 inverted_cdf, 6 weibull, 7 linear, 8 median_unbiased. */")
    print("static const struct { const char *kind; uint64_t seed; size_t n; int type; "
          f"double expected[{len(METHOD_QS)}]; }} method_oracle[] = {{")
    seed = 5000
    for kind in METHOD_KINDS:
        for n in METHOD_SIZES:
            seed += 1
            xs = array(kind, seed, n)
            for t, name in METHODS.items():
                got = np.quantile(xs, qs, method=name)
                vals = ", ".join(repr(float(v)) for v in got)
                print(f"    {{\"{kind}\", {seed}u, {n}u, {t}, {{{vals}}}}},")
    print("};\n")


# Half-microsecond points: k = 0..999, then k near powers of two and k at random below
# the sketch's range (6.4e14 us), from the same generator as the C test.
MICROS_SEED = 0x5EED0F1A2B3C4D5E
MICROS_POINTS = 4096
MICROS_NEIGHBOURS = 4  # ulps either side


def micros_points():
    g = splitmix64(MICROS_SEED)
    for i in range(MICROS_POINTS):
        if i < 1000:
            yield i
        elif i % 4 == 0:
            e = next(g) % 50
            d = next(g) % 7
            yield max(0, (1 << e) + d - 3)
        else:
            yield next(g) % 640583700000000


def next_double(x, steps):
    for _ in range(abs(steps)):
        x = math.nextafter(x, math.inf if steps > 0 else 0.0)
    return x


def emit_micros():
    masks = []
    old_wrong = total = 0
    for k in micros_points():
        x0 = (2 * k + 1) / 2000000
        assert Fraction(x0) == Fraction(float(Fraction(2 * k + 1, 2000000)))
        mask = 0
        for j, d in enumerate(range(-MICROS_NEIGHBOURS, MICROS_NEIGHBOURS + 1)):
            x = next_double(x0, d)
            exact = math.floor(Fraction(x) * 1000000 + Fraction(1, 2))
            assert exact in (k, k + 1), (k, x, exact)
            mask |= (exact == k + 1) << j
            total += 1
            old_wrong += int(x * 1e6 + 0.5) != exact
        masks.append(mask)
    print(f"#define MICROS_ORACLE_SEED UINT64_C({MICROS_SEED:#x})")
    print(f"#define MICROS_ORACLE_POINTS {MICROS_POINTS}")
    print(f"#define MICROS_ORACLE_NEIGHBOURS {MICROS_NEIGHBOURS}\n")
    print("/* Bit j + MICROS_ORACLE_NEIGHBOURS of entry i: the double j units in the last place")
    print("   from (2k + 1) / 2e6, k the i-th point, is (k + 1) us when rounded half up, exactly")
    print(f"   (otherwise k us). Rounding x * 1e6 + 0.5 in doubles gets {old_wrong} of these")
    print(f"   {total} values wrong. */")
    print(f"static const uint16_t micros_oracle_mask[{MICROS_POINTS}] = {{")
    for i in range(0, len(masks), 12):
        print("    " + ", ".join(f"0x{m:03x}" for m in masks[i:i + 12]) + ",")
    print("};\n")


def emit_sketch():
    print("/* Generated by tests/oracle/sketch_oracle.py with numpy; do not edit. */")
    print("#ifndef SKETCH_ORACLE_H\n#define SKETCH_ORACLE_H\n")
    emit_quantile()
    emit_methods()
    emit_micros()
    print("#endif /* SKETCH_ORACLE_H */")


if __name__ == "__main__":
    {"sketch": emit_sketch}[sys.argv[1]]()
