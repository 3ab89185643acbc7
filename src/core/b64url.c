/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * base64url without padding on top of APR's apr_encode, with a strict
 * alphabet check (include/stepup_b64url.h).
 */
#include <string.h>
#include <apr_encode.h>
#include <apr_strings.h>

#include "stepup_b64url.h"

/* 1 for the characters of the base64url alphabet (RFC 4648 section 5):
 * A-Z a-z 0-9 '-' '_'. A table: every protected request checks its token
 * with it, twice. */
static const unsigned char b64url_chars[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0,     /* '-' */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,     /* 0-9 */
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,     /* A-O */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1,     /* P-Z '_' */
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,     /* a-o */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,     /* p-z */
    /* 128-255: none */
};

static int is_b64url_char(unsigned char c)
{
    return b64url_chars[c];
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
    apr_size_t got = 0;
    unsigned char *buf;

    /* APR also accepts the '+' '/' alphabet: refuse it ourselves. */
    if (!stepup_b64url_valid(src, len, 1) || (len % 4) == 1)
        return -1;
    /* at most 3 bytes per 4 characters, and APR's terminating NUL; sized
     * here rather than by a first pass of APR over the input */
    buf = apr_palloc(p, (len + 3) / 4 * 3 + 1);
    if (apr_decode_base64_binary(buf, src, (apr_ssize_t)len,
                                 APR_ENCODE_NONE, &got) != APR_SUCCESS)
        return -1;
    buf[got] = '\0';
    *out = buf;
    *outlen = got;
    return 0;
}
