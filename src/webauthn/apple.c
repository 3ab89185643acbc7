/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The "apple" anonymous attestation statement format (WebAuthn L3 8.8),
 * what iOS and macOS send:
 *   attStmt = { x5c: [ credCert, ca* ] }
 * There is no signature: Apple's anonymization CA certified the credential
 * key itself (the certificate's key), and the certificate's nonce
 * extension (1.2.840.113635.100.8.2) holds SHA-256(authenticatorData ||
 * clientDataHash), which ties it to this ceremony. The extension is
 * decoded with an OpenSSL ASN.1 template:
 *   SEQUENCE { nonce [1] EXPLICIT OCTET STRING }
 */
#include <string.h>

#include <apr_strings.h>
#include <cbor.h>
#include <openssl/asn1.h>
#include <openssl/asn1t.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "webauthn_internal.h"

#define OID_APPLE_NONCE "1.2.840.113635.100.8.2"

typedef struct {
    ASN1_OCTET_STRING *nonce;
} APPLE_NONCE;

ASN1_SEQUENCE(APPLE_NONCE) = {
    ASN1_EXP(APPLE_NONCE, nonce, ASN1_OCTET_STRING, 1),
} static_ASN1_SEQUENCE_END(APPLE_NONCE)

int stepup_apple_nonce_decode(apr_pool_t *p, const unsigned char *der,
                              size_t len, unsigned char nonce[32],
                              const char **why)
{
    const unsigned char *q = der;
    APPLE_NONCE *an;
    int rc = -1;

    (void)p;
    if (len == 0 || len > 1024)
        return stepup_wa_fail(why, "the nonce extension is empty or too "
                              "long");
    an = (APPLE_NONCE *)ASN1_item_d2i(NULL, &q, (long)len,
                                      ASN1_ITEM_rptr(APPLE_NONCE));
    if (!an || q != der + len)
        stepup_wa_fail(why, "the nonce extension (1.2.840.113635.100.8.2) "
                       "is not SEQUENCE { [1] OCTET STRING }");
    else if (ASN1_STRING_length(an->nonce) != 32)
        stepup_wa_fail(why, "the nonce extension does not hold 32 bytes");
    else {
        memcpy(nonce, ASN1_STRING_get0_data(an->nonce), 32);
        rc = 0;
    }
    ASN1_item_free((ASN1_VALUE *)an, ASN1_ITEM_rptr(APPLE_NONCE));
    ERR_clear_error();
    return rc;
}

static int apple_entry(apr_pool_t *p, const cbor_item_t *key,
                       const cbor_item_t *val, void *arg, const char **why)
{
    const cbor_item_t **x5c = arg;

    (void)p;
    if (stepup_cbor_text_is(key, "x5c")) {
        if (*x5c)
            return stepup_wa_fail(why, "apple attStmt: \"x5c\" given "
                                  "twice");
        *x5c = val;
    }
    else if (!cbor_isa_string(key))
        return stepup_wa_fail(why, "apple attStmt: a key is not a text "
                              "string");
    return 0;
}

int stepup_att_apple(apr_pool_t *p, stepup_attestation_ctx *ctx,
                     const char **why)
{
    const cbor_item_t *x5c = NULL;
    const unsigned char *data, *ext;
    unsigned char want[32], nonce[32];
    size_t datalen, extlen;
    STACK_OF(X509) *rest;
    X509 *leaf;
    int rc;

    if (stepup_cbor_map_walk(p, ctx->att->att_stmt, "apple attStmt",
                             apple_entry, &x5c, why) != 0)
        return -1;
    if (!x5c)
        return stepup_wa_fail(why, "apple attStmt: \"x5c\" is missing");
    if (stepup_x5c_parse(p, x5c, &leaf, &rest, why) != 0)
        return stepup_wa_prefix(p, why, "apple attestation: ");
    data = stepup_att_signed_data(p, ctx, &datalen);
    if (stepup_sha256(data, datalen, want) != 0)
        return stepup_wa_fail(why, "SHA-256 failed (OpenSSL)");
    rc = stepup_x5c_extension(p, leaf, OID_APPLE_NONCE, &ext, &extlen, NULL,
                              why);
    if (rc > 0)
        return stepup_wa_fail(why, "apple attestation: the certificate has "
                              "no nonce extension (1.2.840.113635.100.8.2)");
    if (rc < 0 || stepup_apple_nonce_decode(p, ext, extlen, nonce, why) != 0)
        return stepup_wa_prefix(p, why, "apple attestation: ");
    if (CRYPTO_memcmp(nonce, want, 32) != 0)
        return stepup_wa_fail(why, "apple attestation: the certificate nonce "
                              "is not SHA-256(authenticatorData || "
                              "clientDataHash)");
    if (!ctx->cred->pkey
        || EVP_PKEY_eq(ctx->cred->pkey, stepup_x5c_pubkey(leaf)) != 1) {
        ERR_clear_error();
        return stepup_wa_fail(why, "apple attestation: the certificate key "
                              "is not the credential public key");
    }
    if (stepup_att_chain(p, ctx, leaf, rest, why) != 0)
        return stepup_wa_prefix(p, why, "apple attestation: ");
    ctx->type = "anonca";
    return 0;
}
