/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * CSRF tokens of the confirm pages: minting and checking the HMAC bound to
 * the user and the time of issue (include/stepup_csrf.h).
 */
#include <string.h>

#include <apr_strings.h>
#include <openssl/crypto.h>

#include "stepup_b64url.h"
#include "stepup_csrf.h"
#include "stepup_token.h"

#define MAC_B64_LEN STEPUP_B64URL_LEN(STEPUP_MAC_LEN)

static int csrf_mac(apr_pool_t *p, const stepup_key *key, const char *issued,
                    const char *user, char out[MAC_B64_LEN + 1])
{
    unsigned char digest[STEPUP_MAC_LEN];
    const char *msg = apr_pstrcat(p, "csrf|", issued, "|", user, NULL);

    if (stepup_key_mac(key, msg, strlen(msg), digest) != 0)
        return -1;
    stepup_b64url_encode_to(out, digest, sizeof(digest));
    return 0;
}

const char *stepup_csrf_mint(apr_pool_t *p, const stepup_keyset *ks,
                             const char *user, apr_int64_t now)
{
    char mac[MAC_B64_LEN + 1];
    const char *issued = apr_psprintf(p, "%" APR_INT64_T_FMT, now);

    if (!ks || ks->nkeys < 1 || !user
        || csrf_mac(p, &ks->keys[0], issued, user, mac) != 0)
        return NULL;
    return apr_pstrcat(p, ks->keys[0].kid, ".", issued, ".", mac, NULL);
}

int stepup_csrf_verify(apr_pool_t *p, const stepup_keyset *ks,
                       const char *user, const char *token, apr_int64_t now)
{
    const char *dot1, *dot2;
    const stepup_key *key;
    char mac[MAC_B64_LEN + 1], *issued, *end;
    apr_int64_t when;

    if (!ks || !user || !token || strlen(token) > 128)
        return -1;
    if (!(dot1 = strchr(token, '.')) || !(dot2 = strchr(dot1 + 1, '.')))
        return -1;
    if (!(key = stepup_keyset_find(ks, token, (size_t)(dot1 - token))))
        return -1;
    issued = apr_pstrndup(p, dot1 + 1, (size_t)(dot2 - dot1 - 1));
    if (!*issued || strspn(issued, "0123456789") != strlen(issued)
        || strlen(issued) > 12)
        return -1;
    when = apr_strtoi64(issued, &end, 10);
    if (when > now + STEPUP_CLOCK_SKEW || now - when > STEPUP_CSRF_TTL)
        return -1;
    if (strlen(dot2 + 1) != MAC_B64_LEN
        || csrf_mac(p, key, issued, user, mac) != 0)
        return -1;
    return CRYPTO_memcmp(mac, dot2 + 1, MAC_B64_LEN) == 0 ? 0 : -1;
}
