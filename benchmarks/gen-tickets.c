/*
 * gen-tickets: deterministic synthetic ticket histories, as the CSV read by
 * caremetrics-report (columns in docs/report.md) or in the columnar binary
 * layout of docs/ticket-columns.md.
 *
 *   gen-tickets [--seed N] [--tickets N] [--start YYYY-MM-DD] [--days N]
 *               [--format csv|columnar] [-o FILE]
 *
 * The same seed and options give byte-identical output, and both formats
 * hold the same tickets. 10M tickets take a few seconds. Distributions:
 * channel mix email 45 % / chat 25 % / phone 20 % / social 5 % / messaging 5 %;
 * priority urgent 5 % / high 15 % / normal 60 % / low 20 %; arrivals biased
 * to weekdays and 08:00-18:00 UTC; lognormal first-reply and resolution
 * times by channel and priority; contacts per ticket 75 % one; surveys
 * answered by a minority (CSAT 1-5, NPS 0-10, CES 1-7, else empty); queue
 * waits and abandons for phone and chat; lognormal handle times by channel
 * (empty for abandoned contacts), drawn from a second stream of the same seed
 * so that the other columns do not depend on them; and, from a third stream,
 * time spent pending (waiting on the customer) for a quarter of the solved
 * non-real-time tickets, inside the reply-to-solve span.
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* pwrite */
#include <caremetrics/common.h>

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ticket-columns.h"

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

static const int priority_cum[4] = {5, 20, 80, 100};
static const double priority_speed[4] = {0.25, 0.5, 1.0, 1.6};

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

/* One generated ticket (or abandoned contact), in the units of the columnar layout. */
typedef struct ticket {
    cm_time created, first_reply, solved; /* TC_NONE_TIME when absent */
    uint8_t channel, priority, reopened, escalated, abandoned, csat, nps, ces;
    uint32_t contacts;
    double wait, handle; /* NaN when absent */
    int64_t pending;
} ticket;

typedef struct generator {
    rng r, hr, pr; /* main stream, handle times, pending spans */
    cm_time start;
    int64_t days;
} generator;

static void generate(generator *g, ticket *t)
{
    rng *r = &g->r;
    const int ch = pick(r, channel_cum, NCHANNELS);
    const int pr = pick(r, priority_cum, 4);
    const cm_time created = arrival(r, g->start, g->days);
    const int realtime = ch == PHONE || ch == CHAT;
    const int no_priority = below(r, 50) == 0;
    memset(t, 0, sizeof *t);
    t->created = created;
    t->first_reply = t->solved = TC_NONE_TIME;
    t->channel = (uint8_t)ch;
    t->priority = no_priority ? TC_PRIORITY_NONE : (uint8_t)(pr + 1);
    t->csat = t->nps = t->ces = TC_NONE_SCORE;
    t->wait = t->handle = (double)NAN;
    t->contacts = 1;

    /* Real-time channels: a queue wait, and a chance to hang up that grows with it. */
    double wait = 0.0;
    int abandoned = 0;
    if (realtime) {
        wait = floor(lognormal(r, reply_median[ch], 1.0));
        const double p_abandon = 0.02 + 0.25 * (1.0 - exp(-wait / 240.0));
        abandoned = unit(r) < p_abandon;
        t->wait = wait;
    }
    if (abandoned) {
        t->abandoned = 1;
        return;
    }
    t->handle = ceil(lognormal(&g->hr, handle_median[ch], 0.45));
    const double speed = priority_speed[pr];
    const int64_t reply =
        realtime ? (int64_t)wait : (int64_t)ceil(lognormal(r, reply_median[ch] * speed, 1.1));
    const int64_t resolve = reply + (int64_t)ceil(lognormal(r, resolve_median[ch] * speed, 1.3));
    const int solved = below(r, 100) < 93;
    static const int contacts_cum[4] = {75, 90, 97, 100};
    t->contacts = (uint32_t)pick(r, contacts_cum, 4) + 1;
    /* Draw in a fixed order: argument evaluation order is unspecified in C. */
    t->reopened = (uint8_t)(solved && below(r, 100) < 6);
    t->escalated = (uint8_t)(below(r, 100) < (pr == 0 ? 30u : 9u));
    t->first_reply = created + reply;
    if (solved)
        t->solved = created + resolve;
    if (solved && survey(r, 25))
        t->csat = (uint8_t)csat_score(r);
    if (solved && survey(r, 15))
        t->nps = (uint8_t)nps_score(r);
    if (solved && survey(r, 10))
        t->ces = (uint8_t)ces_score(r);
    if (solved && !realtime && below(&g->pr, 4) == 0) {
        /* Pending for a share of the reply-to-solve span. */
        const int64_t span = resolve - reply;
        t->pending = (int64_t)floor((double)span * (0.1 + 0.6 * unit(&g->pr)));
    }
}

/* ---- CSV ------------------------------------------------------------------ */

static const char *const priority_csv[5] = {"", "urgent", "high", "normal", "low"};

static char *put_time(char *p, cm_time t)
{
    char buf[CM_TIME_FORMAT_SIZE];
    if (t == TC_NONE_TIME || cm_time_format(t, buf, sizeof buf) != CM_OK)
        return p;
    memcpy(p, buf, CM_TIME_FORMAT_SIZE - 1);
    return p + CM_TIME_FORMAT_SIZE - 1;
}

static char *put_u64(char *p, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0)
        *p++ = tmp[--n];
    return p;
}

static char *put_score(char *p, uint8_t s)
{
    return s == TC_NONE_SCORE ? p : put_u64(p, s);
}

static char *put_seconds(char *p, double v)
{
    return isnan(v) ? p : put_u64(p, (uint64_t)v); /* whole seconds by construction */
}

static const char csv_header[] =
    "ticket_id,created_at,channel,priority,first_reply_at,solved_at,contacts,reopened,"
    "escalated,csat,nps,ces,wait_seconds,abandoned,handle_seconds,pending_seconds\n";

/* Formats one row; the buffer must hold at least 256 bytes. */
static char *csv_row(char *p, uint64_t id, const ticket *t)
{
    p = put_u64(p, id);
    *p++ = ',';
    p = put_time(p, t->created);
    *p++ = ',';
    const char *ch = channel_names[t->channel];
    memcpy(p, ch, strlen(ch));
    p += strlen(ch);
    *p++ = ',';
    const char *pr = priority_csv[t->priority];
    memcpy(p, pr, strlen(pr));
    p += strlen(pr);
    *p++ = ',';
    p = put_time(p, t->first_reply);
    *p++ = ',';
    p = put_time(p, t->solved);
    *p++ = ',';
    p = put_u64(p, t->contacts);
    *p++ = ',';
    *p++ = (char)('0' + t->reopened);
    *p++ = ',';
    *p++ = (char)('0' + t->escalated);
    *p++ = ',';
    p = put_score(p, t->csat);
    *p++ = ',';
    p = put_score(p, t->nps);
    *p++ = ',';
    p = put_score(p, t->ces);
    *p++ = ',';
    p = put_seconds(p, t->wait);
    *p++ = ',';
    *p++ = (char)('0' + t->abandoned);
    *p++ = ',';
    p = put_seconds(p, t->handle);
    *p++ = ',';
    p = put_u64(p, (uint64_t)t->pending);
    *p++ = '\n';
    return p;
}

static int write_csv(generator *g, uint64_t tickets, FILE *f)
{
    static char buf[1 << 20];
    size_t used = 0;
    fputs(csv_header, f);
    for (uint64_t id = 1; id <= tickets; id++) {
        ticket t;
        generate(g, &t);
        used = (size_t)(csv_row(buf + used, id, &t) - buf);
        if (used > sizeof buf - 256) {
            fwrite(buf, 1, used, f);
            used = 0;
        }
    }
    fwrite(buf, 1, used, f);
    return ferror(f) ? -1 : 0;
}

/* ---- columnar ---------------------------------------------------------------- */

/* A column being written: a buffer flushed with pwrite at the column's next offset. */
typedef struct column_writer {
    uint64_t offset;
    size_t used, width;
    uint8_t buf[1 << 16];
} column_writer;

static int flush_column(int fd, column_writer *w)
{
    size_t done = 0;
    while (done < w->used) {
        const ssize_t n = pwrite(fd, w->buf + done, w->used - done, (off_t)(w->offset + done));
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    w->offset += w->used;
    w->used = 0;
    return 0;
}

static int put_column(int fd, column_writer *w, const void *value)
{
    if (w->used + w->width > sizeof w->buf && flush_column(fd, w) != 0)
        return -1;
    tc_store_le(w->buf + w->used, value, w->width);
    w->used += w->width;
    return 0;
}

static int write_columnar(generator *g, uint64_t tickets, int fd)
{
    uint8_t header[TC_HEADER_MAX];
    uint64_t offsets[TC_NCOLUMNS];
    const size_t hsize = tc_write_header(header, tickets, offsets);
    if (pwrite(fd, header, hsize, 0) != (ssize_t)hsize)
        return -1;
    static column_writer w[TC_NCOLUMNS];
    for (int c = 0; c < TC_NCOLUMNS; c++) {
        w[c].offset = offsets[c];
        w[c].used = 0;
        w[c].width = tc_type_width(tc_columns[c].type);
    }
    for (uint64_t id = 1; id <= tickets; id++) {
        ticket t;
        generate(g, &t);
        const void *values[TC_NCOLUMNS] = {
            [TC_CREATED] = &t.created,
            [TC_FIRST_REPLY] = &t.first_reply,
            [TC_SOLVED] = &t.solved,
            [TC_CHANNEL] = &t.channel,
            [TC_PRIORITY] = &t.priority,
            [TC_CONTACTS] = &t.contacts,
            [TC_REOPENED] = &t.reopened,
            [TC_ESCALATED] = &t.escalated,
            [TC_CSAT] = &t.csat,
            [TC_NPS] = &t.nps,
            [TC_CES] = &t.ces,
            [TC_WAIT] = &t.wait,
            [TC_ABANDONED] = &t.abandoned,
            [TC_HANDLE] = &t.handle,
            [TC_PENDING] = &t.pending,
        };
        for (int c = 0; c < TC_NCOLUMNS; c++) {
            if (put_column(fd, &w[c], values[c]) != 0)
                return -1;
        }
    }
    for (int c = 0; c < TC_NCOLUMNS; c++) {
        if (flush_column(fd, &w[c]) != 0)
            return -1;
    }
    /* The file ends at the padded end of the last column. */
    return ftruncate(fd, (off_t)tc_file_size(tickets)) == 0 ? 0 : -1;
}

static int usage(void)
{
    fputs("usage: gen-tickets [--seed N] [--tickets N] [--start YYYY-MM-DD] [--days N]\n"
          "                   [--format csv|columnar] [-o FILE]\n",
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
    const char *start_text = "2024-01-01", *path = NULL, *format = "csv";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc)
            return usage();
        const char *v = argv[++i];
        if (strcmp(a, "--seed") == 0) {
            if (!parse_u64(v, &seed))
                return usage();
        } else if (strcmp(a, "--tickets") == 0) {
            if (!parse_u64(v, &tickets) || tickets > TC_MAX_ROWS)
                return usage();
        } else if (strcmp(a, "--days") == 0) {
            if (!parse_u64(v, &days) || days == 0 || days > 36500)
                return usage();
        } else if (strcmp(a, "--start") == 0) {
            start_text = v;
        } else if (strcmp(a, "--format") == 0) {
            if (strcmp(v, "csv") != 0 && strcmp(v, "columnar") != 0)
                return usage();
            format = v;
        } else if (strcmp(a, "-o") == 0) {
            path = v;
        } else {
            return usage();
        }
    }
    generator g;
    if (cm_time_parse(start_text, strlen(start_text), &g.start) != CM_OK) {
        fprintf(stderr, "gen-tickets: bad --start date '%s'\n", start_text);
        return 2;
    }
    g.days = (int64_t)days;
    uint64_t x = seed, hx = seed ^ 0x68616E646C650000u /* "handle" */,
             px = seed ^ 0x70656E64696E6700u /* "pending" */;
    for (int i = 0; i < 4; i++) {
        g.r.s[i] = splitmix64(&x);
        g.hr.s[i] = splitmix64(&hx);
        g.pr.s[i] = splitmix64(&px);
    }
    int rc;
    if (strcmp(format, "columnar") == 0) {
        if (path == NULL) {
            fputs("gen-tickets: --format columnar needs -o FILE\n", stderr);
            return 2;
        }
        FILE *f = fopen(path, "w");
        if (f == NULL) {
            fprintf(stderr, "gen-tickets: %s: %s\n", path, strerror(errno));
            return 1;
        }
        rc = write_columnar(&g, tickets, fileno(f));
        rc |= fclose(f);
    } else {
        FILE *f = path ? fopen(path, "w") : stdout;
        if (f == NULL) {
            fprintf(stderr, "gen-tickets: %s: %s\n", path, strerror(errno));
            return 1;
        }
        rc = write_csv(&g, tickets, f);
        if (path != NULL)
            rc |= fclose(f);
    }
    if (rc != 0) {
        fprintf(stderr, "gen-tickets: write error\n");
        return 1;
    }
    return 0;
}
