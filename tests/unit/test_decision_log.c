/* Unit tests for the decision log: who a container is, from its engine's
 * annotations (the real configs of tests/fixtures), the line that names
 * it, the file a line is appended to (made, refused, rotated) and the mark
 * the precreate hook leaves for the prestart hook.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "unit.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gate/decision_log.h"
#include "gate/identity.h"

static void
identity_of_file (const char *path, struct container_identity *id)
{
  cleanup_oci_config struct oci_config *cfg = NULL;
  cleanup_error ocigate_error_t err = NULL;
  if (oci_config_load_file (path, &cfg, &err) < 0)
    fail_msg ("%s", err->msg);
  container_identity_from_config (cfg->root, id);
}

/* Every fixture: Podman's name their engine and give the ID their
 * .containerenv comes from; Docker 20.10, ctr, runc and crun say nothing. */
static void
test_identity_fixtures (void **state UNUSED)
{
  cleanup_dir DIR *d = opendir ("tests/fixtures");
  assert_non_null (d);
  size_t podman = 0, silent = 0;
  for (struct dirent *e; (e = readdir (d));)
    {
      size_t n = strlen (e->d_name);
      if (n < 6 || strcmp (e->d_name + n - 5, ".json") != 0)
        continue;
      cleanup_free char *path = xasprintf ("tests/fixtures/%s", e->d_name);
      cleanup_container_identity struct container_identity id = { 0 };
      identity_of_file (path, &id);
      assert_null (id.name);
      assert_null (id.image);
      assert_null (id.pod);
      assert_null (id.namespace);
      if (strncmp (e->d_name, "podman-", 7) == 0)
        {
          podman++;
          assert_string_equal (id.engine, "podman");
          assert_non_null (id.id);
          assert_int_equal (strlen (id.id), 64);
          assert_int_equal (strspn (id.id, "0123456789abcdef"), 64);
        }
      else
        {
          silent++;
          assert_null (id.engine);
          assert_null (id.id);
        }
    }
  assert_true (podman >= 10);
  assert_true (silent >= 20);
  /* The one podman-default.json was made with. */
  cleanup_container_identity struct container_identity id = { 0 };
  identity_of_file ("tests/fixtures/podman-default.json", &id);
  assert_string_equal (id.id, "f9057fa44383aaac2168c48a9491d2d4189a5134e510bb9c60f60f72c3ba8ab1");
}

/* A fixture given the annotations an engine writes (containerd's CRI
 * plugin, CRI-O and nerdctl are not among the fixtures' engines). */
static void
identity_with (const char *annotations, struct container_identity *id)
{
  cleanup_free char *buf = NULL;
  size_t len = 0;
  cleanup_error ocigate_error_t err = NULL;
  if (read_file_limited ("tests/fixtures/ctr-image-default.json", OCIGATE_MAX_CONFIG_BYTES, &buf, &len, &err) < 0)
    fail_msg ("%s", err->msg);
  cleanup_json json_object *root = NULL;
  cleanup_json json_object *a = NULL;
  cleanup_free char *ann = dq (annotations);
  if (json_parse_untrusted (buf, len, "config", &root, &err) < 0
      || json_parse_untrusted (ann, strlen (ann), "annotations", &a, &err) < 0)
    fail_msg ("%s", err->msg);
  json_object_object_add (root, "annotations", json_object_get (a));
  container_identity_from_config (root, id);
}

static void
test_identity_cri_containerd (void **state UNUSED)
{
  cleanup_container_identity struct container_identity id = { 0 };
  identity_with ("{'io.kubernetes.cri.container-type': 'container', 'io.kubernetes.cri.container-name': 'web', "
                 "'io.kubernetes.cri.image-name': 'docker.io/library/nginx:1.25', "
                 "'io.kubernetes.cri.sandbox-id': 'abc', 'io.kubernetes.cri.sandbox-name': 'web-7d9f', "
                 "'io.kubernetes.cri.sandbox-namespace': 'shop'}",
                 &id);
  assert_string_equal (id.engine, "containerd");
  assert_string_equal (id.name, "web");
  assert_string_equal (id.image, "docker.io/library/nginx:1.25");
  assert_string_equal (id.pod, "web-7d9f");
  assert_string_equal (id.namespace, "shop");
  assert_null (id.id); /* a container's ID is the runtime's to say */
  container_identity_release (&id);
  /* The pod's sandbox: no container name, its sandbox ID. */
  identity_with ("{'io.kubernetes.cri.container-type': 'sandbox', 'io.kubernetes.cri.sandbox-id': 'abc', "
                 "'io.kubernetes.cri.sandbox-name': 'web-7d9f', 'io.kubernetes.cri.sandbox-namespace': 'shop'}",
                 &id);
  assert_string_equal (id.engine, "containerd");
  assert_null (id.name);
  assert_string_equal (id.id, "abc");
  assert_string_equal (id.pod, "web-7d9f");
}

static void
test_identity_crio (void **state UNUSED)
{
  cleanup_container_identity struct container_identity id = { 0 };
  identity_with ("{'io.container.manager': 'cri-o', 'io.kubernetes.container.name': 'web', "
                 "'io.kubernetes.cri-o.ImageName': 'quay.io/x/web:2', 'io.kubernetes.pod.name': 'web-1', "
                 "'io.kubernetes.pod.namespace': 'shop', 'io.kubernetes.cri-o.ContainerID': 'c0ffee', "
                 "'io.kubernetes.cri-o.Created': '2026-11-22T21:59:57Z'}",
                 &id);
  assert_string_equal (id.engine, "cri-o");
  assert_string_equal (id.name, "web");
  assert_string_equal (id.image, "quay.io/x/web:2");
  assert_string_equal (id.pod, "web-1");
  assert_string_equal (id.namespace, "shop");
  assert_string_equal (id.id, "c0ffee");
}

static void
test_identity_nerdctl (void **state UNUSED)
{
  cleanup_container_identity struct container_identity id = { 0 };
  identity_with ("{'nerdctl/name': 'db', 'nerdctl/namespace': 'default', 'nerdctl/hostname': 'db'}", &id);
  assert_string_equal (id.engine, "nerdctl");
  assert_string_equal (id.name, "db");
  assert_string_equal (id.namespace, "default");
  assert_null (id.image);
}

/* Values are the config writer's: bounded, and only strings count. */
static void
test_identity_bounded (void **state UNUSED)
{
  struct strbuf long_name = { 0 };
  strbuf_append (&long_name, "{'nerdctl/name': '");
  for (int i = 0; i < 1000; i++)
    strbuf_append (&long_name, "n");
  strbuf_append (&long_name, "', 'nerdctl/namespace': 7}");
  cleanup_container_identity struct container_identity id = { 0 };
  identity_with (long_name.buf, &id);
  strbuf_release (&long_name);
  assert_int_equal (strlen (id.name), CONTAINER_IDENTITY_MAX + 3);
  assert_string_equal (id.name + CONTAINER_IDENTITY_MAX, "...");
  assert_null (id.namespace);
}

static char *
temp_dir (void)
{
  char *dir = xstrdup ("/tmp/ocigate-log-XXXXXX");
  if (mkdtemp (dir) == NULL)
    fail_msg ("mkdtemp");
  return dir;
}

static void
remove_tree (const char *dir)
{
  cleanup_free char *cmd = xasprintf ("rm -rf '%s'", dir);
  if (system (cmd) != 0)
    fail_msg ("%s", cmd);
}

/* Docker's own record, beside the files it binds: DATA-ROOT/containers/ID. */
static void
test_identity_docker_record (void **state UNUSED)
{
  cleanup_free char *top = temp_dir ();
  static const char id[] = "1956b0949250e42eefdd4f5e17095601461c808c7183161038e2efc75fdbd88b";
  cleanup_free char *dir = xasprintf ("%s/containers/%s", top, id);
  cleanup_free char *parent = xasprintf ("%s/containers", top);
  cleanup_free char *record = xasprintf ("%s/config.v2.json", dir);
  assert_int_equal (mkdir (parent, 0700), 0);
  assert_int_equal (mkdir (dir, 0700), 0);
  FILE *f = fopen (record, "w");
  assert_non_null (f);
  fputs ("{\"ID\": \"x\", \"Name\": \"/web\", \"Config\": {\"Image\": \"nginx:1.25\", \"Env\": []}}", f);
  assert_int_equal (fclose (f), 0);
  /* docker-default.json, its /etc/hostname bound from this record's directory */
  cleanup_free char *buf = NULL;
  size_t len = 0;
  cleanup_error ocigate_error_t err = NULL;
  cleanup_json json_object *root = NULL;
  if (read_file_limited ("tests/fixtures/docker-default.json", OCIGATE_MAX_CONFIG_BYTES, &buf, &len, &err) < 0
      || json_parse_untrusted (buf, len, "config", &root, &err) < 0)
    fail_msg ("%s", err->msg);
  cleanup_free char *hostname = xasprintf ("%s/hostname", dir);
  json_object *mounts = json_get (root, "mounts");
  for (size_t i = 0; i < json_object_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      const char *dest = json_object_get_string (json_get (m, "destination"));
      if (strcmp (dest, "/etc/hostname") == 0)
        json_object_object_add (m, "source", json_object_new_string (hostname));
    }
  cleanup_container_identity struct container_identity who = { 0 };
  container_identity_from_config (root, &who);
  assert_null (who.engine);
  assert_int_equal (container_identity_from_docker (root, id, &who, &err), 0);
  assert_string_equal (who.engine, "docker");
  assert_string_equal (who.name, "web");
  assert_string_equal (who.image, "nginx:1.25");
  container_identity_release (&who);
  /* another container's ID, or none: not this record */
  assert_int_equal (container_identity_from_docker (root, "c1", &who, &err), 0);
  assert_null (who.engine);
  assert_int_equal (container_identity_from_docker (root, NULL, &who, &err), 0);
  assert_null (who.engine);
  /* a record others may write is not believed */
  assert_int_equal (chmod (record, 0666), 0);
  assert_int_equal (container_identity_from_docker (root, id, &who, &err), -1);
  assert_non_null (strstr (err->msg, "docker record"));
  assert_null (who.name);
  remove_tree (top);
}

/* The line: the identity's members, escaped, after the bundle; the ID
 * from the annotations only where the runtime gave none. */
static void
test_line_fields (void **state UNUSED)
{
  struct container_identity who = {
    .engine = "containerd",
    .id = (char *)"from-annotations",
    .name = (char *)"we\"b\n",
    .image = (char *)"nginx",
    .pod = (char *)"p",
    .namespace = (char *)"ns",
  };
  struct gate g = { .where = "hook precreate", .identity = &who };
  cleanup_verdict struct verdict v = { 0 };
  verdict_add_finding (&v, "a", ACTION_WARN, "/x", "finding");
  cleanup_free char *line = gate_log_line (&g, &v, GATE_ALLOW, NULL);
  cleanup_json json_object *j = NULL;
  cleanup_error ocigate_error_t err = NULL;
  if (json_parse_untrusted (line, strlen (line), "line", &j, &err) < 0)
    fail_msg ("%s: %s", err->msg, line);
  assert_string_equal (json_object_get_string (json_get (j, "id")), "from-annotations");
  assert_string_equal (json_object_get_string (json_get (j, "name")), "we\"b\n");
  assert_string_equal (json_object_get_string (json_get (j, "image")), "nginx");
  assert_string_equal (json_object_get_string (json_get (j, "pod")), "p");
  assert_string_equal (json_object_get_string (json_get (j, "namespace")), "ns");
  assert_string_equal (json_object_get_string (json_get (j, "engine")), "containerd");
  assert_non_null (strstr (line, "\"bundle\": \"\", \"name\": \"we\\\"b\\n\", \"image\": \"nginx\""));
  g.id = "c1";
  cleanup_free char *line2 = gate_log_line (&g, &v, GATE_ALLOW, NULL);
  assert_non_null (strstr (line2, "\"id\": \"c1\""));
  /* Nothing known: no member at all. */
  g.identity = NULL;
  cleanup_free char *line3 = gate_log_line (&g, &v, GATE_ALLOW, NULL);
  assert_null (strstr (line3, "\"name\""));
  assert_null (strstr (line3, "\"engine\""));
}

static size_t
size_of (const char *path)
{
  struct stat st;
  return lstat (path, &st) == 0 ? (size_t)st.st_size : 0;
}

/* The directory made 0700, the file 0600, one line a call. */
static void
test_append_makes (void **state UNUSED)
{
  cleanup_free char *top = temp_dir ();
  cleanup_free char *path = xasprintf ("%s/ocigate/decisions.log", top);
  cleanup_free char *dir = xasprintf ("%s/ocigate", top);
  cleanup_error ocigate_error_t err = NULL;
  assert_int_equal (decision_log_append (path, 0, "{\"a\": 1}\n", 9, &err), 0);
  assert_int_equal (decision_log_append (path, 0, "{\"a\": 2}\n", 9, &err), 0);
  struct stat st;
  assert_int_equal (stat (dir, &st), 0);
  assert_int_equal (st.st_mode & 07777, 0700);
  assert_int_equal (stat (path, &st), 0);
  assert_int_equal (st.st_mode & 07777, 0600);
  assert_int_equal (st.st_size, 18);
  remove_tree (top);
}

/* A link in the file's place, a directory others may write: no line. */
static void
test_append_refuses (void **state UNUSED)
{
  cleanup_free char *top = temp_dir ();
  cleanup_free char *path = xasprintf ("%s/decisions.log", top);
  cleanup_free char *target = xasprintf ("%s/elsewhere", top);
  cleanup_error ocigate_error_t err = NULL;
  assert_int_equal (symlink (target, path), 0);
  assert_int_equal (decision_log_append (path, 0, "x\n", 2, &err), -1);
  assert_non_null (strstr (err->msg, "open log"));
  assert_int_equal (access (target, F_OK), -1);
  ocigate_error_free (&err);
  assert_int_equal (unlink (path), 0);
  assert_int_equal (chmod (top, 0777), 0);
  assert_int_equal (decision_log_append (path, 0, "x\n", 2, &err), -1);
  assert_non_null (strstr (err->msg, "log directory"));
  assert_int_equal (access (path, F_OK), -1);
  ocigate_error_free (&err);
  /* A FIFO is not waited on. */
  assert_int_equal (chmod (top, 0700), 0);
  assert_int_equal (mkfifo (path, 0600), 0);
  assert_int_equal (decision_log_append (path, 0, "x\n", 2, &err), -1);
  remove_tree (top);
}

/* Past the bound the file becomes FILE.1, the one before replaced. */
static void
test_append_rotates (void **state UNUSED)
{
  cleanup_free char *top = temp_dir ();
  cleanup_free char *path = xasprintf ("%s/decisions.log", top);
  cleanup_free char *old = xasprintf ("%s/decisions.log.1", top);
  char line[1001];
  memset (line, 'x', 1000);
  line[1000] = '\n';
  cleanup_error ocigate_error_t err = NULL;
  for (int i = 0; i < 4; i++)
    assert_int_equal (decision_log_append (path, 4096, line, sizeof line, &err), 0);
  assert_int_equal (size_of (path), 4004);
  assert_int_equal (access (old, F_OK), -1);
  /* the fifth passes 4096: written, then rotated */
  assert_int_equal (decision_log_append (path, 4096, line, sizeof line, &err), 0);
  assert_int_equal (size_of (old), 5005);
  assert_int_equal (access (path, F_OK), -1);
  assert_int_equal (decision_log_append (path, 4096, line, sizeof line, &err), 0);
  assert_int_equal (size_of (path), 1001);
  for (int i = 0; i < 4; i++)
    assert_int_equal (decision_log_append (path, 4096, line, sizeof line, &err), 0);
  /* one old file kept: the second rotation replaced the first */
  assert_int_equal (size_of (old), 5005);
  assert_int_equal (access (path, F_OK), -1);
  /* another decision holding the lock rotates: this one does not wait */
  cleanup_close int dfd = open (top, O_RDONLY | O_DIRECTORY);
  assert_int_equal (flock (dfd, LOCK_EX), 0);
  for (int i = 0; i < 6; i++)
    assert_int_equal (decision_log_append (path, 4096, line, sizeof line, &err), 0);
  assert_int_equal (size_of (path), 6006);
  remove_tree (top);
}

static void
test_judged_mark (void **state UNUSED)
{
  cleanup_json json_object *root = json_object_new_object ();
  assert_false (gate_judged_marked (root, "allow"));
  assert_false (gate_judged_mark (root, NULL)); /* nothing to take off */
  assert_true (gate_judged_mark (root, "deny"));
  assert_true (gate_judged_marked (root, "deny"));
  assert_false (gate_judged_marked (root, "allow"));
  assert_true (gate_judged_mark (root, NULL));
  assert_false (gate_judged_marked (root, "deny"));
  /* annotations that are not an object are left alone */
  json_object_object_add (root, "annotations", json_object_new_int (3));
  assert_false (gate_judged_mark (root, "allow"));
  cleanup_verdict struct verdict v = { 0 };
  verdict_add_finding (&v, "caps", ACTION_FIX, "/x", "fix me");
  assert_string_equal (gate_judged_decision (GATE_REWRITE, &v), "allow");
  assert_string_equal (gate_judged_decision (GATE_ALLOW, &v), "rewrite"); /* dry run */
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_identity_fixtures), cmocka_unit_test (test_identity_cri_containerd),
    cmocka_unit_test (test_identity_crio),     cmocka_unit_test (test_identity_nerdctl),
    cmocka_unit_test (test_identity_bounded),  cmocka_unit_test (test_identity_docker_record),
    cmocka_unit_test (test_line_fields),       cmocka_unit_test (test_append_makes),
    cmocka_unit_test (test_append_refuses),    cmocka_unit_test (test_append_rotates),
    cmocka_unit_test (test_judged_mark),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
