/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "core/runstate.h"

#include <stdlib.h>
#include <string.h>

#include "base/jsonio.h"
#include "core/config.h"

/* More labels than this is not a config runc converted. */
#define RUNSTATE_MAX_LABELS 4096

void
run_state_release (struct run_state *s)
{
  free (s->id);
  free (s->bundle);
  free (s->created);
  *s = (struct run_state){ 0 };
}

static const char *
type_name (json_object *v)
{
  return json_type_to_name (json_object_get_type (v));
}

/* o[key] as a string: absent is NULL (an error when required). */
static int
state_string (json_object *o, const char *key, bool required, const char *name, char **out, ocigate_error_t *err)
{
  json_object *v = json_get (o, key);
  if (v == NULL)
    {
      if (required)
        return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: \"%s\": missing", name, key);
      return 0;
    }
  if (!json_object_is_type (v, json_type_string))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: \"%s\": must be a string, not %s", name, key,
                               type_name (v));
  *out = xstrdup (json_object_get_string (v));
  return 0;
}

/* o[key] as an integer in [min, max]; absent leaves *out alone. */
static int
state_int (json_object *o, const char *key, bool required, int64_t min, int64_t max, const char *name, int64_t *out,
           ocigate_error_t *err)
{
  json_object *v = json_get (o, key);
  if (v == NULL)
    {
      if (required)
        return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: \"%s\": missing", name, key);
      return 0;
    }
  if (!json_object_is_type (v, json_type_int))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: \"%s\": must be an integer, not %s", name, key,
                               type_name (v));
  /* json-c clamps what does not fit an int64 to its ends, which the range
   * check then refuses as it should. */
  int64_t value = json_object_get_int64 (v);
  if (value < min || value > max)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: \"%s\": must be from %lld to %lld, not %s", name, key,
                               (long long)min, (long long)max, json_object_get_string (v));
  *out = value;
  return 0;
}

/* runc: the bundle is the label "bundle=DIR" of the converted config. */
static int
runc_bundle (json_object *state, const char *name, char **out, ocigate_error_t *err)
{
  json_object *config = json_get (state, "config");
  if (config == NULL)
    return 0;
  if (!json_object_is_type (config, json_type_object))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: \"config\": must be an object, not %s", name,
                               type_name (config));
  json_object *labels = json_get (config, "labels");
  if (labels == NULL || json_object_is_type (labels, json_type_null))
    return 0;
  if (!json_object_is_type (labels, json_type_array))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: \"config.labels\": must be an array, not %s", name,
                               type_name (labels));
  size_t n = json_object_array_length (labels);
  if (n > RUNSTATE_MAX_LABELS)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: \"config.labels\": more than %d entries", name,
                               RUNSTATE_MAX_LABELS);
  for (size_t i = 0; i < n; i++)
    {
      json_object *l = json_object_array_get_idx (labels, i);
      if (!json_object_is_type (l, json_type_string))
        return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: \"config.labels[%zu]\": must be a string, not %s",
                                   name, i, type_name (l));
      const char *s = json_object_get_string (l);
      /* runc appends it last; a config's own label of that name comes
       * first and is not the bundle. */
      if (strncmp (s, "bundle=", 7) == 0 && s[7] != '\0')
        {
          free (*out);
          *out = xstrdup (s + 7);
        }
    }
  return 0;
}

int
run_state_parse (enum run_runtime runtime, const char *buf, size_t len, const char *name, struct run_state *out,
                 ocigate_error_t *err)
{
  *out = (struct run_state){ .runtime = runtime };
  cleanup_json json_object *state = NULL;
  if (json_parse_untrusted (buf, len, name, &state, err) < 0)
    return -1;
  if (!json_object_is_type (state, json_type_object))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: must be an object", name);
  bool runc = runtime == RUN_RUNC;
  int64_t pid = 0, start = 0;
  if (state_int (state, runc ? "init_process_pid" : "pid", true, 1, INT32_MAX, name, &pid, err) < 0
      || state_int (state, runc ? "init_process_start" : "process-start-time", false, 0, INT64_MAX, name, &start, err)
             < 0
      || state_string (state, "created", false, name, &out->created, err) < 0)
    return -1;
  if (runc)
    {
      if (state_string (state, "id", true, name, &out->id, err) < 0 || runc_bundle (state, name, &out->bundle, err) < 0)
        return -1;
    }
  else if (state_string (state, "bundle", true, name, &out->bundle, err) < 0)
    return -1;
  if (out->bundle && out->bundle[0] != '/')
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: the bundle must be an absolute path, not \"%s\"", name,
                               out->bundle);
  out->pid = (pid_t)pid;
  out->start_time = (uint64_t)start;
  return 0;
}

int
run_state_read (enum run_runtime runtime, const char *dir, struct run_state *out, ocigate_error_t *err)
{
  *out = (struct run_state){ .runtime = runtime };
  cleanup_free char *path = xasprintf ("%s/%s", dir, runtime == RUN_RUNC ? RUNSTATE_RUNC_FILE : RUNSTATE_CRUN_FILE);
  cleanup_free char *buf = NULL;
  size_t len = 0;
  if (read_file_limited (path, RUNSTATE_MAX_BYTES, &buf, &len, err) < 0)
    return -1;
  return run_state_parse (runtime, buf, len, path, out, err);
}
