/* noop_hook: the floor of a hook.  Reads the OCI state from stdin to its
 * end (as any hook must, or the runtime's write may fail) and exits 0.
 * Built static by tests/bench/bench.mk, so it costs one exec and nothing
 * else: no dynamic loader, no libraries.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <unistd.h>

int
main (void)
{
  char buf[4096];
  while (read (0, buf, sizeof buf) > 0)
    ;
  return 0;
}
