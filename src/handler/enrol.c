/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Who may change a user's passkeys. Adding, removing or
 * renaming one needs a recent step-up of at least StepupEnrollACR and at
 * least the level of the strongest passkey the user already has: whoever
 * holds the password and the session (a phishing proxy gets both) must
 * not be able to add their own key next to a security key, or remove it.
 * A user with neither a password nor a passkey has nothing to confirm
 * with; they may add a first passkey without a token only where the
 * federated bootstrap is allowed.
 */
#include <httpd.h>
#include <apr_escape.h>
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <jansson.h>

#include "mod_stepup.h"

stepup_acr stepup_enrol_level(const stepup_dir_conf *dc,
                              const apr_array_header_t *creds)
{
    stepup_acr need = stepup_conf_enroll_acr(dc);
    int i;

    for (i = 0; i < creds->nelts; i++) {
        const stepup_credential *c =
            APR_ARRAY_IDX(creds, i, stepup_credential *);

        if (c->level > need)
            need = c->level;
    }
    return need;
}

/*
 * The one place that decides the federated bootstrap. Today only the
 * administrator's word (StepupMethods ... bootstrap) allows it: it trusts
 * the session alone, so whoever steals a session of a user who has not
 * enrolled yet registers their own passkey. The primary sign-in's own
 * auth_time (StepupPrimaryAuthTime within StepupMaxAge) is the
 * other way in, to be added here.
 */
int stepup_bootstrap_allowed(request_rec *r, const stepup_dir_conf *dc)
{
    (void)r;
    return (stepup_conf_methods(dc) & STEPUP_METHOD_BOOTSTRAP) != 0;
}

/* The strongest level this user can confirm at here, 0 for none. */
static stepup_acr reachable_level(const apr_array_header_t *creds,
                                  int has_password)
{
    stepup_acr best = 0;
    int i;

    for (i = 0; i < creds->nelts; i++) {
        const stepup_credential *c =
            APR_ARRAY_IDX(creds, i, stepup_credential *);

        if (c->level > best)
            best = c->level;
    }
    if (!best && has_password)
        best = STEPUP_ACR_PWD;
    return best;
}

static const char *with_what(stepup_acr acr)
{
    switch (acr) {
    case STEPUP_ACR_PHRH:
        return "a hardware security key";
    case STEPUP_ACR_PHR:
        return "a passkey";
    default:
        return "your password or a passkey";
    }
}

int stepup_enrol_check(request_rec *r, const stepup_dir_conf *dc,
                       const apr_array_header_t *creds, stepup_acr *needed,
                       int *bootstrap, const char **why)
{
    stepup_token t;
    int has_password = 1, token = stepup_has_recent_token(r, dc, &t);

    *needed = stepup_enrol_level(dc, creds);
    *bootstrap = 0;
    if (token && t.acr >= *needed)
        return OK;
    if (creds->nelts == 0) {
        /* decided without checking a password; an error is never a
         * bootstrap */
        if ((has_password = stepup_has_password(r, dc)) < 0) {
            *why = "cannot tell right now whether this account has a "
                   "password; try again later";
            return HTTP_SERVICE_UNAVAILABLE;
        }
        if (!has_password) {
            if (stepup_bootstrap_allowed(r, dc)) {
                *bootstrap = 1;
                return OK;
            }
            *why = "this account has no password and no passkey here, and "
                   "a first passkey cannot be added without a confirmation "
                   "(StepupMethods has no bootstrap): ask the site's "
                   "administrator";
            return HTTP_FORBIDDEN;
        }
    }
    if (reachable_level(creds, has_password) < *needed) {
        *why = apr_psprintf(r->pool, "changing passkeys here needs a "
                            "confirmation with %s (StepupEnrollACR %s), "
                            "which this account does not have: ask the "
                            "site's administrator", with_what(*needed),
                            stepup_acr_name(*needed));
        return HTTP_FORBIDDEN;
    }
    *why = !token || *needed == STEPUP_ACR_PWD
        ? "confirm your identity first"
        : apr_psprintf(r->pool, "confirm your identity with %s first: "
                       "changing passkeys needs level %s",
                       with_what(*needed), stepup_acr_name(*needed));
    return HTTP_UNAUTHORIZED;
}

const char *stepup_enrol_confirm_url(request_rec *r,
                                     const stepup_dir_conf *dc,
                                     stepup_acr acr, const char *back)
{
    const char *base = stepup_conf_confirm_url(dc);
    const char *manage = apr_pstrcat(r->pool, base, "manage", back
        ? apr_pstrcat(r->pool, "?return_to=",
                      apr_pescape_urlencoded(r->pool, back), NULL)
        : "", NULL);

    return apr_pstrcat(r->pool, base, "?return_to=",
                       apr_pescape_urlencoded(r->pool, manage),
                       acr > STEPUP_ACR_PWD ? "&acr=" : "",
                       acr > STEPUP_ACR_PWD ? stepup_acr_name(acr) : "",
                       NULL);
}

int stepup_enrol_refuse(request_rec *r, const stepup_dir_conf *dc,
                        int status, stepup_acr needed, const char *why)
{
    stepup_refusal answer = { STEPUP_REFUSAL_LOGGED, 0, NULL };
    const char *acr = stepup_acr_name(needed);

    stepup_log_refusal(r, STEPUP_REFUSAL_CHANGE, status, apr_pstrcat(
        r->pool, why, " (level ", acr, " needed)", NULL));
    if (status != HTTP_UNAUTHORIZED)
        answer.extra = json_pack("{s:s}", "acr", acr);
    else if (!stepup_wants_json(r)) {
        /* a form of the manage page: confirm at that level, then back to
         * the page */
        apr_table_setn(r->headers_out, "Location", stepup_site_url(
            r, dc, stepup_enrol_confirm_url(r, dc, needed, NULL)));
        return HTTP_SEE_OTHER;
    }
    else {
        /* RFC 9470, as a protected location answers an API client */
        apr_table_setn(r->err_headers_out, "WWW-Authenticate",
                       apr_psprintf(r->pool, "Bearer error=\"insufficient_"
                                    "user_authentication\", acr_values=\"%s\""
                                    ", max_age=%" APR_INT64_T_FMT, acr,
                                    stepup_conf_max_age(dc)));
        answer.extra = json_pack("{s:s, s:s}", "acr", acr, "confirm_url",
                                 stepup_enrol_confirm_url(r, dc, needed,
                                                          NULL));
    }
    return stepup_refuse_as(r, &answer, status, why);
}
