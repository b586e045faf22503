/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "gate/decisions.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonio.h"
#include "core/config.h"
#include "core/verdict.h"

static const char *const effect_names[] = { "none", "rewrite", "refuse" };

const char *
decision_effect_name (enum decision_effect e)
{
  return effect_names[e];
}

/* n digits at s, as a number; -1 when one is not a digit. */
static int
digits (const char *s, int n)
{
  int v = 0;
  for (int i = 0; i < n; i++)
    {
      if (!isdigit ((unsigned char)s[i]))
        return -1;
      v = v * 10 + (s[i] - '0');
    }
  return v;
}

int
decision_time_parse (const char *text, time_t *out)
{
  /* YYYY-MM-DDTHH:MM:SS[.fraction]Z */
  if (strlen (text) < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':')
    return -1;
  struct tm tm = {
    .tm_year = digits (text, 4) - 1900,
    .tm_mon = digits (text + 5, 2) - 1,
    .tm_mday = digits (text + 8, 2),
    .tm_hour = digits (text + 11, 2),
    .tm_min = digits (text + 14, 2),
    .tm_sec = digits (text + 17, 2),
  };
  const char *rest = text + 19;
  if (*rest == '.')
    {
      do
        rest++;
      while (isdigit ((unsigned char)*rest));
      if (!isdigit ((unsigned char)rest[-1]))
        return -1;
    }
  if (strcmp (rest, "Z") != 0 || tm.tm_year < 0 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_hour < 0
      || tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 60)
    return -1;
  int mday = tm.tm_mday;
  time_t t = timegm (&tm);
  /* timegm() moves a 31st of a 30-day month to the 1st of the next. */
  if (t == (time_t)-1 || tm.tm_mday != mday)
    return -1;
  *out = t;
  return 0;
}

int
decision_since_parse (const char *arg, time_t now, time_t *out, ocigate_error_t *err)
{
  static const struct
  {
    char unit;
    long seconds;
  } units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 'w', 604800 } }; /* a week */
  size_t n = strspn (arg, "0123456789");
  if (n > 0 && n <= 9 && arg[n] != '\0' && arg[n + 1] == '\0')
    for (size_t i = 0; i < ARRAY_SIZE (units); i++)
      if (arg[n] == units[i].unit)
        {
          /* 9 digits of weeks is 19 centuries: no overflow in 64 bits. */
          *out = now - (time_t)strtol (arg, NULL, 10) * units[i].seconds;
          return 0;
        }
  if (decision_time_parse (arg, out) == 0)
    return 0;
  cleanup_free char *shown = text_excerpt (arg);
  return ocigate_error_make (err, 0, OCIGATE_ERR_USAGE,
                             "--since %s: not a time: give one in UTC as RFC 3339 (2026-12-07T10:00:00Z) or an age "
                             "(30m, 1h, 2d: s, m, h, d or w)",
                             shown);
}

/* A member that must be a string when present (required: and present);
 * an optional one may be null, as absent. */
static int
member_string (json_object *o, const char *key, bool required, const char **out, ocigate_error_t *err)
{
  json_object *v = json_get (o, key);
  *out = NULL;
  if ((v == NULL || json_object_is_type (v, json_type_null)) && !required)
    return 0;
  if (v == NULL || !json_object_is_type (v, json_type_string))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: must be a string, not %s", key,
                               v ? json_type_to_name (json_object_get_type (v)) : "absent");
  *out = json_object_get_string (v);
  return 0;
}

/* Which of names[] s is; -1 for none. */
static int
one_of (const char *s, const char *const *names)
{
  for (int i = 0; names[i]; i++)
    if (strcmp (s, names[i]) == 0)
      return i;
  return -1;
}

/* The JSON of a line as syslog keeps it: "... ocigate[PID]: {...}"
 * (journalctl without -o cat, /var/log/auth.log). */
static const char *
json_start (const char *line, size_t len)
{
  if (len > 0 && line[0] == '{')
    return line;
  const char *tag = memmem (line, len < 512 ? len : 512, "ocigate[", 8);
  if (tag == NULL)
    return NULL;
  const char *end = memmem (tag, len - (size_t)(tag - line), "]: {", 4);
  return end ? end + 3 : NULL;
}

static void
add_rule (struct decision_record *r, const char *rule)
{
  for (size_t i = 0; i < r->n_rules; i++)
    if (strcmp (r->rules[i], rule) == 0)
      return;
  if (r->n_rules < DECISION_MAX_RULES)
    r->rules[r->n_rules++] = rule;
}

/* Whether the integration point could rewrite: the precreate hook and the
 * wrapper but for update; the hooks at later stages cannot. */
static bool
via_can_rewrite (const char *via)
{
  if (strcmp (via, "hook precreate") == 0)
    return true;
  if (strncmp (via, "hook ", 5) == 0)
    return false;
  size_t n = strlen (via);
  return !(n >= 7 && strcmp (via + n - 7, " update") == 0);
}

enum
{
  OUTCOME_ALLOW,
  OUTCOME_REWRITE,
  OUTCOME_REFUSE,
};
enum
{
  DECIDED_ALLOW,
  DECIDED_REWRITE,
  DECIDED_DENY,
  DECIDED_ERROR,
};

/* The rules behind the effect, from the findings (each {rule, action}). */
static int
record_rules (struct decision_record *r, json_object *findings, bool can_rewrite, bool error, ocigate_error_t *err)
{
  if (error)
    add_rule (r, DECISION_ERROR_RULE);
  size_t n = json_object_array_length (findings);
  /* A refusal by fix findings alone: a point that cannot rewrite, or an
   * exec whose flags cannot be rewritten. */
  for (int pass = 0; pass < 2; pass++)
    {
      for (size_t i = 0; i < n; i++)
        {
          json_object *f = json_object_array_get_idx (findings, i);
          const char *rule, *action;
          if (!json_object_is_type (f, json_type_object))
            return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "findings[%zu]: must be an object", i);
          if (member_string (f, "rule", true, &rule, err) < 0 || member_string (f, "action", true, &action, err) < 0)
            return ocigate_error_prefix (err, "findings[%zu]", i);
          int a = action_parse (action);
          if (a < 0)
            return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "findings[%zu].action: not an action", i);
          bool counts = r->effect == EFFECT_REWRITE
                            ? a == ACTION_FIX
                            : a == ACTION_DENY || (a == ACTION_FIX && (pass == 1 || !can_rewrite));
          if (counts && r->effect != EFFECT_NONE)
            add_rule (r, rule);
        }
      if (r->effect != EFFECT_REFUSE || r->n_rules > 0)
        break;
    }
  if (r->effect != EFFECT_NONE && r->n_rules == 0)
    add_rule (r, DECISION_ERROR_RULE);
  return 0;
}

int
decision_record_parse (const char *line, size_t len, struct decision_record *out, ocigate_error_t *err)
{
  static const char *const outcomes[] = { "allow", "rewrite", "refuse", NULL };
  static const char *const decisions[] = { "allow", "rewrite", "deny", "error", NULL };
  *out = (struct decision_record){ 0 };
  const char *json = json_start (line, len);
  if (json == NULL)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "not a JSON object, nor a syslog line of ocigate's");
  if (json_parse_untrusted (json, len - (size_t)(json - line), "line", &out->root, err) < 0)
    return -1;
  json_object *o = out->root;
  if (!json_object_is_type (o, json_type_object))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "not a JSON object");
  const char *outcome, *decision, *error;
  if (member_string (o, "time", true, &out->time_text, err) < 0 || member_string (o, "via", true, &out->via, err) < 0
      || member_string (o, "outcome", true, &outcome, err) < 0
      || member_string (o, "decision", true, &decision, err) < 0 || member_string (o, "id", false, &out->id, err) < 0
      || member_string (o, "bundle", false, &out->bundle, err) < 0
      || member_string (o, "name", false, &out->name, err) < 0
      || member_string (o, "image", false, &out->image, err) < 0
      || member_string (o, "engine", false, &out->engine, err) < 0
      || member_string (o, "error", false, &error, err) < 0)
    return -1;
  if (decision_time_parse (out->time_text, &out->time) < 0)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "time: not an RFC 3339 time in UTC");
  int oc = one_of (outcome, outcomes), dc = one_of (decision, decisions);
  if (oc < 0 || dc < 0)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: not one gate.c writes", oc < 0 ? "outcome" : "decision");
  json_object *dry = json_get (o, "dry_run"), *findings = json_get (o, "findings");
  if (dry == NULL || !json_object_is_type (dry, json_type_boolean))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "dry_run: must be true or false");
  if (findings == NULL || !json_object_is_type (findings, json_type_array))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "findings: must be an array");
  out->dry_run = json_object_get_boolean (dry);
  bool can_rewrite = via_can_rewrite (out->via);
  if (!out->dry_run)
    out->effect = oc == OUTCOME_REFUSE ? EFFECT_REFUSE : oc == OUTCOME_REWRITE ? EFFECT_REWRITE : EFFECT_NONE;
  else if (dc == DECIDED_DENY || dc == DECIDED_ERROR)
    out->effect = EFFECT_REFUSE;
  else if (dc == DECIDED_REWRITE)
    out->effect = can_rewrite ? EFFECT_REWRITE : EFFECT_REFUSE;
  else
    out->effect = EFFECT_NONE;
  out->would = out->effect != EFFECT_NONE && oc == OUTCOME_ALLOW;
  return record_rules (out, findings, can_rewrite, dc == DECIDED_ERROR, err);
}

void
decision_record_release (struct decision_record *r)
{
  json_object_put (r->root);
  *r = (struct decision_record){ 0 };
}

/* ------------------------------------------------------------------ */

static void
rehash (struct report_rule *g, size_t n_slots)
{
  free (g->slots);
  g->slots = xzalloc (n_slots * sizeof *g->slots);
  g->n_slots = n_slots;
  for (size_t i = 0; i < g->n_containers; i++)
    {
      size_t at = str_hash (g->containers[i].key) & (n_slots - 1);
      while (g->slots[at])
        at = (at + 1) & (n_slots - 1);
      g->slots[at] = i + 1;
    }
}

/* The container named key in g, added when new; NULL past the limit. */
static struct report_container *
container_of (struct report_rule *g, const char *key)
{
  if (g->n_slots == 0)
    rehash (g, 64);
  size_t at = str_hash (key) & (g->n_slots - 1);
  for (; g->slots[at]; at = (at + 1) & (g->n_slots - 1))
    if (strcmp (g->containers[g->slots[at] - 1].key, key) == 0)
      return &g->containers[g->slots[at] - 1];
  if (g->n_containers == REPORT_MAX_CONTAINERS)
    return NULL;
  if (g->n_containers == g->cap_containers)
    {
      g->cap_containers = g->cap_containers ? 2 * g->cap_containers : 16;
      g->containers = xreallocarray (g->containers, g->cap_containers, sizeof *g->containers);
    }
  g->containers[g->n_containers] = (struct report_container){ .key = xstrdup (key) };
  g->slots[at] = ++g->n_containers;
  /* At most half full: probes stay short. */
  if (2 * g->n_containers > g->n_slots)
    rehash (g, 2 * g->n_slots);
  return &g->containers[g->n_containers - 1];
}

static struct report_rule *
group_of (struct report_summary *s, const char *rule, enum decision_effect effect)
{
  for (size_t i = 0; i < s->n_rules; i++)
    if (s->rules[i].effect == effect && strcmp (s->rules[i].rule, rule) == 0)
      return &s->rules[i];
  if (s->n_rules == REPORT_MAX_RULES)
    return NULL;
  if (s->n_rules == s->cap_rules)
    {
      s->cap_rules = s->cap_rules ? 2 * s->cap_rules : 16;
      s->rules = xreallocarray (s->rules, s->cap_rules, sizeof *s->rules);
    }
  s->rules[s->n_rules] = (struct report_rule){ .rule = xstrdup (rule), .effect = effect };
  return &s->rules[s->n_rules++];
}

static char *
xstrdup_or_null (const char *s)
{
  return s && *s ? xstrdup (s) : NULL;
}

static void
seen (time_t *first, time_t *last, size_t count, time_t t)
{
  if (count == 0 || t < *first)
    *first = t;
  if (count == 0 || t > *last)
    *last = t;
}

void
report_summary_add (struct report_summary *s, const struct decision_record *r)
{
  if (r->effect == EFFECT_NONE)
    return;
  const char *key = r->name && *r->name       ? r->name
                    : r->id && *r->id         ? r->id
                    : r->bundle && *r->bundle ? r->bundle
                                              : "(no name, ID or bundle)";
  for (size_t i = 0; i < r->n_rules; i++)
    {
      struct report_rule *g = group_of (s, r->rules[i], r->effect);
      if (g == NULL)
        {
          s->rules_omitted_decisions++;
          continue;
        }
      seen (&g->first, &g->last, g->decisions, r->time);
      g->decisions++;
      g->dry_run_decisions += r->would;
      struct report_container *c = container_of (g, key);
      if (c == NULL)
        {
          g->decisions_omitted++;
          continue;
        }
      if (c->decisions == 0)
        {
          c->id = xstrdup_or_null (r->id);
          c->name = xstrdup_or_null (r->name);
          c->image = xstrdup_or_null (r->image);
          c->engine = xstrdup_or_null (r->engine);
        }
      seen (&c->first, &c->last, c->decisions, r->time);
      c->decisions++;
    }
}

void
report_summary_line (struct report_summary *s, const char *line, size_t len, bool too_long)
{
  if (!too_long && strspn (line, " \t\r") == len)
    return; /* blank */
  s->lines++;
  cleanup_decision_record struct decision_record r = { 0 };
  cleanup_error ocigate_error_t err = NULL;
  if (too_long || decision_record_parse (line, len, &r, &err) < 0)
    {
      s->skipped++;
      s->too_long += too_long;
      return;
    }
  if (s->since && r.time < s->since)
    {
      s->before_since++;
      return;
    }
  s->decisions++;
  report_summary_add (s, &r);
}

static int
by_decisions_then_key (size_t da, size_t db, const char *ka, const char *kb)
{
  if (da != db)
    return da > db ? -1 : 1;
  return strcmp (ka, kb);
}

static int
container_order (const void *a, const void *b)
{
  const struct report_container *x = a, *y = b;
  return by_decisions_then_key (x->decisions, y->decisions, x->key, y->key);
}

static int
rule_order (const void *a, const void *b)
{
  const struct report_rule *x = a, *y = b;
  int r = by_decisions_then_key (x->decisions, y->decisions, x->rule, y->rule);
  return r ? r : (int)y->effect - (int)x->effect;
}

void
report_summary_sort (struct report_summary *s)
{
  for (size_t i = 0; i < s->n_rules; i++)
    {
      struct report_rule *g = &s->rules[i];
      if (g->n_containers)
        qsort (g->containers, g->n_containers, sizeof *g->containers, container_order);
      /* The hash's indexes no longer hold: no container is added now. */
      free (g->slots);
      g->slots = NULL;
      g->n_slots = 0;
    }
  if (s->n_rules)
    qsort (s->rules, s->n_rules, sizeof *s->rules, rule_order);
}

bool
report_summary_any (const struct report_summary *s)
{
  return s->n_rules > 0 || s->rules_omitted_decisions > 0;
}

void
report_summary_release (struct report_summary *s)
{
  for (size_t i = 0; i < s->n_rules; i++)
    {
      struct report_rule *g = &s->rules[i];
      for (size_t c = 0; c < g->n_containers; c++)
        {
          free (g->containers[c].key);
          free (g->containers[c].id);
          free (g->containers[c].name);
          free (g->containers[c].image);
          free (g->containers[c].engine);
        }
      free (g->containers);
      free (g->slots);
      free (g->rule);
    }
  free (s->rules);
  *s = (struct report_summary){ 0 };
}
