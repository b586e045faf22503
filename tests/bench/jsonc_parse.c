/* jsonc_parse: the json-c floor for `ocigate check`.  For each file named
 * on the command line (or, with "-l LIST", in LIST, one a line), in order:
 * open, fstat, read it whole, and parse it with json-c as ocigate does
 * (json_tokener_new_ex with depth 64, strict, UTF-8 validated), then free
 * the tree.  Nothing else: no policy, no rules, no output.  Exit 0 when
 * every file parsed, 1 otherwise.
 *
 * Built with -DHOOK_FLOOR (bench.mk: jsonc_hook, static like ocigate), it
 * is the floor of any hook that judges with json-c: it first reads the OCI
 * state from stdin to its end and reserves the heap as ocigate's hook does
 * (heap_reserve() from ocigate's own library), then parses the config named
 * on its command line.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef HOOK_FLOOR
#include "cli/cli.h"
#include "base/util.h"
#endif

static int
parse_file (const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return -1;
  struct stat st;
  if (fstat (fd, &st) < 0)
    {
      close (fd);
      return -1;
    }
  size_t cap = (size_t)st.st_size + 1, len = 0;
  char *buf = malloc (cap + 1);
  if (buf == NULL)
    abort ();
  ssize_t n;
  while ((n = read (fd, buf + len, cap - len)) > 0)
    len += (size_t)n;
  close (fd);
  buf[len] = '\0';
  struct json_tokener *tok = json_tokener_new_ex (64);
  json_tokener_set_flags (tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
  json_object *obj = json_tokener_parse_ex (tok, buf, (int)len);
  int ok = json_tokener_get_error (tok) == json_tokener_success && obj != NULL;
  json_tokener_free (tok);
  json_object_put (obj);
  free (buf);
  return ok ? 0 : -1;
}

int
main (int argc, char **argv)
{
  int status = 0;
#ifdef HOOK_FLOOR
  char state[4096];
  while (read (STDIN_FILENO, state, sizeof state) > 0)
    ;
  heap_reserve (CLI_DECISION_HEAP);
#endif
  if (argc == 3 && strcmp (argv[1], "-l") == 0)
    {
      FILE *f = fopen (argv[2], "re");
      if (f == NULL)
        return 2;
      char *line = NULL;
      size_t cap = 0;
      ssize_t n;
      while ((n = getline (&line, &cap, f)) > 0)
        {
          if (line[n - 1] == '\n')
            line[n - 1] = '\0';
          if (parse_file (line) < 0)
            status = 1;
        }
      free (line);
      fclose (f);
      return status;
    }
  for (int i = 1; i < argc; i++)
    if (parse_file (argv[i]) < 0)
      {
        fprintf (stderr, "jsonc_parse: %s: not parsed\n", argv[i]);
        status = 1;
      }
  return status;
}
