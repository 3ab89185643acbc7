/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * TPMS_ATTEST, the tpm attestation's certInfo (src/webauthn/tpm.c): what
 * the reader accepts is a certify structure whose fields lie inside the
 * input.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    stepup_tpm_attest att;
    const char *why = NULL;
    int rc = stepup_tpm_attest_parse(p, data, size, &att, &why);

    fuzz_outcome(rc, why);
    if (rc == 0)
        FUZZ_CHECK(att.magic == 0xff544347u && att.type == 0x8017
                   && att.extra_data >= data
                   && att.extra_data + att.extra_data_len <= att.name
                   && att.name + att.name_len <= data + size);
    else
        FUZZ_CHECK(rc == -1 && why && !strchr(why, '\n'));
    apr_pool_destroy(p);
    return 0;
}
