/* ocigate: replacing a file without ever exposing a partial one.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_FSUTIL_H
#define OCIGATE_FSUTIL_H

#include <stdbool.h>
#include <sys/types.h>

#include "base/error.h"

/* Write data to a temp file in path's directory (unnamed until it is whole,
 * where the filesystem has O_TMPFILE), give it path's mode and owner (0644
 * and the caller's when path is new), fsync, rename over path, fsync the
 * directory.  A failure leaves path as it was, and no temp file. */
int write_file_atomic (const char *path, const char *data, size_t len, ocigate_error_t *err);

/* The same with the given mode and, run as root, owner, whatever path held:
 * a program put in place. */
int write_file_atomic_as (const char *path, const char *data, size_t len, mode_t mode, uid_t uid, gid_t gid,
                          ocigate_error_t *err);

/* Make path a symbolic link to target, replacing what is there: a link
 * under a temporary name beside it, renamed over it. */
int symlink_atomic (const char *target, const char *path, ocigate_error_t *err);

/* Relaxations of trust_check() for a bundle's config. */
struct trust_rules
{
  /* A directory on the way that passes and that neither its group nor
   * others may search (0700) ends the check: nobody else can reach what is
   * below it by a path, whoever owns that. */
  bool closed_ok;
  /* One more owner to accept, or (uid_t)-1: the host UID of the
   * container's own root, to which Podman gives the bundle directory of a
   * container in a user namespace.  That user is the container's root,
   * which cannot reach the host's path to its bundle (a host user holding
   * that UID in a subordinate range could: README says so). */
  uid_t also_owner;
};

/* StrictModes, as sshd's: the file at path (fstat of fd when fd >= 0), the
 * directory it really sits in and every directory above must belong to
 * root or to the user ocigate runs as, and nobody else may write them
 * (above the file's own directory a sticky shared one such as /tmp is
 * fine).  When path is a symbolic link, the directory of the link is held
 * to the same.  Whoever could write or rename one of them could swap the
 * file between ocigate's reading and its use.  rules may be NULL (no
 * relaxation).  Errors read "LABEL PATH: the file is writable by its group
 * (mode 0664); chmod go-w PATH" with the given kind. */
int trust_check (int fd, const char *path, const char *label, const struct trust_rules *rules,
                 enum ocigate_error_kind kind, ocigate_error_t *err);

/* The same for a directory at path: every directory above it and every
 * link on the way, and with `itself` the directory too (whoever may write
 * it may make or replace a name in it).  Errors read "LABEL PATH: ...". */
int trust_check_dir (const char *path, bool itself, const char *label, const struct trust_rules *rules,
                     enum ocigate_error_kind kind, ocigate_error_t *err);

/* write(2) all of data, retrying short writes and EINTR. */
/* path as the host whose root directory is root sees it, for a program
 * that is not chrooted there (an installer with the host's / mounted at
 * /host): each symbolic link met is followed under root, an absolute
 * target from root and ".." never above it, as the kernel would in a
 * chroot; the last one only when follow_last.  root "" is the real root.
 * *out is root followed by a path without links (but the last).  A part
 * that does not exist ends the walk: the rest is taken as written. */
int path_in_root (const char *root, const char *path, bool follow_last, char **out, ocigate_error_t *err);

int write_all (int fd, const char *data, size_t len);

#endif
