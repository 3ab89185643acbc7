/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The transaction of a request, what a transaction-bound (v2) token opens:
 *   txn = b64url(SHA-256(METHOD SP request-target LF Content-Type LF body)
 *                [0..16))
 * Content-Type is the header's value as received, empty when there is none.
 *
 * The digest is fed in pieces (stepup_txn_start, _body, _finish) so that a
 * body read brigade by brigade is never gathered in one buffer;
 * stepup_txn_compute does it in one call for a body already in memory.
 */
#ifndef STEPUP_TXN_H
#define STEPUP_TXN_H

#include <stddef.h>
#include <apr_pools.h>

#define STEPUP_TXN_RAW_LEN  16   /* the digest's first 16 bytes */
#define STEPUP_TXN_LEN      22   /* their base64url, unpadded */

typedef struct stepup_txn_ctx stepup_txn_ctx;

/* Starts a digest with the request line and the Content-Type (NULL: none).
 * The method must not be empty or hold a space or LF, the target not be
 * empty or hold a space or LF, the Content-Type not hold a LF: so no two
 * requests share the text that is hashed. NULL when they do, or when
 * OpenSSL fails. The OpenSSL state is freed with the pool, or earlier by
 * stepup_txn_finish. */
stepup_txn_ctx *stepup_txn_start(apr_pool_t *p, const char *method,
                                 const char *target, const char *ctype);

/* Adds body bytes. Returns 0, or -1 when OpenSSL fails (the context is then
 * spent: stepup_txn_finish fails too). */
int stepup_txn_body(stepup_txn_ctx *ctx, const void *data, size_t len);

/* Ends the digest: the 16 bytes in raw and/or their base64url in b64 (each
 * may be NULL). Returns 0, or -1 when OpenSSL failed at any step or the
 * context was already finished. */
int stepup_txn_finish(stepup_txn_ctx *ctx,
                      unsigned char raw[STEPUP_TXN_RAW_LEN],
                      char b64[STEPUP_TXN_LEN + 1]);

/* The whole computation for a body in memory (body may be NULL when len
 * is 0). Same rules and results as the three calls above. */
int stepup_txn_compute(const char *method, const char *target,
                       const char *ctype, const void *body, size_t len,
                       unsigned char raw[STEPUP_TXN_RAW_LEN],
                       char b64[STEPUP_TXN_LEN + 1]);

/* The first 16 bytes of SHA-256 of data[0..len) and/or their base64url:
 * the shape of a txn and of a session's bind value. Returns 0 or -1. */
int stepup_digest16(const void *data, size_t len,
                    unsigned char raw[STEPUP_TXN_RAW_LEN],
                    char b64[STEPUP_TXN_LEN + 1]);

/* 1 when s[0..len) is a txn as minted: 22 characters of the base64url
 * alphabet whose last one carries no stray bits (one spelling per value). */
int stepup_txn_valid(const char *s, size_t len);

#endif
