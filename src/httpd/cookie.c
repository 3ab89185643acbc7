/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The step-up cookie: reading the token (and the session cookie it may be
 * bound to) and writing it (doc/token.md sections 5 and 8). The Set-Cookie line is composed
 * here rather than by ap_cookie_write, which logs cookie values at trace
 * level; a token never reaches a log.
 */
#include <httpd.h>
#include <string.h>

#include <apr_strings.h>
#include <http_log.h>
#include <http_protocol.h>

#include "mod_stepup.h"
#include "stepup_cookie_parse.h"

static int scan_cookie_header(void *baton, const char *key, const char *val)
{
    stepup_cookie_scan_header(baton, val);
    return 1;
}

/* What ap_cookie_read(r, name, &val, 0) finds, read in place by the core
 * (src/core/cookie_parse.c): APR_SUCCESS with *val the value (NULL when
 * absent), or APR_EGENERAL when the cookie came twice with different
 * values. */
static apr_status_t read_cookie(request_rec *r, const char *name,
                                const char **val)
{
    stepup_cookie_scan s;

    stepup_cookie_scan_start(&s, name);
    apr_table_do(scan_cookie_header, &s, r->headers_in, "Cookie", "Cookie2",
                 NULL);
    if (stepup_cookie_scan_value(r->pool, &s, val) != 0) {
        /* ap_cookie_read's words; at info, as the module logs other
         * refused client input (an error would be the server's) */
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "STEPUP0172: client "
                      "submitted cookie '%s' more than once: %s", name,
                      ap_escape_logitem(r->pool, r->uri));
        return APR_EGENERAL;
    }
    return APR_SUCCESS;
}

const char *stepup_request_token(request_rec *r, const stepup_dir_conf *dc)
{
    const char *val = NULL;

    if (dc->token_header
        && (val = apr_table_get(r->headers_in, dc->token_header)))
        return val;
    if (read_cookie(r, stepup_conf_cookie_name(dc), &val) != APR_SUCCESS)
        return NULL; /* sent twice with different values: trust neither */
    return val;
}

const char *stepup_request_bind(request_rec *r, const stepup_dir_conf *dc,
                                char buf[STEPUP_BIND_LEN + 1])
{
    const char *value = NULL;

    if (!dc->bind_cookie)
        return NULL;
    if (read_cookie(r, dc->bind_cookie, &value) == APR_SUCCESS
        && value && *value
        && stepup_bind_compute(value, strlen(value), buf) == 0)
        return buf;
    return "";
}

static int want_secure(request_rec *r, const stepup_dir_conf *dc)
{
    switch (dc->cookie_secure) {
    case STEPUP_SECURE_ON:
        return 1;
    case STEPUP_SECURE_OFF:
        return 0;
    default:
        return !strcmp(ap_http_scheme(r), "https");
    }
}

static void write_cookie(request_rec *r, const stepup_dir_conf *dc,
                         const char *value, apr_int64_t max_age)
{
    apr_table_addn(r->err_headers_out, "Set-Cookie",
                   apr_psprintf(r->pool, "%s=%s; Path=/; Max-Age=%"
                                APR_INT64_T_FMT "; HttpOnly; "
                                "SameSite=Strict%s",
                                stepup_conf_cookie_name(dc), value, max_age,
                                want_secure(r, dc) ? "; Secure" : ""));
}

void stepup_set_cookie(request_rec *r, const stepup_dir_conf *dc,
                       const char *token, apr_int64_t max_age)
{
    write_cookie(r, dc, token, max_age);
}

void stepup_clear_cookie(request_rec *r, const stepup_dir_conf *dc)
{
    write_cookie(r, dc, "", 0);
}
