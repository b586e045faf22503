/* ocigate: what a seccomp BPF program does with one system call, whatever
 * its arguments.  A function of the program alone: no libseccomp, no
 * JSON, no global state.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_SECCOMP_BPF_H
#define OCIGATE_SECCOMP_BPF_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

/* What bpf_judge() says of a system call.  The build cache keeps these
 * values in its files (rules/seccomp/cache.h): do not renumber them. */
enum bpf_verdict
{
  BPF_ALLOWS_ALWAYS = 0, /* every return it can reach allows (SECCOMP_RET_ALLOW, _LOG, _TRACE, _USER_NOTIF) */
  BPF_NOT_ALWAYS = 1,    /* some return it can reach does not (any other action, or a fault: a kill) */
  BPF_UNSURE = 2,        /* it does something not modelled, or reaches no return */
};

struct bpf_at;

/* Room for the states bpf_judge() works with, kept from one call to the
 * next (a deny list judges one program many times): zeroed to start
 * with, released with bpf_states_release().  Its fields are
 * bpf_judge()'s. */
struct bpf_states
{
  size_t room;    /* instructions slot[] has room for; 0 until first used */
  size_t n;       /* instructions of the program being judged */
  uint32_t *slot; /* per instruction: 1 + its state's place in pool, 0 when unreached */
  struct bpf_at *pool;
  size_t len, cap;
};

void bpf_states_release (struct bpf_states *st);
#define cleanup_bpf_states __attribute__ ((cleanup (bpf_states_release)))

/* Run the classic BPF seccomp program prog[0..n) for the audit
 * architecture `arch` (AUDIT_ARCH_X86_64, ...) and system call number
 * `nr`, with the other fields of seccomp_data (instruction pointer,
 * arguments) unknown, following every branch some value of them can
 * take, and say whether every return it can reach allows the call.
 * BPF_ALLOWS_ALWAYS is exact; BPF_NOT_ALWAYS can mean "not provably
 * always" (paths are merged where they meet).  A program that uses an
 * instruction not modelled (as a byte load, or a load past seccomp_data),
 * jumps or runs out of itself, is empty or is longer than BPF_MAXINSNS
 * is BPF_UNSURE.
 * states: room kept for the next call, or NULL for room for this call
 * only; either way the result is the same. */
enum bpf_verdict bpf_judge (const struct sock_filter *prog, size_t n, uint32_t arch, uint32_t nr,
                            struct bpf_states *states);

#endif
