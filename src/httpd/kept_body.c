/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * A request body read ahead of the handler and given back to it. The module
 * reads a body before the handler does to compute the request's
 * transaction (a transaction-bound token opens only the request it was
 * minted for); whatever runs afterwards reads the same bytes through the
 * input filter STEPUP_KEPT_BODY, then, if only the first bytes were kept,
 * the rest from the connection. Nothing is read twice from the client and
 * nothing is lost.
 */
#include <httpd.h>
#include <string.h>

#include <apr_buckets.h>
#include <apr_strings.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <util_filter.h>

#include "mod_stepup.h"
#include "stepup_txn.h"

#define KEPT_BODY_NOTE "stepup-kept-body"

typedef struct {
    char *data;
    apr_size_t len;
    apr_size_t served;      /* how much the filter has handed on */
    int whole;              /* the body ended within data */
} kept_body;

apr_status_t stepup_kept_body_filter(ap_filter_t *f, apr_bucket_brigade *bb,
                                     ap_input_mode_t mode,
                                     apr_read_type_e block,
                                     apr_off_t readbytes)
{
    kept_body *kb = f->ctx;
    apr_size_t n;

    if (!kb || (mode != AP_MODE_READBYTES && mode != AP_MODE_SPECULATIVE))
        return ap_get_brigade(f->next, bb, mode, block, readbytes);
    if (kb->served >= kb->len) {
        if (!kb->whole)
            return ap_get_brigade(f->next, bb, mode, block, readbytes);
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(
            f->c->bucket_alloc));
        return APR_SUCCESS;
    }
    n = kb->len - kb->served;
    if (readbytes > 0 && (apr_off_t)n > readbytes)
        n = (apr_size_t)readbytes;
    /* the bytes live in the request's pool, as long as any reader */
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_immortal_create(
        kb->data + kb->served, n, f->c->bucket_alloc));
    if (mode == AP_MODE_READBYTES)
        kb->served += n;
    return APR_SUCCESS;
}

/* Reads up to max + 1 bytes of the body into kb (so that a longer body is
 * known to be longer); APR_SUCCESS or the read's error. */
static apr_status_t read_ahead(request_rec *r, apr_size_t max, kept_body *kb)
{
    apr_bucket_brigade *bb = apr_brigade_create(r->pool,
                                                r->connection->bucket_alloc);
    apr_status_t rv = APR_SUCCESS;

    kb->data = apr_palloc(r->pool, max + 1);
    while (!kb->whole && kb->len <= max) {
        apr_size_t room = max + 1 - kb->len;
        apr_bucket *e;

        rv = ap_get_brigade(r->input_filters, bb, AP_MODE_READBYTES,
                            APR_BLOCK_READ, (apr_off_t)room);
        if (rv != APR_SUCCESS)
            break;
        for (e = APR_BRIGADE_FIRST(bb); e != APR_BRIGADE_SENTINEL(bb);
             e = APR_BUCKET_NEXT(e)) {
            const char *part;
            apr_size_t len;

            if (APR_BUCKET_IS_EOS(e)) {
                kb->whole = 1;
                break;
            }
            if ((rv = apr_bucket_read(e, &part, &len, APR_BLOCK_READ))
                != APR_SUCCESS)
                break;
            if (len > max + 1 - kb->len)
                len = max + 1 - kb->len;
            memcpy(kb->data + kb->len, part, len);
            kb->len += len;
        }
        apr_brigade_cleanup(bb);
        if (rv != APR_SUCCESS)
            break;
    }
    return rv;
}

int stepup_kept_body(request_rec *r, apr_size_t max, const char **data,
                     apr_size_t *len)
{
    kept_body *kb = NULL;
    const char *length = apr_table_get(r->headers_in, "Content-Length");
    apr_status_t rv;

    apr_pool_userdata_get((void **)&kb, KEPT_BODY_NOTE, r->pool);
    if (!kb) {
        kb = apr_pcalloc(r->pool, sizeof(*kb));
        if (!ap_request_has_body(r))
            kb->whole = 1;
        /* a declared length over the bound: nothing is read */
        else if (length && apr_atoi64(length) > (apr_int64_t)max)
            kb->whole = 0;
        else if ((rv = read_ahead(r, max, kb)) != APR_SUCCESS) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, rv, r, "STEPUP0021: user "
                          "%s: cannot read the body of %s",
                          ap_escape_logitem(r->pool, r->user),
                          ap_escape_logitem(r->pool, r->uri));
            kb->whole = 0;
        }
        apr_pool_userdata_setn(kb, KEPT_BODY_NOTE, NULL, r->pool);
        if (kb->len)
            ap_add_input_filter(STEPUP_KEPT_BODY_FILTER, kb, r,
                                r->connection);
    }
    if (!kb->whole || kb->len > max)
        return -1;
    *data = kb->data ? kb->data : "";
    *len = kb->len;
    return 0;
}

void stepup_kept_body_give(request_rec *r, const char *data,
                           apr_size_t len)
{
    kept_body *kb = apr_pcalloc(r->pool, sizeof(*kb));

    kb->data = apr_palloc(r->pool, len + 1);
    if (len)
        memcpy(kb->data, data, len);
    kb->data[len] = '\0';
    kb->len = len;
    kb->whole = 1;
    apr_pool_userdata_setn(kb, KEPT_BODY_NOTE, NULL, r->pool);
    ap_add_input_filter(STEPUP_KEPT_BODY_FILTER, kb, r, r->connection);
}

int stepup_request_txn(request_rec *r, apr_size_t max,
                       char txn[STEPUP_TXN_LEN + 1])
{
    const char *body;
    apr_size_t len;

    if (stepup_kept_body(r, max, &body, &len) != 0)
        return -1;
    return stepup_txn_compute(r->method, stepup_request_target(r),
                              apr_table_get(r->headers_in, "Content-Type"),
                              body, len, NULL, txn);
}
