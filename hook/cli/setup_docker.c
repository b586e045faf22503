/* ocigate setup docker: ocigate-runc as dockerd's default runtime, merged
 * into /etc/docker/daemon.json; --userns adds "userns-remap": "default".
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "cli/setup.h"
#include "base/jsonio.h"

#define DAEMON_JSON "etc/docker/daemon.json"
#define RUNTIME "ocigate-runc"

/* Set o[key] to the string value; true when that changed anything. */
static bool
set_string (json_object *o, const char *key, const char *value)
{
  const char *now = setup_json_string (o, key);
  if (now && strcmp (now, value) == 0)
    return false;
  json_object_object_add (o, key, json_object_new_string (value));
  return true;
}

static int
docker_plan (struct setup_ctx *ctx, ocigate_error_t *err)
{
  cleanup_free char *old = NULL;
  cleanup_free char *path = setup_path (ctx, DAEMON_JSON);
  size_t len = 0;
  bool exists = false;
  if (setup_read (ctx, DAEMON_JSON, &old, &len, &exists, err) < 0)
    return -1;
  cleanup_json json_object *root = NULL;
  /* dockerd reads an empty file as no settings. */
  if (exists && strspn (old, " \t\r\n") < len)
    {
      if (json_parse_untrusted (old, len, path, &root, err) < 0)
        return ocigate_error_prefix (err, "docker");
      if (!json_object_is_type (root, json_type_object))
        return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "docker: %s: not a JSON object", path);
    }
  else
    root = json_object_new_object ();
  bool changed = !exists;

  json_object *runtimes = NULL;
  if (!json_object_object_get_ex (root, "runtimes", &runtimes))
    {
      runtimes = json_object_new_object ();
      json_object_object_add (root, "runtimes", runtimes);
    }
  if (!json_object_is_type (runtimes, json_type_object))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "docker: %s: runtimes: not a JSON object", path);
  json_object *ours = NULL;
  if (!json_object_object_get_ex (runtimes, RUNTIME, &ours) || !json_object_is_type (ours, json_type_object))
    {
      ours = json_object_new_object ();
      json_object_object_add (runtimes, RUNTIME, ours);
      changed = true;
    }
  cleanup_free char *wrapper = xasprintf ("%s/ocigate-runc", ctx->bindir);
  changed |= set_string (ours, "path", wrapper);

  const char *previous = setup_json_string (root, "default-runtime");
  if (previous && strcmp (previous, RUNTIME) != 0)
    setup_note (ctx,
                "docker: default-runtime was \"%s\"; it becomes \"" RUNTIME "\" (runc behind the gate); "
                "ocigate setup --undo docker gives the file back as it was",
                previous);
  changed |= set_string (root, "default-runtime", RUNTIME);

  if (ctx->userns && setup_json_string (root, "userns-remap") == NULL)
    {
      const char *data_root = setup_json_string (root, "data-root");
      setup_note (ctx,
                  "docker: --userns sets \"userns-remap\": \"default\".  When dockerd restarts with it, Docker keeps "
                  "its images and containers in %s/100000.100000 (named after the dockremap user's subordinate "
                  "range): the images and containers it has now seem to vanish until userns-remap is removed "
                  "again.  Running containers stop with the restart, and SIGHUP does not apply userns-remap: only a "
                  "restart does",
                  data_root ? data_root : "/var/lib/docker");
      json_object_object_add (root, "userns-remap", json_object_new_string ("default"));
      ctx->needs_restart = true;
      changed = true;
    }
  if (!changed)
    return 0;
  char *text = xasprintf ("%s\n", json_to_text (root));
  setup_put (ctx, "docker", DAEMON_JSON, text, strlen (text));
  return 0;
}

static const char *const docker_pid_files[] = { "run/docker.pid", "var/run/docker.pid", NULL };

static const char *const docker_binaries[] = { "usr/sbin/dockerd", "usr/bin/dockerd", NULL };

const struct setup_engine setup_engine_docker = {
  .name = "docker",
  .plan = docker_plan,
  .binaries = docker_binaries,
  .restart = "systemctl restart docker",
  .pid_files = docker_pid_files,
  .daemon = "dockerd",
};
