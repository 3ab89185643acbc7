/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The Confirm access page: the built-in template (assets/confirm.html) or
 * StepupTemplate, filled with escaped values and the pieces of
 * assets/confirm-parts.html for the methods that can reach the level asked
 * for. The built-in templates are parsed once at start-up, before httpd
 * starts its children; each request only renders them.
 */
#include <httpd.h>
#include <apr_escape.h>
#include <apr_strings.h>
#include <http_log.h>
#include <http_protocol.h>

#include "mod_stepup.h"
#include "stepup_assets.h"
#include "stepup_csrf.h"


/* The pieces in assets/confirm-parts.html and their placeholders. */
static const char *const part_names[] = {
    "title", "error", "password-form", "password-aria", "password-aria-error",
    "or", "passkey", "passkey-secondary", "a-passkey", "a-security-key",
    "needs-key", "no-key-yet", "first-passkey-by-admin", "first-passkey",
    "no-method", "resume-input", "action", "fields", "field", "resubmit",
    "continue", "why-recent", "why-once", NULL
};
enum { F_TITLE, F_ERROR, F_PASSWORD_FORM, F_PASSWORD_ARIA,
       F_PASSWORD_ARIA_ERROR, F_OR, F_PASSKEY, F_PASSKEY_SECONDARY,
       F_A_PASSKEY, F_A_SECURITY_KEY, F_NEEDS_KEY, F_NO_KEY_YET,
       F_FIRST_PASSKEY_BY_ADMIN, F_FIRST_PASSKEY, F_NO_METHOD,
       F_RESUME_INPUT, F_ACTION, F_FIELDS, F_FIELD, F_RESUBMIT, F_CONTINUE,
       F_WHY_RECENT, F_WHY_ONCE, F_COUNT };

static const char *const part_placeholders[] = {
    "base", "csrf", "return_to", "return_to_query", "user", "error", "acr",
    "what", "password_aria", "resume", "resume_input", "action_method",
    "action_target", "fields", "field_name", "field_value", "why", "hint",
    NULL
};
enum { V_BASE, V_CSRF, V_RETURN_TO, V_RETURN_TO_QUERY, V_USER, V_ERROR,
       V_ACR, V_WHAT, V_PASSWORD_ARIA, V_RESUME, V_RESUME_INPUT,
       V_ACTION_METHOD, V_ACTION_TARGET, V_FIELDS, V_FIELD_NAME,
       V_FIELD_VALUE, V_WHY, V_HINT, V_COUNT };

/* Parsed in post_config from pconf: set again on every configuration
 * cycle, and shared read-only by the children. */
static struct {
    stepup_template *page;
    stepup_template *parts[F_COUNT];
} builtin;

static const char *esc(request_rec *r, const char *s)
{
    return stepup_html_escape(r->pool, s);
}

static const char *part(request_rec *r, int f, const char *const *v)
{
    return stepup_template_render(r->pool, builtin.parts[f], v);
}

/* The user's passkeys that reach acr, or -1 when there is no store. */
static int passkeys_reaching(request_rec *r, const stepup_dir_conf *dc,
                             stepup_acr acr, int *all)
{
    apr_array_header_t *creds;
    const char *why;
    int i, n = 0;

    *all = 0;
    if (stepup_passkeys_check(r, dc, &why) != OK
        || stepup_store_list(r, r->user, &creds) != STEPUP_STORE_OK)
        return -1;
    for (i = 0; i < creds->nelts; i++)
        n += APR_ARRAY_IDX(creds, i, stepup_credential *)->level >= acr;
    *all = creds->nelts;
    return n;
}

/* Above pwd only a passkey (or a security key) will do. */
static const char *key_methods(request_rec *r, stepup_acr acr, int usable,
                               const char **v)
{
    v[V_ACR] = stepup_acr_name(acr);
    v[V_WHAT] = part(r, acr == STEPUP_ACR_PHRH ? F_A_SECURITY_KEY
                                               : F_A_PASSKEY, v);
    /* without a key the passkeys page leads back here once one is added */
    return apr_pstrcat(r->pool, part(r, F_NEEDS_KEY, v),
                       part(r, usable > 0 ? F_PASSKEY : F_NO_KEY_YET, v),
                       NULL);
}

static const char *methods_html(request_rec *r, const stepup_dir_conf *dc,
                                const stepup_page_args *a, const char **v)
{
    stepup_acr acr = a->acr;
    int all = 0, usable = passkeys_reaching(r, dc, acr > STEPUP_ACR_PWD
                                            ? acr : STEPUP_ACR_PHR, &all);
    /* "cannot tell" offers the field: the check itself will answer */
    int password = acr <= STEPUP_ACR_PWD && a->has_password != 0;
    const char *html = "";

    if (acr > STEPUP_ACR_PWD)
        return key_methods(r, acr, usable, v);
    v[V_ACR] = stepup_acr_name(STEPUP_ACR_PHR);
    if (password) {
        /* a one-time action asks every time: no "for a few minutes" */
        v[V_HINT] = part(r, a->parked && a->parked->max_age == 0
                            ? F_WHY_ONCE : F_WHY_RECENT, v);
        v[V_PASSWORD_ARIA] = part(r, a->error ? F_PASSWORD_ARIA_ERROR
                                              : F_PASSWORD_ARIA, v);
        html = part(r, F_PASSWORD_FORM, v);
    }
    if (usable > 0)
        html = apr_pstrcat(r->pool, html, password ? part(r, F_OR, v) : "",
                           part(r, password ? F_PASSKEY_SECONDARY
                                            : F_PASSKEY, v), NULL);
    if (password || usable > 0)
        return html;
    if (usable == 0 && all == 0)
        return part(r, stepup_bootstrap_allowed(r, dc)
                       ? F_FIRST_PASSKEY : F_FIRST_PASSKEY_BY_ADMIN, v);
    return part(r, F_NO_METHOD, v);
}

/* What the parked request is, or why the form was not kept: the top of
 * the page's methods. */
static const char *action_html(request_rec *r, const stepup_page_args *a,
                               const char **v)
{
    const stepup_parked *p = a->parked;
    const char *fields = "";
    int i;

    v[V_RESUME] = "";
    v[V_RESUME_INPUT] = "";
    if (!p) {
        v[V_WHY] = "too large, or of a kind that is not kept";
        return a->resubmit && a->kind == STEPUP_PAGE_CONFIRM
               ? part(r, F_RESUBMIT, v) : "";
    }
    v[V_RESUME] = esc(r, p->id);
    v[V_RESUME_INPUT] = part(r, F_RESUME_INPUT, v);
    v[V_ACTION_METHOD] = esc(r, p->method);
    v[V_ACTION_TARGET] = esc(r, p->target);
    for (i = 0; i + 1 < p->show->nelts; i += 2) {
        v[V_FIELD_NAME] = esc(r, APR_ARRAY_IDX(p->show, i, const char *));
        v[V_FIELD_VALUE] = esc(r, APR_ARRAY_IDX(p->show, i + 1,
                                                const char *));
        fields = apr_pstrcat(r->pool, fields, part(r, F_FIELD, v), NULL);
    }
    v[V_FIELDS] = fields;
    if (*fields)
        v[V_FIELDS] = part(r, F_FIELDS, v);
    return a->kind == STEPUP_PAGE_CONFIRM ? part(r, F_ACTION, v) : "";
}

/* The page's main part: the methods, or what the kind of page says. */
static const char *main_html(request_rec *r, const stepup_dir_conf *dc,
                             const stepup_page_args *a, const char **v)
{
    const char *action = action_html(r, a, v);

    switch (a->kind) {
    case STEPUP_PAGE_STOPPED:
        return "";
    case STEPUP_PAGE_CONTINUE:
        return part(r, F_CONTINUE, v);
    default:
        return apr_pstrcat(r->pool, action, methods_html(r, dc, a, v),
                           NULL);
    }
}

int stepup_send_page(request_rec *r, int status, const stepup_page_args *a)
{
    const stepup_server_conf *sc =
        ap_get_module_config(r->server->module_config, &stepup_module);
    const stepup_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &stepup_module);
    const stepup_template *page = dc->page ? dc->page : builtin.page;
    const char *values[STEPUP_PAGE_COUNT + 1], *v[V_COUNT + 1] = { NULL };
    const char *csrf = stepup_csrf_mint(r->pool, sc->keys, r->user,
                                        apr_time_sec(r->request_time));

    if (!csrf || !page)
        return HTTP_INTERNAL_SERVER_ERROR;
    v[V_BASE] = esc(r, stepup_conf_confirm_url(dc));
    v[V_CSRF] = esc(r, csrf);
    v[V_RETURN_TO] = esc(r, a->return_to);
    v[V_RETURN_TO_QUERY] = esc(r, apr_pescape_urlencoded(r->pool,
                                                         a->return_to));
    v[V_USER] = esc(r, r->user);
    v[V_ERROR] = esc(r, a->error);
    values[STEPUP_PAGE_TITLE] = part(r, F_TITLE, v);
    values[STEPUP_PAGE_USER] = v[V_USER];
    values[STEPUP_PAGE_ERROR] = a->error ? part(r, F_ERROR, v) : "";
    values[STEPUP_PAGE_METHODS] = main_html(r, dc, a, v);
    values[STEPUP_PAGE_BASE] = v[V_BASE];
    values[STEPUP_PAGE_RETURN_TO] = v[V_RETURN_TO];
    values[STEPUP_PAGE_CSRF] = v[V_CSRF];
    values[STEPUP_PAGE_COUNT] = NULL;

    r->status = status;
    ap_set_content_type(r, "text/html; charset=utf-8");
    ap_rputs(stepup_template_render(r->pool, page, values), r);
    return OK;
}

/* The built-in templates of this page; *what names the one that fails. */
static int builtin_parse(apr_pool_t *p, const char **what, const char **why)
{
    *what = "assets/confirm.html";
    if (stepup_template_parse(p, stepup_asset_confirm_html,
                              stepup_asset_confirm_html_len,
                              stepup_page_placeholders, &builtin.page,
                              why) != 0)
        return -1;
    *what = "assets/confirm-parts.html";
    return stepup_template_parse_fragments(
        p, stepup_asset_confirm_parts_html,
        stepup_asset_confirm_parts_html_len, part_names, part_placeholders,
        builtin.parts, why);
}

/* Both built-in pages, parsed once; a broken one refuses start-up. */
int stepup_pages_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *s)
{
    const char *what = NULL, *why = NULL;

    (void)plog;
    (void)ptemp;
    if (builtin_parse(pconf, &what, &why) == 0
        && stepup_manage_page_parse(pconf, &what, &why) == 0)
        return OK;
    ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, "STEPUP0150: the built-in "
                 "template %s is broken: %s", what, why);
    return HTTP_INTERNAL_SERVER_ERROR;
}
