/* ocigate: reading a file line by line in bounded memory, for logs of any
 * size (ocigate report reads a decision log of gigabytes, or a pipe).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_LINES_H
#define OCIGATE_LINES_H

#include "base/error.h"

/* Reads fd (not owned) in blocks; holds at most max_line bytes of a line
 * and one block. */
struct line_reader
{
  int fd;
  const char *name; /* for messages */
  size_t max_line;
  char *buf;
  size_t cap, start, end;
  bool eof;
};

void line_reader_init (struct line_reader *lr, int fd, const char *name, size_t max_line);

/* The next line, without its "\n", NUL-terminated in the reader's buffer
 * until the next call: 1 and *line, *len; 1 with *too_long and no text for
 * a line longer than max_line, read past without keeping it; 0 at the end;
 * -1 when read(2) fails.  A last line without "\n" is a line. */
int line_reader_next (struct line_reader *lr, const char **line, size_t *len, bool *too_long, ocigate_error_t *err);

void line_reader_release (struct line_reader *lr);
#define cleanup_line_reader __attribute__ ((cleanup (line_reader_release)))

#endif
