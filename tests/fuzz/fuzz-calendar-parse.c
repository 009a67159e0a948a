/*
 * libFuzzer target: the calendar spec parser and the operations on whatever
 * it accepts. A rejected spec must report a position inside the input; an
 * accepted one must give a calendar whose operations agree with each other.
 * Most inputs load their `tz` lines' zones through one zone cache, as a
 * service that parses many specs would; one in 64 loads them on its own.
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

#define YEAR 31556952 /* mean Gregorian year, seconds */

/* Instants in 1998..2031 and around 2300, picked from the input's bytes. */
static cm_time pick(const uint8_t *data, size_t size, size_t k)
{
    uint64_t h = 1469598103934665603u ^ k;
    for (size_t i = 0; i < size; i += 1 + size / 64) {
        h ^= data[i];
        h *= 1099511628211u;
    }
    const cm_time base = (k % 5 == 4) ? 10413792000 /* 2300 */ : 883612800 /* 1998 */;
    return base + (cm_time)(h % (uint64_t)(33 * (int64_t)YEAR));
}

static void exercise(const cm_calendar *cal, const uint8_t *data, size_t size)
{
    for (size_t k = 0; k < 6; k++) {
        const cm_time t = pick(data, size, k);
        const cm_time u = t + (cm_time)(pick(data, size, k + 100) % (2 * YEAR)) - YEAR;
        int64_t e, e2, e3, year_open;
        CHECK(cm_calendar_elapsed(cal, t, u, &e) == CM_OK);
        CHECK(cm_calendar_elapsed(cal, u, t, &e2) == CM_OK && e2 == -e);
        CHECK(e >= -YEAR - 1 && e <= YEAR + 1);
        /* additivity through a middle point */
        const cm_time m = t + (u - t) / 3;
        CHECK(cm_calendar_elapsed(cal, t, m, &e2) == CM_OK);
        CHECK(cm_calendar_elapsed(cal, m, u, &e3) == CM_OK && e2 + e3 == e);
        /* add inverts elapsed, for amounts that stay within a year */
        CHECK(cm_calendar_elapsed(cal, t, t + YEAR, &year_open) == CM_OK);
        if (year_open > 0) {
            const int64_t n = 1 + (int64_t)((uint64_t)(u ^ t) % (uint64_t)year_open);
            cm_time r, back, no;
            CHECK(cm_calendar_add(cal, t, n, &r) == CM_OK);
            CHECK(cm_calendar_elapsed(cal, t, r, &e2) == CM_OK && e2 == n);
            CHECK(cm_calendar_add(cal, r, -n, &back) == CM_OK);
            CHECK(cm_calendar_next_open(cal, t, &no) == CM_OK && back == no);
            bool open;
            CHECK(cm_calendar_is_open(cal, t, &open) == CM_OK && open == (no == t));
            cm_time nc;
            const cm_status st = cm_calendar_next_close(cal, no, &nc);
            CHECK(st == CM_OK || st == CM_ENOTFOUND);
            if (st == CM_OK && nc - no < 3 * YEAR) {
                CHECK(nc > no);
                CHECK(cm_calendar_elapsed(cal, no, nc, &e3) == CM_OK && e3 == nc - no);
                CHECK(cm_calendar_is_open(cal, nc, &open) == CM_OK && !open);
            }
            const cm_status sr = cm_calendar_add_roll(cal, t, n, &r);
            CHECK(sr == CM_OK || sr == CM_EOVERFLOW); /* no opening after the result */
            if (sr == CM_OK)
                CHECK(cm_calendar_is_open(cal, r, &open) == CM_OK && open);
            const cm_status sd = cm_calendar_add_days(cal, t, (int32_t)(n % 11) - 5, &r);
            CHECK(sd == CM_OK || sd == CM_EOVERFLOW);
        }
    }
}

/* The zone cache shared by the inputs, made on first use (NULL if that failed). */
static cm_tz_cache *zone_cache(void)
{
    static cm_tz_cache *cache;
    static bool tried;
    if (!tried) {
        tried = true;
        if (cm_tz_cache_new(NULL, &cache) != CM_OK)
            cache = NULL;
    }
    return cache;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return 0;
    char *spec = malloc(size + 1);
    if (spec == NULL)
        return 0;
    memcpy(spec, data, size);
    spec[size] = '\0';
    cm_calendar_builder *b;
    if (cm_calendar_builder_new(&b) != CM_OK) {
        free(spec);
        return 0;
    }
    CHECK(cm_calendar_builder_set_cache_years(b, 2024, 2) == CM_OK); /* accepted, no effect */
    if (pick(data, size, 7) % 64 != 0)
        CHECK(cm_calendar_builder_set_tz_cache(b, zone_cache()) == CM_OK);
    cm_parse_error err = {0, 0, NULL};
    const cm_status st = cm_calendar_builder_add_spec(b, spec, &err);
    if (st == CM_EPARSE) {
        /* The position is inside the text: count its lines. */
        uint32_t lines = 1;
        for (size_t i = 0; spec[i] != '\0'; i++)
            lines += spec[i] == '\n';
        CHECK(err.message != NULL && err.line >= 1 && err.line <= lines && err.column >= 1 &&
              err.column <= strlen(spec) + 1);
    } else if (st == CM_OK) {
        cm_calendar *cal;
        CHECK(cm_calendar_builder_build(b, &cal) == CM_OK);
        exercise(cal, data, size);
        cm_calendar_free(cal);
    } else {
        CHECK(st == CM_ENOMEM);
    }
    cm_calendar_builder_free(b);
    free(spec);
    return 0;
}
