/*
 * libcaremetrics — reading help-desk exports in CSV into the ticket-table engine.
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_CSV_H
#define CAREMETRICS_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <caremetrics/calendar.h>
#include <caremetrics/common.h>
#include <caremetrics/table.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup csv CSV: help-desk exports into the ticket-table engine
 * @brief Column mappings, value maps and an allocation-free reader of ticket CSV files.
 *
 * A ::cm_csv_map says which column of an export feeds which column of the
 * engine (::cm_table_columns) and how its values read: an export's own
 * headers (`"Created at"`), value maps (a satisfaction `"Good"` is a CSAT
 * answer of 5), durations in minutes from creation, counts read as flags,
 * the zone of timestamps that carry no offset. Maps are written in a small
 * text format (`docs/csv.md`), and presets are built in: `"caremetrics"`
 * (the library's own column names) and `"zendesk"` (a Zendesk Support
 * ticket export).
 *
 * A ::cm_csv_reader is made from a map and a file's header line. It checks
 * that every column the map names exists, once, and then folds any range of
 * whole lines into a ::cm_table_report: fields are split in place (RFC 4180
 * quoting, LF, CRLF or CR line ends), parsed without allocation and without
 * the C locale's help, and gathered into blocks handed to
 * cm_table_report_add(). A line that cannot be read (a date such as
 * 2025-02-30, a word where a number belongs, a value the map does not know,
 * a NUL byte inside a field) becomes a bad row of the report with its line,
 * column, value and what was expected; the other lines are folded. The
 * labels of the key columns (channel, any extra grouping column) are learnt
 * from the data with cm_table_report_intern(); priorities are mapped to the
 * SLA's levels.
 *
 * Maps are immutable and may be shared between threads; a reader is used by
 * one thread at a time (make one per thread from the same header). Memory is
 * allocated when a map or reader is created, never while folding.
 *
 * @code
 * cm_csv_map *map;
 * cm_parse_error err;
 * const char *preset;
 * cm_status st = cm_csv_map_preset("zendesk", &preset);
 * st = cm_csv_map_parse(preset, NULL, &map, &err);
 * cm_csv_reader *reader;
 * st = cm_csv_reader_new(map, header, header_len, NULL, NULL, 0, NULL, &reader, &err);
 * // Build the report's keys from the reader, then fold the lines after the header.
 * size_t nkeys = cm_csv_reader_key_count(reader);
 * // ... cm_csv_reader_key(reader, i, &keys[i]) for each, spec.priority_key = ...
 * st = cm_csv_reader_fold(reader, body, body_len, 2, report, NULL);
 * @endcode
 * @{
 */

/** @file caremetrics/csv.h
 *  @brief Column mappings and an allocation-free reader of ticket CSV exports. */

/** A column mapping (opaque, immutable): see `docs/csv.md` for its text format. */
typedef struct cm_csv_map cm_csv_map;

/** A reader of one CSV file's lines (opaque): see cm_csv_reader_new(). */
typedef struct cm_csv_reader cm_csv_reader;

/** Longest line a reader accepts, in bytes; longer lines are bad rows. */
#define CM_CSV_LINE_MAX 1048576
/** Most labels a key column learns from the data; a further distinct value is a bad row. */
#define CM_CSV_KEY_LABELS 256
/** Most columns a header line may have. */
#define CM_CSV_MAX_COLUMNS 65536

/**
 * Parses a column mapping.
 *
 * @param text the mapping, NUL-terminated (`docs/csv.md`).
 * @param alloc memory functions, or NULL for malloc and free.
 * @param[out] out the map; free it with cm_csv_map_free().
 * @param[out] err where the text is wrong, on ::CM_EPARSE; may be NULL.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p text or @p out is NULL, or the allocator lacks a function.
 * @retval CM_EPARSE the text is malformed (an unknown column or directive, a bad value,
 *         a column mapped twice, an unknown time zone); see @p err.
 * @retval CM_ENOMEM out of memory.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_csv_map_parse(const char *text, const cm_allocator *alloc,
                                               cm_csv_map **out, cm_parse_error *err);

/**
 * Frees a map. Readers made from it must be freed first.
 *
 * @param map the map, or NULL (nothing happens).
 * @since 0.2
 */
CM_API void cm_csv_map_free(cm_csv_map *map);

/**
 * The text of a built-in mapping, to parse with cm_csv_map_parse() (or to
 * print and edit).
 *
 * @param name `"caremetrics"` (the library's own column names, see `docs/report.md`)
 *        or `"zendesk"` (a Zendesk Support ticket export).
 * @param[out] text a static, NUL-terminated string.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_ENOTFOUND no preset has that name.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_csv_map_preset(const char *name, const char **text);

/**
 * Makes a reader for a file from its header line.
 *
 * Every column the map names must be in the header (else ::CM_ENOTFOUND,
 * naming it in @p err's message); a header naming a column twice is an
 * error when the map uses that column. `extra_keys` names further columns
 * of the file to read as key columns, for grouping (their labels are learnt
 * from the data).
 *
 * @param map the mapping; NULL for the `"caremetrics"` preset. Must outlive the reader.
 * @param header the header line, without its line end; need not be NUL-terminated.
 * @param len its length in bytes.
 * @param input_tz zone of timestamps without an offset, overriding the map's; NULL: the
 *        map's, else UTC. Must outlive the reader.
 * @param extra_keys names of further columns to read as keys; may be NULL when
 *        @p nextra is 0.
 * @param nextra number of @p extra_keys, at most ::CM_TABLE_MAX_KEYS minus the map's keys.
 * @param alloc memory functions, or NULL for malloc and free.
 * @param[out] out the reader; free it with cm_csv_reader_free().
 * @param[out] err on ::CM_EPARSE, where the header is wrong (line 1, the field's
 *        number as column); on ::CM_ENOTFOUND, the missing column: a column of the map
 *        (the line and column of its header's name in the map's text), or with line 0
 *        an extra key (column `i + 1` for `extra_keys[i]`); may be NULL.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, or too many keys.
 * @retval CM_EPARSE the header is empty, unbalanced in its quotes, has more than
 *         ::CM_CSV_MAX_COLUMNS columns, holds a NUL byte, or names a used column twice.
 * @retval CM_ENOTFOUND a column the map or @p extra_keys name is not in the header.
 * @retval CM_ENOMEM out of memory.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_csv_reader_new(const cm_csv_map *map, const char *header,
                                                size_t len, const cm_tz *input_tz,
                                                const char *const *extra_keys, size_t nextra,
                                                const cm_allocator *alloc, cm_csv_reader **out,
                                                cm_parse_error *err);

/**
 * Frees a reader.
 *
 * @param reader the reader, or NULL (nothing happens).
 * @since 0.2
 */
CM_API void cm_csv_reader_free(cm_csv_reader *reader);

/**
 * Number of key columns the reader feeds: the map's channel and priority
 * columns if it has them, then the extra keys, in that order.
 *
 * @param reader the reader.
 * @return the number of keys; 0 when @p reader is NULL.
 * @since 0.2
 */
CM_API size_t cm_csv_reader_key_count(const cm_csv_reader *reader);

/**
 * The key column @p index as the report's spec must declare it (at the same
 * index). The priority key has the fixed labels `none`, `low`, `normal`,
 * `high`, `urgent` (codes 0..4 are the SLA levels); the others have no
 * labels and learn them from the data.
 *
 * @param reader the reader.
 * @param index 0 .. cm_csv_reader_key_count() - 1.
 * @param[out] out the key; its strings belong to the reader.
 * @param[out] priority set to true for the priority key; may be NULL.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_ERANGE @p index is out of range.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_csv_reader_key(const cm_csv_reader *reader, size_t index,
                                                cm_table_key *out, bool *priority);

/**
 * Sets the columns of a spec the reader's rows can feed: its keys (and the
 * priority key). The spec's other fields are left alone. The key array is
 * the reader's; the spec must not outlive the reader.
 *
 * @param reader the reader.
 * @param spec a spec from cm_table_spec_init().
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_csv_reader_spec(const cm_csv_reader *reader, cm_table_spec *spec);

/**
 * Reads whole lines and folds them into a report made from a spec the
 * reader set (cm_csv_reader_spec()).
 *
 * @p data holds complete lines; the last may lack its line end. Empty lines
 * are skipped. Each line that cannot be read becomes a bad row of the report
 * (cm_table_report_add_bad_row()) numbered with its line; the others are
 * folded in blocks (cm_table_report_add()), whose own checks add the rows
 * with impossible values as bad rows too.
 *
 * @param reader the reader.
 * @param data the lines.
 * @param len their length in bytes.
 * @param first_line the number of the first line (the header is line 1).
 * @param report the report.
 * @param[out] lines number of lines read (so the next call's first_line is
 *        first_line + lines); may be NULL.
 * @retval CM_OK success (bad rows are not an error).
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_ENOSPC the report has no room (see cm_table_report_add()); lines before the
 *         block that did not fit were folded and counted in @p lines.
 * @retval CM_EOVERFLOW a count overflowed (see cm_table_report_add()).
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_csv_reader_fold(cm_csv_reader *reader, const char *data,
                                                 size_t len, uint64_t first_line,
                                                 cm_table_report *report, uint64_t *lines);

/**
 * Where a file may be split between readers: the start of the line after
 * the first line end at or after @p at that lies outside any quoted field,
 * counting quotes from @p from (a line start, such as the first line after
 * the header). When @p at is itself a line start, that is the start of the
 * next line.
 *
 * @param data the file's bytes.
 * @param len their length.
 * @param from a line start before @p at, outside quotes.
 * @param at where the caller would like to split.
 * @param[out] out the line start found, or @p len when there is none.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, or @p from > @p at or @p at > @p len.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_csv_split_point(const char *data, size_t len, size_t from,
                                                 size_t at, size_t *out);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CAREMETRICS_CSV_H */
