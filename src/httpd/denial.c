/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * What a client denied by "Require stepup" sees (doc/endpoints.md section 1): a browser
 * navigation is sent to the confirm page; anything else gets the RFC 9470
 * challenge with a JSON body. An authz provider cannot answer itself, so
 * it records the denial and the note_auth_failure hook, which httpd runs
 * only when authorization as a whole failed, builds the answer in place of
 * the primary authentication's own challenge.
 */
#include <httpd.h>
#include <string.h>

#include <apr_escape.h>
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <http_request.h>
#include <jansson.h>

#include "mod_stepup.h"
#include "stepup_returnto.h"

/* Why a request was denied: the strictest of the lines that denied it. */
typedef struct {
    stepup_acr acr;
    apr_int64_t max_age;
    int json;            /* answered with the JSON challenge */
    int see_other;       /* a form sent to the confirm page: 303 */
} denial_rec;

void stepup_record_denial(request_rec *r, stepup_acr acr, apr_int64_t max_age)
{
    denial_rec *d = ap_get_module_config(r->request_config, &stepup_module);

    if (!d) {
        d = apr_pcalloc(r->pool, sizeof(*d));
        d->acr = acr;
        d->max_age = max_age;
        ap_set_module_config(r->request_config, &stepup_module, d);
        return;
    }
    /* several lines denied (RequireAny): ask for the strictest */
    if (acr > d->acr)
        d->acr = acr;
    if (max_age < d->max_age)
        d->max_age = max_age;
}

/* A top-level or frame navigation, which can follow a redirect to a page
 * (doc/endpoints.md section 1): a link (GET or HEAD), or a form sent with
 * a body (which is parked, or the page says to send it again). Browsers
 * without Sec-Fetch-* are judged by Accept. */
static int is_navigation(request_rec *r, const stepup_dir_conf *dc)
{
    const char *mode, *accept;

    /* without StepupResume a form's body would be lost: the JSON answer */
    if (r->method_number != M_GET
        && !(stepup_conf_resume(dc) && ap_request_has_body(r)))
        return 0;
    mode = apr_table_get(r->headers_in, "Sec-Fetch-Mode");
    if (mode)
        return !strcasecmp(mode, "navigate");
    accept = apr_table_get(r->headers_in, "Accept");
    return accept && ap_strcasestr(accept, "text/html") != NULL;
}

/* Where a form that was not kept came from, to go back to after
 * confirming and submit it again: the Referer when it is a page of this
 * site, else the form's own target. */
static const char *form_page(request_rec *r, const stepup_dir_conf *dc)
{
    const char *ref = apr_table_get(r->headers_in, "Referer");
    const char *const *origins;
    int i, n = 0;

    origins = ref ? stepup_accepted_origins(r, dc, &n) : NULL;
    for (i = 0; i < n; i++) {
        size_t len = strlen(origins[i]);

        if (!strncmp(ref, origins[i], len) && ref[len] == '/')
            return stepup_return_to(ref + len);
    }
    return stepup_request_target(r);
}

/* StepupConfirmURL?return_to=<path and query as received>[&acr=LEVEL],
 * with &resume=ID for a parked request, or &resubmit=1 and the form's page
 * for a form that was not kept. */
static const char *confirm_location(request_rec *r, const denial_rec *d,
                                    const char *resume, int resubmit)
{
    const stepup_dir_conf *dc = ap_get_module_config(r->per_dir_config,
                                                     &stepup_module);
    const char *back = resubmit ? form_page(r, dc) : stepup_request_target(r);
    const char *url = apr_pstrcat(r->pool, stepup_conf_confirm_url(dc),
                                  "?return_to=",
                                  apr_pescape_urlencoded(r->pool, back),
                                  resume ? "&resume=" : "",
                                  resume ? resume : "",
                                  resubmit ? "&resubmit=1" : "", NULL);

    if (d->acr > STEPUP_ACR_PWD)
        url = apr_pstrcat(r->pool, url, "&acr=", stepup_acr_name(d->acr),
                          NULL);
    return url;
}

static const char *describe(const denial_rec *d)
{
    switch (d->acr) {
    case STEPUP_ACR_PHRH:
        return "Confirm your identity with a hardware security key";
    case STEPUP_ACR_PHR:
        return "Confirm your identity with a passkey";
    default:
        return "Confirm your identity to continue";
    }
}

/* The JSON body, with the parked request's id or why it was not kept. */
static const char *json_body(request_rec *r, const denial_rec *d,
                             const char *confirm_url, const char *resume,
                             const char *unkept)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s?, s:s?}",
                          "error", "insufficient_user_authentication",
                          "error_description", describe(d),
                          "confirm_url", confirm_url,
                          "acr_values", stepup_acr_name(d->acr),
                          "max_age", (json_int_t)d->max_age,
                          "resume", resume, "resume_error", unkept);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    const char *copy;

    json_decref(o);
    if (!text)
        return "{\"error\":\"insufficient_user_authentication\"}";
    copy = apr_pstrdup(r->pool, text);
    free(text);
    return copy;
}

/* Parks the request when it has a body or the location is one-time:
 * *id, or *unkept saying why its body was not kept (NULL: nothing to
 * keep, or it could not be stored: the denial goes on as without). */
static void park(request_rec *r, const stepup_dir_conf *dc,
                 const denial_rec *d, int again, const char **id,
                 const char **unkept)
{
    const char *why = NULL;

    *id = *unkept = NULL;
    /* a request resumed from a parked one is not parked again (unless
     * again: its application asks for more); a link followed needs no
     * keeping: the browser follows return_to */
    if (!stepup_conf_resume(dc) || (r->prev && !again) || r->main
        || (!ap_request_has_body(r)
            && (d->max_age != 0 || is_navigation(r, dc))))
        return;
    if (stepup_park(r, dc, d->acr, d->max_age, id, &why) == OK)
        return;
    if (ap_request_has_body(r))
        *unkept = why;
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "STEPUP0181: user %s: %s %s "
                  "not parked: %s", ap_escape_logitem(r->pool, r->user),
                  r->method,
                  ap_escape_logitem(r->pool, stepup_request_target(r)), why);
}

/* The answer to r denied as d says (stepup_denial_answer). */
static int answer(request_rec *r, const denial_rec *d, int again,
                  const char **text)
{
    const stepup_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &stepup_module);
    const char *url, *id, *unkept;

    park(r, dc, d, again, &id, &unkept);
    url = confirm_location(r, d, id, unkept != NULL);
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    if (is_navigation(r, dc)) {
        *text = stepup_site_url(r, dc, url);
        /* after a form, 303 says plainly that the page is to be got */
        return r->method_number != M_GET ? HTTP_SEE_OTHER
                                         : HTTP_MOVED_TEMPORARILY;
    }
    apr_table_setn(r->err_headers_out, "WWW-Authenticate",
                   apr_psprintf(r->pool, "Bearer error=\"insufficient_user_"
                                "authentication\", error_description=\"%s\", "
                                "acr_values=\"%s\", max_age=%" APR_INT64_T_FMT,
                                describe(d), stepup_acr_name(d->acr),
                                d->max_age));
    *text = json_body(r, d, url, id, unkept);
    return HTTP_UNAUTHORIZED;
}

int stepup_denial_answer(request_rec *r, stepup_acr acr,
                         apr_int64_t max_age, int again, const char **text)
{
    denial_rec d = { acr, max_age, 0, 0 };

    return answer(r, &d, again, text);
}

int stepup_note_auth_failure(request_rec *r, const char *auth_type)
{
    denial_rec *d = ap_get_module_config(r->request_config, &stepup_module);
    const char *text;
    int status;

    if (!d)
        return DECLINED; /* not ours: the primary authentication answers */
    status = answer(r, d, 0, &text);
    /* ap_die turns a custom 401 response that is a URL into a 302 (the
     * filter below makes it a 303 after a form); text that is neither a
     * URL nor a path becomes the response body */
    d->see_other = status == HTTP_SEE_OTHER;
    d->json = status == HTTP_UNAUTHORIZED;
    ap_custom_response(r, HTTP_UNAUTHORIZED, text);
    return OK;
}

void stepup_insert_error_filter(request_rec *r)
{
    denial_rec *d = ap_get_module_config(r->request_config, &stepup_module);

    if (d && ((d->json && r->status == HTTP_UNAUTHORIZED)
              || (d->see_other && r->status == HTTP_MOVED_TEMPORARILY)))
        ap_add_output_filter(STEPUP_JSON_ERROR_FILTER, d, r, r->connection);
}

/* httpd labels every error body text/html; ours is JSON. The redirect of
 * a form becomes a 303 here, before the status line is written. */
apr_status_t stepup_json_error_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    const denial_rec *d = f->ctx;

    if (d && d->see_other) {
        f->r->status = HTTP_SEE_OTHER;
        f->r->status_line = NULL;
    }
    else
        ap_set_content_type(f->r, "application/json");
    ap_remove_output_filter(f);
    return ap_pass_brigade(f->next, bb);
}
