/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * A passkey assertion as POST passkey/finish receives it: the
 * AuthenticationResponseJSON text (src/webauthn/response_json.c), then
 * the ceremony (ceremony.c) against a stored credential.
 *
 * Input: a flags byte (bit 0: user verification required, bit 1: the
 * stored counter is 5, not 0, bit 2: cross-origin allowed), the stored
 * COSE key's length (2 bytes, big-endian), the key, then the JSON text.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    stepup_webauthn_policy pol;
    stepup_webauthn_response r;
    stepup_webauthn_assertion a;
    const char *why = NULL;
    int rc;
    uint32_t stored;
    size_t klen;
    unsigned flags;

    if (size < 3)
        return 0;
    flags = data[0];
    klen = ((size_t)data[1] << 8) | data[2];
    data += 3;
    size -= 3;
    if (klen > size)
        return 0;
    p = fuzz_pool();
    fuzz_policy(&pol);
    pol.require_uv = flags & 1;
    pol.allow_cross_origin = (flags & 4) != 0;
    stored = (flags & 2) ? 5 : 0;
    if (stepup_webauthn_authentication_json_parse(p,
                                                  (const char *)data
                                                  + klen, size - klen,
                                                  &r, &why) != 0) {
        fuzz_outcome(-1, why);
        FUZZ_CHECK(why && !strchr(why, '\n'));
        FUZZ_CHECK(!r.id && !r.client_data_json && !r.signature);
        apr_pool_destroy(p);
        return 0;
    }
    FUZZ_CHECK(r.id && r.id_len >= 1 && r.id_b64);
    FUZZ_CHECK(r.client_data_json && r.authenticator_data && r.signature);
    rc = stepup_webauthn_verify_authentication(p, &pol, data, klen, stored,
                                               &r, &a, &why);
    fuzz_outcome(rc, why);
    if (rc == 0) {
        FUZZ_CHECK(a.sign_count > stored || (!stored && !a.sign_count));
        FUZZ_CHECK(a.flags & STEPUP_WEBAUTHN_FLAG_UP);
    }
    else
        FUZZ_CHECK(why && !strchr(why, '\n'));
    apr_pool_destroy(p);
    return 0;
}
