/*
 * Helpers shared by the benchmark programs: a monotonic clock, a seeded
 * splitmix64 generator and a status check that stops the program.
 * SPDX-License-Identifier: MIT
 */
#ifndef CM_BENCH_COMMON_H
#define CM_BENCH_COMMON_H

#include <caremetrics/common.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Seconds on the monotonic clock (the includer defines _POSIX_C_SOURCE 200809L). */
static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* splitmix64 */
static inline uint64_t bench_next(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* Uniform double in [0, 1). */
static inline double bench_unit(uint64_t *x)
{
    return (double)(bench_next(x) >> 11) * 0x1.0p-53;
}

/* Stops the benchmark when a library call fails. */
#define BENCH_CHECK(expr)                                                                    \
    do {                                                                                     \
        const cm_status st_ = (expr);                                                        \
        if (st_ != CM_OK) {                                                                  \
            fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #expr, cm_strerror(st_)); \
            exit(1);                                                                         \
        }                                                                                    \
    } while (0)

#endif /* CM_BENCH_COMMON_H */
