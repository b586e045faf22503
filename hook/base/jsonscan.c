/* ocigate: the scan of JSON text before json-c reads it.
 *
 * What json-c's tree does not show.  json-c keeps the last of two members
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
 * Malformed text is left to json-c to explain.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "base/jsonscan.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void
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

void
json_shape_release (struct json_shape *sh)
{
  free (sh->members);
  free (sh->starts);
}

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
int
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

bool
json_is_container (json_object *o)
{
  enum json_type t = json_object_get_type (o);
  return t == json_type_object || t == json_type_array;
}

/* Walks the tree in the order of the text, as json-c keeps members in the
 * order it read them: the first object with fewer members than its text
 * is the first that had a key twice (an earlier one would have shown). */
int
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
