/* decisions.c and lines.c: the decision log read back for ocigate report
 * (a line into a record, what it was or would have been, the summary by
 * rule, --since), the bounded line reader, and the notes a rewrite
 * carries in its annotation. */
#include "unit.h"

#include <fcntl.h>
#include <unistd.h>

#include "base/lines.h"
#include "core/verdict.h"
#include "gate/decisions.h"

#define LINE_HEAD "{\"time\": \"2026-12-07T10:00:00Z\", \"id\": \"c1\", \"bundle\": \"/b\", "

/* A line as gate.c writes it, with via, outcome, decision, dry_run and
 * the findings given. */
static char *
log_line (const char *via, const char *outcome, const char *decision, bool dry_run, const char *findings)
{
  return xasprintf (LINE_HEAD "\"via\": \"%s\", \"outcome\": \"%s\", \"decision\": \"%s\", \"dry_run\": %s, "
                              "\"findings\": %s, \"policy\": \"p\", \"policy_sha256\": \"\"}",
                    via, outcome, decision, dry_run ? "true" : "false", findings);
}

static void
parse_ok (const char *line, struct decision_record *r)
{
  ocigate_error_t err = NULL;
  if (decision_record_parse (line, strlen (line), r, &err) < 0)
    fail_msg ("did not parse: %s", err->msg);
}

static char *
parse_error (const char *line, size_t len)
{
  struct decision_record r;
  ocigate_error_t err = NULL;
  int rc = decision_record_parse (line, len, &r, &err);
  decision_record_release (&r);
  assert_int_equal (rc, -1);
  char *msg = xstrdup (err->msg);
  ocigate_error_free (&err);
  return msg;
}

#define DENY_AND_FIX                                                                                                   \
  "[{\"rule\": \"user.root\", \"action\": \"deny\", \"message\": \"m\", \"path\": \"/process/user/uid\"}, "            \
  "{\"rule\": \"capabilities\", \"action\": \"fix\", \"message\": \"m\", \"path\": \"\"}, "                            \
  "{\"rule\": \"user.root\", \"action\": \"deny\", \"message\": \"m2\", \"path\": \"\"}, "                             \
  "{\"rule\": \"readonlyRootfs\", \"action\": \"warn\", \"message\": \"m\", \"path\": \"\"}]"
#define FIX_ONLY                                                                                                       \
  "[{\"rule\": \"capabilities\", \"action\": \"fix\", \"message\": \"m\", \"path\": \"\"}, "                           \
  "{\"rule\": \"readonlyRootfs\", \"action\": \"warn\", \"message\": \"m\", \"path\": \"\"}]"

static void
test_record_effects (void **state UNUSED)
{
  struct
  {
    const char *via, *outcome, *decision;
    bool dry_run;
    const char *findings;
    enum decision_effect effect;
    const char *rules; /* joined by spaces */
  } cases[] = {
    /* enforcing: what happened */
    { "ocigate-runc create", "refuse", "deny", false, DENY_AND_FIX, EFFECT_REFUSE, "user.root" },
    { "ocigate-runc create", "rewrite", "rewrite", false, FIX_ONLY, EFFECT_REWRITE, "capabilities" },
    { "ocigate-runc create", "allow", "allow", false, "[]", EFFECT_NONE, "" },
    /* a point that cannot rewrite refuses a fix */
    { "hook prestart", "refuse", "rewrite", false, FIX_ONLY, EFFECT_REFUSE, "capabilities" },
    /* an exec's flags cannot be rewritten: refused by fix findings alone */
    { "ocigate-runc exec", "refuse", "rewrite", false, FIX_ONLY, EFFECT_REFUSE, "capabilities" },
    /* dry run: what would have happened */
    { "hook precreate", "allow", "deny", true, DENY_AND_FIX, EFFECT_REFUSE, "user.root" },
    { "hook precreate", "allow", "rewrite", true, FIX_ONLY, EFFECT_REWRITE, "capabilities" },
    { "hook prestart", "allow", "rewrite", true, FIX_ONLY, EFFECT_REFUSE, "capabilities" },
    { "ocigate-crun update", "allow", "rewrite", true, FIX_ONLY, EFFECT_REFUSE, "capabilities" },
    { "hook createRuntime", "allow", "allow", true, FIX_ONLY, EFFECT_NONE, "" },
    /* could not be judged */
    { "hook prestart", "refuse", "error", false, "[]", EFFECT_REFUSE, "(error)" },
    { "hook precreate", "allow", "error", true, DENY_AND_FIX, EFFECT_REFUSE, "(error) user.root" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *line
          = log_line (cases[i].via, cases[i].outcome, cases[i].decision, cases[i].dry_run, cases[i].findings);
      cleanup_decision_record struct decision_record r = { 0 };
      parse_ok (line, &r);
      cleanup_strbuf struct strbuf rules = { 0 };
      for (size_t k = 0; k < r.n_rules; k++)
        strbuf_appendf (&rules, "%s%s", k ? " " : "", r.rules[k]);
      if (r.effect != cases[i].effect || strcmp (rules.len ? rules.buf : "", cases[i].rules) != 0)
        fail_msg ("case %zu (%s %s %s): effect %s rules '%s'", i, cases[i].via, cases[i].outcome, cases[i].decision,
                  decision_effect_name (r.effect), rules.len ? rules.buf : "");
      assert_int_equal (r.would, r.effect != EFFECT_NONE && strcmp (cases[i].outcome, "allow") == 0);
      assert_string_equal (r.id, "c1");
      assert_int_equal (r.time, 1796637600); /* 2026-12-07T10:00:00Z */
    }
}

static void
test_record_names_and_syslog (void **state UNUSED)
{
  cleanup_decision_record struct decision_record r = { 0 };
  parse_ok ("Dec  7 10:00:00 host ocigate[42]: " LINE_HEAD
            "\"name\": \"web\", \"image\": \"nginx:1.25\", \"engine\": \"docker\", \"via\": \"ocigate-runc create\", "
            "\"outcome\": \"allow\", \"decision\": \"allow\", \"dry_run\": false, \"findings\": [], "
            "\"findings_omitted\": 3}",
            &r);
  assert_string_equal (r.name, "web");
  assert_string_equal (r.image, "nginx:1.25");
  assert_string_equal (r.engine, "docker");
  /* an optional member may be null, as absent */
  cleanup_decision_record struct decision_record n = { 0 };
  parse_ok (LINE_HEAD "\"name\": null, \"via\": \"hook prestart\", \"outcome\": \"allow\", \"decision\": "
                      "\"allow\", \"dry_run\": false, \"findings\": []}",
            &n);
  assert_null (n.name);
}

static void
test_record_bad_lines (void **state UNUSED)
{
  const char *bad[] = {
    "",
    "not json",
    "[1, 2]",
    "{\"time\": ",
    "{} trailing",
    LINE_HEAD "\"via\": \"v\", \"outcome\": \"allow\", \"decision\": \"allow\", \"dry_run\": false}",
    LINE_HEAD "\"via\": \"v\", \"outcome\": \"maybe\", \"decision\": \"allow\", \"dry_run\": false, \"findings\": []}",
    LINE_HEAD "\"via\": \"v\", \"outcome\": \"allow\", \"decision\": \"allow\", \"dry_run\": 0, \"findings\": []}",
    LINE_HEAD "\"via\": 7, \"outcome\": \"allow\", \"decision\": \"allow\", \"dry_run\": false, \"findings\": []}",
    LINE_HEAD "\"via\": \"v\", \"outcome\": \"refuse\", \"decision\": \"deny\", \"dry_run\": false, \"findings\": [1]}",
    LINE_HEAD "\"via\": \"v\", \"outcome\": \"refuse\", \"decision\": \"deny\", \"dry_run\": false, "
              "\"findings\": [{\"rule\": \"r\", \"action\": \"nuke\"}]}",
    "{\"time\": \"yesterday\", \"via\": \"v\", \"outcome\": \"allow\", \"decision\": \"allow\", \"dry_run\": false, "
    "\"findings\": []}",
    "{\"time\": \"2026-02-30T10:00:00Z\", \"via\": \"v\", \"outcome\": \"allow\", \"decision\": \"allow\", "
    "\"dry_run\": false, \"findings\": []}",
    /* a key given twice: which one would count? */
    LINE_HEAD "\"via\": \"v\", \"via\": \"w\", \"outcome\": \"allow\", \"decision\": \"allow\", \"dry_run\": false, "
              "\"findings\": []}",
    "host sshd[1]: {\"time\": \"2026-12-07T10:00:00Z\"}",
  };
  for (size_t i = 0; i < ARRAY_SIZE (bad); i++)
    free (parse_error (bad[i], strlen (bad[i])));
  /* JSON that does not parse says where */
  cleanup_free char *msg = parse_error ("{\"time\": tru}", 13);
  assert_non_null (strstr (msg, "line:1:"));
  /* a NUL inside the line is not read past as the line's end */
  static const char with_nul[] = "{\"time\": \"a\0b\"}";
  free (parse_error (with_nul, sizeof with_nul - 1));
}

static void
test_time_and_since (void **state UNUSED)
{
  time_t t = 0;
  assert_int_equal (decision_time_parse ("2026-12-07T10:00:00Z", &t), 0);
  assert_int_equal (t, 1796637600);
  assert_int_equal (decision_time_parse ("2026-12-07T10:00:00.123456Z", &t), 0);
  assert_int_equal (t, 1796637600);
  const char *bad[] = { "2026-12-07T10:00:00",     "2026-12-07T10:00:00+01:00", "2026-12-07 10:00:00Z",
                        "2026-13-07T10:00:00Z",    "2026-12-07T24:00:00Z",      "2026-12-07T10:00:00.Z",
                        "2026-04-31T10:00:00Z",    "20261207T100000Z",          "",
                        "2026-12-07T10:00:00Zjunk" };
  for (size_t i = 0; i < ARRAY_SIZE (bad); i++)
    if (decision_time_parse (bad[i], &t) == 0)
      fail_msg ("'%s' read as a time", bad[i]);

  const time_t now = 1796637600;
  struct
  {
    const char *arg;
    time_t want;
  } good[] = { { "30m", now - 1800 },
               { "1h", now - 3600 },
               { "2d", now - 2 * 86400 },
               { "10s", now - 10 },
               { "1w", now - 7 * 86400 },
               { "0h", now },
               { "2026-12-07T09:00:00Z", now - 3600 } };
  for (size_t i = 0; i < ARRAY_SIZE (good); i++)
    {
      ocigate_error_t err = NULL;
      if (decision_since_parse (good[i].arg, now, &t, &err) < 0)
        fail_msg ("--since %s: %s", good[i].arg, err->msg);
      assert_int_equal (t, good[i].want);
    }
  const char *bad_since[] = { "", "h", "1", "1y", "-1h", "1hh", "1 h", "9999999999d", "yesterday" };
  for (size_t i = 0; i < ARRAY_SIZE (bad_since); i++)
    {
      ocigate_error_t err = NULL;
      if (decision_since_parse (bad_since[i], now, &t, &err) == 0)
        fail_msg ("--since '%s' accepted", bad_since[i]);
      assert_int_equal (err->kind, OCIGATE_ERR_USAGE);
      assert_non_null (strstr (err->msg, "RFC 3339"));
      ocigate_error_free (&err);
    }
}

/* An unlinked file holding text, open at its start. */
static int
pipe_of (const char *text, size_t len)
{
  char path[] = "/tmp/ocigate-unit-XXXXXX";
  int fd = mkstemp (path);
  assert_true (fd >= 0);
  unlink (path);
  assert_int_equal (write (fd, text, len), (ssize_t)len);
  assert_int_equal (lseek (fd, 0, SEEK_SET), 0);
  return fd;
}

/* Read lines from lr: want[i] is the text of line i, NULL for one too
 * long to keep; then the end.  The buffer stays within bound. */
static void
expect_lines (struct line_reader *lr, const char *const *want, size_t n, size_t bound)
{
  const char *line;
  size_t len;
  bool too_long;
  ocigate_error_t err = NULL;
  for (size_t i = 0; i < n; i++)
    {
      assert_int_equal (line_reader_next (lr, &line, &len, &too_long, &err), 1);
      assert_int_equal (too_long, want[i] == NULL);
      if (want[i])
        {
          assert_string_equal (line, want[i]);
          assert_int_equal (len, strlen (want[i]));
        }
      assert_true (lr->cap <= bound);
    }
  assert_int_equal (line_reader_next (lr, &line, &len, &too_long, &err), 0);
}

static void
test_line_reader (void **state UNUSED)
{
  /* a line of 5 bytes is kept at max 5, one of 6 is read past */
  static const char text[] = "abcde\nabcdef\n\nlast";
  cleanup_close int fd = pipe_of (text, sizeof text - 1);
  cleanup_line_reader struct line_reader lr;
  line_reader_init (&lr, fd, "t", 5);
  const char *want[] = { "abcde", NULL, "", "last" };
  expect_lines (&lr, want, ARRAY_SIZE (want), 2 * 65536);
}

static void
test_line_reader_huge_lines_bounded (void **state UNUSED)
{
  /* 3 MiB lines, past a limit of 1 MiB, between short ones: the buffer
   * never holds much more than the limit and a block. */
  size_t big = (size_t)3 << 20;
  struct strbuf sb = { 0 };
  strbuf_append (&sb, "first\n");
  for (int k = 0; k < 2; k++)
    {
      char *filler = xmalloc (big);
      memset (filler, 'x', big);
      strbuf_append_mem (&sb, filler, big);
      free (filler);
      strbuf_append (&sb, k ? "" : "\nmiddle\n"); /* the last has no newline */
    }
  cleanup_close int fd = pipe_of (sb.buf, sb.len);
  strbuf_release (&sb);
  cleanup_line_reader struct line_reader lr;
  line_reader_init (&lr, fd, "t", (size_t)1 << 20);
  const char *want[] = { "first", NULL, "middle", NULL };
  expect_lines (&lr, want, ARRAY_SIZE (want), ((size_t)1 << 20) + 2 * 65536 + 2);
}

static void
test_summary (void **state UNUSED)
{
  cleanup_report_summary struct report_summary s = { 0 };
  s.since = 1796637600 - 60;
  const char *lines[] = {
    /* web: refused twice by user.root, once rewritten */
    "{\"time\": \"2026-12-07T10:00:00Z\", \"id\": \"aaa\", \"name\": \"web\", \"image\": \"nginx\", \"bundle\": \"\", "
    "\"via\": \"hook precreate\", \"outcome\": \"allow\", \"decision\": \"deny\", \"dry_run\": true, \"findings\": "
    "[{\"rule\": \"user.root\", \"action\": \"deny\"}, {\"rule\": \"user.root\", \"action\": \"deny\"}]}",
    "{\"time\": \"2026-12-07T11:00:00Z\", \"id\": \"bbb\", \"name\": \"web\", \"bundle\": \"\", "
    "\"via\": \"hook precreate\", \"outcome\": \"allow\", \"decision\": \"deny\", \"dry_run\": true, \"findings\": "
    "[{\"rule\": \"user.root\", \"action\": \"deny\"}]}",
    /* an ID alone */
    "{\"time\": \"2026-12-07T10:30:00Z\", \"id\": \"ccc\", \"bundle\": \"/b\", "
    "\"via\": \"ocigate-runc create\", \"outcome\": \"refuse\", \"decision\": \"deny\", \"dry_run\": false, "
    "\"findings\": [{\"rule\": \"user.root\", \"action\": \"deny\"}]}",
    "{\"time\": \"2026-12-07T10:30:00Z\", \"id\": \"ccc\", \"bundle\": \"/b\", "
    "\"via\": \"ocigate-runc create\", \"outcome\": \"rewrite\", \"decision\": \"rewrite\", \"dry_run\": false, "
    "\"findings\": [{\"rule\": \"capabilities\", \"action\": \"fix\"}]}",
    /* before --since */
    "{\"time\": \"2026-12-07T09:00:00Z\", \"id\": \"old\", \"via\": \"hook prestart\", \"outcome\": \"refuse\", "
    "\"decision\": \"deny\", \"dry_run\": false, \"findings\": [{\"rule\": \"privileged\", \"action\": \"deny\"}]}",
    /* allowed: counted, not summed */
    "{\"time\": \"2026-12-07T10:00:00Z\", \"id\": \"ok\", \"via\": \"hook prestart\", \"outcome\": \"allow\", "
    "\"decision\": \"allow\", \"dry_run\": false, \"findings\": [{\"rule\": \"readonlyRootfs\", \"action\": "
    "\"warn\"}]}",
    "garbage",
    "   ",
  };
  for (size_t i = 0; i < ARRAY_SIZE (lines); i++)
    report_summary_line (&s, lines[i], strlen (lines[i]), false);
  report_summary_line (&s, "", 0, true);
  report_summary_sort (&s);
  assert_int_equal (s.lines, 8);
  assert_int_equal (s.decisions, 5);
  assert_int_equal (s.before_since, 1);
  assert_int_equal (s.skipped, 2);
  assert_int_equal (s.too_long, 1);
  assert_true (report_summary_any (&s));
  assert_int_equal (s.n_rules, 2);
  const struct report_rule *g = &s.rules[0];
  assert_string_equal (g->rule, "user.root");
  assert_int_equal (g->effect, EFFECT_REFUSE);
  assert_int_equal (g->decisions, 3);
  assert_int_equal (g->n_containers, 2);
  assert_string_equal (g->containers[0].key, "web");
  assert_int_equal (g->containers[0].decisions, 2);
  assert_string_equal (g->containers[0].id, "aaa");
  assert_string_equal (g->containers[0].image, "nginx");
  assert_int_equal (g->containers[0].first, 1796637600);
  assert_int_equal (g->containers[0].last, 1796637600 + 3600);
  assert_string_equal (g->containers[1].key, "ccc");
  assert_null (g->containers[1].name);
  assert_string_equal (s.rules[1].rule, "capabilities");
  assert_int_equal (s.rules[1].effect, EFFECT_REWRITE);
}

/* Sum up a refusal of container id by rule (both taken). */
static void
add_refusal (struct report_summary *s, char *id, char *rule)
{
  cleanup_free char *line = xasprintf (
      "{\"time\": \"2026-12-07T10:00:00Z\", \"id\": \"%s\", \"via\": \"hook prestart\", \"outcome\": \"refuse\", "
      "\"decision\": \"deny\", \"dry_run\": false, \"findings\": [{\"rule\": \"%s\", \"action\": \"deny\"}]}",
      id, rule);
  free (id);
  free (rule);
  report_summary_line (s, line, strlen (line), false);
}

static void
test_summary_bounded (void **state UNUSED)
{
  /* More containers than a rule keeps, and more rules than the summary
   * keeps: counted, not kept. */
  cleanup_report_summary struct report_summary s = { 0 };
  for (int i = 0; i < REPORT_MAX_CONTAINERS + 10; i++)
    add_refusal (&s, xasprintf ("c%d", i), xstrdup ("r"));
  for (int i = 0; i < REPORT_MAX_RULES + 5; i++)
    add_refusal (&s, xstrdup ("c"), xasprintf ("r%d", i));
  assert_int_equal (s.n_rules, REPORT_MAX_RULES);
  assert_int_equal (s.rules[0].n_containers, REPORT_MAX_CONTAINERS);
  assert_int_equal (s.rules[0].decisions, REPORT_MAX_CONTAINERS + 10);
  assert_int_equal (s.rules[0].decisions_omitted, 10);
  assert_int_equal (s.rules_omitted_decisions, 6);
}

static void
test_fix_notes_join (void **state UNUSED)
{
  cleanup_fix_notes struct fix_notes notes = { 0 };
  assert_null (fix_notes_join (&notes, 100));
  fix_notes_add (NULL, "r", "ignored");
  fix_notes_add (&notes, "capabilities", "dropped %s", "CAP_NET_RAW");
  fix_notes_add (&notes, "noNewPrivileges", "set true");
  cleanup_free char *all = fix_notes_join (&notes, 1024);
  assert_string_equal (all, "capabilities: dropped CAP_NET_RAW; noNewPrivileges: set true");
  /* past the bound: the notes that fit, then how many more */
  for (int i = 0; i < 100; i++)
    fix_notes_add (&notes, "maskedPaths", "masked /proc/path%03d\n", i);
  cleanup_free char *cut = fix_notes_join (&notes, 200);
  assert_true (strlen (cut) <= 200);
  assert_null (strchr (cut, '\n'));
  assert_non_null (strstr (cut, "capabilities: dropped CAP_NET_RAW; noNewPrivileges: set true; maskedPaths: "));
  assert_non_null (strstr (cut, "more"));
  const char *tail = strstr (cut, "; and ");
  assert_non_null (tail);
  size_t more = strtoul (tail + 6, NULL, 10);
  size_t shown = 1;
  for (const char *c = cut; (c = strstr (c, "; ")) != NULL && c < tail; c++)
    shown++;
  assert_int_equal (shown + more, 102);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_record_effects),   cmocka_unit_test (test_record_names_and_syslog),
    cmocka_unit_test (test_record_bad_lines), cmocka_unit_test (test_time_and_since),
    cmocka_unit_test (test_line_reader),      cmocka_unit_test (test_line_reader_huge_lines_bounded),
    cmocka_unit_test (test_summary),          cmocka_unit_test (test_summary_bounded),
    cmocka_unit_test (test_fix_notes_join),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
