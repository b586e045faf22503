/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "base/util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <unistd.h>

/* The functions themselves, not util.h's models of them for the analyzer. */
#undef xmalloc
#undef xzalloc
#undef xrealloc
#undef xreallocarray
#undef xmemdup
#undef xstrdup
#undef xstrndup
#undef xasprintf
#undef xvasprintf

static void __attribute__ ((noreturn)) oom (void)
{
  static const char msg[] = "ocigate: out of memory\n";
  if (write (STDERR_FILENO, msg, sizeof msg - 1) < 0)
    {
      /* nothing left to try */
    }
  abort ();
}

void *
xmalloc (size_t size)
{
  void *p = malloc (size ? size : 1);
  if (p == NULL)
    oom ();
  return p;
}

void *
xzalloc (size_t size)
{
  void *p = calloc (1, size ? size : 1);
  if (p == NULL)
    oom ();
  return p;
}

void *
xrealloc (void *ptr, size_t size)
{
  void *p = realloc (ptr, size ? size : 1);
  if (p == NULL)
    oom ();
  return p;
}

void *
xreallocarray (void *ptr, size_t n, size_t size)
{
  void *p = reallocarray (ptr, n ? n : 1, size ? size : 1);
  if (p == NULL)
    oom ();
  return p;
}

void *
xmemdup (const void *p, size_t size)
{
  void *r = xmalloc (size);
  memcpy (r, p, size);
  return r;
}

char *
xstrdup (const char *s)
{
  char *p = strdup (s);
  if (p == NULL)
    oom ();
  return p;
}

char *
xstrndup (const char *s, size_t n)
{
  char *p = strndup (s, n);
  if (p == NULL)
    oom ();
  return p;
}

/* Most strings ocigate formats are a finding's message or a JSON pointer,
 * under 512 bytes: formatted on the stack and copied once, where
 * vasprintf() grows its buffer (and the heap) in steps. */
char *
xvasprintf (const char *fmt, va_list ap)
{
  char small[512];
  va_list probe;
  va_copy (probe, ap);
  int n = vsnprintf (small, sizeof small, fmt, probe);
  va_end (probe);
  if (n < 0)
    oom (); /* only an allocation inside vsnprintf fails it */
  if ((size_t)n < sizeof small)
    return xmemdup (small, (size_t)n + 1);
  char *p = xmalloc ((size_t)n + 1);
  if (vsnprintf (p, (size_t)n + 1, fmt, ap) != n)
    oom ();
  return p;
}

char *
xasprintf (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *p = xvasprintf (fmt, ap);
  va_end (ap);
  return p;
}

void
cleanup_freep (void *p)
{
  void **pp = p;
  free (*pp);
}

void
cleanup_closep (int *fd) // NOLINT(readability-non-const-parameter): the cleanup attribute passes an int *
{
  if (*fd >= 0)
    {
      int saved = errno;
      close (*fd);
      errno = saved;
    }
}

void
cleanup_json_putp (json_object **o)
{
  if (*o)
    json_object_put (*o);
}

void
cleanup_fclosep (void *p)
{
  FILE **f = p;
  if (*f)
    (void)fclose (*f); /* read-only streams: nothing was lost if it fails */
}

void
cleanup_closedirp (void *p)
{
  DIR **d = p;
  if (*d)
    (void)closedir (*d);
}

bool
strv_contains (char *const *v, const char *s)
{
  for (; v && *v; v++)
    if (strcmp (*v, s) == 0)
      return true;
  return false;
}

void
cleanup_strvp (void *p)
{
  char ***v = p;
  if (*v == NULL)
    return;
  for (char **s = *v; *s; s++)
    free (*s);
  free (*v);
}

void
strbuf_grow (struct strbuf *sb, size_t extra)
{
  if (sb->len + extra + 1 <= sb->cap)
    return;
  size_t cap = sb->cap ? sb->cap : 64;
  while (cap < sb->len + extra + 1)
    cap *= 2;
  sb->buf = xrealloc (sb->buf, cap);
  sb->cap = cap;
  sb->buf[sb->len] = '\0'; /* an empty buffer is the empty string */
}

void
strbuf_append (struct strbuf *sb, const char *s)
{
  size_t n = strlen (s);
  strbuf_grow (sb, n);
  memcpy (sb->buf + sb->len, s, n + 1);
  sb->len += n;
}

void
strbuf_append_mem (struct strbuf *sb, const void *data, size_t n)
{
  strbuf_grow (sb, n);
  memcpy (sb->buf + sb->len, data, n);
  sb->len += n;
  sb->buf[sb->len] = '\0';
}

void
strbuf_appendf (struct strbuf *sb, const char *fmt, ...)
{
  /* Straight into the buffer; a second pass only when it had to grow. */
  strbuf_grow (sb, 0);
  va_list ap;
  va_start (ap, fmt);
  int n = vsnprintf (sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
  va_end (ap);
  if (n < 0)
    oom (); /* only an allocation inside vsnprintf fails it */
  if (sb->len + (size_t)n >= sb->cap)
    {
      strbuf_grow (sb, (size_t)n);
      va_start (ap, fmt);
      int again = vsnprintf (sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
      va_end (ap);
      if (again != n)
        oom ();
    }
  sb->len += (size_t)n;
}

/* The escape json-c writes for a control character, '"' or '\\'. */
static const char *
json_escape (unsigned char u, char buf[7])
{
  switch (u)
    {
    case '\b':
      return "\\b";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    case '\f':
      return "\\f";
    case '"':
      return "\\\"";
    case '\\':
      return "\\\\";
    default:
      break;
    }
  (void)snprintf (buf, 7, "\\u%04x", u); /* 6 characters and the NUL: always fits */
  return buf;
}

/* As json-c writes a string with JSON_C_TO_STRING_NOSLASHESCAPE (the
 * same bytes: tests/unit/test_util.c compares them), without making a
 * json-c object for each string: logs and reports write hundreds. */
void
strbuf_append_json_string (struct strbuf *sb, const char *s)
{
  /* The bytes json_escape() changes (control characters, '"', '\\'),
   * and the NUL that ends s.  Runs of the others are copied whole:
   * messages are mostly such runs. */
  static const bool stop[256] = { [0x00 ... 0x1f] = true, ['"'] = true, ['\\'] = true };
  strbuf_append_mem (sb, "\"", 1);
  const char *run = s, *c = s;
  for (;;)
    {
      while (!stop[(unsigned char)*c])
        c++;
      strbuf_append_mem (sb, run, (size_t)(c - run));
      if (*c == '\0')
        break;
      char buf[7];
      strbuf_append (sb, json_escape ((unsigned char)*c, buf));
      run = ++c;
    }
  strbuf_append_mem (sb, "\"", 1);
}

char *
strbuf_steal (struct strbuf *sb)
{
  char *r = sb->buf ? sb->buf : xstrdup ("");
  sb->buf = NULL;
  sb->len = sb->cap = 0;
  return r;
}

void
strbuf_release (struct strbuf *sb)
{
  free (sb->buf);
  sb->buf = NULL;
  sb->len = sb->cap = 0;
}

/* Where the UTF-8 character that s[i] is part of starts. */
static size_t
utf8_back_to_start (const char *s, size_t i)
{
  while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
    i--;
  return i;
}

/* Where the first UTF-8 character from s[i] on starts. */
static size_t
utf8_on_to_start (const char *s, size_t i)
{
  while (s[i] && ((unsigned char)s[i] & 0xc0) == 0x80)
    i++;
  return i;
}

/* The length of the UTF-8 sequence at s when it is a C1 control (U+0080
 * to U+009F) or a bidirectional formatting character (U+061C, U+200E,
 * U+200F, U+202A to U+202E, U+2066 to U+2069), else 0.  A bidi override
 * makes a terminal or a log viewer show the rest of the line reordered:
 * "deny" can read as something else. */
static size_t
control_length (const unsigned char *s)
{
  if (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f)
    return 2;
  if (s[0] == 0xd8 && s[1] == 0x9c)
    return 2;
  if (s[0] == 0xe2 && s[1] == 0x80 && (s[2] == 0x8e || s[2] == 0x8f || (s[2] >= 0xaa && s[2] <= 0xae)))
    return 3;
  if (s[0] == 0xe2 && s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9)
    return 3;
  return 0;
}

/* Whoever creates containers writes the strings that findings and errors
 * quote, and these reach a terminal as one line: the error `docker run`
 * prints, a log viewer.  A newline would start a line ocigate did not
 * write, an ESC would drive the terminal, a bidi override would reorder
 * what it shows, and a string of megabytes would make a line of megabytes
 * (more than one argument of exec(2) holds, for the refusal that precreate
 * injects).  The cut keeps the start and the end, where the remedy is. */
char *
printable_line (char *text)
{
  const unsigned char *s = (const unsigned char *)text;
  size_t len = 0, controls = 0;
  for (; s[len]; len++)
    if (s[len] < 0x20 || s[len] == 0x7f
        || ((s[len] == 0xc2 || s[len] == 0xd8 || s[len] == 0xe2) && control_length (s + len) > 1))
      controls++;
  if (controls == 0 && len <= PRINTABLE_LINE_MAX)
    return text;
  cleanup_strbuf struct strbuf sb = { 0 };
  strbuf_grow (&sb, len + 4 * controls);
  for (size_t i = 0; i < len; i++)
    {
      size_t n = control_length (s + i);
      if (s[i] < 0x20 || s[i] == 0x7f)
        strbuf_appendf (&sb, "\\x%02x", s[i]);
      else if (n == 2)
        strbuf_appendf (&sb, "\\u%04x", ((s[i] & 0x1fu) << 6) | (s[i + 1] & 0x3fu));
      else if (n == 3)
        strbuf_appendf (&sb, "\\u%04x", ((s[i] & 0x0fu) << 12) | ((s[i + 1] & 0x3fu) << 6) | (s[i + 2] & 0x3fu));
      else
        strbuf_append_mem (&sb, s + i, 1);
      if (n > 1)
        i += n - 1;
    }
  free (text);
  if (sb.len <= PRINTABLE_LINE_MAX)
    return strbuf_steal (&sb);
  size_t head = utf8_back_to_start (sb.buf, PRINTABLE_LINE_MAX / 2);
  size_t tail = utf8_on_to_start (sb.buf, sb.len - PRINTABLE_LINE_MAX / 4);
  return xasprintf ("%.*s ... (%zu bytes cut) ... %s", (int)head, sb.buf, tail - head, sb.buf + tail);
}

char *
text_excerpt (const char *s)
{
  size_t chars = 0, i = 0;
  for (; s[i] && chars < 256; i++)
    if (((unsigned char)s[i] & 0xc0) != 0x80)
      chars++;
  i = utf8_on_to_start (s, i); /* the rest of the 256th character */
  return s[i] ? xasprintf ("%.*s...", (int)i, s) : xstrdup (s);
}

char *
json_pointer_escape (const char *token)
{
  cleanup_strbuf struct strbuf sb = { 0 };
  strbuf_grow (&sb, strlen (token));
  for (const char *c = token; *c; c++)
    {
      if (*c == '~')
        strbuf_append (&sb, "~0");
      else if (*c == '/')
        strbuf_append (&sb, "~1");
      else
        {
          char one[2] = { *c, 0 };
          strbuf_append (&sb, one);
        }
    }
  return strbuf_steal (&sb);
}

/* A page fault is the largest cost of a short process on a virtual
 * machine: about 11 µs each where the benchmark ran, against under 1 µs
 * a page for MADV_POPULATE_WRITE, which maps a whole range in one call.
 * So the heap a decision needs is made in one step and populated at once.
 * Best effort: with an allocator that does not grow by brk (a sanitizer's),
 * or a kernel without MADV_POPULATE_WRITE (before 5.14), nothing changes. */
void
heap_reserve (size_t bytes)
{
  if (bytes > (size_t)INT_MAX / 4)
    bytes = (size_t)INT_MAX / 4;
  /* Grow the heap by at least `bytes` at once, keep what is freed, and
   * take blocks of up to twice that from it rather than from mmap(). */
  if (mallopt (M_TOP_PAD, (int)bytes) != 1 || mallopt (M_TRIM_THRESHOLD, (int)(2 * bytes)) != 1
      || mallopt (M_MMAP_THRESHOLD, (int)(2 * bytes)) != 1)
    return;
  void *first = malloc (1);
  char *brk_before = sbrk (0);
  /* One block larger than the free space left at the top grows the heap;
   * malloc() writes one header in the new part before it is populated. */
  size_t top = first && (char *)first < brk_before ? (size_t)(brk_before - (char *)first) : 0;
  void *held = top < bytes ? malloc (top + 1) : NULL;
  char *brk_after = sbrk (0);
  char *from = first ? (char *)first - (uintptr_t)first % 4096 : NULL; /* its page */
  if (from && (intptr_t)brk_before != -1 && brk_after > brk_before && from < brk_before)
    {
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
      (void)madvise (from, (size_t)(brk_after - from), MADV_POPULATE_WRITE);
    }
  free (held);
  free (first);
}

void
utc_stamp (char stamp[UTC_STAMP_SIZE])
{
  struct timespec ts;
  struct tm tm;
  if (clock_gettime (CLOCK_REALTIME, &ts) != 0 || gmtime_r (&ts.tv_sec, &tm) == NULL
      || strftime (stamp, UTC_STAMP_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    stamp[0] = '\0'; /* strftime leaves the array undefined when it fails */
}

uint64_t
str_hash (const char *s)
{
  uint64_t h = 14695981039346656037ULL;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}
