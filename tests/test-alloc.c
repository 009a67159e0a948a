/*
 * Caller-supplied memory functions: every constructor that allocates takes
 * all of its memory from the caller's allocator, and when any one of its
 * allocations fails it returns CM_ENOMEM, leaves its output alone and keeps
 * nothing (no block left allocated, no partial object).
 *
 * Each scenario below is run once with an allocator that never fails, to
 * count its allocations, then once per allocation with an allocator that
 * fails exactly that one.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics.h>

#include "testing.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- an allocator that fails its n-th call --------------------------------------------- */

typedef struct failing {
    long calls;   /* allocation calls so far */
    long fail_at; /* the call that returns NULL; -1: none */
    long live;    /* blocks allocated and not yet freed */
    long stray;   /* frees of NULL or of blocks never handed out (counted, not freed) */
} failing;

/* Each block carries a header with a tag, so that a block freed through the
 * wrong allocator, or twice, is noticed instead of corrupting the heap. */
#define TAG 0x6361726531u
typedef union block_header {
    uint64_t tag;
    max_align_t align;
} block_header;

static void *failing_alloc(void *opaque, size_t n)
{
    failing *f = opaque;
    if (f->calls++ == f->fail_at)
        return NULL;
    block_header *h = malloc(sizeof *h + n);
    if (h == NULL)
        return NULL;
    h->tag = TAG;
    f->live++;
    return h + 1;
}

static void failing_free(void *opaque, void *p)
{
    failing *f = opaque;
    if (p == NULL)
        return;
    block_header *h = (block_header *)p - 1;
    if (h->tag != TAG) {
        f->stray++;
        return;
    }
    h->tag = 0;
    f->live--;
    free(h);
}

/* ---- scenarios ------------------------------------------------------------------------- */

/* What an output pointer holds before a call, to see that a failing call left it alone. */
static char sentinel_byte;
#define SENTINEL ((void *)&sentinel_byte)

/*
 * Runs one call that fills *out. On failure: *out must still be the
 * sentinel and the scenario jumps to its cleanup with the status.
 */
#define STEP(out, call)                                                                    \
    do {                                                                                   \
        (out) = SENTINEL;                                                                  \
        st = (call);                                                                       \
        if (st != CM_OK) {                                                                 \
            ck_assert_msg((void *)(out) == SENTINEL, "%s changed its output on %s", #call, \
                          cm_status_name(st));                                             \
            (out) = NULL;                                                                  \
            goto done;                                                                     \
        }                                                                                  \
    } while (0)

/* A call without an output (adding to a builder). */
#define DO(call)         \
    do {                 \
        st = (call);     \
        if (st != CM_OK) \
            goto done;   \
    } while (0)

static const char nyc[] = "America/New_York";

static cm_status tz_fixed(const cm_allocator *a)
{
    cm_status st;
    cm_tz *tz = NULL;
    STEP(tz, cm_tz_fixed_with_allocator(-5 * 3600, a, &tz));
done:
    cm_tz_free(tz);
    return st;
}

static cm_status tz_posix(const cm_allocator *a)
{
    cm_status st;
    cm_tz *tz = NULL;
    STEP(tz, cm_tz_from_posix_with_allocator("EST5EDT,M3.2.0,M11.1.0", a, &tz));
done:
    cm_tz_free(tz);
    return st;
}

static cm_status tz_load(const cm_allocator *a)
{
    cm_status st;
    cm_tz *tz = NULL;
    STEP(tz, cm_tz_load_with_allocator(nyc, a, &tz));
done:
    cm_tz_free(tz);
    return st;
}

/* The compiled zone file, read once with malloc (outside the allocator under test). */
static uint8_t *tzif;
static size_t tzif_len;

static void read_tzif(void)
{
    if (tzif != NULL)
        return;
    FILE *f = fopen("/usr/share/zoneinfo/America/New_York", "rb");
    ck_assert_msg(f != NULL, "cannot open the New York zone file");
    tzif = malloc(1 << 16);
    ck_assert_ptr_nonnull(tzif);
    tzif_len = fread(tzif, 1, 1 << 16, f);
    fclose(f);
    ck_assert_uint_gt(tzif_len, 44);
}

static cm_status tz_tzif(const cm_allocator *a)
{
    cm_status st;
    cm_tz *tz = NULL;
    read_tzif();
    STEP(tz, cm_tz_from_tzif_with_allocator(tzif, tzif_len, a, &tz));
done:
    cm_tz_free(tz);
    return st;
}

/* A cache: a miss, a hit and a second zone; then a calendar spec through it. */
static cm_status tz_cache(const cm_allocator *a)
{
    cm_status st;
    cm_tz_cache *cache = NULL;
    cm_tz *t1 = NULL, *t2 = NULL, *t3 = NULL;
    cm_calendar_builder *b = NULL;
    cm_calendar *cal = NULL;
    STEP(cache, cm_tz_cache_new(a, &cache));
    STEP(t1, cm_tz_cache_load(cache, nyc, &t1));
    STEP(t2, cm_tz_cache_load(cache, nyc, &t2));
    ck_assert_ptr_eq(t1, t2);
    STEP(t3, cm_tz_cache_load(cache, "Europe/London", &t3));
    STEP(b, cm_calendar_builder_new_with_allocator(a, &b));
    DO(cm_calendar_builder_set_tz_cache(b, cache));
    DO(cm_calendar_builder_add_spec(b, "tz Europe/London\nmon-fri 08:00-18:00\n", NULL));
    STEP(cal, cm_calendar_builder_build(b, &cal));
    size_t zones = 0;
    ck_assert_status(cm_tz_cache_count(cache, &zones), CM_OK);
    ck_assert_uint_eq(zones, 2);
done:
    cm_calendar_free(cal);
    cm_calendar_builder_free(b);
    cm_tz_free(t3);
    cm_tz_free(t2);
    cm_tz_free(t1);
    cm_tz_cache_free(cache);
    return st;
}

static const char spec[] = "tz America/New_York\n"
                           "mon-fri 09:00-17:00\n"
                           "sat 09:00-13:00\n"
                           "2025-12-24 09:00-12:00\n"
                           "*-12-25 closed\n"
                           "*-01-01 closed\n"
                           "2025-07-04 closed\n";

static cm_status calendar_parse(const cm_allocator *a)
{
    cm_status st;
    cm_calendar *cal = NULL;
    STEP(cal, cm_calendar_parse_with_allocator(spec, a, &cal, NULL));
done:
    cm_calendar_free(cal);
    return st;
}

/* Every kind of builder entry, with 30 holidays so that its lists grow. */
static cm_status calendar_builder(const cm_allocator *a)
{
    cm_status st;
    cm_tz *tz = NULL;
    cm_calendar_builder *b = NULL;
    cm_calendar *cal = NULL;
    const int32_t skip[] = {2020, 2021};
    STEP(tz, cm_tz_load_with_allocator(nyc, a, &tz));
    STEP(b, cm_calendar_builder_new_with_allocator(a, &b));
    DO(cm_calendar_builder_set_tz(b, tz));
    for (int32_t d = 1; d <= 5; d++)
        DO(cm_calendar_builder_add_weekly(b, d, 9 * 3600, 17 * 3600));
    for (int32_t i = 0; i < 30; i++)
        DO(cm_calendar_builder_add_holiday(b, 2020 + i / 6, 1 + i % 6 * 2, 3 + i % 5));
    DO(cm_calendar_builder_add_holiday_observed(b, 2026, 7, 4));
    DO(cm_calendar_builder_add_special(b, 2025, 12, 24, 9 * 3600, 12 * 3600));
    cm_calendar_yearly rule;
    DO(cm_calendar_yearly_init(&rule));
    rule.month = 11;
    rule.weekday = 4;
    rule.nth = 4;
    rule.except_years = skip;
    rule.except_count = NELEM(skip);
    DO(cm_calendar_builder_add_yearly(b, &rule));
    DO(cm_calendar_yearly_init(&rule));
    rule.flags |= CM_CALENDAR_YEARLY_OBSERVED;
    rule.month = 12;
    rule.day = 25;
    DO(cm_calendar_builder_add_yearly(b, &rule));
    DO(cm_calendar_builder_add_spec(b, "*-12-31 10:00-14:00\n", NULL));
    STEP(cal, cm_calendar_builder_build(b, &cal));
done:
    cm_calendar_free(cal);
    cm_calendar_builder_free(b);
    cm_tz_free(tz);
    return st;
}

static cm_status sla_policy_new(const cm_allocator *a)
{
    cm_status st;
    cm_sla_policy *p = NULL;
    const cm_sla_target t[] = {
        {.metric = CM_SLA_FIRST_REPLY,
         .priority = CM_SLA_PRIORITY_URGENT,
         .seconds = 3600,
         .calendar = CM_SLA_CALENDAR_TIME},
    };
    STEP(p, cm_sla_policy_new_with_allocator(t, NELEM(t), NULL, 0, a, &p));
done:
    cm_sla_policy_free(p);
    return st;
}

static cm_status sla_policy_parse(const cm_allocator *a)
{
    cm_status st;
    cm_sla_policy *p = NULL;
    STEP(p, cm_sla_policy_parse_with_allocator("first-reply urgent,high 1h business\n"
                                               "total-resolution * 3d calendar\n",
                                               a, &p, NULL));
done:
    cm_sla_policy_free(p);
    return st;
}

/* A column mapping with its own input zone, and a reader over it. */
static cm_status csv_map_and_reader(const cm_allocator *a)
{
    cm_status st;
    cm_csv_map *map = NULL;
    cm_csv_reader *r = NULL;
    char text[256];
    const int n = snprintf(text, sizeof text, "column created_at created\ninput-tz %s\n", nyc);
    ck_assert(n > 0 && (size_t)n < sizeof text);
    STEP(map, cm_csv_map_parse(text, a, &map, NULL));
    static const char header[] = "id,created,channel";
    const char *const extra[] = {"channel"};
    STEP(r,
         cm_csv_reader_new(map, header, sizeof header - 1, NULL, extra, NELEM(extra), a, &r, NULL));
done:
    cm_csv_reader_free(r);
    cm_csv_map_free(map);
    return st;
}

static cm_status table_report(const cm_allocator *a)
{
    cm_status st;
    cm_table_report *rep = NULL;
    static const char *const labels[] = {"email", "chat", "phone"};
    const cm_table_key key = {"channel", 3, 1, 0, labels};
    const cm_table_grouping g[] = {{0, CM_TABLE_BUCKET_NONE, 0, 0},
                                   {1u, CM_TABLE_BUCKET_NONE, 0, 0}};
    cm_table_spec s;
    ck_assert_status(cm_table_spec_init(&s), CM_OK);
    s.keys = &key;
    s.nkeys = 1;
    s.groupings = g;
    s.ngroupings = NELEM(g);
    STEP(rep, cm_table_report_new(&s, a, &rep));
done:
    cm_table_report_free(rep);
    return st;
}

static const char qa_rubric_text[] = "pass 85\nsection accuracy 40%\nitem correct-answer 4\n"
                                     "item verified-identity 1 critical\n"
                                     "section communication 60\nitem empathy 3\nitem next 2 na\n";

static cm_status qa_rubric_parse(const cm_allocator *a)
{
    cm_status st;
    cm_qa_rubric *r = NULL;
    STEP(r, cm_qa_rubric_parse(qa_rubric_text, a, &r, NULL));
done:
    cm_qa_rubric_free(r);
    return st;
}

static cm_status qa_rubric_new(const cm_allocator *a)
{
    static const cm_qa_section secs[] = {{"accuracy", 40.0}, {"communication", 60.0}};
    static const cm_qa_item items[] = {{"correct-answer", 0, 4, 0, 0},
                                       {"verified-identity", 0, 1, CM_QA_ITEM_CRITICAL, 0},
                                       {"empathy", 1, 3, CM_QA_ITEM_NA_ALLOWED, 0}};
    cm_status st;
    cm_qa_rubric *r = NULL;
    STEP(r, cm_qa_rubric_new(secs, NELEM(secs), items, NELEM(items), 85.0, a, &r));
done:
    cm_qa_rubric_free(r);
    return st;
}

/* A summary with two drivers, written to bytes and read back. */
static cm_status topk(const cm_allocator *a)
{
    cm_status st;
    cm_topk *t = NULL, *back = NULL;
    STEP(t, cm_topk_new(CM_TOPK_STRINGS, 16, 32, a, &t));
    DO(cm_topk_add_tags(t, "billing refund billing", 22, " ", 1));
    uint8_t buf[4096];
    size_t n = 0;
    ck_assert_status(cm_topk_serialize(t, buf, sizeof buf, &n), CM_OK);
    STEP(back, cm_topk_deserialize(buf, n, a, &back));
    uint64_t lo = 0, hi = 0;
    ck_assert_status(cm_topk_estimate(back, "billing", 7, &lo, &hi), CM_OK);
    ck_assert_uint_eq(lo, 2);
done:
    cm_topk_free(back);
    cm_topk_free(t);
    return st;
}

static cm_status backlog(const cm_allocator *a)
{
    static const cm_time snaps[] = {1735776000, 1735862400};
    static const int64_t bounds[] = {86400};
    const cm_backlog_config cfg = {snaps, NELEM(snaps), bounds, NELEM(bounds), 2, 0, NULL};
    cm_status st;
    cm_backlog *b = NULL, *back = NULL;
    STEP(b, cm_backlog_new(&cfg, a, &b));
    DO(cm_backlog_add(b, 1, 1735700000, CM_BACKLOG_OPEN));
    static uint8_t buf[1 << 16];
    size_t n = 0;
    ck_assert_status(cm_backlog_serialize(b, buf, sizeof buf, &n), CM_OK);
    STEP(back, cm_backlog_deserialize(buf, n, NULL, a, &back));
    cm_backlog_point p;
    ck_assert_status(cm_backlog_snapshot(back, 1, 1, &p), CM_OK);
    ck_assert_uint_eq(p.open, 1);
done:
    cm_backlog_free(back);
    cm_backlog_free(b);
    return st;
}

static cm_status sla_policyset_and_breakdown(const cm_allocator *a)
{
    cm_status st;
    cm_sla_policyset *set = NULL;
    cm_sla_breakdown *b = NULL;
    static const char *const keys[] = {"policy", "organization"};
    STEP(set, cm_sla_policyset_parse("priorities Lowest, Low, Medium, High, Highest\n"
                                     "clock approval\n"
                                     "  start status-enter \"Waiting for approval\"\n"
                                     "  stop status-leave \"Waiting for approval\"\n"
                                     "policy vip\n"
                                     "  when organization is VIP\n"
                                     "  first-reply * 30m calendar warn 75%\n"
                                     "  approval * 2h calendar\n"
                                     "group-policy ola\n"
                                     "  when group is \"Tier 2\"\n"
                                     "  group-ownership * 1h calendar\n",
                                     a, &set, NULL));
    STEP(b, cm_sla_breakdown_new(set, keys, NELEM(keys), a, &b));
done:
    cm_sla_breakdown_free(b);
    cm_sla_policyset_free(set);
    return st;
}

static cm_status calendar_history_parse(const cm_allocator *a)
{
    cm_status st;
    cm_calendar_history *h = NULL;
    STEP(h, cm_calendar_history_parse("tz UTC\nmon-fri 09:00-17:00\n"
                                      "from 2025-01-08\ntz America/New_York\nmon-fri 08:00-18:00\n",
                                      a, &h, NULL));
done:
    cm_calendar_history_free(h);
    return st;
}

static cm_status sla_import(const cm_allocator *a)
{
    cm_status st;
    cm_sla_ticket *t = NULL;
    static const char json[] =
        "{\"key\":\"X-1\",\"fields\":{\"created\":\"2025-01-06T09:00:00.000+0000\","
        "\"status\":{\"name\":\"Open\"},\"priority\":{\"name\":\"High\"}},"
        "\"changelog\":{\"histories\":[{\"created\":\"2025-01-06T10:00:00.000+0000\","
        "\"items\":[{\"field\":\"status\",\"fromString\":\"Open\",\"toString\":\"Done\"}]}]}}";
    STEP(t, cm_sla_import(CM_SLA_IMPORT_JIRA_ISSUE, json, sizeof json - 1, NULL, a, &t, NULL));
done:
    cm_sla_ticket_free(t);
    return st;
}

typedef struct scenario {
    const char *name;
    cm_status (*run)(const cm_allocator *a);
} scenario;

static const scenario scenarios[] = {
    {"cm_tz_fixed_with_allocator", tz_fixed},
    {"cm_tz_from_posix_with_allocator", tz_posix},
    {"cm_tz_load_with_allocator", tz_load},
    {"cm_tz_from_tzif_with_allocator", tz_tzif},
    {"cm_tz_cache_new, cm_tz_cache_load, a calendar through the cache", tz_cache},
    {"cm_calendar_parse_with_allocator", calendar_parse},
    {"cm_calendar_builder_new_with_allocator, every entry, build", calendar_builder},
    {"cm_sla_policy_new_with_allocator", sla_policy_new},
    {"cm_sla_policy_parse_with_allocator", sla_policy_parse},
    {"cm_csv_map_parse (with input-tz), cm_csv_reader_new", csv_map_and_reader},
    {"cm_table_report_new", table_report},
    {"cm_qa_rubric_parse", qa_rubric_parse},
    {"cm_qa_rubric_new", qa_rubric_new},
    {"cm_topk_new, cm_topk_deserialize", topk},
    {"cm_backlog_new, cm_backlog_deserialize", backlog},
    {"cm_sla_policyset_parse, cm_sla_breakdown_new", sla_policyset_and_breakdown},
    {"cm_calendar_history_parse", calendar_history_parse},
    {"cm_sla_import", sla_import},
};

START_TEST(every_allocation_fails_in_turn)
{
    const scenario *sc = &scenarios[_i];
    failing f = {0, -1, 0, 0};
    const cm_allocator a = {failing_alloc, failing_free, &f};
    ck_assert_msg(sc->run(&a) == CM_OK, "%s: failed without an injected failure", sc->name);
    ck_assert_msg(f.live == 0 && f.stray == 0, "%s: %ld blocks kept, %ld stray frees", sc->name,
                  f.live, f.stray);
    const long total = f.calls;
    ck_assert_msg(total > 0, "%s: nothing went through the allocator", sc->name);
    for (long k = 0; k < total; k++) {
        failing g = {0, k, 0, 0};
        const cm_allocator b = {failing_alloc, failing_free, &g};
        const cm_status st = sc->run(&b);
        ck_assert_msg(st == CM_ENOMEM, "%s: allocation %ld of %ld failed, got %s", sc->name, k + 1,
                      total, cm_status_name(st));
        /* A constructor may ask for its blocks together and check them after. */
        ck_assert_msg(g.calls > k && g.calls <= total,
                      "%s: %ld allocations with allocation %ld failing", sc->name, g.calls, k + 1);
        ck_assert_msg(g.live == 0 && g.stray == 0,
                      "%s: allocation %ld failed: %ld blocks kept, %ld stray frees", sc->name,
                      k + 1, g.live, g.stray);
    }
}
END_TEST

/* An allocator missing a function is refused before anything is allocated. */
START_TEST(incomplete_allocators)
{
    failing f = {0, -1, 0, 0};
    const cm_allocator no_free = {failing_alloc, NULL, &f};
    const cm_allocator no_alloc = {NULL, failing_free, &f};
    const cm_allocator *bad[] = {&no_free, &no_alloc};
    for (size_t i = 0; i < NELEM(bad); i++) {
        cm_sla_policy *p = SENTINEL;
        ck_assert_status(cm_sla_policy_new_with_allocator(NULL, 0, NULL, 0, bad[i], &p), CM_EINVAL);
        ck_assert_ptr_eq(p, SENTINEL);
        ck_assert_status(
            cm_sla_policy_parse_with_allocator("first-reply * 1h calendar\n", bad[i], &p, NULL),
            CM_EINVAL);
        ck_assert_ptr_eq(p, SENTINEL);
        cm_csv_map *m = SENTINEL;
        ck_assert_status(cm_csv_map_parse("", bad[i], &m, NULL), CM_EINVAL);
        ck_assert_ptr_eq(m, SENTINEL);
        cm_tz_cache *c = SENTINEL;
        ck_assert_status(cm_tz_cache_new(bad[i], &c), CM_EINVAL);
        ck_assert_ptr_eq(c, SENTINEL);
    }
    ck_assert_int_eq(f.calls, 0);
}
END_TEST

/* A policy made through an allocator gives the same answers as one made with malloc. */
START_TEST(policy_with_allocator_matches)
{
    failing f = {0, -1, 0, 0};
    const cm_allocator a = {failing_alloc, failing_free, &f};
    static const char text[] = "first-reply urgent,high 1h business\n"
                               "total-resolution * 3d calendar\n";
    cm_sla_policy *p = NULL, *q = NULL;
    ck_assert_status(cm_sla_policy_parse_with_allocator(text, &a, &p, NULL), CM_OK);
    ck_assert_status(cm_sla_policy_parse(text, &q, NULL), CM_OK);
    ck_assert_int_eq(f.live, 1);
    for (uint32_t m = 0; m < CM_SLA_METRIC_COUNT; m++) {
        for (uint32_t pr = 0; pr < CM_SLA_PRIORITY_COUNT; pr++) {
            cm_sla_target tp, tq;
            const cm_status sp = cm_sla_policy_target(p, m, pr, &tp);
            ck_assert_status(cm_sla_policy_target(q, m, pr, &tq), sp);
            if (sp == CM_OK)
                ck_assert_mem_eq(&tp, &tq, sizeof tp);
        }
    }
    cm_sla_policy_free(p);
    cm_sla_policy_free(q);
    ck_assert_int_eq(f.live, 0);
    ck_assert_int_eq(f.stray, 0);
}
END_TEST

static Suite *alloc_suite(void)
{
    Suite *s = suite_create("alloc");
    TCase *inject = tcase_create("inject");
    tcase_set_timeout(inject, 300);
    tcase_add_loop_test(inject, every_allocation_fails_in_turn, 0, (int)NELEM(scenarios));
    tcase_add_test(inject, incomplete_allocators);
    tcase_add_test(inject, policy_with_allocator_matches);
    suite_add_tcase(s, inject);
    return s;
}

int main(void)
{
    int st = run_suite(alloc_suite());
    free(tzif);
    return st;
}
