/*
 * Tests of caremetrics/contact.h.
 *
 * Expected values are hand counts written next to each case, and the ICMI
 * example of the six service-level definitions: 1000 answered, 860 within
 * 20 s, 60 abandoned of which 20 within 20 s and 10 under 5 s give 86.0 %,
 * 81.1 %, 82.7 %, 83.0 %, 82.1 % and 81.9 %. Every service level is a ratio
 * of two integer counts, so those are compared exactly with the division of
 * the hand counts; means of millisecond totals to 1e-15 relative (one
 * rounding in each of two divisions).
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/contact.h>
#include <caremetrics/kpi.h>

#include "testing.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The ICMI example as 1060 individual contacts (waits in seconds):
 *   answered:  860 after 10 s (within 20 s), 140 after 30 s
 *   abandoned: 10 after 3 s (short, within), 10 after 12 s (within), 40 after 45 s. */
static void icmi_contacts(double *wait, double *handle, uint8_t *gone)
{
    size_t k = 0;
    for (int i = 0; i < 860; i++, k++) {
        wait[k] = 10.0;
        handle[k] = 300.0;
        gone[k] = 0;
    }
    for (int i = 0; i < 140; i++, k++) {
        wait[k] = 30.0;
        handle[k] = 240.0;
        gone[k] = 0;
    }
    for (int i = 0; i < 60; i++, k++) {
        wait[k] = i < 10 ? 3.0 : i < 20 ? 12.0 : 45.0;
        handle[k] = 0.0;
        gone[k] = 1;
    }
}

#define ICMI_N 1060

/* Expected service levels of the ICMI example, as the hand counts' ratios. */
static const struct {
    cm_sl_variant variant;
    uint64_t num, den;
    int permille; /* the published percentage × 10 */
} icmi_expected[] = {
    {CM_SL_ANSWERED_ONLY, 860, 1000, 860},             /* 860 / 1000 */
    {CM_SL_ABANDONS_AGAINST, 860, 1060, 811},          /* 860 / (1000 + 60) */
    {CM_SL_ABANDONS_BEFORE_T_IGNORED, 860, 1040, 827}, /* 860 / (1060 − 20) */
    {CM_SL_ABANDONS_BEFORE_T_MET, 880, 1060, 830},     /* (860 + 20) / 1060 */
    {CM_SL_SHORT_ABANDONS_MET, 870, 1060, 821},        /* (860 + 10) / 1060 */
    {CM_SL_SHORT_ABANDONS_EXCLUDED, 860, 1050, 819},   /* 860 / (1060 − 10) */
};

START_TEST(icmi_six_variants)
{
    const int i = _i;
    static double wait[ICMI_N], handle[ICMI_N];
    static uint8_t gone[ICMI_N];
    icmi_contacts(wait, handle, gone);
    cm_contact c = {0}; /* T = 20 s, short abandons under 5 s */
    ck_assert_status(cm_contact_add_many(&c, wait, handle, gone, ICMI_N), CM_OK);
    ck_assert_uint_eq(c.offered, 1060);
    ck_assert_uint_eq(c.answered, 1000);
    ck_assert_uint_eq(c.answered_within, 860);
    ck_assert_uint_eq(c.abandoned, 60);
    ck_assert_uint_eq(c.abandoned_within, 20);
    ck_assert_uint_eq(c.abandoned_short, 10);
    uint64_t num, den;
    double sl;
    ck_assert_status(cm_contact_service_level_counts(&c, icmi_expected[i].variant, &num, &den),
                     CM_OK);
    ck_assert_uint_eq(num, icmi_expected[i].num);
    ck_assert_uint_eq(den, icmi_expected[i].den);
    ck_assert_status(cm_contact_service_level(&c, icmi_expected[i].variant, &sl), CM_OK);
    ck_assert_double_eq(sl, (double)icmi_expected[i].num / (double)icmi_expected[i].den);
    ck_assert_int_eq((int)lround(1000.0 * sl), icmi_expected[i].permille);
    /* The same counts typed in from an ACD report give the same answer. */
    cm_contact typed = {0};
    typed.offered = 1060;
    typed.answered = 1000;
    typed.answered_within = 860;
    typed.abandoned = 60;
    typed.abandoned_within = 20;
    typed.abandoned_short = 10;
    double sl2;
    ck_assert_status(cm_contact_service_level(&typed, icmi_expected[i].variant, &sl2), CM_OK);
    ck_assert_double_eq(sl2, sl);
    /* The counts feed cm_rate for an interval around the same value. */
    cm_proportion p;
    ck_assert_status(cm_rate(num, den, 0.95, &p), CM_OK);
    ck_assert_double_eq(p.value, sl);
    ck_assert(p.lo < sl && sl < p.hi);
}
END_TEST

START_TEST(icmi_other_kpis)
{
    static double wait[ICMI_N], handle[ICMI_N];
    static uint8_t gone[ICMI_N];
    icmi_contacts(wait, handle, gone);
    cm_contact c = {0};
    ck_assert_status(cm_contact_add_many(&c, wait, handle, gone, ICMI_N), CM_OK);
    double v;
    /* Hand: ASA = (860×10 + 140×30) / 1000 = 12.8 s; AHT = (860×300 + 140×240) / 1000 = 291.6 s;
     * time to abandon = (10×3 + 10×12 + 40×45) / 60 = 1950 / 60 = 32.5 s. */
    ck_assert_status(cm_contact_asa(&c, &v), CM_OK);
    ck_assert_rel(v, 12.8, 1e-15);
    ck_assert_status(cm_contact_aht(&c, &v), CM_OK);
    ck_assert_rel(v, 291.6, 1e-15);
    ck_assert_status(cm_contact_abandon_time(&c, &v), CM_OK);
    ck_assert_rel(v, 32.5, 1e-15);
    /* Abandonment 60 / 1060; without short abandons (60 − 10) / (1060 − 10) = 50 / 1050. */
    ck_assert_status(cm_contact_abandonment_rate(&c, false, &v), CM_OK);
    ck_assert_double_eq(v, 60.0 / 1060.0);
    ck_assert_status(cm_contact_abandonment_rate(&c, true, &v), CM_OK);
    ck_assert_double_eq(v, 50.0 / 1050.0);
    cm_proportion p;
    ck_assert_status(cm_abandonment_rate(c.offered, c.abandoned, c.abandoned_short, 0.95, &p),
                     CM_OK);
    ck_assert_double_eq(p.value, v);
    /* Occupancy: 291,600 s of handle time over 90 agents × 3600 s = 0.9. */
    ck_assert_status(cm_contact_occupancy(&c, 90.0 * 3600.0, &v), CM_OK);
    ck_assert_rel(v, 0.9, 1e-15);
}
END_TEST

START_TEST(thresholds_and_rounding)
{
    cm_contact c;
    ck_assert_status(cm_contact_init(&c, 20.0, 5.0), CM_OK);
    ck_assert_uint_eq(c.target_ms, 20000);
    ck_assert_uint_eq(c.short_abandon_ms, 5000);
    /* Waits are rounded to the millisecond, then compared: at most T is within,
     * strictly under the short threshold is short. */
    const double waits[] = {20.0, 20.0004, 20.0006, 4.999, 5.0, 4.9995, 0.0};
    const uint8_t gone[] = {1, 1, 1, 1, 1, 1, 0};
    ck_assert_status(cm_contact_add_many(&c, waits, NULL, gone, NELEM(waits)), CM_OK);
    /* within: 20.0, 20.0004 (-> 20000 ms), 4.999, 5.0, 4.9995 (-> 5000 ms); not 20.0006.
     * short: 4.999 only (4.9995 rounds to 5000 ms, not under 5000). */
    ck_assert_uint_eq(c.abandoned, 6);
    ck_assert_uint_eq(c.abandoned_within, 5);
    ck_assert_uint_eq(c.abandoned_short, 1);
    ck_assert_uint_eq(c.answered_within, 1);
    ck_assert_uint_eq(c.abandoned_wait_ms, 20000 + 20000 + 20001 + 4999 + 5000 + 5000);
    /* A zero short-abandon threshold makes no abandon short. */
    ck_assert_status(cm_contact_init(&c, 10.0, 0.0), CM_OK);
    ck_assert_status(cm_contact_add(&c, 0.0, 0.0, true), CM_OK);
    ck_assert_uint_eq(c.abandoned_short, 0);
    ck_assert_uint_eq(c.abandoned_within, 1);
    /* Sub-second thresholds (chat bots, IVR) and the largest one. */
    ck_assert_status(cm_contact_init(&c, 0.001, 0.0), CM_OK);
    ck_assert_uint_eq(c.target_ms, 1);
    ck_assert_status(
        cm_contact_init(&c, CM_CONTACT_MAX_THRESHOLD_SECONDS, CM_CONTACT_MAX_THRESHOLD_SECONDS),
        CM_OK);
    ck_assert_uint_eq(c.target_ms, UINT32_MAX);
    ck_assert_uint_eq(c.short_abandon_ms, UINT32_MAX);
    /* An answered contact's handle time counts; an abandoned one's does not. */
    cm_contact d = {0};
    ck_assert_status(cm_contact_add(&d, 1.5, 100.25, false), CM_OK);
    ck_assert_status(cm_contact_add(&d, 2.0, 999.0, true), CM_OK);
    ck_assert_uint_eq(d.handle_ms, 100250);
    ck_assert_uint_eq(d.answered_wait_ms, 1500);
    ck_assert_uint_eq(d.abandoned_wait_ms, 2000);
}
END_TEST

START_TEST(empty_and_undefined)
{
    cm_contact c = {0};
    double v;
    uint64_t num, den;
    poison(&v);
    for (int k = 0; k < CM_SL_VARIANT_COUNT; k++) {
        ck_assert_status(cm_contact_service_level(&c, (cm_sl_variant)k, &v), CM_ENODATA);
        ck_assert_status(cm_contact_service_level_counts(&c, (cm_sl_variant)k, &num, &den), CM_OK);
        ck_assert_uint_eq(num, 0);
        ck_assert_uint_eq(den, 0);
    }
    ck_assert_status(cm_contact_abandonment_rate(&c, false, &v), CM_ENODATA);
    ck_assert_status(cm_contact_asa(&c, &v), CM_ENODATA);
    ck_assert_status(cm_contact_aht(&c, &v), CM_ENODATA);
    ck_assert_status(cm_contact_abandon_time(&c, &v), CM_ENODATA);
    /* Only short abandons: nothing left once they are excluded. */
    ck_assert_status(cm_contact_add(&c, 1.0, 0.0, true), CM_OK);
    ck_assert_status(cm_contact_abandonment_rate(&c, true, &v), CM_ENODATA);
    ck_assert_status(cm_contact_service_level(&c, CM_SL_SHORT_ABANDONS_EXCLUDED, &v), CM_ENODATA);
    ck_assert_status(cm_contact_service_level(&c, CM_SL_ABANDONS_BEFORE_T_IGNORED, &v), CM_ENODATA);
    ck_assert_status(cm_contact_service_level(&c, CM_SL_ANSWERED_ONLY, &v), CM_ENODATA);
    ck_assert_untouched(&v);
    ck_assert_status(cm_contact_occupancy(&c, 3600.0, &v), CM_OK);
    ck_assert_double_eq(v, 0.0);
    ck_assert_status(cm_contact_service_level(&c, CM_SL_ABANDONS_BEFORE_T_MET, &v), CM_OK);
    ck_assert_double_eq(v, 1.0);
    ck_assert_status(cm_contact_service_level(&c, CM_SL_ABANDONS_AGAINST, &v), CM_OK);
    ck_assert_double_eq(v, 0.0);
}
END_TEST

START_TEST(other_outcomes_count_as_misses)
{
    /* Hand: 100 offered, 80 answered (70 within), 10 abandoned (4 within, 1 short),
     * 10 overflowed to another queue. Answered only 70/80; against offered 70/100;
     * before-T ignored 70/96; before-T met 74/100; short met 71/100; short excluded 70/99. */
    cm_contact c = {0};
    c.offered = 100;
    c.answered = 80;
    c.answered_within = 70;
    c.abandoned = 10;
    c.abandoned_within = 4;
    c.abandoned_short = 1;
    const double want[] = {70.0 / 80, 70.0 / 100, 70.0 / 96, 74.0 / 100, 71.0 / 100, 70.0 / 99};
    for (int k = 0; k < CM_SL_VARIANT_COUNT; k++) {
        double v;
        ck_assert_status(cm_contact_service_level(&c, (cm_sl_variant)k, &v), CM_OK);
        ck_assert_double_eq(v, want[k]);
    }
    double v;
    ck_assert_status(cm_contact_abandonment_rate(&c, false, &v), CM_OK);
    ck_assert_double_eq(v, 0.1);
}
END_TEST

/* ---- merge and serialization ---------------------------------------------- */

static void random_contacts(test_rng *r, size_t n, double *wait, double *handle, uint8_t *gone)
{
    for (size_t i = 0; i < n; i++) {
        wait[i] = rng_below(r, 8) == 0 ? (double)rng_below(r, 60) : 120.0 * rng_unit(r);
        handle[i] = 600.0 * rng_unit(r);
        gone[i] = rng_below(r, 6) == 0;
    }
}

START_TEST(merge_equals_single_pass)
{
    /* Shards merged in any order and grouping, directly or through their
     * serialized bytes, equal one pass over all contacts. */
    test_rng r = test_rng_make("merge_equals_single_pass");
    enum { N = 3000, SHARDS = 7 };
    static double wait[N], handle[N];
    static uint8_t gone[N];
    for (int round = 0; round < 30; round++) {
        random_contacts(&r, N, wait, handle, gone);
        cm_contact all;
        const double target = 1.0 + (double)rng_below(&r, 60);
        const double short_s = (double)rng_below(&r, (uint64_t)target + 1);
        ck_assert_status(cm_contact_init(&all, target, short_s), CM_OK);
        cm_contact shard[SHARDS];
        size_t cut[SHARDS + 1] = {0};
        for (int s = 1; s < SHARDS; s++)
            cut[s] = (size_t)rng_below(&r, N + 1);
        cut[SHARDS] = N;
        for (int s = 1; s < SHARDS; s++) /* insertion sort of the cut points */
            for (int t = s; t > 0 && cut[t] < cut[t - 1]; t--) {
                const size_t x = cut[t];
                cut[t] = cut[t - 1];
                cut[t - 1] = x;
            }
        for (int s = 0; s < SHARDS; s++) {
            shard[s] = all;
            ck_assert_status(cm_contact_add_many(&shard[s], wait + cut[s], handle + cut[s],
                                                 gone + cut[s], cut[s + 1] - cut[s]),
                             CM_OK);
        }
        cm_contact single = all;
        for (size_t i = 0; i < N; i++)
            ck_assert_status(cm_contact_add(&single, wait[i], handle[i], gone[i] != 0), CM_OK);
        ck_assert_status(cm_contact_add_many(&all, wait, handle, gone, N), CM_OK);
        ck_assert_mem_eq(&all, &single, sizeof all);
        /* Merge in a random order, half of the shards through bytes. */
        cm_contact merged;
        ck_assert_status(cm_contact_init(&merged, target, short_s), CM_OK);
        int order[SHARDS];
        for (int s = 0; s < SHARDS; s++)
            order[s] = s;
        for (int s = SHARDS - 1; s > 0; s--) {
            const int j = (int)rng_below(&r, (uint64_t)s + 1);
            const int x = order[s];
            order[s] = order[j];
            order[j] = x;
        }
        for (int s = 0; s < SHARDS; s++) {
            cm_contact part = shard[order[s]];
            if (s % 2 == 1) {
                uint8_t buf[CM_CONTACT_SERIALIZED_SIZE];
                size_t w;
                ck_assert_status(cm_contact_serialize(&part, buf, sizeof buf, &w), CM_OK);
                ck_assert_uint_eq(w, CM_CONTACT_SERIALIZED_SIZE);
                cm_contact back;
                ck_assert_status(cm_contact_deserialize(buf, w, &back), CM_OK);
                ck_assert_mem_eq(&back, &part, sizeof back);
                part = back;
            }
            ck_assert_status(cm_contact_merge(&merged, &part), CM_OK);
        }
        ck_assert_mem_eq(&merged, &all, sizeof all);
    }
}
END_TEST

START_TEST(merge_rules)
{
    cm_contact zero = {0}, explicit_default, other, self;
    ck_assert_status(cm_contact_init(&explicit_default, 20.0, 5.0), CM_OK);
    ck_assert_status(cm_contact_add(&explicit_default, 3.0, 60.0, false), CM_OK);
    /* The zero-initialised defaults and an explicit 20 s / 5 s are the same thresholds. */
    ck_assert_status(cm_contact_merge(&zero, &explicit_default), CM_OK);
    ck_assert_uint_eq(zero.answered, 1);
    ck_assert_uint_eq(zero.target_ms, 0); /* the receiver keeps its representation */
    /* Different thresholds do not merge. */
    ck_assert_status(cm_contact_init(&other, 30.0, 5.0), CM_OK);
    cm_contact before = zero;
    ck_assert_status(cm_contact_merge(&zero, &other), CM_EINVAL);
    ck_assert_mem_eq(&zero, &before, sizeof zero);
    /* Merging a counter into itself doubles it. */
    self = explicit_default;
    ck_assert_status(cm_contact_merge(&self, &self), CM_OK);
    ck_assert_uint_eq(self.answered, 2);
    ck_assert_uint_eq(self.handle_ms, 120000);
    /* Overflow leaves the receiver unchanged. */
    cm_contact big = {0};
    big.offered = UINT64_MAX;
    big.answered = UINT64_MAX;
    before = big;
    ck_assert_status(cm_contact_merge(&big, &explicit_default), CM_EOVERFLOW);
    ck_assert_mem_eq(&big, &before, sizeof big);
    ck_assert_status(cm_contact_add(&big, 1.0, 1.0, false), CM_EOVERFLOW);
    ck_assert_mem_eq(&big, &before, sizeof big);
    const double w[] = {1.0};
    const uint8_t g[] = {1};
    ck_assert_status(cm_contact_add_many(&big, w, NULL, g, 1), CM_EOVERFLOW);
    ck_assert_mem_eq(&big, &before, sizeof big);
    cm_contact total = {0};
    total.handle_ms = UINT64_MAX - 5;
    before = total;
    ck_assert_status(cm_contact_add(&total, 0.0, 0.006, false), CM_EOVERFLOW);
    ck_assert_mem_eq(&total, &before, sizeof total);
    ck_assert_status(cm_contact_add(&total, 0.0, 0.005, false), CM_OK);
    ck_assert_uint_eq(total.handle_ms, UINT64_MAX);
}
END_TEST

START_TEST(serialized_layout)
{
    /* Little-endian fields after the 4-byte frame header, CRC last. */
    cm_contact c;
    ck_assert_status(cm_contact_init(&c, 30.0, 2.5), CM_OK);
    c.offered = 0x0102030405060708u;
    c.answered = 7;
    c.answered_within = 6;
    c.abandoned = 5;
    c.abandoned_within = 4;
    c.abandoned_short = 3;
    c.answered_wait_ms = 2;
    c.abandoned_wait_ms = 1;
    c.handle_ms = 0xFFu;
    uint8_t buf[CM_CONTACT_SERIALIZED_SIZE];
    size_t w;
    ck_assert_status(cm_contact_serialize(&c, buf, sizeof buf, &w), CM_OK);
    ck_assert_uint_eq(w, 88);
    ck_assert_int_eq(buf[0], 'C');
    ck_assert_int_eq(buf[1], 'M');
    ck_assert_int_eq(buf[3], 1); /* format version */
    /* target 30000 = 0x7530, short 2500 = 0x09C4 */
    ck_assert_int_eq(buf[4], 0x30);
    ck_assert_int_eq(buf[5], 0x75);
    ck_assert_int_eq(buf[6], 0);
    ck_assert_int_eq(buf[8], 0xC4);
    ck_assert_int_eq(buf[9], 0x09);
    ck_assert_int_eq(buf[12], 0x08); /* offered, lowest byte first */
    ck_assert_int_eq(buf[19], 0x01);
    ck_assert_int_eq(buf[20], 7);    /* answered */
    ck_assert_int_eq(buf[76], 0xFF); /* handle_ms */
    cm_contact back;
    ck_assert_status(cm_contact_deserialize(buf, w, &back), CM_OK);
    ck_assert_mem_eq(&back, &c, sizeof c);
}
END_TEST

START_TEST(serialized_bytes_rejected_when_damaged)
{
    cm_contact c = {0}, out;
    ck_assert_status(cm_contact_add(&c, 3.0, 100.0, false), CM_OK);
    uint8_t buf[CM_CONTACT_SERIALIZED_SIZE], bad[CM_CONTACT_SERIALIZED_SIZE + 1];
    size_t w;
    ck_assert_status(cm_contact_serialize(&c, buf, sizeof buf, &w), CM_OK);
    poison(&out);
    for (size_t len = 0; len < w; len++)
        ck_assert_status(cm_contact_deserialize(buf, len, &out), CM_EPARSE);
    memcpy(bad, buf, w);
    bad[w] = 0;
    ck_assert_status(cm_contact_deserialize(bad, w + 1, &out), CM_EPARSE);
    for (size_t i = 0; i < w; i++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(bad, buf, w);
            bad[i] ^= (uint8_t)(1u << bit);
            ck_assert_status(cm_contact_deserialize(bad, w, &out), CM_EPARSE);
        }
    }
    ck_assert_status(cm_contact_deserialize(NULL, w, &out), CM_EINVAL);
    ck_assert_status(cm_contact_deserialize(buf, w, NULL), CM_EINVAL);
    ck_assert_untouched(&out);
    /* A counter whose counts contradict each other is not written. */
    cm_contact lie = {0};
    lie.offered = 1;
    lie.answered = 1;
    lie.answered_within = 2;
    ck_assert_status(cm_contact_serialize(&lie, buf, sizeof buf, &w), CM_EINVAL);
    /* ENOSPC reports the size needed and writes nothing else. */
    uint8_t small[CM_CONTACT_SERIALIZED_SIZE];
    memset(small, CM_POISON, sizeof small);
    size_t need = 0;
    ck_assert_status(cm_contact_serialize(&c, small, w - 1, &need), CM_ENOSPC);
    ck_assert_uint_eq(need, CM_CONTACT_SERIALIZED_SIZE);
    for (size_t i = 0; i < sizeof small; i++)
        ck_assert_int_eq(small[i], CM_POISON);
    ck_assert_status(cm_contact_serialize(&c, NULL, 128, &need), CM_EINVAL);
    ck_assert_status(cm_contact_serialize(&c, small, 128, NULL), CM_EINVAL);
    ck_assert_status(cm_contact_serialize(NULL, small, 128, &need), CM_EINVAL);
}
END_TEST

START_TEST(deserialize_rejects_inconsistent_counts)
{
    /* Valid frame and CRC, but the payload breaks an invariant: EPARSE. */
    cm_contact c = {0};
    c.offered = 3;
    c.answered = 2;
    c.answered_within = 1;
    uint8_t buf[CM_CONTACT_SERIALIZED_SIZE];
    size_t w;
    ck_assert_status(cm_contact_serialize(&c, buf, sizeof buf, &w), CM_OK);
    static const struct {
        size_t offset;
        uint8_t value;
    } breaks[] = {
        {8, 1},  /* target 0 (the defaults) with a short threshold */
        {20, 4}, /* answered 4 > offered 3 */
        {28, 3}, /* answered_within 3 > answered 2 */
        {44, 1}, /* abandoned_within 1 > abandoned 0 */
        {52, 1}, /* abandoned_short 1 > abandoned_within 0 */
    };
    for (size_t k = 0; k < NELEM(breaks); k++) {
        uint8_t b[CM_CONTACT_SERIALIZED_SIZE];
        memcpy(b, buf, w);
        b[breaks[k].offset] = breaks[k].value;
        const uint32_t crc = test_crc32(b, w - 4);
        for (int i = 0; i < 4; i++)
            b[w - 4 + (size_t)i] = (uint8_t)(crc >> (8 * i));
        cm_contact out;
        poison(&out);
        ck_assert_msg(cm_contact_deserialize(b, w, &out) == CM_EPARSE, "break %zu", k);
        ck_assert_untouched(&out);
    }
    /* The untouched bytes, re-framed the same way, still read back. */
    const uint32_t crc = test_crc32(buf, w - 4);
    ck_assert_uint_eq(crc, (uint32_t)buf[w - 4] | (uint32_t)buf[w - 3] << 8 |
                               (uint32_t)buf[w - 2] << 16 | (uint32_t)buf[w - 1] << 24);
}
END_TEST

/* ---- bad input -------------------------------------------------------------- */

START_TEST(bad_input)
{
    cm_contact c = {0}, before;
    double v;
    uint64_t num, den;
    poison(&v);
    poison(&num);
    poison(&den);
    /* init */
    cm_contact init_out;
    poison(&init_out);
    ck_assert_status(cm_contact_init(NULL, 20, 5), CM_EINVAL);
    ck_assert_status(cm_contact_init(&init_out, D_NAN, 5), CM_EINVAL);
    ck_assert_status(cm_contact_init(&init_out, 20, D_INF), CM_EINVAL);
    ck_assert_status(cm_contact_init(&init_out, -20, 5), CM_EINVAL);
    ck_assert_status(cm_contact_init(&init_out, 20, -5), CM_EINVAL);
    ck_assert_status(cm_contact_init(&init_out, 0.0004, 0), CM_ERANGE);
    ck_assert_status(cm_contact_init(&init_out, 5, 6), CM_ERANGE);
    ck_assert_status(cm_contact_init(&init_out, 5e6, 5), CM_ERANGE);
    ck_assert_untouched(&init_out);
    /* add / add_many */
    ck_assert_status(cm_contact_add(&c, 1, 1, false), CM_OK);
    before = c;
    ck_assert_status(cm_contact_add(NULL, 1, 1, false), CM_EINVAL);
    const double bad[] = {-1.0, -1e-300, D_NAN, D_INF, -D_INF};
    for (size_t i = 0; i < NELEM(bad); i++) {
        ck_assert_status(cm_contact_add(&c, bad[i], 1, false), CM_EINVAL);
        ck_assert_status(cm_contact_add(&c, 1, bad[i], true), CM_EINVAL);
    }
    ck_assert_status(cm_contact_add(&c, 1e17, 1, false), CM_EOVERFLOW);
    ck_assert_status(cm_contact_add(&c, 1, 1e17, false), CM_EOVERFLOW);
    const double w2[] = {1, 2}, h2[] = {10, 20}, wbad[] = {1, D_NAN}, hbad[] = {10, -1};
    const uint8_t g2[] = {0, 1};
    ck_assert_status(cm_contact_add_many(NULL, w2, h2, g2, 2), CM_EINVAL);
    ck_assert_status(cm_contact_add_many(&c, NULL, h2, g2, 2), CM_EINVAL);
    ck_assert_status(cm_contact_add_many(&c, w2, h2, NULL, 2), CM_EINVAL);
    ck_assert_status(cm_contact_add_many(&c, wbad, h2, g2, 2), CM_EINVAL);
    ck_assert_status(cm_contact_add_many(&c, w2, hbad, g2, 2), CM_EINVAL);
    ck_assert_mem_eq(&c, &before, sizeof c);
    ck_assert_status(cm_contact_add_many(&c, NULL, NULL, NULL, 0), CM_OK);
    ck_assert_mem_eq(&c, &before, sizeof c);
    /* Invalid thresholds in the struct. */
    cm_contact odd = {0};
    odd.short_abandon_ms = 5; /* with target 0 */
    ck_assert_status(cm_contact_add(&odd, 1, 1, false), CM_EINVAL);
    ck_assert_status(cm_contact_add_many(&odd, w2, h2, g2, 2), CM_EINVAL);
    ck_assert_status(cm_contact_merge(&c, &odd), CM_EINVAL);
    ck_assert_status(cm_contact_merge(&odd, &c), CM_EINVAL);
    cm_contact wide = {0};
    wide.target_ms = 10;
    wide.short_abandon_ms = 11;
    ck_assert_status(cm_contact_add(&wide, 1, 1, false), CM_EINVAL);
    /* merge */
    ck_assert_status(cm_contact_merge(NULL, &c), CM_EINVAL);
    ck_assert_status(cm_contact_merge(&c, NULL), CM_EINVAL);
    /* results */
    ck_assert_status(cm_contact_service_level(NULL, CM_SL_ANSWERED_ONLY, &v), CM_EINVAL);
    ck_assert_status(cm_contact_service_level(&c, CM_SL_ANSWERED_ONLY, NULL), CM_EINVAL);
    ck_assert_status(cm_contact_service_level(&c, (cm_sl_variant)6, &v), CM_EINVAL);
    ck_assert_status(cm_contact_service_level(&c, (cm_sl_variant)-1, &v), CM_EINVAL);
    ck_assert_status(cm_contact_service_level_counts(&c, (cm_sl_variant)99, &num, &den), CM_EINVAL);
    ck_assert_status(cm_contact_service_level_counts(NULL, CM_SL_ANSWERED_ONLY, &num, &den),
                     CM_EINVAL);
    ck_assert_status(cm_contact_service_level_counts(&c, CM_SL_ANSWERED_ONLY, NULL, &den),
                     CM_EINVAL);
    ck_assert_status(cm_contact_service_level_counts(&c, CM_SL_ANSWERED_ONLY, &num, NULL),
                     CM_EINVAL);
    ck_assert_status(cm_contact_abandonment_rate(NULL, false, &v), CM_EINVAL);
    ck_assert_status(cm_contact_abandonment_rate(&c, false, NULL), CM_EINVAL);
    ck_assert_status(cm_contact_asa(NULL, &v), CM_EINVAL);
    ck_assert_status(cm_contact_asa(&c, NULL), CM_EINVAL);
    ck_assert_status(cm_contact_aht(NULL, &v), CM_EINVAL);
    ck_assert_status(cm_contact_aht(&c, NULL), CM_EINVAL);
    ck_assert_status(cm_contact_abandon_time(NULL, &v), CM_EINVAL);
    ck_assert_status(cm_contact_abandon_time(&c, NULL), CM_EINVAL);
    ck_assert_status(cm_contact_occupancy(NULL, 10, &v), CM_EINVAL);
    ck_assert_status(cm_contact_occupancy(&c, 10, NULL), CM_EINVAL);
    const double bad_staffed[] = {0.0, -1.0, D_NAN, D_INF};
    for (size_t i = 0; i < NELEM(bad_staffed); i++)
        ck_assert_status(cm_contact_occupancy(&c, bad_staffed[i], &v), CM_EINVAL);
    ck_assert_status(cm_contact_occupancy(&c, 0.5, &v), CM_ERANGE); /* 1 s of handle in 0.5 s */
    /* Inconsistent counts typed in by hand: every result function refuses them. */
    const struct {
        uint64_t offered, answered, answered_within, abandoned, abandoned_within, abandoned_short;
    } lies[] = {
        {1, 2, 0, 0, 0, 0},                   /* answered > offered */
        {3, 2, 0, 2, 0, 0},                   /* answered + abandoned > offered */
        {3, 1, 2, 0, 0, 0},                   /* answered_within > answered */
        {3, 0, 0, 1, 2, 0},                   /* abandoned_within > abandoned */
        {3, 0, 0, 2, 1, 2},                   /* abandoned_short > abandoned_within */
        {UINT64_MAX, UINT64_MAX, 0, 1, 0, 0}, /* the sum overflows */
    };
    for (size_t i = 0; i < NELEM(lies); i++) {
        cm_contact l = {0};
        l.offered = lies[i].offered;
        l.answered = lies[i].answered;
        l.answered_within = lies[i].answered_within;
        l.abandoned = lies[i].abandoned;
        l.abandoned_within = lies[i].abandoned_within;
        l.abandoned_short = lies[i].abandoned_short;
        l.handle_ms = 1000;
        for (int k = 0; k < CM_SL_VARIANT_COUNT; k++) {
            ck_assert_status(cm_contact_service_level(&l, (cm_sl_variant)k, &v), CM_EINVAL);
            ck_assert_status(cm_contact_service_level_counts(&l, (cm_sl_variant)k, &num, &den),
                             CM_EINVAL);
        }
        ck_assert_status(cm_contact_abandonment_rate(&l, true, &v), CM_EINVAL);
        ck_assert_status(cm_contact_asa(&l, &v), CM_EINVAL);
        ck_assert_status(cm_contact_aht(&l, &v), CM_EINVAL);
        ck_assert_status(cm_contact_abandon_time(&l, &v), CM_EINVAL);
        ck_assert_status(cm_contact_occupancy(&l, 3600, &v), CM_EINVAL);
        uint8_t buf[CM_CONTACT_SERIALIZED_SIZE];
        size_t w = 0;
        ck_assert_status(cm_contact_serialize(&l, buf, sizeof buf, &w), CM_EINVAL);
    }
    ck_assert_status(cm_contact_service_level(&odd, CM_SL_ANSWERED_ONLY, &v), CM_EINVAL);
    ck_assert_untouched(&v);
    ck_assert_untouched(&num);
    ck_assert_untouched(&den);
}
END_TEST

START_TEST(abi_queries)
{
    ck_assert_uint_eq(cm_contact_sizeof("cm_contact"), sizeof(cm_contact));
    ck_assert_uint_eq(sizeof(cm_contact), 80);
    ck_assert_uint_eq(cm_contact_sizeof("cm_nothing"), 0);
    ck_assert_uint_eq(cm_contact_sizeof(NULL), 0);
    static const struct {
        const char *name;
        double value;
    } macros[] = {
        {"CM_CONTACT_DEFAULT_TARGET_SECONDS", CM_CONTACT_DEFAULT_TARGET_SECONDS},
        {"CM_CONTACT_DEFAULT_SHORT_ABANDON_SECONDS", CM_CONTACT_DEFAULT_SHORT_ABANDON_SECONDS},
        {"CM_CONTACT_MAX_THRESHOLD_SECONDS", CM_CONTACT_MAX_THRESHOLD_SECONDS},
        {"CM_CONTACT_SERIALIZED_SIZE", CM_CONTACT_SERIALIZED_SIZE},
        {"CM_SL_VARIANT_COUNT", CM_SL_VARIANT_COUNT},
    };
    double v;
    for (size_t i = 0; i < NELEM(macros); i++) {
        ck_assert_status(cm_contact_constant(macros[i].name, &v), CM_OK);
        ck_assert_double_eq(v, macros[i].value);
    }
    poison(&v);
    ck_assert_status(cm_contact_constant("CM_NOTHING", &v), CM_ENOTFOUND);
    ck_assert_status(cm_contact_constant(NULL, &v), CM_EINVAL);
    ck_assert_status(cm_contact_constant("CM_SL_VARIANT_COUNT", NULL), CM_EINVAL);
    ck_assert_untouched(&v);
}
END_TEST

static Suite *contact_suite(void)
{
    Suite *s = suite_create("contact");
    TCase *tc = tcase_create("kpis");
    tcase_add_loop_test(tc, icmi_six_variants, 0, (int)NELEM(icmi_expected));
    tcase_add_test(tc, icmi_other_kpis);
    tcase_add_test(tc, thresholds_and_rounding);
    tcase_add_test(tc, empty_and_undefined);
    tcase_add_test(tc, other_outcomes_count_as_misses);
    suite_add_tcase(s, tc);

    tc = tcase_create("merge");
    tcase_add_test(tc, merge_equals_single_pass);
    tcase_add_test(tc, merge_rules);
    tcase_add_test(tc, serialized_layout);
    tcase_add_test(tc, serialized_bytes_rejected_when_damaged);
    tcase_add_test(tc, deserialize_rejects_inconsistent_counts);
    suite_add_tcase(s, tc);

    tc = tcase_create("bad_input");
    tcase_add_test(tc, bad_input);
    tcase_add_test(tc, abi_queries);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(contact_suite());
}
