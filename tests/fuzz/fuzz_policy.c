/* libFuzzer target: policy bytes.
 *
 * bytes -> policy_load_buffer -> policy_to_json -> json_to_text -> load that
 * again -> policy_to_json -> json_to_text.  The effective policy
 * (`ocigate policy show`) must load again and say the same thing: the two
 * serialisations are equal, or the input is kept (abort).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "fuzz_common.h"

#include "gate/policy.h"

static char *
show (const struct policy *p)
{
  json_object *j = policy_to_json (p);
  char *text = xstrdup (json_to_text (j));
  json_object_put (j);
  return text;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *buf = xmalloc (size ? size : 1);
  if (size)
    memcpy (buf, data, size);
  ocigate_error_t err = NULL;
  struct policy *p = NULL;
  int r = policy_load_buffer (buf, size, "fuzz-policy.json", &p, &err);
  fuzz_check_error (r, err, "policy_load_buffer");
  free (buf);
  if (r < 0)
    {
      ocigate_error_free (&err);
      return 0;
    }
  if (p->n_settings == 0 || p->runtime_runc == NULL || p->runtime_crun == NULL)
    fuzz_fail ("a loaded policy has no settings or no runtimes");

  char *first = show (p);
  struct policy *again = NULL;
  r = policy_load_buffer (first, strlen (first), "shown.json", &again, &err);
  fuzz_check_error (r, err, "reloading the shown policy");
  if (r < 0)
    fuzz_fail ("the shown policy does not load: %s\n--- shown ---\n%s\n---", err->msg, first);
  char *second = show (again);
  if (strcmp (first, second) != 0)
    fuzz_fail ("the shown policy changes when loaded again\n--- first ---\n%s\n--- second ---\n%s\n---", first, second);
  if (again->dry_run != p->dry_run || again->n_exceptions != p->n_exceptions)
    fuzz_fail ("the shown policy has another mode or exception count");
  for (size_t i = 0; i < p->n_settings; i++)
    if (again->settings[i].rule != p->settings[i].rule || again->settings[i].action != p->settings[i].action)
      fuzz_fail ("rule %s: the shown policy has another action", p->settings[i].rule->id);
  free (second);
  free (first);
  policy_free (again);
  policy_free (p);
  return 0;
}
