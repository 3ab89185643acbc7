/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The transaction-bound token of a parked request at a one-time location
 * ("Require stepup max-age=0"). A step-up that resumes such a request earns
 * a v2 token bound to the request's transaction (stepup_txn.h) and marked
 * once: it opens that request, once, and nothing else. A browser never
 * holds it: it waits in StepupCache beside the parked request until POST
 * resume takes both and runs the request with it (the cookie the browser
 * gets opens no one-time location). An API client, which repeats its
 * request itself, gets it as its cookie.
 */
#include <httpd.h>
#include <string.h>
#include <apr_strings.h>

#include "mod_stepup.h"
#include "stepup_b64url.h"

static const char *bound_key(request_rec *r, const stepup_parked *p)
{
    /* the id has a fixed length: no user name can make another's key */
    return apr_pstrcat(r->pool, "bound:", p->id, ":", r->user, NULL);
}

int stepup_parked_txn(request_rec *r, const stepup_parked *p,
                      unsigned char raw[STEPUP_TXN_RAW_LEN],
                      char b64[STEPUP_TXN_LEN + 1])
{
    unsigned char *bytes;
    size_t len;

    /* computed once, when the request was parked (park.c) */
    if (!p->txn || !stepup_txn_valid(p->txn, strlen(p->txn)))
        return -1;
    if (b64)
        apr_cpystrn(b64, p->txn, STEPUP_TXN_LEN + 1);
    if (!raw)
        return 0;
    if (stepup_b64url_decode(r->pool, p->txn, strlen(p->txn), &bytes, &len)
        != 0 || len != STEPUP_TXN_RAW_LEN)
        return -1;
    memcpy(raw, bytes, STEPUP_TXN_RAW_LEN);
    return 0;
}

int stepup_bound_token_keep(request_rec *r, const stepup_parked *p,
                            const char *token, apr_int64_t expires)
{
    stepup_cache *c = stepup_cache_of(r);

    if (!c || stepup_cache_put(r, c, bound_key(r, p), token,
                               apr_time_from_sec(expires)) != APR_SUCCESS)
        return HTTP_SERVICE_UNAVAILABLE;
    return OK;
}

int stepup_bound_token_ready(request_rec *r, const stepup_parked *p)
{
    stepup_cache *c = stepup_cache_of(r);
    const char *token = NULL;

    return c && stepup_cache_peek(r, c, bound_key(r, p), &token)
                    == APR_SUCCESS && token;
}

const char *stepup_bound_token_take(request_rec *r, const stepup_parked *p)
{
    stepup_cache *c = stepup_cache_of(r);
    const char *token = NULL;

    if (!c || stepup_cache_take(r, c, bound_key(r, p), &token)
                  != APR_SUCCESS)
        return NULL;
    return token;
}
