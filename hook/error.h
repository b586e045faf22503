/* ocigate: the one error convention.
 *
 * A function that can fail returns a negative int (or NULL) and fills
 * `ocigate_error_t *err` with the errno captured at the failure site (0 when
 * the failure is not a system call's) and an allocated message.  Callers add
 * context with ocigate_error_prefix() and pass it up; only main() prints.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_ERROR_H
#define OCIGATE_ERROR_H

#include "util.h"

/* Why an input could not be judged, for the exit code and JSON output. */
enum ocigate_error_kind
{
  OCIGATE_ERR_INTERNAL = 0, /* a system call or invariant failed */
  OCIGATE_ERR_INPUT,        /* the config or state is malformed */
  OCIGATE_ERR_POLICY,       /* the policy file is malformed or unsafe */
  OCIGATE_ERR_USAGE,        /* bad command line */
};

struct ocigate_error_s
{
  int status; /* errno, or 0 */
  enum ocigate_error_kind kind;
  char *msg;
};
typedef struct ocigate_error_s *ocigate_error_t;

/* Always return -1 so callers can `return ocigate_error_make (...)`. */
int ocigate_error_make (ocigate_error_t *err, int status, enum ocigate_error_kind kind, const char *fmt, ...)
    PRINTF_LIKE (4, 5);
/* Same, with strerror(status) appended after ": ". */
int ocigate_error_make_errno (ocigate_error_t *err, int status, const char *fmt, ...) PRINTF_LIKE (3, 4);
/* Prepend "context: " to the message; returns -1. */
int ocigate_error_prefix (ocigate_error_t *err, const char *fmt, ...) PRINTF_LIKE (2, 3);
void ocigate_error_free (ocigate_error_t *err);

#define cleanup_error __attribute__ ((cleanup (ocigate_error_free)))

#endif
