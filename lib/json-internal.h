/*
 * A small JSON reader (RFC 8259) for the importers: it validates a whole
 * document once, then navigates it by scanning, without allocating and
 * without recursion (nesting is bounded by JSON_MAX_DEPTH). Never installed.
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_JSON_INTERNAL_H
#define CAREMETRICS_JSON_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 64

typedef enum json_kind {
    JSON_NULL,
    JSON_FALSE,
    JSON_TRUE,
    JSON_NUMBER,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT,
} json_kind;

/* A value of a validated document: its bytes [p, p + len). */
typedef struct json_value {
    const char *p;
    size_t len;
    json_kind kind;
} json_value;

/* Members of an object or elements of an array, in order. */
typedef struct json_iter {
    const char *p, *end;
    bool object;
} json_iter;

/*
 * Checks that [s, s + len) is one JSON value with optional white space
 * around it: the grammar of RFC 8259, strings of well-formed UTF-8 with
 * valid escapes (surrogates in pairs), at most JSON_MAX_DEPTH levels of
 * arrays and objects. On failure *at is the byte offset and *message why.
 */
bool cm__json_parse(const char *s, size_t len, json_value *root, size_t *at, const char **message);

/* Starts iterating a validated array or object. */
void cm__json_iter(const json_value *container, json_iter *it);

/* The next element (key NULL for arrays) or member; false at the end. */
bool cm__json_next(json_iter *it, json_value *key, json_value *value);

/* The first member of an object whose key decodes to `key`; false when none (or not an object). */
bool cm__json_get(const json_value *object, const char *key, json_value *value);

/* Whether a string value decodes to `text`. */
bool cm__json_eq(const json_value *string, const char *text);

/*
 * Decodes a string value into out (at least string->len bytes; NULL to
 * measure) and returns the decoded length, without the terminating NUL that
 * it also writes. The decoded form is never longer than the encoded one.
 */
size_t cm__json_decode(const json_value *string, char *out);

/* An integer number (no fraction nor exponent) that fits int64. */
bool cm__json_int(const json_value *number, int64_t *out);

#endif /* CAREMETRICS_JSON_INTERNAL_H */
