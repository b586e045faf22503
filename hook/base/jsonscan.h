/* ocigate: the scan of JSON text before json-c parses it (jsonscan.c),
 * shared by jsonio.c only.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_JSONSCAN_H
#define OCIGATE_JSONSCAN_H

#include "base/jsonio.h"

/* What the scan saw of each object, to hold json-c's tree to. */
struct json_shape
{
  uint32_t *members; /* of each object, in the order of their '{' */
  uint32_t *starts;  /* where each object's '{' is */
  size_t n_objects, cap;
};

void json_shape_release (struct json_shape *sh);
#define cleanup_json_shape __attribute__ ((cleanup (json_shape_release)))

/* The line and column (from 1) of buf[off]. */
void offset_to_line_col (const char *buf, size_t off, unsigned *line, unsigned *col);

/* Counts what the text holds and refuses what the runtimes read apart
 * (jsonscan.c says what); text that is not JSON is left to json-c to
 * explain: the scan stops and *complete stays false. */
int json_shape_scan (const char *buf, size_t len, const char *name, struct json_shape *sh, bool *complete,
                     ocigate_error_t *err);

bool json_is_container (json_object *o);

/* json-c's tree against the scan: an object with fewer members than its
 * text had a key twice, an error naming it. */
int json_shape_check (json_object *o, const struct json_shape *sh, size_t *next, const struct json_path *at,
                      const char *buf, size_t len, const char *name, ocigate_error_t *err);

#endif
