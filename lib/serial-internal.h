/*
 * Portable little-endian encoding used by the _serialize/_deserialize functions.
 * SPDX-License-Identifier: MIT
 *
 * Every serialized object has the same frame:
 *   bytes 0-1  magic "CM"
 *   byte  2    object kind (enum below)
 *   byte  3    format version of that kind
 *   ...        payload, little-endian
 *   last 4     CRC-32 of every preceding byte, little-endian
 */
#ifndef CAREMETRICS_SERIAL_INTERNAL_H
#define CAREMETRICS_SERIAL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "common-internal.h"

enum cm__serial_kind {
    CM__SERIAL_CSAT = 1,
    CM__SERIAL_NPS = 2,
    CM__SERIAL_CES = 3,
    CM__SERIAL_ART = 4,
    CM__SERIAL_SKETCH = 5,
    CM__SERIAL_CONTACT = 6,
    CM__SERIAL_SLA_ATTAINMENT = 7,
    CM__SERIAL_TABLE = 8,
    CM__SERIAL_SLA_BREAKDOWN = 9,
    /* 16..19: QA scores, heavy hitters, backlog, cost per contact */
    CM__SERIAL_QA_ACC = 16,
    CM__SERIAL_TOPK = 17,
    CM__SERIAL_BACKLOG = 18,
    CM__SERIAL_COST = 19,
};

#define CM__SERIAL_HEADER  4
#define CM__SERIAL_TRAILER 4

static inline void cm__put_u32le(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline void cm__put_u64le(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint32_t cm__get_u32le(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static inline uint64_t cm__get_u64le(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* Writes the frame header. */
static inline void cm__serial_begin(uint8_t *buf, enum cm__serial_kind kind, uint8_t version)
{
    buf[0] = 'C';
    buf[1] = 'M';
    buf[2] = (uint8_t)kind;
    buf[3] = version;
}

/* Appends the CRC over buf[0 .. size-4) at the end of a frame of `size` bytes. */
static inline void cm__serial_end(uint8_t *buf, size_t size)
{
    cm__put_u32le(buf + size - CM__SERIAL_TRAILER, cm__crc32(buf, size - CM__SERIAL_TRAILER));
}

/* Checks the frame of an object of `size` bytes: length, magic, kind, version and CRC. */
static inline bool cm__serial_check(const uint8_t *buf, size_t len, size_t size,
                                    enum cm__serial_kind kind, uint8_t version)
{
    if (len != size || buf[0] != 'C' || buf[1] != 'M' || buf[2] != (uint8_t)kind ||
        buf[3] != version)
        return false;
    return cm__get_u32le(buf + size - CM__SERIAL_TRAILER) ==
           cm__crc32(buf, size - CM__SERIAL_TRAILER);
}

#endif /* CAREMETRICS_SERIAL_INTERNAL_H */
