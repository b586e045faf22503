/* ocigate setup runtimes: ocigate in the place of /usr/sbin/runc and
 * /usr/bin/crun themselves.  dpkg-divert moves each real binary aside
 * (runc.distrib, crun.distrib; package upgrades then install there too)
 * and a link to the wrapper takes its name, so every engine, flag and tool
 * that runs runc or crun by name passes the gate.  The wrapper finds the
 * real one in dpkg's diversions (gate/real_runtime.h).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/setup.h"
#include "gate/real_runtime.h"

struct diverted_runtime
{
  const char *path;
  const char *divert_to;
  const char *wrapper;
};

static const struct diverted_runtime diverted_runtimes[] = {
  { "/usr/sbin/runc", "/usr/sbin/runc.distrib", "ocigate-runc" },
  { "/usr/bin/crun", "/usr/bin/crun.distrib", "ocigate-crun" },
};

/* What ROOT/path is: *exists, and the target when it is a link. */
static int
look_at (const struct setup_ctx *ctx, const char *path, bool *exists, char **link, ocigate_error_t *err)
{
  cleanup_free char *at = NULL;
  struct stat st;
  *exists = false;
  *link = NULL;
  if (setup_at (ctx, path + 1, false, &at, err) < 0)
    return ocigate_error_prefix (err, "runtimes");
  if (lstat (at, &st) < 0)
    return errno == ENOENT ? 0 : ocigate_error_make_errno (err, errno, "runtimes: lstat %s", at);
  *exists = true;
  if (!S_ISLNK (st.st_mode))
    return 0;
  char target[PATH_MAX];
  ssize_t n = readlink (at, target, sizeof target - 1);
  if (n < 0)
    return ocigate_error_make_errno (err, errno, "runtimes: readlink %s", at);
  *link = xstrndup (target, (size_t)n);
  return 0;
}

/* Plan rt's diversion and link, or nothing when they are there; *here
 * says whether rt is (or has been diverted already). */
static int
plan_runtime (struct setup_ctx *ctx, const struct diverted_runtime *rt, const char *diversions, bool *here,
              ocigate_error_t *err)
{
  cleanup_free char *link_to = xasprintf ("%s/%s", ctx->bindir, rt->wrapper);
  cleanup_free char *link = NULL;
  bool exists = false, has = false;
  if (look_at (ctx, rt->path, &exists, &link, err) < 0)
    return -1;
  struct dpkg_diversion d = { 0 };
  if (dpkg_diversion_lookup (diversions, false, rt->path, &d, &has, err) < 0)
    return ocigate_error_prefix (err, "runtimes");
  int r = 0;
  if (has && strcmp (d.package, SETUP_DPKG_PACKAGE) != 0)
    r = ocigate_error_make (err, 0, OCIGATE_ERR_INPUT,
                            "runtimes: %s is diverted to %s by %s already: ocigate cannot take its place (dpkg-divert "
                            "--list %s)",
                            rt->path, d.to, strcmp (d.package, ":") == 0 ? "a local diversion" : d.package, rt->path);
  else if (has && strcmp (d.to, rt->divert_to) != 0)
    r = ocigate_error_make (err, 0, OCIGATE_ERR_INPUT,
                            "runtimes: %s is diverted by ocigate to %s, not %s: remove that diversion first "
                            "(dpkg-divert --package ocigate --rename --remove %s)",
                            rt->path, d.to, rt->divert_to, rt->path);
  else if (has && exists && !(link && strcmp (link, link_to) == 0))
    r = ocigate_error_make (err, 0, OCIGATE_ERR_INPUT,
                            "runtimes: %s is diverted by ocigate, but is %s%s, not a link to %s: left as it is "
                            "(ocigate setup --undo runtimes takes back what setup made)",
                            rt->path, link ? "a link to " : "not a link", link ? link : "", link_to);
  dpkg_diversion_release (&d);
  if (r < 0)
    return -1;
  *here = has || exists;
  /* Diverted by ocigate: a missing link is made again. */
  if (has && !exists)
    setup_divert (ctx, "runtimes", rt->path, rt->divert_to, link_to, false);
  if (has || !exists)
    return 0;
  bool distrib_exists = false;
  cleanup_free char *distrib_link = NULL;
  if (look_at (ctx, rt->divert_to, &distrib_exists, &distrib_link, err) < 0)
    return -1;
  if (distrib_exists)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT,
                               "runtimes: %s exists, and dpkg-divert would move %s onto it: move it away first",
                               rt->divert_to, rt->path);
  setup_divert (ctx, "runtimes", rt->path, rt->divert_to, link_to, true);
  return 0;
}

static int
runtimes_plan (struct setup_ctx *ctx, ocigate_error_t *err)
{
  cleanup_free char *dpkg_divert = NULL, *diversions = NULL;
  if (setup_at (ctx, &SETUP_DPKG_DIVERT[1], true, &dpkg_divert, err) < 0
      || setup_at (ctx, &DPKG_DIVERSIONS[1], true, &diversions, err) < 0)
    return ocigate_error_prefix (err, "runtimes");
  if (access (dpkg_divert, X_OK) < 0)
    return ocigate_error_make_errno (
        err, errno, "runtimes: no dpkg-divert found (%s), so runc and crun cannot be diverted", dpkg_divert);
  bool any = false;
  for (size_t i = 0; i < ARRAY_SIZE (diverted_runtimes); i++)
    {
      bool here = false;
      if (plan_runtime (ctx, &diverted_runtimes[i], diversions, &here, err) < 0)
        return -1;
      any |= here;
    }
  if (!any)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT,
                               "runtimes: neither %s nor %s is here (under %s/): nothing to divert",
                               diverted_runtimes[0].path, diverted_runtimes[1].path, ctx->root);
  /* The wrapper the links lead to must be there: a link to nothing would
   * leave every engine without a runtime.  With --install it is this
   * binary, which setup_install() puts there before any link is made. */
  for (size_t i = 0; i < ctx->n_diverts && !ctx->install; i++)
    {
      cleanup_free char *wrapper = NULL;
      if (setup_at (ctx, ctx->diverts[i].link_to + 1, true, &wrapper, err) < 0)
        return ocigate_error_prefix (err, "runtimes");
      if (access (wrapper, X_OK) < 0)
        return ocigate_error_make_errno (err, errno,
                                         "runtimes: %s would become a link to %s, which cannot be run (%s); install "
                                         "ocigate there or name its directory with --bindir",
                                         ctx->diverts[i].path, ctx->diverts[i].link_to, wrapper);
    }
  if (ctx->n_diverts > 0)
    setup_note (ctx, "runtimes: every engine, flag and tool that runs runc or crun by name then runs ocigate's "
                     "wrapper, which runs the real one from where dpkg moved it; a root user can still run that path "
                     "directly (podman --runtime /usr/sbin/runc.distrib, ctr run --runc-binary "
                     "/usr/sbin/runc.distrib)");
  return 0;
}

static const char *const runtimes_binaries[] = { "usr/sbin/runc", "usr/bin/crun", NULL };

const struct setup_engine setup_engine_runtimes = {
  .name = "runtimes",
  .plan = runtimes_plan,
  .no_restart = "engines run runc and crun by name for each container",
  .binaries = runtimes_binaries,
  .needs = &SETUP_DPKG_DIVERT[1],
  .without_needs = "runc and crun cannot be diverted, so whoever runs them by name (docker run --runtime runc, ctr "
                   "run, podman --runtime runc) passes no gate",
};
