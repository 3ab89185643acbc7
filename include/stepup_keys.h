/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The HMAC key set of StepupKeyFile: one key per line "KID SECRET"; the first
 * key signs, every key verifies (rotation).
 */
#ifndef STEPUP_KEYS_H
#define STEPUP_KEYS_H

#include <stddef.h>
#include <apr_pools.h>

#define STEPUP_KID_MAX        16
#define STEPUP_SECRET_MIN     32     /* bytes, after decoding */
#define STEPUP_SECRET_MAX     512
#define STEPUP_KEYS_MAX       64
#define STEPUP_KEYFILE_MAX    65536  /* bytes */
#define STEPUP_MAC_LEN        32     /* HMAC-SHA256 */

typedef struct evp_mac_ctx_st stepup_mac_ctx; /* OpenSSL's EVP_MAC_CTX */

typedef struct stepup_key {
    char kid[STEPUP_KID_MAX + 1];
    /* Keyed HMAC-SHA256 state prepared once and never changed, so the key
     * set is read-only after loading and safe across threads: each thread
     * MACs with a copy of its own (keys.c), made on first use. */
    stepup_mac_ctx *mac;
    unsigned long serial;   /* unique per prepared key, names the copies */
} stepup_key;

typedef struct stepup_keyset {
    int nkeys;
    stepup_key *keys;   /* keys[0] signs */
} stepup_keyset;

/* Parses the text of a key file. On failure returns -1 and sets *why to a
 * one-line reason naming the line ("line 3: ..."). The key states live
 * until p is cleared. */
int stepup_keyset_parse(apr_pool_t *p, const char *text, size_t len,
                        stepup_keyset **out, const char **why);

/* Reads path and parses it, refusing a file that is missing, unreadable,
 * not a regular file, empty, too large, or that grants any permission to
 * group or others. *why is a one-line reason without the path. */
int stepup_keyset_load(apr_pool_t *p, const char *path,
                       stepup_keyset **out, const char **why);

/* The key named kid[0..kidlen), or NULL. */
const stepup_key *stepup_keyset_find(const stepup_keyset *ks,
                                     const char *kid, size_t kidlen);

/* HMAC-SHA256 of data under key; 0 on success. */
int stepup_key_mac(const stepup_key *key, const void *data, size_t len,
                   unsigned char out[STEPUP_MAC_LEN]);

/* 1 when kid is a valid key id: [A-Za-z0-9_-]{1,16}. */
int stepup_kid_valid(const char *kid, size_t len);

/* A fresh key line "KID SECRET" (32 random bytes), or NULL when the random
 * generator fails or kid is invalid. */
char *stepup_keygen_line(apr_pool_t *p, const char *kid);

#endif
