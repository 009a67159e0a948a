/*
 * caremetrics-staffing: the day's totals, and the plan as text, JSON or CSV.
 *
 * Every figure comes from the library (cm_staffing_plan, cm_erlang_a*,
 * cm_workload_hours, cm_workforce_plan); this file only sums agents into
 * agent-hours and volumes into contacts. JSON and CSV carry every number the
 * text shows, with as many significant digits (up to 17) as it takes to read
 * back the same double. A figure the library could not compute is never printed as a number:
 * the text prints the library's message or "n/a", JSON null and CSV an empty
 * field, beside a status naming why (cm_status_name).
 * SPDX-License-Identifier: MIT
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "staffing.h"

/* ---- totals ----------------------------------------------------------------------------- */

/* The FTE of agent-hours: Erlang staffing already includes the agents' idle time, so
 * occupancy 1 here. Undefined (with the first failing status) unless every interval is
 * staffed. */
static day_figure staffed(cm_status first_failure, double agent_hours, const options *opt)
{
    day_figure f;
    memset(&f, 0, sizeof f);
    f.status = first_failure;
    if (f.status == CM_OK)
        f.status =
            cm_workforce_plan(agent_hours, 1.0, opt->shrinkage, opt->shift_hours, 1.0, &f.wf);
    return f;
}

void day_totals(const forecast *fc, const options *opt, day *d)
{
    memset(d, 0, sizeof *d);
    static double volume[MAX_INTERVALS], aht[MAX_INTERVALS];
    double agent_hours = 0.0, a_agent_hours = 0.0;
    cm_status c_failure = CM_OK, a_failure = CM_OK;
    for (size_t i = 0; i < fc->n; i++) {
        const interval *iv = &fc->iv[i];
        volume[i] = iv->volume;
        aht[i] = iv->aht_seconds;
        d->contacts += iv->volume;
        if (iv->status == CM_OK) {
            agent_hours += iv->plan.agents * opt->interval_minutes / 60.0;
        } else {
            d->not_staffed++;
            c_failure = c_failure != CM_OK ? c_failure : iv->status;
        }
        if (opt->patience > 0.0 && iv->a_status == CM_OK) {
            a_agent_hours += iv->a_agents * opt->interval_minutes / 60.0;
        } else if (opt->patience > 0.0) {
            d->a_not_staffed++;
            a_failure = a_failure != CM_OK ? a_failure : iv->a_status;
        }
    }
    d->by_intervals = staffed(c_failure, agent_hours, opt);
    d->erlang_a = staffed(a_failure, a_agent_hours, opt);
    double workload = 0.0;
    d->by_workload.status = cm_workload_hours(volume, aht, fc->n, &workload);
    if (d->by_workload.status == CM_OK)
        d->by_workload.status = cm_workforce_plan(workload, opt->max_occupancy, opt->shrinkage,
                                                  opt->shift_hours, 1.0, &d->by_workload.wf);
}

/* ---- text ------------------------------------------------------------------------------- */

static void fmt_mmss(char *buf, size_t cap, double seconds)
{
    const long long s = llround(seconds);
    snprintf(buf, cap, "%lldm %02llds", s / 60, s % 60);
}

static void text_fte(const char *label, const day_figure *f)
{
    if (f->status == CM_OK)
        printf("%s %8.2f\n", label, f->wf.fte);
    else
        printf("%s %8s\n", label, "n/a");
}

static void print_text(const forecast *fc, const day *d, const options *opt)
{
    const bool erlang_a = opt->patience > 0.0;
    printf("caremetrics-staffing %s: %s\n", cm_version_string(), opt->path);
    printf("target %g %% within %g s, occupancy at most %g %%, %g-minute intervals (Erlang C)\n",
           100.0 * opt->target, opt->seconds, 100.0 * opt->max_occupancy, opt->interval_minutes);
    if (erlang_a)
        printf("Erlang A: mean patience %g s, abandons counting against the target\n",
               opt->patience);
    printf("\n%-20s %8s %8s %9s %7s %8s %8s %10s", "interval", "volume", "AHT", "Erlangs", "agents",
           "SL", "ASA", "occupancy");
    if (erlang_a)
        printf(" %9s %8s", "Erlang A", "abandon");
    printf("\n");

    for (size_t i = 0; i < fc->n; i++) {
        const interval *iv = &fc->iv[i];
        const cm_interval_staffing *s = &iv->plan;
        char aht[32];
        fmt_mmss(aht, sizeof aht, iv->aht_seconds);
        if (iv->status != CM_OK) {
            printf("%-20s %8.1f %8s   cannot be staffed: %s\n", iv->start, iv->volume, aht,
                   cm_strerror(iv->status));
            continue;
        }
        printf("%-20s %8.1f %8s %9.2f %7u %6.1f %% %6.1f s %8.1f %%", iv->start, iv->volume, aht,
               s->traffic, s->agents, 100.0 * s->service_level, s->asa_seconds,
               100.0 * s->occupancy);
        if (erlang_a && iv->a_status == CM_OK)
            printf(" %9u %6.1f %%", iv->a_agents, 100.0 * iv->a.p_abandon);
        else if (erlang_a)
            printf("   Erlang A: %s", cm_strerror(iv->a_status));
        printf("\n");
    }

    const day_figure *di = &d->by_intervals, *dw = &d->by_workload;
    printf("\nday: %zu intervals, %.0f contacts, ", fc->n, d->contacts);
    if (dw->status == CM_OK)
        printf("workload %.1f h, ", dw->wf.workload_hours);
    else
        printf("workload n/a (%s), ", cm_strerror(dw->status));
    if (di->status == CM_OK)
        printf("%.1f agent-hours on queue\n", di->wf.workload_hours);
    else if (d->not_staffed > 0)
        printf("agent-hours on queue n/a (%zu interval%s not staffed)\n", d->not_staffed,
               d->not_staffed == 1 ? "" : "s");
    else
        printf("agent-hours on queue n/a (%s)\n", cm_strerror(di->status));
    char label[96];
    snprintf(label, sizeof label, "FTE (interval staffing, %g %% shrinkage, %g-hour shifts)  ",
             100.0 * opt->shrinkage, opt->shift_hours);
    text_fte(label, di);
    snprintf(label, sizeof label, "FTE (workload at %g %% occupancy, same shrinkage)         ",
             100.0 * opt->max_occupancy);
    text_fte(label, dw);
    if (erlang_a)
        text_fte("FTE (Erlang A interval staffing)                          ", &d->erlang_a);
    if (fc->bad_lines > 0)
        printf("bad rows skipped: %llu\n", fc->bad_lines);
}

/* ---- numbers -------------------------------------------------------------------------- */

/* The shortest of %.15g, %.16g and %.17g that reads back as the same double (%.17g always
 * does), so 0.8 prints as 0.8 and 2/3 with all its digits. */
static void fmt_double(char *buf, size_t cap, double v)
{
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, cap, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

/* ---- JSON ------------------------------------------------------------------------------- */

/* Length of the UTF-8 sequence at s (1..4), or 0 when it is not well formed. */
static size_t utf8_length(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n;
    uint32_t cp;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        n = 2;
        cp = s[0] & 0x1fu;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        n = 3;
        cp = s[0] & 0x0fu;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        n = 4;
        cp = s[0] & 0x07u;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
            return 0;
        cp = cp << 6 | (s[i] & 0x3fu);
    }
    const uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/* A JSON string; bytes that are not UTF-8 (a file name may hold any) become U+FFFD. */
static void jstr(const char *text)
{
    putchar('"');
    for (const unsigned char *s = (const unsigned char *)text; *s;) {
        const size_t n = utf8_length(s);
        if (n == 0) {
            fputs("\\ufffd", stdout);
            s++;
        } else if (n > 1) {
            fwrite(s, 1, n, stdout);
            s += n;
        } else {
            if (*s == '"' || *s == '\\')
                printf("\\%c", *s);
            else if (*s < 0x20 || *s == 0x7f)
                printf("\\u%04x", *s);
            else
                putchar(*s);
            s++;
        }
    }
    putchar('"');
}

/* "key": number (17 significant digits) or null; then sep. */
static void jnum(const char *key, double v, bool defined, const char *sep)
{
    char num[32];
    if (defined && isfinite(v)) {
        fmt_double(num, sizeof num, v);
        printf("\"%s\": %s%s", key, num, sep);
    } else
        printf("\"%s\": null%s", key, sep);
}

/* "key": count or null; then sep. */
static void jcount(const char *key, uint32_t v, bool defined, const char *sep)
{
    if (defined)
        printf("\"%s\": %" PRIu32 "%s", key, v, sep);
    else
        printf("\"%s\": null%s", key, sep);
}

static void jstatus(cm_status st, const char *sep)
{
    printf("\"status\": \"%s\", \"message\": ", cm_status_name(st));
    jstr(cm_strerror(st));
    fputs(sep, stdout);
}

static void json_erlang_a(const interval *iv)
{
    const bool ok = iv->a_status == CM_OK;
    const cm_erlang_a_result *a = &iv->a;
    printf(", \"erlang_a\": {");
    jstatus(iv->a_status, ", ");
    jcount("agents", iv->a_agents, ok, ", ");
    jnum("p_wait", a->p_wait, ok, ", ");
    jnum("p_abandon", a->p_abandon, ok, ", ");
    jnum("service_level", a->service_level, ok, ", ");
    jnum("p_abandoned_within", a->p_abandoned_within, ok, ", ");
    jnum("asa_seconds", a->asa_seconds, ok, ", ");
    jnum("mean_wait_seconds", a->mean_wait_seconds, ok, ", ");
    jnum("occupancy", a->occupancy, ok, "}");
}

/* A workforce figure of the day; agent_hours names its wf.workload_hours. */
static void json_figure(const char *key, const day_figure *f, const char *hours_key,
                        const char *sep)
{
    const bool ok = f->status == CM_OK;
    printf("    \"%s\": {", key);
    jstatus(f->status, ", ");
    jnum(hours_key, f->wf.workload_hours, ok, ", ");
    jnum("scheduled_hours", f->wf.scheduled_hours, ok, ", ");
    jnum("shifts", f->wf.shifts, ok, ", ");
    jnum("fte", f->wf.fte, ok, "}");
    fputs(sep, stdout);
}

static void print_json(const forecast *fc, const day *d, const options *opt)
{
    const bool erlang_a = opt->patience > 0.0;
    printf("{\n  \"program\": \"%s\", \"version\": ", PROGRAM);
    jstr(cm_version_string());
    printf(", \"input\": ");
    jstr(opt->path);
    printf(",\n  \"model\": \"%s\",\n  \"assumptions\": {",
           erlang_a ? "erlang_c+erlang_a" : "erlang_c");
    jnum("interval_minutes", opt->interval_minutes, true, ", ");
    jnum("target_service_level", opt->target, true, ", ");
    jnum("target_seconds", opt->seconds, true, ", ");
    jnum("max_occupancy", opt->max_occupancy, true, ", ");
    jnum("shrinkage", opt->shrinkage, true, ", ");
    jnum("shift_hours", opt->shift_hours, true, ", ");
    jnum("patience_seconds", opt->patience, erlang_a, "},\n");
    printf("  \"intervals\": [");
    for (size_t i = 0; i < fc->n; i++) {
        const interval *iv = &fc->iv[i];
        const cm_interval_staffing *s = &iv->plan;
        const bool ok = iv->status == CM_OK;
        printf("%s\n    {\"line\": %llu, \"interval_start\": ", i ? "," : "", iv->line);
        jstr(iv->start);
        printf(", ");
        jnum("volume", iv->volume, true, ", ");
        jnum("aht_seconds", iv->aht_seconds, true, ", ");
        jstatus(iv->status, ", ");
        jnum("traffic_erlangs", s->traffic, ok, ", ");
        jcount("agents", s->agents, ok, ", ");
        jnum("service_level", s->service_level, ok, ", ");
        jnum("asa_seconds", s->asa_seconds, ok, ", ");
        jnum("occupancy", s->occupancy, ok, "");
        if (erlang_a)
            json_erlang_a(iv);
        printf("}");
    }
    printf("\n  ],\n  \"day\": {\n    \"intervals\": %zu, \"intervals_not_staffed\": %zu, ", fc->n,
           d->not_staffed);
    if (erlang_a)
        printf("\"intervals_not_staffed_erlang_a\": %zu, ", d->a_not_staffed);
    printf("\"bad_lines\": %llu, ", fc->bad_lines);
    jnum("contacts", d->contacts, true, ",\n");
    json_figure("interval_staffing", &d->by_intervals, "agent_hours", ",\n");
    json_figure("workload_staffing", &d->by_workload, "workload_hours", erlang_a ? ",\n" : "\n");
    if (erlang_a)
        json_figure("erlang_a_staffing", &d->erlang_a, "agent_hours", "\n");
    printf("  }\n}\n");
}

/* ---- CSV -------------------------------------------------------------------------------- */

/* The columns, in order (docs/queue.md describes each). */
static const char *const csv_columns[] = {
    "row", "line", "interval_start", "volume", "aht_seconds", "traffic_erlangs", "agents",
    "service_level", "asa_seconds", "occupancy", "status",
    /* Erlang A, with --patience */
    "erlang_a_agents", "erlang_a_p_wait", "erlang_a_p_abandon", "erlang_a_service_level",
    "erlang_a_p_abandoned_within", "erlang_a_asa_seconds", "erlang_a_mean_wait_seconds",
    "erlang_a_occupancy", "erlang_a_status",
    /* the total row */
    "intervals", "intervals_not_staffed", "bad_lines", "workload_hours", "workload_status",
    "agent_hours", "fte_interval_staffing", "fte_workload", "fte_erlang_a",
    /* the assumptions, on the total row */
    "interval_minutes", "target_service_level", "target_seconds", "max_occupancy", "shrinkage",
    "shift_hours", "patience_seconds"};
#define CSV_COLUMNS (sizeof csv_columns / sizeof csv_columns[0])

/* One row under construction: each cell a number, an unsigned count, text or empty. */
typedef struct csv_row {
    char cell[CSV_COLUMNS][START_BYTES + 8];
} csv_row;

static size_t column(const char *name)
{
    for (size_t i = 0; i < CSV_COLUMNS; i++) {
        if (strcmp(csv_columns[i], name) == 0)
            return i;
    }
    return CSV_COLUMNS; /* not reached: every name below is in the table */
}

static void set_num(csv_row *r, const char *name, double v, bool defined)
{
    const size_t c = column(name);
    if (c < CSV_COLUMNS && defined && isfinite(v))
        fmt_double(r->cell[c], sizeof r->cell[c], v);
}

static void set_count(csv_row *r, const char *name, unsigned long long v)
{
    const size_t c = column(name);
    if (c < CSV_COLUMNS)
        snprintf(r->cell[c], sizeof r->cell[c], "%llu", v);
}

static void set_text(csv_row *r, const char *name, const char *text)
{
    const size_t c = column(name);
    if (c < CSV_COLUMNS)
        snprintf(r->cell[c], sizeof r->cell[c], "%s", text);
}

/* A cell, quoted when it holds a comma, a quote or a line end (RFC 4180). */
static void csv_cell(const char *s)
{
    const bool quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        putchar('"');
    for (; *s; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    if (quote)
        putchar('"');
}

static void put_row(const csv_row *r)
{
    for (size_t i = 0; i < CSV_COLUMNS; i++) {
        if (i > 0)
            putchar(',');
        csv_cell(r->cell[i]);
    }
    putchar('\n');
}

static void print_csv(const forecast *fc, const day *d, const options *opt)
{
    const bool erlang_a = opt->patience > 0.0;
    for (size_t i = 0; i < CSV_COLUMNS; i++)
        printf("%s%s", i ? "," : "", csv_columns[i]);
    putchar('\n');
    csv_row r;
    for (size_t i = 0; i < fc->n; i++) {
        const interval *iv = &fc->iv[i];
        const bool ok = iv->status == CM_OK, a_ok = erlang_a && iv->a_status == CM_OK;
        memset(&r, 0, sizeof r);
        set_text(&r, "row", "interval");
        set_count(&r, "line", iv->line);
        set_text(&r, "interval_start", iv->start);
        set_num(&r, "volume", iv->volume, true);
        set_num(&r, "aht_seconds", iv->aht_seconds, true);
        set_num(&r, "traffic_erlangs", iv->plan.traffic, ok);
        if (ok)
            set_count(&r, "agents", iv->plan.agents);
        set_num(&r, "service_level", iv->plan.service_level, ok);
        set_num(&r, "asa_seconds", iv->plan.asa_seconds, ok);
        set_num(&r, "occupancy", iv->plan.occupancy, ok);
        set_text(&r, "status", cm_status_name(iv->status));
        if (erlang_a) {
            if (a_ok)
                set_count(&r, "erlang_a_agents", iv->a_agents);
            set_num(&r, "erlang_a_p_wait", iv->a.p_wait, a_ok);
            set_num(&r, "erlang_a_p_abandon", iv->a.p_abandon, a_ok);
            set_num(&r, "erlang_a_service_level", iv->a.service_level, a_ok);
            set_num(&r, "erlang_a_p_abandoned_within", iv->a.p_abandoned_within, a_ok);
            set_num(&r, "erlang_a_asa_seconds", iv->a.asa_seconds, a_ok);
            set_num(&r, "erlang_a_mean_wait_seconds", iv->a.mean_wait_seconds, a_ok);
            set_num(&r, "erlang_a_occupancy", iv->a.occupancy, a_ok);
            set_text(&r, "erlang_a_status", cm_status_name(iv->a_status));
        }
        put_row(&r);
    }
    const day_figure *di = &d->by_intervals, *dw = &d->by_workload;
    memset(&r, 0, sizeof r);
    set_text(&r, "row", "total");
    set_num(&r, "volume", d->contacts, true);
    set_text(&r, "status", cm_status_name(di->status));
    set_count(&r, "intervals", fc->n);
    set_count(&r, "intervals_not_staffed", d->not_staffed);
    set_count(&r, "bad_lines", fc->bad_lines);
    set_num(&r, "workload_hours", dw->wf.workload_hours, dw->status == CM_OK);
    set_text(&r, "workload_status", cm_status_name(dw->status));
    set_num(&r, "agent_hours", di->wf.workload_hours, di->status == CM_OK);
    set_num(&r, "fte_interval_staffing", di->wf.fte, di->status == CM_OK);
    set_num(&r, "fte_workload", dw->wf.fte, dw->status == CM_OK);
    if (erlang_a) {
        set_num(&r, "fte_erlang_a", d->erlang_a.wf.fte, d->erlang_a.status == CM_OK);
        set_text(&r, "erlang_a_status", cm_status_name(d->erlang_a.status));
        set_num(&r, "patience_seconds", opt->patience, true);
    }
    set_num(&r, "interval_minutes", opt->interval_minutes, true);
    set_num(&r, "target_service_level", opt->target, true);
    set_num(&r, "target_seconds", opt->seconds, true);
    set_num(&r, "max_occupancy", opt->max_occupancy, true);
    set_num(&r, "shrinkage", opt->shrinkage, true);
    set_num(&r, "shift_hours", opt->shift_hours, true);
    put_row(&r);
}

void print_plan(const forecast *fc, const day *d, const options *opt)
{
    if (opt->format == FORMAT_JSON)
        print_json(fc, d, opt);
    else if (opt->format == FORMAT_CSV)
        print_csv(fc, d, opt);
    else
        print_text(fc, d, opt);
}
