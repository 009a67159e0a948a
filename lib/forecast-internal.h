/*
 * Helpers shared by the forecast files of lib/ (never installed).
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_FORECAST_INTERNAL_H
#define CAREMETRICS_FORECAST_INTERNAL_H

#include <caremetrics/forecast.h>

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common-internal.h"

/* A slot length in seconds divides a day: 86400 / slots_per_day is exact. */
static inline bool cm__fc_slots_ok(uint32_t slots_per_day)
{
    return slots_per_day > 0 && 86400u % slots_per_day == 0;
}

/* Checks a series: values finite and >= 0, states known, whole days. */
cm_status cm__fc_check_series(const double *y, const uint8_t *state, size_t n,
                              uint32_t slots_per_day);

/* Checks a model's method, options and fixed parameters. */
cm_status cm__fc_check_model(const cm_forecast_model *m);

/* Shortest history (in slots) the method accepts, with or without given initial states. */
size_t cm__fc_min_history(const cm_forecast_model *m, bool have_initial);

#endif /* CAREMETRICS_FORECAST_INTERNAL_H */
