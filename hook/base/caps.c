/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "base/caps.h"

#include <ctype.h>
#include <string.h>
#include <sys/capability.h>

#define CAP_NAME_MAX 64

/* libcap's table is the authority on names; read once into upper-case
 * runtime-spec form so lookups need no allocation. */
static struct
{
  bool read;
  int count; /* one past the highest capability with a name */
  char names[64][CAP_NAME_MAX];
  size_t lens[64]; /* compared first: configs list many names */
} cap_table;

static void
cap_table_init (void)
{
  if (cap_table.read)
    return;
  cap_table.read = true;
  for (int c = 0; c < 64; c++)
    {
      char *n = cap_to_name ((cap_value_t)c);
      if (n == NULL)
        continue;
      /* libcap prints numbers for capabilities it has no name for. */
      if (strncmp (n, "cap_", 4) == 0 && strlen (n) < CAP_NAME_MAX)
        {
          for (size_t i = 0; n[i]; i++)
            cap_table.names[c][i] = (char)toupper ((unsigned char)n[i]);
          cap_table.lens[c] = strlen (n);
          cap_table.count = c + 1;
        }
      cap_free (n);
    }
}

int
cap_parse_name (const char *name)
{
  cap_table_init ();
  if (strncmp (name, "CAP_", 4) != 0)
    return -1;
  size_t len = strlen (name);
  for (int c = 0; c < cap_table.count; c++)
    if (cap_table.lens[c] == len && memcmp (cap_table.names[c], name, len) == 0)
      return c;
  return -1;
}

const char *
cap_name (int cap)
{
  cap_table_init ();
  if (cap < 0 || cap >= cap_table.count || cap_table.names[cap][0] == '\0')
    return "CAP_UNKNOWN";
  return cap_table.names[cap];
}

capmask_t
cap_known_mask (void)
{
  cap_table_init ();
  capmask_t m = 0;
  for (int c = 0; c < cap_table.count; c++)
    if (cap_table.names[c][0])
      m |= CAPMASK (c);
  return m;
}
