/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Private to the module: configuration records and the functions the hooks
 * in mod_stepup.c call. Files that include it log as "stepup", so
 * "LogLevel stepup:debug" covers all of them.
 */
#ifndef MOD_STEPUP_H
#define MOD_STEPUP_H

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <mod_auth.h>
#include <util_filter.h>

#include <ap_expr.h>
#include <ap_socache.h>
#include <apr_global_mutex.h>
#include <jansson.h>

#include "stepup_aaguid.h"
#include "stepup_body_parse.h"
#include "stepup_keys.h"
#include "stepup_template.h"
#include "stepup_token.h"
#include "stepup_txn.h"
#include "stepup_webauthn.h"

APLOG_USE_MODULE(stepup);
extern module AP_MODULE_DECLARE_DATA stepup_module;

#define STEPUP_UNSET              (-1)
#define STEPUP_DEFAULT_MAX_AGE    300
#define STEPUP_DEFAULT_LIFETIME   900
#define STEPUP_DEFAULT_CONFIRM    "/stepup/"
#define STEPUP_DEFAULT_COOKIE     "stepup"
#define STEPUP_DEFAULT_ATTEMPTS   5
#define STEPUP_DEFAULT_WINDOW     300
#define STEPUP_DEFAULT_RESUME_LIMIT 65536
#define STEPUP_RESUME_LIMIT_MAX   (16 * 1024 * 1024)

/* StepupMethods */
#define STEPUP_METHOD_PASSWORD    0x1
#define STEPUP_METHOD_PASSKEY     0x2
/* not a method of the page: a first passkey without a token */
#define STEPUP_METHOD_BOOTSTRAP   0x4

typedef enum {
    STEPUP_SECURE_UNSET = -1,
    STEPUP_SECURE_OFF = 0,
    STEPUP_SECURE_ON = 1,
    STEPUP_SECURE_AUTO = 2
} stepup_secure_mode;

/* A farm cache's client for claims (cache_claim.c). */
typedef struct stepup_claims stepup_claims;

/* A StepupCache: an ap_socache provider and its instances (cache.c). */
typedef struct {
    const char *spec;            /* as written, for messages */
    const char *name, *args;     /* "NAME:ARGS" */
    const ap_socache_provider_t *provider;
    int local;                   /* not multi-process safe: one server */
    ap_socache_instance_t *values;   /* challenges, unspent tokens */
    ap_socache_instance_t *claims;   /* local: password attempt claims */
    apr_global_mutex_t **mutex;      /* local: every operation under it */
    const char *lockfile;
    stepup_claims *remote;           /* farm: claims through APR-util */
} stepup_cache;

/* Server-wide (server config or virtual host). */
typedef struct {
    const char *key_file;        /* as written, for messages */
    stepup_keyset *keys;         /* loaded when the directive is read */
    apr_int64_t lifetime;        /* StepupLifetime, UNSET */
    stepup_cache *cache;         /* StepupCache; NULL: the shmcb default */
    int require_used;            /* a "Require stepup" in this server's config */
} stepup_server_conf;

typedef enum {
    STEPUP_UV_UNSET = -1,
    STEPUP_UV_REQUIRED = 0,
    STEPUP_UV_PREFERRED,
    STEPUP_UV_DISCOURAGED
} stepup_uv_mode;

/* Per directory. */
typedef struct {
    apr_int64_t max_age;         /* StepupMaxAge, UNSET */
    const char *confirm_url;     /* StepupConfirmURL, NULL unset */
    const char *cookie_name;     /* StepupCookieName */
    stepup_secure_mode cookie_secure;
    const char *bind_cookie;     /* StepupBindCookie; NULL: off */
    const char *token_header;    /* StepupTokenHeader; NULL: off */
    int methods;                 /* StepupMethods bits, 0 unset */
    apr_array_header_t *authn;   /* StepupAuthnProvider: authn_provider_list* */
    int max_attempts;            /* StepupMaxAttempts N, UNSET */
    apr_int64_t attempt_window;  /* StepupMaxAttempts .. SECONDS */
    stepup_template *page;       /* StepupTemplate, NULL: the built-in page */
    const char *rp_id;           /* StepupRPID; NULL: the request's host */
    apr_array_header_t *origins; /* StepupOrigin (const char *); NULL: ours */
    stepup_uv_mode uv;           /* StepupUserVerification */
    stepup_aaguid_list *aaguids; /* StepupHighAssuranceAAGUIDs */
    const stepup_trust_store *roots; /* StepupAttestationRoots */
    stepup_acr enroll_acr;       /* StepupEnrollACR; 0 unset: pwd */
    ap_expr_info_t *has_password; /* StepupHasPassword; NULL: true */
    int resume;                  /* StepupResume, UNSET: On */
    apr_int64_t resume_limit;    /* StepupResumeLimit, UNSET */
    apr_array_header_t *show_fields; /* StepupShowFields (const char *) */
    int backend_challenge;       /* StepupBackendChallenge, UNSET: Off */
} stepup_dir_conf;

/* What one "Require stepup" line asks, parsed at config time. */
typedef struct {
    apr_int64_t max_age;         /* UNSET: StepupMaxAge */
    stepup_acr acr;
} stepup_require;

/* config.c */
void *stepup_create_server_conf(apr_pool_t *p, server_rec *s);
void *stepup_merge_server_conf(apr_pool_t *p, void *base, void *add);
void *stepup_create_dir_conf(apr_pool_t *p, char *dir);
void *stepup_merge_dir_conf(apr_pool_t *p, void *base, void *add);
/* The directives (StepupKeyFile, ...) with their setters. */
extern const command_rec stepup_cmds[];
const char *stepup_seconds_arg(apr_pool_t *p, const char *what,
                               const char *arg, apr_int64_t min,
                               apr_int64_t max, apr_int64_t *out);
/* Effective values: the merged setting or its default. */
apr_int64_t stepup_conf_max_age(const stepup_dir_conf *d);
apr_int64_t stepup_conf_lifetime(const stepup_server_conf *s);
const char *stepup_conf_confirm_url(const stepup_dir_conf *d);
const char *stepup_conf_cookie_name(const stepup_dir_conf *d);
int stepup_conf_methods(const stepup_dir_conf *d);
stepup_uv_mode stepup_conf_uv(const stepup_dir_conf *d);
int stepup_conf_max_attempts(const stepup_dir_conf *d);
apr_int64_t stepup_conf_attempt_window(const stepup_dir_conf *d);
stepup_acr stepup_conf_enroll_acr(const stepup_dir_conf *d);
int stepup_conf_resume(const stepup_dir_conf *d);
apr_size_t stepup_conf_resume_limit(const stepup_dir_conf *d);
int stepup_conf_backend_challenge(const stepup_dir_conf *d);
/* The placeholders a page template (StepupTemplate or the built-in one)
 * may use, in the order of the values confirm_page.c fills. */
extern const char *const stepup_page_placeholders[];
enum {
    STEPUP_PAGE_TITLE, STEPUP_PAGE_USER, STEPUP_PAGE_ERROR,
    STEPUP_PAGE_METHODS, STEPUP_PAGE_BASE, STEPUP_PAGE_RETURN_TO,
    STEPUP_PAGE_CSRF, STEPUP_PAGE_COUNT
};

/* authz.c: the "stepup" authz provider */
extern const authz_provider stepup_authz_provider;
/* The request's token value checked against pol as "Require stepup" checks
 * it: a transaction-bound (v2) token must match the request; it, and any
 * token when once is set, is spent. AUTHZ_GRANTED with STEPUP_USER,
 * STEPUP_ACR, STEPUP_AUTH_TIME, STEPUP_AMR (and STEPUP_TXN) set for the
 * application; AUTHZ_DENIED (logged), *spent when the token was valid but
 * spent already; AUTHZ_GENERAL_ERROR. */
authz_status stepup_token_grant(request_rec *r, const stepup_keyset *keys,
                                const char *value, const stepup_policy *pol,
                                int once, int *spent);

/* denial.c: what a denied client sees */
void stepup_record_denial(request_rec *r, stepup_acr acr,
                          apr_int64_t max_age);
int stepup_note_auth_failure(request_rec *r, const char *auth_type);
/* The answer to r, denied for want of a step-up at acr and max_age (by
 * "Require stepup" or by its application): parks it when it should be
 * (again: even a request resumed from a parked one), sets Cache-Control
 * and, for the JSON answer, WWW-Authenticate in err_headers_out. Returns
 * HTTP_SEE_OTHER or HTTP_MOVED_TEMPORARILY for a browser navigation, *text
 * the absolute URL of the confirm page; else HTTP_UNAUTHORIZED, *text the
 * JSON body. */
int stepup_denial_answer(request_rec *r, stepup_acr acr,
                         apr_int64_t max_age, int again, const char **text);
void stepup_insert_error_filter(request_rec *r);
apr_status_t stepup_json_error_filter(ap_filter_t *f, apr_bucket_brigade *bb);
#define STEPUP_JSON_ERROR_FILTER "STEPUP_JSON_ERROR"

/* backend.c: StepupBackendChallenge, the application's own challenge */
/* fixups: keeps the body ahead, offers the request's token to the
 * application and adds the filter that looks at its answer */
int stepup_backend_fixups(request_rec *r);
apr_status_t stepup_backend_filter(ap_filter_t *f, apr_bucket_brigade *bb);
#define STEPUP_BACKEND_FILTER "STEPUP_BACKEND_CHALLENGE"

/* park.c: requests kept for resuming after the step-up */
/* Keeps r (denied at acr and max_age) for 10 minutes: OK with *id, or a
 * status with *why (HTTP_REQUEST_ENTITY_TOO_LARGE: its body cannot be
 * kept, by size or type; the rest: cannot keep it now). */
int stepup_park(request_rec *r, const stepup_dir_conf *dc, stepup_acr acr,
                apr_int64_t max_age, const char **id, const char **why);
/* A parked request, as read back. */
typedef struct {
    const char *id;
    const char *user, *bind;     /* bind: "-" when it was not bound */
    const char *method, *target, *ctype;   /* ctype may be NULL */
    const char *txn;             /* its transaction (stepup_txn.h) */
    const char *body;
    apr_size_t body_len;
    stepup_acr acr;
    apr_int64_t max_age, parked;
    apr_array_header_t *show;    /* name, value, name, value, ... */
    int pieces;                  /* cache entries it fills */
} stepup_parked;
/* The request parked as id by r->user in this session: OK with *out;
 * HTTP_BAD_REQUEST with *why (malformed, unknown, expired, used, another
 * user's or session's); HTTP_SERVICE_UNAVAILABLE. take: removes it, for
 * exactly one caller across a farm. */
int stepup_parked_get(request_rec *r, const stepup_dir_conf *dc,
                      const char *id, int take, stepup_parked **out,
                      const char **why);

/* bound_token.c: the transaction-bound token of a one-time parked
 * request */
#define STEPUP_BOUND_TOKEN_NOTE "stepup-bound-token"     /* POST resume's */
#define STEPUP_BOUND_ISSUED_NOTE "stepup-bound-issued"   /* the step-up's */
/* The transaction of a parked request (stepup_txn.h), raw and/or in
 * base64url: 0 or -1. */
int stepup_parked_txn(request_rec *r, const stepup_parked *p,
                      unsigned char raw[STEPUP_TXN_RAW_LEN],
                      char b64[STEPUP_TXN_LEN + 1]);
/* Keeps token for POST resume of p until expires: OK or
 * HTTP_SERVICE_UNAVAILABLE. */
int stepup_bound_token_keep(request_rec *r, const stepup_parked *p,
                            const char *token, apr_int64_t expires);
/* 1 when a bound token waits for p. */
int stepup_bound_token_ready(request_rec *r, const stepup_parked *p);
/* The bound token of p, removed (one taker), or NULL. */
const char *stepup_bound_token_take(request_rec *r, const stepup_parked *p);

/* startup.c */
int stepup_check_config(apr_pool_t *pconf, apr_pool_t *plog,
                        apr_pool_t *ptemp, server_rec *s);
/* Warns of virtual hosts that share one key file (STEPUP0171). */
int stepup_startup_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                               apr_pool_t *ptemp, server_rec *s);

/* cache.c: StepupCache through ap_socache */
const char *stepup_cache_create(cmd_parms *cmd, const char *spec,
                                stepup_cache **out);
int stepup_cache_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                            apr_pool_t *ptemp);
int stepup_cache_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *s);
void stepup_cache_child_init(apr_pool_t *p, server_rec *s);
/* The cache of r's server, or NULL (logged) when there is none. */
stepup_cache *stepup_cache_of(request_rec *r);
/* A plain store of value under key until expiry. */
apr_status_t stepup_cache_put(request_rec *r, stepup_cache *c,
                              const char *key, const char *value,
                              apr_time_t expiry);
/* Reads key without removing it: APR_SUCCESS with *value, APR_NOTFOUND. */
apr_status_t stepup_cache_peek(request_rec *r, stepup_cache *c,
                               const char *key, const char **value);
/* Reads and removes key: APR_SUCCESS and *value for exactly one caller
 * across a farm; APR_NOTFOUND for the others and when it is absent. */
apr_status_t stepup_cache_take(request_rec *r, stepup_cache *c,
                               const char *key, const char **value);
/* Adds key only when absent: APR_SUCCESS for exactly one caller across a
 * farm until expiry, APR_EEXIST for the others; other codes: failure. */
apr_status_t stepup_cache_claim(request_rec *r, stepup_cache *c,
                                const char *key, apr_time_t expiry);
/* When a claim expires (epoch seconds), 0 when unknown or absent. */
apr_int64_t stepup_cache_claimed_until(request_rec *r, stepup_cache *c,
                                       const char *key);
/* Gives a claim back (absent is success). */
apr_status_t stepup_cache_unclaim(request_rec *r, stepup_cache *c,
                                  const char *key);
/* Whether the cache's servers answer (tells "absent" from "unreachable"
 * after a take found nothing; a local cache always answers). */
int stepup_cache_reachable(request_rec *r, stepup_cache *c);

/* once.c: max-age=0 locations. A minted token's mark "unspent" (OK, or
 * 503 when the cache cannot keep it); spending takes the mark. */
int stepup_once_mark(request_rec *r, const char *token, apr_int64_t expires);
authz_status stepup_once_spend(request_rec *r, const char *token);

/* cache_claim.c: claims on a farm cache through its servers' clients */
int stepup_claims_supported(const char *provider);
apr_status_t stepup_claims_open(stepup_cache *c, server_rec *s,
                                apr_pool_t *p, stepup_claims **out);
apr_status_t stepup_claims_add(request_rec *r, stepup_claims *cl,
                               const char *key, apr_time_t expiry);
apr_status_t stepup_claims_remove(request_rec *r, stepup_claims *cl,
                                  const char *key);
apr_int64_t stepup_claims_until(request_rec *r, stepup_claims *cl,
                                const char *key);
int stepup_claims_reachable(request_rec *r, stepup_claims *cl);

/* throttle.c: failed password tries per user (StepupMaxAttempts) */
typedef enum {
    STEPUP_THROTTLE_OK,
    STEPUP_THROTTLE_LOCKED,      /* *retry_after seconds to wait */
    STEPUP_THROTTLE_UNAVAILABLE  /* cache error: fail closed */
} stepup_throttle_result;
/* Claims one of the user's attempts before a password is checked (LOCKED
 * when none is left); stepup_throttle_reset gives them back after a
 * success. */
stepup_throttle_result stepup_throttle_attempt(request_rec *r,
                                               const stepup_dir_conf *dc,
                                               apr_int64_t *retry_after);
stepup_throttle_result stepup_throttle_reset(request_rec *r,
                                             const stepup_dir_conf *dc);

/* body.c: bounded request bodies */
#define STEPUP_FORM_MAX 8192
#define STEPUP_JSON_MAX 65536
/* OK with the fields in *form, or an HTTP status with *why set. */
int stepup_read_form(request_rec *r, apr_table_t **form, const char **why);
/* OK with the raw application/json body, or a status. */
int stepup_read_json_text(request_rec *r, char **body, apr_size_t *len,
                          const char **why);
/* OK with a JSON object released with the request, or a status. */
int stepup_read_json(request_rec *r, json_t **out, const char **why);

/* cookie.c: the step-up cookie */
const char *stepup_request_token(request_rec *r, const stepup_dir_conf *dc);
const char *stepup_request_bind(request_rec *r, const stepup_dir_conf *dc,
                                char buf[STEPUP_BIND_LEN + 1]);
void stepup_set_cookie(request_rec *r, const stepup_dir_conf *dc,
                       const char *token, apr_int64_t max_age);
void stepup_clear_cookie(request_rec *r, const stepup_dir_conf *dc);

/* verify.c: stepup_token_verify of the request's token value, which skips
 * the MAC for the token the connection last proved authentic */
stepup_token_status stepup_verify_request_token(request_rec *r,
                                                const stepup_keyset *ks,
                                                const char *value,
                                                const stepup_policy *pol,
                                                stepup_token *out);
/* The policy a token of this request must meet: r->user's, of this
 * request's binding (bind is its buffer), at least min_acr and at most
 * max_age seconds old now. */
void stepup_request_policy(request_rec *r, const stepup_dir_conf *dc,
                           apr_int64_t max_age, stepup_acr min_acr,
                           char bind[STEPUP_BIND_LEN + 1], stepup_policy *pol);

/* The request's path and query exactly as the client sent them (r->uri
 * is decoded), without a fragment: what a denial sends back to, what a
 * transaction-bound token names. */
const char *stepup_request_target(request_rec *r);

/* kept_body.c: a body read ahead of the handler and given back to it */
#define STEPUP_KEPT_BODY_FILTER "STEPUP_KEPT_BODY"
#define STEPUP_KEPT_BODY_MAX 65536   /* the most a transaction covers */
apr_status_t stepup_kept_body_filter(ap_filter_t *f, apr_bucket_brigade *bb,
                                     ap_input_mode_t mode,
                                     apr_read_type_e block,
                                     apr_off_t readbytes);
/* The whole body of r (read once, then served again to whatever reads it
 * next): 0 and *data, *len; -1 when it is longer than max or cannot be
 * read (what was read is still served to the next reader). */
int stepup_kept_body(request_rec *r, apr_size_t max, const char **data,
                     apr_size_t *len);
/* Makes data[0..len) the whole body of r for every reader (a parked
 * request resumed): the connection is not read for it. */
void stepup_kept_body_give(request_rec *r, const char *data,
                           apr_size_t len);
/* The transaction of r (stepup_txn.h) over its kept body: 0, or -1 when
 * the body is longer than max or unreadable, or the request line cannot
 * be hashed. */
int stepup_request_txn(request_rec *r, apr_size_t max,
                       char txn[STEPUP_TXN_LEN + 1]);

/* origin.c: the site's public origin */
/* The origins every Origin check accepts (the handler's POSTs, WebAuthn's
 * clientDataJSON.origin): StepupOrigin's when set, else the request's own
 * scheme://host[:port]; *count of them, at least 1. */
const char *const *stepup_accepted_origins(request_rec *r,
                                           const stepup_dir_conf *dc,
                                           int *count);
/* An absolute URL of this site for path (a local path), for a Location
 * header: under the public origin when StepupOrigin is set (the request's
 * Origin when it is one of them, else the first), else ap_construct_url. */
const char *stepup_site_url(request_rec *r, const stepup_dir_conf *dc,
                            const char *path);

/* store.c: passkeys through mod_dbd (DBDriver sqlite3 or pgsql) */
typedef struct {
    const char *id;              /* credential id, base64url */
    const char *user;
    const char *public_key;      /* COSE_Key, base64url */
    int alg;
    apr_int64_t sign_count;
    const char *aaguid;          /* 32 hex digits */
    int backup_eligible;
    int backup_state;
    const char *transports;      /* comma-separated, may be "" */
    const char *fmt;
    int attestation_trusted;
    stepup_acr level;            /* phr or phrh */
    const char *name;
    apr_int64_t created;
    apr_int64_t last_used;       /* 0: never */
} stepup_credential;

typedef enum {
    STEPUP_STORE_OK,
    STEPUP_STORE_NOT_FOUND,
    STEPUP_STORE_CONFLICT,       /* exists already / changed meanwhile */
    STEPUP_STORE_UNAVAILABLE     /* no mod_dbd, no connection, SQL error */
} stepup_store_status;

void stepup_store_retrieve_fns(void);
int stepup_store_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *s);
int stepup_store_configured(void);
/* The user's credentials (stepup_credential *), oldest first. */
stepup_store_status stepup_store_list(request_rec *r, const char *user,
                                      apr_array_header_t **out);
stepup_store_status stepup_store_get(request_rec *r, const char *id,
                                     stepup_credential **out);
stepup_store_status stepup_store_add(request_rec *r,
                                     const stepup_credential *c);
/* After an assertion: counter, backup state, level and last use, only if
 * the counter is still the one read (CONFLICT otherwise). */
stepup_store_status stepup_store_used(request_rec *r,
                                      const stepup_credential *c,
                                      apr_int64_t sign_count,
                                      int backup_state, stepup_acr level,
                                      apr_int64_t now);
stepup_store_status stepup_store_delete(request_rec *r, const char *user,
                                        const char *id);
stepup_store_status stepup_store_rename(request_rec *r, const char *user,
                                        const char *id, const char *name);

/* webauthn_challenge.c: one-time WebAuthn challenges in StepupCache. extra
 * (a JSON object, kept by the caller) is stored with it and given back by
 * take. A challenge is valid STEPUP_CHALLENGE_SECONDS, the time the
 * browser is given for the ceremony too. */
#define STEPUP_CHALLENGE_SECONDS 300
#define STEPUP_CHALLENGE_RANDOM 32    /* its random bytes */
int stepup_challenge_issue(request_rec *r, const char *ceremony,
                           json_t *extra, const unsigned char *txn,
                           const char **challenge_b64);
int stepup_challenge_take(request_rec *r, const char *ceremony,
                          unsigned char **challenge, size_t *len,
                          json_t **extra, const char **why);

/* The handler (src/handler/): SetHandler stepup. */

/* router.c: the route table */
int stepup_handler(request_rec *r);

/* answer.c: how the endpoints answer */
/* 1 when the client asks for JSON (Accept: application/json). */
int stepup_wants_json(request_rec *r);
/* Writes a JSON object (consumed) with the given status; always OK. */
int stepup_send_json(request_rec *r, int status, json_t *json_object);
/* What a refusal is, which decides its log line. */
typedef enum {
    STEPUP_REFUSAL_REQUEST,      /* STEPUP0101 (info): a request its
                                  * endpoint cannot take */
    STEPUP_REFUSAL_REGISTRATION, /* STEPUP0070 (notice): a passkey the
                                  * attestation or the store refused */
    STEPUP_REFUSAL_CHANGE,       /* STEPUP0141 (notice): a change of
                                  * passkeys without the step-up it needs */
    STEPUP_REFUSAL_LOGGED        /* the caller logged it (an attempt) */
} stepup_refusal_kind;
/* How a refusal is logged and answered. */
typedef struct {
    stepup_refusal_kind kind;
    int json;                    /* JSON whatever Accept says (ceremonies,
                                  * whose callers are always scripts) */
    json_t *extra;               /* fields added to the JSON (consumed) */
} stepup_refusal;
/* A request refused, answered as the client asks. */
extern const stepup_refusal stepup_refusal_request;
/* The one refusal line: "TAG: METHOD URI: STATUS WHY", with " (user U)"
 * for the notices of a change to a user's passkeys. */
void stepup_log_refusal(request_rec *r, stepup_refusal_kind kind,
                        int status, const char *why);
/* A 4xx/5xx with a one-line reason, logged: {"ok":false,"error":why} for
 * JSON, else plain text; always OK (or 500 when why is not UTF-8). */
int stepup_refuse_as(request_rec *r, const stepup_refusal *how, int status,
                     const char *why);
/* stepup_refuse_as(r, &stepup_refusal_request, status, why) */
int stepup_refuse(request_rec *r, int status, const char *why);

/* guard.c: what a request must pass before its endpoint */
/* DECLINED when the endpoint may run; else the status to return (the
 * answer, if any, written). post: the Origin must be ours. */
int stepup_guard(request_rec *r, const stepup_server_conf *sc,
                 const stepup_dir_conf *dc, int post);
/* NULL when the request carries a valid CSRF token (X-Stepup-CSRF or the
 * form's csrf field), else why not (answer 403). */
const char *stepup_csrf_problem(request_rec *r, apr_table_t *form);

/* issue.c: the request's token and the token a confirmation earns */
void stepup_log_attempt(request_rec *r, const char *method, const char *acr,
                        const char *outcome);
/* 1 when the request carries a valid token of r->user no older than
 * max_age seconds, at any level; *t (may be NULL) gets it. */
int stepup_has_current_token(request_rec *r, const stepup_dir_conf *dc,
                             apr_int64_t max_age, stepup_token *t);
/* stepup_has_current_token no older than StepupMaxAge. */
int stepup_has_recent_token(request_rec *r, const stepup_dir_conf *dc,
                            stepup_token *t);
/* Mints the token and sets the cookie: OK, HTTP_BAD_REQUEST (binding on
 * and no session cookie) or HTTP_INTERNAL_SERVER_ERROR. */
int stepup_issue_token(request_rec *r, const stepup_dir_conf *dc,
                       stepup_acr acr, stepup_amr amr,
                       const stepup_parked *parked, apr_int64_t *expires);

/* passkey_policy.c: what passkeys are at this location */
const char *stepup_rp_id(request_rec *r, const stepup_dir_conf *dc);
const char *stepup_passkey_uv(const stepup_dir_conf *dc);
/* A passkey's name as stored: at most STEPUP_PASSKEY_NAME_MAX bytes,
 * control characters as spaces; fallback when empty, NULL when not UTF-8. */
#define STEPUP_PASSKEY_NAME_MAX 64
const char *stepup_passkey_name(request_rec *r, const char *name,
                                const char *fallback);
/* The WebAuthn policy of this location for a challenge. */
void stepup_passkey_policy(request_rec *r, const stepup_dir_conf *dc,
                           const unsigned char *challenge, size_t len,
                           stepup_webauthn_policy *pol);
/* The user handle given to authenticators for r->user at this RP ID
 * (base64url), or NULL (OpenSSL failed). */
const char *stepup_user_handle(request_rec *r, const char *rp_id);
/* OK when passkeys can be used here, else a status and why. */
int stepup_passkeys_check(request_rec *r, const stepup_dir_conf *dc,
                          const char **why);

/* password_authn.c: the StepupAuthnProvider chain */
authn_status stepup_password_check(request_rec *r, const stepup_dir_conf *dc,
                                   const char *user, const char *password);
/* Whether r->user has a password the chain can check, decided without
 * checking one: 1 yes, 0 no, -1 cannot tell (StepupHasPassword
 * failed; logged). */
int stepup_has_password(request_rec *r, const stepup_dir_conf *dc);

/* confirm_page.c: the Confirm access page */
typedef enum {
    STEPUP_PAGE_CONFIRM,         /* the methods that reach acr */
    STEPUP_PAGE_STOPPED,         /* only the error line */
    STEPUP_PAGE_CONTINUE         /* confirmed: the form that resumes */
} stepup_page_kind;
typedef struct {
    const char *return_to;       /* sanitised */
    stepup_acr acr;              /* level asked for */
    const char *error;           /* text of the error line, or NULL */
    int has_password;            /* stepup_has_password(): 1, 0, -1 */
    const stepup_parked *parked; /* the request to resume, or NULL */
    int resubmit;                /* a form that was not kept */
    stepup_page_kind kind;
} stepup_page_args;
int stepup_send_page(request_rec *r, int status, const stepup_page_args *a);
/* Parses the built-in page templates once (post_config); a broken one
 * refuses start-up. */
int stepup_pages_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *s);

/* manage_page.c: the passkeys page; its built-in templates, parsed by
 * stepup_pages_post_config (*what names the one that fails) */
int stepup_manage_page_parse(apr_pool_t *p, const char **what,
                             const char **why);

/* enrol.c: who may change r->user's passkeys */
/* The least token level that adds or removes a passkey of a user who has
 * creds (stepup_credential *): StepupEnrollACR or their strongest. */
stepup_acr stepup_enrol_level(const stepup_dir_conf *dc,
                              const apr_array_header_t *creds);
/* OK when this request may add, remove or rename r->user's passkeys
 * (creds: theirs); else HTTP_UNAUTHORIZED (confirm at *needed, then
 * retry), HTTP_FORBIDDEN (no confirmation this user can give would do) or
 * HTTP_SERVICE_UNAVAILABLE, with why. *bootstrap says the federated
 * bootstrap allowed it. */
int stepup_enrol_check(request_rec *r, const stepup_dir_conf *dc,
                       const apr_array_header_t *creds, stepup_acr *needed,
                       int *bootstrap, const char **why);
/* 1 where a user with no password and no passkey may add a first one
 * without a token (the federated bootstrap). */
int stepup_bootstrap_allowed(request_rec *r, const stepup_dir_conf *dc);
/* Where to confirm at level acr, then come back to the manage page (with
 * its return_to back, a checked local path, or NULL). */
const char *stepup_enrol_confirm_url(request_rec *r,
                                     const stepup_dir_conf *dc,
                                     stepup_acr acr, const char *back);
/* A refusal of stepup_enrol_check as JSON (or text), with the level
 * needed and where to confirm; always OK. */
int stepup_enrol_refuse(request_rec *r, const stepup_dir_conf *dc,
                        int status, stepup_acr needed, const char *why);

/* the endpoints: password.c, status.c, drop.c, passkey_confirm.c,
 * passkey_register.c, passkey_edit.c, manage_page.c */
int stepup_post_passkey_begin(request_rec *r);
int stepup_post_passkey_finish(request_rec *r);
int stepup_post_register_begin(request_rec *r);
int stepup_post_register_finish(request_rec *r);
int stepup_get_passkeys(request_rec *r);
int stepup_get_manage(request_rec *r);
int stepup_post_passkeys_delete(request_rec *r);
int stepup_post_passkeys_rename(request_rec *r);
int stepup_post_password(request_rec *r);
int stepup_get_status(request_rec *r);
int stepup_post_drop(request_rec *r);

/* resume.c: POST resume; the insert_filter hook that gives the request it
 * redirects to the parked body (kept_body.c) */
int stepup_post_resume(request_rec *r);
void stepup_resume_insert_filter(request_rec *r);
/* The resume id of a request to the handler (a query argument, a form
 * field or a JSON member), checked: OK with *parked (NULL when none was
 * given), or a status with *why. */
int stepup_resume_check(request_rec *r, const char *id,
                      const stepup_parked **parked, const char **why);
/* The page's line for a parked request that cannot be resumed (why). */
const char *stepup_resume_gone(request_rec *r, const char *why);
/* Adds to a JSON answer of a step-up what resumes the parked request. */
void stepup_resume_json(request_rec *r, json_t *answer,
                        const stepup_parked *parked);

#endif
