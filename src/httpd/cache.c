/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * StepupCache: what must happen once (a WebAuthn challenge taken, a
 * one-time token spent) and what must be counted (failed passwords)
 * through ap_socache, so that a farm sharing the cache decides them once
 * for all its servers.
 *
 * Three operations, none of them a read followed by a write that decides:
 *   put      a plain store (a challenge, the mark of an unspent token);
 *   take     read and remove: remove() succeeds for exactly one caller,
 *            so only that caller uses what it read;
 *   claim    add a key only when it is absent: exactly one caller gets it
 *            until it expires. ap_socache has no such operation, so it is
 *            made from what each kind of provider offers (cache_claim.c).
 * A provider that is not multi-process safe (shmcb, dbm) serves one server
 * only; there every operation runs under one global mutex, which makes it
 * atomic for all the children of that server.
 *
 * Records whose loss would let something through are kept so that losing
 * them refuses (a one-time token is spendable only while its mark exists)
 * or out of reach of what a user can write at will: on a local provider
 * the claims live in an instance of their own, and the instances and their
 * mutex are made once per httpd process, so "apachectl graceful" keeps
 * them (httpd would otherwise make new, empty ones with each generation).
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
#define VALUE_MAX 4096

/* What a local provider's instances and mutex are, for the life of the
 * httpd process (found again after a graceful restart by the spec). The
 * instances live in a pool of their own that no other pool owns: the
 * provider's init registers cleanups that point into its module, which
 * httpd unloads when the configuration goes, before it destroys the
 * process pool; release_local() destroys this pool first. */
typedef struct {
    apr_pool_t *pool;
    const ap_socache_provider_t *provider;   /* the code the pool's
                                               * cleanups point into */
    ap_socache_instance_t *values;
    ap_socache_instance_t *claims;
    apr_global_mutex_t *mutex;
    const char *lockfile;
} local_store;

/* Splits "NAME[:ARGS]" and finds the provider. */
static void lookup(apr_pool_t *p, const char *spec, stepup_cache *c)
{
    const char *sep = ap_strchr_c(spec, ':');

    c->spec = apr_pstrdup(p, spec);
    c->name = sep ? apr_pstrmemdup(p, spec, (apr_size_t)(sep - spec))
                  : c->spec;
    c->args = sep ? c->spec + (sep - spec) + 1 : NULL;
    c->provider = ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, c->name,
                                     AP_SOCACHE_PROVIDER_VERSION);
    c->local = c->provider
               && (c->provider->flags & AP_SOCACHE_FLAG_NOTMPSAFE);
}

const char *stepup_cache_create(cmd_parms *cmd, const char *spec,
                                stepup_cache **out)
{
    stepup_cache *c = apr_pcalloc(cmd->pool, sizeof(*c));
    ap_socache_instance_t *probe;
    const char *err;

    lookup(cmd->pool, spec, c);
    if (!c->provider) {
        apr_array_header_t *names = ap_list_provider_names(
            cmd->pool, AP_SOCACHE_PROVIDER_GROUP, AP_SOCACHE_PROVIDER_VERSION);
        char *list = apr_array_pstrcat(cmd->pool, names, ',');

        return apr_psprintf(cmd->pool, "%s: unknown cache type \"%s\" (load "
                            "mod_socache_%s; loaded: %s)",
                            cmd->cmd->name, c->name, c->name,
                            *list ? list : "none");
    }
    if (!c->local && !stepup_claims_supported(c->name))
        return apr_psprintf(cmd->pool, "%s %s: a farm cache must be redis "
                            "or memcache (one-time tokens and password "
                            "throttling need an atomic add, which the "
                            "\"%s\" provider does not offer)",
                            cmd->cmd->name, spec, c->name);
    /* the arguments are checked now, for a one-line refusal; the instance
     * in use is made in post_config */
    err = c->provider->create(&probe, c->args, cmd->temp_pool,
                              cmd->temp_pool);
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

static apr_status_t destroy_instance(void *data)
{
    stepup_cache *c = data;

    c->provider->destroy(c->values, NULL);
    return APR_SUCCESS;
}

/* A remote provider (redis, memcache): its instance for this generation,
 * and the module's own client of the same servers for claims. */
static apr_status_t open_remote(stepup_cache *c, server_rec *s,
                                apr_pool_t *pconf, apr_pool_t *ptemp)
{
    struct ap_socache_hints hints = { 64, 32, 30 };
    const char *err;
    apr_status_t rv;

    err = c->provider->create(&c->values, c->args, ptemp, pconf);
    if (err) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, "STEPUP0013: "
                     "StepupCache %s: %s", c->spec, err);
        return APR_EGENERAL;
    }
    rv = c->provider->init(c->values, "mod_stepup", &hints, s, pconf);
    if (rv != APR_SUCCESS)
        return rv;
    apr_pool_cleanup_register(pconf, c, destroy_instance,
                              apr_pool_cleanup_null);
    return stepup_claims_open(c, s, pconf, &c->remote);
}

static apr_status_t make_instance(stepup_cache *c, const char *args,
                                  const char *ns, server_rec *s,
                                  apr_pool_t *pool,
                                  ap_socache_instance_t **out)
{
    struct ap_socache_hints hints = { 64, 32, 30 };
    const char *err = c->provider->create(out, args, pool, pool);

    if (err) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, "STEPUP0013: "
                     "StepupCache %s: %s", c->spec, err);
        return APR_EGENERAL;
    }
    return c->provider->init(*out, ns, &hints, s, pool);
}

/* Runs when a generation's configuration goes. At a restart httpd clears
 * it and loads the modules again: the instances stay. Otherwise the
 * process is ending: the instances go now, while the provider's module
 * (unloaded by a cleanup this one was registered after) is still there. */
static apr_status_t release_local(void *data)
{
    local_store *ls = data;

    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_DESTROY_CONFIG
        || !ls->pool)
        return APR_SUCCESS;
    apr_pool_destroy(ls->pool);
    ls->pool = NULL;
    return APR_SUCCESS;
}

static apr_status_t make_local(stepup_cache *c, server_rec *s, int serial,
                               local_store *ls)
{
    apr_pool_t *proc = s->process->pool;
    apr_status_t rv = apr_pool_create_unmanaged_ex(&ls->pool, NULL, NULL);

    ls->provider = c->provider;
    if (rv == APR_SUCCESS)
        rv = make_instance(c, c->args, "mod_stepup", s, ls->pool,
                           &ls->values);
    /* shmcb evicts the oldest entries of a full sub-cache: the claims
     * get their own, which only counted password attempts write */
    if (rv == APR_SUCCESS && !strcmp(c->name, "shmcb"))
        rv = make_instance(c, NULL, "mod_stepup-claims", s, ls->pool,
                           &ls->claims);
    else
        ls->claims = ls->values;
    /* the mutex's cleanups are APR's own, which stays loaded */
    if (rv == APR_SUCCESS && !ls->mutex)
        rv = ap_global_mutex_create(&ls->mutex, &ls->lockfile, CACHE_MUTEX,
                                    apr_itoa(proc, serial), s, proc, 0);
    if (rv != APR_SUCCESS)
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, "STEPUP0012: "
                     "StepupCache %s: cannot initialise", c->spec);
    return rv;
}

/* A local provider: the instances and mutex of this httpd process, made
 * on the first start and found again after each restart. */
static apr_status_t open_local(stepup_cache *c, server_rec *s,
                               apr_pool_t *pconf, int serial)
{
    apr_pool_t *proc = s->process->pool;
    const char *key = apr_pstrcat(pconf, "mod_stepup cache ", c->spec, NULL);
    local_store *ls = NULL;
    apr_status_t rv;

    apr_pool_userdata_get((void **)&ls, key, proc);
    if (ls && ls->provider != c->provider) {
        /* the provider's module came back at another address: the old
         * pool's cleanups point at code that is gone, so it is left as
         * it is, never destroyed, and new instances start empty (an
         * unspent one-time token then refuses: its mark is not found) */
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s, "STEPUP0019: "
                     "StepupCache %s: the cache provider was loaded again "
                     "at another address; its entries start afresh",
                     c->spec);
        ls->pool = NULL;
    }
    if (!ls) {
        ls = apr_pcalloc(proc, sizeof(*ls));
        apr_pool_userdata_set(ls, apr_pstrdup(proc, key),
                              apr_pool_cleanup_null, proc);
    }
    if (!ls->pool && (rv = make_local(c, s, serial, ls)) != APR_SUCCESS)
        return rv;
    apr_pool_cleanup_register(pconf, ls, release_local,
                              apr_pool_cleanup_null);
    c->values = ls->values;
    c->claims = ls->claims;
    c->mutex = &ls->mutex;
    c->lockfile = ls->lockfile;
    return APR_SUCCESS;
}

int stepup_cache_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *s)
{
    stepup_cache *fallback = NULL;
    apr_hash_t *opened = apr_hash_make(ptemp);
    server_rec *v;
    int serial = 0;

    /* the first pass only tests the configuration */
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG)
        return OK;

    for (v = s; v; v = v->next) {
        stepup_server_conf *sc =
            ap_get_module_config(v->module_config, &stepup_module);
        stepup_cache *seen;
        apr_status_t rv;

        if (!sc->keys)
            continue; /* not in use here */
        if (!sc->cache) {
            if (!fallback) {
                fallback = apr_pcalloc(pconf, sizeof(*fallback));
                lookup(pconf, DEFAULT_SPEC, fallback);
                if (!fallback->provider) {
                    ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                                 "STEPUP0011: no StepupCache and "
                                 "mod_socache_shmcb is not loaded: password "
                                 "step-up, passkeys and one-time locations "
                                 "will answer 503 until one of them is "
                                 "configured");
                    continue;
                }
            }
            sc->cache = fallback;
        }
        /* one instance per spec, whichever servers name it */
        if ((seen = apr_hash_get(opened, sc->cache->spec,
                                 APR_HASH_KEY_STRING))) {
            sc->cache = seen;
            continue;
        }
        if (!sc->cache->provider)
            continue;
        rv = sc->cache->local ? open_local(sc->cache, v, pconf, ++serial)
                              : open_remote(sc->cache, v, pconf, ptemp);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, v, "STEPUP0013: "
                         "StepupCache %s: cannot initialise",
                         sc->cache->spec);
            return 500;
        }
        apr_hash_set(opened, sc->cache->spec, APR_HASH_KEY_STRING, sc->cache);
    }
    return OK;
}

void stepup_cache_child_init(apr_pool_t *p, server_rec *s)
{
    apr_hash_t *done = apr_hash_make(p);
    server_rec *v;

    for (v = s; v; v = v->next) {
        stepup_server_conf *sc =
            ap_get_module_config(v->module_config, &stepup_module);
        apr_status_t rv;

        if (!sc->keys || !sc->cache || !sc->cache->mutex
            || apr_hash_get(done, sc->cache->mutex, sizeof(void *)))
            continue;
        apr_hash_set(done, sc->cache->mutex, sizeof(void *), "");
        rv = apr_global_mutex_child_init(sc->cache->mutex,
                                         sc->cache->lockfile, p);
        if (rv != APR_SUCCESS)
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, "STEPUP0014: cannot "
                         "reopen the %s mutex in this child", CACHE_MUTEX);
    }
}

stepup_cache *stepup_cache_of(request_rec *r)
{
    const stepup_server_conf *sc =
        ap_get_module_config(r->server->module_config, &stepup_module);

    if (!sc->cache || !sc->cache->values) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "STEPUP0015: no "
                      "StepupCache for this server (load mod_socache_shmcb "
                      "or set StepupCache)");
        return NULL;
    }
    return sc->cache;
}

/* shmcb picks one of its 32 sub-caches by the low five bits of the id's
 * first byte: a hash of the key there, written as one of the 32 printable
 * characters '@' to '_', spreads this module's keys over all of them. */
static const char *cache_id(request_rec *r, const char *key,
                            unsigned int *len)
{
    apr_ssize_t klen = (apr_ssize_t)strlen(key);
    unsigned int h = apr_hashfunc_default(key, &klen);
    char *id = apr_palloc(r->pool, (apr_size_t)klen + 2);

    id[0] = (char)('@' + (h & 31));
    memcpy(id + 1, key, (apr_size_t)klen + 1);
    *len = (unsigned int)klen + 1;
    return id;
}

static apr_status_t lock(stepup_cache *c)
{
    return c->mutex ? apr_global_mutex_lock(*c->mutex) : APR_SUCCESS;
}

static void unlock(stepup_cache *c)
{
    if (c->mutex)
        apr_global_mutex_unlock(*c->mutex);
}

static apr_status_t retrieve(request_rec *r, stepup_cache *c,
                             ap_socache_instance_t *inst,
                             const unsigned char *id, unsigned int idlen,
                             const char **value)
{
    unsigned char buf[VALUE_MAX + 1];
    unsigned int len = VALUE_MAX;
    apr_status_t rv = c->provider->retrieve(inst, r->server, id, idlen, buf,
                                            &len, r->pool);

    if (rv == APR_SUCCESS && value)
        *value = apr_pstrmemdup(r->pool, (const char *)buf, len);
    return rv;
}

apr_status_t stepup_cache_put(request_rec *r, stepup_cache *c,
                              const char *key, const char *value,
                              apr_time_t expiry)
{
    unsigned int idlen;
    const unsigned char *id = (const unsigned char *)cache_id(r, key, &idlen);
    apr_status_t rv;

    if ((rv = lock(c)) != APR_SUCCESS)
        return rv;
    rv = c->provider->store(c->values, r->server, id, idlen, expiry,
                            (unsigned char *)value,
                            (unsigned int)strlen(value), r->pool);
    unlock(c);
    /* redis and memcache say "not found" for a dead server: a store that
     * did not happen is a failure, whatever its code */
    return rv == APR_NOTFOUND ? APR_EGENERAL : rv;
}

/* Reads key, and removes it when take is set. */
static apr_status_t read_value(request_rec *r, stepup_cache *c,
                               const char *key, const char **value, int take)
{
    unsigned int idlen;
    const unsigned char *id = (const unsigned char *)cache_id(r, key, &idlen);
    apr_status_t rv;

    *value = NULL;
    if ((rv = lock(c)) != APR_SUCCESS)
        return rv;
    rv = retrieve(r, c, c->values, id, idlen, value);
    /* only the caller whose remove() succeeds uses what it read: on a
     * farm cache another server may have read it too (on a local one the
     * mutex is held, and dbm's remove says nothing, so the read decides) */
    if (rv == APR_SUCCESS && take) {
        apr_status_t rm = c->provider->remove(c->values, r->server, id,
                                              idlen, r->pool);
        if (!c->local && rm != APR_SUCCESS)
            rv = rm;
    }
    unlock(c);
    if (rv != APR_SUCCESS)
        *value = NULL;
    return rv;
}

apr_status_t stepup_cache_peek(request_rec *r, stepup_cache *c,
                               const char *key, const char **value)
{
    return read_value(r, c, key, value, 0);
}

apr_status_t stepup_cache_take(request_rec *r, stepup_cache *c,
                               const char *key, const char **value)
{
    return read_value(r, c, key, value, 1);
}

apr_status_t stepup_cache_claim(request_rec *r, stepup_cache *c,
                                const char *key, apr_time_t expiry)
{
    unsigned int idlen;
    const unsigned char *id;
    apr_status_t rv;

    if (!c->local)
        return stepup_claims_add(r, c->remote, key, expiry);
    id = (const unsigned char *)cache_id(r, key, &idlen);
    if ((rv = lock(c)) != APR_SUCCESS)
        return rv;
    rv = retrieve(r, c, c->claims, id, idlen, NULL);
    if (rv == APR_SUCCESS)
        rv = APR_EEXIST;
    else if (rv == APR_NOTFOUND) {
        const char *until = apr_ltoa(r->pool, (long)apr_time_sec(expiry));

        rv = c->provider->store(c->claims, r->server, id, idlen, expiry,
                                (unsigned char *)until,
                                (unsigned int)strlen(until), r->pool);
    }
    unlock(c);
    return rv;
}

apr_int64_t stepup_cache_claimed_until(request_rec *r, stepup_cache *c,
                                       const char *key)
{
    unsigned int idlen;
    const unsigned char *id;
    const char *value = NULL;
    apr_status_t rv;

    if (!c->local)
        return stepup_claims_until(r, c->remote, key);
    id = (const unsigned char *)cache_id(r, key, &idlen);
    if ((rv = lock(c)) != APR_SUCCESS)
        return 0;
    rv = retrieve(r, c, c->claims, id, idlen, &value);
    unlock(c);
    return rv == APR_SUCCESS ? apr_atoi64(value) : 0;
}

apr_status_t stepup_cache_unclaim(request_rec *r, stepup_cache *c,
                                  const char *key)
{
    unsigned int idlen;
    const unsigned char *id;
    apr_status_t rv;

    if (!c->local)
        return stepup_claims_remove(r, c->remote, key);
    id = (const unsigned char *)cache_id(r, key, &idlen);
    if ((rv = lock(c)) != APR_SUCCESS)
        return rv;
    rv = c->provider->remove(c->claims, r->server, id, idlen, r->pool);
    unlock(c);
    return rv == APR_NOTFOUND ? APR_SUCCESS : rv;
}

int stepup_cache_reachable(request_rec *r, stepup_cache *c)
{
    return c->local || stepup_claims_reachable(r, c->remote);
}
