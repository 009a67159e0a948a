/*
 * QA rubrics, scoring of evaluations, score accumulators and below-threshold
 * alerts. The scoring rules are written out with examples in docs/qa.md;
 * the text form of rubrics is parsed in qa-parse.c and the agreement
 * statistics live in qa-agreement.c.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/qa.h>

#include <math.h>
#include <string.h>

#include "common-internal.h"
#include "qa-internal.h"
#include "serial-internal.h"
#include "u128-internal.h"

/* Format version of a serialized cm_qa_acc. */
#define QA_ACC_SERIAL_VERSION 1

/* Scores are recorded in micro-points: 100 points = 10^8. */
#define MICRO        1e6
#define MICRO_MAX    100000000u
#define ALL_OUTCOMES ((uint32_t)(CM_QA_PASSED | CM_QA_CRITICAL_FAILED))

/* pi and sqrt(2) to double precision (M_PI is not C11). */
#define QA_PI    3.14159265358979323846
#define QA_SQRT2 1.41421356237309504880

/* ---------------------------------------------------------------------- */
/* Building rubrics                                                       */
/* ---------------------------------------------------------------------- */

bool cm__qa_name_byte(unsigned char c)
{
    /* Printable ASCII except space and '#', and any byte of a UTF-8 sequence. */
    return (c > ' ' && c < 0x7f && c != '#') || c >= 0x80;
}

/* Length of a valid name, or 0 when it is empty, too long or holds a forbidden byte. */
static size_t name_length(const char *name)
{
    size_t n = 0;
    while (name[n] != '\0') {
        if (n == CM_QA_NAME_MAX || !cm__qa_name_byte((unsigned char)name[n]))
            return 0;
        n++;
    }
    return n;
}

static cm_status problem_at(cm__qa_problem *p, cm__qa_where where, size_t index, const char *msg,
                            cm_status st)
{
    if (p != NULL) {
        p->where = where;
        p->index = index;
        p->message = msg;
    }
    return st;
}

/* Checks the sections and items; counts what the rubric needs. */
static cm_status check_rubric(const cm_qa_section *sections, size_t nsections,
                              const cm_qa_item *items, size_t nitems, double pass_score,
                              cm__qa_problem *p)
{
    if (nsections == 0 || nsections > CM_QA_MAX_SECTIONS)
        return problem_at(p, CM__QA_AT_RUBRIC, 0, "a rubric needs 1 to 64 sections", CM_ERANGE);
    if (nitems == 0 || nitems > CM_QA_MAX_ITEMS)
        return problem_at(p, CM__QA_AT_RUBRIC, 0, "a rubric needs 1 to 1024 items", CM_ERANGE);
    if (!isfinite(pass_score))
        return problem_at(p, CM__QA_AT_RUBRIC, 0, "the pass mark is not a finite number",
                          CM_EINVAL);
    if (pass_score < 0.0 || pass_score > 100.0)
        return problem_at(p, CM__QA_AT_RUBRIC, 0, "the pass mark is outside 0..100", CM_ERANGE);
    uint32_t items_in[CM_QA_MAX_SECTIONS] = {0};
    double total = 0.0;
    for (size_t s = 0; s < nsections; s++) {
        const cm_qa_section *sec = &sections[s];
        if (sec->name == NULL || name_length(sec->name) == 0)
            return problem_at(p, CM__QA_AT_SECTION, s, "invalid section name", CM_EINVAL);
        for (size_t t = 0; t < s; t++) {
            if (strcmp(sections[t].name, sec->name) == 0)
                return problem_at(p, CM__QA_AT_SECTION, s, "duplicate section name", CM_EINVAL);
        }
        if (!isfinite(sec->weight) || sec->weight <= 0.0)
            return problem_at(p, CM__QA_AT_SECTION, s, "a section weight must be positive",
                              CM_EINVAL);
        total += sec->weight;
    }
    for (size_t i = 0; i < nitems; i++) {
        const cm_qa_item *it = &items[i];
        if (it->name == NULL || name_length(it->name) == 0)
            return problem_at(p, CM__QA_AT_ITEM, i, "invalid item name", CM_EINVAL);
        if (it->section >= nsections)
            return problem_at(p, CM__QA_AT_ITEM, i, "the item's section does not exist", CM_EINVAL);
        if (it->points == 0)
            return problem_at(p, CM__QA_AT_ITEM, i, "an item must be worth at least 1 point",
                              CM_EINVAL);
        if (it->points > CM_QA_MAX_POINTS)
            return problem_at(p, CM__QA_AT_ITEM, i, "an item may be worth at most 1000000 points",
                              CM_ERANGE);
        if ((it->flags & ~(uint32_t)(CM_QA_ITEM_CRITICAL | CM_QA_ITEM_NA_ALLOWED)) != 0 ||
            it->reserved != 0)
            return problem_at(p, CM__QA_AT_ITEM, i, "unknown item flags", CM_EINVAL);
        if ((it->flags & CM_QA_ITEM_CRITICAL) && (it->flags & CM_QA_ITEM_NA_ALLOWED))
            return problem_at(p, CM__QA_AT_ITEM, i, "a critical item cannot be N/A", CM_EINVAL);
        items_in[it->section]++;
    }
    /* Names are unique among items; n is at most 1024, so the quadratic check is cheap
     * next to allocating, and needs no memory. */
    for (size_t i = 1; i < nitems; i++) {
        for (size_t j = 0; j < i; j++) {
            if (strcmp(items[j].name, items[i].name) == 0)
                return problem_at(p, CM__QA_AT_ITEM, i, "duplicate item name", CM_EINVAL);
        }
    }
    for (size_t s = 0; s < nsections; s++) {
        if (items_in[s] == 0)
            return problem_at(p, CM__QA_AT_SECTION, s, "a section needs at least one item",
                              CM_EINVAL);
    }
    if (fabs(total - 100.0) > CM_QA_WEIGHT_TOLERANCE)
        return problem_at(p, CM__QA_AT_SECTION, nsections - 1,
                          "the section weights do not add up to 100", CM_EINVAL);
    return CM_OK;
}

cm_status cm__qa_rubric_build(const cm_qa_section *sections, size_t nsections,
                              const cm_qa_item *items, size_t nitems, double pass_score,
                              const cm_allocator *alloc, cm_qa_rubric **out,
                              cm__qa_problem *problem)
{
    CM_REQUIRE(out != NULL && cm__valid_allocator(alloc), CM_EINVAL);
    CM_REQUIRE((nsections == 0 || sections != NULL) && (nitems == 0 || items != NULL), CM_EINVAL);
    CM_TRY(check_rubric(sections, nsections, items, nitems, pass_score, problem));

    /* One block: the header, then the sections, then the items. */
    const size_t head = (sizeof(cm_qa_rubric) + 15u) & ~(size_t)15u;
    const size_t sec_bytes = nsections * sizeof(cm__qa_section);
    cm_qa_rubric *r = cm__alloc(alloc, head + sec_bytes + nitems * sizeof(cm__qa_item));
    CM_REQUIRE(r != NULL, CM_ENOMEM);
    memset(r, 0, sizeof *r);
    if (alloc != NULL) {
        r->alloc = *alloc;
        r->custom_alloc = true;
    }
    r->sections = (cm__qa_section *)(void *)((char *)r + head);
    r->items = (cm__qa_item *)(void *)((char *)r + head + sec_bytes);
    r->nsections = (uint32_t)nsections;
    r->nitems = (uint32_t)nitems;
    r->pass_score = pass_score;
    for (size_t s = 0; s < nsections; s++) {
        cm__qa_section *d = &r->sections[s];
        memset(d, 0, sizeof *d);
        memcpy(d->name, sections[s].name, strlen(sections[s].name) + 1);
        d->weight = sections[s].weight;
    }
    for (size_t i = 0; i < nitems; i++) {
        cm__qa_item *d = &r->items[i];
        memset(d, 0, sizeof *d);
        memcpy(d->name, items[i].name, strlen(items[i].name) + 1);
        d->section = items[i].section;
        d->points = items[i].points;
        d->flags = items[i].flags;
        r->sections[d->section].points += d->points;
        r->sections[d->section].items++;
        r->max_points += d->points;
        r->ncritical += (d->flags & CM_QA_ITEM_CRITICAL) != 0;
    }
    *out = r;
    return CM_OK;
}

cm_status cm_qa_rubric_new(const cm_qa_section *sections, size_t nsections, const cm_qa_item *items,
                           size_t nitems, double pass_score, const cm_allocator *alloc,
                           cm_qa_rubric **out)
{
    return cm__qa_rubric_build(sections, nsections, items, nitems, pass_score, alloc, out, NULL);
}

void cm_qa_rubric_free(cm_qa_rubric *rubric)
{
    if (rubric == NULL)
        return;
    const cm_allocator a = rubric->alloc;
    cm__free(rubric->custom_alloc ? &a : NULL, rubric);
}

cm_status cm_qa_rubric_info(const cm_qa_rubric *rubric, cm_qa_rubric_summary *out)
{
    CM_REQUIRE(rubric != NULL && out != NULL, CM_EINVAL);
    cm_qa_rubric_summary s;
    memset(&s, 0, sizeof s);
    s.sections = rubric->nsections;
    s.items = rubric->nitems;
    s.critical = rubric->ncritical;
    s.pass_score = rubric->pass_score;
    s.max_points = rubric->max_points;
    *out = s;
    return CM_OK;
}

cm_status cm_qa_rubric_section(const cm_qa_rubric *rubric, size_t index, cm_qa_section *out)
{
    CM_REQUIRE(rubric != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(index < rubric->nsections, CM_ERANGE);
    out->name = rubric->sections[index].name;
    out->weight = rubric->sections[index].weight;
    return CM_OK;
}

cm_status cm_qa_rubric_item(const cm_qa_rubric *rubric, size_t index, cm_qa_item *out)
{
    CM_REQUIRE(rubric != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(index < rubric->nitems, CM_ERANGE);
    const cm__qa_item *it = &rubric->items[index];
    cm_qa_item r = {it->name, it->section, it->points, it->flags, 0};
    *out = r;
    return CM_OK;
}

cm_status cm_qa_rubric_find_item(const cm_qa_rubric *rubric, const char *name, size_t *index)
{
    CM_REQUIRE(rubric != NULL && name != NULL && index != NULL, CM_EINVAL);
    for (uint32_t i = 0; i < rubric->nitems; i++) {
        if (strcmp(rubric->items[i].name, name) == 0) {
            *index = i;
            return CM_OK;
        }
    }
    return CM_ENOTFOUND;
}

/* ---------------------------------------------------------------------- */
/* Scoring                                                                */
/* ---------------------------------------------------------------------- */

/* Checks one evaluation's awards against the rubric. */
static cm_status check_awards(const cm_qa_rubric *r, const int32_t *awards)
{
    for (uint32_t i = 0; i < r->nitems; i++) {
        const int32_t a = awards[i];
        if (a == CM_QA_NA) {
            CM_REQUIRE(r->items[i].flags & CM_QA_ITEM_NA_ALLOWED, CM_EINVAL);
            continue;
        }
        CM_REQUIRE(a >= 0 && (uint32_t)a <= r->items[i].points, CM_ERANGE);
    }
    return CM_OK;
}

/*
 * Scores checked awards. Integer sums per section are exact; each section
 * score is one division, and the weighted mean one more pass over at most
 * 64 sections, renormalised over the sections that have applicable items.
 */
static cm_status score_checked(const cm_qa_rubric *r, const int32_t *awards, cm_qa_result *out,
                               double *section_scores)
{
    uint64_t got[CM_QA_MAX_SECTIONS] = {0}, possible[CM_QA_MAX_SECTIONS] = {0};
    cm_qa_result res;
    memset(&res, 0, sizeof res);
    for (uint32_t i = 0; i < r->nitems; i++) {
        const cm__qa_item *it = &r->items[i];
        if (awards[i] == CM_QA_NA) {
            res.na_items++;
            continue;
        }
        res.applicable_items++;
        got[it->section] += (uint64_t)awards[i];
        possible[it->section] += it->points;
        if ((it->flags & CM_QA_ITEM_CRITICAL) && (uint32_t)awards[i] < it->points)
            res.critical_failures++;
    }
    CM_REQUIRE(res.applicable_items > 0, CM_ENODATA);
    double weighted = 0.0, weights = 0.0;
    for (uint32_t s = 0; s < r->nsections; s++) {
        if (possible[s] == 0) {
            res.na_sections |= (uint64_t)1 << s;
            continue;
        }
        const double sec = 100.0 * (double)got[s] / (double)possible[s];
        weighted += r->sections[s].weight * sec;
        weights += r->sections[s].weight;
    }
    /* weights > 0: some section has an applicable item. The quotient of a
     * weighted mean of values in [0, 100] can round past 100 by an ulp. */
    res.raw_score = fmin(100.0, fmax(0.0, weighted / weights));
    if (res.critical_failures > 0) {
        res.score = 0.0;
        res.flags = CM_QA_CRITICAL_FAILED;
    } else {
        res.score = res.raw_score;
        res.flags = res.score >= r->pass_score ? CM_QA_PASSED : 0;
    }
    if (section_scores != NULL) {
        for (uint32_t s = 0; s < r->nsections; s++)
            section_scores[s] =
                possible[s] == 0 ? 0.0 : 100.0 * (double)got[s] / (double)possible[s];
    }
    *out = res;
    return CM_OK;
}

cm_status cm_qa_score(const cm_qa_rubric *rubric, const int32_t *awards, size_t n,
                      cm_qa_result *out, double *section_scores)
{
    CM_REQUIRE(rubric != NULL && awards != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(n == rubric->nitems, CM_EINVAL);
    CM_TRY(check_awards(rubric, awards));
    return score_checked(rubric, awards, out, section_scores);
}

cm_status cm_qa_score_named(const cm_qa_rubric *rubric, const char *const *names,
                            const int32_t *awards, size_t n, cm_qa_result *out)
{
    CM_REQUIRE(rubric != NULL && names != NULL && awards != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(n == rubric->nitems, CM_EINVAL);
    int32_t ordered[CM_QA_MAX_ITEMS];
    uint8_t seen[CM_QA_MAX_ITEMS] = {0};
    for (size_t k = 0; k < n; k++) {
        size_t i;
        CM_REQUIRE(names[k] != NULL, CM_EINVAL);
        CM_TRY(cm_qa_rubric_find_item(rubric, names[k], &i));
        CM_REQUIRE(!seen[i], CM_EINVAL);
        seen[i] = 1;
        ordered[i] = awards[k];
    }
    /* n names, none repeated, all found: every item is named exactly once. */
    CM_TRY(check_awards(rubric, ordered));
    return score_checked(rubric, ordered, out, NULL);
}

cm_status cm_qa_score_many(const cm_qa_rubric *rubric, const int32_t *awards, size_t nevals,
                           double *scores, uint8_t *flags)
{
    CM_REQUIRE(rubric != NULL, CM_EINVAL);
    CM_REQUIRE(nevals == 0 || (awards != NULL && scores != NULL && flags != NULL), CM_EINVAL);
    size_t total;
    CM_REQUIRE(!__builtin_mul_overflow(nevals, (size_t)rubric->nitems, &total), CM_EINVAL);
    /* Everything is checked before the first output is written. */
    for (size_t e = 0; e < nevals; e++) {
        const int32_t *row = awards + e * rubric->nitems;
        CM_TRY(check_awards(rubric, row));
        bool any = false;
        for (uint32_t i = 0; i < rubric->nitems && !any; i++)
            any = row[i] != CM_QA_NA;
        CM_REQUIRE(any, CM_ENODATA);
    }
    for (size_t e = 0; e < nevals; e++) {
        cm_qa_result res;
        const cm_status st = score_checked(rubric, awards + e * rubric->nitems, &res, NULL);
        if (st != CM_OK)
            return st; /* unreachable: the rows were checked above */
        scores[e] = res.score;
        flags[e] = (uint8_t)res.flags;
    }
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Accumulators                                                           */
/* ---------------------------------------------------------------------- */

/*
 * A valid accumulator is one some sequence of additions produces: the counts
 * fit in n, the extremes are ordered and on the scale, and the sums lie
 * between n times the smallest and n times the largest (squared) score.
 */
static bool acc_valid(const cm_qa_acc *a)
{
    if (a->n == 0)
        return a->passed == 0 && a->critical_failed == 0 && a->min_micro == 0 &&
               a->max_micro == 0 && a->sum[0] == 0 && a->sum[1] == 0 && a->sum_sq[0] == 0 &&
               a->sum_sq[1] == 0;
    if (a->passed > a->n || a->critical_failed > a->n - a->passed)
        return false;
    if (a->min_micro > a->max_micro || a->max_micro > MICRO_MAX)
        return false;
    const cm__u128 s = cm__u128_of(a->sum), q = cm__u128_of(a->sum_sq);
    return cm__u128_le(cm__u128_mul64(a->n, a->min_micro), s) &&
           cm__u128_le(s, cm__u128_mul64(a->n, a->max_micro)) &&
           cm__u128_le(cm__u128_mul64(a->n, a->min_micro * a->min_micro), q) &&
           cm__u128_le(q, cm__u128_mul64(a->n, a->max_micro * a->max_micro));
}

static cm_status check_score(double score, uint32_t flags)
{
    CM_REQUIRE(isfinite(score), CM_EINVAL);
    CM_REQUIRE((flags & ~ALL_OUTCOMES) == 0 && flags != ALL_OUTCOMES, CM_EINVAL);
    CM_REQUIRE(score >= 0.0 && score <= 100.0, CM_ERANGE);
    return CM_OK;
}

/* Adds one checked score to a copy; the caller commits it. */
static cm_status acc_push(cm_qa_acc *a, double score, uint32_t flags)
{
    CM_REQUIRE(a->n != UINT64_MAX, CM_EOVERFLOW);
    /* score * 1e6 <= 1e8: the rounding is exact enough and fits easily. */
    const uint64_t m = (uint64_t)(score * MICRO + 0.5);
    cm__u128 s = cm__u128_of(a->sum), q = cm__u128_of(a->sum_sq);
    /* The sums cannot overflow: n < 2^64 scores of at most 10^8 (10^16 squared). */
    (void)cm__u128_add(s, (cm__u128){m, 0}, &s);
    (void)cm__u128_add(q, (cm__u128){m * m, 0}, &q);
    cm__u128_store(s, a->sum);
    cm__u128_store(q, a->sum_sq);
    if (a->n == 0 || m < a->min_micro)
        a->min_micro = m;
    if (a->n == 0 || m > a->max_micro)
        a->max_micro = m;
    a->n++;
    a->passed += (flags & CM_QA_PASSED) != 0;
    a->critical_failed += (flags & CM_QA_CRITICAL_FAILED) != 0;
    return CM_OK;
}

cm_status cm_qa_acc_init(cm_qa_acc *acc)
{
    CM_REQUIRE(acc != NULL, CM_EINVAL);
    memset(acc, 0, sizeof *acc);
    return CM_OK;
}

cm_status cm_qa_acc_add(cm_qa_acc *acc, double score, uint32_t flags)
{
    CM_REQUIRE(acc != NULL && acc_valid(acc), CM_EINVAL);
    CM_TRY(check_score(score, flags));
    cm_qa_acc a = *acc;
    CM_TRY(acc_push(&a, score, flags));
    *acc = a;
    return CM_OK;
}

cm_status cm_qa_acc_add_result(cm_qa_acc *acc, const cm_qa_result *result)
{
    CM_REQUIRE(acc != NULL && result != NULL, CM_EINVAL);
    /* A critical failure scores 0 by definition. */
    CM_REQUIRE(!(result->flags & CM_QA_CRITICAL_FAILED) || result->score == 0.0, CM_EINVAL);
    return cm_qa_acc_add(acc, result->score, result->flags);
}

cm_status cm_qa_acc_add_many(cm_qa_acc *acc, const double *scores, const uint8_t *flags, size_t n)
{
    CM_REQUIRE(acc != NULL && acc_valid(acc), CM_EINVAL);
    CM_REQUIRE(n == 0 || (scores != NULL && flags != NULL), CM_EINVAL);
    cm_qa_acc a = *acc;
    for (size_t i = 0; i < n; i++) {
        CM_TRY(check_score(scores[i], flags[i]));
        CM_TRY(acc_push(&a, scores[i], flags[i]));
    }
    *acc = a;
    return CM_OK;
}

cm_status cm_qa_acc_merge(cm_qa_acc *acc, const cm_qa_acc *other)
{
    CM_REQUIRE(acc != NULL && other != NULL && acc_valid(acc) && acc_valid(other), CM_EINVAL);
    if (other->n == 0)
        return CM_OK;
    cm_qa_acc a = *acc;
    cm__u128 s = cm__u128_of(acc->sum), q = cm__u128_of(acc->sum_sq);
    CM_REQUIRE(!__builtin_add_overflow(a.n, other->n, &a.n) &&
                   cm__u128_add(cm__u128_of(acc->sum), cm__u128_of(other->sum), &s) &&
                   cm__u128_add(cm__u128_of(acc->sum_sq), cm__u128_of(other->sum_sq), &q),
               CM_EOVERFLOW);
    a.passed += other->passed; /* both <= their n, whose sum fits */
    a.critical_failed += other->critical_failed;
    cm__u128_store(s, a.sum);
    cm__u128_store(q, a.sum_sq);
    if (acc->n == 0 || other->min_micro < a.min_micro)
        a.min_micro = other->min_micro;
    if (acc->n == 0 || other->max_micro > a.max_micro)
        a.max_micro = other->max_micro;
    *acc = a;
    return CM_OK;
}

/*
 * P(|T| <= t) for Student's t with nu degrees of freedom (integer, >= 1), by
 * the finite series of Abramowitz & Stegun 26.7.3 (odd nu) and 26.7.4 (even
 * nu) in theta = atan(t / sqrt(nu)). The terms shrink monotonically, so the
 * sum stops once they no longer change it.
 */
static double t_central(double t, uint64_t nu)
{
    const double x = t / sqrt((double)nu);
    const double c2 = 1.0 / (1.0 + x * x); /* cos² theta */
    const double s = x * sqrt(c2);         /* sin theta */
    double sum = 1.0, term = 1.0;
    if (nu % 2 == 1) {
        const double theta = atan(x);
        if (nu == 1)
            return 2.0 / QA_PI * theta;
        for (uint64_t j = 1; j <= (nu - 3) / 2; j++) {
            term *= (double)(2 * j) / (double)(2 * j + 1) * c2;
            if (term < 1e-17 * sum)
                break;
            sum += term;
        }
        return fmin(1.0, 2.0 / QA_PI * (theta + s * sqrt(c2) * sum));
    }
    for (uint64_t j = 1; j <= (nu - 2) / 2; j++) {
        term *= (double)(2 * j - 1) / (double)(2 * j) * c2;
        if (term < 1e-17 * sum)
            break;
        sum += term;
    }
    return fmin(1.0, s * sum);
}

/*
 * The two-sided critical value t with P(|T| <= t) = confidence. Above 10^4
 * degrees of freedom, the Cornish-Fisher expansion of A&S 26.7.5 in 1/nu
 * (error of order nu^-5, below 1e-13 there). Below, Newton's method on
 * t_central from the same estimate, kept inside a bracket by bisection; the
 * density constant Gamma((nu+1)/2) / (sqrt(nu pi) Gamma(nu/2)) comes from the
 * recursion c(nu+2) = c(nu) (nu+1)/nu sqrt(nu/(nu+2)), c(1) = 1/pi,
 * c(2) = 1/(2 sqrt 2), which needs no gamma function.
 */
static double t_critical(double confidence, uint64_t nu)
{
    const double z = cm__z_for_confidence(confidence);
    const double z2 = z * z;
    const double g1 = (z2 + 1.0) * z / 4.0;
    const double g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
    const double g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
    const double g4 =
        ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0;
    const double v = (double)nu;
    const double cf = z + (g1 + (g2 + (g3 + g4 / v) / v) / v) / v;
    if (nu > 10000)
        return cf;
    double c = (nu % 2 == 1) ? 1.0 / QA_PI : 1.0 / (2.0 * QA_SQRT2);
    for (uint64_t k = (nu % 2 == 1) ? 1 : 2; k < nu; k += 2)
        c *= (double)(k + 1) / (double)k * sqrt((double)k / (double)(k + 2));
    /* Bracket [lo, hi]: t_central(0) = 0 < confidence; grow hi until it passes. */
    double lo = 0.0, hi = fmax(1.0, z);
    while (t_central(hi, nu) < confidence && hi < 1e300)
        hi *= 2.0;
    double t = (cf > lo && cf < hi) ? cf : 0.5 * (lo + hi);
    for (int it = 0; it < 200; it++) {
        const double f = t_central(t, nu) - confidence;
        if (f == 0.0)
            break;
        if (f < 0.0)
            lo = t;
        else
            hi = t;
        const double dens = 2.0 * c * exp(-0.5 * (v + 1.0) * log1p(t * t / v));
        double next = dens > 0.0 ? t - f / dens : 0.5 * (lo + hi);
        if (!(next > lo && next < hi))
            next = 0.5 * (lo + hi);
        if (fabs(next - t) <= 1e-15 * t || hi - lo <= 1e-15 * hi) {
            t = next;
            break;
        }
        t = next;
    }
    return t;
}

cm_status cm_qa_acc_result(const cm_qa_acc *acc, double confidence, cm_qa_summary *out)
{
    CM_REQUIRE(acc != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(cm__valid_confidence(confidence), CM_EINVAL);
    CM_REQUIRE(acc_valid(acc), CM_EINVAL);
    CM_REQUIRE(acc->n > 0, CM_ENODATA);
    cm_qa_summary s;
    memset(&s, 0, sizeof s);
    const double n = (double)acc->n;
    const double sum = cm__u128_to_double(cm__u128_of(acc->sum));
    const double mean_micro = sum / n;
    s.n = acc->n;
    s.mean = fmin(100.0, fmax(0.0, mean_micro / MICRO));
    s.min = (double)acc->min_micro / MICRO;
    s.max = (double)acc->max_micro / MICRO;
    if (acc->n > 1 && acc->min_micro != acc->max_micro) {
        /* sum of squared deviations = Q - S * mean; both terms come from exact
         * integers, so the only error is the final cancellation, far below a
         * micro-point for scores on a 0..100 scale. */
        const double q = cm__u128_to_double(cm__u128_of(acc->sum_sq));
        const double m2 = fmax(0.0, q - sum * mean_micro);
        s.sd = sqrt(m2 / (n - 1.0)) / MICRO;
    }
    if (acc->n > 1) {
        const double half = t_critical(confidence, acc->n - 1) * s.sd / sqrt(n);
        s.lo = fmax(0.0, s.mean - half);
        s.hi = fmin(100.0, s.mean + half);
    } else {
        s.lo = 0.0;
        s.hi = 100.0;
    }
    CM_TRY(cm_rate(acc->passed, acc->n, confidence, &s.pass_rate));
    CM_TRY(cm_rate(acc->critical_failed, acc->n, confidence, &s.critical_rate));
    *out = s;
    return CM_OK;
}

/* Bytes: header, 4 zero bytes, n, passed, critical, min, max, sum (2 words), sum_sq, CRC. */
cm_status cm_qa_acc_serialize(const cm_qa_acc *acc, uint8_t *buf, size_t cap, size_t *written)
{
    CM_REQUIRE(acc != NULL && buf != NULL && written != NULL && acc_valid(acc), CM_EINVAL);
    if (cap < CM_QA_ACC_SERIALIZED_SIZE) {
        *written = CM_QA_ACC_SERIALIZED_SIZE;
        return CM_ENOSPC;
    }
    cm__serial_begin(buf, CM__SERIAL_QA_ACC, QA_ACC_SERIAL_VERSION);
    memset(buf + 4, 0, 4);
    const uint64_t words[9] = {acc->n,         acc->passed,    acc->critical_failed,
                               acc->min_micro, acc->max_micro, acc->sum[0],
                               acc->sum[1],    acc->sum_sq[0], acc->sum_sq[1]};
    for (int i = 0; i < 9; i++)
        cm__put_u64le(buf + 8 + 8 * i, words[i]);
    cm__serial_end(buf, CM_QA_ACC_SERIALIZED_SIZE);
    *written = CM_QA_ACC_SERIALIZED_SIZE;
    return CM_OK;
}

cm_status cm_qa_acc_deserialize(const uint8_t *buf, size_t len, cm_qa_acc *out)
{
    CM_REQUIRE(buf != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(cm__serial_check(buf, len, CM_QA_ACC_SERIALIZED_SIZE, CM__SERIAL_QA_ACC,
                                QA_ACC_SERIAL_VERSION),
               CM_EPARSE);
    CM_REQUIRE(buf[4] == 0 && buf[5] == 0 && buf[6] == 0 && buf[7] == 0, CM_EPARSE);
    cm_qa_acc a;
    uint64_t w[9];
    for (int i = 0; i < 9; i++)
        w[i] = cm__get_u64le(buf + 8 + 8 * i);
    a.n = w[0];
    a.passed = w[1];
    a.critical_failed = w[2];
    a.min_micro = w[3];
    a.max_micro = w[4];
    a.sum[0] = w[5];
    a.sum[1] = w[6];
    a.sum_sq[0] = w[7];
    a.sum_sq[1] = w[8];
    CM_REQUIRE(acc_valid(&a), CM_EPARSE);
    *out = a;
    return CM_OK;
}

/* ---------------------------------------------------------------------- */
/* Alerts                                                                 */
/* ---------------------------------------------------------------------- */

cm_status cm_qa_alerts(const double *values, size_t n, double threshold, uint32_t periods,
                       cm_spc_signal *signals, size_t cap, size_t *count)
{
    CM_REQUIRE(count != NULL && (n == 0 || values != NULL) && (cap == 0 || signals != NULL),
               CM_EINVAL);
    CM_REQUIRE(isfinite(threshold) && periods > 0, CM_EINVAL);
    for (size_t i = 0; i < n; i++)
        CM_REQUIRE(isfinite(values[i]), CM_EINVAL);
    CM_REQUIRE(threshold >= 0.0 && threshold <= 100.0, CM_ERANGE);
    for (size_t i = 0; i < n; i++)
        CM_REQUIRE(values[i] >= 0.0 && values[i] <= 100.0, CM_ERANGE);
    CM_REQUIRE(n > 0, CM_ENODATA);
    /* Only the threshold rule is enabled: the limits' centre and sigma are not used. */
    const cm_spc_limits limits = {threshold, 0.0, threshold, threshold, 0.0, 0.0};
    cm_spc_rules rules;
    memset(&rules, 0, sizeof rules);
    rules.enabled = CM_SPC_RULE_BELOW_THRESHOLD;
    rules.level_run = periods;
    rules.threshold = threshold;
    return cm_spc_evaluate(values, n, &limits, &rules, signals, cap, count);
}

/* ---------------------------------------------------------------------- */
/* ABI queries                                                            */
/* ---------------------------------------------------------------------- */

size_t cm_qa_sizeof(const char *name)
{
    static const cm__named_size sizes[] = {
        CM__SIZE_OF(cm_qa_section),
        CM__SIZE_OF(cm_qa_item),
        CM__SIZE_OF(cm_qa_rubric_summary),
        CM__SIZE_OF(cm_qa_result),
        CM__SIZE_OF(cm_qa_acc),
        CM__SIZE_OF(cm_qa_summary),
        CM__SIZE_OF(cm_qa_alpha_result),
        CM__SIZE_OF(cm_qa_icc_result),
        CM__SIZE_OF(cm_qa_deviation),
    };
    return cm__lookup_size(sizes, CM__COUNT_OF(sizes), name);
}

cm_status cm_qa_constant(const char *name, double *out)
{
    static const cm__named_value constants[] = {
        CM__VALUE_OF(CM_QA_NA),
        CM__VALUE_OF(CM_QA_MAX_SECTIONS),
        CM__VALUE_OF(CM_QA_MAX_ITEMS),
        CM__VALUE_OF(CM_QA_MAX_POINTS),
        CM__VALUE_OF(CM_QA_NAME_MAX),
        CM__VALUE_OF(CM_QA_WEIGHT_TOLERANCE),
        CM__VALUE_OF(CM_QA_ACC_SERIALIZED_SIZE),
        CM__VALUE_OF(CM_QA_ITEM_CRITICAL),
        CM__VALUE_OF(CM_QA_ITEM_NA_ALLOWED),
        CM__VALUE_OF(CM_QA_PASSED),
        CM__VALUE_OF(CM_QA_CRITICAL_FAILED),
        CM__VALUE_OF(CM_QA_NOMINAL),
        CM__VALUE_OF(CM_QA_ORDINAL),
        CM__VALUE_OF(CM_QA_INTERVAL),
        CM__VALUE_OF(CM_QA_RATIO),
    };
    return cm__lookup_value(constants, CM__COUNT_OF(constants), name, out);
}
