/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * An application's step-up challenge in a WWW-Authenticate value
 * (src/core/challenge.c): what it reads is a known level and a max_age
 * that is absent or a number of seconds.
 */
#include "fuzz.h"
#include "stepup_challenge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    const char *s = fuzz_cstr(p, data, size);
    stepup_acr acr = 0;
    int64_t max_age = -2;

    if (stepup_challenge_parse(s, &acr, &max_age) == 0) {
        FUZZ_CHECK(acr >= STEPUP_ACR_PWD && acr <= STEPUP_ACR_PHRH);
        FUZZ_CHECK(max_age >= -1 && max_age <= 315360000);
        FUZZ_CHECK(stepup_acr_name(acr) != NULL);
    }
    apr_pool_destroy(p);
    return 0;
}
