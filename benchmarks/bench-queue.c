/*
 * bench-queue: cm_erlang_agents calls per second at 10, 100, 1,000 and 10,000
 * Erlangs, next to two restart-per-N searches run in the same process:
 *
 *   naive    for N = ⌊A⌋+1, ⌊A⌋+2, ...: Erlang B by the textbook recursion
 *            from n = 0, then Erlang C and the service level (what spreadsheet
 *            and web calculators do);
 *   per-N    the same scan calling cm_erlang_service_level() for each N (the
 *            library's evaluation, but restarted for every candidate).
 *
 * The target is 80/20 with a 5-minute AHT; each call uses a slightly different
 * traffic so nothing is reused between calls. All three searches must agree.
 * The goal is under 50 µs per call at 10,000 Erlangs.
 *
 *   bench-queue [--quick]
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <caremetrics/queue.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define AHT    300.0
#define TARGET 0.80
#define T      20.0

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Textbook: B(0) = 1, B(n) = A·B(n−1) / (n + A·B(n−1)); C = N·B / (N − A(1 − B)). */
static double naive_sl(double a, uint32_t n)
{
    double b = 1.0;
    for (uint32_t k = 1; k <= n; k++)
        b = a * b / ((double)k + a * b);
    const double c = (double)n * b / ((double)n - a * (1.0 - b));
    return 1.0 - c * exp(-((double)n - a) * T / AHT);
}

static uint32_t naive_agents(double a)
{
    uint32_t n = (uint32_t)floor(a) + 1;
    while (naive_sl(a, n) < TARGET)
        n++;
    return n;
}

static uint32_t per_n_agents(double a)
{
    uint32_t n = (uint32_t)floor(a) + 1;
    for (;; n++) {
        double sl;
        if (cm_erlang_service_level(a, n, AHT, T, &sl) != CM_OK)
            return 0;
        if (sl >= TARGET)
            return n;
    }
}

static uint32_t library_agents(double a)
{
    uint32_t n = 0;
    return cm_erlang_agents(a, AHT, TARGET, T, 1.0, &n) == CM_OK ? n : 0;
}

/* Runs `fn` over distinct traffics near `a` for at least `seconds`; returns calls/s. */
static double rate(uint32_t (*fn)(double), double a, double seconds, uint64_t *checksum)
{
    uint64_t calls = 0, sum = 0;
    const double t0 = now();
    double t1;
    do {
        for (int i = 0; i < 8; i++, calls++)
            sum += fn(a * (1.0 + 1e-4 * (double)(calls % 97)));
        t1 = now();
    } while (t1 - t0 < seconds);
    *checksum = sum / calls;
    return (double)calls / (t1 - t0);
}

int main(int argc, char **argv)
{
    const double seconds = (argc > 1 && strcmp(argv[1], "--quick") == 0) ? 0.05 : 0.5;
    static const double traffic[] = {10, 100, 1000, 10000};
    int failures = 0;
    printf("cm_erlang_agents, 80/20, AHT %.0f s (calls per second; higher is better)\n", AHT);
    printf("%10s %8s %14s %14s %14s %9s %9s %12s\n", "Erlangs", "agents", "library", "per-N",
           "naive", "vs per-N", "vs naive", "us/call");
    for (size_t i = 0; i < sizeof traffic / sizeof traffic[0]; i++) {
        const double a = traffic[i];
        /* All three searches agree on every traffic used below. */
        for (int k = 0; k < 97; k++) {
            const double ak = a * (1.0 + 1e-4 * k);
            const uint32_t lib = library_agents(ak);
            if (lib == 0 || lib != per_n_agents(ak) || lib != naive_agents(ak)) {
                printf("mismatch at %.17g Erlangs: %u vs %u vs %u\n", ak, lib, per_n_agents(ak),
                       naive_agents(ak));
                failures++;
            }
        }
        uint64_t c1, c2, c3;
        const double lib = rate(library_agents, a, seconds, &c1);
        const double per_n = rate(per_n_agents, a, seconds, &c2);
        const double naive = rate(naive_agents, a, seconds, &c3);
        printf("%10.0f %8llu %14.0f %14.0f %14.0f %8.1fx %8.1fx %12.2f\n", a,
               (unsigned long long)c1, lib, per_n, naive, lib / per_n, lib / naive, 1e6 / lib);
        if (a == 10000.0)
            printf("  10,000 Erlangs: %.2f us per call (goal: under 50 us): %s\n", 1e6 / lib,
                   1e6 / lib < 50.0 ? "met" : "NOT MET");
    }
    if (failures != 0) {
        printf("%d disagreements between the searches\n", failures);
        return 1;
    }
    return 0;
}
