/* ocigate: reading untrusted JSON.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_JSONIO_H
#define OCIGATE_JSONIO_H

#include "base/error.h"

/* Limits on what ocigate reads from files it does not control. */
#define OCIGATE_MAX_CONFIG_BYTES (16u << 20) /* 16 MiB */
#define OCIGATE_MAX_POLICY_BYTES (1u << 20)  /* 1 MiB */
#define OCIGATE_MAX_STATE_BYTES (1u << 20)   /* 1 MiB */
#define OCIGATE_MAX_UPDATE_BYTES (1u << 20)  /* 1 MiB: runc update --resources */
#define OCIGATE_MAX_JSON_DEPTH 64
/* json-c takes about 800 bytes for an object or array and 60 for any other
 * value, whatever their text: these bound a document's tree to ~160 MiB. */
#define OCIGATE_MAX_JSON_CONTAINERS 131072 /* objects and arrays */
#define OCIGATE_MAX_JSON_VALUES 1048576

/* Read at most max_bytes from fd; more is an input error. */
int read_fd_limited (int fd, const char *name, size_t max_bytes, char **out, size_t *out_len, ocigate_error_t *err);
/* A block read_file_into() fills again for each file: `check` reads
 * thousands of configs, and a new block for each made malloc sort its free
 * lists every time (5% of check's time). */
struct read_buffer
{
  char *data; /* the last file read, NUL-terminated */
  size_t size;
};
int read_file_into (const char *path, size_t max_bytes, struct read_buffer *rb, size_t *out_len, bool *via_link,
                    ocigate_error_t *err);
void read_buffer_release (struct read_buffer *rb);
#define cleanup_read_buffer __attribute__ ((cleanup (read_buffer_release)))

/* Read a file ("-" is stdin); more than max_bytes is an input error. */
int read_file_limited (const char *path, size_t max_bytes, char **out, size_t *out_len, ocigate_error_t *err);
/* The same, and *via_link says whether path itself is a symbolic link
 * (false for "-"). */
int read_file_limited_link (const char *path, size_t max_bytes, char **out, size_t *out_len, bool *via_link,
                            ocigate_error_t *err);

/* Parse one JSON document strictly (RFC 8259, valid UTF-8, depth-limited,
 * at most OCIGATE_MAX_JSON_CONTAINERS and OCIGATE_MAX_JSON_VALUES, no key
 * twice in an object, nothing after it).  Errors name `name` and the line
 * and column.  The document `null` gives *out == NULL, which json-c's type
 * checks read as null. */
int json_parse_untrusted (const char *buf, size_t len, const char *name, json_object **out, ocigate_error_t *err);

/* Where a value sits in a document, for a message: a chain from the value
 * up, kept on the stack while a walk descends, made a JSON pointer only
 * when a message needs it. */
struct json_path
{
  const struct json_path *up;
  const char *key; /* NULL: `index` in an array */
  size_t index;
};
/* "/process/user"; "" for the document (NULL). */
char *json_path_pointer (const struct json_path *at);

/* Line (1-based) in buf of the value at a JSON pointer, 0 when not found.
 * Used to point at the key of a policy error. */
unsigned json_pointer_line (const char *buf, size_t len, const char *pointer);

/* Remove the object member a JSON pointer names ("/annotations/a~1b").
 * Returns 1 when removed, 0 when there was no such member (or the pointer
 * names an array element or the document). */
int json_pointer_remove (json_object *root, const char *pointer);

/* Remove every object member and array item the pointers name.  Each is
 * found before any is removed, so removing an item does not move what a
 * later pointer names ("/l/0" and "/l/1" remove both); a pointer that
 * names nothing, or the document, is skipped, and one named twice is
 * removed once. */
void json_pointers_remove (json_object *root, char *const *pointers, size_t n);

/* Serialise as ocigate writes configs: pretty, no "\/" escapes, newline. */
const char *json_to_text (json_object *o);
/* The same on one line, no spaces: what the wrapper writes back, kept
 * within the size limit the runtime's input was judged under. */
const char *json_to_text_compact (json_object *o);

#endif
