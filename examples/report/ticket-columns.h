/*
 * The columnar binary layout of a ticket history (docs/ticket-columns.md):
 * written by benchmarks/gen-tickets, read through mmap by caremetrics-report
 * and the benchmark loops.
 * SPDX-License-Identifier: MIT
 */
#ifndef CM_TICKET_COLUMNS_H
#define CM_TICKET_COLUMNS_H

#include <stddef.h>
#include <stdint.h>

/* Element types of a column, as stored in the directory. */
enum tc_type { TC_U8 = 1, TC_U32 = 2, TC_I64 = 3, TC_F64 = 4 };

/* The columns of version 1, in file order. */
enum tc_column {
    TC_CREATED,     /* i64: created_at, Unix seconds */
    TC_FIRST_REPLY, /* i64: first_reply_at, or TC_NONE_TIME */
    TC_SOLVED,      /* i64: solved_at, or TC_NONE_TIME */
    TC_CHANNEL,     /* u8: 0 phone, 1 chat, 2 email, 3 social, 4 messaging */
    TC_PRIORITY,    /* u8: 0 none, 1 urgent, 2 high, 3 normal, 4 low */
    TC_CONTACTS,    /* u32: customer contacts the issue needed, >= 1 */
    TC_REOPENED,    /* u8: 0 / 1 */
    TC_ESCALATED,   /* u8: 0 / 1 */
    TC_CSAT,        /* u8: 1..5, or TC_NONE_SCORE */
    TC_NPS,         /* u8: 0..10, or TC_NONE_SCORE */
    TC_CES,         /* u8: 1..7, or TC_NONE_SCORE */
    TC_WAIT,        /* f64: queue wait in seconds (phone, chat), or NaN */
    TC_ABANDONED,   /* u8: 0 / 1 */
    TC_HANDLE,      /* f64: handle time in seconds, or NaN */
    TC_PENDING,     /* i64: seconds spent pending, >= 0 */
    TC_NCOLUMNS
};

#define TC_MAGIC         "CMTICKET"
#define TC_VERSION       1
#define TC_NONE_TIME     INT64_MIN
#define TC_NONE_SCORE    255
#define TC_PRIORITY_NONE 0
#define TC_ALIGN         64
#define TC_HEADER_FIXED  32
#define TC_DIR_ENTRY     32
#define TC_NAME_MAX      16
#define TC_HEADER_MAX    (TC_HEADER_FIXED + TC_DIR_ENTRY * TC_NCOLUMNS)
/* Rows such that every offset fits comfortably in 64 bits and size_t. */
#define TC_MAX_ROWS (UINT64_C(1) << 40)

typedef struct tc_column_info {
    const char *name; /* the CSV column of the same meaning */
    uint8_t type;
} tc_column_info;

extern const tc_column_info tc_columns[TC_NCOLUMNS];

/* Bytes per element of a type (0 for an unknown type). */
size_t tc_type_width(uint8_t type);

/* Stores a value of `width` bytes (1, 4 or 8; doubles by their bit pattern) little-endian. */
void tc_store_le(uint8_t *dst, const void *value, size_t width);

/* Writes the header for `rows` rows into buf (TC_HEADER_MAX bytes) and each
 * column's offset into offsets; returns the header size. */
size_t tc_write_header(uint8_t *buf, uint64_t rows, uint64_t offsets[TC_NCOLUMNS]);

/* Size of a whole file of `rows` rows. */
uint64_t tc_file_size(uint64_t rows);

/* A mapped file: typed pointers to each column, valid while the mapping lives. */
typedef struct tc_table {
    uint64_t rows;
    const int64_t *created, *first_reply, *solved, *pending;
    const uint8_t *channel, *priority, *reopened, *escalated, *csat, *nps, *ces, *abandoned;
    const uint32_t *contacts;
    const double *wait, *handle;
} tc_table;

/*
 * Checks a file image (magic, version, directory, every column inside the
 * image and aligned) and points the table at its columns. Returns 0, or -1
 * with a static message in *error. Needs a little-endian host.
 */
int tc_open(const uint8_t *data, size_t size, tc_table *out, const char **error);

#endif /* CM_TICKET_COLUMNS_H */
