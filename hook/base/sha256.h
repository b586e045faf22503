/* ocigate: SHA-256 (FIPS 180-4), to name the policy a decision came from.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_SHA256_H
#define OCIGATE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_HEX_LEN 64

/* hex must hold SHA256_HEX_LEN + 1 bytes. */
void sha256_hex (const void *data, size_t len, char hex[SHA256_HEX_LEN + 1]);

#endif
