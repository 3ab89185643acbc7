/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * StepupMaxAttempts N SECONDS: at most N passwords of a user are checked
 * in any SECONDS; the next try, even with the right password, gets 429
 * until the oldest of them is SECONDS old.
 *
 * The user has N attempt slots. Checking a password needs a free slot,
 * claimed (stepup_cache_claim: added only when absent, by exactly one
 * caller across the farm) for SECONDS before the password is looked at.
 * However many tries arrive at the same moment on however many servers,
 * at most N get a slot. A success gives the slots back. A cache that
 * cannot claim refuses the attempt (503) rather than let it through.
 */
#include <httpd.h>
#include <apr_strings.h>

#include "mod_stepup.h"

static const char *slot_key(request_rec *r, int slot)
{
    return apr_psprintf(r->pool, "stepup:fail:%d:%s", slot, r->user);
}

static void unavailable(request_rec *r, stepup_cache *c, apr_status_t rv)
{
    ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, "STEPUP0020: StepupCache %s "
                  "is unavailable: refusing password step-up for %s",
                  c->spec, ap_escape_logitem(r->pool, r->user));
}

/* Seconds until the first slot is free again (a hint: at most SECONDS). */
static apr_int64_t wait_for_slot(request_rec *r, stepup_cache *c, int slots,
                                 apr_int64_t now, apr_int64_t window)
{
    apr_int64_t first = now + window;
    int slot;

    for (slot = 1; slot <= slots; slot++) {
        apr_int64_t until = stepup_cache_claimed_until(r, c,
                                                       slot_key(r, slot));
        if (until > now && until < first)
            first = until;
    }
    return first - now;
}

stepup_throttle_result stepup_throttle_attempt(request_rec *r,
                                               const stepup_dir_conf *dc,
                                               apr_int64_t *retry_after)
{
    stepup_cache *c = stepup_cache_of(r);
    apr_int64_t now = apr_time_sec(r->request_time);
    apr_int64_t window = stepup_conf_attempt_window(dc);
    int slot, slots = stepup_conf_max_attempts(dc);

    if (!c)
        return STEPUP_THROTTLE_UNAVAILABLE;
    for (slot = 1; slot <= slots; slot++) {
        apr_status_t rv = stepup_cache_claim(r, c, slot_key(r, slot),
                                             apr_time_from_sec(now + window));

        if (rv == APR_SUCCESS)
            return STEPUP_THROTTLE_OK;
        if (rv != APR_EEXIST) {
            unavailable(r, c, rv);
            return STEPUP_THROTTLE_UNAVAILABLE;
        }
    }
    *retry_after = wait_for_slot(r, c, slots, now, window);
    if (*retry_after < 1)
        *retry_after = 1;
    return STEPUP_THROTTLE_LOCKED;
}

stepup_throttle_result stepup_throttle_reset(request_rec *r,
                                             const stepup_dir_conf *dc)
{
    stepup_cache *c = stepup_cache_of(r);
    int slot, slots = stepup_conf_max_attempts(dc);

    if (!c)
        return STEPUP_THROTTLE_UNAVAILABLE;
    for (slot = 1; slot <= slots; slot++) {
        apr_status_t rv = stepup_cache_unclaim(r, c, slot_key(r, slot));

        if (rv != APR_SUCCESS) {
            unavailable(r, c, rv);
            return STEPUP_THROTTLE_UNAVAILABLE;
        }
    }
    return STEPUP_THROTTLE_OK;
}
