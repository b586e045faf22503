/* seccomp: building the profile with libseccomp as runc does, in a child
 * process with a time limit, and exporting its BPF program; builds are
 * kept by every input that decides them (rules/seccomp/cache.h).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rules/seccomp/cache.h"
#include "rules/seccomp/seccomp_internal.h"

/* A libseccomp filter, released with its variable. */
static void
filter_ctx_release (scmp_filter_ctx *ctx)
{
  if (*ctx)
    seccomp_release (*ctx);
}
#define cleanup_filter_ctx __attribute__ ((cleanup (filter_ctx_release)))

/* runc's matchCall: no conditions, one rule with every condition, or,
 * when two conditions test the same argument, one rule per condition. */
static int
add_rule (scmp_filter_ctx filter, const struct sc_entry *e, uint32_t action, int nr)
{
  if (e->n_args == 0)
    return seccomp_rule_add_array (filter, action, nr, 0, NULL);
  struct scmp_arg_cmp cmp[SECCOMP_MAX_ARGS];
  for (size_t k = 0; k < e->n_args; k++)
    cmp[k] = (struct scmp_arg_cmp){ .arg = (unsigned)e->args[k].index,
                                    .op = e->args[k].cmp,
                                    .datum_a = e->args[k].value,
                                    .datum_b = e->args[k].value_two };
  if (!sc_args_repeat_index (e))
    return seccomp_rule_add_array (filter, action, nr, (unsigned)e->n_args, cmp);
  for (size_t k = 0; k < e->n_args; k++)
    {
      int rc = seccomp_rule_add_array (filter, action, nr, 1, &cmp[k]);
      if (rc < 0)
        return rc;
    }
  return 0;
}

/* Where the build stopped; kept in the cache's files, so append only. */
enum compile_step
{
  STEP_NONE, /* the child ended before saying */
  STEP_DONE,
  STEP_INIT,
  STEP_ARCH,
  STEP_RULE,
  STEP_EXPORT,
};

/* What the compiling child reports: where libseccomp refused, if it did. */
struct compile_result
{
  enum compile_step step;
  size_t i, k; /* architectures[i], or syscalls[i].names[k] */
  int rc;      /* libseccomp's negative errno */
};

/* In the child: build the filter as runc's InitSeccomp does and write its
 * BPF program (every architecture) to fd.  Nothing is loaded. */
static void
compile_filter (const struct sc_profile *p, int fd, struct compile_result *res)
{
  uint32_t def = sc_default_value (p);
  cleanup_filter_ctx scmp_filter_ctx filter = seccomp_init (def);
  if (filter == NULL)
    {
      res->step = STEP_INIT;
      return;
    }
  for (size_t i = 0; i < p->n_archs; i++)
    {
      int rc = seccomp_arch_add (filter, p->arch_tokens[i]);
      if (rc < 0 && rc != -EEXIST)
        {
          *res = (struct compile_result){ STEP_ARCH, i, 0, rc };
          return;
        }
    }
  for (size_t i = 0; i < p->n_entries; i++)
    {
      const struct sc_entry *e = &p->entries[i];
      uint32_t action = sc_entry_value (e);
      if (action == def)
        continue; /* runc skips it: libseccomp would refuse it */
      for (size_t k = 0; k < e->n_names; k++)
        {
          int nr = seccomp_syscall_resolve_name (sc_name_at (e, k));
          if (nr == __NR_SCMP_ERROR)
            continue;
          int rc = add_rule (filter, e, action, nr);
          if (rc < 0)
            {
              *res = (struct compile_result){ STEP_RULE, i, k, rc };
              return;
            }
        }
    }
  int rc = seccomp_export_bpf (filter, fd);
  *res = (struct compile_result){ rc < 0 ? STEP_EXPORT : STEP_DONE, 0, 0, rc };
}

/* libseccomp's time grows fast with the size of what it builds (about
 * cubically in the program for rules with conditions: minutes for a few
 * thousand instructions), so it runs in a child that gets this long; runc
 * would take as long.  The engines' profiles take milliseconds. */
#define SECCOMP_COMPILE_SECONDS 5

/* The fuzzer compiles in its own process: a fork per input under
 * AddressSanitizer costs more than all the rest of a judgement, and
 * libFuzzer has its own time limit.  Everything else uses the child. */
static bool compile_in_process;
void rule_seccomp_set_compile_in_process (bool on);
void
rule_seccomp_set_compile_in_process (bool on)
{
  compile_in_process = on;
}

/* The page the compiling child writes its result to: NULL when it
 * cannot be mapped (errno says why). */
static struct compile_result *
shared_result_map (void)
{
  void *page = mmap (NULL, sizeof (struct compile_result), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED)
    return NULL;
  return page;
}

static void
shared_result_release (struct compile_result **r)
{
  if (*r)
    munmap (*r, sizeof **r);
}
#define cleanup_shared_result __attribute__ ((cleanup (shared_result_release)))

/* Compile in a child process into fd; *timed_out when it took too long. */
static int
compile_isolated (const struct sc_profile *p, int fd, struct compile_result *out, bool *timed_out, ocigate_error_t *err)
{
  *timed_out = false;
  if (compile_in_process)
    {
      *out = (struct compile_result){ STEP_NONE, 0, 0, 0 };
      compile_filter (p, fd, out);
      return 0;
    }
  cleanup_shared_result struct compile_result *shared = shared_result_map ();
  if (shared == NULL)
    return ocigate_error_make_errno (err, errno, "mmap for the seccomp compiler");
  *shared = (struct compile_result){ STEP_NONE, 0, 0, 0 };
  /* An inherited SIGCHLD of SIG_IGN would reap the child before waitpid. */
  struct sigaction dfl = { .sa_handler = SIG_DFL }, old_chld;
  sigaction (SIGCHLD, &dfl, &old_chld);
  pid_t pid = fork ();
  if (pid == 0)
    {
      /* Whatever the parent blocks or ignores, the limits must end it. */
      sigset_t limits;
      sigemptyset (&limits);
      sigaddset (&limits, SIGALRM);
      sigaddset (&limits, SIGXCPU);
      sigprocmask (SIG_UNBLOCK, &limits, NULL);
      sigaction (SIGALRM, &dfl, NULL);
      sigaction (SIGXCPU, &dfl, NULL);
      struct rlimit cpu = { SECCOMP_COMPILE_SECONDS + 1, SECCOMP_COMPILE_SECONDS + 2 };
      setrlimit (RLIMIT_CPU, &cpu);
      alarm (SECCOMP_COMPILE_SECONDS);
      struct compile_result r = { STEP_NONE, 0, 0, 0 };
      compile_filter (p, fd, &r);
      shared->i = r.i;
      shared->k = r.k;
      shared->rc = r.rc;
      __atomic_store_n (&shared->step, r.step, __ATOMIC_SEQ_CST); /* last: the result is whole */
      _exit (0);
    }
  int e = errno, status = 0;
  pid_t got = -1;
  if (pid > 0)
    {
      do
        got = waitpid (pid, &status, 0);
      while (got < 0 && errno == EINTR);
      e = errno;
    }
  bool waited = got == pid && pid > 0;
  sigaction (SIGCHLD, &old_chld, NULL);
  *out = *shared;
  *timed_out = false;
  if (pid < 0)
    return ocigate_error_make_errno (err, e, "fork to compile the seccomp profile");
  if (!waited)
    return ocigate_error_make_errno (err, e, "wait for the seccomp compiler");
  /* What the child wrote counts, not how it exited (a tool such as
   * valgrind may change its exit status). */
  if (out->step != STEP_NONE)
    return 0;
  if (WIFSIGNALED (status)
      && (WTERMSIG (status) == SIGALRM || WTERMSIG (status) == SIGXCPU || WTERMSIG (status) == SIGKILL))
    {
      *timed_out = true;
      return 0;
    }
  return ocigate_error_make (err, 0, OCIGATE_ERR_INTERNAL, "compiling the seccomp profile failed (%s %d)",
                             WIFSIGNALED (status) ? "signal" : "exit status",
                             WIFSIGNALED (status) ? WTERMSIG (status) : WEXITSTATUS (status));
}

static void
report_refusal (const struct sc_profile *p, const struct compile_result *r, struct judge *j)
{
  j->invalid++;
  switch (r->step)
    {
    case STEP_INIT:
      sc_add_finding (j, j->act, "/linux/seccomp/defaultAction",
                      "seccomp profile does not compile (linux.seccomp.defaultAction=%s: libseccomp's seccomp_init "
                      "refuses it, as when the kernel lacks the action); use SCMP_ACT_ERRNO",
                      p->default_action);
      return;
    case STEP_ARCH:
      {
        cleanup_free char *pointer = xasprintf ("/linux/seccomp/architectures/%zu", r->i);
        sc_add_finding (j, j->act, pointer,
                        "seccomp profile does not compile (linux.seccomp.architectures[%zu]=\"%s\": seccomp_arch_add: "
                        "%s); remove the architecture",
                        r->i, json_object_get_string (json_object_array_get_idx (p->archs, r->i)), strerror (-r->rc));
        return;
      }
    case STEP_RULE:
      {
        const char *name = sc_name_at (&p->entries[r->i], r->k);
        cleanup_free char *pointer = xasprintf ("/linux/seccomp/syscalls/%zu/names/%zu", r->i, r->k);
        sc_add_finding (j, j->act, pointer,
                        "seccomp profile does not compile (linux.seccomp.syscalls[%zu]: libseccomp refuses the rule "
                        "for \"%s\": %s); fix the entry: runc and crun refuse the profile",
                        r->i, name,
                        r->rc == -EEXIST ? "it conflicts with an earlier rule for the same call and arguments"
                                         : strerror (-r->rc));
        return;
      }
    default:
      sc_add_finding (j, j->act, "/linux/seccomp",
                      "seccomp profile does not compile (libseccomp cannot generate its BPF program: %s); simplify the "
                      "profile",
                      strerror (-r->rc));
      return;
    }
}

static void
key_u64 (struct strbuf *sb, uint64_t v)
{
  strbuf_append_mem (sb, &v, sizeof v);
}

/* What the build depends on besides the profile: libseccomp's version,
 * the kernel (whose seccomp features libseccomp probes: its API level)
 * and the native architecture. */
static void
key_environment (struct strbuf *sb)
{
  strbuf_append_mem (sb, "ocigate seccomp build 1", sizeof "ocigate seccomp build 1");
  const struct scmp_version *ver = seccomp_version ();
  key_u64 (sb, ver ? (uint64_t)ver->major << 32 | ver->minor << 16 | ver->micro : 0);
  /* The kernel rather than seccomp_api_get(), which probes it with nine
   * system calls on every start. */
  struct utsname u;
  if (uname (&u) == 0)
    {
      strbuf_append_mem (sb, u.release, strlen (u.release) + 1);
      strbuf_append_mem (sb, u.version, strlen (u.version) + 1);
    }
  key_u64 (sb, seccomp_arch_native ());
}

/* What decides the program libseccomp builds, as bytes: its version, the
 * kernel (whose seccomp features libseccomp probes: its API level), the
 * native architecture, then the profile as compile_filter()
 * gives it to libseccomp, with the indexes a refusal is reported at. */
char *
sc_build_key (const struct sc_profile *p, size_t *len)
{
  struct strbuf sb = { 0 };
  key_environment (&sb);
  uint32_t def = sc_default_value (p);
  key_u64 (&sb, def);
  key_u64 (&sb, p->n_archs);
  for (size_t i = 0; i < p->n_archs; i++)
    key_u64 (&sb, p->arch_tokens[i]);
  for (size_t i = 0; i < p->n_entries; i++)
    {
      const struct sc_entry *e = &p->entries[i];
      uint32_t action = sc_entry_value (e);
      if (action == def)
        continue;
      key_u64 (&sb, i);
      key_u64 (&sb, action);
      key_u64 (&sb, e->n_args);
      for (size_t k = 0; k < e->n_args; k++)
        {
          key_u64 (&sb, e->args[k].index);
          key_u64 (&sb, (uint64_t)e->args[k].cmp);
          key_u64 (&sb, e->args[k].value);
          key_u64 (&sb, e->args[k].value_two);
        }
      key_u64 (&sb, e->n_names);
      for (size_t k = 0; k < e->n_names; k++)
        {
          const char *name = sc_name_at (e, k);
          size_t n = strlen (name);
          key_u64 (&sb, n);
          strbuf_append_mem (&sb, name, n);
        }
    }
  *len = sb.len;
  return strbuf_steal (&sb);
}

void
sc_built_release (struct seccomp_built *b)
{
  free (b->prog);
}

/* Build the profile now, in a child; *timed_out when it took too long. */
static int
build_fresh (const struct sc_profile *p, struct seccomp_built *b, bool *timed_out, ocigate_error_t *err)
{
  cleanup_close int fd = memfd_create ("ocigate-seccomp-bpf", MFD_CLOEXEC);
  if (fd < 0)
    return ocigate_error_make_errno (err, errno, "memfd_create for the seccomp filter");
  struct compile_result r = { STEP_NONE, 0, 0, 0 };
  if (compile_isolated (p, fd, &r, timed_out, err) < 0)
    return -1;
  if (*timed_out)
    return 0;
  *b = (struct seccomp_built){ r.step, r.i, r.k, r.rc, NULL, 0, { 0 } };
  if (r.step != STEP_DONE)
    return 0;
  struct stat st;
  if (fstat (fd, &st) < 0)
    return ocigate_error_make_errno (err, errno, "fstat the seccomp filter");
  size_t len = (size_t)st.st_size;
  cleanup_free char *prog = xmalloc (len ? len : 1);
  size_t got = 0;
  while (got < len)
    {
      ssize_t rd = pread (fd, prog + got, len - got, (off_t)got);
      if (rd < 0 && errno == EINTR)
        continue;
      if (rd < 0)
        return ocigate_error_make_errno (err, errno, "read the seccomp filter");
      if (rd == 0)
        return ocigate_error_make (err, 0, OCIGATE_ERR_INTERNAL, "the seccomp filter's file ended early");
      got += (size_t)rd;
    }
  b->prog = steal_pointer (&prog);
  b->len = len;
  return 0;
}

/* A build of the same inputs is reused (rules/seccomp/cache.h); a
 * time-out is not kept, as it may come from a loaded machine. */
enum compiled
sc_compile_bpf (const struct sc_profile *p, const char *key, size_t key_len, struct seccomp_built *bp, bool *fresh,
                struct judge *j, ocigate_error_t *err)
{
  *fresh = !seccomp_cache_get (key, key_len, bp);
  if (*fresh)
    {
      bool timed_out = false;
      int r = build_fresh (p, bp, &timed_out, err);
      memset (bp->verdicts, -1, sizeof bp->verdicts);
      if (r < 0)
        return COMPILE_FAILED;
      if (timed_out)
        {
          j->timed_out = true;
          /* Not judged, so not allowed, whatever the rule's action. */
          verdict_add_finding (j->v, j->id, ACTION_DENY, "/linux/seccomp",
                               "seccomp profile too complex (libseccomp did not build it within %d seconds, and "
                               "runc, which builds it the same way, would take as long); ocigate does not judge it: "
                               "simplify it",
                               SECCOMP_COMPILE_SECONDS);
          j->invalid++;
          return COMPILE_REFUSED;
        }
    }
  if (bp->step != STEP_DONE)
    {
      struct compile_result r = { (enum compile_step)bp->step, (size_t)bp->i, (size_t)bp->k, bp->rc };
      report_refusal (p, &r, j);
      return COMPILE_REFUSED;
    }
  size_t len = bp->len;
  if (len == 0 || len % sizeof (struct sock_filter) != 0)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INTERNAL,
                               "libseccomp exported %zu bytes of BPF, not whole instructions", len);
  if (len / sizeof (struct sock_filter) > BPF_MAXINSNS)
    {
      sc_add_finding (j, j->act, "/linux/seccomp",
                      "seccomp profile is too long for the kernel (it compiles to %zu BPF instructions, more than the "
                      "kernel's limit of %d, so runc and crun cannot load it); shorten it",
                      len / sizeof (struct sock_filter), BPF_MAXINSNS);
      j->invalid++;
      return COMPILE_REFUSED;
    }
  return COMPILE_READY;
}
