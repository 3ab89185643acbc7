/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * stepupctl webauthn verify-registration and verify-authentication: a
 * RegistrationResponseJSON or AuthenticationResponseJSON checked by the
 * core (stepup_webauthn.h) against the options given, the result printed
 * as JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <apr_tables.h>
#include <apr_time.h>
#include <jansson.h>

#include "stepup_aaguid.h"
#include "stepup_b64url.h"
#include "stepup_webauthn.h"

#include "ctl_common.h"


/* Options of the webauthn commands: --origin repeats, so they have their
 * own parser (the same apr_getopt_long loop as parse_args). */
enum {
    WA_RP_ID = 512,
    WA_ORIGIN,
    WA_CHALLENGE,
    WA_REQUIRE_UV,
    WA_ALLOW_CROSS_ORIGIN,
    WA_ROOTS,
    WA_PUBLIC_KEY,
    WA_SIGN_COUNT,
    WA_NOW
};

static const apr_getopt_option_t wa_registration_opts[] = {
    { "rp-id", WA_RP_ID, 1, "the RP ID" },
    { "origin", WA_ORIGIN, 1, "an accepted origin" },
    { "challenge", WA_CHALLENGE, 1, "the challenge, base64url" },
    { "require-uv", WA_REQUIRE_UV, 0, "require user verification" },
    { "allow-cross-origin", WA_ALLOW_CROSS_ORIGIN, 0, "accept crossOrigin" },
    { "attestation-roots", WA_ROOTS, 1, "PEM trust anchors" },
    { "now", WA_NOW, 1, "check certificates at this instant" },
    { "help", 'h', 0, "this help" },
    { NULL, 0, 0, NULL }
};

static const apr_getopt_option_t wa_authentication_opts[] = {
    { "rp-id", WA_RP_ID, 1, "the RP ID" },
    { "origin", WA_ORIGIN, 1, "an accepted origin" },
    { "challenge", WA_CHALLENGE, 1, "the challenge, base64url" },
    { "require-uv", WA_REQUIRE_UV, 0, "require user verification" },
    { "allow-cross-origin", WA_ALLOW_CROSS_ORIGIN, 0, "accept crossOrigin" },
    { "public-key", WA_PUBLIC_KEY, 1, "COSE_Key, base64url" },
    { "sign-count", WA_SIGN_COUNT, 1, "stored counter" },
    { "help", 'h', 0, "this help" },
    { NULL, 0, 0, NULL }
};

typedef struct wa_args {
    const char *rp_id, *challenge, *roots, *public_key, *sign_count, *now;
    apr_array_header_t *origins;     /* const char * */
    int require_uv, allow_cross_origin, help;
} wa_args;

static int wa_parse_args(apr_pool_t *p, const apr_getopt_option_t *opts,
                         int argc, const char *const *argv, wa_args *wa)
{
    opt_reader r;
    const char *arg, **slot;
    int optch, rc;

    memset(wa, 0, sizeof(*wa));
    wa->origins = apr_array_make(p, 4, sizeof(const char *));
    if ((rc = opt_begin(p, argc, argv, &r)) != RC_OK)
        return rc;
    while ((rc = opt_next(&r, opts, &optch, &arg)) != OPT_DONE) {
        if (rc != RC_OK)
            return rc;
        slot = NULL;
        switch (optch) {
        case 'h': wa->help = 1; continue;
        case WA_REQUIRE_UV: wa->require_uv = 1; continue;
        case WA_ALLOW_CROSS_ORIGIN: wa->allow_cross_origin = 1; continue;
        case WA_ORIGIN:
            if (!*arg) {
                errorf("%s: --origin: the origin is empty", argv[0]);
                return RC_USAGE;
            }
            APR_ARRAY_PUSH(wa->origins, const char *) = arg;
            continue;
        case WA_RP_ID: slot = &wa->rp_id; break;
        case WA_CHALLENGE: slot = &wa->challenge; break;
        case WA_ROOTS: slot = &wa->roots; break;
        case WA_PUBLIC_KEY: slot = &wa->public_key; break;
        case WA_SIGN_COUNT: slot = &wa->sign_count; break;
        case WA_NOW: slot = &wa->now; break;
        default: continue;
        }
        if (*slot) {
            errorf("%s: --%s given more than once", argv[0],
                   opt_name(opts, optch));
            return RC_USAGE;
        }
        *slot = arg;
    }
    if (r.os->ind < r.os->argc) {
        errorf("%s: unexpected argument \"%s\" (the response is read from "
               "standard input; see 'stepupctl %s --help')", argv[0],
               r.os->argv[r.os->ind], argv[0]);
        return RC_USAGE;
    }
    return RC_OK;
}

static int wa_require(const char *cmd, const char *val, const char *name)
{
    if (val && *val)
        return RC_OK;
    errorf("%s: --%s is required (see 'stepupctl %s --help')", cmd, name,
           cmd);
    return RC_USAGE;
}

/* n decimal digits at s into *v; 0 when they are all digits. */
static int digits(const char *s, int n, int *v)
{
    int i;

    *v = 0;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        *v = *v * 10 + (s[i] - '0');
    }
    return 0;
}

/* ISO 8601 in UTC or with an offset: YYYY-MM-DDTHH:MM:SS, an optional
 * fraction (dropped: certificates are dated to the second), then Z or
 * +HH:MM / -HH:MM. A date that does not exist (February 30) is refused. */
static int iso8601_parse(const char *s, apr_int64_t *out)
{
    apr_time_exp_t tm, back;
    apr_time_t t;
    int year, mon, day, hour, min, sec, oh = 0, om = 0, sign = 0;
    size_t i = 19;

    if (strlen(s) < 20 || digits(s, 4, &year) || s[4] != '-'
        || digits(s + 5, 2, &mon) || s[7] != '-' || digits(s + 8, 2, &day)
        || (s[10] != 'T' && s[10] != 't') || digits(s + 11, 2, &hour)
        || s[13] != ':' || digits(s + 14, 2, &min) || s[16] != ':'
        || digits(s + 17, 2, &sec))
        return -1;
    if (s[i] == '.') {
        for (i++; s[i] >= '0' && s[i] <= '9'; i++)
            ;
        if (i == 20)
            return -1;
    }
    if ((s[i] == 'Z' || s[i] == 'z') && s[i + 1] == '\0')
        ;
    else if ((s[i] == '+' || s[i] == '-') && strlen(s + i) == 6
             && !digits(s + i + 1, 2, &oh) && s[i + 3] == ':'
             && !digits(s + i + 4, 2, &om) && oh <= 23 && om <= 59)
        sign = s[i] == '+' ? 1 : -1;
    else
        return -1;
    if (year < 1970 || mon < 1 || mon > 12 || day < 1 || day > 31
        || hour > 23 || min > 59 || sec > 59)
        return -1;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    if (apr_time_exp_gmt_get(&t, &tm) != APR_SUCCESS
        || apr_time_exp_gmt(&back, t) != APR_SUCCESS
        || back.tm_mday != day || back.tm_mon != mon - 1)
        return -1;
    *out = apr_time_sec(t) - sign * (apr_int64_t)(oh * 3600 + om * 60);
    return 0;
}

/* --now: epoch seconds or ISO 8601, after 1970-01-01T00:00:00Z. */
static int now_arg(const char *cmd, const char *s, apr_int64_t *out)
{
    apr_int64_t v = 0;
    size_t i, len = strlen(s);

    for (i = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++)
        ;
    if (len > 0 && i == len) {
        if (len > 12)
            goto range;
        for (i = 0; i < len; i++)
            v = v * 10 + (s[i] - '0');
    }
    else if (iso8601_parse(s, &v) != 0) {
        errorf("%s: --now: \"%s\" is not epoch seconds or an ISO 8601 "
               "instant such as 2021-04-02T23:11:27Z", cmd, s);
        return RC_USAGE;
    }
    if (v >= 1 && v <= TIME_MAX) {
        *out = v;
        return RC_OK;
    }
range:
    errorf("%s: --now: \"%s\" is out of range (after 1970-01-01T00:00:00Z, "
           "at most %" APR_INT64_T_FMT ")", cmd, s, TIME_MAX);
    return RC_USAGE;
}

/* The policy from the options shared by both commands. */
static int wa_policy(apr_pool_t *p, const char *cmd, const wa_args *wa,
                     stepup_webauthn_policy *pol)
{
    unsigned char *challenge;
    size_t len;
    int rc;

    if ((rc = wa_require(cmd, wa->rp_id, "rp-id")) != RC_OK
        || (rc = wa_require(cmd, wa->challenge, "challenge")) != RC_OK)
        return rc;
    if (wa->origins->nelts == 0) {
        errorf("%s: --origin is required (see 'stepupctl %s --help')", cmd,
               cmd);
        return RC_USAGE;
    }
    if (stepup_b64url_decode(p, wa->challenge, strlen(wa->challenge),
                             &challenge, &len) != 0 || len == 0) {
        errorf("%s: --challenge: not a non-empty base64url value", cmd);
        return RC_USAGE;
    }
    memset(pol, 0, sizeof(*pol));
    pol->rp_id = wa->rp_id;
    pol->origins = (const char *const *)wa->origins->elts;
    pol->norigins = wa->origins->nelts;
    pol->challenge = challenge;
    pol->challenge_len = len;
    pol->require_uv = wa->require_uv;
    pol->allow_cross_origin = wa->allow_cross_origin;
    if (wa->now)
        return now_arg(cmd, wa->now, &pol->verify_time);
    return RC_OK;
}

/* Prints obj as one compact JSON line and releases it. */
static int wa_print(const char *cmd, json_t *obj)
{
    char *text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;

    json_decref(obj);
    if (!text) {
        errorf("%s: cannot build the JSON output (out of memory)", cmd);
        return RC_FAIL;
    }
    printf("%s\n", text);
    free(text);
    return RC_OK;
}

static const char *key_security_name(int level)
{
    switch (level) {
    case STEPUP_KEY_SECURITY_SOFTWARE:  return "software";
    case STEPUP_KEY_SECURITY_TEE:       return "tee";
    case STEPUP_KEY_SECURITY_STRONGBOX: return "strongbox";
    }
    return "unknown";
}

/* What both commands begin with: the options, --help, the policy.
 * RC_HELP once the help is printed. */
static int wa_begin(apr_pool_t *p, const command *cmd,
                    const apr_getopt_option_t *opts, int argc,
                    const char *const *argv, wa_args *wa,
                    stepup_webauthn_policy *pol)
{
    int rc;

    if ((rc = wa_parse_args(p, opts, argc, argv, wa)) != RC_OK)
        return rc;
    if (wa->help) {
        fputs(cmd->help, stdout);
        return RC_HELP;
    }
    return wa_policy(p, argv[0], wa, pol);
}

/* The verified registration as one JSON object on stdout. */
static int print_registration(apr_pool_t *p, const char *name,
                              const stepup_webauthn_registration *reg)
{
    return wa_print(name, json_pack(
        "{s:s, s:s, s:i, s:s, s:s, s:I, s:i, s:b, s:b, s:b, s:s, s:s}",
        "credential_id",
        stepup_b64url_encode(p, reg->credential_id, reg->credential_id_len),
        "public_key",
        stepup_b64url_encode(p, reg->public_key, reg->public_key_len),
        "alg", reg->alg,
        "fmt", reg->fmt,
        "aaguid", stepup_aaguid_hex(p, reg->aaguid),
        "sign_count", (json_int_t)reg->sign_count,
        "flags", (int)reg->flags,
        "backup_eligible", reg->backup_eligible,
        "backup_state", reg->backup_state,
        "attestation_trusted", reg->attestation_trusted,
        "attestation_type", reg->attestation_type ? reg->attestation_type
                                                  : "none",
        "key_security", key_security_name(reg->key_security)));
}

int cmd_webauthn_verify_registration(apr_pool_t *p, const command *cmd,
                                     int argc, const char *const *argv)
{
    const char *name = argv[0], *why = NULL, *json;
    stepup_webauthn_policy pol;
    stepup_webauthn_response resp;
    stepup_webauthn_registration reg;
    stepup_trust_store *roots = NULL;
    size_t len;
    wa_args wa;
    int rc;

    rc = wa_begin(p, cmd, wa_registration_opts, argc, argv, &wa, &pol);
    if (rc != RC_OK)
        return rc == RC_HELP ? RC_OK : rc;
    if (wa.roots) {
        if (stepup_trust_load(p, wa.roots, &roots, &why) != 0) {
            errorf("%s: attestation roots %s: %s", name, wa.roots, why);
            return RC_FAIL;
        }
        pol.roots = roots;
    }
    rc = read_stdin(p, name, STEPUP_WEBAUTHN_JSON_MAX + 1, &json, &len);
    if (rc != RC_OK)
        return rc;
    if (stepup_webauthn_registration_json_parse(p, json, len, &resp, &why)
        != 0
        || stepup_webauthn_verify_registration(p, &pol, &resp, &reg, &why)
        != 0) {
        errorf("%s: rejected: %s", name, why ? why : "(no reason)");
        return RC_FAIL;
    }
    /* With --attestation-roots (doc/operations.md section 10) an x5c chain
     * must reach one of them (the module registers such a passkey as phr
     * instead) */
    if (roots && !reg.attestation_trusted && reg.attestation_type
        && strcmp(reg.attestation_type, "none")
        && strcmp(reg.attestation_type, "self")) {
        errorf("%s: rejected: %s", name, reg.attestation_untrusted
               ? reg.attestation_untrusted : "(no reason)");
        return RC_FAIL;
    }
    return print_registration(p, name, &reg);
}

/* --sign-count: the stored counter, 0 to 2^32 - 1. */
static int sign_count_arg(const char *name, const char *s,
                          apr_int64_t *count)
{
    size_t i, n = strlen(s);

    *count = 0;
    for (i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        if (*count <= APR_INT64_C(0xffffffff))
            *count = *count * 10 + (s[i] - '0');
    if (n == 0 || i < n || n > 10 || *count > APR_INT64_C(0xffffffff)) {
        errorf("%s: --sign-count: \"%s\" is not a counter (0 to "
               "4294967295)", name, s);
        return RC_USAGE;
    }
    return RC_OK;
}

int cmd_webauthn_verify_authentication(apr_pool_t *p,
                                       const command *cmd, int argc,
                                       const char *const *argv)
{
    const char *name = argv[0], *why = NULL, *json;
    stepup_webauthn_policy pol;
    stepup_webauthn_response resp;
    stepup_webauthn_assertion as;
    unsigned char *key;
    apr_int64_t count = 0;
    size_t len, keylen;
    wa_args wa;
    int rc;

    rc = wa_begin(p, cmd, wa_authentication_opts, argc, argv, &wa, &pol);
    if (rc != RC_OK)
        return rc == RC_HELP ? RC_OK : rc;
    if ((rc = wa_require(name, wa.public_key, "public-key")) != RC_OK)
        return rc;
    if (stepup_b64url_decode(p, wa.public_key, strlen(wa.public_key), &key,
                             &keylen) != 0) {
        errorf("%s: --public-key: not base64url", name);
        return RC_USAGE;
    }
    if (wa.sign_count
        && (rc = sign_count_arg(name, wa.sign_count, &count)) != RC_OK)
        return rc;
    rc = read_stdin(p, name, STEPUP_WEBAUTHN_JSON_MAX + 1, &json, &len);
    if (rc != RC_OK)
        return rc;
    if (stepup_webauthn_authentication_json_parse(p, json, len, &resp, &why)
        != 0
        || stepup_webauthn_verify_authentication(p, &pol, key, keylen,
                                                 (uint32_t)count, &resp, &as,
                                                 &why) != 0) {
        errorf("%s: rejected: %s", name, why ? why : "(no reason)");
        return RC_FAIL;
    }
    return wa_print(name, json_pack(
        "{s:I, s:i, s:b, s:b, s:b}",
        "sign_count", (json_int_t)as.sign_count,
        "flags", (int)as.flags,
        "user_verified", as.user_verified,
        "backup_eligible", as.backup_eligible,
        "backup_state", as.backup_state));
}

