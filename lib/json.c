/*
 * A small JSON reader: validate once (iteratively, bounded depth, strict
 * RFC 8259 with UTF-8 checks), then navigate by scanning the validated text.
 * Nothing here allocates; see json-internal.h.
 * SPDX-License-Identifier: MIT
 */
#include "json-internal.h"

#include <string.h>

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_ws(const char *s, size_t len, size_t i)
{
    while (i < len && is_ws(s[i]))
        i++;
    return i;
}

static int hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Four hex digits at s[i..i+4), or -1. */
static long hex4(const char *s, size_t len, size_t i)
{
    if (len - i < 4)
        return -1;
    long v = 0;
    for (size_t k = 0; k < 4; k++) {
        const int h = hex(s[i + k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

typedef struct jerr {
    size_t at;
    const char *message;
} jerr;

static bool jfail(jerr *e, size_t at, const char *message)
{
    e->at = at;
    e->message = message;
    return false;
}

/* Length of the well-formed UTF-8 sequence at s[i], or 0. */
static size_t utf8_len(const unsigned char *s, size_t len, size_t i)
{
    const unsigned char c = s[i];
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (len - i < n || s[i + 1] < lo || s[i + 1] > hi)
        return 0;
    for (size_t k = 2; k < n; k++) {
        if (s[i + k] < 0x80 || s[i + k] > 0xBF)
            return 0;
    }
    return n;
}

/* A string starting at the quote s[*i]; *i ends after the closing quote. */
static bool check_string(const char *s, size_t len, size_t *i, jerr *e)
{
    const size_t start = *i;
    size_t k = start + 1;
    for (;;) {
        if (k >= len)
            return jfail(e, start, "unterminated string");
        const unsigned char c = (unsigned char)s[k];
        if (c == '"')
            break;
        if (c < 0x20)
            return jfail(e, k, "control character in a string");
        if (c == '\\') {
            if (k + 1 >= len)
                return jfail(e, start, "unterminated string");
            const char x = s[k + 1];
            if (x == 'u') {
                const long u = hex4(s, len, k + 2);
                if (u < 0)
                    return jfail(e, k, "invalid \\u escape");
                if (u == 0)
                    return jfail(e, k, "a NUL character (\\u0000) in a string");
                if (u >= 0xDC00 && u <= 0xDFFF)
                    return jfail(e, k, "unpaired surrogate in a \\u escape");
                if (u >= 0xD800 && u <= 0xDBFF) {
                    const long lo = len - k >= 12 && s[k + 6] == '\\' && s[k + 7] == 'u'
                                        ? hex4(s, len, k + 8)
                                        : -1;
                    if (lo < 0xDC00 || lo > 0xDFFF)
                        return jfail(e, k, "unpaired surrogate in a \\u escape");
                    k += 6;
                }
                k += 6;
            } else if (strchr("\"\\/bfnrt", x) != NULL && x != '\0') {
                k += 2;
            } else {
                return jfail(e, k, "invalid escape in a string");
            }
            continue;
        }
        if (c >= 0x80) {
            const size_t n = utf8_len((const unsigned char *)s, len, k);
            if (n == 0)
                return jfail(e, k, "invalid UTF-8 in a string");
            k += n;
            continue;
        }
        k++;
    }
    *i = k + 1;
    return true;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool check_number(const char *s, size_t len, size_t *i, jerr *e)
{
    size_t k = *i;
    if (k < len && s[k] == '-')
        k++;
    if (k >= len || !is_digit(s[k]))
        return jfail(e, *i, "invalid number");
    if (s[k] == '0')
        k++;
    else
        while (k < len && is_digit(s[k]))
            k++;
    if (k < len && s[k] == '.') {
        k++;
        if (k >= len || !is_digit(s[k]))
            return jfail(e, *i, "invalid number");
        while (k < len && is_digit(s[k]))
            k++;
    }
    if (k < len && (s[k] == 'e' || s[k] == 'E')) {
        k++;
        if (k < len && (s[k] == '+' || s[k] == '-'))
            k++;
        if (k >= len || !is_digit(s[k]))
            return jfail(e, *i, "invalid number");
        while (k < len && is_digit(s[k]))
            k++;
    }
    *i = k;
    return true;
}

static bool check_literal(const char *s, size_t len, size_t *i, jerr *e)
{
    static const char *const words[] = {"true", "false", "null"};
    for (int w = 0; w < 3; w++) {
        const size_t n = strlen(words[w]);
        if (len - *i >= n && memcmp(s + *i, words[w], n) == 0) {
            *i += n;
            return true;
        }
    }
    return jfail(e, *i, "expected a value");
}

static json_kind kind_of(char c)
{
    switch (c) {
    case '{':
        return JSON_OBJECT;
    case '[':
        return JSON_ARRAY;
    case '"':
        return JSON_STRING;
    case 't':
        return JSON_TRUE;
    case 'f':
        return JSON_FALSE;
    case 'n':
        return JSON_NULL;
    default:
        return JSON_NUMBER;
    }
}

bool cm__json_parse(const char *s, size_t len, json_value *root, size_t *at, const char **message)
{
    char stack[JSON_MAX_DEPTH];
    size_t depth = 0;
    jerr e = {0, NULL};
    size_t i = skip_ws(s, len, 0);
    const size_t start = i;
    size_t end = i;
    bool ok = true;
    if (i >= len)
        ok = jfail(&e, i, "empty document: expected a JSON value");
    while (ok) {
        /* A value at i. */
        i = skip_ws(s, len, i);
        if (i >= len) {
            ok = jfail(&e, i, "unexpected end: expected a value");
            break;
        }
        const char c = s[i];
        if (c == '{' || c == '[') {
            if (depth == JSON_MAX_DEPTH) {
                ok = jfail(&e, i, "nested more than 64 levels deep");
                break;
            }
            stack[depth++] = c;
            i = skip_ws(s, len, i + 1);
            if (i < len && s[i] == (c == '{' ? '}' : ']')) {
                depth--;
                i++;
            } else if (c == '{') {
                if (i >= len || s[i] != '"') {
                    ok = jfail(&e, i, "expected a string key or }");
                    break;
                }
                if (!(ok = check_string(s, len, &i, &e)))
                    break;
                i = skip_ws(s, len, i);
                if (i >= len || s[i] != ':') {
                    ok = jfail(&e, i, "expected : after the key");
                    break;
                }
                i++;
                continue;
            } else {
                continue;
            }
        } else if (c == '"') {
            ok = check_string(s, len, &i, &e);
        } else if (c == '-' || is_digit(c)) {
            ok = check_number(s, len, &i, &e);
        } else {
            ok = check_literal(s, len, &i, &e);
        }
        if (!ok)
            break;
        /* After a value: close containers or move to the next element. */
        for (;;) {
            if (depth == 0)
                break;
            i = skip_ws(s, len, i);
            const char open = stack[depth - 1];
            if (i < len && s[i] == (open == '{' ? '}' : ']')) {
                depth--;
                i++;
                continue;
            }
            if (i < len && s[i] == ',') {
                i = skip_ws(s, len, i + 1);
                if (open == '{') {
                    if (i >= len || s[i] != '"') {
                        ok = jfail(&e, i, "expected a string key after the comma");
                        break;
                    }
                    if (!(ok = check_string(s, len, &i, &e)))
                        break;
                    i = skip_ws(s, len, i);
                    if (i >= len || s[i] != ':') {
                        ok = jfail(&e, i, "expected : after the key");
                        break;
                    }
                    i++;
                }
                break;
            }
            ok =
                jfail(&e, i,
                      open == '{' ? "expected , or } in an object" : "expected , or ] in an array");
            break;
        }
        if (!ok || depth == 0)
            break;
    }
    if (ok) {
        end = i;
        i = skip_ws(s, len, i);
        if (i < len)
            ok = jfail(&e, i, "unexpected text after the JSON value");
    }
    if (!ok) {
        *at = e.at;
        *message = e.message;
        return false;
    }
    root->p = s + start;
    root->len = end - start;
    root->kind = kind_of(s[start]);
    return true;
}

/* ---- navigation of validated text ----------------------------------------------- */

/* The end of the value that starts at p (validated, so well formed). */
static const char *skip_value(const char *p, const char *end)
{
    if (*p == '"') {
        p++;
        while (*p != '"')
            p += *p == '\\' ? 2 : 1;
        return p + 1;
    }
    if (*p == '{' || *p == '[') {
        size_t depth = 0;
        for (; p < end; p++) {
            if (*p == '"') {
                p++;
                while (*p != '"')
                    p += *p == '\\' ? 2 : 1;
            } else if (*p == '{' || *p == '[') {
                depth++;
            } else if (*p == '}' || *p == ']') {
                if (--depth == 0)
                    return p + 1;
            }
        }
        return end;
    }
    while (p < end && !is_ws(*p) && *p != ',' && *p != '}' && *p != ']')
        p++;
    return p;
}

void cm__json_iter(const json_value *container, json_iter *it)
{
    it->p = container->p + 1;
    it->end = container->p + container->len - 1; /* the closing bracket */
    it->object = container->kind == JSON_OBJECT;
}

static const char *ws_to(const char *p, const char *end)
{
    while (p < end && is_ws(*p))
        p++;
    return p;
}

bool cm__json_next(json_iter *it, json_value *key, json_value *value)
{
    const char *p = ws_to(it->p, it->end);
    if (p < it->end && *p == ',')
        p = ws_to(p + 1, it->end);
    if (p >= it->end)
        return false;
    if (it->object) {
        const char *k = p;
        p = skip_value(p, it->end);
        if (key != NULL) {
            key->p = k;
            key->len = (size_t)(p - k);
            key->kind = JSON_STRING;
        }
        p = ws_to(p, it->end) + 1; /* the colon */
        p = ws_to(p, it->end);
    }
    const char *v = p;
    p = skip_value(p, it->end);
    value->p = v;
    value->len = (size_t)(p - v);
    value->kind = kind_of(*v);
    it->p = p;
    return true;
}

/* Decodes the character at *pp (inside a string) into buf; returns its byte count. */
static size_t decode_char(const char **pp, char buf[4])
{
    const char *p = *pp;
    if (*p != '\\') {
        buf[0] = *p;
        *pp = p + 1;
        return 1;
    }
    const char x = p[1];
    if (x != 'u') {
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        buf[0] = to[strchr(from, x) - from];
        *pp = p + 2;
        return 1;
    }
    long u = hex4(p, 6, 2);
    p += 6;
    if (u >= 0xD800 && u <= 0xDBFF) {
        const long lo = hex4(p, 6, 2);
        u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
        p += 6;
    }
    *pp = p;
    if (u < 0x80) {
        buf[0] = (char)u;
        return 1;
    }
    if (u < 0x800) {
        buf[0] = (char)(0xC0 | (u >> 6));
        buf[1] = (char)(0x80 | (u & 0x3F));
        return 2;
    }
    if (u < 0x10000) {
        buf[0] = (char)(0xE0 | (u >> 12));
        buf[1] = (char)(0x80 | ((u >> 6) & 0x3F));
        buf[2] = (char)(0x80 | (u & 0x3F));
        return 3;
    }
    buf[0] = (char)(0xF0 | (u >> 18));
    buf[1] = (char)(0x80 | ((u >> 12) & 0x3F));
    buf[2] = (char)(0x80 | ((u >> 6) & 0x3F));
    buf[3] = (char)(0x80 | (u & 0x3F));
    return 4;
}

bool cm__json_eq(const json_value *string, const char *text)
{
    if (string->kind != JSON_STRING)
        return false;
    const char *p = string->p + 1, *end = string->p + string->len - 1;
    const size_t n = strlen(text);
    size_t k = 0;
    while (p < end) {
        char buf[4];
        const size_t m = decode_char(&p, buf);
        if (n - k < m || memcmp(text + k, buf, m) != 0)
            return false;
        k += m;
    }
    return k == n;
}

size_t cm__json_decode(const json_value *string, char *out)
{
    const char *p = string->p + 1, *end = string->p + string->len - 1;
    size_t k = 0;
    while (p < end) {
        char buf[4];
        const size_t m = decode_char(&p, buf);
        if (out != NULL)
            memcpy(out + k, buf, m);
        k += m;
    }
    if (out != NULL)
        out[k] = '\0';
    return k;
}

bool cm__json_get(const json_value *object, const char *key, json_value *value)
{
    if (object->kind != JSON_OBJECT)
        return false;
    json_iter it;
    json_value k, v;
    cm__json_iter(object, &it);
    while (cm__json_next(&it, &k, &v)) {
        if (cm__json_eq(&k, key)) {
            *value = v;
            return true;
        }
    }
    return false;
}

bool cm__json_int(const json_value *number, int64_t *out)
{
    if (number->kind != JSON_NUMBER)
        return false;
    const char *p = number->p, *end = number->p + number->len;
    const bool neg = *p == '-';
    if (neg)
        p++;
    uint64_t v = 0;
    for (; p < end; p++) {
        if (!is_digit(*p))
            return false; /* a fraction or an exponent */
        if (v > (UINT64_C(9223372036854775808) - (uint64_t)(*p - '0')) / 10)
            return false;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (!neg && v > (uint64_t)INT64_MAX)
        return false;
    *out = neg ? (v == UINT64_C(9223372036854775808) ? INT64_MIN : -(int64_t)v) : (int64_t)v;
    return true;
}
