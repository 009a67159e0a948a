/*
 * libFuzzer target: the CSV history reader of caremetrics-forecast
 * (examples/forecast/history-csv.c) on arbitrary bytes, in lenient and
 * strict mode. Every row it keeps must carry a known channel and a handle
 * time that is unknown or finite and non-negative; counting the rows into a
 * week of intervals must succeed.
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* fmemopen */
#include "history.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)  \
    do {             \
        if (!(cond)) \
            abort(); \
    } while (0)

static cm_calendar *cal;
static cm_forecast_interval iv[7 * 48];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (cal == NULL) {
        size_t n = 0;
        if (cm_calendar_parse("tz UTC\nmon-sun 00:00-24:00\n", &cal, NULL) != CM_OK ||
            cm_forecast_intervals(cal, 2025, 3, 3, 7, 30, iv, 7 * 48, &n) != CM_OK)
            abort();
    }
    if (size == 0)
        return 0;
    for (int strict = 0; strict < 2; strict++) {
        FILE *in = fmemopen((void *)(uintptr_t)data, size, "r");
        if (in == NULL)
            return 0;
        history h;
        const int rc = history_read_csv(in, "fuzz", strict != 0, &h);
        fclose(in);
        if (rc == 0) {
            for (size_t i = 0; i < h.n; i++) {
                CHECK(h.channel[i] < NCHANNELS);
                CHECK(h.handle[i] == CM_FORECAST_HANDLE_UNKNOWN ||
                      (isfinite(h.handle[i]) && h.handle[i] >= 0.0));
            }
            static double a[NCHANNELS * 7 * 48], s[NCHANNELS * 7 * 48], d[NCHANNELS * 7 * 48];
            CHECK(cm_forecast_history_add(iv, 7 * 48, h.created, h.channel, h.handle, h.n,
                                          NCHANNELS, a, s, d, NULL) == CM_OK);
        }
        history_free(&h);
    }
    return 0;
}
