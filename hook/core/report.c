/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "core/report.h"

#include <string.h>

void
report_append_finding_json (struct strbuf *sb, const struct finding *f)
{
  strbuf_append (sb, "{\"rule\": ");
  strbuf_append_json_string (sb, f->rule);
  strbuf_append (sb, ", \"action\": \"");
  strbuf_append (sb, action_name (f->action));
  strbuf_append (sb, "\", \"message\": ");
  strbuf_append_json_string (sb, f->message);
  strbuf_append (sb, ", \"path\": ");
  strbuf_append_json_string (sb, f->path);
  strbuf_append (sb, "}");
}

void
report_append_findings_json (struct strbuf *sb, const struct verdict *v)
{
  strbuf_append (sb, "[");
  for (size_t i = 0; v && i < v->n_findings; i++)
    {
      if (i)
        strbuf_append (sb, ", ");
      report_append_finding_json (sb, &v->findings[i]);
    }
  strbuf_append (sb, "]");
}

char *
report_text (const char *config, const struct verdict *v, const struct fix_notes *changes)
{
  cleanup_strbuf struct strbuf sb = { 0 };
  size_t config_len = strlen (config);
  strbuf_grow (&sb, (v->n_findings + 1) * (config_len + 200)); /* most lines fit */
  for (size_t i = 0; i < v->n_findings; i++)
    {
      const struct finding *f = &v->findings[i];
      strbuf_append_mem (&sb, config, config_len);
      strbuf_append (&sb, ": ");
      strbuf_append (&sb, action_name (f->action));
      strbuf_append (&sb, " ");
      strbuf_append (&sb, f->rule);
      strbuf_append (&sb, ": ");
      strbuf_append (&sb, f->message);
      strbuf_append (&sb, "\n");
    }
  for (size_t i = 0; changes && i < changes->n_notes; i++)
    strbuf_appendf (&sb, "%s: rewrote %s\n", config, changes->notes[i]);
  strbuf_append (&sb, config);
  strbuf_append (&sb, ": ");
  strbuf_append (&sb, decision_name (verdict_decide (v)));
  strbuf_append (&sb, "\n");
  return strbuf_steal (&sb);
}

char *
report_json (const char *config, const struct verdict *v, const struct fix_notes *changes)
{
  cleanup_strbuf struct strbuf sb = { 0 };
  strbuf_append (&sb, "{\"config\": ");
  strbuf_append_json_string (&sb, config);
  strbuf_append (&sb, ", \"decision\": \"");
  strbuf_append (&sb, decision_name (verdict_decide (v)));
  strbuf_append (&sb, "\", \"findings\": ");
  report_append_findings_json (&sb, v);
  if (changes && changes->n_notes)
    {
      strbuf_append (&sb, ", \"rewrote\": [");
      for (size_t i = 0; i < changes->n_notes; i++)
        {
          strbuf_append (&sb, i ? ", " : "");
          strbuf_append_json_string (&sb, changes->notes[i]);
        }
      strbuf_append (&sb, "]");
    }
  strbuf_append (&sb, "}\n");
  return strbuf_steal (&sb);
}

char *
report_json_error (const char *config, const char *message)
{
  cleanup_strbuf struct strbuf sb = { 0 };
  strbuf_append (&sb, "{\"config\": ");
  strbuf_append_json_string (&sb, config);
  strbuf_append (&sb, ", \"decision\": \"error\", \"error\": ");
  strbuf_append_json_string (&sb, message);
  strbuf_append (&sb, "}\n");
  return strbuf_steal (&sb);
}
