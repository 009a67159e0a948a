/*
 * The smallest program using libcaremetrics: a few KPIs from counts and a
 * CSAT accumulator. Build it against the installed library with
 *
 *     cc embedded.c $(pkg-config --cflags --libs caremetrics) -o embedded
 *
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics.h>

#include <stdio.h>

int main(void)
{
    printf("libcaremetrics %s (headers %s)\n", cm_version_string(), CM_VERSION_STRING);

    /* First contact resolution: 200 of 250 solved tickets needed one contact. */
    cm_proportion fcr;
    cm_status st = cm_rate(200, 250, CM_DEFAULT_CONFIDENCE, &fcr);
    if (st != CM_OK) {
        fprintf(stderr, "cm_rate: %s\n", cm_strerror(st));
        return 1;
    }
    printf("FCR  %.1f %% (95 %% CI %.1f..%.1f %%)\n", 100 * fcr.value, 100 * fcr.lo, 100 * fcr.hi);

    /* CSAT over survey answers on the default 1..5 scale; 255 = no answer. */
    const uint8_t answers[] = {5, 4, 4, 2, CM_SCORE_NONE, 5, 3, 5, 4, 1};
    cm_csat csat = {0};
    cm_csat_summary s;
    st = cm_csat_add_many(&csat, answers, sizeof answers);
    if (st == CM_OK)
        st = cm_csat_result(&csat, CM_DEFAULT_CONFIDENCE, &s);
    if (st != CM_OK) {
        fprintf(stderr, "csat: %s\n", cm_strerror(st));
        return 1;
    }
    printf("CSAT %.1f %% of %llu answers (mean %.2f)\n", 100 * s.satisfied.value,
           (unsigned long long)s.satisfied.den, s.mean);

    /* An out-of-scale answer is an error, not a silent clamp. */
    st = cm_csat_add(&csat, 6);
    printf("adding a 6 on a 1..5 scale: %s (%s)\n", cm_status_name(st), cm_strerror(st));
    return st == CM_ERANGE ? 0 : 1;
}
