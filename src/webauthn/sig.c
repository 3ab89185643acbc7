/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * What the key types (es256.c, rs256.c, eddsa.c), the COSE dispatcher
 * (cose.c) and the attestation formats share below them: a signature
 * checked with an EVP_PKEY as a COSE algorithm says, and keys tied to a
 * pool. It calls none of them, so no key-type file calls back into its
 * dispatcher.
 */
#include <apr_pools.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "webauthn_internal.h"

int stepup_sig_verify(EVP_PKEY *pkey, int alg, const unsigned char *msg,
                      size_t msglen, const unsigned char *sig, size_t siglen,
                      const char **why)
{
    const EVP_MD *md;
    EVP_MD_CTX *ctx;
    int ok;

    switch (alg) {
    case STEPUP_COSE_ES256:
    case STEPUP_COSE_RS256:
        md = EVP_sha256();
        break;
    case STEPUP_COSE_EDDSA:
        md = NULL;
        break;
    default:
        return stepup_wa_fail(why, "unsupported signature algorithm");
    }
    if (siglen == 0)
        return stepup_wa_fail(why, "the signature is empty");
    if (!(ctx = EVP_MD_CTX_new()))
        return stepup_wa_fail(why, "out of memory (OpenSSL)");
    ok = EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) == 1
        && EVP_DigestVerify(ctx, sig, siglen, msg, msglen) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) {
        ERR_clear_error();
        return stepup_wa_fail(why, alg == STEPUP_COSE_ES256
                              ? "the ES256 signature does not verify"
                              : alg == STEPUP_COSE_RS256
                              ? "the RS256 signature does not verify"
                              : "the EdDSA signature does not verify");
    }
    return 0;
}

static apr_status_t pkey_cleanup(void *data)
{
    EVP_PKEY_free(data);
    return APR_SUCCESS;
}

void stepup_wa_pkey_to_pool(apr_pool_t *p, EVP_PKEY *pkey)
{
    apr_pool_cleanup_register(p, pkey, pkey_cleanup, apr_pool_cleanup_null);
}
