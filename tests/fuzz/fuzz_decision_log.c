/* libFuzzer target: the decision log ocigate report reads.
 *
 * bytes -> line_reader (a small line limit, so long lines are met) ->
 * report_summary_line: every line is a record or counted as skipped, and
 * the summary stays within its bounds.  Each line is also given to
 * decision_record_parse: a record has a time, a via and, when it was or
 * would have been refused or rewritten, a rule for it.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "fuzz_common.h"

#include <sys/mman.h>
#include <unistd.h>

#include "base/lines.h"
#include "gate/decisions.h"

#define FUZZ_MAX_LINE 4096

static void
check_record (const char *line, size_t len)
{
  struct decision_record r;
  ocigate_error_t err = NULL;
  int rc = decision_record_parse (line, len, &r, &err);
  fuzz_check_error (rc, err, "decision_record_parse");
  if (rc == 0)
    {
      if (r.time_text == NULL || r.via == NULL)
        fuzz_fail ("a record without a time or via");
      if (r.n_rules > DECISION_MAX_RULES)
        fuzz_fail ("a record with %zu rules", r.n_rules);
      if ((r.effect == EFFECT_NONE) != (r.n_rules == 0))
        fuzz_fail ("effect %s with %zu rules", decision_effect_name (r.effect), r.n_rules);
    }
  decision_record_release (&r);
  ocigate_error_free (&err);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  int fd = memfd_create ("decision-log", MFD_CLOEXEC);
  if (fd < 0 || write (fd, data, size) != (ssize_t)size || lseek (fd, 0, SEEK_SET) != 0)
    fuzz_fail ("memfd");
  struct report_summary s = { 0 };
  struct line_reader lr;
  line_reader_init (&lr, fd, "fuzz", FUZZ_MAX_LINE);
  size_t lines = 0;
  for (;;)
    {
      const char *line;
      size_t len;
      bool too_long;
      ocigate_error_t err = NULL;
      int r = line_reader_next (&lr, &line, &len, &too_long, &err);
      fuzz_check_error (r < 0 ? -1 : 0, err, "line_reader_next");
      if (r <= 0)
        break;
      if (len > FUZZ_MAX_LINE || (too_long && len))
        fuzz_fail ("a line of %zu bytes past a limit of %d", len, FUZZ_MAX_LINE);
      if (memchr (line, '\n', len) || line[len] != '\0')
        fuzz_fail ("a line that holds its newline or is not terminated");
      if (++lines > size + 1)
        fuzz_fail ("more lines than bytes");
      if (!too_long)
        check_record (line, len);
      report_summary_line (&s, line, len, too_long);
    }
  if (s.decisions + s.before_since + s.skipped != s.lines)
    fuzz_fail ("lines %zu != decisions %zu + before %zu + skipped %zu", s.lines, s.decisions, s.before_since,
               s.skipped);
  if (s.n_rules > REPORT_MAX_RULES)
    fuzz_fail ("%zu rule groups", s.n_rules);
  report_summary_sort (&s);
  for (size_t i = 0; i < s.n_rules; i++)
    {
      const struct report_rule *g = &s.rules[i];
      size_t sum = g->decisions_omitted;
      for (size_t c = 0; c < g->n_containers; c++)
        sum += g->containers[c].decisions;
      if (sum != g->decisions || g->first > g->last)
        fuzz_fail ("rule %s: %zu decisions, containers add up to %zu", g->rule, g->decisions, sum);
    }
  report_summary_release (&s);
  line_reader_release (&lr);
  close (fd);
  return 0;
}
