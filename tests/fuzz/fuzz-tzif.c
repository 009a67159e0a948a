/*
 * libFuzzer target: the TZif reader. Whatever it accepts must answer every
 * query with an offset inside RFC 8536's range, convert local times without
 * looping, and give a 24x7 calendar and a 09-17 calendar whose operations
 * agree with each other, however odd the zone's transitions.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/calendar.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)  \
    do {             \
        if (!(cond)) \
            abort(); \
    } while (0)

static void calendar_checks(const cm_tz *tz, int32_t weekday_start, int32_t weekday_end)
{
    cm_calendar_builder *b;
    cm_calendar *cal;
    if (cm_calendar_builder_new(&b) != CM_OK)
        return;
    CHECK(cm_calendar_builder_set_cache_years(b, 2000, 1) == CM_OK);
    if (cm_calendar_builder_set_tz(b, tz) != CM_OK) {
        cm_calendar_builder_free(b);
        return;
    }
    for (int32_t wd = 1; wd <= 7; wd++)
        CHECK(cm_calendar_builder_add_weekly(b, wd, weekday_start, weekday_end) == CM_OK);
    const cm_status st = cm_calendar_builder_build(b, &cal);
    cm_calendar_builder_free(b);
    if (st != CM_OK)
        return;
    const cm_time pts[] = {946684800, 960000000, 977000000, 1700000000, -2208988800, 4102444800};
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        const cm_time t = pts[i], u = t + 40 * 86400;
        int64_t e, e1, e2;
        CHECK(cm_calendar_elapsed(cal, t, u, &e) == CM_OK && e >= 0 && e <= u - t);
        CHECK(cm_calendar_elapsed(cal, t, t + 86400 * 13, &e1) == CM_OK);
        CHECK(cm_calendar_elapsed(cal, t + 86400 * 13, u, &e2) == CM_OK && e1 + e2 == e);
        if (e > 0) {
            cm_time r, back, no;
            CHECK(cm_calendar_add(cal, t, e, &r) == CM_OK && r <= u);
            CHECK(cm_calendar_elapsed(cal, t, r, &e1) == CM_OK && e1 == e);
            CHECK(cm_calendar_add(cal, r, -e, &back) == CM_OK);
            CHECK(cm_calendar_next_open(cal, t, &no) == CM_OK && no == back);
            bool open;
            CHECK(cm_calendar_is_open(cal, no, &open) == CM_OK && open);
        }
        cm_time r;
        const cm_status sd = cm_calendar_add_days(cal, t, 3, &r);
        CHECK(sd == CM_OK || sd == CM_EOVERFLOW);
        const cm_status sc = cm_calendar_next_close(cal, t, &r);
        CHECK(sc == CM_OK || sc == CM_ENOTFOUND);
    }
    cm_calendar_free(cal);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cm_tz *tz;
    if (cm_tz_from_tzif(data, size, &tz) != CM_OK)
        return 0;
    const cm_time pts[] = {CM_CALENDAR_TIME_MIN, -2208988800, 0,          946684800,
                           2147483647,           2147483648,  4102444800, CM_CALENDAR_TIME_MAX};
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        int32_t off;
        cm_civil c;
        CHECK(cm_tz_utc_offset(tz, pts[i], &off) == CM_OK && off > -90000 && off < 93600);
        CHECK(cm_tz_to_local(tz, pts[i], &c) == CM_OK);
        cm_time back;
        const cm_status st = cm_tz_from_local(tz, &c, &back);
        CHECK(st == CM_OK || st == CM_ERANGE);
        if (st == CM_OK)
            CHECK(back >= pts[i] - 2 * 93600 && back <= pts[i] + 2 * 93600);
    }
    calendar_checks(tz, 0, 86400);
    calendar_checks(tz, 9 * 3600, 17 * 3600);
    calendar_checks(tz, 22 * 3600, 30 * 3600);
    cm_tz_free(tz);
    return 0;
}
