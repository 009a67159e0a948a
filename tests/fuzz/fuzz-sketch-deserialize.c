/*
 * libFuzzer target: cm_sketch_deserialize and cm_sketch2_deserialize. Bit 7
 * of the first input byte asks to repair the CRC trailer first, so that
 * mutations also reach the checks behind the CRC; bit 6 selects the
 * ::cm_sketch2 reader; the rest is the buffer. Accepted bytes must
 * re-serialize to exactly the same bytes, and the sketch must answer every
 * query with a clean status, values inside [min, max] and shares whose
 * bounds hold.
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

/* The share at a threshold: bounds in order, interval inside [0, 1]. */
static void check_share(cm_status st, const cm_share *sh, uint64_t n)
{
    CHECK(st == CM_OK || (st == CM_ENODATA && n == 0));
    if (st == CM_OK)
        CHECK(sh->n == n && sh->count_min <= sh->count && sh->count <= sh->count_max &&
              sh->count_max <= n && sh->lo >= 0.0 && sh->lo <= sh->hi && sh->hi <= 1.0);
}

static int one_sketch2(const uint8_t *buf, size_t len, uint8_t *out, size_t cap)
{
    static cm_sketch2 s, twice;
    if (cm_sketch2_deserialize(buf, len, &s) != CM_OK)
        return 0;
    size_t w = 0;
    CHECK(cm_sketch2_serialize(&s, out, cap, &w) == CM_OK);
    CHECK(w == len && memcmp(out, buf, len) == 0);
    cm_sketch2_summary sum;
    const cm_status st = cm_sketch2_result(&s, &sum);
    CHECK(st == CM_OK || (st == CM_ENODATA && s.core.n == 0));
    const double qs[] = {0.0, 0.01, 0.5, 0.9, 0.99, 1.0};
    double v[6];
    CHECK(cm_sketch2_quantiles(&s, qs, 6, v) == st);
    if (st == CM_OK) {
        CHECK(isfinite(sum.mean_seconds) && isfinite(sum.stddev_seconds) &&
              sum.stddev_seconds >= 0.0 && isfinite(sum.stddev_pop_seconds) &&
              sum.stddev_pop_seconds >= 0.0);
        for (int i = 0; i < 6; i++)
            CHECK(isfinite(v[i]) && v[i] >= sum.min_seconds && v[i] <= sum.max_seconds);
    }
    cm_share sh;
    check_share(cm_sketch2_rank(&s, st == CM_OK ? v[2] : 1.0, 0.95, &sh), &sh, s.core.n);
    twice = s;
    const cm_status mst = cm_sketch2_merge(&twice, &s);
    CHECK(mst == CM_OK || mst == CM_EOVERFLOW);
    if (mst == CM_OK)
        CHECK(cm_sketch2_serialize(&twice, out, cap, &w) == CM_OK);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static uint8_t fixed[CM_SKETCH2_SERIALIZED_MAX + 64], out[CM_SKETCH2_SERIALIZED_MAX];
    const uint8_t *buf = data + 1;
    const size_t len = size - 1;
    if ((data[0] & 0x80) && len >= CM__SERIAL_HEADER + CM__SERIAL_TRAILER && len <= sizeof fixed) {
        memcpy(fixed, buf, len);
        cm__serial_end(fixed, len);
        buf = fixed;
    }
    if (data[0] & 0x40)
        return one_sketch2(buf, len, out, sizeof out);
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
    cm_share sh;
    check_share(cm_sketch_rank(&s, st == CM_OK ? v[2] : 1.0, 0.95, &sh), &sh, s.n);
    twice = s;
    const cm_status mst = cm_sketch_merge(&twice, &s);
    CHECK(mst == CM_OK || mst == CM_EOVERFLOW);
    if (mst == CM_OK)
        CHECK(cm_sketch_serialize(&twice, out, sizeof out, &w) == CM_OK);
    return 0;
}
