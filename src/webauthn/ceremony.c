/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The two ceremonies, step by step (WebAuthn L3 7.1 "Registering a New
 * Credential" and 7.2 "Verifying an Authentication Assertion"). Steps
 * that need the relying party's database (the credential belongs to the
 * user, is not registered yet, its stored BE flag) are the caller's.
 */
#include <string.h>

#include <apr_strings.h>
#include <openssl/crypto.h>

#include "webauthn_internal.h"

/* What a verified registration yields, from its parts. */
static void registration_result(const stepup_authdata *ad,
                                const stepup_attestation *att,
                                const stepup_cose_key *cred,
                                const stepup_attestation_ctx *actx,
                                stepup_webauthn_registration *out)
{
    out->credential_id = ad->credential_id;
    out->credential_id_len = ad->credential_id_len;
    out->public_key = ad->public_key;
    out->public_key_len = ad->public_key_len;
    out->alg = cred->alg;
    out->fmt = att->fmt;
    memcpy(out->aaguid, ad->aaguid, 16);
    out->sign_count = ad->sign_count;
    out->flags = ad->flags;
    out->user_verified = !!(ad->flags & STEPUP_WEBAUTHN_FLAG_UV);
    out->backup_eligible = !!(ad->flags & STEPUP_WEBAUTHN_FLAG_BE);
    out->backup_state = !!(ad->flags & STEPUP_WEBAUTHN_FLAG_BS);
    out->attestation_trusted = actx->trusted;
    out->attestation_type = actx->type;
    out->attestation_untrusted = actx->trusted ? NULL : actx->untrusted_why;
    out->key_security = actx->key_security;
}

int stepup_webauthn_verify_registration(apr_pool_t *p,
                                        const stepup_webauthn_policy *pol,
                                        const stepup_webauthn_response *r,
                                        stepup_webauthn_registration *out,
                                        const char **why)
{
    unsigned char cdh[32];
    stepup_attestation att;
    stepup_attestation_ctx actx;
    stepup_authdata ad;
    stepup_cose_key *cred;

    memset(out, 0, sizeof(*out));
    if (!r->client_data_json || !r->attestation_object)
        return stepup_wa_fail(why, "response: clientDataJSON or "
                              "attestationObject missing");
    if (!r->id || r->id_len == 0)
        return stepup_wa_fail(why, "response: credential id missing");

    /* 5-10: clientDataJSON */
    if (stepup_clientdata_check(p, pol, "webauthn.create",
                                r->client_data_json, r->client_data_len,
                                why) != 0)
        return -1;
    /* 11: its hash */
    if (stepup_sha256(r->client_data_json, r->client_data_len, cdh) != 0)
        return stepup_wa_fail(why, "SHA-256 failed (OpenSSL)");
    /* 12: the attestation object */
    if (stepup_attestation_parse(p, r->attestation_object,
                                 r->attestation_object_len, &att, why) != 0)
        return -1;
    /* 13-16: authenticator data: rpIdHash, UP, UV, BE/BS */
    if (stepup_authdata_parse(p, att.auth_data, att.auth_data_len, &ad,
                              why) != 0
        || stepup_authdata_check(&ad, pol, why) != 0)
        return -1;
    if (!(ad.flags & STEPUP_WEBAUTHN_FLAG_AT))
        return stepup_wa_fail(why, "authenticatorData has no attested "
                              "credential data (AT flag not set)");
    /* the credential the response names is the one attested */
    if (r->id_len != ad.credential_id_len
        || memcmp(r->id, ad.credential_id, r->id_len) != 0)
        return stepup_wa_fail(why, "response id is not the credentialId of "
                              "authenticatorData");
    /* 19: an algorithm we offered (ES256, RS256, EdDSA), a valid key */
    if (stepup_cose_key_decode(p, ad.public_key, ad.public_key_len,
                               STEPUP_COSE_CHECK_FULL, &cred, why) != 0)
        return stepup_wa_prefix(p, why, "credential public key: ");
    /* 20: extensions were checked to be one CBOR map; none is acted on */
    /* 21-24: the attestation statement and its trust path */
    memset(&actx, 0, sizeof(actx));
    actx.att = &att;
    actx.ad = &ad;
    actx.cred = cred;
    actx.client_data_hash = cdh;
    actx.roots = pol->roots;
    actx.verify_time = pol->verify_time;
    if (stepup_attestation_verify(p, &actx, why) != 0)
        return -1;
    /* 25: credentialId length was checked by the authenticatorData parser */
    registration_result(&ad, &att, cred, &actx, out);
    return 0;
}

int stepup_webauthn_verify_authentication(apr_pool_t *p,
                                          const stepup_webauthn_policy *pol,
                                          const unsigned char *cose_key,
                                          size_t cose_key_len,
                                          uint32_t stored_sign_count,
                                          const stepup_webauthn_response *r,
                                          stepup_webauthn_assertion *out,
                                          const char **why)
{
    stepup_authdata ad;
    stepup_cose_key *key;
    unsigned char *msg;
    size_t msglen;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!r->client_data_json || !r->authenticator_data || !r->signature)
        return stepup_wa_fail(why, "response: clientDataJSON, "
                              "authenticatorData or signature missing");
    if (!cose_key || cose_key_len == 0)
        return stepup_wa_fail(why, "no stored credential public key");

    /* 8-14: clientDataJSON */
    if (stepup_clientdata_check(p, pol, "webauthn.get", r->client_data_json,
                                r->client_data_len, why) != 0)
        return -1;
    /* 15-18: authenticator data (AT allowed, never needed) */
    if (stepup_authdata_parse(p, r->authenticator_data,
                              r->authenticator_data_len, &ad, why) != 0
        || stepup_authdata_check(&ad, pol, why) != 0)
        return -1;
    /* 20-21: the signature over authenticatorData || SHA-256(cData) */
    if (stepup_cose_key_decode(p, cose_key, cose_key_len,
                               STEPUP_COSE_CHECK_STORED, &key, why) != 0)
        return stepup_wa_prefix(p, why, "stored credential public key: ");
    msglen = r->authenticator_data_len + 32;
    msg = apr_palloc(p, msglen);
    memcpy(msg, r->authenticator_data, r->authenticator_data_len);
    if (stepup_sha256(r->client_data_json, r->client_data_len,
                         msg + r->authenticator_data_len) != 0)
        return stepup_wa_fail(why, "SHA-256 failed (OpenSSL)");
    rc = stepup_cose_verify(key, msg, msglen, r->signature,
                            r->signature_len, why);
    if (rc == STEPUP_COSE_BAD_KEY)
        return stepup_wa_prefix(p, why, "stored credential public key: ");
    if (rc != 0)
        return stepup_wa_prefix(p, why, "assertion: ");
    /* 22: the signature counter */
    if ((stored_sign_count != 0 || ad.sign_count != 0)
        && ad.sign_count <= stored_sign_count)
        return stepup_wa_fail(why, apr_psprintf(p, "signature counter %u is "
                                                "not greater than the stored "
                                                "%u (cloned authenticator or "
                                                "replay)", ad.sign_count,
                                                stored_sign_count));
    out->sign_count = ad.sign_count;
    out->flags = ad.flags;
    out->user_verified = !!(ad.flags & STEPUP_WEBAUTHN_FLAG_UV);
    out->backup_eligible = !!(ad.flags & STEPUP_WEBAUTHN_FLAG_BE);
    out->backup_state = !!(ad.flags & STEPUP_WEBAUTHN_FLAG_BS);
    return 0;
}
