/*
 * Shared by the files of the SLA suite (test-sla.c and the files it pulls in).
 * SPDX-License-Identifier: MIT
 */
#ifndef CM_TEST_SLA_H
#define CM_TEST_SLA_H

#include <caremetrics/sla.h>

#include "testing.h"

/* Test cases of policy sets (test-sla-policyset.c) and importers (test-sla-import.c). */
void sla_policyset_tcases(Suite *s);
void sla_import_tcases(Suite *s);

#endif /* CM_TEST_SLA_H */
