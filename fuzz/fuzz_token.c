/*
 * The re-auth token (src/token.c), as it comes in the cookie or in
 * StepupTokenHeader, and the bind value of the session cookie.
 *
 * Input: a mode byte, then the text. Mode bit 0 clear: the text is a token
 * (structure, version, kid, MAC; a MAC the fuzzer cannot forge stops it
 * there). Set: the text is a payload, signed here with key k1, so that
 * the payload decoder behind the MAC is reached too. Bit 1 picks a
 * binding policy. A token that parses is minted again and must parse to
 * the same fields.
 */
#include "fuzz.h"
#include "stepup_b64url.h"
#include "stepup_token.h"

static void roundtrip(apr_pool_t *p, const stepup_keyset *ks,
                      const stepup_token *t)
{
    stepup_token again;
    const char *minted = stepup_token_mint(p, ks, t);

    if (!minted)   /* e.g. too long once signed with another kid */
        return;
    FUZZ_CHECK(stepup_token_parse(p, ks, minted, strlen(minted), &again)
               == STEPUP_TOKEN_OK);
    FUZZ_CHECK(again.auth_time == t->auth_time);
    FUZZ_CHECK(again.expires == t->expires);
    FUZZ_CHECK(again.acr == t->acr && again.amr == t->amr);
    FUZZ_CHECK(strcmp(again.bind, t->bind) == 0);
    FUZZ_CHECK(strcmp(again.user, t->user) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const stepup_keyset *ks = fuzz_keyset();
    apr_pool_t *p;
    stepup_policy pol;
    stepup_token t;
    stepup_token_status st;
    char bind[STEPUP_BIND_LEN + 1];
    const char *s;
    size_t len;
    unsigned mode;

    if (size < 1)
        return 0;
    p = fuzz_pool();
    mode = data[0];
    data++;
    size--;

    if (mode & 1) {
        /* v1.k1.<payload>.<mac>, signed as the module would */
        unsigned char mac[STEPUP_MAC_LEN];
        const char *part = apr_pstrcat(p, "v1.k1.",
                                       stepup_b64url_encode(p, data, size),
                                       NULL);

        FUZZ_CHECK(stepup_key_mac(&ks->keys[0], part, strlen(part), mac)
                   == 0);
        s = apr_pstrcat(p, part, ".", stepup_b64url_encode(p, mac,
                                                           sizeof(mac)),
                        NULL);
        len = strlen(s);
    }
    else {
        s = (const char *)data;
        len = size;
    }

    memset(&pol, 0, sizeof(pol));
    pol.now = 1700000000;
    pol.max_age = 300;
    pol.lifetime = (mode & 4) ? 3600 : 0;
    pol.min_acr = STEPUP_ACR_PWD;
    pol.user = (mode & 8) ? "alice" : NULL;
    if (mode & 2) {
        /* binding on: the bind value of a session cookie (the input) */
        FUZZ_CHECK(stepup_bind_compute((const char *)data, size, bind) == 0);
        FUZZ_CHECK(strlen(bind) == STEPUP_BIND_LEN
                   && stepup_b64url_valid(bind, STEPUP_BIND_LEN, 0));
        pol.bind = (mode & 16) ? "" : bind;
    }

    st = stepup_token_verify(p, ks, s, len, &pol, &t);
    (void)stepup_token_status_str(st);
    if (st == STEPUP_TOKEN_OK || st > STEPUP_TOKEN_BAD_PAYLOAD) {
        /* authentic and well-formed */
        FUZZ_CHECK(t.user && t.user[0] && t.kid);
        FUZZ_CHECK(t.acr >= STEPUP_ACR_PWD && t.acr <= STEPUP_ACR_PHRH);
        FUZZ_CHECK(t.amr >= STEPUP_AMR_PWD && t.amr <= STEPUP_AMR_SWK);
        FUZZ_CHECK(t.auth_time >= 0 && t.expires >= 0);
        FUZZ_CHECK(!t.bind[0] || strlen(t.bind) == STEPUP_BIND_LEN);
        roundtrip(p, ks, &t);
    }
    apr_pool_destroy(p);
    return 0;
}
