/* Unit tests for the config loader: the typed views of config.json, the
 * errors that name the bad field, and strict JSON with a position.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "unit.h"

/* The error for config text (' for "); it must be an input error. */
static char *
config_error (const char *text)
{
  cleanup_free char *json = dq (text);
  struct oci_config *cfg = NULL;
  ocigate_error_t err = NULL;
  if (oci_config_load_buffer (json, strlen (json), "config.json", &cfg, &err) == 0)
    {
      oci_config_free (cfg);
      fail_msg ("config loaded but should not have: %s", json);
    }
  if (err->kind != OCIGATE_ERR_INPUT)
    fail_msg ("error kind %d, not an input error: %s", (int)err->kind, err->msg);
  char *msg = xstrdup (err->msg);
  ocigate_error_free (&err);
  return msg;
}

/* The error for a buffer of exactly len bytes. */
static char *
buffer_error (const char *buf, size_t len)
{
  struct oci_config *cfg = NULL;
  ocigate_error_t err = NULL;
  if (oci_config_load_buffer (buf, len, "config.json", &cfg, &err) == 0)
    {
      oci_config_free (cfg);
      fail_msg ("config loaded but should not have");
    }
  assert_int_equal (err->kind, OCIGATE_ERR_INPUT);
  char *msg = xstrdup (err->msg);
  ocigate_error_free (&err);
  return msg;
}

static struct oci_config *
config (const char *text)
{
  cleanup_free char *json = dq (text);
  return unit_config (json);
}

/* process.user: error text of one user object. */
static char *
user_error (const char *user)
{
  cleanup_free char *text = xasprintf ("{'process': {'user': %s, 'args': ['sh']}}", user);
  return config_error (text);
}

static void
test_uid_type_and_range (void **state UNUSED)
{
  static const struct
  {
    const char *user, *msg;
  } cases[] = {
    { "{'uid': '0'}", "config.json: process.user.uid: must be an integer from 0 to 4294967295, not string \"0\"" },
    { "{'uid': -1}", "config.json: process.user.uid: -1 is out of range (0 to 4294967295)" },
    { "{'uid': 4294967296}", "config.json: process.user.uid: 4294967296 is out of range (0 to 4294967295)" },
    { "{'uid': 1.5}", "config.json: process.user.uid: must be an integer from 0 to 4294967295, not double 1.5" },
    { "{'uid': 1e3}", "config.json: process.user.uid: must be an integer from 0 to 4294967295, not double 1e3" },
    { "{'uid': true}", "config.json: process.user.uid: must be an integer from 0 to 4294967295, not boolean true" },
    { "{'uid': 9223372036854775808}", "config.json: process.user.uid: 9223372036854775808 is out of range (0 to "
                                      "4294967295)" },
    { "{'uid': 0, 'gid': -5}", "config.json: process.user.gid: -5 is out of range (0 to 4294967295)" },
    { "[0, 0]", "config.json: process.user: must be an object, not array [0,0]" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *msg = user_error (cases[i].user);
      assert_string_equal (msg, cases[i].msg);
    }

  /* Numbers beyond 64 bits are out of range too, however json-c keeps them. */
  cleanup_free char *huge = user_error ("{'uid': 99999999999999999999999}");
  assert_contains (huge, "config.json: process.user.uid: ");
  assert_contains (huge, "out of range (0 to 4294967295)");
  cleanup_free char *neg = user_error ("{'uid': -99999999999999999999999}");
  assert_contains (neg, "config.json: process.user.uid: ");
  assert_contains (neg, "out of range (0 to 4294967295)");

  /* null is no value, as the runtimes read it: UID 0. */
  struct oci_config *null_uid = config ("{'process': {'user': {'uid': null, 'gid': 7}}}");
  assert_int_equal (null_uid->uid, 0);
  assert_int_equal (null_uid->gid, 7);
  oci_config_free (null_uid);

  /* The edges of the range load. */
  struct oci_config *cfg = config ("{'process': {'user': {'uid': 4294967295, 'gid': 0}}}");
  assert_int_equal (cfg->uid, 4294967295u);
  assert_int_equal (cfg->gid, 0);
  oci_config_free (cfg);
}

static void
test_additional_gids (void **state UNUSED)
{
  cleanup_free char *obj = user_error ("{'uid': 0, 'additionalGids': {'0': 1}}");
  assert_string_equal (obj, "config.json: process.user.additionalGids: must be an array, not object {\"0\":1}");
  cleanup_free char *str = user_error ("{'uid': 0, 'additionalGids': '0'}");
  assert_string_equal (str, "config.json: process.user.additionalGids: must be an array, not string \"0\"");
  cleanup_free char *item = user_error ("{'uid': 0, 'additionalGids': [1, 2, -3]}");
  assert_string_equal (item, "config.json: process.user.additionalGids[2]: -3 is out of range (0 to 4294967295)");

  /* At most 4096 entries. */
  for (size_t n = 4096; n <= 4097; n++)
    {
      struct strbuf sb = { 0 };
      strbuf_append (&sb, "{\"process\": {\"user\": {\"uid\": 1, \"additionalGids\": [");
      for (size_t i = 0; i < n; i++)
        strbuf_appendf (&sb, "%s%zu", i ? ", " : "", i + 1);
      strbuf_append (&sb, "]}}}");
      cleanup_free char *json = strbuf_steal (&sb);
      if (n == 4096)
        {
          struct oci_config *big = unit_config (json);
          assert_int_equal (big->n_additional_gids, 4096);
          assert_int_equal (big->additional_gids[4095], 4096);
          oci_config_free (big);
        }
      else
        {
          cleanup_free char *msg = unit_config_error (json);
          assert_string_equal (msg, "config.json: process.user.additionalGids: 4097 entries, more than the limit of "
                                    "4096");
        }
    }

  struct oci_config *cfg = config ("{'process': {'user': {'uid': 1, 'gid': 2, 'additionalGids': [3, 4294967295]}}}");
  assert_int_equal (cfg->n_additional_gids, 2);
  assert_int_equal (cfg->additional_gids[0], 3);
  assert_int_equal (cfg->additional_gids[1], 4294967295u);
  oci_config_free (cfg);
}

static char *
namespaces_error (const char *namespaces)
{
  cleanup_free char *text = xasprintf ("{'process': {'args': ['sh']}, 'linux': {'namespaces': %s}}", namespaces);
  return config_error (text);
}

static void
test_namespaces (void **state UNUSED)
{
  cleanup_free char *no_type = namespaces_error ("[{'type': 'pid'}, {'path': '/proc/1/ns/net'}]");
  assert_string_equal (no_type, "config.json: linux.namespaces[1].type: missing");

  cleanup_free char *unknown = namespaces_error ("[{'type': 'pid'}, {'type': 'net'}]");
  assert_string_equal (unknown, "config.json: linux.namespaces[1].type: unknown namespace type \"net\" (one of pid, "
                                "network, mount, ipc, uts, user, cgroup, time)");

  cleanup_free char *twice = namespaces_error ("[{'type': 'pid'}, {'type': 'mount'}, {'type': 'pid', 'path': "
                                               "'/proc/1/ns/pid'}]");
  assert_string_equal (twice,
                       "config.json: linux.namespaces[2].type: namespace type \"pid\" given twice (also at [0])");

  cleanup_free char *type_int = namespaces_error ("[{'type': 1}]");
  assert_string_equal (type_int, "config.json: linux.namespaces[0].type: must be a string, not int 1");

  cleanup_free char *entry = namespaces_error ("['pid']");
  assert_string_equal (entry, "config.json: linux.namespaces[0]: must be an object, not string \"pid\"");

  cleanup_free char *list = namespaces_error ("{'pid': {}}");
  assert_string_equal (list, "config.json: linux.namespaces: must be an array, not object {\"pid\":{}}");

  cleanup_free char *path = namespaces_error ("[{'type': 'network', 'path': 5}]");
  assert_string_equal (path, "config.json: linux.namespaces[0].path: must be a string, not int 5");

  struct oci_config *cfg = config ("{'process': {}, 'linux': {'namespaces': [{'type': 'mount'}, "
                                   "{'type': 'network', 'path': '/run/netns/x'}, {'type': 'user', 'path': ''}]}}");
  assert_true (cfg->has_linux);
  assert_true (cfg->ns[NS_MOUNT].present);
  assert_null (cfg->ns[NS_MOUNT].path);
  assert_true (cfg->ns[NS_NETWORK].present);
  assert_int_equal (cfg->ns[NS_NETWORK].index, 1);
  assert_string_equal (cfg->ns[NS_NETWORK].path, "/run/netns/x");
  assert_true (cfg->ns[NS_USER].present);
  assert_null (cfg->ns[NS_USER].path); /* "" is a new namespace */
  assert_false (cfg->ns[NS_PID].present);
  oci_config_free (cfg);
}

static void
test_mappings (void **state UNUSED)
{
  cleanup_free char *size = config_error ("{'process': {}, 'linux': {'uidMappings': [{'containerID': 0, 'hostID': "
                                          "100000}]}}");
  assert_string_equal (size, "config.json: linux.uidMappings[0].size: missing");

  cleanup_free char *host = config_error ("{'process': {}, 'linux': {'gidMappings': [{'containerID': 0, 'hostID': "
                                          "-1, 'size': 1}]}}");
  assert_string_equal (host, "config.json: linux.gidMappings[0].hostID: -1 is out of range (0 to 4294967295)");

  cleanup_free char *notarr = config_error ("{'process': {}, 'linux': {'uidMappings': {'containerID': 0}}}");
  assert_string_equal (notarr, "config.json: linux.uidMappings: must be an array, not object {\"containerID\":0}");

  /* The kernel takes 340 lines in a uid_map; 341 is refused at load. */
  for (size_t n = 340; n <= 341; n++)
    {
      struct strbuf sb = { 0 };
      strbuf_append (&sb, "{\"process\": {}, \"linux\": {\"gidMappings\": [");
      for (size_t i = 0; i < n; i++)
        strbuf_appendf (&sb, "%s{\"containerID\": %zu, \"hostID\": %zu, \"size\": 1}", i ? ", " : "", i, 200000 + i);
      strbuf_append (&sb, "]}}");
      cleanup_free char *json = strbuf_steal (&sb);
      if (n == 340)
        {
          struct oci_config *cfg = unit_config (json);
          assert_int_equal (cfg->n_gid_mappings, 340);
          assert_int_equal (cfg->gid_mappings[339].host_id, 200339);
          oci_config_free (cfg);
        }
      else
        {
          cleanup_free char *msg = unit_config_error (json);
          assert_string_equal (msg,
                               "config.json: linux.gidMappings: 341 mappings, more than the kernel's limit of 340");
        }
    }
}

static void
test_process (void **state UNUSED)
{
  cleanup_free char *missing = config_error ("{'ociVersion': '1.0.2', 'linux': {}}");
  assert_string_equal (missing, "config.json: process: missing (a container needs a process to start; nothing to "
                                "judge)");
  cleanup_free char *null = config_error ("{'process': null}");
  assert_string_equal (null, "config.json: process: missing (a container needs a process to start; nothing to "
                             "judge)");
  cleanup_free char *array = config_error ("{'process': ['sh']}");
  assert_string_equal (array, "config.json: process: must be an object, not array [\"sh\"]");
  cleanup_free char *top = config_error ("['process']");
  assert_string_equal (top, "config.json: config: must be an object, not array [\"process\"]");
  cleanup_free char *linux_ = config_error ("{'process': {}, 'linux': []}");
  assert_string_equal (linux_, "config.json: linux: must be an object, not array []");
}

static void
test_capabilities (void **state UNUSED)
{
  cleanup_free char *set = config_error ("{'process': {'capabilities': {'bounding': [], 'effective': "
                                         "'CAP_CHOWN'}}}");
  assert_string_equal (set, "config.json: process.capabilities.effective: must be an array, not string \"CAP_CHOWN\"");

  cleanup_free char *name = config_error ("{'process': {'capabilities': {'permitted': ['CAP_CHOWN', 12]}}}");
  assert_string_equal (name, "config.json: process.capabilities.permitted[1]: must be a string, not int 12");

  cleanup_free char *obj = config_error ("{'process': {'capabilities': ['CAP_CHOWN']}}");
  assert_string_equal (obj, "config.json: process.capabilities: must be an object, not array [\"CAP_CHOWN\"]");

  struct oci_config *cfg = config ("{'process': {'capabilities': {'bounding': ['CAP_KILL', 'CAP_CHOWN'], "
                                   "'inheritable': null}}}");
  assert_true (cfg->has_capabilities);
  assert_true (cfg->caps[CAPSET_BOUNDING]
               == (CAPMASK (cap_parse_name ("CAP_KILL")) | CAPMASK (cap_parse_name ("CAP_CHOWN"))));
  assert_true (cfg->caps[CAPSET_INHERITABLE] == 0);
  oci_config_free (cfg);
}

/* Malformed JSON: the error says where, as config.json:LINE:COLUMN. */
static void
test_malformed_json (void **state UNUSED)
{
  static const struct
  {
    const char *text, *msg;
  } cases[] = {
    /* Cut off after the uid. */
    { "{'process': {'user': {'uid': 0}}", "config.json:1:33: invalid JSON: unexpected end of input" },
    { "{\n  'process': {}\n", "config.json:3:1: invalid JSON: unexpected end of input" },
    { "", "config.json:1:1: invalid JSON: unexpected end of input" },
    /* The '}' after a trailing comma. */
    { "{\n  'process': {},\n}", "config.json:3:1: invalid JSON: unexpected character" },
    { "{\n  'process': {'args': [1, 2,]}\n}", "config.json:2:29: invalid JSON: unexpected character" },
    /* Something after the document. */
    { "{'process': {}}\n  x", "config.json:2:3: invalid JSON: data after the document" },
    { "{'process': {}} {}", "config.json:1:17: invalid JSON: data after the document" },
    /* Not JSON at all, or not strict JSON. */
    { "{'process': {'cwd': '/'}, /* c */}", "config.json:1:27: invalid JSON: quoted object property name expected" },
    { "{\n\n  process: {}}", "config.json:3:3: invalid JSON: quoted object property name expected" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *msg = config_error (cases[i].text);
      if (strcmp (msg, cases[i].msg) != 0)
        fail_msg ("%s\n  gave \"%s\"\n  want \"%s\"", cases[i].text, msg, cases[i].msg);
    }

  /* Trailing whitespace is not "after the document". */
  struct oci_config *cfg = config ("{'process': {}} \n\t\r\n");
  oci_config_free (cfg);
}

static void
test_invalid_bytes (void **state UNUSED)
{
  /* An invalid UTF-8 byte in a string. */
  static const char ff[] = "{\"process\": {\"cwd\": \"/\xff\"}}";
  cleanup_free char *m1 = buffer_error (ff, sizeof ff - 1);
  assert_string_equal (m1, "config.json:1:23: invalid JSON: invalid utf-8 string");

  static const char ff2[] = "{\n  \"process\": {},\n  \"x\": \"\xff\"\n}";
  cleanup_free char *m2 = buffer_error (ff2, sizeof ff2 - 1);
  assert_string_equal (m2, "config.json:3:9: invalid JSON: invalid utf-8 string");

  /* A NUL byte, which strlen() would have hidden. */
  static const char nul[] = "{\n  \"process\": {\"cwd\": \"a\0b\"}}";
  cleanup_free char *m3 = buffer_error (nul, sizeof nul - 1);
  assert_string_equal (m3, "config.json:2:24: invalid JSON: NUL byte");

  /* Valid UTF-8 is fine. */
  struct oci_config *cfg = unit_config ("{\"process\": {\"cwd\": \"/caf\xc3\xa9\"}}");
  oci_config_free (cfg);
}

/* Nesting: 64 levels load, 65 and more do not. */
static char *
nested (size_t depth)
{
  struct strbuf sb = { 0 };
  strbuf_append (&sb, "{\"process\": {}, \"x\": ");
  for (size_t i = 1; i < depth; i++)
    strbuf_append (&sb, "[");
  for (size_t i = 1; i < depth; i++)
    strbuf_append (&sb, "]");
  strbuf_append (&sb, "}");
  return strbuf_steal (&sb);
}

static void
test_nesting (void **state UNUSED)
{
  cleanup_free char *deep = nested (100);
  cleanup_free char *msg = unit_config_error (deep);
  /* The 65th level opens at column 21 + 64. */
  assert_string_equal (msg, "config.json:1:85: invalid JSON: nesting deeper than the limit of 64");

  cleanup_free char *deep65 = nested (65);
  cleanup_free char *msg65 = unit_config_error (deep65);
  assert_string_equal (msg65, "config.json:1:85: invalid JSON: nesting deeper than the limit of 64");

  cleanup_free char *ok = nested (64);
  struct oci_config *cfg = unit_config (ok);
  oci_config_free (cfg);
}

/* A config bigger than 16 MiB is refused before it is parsed. */
static void
test_too_large (void **state UNUSED)
{
  size_t len = OCIGATE_MAX_CONFIG_BYTES + 1;
  char *buf = xmalloc (len);
  memset (buf, ' ', len);
  static const char doc[] = "{\"process\": {}}";
  memcpy (buf, doc, sizeof doc - 1);
  cleanup_free char *msg = buffer_error (buf, len);
  assert_string_equal (msg, "config.json: 16777217 bytes, more than the limit of 16777216");

  /* One byte less is within the limit and loads. */
  struct oci_config *cfg = NULL;
  ocigate_error_t err = NULL;
  if (oci_config_load_buffer (buf, len - 1, "config.json", &cfg, &err) < 0)
    fail_msg ("%s", err->msg);
  oci_config_free (cfg);
  free (buf);
}

#define TWICE "; runtimes read such JSON differently (runc takes the last value, crun the first): give it once"

/* crun's parser takes the first of two members with the same key, runc's
 * and json-c the last: such a config is refused, wherever the key is. */
static void
test_duplicate_keys (void **state UNUSED)
{
  static const struct
  {
    const char *text, *msg;
  } cases[] = {
    /* Judged as UID 1000 (json-c), run as UID 0 by crun. */
    { "{'process': {'user': {'uid': 0, 'uid': 1000}}}",
      "config.json:1:22: key \"uid\" given twice in /process/user" TWICE },
    /* The same key spelt with an escape. */
    { "{'a': 1, '\\u0061': 2}", "config.json:1:1: key \"a\" given twice in the document" TWICE },
    /* In an array, after an object that is fine. */
    { "{'mounts': [{'type': 'bind'},\n {'type': 'x', 'source': '/', 'type': 'y'}]}",
      "config.json:2:2: key \"type\" given twice in /mounts/1" TWICE },
    /* The first value had objects of its own, which the tree no longer has. */
    { "{'a': {'b': {'c': 1}}, 'a': 3, 'd': {'e': 1, 'e': 2}}",
      "config.json:1:1: key \"a\" given twice in the document" TWICE },
    /* A key that a JSON pointer escapes. */
    { "{'x/y~': {'k': [], 'k': {}}}", "config.json:1:10: key \"k\" given twice in /x~1y~0" TWICE },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *msg = config_error (cases[i].text);
      if (strcmp (msg, cases[i].msg) != 0)
        fail_msg ("%s\n  gave \"%s\"\n  want \"%s\"", cases[i].text, msg, cases[i].msg);
    }

  /* The same key in different objects, or as a value, is no repeat; nor
   * is a quote or a brace inside a string. */
  struct oci_config *cfg
      = unit_config ("{\"process\": {}, \"a\": {\"k\": 1}, \"b\": {\"k\": 2}, \"k\": [\"k\", \"k\"], "
                     "\"annotations\": {\"q\": \"\\\\\\\"}\", \"r\": \"{\\\"k\\\": 1, \\\"k\\\": 2}\"}}");
  oci_config_free (cfg);
}

#define TAKEN(key, field)                                                                                              \
  "key \"" key "\" can be taken for the field \"" field "\" by runc, which matches field names whatever their "        \
  "case (crun ignores it); spell it \"" field "\""

/* runc (Go's encoding/json) takes "UID" for uid, the last of the two
 * winning; crun and ocigate read "uid" only. */
static void
test_field_spelling (void **state UNUSED)
{
  static const struct
  {
    const char *text, *msg;
  } cases[] = {
    { "{'process': {'user': {'uid': 1000, 'UID': 0}}}", "config.json: /process/user: " TAKEN ("UID", "uid") },
    /* Alone: runc mounts it, ocigate saw no mounts. */
    { "{'process': {}, 'Mounts': [{'destination': '/h', 'source': '/', 'type': 'bind'}]}",
      "config.json: the document: " TAKEN ("Mounts", "mounts") },
    { "{'process': {'capabilitieS': {'bounding': ['CAP_SYS_ADMIN']}}}",
      "config.json: /process: " TAKEN ("capabilitieS", "capabilities") },
    /* In an array, a map of structs, and deep in the seccomp profile. */
    { "{'process': {}, 'mounts': [{'destination': '/a'}, {'destination': '/b', 'Source': '/'}]}",
      "config.json: /mounts/1: " TAKEN ("Source", "source") },
    { "{'process': {}, 'linux': {'timeOffsets': {'boottime': {'Secs': 1}}}}",
      "config.json: /linux/timeOffsets/boottime: " TAKEN ("Secs", "secs") },
    { "{'process': {}, 'linux': {'seccomp': {'syscalls': [{'names': ['bpf'], 'action': 'SCMP_ACT_ALLOW', "
      "'args': [{'index': 0, 'OP': 'SCMP_CMP_EQ'}]}]}}}",
      "config.json: /linux/seccomp/syscalls/0/args/0: " TAKEN ("OP", "op") },
    /* Characters that fold to ASCII letters: U+017F (s), U+212A (k),
     * U+0131 (i). */
    { "{'process': {'u\xc5\xbf"
      "er': {'uid': 0}}}",
      "config.json: /process: " TAKEN ("u\xc5\xbf"
                                       "er",
                                       "user") },
    { "{'process': {}, 'linux': {'resources': {'memory': {'\xe2\x84\xaa"
      "ernel': 1}}}}",
      "config.json: /linux/resources/memory: " TAKEN ("\xe2\x84\xaa"
                                                      "ernel",
                                                      "kernel") },
    { "{'process': {'user': {'u\xc4\xb1"
      "d': 0}}}",
      "config.json: /process/user: " TAKEN ("u\xc4\xb1"
                                            "d",
                                            "uid") },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *msg = config_error (cases[i].text);
      if (strcmp (msg, cases[i].msg) != 0)
        fail_msg ("%s\n  gave \"%s\"\n  want \"%s\"", cases[i].text, msg, cases[i].msg);
    }

  /* Map keys are not fields (Go matches them exactly), and keys that fold
   * to no field are ignored by every runtime. */
  struct oci_config *cfg = config ("{'process': {'user': {'uid': 1000, 'uidx': 0}}, 'x-UID': 1, "
                                   "'annotations': {'UID': '0', 'Mounts': 'x'}, 'linux': {'sysctl': {'Net.Core': '1'}, "
                                   "'resources': {'unified': {'Memory.Max': '1'}}}}");
  oci_config_free (cfg);
}

/* Before json-c allocates them: objects and arrays, and values. */
static void
test_json_counts (void **state UNUSED)
{
  struct
  {
    size_t containers, values; /* of the document, the root included */
    const char *msg;
  } cases[] = {
    { OCIGATE_MAX_JSON_CONTAINERS, 0, NULL },
    { OCIGATE_MAX_JSON_CONTAINERS + 1, 0, "config.json: more than 131072 JSON objects and arrays (the limit)" },
    { 0, OCIGATE_MAX_JSON_VALUES, NULL },
    { 0, OCIGATE_MAX_JSON_VALUES + 1, "config.json: more than 1048576 JSON values (the limit)" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      /* {"process": {}, "x": [ITEMS]}: 3 containers and 3 values before
       * the items. */
      struct strbuf sb = { 0 };
      strbuf_append (&sb, "{\"process\": {}, \"x\": [");
      size_t n = cases[i].containers ? cases[i].containers - 3 : cases[i].values - 3;
      for (size_t k = 0; k < n; k++)
        strbuf_append (&sb, cases[i].containers ? (k ? ",{}" : "{}") : (k ? ",0" : "0"));
      strbuf_append (&sb, "]}");
      if (cases[i].msg)
        {
          cleanup_free char *msg = buffer_error (sb.buf, sb.len);
          assert_string_equal (msg, cases[i].msg);
        }
      else
        {
          struct oci_config *cfg = unit_config (sb.buf);
          oci_config_free (cfg);
        }
      strbuf_release (&sb);
    }
}

/* No "linux" at all: it loads, and nothing isolates the process. */
static void
test_no_linux (void **state UNUSED)
{
  struct oci_config *cfg = config ("{'process': {'user': {'uid': 0, 'gid': 0}, 'args': ['sh']}}");
  assert_false (cfg->has_linux);
  for (int t = 0; t < NS__COUNT; t++)
    assert_false (cfg->ns[t].present);
  assert_int_equal (cfg->n_uid_mappings, 0);
  oci_config_free (cfg);

  struct judged j;
  unit_judge (&j, "{\"version\": 1, \"rules\": {\"user.root\": {\"action\": \"deny\"}}}",
              "{\"process\": {\"user\": {\"uid\": 0, \"gid\": 1000}, \"args\": [\"sh\"]}}");
  assert_int_equal (j.v.n_findings, 1);
  assert_int_equal (j.v.findings[0].action, ACTION_DENY);
  assert_string_equal (j.v.findings[0].path, "/process/user/uid");
  assert_contains (j.v.findings[0].message, "process runs as host UID 0 (process.user.uid=0, no user namespace)");
  unit_judged_release (&j);

  /* linux: null is the same as none. */
  cfg = config ("{'process': {}, 'linux': null}");
  assert_false (cfg->has_linux);
  oci_config_free (cfg);
}

/* After a change to the tree, refresh re-reads every view. */
static void
test_refresh (void **state UNUSED)
{
  struct oci_config *cfg = config ("{'process': {'user': {'uid': 0, 'gid': 0, 'additionalGids': [0, 5]}, "
                                   "'capabilities': {'bounding': ['CAP_SYS_ADMIN']}}, "
                                   "'linux': {'namespaces': [{'type': 'pid'}]}}");
  assert_int_equal (cfg->uid, 0);
  assert_int_equal (cfg->n_additional_gids, 2);
  assert_true (cfg->has_capabilities);

  json_object *process = json_get (cfg->root, "process");
  json_object *user = json_get (process, "user");
  json_object_object_add (user, "uid", json_object_new_int (1000));
  json_object_object_add (user, "gid", json_object_new_int (1000));
  json_object_object_del (user, "additionalGids");
  json_object_object_del (process, "capabilities");
  json_object *linux_ = json_get (cfg->root, "linux");
  json_object *nss = json_get (linux_, "namespaces");
  json_object *userns = json_object_new_object ();
  json_object_object_add (userns, "type", json_object_new_string ("user"));
  json_object_array_add (nss, userns);
  json_object *maps = json_object_new_array ();
  json_object *m = json_object_new_object ();
  json_object_object_add (m, "containerID", json_object_new_int (0));
  json_object_object_add (m, "hostID", json_object_new_int (200000));
  json_object_object_add (m, "size", json_object_new_int (65536));
  json_object_array_add (maps, m);
  json_object_object_add (linux_, "uidMappings", maps);

  ocigate_error_t err = NULL;
  if (oci_config_refresh (cfg, &err) < 0)
    fail_msg ("refresh: %s", err->msg);
  assert_int_equal (cfg->uid, 1000);
  assert_int_equal (cfg->gid, 1000);
  assert_int_equal (cfg->n_additional_gids, 0);
  assert_false (cfg->has_capabilities);
  assert_true (cfg->caps[CAPSET_BOUNDING] == 0);
  assert_true (cfg->ns[NS_PID].present);
  assert_true (cfg->ns[NS_USER].present);
  assert_int_equal (cfg->ns[NS_USER].index, 1);
  assert_int_equal (cfg->n_uid_mappings, 1);
  assert_int_equal (cfg->uid_mappings[0].host_id, 200000);
  assert_string_equal (cfg->name, "config.json");

  /* A change that breaks the config is an error naming the field. */
  json_object_object_add (user, "uid", json_object_new_string ("root"));
  assert_int_equal (oci_config_refresh (cfg, &err), -1);
  assert_string_equal (err->msg, "process.user.uid: must be an integer from 0 to 4294967295, not string \"root\"");
  ocigate_error_free (&err);
  oci_config_free (cfg);
}

static void
test_id_mapping_to_host (void **state UNUSED)
{
  const struct id_mapping maps[] = {
    { .container_id = 0, .host_id = 100000, .size = 65536 },
    { .container_id = 65536, .host_id = 300000, .size = 10 },
  };
  uint32_t host = 7;
  assert_true (id_mapping_to_host (maps, 2, 0, &host));
  assert_int_equal (host, 100000);
  assert_true (id_mapping_to_host (maps, 2, 65535, &host)); /* last ID of the first range */
  assert_int_equal (host, 165535);
  assert_true (id_mapping_to_host (maps, 2, 65536, &host)); /* one past it: the second range */
  assert_int_equal (host, 300000);
  assert_true (id_mapping_to_host (maps, 2, 65545, &host)); /* last ID of the second */
  assert_int_equal (host, 300009);
  host = 7;
  assert_false (id_mapping_to_host (maps, 2, 65546, &host)); /* one past it: unmapped */
  assert_int_equal (host, 7);
  assert_false (id_mapping_to_host (maps, 0, 0, &host));

  /* The top of the ID space, without wrapping. */
  const struct id_mapping top[] = { { .container_id = 4294967295u, .host_id = 5, .size = 1 } };
  assert_true (id_mapping_to_host (top, 1, 4294967295u, &host));
  assert_int_equal (host, 5);
  assert_false (id_mapping_to_host (top, 1, 0, &host));

  /* A host range past 32 bits maps nothing there. */
  const struct id_mapping over[] = { { .container_id = 0, .host_id = 4294967295u, .size = 2 } };
  assert_true (id_mapping_to_host (over, 1, 0, &host));
  assert_int_equal (host, 4294967295u);
  host = 7;
  assert_false (id_mapping_to_host (over, 1, 1, &host));
  assert_int_equal (host, 7);

  /* Size 0 maps nothing. */
  const struct id_mapping empty[] = { { .container_id = 0, .host_id = 100000, .size = 0 } };
  assert_false (id_mapping_to_host (empty, 1, 0, &host));
}

/* A document that fails after the first half of a surrogate pair must not
 * change how the next one reads: json-c's reset keeps that half, and a
 * parser kept across documents joined it to the next \u escape (found by
 * fuzz_policy: `check BAD GOOD` read GOOD's "\udc00" as U+10000). */
static void
test_parse_after_broken_surrogate (void **state UNUSED)
{
  static const char *const broken[] = {
    "{\"a\": \"\\ud800\\uZZ\"}", /* bad hex after the high half */
    "[\"\\ud83d\\u",             /* input ends in the escape */
    "{\"\\udbff\\u12",           /* in a key */
  };
  for (size_t i = 0; i < ARRAY_SIZE (broken); i++)
    {
      ocigate_error_t err = NULL;
      json_object *obj = NULL;
      assert_int_equal (json_parse_untrusted (broken[i], strlen (broken[i]), "broken", &obj, &err), -1);
      ocigate_error_free (&err);
      /* A pair is its character, and a plain escape is itself. */
      static const char good[] = "[\"\\ud83d\\ude00x\", \"\\u0005\"]";
      cleanup_json json_object *g = NULL;
      if (json_parse_untrusted (good, strlen (good), "good", &g, &err) < 0)
        fail_msg ("%s", err->msg);
      assert_string_equal (json_object_get_string (json_object_array_get_idx (g, 0)), "\xf0\x9f\x98\x80x");
      assert_string_equal (json_object_get_string (json_object_array_get_idx (g, 1)), "\x05");
    }
}

/* What json-c reads and the runtimes read otherwise, or refuse, is refused
 * where it stands, in keys and strings anywhere (jsonio.c). */
static void
test_read_apart (void **state UNUSED)
{
  static const struct
  {
    const char *text;
    const char *message;
  } cases[] = {
    /* "\u0000": json-c's C strings end there, Go keeps the rest. */
    { "{\"process\": {\"user\": {\"uid\\u0000\": 0}}}",
      "config.json:1:27: \"\\u0000\" in a key: runtimes read such JSON differently (C ends the text there, runc "
      "keeps the rest): remove it" },
    { "{\"process\": {}, \"annotations\": {\"a\": \"x\\u0000y\"}}",
      "config.json:1:40: \"\\u0000\" in a string: runtimes read such JSON differently (C ends the text there, "
      "runc keeps the rest): remove it" },
    { "{\"process\": {}, \"x\\u0000\": 1}", "config.json:1:19: \"\\u0000\" in a key" },
    /* Halves of surrogate pairs: U+FFFD for json-c and Go, not for crun. */
    { "{\"process\": {\"cwd\": \"/\\ud800\"}}", "config.json:1:23: \"\\ud800\" in a string is half of a UTF-16 "
                                                "surrogate pair" },
    { "{\"process\": {\"cwd\": \"/\\udc00\\ud800\"}}", "config.json:1:23: \"\\udc00\" in a string is half" },
    { "{\"process\": {\"cwd\": \"/\\uD800\\u0041\"}}", "config.json:1:23: \"\\ud800\" in a string is half" },
    { "{\"\\udbff\": {}, \"process\": {}}", "config.json:1:3: \"\\udbff\" in a key is half" },
    /* UTF-8 that json-c lets through and Go reads as U+FFFD. */
    { "{\"process\": {\"cwd\": \"/\xc0\xaf\"}}", "config.json:1:23: invalid JSON: invalid utf-8 string" },
    { "{\"process\": {\"cwd\": \"/\xed\xa0\x80\"}}", "config.json:1:23: invalid JSON: invalid utf-8 string" },
    { "{\"process\": {\"cwd\": \"/\xf4\x90\x80\x80\"}}", "config.json:1:23: invalid JSON: invalid utf-8 string" },
    { "{\"process\": {\"cwd\": \"/\xe0\x80\xaf\"}}", "config.json:1:23: invalid JSON: invalid utf-8 string" },
    { "{\"process\": {\"cwd\": \"/\xf0\x80\x80\xaf\"}}", "config.json:1:23: invalid JSON: invalid utf-8 string" },
    { "{\"process\": {\"cwd\": \"/\xf5\x80\x80\x80\"}}", "config.json:1:23: invalid JSON: invalid utf-8 string" },
    { "{\"process\": {\"\xe2\x84\": 1}}", "config.json:1:15: invalid JSON: invalid utf-8 string" },
    /* Raw control characters in strings: json-c reads them, Go refuses. */
    { "{\"process\": {\"cwd\": \"/\tx\"}}",
      "config.json:1:23: invalid JSON: control character U+0009 in a string (runc refuses it unescaped; write "
      "\\u0009)" },
    { "{\"process\": {\"a\nb\": 1}}", "config.json:1:16: invalid JSON: control character U+000A in a key" },
    /* Numbers json-c reads and Go refuses. */
    { "{\"process\": {\"user\": {\"uid\": 1.}}}",
      "config.json:1:30: invalid JSON: 1. is not a JSON number (runc refuses it)" },
    { "{\"process\": {\"user\": {\"uid\": 1.e3}}}", "config.json:1:30: invalid JSON: 1.e3 is not a JSON number" },
    { "{\"process\": {\"user\": {\"uid\": -01}}}", "config.json:1:30: invalid JSON: -01 is not a JSON number" },
    { "{\"process\": {}, \"x\": [NaN]}", "config.json:1:23: invalid JSON: NaN is not a JSON number" },
    { "{\"process\": {}, \"x\": Infinity}", "config.json:1:22: invalid JSON: Infinity is not a JSON number" },
    { "{\"process\": {}, \"x\": -Infinity}", "config.json:1:22: invalid JSON: -Infinity is not a JSON number" },
    /* A key in single quotes, which json-c reads. */
    { "{\"process\": {}, 'x': 1}",
      "config.json:1:17: invalid JSON: a string in single quotes (runc refuses it; JSON's are in double quotes)" },
    /* A byte order mark: json-c and Go refuse it; the message says what it is. */
    { "\xef\xbb\xbf{\"process\": {}}",
      "config.json:1:1: invalid JSON: a byte order mark (runc refuses it; save the file without)" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *msg = buffer_error (cases[i].text, strlen (cases[i].text));
      if (strncmp (msg, cases[i].message, strlen (cases[i].message)) != 0)
        fail_msg ("case %zu: %s\n  want %s", i, msg, cases[i].message);
    }

  /* What reads the same everywhere is read: escapes that spell a key, a
   * pair, "\/", characters of every length, "-0" and exponents. */
  struct oci_config *cfg = unit_config ("{\"process\": {\"\\u0075ser\": {\"uid\": 1000}, \"cwd\": "
                                        "\"\\/caf\xc3\xa9\xe2\x82\xac\\ud83d\\ude00\xf0\x9f\x98\x80\\u00e9\"}, "
                                        "\"x\": [-0, 0.5, 1e3, -1E-2, 1.5e+3, 12, true, false, null]}");
  assert_int_equal (cfg->uid, 1000);
  assert_string_equal (
      json_object_get_string (json_get_path (cfg->root, (const char *const[]){ "process", "cwd", NULL })),
      "/caf\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xc3\xa9");
  oci_config_free (cfg);
}

/* A complete document `null` is refused as not an object, not reported as
 * truncated ("unexpected end of input"), which json-c's NULL for both once
 * made it: that message sends people looking for a truncated file. */
static void
test_null_document (void **state UNUSED)
{
  cleanup_free char *msg = config_error ("null");
  if (strstr (msg, "unexpected end of input") != NULL)
    fail_msg ("a complete document reported as truncated: %s", msg);
  assert_string_equal (msg, "config.json: config: must be an object, not null");
}

/* The scan looks at a string 16 and then 8 bytes at a time: a byte it must
 * stop at is found at every offset, in long strings and short ones. */
static void
test_string_scan_every_offset (void **state UNUSED)
{
  static const struct
  {
    const char *special;
    bool accepted;
    const char *decoded; /* what the string holds there, when accepted */
  } cases[] = {
    { "\\u0000", false, NULL }, { "\x01", false, NULL },          { "\x1f", false, NULL },
    { "\xff", false, NULL },    { "\xc3\xa9", true, "\xc3\xa9" }, { "\\\"", true, "\"" },
    { "\\\\", true, "\\" },     { "\\u00e9", true, "\xc3\xa9" },  { "\x7f", true, "\x7f" },
  };
  for (size_t c = 0; c < ARRAY_SIZE (cases); c++)
    for (size_t at = 0; at < 40; at++)
      {
        struct strbuf sb = { 0 };
        strbuf_append (&sb, "{\"k\": \"");
        for (size_t k = 0; k < at; k++)
          strbuf_append (&sb, "a");
        strbuf_append (&sb, cases[c].special);
        strbuf_append (&sb, "bbbbbbbbbbbbbbbbbbbb\"}");
        cleanup_free char *text = strbuf_steal (&sb);
        json_object *obj = NULL;
        ocigate_error_t err = NULL;
        int r = json_parse_untrusted (text, strlen (text), "scan", &obj, &err);
        if (!cases[c].accepted)
          {
            if (r == 0)
              fail_msg ("case %zu at %zu: accepted %s", c, at, text);
            ocigate_error_free (&err);
            continue;
          }
        if (r < 0)
          fail_msg ("case %zu at %zu: %s", c, at, err->msg);
        struct strbuf want = { 0 };
        for (size_t k = 0; k < at; k++)
          strbuf_append (&want, "a");
        strbuf_append (&want, cases[c].decoded);
        strbuf_append (&want, "bbbbbbbbbbbbbbbbbbbb");
        cleanup_free char *w = strbuf_steal (&want);
        assert_string_equal (json_object_get_string (json_object_object_get (obj, "k")), w);
        json_object_put (obj);
      }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_uid_type_and_range),
    cmocka_unit_test (test_additional_gids),
    cmocka_unit_test (test_namespaces),
    cmocka_unit_test (test_mappings),
    cmocka_unit_test (test_process),
    cmocka_unit_test (test_capabilities),
    cmocka_unit_test (test_malformed_json),
    cmocka_unit_test (test_invalid_bytes),
    cmocka_unit_test (test_nesting),
    cmocka_unit_test (test_too_large),
    cmocka_unit_test (test_no_linux),
    cmocka_unit_test (test_refresh),
    cmocka_unit_test (test_id_mapping_to_host),
    cmocka_unit_test (test_null_document),
    cmocka_unit_test (test_parse_after_broken_surrogate),
    cmocka_unit_test (test_read_apart),
    cmocka_unit_test (test_duplicate_keys),
    cmocka_unit_test (test_json_counts),
    cmocka_unit_test (test_field_spelling),
    cmocka_unit_test (test_string_scan_every_offset),
  };
  return cmocka_run_group_tests_name ("config", tests, NULL, NULL);
}
