/*
 * libFuzzer target: heavy-hitter summaries from bytes. Bit 7 of the first
 * byte repairs the CRC trailer first. Accepted bytes must re-serialize to the
 * same bytes, keep the invariant sum(counts) + (k+1) error <= total, merge
 * into a fresh summary of the same shape (directly and from bytes, to the
 * same result), and list their keys in rank order.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/topk.h>

#include "serial-internal.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)  \
    do {             \
        if (!(cond)) \
            abort(); \
    } while (0)

static uint8_t *bytes_of(const cm_topk *t, size_t *len)
{
    uint8_t probe[1];
    CHECK(cm_topk_serialize(t, probe, 0, len) == CM_ENOSPC);
    uint8_t *b = malloc(*len);
    size_t w;
    CHECK(b != NULL && cm_topk_serialize(t, b, *len, &w) == CM_OK && w == *len);
    return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536)
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
    cm_topk *t = NULL;
    const cm_status st = cm_topk_deserialize(buf, len, NULL, &t);
    CHECK(st == CM_OK || st == CM_EPARSE || st == CM_ENOMEM);
    if (st == CM_OK) {
        size_t n;
        uint8_t *again = bytes_of(t, &n);
        CHECK(n == len && memcmp(again, buf, len) == 0);
        free(again);
        cm_topk_summary s;
        CHECK(cm_topk_info(t, &s) == CM_OK);
        CHECK(s.size <= s.capacity && s.error <= s.total / ((uint64_t)s.capacity + 1));
        if (s.capacity <= 4096) {
            cm_topk_entry *e = malloc(sizeof *e * s.capacity);
            size_t got;
            CHECK(e != NULL && cm_topk_result(t, e, s.capacity, &got) == CM_OK && got == s.size);
            uint64_t sum = 0;
            for (size_t i = 0; i < got; i++) {
                CHECK(e[i].count >= 1 && e[i].upper >= e[i].count && e[i].upper <= s.total);
                CHECK(i == 0 || e[i].count <= e[i - 1].count);
                sum += e[i].count;
            }
            CHECK(sum + ((uint64_t)s.capacity + 1) * s.error <= s.total);
            free(e);
            cm_topk *a, *b;
            CHECK(cm_topk_new(s.keys, s.capacity, s.max_key_bytes, NULL, &a) == CM_OK);
            CHECK(cm_topk_new(s.keys, s.capacity, s.max_key_bytes, NULL, &b) == CM_OK);
            if (s.keys == CM_TOPK_CODES)
                CHECK(cm_topk_add_code(a, 7, 3) == CM_OK && cm_topk_add_code(b, 7, 3) == CM_OK);
            else
                CHECK(cm_topk_add(a, "x", 1, 3) == CM_OK && cm_topk_add(b, "x", 1, 3) == CM_OK);
            const cm_status m1 = cm_topk_merge(a, t);
            const cm_status m2 = cm_topk_merge_serialized(b, buf, len);
            CHECK(m1 == m2 && (m1 == CM_OK || m1 == CM_EOVERFLOW));
            size_t la, lb;
            uint8_t *ba = bytes_of(a, &la), *bb = bytes_of(b, &lb);
            CHECK(la == lb && memcmp(ba, bb, la) == 0);
            free(ba);
            free(bb);
            cm_topk_free(a);
            cm_topk_free(b);
        }
        cm_topk_free(t);
    } else {
        CHECK(t == NULL);
    }
    free(fixed);
    return 0;
}
