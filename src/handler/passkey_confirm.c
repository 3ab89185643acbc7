/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Step-up with a passkey: passkey/begin hands out the options
 * for navigator.credentials.get, passkey/finish verifies the assertion
 * against the stored credential and issues the token at the credential's
 * level (phr, or phrh for a proven hardware-bound one). The assertion is
 * refused when its userHandle is another user's or its BE flag is not the
 * one registered (WebAuthn L3 7.2).
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <jansson.h>

#include <openssl/crypto.h>

#include "mod_stepup.h"
#include "stepup_b64url.h"
#include "stepup_returnto.h"
#include "stepup_webauthn.h"

#define CEREMONY_GET "get"
#define STORE_DOWN "the passkey store is unavailable"

/* A credential at acr or above, as it would assert now. */
static int reaches(const stepup_credential *c, stepup_acr acr)
{
    return c->level >= acr;
}

static json_t *transports_json(const char *list)
{
    json_t *a = json_array();
    char *copy, *t, *last = NULL;

    if (!list || !*list)
        return a;
    copy = strdup(list);
    for (t = copy ? apr_strtok(copy, ",", &last) : NULL; t;
         t = apr_strtok(NULL, ",", &last))
        json_array_append_new(a, json_string(t));
    free(copy);
    return a;
}

/* What a begin call asks, from its optional JSON body
 * {"return_to":..., "acr":..., "resume":...}: OK, or a status and why. */
typedef struct {
    const char *return_to;
    stepup_acr acr;                     /* the level the page asks for */
    const stepup_parked *parked;        /* the request to resume, or NULL */
} begin_request;

static int begin_args(request_rec *r, begin_request *b, const char **why)
{
    const char *acr_text;
    json_t *args;
    int rc;

    if (!apr_table_get(r->headers_in, "Content-Type")) {
        args = json_object();
        apr_pool_cleanup_register(r->pool, args, stepup_json_release,
                                  apr_pool_cleanup_null);
    }
    else if ((rc = stepup_read_json(r, &args, why)) != OK)
        return rc;
    b->return_to = stepup_return_to(json_string_value(
        json_object_get(args, "return_to")));
    b->acr = STEPUP_ACR_PWD;
    acr_text = json_string_value(json_object_get(args, "acr"));
    if (acr_text && stepup_acr_parse(acr_text, strlen(acr_text), &b->acr)) {
        *why = "acr must be pwd, phr or phrh";
        return HTTP_BAD_REQUEST;
    }
    return stepup_resume_check(r, json_string_value(json_object_get(
        args, "resume")), &b->parked, why);
}

/* The transaction a passkey confirmation commits to (the challenge's last
 * 16 bytes, so that the authenticator signs the request the user saw):
 * that of a parked one-time request, else none (NULL). */
static const unsigned char *bound_txn(request_rec *r,
                                      const stepup_parked *parked,
                                      unsigned char txn[STEPUP_TXN_RAW_LEN])
{
    if (!parked || parked->max_age != 0
        || stepup_parked_txn(r, parked, txn, NULL) != 0)
        return NULL;
    return txn;
}

int stepup_post_passkey_begin(request_rec *r)
{
    const stepup_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &stepup_module);
    apr_array_header_t *creds;
    json_t *allow, *extra, *options;
    const char *why, *challenge;
    unsigned char txn[STEPUP_TXN_RAW_LEN];
    begin_request b;
    stepup_acr acr;
    int rc, i;

    if ((rc = stepup_passkeys_check(r, dc, &why)) != OK)
        return stepup_refuse(r, rc, why);
    if ((why = stepup_csrf_problem(r, NULL)))
        return stepup_refuse(r, HTTP_FORBIDDEN, why);
    if ((rc = begin_args(r, &b, &why)) != OK)
        return stepup_refuse(r, rc, why);
    acr = b.acr;

    if (stepup_store_list(r, r->user, &creds) != STEPUP_STORE_OK)
        return stepup_refuse(r, HTTP_SERVICE_UNAVAILABLE, STORE_DOWN);
    allow = json_array();
    for (i = 0; i < creds->nelts; i++) {
        const stepup_credential *c =
            APR_ARRAY_IDX(creds, i, stepup_credential *);
        if (reaches(c, acr))
            json_array_append_new(allow, json_pack(
                "{s:s, s:s, s:o}", "type", "public-key", "id", c->id,
                "transports", transports_json(c->transports)));
    }
    if (json_array_size(allow) == 0) {
        json_decref(allow);
        return stepup_refuse(r, HTTP_CONFLICT, acr == STEPUP_ACR_PHRH
            ? "you have no hardware security key registered here"
            : "you have no passkey registered here");
    }
    extra = json_pack("{s:s, s:s, s:s?}", "return_to", b.return_to, "acr",
                      stepup_acr_name(acr), "resume",
                      b.parked ? b.parked->id : NULL);
    rc = stepup_challenge_issue(r, CEREMONY_GET, extra,
                                bound_txn(r, b.parked, txn), &challenge);
    json_decref(extra);
    if (rc != OK) {
        json_decref(allow);
        return stepup_refuse(r, rc, "cannot start a passkey "
                             "confirmation right now");
    }
    /* phr and above are passkeys that verified the user,
     * whatever StepupUserVerification allows for a plain step-up */
    options = json_pack("{s:s, s:s, s:o, s:s, s:i}", "challenge", challenge,
                        "rpId", stepup_rp_id(r, dc), "allowCredentials",
                        allow, "userVerification", acr >= STEPUP_ACR_PHR
                        ? "required" : stepup_passkey_uv(dc),
                        "timeout", STEPUP_CHALLENGE_SECONDS * 1000);
    return stepup_send_json(r, HTTP_OK, options);
}

/* A failed or refused assertion: logged as an attempt, the session
 * untouched. */
static int assertion_refused(request_rec *r, int status, const char *acr,
                             const char *why)
{
    static const stepup_refusal as_attempt = {
        STEPUP_REFUSAL_LOGGED, 1, NULL
    };

    stepup_log_attempt(r, "passkey", acr,
                       apr_pstrcat(r->pool, "failed: ", why, NULL));
    return stepup_refuse_as(r, &as_attempt, status, why);
}

/* An assertion sent to passkey/finish, with what passkey/begin asked. */
typedef struct {
    unsigned char *challenge;
    size_t challenge_len;
    const char *return_to;
    const char *resume;          /* the parked request's id, or NULL */
    const stepup_parked *parked; /* that request, when it can resume */
    const char *resume_error;    /* why it cannot, or NULL */
    stepup_acr wanted;           /* the level the page asked for */
    stepup_webauthn_response resp;
    stepup_credential *cred;     /* the stored credential it names */
    unsigned char *key;          /* its COSE public key */
    size_t key_len;
} assertion;

/* Spends the challenge and reads the assertion: DECLINED, or the answer
 * already sent. */
static int read_assertion(request_rec *r, assertion *a)
{
    const char *why = NULL, *wanted;
    char *body;
    apr_size_t body_len;
    json_t *extra;
    int rc;

    /* the challenge is spent now, whatever happens next */
    if ((rc = stepup_challenge_take(r, CEREMONY_GET, &a->challenge,
                                    &a->challenge_len, &extra, &why)) != OK)
        return stepup_refuse(r, rc, why ? why : "cannot check the "
                             "challenge right now");
    a->return_to = stepup_return_to(json_string_value(
        json_object_get(extra, "return_to")));
    a->resume = apr_pstrdup(r->pool, json_string_value(json_object_get(
        extra, "resume")));
    a->wanted = STEPUP_ACR_PWD;
    if ((wanted = json_string_value(json_object_get(extra, "acr"))))
        stepup_acr_parse(wanted, strlen(wanted), &a->wanted);
    if ((rc = stepup_read_json_text(r, &body, &body_len, &why)) != OK)
        return stepup_refuse(r, rc, why);
    if (stepup_webauthn_authentication_json_parse(r->pool, body, body_len,
                                                  &a->resp, &why) != 0)
        return stepup_refuse(r, HTTP_BAD_REQUEST, why);
    switch (stepup_store_get(r, a->resp.id_b64, &a->cred)) {
    case STEPUP_STORE_OK:
        break;
    case STEPUP_STORE_NOT_FOUND:
        return assertion_refused(r, HTTP_BAD_REQUEST, "-", "unknown passkey");
    default:
        return stepup_refuse(r, HTTP_SERVICE_UNAVAILABLE, STORE_DOWN);
    }
    /* another user's passkey is as good as unknown */
    if (strcmp(a->cred->user, r->user) != 0)
        return assertion_refused(r, HTTP_BAD_REQUEST, "-", "unknown passkey");
    if (stepup_b64url_decode(r->pool, a->cred->public_key,
                             strlen(a->cred->public_key), &a->key,
                             &a->key_len))
        return assertion_refused(r, HTTP_INTERNAL_SERVER_ERROR, "-",
                                 "stored public key is damaged");
    return DECLINED;
}

/* Verifies the assertion against its credential: DECLINED, or the answer
 * already sent. */
static int verify_assertion(request_rec *r, const stepup_dir_conf *dc,
                            const assertion *a,
                            stepup_webauthn_assertion *out)
{
    const stepup_credential *cred = a->cred;
    stepup_webauthn_policy pol;
    const char *why, *mine;

    stepup_passkey_policy(r, dc, a->challenge, a->challenge_len, &pol);
    if (a->wanted >= STEPUP_ACR_PHR)
        pol.require_uv = 1;
    if (stepup_webauthn_verify_authentication(r->pool, &pol, a->key,
                                              a->key_len,
                                              (uint32_t)cred->sign_count,
                                              &a->resp, out, &why) != 0)
        return assertion_refused(r, HTTP_UNAUTHORIZED,
                                 stepup_acr_name(cred->level), why);
    /* WebAuthn L3 7.2 step 6: a userHandle that is sent must be the one
     * this user's passkeys were given at registration (checked after the
     * signature: an assertion for another RP ID fails there first) */
    if (a->resp.user_handle) {
        if (!(mine = stepup_user_handle(r, stepup_rp_id(r, dc))))
            return HTTP_INTERNAL_SERVER_ERROR;
        if (strcmp(stepup_b64url_encode(r->pool, a->resp.user_handle,
                                        a->resp.user_handle_len), mine) != 0)
            return assertion_refused(r, HTTP_BAD_REQUEST, "-", "the "
                                     "userHandle is not this user's");
    }
    /* WebAuthn L3 7.2 step 18: backup eligibility is fixed when the
     * credential is made; a change means another authenticator (or a
     * tampered one) answers for this credential id. BS may change. */
    if (out->backup_eligible != cred->backup_eligible) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "STEPUP0063: user %s: "
                      "passkey %s reports BE=%d, registered with BE=%d: "
                      "assertion refused",
                      ap_escape_logitem(r->pool, r->user), cred->id,
                      out->backup_eligible, cred->backup_eligible);
        return assertion_refused(r, HTTP_UNAUTHORIZED,
                                 stepup_acr_name(cred->level),
                                 "the passkey's backup eligibility (BE) "
                                 "changed since it was registered");
    }
    return DECLINED;
}

/* The level the assertion earns: the credential's, or pwd when the user
 * was not verified. */
static stepup_acr assertion_level(request_rec *r, const assertion *a,
                                  const stepup_webauthn_assertion *out)
{
    if (out->user_verified)
        return a->cred->level;
    /* StepupUserVerification preferred|discouraged: possession of the
     * passkey alone, one factor like a password; phr and phrh are
     * passkeys that verified the user */
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "STEPUP0062: user %s: "
                  "passkey %s did not verify the user (UV): token at "
                  "pwd", ap_escape_logitem(r->pool, r->user), a->cred->id);
    return STEPUP_ACR_PWD;
}

/* The answer of a success, with what resumes the parked request (gone
 * meanwhile: the step-up stands, the action must be started again). */
static int confirmed(request_rec *r, const assertion *a, const char *acr,
                     apr_int64_t expires)
{
    json_t *o = json_pack("{s:b, s:s, s:s, s:I}", "ok", 1, "return_to",
                          a->return_to, "acr", acr, "expires_at",
                          (json_int_t)expires);

    if (a->resume_error)
        json_object_set_new(o, "resume_error",
                            json_string(a->resume_error));
    stepup_resume_json(r, o, a->parked);
    return stepup_send_json(r, HTTP_OK, o);
}

/* The parked request the confirmation resumes (gone meanwhile: the step-up
 * stands, the action must be started again); for a one-time one, the
 * challenge must end with its transaction, as passkey/begin made it. */
static void resumed_request(request_rec *r, assertion *a)
{
    unsigned char txn[STEPUP_TXN_RAW_LEN];
    const unsigned char *want;

    a->parked = NULL;
    a->resume_error = NULL;
    if (!a->resume
        || stepup_resume_check(r, a->resume, &a->parked, &a->resume_error)
               != OK) {
        a->parked = NULL;
        return;
    }
    if (!(want = bound_txn(r, a->parked, txn)))
        return;
    if (a->challenge_len != STEPUP_CHALLENGE_RANDOM + STEPUP_TXN_RAW_LEN
        || CRYPTO_memcmp(a->challenge + STEPUP_CHALLENGE_RANDOM, want,
                         STEPUP_TXN_RAW_LEN) != 0) {
        /* begun before the request was parked, or for another one */
        a->parked = NULL;
        a->resume_error = "the confirmation was not made for this action";
    }
}

int stepup_post_passkey_finish(request_rec *r)
{
    const stepup_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &stepup_module);
    stepup_webauthn_assertion out;
    assertion a;
    const char *why, *acr;
    stepup_acr level;
    apr_int64_t expires = 0;
    int rc;

    if ((rc = stepup_passkeys_check(r, dc, &why)) != OK)
        return stepup_refuse(r, rc, why);
    if ((why = stepup_csrf_problem(r, NULL)))
        return stepup_refuse(r, HTTP_FORBIDDEN, why);
    if ((rc = read_assertion(r, &a)) != DECLINED
        || (rc = verify_assertion(r, dc, &a, &out)) != DECLINED)
        return rc;
    acr = stepup_acr_name(level = assertion_level(r, &a, &out));
    switch (stepup_store_used(r, a.cred, out.sign_count, out.backup_state,
                              a.cred->level, apr_time_sec(r->request_time))) {
    case STEPUP_STORE_OK:
        break;
    case STEPUP_STORE_CONFLICT:
        return assertion_refused(r, HTTP_UNAUTHORIZED, acr,
                                 "the passkey was used concurrently");
    default:
        return stepup_refuse(r, HTTP_SERVICE_UNAVAILABLE, STORE_DOWN);
    }
    if (level < a.wanted)
        return assertion_refused(r, HTTP_FORBIDDEN, acr, "this passkey is "
                                 "not a hardware security key");
    resumed_request(r, &a);
    rc = stepup_issue_token(r, dc, level, out.backup_eligible
                            ? STEPUP_AMR_SWK : STEPUP_AMR_HWK, a.parked,
                            &expires);
    if (rc == HTTP_BAD_REQUEST)
        return assertion_refused(r, rc, acr, "no session cookie to bind "
                                 "the token to");
    if (rc != OK)
        return rc;
    stepup_log_attempt(r, "passkey", acr, "ok");
    return confirmed(r, &a, acr, expires);
}
