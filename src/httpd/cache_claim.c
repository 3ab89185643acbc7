/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Claims on a farm cache: add a key only when it is absent, so that
 * exactly one caller across the farm gets it until it expires.
 * ap_socache offers no such operation (store() overwrites), so the module
 * keeps its own client of the StepupCache servers, through APR-util, and
 * uses what each offers atomically:
 *   memcache  "add", which stores only when the key is absent;
 *   redis     "INCRBY key 1", which answers 1 to exactly one caller; that
 *             caller then writes the expiry time (a number far above 1)
 *             with the expiry (SETEX). Whoever increments before or after
 *             sees more than 1 and loses, so the claim is still held by
 *             one caller; a claimer that dies before SETEX leaves the key
 *             without expiry, which keeps it claimed (refusing).
 * The value of a claim is its expiry time (epoch seconds), so that a
 * refusal can say how long to wait.
 * Keys are a hash of the module's key, so user names of any spelling make
 * valid memcache keys and nobody can aim at another key.
 */
#include <httpd.h>
#include <apr_memcache.h>
#include <apr_redis.h>
#include <apr_strings.h>
#include <ap_mpm.h>

#include "mod_stepup.h"
#include "stepup_b64url.h"
#include "stepup_sha256.h"

#define REDIS_PORT 6379
#define MEMCACHE_PORT 11211
#define KEEP_IDLE_US (apr_uint32_t)apr_time_from_sec(15)
#define REDIS_IO_TIMEOUT_US (apr_uint32_t)apr_time_from_sec(5)

struct stepup_claims {
    apr_memcache_t *mc;
    apr_redis_t *rc;
};

int stepup_claims_supported(const char *provider)
{
    return !strcmp(provider, "redis") || !strcmp(provider, "memcache");
}

/* "HOST[:PORT][,HOST[:PORT]]...": the servers, as the socache providers
 * read them. */
static apr_status_t add_servers(stepup_cache *c, server_rec *s,
                                apr_pool_t *p, stepup_claims *cl)
{
    int threads = 1, redis = !strcmp(c->name, "redis");
    apr_uint32_t max;
    char *list = apr_pstrdup(p, c->args ? c->args : ""), *last, *item;
    apr_status_t rv = APR_EINVAL;

    ap_mpm_query(AP_MPMQ_HARD_LIMIT_THREADS, &threads);
    max = threads > 0 ? (apr_uint32_t)threads : 1;
    for (item = apr_strtok(list, ",", &last); item;
         item = apr_strtok(NULL, ",", &last)) {
        char *host, *scope;
        apr_port_t port;

        rv = apr_parse_addr_port(&host, &scope, &port, item, p);
        if (rv != APR_SUCCESS || !host)
            return rv != APR_SUCCESS ? rv : APR_EINVAL;
        if (redis) {
            apr_redis_server_t *rs;

            rv = apr_redis_server_create(p, host, port ? port : REDIS_PORT,
                                         0, 1, max, KEEP_IDLE_US,
                                         REDIS_IO_TIMEOUT_US, &rs);
            if (rv == APR_SUCCESS)
                rv = apr_redis_add_server(cl->rc, rs);
        }
        else {
            apr_memcache_server_t *ms;

            rv = apr_memcache_server_create(p, host,
                                            port ? port : MEMCACHE_PORT,
                                            0, 1, max, KEEP_IDLE_US, &ms);
            if (rv == APR_SUCCESS)
                rv = apr_memcache_add_server(cl->mc, ms);
        }
        if (rv != APR_SUCCESS)
            return rv;
    }
    return rv;
}

apr_status_t stepup_claims_open(stepup_cache *c, server_rec *s,
                                apr_pool_t *p, stepup_claims **out)
{
    stepup_claims *cl = apr_pcalloc(p, sizeof(*cl));
    char *list = apr_pstrdup(p, c->args ? c->args : "");
    apr_uint16_t n = 1;
    apr_status_t rv;
    char *q;

    for (q = list; *q; q++)
        n += *q == ',';
    rv = !strcmp(c->name, "redis") ? apr_redis_create(p, n, 0, &cl->rc)
                                   : apr_memcache_create(p, n, 0, &cl->mc);
    if (rv == APR_SUCCESS)
        rv = add_servers(c, s, p, cl);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, "STEPUP0016: "
                     "StepupCache %s: cannot make a client of its servers",
                     c->spec);
        return rv;
    }
    *out = cl;
    return APR_SUCCESS;
}

static const char *remote_key(request_rec *r, const char *key)
{
    unsigned char md[STEPUP_SHA256_LEN];

    if (stepup_sha256(key, strlen(key), md) != 0)
        return NULL;
    return apr_pstrcat(r->pool, "stepup:claim:",
                       stepup_b64url_encode(r->pool, md, 24), NULL);
}

/* Seconds from now until expiry, at least 1 (0 would mean "never"). */
static apr_uint32_t ttl_of(request_rec *r, apr_time_t expiry)
{
    apr_time_t left = apr_time_sec(expiry - apr_time_now());

    return left < 1 ? 1 : (apr_uint32_t)left;
}

apr_status_t stepup_claims_add(request_rec *r, stepup_claims *cl,
                               const char *key, apr_time_t expiry)
{
    const char *k = remote_key(r, key);
    char *until;
    apr_uint32_t n = 0;
    apr_status_t rv;

    if (!k)
        return APR_EGENERAL;
    until = apr_ltoa(r->pool, (long)apr_time_sec(expiry));
    if (cl->mc) {
        rv = apr_memcache_add(cl->mc, k, until, strlen(until),
                              ttl_of(r, expiry), 0);
        /* no live server: apr_memcache finds none and says "not found" */
        return rv == APR_NOTFOUND ? APR_EGENERAL : rv;
    }
    if ((rv = apr_redis_incr(cl->rc, k, 1, &n)) != APR_SUCCESS)
        return rv == APR_NOTFOUND ? APR_EGENERAL : rv;
    if (n != 1)
        return APR_EEXIST;
    rv = apr_redis_setex(cl->rc, k, until, strlen(until), ttl_of(r, expiry),
                         0);
    if (rv != APR_SUCCESS)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, rv, r, "STEPUP0017: a "
                      "claim in redis has no expiry (SETEX failed): it "
                      "stays claimed until removed");
    return APR_SUCCESS;
}

apr_int64_t stepup_claims_until(request_rec *r, stepup_claims *cl,
                                const char *key)
{
    const char *k = remote_key(r, key);
    char *value = NULL;
    apr_size_t len = 0;
    apr_uint16_t flags;
    apr_status_t rv;

    if (!k)
        return 0;
    rv = cl->mc ? apr_memcache_getp(cl->mc, r->pool, k, &value, &len, &flags)
                : apr_redis_getp(cl->rc, r->pool, k, &value, &len, &flags);
    if (rv != APR_SUCCESS || !value)
        return 0;
    return apr_atoi64(apr_pstrmemdup(r->pool, value, len));
}

apr_status_t stepup_claims_remove(request_rec *r, stepup_claims *cl,
                                  const char *key)
{
    const char *k = remote_key(r, key);
    apr_status_t rv;

    if (!k)
        return APR_EGENERAL;
    rv = cl->mc ? apr_memcache_delete(cl->mc, k, 0)
                : apr_redis_delete(cl->rc, k, 0);
    return rv == APR_NOTFOUND ? APR_SUCCESS : rv;
}

int stepup_claims_reachable(request_rec *r, stepup_claims *cl)
{
    const char *k = remote_key(r, "stepup:reachable");
    char *value;
    apr_size_t len;
    apr_uint16_t flags;
    apr_status_t rv;

    /* a read of a key nobody writes: "not found" from a live server, an
     * error from a dead one; a server marked dead is not even asked (the
     * clients would say "not found" for it too) */
    if (!k)
        return 0;
    if (cl->mc) {
        if (!apr_memcache_find_server_hash(
                cl->mc, apr_memcache_hash(cl->mc, k, strlen(k))))
            return 0;
        rv = apr_memcache_getp(cl->mc, r->pool, k, &value, &len, &flags);
    }
    else {
        if (!apr_redis_find_server_hash(
                cl->rc, apr_redis_hash(cl->rc, k, strlen(k))))
            return 0;
        rv = apr_redis_getp(cl->rc, r->pool, k, &value, &len, &flags);
    }
    return rv == APR_SUCCESS || rv == APR_NOTFOUND;
}
