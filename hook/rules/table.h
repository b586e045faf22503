/* ocigate: every rule, in evaluation order.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_RULES_TABLE_H
#define OCIGATE_RULES_TABLE_H

#include "core/rule.h"

/* The table, in evaluation order, NULL-terminated. */
extern const struct rule *const rule_table[];
const struct rule *rule_find (const char *id);

#endif
