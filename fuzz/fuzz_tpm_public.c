/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * TPMT_PUBLIC, the tpm attestation's pubArea (src/webauthn/tpm.c): what
 * the reader accepts points inside the input, and the sizes it reports fit.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    stepup_tpm_public pub;
    const char *why = NULL;
    int rc = stepup_tpm_public_parse(p, data, size, &pub, &why);

    fuzz_outcome(rc, why);
    if (rc == 0 && pub.type == 0x0001)
        FUZZ_CHECK(pub.rsa_modulus >= data
                   && pub.rsa_modulus + pub.rsa_modulus_len <= data + size);
    else if (rc == 0)
        FUZZ_CHECK(pub.type == 0x0023 && pub.ecc_x >= data
                   && pub.ecc_x + pub.ecc_x_len <= pub.ecc_y
                   && pub.ecc_y + pub.ecc_y_len == data + size);
    else
        FUZZ_CHECK(rc == -1 && why && !strchr(why, '\n'));
    apr_pool_destroy(p);
    return 0;
}
