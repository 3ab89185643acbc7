/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * An application's RFC 9470 step-up challenge, read from a WWW-Authenticate
 * value: the "Bearer" scheme with error="insufficient_user_authentication"
 * and optionally acr_values and max_age. httpd-free.
 */
#ifndef STEPUP_CHALLENGE_H
#define STEPUP_CHALLENGE_H

#include <stdint.h>

#include "stepup_token.h"

/* The most a parameter's value may hold; a longer one is not read. */
#define STEPUP_CHALLENGE_VALUE_MAX 256

/* 0 when value (a WWW-Authenticate field value, possibly a list of
 * challenges) holds such a challenge: *acr the lowest level of its
 * acr_values that the module knows (pwd when it has none), *max_age its
 * max_age in seconds or -1 when it has none. -1 otherwise: no Bearer
 * challenge, another error, acr_values naming no known level, a malformed
 * max_age or a malformed list. */
int stepup_challenge_parse(const char *value, stepup_acr *acr,
                           int64_t *max_age);

#endif
