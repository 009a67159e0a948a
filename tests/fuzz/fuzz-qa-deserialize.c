/*
 * libFuzzer target: the deserializers of the QA score accumulator (even first
 * byte) and of the cost-per-contact accumulator (odd). Bit 7 of the first
 * byte repairs the CRC trailer first, so mutations also reach the checks
 * behind it. Accepted bytes must re-serialize to exactly the same bytes and
 * give a result or a clean status.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/kpi.h>
#include <caremetrics/qa.h>

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
    uint8_t fixed[512];
    const uint8_t *buf = data + 1;
    const size_t len = size - 1;
    if ((data[0] & 0x80) && len >= CM__SERIAL_HEADER + CM__SERIAL_TRAILER && len <= sizeof fixed) {
        memcpy(fixed, buf, len);
        cm__serial_end(fixed, len);
        buf = fixed;
    }
    uint8_t out[512];
    size_t w = 0;
    if (data[0] % 2 == 0) {
        cm_qa_acc a, b;
        cm_qa_summary s;
        if (cm_qa_acc_deserialize(buf, len, &a) != CM_OK)
            return 0;
        CHECK(cm_qa_acc_serialize(&a, out, sizeof out, &w) == CM_OK);
        CHECK(w == len && memcmp(out, buf, len) == 0);
        const cm_status st = cm_qa_acc_result(&a, 0.95, &s);
        CHECK(st == CM_OK || st == CM_ENODATA);
        if (st == CM_OK)
            CHECK(s.mean >= 0.0 && s.mean <= 100.0 && s.lo <= s.hi && s.sd >= 0.0);
        b = a;
        const cm_status m = cm_qa_acc_merge(&b, &a);
        CHECK(m == CM_OK || m == CM_EOVERFLOW);
    } else {
        cm_cost a, b;
        cm_cost_summary s;
        if (cm_cost_deserialize(buf, len, &a) != CM_OK)
            return 0;
        CHECK(cm_cost_serialize(&a, out, sizeof out, &w) == CM_OK);
        CHECK(w == len && memcmp(out, buf, len) == 0);
        for (uint32_t basis = 0; basis < 2; basis++) {
            const cm_status st = cm_cost_result(&a, basis, &s);
            CHECK(st == CM_OK || st == CM_ENODATA || st == CM_EOVERFLOW);
        }
        b = a;
        const cm_status m = cm_cost_merge(&b, &a);
        CHECK(m == CM_OK || m == CM_EOVERFLOW);
    }
    return 0;
}
