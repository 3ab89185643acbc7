/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * How the endpoints answer: JSON for scripts, plain text or a page for
 * browsers, and the one way a request is refused (a log line of one shape
 * and the reason in the answer).
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_protocol.h>
#include <jansson.h>

#include "mod_stepup.h"

int stepup_wants_json(request_rec *r)
{
    const char *accept = apr_table_get(r->headers_in, "Accept");

    return accept && ap_strcasestr(accept, "application/json") != NULL;
}

int stepup_send_json(request_rec *r, int status, json_t *json_object)
{
    json_t *o = json_object;
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;

    json_decref(o);
    if (!text)
        return HTTP_INTERNAL_SERVER_ERROR;
    r->status = status;
    ap_set_content_type(r, "application/json");
    ap_rputs(text, r);
    ap_rputc('\n', r);
    free(text);
    return OK;
}

const stepup_refusal stepup_refusal_request = {
    STEPUP_REFUSAL_REQUEST, 0, NULL
};

/* One shape for every kind, "TAG: METHOD URI: STATUS WHY"; the tag says
 * which kind, and the notices of a change to a user's passkeys name the
 * user. The reason may quote what the client sent: escaped like the URI. */
void stepup_log_refusal(request_rec *r, stepup_refusal_kind kind,
                        int status, const char *why)
{
    switch (kind) {
    case STEPUP_REFUSAL_REQUEST:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "STEPUP0101: %s %s: %d "
                      "%s", r->method, ap_escape_logitem(r->pool, r->uri),
                      status, ap_escape_logitem(r->pool, why));
        break;
    case STEPUP_REFUSAL_REGISTRATION:
        ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, "STEPUP0070: %s %s: %d "
                      "%s (user %s)", r->method,
                      ap_escape_logitem(r->pool, r->uri), status,
                      ap_escape_logitem(r->pool, why),
                      ap_escape_logitem(r->pool, r->user));
        break;
    case STEPUP_REFUSAL_CHANGE:
        ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, "STEPUP0141: %s %s: %d "
                      "%s (user %s)", r->method,
                      ap_escape_logitem(r->pool, r->uri), status,
                      ap_escape_logitem(r->pool, why),
                      ap_escape_logitem(r->pool, r->user));
        break;
    default:
        break;
    }
}

int stepup_refuse_as(request_rec *r, const stepup_refusal *how, int status,
                     const char *why)
{
    json_t *o;

    stepup_log_refusal(r, how->kind, status, why);
    if (how->json || stepup_wants_json(r)) {
        o = json_pack("{s:b, s:s}", "ok", 0, "error", why);
        if (o && how->extra)
            json_object_update(o, how->extra);
        json_decref(how->extra);
        return stepup_send_json(r, status, o);
    }
    json_decref(how->extra);
    r->status = status;
    ap_set_content_type(r, "text/plain; charset=utf-8");
    ap_rvputs(r, why, "\n", NULL);
    return OK;
}

int stepup_refuse(request_rec *r, int status, const char *why)
{
    return stepup_refuse_as(r, &stepup_refusal_request, status, why);
}
