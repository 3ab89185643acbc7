/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * StepupKeyFile text (src/core/keys.c): lines "KID SECRET", comments, blanks.
 * A key set that loads must hold 1 to STEPUP_KEYS_MAX keys with valid,
 * distinct kids, each of which finds itself and can MAC.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    stepup_keyset *ks = NULL;
    const char *why = NULL;
    unsigned char mac[STEPUP_MAC_LEN];
    int i, rc;

    rc = stepup_keyset_parse(p, (const char *)data, size, &ks, &why);
    if (rc == 0) {
        FUZZ_CHECK(ks && !why);
        FUZZ_CHECK(ks->nkeys >= 1 && ks->nkeys <= STEPUP_KEYS_MAX);
        for (i = 0; i < ks->nkeys; i++) {
            const char *kid = ks->keys[i].kid;

            FUZZ_CHECK(stepup_kid_valid(kid, strlen(kid)));
            FUZZ_CHECK(stepup_keyset_find(ks, kid, strlen(kid))
                       == &ks->keys[i]);
            FUZZ_CHECK(stepup_key_mac(&ks->keys[i], data, size, mac) == 0);
        }
    }
    else {
        FUZZ_CHECK(rc == -1 && !ks && why && *why);
        FUZZ_CHECK(!strchr(why, '\n'));
    }
    apr_pool_destroy(p);
    return 0;
}
