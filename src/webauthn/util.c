/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Small helpers of the WebAuthn core: reasons fit for one log line, the
 * failure idiom, prefixed reasons and the names of COSE algorithms.
 */
#include <string.h>

#include <apr_strings.h>

#include "webauthn_internal.h"

const char *stepup_wa_printable(apr_pool_t *p, const char *s, size_t len,
                                size_t max)
{
    size_t i, n = len > max ? max : len;
    char *out = apr_palloc(p, n + 4);

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
    }
    if (len > max) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
    return out;
}

int stepup_wa_fail(const char **why, const char *reason)
{
    if (why)
        *why = reason;
    return -1;
}

int stepup_wa_prefix(apr_pool_t *p, const char **why, const char *pre)
{
    if (why && *why)
        *why = apr_pstrcat(p, pre, *why, NULL);
    return -1;
}

const char *stepup_cose_alg_name(apr_pool_t *p, int alg)
{
    switch (alg) {
    case STEPUP_COSE_ES256: return "ES256";
    case STEPUP_COSE_RS256: return "RS256";
    case STEPUP_COSE_EDDSA: return "EdDSA";
    }
    return apr_psprintf(p, "alg %d", alg);
}
