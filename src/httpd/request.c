/*
 * What a request is, as the client sent it: its request-target and
 * whether it carries a body. Read by the denial (denial.c) and by the
 * parking of a request (park.c).
 */
#include <httpd.h>
#include <apr_strings.h>

#include "mod_stepup.h"

/* The request's path and query as the client sent them: httpd decodes
 * r->uri (and r->parsed_uri.path) in place, and a decoded "%3F" or "%23"
 * would come back as a query or a fragment. */
const char *stepup_request_target(request_rec *r)
{
    const char *raw = r->unparsed_uri ? r->unparsed_uri : "/", *hash;

    if (raw[0] != '/') {
        /* absolute-form "http://host/path?query" (or "*") */
        const char *scheme_end = ap_strstr_c(raw, "://");
        raw = scheme_end ? ap_strchr_c(scheme_end + 3, '/') : NULL;
        if (!raw)
            return "/";
    }
    hash = ap_strchr_c(raw, '#');
    return hash ? apr_pstrmemdup(r->pool, raw, (apr_size_t)(hash - raw))
                : raw;
}

int stepup_request_has_body(request_rec *r)
{
    const char *cl = apr_table_get(r->headers_in, "Content-Length");

    return apr_table_get(r->headers_in, "Transfer-Encoding") != NULL
        || (cl && apr_atoi64(cl) > 0);
}
