/* libFuzzer target: the runtimes' state files `ocigate audit` reads and a
 * process's /proc/PID/status.
 *
 * bytes -> run_state_parse (runc's state.json, crun's status; the first
 * byte picks) and live_status_parse.  On success the PID is positive and a
 * bundle, when there is one, is absolute.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "fuzz_common.h"

#include "core/live.h"
#include "core/runstate.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size == 0)
    return 0;
  enum run_runtime rt = (data[0] & 1) ? RUN_CRUN : RUN_RUNC;
  char *buf = xmalloc (size);
  memcpy (buf, data + 1, size - 1);
  ocigate_error_t err = NULL;
  struct run_state s = { 0 };
  int r = run_state_parse (rt, buf, size - 1, "state", &s, &err);
  fuzz_check_error (r, err, "run_state_parse");
  if (r == 0 && s.pid <= 0)
    fuzz_fail ("run_state_parse succeeded without a positive pid");
  if (r == 0 && s.bundle && s.bundle[0] != '/')
    fuzz_fail ("run_state_parse succeeded with a relative bundle");
  run_state_release (&s);
  ocigate_error_free (&err);

  struct live_creds c = { 0 };
  r = live_status_parse (buf, size - 1, "status", &c, &err);
  fuzz_check_error (r, err, "live_status_parse");
  if (c.n_groups > LIVE_MAX_GROUPS)
    fuzz_fail ("live_status_parse read more groups than its limit");
  live_creds_release (&c);
  ocigate_error_free (&err);
  free (buf);
  return 0;
}
