/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The "android-key" attestation statement format (WebAuthn L3 8.4), what
 * Android's hardware-backed keystore sends:
 *   attStmt = { alg: int, sig: bytes, x5c: [ credCert, ca* ] }
 * sig covers authenticatorData || clientDataHash with the key of x5c[0],
 * which is the credential public key itself; the certificate's key
 * description extension (1.3.6.1.4.1.11129.2.1.17, Android's "Key and ID
 * attestation" schema) says what the keystore knows of the key.
 *
 * The key description is decoded with OpenSSL's ASN.1 templates. Its two
 * authorization lists are SEQUENCEs of optional, explicitly tagged fields
 * in tag order; the template names every tag the schema has defined up to
 * KeyMint 4 (Android 16), each as ASN1_ANY except the three WebAuthn reads
 * (purpose, allApplications, origin), so the lists of older and newer
 * keystores decode alike; a tag the schema does not know is refused.
 */
#include <string.h>

#include <apr_strings.h>
#include <cbor.h>
#include <openssl/asn1.h>
#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "webauthn_internal.h"

#define OID_ANDROID_KEY_DESCRIPTION "1.3.6.1.4.1.11129.2.1.17"

#define KM_ORIGIN_GENERATED 0
#define KM_PURPOSE_SIGN     2

/* ------------------------------------------------------------------ */
/* The key description (ASN.1 templates)                               */

typedef struct {
    STACK_OF(ASN1_INTEGER) *purpose;             /* [1] */
    ASN1_TYPE *algorithm, *key_size, *block_mode, *digest, *padding,
        *caller_nonce, *min_mac_length, *ec_curve, *rsa_public_exponent,
        *mgf_digest, *rollback_resistance, *early_boot_only,
        *active_date_time, *origination_expire_date_time,
        *usage_expire_date_time, *usage_count_limit, *no_auth_required,
        *user_auth_type, *auth_timeout, *allow_while_on_body,
        *trusted_user_presence_required, *trusted_confirmation_required,
        *unlocked_device_required;
    ASN1_NULL *all_applications;                 /* [600] */
    ASN1_TYPE *application_id, *creation_date_time;
    ASN1_INTEGER *origin;                        /* [702] */
    ASN1_TYPE *rollback_resistant, *root_of_trust, *os_version,
        *os_patch_level, *attestation_application_id, *id_brand, *id_device,
        *id_product, *id_serial, *id_imei, *id_meid, *id_manufacturer,
        *id_model, *vendor_patch_level, *boot_patch_level,
        *device_unique_attestation, *id_second_imei, *module_hash;
} AUTHORIZATION_LIST;

ASN1_SEQUENCE(AUTHORIZATION_LIST) = {
    ASN1_EXP_SET_OF_OPT(AUTHORIZATION_LIST, purpose, ASN1_INTEGER, 1),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, algorithm, ASN1_ANY, 2),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, key_size, ASN1_ANY, 3),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, block_mode, ASN1_ANY, 4),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, digest, ASN1_ANY, 5),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, padding, ASN1_ANY, 6),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, caller_nonce, ASN1_ANY, 7),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, min_mac_length, ASN1_ANY, 8),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, ec_curve, ASN1_ANY, 10),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, rsa_public_exponent, ASN1_ANY, 200),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, mgf_digest, ASN1_ANY, 203),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, rollback_resistance, ASN1_ANY, 303),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, early_boot_only, ASN1_ANY, 305),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, active_date_time, ASN1_ANY, 400),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, origination_expire_date_time, ASN1_ANY,
                 401),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, usage_expire_date_time, ASN1_ANY, 402),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, usage_count_limit, ASN1_ANY, 405),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, no_auth_required, ASN1_ANY, 503),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, user_auth_type, ASN1_ANY, 504),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, auth_timeout, ASN1_ANY, 505),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, allow_while_on_body, ASN1_ANY, 506),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, trusted_user_presence_required,
                 ASN1_ANY, 507),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, trusted_confirmation_required,
                 ASN1_ANY, 508),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, unlocked_device_required, ASN1_ANY,
                 509),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, all_applications, ASN1_NULL, 600),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, application_id, ASN1_ANY, 601),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, creation_date_time, ASN1_ANY, 701),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, origin, ASN1_INTEGER, 702),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, rollback_resistant, ASN1_ANY, 703),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, root_of_trust, ASN1_ANY, 704),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, os_version, ASN1_ANY, 705),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, os_patch_level, ASN1_ANY, 706),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, attestation_application_id, ASN1_ANY,
                 709),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, id_brand, ASN1_ANY, 710),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, id_device, ASN1_ANY, 711),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, id_product, ASN1_ANY, 712),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, id_serial, ASN1_ANY, 713),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, id_imei, ASN1_ANY, 714),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, id_meid, ASN1_ANY, 715),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, id_manufacturer, ASN1_ANY, 716),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, id_model, ASN1_ANY, 717),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, vendor_patch_level, ASN1_ANY, 718),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, boot_patch_level, ASN1_ANY, 719),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, device_unique_attestation, ASN1_ANY,
                 720),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, id_second_imei, ASN1_ANY, 723),
    ASN1_EXP_OPT(AUTHORIZATION_LIST, module_hash, ASN1_ANY, 724),
} static_ASN1_SEQUENCE_END(AUTHORIZATION_LIST)

typedef struct {
    ASN1_INTEGER *attestation_version;
    ASN1_ENUMERATED *attestation_security_level;
    ASN1_INTEGER *keymaster_version;
    ASN1_ENUMERATED *keymaster_security_level;
    ASN1_OCTET_STRING *attestation_challenge;
    ASN1_OCTET_STRING *unique_id;
    AUTHORIZATION_LIST *software_enforced;
    AUTHORIZATION_LIST *tee_enforced;
} KEY_DESCRIPTION;

ASN1_SEQUENCE(KEY_DESCRIPTION) = {
    ASN1_SIMPLE(KEY_DESCRIPTION, attestation_version, ASN1_INTEGER),
    ASN1_SIMPLE(KEY_DESCRIPTION, attestation_security_level,
                ASN1_ENUMERATED),
    ASN1_SIMPLE(KEY_DESCRIPTION, keymaster_version, ASN1_INTEGER),
    ASN1_SIMPLE(KEY_DESCRIPTION, keymaster_security_level, ASN1_ENUMERATED),
    ASN1_SIMPLE(KEY_DESCRIPTION, attestation_challenge, ASN1_OCTET_STRING),
    ASN1_SIMPLE(KEY_DESCRIPTION, unique_id, ASN1_OCTET_STRING),
    ASN1_SIMPLE(KEY_DESCRIPTION, software_enforced, AUTHORIZATION_LIST),
    ASN1_SIMPLE(KEY_DESCRIPTION, tee_enforced, AUTHORIZATION_LIST),
} static_ASN1_SEQUENCE_END(KEY_DESCRIPTION)

/* origin of a list: its value, or -1 when absent or out of range. */
static int list_origin(const AUTHORIZATION_LIST *l)
{
    long v;

    if (!l->origin)
        return -1;
    v = ASN1_INTEGER_get(l->origin);
    return v >= 0 && v < 1000 ? (int)v : -1;
}

static int list_purpose_sign(const AUTHORIZATION_LIST *l)
{
    int i;

    for (i = 0; i < sk_ASN1_INTEGER_num(l->purpose); i++) {
        if (ASN1_INTEGER_get(sk_ASN1_INTEGER_value(l->purpose, i))
            == KM_PURPOSE_SIGN)
            return 1;
    }
    return 0;
}

int stepup_android_key_description_decode(apr_pool_t *p,
                                          const unsigned char *der,
                                          size_t len,
                                          stepup_android_key_description *out,
                                          const char **why)
{
    const unsigned char *q = der;
    KEY_DESCRIPTION *kd;
    long level;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    if (len == 0 || len > 65536)
        return stepup_wa_fail(why, "the key description is empty or too "
                              "long");
    kd = (KEY_DESCRIPTION *)ASN1_item_d2i(NULL, &q, (long)len,
                                          ASN1_ITEM_rptr(KEY_DESCRIPTION));
    if (!kd || q != der + len) {
        stepup_wa_fail(why, "the key description (1.3.6.1.4.1.11129.2.1.17)"
                       " is not a well-formed KeyDescription");
        goto done;
    }
    level = ASN1_ENUMERATED_get(kd->attestation_security_level);
    if (level < 0 || level > 2) {
        stepup_wa_fail(why, apr_psprintf(p, "the key description's "
                                         "attestationSecurityLevel %ld is "
                                         "not 0, 1 or 2", level));
        goto done;
    }
    out->attestation_security_level = level;
    out->challenge_len = (size_t)ASN1_STRING_length(kd->attestation_challenge);
    out->challenge = apr_pmemdup(p,
                                 ASN1_STRING_get0_data(kd->attestation_challenge),
                                 out->challenge_len + 1);
    out->all_applications = kd->software_enforced->all_applications != NULL
        || kd->tee_enforced->all_applications != NULL;
    out->sw_origin = list_origin(kd->software_enforced);
    out->tee_origin = list_origin(kd->tee_enforced);
    out->sw_purpose_sign = list_purpose_sign(kd->software_enforced);
    out->tee_purpose_sign = list_purpose_sign(kd->tee_enforced);
    rc = 0;
done:
    ASN1_item_free((ASN1_VALUE *)kd, ASN1_ITEM_rptr(KEY_DESCRIPTION));
    ERR_clear_error();
    return rc;
}

/* ------------------------------------------------------------------ */
/* The statement                                                       */

/* What the key description must say (8.4 step 4), and where the key
 * lives. WebAuthn lets a relying party read origin and purpose from the
 * union of both lists; a key counts as in a TEE or StrongBox only when
 * the hardware-enforced list itself says so. */
static int description_check(apr_pool_t *p, stepup_attestation_ctx *ctx,
                             const stepup_android_key_description *kd,
                             const char **why)
{
    int origin = kd->tee_origin >= 0 ? kd->tee_origin : kd->sw_origin;

    if (kd->challenge_len != 32
        || memcmp(kd->challenge, ctx->client_data_hash, 32) != 0)
        return stepup_wa_fail(why, "the key description's "
                              "attestationChallenge is not the "
                              "clientDataHash");
    if (kd->all_applications)
        return stepup_wa_fail(why, "the key description lists "
                              "allApplications (a key any app may use)");
    if (origin != KM_ORIGIN_GENERATED)
        return stepup_wa_fail(why, apr_psprintf(p, "the key description's "
                                                "origin is %d, not "
                                                "KM_ORIGIN_GENERATED (0)",
                                                origin));
    if (!kd->tee_purpose_sign && !kd->sw_purpose_sign)
        return stepup_wa_fail(why, "the key description's purpose lacks "
                              "KM_PURPOSE_SIGN (2)");
    if (kd->attestation_security_level > 0
        && kd->tee_origin == KM_ORIGIN_GENERATED && kd->tee_purpose_sign)
        ctx->key_security = kd->attestation_security_level == 2
            ? STEPUP_KEY_SECURITY_STRONGBOX : STEPUP_KEY_SECURITY_TEE;
    else
        ctx->key_security = STEPUP_KEY_SECURITY_SOFTWARE;
    return 0;
}

int stepup_att_android_key(apr_pool_t *p, stepup_attestation_ctx *ctx,
                           const char **why)
{
    const unsigned char *sig, *data, *ext;
    size_t siglen, datalen, extlen;
    stepup_android_key_description kd;
    STACK_OF(X509) *rest;
    stepup_att_fields f = {
        "android-key attStmt", NULL, NULL, NULL, NULL, NULL
    };
    int64_t alg;
    X509 *leaf;
    int rc;

    if (stepup_att_fields_read(p, ctx->att->att_stmt, &f, why) != 0)
        return -1;
    if (!f.alg || stepup_cbor_int(f.alg, &alg) != 0)
        return stepup_wa_fail(why, "android-key attStmt: \"alg\" is missing "
                              "or not an integer");
    if (alg < INT32_MIN || alg > INT32_MAX)
        return stepup_wa_fail(why, "android-key attStmt: \"alg\" is out of "
                              "range");
    if (!f.sig || stepup_cbor_bytes(f.sig, &sig, &siglen) != 0)
        return stepup_wa_fail(why, "android-key attStmt: \"sig\" is missing "
                              "or not a byte string");
    if (!f.x5c)
        return stepup_wa_fail(why, "android-key attStmt: \"x5c\" is "
                              "missing");
    data = stepup_att_signed_data(p, ctx, &datalen);
    if (stepup_x5c_parse(p, f.x5c, &leaf, &rest, why) != 0
        || stepup_x5c_key_fits(p, stepup_x5c_pubkey(leaf), (int)alg,
                               why) != 0
        || stepup_sig_verify(stepup_x5c_pubkey(leaf), (int)alg, data,
                             datalen, sig, siglen, why) != 0)
        return stepup_wa_prefix(p, why, "android-key attestation: ");
    /* the certificate certifies the credential key itself */
    if (!ctx->cred->pkey
        || EVP_PKEY_eq(ctx->cred->pkey, stepup_x5c_pubkey(leaf)) != 1) {
        ERR_clear_error();
        return stepup_wa_fail(why, "android-key attestation: the "
                              "certificate key is not the credential "
                              "public key");
    }
    rc = stepup_x5c_extension(p, leaf, OID_ANDROID_KEY_DESCRIPTION, &ext,
                              &extlen, NULL, why);
    if (rc > 0)
        return stepup_wa_fail(why, "android-key attestation: the "
                              "certificate has no key description "
                              "extension (1.3.6.1.4.1.11129.2.1.17)");
    if (rc < 0
        || stepup_android_key_description_decode(p, ext, extlen, &kd,
                                                 why) != 0
        || description_check(p, ctx, &kd, why) != 0
        || stepup_att_chain(p, ctx, leaf, rest, why) != 0)
        return stepup_wa_prefix(p, why, "android-key attestation: ");
    ctx->type = "basic";
    return 0;
}
