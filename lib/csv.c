/*
 * Reading help-desk exports in CSV into the ticket-table engine: column
 * mappings (their text format, presets) and the reader.
 *
 * The reader splits each line in place into fields (RFC 4180: a quoted field
 * may hold commas, doubled quotes and line ends), stopping at the last field
 * it needs, parses the fields it maps into a block of columns, and hands full
 * blocks to cm_table_report_add(). Numbers are parsed here, not by strtod(),
 * so the host program's locale cannot change them: up to 19 significant
 * digits and a decimal exponent of at most 22 either way, converted exactly
 * (an integer below 2^53 scaled by an exact power of ten is correctly
 * rounded); other numbers are bad values.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/csv.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common-internal.h"

/* Rows per block handed to the engine (the engine's tile). */
#define BLOCK 1024
/* Bytes of a line's fields holding doubled quotes that can be unescaped. */
#define UNQUOTED_MAX 65536

/* ---- the engine's columns a map can feed ------------------------------------------ */

enum target {
    T_CREATED,
    T_FIRST_REPLY,
    T_FIRST_REPLY_MINUTES,
    T_FIRST_REPLY_SECONDS,
    T_SOLVED,
    T_CONTACTS,
    T_REOPENED,
    T_REOPENS,
    T_ESCALATED,
    T_ABANDONED,
    T_CSAT,
    T_NPS,
    T_CES,
    T_WAIT,
    T_WAIT_MINUTES,
    T_HANDLE,
    T_HANDLE_MINUTES,
    T_CHANNEL,
    T_PRIORITY,
    NTARGETS
};

/* What a target reads: its kind, and the group of targets only one of which a map may use. */
enum kind { K_INSTANT, K_AFTER, K_COUNT, K_FLAG, K_ANSWER, K_SECONDS, K_KEY, K_PRIORITY };

static const struct {
    const char *name;
    enum kind kind;
    int group;    /* targets of a group feed the same engine column */
    double scale; /* K_AFTER, K_SECONDS: seconds per unit */
} targets[NTARGETS] = {
    [T_CREATED] = {"created_at", K_INSTANT, 0, 0},
    [T_FIRST_REPLY] = {"first_reply_at", K_INSTANT, 1, 0},
    [T_FIRST_REPLY_MINUTES] = {"first_reply_minutes", K_AFTER, 1, 60},
    [T_FIRST_REPLY_SECONDS] = {"first_reply_seconds", K_AFTER, 1, 1},
    [T_SOLVED] = {"solved_at", K_INSTANT, 2, 0},
    [T_CONTACTS] = {"contacts", K_COUNT, 3, 0},
    [T_REOPENED] = {"reopened", K_FLAG, 4, 0},
    [T_REOPENS] = {"reopens", K_COUNT, 4, 0},
    [T_ESCALATED] = {"escalated", K_FLAG, 5, 0},
    [T_ABANDONED] = {"abandoned", K_FLAG, 6, 0},
    [T_CSAT] = {"csat", K_ANSWER, 7, 0},
    [T_NPS] = {"nps", K_ANSWER, 8, 0},
    [T_CES] = {"ces", K_ANSWER, 9, 0},
    [T_WAIT] = {"wait_seconds", K_SECONDS, 10, 1},
    [T_WAIT_MINUTES] = {"wait_minutes", K_SECONDS, 10, 60},
    [T_HANDLE] = {"handle_seconds", K_SECONDS, 11, 1},
    [T_HANDLE_MINUTES] = {"handle_minutes", K_SECONDS, 11, 60},
    [T_CHANNEL] = {"channel", K_KEY, 12, 0},
    [T_PRIORITY] = {"priority", K_PRIORITY, 13, 0},
};

static const char *const priority_labels[5] = {"none", "low", "normal", "high", "urgent"};

/* ---- maps ----------------------------------------------------------------------------- */

/* One entry of a value map: text (case-insensitive) to a number, a label or nothing. */
typedef struct value_entry {
    uint32_t target;
    uint32_t text, text_len; /* in the map's string arena */
    uint32_t label, label_len;
    double number;
    bool missing; /* maps to "no value" (an empty field) */
} value_entry;

struct cm_csv_map {
    cm_allocator alloc;
    bool has_alloc;
    bool used[NTARGETS];
    bool optional[NTARGETS];
    uint32_t header[NTARGETS], header_len[NTARGETS];       /* in the arena */
    uint32_t where_line[NTARGETS], where_column[NTARGETS]; /* the header in the map's text */
    value_entry *values;
    size_t nvalues;
    cm_tz *tz; /* input zone, or NULL */
    char *arena;
    size_t arena_len;
};

static const char preset_caremetrics[] =
    "# The library's own column names (docs/report.md); every column but created_at\n"
    "# may be missing from a file.\n"
    "column created_at      created_at\n"
    "column first_reply_at  first_reply_at  optional\n"
    "column solved_at       solved_at       optional\n"
    "column channel         channel         optional\n"
    "column priority        priority        optional\n"
    "column contacts        contacts        optional\n"
    "column reopened        reopened        optional\n"
    "column escalated       escalated       optional\n"
    "column csat            csat            optional\n"
    "column nps             nps             optional\n"
    "column ces             ces             optional\n"
    "column wait_seconds    wait_seconds    optional\n"
    "column abandoned       abandoned       optional\n"
    "column handle_seconds  handle_seconds  optional\n";

static const char preset_zendesk[] =
    "# Zendesk Support: the ticket export (Admin Center > Account > Tools > Reports,\n"
    "# CSV export). Timestamps carry no offset: give the account's time zone with\n"
    "# input-tz (or the reader's input zone). Zendesk records no contact count, no\n"
    "# escalation flag and no queue waits: those KPIs have no data.\n"
    "column created_at           \"Created at\"\n"
    "column solved_at            \"Solved at\"                    optional\n"
    "column first_reply_minutes  \"First reply time in minutes\"  optional\n"
    "column channel              \"Via\"                          optional\n"
    "column priority             \"Priority\"                     optional\n"
    "column csat                 \"Satisfaction Score\"           optional\n"
    "column reopens              \"Reopens\"                      optional\n"
    "value csat  Good=5 \"Good with comment\"=5 Bad=1 \"Bad with comment\"=1\n"
    "value csat  Offered= Unoffered= \"Not Offered\"=\n"
    "value priority Urgent=urgent High=high Normal=normal Low=low -=none\n";

cm_status cm_csv_map_preset(const char *name, const char **text)
{
    CM_REQUIRE(name != NULL && text != NULL, CM_EINVAL);
    if (strcmp(name, "caremetrics") == 0) {
        *text = preset_caremetrics;
        return CM_OK;
    }
    if (strcmp(name, "zendesk") == 0) {
        *text = preset_zendesk;
        return CM_OK;
    }
    return CM_ENOTFOUND;
}

/* ---- the map's text ---------------------------------------------------------------------- */

typedef struct token {
    const char *p;
    size_t len;
    bool quoted;
} token;

typedef struct lexer {
    const char *line;
    size_t len, at;
    uint32_t lineno;
    const char *error;
    size_t error_at;
} lexer;

static bool lex_fail(lexer *x, size_t at, const char *message)
{
    if (x->error == NULL) {
        x->error = message;
        x->error_at = at;
    }
    return false;
}

static void skip_blanks(lexer *x)
{
    while (x->at < x->len && (x->line[x->at] == ' ' || x->line[x->at] == '\t'))
        x->at++;
}

/* The next word or quoted string; a bare word ends at a blank, '=' or '#'. With
 * `until_equals`, a word may not contain '='. Returns false at the end of the line. */
static bool next_token(lexer *x, token *t)
{
    skip_blanks(x);
    if (x->at >= x->len || x->line[x->at] == '#')
        return false;
    if (x->line[x->at] == '"') {
        const size_t start = ++x->at;
        while (x->at < x->len && x->line[x->at] != '"')
            x->at++;
        if (x->at >= x->len)
            return lex_fail(x, start - 1, "a quoted string without its closing quote");
        t->p = x->line + start;
        t->len = x->at - start;
        t->quoted = true;
        x->at++;
        return true;
    }
    const size_t start = x->at;
    while (x->at < x->len && x->line[x->at] != ' ' && x->line[x->at] != '\t' &&
           x->line[x->at] != '=' && x->line[x->at] != '#')
        x->at++;
    t->p = x->line + start;
    t->len = x->at - start;
    t->quoted = false;
    return t->len > 0;
}

static bool token_is(const token *t, const char *s)
{
    return !t->quoted && t->len == strlen(s) && memcmp(t->p, s, t->len) == 0;
}

static int target_of(const token *t)
{
    for (int i = 0; i < NTARGETS; i++) {
        if (token_is(t, targets[i].name))
            return i;
    }
    return -1;
}

/* Parsing builds the map in two passes: the first measures the arena and the value
 * entries, the second fills them. */
typedef struct builder {
    cm_csv_map *map; /* NULL while measuring */
    size_t arena, values;
    char tz_name[128];
    size_t tz_len;
    bool tz_seen;
    size_t tz_line, tz_col;
} builder;

static uint32_t store(builder *b, const char *p, size_t len)
{
    const uint32_t at = (uint32_t)b->arena;
    if (b->map != NULL) {
        memcpy(b->map->arena + at, p, len);
        b->map->arena[at + len] = '\0';
    }
    b->arena += len + 1;
    return at;
}

static bool number_text(const token *t, double *out);
static int level_of(const char *p, size_t len);

static bool parse_column(lexer *x, builder *b, bool *used)
{
    token name, header, extra;
    if (!next_token(x, &name))
        return lex_fail(x, x->at, "expected a column name after 'column'");
    const size_t name_at = (size_t)(name.p - x->line);
    const int target = target_of(&name);
    if (target < 0)
        return lex_fail(x, name_at, "unknown column (see docs/csv.md for the names)");
    for (int i = 0; i < NTARGETS; i++) {
        if (used[i] && targets[i].group == targets[target].group)
            return lex_fail(x, name_at,
                            i == target ? "column mapped twice"
                                        : "another column already feeds this one");
    }
    if (!next_token(x, &header))
        return lex_fail(x, x->at, "expected the file's header for this column");
    if (header.len == 0 || memchr(header.p, '\0', header.len) != NULL)
        return lex_fail(x, (size_t)(header.p - x->line), "an empty header");
    bool optional = false;
    if (next_token(x, &extra)) {
        if (!token_is(&extra, "optional"))
            return lex_fail(x, (size_t)(extra.p - x->line),
                            "expected 'optional' or the line's end");
        optional = true;
    }
    if (x->error != NULL)
        return false;
    skip_blanks(x);
    if (x->at < x->len && x->line[x->at] != '#')
        return lex_fail(x, x->at, "unexpected text after the column");
    used[target] = true;
    const uint32_t at = store(b, header.p, header.len);
    if (b->map != NULL) {
        b->map->where_line[target] = x->lineno;
        b->map->where_column[target] = (uint32_t)(header.p - x->line) + 1 - header.quoted;
        b->map->used[target] = true;
        b->map->optional[target] = optional;
        b->map->header[target] = at;
        b->map->header_len[target] = (uint32_t)header.len;
    }
    return true;
}

static bool parse_value(lexer *x, builder *b)
{
    token name;
    if (!next_token(x, &name))
        return lex_fail(x, x->at, "expected a column name after 'value'");
    const int target = target_of(&name);
    const size_t name_at = (size_t)(name.p - x->line);
    if (target < 0)
        return lex_fail(x, name_at, "unknown column (see docs/csv.md for the names)");
    const enum kind kind = targets[target].kind;
    if (kind == K_INSTANT || kind == K_AFTER || kind == K_SECONDS)
        return lex_fail(x, name_at, "this column takes no value map");
    size_t entries = 0;
    for (;;) {
        token text, value;
        if (!next_token(x, &text)) {
            if (x->error != NULL)
                return false;
            break;
        }
        const size_t text_at = (size_t)(text.p - x->line);
        if (text.len == 0 || memchr(text.p, '\0', text.len) != NULL)
            return lex_fail(x, text_at, "an empty text");
        if (x->at >= x->len || x->line[x->at] != '=')
            return lex_fail(x, x->at, "expected '=' after the text");
        x->at++;
        /* The value: a word or quoted string right after '=', or nothing. */
        value.p = x->line + x->at;
        value.len = 0;
        value.quoted = false;
        if (x->at < x->len && x->line[x->at] != ' ' && x->line[x->at] != '\t' &&
            x->line[x->at] != '#') {
            if (!next_token(x, &value))
                return lex_fail(x, x->at, "expected a value after '='");
        }
        const size_t value_at = (size_t)(value.p - x->line);
        value_entry e;
        memset(&e, 0, sizeof e);
        e.target = (uint32_t)target;
        e.missing = value.len == 0;
        if (!e.missing) {
            switch (kind) {
            case K_PRIORITY: {
                const int level = level_of(value.p, value.len);
                if (level < 0)
                    return lex_fail(x, value_at, "expected urgent, high, normal, low or none");
                e.number = level;
                e.missing = false;
                break;
            }
            case K_KEY:
                if (value.len > CM_TABLE_LABEL_MAX || memchr(value.p, '\0', value.len) != NULL)
                    return lex_fail(x, value_at, "a label of 1 to 63 bytes");
                e.label = store(b, value.p, value.len);
                e.label_len = (uint32_t)value.len;
                break;
            default:
                if (!number_text(&value, &e.number) || e.number != floor(e.number) ||
                    e.number < 0 || e.number > 4294967295.0)
                    return lex_fail(x, value_at, "expected a whole number");
                break;
            }
        } else if (kind == K_PRIORITY) {
            e.number = 0;
            e.missing = false; /* empty means no priority */
        }
        e.text = store(b, text.p, text.len);
        e.text_len = (uint32_t)text.len;
        if (b->map != NULL)
            b->map->values[b->values] = e;
        b->values++;
        entries++;
    }
    if (entries == 0)
        return lex_fail(x, x->at, "expected TEXT=VALUE pairs");
    return true;
}

static bool parse_tz(lexer *x, builder *b)
{
    token zone;
    if (!next_token(x, &zone) || zone.len >= sizeof b->tz_name)
        return lex_fail(x, x->at, "expected a time zone name");
    if (b->tz_seen)
        return lex_fail(x, (size_t)(zone.p - x->line), "input-tz given twice");
    b->tz_seen = true;
    memcpy(b->tz_name, zone.p, zone.len);
    b->tz_name[zone.len] = '\0';
    b->tz_len = zone.len;
    b->tz_line = x->lineno;
    b->tz_col = (size_t)(zone.p - x->line) + 1;
    return true;
}

/* Runs over the whole text; false with err filled at the first error. */
static bool parse_text(const char *text, builder *b, cm_parse_error *err)
{
    bool used[NTARGETS] = {false};
    const char *p = text;
    uint32_t lineno = 0;
    while (*p != '\0') {
        const char *end = p;
        while (*end != '\0' && *end != '\n' && *end != '\r')
            end++;
        lexer x = {p, (size_t)(end - p), 0, ++lineno, NULL, 0};
        token word;
        bool ok = true;
        if (next_token(&x, &word)) {
            if (token_is(&word, "column"))
                ok = parse_column(&x, b, used);
            else if (token_is(&word, "value"))
                ok = parse_value(&x, b);
            else if (token_is(&word, "input-tz"))
                ok = parse_tz(&x, b);
            else
                ok = lex_fail(&x, (size_t)(word.p - x.line),
                              "expected a directive: column, value or input-tz");
        }
        if (ok && x.error == NULL) {
            skip_blanks(&x);
            if (x.at < x.len && x.line[x.at] != '#')
                ok = lex_fail(&x, x.at, "unexpected text");
        }
        if (!ok || x.error != NULL) {
            if (err != NULL) {
                err->line = lineno;
                err->column = (uint32_t)x.error_at + 1;
                err->message = x.error != NULL ? x.error : "malformed line";
            }
            return false;
        }
        p = end;
        if (*p == '\r' && p[1] == '\n')
            p++;
        if (*p != '\0')
            p++;
    }
    if (!used[T_CREATED]) {
        if (err != NULL) {
            err->line = lineno > 0 ? lineno : 1;
            err->column = 1;
            err->message = "the mapping needs the column created_at";
        }
        return false;
    }
    return true;
}

void cm_csv_map_free(cm_csv_map *map)
{
    if (map == NULL)
        return;
    const cm_allocator a = map->alloc;
    const cm_allocator *alloc = map->has_alloc ? &a : NULL;
    cm_tz_free(map->tz);
    cm__free(alloc, map->values);
    cm__free(alloc, map->arena);
    cm__free(alloc, map);
}

cm_status cm_csv_map_parse(const char *text, const cm_allocator *alloc, cm_csv_map **out,
                           cm_parse_error *err)
{
    CM_REQUIRE(text != NULL && out != NULL && cm__valid_allocator(alloc), CM_EINVAL);
    builder measure;
    memset(&measure, 0, sizeof measure);
    if (!parse_text(text, &measure, err))
        return CM_EPARSE;
    cm_csv_map *map = cm__alloc(alloc, sizeof *map);
    CM_REQUIRE(map != NULL, CM_ENOMEM);
    memset(map, 0, sizeof *map);
    if (alloc != NULL) {
        map->alloc = *alloc;
        map->has_alloc = true;
    }
    map->arena = cm__alloc(alloc, measure.arena + 1);
    map->values = cm__alloc(alloc, (measure.values + 1) * sizeof *map->values);
    if (map->arena == NULL || map->values == NULL) {
        cm_csv_map_free(map);
        return CM_ENOMEM;
    }
    builder fill;
    memset(&fill, 0, sizeof fill);
    fill.map = map;
    if (!parse_text(text, &fill, err)) { /* not reached: the same text parsed above */
        cm_csv_map_free(map);
        return CM_EPARSE;
    }
    map->nvalues = fill.values;
    map->arena_len = fill.arena;
    if (fill.tz_seen) {
        const cm_status st = cm_tz_load_with_allocator(fill.tz_name, alloc, &map->tz);
        if (st != CM_OK) {
            cm_csv_map_free(map);
            if (st == CM_ENOMEM)
                return CM_ENOMEM;
            if (err != NULL) {
                err->line = (uint32_t)fill.tz_line;
                err->column = (uint32_t)fill.tz_col;
                err->message = "unknown time zone";
            }
            return CM_EPARSE;
        }
    }
    *out = map;
    return CM_OK;
}

/* ---- parsing values -------------------------------------------------------------------------- */

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool same_text(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++) {
        if (lower(a[i]) != lower(b[i]))
            return false;
    }
    return true;
}

static int level_of(const char *p, size_t len)
{
    for (int i = 0; i < 5; i++) {
        if (same_text(p, len, priority_labels[i], strlen(priority_labels[i])))
            return i;
    }
    return -1;
}

/* 10^k for k = 0..22, all exact in a double. */
static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* A decimal number: [+-]digits[.digits][(e|E)[+-]digits], converted exactly when the
 * digits fit 2^53 and the exponent is at most 22 either way (Clinger's fast path). */
static bool parse_number(const char *p, size_t len, double *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < len && (p[i] == '+' || p[i] == '-')) {
        neg = p[i] == '-';
        i++;
    }
    uint64_t mant = 0;
    int digits = 0, exp10 = 0;
    bool any = false;
    for (; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
        any = true;
        if (mant == 0 && p[i] == '0')
            continue; /* leading zeros */
        if (digits >= 19)
            return false;
        mant = mant * 10 + (uint64_t)(p[i] - '0');
        digits++;
    }
    if (i < len && p[i] == '.') {
        i++;
        for (; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
            any = true;
            if (mant == 0 && p[i] == '0') {
                exp10--;
                continue;
            }
            if (digits >= 19)
                return false;
            mant = mant * 10 + (uint64_t)(p[i] - '0');
            digits++;
            exp10--;
        }
    }
    if (!any)
        return false;
    if (i < len && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < len && (p[i] == '+' || p[i] == '-')) {
            eneg = p[i] == '-';
            i++;
        }
        int e = 0;
        bool edigits = false;
        for (; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
            edigits = true;
            if (e > 1000)
                return false;
            e = e * 10 + (p[i] - '0');
        }
        if (!edigits)
            return false;
        exp10 += eneg ? -e : e;
    }
    if (i != len)
        return false;
    if (mant > (UINT64_C(1) << 53))
        return false;
    double v = (double)mant;
    if (mant != 0) {
        if (exp10 < -22 || exp10 > 22)
            return false;
        v = exp10 < 0 ? v / pow10_exact[-exp10] : v * pow10_exact[exp10];
    }
    *out = neg ? -v : v;
    return true;
}

static bool number_text(const token *t, double *out)
{
    return parse_number(t->p, t->len, out);
}

static bool digits(const char *p, size_t n, int32_t *out)
{
    int32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return true;
}

/*
 * An instant: YYYY-MM-DD, optionally followed by 'T', 't' or a space and
 * HH:MM[:SS[.fraction]], optionally followed by Z or an offset +HH:MM, +HHMM or
 * +HH. Without an offset the local time is in `tz` (NULL: UTC), resolved as
 * cm_tz_from_local() does.
 */
static bool parse_instant(const char *p, size_t len, const cm_tz *tz, cm_time *out)
{
    cm_civil c;
    memset(&c, 0, sizeof c);
    if (len < 10 || p[4] != '-' || p[7] != '-' || !digits(p, 4, &c.year) ||
        !digits(p + 5, 2, &c.month) || !digits(p + 8, 2, &c.day))
        return false;
    size_t i = 10;
    if (i < len && (p[i] == 'T' || p[i] == 't' || p[i] == ' ')) {
        i++;
        if (len - i < 5 || p[i + 2] != ':' || !digits(p + i, 2, &c.hour) ||
            !digits(p + i + 3, 2, &c.minute))
            return false;
        i += 5;
        if (i < len && p[i] == ':') {
            if (len - i < 3 || !digits(p + i + 1, 2, &c.second))
                return false;
            i += 3;
            if (i < len && (p[i] == '.' || p[i] == ',')) {
                i++;
                const size_t start = i;
                while (i < len && p[i] >= '0' && p[i] <= '9')
                    i++;
                if (i == start)
                    return false; /* the fraction is truncated toward the earlier second */
            }
        }
    }
    int32_t offset = 0;
    bool zoned = false;
    if (i < len && (p[i] == 'Z' || p[i] == 'z')) {
        zoned = true;
        i++;
    } else if (i < len && (p[i] == '+' || p[i] == '-') && i > 10) {
        const int sign = p[i] == '-' ? -1 : 1;
        int32_t h = 0, m = 0;
        i++;
        if (len - i < 2 || !digits(p + i, 2, &h))
            return false;
        i += 2;
        if (i < len && p[i] == ':')
            i++;
        if (i < len) {
            if (len - i < 2 || !digits(p + i, 2, &m))
                return false;
            i += 2;
        }
        if (h > 23 || m > 59)
            return false;
        offset = sign * (h * 3600 + m * 60);
        zoned = true;
    }
    if (i != len)
        return false;
    if (c.year < 1 || c.hour > 23 || c.minute > 59 || c.second > 59)
        return false;
    cm_time t;
    if (zoned || tz == NULL) {
        if (cm_time_from_civil(&c, &t) != CM_OK)
            return false;
        t -= offset;
    } else if (cm_tz_from_local(tz, &c, &t) != CM_OK) {
        return false;
    }
    *out = t;
    return true;
}

/* ---- the reader ----------------------------------------------------------------------------- */

typedef struct field {
    const char *p;
    size_t len;
} field;

/* A key column of the reader: channel, priority or an extra one. */
typedef struct reader_key {
    int column; /* field index in the file */
    int target; /* T_CHANNEL, T_PRIORITY, or -1 for an extra key */
    char name[CM_TABLE_LABEL_MAX + 1];
    cm_table_key key;
} reader_key;

struct cm_csv_reader {
    cm_allocator alloc;
    bool has_alloc;
    const cm_csv_map *map;
    const cm_tz *tz;
    int column[NTARGETS]; /* field index of each mapped target, or -1 */
    char header_name[NTARGETS][64];
    int last;       /* the last field index the reader needs */
    size_t nheader; /* fields of the header */
    size_t nkeys;
    reader_key keys[CM_TABLE_MAX_KEYS];
    cm_table_key spec_keys[CM_TABLE_MAX_KEYS];
    /* The block being filled. */
    size_t n;
    uint64_t *line;
    cm_time *created, *reply, *solved;
    uint32_t *contacts;
    uint8_t *reopened, *escalated, *abandoned, *csat, *nps, *ces;
    double *wait, *handle;
    uint16_t *codes[CM_TABLE_MAX_KEYS];
    field *fields;       /* last + 1 */
    char *unquoted;      /* UNQUOTED_MAX: fields with doubled quotes are unescaped here */
    cm_csv_map *own_map; /* the default mapping when the caller gave none */
};

static int find_column(const field *hdr, size_t n, const char *name, size_t len, int *dupe)
{
    int found = -1;
    *dupe = -1;
    for (size_t i = 0; i < n; i++) {
        if (hdr[i].len == len && memcmp(hdr[i].p, name, len) == 0) {
            if (found >= 0 && *dupe < 0)
                *dupe = (int)i;
            else if (found < 0)
                found = (int)i;
        }
    }
    return found;
}

/* Splits a line into at most `max` fields (more are ignored). A quoted field is read
 * in place between its quotes, unless it holds doubled quotes: then it is copied,
 * unescaped, into `buf`. Returns the number of fields, -1 for unbalanced quotes, or -2
 * when the copies would not fit in `cap` bytes. */
static int split(const char *line, size_t len, field *f, int max, char *buf, size_t cap)
{
    int n = 0;
    size_t i = 0, w = 0;
    for (;;) {
        if (n == max)
            return n;
        if (i < len && line[i] == '"') {
            const size_t open = ++i;
            bool doubled = false;
            for (;;) {
                if (i >= len)
                    return -1;
                if (line[i] == '"') {
                    if (i + 1 < len && line[i + 1] == '"') {
                        doubled = true;
                        i += 2;
                        continue;
                    }
                    break;
                }
                i++;
            }
            const size_t close = i++;
            if (i < len && line[i] != ',')
                return -1; /* text after the closing quote */
            if (!doubled) {
                f[n].p = line + open;
                f[n].len = close - open;
            } else {
                const size_t start = w;
                for (size_t k = open; k < close; k++) {
                    if (w == cap)
                        return -2;
                    buf[w++] = line[k];
                    k += line[k] == '"'; /* "" is one quote */
                }
                f[n].p = buf + start;
                f[n].len = w - start;
            }
        } else {
            const size_t start = i;
            while (i < len && line[i] != ',')
                i++;
            f[n].p = line + start;
            f[n].len = i - start;
        }
        n++;
        if (i >= len)
            return n;
        i++; /* the comma */
    }
}

void cm_csv_reader_free(cm_csv_reader *reader)
{
    if (reader == NULL)
        return;
    const cm_allocator a = reader->alloc;
    cm_csv_map_free(reader->own_map);
    cm__free(reader->has_alloc ? &a : NULL, reader);
}

static void header_error(cm_parse_error *err, uint32_t column, const char *message)
{
    if (err != NULL) {
        err->line = 1;
        err->column = column;
        err->message = message;
    }
}

/* Sizes of the reader's parts, in one block. */
static size_t reader_size(size_t nfields, size_t nkeys)
{
    return sizeof(cm_csv_reader) +
           BLOCK * (sizeof(uint64_t) + 3 * sizeof(cm_time) + sizeof(uint32_t) + 6 +
                    2 * sizeof(double) + nkeys * sizeof(uint16_t)) +
           nfields * sizeof(field) + UNQUOTED_MAX + 64 * 16;
}

static void *carve(uint8_t **at, size_t bytes)
{
    uint8_t *p = *at;
    *at += (bytes + 15) & ~(size_t)15;
    return p;
}

cm_status cm_csv_reader_new(const cm_csv_map *map, const char *header, size_t len,
                            const cm_tz *input_tz, const char *const *extra_keys, size_t nextra,
                            const cm_allocator *alloc, cm_csv_reader **out, cm_parse_error *err)
{
    CM_REQUIRE(header != NULL && out != NULL && cm__valid_allocator(alloc), CM_EINVAL);
    CM_REQUIRE(extra_keys != NULL || nextra == 0, CM_EINVAL);
    CM_REQUIRE(nextra <= CM_TABLE_MAX_KEYS, CM_EINVAL);
    for (size_t i = 0; i < nextra; i++)
        CM_REQUIRE(extra_keys[i] != NULL && extra_keys[i][0] != '\0', CM_EINVAL);
    cm_csv_map *own = NULL;
    if (map == NULL) {
        CM_TRY(cm_csv_map_parse(preset_caremetrics, alloc, &own, NULL));
        map = own;
    }
    /* Split the header into a scratch reader first, to learn its size. */
    cm_status st = CM_OK;
    cm_csv_reader *r = NULL;
    if (len == 0 || memchr(header, '\0', len) != NULL) {
        header_error(err, 1, len == 0 ? "no header line" : "a NUL byte in the header");
        st = CM_EPARSE;
        goto done;
    }
    size_t nfields = 1;
    bool quoted = false;
    for (size_t i = 0; i < len; i++) {
        quoted ^= header[i] == '"';
        nfields += !quoted && header[i] == ',';
    }
    if (quoted || nfields > CM_CSV_MAX_COLUMNS) {
        header_error(err, 1, quoted ? "unbalanced quotes in the header" : "too many columns");
        st = CM_EPARSE;
        goto done;
    }
    const size_t nkeys_max = 2 + nextra;
    const size_t size = reader_size(nfields, nkeys_max);
    uint8_t *block = cm__alloc(alloc, size);
    if (block == NULL) {
        st = CM_ENOMEM;
        goto done;
    }
    memset(block, 0, size);
    uint8_t *at = block;
    r = carve(&at, sizeof *r);
    if (alloc != NULL) {
        r->alloc = *alloc;
        r->has_alloc = true;
    }
    r->fields = carve(&at, nfields * sizeof(field));
    r->unquoted = carve(&at, UNQUOTED_MAX);
    const int n = split(header, len, r->fields, (int)nfields, r->unquoted, UNQUOTED_MAX);
    if (n <= 0) {
        header_error(err, 1, "unbalanced quotes in the header");
        st = CM_EPARSE;
        goto done;
    }
    /* Map each used target to its column. */
    r->nheader = (size_t)n;
    r->map = map;
    r->tz = input_tz != NULL ? input_tz : map->tz;
    r->last = -1;
    for (int tg = 0; tg < NTARGETS; tg++) {
        r->column[tg] = -1;
        if (!map->used[tg])
            continue;
        const char *name = map->arena + map->header[tg];
        const size_t name_len = map->header_len[tg];
        int dupe;
        const int c = find_column(r->fields, (size_t)n, name, name_len, &dupe);
        if (dupe >= 0) {
            header_error(err, (uint32_t)dupe + 1, "the header names a mapped column twice");
            st = CM_EPARSE;
            goto done;
        }
        if (c < 0) {
            if (map->optional[tg])
                continue;
            /* Point at the header's name in the mapping's text. */
            if (err != NULL) {
                err->line = map->where_line[tg];
                err->column = map->where_column[tg];
                err->message = "the file's header lacks this column of the mapping";
            }
            st = CM_ENOTFOUND;
            goto done;
        }
        r->column[tg] = c;
        r->last = c > r->last ? c : r->last;
        snprintf(r->header_name[tg], sizeof r->header_name[tg], "%.*s", (int)name_len, name);
    }
    if (r->column[T_CREATED] < 0) {
        header_error(err, 1, "the header lacks the creation column (created_at)");
        st = CM_ENOTFOUND;
        goto done;
    }
    /* Keys: channel, priority, then the extra ones. */
    const int key_targets[2] = {T_CHANNEL, T_PRIORITY};
    for (size_t k = 0; k < 2; k++) {
        const int tg = key_targets[k];
        if (r->column[tg] < 0)
            continue;
        reader_key *rk = &r->keys[r->nkeys++];
        rk->column = r->column[tg];
        rk->target = tg;
        snprintf(rk->name, sizeof rk->name, "%s", targets[tg].name);
    }
    for (size_t e = 0; e < nextra; e++) {
        const size_t name_len = strlen(extra_keys[e]);
        int dupe;
        const int c = find_column(r->fields, (size_t)n, extra_keys[e], name_len, &dupe);
        if (c < 0 || dupe >= 0 || r->nkeys == CM_TABLE_MAX_KEYS || name_len > CM_TABLE_LABEL_MAX) {
            /* Line 0: the column is extra_keys[column - 1]. */
            if (err != NULL) {
                err->line = 0;
                err->column = (uint32_t)e + 1;
                err->message = c < 0 ? "the file's header lacks this grouping column"
                                     : "the header names this grouping column twice";
            }
            st = c < 0 ? CM_ENOTFOUND : CM_EPARSE;
            goto done;
        }
        bool known = false;
        for (size_t k = 0; k < r->nkeys; k++)
            known |= r->keys[k].column == c;
        if (known)
            continue; /* already a key (channel or priority) */
        reader_key *rk = &r->keys[r->nkeys++];
        rk->column = c;
        rk->target = -1;
        snprintf(rk->name, sizeof rk->name, "%s", extra_keys[e]);
        r->last = c > r->last ? c : r->last;
    }
    for (size_t k = 0; k < r->nkeys; k++) {
        reader_key *rk = &r->keys[k];
        const bool priority = rk->target == T_PRIORITY;
        rk->key = (cm_table_key){rk->name, priority ? 5u : CM_CSV_KEY_LABELS, 2, 0,
                                 priority ? priority_labels : NULL};
        r->spec_keys[k] = rk->key;
    }
    /* The block. */
    r->line = carve(&at, BLOCK * sizeof(uint64_t));
    r->created = carve(&at, BLOCK * sizeof(cm_time));
    r->reply = carve(&at, BLOCK * sizeof(cm_time));
    r->solved = carve(&at, BLOCK * sizeof(cm_time));
    r->contacts = carve(&at, BLOCK * sizeof(uint32_t));
    r->wait = carve(&at, BLOCK * sizeof(double));
    r->handle = carve(&at, BLOCK * sizeof(double));
    r->reopened = carve(&at, BLOCK);
    r->escalated = carve(&at, BLOCK);
    r->abandoned = carve(&at, BLOCK);
    r->csat = carve(&at, BLOCK);
    r->nps = carve(&at, BLOCK);
    r->ces = carve(&at, BLOCK);
    for (size_t k = 0; k < r->nkeys; k++)
        r->codes[k] = carve(&at, BLOCK * sizeof(uint16_t));
done:
    if (st != CM_OK) {
        cm_csv_reader_free(r);
        cm_csv_map_free(own);
        return st;
    }
    r->own_map = own; /* the default mapping, freed with the reader */
    *out = r;
    return CM_OK;
}

size_t cm_csv_reader_key_count(const cm_csv_reader *reader)
{
    return reader != NULL ? reader->nkeys : 0;
}

cm_status cm_csv_reader_key(const cm_csv_reader *reader, size_t index, cm_table_key *out,
                            bool *priority)
{
    CM_REQUIRE(reader != NULL && out != NULL, CM_EINVAL);
    CM_REQUIRE(index < reader->nkeys, CM_ERANGE);
    *out = reader->keys[index].key;
    if (priority != NULL)
        *priority = reader->keys[index].target == T_PRIORITY;
    return CM_OK;
}

cm_status cm_csv_reader_spec(const cm_csv_reader *reader, cm_table_spec *spec)
{
    CM_REQUIRE(reader != NULL && spec != NULL, CM_EINVAL);
    spec->keys = reader->spec_keys;
    spec->nkeys = reader->nkeys;
    spec->priority_key = -1;
    spec->priority_levels = NULL;
    for (size_t k = 0; k < reader->nkeys; k++) {
        if (reader->keys[k].target == T_PRIORITY)
            spec->priority_key = (int32_t)k;
    }
    return CM_OK;
}

/* ---- folding lines -------------------------------------------------------------------------- */

/* Why a field could not be read. */
typedef struct problem {
    int target;           /* or -1 for a key column */
    size_t key;           /* for key columns */
    const char *expected; /* what the column accepts */
} problem;

static const value_entry *mapped(const cm_csv_map *m, int target, const field *f)
{
    for (size_t i = 0; i < m->nvalues; i++) {
        const value_entry *e = &m->values[i];
        if (e->target == (uint32_t)target &&
            same_text(m->arena + e->text, e->text_len, f->p, f->len))
            return e;
    }
    return NULL;
}

static bool read_count(const cm_csv_reader *r, int target, const field *f, uint64_t dflt,
                       uint64_t *out)
{
    const value_entry *e = mapped(r->map, target, f);
    if (e != NULL) {
        *out = e->missing ? dflt : (uint64_t)e->number;
        return true;
    }
    if (f->len == 0) {
        *out = dflt;
        return true;
    }
    double v;
    if (!parse_number(f->p, f->len, &v) || v != floor(v) || v < 0 || v > 4294967295.0)
        return false;
    *out = (uint64_t)v;
    return true;
}

static bool read_flag(const cm_csv_reader *r, int target, const field *f, uint8_t *out)
{
    const value_entry *e = mapped(r->map, target, f);
    if (e != NULL) {
        if (e->missing) {
            *out = 0;
            return true;
        }
        if (e->number > 1)
            return false;
        *out = (uint8_t)e->number;
        return true;
    }
    static const char *const no[] = {"", "0", "false", "no", "n", "f"};
    static const char *const yes[] = {"1", "true", "yes", "y", "t"};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        if (same_text(f->p, f->len, no[i], strlen(no[i]))) {
            *out = 0;
            return true;
        }
    }
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (same_text(f->p, f->len, yes[i], strlen(yes[i]))) {
            *out = 1;
            return true;
        }
    }
    return false;
}

static bool read_answer(const cm_csv_reader *r, int target, const field *f, uint8_t *out)
{
    const value_entry *e = mapped(r->map, target, f);
    if (e != NULL) {
        *out = e->missing || e->number > 254 ? CM_SCORE_NONE : (uint8_t)e->number;
        return e->missing || e->number <= 254;
    }
    if (f->len == 0) {
        *out = CM_SCORE_NONE;
        return true;
    }
    double v;
    /* Any byte but the "no answer" marker: the engine checks the scale. */
    if (!parse_number(f->p, f->len, &v) || v != floor(v) || v < 0 || v > 254)
        return false;
    *out = (uint8_t)v;
    return true;
}

static bool read_seconds(const field *f, double scale, double *out)
{
    if (f->len == 0) {
        *out = (double)NAN;
        return true;
    }
    double v;
    if (!parse_number(f->p, f->len, &v))
        return false;
    *out = v * scale; /* negative and huge values are the engine's to reject */
    return true;
}

/* A key's label, learnt by the report. */
static bool read_key(cm_csv_reader *r, size_t k, const field *f, cm_table_report *report,
                     uint16_t *code, const char **expected)
{
    const reader_key *rk = &r->keys[k];
    const char *label = f->p;
    size_t len = f->len;
    if (rk->target == T_PRIORITY) {
        const value_entry *e = mapped(r->map, T_PRIORITY, f);
        const int level = e != NULL ? (int)e->number : f->len == 0 ? 0 : level_of(f->p, f->len);
        if (level < 0) {
            *expected = "urgent, high, normal, low or empty (or a value map for it)";
            return false;
        }
        *code = (uint16_t)level;
        return true;
    }
    if (rk->target == T_CHANNEL) {
        const value_entry *e = mapped(r->map, T_CHANNEL, f);
        if (e != NULL && !e->missing) {
            label = r->map->arena + e->label;
            len = e->label_len;
        }
    }
    if (len == 0) {
        label = "(none)";
        len = 6;
    }
    if (len > CM_TABLE_LABEL_MAX) {
        *expected = "a value of at most 63 bytes";
        return false;
    }
    uint32_t c;
    const cm_status st = cm_table_report_intern(report, k, label, len, &c);
    if (st != CM_OK) {
        *expected = st == CM_ENOSPC ? "at most 256 distinct values" : "a value";
        return false;
    }
    *code = (uint16_t)c;
    return true;
}

static const char *expected_of(int target)
{
    switch (targets[target].kind) {
    case K_INSTANT:
        return "a date and time such as 2025-01-06T09:00:00Z or 2025-01-06 09:00, or empty";
    case K_AFTER:
        return "a number of minutes or seconds after creation, or empty";
    case K_COUNT:
        return "a whole number, or empty";
    case K_FLAG:
        return "0 or 1 (true/false, yes/no), or empty";
    case K_ANSWER:
        return "a whole number on the survey's scale (or a mapped text), or empty";
    case K_SECONDS:
        return "a decimal number of seconds (or minutes) such as 42, 12.5 or 1e3, or empty";
    default:
        return "a value";
    }
}

/* Parses the fields of one line into row j of the block. On failure fills `bad`. */
static bool read_row(cm_csv_reader *r, const field *f, int nf, size_t j, cm_table_report *report,
                     cm_table_bad_row *bad)
{
    static const field empty = {"", 0};
    const field *col[NTARGETS];
    for (int tg = 0; tg < NTARGETS; tg++) {
        const int c = r->column[tg];
        col[tg] = c >= 0 && c < nf ? &f[c] : &empty;
        if (c >= 0 && memchr(col[tg]->p, '\0', col[tg]->len) != NULL) {
            snprintf(bad->column, sizeof bad->column, "%s", r->header_name[tg]);
            snprintf(bad->expected, sizeof bad->expected, "text without NUL bytes");
            return false;
        }
    }
    int failed = -1;
    const char *expected = NULL;
    if (!parse_instant(col[T_CREATED]->p, col[T_CREATED]->len, r->tz, &r->created[j])) {
        if (col[T_CREATED]->len == 0)
            r->created[j] = CM_TABLE_NO_TIME; /* the engine says it is missing */
        else
            failed = T_CREATED;
    }
    const cm_time created = r->created[j];
    r->reply[j] = CM_TABLE_NO_TIME;
    r->solved[j] = CM_TABLE_NO_TIME;
    const int ends[2][3] = {{T_FIRST_REPLY, T_FIRST_REPLY_MINUTES, T_FIRST_REPLY_SECONDS},
                            {T_SOLVED, -1, -1}};
    cm_time *dst[2] = {&r->reply[j], &r->solved[j]};
    for (int e = 0; e < 2 && failed < 0; e++) {
        for (int a = 0; a < 3; a++) {
            const int tg = ends[e][a];
            if (tg < 0 || r->column[tg] < 0 || col[tg]->len == 0)
                continue;
            if (targets[tg].kind == K_INSTANT) {
                if (!parse_instant(col[tg]->p, col[tg]->len, r->tz, dst[e]))
                    failed = tg;
                continue;
            }
            double v;
            if (!parse_number(col[tg]->p, col[tg]->len, &v) || !(v >= 0) ||
                v * targets[tg].scale > 1e15) {
                failed = tg;
                continue;
            }
            const double secs = v * targets[tg].scale;
            if (created != CM_TABLE_NO_TIME)
                *dst[e] = created + (int64_t)((secs + 0x1p52) - 0x1p52); /* to nearest */
        }
    }
    uint64_t count = 1;
    if (failed < 0 && r->column[T_CONTACTS] >= 0) {
        if (!read_count(r, T_CONTACTS, col[T_CONTACTS], 1, &count) || count > UINT32_MAX)
            failed = T_CONTACTS;
        r->contacts[j] = (uint32_t)count;
    }
    if (failed < 0 && r->column[T_REOPENS] >= 0) {
        if (!read_count(r, T_REOPENS, col[T_REOPENS], 0, &count))
            failed = T_REOPENS;
        r->reopened[j] = count > 0;
    }
    const int flags[3] = {T_REOPENED, T_ESCALATED, T_ABANDONED};
    uint8_t *fdst[3] = {&r->reopened[j], &r->escalated[j], &r->abandoned[j]};
    for (int i = 0; i < 3 && failed < 0; i++) {
        if (r->column[flags[i]] >= 0 && !read_flag(r, flags[i], col[flags[i]], fdst[i]))
            failed = flags[i];
    }
    const int answers[3] = {T_CSAT, T_NPS, T_CES};
    uint8_t *adst[3] = {&r->csat[j], &r->nps[j], &r->ces[j]};
    for (int i = 0; i < 3 && failed < 0; i++) {
        if (r->column[answers[i]] >= 0 && !read_answer(r, answers[i], col[answers[i]], adst[i]))
            failed = answers[i];
    }
    const int secs[2][2] = {{T_WAIT, T_WAIT_MINUTES}, {T_HANDLE, T_HANDLE_MINUTES}};
    double *sdst[2] = {&r->wait[j], &r->handle[j]};
    for (int i = 0; i < 2 && failed < 0; i++) {
        *sdst[i] = (double)NAN;
        for (int a = 0; a < 2; a++) {
            const int tg = secs[i][a];
            if (r->column[tg] >= 0 && !read_seconds(col[tg], targets[tg].scale, sdst[i]))
                failed = tg;
        }
    }
    if (failed >= 0) {
        snprintf(bad->column, sizeof bad->column, "%s", r->header_name[failed]);
        snprintf(bad->expected, sizeof bad->expected, "%s", expected_of(failed));
        const field *v = col[failed];
        snprintf(bad->value, sizeof bad->value, "%.*s", (int)(v->len < 47 ? v->len : 47), v->p);
        return false;
    }
    for (size_t k = 0; k < r->nkeys; k++) {
        const int c = r->keys[k].column;
        const field *v = c < nf ? &f[c] : &empty;
        if (memchr(v->p, '\0', v->len) != NULL) {
            expected = "text without NUL bytes";
        } else if (read_key(r, k, v, report, &r->codes[k][j], &expected)) {
            continue;
        }
        snprintf(bad->column, sizeof bad->column, "%s",
                 r->keys[k].target >= 0 ? r->header_name[r->keys[k].target] : r->keys[k].name);
        snprintf(bad->expected, sizeof bad->expected, "%s", expected);
        snprintf(bad->value, sizeof bad->value, "%.*s", (int)(v->len < 47 ? v->len : 47), v->p);
        return false;
    }
    return true;
}

static cm_status flush(cm_csv_reader *r, cm_table_report *report)
{
    if (r->n == 0)
        return CM_OK;
    const void *keys[CM_TABLE_MAX_KEYS];
    for (size_t k = 0; k < r->nkeys; k++)
        keys[k] = r->codes[k];
    cm_table_columns c;
    CM_TRY(cm_table_columns_init(&c));
    c.rows = r->n;
    c.created = r->created;
    const bool reply = r->column[T_FIRST_REPLY] >= 0 || r->column[T_FIRST_REPLY_MINUTES] >= 0 ||
                       r->column[T_FIRST_REPLY_SECONDS] >= 0;
    c.first_reply = reply ? r->reply : NULL;
    c.solved = r->column[T_SOLVED] >= 0 ? r->solved : NULL;
    c.contacts = r->column[T_CONTACTS] >= 0 ? r->contacts : NULL;
    c.reopened = r->column[T_REOPENED] >= 0 || r->column[T_REOPENS] >= 0 ? r->reopened : NULL;
    c.escalated = r->column[T_ESCALATED] >= 0 ? r->escalated : NULL;
    c.abandoned = r->column[T_ABANDONED] >= 0 ? r->abandoned : NULL;
    c.csat = r->column[T_CSAT] >= 0 ? r->csat : NULL;
    c.nps = r->column[T_NPS] >= 0 ? r->nps : NULL;
    c.ces = r->column[T_CES] >= 0 ? r->ces : NULL;
    c.wait_seconds = r->column[T_WAIT] >= 0 || r->column[T_WAIT_MINUTES] >= 0 ? r->wait : NULL;
    c.handle_seconds =
        r->column[T_HANDLE] >= 0 || r->column[T_HANDLE_MINUTES] >= 0 ? r->handle : NULL;
    c.keys = r->nkeys > 0 ? keys : NULL;
    c.row_numbers = r->line;
    CM_TRY(cm_table_report_add(report, &c));
    r->n = 0;
    return CM_OK;
}

/* A quoted field may hold line ends, within these bounds; beyond them (or when the
 * record would have more fields than the header) the opening quote is taken as a
 * mistake of its own line, so that one stray quote cannot swallow the lines after it. */
#define SPAN_LINES 64
#define SPAN_BYTES 65536

/* Fields of a record (commas outside quotes, plus one). */
static size_t record_fields(const char *p, const char *e)
{
    size_t n = 1;
    bool open = false;
    for (; p < e; p++) {
        open ^= *p == '"';
        n += !open && *p == ',';
    }
    return n;
}

/* The end of the record starting at p (before its line end); *next is where the
 * following record starts, *breaks the line ends inside it. */
static const char *line_end(const char *p, const char *end, bool cr_only, size_t nheader,
                            const char **next, uint64_t *breaks)
{
    const char sep = cr_only ? '\r' : '\n';
    const char *first = memchr(p, sep, (size_t)(end - p));
    if (first == NULL)
        first = end;
    const char *e = first;
    *breaks = 0;
    if (memchr(p, '"', (size_t)(e - p)) != NULL) {
        bool open = false;
        for (const char *q = p; q < e; q++)
            open ^= *q == '"';
        uint64_t spans = 0;
        while (open && e < end && spans < SPAN_LINES && (size_t)(e - p) < SPAN_BYTES) {
            const char *q = e + 1;
            const char *more = memchr(q, sep, (size_t)(end - q));
            e = more != NULL ? more : end;
            spans++;
            for (; q < e; q++)
                open ^= *q == '"';
        }
        if (!open && spans > 0 && record_fields(p, e) <= nheader) {
            *breaks = spans;
        } else {
            e = first; /* the quote is this line's mistake */
        }
    }
    *next = e < end ? e + 1 : end;
    if (!cr_only && e > p && e[-1] == '\r')
        e--;
    return e;
}

static void syntax_bad(cm_table_bad_row *b, const char *what)
{
    snprintf(b->column, sizeof b->column, "(line)");
    snprintf(b->expected, sizeof b->expected, "%s", what);
}

cm_status cm_csv_reader_fold(cm_csv_reader *reader, const char *data, size_t len,
                             uint64_t first_line, cm_table_report *report, uint64_t *lines)
{
    CM_REQUIRE(reader != NULL && report != NULL && (data != NULL || len == 0), CM_EINVAL);
    cm_csv_reader *r = reader;
    const char *p = data, *end = data + len;
    /* Files whose lines end in CR alone have no LF at all. */
    const bool cr_only =
        len > 0 && memchr(data, '\n', len) == NULL && memchr(data, '\r', len) != NULL;
    uint64_t line = first_line;
    r->n = 0;
    while (p < end) {
        const char *next;
        uint64_t breaks;
        const char *e = line_end(p, end, cr_only, r->nheader, &next, &breaks);
        const size_t n = (size_t)(e - p);
        const uint64_t this_line = line;
        line += 1 + breaks;
        if (n > 0) {
            cm_table_bad_row bad;
            memset(&bad, 0, sizeof bad);
            bad.row = this_line;
            bool ok;
            if (n > CM_CSV_LINE_MAX) {
                syntax_bad(&bad, "a line of at most 1 MiB");
                ok = false;
            } else {
                const int nf = split(p, n, r->fields, r->last + 1, r->unquoted, UNQUOTED_MAX);
                if (nf < 0) {
                    syntax_bad(&bad, nf == -1 ? "balanced quotes (RFC 4180)"
                                              : "at most 64 KiB of quoted fields with \"\"");
                    ok = false;
                } else {
                    ok = read_row(r, r->fields, nf, r->n, report, &bad);
                }
            }
            if (!ok) {
                const cm_status st = cm_table_report_add_bad_row(report, &bad);
                if (st != CM_OK) {
                    if (lines != NULL)
                        *lines = this_line - first_line;
                    return st;
                }
            } else {
                r->line[r->n++] = this_line;
                if (r->n == BLOCK) {
                    const cm_status st = flush(r, report);
                    if (st != CM_OK) {
                        if (lines != NULL)
                            *lines = r->line[0] - first_line;
                        r->n = 0;
                        return st;
                    }
                }
            }
        }
        p = next;
    }
    const cm_status st = flush(r, report);
    if (st != CM_OK) {
        if (lines != NULL)
            *lines = r->line[0] - first_line;
        r->n = 0;
        return st;
    }
    if (lines != NULL)
        *lines = line - first_line;
    return CM_OK;
}

cm_status cm_csv_split_point(const char *data, size_t len, size_t from, size_t at, size_t *out)
{
    CM_REQUIRE(data != NULL && out != NULL && from <= at && at <= len, CM_EINVAL);
    /* Quote parity from a known line start up to `at`, then the next line end outside
     * quotes. Only the quotes are visited (memchr). */
    bool open = false;
    const char *p = data + from, *stop = data + at, *end = data + len;
    for (;;) {
        const char *q = memchr(p, '"', (size_t)(stop - p));
        if (q == NULL)
            break;
        open = !open;
        p = q + 1;
    }
    for (p = stop; p < end; p++) {
        if (*p == '"')
            open = !open;
        else if (!open && (*p == '\n' || *p == '\r')) {
            const char *s = p + 1;
            if (*p == '\r' && s < end && *s == '\n')
                s++;
            *out = (size_t)(s - data);
            return CM_OK;
        }
    }
    *out = len;
    return CM_OK;
}
