/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * base64url (src/b64url.c): every binary field of the module comes
 * through it (tokens, key secrets, WebAuthn JSON members). What decodes
 * is valid by stepup_b64url_valid and re-encodes to the unpadded input
 * (or to an input that differs only in unused trailing bits); what
 * encodes decodes back to itself.
 */
#include "fuzz.h"
#include "stepup_b64url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    const char *s = (const char *)data;
    unsigned char *raw, *back;
    size_t rawlen, backlen, unpadded = size;
    char *enc;

    if (stepup_b64url_decode(p, s, size, &raw, &rawlen) == 0) {
        FUZZ_CHECK(stepup_b64url_valid(s, size, 1));
        FUZZ_CHECK(raw[rawlen] == '\0');
        while (unpadded > 0 && s[unpadded - 1] == '=')
            unpadded--;
        FUZZ_CHECK(rawlen == unpadded * 3 / 4);
        enc = stepup_b64url_encode(p, raw, rawlen);
        FUZZ_CHECK(strlen(enc) == STEPUP_B64URL_LEN(rawlen));
        FUZZ_CHECK(strlen(enc) == unpadded);
    }
    /* the input as bytes */
    enc = stepup_b64url_encode(p, data, size);
    FUZZ_CHECK(strlen(enc) == STEPUP_B64URL_LEN(size));
    FUZZ_CHECK(stepup_b64url_valid(enc, strlen(enc), 0));
    FUZZ_CHECK(stepup_b64url_decode(p, enc, strlen(enc), &back, &backlen)
               == 0);
    FUZZ_CHECK(backlen == size && (size == 0 || !memcmp(back, data, size)));
    apr_pool_destroy(p);
    return 0;
}
