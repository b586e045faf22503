/* Unit tests for core/field.c, the getters config.c and the rules read the
 * config with: absent, null and present told apart; a wrong type, a value
 * out of range or too many entries an input error naming the field and
 * the value, bounded and escaped.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <malloc.h>

#include "unit.h"

#include "core/field.h"

/* A document written with ' for ". */
static json_object *
doc (const char *text)
{
  cleanup_free char *json = dq (text);
  json_object *o = NULL;
  ocigate_error_t err = NULL;
  if (json_parse_untrusted (json, strlen (json), "test.json", &o, &err) < 0)
    fail_msg ("%s", err->msg);
  return o;
}

/* The message of an error a getter returned (-1); caller frees. */
static char *
message (int r, ocigate_error_t *err)
{
  assert_int_equal (r, -1);
  assert_non_null (*err);
  assert_int_equal ((*err)->kind, OCIGATE_ERR_INPUT);
  assert_int_equal ((*err)->status, 0);
  char *msg = xstrdup ((*err)->msg);
  ocigate_error_free (err);
  return msg;
}

static const struct json_path process_at = { .key = "process" };

static void
test_names (void **state UNUSED)
{
  const struct json_path linux_at = { .key = "linux" };
  const struct json_path res_at = { .up = &linux_at, .key = "resources" };
  cleanup_free char *a = field_name (&res_at, "memory");
  assert_string_equal (a, "linux.resources.memory");
  const struct json_path mounts_at = { .key = "mounts" };
  cleanup_free char *b = field_name (FIELD_INDEX (&mounts_at, 3), "source");
  assert_string_equal (b, "mounts[3].source");
  cleanup_free char *d = field_name (NULL, NULL);
  assert_string_equal (d, "config");
  cleanup_free char *e = field_name (NULL, "process");
  assert_string_equal (e, "process");
  cleanup_free char *f = field_name (FIELD_INDEX (NULL, 2), NULL);
  assert_string_equal (f, "[2]");
  /* A key with dots stays as written (sysctl names, annotations). */
  const struct json_path sysctl_at = { .up = &linux_at, .key = "sysctl" };
  cleanup_free char *g = field_name (&sysctl_at, "net.ipv4.ip_forward");
  assert_string_equal (g, "linux.sysctl.net.ipv4.ip_forward");
  /* A long key is cut as text_excerpt() cuts it. */
  char key[600];
  memset (key, 'k', sizeof key - 1);
  key[sizeof key - 1] = '\0';
  cleanup_free char *h = field_name (&sysctl_at, key);
  assert_int_equal (strlen (h), strlen ("linux.sysctl.") + 256 + 3);
  assert_string_equal (h + strlen (h) - 4, "k...");
}

static void
test_values (void **state UNUSED)
{
  static const struct
  {
    const char *json, *want;
  } cases[] = {
    { "null", "null" },
    { "true", "boolean true" },
    { "false", "boolean false" },
    { "-12", "int -12" },
    { "18446744073709551615", "int 18446744073709551615" },
    { "1.50", "double 1.50" },
    { "1e3", "double 1e3" },
    { "'yes'", "string \"yes\"" },
    { "''", "string \"\"" },
    { "'a\\'b'", "string \"a\\\"b\"" },
    { "'back\\\\slash'", "string \"back\\\\slash\"" },
    { "'line\\nnext\\ttab\\u001bend'", "string \"line\\nnext\\ttab\\u001bend\"" },
    { "[]", "array []" },
    { "{}", "object {}" },
    { "[0, 0]", "array [0,0]" },
    { "['ro', 3, null, true]", "array [\"ro\",3,null,true]" },
    { "[[1], {'a': 1}, [], {}]", "array [[...],{...},[],{}]" },
    { "{'limit': 5, 'swap': 'x'}", "object {\"limit\":5,\"swap\":\"x\"}" },
    { "{'a': {'b': 1}}", "object {\"a\":{...}}" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      json_object *o = doc (cases[i].json);
      cleanup_free char *text = field_value_text (o);
      assert_string_equal (text, cases[i].want);
      json_object_put (o);
    }
  /* A NUL, which no parsed document holds (jsonio.c refuses "\u0000"),
   * but a message never cuts a value short at one. */
  cleanup_json json_object *nul = json_object_new_string_len ("nul\0after", 9);
  cleanup_free char *text = field_value_text (nul);
  assert_string_equal (text, "string \"nul\\u0000after\"");
}

/* Long values are cut: strings after FIELD_TEXT_MAX bytes (on a character
 * boundary), containers after about FIELD_VALUE_MAX. */
static void
test_values_cut (void **state UNUSED)
{
  struct strbuf sb = { 0 };
  for (int i = 0; i < 100; i++)
    strbuf_append (&sb, "a");
  json_object *s = json_object_new_string (sb.buf);
  cleanup_free char *text = field_value_text (s);
  cleanup_free char *want = xasprintf ("string \"%.*s\"...", FIELD_TEXT_MAX, sb.buf);
  assert_string_equal (text, want);
  json_object_put (s);
  strbuf_release (&sb);

  /* "é" is two bytes: the cut does not split one. */
  for (int i = 0; i < 40; i++)
    strbuf_append (&sb, "\xc3\xa9");
  s = json_object_new_string (sb.buf);
  cleanup_free char *utf8 = field_value_text (s);
  assert_string_equal (utf8 + strlen (utf8) - 6, "\xc3\xa9\"...");
  assert_int_equal (strlen (utf8), strlen ("string \"") + FIELD_TEXT_MAX + strlen ("\"..."));
  json_object_put (s);
  strbuf_release (&sb);

  json_object *a = json_object_new_array ();
  for (int i = 0; i < 1000; i++)
    json_object_array_add (a, json_object_new_int (1000000 + i));
  cleanup_free char *arr = field_value_text (a);
  assert_true (strlen (arr) < FIELD_VALUE_MAX + 32);
  assert_string_equal (arr + strlen (arr) - 5, ",...]");
  assert_int_equal (strncmp (arr, "array [1000000,1000001,", 23), 0);
  json_object_put (a);

  /* A number's text is cut too (a double keeps the text it was read from). */
  cleanup_free char *long_double = xasprintf ("1.%0200d", 1);
  json_object *d = doc (long_double);
  cleanup_free char *dt = field_value_text (d);
  assert_int_equal (strlen (dt), strlen ("double ") + FIELD_TEXT_MAX + 3);
  json_object_put (d);
}

static void
test_bool (void **state UNUSED)
{
  cleanup_json json_object *p
      = doc ("{'t': true, 'f': false, 'n': null, 's': 'yes', 'i': 1, 'o': {}, 'a': ['x'], 'd': 1.5}");
  ocigate_error_t err = NULL;
  enum field_state st = FIELD_PRESENT;
  bool b = true;
  assert_int_equal (field_bool (p, &process_at, "t", 0, &st, &b, &err), 0);
  assert_int_equal (st, FIELD_PRESENT);
  assert_true (b);
  assert_int_equal (field_bool (p, &process_at, "f", 0, &st, &b, &err), 0);
  assert_int_equal (st, FIELD_PRESENT);
  assert_false (b);
  b = true;
  assert_int_equal (field_bool (p, &process_at, "n", 0, &st, &b, &err), 0);
  assert_int_equal (st, FIELD_NULL);
  assert_false (b);
  b = true;
  assert_int_equal (field_bool (p, &process_at, "absent", 0, &st, &b, &err), 0);
  assert_int_equal (st, FIELD_ABSENT);
  assert_false (b);
  /* No parent object: absent (its reader judges its type). */
  assert_int_equal (field_bool (NULL, &process_at, "t", 0, &st, &b, &err), 0);
  assert_int_equal (st, FIELD_ABSENT);
  json_object *arr = json_get (p, "a");
  assert_int_equal (field_bool (arr, &process_at, "t", 0, &st, &b, &err), 0);
  assert_int_equal (st, FIELD_ABSENT);
  assert_null (err);

  static const struct
  {
    const char *key, *want;
  } wrong[] = {
    { "s", "process.s: must be a boolean, not string \"yes\"" },
    { "i", "process.i: must be a boolean, not int 1" },
    { "o", "process.o: must be a boolean, not object {}" },
    { "a", "process.a: must be a boolean, not array [\"x\"]" },
    { "d", "process.d: must be a boolean, not double 1.5" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (wrong); i++)
    {
      cleanup_free char *m = message (field_bool (p, &process_at, wrong[i].key, 0, &st, &b, &err), &err);
      assert_string_equal (m, wrong[i].want);
    }

  /* Required: absent and null are missing; not null: null is a wrong type. */
  cleanup_free char *m1 = message (field_bool (p, &process_at, "absent", FIELD_REQUIRED, NULL, &b, &err), &err);
  assert_string_equal (m1, "process.absent: missing");
  cleanup_free char *m2 = message (field_bool (p, &process_at, "n", FIELD_REQUIRED, NULL, &b, &err), &err);
  assert_string_equal (m2, "process.n: missing");
  cleanup_free char *m3 = message (field_bool (p, &process_at, "n", FIELD_NOT_NULL, NULL, &b, &err), &err);
  assert_string_equal (m3, "process.n: must be a boolean, not null");
  assert_int_equal (field_bool (p, &process_at, "absent", FIELD_NOT_NULL, &st, &b, &err), 0);
  assert_int_equal (st, FIELD_ABSENT);
}

static void
test_string (void **state UNUSED)
{
  cleanup_json json_object *p = doc ("{'s': 'runc', 'e': '', 'n': null, 'i': 7, "
                                     "'ctl': 1, 'long': 5}");
  ocigate_error_t err = NULL;
  enum field_state st;
  const char *s = NULL;
  assert_int_equal (field_string (p, NULL, "s", 0, &st, &s, &err), 0);
  assert_int_equal (st, FIELD_PRESENT);
  assert_string_equal (s, "runc");
  assert_int_equal (field_string (p, NULL, "e", FIELD_REQUIRED, &st, &s, &err), 0);
  assert_string_equal (s, "");
  assert_int_equal (field_string (p, NULL, "n", 0, &st, &s, &err), 0);
  assert_int_equal (st, FIELD_NULL);
  assert_null (s);
  cleanup_free char *m2 = message (field_string (p, &process_at, "i", 0, NULL, &s, &err), &err);
  assert_string_equal (m2, "process.i: must be a string, not int 7");
  cleanup_free char *m3 = message (field_string (p, NULL, "missing", FIELD_REQUIRED, NULL, &s, &err), &err);
  assert_string_equal (m3, "missing: missing");

  /* A key with a control character: the message is one printable line. */
  json_object_object_add (p, "bad\nkey", json_object_new_int (1));
  cleanup_free char *m4 = message (field_string (p, &process_at, "bad\nkey", 0, NULL, &s, &err), &err);
  assert_string_equal (m4, "process.bad\\x0akey: must be a string, not int 1");
}

static void
test_object_and_arrays (void **state UNUSED)
{
  cleanup_json json_object *p = doc ("{'o': {'a': 1}, 'a': [1, 2, 3], 's': ['ro', 'x'], 'mixed': ['ro', 3], "
                                     "'str': 'ro', 'n': null}");
  const struct json_path mounts_at = { .key = "mounts" };
  const struct json_path *m0 = FIELD_INDEX (&mounts_at, 0);
  ocigate_error_t err = NULL;
  json_object *o = NULL;
  size_t n = 99;
  enum field_state st;
  assert_int_equal (field_object (p, m0, "o", 0, &st, &o, &err), 0);
  assert_non_null (o);
  assert_int_equal (st, FIELD_PRESENT);
  assert_int_equal (field_object (p, m0, "n", 0, &st, &o, &err), 0);
  assert_null (o);
  assert_int_equal (st, FIELD_NULL);
  cleanup_free char *m1 = message (field_object (p, m0, "a", 0, NULL, &o, &err), &err);
  assert_string_equal (m1, "mounts[0].a: must be an object, not array [1,2,3]");

  assert_int_equal (field_array (p, m0, "a", NULL, 0, &o, &n, &err), 0);
  assert_int_equal (n, 3);
  assert_int_equal (field_array (p, m0, "absent", NULL, 0, &o, &n, &err), 0);
  assert_null (o);
  assert_int_equal (n, 0);
  cleanup_free char *m2 = message (field_array (p, m0, "o", NULL, 0, &o, &n, &err), &err);
  assert_string_equal (m2, "mounts[0].o: must be an array, not object {\"a\":1}");

  /* The count: at the limit, and one past it, as the caller counts. */
  const struct field_count three = { 3, NULL, NULL };
  assert_int_equal (field_array (p, m0, "a", &three, 0, &o, &n, &err), 0);
  const struct field_count two = { 2, "mounts", NULL };
  cleanup_free char *m3 = message (field_array (p, m0, "a", &two, 0, &o, &n, &err), &err);
  assert_string_equal (m3, "mounts[0].a: 3 mounts, more than the limit of 2");
  assert_null (o);
  assert_int_equal (n, 0);
  const struct field_count kernel = { 1, "mappings", "the kernel's limit" };
  cleanup_free char *m4 = message (field_array (p, NULL, "a", &kernel, 0, &o, &n, &err), &err);
  assert_string_equal (m4, "a: 3 mappings, more than the kernel's limit of 1");

  /* Arrays of strings. */
  assert_int_equal (field_string_array (p, m0, "s", NULL, 0, &o, &n, &err), 0);
  assert_int_equal (n, 2);
  cleanup_free char *m5 = message (field_string_array (p, m0, "str", NULL, 0, &o, &n, &err), &err);
  assert_string_equal (m5, "mounts[0].str: must be an array of strings, not string \"ro\"");
  cleanup_free char *m6 = message (field_string_array (p, m0, "mixed", NULL, 0, &o, &n, &err), &err);
  assert_string_equal (m6, "mounts[0].mixed[1]: must be a string, not int 3 (mounts[0].mixed must be an array of "
                           "strings)");
  assert_null (o);
  assert_int_equal (n, 0);

  /* Items. */
  json_object *a = json_get (p, "mixed");
  const struct json_path list_at = { .key = "list" };
  const char *s = NULL;
  assert_int_equal (field_item_string (a, &list_at, 0, &s, &err), 0);
  assert_string_equal (s, "ro");
  cleanup_free char *m8 = message (field_item_string (a, &list_at, 1, &s, &err), &err);
  assert_string_equal (m8, "list[1]: must be a string, not int 3");
  cleanup_free char *m9 = message (field_item_object (a, &list_at, 0, &o, &err), &err);
  assert_string_equal (m9, "list[0]: must be an object, not string \"ro\"");
  uint32_t u = 0;
  cleanup_free char *m10 = message (field_item_uint32 (a, &list_at, 0, &u, &err), &err);
  assert_string_equal (m10, "list[0]: must be an integer from 0 to 4294967295, not string \"ro\"");
  assert_int_equal (field_item_uint32 (json_get (p, "a"), &list_at, 2, &u, &err), 0);
  assert_int_equal (u, 3);

  /* The document itself. */
  assert_int_equal (field_want (p, NULL, json_type_object, &err), 0);
  cleanup_free char *m11 = message (field_want (a, NULL, json_type_object, &err), &err);
  assert_string_equal (m11, "config: must be an object, not array [\"ro\",3]");
  cleanup_free char *m12 = message (field_want (NULL, &process_at, json_type_object, &err), &err);
  assert_string_equal (m12, "process: must be an object, not null");
}

static void
test_integers (void **state UNUSED)
{
  cleanup_json json_object *p
      = doc ("{'zero': 0, 'neg': -5, 'max64': 9223372036854775807, 'above64': 9223372036854775808, "
             "'umax': 18446744073709551615, 'beyond': 99999999999999999999999, 'min64': -9223372036854775808, "
             "'u32': 4294967295, 'above32': 4294967296, 's': '8', 'd': 1.5, 'n': null}");
  const struct json_path cpu_at = { .key = "cpu" };
  ocigate_error_t err = NULL;
  enum field_state st;
  int64_t i = 1;
  uint64_t u = 1;
  uint32_t u32 = 1;

  assert_int_equal (field_int64 (p, &cpu_at, "neg", 0, &st, &i, &err), 0);
  assert_int_equal (i, -5);
  assert_int_equal (field_int64 (p, &cpu_at, "max64", 0, &st, &i, &err), 0);
  assert_true (i == INT64_MAX);
  assert_int_equal (field_int64 (p, &cpu_at, "n", 0, &st, &i, &err), 0);
  assert_int_equal (st, FIELD_NULL);
  assert_int_equal (i, 0);
  static const struct
  {
    const char *key, *want;
  } int64_errors[] = {
    { "above64", "cpu.above64: 9223372036854775808 is out of range for a 64-bit integer" },
    { "beyond", "cpu.beyond: 18446744073709551615 is out of range for a 64-bit integer" },
    { "min64", "cpu.min64: -9223372036854775808 is out of range for a 64-bit integer" },
    { "s", "cpu.s: must be an integer, not string \"8\"" },
    { "d", "cpu.d: must be an integer, not double 1.5" },
  };
  for (size_t k = 0; k < ARRAY_SIZE (int64_errors); k++)
    {
      cleanup_free char *m = message (field_int64 (p, &cpu_at, int64_errors[k].key, 0, NULL, &i, &err), &err);
      assert_string_equal (m, int64_errors[k].want);
    }

  /* Unsigned, the whole 64 bits. */
  assert_int_equal (field_uint64 (p, &cpu_at, "above64", UINT64_MAX, 0, &st, &u, &err), 0);
  assert_true (u == 9223372036854775808ull);
  assert_int_equal (field_uint64 (p, &cpu_at, "zero", UINT64_MAX, 0, &st, &u, &err), 0);
  assert_true (u == 0);
  static const struct
  {
    const char *key, *want;
  } uint64_errors[] = {
    { "neg", "cpu.neg: -5 is negative (an unsigned integer)" },
    { "umax", "cpu.umax: 18446744073709551615 is out of range for a 64-bit integer" },
    { "beyond", "cpu.beyond: 18446744073709551615 is out of range for a 64-bit integer" },
    { "s", "cpu.s: must be an integer, not string \"8\"" },
  };
  for (size_t k = 0; k < ARRAY_SIZE (uint64_errors); k++)
    {
      cleanup_free char *m
          = message (field_uint64 (p, &cpu_at, uint64_errors[k].key, UINT64_MAX, 0, NULL, &u, &err), &err);
      assert_string_equal (m, uint64_errors[k].want);
    }

  /* A range: 0 to 4294967295. */
  assert_int_equal (field_uint32 (p, &cpu_at, "u32", 0, &st, &u32, &err), 0);
  assert_true (u32 == UINT32_MAX);
  static const struct
  {
    const char *key, *want;
  } uint32_errors[] = {
    { "neg", "cpu.neg: -5 is out of range (0 to 4294967295)" },
    { "above32", "cpu.above32: 4294967296 is out of range (0 to 4294967295)" },
    { "above64", "cpu.above64: 9223372036854775808 is out of range (0 to 4294967295)" },
    { "beyond", "cpu.beyond: a number beyond 64 bits is out of range (0 to 4294967295)" },
    { "min64", "cpu.min64: a number beyond 64 bits is out of range (0 to 4294967295)" },
    { "s", "cpu.s: must be an integer from 0 to 4294967295, not string \"8\"" },
    { "d", "cpu.d: must be an integer from 0 to 4294967295, not double 1.5" },
    { "absent", "cpu.absent: missing" },
  };
  for (size_t k = 0; k < ARRAY_SIZE (uint32_errors); k++)
    {
      cleanup_free char *m
          = message (field_uint32 (p, &cpu_at, uint32_errors[k].key, FIELD_REQUIRED, NULL, &u32, &err), &err);
      assert_string_equal (m, uint32_errors[k].want);
    }
  /* A narrower range of uint64. */
  cleanup_free char *m1 = message (field_uint64 (p, &cpu_at, "u32", 100, 0, NULL, &u, &err), &err);
  assert_string_equal (m1, "cpu.u32: 4294967295 is out of range (0 to 100)");
  cleanup_free char *m2 = message (field_uint64 (p, &cpu_at, "d", 100, 0, NULL, &u, &err), &err);
  assert_string_equal (m2, "cpu.d: must be an integer from 0 to 100, not double 1.5");
}

/* A getter that fails leaves no value behind and keeps the first error. */
static void
test_first_error_wins (void **state UNUSED)
{
  cleanup_json json_object *p = doc ("{'a': 'x', 'b': 1}");
  ocigate_error_t err = NULL;
  bool b = true;
  const char *s = "left";
  assert_int_equal (field_bool (p, NULL, "a", 0, NULL, &b, &err), -1);
  assert_false (b);
  assert_int_equal (field_string (p, NULL, "b", 0, NULL, &s, &err), -1);
  assert_null (s);
  assert_string_equal (err->msg, "a: must be a boolean, not string \"x\"");
  ocigate_error_free (&err);
}

/* Reading good values allocates nothing: a field's name and a value's
 * text are made only for an error (json-c would allocate a number's text,
 * and keep it in the object).  Under a sanitizer or valgrind, mallinfo2()
 * may not see the heap, and this proves nothing. */
static void
test_success_allocates_nothing (void **state UNUSED)
{
  cleanup_json json_object *p = doc ("{'b': true, 's': 'x', 'o': {'k': 1}, 'a': ['x', 'y'], 'l': [{}, 7], 'i': -5, "
                                     "'u': 5, 'u32': 7, 'n': null}");
  const struct json_path at = { .key = "cpu" };
  const struct json_path list_at = { .key = "l" };
  ocigate_error_t err = NULL;
  bool b = false;
  const char *s = NULL;
  json_object *o = NULL, *a = NULL, *l = NULL;
  size_t n = 0, n_l = 0;
  int64_t i = 0;
  uint64_t u = 0;
  uint32_t u32 = 0, item = 0;
  int r = 0;
  struct mallinfo2 before = mallinfo2 ();
  r |= field_bool (p, &at, "b", FIELD_REQUIRED, NULL, &b, &err);
  r |= field_string (p, &at, "s", FIELD_OPTIONAL, NULL, &s, &err);
  r |= field_object (p, &at, "o", 0, NULL, &o, &err);
  r |= field_string_array (p, &at, "a", NULL, FIELD_OPTIONAL, &a, &n, &err);
  r |= field_array (p, &at, "l", NULL, 0, &l, &n_l, &err);
  r |= field_item_object (l, &list_at, 0, &o, &err);
  r |= field_item_uint32 (l, &list_at, 1, &item, &err);
  r |= field_int64 (p, &at, "i", 0, NULL, &i, &err);
  r |= field_uint64 (p, &at, "u", UINT64_MAX, 0, NULL, &u, &err);
  r |= field_uint32 (p, &at, "u32", 0, NULL, &u32, &err);
  r |= field_uint32 (p, &at, "n", 0, NULL, &u32, &err);
  r |= field_want (p, NULL, json_type_object, &err);
  struct mallinfo2 after = mallinfo2 ();
  assert_int_equal (r, 0);
  assert_null (err);
  assert_true (b && n == 2 && n_l == 2 && i == -5 && u == 5 && item == 7);
  assert_true (after.uordblks == before.uordblks);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_names),
    cmocka_unit_test (test_values),
    cmocka_unit_test (test_values_cut),
    cmocka_unit_test (test_bool),
    cmocka_unit_test (test_string),
    cmocka_unit_test (test_object_and_arrays),
    cmocka_unit_test (test_integers),
    cmocka_unit_test (test_success_allocates_nothing),
    cmocka_unit_test (test_first_error_wins),
  };
  return cmocka_run_group_tests_name ("field getters", tests, NULL, NULL);
}
