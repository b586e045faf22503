/* ocigate: the policy: which rules run, with what action and options.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_POLICY_H
#define OCIGATE_POLICY_H

#include "core/rule.h"
#include "rules/table.h"
#include "base/sha256.h"

#define OCIGATE_POLICY_PATH "/etc/ocigate/policy.json"
#define OCIGATE_EMBEDDED_POLICY "<embedded default policy>"

#define OCIGATE_DEFAULT_RUNC "/usr/sbin/runc"
#define OCIGATE_DEFAULT_CRUN "/usr/bin/crun"

/* The decision log's file when the policy names none, and the size past
 * which it is rotated (a policy's "log": {"maxBytes": N}, within the
 * limits). */
#define OCIGATE_LOG_FILE "/var/log/ocigate/decisions.log"
#define OCIGATE_LOG_MAX_BYTES (UINT64_C (16) << 20)
#define OCIGATE_LOG_MAX_BYTES_MIN UINT64_C (4096)
#define OCIGATE_LOG_MAX_BYTES_MAX (UINT64_C (1) << 40)

/* An exception relaxes named rules for containers that match it: their
 * findings become warnings that name the exception, never a silent allow. */
struct policy_exception
{
  char *id;               /* glob on the container ID, or NULL */
  char *bundle;           /* glob on the bundle path, or NULL */
  char *args0;            /* glob on process.args[0], or NULL */
  char **annotation_keys; /* globs, pairwise with annotation_values */
  char **annotation_values;
  size_t n_annotations;
  const struct rule **rules;
  size_t n_rules;
  char *reason;
};

#define OCIGATE_MAX_EXCEPTIONS 1024

struct policy
{
  char *source;                    /* the file, or OCIGATE_EMBEDDED_POLICY */
  char sha256[SHA256_HEX_LEN + 1]; /* of the policy's bytes, for the log */
  bool dry_run;
  struct rule_setting *settings; /* one per rule_table entry, same order */
  size_t n_settings;
  char *runtime_runc; /* the real runtimes the wrapper runs */
  char *runtime_crun;
  char *log_file;         /* decisions are appended here; NULL: OCIGATE_LOG_FILE */
  uint64_t log_max_bytes; /* the file is rotated past this size */
  struct policy_exception *exceptions;
  size_t n_exceptions;
};

int policy_load_buffer (const char *buf, size_t len, const char *name, struct policy **out, ocigate_error_t *err);
int policy_load_file (const char *path, struct policy **out, ocigate_error_t *err);
int policy_load_embedded (struct policy **out, ocigate_error_t *err);
/* -p PATH when given, else /etc/ocigate/policy.json when it exists, else
 * the embedded default.  With `trusted`, the file is read only if it and
 * its directory belong to root (or to the user ocigate runs as) and nobody
 * else may write them, as sshd's StrictModes. */
int policy_load_effective (const char *path, bool trusted, struct policy **out, ocigate_error_t *err);

/* The real runtime's path for the wrapper's pass-through commands, which
 * must work even when the policy does not: the policy's "runtime" entry
 * when the policy is trusted (see policy_load_effective) and can be read,
 * else the Debian path. */
char *policy_runtime_path_lenient (const char *path, const char *runtime);

/* The effective policy, every rule listed, defaults filled in. */
json_object *policy_to_json (const struct policy *p);

void policy_free (struct policy *p);
void cleanup_policyp (struct policy **p);
#define cleanup_policy __attribute__ ((cleanup (cleanup_policyp)))

/* policies/default.json, compiled in. */
extern const char ocigate_default_policy[];
extern const char ocigate_default_policy_end[];
extern const char ocigate_default_policy_sha256[]; /* hex, computed when built */

#endif
