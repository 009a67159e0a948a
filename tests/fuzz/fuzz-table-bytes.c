/*
 * libFuzzer target: cm_table_report_merge_bytes. Arbitrary bytes merged into
 * a report with a fixed spec (keys with and without labels, a hashed time
 * bucket, exact quantiles, SLA attainment) must be refused with CM_EPARSE,
 * CM_EINVAL, CM_ENOSPC or CM_EOVERFLOW and leave the report as it was, or be
 * accepted; either way the report still finishes and answers, and its bytes
 * read back.
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

static cm_calendar *cal;
static cm_sla_policy *policy;

static cm_table_report *make(void)
{
    static const char *const channels[] = {"phone", "chat"};
    static const cm_table_key keys[] = {
        {"channel", 2, 1, 0, channels}, {"team", 8, 2, 0, NULL}, {"priority", 5, 1, 0, NULL}};
    static const cm_table_grouping groupings[] = {{0, CM_TABLE_BUCKET_NONE, 0, 0},
                                                  {3, CM_TABLE_BUCKET_NONE, 0, 0},
                                                  {1, CM_TABLE_BUCKET_DAY, 0, 16}};
    cm_table_spec s;
    CHECK(cm_table_spec_init(&s) == CM_OK);
    s.keys = keys;
    s.nkeys = 3;
    s.groupings = groupings;
    s.ngroupings = 3;
    s.calendar = cal;
    s.policy = policy;
    s.priority_key = 2;
    s.flags |= CM_TABLE_SLA_ATTAINMENT;
    s.quantile_mode = CM_TABLE_QUANTILES_EXACT;
    s.row_capacity = 64;
    s.open_capacity = 16;
    cm_table_report *r = NULL;
    CHECK(cm_table_report_new(&s, NULL, &r) == CM_OK);
    return r;
}

/* A few rows, so the report has groups, kept durations and open tickets of its own. */
static void seed(cm_table_report *r)
{
    uint32_t code;
    CHECK(cm_table_report_intern(r, 1, "blue", 4, &code) == CM_OK);
    static const cm_time created[] = {1736154000, 1736157600, 1736240400};
    static const cm_time reply[] = {1736154600, CM_TABLE_NO_TIME, 1736244000};
    static const cm_time solved[] = {1736161200, CM_TABLE_NO_TIME, CM_TABLE_NO_TIME};
    static const uint8_t channel[] = {0, 1, 1}, priority[] = {2, 4, 1}, csat[] = {5, 255, 2};
    static const uint16_t team[] = {0, 0, 0};
    const void *keys[] = {channel, team, priority};
    cm_table_columns c;
    CHECK(cm_table_columns_init(&c) == CM_OK);
    c.rows = 3;
    c.created = created;
    c.first_reply = reply;
    c.solved = solved;
    c.csat = csat;
    c.keys = keys;
    CHECK(cm_table_report_add(r, &c) == CM_OK);
}

static size_t bytes_of(const cm_table_report *r, uint8_t **out)
{
    size_t len = 0;
    CHECK(cm_table_report_serialize(r, NULL, 0, &len) == CM_ENOSPC);
    *out = malloc(len);
    CHECK(*out != NULL);
    CHECK(cm_table_report_serialize(r, *out, len, &len) == CM_OK);
    return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (cal == NULL) {
        CHECK(cm_calendar_parse("tz UTC\nmon-fri 09:00-17:00\n", &cal, NULL) == CM_OK);
        CHECK(cm_sla_policy_parse("first-reply * 1h business\ntotal-resolution * 8h business\n",
                                  &policy, NULL) == CM_OK);
    }
    static cm_table_report *r, *copy;
    if (r == NULL) {
        r = make();
        copy = make();
    }
    CHECK(cm_table_report_reset(r) == CM_OK && cm_table_report_reset(copy) == CM_OK);
    seed(r);
    uint8_t *before;
    const size_t nbefore = bytes_of(r, &before);
    const cm_status st = cm_table_report_merge_bytes(r, data, size);
    CHECK(st == CM_OK || st == CM_EPARSE || st == CM_EINVAL || st == CM_ENOSPC ||
          st == CM_EOVERFLOW);
    if (st != CM_OK) {
        uint8_t *after;
        const size_t nafter = bytes_of(r, &after);
        CHECK(nafter == nbefore && memcmp(after, before, nafter) == 0);
        free(after);
    }
    CHECK(cm_table_report_finish(r) == CM_OK);
    for (size_t g = 0; g < cm_table_report_group_count(r); g++) {
        cm_table_counts c;
        cm_table_group grp;
        CHECK(cm_table_report_counts(r, g, &c) == CM_OK);
        CHECK(cm_table_report_group(r, g, &grp) == CM_OK);
    }
    /* The report's own bytes read back into an empty one. */
    uint8_t *mine;
    const size_t n = bytes_of(r, &mine);
    CHECK(cm_table_report_merge_bytes(copy, mine, n) == CM_OK);
    free(mine);
    free(before);
    return 0;
}
