/*
 * naive: the hand-written baseline of benchmarks/compare (docs/benchmarks.md).
 * One pass over the columns of a columnar ticket file (docs/ticket-columns.md)
 * computes every KPI of the comparison, with the one schedule hard-coded:
 * Monday to Friday 09:00-17:00 America/New_York under the US daylight-saving
 * rules in force since 2007, closed on the holidays of us-holidays.txt.
 * Prints one JSON object with the KPIs and the compute time.
 *
 *   naive [--repeat R] FILE.cmt   the KPIs; compute_seconds (wall) and compute_cpu_seconds
 *                                 (processor time) are each the best of R passes
 *   naive --elapsed               reads "FROM TO" (Unix seconds) per line on standard
 *                                 input and prints the business seconds of [FROM, TO)
 *
 * Business time: the opening hours of a New York date always lie inside the
 * UTC date of the same number (09:00-17:00 EST/EDT is 14:00-22:00 or
 * 13:00-21:00 UTC), so a table indexed by the UTC day gives that day's
 * opening second and length and the open seconds of all earlier days; the
 * business seconds before an instant are one lookup and a clamp, and the
 * elapsed business time of [a, b) is the difference of two such values.
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE /* MAP_POPULATE */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ticket-columns.h"

/* ---- the hard-coded schedule ------------------------------------------------ */

/* US federal holidays, observed dates (us-holidays.txt), as YYYYMMDD. */
static const int32_t holidays[] = {
    20240101, 20240115, 20240219, 20240527, 20240619, 20240704, 20240902, 20241014, 20241111,
    20241128, 20241225, 20250101, 20250120, 20250217, 20250526, 20250619, 20250704, 20250901,
    20251013, 20251111, 20251127, 20251225, 20260101, 20260119, 20260216, 20260525, 20260619,
    20260703, 20260907, 20261012, 20261111, 20261126, 20261225,
};

enum {
    DAY_SECONDS = 86400,
    OPEN_LOCAL = 9 * 3600,
    OPEN_LENGTH = 8 * 3600,
    FIRST_YEAR = 2008, /* the table covers FIRST_YEAR-01-01 .. LAST_YEAR-12-31 (UTC days) */
    LAST_YEAR = 2059,
};

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp + (mp < 10 ? 3 : -9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* 0 = Monday .. 6 = Sunday; 1970-01-01 was a Thursday. */
static int64_t weekday(int64_t days)
{
    const int64_t r = (days + 3) % 7;
    return r < 0 ? r + 7 : r;
}

/* Day of the month of the n-th Sunday (n >= 1) of a month. */
static int64_t nth_sunday(int64_t y, int64_t m, int64_t n)
{
    const int64_t first = days_from_civil(y, m, 1);
    return 1 + (6 - weekday(first)) + 7 * (n - 1);
}

/* Daylight saving time in New York at 09:00 local on a date (rules since 2007:
 * from the second Sunday of March to the first Sunday of November, 02:00). */
static bool ny_dst_at_nine(int64_t y, int64_t m, int64_t d)
{
    if (m > 3 && m < 11)
        return true;
    if (m == 3)
        return d >= nth_sunday(y, 3, 2);
    if (m == 11)
        return d < nth_sunday(y, 11, 1);
    return false;
}

/* One UTC day: business seconds before it, and its opening (second of the UTC day, length). */
typedef struct bday {
    int64_t before;
    int32_t open, length;
} bday;

typedef struct schedule {
    int64_t first_day; /* days since the epoch of table[0] */
    size_t ndays;
    bday *table;
} schedule;

static bool is_holiday(int64_t y, int64_t m, int64_t d)
{
    const int32_t key = (int32_t)(y * 10000 + m * 100 + d);
    for (size_t i = 0; i < sizeof holidays / sizeof holidays[0]; i++) {
        if (holidays[i] == key)
            return true;
    }
    return false;
}

static bool schedule_build(schedule *s)
{
    s->first_day = days_from_civil(FIRST_YEAR, 1, 1);
    s->ndays = (size_t)(days_from_civil(LAST_YEAR + 1, 1, 1) - s->first_day);
    s->table = malloc(s->ndays * sizeof *s->table);
    if (s->table == NULL)
        return false;
    int64_t before = 0;
    for (size_t i = 0; i < s->ndays; i++) {
        const int64_t day = s->first_day + (int64_t)i;
        int64_t y, m, d;
        civil_from_days(day, &y, &m, &d);
        const bool open = weekday(day) < 5 && !is_holiday(y, m, d);
        const int64_t offset = ny_dst_at_nine(y, m, d) ? 4 * 3600 : 5 * 3600; /* UTC - local */
        s->table[i].before = before;
        s->table[i].open = (int32_t)(OPEN_LOCAL + offset);
        s->table[i].length = open ? OPEN_LENGTH : 0;
        before += s->table[i].length;
    }
    return true;
}

/* Business seconds from the start of the table to instant t; false outside the table. */
static inline bool business_before(const schedule *s, int64_t t, int64_t *out)
{
    const int64_t day = (t >= 0 ? t : t - (DAY_SECONDS - 1)) / DAY_SECONDS;
    const uint64_t i = (uint64_t)(day - s->first_day);
    if (i >= s->ndays)
        return false;
    const bday *b = &s->table[i];
    int64_t x = t - day * DAY_SECONDS - b->open;
    x = x < 0 ? 0 : x > b->length ? b->length : x;
    *out = b->before + x;
    return true;
}

/* ---- the KPIs -------------------------------------------------------------- */

enum { URGENT = 1, HIGH, NORMAL, LOW, NPRIORITY };
static const char *const priority_names[NPRIORITY] = {"", "urgent", "high", "normal", "low"};
/* SLA first-reply targets: urgent and high in calendar seconds, normal and low in business seconds. */
static const int64_t sla_target[NPRIORITY] = {0, 15 * 60, 3600, 4 * 3600, 8 * 3600};
static const double short_abandon = 5.0;

typedef struct kpis {
    uint64_t rows, tickets;
    uint64_t csat_n, csat_pos, nps_n, nps_promoters, nps_detractors, ces_n, ces_sum;
    uint64_t solved, solved_one_contact;
    uint64_t reply_n;
    int64_t reply_sum, business_sum;
    double reply_median, reply_p90;
    uint64_t offered, abandoned, short_abandoned;
    uint64_t sla_total[NPRIORITY], sla_achieved[NPRIORITY];
} kpis;

/* Rearranges a[lo..hi) so that a[k] holds the value of rank k, smaller or equal
 * values before it and larger or equal after it (Hoare's selection). */
static void select_rank(int64_t *a, size_t lo, size_t hi, size_t k)
{
    while (hi - lo > 1) {
        const int64_t pivot = a[lo + (hi - lo) / 2];
        size_t i = lo, j = hi - 1;
        for (;;) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i >= j)
                break;
            const int64_t t = a[i];
            a[i] = a[j];
            a[j] = t;
            i++;
            j--;
        }
        /* a[lo..j] <= pivot <= a[j+1..hi) */
        if (k <= j)
            hi = j + 1;
        else
            lo = j + 1;
    }
}

/*
 * Exact first-reply quantiles: durations below HIST_SECONDS are counted in a
 * histogram by the second during the pass, longer ones are kept in a spill
 * array (they all rank above the histogram's), where a selection finds them.
 */
enum { HIST_SECONDS = 1 << 15 };

typedef struct durations {
    uint64_t *hist; /* HIST_SECONDS counts */
    int64_t *spill; /* room for every row */
    uint64_t in_hist, spilled;
} durations;

static int64_t rank_value(durations *d, uint64_t rank)
{
    if (rank >= d->in_hist) {
        const size_t k = (size_t)(rank - d->in_hist);
        select_rank(d->spill, 0, (size_t)d->spilled, k);
        return d->spill[k];
    }
    uint64_t seen = 0;
    int64_t v = 0;
    while (seen + d->hist[v] <= rank)
        seen += d->hist[v++];
    return v;
}

/* numpy's default percentile (linear interpolation between closest ranks) at q. */
static double quantile(durations *d, double q)
{
    const uint64_t n = d->in_hist + d->spilled;
    const double h = q * (double)(n - 1);
    const uint64_t k = (uint64_t)floor(h);
    const double f = h - (double)k;
    const double lo = (double)rank_value(d, k);
    const double hi = k + 1 < n ? (double)rank_value(d, k + 1) : lo;
    const double diff = hi - lo;
    return f < 0.5 ? lo + diff * f : hi - diff * (1.0 - f);
}

static bool compute(const tc_table *t, const schedule *s, durations *d, kpis *k)
{
    memset(k, 0, sizeof *k);
    memset(d->hist, 0, HIST_SECONDS * sizeof *d->hist);
    uint64_t *hist = d->hist;
    int64_t *spill = d->spill;
    uint64_t spilled = 0;
    const uint64_t n = t->rows;
    const int64_t *created = t->created, *first_reply = t->first_reply, *solved = t->solved;
    const uint8_t *channel = t->channel, *priority = t->priority, *abandoned = t->abandoned;
    const uint8_t *csat = t->csat, *nps = t->nps, *ces = t->ces;
    const uint32_t *contacts = t->contacts;
    const double *wait = t->wait;
    bool ok = true;
    for (uint64_t i = 0; i < n; i++) {
        /* Flags are added rather than branched on: the survey and abandon
         * columns are random enough that branches would mispredict. */
        const unsigned gone = abandoned[i] != 0;
        const double w = wait[i];
        const unsigned has_wait = isnan(w) ? 0u : 1u;
        const unsigned offered = (channel[i] <= 1) & (has_wait | gone);
        k->offered += offered;
        k->abandoned += offered & gone;
        k->short_abandoned += offered & gone & (w < short_abandon); /* false for NaN */
        if (gone)
            continue;
        k->tickets++;
        const uint8_t c = csat[i], p = nps[i], e = ces[i];
        const unsigned has_c = c != TC_NONE_SCORE, has_p = p != TC_NONE_SCORE,
                       has_e = e != TC_NONE_SCORE;
        k->csat_n += has_c;
        k->csat_pos += has_c & (c >= 4);
        k->nps_n += has_p;
        k->nps_promoters += has_p & (p >= 9);
        k->nps_detractors += p <= 6;
        k->ces_n += has_e;
        k->ces_sum += has_e ? e : 0u;
        const unsigned is_solved = solved[i] != TC_NONE_TIME;
        k->solved += is_solved;
        k->solved_one_contact += is_solved & (contacts[i] == 1);
        if (first_reply[i] != TC_NONE_TIME) {
            const int64_t elapsed = first_reply[i] - created[i];
            int64_t b0 = 0, b1 = 0;
            ok &= business_before(s, created[i], &b0);
            ok &= business_before(s, first_reply[i], &b1);
            const int64_t business = b1 - b0;
            ok &= elapsed >= 0;
            if ((uint64_t)elapsed < HIST_SECONDS)
                hist[elapsed]++;
            else
                spill[spilled++] = elapsed;
            k->reply_n++;
            k->reply_sum += elapsed;
            k->business_sum += business;
            const uint8_t prio = priority[i];
            if (prio != 0) {
                k->sla_total[prio]++;
                k->sla_achieved[prio] += (prio <= HIGH ? elapsed : business) <= sla_target[prio];
            }
        }
    }
    k->rows = n;
    d->spilled = spilled;
    d->in_hist = k->reply_n - spilled;
    if (k->reply_n > 0) {
        k->reply_median = quantile(d, 0.5);
        k->reply_p90 = quantile(d, 0.9);
    }
    return ok;
}

/* ---- output ---------------------------------------------------------------- */

/* "name": {"num": .., "den": .., "value": ..}, or achieved/total for the SLA */
static void put_ratio(const char *name, const char *num_key, const char *den_key, uint64_t num,
                      uint64_t den, const char *sep)
{
    printf("\"%s\": {\"%s\": %" PRIu64 ", \"%s\": %" PRIu64 ", \"value\": ", name, num_key, num,
           den_key, den);
    if (den > 0)
        printf("%.17g}%s\n", (double)num / (double)den, sep);
    else
        printf("null}%s\n", sep);
}

static void put_mean(double sum, uint64_t n)
{
    if (n > 0)
        printf("%.17g", sum / (double)n);
    else
        fputs("null", stdout);
}

static double best_of(const double *v, int n)
{
    double best = v[0];
    for (int i = 1; i < n; i++)
        best = v[i] < best ? v[i] : best;
    return best;
}

static void print_kpis(const kpis *k, const double *seconds, const double *cpu, int repeat)
{
    printf("{\"rows\": %" PRIu64 ", \"tickets\": %" PRIu64 ", \"bad_rows\": 0, \"threads\": 1,\n",
           k->rows, k->tickets);
    printf("\"compute_seconds\": %.9f, \"compute_cpu_seconds\": %.9f, \"runs\": [",
           best_of(seconds, repeat), best_of(cpu, repeat));
    for (int i = 0; i < repeat; i++)
        printf("%s%.9f", i ? ", " : "", seconds[i]);
    puts("],");
    put_ratio("csat", "num", "den", k->csat_pos, k->csat_n, ",");
    printf("\"nps\": {\"n\": %" PRIu64 ", \"promoters\": %" PRIu64 ", \"detractors\": %" PRIu64
           ", \"score\": ",
           k->nps_n, k->nps_promoters, k->nps_detractors);
    if (k->nps_n > 0)
        printf("%.17g},\n",
               100.0 * ((double)k->nps_promoters - (double)k->nps_detractors) / (double)k->nps_n);
    else
        puts("null},");
    printf("\"ces\": {\"n\": %" PRIu64 ", \"mean\": ", k->ces_n);
    put_mean((double)k->ces_sum, k->ces_n);
    puts("},");
    put_ratio("fcr", "num", "den", k->solved_one_contact, k->solved, ",");
    printf("\"first_reply\": {\"n\": %" PRIu64 ", \"mean_seconds\": ", k->reply_n);
    put_mean((double)k->reply_sum, k->reply_n);
    if (k->reply_n > 0)
        printf(", \"median_seconds\": %.17g, \"p90_seconds\": %.17g},\n", k->reply_median,
               k->reply_p90);
    else
        puts(", \"median_seconds\": null, \"p90_seconds\": null},");
    printf("\"first_reply_business\": {\"n\": %" PRIu64 ", \"total_seconds\": %" PRId64
           ", \"mean_seconds\": ",
           k->reply_n, k->business_sum);
    put_mean((double)k->business_sum, k->reply_n);
    puts("},");
    put_ratio("abandonment", "num", "den", k->abandoned - k->short_abandoned,
              k->offered - k->short_abandoned, ",");
    puts("\"sla_first_reply\": {");
    for (int p = URGENT; p <= LOW; p++) {
        fputs("  ", stdout);
        put_ratio(priority_names[p], "achieved", "total", k->sla_achieved[p], k->sla_total[p],
                  p < LOW ? "," : "");
    }
    puts("}}");
}

static double now_seconds(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int run_elapsed(const schedule *s)
{
    long long a, b;
    while (scanf("%lld %lld", &a, &b) == 2) {
        int64_t ba, bb;
        if (!business_before(s, a, &ba) || !business_before(s, b, &bb)) {
            fprintf(stderr, "naive: instant outside %d-%d\n", FIRST_YEAR, LAST_YEAR);
            return 1;
        }
        printf("%" PRId64 "\n", bb - ba);
    }
    return 0;
}

static int usage(void)
{
    fputs("usage: naive [--repeat R] FILE.cmt | naive --elapsed\n", stderr);
    return 2;
}

int main(int argc, char **argv)
{
    int repeat = 1;
    const char *path = NULL;
    bool elapsed = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
            char *end;
            const long r = strtol(argv[++i], &end, 10);
            if (*end != '\0' || r < 1 || r > 100)
                return usage();
            repeat = (int)r;
        } else if (strcmp(argv[i], "--elapsed") == 0) {
            elapsed = true;
        } else if (path == NULL && argv[i][0] != '-') {
            path = argv[i];
        } else {
            return usage();
        }
    }
    schedule s;
    if (!schedule_build(&s)) {
        fputs("naive: out of memory\n", stderr);
        return 1;
    }
    if (elapsed) {
        const int rc = run_elapsed(&s);
        free(s.table);
        return rc;
    }
    if (path == NULL)
        return usage();

    const int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        fprintf(stderr, "naive: %s: %s\n", path, strerror(errno));
        return 1;
    }
    /* Mapped and paged in before any timing, as the report's compute time assumes. */
    const size_t size = (size_t)st.st_size;
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        fprintf(stderr, "naive: %s: %s\n", path, strerror(errno));
        return 1;
    }
    tc_table t;
    const char *error;
    if (tc_open(map, size, &t, &error) != 0) {
        fprintf(stderr, "naive: %s: %s\n", path, error);
        return 1;
    }
    /* Room for the exact quantiles, allocated and touched before timing. */
    const size_t room = (size_t)(t.rows > 0 ? t.rows : 1);
    durations d = {.hist = calloc(HIST_SECONDS, sizeof(uint64_t)),
                   .spill = malloc(room * sizeof(int64_t))};
    if (d.hist == NULL || d.spill == NULL) {
        fputs("naive: out of memory\n", stderr);
        return 1;
    }
    memset(d.spill, 0, room * sizeof(int64_t));

    kpis k;
    double seconds[100], cpu[100];
    for (int r = 0; r < repeat; r++) {
        const double t0 = now_seconds(CLOCK_MONOTONIC);
        const double c0 = now_seconds(CLOCK_PROCESS_CPUTIME_ID);
        const bool ok = compute(&t, &s, &d, &k);
        cpu[r] = now_seconds(CLOCK_PROCESS_CPUTIME_ID) - c0;
        seconds[r] = now_seconds(CLOCK_MONOTONIC) - t0;
        if (!ok) {
            fprintf(stderr, "naive: a first reply before creation, or an instant outside %d-%d\n",
                    FIRST_YEAR, LAST_YEAR);
            return 1;
        }
    }
    print_kpis(&k, seconds, cpu, repeat);
    free(d.hist);
    free(d.spill);
    free(s.table);
    munmap(map, size);
    return fflush(stdout) == 0 ? 0 : 1;
}
