/*
 * libFuzzer target: backlogs from bytes (calendar time). Bit 7 of the first
 * byte repairs the CRC trailer first. Accepted bytes must re-serialize to the
 * same bytes, answer every query with a clean status, and merge into a copy
 * of themselves directly and from bytes to the same result.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/backlog.h>

#include "serial-internal.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)  \
    do {             \
        if (!(cond)) \
            abort(); \
    } while (0)

static uint8_t *bytes_of(const cm_backlog *b, size_t *len)
{
    uint8_t probe[1];
    CHECK(cm_backlog_serialize(b, probe, 0, len) == CM_ENOSPC);
    uint8_t *buf = malloc(*len);
    size_t w;
    CHECK(buf != NULL && cm_backlog_serialize(b, buf, *len, &w) == CM_OK && w == *len);
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 262144)
        return 0;
    uint8_t *fixed = NULL;
    const uint8_t *buf = data + 1;
    const size_t len = size - 1;
    if ((data[0] & 0x80) && len >= CM__SERIAL_HEADER + CM__SERIAL_TRAILER) {
        fixed = malloc(len);
        if (fixed == NULL)
            return 0;
        memcpy(fixed, buf, len);
        cm__serial_end(fixed, len);
        buf = fixed;
    }
    cm_backlog *b = NULL;
    const cm_status st = cm_backlog_deserialize(buf, len, NULL, NULL, &b);
    CHECK(st == CM_OK || st == CM_EPARSE || st == CM_EINVAL || st == CM_ENOMEM);
    if (st == CM_OK) {
        size_t n;
        uint8_t *again = bytes_of(b, &n);
        CHECK(n == len && memcmp(again, buf, len) == 0);
        free(again);
        cm_backlog_summary s;
        CHECK(cm_backlog_info(b, &s) == CM_OK);
        const double qs[] = {0.0, 0.5, 1.0};
        for (uint32_t j = 0; j < s.nsnapshots && j < 64; j++) {
            cm_backlog_point p;
            uint64_t bk[CM_BACKLOG_MAX_BOUNDS + 1];
            double v[3];
            CHECK(cm_backlog_snapshot(b, CM_BACKLOG_ALL_GROUPS, j, &p) == CM_OK);
            CHECK(p.age_min <= p.age_max && p.open <= s.tickets);
            CHECK(cm_backlog_buckets(b, CM_BACKLOG_ALL_GROUPS, j, bk, CM_BACKLOG_MAX_BOUNDS + 1) ==
                  CM_OK);
            const cm_status q = cm_backlog_quantiles(b, 0, j, qs, 3, v);
            CHECK(q == CM_OK || q == CM_ENODATA || q == CM_EINVAL);
        }
        if ((uint64_t)s.groups * s.nsnapshots <= 64) {
            cm_backlog *a, *c;
            CHECK(cm_backlog_deserialize(buf, len, NULL, NULL, &a) == CM_OK);
            CHECK(cm_backlog_deserialize(buf, len, NULL, NULL, &c) == CM_OK);
            const cm_status m1 = cm_backlog_merge(a, b);
            const cm_status m2 = cm_backlog_merge_serialized(c, buf, len);
            CHECK(m1 == m2 && (m1 == CM_OK || m1 == CM_EOVERFLOW));
            size_t la, lc;
            uint8_t *ba = bytes_of(a, &la), *bc = bytes_of(c, &lc);
            CHECK(la == lc && memcmp(ba, bc, la) == 0);
            free(ba);
            free(bc);
            cm_backlog_free(a);
            cm_backlog_free(c);
        }
        cm_backlog_free(b);
    } else {
        CHECK(b == NULL);
    }
    free(fixed);
    return 0;
}
