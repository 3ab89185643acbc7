/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The "fido-u2f" attestation statement format (WebAuthn L3 8.6):
 *   attStmt = { sig: bytes, x5c: [ one certificate ] }
 * The certificate's key is on P-256, the credential is ES256, and sig
 * covers 0x00 || rpIdHash || clientDataHash || credentialId ||
 * 0x04 || x || y (the U2F registration signature).
 */
#include <string.h>

#include <apr_strings.h>
#include <cbor.h>
#include <openssl/x509.h>

#include "webauthn_internal.h"

typedef struct {
    const cbor_item_t *sig, *x5c;
} u2f_fields;

static int u2f_entry(apr_pool_t *p, const cbor_item_t *key,
                     const cbor_item_t *val, void *arg, const char **why)
{
    u2f_fields *f = arg;
    const cbor_item_t **slot;

    if (stepup_cbor_text_is(key, "sig"))
        slot = &f->sig;
    else if (stepup_cbor_text_is(key, "x5c"))
        slot = &f->x5c;
    else if (cbor_isa_string(key))
        return 0;
    else
        return stepup_wa_fail(why, "fido-u2f attStmt: a key is not a text "
                              "string");
    if (*slot)
        return stepup_wa_fail(why, apr_psprintf(p, "fido-u2f attStmt: \"%s\" "
                                                "given twice",
                                                slot == &f->sig ? "sig"
                                                : "x5c"));
    *slot = val;
    return 0;
}

int stepup_att_fido_u2f(apr_pool_t *p, stepup_attestation_ctx *ctx,
                        const char **why)
{
    const stepup_authdata *ad = ctx->ad;
    const unsigned char *sig;
    unsigned char *data, *at;
    size_t siglen, datalen;
    STACK_OF(X509) *rest;
    u2f_fields f;
    X509 *leaf;

    memset(&f, 0, sizeof(f));
    if (stepup_cbor_map_walk(p, ctx->att->att_stmt, "fido-u2f attStmt",
                             u2f_entry, &f, why) != 0)
        return -1;
    if (!f.sig || stepup_cbor_bytes(f.sig, &sig, &siglen) != 0)
        return stepup_wa_fail(why, "fido-u2f attStmt: \"sig\" is missing or "
                              "not a byte string");
    if (!f.x5c)
        return stepup_wa_fail(why, "fido-u2f attStmt: \"x5c\" is missing");
    if (stepup_x5c_parse(p, f.x5c, &leaf, &rest, why) != 0)
        return stepup_wa_prefix(p, why, "fido-u2f attestation: ");
    if (sk_X509_num(rest) != 0)
        return stepup_wa_fail(why, apr_psprintf(p, "fido-u2f attestation: "
                                                "x5c must hold exactly one "
                                                "certificate, not %d",
                                                sk_X509_num(rest) + 1));
    if (stepup_x5c_key_fits(p, stepup_x5c_pubkey(leaf), STEPUP_COSE_ES256,
                            why) != 0)
        return stepup_wa_fail(why, "fido-u2f attestation: the certificate "
                              "key is not an EC P-256 key");
    if (ctx->cred->alg != STEPUP_COSE_ES256)
        return stepup_wa_fail(why, apr_psprintf(p, "fido-u2f attestation: "
                                                "the credential key is %s, "
                                                "not ES256 (P-256)",
                                                stepup_cose_alg_name(
                                                    p, ctx->cred->alg)));

    datalen = 1 + 32 + 32 + ad->credential_id_len + 65;
    at = data = apr_palloc(p, datalen);
    *at++ = 0x00;
    memcpy(at, ad->rp_id_hash, 32);
    at += 32;
    memcpy(at, ctx->client_data_hash, 32);
    at += 32;
    memcpy(at, ad->credential_id, ad->credential_id_len);
    at += ad->credential_id_len;
    memcpy(at, ctx->cred->point, 65);

    if (stepup_sig_verify(stepup_x5c_pubkey(leaf), STEPUP_COSE_ES256, data,
                          datalen, sig, siglen, why) != 0)
        return stepup_wa_prefix(p, why, "fido-u2f attestation: ");
    if (stepup_att_chain(p, ctx, leaf, rest, why) != 0)
        return stepup_wa_prefix(p, why, "fido-u2f attestation: ");
    ctx->type = "basic";
    return 0;
}
