/*
 * GET status: what the page's script needs to know; POST drop: leave
 * sudo mode early.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <jansson.h>

#include "mod_stepup.h"
#include "stepup_csrf.h"
#include "stepup_returnto.h"

/* The request's own valid token, at any level and age within its life. */
static int current_token(request_rec *r, const stepup_server_conf *sc,
                         const stepup_dir_conf *dc, stepup_token *t)
{
    const char *value = stepup_request_token(r, dc);
    char bind[STEPUP_BIND_LEN + 1];
    stepup_policy pol;

    if (!value || !*value)
        return 0;
    pol.now = apr_time_sec(r->request_time);
    pol.lifetime = stepup_conf_lifetime(sc);
    pol.max_age = pol.lifetime;
    pol.min_acr = STEPUP_ACR_PWD;
    pol.user = r->user;
    pol.bind = stepup_request_bind(r, dc, bind);
    return stepup_verify_request_token(r, sc->keys, value, &pol, t)
        == STEPUP_TOKEN_OK;
}

/* How many passkeys: 0 where passkeys are off, null when the store
 * cannot say. */
static json_t *passkey_count(request_rec *r, const stepup_dir_conf *dc)
{
    apr_array_header_t *creds;
    const char *why;

    if (stepup_passkeys_enabled(r, dc, &why) != OK)
        return json_integer(0);
    if (stepup_store_list(r, r->user, &creds) != STEPUP_STORE_OK)
        return json_null();
    return json_integer(creds->nelts);
}

int stepup_get_status(request_rec *r)
{
    const stepup_server_conf *sc =
        ap_get_module_config(r->server->module_config, &stepup_module);
    const stepup_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &stepup_module);
    apr_int64_t now = apr_time_sec(r->request_time);
    const char *csrf = stepup_csrf_mint(r->pool, sc->keys, r->user, now);
    json_t *o;
    stepup_token t;

    if (!csrf)
        return HTTP_INTERNAL_SERVER_ERROR;
    o = json_pack("{s:s, s:b, s:s}", "user", r->user,
                  "has_password", stepup_has_password(r, dc) != 0,
                  "csrf", csrf);
    if (!o) /* r->user is not UTF-8 */
        return stepup_bad_request(r, HTTP_INTERNAL_SERVER_ERROR,
                                  "user name is not valid UTF-8");
    json_object_set_new(o, "passkeys", passkey_count(r, dc));
    if (current_token(r, sc, dc, &t)) {
        json_object_set_new(o, "acr", json_string(stepup_acr_name(t.acr)));
        json_object_set_new(o, "auth_time", json_integer(t.auth_time));
        json_object_set_new(o, "expires_at", json_integer(t.expires));
    }
    else {
        json_object_set_new(o, "acr", json_null());
        json_object_set_new(o, "auth_time", json_null());
        json_object_set_new(o, "expires_at", json_null());
    }
    return stepup_send_json(r, HTTP_OK, o);
}

int stepup_post_drop(request_rec *r)
{
    const stepup_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &stepup_module);
    apr_table_t *form = NULL;
    const char *why, *accept, *return_to = NULL;
    int rc;

    /* a script may send only the X-Stepup-CSRF header and no body */
    if (apr_table_get(r->headers_in, "Content-Type")
        && (rc = stepup_read_form(r, &form, &why)) != OK)
        return stepup_bad_request(r, rc, why);
    if ((why = stepup_csrf_problem(r, form)))
        return stepup_bad_request(r, HTTP_FORBIDDEN, why);
    if (form)
        return_to = apr_table_get(form, "return_to");
    stepup_clear_cookie(r, dc);
    ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, "STEPUP0110: user %s from "
                  "%s: step-up dropped", ap_escape_logitem(r->pool, r->user),
                  r->useragent_ip);
    accept = apr_table_get(r->headers_in, "Accept");
    if (accept && ap_strcasestr(accept, "application/json"))
        return stepup_send_json(r, HTTP_OK, json_pack("{s:b}", "ok", 1));
    apr_table_setn(r->headers_out, "Location",
                   stepup_site_url(r, dc, stepup_return_to(return_to)));
    return HTTP_SEE_OTHER;
}
