/*
 * The Confirm access page: the built-in template (assets/confirm.html) or
 * StepupTemplate, filled with escaped values and the forms of the methods
 * that can reach the level asked for.
 */
#include <httpd.h>
#include <apr_escape.h>
#include <apr_strings.h>
#include <http_protocol.h>

#include "mod_stepup.h"
#include "stepup_assets.h"
#include "stepup_csrf.h"

/* The placeholders of a page template, documented in conf/stepup.conf. */
const char *const stepup_page_placeholders[] = {
    "title", "user", "error", "methods", "base", "return_to", "csrf", NULL
};
enum { P_TITLE, P_USER, P_ERROR, P_METHODS, P_BASE, P_RETURN_TO, P_CSRF,
       P_COUNT };

static const char *esc(request_rec *r, const char *s)
{
    return apr_pescape_entity(r->pool, s, 0);
}

static const char *password_form(request_rec *r, const char *base,
                                 const char *csrf, const char *return_to,
                                 int has_error)
{
    return apr_pstrcat(r->pool,
        "<form method=\"post\" action=\"", base, "password\" "
        "class=\"method\">\n"
        "  <input type=\"hidden\" name=\"csrf\" value=\"", csrf, "\">\n"
        "  <input type=\"hidden\" name=\"return_to\" value=\"", return_to,
        "\">\n"
        "  <p class=\"hint\" id=\"why\">You are about to do something that "
        "needs a recent confirmation of your identity. We won't ask again "
        "for a few minutes.</p>\n"
        "  <label for=\"password\">Password</label>\n"
        "  <input id=\"password\" name=\"password\" type=\"password\" "
        "autocomplete=\"current-password\" required autofocus "
        "aria-describedby=\"", has_error ? "error why" : "why", "\"",
        has_error ? " aria-invalid=\"true\"" : "", ">\n"
        "  <button type=\"submit\">Verify</button>\n"
        "</form>\n", NULL);
}

static const char *methods_html(request_rec *r, const stepup_dir_conf *dc,
                                const stepup_page_args *a, const char *base,
                                const char *csrf, const char *return_to)
{
    int methods = stepup_conf_methods(dc);

    if (a->acr > STEPUP_ACR_PWD)
        return apr_pstrcat(r->pool,
            "<p>This action needs a confirmation with ",
            a->acr == STEPUP_ACR_PHRH ? "a hardware security key"
                                      : "a passkey",
            "; a password is not enough. Passkey confirmation is not "
            "available on this site yet.</p>\n", NULL);
    if ((methods & STEPUP_METHOD_PASSWORD) && stepup_has_password(r, dc))
        return password_form(r, base, csrf, return_to, a->error != NULL);
    return "<p>Your account has no password on this site and no passkey "
           "yet, so there is no way to confirm your identity here. Ask the "
           "site's administrator how to add a passkey.</p>\n";
}

int stepup_send_page(request_rec *r, int status, const stepup_page_args *a)
{
    const stepup_server_conf *sc =
        ap_get_module_config(r->server->module_config, &stepup_module);
    const stepup_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &stepup_module);
    const stepup_template *page = dc->page;
    const char *values[P_COUNT + 1];
    const char *csrf = stepup_csrf_mint(r->pool, sc->keys, r->user,
                                        apr_time_sec(r->request_time));
    const char *base = esc(r, stepup_conf_confirm_url(dc));
    const char *return_to = esc(r, a->return_to);

    if (!csrf)
        return HTTP_INTERNAL_SERVER_ERROR;
    csrf = esc(r, csrf);
    if (!page) {
        stepup_template *builtin;
        const char *err;

        if (stepup_template_parse(r->pool, stepup_asset_confirm_html,
                                  stepup_asset_confirm_html_len,
                                  stepup_page_placeholders, &builtin,
                                  &err) != 0)
            return HTTP_INTERNAL_SERVER_ERROR;
        page = builtin;
    }
    values[P_TITLE] = "Confirm access";
    values[P_USER] = esc(r, r->user);
    values[P_ERROR] = a->error
        ? apr_pstrcat(r->pool, "<p class=\"error\" role=\"alert\" "
                      "id=\"error\">", esc(r, a->error), "</p>", NULL)
        : "";
    values[P_METHODS] = methods_html(r, dc, a, base, csrf, return_to);
    values[P_BASE] = base;
    values[P_RETURN_TO] = return_to;
    values[P_CSRF] = csrf;
    values[P_COUNT] = NULL;

    r->status = status;
    ap_set_content_type(r, "text/html; charset=utf-8");
    ap_rputs(stepup_template_render(r->pool, page, values), r);
    return OK;
}
