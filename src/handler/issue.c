/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The step-up of a request: the token it already carries, the token a
 * confirmation earns (minted, marked for one-time locations, set as the
 * cookie), and the one log line of every attempt.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_protocol.h>

#include "mod_stepup.h"

void stepup_log_attempt(request_rec *r, const char *method, const char *acr,
                        const char *outcome)
{
    /* notice: always logged, whatever LogLevel says */
    /* outcomes may quote what the client sent: escaped like the user */
    ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, "STEPUP0100: user %s from "
                  "%s: step-up by %s (acr %s): %s",
                  ap_escape_logitem(r->pool, r->user), r->useragent_ip,
                  method, acr, ap_escape_logitem(r->pool, outcome));
}

int stepup_has_current_token(request_rec *r, const stepup_dir_conf *dc,
                             apr_int64_t max_age, stepup_token *t)
{
    const stepup_server_conf *sc =
        ap_get_module_config(r->server->module_config, &stepup_module);
    const char *value = stepup_request_token(r, dc);
    char bind[STEPUP_BIND_LEN + 1];
    stepup_policy pol;
    stepup_token scratch;

    if (!value || !*value)
        return 0;
    stepup_request_policy(r, dc, max_age, STEPUP_ACR_PWD, bind, &pol);
    return stepup_verify_request_token(r, sc->keys, value, &pol,
                                       t ? t : &scratch) == STEPUP_TOKEN_OK;
}

int stepup_has_recent_token(request_rec *r, const stepup_dir_conf *dc,
                            stepup_token *t)
{
    return stepup_has_current_token(r, dc, stepup_conf_max_age(dc), t);
}

/* The token of a step-up that resumes a parked one-time request: a v2
 * token bound to its transaction and marked once, kept for POST resume
 * (a browser: a form, or the page's script, which says X-Stepup-Page) or
 * set as the cookie (an API client, which repeats the request itself). The browser's cookie is the unmarked v1 token: its
 * step-up stands for ordinary locations, and opens no one-time one. */
static int issue_bound(request_rec *r, const stepup_dir_conf *dc,
                       const stepup_parked *parked, stepup_token *t,
                       const char *v1, apr_int64_t lifetime)
{
    const stepup_server_conf *sc =
        ap_get_module_config(r->server->module_config, &stepup_module);
    const char *v2;
    int rc;

    if (stepup_parked_txn(parked, NULL, t->txn) != 0
        || !(v2 = stepup_token_mint(r->pool, sc->keys, t)))
        return HTTP_INTERNAL_SERVER_ERROR;
    if ((rc = stepup_once_mark(r, v2, t->expires)) != OK)
        return rc;
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "STEPUP0106: user %s: "
                  "step-up (%s) bound to %s %s (parked as %s, txn %s)",
                  ap_escape_logitem(r->pool, r->user),
                  stepup_acr_name(t->acr),
                  ap_escape_logitem(r->pool, parked->method),
                  ap_escape_logitem(r->pool, parked->target), parked->id,
                  t->txn);
    /* the page's script asks for JSON too, and sends POST resume next */
    if (stepup_wants_json(r)
        && !apr_table_get(r->headers_in, "X-Stepup-Page")) {
        stepup_set_cookie(r, dc, v2, lifetime);
        return OK;
    }
    if ((rc = stepup_bound_token_keep(r, parked, v2, t->expires)) != OK)
        return rc;
    stepup_set_cookie(r, dc, v1, lifetime);
    return OK;
}

int stepup_issue_token(request_rec *r, const stepup_dir_conf *dc,
                       stepup_acr acr, stepup_amr amr,
                       const stepup_parked *parked, apr_int64_t *expires)
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
    if (expires)
        *expires = t.expires;
    if (parked && parked->max_age == 0)
        return issue_bound(r, dc, parked, &t, token, lifetime);
    if ((rc = stepup_once_mark(r, token, t.expires)) != OK)
        return rc;
    stepup_set_cookie(r, dc, token, lifetime);
    return OK;
}
