/*
 * libFuzzer target: cm_contact_deserialize. If the first input byte has bit 7
 * set, the CRC trailer of the rest is repaired first, so that mutations also
 * reach the consistency checks behind the CRC; the rest is the buffer.
 * Accepted bytes must re-serialize to exactly the same bytes, merge with
 * themselves or overflow cleanly, and give every KPI or a clean status.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/contact.h>

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

static void check_value(cm_status st, double v, double hi)
{
    CHECK(st == CM_OK || st == CM_ENODATA);
    if (st == CM_OK)
        CHECK(isfinite(v) && v >= 0.0 && v <= hi);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t fixed[256];
    const uint8_t *buf = data + 1;
    const size_t len = size - 1;
    if ((data[0] & 0x80) && len >= CM__SERIAL_HEADER + CM__SERIAL_TRAILER && len <= sizeof fixed) {
        memcpy(fixed, buf, len);
        cm__serial_end(fixed, len);
        buf = fixed;
    }
    cm_contact c;
    if (cm_contact_deserialize(buf, len, &c) != CM_OK)
        return 0;
    uint8_t out[CM_CONTACT_SERIALIZED_SIZE];
    size_t w = 0;
    CHECK(cm_contact_serialize(&c, out, sizeof out, &w) == CM_OK);
    CHECK(w == len && memcmp(out, buf, len) == 0);
    double v;
    for (int k = 0; k < CM_SL_VARIANT_COUNT; k++) {
        uint64_t num, den;
        CHECK(cm_contact_service_level_counts(&c, (cm_sl_variant)k, &num, &den) == CM_OK);
        CHECK(num <= den || den == 0);
        check_value(cm_contact_service_level(&c, (cm_sl_variant)k, &v), v, 1.0);
    }
    check_value(cm_contact_abandonment_rate(&c, false, &v), v, 1.0);
    check_value(cm_contact_abandonment_rate(&c, true, &v), v, 1.0);
    check_value(cm_contact_asa(&c, &v), v, HUGE_VAL);
    check_value(cm_contact_aht(&c, &v), v, HUGE_VAL);
    check_value(cm_contact_abandon_time(&c, &v), v, HUGE_VAL);
    const cm_status st = cm_contact_occupancy(&c, 3600.0, &v);
    CHECK(st == CM_OK || st == CM_ERANGE);
    cm_contact twice = c;
    const cm_status m = cm_contact_merge(&twice, &c);
    CHECK(m == CM_OK || m == CM_EOVERFLOW);
    if (m == CM_EOVERFLOW)
        CHECK(memcmp(&twice, &c, sizeof c) == 0);
    return 0;
}
