/* ocigate: the one error convention.
 *
 * A function that can fail returns a negative int (or NULL) and fills
 * `ocigate_error_t *err` with the errno captured at the failure site (0 when
 * the failure is not a system call's) and an allocated message.  Callers add
 * context with ocigate_error_prefix() and pass it up; only the front ends
 * in hook/cli/ print.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_ERROR_H
#define OCIGATE_ERROR_H

#include "base/util.h"

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

#ifdef __clang_analyzer__
/* For clang's static analyzer (make lint), which sees one file at a time:
 * what the comments above promise, so it does not follow paths that cannot
 * happen.  These return -1, and the first two leave an error in *err. */
static inline int
ocigate_error_failed_ (ocigate_error_t *err, int r UNUSED)
{
  if (err != NULL && *err == NULL)
    __builtin_unreachable ();
  return -1;
}
static inline int
ocigate_error_prefixed_ (int r UNUSED)
{
  return -1;
}
#define ocigate_error_make(err, ...) ocigate_error_failed_ (err, ocigate_error_make (err, __VA_ARGS__))
#define ocigate_error_make_errno(err, ...) ocigate_error_failed_ (err, ocigate_error_make_errno (err, __VA_ARGS__))
#define ocigate_error_prefix(...) ocigate_error_prefixed_ (ocigate_error_prefix (__VA_ARGS__))
#endif

#endif
