/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Passkey registration: passkey/register/begin hands out the options for
 * navigator.credentials.create, register/finish verifies the attestation
 * and stores the credential with its level (phr, or phrh for a proven
 * hardware-bound one). Both need a recent step-up strong enough
 * (enrol.c), except for the federated bootstrap where it is allowed.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <jansson.h>

#include "mod_stepup.h"
#include "stepup_aaguid.h"
#include "stepup_b64url.h"
#include "stepup_returnto.h"
#include "stepup_sha256.h"
#include "stepup_webauthn.h"

#define CEREMONY_CREATE "create"
#define STORE_DOWN "the passkey store is unavailable"

/* Whether this request may register: OK, or a status whose answer is
 * already written (the caller returns *sent). The rules are in enrol.c. */
static int register_check(request_rec *r, const stepup_dir_conf *dc,
                          apr_array_header_t **creds, int *sent)
{
    stepup_acr needed;
    const char *why;
    int rc, bootstrap;

    if (stepup_store_list(r, r->user, creds) != STEPUP_STORE_OK) {
        *sent = stepup_refuse(r, HTTP_SERVICE_UNAVAILABLE, STORE_DOWN);
        return HTTP_SERVICE_UNAVAILABLE;
    }
    rc = stepup_enrol_check(r, dc, *creds, &needed, &bootstrap, &why);
    if (rc == OK && bootstrap)
        ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, "STEPUP0142: user %s "
                      "from %s: %s without a token (the federated bootstrap: "
                      "no password, no passkey)",
                      ap_escape_logitem(r->pool, r->user), r->useragent_ip,
                      ap_escape_logitem(r->pool, r->uri));
    if (rc != OK)
        *sent = stepup_enrol_refuse(r, dc, rc, needed, why);
    return rc;
}

/* The options of navigator.credentials.create (exclude: consumed). */
static json_t *creation_options(request_rec *r, const stepup_dir_conf *dc,
                                const char *handle, const char *challenge,
                                json_t *exclude)
{
    const char *rp_id = stepup_rp_id(r, dc);
    json_t *params = json_pack("[{s:s, s:i}, {s:s, s:i}, {s:s, s:i}]",
                               "type", "public-key", "alg", -7,
                               "type", "public-key", "alg", -8,
                               "type", "public-key", "alg", -257);

    return json_pack(
        "{s:{s:s, s:s}, s:{s:s, s:s, s:s}, s:s, s:o, s:i, s:o, "
        "s:{s:s, s:s}, s:s}",
        "rp", "id", rp_id, "name", rp_id,
        "user", "id", handle, "name", r->user, "displayName", r->user,
        "challenge", challenge,
        "pubKeyCredParams", params,
        "timeout", STEPUP_CHALLENGE_SECONDS * 1000,
        "excludeCredentials", exclude,
        "authenticatorSelection", "residentKey", "preferred",
        "userVerification", stepup_passkey_uv(dc),
        /* only an attestation can prove a model, and only to a configured
         * root; with "none", browsers also zero the AAGUID */
        "attestation", dc->roots ? "direct" : "none");
}

int stepup_post_register_begin(request_rec *r)
{
    const stepup_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &stepup_module);
    apr_array_header_t *creds;
    json_t *args = NULL, *exclude, *extra, *options;
    const char *why, *challenge, *handle;
    int rc, i;

    if ((rc = stepup_passkeys_check(r, dc, &why)) != OK)
        return stepup_refuse(r, rc, why);
    if ((why = stepup_csrf_problem(r, NULL)))
        return stepup_refuse(r, HTTP_FORBIDDEN, why);
    if (apr_table_get(r->headers_in, "Content-Type")
        && (rc = stepup_read_json(r, &args, &why)) != OK)
        return stepup_refuse(r, rc, why);
    if (register_check(r, dc, &creds, &rc) != OK)
        return rc;
    if (!(handle = stepup_user_handle(r, stepup_rp_id(r, dc))))
        return HTTP_INTERNAL_SERVER_ERROR;
    exclude = json_array();
    for (i = 0; i < creds->nelts; i++)
        json_array_append_new(exclude, json_pack(
            "{s:s, s:s}", "type", "public-key", "id",
            APR_ARRAY_IDX(creds, i, stepup_credential *)->id));
    extra = json_pack("{s:s, s:s}", "name",
                      stepup_passkey_name(r, json_string_value(
                          json_object_get(args, "name")), "Passkey"),
                      "return_to", stepup_return_to(json_string_value(
                          json_object_get(args, "return_to"))));
    rc = stepup_challenge_issue(r, CEREMONY_CREATE, extra, &challenge);
    json_decref(extra);
    if (rc != OK) {
        json_decref(exclude);
        return stepup_refuse(r, rc, "cannot start a passkey "
                             "registration right now");
    }
    options = creation_options(r, dc, handle, challenge, exclude);
    if (!options)
        return stepup_refuse(r, HTTP_INTERNAL_SERVER_ERROR,
                             "user name is not valid UTF-8");
    return stepup_send_json(r, HTTP_OK, options);
}

/* phrh only when proven hardware-bound: not backup eligible,
 * an attestation that verified to a configured root, and (when a list is
 * set) a listed model. An AAGUID without such an attestation is only a
 * claim. Otherwise phr, and *why says what was missing. */
static stepup_acr credential_level(request_rec *r, const stepup_dir_conf *dc,
                                   const stepup_webauthn_registration *reg,
                                   const char **why)
{
    if (reg->backup_eligible)
        *why = "backup eligible (a synced passkey)";
    else if (!dc->roots)
        *why = "no StepupAttestationRoots here";
    else if (!reg->attestation_trusted)
        *why = reg->attestation_untrusted ? reg->attestation_untrusted
                                              : "attestation not trusted";
    else if (reg->key_security == STEPUP_KEY_SECURITY_SOFTWARE)
        /* android-key: the key lives outside the TEE and StrongBox */
        *why = "android-key attestation of a key kept in software";
    else if (dc->aaguids && !stepup_aaguid_listed(dc->aaguids, reg->aaguid))
        *why = apr_pstrcat(r->pool, "AAGUID ",
                               stepup_aaguid_hex(r->pool, reg->aaguid),
                               " is not in StepupHighAssuranceAAGUIDs", NULL);
    else {
        *why = NULL;
        return STEPUP_ACR_PHRH;
    }
    return STEPUP_ACR_PHR;
}

/* A registration the attestation or the store refused: a notice. */
static int registration_refused(request_rec *r, int status, const char *why)
{
    static const stepup_refusal registration = {
        STEPUP_REFUSAL_REGISTRATION, 1, NULL
    };

    return stepup_refuse_as(r, &registration, status, why);
}

/* The credential to store for a verified registration; *why says why
 * it is not phrh. */
static void credential_of(request_rec *r, const stepup_dir_conf *dc,
                          const stepup_webauthn_registration *reg,
                          const stepup_webauthn_response *resp,
                          json_t *extra, stepup_credential *cred,
                          const char **why)
{
    memset(cred, 0, sizeof(*cred));
    cred->id = stepup_b64url_encode(r->pool, reg->credential_id,
                                    reg->credential_id_len);
    cred->user = r->user;
    cred->public_key = stepup_b64url_encode(r->pool, reg->public_key,
                                            reg->public_key_len);
    cred->alg = reg->alg;
    cred->sign_count = reg->sign_count;
    cred->aaguid = stepup_aaguid_hex(r->pool, reg->aaguid);
    cred->backup_eligible = reg->backup_eligible;
    cred->backup_state = reg->backup_state;
    cred->transports = resp->transports ? resp->transports : "";
    cred->fmt = reg->fmt;
    cred->attestation_trusted = reg->attestation_trusted;
    cred->level = credential_level(r, dc, reg, why);
    cred->name = json_string_value(json_object_get(extra, "name"));
    cred->created = apr_time_sec(r->request_time);
    cred->last_used = 0;
    if (!cred->name)
        cred->name = "Passkey";
}

/* One line, and for phr why it is not phrh: an operator whose security
 * keys come out phr learns which root or model is missing. */
static void log_registered(request_rec *r, const stepup_credential *cred,
                           const char *why_not)
{
    ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, "STEPUP0071: user %s from "
                  "%s: passkey %s registered (%s, level %s, fmt %s%s%s%s)",
                  ap_escape_logitem(r->pool, r->user), r->useragent_ip,
                  cred->id, cred->backup_eligible ? "synced" : "device-bound",
                  stepup_acr_name(cred->level), cred->fmt,
                  cred->attestation_trusted ? ", attested" : "",
                  why_not ? "; not phrh: " : "",
                  why_not ? ap_escape_logitem(r->pool, why_not) : "");
}

int stepup_post_register_finish(request_rec *r)
{
    const stepup_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &stepup_module);
    stepup_webauthn_response resp;
    stepup_webauthn_policy pol;
    stepup_webauthn_registration reg;
    stepup_credential cred;
    apr_array_header_t *creds;
    unsigned char *challenge;
    size_t challenge_len;
    json_t *extra;
    const char *why, *why_not;
    char *body;
    apr_size_t body_len;
    int rc;

    if ((rc = stepup_passkeys_check(r, dc, &why)) != OK)
        return stepup_refuse(r, rc, why);
    if ((why = stepup_csrf_problem(r, NULL)))
        return stepup_refuse(r, HTTP_FORBIDDEN, why);
    if ((rc = stepup_challenge_take(r, CEREMONY_CREATE, &challenge,
                                    &challenge_len, &extra, &why)) != OK)
        return stepup_refuse(r, rc, why ? why : "cannot check the "
                             "challenge right now");
    /* asked again: the token may have expired, or another passkey been
     * added since begin */
    if (register_check(r, dc, &creds, &rc) != OK)
        return rc;
    if ((rc = stepup_read_json_text(r, &body, &body_len, &why)) != OK)
        return stepup_refuse(r, rc, why);
    if (stepup_webauthn_registration_json_parse(r->pool, body, body_len,
                                                &resp, &why) != 0)
        return stepup_refuse(r, HTTP_BAD_REQUEST, why);
    stepup_passkey_policy(r, dc, challenge, challenge_len, &pol);
    if (stepup_webauthn_verify_registration(r->pool, &pol, &resp, &reg,
                                            &why) != 0)
        return registration_refused(r, HTTP_BAD_REQUEST, why);
    credential_of(r, dc, &reg, &resp, extra, &cred, &why_not);
    switch (stepup_store_add(r, &cred)) {
    case STEPUP_STORE_OK:
        break;
    case STEPUP_STORE_CONFLICT:
        return registration_refused(r, HTTP_CONFLICT, "this passkey is "
                                    "already registered");
    default:
        return stepup_refuse(r, HTTP_SERVICE_UNAVAILABLE, STORE_DOWN);
    }
    log_registered(r, &cred, why_not);
    return stepup_send_json(r, HTTP_OK, json_pack(
        "{s:b, s:s, s:s, s:s, s:b}", "ok", 1, "id", cred.id, "name",
        cred.name, "level", stepup_acr_name(cred.level), "synced",
        cred.backup_eligible));
}
