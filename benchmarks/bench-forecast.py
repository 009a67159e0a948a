#!/usr/bin/python3
"""bench-forecast.py: the Python binding against statsmodels on the same series, in one run.

Two years of 30-minute arrivals for 5 channels (a seeded numpy generator: an
intraday bell, quieter weekends, a slow trend, Poisson counts). For each
channel, in the same process:

  hw-daily   Holt-Winters, additive damped trend and weekly season, on the 730
             daily totals, every smoothing parameter fitted, then 14 days
             forecast: caremetrics.forecast.predict against statsmodels'
             ExponentialSmoothing(..., initialization_method='heuristic').fit()
             and .forecast(14). The same model and the same objective (one-step
             squared errors); initial states are each library's own heuristic.
  hw-slots   the library's Holt-Winters on the 35,040 slots (daily totals
             aggregated inside, spread over the slots by the intraday profile)
             against the same statsmodels daily fit: what a user of each gets
             for interval forecasts, since statsmodels has no intraday profile.
  taylor     the library's double-seasonal Taylor method on the slots against
             the closest statsmodels model: ExponentialSmoothing on the slots
             with one weekly season of 336 slots. Different models: shown for
             the cost of interval-level smoothing, not as a like-for-like ratio.

Times are processor seconds of this process (time.process_time), so other
work on the machine weighs less; wall-clock seconds are printed beside them.
The accuracy columns are the RMSE of each 14-day forecast against the
generating mean, so the speed is not bought with a worse forecast.

Run: meson test -C build --benchmark forecast-statsmodels -v
"""
import sys
import time
import warnings

import numpy as np

try:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing
except ImportError:  # pragma: no cover
    print("statsmodels is not installed (Debian: python3-statsmodels): skipped")
    sys.exit(77)

import caremetrics as cm
from caremetrics import forecast as fc

P = 48
DAYS = 730
HORIZON_DAYS = 14
CHANNELS = ("phone", "chat", "email", "social", "messaging")
SCALE = (48.0, 32.0, 24.0, 6.0, 10.0)


def mean_of(c, t):
    hour = (t % P) / 2.0
    day = t // P
    bell = np.exp(-0.5 * (hour - 13.0) ** 2 / 10.0)
    week = np.where(day % 7 >= 5, 0.5, 1.0)
    return SCALE[c] * (0.1 + bell) * week * (1.0 + day / 2000.0)


def timed(fn):
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.process_time() - c0, time.perf_counter() - w0


def rmse(a, b):
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


def main():
    warnings.simplefilter("ignore")  # statsmodels' convergence chatter
    rng = np.random.default_rng(2026)
    t = np.arange(DAYS * P)
    future = DAYS * P + np.arange(HORIZON_DAYS * P)
    print(f"forecast vs statsmodels {__import__('statsmodels').__version__}: {DAYS} days of "
          f"30-minute slots, {len(CHANNELS)} channels, {HORIZON_DAYS}-day forecasts, "
          f"caremetrics {cm.version()}")
    rows = []
    totals = {k: [0.0, 0.0] for k in ("ours-daily", "ours-slots", "ours-taylor", "sm-daily", "sm-336")}
    wall = {k: 0.0 for k in totals}
    for c, name in enumerate(CHANNELS):
        y = rng.poisson(mean_of(c, t)).astype(float)
        daily = y.reshape(DAYS, P).sum(axis=1)
        truth = mean_of(c, future)
        truth_daily = truth.reshape(HORIZON_DAYS, P).sum(axis=1)

        m_daily = fc.model("holt-winters", 1, trend="damped", weeks=1)
        ours_d, cpu, w = timed(lambda: fc.predict(m_daily, daily, HORIZON_DAYS, bounds=False).point)
        totals["ours-daily"][0] += cpu
        wall["ours-daily"] += w

        def statsmodels_daily():
            r = ExponentialSmoothing(daily, trend="add", damped_trend=True, seasonal="add",
                                     seasonal_periods=7, initialization_method="heuristic").fit()
            return r.forecast(HORIZON_DAYS)

        sm_d, cpu, w = timed(statsmodels_daily)
        totals["sm-daily"][0] += cpu
        wall["sm-daily"] += w

        m_slots = fc.model("holt-winters", P, trend="damped")
        ours_s, cpu, w = timed(lambda: fc.predict(m_slots, y, HORIZON_DAYS * P, bounds=False).point)
        totals["ours-slots"][0] += cpu
        wall["ours-slots"] += w

        m_taylor = fc.model("taylor", P)
        ours_t, cpu, w = timed(lambda: fc.predict(m_taylor, y, HORIZON_DAYS * P, bounds=False).point)
        totals["ours-taylor"][0] += cpu
        wall["ours-taylor"] += w

        def statsmodels_336():
            r = ExponentialSmoothing(y, seasonal="add", seasonal_periods=7 * P,
                                     initialization_method="heuristic").fit()
            return r.forecast(HORIZON_DAYS * P)

        sm_w, cpu, w = timed(statsmodels_336)
        totals["sm-336"][0] += cpu
        wall["sm-336"] += w
        rows.append((name, rmse(ours_d, truth_daily), rmse(sm_d, truth_daily), rmse(ours_s, truth),
                     rmse(ours_t, truth), rmse(sm_w, truth)))

    print("\naccuracy: RMSE of the 14-day forecast against the generating mean")
    print(f"{'channel':<10} {'ours daily':>11} {'sm daily':>10} {'ours HW slots':>14} "
          f"{'ours Taylor':>12} {'sm 336':>8}")
    for r in rows:
        print(f"{r[0]:<10} {r[1]:11.2f} {r[2]:10.2f} {r[3]:14.3f} {r[4]:12.3f} {r[5]:8.3f}")

    cpu = {k: v[0] for k, v in totals.items()}
    print(f"\ntime for {len(CHANNELS)} channels (fit + forecast): processor seconds (wall)")
    for k in ("ours-daily", "sm-daily", "ours-slots", "ours-taylor", "sm-336"):
        print(f"  {k:<12} {cpu[k]:9.4f} s ({wall[k]:.4f} s)")
    print("\nratios (statsmodels / caremetrics, processor time, same run):")
    r1 = cpu["sm-daily"] / cpu["ours-daily"]
    r2 = cpu["sm-daily"] / cpu["ours-slots"]
    r3 = cpu["sm-336"] / cpu["ours-taylor"]
    print(f"  Holt-Winters on daily totals, same model:               {r1:8.1f}x  (target >= 20x: "
          f"{'met' if r1 >= 20 else 'NOT met'})")
    print(f"  interval forecasts, ours Holt-Winters + profile vs daily: {r2:8.1f}x")
    print(f"  Taylor on slots vs statsmodels' 336-slot season:          {r3:8.1f}x  (different models)")


if __name__ == "__main__":
    main()
