/* ocigate: capability names, checked with libcap.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_CAPS_H
#define OCIGATE_CAPS_H

#include "base/error.h"

/* Capability sets as bitmasks: every capability Linux defines fits. */
typedef uint64_t capmask_t;
#define CAPMASK(c) ((capmask_t)1 << (c))

/* Parse "CAP_SYS_ADMIN" (the runtime-spec form) into its number; -1 when
 * the name is not one libcap knows. */
int cap_parse_name (const char *name);
/* "CAP_SYS_ADMIN" for a number, as a static string. */
const char *cap_name (int cap);
/* The capabilities libcap knows, as a mask. */
capmask_t cap_known_mask (void);

#endif
