/*
 * The step-up cookie: reading the token (and the session cookie it may be
 * bound to) and writing it (DESIGN 3). The Set-Cookie line is composed
 * here rather than by ap_cookie_write, which logs cookie values at trace
 * level; a token never reaches a log.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_protocol.h>
#include <util_cookies.h>

#include "mod_stepup.h"

const char *stepup_request_token(request_rec *r, const stepup_dir_conf *dc)
{
    const char *val = NULL;

    if (dc->token_header
        && (val = apr_table_get(r->headers_in, dc->token_header)))
        return val;
    if (ap_cookie_read(r, stepup_conf_cookie_name(dc), &val, 0)
        != APR_SUCCESS)
        return NULL; /* sent twice with different values: trust neither */
    return val;
}

const char *stepup_request_bind(request_rec *r, const stepup_dir_conf *dc,
                                char buf[STEPUP_BIND_LEN + 1])
{
    const char *value = NULL;

    if (!dc->bind_cookie)
        return NULL;
    if (ap_cookie_read(r, dc->bind_cookie, &value, 0) == APR_SUCCESS
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
