/* ocigate: reading the fields of a config, the one way config.c and the
 * rules do it.
 *
 * A getter reads one member, `key`, of an object of the config (or of an
 * update), `parent`, which sits at `at`: a struct json_path (jsonio.h),
 * a chain kept on the caller's stack, NULL for the document itself.  A
 * parent that is absent or not an object has no members (whoever reads
 * the parent judges its type).  An item getter reads the item `i` of an
 * array at `at` the same way.
 *
 * A value of the wrong type, out of range, or with more entries than its
 * limit is an input error: the config cannot be judged.  Its message
 * names the field as users know it from config.json, dotted with indexes
 * ("linux.resources.memory.limit", "mounts[3].source"), and the value that
 * is there, bounded and escaped:
 *
 *     process.noNewPrivileges: must be a boolean, not string "yes"
 *
 * The name and the value are made only for the error: reading a good
 * config costs no allocation.  The message does not name the config: the
 * engine adds its name once, for every rule (gate/engine.c).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_FIELD_H
#define OCIGATE_FIELD_H

#include "base/error.h"
#include "base/jsonio.h"

/* A path on the stack, for one call: FIELD_KEY (&linux_at, "resources"),
 * FIELD_INDEX (&mounts_at, i). */
#define FIELD_KEY(up_, key_) (&(const struct json_path){ .up = (up_), .key = (key_) })
#define FIELD_INDEX(up_, index_) (&(const struct json_path){ .up = (up_), .index = (index_) })

/* What a getter found. */
enum field_state
{
  FIELD_ABSENT,  /* no such member, or no parent object */
  FIELD_NULL,    /* null, which the runtimes read as absent */
  FIELD_PRESENT, /* a value of the type asked for */
};

/* How a getter reads (or'ed together). */
enum field_flags
{
  FIELD_OPTIONAL = 0,
  FIELD_REQUIRED = 1u << 0, /* absent or null: "missing" */
  FIELD_NOT_NULL = 1u << 1, /* null is a value of the wrong type, not an absent one */
};

/* How many entries a list may have, and how a message counts them:
 * "mounts: 4097 mounts, more than the limit of 4096".  A NULL count is
 * OCIGATE_MAX_LIST (config.h) "entries" and "the limit". */
struct field_count
{
  size_t max;
  const char *noun;  /* "entries" when NULL */
  const char *limit; /* "the limit" when NULL */
};

/* Every getter returns 0, or -1 with an input error in *err.  `state`
 * may be NULL when the caller does not tell absent from null.  What *out
 * is when the member is absent or null is said for each. */

/* A member of any type: *out NULL when absent or null. */
int field_get (json_object *parent, const struct json_path *at, const char *key, json_type type, unsigned flags,
               enum field_state *state, json_object **out, ocigate_error_t *err);
/* *out false when absent or null. */
int field_bool (json_object *parent, const struct json_path *at, const char *key, unsigned flags,
                enum field_state *state, bool *out, ocigate_error_t *err);
/* *out NULL when absent or null; the string borrows from the tree. */
int field_string (json_object *parent, const struct json_path *at, const char *key, unsigned flags,
                  enum field_state *state, const char **out, ocigate_error_t *err);
/* *out NULL when absent or null. */
int field_object (json_object *parent, const struct json_path *at, const char *key, unsigned flags,
                  enum field_state *state, json_object **out, ocigate_error_t *err);
/* *out NULL and *n 0 when absent or null. */
int field_array (json_object *parent, const struct json_path *at, const char *key, const struct field_count *count,
                 unsigned flags, json_object **out, size_t *n, ocigate_error_t *err);
/* The same, and every item a string. */
int field_string_array (json_object *parent, const struct json_path *at, const char *key,
                        const struct field_count *count, unsigned flags, json_object **out, size_t *n,
                        ocigate_error_t *err);
/* An integer that fits 64 bits; *out 0 when absent or null. */
int field_int64 (json_object *parent, const struct json_path *at, const char *key, unsigned flags,
                 enum field_state *state, int64_t *out, ocigate_error_t *err);
/* An integer from 0 to max; *out 0 when absent or null.  With max
 * UINT64_MAX, 18446744073709551615 itself is refused: json-c reads every
 * larger number as it. */
int field_uint64 (json_object *parent, const struct json_path *at, const char *key, uint64_t max, unsigned flags,
                  enum field_state *state, uint64_t *out, ocigate_error_t *err);
int field_uint32 (json_object *parent, const struct json_path *at, const char *key, unsigned flags,
                  enum field_state *state, uint32_t *out, ocigate_error_t *err);

/* Items of an array at `at` (already read with field_array). */
int field_item_object (json_object *array, const struct json_path *at, size_t i, json_object **out,
                       ocigate_error_t *err);
int field_item_string (json_object *array, const struct json_path *at, size_t i, const char **out,
                       ocigate_error_t *err);
int field_item_uint32 (json_object *array, const struct json_path *at, size_t i, uint32_t *out, ocigate_error_t *err);

/* The value at `at` (the document itself for NULL) is of this type. */
int field_want (json_object *value, const struct json_path *at, json_type type, ocigate_error_t *err);

/* An input error about the field at.key (key NULL: at itself):
 * "FIELD: MESSAGE".  Returns -1. */
int field_error (const struct json_path *at, const char *key, ocigate_error_t *err, const char *fmt, ...)
    PRINTF_LIKE (4, 5);
#ifdef __clang_analyzer__
/* Returns -1 with an error in *err, like ocigate_error_make (error.h). */
#define field_error(at, key, err, ...) ocigate_error_failed_ (err, field_error (at, key, err, __VA_ARGS__))
#endif

/* For messages: the dotted name of at.key ("mounts[3].source"; the
 * document itself is "config"), each key cut as text_excerpt() cuts it. */
char *field_name (const struct json_path *at, const char *key);
/* For messages: a value's type and, bounded and escaped, the value:
 * `string "yes"`, `int 5`, `array ["ro",3]`, `null`.  A string is cut
 * after FIELD_TEXT_MAX bytes, an array or object after about
 * FIELD_VALUE_MAX, with "..." where it was cut. */
#define FIELD_TEXT_MAX 64
#define FIELD_VALUE_MAX 96
char *field_value_text (json_object *value);

#endif
