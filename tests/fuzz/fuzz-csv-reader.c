/*
 * libFuzzer target: the CSV reader over arbitrary files. The first input byte
 * picks the mapping (the library's columns or Zendesk's) and whether a key
 * column of the file is added for grouping; the rest is the file: a header
 * line, then lines folded into a report, once whole and once split at a line
 * start the reader chooses, merged. Whatever the bytes, the reader must not
 * crash or read out of bounds, every line is counted once (good or bad), and
 * the two ways of reading agree on the counts.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)  \
    do {             \
        if (!(cond)) \
            abort(); \
    } while (0)

static cm_csv_map *maps[2];

/* Reports are made once per kind of reader (mapping, extra key) and emptied for each
 * input: the target fuzzes reading, not making reports. */
static cm_table_report *reports[4][3];
static char shapes[4][3][256]; /* the keys each report was made for */

static cm_table_report *report_for(cm_csv_reader *r, int kind, int which)
{
    char shape[256] = "";
    for (size_t k = 0; k < cm_csv_reader_key_count(r); k++) {
        cm_table_key key;
        CHECK(cm_csv_reader_key(r, k, &key, NULL) == CM_OK);
        strncat(shape, key.name, sizeof shape - strlen(shape) - 2);
        strcat(shape, ",");
    }
    if (reports[kind][which] != NULL && strcmp(shapes[kind][which], shape) == 0) {
        CHECK(cm_table_report_reset(reports[kind][which]) == CM_OK);
        return reports[kind][which];
    }
    cm_table_report_free(reports[kind][which]);
    reports[kind][which] = NULL;
    strcpy(shapes[kind][which], shape);
    cm_table_spec spec;
    CHECK(cm_table_spec_init(&spec) == CM_OK);
    CHECK(cm_csv_reader_spec(r, &spec) == CM_OK);
    static const cm_table_grouping groupings[2] = {{0, CM_TABLE_BUCKET_NONE, 0, 0},
                                                   {1, CM_TABLE_BUCKET_NONE, 0, 0}};
    spec.groupings = groupings;
    spec.ngroupings = spec.nkeys > 0 ? 2 : 1;
    spec.quantile_mode = CM_TABLE_QUANTILES_EXACT;
    spec.row_capacity = 4096;
    spec.open_capacity = 1024; /* room for every line of an input; small reports reset fast */
    spec.group_capacity = 256;
    cm_table_report *rep = NULL;
    CHECK(cm_table_report_new(&spec, NULL, &rep) == CM_OK);
    reports[kind][which] = rep;
    return rep;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > (1 << 16))
        return 0;
    if (maps[0] == NULL) {
        const char *names[2] = {"caremetrics", "zendesk"};
        for (int i = 0; i < 2; i++) {
            const char *text;
            CHECK(cm_csv_map_preset(names[i], &text) == CM_OK);
            CHECK(cm_csv_map_parse(text, NULL, &maps[i], NULL) == CM_OK);
        }
    }
    const uint8_t flags = data[0];
    const char *file = (const char *)data + 1;
    const size_t len = size - 1;
    size_t h = 0;
    while (h < len && file[h] != '\n' && file[h] != '\r')
        h++;
    const char *const extra[1] = {"Group"};
    cm_csv_reader *r = NULL;
    cm_parse_error err = {0, 0, NULL};
    const cm_status st = cm_csv_reader_new(maps[flags & 1], file, h, NULL, extra,
                                           (flags & 2) ? 1 : 0, NULL, &r, &err);
    if (st != CM_OK) {
        CHECK(st == CM_EPARSE || st == CM_ENOTFOUND);
        CHECK(err.message != NULL);
        return 0;
    }
    size_t body = h;
    if (body < len)
        body += file[body] == '\r' && body + 1 < len && file[body + 1] == '\n' ? 2 : 1;
    const char *b = file + body;
    const size_t blen = len - body;

    /* Whole. */
    const int kind = flags & 3;
    cm_table_report *whole = report_for(r, kind, 0);
    uint64_t lines = 0;
    CHECK(cm_csv_reader_fold(r, b, blen, 2, whole, &lines) == CM_OK);
    /* Split where the reader says a line starts, then merged. */
    size_t cut = 0;
    CHECK(cm_csv_split_point(b, blen, 0, blen / 2, &cut) == CM_OK);
    CHECK(cut <= blen);
    cm_csv_reader *r2 = NULL;
    CHECK(cm_csv_reader_new(maps[flags & 1], file, h, NULL, extra, (flags & 2) ? 1 : 0, NULL, &r2,
                            NULL) == CM_OK);
    cm_table_report *a = report_for(r, kind, 1), *c = report_for(r2, kind, 2);
    uint64_t la = 0, lc = 0;
    CHECK(cm_csv_reader_fold(r, b, cut, 2, a, &la) == CM_OK);
    CHECK(cm_csv_reader_fold(r2, b + cut, blen - cut, 2 + la, c, &lc) == CM_OK);
    /* Reports keep the labels they learnt from earlier inputs: when two of them hold
     * more than a key's room together, start afresh. */
    const cm_status merged = cm_table_report_merge(a, c);
    CHECK(merged == CM_OK || merged == CM_ENOSPC);
    if (merged == CM_ENOSPC) {
        for (int i = 0; i < 3; i++) {
            cm_table_report_free(reports[kind][i]);
            reports[kind][i] = NULL;
        }
        cm_csv_reader_free(r);
        cm_csv_reader_free(r2);
        return 0;
    }
    CHECK(cm_table_report_finish(whole) == CM_OK && cm_table_report_finish(a) == CM_OK);
    uint64_t rows_w, bad_w, rows_a, bad_a;
    CHECK(cm_table_report_rows(whole, &rows_w, &bad_w, NULL, 0, NULL) == CM_OK);
    CHECK(cm_table_report_rows(a, &rows_a, &bad_a, NULL, 0, NULL) == CM_OK);
    CHECK(rows_w <= lines && bad_w <= rows_w);
    /* A split inside a multi-line quoted field may read differently; lines never get lost. */
    CHECK(la + lc >= lines - 1 || lines == 0);
    cm_table_counts cw;
    CHECK(cm_table_report_counts(whole, 0, &cw) == CM_OK);
    CHECK(cw.rows == rows_w - bad_w);
    cm_csv_reader_free(r);
    cm_csv_reader_free(r2);
    return 0;
}
