/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The StepupKeyFile key set: parsing "KID SECRET" lines and the HMAC
 * states the token and CSRF code sign and verify with
 * (include/stepup_keys.h).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <apr_file_io.h>
#include <apr_strings.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "stepup_b64url.h"
#include "stepup_file.h"
#include "stepup_keys.h"

int stepup_kid_valid(const char *kid, size_t len)
{
    size_t i;

    if (len == 0 || len > STEPUP_KID_MAX)
        return 0;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)kid[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

static apr_status_t free_mac_ctx(void *data)
{
    EVP_MAC_CTX_free(data);
    return APR_SUCCESS;
}

static apr_status_t cleanse_buffer(void *data)
{
    /* the pool's buffers are (len, bytes): wipe secrets before reuse */
    size_t *len = data;
    OPENSSL_cleanse(len + 1, *len);
    return APR_SUCCESS;
}

/* Copies text into a pool buffer that is wiped when the pool goes. */
static char *secret_copy(apr_pool_t *p, const char *text, size_t len)
{
    size_t *buf = apr_palloc(p, sizeof(size_t) + len + 1);
    char *copy = (char *)(buf + 1);

    *buf = len;
    memcpy(copy, text, len);
    copy[len] = '\0';
    apr_pool_cleanup_register(p, buf, cleanse_buffer, apr_pool_cleanup_null);
    return copy;
}

/* Serials start at 1: 0 marks an empty per-thread slot. */
static atomic_ulong next_serial = 1;

static stepup_mac_ctx *keyed_hmac(apr_pool_t *p, const unsigned char *secret,
                                  size_t len)
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM params[2];

    EVP_MAC_free(mac); /* the context keeps its own reference */
    if (!ctx)
        return NULL;
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                 (char *)"SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();
    if (!EVP_MAC_init(ctx, secret, len, params)) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    apr_pool_cleanup_register(p, ctx, free_mac_ctx, apr_pool_cleanup_null);
    return (stepup_mac_ctx *)ctx;
}

/* One "KID SECRET" line, already stripped of comments and blanks. */
static const char *parse_key_line(apr_pool_t *p, apr_pool_t *scratch,
                                  char *line, stepup_key *key)
{
    char *kid, *secret, *extra, *last = NULL;
    unsigned char *raw;
    size_t rawlen;
    const char *why = NULL;

    kid = apr_strtok(line, " \t", &last);
    secret = apr_strtok(NULL, " \t", &last);
    extra = apr_strtok(NULL, " \t", &last);
    if (!kid || !secret)
        return "expected \"KID SECRET\"";
    if (extra)
        return "unexpected text after the secret";
    if (!stepup_kid_valid(kid, strlen(kid)))
        return "key id must be 1 to 16 of [A-Za-z0-9_-]";
    if (strlen(secret) > STEPUP_B64URL_LEN(STEPUP_SECRET_MAX) + 2
        || stepup_b64url_decode(scratch, secret, strlen(secret),
                                &raw, &rawlen) != 0)
        return apr_psprintf(p, "key \"%s\": secret is not base64url", kid);
    if (rawlen < STEPUP_SECRET_MIN)
        why = apr_psprintf(p, "key \"%s\": secret is %lu bytes, at least %d "
                           "are required", kid, (unsigned long)rawlen,
                           STEPUP_SECRET_MIN);
    else if (!(key->mac = keyed_hmac(p, raw, rawlen)))
        why = "cannot prepare HMAC-SHA256 (OpenSSL)";
    else
        key->serial = atomic_fetch_add(&next_serial, 1);
    OPENSSL_cleanse(raw, rawlen);
    if (!why)
        apr_cpystrn(key->kid, kid, sizeof(key->kid));
    return why;
}

/* Adds the key of one line to ks (which has room for it): NULL, or why
 * not. */
static const char *add_key(apr_pool_t *p, apr_pool_t *scratch,
                           stepup_keyset *ks, char *line, int lineno)
{
    const char *why;
    int i;

    if (ks->nkeys == STEPUP_KEYS_MAX)
        return apr_psprintf(p, "line %d: more than %d keys", lineno,
                            STEPUP_KEYS_MAX);
    why = parse_key_line(p, scratch, line, &ks->keys[ks->nkeys]);
    if (why)
        return apr_psprintf(p, "line %d: %s", lineno, why);
    for (i = 0; i < ks->nkeys; i++) {
        if (!strcmp(ks->keys[i].kid, ks->keys[ks->nkeys].kid))
            return apr_psprintf(p, "line %d: duplicate key id \"%s\"",
                                lineno, ks->keys[i].kid);
    }
    ks->nkeys++;
    return NULL;
}

int stepup_keyset_parse(apr_pool_t *p, const char *text, size_t len,
                        stepup_keyset **out, const char **why)
{
    apr_pool_t *scratch;
    stepup_keyset *ks;
    char *cursor, *line;
    int lineno = 0;

    *out = NULL;
    *why = NULL;
    if (len > STEPUP_KEYFILE_MAX) {
        *why = "file is too large";
        return -1;
    }
    if (memchr(text, '\0', len)) {
        *why = "file contains a NUL byte";
        return -1;
    }
    if (apr_pool_create(&scratch, p) != APR_SUCCESS) {
        *why = "out of memory";
        return -1;
    }
    /* the scratch copy holds the secrets: wiped when scratch is destroyed */
    cursor = secret_copy(scratch, text, len);
    ks = apr_pcalloc(p, sizeof(*ks));
    ks->keys = apr_pcalloc(p, STEPUP_KEYS_MAX * sizeof(stepup_key));
    while (!*why && (line = stepup_file_line(&cursor))) {
        lineno++;
        if (*line)
            *why = add_key(p, scratch, ks, line, lineno);
    }
    apr_pool_destroy(scratch);
    if (!*why && ks->nkeys == 0)
        *why = "no keys (the file is empty or only comments)";
    if (*why)
        return -1;
    *out = ks;
    return 0;
}

int stepup_keyset_load(apr_pool_t *p, const char *path,
                       stepup_keyset **out, const char **why)
{
    apr_size_t len;
    char *text;
    int ret;

    *out = NULL;
    if (stepup_file_read(p, path, STEPUP_KEYFILE_MAX,
                         STEPUP_FILE_PRIVATE | STEPUP_FILE_NONEMPTY, &text,
                         &len, why) != 0)
        return -1;
    ret = stepup_keyset_parse(p, text, len, out, why);
    OPENSSL_cleanse(text, len);
    return ret;
}

const stepup_key *stepup_keyset_find(const stepup_keyset *ks,
                                     const char *kid, size_t kidlen)
{
    int i;

    for (i = 0; i < ks->nkeys; i++) {
        if (strlen(ks->keys[i].kid) == kidlen
            && !memcmp(ks->keys[i].kid, kid, kidlen))
            return &ks->keys[i];
    }
    return NULL;
}

/* Each thread keeps its own copies of the keys it used last, and
 * re-initialises a copy for each MAC instead of duplicating the prepared
 * state: EVP_MAC_CTX_dup makes about ten allocations, and on a protected
 * request they cost more than the HMAC itself (bench/RESULTS.md). A copy
 * is named by its key's serial, so a freed key set's copies are never
 * used again; they go when their slot is reused or the thread ends. */
#define MAC_SLOTS 4

typedef struct mac_slots {
    unsigned long serial[MAC_SLOTS];
    EVP_MAC_CTX *ctx[MAC_SLOTS];
    unsigned next;                  /* the slot to reuse on a miss */
} mac_slots;

static pthread_key_t slots_key;
static int slots_ok;
static pthread_once_t slots_once = PTHREAD_ONCE_INIT;

static void free_slots(void *data)
{
    mac_slots *t = data;
    int i;

    for (i = 0; i < MAC_SLOTS; i++)
        EVP_MAC_CTX_free(t->ctx[i]);
    free(t);
}

static void make_slots_key(void)
{
    slots_ok = pthread_key_create(&slots_key, free_slots) == 0;
}

/* This thread's working copy of key, ready for a new MAC; NULL when none
 * can be kept (the caller then works on a copy of its own). */
static EVP_MAC_CTX *thread_copy(const stepup_key *key)
{
    mac_slots *t;
    unsigned i;

    pthread_once(&slots_once, make_slots_key);
    if (!slots_ok || key->serial == 0)
        return NULL;
    if (!(t = pthread_getspecific(slots_key))) {
        if (!(t = calloc(1, sizeof(*t))))
            return NULL;
        if (pthread_setspecific(slots_key, t) != 0) {
            free(t);
            return NULL;
        }
    }
    for (i = 0; i < MAC_SLOTS; i++) {
        if (t->serial[i] == key->serial)
            /* a NULL key re-initialises with the key it has */
            return EVP_MAC_init(t->ctx[i], NULL, 0, NULL) ? t->ctx[i] : NULL;
    }
    i = t->next;
    t->next = (i + 1) % MAC_SLOTS;
    EVP_MAC_CTX_free(t->ctx[i]);
    t->serial[i] = 0;
    if (!(t->ctx[i] = EVP_MAC_CTX_dup((const EVP_MAC_CTX *)key->mac)))
        return NULL;
    t->serial[i] = key->serial;
    return t->ctx[i];
}

int stepup_key_mac(const stepup_key *key, const void *data, size_t len,
                   unsigned char out[STEPUP_MAC_LEN])
{
    EVP_MAC_CTX *ctx = thread_copy(key), *own = NULL;
    size_t outlen = 0;
    int ok;

    if (!ctx && !(ctx = own = EVP_MAC_CTX_dup((const EVP_MAC_CTX *)key->mac)))
        return -1;
    ok = EVP_MAC_update(ctx, data, len)
        && EVP_MAC_final(ctx, out, &outlen, STEPUP_MAC_LEN)
        && outlen == STEPUP_MAC_LEN;
    EVP_MAC_CTX_free(own);
    return ok ? 0 : -1;
}

char *stepup_keygen_line(apr_pool_t *p, const char *kid)
{
    unsigned char raw[STEPUP_SECRET_MIN];
    char *line;

    if (!stepup_kid_valid(kid, strlen(kid)))
        return NULL;
    if (RAND_bytes(raw, sizeof(raw)) != 1)
        return NULL;
    line = apr_pstrcat(p, kid, " ", stepup_b64url_encode(p, raw, sizeof(raw)),
                       NULL);
    OPENSSL_cleanse(raw, sizeof(raw));
    return line;
}
