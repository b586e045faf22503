/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "base/error.h"

#include <stdlib.h>
#include <string.h>

/* The functions themselves, not error.h's models of them for the analyzer. */
#undef ocigate_error_make
#undef ocigate_error_make_errno
#undef ocigate_error_prefix

static int
error_set (ocigate_error_t *err, int status, enum ocigate_error_kind kind, char *msg)
{
  if (err == NULL)
    {
      free (msg);
      return -1;
    }
  /* The first error wins: a second one would hide the cause. */
  if (*err != NULL)
    {
      free (msg);
      return -1;
    }
  struct ocigate_error_s *e = xzalloc (sizeof *e);
  e->status = status;
  e->kind = kind;
  e->msg = printable_line (msg);
  *err = e;
  return -1;
}

int
ocigate_error_make (ocigate_error_t *err, int status, enum ocigate_error_kind kind, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *msg = xvasprintf (fmt, ap);
  va_end (ap);
  return error_set (err, status, kind, msg);
}

int
ocigate_error_make_errno (ocigate_error_t *err, int status, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  cleanup_free char *msg = xvasprintf (fmt, ap);
  va_end (ap);
  return error_set (err, status, OCIGATE_ERR_INTERNAL, xasprintf ("%s: %s", msg, strerror (status)));
}

int
ocigate_error_prefix (ocigate_error_t *err, const char *fmt, ...)
{
  if (err == NULL || *err == NULL)
    return -1;
  va_list ap;
  va_start (ap, fmt);
  cleanup_free char *ctx = xvasprintf (fmt, ap);
  va_end (ap);
  char *msg = printable_line (xasprintf ("%s: %s", ctx, (*err)->msg));
  free ((*err)->msg);
  (*err)->msg = msg;
  return -1;
}

void
ocigate_error_free (ocigate_error_t *err)
{
  if (err == NULL || *err == NULL)
    return;
  free ((*err)->msg);
  free (*err);
  *err = NULL;
}
