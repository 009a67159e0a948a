/*
 * The columnar binary layout of a ticket history (docs/ticket-columns.md).
 * SPDX-License-Identifier: MIT
 */
#include "ticket-columns.h"

#include <string.h>

const tc_column_info tc_columns[TC_NCOLUMNS] = {
    [TC_CREATED] = {"created_at", TC_I64},
    [TC_FIRST_REPLY] = {"first_reply_at", TC_I64},
    [TC_SOLVED] = {"solved_at", TC_I64},
    [TC_CHANNEL] = {"channel", TC_U8},
    [TC_PRIORITY] = {"priority", TC_U8},
    [TC_CONTACTS] = {"contacts", TC_U32},
    [TC_REOPENED] = {"reopened", TC_U8},
    [TC_ESCALATED] = {"escalated", TC_U8},
    [TC_CSAT] = {"csat", TC_U8},
    [TC_NPS] = {"nps", TC_U8},
    [TC_CES] = {"ces", TC_U8},
    [TC_WAIT] = {"wait_seconds", TC_F64},
    [TC_ABANDONED] = {"abandoned", TC_U8},
    [TC_HANDLE] = {"handle_seconds", TC_F64},
    [TC_PENDING] = {"pending_seconds", TC_I64},
};

size_t tc_type_width(uint8_t type)
{
    switch (type) {
    case TC_U8:
        return 1;
    case TC_U32:
        return 4;
    case TC_I64:
    case TC_F64:
        return 8;
    default:
        return 0;
    }
}

void tc_store_le(uint8_t *dst, const void *value, size_t width)
{
    uint64_t v = 0;
    if (width == 1) {
        v = *(const uint8_t *)value;
    } else if (width == 4) {
        uint32_t u;
        memcpy(&u, value, 4);
        v = u;
    } else {
        memcpy(&v, value, 8);
    }
    for (size_t i = 0; i < width; i++)
        dst[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t load_le(const uint8_t *p, size_t width)
{
    uint64_t v = 0;
    for (size_t i = width; i-- > 0;)
        v = (v << 8) | p[i];
    return v;
}

static uint64_t align_up(uint64_t x)
{
    return (x + TC_ALIGN - 1) / TC_ALIGN * TC_ALIGN;
}

/* Offsets of every column for `rows` rows; returns the end of the last column. */
static uint64_t layout(uint64_t rows, uint64_t offsets[TC_NCOLUMNS])
{
    uint64_t off = align_up(TC_HEADER_MAX);
    for (int c = 0; c < TC_NCOLUMNS; c++) {
        offsets[c] = off;
        off = align_up(off + rows * tc_type_width(tc_columns[c].type));
    }
    return off;
}

size_t tc_write_header(uint8_t *buf, uint64_t rows, uint64_t offsets[TC_NCOLUMNS])
{
    memset(buf, 0, TC_HEADER_MAX);
    memcpy(buf, TC_MAGIC, 8);
    const uint32_t version = TC_VERSION, ncol = TC_NCOLUMNS;
    tc_store_le(buf + 8, &version, 4);
    tc_store_le(buf + 12, &ncol, 4);
    tc_store_le(buf + 16, &rows, 8);
    layout(rows, offsets);
    for (int c = 0; c < TC_NCOLUMNS; c++) {
        uint8_t *e = buf + TC_HEADER_FIXED + TC_DIR_ENTRY * c;
        memcpy(e, tc_columns[c].name, strlen(tc_columns[c].name));
        e[TC_NAME_MAX] = tc_columns[c].type;
        tc_store_le(e + 24, &offsets[c], 8);
    }
    return TC_HEADER_MAX;
}

uint64_t tc_file_size(uint64_t rows)
{
    uint64_t offsets[TC_NCOLUMNS];
    return layout(rows, offsets);
}

static int little_endian(void)
{
    const uint16_t one = 1;
    uint8_t b;
    memcpy(&b, &one, 1);
    return b == 1;
}

int tc_open(const uint8_t *data, size_t size, tc_table *out, const char **error)
{
#define FAIL(msg)       \
    do {                \
        *error = (msg); \
        return -1;      \
    } while (0)
    if (!little_endian())
        FAIL("the columnar layout is read in place, which needs a little-endian machine");
    if (size < 8 || memcmp(data, TC_MAGIC, 8) != 0)
        FAIL("not a columnar ticket file (bad magic)");
    if (size < TC_HEADER_FIXED)
        FAIL("truncated header");
    if (load_le(data + 8, 4) != TC_VERSION)
        FAIL("unsupported columnar format version");
    const uint64_t ncol = load_le(data + 12, 4);
    const uint64_t rows = load_le(data + 16, 8);
    if (rows > TC_MAX_ROWS)
        FAIL("row count out of range");
    if (ncol > 4096 || TC_HEADER_FIXED + TC_DIR_ENTRY * ncol > size)
        FAIL("truncated column directory");
    const void *cols[TC_NCOLUMNS] = {0};
    for (uint64_t i = 0; i < ncol; i++) {
        const uint8_t *e = data + TC_HEADER_FIXED + TC_DIR_ENTRY * i;
        const uint8_t type = e[TC_NAME_MAX];
        const uint64_t off = load_le(e + 24, 8);
        const size_t width = tc_type_width(type);
        if (width == 0)
            FAIL("unknown column type");
        if (off % TC_ALIGN != 0 || off > size || rows > (size - off) / width)
            FAIL("a column lies outside the file or is misaligned");
        for (int c = 0; c < TC_NCOLUMNS; c++) {
            const size_t len = strlen(tc_columns[c].name);
            if (memcmp(e, tc_columns[c].name, len) == 0 && (len == TC_NAME_MAX || e[len] == 0)) {
                if (type != tc_columns[c].type)
                    FAIL("a column has the wrong type");
                cols[c] = data + off;
            }
        }
    }
    for (int c = 0; c < TC_NCOLUMNS; c++) {
        if (cols[c] == NULL)
            FAIL("a required column is missing");
    }
#undef FAIL
    out->rows = rows;
    out->created = cols[TC_CREATED];
    out->first_reply = cols[TC_FIRST_REPLY];
    out->solved = cols[TC_SOLVED];
    out->pending = cols[TC_PENDING];
    out->channel = cols[TC_CHANNEL];
    out->priority = cols[TC_PRIORITY];
    out->reopened = cols[TC_REOPENED];
    out->escalated = cols[TC_ESCALATED];
    out->csat = cols[TC_CSAT];
    out->nps = cols[TC_NPS];
    out->ces = cols[TC_CES];
    out->abandoned = cols[TC_ABANDONED];
    out->contacts = cols[TC_CONTACTS];
    out->wait = cols[TC_WAIT];
    out->handle = cols[TC_HANDLE];
    return 0;
}
