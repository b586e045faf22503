/* ocigate: what the files of the seccomp rule share.  Only
 * rules/seccomp/ includes it; the rule itself is rule_seccomp (seccomp.c).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_SECCOMP_INTERNAL_H
#define OCIGATE_SECCOMP_INTERNAL_H

#include <seccomp.h>
#include <stdbool.h>
#include <stdint.h>

/* ------------------------------------------------------------------ */
/* names.c: the names the runtimes know                                 */

/* The actions runc and crun read, as listed in messages. */
#define ACTIONS_KNOWN                                                                                                  \
  "SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_TRACE, "        \
  "SCMP_ACT_ALLOW, SCMP_ACT_LOG, SCMP_ACT_NOTIFY"

/* The operators runc and crun read, as listed in messages. */
#define OPERATORS_KNOWN                                                                                                \
  "SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ"

/* The action called `name`: its index, which the functions below take;
 * -1 when runc and crun do not know it. */
int sc_action_find (const char *name);

/* The libseccomp value of action `act` without its errno (SCMP_ACT_ERRNO
 * is SCMP_ACT_ERRNO (0)). */
uint32_t sc_action_plain (int act);

/* Whether a libseccomp action value lets the call through. */
bool sc_action_allows (uint32_t value);

/* The libseccomp value of action `act` as runc gives it to libseccomp. */
uint32_t sc_action_value (int act, bool has_errno, uint32_t errno_ret);

/* The operator called `name`; 0 when runc and crun do not know it. */
enum scmp_compare sc_operator_find (const char *name);

/* Whether runc or crun knows the filter flag called `name`. */
bool sc_flag_known (const char *name);

/* The libseccomp token of an architecture as runc or crun write it
 * ("SCMP_ARCH_X86_64", also "x86_64" for crun); 0 when unknown. */
uint32_t sc_arch_resolve (const char *name);

#endif
