/*
 * Start-up checks that need the whole configuration: run before the logs
 * open, so a refusal reaches the console of "apachectl start".
 */
#include <httpd.h>
#include <http_log.h>

#include "mod_stepup.h"

int stepup_check_config(apr_pool_t *pconf, apr_pool_t *plog,
                        apr_pool_t *ptemp, server_rec *s)
{
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
    return ok ? OK : HTTP_INTERNAL_SERVER_ERROR;
}
