/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * clientDataJSON (src/webauthn/clientdata.c), checked for both ceremonies
 * against the relying party of the seeds; cross-origin allowed or not
 * after the input's parity.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    stepup_webauthn_policy pol;
    const char *why = NULL;
    int rc;

    fuzz_policy(&pol);
    pol.allow_cross_origin = size & 1;
    rc = stepup_clientdata_check(p, &pol, "webauthn.create", data, size,
                                 &why);
    FUZZ_CHECK(rc == 0 || (rc == -1 && why && !strchr(why, '\n')));
    why = NULL;
    rc = stepup_clientdata_check(p, &pol, "webauthn.get", data, size, &why);
    FUZZ_CHECK(rc == 0 || (rc == -1 && why && !strchr(why, '\n')));
    apr_pool_destroy(p);
    return 0;
}
