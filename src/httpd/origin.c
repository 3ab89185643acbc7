/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The site's public origin: the origins an Origin check accepts (the
 * handler's POSTs, WebAuthn's clientDataJSON.origin) and the absolute URLs
 * of Location headers (the handler's redirects, the denials'); and the
 * request's own target as the client sent it.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_core.h>

#include "mod_stepup.h"

const char *const *stepup_accepted_origins(request_rec *r,
                                           const stepup_dir_conf *dc,
                                           int *count)
{
    const char **own;

    /* Behind a load balancer or TLS terminator the browser's origin is the
     * public one, which httpd cannot work out from the request it sees
     * (ap_construct_url adds the back end's port and scheme): StepupOrigin
     * names it */
    if (dc->origins && dc->origins->nelts > 0) {
        *count = dc->origins->nelts;
        return (const char *const *)dc->origins->elts;
    }
    own = apr_palloc(r->pool, sizeof(*own));
    *own = ap_construct_url(r->pool, "", r);
    *count = 1;
    return own;
}

const char *stepup_site_url(request_rec *r, const stepup_dir_conf *dc,
                            const char *path)
{
    const char *origin = apr_table_get(r->headers_in, "Origin");
    int i;

    if (!dc->origins || dc->origins->nelts == 0)
        return ap_construct_url(r->pool, path, r);
    /* the public origin the browser came from, when it is one of ours
     * (www and login may both be), else the first: never the back end's
     * scheme and port, which a browser behind the load balancer cannot
     * reach */
    for (i = 0; origin && i < dc->origins->nelts; i++) {
        const char *o = APR_ARRAY_IDX(dc->origins, i, const char *);

        if (!strcasecmp(origin, o))
            return apr_pstrcat(r->pool, o, path, NULL);
    }
    return apr_pstrcat(r->pool, APR_ARRAY_IDX(dc->origins, 0, const char *),
                       path, NULL);
}

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
