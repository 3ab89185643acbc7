/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * "Require stepup [max-age=N] [acr=pwd|phr|phrh]": grants a request that
 * carries a valid re-auth token for r->user.
 */
#include <httpd.h>
#include <string.h>

#include <apr_strings.h>
#include <http_core.h>
#include <http_main.h>
#include <http_request.h>

#include "mod_stepup.h"

static const char *parse_require_line(cmd_parms *cmd, const char *line,
                                      const void **parsed)
{
    stepup_require *req = apr_pcalloc(cmd->pool, sizeof(*req));
    const char *word, *err;
    int seen_age = 0, seen_acr = 0;

    req->max_age = STEPUP_UNSET;
    req->acr = STEPUP_ACR_PWD;
    while (*line && (word = ap_getword_conf(cmd->temp_pool, &line)) && *word) {
        if (!strncmp(word, "max-age=", 8) && !seen_age++) {
            err = stepup_seconds_arg(cmd->pool, "Require stepup max-age",
                                     word + 8, 0, 86400, &req->max_age);
            if (err)
                return err;
        }
        else if (!strncmp(word, "acr=", 4) && !seen_acr++) {
            if (stepup_acr_parse(word + 4, strlen(word + 4), &req->acr) != 0)
                return apr_psprintf(cmd->pool, "Require stepup: unknown "
                                    "level \"%s\" (use acr=pwd, acr=phr or "
                                    "acr=phrh)", word + 4);
        }
        else if (!strncmp(word, "max-age=", 8) || !strncmp(word, "acr=", 4))
            return apr_psprintf(cmd->pool, "Require stepup: \"%s\" is given "
                                "twice", word);
        else
            return apr_psprintf(cmd->pool, "Require stepup: unknown argument "
                                "\"%s\" (expected max-age=SECONDS or "
                                "acr=pwd|phr|phrh)", word);
    }
    /* Lines from the main configuration are checked for a key file at
     * start-up; .htaccess lines are parsed per request and must not write
     * to the shared server record. */
    if (ap_state_query(AP_SQ_MAIN_STATE) != AP_SQ_MS_RUN_MPM) {
        stepup_server_conf *sc = ap_get_module_config(
            cmd->server->module_config, &stepup_module);

        /* httpd makes a virtual host's record for a module only when one
         * of its directives appears there; "Require" is authz_core's */
        if (!sc) {
            sc = stepup_create_server_conf(cmd->pool, cmd->server);
            ap_set_module_config(cmd->server->module_config, &stepup_module,
                                 sc);
        }
        sc->require_used = 1;
    }
    *parsed = req;
    return NULL;
}

/* A token refused: expiry is routine, anything else may be tampering. */
static void log_refused(request_rec *r, stepup_token_status st)
{
    int level = (st == STEPUP_TOKEN_EXPIRED || st == STEPUP_TOKEN_TOO_OLD
                 || st == STEPUP_TOKEN_ACR_LOW) ? APLOG_DEBUG : APLOG_INFO;

    ap_log_rerror(APLOG_MARK, level, 0, r, "STEPUP0004: user %s from %s: "
                  "step-up token refused for %s: %s",
                  ap_escape_logitem(r->pool, r->user), r->useragent_ip,
                  ap_escape_logitem(r->pool, r->uri),
                  stepup_token_status_str(st));
}

/* A token accepted: its user, level and time for the application. */
static void granted(request_rec *r, const stepup_token *tok)
{
    apr_table_setn(r->subprocess_env, "STEPUP_USER", tok->user);
    apr_table_setn(r->subprocess_env, "STEPUP_ACR",
                   stepup_acr_name(tok->acr));
    /* every granted request: apr_off_t_toa where an apr_off_t holds the
     * time (it does on 64-bit systems), not the formatter */
    apr_table_setn(r->subprocess_env, "STEPUP_AUTH_TIME",
                   sizeof(apr_off_t) >= sizeof(apr_int64_t)
                   ? apr_off_t_toa(r->pool, (apr_off_t)tok->auth_time)
                   : apr_psprintf(r->pool, "%" APR_INT64_T_FMT,
                                  tok->auth_time));
    apr_table_setn(r->subprocess_env, "STEPUP_AMR",
                   stepup_amr_name(tok->amr));
    if (tok->txn[0]) {
        apr_table_setn(r->subprocess_env, "STEPUP_TXN",
                       apr_pstrdup(r->pool, tok->txn));
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "STEPUP0009: user %s: "
                      "transaction-bound step-up token (%s, txn %s) opens "
                      "%s %s", ap_escape_logitem(r->pool, r->user),
                      stepup_acr_name(tok->acr), tok->txn, r->method,
                      ap_escape_logitem(r->pool, r->uri));
        return;
    }
    ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r, "STEPUP0005: user %s: "
                  "step-up token (%s, key %s) accepted for %s",
                  ap_escape_logitem(r->pool, r->user),
                  stepup_acr_name(tok->acr), tok->kid,
                  ap_escape_logitem(r->pool, r->uri));
}

/* A transaction-bound (v2) token, authentic and otherwise valid: it opens
 * only the request whose method, target, Content-Type and body give its
 * txn. The body is read here (and given back to the handler); one longer
 * than STEPUP_KEPT_BODY_MAX cannot be covered, so it does not match. */
static stepup_token_status check_transaction(request_rec *r,
                                             const stepup_policy *pol,
                                             const stepup_token *tok)
{
    char txn[STEPUP_TXN_LEN + 1];

    if (stepup_request_txn(r, STEPUP_KEPT_BODY_MAX, txn) != 0)
        return STEPUP_TOKEN_TXN_MISMATCH;
    return stepup_token_check_txn(tok, pol, txn);
}

authz_status stepup_token_grant(request_rec *r, const stepup_keyset *keys,
                                const char *value, const stepup_policy *pol,
                                int once, int *spent)
{
    stepup_token tok;
    stepup_token_status st;

    *spent = 0;
    st = stepup_verify_request_token(r, keys, value, pol, &tok);
    if (st == STEPUP_TOKEN_TXN_UNEXPECTED)
        st = check_transaction(r, pol, &tok);
    if (st != STEPUP_TOKEN_OK) {
        log_refused(r, st);
        return AUTHZ_DENIED;
    }
    /* a transaction-bound token is for one request, wherever it is sent */
    if (once || tok.txn[0]) {
        authz_status a = stepup_once_spend(r, value);

        if (a != AUTHZ_GRANTED) {
            *spent = a == AUTHZ_DENIED;
            return a;
        }
    }
    granted(r, &tok);
    return AUTHZ_GRANTED;
}

/* Denied: the denial page learns the level and age asked for. */
static authz_status denied(request_rec *r, const stepup_require *req,
                           const stepup_policy *pol)
{
    stepup_record_denial(r, pol->min_acr,
                         req->max_age == 0 ? 0 : pol->max_age);
    return AUTHZ_DENIED;
}

static authz_status check_authorization(request_rec *r, const char *line,
                                        const void *parsed)
{
    const stepup_require *req = parsed;
    const stepup_server_conf *sc;
    const stepup_dir_conf *dc;
    stepup_policy pol;
    authz_status st;
    const char *value;
    char bind[STEPUP_BIND_LEN + 1];
    int spent;

    if (!r->user)
        return AUTHZ_DENIED_NO_USER;
    sc = ap_get_module_config(r->server->module_config, &stepup_module);
    dc = ap_get_module_config(r->per_dir_config, &stepup_module);
    if (!sc->keys) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "STEPUP0002: "
                      "\"Require stepup\" for %s but StepupKeyFile is not "
                      "set for this server",
                      ap_escape_logitem(r->pool, r->uri));
        return AUTHZ_GENERAL_ERROR;
    }

    /* max-age=0 (once): a fresh confirmation, as StepupMaxAge says, that
     * no other one-time request has spent */
    stepup_request_policy(r, dc, req->max_age != STEPUP_UNSET
                          && req->max_age != 0 ? req->max_age
                          : stepup_conf_max_age(dc), req->acr, bind, &pol);

    value = stepup_request_token(r, dc);
    if (!value || !*value) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "STEPUP0003: user %s: "
                      "no step-up token for %s",
                      ap_escape_logitem(r->pool, r->user),
                      ap_escape_logitem(r->pool, r->uri));
        return denied(r, req, &pol);
    }
    st = stepup_token_grant(r, sc->keys, value, &pol, req->max_age == 0,
                            &spent);
    if (st != AUTHZ_DENIED)
        return st;
    /* a valid token spent already: confirm again, for one request */
    if (spent) {
        stepup_record_denial(r, pol.min_acr, 0);
        return AUTHZ_DENIED;
    }
    return denied(r, req, &pol);
}

const authz_provider stepup_authz_provider = {
    &check_authorization,
    &parse_require_line,
};
