/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * ES256 assertion verifications per second through the WebAuthn core,
 * against the physical floor measured in the same run: a bare OpenSSL
 * P-256 EVP_DigestVerify over the same bytes (authenticatorData ||
 * SHA-256(clientDataJSON)) with the key prepared once.
 *
 *   webauthn_cost [SECONDS_PER_ROUND [ROUNDS]]   rates, alternating rounds
 *   webauthn_cost count core|raw N              N verifications (callgrind)
 *
 * core: stepup_webauthn_verify_authentication as the handler calls it,
 *       from the decoded response: clientDataJSON parsed and checked,
 *       authenticatorData parsed and checked, the stored COSE key decoded
 *       and imported, the signature verified, the counter compared, in a
 *       pool cleared after each call (as a request pool is).
 * raw:  SHA-256(clientDataJSON), EVP_DigestVerifyInit, EVP_DigestVerify.
 * Rates are per CPU second of this thread (the machine may be shared);
 * each round runs both, the median of the rounds is printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <cbor.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "stepup_b64url.h"
#include "stepup_webauthn.h"

#define RP_ID   "example.com"
#define ORIGIN  "https://example.com"

typedef struct {
    apr_pool_t *pool, *req;
    EVP_PKEY *pkey;
    unsigned char *cose;
    size_t cose_len;
    unsigned char auth_data[37];
    const char *client_data;
    unsigned char sig[80];
    size_t sig_len;
    unsigned char challenge[32];
    const char *origins[1];
    stepup_webauthn_policy pol;
    stepup_webauthn_response resp;
    unsigned char msg[37 + 32];     /* raw: authData || hash */
} bench;

static void die(const char *what)
{
    fprintf(stderr, "webauthn_cost: %s\n", what);
    exit(1);
}

static double cpu_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void setup(bench *b)
{
    unsigned char point[65], *buf = NULL, hash[32];
    size_t plen = 0, size = 0, n;
    unsigned int hl = 0;
    cbor_item_t *map;
    EVP_MD_CTX *ctx;
    int i;

    if (apr_pool_create(&b->pool, NULL) != APR_SUCCESS
        || apr_pool_create(&b->req, b->pool) != APR_SUCCESS)
        die("apr_pool_create");
    if (!(b->pkey = EVP_EC_gen("P-256"))
        || EVP_PKEY_get_octet_string_param(b->pkey, OSSL_PKEY_PARAM_PUB_KEY,
                                           point, sizeof(point), &plen) != 1
        || plen != 65)
        die("P-256 key");

    /* the stored COSE_Key, canonical CTAP2 order */
    map = cbor_new_definite_map(5);
    cbor_map_add(map, (struct cbor_pair){ cbor_move(cbor_build_uint8(1)),
                                          cbor_move(cbor_build_uint8(2)) });
    cbor_map_add(map, (struct cbor_pair){ cbor_move(cbor_build_uint8(3)),
                                          cbor_move(cbor_build_negint8(6)) });
    cbor_map_add(map, (struct cbor_pair){ cbor_move(cbor_build_negint8(0)),
                                          cbor_move(cbor_build_uint8(1)) });
    cbor_map_add(map, (struct cbor_pair){
            cbor_move(cbor_build_negint8(1)),
            cbor_move(cbor_build_bytestring(point + 1, 32)) });
    cbor_map_add(map, (struct cbor_pair){
            cbor_move(cbor_build_negint8(2)),
            cbor_move(cbor_build_bytestring(point + 33, 32)) });
    n = cbor_serialize_alloc(map, &buf, &size);
    cbor_decref(&map);
    if (!n)
        die("COSE key");
    b->cose = apr_pmemdup(b->pool, buf, n);
    b->cose_len = n;
    free(buf);

    /* what a browser sends */
    for (i = 0; i < 32; i++)
        b->challenge[i] = (unsigned char)(i * 37 + 11);
    b->client_data = apr_psprintf(
        b->pool, "{\"type\":\"webauthn.get\",\"challenge\":\"%s\","
        "\"origin\":\"%s\",\"crossOrigin\":false}",
        stepup_b64url_encode(b->pool, b->challenge, 32), ORIGIN);
    if (EVP_Digest(RP_ID, strlen(RP_ID), b->auth_data, &hl, EVP_sha256(),
                   NULL) != 1)
        die("SHA-256");
    b->auth_data[32] = 0x05;                    /* UP | UV */
    b->auth_data[33] = 0;
    b->auth_data[34] = 0;
    b->auth_data[35] = 0x01;
    b->auth_data[36] = 0x00;                    /* signCount 256 */
    if (EVP_Digest(b->client_data, strlen(b->client_data), hash, &hl,
                   EVP_sha256(), NULL) != 1)
        die("SHA-256");
    memcpy(b->msg, b->auth_data, 37);
    memcpy(b->msg + 37, hash, 32);
    b->sig_len = sizeof(b->sig);
    if (!(ctx = EVP_MD_CTX_new())
        || EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, b->pkey) != 1
        || EVP_DigestSign(ctx, b->sig, &b->sig_len, b->msg, sizeof(b->msg))
        != 1)
        die("sign");
    EVP_MD_CTX_free(ctx);

    memset(&b->pol, 0, sizeof(b->pol));
    b->origins[0] = ORIGIN;
    b->pol.rp_id = RP_ID;
    b->pol.origins = b->origins;
    b->pol.norigins = 1;
    b->pol.challenge = b->challenge;
    b->pol.challenge_len = 32;
    b->pol.require_uv = 1;
    memset(&b->resp, 0, sizeof(b->resp));
    b->resp.client_data_json = (const unsigned char *)b->client_data;
    b->resp.client_data_len = strlen(b->client_data);
    b->resp.authenticator_data = b->auth_data;
    b->resp.authenticator_data_len = 37;
    b->resp.signature = b->sig;
    b->resp.signature_len = b->sig_len;
}

static void one_core(bench *b)
{
    stepup_webauthn_assertion out;
    const char *why = NULL;

    if (stepup_webauthn_verify_authentication(b->req, &b->pol, b->cose,
                                              b->cose_len, 255, &b->resp,
                                              &out, &why) != 0
        || out.sign_count != 256)
        die(why ? why : "core refused the assertion");
    apr_pool_clear(b->req);
}

static void one_raw(bench *b)
{
    unsigned int hl = 0;
    EVP_MD_CTX *ctx;
    int ok;

    if (EVP_Digest(b->client_data, b->resp.client_data_len, b->msg + 37, &hl,
                   EVP_sha256(), NULL) != 1)
        die("SHA-256");
    ctx = EVP_MD_CTX_new();
    ok = ctx && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL,
                                     b->pkey) == 1
        && EVP_DigestVerify(ctx, b->sig, b->sig_len, b->msg,
                            sizeof(b->msg)) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        die("raw verification failed");
}

/* Verifications per CPU second of mode for about seconds. */
static double rate(bench *b, int core, double seconds)
{
    double start = cpu_now(), now;
    long n = 0, i;

    do {
        for (i = 0; i < 50; i++) {
            if (core)
                one_core(b);
            else
                one_raw(b);
        }
        n += 50;
        now = cpu_now();
    } while (now - start < seconds);
    return (double)n / (now - start);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    double seconds = 1.0, *core, *raw, mc, mr;
    int rounds = 5, r;
    bench b;

    apr_initialize();
    setup(&b);
    if (argc == 4 && !strcmp(argv[1], "count")) {
        long n = atol(argv[3]), i;
        int is_core = !strcmp(argv[2], "core");

        if (!is_core && strcmp(argv[2], "raw"))
            die("count core|raw N");
        for (i = 0; i < n; i++) {
            if (is_core)
                one_core(&b);
            else
                one_raw(&b);
        }
        return 0;
    }
    if (argc > 1)
        seconds = atof(argv[1]);
    if (argc > 2)
        rounds = atoi(argv[2]);
    if (seconds <= 0 || rounds < 1 || rounds > 99)
        die("usage: webauthn_cost [SECONDS_PER_ROUND [ROUNDS]] | "
            "count core|raw N");

    /* warm up both paths (OpenSSL's method caches, the ES256 template) */
    rate(&b, 1, 0.1);
    rate(&b, 0, 0.1);
    core = calloc((size_t)rounds, sizeof(double));
    raw = calloc((size_t)rounds, sizeof(double));
    if (!core || !raw)
        die("out of memory");
    for (r = 0; r < rounds; r++) {
        if (r % 2) {
            core[r] = rate(&b, 1, seconds);
            raw[r] = rate(&b, 0, seconds);
        }
        else {
            raw[r] = rate(&b, 0, seconds);
            core[r] = rate(&b, 1, seconds);
        }
    }
    qsort(core, (size_t)rounds, sizeof(double), cmp_double);
    qsort(raw, (size_t)rounds, sizeof(double), cmp_double);
    mc = core[rounds / 2];
    mr = raw[rounds / 2];
    printf("ES256 assertion, %d rounds of %.1f s each (median, per CPU "
           "second):\n", rounds, seconds);
    printf("  %-52s %10.0f /s  (%.1f us)\n",
           "stepup_webauthn_verify_authentication", mc, 1e6 / mc);
    printf("  %-52s %10.0f /s  (%.1f us)\n",
           "raw OpenSSL P-256 EVP_DigestVerify (key prepared)", mr, 1e6 / mr);
    printf("  ratio core / raw: %.3f (goal >= 0.9)\n", mc / mr);
    free(core);
    free(raw);
    EVP_PKEY_free(b.pkey);
    apr_pool_destroy(b.pool);
    apr_terminate();
    return 0;
}
