/*
 * caremetrics-qa: quality scorecards and grader calibration from CSV files.
 *
 *   caremetrics-qa rubric RUBRIC
 *   caremetrics-qa score --rubric RUBRIC [OPTIONS] EVALUATIONS
 *   caremetrics-qa calibrate [OPTIONS] RATINGS
 *
 * "rubric" checks a rubric file and prints its sections and items. "score"
 * scores every evaluation of a file against a rubric and prints scorecards per
 * agent (or any column): mean score with a Student t interval, pass rate with
 * a Wilson interval, critical failures, section means, and alerts for groups
 * below a threshold for several consecutive periods. "calibrate" measures the
 * agreement of graders who scored the same interactions: Krippendorff's alpha
 * at the four levels of measurement, the Shrout-Fleiss intraclass
 * correlations, each grader's deviation from the others and, with a rubric,
 * the agreement on pass/fail and on every item. Text, CSV or JSON.
 * SPDX-License-Identifier: MIT
 */
#include "qa-cli.h"

#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    fputs("usage: caremetrics-qa COMMAND [OPTIONS] FILE\n"
          "  rubric RUBRIC         check a rubric and print its sections and items\n"
          "  score --rubric RUBRIC EVALUATIONS\n"
          "                        scorecards per agent, team or period, with alerts\n"
          "  calibrate RATINGS     agreement between graders who scored the same interactions\n"
          "  COMMAND --help        the options of a command\n"
          "The rubric's text form, the file layouts and the statistics are in docs/qa.md.\n",
          stderr);
    return 2;
}

static int rubric_usage(void)
{
    fputs("usage: caremetrics-qa rubric [--format text|json] RUBRIC\n", stderr);
    return 2;
}

static const char *flag_words(uint32_t flags)
{
    if (flags & CM_QA_ITEM_CRITICAL)
        return "critical";
    if (flags & CM_QA_ITEM_NA_ALLOWED)
        return "na";
    return "";
}

int qa_rubric_main(int argc, char **argv)
{
    const char *path = NULL;
    out_format format = FMT_TEXT;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            rubric_usage();
            exit(0);
        }
        if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            if (!parse_format(argv[++i], &format) || format == FMT_CSV)
                return rubric_usage();
        } else if (argv[i][0] != '-' && path == NULL) {
            path = argv[i];
        } else {
            return rubric_usage();
        }
    }
    if (path == NULL)
        return rubric_usage();
    cm_qa_rubric *rubric = load_rubric(path);
    if (rubric == NULL)
        return 1;
    cm_qa_rubric_summary info;
    if (cm_qa_rubric_info(rubric, &info) != CM_OK) {
        cm_qa_rubric_free(rubric);
        return 1;
    }
    if (format == FMT_TEXT)
        printf("pass mark %g; %u sections, %u items (%u critical), %" PRIu64 " points\n",
               info.pass_score, info.sections, info.items, info.critical, info.max_points);
    else
        printf("{\"pass_score\":%.17g,\"sections\":[", info.pass_score);
    for (uint32_t s = 0; s < info.sections; s++) {
        cm_qa_section sec;
        if (cm_qa_rubric_section(rubric, s, &sec) != CM_OK)
            break;
        uint64_t points = 0;
        for (uint32_t i = 0; i < info.items; i++) {
            cm_qa_item item;
            if (cm_qa_rubric_item(rubric, i, &item) == CM_OK && item.section == s)
                points += item.points;
        }
        if (format == FMT_TEXT) {
            printf("section %-24s %6g %%  %" PRIu64 " points\n", sec.name, sec.weight, points);
        } else {
            printf("%s{\"name\":", s ? "," : "");
            json_string(stdout, sec.name);
            printf(",\"weight\":%.17g,\"points\":%" PRIu64 ",\"items\":[", sec.weight, points);
        }
        bool first = true;
        for (uint32_t i = 0; i < info.items; i++) {
            cm_qa_item item;
            if (cm_qa_rubric_item(rubric, i, &item) != CM_OK || item.section != s)
                continue;
            if (format == FMT_TEXT) {
                printf("  item %-24s %6u  %s\n", item.name, item.points, flag_words(item.flags));
            } else {
                printf("%s{\"name\":", first ? "" : ",");
                json_string(stdout, item.name);
                printf(",\"points\":%u,\"critical\":%s,\"na\":%s}", item.points,
                       (item.flags & CM_QA_ITEM_CRITICAL) ? "true" : "false",
                       (item.flags & CM_QA_ITEM_NA_ALLOWED) ? "true" : "false");
            }
            first = false;
        }
        if (format == FMT_JSON)
            printf("]}");
    }
    if (format == FMT_JSON)
        printf("]}\n");
    cm_qa_rubric_free(rubric);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    const char *cmd = argv[1];
    if (strcmp(cmd, "rubric") == 0)
        return qa_rubric_main(argc - 1, argv + 1);
    if (strcmp(cmd, "score") == 0)
        return qa_score_main(argc - 1, argv + 1);
    if (strcmp(cmd, "calibrate") == 0)
        return qa_calibrate_main(argc - 1, argv + 1);
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage();
        return 0;
    }
    fprintf(stderr, "%s: unknown command '%s'\n", PROG, cmd);
    return usage();
}
