/* ocigate setup containerd: the CRI plugin's runc runtime runs
 * ocigate-runc (options.BinaryName), in a conf.d file that config.toml
 * imports.  config.toml is not parsed as TOML: only its top-level
 * version and a one-line imports array are read, and only that line is
 * edited (or one added).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/setup.h"

#define CONFIG "etc/containerd/config.toml"
#define FRAGMENT "etc/containerd/conf.d/ocigate.toml"
#define IMPORTS "/etc/containerd/conf.d/*.toml"
#define CRI_V2 "io.containerd.grpc.v1.cri"
#define CRI_V3 "io.containerd.cri.v1.runtime"
#define RUNC_SHIM "io.containerd.runc.v2"

static const char *
skip_space (const char *p, const char *end)
{
  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  return p;
}

/* p at "key", then spaces and '=': the value after it, else NULL. */
static const char *
key_value (const char *p, const char *end, const char *key)
{
  size_t n = strlen (key);
  if ((size_t)(end - p) < n || memcmp (p, key, n) != 0)
    return NULL;
  p = skip_space (p + n, end);
  if (p >= end || *p != '=')
    return NULL;
  return skip_space (p + 1, end);
}

/* The one-line array at p (up to end of line), with entry added before
 * its ']': NULL when entry is there already; an error when the line is not
 * an array of plain strings closed on it. */
static int
add_to_array (const char *p, const char *end, const char *entry, struct strbuf *line, bool *present)
{
  const char *open = p;
  if (p >= end || *p != '[')
    return -1;
  p++;
  bool any = false, comma = true;
  for (;;)
    {
      while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
        {
          if (*p == ',')
            {
              if (comma)
                return -1;
              comma = true;
            }
          p++;
        }
      if (p >= end)
        return -1;
      if (*p == ']')
        break;
      if ((*p != '"' && *p != '\'') || !comma)
        return -1;
      char q = *p;
      const char *s = ++p;
      while (p < end && *p != q && *p != '\\')
        p++;
      if (p >= end || *p != q)
        return -1;
      if ((size_t)(p - s) == strlen (entry) && memcmp (s, entry, (size_t)(p - s)) == 0)
        *present = true;
      p++;
      any = true;
      comma = false;
    }
  const char *after = skip_space (p + 1, end);
  if (after < end && *after != '#')
    return -1;
  /* Everything up to the last item, the entry, and the rest as it was. */
  const char *close = p;
  while (close > open + 1 && (close[-1] == ' ' || close[-1] == '\t' || close[-1] == ','))
    close--;
  strbuf_append_mem (line, open, (size_t)(close - open));
  strbuf_appendf (line, "%s\"%s\"", any ? ", " : "", entry);
  strbuf_append_mem (line, p, (size_t)(end - p));
  return 0;
}

int
setup_containerd_imports (const char *text, size_t len, const char *entry, char **out, size_t *out_len, int *version,
                          ocigate_error_t *err)
{
  const char *end = text + len;
  const char *imports = NULL, *imports_end = NULL, *value = NULL;
  bool keys = false;
  *version = 0;
  *out = NULL;
  if (memchr (text, '\0', len))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "a NUL byte: not a TOML file");
  for (const char *line = text; line < end;)
    {
      const char *eol = memchr (line, '\n', (size_t)(end - line));
      eol = eol ? eol : end;
      const char *p = skip_space (line, eol);
      const char *next = eol < end ? eol + 1 : end;
      if (p == eol || *p == '#' || *p == '\r')
        {
          line = next;
          continue;
        }
      keys = true;
      if (*p == '[')
        break; /* the first table: no more top-level keys */
      if (memmem (p, (size_t)(eol - p), "\"\"\"", 3) || memmem (p, (size_t)(eol - p), "'''", 3))
        return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT,
                                   "a multi-line string among the top-level keys: cannot edit it safely");
      const char *v = key_value (p, eol, "version");
      if (v)
        *version = (int)strtol (v, NULL, 10);
      v = key_value (p, eol, "imports");
      if (v == NULL && (key_value (p, eol, "\"imports\"") || key_value (p, eol, "'imports'")))
        return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "a quoted imports key: cannot edit it safely");
      if (v)
        {
          imports = line;
          imports_end = eol;
          value = v;
        }
      line = next;
    }
  if (!keys)
    *version = -1;
  cleanup_strbuf struct strbuf sb = { 0 };
  if (imports == NULL)
    {
      strbuf_appendf (&sb, "imports = [\"%s\"]\n", entry);
      strbuf_append_mem (&sb, text, len);
    }
  else
    {
      bool present = false;
      strbuf_append_mem (&sb, text, (size_t)(imports - text));
      const char *vend = imports_end > value && imports_end[-1] == '\r' ? imports_end - 1 : imports_end;
      strbuf_append_mem (&sb, imports, (size_t)(value - imports));
      if (add_to_array (value, vend, entry, &sb, &present) < 0)
        return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT,
                                   "its top-level imports is not a one-line array of plain strings: cannot edit it "
                                   "safely; add \"%s\" to it by hand",
                                   entry);
      if (present)
        return 0;
      strbuf_append_mem (&sb, vend, (size_t)(end - vend));
    }
  *out_len = sb.len;
  *out = strbuf_steal (&sb);
  return 0;
}

/* ---------------------------------------- containerd 1.x's CRI section
 *
 * containerd 1.6 merges an imported file into config.toml by whole plugin
 * sections: CRI settings in conf.d/ocigate.toml replace every CRI setting
 * of config.toml (Debian's CNI bin_dir, a sandbox image, registry
 * mirrors...), which then fall back to containerd's defaults.  So the
 * drop-in carries config.toml's CRI tables as they are, with the runc
 * runtime's runtime_type and BinaryName set (containerd 1.7 and 2.x merge
 * key by key, and the copy changes nothing there).  The file is read line
 * by line, not as TOML: whatever could set a CRI value where this reading
 * does not look (a dotted key or an inline table naming the plugin or the
 * runc runtime, a multi-line string) is refused rather than guessed. */

#define TOML_MAX_KEYS 16

struct toml_path
{
  char *seg[TOML_MAX_KEYS];
  size_t n;
};

static void
toml_path_release (struct toml_path *p)
{
  for (size_t i = 0; i < p->n; i++)
    free (p->seg[i]);
  p->n = 0;
}
#define cleanup_toml_path __attribute__ ((cleanup (toml_path_release)))

/* One key at *p: bare, "basic" (without escapes) or 'literal'. */
static int
toml_key (const char **p, const char *end, char **out)
{
  const char *s = skip_space (*p, end), *q = s;
  if (q < end && (*q == '"' || *q == '\''))
    {
      char quote = *q++;
      s = q;
      while (q < end && *q != quote && *q != '\\')
        q++;
      if (q >= end || *q != quote)
        return -1;
      *out = xstrndup (s, (size_t)(q - s));
      *p = q + 1;
      return 0;
    }
  while (q < end && (isalnum ((unsigned char)*q) || *q == '_' || *q == '-'))
    q++;
  if (q == s)
    return -1;
  *out = xstrndup (s, (size_t)(q - s));
  *p = q;
  return 0;
}

/* A dotted key at *p, appended to path; *p is left after it and its spaces. */
static int
toml_dotted_key (const char **p, const char *end, struct toml_path *path)
{
  for (;;)
    {
      if (path->n == TOML_MAX_KEYS || toml_key (p, end, &path->seg[path->n]) < 0)
        return -1;
      path->n++;
      *p = skip_space (*p, end);
      if (*p >= end || **p != '.')
        return 0;
      (*p)++;
    }
}

/* Whether a and the first n keys of b agree on their common length: a
 * starts with them (a->n >= n), or a is a prefix of them. */
static bool
toml_path_meets (const struct toml_path *a, const char *const *b, size_t n)
{
  for (size_t i = 0; i < a->n && i < n; i++)
    if (strcmp (a->seg[i], b[i]) != 0)
      return false;
  return true;
}

static bool
toml_path_starts (const struct toml_path *a, const char *const *b, size_t n)
{
  return a->n >= n && toml_path_meets (a, b, n);
}

static bool
toml_path_is (const struct toml_path *a, const char *const *b, size_t n)
{
  return a->n == n && toml_path_meets (a, b, n);
}

/* A value from p to end: *depth changes by the arrays and inline tables it
 * opens or closes (they may go on over lines); -1 on a multi-line or
 * unclosed string. */
static int
toml_value_scan (const char *p, const char *end, int *depth)
{
  static const char basic3[] = "\"\"\"", literal3[] = "'''";
  while (p < end && *p != '#')
    {
      if (end - p >= 3 && (memcmp (p, basic3, 3) == 0 || memcmp (p, literal3, 3) == 0))
        return -1;
      if (*p == '"' || *p == '\'')
        {
          char quote = *p++;
          while (p < end && *p != quote)
            p += quote == '"' && *p == '\\' && p + 1 < end ? 2 : 1;
          if (p >= end)
            return -1;
        }
      else if (*p == '[' || *p == '{')
        (*depth)++;
      else if (*p == ']' || *p == '}')
        (*depth)--;
      p++;
    }
  return 0;
}

/* The string at p ("..." or '...', without escapes), else NULL. */
static char *
toml_string_value (const char *p, const char *end)
{
  p = skip_space (p, end);
  if (p >= end || (*p != '"' && *p != '\''))
    return NULL;
  char quote = *p++;
  const char *e = memchr (p, quote, (size_t)(end - p));
  return e && !memchr (p, '\\', (size_t)(e - p)) ? xstrndup (p, (size_t)(e - p)) : NULL;
}

/* One table of the CRI section: its header line and the lines under it. */
struct cri_table
{
  char *header;
  struct strbuf body;
};

struct cri_section
{
  struct cri_table *tables;
  size_t n;
};

static void
cri_section_release (struct cri_section *s)
{
  for (size_t i = 0; i < s->n; i++)
    {
      free (s->tables[i].header);
      strbuf_release (&s->tables[i].body);
    }
  free (s->tables);
}
#define cleanup_cri_section __attribute__ ((cleanup (cri_section_release)))

static int
cri_refuse (ocigate_error_t *err, size_t line, const char *why)
{
  return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "line %zu: %s: cannot carry its CRI settings safely", line,
                             why);
}

/* The keys of the runc runtime, and of the plugin's default runtime. */
static const char *const cri_binary[]
    = { "plugins", CRI_V2, "containerd", "runtimes", "runc", "options", "BinaryName" };
static const char *const cri_type[] = { "plugins", CRI_V2, "containerd", "runtimes", "runc", "runtime_type" };
static const char *const cri_default[] = { "plugins", CRI_V2, "containerd", "default_runtime_name" };
enum
{
  CRI_PLUGIN = 2,   /* plugins."io.containerd.grpc.v1.cri" */
  CRI_RUNTIMES = 4, /* ...containerd.runtimes */
  CRI_RUNC = 5,     /* ...runtimes.runc */
  CRI_OPTIONS = 6,  /* ...runtimes.runc.options */
};

/* A key line of the CRI section (key: its whole path, value: after '='):
 * 0 keep, 1 drop (the drop-in sets it), -1 refused. */
static int
cri_key (const struct toml_path *table, const struct toml_path *key, const char *value, const char *end,
         const char *binary, struct strbuf *notes, ocigate_error_t *err, size_t lineno)
{
  bool runc_type = toml_path_is (table, cri_type, CRI_RUNC) && toml_path_is (key, cri_type, CRI_RUNC + 1);
  bool runc_binary = toml_path_is (table, cri_binary, CRI_OPTIONS) && toml_path_is (key, cri_binary, CRI_OPTIONS + 1);
  if (runc_binary)
    {
      cleanup_free char *was = toml_string_value (value, end);
      if (was == NULL || strcmp (was, binary) != 0)
        strbuf_appendf (notes,
                        "the CRI runc runtime's BinaryName was %s: ocigate-runc runs the policy's runtime.runc (by "
                        "default /usr/sbin/runc) instead; set that if it must be this one\n",
                        was ? was : "not a plain string");
    }
  if (runc_type || runc_binary)
    return 1;
  /* The same keys reached another way (a dotted key, an inline table). */
  if (toml_path_meets (key, cri_type, CRI_RUNC + 1) || toml_path_meets (key, cri_binary, CRI_OPTIONS + 1))
    return cri_refuse (err, lineno, "the runc runtime set by a dotted key or an inline table");
  if (toml_path_is (key, cri_default, CRI_RUNTIMES))
    {
      cleanup_free char *name = toml_string_value (value, end);
      if (name == NULL || strcmp (name, "runc") != 0)
        strbuf_appendf (notes,
                        "the CRI default_runtime_name is %s, not runc: a pod without a RuntimeClass does not pass "
                        "ocigate; set it to \"runc\"\n",
                        name ? name : "not a plain string");
    }
  return 0;
}

int
setup_containerd_cri (const char *text, size_t len, const char *binary, char **out, size_t *out_len,
                      struct strbuf *notes, ocigate_error_t *err)
{
  const char *end = text + len;
  cleanup_cri_section struct cri_section sec = { 0 };
  cleanup_toml_path struct toml_path table = { 0 };
  cleanup_strbuf struct strbuf others = { 0 };
  bool in_cri = false;
  size_t runc_at = SIZE_MAX, options_at = SIZE_MAX, lineno = 0;
  int depth = 0;
  if (memchr (text, '\0', len))
    return cri_refuse (err, 0, "a NUL byte (not a TOML file)");
  for (const char *line = text; line < end;)
    {
      const char *eol = memchr (line, '\n', (size_t)(end - line));
      eol = eol ? eol : end;
      const char *next = eol < end ? eol + 1 : end;
      const char *p = skip_space (line, eol);
      bool keep = in_cri;
      lineno++;
      if (depth > 0)
        {
          /* The rest of a value begun on an earlier line. */
          if (toml_value_scan (p, eol, &depth) < 0)
            return cri_refuse (err, lineno, "a multi-line string");
        }
      else if (p < eol && *p == '[')
        {
          bool array = eol - p > 1 && p[1] == '[';
          const char *q = p + (array ? 2 : 1);
          toml_path_release (&table);
          if (toml_dotted_key (&q, eol, &table) < 0 || q >= eol || *q != ']'
              || (array && (q + 1 >= eol || q[1] != ']')))
            return cri_refuse (err, lineno, "a table header it cannot read");
          in_cri = toml_path_starts (&table, cri_type, CRI_PLUGIN);
          keep = false;
          if (in_cri)
            {
              if (array && toml_path_meets (&table, cri_binary, CRI_OPTIONS))
                return cri_refuse (err, lineno, "an array of tables in the runc runtime");
              if (!array && toml_path_is (&table, cri_binary, CRI_RUNC))
                runc_at = sec.n;
              if (!array && toml_path_is (&table, cri_binary, CRI_OPTIONS))
                options_at = sec.n;
              if (table.n == CRI_RUNTIMES + 1 && toml_path_starts (&table, cri_binary, CRI_RUNTIMES)
                  && strcmp (table.seg[CRI_RUNTIMES], "runc") != 0)
                strbuf_appendf (&others, "%s%s", others.len ? ", " : "", table.seg[CRI_RUNTIMES]);
              sec.tables = xreallocarray (sec.tables, sec.n + 1, sizeof *sec.tables);
              sec.tables[sec.n++] = (struct cri_table){ .header = xstrndup (line, (size_t)(eol - line)) };
            }
        }
      else if (p < eol && *p != '#' && *p != '\r')
        {
          cleanup_toml_path struct toml_path key = { 0 };
          for (size_t i = 0; i < table.n; i++)
            key.seg[key.n++] = xstrdup (table.seg[i]);
          const char *q = p;
          if (toml_dotted_key (&q, eol, &key) < 0 || q >= eol || *q != '=')
            return cri_refuse (err, lineno, "a line it cannot read");
          if (toml_value_scan (q + 1, eol, &depth) < 0)
            return cri_refuse (err, lineno, "a multi-line string");
          if (!in_cri && toml_path_meets (&key, cri_type, CRI_PLUGIN))
            /* `plugins = {...}`, or a dotted key under [plugins] or at the
             * top: the tables copied would not carry it. */
            return cri_refuse (err, lineno, "the CRI plugin set by a dotted key or an inline table");
          if (in_cri)
            {
              int r = cri_key (&table, &key, q + 1, eol, binary, notes, err, lineno);
              if (r < 0)
                return -1;
              keep = r == 0;
            }
        }
      if (keep)
        strbuf_append_mem (&sec.tables[sec.n - 1].body, line, (size_t)(next - line));
      line = next;
    }
  if (depth != 0)
    return cri_refuse (err, lineno, "an array or inline table that does not close");
  if (others.len)
    strbuf_appendf (notes,
                    "the CRI runtimes %s (RuntimeClass handlers) run their own binaries: a pod that names one does "
                    "not pass ocigate, unless that binary is runc or crun and `ocigate setup runtimes` puts ocigate "
                    "in its place\n",
                    others.buf);

  cleanup_strbuf struct strbuf sb = { 0 };
  for (size_t i = 0; i < sec.n; i++)
    {
      strbuf_appendf (&sb, "%s\n", sec.tables[i].header);
      if (i == runc_at)
        strbuf_append (&sb, "  runtime_type = \"" RUNC_SHIM "\"\n");
      if (i == options_at)
        strbuf_appendf (&sb, "  BinaryName = \"%s\"\n", binary);
      if (sec.tables[i].body.len)
        strbuf_append_mem (&sb, sec.tables[i].body.buf, sec.tables[i].body.len);
      if (sb.buf[sb.len - 1] != '\n')
        strbuf_append (&sb, "\n");
    }
  if (runc_at == SIZE_MAX)
    strbuf_append (&sb, "\n[plugins.\"" CRI_V2 "\".containerd.runtimes.runc]\n  runtime_type = \"" RUNC_SHIM "\"\n");
  if (options_at == SIZE_MAX)
    strbuf_appendf (&sb, "\n[plugins.\"" CRI_V2 "\".containerd.runtimes.runc.options]\n  BinaryName = \"%s\"\n",
                    binary);
  *out_len = sb.len;
  *out = strbuf_steal (&sb);
  return 0;
}

/* containerd 1.6 keeps a plugin's settings from the last file that has
 * them: another file of conf.d with CRI settings would lose them to ours,
 * or ours to them, by the order of their names. */
static int
containerd_other_cri (struct setup_ctx *ctx, ocigate_error_t *err)
{
  cleanup_free char *dir = NULL;
  if (setup_at (ctx, "etc/containerd/conf.d", true, &dir, err) < 0)
    return ocigate_error_prefix (err, "containerd");
  cleanup_dir DIR *d = opendir (dir);
  if (d == NULL)
    return errno == ENOENT ? 0 : ocigate_error_make_errno (err, errno, "containerd: %s", dir);
  // cppcheck-suppress readdirCalled ; one thread, and readdir_r is deprecated (readdir(3))
  for (struct dirent *de; (de = readdir (d)) != NULL;)
    {
      size_t n = strlen (de->d_name);
      if (n < 5 || strcmp (de->d_name + n - 5, ".toml") != 0 || strcmp (de->d_name, "ocigate.toml") == 0)
        continue;
      cleanup_free char *rel = xasprintf ("etc/containerd/conf.d/%s", de->d_name);
      cleanup_free char *text = NULL;
      size_t len = 0;
      bool exists = false;
      if (setup_read (ctx, rel, &text, &len, &exists, err) < 0)
        return ocigate_error_prefix (err, "containerd");
      if (exists && memmem (text, len, CRI_V2, strlen (CRI_V2)))
        return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT,
                                   "containerd: %s/%s has CRI settings: containerd 1.x keeps those of one file only, "
                                   "so ocigate's and these cannot both hold; move them into config.toml, then run "
                                   "setup again",
                                   dir, de->d_name);
    }
  return 0;
}

static int
containerd_plan (struct setup_ctx *ctx, ocigate_error_t *err)
{
  cleanup_free char *old = NULL;
  size_t len = 0;
  bool exists = false;
  if (setup_read (ctx, CONFIG, &old, &len, &exists, err) < 0)
    return -1;
  cleanup_free char *path = setup_path (ctx, CONFIG);
  cleanup_free char *text = NULL;
  size_t text_len = 0;
  int version = 2;
  if (!exists)
    {
      text = xasprintf ("version = 2\nimports = [\"%s\"]\n", IMPORTS);
      text_len = strlen (text);
    }
  else
    {
      if (setup_containerd_imports (old, len, IMPORTS, &text, &text_len, &version, err) < 0)
        return ocigate_error_prefix (err, "containerd: %s", path);
      if (version == -1)
        {
          /* Nothing in it yet: containerd 1.x's version. */
          char *with = xasprintf ("version = 2\n%s", text ? text : old);
          free (text);
          text = with;
          text_len = strlen (text);
          version = 2;
        }
      if (version != 2 && version != 3)
        return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT,
                                   "containerd: %s: %s: ocigate setup knows version = 2 (containerd 1.x) and "
                                   "version = 3 (containerd 2.x); set one first",
                                   path,
                                   version == 0 ? "no top-level version (a version 1 config)" : "another version");
    }
  if (text)
    setup_put (ctx, "containerd", CONFIG, steal_pointer (&text), text_len);

  cleanup_free char *binary = xasprintf ("%s/ocigate-runc", ctx->bindir);
  cleanup_strbuf struct strbuf fragment = { 0 };
  strbuf_appendf (&fragment,
                  "# Written by `ocigate setup containerd`; `ocigate setup --undo containerd` removes it.\n"
                  "version = %d\n",
                  version);
  if (version == 3)
    strbuf_appendf (&fragment,
                    "\n[plugins.\"" CRI_V3 "\".containerd.runtimes.runc]\n"
                    "  runtime_type = \"" RUNC_SHIM "\"\n"
                    "\n[plugins.\"" CRI_V3 "\".containerd.runtimes.runc.options]\n"
                    "  BinaryName = \"%s\"\n",
                    binary);
  else
    {
      cleanup_free char *cri = NULL;
      size_t cri_len = 0;
      cleanup_strbuf struct strbuf notes = { 0 };
      if (setup_containerd_cri (exists ? old : "", exists ? len : 0, binary, &cri, &cri_len, &notes, err) < 0)
        return ocigate_error_prefix (err, "containerd: %s", path);
      if (containerd_other_cri (ctx, err) < 0)
        return -1;
      strbuf_append (&fragment,
                     "# containerd 1.6 takes a plugin's settings from one file only, the last that has them: so\n"
                     "# this file carries config.toml's CRI settings as they were when setup ran.  Change them\n"
                     "# there, then run `ocigate setup containerd` again.\n\n");
      strbuf_append_mem (&fragment, cri, cri_len);
      for (char *line = notes.buf, *nl; line && *line; line = nl + 1)
        {
          nl = strchr (line, '\n');
          *nl = '\0';
          setup_note (ctx, "containerd: %s", line);
        }
    }
  size_t fragment_len = fragment.len;
  setup_put (ctx, "containerd", FRAGMENT, strbuf_steal (&fragment), fragment_len);
  return 0;
}

static const char *const containerd_binaries[] = { "usr/bin/containerd", NULL };

const struct setup_engine setup_engine_containerd = {
  .name = "containerd",
  .plan = containerd_plan,
  .binaries = containerd_binaries,
  .restart = "systemctl restart containerd",
};
