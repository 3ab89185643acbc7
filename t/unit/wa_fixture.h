/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * WebAuthn test vectors made at test time (the unit tests of the WebAuthn
 * core, test_webauthn*.c): keys generated with OpenSSL, COSE keys,
 * attestation statements and objects built with libcbor, authenticator
 * data and clientDataJSON assembled byte by byte, certificates (a test CA
 * and attestation leaves) made with OpenSSL's X509 API, signatures with
 * EVP_DigestSign. Nothing here calls the code under test, so a test that
 * compares the core with these builds checks it against an independent
 * construction.
 */
#ifndef WA_FIXTURE_H
#define WA_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <apr_pools.h>
#include <cbor.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "webauthn_internal.h"

#define WA_RP_ID   "example.com"
#define WA_ORIGIN  "https://example.com"

/* ---- keys (generated once per process, freed by wa_fixture_free) ---- */

typedef enum {
    WA_KEY_ES256,          /* the credential keys */
    WA_KEY_ES256_OTHER,
    WA_KEY_RS256,          /* 2048 bits */
    WA_KEY_EDDSA,
    WA_KEY_RSA1024,
    WA_KEY_ATTEST,         /* P-256: attestation leaf */
    WA_KEY_ATTEST_RSA,     /* RSA 2048: attestation leaf */
    WA_KEY_CA,             /* P-256: the test CA */
    WA_KEY_CA_OTHER,       /* P-256: another CA */
    WA_KEY_COUNT
} wa_key_id;

typedef struct {
    EVP_PKEY *pkey;
    int alg;                      /* COSE alg of the key */
    unsigned char *cose;          /* canonical COSE_Key */
    size_t cose_len;
    unsigned char point[65];      /* EC: 0x04 || x || y */
} wa_key;

const wa_key *wa_key_get(wa_key_id id);

/* Frees the keys and certificates made so far (group teardown). */
void wa_fixture_free(void);

/* ---- CBOR (libcbor) ---- */

cbor_item_t *wa_cbor_int(int64_t v);
cbor_item_t *wa_cbor_bytes(const void *b, size_t len);
cbor_item_t *wa_cbor_text(const char *s);
/* A definite map of n pairs: key, value, key, value... (moved in). */
cbor_item_t *wa_cbor_map(size_t n, ...);
/* A definite array of n items (moved in). */
cbor_item_t *wa_cbor_array(size_t n, ...);
/* Serializes item into the pool and releases it. */
unsigned char *wa_cbor_encode(apr_pool_t *p, cbor_item_t *item, size_t *len);

/* A COSE_Key map of n (integer label, item) pairs, encoded. */
unsigned char *wa_cose_map(apr_pool_t *p, size_t *len, size_t n, ...);

/* ---- bytes ---- */

/* a[0..alen) || b[0..blen), from the pool. */
unsigned char *wa_concat(apr_pool_t *p, const void *a, size_t alen,
                         const void *b, size_t blen);
void wa_sha256(const void *data, size_t len, unsigned char out[32]);
/* Unpadded base64url (OpenSSL's encoder, not the core's). */
char *wa_b64url(apr_pool_t *p, const void *data, size_t len);

/* ---- signatures (EVP_DigestSign: ES256 DER, RS256 PKCS#1, Ed25519) ---- */

unsigned char *wa_sign(apr_pool_t *p, EVP_PKEY *key, const void *msg,
                       size_t len, size_t *siglen);

/* ---- certificates ---- */

typedef struct {
    const char *c, *o, *ou, *cn;      /* subject; NULL: omitted */
    int is_ca;                        /* basicConstraints CA:TRUE */
    const unsigned char *aaguid;      /* id-fido-gen-ce-aaguid value */
    int aaguid_critical;
    int version1;                     /* make an X.509 v1 certificate */
} wa_cert_spec;

/* A certificate for key, signed by issuer_key under issuer's name
 * (issuer NULL: self-signed); freed by wa_fixture_free. */
X509 *wa_cert(EVP_PKEY *key, const wa_cert_spec *spec, X509 *issuer,
              EVP_PKEY *issuer_key);
/* The test CA (WA_KEY_CA) and another CA (WA_KEY_CA_OTHER). */
X509 *wa_ca(void);
X509 *wa_ca_other(void);
/* A leaf meeting 8.2.1 for WA_KEY_ATTEST, issued by wa_ca(), with the
 * AAGUID extension equal to aaguid (NULL: no extension). */
X509 *wa_leaf(const unsigned char *aaguid);
unsigned char *wa_der(apr_pool_t *p, X509 *x, size_t *len);
char *wa_pem(apr_pool_t *p, X509 *x);

/* ---- ceremonies ---- */

extern const unsigned char wa_aaguid[16];
extern const unsigned char wa_challenge[32];

/* The default policy: WA_RP_ID, WA_ORIGIN, wa_challenge, no UV, no
 * cross-origin, no roots. */
void wa_policy(stepup_webauthn_policy *pol);

/* {"type":T,"challenge":b64url(C),"origin":O,"crossOrigin":false<extra>} */
char *wa_client_data(apr_pool_t *p, const char *type, const void *challenge,
                     size_t challenge_len, const char *origin,
                     const char *extra);

/* authenticatorData; cred_id/cose NULL: no attested credential data
 * (whatever the flags say); ext NULL: no extensions. */
unsigned char *wa_auth_data(apr_pool_t *p, const char *rp_id,
                            unsigned char flags, uint32_t sign_count,
                            const unsigned char *aaguid,
                            const unsigned char *cred_id, size_t cred_id_len,
                            const unsigned char *cose, size_t cose_len,
                            const unsigned char *ext, size_t ext_len,
                            size_t *len);

/* attestationObject {fmt, attStmt, authData} (stmt moved in). */
unsigned char *wa_att_object(apr_pool_t *p, const char *fmt,
                             cbor_item_t *stmt, const unsigned char *auth_data,
                             size_t auth_data_len, size_t *len);

typedef enum {
    WA_FMT_NONE,
    WA_FMT_PACKED_SELF,
    WA_FMT_PACKED_X5C,
    WA_FMT_FIDO_U2F
} wa_fmt;

/* A registration: set the inputs (wa_reg_init gives the defaults), call
 * wa_reg_build, use resp (and the intermediate bytes). */
typedef struct {
    /* inputs */
    wa_key_id key;
    wa_fmt fmt;
    unsigned char flags;              /* default UP | UV | AT */
    uint32_t sign_count;
    const char *rp_id;
    const char *client_data;          /* NULL: the default one */
    unsigned char aaguid[16];
    unsigned char cred_id[64];
    size_t cred_id_len;
    const unsigned char *cose;        /* NULL: the key's COSE */
    size_t cose_len;
    int att_alg;                      /* packed attStmt alg; 0: natural */
    wa_key_id att_key;                /* x5c leaf key (WA_KEY_ATTEST) */
    X509 *leaf;                       /* NULL: wa_leaf(aaguid) */
    int x5c_with_ca;                  /* append the CA to x5c */
    int corrupt_sig;                  /* flip a bit of the signature */
    /* outputs */
    const char *client_data_out;
    unsigned char *auth_data;
    size_t auth_data_len;
    unsigned char *att_obj;
    size_t att_obj_len;
    stepup_webauthn_response resp;
} wa_reg;

void wa_reg_init(wa_reg *r, wa_key_id key, wa_fmt fmt);
void wa_reg_build(apr_pool_t *p, wa_reg *r);

/* An assertion by the same conventions. */
typedef struct {
    wa_key_id key;
    unsigned char flags;              /* default UP */
    uint32_t sign_count;
    const char *rp_id;
    const char *client_data;          /* NULL: the default webauthn.get */
    const unsigned char *ext;         /* extensions (set the ED flag) */
    size_t ext_len;
    const unsigned char *trailing;    /* bytes appended, unsigned */
    size_t trailing_len;
    /* outputs */
    unsigned char *auth_data;
    size_t auth_data_len;
    stepup_webauthn_response resp;
} wa_auth;

void wa_auth_init(wa_auth *a, wa_key_id key);
void wa_auth_build(apr_pool_t *p, wa_auth *a);

/* The standard response JSON of resp (base64url unpadded). */
char *wa_registration_json(apr_pool_t *p, const stepup_webauthn_response *r);
char *wa_authentication_json(apr_pool_t *p,
                             const stepup_webauthn_response *r);

/* ---- assertions ---- */

/* rc is -1 and why equals want exactly. */
#define assert_refused(rc, why, want) do {                                  \
        int rc_ = (rc);                                                     \
        const char *why_ = (why);                                           \
        if (rc_ != -1 || !why_ || strcmp(why_, (want)) != 0)                \
            fail_msg("expected refusal \"%s\", got rc %d, \"%s\"", (want),  \
                     rc_, why_ ? why_ : "(null)");                          \
    } while (0)

/* rc is -1 and why starts with prefix. */
#define assert_refused_prefix(rc, why, prefix) do {                         \
        int rc_ = (rc);                                                     \
        const char *why_ = (why);                                           \
        if (rc_ != -1 || !why_                                              \
            || strncmp(why_, (prefix), strlen(prefix)) != 0)                \
            fail_msg("expected refusal \"%s...\", got rc %d, \"%s\"",       \
                     (prefix), rc_, why_ ? why_ : "(null)");                \
    } while (0)

#define assert_accepted(rc, why) do {                                       \
        int rc_ = (rc);                                                     \
        if (rc_ != 0)                                                       \
            fail_msg("refused: %s", (why) ? (why) : "(null)");              \
    } while (0)

#endif
