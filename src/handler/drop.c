/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * POST drop: leave sudo mode early by clearing the step-up cookie, from
 * the page's form (back to return_to) or a script (JSON).
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_protocol.h>
#include <jansson.h>

#include "mod_stepup.h"
#include "stepup_returnto.h"

int stepup_post_drop(request_rec *r)
{
    const stepup_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &stepup_module);
    apr_table_t *form = NULL;
    const char *why, *return_to = NULL;
    int rc;

    /* a script may send only the X-Stepup-CSRF header and no body */
    if (apr_table_get(r->headers_in, "Content-Type")
        && (rc = stepup_read_form(r, &form, &why)) != OK)
        return stepup_refuse(r, rc, why);
    if ((why = stepup_csrf_problem(r, form)))
        return stepup_refuse(r, HTTP_FORBIDDEN, why);
    if (form)
        return_to = apr_table_get(form, "return_to");
    stepup_clear_cookie(r, dc);
    ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, "STEPUP0110: user %s from "
                  "%s: step-up dropped", ap_escape_logitem(r->pool, r->user),
                  r->useragent_ip);
    if (stepup_wants_json(r))
        return stepup_send_json(r, HTTP_OK, json_pack("{s:b}", "ok", 1));
    apr_table_setn(r->headers_out, "Location",
                   stepup_site_url(r, dc, stepup_return_to(return_to)));
    return HTTP_SEE_OTHER;
}
