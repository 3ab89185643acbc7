/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * EdDSA credential keys: COSE OKP (kty 1) on Ed25519 (crv 6) with the
 * 32-byte public key x (-2) (RFC 8037 / RFC 9053). Signatures are
 * PureEdDSA over the message itself (no pre-hash).
 */
#include <apr_strings.h>
#include <cbor.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "webauthn_internal.h"

#define COSE_CRV_X25519  4
#define COSE_CRV_X448    5
#define COSE_CRV_ED25519 6
#define COSE_CRV_ED448   7

int stepup_eddsa_from_cose(apr_pool_t *p, const cbor_item_t *crv,
                           const cbor_item_t *x, stepup_cose_key *key,
                           const char **why)
{
    const unsigned char *b;
    size_t len;
    int64_t c;
    EVP_PKEY *pkey;

    if (!crv)
        return stepup_wa_fail(why, "COSE OKP key has no crv (-1)");
    if (stepup_cbor_int(crv, &c) != 0)
        return stepup_wa_fail(why, "COSE OKP crv is not an integer");
    if (c != COSE_CRV_ED25519)
        return stepup_wa_fail(why, apr_psprintf(p, "COSE OKP crv %"
                                                APR_INT64_T_FMT "%s is not "
                                                "supported: Ed25519 (6) only",
                                                (apr_int64_t)c,
                                                c == COSE_CRV_ED448
                                                ? " (Ed448)"
                                                : c == COSE_CRV_X25519
                                                ? " (X25519)"
                                                : c == COSE_CRV_X448
                                                ? " (X448)" : ""));
    if (!x)
        return stepup_wa_fail(why, "COSE OKP key has no x (-2)");
    if (stepup_cbor_bytes(x, &b, &len) != 0)
        return stepup_wa_fail(why, "COSE OKP x is not a byte string");
    if (len != 32)
        return stepup_wa_fail(why, apr_psprintf(p, "COSE OKP x is %"
                                                APR_SIZE_T_FMT " bytes, not "
                                                "32 (Ed25519)", len));
    if (!(pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, b, 32))) {
        ERR_clear_error();
        return stepup_wa_fail(why, "COSE OKP key refused by OpenSSL");
    }
    stepup_wa_pkey_to_pool(p, pkey);
    key->pkey = pkey;
    return 0;
}
