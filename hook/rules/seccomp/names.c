/* seccomp: the names of actions, operators, flags and architectures that
 * the runtimes know, and what they stand for in libseccomp.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "base/util.h"
#include "rules/seccomp/seccomp_internal.h"

struct action_def
{
  const char *name;
  uint32_t value; /* for the ones that take an errno: without it */
  bool takes_errno;
};

/* runc (libcontainer/seccomp) and crun read these; SCMP_ACT_KILL is the
 * thread variant in both.  ACTIONS_KNOWN lists them for messages. */
static const struct action_def actions[] = {
  { "SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, false },
  { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false },
  { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false },
  { "SCMP_ACT_TRAP", SCMP_ACT_TRAP, false },
  { "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO (0), true },
  { "SCMP_ACT_TRACE", SCMP_ACT_TRACE (0), true },
  { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false },
  { "SCMP_ACT_LOG", SCMP_ACT_LOG, false },
  { "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false },
};

/* OPERATORS_KNOWN lists them for messages. */
static const struct
{
  const char *name;
  enum scmp_compare op;
} operators[] = {
  { "SCMP_CMP_NE", SCMP_CMP_NE },
  { "SCMP_CMP_LT", SCMP_CMP_LT },
  { "SCMP_CMP_LE", SCMP_CMP_LE },
  { "SCMP_CMP_EQ", SCMP_CMP_EQ },
  { "SCMP_CMP_GE", SCMP_CMP_GE },
  { "SCMP_CMP_GT", SCMP_CMP_GT },
  { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

/* runc knows the first three, crun all four. */
static const char *const known_flags[]
    = { "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
        "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL };

int
sc_action_find (const char *name)
{
  for (size_t i = 0; i < ARRAY_SIZE (actions); i++)
    if (strcmp (actions[i].name, name) == 0)
      return (int)i;
  return -1;
}

uint32_t
sc_action_plain (int act)
{
  return actions[act].value;
}

/* SCMP_ACT_TRACE and SCMP_ACT_NOTIFY let the call through too, when
 * someone is there to say so: a ptracer with PTRACE_O_TRACESECCOMP (any
 * process of the container may trace its own child; the kernel then runs
 * the filter again and takes a second SECCOMP_RET_TRACE as an allow), or
 * the agent at listenerPath answering SECCOMP_USER_NOTIF_FLAG_CONTINUE. */
bool
sc_action_allows (uint32_t value)
{
  return value == SCMP_ACT_ALLOW || value == SCMP_ACT_LOG || value == SCMP_ACT_NOTIFY
         || (value & 0xffff0000u) == SCMP_ACT_TRACE (0);
}

/* As runc's getAction: SCMP_ACT_ERRNO and SCMP_ACT_TRACE carry the
 * errno (EPERM when none is given), cut to 16 bits as libseccomp does. */
uint32_t
sc_action_value (int act, bool has_errno, uint32_t errno_ret)
{
  if (!actions[act].takes_errno)
    return actions[act].value;
  return actions[act].value | ((has_errno ? errno_ret : EPERM) & 0xffffu);
}

enum scmp_compare
sc_operator_find (const char *name)
{
  for (size_t o = 0; o < ARRAY_SIZE (operators); o++)
    if (strcmp (operators[o].name, name) == 0)
      return operators[o].op;
  return 0;
}

bool
sc_flag_known (const char *name)
{
  for (const char *const *k = known_flags; *k; k++)
    if (strcmp (*k, name) == 0)
      return true;
  return false;
}

uint32_t
sc_arch_resolve (const char *name)
{
  if (strncmp (name, "SCMP_ARCH_", 10) == 0)
    name += 10;
  char lower[32];
  size_t n = strlen (name);
  if (n == 0 || n >= sizeof lower)
    return 0;
  for (size_t i = 0; i <= n; i++)
    lower[i] = (char)tolower ((unsigned char)name[i]);
  return seccomp_arch_resolve_name (lower);
}
