/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The "tpm" attestation statement format (WebAuthn L3 8.3), what Windows
 * Hello sends:
 *   attStmt = { ver: "2.0", alg: int, x5c: [ aikCert, ca* ], sig: bytes,
 *               certInfo: bytes, pubArea: bytes }
 * pubArea is the credential key as the TPM holds it (TPMT_PUBLIC) and must
 * be the credential public key; certInfo (TPMS_ATTEST) is what the TPM's
 * attestation identity key (AIK, the key of x5c[0]) signed: it names
 * pubArea by digest and carries the hash of authenticatorData ||
 * clientDataHash as extraData. The AIK certificate follows 8.3.1.
 *
 * pubArea and certInfo are TPM 2.0 binary structures (TPM 2.0 Library,
 * Part 2: big-endian integers, TPM2B = a 16-bit size and that many bytes,
 * unions selected by an earlier algorithm id), not ASN.1: a small bounded
 * reader takes them apart, checking every size against what remains.
 */
#include <string.h>

#include <apr_strings.h>
#include <cbor.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "webauthn_internal.h"

/* TPM_ALG_ID values (TPM 2.0 Library, Part 2, 6.3) */
#define TPM_ALG_RSA            0x0001
#define TPM_ALG_SHA1           0x0004
#define TPM_ALG_MGF1           0x0007
#define TPM_ALG_SHA256         0x000B
#define TPM_ALG_SHA384         0x000C
#define TPM_ALG_SHA512         0x000D
#define TPM_ALG_NULL           0x0010
#define TPM_ALG_RSASSA         0x0014
#define TPM_ALG_RSAES          0x0015
#define TPM_ALG_RSAPSS         0x0016
#define TPM_ALG_OAEP           0x0017
#define TPM_ALG_ECDSA          0x0018
#define TPM_ALG_ECDH           0x0019
#define TPM_ALG_ECDAA          0x001A
#define TPM_ALG_SM2            0x001B
#define TPM_ALG_ECSCHNORR      0x001C
#define TPM_ALG_ECMQV          0x001D
#define TPM_ALG_KDF1_SP800_56A 0x0020
#define TPM_ALG_KDF2           0x0021
#define TPM_ALG_KDF1_SP800_108 0x0022
#define TPM_ALG_ECC            0x0023

#define TPM_ECC_NIST_P256      0x0003
#define TPM_GENERATED_VALUE    0xff544347u
#define TPM_ST_ATTEST_CERTIFY  0x8017

/* The TPM vendor attributes of the AIK certificate's subject alternative
 * name (TCG EK Credential Profile 3.2.9) and its extended key usage. */
#define OID_TCG_AT_TPM_MANUFACTURER "2.23.133.2.1"
#define OID_TCG_AT_TPM_MODEL        "2.23.133.2.2"
#define OID_TCG_AT_TPM_VERSION      "2.23.133.2.3"
#define OID_TCG_KP_AIK_CERTIFICATE  "2.23.133.8.3"

/* ------------------------------------------------------------------ */
/* The bounded reader                                                  */

typedef struct {
    const unsigned char *at;
    size_t left;
    const char *what;            /* "pubArea", "certInfo": for reasons */
    apr_pool_t *p;
    const char **why;
} tpm_reader;

static int truncated(tpm_reader *r, const char *field)
{
    return stepup_wa_fail(r->why, apr_psprintf(r->p, "tpm %s is truncated "
                                               "at %s", r->what, field));
}

static int rd_u16(tpm_reader *r, const char *field, unsigned *v)
{
    if (r->left < 2)
        return truncated(r, field);
    *v = ((unsigned)r->at[0] << 8) | r->at[1];
    r->at += 2;
    r->left -= 2;
    return 0;
}

static int rd_u32(tpm_reader *r, const char *field, uint32_t *v)
{
    if (r->left < 4)
        return truncated(r, field);
    *v = ((uint32_t)r->at[0] << 24) | ((uint32_t)r->at[1] << 16)
        | ((uint32_t)r->at[2] << 8) | r->at[3];
    r->at += 4;
    r->left -= 4;
    return 0;
}

static int rd_skip(tpm_reader *r, const char *field, size_t n)
{
    if (r->left < n)
        return truncated(r, field);
    r->at += n;
    r->left -= n;
    return 0;
}

/* A TPM2B: a 16-bit size, then that many bytes (pointer into the
 * buffer). */
static int rd_tpm2b(tpm_reader *r, const char *field,
                    const unsigned char **b, size_t *len)
{
    unsigned n = 0;

    if (rd_u16(r, field, &n) != 0)
        return -1;
    if (r->left < n)
        return stepup_wa_fail(r->why, apr_psprintf(r->p, "tpm %s: %s says "
                                                   "%u bytes, %" APR_SIZE_T_FMT
                                                   " remain", r->what, field,
                                                   n, r->left));
    *b = r->at;
    *len = n;
    r->at += n;
    r->left -= n;
    return 0;
}

static int rd_end(tpm_reader *r)
{
    if (r->left != 0)
        return stepup_wa_fail(r->why, apr_psprintf(r->p, "tpm %s has %"
                                                   APR_SIZE_T_FMT " bytes "
                                                   "after its end", r->what,
                                                   r->left));
    return 0;
}

static int unknown_selector(tpm_reader *r, const char *field, unsigned v)
{
    return stepup_wa_fail(r->why, apr_psprintf(r->p, "tpm %s: %s 0x%04x is "
                                               "not known", r->what, field,
                                               v));
}

/* TPMT_SYM_DEF_OBJECT: an algorithm, then key bits and mode unless it is
 * TPM_ALG_NULL (the only value a signing key has). */
static int rd_symmetric(tpm_reader *r)
{
    unsigned alg = 0;

    if (rd_u16(r, "symmetric", &alg) != 0)
        return -1;
    if (alg == TPM_ALG_NULL)
        return 0;
    return rd_skip(r, "symmetric key bits and mode", 4);
}

/* TPMT_RSA_SCHEME / TPMT_ECC_SCHEME / TPMT_KDF_SCHEME: a scheme, then its
 * details, which for every scheme a key may carry is one hash algorithm
 * (ECDAA adds a 16-bit count). */
static int rd_scheme(tpm_reader *r, const char *field, int ecc)
{
    unsigned scheme = 0, dummy = 0;

    if (rd_u16(r, field, &scheme) != 0)
        return -1;
    switch (scheme) {
    case TPM_ALG_NULL:
        return 0;
    case TPM_ALG_RSAES:
        return ecc ? unknown_selector(r, field, scheme) : 0;
    case TPM_ALG_RSASSA:
    case TPM_ALG_RSAPSS:
    case TPM_ALG_OAEP:
        if (ecc)
            return unknown_selector(r, field, scheme);
        return rd_u16(r, field, &dummy);
    case TPM_ALG_ECDSA:
    case TPM_ALG_ECDH:
    case TPM_ALG_SM2:
    case TPM_ALG_ECSCHNORR:
    case TPM_ALG_ECMQV:
        if (!ecc)
            return unknown_selector(r, field, scheme);
        return rd_u16(r, field, &dummy);
    case TPM_ALG_ECDAA:
        if (!ecc)
            return unknown_selector(r, field, scheme);
        return rd_skip(r, field, 4);
    }
    return unknown_selector(r, field, scheme);
}

static int rd_kdf(tpm_reader *r)
{
    unsigned scheme = 0, dummy = 0;

    if (rd_u16(r, "kdf", &scheme) != 0)
        return -1;
    switch (scheme) {
    case TPM_ALG_NULL:
        return 0;
    case TPM_ALG_MGF1:
    case TPM_ALG_KDF1_SP800_56A:
    case TPM_ALG_KDF2:
    case TPM_ALG_KDF1_SP800_108:
        return rd_u16(r, "kdf", &dummy);
    }
    return unknown_selector(r, "kdf", scheme);
}

int stepup_tpm_public_parse(apr_pool_t *p, const unsigned char *buf,
                            size_t len, stepup_tpm_public *out,
                            const char **why)
{
    tpm_reader r = { buf, len, "pubArea", p, why };
    const unsigned char *policy;
    size_t policy_len;

    memset(out, 0, sizeof(*out));
    if (rd_u16(&r, "type", &out->type) != 0
        || rd_u16(&r, "nameAlg", &out->name_alg) != 0
        || rd_u32(&r, "objectAttributes", &out->object_attributes) != 0
        || rd_tpm2b(&r, "authPolicy", &policy, &policy_len) != 0)
        return -1;
    switch (out->type) {
    case TPM_ALG_RSA:
        if (rd_symmetric(&r) != 0
            || rd_scheme(&r, "scheme", 0) != 0
            || rd_u16(&r, "keyBits", &out->rsa_key_bits) != 0
            || rd_u32(&r, "exponent", &out->rsa_exponent) != 0
            || rd_tpm2b(&r, "unique (modulus)", &out->rsa_modulus,
                        &out->rsa_modulus_len) != 0)
            return -1;
        break;
    case TPM_ALG_ECC:
        if (rd_symmetric(&r) != 0
            || rd_scheme(&r, "scheme", 1) != 0
            || rd_u16(&r, "curveID", &out->ecc_curve) != 0
            || rd_kdf(&r) != 0
            || rd_tpm2b(&r, "unique x", &out->ecc_x, &out->ecc_x_len) != 0
            || rd_tpm2b(&r, "unique y", &out->ecc_y, &out->ecc_y_len) != 0)
            return -1;
        break;
    default:
        return unknown_selector(&r, "type", out->type);
    }
    return rd_end(&r);
}

int stepup_tpm_attest_parse(apr_pool_t *p, const unsigned char *buf,
                            size_t len, stepup_tpm_attest *out,
                            const char **why)
{
    tpm_reader r = { buf, len, "certInfo", p, why };
    const unsigned char *skip;
    size_t skip_len;

    memset(out, 0, sizeof(*out));
    if (rd_u32(&r, "magic", &out->magic) != 0)
        return -1;
    if (out->magic != TPM_GENERATED_VALUE)
        return stepup_wa_fail(why, apr_psprintf(p, "tpm certInfo: magic is "
                                                "0x%08x, not "
                                                "TPM_GENERATED_VALUE",
                                                (unsigned)out->magic));
    if (rd_u16(&r, "type", &out->type) != 0)
        return -1;
    /* the attested union that ends the structure depends on the type */
    if (out->type != TPM_ST_ATTEST_CERTIFY)
        return stepup_wa_fail(why, apr_psprintf(p, "tpm certInfo: type is "
                                                "0x%04x, not "
                                                "TPM_ST_ATTEST_CERTIFY",
                                                out->type));
    if (rd_tpm2b(&r, "qualifiedSigner", &skip, &skip_len) != 0
        || rd_tpm2b(&r, "extraData", &out->extra_data,
                    &out->extra_data_len) != 0
        /* clockInfo: clock (8), resetCount (4), restartCount (4), safe
         * (1); then firmwareVersion (8) */
        || rd_skip(&r, "clockInfo", 17) != 0
        || rd_skip(&r, "firmwareVersion", 8) != 0
        || rd_tpm2b(&r, "attested name", &out->name, &out->name_len) != 0
        || rd_tpm2b(&r, "attested qualifiedName", &skip, &skip_len) != 0)
        return -1;
    return rd_end(&r);
}

/* ------------------------------------------------------------------ */
/* Algorithms                                                          */

/* A TPM name algorithm's digest, or NULL. */
static const EVP_MD *name_digest(unsigned alg)
{
    switch (alg) {
    case TPM_ALG_SHA1:   return EVP_sha1();
    case TPM_ALG_SHA256: return EVP_sha256();
    case TPM_ALG_SHA384: return EVP_sha384();
    case TPM_ALG_SHA512: return EVP_sha512();
    }
    return NULL;
}

/* The COSE signature algorithms an AIK signs with (the IANA registry). */
typedef struct {
    int alg;
    const char *name;
    const EVP_MD *(*md)(void);
    int rsa;          /* 1 RSA PKCS#1 v1.5, 2 RSA PSS, 0 ECDSA */
    const char *curve;
} tpm_alg;

static const tpm_alg tpm_algs[] = {
    { -65535, "RS1", EVP_sha1, 1, NULL },
    { -257, "RS256", EVP_sha256, 1, NULL },
    { -258, "RS384", EVP_sha384, 1, NULL },
    { -259, "RS512", EVP_sha512, 1, NULL },
    { -37, "PS256", EVP_sha256, 2, NULL },
    { -38, "PS384", EVP_sha384, 2, NULL },
    { -39, "PS512", EVP_sha512, 2, NULL },
    { -7, "ES256", EVP_sha256, 0, "prime256v1" },
    { -35, "ES384", EVP_sha384, 0, "secp384r1" },
    { -36, "ES512", EVP_sha512, 0, "secp521r1" },
};

static const tpm_alg *find_alg(int64_t alg)
{
    size_t i;

    for (i = 0; i < sizeof(tpm_algs) / sizeof(tpm_algs[0]); i++) {
        if (tpm_algs[i].alg == alg)
            return &tpm_algs[i];
    }
    return NULL;
}

/* sig over msg by the AIK's key, as a says. */
static int aik_verify(apr_pool_t *p, const tpm_alg *a, EVP_PKEY *pkey,
                      const unsigned char *msg, size_t msglen,
                      const unsigned char *sig, size_t siglen,
                      const char **why)
{
    char group[32];
    size_t glen = 0;
    EVP_PKEY_CTX *pctx = NULL;
    EVP_MD_CTX *ctx;
    int ok;

    if (!pkey)
        return stepup_wa_fail(why, "the AIK certificate key cannot be read");
    if (a->rsa ? !(EVP_PKEY_is_a(pkey, "RSA")
                   && EVP_PKEY_get_bits(pkey) >= STEPUP_WEBAUTHN_RSA_MIN_BITS)
        : !(EVP_PKEY_is_a(pkey, "EC")
            && EVP_PKEY_get_group_name(pkey, group, sizeof(group),
                                       &glen) == 1
            && !strcmp(group, a->curve))) {
        ERR_clear_error();
        return stepup_wa_fail(why, apr_psprintf(p, "the AIK certificate key "
                                                "does not fit alg %s",
                                                a->name));
    }
    if (siglen == 0)
        return stepup_wa_fail(why, "sig is empty");
    if (!(ctx = EVP_MD_CTX_new()))
        return stepup_wa_fail(why, "out of memory (OpenSSL)");
    ok = EVP_DigestVerifyInit(ctx, &pctx, a->md(), NULL, pkey) == 1
        && (a->rsa != 2
            || (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1
                && EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
                                                    RSA_PSS_SALTLEN_AUTO)
                == 1))
        && EVP_DigestVerify(ctx, sig, siglen, msg, msglen) == 1;
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    if (!ok)
        return stepup_wa_fail(why, apr_psprintf(p, "the %s signature over "
                                                "certInfo does not verify with"
                                                " the AIK certificate",
                                                a->name));
    return 0;
}

/* ------------------------------------------------------------------ */
/* pubArea against the credential key                                  */

static int same_bn(const unsigned char *b, size_t len, const BIGNUM *want)
{
    BIGNUM *got = BN_bin2bn(b, (int)len, NULL);
    int same = got && BN_cmp(got, want) == 0;

    BN_free(got);
    return same;
}

static int rsa_matches(apr_pool_t *p, const stepup_tpm_public *pub,
                       const stepup_cose_key *cred, const char **why)
{
    BIGNUM *n = NULL, *e = NULL, *exp = NULL;
    int ok;

    if (pub->type != TPM_ALG_RSA)
        return stepup_wa_fail(why, "tpm pubArea is not an RSA key, the "
                              "credential is");
    if (!cred->pkey
        || EVP_PKEY_get_bn_param(cred->pkey, OSSL_PKEY_PARAM_RSA_N, &n) != 1
        || EVP_PKEY_get_bn_param(cred->pkey, OSSL_PKEY_PARAM_RSA_E, &e) != 1
        || !(exp = BN_new())
        /* TPM 2.0 Part 2, 12.2.3.5: an exponent of zero means 2^16 + 1 */
        || BN_set_word(exp, pub->rsa_exponent ? pub->rsa_exponent : 65537)
        != 1) {
        BN_free(n);
        BN_free(e);
        BN_free(exp);
        ERR_clear_error();
        return stepup_wa_fail(why, "out of memory (OpenSSL BIGNUM)");
    }
    ok = same_bn(pub->rsa_modulus, pub->rsa_modulus_len, n)
        && BN_cmp(exp, e) == 0;
    BN_free(n);
    BN_free(e);
    BN_free(exp);
    (void)p;
    if (!ok)
        return stepup_wa_fail(why, "tpm pubArea RSA modulus or exponent is "
                              "not the credential public key's");
    return 0;
}

static int ecc_matches(const stepup_tpm_public *pub,
                       const stepup_cose_key *cred, const char **why)
{
    if (pub->type != TPM_ALG_ECC)
        return stepup_wa_fail(why, "tpm pubArea is not an ECC key, the "
                              "credential is");
    if (pub->ecc_curve != TPM_ECC_NIST_P256)
        return stepup_wa_fail(why, "tpm pubArea curve is not NIST P-256, the "
                              "credential's");
    if (pub->ecc_x_len != 32 || pub->ecc_y_len != 32
        || memcmp(pub->ecc_x, cred->point + 1, 32) != 0
        || memcmp(pub->ecc_y, cred->point + 33, 32) != 0)
        return stepup_wa_fail(why, "tpm pubArea x or y is not the credential "
                              "public key's");
    return 0;
}

static int pubarea_matches(apr_pool_t *p, const stepup_tpm_public *pub,
                           const stepup_cose_key *cred, const char **why)
{
    switch (cred->alg) {
    case STEPUP_COSE_RS256: return rsa_matches(p, pub, cred, why);
    case STEPUP_COSE_ES256: return ecc_matches(pub, cred, why);
    }
    return stepup_wa_fail(why, apr_psprintf(p, "a TPM cannot hold a %s "
                                            "credential key",
                                            stepup_cose_alg_name(p,
                                                                 cred->alg)));
}

/* The attested name: nameAlg (2 bytes) || nameAlg digest of pubArea. */
static int name_matches(apr_pool_t *p, const stepup_tpm_attest *att,
                        const stepup_tpm_public *pub,
                        const unsigned char *pub_area, size_t pub_area_len,
                        const char **why)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    const EVP_MD *md = name_digest(pub->name_alg);

    if (!md)
        return stepup_wa_fail(why, apr_psprintf(p, "tpm pubArea nameAlg "
                                                "0x%04x is not SHA-1 or "
                                                "SHA-2", pub->name_alg));
    if (EVP_Digest(pub_area, pub_area_len, digest, &dlen, md, NULL) != 1)
        return stepup_wa_fail(why, "digest failed (OpenSSL)");
    if (att->name_len != 2 + (size_t)dlen
        || ((unsigned)att->name[0] << 8 | att->name[1]) != pub->name_alg
        || memcmp(att->name + 2, digest, dlen) != 0)
        return stepup_wa_fail(why, "tpm certInfo attested name is not the "
                              "name of pubArea");
    return 0;
}

/* ------------------------------------------------------------------ */
/* The AIK certificate (8.3.1)                                         */

static int oid_is(const ASN1_OBJECT *obj, const char *dotted)
{
    char buf[80];

    return OBJ_obj2txt(buf, sizeof(buf), obj, 1) > 0 && !strcmp(buf, dotted);
}

/* 1 when a directoryName of the SAN names the TPM manufacturer, model and
 * version, each non-empty, in whatever RDN arrangement (one RDN with three
 * values, three RDNs) the certificate uses. */
static int san_has_tpm_names(GENERAL_NAMES *names)
{
    int i, j, found;

    for (i = 0; i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
        const X509_NAME *dn;

        if (gn->type != GEN_DIRNAME)
            continue;
        dn = gn->d.directoryName;
        found = 0;
        for (j = 0; j < X509_NAME_entry_count(dn); j++) {
            const X509_NAME_ENTRY *e = X509_NAME_get_entry(dn, j);
            const ASN1_OBJECT *obj = X509_NAME_ENTRY_get_object(e);

            if (ASN1_STRING_length(X509_NAME_ENTRY_get_data(e)) <= 0)
                continue;
            if (oid_is(obj, OID_TCG_AT_TPM_MANUFACTURER))
                found |= 1;
            else if (oid_is(obj, OID_TCG_AT_TPM_MODEL))
                found |= 2;
            else if (oid_is(obj, OID_TCG_AT_TPM_VERSION))
                found |= 4;
        }
        if (found == 7)
            return 1;
    }
    return 0;
}

static int eku_has_aik(EXTENDED_KEY_USAGE *eku)
{
    int i;

    for (i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
        if (oid_is(sk_ASN1_OBJECT_value(eku, i), OID_TCG_KP_AIK_CERTIFICATE))
            return 1;
    }
    return 0;
}

static int aik_cert_check(apr_pool_t *p, X509 *aik,
                          const unsigned char aaguid[16], const char **why)
{
    GENERAL_NAMES *san;
    EXTENDED_KEY_USAGE *eku;
    uint32_t flags;
    int ok;

    if (X509_get_version(aik) != X509_VERSION_3)
        return stepup_wa_fail(why, "the AIK certificate is not X.509 version "
                              "3");
    if (X509_NAME_entry_count(X509_get_subject_name(aik)) != 0)
        return stepup_wa_fail(why, "the AIK certificate subject is not "
                              "empty");
    flags = X509_get_extension_flags(aik);
    if (flags & EXFLAG_INVALID) {
        ERR_clear_error();
        return stepup_wa_fail(why, "the AIK certificate has malformed "
                              "extensions");
    }
    /* real AIK certificates mark the SAN critical (the subject is empty,
     * RFC 5280 4.2.1.6) and WebAuthn allows it: its criticality is not
     * looked at */
    san = X509_get_ext_d2i(aik, NID_subject_alt_name, NULL, NULL);
    ok = san && san_has_tpm_names(san);
    GENERAL_NAMES_free(san);
    if (!ok) {
        ERR_clear_error();
        return stepup_wa_fail(why, "the AIK certificate subject alternative "
                              "name lacks the TPM manufacturer, model or "
                              "version (2.23.133.2.1-3)");
    }
    eku = X509_get_ext_d2i(aik, NID_ext_key_usage, NULL, NULL);
    ok = eku && eku_has_aik(eku);
    EXTENDED_KEY_USAGE_free(eku);
    if (!ok) {
        ERR_clear_error();
        return stepup_wa_fail(why, "the AIK certificate extended key usage "
                              "lacks tcg-kp-AIKCertificate (2.23.133.8.3)");
    }
    if (X509_get_ext_by_NID(aik, NID_basic_constraints, -1) < 0
        || (flags & EXFLAG_CA))
        return stepup_wa_fail(why, "the AIK certificate basic constraints "
                              "are absent or say CA");
    return stepup_x5c_aaguid_check(p, aik, aaguid, 0, why);
}

/* ------------------------------------------------------------------ */
/* The statement                                                       */

typedef struct {
    const cbor_item_t *ver, *alg, *x5c, *sig, *cert_info, *pub_area;
} tpm_fields;

static int tpm_entry(apr_pool_t *p, const cbor_item_t *key,
                     const cbor_item_t *val, void *arg, const char **why)
{
    static const char *const names[] = {
        "ver", "alg", "x5c", "sig", "certInfo", "pubArea"
    };
    tpm_fields *f = arg;
    const cbor_item_t **slots[] = {
        &f->ver, &f->alg, &f->x5c, &f->sig, &f->cert_info, &f->pub_area
    };
    size_t i;

    if (stepup_cbor_text_is(key, "ecdaaKeyId"))
        return stepup_wa_fail(why, "tpm attestation: ECDAA is not "
                              "supported");
    if (!cbor_isa_string(key))
        return stepup_wa_fail(why, "tpm attStmt: a key is not a text "
                              "string");
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!stepup_cbor_text_is(key, names[i]))
            continue;
        if (*slots[i])
            return stepup_wa_fail(why, apr_psprintf(p, "tpm attStmt: \"%s\" "
                                                    "given twice", names[i]));
        *slots[i] = val;
        return 0;
    }
    return 0;
}

/* What the statement gives, checked for type. */
typedef struct {
    const tpm_alg *a;
    const cbor_item_t *x5c;
    const unsigned char *sig, *cert_info, *pub_area;
    size_t siglen, cert_info_len, pub_area_len;
} tpm_statement;

static int read_statement(apr_pool_t *p, const stepup_attestation_ctx *ctx,
                          tpm_statement *st, const char **why)
{
    tpm_fields f;
    int64_t alg;

    memset(&f, 0, sizeof(f));
    if (stepup_cbor_map_walk(p, ctx->att->att_stmt, "tpm attStmt", tpm_entry,
                             &f, why) != 0)
        return -1;
    if (!f.ver || !stepup_cbor_text_is(f.ver, "2.0"))
        return stepup_wa_fail(why, "tpm attStmt: \"ver\" is not \"2.0\"");
    if (!f.alg || stepup_cbor_int(f.alg, &alg) != 0)
        return stepup_wa_fail(why, "tpm attStmt: \"alg\" is missing or not "
                              "an integer");
    if (!(st->a = find_alg(alg)))
        return stepup_wa_fail(why, apr_psprintf(p, "tpm attStmt: alg %"
                                                APR_INT64_T_FMT " is not "
                                                "supported",
                                                (apr_int64_t)alg));
    if (!(st->x5c = f.x5c))
        return stepup_wa_fail(why, "tpm attStmt: \"x5c\" is missing (ECDAA "
                              "is not supported)");
    if (!f.sig || stepup_cbor_bytes(f.sig, &st->sig, &st->siglen) != 0)
        return stepup_wa_fail(why, "tpm attStmt: \"sig\" is missing or not "
                              "a byte string");
    if (!f.cert_info || stepup_cbor_bytes(f.cert_info, &st->cert_info,
                                          &st->cert_info_len) != 0)
        return stepup_wa_fail(why, "tpm attStmt: \"certInfo\" is missing or "
                              "not a byte string");
    if (!f.pub_area || stepup_cbor_bytes(f.pub_area, &st->pub_area,
                                         &st->pub_area_len) != 0)
        return stepup_wa_fail(why, "tpm attStmt: \"pubArea\" is missing or "
                              "not a byte string");
    return 0;
}

int stepup_att_tpm(apr_pool_t *p, stepup_attestation_ctx *ctx,
                   const char **why)
{
    const unsigned char *data;
    size_t datalen;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    stepup_tpm_public pub;
    stepup_tpm_attest att;
    STACK_OF(X509) *rest;
    tpm_statement st;
    X509 *aik;

    if (read_statement(p, ctx, &st, why) != 0)
        return -1;
    /* pubArea is the credential public key */
    if (stepup_tpm_public_parse(p, st.pub_area, st.pub_area_len, &pub,
                                why) != 0
        || pubarea_matches(p, &pub, ctx->cred, why) != 0)
        return stepup_wa_prefix(p, why, "tpm attestation: ");
    /* certInfo: magic, type, extraData, the attested name */
    if (stepup_tpm_attest_parse(p, st.cert_info, st.cert_info_len, &att,
                                why) != 0)
        return stepup_wa_prefix(p, why, "tpm attestation: ");
    data = stepup_att_signed_data(p, ctx, &datalen);
    if (EVP_Digest(data, datalen, digest, &dlen, st.a->md(), NULL) != 1)
        return stepup_wa_fail(why, "tpm attestation: digest failed "
                              "(OpenSSL)");
    if (att.extra_data_len != dlen
        || memcmp(att.extra_data, digest, dlen) != 0)
        return stepup_wa_fail(why, apr_psprintf(p, "tpm attestation: "
                                                "certInfo extraData is not "
                                                "the %s hash of "
                                                "authenticatorData || "
                                                "clientDataHash",
                                                st.a->name));
    if (name_matches(p, &att, &pub, st.pub_area, st.pub_area_len, why) != 0)
        return stepup_wa_prefix(p, why, "tpm attestation: ");
    /* the AIK signed certInfo and its certificate follows 8.3.1 */
    if (stepup_x5c_parse(p, st.x5c, &aik, &rest, why) != 0
        || aik_verify(p, st.a, stepup_x5c_pubkey(aik), st.cert_info,
                      st.cert_info_len, st.sig, st.siglen, why) != 0
        || aik_cert_check(p, aik, ctx->ad->aaguid, why) != 0
        || stepup_att_chain(p, ctx, aik, rest, why) != 0)
        return stepup_wa_prefix(p, why, "tpm attestation: ");
    ctx->type = "attca";
    return 0;
}
