/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * StepupHighAssuranceAAGUIDs files (src/core/aaguid.c): one UUID per line,
 * comments, blanks. A list that loads names at least one AAGUID; the
 * reason of a refusal is one line.
 */
#include "fuzz.h"
#include "stepup_aaguid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    stepup_aaguid_list *l = NULL;
    const char *why = NULL;
    unsigned char probe[16] = { 0 };

    if (stepup_aaguid_list_parse(p, (const char *)data, size, &l, &why)
        == 0) {
        FUZZ_CHECK(l && !why);
        FUZZ_CHECK(!stepup_aaguid_listed(l, probe));   /* never all-zero */
        memcpy(probe, data, size < 16 ? size : 16);
        (void)stepup_aaguid_listed(l, probe);
        FUZZ_CHECK(strlen(stepup_aaguid_hex(p, probe)) == 32);
    }
    else
        FUZZ_CHECK(!l && why && *why && !strchr(why, '\n'));
    apr_pool_destroy(p);
    return 0;
}
