/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "base/jsonio.h"
#include "base/jsonscan.h"

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

const char *
json_to_text_compact (json_object *o)
{
  return json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
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
