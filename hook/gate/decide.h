/* ocigate: one decision, from a policy and a config to what an integration
 * point does, for every front end: the hook, the wrapper runtime, check and
 * fix.  The chain is written here once:
 *
 *   policy (its trust check) -> config.json (the check that nobody else can
 *   swap it) -> the front end's own step (an exec's process) -> the rules
 *   -> the outcome here -> the fixes, and where they go -> the refusal text
 *   -> the decision log
 *
 * Fail closed: a decision that cannot be judged is a refusal that says why,
 * logged like any other.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_DECIDE_H
#define OCIGATE_DECIDE_H

#include "gate/gate.h"

/* Whether a decision is a dry run (the policy's "mode" or --dry-run). */
enum gate_dry_run
{
  GATE_DRY_RUN_POLICY, /* as the policy's mode says */
  GATE_DRY_RUN_ON,     /* --dry-run: every container starts unchanged */
  GATE_DRY_RUN_NEVER,  /* check and fix: the verdict as it is, whatever the mode */
};

/* What becomes of the decision log's record. */
enum gate_log_mode
{
  GATE_LOG_NONE,           /* none is made (check, fix) */
  GATE_LOG_RECORD,         /* made, in the result, and not written */
  GATE_LOG_WRITE,          /* made and written (gate_log()): the hook and the wrapper */
  GATE_LOG_WRITE_REFUSAL,  /* written only for a refusal: the verification
                              of what the wrapper judged and logged already */
  GATE_LOG_WRITE_UNMARKED, /* written unless the config carries the precreate
                              hook's mark (decision_log.h) with this very
                              decision and it is no refusal: a hook after
                              the precreate hook that logged it */
};

/* Where the config comes from (struct gate_config_source). */
enum gate_config_from
{
  GATE_CONFIG_LOADED,
  GATE_CONFIG_FILE,
  GATE_CONFIG_TEXT,
};

/* The step of the chain that failed (gate_result.failed). */
enum gate_step
{
  GATE_STEP_NONE, /* none: judged */
  GATE_STEP_POLICY,
  GATE_STEP_CONFIG, /* loading it, or its trust check */
  GATE_STEP_PREPARE,
  GATE_STEP_JUDGE,
  GATE_STEP_FIX,
  GATE_STEP_COMMIT,
  GATE_STEP_INPUT, /* the front end's own input (gate_refuse()) */
};

/* A policy: `loaded` (lent) when set, else the file at `path` (NULL:
 * /etc/ocigate/policy.json if present, else the embedded one), which with
 * `trusted` must belong to root and be writable by nobody else. */
struct gate_policy_source
{
  const struct policy *loaded;
  const char *path;
  bool trusted;
};

/* A config: `loaded` (lent; judged and rewritten in place), or the file
 * at `path`, which with `trusted` is refused when another user could swap
 * it before the runtime reads it again, or `len` bytes at `text`, called
 * `name` in messages. */
struct gate_config_source
{
  enum gate_config_from from;
  struct oci_config *loaded;
  const char *path;
  bool trusted;
  const char *text;
  size_t len;
  const char *name;
};

struct gate_request
{
  /* The integration point. */
  const char *where; /* "hook prestart", "ocigate-runc create", ... */
  bool can_rewrite;  /* precreate, the wrapper's create/run, check, fix */
  /* The config is handed on to the runtime (precreate, the wrapper's
   * create/run): its OCIGATE_REWRITE_ANNOTATION is set to what the fixes
   * changed, or removed when they changed nothing, before commit. */
  bool annotate;
  const char *cannot_rewrite; /* what to do instead, when it cannot */
  enum gate_dry_run dry_run;

  struct gate_policy_source policy;
  struct gate_config_source config;

  /* What the policy's exceptions match on. */
  const char *id;
  const char *bundle;

  /* With an update (`runc update`: the LinuxResources the runtime will
   * apply, lent), the rules that judge updates judge it, not the config. */
  json_object *update;

  /* The front end's own steps, both optional, given `data`.
   * prepare: once the config is loaded (and trusted), turn it into what is
   * judged (the wrapper's exec puts the process it adds in the
   * container's); it may set *update (owned by gate_decide from then on;
   * it replaces `update`) for an update the front end reads only once the
   * config is known.
   * commit: when the outcome is a rewrite, once the fixes are made, put the
   * rewritten config where the runtime reads it; its failure refuses, and
   * is what the log records. */
  int (*prepare) (void *data, struct oci_config *cfg, json_object **update, ocigate_error_t *err);
  /* commit also when the outcome is allow: prepare changed the config
   * (the wrapper adds its verification hook). */
  bool commit_always;
  int (*commit) (void *data, const struct oci_config *cfg, ocigate_error_t *err);
  void *data;

  /* The container's init process, once the runtime has made its
   * namespaces and mounts (the OCI state's pid at prestart and
   * createRuntime); 0 when there is none.  The rules then judge what it
   * really has (core/live.h). */
  pid_t live_pid;
  /* The process runs in its root file system already (a running container,
   * `ocigate audit`), not waiting for the hooks (live_process.in_root). */
  bool live_in_root;
  /* The host facts the rules read, lent (check keeps one for all its
   * configs); NULL: the decision reads its own. */
  struct host_info *host;

  enum gate_log_mode log;
  /* The precreate hook hands a refused config back to the runtime, disarmed
   * of what its findings point at, even when it could not be judged: the
   * log then lists the findings made before the error too. */
  bool log_findings_on_error;
};

struct gate_result
{
  enum gate_outcome outcome;
  enum gate_step failed;       /* GATE_STEP_NONE when judged */
  struct verdict verdict;      /* the findings; those made before an error too */
  const struct policy *policy; /* judged by; NULL when it did not load */
  struct oci_config *config;   /* judged, and rewritten when the outcome is
                                  GATE_REWRITE; NULL when it did not load */
  char *error;                 /* why it could not be judged, or NULL */
  char *refusal;               /* when refused: what to print, lines ending in \n */
  char *rewrote;               /* when the fixes were made: what they changed, one
                                  line (fix_notes_join()), or NULL */
  struct fix_notes changes;    /* the same, one "RULE: WHAT" per change, whole */
  bool annotation_removed;     /* with req->annotate: the config came with
                                  OCIGATE_REWRITE_ANNOTATION and nothing was
                                  rewritten, so the config changed anyway */
  char *log_line;              /* the decision log's record, or NULL (not asked
                                  for, or a plain allow, which is not logged) */
  char *log_error;             /* the log could not be written; the decision stands */

  struct policy *own_policy; /* what the result owns of the above */
  struct oci_config *own_config;
};

/* Decide req into out, which it initialises and the caller releases
 * (gate_result_release) whatever the return.  0 when judged; -1 when it
 * could not be: err says why and out is a refusal all the same (outcome
 * GATE_REFUSE, error, refusal, logged as asked). */
int gate_decide (const struct gate_request *req, struct gate_result *out, ocigate_error_t *err);

/* The refusal of a request the front end could not bring to gate_decide:
 * its own input (the OCI state, the runtime's argv, the bundle of the
 * container an exec joins) failed with `error`.  out as gate_decide leaves
 * it when it cannot judge; req->policy.loaded, when set, is what the log
 * names (no policy is loaded). */
void gate_refuse (const struct gate_request *req, const char *error, struct gate_result *out);

/* The policy step of gate_decide alone (src->loaded is not looked at), for
 * a front end that needs the policy before it has a config, and then lends
 * it (req->policy.loaded): check judges many configs by one policy, fix
 * reports the policy's error before the config's, the wrapper runs the
 * runtime the policy names; and `policy show` shows it. */
int gate_load_policy (const struct gate_policy_source *src, struct policy **out, ocigate_error_t *err);

/* Set the config's OCIGATE_REWRITE_ANNOTATION to `rewrote`, or, when it is
 * NULL, remove it; *changed tells whether the tree changed.  Whatever the
 * config had there was written by whoever made it, not by ocigate.
 * -1 when annotations is neither absent, null nor an object. */
int gate_annotate (json_object *root, const char *rewrote, bool *changed, ocigate_error_t *err);

void gate_result_release (struct gate_result *r);
#define cleanup_gate_result __attribute__ ((cleanup (gate_result_release)))

#endif
