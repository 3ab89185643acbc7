/*
 * Small helpers of the WebAuthn core: reasons fit for one log line, the
 * failure idiom, SHA-256, the hex AAGUID and the names of COSE algorithms.
 */
#include <pthread.h>
#include <string.h>

#include <apr_strings.h>
#include <openssl/evp.h>

#include "stepup_webauthn.h"

const char *stepup_wa_printable(apr_pool_t *p, const char *s, size_t len,
                                size_t max)
{
    size_t i, n = len > max ? max : len;
    char *out = apr_palloc(p, n + 4);

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
    }
    if (len > max) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
    return out;
}

int stepup_wa_fail(const char **why, const char *reason)
{
    if (why)
        *why = reason;
    return -1;
}

/* SHA-256 fetched once per process: EVP_sha256() would be looked up in
 * the provider's method store at every digest. Read only afterwards. */
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256_md;

static void sha256_init(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

int stepup_wa_sha256(const void *data, size_t len, unsigned char out[32])
{
    const EVP_MD *md = EVP_sha256();
    unsigned int outlen = 0;

    if (pthread_once(&sha256_once, sha256_init) == 0 && sha256_md)
        md = sha256_md;
    if (EVP_Digest(data, len, out, &outlen, md, NULL) != 1 || outlen != 32)
        return -1;
    return 0;
}

const char *stepup_webauthn_aaguid_hex(apr_pool_t *p,
                                       const unsigned char aaguid[16])
{
    static const char digits[] = "0123456789abcdef";
    char *out = apr_palloc(p, 33);
    int i;

    for (i = 0; i < 16; i++) {
        out[2 * i] = digits[aaguid[i] >> 4];
        out[2 * i + 1] = digits[aaguid[i] & 0x0f];
    }
    out[32] = '\0';
    return out;
}

const char *stepup_cose_alg_name(apr_pool_t *p, int alg)
{
    switch (alg) {
    case STEPUP_COSE_ES256: return "ES256";
    case STEPUP_COSE_RS256: return "RS256";
    case STEPUP_COSE_EDDSA: return "EdDSA";
    }
    return apr_psprintf(p, "alg %d", alg);
}
