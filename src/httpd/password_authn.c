/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Passwords through httpd's authn providers (StepupAuthnProvider, "file"
 * by default), walked like mod_auth_form does, never by reading password
 * files here; and whether a user has a password at all.
 */
#include <httpd.h>
#include <ap_provider.h>
#include <http_core.h>
#include <http_log.h>
#include <mod_auth.h>

#include "mod_stepup.h"

#define DEFAULT_PROVIDER "file"

authn_status stepup_password_check(request_rec *r, const stepup_dir_conf *dc,
                                   const char *user, const char *password)
{
    authn_status res = AUTH_USER_NOT_FOUND;
    authn_provider_list fallback, *const *items, *one = &fallback;
    int n, i;

    if (dc->authn) {
        items = (authn_provider_list *const *)dc->authn->elts;
        n = dc->authn->nelts;
    }
    else {
        fallback.provider_name = DEFAULT_PROVIDER;
        fallback.provider = ap_lookup_provider(AUTHN_PROVIDER_GROUP,
                                               DEFAULT_PROVIDER,
                                               AUTHN_PROVIDER_VERSION);
        if (!fallback.provider) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "STEPUP0030: no "
                          "StepupAuthnProvider and mod_authn_file is not "
                          "loaded: cannot check passwords");
            return AUTH_GENERAL_ERROR;
        }
        items = &one;
        n = 1;
    }
    for (i = 0; i < n; i++) {
        /* aliases (AuthnProviderAlias) find their settings by this note */
        apr_table_setn(r->notes, AUTHN_PROVIDER_NAME_NOTE,
                       items[i]->provider_name);
        res = items[i]->provider->check_password(r, user, password);
        apr_table_unset(r->notes, AUTHN_PROVIDER_NAME_NOTE);
        if (res != AUTH_USER_NOT_FOUND)
            break;
    }
    return res;
}

/*
 * Never decided by checking a password. A failed check is a
 * failed bind for ldap (directory accounts lock after a few), a hash for
 * bcrypt on every page view, and a provider error would have read as "no
 * password". httpd's authn providers cannot say whether they know a user
 * without a password, so every user is taken to have one where the
 * password method is offered, unless StepupHasPassword (an ap_expr the
 * administrator writes from what the primary sign-in says, e.g. an OpenID
 * Connect claim) says otherwise.
 */
int stepup_has_password(request_rec *r, const stepup_dir_conf *dc)
{
    const char *err = NULL;
    int rc;

    if (!(stepup_conf_methods(dc) & STEPUP_METHOD_PASSWORD))
        return 0;
    if (!dc->has_password)
        return 1;
    rc = ap_expr_exec(r, dc->has_password, &err);
    if (rc < 0 || err) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "STEPUP0140: user %s at "
                      "%s: StepupHasPassword cannot be evaluated: %s",
                      ap_escape_logitem(r->pool, r->user),
                      ap_escape_logitem(r->pool, r->uri),
                      ap_escape_logitem(r->pool, err ? err : "error"));
        return -1;
    }
    return rc > 0;
}
