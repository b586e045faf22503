/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "rules/pathutil.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/jsonio.h"

static void
sb_truncate (struct strbuf *sb, size_t len)
{
  if (sb->buf == NULL)
    return;
  sb->len = len;
  sb->buf[len] = '\0';
}

/* Drop the last "/component" of a path built from "/component"s. */
static void
sb_pop (struct strbuf *sb)
{
  if (sb->len == 0)
    return; /* "/.." is "/" */
  char *slash = strrchr (sb->buf, '/');
  sb_truncate (sb, (size_t)(slash - sb->buf));
}

/* The next component of p at or after *pos; its length, 0 at the end. */
static size_t
next_component (const char *p, size_t *pos, const char **comp)
{
  while (p[*pos] == '/')
    (*pos)++;
  *comp = p + *pos;
  size_t n = strchrnul (*comp, '/') - *comp;
  *pos += n;
  return n;
}

static void
sb_append_component (struct strbuf *sb, const char *comp, size_t n)
{
  strbuf_append_mem (sb, "/", 1);
  strbuf_append_mem (sb, comp, n);
}

static bool
is_dot (const char *c, size_t n)
{
  return n == 1 && c[0] == '.';
}

static bool
is_dotdot (const char *c, size_t n)
{
  return n == 2 && c[0] == '.' && c[1] == '.';
}

char *
path_normalize (const char *path)
{
  cleanup_strbuf struct strbuf sb = { 0 };
  size_t pos = 0, n;
  const char *comp;
  while ((n = next_component (path, &pos, &comp)) > 0)
    {
      if (is_dot (comp, n))
        continue;
      if (is_dotdot (comp, n))
        sb_pop (&sb);
      else
        sb_append_component (&sb, comp, n);
    }
  if (sb.len == 0)
    return xstrdup ("/");
  return strbuf_steal (&sb);
}

/* What one lookup found.  The judging rules look up the same host paths
 * again and again (each sensitive path, each mount source, and their
 * common parents such as /run and /var/lib), so the last LOOKUP_SLOTS
 * lookups are kept for the life of the process: ocigate judges a config
 * in milliseconds, and `check` over many configs reads the host as it was
 * when it started. */
enum lookup_kind
{
  LOOKUP_MISSING, /* lstat failed */
  LOOKUP_PLAIN,   /* exists and is not a link */
  LOOKUP_LINK,    /* a link, with its target */
  LOOKUP_BROKEN,  /* a link that cannot be read, or a target too long */
};

#define LOOKUP_SLOTS 64

struct lookup
{
  char *path;
  uint64_t hash;
  enum lookup_kind kind;
  char *target;
};

/* The kept lookups; a new one takes the slot after the last one taken,
 * round the ring, so the oldest goes first. */
static struct
{
  struct lookup slots[LOOKUP_SLOTS];
  size_t next;
} lookup_memo;

static const struct lookup *
lookup (const char *path)
{
  uint64_t h = str_hash (path);
  for (size_t i = 0; i < LOOKUP_SLOTS; i++)
    {
      const struct lookup *kept = &lookup_memo.slots[i];
      if (kept->path && kept->hash == h && strcmp (kept->path, path) == 0)
        return kept;
    }
  struct lookup *l = &lookup_memo.slots[lookup_memo.next];
  lookup_memo.next = (lookup_memo.next + 1) % LOOKUP_SLOTS;
  free (l->path);
  free (l->target);
  *l = (struct lookup){ xstrdup (path), h, LOOKUP_MISSING, NULL };
  struct stat st;
  if (lstat (path, &st) < 0)
    return l;
  if (!S_ISLNK (st.st_mode))
    {
      l->kind = LOOKUP_PLAIN;
      return l;
    }
  char target[PATH_MAX];
  ssize_t len = readlink (path, target, sizeof target);
  if (len <= 0 || (size_t)len >= sizeof target)
    {
      l->kind = LOOKUP_BROKEN;
      return l;
    }
  l->kind = LOOKUP_LINK;
  l->target = xstrndup (target, (size_t)len);
  return l;
}

char *
path_resolve (const char *path, size_t *budget)
{
  cleanup_strbuf struct strbuf out = { 0 }; /* resolved so far; "" is "/" */
  size_t exists = 0;                        /* out[0..exists) exists here and holds no link */
  cleanup_free char *rest = xstrdup (path);
  size_t pos = 0, n;
  const char *comp;
  int links = 0;
  bool give_up = false;
  while ((n = next_component (rest, &pos, &comp)) > 0)
    {
      if (is_dot (comp, n))
        continue;
      if (is_dotdot (comp, n))
        {
          sb_pop (&out);
          if (out.len < exists)
            exists = out.len;
          continue;
        }
      size_t before = out.len;
      sb_append_component (&out, comp, n);
      if (give_up || before != exists)
        continue; /* below something missing: lexical */
      if (*budget == 0)
        return NULL;
      (*budget)--;
      const struct lookup *l = lookup (out.buf);
      if (l->kind == LOOKUP_MISSING)
        continue;
      if (l->kind == LOOKUP_PLAIN)
        {
          exists = out.len;
          continue;
        }
      if (++links > PATHUTIL_MAX_SYMLINKS || l->kind == LOOKUP_BROKEN)
        {
          give_up = true; /* a loop, or a link that cannot be read */
          continue;
        }
      const char *target = l->target;
      /* Walk the link's target, then what followed the link. */
      sb_truncate (&out, before);
      if (target[0] == '/')
        sb_truncate (&out, 0);
      exists = out.len;
      char *next = xasprintf ("%s/%s", target, rest + pos);
      free (rest);
      rest = next;
      pos = 0;
    }
  if (out.len == 0)
    return xstrdup ("/");
  return strbuf_steal (&out);
}

bool
path_is_within_len (const char *path, size_t path_len, const char *dir, size_t dir_len)
{
  if (dir_len == 1 && dir[0] == '/')
    return true;
  return path_len >= dir_len && memcmp (path, dir, dir_len) == 0 && (path[dir_len] == '\0' || path[dir_len] == '/');
}

bool
path_is_within (const char *path, const char *dir)
{
  return path_is_within_len (path, strlen (path), dir, strlen (dir));
}

int
rule_option_paths (json_object *opts, const char *key, const struct policy_where *where, size_t max, char ***out,
                   size_t *n, ocigate_error_t *err)
{
  json_object *v = json_get (opts, key);
  if (v == NULL || !json_object_is_type (v, json_type_array))
    return policy_where_error (where, key, -1, err, "must be an array of absolute paths");
  size_t len = json_object_array_length (v);
  if (len > max)
    return policy_where_error (where, key, -1, err, "%zu paths, more than the limit of %zu", len, max);
  cleanup_strv char **list = xzalloc ((len + 1) * sizeof *list);
  for (size_t i = 0; i < len; i++)
    {
      json_object *p = json_object_array_get_idx (v, i);
      if (!json_object_is_type (p, json_type_string) || json_object_get_string (p)[0] != '/')
        return policy_where_error (where, key, (long)i, err, "must be an absolute path (a string starting with /)");
      list[i] = path_normalize (json_object_get_string (p));
    }
  *out = steal_pointer (&list);
  *n = len;
  return 0;
}

static bool
mount_has_option (json_object *mount, const char *opt)
{
  json_object *opts = json_get (mount, "options");
  if (opts == NULL || !json_object_is_type (opts, json_type_array))
    return false;
  size_t n = json_object_array_length (opts);
  for (size_t i = 0; i < n; i++)
    {
      json_object *o = json_object_array_get_idx (opts, i);
      if (json_object_is_type (o, json_type_string) && strcmp (json_object_get_string (o), opt) == 0)
        return true;
    }
  return false;
}

bool
sysfs_writable (const struct oci_config *cfg)
{
  json_object *mounts = json_get (cfg->root, "mounts");
  if (mounts == NULL || !json_object_is_type (mounts, json_type_array))
    return false;
  json_object *last = NULL;
  size_t n = json_object_array_length (mounts);
  for (size_t i = 0; i < n; i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      json_object *dest = json_get (m, "destination");
      if (dest && json_object_is_type (dest, json_type_string) && strcmp (json_object_get_string (dest), "/sys") == 0)
        last = m;
    }
  return last != NULL && !mount_has_option (last, "ro");
}
