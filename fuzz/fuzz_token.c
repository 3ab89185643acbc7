/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The re-auth token (src/core/token.c), as it comes in the cookie or in
 * StepupTokenHeader, the bind value of the session cookie, and the
 * request digest of transaction-bound tokens (src/core/txn.c).
 *
 * Input: a mode byte, then the text. Mode bit 0 clear: the text is a token
 * (structure, version, kid, MAC; a MAC the fuzzer cannot forge stops it
 * there). Set: the text is a payload, signed here with key k1, so that
 * the payload decoder behind the MAC is reached too; as a v2 token when
 * bit 5 is set. Bit 1 picks a binding policy. Bit 6: the request's txn is
 * FUZZ_TXN, else the caller knows no transaction (v2 is then refused). A
 * token that parses is minted again and must parse to the same fields.
 * The text is also digested as a request body, whole and in two pieces.
 */
#include "fuzz.h"
#include "stepup_b64url.h"
#include "stepup_token.h"
#include "stepup_txn.h"

#define FUZZ_TXN "QkzBjj6JuLvHcfAwpl-w_A"

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
    FUZZ_CHECK(strcmp(again.txn, t->txn) == 0);
    FUZZ_CHECK(strcmp(again.user, t->user) == 0);
}

/* The digest of data as a body: whole, and fed in two pieces cut where
 * the first byte says, give the same answer. */
static void digest(apr_pool_t *p, const uint8_t *data, size_t size)
{
    char whole[STEPUP_TXN_LEN + 1], pieces[STEPUP_TXN_LEN + 1];
    size_t cut = size ? data[0] % (size + 1) : 0;
    stepup_txn_ctx *ctx = stepup_txn_start(p, "POST", "/t", NULL);

    FUZZ_CHECK(ctx != NULL);
    FUZZ_CHECK(stepup_txn_compute("POST", "/t", "", data, size, NULL, whole)
               == 0);
    FUZZ_CHECK(stepup_txn_body(ctx, data, cut) == 0
               && stepup_txn_body(ctx, data + cut, size - cut) == 0
               && stepup_txn_finish(ctx, NULL, pieces) == 0);
    FUZZ_CHECK(strcmp(whole, pieces) == 0);
    FUZZ_CHECK(stepup_txn_valid(whole, strlen(whole)));
}

/* The checks on a token that parsed; a v2 token passes only for the
 * request whose txn it carries. */
static void authentic(apr_pool_t *p, const stepup_keyset *ks,
                      const stepup_token *t, stepup_token_status st,
                      const char *txn)
{
    FUZZ_CHECK(t->user && t->user[0] && t->kid);
    FUZZ_CHECK(t->acr >= STEPUP_ACR_PWD && t->acr <= STEPUP_ACR_PHRH);
    FUZZ_CHECK(t->amr >= STEPUP_AMR_PWD && t->amr <= STEPUP_AMR_SWK);
    FUZZ_CHECK(t->auth_time >= 0 && t->expires >= 0);
    FUZZ_CHECK(!t->bind[0] || strlen(t->bind) == STEPUP_BIND_LEN);
    FUZZ_CHECK(!t->txn[0] || stepup_txn_valid(t->txn, strlen(t->txn)));
    if (st == STEPUP_TOKEN_OK && t->txn[0])
        FUZZ_CHECK(txn && strcmp(t->txn, txn) == 0);
    if (st == STEPUP_TOKEN_TXN_UNEXPECTED)
        FUZZ_CHECK(!txn && t->txn[0]);
    roundtrip(p, ks, t);
}

/* vN.k1.<payload>.<mac>, signed as the module would. */
static const char *signed_payload(apr_pool_t *p, const stepup_keyset *ks,
                                  int v2, const uint8_t *data, size_t size)
{
    unsigned char mac[STEPUP_MAC_LEN];
    const char *part = apr_pstrcat(p, v2 ? "v2.k1." : "v1.k1.",
                                   stepup_b64url_encode(p, data, size), NULL);

    FUZZ_CHECK(stepup_key_mac(&ks->keys[0], part, strlen(part), mac) == 0);
    return apr_pstrcat(p, part, ".", stepup_b64url_encode(p, mac,
                                                          sizeof(mac)), NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const stepup_keyset *ks = fuzz_keyset();
    apr_pool_t *p;
    stepup_policy pol;
    stepup_token t;
    stepup_token_status st;
    char bind[STEPUP_BIND_LEN + 1];
    const char *s, *txn;
    size_t len;
    unsigned mode;

    if (size < 1)
        return 0;
    p = fuzz_pool();
    mode = data[0];
    data++;
    size--;

    if (mode & 1) {
        s = signed_payload(p, ks, mode & 32, data, size);
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

    txn = (mode & 64) ? FUZZ_TXN : NULL;
    st = stepup_token_verify_txn(p, ks, s, len, &pol, txn, &t);
    (void)stepup_token_status_str(st);
    if (st == STEPUP_TOKEN_OK || st > STEPUP_TOKEN_BAD_PAYLOAD)
        authentic(p, ks, &t, st, txn); /* authentic and well-formed */
    digest(p, data, size);
    apr_pool_destroy(p);
    return 0;
}
