/*
 * The text form of QA rubrics (grammar in docs/qa.md):
 *
 *   pass 85
 *   section accuracy 40%
 *   item correct-answer 4
 *   item verified-identity 1 critical
 *   item policy-quoted 2 na
 *
 * The parser checks what it can point at precisely (words, numbers, flags,
 * names) and hands the arrays to cm__qa_rubric_build, whose complaints
 * (weights that do not add up, an empty section, a repeated name) it maps
 * back to the line and column of the statement concerned.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/qa.h>

#include <string.h>

#include "common-internal.h"
#include "qa-internal.h"

/* Where a statement's words start, to point at them after the build. */
typedef struct place {
    uint32_t line, name_col, value_col;
} place;

/* Working memory of one parse: allocated once, at the largest rubric. */
typedef struct work {
    cm_qa_section sections[CM_QA_MAX_SECTIONS];
    cm_qa_item items[CM_QA_MAX_ITEMS];
    place section_at[CM_QA_MAX_SECTIONS];
    place item_at[CM_QA_MAX_ITEMS];
    char section_names[CM_QA_MAX_SECTIONS][CM_QA_NAME_MAX + 1];
    char item_names[CM_QA_MAX_ITEMS][CM_QA_NAME_MAX + 1];
} work;

typedef struct word {
    const char *p;
    size_t len;
    uint32_t col;
} word;

/* Longest statement: `item NAME POINTS critical na` plus one word to detect extras. */
#define MAX_WORDS 6

static cm_status fail(cm_parse_error *err, uint32_t line, uint32_t col, const char *msg)
{
    if (err != NULL) {
        err->line = line;
        err->column = col;
        err->message = msg;
    }
    return CM_EPARSE;
}

static bool word_is(const word *w, const char *s)
{
    return w->len == strlen(s) && memcmp(w->p, s, w->len) == 0;
}

/*
 * A decimal number: digits, optionally a point and more digits, optionally
 * `%` when percent is allowed; at most 15 digits, so mantissa / 10^k is the
 * correctly rounded double of the text.
 */
static bool parse_decimal(const word *w, bool percent_ok, double *out)
{
    size_t n = w->len;
    if (percent_ok && n > 0 && w->p[n - 1] == '%')
        n--;
    uint64_t mant = 0;
    unsigned digits = 0, frac = 0;
    bool point = false;
    for (size_t i = 0; i < n; i++) {
        const char c = w->p[i];
        if (c == '.' && !point && i > 0 && i + 1 < n) {
            point = true;
            continue;
        }
        if (c < '0' || c > '9' || ++digits > 15)
            return false;
        mant = mant * 10u + (uint64_t)(c - '0');
        frac += point;
    }
    if (digits == 0)
        return false;
    double p10 = 1.0;
    for (unsigned i = 0; i < frac; i++)
        p10 *= 10.0;
    *out = (double)mant / p10;
    return true;
}

/* Points: a whole number 1..CM_QA_MAX_POINTS. */
static bool parse_points(const word *w, uint32_t *out)
{
    if (w->len == 0 || w->len > 7)
        return false;
    uint32_t v = 0;
    for (size_t i = 0; i < w->len; i++) {
        if (w->p[i] < '0' || w->p[i] > '9')
            return false;
        v = v * 10u + (uint32_t)(w->p[i] - '0');
    }
    if (v == 0 || v > CM_QA_MAX_POINTS)
        return false;
    *out = v;
    return true;
}

/* Copies a name word, checking its bytes and length; returns the failing message or NULL. */
static const char *take_name(const word *w, char *dst)
{
    if (w->len > CM_QA_NAME_MAX)
        return "name longer than 63 bytes";
    for (size_t i = 0; i < w->len; i++) {
        if (!cm__qa_name_byte((unsigned char)w->p[i]))
            return "invalid character in a name";
    }
    memcpy(dst, w->p, w->len);
    dst[w->len] = '\0';
    return NULL;
}

/* The position to report for a problem found by the build. */
static cm_status fail_problem(cm_parse_error *err, const work *wk, const cm__qa_problem *pb,
                              uint32_t pass_line, uint32_t pass_col)
{
    if (pb->message == NULL)
        return fail(err, pass_line, pass_col, "invalid rubric");
    switch (pb->where) {
    case CM__QA_AT_SECTION: {
        const place *at = &wk->section_at[pb->index];
        const bool weight = strstr(pb->message, "weight") != NULL;
        return fail(err, at->line, weight ? at->value_col : at->name_col, pb->message);
    }
    case CM__QA_AT_ITEM: {
        const place *at = &wk->item_at[pb->index];
        return fail(err, at->line, at->name_col, pb->message);
    }
    case CM__QA_AT_RUBRIC:
    default:
        return fail(err, pass_line, pass_col, pb->message);
    }
}

cm_status cm_qa_rubric_parse(const char *text, const cm_allocator *alloc, cm_qa_rubric **out,
                             cm_parse_error *err)
{
    CM_REQUIRE(text != NULL && out != NULL && cm__valid_allocator(alloc), CM_EINVAL);
    work *wk = cm__alloc(alloc, sizeof *wk);
    CM_REQUIRE(wk != NULL, CM_ENOMEM);

    cm_status st = CM_OK;
    size_t nsec = 0, nitem = 0;
    bool have_pass = false;
    double pass = 0.0;
    uint32_t line = 0, pass_line = 1, pass_col = 1;
    const char *p = text;
    while (st == CM_OK && *p != '\0') {
        line++;
        const char *start = p;
        word w[MAX_WORDS];
        size_t nw = 0;
        /* Split the line into words, up to a comment or its end. */
        while (*p != '\0' && *p != '\n') {
            const unsigned char c = (unsigned char)*p;
            if (c == '#') {
                while (*p != '\0' && *p != '\n')
                    p++;
                break;
            }
            if (c == ' ' || c == '\t' || (c == '\r' && (p[1] == '\n' || p[1] == '\0'))) {
                p++;
                continue;
            }
            if (c < 0x20 || c == 0x7f) {
                st = fail(err, line, (uint32_t)(p - start) + 1, "control character");
                break;
            }
            const char *b = p;
            /* A word ends at a blank, a comment or any control character (reported next). */
            while (*p != ' ' && *p != '#' && (unsigned char)*p >= 0x20 && *p != 0x7f)
                p++;
            if (nw == MAX_WORDS) {
                st = fail(err, line, (uint32_t)(b - start) + 1, "too many words");
                break;
            }
            w[nw].p = b;
            w[nw].len = (size_t)(p - b);
            w[nw].col = (uint32_t)(b - start) + 1;
            nw++;
        }
        if (*p == '\n')
            p++;
        if (st != CM_OK || nw == 0)
            continue;

        if (word_is(&w[0], "pass")) {
            if (have_pass) {
                st = fail(err, line, w[0].col, "repeated 'pass' statement");
            } else if (nw != 2) {
                st = fail(err, line, nw < 2 ? w[0].col : w[2].col,
                          nw < 2 ? "expected: pass SCORE" : "unexpected word");
            } else if (!parse_decimal(&w[1], true, &pass) || pass > 100.0) {
                st = fail(err, line, w[1].col, "the pass mark must be a number in 0..100");
            } else {
                have_pass = true;
                pass_line = line;
                pass_col = w[1].col;
            }
        } else if (word_is(&w[0], "section")) {
            double weight;
            const char *bad;
            if (nw != 3) {
                st = fail(err, line, nw < 3 ? w[0].col : w[3].col,
                          nw < 3 ? "expected: section NAME WEIGHT" : "unexpected word");
            } else if (nsec == CM_QA_MAX_SECTIONS) {
                st = fail(err, line, w[0].col, "more than 64 sections");
            } else if ((bad = take_name(&w[1], wk->section_names[nsec])) != NULL) {
                st = fail(err, line, w[1].col, bad);
            } else if (!parse_decimal(&w[2], true, &weight) || weight <= 0.0 || weight > 100.0) {
                st = fail(err, line, w[2].col, "a section weight must be a number in (0, 100]");
            } else {
                wk->sections[nsec].name = wk->section_names[nsec];
                wk->sections[nsec].weight = weight;
                wk->section_at[nsec] = (place){line, w[1].col, w[2].col};
                nsec++;
            }
        } else if (word_is(&w[0], "item")) {
            uint32_t points, flags = 0;
            const char *bad;
            if (nw < 3) {
                st = fail(err, line, w[0].col, "expected: item NAME POINTS [critical] [na]");
            } else if (nsec == 0) {
                st = fail(err, line, w[0].col, "an item must follow a section");
            } else if (nitem == CM_QA_MAX_ITEMS) {
                st = fail(err, line, w[0].col, "more than 1024 items");
            } else if ((bad = take_name(&w[1], wk->item_names[nitem])) != NULL) {
                st = fail(err, line, w[1].col, bad);
            } else if (!parse_points(&w[2], &points)) {
                st = fail(err, line, w[2].col, "points must be a whole number in 1..1000000");
            } else {
                for (size_t k = 3; k < nw && st == CM_OK; k++) {
                    const uint32_t f = word_is(&w[k], "critical") ? CM_QA_ITEM_CRITICAL
                                       : word_is(&w[k], "na")     ? CM_QA_ITEM_NA_ALLOWED
                                                                  : 0;
                    if (f == 0 || (flags & f))
                        st = fail(err, line, w[k].col,
                                  f == 0 ? "expected 'critical' or 'na'" : "repeated flag");
                    else if ((flags | f) == (CM_QA_ITEM_CRITICAL | CM_QA_ITEM_NA_ALLOWED))
                        st = fail(err, line, w[k].col, "a critical item cannot be N/A");
                    flags |= f;
                }
                if (st == CM_OK) {
                    cm_qa_item *it = &wk->items[nitem];
                    it->name = wk->item_names[nitem];
                    it->section = (uint32_t)(nsec - 1);
                    it->points = points;
                    it->flags = flags;
                    it->reserved = 0;
                    wk->item_at[nitem] = (place){line, w[1].col, w[2].col};
                    nitem++;
                }
            }
        } else {
            st = fail(err, line, w[0].col, "expected 'pass', 'section' or 'item'");
        }
    }
    if (st == CM_OK && !have_pass)
        st = fail(err, 1, 1, "missing 'pass' statement");
    if (st == CM_OK && nsec == 0)
        st = fail(err, 1, 1, "no section");
    if (st == CM_OK) {
        cm__qa_problem pb = {CM__QA_AT_RUBRIC, 0, NULL};
        st = cm__qa_rubric_build(wk->sections, nsec, wk->items, nitem, pass, alloc, out, &pb);
        if (st != CM_OK && st != CM_ENOMEM)
            st = fail_problem(err, wk, &pb, pass_line, pass_col);
    }
    cm__free(alloc, wk);
    return st;
}
