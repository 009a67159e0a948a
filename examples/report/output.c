/*
 * caremetrics-report: printing a finished report as text, JSON or CSV.
 * Every number comes from the library's result functions; a KPI without data
 * prints the library's message (text), null (JSON) or nothing (CSV). JSON and
 * CSV carry every figure the text shows.
 * SPDX-License-Identifier: MIT
 */
#include "report.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void fmt_duration(char *buf, size_t cap, double seconds)
{
    const long long s = llround(seconds);
    if (s < 60)
        snprintf(buf, cap, "%llds", s);
    else if (s < 3600)
        snprintf(buf, cap, "%lldm %02llds", s / 60, s % 60);
    else if (s < 86400)
        snprintf(buf, cap, "%lldh %02lldm", s / 3600, s / 60 % 60);
    else
        snprintf(buf, cap, "%lldd %02lldh", s / 86400, s / 3600 % 24);
}

static const char *const priority_order[] = {"urgent", "high", "normal", "low", "none"};
/* SLA levels of the report's priority tables: urgent .. low. */
static const uint32_t sla_levels[4] = {CM_SLA_PRIORITY_URGENT, CM_SLA_PRIORITY_HIGH,
                                       CM_SLA_PRIORITY_NORMAL, CM_SLA_PRIORITY_LOW};

const char *view_label(const report_view *v, size_t gi, int key)
{
    cm_table_group g;
    if (key < 0 || cm_table_report_group(v->rep, gi, &g) != CM_OK ||
        g.codes[key] == CM_TABLE_ALL_CODES)
        return "-";
    const char *l = cm_table_report_label(v->rep, (size_t)key, g.codes[key]);
    return l != NULL ? l : "-";
}

static int priority_rank(const char *label)
{
    for (int i = 0; i < 5; i++) {
        if (strcmp(label, priority_order[i]) == 0)
            return i;
    }
    return 5;
}

size_t view_groups(const report_view *v, int g, size_t *out, size_t cap)
{
    if (v->grouping[g] < 0)
        return 0;
    size_t n = 0;
    const size_t total = cm_table_report_group_count(v->rep);
    for (size_t i = 0; i < total && n < cap; i++) {
        cm_table_group grp;
        if (cm_table_report_group(v->rep, i, &grp) == CM_OK &&
            grp.grouping == (uint32_t)v->grouping[g])
            out[n++] = i;
    }
    /* Priorities urgent first and none last, other keys by label: the same order
     * whatever order the labels were learnt in (a small insertion sort). */
    const int key = g == G_PRIORITY ? v->priority_key : g == G_CHANNEL ? v->channel_key : -1;
    for (size_t i = 1; key >= 0 && i < n; i++) {
        const size_t x = out[i];
        const char *lx = view_label(v, x, key);
        size_t j = i;
        while (j > 0) {
            const char *lj = view_label(v, out[j - 1], key);
            const bool after =
                g == G_PRIORITY ? priority_rank(lj) > priority_rank(lx) : strcmp(lj, lx) > 0;
            if (!after)
                break;
            out[j] = out[j - 1];
            j--;
        }
        out[j] = x;
    }
    return n;
}

/* The name of a --by group: its keys' labels and its time bucket, space-separated. */
static void by_name(const report_view *v, size_t gi, char *buf, size_t cap)
{
    size_t w = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < v->nby_keys && w < cap; i++)
        w += (size_t)snprintf(buf + w, cap - w, "%s%s", i ? " " : "",
                              view_label(v, gi, v->by_keys[i]));
    cm_table_group g;
    if (w >= cap || cm_table_report_group(v->rep, gi, &g) != CM_OK)
        return;
    const char *sep = w > 0 ? " " : "";
    char t[CM_TIME_FORMAT_SIZE];
    cm_civil c;
    switch (v->opt->by_bucket) {
    case CM_TABLE_BUCKET_NONE:
        break;
    case CM_TABLE_BUCKET_WEEKDAY: {
        static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
        snprintf(buf + w, cap - w, "%s%s", sep,
                 g.slot >= 1 && g.slot <= 7 ? days[g.slot - 1] : "?");
        break;
    }
    case CM_TABLE_BUCKET_TIME_OF_DAY: {
        const int64_t m = g.slot * (int64_t)v->opt->by_minutes;
        snprintf(buf + w, cap - w, "%s%02d:%02d", sep, (int)(m / 60), (int)(m % 60));
        break;
    }
    case CM_TABLE_BUCKET_MONTH:
        if (cm_time_to_civil(g.start + g.utc_offset, &c) == CM_OK)
            snprintf(buf + w, cap - w, "%s%04d-%02d", sep, (int)c.year, (int)c.month);
        break;
    case CM_TABLE_BUCKET_DAY:
    case CM_TABLE_BUCKET_WEEK:
        if (cm_time_to_civil(g.start + g.utc_offset, &c) == CM_OK)
            snprintf(buf + w, cap - w, "%s%04d-%02d-%02d", sep, (int)c.year, (int)c.month,
                     (int)c.day);
        break;
    default: /* hours and intervals: the start instant, with the local offset */
        if (cm_time_to_civil(g.start + g.utc_offset, &c) == CM_OK)
            snprintf(buf + w, cap - w, "%s%04d-%02d-%02dT%02d:%02d%+03d:%02d", sep, (int)c.year,
                     (int)c.month, (int)c.day, (int)c.hour, (int)c.minute,
                     (int)(g.utc_offset / 3600), (int)(labs((long)g.utc_offset) / 60 % 60));
        else if (cm_time_format(g.start, t, sizeof t) == CM_OK)
            snprintf(buf + w, cap - w, "%s%s", sep, t);
        break;
    }
}

/* An SLA metric's name as a JSON or CSV key (first_reply, total_resolution). */
static const char *metric_key(uint32_t metric)
{
    return metric == CM_SLA_FIRST_REPLY ? "first_reply" : "total_resolution";
}

/* ---- text ------------------------------------------------------------------------------ */

static void text_rate(const report_view *v, size_t gi, const char *label, uint32_t kpi)
{
    cm_proportion p;
    const cm_status st = cm_table_report_rate(v->rep, gi, kpi, v->opt->confidence, &p);
    if (st != CM_OK) {
        printf("  %-34s %s\n", label, cm_strerror(st));
        return;
    }
    printf("  %-34s %7.1f %%  [%5.1f, %5.1f]  %10llu of %llu\n", label, 100.0 * p.value,
           100.0 * p.lo, 100.0 * p.hi, (unsigned long long)p.num, (unsigned long long)p.den);
}

static void text_distribution(const report_view *v, size_t gi, const char *label, uint32_t m)
{
    cm_table_duration d;
    const cm_status st = cm_table_report_duration(v->rep, gi, m, &d);
    if (st != CM_OK) {
        printf("  %-34s %s\n", label, cm_strerror(st));
        return;
    }
    char mean[32], q[3][32];
    fmt_duration(mean, sizeof mean, d.mean_seconds);
    for (size_t i = 0; i < 3; i++) {
        if (i < d.nquantiles)
            fmt_duration(q[i], sizeof q[i], d.quantiles[i]);
        else
            snprintf(q[i], sizeof q[i], "-");
    }
    printf("  %-34s %10s %10s %10s %10s %10llu\n", label, mean, q[0], q[1], q[2],
           (unsigned long long)d.n);
}

static void text_surveys(const report_view *v, size_t gi)
{
    const double conf = v->opt->confidence;
    cm_csat_summary cs;
    cm_status st = cm_table_report_csat(v->rep, gi, conf, &cs);
    if (st == CM_OK)
        printf("  %-34s %7.1f %%  [%5.1f, %5.1f]  %10llu\n", "CSAT (4-5 on 1-5)",
               100.0 * cs.satisfied.value, 100.0 * cs.satisfied.lo, 100.0 * cs.satisfied.hi,
               (unsigned long long)cs.satisfied.den);
    else
        printf("  %-34s %s\n", "CSAT", cm_strerror(st));
    cm_nps_summary ns;
    st = cm_table_report_nps(v->rep, gi, conf, &ns);
    if (st == CM_OK)
        printf("  %-34s %+7.1f    [%+5.1f, %+5.1f]  %10llu  (se %.1f)\n", "NPS", ns.score, ns.lo,
               ns.hi, (unsigned long long)ns.n, ns.se);
    else
        printf("  %-34s %s\n", "NPS", cm_strerror(st));
    cm_ces_summary es;
    st = cm_table_report_ces(v->rep, gi, conf, &es);
    if (st == CM_OK) {
        printf("  %-34s %7.2f    [%5.2f, %5.2f]  %10llu\n", "CES (mean on 1-7)", es.mean, es.lo,
               es.hi, (unsigned long long)es.n);
        printf("  %-34s %7.1f %%  [%5.1f, %5.1f]  %10llu\n", "CES low effort (5-7)",
               100.0 * es.easy.value, 100.0 * es.easy.lo, 100.0 * es.easy.hi,
               (unsigned long long)es.n);
    } else {
        printf("  %-34s %s\n", "CES", cm_strerror(st));
    }
}

/* The SLA first-reply target of level l, for labels. */
static void target_label(const report_view *v, int p, char *buf, size_t cap)
{
    const report_rules *rules = v->opt->rules;
    char t[32];
    fmt_duration(t, sizeof t, (double)rules->first_reply_target[p]);
    snprintf(buf, cap, "%s (%s%s)", priority_order[p], t,
             rules->first_reply_business[p] ? " business" : "");
}

static void text_business(const report_view *v)
{
    const report_rules *rules = v->opt->rules;
    if (rules->calendar == NULL) {
        printf("  %-34s %s\n", "First reply (business hours)", rules->problem);
        return;
    }
    static const struct {
        const char *label;
        uint32_t metric;
    } rows[] = {{"First reply (business hours)", CM_TABLE_FIRST_REPLY_BUSINESS},
                {"Resolution (business hours)", CM_TABLE_RESOLUTION_BUSINESS}};
    for (size_t i = 0; i < (v->opt->kpis_only ? 1u : 2u); i++) {
        cm_table_duration d;
        if (cm_table_report_duration(v->rep, 0, rows[i].metric, &d) != CM_OK) {
            printf("  %-34s %s\n", rows[i].label, cm_strerror(CM_ENODATA));
            continue;
        }
        if (d.nquantiles >= 3) {
            text_distribution(v, 0, rows[i].label, rows[i].metric);
            continue;
        }
        char mean[32];
        fmt_duration(mean, sizeof mean, d.mean_seconds);
        printf("  %-34s %10s %43llu\n", rows[i].label, mean, (unsigned long long)d.n);
    }
    if (rules->policy == NULL)
        return;
    printf("\nFirst reply within the SLA target        value  interval              count\n");
    for (int p = 0; p < 4; p++) {
        if (rules->first_reply_target[p] == 0)
            continue;
        char label[64];
        target_label(v, p, label, sizeof label);
        cm_proportion r;
        const cm_status st =
            cm_table_report_reply_within(v->rep, 0, sla_levels[p], v->opt->confidence, &r);
        if (st != CM_OK)
            printf("  %-34s %s\n", label, cm_strerror(st));
        else
            printf("  %-34s %7.1f %%  [%5.1f, %5.1f]  %10llu of %llu\n", label, 100.0 * r.value,
                   100.0 * r.lo, 100.0 * r.hi, (unsigned long long)r.num,
                   (unsigned long long)r.den);
    }
}

static void text_breakdown(const report_view *v, int g, const char *what, uint32_t metric)
{
    size_t groups[CM_CSV_KEY_LABELS];
    const size_t n = view_groups(v, g, groups, CM_CSV_KEY_LABELS);
    if (n == 0)
        return;
    printf("\n%s by %s\n", what, g == G_CHANNEL ? "channel" : "priority");
    for (size_t i = 0; i < n; i++)
        text_distribution(
            v, groups[i],
            view_label(v, groups[i], g == G_CHANNEL ? v->channel_key : v->priority_key), metric);
}

static void text_sla(const report_view *v)
{
    const double conf = v->opt->confidence;
    const report_rules *rules = v->opt->rules;
    printf("\nSLA attainment (%d %% confidence)        value  interval       met of judged   open"
           "        mean\n",
           (int)lround(conf * 100.0));
    if (rules->policy == NULL || rules->calendar == NULL) {
        printf("  SLA policy unavailable: %s\n", rules->problem);
        return;
    }
    cm_time as_of;
    char when[CM_TIME_FORMAT_SIZE] = "-";
    if (cm_table_report_as_of(v->rep, &as_of) == CM_OK && as_of != CM_TABLE_NO_TIME &&
        cm_time_format(as_of, when, sizeof when) != CM_OK)
        snprintf(when, sizeof when, "-");
    printf("  policy %s, business hours %s, as of %s\n", rules->policy_path, rules->calendar_path,
           when);
    static const uint32_t metrics[2] = {CM_SLA_FIRST_REPLY, CM_SLA_TOTAL_RESOLUTION};
    for (size_t m = 0; m < 2; m++) {
        for (int p = 0; p <= 4; p++) {
            const uint32_t level = p < 4 ? sla_levels[p] : CM_SLA_PRIORITY_ALL;
            char label[48];
            snprintf(label, sizeof label, "%s, %s",
                     metrics[m] == CM_SLA_FIRST_REPLY ? "First reply" : "Total resolution",
                     p < 4 ? priority_order[p] : "all");
            cm_table_sla s;
            const cm_status st = cm_table_report_sla(v->rep, 0, metrics[m], level, conf, &s);
            if (st != CM_OK) {
                printf("  %-34s %s\n", label, cm_strerror(st));
                continue;
            }
            char mean[32] = "-";
            if (s.achieved + s.breached > s.open || s.mean_seconds > 0)
                fmt_duration(mean, sizeof mean, s.mean_seconds);
            printf("  %-34s %7.1f %%  [%5.1f, %5.1f]  %6llu of %-6llu %6llu  %10s\n", label,
                   100.0 * s.attained.value, 100.0 * s.attained.lo, 100.0 * s.attained.hi,
                   (unsigned long long)s.achieved, (unsigned long long)s.attained.den,
                   (unsigned long long)s.open, mean);
        }
    }
}

static void text_group_line(const report_view *v, size_t gi, const char *name)
{
    const double conf = v->opt->confidence;
    char csat[16] = "-", nps[16] = "-", fcr[16] = "-", med[32] = "-", p90[32] = "-",
         aband[16] = "-";
    cm_csat_summary cs;
    cm_nps_summary ns;
    cm_proportion p;
    cm_table_counts c;
    cm_table_duration d;
    if (cm_table_report_counts(v->rep, gi, &c) != CM_OK)
        return;
    if (cm_table_report_csat(v->rep, gi, conf, &cs) == CM_OK)
        snprintf(csat, sizeof csat, "%.1f %%", 100.0 * cs.satisfied.value);
    if (cm_table_report_nps(v->rep, gi, conf, &ns) == CM_OK)
        snprintf(nps, sizeof nps, "%+.1f", ns.score);
    if (cm_table_report_rate(v->rep, gi, CM_TABLE_FCR, conf, &p) == CM_OK)
        snprintf(fcr, sizeof fcr, "%.1f %%", 100.0 * p.value);
    if (cm_table_report_duration(v->rep, gi, CM_TABLE_FIRST_REPLY, &d) == CM_OK &&
        d.nquantiles >= 2) {
        fmt_duration(med, sizeof med, d.quantiles[0]);
        fmt_duration(p90, sizeof p90, d.quantiles[1]);
    }
    if (cm_table_report_rate(v->rep, gi, CM_TABLE_ABANDONMENT, conf, &p) == CM_OK)
        snprintf(aband, sizeof aband, "%.1f %%", 100.0 * p.value);
    printf("  %-24s %10llu %8s %7s %8s %10s %10s %8s\n", name, (unsigned long long)c.tickets, csat,
           nps, fcr, med, p90, aband);
}

static void by_title(const report_view *v, char *buf, size_t cap)
{
    static const char *const buckets[] = {"",     "interval", "hour",        "day",
                                          "week", "month",    "time of day", "weekday"};
    size_t w = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < v->opt->nby && w < cap; i++)
        w += (size_t)snprintf(buf + w, cap - w, "%s%s", i ? ", " : "", v->opt->by[i]);
    if (v->opt->by_bucket != CM_TABLE_BUCKET_NONE && w < cap)
        snprintf(buf + w, cap - w, "%s%s", w ? ", " : "", buckets[v->opt->by_bucket]);
}

static void text_by(const report_view *v)
{
    const size_t total = cm_table_report_group_count(v->rep);
    char title[128];
    by_title(v, title, sizeof title);
    printf("\nBy %-21s %10s %8s %7s %8s %10s %10s %8s\n", title, "tickets", "CSAT", "NPS", "FCR",
           "reply p50", "reply p90", "abandon");
    for (size_t gi = 0; gi < total; gi++) {
        cm_table_group g;
        if (cm_table_report_group(v->rep, gi, &g) != CM_OK ||
            g.grouping != (uint32_t)v->grouping[G_BY])
            continue;
        char name[256];
        by_name(v, gi, name, sizeof name);
        text_group_line(v, gi, name);
    }
}

void print_text(const report_view *v)
{
    const options *opt = v->opt;
    const double conf = opt->confidence;
    cm_table_counts all;
    uint64_t rows = 0, bad = 0;
    if (cm_table_report_counts(v->rep, 0, &all) != CM_OK ||
        cm_table_report_rows(v->rep, &rows, &bad, NULL, 0, NULL) != CM_OK)
        return;
    printf("caremetrics-report %s: %s\n", cm_version_string(), opt->path);
    printf("rows %llu: tickets %llu, abandoned contacts %llu, bad rows %llu\n",
           (unsigned long long)rows, (unsigned long long)all.tickets,
           (unsigned long long)all.abandoned, (unsigned long long)bad);

    size_t groups[CM_CSV_KEY_LABELS];
    size_t n = view_groups(v, G_CHANNEL, groups, CM_CSV_KEY_LABELS);
    if (n > 0) {
        printf("\nTickets by channel\n");
        for (size_t i = 0; i < n; i++) {
            cm_table_counts c;
            if (cm_table_report_counts(v->rep, groups[i], &c) == CM_OK)
                printf("  %-34s %10llu\n", view_label(v, groups[i], v->channel_key),
                       (unsigned long long)c.tickets);
        }
    }

    printf("\nSatisfaction (%d %% confidence)          value  interval          responses\n",
           (int)lround(conf * 100.0));
    text_surveys(v, 0);

    printf("\nResolution                              value  interval              count\n");
    text_rate(v, 0, "First contact resolution", CM_TABLE_FCR);
    text_rate(v, 0, "Reopen rate", CM_TABLE_REOPEN);
    text_rate(v, 0, "Escalation rate", CM_TABLE_ESCALATION);

    printf("\n%-36s %10s %10s %10s %10s %10s\n", "Response times (calendar)", "mean", "median",
           "p90", "p99", "n");
    text_distribution(v, 0, "First reply", CM_TABLE_FIRST_REPLY);
    if (!opt->kpis_only)
        text_distribution(v, 0, "Resolution", CM_TABLE_RESOLUTION);
    text_business(v);
    if (!opt->kpis_only) {
        text_breakdown(v, G_CHANNEL, "First reply", CM_TABLE_FIRST_REPLY);
        text_breakdown(v, G_PRIORITY, "First reply", CM_TABLE_FIRST_REPLY);
        text_breakdown(v, G_CHANNEL, "Resolution", CM_TABLE_RESOLUTION);
        text_breakdown(v, G_PRIORITY, "Resolution", CM_TABLE_RESOLUTION);
    }

    printf("\nReal-time contacts (a wait or an abandon) value  interval              count\n");
    char label[64];
    snprintf(label, sizeof label, "Abandonment (short < %gs excluded)", opt->short_abandon);
    text_rate(v, 0, label, CM_TABLE_ABANDONMENT);
    if (!opt->kpis_only) {
        staffing_text(v);
        text_sla(v);
    }
    if (v->grouping[G_BY] >= 0)
        text_by(v);
    extra_text(v->extra);
}

/* ---- JSON ------------------------------------------------------------------------------- */

static void json_string(const char *s)
{
    putchar('"');
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\')
            printf("\\%c", *c);
        else if (*c < 0x20)
            printf("\\u%04x", *c);
        else
            putchar(*c);
    }
    putchar('"');
}

static void json_number(const char *key, double v, const char *sep)
{
    if (isfinite(v))
        printf("\"%s\": %.17g%s", key, v, sep);
    else
        printf("\"%s\": null%s", key, sep);
}

static void json_rate(const report_view *v, size_t gi, const char *key, uint32_t kpi)
{
    cm_proportion p;
    if (cm_table_report_rate(v->rep, gi, kpi, v->opt->confidence, &p) == CM_OK)
        printf("\"%s\": {\"num\": %" PRIu64 ", \"den\": %" PRIu64
               ", \"value\": %.17g, \"lo\": %.17g, \"hi\": %.17g}, ",
               key, p.num, p.den, p.value, p.lo, p.hi);
    else
        printf("\"%s\": {\"num\": 0, \"den\": 0, \"value\": null, \"lo\": null, \"hi\": null}, ",
               key);
}

static void json_duration(const report_view *v, size_t gi, const char *key, uint32_t m)
{
    cm_table_duration d;
    if (cm_table_report_duration(v->rep, gi, m, &d) != CM_OK) {
        printf("\"%s\": {\"n\": 0, \"total_seconds\": 0, \"mean_seconds\": null, "
               "\"median_seconds\": null, \"p90_seconds\": null, \"p99_seconds\": null}, ",
               key);
        return;
    }
    printf("\"%s\": {\"n\": %" PRIu64 ", \"total_seconds\": %.17g, \"mean_seconds\": %.17g, "
           "\"min_seconds\": %.17g, \"max_seconds\": %.17g, ",
           key, d.n, d.total_seconds, d.mean_seconds, d.min_seconds, d.max_seconds);
    static const char *const names[3] = {"median_seconds", "p90_seconds", "p99_seconds"};
    for (size_t i = 0; i < 3; i++)
        json_number(names[i], i < d.nquantiles ? d.quantiles[i] : (double)NAN, ", ");
    printf("\"exact\": %s}, ", d.exact ? "true" : "false");
}

/* The KPIs of one group as JSON members, each followed by ", ". */
static void json_kpis(const report_view *v, size_t gi)
{
    const double conf = v->opt->confidence;
    cm_table_counts c;
    if (cm_table_report_counts(v->rep, gi, &c) != CM_OK)
        return;
    printf("\"tickets\": %" PRIu64 ", \"abandoned_contacts\": %" PRIu64 ", ", c.tickets,
           c.abandoned);
    cm_csat_summary cs;
    if (cm_table_report_csat(v->rep, gi, conf, &cs) == CM_OK)
        printf("\"csat\": {\"num\": %" PRIu64 ", \"den\": %" PRIu64 ", \"value\": %.17g, "
               "\"lo\": %.17g, \"hi\": %.17g, \"mean\": %.17g}, ",
               cs.satisfied.num, cs.satisfied.den, cs.satisfied.value, cs.satisfied.lo,
               cs.satisfied.hi, cs.mean);
    else
        printf("\"csat\": {\"num\": 0, \"den\": 0, \"value\": null, \"lo\": null, \"hi\": null, "
               "\"mean\": null}, ");
    cm_nps_summary ns;
    if (cm_table_report_nps(v->rep, gi, conf, &ns) == CM_OK)
        printf("\"nps\": {\"n\": %" PRIu64 ", \"promoters\": %" PRIu64 ", \"passives\": %" PRIu64
               ", \"detractors\": %" PRIu64 ", \"score\": %.17g, \"se\": %.17g, \"lo\": %.17g, "
               "\"hi\": %.17g}, ",
               ns.n, ns.promoters, ns.passives, ns.detractors, ns.score, ns.se, ns.lo, ns.hi);
    else
        printf("\"nps\": {\"n\": 0, \"promoters\": 0, \"passives\": 0, \"detractors\": 0, "
               "\"score\": null, \"se\": null, \"lo\": null, \"hi\": null}, ");
    cm_ces_summary es;
    if (cm_table_report_ces(v->rep, gi, conf, &es) == CM_OK)
        printf("\"ces\": {\"n\": %" PRIu64 ", \"mean\": %.17g, \"lo\": %.17g, \"hi\": %.17g, "
               "\"low_effort\": %.17g, \"low_effort_lo\": %.17g, \"low_effort_hi\": %.17g}, ",
               es.n, es.mean, es.lo, es.hi, es.easy.value, es.easy.lo, es.easy.hi);
    else
        printf("\"ces\": {\"n\": 0, \"mean\": null, \"lo\": null, \"hi\": null, "
               "\"low_effort\": null}, ");
    json_rate(v, gi, "fcr", CM_TABLE_FCR);
    json_rate(v, gi, "reopen_rate", CM_TABLE_REOPEN);
    json_rate(v, gi, "escalation_rate", CM_TABLE_ESCALATION);
    json_duration(v, gi, "first_reply", CM_TABLE_FIRST_REPLY);
    json_duration(v, gi, "resolution", CM_TABLE_RESOLUTION);
    json_duration(v, gi, "first_reply_business", CM_TABLE_FIRST_REPLY_BUSINESS);
    json_duration(v, gi, "resolution_business", CM_TABLE_RESOLUTION_BUSINESS);
    const report_rules *rules = v->opt->rules;
    if (rules->policy != NULL && rules->calendar != NULL) {
        printf("\"sla_first_reply\": {");
        const char *sep = "";
        for (int p = 0; p < 4; p++) {
            if (rules->first_reply_target[p] == 0)
                continue;
            cm_proportion r;
            const bool ok =
                cm_table_report_reply_within(v->rep, gi, sla_levels[p], conf, &r) == CM_OK;
            printf("%s\"%s\": {\"achieved\": %" PRIu64 ", \"total\": %" PRIu64
                   ", \"target_seconds\": %lld, \"business\": %s, ",
                   sep, priority_order[p], ok ? r.num : 0, ok ? r.den : 0,
                   (long long)rules->first_reply_target[p],
                   rules->first_reply_business[p] ? "true" : "false");
            json_number("value", ok ? r.value : (double)NAN, ", ");
            json_number("lo", ok ? r.lo : (double)NAN, ", ");
            json_number("hi", ok ? r.hi : (double)NAN, "}");
            sep = ", ";
        }
        printf("}, ");
    }
    cm_proportion p;
    const bool ab = cm_table_report_rate(v->rep, gi, CM_TABLE_ABANDONMENT, conf, &p) == CM_OK;
    printf("\"abandonment\": {\"num\": %" PRIu64 ", \"den\": %" PRIu64 ", ", ab ? p.num : 0,
           ab ? p.den : 0);
    json_number("value", ab ? p.value : (double)NAN, ", ");
    json_number("lo", ab ? p.lo : (double)NAN, ", ");
    json_number("hi", ab ? p.hi : (double)NAN, "}, ");
    printf("\"handle\": {\"n\": %" PRIu64 ", \"total_seconds\": %.17g}", c.handled,
           c.handle_seconds);
}

static void json_group_list(const report_view *v, int g, const char *key, int label_key)
{
    size_t groups[CM_CSV_KEY_LABELS];
    const size_t n = view_groups(v, g, groups, CM_CSV_KEY_LABELS);
    printf(", \"%s\": [", key);
    for (size_t i = 0; i < n; i++) {
        printf("%s{\"group\": ", i ? ", " : "");
        json_string(view_label(v, groups[i], label_key));
        printf(", ");
        json_kpis(v, groups[i]);
        printf("}");
    }
    printf("]");
}

static void json_sla(const report_view *v)
{
    const report_rules *rules = v->opt->rules;
    if (rules->policy == NULL || rules->calendar == NULL) {
        printf(", \"sla\": null");
        return;
    }
    cm_time as_of;
    char when[CM_TIME_FORMAT_SIZE] = "";
    if (cm_table_report_as_of(v->rep, &as_of) == CM_OK && as_of != CM_TABLE_NO_TIME)
        (void)!cm_time_format(as_of, when, sizeof when);
    printf(", \"sla\": {\"policy\": ");
    json_string(rules->policy_path);
    printf(", \"calendar\": ");
    json_string(rules->calendar_path);
    printf(", \"as_of\": ");
    json_string(when);
    printf(", \"attainment\": [");
    static const uint32_t metrics[2] = {CM_SLA_FIRST_REPLY, CM_SLA_TOTAL_RESOLUTION};
    const char *sep = "";
    for (size_t m = 0; m < 2; m++) {
        for (int p = 0; p <= 4; p++) {
            const uint32_t level = p < 4 ? sla_levels[p] : CM_SLA_PRIORITY_ALL;
            cm_table_sla s;
            const bool ok =
                cm_table_report_sla(v->rep, 0, metrics[m], level, v->opt->confidence, &s) == CM_OK;
            printf("%s{\"metric\": \"%s\", \"priority\": \"%s\", ", sep, metric_key(metrics[m]),
                   p < 4 ? priority_order[p] : "all");
            printf("\"achieved\": %" PRIu64 ", \"breached\": %" PRIu64 ", \"open\": %" PRIu64 ", ",
                   ok ? s.achieved : 0, ok ? s.breached : 0, ok ? s.open : 0);
            json_number("value", ok ? s.attained.value : (double)NAN, ", ");
            json_number("lo", ok ? s.attained.lo : (double)NAN, ", ");
            json_number("hi", ok ? s.attained.hi : (double)NAN, ", ");
            json_number("mean_seconds", ok ? s.mean_seconds : (double)NAN, ", ");
            printf("\"target_seconds\": %lld, \"business\": %s}",
                   ok ? (long long)s.target_seconds : 0LL, ok && s.business ? "true" : "false");
            sep = ", ";
        }
    }
    printf("]}");
}

void print_json(const report_view *v)
{
    const options *opt = v->opt;
    uint64_t rows = 0, bad = 0;
    if (cm_table_report_rows(v->rep, &rows, &bad, NULL, 0, NULL) != CM_OK)
        return;
    printf("{\"version\": \"%s\", \"input\": ", cm_version_string());
    json_string(opt->path);
    printf(", \"rows\": %" PRIu64 ", \"bad_rows\": %" PRIu64 ", \"threads\": %u, ", rows, bad,
           opt->threads);
    json_number("compute_seconds", v->compute_seconds, ", ");
    json_number("compute_cpu_seconds", v->compute_cpu_seconds, ", ");
    printf("\"compute_minor_faults\": %ld, ", v->compute_minor_faults);
    json_number("confidence", opt->confidence, ", ");
    json_number("short_abandon_seconds", opt->short_abandon, ", ");
    json_kpis(v, 0);
    if (!opt->kpis_only) {
        json_group_list(v, G_CHANNEL, "channels", v->channel_key);
        json_group_list(v, G_PRIORITY, "priorities", v->priority_key);
        staffing_json(v);
        json_sla(v);
    }
    if (v->grouping[G_BY] >= 0) {
        char title[128];
        by_title(v, title, sizeof title);
        printf(", \"by\": ");
        json_string(title);
        printf(", \"groups\": [");
        const size_t total = cm_table_report_group_count(v->rep);
        const char *sep = "";
        for (size_t gi = 0; gi < total; gi++) {
            cm_table_group g;
            if (cm_table_report_group(v->rep, gi, &g) != CM_OK ||
                g.grouping != (uint32_t)v->grouping[G_BY])
                continue;
            char name[256], t[CM_TIME_FORMAT_SIZE];
            by_name(v, gi, name, sizeof name);
            printf("%s{\"group\": ", sep);
            json_string(name);
            for (size_t k = 0; k < v->nby_keys; k++) {
                printf(", ");
                json_string(opt->by[k]);
                printf(": ");
                json_string(view_label(v, gi, v->by_keys[k]));
            }
            if (g.start != CM_TABLE_NO_TIME && cm_time_format(g.start, t, sizeof t) == CM_OK) {
                printf(", \"start\": \"%s\"", t);
                if (cm_time_format(g.end, t, sizeof t) == CM_OK)
                    printf(", \"end\": \"%s\"", t);
            }
            printf(", ");
            json_kpis(v, gi);
            printf("}");
            sep = ", ";
        }
        printf("]");
    }
    extra_json(v->extra);
    printf("}\n");
}

/* ---- CSV -------------------------------------------------------------------------------- */

/* Rows `section,group,kpi,value,lo,hi,num,den` (empty where not applicable). */

static void csv_text(const char *s)
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

void csv_row(const char *section, const char *group, const char *kpi, double value, double lo,
             double hi, int64_t num, int64_t den)
{
    csv_text(section);
    putchar(',');
    csv_text(group);
    printf(",%s,", kpi);
    if (isfinite(value))
        printf("%.17g", value);
    putchar(',');
    if (isfinite(lo))
        printf("%.17g", lo);
    putchar(',');
    if (isfinite(hi))
        printf("%.17g", hi);
    putchar(',');
    if (num >= 0)
        printf("%" PRId64, num);
    putchar(',');
    if (den >= 0)
        printf("%" PRId64, den);
    putchar('\n');
}

static void csv_kpis(const report_view *v, size_t gi, const char *section, const char *group)
{
    const double conf = v->opt->confidence;
    const double none = (double)NAN;
    cm_table_counts c;
    if (cm_table_report_counts(v->rep, gi, &c) != CM_OK)
        return;
    csv_row(section, group, "tickets", (double)c.tickets, none, none, -1, -1);
    csv_row(section, group, "abandoned_contacts", (double)c.abandoned, none, none, -1, -1);
    cm_csat_summary cs;
    if (cm_table_report_csat(v->rep, gi, conf, &cs) == CM_OK)
        csv_row(section, group, "csat", cs.satisfied.value, cs.satisfied.lo, cs.satisfied.hi,
                (int64_t)cs.satisfied.num, (int64_t)cs.satisfied.den);
    cm_nps_summary ns;
    if (cm_table_report_nps(v->rep, gi, conf, &ns) == CM_OK)
        csv_row(section, group, "nps", ns.score, ns.lo, ns.hi,
                (int64_t)ns.promoters - (int64_t)ns.detractors, (int64_t)ns.n);
    cm_ces_summary es;
    if (cm_table_report_ces(v->rep, gi, conf, &es) == CM_OK) {
        csv_row(section, group, "ces_mean", es.mean, es.lo, es.hi, -1, (int64_t)es.n);
        csv_row(section, group, "ces_low_effort", es.easy.value, es.easy.lo, es.easy.hi,
                (int64_t)es.easy.num, (int64_t)es.easy.den);
    }
    static const struct {
        const char *name;
        uint32_t kpi;
    } rates[] = {{"fcr", CM_TABLE_FCR},
                 {"reopen_rate", CM_TABLE_REOPEN},
                 {"escalation_rate", CM_TABLE_ESCALATION},
                 {"abandonment", CM_TABLE_ABANDONMENT}};
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        cm_proportion p;
        if (cm_table_report_rate(v->rep, gi, rates[i].kpi, conf, &p) == CM_OK)
            csv_row(section, group, rates[i].name, p.value, p.lo, p.hi, (int64_t)p.num,
                    (int64_t)p.den);
    }
    static const struct {
        const char *name;
        uint32_t metric;
    } durations[] = {{"first_reply", CM_TABLE_FIRST_REPLY},
                     {"resolution", CM_TABLE_RESOLUTION},
                     {"first_reply_business", CM_TABLE_FIRST_REPLY_BUSINESS},
                     {"resolution_business", CM_TABLE_RESOLUTION_BUSINESS}};
    static const char *const qnames[3] = {"median", "p90", "p99"};
    for (size_t i = 0; i < sizeof durations / sizeof durations[0]; i++) {
        cm_table_duration d;
        if (cm_table_report_duration(v->rep, gi, durations[i].metric, &d) != CM_OK)
            continue;
        char kpi[64];
        snprintf(kpi, sizeof kpi, "%s_mean_seconds", durations[i].name);
        csv_row(section, group, kpi, d.mean_seconds, none, none, -1, (int64_t)d.n);
        snprintf(kpi, sizeof kpi, "%s_total_seconds", durations[i].name);
        csv_row(section, group, kpi, d.total_seconds, none, none, -1, (int64_t)d.n);
        for (size_t q = 0; q < d.nquantiles && q < 3; q++) {
            snprintf(kpi, sizeof kpi, "%s_%s_seconds", durations[i].name, qnames[q]);
            csv_row(section, group, kpi, d.quantiles[q], none, none, -1, (int64_t)d.n);
        }
    }
    const report_rules *rules = v->opt->rules;
    for (int p = 0; p < 4 && rules->policy != NULL && rules->calendar != NULL; p++) {
        cm_proportion r;
        if (rules->first_reply_target[p] == 0 ||
            cm_table_report_reply_within(v->rep, gi, sla_levels[p], conf, &r) != CM_OK)
            continue;
        char kpi[64];
        snprintf(kpi, sizeof kpi, "sla_first_reply_within_%s", priority_order[p]);
        csv_row(section, group, kpi, r.value, r.lo, r.hi, (int64_t)r.num, (int64_t)r.den);
    }
    if (c.handled > 0)
        csv_row(section, group, "handle_mean_seconds", c.handle_seconds / (double)c.handled, none,
                none, -1, (int64_t)c.handled);
}

static void csv_sla(const report_view *v)
{
    static const uint32_t metrics[2] = {CM_SLA_FIRST_REPLY, CM_SLA_TOTAL_RESOLUTION};
    const double none = (double)NAN;
    for (size_t m = 0; m < 2; m++) {
        for (int p = 0; p <= 4; p++) {
            const uint32_t level = p < 4 ? sla_levels[p] : CM_SLA_PRIORITY_ALL;
            cm_table_sla s;
            if (cm_table_report_sla(v->rep, 0, metrics[m], level, v->opt->confidence, &s) != CM_OK)
                continue;
            char kpi[64];
            const char *group = p < 4 ? priority_order[p] : "all";
            snprintf(kpi, sizeof kpi, "%s_attainment", metric_key(metrics[m]));
            csv_row("sla", group, kpi, s.attained.value, s.attained.lo, s.attained.hi,
                    (int64_t)s.achieved, (int64_t)s.attained.den);
            snprintf(kpi, sizeof kpi, "%s_open", metric_key(metrics[m]));
            csv_row("sla", group, kpi, (double)s.open, none, none, -1, -1);
            snprintf(kpi, sizeof kpi, "%s_mean_seconds", metric_key(metrics[m]));
            csv_row("sla", group, kpi, s.mean_seconds, none, none, -1, -1);
        }
    }
}

void print_csv(const report_view *v)
{
    printf("section,group,kpi,value,lo,hi,num,den\n");
    uint64_t rows = 0, bad = 0;
    if (cm_table_report_rows(v->rep, &rows, &bad, NULL, 0, NULL) == CM_OK) {
        csv_row("all", "all", "rows", (double)rows, (double)NAN, (double)NAN, -1, -1);
        csv_row("all", "all", "bad_rows", (double)bad, (double)NAN, (double)NAN, -1, -1);
    }
    csv_kpis(v, 0, "all", "all");
    if (!v->opt->kpis_only) {
        size_t groups[CM_CSV_KEY_LABELS];
        size_t n = view_groups(v, G_CHANNEL, groups, CM_CSV_KEY_LABELS);
        for (size_t i = 0; i < n; i++)
            csv_kpis(v, groups[i], "channel", view_label(v, groups[i], v->channel_key));
        n = view_groups(v, G_PRIORITY, groups, CM_CSV_KEY_LABELS);
        for (size_t i = 0; i < n; i++)
            csv_kpis(v, groups[i], "priority", view_label(v, groups[i], v->priority_key));
        staffing_csv(v);
        csv_sla(v);
    }
    if (v->grouping[G_BY] >= 0) {
        const size_t total = cm_table_report_group_count(v->rep);
        for (size_t gi = 0; gi < total; gi++) {
            cm_table_group g;
            if (cm_table_report_group(v->rep, gi, &g) != CM_OK ||
                g.grouping != (uint32_t)v->grouping[G_BY])
                continue;
            char name[256];
            by_name(v, gi, name, sizeof name);
            csv_kpis(v, gi, "by", name);
        }
    }
    extra_csv(v->extra);
}
