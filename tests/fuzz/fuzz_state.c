/* libFuzzer target: the OCI state a hook reads on stdin.
 *
 * bytes -> oci_state_parse.  On success both strings are set and the
 * bundle is not empty.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "fuzz_common.h"

#include "gate/gate.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *buf = xmalloc (size ? size : 1);
  if (size)
    memcpy (buf, data, size);
  ocigate_error_t err = NULL;
  char *id = NULL, *bundle = NULL;
  pid_t pid = -1;
  int r = oci_state_parse (buf, size, &id, &bundle, &pid, &err);
  free (buf);
  fuzz_check_error (r, err, "oci_state_parse");
  if (r == 0 && pid < 0)
    fuzz_fail ("oci_state_parse succeeded with a negative pid");
  if (r == 0)
    {
      if (id == NULL || bundle == NULL)
        fuzz_fail ("oci_state_parse succeeded without an id or bundle");
      if (bundle[0] == '\0')
        fuzz_fail ("oci_state_parse succeeded with an empty bundle");
      /* Both are printed and logged: they must be C strings of sane length. */
      if (strlen (id) > size || strlen (bundle) > size)
        fuzz_fail ("oci_state_parse returned strings longer than its input");
    }
  else if (id != NULL || bundle != NULL)
    fuzz_fail ("oci_state_parse failed but set its outputs");
  free (id);
  free (bundle);
  ocigate_error_free (&err);
  return 0;
}
