/*
 * For the targets of the module's httpd side that parse request input
 * (fuzz_cookie.c: src/cookie.c, fuzz_body.c: src/body.c). Such a target
 * includes the .c file itself and links without httpd: the few httpd
 * functions those files call are defined here, in the fuzz harness only,
 * and a request_rec is made with what they read. A change to those
 * files that calls more of httpd shows here as an undefined symbol.
 */
#ifndef STEPUP_FUZZ_HTTPD_SIDE_H
#define STEPUP_FUZZ_HTTPD_SIDE_H

#include <stdarg.h>

#include <apr_escape.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>

#include "fuzz.h"

/* mod_stepup.h logs as this module */
module AP_MODULE_DECLARE_DATA stepup_module;

static struct ap_logconf fuzz_logconf = { NULL, APLOG_TRACE8 };

/* Every log line is formatted (a bad format or argument is caught) and
 * dropped. */
AP_DECLARE(void) ap_log_rerror_(const char *file, int line, int module_index,
                                int level, apr_status_t status,
                                const request_rec *r, const char *fmt, ...)
{
    va_list ap;

    (void)file; (void)line; (void)module_index; (void)level; (void)status;
    va_start(ap, fmt);
    (void)apr_pvsprintf(r->pool, fmt, ap);
    va_end(ap);
}

/* What a log line's client data goes through (httpd's own escapes the
 * same characters: controls, quotes, backslashes). */
AP_DECLARE(char *) ap_escape_logitem(apr_pool_t *p, const char *str)
{
    return str ? (char *)apr_pescape_echo(p, str, 1) : NULL;
}

/* A request with its pool, headers and log level. */
static inline request_rec *fuzz_request(apr_pool_t *p)
{
    request_rec *r = apr_pcalloc(p, sizeof(*r));

    r->pool = p;
    r->headers_in = apr_table_make(p, 8);
    r->headers_out = apr_table_make(p, 8);
    r->err_headers_out = apr_table_make(p, 8);
    r->uri = "/account/settings";
    r->method = "POST";
    r->log = &fuzz_logconf;
    return r;
}

#endif
