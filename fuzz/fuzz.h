/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Shared by the fuzz targets (fuzz/fuzz_*.c): one APR pool per input, a
 * fixed key set, and the relying party the WebAuthn seeds were made for
 * (fuzz/mkseeds.c, with the unit tests' fixtures: t/unit/wa_fixture.c).
 *
 * Each target defines LLVMFuzzerTestOneInput. `scripts/fuzz.sh run` links
 * it with libFuzzer (clang -fsanitize=fuzzer,address,undefined);
 * `scripts/fuzz.sh replay` links it with fuzz/replay.c, which feeds it
 * every file of its corpus. A target aborts (FUZZ_CHECK) when the code
 * under test breaks one of its own promises, not only when it crashes.
 */
#ifndef STEPUP_FUZZ_H
#define STEPUP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "stepup_keys.h"
#include "webauthn_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant of the code under test: a failure is a finding. */
#define FUZZ_CHECK(cond) do {                                             \
        if (!(cond)) {                                                    \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,    \
                    __LINE__, #cond);                                     \
            abort();                                                      \
        }                                                                 \
    } while (0)

/* With FUZZ_VERBOSE set in the environment, what a target's main call
 * concluded ("accepted" or the reason), to check what a seed reaches. */
static inline void fuzz_outcome(int rc, const char *why)
{
    static int verbose = -1;

    if (verbose < 0)
        verbose = getenv("FUZZ_VERBOSE") != NULL;
    if (verbose)
        fprintf(stderr, "fuzz: %s\n", rc == 0 ? "accepted"
                : why ? why : "refused");
}

/* What lives as long as the process (APR's pools, the key set, the
 * roots) is made between these: LeakSanitizer cannot see into APR's
 * pools, and would take the OpenSSL objects they hold for leaks. Weak:
 * a replay program built without sanitizers has no LeakSanitizer. */
void __lsan_disable(void) __attribute__((weak));
void __lsan_enable(void) __attribute__((weak));

static inline void fuzz_lsan(int on)
{
    if (on && __lsan_enable)
        __lsan_enable();
    else if (!on && __lsan_disable)
        __lsan_disable();
}

/* The process-wide pool; apr_initialize on first use. */
static inline apr_pool_t *fuzz_root(void)
{
    static apr_pool_t *root;

    if (!root) {
        fuzz_lsan(0);
        if (apr_initialize() != APR_SUCCESS
            || apr_pool_create(&root, NULL) != APR_SUCCESS)
            abort();
        fuzz_lsan(1);
    }
    return root;
}

/* The pool of the current input, whose every allocation fuzz/palloc.c
 * makes a malloc of its own. */
extern apr_pool_t *fuzz_input_pool;

/* A pool for one input: destroy it before returning. */
static inline apr_pool_t *fuzz_pool(void)
{
    apr_pool_t *p = NULL;

    if (apr_pool_create(&p, fuzz_root()) != APR_SUCCESS)
        abort();
    fuzz_input_pool = p;
    return p;
}

/* The key set of the token and CSRF targets: "k1" signs, "k2" verifies
 * too (the seeds are made with these secrets). */
#define FUZZ_KEYFILE                                                      \
    "k1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n"                    \
    "k2 ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8\n"

static inline const stepup_keyset *fuzz_keyset(void)
{
    static stepup_keyset *ks;
    apr_pool_t *root = fuzz_root();
    const char *why = NULL;

    if (!ks) {
        fuzz_lsan(0);
        if (stepup_keyset_parse(root, FUZZ_KEYFILE, strlen(FUZZ_KEYFILE),
                                &ks, &why) != 0) {
            fprintf(stderr, "fuzz: key set refused: %s\n", why);
            abort();
        }
        fuzz_lsan(1);
    }
    return ks;
}

/* The relying party of the WebAuthn seeds: wa_policy() of the unit
 * tests (RP ID, origin and challenge: wa_challenge). */
#define FUZZ_RP_ID  "example.com"
#define FUZZ_ORIGIN "https://example.com"

static inline void fuzz_policy(stepup_webauthn_policy *pol)
{
    static const char *const origins[] = { FUZZ_ORIGIN };
    static const unsigned char challenge[32] = {
        0xc4, 0x1e, 0x02, 0x57, 0x19, 0x33, 0xa0, 0x88,
        0x5e, 0x6b, 0x0f, 0x7d, 0x21, 0xfe, 0x90, 0x4c,
        0x07, 0xb2, 0x38, 0xd9, 0x6a, 0x11, 0x5f, 0xe0,
        0xcc, 0x73, 0x42, 0x9b, 0x15, 0x86, 0x2d, 0xf4
    };

    memset(pol, 0, sizeof(*pol));
    pol->rp_id = FUZZ_RP_ID;
    pol->origins = origins;
    pol->norigins = 1;
    pol->challenge = challenge;
    pol->challenge_len = sizeof(challenge);
}

/* The attestation root of the seeds: a P-256 CA made for the fuzz
 * targets (fuzz/mkseeds.c holds its key and issues the seeds' x5c
 * leaves under it), so that a trusted chain is among the paths fuzzed. */
#define FUZZ_ROOT_PEM \
    "-----BEGIN CERTIFICATE-----\n" \
    "MIIBzTCCAXOgAwIBAgIUY3IDI9yXsODubSWzSf6gVJMSbMkwCgYIKoZIzj0EAwIw\n" \
    "OzELMAkGA1UEBhMCWFgxGDAWBgNVBAoMD21vZF9zdGVwdXAgZnV6ejESMBAGA1UE\n" \
    "AwwJRnV6eiBSb290MCAXDTI2MTEyMjA3MTUxMVoYDzIxMjYxMDI5MDcxNTExWjA7\n" \
    "MQswCQYDVQQGEwJYWDEYMBYGA1UECgwPbW9kX3N0ZXB1cCBmdXp6MRIwEAYDVQQD\n" \
    "DAlGdXp6IFJvb3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATLbP76BcTMGYH+\n" \
    "uKT9STzswAxaRO3skoMhhcamAuGSLfxeBlAYzQeTGHBxM70QGbqjPdXMHbQz93yE\n" \
    "xR17Givno1MwUTAdBgNVHQ4EFgQUM00b9++faq9FG5p/004owFA5lAQwHwYDVR0j\n" \
    "BBgwFoAUM00b9++faq9FG5p/004owFA5lAQwDwYDVR0TAQH/BAUwAwEB/zAKBggq\n" \
    "hkjOPQQDAgNIADBFAiBQbYqIUOrInjsS8dDpAOFgPDAn2gV7dtCoQQG1+TB9CAIh\n" \
    "AKjVy/WDi5Yabr8jNA+kxuiKT6CNnosLwQEWBeUXi5iv\n" \
    "-----END CERTIFICATE-----\n"

static inline const stepup_trust_store *fuzz_roots(void)
{
    static stepup_trust_store *ts;
    apr_pool_t *root = fuzz_root();
    const char *why = NULL;

    if (!ts) {
        fuzz_lsan(0);
        if (stepup_trust_load_pem(root, FUZZ_ROOT_PEM, strlen(FUZZ_ROOT_PEM),
                                  &ts, &why) != 0) {
            fprintf(stderr, "fuzz: roots refused: %s\n", why);
            abort();
        }
        fuzz_lsan(1);
    }
    return ts;
}

/* data[0..size) as a NUL-terminated string from p (cut at a NUL byte, as
 * a C string of the module would be). */
static inline char *fuzz_cstr(apr_pool_t *p, const uint8_t *data, size_t size)
{
    return apr_pstrmemdup(p, (const char *)data, size);
}

#endif
