/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * SHA-256, the one digest of the core: the bind cookie's hash, the
 * WebAuthn hashes (rpIdHash, clientDataHash) and the module's cache keys.
 */
#ifndef STEPUP_SHA256_H
#define STEPUP_SHA256_H

#include <stddef.h>
#include <openssl/types.h>

#define STEPUP_SHA256_LEN 32

/* SHA-256 of data[0..len) into out; 0 on success, -1 when OpenSSL
 * fails. Safe to call from several threads at once. */
int stepup_sha256(const void *data, size_t len,
                  unsigned char out[STEPUP_SHA256_LEN]);

/* The digest itself, for a hash fed in pieces (EVP_DigestInit_ex); NULL
 * when OpenSSL cannot provide it. */
const EVP_MD *stepup_sha256_md(void);

#endif
