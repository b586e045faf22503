/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "base/jsonio.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads fd to its end into *buf, which holds *size bytes and grows as
 * needed; the caller owns *buf whatever the result.  st: fd's, or NULL
 * when fstat() failed (a pipe or a socket need none). */
static int
read_fd_into (int fd, const struct stat *st, const char *name, size_t max_bytes, char **buf, size_t *size,
              size_t *out_len, ocigate_error_t *err)
{
  size_t room = (size_t)64 * 1024;
  if (st && S_ISREG (st->st_mode))
    {
      if ((uint64_t)st->st_size > max_bytes)
        return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: file is %llu bytes, more than the limit of %zu",
                                   name, (unsigned long long)st->st_size, max_bytes);
      room = (size_t)st->st_size + 1;
    }
  if (*size < room + 1)
    {
      *buf = xrealloc (*buf, room + 1);
      *size = room + 1;
    }
  room = *size - 1; /* and one byte for the NUL */
  size_t len = 0;
  for (;;)
    {
      if (len == room)
        {
          if (room > max_bytes)
            return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: more than the limit of %zu bytes", name,
                                       max_bytes);
          room *= 2;
          *buf = xrealloc (*buf, room + 1);
          *size = room + 1;
        }
      ssize_t n = read (fd, *buf + len, room - len);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return ocigate_error_make_errno (err, errno, "read %s", name);
        }
      if (n == 0)
        break;
      len += (size_t)n;
    }
  if (len > max_bytes)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: more than the limit of %zu bytes", name, max_bytes);
  (*buf)[len] = '\0';
  *out_len = len;
  return 0;
}

int
read_fd_limited (int fd, const char *name, size_t max_bytes, char **out, size_t *out_len, ocigate_error_t *err)
{
  struct stat st;
  cleanup_free char *buf = NULL;
  size_t size = 0;
  if (read_fd_into (fd, fstat (fd, &st) == 0 ? &st : NULL, name, max_bytes, &buf, &size, out_len, err) < 0)
    return -1;
  *out = steal_pointer (&buf);
  return 0;
}

static int
read_path_into (const char *path, size_t max_bytes, char **buf, size_t *size, size_t *out_len, bool *via_link,
                ocigate_error_t *err)
{
  if (via_link)
    *via_link = false;
  struct stat st;
  if (strcmp (path, "-") == 0)
    return read_fd_into (STDIN_FILENO, fstat (STDIN_FILENO, &st) == 0 ? &st : NULL, "<stdin>", max_bytes, buf, size,
                         out_len, err);
  /* Whether path is a symbolic link, told by the open itself where the
   * caller asks: no lstat() for the common case of a plain file. */
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | (via_link ? O_NOFOLLOW : 0));
  if (via_link)
    {
      *via_link = fd < 0 && errno == ELOOP;
      if (*via_link)
        fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    }
  if (fd < 0)
    {
      int e = errno;
      ocigate_error_make_errno (err, e, "open %s", path);
      /* A missing or unreadable file is the caller's input, not a bug. */
      (*err)->kind = OCIGATE_ERR_INPUT;
      return -1;
    }
  bool have_st = fstat (fd, &st) == 0;
  if (have_st && S_ISDIR (st.st_mode))
    return ocigate_error_make (err, EISDIR, OCIGATE_ERR_INPUT, "%s: is a directory", path);
  return read_fd_into (fd, have_st ? &st : NULL, path, max_bytes, buf, size, out_len, err);
}

int
read_file_limited_link (const char *path, size_t max_bytes, char **out, size_t *out_len, bool *via_link,
                        ocigate_error_t *err)
{
  cleanup_free char *buf = NULL;
  size_t size = 0;
  if (read_path_into (path, max_bytes, &buf, &size, out_len, via_link, err) < 0)
    return -1;
  *out = steal_pointer (&buf);
  return 0;
}

int
read_file_into (const char *path, size_t max_bytes, struct read_buffer *rb, size_t *out_len, bool *via_link,
                ocigate_error_t *err)
{
  return read_path_into (path, max_bytes, &rb->data, &rb->size, out_len, via_link, err);
}

void
read_buffer_release (struct read_buffer *rb)
{
  free (rb->data);
  rb->data = NULL;
  rb->size = 0;
}

int
read_file_limited (const char *path, size_t max_bytes, char **out, size_t *out_len, ocigate_error_t *err)
{
  return read_file_limited_link (path, max_bytes, out, out_len, NULL, err);
}

static void
offset_to_line_col (const char *buf, size_t off, unsigned *line, unsigned *col)
{
  unsigned l = 1, c = 1;
  for (size_t i = 0; i < off; i++)
    {
      if (buf[i] == '\n')
        {
          l++;
          c = 1;
        }
      else
        c++;
    }
  *line = l;
  *col = c;
}

/* What json-c's tree does not show.  json-c keeps the last of two members
 * with the same key, as Go's encoding/json (runc) does, but crun's parser
 * takes the first: "uid": 0, "uid": 1000 is judged as UID 1000 and runs as
 * UID 0.  And json-c spends about 800 bytes on an object whatever its text:
 * 16 MiB of "{}," took 4 GiB and 30 s.  So the text is scanned before
 * json-c reads it: containers and values are counted against the limits
 * before json-c allocates them, and each object's members are counted, to
 * be compared with the object json-c makes of it.
 *
 * The same scan refuses the text that the runtimes read differently from
 * json-c (and so from ocigate), wherever it stands, in keys and in strings:
 *
 *   "\u0000"         json-c's keys and ocigate's strings are C strings,
 *                    which end there; Go keeps the rest: "uid\u0000" was
 *                    judged as uid and was, for runc, an unknown key
 *   "\ud800"         half of a surrogate pair: json-c and Go read U+FFFD,
 *                    crun's yajl "?" or the half itself
 *   invalid UTF-8    json-c lets through overlong forms, surrogates and
 *                    code points past U+10FFFF, which Go reads as U+FFFD
 *   control bytes    raw in a string, and NUL bytes anywhere: json-c reads
 *                    them, Go refuses the document
 *   numbers          json-c reads 1., 1.e5, -01, NaN, Infinity; Go refuses
 *   'key'            json-c reads a key in single quotes; Go refuses it
 *   a byte order mark, which json-c and Go refuse, with a clearer message
 *
 * Malformed text is left to json-c to explain. */
struct json_shape
{
  uint32_t *members; /* of each object, in the order of their '{' */
  uint32_t *starts;  /* where each object's '{' is */
  size_t n_objects, cap;
};

static void
json_shape_release (struct json_shape *sh)
{
  free (sh->members);
  free (sh->starts);
}
#define cleanup_json_shape __attribute__ ((cleanup (json_shape_release)))

/* An input error about the text at buf[off]: "NAME:LINE:COLUMN: WHAT". */
static int PRINTF_LIKE (5, 6)
    text_error (const char *buf, size_t off, const char *name, ocigate_error_t *err, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  cleanup_free char *what = xvasprintf (fmt, ap);
  va_end (ap);
  unsigned line, col;
  offset_to_line_col (buf, off, &line, &col);
  return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s:%u:%u: %s", name, line, col, what);
}

/* The index of the '"' that ends the string whose text starts at `from`,
 * or len.  For the error path: the scan has judged the string. */
static size_t
string_end (const char *buf, size_t len, size_t from)
{
  for (size_t i = from; i < len;)
    {
      const char *q = memchr (buf + i, '"', len - i);
      if (q == NULL)
        return len;
      size_t at = (size_t)(q - buf), backslashes = 0;
      while (at - backslashes > from && buf[at - backslashes - 1] == '\\')
        backslashes++;
      if (backslashes % 2 == 0)
        return at;
      i = at + 1;
    }
  return len;
}

/* The first byte at or after i that a string's walk must look at: '"',
 * '\\', a control byte or a byte of a multi-byte character; len if none.
 * Eight bytes at a time: the scan runs on every container start. */
static size_t
plain_run (const char *buf, size_t len, size_t i)
{
#ifdef __SSE2__
  /* Sixteen at a time where the machine has it (every x86-64): as signed
   * bytes, a control byte and a byte of 0x80 or above are both below 0x20. */
  const __m128i quote = _mm_set1_epi8 ('"'), backslash = _mm_set1_epi8 ('\\'), space = _mm_set1_epi8 (0x20);
  while (i + 16 <= len)
    {
      __m128i w = _mm_loadu_si128 ((const __m128i *)(const void *)(buf + i));
      __m128i hit = _mm_or_si128 (_mm_or_si128 (_mm_cmpeq_epi8 (w, quote), _mm_cmpeq_epi8 (w, backslash)),
                                  _mm_cmplt_epi8 (w, space));
      unsigned mask = (unsigned)_mm_movemask_epi8 (hit);
      if (mask)
        return i + (size_t)__builtin_ctz (mask);
      i += 16;
    }
#endif
  const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
  while (i + 8 <= len)
    {
      uint64_t w;
      memcpy (&w, buf + i, sizeof w);
      uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
      /* A byte of q or b that is zero, a byte of w below 0x20, one at
       * 0x80 or above: the usual exact tests for whether any byte is. */
      if ((((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w) | w) & highs)
        break;
      i += 8;
    }
  for (; i < len; i++)
    {
      unsigned char c = (unsigned char)buf[i];
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
        break;
    }
  return i;
}

/* The length of the well-formed UTF-8 character at s, as Go reads UTF-8
 * (no overlong form, no surrogate, nothing past U+10FFFF), or 0. */
static size_t
utf8_char_len (const unsigned char *s, size_t n)
{
  unsigned char lo = 0x80, hi = 0xbf;
  size_t need;
  if (s[0] >= 0xc2 && s[0] <= 0xdf)
    need = 2;
  else if (s[0] >= 0xe0 && s[0] <= 0xef)
    {
      need = 3;
      lo = s[0] == 0xe0 ? 0xa0 : 0x80;
      hi = s[0] == 0xed ? 0x9f : 0xbf;
    }
  else if (s[0] >= 0xf0 && s[0] <= 0xf4)
    {
      need = 4;
      lo = s[0] == 0xf0 ? 0x90 : 0x80;
      hi = s[0] == 0xf4 ? 0x8f : 0xbf;
    }
  else
    return 0;
  if (n < need || s[1] < lo || s[1] > hi)
    return 0;
  for (size_t k = 2; k < need; k++)
    if (s[k] < 0x80 || s[k] > 0xbf)
      return 0;
  return need;
}

/* The code unit of the \uXXXX escape at buf[i] (the backslash), or -1
 * when there is none there. */
static long
u_escape (const char *buf, size_t len, size_t i)
{
  if (i + 6 > len || buf[i] != '\\' || buf[i + 1] != 'u')
    return -1;
  long u = 0;
  for (size_t k = i + 2; k < i + 6; k++)
    {
      char c = buf[k];
      if (c >= '0' && c <= '9')
        u = u * 16 + (c - '0');
      else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
        u = u * 16 + ((c | 0x20) - 'a' + 10);
      else
        return -1;
    }
  return u;
}

/* Walks the string whose text starts at `from` (after its '"'): *end is
 * the index of the '"' that ends it, or len.  A key or a string the
 * runtimes read differently is an error. */
static int
string_walk (const char *buf, size_t len, size_t from, bool key, const char *name, size_t *end, ocigate_error_t *err)
{
  const char *what = key ? "a key" : "a string";
  for (size_t i = plain_run (buf, len, from); i < len; i = plain_run (buf, len, i))
    {
      unsigned char c = (unsigned char)buf[i];
      if (c == '"')
        {
          *end = i;
          return 0;
        }
      if (c == '\\')
        {
          long u = u_escape (buf, len, i);
          if (u < 0)
            {
              i += 2; /* another escape; json-c judges a bad one */
              continue;
            }
          if (u == 0)
            return text_error (buf, i, name, err,
                               "\"\\u0000\" in %s: runtimes read such JSON differently (C ends the text there, runc "
                               "keeps the rest): remove it",
                               what);
          if (u >= 0xd800 && u <= 0xdbff)
            {
              long low = u_escape (buf, len, i + 6);
              if (low >= 0xdc00 && low <= 0xdfff)
                {
                  i += 12;
                  continue;
                }
              if (low < 0 && i + 8 <= len && buf[i + 6] == '\\' && buf[i + 7] == 'u')
                {
                  i += 6; /* a malformed escape after it, which json-c refuses */
                  continue;
                }
            }
          if (u >= 0xd800 && u <= 0xdfff)
            return text_error (buf, i, name, err,
                               "\"\\u%04lx\" in %s is half of a UTF-16 surrogate pair: runtimes read such JSON "
                               "differently (runc reads U+FFFD, crun another character): write the character whole",
                               u, what);
          i += 6;
          continue;
        }
      if (c == '\0')
        return text_error (buf, i, name, err, "invalid JSON: NUL byte");
      if (c < 0x20)
        return text_error (buf, i, name, err,
                           "invalid JSON: control character U+%04X in %s (runc refuses it unescaped; write \\u%04x)", c,
                           what, c);
      size_t n = utf8_char_len ((const unsigned char *)buf + i, len - i);
      if (n == 0)
        return text_error (buf, i, name, err, "invalid JSON: invalid utf-8 string");
      i += n;
    }
  *end = len;
  return 0;
}

static size_t
skip_digits (const char *s, size_t n, size_t i)
{
  while (i < n && s[i] >= '0' && s[i] <= '9')
    i++;
  return i;
}

/* The length of the JSON number (RFC 8259) at s, 0 when none starts there. */
static size_t
number_len (const char *s, size_t n)
{
  size_t i = s[0] == '-' ? 1 : 0;
  if (i < n && s[i] == '0')
    i++;
  else if (i < n && s[i] >= '1' && s[i] <= '9')
    i = skip_digits (s, n, i);
  else
    return 0;
  if (i < n && s[i] == '.')
    {
      size_t d = i + 1;
      i = skip_digits (s, n, d);
      if (i == d)
        return 0;
    }
  if (i < n && (s[i] == 'e' || s[i] == 'E'))
    {
      size_t d = i + 1 < n && (s[i + 1] == '+' || s[i + 1] == '-') ? i + 2 : i + 1;
      i = skip_digits (s, n, d);
      if (i == d)
        return 0;
    }
  return i;
}

/* The end of the literal or number that starts at buf[i]. */
static size_t
token_end (const char *buf, size_t len, size_t i)
{
  while (i < len && !strchr (" \t\r\n,:[]{}\"/", buf[i]))
    i++;
  return i;
}

/* Counts what the text holds and refuses what the runtimes read apart.
 * Text that is not JSON is left to json-c to explain: the scan stops and
 * *complete stays false. */
static int
json_shape_scan (const char *buf, size_t len, const char *name, struct json_shape *sh, bool *complete,
                 ocigate_error_t *err)
{
  struct level
  {
    uint32_t object; /* index in sh, UINT32_MAX for an array */
    uint32_t commas;
    bool started;
    bool want_key; /* an object's next string is a key */
  } stack[OCIGATE_MAX_JSON_DEPTH];
  size_t depth = 0, containers = 0, values = 1;
  *complete = false;
  if (len >= 3 && memcmp (buf, "\xef\xbb\xbf", 3) == 0)
    return text_error (buf, 0, name, err, "invalid JSON: a byte order mark (runc refuses it; save the file without)");
  for (size_t i = 0; i < len; i++)
    {
      char c = buf[i];
      switch (c)
        {
        case ' ':
        case '\t':
        case '\n':
        case '\r':
        case ':':
          break;
        case ',':
          if (depth)
            {
              stack[depth - 1].commas++;
              stack[depth - 1].want_key = stack[depth - 1].object != UINT32_MAX;
            }
          break;
        case '"':
          {
            bool key = false;
            if (depth)
              {
                key = stack[depth - 1].want_key;
                stack[depth - 1].started = true;
                stack[depth - 1].want_key = false;
              }
            if (string_walk (buf, len, i + 1, key, name, &i, err) < 0)
              return -1;
            break;
          }
        case '{':
        case '[':
          if (depth == OCIGATE_MAX_JSON_DEPTH)
            return 0; /* json-c says how deep is too deep */
          if (depth)
            stack[depth - 1].started = true;
          if (++containers > OCIGATE_MAX_JSON_CONTAINERS)
            return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT,
                                       "%s: more than %d JSON objects and arrays (the limit)", name,
                                       OCIGATE_MAX_JSON_CONTAINERS);
          stack[depth] = (struct level){ .object = UINT32_MAX };
          if (c == '{')
            {
              if (sh->n_objects == sh->cap)
                {
                  sh->cap = sh->cap ? 2 * sh->cap : 256;
                  sh->members = xreallocarray (sh->members, sh->cap, sizeof *sh->members);
                  sh->starts = xreallocarray (sh->starts, sh->cap, sizeof *sh->starts);
                }
              sh->members[sh->n_objects] = 0;
              sh->starts[sh->n_objects] = (uint32_t)i;
              stack[depth].object = (uint32_t)sh->n_objects++;
              stack[depth].want_key = true;
            }
          depth++;
          break;
        case '}':
        case ']':
          {
            if (depth == 0)
              return 0;
            const struct level *l = &stack[--depth];
            uint32_t n = l->commas + (l->started ? 1 : 0);
            values += n;
            if (values > OCIGATE_MAX_JSON_VALUES)
              return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: more than %d JSON values (the limit)", name,
                                         OCIGATE_MAX_JSON_VALUES);
            if (l->object != UINT32_MAX)
              sh->members[l->object] = n;
            break;
          }
        case '\0':
          return text_error (buf, i, name, err, "invalid JSON: NUL byte");
        case '\'':
          return text_error (buf, i, name, err,
                             "invalid JSON: a string in single quotes (runc refuses it; JSON's are in double quotes)");
        default:
          {
            if (depth)
              stack[depth - 1].started = true;
            bool number = c == '-' || (c >= '0' && c <= '9');
            if (!number && c != 'N' && c != 'I')
              break; /* true, false, null; json-c refuses anything else */
            size_t end = token_end (buf, len, i);
            if (!number || number_len (buf + i, end - i) != end - i)
              return text_error (buf, i, name, err, "invalid JSON: %.*s is not a JSON number (runc refuses it)",
                                 (int)(end - i > 40 ? 40 : end - i), buf + i);
            i = end - 1;
            break;
          }
        }
    }
  *complete = depth == 0;
  return 0;
}

/* The first key given twice in the object whose '{' is at `start`, decoded
 * (for the message), or NULL. */
static char *
repeated_key (const char *buf, size_t len, size_t start)
{
  size_t depth = 0, n = 0;
  bool want_key = false;
  char **keys = NULL;
  char *found = NULL;
  for (size_t i = start; i < len && found == NULL; i++)
    {
      char c = buf[i];
      if (c == '"')
        {
          size_t end = string_end (buf, len, i + 1);
          if (end == len)
            break;
          if (depth == 1 && want_key)
            {
              want_key = false;
              cleanup_free char *token = xstrndup (buf + i, end - i + 1);
              cleanup_json json_object *key = json_tokener_parse (token);
              const char *k = key ? json_object_get_string (key) : "";
              for (size_t j = 0; j < n && found == NULL; j++)
                if (strcmp (keys[j], k) == 0)
                  found = xstrdup (k);
              keys = xreallocarray (keys, n + 1, sizeof *keys);
              keys[n++] = xstrdup (k);
            }
          i = end;
        }
      else if (c == '{' || c == '[')
        want_key = ++depth == 1;
      else if (c == '}' || c == ']')
        {
          if (--depth == 0)
            break;
        }
      else if (c == ',' && depth == 1)
        want_key = true;
    }
  for (size_t j = 0; j < n; j++)
    free (keys[j]);
  free (keys);
  return found;
}

static void
json_path_append (struct strbuf *sb, const struct json_path *at) // NOLINT(misc-no-recursion): depth is bounded
{
  if (at == NULL)
    return;
  json_path_append (sb, at->up);
  if (at->key)
    {
      cleanup_free char *escaped = json_pointer_escape (at->key);
      strbuf_appendf (sb, "/%s", escaped);
    }
  else
    strbuf_appendf (sb, "/%zu", at->index);
}

char *
json_path_pointer (const struct json_path *at)
{
  cleanup_strbuf struct strbuf sb = { 0 };
  strbuf_append (&sb, "");
  json_path_append (&sb, at);
  return strbuf_steal (&sb);
}

static bool
json_is_container (json_object *o)
{
  enum json_type t = json_object_get_type (o);
  return t == json_type_object || t == json_type_array;
}

/* Walks the tree in the order of the text, as json-c keeps members in the
 * order it read them: the first object with fewer members than its text
 * is the first that had a key twice (an earlier one would have shown). */
static int
// NOLINTNEXTLINE(misc-no-recursion): depth is bounded, by the scan before
json_shape_check (json_object *o, const struct json_shape *sh, size_t *next, const struct json_path *at,
                  const char *buf, size_t len, const char *name, ocigate_error_t *err)
{
  if (json_object_get_type (o) == json_type_array)
    {
      const struct array_list *items = json_object_get_array (o);
      for (size_t i = 0; i < items->length; i++)
        {
          struct json_path seg = { .up = at, .index = i };
          if (json_is_container (items->array[i])
              && json_shape_check (items->array[i], sh, next, &seg, buf, len, name, err) < 0)
            return -1;
        }
      return 0;
    }
  size_t i = (*next)++;
  if (i >= sh->n_objects)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INTERNAL, "%s: more objects parsed than scanned", name);
  if ((size_t)json_object_object_length (o) != sh->members[i])
    {
      unsigned line, col;
      offset_to_line_col (buf, sh->starts[i], &line, &col);
      cleanup_free char *key = repeated_key (buf, len, sh->starts[i]);
      cleanup_free char *pointer = json_path_pointer (at);
      return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT,
                                 "%s:%u:%u: key \"%s\" given twice in %s; runtimes read such JSON differently "
                                 "(runc takes the last value, crun the first): give it once",
                                 name, line, col, key ? key : "?", pointer && *pointer ? pointer : "the document");
    }
  json_object_object_foreach (o, key, val)
    {
      struct json_path seg = { .up = at, .key = key };
      if (json_is_container (val) && json_shape_check (val, sh, next, &seg, buf, len, name, err) < 0)
        return -1;
    }
  return 0;
}

int
json_parse_untrusted (const char *buf, size_t len, const char *name, json_object **out, ocigate_error_t *err)
{
  if (len > INT32_MAX)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: too large", name);
  cleanup_json_shape struct json_shape shape = { 0 };
  bool scanned = false;
  if (json_shape_scan (buf, len, name, &shape, &scanned, err) < 0)
    return -1;
  /* One parser for the process, reset between documents: a decision parses
   * the state, the policy, and an options object per rule. */
  static struct json_tokener *kept;
  struct json_tokener *tok = kept ? kept : json_tokener_new_ex (OCIGATE_MAX_JSON_DEPTH);
  kept = NULL;
  if (tok == NULL)
    return ocigate_error_make (err, ENOMEM, OCIGATE_ERR_INTERNAL, "%s: cannot allocate JSON parser", name);
  /* Trailing data is checked below, with a clearer message.  UTF-8 is the
   * scan's to check (as Go reads it, stricter than json-c): a document the
   * scan did not walk to the end is not returned, so json-c's own check
   * would only repeat it. */
  json_tokener_set_flags (tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS);
  cleanup_json json_object *obj = json_tokener_parse_ex (tok, buf, (int)len);
  enum json_tokener_error jerr = json_tokener_get_error (tok);
  size_t end = json_tokener_get_parse_end (tok);
  if (jerr == json_tokener_continue)
    {
      /* A literal or number at the very end needs the end of input said. */
      obj = json_tokener_parse_ex (tok, "", 1);
      jerr = json_tokener_get_error (tok);
      if (jerr != json_tokener_continue)
        end = len;
    }
  /* json_tokener_reset() leaves the half of a surrogate pair that a failed
   * parse may have stopped after (json-c 0.16 to at least 0.18), and the
   * next document's first \u escape would be joined to it: a parser that
   * failed is not kept. */
  if (jerr == json_tokener_success)
    {
      json_tokener_reset (tok);
      kept = tok;
    }
  else
    json_tokener_free (tok);

  /* The document "null" parses to NULL; callers' type checks say so. */
  if (jerr == json_tokener_continue || jerr == json_tokener_error_parse_eof)
    {
      unsigned line, col;
      offset_to_line_col (buf, len, &line, &col);
      return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s:%u:%u: invalid JSON: unexpected end of input", name,
                                 line, col);
    }
  if (jerr != json_tokener_success)
    {
      unsigned line, col;
      offset_to_line_col (buf, end < len ? end : len, &line, &col);
      const char *why
          = jerr == json_tokener_error_depth ? "nesting deeper than the limit of 64" : json_tokener_error_desc (jerr);
      return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s:%u:%u: invalid JSON: %s", name, line, col, why);
    }
  for (size_t i = end; i < len; i++)
    {
      if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n' && buf[i] != '\r')
        {
          unsigned line, col;
          offset_to_line_col (buf, i, &line, &col);
          return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s:%u:%u: invalid JSON: data after the document", name,
                                     line, col);
        }
    }
  size_t objects = 0;
  if (!scanned)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INTERNAL, "%s: JSON that json-c read but the scan could not", name);
  if (json_is_container (obj) && json_shape_check (obj, &shape, &objects, NULL, buf, len, name, err) < 0)
    return -1;
  if (objects != shape.n_objects)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INTERNAL, "%s: %zu objects scanned, %zu parsed", name,
                               shape.n_objects, objects);
  *out = steal_pointer (&obj);
  return 0;
}

/* A minimal scanner over the raw text, only to find where a key sits so
 * that a policy error can say which line to edit.  It trusts that the text
 * already parsed. */
struct scan
{
  const char *p, *end;
  unsigned line;
};

static void
scan_ws (struct scan *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    {
      if (*s->p == '\n')
        s->line++;
      s->p++;
    }
}

/* Returns the decoded string when want != NULL is compared; only plain
 * (unescaped) keys compare equal, which is all policies use. */
static bool
scan_string (struct scan *s, const char *want, bool *equal)
{
  if (s->p >= s->end || *s->p != '"')
    return false;
  const char *start = ++s->p;
  bool escaped = false;
  while (s->p < s->end && *s->p != '"')
    {
      if (*s->p == '\\')
        {
          escaped = true;
          s->p++;
        }
      s->p++;
    }
  if (s->p >= s->end)
    return false;
  if (equal)
    *equal = !escaped && want && strlen (want) == (size_t)(s->p - start)
             && memcmp (start, want, (size_t)(s->p - start)) == 0;
  s->p++;
  return true;
}

static bool scan_value (struct scan *s, const char *pointer, unsigned *found);

/* A JSON pointer's reference token of n bytes at s, unescaped (RFC 6901:
 * "~1" is "/", "~0" is "~"), allocated. */
static char *
pointer_token (const char *s, size_t n)
{
  char *token = xstrndup (s, n);
  char *w = token;
  for (const char *r = token; *r; r++)
    {
      if (r[0] == '~' && (r[1] == '0' || r[1] == '1'))
        {
          *w++ = r[1] == '1' ? '/' : '~';
          r++;
        }
      else
        *w++ = *r;
    }
  *w = '\0';
  return token;
}

/* Recursive, one level per nesting level: the text has been parsed with
 * json_parse_untrusted(), so it nests at most OCIGATE_MAX_JSON_DEPTH deep. */
static bool
scan_value (struct scan *s, const char *pointer, unsigned *found) // NOLINT(misc-no-recursion): depth is bounded
{
  scan_ws (s);
  if (pointer && *pointer == '\0')
    {
      *found = s->line;
      pointer = NULL;
    }
  if (s->p >= s->end)
    return false;
  cleanup_free char *token = NULL;
  const char *rest = ""; /* read only when a key matched the token, so when pointer was set */
  if (pointer)
    {
      /* pointer is "/token/rest..." */
      const char *slash = strchr (pointer + 1, '/');
      token = pointer_token (pointer + 1, slash ? (size_t)(slash - pointer - 1) : strlen (pointer + 1));
      rest = slash ? slash : "";
    }
  if (*s->p == '{')
    {
      s->p++;
      for (;;)
        {
          scan_ws (s);
          if (s->p < s->end && *s->p == '}')
            {
              s->p++;
              return true;
            }
          bool eq = false;
          unsigned key_line = s->line;
          if (!scan_string (s, token, &eq))
            return false;
          scan_ws (s);
          if (s->p >= s->end || *s->p != ':')
            return false;
          s->p++;
          if (eq && *rest == '\0')
            *found = key_line;
          if (!scan_value (s, eq && *rest ? rest : NULL, found))
            return false;
          scan_ws (s);
          if (s->p < s->end && *s->p == ',')
            s->p++;
        }
    }
  if (*s->p == '[')
    {
      s->p++;
      long want = -1;
      if (token)
        {
          char *e = NULL;
          want = strtol (token, &e, 10);
          if (*e)
            want = -1;
        }
      for (long i = 0;; i++)
        {
          scan_ws (s);
          if (s->p < s->end && *s->p == ']')
            {
              s->p++;
              return true;
            }
          bool hit = want == i;
          if (hit && *rest == '\0')
            {
              scan_ws (s);
              *found = s->line;
            }
          if (!scan_value (s, hit && *rest ? rest : NULL, found))
            return false;
          scan_ws (s);
          if (s->p < s->end && *s->p == ',')
            s->p++;
        }
    }
  if (*s->p == '"')
    return scan_string (s, NULL, NULL);
  while (s->p < s->end && !strchr (",}] \t\r\n", *s->p))
    s->p++;
  return true;
}

unsigned
json_pointer_line (const char *buf, size_t len, const char *pointer)
{
  struct scan s = { buf, buf + len, 1 };
  unsigned found = 0;
  scan_value (&s, pointer, &found);
  return found;
}

const char *
json_to_text (json_object *o)
{
  return json_object_to_json_string_ext (o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
                                                | JSON_C_TO_STRING_NOSLASHESCAPE);
}

int
json_pointer_remove (json_object *root, const char *pointer)
{
  const char *slash = strrchr (pointer, '/');
  if (slash == NULL)
    return 0;
  json_object *parent = root;
  if (slash != pointer)
    {
      cleanup_free char *up = xstrndup (pointer, (size_t)(slash - pointer));
      if (json_pointer_get (root, up, &parent) < 0)
        return 0;
    }
  if (!json_object_is_type (parent, json_type_object))
    return 0;
  cleanup_free char *k = pointer_token (slash + 1, strlen (slash + 1));
  if (!json_object_object_get_ex (parent, k, NULL))
    return 0;
  json_object_object_del (parent, k);
  return 1;
}

/* A member or item to remove: where it is, resolved before any removal. */
struct doomed
{
  json_object *parent, *child;
  size_t depth; /* the pointer's length: an ancestor's is shorter */
};

static int
doomed_deepest_first (const void *a, const void *b)
{
  const struct doomed *x = a, *y = b;
  return (x->depth < y->depth) - (x->depth > y->depth);
}

void
json_pointers_remove (json_object *root, char *const *pointers, size_t n)
{
  cleanup_free struct doomed *d = xreallocarray (NULL, n ? n : 1, sizeof *d);
  size_t nd = 0;
  for (size_t i = 0; i < n; i++)
    {
      const char *slash = strrchr (pointers[i], '/');
      json_object *parent = root, *child = NULL;
      if (slash == NULL)
        continue; /* the document itself stays */
      if (slash != pointers[i])
        {
          cleanup_free char *up = xstrndup (pointers[i], (size_t)(slash - pointers[i]));
          if (json_pointer_get (root, up, &parent) < 0)
            continue;
        }
      if (json_pointer_get (root, pointers[i], &child) < 0 || child == NULL)
        continue;
      d[nd++] = (struct doomed){ .parent = parent, .child = child, .depth = strlen (pointers[i]) };
    }
  /* A descendant goes before its ancestor frees it. */
  qsort (d, nd, sizeof *d, doomed_deepest_first);
  for (size_t i = 0; i < nd; i++)
    {
      bool seen = false;
      for (size_t k = 0; k < i && !seen; k++)
        seen = d[k].child == d[i].child;
      if (seen)
        continue; /* named twice: removed already */
      if (json_object_is_type (d[i].parent, json_type_object))
        {
          json_object_object_foreach (d[i].parent, key, val)
            {
              if (val == d[i].child)
                {
                  cleanup_free char *k = xstrdup (key); /* the member's own key goes with it */
                  json_object_object_del (d[i].parent, k);
                  break;
                }
            }
        }
      else if (json_object_is_type (d[i].parent, json_type_array))
        {
          size_t len = json_object_array_length (d[i].parent);
          for (size_t k = 0; k < len; k++)
            if (json_object_array_get_idx (d[i].parent, k) == d[i].child)
              {
                json_object_array_del_idx (d[i].parent, k, 1);
                break;
              }
        }
    }
}
