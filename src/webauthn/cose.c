/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * COSE_Key (RFC 9052 7, WebAuthn L3 5.8.5): the map is walked once
 * collecting kty (1), alg (3) and the type parameters -1, -2, -3, each at
 * most once; other labels (kid, key_ops, text labels) are ignored. The
 * algorithm decides the key type it needs; es256.c, rs256.c and eddsa.c
 * turn the parameters into an EVP_PKEY; sig.c checks the signatures.
 */
#include <string.h>

#include <apr_strings.h>
#include <cbor.h>

#include "webauthn_internal.h"

#define COSE_KTY_OKP 1
#define COSE_KTY_EC2 2
#define COSE_KTY_RSA 3

typedef struct {
    int64_t kty, alg;
    int have_kty, have_alg;
    const cbor_item_t *m1, *m2, *m3;   /* labels -1, -2, -3 */
} cose_params;

static int cose_entry(apr_pool_t *p, const cbor_item_t *key,
                      const cbor_item_t *val, void *arg, const char **why)
{
    cose_params *cp = arg;
    const cbor_item_t **slot = NULL;
    int64_t label;

    if (stepup_cbor_int(key, &label) != 0) {
        if (cbor_isa_string(key))
            return 0;   /* a text label: nothing WebAuthn uses */
        return stepup_wa_fail(why, "COSE key: a label is neither an integer "
                              "nor a text string");
    }
    switch (label) {
    case 1:
        if (cp->have_kty)
            return stepup_wa_fail(why, "COSE key: kty (1) given twice");
        if (stepup_cbor_int(val, &cp->kty) != 0)
            return stepup_wa_fail(why, "COSE key: kty (1) is not an integer");
        cp->have_kty = 1;
        return 0;
    case 3:
        if (cp->have_alg)
            return stepup_wa_fail(why, "COSE key: alg (3) given twice");
        if (stepup_cbor_int(val, &cp->alg) != 0)
            return stepup_wa_fail(why, "COSE key: alg (3) is not an integer");
        cp->have_alg = 1;
        return 0;
    case -1: slot = &cp->m1; break;
    case -2: slot = &cp->m2; break;
    case -3: slot = &cp->m3; break;
    default:
        return 0;
    }
    if (*slot)
        return stepup_wa_fail(why, apr_psprintf(p, "COSE key: label %"
                                                APR_INT64_T_FMT " given twice",
                                                (apr_int64_t)label));
    *slot = val;
    return 0;
}

static const char *kty_name(int64_t kty)
{
    switch (kty) {
    case COSE_KTY_OKP: return "OKP";
    case COSE_KTY_EC2: return "EC2";
    case COSE_KTY_RSA: return "RSA";
    case 4: return "Symmetric";
    case 5: return "HSS-LMS";
    case 6: return "WalnutDSA";
    }
    return "unknown";
}

static const char *alg_label(int64_t alg)
{
    switch (alg) {
    case -7: return "ES256";
    case -8: return "EdDSA";
    case -9: return "ESP256";
    case -19: return "Ed25519";
    case -35: return "ES384";
    case -36: return "ES512";
    case -37: return "PS256";
    case -38: return "PS384";
    case -39: return "PS512";
    case -47: return "ES256K";
    case -257: return "RS256";
    case -258: return "RS384";
    case -259: return "RS512";
    case -65535: return "RS1";
    }
    return "unknown";
}

/* The key type the algorithm needs, and that it is the one given. */
static int check_kty(apr_pool_t *p, const cose_params *cp, const char **why)
{
    int64_t need;

    if (!cp->have_kty)
        return stepup_wa_fail(why, "COSE key has no kty (1)");
    if (!cp->have_alg)
        return stepup_wa_fail(why, "COSE key has no alg (3)");
    if (cp->kty != COSE_KTY_OKP && cp->kty != COSE_KTY_EC2
        && cp->kty != COSE_KTY_RSA)
        return stepup_wa_fail(why, apr_psprintf(p, "COSE kty %"
                                                APR_INT64_T_FMT " (%s) is "
                                                "not supported: OKP (1), "
                                                "EC2 (2) or RSA (3) only",
                                                (apr_int64_t)cp->kty,
                                                kty_name(cp->kty)));
    switch (cp->alg) {
    case STEPUP_COSE_ES256: need = COSE_KTY_EC2; break;
    case STEPUP_COSE_RS256: need = COSE_KTY_RSA; break;
    case STEPUP_COSE_EDDSA: need = COSE_KTY_OKP; break;
    default:
        return stepup_wa_fail(why, apr_psprintf(p, "COSE alg %"
                                                APR_INT64_T_FMT " (%s) is "
                                                "not supported: ES256 (-7),"
                                                " RS256 (-257) or EdDSA (-8)"
                                                " only", (apr_int64_t)cp->alg,
                                                alg_label(cp->alg)));
    }
    if (cp->kty != need)
        return stepup_wa_fail(why, apr_psprintf(p, "COSE alg %"
                                                APR_INT64_T_FMT " (%s) needs "
                                                "kty %" APR_INT64_T_FMT
                                                " (%s), not %" APR_INT64_T_FMT
                                                " (%s)", (apr_int64_t)cp->alg,
                                                alg_label(cp->alg),
                                                (apr_int64_t)need,
                                                kty_name(need),
                                                (apr_int64_t)cp->kty,
                                                kty_name(cp->kty)));
    return 0;
}

/* The parameters handed to the key type's file. */
static int import_key(apr_pool_t *p, const cose_params *cp, int check,
                      stepup_cose_key *key, const char **why)
{
    key->alg = (int)cp->alg;
    key->kty = (int)cp->kty;
    switch (key->alg) {
    case STEPUP_COSE_ES256:
        return stepup_es256_from_cose(p, cp->m1, cp->m2, cp->m3, check, key,
                                      why);
    case STEPUP_COSE_RS256:
        return stepup_rs256_from_cose(p, cp->m1, cp->m2, key, why);
    default:
        return stepup_eddsa_from_cose(p, cp->m1, cp->m2, key, why);
    }
}

int stepup_cose_key_decode(apr_pool_t *p, const unsigned char *buf,
                           size_t len, int check, stepup_cose_key **out,
                           const char **why)
{
    stepup_cose_key *key;
    cbor_item_t *item;
    cose_params cp;
    int rc;

    *out = NULL;
    if (stepup_cbor_load(p, buf, len, 1, "COSE key", &item, NULL, why) != 0)
        return -1;
    memset(&cp, 0, sizeof(cp));
    rc = stepup_cbor_map_walk(p, item, "COSE key", cose_entry, &cp, why);
    if (rc == 0)
        rc = check_kty(p, &cp, why);
    if (rc == 0) {
        key = apr_pcalloc(p, sizeof(*key));
        rc = import_key(p, &cp, check, key, why);
        if (rc == 0)
            *out = key;
    }
    stepup_cbor_release(p, item);
    return rc;
}

int stepup_cose_verify(const stepup_cose_key *key, const unsigned char *msg,
                       size_t msglen, const unsigned char *sig,
                       size_t siglen, const char **why)
{
    if (key->pkey)
        return stepup_sig_verify(key->pkey, key->alg, msg, msglen, sig,
                                 siglen, why);
    if (key->alg == STEPUP_COSE_ES256)
        return stepup_es256_verify_point(key->point, msg, msglen, sig, siglen,
                                         why);
    return stepup_wa_fail(why, "the key was not imported");
}
