/* The runtime the wrapper runs (gate/real_runtime.h): dpkg's diversions
 * file as it is written, and the resolution that never gives back the
 * running binary itself.  The running binary is this test's: a link to it
 * stands for /usr/sbin/runc after `ocigate setup runtimes`. */
#define _GNU_SOURCE
#include "unit.h"

#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "gate/real_runtime.h"

static char dir[] = "/tmp/ocigate-unit-runtime-XXXXXX";

static char *
in_dir (const char *name)
{
  return xasprintf ("%s/%s", dir, name);
}

static void
put (const char *name, const char *text)
{
  cleanup_free char *path = in_dir (name);
  ocigate_error_t err = NULL;
  if (write_file_atomic (path, text, strlen (text), &err) < 0)
    fail_msg ("%s", err->msg);
}

static int
make_dir (void **state UNUSED)
{
  if (mkdtemp (dir) == NULL)
    return -1;
  cleanup_free char *self = realpath ("/proc/self/exe", NULL);
  cleanup_free char *runc = in_dir ("runc"), *again = in_dir ("runc.again");
  if (self == NULL || symlink (self, runc) < 0 || symlink (self, again) < 0)
    return -1;
  put ("runc.distrib", "#!/bin/sh\n");
  return 0;
}

static int
remove_dir (void **state UNUSED)
{
  static const char *const names[] = { "runc", "runc.again", "runc.distrib", "diversions", NULL };
  for (const char *const *n = names; *n; n++)
    {
      cleanup_free char *path = in_dir (*n);
      unlink (path);
    }
  return rmdir (dir);
}

/* The parse of text that must fail: its message (caller frees). */
static char *
parse_error (const char *text, size_t len)
{
  struct dpkg_diversion *v = NULL;
  size_t n = 0;
  ocigate_error_t err = NULL;
  assert_int_equal (dpkg_diversions_parse (text, len, "diversions", &v, &n, &err), -1);
  assert_null (v);
  assert_int_equal (n, 0);
  char *msg = xstrdup (err->msg);
  ocigate_error_free (&err);
  return msg;
}

static char *
parse_error_str (const char *text)
{
  return parse_error (text, strlen (text));
}

static void
test_parse (void **state UNUSED)
{
  static const char text[] = "/usr/bin/perf\n/usr/bin/perf.wrapper\nlinux-perf\n"
                             "/usr/sbin/runc\n/usr/sbin/runc.distrib\nocigate\n"
                             "/usr/local/x\n/usr/local/x.mine\n:\n";
  struct dpkg_diversion *v = NULL;
  size_t n = 0;
  ocigate_error_t err = NULL;
  assert_int_equal (dpkg_diversions_parse (text, strlen (text), "diversions", &v, &n, &err), 0);
  assert_int_equal (n, 3);
  assert_string_equal (v[1].from, "/usr/sbin/runc");
  assert_string_equal (v[1].to, "/usr/sbin/runc.distrib");
  assert_string_equal (v[1].package, "ocigate");
  assert_string_equal (v[2].package, ":");
  dpkg_diversions_free (v, n);

  /* No diversions at all. */
  assert_int_equal (dpkg_diversions_parse ("", 0, "diversions", &v, &n, &err), 0);
  assert_int_equal (n, 0);
  dpkg_diversions_free (v, n);

  cleanup_free char *cut_entry = parse_error_str ("/a\n/a.x\npkg\n/b\n/b.x\n");
  assert_contains (cut_entry, "diversions: ends after line 5, inside an entry");
  cleanup_free char *cut_line = parse_error_str ("/a\n/a.x\npk");
  assert_contains (cut_line, "diversions:3: the last line has no newline");
  cleanup_free char *empty = parse_error_str ("/a\n\npkg\n");
  assert_contains (empty, "diversions:2: an empty line");
  cleanup_free char *relative = parse_error_str ("/a\n/a.x\npkg\nb\n/b.x\npkg\n");
  assert_contains (relative, "diversions:4: a diverted path is not absolute");
  cleanup_free char *relative_to = parse_error_str ("/a\na.x\npkg\n");
  assert_contains (relative_to, "diversions:2: a diverted-to path is not absolute");
  cleanup_free char *nul = parse_error ("/a\n/a\0x\npkg\n", sizeof "/a\n/a\0x\npkg\n" - 1);
  assert_contains (nul, "a NUL byte");
}

static void
test_lookup (void **state UNUSED)
{
  put ("diversions", "/usr/sbin/runc\n/usr/sbin/runc.distrib\nother\n/usr/bin/crun\n/usr/bin/crun.distrib\nocigate\n");
  cleanup_free char *path = in_dir ("diversions");
  struct dpkg_diversion d = { 0 };
  bool has = false;
  ocigate_error_t err = NULL;
  assert_int_equal (dpkg_diversion_lookup (path, true, "/usr/sbin/runc", &d, &has, &err), 0);
  assert_true (has);
  assert_string_equal (d.to, "/usr/sbin/runc.distrib");
  assert_string_equal (d.package, "other");
  dpkg_diversion_release (&d);
  assert_int_equal (dpkg_diversion_lookup (path, true, "/usr/sbin/runc.distrib", &d, &has, &err), 0);
  assert_false (has);
  /* No database: nothing diverted. */
  cleanup_free char *none = in_dir ("none");
  assert_int_equal (dpkg_diversion_lookup (none, true, "/usr/sbin/runc", &d, &has, &err), 0);
  assert_false (has);
  /* One others may write is not trusted. */
  chmod (path, 0666);
  assert_int_equal (dpkg_diversion_lookup (path, true, "/usr/sbin/runc", &d, &has, &err), -1);
  assert_contains (err->msg, "writable");
  ocigate_error_free (&err);
  chmod (path, 0644);
}

/* real_runtime_resolve() of `configured` with a diversions file of
 * `diversions`: the runtime when `ok`, else the error's message (either
 * freed by the caller). */
static char *
resolve_as (bool ok, const char *configured, const char *diversions)
{
  put ("diversions", diversions);
  cleanup_free char *path = in_dir ("diversions");
  char *real = NULL;
  ocigate_error_t err = NULL;
  int r = real_runtime_resolve (configured, "runc", path, &real, &err);
  if (ok && r < 0)
    fail_msg ("%s", err->msg);
  if (ok)
    return real;
  assert_int_equal (r, -1);
  assert_null (real);
  char *msg = xstrdup (err->msg);
  ocigate_error_free (&err);
  return msg;
}

static char *
resolve (const char *configured, const char *diversions)
{
  return resolve_as (true, configured, diversions);
}

static char *
resolve_error (const char *configured, const char *diversions)
{
  return resolve_as (false, configured, diversions);
}

static void
test_resolve (void **state UNUSED)
{
  cleanup_free char *runc = in_dir ("runc"), *again = in_dir ("runc.again"), *distrib = in_dir ("runc.distrib");
  cleanup_free char *gone = in_dir ("runc.gone");

  /* Not this binary: as it is, and the diversions are not read (a file
   * that does not parse changes nothing). */
  cleanup_free char *plain = resolve (distrib, "not\ndiversions");
  assert_string_equal (plain, distrib);
  /* Absent: as it is, for its exec to fail. */
  cleanup_free char *absent = resolve (gone, "");
  assert_string_equal (absent, gone);

  /* This binary, diverted: the diverted-to path. */
  cleanup_free char *text
      = xasprintf ("/usr/bin/perf\n/usr/bin/perf.wrapper\nlinux-perf\n%s\n%s\nocigate\n", runc, distrib);
  cleanup_free char *diverted = resolve (runc, text);
  assert_string_equal (diverted, distrib);

  /* This binary with no diversion: refused, naming what to set. */
  cleanup_free char *none = resolve_error (runc, "/usr/bin/perf\n/usr/bin/perf.wrapper\nlinux-perf\n");
  assert_contains (none, " is ocigate itself and dpkg diverts it nowhere");
  assert_contains (none, "set runtime.runc in the policy to the real runc");
  cleanup_free char *no_file = resolve_error (runc, "");
  assert_contains (no_file, "diverts it nowhere");

  /* Diverted to this binary again, or to nothing. */
  cleanup_free char *self_text = xasprintf ("%s\n%s\nocigate\n", runc, again);
  cleanup_free char *self_again = resolve_error (runc, self_text);
  assert_contains (self_again, "and so is ");
  cleanup_free char *gone_text = xasprintf ("%s\n%s\nocigate\n", runc, gone);
  cleanup_free char *missing = resolve_error (runc, gone_text);
  assert_contains (missing, "which cannot be run");
  assert_contains (missing, "No such file or directory");

  /* A diversions file that does not parse: refused, not guessed. */
  cleanup_free char *cut_text = xasprintf ("%s\n%s\n", runc, distrib);
  cleanup_free char *cut = resolve_error (runc, cut_text);
  assert_contains (cut, "where dpkg moved the real runc is unknown");
  assert_contains (cut, "inside an entry");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_parse),
    cmocka_unit_test (test_lookup),
    cmocka_unit_test (test_resolve),
  };
  return cmocka_run_group_tests (tests, make_dir, remove_dir);
}
