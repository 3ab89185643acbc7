/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * A passkey registration as POST passkey/register/finish receives it: the
 * RegistrationResponseJSON text (src/webauthn/response_json.c), then the
 * whole ceremony (ceremony.c: clientDataJSON, attestation object,
 * authenticatorData, credential key, attestation statement) against the
 * relying party of the seeds; attestation roots configured when the text
 * has an odd length. A credential that registers must be usable: its
 * stored key imports again.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    stepup_webauthn_policy pol;
    stepup_webauthn_response r;
    stepup_webauthn_registration reg;
    stepup_cose_key *key = NULL;
    const char *why = NULL;
    int rc;

    fuzz_policy(&pol);
    pol.roots = (size & 1) ? fuzz_roots() : NULL;
    if (stepup_webauthn_registration_json_parse(p, (const char *)data, size,
                                                &r, &why) != 0) {
        fuzz_outcome(-1, why);
        FUZZ_CHECK(why && !strchr(why, '\n'));
        FUZZ_CHECK(!r.id && !r.client_data_json && !r.attestation_object);
        apr_pool_destroy(p);
        return 0;
    }
    FUZZ_CHECK(r.id && r.id_len >= 1
               && r.id_len <= STEPUP_WEBAUTHN_CRED_ID_MAX && r.id_b64);
    FUZZ_CHECK(r.client_data_json && r.attestation_object);
    rc = stepup_webauthn_verify_registration(p, &pol, &r, &reg, &why);
    fuzz_outcome(rc, why);
    if (rc == 0) {
        FUZZ_CHECK(reg.credential_id_len == r.id_len
                   && !memcmp(reg.credential_id, r.id, r.id_len));
        FUZZ_CHECK(reg.fmt && reg.attestation_type);
        FUZZ_CHECK(!reg.attestation_trusted || pol.roots);
        /* an untrusted attestation always says why (the log's reason) */
        FUZZ_CHECK(reg.attestation_trusted == !reg.attestation_untrusted);
        FUZZ_CHECK(!reg.attestation_untrusted
                   || !strchr(reg.attestation_untrusted, '\n'));
        FUZZ_CHECK(stepup_cose_key_decode(p, reg.public_key,
                                          reg.public_key_len,
                                          STEPUP_COSE_CHECK_STORED, &key,
                                          &why) == 0);
        FUZZ_CHECK(key->alg == reg.alg);
    }
    else
        FUZZ_CHECK(why && !strchr(why, '\n'));
    apr_pool_destroy(p);
    return 0;
}
