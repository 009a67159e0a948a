/*
 * The staffing section of caremetrics-report: the observed service of each
 * channel with real-time contacts (the report's contact counters, contact
 * module), the workload and FTE of every channel, and the Erlang C staffing
 * of an average day (queue module), from the groups of the finished report.
 * SPDX-License-Identifier: MIT
 */
#include "report.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

/* Planning assumptions, as in the seeds: 80 % answered within 20 s, agents at
 * most 85 % busy, 30 % shrinkage, 8-hour shifts. */
#define TARGET_SL    0.80
#define TARGET_T     20.0
#define OCCUPANCY    0.85
#define SHRINKAGE    0.30
#define SHIFT_HOURS  8.0
#define HOUR_SECONDS 3600.0
#define DAY_SECONDS  86400

/* One channel's observed service. */
typedef struct observed {
    const char *channel;
    cm_contact c;
    cm_proportion sl;
    bool has_sl, has_asa, has_aht, has_abandon;
    double asa, aht, abandon;
} observed;

/* One channel's workload. */
typedef struct load {
    const char *channel;
    uint64_t contacts;
    double aht;
} load;

typedef struct staffing {
    bool any;
    size_t nobserved, nload;
    observed obs[CM_CSV_KEY_LABELS];
    load loads[CM_CSV_KEY_LABELS];
    cm_contact all;
    bool has_all;
    double sl[CM_SL_VARIANT_COUNT];
    bool has_variant[CM_SL_VARIANT_COUNT];
    /* workload */
    bool has_workload, has_plan;
    double workload_hours, weekdays;
    cm_workforce workforce;
    /* average day */
    bool has_day;
    double days, volume[24], aht[24], agent_hours;
    cm_interval_staffing plan[24];
    int peak;
    bool has_day_fte;
    cm_workforce day_fte;
} staffing;

static const char *const variant_names[CM_SL_VARIANT_COUNT] = {
    "answered only",         "abandons against",   "abandons before T ignored",
    "abandons before T met", "short abandons met", "short abandons excluded",
};

/* Monday..Friday dates from the first to the last contact's UTC date. */
static double weekdays(cm_time first, cm_time last)
{
    const int64_t d0 =
        first >= 0 ? first / DAY_SECONDS : -((-first + DAY_SECONDS - 1) / DAY_SECONDS);
    const int64_t d1 = last >= 0 ? last / DAY_SECONDS : -((-last + DAY_SECONDS - 1) / DAY_SECONDS);
    int64_t n = 0;
    for (int64_t d = d0; d <= d1; d++)
        n += ((d % 7 + 7 + 3) % 7) < 5; /* 1970-01-01 was a Thursday: (d + 3) % 7 = 0 on Mondays */
    return (double)n;
}

static void observe(const report_view *v, staffing *s)
{
    size_t groups[CM_CSV_KEY_LABELS];
    const size_t n = view_groups(v, G_CHANNEL, groups, CM_CSV_KEY_LABELS);
    for (size_t i = 0; i < n; i++) {
        cm_contact c;
        if (cm_table_report_contact(v->rep, groups[i], &c) != CM_OK || c.offered == 0)
            continue;
        observed *o = &s->obs[s->nobserved++];
        memset(o, 0, sizeof *o);
        o->channel = view_label(v, groups[i], v->channel_key);
        o->c = c;
        uint64_t num, den;
        o->has_sl =
            cm_contact_service_level_counts(&c, CM_SL_ABANDONS_AGAINST, &num, &den) == CM_OK &&
            cm_rate(num, den, v->opt->confidence, &o->sl) == CM_OK;
        o->has_asa = cm_contact_asa(&c, &o->asa) == CM_OK;
        o->has_aht = c.handle_ms > 0 && cm_contact_aht(&c, &o->aht) == CM_OK;
        o->has_abandon = cm_contact_abandonment_rate(&c, true, &o->abandon) == CM_OK;
    }
    s->has_all = cm_table_report_contact(v->rep, 0, &s->all) == CM_OK && s->all.offered > 0;
    for (int k = 0; k < CM_SL_VARIANT_COUNT && s->has_all; k++)
        s->has_variant[k] = cm_contact_service_level(&s->all, (cm_sl_variant)k, &s->sl[k]) == CM_OK;
}

static void workload(const report_view *v, staffing *s)
{
    size_t groups[CM_CSV_KEY_LABELS];
    const size_t n = view_groups(v, G_CHANNEL, groups, CM_CSV_KEY_LABELS);
    double contacts[CM_CSV_KEY_LABELS], aht[CM_CSV_KEY_LABELS];
    for (size_t i = 0; i < n; i++) {
        cm_table_counts c;
        if (cm_table_report_counts(v->rep, groups[i], &c) != CM_OK || c.handled == 0 ||
            !(c.handle_seconds > 0.0))
            continue;
        load *l = &s->loads[s->nload];
        l->channel = view_label(v, groups[i], v->channel_key);
        l->contacts = c.handled;
        l->aht = c.handle_seconds / (double)c.handled;
        contacts[s->nload] = (double)c.handled;
        aht[s->nload] = l->aht;
        s->nload++;
    }
    cm_table_counts all;
    if (s->nload == 0 || cm_table_report_counts(v->rep, 0, &all) != CM_OK ||
        cm_workload_hours(contacts, aht, s->nload, &s->workload_hours) != CM_OK)
        return;
    s->has_workload = true;
    s->weekdays = weekdays(all.first_created, all.last_created);
    s->has_plan = cm_workforce_plan(s->workload_hours, OCCUPANCY, SHRINKAGE, SHIFT_HOURS,
                                    s->weekdays, &s->workforce) == CM_OK;
}

static void average_day(const report_view *v, staffing *s)
{
    size_t groups[24];
    const size_t n = view_groups(v, G_HOUR_OF_DAY, groups, 24);
    cm_table_counts all;
    if (n == 0 || cm_table_report_counts(v->rep, 0, &all) != CM_OK)
        return;
    s->days = (double)((all.last_created - all.first_created) / DAY_SECONDS + 1);
    double offered[24] = {0}, answered[24] = {0}, handle[24] = {0};
    double answered_all = 0.0, handle_all = 0.0;
    for (size_t i = 0; i < n; i++) {
        cm_table_group g;
        cm_contact c;
        if (cm_table_report_group(v->rep, groups[i], &g) != CM_OK || g.slot < 0 || g.slot > 23 ||
            cm_table_report_contact(v->rep, groups[i], &c) != CM_OK)
            continue;
        offered[g.slot] = (double)c.offered;
        answered[g.slot] = (double)c.answered;
        handle[g.slot] = (double)c.handle_ms / 1000.0;
        answered_all += answered[g.slot];
        handle_all += handle[g.slot];
    }
    if (!(handle_all > 0.0))
        return;
    for (int h = 0; h < 24; h++) {
        s->volume[h] = offered[h] / s->days;
        /* An hour without handle times borrows the overall average. */
        s->aht[h] = answered[h] > 0.0 && handle[h] > 0.0 ? handle[h] / answered[h]
                                                         : handle_all / answered_all;
    }
    if (cm_staffing_plan(s->volume, s->aht, 24, HOUR_SECONDS, TARGET_SL, TARGET_T, OCCUPANCY,
                         s->plan) != CM_OK)
        return;
    s->has_day = true;
    s->peak = 0;
    s->agent_hours = 0.0;
    for (int h = 0; h < 24; h++) {
        s->agent_hours += s->plan[h].agents;
        if (s->plan[h].traffic > s->plan[s->peak].traffic)
            s->peak = h;
    }
    s->has_day_fte =
        cm_workforce_plan(s->agent_hours, 1.0, SHRINKAGE, SHIFT_HOURS, 1.0, &s->day_fte) == CM_OK;
}

static staffing *compute(const report_view *v)
{
    static staffing s; /* large; the program computes one section */
    memset(&s, 0, sizeof s);
    cm_table_counts all;
    s.any = cm_table_report_counts(v->rep, 0, &all) == CM_OK && all.rows > 0;
    if (!s.any)
        return &s;
    observe(v, &s);
    workload(v, &s);
    average_day(v, &s);
    return &s;
}

/* ---- text ----------------------------------------------------------------------------- */

void staffing_text(const report_view *v)
{
    const staffing *s = compute(v);
    if (!s->any) {
        printf("\nStaffing\n  %s\n", cm_strerror(CM_ENODATA));
        return;
    }
    const double t = v->opt->short_abandon > TARGET_T ? v->opt->short_abandon : TARGET_T;
    printf("\nStaffing: observed service (T = %g s, short abandons < %g s)\n", t,
           v->opt->short_abandon);
    printf("  %-10s %8s %25s %8s %8s %12s\n", "channel", "offered", "SL, abandons against", "ASA",
           "AHT", "abandoned");
    for (size_t i = 0; i < s->nobserved; i++) {
        const observed *o = &s->obs[i];
        char sl[48] = "no data", asa[32] = "-", aht[32] = "-", ab[16] = "-";
        if (o->has_sl)
            snprintf(sl, sizeof sl, "%5.1f %% [%5.1f, %5.1f]", 100.0 * o->sl.value,
                     100.0 * o->sl.lo, 100.0 * o->sl.hi);
        if (o->has_asa)
            fmt_duration(asa, sizeof asa, o->asa);
        if (o->has_aht)
            fmt_duration(aht, sizeof aht, o->aht);
        if (o->has_abandon)
            snprintf(ab, sizeof ab, "%5.1f %%", 100.0 * o->abandon);
        printf("  %-10s %8llu %25s %8s %8s %12s\n", o->channel, (unsigned long long)o->c.offered,
               sl, asa, aht, ab);
    }
    if (s->has_all) {
        printf("  Service level of all real-time contacts by definition:\n");
        for (int k = 0; k < CM_SL_VARIANT_COUNT; k++) {
            if (s->has_variant[k])
                printf("    %-32s %7.1f %%\n", variant_names[k], 100.0 * s->sl[k]);
            else
                printf("    %-32s %s\n", variant_names[k], cm_strerror(CM_ENODATA));
        }
    }
    printf("\nStaffing: workload (%g %% occupancy, %g %% shrinkage, %g-hour shifts)\n",
           100.0 * OCCUPANCY, 100.0 * SHRINKAGE, SHIFT_HOURS);
    for (size_t i = 0; i < s->nload; i++) {
        char aht[48];
        fmt_duration(aht, sizeof aht, s->loads[i].aht);
        printf("  %-10s %8llu contacts x %8s = %9.1f h\n", s->loads[i].channel,
               (unsigned long long)s->loads[i].contacts, aht,
               (double)s->loads[i].contacts * s->loads[i].aht / 3600.0);
    }
    if (!s->has_workload)
        printf("  no handle times (column handle_seconds)\n");
    else if (!s->has_plan)
        printf("  workload %.1f h; no weekday in the history to spread it over\n",
               s->workload_hours);
    else
        printf("  workload %.1f h -> %.1f scheduled hours = %.1f shifts = %.2f FTE over %.0f "
               "weekdays\n",
               s->workforce.workload_hours, s->workforce.scheduled_hours, s->workforce.shifts,
               s->workforce.fte, s->weekdays);
    printf("\nStaffing: average day of real-time contacts, Erlang C (%g %% within %g s, "
           "occupancy <= %g %%)\n",
           100.0 * TARGET_SL, TARGET_T, 100.0 * OCCUPANCY);
    if (!s->has_day) {
        printf("  no handle times (column handle_seconds)\n");
        return;
    }
    const int h = s->peak;
    char aht[48];
    fmt_duration(aht, sizeof aht, s->aht[h]);
    printf("  busiest hour %02d:00-%02d:00 (calendar time): %.2f contacts, AHT %s, %.3f Erlangs "
           "-> %u agent%s (SL %.1f %%, ASA %.1f s)\n",
           h, h + 1, s->volume[h], aht, s->plan[h].traffic, s->plan[h].agents,
           s->plan[h].agents == 1 ? "" : "s", 100.0 * s->plan[h].service_level,
           s->plan[h].asa_seconds);
    if (s->has_day_fte)
        printf("  %.0f agent-hours over 24 hourly intervals -> %.2f FTE at %g %% shrinkage, "
               "%g-hour shifts (%.0f days averaged)\n",
               s->agent_hours, s->day_fte.fte, 100.0 * SHRINKAGE, SHIFT_HOURS, s->days);
}

/* ---- JSON ------------------------------------------------------------------------------ */

static void jnum(const char *key, double v, bool ok, const char *sep)
{
    if (ok && isfinite(v))
        printf("\"%s\": %.17g%s", key, v, sep);
    else
        printf("\"%s\": null%s", key, sep);
}

void staffing_json(const report_view *v)
{
    const staffing *s = compute(v);
    printf(", \"staffing\": {\"target_service_level\": %.17g, \"target_seconds\": %.17g, "
           "\"occupancy\": %.17g, \"shrinkage\": %.17g, \"shift_hours\": %.17g, \"observed\": [",
           TARGET_SL, TARGET_T, OCCUPANCY, SHRINKAGE, SHIFT_HOURS);
    for (size_t i = 0; i < s->nobserved; i++) {
        const observed *o = &s->obs[i];
        printf("%s{\"channel\": \"%s\", \"offered\": %" PRIu64 ", \"answered\": %" PRIu64
               ", \"abandoned\": %" PRIu64 ", ",
               i ? ", " : "", o->channel, o->c.offered, o->c.answered, o->c.abandoned);
        jnum("service_level", o->sl.value, o->has_sl, ", ");
        jnum("service_level_lo", o->sl.lo, o->has_sl, ", ");
        jnum("service_level_hi", o->sl.hi, o->has_sl, ", ");
        jnum("asa_seconds", o->asa, o->has_asa, ", ");
        jnum("aht_seconds", o->aht, o->has_aht, ", ");
        jnum("abandonment", o->abandon, o->has_abandon, "}");
    }
    printf("], \"service_level_by_definition\": {");
    for (int k = 0; k < CM_SL_VARIANT_COUNT; k++)
        jnum(variant_names[k], s->sl[k], s->has_all && s->has_variant[k],
             k + 1 < CM_SL_VARIANT_COUNT ? ", " : "");
    printf("}, \"workload\": [");
    for (size_t i = 0; i < s->nload; i++)
        printf("%s{\"channel\": \"%s\", \"contacts\": %" PRIu64
               ", \"aht_seconds\": %.17g, \"hours\": %.17g}",
               i ? ", " : "", s->loads[i].channel, s->loads[i].contacts, s->loads[i].aht,
               (double)s->loads[i].contacts * s->loads[i].aht / 3600.0);
    printf("], ");
    jnum("workload_hours", s->workload_hours, s->has_workload, ", ");
    jnum("scheduled_hours", s->workforce.scheduled_hours, s->has_plan, ", ");
    jnum("shifts", s->workforce.shifts, s->has_plan, ", ");
    jnum("fte", s->workforce.fte, s->has_plan, ", ");
    jnum("weekdays", s->weekdays, s->has_workload, ", ");
    printf("\"average_day\": ");
    if (!s->has_day) {
        printf("null}");
        return;
    }
    printf("{\"days\": %.17g, \"busiest_hour\": %d, \"agent_hours\": %.17g, ", s->days, s->peak,
           s->agent_hours);
    jnum("fte", s->day_fte.fte, s->has_day_fte, ", ");
    printf("\"hours\": [");
    for (int h = 0; h < 24; h++)
        printf("%s{\"hour\": %d, \"contacts\": %.17g, \"aht_seconds\": %.17g, \"erlangs\": %.17g, "
               "\"agents\": %u, \"service_level\": %.17g, \"asa_seconds\": %.17g}",
               h ? ", " : "", h, s->volume[h], s->aht[h], s->plan[h].traffic, s->plan[h].agents,
               s->plan[h].service_level, s->plan[h].asa_seconds);
    printf("]}}");
}

/* ---- CSV -------------------------------------------------------------------------------- */

void staffing_csv(const report_view *v)
{
    const staffing *s = compute(v);
    const double none = (double)NAN;
    for (size_t i = 0; i < s->nobserved; i++) {
        const observed *o = &s->obs[i];
        csv_row("staffing", o->channel, "offered", (double)o->c.offered, none, none, -1, -1);
        if (o->has_sl)
            csv_row("staffing", o->channel, "service_level", o->sl.value, o->sl.lo, o->sl.hi,
                    (int64_t)o->sl.num, (int64_t)o->sl.den);
        if (o->has_asa)
            csv_row("staffing", o->channel, "asa_seconds", o->asa, none, none, -1, -1);
        if (o->has_aht)
            csv_row("staffing", o->channel, "aht_seconds", o->aht, none, none, -1, -1);
        if (o->has_abandon)
            csv_row("staffing", o->channel, "abandonment", o->abandon, none, none, -1, -1);
    }
    for (int k = 0; k < CM_SL_VARIANT_COUNT; k++) {
        char kpi[64];
        snprintf(kpi, sizeof kpi, "service_level_%d", k);
        if (s->has_all && s->has_variant[k])
            csv_row("staffing", variant_names[k], kpi, s->sl[k], none, none, -1, -1);
    }
    for (size_t i = 0; i < s->nload; i++) {
        csv_row("staffing", s->loads[i].channel, "workload_contacts", (double)s->loads[i].contacts,
                none, none, -1, -1);
        csv_row("staffing", s->loads[i].channel, "workload_aht_seconds", s->loads[i].aht, none,
                none, -1, -1);
    }
    if (s->has_plan) {
        csv_row("staffing", "all", "workload_hours", s->workload_hours, none, none, -1, -1);
        csv_row("staffing", "all", "scheduled_hours", s->workforce.scheduled_hours, none, none, -1,
                -1);
        csv_row("staffing", "all", "shifts", s->workforce.shifts, none, none, -1, -1);
        csv_row("staffing", "all", "fte", s->workforce.fte, none, none, -1, -1);
        csv_row("staffing", "all", "weekdays", s->weekdays, none, none, -1, -1);
    }
    if (!s->has_day)
        return;
    for (int h = 0; h < 24; h++) {
        char group[16];
        snprintf(group, sizeof group, "%02d:00", h);
        csv_row("staffing-day", group, "contacts", s->volume[h], none, none, -1, -1);
        csv_row("staffing-day", group, "aht_seconds", s->aht[h], none, none, -1, -1);
        csv_row("staffing-day", group, "erlangs", s->plan[h].traffic, none, none, -1, -1);
        csv_row("staffing-day", group, "agents", s->plan[h].agents, none, none, -1, -1);
        csv_row("staffing-day", group, "service_level", s->plan[h].service_level, none, none, -1,
                -1);
        csv_row("staffing-day", group, "asa_seconds", s->plan[h].asa_seconds, none, none, -1, -1);
    }
    csv_row("staffing-day", "all", "agent_hours", s->agent_hours, none, none, -1, -1);
    if (s->has_day_fte)
        csv_row("staffing-day", "all", "fte", s->day_fte.fte, none, none, -1, -1);
}
