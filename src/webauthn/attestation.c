/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The attestation object (WebAuthn L3 6.5) and the attestation statement
 * format dispatch (7.1 steps 12 and 21-22); the "none" format (8.7).
 * packed.c, fido_u2f.c, tpm.c, android_key.c, apple.c and safetynet.c
 * hold the other formats, x5c.c and trust.c the certificates; what the
 * formats share is in statement.c, below them.
 */
#include <string.h>

#include <apr_strings.h>
#include <cbor.h>
#include <openssl/x509.h>

#include "webauthn_internal.h"

#define FMT_MAX 32

typedef struct {
    const cbor_item_t *fmt, *stmt, *auth_data;
} att_fields;

static int att_entry(apr_pool_t *p, const cbor_item_t *key,
                     const cbor_item_t *val, void *arg, const char **why)
{
    att_fields *f = arg;
    const cbor_item_t **slot;
    const char *name;

    if (stepup_cbor_text_is(key, "fmt")) {
        slot = &f->fmt;
        name = "fmt";
    }
    else if (stepup_cbor_text_is(key, "attStmt")) {
        slot = &f->stmt;
        name = "attStmt";
    }
    else if (stepup_cbor_text_is(key, "authData")) {
        slot = &f->auth_data;
        name = "authData";
    }
    else if (cbor_isa_string(key))
        return 0;   /* not part of a WebAuthn attestation object: ignored */
    else
        return stepup_wa_fail(why, "attestationObject: a key is not a text "
                              "string");
    if (*slot)
        return stepup_wa_fail(why, apr_psprintf(p, "attestationObject: "
                                                "\"%s\" given twice", name));
    *slot = val;
    return 0;
}

int stepup_attestation_parse(apr_pool_t *p, const unsigned char *buf,
                             size_t len, stepup_attestation *out,
                             const char **why)
{
    cbor_item_t *root;
    att_fields f;
    const char *fmt;
    size_t i, fmtlen;

    memset(out, 0, sizeof(*out));
    memset(&f, 0, sizeof(f));
    /* root stays alive with the pool: out->att_stmt points into it */
    if (stepup_cbor_load(p, buf, len, 1, "attestationObject", &root, NULL,
                         why) != 0
        || stepup_cbor_map_walk(p, root, "attestationObject", att_entry, &f,
                                why) != 0)
        return -1;
    if (!f.fmt)
        return stepup_wa_fail(why, "attestationObject has no \"fmt\"");
    if (!f.stmt)
        return stepup_wa_fail(why, "attestationObject has no \"attStmt\"");
    if (!f.auth_data)
        return stepup_wa_fail(why, "attestationObject has no \"authData\"");
    if (stepup_cbor_text(f.fmt, &fmt, &fmtlen) != 0)
        return stepup_wa_fail(why, "attestationObject: \"fmt\" is not a "
                              "text string");
    if (fmtlen == 0 || fmtlen > FMT_MAX)
        return stepup_wa_fail(why, "attestationObject: \"fmt\" is empty or "
                              "longer than 32 characters");
    for (i = 0; i < fmtlen; i++) {
        if ((unsigned char)fmt[i] < 0x21 || (unsigned char)fmt[i] > 0x7e)
            return stepup_wa_fail(why, "attestationObject: \"fmt\" is not "
                                  "printable ASCII");
    }
    if (!cbor_isa_map(f.stmt))
        return stepup_wa_fail(why, "attestationObject: \"attStmt\" is not a "
                              "map");
    if (stepup_cbor_bytes(f.auth_data, &out->auth_data,
                          &out->auth_data_len) != 0)
        return stepup_wa_fail(why, "attestationObject: \"authData\" is not a "
                              "byte string");
    out->fmt = apr_pstrmemdup(p, fmt, fmtlen);
    out->att_stmt = f.stmt;
    return 0;
}

int stepup_att_none(apr_pool_t *p, stepup_attestation_ctx *ctx,
                    const char **why)
{
    (void)p;
    if (cbor_map_size(ctx->att->att_stmt) != 0)
        return stepup_wa_fail(why, "attestation \"none\" with a non-empty "
                              "attStmt");
    ctx->type = "none";
    ctx->trusted = 0;
    ctx->untrusted_why = "an attestation of format none proves nothing "
                         "about the authenticator";
    return 0;
}

int stepup_attestation_verify(apr_pool_t *p, stepup_attestation_ctx *ctx,
                              const char **why)
{
    static const struct {
        const char *fmt;
        int (*verify)(apr_pool_t *, stepup_attestation_ctx *, const char **);
    } formats[] = {
        { "none", stepup_att_none },
        { "packed", stepup_att_packed },
        { "fido-u2f", stepup_att_fido_u2f },
        { "tpm", stepup_att_tpm },
        { "android-key", stepup_att_android_key },
        { "apple", stepup_att_apple },
        { "android-safetynet", stepup_att_android_safetynet },
    };
    const char *fmt = ctx->att->fmt;
    size_t i;

    ctx->trusted = 0;
    ctx->type = NULL;
    ctx->untrusted_why = NULL;
    ctx->key_security = STEPUP_KEY_SECURITY_UNKNOWN;
    if (!ctx->ad->aaguid || !ctx->cred)
        return stepup_wa_fail(why, "attestation: authenticatorData has no "
                              "attested credential data");
    for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        if (!strcmp(fmt, formats[i].fmt))
            return formats[i].verify(p, ctx, why);
    }
    if (!strcmp(fmt, "compound"))
        return stepup_wa_fail(why, "attestation format \"compound\" is not "
                              "supported");
    return stepup_wa_fail(why, apr_psprintf(p, "unknown attestation format "
                                            "\"%s\"", fmt));
}
