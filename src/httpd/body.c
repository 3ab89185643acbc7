/*
 * POST bodies of the confirm pages, read with a bound: forms
 * (application/x-www-form-urlencoded) and JSON (jansson). Form fields are
 * split on '&' and '=' and decoded by APR's
 * apr_punescape_url, which refuses bad %-escapes and %00; httpd's
 * ap_parse_form_data would decode those silently, and a malformed body
 * must be a 400, not a guess.
 */
#include <httpd.h>
#include <apr_escape.h>
#include <apr_strings.h>
#include <http_protocol.h>
#include <jansson.h>

#include "mod_stepup.h"

static int has_type(request_rec *r, const char *type)
{
    const char *ct = apr_table_get(r->headers_in, "Content-Type");
    size_t n = strlen(type);

    return ct && !strncasecmp(ct, type, n)
        && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
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
    apr_table_t *fields = apr_table_make(r->pool, 4);
    char *body, *pair, *last = NULL;
    apr_size_t len;
    int rc;

    if (!has_type(r, "application/x-www-form-urlencoded")) {
        *why = "expected an application/x-www-form-urlencoded body";
        return HTTP_BAD_REQUEST;
    }
    if ((rc = read_body(r, STEPUP_FORM_MAX, &body, &len, why)) != OK)
        return rc;
    if (strlen(body) != len) {
        *why = "NUL byte in the request body";
        return HTTP_BAD_REQUEST;
    }
    for (pair = apr_strtok(body, "&", &last); pair;
         pair = apr_strtok(NULL, "&", &last)) {
        char *eq = strchr(pair, '=');
        const char *name, *value;

        if (eq)
            *eq = '\0';
        name = apr_punescape_url(r->pool, pair, NULL, NULL, 1);
        value = apr_punescape_url(r->pool, eq ? eq + 1 : "", NULL, NULL, 1);
        if (!name || !value) {
            *why = "malformed URL-encoding in the request body";
            return HTTP_BAD_REQUEST;
        }
        if (!*name) {
            *why = "a form field has no name";
            return HTTP_BAD_REQUEST;
        }
        if (apr_table_get(fields, name)) {
            *why = apr_psprintf(r->pool, "form field \"%s\" is given twice",
                                name);
            return HTTP_BAD_REQUEST;
        }
        apr_table_setn(fields, name, value);
    }
    *form = fields;
    return OK;
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

int stepup_read_json(request_rec *r, json_t **out, const char **why)
{
    json_error_t error;
    char *body;
    apr_size_t len;
    json_t *doc;
    int rc;

    if ((rc = stepup_read_json_text(r, &body, &len, why)) != OK)
        return rc;
    doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &error);
    if (!doc) {
        *why = apr_psprintf(r->pool, "malformed JSON body: %s (line %d)",
                            error.text, error.line);
        return HTTP_BAD_REQUEST;
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        *why = "the JSON body must be an object";
        return HTTP_BAD_REQUEST;
    }
    /* freed with the request */
    apr_pool_cleanup_register(r->pool, doc, stepup_json_release, apr_pool_cleanup_null);
    *out = doc;
    return OK;
}

apr_status_t stepup_json_release(void *doc)
{
    json_decref(doc);
    return APR_SUCCESS;
}
