/*
 * libFuzzer target: caremetrics-staffing's forecast reader and printers over
 * arbitrary files. The first input byte picks the options (Erlang A or not,
 * --strict, the interval length, an occupancy cap tight enough that some
 * intervals cannot be staffed, the output format); the rest is the file.
 * Whatever the bytes, reading must not crash or read out of bounds, must stay
 * within its limits, and every interval kept must be one the checks accept;
 * the day's totals and the chosen printer then run over the result.
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* fmemopen */

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "staffing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)  \
    do {             \
        if (!(cond)) \
            abort(); \
    } while (0)

static FILE *sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (sink == NULL) {
        sink = fopen("/dev/null", "w");
        CHECK(sink != NULL);
        CHECK(freopen("/dev/null", "w", stdout) != NULL); /* the printers write there */
    }
    const uint8_t flags = data[0];
    static const double intervals[4] = {30.0, 60.0, 1.0, 1e-3};
    options opt = {.interval_minutes = intervals[flags >> 2 & 3],
                   .target = 0.8,
                   .seconds = 20.0,
                   .max_occupancy = flags & 0x10 ? 1e-9 : 0.85,
                   .shrinkage = 0.3,
                   .shift_hours = 8.0,
                   .patience = flags & 1 ? 300.0 : 0.0,
                   .strict = flags & 2,
                   .format = (format)((flags >> 5) % 3),
                   .path = "fuzz.csv"};
    /* fmemopen needs a non-empty buffer: an empty file is a stream at its end. */
    FILE *in =
        size > 1 ? fmemopen((void *)(uintptr_t)(data + 1), size - 1, "r") : fopen("/dev/null", "r");
    CHECK(in != NULL);
    static forecast fc;
    const int failed = read_forecast(in, &opt, sink, &fc);
    fclose(in);
    CHECK(fc.n <= MAX_INTERVALS);
    for (size_t i = 0; i < fc.n; i++) {
        const interval *iv = &fc.iv[i];
        CHECK(iv->line >= 2 && (i == 0 || iv->line > fc.iv[i - 1].line));
        CHECK(memchr(iv->start, '\0', sizeof iv->start) != NULL && iv->start[0] != '\0');
        CHECK(isfinite(iv->volume) && iv->volume >= 0.0);
        CHECK(iv->aht_seconds > 0.0 && iv->aht_seconds <= CM_ERLANG_MAX_AHT_SECONDS);
        CHECK(iv->status != CM_ERANGE); /* out-of-range traffic is a bad line */
        if (iv->status == CM_OK)
            CHECK(isfinite(iv->plan.traffic) && isfinite(iv->plan.service_level) &&
                  isfinite(iv->plan.asa_seconds) && isfinite(iv->plan.occupancy));
    }
    if (!failed && fc.n > 0) {
        day d;
        day_totals(&fc, &opt, &d);
        CHECK(d.not_staffed <= fc.n && d.a_not_staffed <= fc.n);
        print_plan(&fc, &d, &opt);
        fflush(stdout);
    }
    return 0;
}
