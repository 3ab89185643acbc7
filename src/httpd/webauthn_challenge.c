/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * One-time WebAuthn challenges: 32 random bytes (followed, for a
 * transaction-bound step-up, by the transaction's 16 bytes, so that the
 * authenticator's signature covers the request the user saw) in
 * StepupCache under the user and the ceremony, valid
 * STEPUP_CHALLENGE_SECONDS, taken
 * (deleted) by the first finish whatever its outcome. Shared through the
 * cache, a challenge begun on one server of a farm finishes on another.
 * What the begin call asked (return_to, acr, a passkey's name) rides along.
 */
#include <httpd.h>
#include <string.h>
#include <apr_strings.h>
#include <openssl/rand.h>

#include "mod_stepup.h"
#include "stepup_b64url.h"


static const char *challenge_key(request_rec *r, const char *ceremony)
{
    return apr_pstrcat(r->pool, "stepup:chal:", ceremony, ":", r->user,
                       NULL);
}

int stepup_challenge_issue(request_rec *r, const char *ceremony,
                           json_t *extra, const unsigned char *txn,
                           const char **challenge_b64)
{
    stepup_cache *c = stepup_cache_of(r);
    unsigned char raw[STEPUP_CHALLENGE_RANDOM + STEPUP_TXN_RAW_LEN];
    size_t len = STEPUP_CHALLENGE_RANDOM;
    apr_int64_t now = apr_time_sec(r->request_time);
    const char *value;
    char *dumped;
    apr_status_t rv;

    if (!c || RAND_bytes(raw, STEPUP_CHALLENGE_RANDOM) != 1)
        return HTTP_SERVICE_UNAVAILABLE;
    if (txn) {
        memcpy(raw + STEPUP_CHALLENGE_RANDOM, txn, STEPUP_TXN_RAW_LEN);
        len += STEPUP_TXN_RAW_LEN;
    }
    *challenge_b64 = stepup_b64url_encode(r->pool, raw, len);
    json_object_set_new(extra, "challenge", json_string(*challenge_b64));
    json_object_set_new(extra, "expires",
                        json_integer(now + STEPUP_CHALLENGE_SECONDS));
    if (!(dumped = json_dumps(extra, JSON_COMPACT)))
        return HTTP_INTERNAL_SERVER_ERROR;
    value = apr_pstrdup(r->pool, dumped);
    free(dumped);
    /* one pending challenge per user and ceremony: a new begin replaces
     * the last one, so begins at will do not fill the cache */
    rv = stepup_cache_put(r, c, challenge_key(r, ceremony), value,
                          apr_time_from_sec(now + STEPUP_CHALLENGE_SECONDS));
    if (rv != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, "STEPUP0050: "
                      "StepupCache %s is unavailable: cannot keep a "
                      "challenge for %s", c->spec,
                      ap_escape_logitem(r->pool, r->user));
        return HTTP_SERVICE_UNAVAILABLE;
    }
    return OK;
}

int stepup_challenge_take(request_rec *r, const char *ceremony,
                          unsigned char **challenge, size_t *len,
                          json_t **extra, const char **why)
{
    stepup_cache *c = stepup_cache_of(r);
    const char *old, *b64;
    json_t *doc;
    apr_status_t rv;

    *why = NULL;     /* set only where the client is told the reason */
    if (!c)
        return HTTP_SERVICE_UNAVAILABLE;
    /* taken by the first finish whatever its outcome; of two finishes at
     * once, on one server or two, exactly one gets it */
    rv = stepup_cache_take(r, c, challenge_key(r, ceremony), &old);
    if (rv == APR_NOTFOUND) {
        /* absent, taken by another finish, or an unreachable farm cache
         * (whose clients also say "not found"): a read tells */
        if (!stepup_cache_reachable(r, c)) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "STEPUP0052: "
                          "StepupCache %s is unavailable: cannot check a "
                          "challenge for %s", c->spec,
                          ap_escape_logitem(r->pool, r->user));
            return HTTP_SERVICE_UNAVAILABLE;
        }
        *why = "no pending challenge (begin again)";
        return HTTP_BAD_REQUEST;
    }
    if (rv != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, "STEPUP0051: "
                      "StepupCache %s is unavailable: cannot check a "
                      "challenge for %s", c->spec,
                      ap_escape_logitem(r->pool, r->user));
        return HTTP_SERVICE_UNAVAILABLE;
    }
    if (!(doc = json_loads(old, 0, NULL))) {
        *why = "damaged challenge record";
        return HTTP_BAD_REQUEST;
    }
    apr_pool_cleanup_register(r->pool, doc, stepup_json_release,
                              apr_pool_cleanup_null);
    b64 = json_string_value(json_object_get(doc, "challenge"));
    if (!b64 || json_integer_value(json_object_get(doc, "expires"))
                <= apr_time_sec(r->request_time)) {
        *why = "the challenge has expired (begin again)";
        return HTTP_BAD_REQUEST;
    }
    if (stepup_b64url_decode(r->pool, b64, strlen(b64), challenge, len)) {
        *why = "damaged challenge record";
        return HTTP_BAD_REQUEST;
    }
    *extra = doc;
    return OK;
}
