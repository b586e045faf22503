/* ocigate setup podman: ocigate-runc as Podman's runtime, in a
 * containers.conf.d file of its own; --userns gives every container a
 * user namespace of its own (userns = "auto"), from the subordinate
 * ranges of the user "containers".
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/setup.h"

#define CONF "etc/containers/containers.conf.d/50-ocigate.conf"
#define SUBID_USER "containers"
#define SUBID_COUNT 65536
#define SUBID_MIN 100000

static const char *const subid_files[] = { "etc/subuid", "etc/subgid" };

/* What `containers` needs in etc/subuid and etc/subgid: one START for
 * both, clear of every range of either file and of every account. */
static int
plan_subids (struct setup_ctx *ctx, ocigate_error_t *err)
{
  static const char *const account_files[] = { "etc/passwd", "etc/group" };
  cleanup_free struct setup_id_range *taken = NULL;
  size_t n = 0;
  char *texts[2] = { NULL, NULL };
  size_t lens[2] = { 0, 0 };
  bool has[2] = { false, false };
  int r = 0;
  for (size_t i = 0; i < 4 && r == 0; i++)
    {
      cleanup_free char *text = NULL;
      size_t len = 0;
      bool exists = false;
      const char *rel = i < 2 ? subid_files[i] : account_files[i - 2];
      r = setup_read (ctx, rel, &text, &len, &exists, err);
      if (r < 0 || !exists)
        continue;
      if (i < 2)
        {
          setup_subid_ranges (text, len, SUBID_USER, &taken, &n, &has[i]);
          texts[i] = steal_pointer (&text);
          lens[i] = len;
        }
      else
        setup_account_ids (text, len, &taken, &n);
    }
  uint64_t start = 0;
  if (r == 0 && !(has[0] && has[1]) && setup_pick_range (taken, n, SUBID_MIN, SUBID_COUNT, &start) < 0)
    r = ocigate_error_make (err, 0, OCIGATE_ERR_INPUT,
                            "podman: no free range of %d IDs for the user " SUBID_USER " in %s/etc/subuid and "
                            "%s/etc/subgid",
                            SUBID_COUNT, ctx->root, ctx->root);
  for (size_t i = 0; i < 2 && r == 0; i++)
    {
      if (has[i])
        continue;
      struct strbuf sb = { 0 };
      strbuf_append_mem (&sb, texts[i] ? texts[i] : "", lens[i]);
      if (lens[i] > 0 && texts[i][lens[i] - 1] != '\n')
        strbuf_append (&sb, "\n");
      strbuf_appendf (&sb, SUBID_USER ":%" PRIu64 ":%d\n", start, SUBID_COUNT);
      size_t len = sb.len;
      setup_put (ctx, "podman", subid_files[i], strbuf_steal (&sb), len);
    }
  free (texts[0]);
  free (texts[1]);
  return r;
}

static int
podman_plan (struct setup_ctx *ctx, ocigate_error_t *err)
{
  struct strbuf sb = { 0 };
  strbuf_append (&sb, "# Written by `ocigate setup podman`; `ocigate setup --undo podman` removes it.\n"
                      "# Every podman run, exec and update goes through ocigate-runc, which judges it.\n");
  if (ctx->userns)
    strbuf_append (&sb, "\n[containers]\nuserns = \"auto\"\n");
  strbuf_appendf (&sb,
                  "\n[engine]\nruntime = \"ocigate-runc\"\n"
                  "\n[engine.runtimes]\nocigate-runc = [\"%s/ocigate-runc\"]\nocigate-crun = [\"%s/ocigate-crun\"]\n",
                  ctx->bindir, ctx->bindir);
  size_t len = sb.len;
  setup_put (ctx, "podman", CONF, strbuf_steal (&sb), len);
  setup_note (ctx, "podman: the hooks.d files alone cannot judge `podman exec` (no hook runs for an exec); with "
                   "ocigate-runc as the runtime, podman run, exec and update are judged");
  if (ctx->userns)
    return plan_subids (ctx, err);
  return 0;
}

static const char *const podman_binaries[] = { "usr/bin/podman", NULL };

const struct setup_engine setup_engine_podman = {
  .name = "podman",
  .plan = podman_plan,
  .binaries = podman_binaries,
  .no_restart = "each podman command reads its configuration",
};
