/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * What the attestation statement formats share, below them and below the
 * dispatcher (attestation.c), so that no format calls back into the file
 * that calls it: the data most formats sign, the reader of the
 * alg/sig/x5c members (packed, android-key) and the trust step of every
 * x5c format.
 */
#include <string.h>

#include <apr_strings.h>
#include <cbor.h>
#include <openssl/x509.h>

#include "webauthn_internal.h"

static int fields_entry(apr_pool_t *p, const cbor_item_t *key,
                        const cbor_item_t *val, void *arg, const char **why)
{
    stepup_att_fields *f = arg;
    const cbor_item_t **slot;
    const char *name;

    if (stepup_cbor_text_is(key, "alg")) {
        slot = &f->alg;
        name = "alg";
    }
    else if (stepup_cbor_text_is(key, "sig")) {
        slot = &f->sig;
        name = "sig";
    }
    else if (stepup_cbor_text_is(key, "x5c")) {
        slot = &f->x5c;
        name = "x5c";
    }
    else if (f->refused_key && stepup_cbor_text_is(key, f->refused_key))
        return stepup_wa_fail(why, f->refused_why);
    else if (cbor_isa_string(key))
        return 0;
    else
        return stepup_wa_fail(why, apr_pstrcat(p, f->what, ": a key is not "
                                               "a text string", NULL));
    if (*slot)
        return stepup_wa_fail(why, apr_psprintf(p, "%s: \"%s\" given twice",
                                                f->what, name));
    *slot = val;
    return 0;
}

int stepup_att_fields_read(apr_pool_t *p, const cbor_item_t *att_stmt,
                           stepup_att_fields *f, const char **why)
{
    f->alg = f->sig = f->x5c = NULL;
    return stepup_cbor_map_walk(p, att_stmt, f->what, fields_entry, f, why);
}

unsigned char *stepup_att_signed_data(apr_pool_t *p,
                                      const stepup_attestation_ctx *ctx,
                                      size_t *len)
{
    unsigned char *buf = apr_palloc(p, ctx->att->auth_data_len + 32);

    memcpy(buf, ctx->att->auth_data, ctx->att->auth_data_len);
    memcpy(buf + ctx->att->auth_data_len, ctx->client_data_hash, 32);
    *len = ctx->att->auth_data_len + 32;
    return buf;
}

/* A verified statement whose chain reaches no configured root (or with
 * no roots at all) is still a passkey: it proves nothing about the model,
 * which the caller decides on, so it is accepted untrusted with the
 * reason, never refused for that alone. */
int stepup_att_chain(apr_pool_t *p, stepup_attestation_ctx *ctx, X509 *leaf,
                     STACK_OF(X509) *rest, const char **why)
{
    const char *reason = NULL;

    (void)why;
    ctx->trusted = 0;
    if (!ctx->roots) {
        ctx->untrusted_why = "no attestation roots are configured";
        return 0;
    }
    if (stepup_trust_verify_at(p, ctx->roots, leaf, rest, ctx->verify_time,
                               &reason) != 0) {
        ctx->untrusted_why = apr_pstrcat(p, ctx->att->fmt, " attestation: ",
                                         reason ? reason : "untrusted", NULL);
        return 0;
    }
    ctx->trusted = 1;
    return 0;
}

