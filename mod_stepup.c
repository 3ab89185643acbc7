/*
 * mod_stepup: step-up re-authentication for httpd 2.4. The module record,
 * the directives and the hooks; the work is in src/.
 */
#include <httpd.h>
#include <http_config.h>
#include <http_protocol.h>
#include <http_request.h>
#include <mod_auth.h>

#include "mod_stepup.h"

/* Per-directory directives that decide who may mint a token or what counts
 * as phrh: allowed in <Location> and <Directory>, refused in .htaccess
 * (DESIGN 4), whose writer must not choose the password check or the trust
 * anchors of tokens that every location of the host accepts. httpd then
 * answers "... not allowed here" (500) for them in .htaccess. */
#define STEPUP_NOT_HTACCESS (RSRC_CONF | ACCESS_CONF)

static const command_rec stepup_cmds[] = {
    /* server-wide */
    AP_INIT_TAKE1("StepupKeyFile", stepup_set_key_file, NULL, RSRC_CONF,
                  "file of HMAC keys, one \"KID SECRET\" per line; the first "
                  "signs, all verify"),
    AP_INIT_TAKE1("StepupLifetime", stepup_set_lifetime, NULL, RSRC_CONF,
                  "hard cap of a step-up token's life, in seconds "
                  "(default 900)"),
    AP_INIT_TAKE1("StepupCache", stepup_set_cache, NULL, RSRC_CONF,
                  "ap_socache provider for challenges and password "
                  "throttling: shmcb (default), redis:HOST:PORT, "
                  "memcache:HOST:PORT, ..."),
    /* per directory: <Location>, <Directory> and .htaccess (AuthConfig) */
    AP_INIT_TAKE1("StepupMaxAge", stepup_set_max_age, NULL, OR_AUTHCFG,
                  "how old a re-confirmation may be, in seconds "
                  "(default 300)"),
    AP_INIT_TAKE1("StepupConfirmURL", stepup_set_confirm_url, NULL,
                  OR_AUTHCFG, "local path of the confirm-access handler "
                  "(default /stepup/)"),
    AP_INIT_TAKE1("StepupCookieName", stepup_set_cookie_name, NULL,
                  OR_AUTHCFG, "name of the step-up cookie (default stepup)"),
    AP_INIT_TAKE1("StepupCookieSecure", stepup_set_cookie_secure, NULL,
                  OR_AUTHCFG, "On, Off or Auto (Secure when the request came "
                  "over TLS; default)"),
    AP_INIT_TAKE1("StepupBindCookie", stepup_set_bind_cookie, NULL,
                  OR_AUTHCFG, "bind step-up tokens to the session cookie of "
                  "this name"),
    AP_INIT_TAKE1("StepupTokenHeader", stepup_set_token_header, NULL,
                  OR_AUTHCFG, "also accept the step-up token in this request "
                  "header"),
    AP_INIT_ITERATE("StepupMethods", stepup_set_methods, NULL, OR_AUTHCFG,
                    "methods the confirm page offers: password and/or "
                    "passkey (default both), and bootstrap"),
    AP_INIT_ITERATE("StepupAuthnProvider", stepup_set_authn_provider, NULL,
                    STEPUP_NOT_HTACCESS, "authn providers that check the "
                    "password (default file)"),
    AP_INIT_TAKE2("StepupMaxAttempts", stepup_set_max_attempts, NULL,
                  STEPUP_NOT_HTACCESS, "failed passwords per user and window "
                  "in seconds before 429 (default 5 300)"),
    AP_INIT_TAKE1("StepupTemplate", stepup_set_template, NULL,
                  STEPUP_NOT_HTACCESS, "HTML template of the confirm page, "
                  "with {{placeholders}}"),
    AP_INIT_TAKE1("StepupRPID", stepup_set_rp_id, NULL, STEPUP_NOT_HTACCESS,
                  "WebAuthn relying party ID (default: the request's host)"),
    AP_INIT_ITERATE("StepupOrigin", stepup_set_origin, NULL,
                    STEPUP_NOT_HTACCESS, "origins accepted by every Origin "
                    "check, CSRF and WebAuthn (default: the request's own)"),
    AP_INIT_TAKE1("StepupUserVerification", stepup_set_uv, NULL, OR_AUTHCFG,
                  "required (default), preferred or discouraged"),
    AP_INIT_TAKE1("StepupHighAssuranceAAGUIDs", stepup_set_aaguids, NULL,
                  STEPUP_NOT_HTACCESS, "file of authenticator AAGUIDs "
                  "whose device-bound passkeys count as phrh"),
    AP_INIT_TAKE1("StepupAttestationRoots", stepup_set_roots, NULL,
                  STEPUP_NOT_HTACCESS, "PEM roots: device-bound passkeys "
                  "attested by one of them count as phrh"),
    AP_INIT_FLAG("StepupResume", stepup_set_resume, NULL, OR_AUTHCFG,
                 "park a request denied for want of step-up and resume it "
                 "after the step-up (default On)"),
    AP_INIT_TAKE1("StepupResumeLimit", stepup_set_resume_limit, NULL,
                  OR_AUTHCFG, "largest request body kept for resuming, in "
                  "bytes (default 65536)"),
    AP_INIT_ITERATE("StepupShowFields", stepup_set_show_fields, NULL,
                    OR_AUTHCFG, "form fields or top-level JSON members of a "
                    "parked request shown on the confirm page"),
    /* per directory, but never in .htaccess: they decide who may change
     * passkeys and who gets the federated bootstrap */
    AP_INIT_TAKE1("StepupEnrollACR", stepup_set_enroll_acr, NULL,
                  STEPUP_NOT_HTACCESS, "least level of the step-up that "
                  "adds or removes passkeys: pwd (default), phr or phrh"),
    AP_INIT_TAKE1("StepupHasPassword", stepup_set_has_password, NULL,
                  STEPUP_NOT_HTACCESS, "ap_expr condition: the signed-in "
                  "user has a password here (default true)"),
    { NULL }
};

static void register_hooks(apr_pool_t *p)
{
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "stepup",
                              AUTHZ_PROVIDER_VERSION, &stepup_authz_provider,
                              AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_check_config(stepup_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_pre_config(stepup_cache_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(stepup_cache_post_config, NULL, NULL,
                        APR_HOOK_MIDDLE);
    ap_hook_post_config(stepup_store_post_config, NULL, NULL,
                        APR_HOOK_MIDDLE);
    ap_hook_post_config(stepup_startup_post_config, NULL, NULL,
                        APR_HOOK_MIDDLE);
    ap_hook_post_config(stepup_pages_post_config, NULL, NULL,
                        APR_HOOK_MIDDLE);
    ap_hook_child_init(stepup_cache_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(stepup_handler, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_optional_fn_retrieve(stepup_store_retrieve_fns, NULL, NULL,
                                 APR_HOOK_MIDDLE);
    /* before mod_auth_basic & co., so a step-up denial is not answered
     * with their challenge */
    ap_hook_note_auth_failure(stepup_note_auth_failure, NULL, NULL,
                              APR_HOOK_FIRST);
    ap_hook_insert_error_filter(stepup_insert_error_filter, NULL, NULL,
                                APR_HOOK_MIDDLE);
    /* a resumed request reads its parked body (kept_body.c) */
    ap_hook_insert_filter(stepup_resume_insert_filter, NULL, NULL,
                          APR_HOOK_MIDDLE);
    ap_register_input_filter(STEPUP_KEPT_BODY_FILTER,
                             stepup_kept_body_filter, NULL,
                             AP_FTYPE_RESOURCE);
    ap_register_output_filter(STEPUP_JSON_ERROR_FILTER,
                              stepup_json_error_filter, NULL,
                              AP_FTYPE_CONTENT_SET);
}

module AP_MODULE_DECLARE_DATA stepup_module = {
    STANDARD20_MODULE_STUFF,
    stepup_create_dir_conf,
    stepup_merge_dir_conf,
    stepup_create_server_conf,
    stepup_merge_server_conf,
    stepup_cmds,
    register_hooks,
    AP_MODULE_FLAG_NONE
};
