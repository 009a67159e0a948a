/*
 * libFuzzer target: cm_csv_map_parse. A rejected text must say where (a line
 * and column inside the text) and why; an accepted map must make a reader for
 * a header holding every column name the library knows, or say which column
 * is missing by pointing inside the text.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/csv.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)  \
    do {             \
        if (!(cond)) \
            abort(); \
    } while (0)

static const char header[] =
    "created_at,first_reply_at,first_reply_minutes,first_reply_seconds,solved_at,contacts,"
    "reopened,reopens,escalated,abandoned,csat,nps,ces,wait_seconds,wait_minutes,"
    "handle_seconds,handle_minutes,channel,priority";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    uint32_t lines = 1;
    for (size_t i = 0; i < size && text[i] != '\0'; i++)
        lines += text[i] == '\n' || (text[i] == '\r' && text[i + 1] != '\n');
    cm_csv_map *map = NULL;
    cm_parse_error err = {0, 0, NULL};
    const cm_status st = cm_csv_map_parse(text, NULL, &map, &err);
    if (st != CM_OK) {
        CHECK(st == CM_EPARSE);
        CHECK(err.message != NULL && err.line >= 1 && err.line <= lines && err.column >= 1);
        free(text);
        return 0;
    }
    cm_csv_reader *r = NULL;
    err = (cm_parse_error){0, 0, NULL};
    const cm_status rs =
        cm_csv_reader_new(map, header, sizeof header - 1, NULL, NULL, 0, NULL, &r, &err);
    CHECK(rs == CM_OK || rs == CM_ENOTFOUND);
    if (rs == CM_ENOTFOUND)
        CHECK(err.line >= 1 && err.line <= lines && err.column >= 1 && err.message != NULL);
    cm_csv_reader_free(r);
    cm_csv_map_free(map);
    free(text);
    return 0;
}
