/*
 * Proves that the compute functions never allocate: this program defines
 * malloc and friends, which the shared library's calls then reach (ELF symbol
 * interposition), counts the calls made while `counting` is set, and fails if
 * any happened. A call to strdup inside the window first proves that the
 * counter sees allocations at all. Not built under sanitizers, which replace
 * malloc themselves.
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <caremetrics.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

static volatile int counting;
static char *volatile probe; /* volatile: the compiler may not elide the probe allocation */
static volatile unsigned long allocations;

void *malloc(size_t n)
{
    if (counting)
        allocations++;
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    if (counting)
        allocations++;
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    if (counting)
        allocations++;
    return __libc_realloc(p, n);
}

void free(void *p)
{
    __libc_free(p);
}

static int failures;

#define EXPECT(cond)                                                            \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                         \
        }                                                                       \
    } while (0)

/* Objects created outside the counting window (constructors may allocate). */
static cm_calendar *calendar;      /* cached years 1970..2100 */
static cm_calendar *calendar_walk; /* no cached years: every operation walks dates */

static void exercise_calendar(const cm_calendar *cal)
{
    const cm_tz *tz;
    cm_time r, starts[3] = {1741500000, 1762000000, 9000000000};
    int64_t e, secs[3] = {3600, -86400, 7 * 86400}, outs[3];
    bool open;
    cm_civil c;
    int32_t off;
    EXPECT(cm_calendar_get_tz(cal, &tz) == CM_OK);
    EXPECT(cm_tz_utc_offset(tz, starts[0], &off) == CM_OK);
    EXPECT(cm_tz_to_local(tz, starts[1], &c) == CM_OK);
    EXPECT(cm_tz_from_local(tz, &c, &r) == CM_OK);
    for (int i = 0; i < 3; i++) {
        EXPECT(cm_calendar_add(cal, starts[i], secs[i], &r) == CM_OK);
        EXPECT(cm_calendar_add_roll(cal, starts[i], secs[i], &r) == CM_OK);
        EXPECT(cm_calendar_elapsed(cal, starts[i], starts[(i + 1) % 3], &e) == CM_OK);
        EXPECT(cm_calendar_is_open(cal, starts[i], &open) == CM_OK);
        EXPECT(cm_calendar_next_open(cal, starts[i], &r) == CM_OK);
        EXPECT(cm_calendar_next_close(cal, starts[i], &r) == CM_OK);
        EXPECT(cm_calendar_add_days(cal, starts[i], 5 - 4 * i, &r) == CM_OK);
    }
    EXPECT(cm_calendar_elapsed_many(cal, starts, starts, 3, outs) == CM_OK);
    EXPECT(cm_calendar_add_many(cal, starts, secs, 3, starts) == CM_OK);
    EXPECT(cm_calendar_add(cal, 0, INT64_MAX, &r) == CM_EOVERFLOW);
    EXPECT(cm_calendar_next_open(cal, CM_CALENDAR_TIME_MAX + 1, &r) == CM_ERANGE);
}

/* Objects created before the counting window (constructors may allocate). */
static cm_sla_policy *sla_policy;

/* The table engine and the CSV reader: reports, a map and a reader made outside the
 * window; folding, merging, bytes and results inside it. */
static cm_calendar *table_calendar;
static cm_sla_policy *table_policy;
static cm_table_report *table_reports[2];
static cm_csv_map *csv_map;
static cm_csv_reader *csv_reader;
static cm_table_report *csv_report;
static uint8_t table_bytes[1 << 20];
static const char csv_header[] = "created_at,channel,priority,first_reply_at,solved_at,csat";

static void setup_table(void)
{
    static const char *const channels[] = {"phone", "email"};
    static const cm_table_key keys[] = {{"channel", 2, 1, 0, channels},
                                        {"priority", 5, 1, 0, NULL}};
    static const cm_table_grouping groupings[] = {{0, CM_TABLE_BUCKET_NONE, 0, 0},
                                                  {1, CM_TABLE_BUCKET_NONE, 0, 0},
                                                  {2, CM_TABLE_BUCKET_HOUR, 0, 64}};
    EXPECT(cm_calendar_parse("tz America/New_York\nmon-fri 09:00-17:00\n", &table_calendar, NULL) ==
           CM_OK);
    EXPECT(cm_sla_policy_parse("first-reply * 1h business\ntotal-resolution * 8h calendar\n",
                               &table_policy, NULL) == CM_OK);
    for (int i = 0; i < 2; i++) {
        cm_table_spec s;
        EXPECT(cm_table_spec_init(&s) == CM_OK);
        s.keys = keys;
        s.nkeys = 2;
        s.groupings = groupings;
        s.ngroupings = 3;
        s.calendar = table_calendar;
        s.policy = table_policy;
        s.priority_key = 1;
        s.flags |= CM_TABLE_SLA_ATTAINMENT;
        s.quantile_mode = CM_TABLE_QUANTILES_EXACT;
        s.row_capacity = 64;
        EXPECT(cm_table_report_new(&s, NULL, &table_reports[i]) == CM_OK);
    }
    const char *text;
    EXPECT(cm_csv_map_preset("caremetrics", &text) == CM_OK);
    EXPECT(cm_csv_map_parse(text, NULL, &csv_map, NULL) == CM_OK);
    EXPECT(cm_csv_reader_new(csv_map, csv_header, sizeof csv_header - 1, NULL, NULL, 0, NULL,
                             &csv_reader, NULL) == CM_OK);
    cm_table_spec s;
    EXPECT(cm_table_spec_init(&s) == CM_OK);
    EXPECT(cm_csv_reader_spec(csv_reader, &s) == CM_OK);
    EXPECT(cm_table_report_new(&s, NULL, &csv_report) == CM_OK);
}

static void exercise_table(void)
{
    static const cm_time created[] = {1736154000, 1736157600, 1736240400, 1741500000};
    static const cm_time reply[] = {1736154600, CM_TABLE_NO_TIME, 1736244000, 1741503600};
    static const cm_time solved[] = {1736161200, CM_TABLE_NO_TIME, CM_TABLE_NO_TIME, 1741510000};
    static const uint8_t channel[] = {0, 1, 1, 3}, priority[] = {2, 4, 1, 3};
    static const uint8_t csat[] = {5, 255, 2, 9};
    static const double wait[] = {12.0, (double)NAN, 3.0, 40.0};
    const void *keys[] = {channel, priority};
    cm_table_columns c;
    EXPECT(cm_table_columns_init(&c) == CM_OK);
    c.rows = 4;
    c.created = created;
    c.first_reply = reply;
    c.solved = solved;
    c.csat = csat;
    c.wait_seconds = wait;
    c.keys = keys;
    cm_table_bad_row bad = {9, "(line)", "", "balanced quotes"};
    for (int i = 0; i < 2; i++) {
        EXPECT(cm_table_report_reset(table_reports[i]) == CM_OK);
        EXPECT(cm_table_report_add(table_reports[i], &c) == CM_OK);
        EXPECT(cm_table_report_add_bad_row(table_reports[i], &bad) == CM_OK);
    }
    size_t len = 0;
    EXPECT(cm_table_report_serialize(table_reports[1], table_bytes, sizeof table_bytes, &len) ==
           CM_OK);
    EXPECT(cm_table_report_merge(table_reports[0], table_reports[1]) == CM_OK);
    EXPECT(cm_table_report_merge_bytes(table_reports[0], table_bytes, len) == CM_OK);
    EXPECT(cm_table_report_merge_bytes(table_reports[0], table_bytes, 3) == CM_EPARSE);
    EXPECT(cm_table_report_finish(table_reports[0]) == CM_OK);
    for (size_t g = 0; g < cm_table_report_group_count(table_reports[0]); g++) {
        cm_table_group grp;
        cm_table_counts n;
        cm_proportion p;
        cm_csat_summary cs;
        cm_table_duration d;
        cm_contact ct;
        cm_table_sla sla;
        EXPECT(cm_table_report_group(table_reports[0], g, &grp) == CM_OK);
        EXPECT(cm_table_report_counts(table_reports[0], g, &n) == CM_OK);
        (void)!cm_table_report_rate(table_reports[0], g, CM_TABLE_FCR, 0.95, &p);
        (void)!cm_table_report_csat(table_reports[0], g, 0.95, &cs);
        (void)!cm_table_report_duration(table_reports[0], g, CM_TABLE_FIRST_REPLY, &d);
        (void)!cm_table_report_contact(table_reports[0], g, &ct);
        (void)!cm_table_report_reply_within(table_reports[0], g, CM_SLA_PRIORITY_ALL, 0.9, &p);
        (void)!cm_table_report_sla(table_reports[0], g, CM_SLA_FIRST_REPLY, CM_SLA_PRIORITY_ALL,
                                   0.9, &sla);
    }
    cm_table_bad_row rows[4];
    size_t n;
    EXPECT(cm_table_report_rows(table_reports[0], NULL, NULL, rows, 4, &n) == CM_OK);
    EXPECT(cm_table_report_label(table_reports[0], 0, 0) != NULL);
    EXPECT(cm_table_sizeof("cm_table_spec") == sizeof(cm_table_spec));
    static const char lines[] = "2025-01-06T09:00:00Z,email,high,2025-01-06T09:30:00Z,,5\n"
                                "2025-01-06 10:00,\"chat\",low,,2025-01-07T10:00:00Z,4\n"
                                "bad,\"x\n";
    EXPECT(cm_table_report_reset(csv_report) == CM_OK);
    EXPECT(cm_csv_reader_fold(csv_reader, lines, sizeof lines - 1, 2, csv_report, NULL) == CM_OK);
    size_t at;
    EXPECT(cm_csv_split_point(lines, sizeof lines - 1, 0, 10, &at) == CM_OK);
}

static void setup(void)
{
    EXPECT(cm_sla_policy_parse("first-reply * 1h calendar\n* reopen new-cycle\n", &sla_policy,
                               NULL) == CM_OK);
    setup_table();
}

static void teardown(void)
{
    cm_sla_policy_free(sla_policy);
    cm_table_report_free(table_reports[0]);
    cm_table_report_free(table_reports[1]);
    cm_table_report_free(csv_report);
    cm_csv_reader_free(csv_reader);
    cm_csv_map_free(csv_map);
    cm_sla_policy_free(table_policy);
    cm_calendar_free(table_calendar);
}

static void exercise_sla(void)
{
    const cm_sla_event ev[] = {
        {1736154000, CM_SLA_EVENT_CREATED, 0, CM_SLA_PRIORITY_HIGH},
        {1736155800, CM_SLA_EVENT_AGENT_REPLY, 0, 0},
        {1736157600, CM_SLA_EVENT_STATUS, 0, CM_SLA_STATUS_SOLVED},
        {1736161200, CM_SLA_EVENT_CUSTOMER_REPLY, 0, 0},
    };
    cm_sla_instance out[32];
    size_t n = 0;
    EXPECT(cm_sla_evaluate(sla_policy, NULL, 0, ev, 4, 1736164800, out, 32, &n) == CM_OK);
    EXPECT(cm_sla_evaluate(sla_policy, NULL, 0, ev, 4, 1736164800, out, 1, &n) == CM_ENOSPC);
    static cm_sla_attainment acc, acc2;
    memset(&acc, 0, sizeof acc);
    memset(&acc2, 0, sizeof acc2);
    cm_sla_attainment_summary s;
    static uint8_t bytes[CM_SLA_ATTAINMENT_SERIALIZED_MAX];
    size_t w;
    EXPECT(cm_sla_attainment_add(&acc, out, n) == CM_OK);
    EXPECT(cm_sla_attainment_merge(&acc2, &acc) == CM_OK);
    EXPECT(cm_sla_attainment_result(&acc2, CM_SLA_FIRST_REPLY, CM_SLA_PRIORITY_ALL, 0.95, &s) ==
           CM_OK);
    EXPECT(cm_sla_attainment_serialize(&acc, bytes, sizeof bytes, &w) == CM_OK);
    EXPECT(cm_sla_attainment_deserialize(bytes, w, &acc2) == CM_OK);
    cm_sla_metric_options o;
    cm_sla_target t;
    int64_t v;
    EXPECT(cm_sla_metric_defaults(CM_SLA_AGENT_WORK, &o) == CM_OK);
    EXPECT(cm_sla_policy_target(sla_policy, CM_SLA_FIRST_REPLY, CM_SLA_PRIORITY_LOW, &t) == CM_OK);
    EXPECT(cm_sla_policy_options(sla_policy, CM_SLA_FIRST_REPLY, &o) == CM_OK);
    EXPECT(cm_sla_policy_info(sla_policy, NULL, &w) == CM_OK);
    EXPECT(cm_sla_constant("CM_SLA_NO_TIME", &v) == CM_OK);
    EXPECT(cm_sla_sizeof("cm_sla_instance") == sizeof(cm_sla_instance));
    EXPECT(cm_sla_metric_name(0) != NULL && cm_sla_state_name(0) != NULL);
    EXPECT(cm_sla_priority_name(0) != NULL && cm_sla_status_name(0) != NULL);
}

/* Forecasts: intervals, counts, the grid, every method with fitting and
 * intervals, accuracy, the backtest and staffing, in static buffers. */
static void exercise_forecast(const cm_calendar *cal)
{
    enum { P = 24, DAYS = 21, N = DAYS * P, H = 7 * P };
    static cm_forecast_interval iv[N + 48];
    static double counts[N + 48], grid[N], handle[N + 48], handled[N + 48], aht[H];
    static double point[H], lo[H], hi[H], fitted[N];
    static uint8_t state[N];
    static double work[64 * 1024];
    size_t n = 0, bytes = 0, best = 0;
    EXPECT(cm_forecast_intervals(cal, 2025, 10, 20, DAYS, 60, iv, N + 48, &n) == CM_OK);
    EXPECT(cm_forecast_intervals(cal, 2025, 10, 20, DAYS, 60, iv, 3, &n) == CM_ENOSPC);
    EXPECT(cm_forecast_intervals(cal, 2025, 10, 20, DAYS, 60, iv, N + 48, &n) == CM_OK);
    const cm_time created[4] = {1761000000, 1761003600, 1761500000, 1762000000};
    const uint32_t channel[4] = {0, 0, 0, 0};
    const double secs[4] = {300, 200, CM_FORECAST_HANDLE_UNKNOWN, 100};
    uint64_t counted;
    memset(counts, 0, sizeof counts);
    memset(handle, 0, sizeof handle);
    memset(handled, 0, sizeof handled);
    EXPECT(cm_forecast_history_add(iv, n, created, channel, secs, 4, 1, counts, handle, handled,
                                   &counted) == CM_OK);
    for (size_t i = 0; i < n; i++)
        counts[i] += (double)(i % 7);
    EXPECT(cm_forecast_to_grid(iv, n, counts, DAYS, P, grid, state) == CM_OK);
    EXPECT(cm_forecast_aht(grid, grid, state, N, P, 2, H, aht) == CM_OK);
    EXPECT(cm_forecast_from_grid(iv, n, grid, DAYS, P, true, counts) == CM_OK);
    for (int method = CM_FORECAST_SEASONAL_NAIVE; method <= CM_FORECAST_TAYLOR; method++) {
        cm_forecast_model m;
        cm_forecast_fit_result r;
        bool has = false;
        EXPECT(cm_forecast_model_default((cm_forecast_method)method, P, &m) == CM_OK);
        EXPECT(cm_forecast_workspace_size(&m, N, H, &bytes) == CM_OK && bytes <= sizeof work);
        EXPECT(cm_forecast_has_interval(&m, &has) == CM_OK);
        EXPECT(cm_forecast_initial_size(&m, &bytes) == CM_OK);
        EXPECT(cm_forecast_fit(&m, grid, state, N, NULL, work, sizeof work, &r, NULL) == CM_OK);
        EXPECT(cm_forecast_predict(&m, grid, state, N, NULL, NULL, H, 0.9, work, sizeof work, point,
                                   has ? lo : NULL, has ? hi : NULL) == CM_OK);
        EXPECT(cm_forecast_predict(&m, grid, state, N - 1, NULL, NULL, H, 0.9, work, sizeof work,
                                   point, NULL, NULL) == CM_EINVAL);
        if (method >= CM_FORECAST_HOLT_WINTERS)
            EXPECT(cm_forecast_fit(&r.model, grid, state, N, NULL, work, sizeof work, &r, fitted) ==
                   CM_OK);
    }
    cm_forecast_accuracy acc[2];
    EXPECT(cm_forecast_evaluate(grid, point, NULL, H, grid, state, N, H, &acc[0]) == CM_OK);
    cm_forecast_model models[2];
    EXPECT(cm_forecast_model_default(CM_FORECAST_SEASONAL_NAIVE, P, &models[0]) == CM_OK);
    EXPECT(cm_forecast_model_default(CM_FORECAST_WEEKLY_MEAN, P, &models[1]) == CM_OK);
    EXPECT(cm_forecast_backtest_workspace_size(models, 2, N, &bytes) == CM_OK &&
           bytes <= sizeof work);
    EXPECT(cm_forecast_backtest(models, 2, grid, state, N, 1, CM_FORECAST_BY_MAE, work, sizeof work,
                                acc, &best) == CM_OK);
    const cm_forecast_staffing_options opt = {
        CM_FORECAST_QUEUE_ERLANG_A, 0.8, 20, 0.85, 120, 2, 0.3, 8, 5};
    static cm_forecast_staffing staff[N + 48];
    cm_forecast_staffing_summary sum;
    for (size_t i = 0; i < n; i++)
        handle[i] = 300.0;
    EXPECT(cm_forecast_staffing_plan(iv, counts, handle, n, &opt, staff, &sum) == CM_OK);
    double v;
    EXPECT(cm_forecast_sizeof("cm_forecast_model") > 0);
    EXPECT(cm_forecast_constant("CM_FORECAST_MAX_WEEKS", &v) == CM_OK);
}

/* QA, drivers, backlog and cost: objects created before the counting window. */
static cm_qa_rubric *qa_rubric;
static cm_topk *drivers, *drivers2;
static cm_backlog *backlog, *backlog_biz;

static void setup_qa_topk_backlog(void)
{
    static const cm_time snaps[] = {1735776000, 1735862400, 1735948800};
    static const int64_t bounds[] = {86400, 3 * 86400};
    const cm_backlog_config cfg = {snaps, 3, bounds, 2, 2, 0, NULL};
    const cm_backlog_config biz = {snaps, 3, bounds, 2, 2, 0, calendar};
    EXPECT(cm_qa_rubric_parse("pass 85\nsection a 60\nitem x 4\nitem y 1 critical\n"
                              "section b 40\nitem z 2 na\n",
                              NULL, &qa_rubric, NULL) == CM_OK);
    EXPECT(cm_topk_new(CM_TOPK_STRINGS, 4, 16, NULL, &drivers) == CM_OK);
    EXPECT(cm_topk_new(CM_TOPK_STRINGS, 4, 16, NULL, &drivers2) == CM_OK);
    EXPECT(cm_backlog_new(&cfg, NULL, &backlog) == CM_OK);
    EXPECT(cm_backlog_new(&biz, NULL, &backlog_biz) == CM_OK);
}

static void teardown_qa_topk_backlog(void)
{
    cm_qa_rubric_free(qa_rubric);
    cm_topk_free(drivers);
    cm_topk_free(drivers2);
    cm_backlog_free(backlog);
    cm_backlog_free(backlog_biz);
}

static void exercise_qa_topk_backlog(void)
{
    static uint8_t buf[200000];
    size_t w, idx, n;
    /* qa */
    const int32_t aw[] = {3, 1, CM_QA_NA, 4, 0, 2};
    const char *names[] = {"z", "x", "y"};
    const int32_t named[] = {2, 3, 1};
    cm_qa_result r;
    double sec[2], scores[2];
    uint8_t flags[2];
    cm_qa_rubric_summary rs;
    cm_qa_section s;
    cm_qa_item it;
    EXPECT(cm_qa_score(qa_rubric, aw, 3, &r, sec) == CM_OK);
    EXPECT(cm_qa_score_named(qa_rubric, names, named, 3, &r) == CM_OK);
    EXPECT(cm_qa_score_many(qa_rubric, aw, 2, scores, flags) == CM_OK);
    EXPECT(cm_qa_rubric_info(qa_rubric, &rs) == CM_OK);
    EXPECT(cm_qa_rubric_section(qa_rubric, 1, &s) == CM_OK);
    EXPECT(cm_qa_rubric_item(qa_rubric, 2, &it) == CM_OK);
    EXPECT(cm_qa_rubric_find_item(qa_rubric, "z", &idx) == CM_OK);
    cm_qa_acc acc = {0}, acc2 = {0};
    cm_qa_summary qs;
    EXPECT(cm_qa_acc_init(&acc) == CM_OK);
    EXPECT(cm_qa_acc_add(&acc, 91.5, CM_QA_PASSED) == CM_OK);
    EXPECT(cm_qa_acc_add_result(&acc, &r) == CM_OK);
    EXPECT(cm_qa_acc_add_many(&acc, scores, flags, 2) == CM_OK);
    EXPECT(cm_qa_acc_merge(&acc2, &acc) == CM_OK);
    EXPECT(cm_qa_acc_result(&acc2, 0.95, &qs) == CM_OK);
    EXPECT(cm_qa_acc_serialize(&acc, buf, sizeof buf, &w) == CM_OK);
    EXPECT(cm_qa_acc_deserialize(buf, w, &acc2) == CM_OK);
    const double weeks[] = {90, 84, 83, 86};
    cm_spc_signal sig[4];
    EXPECT(cm_qa_alerts(weeks, 4, 85, 2, sig, 4, &n) == CM_OK);
    const double ratings[] = {1, 2, 3, 2, 2, 3, 4, 4, 4, 1, 1, 2};
    const uint8_t present[] = {1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 1};
    double scratch[48];
    cm_qa_alpha_result ar;
    cm_qa_icc_result ir;
    cm_qa_deviation dev[3];
    for (uint32_t level = 0; level < 4; level++)
        EXPECT(cm_qa_alpha(ratings, present, 4, 3, level, scratch, 48, &ar) == CM_OK);
    EXPECT(cm_qa_alpha_scratch_size(4, 3) == 48);
    EXPECT(cm_qa_icc(ratings, 4, 3, &ir) == CM_OK);
    EXPECT(cm_qa_grader_deviation(ratings, present, 4, 3, dev) == CM_OK);
    EXPECT(cm_qa_sizeof("cm_qa_acc") == sizeof(cm_qa_acc));
    double qc;
    int64_t ic;
    EXPECT(cm_qa_constant("CM_QA_NA", &qc) == CM_OK);
    EXPECT(cm_topk_constant("CM_TOPK_CODES", &ic) == CM_OK);
    EXPECT(cm_backlog_constant("CM_BACKLOG_OPEN", &ic) == CM_OK);

    /* topk */
    const char *keys[] = {"billing", "refund", "login", "vip", "billing"};
    cm_topk_entry top[4];
    cm_topk_summary ts;
    uint64_t lo, hi;
    EXPECT(cm_topk_clear(drivers) == CM_OK);
    EXPECT(cm_topk_add(drivers, "refund", 6, 2) == CM_OK);
    EXPECT(cm_topk_add_many(drivers, keys, NULL, NULL, 5) == CM_OK);
    EXPECT(cm_topk_add_tags(drivers, "a b c d e f", 11, " ", 1) == CM_OK);
    EXPECT(cm_topk_add_tags(drivers2, "x y billing", 11, " ", 3) == CM_OK);
    const char *fields[] = {"billing vip", NULL, "refund"};
    EXPECT(cm_topk_add_tags_many(drivers2, fields, NULL, 3, " ", 1) == CM_OK);
    EXPECT(cm_topk_merge(drivers, drivers2) == CM_OK);
    EXPECT(cm_topk_info(drivers, &ts) == CM_OK);
    EXPECT(cm_topk_result(drivers, top, 4, &n) == CM_OK);
    EXPECT(cm_topk_estimate(drivers, "billing", 7, &lo, &hi) == CM_OK);
    EXPECT(cm_topk_serialize(drivers2, buf, sizeof buf, &w) == CM_OK);
    EXPECT(cm_topk_merge_serialized(drivers, buf, w) == CM_OK);
    EXPECT(cm_topk_sizeof("cm_topk_entry") == sizeof(cm_topk_entry));

    /* backlog */
    const uint32_t groups[] = {0, 1, 1};
    const cm_time created[] = {1735700000, 1735800000, 1735900000};
    const cm_time solved[] = {CM_BACKLOG_OPEN, 1735950000, 1735910000};
    const double qv[] = {0.5, 0.9};
    double ages[2];
    uint64_t bk[3];
    cm_backlog_point pt;
    cm_backlog_summary bs;
    EXPECT(cm_backlog_add(backlog, 0, 1735600000, 1735870000) == CM_OK);
    EXPECT(cm_backlog_add_many(backlog, groups, created, solved, 3) == CM_OK);
    EXPECT(cm_backlog_add_many(backlog_biz, groups, created, solved, 3) == CM_OK);
    EXPECT(cm_backlog_merge(backlog, backlog) == CM_OK);
    EXPECT(cm_backlog_info(backlog, &bs) == CM_OK);
    int64_t bb[2];
    EXPECT(cm_backlog_age_bounds(backlog, bb, 2) == CM_OK);
    EXPECT(cm_backlog_snapshot(backlog, CM_BACKLOG_ALL_GROUPS, 1, &pt) == CM_OK);
    EXPECT(cm_backlog_buckets(backlog, 1, 1, bk, 3) == CM_OK);
    EXPECT(cm_backlog_quantiles(backlog, CM_BACKLOG_ALL_GROUPS, 1, qv, 2, ages) == CM_OK);
    EXPECT(cm_backlog_serialize(backlog_biz, buf, sizeof buf, &w) == CM_OK);
    EXPECT(cm_backlog_merge_serialized(backlog_biz, buf, w) == CM_OK);
    EXPECT(cm_backlog_sizeof("cm_backlog_point") == sizeof(cm_backlog_point));

    /* cost per contact */
    cm_cost cost = {0}, cost2 = {0};
    cm_cost_summary cs;
    const uint8_t ch[] = {0, 1, 2};
    const int64_t handle[] = {300, 420, 600};
    double per;
    EXPECT(cm_cost_init(&cost) == CM_OK);
    EXPECT(cm_cost_add_cost(&cost, CM_COST_SHARED, 100000) == CM_OK);
    EXPECT(cm_cost_add_contacts(&cost, 3, 10, 3000) == CM_OK);
    EXPECT(cm_cost_add_many(&cost, ch, handle, 3) == CM_OK);
    EXPECT(cm_cost_merge(&cost2, &cost) == CM_OK);
    EXPECT(cm_cost_result(&cost2, CM_COST_BY_HANDLE_TIME, &cs) == CM_OK);
    EXPECT(cm_cost_per_contact(100000, 13, &per) == CM_OK);
    EXPECT(cm_cost_serialize(&cost, buf, sizeof buf, &w) == CM_OK);
    EXPECT(cm_cost_deserialize(buf, w, &cost2) == CM_OK);
}

/* Every compute function of every module, called with valid and invalid input. */
static void exercise(void)
{
    exercise_sla();
    exercise_table();

    cm_proportion p;
    EXPECT(cm_rate(3, 10, 0.95, &p) == CM_OK);
    EXPECT(cm_rate(0, 0, 0.95, &p) == CM_ENODATA);
    EXPECT(cm_abandonment_rate(10, 3, 1, 0.9, &p) == CM_OK);
    const double waits[] = {1, 20, 40};
    const uint8_t gone[] = {1, 0, 1};
    EXPECT(cm_abandonment_rate_many(waits, gone, 3, 5, 0.95, &p) == CM_OK);

    const uint8_t scores[] = {1, 2, 3, 4, 5, CM_SCORE_NONE, 7};
    uint8_t buf[256];
    size_t w;

    cm_csat csat = {0}, csat2;
    cm_csat_summary cs;
    EXPECT(cm_csat_init(&csat2, 5, 4) == CM_OK);
    EXPECT(cm_csat_add(&csat, 4) == CM_OK);
    EXPECT(cm_csat_add_many(&csat, scores, 6) == CM_OK);
    EXPECT(cm_csat_add_many(&csat, scores, 7) == CM_ERANGE);
    EXPECT(cm_csat_merge(&csat2, &csat) == CM_OK);
    EXPECT(cm_csat_result(&csat2, 0.95, &cs) == CM_OK);
    EXPECT(cm_csat_serialize(&csat, buf, sizeof buf, &w) == CM_OK);
    EXPECT(cm_csat_deserialize(buf, w, &csat2) == CM_OK);

    cm_nps nps, nps2 = {{0}};
    cm_nps_summary ns;
    EXPECT(cm_nps_init(&nps) == CM_OK);
    EXPECT(cm_nps_add(&nps, 10) == CM_OK);
    EXPECT(cm_nps_add_many(&nps, scores, 7) == CM_OK);
    EXPECT(cm_nps_merge(&nps2, &nps) == CM_OK);
    EXPECT(cm_nps_result(&nps2, 0.95, &ns) == CM_OK);
    EXPECT(cm_nps_serialize(&nps, buf, sizeof buf, &w) == CM_OK);
    EXPECT(cm_nps_deserialize(buf, w, &nps2) == CM_OK);

    cm_ces ces = {0}, ces2;
    cm_ces_summary es;
    EXPECT(cm_ces_init(&ces2, 7, 5, 7) == CM_OK);
    EXPECT(cm_ces_add(&ces, 6) == CM_OK);
    EXPECT(cm_ces_add_many(&ces, scores, 7) == CM_OK);
    EXPECT(cm_ces_merge(&ces2, &ces) == CM_OK);
    EXPECT(cm_ces_result(&ces2, 0.95, &es) == CM_OK);
    EXPECT(cm_ces_serialize(&ces, buf, sizeof buf, &w) == CM_OK);
    EXPECT(cm_ces_deserialize(buf, w, &ces2) == CM_OK);

    cm_art art, art2 = {0};
    cm_art_summary as;
    double mean;
    const int64_t secs[] = {5, 60, 3600};
    EXPECT(cm_art_mean(100, 4, &mean) == CM_OK);
    EXPECT(cm_art_init(&art) == CM_OK);
    EXPECT(cm_art_add(&art, 30) == CM_OK);
    EXPECT(cm_art_add_many(&art, secs, 3) == CM_OK);
    EXPECT(cm_art_merge(&art2, &art) == CM_OK);
    EXPECT(cm_art_result(&art2, &as) == CM_OK);
    EXPECT(cm_art_serialize(&art, buf, sizeof buf, &w) == CM_OK);
    EXPECT(cm_art_deserialize(buf, w, &art2) == CM_OK);
    EXPECT(cm_kpi_sizeof("cm_csat") == sizeof(cm_csat));

    double q;
    uint32_t agents;
    cm_erlang_a_result ea;
    cm_workforce wf;
    cm_interval_staffing plan[3];
    const double vols[] = {0, 120, 900}, ahts[] = {300, 300, 360};
    EXPECT(cm_erlang_b(30, 36, &q) == CM_OK);
    EXPECT(cm_erlang_b(1000, 900, &q) == CM_OK);
    EXPECT(cm_erlang_c(30, 36, &q) == CM_OK);
    EXPECT(cm_erlang_c(30, 30, &q) == CM_EUNSTABLE);
    EXPECT(cm_erlang_service_level(30, 36, 360, 20, &q) == CM_OK);
    EXPECT(cm_erlang_asa(30, 36, 360, &q) == CM_OK);
    EXPECT(cm_erlang_occupancy(30, 36, &q) == CM_OK);
    EXPECT(cm_erlang_agents(10000, 300, 0.8, 20, 0.9, &agents) == CM_OK);
    EXPECT(cm_erlang_agents_asa(30, 360, 15, 1, &agents) == CM_OK);
    EXPECT(cm_erlang_a(30, 34, 360, 300, 20, &ea) == CM_OK);
    EXPECT(cm_erlang_a(100, 90, 180, 600, 10, &ea) == CM_OK);
    EXPECT(cm_erlang_a_agents(30, 360, 300, 0.8, 20, 0.05, 1, &agents) == CM_OK);
    EXPECT(cm_workload_hours(vols, ahts, 3, &q) == CM_OK);
    EXPECT(cm_workforce_plan(1233.3, 0.85, 0.3, 8, 22, &wf) == CM_OK);
    EXPECT(cm_staffing_plan(vols, ahts, 3, 1800, 0.8, 20, 0.9, plan) == CM_OK);
    EXPECT(cm_queue_sizeof("cm_workforce") == sizeof(cm_workforce));
    EXPECT(cm_queue_constant("CM_ERLANG_MAX_TRAFFIC", &q) == CM_OK);

    cm_contact ct = {0}, ct2;
    uint64_t num, den;
    const double cwait[] = {3, 12, 45}, chandle[] = {0, 300, 0};
    const uint8_t cgone[] = {1, 0, 1};
    EXPECT(cm_contact_init(&ct2, 20, 5) == CM_OK);
    EXPECT(cm_contact_add(&ct, 8, 240, false) == CM_OK);
    EXPECT(cm_contact_add_many(&ct, cwait, chandle, cgone, 3) == CM_OK);
    EXPECT(cm_contact_merge(&ct2, &ct) == CM_OK);
    EXPECT(cm_contact_service_level_counts(&ct2, CM_SL_ABANDONS_AGAINST, &num, &den) == CM_OK);
    EXPECT(cm_contact_service_level(&ct2, CM_SL_SHORT_ABANDONS_MET, &q) == CM_OK);
    EXPECT(cm_contact_abandonment_rate(&ct2, true, &q) == CM_OK);
    EXPECT(cm_contact_asa(&ct2, &q) == CM_OK);
    EXPECT(cm_contact_aht(&ct2, &q) == CM_OK);
    EXPECT(cm_contact_abandon_time(&ct2, &q) == CM_OK);
    EXPECT(cm_contact_occupancy(&ct2, 3600, &q) == CM_OK);
    EXPECT(cm_contact_serialize(&ct2, buf, sizeof buf, &w) == CM_OK);
    EXPECT(cm_contact_deserialize(buf, w, &ct) == CM_OK);
    EXPECT(cm_contact_sizeof("cm_contact") == sizeof(cm_contact));
    EXPECT(cm_contact_constant("CM_SL_VARIANT_COUNT", &q) == CM_OK);

    cm_time t;
    cm_civil c;
    char text[CM_TIME_FORMAT_SIZE];
    EXPECT(cm_time_parse("2025-03-09T07:00:00Z", 20, &t) == CM_OK);
    EXPECT(cm_time_to_civil(t, &c) == CM_OK);
    EXPECT(cm_time_from_civil(&c, &t) == CM_OK);
    EXPECT(cm_time_format(t, text, sizeof text) == CM_OK);
    EXPECT(cm_strerror(CM_EINVAL) != NULL && cm_status_name(CM_EINVAL) != NULL);
    EXPECT(cm_version() == CM_VERSION_NUMBER);

    /* sketch */
    static cm_sketch sk, sk2;
    cm_sketch_summary sks;
    const double durs[] = {0, 0.5, 30, 3600, 86400, 1e6};
    const double levels[] = {0.5, 0.9, 0.99};
    double qv[3], one, lo, hi, rep, scratch[6];
    EXPECT(cm_sketch_init(&sk) == CM_OK);
    EXPECT(cm_sketch_init(&sk2) == CM_OK);
    EXPECT(cm_sketch_add(&sk, 42.0) == CM_OK);
    EXPECT(cm_sketch_add_many(&sk, durs, 6) == CM_OK);
    EXPECT(cm_sketch_merge(&sk2, &sk) == CM_OK);
    EXPECT(cm_sketch_quantile(&sk2, 0.5, &one) == CM_OK);
    EXPECT(cm_sketch_quantiles(&sk2, levels, 3, qv) == CM_OK);
    EXPECT(cm_sketch_result(&sk2, &sks) == CM_OK);
    EXPECT(cm_sketch_serialize(&sk, buf, sizeof buf, &w) == CM_OK);
    EXPECT(cm_sketch_deserialize(buf, w, &sk2) == CM_OK);
    EXPECT(cm_sketch_bucket_bounds(7, &lo, &hi, &rep) == CM_OK);
    EXPECT(cm_sketch_sizeof("cm_sketch") == sizeof(cm_sketch));
    EXPECT(cm_quantile_exact_scratch_size(6) == 6);
    EXPECT(cm_quantile_exact(durs, 6, 0.9, scratch, 6, &one) == CM_OK);
    EXPECT(cm_quantiles_exact(durs, 6, levels, 3, scratch, 6, qv) == CM_OK);

    /* spc */
    cm_spc_limits lim;
    cm_spc_rules rules = {0};
    cm_spc_signal sig[8];
    size_t nsig;
    double pc, plcl[3], pucl[3];
    const double frt[] = {60, 95, 100, 92, 300, 70};
    const uint64_t sat[] = {80, 45, 150}, answers[] = {100, 50, 200};
    rules.enabled = CM_SPC_RULES_ALL;
    rules.threshold = 90;
    EXPECT(cm_spc_individuals(frt, 6, &lim) == CM_OK);
    EXPECT(cm_spc_evaluate(frt, 6, &lim, &rules, sig, 8, &nsig) == CM_OK);
    EXPECT(cm_spc_p_chart(sat, answers, 3, &pc, plcl, pucl) == CM_OK);
    EXPECT(cm_spc_p_evaluate(sat, answers, 3, pc, &rules, sig, 8, &nsig) == CM_OK);
    EXPECT(cm_spc_sizeof("cm_spc_rules") == sizeof(cm_spc_rules));

    exercise_calendar(calendar);
    exercise_calendar(calendar_walk);
    exercise_forecast(calendar);
    exercise_forecast(calendar_walk);
    exercise_qa_topk_backlog();
}

int main(void)
{
    counting = 1;
    probe = strdup("probe");
    counting = 0;
    if (allocations == 0) {
        fprintf(stderr, "malloc interposition is not in effect; cannot check\n");
        return 1;
    }
    free(probe);
    allocations = 0;

    const char *spec = "tz America/New_York\nmon-fri 09:00-17:00\nfri 22:00-06:00\n"
                       "2025-12-25 closed\n*-01-01 closed\n2025-12-24 09:00-12:00\n";
    cm_calendar_builder *b;
    if (cm_calendar_parse(spec, &calendar, NULL) != CM_OK || cm_calendar_builder_new(&b) != CM_OK ||
        cm_calendar_builder_set_cache_years(b, 1970, 0) != CM_OK ||
        cm_calendar_builder_add_spec(b, spec, NULL) != CM_OK ||
        cm_calendar_builder_build(b, &calendar_walk) != CM_OK) {
        fprintf(stderr, "cannot build the calendars\n");
        return 1;
    }
    cm_calendar_builder_free(b);

    setup();
    setup_qa_topk_backlog();
    exercise(); /* once outside the window: lazy symbol binding may allocate */
    counting = 1;
    exercise();
    counting = 0;
    teardown();
    teardown_qa_topk_backlog();
    if (allocations != 0) {
        fprintf(stderr, "the library allocated %lu times in compute functions\n", allocations);
        return 1;
    }
    cm_calendar_free(calendar);
    cm_calendar_free(calendar_walk);
    if (failures != 0)
        return 1;
    printf("no allocation in any compute function\n");
    return 0;
}
