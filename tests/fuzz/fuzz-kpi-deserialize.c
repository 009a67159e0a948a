/*
 * libFuzzer target: the accumulator deserializers. The first input byte picks
 * the kind (low two bits) and whether to repair the CRC trailer first (bit 7),
 * so that mutations also reach the checks behind the CRC; the rest is the
 * buffer. Accepted bytes must re-serialize to exactly the same bytes, and the
 * accumulator must give a result or a clean status.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/kpi.h>

#include "serial-internal.h"

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
    const uint8_t kind = data[0] % 4;
    uint8_t fixed[256];
    const uint8_t *buf = data + 1;
    const size_t len = size - 1;
    if ((data[0] & 0x80) && len >= CM__SERIAL_HEADER + CM__SERIAL_TRAILER && len <= sizeof fixed) {
        memcpy(fixed, buf, len);
        cm__serial_end(fixed, len);
        buf = fixed;
    }
    uint8_t out[128];
    size_t w = 0;
    switch (kind) {
    case 0: {
        cm_csat a;
        cm_csat_summary s;
        if (cm_csat_deserialize(buf, len, &a) != CM_OK)
            return 0;
        CHECK(cm_csat_serialize(&a, out, sizeof out, &w) == CM_OK);
        const cm_status st = cm_csat_result(&a, 0.95, &s);
        CHECK(st == CM_OK || st == CM_ENODATA || st == CM_EOVERFLOW);
        break;
    }
    case 1: {
        cm_nps a;
        cm_nps_summary s;
        if (cm_nps_deserialize(buf, len, &a) != CM_OK)
            return 0;
        CHECK(cm_nps_serialize(&a, out, sizeof out, &w) == CM_OK);
        const cm_status st = cm_nps_result(&a, 0.95, &s);
        CHECK(st == CM_OK || st == CM_ENODATA || st == CM_EOVERFLOW);
        break;
    }
    case 2: {
        cm_ces a;
        cm_ces_summary s;
        if (cm_ces_deserialize(buf, len, &a) != CM_OK)
            return 0;
        CHECK(cm_ces_serialize(&a, out, sizeof out, &w) == CM_OK);
        const cm_status st = cm_ces_result(&a, 0.95, &s);
        CHECK(st == CM_OK || st == CM_ENODATA || st == CM_EOVERFLOW);
        break;
    }
    default: {
        cm_art a;
        cm_art_summary s;
        if (cm_art_deserialize(buf, len, &a) != CM_OK)
            return 0;
        CHECK(cm_art_serialize(&a, out, sizeof out, &w) == CM_OK);
        const cm_status st = cm_art_result(&a, &s);
        CHECK(st == CM_OK || st == CM_ENODATA);
        break;
    }
    }
    CHECK(w == len && memcmp(out, buf, len) == 0);
    return 0;
}
