/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * RS256 credential keys: COSE RSA (kty 3) with n (-1) and e (-2) as
 * unsigned big-endian byte strings (RFC 8230). The modulus is 2048 to
 * 16384 bits (any size between: the W3C vectors use 3488), odd; e is odd,
 * greater than 1 and at most 64 bits (OpenSSL's own limit for large
 * moduli). Signatures are RSASSA-PKCS1-v1_5 with SHA-256.
 */
#include <apr_strings.h>
#include <cbor.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "webauthn_internal.h"

static BIGNUM *bignum(apr_pool_t *p, const cbor_item_t *item,
                      const char *name, const char **why)
{
    const unsigned char *b;
    size_t len;
    BIGNUM *bn;

    if (!item) {
        stepup_wa_fail(why, apr_psprintf(p, "COSE RSA key has no %s", name));
        return NULL;
    }
    if (stepup_cbor_bytes(item, &b, &len) != 0 || len == 0) {
        stepup_wa_fail(why, apr_psprintf(p, "COSE RSA %s is not a non-empty "
                                         "byte string", name));
        return NULL;
    }
    if (len > STEPUP_WEBAUTHN_RSA_MAX_BITS / 8 + 1) {
        stepup_wa_fail(why, apr_psprintf(p, "COSE RSA %s is %" APR_SIZE_T_FMT
                                         " bytes, over %d bits", name, len,
                                         STEPUP_WEBAUTHN_RSA_MAX_BITS));
        return NULL;
    }
    if (!(bn = BN_bin2bn(b, (int)len, NULL)))
        stepup_wa_fail(why, "out of memory (OpenSSL BIGNUM)");
    return bn;
}

static EVP_PKEY *rsa_fromdata(const BIGNUM *n, const BIGNUM *e)
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;

    if (bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n)
        && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e)
        && (params = OSSL_PARAM_BLD_to_param(bld))
        && (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL))
        && EVP_PKEY_fromdata_init(ctx) == 1) {
        if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
            pkey = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return pkey;
}

int stepup_rs256_from_cose(apr_pool_t *p, const cbor_item_t *n_item,
                           const cbor_item_t *e_item, stepup_cose_key *key,
                           const char **why)
{
    BIGNUM *n = NULL, *e = NULL;
    EVP_PKEY *pkey = NULL;
    int bits, rc = -1;

    if (!(n = bignum(p, n_item, "n (-1)", why))
        || !(e = bignum(p, e_item, "e (-2)", why)))
        goto done;
    bits = BN_num_bits(n);
    if (bits < STEPUP_WEBAUTHN_RSA_MIN_BITS) {
        stepup_wa_fail(why, apr_psprintf(p, "COSE RSA modulus is %d bits: at "
                                         "least %d required", bits,
                                         STEPUP_WEBAUTHN_RSA_MIN_BITS));
        goto done;
    }
    if (bits > STEPUP_WEBAUTHN_RSA_MAX_BITS) {
        stepup_wa_fail(why, apr_psprintf(p, "COSE RSA modulus is %d bits: at "
                                         "most %d accepted", bits,
                                         STEPUP_WEBAUTHN_RSA_MAX_BITS));
        goto done;
    }
    if (!BN_is_odd(n)) {
        stepup_wa_fail(why, "COSE RSA modulus is even");
        goto done;
    }
    if (!BN_is_odd(e) || BN_is_one(e) || BN_num_bits(e) > 64) {
        stepup_wa_fail(why, "COSE RSA exponent e must be odd, greater than 1 "
                       "and at most 64 bits");
        goto done;
    }
    if (!(pkey = rsa_fromdata(n, e))) {
        stepup_wa_fail(why, "COSE RSA key refused by OpenSSL");
        goto done;
    }
    stepup_wa_pkey_to_pool(p, pkey);
    key->pkey = pkey;
    rc = 0;
done:
    BN_free(n);
    BN_free(e);
    ERR_clear_error();
    return rc;
}
