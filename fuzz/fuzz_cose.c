/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * COSE_Key (src/webauthn/cose.c, es256.c, rs256.c, eddsa.c): as offered
 * at registration (full check) and as read back from the store. A key
 * accepted at registration must import again from the store, the same;
 * an imported key goes on to a signature check (input-chosen signature
 * over a fixed message).
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned char msg[] = "authenticatorData || clientDataHash";
    apr_pool_t *p = fuzz_pool();
    stepup_cose_key *full = NULL, *stored = NULL;
    const char *why = NULL;
    int rc_full, rc_stored;

    rc_full = stepup_cose_key_decode(p, data, size, STEPUP_COSE_CHECK_FULL,
                                     &full, &why);
    FUZZ_CHECK(rc_full == 0 ? full && full->pkey
               : !full && why && !strchr(why, '\n'));
    rc_stored = stepup_cose_key_decode(p, data, size,
                                       STEPUP_COSE_CHECK_STORED, &stored,
                                       &why);
    if (rc_full == 0) {
        FUZZ_CHECK(rc_stored == 0);
        FUZZ_CHECK(stored->alg == full->alg && stored->kty == full->kty);
        FUZZ_CHECK(memcmp(stored->point, full->point, sizeof(full->point))
                   == 0);
    }
    if (rc_stored == 0) {
        (void)stepup_cose_alg_name(p, stored->alg);
        /* the input's last bytes as a signature */
        (void)stepup_cose_verify(stored, msg, sizeof(msg) - 1,
                                 data + size / 2, size - size / 2, &why);
    }
    apr_pool_destroy(p);
    return 0;
}
