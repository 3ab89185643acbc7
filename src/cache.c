/*
 * StepupCache: one-time values and counters through ap_socache, so that a
 * farm can share them (redis, memcache) and one server keeps them in
 * shared memory (shmcb, the default). The lifecycle follows
 * mod_authn_socache: provider looked up and created when the directive is
 * read, mutex registered in pre_config, init in post_config, mutex re-opened
 * in each child, lock only when the provider is not multi-process safe.
 */
#include <httpd.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include <ap_provider.h>
#include <http_log.h>
#include <http_core.h>
#include <http_main.h>
#include <util_mutex.h>

#include "mod_stepup.h"

#define CACHE_MUTEX "stepup-cache"
#define DEFAULT_SPEC "shmcb"

static apr_global_mutex_t *cache_mutex;

const char *stepup_cache_create(cmd_parms *cmd, const char *spec,
                                stepup_cache **out)
{
    stepup_cache *c = apr_pcalloc(cmd->pool, sizeof(*c));
    const char *sep = ap_strchr_c(spec, ':'), *name, *args, *err;

    name = sep ? apr_pstrmemdup(cmd->temp_pool, spec, (apr_size_t)(sep - spec))
               : spec;
    args = sep ? sep + 1 : NULL;
    c->spec = apr_pstrdup(cmd->pool, spec);
    c->provider = ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, name,
                                     AP_SOCACHE_PROVIDER_VERSION);
    if (!c->provider) {
        apr_array_header_t *names = ap_list_provider_names(
            cmd->pool, AP_SOCACHE_PROVIDER_GROUP, AP_SOCACHE_PROVIDER_VERSION);
        char *list = apr_array_pstrcat(cmd->pool, names, ',');

        return apr_psprintf(cmd->pool, "%s: unknown cache type \"%s\" (load "
                            "mod_socache_%s; loaded: %s)",
                            cmd->cmd->name, name, name,
                            *list ? list : "none");
    }
    err = c->provider->create(&c->instance, args, cmd->temp_pool, cmd->pool);
    if (err)
        return apr_psprintf(cmd->pool, "%s %s: %s", cmd->cmd->name, spec,
                            err);
    *out = c;
    return NULL;
}

int stepup_cache_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                            apr_pool_t *ptemp)
{
    apr_status_t rv = ap_mutex_register(pconf, CACHE_MUTEX, NULL,
                                        APR_LOCK_DEFAULT, 0);

    if (rv != APR_SUCCESS) {
        ap_log_perror(APLOG_MARK, APLOG_CRIT, rv, plog, "STEPUP0010: "
                      "cannot register the %s mutex", CACHE_MUTEX);
        return 500;
    }
    return OK;
}

static apr_status_t destroy_cache(void *data)
{
    stepup_cache *c = data;

    c->provider->destroy(c->instance, NULL);
    return APR_SUCCESS;
}

/* The shmcb default for servers in use that set no StepupCache. */
static stepup_cache *default_cache(apr_pool_t *pconf, apr_pool_t *ptemp,
                                   server_rec *s)
{
    stepup_cache *c = apr_pcalloc(pconf, sizeof(*c));

    c->spec = DEFAULT_SPEC;
    c->provider = ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, DEFAULT_SPEC,
                                     AP_SOCACHE_PROVIDER_VERSION);
    if (!c->provider || c->provider->create(&c->instance, NULL, ptemp, pconf)) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, "STEPUP0011: no "
                     "StepupCache and mod_socache_shmcb is not loaded: "
                     "password throttling and one-time challenges will "
                     "answer 503 until one of them is configured");
        return NULL;
    }
    return c;
}

int stepup_cache_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *s)
{
    struct ap_socache_hints hints = { 64, 32, 30 };
    stepup_cache *fallback = NULL;
    int need_mutex = 0;
    apr_status_t rv;
    server_rec *v;

    /* the first pass only tests the configuration */
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG)
        return OK;

    for (v = s; v; v = v->next) {
        stepup_server_conf *sc =
            ap_get_module_config(v->module_config, &stepup_module);

        if (!sc->keys)
            continue; /* not in use here */
        if (!sc->cache) {
            if (!fallback && !(fallback = default_cache(pconf, ptemp, s)))
                continue;
            sc->cache = fallback;
        }
        if (sc->cache->provider->flags & AP_SOCACHE_FLAG_NOTMPSAFE)
            need_mutex = 1;
    }

    if (need_mutex) {
        rv = ap_global_mutex_create(&cache_mutex, NULL, CACHE_MUTEX, NULL, s,
                                    pconf, 0);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, "STEPUP0012: cannot "
                         "create the %s mutex", CACHE_MUTEX);
            return 500;
        }
    }
    /* init each distinct instance once; vhosts share their parent's */
    for (v = s; v; v = v->next) {
        stepup_server_conf *sc =
            ap_get_module_config(v->module_config, &stepup_module);
        server_rec *w;
        int seen = 0;

        if (!sc->keys || !sc->cache)
            continue;
        for (w = s; w != v; w = w->next) {
            stepup_server_conf *wc =
                ap_get_module_config(w->module_config, &stepup_module);
            if (wc->keys && wc->cache == sc->cache)
                seen = 1;
        }
        if (seen)
            continue;
        rv = sc->cache->provider->init(sc->cache->instance, "mod_stepup",
                                       &hints, v, pconf);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, v, "STEPUP0013: "
                         "StepupCache %s: cannot initialise", sc->cache->spec);
            return 500;
        }
        apr_pool_cleanup_register(pconf, sc->cache, destroy_cache,
                                  apr_pool_cleanup_null);
    }
    return OK;
}

void stepup_cache_child_init(apr_pool_t *p, server_rec *s)
{
    apr_status_t rv;

    if (!cache_mutex)
        return;
    rv = apr_global_mutex_child_init(&cache_mutex,
                                     apr_global_mutex_lockfile(cache_mutex),
                                     p);
    if (rv != APR_SUCCESS)
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, "STEPUP0014: cannot "
                     "reopen the %s mutex in this child", CACHE_MUTEX);
}

stepup_cache *stepup_cache_of(request_rec *r)
{
    const stepup_server_conf *sc =
        ap_get_module_config(r->server->module_config, &stepup_module);

    if (!sc->cache)
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "STEPUP0015: no "
                      "StepupCache for this server (load mod_socache_shmcb "
                      "or set StepupCache)");
    return sc->cache;
}

static int lock(stepup_cache *c)
{
    return (c->provider->flags & AP_SOCACHE_FLAG_NOTMPSAFE) && cache_mutex;
}

#define VALUE_MAX 4096

static apr_status_t get_unlocked(request_rec *r, stepup_cache *c,
                                 const char *key, const char **value)
{
    unsigned char buf[VALUE_MAX + 1];
    unsigned int len = VALUE_MAX;
    apr_status_t rv;

    rv = c->provider->retrieve(c->instance, r->server,
                               (const unsigned char *)key,
                               (unsigned int)strlen(key), buf, &len,
                               r->pool);
    if (rv == APR_NOTFOUND) {
        *value = NULL;
        return APR_SUCCESS;
    }
    if (rv != APR_SUCCESS)
        return rv;
    *value = apr_pstrmemdup(r->pool, (const char *)buf, len);
    return APR_SUCCESS;
}

/* shmcb picks one of its sub-caches by the id's first byte: a hash byte
 * first spreads this module's keys (all "stepup:...") over all of them,
 * rather than crowd one thirty-second of the cache. */
static const char *cache_id(request_rec *r, const char *key)
{
    apr_ssize_t len = (apr_ssize_t)strlen(key);
    unsigned int h = apr_hashfunc_default(key, &len);

    return apr_psprintf(r->pool, "%02x%s", h & 0xff, key);
}

apr_status_t stepup_cache_update(request_rec *r, stepup_cache *c,
                                 const char *key,
                                 stepup_cache_update_fn update, void *baton)
{
    const char *idstr = cache_id(r, key);
    const unsigned char *id = (const unsigned char *)idstr;
    unsigned int idlen = (unsigned int)strlen(idstr);
    const char *old = NULL, *value;
    apr_time_t expiry = 0;
    apr_status_t rv;

    if (lock(c) && (rv = apr_global_mutex_lock(cache_mutex)) != APR_SUCCESS)
        return rv;
    rv = get_unlocked(r, c, idstr, &old);
    if (rv == APR_SUCCESS) {
        value = update(r, old, &expiry, baton);
        if (value) {
            rv = c->provider->store(c->instance, r->server, id, idlen, expiry,
                                    (unsigned char *)value,
                                    (unsigned int)strlen(value), r->pool);
            /* redis and memcache say "not found" for a dead server: a
             * store that did not happen is a failure, whatever its code */
            if (rv == APR_NOTFOUND)
                rv = APR_EGENERAL;
        }
        else if (old)
            /* APR_NOTFOUND: another server removed it between our read and
             * this remove (no lock across a farm); the caller decides */
            rv = c->provider->remove(c->instance, r->server, id, idlen,
                                     r->pool);
    }
    if (lock(c))
        apr_global_mutex_unlock(cache_mutex);
    return rv;
}
