/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * WebAuthn verification core (WebAuthn Level 3, sections 7.1 and 7.2):
 * the standard RegistrationResponseJSON / AuthenticationResponseJSON,
 * clientDataJSON (jansson), authenticator data, COSE keys and attestation
 * objects (libcbor), signatures and X.509 chains (OpenSSL 3).
 *
 * No httpd headers: the module's handler, stepupctl, the unit tests and the
 * benchmark link the same code. Every function returning int returns 0 on
 * success and -1 on failure; on failure *why (when why is not NULL) is a
 * one-line reason, without a trailing period, that may be logged and shown
 * to an administrator. Values taken from the request appear in a reason
 * only after control characters are replaced and long values are cut.
 * Every allocation comes from the pool given; the OpenSSL, libcbor and
 * jansson objects are freed before returning or when that pool is cleared.
 * Everything is safe to call from several threads at once with distinct
 * pools (a trust store may be shared: it is only read).
 *
 * This is what the module's handlers and stepupctl call. The same code one
 * concern at a time (CBOR, COSE keys, attestation formats, X.509 chains)
 * is declared in src/webauthn/webauthn_internal.h, for the WebAuthn
 * sources, the unit tests and the fuzzers.
 */
#ifndef STEPUP_WEBAUTHN_H
#define STEPUP_WEBAUTHN_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>

/* Limits (refused beyond them, with a reason). */
#define STEPUP_WEBAUTHN_JSON_MAX      (64 * 1024)  /* a response JSON text */
#define STEPUP_WEBAUTHN_CRED_ID_MAX   1023         /* credentialId, bytes */
#define STEPUP_WEBAUTHN_X5C_MAX       8            /* certificates in x5c */
#define STEPUP_WEBAUTHN_TRANSPORTS_MAX 16
#define STEPUP_WEBAUTHN_CBOR_DEPTH    16           /* nesting of CBOR items */
#define STEPUP_WEBAUTHN_RSA_MIN_BITS  2048
#define STEPUP_WEBAUTHN_RSA_MAX_BITS  16384
#define STEPUP_WEBAUTHN_TRUST_FILE_MAX (1024 * 1024)

/* COSE algorithm identifiers (IANA) that credentials may use. */
#define STEPUP_COSE_ES256   (-7)
#define STEPUP_COSE_EDDSA   (-8)
#define STEPUP_COSE_RS256   (-257)

/* authenticatorData flags */
#define STEPUP_WEBAUTHN_FLAG_UP  0x01   /* user present */
#define STEPUP_WEBAUTHN_FLAG_UV  0x04   /* user verified */
#define STEPUP_WEBAUTHN_FLAG_BE  0x08   /* backup eligible */
#define STEPUP_WEBAUTHN_FLAG_BS  0x10   /* backed up */
#define STEPUP_WEBAUTHN_FLAG_AT  0x40   /* attested credential data */
#define STEPUP_WEBAUTHN_FLAG_ED  0x80   /* extensions */

/* A decoded standard RegistrationResponseJSON / AuthenticationResponseJSON.
 * Every buffer is from the pool and NUL-terminated (not counted). */
typedef struct {
    const unsigned char *id; size_t id_len;   /* rawId bytes (id and rawId
                                                 must match) */
    const char *id_b64;                       /* canonical unpadded
                                                 base64url of id */
    const unsigned char *client_data_json; size_t client_data_len;
    const unsigned char *attestation_object;  /* registration */
    size_t attestation_object_len;
    const unsigned char *authenticator_data;  /* authentication */
    size_t authenticator_data_len;
    const unsigned char *signature; size_t signature_len;
    const unsigned char *user_handle;         /* NULL when absent or null */
    size_t user_handle_len;
    const char *transports;                   /* registration: comma-joined,
                                                 NULL when absent */
} stepup_webauthn_response;

/* Parse the JSON text json[0..len) (at most STEPUP_WEBAUTHN_JSON_MAX
 * bytes). Base64url fields are accepted with or without padding. Required:
 * id, rawId (equal bytes, 1 to 1023 of them), type "public-key", response
 * with clientDataJSON and attestationObject (registration) or
 * authenticatorData and signature (authentication); userHandle, transports,
 * authenticatorAttachment and clientExtensionResults are optional but
 * must have the right type when present. Nothing is verified here. */
int stepup_webauthn_registration_json_parse(apr_pool_t *p, const char *json,
                                            size_t len,
                                            stepup_webauthn_response *out,
                                            const char **why);
int stepup_webauthn_authentication_json_parse(apr_pool_t *p, const char *json,
                                              size_t len,
                                              stepup_webauthn_response *out,
                                              const char **why);

/* Attestation roots: a PEM file of one or more certificates. Any of them
 * is a trust anchor, even when it is not self-signed (an intermediate
 * published by a vendor). The store lives until p is cleared and is only
 * read afterwards (safe to share between threads). */
typedef struct stepup_trust_store stepup_trust_store;
int stepup_trust_load(apr_pool_t *p, const char *pem_path,
                      stepup_trust_store **out, const char **why);

/* What the relying party expects. */
typedef struct {
    const char *rp_id;                    /* SHA-256 must be the rpIdHash */
    const char *const *origins;           /* exact match, any of */
    int norigins;
    const unsigned char *challenge;       /* the bytes issued */
    size_t challenge_len;
    int require_uv;                       /* UV flag required */
    int allow_cross_origin;               /* accept crossOrigin: true */
    const stepup_trust_store *roots;      /* NULL: attestation trust not
                                             evaluated */
    int64_t verify_time;                  /* seconds since the epoch at
                                             which certificates (and a
                                             SafetyNet timestamp) are
                                             checked; 0: now. For recorded
                                             ceremonies (stepupctl --now) */
} stepup_webauthn_policy;

/* Where an android-key credential's key lives, from the key description's
 * attestationSecurityLevel; a level above software counts only when the
 * hardware-enforced list itself says the key was generated there for
 * signing (WebAuthn L3 8.4). */
#define STEPUP_KEY_SECURITY_UNKNOWN   0   /* not an android-key attestation */
#define STEPUP_KEY_SECURITY_SOFTWARE  1
#define STEPUP_KEY_SECURITY_TEE       2   /* trusted execution environment */
#define STEPUP_KEY_SECURITY_STRONGBOX 3   /* a separate secure element */

/* What a verified registration yields (to store with the credential). */
typedef struct {
    const unsigned char *credential_id; size_t credential_id_len;
    const unsigned char *public_key;      /* COSE_Key bytes as received */
    size_t public_key_len;
    int alg;                              /* STEPUP_COSE_* */
    const char *fmt;                      /* "none", "packed", "fido-u2f",
                                             "tpm", "android-key", "apple",
                                             "android-safetynet" */
    unsigned char aaguid[16];
    uint32_t sign_count;
    unsigned char flags;
    int user_verified, backup_eligible, backup_state;
    int attestation_trusted;              /* 1 only when roots were given
                                             and the x5c chain reaches one */
    const char *attestation_type;         /* "none", "self", "basic",
                                             "attca" (tpm), "anonca"
                                             (apple) */
    int key_security;                     /* STEPUP_KEY_SECURITY_*: what a
                                             level decision may require of
                                             an android-key credential */
    const char *attestation_untrusted;    /* NULL when trusted; else why
                                             the attestation proves no
                                             model (one sentence) */
} stepup_webauthn_registration;

/* WebAuthn L3 7.1 for r (from stepup_webauthn_registration_json_parse):
 * clientDataJSON (type webauthn.create, challenge, origin, crossOrigin,
 * topOrigin, tokenBinding), the attestation object, authenticatorData
 * (rpIdHash, UP, UV when required, BE/BS, attested credential data, no
 * trailing bytes), the credential key (ES256, RS256 >= 2048 bits, EdDSA;
 * an EC point is checked with EVP_PKEY_public_check), the attestation
 * statement (none, packed self or x5c, fido-u2f, tpm, android-key, apple,
 * android-safetynet) and, when pol->roots is set, the x5c chain at
 * pol->verify_time. A statement that does not verify (signature,
 * certificate requirements, format) is refused. A verified one that proves
 * nothing about the model is accepted untrusted, with the reason in
 * out->attestation_untrusted: "none" and self attestation (no chain), no
 * roots given, or an x5c chain that does not reach one of them (then
 * attestation_type is not "none" or "self": a caller that must refuse it
 * can). The
 * response id must be the credentialId of authenticatorData. Checking that
 * the credential id is not registered yet is the caller's job. */
int stepup_webauthn_verify_registration(apr_pool_t *p,
                                        const stepup_webauthn_policy *pol,
                                        const stepup_webauthn_response *r,
                                        stepup_webauthn_registration *out,
                                        const char **why);

typedef struct {
    uint32_t sign_count;                  /* to store */
    unsigned char flags;
    int user_verified, backup_eligible, backup_state;
} stepup_webauthn_assertion;

/* WebAuthn L3 7.2 for r (from stepup_webauthn_authentication_json_parse)
 * against the stored credential: cose_key is the COSE_Key stored at
 * registration, stored_sign_count its counter. Checks clientDataJSON (type
 * webauthn.get, ...), authenticatorData (rpIdHash, UP, UV when required,
 * BS without BE, extensions, no trailing bytes), the signature over
 * authenticatorData || SHA-256(clientDataJSON), then the counter: when the
 * stored or the received counter is not 0, the received one must be
 * greater. Finding the credential by r->id, checking that it belongs to
 * the user (r->user_handle) and comparing backup_eligible with what was
 * stored are the caller's. */
int stepup_webauthn_verify_authentication(apr_pool_t *p,
                                          const stepup_webauthn_policy *pol,
                                          const unsigned char *cose_key,
                                          size_t cose_key_len,
                                          uint32_t stored_sign_count,
                                          const stepup_webauthn_response *r,
                                          stepup_webauthn_assertion *out,
                                          const char **why);

#endif
