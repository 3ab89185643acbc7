/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The "packed" attestation statement format (WebAuthn L3 8.2):
 *   attStmt = { alg: int, sig: bytes [, x5c: [ bytes+ ]] }
 * Signed data: authenticatorData || clientDataHash. Without x5c it is
 * self attestation: alg is the credential's and the credential key
 * verifies sig. With x5c the first certificate's key verifies sig, the
 * certificate meets 8.2.1 (AAGUID extension included) and, when roots are
 * configured, the chain is trusted when it reaches one of them (untrusted,
 * not refused, when it does not). ECDAA is not supported.
 */
#include <string.h>

#include <apr_strings.h>
#include <cbor.h>
#include <openssl/x509.h>

#include "webauthn_internal.h"

int stepup_att_packed(apr_pool_t *p, stepup_attestation_ctx *ctx,
                      const char **why)
{
    const unsigned char *sig, *data;
    size_t siglen, datalen;
    STACK_OF(X509) *rest;
    stepup_att_fields f = {
        "packed attStmt", "ecdaaKeyId",
        "packed attestation: ECDAA is not supported", NULL, NULL, NULL
    };
    int64_t alg;
    X509 *leaf;

    if (stepup_att_fields_read(p, ctx->att->att_stmt, &f, why) != 0)
        return -1;
    if (!f.alg || stepup_cbor_int(f.alg, &alg) != 0)
        return stepup_wa_fail(why, "packed attStmt: \"alg\" is missing or "
                              "not an integer");
    if (!f.sig || stepup_cbor_bytes(f.sig, &sig, &siglen) != 0)
        return stepup_wa_fail(why, "packed attStmt: \"sig\" is missing or "
                              "not a byte string");
    data = stepup_att_signed_data(p, ctx, &datalen);

    if (!f.x5c) {
        /* self attestation */
        if (alg != ctx->cred->alg)
            return stepup_wa_fail(why, apr_psprintf(p, "packed self "
                                                    "attestation: alg %"
                                                    APR_INT64_T_FMT " is not "
                                                    "the credential's alg %d",
                                                    (apr_int64_t)alg,
                                                    ctx->cred->alg));
        if (stepup_cose_verify(ctx->cred, data, datalen, sig, siglen,
                               why) != 0)
            return stepup_wa_prefix(p, why, "packed self attestation: ");
        ctx->type = "self";
        ctx->trusted = 0;
        ctx->untrusted_why = "packed self attestation is signed by the "
                             "credential key, not by its maker";
        return 0;
    }

    if (alg < INT32_MIN || alg > INT32_MAX)
        return stepup_wa_fail(why, "packed attStmt: \"alg\" is out of range");
    if (stepup_x5c_parse(p, f.x5c, &leaf, &rest, why) != 0
        || stepup_x5c_key_fits(p, stepup_x5c_pubkey(leaf), (int)alg,
                               why) != 0
        || stepup_sig_verify(stepup_x5c_pubkey(leaf), (int)alg, data, datalen,
                             sig, siglen, why) != 0
        || stepup_x5c_packed_leaf_check(p, leaf, ctx->ad->aaguid, why) != 0)
        return stepup_wa_prefix(p, why, "packed attestation: ");
    if (stepup_att_chain(p, ctx, leaf, rest, why) != 0)
        return stepup_wa_prefix(p, why, "packed attestation: ");
    ctx->type = "basic";
    return 0;
}
