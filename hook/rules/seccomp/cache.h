/* ocigate: what libseccomp made of a seccomp profile, kept so that the same
 * profile is built once, not on every container start.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_SECCOMP_CACHE_H
#define OCIGATE_SECCOMP_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the judge said of a system call number, kept with the program:
 * -1 not judged yet, else the judge's verdict (opaque to the cache). */
#define SECCOMP_CACHE_VERDICTS 1024

/* The outcome of one build: where libseccomp stopped (opaque to the cache)
 * and, when it finished, the BPF program it exported, with what the judge
 * said of it so far. */
struct seccomp_built
{
  uint32_t step;
  uint64_t i, k;
  int32_t rc;
  void *prog; /* owned; NULL when libseccomp did not finish */
  size_t len; /* bytes */
  signed char verdicts[SECCOMP_CACHE_VERDICTS];
};

/* Largest program kept: the kernel's limit of 4096 instructions. */
#define SECCOMP_CACHE_MAX_PROG ((size_t)4096 * 8)

/* Look up the build of a profile by its key (every input that decides the
 * program, as bytes).  true with *out filled (out->prog allocated) on a hit.
 * Looks in this process's memory, then in the cache directory: the
 * environment's OCIGATE_SECCOMP_CACHE (empty: no directory), else, for
 * root, /run/ocigate/seccomp (made 0700 when missing).  A directory or
 * file that is not the caller's alone (owner, mode), or a file that is
 * damaged, is a miss. */
bool seccomp_cache_get (const char *key, size_t key_len, struct seccomp_built *out);

/* Keep a build under its key, in memory and, when the directory can be
 * used, on disk, replacing what was kept under it (a build kept again
 * with more verdicts); failures to keep it are ignored (it is built
 * again). */
void seccomp_cache_put (const char *key, size_t key_len, const struct seccomp_built *b);

#endif
