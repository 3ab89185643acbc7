/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Shared helpers of the C unit tests: known keys, temporary files and HMAC
 * signing helpers (t/unit/unit_util.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_strings.h>
#include <openssl/hmac.h>

#include "unit_util.h"

/* ---- known keys ---- */

typedef struct known_key {
    const char *kid;
    size_t len;
    unsigned char secret[100];
} known_key;

static known_key known[4];
static int known_ready;

static void known_init(void)
{
    size_t i;

    if (known_ready)
        return;
    known[0].kid = "alpha";         /* 00 01 02 ... 1f */
    known[0].len = 32;
    known[1].kid = "beta";
    known[1].len = 32;
    known[2].kid = "gamma";
    known[2].len = 48;
    known[3].kid = "delta";
    known[3].len = 100;
    for (i = 0; i < 100; i++) {
        known[0].secret[i] = (unsigned char)i;
        known[1].secret[i] = (unsigned char)(0x80 + 3 * i);
        known[2].secret[i] = (unsigned char)(7 * i + 1);
        known[3].secret[i] = (unsigned char)(11 * i + 5);
    }
    known_ready = 1;
}

const unsigned char *unit_secret(const char *kid, size_t *len)
{
    size_t i;

    known_init();
    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (!strcmp(known[i].kid, kid)) {
            *len = known[i].len;
            return known[i].secret;
        }
    }
    return NULL;
}

char *unit_key_line(apr_pool_t *p, const char *kid, const unsigned char *secret,
                    size_t len)
{
    return apr_pstrcat(p, kid, " ", unit_ref_b64url(p, secret, len), NULL);
}

static char *keyfile_text_va(apr_pool_t *p, va_list ap)
{
    const char *kid;
    char *text = "";

    while ((kid = va_arg(ap, const char *))) {
        size_t len = 0;
        const unsigned char *secret = unit_secret(kid, &len);

        assert_non_null(secret);
        text = apr_pstrcat(p, text, unit_key_line(p, kid, secret, len), "\n",
                           NULL);
    }
    return text;
}

char *unit_keyfile_text(apr_pool_t *p, ...)
{
    va_list ap;
    char *text;

    va_start(ap, p);
    text = keyfile_text_va(p, ap);
    va_end(ap);
    return text;
}

stepup_keyset *unit_keyset(apr_pool_t *p, ...)
{
    va_list ap;
    char *text;
    stepup_keyset *ks = NULL;
    const char *why = NULL;

    va_start(ap, p);
    text = keyfile_text_va(p, ap);
    va_end(ap);
    if (stepup_keyset_parse(p, text, strlen(text), &ks, &why) != 0)
        fail_msg("known key set refused: %s", why ? why : "(no reason)");
    assert_non_null(ks);
    return ks;
}

/* ---- reference crypto ---- */

void unit_hmac(const unsigned char *key, size_t keylen, const void *data,
               size_t len, unsigned char out[STEPUP_MAC_LEN])
{
    unsigned int outlen = 0;

    assert_non_null(HMAC(EVP_sha256(), key, (int)keylen, data, len, out,
                         &outlen));
    assert_int_equal(outlen, STEPUP_MAC_LEN);
}

void unit_hmac_q(const unsigned char *key, size_t keylen, const void *data,
                 size_t len, unsigned char out[STEPUP_MAC_LEN])
{
    size_t outlen = 0;

    assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, keylen,
                              data, len, out, STEPUP_MAC_LEN, &outlen));
    assert_int_equal(outlen, STEPUP_MAC_LEN);
}

char *unit_sign_part(apr_pool_t *p, const char *kid, const char *signed_part)
{
    size_t keylen = 0;
    const unsigned char *key = unit_secret(kid, &keylen);
    unsigned char mac[STEPUP_MAC_LEN];

    assert_non_null(key);
    unit_hmac(key, keylen, signed_part, strlen(signed_part), mac);
    return apr_pstrcat(p, signed_part, ".", unit_ref_b64url(p, mac, sizeof(mac)),
                       NULL);
}

char *unit_sign_payload(apr_pool_t *p, const char *kid, const char *payload,
                        size_t len)
{
    return unit_sign_part(p, kid, apr_pstrcat(p, "v1.", kid, ".",
                                              unit_ref_b64url(p, payload, len),
                                              NULL));
}

/* ---- temporary files ---- */

static apr_status_t remove_dir(void *data)
{
    rmdir(data);
    return APR_SUCCESS;
}

static apr_status_t remove_file(void *data)
{
    unlink(data);
    return APR_SUCCESS;
}

char *unit_tmpdir(apr_pool_t *p, const char *parent)
{
    char *path;

    if (!parent) {
        parent = getenv("TMPDIR");
        if (!parent || !*parent)
            parent = "/tmp";
    }
    path = apr_pstrcat(p, parent, "/stepup-unit-XXXXXX", NULL);
    if (!mkdtemp(path))
        fail_msg("mkdtemp %s: %s", path, strerror(errno));
    apr_pool_cleanup_register(p, path, remove_dir, apr_pool_cleanup_null);
    return path;
}

char *unit_tmpfile(apr_pool_t *p, const char *dir, const void *data,
                   size_t len, mode_t mode)
{
    char *path = apr_pstrcat(p, dir, "/keys-XXXXXX", NULL);
    const char *at = data;
    int fd = mkstemp(path);

    if (fd < 0)
        fail_msg("mkstemp %s: %s", path, strerror(errno));
    apr_pool_cleanup_register(p, path, remove_file, apr_pool_cleanup_null);
    while (len > 0) {
        ssize_t n = write(fd, at, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(fd);
            fail_msg("write %s: %s", path, strerror(errno));
        }
        at += n;
        len -= (size_t)n;
    }
    if (fchmod(fd, mode) != 0) {
        close(fd);
        fail_msg("chmod %s: %s", path, strerror(errno));
    }
    if (close(fd) != 0)
        fail_msg("close %s: %s", path, strerror(errno));
    return path;
}

char *unit_tmpname(apr_pool_t *p, const char *dir, const char *name)
{
    char *path = apr_pstrcat(p, dir, "/", name, NULL);

    apr_pool_cleanup_register(p, path, remove_file, apr_pool_cleanup_null);
    return path;
}
