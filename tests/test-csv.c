/*
 * Tests of the CSV reader (include/caremetrics/csv.h): mapping texts and their
 * errors, headers, every value form, bad lines with their line numbers, and
 * exports shaped like Zendesk's. Expected figures are worked out by hand from
 * the few rows of each test.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics.h>

#include "testing.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A report over the reader's keys: the whole history and each key alone. */
typedef struct run {
    cm_csv_reader *reader;
    cm_table_report *report;
    cm_table_grouping groupings[4];
} run;

static cm_status run_open(run *x, const cm_csv_map *map, const char *csv, const cm_tz *tz,
                          const char *const *extra, size_t nextra)
{
    memset(x, 0, sizeof *x);
    const char *nl = csv;
    while (*nl != '\0' && *nl != '\n' && *nl != '\r')
        nl++;
    cm_parse_error err;
    const cm_status st =
        cm_csv_reader_new(map, csv, (size_t)(nl - csv), tz, extra, nextra, NULL, &x->reader, &err);
    if (st != CM_OK)
        return st;
    cm_table_spec spec;
    ck_assert_status(cm_table_spec_init(&spec), CM_OK);
    ck_assert_status(cm_csv_reader_spec(x->reader, &spec), CM_OK);
    size_t ng = 0;
    x->groupings[ng++] = (cm_table_grouping){0, CM_TABLE_BUCKET_NONE, 0, 0};
    for (size_t k = 0; k < spec.nkeys && ng < 4; k++)
        x->groupings[ng++] = (cm_table_grouping){1u << k, CM_TABLE_BUCKET_NONE, 0, 0};
    spec.groupings = x->groupings;
    spec.ngroupings = ng;
    spec.quantile_mode = CM_TABLE_QUANTILES_EXACT;
    spec.row_capacity = 1000;
    ck_assert_status(cm_table_report_new(&spec, NULL, &x->report), CM_OK);
    const char *body = nl;
    if (*body == '\r')
        body++;
    if (*body == '\n')
        body++;
    uint64_t lines = 0;
    ck_assert_status(cm_csv_reader_fold(x->reader, body, strlen(body), 2, x->report, &lines),
                     CM_OK);
    ck_assert_status(cm_table_report_finish(x->report), CM_OK);
    return CM_OK;
}

static void run_close(run *x)
{
    cm_table_report_free(x->report);
    cm_csv_reader_free(x->reader);
}

static cm_table_counts counts_of(const run *x, size_t group)
{
    cm_table_counts c;
    ck_assert_status(cm_table_report_counts(x->report, group, &c), CM_OK);
    return c;
}

static void expect_bad(const run *x, size_t i, uint64_t line, const char *column, const char *value)
{
    cm_table_bad_row bad[CM_TABLE_BAD_ROWS_KEPT];
    size_t n;
    ck_assert_status(cm_table_report_rows(x->report, NULL, NULL, bad, NELEM(bad), &n), CM_OK);
    ck_assert_uint_gt(n, i);
    ck_assert_uint_eq(bad[i].row, line);
    ck_assert_str_eq(bad[i].column, column);
    if (value != NULL)
        ck_assert_str_eq(bad[i].value, value);
    ck_assert(bad[i].expected[0] != '\0');
}

/* ---- mapping texts ---------------------------------------------------------------------------- */

START_TEST(presets_parse)
{
    static const char *const names[] = {"caremetrics", "zendesk"};
    for (size_t i = 0; i < NELEM(names); i++) {
        const char *text;
        cm_csv_map *map;
        cm_parse_error err;
        ck_assert_status(cm_csv_map_preset(names[i], &text), CM_OK);
        ck_assert_status(cm_csv_map_parse(text, NULL, &map, &err), CM_OK);
        cm_csv_map_free(map);
    }
    const char *text = "untouched";
    ck_assert_status(cm_csv_map_preset("freshdesk", &text), CM_ENOTFOUND);
    ck_assert_str_eq(text, "untouched");
    ck_assert_status(cm_csv_map_preset(NULL, &text), CM_EINVAL);
    ck_assert_status(cm_csv_map_preset("zendesk", NULL), CM_EINVAL);
    cm_csv_map_free(NULL);
}
END_TEST

static const struct {
    const char *text;
    uint32_t line, column;
} bad_maps[] = {
    {"column created_at created_at\nrow x y\n", 2, 1},         /* unknown directive */
    {"column created_at created_at\ncolumn creatd x\n", 2, 8}, /* unknown column */
    {"column created_at a\ncolumn created_at b\n", 2, 8},      /* mapped twice */
    {"column created_at a\ncolumn first_reply_at b\ncolumn first_reply_minutes c\n", 3, 8},
    {"column created_at \"unclosed\n", 1, 19},                    /* open quote */
    {"column created_at a b\n", 1, 21},                           /* not 'optional' */
    {"column created_at a\nvalue csat Good\n", 2, 16},            /* no '=' */
    {"column created_at a\nvalue csat Good=many\n", 2, 17},       /* not a number */
    {"column created_at a\nvalue priority P1=critical\n", 2, 19}, /* not a level */
    {"column created_at a\nvalue created_at x=1\n", 2, 7},        /* no value map */
    {"column created_at a\ninput-tz Mars/Olympus\n", 2, 10},      /* unknown zone */
    {"column solved_at a\n", 1, 1},                               /* no created_at */
    {"", 1, 1},                                                   /* empty */
};

START_TEST(bad_maps_name_line_and_column)
{
    cm_csv_map *map = (cm_csv_map *)(uintptr_t)0x1;
    cm_parse_error err = {0, 0, NULL};
    ck_assert_status(cm_csv_map_parse(bad_maps[_i].text, NULL, &map, &err), CM_EPARSE);
    ck_assert_ptr_eq(map, (cm_csv_map *)(uintptr_t)0x1);
    ck_assert_msg(err.line == bad_maps[_i].line && err.column == bad_maps[_i].column,
                  "case %d: line %u column %u (%s), expected %u:%u", _i, err.line, err.column,
                  err.message, bad_maps[_i].line, bad_maps[_i].column);
    ck_assert_ptr_nonnull(err.message);
}
END_TEST

/* ---- headers ------------------------------------------------------------------------------------ */

START_TEST(headers)
{
    cm_csv_reader *r = NULL;
    cm_parse_error err;
    /* 200 columns, created_at the last one. */
    char header[4096] = "";
    for (int i = 0; i < 199; i++) {
        char col[16];
        snprintf(col, sizeof col, "custom%d,", i);
        strcat(header, col);
    }
    strcat(header, "created_at");
    ck_assert_status(cm_csv_reader_new(NULL, header, strlen(header), NULL, NULL, 0, NULL, &r, &err),
                     CM_OK);
    ck_assert_uint_eq(cm_csv_reader_key_count(r), 0);
    cm_csv_reader_free(r);
    /* A used column twice. */
    static const char twice[] = "created_at,csat,csat";
    ck_assert_status(cm_csv_reader_new(NULL, twice, strlen(twice), NULL, NULL, 0, NULL, &r, &err),
                     CM_EPARSE);
    ck_assert_uint_eq(err.column, 3);
    /* No creation column, a NUL byte, nothing, unbalanced quotes. */
    static const char none[] = "ticket_id,channel";
    ck_assert_status(cm_csv_reader_new(NULL, none, strlen(none), NULL, NULL, 0, NULL, &r, &err),
                     CM_ENOTFOUND);
    static const char nul[] = "created_at,cs\0at";
    ck_assert_status(cm_csv_reader_new(NULL, nul, sizeof nul - 1, NULL, NULL, 0, NULL, &r, &err),
                     CM_EPARSE);
    ck_assert_status(cm_csv_reader_new(NULL, "", 0, NULL, NULL, 0, NULL, &r, &err), CM_EPARSE);
    static const char quotes[] = "created_at,\"csat";
    ck_assert_status(cm_csv_reader_new(NULL, quotes, strlen(quotes), NULL, NULL, 0, NULL, &r, &err),
                     CM_EPARSE);
    /* An extra grouping column that is not there. */
    const char *const extra[] = {"Group"};
    static const char plain[] = "created_at,channel";
    ck_assert_status(cm_csv_reader_new(NULL, plain, strlen(plain), NULL, extra, 1, NULL, &r, &err),
                     CM_ENOTFOUND);
    ck_assert_status(cm_csv_reader_new(NULL, NULL, 0, NULL, NULL, 0, NULL, &r, &err), CM_EINVAL);
}
END_TEST

/* ---- our own format ------------------------------------------------------------------------------ */

START_TEST(own_format_values)
{
    static const char csv[] =
        "ticket_id,created_at,channel,priority,first_reply_at,solved_at,contacts,csat,"
        "handle_seconds\n"
        "1,2025-01-06T09:00:00Z,email,normal,2025-01-06T10:00:00Z,2025-01-06T12:00:00Z,1,5,300\n"
        "2,2025-01-06 09:30,chat,high,2025-01-06T09:31:00+00:00,,2,4,\n"
        "3,\"2025-01-06T11:00:00Z\",\"e,mail\",LOW,,2025-01-07T11:00:00Z,,,\n"
        "4,2025-02-30T09:00:00Z,email,normal,,,,,\n"   /* no such date */
        "5,2025-01-06T09:00:00Z,email,p9,,,,,\n"       /* unknown priority */
        "6,2025-01-06T09:00:00Z,email,low,,,,6,\n"     /* CSAT 6: the engine's check */
        "7,2025-01-06T09:00:00Z,email,low,,,,,1e16\n"; /* a handle time of 317 million years */
    run x;
    ck_assert_status(run_open(&x, NULL, csv, NULL, NULL, 0), CM_OK);
    uint64_t rows, bad;
    ck_assert_status(cm_table_report_rows(x.report, &rows, &bad, NULL, 0, NULL), CM_OK);
    ck_assert_uint_eq(rows, 7);
    ck_assert_uint_eq(bad, 4);
    expect_bad(&x, 0, 5, "created_at", "2025-02-30T09:00:00Z");
    expect_bad(&x, 1, 6, "priority", "p9");
    expect_bad(&x, 2, 7, "csat", "6");
    expect_bad(&x, 3, 8, "handle_seconds", NULL);
    const cm_table_counts all = counts_of(&x, 0);
    ck_assert_uint_eq(all.tickets, 3);
    ck_assert_uint_eq(all.replied, 2);
    ck_assert_uint_eq(all.solved, 2);
    ck_assert_uint_eq(all.handled, 1);
    ck_assert(all.handle_seconds == 300.0);
    cm_table_duration d;
    ck_assert_status(cm_table_report_duration(x.report, 0, CM_TABLE_FIRST_REPLY, &d), CM_OK);
    ck_assert(d.n == 2 && d.total_seconds == 3600.0 + 60.0);
    cm_proportion fcr;
    ck_assert_status(cm_table_report_rate(x.report, 0, CM_TABLE_FCR, 0.95, &fcr), CM_OK);
    ck_assert_uint_eq(fcr.num, 2); /* ticket 1 (1 contact) and ticket 3 (empty: 1) */
    ck_assert_uint_eq(fcr.den, 2);
    /* The quoted channel keeps its comma; labels come from the data. */
    bool found = false;
    for (uint32_t c = 0; c < 8; c++) {
        const char *l = cm_table_report_label(x.report, 0, c);
        found |= l != NULL && strcmp(l, "e,mail") == 0;
    }
    ck_assert(found);
    /* No reopened, escalated or abandoned column: no data, not 0 %. */
    ck_assert_status(cm_table_report_rate(x.report, 0, CM_TABLE_REOPEN, 0.95, &fcr), CM_ENODATA);
    ck_assert_status(cm_table_report_rate(x.report, 0, CM_TABLE_ESCALATION, 0.95, &fcr),
                     CM_ENODATA);
    run_close(&x);
}
END_TEST

START_TEST(line_ends_and_quotes)
{
    /* The same three tickets with LF, CRLF and CR line ends, a quoted field holding a
     * line end, and a NUL byte inside a number. */
    static const char lf[] = "created_at,solved_at,handle_seconds,note\n"
                             "2025-01-06T09:00:00Z,2025-01-06T10:00:00Z,3,\"a\nb\"\n"
                             "2025-01-06T09:00:00Z,,3\0"
                             "999,x\n"
                             "2025-01-06T09:00:00Z,2025-01-06T11:00:00Z,4,y";
    static const char crlf[] = "created_at,solved_at,handle_seconds,note\r\n"
                               "2025-01-06T09:00:00Z,2025-01-06T10:00:00Z,3,\"a\r\nb\"\r\n"
                               "2025-01-06T09:00:00Z,,3\0"
                               "999,x\r\n"
                               "2025-01-06T09:00:00Z,2025-01-06T11:00:00Z,4,y\r\n";
    static const char cr[] = "created_at,solved_at,handle_seconds,note\r"
                             "2025-01-06T09:00:00Z,2025-01-06T10:00:00Z,3,\"a\rb\"\r"
                             "2025-01-06T09:00:00Z,,3\0"
                             "999,x\r"
                             "2025-01-06T09:00:00Z,2025-01-06T11:00:00Z,4,y\r";
    static const char *const files[] = {lf, crlf, cr};
    static const size_t lengths[] = {sizeof lf - 1, sizeof crlf - 1, sizeof cr - 1};
    for (size_t f = 0; f < NELEM(files); f++) {
        const char *csv = files[f];
        const char *nl = strpbrk(csv, "\r\n");
        cm_csv_reader *r;
        cm_parse_error err;
        ck_assert_status(
            cm_csv_reader_new(NULL, csv, (size_t)(nl - csv), NULL, NULL, 0, NULL, &r, &err), CM_OK);
        cm_table_spec spec;
        ck_assert_status(cm_table_spec_init(&spec), CM_OK);
        ck_assert_status(cm_csv_reader_spec(r, &spec), CM_OK);
        cm_table_report *rep;
        ck_assert_status(cm_table_report_new(&spec, NULL, &rep), CM_OK);
        const char *body = nl + (nl[0] == '\r' && nl[1] == '\n' ? 2 : 1);
        const size_t len = lengths[f] - (size_t)(body - csv);
        uint64_t lines;
        ck_assert_status(cm_csv_reader_fold(r, body, len, 2, rep, &lines), CM_OK);
        ck_assert_uint_eq(lines, 4); /* the quoted line end counts as a line */
        ck_assert_status(cm_table_report_finish(rep), CM_OK);
        uint64_t rows, bad;
        cm_table_bad_row b;
        size_t nb;
        ck_assert_status(cm_table_report_rows(rep, &rows, &bad, &b, 1, &nb), CM_OK);
        ck_assert_msg(rows == 3 && bad == 1, "file %zu: %" PRIu64 " rows %" PRIu64 " bad", f, rows,
                      bad);
        ck_assert_uint_eq(b.row, 4); /* the line after the two-line record */
        ck_assert_str_eq(b.column, "handle_seconds");
        cm_table_counts c;
        ck_assert_status(cm_table_report_counts(rep, 0, &c), CM_OK);
        ck_assert(c.handled == 2 && c.handle_seconds == 7.0);
        cm_table_report_free(rep);
        cm_csv_reader_free(r);
    }
}
END_TEST

START_TEST(split_points)
{
    static const char data[] = "a,b\n\"x\ny\",1\nz,2\n";
    size_t at;
    /* From the start of line 2, a split asked inside the quoted field lands on line 4. */
    ck_assert_status(cm_csv_split_point(data, strlen(data), 4, 6, &at), CM_OK);
    ck_assert_uint_eq(at, 12);
    ck_assert_status(cm_csv_split_point(data, strlen(data), 4, 13, &at), CM_OK);
    ck_assert_uint_eq(at, strlen(data));
    ck_assert_status(cm_csv_split_point(data, strlen(data), 6, 4, &at), CM_EINVAL);
    ck_assert_status(cm_csv_split_point(NULL, 0, 0, 0, &at), CM_EINVAL);
}
END_TEST

/* ---- Zendesk's export ------------------------------------------------------------------------------ */

/* A ticket export with Zendesk's real headers (a shortened set of them, in their order). */
static const char zendesk_csv[] =
    "Summation column,Id,Requester,Group,Subject,Tags,Status,Priority,Via,Ticket type,"
    "Created at,Updated at,Solved at,Satisfaction Score,Reopens,Replies,"
    "First reply time in minutes,First reply time in minutes within business hours\n"
    "1,101,Ann,Tier 1,\"Login, again\",login,solved,Urgent,Mail,incident,"
    "2025-03-03 09:00:00,2025-03-03 12:00:00,2025-03-03 11:00:00,Good,0,2,10,10\n"
    "1,102,Bob,Tier 2,Refund,billing,solved,High,Web form,question,"
    "2025-03-03 10:00:00,2025-03-04 10:00:00,2025-03-04 09:00:00,Bad,1,3,90,90\n"
    "1,103,Cy,Tier 1,Slow,,open,Normal,Chat,problem,"
    "2025-03-03 23:30:00,2025-03-04 00:00:00,,Offered,0,1,5,0\n"
    "1,104,Di,,Hello,,new,-,Mail,,2025-03-04 08:00:00,2025-03-04 08:00:00,,Unoffered,0,0,,\n"
    "1,105,Ed,Tier 2,Bug,,solved,Low,Mail,problem,"
    "2025-03-04 09:00:00,2025-03-06 09:00:00,2025-03-05 09:00:00,Good with comment,2,4,240,"
    "240\n";

START_TEST(zendesk_export)
{
    const char *text;
    cm_csv_map *map;
    cm_parse_error err;
    ck_assert_status(cm_csv_map_preset("zendesk", &text), CM_OK);
    ck_assert_status(cm_csv_map_parse(text, NULL, &map, &err), CM_OK);
    cm_tz *ny;
    ck_assert_status(cm_tz_load("America/New_York", &ny), CM_OK);
    const char *const extra[] = {"Group"};
    run x;
    ck_assert_status(run_open(&x, map, zendesk_csv, ny, extra, 1), CM_OK);
    uint64_t rows, bad;
    ck_assert_status(cm_table_report_rows(x.report, &rows, &bad, NULL, 0, NULL), CM_OK);
    ck_assert_uint_eq(rows, 5);
    ck_assert_uint_eq(bad, 0);
    /* CSAT: Good, Bad, Good with comment answered; Offered and Unoffered are no answer. */
    cm_csat_summary csat;
    ck_assert_status(cm_table_report_csat(x.report, 0, 0.95, &csat), CM_OK);
    ck_assert_uint_eq(csat.satisfied.num, 2);
    ck_assert_uint_eq(csat.satisfied.den, 3);
    /* Reopen rate: of the 3 solved tickets, 2 were reopened (Reopens 1 and 2). */
    cm_proportion p;
    ck_assert_status(cm_table_report_rate(x.report, 0, CM_TABLE_REOPEN, 0.95, &p), CM_OK);
    ck_assert(p.num == 2 && p.den == 3);
    /* No contact count or escalation flag in a Zendesk export: no data, never defaults. */
    ck_assert_status(cm_table_report_rate(x.report, 0, CM_TABLE_FCR, 0.95, &p), CM_ENODATA);
    ck_assert_status(cm_table_report_rate(x.report, 0, CM_TABLE_ESCALATION, 0.95, &p), CM_ENODATA);
    /* First reply from the minutes column: 10, 90, 5 and 240 minutes. */
    cm_table_duration d;
    ck_assert_status(cm_table_report_duration(x.report, 0, CM_TABLE_FIRST_REPLY, &d), CM_OK);
    ck_assert_uint_eq(d.n, 4);
    ck_assert(d.total_seconds == 60.0 * (10 + 90 + 5 + 240));
    /* Local times: 2025-03-03 09:00 New York (EST) is 14:00Z. */
    cm_table_counts c = counts_of(&x, 0);
    ck_assert_int_eq(c.first_created, 1741010400);
    /* Priorities: Urgent, High, Normal, Low and "-" (none) map to the SLA's levels; the
     * groups of grouping 2 (priority) are none, low, normal, high, urgent with one each. */
    size_t n = cm_table_report_group_count(x.report);
    size_t by_priority = 0, by_group = 0;
    for (size_t g = 0; g < n; g++) {
        cm_table_group grp;
        ck_assert_status(cm_table_report_group(x.report, g, &grp), CM_OK);
        if (grp.grouping == 2) {
            ck_assert_uint_eq(counts_of(&x, g).rows, 1);
            by_priority++;
        }
        if (grp.grouping == 3) {
            const char *label = cm_table_report_label(x.report, 2, grp.codes[2]);
            ck_assert_ptr_nonnull(label);
            const uint64_t want = strcmp(label, "Tier 1") == 0   ? 2
                                  : strcmp(label, "Tier 2") == 0 ? 2
                                                                 : 1; /* "(none)" */
            ck_assert_uint_eq(counts_of(&x, g).rows, want);
            by_group++;
        }
    }
    ck_assert_uint_eq(by_priority, 5);
    ck_assert_uint_eq(by_group, 3);
    run_close(&x);
    cm_tz_free(ny);
    cm_csv_map_free(map);
}
END_TEST

START_TEST(reader_bad_input)
{
    cm_csv_reader *r;
    cm_parse_error err;
    ck_assert_status(cm_csv_reader_new(NULL, "created_at", 10, NULL, NULL, 0, NULL, &r, &err),
                     CM_OK);
    cm_table_key key;
    ck_assert_status(cm_csv_reader_key(r, 0, &key, NULL), CM_ERANGE);
    ck_assert_status(cm_csv_reader_key(NULL, 0, &key, NULL), CM_EINVAL);
    ck_assert_status(cm_csv_reader_spec(r, NULL), CM_EINVAL);
    ck_assert_status(cm_csv_reader_fold(r, "x", 1, 2, NULL, NULL), CM_EINVAL);
    ck_assert_status(cm_csv_reader_fold(NULL, "x", 1, 2, NULL, NULL), CM_EINVAL);
    ck_assert_uint_eq(cm_csv_reader_key_count(NULL), 0);
    cm_csv_reader_free(r);
    cm_csv_reader_free(NULL);
}
END_TEST

Suite *csv_suite(void);
Suite *csv_suite(void)
{
    Suite *s = suite_create("csv");
    TCase *tc = tcase_create("map");
    tcase_add_test(tc, presets_parse);
    tcase_add_loop_test(tc, bad_maps_name_line_and_column, 0, (int)NELEM(bad_maps));
    suite_add_tcase(s, tc);
    tc = tcase_create("reader");
    tcase_add_test(tc, headers);
    tcase_add_test(tc, own_format_values);
    tcase_add_test(tc, line_ends_and_quotes);
    tcase_add_test(tc, split_points);
    tcase_add_test(tc, zendesk_export);
    tcase_add_test(tc, reader_bad_input);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(csv_suite());
}
