/*
 * libFuzzer target: the QA rubric text format and scoring with what it
 * accepts. A rejected rubric must report a position inside the input; an
 * accepted one must score any awards the input suggests within [0, 100],
 * with flags, counts and section scores consistent with the rubric, and the
 * named and column forms must agree with the plain one.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/qa.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)  \
    do {             \
        if (!(cond)) \
            abort(); \
    } while (0)

/* Awards for the rubric's items from the input's bytes: in range, N/A or out of range. */
static void pick_awards(const cm_qa_rubric *r, const cm_qa_rubric_summary *sum, const uint8_t *data,
                        size_t size, unsigned round, int32_t *aw)
{
    for (uint32_t i = 0; i < sum->items; i++) {
        cm_qa_item it;
        CHECK(cm_qa_rubric_item(r, i, &it) == CM_OK);
        const uint8_t b = size > 0 ? data[(i * 31u + round * 7u) % size] : 0;
        switch (b % 8) {
        case 0:
            aw[i] = CM_QA_NA;
            break;
        case 1:
            aw[i] = (int32_t)it.points + (int32_t)(b >> 4); /* may be out of range */
            break;
        case 2:
            aw[i] = 0;
            break;
        default:
            aw[i] = (int32_t)(it.points - (uint32_t)(b >> 3) % (it.points + 1));
            break;
        }
    }
}

static void exercise(const cm_qa_rubric *r, const uint8_t *data, size_t size)
{
    cm_qa_rubric_summary sum;
    CHECK(cm_qa_rubric_info(r, &sum) == CM_OK);
    CHECK(sum.sections >= 1 && sum.sections <= CM_QA_MAX_SECTIONS);
    CHECK(sum.items >= sum.sections && sum.items <= CM_QA_MAX_ITEMS);
    CHECK(sum.pass_score >= 0.0 && sum.pass_score <= 100.0);
    double weights = 0.0;
    for (uint32_t s = 0; s < sum.sections; s++) {
        cm_qa_section sec;
        CHECK(cm_qa_rubric_section(r, s, &sec) == CM_OK);
        CHECK(sec.weight > 0.0 && strlen(sec.name) >= 1 && strlen(sec.name) <= CM_QA_NAME_MAX);
        weights += sec.weight;
    }
    CHECK(weights > 100.0 - 1e-6 && weights < 100.0 + 1e-6);
    static int32_t aw[CM_QA_MAX_ITEMS];
    static const char *names[CM_QA_MAX_ITEMS];
    static double sections[CM_QA_MAX_SECTIONS];
    for (unsigned round = 0; round < 4; round++) {
        pick_awards(r, &sum, data, size, round, aw);
        cm_qa_result res, named;
        const cm_status st = cm_qa_score(r, aw, sum.items, &res, sections);
        CHECK(st == CM_OK || st == CM_EINVAL || st == CM_ERANGE || st == CM_ENODATA);
        for (uint32_t i = 0; i < sum.items; i++) {
            cm_qa_item it;
            CHECK(cm_qa_rubric_item(r, i, &it) == CM_OK);
            names[i] = it.name;
            size_t idx;
            CHECK(cm_qa_rubric_find_item(r, it.name, &idx) == CM_OK && idx == i);
        }
        CHECK(cm_qa_score_named(r, names, aw, sum.items, &named) == st);
        double col;
        uint8_t flag;
        CHECK(cm_qa_score_many(r, aw, 1, &col, &flag) == st);
        if (st != CM_OK)
            continue;
        CHECK(memcmp(&res, &named, sizeof res) == 0);
        CHECK(col == res.score && flag == res.flags);
        CHECK(res.raw_score >= 0.0 && res.raw_score <= 100.0);
        CHECK(res.applicable_items + res.na_items == sum.items && res.applicable_items > 0);
        if (res.flags & CM_QA_CRITICAL_FAILED)
            CHECK(res.score == 0.0 && !(res.flags & CM_QA_PASSED) && res.critical_failures > 0);
        else
            CHECK(res.score == res.raw_score &&
                  ((res.flags & CM_QA_PASSED) != 0) == (res.score >= sum.pass_score));
        for (uint32_t s = 0; s < sum.sections; s++)
            CHECK(sections[s] >= 0.0 && sections[s] <= 100.0);
        cm_qa_acc acc = {0};
        CHECK(cm_qa_acc_add_result(&acc, &res) == CM_OK);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16384)
        return 0;
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    cm_qa_rubric *r = NULL;
    cm_parse_error err = {0, 0, NULL};
    const cm_status st = cm_qa_rubric_parse(text, NULL, &r, &err);
    if (st == CM_EPARSE) {
        uint32_t lines = 1;
        const size_t len = strlen(text);
        for (size_t i = 0; i < len; i++)
            lines += text[i] == '\n';
        CHECK(err.message != NULL && err.line >= 1 && err.line <= lines && err.column >= 1 &&
              err.column <= len + 1);
        CHECK(r == NULL);
    } else if (st == CM_OK) {
        exercise(r, data, size);
        cm_qa_rubric_free(r);
    } else {
        CHECK(st == CM_ENOMEM);
    }
    free(text);
    return 0;
}
