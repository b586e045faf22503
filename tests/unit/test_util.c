/* util.c: the JSON string writer gives json-c's bytes, the growable
 * string keeps bytes with NULs in them, and heap_reserve() maps the heap
 * a decision needs in one step. */
#include "unit.h"

#include <unistd.h>

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

/* KiB of the [heap] mapping that are in memory, or -1. */
static long
heap_rss_kib (void)
{
  FILE *f = fopen ("/proc/self/smaps", "re");
  if (f == NULL)
    return -1;
  char line[512];
  bool in_heap = false;
  long rss = -1;
  while (fgets (line, sizeof line, f))
    {
      if (strchr (line, '-') && strchr (line, ' ') && strchr (line, '-') < strchr (line, ' '))
        in_heap = strstr (line, "[heap]") != NULL;
      else if (in_heap && strncmp (line, "Rss:", 4) == 0)
        rss = strtol (line + 4, NULL, 10);
    }
  fclose (f);
  return rss;
}

static void
test_heap_reserve (void **state UNUSED)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  skip (); /* a sanitizer's allocator does not grow by brk: nothing to reserve */
#endif
  long before = heap_rss_kib ();
  if (before < 0)
    skip ();
  heap_reserve ((size_t)512 * 1024);
  long after = heap_rss_kib ();
  /* the pages are in memory before anything touches them */
  assert_true (after - before >= 400);
  /* and what a decision allocates comes from them: the break stays */
  void *brk_then = sbrk (0);
  void *blocks[400];
  for (size_t i = 0; i < ARRAY_SIZE (blocks); i++)
    blocks[i] = xmalloc (1000);
  assert_ptr_equal (sbrk (0), brk_then);
  for (size_t i = 0; i < ARRAY_SIZE (blocks); i++)
    free (blocks[i]);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_json_string_cases),  cmocka_unit_test (test_json_string_every_byte),
    cmocka_unit_test (test_json_string_random), cmocka_unit_test (test_append_mem_keeps_nul),
    cmocka_unit_test (test_heap_reserve),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
