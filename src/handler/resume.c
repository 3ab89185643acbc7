/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * POST resume (form fields id and csrf): sends a parked request once, as
 * it was made, after the step-up. The parked request is taken from
 * StepupCache (only one taker across a farm), then run inside httpd by an
 * internal redirect to its request-target with its method, Content-Type,
 * Content-Length and body, which the new request reads as a kept body
 * (src/httpd/kept_body.c): the application receives the original bytes,
 * once, and its answer is what the client sees. The new request goes through
 * "Require stepup" like any other, with the token the client sent.
 * A parked GET or HEAD is simply a redirect to where it went.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <http_request.h>

#include "mod_stepup.h"

#define RESUME_KEY "stepup-resume"

/* A parked request on its way: what the request it redirects to reads. */
typedef struct {
    request_rec *from;           /* the POST resume that redirected */
    char *line;                  /* the parked request's request line */
    const stepup_parked *parked;
} resuming;

void stepup_resume_insert_filter(request_rec *r)
{
    resuming *rs = NULL;

    /* the request of an internal redirect shares the pool of its origin */
    if (!r->prev || r->main)
        return;
    apr_pool_userdata_get((void **)&rs, RESUME_KEY, r->pool);
    if (!rs || rs->from != r->prev)
        return;
    rs->from = NULL;
    /* what CGI's REQUEST_URI and the like are made of; the access log
     * keeps the line of the POST resume that came in */
    r->the_request = rs->line;
    stepup_kept_body_give(r, rs->parked->body, rs->parked->body_len);
}

/* Runs the parked request in place of this one. */
static int replay(request_rec *r, const stepup_parked *p)
{
    resuming *rs = apr_pcalloc(r->pool, sizeof(*rs));

    rs->from = r;
    rs->parked = p;
    rs->line = apr_pstrcat(r->pool, p->method, " ", p->target, " ",
                           r->protocol, NULL);
    apr_pool_userdata_setn(rs, RESUME_KEY, NULL, r->pool);
    /* the body for "Require stepup" of the new request (a transaction is
     * over it), which runs before its filters are added */
    stepup_kept_body_give(r, p->body, p->body_len);
    r->method = p->method;
    r->method_number = ap_method_number_of(p->method);
    apr_table_unset(r->headers_in, "Transfer-Encoding");
    apr_table_unset(r->headers_in, "Content-Encoding");
    apr_table_setn(r->headers_in, "Content-Length",
                   apr_off_t_toa(r->pool, (apr_off_t)p->body_len));
    if (p->ctype)
        apr_table_setn(r->headers_in, "Content-Type", p->ctype);
    else
        apr_table_unset(r->headers_in, "Content-Type");
    /* the application's answer carries its own policies, not the
     * handler's (which would block its styles and scripts) */
    apr_table_unset(r->err_headers_out, "Content-Security-Policy");
    apr_table_unset(r->err_headers_out, "X-Frame-Options");
    ap_internal_redirect(p->target, r);
    return OK;
}

const char *stepup_resume_gone(request_rec *r, const char *why)
{
    return apr_pstrcat(r->pool, "This action cannot be continued: ", why,
                       ". Go back and start it again.", NULL);
}

/* A resume refused: the page saying to start again, or the reason. */
static int refuse(request_rec *r, int status, const char *why)
{
    stepup_page_args page = { "/", STEPUP_ACR_PWD, NULL, 1, NULL, 0,
                              STEPUP_PAGE_STOPPED };

    if (stepup_wants_json(r) || status != HTTP_BAD_REQUEST)
        return stepup_refuse(r, status, why);
    stepup_log_refusal(r, STEPUP_REFUSAL_REQUEST, status, why);
    page.error = stepup_resume_gone(r, why);
    return stepup_send_page(r, status, &page);
}

/* The request's own token when it is the one bound to p: a step-up that
 * answered JSON (the page's script after a passkey, an app) set it as the
 * cookie instead of keeping it beside p. NULL otherwise. */
static const char *own_bound_token(request_rec *r, const stepup_dir_conf *dc,
                                   const stepup_parked *p)
{
    const stepup_server_conf *sc =
        ap_get_module_config(r->server->module_config, &stepup_module);
    const char *value = stepup_request_token(r, dc);
    char bind[STEPUP_BIND_LEN + 1], txn[STEPUP_TXN_LEN + 1];
    stepup_policy pol;
    stepup_token t;

    if (!value || !*value || stepup_parked_txn(p, NULL, txn) != 0)
        return NULL;
    stepup_request_policy(r, dc, stepup_conf_max_age(dc), p->acr, bind,
                          &pol);
    if (stepup_verify_request_token(r, sc->keys, value, &pol, &t)
            != STEPUP_TOKEN_TXN_UNEXPECTED
        || stepup_token_check_txn(&t, &pol, txn) != STEPUP_TOKEN_OK)
        return NULL;
    return value;
}

/* DECLINED when the request carries a token that the parked request's
 * location will take (its level, fresh enough); else the way to one is
 * answered (the confirm page for it), and the parked request stays. */
static int needs_confirmation(request_rec *r, const stepup_dir_conf *dc,
                              const stepup_parked *p)
{
    apr_int64_t max_age = p->max_age > 0 ? p->max_age
                                         : stepup_conf_max_age(dc);
    stepup_token t;
    const char *url;

    /* a one-time location takes only the token bound to this request,
     * which the step-up that resumes it leaves beside it (or in the
     * cookie, after a JSON answer) */
    if (p->max_age == 0 ? stepup_bound_token_ready(r, p)
                          || own_bound_token(r, dc, p)
        : stepup_has_current_token(r, dc, max_age, &t) && t.acr >= p->acr)
        return DECLINED;
    url = apr_pstrcat(r->pool, stepup_conf_confirm_url(dc), "?resume=",
                      p->id, "&acr=", stepup_acr_name(p->acr), NULL);
    stepup_log_refusal(r, STEPUP_REFUSAL_REQUEST, HTTP_UNAUTHORIZED,
                       "no step-up token that the action's location takes");
    if (stepup_wants_json(r))
        return stepup_send_json(r, HTTP_UNAUTHORIZED, json_pack(
            "{s:b, s:s, s:s, s:s}", "ok", 0, "error", "confirm first (at "
            "the level the action needs)", "acr", stepup_acr_name(p->acr),
            "confirm_url", url));
    apr_table_setn(r->headers_out, "Location", stepup_site_url(r, dc, url));
    return HTTP_SEE_OTHER;
}

int stepup_post_resume(request_rec *r)
{
    const stepup_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &stepup_module);
    const char *why, *id;
    stepup_parked *p;
    apr_table_t *form;
    int rc;

    if ((rc = stepup_read_form(r, &form, &why)) != OK)
        return stepup_refuse(r, rc, why);
    if ((why = stepup_csrf_problem(r, form)))
        return stepup_refuse(r, HTTP_FORBIDDEN, why);
    id = apr_table_get(form, "id");
    /* looked at first: a request without the token it needs would be
     * denied again, and the parked one lost */
    if ((rc = stepup_parked_get(r, dc, id, 0, &p, &why)) != OK)
        return refuse(r, rc, why);
    if ((rc = needs_confirmation(r, dc, p)) != DECLINED)
        return rc;
    if ((rc = stepup_parked_get(r, dc, id, 1, &p, &why)) != OK)
        return refuse(r, rc, why);
    ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, "STEPUP0182: user %s from "
                  "%s: resumes %s %s (parked as %s)",
                  ap_escape_logitem(r->pool, r->user), r->useragent_ip,
                  ap_escape_logitem(r->pool, p->method),
                  ap_escape_logitem(r->pool, p->target), p->id);
    if (p->max_age == 0) {
        const char *bound = stepup_bound_token_take(r, p);

        if (!bound)
            bound = own_bound_token(r, dc, p);

        if (!bound)
            return refuse(r, HTTP_BAD_REQUEST, "the confirmation of this "
                          "action has expired");
        apr_table_setn(r->notes, STEPUP_BOUND_TOKEN_NOTE, bound);
        return replay(r, p);
    }
    if (!strcmp(p->method, "GET") || !strcmp(p->method, "HEAD")) {
        apr_table_setn(r->headers_out, "Location",
                       stepup_site_url(r, dc, p->target));
        return HTTP_SEE_OTHER;
    }
    return replay(r, p);
}

int stepup_resume_check(request_rec *r, const char *id,
                      const stepup_parked **parked, const char **why)
{
    const stepup_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &stepup_module);
    stepup_parked *p = NULL;
    int rc;

    *parked = NULL;
    if (!id || !*id)
        return OK;
    if ((rc = stepup_parked_get(r, dc, id, 0, &p, why)) != OK)
        return rc;
    *parked = p;
    return OK;
}

void stepup_resume_json(request_rec *r, json_t *answer,
                        const stepup_parked *parked)
{
    const stepup_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &stepup_module);

    if (!answer || !parked)
        return;
    json_object_set_new(answer, "resume", json_string(parked->id));
    json_object_set_new(answer, "resume_url", json_string(apr_pstrcat(
        r->pool, stepup_conf_confirm_url(dc), "resume", NULL)));
    json_object_set_new(answer, "method", json_string(parked->method));
    json_object_set_new(answer, "target", json_string(parked->target));
}
