/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The "android-safetynet" attestation statement format (WebAuthn L3 8.5):
 *   attStmt = { ver: text, response: bytes }
 * response is a JWS (compact serialization, RFC 7515) that Google's
 * SafetyNet Attestation API returned to the device: its header carries
 * the signing chain (x5c, standard base64 DER) and alg, its payload a
 * JSON object whose nonce is base64(SHA-256(authenticatorData ||
 * clientDataHash)).
 *
 * Google shut the SafetyNet Attestation API down (January 2025), so no
 * device obtains a new response; a response recorded before then still
 * verifies against the certificates of its day, which is what a recorded
 * ceremony checked at its instant (stepupctl --now) needs, and what an
 * old client that still sends one gets judged by: the chain's dates, the
 * signature, the nonce, ctsProfileMatch (a device that failed Android's
 * compatibility test is refused), and timestampMs within a minute of the
 * verification time. The leaf must be issued to attest.android.com.
 */
#include <string.h>

#include <apr_strings.h>
#include <apr_time.h>
#include <cbor.h>
#include <jansson.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "stepup_b64url.h"
#include "webauthn_internal.h"

#define JWS_MAX        (64 * 1024)
#define CERT_DER_MAX   65536
#define SAFETYNET_HOST "attest.android.com"
/* how far timestampMs may be from the verification time: the response is
 * fetched at the end of the ceremony, and clocks drift */
#define TIMESTAMP_SKEW_MS 60000

static apr_status_t json_cleanup(void *data)
{
    json_decref(data);
    return APR_SUCCESS;
}

/* One JSON object from base64url part[0..len), tied to the pool. */
static json_t *jws_json(apr_pool_t *p, const char *part, size_t len,
                        const char *what, const char **why)
{
    unsigned char *raw;
    size_t rawlen;
    json_error_t jerr;
    json_t *j;

    if (stepup_b64url_decode(p, part, len, &raw, &rawlen) != 0) {
        stepup_wa_fail(why, apr_psprintf(p, "the JWS %s is not base64url",
                                         what));
        return NULL;
    }
    if (!(j = json_loadb((const char *)raw, rawlen, JSON_REJECT_DUPLICATES,
                         &jerr))) {
        stepup_wa_fail(why, apr_psprintf(p, "the JWS %s is not JSON", what));
        return NULL;
    }
    apr_pool_cleanup_register(p, j, json_cleanup, apr_pool_cleanup_null);
    if (!json_is_object(j)) {
        stepup_wa_fail(why, apr_psprintf(p, "the JWS %s is not a JSON "
                                         "object", what));
        return NULL;
    }
    return j;
}

/* A DER certificate from standard base64 (RFC 7515 4.1.6), exactly one. */
static X509 *b64_cert(apr_pool_t *p, const char *s)
{
    size_t len = strlen(s), pad = 0;
    unsigned char *der;
    int n;

    if (len == 0 || len % 4 != 0 || len / 4 * 3 > CERT_DER_MAX)
        return NULL;
    if (s[len - 1] == '=')
        pad = s[len - 2] == '=' ? 2 : 1;
    der = apr_palloc(p, len / 4 * 3 + 1);
    /* EVP_DecodeBlock refuses characters outside the alphabet and counts
     * the padding as zero bytes */
    if ((n = EVP_DecodeBlock(der, (const unsigned char *)s, (int)len)) < 0
        || (size_t)n != len / 4 * 3)
        return NULL;
    return stepup_x5c_der_cert(der, (size_t)n - pad);
}

/* The header: alg RS256 and the x5c chain (leaf first). */
static int jws_header(apr_pool_t *p, json_t *h, X509 **leaf,
                      STACK_OF(X509) **rest, const char **why)
{
    json_t *alg = json_object_get(h, "alg"), *x5c = json_object_get(h, "x5c");
    STACK_OF(X509) *sk;
    size_t i, n;

    if (!json_is_string(alg) || strcmp(json_string_value(alg), "RS256"))
        return stepup_wa_fail(why, "the JWS alg is not RS256");
    n = json_is_array(x5c) ? json_array_size(x5c) : 0;
    if (n == 0 || n > STEPUP_WEBAUTHN_X5C_MAX)
        return stepup_wa_fail(why, apr_psprintf(p, "the JWS x5c is not an "
                                                "array of 1 to %d "
                                                "certificates",
                                                STEPUP_WEBAUTHN_X5C_MAX));
    *leaf = NULL;
    if (!(sk = stepup_x5c_stack(p)))
        return stepup_wa_fail(why, "out of memory (OpenSSL)");
    for (i = 0; i < n; i++) {
        json_t *c = json_array_get(x5c, i);
        X509 *x = json_is_string(c) ? b64_cert(p, json_string_value(c))
            : NULL;

        if (!x) {
            ERR_clear_error();
            return stepup_wa_fail(why, apr_psprintf(p, "the JWS x5c[%"
                                                    APR_SIZE_T_FMT "] is not "
                                                    "one base64 DER "
                                                    "certificate", i));
        }
        if (stepup_x5c_chain_add(p, x, leaf, sk, why) != 0)
            return -1;
    }
    *rest = sk;
    return 0;
}

/* The payload: nonce, ctsProfileMatch, timestampMs. */
static int jws_payload(apr_pool_t *p, const stepup_attestation_ctx *ctx,
                       json_t *pl, const char **why)
{
    json_t *nonce = json_object_get(pl, "nonce");
    json_t *cts = json_object_get(pl, "ctsProfileMatch");
    json_t *ts = json_object_get(pl, "timestampMs");
    unsigned char hash[32], want[45];
    const unsigned char *data;
    size_t datalen;
    json_int_t now_ms, t;

    data = stepup_att_signed_data(p, ctx, &datalen);
    if (stepup_sha256(data, datalen, hash) != 0)
        return stepup_wa_fail(why, "SHA-256 failed (OpenSSL)");
    EVP_EncodeBlock(want, hash, 32);
    if (!json_is_string(nonce) || strcmp(json_string_value(nonce),
                                         (const char *)want))
        return stepup_wa_fail(why, "the response nonce is not "
                              "base64(SHA-256(authenticatorData || "
                              "clientDataHash))");
    if (!json_is_true(cts))
        return stepup_wa_fail(why, "ctsProfileMatch is not true (the device "
                              "failed Android's compatibility test)");
    if (!json_is_integer(ts))
        return stepup_wa_fail(why, "timestampMs is missing or not an "
                              "integer");
    t = json_integer_value(ts);
    now_ms = ctx->verify_time > 0 ? (json_int_t)ctx->verify_time * 1000
        : (json_int_t)(apr_time_now() / 1000);
    if (t > now_ms + TIMESTAMP_SKEW_MS)
        return stepup_wa_fail(why, "timestampMs is in the future");
    if (t < now_ms - TIMESTAMP_SKEW_MS)
        return stepup_wa_fail(why, "timestampMs is more than a minute old");
    return 0;
}

typedef struct {
    const cbor_item_t *ver, *response;
} safetynet_fields;

static int safetynet_entry(apr_pool_t *p, const cbor_item_t *key,
                           const cbor_item_t *val, void *arg,
                           const char **why)
{
    safetynet_fields *f = arg;
    const cbor_item_t **slot;

    (void)p;
    if (stepup_cbor_text_is(key, "ver"))
        slot = &f->ver;
    else if (stepup_cbor_text_is(key, "response"))
        slot = &f->response;
    else if (cbor_isa_string(key))
        return 0;
    else
        return stepup_wa_fail(why, "android-safetynet attStmt: a key is not "
                              "a text string");
    if (*slot)
        return stepup_wa_fail(why, "android-safetynet attStmt: a key is "
                              "given twice");
    *slot = val;
    return 0;
}

int stepup_att_android_safetynet(apr_pool_t *p, stepup_attestation_ctx *ctx,
                                 const char **why)
{
    const unsigned char *resp;
    const char *ver, *jws, *dot1, *dot2;
    unsigned char *sig;
    size_t verlen, len, siglen;
    STACK_OF(X509) *rest = NULL;
    safetynet_fields f;
    json_t *header, *payload;
    X509 *leaf = NULL;

    memset(&f, 0, sizeof(f));
    if (stepup_cbor_map_walk(p, ctx->att->att_stmt,
                             "android-safetynet attStmt", safetynet_entry,
                             &f, why) != 0)
        return -1;
    if (!f.ver || stepup_cbor_text(f.ver, &ver, &verlen) != 0 || verlen == 0)
        return stepup_wa_fail(why, "android-safetynet attStmt: \"ver\" is "
                              "missing, empty or not a text string");
    if (!f.response || stepup_cbor_bytes(f.response, &resp, &len) != 0
        || len == 0 || len > JWS_MAX)
        return stepup_wa_fail(why, "android-safetynet attStmt: \"response\" "
                              "is missing, not a byte string, or empty or "
                              "over 64 KiB");
    jws = apr_pstrmemdup(p, (const char *)resp, len);
    if (strlen(jws) != len || !(dot1 = strchr(jws, '.'))
        || !(dot2 = strchr(dot1 + 1, '.')) || strchr(dot2 + 1, '.'))
        return stepup_wa_fail(why, "android-safetynet attestation: the "
                              "response is not a compact JWS");
    if (!(header = jws_json(p, jws, (size_t)(dot1 - jws), "header", why))
        || !(payload = jws_json(p, dot1 + 1, (size_t)(dot2 - dot1 - 1),
                                "payload", why))
        || jws_header(p, header, &leaf, &rest, why) != 0)
        return stepup_wa_prefix(p, why, "android-safetynet attestation: ");
    if (X509_check_host(leaf, SAFETYNET_HOST, strlen(SAFETYNET_HOST), 0,
                        NULL) != 1) {
        ERR_clear_error();
        return stepup_wa_fail(why, "android-safetynet attestation: the JWS "
                              "certificate is not issued to "
                              SAFETYNET_HOST);
    }
    if (stepup_b64url_decode(p, dot2 + 1, strlen(dot2 + 1), &sig,
                             &siglen) != 0)
        return stepup_wa_fail(why, "android-safetynet attestation: the JWS "
                              "signature is not base64url");
    if (stepup_x5c_key_fits(p, stepup_x5c_pubkey(leaf), STEPUP_COSE_RS256,
                            why) != 0
        || stepup_sig_verify(stepup_x5c_pubkey(leaf), STEPUP_COSE_RS256,
                             (const unsigned char *)jws,
                             (size_t)(dot2 - jws), sig, siglen, why) != 0
        || stepup_att_chain(p, ctx, leaf, rest, why) != 0
        || jws_payload(p, ctx, payload, why) != 0)
        return stepup_wa_prefix(p, why, "android-safetynet attestation: ");
    ctx->type = "basic";
    return 0;
}
