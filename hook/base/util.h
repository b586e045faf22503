/* ocigate: ownership helpers and abort-on-OOM allocators.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_UTIL_H
#define OCIGATE_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define UNUSED __attribute__ ((unused))
#define PRINTF_LIKE(f, a) __attribute__ ((format (printf, f, a)))
#define ARRAY_SIZE(a) (sizeof (a) / sizeof ((a)[0]))

/* Owned resources are released when their variable leaves scope; hand one
 * over with steal_pointer()/steal_fd() so exactly one owner remains. */
void cleanup_freep (void *p);
void cleanup_closep (int *fd);
void cleanup_json_putp (json_object **o);
void cleanup_fclosep (void *p);
void cleanup_strvp (void *p);
void cleanup_closedirp (void *p);

#define cleanup_free __attribute__ ((cleanup (cleanup_freep)))
#define cleanup_close __attribute__ ((cleanup (cleanup_closep)))
#define cleanup_json __attribute__ ((cleanup (cleanup_json_putp)))
#define cleanup_file __attribute__ ((cleanup (cleanup_fclosep)))
#define cleanup_strv __attribute__ ((cleanup (cleanup_strvp)))
#define cleanup_dir __attribute__ ((cleanup (cleanup_closedirp)))

/* Whether the NULL-terminated list v (NULL: empty) holds the string s. */
bool strv_contains (char *const *v, const char *s);

static inline void *
steal_ptr (void *pp)
{
  void **p = pp;
  void *r = *p;
  *p = NULL;
  return r;
}
#define steal_pointer(pp) ((__typeof__ (*(pp)))steal_ptr (pp))

static inline int
steal_fd (int *fd)
{
  int r = *fd;
  *fd = -1;
  return r;
}

/* Allocation failure is not an error ocigate can report usefully: it aborts,
 * and the runtime sees a failed hook, which refuses the container. */
void *xmalloc (size_t size);
void *xzalloc (size_t size);
void *xrealloc (void *ptr, size_t size);
void *xreallocarray (void *ptr, size_t n, size_t size);
void *xmemdup (const void *p, size_t size);
char *xstrdup (const char *s);
char *xstrndup (const char *s, size_t n);
char *xasprintf (const char *fmt, ...) PRINTF_LIKE (1, 2);
char *xvasprintf (const char *fmt, va_list ap) PRINTF_LIKE (1, 0);

/* Make the next `bytes` of heap in one step, its pages mapped at once. */
void heap_reserve (size_t bytes);

#ifdef __clang_analyzer__
/* For clang's static analyzer (make lint), which sees one file at a time
 * and ignores returns_nonnull: the x* allocators never return NULL. */
static inline void *
ocigate_nonnull_ (void *p)
{
  if (p == NULL)
    __builtin_unreachable ();
  return p;
}
#define xmalloc(...) ocigate_nonnull_ (xmalloc (__VA_ARGS__))
#define xzalloc(...) ocigate_nonnull_ (xzalloc (__VA_ARGS__))
#define xrealloc(...) ocigate_nonnull_ (xrealloc (__VA_ARGS__))
#define xreallocarray(...) ocigate_nonnull_ (xreallocarray (__VA_ARGS__))
#define xmemdup(...) ocigate_nonnull_ (xmemdup (__VA_ARGS__))
#define xstrdup(...) ocigate_nonnull_ (xstrdup (__VA_ARGS__))
#define xstrndup(...) ocigate_nonnull_ (xstrndup (__VA_ARGS__))
#define xasprintf(...) ocigate_nonnull_ (xasprintf (__VA_ARGS__))
#define xvasprintf(...) ocigate_nonnull_ (xvasprintf (__VA_ARGS__))
#endif

/* A growable string: the one way ocigate builds text. */
struct strbuf
{
  char *buf;
  size_t len;
  size_t cap;
};
/* Room for `extra` more bytes (and the NUL) without another allocation. */
void strbuf_grow (struct strbuf *sb, size_t extra);
void strbuf_append (struct strbuf *sb, const char *s);
/* Bytes, NULs included (the buffer stays NUL-terminated after them). */
void strbuf_append_mem (struct strbuf *sb, const void *data, size_t n);
void strbuf_appendf (struct strbuf *sb, const char *fmt, ...) PRINTF_LIKE (2, 3);
void strbuf_append_json_string (struct strbuf *sb, const char *s);
char *strbuf_steal (struct strbuf *sb);

/* The time now in UTC, "2026-12-07T17:40:52Z", for logs; "" when the clock
 * cannot be read. */
#define UTC_STAMP_SIZE 64
void utc_stamp (char stamp[UTC_STAMP_SIZE]);

/* FNV-1a of a C string: for in-memory hash tables, not against anyone. */
uint64_t str_hash (const char *s);
void strbuf_release (struct strbuf *sb);
#define cleanup_strbuf __attribute__ ((cleanup (strbuf_release)))

/* Takes `text` (allocated) and returns it as one line a terminal shows as
 * it is: control characters written as \xNN (\u00NN for C1), and a text
 * longer than PRINTABLE_LINE_MAX bytes cut in its middle.  For every
 * finding and error message: they quote the config. */
#define PRINTABLE_LINE_MAX 4096
char *printable_line (char *text);
/* A config's string for a message: cut after 256 characters. */
char *text_excerpt (const char *s);

/* JSON pointer escaping (RFC 6901) of one reference token. */
char *json_pointer_escape (const char *token);

#endif
