/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Instructions per token check, against the physical floor: one bare
 * HMAC-SHA256 over the same bytes. Run under callgrind by
 * bench/token-cost.sh, which subtracts a run of 0 iterations (start-up).
 *   token_cost verify|hmac|reuse|oneshot ITERATIONS [USER]
 * verify:  stepup_token_verify, as a protected request does it
 * hmac:    stepup_key_mac: a copy of the keyed context prepared once (what
 *          the core uses: the key set is shared by the threads)
 * reuse:   one keyed context re-initialised in place for each MAC, the
 *          least OpenSSL's EVP_MAC can do (one thread owning the context)
 * oneshot: OpenSSL's HMAC() one-shot, as most code writes it
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "stepup_keys.h"
#include "stepup_token.h"

static const char keyfile[] =
    "k1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n";
static const unsigned char secret[32] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
};

int main(int argc, char **argv)
{
    apr_pool_t *pool, *req;
    stepup_keyset *ks;
    const char *err, *token, *mode = argc > 1 ? argv[1] : "";
    long n = argc > 2 ? atol(argv[2]) : 0, i;
    stepup_token t, out;
    stepup_policy pol;
    size_t len, signed_len;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen;
    int ok = 1;
    EVP_MAC_CTX *own;
    size_t outlen;

    apr_initialize();
    apr_pool_create(&pool, NULL);
    apr_pool_create(&req, pool);
    if (stepup_keyset_parse(pool, keyfile, strlen(keyfile), &ks, &err)) {
        fprintf(stderr, "keys: %s\n", err);
        return 1;
    }
    memset(&t, 0, sizeof(t));
    t.auth_time = 1800000000;
    t.expires = t.auth_time + 900;
    t.acr = STEPUP_ACR_PWD;
    t.amr = STEPUP_AMR_PWD;
    t.user = argc > 3 ? argv[3] : "alice@example.com";
    token = stepup_token_mint(pool, ks, &t);
    len = strlen(token);
    signed_len = (size_t)(strrchr(token, '.') - token);
    pol.now = t.auth_time + 10;
    pol.max_age = 300;
    pol.lifetime = 900;
    pol.min_acr = STEPUP_ACR_PWD;
    pol.user = t.user;
    pol.bind = NULL;
    own = EVP_MAC_CTX_dup((EVP_MAC_CTX *)ks->keys[0].mac);

    for (i = 0; i < n; i++) {
        if (!strcmp(mode, "verify")) {
            ok &= stepup_token_verify(req, ks, token, len, &pol, &out)
                  == STEPUP_TOKEN_OK;
            apr_pool_clear(req); /* as the request pool would be */
        }
        else if (!strcmp(mode, "hmac")) {
            ok &= stepup_key_mac(&ks->keys[0], token, signed_len, mac) == 0;
        }
        else if (!strcmp(mode, "reuse")) {
            ok &= EVP_MAC_init(own, NULL, 0, NULL)
                  && EVP_MAC_update(own, (const unsigned char *)token,
                                    signed_len)
                  && EVP_MAC_final(own, mac, &outlen, sizeof(mac));
        }
        else if (!strcmp(mode, "oneshot")) {
            ok &= HMAC(EVP_sha256(), secret, sizeof(secret),
                       (const unsigned char *)token, signed_len, mac,
                       &maclen) != NULL;
        }
    }
    printf("%s %ld token_bytes=%lu ok=%d\n", mode, n, (unsigned long)len, ok);
    EVP_MAC_CTX_free(own);
    apr_pool_destroy(pool);
    apr_terminate();
    return ok ? 0 : 1;
}
