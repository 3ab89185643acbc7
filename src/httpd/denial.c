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

/* Why a request was denied: the strictest of the lines that denied it. */
typedef struct {
    stepup_acr acr;
    apr_int64_t max_age;
    int json;            /* answered with the JSON challenge */
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
 * (doc/endpoints.md section 1). Browsers without Sec-Fetch-* are judged by Accept. */
static int is_navigation(request_rec *r)
{
    const char *mode, *accept;

    if (r->method_number != M_GET) /* HEAD is M_GET too */
        return 0;
    mode = apr_table_get(r->headers_in, "Sec-Fetch-Mode");
    if (mode)
        return !strcasecmp(mode, "navigate");
    accept = apr_table_get(r->headers_in, "Accept");
    return accept && ap_strcasestr(accept, "text/html") != NULL;
}

/* StepupConfirmURL?return_to=<path and query as received>[&acr=LEVEL] */
static const char *confirm_location(request_rec *r, const denial_rec *d)
{
    const stepup_dir_conf *dc = ap_get_module_config(r->per_dir_config,
                                                     &stepup_module);
    const char *url = apr_pstrcat(r->pool, stepup_conf_confirm_url(dc),
                                  "?return_to=",
                                  apr_pescape_urlencoded(r->pool,
                                                         stepup_request_target(r)),
                                  NULL);

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

static const char *json_body(request_rec *r, const denial_rec *d,
                             const char *confirm_url)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I}",
                          "error", "insufficient_user_authentication",
                          "error_description", describe(d),
                          "confirm_url", confirm_url,
                          "acr_values", stepup_acr_name(d->acr),
                          "max_age", (json_int_t)d->max_age);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    const char *copy;

    json_decref(o);
    if (!text)
        return "{\"error\":\"insufficient_user_authentication\"}";
    copy = apr_pstrdup(r->pool, text);
    free(text);
    return copy;
}

int stepup_note_auth_failure(request_rec *r, const char *auth_type)
{
    denial_rec *d = ap_get_module_config(r->request_config, &stepup_module);
    const stepup_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &stepup_module);
    const char *url;

    if (!d)
        return DECLINED; /* not ours: the primary authentication answers */
    url = confirm_location(r, d);
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    if (is_navigation(r)) {
        /* ap_die turns a custom 401 response that is a URL into a 302 */
        ap_custom_response(r, HTTP_UNAUTHORIZED,
                           stepup_site_url(r, dc, url));
        return OK;
    }
    d->json = 1;
    apr_table_setn(r->err_headers_out, "WWW-Authenticate",
                   apr_psprintf(r->pool, "Bearer error=\"insufficient_user_"
                                "authentication\", error_description=\"%s\", "
                                "acr_values=\"%s\", max_age=%" APR_INT64_T_FMT,
                                describe(d), stepup_acr_name(d->acr),
                                d->max_age));
    /* text that is neither a URL nor a path becomes the response body */
    ap_custom_response(r, HTTP_UNAUTHORIZED, json_body(r, d, url));
    return OK;
}

void stepup_insert_error_filter(request_rec *r)
{
    denial_rec *d = ap_get_module_config(r->request_config, &stepup_module);

    if (d && d->json && r->status == HTTP_UNAUTHORIZED)
        ap_add_output_filter(STEPUP_JSON_ERROR_FILTER, NULL, r,
                             r->connection);
}

/* httpd labels every error body text/html; ours is JSON. */
apr_status_t stepup_json_error_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    ap_set_content_type(f->r, "application/json");
    ap_remove_output_filter(f);
    return ap_pass_brigade(f->next, bb);
}
