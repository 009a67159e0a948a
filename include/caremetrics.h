/*
 * libcaremetrics — umbrella header: includes every module header.
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_H
#define CAREMETRICS_H

/**
 * @file caremetrics.h
 * @brief Includes every public header of libcaremetrics.
 */

#include <caremetrics/common.h>
#include <caremetrics/contact.h>
#include <caremetrics/kpi.h>
#include <caremetrics/sketch.h>
#include <caremetrics/spc.h>
#include <caremetrics/queue.h>
#include <caremetrics/tz.h>
#include <caremetrics/calendar.h>
#include <caremetrics/sla.h>
#include <caremetrics/forecast.h>
#include <caremetrics/qa.h>
#include <caremetrics/topk.h>
#include <caremetrics/backlog.h>
#include <caremetrics/table.h>
#include <caremetrics/csv.h>

#endif /* CAREMETRICS_H */
