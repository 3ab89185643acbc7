/*
 * SetHandler stepup: the endpoints under StepupConfirmURL (DESIGN 6).
 * Every answer is uncacheable and unframeable; every POST must come from
 * this origin and carry the CSRF token.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <http_request.h>
#include <util_script.h>
#include <jansson.h>

#include "mod_stepup.h"
#include "stepup_assets.h"
#include "stepup_csrf.h"
#include "stepup_returnto.h"

#define CSP "default-src 'none'; script-src 'self'; style-src 'self'; " \
            "img-src 'self'; connect-src 'self'; form-action 'self'; " \
            "frame-ancestors 'none'; base-uri 'none'"

void stepup_log_attempt(request_rec *r, const char *method, const char *acr,
                        const char *outcome)
{
    /* notice: always logged, whatever LogLevel says */
    /* outcomes may quote what the client sent: escaped like the user */
    ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, "STEPUP0100: user %s from "
                  "%s: step-up by %s (acr %s): %s",
                  ap_escape_logitem(r->pool, r->user), r->useragent_ip,
                  method, acr, ap_escape_logitem(r->pool, outcome));
}

int stepup_send_json(request_rec *r, int status, json_t *json_object)
{
    json_t *o = json_object;
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;

    json_decref(o);
    if (!text)
        return HTTP_INTERNAL_SERVER_ERROR;
    r->status = status;
    ap_set_content_type(r, "application/json");
    ap_rputs(text, r);
    ap_rputc('\n', r);
    free(text);
    return OK;
}

int stepup_bad_request(request_rec *r, int status, const char *why)
{
    const char *accept = apr_table_get(r->headers_in, "Accept");

    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "STEPUP0101: %s %s: %d %s",
                  r->method, ap_escape_logitem(r->pool, r->uri), status,
                  ap_escape_logitem(r->pool, why));
    if (accept && ap_strcasestr(accept, "application/json"))
        return stepup_send_json(r, status, json_pack("{s:b, s:s}", "ok", 0,
                                                     "error", why));
    r->status = status;
    ap_set_content_type(r, "text/plain; charset=utf-8");
    ap_rvputs(r, why, "\n", NULL);
    return OK;
}

const char *const *stepup_accepted_origins(request_rec *r,
                                           const stepup_dir_conf *dc,
                                           int *count)
{
    const char **own;

    /* Behind a load balancer or TLS terminator the browser's origin is the
     * public one, which httpd cannot work out from the request it sees
     * (ap_construct_url adds the back end's port and scheme): StepupOrigin
     * names it (DESIGN 6) */
    if (dc->origins && dc->origins->nelts > 0) {
        *count = dc->origins->nelts;
        return (const char *const *)dc->origins->elts;
    }
    own = apr_palloc(r->pool, sizeof(*own));
    *own = ap_construct_url(r->pool, "", r);
    *count = 1;
    return own;
}

const char *stepup_site_url(request_rec *r, const stepup_dir_conf *dc,
                            const char *path)
{
    const char *origin = apr_table_get(r->headers_in, "Origin");
    int i;

    if (!dc->origins || dc->origins->nelts == 0)
        return ap_construct_url(r->pool, path, r);
    /* the public origin the browser came from, when it is one of ours
     * (www and login may both be), else the first: never the back end's
     * scheme and port, which a browser behind the load balancer cannot
     * reach */
    for (i = 0; origin && i < dc->origins->nelts; i++) {
        const char *o = APR_ARRAY_IDX(dc->origins, i, const char *);

        if (!strcasecmp(origin, o))
            return apr_pstrcat(r->pool, o, path, NULL);
    }
    return apr_pstrcat(r->pool, APR_ARRAY_IDX(dc->origins, 0, const char *),
                       path, NULL);
}

/* Same-origin when the browser says where the request comes from. */
static const char *origin_problem(request_rec *r, const stepup_dir_conf *dc)
{
    const char *origin = apr_table_get(r->headers_in, "Origin");
    const char *site = apr_table_get(r->headers_in, "Sec-Fetch-Site");
    const char *const *accepted;
    int i, n;

    if (site && !strcasecmp(site, "cross-site"))
        return "cross-site request refused";
    if (!origin)
        return NULL;
    /* scheme and host are case-insensitive (RFC 6454 4); browsers send
     * them in lower case, an operator may not write them so */
    accepted = stepup_accepted_origins(r, dc, &n);
    for (i = 0; i < n; i++) {
        if (!strcasecmp(origin, accepted[i]))
            return NULL;
    }
    return "cross-origin request refused";
}

/* The directory of an .htaccess file (AccessFileName) read with
 * AllowOverride AuthConfig for this request, or NULL. Its writer decides
 * who the user is (AuthType, AuthUserFile, ...) and which password file the
 * authn providers check (AuthUserFile, AuthDBMUserFile, AuthLDAPURL are all
 * AuthConfig), so a handler under it would mint tokens on their word that
 * every location of the host accepts. r->htaccess lists the files the
 * directory walk read (a NULL vector: no file there). An AllowOverrideList
 * counts too, as it may name any of those directives: httpd keeps no list
 * in r->htaccess (its override_list member is never set there), so the
 * list in effect for the request's directory decides. */
static const char *authconfig_htaccess_dir(request_rec *r)
{
    const core_dir_config *core = ap_get_core_module_config(r->per_dir_config);
    int listed = core && core->override_list
                 && !apr_is_empty_table(core->override_list);
    const struct htaccess_result *h;

    for (h = r->htaccess; h; h = h->next) {
        if (h->htaccess && (listed || (h->override & OR_AUTHCFG)))
            return h->dir;
    }
    return NULL;
}

const char *stepup_csrf_problem(request_rec *r, apr_table_t *form)
{
    const stepup_server_conf *sc =
        ap_get_module_config(r->server->module_config, &stepup_module);
    const char *token = apr_table_get(r->headers_in, "X-Stepup-CSRF");

    if (!token && form)
        token = apr_table_get(form, "csrf");
    if (!token)
        return "missing CSRF token";
    if (stepup_csrf_verify(r->pool, sc->keys, r->user, token,
                           apr_time_sec(r->request_time)) != 0)
        return "invalid or expired CSRF token: reload the page";
    return NULL;
}

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
    const char *acr_arg = NULL, *return_to = NULL;
    stepup_page_args page = { "/", STEPUP_ACR_PWD, NULL, 1 };
    apr_table_t *args = NULL;

    ap_args_to_table(r, &args);
    if (args) {
        return_to = apr_table_get(args, "return_to");
        acr_arg = apr_table_get(args, "acr");
    }
    page.return_to = stepup_return_to(return_to);
    if (acr_arg && stepup_acr_parse(acr_arg, strlen(acr_arg), &page.acr))
        page.acr = STEPUP_ACR_PWD; /* unknown: ask for the least */
    page.has_password = stepup_has_password(r, ap_get_module_config(
        r->per_dir_config, &stepup_module));
    return stepup_send_page(r, HTTP_OK, &page);
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
    const char *why, *htdir;

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

    if ((htdir = authconfig_htaccess_dir(r))) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "STEPUP0170: the stepup "
                      "handler refuses %s: an .htaccess file in %s may change "
                      "the authentication (AllowOverride AuthConfig), so its "
                      "writer would choose the user and the password file; "
                      "mount the handler where no such file applies",
                      ap_escape_logitem(r->pool, r->uri),
                      ap_escape_logitem(r->pool, htdir));
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (!r->user) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "STEPUP0103: no "
                      "authenticated user at %s: put the stepup handler "
                      "behind the site's authentication",
                      ap_escape_logitem(r->pool, r->uri));
        return HTTP_FORBIDDEN;
    }
    if (!sc->keys) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "STEPUP0104: the stepup "
                      "handler needs StepupKeyFile for this server");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (rt->method == M_POST && (why = origin_problem(r, dc)))
        return stepup_bad_request(r, HTTP_FORBIDDEN, why);
    return rt->run(r);
}
