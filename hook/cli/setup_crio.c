/* ocigate setup crio: ocigate-runc as CRI-O's default runtime, in a
 * crio.conf.d file of its own (crio.conf(5): [crio.runtime]
 * default_runtime names a [crio.runtime.runtimes.NAME] table).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "cli/setup.h"

#define CONF "etc/crio/crio.conf.d/50-ocigate.conf"

static int
crio_plan (struct setup_ctx *ctx, ocigate_error_t *err UNUSED)
{
  char *text = xasprintf ("# Written by `ocigate setup crio`; `ocigate setup --undo crio` removes it.\n"
                          "[crio.runtime]\n"
                          "default_runtime = \"ocigate-runc\"\n"
                          "\n[crio.runtime.runtimes.ocigate-runc]\n"
                          "runtime_path = \"%s/ocigate-runc\"\n"
                          "runtime_type = \"oci\"\n"
                          "runtime_root = \"/run/runc\"\n",
                          ctx->bindir);
  setup_put (ctx, "crio", CONF, text, strlen (text));
  return 0;
}

static const char *const crio_binaries[] = { "usr/bin/crio", "usr/local/bin/crio", NULL };

const struct setup_engine setup_engine_crio = {
  .name = "crio",
  .plan = crio_plan,
  .binaries = crio_binaries,
  .restart = "systemctl restart crio",
};
