/* ocigate: replacing a file without ever exposing a partial one.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_FSUTIL_H
#define OCIGATE_FSUTIL_H

#include "error.h"

/* Write data to a temp file in path's directory (unnamed until it is whole,
 * where the filesystem has O_TMPFILE), give it path's mode and owner (0644
 * and the caller's when path is new), fsync, rename over path, fsync the
 * directory.  A failure leaves path as it was, and no temp file. */
int write_file_atomic (const char *path, const char *data, size_t len, ocigate_error_t *err);

/* write(2) all of data, retrying short writes and EINTR. */
int write_all (int fd, const char *data, size_t len);

#endif
