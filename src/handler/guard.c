/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * What every request to the handler must pass before its endpoint runs:
 * a handler where no .htaccess file may change the authentication, an
 * authenticated user, a key file, and for a POST the same origin; and the
 * CSRF token each POST endpoint checks with its body.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>

#include "mod_stepup.h"
#include "stepup_csrf.h"

/* Same-origin when the browser says where the request comes from. */
static const char *origin_problem(request_rec *r, const stepup_dir_conf *dc)
{
    const char *origin = apr_table_get(r->headers_in, "Origin");
    const char *site = apr_table_get(r->headers_in, "Sec-Fetch-Site");
    const char *const *accepted;
    int i, n;

    if (site && !strcasecmp(site, "cross-site"))
        return "cross-site request refused";
    if (!origin)
        return NULL;
    /* scheme and host are case-insensitive (RFC 6454 4); browsers send
     * them in lower case, an operator may not write them so */
    accepted = stepup_accepted_origins(r, dc, &n);
    for (i = 0; i < n; i++) {
        if (!strcasecmp(origin, accepted[i]))
            return NULL;
    }
    return "cross-origin request refused";
}

/* The directory of an .htaccess file (AccessFileName) read with
 * AllowOverride AuthConfig for this request, or NULL. Its writer decides
 * who the user is (AuthType, AuthUserFile, ...) and which password file the
 * authn providers check (AuthUserFile, AuthDBMUserFile, AuthLDAPURL are all
 * AuthConfig), so a handler under it would mint tokens on their word that
 * every location of the host accepts. r->htaccess lists the files the
 * directory walk read (a NULL vector: no file there). An AllowOverrideList
 * counts too, as it may name any of those directives: httpd keeps no list
 * in r->htaccess (its override_list member is never set there), so the
 * list in effect for the request's directory decides. */
static const char *authconfig_htaccess_dir(request_rec *r)
{
    const core_dir_config *core = ap_get_core_module_config(r->per_dir_config);
    int listed = core && core->override_list
                 && !apr_is_empty_table(core->override_list);
    const struct htaccess_result *h;

    for (h = r->htaccess; h; h = h->next) {
        if (h->htaccess && (listed || (h->override & OR_AUTHCFG)))
            return h->dir;
    }
    return NULL;
}

int stepup_guard(request_rec *r, const stepup_server_conf *sc,
                 const stepup_dir_conf *dc, int post)
{
    const char *why, *htdir;

    if ((htdir = authconfig_htaccess_dir(r))) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "STEPUP0170: the stepup "
                      "handler refuses %s: an .htaccess file in %s may change "
                      "the authentication (AllowOverride AuthConfig), so its "
                      "writer would choose the user and the password file; "
                      "mount the handler where no such file applies",
                      ap_escape_logitem(r->pool, r->uri),
                      ap_escape_logitem(r->pool, htdir));
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (!r->user) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "STEPUP0103: no "
                      "authenticated user at %s: put the stepup handler "
                      "behind the site's authentication",
                      ap_escape_logitem(r->pool, r->uri));
        return HTTP_FORBIDDEN;
    }
    if (!sc->keys) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "STEPUP0104: the stepup "
                      "handler needs StepupKeyFile for this server");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (post && (why = origin_problem(r, dc)))
        return stepup_refuse(r, HTTP_FORBIDDEN, why);
    return DECLINED;
}

const char *stepup_csrf_problem(request_rec *r, apr_table_t *form)
{
    const stepup_server_conf *sc =
        ap_get_module_config(r->server->module_config, &stepup_module);
    const char *token = apr_table_get(r->headers_in, "X-Stepup-CSRF");

    if (!token && form)
        token = apr_table_get(form, "csrf");
    if (!token)
        return "missing CSRF token";
    if (stepup_csrf_verify(r->pool, sc->keys, r->user, token,
                           apr_time_sec(r->request_time)) != 0)
        return "invalid or expired CSRF token: reload the page";
    return NULL;
}
