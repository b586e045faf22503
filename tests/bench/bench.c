/* bench: time programs the way runc starts a hook, interleaved.
 *
 *   bench [-n ROUNDS] [-w WARMUP] [-R REF-LABEL] [-s SAMPLES.tsv] [-E ERRLOG] SPEC
 *
 * SPEC has one variant a line ('#' starts a comment), fields separated by
 * tabs:
 *
 *   LABEL <TAB> STDIN <TAB> ARGV [<TAB> CLEANUP-ARGV [<TAB> EVERY]]
 *
 * STDIN is a file whose bytes are written into a pipe that is the child's
 * standard input (as runc hands a hook the OCI state), or "-" for
 * /dev/null.  ARGV and CLEANUP-ARGV are words separated by single spaces
 * (ARGV[0] is a path, not looked up); a word "@FILE" stands for the lines
 * of FILE, one argument each, and "{ID}" inside a word is replaced with a
 * name unique to the run.  The child gets an empty environment (runc gives
 * a hook only the "env" of its config entry) and /dev/null as stdout and
 * stderr (with -E, stderr is appended to ERRLOG instead, and every run
 * that does not exit 0 adds a line saying which it was: to find out why).
 * CLEANUP-ARGV ("" or "-" for none) runs after each timed run, untimed.
 * EVERY (default 1) runs the variant in one round out of EVERY only: for
 * slow variants that need fewer samples.
 *
 * Round r runs every variant due in it once, in an order shuffled for that
 * round (the same for the same r and spec), so each variant sees the same
 * machine (other load, caches, CPU frequency) and none always follows the
 * same other one: a heavy variant's after-effects (memory it freed, caches
 * it emptied) fall on every variant alike.  (A rotation would not do: it
 * keeps the cyclic order, so a variant would follow the same one in all
 * but one round out of V.)  A run is timed
 * with CLOCK_MONOTONIC from just before posix_spawn() to just after
 * wait4() has reaped the child.  wait4()'s rusage gives its CPU time
 * (ru_utime + ru_stime, including the children it reaped itself: on a
 * shared machine the wall time includes waiting for a CPU, the CPU time
 * does not) and its peak RSS (ru_maxrss, the largest of the process and
 * the children it reaped).
 *
 * Output (stdout): a header line starting with '#', then one line per
 * variant, tab-separated:
 *   label runs wall_med wall_p90 wall_p10 wall_min wall_mean cpu_med
 *   cpu_p90 rss_med_kib rss_max_kib exits paired_wall paired_cpu
 * (times in microseconds).  exits is "STATUS:COUNT,..." (signals as "sN");
 * paired_* is the median over rounds of this variant's time divided by
 * REF-LABEL's in the same round ("-" without -R).  -s writes every sample:
 * round label wall_us cpu_us rss_kib status.
 *
 * ru_maxrss caveat: Linux charges a child the peak RSS of the memory it ran
 * in before exec (here this driver's, shared by posix_spawn's vfork), so
 * the driver keeps itself small (and is linked static when it can be); the
 * no-op hook's row shows that floor.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct variant
{
  char *label;
  char *input; /* NULL: /dev/null */
  size_t input_len;
  char **argv;
  char **cleanup; /* NULL: none */
  long every;
  bool *have; /* per round: ran and was recorded */
  double *us;
  double *cpu;
  long *rss;
  int *status;
};

static void die (const char *fmt, ...) __attribute__ ((format (printf, 1, 2), noreturn));

static void
die (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  fputs ("bench: ", stderr);
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
  va_end (ap);
  exit (2);
}

static void *
xcalloc (size_t n, size_t size)
{
  void *p = calloc (n ? n : 1, size ? size : 1);
  if (p == NULL)
    die ("out of memory");
  return p;
}

static void *
xrealloc (void *p, size_t size)
{
  p = realloc (p, size ? size : 1);
  if (p == NULL)
    die ("out of memory");
  return p;
}

static char *
xstrdup (const char *s)
{
  char *p = strdup (s);
  if (p == NULL)
    die ("out of memory");
  return p;
}

static char *
read_whole (const char *path, size_t *len)
{
  FILE *f = fopen (path, "re");
  if (f == NULL)
    die ("%s: %s", path, strerror (errno));
  size_t cap = 4096, n = 0, got;
  char *buf = xcalloc (cap + 1, 1);
  while ((got = fread (buf + n, 1, cap - n, f)) > 0)
    {
      n += got;
      if (n == cap)
        {
          cap *= 2;
          buf = xrealloc (buf, cap + 1);
        }
    }
  if (ferror (f))
    die ("%s: read error", path);
  fclose (f);
  buf[n] = '\0';
  *len = n;
  return buf;
}

struct words
{
  char **v;
  size_t n, cap;
};

static void
words_push (struct words *w, char *s)
{
  if (w->n + 2 > w->cap)
    {
      w->cap = w->cap ? w->cap * 2 : 16;
      w->v = xrealloc (w->v, w->cap * sizeof *w->v);
    }
  w->v[w->n++] = s;
  w->v[w->n] = NULL;
}

/* Split on single spaces; "@FILE" expands to FILE's lines. */
static char **
split_argv (char *text)
{
  struct words w = { 0 };
  char *save = NULL;
  for (char *tok = strtok_r (text, " ", &save); tok; tok = strtok_r (NULL, " ", &save))
    {
      if (tok[0] == '@' && tok[1] != '\0')
        {
          size_t len;
          char *list = read_whole (tok + 1, &len);
          char *lsave = NULL;
          for (char *line = strtok_r (list, "\n", &lsave); line; line = strtok_r (NULL, "\n", &lsave))
            words_push (&w, line);
        }
      else
        words_push (&w, tok);
    }
  if (w.n == 0)
    die ("empty command line in spec");
  return w.v;
}

/* argv with every "{ID}" replaced by id, in a fresh array; the words made
 * for it are listed in *owned (NULL-terminated) for the caller to free. */
static char **
with_id (char **argv, const char *id, char ***owned)
{
  size_t n = 0, k = 0;
  while (argv[n])
    n++;
  char **out = xcalloc (n + 1, sizeof *out);
  *owned = xcalloc (n + 1, sizeof **owned);
  for (size_t i = 0; i < n; i++)
    {
      const char *at = strstr (argv[i], "{ID}");
      if (at == NULL)
        {
          out[i] = argv[i];
          continue;
        }
      char *s = NULL;
      if (asprintf (&s, "%.*s%s%s", (int)(at - argv[i]), argv[i], id, at + 4) < 0)
        die ("out of memory");
      out[i] = (*owned)[k++] = s;
    }
  return out;
}

static void
free_with_id (char **av, char **owned)
{
  for (size_t i = 0; owned[i]; i++)
    free (owned[i]);
  free (owned);
  free (av);
}

static double
now_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static char *empty_env[] = { NULL };
static const char *errlog; /* -E */

/* Spawn argv with input on a pipe as stdin (or /dev/null) and stderr
 * appended to err_path (or /dev/null); wait; return the wait status. */
static int
run_one (char **argv, const char *input, size_t input_len, const char *err_path, double *us, double *cpu, long *rss)
{
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init (&fa);
  int pfd[2] = { -1, -1 };
  double t0 = now_us ();
  if (input)
    {
      if (pipe2 (pfd, O_CLOEXEC) < 0)
        die ("pipe: %s", strerror (errno));
      posix_spawn_file_actions_adddup2 (&fa, pfd[0], 0);
    }
  else
    posix_spawn_file_actions_addopen (&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen (&fa, 1, "/dev/null", O_WRONLY, 0);
  if (err_path)
    posix_spawn_file_actions_addopen (&fa, 2, err_path, O_WRONLY | O_APPEND | O_CREAT, 0600);
  else
    posix_spawn_file_actions_addopen (&fa, 2, "/dev/null", O_WRONLY, 0);
  /* Leading NAME=VALUE words are the environment (as env(1) reads them);
   * without them it is empty. */
  size_t ne = 0;
  while (argv[ne] && argv[ne][0] != '/' && strchr (argv[ne], '='))
    ne++;
  char **env = empty_env;
  if (ne)
    {
      env = xcalloc (ne + 1, sizeof *env);
      memcpy (env, argv, ne * sizeof *env);
      argv += ne;
    }
  pid_t pid;
  int rc = posix_spawn (&pid, argv[0], &fa, NULL, argv, env);
  if (env != empty_env)
    free (env);
  if (rc != 0)
    die ("spawn %s: %s", argv[0], strerror (rc));
  if (input)
    {
      close (pfd[0]);
      size_t off = 0;
      while (off < input_len)
        {
          ssize_t w = write (pfd[1], input + off, input_len - off);
          if (w < 0 && errno == EINTR)
            continue;
          if (w < 0)
            break; /* EPIPE: the child did not read it all; its choice */
          off += (size_t)w;
        }
      close (pfd[1]);
    }
  int status = 0;
  struct rusage ru;
  while (wait4 (pid, &status, 0, &ru) < 0)
    if (errno != EINTR)
      die ("wait4: %s", strerror (errno));
  double t1 = now_us ();
  posix_spawn_file_actions_destroy (&fa);
  if (us)
    *us = t1 - t0;
  if (cpu)
    *cpu
        = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
  if (rss)
    *rss = ru.ru_maxrss;
  return status;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* On a sorted array: the median (mean of the middle two for an even
 * count), or the nearest-rank quantile q. */
static double
quantile (const double *s, size_t n, double q)
{
  if (n == 0)
    return 0;
  if (q == 0.5)
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  size_t k = (size_t)(q * (double)n + 0.999999);
  if (k < 1)
    k = 1;
  if (k > n)
    k = n;
  return s[k - 1];
}

static void
parse_spec (const char *path, long rounds, struct variant **out, size_t *n_out)
{
  size_t spec_len;
  char *spec = read_whole (path, &spec_len);
  struct variant *vs = NULL;
  size_t nv = 0;
  char *lsave = NULL;
  for (char *line = strtok_r (spec, "\n", &lsave); line; line = strtok_r (NULL, "\n", &lsave))
    {
      if (line[0] == '#' || line[0] == '\0')
        continue;
      char *f[5] = { 0 };
      size_t nf = 0;
      for (char *p = line; nf < 5;)
        {
          f[nf++] = p;
          char *tab = strchr (p, '\t');
          if (tab == NULL)
            break;
          *tab = '\0';
          p = tab + 1;
        }
      if (nf < 3)
        die ("%s: line for '%s': want LABEL, STDIN, ARGV", path, f[0]);
      vs = xrealloc (vs, (nv + 1) * sizeof *vs);
      struct variant *v = &vs[nv++];
      memset (v, 0, sizeof *v);
      v->label = xstrdup (f[0]);
      if (strcmp (f[1], "-") != 0)
        v->input = read_whole (f[1], &v->input_len);
      v->argv = split_argv (xstrdup (f[2]));
      if (nf > 3 && f[3][0] && strcmp (f[3], "-") != 0)
        v->cleanup = split_argv (xstrdup (f[3]));
      v->every = nf > 4 ? strtol (f[4], NULL, 10) : 1;
      if (v->every < 1)
        die ("%s: '%s': EVERY must be 1 or more", path, v->label);
      v->have = xcalloc ((size_t)rounds, sizeof *v->have);
      v->us = xcalloc ((size_t)rounds, sizeof *v->us);
      v->cpu = xcalloc ((size_t)rounds, sizeof *v->cpu);
      v->rss = xcalloc ((size_t)rounds, sizeof *v->rss);
      v->status = xcalloc ((size_t)rounds, sizeof *v->status);
    }
  if (nv == 0)
    die ("no variants in %s", path);
  free (spec);
  *out = vs;
  *n_out = nv;
}

static void
report (const struct variant *v, const struct variant *rv, long rounds)
{
  size_t cap = (size_t)rounds, n = 0;
  double *tmp = xcalloc (cap, sizeof *tmp);
  double *cpu = xcalloc (cap, sizeof *cpu);
  double *rss = xcalloc (cap, sizeof *rss);
  double sum = 0;
  int seen[64];
  size_t counts[64], ns = 0;
  for (size_t i = 0; i < cap; i++)
    {
      if (!v->have[i])
        continue;
      sum += (tmp[n] = v->us[i]);
      cpu[n] = v->cpu[i];
      rss[n] = (double)v->rss[i];
      n++;
      int code = WIFEXITED (v->status[i]) ? WEXITSTATUS (v->status[i]) : 1000 + WTERMSIG (v->status[i]);
      size_t s = 0;
      while (s < ns && seen[s] != code)
        s++;
      if (s == ns && ns < 64)
        {
          seen[ns] = code;
          counts[ns++] = 0;
        }
      if (s < ns)
        counts[s]++;
    }
  qsort (tmp, n, sizeof *tmp, cmp_double);
  qsort (cpu, n, sizeof *cpu, cmp_double);
  qsort (rss, n, sizeof *rss, cmp_double);
  char exits[256] = "";
  size_t used = 0;
  for (size_t s = 0; s < ns && used < sizeof exits - 32; s++)
    used += (size_t)snprintf (exits + used, sizeof exits - used, "%s%s%d:%zu", s ? "," : "", seen[s] >= 1000 ? "s" : "",
                              seen[s] >= 1000 ? seen[s] - 1000 : seen[s], counts[s]);
  /* Per-round ratios to the reference, then their median: the two ran back
   * to back, under the same load. */
  char paired[32] = "-", paired_cpu[32] = "-";
  if (rv)
    {
      double *r1 = xcalloc (cap, sizeof *r1), *r2 = xcalloc (cap, sizeof *r2);
      size_t m1 = 0, m2 = 0;
      for (size_t i = 0; i < cap; i++)
        {
          if (!v->have[i] || !rv->have[i])
            continue;
          if (rv->us[i] > 0)
            r1[m1++] = v->us[i] / rv->us[i];
          if (rv->cpu[i] > 0)
            r2[m2++] = v->cpu[i] / rv->cpu[i];
        }
      qsort (r1, m1, sizeof *r1, cmp_double);
      qsort (r2, m2, sizeof *r2, cmp_double);
      if (m1)
        snprintf (paired, sizeof paired, "%.4f", quantile (r1, m1, 0.5));
      if (m2)
        snprintf (paired_cpu, sizeof paired_cpu, "%.4f", quantile (r2, m2, 0.5));
      free (r1);
      free (r2);
    }
  printf ("%s\t%zu\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.0f\t%.0f\t%s\t%s\t%s\n", v->label, n,
          quantile (tmp, n, 0.5), quantile (tmp, n, 0.9), quantile (tmp, n, 0.1), n ? tmp[0] : 0,
          n ? sum / (double)n : 0, quantile (cpu, n, 0.5), quantile (cpu, n, 0.9), quantile (rss, n, 0.5),
          n ? rss[n - 1] : 0, exits, paired, paired_cpu);
  free (tmp);
  free (cpu);
  free (rss);
}

/* The order of round r: a Fisher-Yates shuffle driven by xorshift64
 * seeded with r, so a run can be repeated. */
static void
round_order (size_t *order, size_t n, long r)
{
  uint64_t x = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)r + 1) * 0xBF58476D1CE4E5B9ULL;
  for (size_t i = 0; i < n; i++)
    order[i] = i;
  for (size_t i = n; i > 1; i--)
    {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      size_t j = (size_t)(x % i);
      size_t t = order[i - 1];
      order[i - 1] = order[j];
      order[j] = t;
    }
}

int
main (int argc, char **argv)
{
  long rounds = 100, warmup = 3;
  const char *ref = NULL, *samples_path = NULL;
  const char *usage = "usage: bench [-n ROUNDS] [-w WARMUP] [-R REF-LABEL] [-s SAMPLES.tsv] [-E ERRLOG] SPEC";
  int c;
  while ((c = getopt (argc, argv, "n:w:R:s:E:")) != -1)
    switch (c)
      {
      case 'n':
        rounds = strtol (optarg, NULL, 10);
        break;
      case 'w':
        warmup = strtol (optarg, NULL, 10);
        break;
      case 'R':
        ref = optarg;
        break;
      case 's':
        samples_path = optarg;
        break;
      case 'E':
        errlog = optarg;
        break;
      default:
        die ("%s", usage);
      }
  if (optind + 1 != argc || rounds < 1 || warmup < 0)
    die ("%s", usage);
  signal (SIGPIPE, SIG_IGN);

  struct variant *vs;
  size_t nv;
  parse_spec (argv[optind], rounds, &vs, &nv);
  struct variant *rv = NULL;
  for (size_t k = 0; ref && k < nv; k++)
    if (strcmp (vs[k].label, ref) == 0)
      rv = &vs[k];
  if (ref && rv == NULL)
    die ("reference variant '%s' is not in the spec", ref);

  FILE *samples = NULL;
  if (samples_path && (samples = fopen (samples_path, "we")) == NULL)
    die ("%s: %s", samples_path, strerror (errno));

  size_t *order = xcalloc (nv, sizeof *order);
  long total = warmup + rounds;
  double started = now_us ();
  bool tty = isatty (STDERR_FILENO);
  for (long r = 0; r < total; r++)
    {
      long measured = r - warmup; /* < 0 while warming up */
      round_order (order, nv, r);
      for (size_t k = 0; k < nv; k++)
        {
          size_t idx = order[k];
          struct variant *v = &vs[idx];
          bool due = measured < 0 ? r == 0 || v->every == 1 : measured % v->every == 0;
          if (!due)
            continue;
          char id[96];
          snprintf (id, sizeof id, "ocigate-bench-%ld-%ld-%zu", (long)getpid (), r, idx);
          char **owned;
          char **av = with_id (v->argv, id, &owned);
          double us, cpu;
          long rss;
          int st = run_one (av, v->input, v->input_len, errlog, &us, &cpu, &rss);
          free_with_id (av, owned);
          if (errlog && !(WIFEXITED (st) && WEXITSTATUS (st) == 0))
            {
              FILE *e = fopen (errlog, "ae");
              if (e)
                {
                  fprintf (e, "bench: round %ld, %s (%s): %s %d\n", measured, v->label, id,
                           WIFEXITED (st) ? "exit status" : "signal",
                           WIFEXITED (st) ? WEXITSTATUS (st) : WTERMSIG (st));
                  fclose (e);
                }
            }
          if (v->cleanup)
            {
              av = with_id (v->cleanup, id, &owned);
              run_one (av, NULL, 0, NULL, NULL, NULL, NULL);
              free_with_id (av, owned);
            }
          if (measured < 0)
            continue;
          size_t i = (size_t)measured;
          v->have[i] = true;
          v->us[i] = us;
          v->cpu[i] = cpu;
          v->rss[i] = rss;
          v->status[i] = st;
          if (samples)
            fprintf (samples, "%zu\t%s\t%.1f\t%.0f\t%ld\t%d\n", i, v->label, us, cpu, rss, st);
        }
      if (tty && (r % 10 == 9 || r + 1 == total))
        fprintf (stderr, "\r    round %ld/%ld, %.0f s   ", r + 1, total, (now_us () - started) / 1e6);
    }
  if (tty)
    fputs ("\r\033[K", stderr);
  if (samples)
    fclose (samples);

  printf ("#label\truns\twall_med_us\twall_p90_us\twall_p10_us\twall_min_us\twall_mean_us\tcpu_med_us\tcpu_p90_us"
          "\trss_med_kib\trss_max_kib\texits\tpaired_wall\tpaired_cpu\n");
  for (size_t k = 0; k < nv; k++)
    report (&vs[k], rv, rounds);
  fflush (stdout);
  free (order);
  return 0;
}
