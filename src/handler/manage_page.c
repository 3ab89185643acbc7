/*
 * GET manage: the user's passkeys with Remove and Rename, and "Add a
 * passkey". Changing passkeys needs a recent step-up at the level enrol.c
 * asks (DESIGN 5: StepupEnrollACR, and the user's strongest passkey), so
 * without one the browser is sent to confirm at that level first, except
 * where the federated bootstrap is allowed.
 */
#include <httpd.h>
#include <apr_escape.h>
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <util_script.h>

#include "mod_stepup.h"
#include "stepup_assets.h"
#include "stepup_csrf.h"
#include "stepup_returnto.h"

static const char *const placeholders[] = {
    "user", "base", "csrf", "list", "message", "continue", NULL
};
enum { M_USER, M_BASE, M_CSRF, M_LIST, M_MESSAGE, M_CONTINUE, M_COUNT };

static const char *esc(request_rec *r, const char *s)
{
    return stepup_html_escape(r->pool, s);
}

static const char *when(request_rec *r, apr_int64_t t)
{
    apr_time_exp_t tm;
    char buf[64];
    apr_size_t len = 0;

    if (t <= 0)
        return "never";
    apr_time_exp_gmt(&tm, apr_time_from_sec(t));
    apr_strftime(buf, &len, sizeof(buf), "%Y-%m-%d %H:%M UTC", &tm);
    return apr_pstrdup(r->pool, buf);
}

static const char *kind(const stepup_credential *c)
{
    if (c->level >= STEPUP_ACR_PHRH)
        return "Hardware-bound, high assurance";
    return c->backup_eligible ? "Synced passkey" : "Device-bound passkey";
}

static const char *item_html(request_rec *r, const stepup_credential *c,
                             const char *base, const char *csrf, int n)
{
    const char *id = esc(r, c->id), *name = esc(r, c->name);
    const char *field = apr_psprintf(r->pool, "rename-%d", n);

    return apr_pstrcat(r->pool,
        "<li>\n  <p class=\"name\">", name, "</p>\n"
        "  <p class=\"meta\"><span class=\"badge\">", kind(c), "</span> "
        "Added ", when(r, c->created), ". Last used ",
        when(r, c->last_used), ".</p>\n"
        "  <div class=\"actions\">\n"
        "    <form method=\"post\" action=\"", base, "passkeys/rename\">\n"
        "      <input type=\"hidden\" name=\"csrf\" value=\"", csrf, "\">\n"
        "      <input type=\"hidden\" name=\"id\" value=\"", id, "\">\n"
        "      <span><label for=\"", field, "\">New name</label>\n"
        "      <input id=\"", field, "\" name=\"name\" type=\"text\" "
        "maxlength=\"64\" required value=\"", name, "\"></span>\n"
        "      <button type=\"submit\" class=\"secondary\">Rename</button>\n"
        "    </form>\n"
        "    <form method=\"post\" action=\"", base, "passkeys/delete\">\n"
        "      <input type=\"hidden\" name=\"csrf\" value=\"", csrf, "\">\n"
        "      <input type=\"hidden\" name=\"id\" value=\"", id, "\">\n"
        "      <button type=\"submit\" class=\"secondary\" aria-label=\""
        "Remove ", name, "\">Remove</button>\n"
        "    </form>\n"
        "  </div>\n</li>\n", NULL);
}

int stepup_get_manage(request_rec *r)
{
    const stepup_server_conf *sc =
        ap_get_module_config(r->server->module_config, &stepup_module);
    const stepup_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &stepup_module);
    const char *base = stepup_conf_confirm_url(dc), *why, *csrf, *list;
    const char *values[M_COUNT + 1];
    apr_array_header_t *creds;
    stepup_template *page;
    apr_table_t *args = NULL;
    const char *done = NULL, *back = NULL;
    stepup_acr needed;
    int rc, i, bootstrap;

    if ((rc = stepup_passkeys_enabled(r, dc, &why)) != OK)
        return stepup_refuse(r, rc, why);
    ap_args_to_table(r, &args);
    if (args) {
        done = apr_table_get(args, "done");
        /* where the user was going (the confirm page for a security key
         * sends them here): only a path on this site, as everywhere */
        back = apr_table_get(args, "return_to");
        if (back && !stepup_return_to_ok(back))
            back = NULL;
    }
    if (stepup_store_list(r, r->user, &creds) != STEPUP_STORE_OK)
        return stepup_refuse(r, HTTP_SERVICE_UNAVAILABLE,
                             "the passkey store is unavailable");
    rc = stepup_enrol_check(r, dc, creds, &needed, &bootstrap, &why);
    if (rc == HTTP_UNAUTHORIZED) {
        /* confirm at the level that may change these passkeys, then back
         * here, with where the user was going */
        apr_table_setn(r->headers_out, "Location", stepup_site_url(
            r, dc, stepup_enrol_confirm_url(r, dc, needed, back)));
        return HTTP_SEE_OTHER;
    }
    if (rc != OK)
        return stepup_refuse(r, rc, why);
    if (!(csrf = stepup_csrf_mint(r->pool, sc->keys, r->user,
                                  apr_time_sec(r->request_time))))
        return HTTP_INTERNAL_SERVER_ERROR;
    base = esc(r, base);
    csrf = esc(r, csrf);
    list = creds->nelts ? "<ul class=\"passkeys\" aria-label=\"Your "
                          "passkeys\">\n"
                        : "<p>You have no passkeys yet.</p>\n";
    for (i = 0; i < creds->nelts; i++)
        list = apr_pstrcat(r->pool, list, item_html(r,
            APR_ARRAY_IDX(creds, i, stepup_credential *), base, csrf, i),
            NULL);
    if (creds->nelts)
        list = apr_pstrcat(r->pool, list, "</ul>\n", NULL);

    values[M_USER] = esc(r, r->user);
    values[M_BASE] = base;
    values[M_CSRF] = csrf;
    values[M_LIST] = list;
    values[M_MESSAGE] = !done ? ""
        : !strcmp(done, "removed") ? "<p class=\"notice\" role=\"status\">"
                                     "Passkey removed.</p>"
        : !strcmp(done, "renamed") ? "<p class=\"notice\" role=\"status\">"
                                     "Passkey renamed.</p>"
        : "";
    values[M_CONTINUE] = !back ? ""
        : apr_pstrcat(r->pool, "<p class=\"continue\"><a href=\"",
                      esc(r, back), "\">Continue where you were</a> (with "
                      "a new security key, confirm with it there)</p>",
                      NULL);
    values[M_COUNT] = NULL;
    if (stepup_template_parse(r->pool, stepup_asset_manage_html,
                              stepup_asset_manage_html_len, placeholders,
                              &page, &why) != 0)
        return HTTP_INTERNAL_SERVER_ERROR;
    ap_set_content_type(r, "text/html; charset=utf-8");
    ap_rputs(stepup_template_render(r->pool, page, values), r);
    return OK;
}
