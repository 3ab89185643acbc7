/*
 * Start-up checks that need the whole configuration: run before the logs
 * open, so a refusal reaches the console of "apachectl start".
 */
#include <httpd.h>
#include <apr_hash.h>
#include <apr_strings.h>
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

/* DESIGN 5: an AAGUID is only a claim; without attestation roots the list
 * cannot make any passkey phrh. Said once per list, not refused: the list
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
