/*
 * Tests of caremetrics/backlog.h.
 *
 * Expected values: a hand-worked example (three daily snapshots, five
 * tickets), and for random histories a brute-force recount written here that
 * tests every ticket against every snapshot (open iff created <= t < solved,
 * age t - created or cm_calendar_elapsed(created, t) in business time) - a
 * different route from the library's binary searches and cumulative business
 * seconds. Counts, extremes and sums must agree exactly; quantiles must lie
 * within the sketch's documented bound of cm_quantiles_exact (relative error
 * CM_SKETCH_RELATIVE_ERROR for ages of 1 s and more).
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/backlog.h>
#include <caremetrics/calendar.h>
#include <caremetrics/sketch.h>

#include "testing.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define DAY      86400

/* 2025-01-02, -03, -04 at 00:00 UTC (a Thursday, Friday, Saturday). */
static const cm_time days[] = {1735776000, 1735862400, 1735948800};
static const int64_t day_bounds[] = {DAY, 3 * DAY};

#define REQUIRE(cond, ...)             \
    do {                               \
        if (!(cond))                   \
            ck_abort_msg(__VA_ARGS__); \
    } while (0)

START_TEST(hand_example)
{
    /* Tickets (group 0), times relative to day 0 = 2025-01-02 00:00:
     *  A created -2 d, still open      -> open at 0, 1, 2; ages 2 d, 3 d, 4 d
     *  B created -0.5 d, solved +0.5 d -> open at 0 (age 0.5 d); solved in interval 1
     *  C created +1 d exactly, solved +2 d exactly -> open at 1 (age 0); solved in interval 2
     *  D created +0.25 d, solved +0.25 d (zero length) -> never open; created and solved in 1
     *  E created +3 d (after the last snapshot) -> nothing at all
     * created: interval 0 gets A and B, interval 1 gets C and D; solved: 1 gets B and D,
     * 2 gets C. open: 2, 2, 1. */
    const cm_backlog_config cfg = {days, 3, day_bounds, 2, 1, 0, NULL};
    cm_backlog *b;
    ck_assert_status(cm_backlog_new(&cfg, NULL, &b), CM_OK);
    const cm_time d0 = days[0];
    ck_assert_status(cm_backlog_add(b, 0, d0 - 2 * DAY, CM_BACKLOG_OPEN), CM_OK);
    ck_assert_status(cm_backlog_add(b, 0, d0 - DAY / 2, d0 + DAY / 2), CM_OK);
    ck_assert_status(cm_backlog_add(b, 0, d0 + DAY, d0 + 2 * DAY), CM_OK);
    ck_assert_status(cm_backlog_add(b, 0, d0 + DAY / 4, d0 + DAY / 4), CM_OK);
    ck_assert_status(cm_backlog_add(b, 0, d0 + 3 * DAY, CM_BACKLOG_OPEN), CM_OK);
    static const struct {
        uint64_t open, created, solved;
        int64_t min, max;
        double mean;
        uint64_t buckets[3];
    } want[3] = {
        {2, 2, 0, DAY / 2, 2 * DAY, 1.25 * DAY, {1, 1, 0}},
        {2, 2, 2, 0, 3 * DAY, 1.5 * DAY, {1, 0, 1}},
        {1, 0, 1, 4 * DAY, 4 * DAY, 4.0 * DAY, {0, 0, 1}},
    };
    for (size_t j = 0; j < 3; j++) {
        cm_backlog_point p;
        ck_assert_status(cm_backlog_snapshot(b, 0, j, &p), CM_OK);
        ck_assert_int_eq(p.at, days[j]);
        ck_assert_uint_eq(p.open, want[j].open);
        ck_assert_uint_eq(p.created, want[j].created);
        ck_assert_uint_eq(p.solved, want[j].solved);
        ck_assert_int_eq(p.age_min, want[j].min);
        ck_assert_int_eq(p.age_max, want[j].max);
        ck_assert_double_eq(p.age_mean, want[j].mean);
        uint64_t bk[3];
        ck_assert_status(cm_backlog_buckets(b, 0, j, bk, 3), CM_OK);
        ck_assert_mem_eq(bk, want[j].buckets, sizeof bk);
    }
    /* Median age at snapshot 1 is the mean of 0 and 3 days (type 7 over two values):
     * 0 is exact in the sketch; 3 days is within 1 %. */
    const double q[] = {0.0, 0.5, 1.0};
    double v[3];
    ck_assert_status(cm_backlog_quantiles(b, 0, 1, q, 3, v), CM_OK);
    ck_assert_double_eq(v[0], 0.0);
    ck_assert_double_eq(v[2], 3.0 * DAY);
    ck_assert(fabs(v[1] - 1.5 * DAY) <= 1.5 * DAY * CM_SKETCH_RELATIVE_ERROR);
    cm_backlog_summary info;
    ck_assert_status(cm_backlog_info(b, &info), CM_OK);
    ck_assert_uint_eq(info.tickets, 5);
    ck_assert_uint_eq(info.nsnapshots, 3);
    ck_assert_uint_eq(info.nbounds, 2);
    ck_assert(!info.business);
    cm_backlog_free(b);
    cm_backlog_free(NULL);
}
END_TEST

/* ---- brute force over random histories -------------------------------------- */

#define NT 3000
#define NS 12

typedef struct history {
    uint32_t group[NT];
    cm_time created[NT], solved[NT];
} history;

static history g_h;

static void random_history(test_rng *r, const cm_time *snaps, size_t ns, uint32_t groups)
{
    const cm_time from = snaps[0] - 20 * DAY, span = snaps[ns - 1] - from + 5 * DAY;
    for (size_t i = 0; i < NT; i++) {
        g_h.group[i] = (uint32_t)rng_below(r, groups);
        /* A few tickets land exactly on snapshots, to exercise the boundaries. */
        g_h.created[i] = rng_below(r, 10) == 0 ? snaps[rng_below(r, ns)]
                                               : from + (cm_time)rng_below(r, (uint64_t)span);
        const uint64_t kind = rng_below(r, 10);
        if (kind < 3)
            g_h.solved[i] = CM_BACKLOG_OPEN;
        else if (kind == 3)
            g_h.solved[i] =
                snaps[rng_below(r, ns)] < g_h.created[i] ? g_h.created[i] : snaps[rng_below(r, ns)];
        else
            g_h.solved[i] = g_h.created[i] + (cm_time)rng_below(r, 15 * DAY);
        if (g_h.solved[i] < g_h.created[i])
            g_h.solved[i] = g_h.created[i];
    }
}

static void check_against_brute_force(const cm_backlog *b, const cm_time *snaps, size_t ns,
                                      const int64_t *bounds, size_t nb, uint32_t groups,
                                      const cm_calendar *cal)
{
    static double ages[NT], scratch[NT];
    for (uint32_t gi = 0; gi <= groups; gi++) {
        const uint32_t g = gi == groups ? CM_BACKLOG_ALL_GROUPS : gi;
        for (size_t j = 0; j < ns; j++) {
            uint64_t open = 0, created = 0, solved = 0, bk[8] = {0};
            int64_t mn = 0, mx = 0;
            double sum = 0.0;
            size_t na = 0;
            for (size_t i = 0; i < NT; i++) {
                if (g != CM_BACKLOG_ALL_GROUPS && g_h.group[i] != g)
                    continue;
                const cm_time lo = j == 0 ? INT64_MIN : snaps[j - 1];
                if (g_h.created[i] > lo && g_h.created[i] <= snaps[j])
                    created++;
                if (g_h.solved[i] != CM_BACKLOG_OPEN && g_h.solved[i] > lo &&
                    g_h.solved[i] <= snaps[j])
                    solved++;
                if (!(g_h.created[i] <= snaps[j] && snaps[j] < g_h.solved[i]))
                    continue;
                int64_t age = snaps[j] - g_h.created[i];
                if (cal != NULL)
                    REQUIRE(cm_calendar_elapsed(cal, g_h.created[i], snaps[j], &age) == CM_OK,
                            "elapsed");
                if (open == 0 || age < mn)
                    mn = age;
                if (open == 0 || age > mx)
                    mx = age;
                open++;
                sum += (double)age;
                ages[na++] = (double)age;
                size_t k = 0;
                while (k < nb && age >= bounds[k])
                    k++;
                bk[k]++;
            }
            cm_backlog_point p;
            REQUIRE(cm_backlog_snapshot(b, g, j, &p) == CM_OK, "snapshot");
            REQUIRE(p.open == open && p.created == created && p.solved == solved,
                    "group %u snapshot %zu: open %" PRIu64 "/%" PRIu64 " created %" PRIu64
                    "/%" PRIu64 " solved %" PRIu64 "/%" PRIu64,
                    g, j, p.open, open, p.created, created, p.solved, solved);
            REQUIRE(p.age_min == mn && p.age_max == mx, "group %u snapshot %zu: extremes", g, j);
            /* The sum of ages is exact in the library; here in double, exact below 2^53. */
            REQUIRE(open == 0 ? p.age_mean == 0.0
                              : fabs(p.age_mean - sum / (double)open) <= 1e-9 * p.age_mean,
                    "group %u snapshot %zu: mean %.17g vs %.17g", g, j, p.age_mean,
                    open ? sum / (double)open : 0.0);
            uint64_t got[8];
            REQUIRE(cm_backlog_buckets(b, g, j, got, 8) == CM_OK, "buckets");
            REQUIRE(memcmp(got, bk, (nb + 1) * sizeof got[0]) == 0,
                    "group %u snapshot %zu: buckets", g, j);
            if (open == 0)
                continue;
            const double qs[] = {0.0, 0.25, 0.5, 0.9, 1.0};
            double want[5], have[5];
            REQUIRE(cm_quantiles_exact(ages, na, qs, 5, scratch, NT, want) == CM_OK, "exact");
            REQUIRE(cm_backlog_quantiles(b, g, j, qs, 5, have) == CM_OK, "quantiles");
            for (int q = 0; q < 5; q++) {
                /* Sketch bound: relative 1/101 at and above 1 s, plus 0.5 s below. */
                const double tol = CM_SKETCH_RELATIVE_ERROR * want[q] + 0.5 + 1e-9 * want[q];
                REQUIRE(fabs(have[q] - want[q]) <= tol,
                        "group %u snapshot %zu q %.2f: %.17g vs exact %.17g", g, j, qs[q], have[q],
                        want[q]);
            }
        }
    }
}

START_TEST(brute_force_calendar_time)
{
    test_rng r = test_rng_make("brute_force_calendar_time");
    cm_time snaps[NS];
    for (size_t j = 0; j < NS; j++)
        snaps[j] = days[0] + (cm_time)j * DAY + (j % 3 == 2 ? 3600 : 0);
    const int64_t bounds[] = {3600, DAY, 3 * DAY, 7 * DAY};
    const cm_backlog_config cfg = {snaps, NS, bounds, 4, 3, 0, NULL};
    cm_backlog *b;
    ck_assert_status(cm_backlog_new(&cfg, NULL, &b), CM_OK);
    random_history(&r, snaps, NS, 3);
    ck_assert_status(cm_backlog_add_many(b, g_h.group, g_h.created, g_h.solved, NT), CM_OK);
    check_against_brute_force(b, snaps, NS, bounds, 4, 3, NULL);
    cm_backlog_free(b);
}
END_TEST

START_TEST(brute_force_business_time)
{
    /* New York office hours with a holiday and DST inside the span. */
    cm_calendar *cal;
    cm_parse_error err;
    ck_assert_status(cm_calendar_parse("tz America/New_York\nmon-fri 09:00-17:00\n"
                                       "sat 10:00-14:00\n2025-03-11 closed\n",
                                       &cal, &err),
                     CM_OK);
    test_rng r = test_rng_make("brute_force_business_time");
    cm_time snaps[NS];
    for (size_t j = 0; j < NS; j++)
        snaps[j] = 1741219200 + (cm_time)j * DAY + (cm_time)(j * 7919 % 3600); /* from 6 Mar 2025 */
    const int64_t bounds[] = {3600, 8 * 3600, 24 * 3600};
    const cm_backlog_config cfg = {snaps, NS, bounds, 3, 2, 0, cal};
    cm_backlog *b;
    ck_assert_status(cm_backlog_new(&cfg, NULL, &b), CM_OK);
    random_history(&r, snaps, NS, 2);
    for (size_t i = 0; i < NT; i++)
        REQUIRE(cm_backlog_add(b, g_h.group[i], g_h.created[i], g_h.solved[i]) == CM_OK, "add");
    check_against_brute_force(b, snaps, NS, bounds, 3, 2, cal);
    cm_backlog_summary info;
    ck_assert_status(cm_backlog_info(b, &info), CM_OK);
    ck_assert(info.business);
    /* Bytes round trip with the calendar; without it, or with one for calendar-time bytes,
     * is refused. */
    size_t need;
    uint8_t probe[1];
    ck_assert_status(cm_backlog_serialize(b, probe, 0, &need), CM_ENOSPC);
    uint8_t *buf = malloc(need);
    size_t w;
    ck_assert_status(cm_backlog_serialize(b, buf, need, &w), CM_OK);
    cm_backlog *c;
    ck_assert_status(cm_backlog_deserialize(buf, w, NULL, NULL, &c), CM_EINVAL);
    ck_assert_status(cm_backlog_deserialize(buf, w, cal, NULL, &c), CM_OK);
    check_against_brute_force(c, snaps, NS, bounds, 3, 2, cal);
    cm_backlog_free(c);
    free(buf);
    cm_backlog_free(b);
    cm_calendar_free(cal);
}
END_TEST

/* Bytes of a backlog, malloc'ed. */
static uint8_t *bytes_of(const cm_backlog *b, size_t *len)
{
    uint8_t probe[1];
    ck_assert_status(cm_backlog_serialize(b, probe, 0, len), CM_ENOSPC);
    uint8_t *buf = malloc(*len);
    size_t w;
    ck_assert_status(cm_backlog_serialize(b, buf, *len, &w), CM_OK);
    ck_assert_uint_eq(w, *len);
    return buf;
}

START_TEST(merge_equals_single_pass)
{
    test_rng r = test_rng_make("merge_equals_single_pass");
    cm_time snaps[NS];
    for (size_t j = 0; j < NS; j++)
        snaps[j] = days[0] + (cm_time)j * DAY;
    const int64_t bounds[] = {DAY, 7 * DAY};
    for (uint32_t flags = 0; flags <= CM_BACKLOG_NO_SKETCH; flags++) {
        const cm_backlog_config cfg = {snaps, NS, bounds, 2, 3, flags, NULL};
        random_history(&r, snaps, NS, 3);
        cm_backlog *whole, *part[3];
        ck_assert_status(cm_backlog_new(&cfg, NULL, &whole), CM_OK);
        ck_assert_status(cm_backlog_add_many(whole, g_h.group, g_h.created, g_h.solved, NT), CM_OK);
        for (int k = 0; k < 3; k++)
            ck_assert_status(cm_backlog_new(&cfg, NULL, &part[k]), CM_OK);
        for (size_t i = 0; i < NT; i++)
            REQUIRE(cm_backlog_add(part[rng_below(&r, 3)], g_h.group[i], g_h.created[i],
                                   g_h.solved[i]) == CM_OK,
                    "add");
        /* (p2 + p1 through bytes) + p0 in memory */
        size_t l1;
        uint8_t *b1 = bytes_of(part[1], &l1);
        ck_assert_status(cm_backlog_merge_serialized(part[2], b1, l1), CM_OK);
        ck_assert_status(cm_backlog_merge(part[2], part[0]), CM_OK);
        size_t lw, lm;
        uint8_t *bw = bytes_of(whole, &lw), *bm = bytes_of(part[2], &lm);
        ck_assert_uint_eq(lw, lm);
        ck_assert_mem_eq(bw, bm, lw);
        /* A deserialized copy serializes to the same bytes; self-merge doubles. */
        cm_backlog *copy, *twice;
        ck_assert_status(cm_backlog_deserialize(bw, lw, NULL, NULL, &copy), CM_OK);
        size_t lc;
        uint8_t *bc = bytes_of(copy, &lc);
        ck_assert_mem_eq(bc, bw, lw);
        ck_assert_status(cm_backlog_deserialize(bw, lw, NULL, NULL, &twice), CM_OK);
        ck_assert_status(cm_backlog_merge(twice, twice), CM_OK);
        ck_assert_status(cm_backlog_merge(copy, whole), CM_OK);
        size_t lt, lc2;
        uint8_t *bt = bytes_of(twice, &lt), *bc2 = bytes_of(copy, &lc2);
        ck_assert_uint_eq(lt, lc2);
        ck_assert_mem_eq(bt, bc2, lt);
        free(bt);
        free(bc2);
        free(bc);
        free(b1);
        free(bw);
        free(bm);
        cm_backlog_free(copy);
        cm_backlog_free(twice);
        cm_backlog_free(whole);
        for (int k = 0; k < 3; k++)
            cm_backlog_free(part[k]);
    }
}
END_TEST

START_TEST(config_bad_input)
{
    const cm_time unordered[] = {10, 10}, huge[] = {0, CM_BACKLOG_OPEN};
    const int64_t zero_bound[] = {0}, down_bounds[] = {5, 4};
    cm_calendar *cal;
    ck_assert_status(cm_calendar_parse("tz UTC\nmon-fri 09:00-17:00\n", &cal, NULL), CM_OK);
    const cm_time far[] = {CM_CALENDAR_TIME_MAX + 1};
    const struct {
        cm_backlog_config cfg;
        cm_status st;
        const char *why;
    } rows[] = {
        {{NULL, 3, NULL, 0, 1, 0, NULL}, CM_EINVAL, "no snapshots"},
        {{days, 0, NULL, 0, 1, 0, NULL}, CM_ERANGE, "zero snapshots"},
        {{days, CM_BACKLOG_MAX_SNAPSHOTS + 1, NULL, 0, 1, 0, NULL}, CM_ERANGE, "too many"},
        {{unordered, 2, NULL, 0, 1, 0, NULL}, CM_EINVAL, "not increasing"},
        {{huge, 2, NULL, 0, 1, 0, NULL}, CM_ERANGE, "snapshot at the open marker"},
        {{days, 3, NULL, 2, 1, 0, NULL}, CM_EINVAL, "bounds NULL"},
        {{days, 3, zero_bound, 1, 1, 0, NULL}, CM_EINVAL, "bound 0"},
        {{days, 3, down_bounds, 2, 1, 0, NULL}, CM_EINVAL, "bounds decreasing"},
        {{days, 3, day_bounds, CM_BACKLOG_MAX_BOUNDS + 1, 1, 0, NULL}, CM_ERANGE, "65 bounds"},
        {{days, 3, NULL, 0, 0, 0, NULL}, CM_ERANGE, "no group"},
        {{days, 3, NULL, 0, CM_BACKLOG_MAX_GROUPS + 1, 0, NULL}, CM_ERANGE, "too many groups"},
        {{days, 3, NULL, 0, 1, 2, NULL}, CM_EINVAL, "unknown flag"},
    };
    for (size_t i = 0; i < NELEM(rows); i++) {
        cm_backlog *b = (cm_backlog *)(uintptr_t)0x1;
        ck_assert_msg(cm_backlog_new(&rows[i].cfg, NULL, &b) == rows[i].st, "%s", rows[i].why);
        ck_assert_ptr_eq(b, (cm_backlog *)(uintptr_t)0x1);
    }
    cm_backlog *b = (cm_backlog *)(uintptr_t)0x1;
    const cm_backlog_config out_of_calendar = {far, 1, NULL, 0, 1, 0, cal};
    ck_assert_status(cm_backlog_new(&out_of_calendar, NULL, &b), CM_ERANGE);
    const cm_backlog_config ok = {days, 3, NULL, 0, 1, 0, NULL};
    ck_assert_status(cm_backlog_new(NULL, NULL, &b), CM_EINVAL);
    ck_assert_status(cm_backlog_new(&ok, NULL, NULL), CM_EINVAL);
    const cm_allocator half = {NULL, NULL, NULL};
    ck_assert_status(cm_backlog_new(&ok, &half, &b), CM_EINVAL);
    const cm_time many[] = {0, 1};
    const cm_backlog_config cells = {many, 2, NULL, 0, CM_BACKLOG_MAX_CELLS / 2 + 1, 0, NULL};
    ck_assert_status(cm_backlog_new(&cells, NULL, &b), CM_ERANGE);
    ck_assert_ptr_eq(b, (cm_backlog *)(uintptr_t)0x1);
    cm_calendar_free(cal);
}
END_TEST

START_TEST(add_and_query_bad_input)
{
    cm_calendar *cal;
    ck_assert_status(cm_calendar_parse("tz UTC\nmon-fri 09:00-17:00\n", &cal, NULL), CM_OK);
    const cm_backlog_config cfg = {days, 3, day_bounds, 2, 2, 0, NULL};
    const cm_backlog_config bcfg = {days, 3, day_bounds, 2, 2, 0, cal};
    cm_backlog *b, *biz;
    ck_assert_status(cm_backlog_new(&cfg, NULL, &b), CM_OK);
    ck_assert_status(cm_backlog_new(&bcfg, NULL, &biz), CM_OK);
    ck_assert_status(cm_backlog_add(b, 1, days[0] - 100, days[2]), CM_OK);
    size_t l0;
    uint8_t *before = bytes_of(b, &l0);
    const cm_time d0 = days[0];
    static const struct {
        uint32_t group;
        cm_time created, solved;
        cm_status st;
        const char *why;
    } rows[] = {
        {0, 100, 99, CM_EINVAL, "solved before created"},
        {0, CM_BACKLOG_OPEN, CM_BACKLOG_OPEN, CM_EINVAL, "created is the open marker"},
        {2, 100, 200, CM_ERANGE, "group out of range"},
        {UINT32_MAX, 100, 200, CM_ERANGE, "all-groups is not a group"},
        {0, INT64_MIN, CM_BACKLOG_OPEN, CM_ERANGE, "age does not fit"},
        {0, 1735776000 - 650000000, CM_BACKLOG_OPEN, CM_ERANGE, "open for 20.6 years"},
    };
    for (size_t i = 0; i < NELEM(rows); i++) {
        ck_assert_msg(cm_backlog_add(b, rows[i].group, rows[i].created, rows[i].solved) ==
                          rows[i].st,
                      "%s", rows[i].why);
        /* All or nothing: a good ticket before the bad one is not added either. */
        const uint32_t g[2] = {0, rows[i].group};
        const cm_time c[2] = {d0, rows[i].created}, s[2] = {d0 + 5, rows[i].solved};
        ck_assert_msg(cm_backlog_add_many(b, g, c, s, 2) == rows[i].st, "%s (many)", rows[i].why);
    }
    /* Business time: instants outside the calendar's range. */
    ck_assert_status(cm_backlog_add(biz, 0, CM_CALENDAR_TIME_MIN - 1, CM_BACKLOG_OPEN), CM_ERANGE);
    ck_assert_status(cm_backlog_add(biz, 0, d0, CM_BACKLOG_OPEN), CM_OK);
    ck_assert_status(cm_backlog_add(NULL, 0, 1, 2), CM_EINVAL);
    ck_assert_status(cm_backlog_add_many(b, NULL, NULL, NULL, 1), CM_EINVAL);
    ck_assert_status(cm_backlog_add_many(b, NULL, NULL, NULL, 0), CM_OK);
    size_t l1;
    uint8_t *after = bytes_of(b, &l1);
    ck_assert_uint_eq(l0, l1);
    ck_assert_mem_eq(before, after, l0);
    free(before);
    free(after);
    /* Queries. */
    cm_backlog_point p;
    uint64_t bk[3];
    double q = 0.5, v;
    poison(&p);
    poison(&bk);
    poison(&v);
    ck_assert_status(cm_backlog_snapshot(b, 2, 0, &p), CM_ERANGE);
    ck_assert_status(cm_backlog_snapshot(b, 0, 3, &p), CM_ERANGE);
    ck_assert_status(cm_backlog_snapshot(NULL, 0, 0, &p), CM_EINVAL);
    ck_assert_status(cm_backlog_snapshot(b, 0, 0, NULL), CM_EINVAL);
    ck_assert_status(cm_backlog_buckets(b, 0, 0, bk, 2), CM_ENOSPC);
    ck_assert_status(cm_backlog_buckets(b, 0, 3, bk, 3), CM_ERANGE);
    ck_assert_status(cm_backlog_buckets(b, 0, 0, NULL, 3), CM_EINVAL);
    ck_assert_status(cm_backlog_quantiles(b, 0, 0, &q, 1, &v), CM_ENODATA); /* none open */
    const double nan = D_NAN, above = 1.5;
    ck_assert_status(cm_backlog_quantiles(b, 1, 0, &nan, 1, &v), CM_EINVAL);
    ck_assert_status(cm_backlog_quantiles(b, 1, 0, &above, 1, &v), CM_EINVAL);
    ck_assert_status(cm_backlog_quantiles(b, 1, 0, &q, 1, NULL), CM_EINVAL);
    ck_assert_status(cm_backlog_quantiles(b, 5, 0, &q, 1, &v), CM_ERANGE);
    ck_assert_untouched(&p);
    ck_assert_untouched(&bk);
    ck_assert_untouched(&v);
    ck_assert_status(cm_backlog_quantiles(b, CM_BACKLOG_ALL_GROUPS, 0, &q, 1, &v), CM_OK);
    ck_assert_double_eq(v, 100.0);
    /* Without sketches there are no quantiles. */
    const cm_backlog_config plain = {days, 3, day_bounds, 2, 2, CM_BACKLOG_NO_SKETCH, NULL};
    cm_backlog *nos;
    ck_assert_status(cm_backlog_new(&plain, NULL, &nos), CM_OK);
    ck_assert_status(cm_backlog_add(nos, 1, days[0] - 100, days[2]), CM_OK);
    ck_assert_status(cm_backlog_quantiles(nos, 1, 0, &q, 1, &v), CM_EINVAL);
    ck_assert_status(cm_backlog_snapshot(nos, 1, 0, &p), CM_OK);
    ck_assert_uint_eq(p.open, 1);
    /* Merging unlike backlogs. */
    ck_assert_status(cm_backlog_merge(b, nos), CM_EINVAL);
    ck_assert_status(cm_backlog_merge(b, biz), CM_EINVAL);
    ck_assert_status(cm_backlog_merge(b, NULL), CM_EINVAL);
    size_t ln;
    uint8_t *bn = bytes_of(nos, &ln);
    ck_assert_status(cm_backlog_merge_serialized(b, bn, ln), CM_EINVAL);
    free(bn);
    int64_t got_bounds[2];
    ck_assert_status(cm_backlog_age_bounds(b, got_bounds, 2), CM_OK);
    ck_assert_mem_eq(got_bounds, day_bounds, sizeof got_bounds);
    poison(&got_bounds);
    ck_assert_status(cm_backlog_age_bounds(b, got_bounds, 1), CM_ENOSPC);
    ck_assert_status(cm_backlog_age_bounds(b, NULL, 2), CM_EINVAL);
    ck_assert_status(cm_backlog_age_bounds(NULL, got_bounds, 2), CM_EINVAL);
    ck_assert_untouched(&got_bounds);
    cm_backlog_summary info;
    poison(&info);
    ck_assert_status(cm_backlog_info(NULL, &info), CM_EINVAL);
    ck_assert_status(cm_backlog_info(b, NULL), CM_EINVAL);
    ck_assert_untouched(&info);
    ck_assert_uint_eq(cm_backlog_sizeof("cm_backlog_point"), sizeof(cm_backlog_point));
    ck_assert_uint_eq(cm_backlog_sizeof("cm_backlog_config"), sizeof(cm_backlog_config));
    ck_assert_uint_eq(cm_backlog_sizeof("cm_backlog_summary"), sizeof(cm_backlog_summary));
    ck_assert_uint_eq(cm_backlog_sizeof("nope"), 0);
    ck_assert_uint_eq(cm_backlog_sizeof(NULL), 0);
    int64_t cv;
    ck_assert_status(cm_backlog_constant("CM_BACKLOG_OPEN", &cv), CM_OK);
    ck_assert_int_eq(cv, INT64_MAX);
    ck_assert_status(cm_backlog_constant("CM_BACKLOG_ALL_GROUPS", &cv), CM_OK);
    ck_assert_int_eq(cv, UINT32_MAX);
    poison(&cv);
    ck_assert_status(cm_backlog_constant("nope", &cv), CM_ENOTFOUND);
    ck_assert_status(cm_backlog_constant(NULL, &cv), CM_EINVAL);
    ck_assert_untouched(&cv);
    cm_backlog_free(b);
    cm_backlog_free(biz);
    cm_backlog_free(nos);
    cm_calendar_free(cal);
}
END_TEST

START_TEST(bytes_rejected)
{
    const cm_backlog_config cfg = {days, 3, day_bounds, 2, 1, CM_BACKLOG_NO_SKETCH, NULL};
    cm_backlog *b;
    ck_assert_status(cm_backlog_new(&cfg, NULL, &b), CM_OK);
    ck_assert_status(cm_backlog_add(b, 0, days[0] - 10, days[1] + 10), CM_OK);
    ck_assert_status(cm_backlog_add(b, 0, days[1] - 10, CM_BACKLOG_OPEN), CM_OK);
    size_t len;
    uint8_t *buf = bytes_of(b, &len);
    /* 36 header + 3 snapshots + 2 bounds + 3 cells of (7 + 3) words + CRC */
    ck_assert_uint_eq(len, 36 + 8 * 3 + 8 * 2 + 3 * 8 * 10 + 4);
    cm_backlog *out = (cm_backlog *)(uintptr_t)0x1;
    for (size_t l = 0; l < len; l++)
        ck_assert_status(cm_backlog_deserialize(buf, l, NULL, NULL, &out), CM_EPARSE);
    for (size_t bit = 0; bit < 8 * len; bit++) {
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        ck_assert_status(cm_backlog_deserialize(buf, len, NULL, NULL, &out), CM_EPARSE);
        ck_assert_status(cm_backlog_merge_serialized(b, buf, len), CM_EPARSE);
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    /* Valid frames with impossible contents: cell 0 starts at byte 76. */
    static const struct {
        size_t at;
        uint8_t value;
        const char *why;
    } edits[] = {
        {76, 2, "open count not matching the flows"},
        {76 + 8, 0, "created count breaking open = created - solved"},
        {76 + 24, 0xff, "minimum age above the maximum"},
        {76 + 56, 0, "buckets not adding up to open"},
        {36 + 8 + 3, 0, "snapshots not increasing (1735862400 becomes 7809152)"},
        {60 + 8 + 2, 0, "bounds not increasing (259200 becomes 62592)"},
        {4, 4, "unknown flag"},
        {24, 0, "fewer tickets than counted"},
        {24, 1, "fewer tickets than created over all cells (2 created, 1 ticket)"},
    };
    uint8_t *bad = malloc(len);
    for (size_t i = 0; i < NELEM(edits); i++) {
        memcpy(bad, buf, len);
        bad[edits[i].at] = edits[i].value;
        const uint32_t crc = test_crc32(bad, len - 4);
        for (int k = 0; k < 4; k++)
            bad[len - 4 + (size_t)k] = (uint8_t)(crc >> (8 * k));
        ck_assert_msg(cm_backlog_deserialize(bad, len, NULL, NULL, &out) == CM_EPARSE, "%s",
                      edits[i].why);
        ck_assert_msg(cm_backlog_merge_serialized(b, bad, len) == CM_EPARSE, "%s", edits[i].why);
    }
    ck_assert_ptr_eq(out, (cm_backlog *)(uintptr_t)0x1);
    size_t l2;
    uint8_t *again = bytes_of(b, &l2);
    ck_assert_mem_eq(again, buf, len); /* the rejected merges changed nothing */
    ck_assert_status(cm_backlog_deserialize(NULL, len, NULL, NULL, &out), CM_EINVAL);
    ck_assert_status(cm_backlog_deserialize(buf, len, NULL, NULL, NULL), CM_EINVAL);
    ck_assert_status(cm_backlog_merge_serialized(NULL, buf, len), CM_EINVAL);
    ck_assert_status(cm_backlog_merge_serialized(b, NULL, len), CM_EINVAL);
    free(again);
    free(bad);
    free(buf);
    cm_backlog_free(b);
}
END_TEST

typedef struct counting {
    int calls, frees, fail_at;
} counting;

static void *count_alloc(void *opaque, size_t n)
{
    counting *c = opaque;
    return ++c->calls == c->fail_at ? NULL : malloc(n);
}

static void count_free(void *opaque, void *p)
{
    ((counting *)opaque)->frees++;
    free(p);
}

START_TEST(allocator)
{
    counting c = {0, 0, 0};
    const cm_allocator a = {count_alloc, count_free, &c};
    const cm_backlog_config cfg = {days, 3, day_bounds, 2, 4, 0, NULL};
    cm_backlog *b;
    ck_assert_status(cm_backlog_new(&cfg, &a, &b), CM_OK);
    ck_assert_int_eq(c.calls, 1);
    for (int i = 0; i < 100; i++)
        ck_assert_status(cm_backlog_add(b, (uint32_t)i % 4, days[0] - i * 1000, days[2]), CM_OK);
    ck_assert_int_eq(c.calls, 1);
    size_t len;
    uint8_t *buf = bytes_of(b, &len);
    cm_backlog *d = (cm_backlog *)(uintptr_t)0x1;
    c.fail_at = 2;
    ck_assert_status(cm_backlog_deserialize(buf, len, NULL, &a, &d), CM_ENOMEM);
    ck_assert_ptr_eq(d, (cm_backlog *)(uintptr_t)0x1);
    c.fail_at = 0;
    ck_assert_status(cm_backlog_deserialize(buf, len, NULL, &a, &d), CM_OK);
    cm_backlog_free(d);
    cm_backlog_free(b);
    ck_assert_int_eq(c.frees, 2);
    free(buf);
}
END_TEST

static Suite *backlog_suite(void)
{
    Suite *s = suite_create("backlog");
    TCase *tc = tcase_create("backlog");
    tcase_add_test(tc, hand_example);
    tcase_add_test(tc, brute_force_calendar_time);
    tcase_add_test(tc, brute_force_business_time);
    tcase_add_test(tc, merge_equals_single_pass);
    tcase_add_test(tc, config_bad_input);
    tcase_add_test(tc, add_and_query_bad_input);
    tcase_add_test(tc, bytes_rejected);
    tcase_add_test(tc, allocator);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(backlog_suite());
}
