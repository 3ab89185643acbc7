/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The user's passkeys: GET passkeys lists them; POST passkeys/delete and
 * passkeys/rename change them, after a recent step-up at the level
 * enrol.c asks.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <jansson.h>

#include "mod_stepup.h"

int stepup_get_passkeys(request_rec *r)
{
    const stepup_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &stepup_module);
    apr_array_header_t *creds;
    json_t *list;
    const char *why;
    int rc, i;

    if ((rc = stepup_passkeys_check(r, dc, &why)) != OK)
        return stepup_refuse(r, rc, why);
    if (stepup_store_list(r, r->user, &creds) != STEPUP_STORE_OK)
        return stepup_refuse(r, HTTP_SERVICE_UNAVAILABLE,
                             "the passkey store is unavailable");
    list = json_array();
    for (i = 0; i < creds->nelts; i++) {
        const stepup_credential *c =
            APR_ARRAY_IDX(creds, i, stepup_credential *);
        json_t *item = json_pack(
            "{s:s, s:s, s:I, s:s, s:b, s:s}", "id", c->id, "name", c->name,
            "created", (json_int_t)c->created, "level",
            stepup_acr_name(c->level), "synced", c->backup_eligible,
            "transports", c->transports);

        if (!item)
            continue; /* a name that is not UTF-8 */
        json_object_set_new(item, "last_used", c->last_used
                            ? json_integer(c->last_used) : json_null());
        json_array_append_new(list, item);
    }
    return stepup_send_json(r, HTTP_OK, json_pack("{s:o}", "passkeys",
                                                  list));
}

/* The id (and name) of a change, from a form or a JSON body. */
static int change_args(request_rec *r, const char **id, const char **name,
                       const char **why)
{
    const char *ct = apr_table_get(r->headers_in, "Content-Type");
    apr_table_t *form = NULL;
    json_t *doc;
    int rc;

    if (ct && !strncasecmp(ct, "application/json", 16)) {
        if ((rc = stepup_read_json(r, &doc, why)) != OK)
            return rc;
        *id = json_string_value(json_object_get(doc, "id"));
        *name = json_string_value(json_object_get(doc, "name"));
    }
    else {
        if ((rc = stepup_read_form(r, &form, why)) != OK)
            return rc;
        *id = apr_table_get(form, "id");
        *name = apr_table_get(form, "name");
    }
    if ((*why = stepup_csrf_problem(r, form)))
        return HTTP_FORBIDDEN;
    if (!*id || !**id) {
        *why = "missing field \"id\"";
        return HTTP_BAD_REQUEST;
    }
    return OK;
}

static int change_status(request_rec *r, stepup_store_status st,
                         const char *what, const char *id)
{
    const stepup_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &stepup_module);

    switch (st) {
    case STEPUP_STORE_OK:
        ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, "STEPUP0080: user %s "
                      "from %s: passkey %s %s",
                      ap_escape_logitem(r->pool, r->user), r->useragent_ip,
                      ap_escape_logitem(r->pool, id), what);
        if (stepup_wants_json(r))
            return stepup_send_json(r, HTTP_OK, json_pack("{s:b}", "ok", 1));
        /* a form of the manage page: back to it */
        apr_table_setn(r->headers_out, "Location", stepup_site_url(
            r, dc, apr_pstrcat(r->pool, stepup_conf_confirm_url(dc),
                               "manage?done=", what, NULL)));
        return HTTP_SEE_OTHER;
    case STEPUP_STORE_NOT_FOUND:
        return stepup_refuse(r, HTTP_NOT_FOUND, "no such passkey");
    default:
        return stepup_refuse(r, HTTP_SERVICE_UNAVAILABLE,
                             "the passkey store is unavailable");
    }
}

static int change_passkey(request_rec *r, int rename)
{
    const stepup_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &stepup_module);
    const char *why, *id = NULL, *name = NULL;
    apr_array_header_t *creds;
    stepup_acr needed;
    int rc, bootstrap;

    if ((rc = stepup_passkeys_check(r, dc, &why)) != OK)
        return stepup_refuse(r, rc, why);
    if ((rc = change_args(r, &id, &name, &why)) != OK)
        return stepup_refuse(r, rc, why);
    if (stepup_store_list(r, r->user, &creds) != STEPUP_STORE_OK)
        return stepup_refuse(r, HTTP_SERVICE_UNAVAILABLE,
                             "the passkey store is unavailable");
    /* the level is that of the user's own strongest passkey; an id that
     * is not theirs is 404 below */
    if ((rc = stepup_enrol_check(r, dc, creds, &needed, &bootstrap, &why))
        != OK)
        return stepup_enrol_refuse(r, dc, rc, needed, why);
    if (!rename)
        return change_status(r, stepup_store_delete(r, r->user, id),
                             "removed", id);
    if (!name || !*name || strlen(name) > STEPUP_PASSKEY_NAME_MAX)
        return stepup_refuse(r, HTTP_BAD_REQUEST, "a name of 1 to 64 "
                             "bytes is required");
    if (!(name = stepup_passkey_name(r, name, NULL)) || !*name)
        return stepup_refuse(r, HTTP_BAD_REQUEST, "the name must be "
                             "UTF-8 text");
    return change_status(r, stepup_store_rename(r, r->user, id, name),
                         "renamed", id);
}

int stepup_post_passkeys_delete(request_rec *r)
{
    return change_passkey(r, 0);
}

int stepup_post_passkeys_rename(request_rec *r)
{
    return change_passkey(r, 1);
}
