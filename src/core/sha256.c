/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * SHA-256 with the digest fetched once per process: EVP_sha256() would be
 * looked up in the provider's method store at every call, which shows on
 * every protected request (the bind cookie) and every ceremony.
 */
#include <pthread.h>

#include <openssl/evp.h>

#include "stepup_sha256.h"

/* Written once under pthread_once, only read afterwards. */
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256_md;

static void sha256_fetch(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

int stepup_sha256(const void *data, size_t len,
                  unsigned char out[STEPUP_SHA256_LEN])
{
    unsigned int outlen = 0;

    if (pthread_once(&sha256_once, sha256_fetch) != 0 || !sha256_md)
        return -1;
    if (EVP_Digest(data, len, out, &outlen, sha256_md, NULL) != 1
        || outlen != STEPUP_SHA256_LEN)
        return -1;
    return 0;
}

const EVP_MD *stepup_sha256_md(void)
{
    if (pthread_once(&sha256_once, sha256_fetch) != 0)
        return NULL;
    return sha256_md;
}
