/*
 * The rubric object shared by lib/qa.c (building, scoring) and
 * lib/qa-parse.c (the text form). Never installed.
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_QA_INTERNAL_H
#define CAREMETRICS_QA_INTERNAL_H

#include <caremetrics/qa.h>

#include "common-internal.h"

typedef struct cm__qa_section {
    char name[CM_QA_NAME_MAX + 1];
    double weight;   /* percent */
    uint64_t points; /* sum of its items' maximum points */
    uint32_t items;  /* number of its items */
} cm__qa_section;

typedef struct cm__qa_item {
    char name[CM_QA_NAME_MAX + 1];
    uint32_t section, points, flags;
} cm__qa_item;

struct cm_qa_rubric {
    cm_allocator alloc; /* copy of the caller's allocator ... */
    bool custom_alloc;  /* ... when one was given */
    uint32_t nsections, nitems, ncritical;
    double pass_score;
    uint64_t max_points;
    cm__qa_section *sections; /* inside the same block */
    cm__qa_item *items;
};

/* What cm__qa_rubric_build rejected, so the parser can point at it. */
typedef enum cm__qa_where {
    CM__QA_AT_RUBRIC,  /* the rubric as a whole (counts, weights' sum, pass mark) */
    CM__QA_AT_SECTION, /* section `index` */
    CM__QA_AT_ITEM,    /* item `index` */
} cm__qa_where;

typedef struct cm__qa_problem {
    cm__qa_where where;
    size_t index;
    const char *message;
} cm__qa_problem;

/* cm_qa_rubric_new with a description of the first problem found (problem may be NULL). */
cm_status cm__qa_rubric_build(const cm_qa_section *sections, size_t nsections,
                              const cm_qa_item *items, size_t nitems, double pass_score,
                              const cm_allocator *alloc, cm_qa_rubric **out,
                              cm__qa_problem *problem);

/* A name is 1..CM_QA_NAME_MAX bytes, none of them a space, control character or '#'. */
bool cm__qa_name_byte(unsigned char c);

#endif /* CAREMETRICS_QA_INTERNAL_H */
