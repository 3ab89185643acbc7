/*
 * StepupMaxAttempts: after N failed passwords for a user within the window,
 * every try (even the right password) gets 429 until the window ends. The
 * count lives in StepupCache as "<count>|<window start>" under the user's
 * name, so a farm sharing the cache counts across servers. Each attempt is
 * counted (written) before the password is checked and forgiven after a
 * success: a cache that cannot be written (memcache answers "not found"
 * for a dead server) refuses the attempt rather than let it through.
 */
#include <httpd.h>
#include <apr_strings.h>

#include "mod_stepup.h"

typedef struct {
    apr_int64_t now;
    apr_int64_t window;
    int count;              /* out */
    apr_int64_t start;      /* out */
} throttle_state;

static const char *throttle_key(request_rec *r)
{
    return apr_pstrcat(r->pool, "stepup:fail:", r->user, NULL);
}

/* The stored record, or a fresh one when absent, malformed or expired. */
static void read_record(const char *old, throttle_state *st)
{
    apr_int64_t count = 0, start = 0;
    char *end = NULL;

    if (old) {
        count = apr_strtoi64(old, &end, 10);
        if (end && *end == '|')
            start = apr_strtoi64(end + 1, &end, 10);
        else
            count = 0;
    }
    if (count < 0 || count > 1000000 || start > st->now + 60
        || st->now - start >= st->window) {
        count = 0;
        start = st->now;
    }
    st->count = (int)count;
    st->start = start;
}

static const char *update_failures(request_rec *r, const char *old,
                                   apr_time_t *expiry, void *baton)
{
    throttle_state *st = baton;

    read_record(old, st);
    st->count++;
    *expiry = apr_time_from_sec(st->start + st->window);
    return apr_psprintf(r->pool, "%d|%" APR_INT64_T_FMT, st->count,
                        st->start);
}

static const char *clear_failures(request_rec *r, const char *old,
                                  apr_time_t *expiry, void *baton)
{
    return NULL;
}

static stepup_throttle_result run(request_rec *r, const stepup_dir_conf *dc,
                                  stepup_cache_update_fn fn,
                                  throttle_state *st)
{
    stepup_cache *c = stepup_cache_of(r);
    apr_status_t rv;

    if (!c)
        return STEPUP_THROTTLE_UNAVAILABLE;
    st->now = apr_time_sec(r->request_time);
    st->window = stepup_conf_attempt_window(dc);
    rv = stepup_cache_update(r, c, throttle_key(r), fn, st);
    if (rv == APR_NOTFOUND && fn == clear_failures)
        rv = APR_SUCCESS; /* forgiven by another server meanwhile */
    if (rv != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, "STEPUP0020: "
                      "StepupCache %s is unavailable: refusing password "
                      "step-up for %s", c->spec, r->user);
        return STEPUP_THROTTLE_UNAVAILABLE;
    }
    return STEPUP_THROTTLE_OK;
}

stepup_throttle_result stepup_throttle_attempt(request_rec *r,
                                               const stepup_dir_conf *dc,
                                               apr_int64_t *retry_after)
{
    throttle_state st = { 0 };
    stepup_throttle_result res = run(r, dc, update_failures, &st);

    if (res != STEPUP_THROTTLE_OK)
        return res;
    /* st.count includes this attempt */
    if (st.count > stepup_conf_max_attempts(dc)) {
        *retry_after = st.start + st.window - st.now;
        if (*retry_after < 1)
            *retry_after = 1;
        return STEPUP_THROTTLE_LOCKED;
    }
    return STEPUP_THROTTLE_OK;
}

stepup_throttle_result stepup_throttle_reset(request_rec *r,
                                             const stepup_dir_conf *dc)
{
    throttle_state st = { 0 };

    return run(r, dc, clear_failures, &st);
}
