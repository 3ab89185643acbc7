/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Start-up checks that need the whole configuration: refusals run before
 * the logs open (check_config), so they reach the console of "apachectl
 * start"; warnings after (post_config), so they stay in the error log.
 */
#include <httpd.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>

#include "mod_stepup.h"

/* What a server's sections say about phrh: the first AAGUID list found,
 * and whether any section has attestation roots. */
typedef struct {
    const stepup_aaguid_list *aaguids;
    int roots;
} phrh_sections;

static void scan_sections(const apr_array_header_t *secs, phrh_sections *ps);

static void scan_section(ap_conf_vector_t *v, phrh_sections *ps)
{
    const stepup_dir_conf *dc = ap_get_module_config(v, &stepup_module);
    const core_dir_config *cd = ap_get_core_module_config(v);

    if (dc && dc->aaguids && !ps->aaguids)
        ps->aaguids = dc->aaguids;
    if (dc && dc->roots)
        ps->roots = 1;
    if (cd) {   /* <Files> and <If> nested in it */
        scan_sections(cd->sec_file, ps);
        scan_sections(cd->sec_if, ps);
    }
}

static void scan_sections(const apr_array_header_t *secs, phrh_sections *ps)
{
    int i;

    for (i = 0; secs && i < secs->nelts; i++)
        scan_section(APR_ARRAY_IDX(secs, i, ap_conf_vector_t *), ps);
}

/* An AAGUID is only a claim (doc/assurance.md section 4); without
 * attestation roots the list cannot make any passkey phrh. Said once per list, not refused: the list
 * still names the models an operator means to accept once roots are set. */
static void warn_aaguids_without_roots(apr_pool_t *ptemp, server_rec *s)
{
    apr_hash_t *said = apr_hash_make(ptemp);

    /* the first of the two passes of a start is thrown away: say it in
     * the second (httpd -t has only the one) */
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG
        && ap_state_query(AP_SQ_RUN_MODE) == AP_SQ_RM_NORMAL)
        return;
    for (; s; s = s->next) {
        const core_server_config *core =
            ap_get_core_module_config(s->module_config);
        phrh_sections ps = { NULL, 0 };

        scan_section(s->lookup_defaults, &ps);
        scan_sections(core->sec_dir, &ps);
        scan_sections(core->sec_url, &ps);
        if (!ps.aaguids || ps.roots
            || apr_hash_get(said, &ps.aaguids, sizeof(ps.aaguids)))
            continue;
        apr_hash_set(said, apr_pmemdup(ptemp, &ps.aaguids,
                                       sizeof(ps.aaguids)),
                     sizeof(ps.aaguids), "");
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_WARNING, 0, s,
                     "STEPUP0090: StepupHighAssuranceAAGUIDs is set without "
                     "StepupAttestationRoots (%s): an AAGUID is only a "
                     "claim, so no passkey can be phrh there",
                     s->is_virtual ? apr_psprintf(ptemp, "the virtual host "
                                                  "at %s:%d", s->defn_name
                                                  ? s->defn_name : "?",
                                                  s->defn_line_number)
                                   : "the main server");
    }
}

int stepup_check_config(apr_pool_t *pconf, apr_pool_t *plog,
                        apr_pool_t *ptemp, server_rec *s)
{
    server_rec *first = s;
    int ok = 1;

    for (; s; s = s->next) {
        const stepup_server_conf *sc =
            ap_get_module_config(s->module_config, &stepup_module);

        if (sc->require_used && !sc->keys) {
            if (s->is_virtual)
                ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_EMERG, 0, s,
                             "STEPUP0001: \"Require stepup\" is used in %s "
                             "(the virtual host at %s:%d), but no "
                             "StepupKeyFile is set for it",
                             s->server_hostname ? s->server_hostname : "*",
                             s->defn_name ? s->defn_name : "?",
                             s->defn_line_number);
            else
                ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_EMERG, 0, s,
                             "STEPUP0001: \"Require stepup\" is used in the "
                             "main server, but no StepupKeyFile is set");
            ok = 0;
        }
    }
    if (ok)
        warn_aaguids_without_roots(ptemp, first);
    return ok ? OK : HTTP_INTERNAL_SERVER_ERROR;
}

/* "host (file:line)" of a virtual host, for the start-up log. */
static const char *vhost_name(apr_pool_t *p, const server_rec *s)
{
    return apr_psprintf(p, "%s (%s:%d)",
                        s->server_hostname ? s->server_hostname : "*",
                        s->defn_name ? s->defn_name : "?",
                        s->defn_line_number);
}

/* httpd lists virtual hosts last one first: "first, second, ..." as they
 * are written. */
static const char *in_config_order(apr_pool_t *p, apr_array_header_t *hosts)
{
    const char *out = NULL;
    int i;

    for (i = 0; i < hosts->nelts; i++) {
        const char *h = APR_ARRAY_IDX(hosts, i, const char *);

        out = out ? apr_pstrcat(p, h, ", ", out, NULL) : h;
    }
    return out;
}

/*
 * A token names a user, not a host: virtual hosts that verify with the
 * same keys (one StepupKeyFile inherited from the main server, or the same
 * file named twice) accept each other's tokens for equal user names. That
 * is right when their users are the same people and wrong when they are not
 * (two customers' sites, each with its own "admin"), which the module cannot
 * tell, so it says so once per start and per key file (doc/operations.md section 2.3).
 */
static void note_shared_key_files(apr_pool_t *ptemp, server_rec *main_server)
{
    apr_hash_t *by_file = apr_hash_make(ptemp);
    apr_hash_index_t *hi;
    server_rec *s;

    for (s = main_server; s; s = s->next) {
        const stepup_server_conf *sc =
            ap_get_module_config(s->module_config, &stepup_module);
        apr_array_header_t *hosts;

        if (!s->is_virtual || !sc->keys || !sc->key_file)
            continue;
        hosts = apr_hash_get(by_file, sc->key_file, APR_HASH_KEY_STRING);
        if (!hosts) {
            hosts = apr_array_make(ptemp, 2, sizeof(const char *));
            apr_hash_set(by_file, sc->key_file, APR_HASH_KEY_STRING, hosts);
        }
        APR_ARRAY_PUSH(hosts, const char *) = vhost_name(ptemp, s);
    }
    for (hi = apr_hash_first(ptemp, by_file); hi; hi = apr_hash_next(hi)) {
        const char *file;
        apr_array_header_t *hosts;

        apr_hash_this(hi, (const void **)&file, NULL, (void **)&hosts);
        if (hosts->nelts < 2)
            continue;
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, main_server,
                     "STEPUP0171: the virtual hosts %s share the keys of "
                     "StepupKeyFile %s: a step-up token from one opens the "
                     "others for the same user name; give each virtual host "
                     "its own StepupKeyFile unless their users are the same "
                     "people", in_config_order(ptemp, hosts), file);
    }
}

int stepup_startup_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                               apr_pool_t *ptemp, server_rec *s)
{
    (void)pconf;
    (void)plog;
    /* the first of httpd's two configuration passes only tests it */
    if (ap_state_query(AP_SQ_MAIN_STATE) != AP_SQ_MS_CREATE_PRE_CONFIG)
        note_shared_key_files(ptemp, s);
    return OK;
}
