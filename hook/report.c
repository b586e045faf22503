/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "report.h"

char *
report_text (const char *config, const struct verdict *v)
{
  struct strbuf sb = { 0 };
  for (size_t i = 0; i < v->n_findings; i++)
    {
      const struct finding *f = &v->findings[i];
      strbuf_appendf (&sb, "%s: %s %s: %s\n", config, action_name (f->action), f->rule, f->message);
    }
  strbuf_appendf (&sb, "%s: %s\n", config, decision_name (verdict_decide (v)));
  return strbuf_steal (&sb);
}

char *
report_json (const char *config, const struct verdict *v)
{
  struct strbuf sb = { 0 };
  strbuf_append (&sb, "{\"config\": ");
  strbuf_append_json_string (&sb, config);
  strbuf_appendf (&sb, ", \"decision\": \"%s\", \"findings\": [", decision_name (verdict_decide (v)));
  for (size_t i = 0; i < v->n_findings; i++)
    {
      const struct finding *f = &v->findings[i];
      strbuf_append (&sb, i ? ", {\"rule\": " : "{\"rule\": ");
      strbuf_append_json_string (&sb, f->rule);
      strbuf_appendf (&sb, ", \"action\": \"%s\", \"message\": ", action_name (f->action));
      strbuf_append_json_string (&sb, f->message);
      strbuf_append (&sb, ", \"path\": ");
      strbuf_append_json_string (&sb, f->path);
      strbuf_append (&sb, "}");
    }
  strbuf_append (&sb, "]}\n");
  return strbuf_steal (&sb);
}

char *
report_json_error (const char *config, const char *message)
{
  struct strbuf sb = { 0 };
  strbuf_append (&sb, "{\"config\": ");
  strbuf_append_json_string (&sb, config);
  strbuf_append (&sb, ", \"decision\": \"error\", \"error\": ");
  strbuf_append_json_string (&sb, message);
  strbuf_append (&sb, "}\n");
  return strbuf_steal (&sb);
}
