/* ocigate: verdicts as text for people and JSON for scripts.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_REPORT_H
#define OCIGATE_REPORT_H

#include "base/error.h"
#include "core/verdict.h"

/* The findings as a JSON array of {rule, action, message, path}; none
 * when v is NULL. */
void report_append_findings_json (struct strbuf *sb, const struct verdict *v);
/* One finding as a JSON object. */
void report_append_finding_json (struct strbuf *sb, const struct finding *f);

/* "CONFIG: ACTION RULE: MESSAGE" per finding, "CONFIG: rewrote RULE: WHAT"
 * per change made by the fixes (changes may be NULL), then
 * "CONFIG: DECISION". */
char *report_text (const char *config, const struct verdict *v, const struct fix_notes *changes);
/* One line: {"config","decision","findings":[{rule,action,message,path}]},
 * with "rewrote": ["RULE: WHAT", ...] when the fixes changed anything. */
char *report_json (const char *config, const struct verdict *v, const struct fix_notes *changes);
/* One line: {"config","decision":"error","error":MESSAGE}. */
char *report_json_error (const char *config, const char *message);

#endif
