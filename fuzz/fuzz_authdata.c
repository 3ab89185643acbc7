/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * authenticatorData (src/webauthn/authdata.c): the split into rpIdHash,
 * flags, counter, attested credential data and extensions, then the
 * checks against the relying party. What is split points inside the
 * input and covers it exactly; an attested credential key goes on to the
 * COSE decoder.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    stepup_webauthn_policy pol;
    stepup_authdata ad;
    stepup_cose_key *key = NULL;
    const char *why = NULL;
    size_t total;

    fuzz_policy(&pol);
    pol.require_uv = size & 1;
    if (stepup_authdata_parse(p, data, size, &ad, &why) == 0) {
        FUZZ_CHECK(size >= 37 && ad.rp_id_hash == data);
        total = 37;
        if (ad.flags & STEPUP_WEBAUTHN_FLAG_AT) {
            FUZZ_CHECK(ad.aaguid == data + 37);
            FUZZ_CHECK(ad.credential_id == data + 55);
            FUZZ_CHECK(ad.credential_id_len >= 1
                       && ad.credential_id_len
                       <= STEPUP_WEBAUTHN_CRED_ID_MAX);
            FUZZ_CHECK(ad.public_key
                       == ad.credential_id + ad.credential_id_len);
            total += 18 + ad.credential_id_len + ad.public_key_len;
            (void)stepup_cose_key_decode(p, ad.public_key, ad.public_key_len,
                                         STEPUP_COSE_CHECK_FULL, &key, &why);
        }
        else
            FUZZ_CHECK(!ad.aaguid && !ad.public_key);
        if (ad.flags & STEPUP_WEBAUTHN_FLAG_ED) {
            FUZZ_CHECK(ad.extensions == data + total);
            total += ad.extensions_len;
        }
        else
            FUZZ_CHECK(!ad.extensions);
        FUZZ_CHECK(total == size);
        (void)stepup_authdata_check(&ad, &pol, &why);
    }
    else
        FUZZ_CHECK(why && !strchr(why, '\n'));
    apr_pool_destroy(p);
    return 0;
}
