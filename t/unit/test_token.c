/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The re-auth token (src/core/token.c):
 *   v1.<kid>.<payload>.<mac>
 *   payload = b64url_nopad("<auth_time>|<expires>|<acr>|<amr>|<bind>|<user>")
 *   mac     = b64url_nopad(HMAC-SHA256(key[kid], "v1.<kid>.<payload>"))
 * the transaction-bound v2 token, with <txn> between <bind> and <user>,
 * and the request digest that gives txn (src/core/txn.c):
 *   txn = b64url_nopad(SHA-256(METHOD SP target LF Content-Type LF body)
 *                      [0..16))
 * Every rule of the format has a test here that fails without it. Tokens are
 * also built by hand (OpenSSL directly, see unit_util.c) and from constants
 * computed outside C, so the public wire format is pinned.
 */
#include <apr_strings.h>
#include <openssl/sha.h>

#include "unit_util.h"
#include "stepup_b64url.h"
#include "stepup_keys.h"
#include "stepup_token.h"
#include "stepup_txn.h"

#define T0 ((apr_int64_t)1700000000)

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

#define assert_status(got, want) do {                                       \
        stepup_token_status got_ = (got), want_ = (want);                   \
        if (got_ != want_)                                                  \
            fail_msg("status \"%s\" (%d), expected \"%s\" (%d)",            \
                     stepup_token_status_str(got_), (int)got_,              \
                     stepup_token_status_str(want_), (int)want_);           \
    } while (0)

/* ---- helpers local to this file ---- */

static stepup_token make_token(apr_int64_t auth_time, apr_int64_t expires,
                               stepup_acr acr, stepup_amr amr,
                               const char *bind, const char *user)
{
    stepup_token t;

    memset(&t, 0, sizeof(t));
    t.auth_time = auth_time;
    t.expires = expires;
    t.acr = acr;
    t.amr = amr;
    if (bind)
        apr_cpystrn(t.bind, bind, sizeof(t.bind));
    t.user = user;
    return t;
}

/* A policy every token of make_token(T0, T0 + 300, ...) for alice meets. */
static stepup_policy base_policy(void)
{
    stepup_policy pol;

    memset(&pol, 0, sizeof(pol));
    pol.now = T0 + 10;
    pol.max_age = 300;
    pol.lifetime = 900;
    pol.min_acr = STEPUP_ACR_PWD;
    pol.user = "alice";
    pol.bind = NULL;
    return pol;
}

static stepup_token_status parse(apr_pool_t *p, const stepup_keyset *ks,
                                 const char *s, stepup_token *out)
{
    return stepup_token_parse(p, ks, s, strlen(s), out);
}

/* Parses s and expects want; the message names the token. */
static void expect_parse(apr_pool_t *p, const stepup_keyset *ks, const char *s,
                         stepup_token_status want)
{
    stepup_token out;
    stepup_token_status got = parse(p, ks, s, &out);

    if (got != want)
        fail_msg("token \"%s\": status \"%s\", expected \"%s\"", s,
                 stepup_token_status_str(got), stepup_token_status_str(want));
}

/* Signs payload[0..len) with alpha and expects parse to say want. */
static void expect_payload(apr_pool_t *p, const stepup_keyset *ks,
                           const char *payload, size_t len,
                           stepup_token_status want)
{
    const char *tok = unit_sign_payload(p, "alpha", payload, len);
    stepup_token out;
    stepup_token_status got = parse(p, ks, tok, &out);

    if (got != want)
        fail_msg("payload \"%.*s\" (%zu bytes): status \"%s\", expected "
                 "\"%s\"", (int)len, payload, len,
                 stepup_token_status_str(got), stepup_token_status_str(want));
}

static void expect_bad_payload(apr_pool_t *p, const stepup_keyset *ks,
                               const char *payload)
{
    expect_payload(p, ks, payload, strlen(payload), STEPUP_TOKEN_BAD_PAYLOAD);
}

/* The parts of a token: pointers into a pool copy, NUL-separated. */
typedef struct parts {
    char *kid, *payload, *mac;
} parts;

static parts split(apr_pool_t *p, const char *tok)
{
    char *copy = apr_pstrdup(p, tok), *last = NULL;
    parts x;

    assert_string_equal(apr_strtok(copy, ".", &last), "v1");
    x.kid = apr_strtok(NULL, ".", &last);
    x.payload = apr_strtok(NULL, ".", &last);
    x.mac = apr_strtok(NULL, ".", &last);
    assert_non_null(x.mac);
    assert_null(apr_strtok(NULL, ".", &last));
    return x;
}

static int b64url_index(char c)
{
    const char *at = strchr(b64url_alphabet, c);

    assert_non_null(at);
    assert_int_not_equal(c, '\0');
    return (int)(at - b64url_alphabet);
}

static char *bind_of(const char *cookie)
{
    static char out[4][STEPUP_BIND_LEN + 1];
    static int next;
    char *b = out[next++ % 4];

    assert_int_equal(stepup_bind_compute(cookie, strlen(cookie), b), 0);
    return b;
}

/* ---- round trips ---- */

static void test_round_trip(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    const char *bind = bind_of("session-A");
    stepup_token in = make_token(T0, T0 + 300, STEPUP_ACR_PHR, STEPUP_AMR_HWK,
                                 bind, "alice");
    stepup_token out;
    stepup_policy pol = base_policy();
    const char *tok = stepup_token_mint(p, ks, &in);

    assert_non_null(tok);
    assert_int_equal(strncmp(tok, "v1.alpha.", 9), 0);
    (void)split(p, tok);
    assert_status(parse(p, ks, tok, &out), STEPUP_TOKEN_OK);
    assert_string_equal(out.kid, "alpha");
    assert_string_equal(out.user, "alice");
    assert_true(out.auth_time == T0);
    assert_true(out.expires == T0 + 300);
    assert_int_equal(out.acr, STEPUP_ACR_PHR);
    assert_int_equal(out.amr, STEPUP_AMR_HWK);
    assert_string_equal(out.bind, bind);

    pol.bind = bind;
    assert_status(stepup_token_check(&out, &pol), STEPUP_TOKEN_OK);
    assert_status(stepup_token_verify(p, ks, tok, strlen(tok), &pol, &out),
                  STEPUP_TOKEN_OK);
}

/* Every acr x amr, bound and unbound, survives mint -> parse. */
static void test_round_trip_all_fields(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    const char *bind = bind_of("session-B");
    int acr, amr, bound;

    for (acr = STEPUP_ACR_PWD; acr <= STEPUP_ACR_PHRH; acr++)
    for (amr = STEPUP_AMR_PWD; amr <= STEPUP_AMR_SWK; amr++)
    for (bound = 0; bound < 2; bound++) {
        stepup_token in = make_token(T0 + acr, T0 + 900 + amr, (stepup_acr)acr,
                                     (stepup_amr)amr, bound ? bind : "",
                                     "bob@example.org");
        stepup_token out;
        const char *tok = stepup_token_mint(p, ks, &in);

        assert_non_null(tok);
        assert_status(parse(p, ks, tok, &out), STEPUP_TOKEN_OK);
        assert_true(out.auth_time == T0 + acr);
        assert_true(out.expires == T0 + 900 + amr);
        assert_int_equal(out.acr, acr);
        assert_int_equal(out.amr, amr);
        assert_string_equal(out.bind, bound ? bind : "");
        assert_string_equal(out.user, "bob@example.org");
    }
}

/* ---- the wire format ---- */

/* Constants computed with Python's hmac, hashlib and base64 modules, key
 * alpha = 00 01 .. 1f. */
static void test_wire_format_known_answer(void **state)
{
    apr_pool_t *p = *state;
    static const char tok1[] =
        "v1.alpha.MTcwMDAwMDAwMHwxNzAwMDAwMzAwfHBocnxod2t8LXxhbGljZQ"
        ".DoMaE2kETVjo9TV_rw7ZHPUj7g6z_DEAZP7XDJMBF5Y";
    static const char tok2[] =
        "v1.alpha.MTcwMDAwMDAwMHwxNzAwMDAwMzAwfHBocmh8c3drfGtrcl9EckJWZGVzZDBF"
        "MWZSYnA4V2d8Y2Fyb2x8YWRtaW4"
        ".ROwJefT2169xifaXgBkSn8xDS4BnYNvj2kipLQTOLlg";
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    stepup_token in, out;

    /* "1700000000|1700000300|phr|hwk|-|alice" */
    in = make_token(T0, T0 + 300, STEPUP_ACR_PHR, STEPUP_AMR_HWK, "", "alice");
    assert_string_equal(stepup_token_mint(p, ks, &in), tok1);
    assert_status(parse(p, ks, tok1, &out), STEPUP_TOKEN_OK);
    assert_string_equal(out.user, "alice");
    assert_string_equal(out.bind, "");

    /* bind of the cookie "session-cookie-value", user "carol|admin" */
    in = make_token(T0, T0 + 300, STEPUP_ACR_PHRH, STEPUP_AMR_SWK,
                    "kkr_DrBVdesd0E1fRbp8Wg", "carol|admin");
    assert_string_equal(stepup_token_mint(p, ks, &in), tok2);
    assert_status(parse(p, ks, tok2, &out), STEPUP_TOKEN_OK);
    assert_int_equal(out.acr, STEPUP_ACR_PHRH);
    assert_int_equal(out.amr, STEPUP_AMR_SWK);
    assert_string_equal(out.bind, "kkr_DrBVdesd0E1fRbp8Wg");
    assert_string_equal(out.user, "carol|admin");
}

/* A token built by hand from the payload string (OpenSSL HMAC and base64)
 * is accepted, and mint produces it byte for byte. */
static void test_wire_format_by_hand(void **state)
{
    apr_pool_t *p = *state;
    static const struct {
        const char *kid;
        apr_int64_t auth_time, expires;
        stepup_acr acr;
        stepup_amr amr;
        const char *bind, *user, *payload;
    } v[] = {
        { "alpha", T0, T0 + 300, STEPUP_ACR_PWD, STEPUP_AMR_PWD, "", "alice",
          "1700000000|1700000300|pwd|pwd|-|alice" },
        { "beta", 0, 1, STEPUP_ACR_PHR, STEPUP_AMR_SWK, "", "u",
          "0|1|phr|swk|-|u" },
        { "gamma", 999999999999LL, 999999999999LL, STEPUP_ACR_PHRH,
          STEPUP_AMR_HWK, "AAAAAAAAAAAAAAAAAAAA-_", "x y|z",
          "999999999999|999999999999|phrh|hwk|AAAAAAAAAAAAAAAAAAAA-_|x y|z" },
        { "delta", T0, T0 + 900, STEPUP_ACR_PHR, STEPUP_AMR_HWK,
          "kkr_DrBVdesd0E1fRbp8Wg", "|",
          "1700000000|1700000900|phr|hwk|kkr_DrBVdesd0E1fRbp8Wg||" },
    };
    size_t i;

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        stepup_keyset *ks = unit_keyset(p, v[i].kid, NULL);
        stepup_keyset *all = unit_keyset(p, "alpha", "beta", "gamma", "delta",
                                         NULL);
        const char *hand = unit_sign_payload(p, v[i].kid, v[i].payload,
                                             strlen(v[i].payload));
        stepup_token in = make_token(v[i].auth_time, v[i].expires, v[i].acr,
                                     v[i].amr, v[i].bind, v[i].user);
        stepup_token out;

        assert_string_equal(stepup_token_mint(p, ks, &in), hand);
        assert_status(parse(p, all, hand, &out), STEPUP_TOKEN_OK);
        assert_string_equal(out.kid, v[i].kid);
        assert_true(out.auth_time == v[i].auth_time);
        assert_true(out.expires == v[i].expires);
        assert_int_equal(out.acr, v[i].acr);
        assert_int_equal(out.amr, v[i].amr);
        assert_string_equal(out.bind, v[i].bind);
        assert_string_equal(out.user, v[i].user);
    }
}

/* user is last, so it may contain '|' (and anything else but NUL). */
static void test_user_with_bars(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    static const char *const users[] = {
        "a|b", "|", "||", "|x", "x|", "a|1700000000|pwd|pwd|-|b",
        "CN=Jo Smith,O=Ex|ample", "\xc3\xa9l\xc3\xa8ve|-",
    };
    size_t i;

    for (i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
        stepup_token in = make_token(T0, T0 + 300, STEPUP_ACR_PWD,
                                     STEPUP_AMR_PWD, "", users[i]);
        stepup_token out;
        stepup_policy pol = base_policy();
        const char *tok = stepup_token_mint(p, ks, &in);

        assert_non_null(tok);
        assert_status(parse(p, ks, tok, &out), STEPUP_TOKEN_OK);
        assert_string_equal(out.user, users[i]);
        assert_string_equal(out.bind, "");
        pol.user = users[i];
        assert_status(stepup_token_check(&out, &pol), STEPUP_TOKEN_OK);
        pol.user = "a";
        assert_status(stepup_token_check(&out, &pol), STEPUP_TOKEN_WRONG_USER);
    }
}

/* ---- keys: rotation and unknown kids ---- */

static void test_rotation(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *a = unit_keyset(p, "alpha", NULL);
    stepup_keyset *ab = unit_keyset(p, "alpha", "beta", NULL);
    stepup_keyset *ba = unit_keyset(p, "beta", "alpha", NULL);
    stepup_keyset *b = unit_keyset(p, "beta", NULL);
    stepup_token in = make_token(T0, T0 + 300, STEPUP_ACR_PWD, STEPUP_AMR_PWD,
                                 "", "alice");
    stepup_token out;
    const char *tok_a = stepup_token_mint(p, a, &in);
    const char *tok_ab = stepup_token_mint(p, ab, &in);
    const char *tok_ba = stepup_token_mint(p, ba, &in);

    assert_non_null(tok_a);
    /* the first key signs */
    assert_string_equal(tok_ab, tok_a);
    assert_int_equal(strncmp(tok_ba, "v1.beta.", 8), 0);
    assert_string_equal(tok_ba, stepup_token_mint(p, b, &in));

    /* every loaded key verifies, in any position */
    assert_status(parse(p, ab, tok_a, &out), STEPUP_TOKEN_OK);
    assert_string_equal(out.kid, "alpha");
    assert_status(parse(p, ba, tok_a, &out), STEPUP_TOKEN_OK);
    assert_string_equal(out.kid, "alpha");
    assert_status(parse(p, ab, tok_ba, &out), STEPUP_TOKEN_OK);
    assert_string_equal(out.kid, "beta");
    assert_status(parse(p, ba, tok_ba, &out), STEPUP_TOKEN_OK);
    assert_string_equal(out.kid, "beta");

    /* once a key is retired, its tokens die */
    assert_status(parse(p, b, tok_a, &out), STEPUP_TOKEN_UNKNOWN_KID);
    assert_status(parse(p, a, tok_ba, &out), STEPUP_TOKEN_UNKNOWN_KID);
}

static void test_unknown_kid(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ab = unit_keyset(p, "alpha", "beta", NULL);
    const char *payload = "1700000000|1700000300|pwd|pwd|-|alice";

    expect_parse(p, ab, unit_sign_payload(p, "gamma", payload,
                                          strlen(payload)),
                 STEPUP_TOKEN_UNKNOWN_KID);
    /* well-formed kids that are prefixes or extensions of loaded ones */
    expect_parse(p, ab, unit_sign_part(p, "alpha", apr_pstrcat(p, "v1.alph.",
                     unit_ref_b64url(p, payload, strlen(payload)), NULL)),
                 STEPUP_TOKEN_UNKNOWN_KID);
    expect_parse(p, ab, unit_sign_part(p, "alpha", apr_pstrcat(p, "v1.alphaa.",
                     unit_ref_b64url(p, payload, strlen(payload)), NULL)),
                 STEPUP_TOKEN_UNKNOWN_KID);
    expect_parse(p, ab, unit_sign_part(p, "alpha", apr_pstrcat(p, "v1.ALPHA.",
                     unit_ref_b64url(p, payload, strlen(payload)), NULL)),
                 STEPUP_TOKEN_UNKNOWN_KID);
}

static void test_bad_version(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    stepup_token in = make_token(T0, T0 + 300, STEPUP_ACR_PWD, STEPUP_AMR_PWD,
                                 "", "alice");
    const char *tok = stepup_token_mint(p, ks, &in);
    const char *rest = tok + 2;       /* ".alpha.<payload>.<mac>" */
    const char *payload = "1700000000|1700000300|pwd|pwd|-|alice";

    assert_non_null(tok);
    /* the version is signed: a v1 token called v2 is not authentic */
    expect_parse(p, ks, apr_pstrcat(p, "v2", rest, NULL), STEPUP_TOKEN_BAD_MAC);
    expect_parse(p, ks, apr_pstrcat(p, "v3", rest, NULL),
                 STEPUP_TOKEN_BAD_VERSION);
    expect_parse(p, ks, apr_pstrcat(p, "V1", rest, NULL),
                 STEPUP_TOKEN_BAD_VERSION);
    expect_parse(p, ks, apr_pstrcat(p, "v0", rest, NULL),
                 STEPUP_TOKEN_BAD_VERSION);
    expect_parse(p, ks, apr_pstrcat(p, "v10", rest, NULL),
                 STEPUP_TOKEN_BAD_VERSION);
    expect_parse(p, ks, apr_pstrcat(p, "v", rest, NULL),
                 STEPUP_TOKEN_BAD_VERSION);
    expect_parse(p, ks, apr_pstrcat(p, "1", rest, NULL),
                 STEPUP_TOKEN_BAD_VERSION);
    expect_parse(p, ks, rest, STEPUP_TOKEN_BAD_VERSION);
    /* even when the MAC covers the other version */
    expect_parse(p, ks, unit_sign_part(p, "alpha", apr_pstrcat(p, "v3.alpha.",
                     unit_ref_b64url(p, payload, strlen(payload)), NULL)),
                 STEPUP_TOKEN_BAD_VERSION);
    /* a v1 payload signed as v2 lacks the txn field */
    expect_parse(p, ks, unit_sign_part(p, "alpha", apr_pstrcat(p, "v2.alpha.",
                     unit_ref_b64url(p, payload, strlen(payload)), NULL)),
                 STEPUP_TOKEN_BAD_PAYLOAD);
    expect_parse(p, ks, tok, STEPUP_TOKEN_OK);
}

/* ---- tampering ---- */

/* Renaming the kid to another loaded key: the MAC no longer matches. */
static void test_tamper_kid(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ab = unit_keyset(p, "alpha", "beta", NULL);
    stepup_token in = make_token(T0, T0 + 300, STEPUP_ACR_PWD, STEPUP_AMR_PWD,
                                 "", "alice");
    const char *tok = stepup_token_mint(p, ab, &in);
    parts x = split(p, tok);

    expect_parse(p, ab, tok, STEPUP_TOKEN_OK);
    expect_parse(p, ab, apr_pstrcat(p, "v1.beta.", x.payload, ".", x.mac,
                                    NULL), STEPUP_TOKEN_BAD_MAC);
}

/* Any payload character changed, one at a time: bad MAC. */
static void test_tamper_payload_every_char(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    stepup_token in = make_token(T0, T0 + 300, STEPUP_ACR_PHRH, STEPUP_AMR_HWK,
                                 bind_of("s"), "alice");
    const char *tok = stepup_token_mint(p, ks, &in);
    parts x = split(p, tok);
    size_t i, n = strlen(x.payload);

    for (i = 0; i < n; i++) {
        char *pay = apr_pstrdup(p, x.payload);
        int k;

        for (k = 1; k < 64; k += 31) {   /* two different replacements */
            pay[i] = b64url_alphabet[(b64url_index(x.payload[i]) + k) % 64];
            expect_parse(p, ks, apr_pstrcat(p, "v1.alpha.", pay, ".", x.mac,
                                            NULL), STEPUP_TOKEN_BAD_MAC);
        }
    }
    /* payload shortened or lengthened by one character */
    expect_parse(p, ks, apr_pstrcat(p, "v1.alpha.",
                                    apr_pstrndup(p, x.payload, n - 1), ".",
                                    x.mac, NULL), STEPUP_TOKEN_BAD_MAC);
    expect_parse(p, ks, apr_pstrcat(p, "v1.alpha.", x.payload, "A.", x.mac,
                                    NULL), STEPUP_TOKEN_BAD_MAC);
}

/* Any MAC character changed, one at a time: bad MAC. For the last
 * character, flipping its lowest bit leaves the decoded bytes the same
 * (those bits are padding): only the canonical spelling is accepted. */
static void test_tamper_mac_every_char(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    stepup_token in = make_token(T0, T0 + 300, STEPUP_ACR_PWD, STEPUP_AMR_PWD,
                                 "", "alice");
    const char *tok = stepup_token_mint(p, ks, &in);
    parts x = split(p, tok);
    const char *signed_part = apr_pstrcat(p, "v1.alpha.", x.payload, ".",
                                          NULL);
    size_t i, n = strlen(x.mac);
    int flips[] = { 1, 2, 32 };
    size_t f;

    assert_int_equal(n, STEPUP_B64URL_LEN(STEPUP_MAC_LEN));
    for (i = 0; i < n; i++) {
        for (f = 0; f < sizeof(flips) / sizeof(flips[0]); f++) {
            char *mac = apr_pstrdup(p, x.mac);

            mac[i] = b64url_alphabet[b64url_index(mac[i]) ^ flips[f]];
            expect_parse(p, ks, apr_pstrcat(p, signed_part, mac, NULL),
                         STEPUP_TOKEN_BAD_MAC);
        }
    }
    {
        /* the non-canonical spelling decodes to the very same MAC */
        char *mac = apr_pstrdup(p, x.mac);
        unsigned char *a = NULL, *b = NULL;
        size_t alen = 0, blen = 0;

        mac[n - 1] = b64url_alphabet[b64url_index(mac[n - 1]) ^ 1];
        assert_int_equal(stepup_b64url_decode(p, x.mac, n, &a, &alen), 0);
        assert_int_equal(stepup_b64url_decode(p, mac, n, &b, &blen), 0);
        assert_int_equal(alen, STEPUP_MAC_LEN);
        assert_int_equal(blen, STEPUP_MAC_LEN);
        assert_memory_equal(a, b, STEPUP_MAC_LEN);
    }
    expect_parse(p, ks, tok, STEPUP_TOKEN_OK);
}

/* The known-answer token's MAC contains '_': its '+' '/' spelling (which
 * APR's decoder would take as the same bytes) is refused. */
static void test_mac_standard_alphabet(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    const char *tok =
        "v1.alpha.MTcwMDAwMDAwMHwxNzAwMDAwMzAwfHBocnxod2t8LXxhbGljZQ"
        ".DoMaE2kETVjo9TV_rw7ZHPUj7g6z_DEAZP7XDJMBF5Y";
    char *std = apr_pstrdup(p, tok);
    char *at;

    expect_parse(p, ks, tok, STEPUP_TOKEN_OK);
    for (at = strrchr(std, '.'); *at; at++) {
        if (*at == '_')
            *at = '/';
        else if (*at == '-')
            *at = '+';
    }
    assert_string_not_equal(std, tok);
    expect_parse(p, ks, std, STEPUP_TOKEN_BAD_MAC);
}

/* Characters outside base64url, and padding, in the MAC. */
static void test_mac_charset(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    stepup_token in = make_token(T0, T0 + 300, STEPUP_ACR_PWD, STEPUP_AMR_PWD,
                                 "", "alice");
    const char *tok = stepup_token_mint(p, ks, &in);
    parts x = split(p, tok);
    const char *signed_part = apr_pstrcat(p, "v1.alpha.", x.payload, ".",
                                          NULL);
    static const char bad[] = { '+', '/', '=', ' ', '.', '*', '\x80' };
    size_t i, n = strlen(x.mac);

    for (i = 0; i < sizeof(bad); i++) {
        char *mac = apr_pstrdup(p, x.mac);

        mac[10] = bad[i];
        expect_parse(p, ks, apr_pstrcat(p, signed_part, mac, NULL),
                     STEPUP_TOKEN_BAD_MAC);
        mac = apr_pstrdup(p, x.mac);
        mac[n - 1] = bad[i];
        expect_parse(p, ks, apr_pstrcat(p, signed_part, mac, NULL),
                     STEPUP_TOKEN_BAD_MAC);
    }
    /* padded MAC: "=" appended makes it too long */
    expect_parse(p, ks, apr_pstrcat(p, tok, "=", NULL),
                 STEPUP_TOKEN_MALFORMED);
    expect_parse(p, ks, apr_pstrcat(p, tok, "==", NULL),
                 STEPUP_TOKEN_MALFORMED);
}

/* The MAC covers exactly "v1.<kid>.<payload>" under the key of kid. */
static void test_mac_scope(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ab = unit_keyset(p, "alpha", "beta", NULL);
    const char *payload = "1700000000|1700000300|pwd|pwd|-|alice";
    const char *b64 = unit_ref_b64url(p, payload, strlen(payload));
    const char *head = apr_pstrcat(p, "v1.alpha.", b64, NULL);
    size_t keylen = 0;
    const unsigned char *key = unit_secret("alpha", &keylen);
    unsigned char mac[STEPUP_MAC_LEN];
    static const char *const wrong_scopes[] = { "", "alpha.", "v1.", "V1.alpha.",
                                                "v1.beta." };
    size_t i;

    expect_parse(p, ab, unit_sign_part(p, "alpha", head), STEPUP_TOKEN_OK);
    /* the same string under the other loaded key */
    unit_hmac(unit_secret("beta", &keylen), keylen, head, strlen(head), mac);
    expect_parse(p, ab, apr_pstrcat(p, head, ".",
                                    unit_ref_b64url(p, mac, sizeof(mac)), NULL),
                 STEPUP_TOKEN_BAD_MAC);
    key = unit_secret("alpha", &keylen);
    /* other strings under the right key */
    for (i = 0; i < sizeof(wrong_scopes) / sizeof(wrong_scopes[0]); i++) {
        const char *covered = apr_pstrcat(p, wrong_scopes[i], b64, NULL);

        unit_hmac(key, keylen, covered, strlen(covered), mac);
        expect_parse(p, ab, apr_pstrcat(p, head, ".",
                                        unit_ref_b64url(p, mac, sizeof(mac)),
                                        NULL), STEPUP_TOKEN_BAD_MAC);
    }
    /* the decoded payload, and the head with its trailing dot */
    unit_hmac(key, keylen, payload, strlen(payload), mac);
    expect_parse(p, ab, apr_pstrcat(p, head, ".",
                                    unit_ref_b64url(p, mac, sizeof(mac)), NULL),
                 STEPUP_TOKEN_BAD_MAC);
    unit_hmac(key, keylen, apr_pstrcat(p, head, ".", NULL), strlen(head) + 1,
              mac);
    expect_parse(p, ab, apr_pstrcat(p, head, ".",
                                    unit_ref_b64url(p, mac, sizeof(mac)), NULL),
                 STEPUP_TOKEN_BAD_MAC);
}

/* Not v1.<kid>.<payload>.<mac>: malformed. */
static void test_structure(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    stepup_token in = make_token(T0, T0 + 300, STEPUP_ACR_PWD, STEPUP_AMR_PWD,
                                 "", "alice");
    const char *tok = stepup_token_mint(p, ks, &in);
    parts x = split(p, tok);
    const char *head = apr_pstrcat(p, "v1.alpha.", x.payload, NULL);
    stepup_token out;

    /* MAC truncated, one character too many */
    expect_parse(p, ks, apr_pstrndup(p, tok, strlen(tok) - 1),
                 STEPUP_TOKEN_MALFORMED);
    expect_parse(p, ks, apr_pstrcat(p, tok, "A", NULL),
                 STEPUP_TOKEN_MALFORMED);
    expect_parse(p, ks, apr_pstrcat(p, head, ".", NULL),
                 STEPUP_TOKEN_MALFORMED);
    /* an extra segment, at the end or inside, even a signed one */
    expect_parse(p, ks, apr_pstrcat(p, tok, ".", NULL),
                 STEPUP_TOKEN_MALFORMED);
    expect_parse(p, ks, apr_pstrcat(p, tok, ".x", NULL),
                 STEPUP_TOKEN_MALFORMED);
    expect_parse(p, ks, apr_pstrcat(p, tok, ".", x.mac, NULL),
                 STEPUP_TOKEN_MALFORMED);
    expect_parse(p, ks, apr_pstrcat(p, head, ".x.", x.mac, NULL),
                 STEPUP_TOKEN_MALFORMED);
    expect_parse(p, ks, unit_sign_part(p, "alpha",
                                       apr_pstrcat(p, head, ".x", NULL)),
                 STEPUP_TOKEN_MALFORMED);
    expect_parse(p, ks, unit_sign_part(p, "alpha",
                     apr_pstrcat(p, "v1.alpha.x.", x.payload, NULL)),
                 STEPUP_TOKEN_MALFORMED);
    /* a dot inside a 43-character MAC part: still not that MAC */
    expect_parse(p, ks, apr_pstrcat(p, head, ".AB.",
                                    apr_pstrndup(p, x.mac, strlen(x.mac) - 3),
                                    NULL), STEPUP_TOKEN_BAD_MAC);
    /* missing segments */
    expect_parse(p, ks, head, STEPUP_TOKEN_MALFORMED);
    expect_parse(p, ks, apr_pstrcat(p, "v1.alpha.", x.mac, NULL),
                 STEPUP_TOKEN_MALFORMED);
    expect_parse(p, ks, "v1.alpha", STEPUP_TOKEN_MALFORMED);
    expect_parse(p, ks, "v1.alpha.", STEPUP_TOKEN_MALFORMED);
    expect_parse(p, ks, "v1.", STEPUP_TOKEN_MALFORMED);
    expect_parse(p, ks, "v1", STEPUP_TOKEN_MALFORMED);
    expect_parse(p, ks, "v1...", STEPUP_TOKEN_MALFORMED);
    expect_parse(p, ks, "garbage", STEPUP_TOKEN_MALFORMED);
    /* empty kid, empty payload */
    expect_parse(p, ks, apr_pstrcat(p, "v1..", x.payload, ".", x.mac, NULL),
                 STEPUP_TOKEN_MALFORMED);
    expect_parse(p, ks, unit_sign_part(p, "alpha", "v1.alpha."),
                 STEPUP_TOKEN_MALFORMED);
    /* a kid that no key could have */
    expect_parse(p, ks, apr_pstrcat(p, "v1.al+ha.", x.payload, ".", x.mac,
                                    NULL), STEPUP_TOKEN_MALFORMED);
    expect_parse(p, ks, apr_pstrcat(p, "v1.0123456789abcdefg.", x.payload, ".",
                                    x.mac, NULL), STEPUP_TOKEN_MALFORMED);
    /* empty token, by length: a NULL-free empty string and a cut token */
    assert_status(stepup_token_parse(p, ks, "", 0, &out),
                  STEPUP_TOKEN_MALFORMED);
    assert_status(stepup_token_parse(p, ks, tok, 0, &out),
                  STEPUP_TOKEN_MALFORMED);
    /* the length given is what counts */
    assert_status(stepup_token_parse(p, ks, tok, strlen(tok) - 1, &out),
                  STEPUP_TOKEN_MALFORMED);
    assert_status(stepup_token_parse(p, ks, apr_pstrcat(p, tok, "garbage",
                                                        NULL),
                                     strlen(tok), &out), STEPUP_TOKEN_OK);
    expect_parse(p, ks, tok, STEPUP_TOKEN_OK);
}

/* Characters outside base64url, and padding, in the payload: malformed,
 * even when the MAC is right. */
static void test_payload_charset(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    /* 37 bytes: 37 % 3 == 1, so the padded form ends in "==" */
    const char *payload = "1700000000|1700000300|pwd|pwd|-|alice";
    const char *b64 = unit_ref_b64url(p, payload, strlen(payload));
    static const char bad[] = { '+', '/', '=', ' ', '*', '\x80' };
    size_t i;

    assert_int_equal(strlen(payload) % 3, 1);
    for (i = 0; i < sizeof(bad); i++) {
        char *pay = apr_pstrdup(p, b64);

        pay[7] = bad[i];
        expect_parse(p, ks, unit_sign_part(p, "alpha",
                         apr_pstrcat(p, "v1.alpha.", pay, NULL)),
                     STEPUP_TOKEN_MALFORMED);
    }
    expect_parse(p, ks, unit_sign_part(p, "alpha",
                     apr_pstrcat(p, "v1.alpha.", b64, "==", NULL)),
                 STEPUP_TOKEN_MALFORMED);
    expect_parse(p, ks, unit_sign_part(p, "alpha",
                     apr_pstrcat(p, "v1.alpha.", b64, NULL)),
                 STEPUP_TOKEN_OK);
}

/* STEPUP_TOKEN_MAX characters are accepted, one more is refused even when
 * authentic. */
static void test_token_max_length(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    const char *prefix = "1700000000|1700000300|pwd|pwd|-|";
    char user[4096];
    const char *payload, *tok;
    stepup_token out;
    size_t ulen;

    /* 3 + 5 + 1 + b64(32 + ulen) + 1 + 43 == 4096 for ulen == 3000 */
    memset(user, 'u', sizeof(user));
    ulen = 3000;
    payload = apr_pstrcat(p, prefix, apr_pstrndup(p, user, ulen), NULL);
    tok = unit_sign_payload(p, "alpha", payload, strlen(payload));
    assert_int_equal(strlen(tok), STEPUP_TOKEN_MAX);
    assert_status(parse(p, ks, tok, &out), STEPUP_TOKEN_OK);
    assert_int_equal(strlen(out.user), ulen);

    ulen = 3001;
    payload = apr_pstrcat(p, prefix, apr_pstrndup(p, user, ulen), NULL);
    tok = unit_sign_payload(p, "alpha", payload, strlen(payload));
    assert_int_equal(strlen(tok), STEPUP_TOKEN_MAX + 1);
    expect_parse(p, ks, tok, STEPUP_TOKEN_MALFORMED);

    payload = apr_pstrcat(p, prefix, apr_pstrndup(p, user, sizeof(user)),
                          apr_pstrndup(p, user, sizeof(user)), NULL);
    expect_parse(p, ks, unit_sign_payload(p, "alpha", payload,
                                          strlen(payload)),
                 STEPUP_TOKEN_MALFORMED);
}

/* ---- authentic token, payload fields not as specified ---- */

static void test_payload_good_edges(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    stepup_token out;

    static const char max[] =
        "999999999999|999999999999|phrh|swk|-_AZaz09-_AZaz09-_AZaz|-";

    expect_payload(p, ks, "0|1|pwd|pwd|-|u", 15, STEPUP_TOKEN_OK);
    assert_status(parse(p, ks, unit_sign_payload(p, "alpha", max,
                                                 sizeof(max) - 1), &out),
                  STEPUP_TOKEN_OK);
    assert_true(out.auth_time == 999999999999LL);
    assert_true(out.expires == 999999999999LL);
    assert_string_equal(out.bind, "-_AZaz09-_AZaz09-_AZaz");
    assert_string_equal(out.user, "-");
}

static void test_payload_bad_times(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    static const char *const bad[] = {
        "abc|1700000300|pwd|pwd|-|alice",
        "17000000x0|1700000300|pwd|pwd|-|alice",
        "1700000000|17000003OO|pwd|pwd|-|alice",
        "0123|1700000300|pwd|pwd|-|alice",             /* leading zero */
        "1700000000|0170000300|pwd|pwd|-|alice",
        "00|1700000300|pwd|pwd|-|alice",
        "1700000000000|1700000300|pwd|pwd|-|alice",    /* 13 digits */
        "1700000000|1700000300000|pwd|pwd|-|alice",
        "9999999999999|9999999999999|pwd|pwd|-|alice",
        "-1700000000|1700000300|pwd|pwd|-|alice",      /* signs */
        "1700000000|-1|pwd|pwd|-|alice",
        "+1700000000|1700000300|pwd|pwd|-|alice",
        "|1700000300|pwd|pwd|-|alice",                 /* empty */
        "1700000000||pwd|pwd|-|alice",
        " 1700000000|1700000300|pwd|pwd|-|alice",      /* blanks */
        "1700000000 |1700000300|pwd|pwd|-|alice",
        "0x10|1700000300|pwd|pwd|-|alice",
        "1.7e9|1700000300|pwd|pwd|-|alice",
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_bad_payload(p, ks, bad[i]);
    expect_payload(p, ks, "1700000000|1700000300|pwd|pwd|-|alice",
                   strlen("1700000000|1700000300|pwd|pwd|-|alice"),
                   STEPUP_TOKEN_OK);
}

static void test_payload_bad_acr_amr(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    static const char *const bad[] = {
        "1700000000|1700000300|xyz|pwd|-|alice",
        "1700000000|1700000300|PWD|pwd|-|alice",
        "1700000000|1700000300||pwd|-|alice",
        "1700000000|1700000300|ph|pwd|-|alice",
        "1700000000|1700000300|phrhh|pwd|-|alice",
        "1700000000|1700000300|pwd |pwd|-|alice",
        "1700000000|1700000300|hwk|pwd|-|alice",     /* an amr as acr */
        "1700000000|1700000300|pwd|xyz|-|alice",
        "1700000000|1700000300|pwd|HWK|-|alice",
        "1700000000|1700000300|pwd||-|alice",
        "1700000000|1700000300|pwd|hwkk|-|alice",
        "1700000000|1700000300|pwd|sw|-|alice",
        "1700000000|1700000300|pwd|phr|-|alice",     /* an acr as amr */
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_bad_payload(p, ks, bad[i]);
}

static void test_payload_bad_bind(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    static const char *const bad[] = {
        "1700000000|1700000300|pwd|pwd|AAAAAAAAAAAAAAAAAAAAA|alice",   /* 21 */
        "1700000000|1700000300|pwd|pwd|AAAAAAAAAAAAAAAAAAAAAAA|alice", /* 23 */
        "1700000000|1700000300|pwd|pwd|AAAAAAAAAA+AAAAAAAAAAA|alice",
        "1700000000|1700000300|pwd|pwd|AAAAAAAAAA/AAAAAAAAAAA|alice",
        "1700000000|1700000300|pwd|pwd|AAAAAAAAAAAAAAAAAAAA==|alice",
        "1700000000|1700000300|pwd|pwd|AAAAAAAAAA.AAAAAAAAAAA|alice",
        "1700000000|1700000300|pwd|pwd|AAAAAAAAAA AAAAAAAAAAA|alice",
        "1700000000|1700000300|pwd|pwd||alice",                        /* "" */
        "1700000000|1700000300|pwd|pwd|--|alice",
        "1700000000|1700000300|pwd|pwd|_|alice",
        "1700000000|1700000300|pwd|pwd| -|alice",
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_bad_payload(p, ks, bad[i]);
    {
        static const char good[] =
            "1700000000|1700000300|pwd|pwd|AAAAAAAAAAAAAAAAAAAAAA|alice";
        expect_payload(p, ks, good, sizeof(good) - 1, STEPUP_TOKEN_OK);
    }
}

static void test_payload_bad_user_and_fields(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    static const char *const bad[] = {
        "1700000000|1700000300|pwd|pwd|-|",          /* empty user */
        "1700000000|1700000300|pwd|pwd|-",           /* fewer fields */
        "1700000000|1700000300|pwd|pwd|alice",
        "1700000000|1700000300|pwd|pwd",
        "1700000000|1700000300|pwd",
        "1700000000|1700000300",
        "1700000000",
        "1700000000|pwd|pwd|-|alice",                /* one missing inside */
        "1700000000|1700000300|pwd|-|alice",
        "alice",
        "|||||",
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_bad_payload(p, ks, bad[i]);
    /* a payload segment that is not decodable (length 1 mod 4) */
    expect_parse(p, ks, unit_sign_part(p, "alpha", "v1.alpha.AAAAA"),
                 STEPUP_TOKEN_BAD_PAYLOAD);
}

static void test_payload_nul(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    static const char in_user[] = "1700000000|1700000300|pwd|pwd|-|ali\0ce";
    static const char at_end[] = "1700000000|1700000300|pwd|pwd|-|alice\0";
    static const char in_time[] = "1700000000\0|1700000300|pwd|pwd|-|alice";
    static const char as_user[] = "1700000000|1700000300|pwd|pwd|-|\0";

    expect_payload(p, ks, in_user, sizeof(in_user) - 1,
                   STEPUP_TOKEN_BAD_PAYLOAD);
    expect_payload(p, ks, at_end, sizeof(at_end) - 1,
                   STEPUP_TOKEN_BAD_PAYLOAD);
    expect_payload(p, ks, in_time, sizeof(in_time) - 1,
                   STEPUP_TOKEN_BAD_PAYLOAD);
    expect_payload(p, ks, as_user, sizeof(as_user) - 1,
                   STEPUP_TOKEN_BAD_PAYLOAD);
}

/* ---- policy: stepup_token_check ---- */

static void test_check_user(void **state)
{
    stepup_token t = make_token(T0, T0 + 300, STEPUP_ACR_PWD, STEPUP_AMR_PWD,
                                "", "alice");
    stepup_policy pol = base_policy();
    static const char *const others[] = { "bob", "alic", "alicea", "Alice",
                                          "alice ", " alice", "" };
    size_t i;

    (void)state;
    assert_status(stepup_token_check(&t, &pol), STEPUP_TOKEN_OK);
    for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        pol.user = others[i];
        assert_status(stepup_token_check(&t, &pol), STEPUP_TOKEN_WRONG_USER);
    }
    pol.user = NULL;   /* any user */
    assert_status(stepup_token_check(&t, &pol), STEPUP_TOKEN_OK);
}

/* auth_time at most STEPUP_CLOCK_SKEW (60 s) in the future. */
static void test_check_future(void **state)
{
    stepup_policy pol = base_policy();
    stepup_token t;

    (void)state;
    assert_int_equal(STEPUP_CLOCK_SKEW, 60);
    pol.now = T0;
    t = make_token(T0 + 60, T0 + 300, STEPUP_ACR_PWD, STEPUP_AMR_PWD, "",
                   "alice");
    assert_status(stepup_token_check(&t, &pol), STEPUP_TOKEN_OK);
    t.auth_time = T0 + 61;
    assert_status(stepup_token_check(&t, &pol), STEPUP_TOKEN_FUTURE);
    t.auth_time = T0 + 100000;
    assert_status(stepup_token_check(&t, &pol), STEPUP_TOKEN_FUTURE);
}

/* now < expires. */
static void test_check_expires(void **state)
{
    stepup_policy pol = base_policy();
    stepup_token t = make_token(T0, T0 + 300, STEPUP_ACR_PWD, STEPUP_AMR_PWD,
                                "", "alice");

    (void)state;
    pol.max_age = 100000;
    pol.lifetime = 0;
    pol.now = T0 + 299;
    assert_status(stepup_token_check(&t, &pol), STEPUP_TOKEN_OK);
    pol.now = T0 + 300;
    assert_status(stepup_token_check(&t, &pol), STEPUP_TOKEN_EXPIRED);
    pol.now = T0 + 301;
    assert_status(stepup_token_check(&t, &pol), STEPUP_TOKEN_EXPIRED);
    /* a token that expires before it was confirmed never works */
    t.expires = T0 - 1;
    pol.now = T0;
    assert_status(stepup_token_check(&t, &pol), STEPUP_TOKEN_EXPIRED);
}

/* StepupLifetime caps the life from auth_time whatever expires says; 0 is
 * no cap. */
static void test_check_lifetime(void **state)
{
    stepup_policy pol = base_policy();
    stepup_token t = make_token(T0, T0 + 100000, STEPUP_ACR_PWD,
                                STEPUP_AMR_PWD, "", "alice");

    (void)state;
    pol.max_age = 1000000;
    pol.lifetime = 900;
    pol.now = T0 + 899;
    assert_status(stepup_token_check(&t, &pol), STEPUP_TOKEN_OK);
    pol.now = T0 + 900;
    assert_status(stepup_token_check(&t, &pol), STEPUP_TOKEN_EXPIRED);
    pol.now = T0 + 5000;
    assert_status(stepup_token_check(&t, &pol), STEPUP_TOKEN_EXPIRED);
    pol.lifetime = 0;
    assert_status(stepup_token_check(&t, &pol), STEPUP_TOKEN_OK);
    pol.now = T0 + 99999;
    assert_status(stepup_token_check(&t, &pol), STEPUP_TOKEN_OK);
    pol.now = T0 + 100000;   /* expires still applies */
    assert_status(stepup_token_check(&t, &pol), STEPUP_TOKEN_EXPIRED);
}

/* now - auth_time <= the location's max-age. */
static void test_check_max_age(void **state)
{
    stepup_policy pol = base_policy();
    stepup_token t = make_token(T0, T0 + 10000, STEPUP_ACR_PWD,
                                STEPUP_AMR_PWD, "", "alice");

    (void)state;
    pol.lifetime = 0;
    pol.max_age = 120;
    pol.now = T0 + 120;
    assert_status(stepup_token_check(&t, &pol), STEPUP_TOKEN_OK);
    pol.now = T0 + 121;
    assert_status(stepup_token_check(&t, &pol), STEPUP_TOKEN_TOO_OLD);
    /* a token within the skew in the future is not "too old" */
    pol.now = T0 - 30;
    assert_status(stepup_token_check(&t, &pol), STEPUP_TOKEN_OK);
    /* a different location, a longer max-age */
    pol.now = T0 + 121;
    pol.max_age = 300;
    assert_status(stepup_token_check(&t, &pol), STEPUP_TOKEN_OK);
}

/* pwd < phr < phrh, every pair. */
static void test_check_acr_pairs(void **state)
{
    stepup_policy pol = base_policy();
    int have, need;

    (void)state;
    assert_true(STEPUP_ACR_PWD < STEPUP_ACR_PHR);
    assert_true(STEPUP_ACR_PHR < STEPUP_ACR_PHRH);
    for (have = STEPUP_ACR_PWD; have <= STEPUP_ACR_PHRH; have++) {
        for (need = STEPUP_ACR_PWD; need <= STEPUP_ACR_PHRH; need++) {
            stepup_token t = make_token(T0, T0 + 300, (stepup_acr)have,
                                        STEPUP_AMR_HWK, "", "alice");
            stepup_token_status st;

            pol.min_acr = (stepup_acr)need;
            st = stepup_token_check(&t, &pol);
            if (st != (have >= need ? STEPUP_TOKEN_OK : STEPUP_TOKEN_ACR_LOW))
                fail_msg("token acr %s, location acr %s: \"%s\"",
                         stepup_acr_name((stepup_acr)have),
                         stepup_acr_name((stepup_acr)need),
                         stepup_token_status_str(st));
        }
    }
}

static void test_check_binding(void **state)
{
    stepup_policy pol = base_policy();
    char mine[STEPUP_BIND_LEN + 1], other[STEPUP_BIND_LEN + 1];
    char last[STEPUP_BIND_LEN + 1], first[STEPUP_BIND_LEN + 1];
    char longer[STEPUP_BIND_LEN + 2], shorter[STEPUP_BIND_LEN];
    stepup_token bound, unbound;

    (void)state;
    apr_cpystrn(mine, bind_of("session-mine"), sizeof(mine));
    apr_cpystrn(other, bind_of("session-other"), sizeof(other));
    assert_string_not_equal(mine, other);
    memcpy(last, mine, sizeof(last));
    last[STEPUP_BIND_LEN - 1] =
        b64url_alphabet[b64url_index(last[STEPUP_BIND_LEN - 1]) ^ 1];
    memcpy(first, mine, sizeof(first));
    first[0] = b64url_alphabet[b64url_index(first[0]) ^ 1];
    memcpy(longer, mine, STEPUP_BIND_LEN);
    longer[STEPUP_BIND_LEN] = 'A';
    longer[STEPUP_BIND_LEN + 1] = '\0';
    apr_cpystrn(shorter, mine, sizeof(shorter));   /* 21 characters */

    bound = make_token(T0, T0 + 300, STEPUP_ACR_PWD, STEPUP_AMR_PWD, mine,
                       "alice");
    unbound = make_token(T0, T0 + 300, STEPUP_ACR_PWD, STEPUP_AMR_PWD, "",
                         "alice");

    /* binding off: the token's bind is not looked at */
    pol.bind = NULL;
    assert_status(stepup_token_check(&bound, &pol), STEPUP_TOKEN_OK);
    assert_status(stepup_token_check(&unbound, &pol), STEPUP_TOKEN_OK);
    /* binding on, the request has no session cookie */
    pol.bind = "";
    assert_status(stepup_token_check(&bound, &pol), STEPUP_TOKEN_UNBOUND);
    assert_status(stepup_token_check(&unbound, &pol), STEPUP_TOKEN_UNBOUND);
    /* binding on, the token is not bound */
    pol.bind = mine;
    assert_status(stepup_token_check(&unbound, &pol),
                  STEPUP_TOKEN_BIND_MISMATCH);
    /* another session */
    pol.bind = other;
    assert_status(stepup_token_check(&bound, &pol),
                  STEPUP_TOKEN_BIND_MISMATCH);
    pol.bind = last;
    assert_status(stepup_token_check(&bound, &pol),
                  STEPUP_TOKEN_BIND_MISMATCH);
    pol.bind = first;
    assert_status(stepup_token_check(&bound, &pol),
                  STEPUP_TOKEN_BIND_MISMATCH);
    pol.bind = shorter;
    assert_status(stepup_token_check(&bound, &pol),
                  STEPUP_TOKEN_BIND_MISMATCH);
    pol.bind = longer;
    assert_status(stepup_token_check(&bound, &pol),
                  STEPUP_TOKEN_BIND_MISMATCH);
    /* the same session */
    pol.bind = bind_of("session-mine");
    assert_status(stepup_token_check(&bound, &pol), STEPUP_TOKEN_OK);
}

/* verify = parse, then check only when the token is authentic. */
static void test_verify(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    stepup_token in = make_token(T0, T0 + 300, STEPUP_ACR_PHR, STEPUP_AMR_SWK,
                                 "", "alice");
    const char *tok = stepup_token_mint(p, ks, &in);
    char *bad = apr_pstrdup(p, tok);
    stepup_policy pol = base_policy();
    stepup_token out;

    assert_status(stepup_token_verify(p, ks, tok, strlen(tok), &pol, &out),
                  STEPUP_TOKEN_OK);
    assert_string_equal(out.user, "alice");
    assert_int_equal(out.acr, STEPUP_ACR_PHR);
    pol.user = "mallory";
    assert_status(stepup_token_verify(p, ks, tok, strlen(tok), &pol, &out),
                  STEPUP_TOKEN_WRONG_USER);
    pol = base_policy();
    pol.min_acr = STEPUP_ACR_PHRH;
    assert_status(stepup_token_verify(p, ks, tok, strlen(tok), &pol, &out),
                  STEPUP_TOKEN_ACR_LOW);
    pol = base_policy();
    pol.now = T0 + 300;
    assert_status(stepup_token_verify(p, ks, tok, strlen(tok), &pol, &out),
                  STEPUP_TOKEN_EXPIRED);
    /* a tampered token reports the MAC, not the policy */
    bad[strlen(bad) - 5] = bad[strlen(bad) - 5] == 'A' ? 'B' : 'A';
    assert_status(stepup_token_verify(p, ks, bad, strlen(bad), &pol, &out),
                  STEPUP_TOKEN_BAD_MAC);
}

/* ---- bind, names, status strings ---- */

static void test_bind_compute(void **state)
{
    apr_pool_t *p = *state;
    static const char *const values[] = {
        "", "a", "session-cookie-value",
        "0123456789012345678901234567890123456789012345678901234567890123456789",
    };
    char out[STEPUP_BIND_LEN + 1];
    unsigned char md[SHA256_DIGEST_LENGTH];
    size_t i;

    /* a constant from Python's hashlib */
    assert_int_equal(stepup_bind_compute("session-cookie-value", 20, out), 0);
    assert_string_equal(out, "kkr_DrBVdesd0E1fRbp8Wg");

    for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        memset(out, 'X', sizeof(out));
        assert_int_equal(stepup_bind_compute(values[i], strlen(values[i]),
                                             out), 0);
        SHA256((const unsigned char *)values[i], strlen(values[i]), md);
        assert_string_equal(out, unit_ref_b64url(p, md, 16));
        assert_int_equal(strlen(out), STEPUP_BIND_LEN);
        assert_true(stepup_b64url_valid(out, STEPUP_BIND_LEN, 0));
    }
    /* value[0..len) only; a NUL inside counts */
    assert_int_equal(stepup_bind_compute("abcdef", 3, out), 0);
    SHA256((const unsigned char *)"abc", 3, md);
    assert_string_equal(out, unit_ref_b64url(p, md, 16));
    assert_int_equal(stepup_bind_compute("ab\0cd", 5, out), 0);
    SHA256((const unsigned char *)"ab\0cd", 5, md);
    assert_string_equal(out, unit_ref_b64url(p, md, 16));
    /* different sessions, different values */
    assert_string_not_equal(bind_of("s1"), bind_of("s2"));
}

static void test_acr_amr_names(void **state)
{
    stepup_acr acr = (stepup_acr)0;
    stepup_amr amr = (stepup_amr)0;
    static const char *const bad_acr[] = { "", "PWD", "ph", "phrhh", "hwk",
                                           "xyz", "pw" };
    static const char *const bad_amr[] = { "", "PWD", "phr", "HWK", "hw",
                                           "swkk", "xyz" };
    size_t i;

    (void)state;
    assert_int_equal(stepup_acr_parse("pwd", 3, &acr), 0);
    assert_int_equal(acr, STEPUP_ACR_PWD);
    assert_int_equal(stepup_acr_parse("phr", 3, &acr), 0);
    assert_int_equal(acr, STEPUP_ACR_PHR);
    assert_int_equal(stepup_acr_parse("phrh", 4, &acr), 0);
    assert_int_equal(acr, STEPUP_ACR_PHRH);
    assert_int_equal(stepup_acr_parse("phrh", 3, &acr), 0);   /* s[0..len) */
    assert_int_equal(acr, STEPUP_ACR_PHR);
    for (i = 0; i < sizeof(bad_acr) / sizeof(bad_acr[0]); i++)
        assert_int_equal(stepup_acr_parse(bad_acr[i], strlen(bad_acr[i]),
                                          &acr), -1);
    assert_int_equal(stepup_acr_parse("pwd", 4, &acr), -1);   /* "pwd\0" */

    assert_int_equal(stepup_amr_parse("pwd", 3, &amr), 0);
    assert_int_equal(amr, STEPUP_AMR_PWD);
    assert_int_equal(stepup_amr_parse("hwk", 3, &amr), 0);
    assert_int_equal(amr, STEPUP_AMR_HWK);
    assert_int_equal(stepup_amr_parse("swk", 3, &amr), 0);
    assert_int_equal(amr, STEPUP_AMR_SWK);
    for (i = 0; i < sizeof(bad_amr) / sizeof(bad_amr[0]); i++)
        assert_int_equal(stepup_amr_parse(bad_amr[i], strlen(bad_amr[i]),
                                          &amr), -1);

    assert_string_equal(stepup_acr_name(STEPUP_ACR_PWD), "pwd");
    assert_string_equal(stepup_acr_name(STEPUP_ACR_PHR), "phr");
    assert_string_equal(stepup_acr_name(STEPUP_ACR_PHRH), "phrh");
    assert_string_equal(stepup_acr_name((stepup_acr)0), "?");
    assert_string_equal(stepup_acr_name((stepup_acr)4), "?");
    assert_string_equal(stepup_amr_name(STEPUP_AMR_PWD), "pwd");
    assert_string_equal(stepup_amr_name(STEPUP_AMR_HWK), "hwk");
    assert_string_equal(stepup_amr_name(STEPUP_AMR_SWK), "swk");
    assert_string_equal(stepup_amr_name((stepup_amr)0), "?");
    assert_string_equal(stepup_amr_name((stepup_amr)4), "?");
}

static void test_status_strings(void **state)
{
    int a, b;

    (void)state;
    for (a = STEPUP_TOKEN_OK; a <= STEPUP_TOKEN_TXN_MISMATCH; a++) {
        const char *s = stepup_token_status_str((stepup_token_status)a);

        assert_non_null(s);
        assert_true(s[0] != '\0');
        assert_string_not_equal(s, "?");
        for (b = STEPUP_TOKEN_OK; b < a; b++)
            assert_string_not_equal(s, stepup_token_status_str(
                                           (stepup_token_status)b));
    }
    assert_string_equal(stepup_token_status_str(STEPUP_TOKEN_OK), "valid");
    assert_string_equal(stepup_token_status_str(STEPUP_TOKEN_BAD_MAC),
                        "bad MAC");
    assert_string_equal(stepup_token_status_str(STEPUP_TOKEN_EXPIRED),
                        "expired");
    assert_string_equal(stepup_token_status_str(STEPUP_TOKEN_TXN_MISMATCH),
                        "transaction-bound token for another request");
    assert_string_equal(stepup_token_status_str((stepup_token_status)99), "?");
}

/* ---- mint refusals ---- */

static void test_mint_refusals(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    stepup_keyset empty;
    stepup_token t;
    char *huge = apr_palloc(p, 100001);

    /* the control: this one is minted */
    t = make_token(T0, T0 + 300, STEPUP_ACR_PWD, STEPUP_AMR_PWD, "", "alice");
    assert_non_null(stepup_token_mint(p, ks, &t));

    /* no user */
    t.user = "";
    assert_null(stepup_token_mint(p, ks, &t));
    t.user = NULL;
    assert_null(stepup_token_mint(p, ks, &t));
    t.user = "alice";

    /* no key */
    memset(&empty, 0, sizeof(empty));
    assert_null(stepup_token_mint(p, &empty, &t));
    assert_null(stepup_token_mint(p, NULL, &t));

    /* bad bind: short, bad characters, the wire's "-" */
    apr_cpystrn(t.bind, "AAAAAAAAAAAAAAAAAAAAA", sizeof(t.bind));
    assert_null(stepup_token_mint(p, ks, &t));
    apr_cpystrn(t.bind, "AAAAAAAAAA+AAAAAAAAAAA", sizeof(t.bind));
    assert_null(stepup_token_mint(p, ks, &t));
    apr_cpystrn(t.bind, "AAAAAAAAAAAAAAAAAAAA==", sizeof(t.bind));
    assert_null(stepup_token_mint(p, ks, &t));
    apr_cpystrn(t.bind, "AAAAAAAAAA|AAAAAAAAAAA", sizeof(t.bind));
    assert_null(stepup_token_mint(p, ks, &t));
    apr_cpystrn(t.bind, "-", sizeof(t.bind));
    assert_null(stepup_token_mint(p, ks, &t));
    t.bind[0] = '\0';

    /* times a token cannot carry */
    t.auth_time = -1;
    assert_null(stepup_token_mint(p, ks, &t));
    t.auth_time = 1000000000000LL;
    assert_null(stepup_token_mint(p, ks, &t));
    t.auth_time = T0;
    t.expires = -1;
    assert_null(stepup_token_mint(p, ks, &t));
    t.expires = 1000000000000LL;
    assert_null(stepup_token_mint(p, ks, &t));
    t.expires = T0 + 300;

    /* levels and methods outside the enums */
    t.acr = (stepup_acr)0;
    assert_null(stepup_token_mint(p, ks, &t));
    t.acr = (stepup_acr)4;
    assert_null(stepup_token_mint(p, ks, &t));
    t.acr = STEPUP_ACR_PWD;
    t.amr = (stepup_amr)0;
    assert_null(stepup_token_mint(p, ks, &t));
    t.amr = (stepup_amr)4;
    assert_null(stepup_token_mint(p, ks, &t));
    t.amr = STEPUP_AMR_PWD;

    /* a user too long for STEPUP_TOKEN_MAX */
    memset(huge, 'u', 100000);
    huge[100000] = '\0';
    t.user = huge;
    assert_null(stepup_token_mint(p, ks, &t));

    t.user = "alice";
    assert_non_null(stepup_token_mint(p, ks, &t));
}

/* The longest token minted is exactly STEPUP_TOKEN_MAX, and it parses. */
static void test_mint_size_limit(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    char *user = apr_palloc(p, 3002);
    stepup_token t = make_token(T0, T0 + 300, STEPUP_ACR_PWD, STEPUP_AMR_PWD,
                                "", user);
    stepup_token out;
    const char *tok;

    /* "1700000000|1700000300|pwd|pwd|-|" is 32 bytes: see
     * test_token_max_length */
    memset(user, 'u', 3001);
    user[3000] = '\0';
    tok = stepup_token_mint(p, ks, &t);
    assert_non_null(tok);
    assert_int_equal(strlen(tok), STEPUP_TOKEN_MAX);
    assert_status(parse(p, ks, tok, &out), STEPUP_TOKEN_OK);
    assert_string_equal(out.user, user);

    user[3000] = 'u';
    user[3001] = '\0';
    assert_null(stepup_token_mint(p, ks, &t));
}

/* Mint signs with keys[0] whatever t->kid says. */
static void test_mint_ignores_kid(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ab = unit_keyset(p, "alpha", "beta", NULL);
    stepup_token t = make_token(T0, T0 + 300, STEPUP_ACR_PWD, STEPUP_AMR_PWD,
                                "", "alice");
    const char *tok;

    t.kid = "beta";
    tok = stepup_token_mint(p, ab, &t);
    assert_non_null(tok);
    assert_int_equal(strncmp(tok, "v1.alpha.", 9), 0);
}

/* ---- v2: transaction-bound tokens ---- */

/* The txn of the demo's transfer, "POST /bank/transfer/" with the form
 * "amount=5000&to=bob": computed outside C with
 *   printf 'POST /bank/transfer/\napplication/x-www-form-urlencoded\n'\
 *          'amount=5000&to=bob' | openssl dgst -sha256 -binary \
 *     | head -c 16 | basenc --base64url | tr -d '='
 */
#define TXN_TRANSFER "QkzBjj6JuLvHcfAwpl-w_A"
#define TXN_OTHER    "ttWP0x4Y4ffCjJcBidmZmw"   /* "GET /\n\n" */

static stepup_token make_v2(apr_int64_t auth_time, stepup_acr acr,
                            stepup_amr amr, const char *txn, const char *user)
{
    stepup_token t = make_token(auth_time, auth_time + 300, acr, amr, "",
                                user);

    apr_cpystrn(t.txn, txn, sizeof(t.txn));
    return t;
}

/* "v2.<kid>.<b64url(payload)>.<mac>", signed by the reference HMAC. */
static char *sign_v2(apr_pool_t *p, const char *kid, const char *payload)
{
    return unit_sign_part(p, kid, apr_pstrcat(p, "v2.", kid, ".",
                          unit_ref_b64url(p, payload, strlen(payload)),
                          NULL));
}

static void test_v2_round_trip(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    stepup_token in = make_v2(T0, STEPUP_ACR_PHRH, STEPUP_AMR_HWK,
                              TXN_TRANSFER, "alice");
    stepup_token out;
    stepup_policy pol = base_policy();
    const char *tok;

    apr_cpystrn(in.bind, bind_of("sess"), sizeof(in.bind));
    tok = stepup_token_mint(p, ks, &in);
    assert_non_null(tok);
    assert_int_equal(strncmp(tok, "v2.alpha.", 9), 0);
    assert_status(parse(p, ks, tok, &out), STEPUP_TOKEN_OK);
    assert_string_equal(out.txn, TXN_TRANSFER);
    assert_string_equal(out.bind, in.bind);
    assert_string_equal(out.user, "alice");
    assert_string_equal(out.kid, "alpha");
    assert_true(out.auth_time == T0 && out.expires == T0 + 300);
    assert_int_equal(out.acr, STEPUP_ACR_PHRH);
    assert_int_equal(out.amr, STEPUP_AMR_HWK);
    pol.bind = in.bind;
    assert_status(stepup_token_check_txn(&out, &pol, TXN_TRANSFER),
                  STEPUP_TOKEN_OK);
    assert_status(stepup_token_verify_txn(p, ks, tok, strlen(tok), &pol,
                                          TXN_TRANSFER, &out),
                  STEPUP_TOKEN_OK);

    /* without a txn the very same fields mint the v1 token */
    in.txn[0] = '\0';
    tok = stepup_token_mint(p, ks, &in);
    assert_int_equal(strncmp(tok, "v1.alpha.", 9), 0);
    assert_status(parse(p, ks, tok, &out), STEPUP_TOKEN_OK);
    assert_string_equal(out.txn, "");
}

/* Constants computed with Python's hmac, hashlib and base64 modules, key
 * alpha = 00 01 .. 1f; and the same tokens signed here by hand. */
static void test_v2_wire_format(void **state)
{
    apr_pool_t *p = *state;
    static const char tok1[] =
        "v2.alpha.MTcwMDAwMDAwMHwxNzAwMDAwMzAwfHBocmh8aHdrfC18UWt6QmpqNkp1THZI"
        "Y2ZBd3BsLXdfQXxhbGljZQ"
        ".ybt-P9sIqQbqra6raFXueMfTz44y7pSBxdL4jSzBWeU";
    static const char tok2[] =
        "v2.alpha.MTcwMDAwMDAwMHwxNzAwMDAwMzAwfHB3ZHxwd2R8a2tyX0RyQlZkZXNkMEUx"
        "ZlJicDhXZ3xRa3pCamo2SnVMdkhjZkF3cGwtd19BfGNhcm9sfGFkbWlu"
        ".TFsQETxkR-DFQJxOD0mFHFy--OXZ_7IUDskBYPGnVPY";
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    stepup_token in = make_v2(T0, STEPUP_ACR_PHRH, STEPUP_AMR_HWK,
                              TXN_TRANSFER, "alice");
    stepup_token out;

    assert_string_equal(stepup_token_mint(p, ks, &in), tok1);
    assert_string_equal(sign_v2(p, "alpha", "1700000000|1700000300|phrh|hwk|"
                                "-|" TXN_TRANSFER "|alice"), tok1);
    in = make_v2(T0, STEPUP_ACR_PWD, STEPUP_AMR_PWD, TXN_TRANSFER,
                 "carol|admin");
    apr_cpystrn(in.bind, "kkr_DrBVdesd0E1fRbp8Wg", sizeof(in.bind));
    assert_string_equal(stepup_token_mint(p, ks, &in), tok2);
    assert_status(parse(p, ks, tok2, &out), STEPUP_TOKEN_OK);
    assert_string_equal(out.bind, "kkr_DrBVdesd0E1fRbp8Wg");
    assert_string_equal(out.txn, TXN_TRANSFER);
    assert_string_equal(out.user, "carol|admin");
}

/* The request's txn decides; NULL (a caller that knows only v1) refuses
 * every v2 token, and so do stepup_token_check and stepup_token_verify. */
static void test_v2_check_txn(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    stepup_token in = make_v2(T0, STEPUP_ACR_PHRH, STEPUP_AMR_HWK,
                              TXN_TRANSFER, "alice");
    stepup_token out;
    stepup_policy pol = base_policy();
    const char *tok = stepup_token_mint(p, ks, &in);
    size_t len = strlen(tok);
    static const char *const wrong[] = {
        TXN_OTHER, "", "QkzBjj6JuLvHcfAwpl-w_", "QkzBjj6JuLvHcfAwpl-w_A_",
        "QkzBjj6JuLvHcfAwpl-w_B", "qkzBjj6JuLvHcfAwpl-w_A", "-",
    };
    size_t i;

    assert_status(stepup_token_verify_txn(p, ks, tok, len, &pol, TXN_TRANSFER,
                                          &out), STEPUP_TOKEN_OK);
    for (i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++)
        assert_status(stepup_token_check_txn(&out, &pol, wrong[i]),
                      STEPUP_TOKEN_TXN_MISMATCH);
    assert_status(stepup_token_check_txn(&out, &pol, NULL),
                  STEPUP_TOKEN_TXN_UNEXPECTED);
    assert_status(stepup_token_check(&out, &pol), STEPUP_TOKEN_TXN_UNEXPECTED);
    assert_status(stepup_token_verify(p, ks, tok, len, &pol, &out),
                  STEPUP_TOKEN_TXN_UNEXPECTED);

    /* a v1 token is what it always was, whatever the request's txn */
    in.txn[0] = '\0';
    tok = stepup_token_mint(p, ks, &in);
    assert_status(stepup_token_verify_txn(p, ks, tok, strlen(tok), &pol,
                                          TXN_OTHER, &out), STEPUP_TOKEN_OK);
    assert_status(stepup_token_verify(p, ks, tok, strlen(tok), &pol, &out),
                  STEPUP_TOKEN_OK);
}

/* Every v1 rule still holds for v2, and comes before the txn. */
static void test_v2_v1_rules(void **state)
{
    apr_pool_t *p = *state;
    stepup_token t = make_v2(T0, STEPUP_ACR_PHR, STEPUP_AMR_HWK, TXN_TRANSFER,
                             "alice");
    stepup_policy pol = base_policy();

    (void)p;
    pol.user = "bob";
    assert_status(stepup_token_check_txn(&t, &pol, TXN_TRANSFER),
                  STEPUP_TOKEN_WRONG_USER);
    pol = base_policy();
    pol.now = T0 + 300;
    assert_status(stepup_token_check_txn(&t, &pol, TXN_TRANSFER),
                  STEPUP_TOKEN_EXPIRED);
    pol = base_policy();
    pol.now = T0 - 61;
    assert_status(stepup_token_check_txn(&t, &pol, TXN_TRANSFER),
                  STEPUP_TOKEN_FUTURE);
    pol = base_policy();
    pol.max_age = 5;
    assert_status(stepup_token_check_txn(&t, &pol, TXN_TRANSFER),
                  STEPUP_TOKEN_TOO_OLD);
    pol = base_policy();
    pol.min_acr = STEPUP_ACR_PHRH;
    assert_status(stepup_token_check_txn(&t, &pol, TXN_TRANSFER),
                  STEPUP_TOKEN_ACR_LOW);
    pol = base_policy();
    pol.bind = "";
    assert_status(stepup_token_check_txn(&t, &pol, TXN_TRANSFER),
                  STEPUP_TOKEN_UNBOUND);
    pol.bind = bind_of("sess");
    assert_status(stepup_token_check_txn(&t, &pol, TXN_TRANSFER),
                  STEPUP_TOKEN_BIND_MISMATCH);
    apr_cpystrn(t.bind, bind_of("sess"), sizeof(t.bind));
    assert_status(stepup_token_check_txn(&t, &pol, TXN_TRANSFER),
                  STEPUP_TOKEN_OK);
}

/* The txn is signed: changing it, or the version, breaks the MAC. */
static void test_v2_tamper(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    stepup_token in = make_v2(T0, STEPUP_ACR_PHRH, STEPUP_AMR_HWK,
                              TXN_TRANSFER, "alice");
    const char *tok = stepup_token_mint(p, ks, &in);
    const char *mac = strrchr(tok, '.');
    const char *forged = apr_pstrcat(p, "v2.alpha.", unit_ref_b64url(p,
        "1700000000|1700000300|phrh|hwk|-|" TXN_OTHER "|alice",
        strlen("1700000000|1700000300|phrh|hwk|-|" TXN_OTHER "|alice")),
        mac, NULL);

    expect_parse(p, ks, tok, STEPUP_TOKEN_OK);
    expect_parse(p, ks, forged, STEPUP_TOKEN_BAD_MAC);
    expect_parse(p, ks, apr_pstrcat(p, "v1", tok + 2, NULL),
                 STEPUP_TOKEN_BAD_MAC);
    /* the same payload signed as v1: authentic, but the txn lands in the
     * user name, which is no one's */
    expect_parse(p, ks, unit_sign_part(p, "alpha", apr_pstrcat(p, "v1",
                     apr_pstrndup(p, tok + 2, (size_t)(mac - tok - 2)),
                     NULL)), STEPUP_TOKEN_OK);
}

/* A v2 payload whose txn field is not 22 canonical base64url characters
 * is malformed, however well signed. */
static void test_v2_payload_bad_txn(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    static const char *const bad[] = {
        "-", "", "QkzBjj6JuLvHcfAwpl-w_", "QkzBjj6JuLvHcfAwpl-w_AA",
        "QkzBjj6JuLvHcfAwpl-w_A==", "QkzBjj6JuLvHcfAwpl+w/A",
        "QkzBjj6JuLvHcfAwpl-w_B", "QkzBjj6JuLvHcfAwpl-w_-", " QkzBjj6JuLvHcf"
        "Awpl-w_A", "QkzBjj6JuLvHcfAwpl.w_A",
    };
    const char *head = "1700000000|1700000300|phrh|hwk|-|";
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_parse(p, ks, sign_v2(p, "alpha", apr_pstrcat(p, head, bad[i],
                                                            "|alice", NULL)),
                     STEPUP_TOKEN_BAD_PAYLOAD);
    /* no user after the txn, or no txn at all */
    expect_parse(p, ks, sign_v2(p, "alpha", apr_pstrcat(p, head,
                     TXN_TRANSFER "|", NULL)), STEPUP_TOKEN_BAD_PAYLOAD);
    expect_parse(p, ks, sign_v2(p, "alpha", apr_pstrcat(p, head,
                     TXN_TRANSFER, NULL)), STEPUP_TOKEN_BAD_PAYLOAD);
    /* every last character a 16-byte value can end in is accepted */
    for (i = 0; i < 4; i++) {
        char txn[] = "QkzBjj6JuLvHcfAwpl-w_A";

        txn[21] = "AQgw"[i];
        expect_parse(p, ks, sign_v2(p, "alpha", apr_pstrcat(p, head, txn,
                                                            "|alice", NULL)),
                     STEPUP_TOKEN_OK);
    }
}

/* The user is still last and may hold '|', even a txn-looking one. */
static void test_v2_user_with_bars(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    static const char *const users[] = {
        "a|b", "|", "||", TXN_OTHER "|bob", "-|" TXN_OTHER "|x",
    };
    size_t i;

    for (i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
        stepup_token in = make_v2(T0, STEPUP_ACR_PWD, STEPUP_AMR_PWD,
                                  TXN_TRANSFER, users[i]);
        stepup_token out;
        const char *tok = stepup_token_mint(p, ks, &in);

        assert_non_null(tok);
        assert_status(parse(p, ks, tok, &out), STEPUP_TOKEN_OK);
        assert_string_equal(out.user, users[i]);
        assert_string_equal(out.txn, TXN_TRANSFER);
    }
}

static void test_v2_mint_refusals(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    static const char *const bad[] = {
        "-", "QkzBjj6JuLvHcfAwpl-w_", "QkzBjj6JuLvHcfAwpl-w_B",
        "QkzBjj6JuLvHcfAwpl+w_A", "QkzBjj6JuLvHcfAwpl|w_A", "A",
    };
    stepup_token t = make_v2(T0, STEPUP_ACR_PWD, STEPUP_AMR_PWD, TXN_TRANSFER,
                             "alice");
    size_t i;

    assert_non_null(stepup_token_mint(p, ks, &t));
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        apr_cpystrn(t.txn, bad[i], sizeof(t.txn));
        assert_null(stepup_token_mint(p, ks, &t));
    }
}

/* ---- the request digest ---- */

/* The reference: one EVP_Digest over the text, built here. */
static void ref_txn(apr_pool_t *p, const char *method, const char *target,
                    const char *ctype, const char *body, size_t len,
                    char out[STEPUP_TXN_LEN + 1])
{
    const char *head = apr_pstrcat(p, method, " ", target, "\n", ctype, "\n",
                                   NULL);
    size_t hlen = strlen(head);
    char *text = apr_palloc(p, hlen + len + 1);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    memcpy(text, head, hlen);
    if (len)
        memcpy(text + hlen, body, len);
    assert_true(EVP_Digest(text, hlen + len, md, &mdlen, EVP_sha256(), NULL));
    apr_cpystrn(out, unit_ref_b64url(p, md, 16), STEPUP_TXN_LEN + 1);
}

static void test_txn_known_answers(void **state)
{
    apr_pool_t *p = *state;
    static const struct {
        const char *method, *target, *ctype, *body, *want;
    } v[] = {
        /* printf '<text>' | openssl dgst -sha256 -binary | head -c 16
         *   | basenc --base64url | tr -d '=' */
        { "POST", "/bank/transfer/", "application/x-www-form-urlencoded",
          "amount=5000&to=bob", TXN_TRANSFER },
        { "GET", "/", NULL, "", TXN_OTHER },
        { "POST", "/api/x?y=1", "application/json; charset=utf-8",
          "{\"a\":1}\n", "FSbKDHexVJ5zUuQxYQk0Lg" },
    };
    unsigned char raw[STEPUP_TXN_RAW_LEN];
    char b64[STEPUP_TXN_LEN + 1], ref[STEPUP_TXN_LEN + 1];
    size_t i;

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        assert_int_equal(stepup_txn_compute(v[i].method, v[i].target,
                                            v[i].ctype, v[i].body,
                                            strlen(v[i].body), raw, b64), 0);
        assert_string_equal(b64, v[i].want);
        assert_string_equal(unit_ref_b64url(p, raw, sizeof(raw)), v[i].want);
        ref_txn(p, v[i].method, v[i].target, v[i].ctype ? v[i].ctype : "",
                v[i].body, strlen(v[i].body), ref);
        assert_string_equal(ref, v[i].want);
        assert_true(stepup_txn_valid(b64, strlen(b64)));
    }
}

/* Fed in pieces, split anywhere, the digest is the one-shot's and the
 * reference's; binary bodies included. */
static void test_txn_streaming(void **state)
{
    apr_pool_t *p = *state;
    char body[300], ref[STEPUP_TXN_LEN + 1], b64[STEPUP_TXN_LEN + 1];
    unsigned char raw[STEPUP_TXN_RAW_LEN], raw1[STEPUP_TXN_RAW_LEN];
    size_t i, cut;

    for (i = 0; i < sizeof(body); i++)
        body[i] = (char)(i * 7);       /* NUL, LF and high bytes too */
    ref_txn(p, "PUT", "/a/b?c=d%20e", "multipart/form-data; boundary=x",
            body, sizeof(body), ref);
    for (cut = 0; cut <= sizeof(body); cut += 13) {
        stepup_txn_ctx *ctx = stepup_txn_start(p, "PUT", "/a/b?c=d%20e",
                                               "multipart/form-data; "
                                               "boundary=x");
        assert_non_null(ctx);
        assert_int_equal(stepup_txn_body(ctx, body, cut), 0);
        assert_int_equal(stepup_txn_body(ctx, NULL, 0), 0);
        assert_int_equal(stepup_txn_body(ctx, body + cut,
                                         sizeof(body) - cut), 0);
        assert_int_equal(stepup_txn_finish(ctx, raw, b64), 0);
        assert_string_equal(b64, ref);
        assert_string_equal(unit_ref_b64url(p, raw, sizeof(raw)), ref);
        /* finished: no more bytes, no second answer */
        assert_int_equal(stepup_txn_body(ctx, "x", 1), -1);
        assert_int_equal(stepup_txn_finish(ctx, raw, b64), -1);
    }
    assert_int_equal(stepup_txn_compute("PUT", "/a/b?c=d%20e",
                                        "multipart/form-data; boundary=x",
                                        body, sizeof(body), raw1, NULL), 0);
    assert_memory_equal(raw1, raw, sizeof(raw));
    /* no Content-Type is an empty one; a body of 0 bytes may be NULL */
    assert_int_equal(stepup_txn_compute("GET", "/", NULL, NULL, 0, NULL, b64),
                     0);
    assert_string_equal(b64, TXN_OTHER);
    assert_int_equal(stepup_txn_compute("GET", "/", "", NULL, 0, NULL, b64),
                     0);
    assert_string_equal(b64, TXN_OTHER);
}

/* Each field changes the digest; values that would make two requests hash
 * the same text are refused. */
static void test_txn_fields(void **state)
{
    apr_pool_t *p = *state;
    static const struct {
        const char *method, *target, *ctype, *body;
    } v[] = {
        { "POST", "/t", "text/plain", "amount=5000" },
        { "PUT", "/t", "text/plain", "amount=5000" },
        { "POST", "/t?", "text/plain", "amount=5000" },
        { "POST", "/t", "text/plain ", "amount=5000" },
        { "POST", "/t", "text/plain", "amount=5001" },
        { "POST", "/t", "text/plain", "amount=5000\n" },
        { "POST", "/t", "", "amount=5000" },
    };
    char b64[sizeof(v) / sizeof(v[0])][STEPUP_TXN_LEN + 1];
    size_t i, j;

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        assert_int_equal(stepup_txn_compute(v[i].method, v[i].target,
                                            v[i].ctype, v[i].body,
                                            strlen(v[i].body), NULL, b64[i]),
                         0);
        for (j = 0; j < i; j++)
            assert_string_not_equal(b64[i], b64[j]);
    }
    assert_int_equal(stepup_txn_compute("", "/", NULL, NULL, 0, NULL, b64[0]),
                     -1);
    assert_int_equal(stepup_txn_compute(NULL, "/", NULL, NULL, 0, NULL,
                                        b64[0]), -1);
    assert_int_equal(stepup_txn_compute("GET", "", NULL, NULL, 0, NULL,
                                        b64[0]), -1);
    assert_int_equal(stepup_txn_compute("GET", NULL, NULL, NULL, 0, NULL,
                                        b64[0]), -1);
    assert_int_equal(stepup_txn_compute("GE T", "/", NULL, NULL, 0, NULL,
                                        b64[0]), -1);
    assert_int_equal(stepup_txn_compute("GET", "/a b", NULL, NULL, 0, NULL,
                                        b64[0]), -1);
    assert_int_equal(stepup_txn_compute("GET", "/a\nb", NULL, NULL, 0, NULL,
                                        b64[0]), -1);
    assert_int_equal(stepup_txn_compute("GET\n", "/", NULL, NULL, 0, NULL,
                                        b64[0]), -1);
    assert_int_equal(stepup_txn_compute("GET", "/", "a\nb", NULL, 0, NULL,
                                        b64[0]), -1);
    assert_null(stepup_txn_start(p, "GET", "/", "a\nb"));
    assert_null(stepup_txn_start(p, "GE T", "/", NULL));
}

static void test_txn_valid(void **state)
{
    (void)state;
    assert_true(stepup_txn_valid(TXN_TRANSFER, 22));
    assert_true(stepup_txn_valid("____________________-w", 22));
    assert_false(stepup_txn_valid(TXN_TRANSFER, 21));
    assert_false(stepup_txn_valid("QkzBjj6JuLvHcfAwpl-w_AA", 23));
    assert_false(stepup_txn_valid("QkzBjj6JuLvHcfAwpl-w_B", 22));
    assert_false(stepup_txn_valid("QkzBjj6JuLvHcfAwpl=w_A", 22));
    assert_false(stepup_txn_valid("-", 1));
    assert_false(stepup_txn_valid("", 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_round_trip),
        UNIT_TEST(test_round_trip_all_fields),
        UNIT_TEST(test_wire_format_known_answer),
        UNIT_TEST(test_wire_format_by_hand),
        UNIT_TEST(test_user_with_bars),
        UNIT_TEST(test_rotation),
        UNIT_TEST(test_unknown_kid),
        UNIT_TEST(test_bad_version),
        UNIT_TEST(test_tamper_kid),
        UNIT_TEST(test_tamper_payload_every_char),
        UNIT_TEST(test_tamper_mac_every_char),
        UNIT_TEST(test_mac_standard_alphabet),
        UNIT_TEST(test_mac_charset),
        UNIT_TEST(test_mac_scope),
        UNIT_TEST(test_structure),
        UNIT_TEST(test_payload_charset),
        UNIT_TEST(test_token_max_length),
        UNIT_TEST(test_payload_good_edges),
        UNIT_TEST(test_payload_bad_times),
        UNIT_TEST(test_payload_bad_acr_amr),
        UNIT_TEST(test_payload_bad_bind),
        UNIT_TEST(test_payload_bad_user_and_fields),
        UNIT_TEST(test_payload_nul),
        UNIT_TEST(test_check_user),
        UNIT_TEST(test_check_future),
        UNIT_TEST(test_check_expires),
        UNIT_TEST(test_check_lifetime),
        UNIT_TEST(test_check_max_age),
        UNIT_TEST(test_check_acr_pairs),
        UNIT_TEST(test_check_binding),
        UNIT_TEST(test_verify),
        UNIT_TEST(test_bind_compute),
        UNIT_TEST(test_acr_amr_names),
        UNIT_TEST(test_status_strings),
        UNIT_TEST(test_mint_refusals),
        UNIT_TEST(test_mint_size_limit),
        UNIT_TEST(test_mint_ignores_kid),
        UNIT_TEST(test_v2_round_trip),
        UNIT_TEST(test_v2_wire_format),
        UNIT_TEST(test_v2_check_txn),
        UNIT_TEST(test_v2_v1_rules),
        UNIT_TEST(test_v2_tamper),
        UNIT_TEST(test_v2_payload_bad_txn),
        UNIT_TEST(test_v2_user_with_bars),
        UNIT_TEST(test_v2_mint_refusals),
        UNIT_TEST(test_txn_known_answers),
        UNIT_TEST(test_txn_streaming),
        UNIT_TEST(test_txn_fields),
        UNIT_TEST(test_txn_valid),
    };

    return cmocka_run_group_tests_name("token", tests, unit_group_setup,
                                       unit_group_teardown);
}
