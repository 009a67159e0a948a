/*
 * libFuzzer target: cm_time_parse. Accepted text must format back to an
 * instant that parses to the same value.
 * SPDX-License-Identifier: MIT
 */
#include <caremetrics/common.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cm_time t, back;
    if (cm_time_parse((const char *)data, size, &t) != CM_OK)
        return 0;
    char text[CM_TIME_FORMAT_SIZE];
    const cm_status st = cm_time_format(t, text, sizeof text);
    if (st == CM_ERANGE)
        return 0; /* an offset can move year 0 / 9999 outside the formattable range */
    if (st != CM_OK || cm_time_parse(text, strlen(text), &back) != CM_OK || back != t)
        abort();
    return 0;
}
