/* util.c: the JSON string writer gives json-c's bytes, and the growable
 * string keeps bytes with NULs in them. */
#include "unit.h"

#include "util.h"

/* What json-c writes for s, as the reports and logs did before. */
static char *
jsonc_string (const char *s)
{
  json_object *o = json_object_new_string (s);
  assert_non_null (o);
  char *r = xstrdup (json_object_to_json_string_ext (o, JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (o);
  return r;
}

static void
assert_same_as_jsonc (const char *s)
{
  struct strbuf sb = { 0 };
  strbuf_append (&sb, "x");
  strbuf_append_json_string (&sb, s);
  char *want = jsonc_string (s);
  assert_string_equal (sb.buf + 1, want);
  free (want);
  strbuf_release (&sb);
}

static void
test_json_string_cases (void **state UNUSED)
{
  assert_same_as_jsonc ("");
  assert_same_as_jsonc ("plain text");
  assert_same_as_jsonc ("quote \" backslash \\ slash / end");
  assert_same_as_jsonc ("\b\f\n\r\t");
  assert_same_as_jsonc ("\x01\x02\x1b\x1f and \x7f");
  assert_same_as_jsonc ("UTF-8: \xc3\xa9\xe2\x82\xac\xf0\x9f\x90\xb3");
  assert_same_as_jsonc ("\"\\\"");
}

/* Every byte but NUL, alone and in every position of a short string. */
static void
test_json_string_every_byte (void **state UNUSED)
{
  char s[4];
  for (int c = 1; c < 256; c++)
    {
      s[0] = (char)c;
      s[1] = '\0';
      assert_same_as_jsonc (s);
      s[0] = 'a';
      s[1] = (char)c;
      s[2] = 'b';
      s[3] = '\0';
      assert_same_as_jsonc (s);
    }
}

/* Random strings, seeded: the same bytes as json-c for each. */
static void
test_json_string_random (void **state UNUSED)
{
  unsigned seed = 12345;
  char s[64];
  for (int n = 0; n < 20000; n++)
    {
      size_t len = (size_t)(rand_r (&seed) % 63);
      for (size_t i = 0; i < len; i++)
        {
          int c = rand_r (&seed) % 255 + 1; /* no NUL */
          /* mostly the bytes that need escaping */
          s[i] = (char)(rand_r (&seed) % 2 ? c : "\"\\/\n\t\x01 a"[rand_r (&seed) % 9]);
        }
      s[len] = '\0';
      assert_same_as_jsonc (s);
    }
}

static void
test_append_mem_keeps_nul (void **state UNUSED)
{
  struct strbuf sb = { 0 };
  strbuf_append_mem (&sb, "a\0b", 3);
  strbuf_append_mem (&sb, "c", 1);
  assert_int_equal (sb.len, 4);
  assert_memory_equal (sb.buf, "a\0bc", 5); /* and NUL-terminated */
  strbuf_release (&sb);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_json_string_cases),
    cmocka_unit_test (test_json_string_every_byte),
    cmocka_unit_test (test_json_string_random),
    cmocka_unit_test (test_append_mem_keeps_nul),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
