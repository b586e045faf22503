/* ocigate: the rule interface.
 *
 * A rule lives in one file and is listed once in rules/table.c.  It declares its
 * ID, the actions it supports and its default options (JSON); it parses its
 * options once when the policy loads, judges a config into findings, and,
 * if it supports "fix", rewrites the tree so those findings go away.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_RULE_H
#define OCIGATE_RULE_H

#include "core/config.h"
#include "base/error.h"
#include "core/engine_words.h"
#include "core/host.h"
#include "core/live.h"
#include "core/verdict.h"

struct rule_context
{
  struct oci_config *config;
  struct host_info *host;
  const char *id;     /* container ID when known (hook, wrapper, check --id) */
  const char *bundle; /* bundle directory when known */
  /* The container's process, once the runtime has made its namespaces and
   * mounts (the hook at prestart and createRuntime): the rules that judge
   * namespaces, mappings and mounts judge what it really has.  NULL when
   * only the description is judged. */
  struct live_process *live;
  /* Where apply() says what it changed (fix_notes_add()); NULL when
   * nobody asks (check). */
  struct fix_notes *notes;
};

/* The engine that wrote the config, for the words of a finding's remedy
 * (core/engine_words.h); read only when a finding is made. */
static inline enum engine_kind
rule_engine (const struct rule_context *ctx)
{
  return engine_detect (ctx->config, ctx->bundle);
}

/* Engine e's hint for a finding of shape h, or `config_words` when it has
 * none. */
static inline const char *
rule_hint (enum engine_kind e, enum engine_hint h, const char *config_words)
{
  const char *hint = engine_hint (e, h);
  return hint ? hint : config_words;
}

struct rule_setting;

/* Where in a policy file a rule's options sit, for error messages. */
struct policy_where
{
  const char *file;
  const char *text; /* the policy's bytes, to find line numbers */
  size_t text_len;
  const char *rule_id;
};

struct rule
{
  const char *id;
  const char *summary;         /* one line: what it checks */
  unsigned actions;            /* ACTION_MASK of what the policy may choose */
  const char *default_options; /* JSON object text, without "action" */

  /* `opts` holds the default options overlaid with the policy's; `where`
   * locates them for messages.  NULL when the rule has no options. */
  int (*parse_options) (json_object *opts, const struct policy_where *where, void **out, ocigate_error_t *err);
  void (*free_options) (void *opts);

  int (*evaluate) (const struct rule_context *ctx, const struct rule_setting *s, struct verdict *v,
                   ocigate_error_t *err);
  /* Only for rules that support "fix". */
  int (*apply) (struct rule_context *ctx, const struct rule_setting *s, ocigate_error_t *err);

  /* Only for rules that judge `runc update` (the wrapper): `update` is the
   * LinuxResources object the runtime will apply to the running container
   * ctx->config describes. */
  int (*evaluate_update) (const struct rule_context *ctx, const struct rule_setting *s, json_object *update,
                          struct verdict *v, ocigate_error_t *err);
  /* A config refused at precreate still reaches the runtime, with a hook
   * that refuses it at prestart.  When set, the members this rule's
   * findings point at are removed from that config first, because the
   * runtime acts on them before any hook runs. */
  bool disarm_refused;
  /* The same for a config refused without a verdict (the policy did not
   * load, or a rule could not judge the config): no finding says what to
   * remove, so everything the rule would judge goes.  Set with
   * disarm_refused. */
  void (*disarm_unjudged) (json_object *root);
};

/* The function a cleanup attribute calls for a rule's options struct while
 * parse_options fills it: RULE_OPTIONS_CLEANUP_FUNC (NAME, FREE) defines
 * cleanup_NAMEp (struct NAME **), which calls FREE on it; then
 * `#define cleanup_NAME __attribute__ ((cleanup (cleanup_NAMEp)))`. */
#define RULE_OPTIONS_CLEANUP_FUNC(name, free_fn)                                                                       \
  static inline void cleanup_##name##p (struct name **o)                                                               \
  {                                                                                                                    \
    free_fn (*o);                                                                                                      \
  }

struct rule_setting
{
  const struct rule *rule;
  enum action action;
  void *options;
  json_object *options_json; /* effective options, for `policy show` */
};

/* A policy error at rules.ID[.key[.index]]: "FILE:LINE: rules.ID.key: ...".
 * key may be NULL (the rule itself); index < 0 for none.  Returns -1. */
int policy_where_error (const struct policy_where *where, const char *key, long index, ocigate_error_t *err,
                        const char *fmt, ...) PRINTF_LIKE (5, 6);

/* Option helpers for parse_options: each fails with a message naming where. */
int rule_options_check_keys (json_object *opts, const struct policy_where *where, const char *const *allowed,
                             ocigate_error_t *err);
int rule_option_enum (json_object *opts, const char *key, const struct policy_where *where, const char *const *values,
                      int *out, ocigate_error_t *err);
int rule_option_caps (json_object *opts, const char *key, const struct policy_where *where, capmask_t *out,
                      ocigate_error_t *err);
int rule_option_bool (json_object *opts, const char *key, const struct policy_where *where, bool *out,
                      ocigate_error_t *err);
int rule_option_uint (json_object *opts, const char *key, const struct policy_where *where, uint64_t min, uint64_t max,
                      uint64_t *out, ocigate_error_t *err);

/* json-c's name of a value's type, "null" for NULL, for messages. */
const char *json_type_label (json_object *o);

#endif
