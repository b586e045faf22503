/* Shared by the ocigate fuzz targets: invariant checks that abort, so
 * libFuzzer keeps the input.  Public API only (the headers in hook/).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_FUZZ_COMMON_H
#define OCIGATE_FUZZ_COMMON_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/jsonio.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

static void fuzz_fail (const char *fmt, ...) __attribute__ ((noreturn, format (printf, 1, 2)));

/* An invariant broke: say which, and abort so the input is kept. */
static void
fuzz_fail (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  fputs ("ocigate fuzz: invariant broken: ", stderr);
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
  va_end (ap);
  abort ();
}

/* A failing call must leave an error with a message; a succeeding one none. */
static inline void
fuzz_check_error (int r, ocigate_error_t err, const char *what)
{
  if (r < 0 && (err == NULL || err->msg == NULL))
    fuzz_fail ("%s failed without an error message", what);
  if (r == 0 && err != NULL)
    fuzz_fail ("%s succeeded but left an error: %s", what, err->msg);
  if (r != 0 && r != -1)
    fuzz_fail ("%s returned %d (0 or -1 expected)", what, r);
}

/* Text ocigate emits as JSON (one line, maybe a trailing newline) must read
 * back as strict JSON. */
static inline void
fuzz_check_json_text (const char *text, const char *what)
{
  ocigate_error_t err = NULL;
  json_object *o = NULL;
  if (json_parse_untrusted (text, strlen (text), what, &o, &err) < 0)
    fuzz_fail ("%s is not valid JSON: %s\n--- text ---\n%s\n---", what, err->msg, text);
  json_object_put (o);
}

#endif
