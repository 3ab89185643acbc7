/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The WebAuthn core one building block at a time (src/webauthn/): bounded
 * CBOR items, clientDataJSON, authenticator data, COSE keys and
 * signatures, the standard response JSON, attestation trust stores. Every
 * refusal is checked with its exact one-line reason. The ceremonies are
 * test_webauthn_ceremony.c's.
 */
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_strings.h>
#include <cbor.h>
#include <openssl/evp.h>

#include "unit_util.h"
#include "wa_fixture.h"
#include "webauthn_internal.h"

static int group_setup(void **state)
{
    return unit_group_setup(state);
}

static int group_teardown(void **state)
{
    wa_fixture_free();
    return unit_group_teardown(state);
}

/* ================================================================== */
/* cbor.c                                                              */

static void test_cbor_length_and_trailing(void **state)
{
    apr_pool_t *p = *state;
    static const unsigned char buf[] = { 0xa1, 0x01, 0x02, 0x00 };
    cbor_item_t *item = NULL;
    const char *why = NULL;
    size_t used = 0;

    assert_accepted(stepup_cbor_item_length(p, buf, sizeof(buf), "t", &used,
                                            &why), why);
    assert_int_equal(used, 3);
    assert_accepted(stepup_cbor_load(p, buf, sizeof(buf), 0, "t", &item,
                                     &used, &why), why);
    assert_true(cbor_isa_map(item));
    assert_int_equal(used, 3);
    stepup_cbor_release(p, item);
    assert_refused(stepup_cbor_load(p, buf, sizeof(buf), 1, "t", &item, NULL,
                                    &why), why,
                   "t: 1 trailing bytes after the CBOR item");
    assert_null(item);
    assert_refused(stepup_cbor_item_length(p, buf, 0, "t", &used, &why), why,
                   "t: empty (no CBOR item)");
}

static void test_cbor_truncated_every_length(void **state)
{
    apr_pool_t *p = *state;
    const wa_key *k = wa_key_get(WA_KEY_ES256);
    const char *why;
    cbor_item_t *item;
    size_t n, used;

    for (n = 1; n < k->cose_len; n++) {
        why = NULL;
        assert_refused_prefix(stepup_cbor_item_length(p, k->cose, n, "t",
                                                      &used, &why), why,
                              "t: truncated CBOR");
        why = NULL;
        assert_refused_prefix(stepup_cbor_load(p, k->cose, n, 0, "t", &item,
                                               NULL, &why), why,
                              "t: truncated CBOR");
    }
    /* a map of 5 pairs in 1, 2, 9 bytes: too short before anything */
    assert_refused(stepup_cbor_item_length(p, k->cose, 1, "t", &used, &why),
                   why, "t: truncated CBOR (a map of 5 pairs at byte 0, 1 "
                   "bytes left)");
    assert_refused(stepup_cbor_item_length(p, k->cose, 9, "t", &used, &why),
                   why, "t: truncated CBOR (a map of 5 pairs at byte 0, 9 "
                   "bytes left)");
    /* 2 + 32 bytes of x missing most of it */
    assert_refused(stepup_cbor_item_length(p, k->cose, 20, "t", &used, &why),
                   why, "t: truncated CBOR");
    assert_accepted(stepup_cbor_item_length(p, k->cose, k->cose_len, "t",
                                            &used, &why), why);
    assert_int_equal(used, k->cose_len);
}

static void test_cbor_depth_limit(void **state)
{
    apr_pool_t *p = *state;
    unsigned char buf[64];
    const char *why = NULL;
    cbor_item_t *item;
    size_t used;
    int depth;

    /* 16 nested arrays hold an integer: fine; 17 are refused */
    for (depth = 16; depth <= 17; depth++) {
        memset(buf, 0x81, (size_t)depth);
        buf[depth] = 0x00;
        if (depth == 16) {
            assert_accepted(stepup_cbor_load(p, buf, 17, 1, "t", &item, &used,
                                             &why), why);
            assert_int_equal(used, 17);
        }
        else
            assert_refused(stepup_cbor_load(p, buf, 18, 1, "t", &item, NULL,
                                            &why), why,
                           "t: CBOR refused at byte 16: nested deeper than 16"
                           " levels");
    }
    /* the same through maps and tags */
    memset(buf, 0, sizeof(buf));
    for (depth = 0; depth < 17; depth++)
        buf[depth] = depth % 2 ? 0xc1 : 0xa1;   /* map of 1, tag 1 */
    assert_refused(stepup_cbor_item_length(p, buf, sizeof(buf), "t", &used,
                                           &why), why,
                   "t: CBOR refused at byte 16: nested deeper than 16 levels");
}

static void test_cbor_announced_sizes(void **state)
{
    apr_pool_t *p = *state;
    /* an array of 2^31 - 1 entries, a map of 2^32 - 1 pairs, a byte string
     * of 4 GiB: a few bytes each, no allocation may follow */
    static const unsigned char arr[] = { 0x9a, 0x7f, 0xff, 0xff, 0xff, 0x00 };
    static const unsigned char map[] = { 0xba, 0xff, 0xff, 0xff, 0xff, 0x00 };
    static const unsigned char big[] = { 0x5a, 0xff, 0xff, 0xff, 0xff, 0x00 };
    static const unsigned char map3[] = { 0xa3, 0x01, 0x02, 0x03, 0x04 };
    const char *why = NULL;
    cbor_item_t *item;

    assert_refused(stepup_cbor_load(p, arr, sizeof(arr), 1, "t", &item, NULL,
                                    &why), why,
                   "t: truncated CBOR (an array of 2147483647 items at byte "
                   "0, 6 bytes left)");
    assert_refused(stepup_cbor_load(p, map, sizeof(map), 1, "t", &item, NULL,
                                    &why), why,
                   "t: truncated CBOR (a map of 4294967295 pairs at byte 0, "
                   "6 bytes left)");
    assert_refused(stepup_cbor_load(p, big, sizeof(big), 1, "t", &item, NULL,
                                    &why), why, "t: truncated CBOR");
    /* a map of 3 pairs with 4 bytes after the head: truncated */
    assert_refused(stepup_cbor_load(p, map3, sizeof(map3), 1, "t", &item,
                                    NULL, &why), why,
                   "t: truncated CBOR (a map of 3 pairs at byte 0, 5 bytes "
                   "left)");
}

static void test_cbor_indefinite_and_break(void **state)
{
    apr_pool_t *p = *state;
    static const unsigned char ok_arr[] = { 0x9f, 0x01, 0x02, 0xff };
    static const unsigned char ok_bytes[] = { 0x5f, 0x41, 0xaa, 0x41, 0xbb,
                                              0xff };
    static const unsigned char lone_break[] = { 0xff };
    static const unsigned char def_break[] = { 0x82, 0x01, 0xff };
    static const unsigned char odd_map[] = { 0xbf, 0x01, 0xff };
    static const unsigned char mixed[] = { 0x5f, 0x61, 0x61, 0xff };
    static const unsigned char reserved[] = { 0x1c };
    const char *why = NULL;
    cbor_item_t *item;
    size_t used;

    assert_accepted(stepup_cbor_load(p, ok_arr, sizeof(ok_arr), 1, "t",
                                     &item, &used, &why), why);
    assert_int_equal(cbor_array_size(item), 2);
    assert_accepted(stepup_cbor_load(p, ok_bytes, sizeof(ok_bytes), 1, "t",
                                     &item, &used, &why), why);
    assert_true(cbor_isa_bytestring(item));
    assert_refused(stepup_cbor_item_length(p, lone_break, 1, "t", &used,
                                           &why), why,
                   "t: CBOR refused at byte 0: a \"break\" outside an "
                   "indefinite-length item");
    assert_refused(stepup_cbor_item_length(p, def_break, 3, "t", &used, &why),
                   why, "t: CBOR refused at byte 2: a \"break\" outside an "
                   "indefinite-length item");
    assert_refused(stepup_cbor_item_length(p, odd_map, 3, "t", &used, &why),
                   why, "t: CBOR refused at byte 2: an indefinite-length map "
                   "ends between a key and its value");
    assert_refused(stepup_cbor_item_length(p, mixed, 4, "t", &used, &why),
                   why, "t: CBOR refused at byte 1: an indefinite-length "
                   "string holds a chunk of another type");
    assert_refused(stepup_cbor_item_length(p, reserved, 1, "t", &used, &why),
                   why, "t: malformed CBOR at byte 0");
}

static void test_cbor_value_helpers(void **state)
{
    apr_pool_t *p = *state;
    cbor_item_t *it;
    const unsigned char *b;
    const char *s;
    size_t len;
    int64_t v;

    it = wa_cbor_int(-257);
    assert_int_equal(stepup_cbor_int(it, &v), 0);
    assert_int_equal(v, -257);
    cbor_decref(&it);
    it = cbor_build_uint64(UINT64_MAX);
    assert_int_equal(stepup_cbor_int(it, &v), -1);
    cbor_decref(&it);
    it = cbor_build_negint64(UINT64_MAX);   /* -2^64 */
    assert_int_equal(stepup_cbor_int(it, &v), -1);
    cbor_decref(&it);
    it = wa_cbor_text("fmt");
    assert_int_equal(stepup_cbor_int(it, &v), -1);
    assert_int_equal(stepup_cbor_bytes(it, &b, &len), -1);
    assert_int_equal(stepup_cbor_text(it, &s, &len), 0);
    assert_int_equal(len, 3);
    assert_true(stepup_cbor_text_is(it, "fmt"));
    assert_false(stepup_cbor_text_is(it, "fm"));
    assert_false(stepup_cbor_text_is(it, "fmtx"));
    cbor_decref(&it);
    it = wa_cbor_bytes("", 0);
    assert_int_equal(stepup_cbor_bytes(it, &b, &len), 0);
    assert_int_equal(len, 0);
    assert_non_null(b);
    cbor_decref(&it);
    (void)p;
}

/* ================================================================== */
/* clientdata.c                                                        */

static int cd_check(apr_pool_t *p, const stepup_webauthn_policy *pol,
                    const char *type, const char *json, const char **why)
{
    *why = NULL;
    return stepup_clientdata_check(p, pol, type, (const unsigned char *)json,
                                   strlen(json), why);
}

static char *cd(apr_pool_t *p, const char *type, const char *extra)
{
    return wa_client_data(p, type, wa_challenge, sizeof(wa_challenge),
                          WA_ORIGIN, extra);
}

static void test_clientdata_ok(void **state)
{
    apr_pool_t *p = *state;
    stepup_webauthn_policy pol;
    const char *why;

    wa_policy(&pol);
    assert_accepted(cd_check(p, &pol, "webauthn.create",
                             cd(p, "webauthn.create", NULL), &why), why);
    assert_accepted(cd_check(p, &pol, "webauthn.get",
                             cd(p, "webauthn.get", NULL), &why), why);
    /* unknown members are ignored, escaped slashes are unescaped */
    assert_accepted(cd_check(p, &pol, "webauthn.get",
                             cd(p, "webauthn.get", ",\"extraData\":\"x\","
                                "\"other_keys_can_be_added_here\":1"), &why),
                    why);
    assert_accepted(cd_check(p, &pol, "webauthn.get", apr_psprintf(
                                 p, "{\"type\":\"webauthn.get\",\"challenge\":"
                                 "\"%s\",\"origin\":\"https:\\/\\/example.com"
                                 "\"}", wa_b64url(p, wa_challenge, 32)),
                             &why), why);
}

static void test_clientdata_type(void **state)
{
    apr_pool_t *p = *state;
    stepup_webauthn_policy pol;
    const char *why;

    wa_policy(&pol);
    assert_refused(cd_check(p, &pol, "webauthn.create",
                            cd(p, "webauthn.get", NULL), &why), why,
                   "clientDataJSON.type is \"webauthn.get\", expected "
                   "\"webauthn.create\"");
    assert_refused(cd_check(p, &pol, "webauthn.get",
                            cd(p, "webauthn.create", NULL), &why), why,
                   "clientDataJSON.type is \"webauthn.create\", expected "
                   "\"webauthn.get\"");
    assert_refused(cd_check(p, &pol, "webauthn.get",
                            "{\"challenge\":\"AA\",\"origin\":\"x\"}", &why),
                   why, "clientDataJSON has no \"type\"");
    assert_refused(cd_check(p, &pol, "webauthn.get",
                            "{\"type\":1,\"challenge\":\"AA\"}", &why), why,
                   "clientDataJSON.type is not a string");
}

static void test_clientdata_challenge(void **state)
{
    apr_pool_t *p = *state;
    stepup_webauthn_policy pol;
    unsigned char other[32];
    const char *why, *b64;

    wa_policy(&pol);
    memcpy(other, wa_challenge, 32);
    other[31] ^= 1;
    assert_refused(cd_check(p, &pol, "webauthn.get",
                            wa_client_data(p, "webauthn.get", other, 32,
                                           WA_ORIGIN, NULL), &why), why,
                   "clientDataJSON.challenge is not the challenge issued");
    /* a prefix of the challenge is not the challenge */
    assert_refused(cd_check(p, &pol, "webauthn.get",
                            wa_client_data(p, "webauthn.get", wa_challenge, 31,
                                           WA_ORIGIN, NULL), &why), why,
                   "clientDataJSON.challenge is not the challenge issued");
    /* padded base64url is the same challenge */
    b64 = wa_b64url(p, wa_challenge, 32);
    assert_accepted(cd_check(p, &pol, "webauthn.get", apr_psprintf(
                                 p, "{\"type\":\"webauthn.get\",\"challenge\":"
                                 "\"%s=\",\"origin\":\"%s\"}", b64, WA_ORIGIN),
                             &why), why);
    assert_refused(cd_check(p, &pol, "webauthn.get", apr_psprintf(
                                p, "{\"type\":\"webauthn.get\",\"challenge\":"
                                "\"%s$\",\"origin\":\"%s\"}", b64, WA_ORIGIN),
                            &why), why,
                   "clientDataJSON.challenge is not base64url");
    assert_refused(cd_check(p, &pol, "webauthn.get",
                            "{\"type\":\"webauthn.get\",\"challenge\":"
                            "\"ab+/\",\"origin\":\"x\"}", &why), why,
                   "clientDataJSON.challenge is not base64url");
    assert_refused(cd_check(p, &pol, "webauthn.get",
                            "{\"type\":\"webauthn.get\",\"origin\":\"x\"}",
                            &why), why,
                   "clientDataJSON has no \"challenge\"");
    assert_refused(cd_check(p, &pol, "webauthn.get",
                            "{\"type\":\"webauthn.get\",\"challenge\":[],"
                            "\"origin\":\"x\"}", &why), why,
                   "clientDataJSON.challenge is not a string");
    pol.challenge_len = 0;
    assert_refused(cd_check(p, &pol, "webauthn.get",
                            cd(p, "webauthn.get", NULL), &why), why,
                   "policy: no challenge to compare with");
}

static void test_clientdata_origin(void **state)
{
    apr_pool_t *p = *state;
    stepup_webauthn_policy pol;
    const char *why;

    wa_policy(&pol);
    assert_refused(cd_check(p, &pol, "webauthn.get",
                            wa_client_data(p, "webauthn.get", wa_challenge, 32,
                                           "https://evil.example", NULL),
                            &why), why,
                   "clientDataJSON.origin \"https://evil.example\" is not an "
                   "accepted origin");
    /* exact: no trailing slash, no other port, no subdomain */
    assert_refused(cd_check(p, &pol, "webauthn.get",
                            wa_client_data(p, "webauthn.get", wa_challenge, 32,
                                           "https://example.com/", NULL),
                            &why), why,
                   "clientDataJSON.origin \"https://example.com/\" is not an "
                   "accepted origin");
    assert_refused(cd_check(p, &pol, "webauthn.get",
                            wa_client_data(p, "webauthn.get", wa_challenge, 32,
                                           "https://example.com:8443", NULL),
                            &why), why,
                   "clientDataJSON.origin \"https://example.com:8443\" is not "
                   "an accepted origin");
    assert_refused(cd_check(p, &pol, "webauthn.get",
                            wa_client_data(p, "webauthn.get", wa_challenge, 32,
                                           "https://sub.example.com", NULL),
                            &why), why,
                   "clientDataJSON.origin \"https://sub.example.com\" is not "
                   "an accepted origin");
    /* control characters never reach the reason */
    assert_refused(cd_check(p, &pol, "webauthn.get",
                            wa_client_data(p, "webauthn.get", wa_challenge, 32,
                                           "https://a\\u0001\\nb", NULL),
                            &why), why,
                   "clientDataJSON.origin \"https://a??b\" is not an accepted "
                   "origin");
}

static void test_clientdata_origin_any(void **state)
{
    apr_pool_t *p = *state;
    static const char *const two[] = { "https://a.example",
                                       "android:apk-key-hash:abc" };
    stepup_webauthn_policy pol;
    const char *why;

    wa_policy(&pol);
    /* any of several */
    pol.origins = two;
    pol.norigins = 2;
    assert_accepted(cd_check(p, &pol, "webauthn.get",
                             wa_client_data(p, "webauthn.get", wa_challenge,
                                            32, "android:apk-key-hash:abc",
                                            NULL), &why), why);
    assert_accepted(cd_check(p, &pol, "webauthn.get",
                             wa_client_data(p, "webauthn.get", wa_challenge,
                                            32, "https://a.example", NULL),
                             &why), why);
    assert_refused(cd_check(p, &pol, "webauthn.get",
                            cd(p, "webauthn.get", NULL), &why), why,
                   "clientDataJSON.origin \"https://example.com\" is not an "
                   "accepted origin");
    assert_refused(cd_check(p, &pol, "webauthn.get", apr_psprintf(
                                p, "{\"type\":\"webauthn.get\",\"challenge\":"
                                "\"%s\"}", wa_b64url(p, wa_challenge, 32)),
                            &why), why, "clientDataJSON has no \"origin\"");
    pol.norigins = 0;
    assert_refused(cd_check(p, &pol, "webauthn.get",
                            cd(p, "webauthn.get", NULL), &why), why,
                   "policy: no accepted origin");
}

static char *cd_cross(apr_pool_t *p, const char *cross, const char *extra)
{
    return apr_psprintf(p, "{\"type\":\"webauthn.get\",\"challenge\":\"%s\","
                        "\"origin\":\"%s\"%s%s%s}",
                        wa_b64url(p, wa_challenge, 32), WA_ORIGIN,
                        cross ? ",\"crossOrigin\":" : "", cross ? cross : "",
                        extra ? extra : "");
}

static void test_clientdata_cross_origin(void **state)
{
    apr_pool_t *p = *state;
    stepup_webauthn_policy pol;
    const char *why;

    wa_policy(&pol);
    assert_accepted(cd_check(p, &pol, "webauthn.get", cd_cross(p, NULL, NULL),
                             &why), why);
    assert_accepted(cd_check(p, &pol, "webauthn.get",
                             cd_cross(p, "false", NULL), &why), why);
    assert_refused(cd_check(p, &pol, "webauthn.get",
                            cd_cross(p, "true", NULL), &why), why,
                   "clientDataJSON.crossOrigin is true: cross-origin (iframe) "
                   "ceremonies are not allowed");
    assert_refused(cd_check(p, &pol, "webauthn.get",
                            cd_cross(p, "\"true\"", NULL), &why), why,
                   "clientDataJSON.crossOrigin is not a boolean");
    assert_refused(cd_check(p, &pol, "webauthn.get",
                            cd_cross(p, "false", ",\"topOrigin\":"
                                     "\"https://top.example\""), &why), why,
                   "clientDataJSON.topOrigin is present but crossOrigin is "
                   "not true");
    assert_refused(cd_check(p, &pol, "webauthn.get",
                            cd_cross(p, NULL, ",\"topOrigin\":"
                                     "\"https://top.example\""), &why), why,
                   "clientDataJSON.topOrigin is present but crossOrigin is "
                   "not true");
    pol.allow_cross_origin = 1;
    assert_accepted(cd_check(p, &pol, "webauthn.get",
                             cd_cross(p, "true", NULL), &why), why);
    assert_accepted(cd_check(p, &pol, "webauthn.get",
                             cd_cross(p, "true", ",\"topOrigin\":"
                                      "\"https://top.example\""), &why), why);
    assert_refused(cd_check(p, &pol, "webauthn.get",
                            cd_cross(p, "true", ",\"topOrigin\":7"), &why),
                   why, "clientDataJSON.topOrigin is not a string");
}

static void test_clientdata_token_binding(void **state)
{
    apr_pool_t *p = *state;
    stepup_webauthn_policy pol;
    const char *why;

    wa_policy(&pol);
    assert_accepted(cd_check(p, &pol, "webauthn.get",
                             cd(p, "webauthn.get",
                                ",\"tokenBinding\":\"unused\""), &why), why);
    assert_accepted(cd_check(p, &pol, "webauthn.get",
                             cd(p, "webauthn.get", ",\"tokenBinding\":"
                                "{\"status\":\"supported\"}"), &why), why);
    assert_accepted(cd_check(p, &pol, "webauthn.get",
                             cd(p, "webauthn.get", ",\"tokenBinding\":"
                                "{\"status\":\"present\",\"id\":\"AAAA\"}"),
                             &why), why);
    assert_refused(cd_check(p, &pol, "webauthn.get",
                            cd(p, "webauthn.get", ",\"tokenBinding\":"
                               "{\"status\":\"not-supported\"}"), &why), why,
                   "clientDataJSON.tokenBinding.status \"not-supported\" is "
                   "not \"present\" or \"supported\"");
    assert_refused(cd_check(p, &pol, "webauthn.get",
                            cd(p, "webauthn.get", ",\"tokenBinding\":{}"),
                            &why), why,
                   "clientDataJSON.tokenBinding.status is missing or not a "
                   "string");
    assert_refused(cd_check(p, &pol, "webauthn.get",
                            cd(p, "webauthn.get", ",\"tokenBinding\":3"),
                            &why), why,
                   "clientDataJSON.tokenBinding is neither an object nor a "
                   "string");
}

static void test_clientdata_not_json(void **state)
{
    apr_pool_t *p = *state;
    stepup_webauthn_policy pol;
    const char *why;
    char *dup, bad_utf8[128];

    wa_policy(&pol);
    assert_refused(cd_check(p, &pol, "webauthn.get", "", &why), why,
                   "clientDataJSON is empty");
    assert_refused_prefix(cd_check(p, &pol, "webauthn.get", "{\"type\":",
                                   &why), why, "clientDataJSON is not JSON: ");
    assert_refused(cd_check(p, &pol, "webauthn.get", "[1,2]", &why), why,
                   "clientDataJSON is not a JSON object");
    dup = apr_pstrcat(p, "{\"type\":\"webauthn.get\",", strchr(
                          cd(p, "webauthn.get", NULL), '{') + 1, NULL);
    assert_refused_prefix(cd_check(p, &pol, "webauthn.get", dup, &why), why,
                          "clientDataJSON is not JSON: duplicate object key");
    apr_snprintf(bad_utf8, sizeof(bad_utf8), "{\"type\":\"webauthn.get\","
                 "\"origin\":\"\xc3\x28\"}");
    assert_refused_prefix(cd_check(p, &pol, "webauthn.get", bad_utf8, &why),
                          why, "clientDataJSON is not JSON: ");
    /* embedded NUL (\u0000) is refused by jansson */
    assert_refused_prefix(cd_check(p, &pol, "webauthn.get",
                                   "{\"type\":\"webauthn.get\\u0000x\"}",
                                   &why), why, "clientDataJSON is not JSON: ");
}

/* ================================================================== */
/* authdata.c                                                          */

static void test_authdata_minimal(void **state)
{
    apr_pool_t *p = *state;
    stepup_authdata ad;
    unsigned char *buf;
    const char *why = NULL;
    size_t len;

    buf = wa_auth_data(p, WA_RP_ID, STEPUP_WEBAUTHN_FLAG_UP, 0x01020304, NULL,
                       NULL, 0, NULL, 0, NULL, 0, &len);
    assert_int_equal(len, 37);
    assert_accepted(stepup_authdata_parse(p, buf, len, &ad, &why), why);
    assert_ptr_equal(ad.rp_id_hash, buf);
    assert_int_equal(ad.flags, STEPUP_WEBAUTHN_FLAG_UP);
    assert_int_equal(ad.sign_count, 0x01020304);
    assert_null(ad.aaguid);
    assert_null(ad.credential_id);
    assert_null(ad.extensions);
    assert_refused(stepup_authdata_parse(p, buf, 36, &ad, &why), why,
                   "authenticatorData is 36 bytes, shorter than 37");
    assert_refused(stepup_authdata_parse(p, buf, 0, &ad, &why), why,
                   "authenticatorData is 0 bytes, shorter than 37");
    buf = wa_concat(p, buf, len, "\x00", 1);
    assert_refused(stepup_authdata_parse(p, buf, len + 1, &ad, &why), why,
                   "authenticatorData: 1 trailing bytes (neither AT nor ED "
                   "flag set)");
}

static unsigned char *attested(apr_pool_t *p, size_t cred_len,
                               const unsigned char *ext, size_t ext_len,
                               size_t *len)
{
    const wa_key *k = wa_key_get(WA_KEY_ES256);
    unsigned char *id = apr_palloc(p, cred_len ? cred_len : 1);
    unsigned char flags = STEPUP_WEBAUTHN_FLAG_UP | STEPUP_WEBAUTHN_FLAG_AT
        | (ext ? STEPUP_WEBAUTHN_FLAG_ED : 0);

    memset(id, 0x5a, cred_len ? cred_len : 1);
    return wa_auth_data(p, WA_RP_ID, flags, 9, wa_aaguid, id, cred_len,
                        k->cose, k->cose_len, ext, ext_len, len);
}

static void test_authdata_attested(void **state)
{
    apr_pool_t *p = *state;
    const wa_key *k = wa_key_get(WA_KEY_ES256);
    stepup_authdata ad;
    unsigned char *buf, *ext;
    const char *why = NULL;
    size_t len, extlen, n;

    buf = attested(p, 20, NULL, 0, &len);
    assert_accepted(stepup_authdata_parse(p, buf, len, &ad, &why), why);
    assert_memory_equal(ad.aaguid, wa_aaguid, 16);
    assert_int_equal(ad.credential_id_len, 20);
    assert_ptr_equal(ad.credential_id, buf + 55);
    assert_int_equal(ad.public_key_len, k->cose_len);
    assert_memory_equal(ad.public_key, k->cose, k->cose_len);
    assert_int_equal(ad.sign_count, 9);

    /* every truncation is refused, never read past the end */
    for (n = 0; n < len; n++) {
        why = NULL;
        assert_int_equal(stepup_authdata_parse(p, buf, n, &ad, &why), -1);
        assert_non_null(why);
    }
    why = NULL;
    assert_refused(stepup_authdata_parse(p, buf, 37 + 17, &ad, &why), why,
                   "authenticatorData: attested credential data truncated "
                   "(AAGUID and credentialIdLength)");
    assert_refused(stepup_authdata_parse(p, buf, 37 + 18 + 19, &ad, &why), why,
                   "authenticatorData: credentialId truncated");
    assert_refused(stepup_authdata_parse(p, buf, len - 1, &ad, &why), why,
                   "authenticatorData: credential public key: truncated CBOR");
    assert_refused(stepup_authdata_parse(p, buf, 37 + 18 + 20, &ad, &why), why,
                   "authenticatorData: credential public key: empty (no CBOR "
                   "item)");

    /* a byte after the key without ED */
    buf = wa_concat(p, buf, len, "\xa0", 1);
    assert_refused(stepup_authdata_parse(p, buf, len + 1, &ad, &why), why,
                   "authenticatorData: 1 trailing bytes");

    /* with extensions after the key: the key ends where its CBOR ends */
    ext = wa_cbor_encode(p, wa_cbor_map(1, wa_cbor_text("credProtect"),
                                        wa_cbor_int(2)), &extlen);
    buf = attested(p, 20, ext, extlen, &len);
    assert_accepted(stepup_authdata_parse(p, buf, len, &ad, &why), why);
    assert_int_equal(ad.public_key_len, k->cose_len);
    assert_int_equal(ad.extensions_len, extlen);
    assert_memory_equal(ad.extensions, ext, extlen);
}

static void test_authdata_credential_id_length(void **state)
{
    apr_pool_t *p = *state;
    stepup_authdata ad;
    unsigned char *buf;
    const char *why = NULL;
    size_t len;

    buf = attested(p, 1023, NULL, 0, &len);
    assert_accepted(stepup_authdata_parse(p, buf, len, &ad, &why), why);
    assert_int_equal(ad.credential_id_len, 1023);
    buf = attested(p, 1024, NULL, 0, &len);
    assert_refused(stepup_authdata_parse(p, buf, len, &ad, &why), why,
                   "authenticatorData: credentialIdLength 1024 is over 1023");
    buf = attested(p, 0, NULL, 0, &len);
    assert_refused(stepup_authdata_parse(p, buf, len, &ad, &why), why,
                   "authenticatorData: credentialId is empty");
}

static void test_authdata_extensions(void **state)
{
    apr_pool_t *p = *state;
    stepup_authdata ad;
    unsigned char *buf, *ext;
    const char *why = NULL;
    size_t len, extlen;

    ext = wa_cbor_encode(p, wa_cbor_map(1, wa_cbor_text("credProps"),
                                        cbor_build_bool(true)), &extlen);
    buf = wa_auth_data(p, WA_RP_ID, STEPUP_WEBAUTHN_FLAG_UP
                       | STEPUP_WEBAUTHN_FLAG_ED, 1, NULL, NULL, 0, NULL, 0,
                       ext, extlen, &len);
    assert_accepted(stepup_authdata_parse(p, buf, len, &ad, &why), why);
    assert_int_equal(ad.extensions_len, extlen);
    /* ED with nothing after the counter */
    assert_refused(stepup_authdata_parse(p, buf, 37, &ad, &why), why,
                   "authenticatorData: extensions: empty (no CBOR item)");
    /* truncated extensions */
    assert_refused(stepup_authdata_parse(p, buf, len - 1, &ad, &why), why,
                   "authenticatorData: extensions: truncated CBOR");
    /* a byte after the extensions */
    buf = wa_concat(p, buf, len, "\x00", 1);
    assert_refused(stepup_authdata_parse(p, buf, len + 1, &ad, &why), why,
                   "authenticatorData: 1 trailing bytes");
    /* extensions that are not a map */
    ext = wa_cbor_encode(p, wa_cbor_array(1, wa_cbor_int(1)), &extlen);
    buf = wa_auth_data(p, WA_RP_ID, STEPUP_WEBAUTHN_FLAG_UP
                       | STEPUP_WEBAUTHN_FLAG_ED, 1, NULL, NULL, 0, NULL, 0,
                       ext, extlen, &len);
    assert_refused(stepup_authdata_parse(p, buf, len, &ad, &why), why,
                   "authenticatorData: extensions are not a CBOR map");
}

static void test_authdata_check(void **state)
{
    apr_pool_t *p = *state;
    stepup_webauthn_policy pol;
    stepup_authdata ad;
    unsigned char *buf;
    const char *why = NULL;
    size_t len;

    wa_policy(&pol);
#define AD(rp, fl) do {                                                    \
        buf = wa_auth_data(p, rp, fl, 0, NULL, NULL, 0, NULL, 0, NULL, 0,   \
                           &len);                                           \
        assert_accepted(stepup_authdata_parse(p, buf, len, &ad, &why), why);\
    } while (0)
    AD(WA_RP_ID, STEPUP_WEBAUTHN_FLAG_UP);
    assert_accepted(stepup_authdata_check(&ad, &pol, &why), why);
    AD("other.example", STEPUP_WEBAUTHN_FLAG_UP);
    assert_refused(stepup_authdata_check(&ad, &pol, &why), why,
                   "authenticatorData.rpIdHash is not SHA-256 of the RP ID "
                   "(credential of another site)");
    AD(WA_RP_ID, 0);
    assert_refused(stepup_authdata_check(&ad, &pol, &why), why,
                   "authenticatorData: user presence (UP) flag not set");
    AD(WA_RP_ID, STEPUP_WEBAUTHN_FLAG_UV);
    assert_refused(stepup_authdata_check(&ad, &pol, &why), why,
                   "authenticatorData: user presence (UP) flag not set");
    pol.require_uv = 1;
    AD(WA_RP_ID, STEPUP_WEBAUTHN_FLAG_UP);
    assert_refused(stepup_authdata_check(&ad, &pol, &why), why,
                   "authenticatorData: user verification required but the UV "
                   "flag is not set");
    AD(WA_RP_ID, STEPUP_WEBAUTHN_FLAG_UP | STEPUP_WEBAUTHN_FLAG_UV);
    assert_accepted(stepup_authdata_check(&ad, &pol, &why), why);
    AD(WA_RP_ID, STEPUP_WEBAUTHN_FLAG_UP | STEPUP_WEBAUTHN_FLAG_UV
       | STEPUP_WEBAUTHN_FLAG_BS);
    assert_refused(stepup_authdata_check(&ad, &pol, &why), why,
                   "authenticatorData: backed up (BS) without backup "
                   "eligible (BE) is invalid");
    AD(WA_RP_ID, STEPUP_WEBAUTHN_FLAG_UP | STEPUP_WEBAUTHN_FLAG_UV
       | STEPUP_WEBAUTHN_FLAG_BS | STEPUP_WEBAUTHN_FLAG_BE);
    assert_accepted(stepup_authdata_check(&ad, &pol, &why), why);
    pol.rp_id = "";
    assert_refused(stepup_authdata_check(&ad, &pol, &why), why,
                   "policy: no RP ID");
#undef AD
}

/* ================================================================== */
/* cose.c, es256.c, rs256.c, eddsa.c                                   */

static int cose(apr_pool_t *p, const unsigned char *buf, size_t len,
                int check, stepup_cose_key **key, const char **why)
{
    *why = NULL;
    *key = NULL;
    return stepup_cose_key_decode(p, buf, len, check, key, why);
}

/* A COSE EC2 key whose point is not on P-256: refused by the full check
 * (registration); as a stored key (assertion) it decodes and is refused
 * as a key, not as a signature, when it is used. */
static void off_curve_refused(apr_pool_t *p, const unsigned char *buf,
                              size_t len)
{
    static const unsigned char msg[] = "m", sig[] = { 0x30, 0x00 };
    stepup_cose_key *key;
    const char *why;

    assert_refused(cose(p, buf, len, STEPUP_COSE_CHECK_FULL, &key, &why), why,
                   "COSE EC2 key: (x, y) is not a point on P-256");
    assert_accepted(cose(p, buf, len, STEPUP_COSE_CHECK_STORED, &key, &why),
                    why);
    why = NULL;
    assert_int_equal(stepup_cose_verify(key, msg, 1, sig, sizeof(sig), &why),
                     STEPUP_COSE_BAD_KEY);
    assert_string_equal(why, "COSE EC2 key: (x, y) is not a point on P-256");
}

static void test_cose_known_keys(void **state)
{
    apr_pool_t *p = *state;
    static const wa_key_id ids[] = { WA_KEY_ES256, WA_KEY_RS256,
                                     WA_KEY_EDDSA };
    static const int ktys[] = { 2, 3, 1 };
    stepup_cose_key *key;
    const char *why;
    size_t i;
    int check;

    for (i = 0; i < 3; i++) {
        const wa_key *k = wa_key_get(ids[i]);
        for (check = 0; check <= 1; check++) {
            assert_accepted(cose(p, k->cose, k->cose_len, check, &key, &why),
                            why);
            assert_int_equal(key->alg, k->alg);
            assert_int_equal(key->kty, ktys[i]);
            if (k->alg == STEPUP_COSE_ES256) {
                assert_memory_equal(key->point, k->point, 65);
                /* a stored ES256 key is imported when it verifies */
                if (check == STEPUP_COSE_CHECK_STORED) {
                    assert_null(key->pkey);
                    continue;
                }
            }
            assert_int_equal(EVP_PKEY_eq(key->pkey, k->pkey), 1);
        }
    }
}

static void test_cose_truncated_and_trailing(void **state)
{
    apr_pool_t *p = *state;
    static const wa_key_id ids[] = { WA_KEY_ES256, WA_KEY_RS256,
                                     WA_KEY_EDDSA };
    stepup_cose_key *key;
    const char *why;
    unsigned char *buf;
    size_t i, n;

    for (i = 0; i < 3; i++) {
        const wa_key *k = wa_key_get(ids[i]);
        for (n = 1; n < k->cose_len; n++)
            assert_refused_prefix(cose(p, k->cose, n, 1, &key, &why), why,
                                  "COSE key: truncated CBOR");
        assert_refused(cose(p, k->cose, 0, 1, &key, &why), why,
                       "COSE key: empty (no CBOR item)");
        buf = wa_concat(p, k->cose, k->cose_len, "\x00", 1);
        assert_refused(cose(p, buf, k->cose_len + 1, 1, &key, &why), why,
                       "COSE key: 1 trailing bytes after the CBOR item");
        assert_null(key);
    }
}

static void test_cose_structure(void **state)
{
    apr_pool_t *p = *state;
    const wa_key *k = wa_key_get(WA_KEY_ES256);
    const unsigned char *x = k->point + 1, *y = k->point + 33;
    stepup_cose_key *key;
    const char *why;
    unsigned char *buf;
    size_t len;

    buf = wa_cbor_encode(p, wa_cbor_array(1, wa_cbor_int(1)), &len);
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE key: not a CBOR map");
    buf = wa_cose_map(p, &len, 4, (int64_t)3, wa_cbor_int(-7),
                      (int64_t)-1, wa_cbor_int(1),
                      (int64_t)-2, wa_cbor_bytes(x, 32),
                      (int64_t)-3, wa_cbor_bytes(y, 32));
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE key has no kty (1)");
    buf = wa_cose_map(p, &len, 4, (int64_t)1, wa_cbor_int(2),
                      (int64_t)-1, wa_cbor_int(1),
                      (int64_t)-2, wa_cbor_bytes(x, 32),
                      (int64_t)-3, wa_cbor_bytes(y, 32));
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE key has no alg (3)");
    buf = wa_cose_map(p, &len, 2, (int64_t)1, wa_cbor_text("EC2"),
                      (int64_t)3, wa_cbor_int(-7));
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE key: kty (1) is not an integer");
    buf = wa_cose_map(p, &len, 2, (int64_t)1, wa_cbor_int(2),
                      (int64_t)3, wa_cbor_text("ES256"));
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE key: alg (3) is not an integer");
    buf = wa_cose_map(p, &len, 3, (int64_t)1, wa_cbor_int(2),
                      (int64_t)1, wa_cbor_int(2),
                      (int64_t)3, wa_cbor_int(-7));
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE key: kty (1) given twice");
    buf = wa_cose_map(p, &len, 6, (int64_t)1, wa_cbor_int(2),
                      (int64_t)3, wa_cbor_int(-7),
                      (int64_t)-1, wa_cbor_int(1),
                      (int64_t)-2, wa_cbor_bytes(x, 32),
                      (int64_t)-2, wa_cbor_bytes(x, 32),
                      (int64_t)-3, wa_cbor_bytes(y, 32));
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE key: label -2 given twice");
    buf = wa_cbor_encode(p, wa_cbor_map(1, wa_cbor_bytes("k", 1),
                                        wa_cbor_int(1)), &len);
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE key: a label is neither an integer nor a text "
                   "string");
    /* kid (2), key_ops (4) and text labels are ignored */
    buf = wa_cbor_encode(p, wa_cbor_map(
                             7, wa_cbor_int(1), wa_cbor_int(2),
                             wa_cbor_int(2), wa_cbor_bytes("kid", 3),
                             wa_cbor_text("note"), wa_cbor_text("x"),
                             wa_cbor_int(3), wa_cbor_int(-7),
                             wa_cbor_int(-1), wa_cbor_int(1),
                             wa_cbor_int(-2), wa_cbor_bytes(x, 32),
                             wa_cbor_int(-3), wa_cbor_bytes(y, 32)), &len);
    assert_accepted(cose(p, buf, len, 1, &key, &why), why);
    assert_int_equal(EVP_PKEY_eq(key->pkey, k->pkey), 1);
}

static void test_cose_unsupported(void **state)
{
    apr_pool_t *p = *state;
    const wa_key *k = wa_key_get(WA_KEY_ES256);
    const unsigned char *x = k->point + 1, *y = k->point + 33;
    stepup_cose_key *key;
    const char *why;
    unsigned char *buf;
    size_t len;

    /* unknown kty */
    buf = wa_cose_map(p, &len, 3, (int64_t)1, wa_cbor_int(4),
                      (int64_t)3, wa_cbor_int(-7),
                      (int64_t)-1, wa_cbor_bytes(x, 32));
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE kty 4 (Symmetric) is not supported: OKP (1), EC2 (2) "
                   "or RSA (3) only");
    buf = wa_cose_map(p, &len, 2, (int64_t)1, wa_cbor_int(77),
                      (int64_t)3, wa_cbor_int(-7));
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE kty 77 (unknown) is not supported: OKP (1), EC2 (2) "
                   "or RSA (3) only");
    /* unknown alg */
    buf = wa_cose_map(p, &len, 5, (int64_t)1, wa_cbor_int(2),
                      (int64_t)3, wa_cbor_int(-35),
                      (int64_t)-1, wa_cbor_int(2),
                      (int64_t)-2, wa_cbor_bytes(x, 32),
                      (int64_t)-3, wa_cbor_bytes(y, 32));
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE alg -35 (ES384) is not supported: ES256 (-7), RS256 "
                   "(-257) or EdDSA (-8) only");
    buf = wa_cose_map(p, &len, 2, (int64_t)1, wa_cbor_int(3),
                      (int64_t)3, wa_cbor_int(-37));
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE alg -37 (PS256) is not supported: ES256 (-7), RS256 "
                   "(-257) or EdDSA (-8) only");
    buf = wa_cose_map(p, &len, 2, (int64_t)1, wa_cbor_int(2),
                      (int64_t)3, wa_cbor_int(12345));
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE alg 12345 (unknown) is not supported: ES256 (-7), "
                   "RS256 (-257) or EdDSA (-8) only");
}

static void test_cose_unsupported_pairs(void **state)
{
    apr_pool_t *p = *state;
    const wa_key *k = wa_key_get(WA_KEY_ES256);
    const unsigned char *x = k->point + 1, *y = k->point + 33;
    stepup_cose_key *key;
    const char *why;
    unsigned char *buf;
    size_t len;

    /* alg and kty that do not go together */
    buf = wa_cose_map(p, &len, 5, (int64_t)1, wa_cbor_int(3),
                      (int64_t)3, wa_cbor_int(-7),
                      (int64_t)-1, wa_cbor_int(1),
                      (int64_t)-2, wa_cbor_bytes(x, 32),
                      (int64_t)-3, wa_cbor_bytes(y, 32));
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE alg -7 (ES256) needs kty 2 (EC2), not 3 (RSA)");
    buf = wa_cose_map(p, &len, 4, (int64_t)1, wa_cbor_int(2),
                      (int64_t)3, wa_cbor_int(-8),
                      (int64_t)-1, wa_cbor_int(6),
                      (int64_t)-2, wa_cbor_bytes(x, 32));
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE alg -8 (EdDSA) needs kty 1 (OKP), not 2 (EC2)");
    /* unknown curves */
    buf = wa_cose_map(p, &len, 5, (int64_t)1, wa_cbor_int(2),
                      (int64_t)3, wa_cbor_int(-7),
                      (int64_t)-1, wa_cbor_int(2),
                      (int64_t)-2, wa_cbor_bytes(x, 32),
                      (int64_t)-3, wa_cbor_bytes(y, 32));
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE EC2 crv 2 (P-384) is not supported: P-256 (1) only");
    buf = wa_cose_map(p, &len, 5, (int64_t)1, wa_cbor_int(2),
                      (int64_t)3, wa_cbor_int(-7),
                      (int64_t)-1, wa_cbor_int(8),
                      (int64_t)-2, wa_cbor_bytes(x, 32),
                      (int64_t)-3, wa_cbor_bytes(y, 32));
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE EC2 crv 8 (secp256k1) is not supported: P-256 (1) "
                   "only");
    buf = wa_cose_map(p, &len, 4, (int64_t)1, wa_cbor_int(1),
                      (int64_t)3, wa_cbor_int(-8),
                      (int64_t)-1, wa_cbor_int(7),
                      (int64_t)-2, wa_cbor_bytes(x, 32));
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE OKP crv 7 (Ed448) is not supported: Ed25519 (6) "
                   "only");
    buf = wa_cose_map(p, &len, 4, (int64_t)1, wa_cbor_int(1),
                      (int64_t)3, wa_cbor_int(-8),
                      (int64_t)-1, wa_cbor_int(4),
                      (int64_t)-2, wa_cbor_bytes(x, 32));
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE OKP crv 4 (X25519) is not supported: Ed25519 (6) "
                   "only");
}

static void test_cose_ec2_parameters(void **state)
{
    apr_pool_t *p = *state;
    const wa_key *k = wa_key_get(WA_KEY_ES256);
    const unsigned char *x = k->point + 1, *y = k->point + 33;
    stepup_cose_key *key;
    const char *why;
    unsigned char *buf;
    size_t len;

    buf = wa_cose_map(p, &len, 4, (int64_t)1, wa_cbor_int(2),
                      (int64_t)3, wa_cbor_int(-7),
                      (int64_t)-2, wa_cbor_bytes(x, 32),
                      (int64_t)-3, wa_cbor_bytes(y, 32));
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE EC2 key has no crv (-1)");
    buf = wa_cose_map(p, &len, 4, (int64_t)1, wa_cbor_int(2),
                      (int64_t)3, wa_cbor_int(-7),
                      (int64_t)-1, wa_cbor_int(1),
                      (int64_t)-3, wa_cbor_bytes(y, 32));
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE EC2 key has no x (-2)");
    buf = wa_cose_map(p, &len, 5, (int64_t)1, wa_cbor_int(2),
                      (int64_t)3, wa_cbor_int(-7),
                      (int64_t)-1, wa_cbor_int(1),
                      (int64_t)-2, wa_cbor_bytes(x, 31),
                      (int64_t)-3, wa_cbor_bytes(y, 32));
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE EC2 x (-2) is 31 bytes, not 32 (P-256)");
    buf = wa_cose_map(p, &len, 5, (int64_t)1, wa_cbor_int(2),
                      (int64_t)3, wa_cbor_int(-7),
                      (int64_t)-1, wa_cbor_int(1),
                      (int64_t)-2, wa_cbor_bytes(x, 32),
                      (int64_t)-3, cbor_build_bool(true));
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE EC2 key with a compressed point (y is a boolean) is "
                   "not supported");
    buf = wa_cose_map(p, &len, 5, (int64_t)1, wa_cbor_int(2),
                      (int64_t)3, wa_cbor_int(-7),
                      (int64_t)-1, wa_cbor_int(1),
                      (int64_t)-2, wa_cbor_text("x"),
                      (int64_t)-3, wa_cbor_bytes(y, 32));
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE EC2 x (-2) is not a byte string");
}

static void test_cose_ec2_off_curve(void **state)
{
    apr_pool_t *p = *state;
    const wa_key *k = wa_key_get(WA_KEY_ES256);
    const unsigned char *x = k->point + 1, *y = k->point + 33;
    unsigned char bad_y[32], ff[32];
    unsigned char *buf;
    size_t len;

    /* a point off the curve: refused by the full check (registration)
     * and by the import of a stored key (assertion) */
    memcpy(bad_y, y, 32);
    bad_y[31] ^= 0x01;
    buf = wa_cose_map(p, &len, 5, (int64_t)1, wa_cbor_int(2),
                      (int64_t)3, wa_cbor_int(-7),
                      (int64_t)-1, wa_cbor_int(1),
                      (int64_t)-2, wa_cbor_bytes(x, 32),
                      (int64_t)-3, wa_cbor_bytes(bad_y, 32));
    off_curve_refused(p, buf, len);
    /* coordinates out of the field */
    memset(ff, 0xff, sizeof(ff));
    buf = wa_cose_map(p, &len, 5, (int64_t)1, wa_cbor_int(2),
                      (int64_t)3, wa_cbor_int(-7),
                      (int64_t)-1, wa_cbor_int(1),
                      (int64_t)-2, wa_cbor_bytes(ff, 32),
                      (int64_t)-3, wa_cbor_bytes(ff, 32));
    off_curve_refused(p, buf, len);
}

static unsigned char *rsa_cose(apr_pool_t *p, const void *n, size_t nlen,
                               const void *e, size_t elen, size_t *len)
{
    return wa_cose_map(p, len, 4, (int64_t)1, wa_cbor_int(3),
                       (int64_t)3, wa_cbor_int(-257),
                       (int64_t)-1, wa_cbor_bytes(n, nlen),
                       (int64_t)-2, wa_cbor_bytes(e, elen));
}

static void test_cose_rsa_parameters(void **state)
{
    apr_pool_t *p = *state;
    const wa_key *small = wa_key_get(WA_KEY_RSA1024);
    static const unsigned char e65537[] = { 0x01, 0x00, 0x01 };
    static const unsigned char e_even[] = { 0x01, 0x00, 0x00 };
    static const unsigned char e_one[] = { 0x01 };
    static const unsigned char e_big[9] = { 0x01, 0, 0, 0, 0, 0, 0, 0, 0x01 };
    unsigned char n[256], n_big[2050];
    stepup_cose_key *key;
    const char *why;
    unsigned char *buf;
    size_t len;

    assert_refused(cose(p, small->cose, small->cose_len, 1, &key, &why), why,
                   "COSE RSA modulus is 1024 bits: at least 2048 required");
    assert_refused(cose(p, small->cose, small->cose_len, 0, &key, &why), why,
                   "COSE RSA modulus is 1024 bits: at least 2048 required");
    memset(n, 0xc3, sizeof(n));   /* odd, 2048 bits */
    buf = rsa_cose(p, n, sizeof(n), e_even, sizeof(e_even), &len);
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE RSA exponent e must be odd, greater than 1 and at "
                   "most 64 bits");
    buf = rsa_cose(p, n, sizeof(n), e_one, sizeof(e_one), &len);
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE RSA exponent e must be odd, greater than 1 and at "
                   "most 64 bits");
    buf = rsa_cose(p, n, sizeof(n), e_big, sizeof(e_big), &len);
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE RSA exponent e must be odd, greater than 1 and at "
                   "most 64 bits");
    n[255] = 0xc2;
    buf = rsa_cose(p, n, sizeof(n), e65537, sizeof(e65537), &len);
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE RSA modulus is even");
    memset(n_big, 0xc3, sizeof(n_big));
    buf = rsa_cose(p, n_big, sizeof(n_big), e65537, sizeof(e65537), &len);
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE RSA n (-1) is 2050 bytes, over 16384 bits");
    buf = wa_cose_map(p, &len, 3, (int64_t)1, wa_cbor_int(3),
                      (int64_t)3, wa_cbor_int(-257),
                      (int64_t)-2, wa_cbor_bytes(e65537, 3));
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE RSA key has no n (-1)");
    buf = rsa_cose(p, n, 0, e65537, sizeof(e65537), &len);
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE RSA n (-1) is not a non-empty byte string");
}

static void test_cose_okp_parameters(void **state)
{
    apr_pool_t *p = *state;
    stepup_cose_key *key;
    unsigned char x[33];
    const char *why;
    unsigned char *buf;
    size_t len;

    memset(x, 0x11, sizeof(x));
    buf = wa_cose_map(p, &len, 4, (int64_t)1, wa_cbor_int(1),
                      (int64_t)3, wa_cbor_int(-8),
                      (int64_t)-1, wa_cbor_int(6),
                      (int64_t)-2, wa_cbor_bytes(x, 33));
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE OKP x is 33 bytes, not 32 (Ed25519)");
    buf = wa_cose_map(p, &len, 3, (int64_t)1, wa_cbor_int(1),
                      (int64_t)3, wa_cbor_int(-8),
                      (int64_t)-1, wa_cbor_int(6));
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE OKP key has no x (-2)");
    buf = wa_cose_map(p, &len, 3, (int64_t)1, wa_cbor_int(1),
                      (int64_t)3, wa_cbor_int(-8),
                      (int64_t)-2, wa_cbor_bytes(x, 32));
    assert_refused(cose(p, buf, len, 1, &key, &why), why,
                   "COSE OKP key has no crv (-1)");
}

static void test_sig_verify(void **state)
{
    apr_pool_t *p = *state;
    static const wa_key_id ids[] = { WA_KEY_ES256, WA_KEY_RS256,
                                     WA_KEY_EDDSA };
    static const char *const reasons[] = {
        "the ES256 signature does not verify",
        "the RS256 signature does not verify",
        "the EdDSA signature does not verify"
    };
    static const char msg[] = "authenticatorData || clientDataHash";
    stepup_cose_key *key;
    unsigned char *sig;
    const char *why;
    size_t i, siglen;

    for (i = 0; i < 3; i++) {
        const wa_key *k = wa_key_get(ids[i]);

        assert_accepted(cose(p, k->cose, k->cose_len, 0, &key, &why), why);
        sig = wa_sign(p, k->pkey, msg, sizeof(msg), &siglen);
        assert_accepted(stepup_cose_verify(key, (const unsigned char *)msg,
                                           sizeof(msg), sig, siglen, &why),
                        why);
        /* another message, a flipped bit, a short signature, none */
        assert_refused(stepup_cose_verify(key, (const unsigned char *)msg,
                                         sizeof(msg) - 1, sig, siglen, &why),
                       why, reasons[i]);
        sig[siglen - 1] ^= 0x80;
        assert_refused(stepup_cose_verify(key, (const unsigned char *)msg,
                                         sizeof(msg), sig, siglen, &why),
                       why, reasons[i]);
        assert_refused(stepup_cose_verify(key, (const unsigned char *)msg,
                                         sizeof(msg), sig, siglen - 1, &why),
                       why, reasons[i]);
        assert_refused(stepup_cose_verify(key, (const unsigned char *)msg,
                                         sizeof(msg), sig, 0, &why),
                       why, "the signature is empty");
    }
    /* a signature by another key */
    assert_accepted(cose(p, wa_key_get(WA_KEY_ES256)->cose,
                         wa_key_get(WA_KEY_ES256)->cose_len, 0, &key, &why),
                    why);
    sig = wa_sign(p, wa_key_get(WA_KEY_ES256_OTHER)->pkey, msg, sizeof(msg),
                  &siglen);
    assert_refused(stepup_cose_verify(key, (const unsigned char *)msg,
                                      sizeof(msg), sig, siglen, &why),
                   why, reasons[0]);
}

/* Stored ES256 keys are imported into one P-256 key per thread: each
 * verification must use its own point, whatever the thread verified
 * before, a refused point included, and threads must not see each
 * other's. */
typedef struct {
    const stepup_cose_key *key[3];      /* a, b, a point off the curve */
    const unsigned char *sig[2];
    size_t siglen[2];
    int wrong;                          /* answers that were not expected */
} in_turn;

static const char in_turn_msg[] = "authenticatorData || clientDataHash";

static void *verify_in_turn(void *data)
{
    in_turn *t = data;
    const unsigned char *m = (const unsigned char *)in_turn_msg;
    const char *why;
    int i, k, s, rc, want;

    for (i = 0; i < 300; i++) {
        k = i % 3;
        s = (i / 3) % 2;
        why = NULL;
        rc = stepup_cose_verify(t->key[k], m, sizeof(in_turn_msg), t->sig[s],
                                t->siglen[s], &why);
        want = k == 2 ? STEPUP_COSE_BAD_KEY : k == s ? 0 : -1;
        if (rc != want)
            t->wrong++;
    }
    return NULL;
}

static void in_turn_init(apr_pool_t *p, in_turn *t)
{
    const wa_key *a = wa_key_get(WA_KEY_ES256);
    const wa_key *b = wa_key_get(WA_KEY_ES256_OTHER);
    unsigned char bad_y[32];
    stepup_cose_key *key;
    unsigned char *buf;
    const char *why;
    size_t len;

    memset(t, 0, sizeof(*t));
    assert_accepted(cose(p, a->cose, a->cose_len, STEPUP_COSE_CHECK_STORED,
                         &key, &why), why);
    t->key[0] = key;
    assert_accepted(cose(p, b->cose, b->cose_len, STEPUP_COSE_CHECK_STORED,
                         &key, &why), why);
    t->key[1] = key;
    memcpy(bad_y, a->point + 33, 32);
    bad_y[31] ^= 0x01;
    buf = wa_cose_map(p, &len, 5, (int64_t)1, wa_cbor_int(2),
                      (int64_t)3, wa_cbor_int(-7),
                      (int64_t)-1, wa_cbor_int(1),
                      (int64_t)-2, wa_cbor_bytes(a->point + 1, 32),
                      (int64_t)-3, wa_cbor_bytes(bad_y, 32));
    assert_accepted(cose(p, buf, len, STEPUP_COSE_CHECK_STORED, &key, &why),
                    why);
    t->key[2] = key;
    t->sig[0] = wa_sign(p, a->pkey, in_turn_msg, sizeof(in_turn_msg),
                        &t->siglen[0]);
    t->sig[1] = wa_sign(p, b->pkey, in_turn_msg, sizeof(in_turn_msg),
                        &t->siglen[1]);
}

static void test_es256_stored_keys_in_turn(void **state)
{
    in_turn t;

    in_turn_init(*state, &t);
    verify_in_turn(&t);
    assert_int_equal(t.wrong, 0);
}

static void test_es256_stored_keys_threads(void **state)
{
    in_turn t[4];
    pthread_t th[4];
    int i;

    for (i = 0; i < 4; i++) {
        in_turn_init(*state, &t[i]);
        /* half the threads start with the other key */
        if (i % 2) {
            const stepup_cose_key *k = t[i].key[0];
            const unsigned char *sig = t[i].sig[0];
            size_t len = t[i].siglen[0];

            t[i].key[0] = t[i].key[1];
            t[i].key[1] = k;
            t[i].sig[0] = t[i].sig[1];
            t[i].siglen[0] = t[i].siglen[1];
            t[i].sig[1] = sig;
            t[i].siglen[1] = len;
        }
    }
    for (i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, verify_in_turn, &t[i]),
                         0);
    for (i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(t[i].wrong, 0);
    }
}

/* ================================================================== */
/* response_json.c                                                     */

static const char *reg_json(apr_pool_t *p, const char *id, const char *raw,
                            const char *type, const char *response,
                            const char *extra)
{
    return apr_psprintf(p, "{%s%s%s%s%s%s%s\"response\":%s%s}",
                        id ? "\"id\":" : "", id ? id : "", id ? "," : "",
                        raw ? "\"rawId\":" : "", raw ? raw : "",
                        raw ? "," : "",
                        type ? type : "\"type\":\"public-key\",",
                        response, extra ? extra : "");
}

static int parse_reg(apr_pool_t *p, const char *json,
                     stepup_webauthn_response *out, const char **why)
{
    *why = NULL;
    return stepup_webauthn_registration_json_parse(p, json, strlen(json), out,
                                                   why);
}

static int parse_auth(apr_pool_t *p, const char *json,
                      stepup_webauthn_response *out, const char **why)
{
    *why = NULL;
    return stepup_webauthn_authentication_json_parse(p, json, strlen(json),
                                                     out, why);
}

static void test_json_registration_ok(void **state)
{
    apr_pool_t *p = *state;
    stepup_webauthn_response out;
    wa_reg r;
    const char *why, *json;
    char *padded;

    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_NONE);
    r.cred_id_len = 16;   /* a length whose base64url needs padding */
    wa_reg_build(p, &r);
    json = wa_registration_json(p, &r.resp);
    assert_accepted(parse_reg(p, json, &out, &why), why);
    assert_int_equal(out.id_len, 16);
    assert_memory_equal(out.id, r.cred_id, 16);
    assert_string_equal(out.id_b64, wa_b64url(p, r.cred_id, 16));
    assert_int_equal(out.client_data_len, strlen(r.client_data_out));
    assert_memory_equal(out.client_data_json, r.client_data_out,
                        out.client_data_len);
    assert_int_equal(out.attestation_object_len, r.att_obj_len);
    assert_memory_equal(out.attestation_object, r.att_obj, r.att_obj_len);
    assert_string_equal(out.transports, "usb,nfc");
    assert_null(out.authenticator_data);
    assert_null(out.user_handle);

    /* padded base64url everywhere; id_b64 stays canonical */
    padded = apr_psprintf(p, "{\"id\":\"%s==\",\"rawId\":\"%s==\","
                          "\"type\":\"public-key\",\"response\":{"
                          "\"clientDataJSON\":\"%s%s\","
                          "\"attestationObject\":\"%s%s\"}}",
                          wa_b64url(p, r.cred_id, 16),
                          wa_b64url(p, r.cred_id, 16),
                          wa_b64url(p, r.client_data_out,
                                    strlen(r.client_data_out)),
                          strlen(r.client_data_out) % 3 == 1 ? "=="
                          : strlen(r.client_data_out) % 3 == 2 ? "=" : "",
                          wa_b64url(p, r.att_obj, r.att_obj_len),
                          r.att_obj_len % 3 == 1 ? "=="
                          : r.att_obj_len % 3 == 2 ? "=" : "");
    assert_accepted(parse_reg(p, padded, &out, &why), why);
    assert_string_equal(out.id_b64, wa_b64url(p, r.cred_id, 16));
    assert_int_equal(out.attestation_object_len, r.att_obj_len);
    assert_null(out.transports);   /* absent */
}

static void test_json_authentication_ok(void **state)
{
    apr_pool_t *p = *state;
    stepup_webauthn_response out;
    wa_auth a;
    const char *why, *json;

    wa_auth_init(&a, WA_KEY_ES256);
    wa_auth_build(p, &a);
    json = wa_authentication_json(p, &a.resp);
    assert_accepted(parse_auth(p, json, &out, &why), why);
    assert_int_equal(out.authenticator_data_len, a.auth_data_len);
    assert_memory_equal(out.authenticator_data, a.auth_data, a.auth_data_len);
    assert_int_equal(out.signature_len, a.resp.signature_len);
    assert_memory_equal(out.signature, a.resp.signature, out.signature_len);
    assert_int_equal(out.user_handle_len, 6);
    assert_memory_equal(out.user_handle, "user-1", 6);
    assert_null(out.attestation_object);

    /* userHandle null, empty or absent */
    json = apr_psprintf(p, "{\"id\":\"AQ\",\"rawId\":\"AQ\",\"type\":"
                        "\"public-key\",\"response\":{\"clientDataJSON\":"
                        "\"e30\",\"authenticatorData\":\"AA\",\"signature\":"
                        "\"AA\",\"userHandle\":null}}");
    assert_accepted(parse_auth(p, json, &out, &why), why);
    assert_null(out.user_handle);
    json = apr_psprintf(p, "{\"id\":\"AQ\",\"rawId\":\"AQ\",\"type\":"
                        "\"public-key\",\"response\":{\"clientDataJSON\":"
                        "\"e30\",\"authenticatorData\":\"AA\",\"signature\":"
                        "\"AA\",\"userHandle\":\"\"}}");
    assert_accepted(parse_auth(p, json, &out, &why), why);
    assert_non_null(out.user_handle);
    assert_int_equal(out.user_handle_len, 0);
}

typedef struct {
    const char *json;
    const char *reason;      /* exact, or a prefix when it ends in '*' */
} json_case;

static void check_cases(apr_pool_t *p, const json_case *cases, size_t n,
                        int registration)
{
    stepup_webauthn_response out;
    const char *why;
    size_t i;
    int rc;

    for (i = 0; i < n; i++) {
        size_t rlen = strlen(cases[i].reason);

        memset(&out, 0x5a, sizeof(out));
        rc = registration ? parse_reg(p, cases[i].json, &out, &why)
            : parse_auth(p, cases[i].json, &out, &why);
        if (rc != -1 || !why
            || (cases[i].reason[rlen - 1] == '*'
                ? strncmp(why, cases[i].reason, rlen - 1) != 0
                : strcmp(why, cases[i].reason) != 0))
            fail_msg("case %zu %s: expected \"%s\", got rc %d \"%s\"", i,
                     cases[i].json, cases[i].reason, rc,
                     why ? why : "(null)");
        /* nothing half-parsed is left behind */
        assert_null(out.id);
        assert_null(out.client_data_json);
    }
}

#define R(s) "{\"clientDataJSON\":\"e30\",\"attestationObject\":\"oA\"" s "}"
#define ID "\"id\":\"AQID\",\"rawId\":\"AQID\","

static void test_json_registration_refusals(void **state)
{
    apr_pool_t *p = *state;
    const json_case cases[] = {
        { "", "response JSON is empty" },
        { "{", "response JSON is malformed: *" },
        { "{\"a\":1}x", "response JSON is malformed: *" },
        { "[]", "response JSON is not an object" },
        { "{" ID "\"response\":" R("") "}",
          "response JSON: \"type\" is missing" },
        { "{" ID "\"type\":\"passkey\",\"response\":" R("") "}",
          "response JSON: \"type\" is not \"public-key\"" },
        { "{" ID "\"type\":7,\"response\":" R("") "}",
          "response JSON: \"type\" is not \"public-key\"" },
        { reg_json(p, NULL, "\"AQID\"", NULL, R(""), NULL),
          "response JSON: \"id\" is missing" },
        { reg_json(p, "\"AQID\"", NULL, NULL, R(""), NULL),
          "response JSON: \"rawId\" is missing" },
        { reg_json(p, "12", "\"AQID\"", NULL, R(""), NULL),
          "response JSON: \"id\" is not a string" },
        { reg_json(p, "null", "\"AQID\"", NULL, R(""), NULL),
          "response JSON: \"id\" is not a string" },
        { reg_json(p, "\"AQ$D\"", "\"AQID\"", NULL, R(""), NULL),
          "response JSON: \"id\" is not base64url" },
        { reg_json(p, "\"AQ+/\"", "\"AQ+/\"", NULL, R(""), NULL),
          "response JSON: \"id\" is not base64url" },
        { reg_json(p, "\"AQIDB\"", "\"AQIDB\"", NULL, R(""), NULL),
          "response JSON: \"id\" is not base64url" },
        { reg_json(p, "\"AQID\"", "\"AQIE\"", NULL, R(""), NULL),
          "response JSON: \"id\" and \"rawId\" differ" },
        { reg_json(p, "\"\"", "\"\"", NULL, R(""), NULL),
          "response JSON: \"id\" is empty" },
    };

    check_cases(p, cases, sizeof(cases) / sizeof(cases[0]), 1);
}

/* The "response" member and what follows it. */
static void test_json_registration_refusals_response(void **state)
{
    apr_pool_t *p = *state;
    const json_case cases[] = {
        { "{" ID "\"type\":\"public-key\"}",
          "response JSON: \"response\" is missing" },
        { "{" ID "\"type\":\"public-key\",\"response\":\"x\"}",
          "response JSON: \"response\" is not an object" },
        { "{" ID "\"type\":\"public-key\",\"response\":"
          "{\"attestationObject\":\"oA\"}}",
          "response JSON: \"response.clientDataJSON\" is missing" },
        { "{" ID "\"type\":\"public-key\",\"response\":"
          "{\"clientDataJSON\":{},\"attestationObject\":\"oA\"}}",
          "response JSON: \"response.clientDataJSON\" is not a string" },
        { "{" ID "\"type\":\"public-key\",\"response\":"
          "{\"clientDataJSON\":\"e3%\",\"attestationObject\":\"oA\"}}",
          "response JSON: \"response.clientDataJSON\" is not base64url" },
        { "{" ID "\"type\":\"public-key\",\"response\":"
          "{\"clientDataJSON\":\"e30\"}}",
          "response JSON: \"response.attestationObject\" is missing" },
        { "{" ID "\"type\":\"public-key\",\"response\":"
          "{\"clientDataJSON\":\"e30\",\"attestationObject\":5}}",
          "response JSON: \"response.attestationObject\" is not a string" },
        { "{" ID "\"type\":\"public-key\",\"response\":"
          "{\"clientDataJSON\":\"e30\",\"attestationObject\":null}}",
          "response JSON: \"response.attestationObject\" is not a string" },
        { "{" ID "\"type\":\"public-key\",\"response\":"
          R(",\"transports\":\"usb\"") "}",
          "response JSON: \"response.transports\" is not an array" },
        { "{" ID "\"type\":\"public-key\",\"response\":"
          R(",\"transports\":[\"usb\",3]") "}",
          "response JSON: \"response.transports[1]\" is not a transport "
          "name" },
        { "{" ID "\"type\":\"public-key\",\"response\":"
          R(",\"transports\":[\"us b\"]") "}",
          "response JSON: \"response.transports[0]\" is not a transport "
          "name" },
        { "{" ID "\"type\":\"public-key\",\"response\":"
          R(",\"publicKeyAlgorithm\":\"-7\"") "}",
          "response JSON: \"response.publicKeyAlgorithm\" is not an "
          "integer" },
        { "{" ID "\"type\":\"public-key\",\"response\":"
          R(",\"authenticatorData\":1") "}",
          "response JSON: \"response.authenticatorData\" is not a string" },
        { "{" ID "\"type\":\"public-key\",\"response\":" R("")
          ",\"clientExtensionResults\":[]}",
          "response JSON: \"clientExtensionResults\" is not an object" },
        { "{" ID "\"type\":\"public-key\",\"response\":" R("")
          ",\"authenticatorAttachment\":1}",
          "response JSON: \"authenticatorAttachment\" is not a string" },
        { "{" ID "\"type\":\"public-key\",\"type\":\"public-key\","
          "\"response\":" R("") "}",
          "response JSON is malformed: duplicate object key*" },
    };

    check_cases(p, cases, sizeof(cases) / sizeof(cases[0]), 1);
}

#define A(s) "{\"clientDataJSON\":\"e30\",\"authenticatorData\":\"AA\"," \
             "\"signature\":\"AA\"" s "}"

static void test_json_authentication_refusals(void **state)
{
    apr_pool_t *p = *state;
    const json_case cases[] = {
        { "{" ID "\"type\":\"public-key\",\"response\":"
          "{\"clientDataJSON\":\"e30\",\"signature\":\"AA\"}}",
          "response JSON: \"response.authenticatorData\" is missing" },
        { "{" ID "\"type\":\"public-key\",\"response\":"
          "{\"clientDataJSON\":\"e30\",\"authenticatorData\":\"AA\"}}",
          "response JSON: \"response.signature\" is missing" },
        { "{" ID "\"type\":\"public-key\",\"response\":"
          "{\"clientDataJSON\":\"e30\",\"authenticatorData\":[],"
          "\"signature\":\"AA\"}}",
          "response JSON: \"response.authenticatorData\" is not a string" },
        { "{" ID "\"type\":\"public-key\",\"response\":"
          "{\"clientDataJSON\":\"e30\",\"authenticatorData\":\"AA\","
          "\"signature\":\"A\"}}",
          "response JSON: \"response.signature\" is not base64url" },
        { "{" ID "\"type\":\"public-key\",\"response\":"
          A(",\"userHandle\":42") "}",
          "response JSON: \"response.userHandle\" is not a string" },
        { "{" ID "\"type\":\"public-key\",\"response\":"
          A(",\"userHandle\":\"dXN=lcg\"") "}",
          "response JSON: \"response.userHandle\" is not base64url" },
        { "{" ID "\"response\":" A("") "}",
          "response JSON: \"type\" is missing" },
        { "{\"id\":\"AQID\",\"type\":\"public-key\",\"response\":" A("") "}",
          "response JSON: \"rawId\" is missing" },
        { "{" ID "\"type\":\"public-key\",\"response\":[]}",
          "response JSON: \"response\" is not an object" },
    };
    stepup_webauthn_response out;
    const char *why;
    char *big, *longid;
    size_t n;

    check_cases(p, cases, sizeof(cases) / sizeof(cases[0]), 0);

    /* the size limit comes before parsing */
    n = STEPUP_WEBAUTHN_JSON_MAX + 1;
    big = apr_palloc(p, n + 1);
    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    big[n] = '\0';
    assert_refused(parse_auth(p, big, &out, &why), why,
                   "response JSON is larger than 65536 bytes");
    /* 1024-byte credential ids are refused */
    longid = apr_palloc(p, 1024);
    memset(longid, 7, 1024);
    longid = wa_b64url(p, longid, 1024);
    assert_refused(parse_auth(p, apr_psprintf(
                                  p, "{\"id\":\"%s\",\"rawId\":\"%s\",\"type\":"
                                  "\"public-key\",\"response\":" A("") "}",
                                  longid, longid), &out, &why), why,
                   "response JSON: \"id\" is longer than 1023 bytes");
}

/* ================================================================== */
/* trust.c                                                             */

static void test_trust_load(void **state)
{
    apr_pool_t *p = *state;
    stepup_trust_store *ts = NULL;
    const char *why = NULL, *pem, *dir, *path;

    pem = wa_pem(p, wa_ca());
    assert_accepted(stepup_trust_load_pem(p, pem, strlen(pem), &ts, &why),
                    why);
    assert_int_equal(stepup_trust_count(ts), 1);
    pem = apr_pstrcat(p, "# roots\n", pem, "\n", wa_pem(p, wa_ca_other()),
                      NULL);
    assert_accepted(stepup_trust_load_pem(p, pem, strlen(pem), &ts, &why),
                    why);
    assert_int_equal(stepup_trust_count(ts), 2);

    assert_refused(stepup_trust_load_pem(p, "", 0, &ts, &why), why,
                   "the file is empty");
    assert_null(ts);
    assert_refused(stepup_trust_load_pem(p, "hello\n", 6, &ts, &why), why,
                   "no PEM certificate in it");
    pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    assert_refused(stepup_trust_load_pem(p, pem, strlen(pem), &ts, &why), why,
                   "PEM certificate 1 is malformed");
    pem = apr_pstrcat(p, wa_pem(p, wa_ca()), "-----BEGIN CERTIFICATE-----\n"
                      "AAAA\n-----END CERTIFICATE-----\n", NULL);
    assert_refused(stepup_trust_load_pem(p, pem, strlen(pem), &ts, &why), why,
                   "PEM certificate 2 is malformed");

    dir = unit_tmpdir(p, NULL);
    pem = wa_pem(p, wa_ca());
    path = unit_tmpfile(p, dir, pem, strlen(pem), 0644);
    assert_accepted(stepup_trust_load(p, path, &ts, &why), why);
    assert_int_equal(stepup_trust_count(ts), 1);
    assert_refused_prefix(stepup_trust_load(p, apr_pstrcat(p, dir, "/none",
                                                           NULL), &ts, &why),
                          why, "No such file");
    assert_refused(stepup_trust_load(p, dir, &ts, &why), why,
                   "not a regular file");
    path = unit_tmpfile(p, dir, "", 0, 0644);
    assert_refused(stepup_trust_load(p, path, &ts, &why), why,
                   "the file is empty");
}

/* A FIFO named as the roots is refused at once: opening it for reading
 * would wait for a writer and hang httpd's start-up. The alarm ends the
 * test with a signal if the load waits. */
static void test_trust_load_fifo(void **state)
{
    apr_pool_t *p = *state;
    stepup_trust_store *ts = NULL;
    const char *why = NULL;
    const char *dir = unit_tmpdir(p, NULL);
    const char *path = unit_tmpname(p, dir, "roots.fifo");

    assert_int_equal(mkfifo(path, 0600), 0);
    alarm(10);
    assert_refused(stepup_trust_load(p, path, &ts, &why), why,
                   "not a regular file");
    alarm(0);
    assert_null(ts);
}

static void test_trust_verify(void **state)
{
    apr_pool_t *p = *state;
    stepup_trust_store *ts = NULL, *other = NULL;
    const char *why = NULL, *pem;
    X509 *leaf = wa_leaf(wa_aaguid);

    pem = wa_pem(p, wa_ca());
    assert_accepted(stepup_trust_load_pem(p, pem, strlen(pem), &ts, &why),
                    why);
    pem = wa_pem(p, wa_ca_other());
    assert_accepted(stepup_trust_load_pem(p, pem, strlen(pem), &other, &why),
                    why);
    assert_accepted(stepup_trust_verify(p, ts, leaf, NULL, &why), why);
    assert_refused(stepup_trust_verify(p, other, leaf, NULL, &why), why,
                   "the certificate chain does not reach a configured root: "
                   "unable to get local issuer certificate");
    /* an anchor need not be self-signed: the leaf itself as a root */
    pem = wa_pem(p, leaf);
    assert_accepted(stepup_trust_load_pem(p, pem, strlen(pem), &other, &why),
                    why);
    assert_accepted(stepup_trust_verify(p, other, leaf, NULL, &why), why);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_cbor_length_and_trailing),
        UNIT_TEST(test_cbor_truncated_every_length),
        UNIT_TEST(test_cbor_depth_limit),
        UNIT_TEST(test_cbor_announced_sizes),
        UNIT_TEST(test_cbor_indefinite_and_break),
        UNIT_TEST(test_cbor_value_helpers),
        UNIT_TEST(test_clientdata_ok),
        UNIT_TEST(test_clientdata_type),
        UNIT_TEST(test_clientdata_challenge),
        UNIT_TEST(test_clientdata_origin),
        UNIT_TEST(test_clientdata_origin_any),
        UNIT_TEST(test_clientdata_cross_origin),
        UNIT_TEST(test_clientdata_token_binding),
        UNIT_TEST(test_clientdata_not_json),
        UNIT_TEST(test_authdata_minimal),
        UNIT_TEST(test_authdata_attested),
        UNIT_TEST(test_authdata_credential_id_length),
        UNIT_TEST(test_authdata_extensions),
        UNIT_TEST(test_authdata_check),
        UNIT_TEST(test_cose_known_keys),
        UNIT_TEST(test_cose_truncated_and_trailing),
        UNIT_TEST(test_cose_structure),
        UNIT_TEST(test_cose_unsupported),
        UNIT_TEST(test_cose_unsupported_pairs),
        UNIT_TEST(test_cose_ec2_parameters),
        UNIT_TEST(test_cose_ec2_off_curve),
        UNIT_TEST(test_cose_rsa_parameters),
        UNIT_TEST(test_cose_okp_parameters),
        UNIT_TEST(test_sig_verify),
        UNIT_TEST(test_es256_stored_keys_in_turn),
        UNIT_TEST(test_es256_stored_keys_threads),
        UNIT_TEST(test_json_registration_ok),
        UNIT_TEST(test_json_authentication_ok),
        UNIT_TEST(test_json_registration_refusals),
        UNIT_TEST(test_json_registration_refusals_response),
        UNIT_TEST(test_json_authentication_refusals),
        UNIT_TEST(test_trust_load),
        UNIT_TEST(test_trust_load_fifo),
        UNIT_TEST(test_trust_verify),
    };

    return cmocka_run_group_tests_name("webauthn", tests, group_setup,
                                       group_teardown);
}
