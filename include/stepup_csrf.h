/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * CSRF tokens of the confirm pages: "<kid>.<issued>.<mac>", mac =
 * b64url(HMAC-SHA256(key[kid], "csrf|<issued>|<user>")). Bound to the user,
 * valid for STEPUP_CSRF_TTL seconds, signed like re-auth tokens (first key
 * signs, all verify) but in their own domain, so neither passes for the
 * other.
 */
#ifndef STEPUP_CSRF_H
#define STEPUP_CSRF_H

#include <apr_pools.h>
#include "stepup_keys.h"

#define STEPUP_CSRF_TTL 7200

/* NULL when the key set is empty or the MAC fails. */
const char *stepup_csrf_mint(apr_pool_t *p, const stepup_keyset *ks,
                             const char *user, apr_int64_t now);

/* 0 when token is a CSRF token of user, issued at most STEPUP_CSRF_TTL
 * seconds before now (and not beyond the clock skew after it). */
int stepup_csrf_verify(apr_pool_t *p, const stepup_keyset *ks,
                       const char *user, const char *token, apr_int64_t now);

#endif
