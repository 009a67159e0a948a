/*
 * caremetrics-staffing: agents per interval for a day's forecast.
 *
 *   caremetrics-staffing [--format text|json|csv] [--interval MINUTES] [--target SL]
 *                        [--seconds T] [--max-occupancy OCC] [--shrinkage S]
 *                        [--shift-hours H] [--patience SECONDS] [--strict] [FILE]
 *
 * Reads a forecast CSV with the columns interval_start, volume and aht_seconds
 * (found by name in the header line; order free, other columns ignored) and
 * prints, for each interval, the Erlang C agents needed for the service-level
 * target with their expected service level, ASA and occupancy; with
 * --patience, also the Erlang A agents and abandonment. Then the day's totals
 * and FTE, as text (default), JSON or CSV. Without FILE it reads the bundled
 * sample forecast. Bad lines are reported on stderr with file, line, column,
 * value and what was expected, and skipped (exit status 3 after the plan);
 * with --strict the first one ends the run with exit status 1. docs/queue.md
 * describes the columns of each format.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli-util.h"
#include "staffing.h"

#ifndef CM_FORECAST_SOURCE
#define CM_FORECAST_SOURCE "examples/data/sample-forecast.csv"
#endif
#ifndef CM_FORECAST_INSTALLED
#define CM_FORECAST_INSTALLED "/usr/local/share/caremetrics/sample-forecast.csv"
#endif

static const char synopsis[] =
    "usage: caremetrics-staffing [--format text|json|csv] [--interval MINUTES] [--target SL]\n"
    "         [--seconds T] [--max-occupancy OCC] [--shrinkage S] [--shift-hours H]\n"
    "         [--patience SECONDS] [--strict] [FILE]\n";

static int help(void)
{
    fputs(synopsis, stdout);
    fputs("  FILE                 forecast CSV with the columns interval_start (HH:MM or an\n"
          "                       RFC 3339 instant), volume and aht_seconds; '-' reads standard\n"
          "                       input; default: the bundled sample forecast\n"
          "  --format F           text (default), json or csv\n"
          "  --interval MINUTES   length of each interval, in (0, 1440] (30)\n"
          "  --target SL          service-level target, a fraction in (0, 1) (0.8)\n"
          "  --seconds T          answer-time target in seconds, in [0, 86400] (20)\n"
          "  --max-occupancy OCC  occupancy cap, a fraction in (0, 1] (0.85)\n"
          "  --shrinkage S        shrinkage, a fraction in [0, 1) (0.3)\n"
          "  --shift-hours H      paid hours of a shift, in (0, 24] (8)\n"
          "  --patience SECONDS   callers' mean patience, in (0, 10000000]: adds the Erlang A\n"
          "                       agents and abandonment\n"
          "  --strict             no plan (exit status 1) when a line is bad\n"
          "Exit status: 0 plan of every line; 1 no plan; 2 bad command line; 3 plan printed,\n"
          "but bad lines were skipped or some intervals could not be staffed.\n",
          stdout);
    return EXIT_PLAN;
}

/* A bad command line: the message, then the synopsis. */
__attribute__((format(printf, 1, 2))) static int bad_usage(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", PROGRAM);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fputs(synopsis, stderr);
    fprintf(stderr, "%s --help describes the options.\n", PROGRAM);
    return EXIT_USAGE;
}

/* A numeric option: where it goes, its range (open or closed at each end), and what a
 * value is. */
typedef struct number_option {
    const char *name, *what;
    double *dest;
    double lo, hi;
    bool lo_open, hi_open;
} number_option;

static bool parse_number(const number_option *o, const char *s)
{
    return cli_number(s, o->lo, o->hi, o->lo_open, o->hi_open, o->dest);
}

static bool parse_format(const char *s, format *out)
{
    static const char *const names[] = {
        [FORMAT_TEXT] = "text", [FORMAT_JSON] = "json", [FORMAT_CSV] = "csv"};
    for (int f = FORMAT_TEXT; f <= FORMAT_CSV; f++) {
        if (strcmp(s, names[f]) == 0) {
            *out = (format)f;
            return true;
        }
    }
    return false;
}

/* Parses the command line into opt; returns -1 to go on, or an exit status. */
static int parse_options(int argc, char **argv, options *opt)
{
    const number_option numbers[] = {
        {"--interval", "minutes", &opt->interval_minutes, 0.0, 1440.0, true, false},
        {"--target", "a fraction", &opt->target, 0.0, 1.0, true, true},
        {"--seconds", "seconds", &opt->seconds, 0.0, 86400.0, false, false},
        {"--max-occupancy", "a fraction", &opt->max_occupancy, 0.0, 1.0, true, false},
        {"--shrinkage", "a fraction", &opt->shrinkage, 0.0, 1.0, false, true},
        {"--shift-hours", "hours", &opt->shift_hours, 0.0, 24.0, true, false},
        {"--patience", "seconds", &opt->patience, 0.0, 1e7, true, false},
    };
    bool files_only = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (files_only || a[0] != '-' || a[1] == '\0') {
            if (opt->path != NULL)
                return bad_usage("more than one input file (\"%s\", \"%s\")", opt->path, a);
            opt->path = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            files_only = true;
            continue;
        }
        /* --name VALUE or --name=VALUE */
        char name[32];
        const char *eq = strchr(a, '=');
        const size_t len = eq != NULL ? (size_t)(eq - a) : strlen(a);
        if (len >= sizeof name)
            return bad_usage("unknown option \"%s\"", a);
        memcpy(name, a, len);
        name[len] = '\0';
        const char *value = eq != NULL ? eq + 1 : NULL;

        const bool is_help = strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0;
        if (is_help || strcmp(name, "--strict") == 0) {
            if (value != NULL)
                return bad_usage("%s: takes no value, got \"%s\"", name, value);
            if (is_help)
                return help();
            opt->strict = true;
            continue;
        }
        const number_option *num = NULL;
        for (size_t k = 0; k < sizeof numbers / sizeof numbers[0]; k++) {
            if (strcmp(name, numbers[k].name) == 0)
                num = &numbers[k];
        }
        if (num == NULL && strcmp(name, "--format") != 0)
            return bad_usage("unknown option \"%s\"", a);
        char what[64] = "text, json or csv";
        if (num != NULL) /* "a fraction in (0, 1)" */
            snprintf(what, sizeof what, "%s in %c%.15g, %.15g%c", num->what,
                     num->lo_open ? '(' : '[', num->lo, num->hi, num->hi_open ? ')' : ']');
        if (value == NULL) {
            if (i + 1 == argc)
                return bad_usage("%s: expected %s, got nothing", name, what);
            value = argv[++i];
        }
        if (num != NULL ? !parse_number(num, value) : !parse_format(value, &opt->format))
            return bad_usage("%s: expected %s, got \"%s\"", name, what, value);
    }
    return -1;
}

static const char *default_forecast(void)
{
    FILE *f = fopen(CM_FORECAST_SOURCE, "r");
    if (f != NULL) {
        fclose(f);
        return CM_FORECAST_SOURCE;
    }
    return CM_FORECAST_INSTALLED;
}

int main(int argc, char **argv)
{
    options opt = {.interval_minutes = 30.0,
                   .target = 0.80,
                   .seconds = 20.0,
                   .max_occupancy = 0.85,
                   .shrinkage = 0.30,
                   .shift_hours = 8.0,
                   .format = FORMAT_TEXT};
    const int rc = parse_options(argc, argv, &opt);
    if (rc >= 0)
        return rc;
    if (opt.path == NULL)
        opt.path = default_forecast();
    FILE *in = strcmp(opt.path, "-") == 0 ? stdin : fopen(opt.path, "r");
    if (in == NULL) {
        fprintf(stderr, "%s: %s: %s\n", PROGRAM, opt.path, strerror(errno));
        return EXIT_NO_PLAN;
    }
    static forecast fc; /* large */
    const int failed = read_forecast(in, &opt, stderr, &fc);
    if (in != stdin)
        fclose(in);
    if (failed)
        return EXIT_NO_PLAN;
    if (fc.n == 0) {
        if (fc.bad_lines > 0)
            fprintf(stderr, "%s: %s: no intervals: every line after the header is bad (%llu)\n",
                    PROGRAM, input_name(&opt), fc.bad_lines);
        else
            fprintf(stderr, "%s: %s: no intervals after the header\n", PROGRAM, input_name(&opt));
        return EXIT_NO_PLAN;
    }
    day d;
    day_totals(&fc, &opt, &d);
    print_plan(&fc, &d, &opt);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "%s: standard output: %s\n", PROGRAM, strerror(errno));
        return EXIT_NO_PLAN;
    }
    const bool incomplete =
        fc.bad_lines > 0 || d.not_staffed > 0 || (opt.patience > 0.0 && d.a_not_staffed > 0);
    return incomplete ? EXIT_INCOMPLETE : EXIT_PLAN;
}
