/* ocigate setup's pure parts: the subordinate range it picks for podman's
 * `containers` user, and the edit of containerd's top-level imports line. */
#include "unit.h"

#include "cli/setup.h"

static uint64_t
pick (const struct setup_id_range *taken, size_t n)
{
  uint64_t start = 0;
  assert_int_equal (setup_pick_range (taken, n, 100000, 65536, &start), 0);
  return start;
}

static void
test_pick_range (void **state UNUSED)
{
  assert_int_equal (pick (NULL, 0), 100000);
  /* Below the minimum, or ending at it: no matter. */
  const struct setup_id_range low[] = { { 0, 1 }, { 1000, 1 }, { 34464, 65536 } };
  assert_int_equal (pick (low, ARRAY_SIZE (low)), 100000);
  /* In any order; a gap too small is passed over, an exact one taken. */
  const struct setup_id_range crowded[] = { { 300000, 10 }, { 100000, 65536 }, { 165536 + 65535, 5 }, { 231076, 1 } };
  assert_int_equal (pick (crowded, ARRAY_SIZE (crowded)), 231077);
  const struct setup_id_range gap[] = { { 100000, 65536 }, { 165536 + 65536, 1 } };
  assert_int_equal (pick (gap, ARRAY_SIZE (gap)), 165536);
  /* Overlapping ranges, and one that straddles the minimum. */
  const struct setup_id_range overlap[] = { { 90000, 20000 }, { 100000, 50000 }, { 149999, 2 } };
  assert_int_equal (pick (overlap, ARRAY_SIZE (overlap)), 150001);
  /* Nothing fits below 2^32 - 1. */
  const struct setup_id_range full[] = { { 100000, UINT32_MAX - 100000 - 1000 } };
  uint64_t start = 0;
  assert_int_equal (setup_pick_range (full, 1, 100000, 65536, &start), -1);
}

static void
test_subid_and_account_ids (void **state UNUSED)
{
  static const char subuid[] = "alice:100000:65536\n# a comment\nbad line\n1000:165536:10\ncontainers:200000:65536\n"
                               "x:1:\ny:z:5\nlast:300000:7";
  struct setup_id_range *v = NULL;
  size_t n = 0;
  bool has = false;
  setup_subid_ranges (subuid, strlen (subuid), "containers", &v, &n, &has);
  assert_true (has);
  assert_int_equal (n, 4);
  assert_int_equal (v[1].start, 165536);
  assert_int_equal (v[1].count, 10);
  assert_int_equal (v[3].start, 300000);
  assert_int_equal (v[3].count, 7);
  has = false;
  setup_subid_ranges (subuid, strlen (subuid), "container", &v, &n, &has);
  assert_false (has);
  free (v);

  static const char passwd[] = "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534::/:/bin/false\nodd:x::1\n";
  v = NULL;
  n = 0;
  setup_account_ids (passwd, strlen (passwd), &v, &n);
  assert_int_equal (n, 2);
  assert_int_equal (v[1].start, 65534);
  assert_int_equal (v[1].count, 1);
  free (v);
}

#define ENTRY "/etc/containerd/conf.d/*.toml"

/* The text after the edit; NULL when there is nothing to change. */
static char *
edit (const char *text, int *version)
{
  char *out = NULL;
  size_t len = 0;
  ocigate_error_t err = NULL;
  if (setup_containerd_imports (text, strlen (text), ENTRY, &out, &len, version, &err) < 0)
    fail_msg ("refused: %s", err->msg);
  if (out)
    assert_int_equal (len, strlen (out));
  return out;
}

static void
refused (const char *text)
{
  char *out = NULL;
  size_t len = 0;
  int version = 0;
  ocigate_error_t err = NULL;
  assert_int_equal (setup_containerd_imports (text, strlen (text), ENTRY, &out, &len, &version, &err), -1);
  assert_null (out);
  ocigate_error_free (&err);
}

static void
test_containerd_imports (void **state UNUSED)
{
  int version = 0;
  char *out = edit ("version = 2\n[plugins]\n  imports = 1\n", &version);
  assert_int_equal (version, 2);
  assert_string_equal (out, "imports = [\"" ENTRY "\"]\nversion = 2\n[plugins]\n  imports = 1\n");
  free (out);

  out = edit ("version=3\nimports=[]\n", &version);
  assert_int_equal (version, 3);
  assert_string_equal (out, "version=3\nimports=[\"" ENTRY "\"]\n");
  free (out);

  out = edit ("  imports = [ \"/a.toml\" , '/b.toml', ]   # mine\r\nversion = 2\r\n", &version);
  assert_string_equal (out, "  imports = [ \"/a.toml\" , '/b.toml', \"" ENTRY "\"]   # mine\r\nversion = 2\r\n");
  free (out);

  /* There already, as a basic or a literal string: nothing to write. */
  assert_null (edit ("version = 2\nimports = [\"/a\", \"" ENTRY "\"]\n", &version));
  assert_null (edit ("imports = ['" ENTRY "']\nversion = 2\n", &version));

  /* No version: 0 with keys or tables, -1 with only comments. */
  free (edit ("root = \"/x\"\n", &version));
  assert_int_equal (version, 0);
  free (edit ("[plugins.cri]\n", &version));
  assert_int_equal (version, 0);
  free (edit ("# nothing\n\n", &version));
  assert_int_equal (version, -1);

  refused ("version = 2\nimports = [\n  \"/a.toml\",\n]\n");
  refused ("imports = [\"/a\\\"b\"]\n");
  refused ("imports = [\"/a\" \"/b\"]\n");
  refused ("imports = [\"/a\",, \"/b\"]\n");
  refused ("imports = \"/a.toml\"\n");
  refused ("imports = [\"/a\"] x\n");
  refused ("\"imports\" = [\"/a\"]\n");
  refused ("x = \"\"\"\nimports\n\"\"\"\n");
}

#define BIN "/opt/ocigate/bin/ocigate-runc"
#define CRI "[plugins.\"io.containerd.grpc.v1.cri\""

/* setup_containerd_cri's text and notes; the test fails if it refuses. */
static char *
carry (const char *text, struct strbuf *notes)
{
  char *out = NULL;
  size_t len = 0;
  ocigate_error_t err = NULL;
  if (setup_containerd_cri (text, strlen (text), BIN, &out, &len, notes, &err) < 0)
    fail_msg ("refused: %s", err->msg);
  assert_int_equal (len, strlen (out));
  return out;
}

static void
cri_refused (const char *text)
{
  char *out = NULL;
  size_t len = 0;
  struct strbuf notes = { 0 };
  ocigate_error_t err = NULL;
  assert_int_equal (setup_containerd_cri (text, strlen (text), BIN, &out, &len, &notes, &err), -1);
  assert_non_null (strstr (err->msg, "cannot carry its CRI settings safely"));
  assert_null (out);
  ocigate_error_free (&err);
  strbuf_release (&notes);
}

static void
test_containerd_cri (void **state UNUSED)
{
  struct strbuf notes = { 0 };
  /* Nothing to carry: the runc runtime's two tables. */
  char *out = carry ("version = 2\n[debug]\n  level = \"info\"\n", &notes);
  assert_string_equal (out, "\n" CRI ".containerd.runtimes.runc]\n  runtime_type = \"io.containerd.runc.v2\"\n"
                            "\n" CRI ".containerd.runtimes.runc.options]\n  BinaryName = \"" BIN "\"\n");
  assert_null (notes.buf);
  free (out);

  /* Other plugins stay out; the CRI tables come as they are (comments,
   * a multi-line array), the runc keys replaced in place. */
  out = carry ("version = 2\n[plugins]\n  [plugins.\"io.containerd.internal.v1.opt\"]\n    path = \"/opt\"\n"
               "  " CRI "]\n    # mine\n    x = [\n      \"[a]\",\n    ]\n"
               "  " CRI ".containerd.runtimes.runc]\n    runtime_type = 'io.containerd.runc.v1'\n    k = 1\n"
               "  " CRI ".containerd.runtimes.runc.options]\n    BinaryName = \"" BIN "\"\n"
               "[debug]\n  level = \"info\"\n",
               &notes);
  assert_string_equal (out,
                       "  " CRI "]\n    # mine\n    x = [\n      \"[a]\",\n    ]\n"
                       "  " CRI ".containerd.runtimes.runc]\n  runtime_type = \"io.containerd.runc.v2\"\n    k = 1\n"
                       "  " CRI ".containerd.runtimes.runc.options]\n  BinaryName = \"" BIN "\"\n");
  assert_null (notes.buf);
  free (out);

  /* What does not pass the runc runtime is said. */
  free (carry ("version = 2\n" CRI ".containerd]\n  default_runtime_name = \"kata\"\n" CRI
               ".containerd.runtimes.kata]\n  runtime_type = \"io.containerd.kata.v2\"\n",
               &notes));
  assert_non_null (strstr (notes.buf, "default_runtime_name is kata"));
  assert_non_null (strstr (notes.buf, "CRI runtimes kata (RuntimeClass handlers)"));
  strbuf_release (&notes);

  cri_refused ("[plugins]\n  \"io.containerd.grpc.v1.cri\".sandbox_image = \"x\"\n");
  cri_refused ("plugins.\"io.containerd.grpc.v1.cri\".sandbox_image = \"x\"\n");
  cri_refused ("plugins = {}\n");
  cri_refused (CRI ".containerd.runtimes]\n  runc = { runtime_type = \"x\" }\n");
  cri_refused (CRI ".containerd.runtimes.runc]\n  options.BinaryName = \"/x\"\n");
  cri_refused (CRI "]\n  x = '''\n'''\n");
  cri_refused (CRI "]\n  x = [\n");
  cri_refused (CRI "]\n  x = \"open\n");
  cri_refused ("[plugins.\"io.containerd.grpc.v1.cri\n");
  cri_refused (CRI "]\n  = 1\n");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_pick_range),
    cmocka_unit_test (test_subid_and_account_ids),
    cmocka_unit_test (test_containerd_imports),
    cmocka_unit_test (test_containerd_cri),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
