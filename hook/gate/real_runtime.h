/* Which runtime the wrapper runs: the policy's runtime.runc or
 * runtime.crun, unless that path is ocigate itself (`ocigate setup
 * runtimes` put the wrapper in runc's place with dpkg-divert), in which
 * case the real one is where dpkg diverted it to.  The wrapper never runs
 * itself: a path that leads back to it with no diversion is an error.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_REAL_RUNTIME_H
#define OCIGATE_REAL_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

/* dpkg's database of diversions (dpkg-divert(1)), read directly: the
 * wrapper does not run dpkg-divert on every container start. */
#define DPKG_DIVERSIONS "/var/lib/dpkg/diversions"
/* Larger than any real one (Debian's has a few dozen entries). */
#define DPKG_DIVERSIONS_MAX_BYTES (4u << 20)

/* One diversion: `from` is moved aside to `to` by `package` (":" for a
 * local diversion, dpkg-divert --local). */
struct dpkg_diversion
{
  char *from;
  char *to;
  char *package;
};

/* The text of a diversions file: three lines an entry (from, to, package),
 * each from and to an absolute path.  A file cut short, an empty line, a
 * NUL byte or a path that is not absolute is an error that names the
 * file (`name`) and the line. */
int dpkg_diversions_parse (const char *text, size_t len, const char *name, struct dpkg_diversion **out, size_t *n_out,
                           ocigate_error_t *err);
void dpkg_diversions_free (struct dpkg_diversion *v, size_t n);

/* The diversion of `from` in the diversions file at `path`: *found false
 * when there is none (or no file at all).  The file is held to
 * trust_check() when `trusted`: it decides what runs as root. */
int dpkg_diversion_lookup (const char *path, bool trusted, const char *from, struct dpkg_diversion *found, bool *has,
                           ocigate_error_t *err);
void dpkg_diversion_release (struct dpkg_diversion *d);

/* The runtime to run for `configured`, the policy's runtime.NAME (NAME
 * "runc" or "crun", for messages): `configured` itself when it is not this
 * binary (the device and inode of /proc/self/exe), else its diversion in
 * the file `diversions` (DPKG_DIVERSIONS but in tests).  An error when that
 * is this binary too, absent, or there is no diversion: the wrapper would
 * run itself.  A configured path that cannot be looked at is returned as
 * it is: running it fails and says so. */
int real_runtime_resolve (const char *configured, const char *name, const char *diversions, char **real,
                          ocigate_error_t *err);

#endif
