/*
 * gen-tickets: deterministic synthetic ticket histories in the CSV layout read
 * by caremetrics-report (columns documented in docs/report.md).
 *
 *   gen-tickets [--seed N] [--tickets N] [--start YYYY-MM-DD] [--days N] [-o FILE]
 *
 * The same seed and options give byte-identical output. Distributions:
 * channel mix email 45 % / chat 25 % / phone 20 % / social 5 % / messaging 5 %;
 * priority urgent 5 % / high 15 % / normal 60 % / low 20 %; arrivals biased
 * to weekdays and 08:00-18:00 UTC; lognormal first-reply and resolution
 * times by channel and priority; contacts per ticket 75 % one; surveys
 * answered by a minority (CSAT 1-5, NPS 0-10, CES 1-7, else empty); queue
 * waits and abandons for phone and chat; lognormal handle times by channel
 * (empty for abandoned contacts), drawn from a second stream of the same seed
 * so that the other columns do not depend on them.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/common.h>

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* xoshiro256** (Blackman & Vigna), seeded through splitmix64. */
typedef struct rng {
    uint64_t s[4];
} rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t next_u64(rng *r)
{
    const uint64_t result = rotl(r->s[1] * 5, 7) * 9;
    const uint64_t t = r->s[1] << 17;
    r->s[2] ^= r->s[0];
    r->s[3] ^= r->s[1];
    r->s[1] ^= r->s[2];
    r->s[0] ^= r->s[3];
    r->s[2] ^= t;
    r->s[3] = rotl(r->s[3], 45);
    return result;
}

static double unit(rng *r)
{
    return (double)(next_u64(r) >> 11) * 0x1.0p-53;
}

static uint64_t below(rng *r, uint64_t n)
{
    return next_u64(r) % n;
}

/* Standard normal by Box-Muller (one value per call keeps the stream simple). */
static double normal(rng *r)
{
    const double u1 = 1.0 - unit(r); /* (0, 1] */
    const double u2 = unit(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586477 * u2);
}

/* Lognormal with the given median and log-space sigma. */
static double lognormal(rng *r, double median, double sigma)
{
    return median * exp(sigma * normal(r));
}

/* Picks an index by cumulative weights in percent. */
static int pick(rng *r, const int *cum, int n)
{
    const int x = (int)below(r, 100);
    for (int i = 0; i < n; i++) {
        if (x < cum[i])
            return i;
    }
    return n - 1;
}

enum { PHONE, CHAT, EMAIL, SOCIAL, MESSAGING, NCHANNELS };
static const char *const channel_names[NCHANNELS] = {"phone", "chat", "email", "social",
                                                     "messaging"};
static const int channel_cum[NCHANNELS] = {20, 45, 90, 95, 100};
/* Median first reply per channel, seconds (phone/chat: answered by an agent). */
static const double reply_median[NCHANNELS] = {35, 45, 3 * 3600.0, 40 * 60.0, 20 * 60.0};
static const double resolve_median[NCHANNELS] = {15 * 60.0, 30 * 60.0, 20 * 3600.0, 6 * 3600.0,
                                                 4 * 3600.0};

/* Median handle time (talk or writing, plus wrap-up) per channel, seconds. */
static const double handle_median[NCHANNELS] = {330, 420, 480, 300, 360};

static const char *const priority_names[4] = {"urgent", "high", "normal", "low"};
static const int priority_cum[4] = {5, 20, 80, 100};
static const double priority_speed[4] = {0.25, 0.5, 1.0, 1.6};

static void put_time(FILE *f, cm_time t)
{
    char buf[CM_TIME_FORMAT_SIZE];
    if (cm_time_format(t, buf, sizeof buf) == CM_OK)
        fputs(buf, f);
}

/* Arrival instant: a random day (weekends at a third of the weight), then an
 * hour drawn mostly from 08:00-18:00. */
static cm_time arrival(rng *r, cm_time start, int64_t days)
{
    int64_t day;
    for (;;) {
        day = (int64_t)below(r, (uint64_t)days);
        const int64_t wd = (day + (start / 86400 + 3)) % 7; /* 0 = Monday */
        if (wd < 5 || below(r, 3) == 0)
            break;
    }
    const int64_t hour = below(r, 10) < 8 ? 8 + (int64_t)below(r, 10) : (int64_t)below(r, 24);
    return start + day * 86400 + hour * 3600 + (int64_t)below(r, 3600);
}

static int survey(rng *r, int percent)
{
    return (int)below(r, 100) < percent;
}

static int csat_score(rng *r)
{
    static const int cum[5] = {5, 9, 17, 40, 100};
    return pick(r, cum, 5) + 1;
}

static int nps_score(rng *r)
{
    static const int cum[11] = {3, 4, 5, 7, 9, 12, 16, 24, 38, 62, 100};
    return pick(r, cum, 11);
}

static int ces_score(rng *r)
{
    static const int cum[7] = {4, 8, 14, 24, 44, 74, 100};
    return pick(r, cum, 7) + 1;
}

static int usage(void)
{
    fputs("usage: gen-tickets [--seed N] [--tickets N] [--start YYYY-MM-DD] [--days N] "
          "[-o FILE]\n",
          stderr);
    return 2;
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    const unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-')
        return 0;
    *out = v;
    return 1;
}

int main(int argc, char **argv)
{
    uint64_t seed = 1, tickets = 1000, days = 730;
    const char *start_text = "2024-01-01", *path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc)
            return usage();
        const char *v = argv[++i];
        if (strcmp(a, "--seed") == 0) {
            if (!parse_u64(v, &seed))
                return usage();
        } else if (strcmp(a, "--tickets") == 0) {
            if (!parse_u64(v, &tickets))
                return usage();
        } else if (strcmp(a, "--days") == 0) {
            if (!parse_u64(v, &days) || days == 0 || days > 36500)
                return usage();
        } else if (strcmp(a, "--start") == 0) {
            start_text = v;
        } else if (strcmp(a, "-o") == 0) {
            path = v;
        } else {
            return usage();
        }
    }
    cm_time start;
    if (cm_time_parse(start_text, strlen(start_text), &start) != CM_OK) {
        fprintf(stderr, "gen-tickets: bad --start date '%s'\n", start_text);
        return 2;
    }
    FILE *f = path ? fopen(path, "w") : stdout;
    if (f == NULL) {
        fprintf(stderr, "gen-tickets: %s: %s\n", path, strerror(errno));
        return 1;
    }
    rng r, hr;
    uint64_t x = seed, hx = seed ^ 0x68616E646C650000u; /* "handle" */
    for (int i = 0; i < 4; i++) {
        r.s[i] = splitmix64(&x);
        hr.s[i] = splitmix64(&hx);
    }

    fputs("ticket_id,created_at,channel,priority,first_reply_at,solved_at,contacts,reopened,"
          "escalated,csat,nps,ces,wait_seconds,abandoned,handle_seconds\n",
          f);
    for (uint64_t id = 1; id <= tickets; id++) {
        const int ch = pick(&r, channel_cum, NCHANNELS);
        const int pr = pick(&r, priority_cum, 4);
        const cm_time created = arrival(&r, start, (int64_t)days);
        const int realtime = ch == PHONE || ch == CHAT;
        fprintf(f, "%" PRIu64 ",", id);
        put_time(f, created);
        const int no_priority = below(&r, 50) == 0;
        fprintf(f, ",%s,%s,", channel_names[ch], no_priority ? "" : priority_names[pr]);

        /* Real-time channels: a queue wait, and a chance to hang up that grows with it. */
        double wait = 0.0;
        int abandoned = 0;
        if (realtime) {
            wait = floor(lognormal(&r, reply_median[ch], 1.0));
            const double p_abandon = 0.02 + 0.25 * (1.0 - exp(-wait / 240.0));
            abandoned = unit(&r) < p_abandon;
        }
        if (abandoned) {
            fprintf(f, ",,1,0,0,,,,%.0f,1,\n", wait);
            continue;
        }
        const double handle = ceil(lognormal(&hr, handle_median[ch], 0.45));
        const double speed = priority_speed[pr];
        const int64_t reply =
            realtime ? (int64_t)wait : (int64_t)ceil(lognormal(&r, reply_median[ch] * speed, 1.1));
        const int64_t resolve =
            reply + (int64_t)ceil(lognormal(&r, resolve_median[ch] * speed, 1.3));
        const int solved = below(&r, 100) < 93;
        static const int contacts_cum[4] = {75, 90, 97, 100};
        const int contacts = pick(&r, contacts_cum, 4) + 1;
        /* Draw in a fixed order: argument evaluation order is unspecified in C. */
        const int reopened = solved && below(&r, 100) < 6;
        const int escalated = below(&r, 100) < (pr == 0 ? 30u : 9u);
        put_time(f, created + reply);
        fputc(',', f);
        if (solved)
            put_time(f, created + resolve);
        fprintf(f, ",%d,%d,%d,", contacts, reopened, escalated);
        if (solved && survey(&r, 25))
            fprintf(f, "%d", csat_score(&r));
        fputc(',', f);
        if (solved && survey(&r, 15))
            fprintf(f, "%d", nps_score(&r));
        fputc(',', f);
        if (solved && survey(&r, 10))
            fprintf(f, "%d", ces_score(&r));
        fputc(',', f);
        if (realtime)
            fprintf(f, "%.0f", wait);
        fprintf(f, ",%d,%.0f\n", 0, handle);
    }
    if (ferror(f) || (path != NULL && fclose(f) != 0)) {
        fprintf(stderr, "gen-tickets: write error\n");
        return 1;
    }
    return 0;
}
