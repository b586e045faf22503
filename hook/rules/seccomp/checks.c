/* seccomp: the checks that need no compiler.  What runc and crun would
 * refuse (a missing or unknown action, architecture, flag or operator, an
 * argument index past 5, SCMP_ACT_NOTIFY as the default or on write(2), an
 * empty name) is a finding of the rule's action that makes the profile
 * invalid; a default action that allows is a finding unless the options
 * allow it; a name libseccomp does not know is a warning.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <string.h>

#include "rules/seccomp/seccomp_internal.h"

/* How many unknown names one warning lists before "and N more". */
#define SECCOMP_UNKNOWN_SHOWN 5

void
sc_add_finding (struct judge *j, enum action act, const char *pointer, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  cleanup_free char *msg = xvasprintf (fmt, ap);
  va_end (ap);
  verdict_add_finding (j->v, j->id, act, pointer, "%s", msg);
}

static void
check_default (const struct sc_profile *p, const struct seccomp_options *o, struct judge *j)
{
  if (p->default_action == NULL)
    {
      sc_add_finding (j, j->act, "/linux/seccomp",
                      "seccomp profile has no default action (linux.seccomp.defaultAction is absent, and runc and crun "
                      "refuse the profile); set it, as \"SCMP_ACT_ERRNO\"");
      j->invalid++;
    }
  else if (p->default_act < 0)
    {
      sc_add_finding (j, j->act, "/linux/seccomp/defaultAction",
                      "unknown seccomp action (linux.seccomp.defaultAction=\"%s\"); use one of " ACTIONS_KNOWN,
                      p->default_action);
      j->invalid++;
    }
  else if (sc_action_plain (p->default_act) == SCMP_ACT_NOTIFY)
    {
      sc_add_finding (j, j->act, "/linux/seccomp/defaultAction",
                      "seccomp profile sends every system call it does not list to a notify listener "
                      "(linux.seccomp.defaultAction=SCMP_ACT_NOTIFY, which runc refuses as the default); make the "
                      "default SCMP_ACT_ERRNO");
      j->invalid++;
    }
  else if (sc_action_allows (sc_action_plain (p->default_act)) && !o->allow_default_allow)
    sc_add_finding (j, j->act, "/linux/seccomp/defaultAction",
                    "seccomp profile allows every system call it does not list (linux.seccomp.defaultAction=%s); make "
                    "the default SCMP_ACT_ERRNO and list what the container needs, or set "
                    "rules.seccomp.allowDefaultAllow",
                    p->default_action);
}

static void
check_arches_flags (const struct sc_profile *p, struct judge *j)
{
  for (size_t i = 0; i < p->n_archs; i++)
    {
      if (p->arch_tokens[i] != 0)
        continue;
      cleanup_free char *pointer = xasprintf ("/linux/seccomp/architectures/%zu", i);
      sc_add_finding (
          j, j->act, pointer,
          "unknown seccomp architecture (linux.seccomp.architectures[%zu]=\"%s\", which libseccomp does not "
          "know); use SCMP_ARCH_ and a libseccomp name, as SCMP_ARCH_X86_64",
          i, json_object_get_string (json_object_array_get_idx (p->archs, i)));
      j->invalid++;
    }
  for (size_t i = 0; i < p->n_flags; i++)
    {
      const char *flag = json_object_get_string (json_object_array_get_idx (p->flags, i));
      if (sc_flag_known (flag))
        continue;
      cleanup_free char *pointer = xasprintf ("/linux/seccomp/flags/%zu", i);
      sc_add_finding (j, j->act, pointer,
                      "unknown seccomp flag (linux.seccomp.flags[%zu]=\"%s\", which runc and crun refuse); use "
                      "SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_SPEC_ALLOW or "
                      "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
                      i, flag);
      j->invalid++;
    }
}

static void
check_entry_action_args (const struct sc_entry *e, size_t i, struct judge *j)
{
  if (e->action == NULL)
    {
      cleanup_free char *pointer = xasprintf ("/linux/seccomp/syscalls/%zu", i);
      sc_add_finding (j, j->act, pointer,
                      "seccomp rule without an action (linux.seccomp.syscalls[%zu].action is absent, and runc and crun "
                      "refuse the profile); give it one, as \"SCMP_ACT_ERRNO\"",
                      i);
      j->invalid++;
    }
  else if (e->act < 0)
    {
      cleanup_free char *pointer = xasprintf ("/linux/seccomp/syscalls/%zu/action", i);
      sc_add_finding (j, j->act, pointer,
                      "unknown seccomp action (linux.seccomp.syscalls[%zu].action=\"%s\"); use one of " ACTIONS_KNOWN,
                      i, e->action);
      j->invalid++;
    }
  else if (sc_action_plain (e->act) == SCMP_ACT_NOTIFY)
    for (size_t k = 0; k < e->n_names; k++)
      if (strcmp (sc_name_at (e, k), "write") == 0)
        {
          cleanup_free char *pointer = xasprintf ("/linux/seccomp/syscalls/%zu/names/%zu", i, k);
          sc_add_finding (j, j->act, pointer,
                          "seccomp profile sends write(2) to a notify listener (linux.seccomp.syscalls[%zu]: names "
                          "include \"write\", action SCMP_ACT_NOTIFY, which runc refuses for write); give write "
                          "another action",
                          i);
          j->invalid++;
        }
  for (size_t k = 0; k < e->n_args; k++)
    {
      const struct sc_arg *a = &e->args[k];
      if (a->op == NULL)
        {
          cleanup_free char *pointer = xasprintf ("/linux/seccomp/syscalls/%zu/args/%zu", i, k);
          sc_add_finding (j, j->act, pointer,
                          "seccomp argument condition without an operator (linux.seccomp.syscalls[%zu].args[%zu].op is "
                          "absent, and runc and crun refuse the profile); use one of " OPERATORS_KNOWN,
                          i, k);
          j->invalid++;
        }
      else if (a->cmp == 0)
        {
          cleanup_free char *pointer = xasprintf ("/linux/seccomp/syscalls/%zu/args/%zu/op", i, k);
          sc_add_finding (j, j->act, pointer,
                          "unknown seccomp operator (linux.seccomp.syscalls[%zu].args[%zu].op=\"%s\"); use one "
                          "of " OPERATORS_KNOWN,
                          i, k, a->op);
          j->invalid++;
        }
      if (a->index >= SECCOMP_MAX_ARGS)
        {
          cleanup_free char *pointer = xasprintf ("/linux/seccomp/syscalls/%zu/args/%zu/index", i, k);
          sc_add_finding (j, j->act, pointer,
                          "seccomp argument index out of range (linux.seccomp.syscalls[%zu].args[%zu].index=%llu; "
                          "system calls have arguments 0 to 5); use an index from 0 to 5",
                          i, k, (unsigned long long)a->index);
          j->invalid++;
        }
    }
}

/* Unknown names are skipped by runc and crun (with a log line): a
 * warning, whatever the rule's action, one per entry. */
static void
check_entry_names (const struct sc_entry *e, size_t i, struct judge *j)
{
  struct strbuf shown = { 0 };
  size_t n_unknown = 0, first = 0;
  for (size_t k = 0; k < e->n_names; k++)
    {
      const char *name = sc_name_at (e, k);
      if (name[0] == '\0')
        {
          cleanup_free char *pointer = xasprintf ("/linux/seccomp/syscalls/%zu/names/%zu", i, k);
          sc_add_finding (j, j->act, pointer,
                          "empty system call name in seccomp profile (linux.seccomp.syscalls[%zu].names[%zu]=\"\", "
                          "which runc refuses); remove it",
                          i, k);
          j->invalid++;
          continue;
        }
      if (seccomp_syscall_resolve_name (name) != __NR_SCMP_ERROR)
        continue;
      if (n_unknown == 0)
        first = k;
      if (n_unknown < SECCOMP_UNKNOWN_SHOWN)
        {
          strbuf_append (&shown, n_unknown ? ", " : "");
          strbuf_append_json_string (&shown, name);
        }
      n_unknown++;
    }
  if (n_unknown)
    {
      const struct scmp_version *ver = seccomp_version ();
      cleanup_free char *pointer = xasprintf ("/linux/seccomp/syscalls/%zu/names/%zu", i, first);
      cleanup_free char *more = n_unknown > SECCOMP_UNKNOWN_SHOWN
                                    ? xasprintf (" and %zu more", n_unknown - SECCOMP_UNKNOWN_SHOWN)
                                    : xstrdup ("");
      sc_add_finding (j, ACTION_WARN, pointer,
                      "seccomp profile names %s libseccomp %u.%u.%u does not know (linux.seccomp.syscalls[%zu].names: "
                      "%s%s); runc and crun skip %s: check the spelling, or update libseccomp if %s new",
                      n_unknown > 1 ? "system calls" : "a system call", ver->major, ver->minor, ver->micro, i,
                      shown.buf, more, n_unknown > 1 ? "them" : "it", n_unknown > 1 ? "they are" : "it is");
    }
  strbuf_release (&shown);
}

void
sc_check_static (const struct sc_profile *p, const struct seccomp_options *o, struct judge *j)
{
  check_default (p, o, j);
  check_arches_flags (p, j);
  for (size_t i = 0; i < p->n_entries; i++)
    {
      check_entry_action_args (&p->entries[i], i, j);
      check_entry_names (&p->entries[i], i, j);
    }
}
