/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "base/lines.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINE_READ_BLOCK ((size_t)64 * 1024)

void
line_reader_init (struct line_reader *lr, int fd, const char *name, size_t max_line)
{
  *lr = (struct line_reader){ .fd = fd, .name = name, .max_line = max_line };
}

/* One more block after what the buffer holds, moved to its start; the
 * buffer never grows past what it holds (at most max_line, or the bytes
 * are dropped) and one block. */
static int
fill (struct line_reader *lr, ocigate_error_t *err)
{
  if (lr->start > 0)
    {
      memmove (lr->buf, lr->buf + lr->start, lr->end - lr->start);
      lr->end -= lr->start;
      lr->start = 0;
    }
  if (lr->cap - lr->end < LINE_READ_BLOCK + 1)
    {
      lr->cap = lr->end + LINE_READ_BLOCK + 1;
      lr->buf = xrealloc (lr->buf, lr->cap);
    }
  ssize_t n;
  do
    n = read (lr->fd, lr->buf + lr->end, LINE_READ_BLOCK);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return ocigate_error_make_errno (err, errno, "read %s", lr->name);
  if (n == 0)
    lr->eof = true;
  lr->end += (size_t)n;
  return 0;
}

static int
skipped_line (const char **line, size_t *len, bool *too_long)
{
  *line = "";
  *len = 0;
  *too_long = true;
  return 1;
}

int
line_reader_next (struct line_reader *lr, const char **line, size_t *len, bool *too_long, ocigate_error_t *err)
{
  bool skipping = false; /* the line is longer than max_line: read past it */
  *too_long = false;
  for (;;)
    {
      char *nl = lr->end > lr->start ? memchr (lr->buf + lr->start, '\n', lr->end - lr->start) : NULL;
      if (nl)
        {
          size_t n = (size_t)(nl - (lr->buf + lr->start));
          size_t at = lr->start;
          lr->start += n + 1;
          if (skipping || n > lr->max_line)
            return skipped_line (line, len, too_long);
          *nl = '\0';
          *line = lr->buf + at;
          *len = n;
          return 1;
        }
      if (lr->end - lr->start > lr->max_line)
        {
          skipping = true;
          lr->start = lr->end;
        }
      if (lr->eof)
        {
          if (skipping)
            {
              lr->start = lr->end; /* the rest of the long line */
              return skipped_line (line, len, too_long);
            }
          if (lr->end == lr->start)
            return 0;
          lr->buf[lr->end] = '\0';
          *line = lr->buf + lr->start;
          *len = lr->end - lr->start;
          lr->start = lr->end;
          return 1;
        }
      if (fill (lr, err) < 0)
        return -1;
    }
}

void
line_reader_release (struct line_reader *lr)
{
  free (lr->buf);
  *lr = (struct line_reader){ 0 };
}
