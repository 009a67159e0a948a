/*
 * libFuzzer target: the iCalendar import. The text is passed without a
 * terminating NUL (so reads past its length are caught). A rejected text must
 * report a position inside it and leave the builder as it was; an accepted
 * one must build, and only close dates: business time never grows.
 * The first byte picks the flags.
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

#define SPAN_FROM ((cm_time)1577836800) /* 2020-01-01 */
#define SPAN_TO   ((cm_time)1893456000) /* 2030-01-01 */

/* Open seconds of 2020..2029 of what the builder holds now. */
static int64_t open_seconds(const cm_calendar_builder *b)
{
    cm_calendar *cal;
    const cm_status st = cm_calendar_builder_build(b, &cal);
    if (st != CM_OK) {
        CHECK(st == CM_ENOMEM || st == CM_EINVAL || st == CM_ERANGE);
        return -1;
    }
    int64_t e;
    CHECK(cm_calendar_elapsed(cal, SPAN_FROM, SPAN_TO, &e) == CM_OK);
    cm_calendar_free(cal);
    return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 16384)
        return 0;
    const uint32_t flags = data[0] & 3u;
    const char *text = (const char *)data + 1;
    const size_t len = size - 1;
    char *copy = malloc(len + 1); /* exactly len bytes reach the parser */
    if (copy == NULL)
        return 0;
    memcpy(copy, text, len);
    cm_calendar_builder *b;
    if (cm_calendar_builder_new(&b) != CM_OK) {
        free(copy);
        return 0;
    }
    for (int32_t wd = 1; wd <= 5; wd++)
        CHECK(cm_calendar_builder_add_weekly(b, wd, 9 * 3600, 17 * 3600) == CM_OK);
    const int64_t before = open_seconds(b);
    cm_parse_error err = {0, 0, NULL};
    const cm_status st = cm_calendar_builder_add_ical(b, copy, len, flags, &err);
    if (st == CM_EPARSE) {
        /* The position is inside the text: line l exists and column c is at
         * most one past its end. */
        CHECK(err.message != NULL && err.line >= 1 && err.column >= 1);
        size_t at = 0;
        for (uint32_t l = 1; l < err.line; l++) {
            const char *nl = memchr(copy + at, '\n', len - at);
            CHECK(nl != NULL);
            at = (size_t)(nl - copy) + 1;
        }
        const char *nl = memchr(copy + at, '\n', len - at);
        const size_t line_len = nl != NULL ? (size_t)(nl - copy) - at : len - at;
        CHECK(err.column <= line_len + 1);
        CHECK(open_seconds(b) == before); /* nothing was added */
    } else if (st == CM_OK) {
        const int64_t after = open_seconds(b);
        CHECK(after == -1 || after <= before);
    } else {
        CHECK(st == CM_ENOMEM);
        CHECK(open_seconds(b) == before);
    }
    cm_calendar_builder_free(b);
    free(copy);
    return 0;
}
