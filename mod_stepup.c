/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * mod_stepup: step-up re-authentication for httpd 2.4. The module record
 * and the hooks; the directives are in src/httpd/config.c, the work in
 * src/.
 */
#include <httpd.h>
#include <http_config.h>
#include <http_protocol.h>
#include <http_request.h>
#include <mod_auth.h>

#include "mod_stepup.h"

static void register_hooks(apr_pool_t *p)
{
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "stepup",
                              AUTHZ_PROVIDER_VERSION, &stepup_authz_provider,
                              AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_check_config(stepup_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_pre_config(stepup_cache_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(stepup_cache_post_config, NULL, NULL,
                        APR_HOOK_MIDDLE);
    ap_hook_post_config(stepup_store_post_config, NULL, NULL,
                        APR_HOOK_MIDDLE);
    ap_hook_post_config(stepup_startup_post_config, NULL, NULL,
                        APR_HOOK_MIDDLE);
    ap_hook_post_config(stepup_pages_post_config, NULL, NULL,
                        APR_HOOK_MIDDLE);
    ap_hook_child_init(stepup_cache_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(stepup_handler, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_optional_fn_retrieve(stepup_store_retrieve_fns, NULL, NULL,
                                 APR_HOOK_MIDDLE);
    /* before mod_auth_basic & co., so a step-up denial is not answered
     * with their challenge */
    ap_hook_note_auth_failure(stepup_note_auth_failure, NULL, NULL,
                              APR_HOOK_FIRST);
    ap_hook_insert_error_filter(stepup_insert_error_filter, NULL, NULL,
                                APR_HOOK_MIDDLE);
    /* a resumed request reads its parked body (kept_body.c) */
    ap_hook_insert_filter(stepup_resume_insert_filter, NULL, NULL,
                          APR_HOOK_MIDDLE);
    /* StepupBackendChallenge: before mod_headers' RequestHeader (last),
     * which may pass the STEPUP_* variables on to a proxied backend */
    ap_hook_fixups(stepup_backend_fixups, NULL, NULL, APR_HOOK_MIDDLE);
    ap_register_output_filter(STEPUP_BACKEND_FILTER, stepup_backend_filter,
                              NULL, AP_FTYPE_CONTENT_SET);
    ap_register_input_filter(STEPUP_KEPT_BODY_FILTER,
                             stepup_kept_body_filter, NULL,
                             AP_FTYPE_RESOURCE);
    ap_register_output_filter(STEPUP_JSON_ERROR_FILTER,
                              stepup_json_error_filter, NULL,
                              AP_FTYPE_CONTENT_SET);
}

module AP_MODULE_DECLARE_DATA stepup_module = {
    STANDARD20_MODULE_STUFF,
    stepup_create_dir_conf,
    stepup_merge_dir_conf,
    stepup_create_server_conf,
    stepup_merge_server_conf,
    stepup_cmds,
    register_hooks,
    AP_MODULE_FLAG_NONE
};
