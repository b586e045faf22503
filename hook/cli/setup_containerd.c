/* ocigate setup containerd: the CRI plugin's runc runtime runs
 * ocigate-runc (options.BinaryName), in a conf.d file that config.toml
 * imports.  config.toml is not parsed as TOML: only its top-level
 * version and a one-line imports array are read, and only that line is
 * edited (or one added).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "cli/setup.h"

#define CONFIG "etc/containerd/config.toml"
#define FRAGMENT "etc/containerd/conf.d/ocigate.toml"
#define IMPORTS "/etc/containerd/conf.d/*.toml"

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

  const char *plugin = version == 3 ? "io.containerd.cri.v1.runtime" : "io.containerd.grpc.v1.cri";
  char *fragment = xasprintf ("# Written by `ocigate setup containerd`; `ocigate setup --undo containerd` removes it.\n"
                              "version = %d\n"
                              "\n[plugins.\"%s\".containerd.runtimes.runc]\n"
                              "  runtime_type = \"io.containerd.runc.v2\"\n"
                              "\n[plugins.\"%s\".containerd.runtimes.runc.options]\n"
                              "  BinaryName = \"%s/ocigate-runc\"\n",
                              version, plugin, plugin, ctx->bindir);
  setup_put (ctx, "containerd", FRAGMENT, fragment, strlen (fragment));
  cleanup_free char *quoted = xasprintf ("[plugins.\"%s\"", plugin);
  if (version == 2 && exists && memmem (old, len, quoted, strlen (quoted)))
    setup_note (ctx,
                "containerd: %s has settings of the plugin \"%s\": containerd 1.x merges an imported file by whole "
                "plugin sections, so they give way to those of conf.d/ocigate.toml: see with `containerd config "
                "dump` what is left of them after the restart",
                path, plugin);
  return 0;
}

static const char *const containerd_binaries[] = { "usr/bin/containerd", NULL };

const struct setup_engine setup_engine_containerd = {
  .name = "containerd",
  .plan = containerd_plan,
  .binaries = containerd_binaries,
  .restart = "systemctl restart containerd",
};
