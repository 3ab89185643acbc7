/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * base64url (src/b64url.c): RFC 4648 section 5, unpadded on output, padded or
 * not on input, the '+' '/' alphabet refused.
 */
#include <apr_strings.h>

#include "unit_util.h"
#include "stepup_b64url.h"

/* Decodes s (strlen) and expects success with exactly want[0..wantlen). */
static void expect_decode(apr_pool_t *p, const char *s, const void *want,
                          size_t wantlen)
{
    unsigned char *out = NULL;
    size_t outlen = 12345;

    if (stepup_b64url_decode(p, s, strlen(s), &out, &outlen) != 0)
        fail_msg("decode refused \"%s\"", s);
    assert_non_null(out);
    assert_int_equal(outlen, wantlen);
    if (wantlen)
        assert_memory_equal(out, want, wantlen);
    assert_int_equal(out[outlen], '\0');
}

/* Expects the decoder to refuse s[0..len). */
static void expect_refused_len(apr_pool_t *p, const char *s, size_t len)
{
    unsigned char *out = NULL;
    size_t outlen = 0;

    if (stepup_b64url_decode(p, s, len, &out, &outlen) != -1)
        fail_msg("decode accepted \"%.*s\" (%zu bytes out)", (int)len, s,
                 outlen);
}

static void expect_refused(apr_pool_t *p, const char *s)
{
    expect_refused_len(p, s, strlen(s));
}

/* The RFC 4648 section 10 vectors, and the two characters that make it
 * base64url. */
static void test_rfc4648_vectors(void **state)
{
    static const struct { const char *in, *out; } v[] = {
        { "", "" }, { "f", "Zg" }, { "fo", "Zm8" }, { "foo", "Zm9v" },
        { "foob", "Zm9vYg" }, { "fooba", "Zm9vYmE" }, { "foobar", "Zm9vYmFy" },
    };
    static const unsigned char dash_under[] = { 0xfb, 0xff };
    static const unsigned char dashes[] = { 0xfb, 0xef, 0xbe };
    static const unsigned char unders[] = { 0xff, 0xff, 0xff };
    apr_pool_t *p = *state;
    size_t i;

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        assert_string_equal(stepup_b64url_encode(p,
                                (const unsigned char *)v[i].in,
                                strlen(v[i].in)), v[i].out);
        expect_decode(p, v[i].out, v[i].in, strlen(v[i].in));
    }
    assert_string_equal(stepup_b64url_encode(p, dash_under, 2), "-_8");
    assert_string_equal(stepup_b64url_encode(p, dashes, 3), "----");
    assert_string_equal(stepup_b64url_encode(p, unders, 3), "____");
    expect_decode(p, "-_8", dash_under, 2);
    expect_decode(p, "----", dashes, 3);
    expect_decode(p, "____", unders, 3);
}

static void test_len_macro(void **state)
{
    (void)state;
    assert_int_equal(STEPUP_B64URL_LEN(0), 0);
    assert_int_equal(STEPUP_B64URL_LEN(1), 2);
    assert_int_equal(STEPUP_B64URL_LEN(2), 3);
    assert_int_equal(STEPUP_B64URL_LEN(3), 4);
    assert_int_equal(STEPUP_B64URL_LEN(4), 6);
    assert_int_equal(STEPUP_B64URL_LEN(16), 22);
    assert_int_equal(STEPUP_B64URL_LEN(32), 43);
}

/* Every length 0..70, bytes covering the whole range: encode (both entry
 * points) matches OpenSSL's encoder translated to base64url, has the length
 * STEPUP_B64URL_LEN, and decodes back, unpadded and padded. */
static void test_round_trip_0_to_70(void **state)
{
    apr_pool_t *p = *state;
    unsigned char in[70];
    size_t n, i;

    for (n = 0; n <= sizeof(in); n++) {
        char buf[STEPUP_B64URL_LEN(70) + 8];
        const char *enc, *ref;
        char *padded;
        size_t w;

        for (i = 0; i < n; i++)
            in[i] = (unsigned char)(37 * i + 11 * n + 0xf0);
        ref = unit_ref_b64url(p, in, n);

        enc = stepup_b64url_encode(p, in, n);
        assert_string_equal(enc, ref);
        assert_int_equal(strlen(enc), STEPUP_B64URL_LEN(n));
        assert_true(stepup_b64url_valid(enc, strlen(enc), 0));

        memset(buf, 'X', sizeof(buf));
        w = stepup_b64url_encode_to(buf, in, n);
        assert_int_equal(w, STEPUP_B64URL_LEN(n));
        assert_int_equal(buf[w], '\0');
        assert_int_equal(buf[w + 1], 'X');   /* nothing written past the NUL */
        assert_string_equal(buf, ref);

        expect_decode(p, enc, in, n);

        padded = apr_pstrcat(p, enc, (n % 3) == 1 ? "==" : (n % 3) == 2
                             ? "=" : "", NULL);
        assert_int_equal(strlen(padded) % 4, 0);
        assert_true(stepup_b64url_valid(padded, strlen(padded), 1));
        expect_decode(p, padded, in, n);
    }
}

static void test_decode_padding_accepted(void **state)
{
    apr_pool_t *p = *state;

    expect_decode(p, "Zg==", "f", 1);
    expect_decode(p, "Zm8=", "fo", 2);
    expect_decode(p, "Zm9vYg==", "foob", 4);
    expect_decode(p, "Zm9vYmE=", "fooba", 5);
    expect_decode(p, "-_8=", "\xfb\xff", 2);
    /* padding must complete a quantum, and there is at most two of it */
    expect_refused(p, "Zg=");
    expect_refused(p, "Zg===");
    expect_refused(p, "Zm8==");
    expect_refused(p, "Zm9v=");
    expect_refused(p, "Zm9v==");
    expect_refused(p, "Z===");
    expect_refused(p, "====");
    expect_refused(p, "Zm9vY===");
}

static void test_decode_refuses_standard_alphabet(void **state)
{
    apr_pool_t *p = *state;

    expect_refused(p, "+/8");
    expect_refused(p, "+/8=");
    expect_refused(p, "Zm+v");
    expect_refused(p, "Zm/v");
    expect_refused(p, "++++");
    expect_refused(p, "////");
    /* the same bytes in base64url are fine */
    expect_decode(p, "-_8", "\xfb\xff", 2);
}

static void test_decode_bad_length(void **state)
{
    apr_pool_t *p = *state;

    expect_refused(p, "A");
    expect_refused(p, "Z");
    expect_refused(p, "Zm9vY");
    expect_refused(p, "Zm9vYmFyZ");
    /* the lengths around them decode */
    expect_decode(p, "Zm9vYg", "foob", 4);
    expect_decode(p, "Zm9vYmFy", "foobar", 6);
}

static void test_decode_embedded_padding(void **state)
{
    apr_pool_t *p = *state;

    expect_refused(p, "Zg==Zg==");
    expect_refused(p, "Zg==Zg");
    expect_refused(p, "Z=g");
    expect_refused(p, "Zm=v");
    expect_refused(p, "=Zm9");
    expect_refused(p, "Zm9v=Zm9");
}

static void test_decode_other_characters(void **state)
{
    apr_pool_t *p = *state;

    expect_refused(p, "Zm9 v");
    expect_refused(p, "Zm9v ");
    expect_refused(p, " Zm9v");
    expect_refused(p, "Zm9v\n");
    expect_refused(p, "Zm9.");
    expect_refused(p, "Zm9\x80");
    expect_refused(p, "Zm9v*");
    /* the length is what counts, not a NUL */
    expect_refused_len(p, "Zm\0v", 4);
    expect_decode(p, "", "", 0);
}

static void test_valid(void **state)
{
    (void)state;
    /* without padding allowed */
    assert_int_equal(stepup_b64url_valid("", 0, 0), 1);
    assert_int_equal(stepup_b64url_valid("Zg", 2, 0), 1);
    assert_int_equal(stepup_b64url_valid("AZaz09-_", 8, 0), 1);
    assert_int_equal(stepup_b64url_valid("Zg==", 4, 0), 0);
    assert_int_equal(stepup_b64url_valid("Zm8=", 4, 0), 0);
    assert_int_equal(stepup_b64url_valid("Zm+v", 4, 0), 0);
    assert_int_equal(stepup_b64url_valid("Zm/v", 4, 0), 0);
    assert_int_equal(stepup_b64url_valid("Zm.v", 4, 0), 0);
    assert_int_equal(stepup_b64url_valid("Zm v", 4, 0), 0);
    assert_int_equal(stepup_b64url_valid("Zm\0v", 4, 0), 0);
    /* only s[0..len) is looked at */
    assert_int_equal(stepup_b64url_valid("Zg==", 2, 0), 1);
    assert_int_equal(stepup_b64url_valid("Zg+/", 2, 0), 1);

    /* with padding allowed */
    assert_int_equal(stepup_b64url_valid("", 0, 1), 1);
    assert_int_equal(stepup_b64url_valid("Zg", 2, 1), 1);
    assert_int_equal(stepup_b64url_valid("Zg==", 4, 1), 1);
    assert_int_equal(stepup_b64url_valid("Zm8=", 4, 1), 1);
    assert_int_equal(stepup_b64url_valid("Zg=", 3, 1), 0);   /* not whole */
    assert_int_equal(stepup_b64url_valid("Z===", 4, 1), 0);  /* three '=' */
    assert_int_equal(stepup_b64url_valid("Z=g=", 4, 1), 0);  /* embedded */
    assert_int_equal(stepup_b64url_valid("=Zg=", 4, 1), 0);
    assert_int_equal(stepup_b64url_valid("Zm+=", 4, 1), 0);
    assert_int_equal(stepup_b64url_valid("Zm/=", 4, 1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_rfc4648_vectors),
        UNIT_TEST(test_len_macro),
        UNIT_TEST(test_round_trip_0_to_70),
        UNIT_TEST(test_decode_padding_accepted),
        UNIT_TEST(test_decode_refuses_standard_alphabet),
        UNIT_TEST(test_decode_bad_length),
        UNIT_TEST(test_decode_embedded_padding),
        UNIT_TEST(test_decode_other_characters),
        UNIT_TEST(test_valid),
    };

    return cmocka_run_group_tests_name("b64url", tests, unit_group_setup,
                                       unit_group_teardown);
}
