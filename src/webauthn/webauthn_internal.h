/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The building blocks of the WebAuthn core (src/webauthn/), one concern at
 * a time: CBOR items, clientDataJSON, authenticator data, COSE keys,
 * attestation statements, X.509 chains and TPM structures. Private to the
 * WebAuthn sources, the unit tests (t/unit) and the fuzzers (fuzz/), which
 * include it by its directory; the module and stepupctl use only
 * stepup_webauthn.h. The conventions of stepup_webauthn.h hold: 0 or -1
 * with a one-line reason in *why, everything from the pool given.
 */
#ifndef STEPUP_WEBAUTHN_INTERNAL_H
#define STEPUP_WEBAUTHN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>

#include "stepup_sha256.h"
#include "stepup_webauthn.h"

/* Foreign types, so that this header needs neither libcbor nor OpenSSL. */
struct cbor_item_t;
struct evp_pkey_st;
struct x509_st;
struct stack_st_X509;

/* ---- util.c ---- */

/* s[0..len) fit for a one-line reason: control and non-ASCII bytes as '?',
 * cut to max bytes with "..." appended. */
const char *stepup_wa_printable(apr_pool_t *p, const char *s, size_t len,
                                size_t max);

/* *why = reason (when why is not NULL); returns -1. */
int stepup_wa_fail(const char **why, const char *reason);

/* Prefixes the reason in *why (when there is one) with pre, as in
 * "packed: " + reason; returns -1, for "return stepup_wa_prefix(...)". */
int stepup_wa_prefix(apr_pool_t *p, const char **why, const char *pre);

/* "ES256", "RS256", "EdDSA", or "alg N" (from p) for any other. */
const char *stepup_cose_alg_name(apr_pool_t *p, int alg);

/* ---- cbor.c: one CBOR item, bounded ---- */

/* Decodes the one CBOR item at the start of buf[0..len) with libcbor.
 * Before cbor_load builds anything, the item is walked with libcbor's
 * streaming decoder: nesting deeper than STEPUP_WEBAUTHN_CBOR_DEPTH, a
 * collection announcing more entries than bytes remain, an unexpected
 * "break" and truncation are refused, so no input can make libcbor
 * allocate more than the input's size or recurse deeply. *used is the
 * item's length; with whole set, bytes after the item are refused. what
 * names the item in reasons ("COSE key"). The item is released when p is
 * cleared (or earlier by the caller with stepup_cbor_release). */
int stepup_cbor_load(apr_pool_t *p, const unsigned char *buf, size_t len,
                     int whole, const char *what,
                     struct cbor_item_t **item, size_t *used,
                     const char **why);

/* Releases an item from stepup_cbor_load now (runs its pool cleanup). */
void stepup_cbor_release(apr_pool_t *p, struct cbor_item_t *item);

/* The length of the one well-formed CBOR item at buf[0..len), with the
 * same limits as stepup_cbor_load, without building it. */
int stepup_cbor_item_length(apr_pool_t *p, const unsigned char *buf,
                            size_t len, const char *what, size_t *used,
                            const char **why);

/* Calls fn for each (key, value) of a map item, in order; stops at the
 * first non-zero return, which it returns. */
typedef int (*stepup_cbor_map_fn)(apr_pool_t *p,
                                  const struct cbor_item_t *key,
                                  const struct cbor_item_t *val, void *arg,
                                  const char **why);
int stepup_cbor_map_walk(apr_pool_t *p, const struct cbor_item_t *map,
                         const char *what, stepup_cbor_map_fn fn, void *arg,
                         const char **why);

/* An integer item (unsigned or negative) that fits in int64_t. */
int stepup_cbor_int(const struct cbor_item_t *item, int64_t *out);
/* A definite byte string / text string item: pointer into the item. */
int stepup_cbor_bytes(const struct cbor_item_t *item,
                      const unsigned char **out, size_t *len);
int stepup_cbor_text(const struct cbor_item_t *item, const char **out,
                     size_t *len);
/* 1 when item is the text string s. */
int stepup_cbor_text_is(const struct cbor_item_t *item, const char *s);

/* ---- clientdata.c: CollectedClientData ---- */

/* Checks clientDataJSON cdj[0..len) for a ceremony of type
 * ("webauthn.create" or "webauthn.get") against pol: type, challenge
 * (compared as bytes; padded or unpadded base64url), origin (exact, any of
 * pol->origins), crossOrigin (true refused unless pol->allow_cross_origin),
 * topOrigin (only with crossOrigin true), and the legacy tokenBinding (a
 * string is ignored; an object needs status "present" or "supported").
 * Unknown members are ignored. */
int stepup_clientdata_check(apr_pool_t *p, const stepup_webauthn_policy *pol,
                            const char *type, const unsigned char *cdj,
                            size_t len, const char **why);

/* ---- authdata.c: authenticator data ---- */

typedef struct {
    const unsigned char *rp_id_hash;          /* 32 bytes */
    unsigned char flags;
    uint32_t sign_count;
    /* attested credential data: only with the AT flag */
    const unsigned char *aaguid;              /* 16 bytes, or NULL */
    const unsigned char *credential_id; size_t credential_id_len;
    const unsigned char *public_key; size_t public_key_len; /* one item */
    /* extensions: only with the ED flag */
    const unsigned char *extensions; size_t extensions_len;  /* one map */
} stepup_authdata;

/* Splits authenticatorData buf[0..len) (pointers into buf): at least 37
 * bytes; with AT the attested credential data (credentialIdLength 1 to
 * 1023, the COSE key's end found by decoding one CBOR item); with ED one
 * CBOR map; nothing may follow. */
int stepup_authdata_parse(apr_pool_t *p, const unsigned char *buf, size_t len,
                          stepup_authdata *out, const char **why);

/* rpIdHash = SHA-256(pol->rp_id), UP set, UV set when pol->require_uv, BS
 * not set without BE. */
int stepup_authdata_check(const stepup_authdata *ad,
                          const stepup_webauthn_policy *pol,
                          const char **why);

/* ---- cose.c, es256.c, rs256.c, eddsa.c: credential public keys ---- */

typedef struct {
    int alg;                          /* STEPUP_COSE_* */
    int kty;                          /* 1 OKP, 2 EC2, 3 RSA */
    struct evp_pkey_st *pkey;         /* freed when the pool is cleared;
                                         NULL for an ES256 key decoded with
                                         STEPUP_COSE_CHECK_STORED */
    unsigned char point[65];          /* ES256: 0x04 || x || y */
} stepup_cose_key;

/* How hard an imported key is checked. */
#define STEPUP_COSE_CHECK_FULL   1   /* a key offered for registration:
                                        EVP_PKEY_fromdata +
                                        EVP_PKEY_public_check */
#define STEPUP_COSE_CHECK_STORED 0   /* a key stored at registration: an
                                        ES256 point is imported when
                                        stepup_cose_verify uses it, which
                                        still refuses a point off the
                                        curve */

/* stepup_cose_verify's answer when the key itself is refused (rather
 * than the signature). */
#define STEPUP_COSE_BAD_KEY (-2)

/* Decodes the COSE_Key buf[0..len) (one CBOR map, nothing after it):
 * kty (1), alg (3) and the parameters of ES256 (kty 2, crv 1, 32-byte x
 * and y), RS256 (kty 3, n of 2048 to 16384 bits, odd e > 1 of at most 64
 * bits) or EdDSA (kty 1, crv 6 Ed25519, 32-byte x). Anything else is
 * refused with a reason naming it. */
int stepup_cose_key_decode(apr_pool_t *p, const unsigned char *buf,
                           size_t len, int check, stepup_cose_key **out,
                           const char **why);

/* Verifies sig over msg with a decoded key: 0, -1 when the signature does
 * not verify, STEPUP_COSE_BAD_KEY when a stored ES256 point is not on
 * P-256. */
int stepup_cose_verify(const stepup_cose_key *key, const unsigned char *msg,
                       size_t msglen, const unsigned char *sig,
                       size_t siglen, const char **why);

/* Per key type (the parameters as CBOR items, NULL when absent). */
int stepup_es256_from_cose(apr_pool_t *p, const struct cbor_item_t *crv,
                           const struct cbor_item_t *x,
                           const struct cbor_item_t *y, int check,
                           stepup_cose_key *key, const char **why);
int stepup_rs256_from_cose(apr_pool_t *p, const struct cbor_item_t *n,
                           const struct cbor_item_t *e, stepup_cose_key *key,
                           const char **why);
int stepup_eddsa_from_cose(apr_pool_t *p, const struct cbor_item_t *crv,
                           const struct cbor_item_t *x, stepup_cose_key *key,
                           const char **why);
/* The P-256 public key 0x04 || x || y as an EVP_PKEY, fully checked
 * (freed with p). */
int stepup_es256_pkey(apr_pool_t *p, const unsigned char point[65],
                      struct evp_pkey_st **out, const char **why);
/* Verifies an ES256 signature with the point imported into this thread's
 * P-256 key (as stepup_cose_verify). */
int stepup_es256_verify_point(const unsigned char point[65],
                              const unsigned char *msg, size_t msglen,
                              const unsigned char *sig, size_t siglen,
                              const char **why);

/* ---- sig.c: below the key types and the formats ---- */

/* Verifies sig over msg with pkey as COSE algorithm alg (ES256: DER
 * ECDSA P-256 with SHA-256; RS256: RSASSA-PKCS1-v1_5 with SHA-256; EdDSA:
 * Ed25519 over msg itself). That the key's type fits alg is the caller's
 * to know (stepup_cose_key_decode makes them so; stepup_x5c_key_fits
 * checks a certificate's key). */
int stepup_sig_verify(struct evp_pkey_st *pkey, int alg,
                      const unsigned char *msg, size_t msglen,
                      const unsigned char *sig, size_t siglen,
                      const char **why);

/* Ties an EVP_PKEY to the pool (EVP_PKEY_free when it is cleared). */
void stepup_wa_pkey_to_pool(apr_pool_t *p, struct evp_pkey_st *pkey);

/* ---- attestation.c, packed.c, fido_u2f.c, x5c.c ---- */

typedef struct {
    const char *fmt;                          /* from the pool */
    /* auth_data and att_stmt point into the decoded object (libcbor
     * copies byte strings), not into buf: valid until p is cleared */
    const unsigned char *auth_data; size_t auth_data_len;
    const struct cbor_item_t *att_stmt;       /* a map */
} stepup_attestation;

/* Decodes the attestation object buf[0..len): one CBOR map with text keys
 * "fmt" (text), "attStmt" (map) and "authData" (bytes), each once,
 * nothing after it. */
int stepup_attestation_parse(apr_pool_t *p, const unsigned char *buf,
                             size_t len, stepup_attestation *out,
                             const char **why);

/* What an attestation statement is checked against. */
typedef struct {
    const stepup_attestation *att;
    const stepup_authdata *ad;                /* parsed att->auth_data */
    const stepup_cose_key *cred;              /* the credential key */
    const unsigned char *client_data_hash;    /* 32 bytes */
    const stepup_trust_store *roots;          /* may be NULL */
    int64_t verify_time;                      /* 0: now */
    /* results */
    int trusted;
    const char *type;                         /* "none", "self", "basic",
                                                 "attca", "anonca" */
    int key_security;                         /* STEPUP_KEY_SECURITY_* */
    const char *untrusted_why;                /* set when !trusted */
} stepup_attestation_ctx;

/* Dispatches on att->fmt: none, packed, fido-u2f, tpm, android-key, apple,
 * android-safetynet; other formats refused. */
int stepup_attestation_verify(apr_pool_t *p, stepup_attestation_ctx *ctx,
                              const char **why);
int stepup_att_none(apr_pool_t *p, stepup_attestation_ctx *ctx,
                    const char **why);
int stepup_att_packed(apr_pool_t *p, stepup_attestation_ctx *ctx,
                      const char **why);
int stepup_att_fido_u2f(apr_pool_t *p, stepup_attestation_ctx *ctx,
                        const char **why);
int stepup_att_tpm(apr_pool_t *p, stepup_attestation_ctx *ctx,
                   const char **why);
int stepup_att_android_key(apr_pool_t *p, stepup_attestation_ctx *ctx,
                           const char **why);
int stepup_att_apple(apr_pool_t *p, stepup_attestation_ctx *ctx,
                     const char **why);
int stepup_att_android_safetynet(apr_pool_t *p, stepup_attestation_ctx *ctx,
                                 const char **why);

/* ---- statement.c: what the formats share, below them ---- */

/* The "alg", "sig" and "x5c" members of an attStmt map (packed,
 * android-key), each at most once; other text keys are ignored, a key
 * that is not text is refused. */
typedef struct {
    const char *what;                       /* "packed attStmt": names the
                                               map in reasons */
    const char *refused_key;                /* a member refused at sight */
    const char *refused_why;                /* (NULL: none), and why */
    const struct cbor_item_t *alg, *sig, *x5c;   /* NULL when absent */
} stepup_att_fields;
int stepup_att_fields_read(apr_pool_t *p, const struct cbor_item_t *att_stmt,
                           stepup_att_fields *f, const char **why);

/* The trust step every x5c format shares (WebAuthn L3 7.1 step 22): with
 * ctx->roots, the chain from leaf (with the untrusted rest) must reach one
 * of them at ctx->verify_time, else it is refused; without roots trust is
 * not evaluated. Sets ctx->trusted. The one place to change what an
 * unreached root means. */
int stepup_att_chain(apr_pool_t *p, stepup_attestation_ctx *ctx,
                     struct x509_st *leaf, struct stack_st_X509 *rest,
                     const char **why);

/* authenticatorData || clientDataHash (what most formats sign), from p. */
unsigned char *stepup_att_signed_data(apr_pool_t *p,
                                      const stepup_attestation_ctx *ctx,
                                      size_t *len);

/* ---- tpm.c: TPM 2.0 structures (TPM 2.0 Library, Part 2) ---- */

/* TPMT_PUBLIC, as much of it as WebAuthn needs (pointers into the
 * buffer). */
typedef struct {
    unsigned type;                            /* 0x0001 RSA, 0x0023 ECC */
    unsigned name_alg;                        /* TPM_ALG_ID */
    uint32_t object_attributes;
    /* RSA */
    unsigned rsa_key_bits;
    uint32_t rsa_exponent;                    /* as stored: 0 means 65537 */
    const unsigned char *rsa_modulus; size_t rsa_modulus_len;
    /* ECC */
    unsigned ecc_curve;                       /* TPM_ECC_CURVE */
    const unsigned char *ecc_x; size_t ecc_x_len;
    const unsigned char *ecc_y; size_t ecc_y_len;
} stepup_tpm_public;

/* TPMS_ATTEST of type TPM_ST_ATTEST_CERTIFY. */
typedef struct {
    uint32_t magic;                           /* TPM_GENERATED_VALUE */
    unsigned type;                            /* TPM_ST_ATTEST_CERTIFY */
    const unsigned char *extra_data; size_t extra_data_len;
    const unsigned char *name; size_t name_len;   /* attested name */
} stepup_tpm_attest;

/* Bounded readers: every size field is checked against what remains, the
 * unions are read as their selector says, nothing may follow the
 * structure; unknown selectors are refused with a reason. */
int stepup_tpm_public_parse(apr_pool_t *p, const unsigned char *buf,
                            size_t len, stepup_tpm_public *out,
                            const char **why);
int stepup_tpm_attest_parse(apr_pool_t *p, const unsigned char *buf,
                            size_t len, stepup_tpm_attest *out,
                            const char **why);

/* ---- android_key.c, apple.c: certificate extensions (OpenSSL ASN.1
 * templates) ---- */

/* The Android key description (1.3.6.1.4.1.11129.2.1.17), what WebAuthn
 * needs of it. */
typedef struct {
    long attestation_security_level;          /* 0 software, 1 TEE,
                                                 2 StrongBox */
    const unsigned char *challenge; size_t challenge_len;
    int all_applications;                     /* in either list */
    int sw_origin, tee_origin;                /* -1 when absent */
    int sw_purpose_sign, tee_purpose_sign;    /* KM_PURPOSE_SIGN listed */
} stepup_android_key_description;

/* Decodes der[0..len) (the extension's value) whole. */
int stepup_android_key_description_decode(apr_pool_t *p,
                                          const unsigned char *der,
                                          size_t len,
                                          stepup_android_key_description *out,
                                          const char **why);

/* The Apple anonymous attestation nonce extension (1.2.840.113635.100.8.2):
 * SEQUENCE { [1] EXPLICIT OCTET STRING (32 bytes) }, decoded whole. */
int stepup_apple_nonce_decode(apr_pool_t *p, const unsigned char *der,
                              size_t len, unsigned char nonce[32],
                              const char **why);

/* The DER value of the one extension oid (dotted) of cert: 0 and *der set
 * (into the certificate), 1 when absent, -1 with a reason when it is
 * there twice. */
int stepup_x5c_extension(apr_pool_t *p, struct x509_st *cert,
                         const char *oid, const unsigned char **der,
                         size_t *len, int *critical, const char **why);

/* x5c: an array of 1 to STEPUP_WEBAUTHN_X5C_MAX DER certificates (each
 * one exactly one certificate). *leaf is x5c[0]; *rest holds the others
 * (possibly none). All freed when p is cleared. */
int stepup_x5c_parse(apr_pool_t *p, const struct cbor_item_t *x5c,
                     struct x509_st **leaf, struct stack_st_X509 **rest,
                     const char **why);

/* WebAuthn L3 8.2.1 for a packed attestation certificate: version 3,
 * subject with C, O, OU "Authenticator Attestation" and CN, not a CA, and
 * the id-fido-gen-ce-aaguid extension (1.3.6.1.4.1.45724.1.1.4), when
 * present, not critical and equal to aaguid. */
int stepup_x5c_packed_leaf_check(apr_pool_t *p, struct x509_st *leaf,
                                 const unsigned char aaguid[16],
                                 const char **why);

/* The id-fido-gen-ce-aaguid extension of leaf, when present, equals
 * aaguid (and, with refuse_critical, is not critical). */
int stepup_x5c_aaguid_check(apr_pool_t *p, struct x509_st *leaf,
                            const unsigned char aaguid[16],
                            int refuse_critical, const char **why);

/* The one DER certificate der[0..len) (1 to 65536 bytes, nothing after
 * it), or NULL; the caller frees it. */
struct x509_st *stepup_x5c_der_cert(const unsigned char *der, size_t len);

/* An empty certificate stack freed with p (with what it holds), or NULL
 * when out of memory. */
struct stack_st_X509 *stepup_x5c_stack(apr_pool_t *p);

/* Adds x to a chain, taking it over: it becomes *leaf when that is still
 * NULL, else it is pushed onto rest (from stepup_x5c_stack). */
int stepup_x5c_chain_add(apr_pool_t *p, struct x509_st *x,
                         struct x509_st **leaf, struct stack_st_X509 *rest,
                         const char **why);

/* The leaf's public key (owned by the certificate: do not free). */
struct evp_pkey_st *stepup_x5c_pubkey(struct x509_st *leaf);

/* 0 when pkey can verify alg: ES256 an EC P-256 key, RS256 an RSA key of
 * at least 2048 bits, EdDSA an Ed25519 key. */
int stepup_x5c_key_fits(apr_pool_t *p, struct evp_pkey_st *pkey, int alg,
                        const char **why);

/* ---- trust.c ---- */

/* The same as stepup_trust_load from PEM text in memory. */
int stepup_trust_load_pem(apr_pool_t *p, const char *pem, size_t len,
                          stepup_trust_store **out, const char **why);

/* Number of certificates loaded. */
int stepup_trust_count(const stepup_trust_store *ts);

/* Verifies that leaf, with the untrusted certificates rest (may be NULL),
 * chains to one of the roots (X509_verify_cert, current time). */
int stepup_trust_verify(apr_pool_t *p, const stepup_trust_store *ts,
                        struct x509_st *leaf, struct stack_st_X509 *rest,
                        const char **why);

/* The same with every certificate's dates checked at the instant at
 * (seconds since the epoch; 0: now), by X509_VERIFY_PARAM_set_time: a
 * recorded ceremony is judged as on the day it was made, never with the
 * date checks turned off. */
int stepup_trust_verify_at(apr_pool_t *p, const stepup_trust_store *ts,
                           struct x509_st *leaf, struct stack_st_X509 *rest,
                           int64_t at, const char **why);

#endif
