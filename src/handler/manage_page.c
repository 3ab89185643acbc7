/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * GET manage: the user's passkeys with Remove and Rename, and "Add a
 * passkey". Changing passkeys needs a recent step-up at the level enrol.c
 * asks (StepupEnrollACR, and the user's strongest passkey), so without one
 * the browser is sent to confirm at that level first, except where the
 * federated bootstrap is allowed. The page is assets/manage.html filled
 * with the pieces of assets/manage-parts.html, both parsed at start-up.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <util_script.h>

#include "mod_stepup.h"
#include "stepup_assets.h"
#include "stepup_csrf.h"
#include "stepup_returnto.h"

/* The placeholders of assets/manage.html. */
static const char *const placeholders[] = {
    "user", "base", "csrf", "list", "message", "continue", NULL
};
enum { M_USER, M_BASE, M_CSRF, M_LIST, M_MESSAGE, M_CONTINUE, M_COUNT };

/* The pieces in assets/manage-parts.html and their placeholders. */
static const char *const part_names[] = {
    "list", "no-passkeys", "item", "high-assurance", "synced",
    "device-bound", "never", "removed", "renamed", "continue", NULL
};
enum { F_LIST, F_NO_PASSKEYS, F_ITEM, F_HIGH_ASSURANCE, F_SYNCED,
       F_DEVICE_BOUND, F_NEVER, F_REMOVED, F_RENAMED, F_CONTINUE, F_COUNT };

static const char *const part_placeholders[] = {
    "base", "csrf", "items", "id", "name", "kind", "created", "last_used",
    "n", "return_to", NULL
};
enum { V_BASE, V_CSRF, V_ITEMS, V_ID, V_NAME, V_KIND, V_CREATED,
       V_LAST_USED, V_N, V_RETURN_TO, V_COUNT };

/* Parsed in post_config from pconf (confirm_page.c), like the confirm
 * page's. */
static struct {
    stepup_template *page;
    stepup_template *parts[F_COUNT];
} builtin;

int stepup_manage_page_parse(apr_pool_t *p, const char **what,
                             const char **why)
{
    *what = "assets/manage.html";
    if (stepup_template_parse(p, stepup_asset_manage_html,
                              stepup_asset_manage_html_len, placeholders,
                              &builtin.page, why) != 0)
        return -1;
    *what = "assets/manage-parts.html";
    return stepup_template_parse_fragments(
        p, stepup_asset_manage_parts_html,
        stepup_asset_manage_parts_html_len, part_names, part_placeholders,
        builtin.parts, why);
}

static const char *esc(request_rec *r, const char *s)
{
    return stepup_html_escape(r->pool, s);
}

static const char *part(request_rec *r, int f, const char *const *v)
{
    return stepup_template_render(r->pool, builtin.parts[f], v);
}

static const char *when(request_rec *r, apr_int64_t t, const char **v)
{
    apr_time_exp_t tm;
    char buf[64];
    apr_size_t len = 0;

    if (t <= 0)
        return part(r, F_NEVER, v);
    apr_time_exp_gmt(&tm, apr_time_from_sec(t));
    apr_strftime(buf, &len, sizeof(buf), "%Y-%m-%d %H:%M UTC", &tm);
    return apr_pstrdup(r->pool, buf);
}

static int kind(const stepup_credential *c)
{
    if (c->level >= STEPUP_ACR_PHRH)
        return F_HIGH_ASSURANCE;
    return c->backup_eligible ? F_SYNCED : F_DEVICE_BOUND;
}

/* The list of the user's passkeys; v holds base and csrf. */
static const char *list_html(request_rec *r, apr_array_header_t *creds,
                             const char **v)
{
    const char *items = "";
    int i;

    if (!creds->nelts)
        return part(r, F_NO_PASSKEYS, v);
    for (i = 0; i < creds->nelts; i++) {
        const stepup_credential *c =
            APR_ARRAY_IDX(creds, i, stepup_credential *);

        v[V_ID] = esc(r, c->id);
        v[V_NAME] = esc(r, c->name);
        v[V_KIND] = part(r, kind(c), v);
        v[V_CREATED] = when(r, c->created, v);
        v[V_LAST_USED] = when(r, c->last_used, v);
        v[V_N] = apr_itoa(r->pool, i);
        items = apr_pstrcat(r->pool, items, part(r, F_ITEM, v), NULL);
    }
    v[V_ITEMS] = items;
    return part(r, F_LIST, v);
}

/* The page of the passkeys creds; done and back from the query, or NULL. */
static int send_manage(request_rec *r, const stepup_dir_conf *dc,
                       apr_array_header_t *creds, const char *done,
                       const char *back)
{
    const stepup_server_conf *sc =
        ap_get_module_config(r->server->module_config, &stepup_module);
    const char *values[M_COUNT + 1], *v[V_COUNT + 1] = { NULL };
    const char *csrf = stepup_csrf_mint(r->pool, sc->keys, r->user,
                                        apr_time_sec(r->request_time));

    if (!csrf || !builtin.page)
        return HTTP_INTERNAL_SERVER_ERROR;
    v[V_BASE] = esc(r, stepup_conf_confirm_url(dc));
    v[V_CSRF] = esc(r, csrf);
    v[V_RETURN_TO] = esc(r, back);
    values[M_USER] = esc(r, r->user);
    values[M_BASE] = v[V_BASE];
    values[M_CSRF] = v[V_CSRF];
    values[M_LIST] = list_html(r, creds, v);
    values[M_MESSAGE] = !done ? ""
        : !strcmp(done, "removed") ? part(r, F_REMOVED, v)
        : !strcmp(done, "renamed") ? part(r, F_RENAMED, v)
        : "";
    values[M_CONTINUE] = back ? part(r, F_CONTINUE, v) : "";
    values[M_COUNT] = NULL;
    ap_set_content_type(r, "text/html; charset=utf-8");
    ap_rputs(stepup_template_render(r->pool, builtin.page, values), r);
    return OK;
}

int stepup_get_manage(request_rec *r)
{
    const stepup_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &stepup_module);
    const char *why, *done = NULL, *back = NULL;
    apr_array_header_t *creds;
    apr_table_t *args = NULL;
    stepup_acr needed;
    int rc, bootstrap;

    if ((rc = stepup_passkeys_check(r, dc, &why)) != OK)
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
    return send_manage(r, dc, creds, done, back);
}
