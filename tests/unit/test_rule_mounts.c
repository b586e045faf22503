/* Unit tests for the "mounts" rule: binds of sensitive host paths (and of
 * their parents) judged on the path the kernel would find, binds of UNIX
 * sockets judged by what the source is, shared propagation, writable
 * sysfs and cgroups, and requireReadOnlyBinds.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define RULE "mounts"
#define POLICY(action) "{'version': 1, 'rules': {'mounts': {'action': '" action "'}}}"

/* Docker's first seven mounts, none of them a bind. */
#define DOCKER_MOUNTS                                                                                                  \
  "{'destination': '/proc', 'type': 'proc', 'source': 'proc', 'options': ['nosuid', 'noexec', 'nodev']},"              \
  "{'destination': '/dev', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['nosuid', 'strictatime', 'mode=755']},"     \
  "{'destination': '/dev/pts', 'type': 'devpts', 'source': 'devpts', 'options': ['nosuid', 'noexec']},"                \
  "{'destination': '/sys', 'type': 'sysfs', 'source': 'sysfs', 'options': ['nosuid', 'noexec', 'nodev', 'ro']},"       \
  "{'destination': '/sys/fs/cgroup', 'type': 'cgroup', 'source': 'cgroup', 'options': ['ro', 'nosuid']},"              \
  "{'destination': '/dev/mqueue', 'type': 'mqueue', 'source': 'mqueue', 'options': ['nosuid', 'noexec', 'nodev']},"    \
  "{'destination': '/dev/shm', 'type': 'tmpfs', 'source': 'shm', 'options': ['nosuid', 'noexec', 'mode=1777']}"

/* A config with these mounts (JSON array items) and linux section. */
static char *
config_with (const char *mounts, const char *linux_)
{
  cleanup_free char *c = xasprintf ("{'process': {'args': ['sh']}, 'mounts': [%s]%s%s}", mounts,
                                    linux_ ? ", 'linux': " : "", linux_ ? linux_ : "");
  return dq (c);
}

static void
judge_with_bundle (struct judged *j, const char *policy, const char *mounts, const char *linux_, const char *bundle)
{
  cleanup_free char *p = dq (policy);
  cleanup_free char *c = config_with (mounts, linux_);
  memset (j, 0, sizeof *j);
  j->policy = unit_policy (p);
  j->cfg = unit_config (c);
  unit_host (&j->host, 0, 0);
  struct rule_context ctx = { .config = j->cfg, .host = &j->host, .bundle = bundle };
  ocigate_error_t err = NULL;
  if (ocigate_evaluate (j->policy, &ctx, &j->v, &err) < 0)
    fail_msg ("evaluate failed: %s", err->msg);
}

static void
judge (struct judged *j, const char *policy, const char *mounts, const char *linux_)
{
  judge_with_bundle (j, policy, mounts, linux_, NULL);
}

/* One bind mount of `source` onto /mnt with these options. */
static char *
bind_of (const char *source, const char *options)
{
  return xasprintf ("{'destination': '/mnt', 'type': 'bind', 'source': '%s', 'options': [%s]}", source,
                    options ? options : "'rbind', 'rprivate'");
}

/* The message of the single finding a bind of `source` gives, or NULL. */
static char *
bind_finding (const char *source)
{
  cleanup_free char *m = bind_of (source, NULL);
  struct judged j;
  judge (&j, POLICY ("deny"), m, NULL);
  char *msg = NULL;
  if (j.v.n_findings > 1)
    fail_msg ("%s: %zu findings", source, j.v.n_findings);
  if (j.v.n_findings == 1)
    {
      assert_string_equal (j.v.findings[0].path, "/mounts/0/source");
      msg = xstrdup (j.v.findings[0].message);
    }
  unit_judged_release (&j);
  return msg;
}

static void
assert_refused_as (const char *source, const char *expect)
{
  cleanup_free char *msg = bind_finding (source);
  if (msg == NULL)
    fail_msg ("bind of %s was not refused", source);
  assert_contains (msg, expect);
}

static void
assert_allowed (const char *source)
{
  cleanup_free char *msg = bind_finding (source);
  if (msg)
    fail_msg ("bind of %s was refused: %s", source, msg);
}

/* The evaluation error a config gives (the rule on at deny). */
static char *
judge_error (const char *policy, const char *config)
{
  enum ocigate_error_kind kind;
  char *msg = unit_judge_error_q (policy, config, &kind);
  assert_int_equal (kind, OCIGATE_ERR_INPUT);
  return msg;
}

static int
rm_entry (const char *path, const struct stat *st UNUSED, int flag UNUSED, struct FTW *ftw UNUSED)
{
  return remove (path);
}

/* A temporary directory for symbolic links; removed by the teardown. */
static char tmpdir[64];

static int
make_tmpdir (void **state UNUSED)
{
  snprintf (tmpdir, sizeof tmpdir, "%s", "/tmp/ocigate-mounts-XXXXXX");
  if (mkdtemp (tmpdir) == NULL)
    return -1;
  return 0;
}

static int
remove_tmpdir (void **state UNUSED)
{
  return nftw (tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *
in_tmp (const char *name)
{
  return xasprintf ("%s/%s", tmpdir, name);
}

static void
make_link (const char *name, const char *target)
{
  cleanup_free char *path = in_tmp (name);
  if (symlink (target, path) < 0)
    fail_msg ("symlink %s -> %s: %s", path, target, strerror (errno));
}

/* A UNIX socket made (bound, not listening) at tmpdir/name; the file
 * stays until the teardown. */
static void
make_socket (const char *name)
{
  cleanup_free char *path = in_tmp (name);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  if (strlen (path) >= sizeof addr.sun_path)
    fail_msg ("%s: too long for a socket address", path);
  memcpy (addr.sun_path, path, strlen (path) + 1);
  cleanup_close int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || bind (fd, (const struct sockaddr *)&addr, sizeof addr) < 0)
    fail_msg ("socket %s: %s", path, strerror (errno));
}

/* The message of the brief, on the socket Docker users bind most. */
static void
test_docker_socket (void **state UNUSED)
{
  struct stat st;
  if (lstat ("/var/run", &st) < 0 || !S_ISLNK (st.st_mode))
    skip (); /* the message names /run/docker.sock because /var/run links to /run */
  struct judged j;
  judge (&j, POLICY ("deny"),
         DOCKER_MOUNTS ", {'destination': '/var/run/docker.sock', 'type': 'bind', 'source': '/var/run/docker.sock', "
                       "'options': ['rbind', 'rprivate']}",
         NULL);
  assert_int_equal (j.v.n_findings, 1);
  const struct finding *f = &j.v.findings[0];
  assert_string_equal (f->rule, RULE);
  assert_int_equal (f->action, ACTION_DENY);
  assert_string_equal (f->path, "/mounts/7/source");
  assert_string_equal (f->message,
                       "bind mount of sensitive host path /run/docker.sock (mounts[7].source="
                       "/var/run/docker.sock, resolved /run/docker.sock, destination /var/run/docker.sock); "
                       "remove the mount");
  assert_int_equal (verdict_decide (&j.v), DECISION_DENY);
  unit_judged_release (&j);

  /* The same socket however it is spelled. */
  assert_refused_as ("/run/docker.sock", "sensitive host path /run/docker.sock (");
  assert_refused_as ("/var/run/./docker.sock", "resolved /run/docker.sock,");
  assert_refused_as ("/var//run///docker.sock", "resolved /run/docker.sock,");
  assert_refused_as ("/var/lib/../run/docker.sock", "resolved /run/docker.sock,");
  /* A parent of it: /var/run is /run. */
  assert_refused_as ("/var/run", "bind mount of host path /run, a parent of sensitive host path /run/docker.sock "
                                 "(mounts[0].source=/var/run, resolved /run, destination /mnt); remove the mount, or "
                                 "bind only the directory the container needs");
}

/* "..", ".", "//" and trailing slashes do not hide /etc. */
static void
test_lexical_forms (void **state UNUSED)
{
  static const char *const forms[]
      = { "/etc", "/etc/", "//etc", "/./etc/.", "/tmp/../etc", "/etc/ssl/..", "/../../etc", "/usr/../etc//" };
  for (size_t i = 0; i < ARRAY_SIZE (forms); i++)
    {
      cleanup_free char *want = xasprintf ("bind mount of sensitive host path /etc (mounts[0].source=%s, resolved "
                                           "/etc, destination /mnt); remove the mount",
                                           forms[i]);
      cleanup_free char *msg = bind_finding (forms[i]);
      if (msg == NULL)
        fail_msg ("bind of %s was not refused", forms[i]);
      assert_string_equal (msg, want);
    }
  assert_refused_as ("/", "sensitive host path / (");
  assert_refused_as ("/proc/..", "sensitive host path / (mounts[0].source=/proc/.., resolved /,");
}

/* A symbolic link is followed to what it names on this host. */
static void
test_symlinks (void **state UNUSED)
{
  make_link ("hostetc", "/etc");
  make_link ("hostroot", "/");
  make_link ("chain", "hostetc"); /* relative, to another link */
  make_link ("up", "../../../../../../etc");
  make_link ("loop-a", "loop-b");
  make_link ("loop-b", "loop-a");
  make_link ("dangling", "/nonexistent-ocigate-dir/x");
  make_link ("varlink", "/var");

  cleanup_free char *hostetc = in_tmp ("hostetc");
  cleanup_free char *want = xasprintf ("bind mount of sensitive host path /etc (mounts[0].source=%s, resolved /etc, "
                                       "destination /mnt); remove the mount",
                                       hostetc);
  cleanup_free char *msg = bind_finding (hostetc);
  assert_non_null (msg);
  assert_string_equal (msg, want);

  cleanup_free char *hostetc_slash = xasprintf ("%s/", hostetc);
  assert_refused_as (hostetc_slash, "resolved /etc,");
  cleanup_free char *chain = in_tmp ("chain");
  assert_refused_as (chain, "sensitive host path /etc (");
  cleanup_free char *up = in_tmp ("up");
  assert_refused_as (up, "resolved /etc,");
  cleanup_free char *hostroot = in_tmp ("hostroot");
  assert_refused_as (hostroot, "sensitive host path / (");
  /* Through the link to /, the parent of /var/lib/docker. */
  cleanup_free char *via_root = in_tmp ("hostroot/var");
  assert_refused_as (via_root, "a parent of sensitive host path /var/lib/docker (");
  cleanup_free char *varlink = in_tmp ("varlink");
  assert_refused_as (varlink, "bind mount of host path /var, a parent of sensitive host path /var/lib/docker");
  /* The kernel's own link to the root. */
  assert_refused_as ("/proc/self/root", "sensitive host path / (mounts[0].source=/proc/self/root, resolved /,");

  /* Below a link to /etc is a child of /etc: not refused. */
  cleanup_free char *child = in_tmp ("hostetc/hostname");
  assert_allowed (child);
  cleanup_free char *missing_child = in_tmp ("hostetc/does-not-exist/x");
  assert_allowed (missing_child);
  /* A loop or a dangling link is taken as written: no crash, no finding. */
  cleanup_free char *loop = in_tmp ("loop-a/x");
  assert_allowed (loop);
  cleanup_free char *dangling = in_tmp ("dangling");
  assert_allowed (dangling);
  /* What does not exist is taken lexically, and ".." back into what
   * exists resumes resolution. */
  cleanup_free char *back = in_tmp ("missing/../hostetc");
  assert_refused_as (back, "resolved /etc,");
  cleanup_free char *missing_up = in_tmp ("no/such/../../hostroot/var/lib");
  assert_refused_as (missing_up, "a parent of sensitive host path /var/lib/docker (");
}

/* A parent of a sensitive path is refused; a child is not. */
static void
test_parent_and_child (void **state UNUSED)
{
  assert_refused_as ("/var", "bind mount of host path /var, a parent of sensitive host path /var/lib/docker "
                             "(mounts[0].source=/var, resolved /var, destination /mnt)");
  assert_refused_as ("/var/lib", "a parent of sensitive host path /var/lib/docker (");
  assert_refused_as ("/lib", "a parent of sensitive host path /");
  assert_refused_as ("/home/../var/lib/", "resolved /var/lib,");
  assert_refused_as ("/var/lib/docker", "sensitive host path /var/lib/docker (");
  assert_refused_as ("/var/lib/containers", "sensitive host path /var/lib/containers (");

  /* What Docker and Podman bind into every container. */
  assert_allowed ("/var/lib/docker/containers/1956b0949250e42eefdd4f5e17095601461c808c7183161038e2efc75fdbd88b/"
                  "resolv.conf");
  assert_allowed ("/var/lib/docker/containers/1956b0949250e42eefdd4f5e17095601461c808c7183161038e2efc75fdbd88b/hosts");
  assert_allowed ("/var/lib/containers/storage/overlay-containers/f9057fa44383/userdata/hostname");
  assert_allowed ("/run/containers/storage/overlay-containers/f9057fa44383/userdata/.containerenv");
  assert_allowed ("/etc/hosts");
  assert_allowed ("/dev/shm");
  assert_allowed ("/srv/data");
  assert_allowed ("/var/lib/docker-data"); /* a sibling, not a child */
  assert_allowed ("/etcetera");
}

/* Not a bind: a tmpfs or proc mount has no host source to judge. */
static void
test_not_a_bind (void **state UNUSED)
{
  struct judged j;
  judge (&j, POLICY ("deny"),
         "{'destination': '/etc', 'type': 'tmpfs', 'source': '/etc', 'options': ['nosuid']},"
         "{'destination': '/x', 'type': 'none', 'source': '/etc', 'options': ['rbind', 'ro']},"
         "{'destination': '/y', 'source': '/var', 'options': ['bind']}",
         NULL);
  /* "rbind" or "bind" in the options make a bind of any type. */
  assert_int_equal (j.v.n_findings, 2);
  assert_string_equal (j.v.findings[0].path, "/mounts/1/source");
  assert_contains (j.v.findings[0].message, "sensitive host path /etc (mounts[1].source=/etc,");
  assert_string_equal (j.v.findings[1].path, "/mounts/2/source");
  assert_contains (j.v.findings[1].message, "host path /var, a parent of");
  unit_judged_release (&j);
}

/* A relative source is taken from the bundle directory, as runc does. */
static void
test_relative_source (void **state UNUSED)
{
  make_link ("etc-in-bundle", "/etc");
  struct judged j;
  judge_with_bundle (&j, POLICY ("deny"),
                     "{'destination': '/a', 'type': 'bind', 'source': 'etc-in-bundle', 'options': ['rbind']},"
                     "{'destination': '/b', 'type': 'bind', 'source': 'rootfs/data', 'options': ['rbind']}",
                     NULL, tmpdir);
  assert_int_equal (j.v.n_findings, 1);
  assert_string_equal (j.v.findings[0].path, "/mounts/0/source");
  assert_contains (j.v.findings[0].message, "sensitive host path /etc (mounts[0].source=etc-in-bundle, resolved /etc,");
  unit_judged_release (&j);

  cleanup_free char *m = xasprintf ("{'destination': '/a', 'type': 'bind', 'source': '%s', 'options': ['rbind']}",
                                    "../../../../../../../../var");
  judge_with_bundle (&j, POLICY ("deny"), m, NULL, tmpdir);
  assert_int_equal (j.v.n_findings, 1);
  assert_contains (j.v.findings[0].message, "host path /var, a parent of sensitive host path /var/lib/docker");
  unit_judged_release (&j);
}

/* A bind of a UNIX socket, wherever it lies, known by what the source is
 * on this host (CIS Docker 5.32 names the Docker socket; a name says
 * nothing of what a path is). */
static void
test_sockets (void **state UNUSED)
{
  cleanup_free char *sub = in_tmp ("sock");
  if (mkdir (sub, 0755) < 0)
    fail_msg ("mkdir %s: %s", sub, strerror (errno));
  make_socket ("sock/docker.sock");
  make_socket ("sock/other.sock");
  make_link ("sock-link", "sock/docker.sock");
  make_link ("sock-chain", "sock-link");
  make_link ("sock-dir-link", "sock");
  cleanup_free char *sock = in_tmp ("sock/docker.sock");
  cleanup_free char *link = in_tmp ("sock-link");
  cleanup_free char *chain = in_tmp ("sock-chain");
  cleanup_free char *via_dir = in_tmp ("sock-dir-link/docker.sock");
  cleanup_free char *dotted = in_tmp ("sock/../sock/./docker.sock");
  cleanup_free char *file = in_tmp ("sock/plain");
  cleanup_close int fd = open (file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
  assert_true (fd >= 0);

  /* The socket itself, from a path no engine uses. */
  cleanup_free char *want = xasprintf ("bind mount of a UNIX socket (mounts[0].source=%s, resolved %s, destination "
                                       "/mnt): the container can use the service behind it with that service's "
                                       "rights on the host; remove the mount, or list the socket in "
                                       "rules.mounts.allowSockets",
                                       sock, sock);
  cleanup_free char *msg = bind_finding (sock);
  assert_non_null (msg);
  assert_string_equal (msg, want);
  /* Through links, the last one too (as mount(2) follows it): the
   * message names the socket the kernel finds. */
  cleanup_free char *resolved = xasprintf ("resolved %s,", sock);
  assert_refused_as (link, resolved);
  assert_refused_as (chain, resolved);
  assert_refused_as (via_dir, resolved);
  assert_refused_as (dotted, resolved);
  /* What is not a socket is not: a file, the directory holding sockets,
   * a path that does not exist (yet), a link to nothing. */
  assert_allowed (file);
  assert_allowed (sub);
  cleanup_free char *missing = in_tmp ("sock/not-yet.sock");
  assert_allowed (missing);
  make_link ("dangling-sock", "sock/not-yet.sock");
  cleanup_free char *dangling = in_tmp ("dangling-sock");
  assert_allowed (dangling);

  /* Relative to the bundle, as runc takes it. */
  struct judged j;
  judge_with_bundle (&j, POLICY ("deny"),
                     "{'destination': '/run/app.sock', 'type': 'bind', 'source': 'sock-link', 'options': ['rbind']}",
                     NULL, tmpdir);
  assert_int_equal (j.v.n_findings, 1);
  assert_string_equal (j.v.findings[0].path, "/mounts/0/source");
  assert_contains (j.v.findings[0].message, "bind mount of a UNIX socket (mounts[0].source=sock-link, resolved ");
  unit_judged_release (&j);

  /* allowSockets: by the socket's identity, so a link to it is it too;
   * another socket is still refused. */
  cleanup_free char *mounts = xasprintf ("{'destination': '/a', 'type': 'bind', 'source': '%s', 'options': ['rbind']},"
                                         "{'destination': '/b', 'type': 'bind', 'source': '%s', 'options': ['rbind']},"
                                         "{'destination': '/c', 'type': 'bind', 'source': '%s/other.sock', "
                                         "'options': ['rbind']}",
                                         sock, link, sub);
  cleanup_free char *allow_link = xasprintf (
      "{'version': 1, 'rules': {'mounts': {'action': 'deny', 'allowSockets': ['%s', '%s']}}}", chain, file);
  judge (&j, allow_link, mounts, NULL);
  assert_int_equal (j.v.n_findings, 1);
  assert_string_equal (j.v.findings[0].path, "/mounts/2/source");
  assert_contains (j.v.findings[0].message, "other.sock, resolved ");
  unit_judged_release (&j);
  judge (&j, POLICY ("warn"), mounts, NULL);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_WARN), 3);
  unit_judged_release (&j);

  /* Below a sensitive directory (as /run/containerd/containerd.sock is
   * below /run/containerd) a socket is still a socket; a socket that is a
   * sensitive path keeps that finding alone, allowed or not. */
  cleanup_free char *sens = xasprintf ("{'version': 1, 'rules': {'mounts': {'action': 'deny', 'sensitive': ['%s', "
                                       "'%s'], 'allowSockets': ['%s']}}}",
                                       sub, sock, sock);
  judge (&j, sens, mounts, NULL);
  assert_int_equal (j.v.n_findings, 3);
  assert_contains (j.v.findings[0].message, "bind mount of sensitive host path ");
  assert_contains (j.v.findings[1].message, "bind mount of sensitive host path ");
  assert_contains (j.v.findings[2].message, "bind mount of a UNIX socket (mounts[2]");
  unit_judged_release (&j);

  /* Not a bind: a socket named as the source of a tmpfs is no host path. */
  cleanup_free char *tmpfs = xasprintf ("{'destination': '/a', 'type': 'tmpfs', 'source': '%s'}", sock);
  judge (&j, POLICY ("deny"), tmpfs, NULL);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

/* CIS Docker 5.20: no shared propagation, in a mount or for the root. */
static void
test_shared_propagation (void **state UNUSED)
{
  struct judged j;
  judge (&j, POLICY ("deny"),
         "{'destination': '/x', 'type': 'bind', 'source': '/srv/shared', 'options': ['rbind', 'rshared']},"
         "{'destination': '/y', 'type': 'bind', 'source': '/srv/y', 'options': ['shared', 'rbind', 'rprivate']},"
         "{'destination': '/z', 'type': 'bind', 'source': '/srv/z', 'options': ['rslave', 'rbind', 'shared']}",
         "{'rootfsPropagation': 'shared'}");
  assert_int_equal (j.v.n_findings, 3);
  const struct finding *root = unit_find (&j.v, RULE, "root file system");
  assert_non_null (root);
  assert_string_equal (root->path, "/linux/rootfsPropagation");
  assert_string_equal (root->message, "root file system propagation is shared with the host "
                                      "(linux.rootfsPropagation=shared); make it private or slave, and give no mount "
                                      "bind-propagation=shared or rshared");
  const struct finding *x = unit_find (&j.v, RULE, "mounts[0]");
  assert_non_null (x);
  assert_string_equal (x->path, "/mounts/0/options/1");
  assert_string_equal (x->message, "mount propagation is shared with the host (mounts[0].options[1]=rshared, "
                                   "destination /x); make it private or slave (bind-propagation=rprivate or rslave)");
  /* The last propagation option is the one that takes effect. */
  assert_null (unit_find (&j.v, RULE, "mounts[1]"));
  const struct finding *z = unit_find (&j.v, RULE, "mounts[2]");
  assert_non_null (z);
  assert_string_equal (z->path, "/mounts/2/options/2");
  unit_judged_release (&j);

  judge (&j, POLICY ("deny"), "{'destination': '/x', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['rshared']}",
         "{'rootfsPropagation': 'rshared'}");
  assert_int_equal (j.v.n_findings, 2);
  assert_non_null (unit_find (&j.v, RULE, "linux.rootfsPropagation=rshared"));
  unit_judged_release (&j);

  judge (&j, POLICY ("deny"), "{'destination': '/x', 'type': 'bind', 'source': '/srv/x', 'options': ['rslave']}",
         "{'rootfsPropagation': 'slave'}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

/* /sys and cgroups read-only: the last of ro/rw decides. */
static void
test_sysfs_and_cgroup (void **state UNUSED)
{
  struct judged j;
  judge (&j, POLICY ("deny"),
         "{'destination': '/sys', 'type': 'sysfs', 'source': 'sysfs', 'options': ['nosuid', 'rw']},"
         "{'destination': '/sys/fs/cgroup', 'type': 'cgroup', 'source': 'cgroup', 'options': ['ro', 'rw']},"
         "{'destination': '/c2', 'type': 'cgroup2', 'source': 'cgroup'},"
         "{'destination': '/s2', 'type': 'sysfs', 'source': 'sysfs', 'options': ['rw', 'ro']}",
         NULL);
  assert_int_equal (j.v.n_findings, 3);
  const struct finding *sys = unit_find (&j.v, RULE, "sysfs is writable");
  assert_non_null (sys);
  assert_string_equal (sys->path, "/mounts/0/options");
  assert_string_equal (sys->message, "sysfs is writable (mounts[0]: type=sysfs, destination /sys, no \"ro\" option); "
                                     "add \"ro\" to its options (a writable /sys comes with --privileged)");
  const struct finding *cg = unit_find (&j.v, RULE, "mounts[1]");
  assert_non_null (cg);
  assert_string_equal (cg->path, "/mounts/1/options");
  assert_string_equal (cg->message, "cgroup file system is writable (mounts[1]: type=cgroup, destination "
                                    "/sys/fs/cgroup, no \"ro\" option, no user namespace); add \"ro\" to its options "
                                    "(engines mount cgroups writable for --privileged, and Docker's userns-remap for "
                                    "the user namespace --userns host takes away)");
  const struct finding *c2 = unit_find (&j.v, RULE, "mounts[2]");
  assert_non_null (c2);
  assert_string_equal (c2->path, "/mounts/2"); /* no options to point at */
  assert_contains (c2->message, "type=cgroup2, destination /c2,");
  unit_judged_release (&j);

  /* A writable cgroup mount in a user namespace (Docker --userns-remap). */
  judge (&j, POLICY ("deny"), "{'destination': '/sys/fs/cgroup', 'type': 'cgroup', 'source': 'cgroup'}",
         "{'namespaces': [{'type': 'user'}, {'type': 'mount'}]}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* A bind of the host's cgroups or anything in /sys is judged the same. */
  judge (&j, POLICY ("deny"),
         "{'destination': '/cg', 'type': 'bind', 'source': '/sys/fs/cgroup', 'options': ['rbind']},"
         "{'destination': '/dbg', 'type': 'bind', 'source': '/sys/kernel/debug', 'options': ['rbind']},"
         "{'destination': '/fw', 'type': 'bind', 'source': '/sys/firmware', 'options': ['rbind', 'ro']}",
         NULL);
  assert_int_equal (j.v.n_findings, 2);
  assert_contains (unit_find (&j.v, RULE, "mounts[0]")->message,
                   "cgroup file system is writable (mounts[0]: bind of /sys/fs/cgroup, destination /cg,");
  assert_contains (unit_find (&j.v, RULE, "mounts[1]")->message,
                   "sysfs is writable (mounts[1]: bind of /sys/kernel/debug, destination /dbg,");
  unit_judged_release (&j);
}

/* Rootless runc and podman --uidmap --network host bind the host's /sys
 * onto /sys, and podman --uidmap --pid host the host's /proc onto /proc:
 * in a user namespace those stand in for mounts it cannot make. */
static void
test_runtime_substitutes (void **state UNUSED)
{
  static const char *const sys_ro
      = "{'destination': '/sys', 'type': 'none', 'source': '/sys', 'options': ['rbind', 'nosuid', 'ro']}";
  struct judged j;
  judge (&j, POLICY ("deny"), sys_ro, "{'namespaces': [{'type': 'user'}, {'type': 'pid'}]}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* Without a user namespace it is real root with the host's /sys. */
  judge (&j, POLICY ("deny"), sys_ro, "{'namespaces': [{'type': 'pid'}]}");
  assert_int_equal (j.v.n_findings, 1);
  assert_contains (j.v.findings[0].message, "bind mount of sensitive host path /sys (mounts[0].source=/sys,");
  unit_judged_release (&j);

  /* Writable, it is still writable sysfs. */
  judge (&j, POLICY ("deny"), "{'destination': '/sys', 'type': 'bind', 'source': '/sys', 'options': ['rbind']}",
         "{'namespaces': [{'type': 'user'}]}");
  assert_int_equal (j.v.n_findings, 1);
  assert_contains (j.v.findings[0].message, "sysfs is writable (mounts[0]: bind of /sys, destination /sys,");
  unit_judged_release (&j);

  /* Elsewhere than /sys it is a bind of /sys. */
  judge (&j, POLICY ("deny"), "{'destination': '/host-sys', 'type': 'bind', 'source': '/sys', 'options': ['ro']}",
         "{'namespaces': [{'type': 'user'}]}");
  assert_int_equal (j.v.n_findings, 1);
  assert_contains (j.v.findings[0].message, "sensitive host path /sys (");
  unit_judged_release (&j);

  static const char *const proc
      = "{'destination': '/proc', 'type': 'bind', 'source': '/proc', 'options': ['rbind', 'nosuid', 'rw']}";
  judge (&j, POLICY ("deny"), proc, "{'namespaces': [{'type': 'user'}, {'type': 'mount'}]}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
  /* With a PID namespace of its own, the host's /proc shows the host's
   * processes: refused. */
  judge (&j, POLICY ("deny"), proc, "{'namespaces': [{'type': 'user'}, {'type': 'pid'}]}");
  assert_int_equal (j.v.n_findings, 1);
  assert_contains (j.v.findings[0].message, "sensitive host path /proc (");
  unit_judged_release (&j);
  judge (&j, POLICY ("deny"), proc, "{'namespaces': [{'type': 'mount'}]}");
  assert_int_equal (j.v.n_findings, 1);
  unit_judged_release (&j);
  /* The host's own user namespace is no user namespace. */
  judge (&j, POLICY ("deny"), proc, "{'namespaces': [{'type': 'user', 'path': '/proc/self/ns/user'}]}");
  assert_int_equal (j.v.n_findings, 1);
  unit_judged_release (&j);
}

static void
test_require_read_only_binds (void **state UNUSED)
{
  static const char *const binds
      = "{'destination': '/a', 'type': 'bind', 'source': '/srv/a', 'options': ['rbind', 'rprivate']},"
        "{'destination': '/b', 'type': 'bind', 'source': '/srv/b', 'options': ['rbind', 'ro']},"
        "{'destination': '/c', 'source': '/srv/c', 'options': ['ro', 'bind', 'rw']},"
        "{'destination': '/d', 'type': 'tmpfs', 'source': 'tmpfs'}";
  struct judged j;
  judge (&j, POLICY ("deny"), binds, NULL);
  assert_int_equal (j.v.n_findings, 0); /* off by default */
  unit_judged_release (&j);

  judge (&j, "{'version': 1, 'rules': {'mounts': {'action': 'warn', 'requireReadOnlyBinds': true}}}", binds, NULL);
  assert_int_equal (j.v.n_findings, 2);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_WARN), 2);
  const struct finding *a = unit_find (&j.v, RULE, "mounts[0]");
  assert_non_null (a);
  assert_string_equal (a->path, "/mounts/0/options");
  assert_string_equal (a->message, "bind mount is writable (mounts[0].source=/srv/a, destination /a, no \"ro\" "
                                   "option); add \"ro\" to its options (-v SRC:DST:ro), as "
                                   "rules.mounts.requireReadOnlyBinds asks");
  assert_null (unit_find (&j.v, RULE, "mounts[1]"));
  assert_non_null (unit_find (&j.v, RULE, "mounts[2].source=/srv/c"));
  assert_int_equal (verdict_decide (&j.v), DECISION_ALLOW);
  unit_judged_release (&j);
}

/* The policy's own list replaces the default one. */
static void
test_sensitive_option (void **state UNUSED)
{
  static const char *const policy
      = "{'version': 1, 'rules': {'mounts': {'action': 'deny', 'sensitive': ['/srv/secret//', '/opt/x/../vault']}}}";
  struct judged j;
  judge (&j, policy,
         "{'destination': '/a', 'type': 'bind', 'source': '/srv/secret', 'options': ['rbind']},"
         "{'destination': '/b', 'type': 'bind', 'source': '/opt', 'options': ['rbind']},"
         "{'destination': '/c', 'type': 'bind', 'source': '/etc', 'options': ['rbind']}",
         NULL);
  assert_int_equal (j.v.n_findings, 2);
  assert_contains (j.v.findings[0].message, "sensitive host path /srv/secret (mounts[0]");
  assert_contains (j.v.findings[1].message, "host path /opt, a parent of sensitive host path /opt/vault (mounts[1]");
  unit_judged_release (&j);

  cleanup_free char *rel = dq ("{'version': 1,\n 'rules': {'mounts': {'action': 'deny',\n 'sensitive': ['/etc',\n "
                               "'var/lib']}}}");
  cleanup_free char *msg = unit_policy_error (rel);
  assert_string_equal (msg, "test-policy.json:4: rules.mounts.sensitive[1]: must be an absolute path (a string "
                            "starting with /)");
  cleanup_free char *notlist = dq ("{'version': 1, 'rules': {'mounts': {'action': 'deny', 'sensitive': '/etc'}}}");
  cleanup_free char *msg2 = unit_policy_error (notlist);
  assert_contains (msg2, "rules.mounts.sensitive: must be an array of absolute paths");
  cleanup_free char *boolean
      = dq ("{'version': 1, 'rules': {'mounts': {'action': 'deny', 'requireReadOnlyBinds': 'yes'}}}");
  cleanup_free char *msg3 = unit_policy_error (boolean);
  assert_contains (msg3, "rules.mounts.requireReadOnlyBinds: must be true or false");
  cleanup_free char *unknown = dq ("{'version': 1, 'rules': {'mounts': {'action': 'deny', 'allow': []}}}");
  cleanup_free char *msg4 = unit_policy_error (unknown);
  assert_contains (msg4, "rules.mounts.allow: unknown option (this rule takes: action, sensitive, "
                         "allowSockets, requireReadOnlyBinds)");
  cleanup_free char *relsock
      = dq ("{'version': 1, 'rules': {'mounts': {'action': 'deny', 'allowSockets': ['run/app.sock']}}}");
  cleanup_free char *msg6 = unit_policy_error (relsock);
  assert_contains (msg6, "rules.mounts.allowSockets[0]: must be an absolute path (a string starting with /)");
  cleanup_free char *fix = dq ("{'version': 1, 'rules': {'mounts': {'action': 'fix'}}}");
  cleanup_free char *msg5 = unit_policy_error (fix);
  assert_contains (msg5, "\"fix\" is not an action of this rule (\"off\", \"warn\", \"deny\")");
}

static void
test_actions (void **state UNUSED)
{
  cleanup_free char *m = bind_of ("/etc", NULL);
  struct judged j;
  judge (&j, POLICY ("warn"), m, NULL);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_WARN), 1);
  assert_int_equal (verdict_decide (&j.v), DECISION_ALLOW);
  unit_judged_release (&j);
  judge (&j, POLICY ("off"), m, NULL);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

/* Wrong types cannot be judged: exit 2, naming the field. */
static void
test_input_errors (void **state UNUSED)
{
  static const struct
  {
    const char *config;
    const char *message;
  } cases[] = {
    { "{'process': {}, 'mounts': {}}", "config.json: rule mounts: mounts: must be an array, not object {}" },
    { "{'process': {}, 'mounts': [1]}", "config.json: rule mounts: mounts[0]: must be an object, not int 1" },
    { "{'process': {}, 'mounts': [{'destination': '/a'}, {'destination': '/b', 'options': 'ro'}]}",
      "config.json: rule mounts: mounts[1].options: must be an array of strings, not string \"ro\"" },
    { "{'process': {}, 'mounts': [{'destination': '/a', 'options': ['ro', 3]}]}",
      "config.json: rule mounts: mounts[0].options[1]: must be a string, not int 3 (mounts[0].options must be an "
      "array of strings)" },
    { "{'process': {}, 'mounts': [{'destination': '/a', 'source': 7}]}",
      "config.json: rule mounts: mounts[0].source: must be a string, not int 7" },
    { "{'process': {}, 'mounts': [{'destination': '/a', 'type': ['bind']}]}",
      "config.json: rule mounts: mounts[0].type: must be a string, not array [\"bind\"]" },
    { "{'process': {}, 'mounts': [{'type': 'tmpfs'}]}", "config.json: rule mounts: mounts[0].destination: missing" },
    { "{'process': {}, 'mounts': [{'destination': '/a', 'type': 'bind'}]}",
      "config.json: rule mounts: mounts[0].source: missing (a bind mount needs one)" },
    { "{'process': {}, 'linux': {'rootfsPropagation': true}}",
      "config.json: rule mounts: linux.rootfsPropagation: must be a string, not boolean true" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *msg = judge_error (POLICY ("deny"), cases[i].config);
      assert_contains (msg, cases[i].message);
    }

  /* The limit on judged entries. */
  struct strbuf sb = { 0 };
  strbuf_append (&sb, "{'process': {}, 'mounts': [");
  for (int i = 0; i < 4097; i++)
    strbuf_appendf (&sb, "%s{'destination': '/m%d', 'type': 'tmpfs'}", i ? "," : "", i);
  strbuf_append (&sb, "]}");
  cleanup_free char *msg = judge_error (POLICY ("deny"), sb.buf);
  assert_string_equal (msg, "config.json: rule mounts: mounts: 4097 mounts, more than the limit of 4096");
  strbuf_release (&sb);

  /* A source the kernel would refuse, and a config built to make
   * resolution expensive: cannot be judged, and quickly. */
  strbuf_append (&sb, "{'process': {}, 'mounts': [{'destination': '/a', 'type': 'bind', 'source': '/x");
  for (int i = 0; i < 4094; i++)
    strbuf_append (&sb, "y");
  strbuf_append (&sb, "'}]}");
  cleanup_free char *too_long = judge_error (POLICY ("deny"), sb.buf);
  assert_string_equal (too_long, "config.json: rule mounts: mounts[0].source: 4096 bytes, more than the kernel's "
                                 "limit on a path (4095)");
  strbuf_release (&sb);

  strbuf_append (&sb, "{'process': {}, 'mounts': [");
  for (int i = 0; i < 200; i++)
    {
      strbuf_appendf (&sb, "%s{'destination': '/m%d', 'type': 'bind', 'source': '", i ? "," : "", i);
      for (int k = 0; k < 500; k++)
        strbuf_append (&sb, "/etc/..");
      strbuf_append (&sb, "/srv'}");
    }
  strbuf_append (&sb, "]}");
  cleanup_free char *budget = judge_error (POLICY ("deny"), sb.buf);
  assert_contains (budget, "config.json: rule mounts: mounts[");
  assert_contains (budget, "].source: the bind sources need more than 16384 path lookups to resolve; cannot be "
                           "judged");
  strbuf_release (&sb);
}

static void
judge_fixture (const char *name, struct verdict *v, struct policy **pol, struct oci_config **cfg,
               struct host_info *host)
{
  *pol = unit_policy_rule (RULE, "{\"action\": \"deny\"}");
  ocigate_error_t err = NULL;
  cleanup_free char *path = xasprintf ("tests/fixtures/%s", name);
  if (oci_config_load_file (path, cfg, &err) < 0)
    fail_msg ("fixture did not load: %s", err->msg);
  unit_host (host, 0, 0);
  struct rule_context ctx = { .config = *cfg, .host = host };
  if (ocigate_evaluate (*pol, &ctx, v, &err) < 0)
    fail_msg ("%s: %s", name, err->msg);
}

/* What the engines really wrote. */
static void
test_fixtures (void **state UNUSED)
{
  static const struct
  {
    const char *name;
    size_t findings;
    const char *needle;
    const char *path;
  } cases[] = {
    { "docker-default.json", 0, NULL, NULL },
    { "podman-default.json", 0, NULL, NULL },
    { "ctr-default.json", 0, NULL, NULL },
    { "runc-spec.json", 0, NULL, NULL },
    { "crun-spec.json", 0, NULL, NULL },
    { "runc-spec-rootless.json", 0, NULL, NULL },
    { "crun-spec-rootless.json", 0, NULL, NULL },
    { "docker-userns-remap.json", 0, NULL, NULL },
    { "podman-uidmap-network-host.json", 0, NULL, NULL },
    { "podman-uidmap-pid-host.json", 0, NULL, NULL },
    { "docker-ipc-host.json", 0, NULL, NULL },
    { "ctr-net-host.json", 0, NULL, NULL },
    { "docker-readonly.json", 0, NULL, NULL },
    { "docker-docker-sock.json", 1, "sensitive host path /run/docker.sock (mounts[10].source=/var/run/docker.sock,",
      "/mounts/10/source" },
    { "docker-etc-bind.json", 1,
      "bind mount of sensitive host path /etc (mounts[7].source=/etc, resolved /etc, destination /host-etc); remove "
      "the mount",
      "/mounts/7/source" },
    { "docker-rshared.json", 2, "(mounts[7].options[1]=rshared, destination /x)", "/mounts/7/options/1" },
    { "docker-privileged.json", 2, "cgroup file system is writable (mounts[4]", "/mounts/4/options" },
    { "podman-privileged.json", 2, "sysfs is writable (mounts[2]", "/mounts/2/options" },
    { "ctr-privileged.json", 1, "sysfs is writable (mounts[5]", "/mounts/5/options" },
    { "docker-userns-remap-userns-host.json", 1, "cgroup file system is writable", "/mounts/4/options" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      struct verdict v = { 0 };
      struct policy *pol;
      struct oci_config *cfg;
      struct host_info host;
      judge_fixture (cases[i].name, &v, &pol, &cfg, &host);
      if (v.n_findings != cases[i].findings)
        fail_msg ("%s: %zu findings, want %zu%s%s", cases[i].name, v.n_findings, cases[i].findings,
                  v.n_findings ? "; first: " : "", v.n_findings ? v.findings[0].message : "");
      if (cases[i].needle)
        {
          const struct finding *f = unit_find (&v, RULE, cases[i].needle);
          if (f == NULL)
            fail_msg ("%s: no finding with \"%s\"", cases[i].name, cases[i].needle);
          assert_string_equal (f->path, cases[i].path);
        }
      verdict_release (&v);
      host_info_release (&host);
      oci_config_free (cfg);
      policy_free (pol);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_docker_socket),
    cmocka_unit_test (test_lexical_forms),
    cmocka_unit_test (test_symlinks),
    cmocka_unit_test (test_parent_and_child),
    cmocka_unit_test (test_not_a_bind),
    cmocka_unit_test (test_relative_source),
    cmocka_unit_test (test_sockets),
    cmocka_unit_test (test_shared_propagation),
    cmocka_unit_test (test_sysfs_and_cgroup),
    cmocka_unit_test (test_runtime_substitutes),
    cmocka_unit_test (test_require_read_only_binds),
    cmocka_unit_test (test_sensitive_option),
    cmocka_unit_test (test_actions),
    cmocka_unit_test (test_input_errors),
    cmocka_unit_test (test_fixtures),
  };
  return cmocka_run_group_tests_name ("rule mounts", tests, make_tmpdir, remove_tmpdir);
}
