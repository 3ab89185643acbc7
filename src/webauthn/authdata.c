/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Authenticator data (WebAuthn L3 6.1):
 *   rpIdHash (32) | flags (1) | signCount (4, big-endian)
 *   [AT] aaguid (16) | credentialIdLength (2) | credentialId | COSE_Key
 *   [ED] extensions (one CBOR map)
 * The COSE key's end is found by decoding one CBOR item, never by taking
 * the rest of the buffer: extensions may follow it.
 */
#include <string.h>

#include <apr_strings.h>
#include <cbor.h>
#include <openssl/crypto.h>

#include "webauthn_internal.h"

#define AD_FIXED  37   /* rpIdHash, flags, signCount */

/* The attested credential data at buf[*pos..len); *pos moves past it. */
static int attested_parse(apr_pool_t *p, const unsigned char *buf,
                          size_t len, size_t *pos, stepup_authdata *out,
                          const char **why)
{
    size_t at = *pos, n;

    if (len - at < 18)
        return stepup_wa_fail(why, "authenticatorData: attested "
                              "credential data truncated (AAGUID and "
                              "credentialIdLength)");
    out->aaguid = buf + at;
    n = ((size_t)buf[at + 16] << 8) | buf[at + 17];
    at += 18;
    if (n == 0)
        return stepup_wa_fail(why, "authenticatorData: credentialId is "
                              "empty");
    if (n > STEPUP_WEBAUTHN_CRED_ID_MAX)
        return stepup_wa_fail(why, apr_psprintf(p, "authenticatorData: "
                                                "credentialIdLength %"
                                                APR_SIZE_T_FMT " is over "
                                                "1023", n));
    if (len - at < n)
        return stepup_wa_fail(why, "authenticatorData: credentialId "
                              "truncated");
    out->credential_id = buf + at;
    out->credential_id_len = n;
    at += n;
    if (stepup_cbor_item_length(p, buf + at, len - at,
                                "authenticatorData: credential public "
                                "key", &n, why) != 0)
        return -1;
    out->public_key = buf + at;
    out->public_key_len = n;
    *pos = at + n;
    return 0;
}

/* The extensions map at buf[*pos..len); *pos moves past it. */
static int extensions_parse(apr_pool_t *p, const unsigned char *buf,
                            size_t len, size_t *pos, stepup_authdata *out,
                            const char **why)
{
    cbor_item_t *ext;
    size_t n;

    if (stepup_cbor_load(p, buf + *pos, len - *pos, 0,
                         "authenticatorData: extensions", &ext, &n,
                         why) != 0)
        return -1;
    if (!cbor_isa_map(ext)) {
        stepup_cbor_release(p, ext);
        return stepup_wa_fail(why, "authenticatorData: extensions are "
                              "not a CBOR map");
    }
    stepup_cbor_release(p, ext);
    out->extensions = buf + *pos;
    out->extensions_len = n;
    *pos += n;
    return 0;
}

int stepup_authdata_parse(apr_pool_t *p, const unsigned char *buf, size_t len,
                          stepup_authdata *out, const char **why)
{
    size_t pos = AD_FIXED;

    memset(out, 0, sizeof(*out));
    if (len < AD_FIXED)
        return stepup_wa_fail(why, apr_psprintf(p, "authenticatorData is %"
                                                APR_SIZE_T_FMT " bytes, "
                                                "shorter than 37", len));
    out->rp_id_hash = buf;
    out->flags = buf[32];
    out->sign_count = ((uint32_t)buf[33] << 24) | ((uint32_t)buf[34] << 16)
        | ((uint32_t)buf[35] << 8) | (uint32_t)buf[36];
    if ((out->flags & STEPUP_WEBAUTHN_FLAG_AT)
        && attested_parse(p, buf, len, &pos, out, why) != 0)
        return -1;
    if ((out->flags & STEPUP_WEBAUTHN_FLAG_ED)
        && extensions_parse(p, buf, len, &pos, out, why) != 0)
        return -1;
    if (pos != len)
        return stepup_wa_fail(why, apr_psprintf(p, "authenticatorData: %"
                                                APR_SIZE_T_FMT " trailing "
                                                "bytes%s", len - pos,
                                                (out->flags
                                                 & (STEPUP_WEBAUTHN_FLAG_AT
                                                    | STEPUP_WEBAUTHN_FLAG_ED))
                                                ? "" : " (neither AT nor ED "
                                                "flag set)"));
    return 0;
}

int stepup_authdata_check(const stepup_authdata *ad,
                          const stepup_webauthn_policy *pol,
                          const char **why)
{
    unsigned char want[32];

    if (!pol->rp_id || !*pol->rp_id)
        return stepup_wa_fail(why, "policy: no RP ID");
    if (stepup_sha256(pol->rp_id, strlen(pol->rp_id), want) != 0)
        return stepup_wa_fail(why, "SHA-256 failed (OpenSSL)");
    if (CRYPTO_memcmp(want, ad->rp_id_hash, 32) != 0)
        return stepup_wa_fail(why, "authenticatorData.rpIdHash is not "
                              "SHA-256 of the RP ID (credential of another "
                              "site)");
    if (!(ad->flags & STEPUP_WEBAUTHN_FLAG_UP))
        return stepup_wa_fail(why, "authenticatorData: user presence (UP) "
                              "flag not set");
    if (pol->require_uv && !(ad->flags & STEPUP_WEBAUTHN_FLAG_UV))
        return stepup_wa_fail(why, "authenticatorData: user verification "
                              "required but the UV flag is not set");
    if ((ad->flags & STEPUP_WEBAUTHN_FLAG_BS)
        && !(ad->flags & STEPUP_WEBAUTHN_FLAG_BE))
        return stepup_wa_fail(why, "authenticatorData: backed up (BS) "
                              "without backup eligible (BE) is invalid");
    return 0;
}
