/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The binary structures of the tpm, android-key and apple attestation
 * formats, one reader at a time: the TPM 2.0 TPMT_PUBLIC and TPMS_ATTEST
 * reader (src/webauthn/tpm.c), the Android key description and the Apple
 * nonce extension (OpenSSL ASN.1 templates, src/webauthn/android_key.c and
 * apple.c). Each is given a well-formed input built here byte by byte from
 * the published layouts, then every truncation of it (in a buffer of
 * exactly that size, so that AddressSanitizer and valgrind see any read
 * past it), wrong sizes, wrong tags and trailing bytes: all refused with a
 * reason, none read out of bounds.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <apr_tables.h>

#include "unit_util.h"
#include "wa_fixture.h"
#include "webauthn_internal.h"

static int group_setup(void **state)
{
    return unit_group_setup(state);
}

static int group_teardown(void **state)
{
    return unit_group_teardown(state);
}

/* ---- a byte builder ---- */

static void put(apr_array_header_t *b, const void *data, size_t len)
{
    const unsigned char *d = data;
    size_t i;

    for (i = 0; i < len; i++)
        APR_ARRAY_PUSH(b, unsigned char) = d[i];
}

static void put_u16(apr_array_header_t *b, unsigned v)
{
    unsigned char x[2] = { (unsigned char)(v >> 8), (unsigned char)v };
    put(b, x, 2);
}

static void put_u32(apr_array_header_t *b, uint32_t v)
{
    unsigned char x[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
                           (unsigned char)(v >> 8), (unsigned char)v };
    put(b, x, 4);
}

static void put_fill(apr_array_header_t *b, unsigned char c, size_t n)
{
    while (n--)
        APR_ARRAY_PUSH(b, unsigned char) = c;
}

/* TPM2B: size, then n bytes of c */
static void put_tpm2b(apr_array_header_t *b, unsigned char c, size_t n)
{
    put_u16(b, (unsigned)n);
    put_fill(b, c, n);
}

static apr_array_header_t *bytes(apr_pool_t *p)
{
    return apr_array_make(p, 64, 1);
}

/* DER: tag bytes, then the definite length, then the content */
static apr_array_header_t *tlv(apr_pool_t *p, const char *tag, size_t taglen,
                               const apr_array_header_t *content)
{
    apr_array_header_t *b = bytes(p);
    size_t n = content ? (size_t)content->nelts : 0;

    put(b, tag, taglen);
    if (n < 128)
        APR_ARRAY_PUSH(b, unsigned char) = (unsigned char)n;
    else if (n < 256) {
        APR_ARRAY_PUSH(b, unsigned char) = 0x81;
        APR_ARRAY_PUSH(b, unsigned char) = (unsigned char)n;
    }
    else {
        APR_ARRAY_PUSH(b, unsigned char) = 0x82;
        put_u16(b, (unsigned)n);
    }
    if (n)
        put(b, content->elts, n);
    return b;
}

static apr_array_header_t *cat(apr_pool_t *p, int count, ...)
{
    apr_array_header_t *b = bytes(p);
    va_list ap;
    int i;

    va_start(ap, count);
    for (i = 0; i < count; i++) {
        apr_array_header_t *part = va_arg(ap, apr_array_header_t *);
        put(b, part->elts, (size_t)part->nelts);
    }
    va_end(ap);
    return b;
}

static apr_array_header_t *der_int(apr_pool_t *p, const char *tag, int v)
{
    apr_array_header_t *c = bytes(p);

    APR_ARRAY_PUSH(c, unsigned char) = (unsigned char)v;
    return tlv(p, tag, 1, c);
}

static apr_array_header_t *der_octets(apr_pool_t *p, unsigned char c,
                                      size_t n)
{
    apr_array_header_t *b = bytes(p);

    put_fill(b, c, n);
    return tlv(p, "\x04", 1, b);
}

/* A parser run over each proper prefix of buf, in an exact-size copy. */
typedef int (*parse_fn)(apr_pool_t *p, const unsigned char *buf, size_t len,
                        void *out, const char **why);

static void every_truncation_refused(apr_pool_t *p, parse_fn fn,
                                     const apr_array_header_t *buf, void *out)
{
    size_t n;

    for (n = 0; n < (size_t)buf->nelts; n++) {
        unsigned char *copy = malloc(n ? n : 1);
        const char *why = NULL;
        int rc;

        memcpy(copy, buf->elts, n);
        rc = fn(p, copy, n, out, &why);
        free(copy);
        if (rc != -1 || !why)
            fail_msg("a %zu-byte prefix of %d bytes was not refused", n,
                     buf->nelts);
    }
}

static int with_trailing_byte(apr_pool_t *p, parse_fn fn,
                              const apr_array_header_t *buf, void *out,
                              const char **why)
{
    size_t n = (size_t)buf->nelts;
    unsigned char *copy = malloc(n + 1);
    int rc;

    memcpy(copy, buf->elts, n);
    copy[n] = 0x00;
    rc = fn(p, copy, n + 1, out, why);
    free(copy);
    return rc;
}

/* ================================================================== */
/* TPM structures                                                      */

static int tpm_public(apr_pool_t *p, const unsigned char *b, size_t n,
                      void *out, const char **why)
{
    return stepup_tpm_public_parse(p, b, n, out, why);
}

static int tpm_attest(apr_pool_t *p, const unsigned char *b, size_t n,
                      void *out, const char **why)
{
    return stepup_tpm_attest_parse(p, b, n, out, why);
}

/* TPMT_PUBLIC of an RSA-2048 signing key (Windows Hello's layout). */
static apr_array_header_t *rsa_public(apr_pool_t *p, size_t modulus_len,
                                      unsigned declared)
{
    apr_array_header_t *b = bytes(p);

    put_u16(b, 0x0001);          /* type RSA */
    put_u16(b, 0x000B);          /* nameAlg SHA256 */
    put_u32(b, 0x00060472);      /* objectAttributes */
    put_tpm2b(b, 0xee, 0);       /* authPolicy */
    put_u16(b, 0x0010);          /* symmetric NULL */
    put_u16(b, 0x0010);          /* scheme NULL */
    put_u16(b, 2048);            /* keyBits */
    put_u32(b, 0);               /* exponent: 0 means 65537 */
    put_u16(b, declared);        /* unique: the modulus */
    put_fill(b, 0xc5, modulus_len);
    return b;
}

/* TPMT_PUBLIC of a P-256 ECDSA key, with a scheme that has details. */
static apr_array_header_t *ecc_public(apr_pool_t *p, unsigned scheme)
{
    apr_array_header_t *b = bytes(p);

    put_u16(b, 0x0023);          /* type ECC */
    put_u16(b, 0x000B);
    put_u32(b, 0x00060472);
    put_tpm2b(b, 0xaa, 32);      /* authPolicy */
    put_u16(b, 0x0010);          /* symmetric NULL */
    put_u16(b, scheme);          /* ECDSA, with its hash */
    if (scheme != 0x0010)
        put_u16(b, 0x000B);
    put_u16(b, 0x0003);          /* curve NIST P-256 */
    put_u16(b, 0x0010);          /* kdf NULL */
    put_tpm2b(b, 0x11, 32);      /* x */
    put_tpm2b(b, 0x22, 32);      /* y */
    return b;
}

static void test_tpm_public_rsa(void **state)
{
    apr_pool_t *p = *state;
    apr_array_header_t *b = rsa_public(p, 256, 256);
    stepup_tpm_public pub;
    const char *why = NULL;

    assert_accepted(tpm_public(p, (unsigned char *)b->elts, b->nelts, &pub,
                               &why), why);
    assert_int_equal(pub.type, 0x0001);
    assert_int_equal(pub.name_alg, 0x000B);
    assert_int_equal(pub.rsa_key_bits, 2048);
    assert_int_equal(pub.rsa_exponent, 0);
    assert_int_equal(pub.rsa_modulus_len, 256);
    assert_int_equal(pub.rsa_modulus[0], 0xc5);
    every_truncation_refused(p, tpm_public, b, &pub);
    assert_refused(with_trailing_byte(p, tpm_public, b, &pub, &why), why,
                   "tpm pubArea has 1 bytes after its end");
}

static void test_tpm_public_ecc(void **state)
{
    apr_pool_t *p = *state;
    apr_array_header_t *b = ecc_public(p, 0x0018);
    stepup_tpm_public pub;
    const char *why = NULL;

    assert_accepted(tpm_public(p, (unsigned char *)b->elts, b->nelts, &pub,
                               &why), why);
    assert_int_equal(pub.type, 0x0023);
    assert_int_equal(pub.ecc_curve, 0x0003);
    assert_int_equal(pub.ecc_x_len, 32);
    assert_int_equal(pub.ecc_y_len, 32);
    assert_int_equal(pub.ecc_x[0], 0x11);
    assert_int_equal(pub.ecc_y[31], 0x22);
    every_truncation_refused(p, tpm_public, b, &pub);
    b = ecc_public(p, 0x0010);   /* scheme NULL: no details */
    assert_accepted(tpm_public(p, (unsigned char *)b->elts, b->nelts, &pub,
                               &why), why);
}

static void test_tpm_public_wrong_sizes_and_selectors(void **state)
{
    apr_pool_t *p = *state;
    apr_array_header_t *b;
    stepup_tpm_public pub;
    const char *why = NULL;

    /* a size field larger than what follows */
    b = rsa_public(p, 256, 300);
    assert_refused(tpm_public(p, (unsigned char *)b->elts, b->nelts, &pub,
                              &why), why,
                   "tpm pubArea: unique (modulus) says 300 bytes, 256 remain");
    /* smaller: the rest is trailing */
    b = rsa_public(p, 256, 200);
    assert_refused(tpm_public(p, (unsigned char *)b->elts, b->nelts, &pub,
                              &why), why,
                   "tpm pubArea has 56 bytes after its end");
    /* a type that is neither RSA nor ECC */
    b = rsa_public(p, 256, 256);
    ((unsigned char *)b->elts)[1] = 0x25;
    assert_refused(tpm_public(p, (unsigned char *)b->elts, b->nelts, &pub,
                              &why), why,
                   "tpm pubArea: type 0x0025 is not known");
    /* a scheme no key carries */
    b = ecc_public(p, 0x0099);
    assert_refused(tpm_public(p, (unsigned char *)b->elts, b->nelts, &pub,
                              &why), why,
                   "tpm pubArea: scheme 0x0099 is not known");
    /* an RSA scheme on an ECC key */
    b = ecc_public(p, 0x0014);
    assert_refused(tpm_public(p, (unsigned char *)b->elts, b->nelts, &pub,
                              &why), why,
                   "tpm pubArea: scheme 0x0014 is not known");
}

/* TPMS_ATTEST of type TPM_ST_ATTEST_CERTIFY. */
static apr_array_header_t *certify(apr_pool_t *p, uint32_t magic,
                                   unsigned type, unsigned extra_declared)
{
    apr_array_header_t *b = bytes(p);

    put_u32(b, magic);
    put_u16(b, type);
    put_tpm2b(b, 0x01, 34);      /* qualifiedSigner */
    put_u16(b, extra_declared);  /* extraData */
    put_fill(b, 0xed, 32);
    put_fill(b, 0x00, 17);       /* clockInfo */
    put_fill(b, 0x00, 8);        /* firmwareVersion */
    put_u16(b, 34);              /* attested name: nameAlg || digest */
    put_u16(b, 0x000B);
    put_fill(b, 0x4e, 32);
    put_tpm2b(b, 0x51, 34);      /* qualifiedName */
    return b;
}

static void test_tpm_attest(void **state)
{
    apr_pool_t *p = *state;
    apr_array_header_t *b = certify(p, 0xff544347, 0x8017, 32);
    stepup_tpm_attest att;
    const char *why = NULL;

    assert_accepted(tpm_attest(p, (unsigned char *)b->elts, b->nelts, &att,
                               &why), why);
    assert_int_equal(att.extra_data_len, 32);
    assert_int_equal(att.extra_data[0], 0xed);
    assert_int_equal(att.name_len, 34);
    assert_int_equal(att.name[1], 0x0B);
    every_truncation_refused(p, tpm_attest, b, &att);
    assert_refused(with_trailing_byte(p, tpm_attest, b, &att, &why), why,
                   "tpm certInfo has 1 bytes after its end");
}

static void test_tpm_attest_wrong_fields(void **state)
{
    apr_pool_t *p = *state;
    apr_array_header_t *b;
    stepup_tpm_attest att;
    const char *why = NULL;

    b = certify(p, 0xff544348, 0x8017, 32);
    assert_refused(tpm_attest(p, (unsigned char *)b->elts, b->nelts, &att,
                              &why), why,
                   "tpm certInfo: magic is 0xff544348, not "
                   "TPM_GENERATED_VALUE");
    b = certify(p, 0xff544347, 0x8018, 32);   /* TPM_ST_ATTEST_QUOTE */
    assert_refused(tpm_attest(p, (unsigned char *)b->elts, b->nelts, &att,
                              &why), why,
                   "tpm certInfo: type is 0x8018, not TPM_ST_ATTEST_CERTIFY");
    /* extraData claims everything that follows and more */
    b = certify(p, 0xff544347, 0x8017, 0xffff);
    assert_refused_prefix(tpm_attest(p, (unsigned char *)b->elts, b->nelts,
                                     &att, &why), why,
                          "tpm certInfo: extraData says 65535 bytes");
}

/* ================================================================== */
/* The Android key description                                         */

static int key_description(apr_pool_t *p, const unsigned char *b, size_t n,
                           void *out, const char **why)
{
    return stepup_android_key_description_decode(p, b, n, out, why);
}

/* [n] EXPLICIT, constructed, context-specific: the high-tag-number form
 * for n >= 31 */
static const char *ctx_tag(apr_pool_t *p, unsigned n, size_t *len)
{
    char *t = apr_palloc(p, 4);

    if (n < 31) {
        t[0] = (char)(0xa0 | n);
        *len = 1;
    }
    else {
        t[0] = (char)0xbf;
        t[1] = (char)(0x80 | (n >> 7));
        t[2] = (char)(n & 0x7f);
        *len = 3;
    }
    return t;
}

static apr_array_header_t *explicit(apr_pool_t *p, unsigned n,
                                    const apr_array_header_t *inner)
{
    size_t len;
    const char *t = ctx_tag(p, n, &len);

    return tlv(p, t, len, inner);
}

typedef struct {
    int sw_all_applications;   /* [600] in softwareEnforced */
    int security_tag;          /* 0x0a ENUMERATED, or another tag */
    int security_level;
    int tee_origin;            /* -1: absent */
    int unknown_tag;           /* a tag the schema lacks, 0: none */
} kd_spec;

static apr_array_header_t *key_desc(apr_pool_t *p, const kd_spec *s)
{
    apr_array_header_t *sw, *tee, *purpose;
    char sec_tag = (char)s->security_tag;

    sw = explicit(p, 701, der_int(p, "\x02", 1));     /* creationDateTime */
    if (s->sw_all_applications)   /* the fields go in tag order */
        sw = cat(p, 2, explicit(p, 600, tlv(p, "\x05", 1, NULL)), sw);
    sw = tlv(p, "\x30", 1, sw);
    purpose = explicit(p, 1, tlv(p, "\x31", 1, der_int(p, "\x02", 2)));
    tee = purpose;
    if (s->tee_origin >= 0)
        tee = cat(p, 2, tee, explicit(p, 702, der_int(p, "\x02",
                                                     s->tee_origin)));
    if (s->unknown_tag)
        tee = cat(p, 2, tee, explicit(p, (unsigned)s->unknown_tag,
                                      der_int(p, "\x02", 0)));
    tee = tlv(p, "\x30", 1, tee);
    return tlv(p, "\x30", 1,
               cat(p, 8, der_int(p, "\x02", 3),
                   der_int(p, &sec_tag, s->security_level),
                   der_int(p, "\x02", 4), der_int(p, "\x0a", 1),
                   der_octets(p, 0xcd, 32), der_octets(p, 0, 0), sw, tee));
}

static const kd_spec kd_good = { 0, 0x0a, 1, 0, 0 };

static void test_key_description(void **state)
{
    apr_pool_t *p = *state;
    apr_array_header_t *b = key_desc(p, &kd_good);
    stepup_android_key_description kd;
    const char *why = NULL;

    assert_accepted(key_description(p, (unsigned char *)b->elts, b->nelts,
                                    &kd, &why), why);
    assert_int_equal(kd.attestation_security_level, 1);
    assert_int_equal(kd.challenge_len, 32);
    assert_int_equal(kd.challenge[0], 0xcd);
    assert_int_equal(kd.all_applications, 0);
    assert_int_equal(kd.tee_origin, 0);
    assert_int_equal(kd.sw_origin, -1);
    assert_int_equal(kd.tee_purpose_sign, 1);
    assert_int_equal(kd.sw_purpose_sign, 0);
    every_truncation_refused(p, key_description, b, &kd);
    assert_refused(with_trailing_byte(p, key_description, b, &kd, &why), why,
                   "the key description (1.3.6.1.4.1.11129.2.1.17) is not a "
                   "well-formed KeyDescription");
}

static void test_key_description_fields(void **state)
{
    apr_pool_t *p = *state;
    stepup_android_key_description kd;
    apr_array_header_t *b;
    const char *why = NULL;
    kd_spec s;

    /* allApplications is seen in either list */
    s = kd_good;
    s.sw_all_applications = 1;
    b = key_desc(p, &s);
    assert_accepted(key_description(p, (unsigned char *)b->elts, b->nelts,
                                    &kd, &why), why);
    assert_int_equal(kd.all_applications, 1);
    /* StrongBox */
    s = kd_good;
    s.security_level = 2;
    b = key_desc(p, &s);
    assert_accepted(key_description(p, (unsigned char *)b->elts, b->nelts,
                                    &kd, &why), why);
    assert_int_equal(kd.attestation_security_level, 2);
    /* a security level the schema does not have */
    s = kd_good;
    s.security_level = 5;
    b = key_desc(p, &s);
    assert_refused(key_description(p, (unsigned char *)b->elts, b->nelts,
                                   &kd, &why), why,
                   "the key description's attestationSecurityLevel 5 is not "
                   "0, 1 or 2");
}

static void test_key_description_malformed(void **state)
{
    apr_pool_t *p = *state;
    static const char want[] = "the key description "
        "(1.3.6.1.4.1.11129.2.1.17) is not a well-formed KeyDescription";
    stepup_android_key_description kd;
    apr_array_header_t *b;
    const char *why = NULL;
    kd_spec s;

    /* wrong tag: an INTEGER where the ENUMERATED security level goes */
    s = kd_good;
    s.security_tag = 0x02;
    b = key_desc(p, &s);
    assert_refused(key_description(p, (unsigned char *)b->elts, b->nelts,
                                   &kd, &why), why, want);
    /* a tag the schema does not define, in an authorization list */
    s = kd_good;
    s.unknown_tag = 999;
    b = key_desc(p, &s);
    assert_refused(key_description(p, (unsigned char *)b->elts, b->nelts,
                                   &kd, &why), why, want);
    /* the outer length one more than the content */
    b = key_desc(p, &kd_good);
    assert_true(((unsigned char *)b->elts)[1] < 0x7f);   /* short form */
    ((unsigned char *)b->elts)[1]++;
    assert_refused(key_description(p, (unsigned char *)b->elts, b->nelts,
                                   &kd, &why), why, want);
    /* not a SEQUENCE at all */
    b = key_desc(p, &kd_good);
    ((unsigned char *)b->elts)[0] = 0x31;
    assert_refused(key_description(p, (unsigned char *)b->elts, b->nelts,
                                   &kd, &why), why, want);
    assert_refused(key_description(p, (const unsigned char *)"", 0, &kd,
                                   &why), why,
                   "the key description is empty or too long");
}

/* ================================================================== */
/* The Apple nonce extension                                           */

static int apple_nonce(apr_pool_t *p, const unsigned char *b, size_t n,
                       void *out, const char **why)
{
    return stepup_apple_nonce_decode(p, b, n, out, why);
}

static apr_array_header_t *nonce_ext(apr_pool_t *p, const char *tag,
                                     size_t n)
{
    return tlv(p, "\x30", 1, tlv(p, tag, 1, der_octets(p, 0x9a, n)));
}

static void test_apple_nonce(void **state)
{
    apr_pool_t *p = *state;
    static const char malformed[] = "the nonce extension "
        "(1.2.840.113635.100.8.2) is not SEQUENCE { [1] OCTET STRING }";
    apr_array_header_t *b = nonce_ext(p, "\xa1", 32);
    unsigned char nonce[32];
    const char *why = NULL;

    assert_accepted(apple_nonce(p, (unsigned char *)b->elts, b->nelts, nonce,
                                &why), why);
    assert_int_equal(nonce[0], 0x9a);
    assert_int_equal(nonce[31], 0x9a);
    every_truncation_refused(p, apple_nonce, b, nonce);
    assert_refused(with_trailing_byte(p, apple_nonce, b, nonce, &why), why,
                   malformed);
    /* [2] instead of [1] */
    b = nonce_ext(p, "\xa2", 32);
    assert_refused(apple_nonce(p, (unsigned char *)b->elts, b->nelts, nonce,
                               &why), why, malformed);
    /* 31 bytes: not a SHA-256 */
    b = nonce_ext(p, "\xa1", 31);
    assert_refused(apple_nonce(p, (unsigned char *)b->elts, b->nelts, nonce,
                               &why), why,
                   "the nonce extension does not hold 32 bytes");
    /* the OCTET STRING's length says more than there is */
    b = nonce_ext(p, "\xa1", 32);
    ((unsigned char *)b->elts)[5] = 0x21;
    assert_refused(apple_nonce(p, (unsigned char *)b->elts, b->nelts, nonce,
                               &why), why, malformed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_tpm_public_rsa),
        UNIT_TEST(test_tpm_public_ecc),
        UNIT_TEST(test_tpm_public_wrong_sizes_and_selectors),
        UNIT_TEST(test_tpm_attest),
        UNIT_TEST(test_tpm_attest_wrong_fields),
        UNIT_TEST(test_key_description),
        UNIT_TEST(test_key_description_fields),
        UNIT_TEST(test_key_description_malformed),
        UNIT_TEST(test_apple_nonce),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
