/*
 * libFuzzer target: cm_calendar_history_parse. A rejected text must say where
 * (line and column inside the text) and why; an accepted history must agree
 * with itself: the calendar in force changes only at its instants, elapsed
 * time is additive across any split and cm_calendar_history_add() inverts
 * cm_calendar_history_elapsed().
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

/* Instants around recent DST changes and year ends, and a week apart. */
static const cm_time probes[] = {
    INT64_C(1704067200), /* 2024-01-01 */
    INT64_C(1710054000), /* 2024-03-10 07:00 UTC */
    INT64_C(1735689600), /* 2025-01-01 */
    INT64_C(1741503600), /* 2025-03-09 07:00 UTC */
    INT64_C(1742108400), /* 2025-03-16 07:00 UTC */
    INT64_C(1767225600), /* 2026-01-01 */
};
#define NPROBES (sizeof probes / sizeof probes[0])

static void check_history(const cm_calendar_history *h)
{
    for (size_t i = 0; i < NPROBES; i++) {
        const cm_calendar *cal = NULL;
        cm_time until = 0;
        bool open = false;
        CHECK(cm_calendar_history_at(h, probes[i], &cal, &until) == CM_OK);
        CHECK(until > probes[i]);
        CHECK(cm_calendar_history_is_open(h, probes[i], &open) == CM_OK);
        if (cal == NULL)
            CHECK(!open);
    }
    for (size_t i = 0; i + 2 < NPROBES; i++) {
        int64_t ab = 0, bc = 0, ac = 0, ba = 0;
        const cm_time a = probes[i], b = probes[i + 1], c = probes[i + 2];
        CHECK(cm_calendar_history_elapsed(h, a, b, &ab) == CM_OK);
        CHECK(cm_calendar_history_elapsed(h, b, c, &bc) == CM_OK);
        CHECK(cm_calendar_history_elapsed(h, a, c, &ac) == CM_OK);
        CHECK(cm_calendar_history_elapsed(h, b, a, &ba) == CM_OK);
        CHECK(ab >= 0 && bc >= 0 && ac == ab + bc && ba == -ab && ab <= b - a);
        if (ab > 0) {
            cm_time r = 0;
            int64_t back = 0;
            CHECK(cm_calendar_history_add(h, a, ab, &r) == CM_OK);
            CHECK(r > a && r <= b);
            CHECK(cm_calendar_history_elapsed(h, a, r, &back) == CM_OK && back == ab);
            CHECK(cm_calendar_history_add(h, b, -ab, &r) == CM_OK);
            CHECK(r >= a && r < b);
            CHECK(cm_calendar_history_elapsed(h, r, b, &back) == CM_OK && back == ab);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    uint32_t lines = 1;
    for (size_t i = 0; i < size && text[i] != '\0'; i++)
        lines += text[i] == '\n';
    cm_calendar_history *h = NULL;
    cm_parse_error err = {0, 0, NULL};
    const cm_status st = cm_calendar_history_parse(text, NULL, &h, &err);
    if (st == CM_OK) {
        check_history(h);
        cm_calendar_history_free(h);
    } else {
        CHECK(h == NULL);
        CHECK(st == CM_EPARSE || st == CM_ENOTFOUND || st == CM_ENOMEM);
        if (st == CM_EPARSE)
            CHECK(err.message != NULL && err.line >= 1 && err.line <= lines && err.column >= 1);
    }
    free(text);
    return 0;
}
