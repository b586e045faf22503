/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "gate/decide.h"
#include "gate/decision_log.h"

#include <stdlib.h>
#include <sys/stat.h>

static bool
is_dry_run (const struct gate_request *req, const struct policy *p)
{
  switch (req->dry_run)
    {
    case GATE_DRY_RUN_ON:
      return true;
    case GATE_DRY_RUN_NEVER:
      return false;
    case GATE_DRY_RUN_POLICY:
      break;
    }
  return p != NULL && p->dry_run;
}

/* The integration point, as gate.c sees it, once the policy is known (or
 * known not to load). */
static struct gate
point_of (const struct gate_request *req, const struct policy *p)
{
  return (struct gate){
    .policy = p,
    .dry_run = is_dry_run (req, p),
    .can_rewrite = req->can_rewrite,
    .cannot_rewrite = req->cannot_rewrite,
    .where = req->where,
    .id = req->id,
    .bundle = req->bundle,
  };
}

int
gate_load_policy (const struct gate_policy_source *src, struct policy **out, ocigate_error_t *err)
{
  return policy_load_effective (src->path, src->trusted, out, err);
}

static int
load_config (const struct gate_request *req, struct gate_result *out, ocigate_error_t *err)
{
  switch (req->config.from)
    {
    case GATE_CONFIG_LOADED:
      if (req->config.loaded == NULL)
        return ocigate_error_make (err, 0, OCIGATE_ERR_INTERNAL, "no config to judge");
      out->config = req->config.loaded;
      return 0;
    case GATE_CONFIG_FILE:
      /* The runtime's config is a file: a FIFO would hold the container
       * start in open(2) until someone writes it.  (check and fix also
       * read a pipe.) */
      if (req->config.trusted)
        {
          struct stat st;
          if (stat (req->config.path, &st) == 0 && !S_ISREG (st.st_mode))
            return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "config %s: not a regular file (mode %06o)",
                                       req->config.path, (unsigned)st.st_mode);
        }
      if (oci_config_load_file (req->config.path, &out->own_config, err) < 0)
        return -1;
      out->config = out->own_config;
      /* The runtime reads the file apart from ocigate (before a hook,
       * again after the wrapper): nobody else may be able to swap it in
       * between. */
      if (!req->config.trusted)
        return 0;
      return oci_config_check_trusted (out->config, req->config.path, err) < 0
                     || oci_config_check_rootfs (out->config, req->bundle, err) < 0
                 ? -1
                 : 0;
    case GATE_CONFIG_TEXT:
      if (oci_config_load_buffer (req->config.text, req->config.len, req->config.name, &out->own_config, err) < 0)
        return -1;
      out->config = out->own_config;
      return 0;
    }
  return ocigate_error_make (err, 0, OCIGATE_ERR_INTERNAL, "no config to judge");
}

static int
failed (struct gate_result *out, enum gate_step step)
{
  out->failed = step;
  return -1;
}

/* Everything up to the outcome: -1 at the step that failed. */
static int
judge (const struct gate_request *req, struct gate_result *out, ocigate_error_t *err)
{
  out->policy = req->policy.loaded;
  if (out->policy == NULL)
    {
      if (gate_load_policy (&req->policy, &out->own_policy, err) < 0)
        return failed (out, GATE_STEP_POLICY);
      out->policy = out->own_policy;
    }
  if (load_config (req, out, err) < 0)
    return failed (out, GATE_STEP_CONFIG);

  json_object *update = req->update;
  cleanup_json json_object *own_update = NULL;
  if (req->prepare && req->prepare (req->data, out->config, &own_update, err) < 0)
    return failed (out, GATE_STEP_PREPARE);
  if (own_update)
    update = own_update;

  cleanup_host_info struct host_info own_host = { 0 };
  struct host_info *host = req->host;
  if (host == NULL)
    {
      host_info_init (&own_host);
      host = &own_host;
    }
  cleanup_live_process struct live_process live = { 0 };
  if (req->live_pid > 0)
    {
      live_process_init (&live, host, req->live_pid);
      live.in_root = req->live_in_root;
      if (live_process_check (&live, err) < 0)
        return failed (out, GATE_STEP_JUDGE);
    }
  struct rule_context ctx = {
    .config = out->config,
    .host = host,
    .id = req->id,
    .bundle = req->bundle,
    .live = req->live_pid > 0 ? &live : NULL,
  };
  int r = update ? ocigate_evaluate_update (out->policy, &ctx, update, &out->verdict, err)
                 : ocigate_evaluate (out->policy, &ctx, &out->verdict, err);
  if (r < 0)
    return failed (out, GATE_STEP_JUDGE);

  struct gate point = point_of (req, out->policy);
  out->outcome = gate_outcome (&point, &out->verdict);
  if (out->outcome == GATE_REWRITE)
    {
      ctx.notes = &out->changes;
      if (ocigate_apply_fixes (out->policy, &ctx, &out->verdict, err) < 0)
        return failed (out, GATE_STEP_FIX);
      out->rewrote = fix_notes_join (&out->changes, OCIGATE_REWRITE_ANNOTATION_MAX);
    }
  /* A refused config handed on (precreate) loses a forged one too. */
  bool changed = false;
  if (req->annotate && gate_annotate (out->config->root, out->rewrote, &changed, err) < 0)
    return failed (out, GATE_STEP_FIX);
  out->annotation_removed = changed && out->rewrote == NULL;
  if (out->outcome == GATE_REFUSE || (out->outcome == GATE_ALLOW && !req->commit_always && !changed))
    return 0;
  if (req->commit && req->commit (req->data, out->config, err) < 0)
    return failed (out, GATE_STEP_COMMIT);
  return 0;
}

/* Whether the decision's line is written: wanted (gate_log_wanted()), and
 * for a front end that writes only what nobody logged before it, a
 * refusal, or (GATE_LOG_WRITE_UNMARKED) a decision other than the one the
 * precreate hook marked the config with. */
static bool
written_here (const struct gate_request *req, const struct gate_result *out)
{
  switch (req->log)
    {
    case GATE_LOG_NONE:
    case GATE_LOG_RECORD:
      return false;
    case GATE_LOG_WRITE:
      return true;
    case GATE_LOG_WRITE_REFUSAL:
      return out->outcome == GATE_REFUSE;
    case GATE_LOG_WRITE_UNMARKED:
      break;
    }
  return out->outcome == GATE_REFUSE || out->config == NULL || out->error != NULL
         || !gate_judged_marked (out->config->root, decision_name (verdict_decide (&out->verdict)));
}

/* The end of every decision, judged or not: the refusal and the log. */
static void
finish (const struct gate_request *req, struct gate_result *out)
{
  struct gate point = point_of (req, out->policy);
  if (out->outcome == GATE_REFUSE)
    out->refusal = out->error ? xasprintf ("ocigate: refused: %s\n", out->error) : gate_refusal (&point, &out->verdict);
  const struct verdict *v = out->error && !req->log_findings_on_error ? NULL : &out->verdict;
  bool record = req->log == GATE_LOG_RECORD, write = written_here (req, out);
  if ((!record && !write) || !gate_log_wanted (&point, v, out->outcome, out->error))
    return;
  /* Who the container is, for the line only: looked up once it is made. */
  cleanup_container_identity struct container_identity identity = { 0 };
  if (out->config)
    {
      container_identity_from_config (out->config->root, &identity);
      cleanup_error ocigate_error_t ierr = NULL;
      /* A Docker record that is not to be believed leaves the line
       * without a name and an image, which is all it could give. */
      if (identity.engine == NULL)
        (void)container_identity_from_docker (out->config->root, req->id, &identity, &ierr);
      point.identity = &identity;
    }
  if (record)
    {
      out->log_line = gate_log_line (&point, v, out->outcome, out->error);
      return;
    }
  cleanup_error ocigate_error_t lerr = NULL;
  if (gate_log (&point, v, out->outcome, out->error, &out->log_line, &lerr) < 0)
    out->log_error = xstrdup (lerr->msg);
}

int
gate_decide (const struct gate_request *req, struct gate_result *out, ocigate_error_t *err)
{
  *out = (struct gate_result){ 0 };
  int r = judge (req, out, err);
  if (r < 0)
    {
      /* Fail closed: what cannot be judged is refused, and says why. */
      out->outcome = GATE_REFUSE;
      out->error = xstrdup ((*err)->msg);
    }
  finish (req, out);
  return r;
}

void
gate_refuse (const struct gate_request *req, const char *error, struct gate_result *out)
{
  *out = (struct gate_result){
    .outcome = GATE_REFUSE,
    .failed = GATE_STEP_INPUT,
    .policy = req->policy.loaded,
    .error = xstrdup (error),
  };
  finish (req, out);
}

int
gate_annotate (json_object *root, const char *rewrote, bool *changed, ocigate_error_t *err)
{
  *changed = false;
  json_object *annotations = json_get (root, "annotations");
  bool is_object = annotations && json_object_is_type (annotations, json_type_object);
  if (rewrote == NULL)
    {
      /* Nothing was rewritten: a value there is nobody's word but the
       * config's author's (and a non-object holds no key). */
      if (is_object && json_get (annotations, OCIGATE_REWRITE_ANNOTATION))
        {
          json_object_object_del (annotations, OCIGATE_REWRITE_ANNOTATION);
          *changed = true;
        }
      return 0;
    }
  if (annotations && !is_object && !json_object_is_type (annotations, json_type_null))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "annotations: must be an object, not %s",
                               json_type_label (annotations));
  if (!is_object)
    {
      annotations = json_object_new_object ();
      json_object_object_add (root, "annotations", annotations);
    }
  json_object_object_add (annotations, OCIGATE_REWRITE_ANNOTATION, json_object_new_string (rewrote));
  *changed = true;
  return 0;
}

void
gate_result_release (struct gate_result *r)
{
  free (r->rewrote);
  fix_notes_release (&r->changes);
  verdict_release (&r->verdict);
  free (r->error);
  free (r->refusal);
  free (r->log_line);
  free (r->log_error);
  oci_config_free (r->own_config);
  policy_free (r->own_policy);
  *r = (struct gate_result){ 0 };
}
