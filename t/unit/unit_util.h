/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Shared helpers of the C unit tests (cmocka).
 *
 * The pool fixtures and the reference base64url encoder are static inline
 * here, because test_b64url links only its own source file; everything else
 * lives in unit_util.c (linked by test_keys and test_token).
 *
 * The reference helpers (base64url, HMAC-SHA256, signing) deliberately use
 * OpenSSL directly and never the code under test, so that a test comparing
 * the core with them checks the core against an independent computation.
 */
#ifndef UNIT_UTIL_H
#define UNIT_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <sys/types.h>
#include <cmocka.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <openssl/evp.h>

#include "stepup_keys.h"

/* ---- fixtures: apr_initialize once per group, one pool per test ---- */

static inline int unit_group_setup(void **state)
{
    (void)state;
    return apr_initialize() == APR_SUCCESS ? 0 : -1;
}

static inline int unit_group_teardown(void **state)
{
    (void)state;
    apr_terminate();
    return 0;
}

static inline int unit_setup(void **state)
{
    apr_pool_t *p = NULL;

    if (apr_pool_create(&p, NULL) != APR_SUCCESS)
        return -1;
    *state = p;
    return 0;
}

static inline int unit_teardown(void **state)
{
    /* runs the cleanups: temp files, temp dirs, key states */
    apr_pool_destroy((apr_pool_t *)*state);
    *state = NULL;
    return 0;
}

#define UNIT_TEST(f) cmocka_unit_test_setup_teardown(f, unit_setup, unit_teardown)

/* ---- reference base64url (OpenSSL's EVP_EncodeBlock + RFC 4648 s.5) ---- */

/* Unpadded base64url of src[0..len), from the pool. */
static inline char *unit_ref_b64url(apr_pool_t *p, const void *src, size_t len)
{
    char *out = apr_palloc(p, 4 * ((len + 2) / 3) + 1);
    int n = EVP_EncodeBlock((unsigned char *)out, src, (int)len);
    int i;

    while (n > 0 && out[n - 1] == '=')
        n--;
    out[n] = '\0';
    for (i = 0; i < n; i++) {
        if (out[i] == '+')
            out[i] = '-';
        else if (out[i] == '/')
            out[i] = '_';
    }
    return out;
}

/* ---- known test keys (unit_util.c) ---- */

/* Known key ids: "alpha" (32-byte secret), "beta" (32), "gamma" (48) and
 * "delta" (100 bytes, longer than the SHA-256 block). The secret of kid, or
 * NULL when kid is not one of them. */
const unsigned char *unit_secret(const char *kid, size_t *len);

/* "KID SECRET" for an arbitrary secret (base64url, unpadded, reference
 * encoder), from the pool. */
char *unit_key_line(apr_pool_t *p, const char *kid, const unsigned char *secret,
                    size_t len);

/* The key-file text of the known keys named by the NULL-terminated list of
 * kids, one line each, in that order. */
char *unit_keyfile_text(apr_pool_t *p, ...);

/* A key set of known keys, in the order given (NULL-terminated); fails the
 * current test when the core refuses it. */
stepup_keyset *unit_keyset(apr_pool_t *p, ...);

/* ---- reference crypto (OpenSSL one-shot APIs) ---- */

/* HMAC-SHA256 with HMAC(). */
void unit_hmac(const unsigned char *key, size_t keylen, const void *data,
               size_t len, unsigned char out[STEPUP_MAC_LEN]);

/* HMAC-SHA256 with EVP_Q_mac(), a second independent route. */
void unit_hmac_q(const unsigned char *key, size_t keylen, const void *data,
                 size_t len, unsigned char out[STEPUP_MAC_LEN]);

/* signed_part + "." + b64url(HMAC-SHA256(secret of kid, signed_part)):
 * signs any string, well-formed or not, with a known key. */
char *unit_sign_part(apr_pool_t *p, const char *kid, const char *signed_part);

/* "v1.<kid>.<b64url(payload)>.<mac>" for an arbitrary payload
 * payload[0..len) (it may hold NUL bytes), signed with the known key kid. */
char *unit_sign_payload(apr_pool_t *p, const char *kid, const char *payload,
                        size_t len);

/* ---- temporary files ---- */

/* A fresh directory (mkdtemp) under parent, or under $TMPDIR (else /tmp)
 * when parent is NULL; removed when the pool is destroyed (its files must
 * have been made with the helpers below, which remove them first). */
char *unit_tmpdir(apr_pool_t *p, const char *parent);

/* A file (mkstemp) in dir holding data[0..len), chmod'ed to mode; removed
 * when the pool is destroyed. Returns its path. */
char *unit_tmpfile(apr_pool_t *p, const char *dir, const void *data,
                   size_t len, mode_t mode);

/* dir/name, removed (unlink) when the pool is destroyed: for files the
 * test creates itself (a FIFO, a symlink). */
char *unit_tmpname(apr_pool_t *p, const char *dir, const char *name);

#endif
