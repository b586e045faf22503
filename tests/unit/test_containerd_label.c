/* The wrapper's label on containerd's record (cli/containerd_label.h):
 * which bundles are containerd's and in which namespace, the shim's
 * address on its command line, and a program run within a time, killed
 * past it.  The label itself is set by a real containerd in
 * tests/e2e/containerd.bats. */
#define _GNU_SOURCE
#include "unit.h"

#include <time.h>
#include <unistd.h>

#include "cli/containerd_label.h"

static void
assert_ns (const char *bundle, const char *id, const char *want)
{
  cleanup_free char *ns = containerd_bundle_namespace (bundle, id);
  if (want == NULL && ns != NULL)
    fail_msg ("%s (%s): namespace %s, want none", bundle ? bundle : "(null)", id, ns);
  if (want && (ns == NULL || strcmp (ns, want) != 0))
    fail_msg ("%s (%s): namespace %s, want %s", bundle, id, ns ? ns : "(none)", want);
}

static void
test_bundle_namespace (void **state UNUSED)
{
  assert_ns ("/run/containerd/io.containerd.runtime.v2.task/default/web", "web", "default");
  assert_ns ("/run/containerd/io.containerd.runtime.v2.task/moby/0123abc/", "0123abc", "moby");
  /* A private dockerd's containerd keeps its state elsewhere. */
  assert_ns ("/x/exec/containerd/daemon/io.containerd.runtime.v2.task/ocigate-e2e-main/c1", "c1", "ocigate-e2e-main");
  /* The last such part counts. */
  assert_ns ("/a/io.containerd.runtime.v2.task/x/io.containerd.runtime.v2.task/k8s.io/p", "p", "k8s.io");
  /* Not containerd's, or not this container's. */
  assert_ns ("/run/containers/storage/overlay-containers/abc/userdata", "abc", NULL);
  assert_ns ("/run/containerd/io.containerd.runtime.v2.task/default/web", "other", NULL);
  assert_ns ("/run/containerd/io.containerd.runtime.v2.task/default/web/rootfs", "web", NULL);
  assert_ns ("/run/containerd/io.containerd.runtime.v2.task/default", "default", NULL);
  assert_ns ("/run/containerd/io.containerd.runtime.v2.task/default/webx", "web", NULL);
  /* Nothing that ctr would read as a flag. */
  assert_ns ("/run/containerd/io.containerd.runtime.v2.task/-n/web", "web", NULL);
  assert_ns ("/run/containerd/io.containerd.runtime.v2.task/default/-web", "-web", NULL);
  assert_ns ("/run/containerd/io.containerd.runtime.v2.task//web", "web", NULL);
  assert_ns (NULL, "web", NULL);
}

static void
assert_address (const char *cmdline, size_t len, const char *want)
{
  cleanup_free char *a = containerd_shim_address (cmdline, len);
  if (want == NULL && a != NULL)
    fail_msg ("address %s, want none", a);
  if (want && (a == NULL || strcmp (a, want) != 0))
    fail_msg ("address %s, want %s", a ? a : "(none)", want);
}

#define CMD(s) s, sizeof s

static void
test_shim_address (void **state UNUSED)
{
  /* The shim's arguments as containerd 1.6 starts it. */
  assert_address (CMD ("/usr/bin/containerd-shim-runc-v2\0-namespace\0default\0-id\0c1\0-address\0/run/c.sock"),
                  "/run/c.sock");
  assert_address (CMD ("shim\0--address=/tmp/d/ctd.sock\0-id\0c1"), "/tmp/d/ctd.sock");
  assert_address (CMD ("shim\0-address=/a.sock"), "/a.sock");
  assert_address (CMD ("shim\0--address\0/b.sock\0start"), "/b.sock");
  /* None, an empty one, one that reads as a flag, one cut short. */
  assert_address (CMD ("shim\0-namespace\0default\0-id\0c1"), NULL);
  assert_address (CMD ("shim\0-address"), NULL);
  assert_address (CMD ("shim\0-address\0\0-id\0c1"), NULL);
  assert_address (CMD ("shim\0-address\0-id\0c1"), NULL);
  assert_address (CMD ("shim\0-addressx\0/c.sock"), NULL);
  assert_address ("shim\0-address\0/cut", 17, NULL);
}

static long long
elapsed_ms (const struct timespec *t0)
{
  struct timespec t1;
  clock_gettime (CLOCK_MONOTONIC, &t1);
  return (long long)(t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static void
test_run_bounded (void **state UNUSED)
{
  ocigate_error_t err = NULL;
  char *ok[] = { (char *)"/bin/sh", (char *)"-c", (char *)"echo out; exit 0", NULL };
  assert_int_equal (cli_run_bounded (ok, 5000, &err), 0);

  /* The exit status and the first line it said on standard error. */
  char *failing[]
      = { (char *)"/bin/sh", (char *)"-c", (char *)"echo 'no such container' >&2; echo more >&2; exit 3", NULL };
  assert_int_equal (cli_run_bounded (failing, 5000, &err), -1);
  assert_non_null (strstr (err->msg, "exit status 3: no such container"));
  assert_null (strstr (err->msg, "more"));
  ocigate_error_free (&err);

  /* Its environment is not the caller's. */
  setenv ("CONTAINERD_ADDRESS", "/elsewhere", 1);
  char *env[] = { (char *)"/bin/sh", (char *)"-c", (char *)"[ -z \"$CONTAINERD_ADDRESS\" ]", NULL };
  assert_int_equal (cli_run_bounded (env, 5000, &err), 0);
  unsetenv ("CONTAINERD_ADDRESS");

  /* Past the time it is killed, with what it started (its group), and the
   * caller goes on soon after. */
  struct timespec t0;
  clock_gettime (CLOCK_MONOTONIC, &t0);
  char *slow[] = { (char *)"/bin/sh", (char *)"-c", (char *)"sleep 30; exit 0", NULL };
  assert_int_equal (cli_run_bounded (slow, 200, &err), -1);
  long long took = elapsed_ms (&t0);
  assert_true (took >= 199 && took < 10000); /* whole ms; not the 30 s it asked for */
  assert_non_null (strstr (err->msg, "killed after 200 ms"));
  ocigate_error_free (&err);

  /* One that closes standard error but goes on is waited for no longer. */
  clock_gettime (CLOCK_MONOTONIC, &t0);
  char *quiet[] = { (char *)"/bin/sh", (char *)"-c", (char *)"exec 2>&-; sleep 30", NULL };
  assert_int_equal (cli_run_bounded (quiet, 200, &err), -1);
  took = elapsed_ms (&t0);
  assert_true (took >= 199 && took < 10000); /* whole ms; not the 30 s it asked for */
  ocigate_error_free (&err);

  char *missing[] = { (char *)"/nonexistent/ctr", NULL };
  assert_int_equal (cli_run_bounded (missing, 5000, &err), -1);
  assert_non_null (strstr (err->msg, "exit status 127: cannot run: No such file or directory"));
  ocigate_error_free (&err);
}

static void
test_not_containerd (void **state UNUSED)
{
  /* Podman's and runc's own bundles: nothing is run, nothing fails. */
  ocigate_error_t err = NULL;
  assert_int_equal (containerd_label ("/run/containers/storage/overlay-containers/abc/userdata", "abc",
                                      "dev.ocigate.rewrite", "x", &err),
                    0);
  assert_int_equal (containerd_label (".", "abc", "dev.ocigate.rewrite", "x", &err), 0);
  assert_null (err);

  /* containerd's, but no shim above this test names an address and no
   * containerd listens on the default one: said at once, not waited for
   * (where one listens, this host's containerd is left alone). */
  if (access (CONTAINERD_DEFAULT_ADDRESS, F_OK) == 0)
    return;
  assert_int_equal (containerd_label ("/nonexistent/io.containerd.runtime.v2.task/default/c1", "c1",
                                      "dev.ocigate.rewrite", "x", &err),
                    -1);
  assert_non_null (strstr (err->msg, "no containerd socket at " CONTAINERD_DEFAULT_ADDRESS));
  ocigate_error_free (&err);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_bundle_namespace),
    cmocka_unit_test (test_shim_address),
    cmocka_unit_test (test_run_bounded),
    cmocka_unit_test (test_not_containerd),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
