/* ocigate audit: what the cli's audit files share (audit.c: the running
 * containers; audit_host.c: the host's engines, ID ranges and log).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_AUDIT_H
#define OCIGATE_AUDIT_H

#include <stdbool.h>

#include "base/util.h"
#include "core/host.h"
#include "gate/policy.h"

/* A finding of the host: an ID ("engine.docker"), what is wrong, what would
 * make it pass. */
struct audit_host_finding
{
  char *check;
  char *message;
  char *fix;
};

struct audit_host_findings
{
  struct audit_host_finding *v;
  size_t n;
};

void audit_host_findings_release (struct audit_host_findings *f);
#define cleanup_audit_host_findings __attribute__ ((cleanup (audit_host_findings_release)))

/* The host's checks, each file read under root ("" for /): whether every
 * engine found runs its containers through ocigate, whether user
 * namespace remapping is configured, whether /etc/subuid and /etc/subgid
 * are sane, whether the decision log reaches somewhere. */
void audit_host (const char *root, struct host_info *host, const struct policy *policy,
                 struct audit_host_findings *out);

void audit_host_add (struct audit_host_findings *f, const char *check, const char *fix, const char *fmt, ...)
    PRINTF_LIKE (4, 5);

#endif
