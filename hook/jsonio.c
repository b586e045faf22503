/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "jsonio.h"

#include <errno.h>
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

int
json_parse_untrusted (const char *buf, size_t len, const char *name, json_object **out, ocigate_error_t *err)
{
  if (len > INT32_MAX)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: too large", name);
  if (memchr (buf, '\0', len) != NULL)
    {
      size_t off = (size_t)((const char *)memchr (buf, '\0', len) - buf);
      unsigned line, col;
      offset_to_line_col (buf, off, &line, &col);
      return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s:%u:%u: invalid JSON: NUL byte", name, line, col);
    }
  /* One parser for the process, reset between documents: a decision parses
   * the state, the policy, and an options object per rule. */
  static struct json_tokener *kept;
  struct json_tokener *tok = kept ? kept : json_tokener_new_ex (OCIGATE_MAX_JSON_DEPTH);
  kept = NULL;
  if (tok == NULL)
    return ocigate_error_make (err, ENOMEM, OCIGATE_ERR_INTERNAL, "%s: cannot allocate JSON parser", name);
  /* Trailing data is checked below, with a clearer message. */
  json_tokener_set_flags (tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8 | JSON_TOKENER_ALLOW_TRAILING_CHARS);
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
      token = slash ? xstrndup (pointer + 1, (size_t)(slash - pointer - 1)) : xstrdup (pointer + 1);
      rest = slash ? slash : "";
      /* RFC 6901: "~1" is "/", "~0" is "~". */
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

bool
json_is_clean_string (json_object *o)
{
  return json_object_is_type (o, json_type_string)
         && strlen (json_object_get_string (o)) == (size_t)json_object_get_string_len (o);
}
