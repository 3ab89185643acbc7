/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The Android key description extension (src/webauthn/android_key.c,
 * OpenSSL ASN.1 templates) and the Apple nonce extension (apple.c): the
 * first byte picks which; the rest is the extension's DER value.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    stepup_android_key_description kd;
    unsigned char nonce[32];
    const char *why = NULL;
    int rc;

    if (size < 1)
        return 0;
    p = fuzz_pool();
    if (data[0] & 1) {
        rc = stepup_apple_nonce_decode(p, data + 1, size - 1, nonce, &why);
    }
    else {
        rc = stepup_android_key_description_decode(p, data + 1, size - 1,
                                                   &kd, &why);
        if (rc == 0)
            FUZZ_CHECK(kd.attestation_security_level >= 0
                       && kd.attestation_security_level <= 2
                       && kd.challenge_len < size);
    }
    fuzz_outcome(rc, why);
    FUZZ_CHECK(rc == 0 || (rc == -1 && why && !strchr(why, '\n')));
    apr_pool_destroy(p);
    return 0;
}
