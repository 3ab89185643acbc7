/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The transaction digest of a request (stepup_txn.h).
 */
#include <string.h>

#include <apr_pools.h>
#include <openssl/evp.h>

#include "stepup_b64url.h"
#include "stepup_sha256.h"
#include "stepup_txn.h"

struct stepup_txn_ctx {
    apr_pool_t *pool;
    EVP_MD_CTX *md;     /* NULL once finished or failed */
};

/* The 16 bytes out of a full digest, in the forms asked for. */
static void give16(const unsigned char *md, unsigned char *raw, char *b64)
{
    if (raw)
        memcpy(raw, md, STEPUP_TXN_RAW_LEN);
    if (b64)
        stepup_b64url_encode_to(b64, md, STEPUP_TXN_RAW_LEN);
}

int stepup_digest16(const void *data, size_t len,
                    unsigned char raw[STEPUP_TXN_RAW_LEN],
                    char b64[STEPUP_TXN_LEN + 1])
{
    unsigned char md[STEPUP_SHA256_LEN];

    if (stepup_sha256(data, len, md) != 0)
        return -1;
    give16(md, raw, b64);
    return 0;
}

/* A space would let the method and the target trade bytes, a LF any
 * field and the next one. */
static int head_valid(const char *method, const char *target,
                      const char *ctype)
{
    return method && *method && !strpbrk(method, " \n")
        && target && *target && !strpbrk(target, " \n")
        && !(ctype && strchr(ctype, '\n'));
}

/* Feeds "METHOD SP target LF ctype LF" into a fresh digest. */
static int feed_head(EVP_MD_CTX *md, const char *method, const char *target,
                     const char *ctype)
{
    const EVP_MD *alg = stepup_sha256_md();

    if (!ctype)
        ctype = "";
    return alg && EVP_DigestInit_ex(md, alg, NULL)
        && EVP_DigestUpdate(md, method, strlen(method))
        && EVP_DigestUpdate(md, " ", 1)
        && EVP_DigestUpdate(md, target, strlen(target))
        && EVP_DigestUpdate(md, "\n", 1)
        && EVP_DigestUpdate(md, ctype, strlen(ctype))
        && EVP_DigestUpdate(md, "\n", 1) ? 0 : -1;
}

static int feed_end(EVP_MD_CTX *md, unsigned char *raw, char *b64)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int outlen = 0;

    if (!EVP_DigestFinal_ex(md, out, &outlen)
        || outlen < STEPUP_TXN_RAW_LEN)
        return -1;
    give16(out, raw, b64);
    return 0;
}

static apr_status_t free_md(void *data)
{
    stepup_txn_ctx *ctx = data;

    EVP_MD_CTX_free(ctx->md);
    ctx->md = NULL;
    return APR_SUCCESS;
}

stepup_txn_ctx *stepup_txn_start(apr_pool_t *p, const char *method,
                                 const char *target, const char *ctype)
{
    stepup_txn_ctx *ctx;

    if (!head_valid(method, target, ctype))
        return NULL;
    ctx = apr_palloc(p, sizeof(*ctx));
    ctx->pool = p;
    if (!(ctx->md = EVP_MD_CTX_new()))
        return NULL;
    apr_pool_cleanup_register(p, ctx, free_md, apr_pool_cleanup_null);
    if (feed_head(ctx->md, method, target, ctype) != 0) {
        apr_pool_cleanup_run(p, ctx, free_md);
        return NULL;
    }
    return ctx;
}

int stepup_txn_body(stepup_txn_ctx *ctx, const void *data, size_t len)
{
    if (!ctx || !ctx->md)
        return -1;
    if (len && !EVP_DigestUpdate(ctx->md, data, len)) {
        apr_pool_cleanup_run(ctx->pool, ctx, free_md);
        return -1;
    }
    return 0;
}

int stepup_txn_finish(stepup_txn_ctx *ctx,
                      unsigned char raw[STEPUP_TXN_RAW_LEN],
                      char b64[STEPUP_TXN_LEN + 1])
{
    int rc;

    if (!ctx || !ctx->md)
        return -1;
    rc = feed_end(ctx->md, raw, b64);
    apr_pool_cleanup_run(ctx->pool, ctx, free_md);
    return rc;
}

int stepup_txn_compute(const char *method, const char *target,
                       const char *ctype, const void *body, size_t len,
                       unsigned char raw[STEPUP_TXN_RAW_LEN],
                       char b64[STEPUP_TXN_LEN + 1])
{
    EVP_MD_CTX *md;
    int rc = -1;

    if (!head_valid(method, target, ctype) || !(md = EVP_MD_CTX_new()))
        return -1;
    if (feed_head(md, method, target, ctype) == 0
        && (!len || EVP_DigestUpdate(md, body, len)))
        rc = feed_end(md, raw, b64);
    EVP_MD_CTX_free(md);
    return rc;
}

int stepup_txn_valid(const char *s, size_t len)
{
    /* 16 bytes end in a character worth 2 bits: its low 4 bits are 0 */
    return len == STEPUP_TXN_LEN && stepup_b64url_valid(s, len, 0)
        && strchr("AQgw", s[len - 1]) != NULL;
}
