/*
 * Small helpers shared by the Check suites.
 * SPDX-License-Identifier: MIT
 */
#ifndef CM_TESTING_H
#define CM_TESTING_H

#include <check.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <caremetrics/common.h>

/* Asserts a status and names both sides on failure. */
#define ck_assert_status(expr, want)                                                              \
    do {                                                                                          \
        const cm_status got_ = (expr);                                                            \
        ck_assert_msg(got_ == (want), "%s returned %s, expected %s", #expr, cm_status_name(got_), \
                      cm_status_name(want));                                                      \
    } while (0)

/* |got - want| <= tol * max(1, |want|): relative for large values, absolute near 0. */
#define ck_assert_close(got, want, tol)                                                           \
    do {                                                                                          \
        const double g_ = (got), w_ = (want);                                                     \
        const double s_ = fabs(w_) > 1.0 ? fabs(w_) : 1.0;                                        \
        ck_assert_msg(fabs(g_ - w_) <= (tol)*s_, "%s = %.17g, expected %.17g (tol %g)", #got, g_, \
                      w_, (double)(tol));                                                         \
    } while (0)

/* Relative comparison, for values whose every digit matters (tiny or huge). */
#define ck_assert_rel(got, want, tol)                                                          \
    do {                                                                                       \
        const double g_ = (got), w_ = (want);                                                  \
        ck_assert_msg(w_ == 0.0 ? g_ == 0.0 : fabs(g_ - w_) <= (tol)*fabs(w_),                 \
                      "%s = %.17g, expected %.17g (rel tol %g)", #got, g_, w_, (double)(tol)); \
    } while (0)

/* NAN and INFINITY are float constants; spell the double ones explicitly. */
#define D_NAN ((double)NAN)
#define D_INF ((double)INFINITY)

/* Fills an output object with a pattern, to check later that a failing call left it alone. */
#define CM_POISON   0xA5
#define poison(ptr) memset((ptr), CM_POISON, sizeof *(ptr))
#define ck_assert_untouched(ptr)                                                     \
    do {                                                                             \
        const unsigned char *b_ = (const unsigned char *)(ptr);                      \
        for (size_t i_ = 0; i_ < sizeof *(ptr); i_++)                                \
            ck_assert_msg(b_[i_] == CM_POISON, "%s modified at byte %zu", #ptr, i_); \
    } while (0)

/* CRC-32 (IEEE, zlib's) one bit at a time, straight from the polynomial: to
 * seal crafted bytes, and the reference for the library's table-driven code. */
static inline uint32_t test_crc32(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

/* splitmix64: a seeded generator for property tests. */
typedef struct test_rng {
    uint64_t state;
} test_rng;

static inline uint64_t rng_next(test_rng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* Uniform integer in [0, n). */
static inline uint64_t rng_below(test_rng *r, uint64_t n)
{
    return rng_next(r) % n;
}

/* Uniform double in [0, 1). */
static inline double rng_unit(test_rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* The property-test seed: CM_TEST_SEED from the environment, else a fixed default. */
static inline uint64_t test_seed(void)
{
    const char *s = getenv("CM_TEST_SEED");
    const uint64_t seed = (s != NULL && *s != '\0') ? strtoull(s, NULL, 0) : 20261123u;
    return seed;
}

static inline test_rng test_rng_make(const char *what)
{
    const uint64_t seed = test_seed();
    fprintf(stderr, "%s: seed %" PRIu64 " (set CM_TEST_SEED to repeat)\n", what, seed);
    test_rng r = {seed};
    return r;
}

/* Runs a suite and converts the failure count into an exit status. */
static inline int run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    const int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif /* CM_TESTING_H */
