/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The return_to sanitiser (src/core/returnto.c): what it lets through is a
 * local path, as doc/endpoints.md section 2.4 says; anything else becomes "/".
 */
#include "fuzz.h"
#include "stepup_returnto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    const char *s = fuzz_cstr(p, data, size), *r = stepup_return_to(s);
    size_t i, len = strlen(s);

    if (stepup_return_to_ok(s)) {
        FUZZ_CHECK(r == s);
        FUZZ_CHECK(len >= 1 && len <= STEPUP_RETURN_TO_MAX);
        FUZZ_CHECK(s[0] == '/' && s[1] != '/' && s[1] != '\\');
        for (i = 0; i < len; i++) {
            unsigned char c = (unsigned char)s[i];

            FUZZ_CHECK(c > 0x20 && c < 0x7f && c != '\\');
        }
    }
    else
        FUZZ_CHECK(!strcmp(r, "/"));
    FUZZ_CHECK(stepup_return_to_ok(r));
    FUZZ_CHECK(!stepup_return_to_ok(NULL));
    apr_pool_destroy(p);
    return 0;
}
