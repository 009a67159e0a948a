/*
 * libFuzzer target: cm_sketch_deserialize. Bit 7 of the first input byte
 * asks to repair the CRC trailer first, so that mutations also reach the
 * checks behind the CRC; the rest is the buffer. Accepted bytes must
 * re-serialize to exactly the same bytes, and the sketch must answer every
 * query with a clean status and values inside [min, max].
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/sketch.h>

#include "serial-internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)  \
    do {             \
        if (!(cond)) \
            abort(); \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static uint8_t fixed[CM_SKETCH_SERIALIZED_MAX + 64], out[CM_SKETCH_SERIALIZED_MAX];
    const uint8_t *buf = data + 1;
    const size_t len = size - 1;
    if ((data[0] & 0x80) && len >= CM__SERIAL_HEADER + CM__SERIAL_TRAILER && len <= sizeof fixed) {
        memcpy(fixed, buf, len);
        cm__serial_end(fixed, len);
        buf = fixed;
    }
    static cm_sketch s, twice;
    if (cm_sketch_deserialize(buf, len, &s) != CM_OK)
        return 0;
    size_t w = 0;
    CHECK(cm_sketch_serialize(&s, out, sizeof out, &w) == CM_OK);
    CHECK(w == len && memcmp(out, buf, len) == 0);

    cm_sketch_summary sum;
    const cm_status st = cm_sketch_result(&s, &sum);
    CHECK(st == CM_OK || (st == CM_ENODATA && s.n == 0));
    const double qs[] = {0.0, 0.01, 0.5, 0.9, 0.99, 1.0};
    double v[6];
    const cm_status qst = cm_sketch_quantiles(&s, qs, 6, v);
    CHECK(qst == st);
    if (st == CM_OK) {
        CHECK(isfinite(sum.mean_seconds) && sum.mean_seconds >= sum.min_seconds &&
              sum.mean_seconds <= sum.max_seconds);
        CHECK(v[0] == sum.min_seconds && v[5] == sum.max_seconds);
        for (int i = 0; i < 6; i++)
            CHECK(isfinite(v[i]) && v[i] >= sum.min_seconds && v[i] <= sum.max_seconds);
    }
    twice = s;
    const cm_status mst = cm_sketch_merge(&twice, &s);
    CHECK(mst == CM_OK || mst == CM_EOVERFLOW);
    if (mst == CM_OK)
        CHECK(cm_sketch_serialize(&twice, out, sizeof out, &w) == CM_OK);
    return 0;
}
