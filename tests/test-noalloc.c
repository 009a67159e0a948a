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

/* Objects created before the counting window (constructors may allocate). */
static cm_sla_policy *sla_policy;

static void setup(void)
{
    EXPECT(cm_sla_policy_parse("first-reply * 1h calendar\n* reopen new-cycle\n", &sla_policy,
                               NULL) == CM_OK);
}

static void teardown(void)
{
    cm_sla_policy_free(sla_policy);
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
    cm_sla_attainment acc, acc2;
    memset(&acc, 0, sizeof acc);
    memset(&acc2, 0, sizeof acc2);
    cm_sla_attainment_summary s;
    static uint8_t bytes[CM_SLA_ATTAINMENT_SERIALIZED_SIZE];
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

/* Every compute function of every module, called with valid and invalid input. */
static void exercise(void)
{
    exercise_sla();

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

    cm_time t;
    cm_civil c;
    char text[CM_TIME_FORMAT_SIZE];
    EXPECT(cm_time_parse("2025-03-09T07:00:00Z", 20, &t) == CM_OK);
    EXPECT(cm_time_to_civil(t, &c) == CM_OK);
    EXPECT(cm_time_from_civil(&c, &t) == CM_OK);
    EXPECT(cm_time_format(t, text, sizeof text) == CM_OK);
    EXPECT(cm_strerror(CM_EINVAL) != NULL && cm_status_name(CM_EINVAL) != NULL);
    EXPECT(cm_version() == CM_VERSION_NUMBER);
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

    setup();
    exercise(); /* once outside the window: lazy symbol binding may allocate */
    counting = 1;
    exercise();
    counting = 0;
    teardown();
    if (allocations != 0) {
        fprintf(stderr, "the library allocated %lu times in compute functions\n", allocations);
        return 1;
    }
    if (failures != 0)
        return 1;
    printf("no allocation in any compute function\n");
    return 0;
}
