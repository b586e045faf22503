/* seccomp: bpf_judge(), what a seccomp BPF program does with one system
 * call (bpf.h).  It reads the program libseccomp generated, so it sees
 * what the kernel would do, rule order and libseccomp's merging included.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "rules/seccomp/bpf.h"

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdlib.h>

#include "base/util.h"

/* An unsigned 32-bit value known to lie in [lo, hi]; known when lo == hi. */
struct ival
{
  uint32_t lo, hi;
};

#define SECCOMP_DATA_WORDS (sizeof (struct seccomp_data) / 4)

/* What is known where an instruction starts: each 32-bit word of
 * seccomp_data, the accumulator (and which word it was loaded from, so
 * that a test on it narrows the word too) and the index register. */
struct bpf_at
{
  size_t pc; /* the instruction it is the state at */
  struct ival word[SECCOMP_DATA_WORDS];
  struct ival a;
  int a_word; /* -1 when A is not a word as loaded */
  struct ival x;
};

/* The states of the instructions reached so far (struct bpf_states).  A
 * system call number reaches few of a program's instructions, so states
 * are kept only for those (a pool), found through one index per
 * instruction: judging one call touches a few pages, not a state per
 * instruction. */
void
bpf_states_release (struct bpf_states *st)
{
  free (st->slot);
  free (st->pool);
}

/* Room for a program of n instructions, with no state in it. */
static void
bpf_states_fit (struct bpf_states *st, size_t n)
{
  st->n = n;
  if (st->room >= n)
    return;
  bpf_states_release (st);
  st->slot = xzalloc (n * sizeof *st->slot);
  /* At most one state per instruction: reserved, not touched. */
  st->pool = xreallocarray (NULL, n, sizeof *st->pool);
  st->cap = n;
  st->len = 0;
  st->room = n;
}

static struct bpf_at *
bpf_state (struct bpf_states *st, size_t pc)
{
  return st->slot[pc] ? &st->pool[st->slot[pc] - 1] : NULL;
}

/* A new state for instruction pc, which has none; the pool may move. */
static struct bpf_at *
bpf_state_new (struct bpf_states *st, size_t pc)
{
  if (st->len == st->cap)
    {
      st->cap = st->cap ? 2 * st->cap : 64;
      st->pool = xreallocarray (st->pool, st->cap, sizeof *st->pool);
    }
  st->slot[pc] = (uint32_t)++st->len;
  struct bpf_at *d = &st->pool[st->len - 1];
  d->pc = pc;
  return d;
}

/* Forget every state, for the next call to judge. */
static void
bpf_states_reset (struct bpf_states *st)
{
  for (size_t i = 0; i < st->len; i++)
    st->slot[st->pool[i].pc] = 0;
  st->len = 0;
}

static const struct ival ival_any = { 0, UINT32_MAX };

static struct ival
ival_of (uint32_t v)
{
  return (struct ival){ v, v };
}

static bool
ival_known (struct ival v)
{
  return v.lo == v.hi;
}

static struct ival
ival_hull (struct ival p, struct ival q)
{
  return (struct ival){ p.lo < q.lo ? p.lo : q.lo, p.hi > q.hi ? p.hi : q.hi };
}

/* p ∩ [lo, hi]; false when empty. */
static bool
ival_cut (struct ival p, uint32_t lo, uint32_t hi, struct ival *out)
{
  uint32_t l = p.lo > lo ? p.lo : lo, h = p.hi < hi ? p.hi : hi;
  if (l > h)
    return false;
  *out = (struct ival){ l, h };
  return true;
}

/* Merge a state into what reaches instruction `to` (the hull of the two);
 * false when `to` is out of the program. */
static bool
bpf_flow (struct bpf_states *st, size_t to, const struct bpf_at *s)
{
  if (to >= st->n)
    return false;
  struct bpf_at *d = bpf_state (st, to);
  if (d == NULL)
    {
      d = bpf_state_new (st, to);
      *d = *s;
      d->pc = to;
      return true;
    }
  for (size_t w = 0; w < SECCOMP_DATA_WORDS; w++)
    d->word[w] = ival_hull (d->word[w], s->word[w]);
  d->a = ival_hull (d->a, s->a);
  if (d->a_word != s->a_word)
    d->a_word = -1;
  d->x = ival_hull (d->x, s->x);
  return true;
}

/* Follow one branch of a test that holds only for A in `a`. */
static bool
bpf_branch (struct bpf_states *st, size_t to, const struct bpf_at *s, bool feasible, struct ival a)
{
  if (!feasible)
    return true;
  struct bpf_at t = *s;
  t.a = a;
  if (t.a_word >= 0)
    t.word[t.a_word] = a;
  return bpf_flow (st, to, &t);
}

static bool
ret_allows (uint32_t r)
{
  uint32_t action = r & SECCOMP_RET_ACTION_FULL;
  /* A tracer or a notification agent can let the call run: see
   * sc_action_allows(). */
  return action == SECCOMP_RET_ALLOW || action == SECCOMP_RET_LOG || action == SECCOMP_RET_TRACE
         || action == SECCOMP_RET_USER_NOTIF;
}

/* A conditional jump: each branch taken when some value of A allows it,
 * with A narrowed to the values that take it. */
static bool
bpf_jump (struct bpf_states *st, size_t pc, const struct sock_filter *f, const struct bpf_at *s)
{
  uint16_t op = BPF_OP (f->code);
  size_t yes = pc + 1 + f->jt, no = pc + 1 + f->jf;
  struct ival a = s->a, ty = a, tn = a;
  bool fy = true, fn = true;
  if (BPF_SRC (f->code) == BPF_X && !ival_known (s->x))
    /* Against an unknown X: both ways, nothing learnt. */
    return bpf_branch (st, yes, s, true, a) && bpf_branch (st, no, s, true, a);
  uint32_t k = BPF_SRC (f->code) == BPF_X ? s->x.lo : f->k;
  switch (op)
    {
    case BPF_JEQ:
      fy = ival_cut (a, k, k, &ty);
      fn = !(ival_known (a) && a.lo == k);
      if (fn && a.lo == k)
        tn.lo = k + 1;
      else if (fn && a.hi == k)
        tn.hi = k - 1;
      break;
    case BPF_JGT:
      fy = k < UINT32_MAX && ival_cut (a, k + 1, UINT32_MAX, &ty);
      fn = ival_cut (a, 0, k, &tn);
      break;
    case BPF_JGE:
      fy = ival_cut (a, k, UINT32_MAX, &ty);
      fn = k > 0 && ival_cut (a, 0, k - 1, &tn);
      break;
    case BPF_JSET:
      if (ival_known (a))
        {
          fy = (a.lo & k) != 0;
          fn = !fy;
        }
      else
        fy = k != 0 && a.hi != 0;
      break;
    default:
      return false;
    }
  return bpf_branch (st, yes, s, fy, ty) && bpf_branch (st, no, s, fn, tn);
}

/* Run a classic BPF seccomp program for one architecture and system call
 * number, the other fields of seccomp_data (instruction pointer,
 * arguments) unknown, and say whether every return it can reach allows.
 *
 * Jumps only go forward, so one pass in program order sees every path into
 * an instruction before the instruction itself.  What is known is a range
 * of values per 32-bit word of seccomp_data and per register; a test
 * narrows the ranges on each branch and a branch no value can take is not
 * followed (so libseccomp's "high word greater, else equal and low word
 * at least" for a 64-bit SCMP_CMP_GE 0 has no false branch).  Where paths
 * meet, the ranges are merged, so paths no real call takes may be
 * counted: "allows always" is exact, "not always" can mean "not provably
 * always".  Scratch memory is not followed: what is loaded from it is any
 * value. */
static enum bpf_verdict
bpf_judge_run (const struct sock_filter *prog, uint32_t arch, uint32_t nr, struct bpf_states *st)
{
  bool allows = false, other = false, ok = true;
  size_t n = st->n;
  struct bpf_at *s0 = bpf_state_new (st, 0);
  for (size_t w = 0; w < SECCOMP_DATA_WORDS; w++)
    s0->word[w] = ival_any;
  s0->word[offsetof (struct seccomp_data, nr) / 4] = ival_of (nr);
  s0->word[offsetof (struct seccomp_data, arch) / 4] = ival_of (arch);
  s0->a = s0->x = ival_of (0);
  s0->a_word = -1;
  for (size_t pc = 0; pc < n && ok; pc++)
    {
      const struct bpf_at *here = bpf_state (st, pc);
      if (here == NULL)
        continue;
      const struct sock_filter *f = &prog[pc];
      struct bpf_at s = *here;
      switch (BPF_CLASS (f->code))
        {
        case BPF_LD:
        case BPF_LDX:
          {
            struct ival val;
            int from = -1;
            if (f->code == (BPF_LD | BPF_W | BPF_ABS) && f->k % 4 == 0 && f->k < sizeof (struct seccomp_data))
              {
                from = (int)(f->k / 4);
                val = s.word[from];
              }
            else if (BPF_SIZE (f->code) == BPF_W && BPF_MODE (f->code) == BPF_IMM)
              val = ival_of (f->k);
            else if (BPF_SIZE (f->code) == BPF_W && BPF_MODE (f->code) == BPF_LEN)
              val = ival_of (sizeof (struct seccomp_data));
            else if (BPF_SIZE (f->code) == BPF_W && BPF_MODE (f->code) == BPF_MEM && f->k < BPF_MEMWORDS)
              val = ival_any;
            else
              {
                ok = false;
                break;
              }
            if (BPF_CLASS (f->code) == BPF_LD)
              {
                s.a = val;
                s.a_word = from;
              }
            else
              s.x = val;
            ok = bpf_flow (st, pc + 1, &s);
            break;
          }
        case BPF_ST:
        case BPF_STX:
          ok = bpf_flow (st, pc + 1, &s);
          break;
        case BPF_ALU:
          {
            uint16_t op = BPF_OP (f->code);
            struct ival src = BPF_SRC (f->code) == BPF_X ? s.x : ival_of (f->k);
            if ((op == BPF_DIV || op == BPF_MOD) && src.lo == 0)
              {
                /* Dividing by zero ends the program with 0: a kill. */
                other = true;
                if (src.hi == 0)
                  break;
              }
            s.a_word = -1;
            if (op == BPF_NEG)
              s.a = ival_known (s.a) ? ival_of (0u - s.a.lo) : ival_any;
            else if (!ival_known (s.a) || !ival_known (src))
              s.a = ival_any;
            else
              {
                uint32_t x = s.a.lo, y = src.lo;
                switch (op)
                  {
                  case BPF_ADD:
                    x += y;
                    break;
                  case BPF_SUB:
                    x -= y;
                    break;
                  case BPF_MUL:
                    x *= y;
                    break;
                  case BPF_DIV:
                    x /= y;
                    break;
                  case BPF_MOD:
                    x %= y;
                    break;
                  case BPF_OR:
                    x |= y;
                    break;
                  case BPF_AND:
                    x &= y;
                    break;
                  case BPF_XOR:
                    x ^= y;
                    break;
                  case BPF_LSH:
                    x = y < 32 ? x << y : 0;
                    break;
                  case BPF_RSH:
                    x = y < 32 ? x >> y : 0;
                    break;
                  default:
                    ok = false;
                    break;
                  }
                s.a = ival_of (x);
                if (op == BPF_LSH || op == BPF_RSH)
                  s.a = y < 32 ? s.a : ival_any;
              }
            if (ok)
              ok = bpf_flow (st, pc + 1, &s);
            break;
          }
        case BPF_JMP:
          if (BPF_OP (f->code) == BPF_JA)
            ok = bpf_flow (st, pc + 1 + (size_t)f->k, &s);
          else
            ok = bpf_jump (st, pc, f, &s);
          break;
        case BPF_RET:
          {
            bool known = BPF_RVAL (f->code) == BPF_K || (BPF_RVAL (f->code) == BPF_A && ival_known (s.a));
            uint32_t r = BPF_RVAL (f->code) == BPF_K ? f->k : s.a.lo;
            if (known && ret_allows (r))
              allows = true;
            else
              other = true;
            break;
          }
        case BPF_MISC:
          if (BPF_MISCOP (f->code) == BPF_TAX)
            s.x = s.a;
          else if (BPF_MISCOP (f->code) == BPF_TXA)
            {
              s.a = s.x;
              s.a_word = -1;
            }
          else
            {
              ok = false;
              break;
            }
          ok = bpf_flow (st, pc + 1, &s);
          break;
        default:
          ok = false;
          break;
        }
    }
  if (!ok)
    return BPF_UNSURE;
  if (other)
    return BPF_NOT_ALWAYS;
  return allows ? BPF_ALLOWS_ALWAYS : BPF_UNSURE;
}

/* The run's states are forgotten before bpf_judge() returns: what the
 * caller keeps is room, not knowledge. */
enum bpf_verdict
bpf_judge (const struct sock_filter *prog, size_t n, uint32_t arch, uint32_t nr, struct bpf_states *states)
{
  if (n == 0 || n > BPF_MAXINSNS)
    return BPF_UNSURE; /* the kernel loads neither */
  cleanup_bpf_states struct bpf_states own = { 0 };
  struct bpf_states *st = states ? states : &own;
  bpf_states_fit (st, n);
  enum bpf_verdict v = bpf_judge_run (prog, arch, nr, st);
  bpf_states_reset (st);
  return v;
}
