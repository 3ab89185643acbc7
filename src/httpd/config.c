/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The module's configuration: the server and directory records, how they
 * merge, the accessors with their defaults, and the directive table.
 */
#include <httpd.h>
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_uri.h>
#include <http_config.h>
#include <mod_auth.h>
#include <util_cookies.h>

#include "mod_stepup.h"
#include "stepup_webauthn.h"

void *stepup_create_server_conf(apr_pool_t *p, server_rec *s)
{
    stepup_server_conf *c = apr_pcalloc(p, sizeof(*c));

    c->lifetime = STEPUP_UNSET;
    return c;
}

/* The one merge idiom of both records: the nearer section's value when it
 * set one (is not unset), else the enclosing one's. */
#define MERGE(f, unset) c->f = add->f != (unset) ? add->f : base->f

void *stepup_merge_server_conf(apr_pool_t *p, void *basev, void *addv)
{
    const stepup_server_conf *base = basev, *add = addv;
    stepup_server_conf *c = apr_pcalloc(p, sizeof(*c));

    MERGE(key_file, NULL);
    c->keys = add->key_file ? add->keys : base->keys; /* goes with key_file */
    MERGE(lifetime, STEPUP_UNSET);
    MERGE(cache, NULL);
    c->require_used = add->require_used; /* each server answers for its own */
    return c;
}

void *stepup_create_dir_conf(apr_pool_t *p, char *dir)
{
    stepup_dir_conf *c = apr_pcalloc(p, sizeof(*c));

    c->max_age = STEPUP_UNSET;
    c->cookie_secure = STEPUP_SECURE_UNSET;
    c->max_attempts = STEPUP_UNSET;
    c->attempt_window = STEPUP_UNSET;
    c->uv = STEPUP_UV_UNSET;
    c->resume = STEPUP_UNSET;
    c->resume_limit = STEPUP_UNSET;
    c->backend_challenge = STEPUP_UNSET;
    return c;
}

void *stepup_merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    const stepup_dir_conf *base = basev, *add = addv;
    stepup_dir_conf *c = apr_pcalloc(p, sizeof(*c));

    MERGE(max_age, STEPUP_UNSET);
    MERGE(confirm_url, NULL);
    MERGE(cookie_name, NULL);
    MERGE(cookie_secure, STEPUP_SECURE_UNSET);
    MERGE(bind_cookie, NULL);
    MERGE(token_header, NULL);
    MERGE(methods, 0);
    MERGE(authn, NULL);
    MERGE(max_attempts, STEPUP_UNSET);
    MERGE(attempt_window, STEPUP_UNSET);
    MERGE(page, NULL);
    MERGE(rp_id, NULL);
    MERGE(origins, NULL);
    MERGE(uv, STEPUP_UV_UNSET);
    MERGE(aaguids, NULL);
    MERGE(roots, NULL);
    MERGE(enroll_acr, 0);
    MERGE(has_password, NULL);
    MERGE(resume, STEPUP_UNSET);
    MERGE(resume_limit, STEPUP_UNSET);
    MERGE(show_fields, NULL);
    MERGE(backend_challenge, STEPUP_UNSET);
    return c;
}

apr_int64_t stepup_conf_max_age(const stepup_dir_conf *d)
{
    return d->max_age != STEPUP_UNSET ? d->max_age : STEPUP_DEFAULT_MAX_AGE;
}

apr_int64_t stepup_conf_lifetime(const stepup_server_conf *s)
{
    return s->lifetime != STEPUP_UNSET ? s->lifetime
                                       : STEPUP_DEFAULT_LIFETIME;
}

const char *stepup_conf_confirm_url(const stepup_dir_conf *d)
{
    return d->confirm_url ? d->confirm_url : STEPUP_DEFAULT_CONFIRM;
}

const char *stepup_conf_cookie_name(const stepup_dir_conf *d)
{
    return d->cookie_name ? d->cookie_name : STEPUP_DEFAULT_COOKIE;
}

int stepup_conf_methods(const stepup_dir_conf *d)
{
    return d->methods ? d->methods
                      : (STEPUP_METHOD_PASSWORD | STEPUP_METHOD_PASSKEY);
}

stepup_uv_mode stepup_conf_uv(const stepup_dir_conf *d)
{
    return d->uv != STEPUP_UV_UNSET ? d->uv : STEPUP_UV_REQUIRED;
}

int stepup_conf_max_attempts(const stepup_dir_conf *d)
{
    return d->max_attempts != STEPUP_UNSET ? d->max_attempts
                                           : STEPUP_DEFAULT_ATTEMPTS;
}

apr_int64_t stepup_conf_attempt_window(const stepup_dir_conf *d)
{
    return d->attempt_window != STEPUP_UNSET ? d->attempt_window
                                             : STEPUP_DEFAULT_WINDOW;
}

stepup_acr stepup_conf_enroll_acr(const stepup_dir_conf *d)
{
    return d->enroll_acr ? d->enroll_acr : STEPUP_ACR_PWD;
}

/* A directive or Require argument of whole seconds in [min, max]: NULL
 * with *out set, or httpd's error message (naming what). */
const char *stepup_seconds_arg(apr_pool_t *p, const char *what,
                               const char *arg, apr_int64_t min,
                               apr_int64_t max, apr_int64_t *out)
{
    char *end = NULL;
    apr_int64_t v;

    if (!apr_isdigit(*arg))
        return apr_psprintf(p, "%s: \"%s\" is not a number of seconds",
                            what, arg);
    v = apr_strtoi64(arg, &end, 10);
    if (*end || v < min || v > max)
        return apr_psprintf(p, "%s: \"%s\" must be a whole number of "
                            "seconds from %" APR_INT64_T_FMT " to %"
                            APR_INT64_T_FMT, what, arg, min, max);
    *out = v;
    return NULL;
}

static stepup_server_conf *server_conf(cmd_parms *cmd)
{
    return ap_get_module_config(cmd->server->module_config, &stepup_module);
}

/* A directive naming a file refused: "StepupX FILE: reason", one line. */
static const char *file_refused(cmd_parms *cmd, const char *file,
                                const char *err)
{
    return apr_psprintf(cmd->pool, "%s %s: %s", cmd->cmd->name, file,
                        err ? err : "invalid path");
}

static const char *stepup_set_key_file(cmd_parms *cmd, void *dummy,
                                       const char *arg)
{
    stepup_server_conf *c = server_conf(cmd);
    const char *path, *err = NULL;
    const char *ctx_err = ap_check_cmd_context(cmd, NOT_IN_DIR_CONTEXT);

    if (ctx_err)
        return ctx_err;
    path = ap_server_root_relative(cmd->pool, arg);
    if (!path)
        return file_refused(cmd, arg, NULL);
    /* Read now, as root and before any request, so that a bad file stops
     * httpd (and "apachectl configtest") with a reason on the console. */
    if (stepup_keyset_load(cmd->pool, path, &c->keys, &err) != 0)
        return file_refused(cmd, path, err);
    c->key_file = path;
    return NULL;
}

static const char *stepup_set_lifetime(cmd_parms *cmd, void *dummy,
                                       const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_CONTEXT);

    if (err)
        return err;
    return stepup_seconds_arg(cmd->pool, cmd->cmd->name, arg, 1, 86400,
                              &server_conf(cmd)->lifetime);
}

static const char *stepup_set_max_age(cmd_parms *cmd, void *dconf,
                                      const char *arg)
{
    stepup_dir_conf *c = dconf;

    return stepup_seconds_arg(cmd->pool, cmd->cmd->name, arg, 1, 86400,
                              &c->max_age);
}

static const char *stepup_set_confirm_url(cmd_parms *cmd, void *dconf,
                                          const char *arg)
{
    stepup_dir_conf *c = dconf;
    const char *s;

    if (arg[0] != '/' || arg[1] == '/')
        return apr_psprintf(cmd->pool, "%s: \"%s\" must be a local path "
                            "starting with a single '/'", cmd->cmd->name,
                            arg);
    for (s = arg; *s; s++) {
        if (apr_iscntrl(*s) || *s == ' ' || *s == '\\' || *s == '?'
            || *s == '#' || *s == '"')
            return apr_psprintf(cmd->pool, "%s: \"%s\" must be a plain path "
                                "(no spaces, query, fragment, quotes or "
                                "backslashes)", cmd->cmd->name, arg);
    }
    c->confirm_url = arg;
    return NULL;
}

static const char *check_cookie_name(cmd_parms *cmd, const char *arg)
{
    const char *s;

    if (ap_cookie_check_string(arg) != APR_SUCCESS)
        return apr_psprintf(cmd->pool, "%s: \"%s\" is not a valid cookie "
                            "name", cmd->cmd->name, arg);
    for (s = arg; *s; s++) {
        if (apr_iscntrl(*s) || apr_isspace(*s) || *s == ',' || *s == '"')
            return apr_psprintf(cmd->pool, "%s: \"%s\" is not a valid "
                                "cookie name", cmd->cmd->name, arg);
    }
    return NULL;
}

/* StepupCookieName and StepupBindCookie: a cookie name, into the field of
 * the directory record at the offset the directive table gives. */
static const char *stepup_set_cookie_slot(cmd_parms *cmd, void *dconf,
                                          const char *arg)
{
    const char *err = check_cookie_name(cmd, arg);

    if (!err)
        *(const char **)((char *)dconf + (apr_size_t)cmd->info) = arg;
    return err;
}

static const char *stepup_set_cookie_secure(cmd_parms *cmd, void *dconf,
                                            const char *arg)
{
    stepup_dir_conf *c = dconf;

    if (!strcasecmp(arg, "on"))
        c->cookie_secure = STEPUP_SECURE_ON;
    else if (!strcasecmp(arg, "off"))
        c->cookie_secure = STEPUP_SECURE_OFF;
    else if (!strcasecmp(arg, "auto"))
        c->cookie_secure = STEPUP_SECURE_AUTO;
    else
        return apr_psprintf(cmd->pool, "%s: \"%s\" must be On, Off or Auto",
                            cmd->cmd->name, arg);
    return NULL;
}

static const char *stepup_set_token_header(cmd_parms *cmd, void *dconf,
                                           const char *arg)
{
    stepup_dir_conf *c = dconf;
    const char *s;

    for (s = arg; *s; s++) {
        /* an HTTP token (RFC 9110 section 5.6.2) */
        if (!apr_isalnum(*s) && !strchr("!#$%&'*+-.^_`|~", *s))
            return apr_psprintf(cmd->pool, "%s: \"%s\" is not a valid "
                                "header name", cmd->cmd->name, arg);
    }
    if (!*arg)
        return apr_psprintf(cmd->pool, "%s: a header name is required",
                            cmd->cmd->name);
    c->token_header = arg;
    return NULL;
}

static const char *stepup_set_cache(cmd_parms *cmd, void *dummy,
                                    const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_CONTEXT);

    if (err)
        return err;
    return stepup_cache_create(cmd, arg, &server_conf(cmd)->cache);
}

static const char *stepup_set_methods(cmd_parms *cmd, void *dconf,
                                      const char *arg)
{
    stepup_dir_conf *c = dconf;
    int bit;

    if (!strcasecmp(arg, "password"))
        bit = STEPUP_METHOD_PASSWORD;
    else if (!strcasecmp(arg, "passkey"))
        bit = STEPUP_METHOD_PASSKEY;
    else if (!strcasecmp(arg, "bootstrap")) {
        /* passkeys are the user's everywhere on the host: a directory's
         * owner may not open token-free registration for all of them */
        const char *err = ap_check_cmd_context(cmd, NOT_IN_HTACCESS);

        if (err)
            return apr_psprintf(cmd->pool, "%s bootstrap: %s",
                                cmd->cmd->name, err);
        bit = STEPUP_METHOD_BOOTSTRAP;
    }
    else
        return apr_psprintf(cmd->pool, "%s: unknown method \"%s\" (use "
                            "password, passkey, bootstrap)", cmd->cmd->name,
                            arg);
    /* a new StepupMethods line replaces what a parent section said */
    if (cmd->info != (void *)c) {
        c->methods = 0;
        cmd->info = c;
    }
    c->methods |= bit;
    return NULL;
}

static const char *stepup_set_authn_provider(cmd_parms *cmd, void *dconf,
                                             const char *arg)
{
    stepup_dir_conf *c = dconf;
    authn_provider_list *item;

    item = apr_pcalloc(cmd->pool, sizeof(*item));
    item->provider_name = arg;
    /* AuthnProviderAlias sections must come first, as for AuthBasicProvider */
    item->provider = ap_lookup_provider(AUTHN_PROVIDER_GROUP, arg,
                                        AUTHN_PROVIDER_VERSION);
    if (!item->provider)
        return apr_psprintf(cmd->pool, "%s: unknown authn provider \"%s\" "
                            "(is its module loaded, or its "
                            "AuthnProviderAlias defined above?)",
                            cmd->cmd->name, arg);
    if (!item->provider->check_password)
        return apr_psprintf(cmd->pool, "%s: authn provider \"%s\" cannot "
                            "check passwords", cmd->cmd->name, arg);
    if (!c->authn || cmd->info != (void *)c->authn) {
        c->authn = apr_array_make(cmd->pool, 2,
                                  sizeof(authn_provider_list *));
        cmd->info = c->authn;
    }
    APR_ARRAY_PUSH(c->authn, authn_provider_list *) = item;
    return NULL;
}

static const char *stepup_set_max_attempts(cmd_parms *cmd, void *dconf,
                                           const char *n, const char *seconds)
{
    stepup_dir_conf *c = dconf;
    apr_int64_t count;
    const char *err = stepup_seconds_arg(cmd->pool, cmd->cmd->name, n, 1,
                                         1000, &count);

    if (err)
        return apr_psprintf(cmd->pool, "%s: \"%s\" must be a number of "
                            "attempts from 1 to 1000", cmd->cmd->name, n);
    c->max_attempts = (int)count;
    return stepup_seconds_arg(cmd->pool, cmd->cmd->name, seconds, 1,
                              86400, &c->attempt_window);
}

/* Defined here, beside the directive that checks a template against them,
 * so that the configuration does not depend on the page's code. */
const char *const stepup_page_placeholders[] = {
    "title", "user", "error", "methods", "base", "return_to", "csrf", NULL
};

static const char *stepup_set_template(cmd_parms *cmd, void *dconf,
                                       const char *arg)
{
    stepup_dir_conf *c = dconf;
    const char *path = ap_server_root_relative(cmd->pool, arg), *err = NULL;

    if (!path
        || stepup_template_load(cmd->pool, path, stepup_page_placeholders,
                                &c->page, &err) != 0)
        return file_refused(cmd, arg, err);
    return NULL;
}

static const char *stepup_set_rp_id(cmd_parms *cmd, void *dconf,
                                    const char *arg)
{
    stepup_dir_conf *c = dconf;
    const char *s;

    /* a registrable domain or host: no scheme, port, path or spaces */
    for (s = arg; *s; s++) {
        if (!apr_isalnum(*s) && *s != '.' && *s != '-')
            return apr_psprintf(cmd->pool, "%s: \"%s\" must be a host name "
                                "(e.g. example.com), without scheme or port",
                                cmd->cmd->name, arg);
    }
    if (!*arg || *arg == '.' || arg[strlen(arg) - 1] == '.')
        return apr_psprintf(cmd->pool, "%s: \"%s\" is not a host name",
                            cmd->cmd->name, arg);
    c->rp_id = apr_pstrdup(cmd->pool, arg);
    return NULL;
}

static const char *stepup_set_origin(cmd_parms *cmd, void *dconf,
                                     const char *arg)
{
    stepup_dir_conf *c = dconf;
    apr_uri_t uri;

    /* an origin is scheme://host[:port] and nothing else */
    if (apr_uri_parse(cmd->pool, arg, &uri) != APR_SUCCESS || !uri.scheme
        || !uri.hostname || (uri.path && *uri.path) || uri.query
        || uri.fragment || uri.user || uri.password
        || (strcasecmp(uri.scheme, "https") && strcasecmp(uri.scheme, "http")))
        return apr_psprintf(cmd->pool, "%s: \"%s\" is not an origin "
                            "(https://host[:port], no path)", cmd->cmd->name,
                            arg);
    if (!c->origins || cmd->info != (void *)c->origins) {
        c->origins = apr_array_make(cmd->pool, 2, sizeof(const char *));
        cmd->info = c->origins;
    }
    APR_ARRAY_PUSH(c->origins, const char *) = apr_pstrdup(cmd->pool, arg);
    return NULL;
}

static const char *stepup_set_uv(cmd_parms *cmd, void *dconf, const char *arg)
{
    stepup_dir_conf *c = dconf;

    if (!strcasecmp(arg, "required"))
        c->uv = STEPUP_UV_REQUIRED;
    else if (!strcasecmp(arg, "preferred"))
        c->uv = STEPUP_UV_PREFERRED;
    else if (!strcasecmp(arg, "discouraged"))
        c->uv = STEPUP_UV_DISCOURAGED;
    else
        return apr_psprintf(cmd->pool, "%s: \"%s\" must be required, "
                            "preferred or discouraged", cmd->cmd->name, arg);
    return NULL;
}

static const char *stepup_set_aaguids(cmd_parms *cmd, void *dconf,
                                      const char *arg)
{
    stepup_dir_conf *c = dconf;
    const char *path = ap_server_root_relative(cmd->pool, arg), *err = NULL;

    if (!path || stepup_aaguid_list_load(cmd->pool, path, &c->aaguids, &err))
        return file_refused(cmd, arg, err);
    return NULL;
}

static const char *stepup_set_roots(cmd_parms *cmd, void *dconf,
                                    const char *arg)
{
    stepup_dir_conf *c = dconf;
    const char *path = ap_server_root_relative(cmd->pool, arg), *err = NULL;
    stepup_trust_store *roots = NULL;

    if (!path || stepup_trust_load(cmd->pool, path, &roots, &err))
        return file_refused(cmd, arg, err);
    c->roots = roots;
    return NULL;
}

static const char *stepup_set_enroll_acr(cmd_parms *cmd, void *dconf,
                                         const char *arg)
{
    stepup_dir_conf *c = dconf;
    stepup_acr acr;

    if (stepup_acr_parse(arg, strlen(arg), &acr) != 0)
        return apr_psprintf(cmd->pool, "%s: \"%s\" must be pwd, phr or "
                            "phrh", cmd->cmd->name, arg);
    c->enroll_acr = acr;
    return NULL;
}

static const char *stepup_set_has_password(cmd_parms *cmd, void *dconf,
                                           const char *arg)
{
    stepup_dir_conf *c = dconf;
    const char *err = NULL;

    /* DONT_VARY: the answer is about the signed-in user, not something a
     * cache should key on */
    c->has_password = ap_expr_parse_cmd(cmd, arg, AP_EXPR_FLAG_DONT_VARY,
                                        &err, NULL);
    if (err)
        return apr_psprintf(cmd->pool, "%s: cannot parse \"%s\": %s",
                            cmd->cmd->name, arg, err);
    return NULL;
}

int stepup_conf_resume(const stepup_dir_conf *d)
{
    return d->resume != 0; /* UNSET: On */
}

apr_size_t stepup_conf_resume_limit(const stepup_dir_conf *d)
{
    return d->resume_limit != STEPUP_UNSET ? (apr_size_t)d->resume_limit
                                           : STEPUP_DEFAULT_RESUME_LIMIT;
}

static const char *stepup_set_resume(cmd_parms *cmd, void *dconf, int on)
{
    ((stepup_dir_conf *)dconf)->resume = on;
    return NULL;
}

static const char *stepup_set_resume_limit(cmd_parms *cmd, void *dconf,
                                           const char *arg)
{
    stepup_dir_conf *d = dconf;
    char *end = NULL;
    apr_int64_t n = apr_strtoi64(arg, &end, 10);

    if (!apr_isdigit(*arg) || !end || *end || n < 1
        || n > STEPUP_RESUME_LIMIT_MAX)
        return apr_psprintf(cmd->pool, "StepupResumeLimit: \"%s\" is not "
                            "a number of bytes from 1 to %d", arg,
                            STEPUP_RESUME_LIMIT_MAX);
    d->resume_limit = n;
    return NULL;
}

int stepup_conf_backend_challenge(const stepup_dir_conf *d)
{
    return d->backend_challenge == 1; /* UNSET: Off */
}

static const char *stepup_set_backend_challenge(cmd_parms *cmd, void *dconf,
                                                int on)
{
    ((stepup_dir_conf *)dconf)->backend_challenge = on;
    return NULL;
}

static const char *stepup_set_show_fields(cmd_parms *cmd, void *dconf,
                                          const char *arg)
{
    stepup_dir_conf *d = dconf;

    if (!d->show_fields)
        d->show_fields = apr_array_make(cmd->pool, 4, sizeof(const char *));
    APR_ARRAY_PUSH(d->show_fields, const char *) = apr_pstrdup(cmd->pool,
                                                               arg);
    return NULL;
}

/* The directive table, below its setters; mod_stepup.c names it in the
 * module record. */
/* Per-directory directives that decide who may mint a token or what counts
 * as phrh: allowed in <Location> and <Directory>, refused in .htaccess,
 * whose writer must not choose the password check or the trust
 * anchors of tokens that every location of the host accepts. httpd then
 * answers "... not allowed here" (500) for them in .htaccess. */
#define STEPUP_NOT_HTACCESS (RSRC_CONF | ACCESS_CONF)

const command_rec stepup_cmds[] = {
    /* server-wide */
    AP_INIT_TAKE1("StepupKeyFile", stepup_set_key_file, NULL, RSRC_CONF,
                  "file of HMAC keys, one \"KID SECRET\" per line; the first "
                  "signs, all verify"),
    AP_INIT_TAKE1("StepupLifetime", stepup_set_lifetime, NULL, RSRC_CONF,
                  "hard cap of a step-up token's life, in seconds "
                  "(default 900)"),
    AP_INIT_TAKE1("StepupCache", stepup_set_cache, NULL, RSRC_CONF,
                  "ap_socache provider for challenges and password "
                  "throttling: shmcb (default), redis:HOST:PORT, "
                  "memcache:HOST:PORT, ..."),
    /* per directory: <Location>, <Directory> and .htaccess (AuthConfig) */
    AP_INIT_TAKE1("StepupMaxAge", stepup_set_max_age, NULL, OR_AUTHCFG,
                  "how old a re-confirmation may be, in seconds "
                  "(default 300)"),
    AP_INIT_TAKE1("StepupConfirmURL", stepup_set_confirm_url, NULL,
                  OR_AUTHCFG, "local path of the confirm-access handler "
                  "(default /stepup/)"),
    AP_INIT_TAKE1("StepupCookieName", stepup_set_cookie_slot,
                  (void *)APR_OFFSETOF(stepup_dir_conf, cookie_name),
                  OR_AUTHCFG, "name of the step-up cookie (default stepup)"),
    AP_INIT_TAKE1("StepupCookieSecure", stepup_set_cookie_secure, NULL,
                  OR_AUTHCFG, "On, Off or Auto (Secure when the request came "
                  "over TLS; default)"),
    AP_INIT_TAKE1("StepupBindCookie", stepup_set_cookie_slot,
                  (void *)APR_OFFSETOF(stepup_dir_conf, bind_cookie),
                  OR_AUTHCFG, "bind step-up tokens to the session cookie of "
                  "this name"),
    AP_INIT_TAKE1("StepupTokenHeader", stepup_set_token_header, NULL,
                  OR_AUTHCFG, "also accept the step-up token in this request "
                  "header"),
    AP_INIT_ITERATE("StepupMethods", stepup_set_methods, NULL, OR_AUTHCFG,
                    "methods the confirm page offers: password and/or "
                    "passkey (default both), and bootstrap"),
    AP_INIT_ITERATE("StepupAuthnProvider", stepup_set_authn_provider, NULL,
                    STEPUP_NOT_HTACCESS, "authn providers that check the "
                    "password (default file)"),
    AP_INIT_TAKE2("StepupMaxAttempts", stepup_set_max_attempts, NULL,
                  STEPUP_NOT_HTACCESS, "failed passwords per user and window "
                  "in seconds before 429 (default 5 300)"),
    AP_INIT_TAKE1("StepupTemplate", stepup_set_template, NULL,
                  STEPUP_NOT_HTACCESS, "HTML template of the confirm page, "
                  "with {{placeholders}}"),
    AP_INIT_TAKE1("StepupRPID", stepup_set_rp_id, NULL, STEPUP_NOT_HTACCESS,
                  "WebAuthn relying party ID (default: the request's host)"),
    AP_INIT_ITERATE("StepupOrigin", stepup_set_origin, NULL,
                    STEPUP_NOT_HTACCESS, "origins accepted by every Origin "
                    "check, CSRF and WebAuthn (default: the request's own)"),
    AP_INIT_TAKE1("StepupUserVerification", stepup_set_uv, NULL, OR_AUTHCFG,
                  "required (default), preferred or discouraged"),
    AP_INIT_TAKE1("StepupHighAssuranceAAGUIDs", stepup_set_aaguids, NULL,
                  STEPUP_NOT_HTACCESS, "file of authenticator AAGUIDs: "
                  "only these attested models can be phrh (narrows "
                  "StepupAttestationRoots, never replaces it)"),
    AP_INIT_TAKE1("StepupAttestationRoots", stepup_set_roots, NULL,
                  STEPUP_NOT_HTACCESS, "PEM roots: a device-bound passkey "
                  "whose attestation chains to one of them is phrh"),
    AP_INIT_FLAG("StepupResume", stepup_set_resume, NULL, OR_AUTHCFG,
                 "park a request denied for want of step-up and resume it "
                 "after the step-up (default On)"),
    AP_INIT_TAKE1("StepupResumeLimit", stepup_set_resume_limit, NULL,
                  OR_AUTHCFG, "largest request body kept for resuming, in "
                  "bytes (default 65536)"),
    AP_INIT_ITERATE("StepupShowFields", stepup_set_show_fields, NULL,
                    OR_AUTHCFG, "form fields or top-level JSON members of a "
                    "parked request shown on the confirm page"),
    AP_INIT_FLAG("StepupBackendChallenge", stepup_set_backend_challenge,
                 NULL, OR_AUTHCFG, "treat the application's RFC 9470 401 "
                 "challenge as a denial for want of step-up (default Off)"),
    /* per directory, but never in .htaccess: they decide who may change
     * passkeys and who gets the federated bootstrap */
    AP_INIT_TAKE1("StepupEnrollACR", stepup_set_enroll_acr, NULL,
                  STEPUP_NOT_HTACCESS, "least level of the step-up that "
                  "adds or removes passkeys: pwd (default), phr or phrh"),
    AP_INIT_TAKE1("StepupHasPassword", stepup_set_has_password, NULL,
                  STEPUP_NOT_HTACCESS, "ap_expr condition: the signed-in "
                  "user has a password here (default true)"),
    { NULL }
};
