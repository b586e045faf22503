/* ocigate: the rule table.  Adding a rule: write rules/NAME.c and add one
 * line to each list below; nothing else changes.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "rules/table.h"

#include <string.h>

extern const struct rule rule_privileged;
extern const struct rule rule_user_root;
extern const struct rule rule_user_mapping;
extern const struct rule rule_capabilities;
extern const struct rule rule_host_ns_pid;
extern const struct rule rule_host_ns_network;
extern const struct rule rule_host_ns_ipc;
extern const struct rule rule_host_ns_uts;
extern const struct rule rule_host_ns_cgroup;
extern const struct rule rule_nnp;
extern const struct rule rule_readonly_rootfs;
extern const struct rule rule_apparmor;
extern const struct rule rule_selinux;
extern const struct rule rule_sysctls;
extern const struct rule rule_resources;
extern const struct rule rule_mounts;
extern const struct rule rule_devices;
extern const struct rule rule_masked_paths;
extern const struct rule rule_seccomp;
extern const struct rule rule_runtime_annotations;
extern const struct rule rule_hooks;
extern const struct rule rule_process_cwd;
extern const struct rule rule_rlimits;
extern const struct rule rule_cgroups_path;

/* One rule a line (clang-format would set more than 20 in columns). */
/* clang-format off */
const struct rule *const rule_table[] = {
  &rule_privileged,
  &rule_user_root,
  &rule_user_mapping,
  &rule_capabilities,
  &rule_host_ns_pid,
  &rule_host_ns_network,
  &rule_host_ns_ipc,
  &rule_host_ns_uts,
  &rule_host_ns_cgroup,
  &rule_nnp,
  &rule_readonly_rootfs,
  &rule_apparmor,
  &rule_selinux,
  &rule_sysctls,
  &rule_resources,
  &rule_mounts,
  &rule_devices,
  &rule_masked_paths,
  &rule_seccomp,
  &rule_runtime_annotations,
  &rule_hooks,
  &rule_process_cwd,
  &rule_rlimits,
  &rule_cgroups_path,
  NULL,
};
/* clang-format on */

const struct rule *
rule_find (const char *id)
{
  for (const struct rule *const *r = rule_table; *r; r++)
    if (strcmp ((*r)->id, id) == 0)
      return *r;
  return NULL;
}
