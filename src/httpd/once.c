/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * "Require stepup max-age=0": a token opens one request to such a location
 * and is then spent for all of them, on every server of a farm.
 *
 * Spending must not be a read followed by a write (two servers would both
 * read "unspent"), and a lost record must not make a spent token valid
 * again. So the record is the other way round: when a token is minted, a
 * mark "unspent" is stored under its MAC until it expires, and spending
 * takes (removes) the mark: remove() succeeds for exactly one caller.
 * A mark that is missing (never made, e.g. a token minted elsewhere;
 * evicted; lost with the cache) refuses, and the user confirms again.
 */
#include <httpd.h>
#include <apr_strings.h>

#include "mod_stepup.h"

#define SPENT_NOTE "stepup-spent"

/* The MAC names the token: its spelling is canonical (token.c). */
static const char *once_key(request_rec *r, const char *token)
{
    const char *dot = strrchr(token, '.');

    return apr_pstrcat(r->pool, "stepup:once:", dot ? dot + 1 : token,
                       NULL);
}

int stepup_once_mark(request_rec *r, const char *token, apr_int64_t expires)
{
    stepup_cache *c = stepup_cache_of(r);
    apr_status_t rv;

    if (!c)
        return HTTP_SERVICE_UNAVAILABLE;
    rv = stepup_cache_put(r, c, once_key(r, token), "1",
                          apr_time_from_sec(expires));
    if (rv != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, "STEPUP0018: "
                      "StepupCache %s is unavailable: no step-up for %s",
                      c->spec, ap_escape_logitem(r->pool, r->user));
        return HTTP_SERVICE_UNAVAILABLE;
    }
    return OK;
}

authz_status stepup_once_spend(request_rec *r, const char *token)
{
    const char *mac = strrchr(token, '.') + 1, *old;
    stepup_cache *c;
    request_rec *up;
    apr_status_t rv;

    /* a subrequest or internal redirect of the request that spent it */
    for (up = r->main ? r->main : r->prev; up;
         up = up->main ? up->main : up->prev) {
        const char *spent = apr_table_get(up->notes, SPENT_NOTE);
        if (spent && !strcmp(spent, mac))
            return AUTHZ_GRANTED;
    }
    if (!(c = stepup_cache_of(r)))
        return AUTHZ_GENERAL_ERROR;
    rv = stepup_cache_take(r, c, once_key(r, token), &old);
    if (rv == APR_NOTFOUND) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "STEPUP0007: user %s "
                      "from %s: one-time step-up token already spent or "
                      "unknown to StepupCache (%s)",
                      ap_escape_logitem(r->pool, r->user), r->useragent_ip,
                      ap_escape_logitem(r->pool, r->uri));
        return AUTHZ_DENIED;
    }
    if (rv != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, "STEPUP0006: "
                      "StepupCache %s is unavailable: refusing one-time "
                      "step-up for %s", c->spec,
                      ap_escape_logitem(r->pool, r->uri));
        return AUTHZ_GENERAL_ERROR;
    }
    apr_table_setn(r->notes, SPENT_NOTE, mac);
    return AUTHZ_GRANTED;
}
