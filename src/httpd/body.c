/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * POST bodies of the confirm pages, read with a bound: forms
 * (application/x-www-form-urlencoded) and JSON. What is read is parsed by
 * the core (src/core/body_parse.c); a body it refuses is a 400.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_protocol.h>
#include <jansson.h>

#include "mod_stepup.h"
#include "stepup_body_parse.h"

static int has_type(request_rec *r, const char *type)
{
    return stepup_content_type_is(apr_table_get(r->headers_in,
                                                 "Content-Type"), type);
}

/* The body, NUL-terminated, at most max bytes. */
static int read_body(request_rec *r, apr_size_t max, char **body,
                     apr_size_t *len, const char **why)
{
    char *buf = apr_palloc(r->pool, max + 1);
    apr_size_t got = 0;
    long n;
    int rc;

    if ((rc = ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK)) != OK) {
        *why = "unreadable request body";
        return rc;
    }
    if (r->remaining > (apr_off_t)max) {
        *why = "request body too large";
        return HTTP_REQUEST_ENTITY_TOO_LARGE;
    }
    if (ap_should_client_block(r)) {
        while ((n = ap_get_client_block(r, buf + got,
                                        max + 1 - got)) > 0) {
            got += (apr_size_t)n;
            if (got > max) {
                *why = "request body too large";
                return HTTP_REQUEST_ENTITY_TOO_LARGE;
            }
        }
        if (n < 0) {
            *why = "unreadable request body";
            return HTTP_BAD_REQUEST;
        }
    }
    buf[got] = '\0';
    *body = buf;
    *len = got;
    return OK;
}

int stepup_read_form(request_rec *r, apr_table_t **form, const char **why)
{
    char *body;
    apr_size_t len;
    int rc;

    if (!has_type(r, "application/x-www-form-urlencoded")) {
        *why = "expected an application/x-www-form-urlencoded body";
        return HTTP_BAD_REQUEST;
    }
    if ((rc = read_body(r, STEPUP_FORM_MAX, &body, &len, why)) != OK)
        return rc;
    return stepup_form_parse(r->pool, body, len, form, why) == 0
        ? OK : HTTP_BAD_REQUEST;
}

int stepup_read_json_text(request_rec *r, char **body, apr_size_t *len,
                          const char **why)
{
    if (!has_type(r, "application/json")) {
        *why = "expected an application/json body";
        return HTTP_BAD_REQUEST;
    }
    return read_body(r, STEPUP_JSON_MAX, body, len, why);
}

/* The object is released with the request. */
int stepup_read_json(request_rec *r, json_t **out, const char **why)
{
    char *body;
    apr_size_t len;
    int rc;

    if ((rc = stepup_read_json_text(r, &body, &len, why)) != OK)
        return rc;
    return stepup_json_object_parse(r->pool, body, len, out, why) == 0
        ? OK : HTTP_BAD_REQUEST;
}
