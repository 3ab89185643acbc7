/*
 * Step-up with a passkey (DESIGN 6): passkey/begin hands out the options
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

#include "mod_stepup.h"
#include "stepup_b64url.h"
#include "stepup_returnto.h"
#include "stepup_webauthn.h"

#define CEREMONY_GET "get"
#define TIMEOUT_MS 300000

static const char *uv_name(stepup_uv_mode uv)
{
    return uv == STEPUP_UV_DISCOURAGED ? "discouraged"
         : uv == STEPUP_UV_PREFERRED ? "preferred" : "required";
}

const char *stepup_passkey_uv(const stepup_dir_conf *dc)
{
    return uv_name(stepup_conf_uv(dc));
}

const char *stepup_rp_id(request_rec *r, const stepup_dir_conf *dc)
{
    return dc->rp_id ? dc->rp_id : r->hostname;
}

void stepup_passkey_policy(request_rec *r, const stepup_dir_conf *dc,
                           const unsigned char *challenge, size_t len,
                           stepup_webauthn_policy *pol)
{
    memset(pol, 0, sizeof(*pol));
    pol->rp_id = stepup_rp_id(r, dc);
    pol->origins = stepup_accepted_origins(r, dc, &pol->norigins);
    pol->challenge = challenge;
    pol->challenge_len = len;
    pol->require_uv = stepup_conf_uv(dc) == STEPUP_UV_REQUIRED;
    pol->allow_cross_origin = 0;
    pol->roots = dc->roots;
}

int stepup_passkeys_enabled(request_rec *r, const stepup_dir_conf *dc,
                            const char **why)
{
    if (!(stepup_conf_methods(dc) & STEPUP_METHOD_PASSKEY)) {
        *why = "passkeys are not enabled here (StepupMethods)";
        return HTTP_FORBIDDEN;
    }
    if (!stepup_store_configured()) {
        /* said once at start-up (STEPUP0041) */
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "STEPUP0060: passkeys "
                      "need mod_dbd");
        *why = "passkeys are unavailable on this server";
        return HTTP_SERVICE_UNAVAILABLE;
    }
    return OK;
}

int stepup_has_recent_token(request_rec *r, const stepup_dir_conf *dc,
                            stepup_token *t)
{
    const stepup_server_conf *sc =
        ap_get_module_config(r->server->module_config, &stepup_module);
    const char *value = stepup_request_token(r, dc);
    char bind[STEPUP_BIND_LEN + 1];
    stepup_policy pol;
    stepup_token scratch;

    if (!value || !*value)
        return 0;
    pol.now = apr_time_sec(r->request_time);
    pol.max_age = stepup_conf_max_age(dc);
    pol.lifetime = stepup_conf_lifetime(sc);
    pol.min_acr = STEPUP_ACR_PWD;
    pol.user = r->user;
    pol.bind = stepup_request_bind(r, dc, bind);
    return stepup_verify_request_token(r, sc->keys, value, &pol,
                                       t ? t : &scratch) == STEPUP_TOKEN_OK;
}

int stepup_issue_token(request_rec *r, const stepup_dir_conf *dc,
                       stepup_acr acr, stepup_amr amr, apr_int64_t *expires)
{
    const stepup_server_conf *sc =
        ap_get_module_config(r->server->module_config, &stepup_module);
    apr_int64_t now = apr_time_sec(r->request_time);
    apr_int64_t lifetime = stepup_conf_lifetime(sc);
    char bindbuf[STEPUP_BIND_LEN + 1];
    const char *bind = stepup_request_bind(r, dc, bindbuf), *token;
    stepup_token t;
    int rc;

    memset(&t, 0, sizeof(t));
    if (bind && !*bind)
        return HTTP_BAD_REQUEST; /* binding on, no session cookie */
    if (bind)
        apr_cpystrn(t.bind, bind, sizeof(t.bind));
    t.auth_time = now;
    t.expires = now + lifetime;
    t.acr = acr;
    t.amr = amr;
    t.user = r->user;
    if (!(token = stepup_token_mint(r->pool, sc->keys, &t))) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "STEPUP0031: cannot "
                      "mint a token for %s (user name too long?)",
                      ap_escape_logitem(r->pool, r->user));
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if ((rc = stepup_once_mark(r, token, t.expires)) != OK)
        return rc;
    stepup_set_cookie(r, dc, token, lifetime);
    if (expires)
        *expires = t.expires;
    return OK;
}

const char *stepup_passkey_name(request_rec *r, const char *name,
                                const char *fallback)
{
    json_t *valid;
    char *copy;
    size_t i, n;

    if (!name || !*name)
        return fallback;
    n = strlen(name) > STEPUP_PASSKEY_NAME_MAX ? STEPUP_PASSKEY_NAME_MAX
                                               : strlen(name);
    /* do not cut a UTF-8 sequence in two */
    while (n > 0 && ((unsigned char)name[n] & 0xc0) == 0x80)
        n--;
    copy = apr_pstrmemdup(r->pool, name, n);
    for (i = 0; i < n; i++) {
        if ((unsigned char)copy[i] < 0x20 || copy[i] == 0x7f)
            copy[i] = ' ';
    }
    if (!(valid = json_stringn(copy, n)))   /* jansson checks UTF-8 */
        return NULL;
    json_decref(valid);
    return *copy ? copy : fallback;
}

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

/* Optional JSON fields of a begin call: {"return_to":..., "acr":...} */
static int begin_args(request_rec *r, json_t **args, const char **why)
{
    if (!apr_table_get(r->headers_in, "Content-Type")) {
        *args = json_object();
        apr_pool_cleanup_register(r->pool, *args, stepup_json_release,
                                  apr_pool_cleanup_null);
        return OK;
    }
    return stepup_read_json(r, args, why);
}

int stepup_post_passkey_begin(request_rec *r)
{
    const stepup_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &stepup_module);
    apr_array_header_t *creds;
    json_t *args, *allow, *extra, *options;
    const char *why, *challenge, *acr_text, *return_to;
    stepup_acr acr = STEPUP_ACR_PWD;    /* the level the page asks for */
    int rc, i;

    if ((rc = stepup_passkeys_enabled(r, dc, &why)) != OK)
        return stepup_bad_request(r, rc, why);
    if ((why = stepup_csrf_problem(r, NULL)))
        return stepup_bad_request(r, HTTP_FORBIDDEN, why);
    if ((rc = begin_args(r, &args, &why)) != OK)
        return stepup_bad_request(r, rc, why);
    return_to = stepup_return_to(json_string_value(
        json_object_get(args, "return_to")));
    acr_text = json_string_value(json_object_get(args, "acr"));
    if (acr_text && stepup_acr_parse(acr_text, strlen(acr_text), &acr))
        return stepup_bad_request(r, HTTP_BAD_REQUEST,
                                  "acr must be pwd, phr or phrh");

    if (stepup_store_list(r, r->user, &creds) != STEPUP_STORE_OK)
        return stepup_bad_request(r, HTTP_SERVICE_UNAVAILABLE,
                                  "the passkey store is unavailable");
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
        return stepup_bad_request(r, HTTP_CONFLICT, acr == STEPUP_ACR_PHRH
            ? "you have no hardware security key registered here"
            : "you have no passkey registered here");
    }
    extra = json_pack("{s:s, s:s}", "return_to", return_to, "acr",
                      stepup_acr_name(acr));
    rc = stepup_challenge_issue(r, CEREMONY_GET, extra, &challenge);
    json_decref(extra);
    if (rc != OK) {
        json_decref(allow);
        return stepup_bad_request(r, rc, "cannot start a passkey "
                                  "confirmation right now");
    }
    /* phr and above are passkeys that verified the user (DESIGN 5),
     * whatever StepupUserVerification allows for a plain step-up */
    options = json_pack("{s:s, s:s, s:o, s:s, s:i}", "challenge", challenge,
                        "rpId", stepup_rp_id(r, dc), "allowCredentials",
                        allow, "userVerification", acr >= STEPUP_ACR_PHR
                        ? "required" : stepup_passkey_uv(dc),
                        "timeout", TIMEOUT_MS);
    return stepup_send_json(r, HTTP_OK, options);
}

/* A failed or refused assertion: logged, the session untouched. */
static int assertion_refused(request_rec *r, int status, const char *acr,
                             const char *why)
{
    stepup_log_attempt(r, "passkey", acr,
                       apr_pstrcat(r->pool, "failed: ", why, NULL));
    return stepup_send_json(r, status, json_pack("{s:b, s:s}", "ok", 0,
                                                 "error", why));
}

int stepup_post_passkey_finish(request_rec *r)
{
    const stepup_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &stepup_module);
    stepup_webauthn_response resp;
    stepup_webauthn_policy pol;
    stepup_webauthn_assertion out;
    stepup_credential *cred;
    unsigned char *challenge, *key;
    size_t challenge_len, key_len;
    json_t *extra;
    const char *why, *return_to, *wanted_text;
    char *body;
    apr_size_t body_len;
    stepup_acr wanted = STEPUP_ACR_PWD, level;
    apr_int64_t expires = 0;
    int rc;

    if ((rc = stepup_passkeys_enabled(r, dc, &why)) != OK)
        return stepup_bad_request(r, rc, why);
    if ((why = stepup_csrf_problem(r, NULL)))
        return stepup_bad_request(r, HTTP_FORBIDDEN, why);
    /* the challenge is spent now, whatever happens next */
    if ((rc = stepup_challenge_take(r, CEREMONY_GET, &challenge,
                                    &challenge_len, &extra, &why)) != OK)
        return stepup_bad_request(r, rc, why ? why : "cannot check the "
                                  "challenge right now");
    return_to = stepup_return_to(json_string_value(
        json_object_get(extra, "return_to")));
    wanted_text = json_string_value(json_object_get(extra, "acr"));
    if (wanted_text)
        stepup_acr_parse(wanted_text, strlen(wanted_text), &wanted);

    if ((rc = stepup_read_json_text(r, &body, &body_len, &why)) != OK)
        return stepup_bad_request(r, rc, why);
    if (stepup_webauthn_parse_authentication_json(r->pool, body, body_len,
                                                  &resp, &why) != 0)
        return stepup_bad_request(r, HTTP_BAD_REQUEST, why);

    switch (stepup_store_get(r, resp.id_b64, &cred)) {
    case STEPUP_STORE_OK:
        break;
    case STEPUP_STORE_NOT_FOUND:
        return assertion_refused(r, HTTP_BAD_REQUEST, "-",
                                 "unknown passkey");
    default:
        return stepup_bad_request(r, HTTP_SERVICE_UNAVAILABLE,
                                  "the passkey store is unavailable");
    }
    /* another user's passkey is as good as unknown */
    if (strcmp(cred->user, r->user) != 0)
        return assertion_refused(r, HTTP_BAD_REQUEST, "-",
                                 "unknown passkey");
    if (stepup_b64url_decode(r->pool, cred->public_key,
                             strlen(cred->public_key), &key, &key_len))
        return assertion_refused(r, HTTP_INTERNAL_SERVER_ERROR, "-",
                                 "stored public key is damaged");
    stepup_passkey_policy(r, dc, challenge, challenge_len, &pol);
    if (wanted >= STEPUP_ACR_PHR)
        pol.require_uv = 1;
    if (stepup_webauthn_verify_authentication(r->pool, &pol, key, key_len,
                                              (uint32_t)cred->sign_count,
                                              &resp, &out, &why) != 0)
        return assertion_refused(r, HTTP_UNAUTHORIZED,
                                 stepup_acr_name(cred->level), why);

    /* WebAuthn L3 7.2 step 6: a userHandle that is sent must be the one
     * this user's passkeys were given at registration (checked after the
     * signature: an assertion for another RP ID fails there first) */
    if (resp.user_handle) {
        const char *mine = stepup_user_handle(r, stepup_rp_id(r, dc));

        if (!mine)
            return HTTP_INTERNAL_SERVER_ERROR;
        if (strcmp(stepup_b64url_encode(r->pool, resp.user_handle,
                                        resp.user_handle_len), mine) != 0)
            return assertion_refused(r, HTTP_BAD_REQUEST, "-", "the "
                                     "userHandle is not this user's");
    }
    /* WebAuthn L3 7.2 step 18: backup eligibility is fixed when the
     * credential is made; a change means another authenticator (or a
     * tampered one) answers for this credential id. BS may change. */
    if (out.backup_eligible != cred->backup_eligible) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "STEPUP0063: user %s: "
                      "passkey %s reports BE=%d, registered with BE=%d: "
                      "assertion refused",
                      ap_escape_logitem(r->pool, r->user), cred->id,
                      out.backup_eligible, cred->backup_eligible);
        return assertion_refused(r, HTTP_UNAUTHORIZED,
                                 stepup_acr_name(cred->level),
                                 "the passkey's backup eligibility (BE) "
                                 "changed since it was registered");
    }
    level = cred->level;
    if (!out.user_verified) {
        /* StepupUserVerification preferred|discouraged: possession of the
         * passkey alone, one factor like a password; phr and phrh are
         * passkeys that verified the user (DESIGN 5) */
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "STEPUP0062: user %s: "
                      "passkey %s did not verify the user (UV): token at "
                      "pwd", ap_escape_logitem(r->pool, r->user), cred->id);
        level = STEPUP_ACR_PWD;
    }
    switch (stepup_store_used(r, cred, out.sign_count, out.backup_state,
                              cred->level, apr_time_sec(r->request_time))) {
    case STEPUP_STORE_OK:
        break;
    case STEPUP_STORE_CONFLICT:
        return assertion_refused(r, HTTP_UNAUTHORIZED,
                                 stepup_acr_name(level),
                                 "the passkey was used concurrently");
    default:
        return stepup_bad_request(r, HTTP_SERVICE_UNAVAILABLE,
                                  "the passkey store is unavailable");
    }
    if (level < wanted)
        return assertion_refused(r, HTTP_FORBIDDEN, stepup_acr_name(level),
                                 "this passkey is not a hardware security "
                                 "key");
    rc = stepup_issue_token(r, dc, level, out.backup_eligible
                            ? STEPUP_AMR_SWK : STEPUP_AMR_HWK, &expires);
    if (rc == HTTP_BAD_REQUEST)
        return assertion_refused(r, rc, stepup_acr_name(level),
                                 "no session cookie to bind the token to");
    if (rc != OK)
        return rc;
    stepup_log_attempt(r, "passkey", stepup_acr_name(level), "ok");
    return stepup_send_json(r, HTTP_OK, json_pack(
        "{s:b, s:s, s:s, s:I}", "ok", 1, "return_to", return_to, "acr",
        stepup_acr_name(level), "expires_at", (json_int_t)expires));
}
