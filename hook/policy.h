/* ocigate: the policy: which rules run, with what action and options.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_POLICY_H
#define OCIGATE_POLICY_H

#include "rule.h"

#define OCIGATE_POLICY_PATH "/etc/ocigate/policy.json"
#define OCIGATE_EMBEDDED_POLICY "<embedded default policy>"

struct policy
{
  char *source; /* the file, or OCIGATE_EMBEDDED_POLICY */
  bool dry_run;
  struct rule_setting *settings; /* one per rule_table entry, same order */
  size_t n_settings;
};

int policy_load_buffer (const char *buf, size_t len, const char *name, struct policy **out, ocigate_error_t *err);
int policy_load_file (const char *path, struct policy **out, ocigate_error_t *err);
int policy_load_embedded (struct policy **out, ocigate_error_t *err);
/* -p PATH when given, else /etc/ocigate/policy.json when it exists, else
 * the embedded default. */
int policy_load_effective (const char *path, struct policy **out, ocigate_error_t *err);

/* The effective policy, every rule listed, defaults filled in. */
json_object *policy_to_json (const struct policy *p);

void policy_free (struct policy *p);
void cleanup_policyp (struct policy **p);
#define cleanup_policy __attribute__ ((cleanup (cleanup_policyp)))

/* policies/default.json, compiled in. */
extern const char ocigate_default_policy[];
extern const char ocigate_default_policy_end[];

#endif
