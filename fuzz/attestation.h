/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The attestation targets (fuzz_attestation.c, fuzz_att_*.c).
 *
 * Input: a flags byte, the 32-byte clientDataHash, then the attestation
 * object, as stepup_webauthn_verify_registration meets them (steps 12 to
 * 24 of WebAuthn L3 7.1). Flag bit 0: attestation roots configured (the
 * seeds' root, fuzz.h). fmt NULL dispatches on the object's "fmt"; a
 * format name forces that verifier whatever "fmt" says, so each one is
 * fuzzed on its own.
 */
#ifndef STEPUP_FUZZ_ATTESTATION_H
#define STEPUP_FUZZ_ATTESTATION_H

#include "fuzz.h"

static int fuzz_attestation(const uint8_t *data, size_t size, const char *fmt)
{
    apr_pool_t *p;
    stepup_attestation att;
    stepup_attestation_ctx ctx;
    stepup_authdata ad;
    stepup_cose_key *cred;
    const char *why = NULL;
    int rc;

    if (size < 33)
        return 0;
    p = fuzz_pool();
    if (stepup_attestation_parse(p, data + 33, size - 33, &att, &why) != 0
        || stepup_authdata_parse(p, att.auth_data, att.auth_data_len, &ad,
                                 &why) != 0
        || (ad.public_key
            && stepup_cose_key_decode(p, ad.public_key, ad.public_key_len,
                                      STEPUP_COSE_CHECK_FULL, &cred,
                                      &why) != 0)) {
        FUZZ_CHECK(why && !strchr(why, '\n'));
        apr_pool_destroy(p);
        return 0;
    }
    if (!ad.public_key) {   /* no AT flag: refused by the ceremony */
        apr_pool_destroy(p);
        return 0;
    }
    FUZZ_CHECK(att.fmt && att.att_stmt);
    memset(&ctx, 0, sizeof(ctx));
    ctx.att = &att;
    ctx.ad = &ad;
    ctx.cred = cred;
    ctx.client_data_hash = data + 1;
    ctx.roots = (data[0] & 1) ? fuzz_roots() : NULL;
    if (!fmt)
        rc = stepup_attestation_verify(p, &ctx, &why);
    else if (!strcmp(fmt, "none"))
        rc = stepup_att_none(p, &ctx, &why);
    else if (!strcmp(fmt, "packed"))
        rc = stepup_att_packed(p, &ctx, &why);
    else if (!strcmp(fmt, "tpm"))
        rc = stepup_att_tpm(p, &ctx, &why);
    else if (!strcmp(fmt, "android-key"))
        rc = stepup_att_android_key(p, &ctx, &why);
    else if (!strcmp(fmt, "apple"))
        rc = stepup_att_apple(p, &ctx, &why);
    else if (!strcmp(fmt, "android-safetynet"))
        rc = stepup_att_android_safetynet(p, &ctx, &why);
    else
        rc = stepup_att_fido_u2f(p, &ctx, &why);
    fuzz_outcome(rc, why);
    if (rc == 0) {
        FUZZ_CHECK(ctx.type && (!strcmp(ctx.type, "none")
                                || !strcmp(ctx.type, "self")
                                || !strcmp(ctx.type, "basic")
                                || !strcmp(ctx.type, "attca")
                                || !strcmp(ctx.type, "anonca")));
        FUZZ_CHECK(!ctx.trusted || (ctx.roots && strcmp(ctx.type, "none")
                                    && strcmp(ctx.type, "self")));
    }
    else
        FUZZ_CHECK(rc == -1 && why && !strchr(why, '\n'));
    apr_pool_destroy(p);
    return 0;
}

#endif
