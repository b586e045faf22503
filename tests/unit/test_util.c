/* util.c: the JSON string writer gives json-c's bytes, the growable
 * string keeps bytes with NULs in them, heap_reserve() maps the heap a
 * decision needs in one step, and what findings and errors quote of a
 * config is one printable line. */
#include "unit.h"

#include <unistd.h>

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "base/error.h"
#include "base/fsutil.h"
#include "base/util.h"
#include "core/verdict.h"

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

static char *
line_of (const char *s)
{
  return printable_line (xstrdup (s));
}

static void
test_printable_line_escapes_controls (void **state UNUSED)
{
  /* Text with nothing to change comes back as it is, the same block. */
  char *plain = xstrdup ("mounts[3].destination=/data, caf\xc3\xa9 \xe2\x82\xac");
  assert_ptr_equal (printable_line (plain), plain);
  free (plain);

  struct
  {
    const char *in, *out;
  } cases[] = {
    { "/dev/x\nocigate: allowed", "/dev/x\\x0aocigate: allowed" },
    { "/y\x1b[31m red", "/y\\x1b[31m red" },
    { "a\tb\rc\x7f", "a\\x09b\\x0dc\\x7f" },
    /* C1 controls in UTF-8 (CSI is U+009B): terminals act on them too. */
    { "x\xc2\x9b"
      "2Jy",
      "x\\u009b2Jy" },
    { "\xc2\x80\xc2\x9f\xc2\xa0", "\\u0080\\u009f\xc2\xa0" }, /* U+00A0 is printable */
    /* Bidi overrides and isolates reorder what a terminal or a web log
     * viewer shows after them ("deny" read backwards). */
    { "/mnt/\xe2\x80\xae"
      "ynde",
      "/mnt/\\u202eynde" },
    { "a\xe2\x81\xa6"
      "b\xe2\x81\xa9"
      "c\xe2\x80\x8f"
      "d\xd8\x9c"
      "e",
      "a\\u2066b\\u2069c\\u200fd\\u061ce" },
    /* Other characters of the same blocks are text: U+200B, U+2070. */
    { "\xe2\x80\x8b\xe2\x81\xb0", "\xe2\x80\x8b\xe2\x81\xb0" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      char *got = line_of (cases[i].in);
      assert_string_equal (got, cases[i].out);
      free (got);
    }
}

static void
test_printable_line_cuts_long_text (void **state UNUSED)
{
  /* 3 bytes a character: a cut must not split one. */
  struct strbuf sb = { 0 };
  strbuf_append (&sb, "START ");
  for (int i = 0; i < 3000; i++)
    strbuf_append (&sb, "\xe2\x82\xac");
  strbuf_append (&sb, "; remove it");
  char *got = printable_line (strbuf_steal (&sb));
  size_t len = strlen (got);
  assert_true (len <= PRINTABLE_LINE_MAX + 64);
  assert_true (len >= PRINTABLE_LINE_MAX / 2 + PRINTABLE_LINE_MAX / 4);
  assert_memory_equal (got, "START ", 6);
  assert_string_equal (got + len - 11, "; remove it");
  assert_non_null (strstr (got, " bytes cut) ... "));
  /* Valid UTF-8 throughout: json-c's validating parser reads it back. */
  char *quoted = xasprintf ("\"%s\"", got);
  json_tokener *tok = json_tokener_new ();
  json_tokener_set_flags (tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
  json_object *o = json_tokener_parse_ex (tok, quoted, (int)strlen (quoted));
  assert_int_equal (json_tokener_get_error (tok), json_tokener_success);
  json_object_put (o);
  json_tokener_free (tok);
  free (quoted);
  free (got);

  /* Escapes count: 2000 newlines become 8000 bytes, and are cut. */
  char many[2001];
  memset (many, '\n', 2000);
  many[2000] = '\0';
  got = line_of (many);
  assert_null (strchr (got, '\n'));
  assert_true (strlen (got) <= PRINTABLE_LINE_MAX + 64);
  free (got);
}

static void
test_text_excerpt (void **state UNUSED)
{
  char *got = text_excerpt ("short");
  assert_string_equal (got, "short");
  free (got);
  struct strbuf sb = { 0 };
  for (int i = 0; i < 300; i++)
    strbuf_append (&sb, "\xc3\xa9");
  got = text_excerpt (sb.buf);
  /* 256 characters of two bytes each, then "..." */
  assert_int_equal (strlen (got), 512 + 3);
  assert_string_equal (got + 512, "...");
  free (got);
  sb.buf[512] = '\0'; /* exactly 256 characters: nothing cut */
  got = text_excerpt (sb.buf);
  assert_string_equal (got, sb.buf);
  free (got);
  strbuf_release (&sb);
}

/* The two places config text enters a message a person reads. */
static void
test_findings_and_errors_are_one_line (void **state UNUSED)
{
  const char *hostile = "/dev/x\nocigate: allowed by every rule\x1b[2J";
  struct verdict v = { 0 };
  verdict_add_finding (&v, "devices", ACTION_DENY, "/linux/devices/0", "host device %s in the container", hostile);
  assert_string_equal (v.findings[0].message,
                       "host device /dev/x\\x0aocigate: allowed by every rule\\x1b[2J in the container");
  verdict_release (&v);

  ocigate_error_t err = NULL;
  ocigate_error_make (&err, 0, OCIGATE_ERR_INPUT, "unknown capability \"%s\"", hostile);
  ocigate_error_prefix (&err, "config\n%s", "x");
  assert_non_null (err);
  assert_null (strchr (err->msg, '\n'));
  assert_null (strchr (err->msg, '\x1b'));
  assert_string_equal (err->msg,
                       "config\\x0ax: unknown capability \"/dev/x\\x0aocigate: allowed by every rule\\x1b[2J\"");
  ocigate_error_free (&err);
}

static void
test_json_pointer_remove (void **state UNUSED)
{
  cleanup_json json_object *root
      = json_tokener_parse ("{\"a\": {\"x/y\": 1, \"t~s\": 2, \"k\": 3}, \"l\": [1, 2], \"\": 4}");
  assert_non_null (root);
  assert_int_equal (json_pointer_remove (root, "/a/x~1y"), 1);
  assert_int_equal (json_pointer_remove (root, "/a/t~0s"), 1);
  assert_int_equal (json_pointer_remove (root, "/a/x~1y"), 0); /* gone */
  assert_int_equal (json_pointer_remove (root, "/a/nope"), 0);
  assert_int_equal (json_pointer_remove (root, "/nope/k"), 0);
  assert_int_equal (json_pointer_remove (root, "/l/0"), 0); /* array elements stay */
  assert_int_equal (json_pointer_remove (root, ""), 0);     /* the document stays */
  assert_int_equal (json_pointer_remove (root, "/"), 1);    /* the member named "" */
  assert_string_equal (json_object_to_json_string_ext (root, JSON_C_TO_STRING_PLAIN), "{\"a\":{\"k\":3},\"l\":[1,2]}");
}

/* Every pointer is found before any goes: the items of one array, a
 * member and something below it, and one named twice. */
static void
test_json_pointers_remove (void **state UNUSED)
{
  cleanup_json json_object *root = json_tokener_parse (
      "{\"h\": {\"poststop\": [10, 11, 12, 13], \"prestart\": [{\"p\": 1}]}, \"a\": {\"x/y\": {\"k\": 1}}, \"z\": 5}");
  assert_non_null (root);
  char *pointers[] = { "/h/poststop/0",   "/h/poststop/2", "/h/poststop/0", "/a/x~1y", "/a/x~1y/k",
                       "/h/prestart/0/p", "/nope/0",       "/h/poststop/9", "" };
  json_pointers_remove (root, pointers, ARRAY_SIZE (pointers));
  assert_string_equal (json_object_to_json_string_ext (root, JSON_C_TO_STRING_PLAIN),
                       "{\"h\":{\"poststop\":[11,13],\"prestart\":[{}]},\"a\":{},\"z\":5}");
  json_pointers_remove (root, pointers, 0);
}

/* in_root(ROOT, PATH, FOLLOW): path_in_root's answer, less ROOT. */
static char *
in_root (const char *root, const char *path, bool follow_last)
{
  char *out = NULL;
  ocigate_error_t err = NULL;
  if (path_in_root (root, path, follow_last, &out, &err) < 0)
    fail_msg ("%s: %s", path, err->msg);
  assert_true (strncmp (out, root, strlen (root)) == 0);
  char *rel = xstrdup (out + strlen (root));
  free (out);
  return rel;
}

static void
test_path_in_root (void **state UNUSED)
{
  char root[] = "/tmp/ocigate-unit-root.XXXXXX";
  assert_non_null (mkdtemp (root));
  /* The tree, made by the shell: directories and links under root. */
  char *mk = xasprintf ("cd '%s' && mkdir -p etc/containerd usr && ln -s /usr/share/containerd/config.toml "
                        "etc/containerd/config.toml && ln -s ../../.. etc/containerd/up && ln -s /etc/containerd/loop "
                        "etc/containerd/loop && ln -s /etc usr/etc",
                        root);
  assert_int_equal (system (mk), 0);
  free (mk);
  /* An absolute link is the host's: it leads under root, not to this
   * machine's /usr. */
  char *r = in_root (root, "etc/containerd/config.toml", true);
  assert_string_equal (r, "/usr/share/containerd/config.toml");
  free (r);
  r = in_root (root, "etc/containerd/config.toml", false);
  assert_string_equal (r, "/etc/containerd/config.toml");
  free (r);
  /* A link on the way is followed either way; ".." stops at root. */
  r = in_root (root, "usr/etc/containerd/x", false);
  assert_string_equal (r, "/etc/containerd/x");
  free (r);
  r = in_root (root, "etc/containerd/up/../../etc/./containerd", true);
  assert_string_equal (r, "/etc/containerd");
  free (r);
  r = in_root (root, "/", true);
  assert_string_equal (r, "/");
  free (r);

  char *out = NULL;
  ocigate_error_t err = NULL;
  assert_int_equal (path_in_root (root, "etc/containerd/loop", true, &out, &err), -1);
  assert_int_equal (err->status, ELOOP);
  assert_null (out);
  ocigate_error_free (&err);

  /* The real root: as written. */
  r = in_root ("", "etc/x", true);
  assert_string_equal (r, "/etc/x");
  free (r);
  char *cmd = xasprintf ("rm -rf '%s'", root);
  assert_int_equal (system (cmd), 0);
  free (cmd);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_json_string_cases),
    cmocka_unit_test (test_json_string_every_byte),
    cmocka_unit_test (test_json_string_random),
    cmocka_unit_test (test_append_mem_keeps_nul),
    cmocka_unit_test (test_heap_reserve),
    cmocka_unit_test (test_printable_line_escapes_controls),
    cmocka_unit_test (test_printable_line_cuts_long_text),
    cmocka_unit_test (test_text_excerpt),
    cmocka_unit_test (test_findings_and_errors_are_one_line),
    cmocka_unit_test (test_json_pointer_remove),
    cmocka_unit_test (test_json_pointers_remove),
    cmocka_unit_test (test_path_in_root),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
