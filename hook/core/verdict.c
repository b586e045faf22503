/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "core/verdict.h"

#include <stdlib.h>
#include <string.h>

static const char *const action_names[] = { "off", "warn", "fix", "deny" };
static const char *const decision_names[] = { "allow", "rewrite", "deny" };

const char *
action_name (enum action a)
{
  return action_names[a];
}

int
action_parse (const char *name)
{
  for (size_t i = 0; i < ARRAY_SIZE (action_names); i++)
    if (strcmp (action_names[i], name) == 0)
      return (int)i;
  return -1;
}

const char *
decision_name (enum decision d)
{
  return decision_names[d];
}

void
verdict_add_finding (struct verdict *v, const char *rule, enum action action, const char *path, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *msg = printable_line (xvasprintf (fmt, ap));
  va_end (ap);
  if (v->n_findings == v->cap_findings)
    {
      v->cap_findings = v->cap_findings ? 2 * v->cap_findings : 16;
      v->findings = xreallocarray (v->findings, v->cap_findings, sizeof *v->findings);
    }
  v->findings[v->n_findings++] = (struct finding){
    .rule = xstrdup (rule),
    .action = action,
    .path = xstrdup (path),
    .message = msg,
  };
}

enum decision
verdict_decide (const struct verdict *v)
{
  enum decision d = DECISION_ALLOW;
  for (size_t i = 0; i < v->n_findings; i++)
    {
      if (v->findings[i].action == ACTION_DENY)
        return DECISION_DENY;
      if (v->findings[i].action == ACTION_FIX)
        d = DECISION_REWRITE;
    }
  return d;
}

void
verdict_release (struct verdict *v)
{
  for (size_t i = 0; i < v->n_findings; i++)
    {
      free (v->findings[i].rule);
      free (v->findings[i].path);
      free (v->findings[i].message);
    }
  free (v->findings);
  v->findings = NULL;
  v->n_findings = 0;
  v->cap_findings = 0;
}

void
fix_notes_add (struct fix_notes *notes, const char *rule, const char *fmt, ...)
{
  if (notes == NULL)
    return;
  va_list ap;
  va_start (ap, fmt);
  cleanup_free char *what = xvasprintf (fmt, ap);
  va_end (ap);
  if (notes->n_notes == notes->cap_notes)
    {
      notes->cap_notes = notes->cap_notes ? 2 * notes->cap_notes : 8;
      notes->notes = xreallocarray (notes->notes, notes->cap_notes, sizeof *notes->notes);
    }
  /* The policy's paths and names can hold anything: keep it one line. */
  notes->notes[notes->n_notes++] = printable_line (xasprintf ("%s: %s", rule, what));
}

char *
fix_notes_join (const struct fix_notes *notes, size_t max)
{
  if (notes->n_notes == 0)
    return NULL;
  /* Room for "; and N more" past the notes that fit. */
  const size_t tail_room = 32;
  struct strbuf sb = { 0 };
  size_t kept = 0;
  for (; kept < notes->n_notes; kept++)
    {
      size_t len = strlen (notes->notes[kept]);
      size_t sep = kept ? 2 : 0;
      bool last = kept + 1 == notes->n_notes;
      if (sb.len + sep + len + (last ? 0 : tail_room) > max)
        break;
      if (sep)
        strbuf_append (&sb, "; ");
      strbuf_append_mem (&sb, notes->notes[kept], len);
    }
  if (kept < notes->n_notes)
    strbuf_appendf (&sb, "%sand %zu more", kept ? "; " : "", notes->n_notes - kept);
  return strbuf_steal (&sb);
}

void
fix_notes_release (struct fix_notes *notes)
{
  for (size_t i = 0; i < notes->n_notes; i++)
    free (notes->notes[i]);
  free (notes->notes);
  *notes = (struct fix_notes){ 0 };
}
