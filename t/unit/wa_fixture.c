/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * WebAuthn test vectors made at test time for the unit tests of the
 * WebAuthn core: keys, COSE keys, certificates, authenticator data
 * (t/unit/wa_fixture.h).
 */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "wa_fixture.h"

const unsigned char wa_aaguid[16] = {
    0x2f, 0xc0, 0x57, 0x9f, 0x81, 0x13, 0x47, 0xea,
    0xb1, 0x16, 0xbb, 0x5a, 0x8d, 0xb9, 0x20, 0x2a
};

const unsigned char wa_challenge[32] = {
    0xc4, 0x1e, 0x02, 0x57, 0x19, 0x33, 0xa0, 0x88,
    0x5e, 0x6b, 0x0f, 0x7d, 0x21, 0xfe, 0x90, 0x4c,
    0x07, 0xb2, 0x38, 0xd9, 0x6a, 0x11, 0x5f, 0xe0,
    0xcc, 0x73, 0x42, 0x9b, 0x15, 0x86, 0x2d, 0xf4
};

/* ---- keys ---- */

static wa_key keys[WA_KEY_COUNT];
static X509 *certs[64];
static int ncerts;
static X509 *ca_cert, *ca_other_cert;

static void fill_cose(wa_key *k)
{
    apr_pool_t *tmp;
    unsigned char *enc;
    size_t len = 0;

    assert_int_equal(apr_pool_create(&tmp, NULL), APR_SUCCESS);
    if (k->alg == STEPUP_COSE_ES256) {
        size_t plen = 0;
        assert_int_equal(EVP_PKEY_get_octet_string_param(
                             k->pkey, OSSL_PKEY_PARAM_PUB_KEY, k->point, 65,
                             &plen), 1);
        assert_int_equal(plen, 65);
        enc = wa_cose_map(tmp, &len, 5,
                          (int64_t)1, wa_cbor_int(2),
                          (int64_t)3, wa_cbor_int(-7),
                          (int64_t)-1, wa_cbor_int(1),
                          (int64_t)-2, wa_cbor_bytes(k->point + 1, 32),
                          (int64_t)-3, wa_cbor_bytes(k->point + 33, 32));
    }
    else if (k->alg == STEPUP_COSE_RS256) {
        BIGNUM *n = NULL, *e = NULL;
        unsigned char nb[1024], eb[16];
        int nl, el;

        assert_int_equal(EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_N,
                                               &n), 1);
        assert_int_equal(EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_E,
                                               &e), 1);
        nl = BN_bn2bin(n, nb);
        el = BN_bn2bin(e, eb);
        BN_free(n);
        BN_free(e);
        enc = wa_cose_map(tmp, &len, 4,
                          (int64_t)1, wa_cbor_int(3),
                          (int64_t)3, wa_cbor_int(-257),
                          (int64_t)-1, wa_cbor_bytes(nb, (size_t)nl),
                          (int64_t)-2, wa_cbor_bytes(eb, (size_t)el));
    }
    else {
        unsigned char raw[32];
        size_t rl = sizeof(raw);

        assert_int_equal(EVP_PKEY_get_raw_public_key(k->pkey, raw, &rl), 1);
        enc = wa_cose_map(tmp, &len, 4,
                          (int64_t)1, wa_cbor_int(1),
                          (int64_t)3, wa_cbor_int(-8),
                          (int64_t)-1, wa_cbor_int(6),
                          (int64_t)-2, wa_cbor_bytes(raw, rl));
    }
    k->cose = malloc(len);
    assert_non_null(k->cose);
    memcpy(k->cose, enc, len);
    k->cose_len = len;
    apr_pool_destroy(tmp);
}

const wa_key *wa_key_get(wa_key_id id)
{
    wa_key *k = &keys[id];

    if (k->pkey)
        return k;
    switch (id) {
    case WA_KEY_RS256:
    case WA_KEY_ATTEST_RSA:
        k->pkey = EVP_RSA_gen(2048);
        k->alg = STEPUP_COSE_RS256;
        break;
    case WA_KEY_RSA1024:
        k->pkey = EVP_RSA_gen(1024);
        k->alg = STEPUP_COSE_RS256;
        break;
    case WA_KEY_EDDSA:
        k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
        k->alg = STEPUP_COSE_EDDSA;
        break;
    default:
        k->pkey = EVP_EC_gen("P-256");
        k->alg = STEPUP_COSE_ES256;
        break;
    }
    assert_non_null(k->pkey);
    fill_cose(k);
    return k;
}

void wa_fixture_free(void)
{
    int i;

    for (i = 0; i < WA_KEY_COUNT; i++) {
        EVP_PKEY_free(keys[i].pkey);
        free(keys[i].cose);
        memset(&keys[i], 0, sizeof(keys[i]));
    }
    for (i = 0; i < ncerts; i++)
        X509_free(certs[i]);
    ncerts = 0;
    ca_cert = ca_other_cert = NULL;
}

/* ---- CBOR ---- */

cbor_item_t *wa_cbor_int(int64_t v)
{
    return v >= 0 ? cbor_build_uint64((uint64_t)v)
        : cbor_build_negint64((uint64_t)(-1 - v));
}

cbor_item_t *wa_cbor_bytes(const void *b, size_t len)
{
    return cbor_build_bytestring(b, len);
}

cbor_item_t *wa_cbor_text(const char *s)
{
    return cbor_build_string(s);
}

cbor_item_t *wa_cbor_map(size_t n, ...)
{
    cbor_item_t *map = cbor_new_definite_map(n);
    va_list ap;
    size_t i;

    assert_non_null(map);
    va_start(ap, n);
    for (i = 0; i < n; i++) {
        cbor_item_t *k = va_arg(ap, cbor_item_t *);
        cbor_item_t *v = va_arg(ap, cbor_item_t *);
        assert_true(cbor_map_add(map, (struct cbor_pair){
                    .key = cbor_move(k), .value = cbor_move(v) }));
    }
    va_end(ap);
    return map;
}

cbor_item_t *wa_cbor_array(size_t n, ...)
{
    cbor_item_t *arr = cbor_new_definite_array(n);
    va_list ap;
    size_t i;

    assert_non_null(arr);
    va_start(ap, n);
    for (i = 0; i < n; i++)
        assert_true(cbor_array_push(arr, cbor_move(va_arg(ap,
                                                          cbor_item_t *))));
    va_end(ap);
    return arr;
}

unsigned char *wa_cbor_encode(apr_pool_t *p, cbor_item_t *item, size_t *len)
{
    unsigned char *buf = NULL, *out;
    size_t size = 0, n;

    n = cbor_serialize_alloc(item, &buf, &size);
    cbor_decref(&item);
    assert_true(n > 0);
    out = apr_pmemdup(p, buf, n);
    free(buf);
    *len = n;
    return out;
}

unsigned char *wa_cose_map(apr_pool_t *p, size_t *len, size_t n, ...)
{
    cbor_item_t *map = cbor_new_definite_map(n);
    va_list ap;
    size_t i;

    assert_non_null(map);
    va_start(ap, n);
    for (i = 0; i < n; i++) {
        int64_t label = va_arg(ap, int64_t);
        cbor_item_t *v = va_arg(ap, cbor_item_t *);
        assert_true(cbor_map_add(map, (struct cbor_pair){
                    .key = cbor_move(wa_cbor_int(label)),
                    .value = cbor_move(v) }));
    }
    va_end(ap);
    return wa_cbor_encode(p, map, len);
}

/* ---- bytes ---- */

unsigned char *wa_concat(apr_pool_t *p, const void *a, size_t alen,
                         const void *b, size_t blen)
{
    unsigned char *out = apr_palloc(p, alen + blen + 1);

    if (alen)
        memcpy(out, a, alen);
    if (blen)
        memcpy(out + alen, b, blen);
    return out;
}

void wa_sha256(const void *data, size_t len, unsigned char out[32])
{
    unsigned int n = 0;

    assert_int_equal(EVP_Digest(data, len, out, &n, EVP_sha256(), NULL), 1);
    assert_int_equal(n, 32);
}

char *wa_b64url(apr_pool_t *p, const void *data, size_t len)
{
    char *out = apr_palloc(p, 4 * ((len + 2) / 3) + 1);
    int n = EVP_EncodeBlock((unsigned char *)out, data, (int)len), i;

    while (n > 0 && out[n - 1] == '=')
        n--;
    out[n] = '\0';
    for (i = 0; i < n; i++) {
        if (out[i] == '+')
            out[i] = '-';
        else if (out[i] == '/')
            out[i] = '_';
    }
    return out;
}

/* ---- signatures ---- */

unsigned char *wa_sign(apr_pool_t *p, EVP_PKEY *key, const void *msg,
                       size_t len, size_t *siglen)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    const EVP_MD *md = EVP_PKEY_is_a(key, "ED25519") ? NULL : EVP_sha256();
    unsigned char *sig;
    size_t n = 0;

    assert_non_null(ctx);
    assert_int_equal(EVP_DigestSignInit(ctx, NULL, md, NULL, key), 1);
    assert_int_equal(EVP_DigestSign(ctx, NULL, &n, msg, len), 1);
    sig = apr_palloc(p, n);
    assert_int_equal(EVP_DigestSign(ctx, sig, &n, msg, len), 1);
    EVP_MD_CTX_free(ctx);
    *siglen = n;
    return sig;
}

/* ---- certificates ---- */

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;

    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    assert_non_null(ext);
    assert_int_equal(X509_add_ext(x, ext, -1), 1);
    X509_EXTENSION_free(ext);
}

static void add_aaguid(X509 *x, const unsigned char *aaguid, int critical)
{
    ASN1_OBJECT *oid = OBJ_txt2obj("1.3.6.1.4.1.45724.1.1.4", 1);
    ASN1_OCTET_STRING *inner = ASN1_OCTET_STRING_new(), *outer;
    X509_EXTENSION *ext;
    unsigned char *der = NULL;
    int len;

    assert_non_null(oid);
    assert_int_equal(ASN1_OCTET_STRING_set(inner, aaguid, 16), 1);
    len = i2d_ASN1_OCTET_STRING(inner, &der);
    assert_true(len > 0);
    outer = ASN1_OCTET_STRING_new();
    assert_int_equal(ASN1_OCTET_STRING_set(outer, der, len), 1);
    ext = X509_EXTENSION_create_by_OBJ(NULL, oid, critical, outer);
    assert_non_null(ext);
    assert_int_equal(X509_add_ext(x, ext, -1), 1);
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(outer);
    ASN1_OCTET_STRING_free(inner);
    OPENSSL_free(der);
    ASN1_OBJECT_free(oid);
}

static void name_add(X509_NAME *name, int nid, const char *v)
{
    if (v)
        assert_int_equal(X509_NAME_add_entry_by_NID(
                             name, nid, MBSTRING_ASC,
                             (const unsigned char *)v, -1, -1, 0), 1);
}

X509 *wa_cert(EVP_PKEY *key, const wa_cert_spec *spec, X509 *issuer,
              EVP_PKEY *issuer_key)
{
    static long serial = 1000;
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();

    assert_non_null(x);
    assert_true(ncerts < (int)(sizeof(certs) / sizeof(certs[0])));
    certs[ncerts++] = x;
    assert_int_equal(X509_set_version(x, spec->version1 ? X509_VERSION_1
                                      : X509_VERSION_3), 1);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), -3600));
    assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x),
                                    3600L * 24 * 365 * 5));
    name_add(name, NID_countryName, spec->c);
    name_add(name, NID_organizationName, spec->o);
    name_add(name, NID_organizationalUnitName, spec->ou);
    name_add(name, NID_commonName, spec->cn);
    assert_int_equal(X509_set_subject_name(x, name), 1);
    assert_int_equal(X509_set_issuer_name(x, issuer
                                          ? X509_get_subject_name(issuer)
                                          : name), 1);
    X509_NAME_free(name);
    assert_int_equal(X509_set_pubkey(x, key), 1);
    if (!spec->version1) {
        if (spec->is_ca) {
            add_ext(x, issuer, NID_basic_constraints, "critical,CA:TRUE");
            add_ext(x, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
        }
        else
            add_ext(x, issuer, NID_basic_constraints, "critical,CA:FALSE");
        if (spec->aaguid)
            add_aaguid(x, spec->aaguid, spec->aaguid_critical);
    }
    assert_true(X509_sign(x, issuer_key ? issuer_key : key,
                          EVP_sha256()) > 0);
    return x;
}

X509 *wa_ca(void)
{
    wa_cert_spec spec = { "SE", "Test Vendor", NULL, "Test Attestation Root",
                          1, NULL, 0, 0 };

    if (ca_cert)
        return ca_cert;
    ca_cert = wa_cert(wa_key_get(WA_KEY_CA)->pkey, &spec, NULL, NULL);
    return ca_cert;
}

X509 *wa_ca_other(void)
{
    wa_cert_spec spec = { "US", "Other Vendor", NULL, "Other Root", 1, NULL,
                          0, 0 };

    if (ca_other_cert)
        return ca_other_cert;
    ca_other_cert = wa_cert(wa_key_get(WA_KEY_CA_OTHER)->pkey, &spec, NULL,
                            NULL);
    return ca_other_cert;
}

X509 *wa_leaf(const unsigned char *aaguid)
{
    wa_cert_spec spec = { "SE", "Test Vendor", "Authenticator Attestation",
                          "Test Key 1", 0, aaguid, 0, 0 };

    return wa_cert(wa_key_get(WA_KEY_ATTEST)->pkey, &spec, wa_ca(),
                   wa_key_get(WA_KEY_CA)->pkey);
}

unsigned char *wa_der(apr_pool_t *p, X509 *x, size_t *len)
{
    unsigned char *der = NULL, *out;
    int n = i2d_X509(x, &der);

    assert_true(n > 0);
    out = apr_pmemdup(p, der, (apr_size_t)n);
    OPENSSL_free(der);
    *len = (size_t)n;
    return out;
}

char *wa_pem(apr_pool_t *p, X509 *x)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data, *out;
    long n;

    assert_non_null(bio);
    assert_int_equal(PEM_write_bio_X509(bio, x), 1);
    n = BIO_get_mem_data(bio, &data);
    out = apr_pstrmemdup(p, data, (apr_size_t)n);
    BIO_free(bio);
    return out;
}

/* ---- ceremonies ---- */

void wa_policy(stepup_webauthn_policy *pol)
{
    static const char *const origins[] = { WA_ORIGIN };

    memset(pol, 0, sizeof(*pol));
    pol->rp_id = WA_RP_ID;
    pol->origins = origins;
    pol->norigins = 1;
    pol->challenge = wa_challenge;
    pol->challenge_len = sizeof(wa_challenge);
}

char *wa_client_data(apr_pool_t *p, const char *type, const void *challenge,
                     size_t challenge_len, const char *origin,
                     const char *extra)
{
    return apr_psprintf(p, "{\"type\":\"%s\",\"challenge\":\"%s\","
                        "\"origin\":\"%s\",\"crossOrigin\":false%s}", type,
                        wa_b64url(p, challenge, challenge_len), origin,
                        extra ? extra : "");
}

unsigned char *wa_auth_data(apr_pool_t *p, const char *rp_id,
                            unsigned char flags, uint32_t sign_count,
                            const unsigned char *aaguid,
                            const unsigned char *cred_id, size_t cred_id_len,
                            const unsigned char *cose, size_t cose_len,
                            const unsigned char *ext, size_t ext_len,
                            size_t *len)
{
    size_t n = 37 + (cred_id ? 18 + cred_id_len + cose_len : 0)
        + (ext ? ext_len : 0);
    unsigned char *buf = apr_palloc(p, n + 1), *at = buf;

    wa_sha256(rp_id, strlen(rp_id), at);
    at += 32;
    *at++ = flags;
    *at++ = (unsigned char)(sign_count >> 24);
    *at++ = (unsigned char)(sign_count >> 16);
    *at++ = (unsigned char)(sign_count >> 8);
    *at++ = (unsigned char)sign_count;
    if (cred_id) {
        memcpy(at, aaguid, 16);
        at += 16;
        *at++ = (unsigned char)(cred_id_len >> 8);
        *at++ = (unsigned char)cred_id_len;
        memcpy(at, cred_id, cred_id_len);
        at += cred_id_len;
        memcpy(at, cose, cose_len);
        at += cose_len;
    }
    if (ext) {
        memcpy(at, ext, ext_len);
        at += ext_len;
    }
    *len = (size_t)(at - buf);
    return buf;
}

unsigned char *wa_att_object(apr_pool_t *p, const char *fmt,
                             cbor_item_t *stmt, const unsigned char *auth_data,
                             size_t auth_data_len, size_t *len)
{
    return wa_cbor_encode(p, wa_cbor_map(3,
                                         wa_cbor_text("fmt"), wa_cbor_text(fmt),
                                         wa_cbor_text("attStmt"), stmt,
                                         wa_cbor_text("authData"),
                                         wa_cbor_bytes(auth_data,
                                                       auth_data_len)),
                          len);
}

void wa_reg_init(wa_reg *r, wa_key_id key, wa_fmt fmt)
{
    size_t i;

    memset(r, 0, sizeof(*r));
    r->key = key;
    r->fmt = fmt;
    r->flags = STEPUP_WEBAUTHN_FLAG_UP | STEPUP_WEBAUTHN_FLAG_UV
        | STEPUP_WEBAUTHN_FLAG_AT;
    r->sign_count = 0;
    r->rp_id = WA_RP_ID;
    memcpy(r->aaguid, wa_aaguid, 16);
    r->cred_id_len = 32;
    for (i = 0; i < r->cred_id_len; i++)
        r->cred_id[i] = (unsigned char)(0xa0 + 7 * i);
    r->att_key = WA_KEY_ATTEST;
}

void wa_reg_build(apr_pool_t *p, wa_reg *r)
{
    const wa_key *k = wa_key_get(r->key);
    const unsigned char *cose = r->cose ? r->cose : k->cose;
    size_t cose_len = r->cose ? r->cose_len : k->cose_len;
    unsigned char cdh[32], *data, *sig = NULL;
    size_t datalen, siglen = 0;
    cbor_item_t *stmt;
    const char *fmt;
    X509 *leaf;

    r->client_data_out = r->client_data ? r->client_data
        : wa_client_data(p, "webauthn.create", wa_challenge,
                         sizeof(wa_challenge), WA_ORIGIN, NULL);
    wa_sha256(r->client_data_out, strlen(r->client_data_out), cdh);
    r->auth_data = wa_auth_data(p, r->rp_id, r->flags, r->sign_count,
                                r->aaguid, r->cred_id, r->cred_id_len, cose,
                                cose_len, NULL, 0, &r->auth_data_len);
    data = wa_concat(p, r->auth_data, r->auth_data_len, cdh, 32);
    datalen = r->auth_data_len + 32;

    switch (r->fmt) {
    case WA_FMT_NONE:
        fmt = "none";
        stmt = wa_cbor_map(0);
        break;
    case WA_FMT_PACKED_SELF:
        fmt = "packed";
        sig = wa_sign(p, k->pkey, data, datalen, &siglen);
        if (r->corrupt_sig)
            sig[siglen / 2] ^= 0x01;
        stmt = wa_cbor_map(2,
                           wa_cbor_text("alg"),
                           wa_cbor_int(r->att_alg ? r->att_alg : k->alg),
                           wa_cbor_text("sig"), wa_cbor_bytes(sig, siglen));
        break;
    case WA_FMT_PACKED_X5C: {
        const wa_key *ak = wa_key_get(r->att_key);
        unsigned char *der, *cader;
        size_t derlen, calen;

        fmt = "packed";
        leaf = r->leaf ? r->leaf : wa_leaf(r->aaguid);
        der = wa_der(p, leaf, &derlen);
        sig = wa_sign(p, ak->pkey, data, datalen, &siglen);
        if (r->corrupt_sig)
            sig[siglen / 2] ^= 0x01;
        if (r->x5c_with_ca) {
            cader = wa_der(p, wa_ca(), &calen);
            stmt = wa_cbor_map(3,
                               wa_cbor_text("alg"),
                               wa_cbor_int(r->att_alg ? r->att_alg : ak->alg),
                               wa_cbor_text("sig"), wa_cbor_bytes(sig, siglen),
                               wa_cbor_text("x5c"),
                               wa_cbor_array(2, wa_cbor_bytes(der, derlen),
                                             wa_cbor_bytes(cader, calen)));
        }
        else
            stmt = wa_cbor_map(3,
                               wa_cbor_text("alg"),
                               wa_cbor_int(r->att_alg ? r->att_alg : ak->alg),
                               wa_cbor_text("sig"), wa_cbor_bytes(sig, siglen),
                               wa_cbor_text("x5c"),
                               wa_cbor_array(1, wa_cbor_bytes(der, derlen)));
        break;
    }
    default: {   /* fido-u2f */
        const wa_key *ak = wa_key_get(r->att_key);
        unsigned char *der, *u2f, *at;
        size_t derlen, u2flen = 1 + 32 + 32 + r->cred_id_len + 65;

        fmt = "fido-u2f";
        leaf = r->leaf ? r->leaf : wa_leaf(NULL);
        der = wa_der(p, leaf, &derlen);
        at = u2f = apr_palloc(p, u2flen);
        *at++ = 0x00;
        wa_sha256(r->rp_id, strlen(r->rp_id), at);
        at += 32;
        memcpy(at, cdh, 32);
        at += 32;
        memcpy(at, r->cred_id, r->cred_id_len);
        at += r->cred_id_len;
        memcpy(at, k->point, 65);
        sig = wa_sign(p, ak->pkey, u2f, u2flen, &siglen);
        if (r->corrupt_sig)
            sig[siglen / 2] ^= 0x01;
        stmt = wa_cbor_map(2,
                           wa_cbor_text("sig"), wa_cbor_bytes(sig, siglen),
                           wa_cbor_text("x5c"),
                           wa_cbor_array(1, wa_cbor_bytes(der, derlen)));
        break;
    }
    }
    r->att_obj = wa_att_object(p, fmt, stmt, r->auth_data, r->auth_data_len,
                               &r->att_obj_len);

    memset(&r->resp, 0, sizeof(r->resp));
    r->resp.id = apr_pmemdup(p, r->cred_id, r->cred_id_len);
    r->resp.id_len = r->cred_id_len;
    r->resp.id_b64 = wa_b64url(p, r->cred_id, r->cred_id_len);
    r->resp.client_data_json = (const unsigned char *)r->client_data_out;
    r->resp.client_data_len = strlen(r->client_data_out);
    r->resp.attestation_object = r->att_obj;
    r->resp.attestation_object_len = r->att_obj_len;
}

void wa_auth_init(wa_auth *a, wa_key_id key)
{
    memset(a, 0, sizeof(*a));
    a->key = key;
    a->flags = STEPUP_WEBAUTHN_FLAG_UP;
    a->sign_count = 1;
    a->rp_id = WA_RP_ID;
}

void wa_auth_build(apr_pool_t *p, wa_auth *a)
{
    const wa_key *k = wa_key_get(a->key);
    const char *cd = a->client_data ? a->client_data
        : wa_client_data(p, "webauthn.get", wa_challenge,
                         sizeof(wa_challenge), WA_ORIGIN, NULL);
    unsigned char cdh[32], *sig, *ad;
    size_t adlen, siglen;

    wa_sha256(cd, strlen(cd), cdh);
    ad = wa_auth_data(p, a->rp_id, a->flags, a->sign_count, NULL, NULL, 0,
                      NULL, 0, a->ext, a->ext_len, &adlen);
    sig = wa_sign(p, k->pkey, wa_concat(p, ad, adlen, cdh, 32), adlen + 32,
                  &siglen);
    if (a->trailing) {
        ad = wa_concat(p, ad, adlen, a->trailing, a->trailing_len);
        adlen += a->trailing_len;
    }
    a->auth_data = ad;
    a->auth_data_len = adlen;
    memset(&a->resp, 0, sizeof(a->resp));
    a->resp.id = (const unsigned char *)"credential-1";
    a->resp.id_len = 12;
    a->resp.id_b64 = wa_b64url(p, "credential-1", 12);
    a->resp.client_data_json = (const unsigned char *)cd;
    a->resp.client_data_len = strlen(cd);
    a->resp.authenticator_data = ad;
    a->resp.authenticator_data_len = adlen;
    a->resp.signature = sig;
    a->resp.signature_len = siglen;
}

char *wa_registration_json(apr_pool_t *p, const stepup_webauthn_response *r)
{
    const char *id = wa_b64url(p, r->id, r->id_len);

    return apr_psprintf(p, "{\"id\":\"%s\",\"rawId\":\"%s\","
                        "\"type\":\"public-key\",\"response\":{"
                        "\"clientDataJSON\":\"%s\","
                        "\"attestationObject\":\"%s\","
                        "\"transports\":[\"usb\",\"nfc\"]},"
                        "\"authenticatorAttachment\":\"cross-platform\","
                        "\"clientExtensionResults\":{}}", id, id,
                        wa_b64url(p, r->client_data_json, r->client_data_len),
                        wa_b64url(p, r->attestation_object,
                                  r->attestation_object_len));
}

char *wa_authentication_json(apr_pool_t *p,
                             const stepup_webauthn_response *r)
{
    const char *id = wa_b64url(p, r->id, r->id_len);

    return apr_psprintf(p, "{\"id\":\"%s\",\"rawId\":\"%s\","
                        "\"type\":\"public-key\",\"response\":{"
                        "\"clientDataJSON\":\"%s\","
                        "\"authenticatorData\":\"%s\","
                        "\"signature\":\"%s\",\"userHandle\":\"dXNlci0x\"},"
                        "\"clientExtensionResults\":{}}", id, id,
                        wa_b64url(p, r->client_data_json, r->client_data_len),
                        wa_b64url(p, r->authenticator_data,
                                  r->authenticator_data_len),
                        wa_b64url(p, r->signature, r->signature_len));
}
