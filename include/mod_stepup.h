/*
 * Private to the module: configuration records and the functions the hooks
 * in mod_stepup.c call. Files that include it log as "stepup", so
 * "LogLevel stepup:debug" covers all of them.
 */
#ifndef MOD_STEPUP_H
#define MOD_STEPUP_H

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <mod_auth.h>
#include <util_filter.h>

#include "stepup_keys.h"
#include "stepup_token.h"

APLOG_USE_MODULE(stepup);
extern module AP_MODULE_DECLARE_DATA stepup_module;

#define STEPUP_UNSET              (-1)
#define STEPUP_DEFAULT_MAX_AGE    300
#define STEPUP_DEFAULT_LIFETIME   900
#define STEPUP_DEFAULT_CONFIRM    "/stepup/"
#define STEPUP_DEFAULT_COOKIE     "stepup"

typedef enum {
    STEPUP_SECURE_UNSET = -1,
    STEPUP_SECURE_OFF = 0,
    STEPUP_SECURE_ON = 1,
    STEPUP_SECURE_AUTO = 2
} stepup_secure_mode;

/* Server-wide (server config or virtual host). */
typedef struct {
    const char *key_file;        /* as written, for messages */
    stepup_keyset *keys;         /* loaded when the directive is read */
    apr_int64_t lifetime;        /* StepupLifetime, UNSET */
    int require_used;            /* a "Require stepup" in this server's config */
} stepup_server_conf;

/* Per directory. */
typedef struct {
    apr_int64_t max_age;         /* StepupMaxAge, UNSET */
    const char *confirm_url;     /* StepupConfirmURL, NULL unset */
    const char *cookie_name;     /* StepupCookieName */
    stepup_secure_mode cookie_secure;
    const char *bind_cookie;     /* StepupBindCookie; NULL: off */
    const char *token_header;    /* StepupTokenHeader; NULL: off */
} stepup_dir_conf;

/* What one "Require stepup" line asks, parsed at config time. */
typedef struct {
    apr_int64_t max_age;         /* UNSET: StepupMaxAge */
    stepup_acr acr;
} stepup_require;

/* config.c */
void *stepup_create_server_conf(apr_pool_t *p, server_rec *s);
void *stepup_merge_server_conf(apr_pool_t *p, void *base, void *add);
void *stepup_create_dir_conf(apr_pool_t *p, char *dir);
void *stepup_merge_dir_conf(apr_pool_t *p, void *base, void *add);
const char *stepup_set_key_file(cmd_parms *cmd, void *dummy, const char *arg);
const char *stepup_set_lifetime(cmd_parms *cmd, void *dummy, const char *arg);
const char *stepup_set_max_age(cmd_parms *cmd, void *dconf, const char *arg);
const char *stepup_set_confirm_url(cmd_parms *cmd, void *dconf,
                                   const char *arg);
const char *stepup_set_cookie_name(cmd_parms *cmd, void *dconf,
                                   const char *arg);
const char *stepup_set_cookie_secure(cmd_parms *cmd, void *dconf,
                                     const char *arg);
const char *stepup_set_bind_cookie(cmd_parms *cmd, void *dconf,
                                   const char *arg);
const char *stepup_set_token_header(cmd_parms *cmd, void *dconf,
                                    const char *arg);
const char *stepup_parse_seconds(apr_pool_t *p, const char *what,
                                 const char *arg, apr_int64_t min,
                                 apr_int64_t max, apr_int64_t *out);
/* Effective values: the merged setting or its default. */
apr_int64_t stepup_conf_max_age(const stepup_dir_conf *d);
apr_int64_t stepup_conf_lifetime(const stepup_server_conf *s);
const char *stepup_conf_confirm_url(const stepup_dir_conf *d);
const char *stepup_conf_cookie_name(const stepup_dir_conf *d);

/* authz.c: the "stepup" authz provider */
extern const authz_provider stepup_authz_provider;

/* challenge.c: what a denied client sees (DESIGN 6) */
void stepup_record_denial(request_rec *r, stepup_acr acr,
                          apr_int64_t max_age);
int stepup_note_auth_failure(request_rec *r, const char *auth_type);
void stepup_insert_error_filter(request_rec *r);
apr_status_t stepup_json_error_filter(ap_filter_t *f, apr_bucket_brigade *bb);
#define STEPUP_JSON_ERROR_FILTER "STEPUP_JSON_ERROR"

/* startup.c */
int stepup_check_config(apr_pool_t *pconf, apr_pool_t *plog,
                        apr_pool_t *ptemp, server_rec *s);

#endif
