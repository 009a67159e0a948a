/*
 * Agreement between graders: Krippendorff's alpha (nominal, ordinal,
 * interval, ratio; missing ratings allowed), the six intraclass correlations
 * of Shrout & Fleiss (1979), and each grader's deviation from the others.
 *
 * References reproduced by tests/test-qa.c:
 *  - K. Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011),
 *    the 4 observers x 12 units example with missing data: nominal .743,
 *    ordinal .815, interval .849, ratio .797;
 *  - P. E. Shrout & J. L. Fleiss, "Intraclass correlations: uses in assessing
 *    rater reliability", Psychological Bulletin 86 (1979), the 6 targets x 4
 *    judges example: .17, .29, .71, .44, .62, .91.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/qa.h>

#include <math.h>
#include <string.h>

#include "common-internal.h"

/* ---------------------------------------------------------------------- */
/* Input checks shared by the three statistics                            */
/* ---------------------------------------------------------------------- */

static bool is_present(const uint8_t *present, size_t k)
{
    return present == NULL || present[k] != 0;
}

/* Every present rating is finite; counts pairable units and values. */
static cm_status check_matrix(const double *ratings, const uint8_t *present, size_t units,
                              size_t raters, uint64_t *pairable_units, uint64_t *pairable_values)
{
    uint64_t pu = 0, pv = 0;
    for (size_t u = 0; u < units; u++) {
        size_t m = 0;
        for (size_t r = 0; r < raters; r++) {
            const size_t k = u * raters + r;
            if (!is_present(present, k))
                continue;
            CM_REQUIRE(isfinite(ratings[k]), CM_EINVAL);
            m++;
        }
        if (m >= 2) {
            pu++;
            pv += m;
        }
    }
    *pairable_units = pu;
    *pairable_values = pv;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Krippendorff's alpha                                                   */
/* ---------------------------------------------------------------------- */

size_t cm_qa_alpha_scratch_size(size_t units, size_t raters)
{
    size_t cells, need;
    if (__builtin_mul_overflow(units, raters, &cells) || __builtin_mul_overflow(cells, 4, &need))
        return SIZE_MAX;
    return need;
}

/* In-place heapsort of doubles (no recursion, O(n log n) on any input). */
static void sift_down(double *a, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && a[child + 1] > a[child])
            child++;
        if (!(a[child] > a[root]))
            return;
        const double t = a[root];
        a[root] = a[child];
        a[child] = t;
        root = child;
    }
}

static void heapsort_doubles(double *a, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down(a, i, n);
    for (size_t end = n; end-- > 1;) {
        const double t = a[0];
        a[0] = a[end];
        a[end] = t;
        sift_down(a, 0, end);
    }
}

/* Index of x among the sorted distinct values (x is one of them). */
static size_t value_index(const double *vals, size_t nv, double x)
{
    size_t lo = 0, hi = nv;
    while (hi - lo > 1) {
        const size_t mid = lo + (hi - lo) / 2;
        if (vals[mid] <= x)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Squared ratio difference ((a - b) / (a + b))^2 of two non-negative values; 0 for 0, 0. */
static double ratio_delta2(double a, double b)
{
    const double s = a + b;
    if (s == 0.0)
        return 0.0;
    const double d = (a - b) / s;
    return d * d;
}

/* The distinct pairable values, their counts, and the key each is measured by. */
typedef struct alpha_values {
    const double *vals; /* sorted distinct values */
    const double *cnt;  /* n_c */
    const double *key;  /* interval and ratio: the value; ordinal: its mid-rank */
    size_t nv;
    double n; /* pairable values */
} alpha_values;

/*
 * Expected disagreement. Interval and ordinal metrics are squared
 * differences of a key (the value, or Krippendorff's ordinal distance, which
 * equals the difference of the mid-ranks p_c = sum_{g<c} n_g + n_c / 2), so
 * sum_c sum_k n_c n_k (y_c - y_k)^2 = 2 n sum_c n_c (y_c - ybar)^2 in O(V);
 * nominal is n^2 - sum_c n_c^2; ratio has no such form and takes O(V^2).
 */
static double alpha_expected(const alpha_values *v, uint32_t level)
{
    double total = 0.0;
    if (level == CM_QA_NOMINAL) {
        double same = 0.0;
        for (size_t c = 0; c < v->nv; c++)
            same += v->cnt[c] * v->cnt[c];
        total = v->n * v->n - same;
    } else if (level == CM_QA_RATIO) {
        for (size_t c = 0; c < v->nv; c++) {
            for (size_t k = c + 1; k < v->nv; k++)
                total += 2.0 * v->cnt[c] * v->cnt[k] * ratio_delta2(v->vals[c], v->vals[k]);
        }
    } else {
        double mean = 0.0, ss = 0.0;
        for (size_t c = 0; c < v->nv; c++)
            mean += v->cnt[c] * v->key[c];
        mean /= v->n;
        for (size_t c = 0; c < v->nv; c++) {
            const double d = v->key[c] - mean;
            ss += v->cnt[c] * d * d;
        }
        total = 2.0 * v->n * ss;
    }
    return total / (v->n * (v->n - 1.0));
}

/* Sum over the ordered pairs i != j of one unit's ratings of delta^2, by level. */
static double unit_disagreement(const double *row, const uint8_t *mask, size_t raters,
                                const alpha_values *v, uint32_t level)
{
    if (level == CM_QA_INTERVAL || level == CM_QA_ORDINAL) {
        /* sum_{i != j} (y_i - y_j)^2 = 2 m sum_i (y_i - ybar)^2 */
        double m = 0.0, sum = 0.0;
        for (size_t r = 0; r < raters; r++) {
            if (!is_present(mask, r))
                continue;
            const double y =
                level == CM_QA_INTERVAL ? row[r] : v->key[value_index(v->vals, v->nv, row[r])];
            m += 1.0;
            sum += y;
        }
        const double mean = sum / m;
        double ss = 0.0;
        for (size_t r = 0; r < raters; r++) {
            if (!is_present(mask, r))
                continue;
            const double y =
                level == CM_QA_INTERVAL ? row[r] : v->key[value_index(v->vals, v->nv, row[r])];
            ss += (y - mean) * (y - mean);
        }
        return 2.0 * m * ss;
    }
    double total = 0.0;
    for (size_t i = 0; i < raters; i++) {
        if (!is_present(mask, i))
            continue;
        for (size_t j = i + 1; j < raters; j++) {
            if (!is_present(mask, j))
                continue;
            total += level == CM_QA_NOMINAL ? (row[i] != row[j] ? 2.0 : 0.0)
                                            : 2.0 * ratio_delta2(row[i], row[j]);
        }
    }
    return total;
}

cm_status cm_qa_alpha(const double *ratings, const uint8_t *present, size_t units, size_t raters,
                      uint32_t level, double *scratch, size_t scratch_len, cm_qa_alpha_result *out)
{
    size_t cells;
    CM_REQUIRE(out != NULL && scratch != NULL && (units == 0 || ratings != NULL), CM_EINVAL);
    CM_REQUIRE(raters >= 2 && level <= CM_QA_RATIO, CM_EINVAL);
    CM_REQUIRE(!__builtin_mul_overflow(units, raters, &cells), CM_EINVAL);
    uint64_t pu, pv;
    CM_TRY(check_matrix(ratings, present, units, raters, &pu, &pv));
    if (level == CM_QA_RATIO) {
        for (size_t k = 0; k < cells; k++)
            CM_REQUIRE(!is_present(present, k) || ratings[k] >= 0.0, CM_ERANGE);
    }
    CM_REQUIRE(scratch_len >= cm_qa_alpha_scratch_size(units, raters), CM_ENOSPC);
    CM_REQUIRE(pv > 0, CM_ENODATA);

    /* Pairable values, sorted; then the distinct ones with their counts. */
    const size_t n = (size_t)pv;
    double *sorted = scratch, *vals = scratch + n, *cnt = scratch + 2 * n, *key = scratch + 3 * n;
    size_t k = 0;
    for (size_t u = 0; u < units; u++) {
        size_t m = 0;
        for (size_t r = 0; r < raters; r++)
            m += is_present(present, u * raters + r);
        if (m < 2)
            continue;
        for (size_t r = 0; r < raters; r++) {
            if (is_present(present, u * raters + r))
                sorted[k++] = ratings[u * raters + r] + 0.0; /* -0 and 0 are one value */
        }
    }
    heapsort_doubles(sorted, n);
    size_t nv = 0;
    for (size_t i = 0; i < n; i++) {
        if (nv > 0 && sorted[i] == vals[nv - 1]) {
            cnt[nv - 1] += 1.0;
        } else {
            vals[nv] = sorted[i];
            cnt[nv] = 1.0;
            nv++;
        }
    }
    CM_REQUIRE(nv >= 2, CM_ENODATA);
    double below = 0.0;
    for (size_t c = 0; c < nv; c++) {
        key[c] = level == CM_QA_ORDINAL ? below + 0.5 * cnt[c] : vals[c];
        below += cnt[c];
    }
    const alpha_values v = {vals, cnt, key, nv, (double)n};

    /* Observed disagreement: each unit's pairs weighted by 1 / (m_u - 1). */
    double observed = 0.0;
    for (size_t u = 0; u < units; u++) {
        const double *row = ratings + u * raters;
        const uint8_t *mask = present != NULL ? present + u * raters : NULL;
        size_t m = 0;
        for (size_t r = 0; r < raters; r++)
            m += is_present(mask, r);
        if (m >= 2)
            observed += unit_disagreement(row, mask, raters, &v, level) / (double)(m - 1);
    }
    observed /= v.n;
    const double expected = alpha_expected(&v, level);
    CM_REQUIRE(expected > 0.0 && isfinite(expected) && isfinite(observed), CM_ENODATA);

    cm_qa_alpha_result res;
    memset(&res, 0, sizeof res);
    res.observed = observed;
    res.expected = expected;
    res.alpha = 1.0 - observed / expected;
    res.pairable_values = pv;
    res.pairable_units = pu;
    res.distinct_values = nv;
    *out = res;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Intraclass correlations                                                */
/* ---------------------------------------------------------------------- */

/*
 * Two-way ANOVA of a complete n x k matrix by deviations from means (two
 * passes), so the sums of squares keep their digits when the ratings sit far
 * from zero: SST about the grand mean, SSR from the row means, SSC from the
 * column means, SSW = sum of squares within rows, SSE = SSW - SSC.
 */
cm_status cm_qa_icc(const double *ratings, size_t targets, size_t raters, cm_qa_icc_result *out)
{
    size_t cells;
    CM_REQUIRE(out != NULL && (targets == 0 || ratings != NULL), CM_EINVAL);
    CM_REQUIRE(raters >= 2, CM_EINVAL);
    CM_REQUIRE(!__builtin_mul_overflow(targets, raters, &cells), CM_EINVAL);
    for (size_t i = 0; i < cells; i++)
        CM_REQUIRE(isfinite(ratings[i]), CM_EINVAL);
    CM_REQUIRE(targets >= 2, CM_ENODATA);

    const double n = (double)targets, k = (double)raters;
    double grand = 0.0;
    for (size_t i = 0; i < cells; i++)
        grand += ratings[i];
    grand /= n * k;
    double ssr = 0.0, ssw = 0.0;
    for (size_t t = 0; t < targets; t++) {
        const double *row = ratings + t * raters;
        double mean = 0.0;
        for (size_t r = 0; r < raters; r++)
            mean += row[r];
        mean /= k;
        ssr += (mean - grand) * (mean - grand);
        for (size_t r = 0; r < raters; r++)
            ssw += (row[r] - mean) * (row[r] - mean);
    }
    ssr *= k;
    double ssc = 0.0;
    for (size_t r = 0; r < raters; r++) {
        double mean = 0.0;
        for (size_t t = 0; t < targets; t++)
            mean += ratings[t * raters + r];
        mean /= n;
        ssc += (mean - grand) * (mean - grand);
    }
    ssc *= n;
    CM_REQUIRE(isfinite(grand) && isfinite(ssr) && isfinite(ssw) && isfinite(ssc), CM_EOVERFLOW);
    const double sse = fmax(0.0, ssw - ssc);

    cm_qa_icc_result res;
    memset(&res, 0, sizeof res);
    res.bms = ssr / (n - 1.0);
    res.wms = ssw / (n * (k - 1.0));
    res.jms = ssc / (k - 1.0);
    res.ems = sse / ((n - 1.0) * (k - 1.0));
    res.targets = targets;
    res.raters = raters;
    const double d1 = res.bms + (k - 1.0) * res.wms;
    const double d2 = res.bms + (k - 1.0) * res.ems + k * (res.jms - res.ems) / n;
    const double d3 = res.bms + (k - 1.0) * res.ems;
    const double d2k = res.bms + (res.jms - res.ems) / n;
    CM_REQUIRE(res.bms > 0.0 && d1 > 0.0 && d2 > 0.0 && d3 > 0.0 && d2k > 0.0, CM_ENODATA);
    res.icc1 = (res.bms - res.wms) / d1;
    res.icc2 = (res.bms - res.ems) / d2;
    res.icc3 = (res.bms - res.ems) / d3;
    res.icc1k = (res.bms - res.wms) / res.bms;
    res.icc2k = (res.bms - res.ems) / d2k;
    res.icc3k = (res.bms - res.ems) / res.bms;
    *out = res;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Each grader against the others                                         */
/* ---------------------------------------------------------------------- */

cm_status cm_qa_grader_deviation(const double *ratings, const uint8_t *present, size_t units,
                                 size_t raters, cm_qa_deviation *out)
{
    size_t cells;
    CM_REQUIRE(out != NULL && (units == 0 || ratings != NULL), CM_EINVAL);
    CM_REQUIRE(raters >= 2, CM_EINVAL);
    CM_REQUIRE(!__builtin_mul_overflow(units, raters, &cells), CM_EINVAL);
    uint64_t pu, pv;
    CM_TRY(check_matrix(ratings, present, units, raters, &pu, &pv));
    CM_REQUIRE(pu > 0, CM_ENODATA);

    for (size_t r = 0; r < raters; r++) {
        out[r].n = 0;
        out[r].mean = 0.0;
        out[r].mean_abs = 0.0;
    }
    for (size_t u = 0; u < units; u++) {
        const double *row = ratings + u * raters;
        const uint8_t *mask = present != NULL ? present + u * raters : NULL;
        double m = 0.0, sum = 0.0;
        for (size_t r = 0; r < raters; r++) {
            if (is_present(mask, r)) {
                m += 1.0;
                sum += row[r];
            }
        }
        if (m < 2.0)
            continue;
        for (size_t r = 0; r < raters; r++) {
            if (!is_present(mask, r))
                continue;
            /* The others' mean, without this grader's own rating. */
            const double d = row[r] - (sum - row[r]) / (m - 1.0);
            out[r].n++;
            out[r].mean += d;
            out[r].mean_abs += fabs(d);
        }
    }
    for (size_t r = 0; r < raters; r++) {
        if (out[r].n > 0) {
            out[r].mean /= (double)out[r].n;
            out[r].mean_abs /= (double)out[r].n;
        }
    }
    return CM_OK;
}
