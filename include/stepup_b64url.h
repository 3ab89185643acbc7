/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * base64url (RFC 4648 section 5) on top of APR's apr_encode: the strict
 * alphabet check is ours, the coding is APR's.
 */
#ifndef STEPUP_B64URL_H
#define STEPUP_B64URL_H

#include <stddef.h>
#include <apr_pools.h>

/* Length of the unpadded encoding of n bytes. */
#define STEPUP_B64URL_LEN(n) ((((n) / 3) * 4) + (((n) % 3) ? ((n) % 3) + 1 : 0))

/* Encodes into dst (at least STEPUP_B64URL_LEN(len) + 1 bytes), no padding,
 * NUL-terminated. Returns the length written, without the NUL. */
size_t stepup_b64url_encode_to(char *dst, const unsigned char *src, size_t len);

/* Encodes from the pool, no padding. */
char *stepup_b64url_encode(apr_pool_t *p, const unsigned char *src, size_t len);

/* 1 when s[0..len) uses only [A-Za-z0-9_-], with up to two '=' at the end
 * when allow_padding is set. */
int stepup_b64url_valid(const char *s, size_t len, int allow_padding);

/* Decodes base64url, padded or not, refusing any other character. The
 * result is NUL-terminated (not counted in *outlen). Returns 0 on success,
 * -1 on bad input. */
int stepup_b64url_decode(apr_pool_t *p, const char *src, size_t len,
                         unsigned char **out, size_t *outlen);

#endif
