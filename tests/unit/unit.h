/* Shared helpers for the cmocka unit tests: build configs and policies from
 * JSON text, judge them with the real engine, and look at the findings. */
#ifndef OCIGATE_UNIT_H
#define OCIGATE_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gate/engine.h"
#include "base/jsonio.h"

#ifndef UNIT_FIXTURES
#define UNIT_FIXTURES "tests/unit/data"
#endif

/* A judged config: the verdict of one policy on one config. */
struct judged
{
  struct oci_config *cfg;
  struct policy *policy;
  struct host_info host;
  struct verdict v;
};

static inline struct policy *
unit_policy (const char *json)
{
  struct policy *p = NULL;
  ocigate_error_t err = NULL;
  if (policy_load_buffer (json, strlen (json), "test-policy.json", &p, &err) < 0)
    fail_msg ("policy did not load: %s", err->msg);
  return p;
}

/* A policy with one rule on: {"version":1,"rules":{ID: SETTINGS}}. */
static inline struct policy *
unit_policy_rule (const char *id, const char *settings)
{
  cleanup_free char *json = xasprintf ("{\"version\": 1, \"rules\": {\"%s\": %s}}", id, settings);
  return unit_policy (json);
}

static inline struct oci_config *
unit_config (const char *json)
{
  struct oci_config *cfg = NULL;
  ocigate_error_t err = NULL;
  if (oci_config_load_buffer (json, strlen (json), "config.json", &cfg, &err) < 0)
    fail_msg ("config did not load: %s", err->msg);
  return cfg;
}

/* The host seen by rules: account and subordinate ID files from
 * tests/unit/data, the real /proc, and the given user as the one ocigate
 * runs as. */
static inline void
unit_host (struct host_info *host, uid_t euid, gid_t egid)
{
  host_info_init (host);
  host->passwd_path = UNIT_FIXTURES "/passwd";
  host->group_path = UNIT_FIXTURES "/group";
  host->subuid_path = UNIT_FIXTURES "/subuid";
  host->subgid_path = UNIT_FIXTURES "/subgid";
  host->euid = euid;
  host->egid = egid;
}

/* What a test changes in the host its judgements see, after unit_host()
 * (the LSM files, say); NULL for nothing. */
typedef void unit_host_setup (struct host_info *host);

/* Judge a config in a bundle (NULL: none), as the rules that read the
 * bundle see it. */
static inline void
unit_judge_bundle_on (struct judged *j, const char *policy_json, const char *config_json, const char *bundle,
                      unit_host_setup *setup)
{
  memset (j, 0, sizeof *j);
  j->policy = unit_policy (policy_json);
  j->cfg = unit_config (config_json);
  unit_host (&j->host, 0, 0);
  if (setup)
    setup (&j->host);
  struct rule_context ctx = { .config = j->cfg, .host = &j->host, .bundle = bundle };
  ocigate_error_t err = NULL;
  if (ocigate_evaluate (j->policy, &ctx, &j->v, &err) < 0)
    fail_msg ("evaluate failed: %s", err->msg);
}

static inline void
unit_judge_on (struct judged *j, const char *policy_json, const char *config_json, unit_host_setup *setup)
{
  unit_judge_bundle_on (j, policy_json, config_json, NULL, setup);
}

static inline void
unit_judge (struct judged *j, const char *policy_json, const char *config_json)
{
  unit_judge_on (j, policy_json, config_json, NULL);
}

static inline void
unit_judged_release (struct judged *j)
{
  verdict_release (&j->v);
  host_info_release (&j->host);
  oci_config_free (j->cfg);
  policy_free (j->policy);
}

/* How many findings of rule `id` with `action` (any action when -1). */
static inline size_t
unit_count (const struct verdict *v, const char *id, int action)
{
  size_t n = 0;
  for (size_t i = 0; i < v->n_findings; i++)
    if (strcmp (v->findings[i].rule, id) == 0 && (action < 0 || (int)v->findings[i].action == action))
      n++;
  return n;
}

/* The first finding of rule `id` whose message contains `needle`. */
static inline const struct finding *
unit_find (const struct verdict *v, const char *id, const char *needle)
{
  for (size_t i = 0; i < v->n_findings; i++)
    if (strcmp (v->findings[i].rule, id) == 0 && (needle == NULL || strstr (v->findings[i].message, needle)))
      return &v->findings[i];
  return NULL;
}

/* Load a config that must fail; returns the message (caller frees). */
static inline char *
unit_config_error (const char *json)
{
  struct oci_config *cfg = NULL;
  ocigate_error_t err = NULL;
  if (oci_config_load_buffer (json, strlen (json), "config.json", &cfg, &err) == 0)
    {
      oci_config_free (cfg);
      fail_msg ("config loaded but should not have: %s", json);
    }
  char *msg = xstrdup (err->msg);
  ocigate_error_free (&err);
  return msg;
}

/* Load a policy that must fail; returns the message (caller frees). */
static inline char *
unit_policy_error (const char *json)
{
  struct policy *p = NULL;
  ocigate_error_t err = NULL;
  if (policy_load_buffer (json, strlen (json), "test-policy.json", &p, &err) == 0)
    {
      policy_free (p);
      fail_msg ("policy loaded but should not have: %s", json);
    }
  char *msg = xstrdup (err->msg);
  ocigate_error_free (&err);
  return msg;
}

/* JSON written with ' for " to keep the tests readable; caller frees. */
static inline char *
dq (const char *s)
{
  char *r = xstrdup (s);
  for (char *p = r; *p; p++)
    if (*p == '\'')
      *p = '"';
  return r;
}

/* unit_judge() of a policy and a config written with ' for ". */
static inline void
unit_judge_q_on (struct judged *j, const char *policy, const char *config, unit_host_setup *setup)
{
  char *p = dq (policy), *c = dq (config);
  unit_judge_on (j, p, c, setup);
  free (p);
  free (c);
}

static inline void
unit_judge_q (struct judged *j, const char *policy, const char *config)
{
  unit_judge_q_on (j, policy, config, NULL);
}

/* unit_judge() of a config file (a fixture) under a policy written with '
 * for ". */
static inline void
unit_judge_file_on (struct judged *j, const char *policy, const char *path, unit_host_setup *setup)
{
  char *buf = NULL, *p = dq (policy);
  size_t len = 0;
  ocigate_error_t err = NULL;
  if (read_file_limited (path, OCIGATE_MAX_CONFIG_BYTES, &buf, &len, &err) < 0)
    fail_msg ("%s", err->msg);
  unit_judge_on (j, p, buf, setup);
  free (buf);
  free (p);
}

static inline void
unit_judge_file (struct judged *j, const char *policy, const char *path)
{
  unit_judge_file_on (j, policy, path, NULL);
}

/* Judge a config (policy and config written with ' for ") that the rules
 * cannot judge: the error's message (caller frees) and, when kind is not
 * NULL, its kind. */
static inline char *
unit_judge_error_q_on (const char *policy, const char *config, enum ocigate_error_kind *kind, unit_host_setup *setup)
{
  char *p = dq (policy), *c = dq (config);
  struct policy *pol = unit_policy (p);
  struct oci_config *cfg = unit_config (c);
  struct host_info host;
  unit_host (&host, 0, 0);
  if (setup)
    setup (&host);
  struct rule_context ctx = { .config = cfg, .host = &host };
  struct verdict v = { 0 };
  ocigate_error_t err = NULL;
  int r = ocigate_evaluate (pol, &ctx, &v, &err);
  if (r == 0)
    fail_msg ("judged, with %zu findings, but should not have been: %s", v.n_findings, c);
  if (kind)
    *kind = err->kind;
  char *msg = xstrdup (err->msg);
  ocigate_error_free (&err);
  verdict_release (&v);
  host_info_release (&host);
  oci_config_free (cfg);
  policy_free (pol);
  free (p);
  free (c);
  return msg;
}

static inline char *
unit_judge_error_q (const char *policy, const char *config, enum ocigate_error_kind *kind)
{
  return unit_judge_error_q_on (policy, config, kind, NULL);
}

/* Apply the fixes of a judged config's rewrite verdict. */
/* Judge the (rewritten) config again under its policy: no findings left. */
static inline void
unit_assert_clean (struct judged *j)
{
  struct rule_context ctx = { .config = j->cfg, .host = &j->host };
  struct verdict v = { 0 };
  ocigate_error_t err = NULL;
  assert_int_equal (ocigate_evaluate (j->policy, &ctx, &v, &err), 0);
  if (v.n_findings)
    fail_msg ("still: %s", v.findings[0].message);
  verdict_release (&v);
}

static inline void
apply_fixes (struct judged *j)
{
  struct rule_context ctx = { .config = j->cfg, .host = &j->host };
  ocigate_error_t err = NULL;
  if (ocigate_apply_fixes (j->policy, &ctx, &j->v, &err) < 0)
    fail_msg ("fix failed: %s", err->msg);
}

#define assert_contains(haystack, needle)                                                                              \
  do                                                                                                                   \
    {                                                                                                                  \
      const char *h_ = (haystack);                                                                                     \
      if (h_ == NULL || strstr (h_, (needle)) == NULL)                                                                 \
        fail_msg ("expected \"%s\" in \"%s\"", (needle), h_ ? h_ : "(null)");                                          \
    }                                                                                                                  \
  while (0)

#endif
