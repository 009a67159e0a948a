/*
 * The staffing section of caremetrics-report. See staffing-section.h and
 * docs/report.md.
 * SPDX-License-Identifier: MIT
 */
#include "staffing-section.h"

#include "report.h"

#include <math.h>
#include <stdio.h>
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

_Static_assert(STAFFING_CHANNELS == NCHANNELS, "the section counts the report's channels");

bool staffing_section_init(staffing_section *s, double short_abandon)
{
    memset(s, 0, sizeof *s);
    /* T is the 20 s of "80/20"; a short-abandon threshold above it raises T with it. */
    const double t = short_abandon > TARGET_T ? short_abandon : TARGET_T;
    return cm_contact_init(&s->realtime[0], t, short_abandon) == CM_OK &&
           cm_contact_init(&s->realtime[1], t, short_abandon) == CM_OK;
}

bool staffing_section_add(staffing_section *s, int channel, cm_time created, double wait,
                          double handle, bool abandoned)
{
    if (channel < 0 || channel >= STAFFING_CHANNELS)
        return false;
    if (!s->any || created < s->first)
        s->first = created;
    if (!s->any || created > s->last)
        s->last = created;
    s->any = true;
    const bool answered_with_handle = !abandoned && handle >= 0.0;
    if (channel <= 1 && (wait >= 0.0 || abandoned)) {
        if (cm_contact_add(&s->realtime[channel], wait >= 0.0 ? wait : 0.0,
                           handle >= 0.0 ? handle : 0.0, abandoned) != CM_OK)
            return false;
        const int hour = (int)(((created % DAY_SECONDS) + DAY_SECONDS) % DAY_SECONDS / 3600);
        s->hour_offered[hour] += 1.0;
        if (answered_with_handle) {
            s->hour_answered[hour] += 1.0;
            s->hour_handle[hour] += handle;
        }
    }
    if (answered_with_handle) {
        s->handled[channel]++;
        s->handle_seconds[channel] += handle;
    }
    return true;
}

bool staffing_section_merge(staffing_section *dst, const staffing_section *src)
{
    if (!src->any)
        return true;
    for (int c = 0; c < 2; c++) {
        if (cm_contact_merge(&dst->realtime[c], &src->realtime[c]) != CM_OK)
            return false;
    }
    for (int c = 0; c < STAFFING_CHANNELS; c++) {
        dst->handled[c] += src->handled[c];
        dst->handle_seconds[c] += src->handle_seconds[c];
    }
    for (int h = 0; h < 24; h++) {
        dst->hour_offered[h] += src->hour_offered[h];
        dst->hour_answered[h] += src->hour_answered[h];
        dst->hour_handle[h] += src->hour_handle[h];
    }
    if (!dst->any || src->first < dst->first)
        dst->first = src->first;
    if (!dst->any || src->last > dst->last)
        dst->last = src->last;
    dst->any = true;
    return true;
}

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

static void print_observed(const staffing_section *s, double confidence)
{
    printf("\nStaffing: observed service (T = %g s, short abandons < %g s)\n",
           s->realtime[0].target_ms / 1000.0, s->realtime[0].short_abandon_ms / 1000.0);
    printf("  %-10s %8s %25s %8s %8s %12s\n", "channel", "offered", "SL, abandons against", "ASA",
           "AHT", "abandoned");
    for (int ch = 0; ch < 2; ch++) {
        const cm_contact *c = &s->realtime[ch];
        uint64_t num, den;
        cm_proportion p;
        double asa, aht = 0.0, ab;
        char sl_text[48], asa_text[48], aht_text[48], ab_text[16];
        if (cm_contact_service_level_counts(c, CM_SL_ABANDONS_AGAINST, &num, &den) == CM_OK &&
            cm_rate(num, den, confidence, &p) == CM_OK)
            snprintf(sl_text, sizeof sl_text, "%5.1f %% [%5.1f, %5.1f]", 100.0 * p.value,
                     100.0 * p.lo, 100.0 * p.hi);
        else
            snprintf(sl_text, sizeof sl_text, "no data");
        if (cm_contact_asa(c, &asa) == CM_OK)
            fmt_duration(asa_text, sizeof asa_text, asa);
        else
            snprintf(asa_text, sizeof asa_text, "-");
        /* Handle times may be missing from some rows: average the ones given. */
        if (s->handled[ch] > 0) {
            aht = s->handle_seconds[ch] / (double)s->handled[ch];
            if (s->handled[ch] == c->answered && cm_contact_aht(c, &aht) != CM_OK)
                aht = 0.0;
            fmt_duration(aht_text, sizeof aht_text, aht);
        } else {
            snprintf(aht_text, sizeof aht_text, "-");
        }
        if (cm_contact_abandonment_rate(c, true, &ab) == CM_OK)
            snprintf(ab_text, sizeof ab_text, "%5.1f %%", 100.0 * ab);
        else
            snprintf(ab_text, sizeof ab_text, "-");
        printf("  %-10s %8llu %25s %8s %8s %12s\n", channel_names[ch],
               (unsigned long long)c->offered, sl_text, asa_text, aht_text, ab_text);
    }
    cm_contact both = s->realtime[0];
    if (cm_contact_merge(&both, &s->realtime[1]) != CM_OK)
        return;
    static const char *const variant[CM_SL_VARIANT_COUNT] = {
        "answered only",         "abandons against",   "abandons before T ignored",
        "abandons before T met", "short abandons met", "short abandons excluded",
    };
    printf("  Service level of phone and chat by definition:\n");
    for (int k = 0; k < CM_SL_VARIANT_COUNT; k++) {
        double v;
        if (cm_contact_service_level(&both, (cm_sl_variant)k, &v) == CM_OK)
            printf("    %-32s %7.1f %%\n", variant[k], 100.0 * v);
        else
            printf("    %-32s %s\n", variant[k], cm_strerror(CM_ENODATA));
    }
}

static void print_workload(const staffing_section *s)
{
    printf("\nStaffing: workload (%g %% occupancy, %g %% shrinkage, %g-hour shifts)\n",
           100.0 * OCCUPANCY, 100.0 * SHRINKAGE, SHIFT_HOURS);
    double contacts[STAFFING_CHANNELS], aht[STAFFING_CHANNELS];
    size_t n = 0;
    for (int ch = 0; ch < STAFFING_CHANNELS; ch++) {
        if (s->handled[ch] == 0)
            continue;
        contacts[n] = (double)s->handled[ch];
        aht[n] = s->handle_seconds[ch] / (double)s->handled[ch];
        if (!(aht[n] > 0.0))
            continue;
        char t[48];
        fmt_duration(t, sizeof t, aht[n]);
        printf("  %-10s %8llu contacts x %8s = %9.1f h\n", channel_names[ch],
               (unsigned long long)s->handled[ch], t, contacts[n] * aht[n] / 3600.0);
        n++;
    }
    double hours;
    cm_workforce w;
    const double days = weekdays(s->first, s->last);
    if (n == 0 || cm_workload_hours(contacts, aht, n, &hours) != CM_OK) {
        printf("  no handle times (column handle_seconds)\n");
        return;
    }
    if (cm_workforce_plan(hours, OCCUPANCY, SHRINKAGE, SHIFT_HOURS, days, &w) != CM_OK) {
        printf("  workload %.1f h; no weekday in the history to spread it over\n", hours);
        return;
    }
    printf("  workload %.1f h -> %.1f scheduled hours = %.1f shifts = %.2f FTE over %.0f "
           "weekdays\n",
           w.workload_hours, w.scheduled_hours, w.shifts, w.fte, days);
}

static void print_average_day(const staffing_section *s)
{
    const double days = (double)((s->last - s->first) / DAY_SECONDS + 1);
    double volume[24], aht[24], answered = 0.0, handle = 0.0;
    for (int h = 0; h < 24; h++) {
        answered += s->hour_answered[h];
        handle += s->hour_handle[h];
    }
    printf("\nStaffing: average day of phone and chat, Erlang C (%g %% within %g s, occupancy "
           "<= %g %%)\n",
           100.0 * TARGET_SL, TARGET_T, 100.0 * OCCUPANCY);
    if (!(handle > 0.0)) {
        printf("  no handle times (column handle_seconds)\n");
        return;
    }
    for (int h = 0; h < 24; h++) {
        volume[h] = s->hour_offered[h] / days;
        /* An hour without handle times borrows the overall average. */
        aht[h] = s->hour_answered[h] > 0.0 && s->hour_handle[h] > 0.0
                     ? s->hour_handle[h] / s->hour_answered[h]
                     : handle / answered;
    }
    cm_interval_staffing plan[24];
    cm_workforce w;
    if (cm_staffing_plan(volume, aht, 24, HOUR_SECONDS, TARGET_SL, TARGET_T, OCCUPANCY, plan) !=
        CM_OK)
        return;
    int peak = 0;
    double agent_hours = 0.0;
    for (int h = 0; h < 24; h++) {
        agent_hours += plan[h].agents;
        if (plan[h].traffic > plan[peak].traffic)
            peak = h;
    }
    char t[48];
    fmt_duration(t, sizeof t, aht[peak]);
    printf("  busiest hour %02d:00-%02d:00 UTC: %.2f contacts, AHT %s, %.3f Erlangs -> %u agent%s "
           "(SL %.1f %%, ASA %.1f s)\n",
           peak, peak + 1, volume[peak], t, plan[peak].traffic, plan[peak].agents,
           plan[peak].agents == 1 ? "" : "s", 100.0 * plan[peak].service_level,
           plan[peak].asa_seconds);
    if (cm_workforce_plan(agent_hours, 1.0, SHRINKAGE, SHIFT_HOURS, 1.0, &w) == CM_OK)
        printf("  %.0f agent-hours over 24 hourly intervals -> %.2f FTE at %g %% shrinkage, "
               "%g-hour shifts (%.0f days averaged)\n",
               agent_hours, w.fte, 100.0 * SHRINKAGE, SHIFT_HOURS, days);
}

void staffing_section_print(const staffing_section *s, double confidence)
{
    if (!s->any) {
        printf("\nStaffing\n  %s\n", cm_strerror(CM_ENODATA));
        return;
    }
    print_observed(s, confidence);
    print_workload(s);
    print_average_day(s);
}
