/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * CSRF tokens of the confirm pages (src/core/csrf.c), as they come in the
 * "csrf" field or the X-Stepup-CSRF header.
 *
 * Input: a mode byte, then the text. Mode bit 0 clear: the text is a
 * token for user "alice". Set: the text is a user name; a token minted
 * for it must verify for it, and not for another user.
 */
#include "fuzz.h"
#include "stepup_csrf.h"

#define NOW 1700000000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const stepup_keyset *ks = fuzz_keyset();
    apr_pool_t *p;
    char *text;

    if (size < 1)
        return 0;
    p = fuzz_pool();
    text = fuzz_cstr(p, data + 1, size - 1);
    if (data[0] & 1) {
        const char *tok = stepup_csrf_mint(p, ks, text, NOW);

        FUZZ_CHECK(tok != NULL);
        FUZZ_CHECK(strlen(tok) > 128
                   || stepup_csrf_verify(p, ks, text, tok, NOW) == 0);
        FUZZ_CHECK(stepup_csrf_verify(p, ks, apr_pstrcat(p, text, "x", NULL),
                                      tok, NOW) == -1);
        FUZZ_CHECK(stepup_csrf_verify(p, ks, text, tok,
                                      NOW + STEPUP_CSRF_TTL + 1) == -1);
    }
    else {
        int rc = stepup_csrf_verify(p, ks, "alice", text, NOW);

        FUZZ_CHECK(rc == 0 || rc == -1);
    }
    apr_pool_destroy(p);
    return 0;
}
