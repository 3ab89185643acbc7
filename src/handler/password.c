/*
 * The password method: passwords are checked by httpd's authn providers
 * (StepupAuthnProvider, "file" by default), walked like mod_auth_form does,
 * never by reading password files here.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <ap_provider.h>
#include <http_core.h>
#include <http_protocol.h>
#include <http_request.h>
#include <jansson.h>

#include "mod_stepup.h"
#include "stepup_csrf.h"
#include "stepup_returnto.h"

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

/* A refusal of a password: logged as an attempt with its outcome (none
 * for a form sent empty), then the page again with its error line, or
 * JSON. */
static int refuse(request_rec *r, int status, const char *return_to,
                  const char *outcome, const char *message)
{
    static const stepup_refusal as_attempt = {
        STEPUP_REFUSAL_LOGGED, 0, NULL
    };
    stepup_page_args page = { return_to, STEPUP_ACR_PWD, message };

    if (outcome)
        stepup_log_attempt(r, "password", "pwd", outcome);
    if (stepup_wants_json(r))
        return stepup_refuse_as(r, &as_attempt, status, message);
    return stepup_send_page(r, status, &page);
}

static int grant(request_rec *r, const stepup_dir_conf *dc,
                 const char *return_to)
{
    apr_int64_t expires = 0;
    int rc = stepup_issue_token(r, dc, STEPUP_ACR_PWD, STEPUP_AMR_PWD,
                                &expires);

    if (rc == HTTP_BAD_REQUEST)
        return refuse(r, HTTP_BAD_REQUEST, return_to, "refused: no session "
                      "cookie to bind the token to", "Your session cookie "
                      "is missing. Sign in again, then confirm.");
    if (rc != OK)
        return rc;
    stepup_log_attempt(r, "password", "pwd", "ok");
    if (stepup_wants_json(r))
        return stepup_send_json(r, HTTP_OK,
                                json_pack("{s:b, s:s, s:s, s:I}", "ok", 1,
                                          "return_to", return_to,
                                          "acr", "pwd",
                                          "expires_at", (json_int_t)expires));
    apr_table_setn(r->headers_out, "Location",
                   stepup_site_url(r, dc, return_to));
    return HTTP_SEE_OTHER;
}

#define UNAVAILABLE "Confirming is unavailable right now. Try again later."

/* One attempt of the user's (StepupMaxAttempts), then the providers. */
static int check(request_rec *r, const stepup_dir_conf *dc,
                 const char *password, const char *return_to)
{
    apr_int64_t retry_after = 0;

    switch (stepup_throttle_attempt(r, dc, &retry_after)) {
    case STEPUP_THROTTLE_UNAVAILABLE:
        return refuse(r, HTTP_SERVICE_UNAVAILABLE, return_to,
                      "refused: cache unavailable", UNAVAILABLE);
    case STEPUP_THROTTLE_LOCKED:
        apr_table_setn(r->err_headers_out, "Retry-After",
                       apr_psprintf(r->pool, "%" APR_INT64_T_FMT,
                                    retry_after));
        return refuse(r, HTTP_TOO_MANY_REQUESTS, return_to,
                      "refused: too many failed attempts",
                      apr_psprintf(r->pool, "Too many failed attempts. Try "
                                   "again in %" APR_INT64_T_FMT " seconds.",
                                   retry_after));
    default:
        break;
    }
    switch (stepup_password_check(r, dc, r->user, password)) {
    case AUTH_GRANTED:
        if (stepup_throttle_reset(r, dc) != STEPUP_THROTTLE_OK)
            return refuse(r, HTTP_SERVICE_UNAVAILABLE, return_to,
                          "refused: cache unavailable", UNAVAILABLE);
        return grant(r, dc, return_to);
    case AUTH_DENIED:
    case AUTH_USER_NOT_FOUND:
        /* already counted */
        return refuse(r, HTTP_UNAUTHORIZED, return_to,
                      "failed: wrong password", "Incorrect password.");
    default:
        return refuse(r, HTTP_SERVICE_UNAVAILABLE, return_to,
                      "failed: authn provider error", "Your password cannot "
                      "be checked right now. Try again later.");
    }
}

int stepup_post_password(request_rec *r)
{
    const stepup_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &stepup_module);
    apr_table_t *form;
    const char *why, *password, *return_to;
    int rc;

    if ((rc = stepup_read_form(r, &form, &why)) != OK)
        return stepup_refuse(r, rc, why);
    return_to = stepup_return_to(apr_table_get(form, "return_to"));
    if ((why = stepup_csrf_problem(r, form)))
        return stepup_refuse(r, HTTP_FORBIDDEN, why);
    if (!(stepup_conf_methods(dc) & STEPUP_METHOD_PASSWORD))
        return stepup_refuse(r, HTTP_FORBIDDEN,
                             "password step-up is not enabled here");
    if (stepup_has_password(r, dc) == 0)
        /* nothing to check: no provider is asked about a user said to
         * have no password (a federated user) */
        return refuse(r, HTTP_FORBIDDEN, return_to, "refused: the user has "
                      "no password here (StepupHasPassword)", "This account "
                      "has no password here.");
    if (!(password = apr_table_get(form, "password")))
        return stepup_refuse(r, HTTP_BAD_REQUEST,
                             "missing form field \"password\"");
    if (!*password)
        return refuse(r, HTTP_BAD_REQUEST, return_to, NULL,
                      "Enter your password.");
    return check(r, dc, password, return_to);
}
