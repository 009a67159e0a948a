/*
 * Benchmark of the business calendar: business seconds between, and
 * business time added to, a million realistic ticket spans (minutes to weeks)
 * in New York (DST) on a Monday-to-Friday 09:00-17:00 calendar with the US
 * federal holidays, next to a naive minute-stepping implementation measured
 * in the same run (on a subset, scaled to pairs per second); the same
 * throughput for spans in 1900-1969 and 2101-2400; the time and memory to
 * parse and build one Monday-to-Friday calendar with 30 holidays, and 10,000
 * distinct calendars over 20 zones.
 *
 *   meson test -C build-rel --benchmark -v calendar
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <caremetrics.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <stddef.h>
#include <sys/resource.h>
#include <time.h>

#define N_SPANS 1000000
#define N_NAIVE 2000
#define MINUTE  60
#define REPEATS 3

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng_state = 20251123;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static double rng_unit(void)
{
    return (double)(rng_next() >> 11) * 0x1.0p-53;
}

/* Day of the month of the n-th (n >= 1; n = 5 means last) weekday wd (1 = Mon) of a month. */
static int nth_weekday(int y, int m, int wd, int n)
{
    const cm_civil first = {y, m, 1, 0, 0, 0, 0, 0};
    cm_time t;
    cm_civil c;
    if (cm_time_from_civil(&first, &t) != CM_OK || cm_time_to_civil(t, &c) != CM_OK)
        return 1;
    int day = 1 + (wd - c.weekday + 7) % 7 + 7 * (n - 1);
    const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const int len = dim[m - 1] + (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
    while (day > len)
        day -= 7;
    return day;
}

typedef struct holiday {
    int y, m, d;
} holiday;

/* US federal holidays (as dated, without observed-day shifts) for 2019..2031. */
static int us_holidays(holiday *out)
{
    int n = 0;
    for (int y = 2019; y <= 2031; y++) {
        out[n++] = (holiday){y, 1, 1};
        out[n++] = (holiday){y, 1, nth_weekday(y, 1, 1, 3)}; /* MLK: 3rd Monday */
        out[n++] = (holiday){y, 2, nth_weekday(y, 2, 1, 3)}; /* Presidents: 3rd Monday */
        out[n++] = (holiday){y, 5, nth_weekday(y, 5, 1, 5)}; /* Memorial: last Monday */
        if (y >= 2021)
            out[n++] = (holiday){y, 6, 19}; /* Juneteenth */
        out[n++] = (holiday){y, 7, 4};
        out[n++] = (holiday){y, 9, nth_weekday(y, 9, 1, 1)};   /* Labor: 1st Monday */
        out[n++] = (holiday){y, 10, nth_weekday(y, 10, 1, 2)}; /* Columbus: 2nd Monday */
        out[n++] = (holiday){y, 11, 11};
        out[n++] = (holiday){y, 11, nth_weekday(y, 11, 4, 4)}; /* Thanksgiving: 4th Thursday */
        out[n++] = (holiday){y, 12, 25};
    }
    return n;
}

/* ---- the naive implementation: look at every minute ---------------------- */

typedef struct naive {
    const cm_tz *tz;
    const holiday *hol;
    int nhol;
} naive;

static bool naive_open(const naive *nv, cm_time t)
{
    cm_civil c;
    if (cm_tz_to_local(nv->tz, t, &c) != CM_OK)
        return false;
    if (c.weekday > 5 || c.hour < 9 || c.hour >= 17)
        return false;
    for (int i = 0; i < nv->nhol; i++)
        if (nv->hol[i].y == c.year && nv->hol[i].m == c.month && nv->hol[i].d == c.day)
            return false;
    return true;
}

static int64_t naive_elapsed(const naive *nv, cm_time a, cm_time b)
{
    int64_t open = 0;
    for (cm_time t = a; t < b; t += MINUTE)
        if (naive_open(nv, t))
            open += MINUTE;
    return open;
}

static cm_time naive_add(const naive *nv, cm_time t, int64_t seconds)
{
    while (seconds > 0) {
        if (naive_open(nv, t))
            seconds -= MINUTE;
        t += MINUTE;
    }
    return t;
}

/* -------------------------------------------------------------------------- */

static double best_of(double *runs)
{
    double b = runs[0];
    for (int i = 1; i < REPEATS; i++)
        if (runs[i] < b)
            b = runs[i];
    return b;
}

/* -------------------------------------------------------------------------- */
/* Memory: an allocator that counts the bytes it holds, and the peak RSS.     */
/* -------------------------------------------------------------------------- */

typedef struct counted {
    size_t live, peak;
} counted;

typedef union block {
    size_t n;
    max_align_t align;
} block;

static void *count_alloc(void *opaque, size_t n)
{
    counted *c = opaque;
    block *b = malloc(sizeof *b + n);
    if (b == NULL)
        return NULL;
    b->n = n;
    c->live += n;
    if (c->live > c->peak)
        c->peak = c->live;
    return b + 1;
}

static void count_free(void *opaque, void *p)
{
    if (p == NULL)
        return;
    block *b = (block *)p - 1;
    ((counted *)opaque)->live -= b->n;
    free(b);
}

static double peak_rss_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* KiB on Linux */
}

/* A Monday-to-Friday spec with 30 holidays, Saturday hours when sat_end > 0;
 * `seed` moves the holidays so that calendars differ. */
static int write_spec(char *buf, size_t cap, const char *zone, int sat_end, unsigned seed)
{
    int n = snprintf(buf, cap, "tz %s\nmon-fri 09:00-17:00\n", zone);
    if (sat_end > 0)
        n +=
            snprintf(buf + n, cap - (size_t)n, "sat 09:00-%02d:%02d\n", sat_end / 60, sat_end % 60);
    for (unsigned i = 0; i < 30; i++) {
        const unsigned y = 2025 + i / 10, m = 1 + (i % 10), d = 1 + (seed + 7 * i) % 28;
        n += snprintf(buf + n, cap - (size_t)n, "%04u-%02u-%02u closed\n", y, m, d);
    }
    return n;
}

/* Parses and builds a spec through a zone cache (the zone is shared). */
static int build_spec(const char *spec, cm_tz_cache *cache, const cm_allocator *alloc,
                      cm_calendar **out)
{
    cm_calendar_builder *b;
    if (cm_calendar_builder_new_with_allocator(alloc, &b) != CM_OK)
        return -1;
    const int ok = cm_calendar_builder_set_tz_cache(b, cache) == CM_OK &&
                   cm_calendar_builder_add_spec(b, spec, NULL) == CM_OK &&
                   cm_calendar_builder_build(b, out) == CM_OK;
    cm_calendar_builder_free(b);
    return ok ? 0 : -1;
}

#define N_BUILD   2000
#define N_TENANTS 10000

static const char *const zones20[20] = {
    "America/New_York",    "America/Chicago",     "America/Denver",   "America/Los_Angeles",
    "America/Sao_Paulo",   "America/Mexico_City", "America/Toronto",  "Europe/London",
    "Europe/Paris",        "Europe/Berlin",       "Europe/Madrid",    "Europe/Warsaw",
    "Africa/Johannesburg", "Asia/Dubai",          "Asia/Kolkata",     "Asia/Singapore",
    "Asia/Tokyo",          "Australia/Sydney",    "Pacific/Auckland", "UTC",
};

/* One calendar: build time and bytes; then 10,000 distinct ones kept alive. */
static int lean_targets(void)
{
    char spec[4096];
    cm_tz_cache *cache;
    if (cm_tz_cache_new(NULL, &cache) != CM_OK)
        return 1;
    counted one = {0, 0};
    const cm_allocator a1 = {count_alloc, count_free, &one};
    write_spec(spec, sizeof spec, "America/New_York", 0, 0);
    cm_calendar *cal;
    if (build_spec(spec, cache, &a1, &cal) != 0) /* loads the zone into the cache */
        return 1;
    const size_t cal_bytes = one.live, build_peak = one.peak;
    cm_calendar_free(cal);
    double t0 = now();
    for (int i = 0; i < N_BUILD; i++) {
        if (build_spec(spec, cache, NULL, &cal) != 0)
            return 1;
        cm_calendar_free(cal);
    }
    const double per_build = (now() - t0) / N_BUILD;
    printf("one calendar: America/New_York, Mon-Fri 09:00-17:00, 30 holidays, zone shared\n"
           "  parse and build %.1f us (mean of %d); %zu bytes held by the calendar, %zu at the "
           "peak of building\n",
           per_build * 1e6, N_BUILD, cal_bytes, build_peak);

    /* 10,000 distinct calendars over 20 zones, all kept. */
    char(*specs)[2048] = malloc(N_TENANTS * sizeof *specs);
    cm_calendar **cals = malloc(N_TENANTS * sizeof *cals);
    if (specs == NULL || cals == NULL)
        return 1;
    for (unsigned i = 0; i < N_TENANTS; i++)
        write_spec(specs[i], sizeof specs[i], zones20[i % 20], 12 * 60 + (int)(i / 20 % 120),
                   i / 2400);
    cm_tz_cache *cache20;
    counted many = {0, 0};
    const cm_allocator am = {count_alloc, count_free, &many};
    if (cm_tz_cache_new(&am, &cache20) != CM_OK)
        return 1;
    const double rss0 = peak_rss_mib();
    t0 = now();
    for (unsigned i = 0; i < N_TENANTS; i++)
        if (build_spec(specs[i], cache20, &am, &cals[i]) != 0) {
            fprintf(stderr, "cannot build calendar %u\n", i);
            return 1;
        }
    const double t_many = now() - t0;
    const double rss1 = peak_rss_mib();
    printf("%d distinct calendars over 20 zones (Mon-Fri, Saturday mornings, 30 holidays):\n"
           "  built in %.3f s from spec text (zones loaded once each); library memory %.2f MiB "
           "at the peak, %.2f MiB held; peak RSS of the process +%.1f MiB (%.1f -> %.1f MiB)\n",
           N_TENANTS, t_many, (double)many.peak / 1048576.0, (double)many.live / 1048576.0,
           rss1 - rss0, rss0, rss1);
    for (unsigned i = 0; i < N_TENANTS; i++)
        cm_calendar_free(cals[i]);
    cm_tz_cache_free(cache20);
    cm_tz_cache_free(cache);
    free(cals);
    free(specs);
    return many.live == 0 ? 0 : 1;
}

/* Spans of the usual mix moved to start uniformly in [lo, hi). */
static void spans_in(const cm_time *from, const cm_time *to, size_t n, cm_time lo, cm_time hi,
                     cm_time *f2, cm_time *t2)
{
    const uint64_t minutes = (uint64_t)((hi - lo) / MINUTE);
    for (size_t i = 0; i < n; i++) {
        f2[i] = lo + (cm_time)(rng_next() % minutes) * MINUTE;
        t2[i] = f2[i] + (to[i] - from[i]);
    }
}

static cm_time utc_year(int32_t y)
{
    const cm_civil c = {y, 1, 1, 0, 0, 0, 0, 0};
    cm_time t = 0;
    if (cm_time_from_civil(&c, &t) != CM_OK)
        abort();
    return t;
}

/* Best-of elapsed then add over n spans, in seconds each. */
static int time_spans(const cm_calendar *cal, const cm_time *f, const cm_time *t, size_t n,
                      int64_t *el, cm_time *res, double *t_el, double *t_add)
{
    double runs[REPEATS];
    for (int r = 0; r < REPEATS; r++) {
        const double t0 = now();
        for (size_t i = 0; i < n; i++)
            if (cm_calendar_elapsed(cal, f[i], t[i], &el[i]) != CM_OK)
                return -1;
        runs[r] = now() - t0;
    }
    *t_el = best_of(runs);
    for (int r = 0; r < REPEATS; r++) {
        const double t0 = now();
        for (size_t i = 0; i < n; i++)
            if (cm_calendar_add(cal, f[i], el[i], &res[i]) != CM_OK)
                return -1;
        runs[r] = now() - t0;
    }
    *t_add = best_of(runs);
    for (size_t i = 0; i < n; i++) {
        int64_t e2;
        if (cm_calendar_elapsed(cal, f[i], res[i], &e2) != CM_OK || e2 != el[i])
            return -1;
    }
    return 0;
}

int main(void)
{
    if (lean_targets() != 0)
        return 1;
    holiday hol[200];
    const int nhol = us_holidays(hol);

    /* The calendar, through the builder. */
    double t0 = now();
    cm_tz *tz;
    cm_calendar_builder *b;
    cm_calendar *cal;
    if (cm_tz_load("America/New_York", &tz) != CM_OK || cm_calendar_builder_new(&b) != CM_OK ||
        cm_calendar_builder_set_tz(b, tz) != CM_OK) {
        fprintf(stderr, "cannot load America/New_York\n");
        return 1;
    }
    for (int wd = 1; wd <= 5; wd++)
        if (cm_calendar_builder_add_weekly(b, wd, 9 * 3600, 17 * 3600) != CM_OK)
            return 1;
    for (int i = 0; i < nhol; i++)
        if (cm_calendar_builder_add_holiday(b, hol[i].y, hol[i].m, hol[i].d) != CM_OK)
            return 1;
    if (cm_calendar_builder_build(b, &cal) != CM_OK)
        return 1;
    const double build_s = now() - t0;
    cm_calendar_builder_free(b);

    /* Ticket spans: created at any minute of 2020..2029, open for a
     * log-uniform time between 1 minute and 3 weeks. */
    cm_time *from = malloc(N_SPANS * sizeof *from), *to = malloc(N_SPANS * sizeof *to);
    cm_time *res = malloc(N_SPANS * sizeof *res);
    int64_t *el = malloc(N_SPANS * sizeof *el);
    if (from == NULL || to == NULL || res == NULL || el == NULL)
        return 1;
    const cm_time start = 1577836800; /* 2020-01-01T00:00:00Z */
    const int64_t years10 = 3653LL * 86400;
    const double lo = 0.0, hi = 10.0; /* ln(1 min) .. ln(21 days in minutes) ~ 10.3 */
    for (size_t i = 0; i < N_SPANS; i++) {
        from[i] = start + (cm_time)(rng_next() % (uint64_t)(years10 / MINUTE)) * MINUTE;
        const double minutes = exp(lo + (hi - lo) * rng_unit());
        to[i] = from[i] + (cm_time)minutes * MINUTE;
    }

    double runs[REPEATS];
    int64_t check = 0;
    /* elapsed, one call per pair */
    for (int r = 0; r < REPEATS; r++) {
        t0 = now();
        for (size_t i = 0; i < N_SPANS; i++)
            if (cm_calendar_elapsed(cal, from[i], to[i], &el[i]) != CM_OK)
                return 1;
        runs[r] = now() - t0;
    }
    const double t_elapsed = best_of(runs);
    for (size_t i = 0; i < N_SPANS; i++)
        check += el[i];
    /* elapsed_many */
    for (int r = 0; r < REPEATS; r++) {
        t0 = now();
        if (cm_calendar_elapsed_many(cal, from, to, N_SPANS, el) != CM_OK)
            return 1;
        runs[r] = now() - t0;
    }
    const double t_elapsed_many = best_of(runs);
    /* add: the business duration of each span, from its start */
    for (int r = 0; r < REPEATS; r++) {
        t0 = now();
        for (size_t i = 0; i < N_SPANS; i++)
            if (cm_calendar_add(cal, from[i], el[i], &res[i]) != CM_OK)
                return 1;
        runs[r] = now() - t0;
    }
    const double t_add = best_of(runs);
    size_t agree = 0;
    for (size_t i = 0; i < N_SPANS; i++) {
        int64_t e2;
        if (cm_calendar_elapsed(cal, from[i], res[i], &e2) == CM_OK && e2 == el[i])
            agree++;
    }
    for (int r = 0; r < REPEATS; r++) {
        t0 = now();
        if (cm_calendar_add_many(cal, from, el, N_SPANS, res) != CM_OK)
            return 1;
        runs[r] = now() - t0;
    }
    const double t_add_many = best_of(runs);

    /* The same durations starting in 2020-2029 (the first tenth of the mix),
     * in 1900-1969 and in 2101-2400, timed alike. */
    const size_t nf = N_SPANS / 10;
    cm_time *from2 = malloc(nf * sizeof *from2), *to2 = malloc(nf * sizeof *to2);
    if (from2 == NULL || to2 == NULL)
        return 1;
    double e_mix, a_mix, e_old, a_old, e_late, a_late;
    if (time_spans(cal, from, to, nf, el, res, &e_mix, &a_mix) != 0)
        return 1;
    spans_in(from, to, nf, utc_year(1900), utc_year(1970), from2, to2);
    if (time_spans(cal, from2, to2, nf, el, res, &e_old, &a_old) != 0)
        return 1;
    spans_in(from, to, nf, utc_year(2101), utc_year(2401), from2, to2);
    if (time_spans(cal, from2, to2, nf, el, res, &e_late, &a_late) != 0)
        return 1;
    /* Spans of 1 minute to a year (log-uniform) over 2020-2029: most cross
     * offset changes, and many cross holidays. */
    double e_long, a_long;
    for (size_t i = 0; i < nf; i++) {
        from2[i] = start + (cm_time)(rng_next() % (uint64_t)(years10 / MINUTE)) * MINUTE;
        to2[i] = from2[i] + (cm_time)exp(log(525600.0) * rng_unit()) * MINUTE;
    }
    if (time_spans(cal, from2, to2, nf, el, res, &e_long, &a_long) != 0)
        return 1;

    /* The naive baseline on the first N_NAIVE spans; it must agree exactly
     * (every boundary and every span is minute-aligned). */
    naive nv = {tz, hol, nhol};
    size_t naive_agree = 0;
    t0 = now();
    for (size_t i = 0; i < N_NAIVE; i++) {
        int64_t e;
        if (cm_calendar_elapsed(cal, from[i], to[i], &e) != CM_OK)
            return 1;
        naive_agree += naive_elapsed(&nv, from[i], to[i]) == e;
    }
    const double t_naive_elapsed = now() - t0;
    size_t naive_add_agree = 0;
    t0 = now();
    for (size_t i = 0; i < N_NAIVE; i++) {
        int64_t e;
        cm_time r;
        if (cm_calendar_elapsed(cal, from[i], to[i], &e) != CM_OK ||
            cm_calendar_add(cal, from[i], e, &r) != CM_OK)
            return 1;
        naive_add_agree += e == 0 || naive_add(&nv, from[i], e) == r;
    }
    const double t_naive_add = now() - t0;

    const double mps = 1e-6 * N_SPANS;
    const double naive_e = 1e-6 * N_NAIVE / t_naive_elapsed, naive_a = 1e-6 * N_NAIVE / t_naive_add;
    printf("calendar: %d ticket spans (1 min .. 3 weeks, log-uniform) over 2020-2029,\n"
           "          America/New_York, Mon-Fri 09:00-17:00, %d holidays; built in %.1f ms\n",
           N_SPANS, nhol, build_s * 1e3);
    printf(
        "  elapsed       %8.2f M pairs/s   naive minute stepping %8.5f M pairs/s   ratio %7.0fx\n",
        mps / t_elapsed, naive_e, mps / t_elapsed / naive_e);
    printf("  elapsed_many  %8.2f M pairs/s   ratio %7.0fx\n", mps / t_elapsed_many,
           mps / t_elapsed_many / naive_e);
    printf(
        "  add           %8.2f M pairs/s   naive minute stepping %8.5f M pairs/s   ratio %7.0fx\n",
        mps / t_add, naive_a, mps / t_add / naive_a);
    printf("  add_many      %8.2f M pairs/s   ratio %7.0fx\n", mps / t_add_many,
           mps / t_add_many / naive_a);
    const double mf = 1e-6 * (double)nf;
    printf("  %zu spans of the same durations, elapsed / add in M pairs/s (ratio to 2020-2029):\n"
           "    2020-2029 %6.2f / %6.2f   1900-1969 %6.2f / %6.2f (%.2fx / %.2fx)   "
           "2101-2400 %6.2f / %6.2f (%.2fx / %.2fx)\n",
           nf, mf / e_mix, mf / a_mix, mf / e_old, mf / a_old, e_mix / e_old, a_mix / a_old,
           mf / e_late, mf / a_late, e_mix / e_late, a_mix / a_late);
    printf("  %zu spans of 1 min .. 1 year over 2020-2029, elapsed / add in M pairs/s: %6.2f / "
           "%6.2f (%.2fx / %.2fx of the 2020-2029 rate above)\n",
           nf, mf / e_long, mf / a_long, e_mix / e_long, a_mix / a_long);
    printf("  naive baseline measured on the first %d spans and scaled; it agrees on %zu/%d "
           "(elapsed) and %zu/%d (add)\n",
           N_NAIVE, naive_agree, N_NAIVE, naive_add_agree, N_NAIVE);
    printf("  elapsed(t, add(t, n)) == n on %zu/%d spans; checksum %" PRId64 "\n", agree, N_SPANS,
           check);
    cm_calendar_free(cal);
    cm_tz_free(tz);
    free(from);
    free(to);
    free(res);
    free(el);
    free(from2);
    free(to2);
    return naive_agree == N_NAIVE && naive_add_agree == N_NAIVE && agree == N_SPANS ? 0 : 1;
}
