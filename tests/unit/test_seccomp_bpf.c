/* Unit tests for bpf_judge(), the seccomp rule's reading of a BPF program:
 * hand-written programs, each judged for one architecture and system call
 * number with the arguments unknown, and the exact verdict asserted.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "unit.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "rules/seccomp/bpf.h"

#define X86_64 AUDIT_ARCH_X86_64
#define I386 AUDIT_ARCH_I386

/* Offsets in struct seccomp_data: the number, the architecture, and the
 * two 32-bit words of argument i (little-endian: the low one first). */
#define OFF_NR 0u
#define OFF_ARCH 4u
#define OFF_ARG_LO(i) (16u + 8u * (i))
#define OFF_ARG_HI(i) (20u + 8u * (i))

#define LD_ABS(k) BPF_STMT (BPF_LD | BPF_W | BPF_ABS, (k))
#define LD_IMM(k) BPF_STMT (BPF_LD | BPF_W | BPF_IMM, (k))
#define LDX_IMM(k) BPF_STMT (BPF_LDX | BPF_W | BPF_IMM, (k))
#define RET(k) BPF_STMT (BPF_RET | BPF_K, (k))
#define RET_A BPF_STMT (BPF_RET | BPF_A, 0)
#define ALLOW RET (SECCOMP_RET_ALLOW)
#define ERRNO RET (SECCOMP_RET_ERRNO | 1u) /* EPERM */
#define KILL RET (SECCOMP_RET_KILL_PROCESS)

/* Judge a program given as an array, once with room of its own and once
 * with room kept from earlier calls (the deny list's way): both must say
 * the same. */
static struct bpf_states kept;

#define JUDGE(prog, arch, nr) judge_both ((prog), ARRAY_SIZE (prog), (arch), (nr))

static enum bpf_verdict
judge_both (const struct sock_filter *prog, size_t n, uint32_t arch, uint32_t nr)
{
  enum bpf_verdict alone = bpf_judge (prog, n, arch, nr, NULL);
  enum bpf_verdict again = bpf_judge (prog, n, arch, nr, &kept);
  assert_int_equal (again, alone);
  return alone;
}

static int
teardown (void **state UNUSED)
{
  bpf_states_release (&kept);
  memset (&kept, 0, sizeof kept);
  return 0;
}

static void
test_unconditional_allow (void **state UNUSED)
{
  const struct sock_filter allow[] = { ALLOW };
  assert_int_equal (JUDGE (allow, X86_64, 0), BPF_ALLOWS_ALWAYS);
  assert_int_equal (JUDGE (allow, I386, 12345), BPF_ALLOWS_ALWAYS);
  const struct sock_filter log[] = { RET (SECCOMP_RET_LOG) };
  assert_int_equal (JUDGE (log, X86_64, 0), BPF_ALLOWS_ALWAYS);
}

static void
test_unconditional_deny (void **state UNUSED)
{
  const struct sock_filter errno_[] = { ERRNO };
  assert_int_equal (JUDGE (errno_, X86_64, 0), BPF_NOT_ALWAYS);
  const struct sock_filter kill[] = { KILL };
  assert_int_equal (JUDGE (kill, X86_64, 0), BPF_NOT_ALWAYS);
}

/* Every action the kernel knows: only ALLOW and LOG let the call through,
 * whatever the data bits carry. */
static void
test_returns (void **state UNUSED)
{
  static const struct
  {
    uint32_t ret;
    enum bpf_verdict want;
  } cases[] = {
    { SECCOMP_RET_ALLOW, BPF_ALLOWS_ALWAYS },
    { SECCOMP_RET_ALLOW | 0x1234u, BPF_ALLOWS_ALWAYS },
    { SECCOMP_RET_LOG, BPF_ALLOWS_ALWAYS },
    { SECCOMP_RET_ERRNO, BPF_NOT_ALWAYS },
    { SECCOMP_RET_ERRNO | 38u, BPF_NOT_ALWAYS },
    { SECCOMP_RET_KILL_PROCESS, BPF_NOT_ALWAYS },
    { SECCOMP_RET_KILL_THREAD, BPF_NOT_ALWAYS },
    { SECCOMP_RET_TRAP, BPF_NOT_ALWAYS },
    /* a ptracer in the container, or the notification agent, can let the
     * call run */
    { SECCOMP_RET_TRACE, BPF_ALLOWS_ALWAYS },
    { SECCOMP_RET_TRACE | 1u, BPF_ALLOWS_ALWAYS },
    { SECCOMP_RET_USER_NOTIF, BPF_ALLOWS_ALWAYS },
    { 0x12340000u, BPF_NOT_ALWAYS }, /* no action the kernel knows */
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      const struct sock_filter prog[] = { RET (cases[i].ret) };
      if (JUDGE (prog, X86_64, 0) != cases[i].want)
        fail_msg ("return %#x: not %d", cases[i].ret, (int)cases[i].want);
    }
  /* A return of A: known when A is. */
  const struct sock_filter ret_a[] = { LD_IMM (SECCOMP_RET_LOG), RET_A };
  assert_int_equal (JUDGE (ret_a, X86_64, 0), BPF_ALLOWS_ALWAYS);
  const struct sock_filter ret_arg[] = { LD_ABS (OFF_ARG_LO (0)), RET_A };
  assert_int_equal (JUDGE (ret_arg, X86_64, 0), BPF_NOT_ALWAYS);
  const struct sock_filter ret_x[] = { LDX_IMM (SECCOMP_RET_ALLOW), BPF_STMT (BPF_RET | BPF_X, 0) };
  assert_int_equal (JUDGE (ret_x, X86_64, 0), BPF_NOT_ALWAYS);
}

/* As libseccomp begins: another architecture is killed. */
static void
test_arch_check (void **state UNUSED)
{
  const struct sock_filter prog[] = {
    /* 0 */ LD_ABS (OFF_ARCH),
    /* 1 */ BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, X86_64, 1, 0),
    /* 2 */ KILL,
    /* 3 */ LD_ABS (OFF_NR),
    /* 4 */ BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 101, 0, 1),
    /* 5 */ ERRNO,
    /* 6 */ ALLOW,
  };
  assert_int_equal (JUDGE (prog, X86_64, 1), BPF_ALLOWS_ALWAYS);
  assert_int_equal (JUDGE (prog, X86_64, 101), BPF_NOT_ALWAYS);
  assert_int_equal (JUDGE (prog, I386, 1), BPF_NOT_ALWAYS);
}

/* A call allowed for some values of an argument only is not allowed
 * unconditionally; the others are. */
static void
test_argument_condition (void **state UNUSED)
{
  const struct sock_filter prog[] = {
    /* 0 */ LD_ABS (OFF_NR),
    /* 1 */ BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 101, 0, 4),
    /* 2 */ LD_ABS (OFF_ARG_LO (0)),
    /* 3 */ BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
    /* 4 */ ALLOW,
    /* 5 */ ERRNO,
    /* 6 */ ALLOW,
  };
  assert_int_equal (JUDGE (prog, X86_64, 101), BPF_NOT_ALWAYS);
  assert_int_equal (JUDGE (prog, X86_64, 100), BPF_ALLOWS_ALWAYS);
}

/* libseccomp's 64-bit SCMP_CMP_GE 0: "high word greater, else equal and
 * low word at least 0".  Every value takes it: the other branches are
 * never taken, so the call is allowed unconditionally. */
static void
test_condition_every_value_takes (void **state UNUSED)
{
  const struct sock_filter prog[] = {
    /* 0 */ LD_ABS (OFF_NR),
    /* 1 */ BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 101, 0, 7),
    /* 2 */ LD_ABS (OFF_ARG_HI (1)),
    /* 3 */ BPF_JUMP (BPF_JMP | BPF_JGT | BPF_K, 0, 3, 0),
    /* 4 */ BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 3),
    /* 5 */ LD_ABS (OFF_ARG_LO (1)),
    /* 6 */ BPF_JUMP (BPF_JMP | BPF_JGE | BPF_K, 0, 0, 1),
    /* 7 */ ALLOW,
    /* 8 */ ERRNO,
    /* 9 */ ALLOW,
  };
  assert_int_equal (JUDGE (prog, X86_64, 101), BPF_ALLOWS_ALWAYS);
}

/* A test narrows the word it loaded, not only A: loaded again after A
 * changed, the argument is still known to be at most 10. */
static void
test_narrowed_word (void **state UNUSED)
{
  const struct sock_filter prog[] = {
    /* 0 */ LD_ABS (OFF_ARG_LO (2)),
    /* 1 */ BPF_JUMP (BPF_JMP | BPF_JGT | BPF_K, 10, 0, 1),
    /* 2 */ ALLOW,
    /* 3 */ LD_ABS (OFF_NR),
    /* 4 */ LD_ABS (OFF_ARG_LO (2)),
    /* 5 */ BPF_JUMP (BPF_JMP | BPF_JGT | BPF_K, 10, 0, 1),
    /* 6 */ KILL,
    /* 7 */ ALLOW,
  };
  assert_int_equal (JUDGE (prog, X86_64, 0), BPF_ALLOWS_ALWAYS);
}

/* Where paths meet their ranges are merged: A is 1 or 3, never 2, but
 * the merge says [1, 3], so the kill counts ("not provably always"). */
static void
test_paths_merge (void **state UNUSED)
{
  const struct sock_filter prog[] = {
    /* 0 */ LD_ABS (OFF_ARG_LO (0)),
    /* 1 */ BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2),
    /* 2 */ LD_IMM (1),
    /* 3 */ BPF_STMT (BPF_JMP | BPF_JA, 1),
    /* 4 */ LD_IMM (3),
    /* 5 */ BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 2, 0, 1),
    /* 6 */ KILL,
    /* 7 */ ALLOW,
  };
  assert_int_equal (JUDGE (prog, X86_64, 0), BPF_NOT_ALWAYS);
}

/* ja, and each conditional jump's true and false branches: with A known,
 * one branch only is taken. */
static void
test_jumps (void **state UNUSED)
{
  const struct sock_filter ja[] = { BPF_STMT (BPF_JMP | BPF_JA, 1), KILL, ALLOW };
  assert_int_equal (JUDGE (ja, X86_64, 0), BPF_ALLOWS_ALWAYS);

#define ON_NR(op, k)                                                                                                   \
  {                                                                                                                    \
    LD_ABS (OFF_NR), BPF_JUMP (BPF_JMP | (op) | BPF_K, (k), 0, 1), ALLOW, KILL                                         \
  }
  const struct sock_filter jeq[] = ON_NR (BPF_JEQ, 7);
  assert_int_equal (JUDGE (jeq, X86_64, 7), BPF_ALLOWS_ALWAYS);
  assert_int_equal (JUDGE (jeq, X86_64, 8), BPF_NOT_ALWAYS);
  const struct sock_filter jgt[] = ON_NR (BPF_JGT, 100);
  assert_int_equal (JUDGE (jgt, X86_64, 101), BPF_ALLOWS_ALWAYS);
  assert_int_equal (JUDGE (jgt, X86_64, 100), BPF_NOT_ALWAYS);
  const struct sock_filter jgt_max[] = ON_NR (BPF_JGT, UINT32_MAX);
  assert_int_equal (JUDGE (jgt_max, X86_64, UINT32_MAX), BPF_NOT_ALWAYS);
  const struct sock_filter jge[] = ON_NR (BPF_JGE, 100);
  assert_int_equal (JUDGE (jge, X86_64, 100), BPF_ALLOWS_ALWAYS);
  assert_int_equal (JUDGE (jge, X86_64, 99), BPF_NOT_ALWAYS);
  const struct sock_filter jge_0[] = ON_NR (BPF_JGE, 0);
  assert_int_equal (JUDGE (jge_0, X86_64, 0), BPF_ALLOWS_ALWAYS);
  const struct sock_filter jset[] = ON_NR (BPF_JSET, 4);
  assert_int_equal (JUDGE (jset, X86_64, 5), BPF_ALLOWS_ALWAYS);
  assert_int_equal (JUDGE (jset, X86_64, 2), BPF_NOT_ALWAYS);
#undef ON_NR

  /* On an unknown argument: jset goes both ways, unless no bit is tested. */
  const struct sock_filter jset_arg[]
      = { LD_ABS (OFF_ARG_LO (0)), BPF_JUMP (BPF_JMP | BPF_JSET | BPF_K, 1, 0, 1), ALLOW, KILL };
  assert_int_equal (JUDGE (jset_arg, X86_64, 0), BPF_NOT_ALWAYS);
  const struct sock_filter jset_none[]
      = { LD_ABS (OFF_ARG_LO (0)), BPF_JUMP (BPF_JMP | BPF_JSET | BPF_K, 0, 0, 1), KILL, ALLOW };
  assert_int_equal (JUDGE (jset_none, X86_64, 0), BPF_ALLOWS_ALWAYS);

  /* Against X: known, as against a constant; unknown, both ways. */
  const struct sock_filter jeq_x[]
      = { LDX_IMM (7), LD_ABS (OFF_NR), BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 1), ALLOW, KILL };
  assert_int_equal (JUDGE (jeq_x, X86_64, 7), BPF_ALLOWS_ALWAYS);
  assert_int_equal (JUDGE (jeq_x, X86_64, 8), BPF_NOT_ALWAYS);
  const struct sock_filter jeq_unknown_x[] = { BPF_STMT (BPF_LDX | BPF_W | BPF_MEM, 0), LD_IMM (7),
                                               BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 1), ALLOW, KILL };
  assert_int_equal (JUDGE (jeq_unknown_x, X86_64, 0), BPF_NOT_ALWAYS);
}

/* Arithmetic on known values is followed; on unknown ones, A is any
 * value; a division by zero ends the program (a kill). */
static void
test_alu (void **state UNUSED)
{
  const struct sock_filter add[]
      = { LD_IMM (SECCOMP_RET_ALLOW - 0x10000u), BPF_STMT (BPF_ALU | BPF_ADD | BPF_K, 0x10000u), RET_A };
  assert_int_equal (JUDGE (add, X86_64, 0), BPF_ALLOWS_ALWAYS);
  const struct sock_filter lsh[]
      = { LD_IMM (SECCOMP_RET_ALLOW >> 16), BPF_STMT (BPF_ALU | BPF_LSH | BPF_K, 16), RET_A };
  assert_int_equal (JUDGE (lsh, X86_64, 0), BPF_ALLOWS_ALWAYS);
  const struct sock_filter lsh_32[] = { LD_IMM (1), BPF_STMT (BPF_ALU | BPF_LSH | BPF_K, 32), RET_A };
  assert_int_equal (JUDGE (lsh_32, X86_64, 0), BPF_NOT_ALWAYS);
  const struct sock_filter on_arg[] = { LD_ABS (OFF_ARG_LO (0)), BPF_STMT (BPF_ALU | BPF_AND | BPF_K, 0), RET_A };
  assert_int_equal (JUDGE (on_arg, X86_64, 0), BPF_NOT_ALWAYS);
  const struct sock_filter tax_txa[] = { LD_IMM (SECCOMP_RET_ALLOW), BPF_STMT (BPF_MISC | BPF_TAX, 0), LD_IMM (0),
                                         BPF_STMT (BPF_MISC | BPF_TXA, 0), RET_A };
  assert_int_equal (JUDGE (tax_txa, X86_64, 0), BPF_ALLOWS_ALWAYS);
  const struct sock_filter div_0[] = { LD_IMM (4), BPF_STMT (BPF_ALU | BPF_DIV | BPF_K, 0), ALLOW };
  assert_int_equal (JUDGE (div_0, X86_64, 0), BPF_NOT_ALWAYS);
  const struct sock_filter mod_x0[] = { LDX_IMM (0), LD_IMM (4), BPF_STMT (BPF_ALU | BPF_MOD | BPF_X, 0), ALLOW };
  assert_int_equal (JUDGE (mod_x0, X86_64, 0), BPF_NOT_ALWAYS);
  const struct sock_filter len[]
      = { BPF_STMT (BPF_LD | BPF_W | BPF_LEN, 0),
          BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, sizeof (struct seccomp_data), 0, 1), ALLOW, KILL };
  assert_int_equal (JUDGE (len, X86_64, 0), BPF_ALLOWS_ALWAYS);
}

/* Scratch memory is not followed: what is loaded from it is any value. */
static void
test_scratch_memory (void **state UNUSED)
{
  const struct sock_filter prog[]
      = { LD_IMM (SECCOMP_RET_ALLOW), BPF_STMT (BPF_ST, 3), BPF_STMT (BPF_LD | BPF_W | BPF_MEM, 3), RET_A };
  assert_int_equal (JUDGE (prog, X86_64, 0), BPF_NOT_ALWAYS);
  const struct sock_filter past[] = { BPF_STMT (BPF_LD | BPF_W | BPF_MEM, BPF_MEMWORDS), ALLOW };
  assert_int_equal (JUDGE (past, X86_64, 0), BPF_UNSURE);
}

/* What it does not model makes it unsure, where it is reached only. */
static void
test_not_modelled (void **state UNUSED)
{
  const struct sock_filter byte[] = { BPF_STMT (BPF_LD | BPF_B | BPF_ABS, OFF_NR), ALLOW };
  assert_int_equal (JUDGE (byte, X86_64, 0), BPF_UNSURE);
  const struct sock_filter half[] = { BPF_STMT (BPF_LD | BPF_H | BPF_ABS, OFF_NR), ALLOW };
  assert_int_equal (JUDGE (half, X86_64, 0), BPF_UNSURE);
  const struct sock_filter ind[] = { BPF_STMT (BPF_LD | BPF_W | BPF_IND, OFF_NR), ALLOW };
  assert_int_equal (JUDGE (ind, X86_64, 0), BPF_UNSURE);
  const struct sock_filter unaligned[] = { LD_ABS (2), ALLOW };
  assert_int_equal (JUDGE (unaligned, X86_64, 0), BPF_UNSURE);
  const struct sock_filter past[] = { LD_ABS (sizeof (struct seccomp_data)), ALLOW };
  assert_int_equal (JUDGE (past, X86_64, 0), BPF_UNSURE);
  const struct sock_filter misc[] = { BPF_STMT (BPF_MISC | 0x40, 0), ALLOW };
  assert_int_equal (JUDGE (misc, X86_64, 0), BPF_UNSURE);
  const struct sock_filter jmp[] = { BPF_JUMP (BPF_JMP | 0x50 | BPF_K, 0, 0, 0), ALLOW };
  assert_int_equal (JUDGE (jmp, X86_64, 0), BPF_UNSURE);
  const struct sock_filter alu[] = { LD_IMM (1), BPF_STMT (BPF_ALU | 0xf0 | BPF_K, 1), ALLOW };
  assert_int_equal (JUDGE (alu, X86_64, 0), BPF_UNSURE);
  const struct sock_filter unreached[] = { ALLOW, BPF_STMT (BPF_LD | BPF_B | BPF_ABS, OFF_NR), ALLOW };
  assert_int_equal (JUDGE (unreached, X86_64, 0), BPF_ALLOWS_ALWAYS);
}

/* A jump out of the program, or a program that runs out of instructions,
 * is not judged; the kernel refuses both. */
static void
test_out_of_range (void **state UNUSED)
{
  const struct sock_filter ja[] = { BPF_STMT (BPF_JMP | BPF_JA, 2), ALLOW, ALLOW };
  assert_int_equal (JUDGE (ja, X86_64, 0), BPF_UNSURE);
  const struct sock_filter jt[] = { LD_ABS (OFF_NR), BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 0, 5, 0), ALLOW };
  assert_int_equal (JUDGE (jt, X86_64, 0), BPF_UNSURE);
  assert_int_equal (JUDGE (jt, X86_64, 1), BPF_ALLOWS_ALWAYS); /* the branch out is not taken */
  const struct sock_filter jf[] = { LD_ABS (OFF_NR), BPF_JUMP (BPF_JMP | BPF_JGT | BPF_K, 9, 0, 200), ALLOW };
  assert_int_equal (JUDGE (jf, X86_64, 0), BPF_UNSURE);
  const struct sock_filter runs_out[] = { LD_ABS (OFF_NR), BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1), ALLOW };
  assert_int_equal (JUDGE (runs_out, X86_64, 1), BPF_UNSURE);
  assert_int_equal (JUDGE (runs_out, X86_64, 0), BPF_ALLOWS_ALWAYS);
  /* Out by one, on one branch of an argument test: the other allows. */
  const struct sock_filter past_end[]
      = { LD_ABS (OFF_ARG_LO (0)), BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1), ALLOW };
  assert_int_equal (JUDGE (past_end, X86_64, 0), BPF_UNSURE);
  const struct sock_filter no_return[] = { LD_ABS (OFF_NR) };
  assert_int_equal (JUDGE (no_return, X86_64, 0), BPF_UNSURE);
}

static void
test_empty_program (void **state UNUSED)
{
  const struct sock_filter one[] = { ALLOW };
  assert_int_equal (bpf_judge (one, 0, X86_64, 0, NULL), BPF_UNSURE);
  assert_int_equal (bpf_judge (NULL, 0, X86_64, 0, NULL), BPF_UNSURE);
  assert_int_equal (bpf_judge (one, 0, X86_64, 0, &kept), BPF_UNSURE);
}

/* The kernel's longest program, BPF_MAXINSNS instructions: the number,
 * then 2047 tests that each send one number to an errno, then allow.
 * One longer is not judged. */
static void
test_longest_program (void **state UNUSED)
{
  const size_t n = BPF_MAXINSNS;
  struct sock_filter *prog = xreallocarray (NULL, n + 1, sizeof *prog);
  prog[0] = (struct sock_filter)LD_ABS (OFF_NR);
  size_t pc = 1;
  for (uint32_t nr = 1000; pc + 1 < n; nr++)
    {
      prog[pc++] = (struct sock_filter)BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1);
      prog[pc++] = (struct sock_filter)ERRNO;
    }
  prog[pc++] = (struct sock_filter)ALLOW;
  assert_int_equal (pc, n);
  assert_int_equal (judge_both (prog, n, X86_64, 1000), BPF_NOT_ALWAYS);
  assert_int_equal (judge_both (prog, n, X86_64, 1000 + 2046), BPF_NOT_ALWAYS);
  assert_int_equal (judge_both (prog, n, X86_64, 1000 + 2047), BPF_ALLOWS_ALWAYS);
  assert_int_equal (judge_both (prog, n, X86_64, 1), BPF_ALLOWS_ALWAYS);
  prog[n] = (struct sock_filter)ALLOW;
  assert_int_equal (judge_both (prog, n + 1, X86_64, 1), BPF_UNSURE);
  free (prog);
}

/* Room kept from a long program serves a short one and the other way
 * round, and each call starts from nothing known. */
static void
test_states_kept (void **state UNUSED)
{
  const struct sock_filter short_[] = { LD_ABS (OFF_NR), BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 7, 0, 1), KILL, ALLOW };
  const struct sock_filter long_[] = {
    LD_ABS (OFF_NR),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 7, 0, 1),
    ALLOW,
    LD_ABS (OFF_ARG_LO (0)),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
    ALLOW,
    ERRNO,
  };
  struct bpf_states st = { 0 };
  for (int round = 0; round < 3; round++)
    {
      assert_int_equal (bpf_judge (short_, ARRAY_SIZE (short_), X86_64, 7, &st), BPF_NOT_ALWAYS);
      assert_int_equal (bpf_judge (long_, ARRAY_SIZE (long_), X86_64, 7, &st), BPF_ALLOWS_ALWAYS);
      assert_int_equal (bpf_judge (long_, ARRAY_SIZE (long_), X86_64, 8, &st), BPF_NOT_ALWAYS);
      assert_int_equal (bpf_judge (short_, ARRAY_SIZE (short_), X86_64, 8, &st), BPF_ALLOWS_ALWAYS);
    }
  assert_int_equal (st.room, ARRAY_SIZE (long_));
  assert_int_equal (st.len, 0);
  bpf_states_release (&st);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_teardown (test_unconditional_allow, teardown),
    cmocka_unit_test_teardown (test_unconditional_deny, teardown),
    cmocka_unit_test_teardown (test_returns, teardown),
    cmocka_unit_test_teardown (test_arch_check, teardown),
    cmocka_unit_test_teardown (test_argument_condition, teardown),
    cmocka_unit_test_teardown (test_condition_every_value_takes, teardown),
    cmocka_unit_test_teardown (test_narrowed_word, teardown),
    cmocka_unit_test_teardown (test_paths_merge, teardown),
    cmocka_unit_test_teardown (test_jumps, teardown),
    cmocka_unit_test_teardown (test_alu, teardown),
    cmocka_unit_test_teardown (test_scratch_memory, teardown),
    cmocka_unit_test_teardown (test_not_modelled, teardown),
    cmocka_unit_test_teardown (test_out_of_range, teardown),
    cmocka_unit_test_teardown (test_empty_program, teardown),
    cmocka_unit_test_teardown (test_longest_program, teardown),
    cmocka_unit_test_teardown (test_states_kept, teardown),
  };
  return cmocka_run_group_tests_name ("seccomp bpf", tests, NULL, NULL);
}
