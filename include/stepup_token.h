/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The re-auth token:
 *   v1.<kid>.<payload>.<mac>
 *   payload = b64url("<auth_time>|<expires>|<acr>|<amr>|<bind>|<user>")
 *   mac     = b64url(HMAC-SHA256(key[kid], "v1.<kid>.<payload>"))
 * and the transaction-bound token, one field more, which opens only the
 * request whose digest (stepup_txn.h) is txn:
 *   v2.<kid>.<payload>.<mac>
 *   payload = b64url("<auth_time>|<expires>|<acr>|<amr>|<bind>|<txn>|<user>")
 *   mac     = b64url(HMAC-SHA256(key[kid], "v2.<kid>.<payload>"))
 */
#ifndef STEPUP_TOKEN_H
#define STEPUP_TOKEN_H

#include <stddef.h>
#include <apr_pools.h>
#include "stepup_keys.h"
#include "stepup_txn.h"

/* Assurance levels, ordered (doc/assurance.md section 1). */
typedef enum {
    STEPUP_ACR_PWD = 1,
    STEPUP_ACR_PHR = 2,
    STEPUP_ACR_PHRH = 3
} stepup_acr;

/* Authentication method references (RFC 8176). */
typedef enum {
    STEPUP_AMR_PWD = 1,
    STEPUP_AMR_HWK = 2,
    STEPUP_AMR_SWK = 3
} stepup_amr;

#define STEPUP_BIND_LEN     22    /* b64url of 16 bytes */
#define STEPUP_TOKEN_MAX    4096  /* longest token accepted or minted */
#define STEPUP_CLOCK_SKEW   60    /* auth_time may be this far in the future */

typedef struct stepup_token {
    apr_int64_t auth_time;
    apr_int64_t expires;
    stepup_acr acr;
    stepup_amr amr;
    char bind[STEPUP_BIND_LEN + 1];  /* "" when the token is unbound ("-") */
    /* v2: the transaction, in the token's own spelling (base64url), kept
     * in the struct so a copy of it needs no pool; "": a v1 token. */
    char txn[STEPUP_TXN_LEN + 1];
    const char *user;
    const char *kid;                 /* set by parse; ignored by mint */
} stepup_token;

typedef enum {
    STEPUP_TOKEN_OK = 0,
    STEPUP_TOKEN_MALFORMED,      /* not v1.<kid>.<payload>.<mac> */
    STEPUP_TOKEN_BAD_VERSION,
    STEPUP_TOKEN_UNKNOWN_KID,
    STEPUP_TOKEN_BAD_MAC,
    STEPUP_TOKEN_BAD_PAYLOAD,    /* MAC fine, fields not as specified */
    STEPUP_TOKEN_WRONG_USER,
    STEPUP_TOKEN_FUTURE,         /* auth_time beyond the clock skew */
    STEPUP_TOKEN_EXPIRED,
    STEPUP_TOKEN_TOO_OLD,        /* older than the location's max-age */
    STEPUP_TOKEN_ACR_LOW,
    STEPUP_TOKEN_UNBOUND,        /* binding on, session cookie missing */
    STEPUP_TOKEN_BIND_MISMATCH,
    STEPUP_TOKEN_TXN_UNEXPECTED, /* v2, the caller checks no transaction */
    STEPUP_TOKEN_TXN_MISMATCH    /* v2 for another request */
} stepup_token_status;

/* What a location asks of a token. */
typedef struct stepup_policy {
    apr_int64_t now;
    apr_int64_t max_age;     /* seconds */
    apr_int64_t lifetime;    /* StepupLifetime cap from auth_time; 0: none */
    stepup_acr min_acr;
    const char *user;        /* must equal the token's user; NULL: any */
    /* Binding: NULL when off; otherwise the bind value of the request's
     * session cookie, or "" when the request has no session cookie. */
    const char *bind;
} stepup_policy;

/* Mints a token signed with ks->keys[0]: v2 when t->txn is set (it must
 * pass stepup_txn_valid), else v1. NULL when the key set is empty, a field
 * is out of range, the user is empty or the token would exceed
 * STEPUP_TOKEN_MAX. */
const char *stepup_token_mint(apr_pool_t *p, const stepup_keyset *ks,
                              const stepup_token *t);

/* Checks the structure and the MAC (constant time), then decodes the
 * fields into *out. Only an authentic token's payload is decoded. Both
 * versions parse; out->txn tells them apart. */
stepup_token_status stepup_token_parse(apr_pool_t *p, const stepup_keyset *ks,
                                       const char *s, size_t len,
                                       stepup_token *out);

/* Applies a location's rules to an authentic token, for a caller that
 * knows no transaction: a v2 token is refused (STEPUP_TOKEN_TXN_UNEXPECTED),
 * the safe answer where the request was not digested. */
stepup_token_status stepup_token_check(const stepup_token *t,
                                       const stepup_policy *pol);

/* The same rules, then, for a v2 token, its txn against the request's txn
 * (stepup_txn_finish's base64url), compared in constant time. txn NULL:
 * as stepup_token_check; any other value that is not the token's:
 * STEPUP_TOKEN_TXN_MISMATCH. A v1 token passes whatever txn is given:
 * whether a request needs a v2 token is the caller's rule (t->txn[0]). */
stepup_token_status stepup_token_check_txn(const stepup_token *t,
                                           const stepup_policy *pol,
                                           const char *txn);

/* parse + check (v1 only). */
stepup_token_status stepup_token_verify(apr_pool_t *p,
                                        const stepup_keyset *ks,
                                        const char *s, size_t len,
                                        const stepup_policy *pol,
                                        stepup_token *out);

/* parse + check_txn. */
stepup_token_status stepup_token_verify_txn(apr_pool_t *p,
                                            const stepup_keyset *ks,
                                            const char *s, size_t len,
                                            const stepup_policy *pol,
                                            const char *txn,
                                            stepup_token *out);

/* Short reason for logs ("bad MAC", "expired", ...). */
const char *stepup_token_status_str(stepup_token_status st);

/* "pwd" / "phr" / "phrh" <-> level; parse returns 0 on success. */
int stepup_acr_parse(const char *s, size_t len, stepup_acr *out);
const char *stepup_acr_name(stepup_acr acr);
int stepup_amr_parse(const char *s, size_t len, stepup_amr *out);
const char *stepup_amr_name(stepup_amr amr);

/* The bind value of a session cookie: b64url(SHA-256(value)[0..16)).
 * Returns 0 on success. */
int stepup_bind_compute(const char *value, size_t len,
                        char out[STEPUP_BIND_LEN + 1]);

#endif
