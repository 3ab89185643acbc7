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
    return stepup_html_escape(r->pool, s);
}

static const char *password_form(request_rec *r, const char *base,
                                 const char *user, const char *csrf,
                                 const char *return_to, int has_error)
{
    return apr_pstrcat(r->pool,
        "<form method=\"post\" action=\"", base, "password\" "
        "class=\"method\">\n"
        "  <input type=\"hidden\" name=\"csrf\" value=\"", csrf, "\">\n"
        "  <input type=\"hidden\" name=\"return_to\" value=\"", return_to,
        "\">\n"
        /* tells password managers which account this password is for */
        "  <input type=\"text\" name=\"username\" value=\"", user,
        "\" autocomplete=\"username\" readonly hidden>\n"
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

static const char *passkey_button(request_rec *r, const char *action,
                                  const char *label, const char *base,
                                  const char *csrf, const char *return_to,
                                  stepup_acr acr, int primary)
{
    return apr_pstrcat(r->pool,
        "<button type=\"button\"", primary ? "" : " class=\"secondary\"",
        " data-action=\"", action, "\" data-base=\"", base,
        "\" data-csrf=\"", csrf, "\" data-return-to=\"", return_to,
        "\" data-acr=\"", stepup_acr_name(acr), "\">", label, "</button>\n"
        "<p id=\"passkey-status\" role=\"status\" aria-live=\"polite\">"
        "</p>\n", NULL);
}

/* The user's passkeys that reach acr, or -1 when there is no store. */
static int passkeys_reaching(request_rec *r, const stepup_dir_conf *dc,
                             stepup_acr acr, int *all)
{
    apr_array_header_t *creds;
    const char *why;
    int i, n = 0;

    *all = 0;
    if (stepup_passkeys_enabled(r, dc, &why) != OK
        || stepup_store_list(r, r->user, &creds) != STEPUP_STORE_OK)
        return -1;
    for (i = 0; i < creds->nelts; i++)
        n += APR_ARRAY_IDX(creds, i, stepup_credential *)->level >= acr;
    *all = creds->nelts;
    return n;
}

static const char *methods_html(request_rec *r, const stepup_dir_conf *dc,
                                const stepup_page_args *a, const char *base,
                                const char *csrf, const char *return_to)
{
    stepup_acr acr = a->acr;
    int all = 0, usable = passkeys_reaching(r, dc, acr > STEPUP_ACR_PWD
                                            ? acr : STEPUP_ACR_PHR, &all);
    /* "cannot tell" offers the field: the check itself will answer */
    int password = acr <= STEPUP_ACR_PWD && stepup_has_password(r, dc) != 0;
    const char *html = "";

    if (acr > STEPUP_ACR_PWD) {
        const char *what = acr == STEPUP_ACR_PHRH
            ? "a hardware security key" : "a passkey";

        html = apr_pstrcat(r->pool, "<p class=\"hint\">This action needs a "
                           "confirmation with ", what, "; a password is not "
                           "enough.</p>\n", NULL);
        if (usable > 0)
            return apr_pstrcat(r->pool, html,
                               passkey_button(r, "confirm", "Use passkey",
                                              base, csrf, return_to, acr, 1),
                               NULL);
        /* the passkeys page leads back here once a key is added */
        return apr_pstrcat(r->pool, html, "<p>You have not registered ",
                           what, " here yet. Add one from your passkeys "
                           "page (<a href=\"", base, "manage?return_to=",
                           esc(r, apr_pescape_urlencoded(r->pool,
                                                         a->return_to)),
                           "\">Manage passkeys</a>) after confirming your "
                           "identity another way, then come back.</p>\n",
                           NULL);
    }
    if (password)
        html = password_form(r, base, esc(r, r->user), csrf, return_to,
                             a->error != NULL);
    if (usable > 0)
        html = apr_pstrcat(r->pool, html,
                           password ? "<p class=\"or\">or</p>\n" : "",
                           passkey_button(r, "confirm", "Use passkey", base,
                                          csrf, return_to, STEPUP_ACR_PHR,
                                          !password), NULL);
    if (password || usable > 0)
        return html;
    if (usable == 0 && all == 0 && !stepup_bootstrap_allowed(r, dc))
        return "<p>Your account has no password on this site and no "
               "passkey yet, and a first passkey can only be added by the "
               "site's administrator here. Ask them for help.</p>\n";
    if (usable == 0 && all == 0)
        return apr_pstrcat(r->pool, "<p>Your account has no password on "
                           "this site and no passkey yet. Add a passkey to "
                           "confirm your identity: your device will ask for "
                           "your fingerprint, face, PIN or security key.</p>"
                           "\n", passkey_button(r, "register", "Add a "
                           "passkey", base, csrf, return_to, STEPUP_ACR_PHR,
                           1), NULL);
    return "<p>Your account has no password on this site and passkeys "
           "are not available here, so there is no way to confirm your "
           "identity. Ask the site's administrator for help.</p>\n";
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
