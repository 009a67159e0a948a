/*
 * caremetrics-report: printing the merged report as text, JSON or CSV.
 * Every number comes from the library's result functions; a KPI without data
 * prints the library's message (text) or null (JSON, CSV).
 * SPDX-License-Identifier: MIT
 */
#include "report.h"

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

/* The quantiles every distribution shows. */
static const double levels[3] = {0.5, 0.9, 0.99};

/* Mean, median, p90, p99 and count of a distribution; exact quantiles when given. */
typedef struct distribution {
    cm_status status;
    uint64_t n;
    double mean, q[3];
} distribution;

static distribution distribution_of(const cm_sketch *s, const duration_list *exact)
{
    distribution d = {CM_OK, 0, 0.0, {0.0, 0.0, 0.0}};
    cm_sketch_summary sum;
    d.status = cm_sketch_result(s, &sum);
    if (d.status != CM_OK)
        return d;
    d.n = sum.n;
    d.mean = sum.mean_seconds;
    if (exact != NULL && exact->count > 0) {
        const size_t need = cm_quantile_exact_scratch_size(exact->count);
        double *scratch = malloc(need * sizeof *scratch);
        d.status = scratch == NULL ? CM_ENOMEM
                                   : cm_quantiles_exact(exact->values, exact->count, levels, 3,
                                                        scratch, need, d.q);
        free(scratch);
    } else {
        d.status = cm_sketch_quantiles(s, levels, 3, d.q);
    }
    return d;
}

static const duration_list *exact_list(const report *rep, const options *opt)
{
    return opt->exact_quantiles ? &rep->first_reply_exact : NULL;
}

/* ---- text ----------------------------------------------------------------------- */

static void print_rate(const char *label, uint64_t num, uint64_t den, double conf)
{
    cm_proportion p;
    const cm_status st = cm_rate(num, den, conf, &p);
    if (st != CM_OK) {
        printf("  %-34s %s\n", label, cm_strerror(st));
        return;
    }
    printf("  %-34s %7.1f %%  [%5.1f, %5.1f]  %10llu of %llu\n", label, 100.0 * p.value,
           100.0 * p.lo, 100.0 * p.hi, (unsigned long long)p.num, (unsigned long long)p.den);
}

static void print_distribution(const char *label, const cm_sketch *s, const duration_list *exact)
{
    const distribution d = distribution_of(s, exact);
    if (d.status != CM_OK) {
        printf("  %-34s %s\n", label, cm_strerror(d.status));
        return;
    }
    char mean[32], med[32], p90[32], p99[32];
    fmt_duration(mean, sizeof mean, d.mean);
    fmt_duration(med, sizeof med, d.q[0]);
    fmt_duration(p90, sizeof p90, d.q[1]);
    fmt_duration(p99, sizeof p99, d.q[2]);
    printf("  %-34s %10s %10s %10s %10s %10llu\n", label, mean, med, p90, p99,
           (unsigned long long)d.n);
}

static void print_surveys(const kpi_set *s, double conf)
{
    cm_csat_summary cs;
    cm_status st = cm_csat_result(&s->csat, conf, &cs);
    if (st == CM_OK)
        printf("  %-34s %7.1f %%  [%5.1f, %5.1f]  %10llu\n", "CSAT (4-5 on 1-5)",
               100.0 * cs.satisfied.value, 100.0 * cs.satisfied.lo, 100.0 * cs.satisfied.hi,
               (unsigned long long)cs.satisfied.den);
    else
        printf("  %-34s %s\n", "CSAT", cm_strerror(st));
    cm_nps_summary ns;
    st = cm_nps_result(&s->nps, conf, &ns);
    if (st == CM_OK)
        printf("  %-34s %+7.1f    [%+5.1f, %+5.1f]  %10llu  (se %.1f)\n", "NPS", ns.score, ns.lo,
               ns.hi, (unsigned long long)ns.n, ns.se);
    else
        printf("  %-34s %s\n", "NPS", cm_strerror(st));
    cm_ces_summary es;
    st = cm_ces_result(&s->ces, conf, &es);
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

static void print_abandonment(const kpi_set *s, const options *opt)
{
    char label[64];
    snprintf(label, sizeof label, "Abandonment (short < %gs excluded)", opt->short_abandon);
    cm_proportion p;
    const cm_status st =
        cm_abandonment_rate(s->rt_offered, s->rt_abandoned, s->rt_short, opt->confidence, &p);
    if (st == CM_OK)
        printf("  %-34s %7.1f %%  [%5.1f, %5.1f]  %10llu of %llu\n", label, 100.0 * p.value,
               100.0 * p.lo, 100.0 * p.hi, (unsigned long long)p.num, (unsigned long long)p.den);
    else
        printf("  %-34s %s\n", label, cm_strerror(st));
}

static const char *const sla_priorities[4] = {"urgent", "high", "normal", "low"};

/* First reply in business hours, and first reply within each priority's SLA target. */
static void print_business(const kpi_set *s, const options *opt)
{
    const report_rules *rules = opt->rules;
    if (rules->calendar == NULL) {
        printf("  %-34s %s\n", "First reply (business hours)", rules->problem);
        return;
    }
    if (s->business_replies == 0) {
        printf("  %-34s %s\n", "First reply (business hours)", cm_strerror(CM_ENODATA));
    } else {
        char mean[32];
        fmt_duration(mean, sizeof mean,
                     (double)s->business_reply_seconds / (double)s->business_replies);
        printf("  %-34s %10s %43llu\n", "First reply (business hours)", mean,
               (unsigned long long)s->business_replies);
    }
    if (rules->policy == NULL)
        return;
    printf("\nFirst reply within the SLA target        value  interval              count\n");
    for (int p = 0; p < 4; p++) {
        char label[64], target[32];
        if (rules->first_reply_target[p] == 0)
            continue;
        fmt_duration(target, sizeof target, (double)rules->first_reply_target[p]);
        snprintf(label, sizeof label, "%s (%s%s)", sla_priorities[p], target,
                 rules->first_reply_business[p] ? " business" : "");
        print_rate(label, s->sla_met[p], s->sla_judged[p], opt->confidence);
    }
}

/* One line per group for --by: the headline KPIs side by side. */
static void print_group_line(const char *name, const kpi_set *s, double conf)
{
    char csat[16] = "-", nps[16] = "-", fcr[16] = "-", med[32] = "-", p90[32] = "-",
         aband[16] = "-";
    cm_csat_summary cs;
    cm_nps_summary ns;
    cm_proportion p;
    if (cm_csat_result(&s->csat, conf, &cs) == CM_OK)
        snprintf(csat, sizeof csat, "%.1f %%", 100.0 * cs.satisfied.value);
    if (cm_nps_result(&s->nps, conf, &ns) == CM_OK)
        snprintf(nps, sizeof nps, "%+.1f", ns.score);
    if (cm_rate(s->solved_first_contact, s->solved, conf, &p) == CM_OK)
        snprintf(fcr, sizeof fcr, "%.1f %%", 100.0 * p.value);
    double q[2];
    static const double mq[2] = {0.5, 0.9};
    if (cm_sketch_quantiles(&s->first_reply, mq, 2, q) == CM_OK) {
        fmt_duration(med, sizeof med, q[0]);
        fmt_duration(p90, sizeof p90, q[1]);
    }
    if (cm_abandonment_rate(s->rt_offered, s->rt_abandoned, s->rt_short, conf, &p) == CM_OK)
        snprintf(aband, sizeof aband, "%.1f %%", 100.0 * p.value);
    printf("  %-10s %10llu %8s %7s %8s %10s %10s %8s\n", name, (unsigned long long)s->tickets, csat,
           nps, fcr, med, p90, aband);
}

static void month_name(int64_t month, char *buf, size_t cap)
{
    snprintf(buf, cap, "%04lld-%02lld", (long long)(1970 + month / 12),
             (long long)(month % 12 + 1));
}

static void print_groups(const report *rep, const options *opt)
{
    static const char *const by_names[] = {"", "channel", "priority", "month"};
    printf("\nBy %s    %10s %8s %7s %8s %10s %10s %8s\n", by_names[opt->by], "tickets", "CSAT",
           "NPS", "FCR", "reply p50", "reply p90", "abandon");
    if (opt->by == BY_CHANNEL) {
        for (int c = 0; c < NCHANNELS; c++)
            print_group_line(channel_names[c], &rep->by_channel[c], opt->confidence);
    } else if (opt->by == BY_PRIORITY) {
        for (int p = 0; p < NPRIORITIES; p++)
            print_group_line(priority_names[p], &rep->by_priority[p], opt->confidence);
    } else {
        for (size_t i = 0; i < rep->months.count; i++) {
            int64_t m;
            const kpi_set *s = report_month(rep, i, &m);
            char name[48];
            month_name(m, name, sizeof name);
            print_group_line(name, s, opt->confidence);
        }
    }
}

void print_text(const report *rep, const options *opt)
{
    const double conf = opt->confidence;
    const kpi_set *all = &rep->all;
    printf("caremetrics-report %s: %s\n", cm_version_string(), opt->path);
    printf("rows %llu: tickets %llu, abandoned contacts %llu, bad rows %llu\n\n",
           (unsigned long long)rep->rows, (unsigned long long)all->tickets,
           (unsigned long long)all->rt_abandoned, (unsigned long long)rep->bad_rows);

    printf("Tickets by channel\n");
    for (int c = 0; c < NCHANNELS; c++)
        printf("  %-34s %10llu\n", channel_names[c], (unsigned long long)all->by_channel[c]);

    printf("\nSatisfaction (%d %% confidence)          value  interval          responses\n",
           (int)lround(conf * 100.0));
    print_surveys(all, conf);

    printf("\nResolution                              value  interval              count\n");
    print_rate("First contact resolution", all->solved_first_contact, all->solved, conf);
    print_rate("Reopen rate", all->reopened, all->solved, conf);
    print_rate("Escalation rate", all->escalated, all->tickets, conf);

    printf("\n%-36s %10s %10s %10s %10s %10s\n", "Response times (calendar)", "mean", "median",
           "p90", "p99", "n");
    print_distribution("First reply", &all->first_reply, exact_list(rep, opt));
    if (!opt->kpis_only)
        print_distribution("Resolution", &all->resolution, NULL);
    print_business(all, opt);
    if (!opt->kpis_only) {
        static const char *const what[2] = {"First reply", "Resolution"};
        for (int k = 0; k < 2; k++) {
            printf("\n%s by channel\n", what[k]);
            for (int c = 0; c < NCHANNELS; c++)
                print_distribution(channel_names[c],
                                   k == 0 ? &rep->by_channel[c].first_reply
                                          : &rep->by_channel[c].resolution,
                                   NULL);
            printf("\n%s by priority\n", what[k]);
            for (int p = 0; p < NPRIORITIES; p++)
                print_distribution(priority_names[p],
                                   k == 0 ? &rep->by_priority[p].first_reply
                                          : &rep->by_priority[p].resolution,
                                   NULL);
        }
    }

    printf("\nReal-time channels (phone, chat)        value  interval              count\n");
    print_abandonment(all, opt);
    if (!opt->kpis_only) {
        staffing_section_print(&rep->staffing, conf);
        sla_section_print(&rep->sla, opt->rules, conf);
    }
    if (opt->by != BY_NONE)
        print_groups(rep, opt);
}

/* ---- JSON ------------------------------------------------------------------------ */

static void json_number(const char *key, double v, const char *sep)
{
    if (isfinite(v))
        printf("\"%s\": %.17g%s", key, v, sep);
    else
        printf("\"%s\": null%s", key, sep);
}

static void json_proportion(const char *key, uint64_t num, uint64_t den, double conf,
                            const char *sep)
{
    cm_proportion p;
    printf("\"%s\": {\"num\": %llu, \"den\": %llu, ", key, (unsigned long long)num,
           (unsigned long long)den);
    if (cm_rate(num, den, conf, &p) == CM_OK)
        printf("\"value\": %.17g, \"lo\": %.17g, \"hi\": %.17g}%s", p.value, p.lo, p.hi, sep);
    else
        printf("\"value\": null, \"lo\": null, \"hi\": null}%s", sep);
}

static void json_distribution(const char *key, const cm_sketch *s, const duration_list *exact,
                              const char *sep)
{
    const distribution d = distribution_of(s, exact);
    printf("\"%s\": {\"n\": %llu, ", key, (unsigned long long)d.n);
    if (d.status == CM_OK)
        printf("\"mean_seconds\": %.17g, \"median_seconds\": %.17g, \"p90_seconds\": %.17g, "
               "\"p99_seconds\": %.17g, \"exact\": %s}%s",
               d.mean, d.q[0], d.q[1], d.q[2], exact != NULL ? "true" : "false", sep);
    else
        printf("\"mean_seconds\": null, \"median_seconds\": null, \"p90_seconds\": null, "
               "\"p99_seconds\": null}%s",
               sep);
}

/* Business-hours first reply and SLA first-reply attainment as JSON members. */
static void json_business(const kpi_set *s, const options *opt)
{
    if (opt->rules->calendar == NULL)
        return;
    printf("\"first_reply_business\": {\"n\": %llu, \"total_seconds\": %lld, ",
           (unsigned long long)s->business_replies, (long long)s->business_reply_seconds);
    json_number("mean_seconds",
                s->business_replies
                    ? (double)s->business_reply_seconds / (double)s->business_replies
                    : (double)NAN,
                "}, ");
    if (opt->rules->policy == NULL)
        return;
    printf("\"sla_first_reply\": {");
    const char *sep = "";
    for (int p = 0; p < 4; p++) {
        if (opt->rules->first_reply_target[p] == 0)
            continue;
        printf("%s\"%s\": {\"achieved\": %llu, \"total\": %llu, \"target_seconds\": %lld, "
               "\"business\": %s, ",
               sep, sla_priorities[p], (unsigned long long)s->sla_met[p],
               (unsigned long long)s->sla_judged[p], (long long)opt->rules->first_reply_target[p],
               opt->rules->first_reply_business[p] ? "true" : "false");
        json_number(
            "value",
            s->sla_judged[p] ? (double)s->sla_met[p] / (double)s->sla_judged[p] : (double)NAN, "}");
        sep = ", ";
    }
    printf("}, ");
}

/* The KPIs of one set as JSON members (no braces). */
static void json_kpis(const kpi_set *s, const duration_list *exact, const options *opt)
{
    const double conf = opt->confidence;
    printf("\"tickets\": %llu, ", (unsigned long long)s->tickets);
    cm_csat_summary cs;
    if (cm_csat_result(&s->csat, conf, &cs) == CM_OK)
        printf("\"csat\": {\"num\": %llu, \"den\": %llu, \"value\": %.17g, \"lo\": %.17g, "
               "\"hi\": %.17g, \"mean\": %.17g}, ",
               (unsigned long long)cs.satisfied.num, (unsigned long long)cs.satisfied.den,
               cs.satisfied.value, cs.satisfied.lo, cs.satisfied.hi, cs.mean);
    else
        printf("\"csat\": {\"num\": 0, \"den\": 0, \"value\": null, \"lo\": null, "
               "\"hi\": null, \"mean\": null}, ");
    cm_nps_summary ns;
    if (cm_nps_result(&s->nps, conf, &ns) == CM_OK)
        printf("\"nps\": {\"n\": %llu, \"promoters\": %llu, \"passives\": %llu, "
               "\"detractors\": %llu, \"score\": %.17g, \"se\": %.17g, \"lo\": %.17g, "
               "\"hi\": %.17g}, ",
               (unsigned long long)ns.n, (unsigned long long)ns.promoters,
               (unsigned long long)ns.passives, (unsigned long long)ns.detractors, ns.score, ns.se,
               ns.lo, ns.hi);
    else
        printf("\"nps\": {\"n\": 0, \"promoters\": 0, \"passives\": 0, \"detractors\": 0, "
               "\"score\": null, \"se\": null, \"lo\": null, \"hi\": null}, ");
    cm_ces_summary es;
    if (cm_ces_result(&s->ces, conf, &es) == CM_OK)
        printf("\"ces\": {\"n\": %llu, \"mean\": %.17g, \"lo\": %.17g, \"hi\": %.17g, "
               "\"low_effort\": %.17g}, ",
               (unsigned long long)es.n, es.mean, es.lo, es.hi, es.easy.value);
    else
        printf("\"ces\": {\"n\": 0, \"mean\": null, \"lo\": null, \"hi\": null, "
               "\"low_effort\": null}, ");
    json_proportion("fcr", s->solved_first_contact, s->solved, conf, ", ");
    json_proportion("reopen_rate", s->reopened, s->solved, conf, ", ");
    json_proportion("escalation_rate", s->escalated, s->tickets, conf, ", ");
    json_distribution("first_reply", &s->first_reply, exact, ", ");
    if (!opt->kpis_only)
        json_distribution("resolution", &s->resolution, NULL, ", ");
    json_business(s, opt);
    cm_proportion p;
    printf("\"abandonment\": {\"offered\": %llu, \"abandoned\": %llu, \"short\": %llu, ",
           (unsigned long long)s->rt_offered, (unsigned long long)s->rt_abandoned,
           (unsigned long long)s->rt_short);
    if (cm_abandonment_rate(s->rt_offered, s->rt_abandoned, s->rt_short, conf, &p) == CM_OK)
        printf("\"num\": %llu, \"den\": %llu, \"value\": %.17g}", (unsigned long long)p.num,
               (unsigned long long)p.den, p.value);
    else
        printf("\"num\": 0, \"den\": 0, \"value\": null}");
}

void print_json(const report *rep, const options *opt, double compute_seconds,
                double compute_cpu_seconds)
{
    printf("{\"version\": \"%s\", \"input\": \"", cm_version_string());
    for (const char *c = opt->path; *c; c++) {
        if (*c == '"' || *c == '\\')
            putchar('\\');
        if ((unsigned char)*c >= 0x20)
            putchar(*c);
    }
    printf("\", \"rows\": %llu, \"bad_rows\": %llu, \"threads\": %u, ",
           (unsigned long long)rep->rows, (unsigned long long)rep->bad_rows, opt->threads);
    json_number("compute_seconds", compute_seconds, ", ");
    json_number("compute_cpu_seconds", compute_cpu_seconds, ", ");
    json_number("confidence", opt->confidence, ", ");
    json_kpis(&rep->all, exact_list(rep, opt), opt);
    if (opt->by != BY_NONE) {
        static const char *const by_names[] = {"", "channel", "priority", "month"};
        printf(", \"by\": \"%s\", \"groups\": [", by_names[opt->by]);
        const size_t ngroups = opt->by == BY_CHANNEL    ? NCHANNELS
                               : opt->by == BY_PRIORITY ? NPRIORITIES
                                                        : rep->months.count;
        for (size_t g = 0; g < ngroups; g++) {
            char name[48];
            const kpi_set *s;
            if (opt->by == BY_CHANNEL) {
                s = &rep->by_channel[g];
                snprintf(name, sizeof name, "%s", channel_names[g]);
            } else if (opt->by == BY_PRIORITY) {
                s = &rep->by_priority[g];
                snprintf(name, sizeof name, "%s", priority_names[g]);
            } else {
                int64_t m;
                s = report_month(rep, g, &m);
                month_name(m, name, sizeof name);
            }
            printf("%s{\"group\": \"%s\", ", g ? ", " : "", name);
            json_kpis(s, NULL, opt);
            printf("}");
        }
        printf("]");
    }
    printf("}\n");
}

/* ---- CSV ------------------------------------------------------------------------- */

/* One row per KPI: group,kpi,value,lo,hi,num,den (empty where not applicable). */
static void csv_kpis(const char *group, const kpi_set *s, const duration_list *exact,
                     const options *opt)
{
    const double conf = opt->confidence;
    cm_proportion p;
    printf("%s,tickets,%llu,,,,\n", group, (unsigned long long)s->tickets);
    cm_csat_summary cs;
    if (cm_csat_result(&s->csat, conf, &cs) == CM_OK)
        printf("%s,csat,%.17g,%.17g,%.17g,%llu,%llu\n", group, cs.satisfied.value, cs.satisfied.lo,
               cs.satisfied.hi, (unsigned long long)cs.satisfied.num,
               (unsigned long long)cs.satisfied.den);
    cm_nps_summary ns;
    if (cm_nps_result(&s->nps, conf, &ns) == CM_OK)
        printf("%s,nps,%.17g,%.17g,%.17g,%llu,%llu\n", group, ns.score, ns.lo, ns.hi,
               (unsigned long long)(ns.promoters - ns.detractors), (unsigned long long)ns.n);
    cm_ces_summary es;
    if (cm_ces_result(&s->ces, conf, &es) == CM_OK)
        printf("%s,ces_mean,%.17g,%.17g,%.17g,,%llu\n", group, es.mean, es.lo, es.hi,
               (unsigned long long)es.n);
    if (cm_rate(s->solved_first_contact, s->solved, conf, &p) == CM_OK)
        printf("%s,fcr,%.17g,%.17g,%.17g,%llu,%llu\n", group, p.value, p.lo, p.hi,
               (unsigned long long)p.num, (unsigned long long)p.den);
    if (cm_rate(s->reopened, s->solved, conf, &p) == CM_OK)
        printf("%s,reopen_rate,%.17g,%.17g,%.17g,%llu,%llu\n", group, p.value, p.lo, p.hi,
               (unsigned long long)p.num, (unsigned long long)p.den);
    const distribution d = distribution_of(&s->first_reply, exact);
    if (d.status == CM_OK) {
        printf("%s,first_reply_mean_seconds,%.17g,,,,%llu\n", group, d.mean,
               (unsigned long long)d.n);
        printf("%s,first_reply_median_seconds,%.17g,,,,%llu\n", group, d.q[0],
               (unsigned long long)d.n);
        printf("%s,first_reply_p90_seconds,%.17g,,,,%llu\n", group, d.q[1],
               (unsigned long long)d.n);
    }
    if (opt->rules->calendar != NULL && s->business_replies > 0)
        printf("%s,first_reply_business_mean_seconds,%.17g,,,,%llu\n", group,
               (double)s->business_reply_seconds / (double)s->business_replies,
               (unsigned long long)s->business_replies);
    for (int q = 0; q < 4 && opt->rules->policy != NULL; q++) {
        if (opt->rules->first_reply_target[q] > 0 &&
            cm_rate(s->sla_met[q], s->sla_judged[q], conf, &p) == CM_OK)
            printf("%s,sla_first_reply_%s,%.17g,%.17g,%.17g,%llu,%llu\n", group, sla_priorities[q],
                   p.value, p.lo, p.hi, (unsigned long long)p.num, (unsigned long long)p.den);
    }
    if (cm_abandonment_rate(s->rt_offered, s->rt_abandoned, s->rt_short, conf, &p) == CM_OK)
        printf("%s,abandonment,%.17g,%.17g,%.17g,%llu,%llu\n", group, p.value, p.lo, p.hi,
               (unsigned long long)p.num, (unsigned long long)p.den);
}

void print_csv(const report *rep, const options *opt)
{
    printf("group,kpi,value,lo,hi,num,den\n");
    csv_kpis("all", &rep->all, exact_list(rep, opt), opt);
    if (opt->by == BY_CHANNEL) {
        for (int c = 0; c < NCHANNELS; c++)
            csv_kpis(channel_names[c], &rep->by_channel[c], NULL, opt);
    } else if (opt->by == BY_PRIORITY) {
        for (int p = 0; p < NPRIORITIES; p++)
            csv_kpis(priority_names[p], &rep->by_priority[p], NULL, opt);
    } else if (opt->by == BY_MONTH) {
        for (size_t i = 0; i < rep->months.count; i++) {
            int64_t m;
            const kpi_set *s = report_month(rep, i, &m);
            char name[48];
            month_name(m, name, sizeof name);
            csv_kpis(name, s, NULL, opt);
        }
    }
}
