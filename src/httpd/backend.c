/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * StepupBackendChallenge On: the application behind a location (a proxied
 * backend, CGI, PHP) asks for step-up itself, by answering 401 with an
 * RFC 9470 challenge, and the module answers that as it answers a denial
 * by "Require stepup" (denial.c), at the level and max-age the challenge
 * names: a browser navigation is parked and sent to the confirm page, an
 * API client gets the module's 401 with resume and confirm_url.
 *
 * Before the handler runs, the request's body is kept (kept_body.c) so
 * that it can still be parked after the application has read it, and a
 * token the request carries is checked as "Require stepup" checks it,
 * without denying, so that the application sees STEPUP_USER and the rest
 * and can decide whether the step-up it has is enough.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_protocol.h>
#include <http_request.h>

#include "mod_stepup.h"
#include "stepup_challenge.h"

/* What the filter decided on the answer's first brigade. */
typedef struct {
    int replaced;                /* the application's answer is dropped */
} backend_ctx;

/* A token of the request, valid at the lowest level and StepupMaxAge (or
 * a transaction-bound one for this request, then spent): its STEPUP_*
 * variables for the application. Refused tokens are only logged. */
static void offer_token(request_rec *r, const stepup_dir_conf *dc)
{
    const stepup_server_conf *sc =
        ap_get_module_config(r->server->module_config, &stepup_module);
    char bind[STEPUP_BIND_LEN + 1];
    stepup_policy pol;
    const char *value;
    int spent;

    /* "Require stepup" at this location granted (and spent) it already */
    if (!sc->keys || apr_table_get(r->subprocess_env, "STEPUP_USER"))
        return;
    value = stepup_request_token(r, dc);
    if (!value || !*value)
        return;
    stepup_request_policy(r, dc, stepup_conf_max_age(dc), STEPUP_ACR_PWD,
                          bind, &pol);
    stepup_token_grant(r, sc->keys, value, &pol, 0, &spent);
}

int stepup_backend_fixups(request_rec *r)
{
    const stepup_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &stepup_module);
    const char *body;
    apr_size_t len;

    /* without a signed-in user there is no step-up to ask for */
    if (!stepup_conf_backend_challenge(dc) || !r->user || r->main)
        return DECLINED;
    /* read ahead: the handler reads the same bytes from the kept body, and
     * a longer body goes on from the connection (it cannot be parked) */
    if (stepup_conf_resume(dc) && ap_request_has_body(r))
        stepup_kept_body(r, stepup_conf_resume_limit(dc), &body, &len);
    offer_token(r, dc);
    ap_add_output_filter(STEPUP_BACKEND_FILTER, NULL, r, r->connection);
    return DECLINED;
}

/* The challenge found in a WWW-Authenticate field. */
typedef struct {
    stepup_acr acr;
    int64_t max_age;
    int found;
} found_challenge;

static int look_at(void *rec, const char *key, const char *value)
{
    found_challenge *c = rec;

    c->found = stepup_challenge_parse(value, &c->acr, &c->max_age) == 0;
    return !c->found;
}

/* 1 when the application's 401 carries an RFC 9470 step-up challenge
 * (CGI puts its headers in err_headers_out, mod_proxy in headers_out). */
static int challenged(request_rec *r, found_challenge *c)
{
    c->found = 0;
    if (r->status != HTTP_UNAUTHORIZED)
        return 0;
    apr_table_do(look_at, c, r->headers_out, "WWW-Authenticate", NULL);
    if (!c->found)
        apr_table_do(look_at, c, r->err_headers_out, "WWW-Authenticate",
                     NULL);
    return c->found;
}

/* The module's denial in place of the application's answer. */
static apr_status_t replace(ap_filter_t *f, const found_challenge *c)
{
    request_rec *r = f->r;
    const stepup_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &stepup_module);
    apr_int64_t max_age = c->max_age >= 0 ? (apr_int64_t)c->max_age
                                          : stepup_conf_max_age(dc);
    apr_bucket_brigade *out = apr_brigade_create(r->pool,
                                                 f->c->bucket_alloc);
    const char *text;

    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "STEPUP0190: user %s: the "
                  "application asks for step-up (%s, max-age %" APR_INT64_T_FMT
                  ") for %s %s", ap_escape_logitem(r->pool, r->user),
                  stepup_acr_name(c->acr), max_age,
                  ap_escape_logitem(r->pool, r->method),
                  ap_escape_logitem(r->pool, r->uri));
    /* its headers describe the answer that is dropped */
    apr_table_clear(r->headers_out);
    apr_table_unset(r->err_headers_out, "WWW-Authenticate");
    apr_table_unset(r->err_headers_out, "Location");
    apr_table_unset(r->err_headers_out, "Content-Length");
    r->status = stepup_denial_answer(r, c->acr, max_age, 1, &text);
    r->status_line = NULL;
    if (r->status == HTTP_UNAUTHORIZED) {
        ap_set_content_type(r, "application/json");
        APR_BRIGADE_INSERT_TAIL(out, apr_bucket_pool_create(
            text, strlen(text), r->pool, f->c->bucket_alloc));
        ap_set_content_length(r, (apr_off_t)strlen(text));
    }
    else {
        apr_table_setn(r->headers_out, "Location", text);
        r->content_type = NULL;
        ap_set_content_length(r, 0);
    }
    APR_BRIGADE_INSERT_TAIL(out, apr_bucket_eos_create(f->c->bucket_alloc));
    return ap_pass_brigade(f->next, out);
}

apr_status_t stepup_backend_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    backend_ctx *ctx = f->ctx;
    found_challenge c;

    if (ctx) {
        /* the rest of the application's answer, already replaced */
        apr_brigade_cleanup(bb);
        return APR_SUCCESS;
    }
    if (!challenged(f->r, &c)) {
        ap_remove_output_filter(f);
        return ap_pass_brigade(f->next, bb);
    }
    f->ctx = ctx = apr_pcalloc(f->r->pool, sizeof(*ctx));
    ctx->replaced = 1;
    apr_brigade_cleanup(bb);
    return replace(f, &c);
}
