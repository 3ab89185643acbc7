/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * GET status: what the page's script needs to know (the user, the CSRF
 * token, the methods and the current token's level and times).
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <jansson.h>

#include "mod_stepup.h"
#include "stepup_csrf.h"

/* How many passkeys: 0 where passkeys are off, null when the store
 * cannot say. */
static json_t *passkey_count(request_rec *r, const stepup_dir_conf *dc)
{
    apr_array_header_t *creds;
    const char *why;

    if (stepup_passkeys_check(r, dc, &why) != OK)
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
        return stepup_refuse(r, HTTP_INTERNAL_SERVER_ERROR,
                             "user name is not valid UTF-8");
    json_object_set_new(o, "passkeys", passkey_count(r, dc));
    if (stepup_has_current_token(r, dc, stepup_conf_lifetime(sc), &t)) {
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
