/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * POST password: the password method of the confirm page and the JSON API.
 * The password is checked by httpd's authn providers (password_authn.c).
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

/* A refusal of a password: logged as an attempt with its outcome (none
 * for a form sent empty), then the page again with its error line, or
 * JSON. */
static int refuse(request_rec *r, int status, const stepup_page_args *to,
                  const char *outcome, const char *message)
{
    static const stepup_refusal as_attempt = {
        STEPUP_REFUSAL_LOGGED, 0, NULL
    };
    stepup_page_args page = *to;

    page.error = message;
    if (outcome)
        stepup_log_attempt(r, "password", "pwd", outcome);
    if (stepup_wants_json(r))
        return stepup_refuse_as(r, &as_attempt, status, message);
    page.has_password = stepup_has_password(r, ap_get_module_config(
        r->per_dir_config, &stepup_module));
    return stepup_send_page(r, status, &page);
}

/* The answer of a success: JSON, the page that resumes the parked
 * request, or the redirect to return_to. */
static int granted(request_rec *r, const stepup_dir_conf *dc,
                   const stepup_page_args *to, apr_int64_t expires)
{
    stepup_page_args page = *to;
    json_t *o;

    if (stepup_wants_json(r)) {
        o = json_pack("{s:b, s:s, s:s, s:I}", "ok", 1, "return_to",
                      to->return_to, "acr", "pwd", "expires_at",
                      (json_int_t)expires);
        stepup_resume_json(r, o, to->parked);
        return stepup_send_json(r, HTTP_OK, o);
    }
    if (to->parked) {
        page.kind = STEPUP_PAGE_CONTINUE;
        return stepup_send_page(r, HTTP_OK, &page);
    }
    apr_table_setn(r->headers_out, "Location",
                   stepup_site_url(r, dc, to->return_to));
    return HTTP_SEE_OTHER;
}

static int grant(request_rec *r, const stepup_dir_conf *dc,
                 const stepup_page_args *to)
{
    apr_int64_t expires = 0;
    int rc = stepup_issue_token(r, dc, STEPUP_ACR_PWD, STEPUP_AMR_PWD,
                                &expires);

    if (rc == HTTP_BAD_REQUEST)
        return refuse(r, HTTP_BAD_REQUEST, to, "refused: no session "
                      "cookie to bind the token to", "Your session cookie "
                      "is missing. Sign in again, then confirm.");
    if (rc != OK)
        return rc;
    stepup_log_attempt(r, "password", "pwd", "ok");
    return granted(r, dc, to, expires);
}

#define UNAVAILABLE "Confirming is unavailable right now. Try again later."

/* One attempt of the user's (StepupMaxAttempts), then the providers. */
static int check(request_rec *r, const stepup_dir_conf *dc,
                 const char *password, const stepup_page_args *to)
{
    apr_int64_t retry_after = 0;

    switch (stepup_throttle_attempt(r, dc, &retry_after)) {
    case STEPUP_THROTTLE_UNAVAILABLE:
        return refuse(r, HTTP_SERVICE_UNAVAILABLE, to,
                      "refused: cache unavailable", UNAVAILABLE);
    case STEPUP_THROTTLE_LOCKED:
        apr_table_setn(r->err_headers_out, "Retry-After",
                       apr_psprintf(r->pool, "%" APR_INT64_T_FMT,
                                    retry_after));
        return refuse(r, HTTP_TOO_MANY_REQUESTS, to,
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
            return refuse(r, HTTP_SERVICE_UNAVAILABLE, to,
                          "refused: cache unavailable", UNAVAILABLE);
        return grant(r, dc, to);
    case AUTH_DENIED:
    case AUTH_USER_NOT_FOUND:
        /* already counted */
        return refuse(r, HTTP_UNAUTHORIZED, to,
                      "failed: wrong password", "Incorrect password.");
    default:
        return refuse(r, HTTP_SERVICE_UNAVAILABLE, to,
                      "failed: authn provider error", "Your password cannot "
                      "be checked right now. Try again later.");
    }
}

int stepup_post_password(request_rec *r)
{
    const stepup_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &stepup_module);
    stepup_page_args to = { "/", STEPUP_ACR_PWD, NULL, 1, NULL, 0,
                            STEPUP_PAGE_CONFIRM };
    apr_table_t *form;
    const char *why, *password;
    int rc;

    if ((rc = stepup_read_form(r, &form, &why)) != OK)
        return stepup_refuse(r, rc, why);
    to.return_to = stepup_return_to(apr_table_get(form, "return_to"));
    if ((why = stepup_csrf_problem(r, form)))
        return stepup_refuse(r, HTTP_FORBIDDEN, why);
    if (!(stepup_conf_methods(dc) & STEPUP_METHOD_PASSWORD))
        return stepup_refuse(r, HTTP_FORBIDDEN,
                             "password step-up is not enabled here");
    if ((rc = stepup_resume_check(r, apr_table_get(form, "resume"),
                                &to.parked, &why)) != OK)
        return stepup_refuse(r, rc, why);
    if (stepup_has_password(r, dc) == 0)
        /* nothing to check: no provider is asked about a user said to
         * have no password (a federated user) */
        return refuse(r, HTTP_FORBIDDEN, &to, "refused: the user has "
                      "no password here (StepupHasPassword)", "This account "
                      "has no password here.");
    if (!(password = apr_table_get(form, "password")))
        return stepup_refuse(r, HTTP_BAD_REQUEST,
                             "missing form field \"password\"");
    if (!*password)
        return refuse(r, HTTP_BAD_REQUEST, &to, NULL,
                      "Enter your password.");
    return check(r, dc, password, &to);
}
