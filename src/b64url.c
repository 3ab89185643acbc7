#include <string.h>
#include <apr_encode.h>
#include <apr_strings.h>

#include "stepup_b64url.h"

static int is_b64url_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

size_t stepup_b64url_encode_to(char *dst, const unsigned char *src,
                               size_t len)
{
    apr_size_t out = 0;

    if (apr_encode_base64_binary(dst, src, (apr_ssize_t)len,
                                 APR_ENCODE_BASE64URL, &out) != APR_SUCCESS) {
        dst[0] = '\0';
        return 0;
    }
    return out;
}

char *stepup_b64url_encode(apr_pool_t *p, const unsigned char *src,
                           size_t len)
{
    char *dst = apr_palloc(p, STEPUP_B64URL_LEN(len) + 1);

    stepup_b64url_encode_to(dst, src, len);
    return dst;
}

int stepup_b64url_valid(const char *s, size_t len, int allow_padding)
{
    size_t i, pad = 0;

    if (allow_padding) {
        while (pad < 2 && pad < len && s[len - 1 - pad] == '=')
            pad++;
        /* padded input must come in whole quanta */
        if (pad && (len % 4) != 0)
            return 0;
    }
    for (i = 0; i < len - pad; i++) {
        if (!is_b64url_char((unsigned char)s[i]))
            return 0;
    }
    return 1;
}

int stepup_b64url_decode(apr_pool_t *p, const char *src, size_t len,
                         unsigned char **out, size_t *outlen)
{
    apr_size_t need = 0, got = 0;
    unsigned char *buf;

    /* APR also accepts the '+' '/' alphabet: refuse it ourselves. */
    if (!stepup_b64url_valid(src, len, 1) || (len % 4) == 1)
        return -1;
    if (apr_decode_base64_binary(NULL, src, (apr_ssize_t)len,
                                 APR_ENCODE_NONE, &need) != APR_SUCCESS)
        return -1;
    buf = apr_palloc(p, need + 1);
    if (apr_decode_base64_binary(buf, src, (apr_ssize_t)len,
                                 APR_ENCODE_NONE, &got) != APR_SUCCESS)
        return -1;
    buf[got] = '\0';
    *out = buf;
    *outlen = got;
    return 0;
}
