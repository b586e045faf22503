/* ocigate: host paths as the kernel would find them, for the rules that
 * judge paths (mounts, devices, maskedPaths).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_PATHUTIL_H
#define OCIGATE_PATHUTIL_H

#include "core/rule.h"

/* Resolution follows at most this many symbolic links, as the kernel's
 * MAXSYMLINKS; past it the rest of the path is taken as written. */
#define PATHUTIL_MAX_SYMLINKS 40

/* An absolute path with "//", "." and trailing slashes removed and ".."
 * applied ("/.." is "/"); no file system access.  A relative path is
 * taken from "/". */
char *path_normalize (const char *path);

/* What one judgement may spend on lstat(2): a few dozen
 * for a real config, and a bound on what a crafted one ("/etc/.." a
 * million times) can make ocigate do. */
#define PATHUTIL_LOOKUP_BUDGET 16384

/* An absolute path resolved on this host as realpath(3) would, symbolic
 * links included, except that a missing path is no failure: from the
 * first component that does not exist (or cannot be looked up) on, the
 * path is taken lexically, and resolution resumes if ".." leads back to
 * what exists.  A relative path is taken from "/" (callers join it to a
 * base first).  Only lstat(2) and readlink(2): nothing is opened.  Each
 * lstat(2) takes one from *budget; NULL when it runs out. */
char *path_resolve (const char *path, size_t *budget);

/* Whether `path` is `dir` or lies below it (both normalised). */
bool path_is_within (const char *path, const char *dir);
/* The same with both lengths known (a caller comparing many pairs). */
bool path_is_within_len (const char *path, size_t path_len, const char *dir, size_t dir_len);

/* A policy option that is an array of absolute paths (at most `max`),
 * each normalised; *out is a NULL-terminated list (free with
 * cleanup_strv), also when the array is empty. */
int rule_option_paths (json_object *opts, const char *key, const struct policy_where *where, size_t max, char ***out,
                       size_t *n, ocigate_error_t *err);

/* Whether the container's /sys is writable: the last mount at /sys, which
 * is what the container sees, has no "ro" option.  --privileged makes it
 * so, in every engine. */
bool sysfs_writable (const struct oci_config *cfg);

#endif
