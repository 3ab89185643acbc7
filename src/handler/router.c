/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * SetHandler stepup: the route table of the endpoints under
 * StepupConfirmURL, and the page's script and style embedded in the
 * module. Every answer is uncacheable and unframeable; guard.c checks
 * every request before its endpoint runs.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <http_request.h>
#include <util_script.h>

#include "mod_stepup.h"
#include "stepup_assets.h"
#include "stepup_returnto.h"

#define CSP "default-src 'none'; script-src 'self'; style-src 'self'; " \
            "img-src 'self'; connect-src 'self'; form-action 'self'; " \
            "frame-ancestors 'none'; base-uri 'none'"

static int send_asset(request_rec *r, const char *type, const char *data,
                      size_t len)
{
    apr_table_setn(r->err_headers_out, "Cache-Control", "max-age=3600");
    ap_set_content_type(r, type);
    ap_set_content_length(r, (apr_off_t)len);
    if (!r->header_only)
        ap_rwrite(data, (int)len, r);
    return OK;
}

/* The endpoint: r->uri below StepupConfirmURL, or NULL when outside. */
static const char *endpoint_of(request_rec *r, const char *base)
{
    size_t n = strlen(base);

    if (!strncmp(r->uri, base, n))
        return r->uri + n;
    /* "/stepup" for "/stepup/" */
    if (n > 1 && base[n - 1] == '/' && strlen(r->uri) == n - 1
        && !strncmp(r->uri, base, n - 1))
        return "";
    return NULL;
}

typedef struct {
    const char *path;
    int method;           /* M_GET (HEAD too) or M_POST */
    int (*run)(request_rec *r);
} route;

static int get_page(request_rec *r)
{
    const char *acr_arg = NULL, *return_to = NULL, *resume = NULL, *why;
    stepup_page_args page = { "/", STEPUP_ACR_PWD, NULL, 1, NULL, 0,
                              STEPUP_PAGE_CONFIRM };
    apr_table_t *args = NULL;
    int status = HTTP_OK;

    ap_args_to_table(r, &args);
    if (args) {
        return_to = apr_table_get(args, "return_to");
        acr_arg = apr_table_get(args, "acr");
        resume = apr_table_get(args, "resume");
        page.resubmit = apr_table_get(args, "resubmit") != NULL;
    }
    page.return_to = stepup_return_to(return_to);
    if (acr_arg && stepup_acr_parse(acr_arg, strlen(acr_arg), &page.acr))
        page.acr = STEPUP_ACR_PWD; /* unknown: ask for the least */
    if ((status = stepup_resume_check(r, resume, &page.parked, &why)) != OK) {
        /* the step-up still works; the action must be started again */
        page.error = stepup_resume_gone(r, why);
        page.kind = STEPUP_PAGE_STOPPED;
    }
    else
        status = HTTP_OK;
    page.has_password = stepup_has_password(r, ap_get_module_config(
        r->per_dir_config, &stepup_module));
    return stepup_send_page(r, status, &page);
}

static int get_script(request_rec *r)
{
    return send_asset(r, "text/javascript; charset=utf-8",
                      stepup_asset_stepup_js, stepup_asset_stepup_js_len);
}

static int get_style(request_rec *r)
{
    return send_asset(r, "text/css; charset=utf-8", stepup_asset_stepup_css,
                      stepup_asset_stepup_css_len);
}

static const route routes[] = {
    { "",           M_GET,  get_page },
    { "password",   M_POST, stepup_post_password },
    { "status",     M_GET,  stepup_get_status },
    { "drop",       M_POST, stepup_post_drop },
    { "resume",     M_POST, stepup_post_resume },
    { "passkey/begin",           M_POST, stepup_post_passkey_begin },
    { "passkey/finish",          M_POST, stepup_post_passkey_finish },
    { "passkey/register/begin",  M_POST, stepup_post_register_begin },
    { "passkey/register/finish", M_POST, stepup_post_register_finish },
    { "passkeys",                M_GET,  stepup_get_passkeys },
    { "manage",                  M_GET,  stepup_get_manage },
    { "passkeys/delete",         M_POST, stepup_post_passkeys_delete },
    { "passkeys/rename",         M_POST, stepup_post_passkeys_rename },
    { "stepup.js",  M_GET,  get_script },
    { "stepup.css", M_GET,  get_style },
    { NULL, 0, NULL }
};

int stepup_handler(request_rec *r)
{
    const stepup_server_conf *sc;
    const stepup_dir_conf *dc;
    const char *endpoint;
    const route *rt;
    int rc;

    if (!r->handler || strcmp(r->handler, "stepup"))
        return DECLINED;
    sc = ap_get_module_config(r->server->module_config, &stepup_module);
    dc = ap_get_module_config(r->per_dir_config, &stepup_module);

    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    apr_table_setn(r->err_headers_out, "Content-Security-Policy", CSP);
    apr_table_setn(r->err_headers_out, "X-Frame-Options", "DENY");
    apr_table_setn(r->err_headers_out, "X-Content-Type-Options", "nosniff");
    apr_table_setn(r->err_headers_out, "Referrer-Policy", "same-origin");

    if (!(endpoint = endpoint_of(r, stepup_conf_confirm_url(dc)))) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "STEPUP0102: the stepup "
                      "handler serves %s, outside StepupConfirmURL %s",
                      ap_escape_logitem(r->pool, r->uri),
                      stepup_conf_confirm_url(dc));
        return HTTP_NOT_FOUND;
    }
    for (rt = routes; rt->path; rt++) {
        if (!strcmp(rt->path, endpoint))
            break;
    }
    if (!rt->path)
        return HTTP_NOT_FOUND;
    if (r->method_number != rt->method) {
        /* httpd's Allow header comes from allowed_methods (GET adds HEAD) */
        ap_allow_standard_methods(r, REPLACE_ALLOW, rt->method, -1);
        return HTTP_METHOD_NOT_ALLOWED;
    }

    if ((rc = stepup_guard(r, sc, dc, rt->method == M_POST)) != DECLINED)
        return rc;
    return rt->run(r);
}
