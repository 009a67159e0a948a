/*
 * Shared parts of caremetrics-qa: the evaluations file, names, output helpers.
 * SPDX-License-Identifier: MIT
 */
#include "qa-cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli-util.h"

#define LINE_BYTES  (1u << 20)
#define MAX_FIELDS  4096
#define RUBRIC_SIZE (16u << 20)

/* ---- names ------------------------------------------------------------------ */

static uint64_t hash_bytes(const char *p, size_t len)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211u;
    }
    return h;
}

static bool same(const char *name, const char *p, size_t len)
{
    return strncmp(name, p, len) == 0 && name[len] == '\0';
}

long names_find(const name_set *s, const char *p, size_t len)
{
    if (s->nslots == 0)
        return -1;
    for (size_t i = (size_t)(hash_bytes(p, len) & (s->nslots - 1));;
         i = (i + 1) & (s->nslots - 1)) {
        const uint32_t v = s->slots[i];
        if (v == 0)
            return -1;
        if (same(s->names[v - 1], p, len))
            return (long)(v - 1);
    }
}

static bool names_grow(name_set *s)
{
    const size_t n = s->nslots ? s->nslots * 2 : 64;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (slots == NULL)
        return false;
    for (size_t k = 0; k < s->count; k++) {
        const char *name = s->names[k];
        size_t i = (size_t)(hash_bytes(name, strlen(name)) & (n - 1));
        while (slots[i] != 0)
            i = (i + 1) & (n - 1);
        slots[i] = (uint32_t)(k + 1);
    }
    free(s->slots);
    s->slots = slots;
    s->nslots = n;
    return true;
}

long names_intern(name_set *s, const char *p, size_t len)
{
    const long found = names_find(s, p, len);
    if (found >= 0)
        return found;
    if (s->count >= UINT32_MAX - 1)
        return -1;
    if ((s->count + 1) * 2 > s->nslots && !names_grow(s))
        return -1;
    if (s->count == s->cap) {
        const size_t cap = s->cap ? s->cap * 2 : 16;
        char **names = realloc(s->names, cap * sizeof *names);
        if (names == NULL)
            return -1;
        s->names = names;
        s->cap = cap;
    }
    char *copy = malloc(len + 1);
    if (copy == NULL)
        return -1;
    memcpy(copy, p, len);
    copy[len] = '\0';
    size_t i = (size_t)(hash_bytes(p, len) & (s->nslots - 1));
    while (s->slots[i] != 0)
        i = (i + 1) & (s->nslots - 1);
    s->names[s->count] = copy;
    s->slots[i] = (uint32_t)(s->count + 1);
    return (long)s->count++;
}

void names_free(name_set *s)
{
    for (size_t i = 0; i < s->count; i++)
        free(s->names[i]);
    free(s->names);
    free(s->slots);
    memset(s, 0, sizeof *s);
}

static const name_set *sort_set;

static int by_name(const void *a, const void *b)
{
    return strcmp(sort_set->names[*(const size_t *)a], sort_set->names[*(const size_t *)b]);
}

void names_sorted(const name_set *s, size_t *order)
{
    for (size_t i = 0; i < s->count; i++)
        order[i] = i;
    sort_set = s;
    qsort(order, s->count, sizeof *order, by_name);
    sort_set = NULL;
}

/* ---- input ------------------------------------------------------------------ */

/* Reads one physical line; false at the end of the input or on a line too long. */
static int read_line(table_reader *r, long *len)
{
    *len = cli_read_line(r->in, r->line, r->cap);
    if (*len == -1)
        return 0;
    r->lineno++;
    if (*len == -2) {
        fprintf(stderr, "%s:%lu: line longer than %zu bytes\n", r->path, r->lineno, r->cap - 2);
        return -1;
    }
    return 1;
}

bool reader_open(table_reader *r, const char *path)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (r->in == NULL) {
        fprintf(stderr, "%s: cannot open %s: %s\n", PROG, path, strerror(errno));
        return false;
    }
    r->cap = LINE_BYTES;
    r->maxfields = MAX_FIELDS;
    r->line = malloc(r->cap);
    r->header_line = malloc(r->cap);
    r->fields = malloc((size_t)r->maxfields * sizeof *r->fields);
    r->header = malloc((size_t)r->maxfields * sizeof *r->header);
    if (r->line == NULL || r->header_line == NULL || r->fields == NULL || r->header == NULL) {
        fprintf(stderr, "%s: out of memory\n", PROG);
        reader_close(r);
        return false;
    }
    long len;
    int got;
    do {
        got = read_line(r, &len);
    } while (got == 1 && len == 0);
    if (got != 1) {
        if (got == 0)
            fprintf(stderr, "%s: empty file, expected a header line\n", path);
        reader_close(r);
        return false;
    }
    memcpy(r->header_line, r->line, (size_t)len + 1);
    r->nheader = csv_split(r->header_line, (size_t)len, r->header, r->maxfields);
    if (r->nheader < 0) {
        fprintf(stderr, "%s:%lu: header: unbalanced quote or more than %d columns\n", path,
                r->lineno, r->maxfields);
        reader_close(r);
        return false;
    }
    return true;
}

int reader_next(table_reader *r)
{
    long len;
    for (;;) {
        const int got = read_line(r, &len);
        if (got <= 0)
            return got;
        if (len > 0)
            break;
    }
    r->nfields = csv_split(r->line, (size_t)len, r->fields, r->maxfields);
    if (r->nfields < 0) {
        fprintf(stderr, "%s:%lu: unbalanced quote or too many fields\n", r->path, r->lineno);
        return -1;
    }
    if (r->nfields != r->nheader) {
        fprintf(stderr, "%s:%lu: %d fields, the header has %d\n", r->path, r->lineno, r->nfields,
                r->nheader);
        return -1;
    }
    return 1;
}

void reader_close(table_reader *r)
{
    if (r->in != NULL && r->in != stdin)
        fclose(r->in);
    free(r->line);
    free(r->header_line);
    free(r->fields);
    free(r->header);
    memset(r, 0, sizeof *r);
}

int reader_column(const table_reader *r, const char *name)
{
    int found = -1;
    for (int i = 0; i < r->nheader; i++) {
        if (csv_is(&r->header[i], name)) {
            if (found >= 0) {
                fprintf(stderr, "%s: column '%s' appears twice in the header\n", r->path, name);
                return -2;
            }
            found = i;
        }
    }
    return found;
}

cm_qa_rubric *load_rubric(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "%s: cannot open %s: %s\n", PROG, path, strerror(errno));
        return NULL;
    }
    char *text = malloc(RUBRIC_SIZE + 1);
    if (text == NULL) {
        fclose(f);
        fprintf(stderr, "%s: out of memory\n", PROG);
        return NULL;
    }
    const size_t n = fread(text, 1, RUBRIC_SIZE + 1, f);
    const bool failed = ferror(f) != 0;
    fclose(f);
    cm_qa_rubric *rubric = NULL;
    if (failed) {
        fprintf(stderr, "%s: cannot read %s\n", PROG, path);
    } else if (n > RUBRIC_SIZE) {
        fprintf(stderr, "%s: larger than %u bytes\n", path, RUBRIC_SIZE);
    } else if (memchr(text, '\0', n) != NULL) {
        fprintf(stderr, "%s: holds a NUL byte; a rubric is text\n", path);
    } else {
        text[n] = '\0';
        cm_parse_error err;
        const cm_status st = cm_qa_rubric_parse(text, NULL, &rubric, &err);
        if (st == CM_EPARSE)
            fprintf(stderr, "%s:%u:%u: %s\n", path, err.line, err.column, err.message);
        else if (st != CM_OK)
            fprintf(stderr, "%s: %s\n", path, cm_strerror(st));
        if (st != CM_OK)
            rubric = NULL;
    }
    free(text);
    return rubric;
}

bool map_items(const cm_qa_rubric *rubric, const table_reader *r, int *col)
{
    cm_qa_rubric_summary info;
    if (cm_qa_rubric_info(rubric, &info) != CM_OK)
        return false;
    for (uint32_t i = 0; i < info.items; i++) {
        cm_qa_item item;
        if (cm_qa_rubric_item(rubric, i, &item) != CM_OK)
            return false;
        col[i] = reader_column(r, item.name);
        if (col[i] == -1)
            fprintf(stderr, "%s: no column for the rubric's item '%s'\n", r->path, item.name);
        if (col[i] < 0)
            return false;
    }
    return true;
}

static bool is_na(const char *p, size_t len)
{
    static const char *const spellings[] = {"na", "n/a"};
    if (len == 0)
        return true;
    for (size_t k = 0; k < sizeof spellings / sizeof spellings[0]; k++) {
        const size_t n = strlen(spellings[k]);
        if (len != n)
            continue;
        size_t i = 0;
        while (i < n && (p[i] | 0x20) == spellings[k][i])
            i++;
        if (i == n)
            return true;
    }
    return false;
}

bool read_awards(const cm_qa_rubric *rubric, const table_reader *r, const int *col, int32_t *awards)
{
    cm_qa_rubric_summary info;
    if (cm_qa_rubric_info(rubric, &info) != CM_OK)
        return false;
    for (uint32_t i = 0; i < info.items; i++) {
        cm_qa_item item;
        if (cm_qa_rubric_item(rubric, i, &item) != CM_OK)
            return false;
        csv_field f = r->fields[col[i]];
        while (f.len > 0 && (f.p[0] == ' ' || f.p[0] == '\t')) {
            f.p++;
            f.len--;
        }
        while (f.len > 0 && (f.p[f.len - 1] == ' ' || f.p[f.len - 1] == '\t'))
            f.len--;
        const int shown = f.len > 40 ? 40 : (int)f.len;
        if (is_na(f.p, f.len)) {
            if (!(item.flags & CM_QA_ITEM_NA_ALLOWED)) {
                fprintf(stderr, "%s:%lu: column '%s': %s, but the item %s\n", r->path, r->lineno,
                        item.name, f.len == 0 ? "empty" : "N/A",
                        (item.flags & CM_QA_ITEM_CRITICAL)
                            ? "is critical (a critical item cannot be N/A)"
                            : "is not N/A-able (mark it 'na' in the rubric)");
                return false;
            }
            awards[i] = CM_QA_NA;
            continue;
        }
        long long v;
        if (!csv_int(&f, -1000000000LL, 1000000000LL, &v)) {
            fprintf(stderr, "%s:%lu: column '%s': '%.*s' is not a whole number of points or 'na'\n",
                    r->path, r->lineno, item.name, shown, f.p);
            return false;
        }
        if (v < 0 || v > (long long)item.points) {
            fprintf(stderr, "%s:%lu: column '%s': %lld is outside the item's 0..%u points\n",
                    r->path, r->lineno, item.name, v, item.points);
            return false;
        }
        awards[i] = (int32_t)v;
    }
    return true;
}

/* ---- output ----------------------------------------------------------------- */

void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

void csv_string(FILE *out, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    fputc('"', out);
}

void json_number(FILE *out, double v, int digits)
{
    if (isfinite(v))
        fprintf(out, "%.*g", digits, v);
    else
        fputs("null", out);
}

bool parse_format(const char *v, out_format *out)
{
    if (strcmp(v, "text") == 0)
        *out = FMT_TEXT;
    else if (strcmp(v, "csv") == 0)
        *out = FMT_CSV;
    else if (strcmp(v, "json") == 0)
        *out = FMT_JSON;
    else
        return false;
    return true;
}
