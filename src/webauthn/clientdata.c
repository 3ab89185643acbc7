/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * CollectedClientData (WebAuthn L3 5.8.1), checked as in 7.1 steps 5-10
 * and 7.2 steps 8-14: the JSON text is parsed with jansson (UTF-8 checked,
 * duplicate members refused) and compared member by member; the bytes
 * themselves are hashed by the caller, never a re-serialization.
 */
#include <string.h>

#include <apr_strings.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include "stepup_b64url.h"
#include "webauthn_internal.h"

#define SHOW_MAX 80   /* bytes of a request value quoted in a reason */

static const char *show(apr_pool_t *p, const json_t *str)
{
    return stepup_wa_printable(p, json_string_value(str),
                               json_string_length(str), SHOW_MAX);
}

/* A string member, or NULL with *why set. */
static const json_t *required_string(apr_pool_t *p, const json_t *c,
                                     const char *name, const char **why)
{
    const json_t *v = json_object_get(c, name);

    if (!v)
        stepup_wa_fail(why, apr_psprintf(p, "clientDataJSON has no \"%s\"",
                                         name));
    else if (!json_is_string(v)) {
        stepup_wa_fail(why, apr_psprintf(p, "clientDataJSON.%s is not a "
                                         "string", name));
        v = NULL;
    }
    return v;
}

static int check_type(apr_pool_t *p, const json_t *c, const char *type,
                      const char **why)
{
    const json_t *v = required_string(p, c, "type", why);

    if (!v)
        return -1;
    if (json_string_length(v) != strlen(type)
        || memcmp(json_string_value(v), type, strlen(type)) != 0)
        return stepup_wa_fail(why, apr_psprintf(p, "clientDataJSON.type is "
                                                "\"%s\", expected \"%s\"",
                                                show(p, v), type));
    return 0;
}

static int check_challenge(apr_pool_t *p, const stepup_webauthn_policy *pol,
                           const json_t *c, const char **why)
{
    const json_t *v = required_string(p, c, "challenge", why);
    unsigned char *got;
    size_t gotlen;

    if (!v)
        return -1;
    if (stepup_b64url_decode(p, json_string_value(v), json_string_length(v),
                             &got, &gotlen) != 0)
        return stepup_wa_fail(why, "clientDataJSON.challenge is not "
                              "base64url");
    if (gotlen != pol->challenge_len
        || CRYPTO_memcmp(got, pol->challenge, gotlen) != 0)
        return stepup_wa_fail(why, "clientDataJSON.challenge is not the "
                              "challenge issued");
    return 0;
}

static int check_origin(apr_pool_t *p, const stepup_webauthn_policy *pol,
                        const json_t *c, const char **why)
{
    const json_t *v = required_string(p, c, "origin", why);
    const char *s;
    size_t len;
    int i;

    if (!v)
        return -1;
    s = json_string_value(v);
    len = json_string_length(v);
    for (i = 0; i < pol->norigins; i++) {
        if (pol->origins[i] && strlen(pol->origins[i]) == len
            && memcmp(pol->origins[i], s, len) == 0)
            return 0;
    }
    return stepup_wa_fail(why, apr_psprintf(p, "clientDataJSON.origin \"%s\" "
                                            "is not an accepted origin",
                                            show(p, v)));
}

/* crossOrigin (boolean) and topOrigin (string, only with crossOrigin). */
static int check_cross_origin(apr_pool_t *p,
                              const stepup_webauthn_policy *pol,
                              const json_t *c, const char **why)
{
    const json_t *co = json_object_get(c, "crossOrigin");
    const json_t *top = json_object_get(c, "topOrigin");
    int cross = 0;

    if (co) {
        if (!json_is_boolean(co))
            return stepup_wa_fail(why, "clientDataJSON.crossOrigin is not a "
                                  "boolean");
        cross = json_is_true(co);
    }
    if (cross && !pol->allow_cross_origin)
        return stepup_wa_fail(why, "clientDataJSON.crossOrigin is true: "
                              "cross-origin (iframe) ceremonies are not "
                              "allowed");
    if (top) {
        if (!json_is_string(top))
            return stepup_wa_fail(why, "clientDataJSON.topOrigin is not a "
                                  "string");
        if (!cross)
            return stepup_wa_fail(why, "clientDataJSON.topOrigin is present "
                                  "but crossOrigin is not true");
    }
    return 0;
}

/* The tokenBinding of WebAuthn Level 2 (dropped in Level 3). A string is
 * what old Chrome and Edge sent ("unused"): ignored. An object must have
 * a valid TokenBindingStatus. */
static int check_token_binding(apr_pool_t *p, const json_t *c,
                               const char **why)
{
    const json_t *tb = json_object_get(c, "tokenBinding"), *st;
    const char *s;

    if (!tb || json_is_string(tb))
        return 0;
    if (!json_is_object(tb))
        return stepup_wa_fail(why, "clientDataJSON.tokenBinding is neither "
                              "an object nor a string");
    st = json_object_get(tb, "status");
    if (!st || !json_is_string(st))
        return stepup_wa_fail(why, "clientDataJSON.tokenBinding.status is "
                              "missing or not a string");
    s = json_string_value(st);
    if (strcmp(s, "present") != 0 && strcmp(s, "supported") != 0)
        return stepup_wa_fail(why, apr_psprintf(p, "clientDataJSON."
                                                "tokenBinding.status \"%s\" "
                                                "is not \"present\" or "
                                                "\"supported\"", show(p, st)));
    return 0;
}

int stepup_clientdata_check(apr_pool_t *p, const stepup_webauthn_policy *pol,
                            const char *type, const unsigned char *cdj,
                            size_t len, const char **why)
{
    json_error_t jerr;
    json_t *c;
    int rc;

    if (!pol->challenge || pol->challenge_len == 0)
        return stepup_wa_fail(why, "policy: no challenge to compare with");
    if (pol->norigins <= 0 || !pol->origins)
        return stepup_wa_fail(why, "policy: no accepted origin");
    if (len == 0)
        return stepup_wa_fail(why, "clientDataJSON is empty");
    c = json_loadb((const char *)cdj, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!c)
        return stepup_wa_fail(why, apr_psprintf(p, "clientDataJSON is not "
                                                "JSON: %s at byte %d",
                                                stepup_wa_printable(
                                                    p, jerr.text,
                                                    strlen(jerr.text),
                                                    SHOW_MAX),
                                                jerr.position));
    if (!json_is_object(c))
        rc = stepup_wa_fail(why, "clientDataJSON is not a JSON object");
    else
        rc = (check_type(p, c, type, why) == 0
              && check_challenge(p, pol, c, why) == 0
              && check_origin(p, pol, c, why) == 0
              && check_cross_origin(p, pol, c, why) == 0
              && check_token_binding(p, c, why) == 0) ? 0 : -1;
    json_decref(c);
    return rc;
}
