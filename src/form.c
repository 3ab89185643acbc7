/*
 * POST bodies of the confirm pages: application/x-www-form-urlencoded,
 * read with a bound. Fields are split on '&' and '=' and decoded by APR's
 * apr_punescape_url, which refuses bad %-escapes and %00; httpd's
 * ap_parse_form_data would decode those silently, and a malformed body
 * must be a 400, not a guess.
 */
#include <httpd.h>
#include <apr_escape.h>
#include <apr_strings.h>
#include <http_protocol.h>

#include "mod_stepup.h"

static int is_form(const char *ct)
{
    static const char type[] = "application/x-www-form-urlencoded";
    size_t n = sizeof(type) - 1;

    return ct && !strncasecmp(ct, type, n)
        && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* The body, NUL-terminated, at most STEPUP_FORM_MAX bytes. */
static int read_body(request_rec *r, char **body, apr_size_t *len,
                     const char **why)
{
    char *buf = apr_palloc(r->pool, STEPUP_FORM_MAX + 1);
    apr_size_t got = 0;
    long n;
    int rc;

    if ((rc = ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK)) != OK) {
        *why = "unreadable request body";
        return rc;
    }
    if (r->remaining > STEPUP_FORM_MAX) {
        *why = "request body too large";
        return HTTP_REQUEST_ENTITY_TOO_LARGE;
    }
    if (ap_should_client_block(r)) {
        while ((n = ap_get_client_block(r, buf + got,
                                        STEPUP_FORM_MAX + 1 - got)) > 0) {
            got += (apr_size_t)n;
            if (got > STEPUP_FORM_MAX) {
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

    if (!is_form(apr_table_get(r->headers_in, "Content-Type"))) {
        *why = "expected an application/x-www-form-urlencoded body";
        return HTTP_BAD_REQUEST;
    }
    if ((rc = read_body(r, &body, &len, why)) != OK)
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
                                ap_escape_logitem(r->pool, name));
            return HTTP_BAD_REQUEST;
        }
        apr_table_setn(fields, name, value);
    }
    *form = fields;
    return OK;
}
