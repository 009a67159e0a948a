/*
 * Tests of caremetrics/common.h: status table, version, UTC civil time,
 * and the shared math helpers of lib/common-internal.h.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/common.h>

#include "common-internal.h"
#include "testing.h"

#include "data/normal-oracle.h"

/* ---- status table ---------------------------------------------------- */

START_TEST(status_table_complete)
{
    /* Pinned values: they are ABI. */
    ck_assert_int_eq(CM_OK, 0);
    ck_assert_int_eq(CM_EINVAL, -1);
    ck_assert_int_eq(CM_ERANGE, -2);
    ck_assert_int_eq(CM_ENODATA, -3);
    ck_assert_int_eq(CM_EUNSTABLE, -4);
    ck_assert_int_eq(CM_EPARSE, -5);
    ck_assert_int_eq(CM_ENOTFOUND, -6);
    ck_assert_int_eq(CM_EOVERFLOW, -7);
    ck_assert_int_eq(CM_ENOMEM, -8);
    ck_assert_int_eq(CM_ENOSPC, -9);
    ck_assert_int_eq(CM_STATUS_COUNT, 10);
    static const char *const names[CM_STATUS_COUNT] = {
        "CM_OK",     "CM_EINVAL",    "CM_ERANGE",    "CM_ENODATA", "CM_EUNSTABLE",
        "CM_EPARSE", "CM_ENOTFOUND", "CM_EOVERFLOW", "CM_ENOMEM",  "CM_ENOSPC",
    };
    for (int i = 0; i < CM_STATUS_COUNT; i++) {
        const cm_status s = (cm_status)-i;
        ck_assert_str_eq(cm_status_name(s), names[i]);
        const char *msg = cm_strerror(s);
        ck_assert_ptr_nonnull(msg);
        ck_assert_int_gt((int)strlen(msg), 3);
        ck_assert_ptr_null(strchr(msg, '\n'));
        for (int j = 0; j < i; j++)
            ck_assert_str_ne(msg, cm_strerror((cm_status)-j));
    }
}
END_TEST

START_TEST(status_unknown_values)
{
    const int bad[] = {1, -CM_STATUS_COUNT, 1000, -1000, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_str_eq(cm_strerror((cm_status)bad[i]), "unknown status");
        ck_assert_str_eq(cm_status_name((cm_status)bad[i]), "CM_UNKNOWN");
    }
}
END_TEST

/* ---- version ----------------------------------------------------------- */

START_TEST(version_agrees)
{
    ck_assert_uint_eq(cm_version(), CM_VERSION_NUMBER);
    ck_assert_str_eq(cm_version_string(), CM_VERSION_STRING);
    char text[32];
    snprintf(text, sizeof text, "%d.%d.%d", CM_VERSION_MAJOR, CM_VERSION_MINOR, CM_VERSION_PATCH);
    ck_assert_str_eq(text, CM_VERSION_STRING);
    ck_assert_uint_eq(cm_version(), (unsigned)(CM_VERSION_MAJOR * 10000 + CM_VERSION_MINOR * 100 +
                                               CM_VERSION_PATCH));
}
END_TEST

/* ---- civil time ---------------------------------------------------------- */

/* Expected instants, weekdays and days of the year from Python's datetime and
 * calendar.timegm; year 0 by hand: 0001-01-01 minus the 366 days of leap year 0. */
static const struct {
    int32_t y, mo, d, h, mi, s;
    cm_time t;
    int32_t weekday, yday;
} civil_cases[] = {
    {1970, 1, 1, 0, 0, 0, 0, 4, 1},
    {1969, 12, 31, 23, 59, 59, -1, 3, 365},
    {2000, 2, 29, 12, 34, 56, 951827696, 2, 60},
    {2025, 3, 9, 7, 0, 0, 1741503600, 7, 68},
    {2026, 11, 23, 7, 54, 53, 1795420493, 1, 327},
    {2024, 12, 31, 23, 59, 59, 1735689599, 2, 366},
    {1, 1, 1, 0, 0, 0, -62135596800, 1, 1},
    {0, 1, 1, 0, 0, 0, -62167219200, 6, 1},
    {9999, 12, 31, 23, 59, 59, 253402300799, 5, 365},
};

START_TEST(civil_round_trip)
{
    const int i = _i;
    cm_civil c = {civil_cases[i].y,
                  civil_cases[i].mo,
                  civil_cases[i].d,
                  civil_cases[i].h,
                  civil_cases[i].mi,
                  civil_cases[i].s,
                  0,
                  0};
    cm_time t;
    ck_assert_status(cm_time_from_civil(&c, &t), CM_OK);
    ck_assert_int_eq(t, civil_cases[i].t);
    cm_civil back;
    ck_assert_status(cm_time_to_civil(t, &back), CM_OK);
    ck_assert_int_eq(back.year, c.year);
    ck_assert_int_eq(back.month, c.month);
    ck_assert_int_eq(back.day, c.day);
    ck_assert_int_eq(back.hour, c.hour);
    ck_assert_int_eq(back.minute, c.minute);
    ck_assert_int_eq(back.second, c.second);
    ck_assert_int_eq(back.weekday, civil_cases[i].weekday);
    ck_assert_int_eq(back.yday, civil_cases[i].yday);
}
END_TEST

START_TEST(civil_every_day_consistent)
{
    /* Walk day by day over 1600-03-01 .. 2400-03-01 (two 400-year cycles and
     * every leap rule) and check the calendar advances one day at a time. */
    cm_civil c0 = {1600, 3, 1, 0, 0, 0, 0, 0};
    cm_time t;
    ck_assert_status(cm_time_from_civil(&c0, &t), CM_OK);
    int32_t y = 1600, m = 3, d = 1, wd = 0;
    for (int n = 0; n < 292194; n++, t += 86400) {
        cm_civil c;
        ck_assert_status(cm_time_to_civil(t, &c), CM_OK);
        ck_assert_msg(c.year == y && c.month == m && c.day == d, "day %d: %d-%d-%d", n, c.year,
                      c.month, c.day);
        if (wd != 0)
            ck_assert_int_eq(c.weekday, wd % 7 + 1);
        wd = c.weekday;
        const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        const int dim[12] = {31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        if (++d > dim[m - 1]) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
    ck_assert_int_eq(y, 2400);
}
END_TEST

START_TEST(civil_bad_input)
{
    cm_time t;
    cm_civil c;
    poison(&t);
    ck_assert_status(cm_time_from_civil(NULL, &t), CM_EINVAL);
    cm_civil ok = {2025, 1, 1, 0, 0, 0, 0, 0};
    ck_assert_status(cm_time_from_civil(&ok, NULL), CM_EINVAL);
    static const cm_civil bad[] = {
        {2025, 2, 29, 0, 0, 0, 0, 0}, /* not a leap year */
        {1900, 2, 29, 0, 0, 0, 0, 0}, /* century, not leap */
        {2025, 4, 31, 0, 0, 0, 0, 0},
        {2025, 0, 1, 0, 0, 0, 0, 0},
        {2025, 13, 1, 0, 0, 0, 0, 0},
        {2025, 1, 0, 0, 0, 0, 0, 0},
        {2025, 1, 1, 24, 0, 0, 0, 0},
        {2025, 1, 1, 0, 60, 0, 0, 0},
        {2025, 1, 1, 0, 0, 60, 0, 0},
        {2025, 1, 1, -1, 0, 0, 0, 0},
        {-1, 1, 1, 0, 0, 0, 0, 0},
        {10000, 1, 1, 0, 0, 0, 0, 0},
        {INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN, 0, 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_status(cm_time_from_civil(&bad[i], &t), CM_ERANGE);
    ck_assert_untouched(&t);
    poison(&c);
    ck_assert_status(cm_time_to_civil(0, NULL), CM_EINVAL);
    ck_assert_status(cm_time_to_civil(INT64_MAX, &c), CM_ERANGE);
    ck_assert_status(cm_time_to_civil(INT64_MIN, &c), CM_ERANGE);
    ck_assert_untouched(&c);
}
END_TEST

/* ---- RFC 3339 parse / format ------------------------------------------- */

static const struct {
    const char *text;
    cm_time t;
} parse_ok[] = {
    {"1970-01-01T00:00:00Z", 0},
    {"1970-01-01", 0},
    {"2000-02-29T12:34:56Z", 951827696},
    {"2000-02-29 12:34:56", 951827696},
    {"2000-02-29t12:34:56z", 951827696},
    {"2000-02-29T12:34:56.999Z", 951827696},
    {"2000-02-29T12:34:56.1+00:00", 951827696},
    {"2025-03-09T01:30:00-05:30", 1741503600},
    {"2025-03-09T12:00:00+05:00", 1741503600},
    {"1969-12-31T23:59:59Z", -1},
    {"9999-12-31T23:59:59Z", 253402300799},
};

START_TEST(parse_valid)
{
    cm_time t;
    const char *s = parse_ok[_i].text;
    ck_assert_status(cm_time_parse(s, strlen(s), &t), CM_OK);
    ck_assert_int_eq(t, parse_ok[_i].t);
}
END_TEST

static const char *const parse_bad[] = {
    "",
    "2025",
    "2025-1-01",
    "2025-01-01T",
    "2025-01-01T10:00",
    "2025-01-01T10:00:00Q",
    "2025-01-01T10:00:00+0500",
    "2025-01-01T10:00:00+24:00",
    "2025-01-01T10:00:00.Z",
    "2025-01-01T10:00:60Z",
    "2025-01-01T24:00:00Z",
    "2025-02-29T00:00:00Z",
    "2025-13-01",
    "2025-00-10",
    "2025-01-01X10:00:00Z",
    "2025-01-01T10:00:00Z ",
    " 2025-01-01",
    "+2025-01-01",
    "2025-01-01T1a:00:00Z",
};

START_TEST(parse_invalid)
{
    cm_time t;
    poison(&t);
    const char *s = parse_bad[_i];
    ck_assert_status(cm_time_parse(s, strlen(s), &t), CM_EPARSE);
    ck_assert_untouched(&t);
}
END_TEST

START_TEST(parse_length_delimited)
{
    /* The length, not a NUL, ends the text: a CSV field in the middle of a line. */
    const char *line = "42,2025-03-09T07:00:00Z,chat";
    cm_time t;
    ck_assert_status(cm_time_parse(line + 3, 20, &t), CM_OK);
    ck_assert_int_eq(t, 1741503600);
    ck_assert_status(cm_time_parse(line + 3, 21, &t), CM_EPARSE);
    ck_assert_status(cm_time_parse(NULL, 0, &t), CM_EINVAL);
    ck_assert_status(cm_time_parse("1970-01-01", 10, NULL), CM_EINVAL);
}
END_TEST

START_TEST(format_round_trip)
{
    char buf[CM_TIME_FORMAT_SIZE];
    for (size_t i = 0; i < sizeof civil_cases / sizeof civil_cases[0]; i++) {
        ck_assert_status(cm_time_format(civil_cases[i].t, buf, sizeof buf), CM_OK);
        ck_assert_int_eq((int)strlen(buf), CM_TIME_FORMAT_SIZE - 1);
        cm_time back;
        ck_assert_status(cm_time_parse(buf, strlen(buf), &back), CM_OK);
        ck_assert_int_eq(back, civil_cases[i].t);
    }
    ck_assert_status(cm_time_format(951827696, buf, sizeof buf), CM_OK);
    ck_assert_str_eq(buf, "2000-02-29T12:34:56Z");
}
END_TEST

START_TEST(format_bad_input)
{
    char buf[CM_TIME_FORMAT_SIZE];
    memset(buf, CM_POISON, sizeof buf);
    ck_assert_status(cm_time_format(0, NULL, 64), CM_EINVAL);
    ck_assert_status(cm_time_format(0, buf, CM_TIME_FORMAT_SIZE - 1), CM_ENOSPC);
    ck_assert_status(cm_time_format(253402300800, buf, sizeof buf), CM_ERANGE); /* year 10000 */
    ck_assert_status(cm_time_format(-62167219201, buf, sizeof buf), CM_ERANGE); /* year -1 */
    ck_assert_status(cm_time_format(INT64_MIN, buf, sizeof buf), CM_ERANGE);
    ck_assert_untouched(&buf);
}
END_TEST

/* ---- internal helpers ---------------------------------------------------- */

/*
 * Normal quantile against mpmath at 50 digits (tests/oracle/kpi_oracle.py).
 * Tolerance 4e-15 relative: Acklam's approximation refined by a Halley step
 * is accurate to a few ulp; erfc and exp in glibc are correctly rounded to
 * within 1 ulp.
 */
START_TEST(normal_quantile_oracle)
{
    const double x = cm__normal_quantile(normal_oracle[_i].p);
    ck_assert_rel(x, normal_oracle[_i].x, 4e-15);
}
END_TEST

START_TEST(crc32_check_value)
{
    /* The standard CRC-32 check value of "123456789" (zlib, PNG, IEEE 802.3). */
    ck_assert_uint_eq(cm__crc32((const uint8_t *)"123456789", 9), 0xCBF43926u);
    ck_assert_uint_eq(cm__crc32(NULL, 0), 0u);
    /* Every byte value, in both orders (Python's zlib.crc32 of the same bytes). */
    uint8_t b[3 * 256];
    for (size_t i = 0; i < sizeof b; i++)
        b[i] = (uint8_t)(255 - i % 256);
    ck_assert_uint_eq(cm__crc32(b, sizeof b), 0xBCDE63C3u);
    for (size_t i = 0; i < 256; i++)
        b[i] = (uint8_t)i;
    ck_assert_uint_eq(cm__crc32(b, 256), 0x29058C73u);
}
END_TEST

START_TEST(crc32_every_length_and_alignment)
{
    /* Eight bytes are folded per step, the rest one at a time: every length
     * up to 3 steps and every start offset within a word. */
    uint8_t b[40];
    uint32_t x = 0x9E3779B9u;
    for (size_t i = 0; i < sizeof b; i++) {
        x = x * 1664525u + 1013904223u;
        b[i] = (uint8_t)(x >> 24);
    }
    for (size_t off = 0; off < 8; off++)
        for (size_t n = 0; off + n <= sizeof b; n++)
            ck_assert_uint_eq(cm__crc32(b + off, n), test_crc32(b + off, n));
}
END_TEST

static Suite *common_suite(void)
{
    Suite *s = suite_create("common");
    TCase *tc = tcase_create("status");
    tcase_add_test(tc, status_table_complete);
    tcase_add_test(tc, status_unknown_values);
    tcase_add_test(tc, version_agrees);
    suite_add_tcase(s, tc);

    tc = tcase_create("time");
    tcase_add_loop_test(tc, civil_round_trip, 0, (int)(sizeof civil_cases / sizeof civil_cases[0]));
    tcase_add_test(tc, civil_every_day_consistent);
    tcase_add_test(tc, civil_bad_input);
    tcase_add_loop_test(tc, parse_valid, 0, (int)(sizeof parse_ok / sizeof parse_ok[0]));
    tcase_add_loop_test(tc, parse_invalid, 0, (int)(sizeof parse_bad / sizeof parse_bad[0]));
    tcase_add_test(tc, parse_length_delimited);
    tcase_add_test(tc, format_round_trip);
    tcase_add_test(tc, format_bad_input);
    suite_add_tcase(s, tc);

    tc = tcase_create("internal");
    tcase_add_loop_test(tc, normal_quantile_oracle, 0,
                        (int)(sizeof normal_oracle / sizeof normal_oracle[0]));
    tcase_add_test(tc, crc32_check_value);
    tcase_add_test(tc, crc32_every_length_and_alignment);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(common_suite());
}
