/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Attestation certificates: the x5c array of an attestation statement,
 * the requirements of WebAuthn L3 8.2.1 on a packed attestation
 * certificate, and whether a certificate's key fits a COSE algorithm.
 */
#include <string.h>

#include <apr_strings.h>
#include <cbor.h>
#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "stepup_aaguid.h"
#include "webauthn_internal.h"

/* id-fido-gen-ce-aaguid */
#define OID_FIDO_GEN_CE_AAGUID "1.3.6.1.4.1.45724.1.1.4"

static apr_status_t x509_cleanup(void *data)
{
    X509_free(data);
    return APR_SUCCESS;
}

static apr_status_t stack_cleanup(void *data)
{
    sk_X509_pop_free(data, X509_free);
    return APR_SUCCESS;
}

X509 *stepup_x5c_der_cert(const unsigned char *der, size_t len)
{
    const unsigned char *q = der;
    X509 *x;

    if (len == 0 || len > 65536)
        return NULL;
    x = d2i_X509(NULL, &q, (long)len);
    if (x && q != der + len) {   /* bytes after the certificate */
        X509_free(x);
        x = NULL;
    }
    return x;
}

STACK_OF(X509) *stepup_x5c_stack(apr_pool_t *p)
{
    STACK_OF(X509) *sk = sk_X509_new_null();

    if (sk)
        apr_pool_cleanup_register(p, sk, stack_cleanup,
                                  apr_pool_cleanup_null);
    return sk;
}

int stepup_x5c_chain_add(apr_pool_t *p, X509 *x, X509 **leaf,
                         STACK_OF(X509) *rest, const char **why)
{
    if (!*leaf) {
        apr_pool_cleanup_register(p, x, x509_cleanup, apr_pool_cleanup_null);
        *leaf = x;
        return 0;
    }
    if (!sk_X509_push(rest, x)) {
        X509_free(x);
        return stepup_wa_fail(why, "out of memory (OpenSSL)");
    }
    return 0;
}

int stepup_x5c_parse(apr_pool_t *p, const cbor_item_t *x5c, X509 **leaf,
                     STACK_OF(X509) **rest, const char **why)
{
    cbor_item_t **certs;
    const unsigned char *der;
    STACK_OF(X509) *sk;
    size_t i, n, len;
    X509 *x;

    *leaf = NULL;
    *rest = NULL;
    if (!cbor_isa_array(x5c))
        return stepup_wa_fail(why, "x5c is not an array");
    n = cbor_array_size(x5c);
    if (n == 0)
        return stepup_wa_fail(why, "x5c is empty");
    if (n > STEPUP_WEBAUTHN_X5C_MAX)
        return stepup_wa_fail(why, apr_psprintf(p, "x5c holds %"
                                                APR_SIZE_T_FMT " certificates,"
                                                " at most %d accepted", n,
                                                STEPUP_WEBAUTHN_X5C_MAX));
    if (!(sk = stepup_x5c_stack(p)))
        return stepup_wa_fail(why, "out of memory (OpenSSL)");
    certs = cbor_array_handle(x5c);
    for (i = 0; i < n; i++) {
        if (stepup_cbor_bytes(certs[i], &der, &len) != 0)
            return stepup_wa_fail(why, apr_psprintf(p, "x5c[%" APR_SIZE_T_FMT
                                                    "] is not a byte string",
                                                    i));
        if (!(x = stepup_x5c_der_cert(der, len))) {
            ERR_clear_error();
            return stepup_wa_fail(why, apr_psprintf(p, "x5c[%" APR_SIZE_T_FMT
                                                    "] is not one DER X.509 "
                                                    "certificate", i));
        }
        if (stepup_x5c_chain_add(p, x, leaf, sk, why) != 0)
            return -1;
    }
    *rest = sk;
    return 0;
}

EVP_PKEY *stepup_x5c_pubkey(X509 *leaf)
{
    return X509_get0_pubkey(leaf);
}

/* 1 when the subject has an entry nid (with value want when not NULL). */
static int subject_has(const X509_NAME *name, int nid, const char *want)
{
    int i = -1;

    while ((i = X509_NAME_get_index_by_NID(name, nid, i)) >= 0) {
        const ASN1_STRING *s =
            X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
        if (!want)
            return ASN1_STRING_length(s) > 0;
        if ((size_t)ASN1_STRING_length(s) == strlen(want)
            && memcmp(ASN1_STRING_get0_data(s), want, strlen(want)) == 0)
            return 1;
    }
    return 0;
}

int stepup_x5c_extension(apr_pool_t *p, X509 *cert, const char *oid_text,
                         const unsigned char **der, size_t *len,
                         int *critical, const char **why)
{
    ASN1_OBJECT *oid = OBJ_txt2obj(oid_text, 1);
    const ASN1_OCTET_STRING *value;
    X509_EXTENSION *ext;
    int idx;

    if (!oid)
        return stepup_wa_fail(why, "out of memory (OpenSSL)");
    idx = X509_get_ext_by_OBJ(cert, oid, -1);
    if (idx >= 0 && X509_get_ext_by_OBJ(cert, oid, idx) >= 0) {
        ASN1_OBJECT_free(oid);
        return stepup_wa_fail(why, apr_psprintf(p, "the certificate has the "
                                                "extension %s twice",
                                                oid_text));
    }
    ASN1_OBJECT_free(oid);
    if (idx < 0)
        return 1;
    ext = X509_get_ext(cert, idx);
    value = X509_EXTENSION_get_data(ext);
    *der = ASN1_STRING_get0_data(value);
    *len = (size_t)ASN1_STRING_length(value);
    if (critical)
        *critical = X509_EXTENSION_get_critical(ext) ? 1 : 0;
    return 0;
}

/* The id-fido-gen-ce-aaguid extension: absent (0), equal (0), or a
 * reason. refuse_critical: packed (8.2.1) says it must not be critical;
 * tpm (8.3.1) says nothing of it. */
static int aaguid_extension(apr_pool_t *p, X509 *leaf,
                            const unsigned char aaguid[16],
                            int refuse_critical, const char **why)
{
    ASN1_OBJECT *oid = OBJ_txt2obj(OID_FIDO_GEN_CE_AAGUID, 1);
    const ASN1_OCTET_STRING *outer;
    ASN1_OCTET_STRING *inner = NULL;
    const unsigned char *q;
    X509_EXTENSION *ext;
    int idx, rc = -1;

    if (!oid)
        return stepup_wa_fail(why, "out of memory (OpenSSL)");
    idx = X509_get_ext_by_OBJ(leaf, oid, -1);
    if (idx < 0) {
        rc = 0;
        goto done;
    }
    if (X509_get_ext_by_OBJ(leaf, oid, idx) >= 0) {
        stepup_wa_fail(why, "attestation certificate has the AAGUID "
                       "extension twice");
        goto done;
    }
    ext = X509_get_ext(leaf, idx);
    if (refuse_critical && X509_EXTENSION_get_critical(ext)) {
        stepup_wa_fail(why, "attestation certificate AAGUID extension is "
                       "marked critical");
        goto done;
    }
    outer = X509_EXTENSION_get_data(ext);
    q = ASN1_STRING_get0_data(outer);
    inner = d2i_ASN1_OCTET_STRING(NULL, &q, ASN1_STRING_length(outer));
    if (!inner || q != ASN1_STRING_get0_data(outer)
        + ASN1_STRING_length(outer) || ASN1_STRING_length(inner) != 16) {
        stepup_wa_fail(why, "attestation certificate AAGUID extension is not "
                       "an OCTET STRING of 16 bytes");
        goto done;
    }
    if (memcmp(ASN1_STRING_get0_data(inner), aaguid, 16) != 0) {
        stepup_wa_fail(why, apr_psprintf(p, "attestation certificate AAGUID "
                                         "%s is not the authenticatorData "
                                         "AAGUID %s",
                                         stepup_aaguid_hex(
                                             p, ASN1_STRING_get0_data(inner)),
                                         stepup_aaguid_hex(
                                             p, aaguid)));
        goto done;
    }
    rc = 0;
done:
    ASN1_OCTET_STRING_free(inner);
    ASN1_OBJECT_free(oid);
    ERR_clear_error();
    return rc;
}

int stepup_x5c_packed_leaf_check(apr_pool_t *p, X509 *leaf,
                                 const unsigned char aaguid[16],
                                 const char **why)
{
    const X509_NAME *subject = X509_get_subject_name(leaf);
    uint32_t flags;

    if (X509_get_version(leaf) != X509_VERSION_3)
        return stepup_wa_fail(why, "attestation certificate is not X.509 "
                              "version 3");
    if (!subject_has(subject, NID_countryName, NULL)
        || !subject_has(subject, NID_organizationName, NULL)
        || !subject_has(subject, NID_commonName, NULL))
        return stepup_wa_fail(why, "attestation certificate subject lacks C, "
                              "O or CN");
    if (!subject_has(subject, NID_organizationalUnitName,
                     "Authenticator Attestation"))
        return stepup_wa_fail(why, "attestation certificate subject OU is not "
                              "\"Authenticator Attestation\"");
    flags = X509_get_extension_flags(leaf);
    if (flags & EXFLAG_INVALID) {
        ERR_clear_error();
        return stepup_wa_fail(why, "attestation certificate has malformed "
                              "extensions");
    }
    if (flags & EXFLAG_CA)
        return stepup_wa_fail(why, "attestation certificate is a CA "
                              "(basicConstraints CA:TRUE)");
    return aaguid_extension(p, leaf, aaguid, 1, why);
}

int stepup_x5c_aaguid_check(apr_pool_t *p, X509 *leaf,
                            const unsigned char aaguid[16],
                            int refuse_critical, const char **why)
{
    return aaguid_extension(p, leaf, aaguid, refuse_critical, why);
}

int stepup_x5c_key_fits(apr_pool_t *p, EVP_PKEY *pkey, int alg,
                        const char **why)
{
    char group[32];
    size_t glen = 0;

    if (!pkey)
        return stepup_wa_fail(why, "attestation certificate public key "
                              "cannot be read");
    switch (alg) {
    case STEPUP_COSE_ES256:
        if (EVP_PKEY_is_a(pkey, "EC")
            && EVP_PKEY_get_group_name(pkey, group, sizeof(group), &glen) == 1
            && (!strcmp(group, "prime256v1") || !strcmp(group, "P-256")))
            return 0;
        break;
    case STEPUP_COSE_RS256:
        if (EVP_PKEY_is_a(pkey, "RSA")
            && EVP_PKEY_get_bits(pkey) >= STEPUP_WEBAUTHN_RSA_MIN_BITS)
            return 0;
        break;
    case STEPUP_COSE_EDDSA:
        if (EVP_PKEY_is_a(pkey, "ED25519"))
            return 0;
        break;
    default:
        return stepup_wa_fail(why, apr_psprintf(p, "attestation alg %d is not "
                                                "supported: ES256 (-7), RS256 "
                                                "(-257) or EdDSA (-8) only",
                                                alg));
    }
    ERR_clear_error();
    return stepup_wa_fail(why, apr_psprintf(p, "attestation certificate key "
                                            "does not fit alg %d (%s)", alg,
                                            stepup_cose_alg_name(p, alg)));
}
