/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * What passkeys are at this location: whether they are on, the RP ID, the
 * user verification asked, the WebAuthn policy a ceremony is verified
 * under, the user handle given to authenticators and the names passkeys
 * may have. Shared by the passkey endpoints and the pages.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_protocol.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "mod_stepup.h"
#include "stepup_b64url.h"
#include "stepup_webauthn.h"

static const char *uv_name(stepup_uv_mode uv)
{
    return uv == STEPUP_UV_DISCOURAGED ? "discouraged"
         : uv == STEPUP_UV_PREFERRED ? "preferred" : "required";
}

const char *stepup_passkey_uv(const stepup_dir_conf *dc)
{
    return uv_name(stepup_conf_uv(dc));
}

const char *stepup_rp_id(request_rec *r, const stepup_dir_conf *dc)
{
    return dc->rp_id ? dc->rp_id : r->hostname;
}

void stepup_passkey_policy(request_rec *r, const stepup_dir_conf *dc,
                           const unsigned char *challenge, size_t len,
                           stepup_webauthn_policy *pol)
{
    memset(pol, 0, sizeof(*pol));
    pol->rp_id = stepup_rp_id(r, dc);
    pol->origins = stepup_accepted_origins(r, dc, &pol->norigins);
    pol->challenge = challenge;
    pol->challenge_len = len;
    pol->require_uv = stepup_conf_uv(dc) == STEPUP_UV_REQUIRED;
    pol->allow_cross_origin = 0;
    pol->roots = dc->roots;
}

int stepup_passkeys_check(request_rec *r, const stepup_dir_conf *dc,
                          const char **why)
{
    if (!(stepup_conf_methods(dc) & STEPUP_METHOD_PASSKEY)) {
        *why = "passkeys are not enabled here (StepupMethods)";
        return HTTP_FORBIDDEN;
    }
    if (!stepup_store_configured()) {
        /* said once at start-up (STEPUP0041) */
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "STEPUP0060: passkeys "
                      "need mod_dbd");
        *why = "passkeys are unavailable on this server";
        return HTTP_SERVICE_UNAVAILABLE;
    }
    return OK;
}

/* The user handle: stable and opaque, so authenticators keep one
 * discoverable credential per account. passkey/finish compares an
 * assertion's userHandle with it (WebAuthn L3 7.2 step 6). */
const char *stepup_user_handle(request_rec *r, const char *rp_id)
{
    char *handle = apr_palloc(r->pool, STEPUP_TXN_LEN + 1);
    const char *seed = apr_pstrcat(r->pool, "mod_stepup user|", rp_id, "|",
                                   r->user, NULL);

    /* the first 16 bytes of its SHA-256, the shape of a bind value */
    if (stepup_digest16(seed, strlen(seed), NULL, handle) != 0)
        return NULL;
    return handle;
}

const char *stepup_passkey_name(request_rec *r, const char *name,
                                const char *fallback)
{
    json_t *valid;
    char *copy;
    size_t i, n;

    if (!name || !*name)
        return fallback;
    n = strlen(name) > STEPUP_PASSKEY_NAME_MAX ? STEPUP_PASSKEY_NAME_MAX
                                               : strlen(name);
    /* do not cut a UTF-8 sequence in two */
    while (n > 0 && ((unsigned char)name[n] & 0xc0) == 0x80)
        n--;
    copy = apr_pstrmemdup(r->pool, name, n);
    for (i = 0; i < n; i++) {
        if ((unsigned char)copy[i] < 0x20 || copy[i] == 0x7f)
            copy[i] = ' ';
    }
    if (!(valid = json_stringn(copy, n)))   /* jansson checks UTF-8 */
        return NULL;
    json_decref(valid);
    return *copy ? copy : fallback;
}
