/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * ES256 credential keys: COSE EC2 (kty 2) on P-256 (crv 1), x and y of 32
 * bytes each (WebAuthn L3 5.8.5, RFC 9053 7.1.1).
 *
 * A key offered for registration is imported with EVP_PKEY_fromdata and
 * checked with EVP_PKEY_public_check (coordinates in range, on the curve,
 * order). A stored key is imported only to check one signature, into a
 * P-256 key each thread keeps for that (EVP_PKEY_set1_encoded_public_key
 * on it still refuses a point off the curve, and P-256's cofactor is 1, so
 * such a point has the right order). Making a new EVP_PKEY for every
 * assertion (EVP_PKEY_dup of a prepared key, or EVP_PKEY_fromdata, which
 * builds the curve) took a tenth of the whole check in allocations;
 * bench/webauthn-cost.sh measures the check against a bare ECDSA
 * verification. The thread's key never leaves stepup_es256_verify_point,
 * so no caller can hold it while it changes.
 */
#include <pthread.h>
#include <string.h>

#include <apr_strings.h>
#include <cbor.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "webauthn_internal.h"

#define COSE_CRV_P256 1

/* The generator of P-256 (SEC 2): each thread's key starts as it. */
static const unsigned char p256_g[65] = {
    0x04,
    0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47,
    0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2,
    0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0,
    0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96,
    0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b,
    0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16,
    0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce,
    0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5
};

/* EVP_PKEY_fromdata of a P-256 public point; NULL when OpenSSL refuses. */
static EVP_PKEY *p256_fromdata(const unsigned char point[65])
{
    OSSL_PARAM params[3];
    EVP_PKEY_CTX *ctx;
    EVP_PKEY *pkey = NULL;

    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
                                                 (char *)"P-256", 0);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                                  (void *)point, 65);
    params[2] = OSSL_PARAM_construct_end();
    if (!(ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)))
        return NULL;
    if (EVP_PKEY_fromdata_init(ctx) != 1
        || EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
        pkey = NULL;
    EVP_PKEY_CTX_free(ctx);
    return pkey;
}

static pthread_key_t thread_key;
static int thread_key_ok;
static pthread_once_t thread_key_once = PTHREAD_ONCE_INIT;

static void free_thread_pkey(void *pkey)
{
    EVP_PKEY_free(pkey);
}

static void make_thread_key(void)
{
    thread_key_ok = pthread_key_create(&thread_key, free_thread_pkey) == 0;
}

/* This thread's P-256 key, made on first use; NULL when none can be kept
 * (the caller then imports a key of its own). */
static EVP_PKEY *thread_pkey(void)
{
    EVP_PKEY *pkey;

    if (pthread_once(&thread_key_once, make_thread_key) != 0
        || !thread_key_ok)
        return NULL;
    if ((pkey = pthread_getspecific(thread_key)))
        return pkey;
    if (!(pkey = p256_fromdata(p256_g)))
        return NULL;
    if (pthread_setspecific(thread_key, pkey) != 0) {
        EVP_PKEY_free(pkey);
        return NULL;
    }
    return pkey;
}

static int not_on_curve(const char **why)
{
    ERR_clear_error();
    return stepup_wa_fail(why, "COSE EC2 key: (x, y) is not a point on "
                          "P-256");
}

int stepup_es256_verify_point(const unsigned char point[65],
                              const unsigned char *msg, size_t msglen,
                              const unsigned char *sig, size_t siglen,
                              const char **why)
{
    EVP_PKEY *pkey = thread_pkey(), *own = NULL;
    int rc;

    if (point[0] != 0x04) {
        stepup_wa_fail(why, "COSE EC2 key: the point is not in "
                       "uncompressed form");
        return STEPUP_COSE_BAD_KEY;
    }
    if (pkey) {
        /* after a refused point the key is not used: it only ever
         * verifies right after a set1 that succeeded */
        if (EVP_PKEY_set1_encoded_public_key(pkey, point, 65) != 1) {
            not_on_curve(why);
            return STEPUP_COSE_BAD_KEY;
        }
    }
    else if (!(pkey = own = p256_fromdata(point))) {
        not_on_curve(why);
        return STEPUP_COSE_BAD_KEY;
    }
    rc = stepup_sig_verify(pkey, STEPUP_COSE_ES256, msg, msglen, sig, siglen,
                           why);
    EVP_PKEY_free(own);
    return rc;
}

int stepup_es256_pkey(apr_pool_t *p, const unsigned char point[65],
                      EVP_PKEY **out, const char **why)
{
    EVP_PKEY *pkey;
    EVP_PKEY_CTX *ctx;
    int ok;

    *out = NULL;
    if (point[0] != 0x04)
        return stepup_wa_fail(why, "COSE EC2 key: the point is not in "
                              "uncompressed form");
    if (!(pkey = p256_fromdata(point)))
        return not_on_curve(why);
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    ok = ctx && EVP_PKEY_public_check(ctx) == 1;
    EVP_PKEY_CTX_free(ctx);
    if (!ok) {
        EVP_PKEY_free(pkey);
        ERR_clear_error();
        return stepup_wa_fail(why, "COSE EC2 key: (x, y) is not a valid "
                              "P-256 public key");
    }
    stepup_wa_pkey_to_pool(p, pkey);
    *out = pkey;
    return 0;
}

static int coordinate(apr_pool_t *p, const cbor_item_t *item,
                      const char *name, unsigned char *dst, const char **why)
{
    const unsigned char *b;
    size_t len;

    if (!item)
        return stepup_wa_fail(why, apr_psprintf(p, "COSE EC2 key has no %s",
                                                name));
    if (cbor_isa_float_ctrl(item) && cbor_is_bool(item))
        return stepup_wa_fail(why, "COSE EC2 key with a compressed point "
                              "(y is a boolean) is not supported");
    if (stepup_cbor_bytes(item, &b, &len) != 0)
        return stepup_wa_fail(why, apr_psprintf(p, "COSE EC2 %s is not a "
                                                "byte string", name));
    if (len != 32)
        return stepup_wa_fail(why, apr_psprintf(p, "COSE EC2 %s is %"
                                                APR_SIZE_T_FMT " bytes, not "
                                                "32 (P-256)", name, len));
    memcpy(dst, b, 32);
    return 0;
}

int stepup_es256_from_cose(apr_pool_t *p, const cbor_item_t *crv,
                           const cbor_item_t *x, const cbor_item_t *y,
                           int check, stepup_cose_key *key, const char **why)
{
    int64_t c;

    if (!crv)
        return stepup_wa_fail(why, "COSE EC2 key has no crv (-1)");
    if (stepup_cbor_int(crv, &c) != 0)
        return stepup_wa_fail(why, "COSE EC2 crv is not an integer");
    if (c != COSE_CRV_P256)
        return stepup_wa_fail(why, apr_psprintf(p, "COSE EC2 crv %" APR_INT64_T_FMT
                                                "%s is not supported: P-256 "
                                                "(1) only", (apr_int64_t)c,
                                                c == 2 ? " (P-384)"
                                                : c == 3 ? " (P-521)"
                                                : c == 8 ? " (secp256k1)"
                                                : ""));
    key->point[0] = 0x04;
    if (coordinate(p, x, "x (-2)", key->point + 1, why) != 0
        || coordinate(p, y, "y (-3)", key->point + 33, why) != 0)
        return -1;
    if (check != STEPUP_COSE_CHECK_FULL)
        return 0;       /* imported by stepup_cose_verify */
    return stepup_es256_pkey(p, key->point, &key->pkey, why);
}
