/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The WebAuthn ceremonies (src/webauthn/ceremony.c, WebAuthn L3 7.1 and
 * 7.2) end to end on vectors made at test time (wa_fixture.c): ES256,
 * RS256 and EdDSA credentials; attestation none, packed self, packed x5c
 * with a test CA and fido-u2f; assertions with counters, flags and
 * extensions. Each refusal is checked with its exact reason.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <cbor.h>
#include <openssl/evp.h>

#include "unit_util.h"
#include "wa_fixture.h"
#include "stepup_aaguid.h"
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

static int reg_verify(apr_pool_t *p, const stepup_webauthn_policy *pol,
                      const wa_reg *r, stepup_webauthn_registration *out,
                      const char **why)
{
    *why = NULL;
    return stepup_webauthn_verify_registration(p, pol, &r->resp, out, why);
}

static int auth_verify(apr_pool_t *p, const stepup_webauthn_policy *pol,
                       wa_key_id stored, uint32_t stored_count,
                       const wa_auth *a, stepup_webauthn_assertion *out,
                       const char **why)
{
    const wa_key *k = wa_key_get(stored);

    *why = NULL;
    return stepup_webauthn_verify_authentication(p, pol, k->cose, k->cose_len,
                                                 stored_count, &a->resp, out,
                                                 why);
}

static stepup_trust_store *roots_of(apr_pool_t *p, X509 *ca)
{
    stepup_trust_store *ts = NULL;
    const char *why = NULL, *pem = wa_pem(p, ca);

    assert_accepted(stepup_trust_load_pem(p, pem, strlen(pem), &ts, &why),
                    why);
    return ts;
}

/* ================================================================== */
/* Registration                                                        */

static void test_reg_none_each_key(void **state)
{
    apr_pool_t *p = *state;
    static const wa_key_id ids[] = { WA_KEY_ES256, WA_KEY_RS256,
                                     WA_KEY_EDDSA };
    stepup_webauthn_registration out;
    stepup_webauthn_policy pol;
    const char *why;
    wa_reg r;
    size_t i;

    wa_policy(&pol);
    for (i = 0; i < 3; i++) {
        const wa_key *k = wa_key_get(ids[i]);

        wa_reg_init(&r, ids[i], WA_FMT_NONE);
        r.sign_count = 7;
        wa_reg_build(p, &r);
        assert_accepted(reg_verify(p, &pol, &r, &out, &why), why);
        assert_int_equal(out.credential_id_len, r.cred_id_len);
        assert_memory_equal(out.credential_id, r.cred_id, r.cred_id_len);
        assert_int_equal(out.public_key_len, k->cose_len);
        assert_memory_equal(out.public_key, k->cose, k->cose_len);
        assert_int_equal(out.alg, k->alg);
        assert_string_equal(out.fmt, "none");
        assert_memory_equal(out.aaguid, wa_aaguid, 16);
        assert_int_equal(out.sign_count, 7);
        assert_int_equal(out.flags, 0x45);
        assert_int_equal(out.user_verified, 1);
        assert_int_equal(out.backup_eligible, 0);
        assert_int_equal(out.backup_state, 0);
        assert_int_equal(out.attestation_trusted, 0);
        assert_string_equal(out.attestation_type, "none");
    }
}

static void test_reg_packed_self_each_key(void **state)
{
    apr_pool_t *p = *state;
    static const wa_key_id ids[] = { WA_KEY_ES256, WA_KEY_RS256,
                                     WA_KEY_EDDSA };
    static const char *const reasons[] = {
        "packed self attestation: the ES256 signature does not verify",
        "packed self attestation: the RS256 signature does not verify",
        "packed self attestation: the EdDSA signature does not verify"
    };
    stepup_webauthn_registration out;
    stepup_webauthn_policy pol;
    const char *why;
    wa_reg r;
    size_t i;

    wa_policy(&pol);
    for (i = 0; i < 3; i++) {
        wa_reg_init(&r, ids[i], WA_FMT_PACKED_SELF);
        r.flags |= STEPUP_WEBAUTHN_FLAG_BE | STEPUP_WEBAUTHN_FLAG_BS;
        wa_reg_build(p, &r);
        assert_accepted(reg_verify(p, &pol, &r, &out, &why), why);
        assert_string_equal(out.fmt, "packed");
        assert_string_equal(out.attestation_type, "self");
        assert_int_equal(out.attestation_trusted, 0);
        assert_int_equal(out.backup_eligible, 1);
        assert_int_equal(out.backup_state, 1);
        assert_int_equal(out.alg, wa_key_get(ids[i])->alg);

        wa_reg_init(&r, ids[i], WA_FMT_PACKED_SELF);
        r.corrupt_sig = 1;
        wa_reg_build(p, &r);
        assert_refused(reg_verify(p, &pol, &r, &out, &why), why, reasons[i]);
    }
}

static void test_reg_packed_alg_mismatch(void **state)
{
    apr_pool_t *p = *state;
    stepup_webauthn_registration out;
    stepup_webauthn_policy pol;
    const char *why;
    wa_reg r;

    wa_policy(&pol);
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_PACKED_SELF);
    r.att_alg = STEPUP_COSE_RS256;
    wa_reg_build(p, &r);
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "packed self attestation: alg -257 is not the "
                   "credential's alg -7");
    wa_reg_init(&r, WA_KEY_EDDSA, WA_FMT_PACKED_SELF);
    r.att_alg = STEPUP_COSE_ES256;
    wa_reg_build(p, &r);
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "packed self attestation: alg -7 is not the "
                   "credential's alg -8");
    /* x5c: alg must fit the certificate's key */
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_PACKED_X5C);
    r.att_alg = STEPUP_COSE_RS256;
    wa_reg_build(p, &r);
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "packed attestation: attestation certificate key does not "
                   "fit alg -257 (RS256)");
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_PACKED_X5C);
    r.att_alg = -35;
    wa_reg_build(p, &r);
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "packed attestation: attestation alg -35 is not supported: "
                   "ES256 (-7), RS256 (-257) or EdDSA (-8) only");
}

static void test_reg_packed_x5c(void **state)
{
    apr_pool_t *p = *state;
    static const wa_key_id ids[] = { WA_KEY_ES256, WA_KEY_RS256,
                                     WA_KEY_EDDSA };
    stepup_webauthn_registration out;
    stepup_webauthn_policy pol;
    const char *why;
    wa_reg r;
    size_t i;

    wa_policy(&pol);
    for (i = 0; i < 3; i++) {
        /* no roots: signature only, never trusted */
        wa_reg_init(&r, ids[i], WA_FMT_PACKED_X5C);
        wa_reg_build(p, &r);
        assert_accepted(reg_verify(p, &pol, &r, &out, &why), why);
        assert_string_equal(out.fmt, "packed");
        assert_string_equal(out.attestation_type, "basic");
        assert_int_equal(out.attestation_trusted, 0);
        assert_int_equal(out.alg, wa_key_get(ids[i])->alg);
    }
    /* the signature is the leaf's, over authData || clientDataHash */
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_PACKED_X5C);
    r.corrupt_sig = 1;
    wa_reg_build(p, &r);
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "packed attestation: the ES256 signature does not verify");
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_PACKED_X5C);
    r.att_key = WA_KEY_ES256;   /* signed by the credential, not the leaf */
    wa_reg_build(p, &r);
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "packed attestation: the ES256 signature does not verify");
}

static void test_reg_packed_x5c_trust(void **state)
{
    apr_pool_t *p = *state;
    stepup_webauthn_registration out;
    stepup_webauthn_policy pol;
    const char *why;
    wa_reg r;

    wa_policy(&pol);
    pol.roots = roots_of(p, wa_ca());
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_PACKED_X5C);
    wa_reg_build(p, &r);
    assert_accepted(reg_verify(p, &pol, &r, &out, &why), why);
    assert_int_equal(out.attestation_trusted, 1);
    assert_string_equal(out.attestation_type, "basic");
    /* the CA sent along in x5c changes nothing */
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_PACKED_X5C);
    r.x5c_with_ca = 1;
    wa_reg_build(p, &r);
    assert_accepted(reg_verify(p, &pol, &r, &out, &why), why);
    assert_int_equal(out.attestation_trusted, 1);

    assert_null(out.attestation_untrusted);

    /* roots that the chain does not reach: accepted, untrusted, and why
     * (a passkey, not a proven model; here x5c ends with a
     * self-signed CA that is not one of them) */
    pol.roots = roots_of(p, wa_ca_other());
    assert_accepted(reg_verify(p, &pol, &r, &out, &why), why);
    assert_int_equal(out.attestation_trusted, 0);
    assert_string_equal(out.attestation_type, "basic");
    assert_string_equal(out.attestation_untrusted,
                        "packed attestation: the certificate chain does not "
                        "reach a configured root: self-signed certificate in "
                        "certificate chain");
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_PACKED_X5C);
    wa_reg_build(p, &r);
    assert_accepted(reg_verify(p, &pol, &r, &out, &why), why);
    assert_int_equal(out.attestation_trusted, 0);
    assert_string_equal(out.attestation_untrusted,
                        "packed attestation: the certificate chain does not "
                        "reach a configured root: unable to get local issuer "
                        "certificate");
    /* a chain that does not verify is still refused, roots or not */
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_PACKED_X5C);
    r.corrupt_sig = 1;
    wa_reg_build(p, &r);
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "packed attestation: the ES256 signature does not verify");
}

static void test_reg_roots_without_chain(void **state)
{
    apr_pool_t *p = *state;
    stepup_webauthn_registration out;
    stepup_webauthn_policy pol;
    const char *why;
    wa_reg r;

    wa_policy(&pol);
    pol.roots = roots_of(p, wa_ca_other());
    /* with roots, attestations without a chain stay acceptable, untrusted */
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_NONE);
    wa_reg_build(p, &r);
    assert_accepted(reg_verify(p, &pol, &r, &out, &why), why);
    assert_int_equal(out.attestation_trusted, 0);
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_PACKED_SELF);
    wa_reg_build(p, &r);
    assert_accepted(reg_verify(p, &pol, &r, &out, &why), why);
    assert_int_equal(out.attestation_trusted, 0);
    assert_string_equal(out.attestation_type, "self");
    assert_string_equal(out.attestation_untrusted,
                        "packed self attestation is signed by the credential "
                        "key, not by its maker");
}

static void test_reg_packed_leaf_requirements(void **state)
{
    apr_pool_t *p = *state;
    static const unsigned char other_aaguid[16] = {
        0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee,
        0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0x01
    };
    EVP_PKEY *ak = wa_key_get(WA_KEY_ATTEST)->pkey;
    EVP_PKEY *cak = wa_key_get(WA_KEY_CA)->pkey;
    stepup_webauthn_registration out;
    stepup_webauthn_policy pol;
    wa_cert_spec spec;
    const char *why;
    wa_reg r;

    wa_policy(&pol);
    /* AAGUID extension equal: fine; absent: fine */
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_PACKED_X5C);
    r.leaf = wa_leaf(NULL);
    wa_reg_build(p, &r);
    assert_accepted(reg_verify(p, &pol, &r, &out, &why), why);
    /* another AAGUID in the certificate */
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_PACKED_X5C);
    r.leaf = wa_leaf(other_aaguid);
    wa_reg_build(p, &r);
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "packed attestation: attestation certificate AAGUID "
                   "eeeeeeeeeeeeeeeeeeeeeeeeeeeeee01 is not the "
                   "authenticatorData AAGUID 2fc0579f811347eab116bb5a8db9202a");
    /* the same AAGUID but marked critical */
    memset(&spec, 0, sizeof(spec));
    spec.c = "SE";
    spec.o = "Test Vendor";
    spec.ou = "Authenticator Attestation";
    spec.cn = "Test Key 2";
    spec.aaguid = wa_aaguid;
    spec.aaguid_critical = 1;
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_PACKED_X5C);
    r.leaf = wa_cert(ak, &spec, wa_ca(), cak);
    wa_reg_build(p, &r);
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "packed attestation: attestation certificate AAGUID "
                   "extension is marked critical");
    /* subject OU */
    spec.aaguid_critical = 0;
    spec.ou = "Security Keys";
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_PACKED_X5C);
    r.leaf = wa_cert(ak, &spec, wa_ca(), cak);
    wa_reg_build(p, &r);
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "packed attestation: attestation certificate subject OU is "
                   "not \"Authenticator Attestation\"");
}

static void test_reg_packed_leaf_subject(void **state)
{
    apr_pool_t *p = *state;
    EVP_PKEY *ak = wa_key_get(WA_KEY_ATTEST)->pkey;
    EVP_PKEY *cak = wa_key_get(WA_KEY_CA)->pkey;
    stepup_webauthn_registration out;
    stepup_webauthn_policy pol;
    wa_cert_spec spec;
    const char *why;
    wa_reg r;

    wa_policy(&pol);
    memset(&spec, 0, sizeof(spec));
    spec.c = "SE";
    spec.o = "Test Vendor";
    spec.ou = "Authenticator Attestation";
    spec.cn = "Test Key 2";
    spec.aaguid = wa_aaguid;
    /* subject C */
    spec.ou = "Authenticator Attestation";
    spec.c = NULL;
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_PACKED_X5C);
    r.leaf = wa_cert(ak, &spec, wa_ca(), cak);
    wa_reg_build(p, &r);
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "packed attestation: attestation certificate subject lacks "
                   "C, O or CN");
    /* a CA as attestation certificate */
    spec.c = "SE";
    spec.is_ca = 1;
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_PACKED_X5C);
    r.leaf = wa_cert(ak, &spec, wa_ca(), cak);
    wa_reg_build(p, &r);
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "packed attestation: attestation certificate is a CA "
                   "(basicConstraints CA:TRUE)");
    /* version 1 */
    spec.is_ca = 0;
    spec.aaguid = NULL;
    spec.version1 = 1;
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_PACKED_X5C);
    r.leaf = wa_cert(ak, &spec, wa_ca(), cak);
    wa_reg_build(p, &r);
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "packed attestation: attestation certificate is not X.509 "
                   "version 3");
}

static void test_reg_packed_rsa_leaf(void **state)
{
    apr_pool_t *p = *state;
    wa_cert_spec spec = { "SE", "Test Vendor", "Authenticator Attestation",
                          "RSA Key", 0, wa_aaguid, 0, 0 };
    stepup_webauthn_registration out;
    stepup_webauthn_policy pol;
    const char *why;
    wa_reg r;

    wa_policy(&pol);
    pol.roots = roots_of(p, wa_ca());
    wa_reg_init(&r, WA_KEY_EDDSA, WA_FMT_PACKED_X5C);
    r.att_key = WA_KEY_ATTEST_RSA;
    r.leaf = wa_cert(wa_key_get(WA_KEY_ATTEST_RSA)->pkey, &spec, wa_ca(),
                     wa_key_get(WA_KEY_CA)->pkey);
    wa_reg_build(p, &r);
    assert_accepted(reg_verify(p, &pol, &r, &out, &why), why);
    assert_int_equal(out.alg, STEPUP_COSE_EDDSA);
    assert_int_equal(out.attestation_trusted, 1);
}

static void test_reg_fido_u2f(void **state)
{
    apr_pool_t *p = *state;
    wa_cert_spec spec = { "SE", "Test Vendor", NULL, "U2F RSA", 0, NULL, 0,
                          0 };
    stepup_webauthn_registration out;
    stepup_webauthn_policy pol;
    const char *why;
    wa_reg r;

    wa_policy(&pol);
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_FIDO_U2F);
    memset(r.aaguid, 0, 16);
    r.flags = STEPUP_WEBAUTHN_FLAG_UP | STEPUP_WEBAUTHN_FLAG_AT;
    r.cred_id_len = 64;
    wa_reg_build(p, &r);
    assert_accepted(reg_verify(p, &pol, &r, &out, &why), why);
    assert_string_equal(out.fmt, "fido-u2f");
    assert_string_equal(out.attestation_type, "basic");
    assert_int_equal(out.attestation_trusted, 0);
    assert_int_equal(out.flags, 0x41);
    assert_int_equal(out.user_verified, 0);
    /* trusted with the right root, refused with another */
    pol.roots = roots_of(p, wa_ca());
    assert_accepted(reg_verify(p, &pol, &r, &out, &why), why);
    assert_int_equal(out.attestation_trusted, 1);
    pol.roots = roots_of(p, wa_ca_other());
    assert_accepted(reg_verify(p, &pol, &r, &out, &why), why);
    assert_int_equal(out.attestation_trusted, 0);
    assert_string_equal(out.attestation_untrusted,
                        "fido-u2f attestation: the certificate chain does not "
                        "reach a configured root: unable to get local issuer "
                        "certificate");
    pol.roots = NULL;

    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_FIDO_U2F);
    r.corrupt_sig = 1;
    wa_reg_build(p, &r);
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "fido-u2f attestation: the ES256 signature does not "
                   "verify");
    /* a credential that is not ES256 */
    wa_reg_init(&r, WA_KEY_RS256, WA_FMT_FIDO_U2F);
    wa_reg_build(p, &r);
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "fido-u2f attestation: the credential key is RS256, not "
                   "ES256 (P-256)");
    /* an RSA attestation certificate */
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_FIDO_U2F);
    r.att_key = WA_KEY_ATTEST_RSA;
    r.leaf = wa_cert(wa_key_get(WA_KEY_ATTEST_RSA)->pkey, &spec, wa_ca(),
                     wa_key_get(WA_KEY_CA)->pkey);
    wa_reg_build(p, &r);
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "fido-u2f attestation: the certificate key is not an EC "
                   "P-256 key");
}

/* A fido-u2f statement with two certificates; and formats by name. */
/* r's attestation object with the statement stmt of format fmt. */
static void with_statement(apr_pool_t *p, wa_reg *r, const char *fmt,
                           cbor_item_t *stmt)
{
    r->att_obj = wa_att_object(p, fmt, stmt, r->auth_data, r->auth_data_len,
                               &r->att_obj_len);
    r->resp.attestation_object = r->att_obj;
    r->resp.attestation_object_len = r->att_obj_len;
}

/* The statement tests' short form, on their p and r. */
#define WITH(fmt, stmt) with_statement(p, &r, (fmt), (stmt))

static void test_reg_attestation_statements(void **state)
{
    apr_pool_t *p = *state;
    stepup_webauthn_registration out;
    stepup_webauthn_policy pol;
    unsigned char *der, *cader;
    size_t derlen, calen;
    const char *why;
    wa_reg r;

    wa_policy(&pol);
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_NONE);
    wa_reg_build(p, &r);
    der = wa_der(p, wa_leaf(NULL), &derlen);
    cader = wa_der(p, wa_ca(), &calen);


    WITH("fido-u2f", wa_cbor_map(2, wa_cbor_text("sig"),
                                 wa_cbor_bytes("x", 1),
                                 wa_cbor_text("x5c"),
                                 wa_cbor_array(2, wa_cbor_bytes(der, derlen),
                                               wa_cbor_bytes(cader, calen))));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "fido-u2f attestation: x5c must hold exactly one "
                   "certificate, not 2");
    WITH("fido-u2f", wa_cbor_map(1, wa_cbor_text("sig"),
                                 wa_cbor_bytes("x", 1)));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "fido-u2f attStmt: \"x5c\" is missing");
    WITH("fido-u2f", wa_cbor_map(1, wa_cbor_text("x5c"),
                                 wa_cbor_array(1, wa_cbor_bytes(der,
                                                                derlen))));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "fido-u2f attStmt: \"sig\" is missing or not a byte "
                   "string");
    WITH("fido-u2f", wa_cbor_map(2, wa_cbor_text("sig"),
                                 wa_cbor_bytes("x", 1), wa_cbor_text("x5c"),
                                 wa_cbor_array(0)));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "fido-u2f attestation: x5c is empty");
    WITH("fido-u2f", wa_cbor_map(2, wa_cbor_text("sig"),
                                 wa_cbor_bytes("x", 1), wa_cbor_text("x5c"),
                                 wa_cbor_array(1, wa_cbor_bytes("junk", 4))));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "fido-u2f attestation: x5c[0] is not one DER X.509 "
                   "certificate");
}

static void test_reg_attestation_statements_packed(void **state)
{
    apr_pool_t *p = *state;
    stepup_webauthn_registration out;
    stepup_webauthn_policy pol;
    unsigned char *der;
    size_t derlen;
    const char *why;
    wa_reg r;

    wa_policy(&pol);
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_NONE);
    wa_reg_build(p, &r);
    der = wa_der(p, wa_leaf(NULL), &derlen);
    WITH("packed", wa_cbor_map(3, wa_cbor_text("alg"), wa_cbor_int(-7),
                               wa_cbor_text("sig"), wa_cbor_bytes("x", 1),
                               wa_cbor_text("x5c"),
                               wa_cbor_array(1, wa_cbor_bytes(
                                                 wa_concat(p, der, derlen,
                                                           "\0", 1),
                                                 derlen + 1))));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "packed attestation: x5c[0] is not one DER X.509 "
                   "certificate");
    WITH("packed", wa_cbor_map(3, wa_cbor_text("alg"), wa_cbor_int(-7),
                               wa_cbor_text("sig"), wa_cbor_bytes("x", 1),
                               wa_cbor_text("x5c"), wa_cbor_text("cert")));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "packed attestation: x5c is not an array");
    WITH("packed", wa_cbor_map(3, wa_cbor_text("alg"), wa_cbor_int(-7),
                               wa_cbor_text("sig"), wa_cbor_bytes("x", 1),
                               wa_cbor_text("ecdaaKeyId"),
                               wa_cbor_bytes("k", 1)));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "packed attestation: ECDAA is not supported");
    WITH("packed", wa_cbor_map(1, wa_cbor_text("sig"), wa_cbor_bytes("x", 1)));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "packed attStmt: \"alg\" is missing or not an integer");
    WITH("packed", wa_cbor_map(2, wa_cbor_text("alg"), wa_cbor_int(-7),
                               wa_cbor_text("sig"), wa_cbor_text("x")));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "packed attStmt: \"sig\" is missing or not a byte string");
    WITH("packed", wa_cbor_map(3, wa_cbor_text("alg"), wa_cbor_int(-7),
                               wa_cbor_text("alg"), wa_cbor_int(-7),
                               wa_cbor_text("sig"), wa_cbor_bytes("x", 1)));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "packed attStmt: \"alg\" given twice");
}

static void test_reg_attestation_statements_formats(void **state)
{
    apr_pool_t *p = *state;
    stepup_webauthn_registration out;
    stepup_webauthn_policy pol;
    const char *why;
    wa_reg r;

    wa_policy(&pol);
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_NONE);
    wa_reg_build(p, &r);
    WITH("none", wa_cbor_map(1, wa_cbor_text("sig"), wa_cbor_bytes("x", 1)));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "attestation \"none\" with a non-empty attStmt");
    /* the formats of WebAuthn L3 section 8 reach their own verifiers */
    WITH("tpm", wa_cbor_map(0));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "tpm attStmt: \"ver\" is not \"2.0\"");
    WITH("apple", wa_cbor_map(0));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "apple attStmt: \"x5c\" is missing");
    WITH("android-key", wa_cbor_map(0));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "android-key attStmt: \"alg\" is missing or not an "
                   "integer");
    WITH("android-safetynet", wa_cbor_map(0));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "android-safetynet attStmt: \"ver\" is missing, empty or "
                   "not a text string");
    WITH("compound", wa_cbor_map(0));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "attestation format \"compound\" is not supported");
    WITH("my-own-format", wa_cbor_map(0));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "unknown attestation format \"my-own-format\"");
    WITH("", wa_cbor_map(0));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "attestationObject: \"fmt\" is empty or longer than 32 "
                   "characters");
    WITH("pa cked", wa_cbor_map(0));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "attestationObject: \"fmt\" is not printable ASCII");
}

/* The attestation object tests' short form: r's object becomes item. */
#define OBJ(item) do {                                                      \
        r.resp.attestation_object = buf = wa_cbor_encode(p, item, &len);    \
        r.resp.attestation_object_len = len;                                \
    } while (0)

static void test_reg_attestation_object(void **state)
{
    apr_pool_t *p = *state;
    stepup_webauthn_registration out;
    stepup_webauthn_policy pol;
    const char *why;
    unsigned char *buf;
    size_t n;
    wa_reg r;

    wa_policy(&pol);
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_PACKED_X5C);
    wa_reg_build(p, &r);
    /* truncated at every length */
    for (n = 0; n < r.att_obj_len; n++) {
        r.resp.attestation_object_len = n;
        why = NULL;
        assert_refused_prefix(reg_verify(p, &pol, &r, &out, &why), why,
                              "attestationObject: ");
    }
    /* a trailing byte */
    buf = wa_concat(p, r.att_obj, r.att_obj_len, "\x00", 1);
    r.resp.attestation_object = buf;
    r.resp.attestation_object_len = r.att_obj_len + 1;
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "attestationObject: 1 trailing bytes after the CBOR item");
}

static void test_reg_attestation_object_members(void **state)
{
    apr_pool_t *p = *state;
    stepup_webauthn_registration out;
    stepup_webauthn_policy pol;
    const char *why;
    unsigned char *buf;
    size_t len;
    wa_reg r;

    wa_policy(&pol);
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_PACKED_X5C);
    wa_reg_build(p, &r);
    OBJ(wa_cbor_array(0));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "attestationObject: not a CBOR map");
    OBJ(wa_cbor_map(2, wa_cbor_text("attStmt"), wa_cbor_map(0),
                    wa_cbor_text("authData"),
                    wa_cbor_bytes(r.auth_data, r.auth_data_len)));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "attestationObject has no \"fmt\"");
    OBJ(wa_cbor_map(2, wa_cbor_text("fmt"), wa_cbor_text("none"),
                    wa_cbor_text("authData"),
                    wa_cbor_bytes(r.auth_data, r.auth_data_len)));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "attestationObject has no \"attStmt\"");
    OBJ(wa_cbor_map(2, wa_cbor_text("fmt"), wa_cbor_text("none"),
                    wa_cbor_text("attStmt"), wa_cbor_map(0)));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "attestationObject has no \"authData\"");
    OBJ(wa_cbor_map(3, wa_cbor_text("fmt"), wa_cbor_int(1),
                    wa_cbor_text("attStmt"), wa_cbor_map(0),
                    wa_cbor_text("authData"),
                    wa_cbor_bytes(r.auth_data, r.auth_data_len)));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "attestationObject: \"fmt\" is not a text string");
    OBJ(wa_cbor_map(3, wa_cbor_text("fmt"), wa_cbor_text("none"),
                    wa_cbor_text("attStmt"), wa_cbor_array(0),
                    wa_cbor_text("authData"),
                    wa_cbor_bytes(r.auth_data, r.auth_data_len)));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "attestationObject: \"attStmt\" is not a map");
    OBJ(wa_cbor_map(3, wa_cbor_text("fmt"), wa_cbor_text("none"),
                    wa_cbor_text("attStmt"), wa_cbor_map(0),
                    wa_cbor_text("authData"), wa_cbor_text("x")));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "attestationObject: \"authData\" is not a byte string");
    OBJ(wa_cbor_map(4, wa_cbor_text("fmt"), wa_cbor_text("none"),
                    wa_cbor_text("fmt"), wa_cbor_text("none"),
                    wa_cbor_text("attStmt"), wa_cbor_map(0),
                    wa_cbor_text("authData"),
                    wa_cbor_bytes(r.auth_data, r.auth_data_len)));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "attestationObject: \"fmt\" given twice");
    OBJ(wa_cbor_map(4, wa_cbor_int(1), wa_cbor_text("none"),
                    wa_cbor_text("fmt"), wa_cbor_text("none"),
                    wa_cbor_text("attStmt"), wa_cbor_map(0),
                    wa_cbor_text("authData"),
                    wa_cbor_bytes(r.auth_data, r.auth_data_len)));
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "attestationObject: a key is not a text string");
}

static void test_reg_attestation_object_auth_data(void **state)
{
    apr_pool_t *p = *state;
    stepup_webauthn_registration out;
    stepup_webauthn_policy pol;
    const char *why;
    unsigned char *buf;
    size_t n, len;
    wa_reg r;

    wa_policy(&pol);
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_PACKED_X5C);
    wa_reg_build(p, &r);
    /* authData truncated inside the attestation object */
    for (n = 0; n < r.auth_data_len; n++) {
        OBJ(wa_cbor_map(3, wa_cbor_text("fmt"), wa_cbor_text("none"),
                        wa_cbor_text("attStmt"), wa_cbor_map(0),
                        wa_cbor_text("authData"),
                        wa_cbor_bytes(r.auth_data, n)));
        why = NULL;
        assert_refused_prefix(reg_verify(p, &pol, &r, &out, &why), why,
                              "authenticatorData");
    }
}

#undef OBJ

static void test_reg_authenticator_data(void **state)
{
    apr_pool_t *p = *state;
    stepup_webauthn_registration out;
    stepup_webauthn_policy pol;
    const char *why;
    wa_reg r;

    wa_policy(&pol);
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_NONE);
    r.flags = STEPUP_WEBAUTHN_FLAG_AT;
    wa_reg_build(p, &r);
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "authenticatorData: user presence (UP) flag not set");
    pol.require_uv = 1;
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_NONE);
    r.flags = STEPUP_WEBAUTHN_FLAG_UP | STEPUP_WEBAUTHN_FLAG_AT;
    wa_reg_build(p, &r);
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "authenticatorData: user verification required but the UV "
                   "flag is not set");
    pol.require_uv = 0;
    assert_accepted(reg_verify(p, &pol, &r, &out, &why), why);
    assert_int_equal(out.user_verified, 0);
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_NONE);
    r.flags |= STEPUP_WEBAUTHN_FLAG_BS;
    wa_reg_build(p, &r);
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "authenticatorData: backed up (BS) without backup "
                   "eligible (BE) is invalid");
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_NONE);
    r.rp_id = "evil.example";
    wa_reg_build(p, &r);
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "authenticatorData.rpIdHash is not SHA-256 of the RP ID "
                   "(credential of another site)");
    /* registration needs attested credential data */
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_NONE);
    wa_reg_build(p, &r);
    r.auth_data[32] &= (unsigned char)~STEPUP_WEBAUTHN_FLAG_AT;
    r.att_obj = wa_att_object(p, "none", wa_cbor_map(0), r.auth_data, 37,
                              &r.att_obj_len);
    r.resp.attestation_object = r.att_obj;
    r.resp.attestation_object_len = r.att_obj_len;
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "authenticatorData has no attested credential data (AT "
                   "flag not set)");
}

static void test_reg_client_data(void **state)
{
    apr_pool_t *p = *state;
    stepup_webauthn_registration out;
    stepup_webauthn_policy pol;
    unsigned char other[32];
    const char *why;
    wa_reg r;

    wa_policy(&pol);
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_PACKED_SELF);
    r.client_data = wa_client_data(p, "webauthn.get", wa_challenge, 32,
                                   WA_ORIGIN, NULL);
    wa_reg_build(p, &r);
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "clientDataJSON.type is \"webauthn.get\", expected "
                   "\"webauthn.create\"");
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_PACKED_SELF);
    r.client_data = wa_client_data(p, "webauthn.create", wa_challenge, 32,
                                   "https://evil.example", NULL);
    wa_reg_build(p, &r);
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "clientDataJSON.origin \"https://evil.example\" is not an "
                   "accepted origin");
    memcpy(other, wa_challenge, 32);
    other[0] ^= 0x40;
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_PACKED_SELF);
    r.client_data = wa_client_data(p, "webauthn.create", other, 32,
                                   WA_ORIGIN, NULL);
    wa_reg_build(p, &r);
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "clientDataJSON.challenge is not the challenge issued");
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_PACKED_SELF);
    r.client_data = apr_psprintf(p, "{\"type\":\"webauthn.create\","
                                 "\"challenge\":\"%s\",\"origin\":\"%s\","
                                 "\"crossOrigin\":true}",
                                 wa_b64url(p, wa_challenge, 32), WA_ORIGIN);
    wa_reg_build(p, &r);
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "clientDataJSON.crossOrigin is true: cross-origin (iframe) "
                   "ceremonies are not allowed");
    pol.allow_cross_origin = 1;
    assert_accepted(reg_verify(p, &pol, &r, &out, &why), why);
    /* the signature covers the exact clientDataJSON bytes */
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_PACKED_SELF);
    wa_reg_build(p, &r);
    r.resp.client_data_json = (const unsigned char *)apr_pstrcat(
        p, r.client_data_out, " ", NULL);
    r.resp.client_data_len++;
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "packed self attestation: the ES256 signature does not "
                   "verify");
}

static void test_reg_credential_key(void **state)
{
    apr_pool_t *p = *state;
    const wa_key *k = wa_key_get(WA_KEY_ES256);
    stepup_webauthn_registration out;
    stepup_webauthn_policy pol;
    unsigned char bad_y[32];
    const char *why;
    wa_reg r;

    wa_policy(&pol);
    /* RSA 1024 */
    wa_reg_init(&r, WA_KEY_RSA1024, WA_FMT_NONE);
    wa_reg_build(p, &r);
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "credential public key: COSE RSA modulus is 1024 bits: at "
                   "least 2048 required");
    /* a point off the curve */
    memcpy(bad_y, k->point + 33, 32);
    bad_y[5] ^= 0x10;
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_NONE);
    r.cose = wa_cose_map(p, &r.cose_len, 5, (int64_t)1, wa_cbor_int(2),
                         (int64_t)3, wa_cbor_int(-7),
                         (int64_t)-1, wa_cbor_int(1),
                         (int64_t)-2, wa_cbor_bytes(k->point + 1, 32),
                         (int64_t)-3, wa_cbor_bytes(bad_y, 32));
    wa_reg_build(p, &r);
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "credential public key: COSE EC2 key: (x, y) is not a "
                   "point on P-256");
    /* an algorithm we did not offer */
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_NONE);
    r.cose = wa_cose_map(p, &r.cose_len, 5, (int64_t)1, wa_cbor_int(2),
                         (int64_t)3, wa_cbor_int(-36),
                         (int64_t)-1, wa_cbor_int(3),
                         (int64_t)-2, wa_cbor_bytes(k->point + 1, 32),
                         (int64_t)-3, wa_cbor_bytes(k->point + 33, 32));
    wa_reg_build(p, &r);
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "credential public key: COSE alg -36 (ES512) is not "
                   "supported: ES256 (-7), RS256 (-257) or EdDSA (-8) only");
    /* a key that is not a map: found as one item, refused as a key */
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_NONE);
    r.cose = (const unsigned char *)"\x01";
    r.cose_len = 1;
    wa_reg_build(p, &r);
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "credential public key: COSE key: not a CBOR map");
}

static void test_reg_credential_id(void **state)
{
    apr_pool_t *p = *state;
    stepup_webauthn_registration out;
    stepup_webauthn_policy pol;
    const char *why;
    wa_reg r;

    wa_policy(&pol);
    wa_reg_init(&r, WA_KEY_ES256, WA_FMT_NONE);
    wa_reg_build(p, &r);
    r.resp.id = (const unsigned char *)"another-credential";
    r.resp.id_len = 18;
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "response id is not the credentialId of "
                   "authenticatorData");
    r.resp.id = NULL;
    r.resp.id_len = 0;
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "response: credential id missing");
    r.resp.attestation_object = NULL;
    assert_refused(reg_verify(p, &pol, &r, &out, &why), why,
                   "response: clientDataJSON or attestationObject missing");
}

static void test_reg_from_json(void **state)
{
    apr_pool_t *p = *state;
    stepup_webauthn_registration out;
    stepup_webauthn_response resp;
    stepup_webauthn_policy pol;
    const char *why = NULL, *json;
    wa_reg r;

    wa_policy(&pol);
    pol.roots = roots_of(p, wa_ca());
    wa_reg_init(&r, WA_KEY_EDDSA, WA_FMT_PACKED_X5C);
    wa_reg_build(p, &r);
    json = wa_registration_json(p, &r.resp);
    assert_accepted(stepup_webauthn_registration_json_parse(
                        p, json, strlen(json), &resp, &why), why);
    assert_accepted(stepup_webauthn_verify_registration(p, &pol, &resp, &out,
                                                        &why), why);
    assert_int_equal(out.alg, STEPUP_COSE_EDDSA);
    assert_int_equal(out.attestation_trusted, 1);
    assert_string_equal(resp.transports, "usb,nfc");
    assert_string_equal(stepup_aaguid_hex(p, out.aaguid),
                        "2fc0579f811347eab116bb5a8db9202a");
}

/* ================================================================== */
/* Authentication                                                      */

static void test_auth_each_key(void **state)
{
    apr_pool_t *p = *state;
    static const wa_key_id ids[] = { WA_KEY_ES256, WA_KEY_RS256,
                                     WA_KEY_EDDSA };
    static const char *const reasons[] = {
        "assertion: the ES256 signature does not verify",
        "assertion: the RS256 signature does not verify",
        "assertion: the EdDSA signature does not verify"
    };
    stepup_webauthn_assertion out;
    stepup_webauthn_policy pol;
    unsigned char *sig;
    const char *why;
    wa_auth a;
    size_t i;

    wa_policy(&pol);
    for (i = 0; i < 3; i++) {
        wa_auth_init(&a, ids[i]);
        a.sign_count = 42;
        a.flags |= STEPUP_WEBAUTHN_FLAG_UV | STEPUP_WEBAUTHN_FLAG_BE;
        wa_auth_build(p, &a);
        assert_accepted(auth_verify(p, &pol, ids[i], 41, &a, &out, &why),
                        why);
        assert_int_equal(out.sign_count, 42);
        assert_int_equal(out.flags, 0x0d);
        assert_int_equal(out.user_verified, 1);
        assert_int_equal(out.backup_eligible, 1);
        assert_int_equal(out.backup_state, 0);
        /* a corrupted signature */
        sig = apr_pmemdup(p, a.resp.signature, a.resp.signature_len);
        sig[a.resp.signature_len / 2] ^= 0x04;
        a.resp.signature = sig;
        assert_refused(auth_verify(p, &pol, ids[i], 41, &a, &out, &why), why,
                       reasons[i]);
        a.resp.signature_len = 0;
        assert_refused(auth_verify(p, &pol, ids[i], 41, &a, &out, &why), why,
                       "assertion: the signature is empty");
    }
}

static void test_auth_foreign_key(void **state)
{
    apr_pool_t *p = *state;
    stepup_webauthn_assertion out;
    stepup_webauthn_policy pol;
    const char *why;
    wa_auth a;

    wa_policy(&pol);
    wa_auth_init(&a, WA_KEY_ES256_OTHER);
    wa_auth_build(p, &a);
    assert_refused(auth_verify(p, &pol, WA_KEY_ES256, 0, &a, &out, &why), why,
                   "assertion: the ES256 signature does not verify");
    assert_refused(auth_verify(p, &pol, WA_KEY_RS256, 0, &a, &out, &why), why,
                   "assertion: the RS256 signature does not verify");
    assert_refused(auth_verify(p, &pol, WA_KEY_EDDSA, 0, &a, &out, &why), why,
                   "assertion: the EdDSA signature does not verify");
    assert_accepted(auth_verify(p, &pol, WA_KEY_ES256_OTHER, 0, &a, &out,
                                &why), why);
}

static void test_auth_counter(void **state)
{
    apr_pool_t *p = *state;
    stepup_webauthn_assertion out;
    stepup_webauthn_policy pol;
    const char *why;
    wa_auth a;

    wa_policy(&pol);
#define AT(count) do {                                                      \
        wa_auth_init(&a, WA_KEY_ES256);                                     \
        a.sign_count = (count);                                             \
        wa_auth_build(p, &a);                                               \
    } while (0)
    /* no counter on either side: no regression check */
    AT(0);
    assert_accepted(auth_verify(p, &pol, WA_KEY_ES256, 0, &a, &out, &why),
                    why);
    assert_int_equal(out.sign_count, 0);
    AT(1);
    assert_accepted(auth_verify(p, &pol, WA_KEY_ES256, 0, &a, &out, &why),
                    why);
    AT(6);
    assert_accepted(auth_verify(p, &pol, WA_KEY_ES256, 5, &a, &out, &why),
                    why);
    assert_int_equal(out.sign_count, 6);
    AT(5);
    assert_refused(auth_verify(p, &pol, WA_KEY_ES256, 5, &a, &out, &why), why,
                   "signature counter 5 is not greater than the stored 5 "
                   "(cloned authenticator or replay)");
    AT(4);
    assert_refused(auth_verify(p, &pol, WA_KEY_ES256, 5, &a, &out, &why), why,
                   "signature counter 4 is not greater than the stored 5 "
                   "(cloned authenticator or replay)");
    AT(0);
    assert_refused(auth_verify(p, &pol, WA_KEY_ES256, 5, &a, &out, &why), why,
                   "signature counter 0 is not greater than the stored 5 "
                   "(cloned authenticator or replay)");
    AT(4294967295u);
    assert_accepted(auth_verify(p, &pol, WA_KEY_ES256, 4294967294u, &a, &out,
                                &why), why);
    assert_int_equal(out.sign_count, 4294967295u);
    assert_refused(auth_verify(p, &pol, WA_KEY_ES256, 4294967295u, &a, &out,
                               &why), why,
                   "signature counter 4294967295 is not greater than the "
                   "stored 4294967295 (cloned authenticator or replay)");
#undef AT
}

static void test_auth_flags(void **state)
{
    apr_pool_t *p = *state;
    stepup_webauthn_assertion out;
    stepup_webauthn_policy pol;
    const char *why;
    wa_auth a;

    wa_policy(&pol);
    wa_auth_init(&a, WA_KEY_ES256);
    a.flags = 0;
    wa_auth_build(p, &a);
    assert_refused(auth_verify(p, &pol, WA_KEY_ES256, 0, &a, &out, &why), why,
                   "authenticatorData: user presence (UP) flag not set");
    wa_auth_init(&a, WA_KEY_ES256);
    wa_auth_build(p, &a);
    pol.require_uv = 1;
    assert_refused(auth_verify(p, &pol, WA_KEY_ES256, 0, &a, &out, &why), why,
                   "authenticatorData: user verification required but the UV "
                   "flag is not set");
    pol.require_uv = 0;
    assert_accepted(auth_verify(p, &pol, WA_KEY_ES256, 0, &a, &out, &why),
                    why);
    assert_int_equal(out.user_verified, 0);
    wa_auth_init(&a, WA_KEY_ES256);
    a.flags |= STEPUP_WEBAUTHN_FLAG_BS;
    wa_auth_build(p, &a);
    assert_refused(auth_verify(p, &pol, WA_KEY_ES256, 0, &a, &out, &why), why,
                   "authenticatorData: backed up (BS) without backup "
                   "eligible (BE) is invalid");
    wa_auth_init(&a, WA_KEY_ES256);
    a.flags |= STEPUP_WEBAUTHN_FLAG_BS | STEPUP_WEBAUTHN_FLAG_BE
        | STEPUP_WEBAUTHN_FLAG_UV;
    wa_auth_build(p, &a);
    pol.require_uv = 1;
    assert_accepted(auth_verify(p, &pol, WA_KEY_ES256, 0, &a, &out, &why),
                    why);
    assert_int_equal(out.flags, 0x1d);
    assert_int_equal(out.backup_eligible, 1);
    assert_int_equal(out.backup_state, 1);
    assert_int_equal(out.user_verified, 1);
}

static void test_auth_client_data(void **state)
{
    apr_pool_t *p = *state;
    stepup_webauthn_assertion out;
    stepup_webauthn_policy pol;
    unsigned char other[32];
    const char *why;
    wa_auth a;

    wa_policy(&pol);
    wa_auth_init(&a, WA_KEY_ES256);
    a.client_data = wa_client_data(p, "webauthn.create", wa_challenge, 32,
                                   WA_ORIGIN, NULL);
    wa_auth_build(p, &a);
    assert_refused(auth_verify(p, &pol, WA_KEY_ES256, 0, &a, &out, &why), why,
                   "clientDataJSON.type is \"webauthn.create\", expected "
                   "\"webauthn.get\"");
    wa_auth_init(&a, WA_KEY_ES256);
    a.client_data = wa_client_data(p, "webauthn.get", wa_challenge, 32,
                                   "http://example.com", NULL);
    wa_auth_build(p, &a);
    assert_refused(auth_verify(p, &pol, WA_KEY_ES256, 0, &a, &out, &why), why,
                   "clientDataJSON.origin \"http://example.com\" is not an "
                   "accepted origin");
    memcpy(other, wa_challenge, 32);
    other[16] ^= 0xff;
    wa_auth_init(&a, WA_KEY_ES256);
    a.client_data = wa_client_data(p, "webauthn.get", other, 32, WA_ORIGIN,
                                   NULL);
    wa_auth_build(p, &a);
    assert_refused(auth_verify(p, &pol, WA_KEY_ES256, 0, &a, &out, &why), why,
                   "clientDataJSON.challenge is not the challenge issued");
    wa_auth_init(&a, WA_KEY_ES256);
    a.client_data = apr_psprintf(p, "{\"type\":\"webauthn.get\","
                                 "\"challenge\":\"%s\",\"origin\":\"%s\","
                                 "\"crossOrigin\":true,\"topOrigin\":"
                                 "\"https://embedder.example\"}",
                                 wa_b64url(p, wa_challenge, 32), WA_ORIGIN);
    wa_auth_build(p, &a);
    assert_refused(auth_verify(p, &pol, WA_KEY_ES256, 0, &a, &out, &why), why,
                   "clientDataJSON.crossOrigin is true: cross-origin (iframe) "
                   "ceremonies are not allowed");
    pol.allow_cross_origin = 1;
    assert_accepted(auth_verify(p, &pol, WA_KEY_ES256, 0, &a, &out, &why),
                    why);
    pol.allow_cross_origin = 0;
    wa_auth_init(&a, WA_KEY_ES256);
    a.rp_id = "example.org";
    wa_auth_build(p, &a);
    assert_refused(auth_verify(p, &pol, WA_KEY_ES256, 0, &a, &out, &why), why,
                   "authenticatorData.rpIdHash is not SHA-256 of the RP ID "
                   "(credential of another site)");
    /* the signature covers the exact clientDataJSON bytes */
    wa_auth_init(&a, WA_KEY_ES256);
    wa_auth_build(p, &a);
    a.resp.client_data_json = (const unsigned char *)apr_pstrcat(
        p, (const char *)a.resp.client_data_json, "\n", NULL);
    a.resp.client_data_len++;
    assert_refused(auth_verify(p, &pol, WA_KEY_ES256, 0, &a, &out, &why), why,
                   "assertion: the ES256 signature does not verify");
}

static void test_auth_authenticator_data(void **state)
{
    apr_pool_t *p = *state;
    stepup_webauthn_assertion out;
    stepup_webauthn_policy pol;
    unsigned char *ext;
    const char *why;
    size_t n, extlen;
    wa_auth a;

    wa_policy(&pol);
    /* extensions (ED) are decoded as one map and signed */
    ext = wa_cbor_encode(p, wa_cbor_map(1, wa_cbor_text("devicePubKey"),
                                        wa_cbor_map(1, wa_cbor_text("sig"),
                                                    wa_cbor_bytes("s", 1))),
                         &extlen);
    wa_auth_init(&a, WA_KEY_ES256);
    a.flags |= STEPUP_WEBAUTHN_FLAG_ED;
    a.ext = ext;
    a.ext_len = extlen;
    wa_auth_build(p, &a);
    assert_accepted(auth_verify(p, &pol, WA_KEY_ES256, 0, &a, &out, &why),
                    why);
    assert_int_equal(out.flags, 0x81);
    /* bytes after the extensions, even unsigned ones */
    a.trailing = (const unsigned char *)"\x00";
    a.trailing_len = 1;
    wa_auth_build(p, &a);
    assert_refused(auth_verify(p, &pol, WA_KEY_ES256, 0, &a, &out, &why), why,
                   "authenticatorData: 1 trailing bytes");
    wa_auth_init(&a, WA_KEY_ES256);
    a.trailing = (const unsigned char *)"\xa0\xa0";
    a.trailing_len = 2;
    wa_auth_build(p, &a);
    assert_refused(auth_verify(p, &pol, WA_KEY_ES256, 0, &a, &out, &why), why,
                   "authenticatorData: 2 trailing bytes (neither AT nor ED "
                   "flag set)");
    /* truncated at every length */
    wa_auth_init(&a, WA_KEY_ES256);
    a.flags |= STEPUP_WEBAUTHN_FLAG_ED;
    a.ext = ext;
    a.ext_len = extlen;
    wa_auth_build(p, &a);
    for (n = 0; n < a.auth_data_len; n++) {
        a.resp.authenticator_data_len = n;
        why = NULL;
        assert_refused_prefix(auth_verify(p, &pol, WA_KEY_ES256, 0, &a, &out,
                                          &why), why, "authenticatorData");
    }
}

static void test_auth_stored_key(void **state)
{
    apr_pool_t *p = *state;
    const wa_key *k = wa_key_get(WA_KEY_ES256);
    stepup_webauthn_assertion out;
    stepup_webauthn_policy pol;
    unsigned char bad_y[32], *bad;
    const char *why = NULL;
    size_t n, badlen;
    wa_auth a;

    wa_policy(&pol);
    wa_auth_init(&a, WA_KEY_ES256);
    wa_auth_build(p, &a);
    for (n = 1; n < k->cose_len; n++) {
        why = NULL;
        assert_refused_prefix(stepup_webauthn_verify_authentication(
                                  p, &pol, k->cose, n, 0, &a.resp, &out,
                                  &why), why,
                              "stored credential public key: COSE key: "
                              "truncated CBOR");
    }
    bad = wa_concat(p, k->cose, k->cose_len, "\x01", 1);
    assert_refused(stepup_webauthn_verify_authentication(
                       p, &pol, bad, k->cose_len + 1, 0, &a.resp, &out, &why),
                   why, "stored credential public key: COSE key: 1 trailing "
                   "bytes after the CBOR item");
    memcpy(bad_y, k->point + 33, 32);
    bad_y[31] ^= 0x02;
    bad = wa_cose_map(p, &badlen, 5, (int64_t)1, wa_cbor_int(2),
                      (int64_t)3, wa_cbor_int(-7),
                      (int64_t)-1, wa_cbor_int(1),
                      (int64_t)-2, wa_cbor_bytes(k->point + 1, 32),
                      (int64_t)-3, wa_cbor_bytes(bad_y, 32));
    assert_refused(stepup_webauthn_verify_authentication(
                       p, &pol, bad, badlen, 0, &a.resp, &out, &why), why,
                   "stored credential public key: COSE EC2 key: (x, y) is not "
                   "a point on P-256");
    assert_refused(stepup_webauthn_verify_authentication(
                       p, &pol, NULL, 0, 0, &a.resp, &out, &why), why,
                   "no stored credential public key");
    a.resp.signature = NULL;
    assert_refused(stepup_webauthn_verify_authentication(
                       p, &pol, k->cose, k->cose_len, 0, &a.resp, &out, &why),
                   why, "response: clientDataJSON, authenticatorData or "
                   "signature missing");
}

static void test_auth_from_json(void **state)
{
    apr_pool_t *p = *state;
    const wa_key *k = wa_key_get(WA_KEY_RS256);
    stepup_webauthn_assertion out;
    stepup_webauthn_response resp;
    stepup_webauthn_policy pol;
    const char *why = NULL, *json;
    wa_auth a;

    wa_policy(&pol);
    pol.require_uv = 1;
    wa_auth_init(&a, WA_KEY_RS256);
    a.flags |= STEPUP_WEBAUTHN_FLAG_UV;
    a.sign_count = 3;
    wa_auth_build(p, &a);
    json = wa_authentication_json(p, &a.resp);
    assert_accepted(stepup_webauthn_authentication_json_parse(
                        p, json, strlen(json), &resp, &why), why);
    assert_accepted(stepup_webauthn_verify_authentication(
                        p, &pol, k->cose, k->cose_len, 2, &resp, &out, &why),
                    why);
    assert_int_equal(out.sign_count, 3);
    assert_int_equal(out.user_verified, 1);
}

/* Registration output feeds authentication: the stored key is the bytes
 * that verify_registration returned. */
static void test_register_then_authenticate(void **state)
{
    apr_pool_t *p = *state;
    static const wa_key_id ids[] = { WA_KEY_ES256, WA_KEY_RS256,
                                     WA_KEY_EDDSA };
    stepup_webauthn_registration reg;
    stepup_webauthn_assertion out;
    stepup_webauthn_policy pol;
    const char *why;
    wa_reg r;
    wa_auth a;
    size_t i;

    wa_policy(&pol);
    for (i = 0; i < 3; i++) {
        wa_reg_init(&r, ids[i], WA_FMT_PACKED_SELF);
        r.sign_count = 10;
        wa_reg_build(p, &r);
        assert_accepted(reg_verify(p, &pol, &r, &reg, &why), why);
        wa_auth_init(&a, ids[i]);
        a.sign_count = 11;
        wa_auth_build(p, &a);
        why = NULL;
        assert_accepted(stepup_webauthn_verify_authentication(
                            p, &pol, reg.public_key, reg.public_key_len,
                            reg.sign_count, &a.resp, &out, &why), why);
        assert_int_equal(out.sign_count, 11);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_reg_none_each_key),
        UNIT_TEST(test_reg_packed_self_each_key),
        UNIT_TEST(test_reg_packed_alg_mismatch),
        UNIT_TEST(test_reg_packed_x5c),
        UNIT_TEST(test_reg_packed_x5c_trust),
        UNIT_TEST(test_reg_roots_without_chain),
        UNIT_TEST(test_reg_packed_leaf_requirements),
        UNIT_TEST(test_reg_packed_leaf_subject),
        UNIT_TEST(test_reg_packed_rsa_leaf),
        UNIT_TEST(test_reg_fido_u2f),
        UNIT_TEST(test_reg_attestation_statements),
        UNIT_TEST(test_reg_attestation_statements_packed),
        UNIT_TEST(test_reg_attestation_statements_formats),
        UNIT_TEST(test_reg_attestation_object),
        UNIT_TEST(test_reg_attestation_object_members),
        UNIT_TEST(test_reg_attestation_object_auth_data),
        UNIT_TEST(test_reg_authenticator_data),
        UNIT_TEST(test_reg_client_data),
        UNIT_TEST(test_reg_credential_key),
        UNIT_TEST(test_reg_credential_id),
        UNIT_TEST(test_reg_from_json),
        UNIT_TEST(test_auth_each_key),
        UNIT_TEST(test_auth_foreign_key),
        UNIT_TEST(test_auth_counter),
        UNIT_TEST(test_auth_flags),
        UNIT_TEST(test_auth_client_data),
        UNIT_TEST(test_auth_authenticator_data),
        UNIT_TEST(test_auth_stored_key),
        UNIT_TEST(test_auth_from_json),
        UNIT_TEST(test_register_then_authenticate),
    };

    return cmocka_run_group_tests_name("webauthn ceremonies", tests,
                                       group_setup, group_teardown);
}
