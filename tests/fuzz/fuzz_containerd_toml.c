/* libFuzzer target: containerd's config.toml as ocigate setup reads it.
 *
 * bytes -> setup_containerd_imports and setup_containerd_cri, the two
 * line-by-line readers of a file setup edits or copies from.  On success
 * each output is as long as it says, and the CRI copy holds the BinaryName
 * it was given.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "fuzz_common.h"

#include "cli/setup.h"

#define ENTRY "/etc/containerd/conf.d/*.toml"
#define BINARY "/opt/ocigate/bin/ocigate-runc"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *buf = xmalloc (size + 1);
  if (size)
    memcpy (buf, data, size);
  buf[size] = '\0';

  ocigate_error_t err = NULL;
  char *out = NULL;
  size_t len = 0;
  int version = 0;
  int r = setup_containerd_imports (buf, size, ENTRY, &out, &len, &version, &err);
  fuzz_check_error (r, err, "setup_containerd_imports");
  if (r == 0 && out && (strlen (out) != len || !memmem (out, len, ENTRY, strlen (ENTRY))))
    fuzz_fail ("setup_containerd_imports: an edit without the entry, or of another length than it says");
  if (r < 0 && out)
    fuzz_fail ("setup_containerd_imports failed but set its output");
  free (out);
  ocigate_error_free (&err);

  out = NULL;
  struct strbuf notes = { 0 };
  r = setup_containerd_cri (buf, size, BINARY, &out, &len, &notes, &err);
  fuzz_check_error (r, err, "setup_containerd_cri");
  if (r == 0 && (out == NULL || len > size + 4096 || !strstr (out, "BinaryName = \"" BINARY "\"")))
    fuzz_fail ("setup_containerd_cri: a copy without the BinaryName, or longer than the input allows");
  if (r < 0 && out)
    fuzz_fail ("setup_containerd_cri failed but set its output");
  free (out);
  strbuf_release (&notes);
  ocigate_error_free (&err);
  free (buf);
  return 0;
}
