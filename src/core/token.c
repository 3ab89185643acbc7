/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The re-auth token: minting, parsing and checking v1 and v2 tokens
 * (include/stepup_token.h).
 */
#include <string.h>

#include <apr_strings.h>
#include <openssl/crypto.h>

#include "stepup_b64url.h"
#include "stepup_sha256.h"
#include "stepup_token.h"

#define MAC_B64_LEN   STEPUP_B64URL_LEN(STEPUP_MAC_LEN)   /* 43 */
#define TIME_DIGITS   12     /* enough until the year 33658, no overflow */

static const char *const acr_names[] = { NULL, "pwd", "phr", "phrh" };
static const char *const amr_names[] = { NULL, "pwd", "hwk", "swk" };

static int name_lookup(const char *const *names, int n, const char *s,
                       size_t len)
{
    int i;

    for (i = 1; i < n; i++) {
        if (strlen(names[i]) == len && !memcmp(names[i], s, len))
            return i;
    }
    return 0;
}

int stepup_acr_parse(const char *s, size_t len, stepup_acr *out)
{
    int i = name_lookup(acr_names, 4, s, len);

    if (!i)
        return -1;
    *out = (stepup_acr)i;
    return 0;
}

const char *stepup_acr_name(stepup_acr acr)
{
    return (acr >= STEPUP_ACR_PWD && acr <= STEPUP_ACR_PHRH)
        ? acr_names[acr] : "?";
}

int stepup_amr_parse(const char *s, size_t len, stepup_amr *out)
{
    int i = name_lookup(amr_names, 4, s, len);

    if (!i)
        return -1;
    *out = (stepup_amr)i;
    return 0;
}

const char *stepup_amr_name(stepup_amr amr)
{
    return (amr >= STEPUP_AMR_PWD && amr <= STEPUP_AMR_SWK)
        ? amr_names[amr] : "?";
}

const char *stepup_token_status_str(stepup_token_status st)
{
    switch (st) {
    case STEPUP_TOKEN_OK:            return "valid";
    case STEPUP_TOKEN_MALFORMED:     return "malformed token";
    case STEPUP_TOKEN_BAD_VERSION:   return "unsupported token version";
    case STEPUP_TOKEN_UNKNOWN_KID:   return "unknown key id";
    case STEPUP_TOKEN_BAD_MAC:       return "bad MAC";
    case STEPUP_TOKEN_BAD_PAYLOAD:   return "malformed payload";
    case STEPUP_TOKEN_WRONG_USER:    return "token of another user";
    case STEPUP_TOKEN_FUTURE:        return "auth_time in the future";
    case STEPUP_TOKEN_EXPIRED:       return "expired";
    case STEPUP_TOKEN_TOO_OLD:       return "re-confirmation older than max-age";
    case STEPUP_TOKEN_ACR_LOW:       return "assurance level too low";
    case STEPUP_TOKEN_UNBOUND:       return "no session cookie to bind to";
    case STEPUP_TOKEN_BIND_MISMATCH: return "bound to another session";
    case STEPUP_TOKEN_TXN_UNEXPECTED:
        return "transaction-bound token where none is accepted";
    case STEPUP_TOKEN_TXN_MISMATCH:
        return "transaction-bound token for another request";
    }
    return "?";
}

int stepup_bind_compute(const char *value, size_t len,
                        char out[STEPUP_BIND_LEN + 1])
{
    return stepup_digest16(value, len, NULL, out);
}

/* Decimal seconds: 1 to TIME_DIGITS digits, no sign, no leading zero. */
static int time_parse(const char *s, size_t len, apr_int64_t *out)
{
    apr_int64_t v = 0;
    size_t i;

    if (len == 0 || len > TIME_DIGITS || (len > 1 && s[0] == '0'))
        return -1;
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Splits off the next '|'-terminated field of [*cur, end). */
static int next_field(const char **cur, const char *end, const char **f,
                      size_t *flen)
{
    const char *bar = memchr(*cur, '|', (size_t)(end - *cur));

    if (!bar)
        return -1;
    *f = *cur;
    *flen = (size_t)(bar - *cur);
    *cur = bar + 1;
    return 0;
}

/* The bind field: "-" or 22 base64url characters. */
static int bind_parse(const char *f, size_t flen, stepup_token *t)
{
    if (flen == 1 && f[0] == '-')
        t->bind[0] = '\0';
    else if (flen == STEPUP_BIND_LEN && stepup_b64url_valid(f, flen, 0)) {
        memcpy(t->bind, f, flen);
        t->bind[flen] = '\0';
    }
    else
        return -1;
    return 0;
}

/* The txn field of a v2 payload: exactly as stepup_txn_finish spells one,
 * never "-" (a v2 token without a transaction is not a thing). */
static int txn_parse(const char *f, size_t flen, stepup_token *t)
{
    if (!stepup_txn_valid(f, flen))
        return -1;
    memcpy(t->txn, f, flen);
    t->txn[flen] = '\0';
    return 0;
}

/* v2 payloads have the txn field between bind and user. */
static stepup_token_status decode_payload(apr_pool_t *p, int v2,
                                          const char *b64, size_t b64len,
                                          stepup_token *t)
{
    unsigned char *raw;
    size_t rawlen, flen;
    const char *cur, *end, *f;

    if (stepup_b64url_decode(p, b64, b64len, &raw, &rawlen) != 0
        || memchr(raw, '\0', rawlen))
        return STEPUP_TOKEN_BAD_PAYLOAD;
    cur = (const char *)raw;
    end = cur + rawlen;

    if (next_field(&cur, end, &f, &flen) || time_parse(f, flen, &t->auth_time)
        || next_field(&cur, end, &f, &flen) || time_parse(f, flen, &t->expires)
        || next_field(&cur, end, &f, &flen) || stepup_acr_parse(f, flen, &t->acr)
        || next_field(&cur, end, &f, &flen) || stepup_amr_parse(f, flen, &t->amr)
        || next_field(&cur, end, &f, &flen) || bind_parse(f, flen, t)
        || (v2 && (next_field(&cur, end, &f, &flen)
                   || txn_parse(f, flen, t))))
        return STEPUP_TOKEN_BAD_PAYLOAD;
    if (cur == end)
        return STEPUP_TOKEN_BAD_PAYLOAD; /* empty user */
    t->user = cur; /* the rest, '|' included; NUL-terminated by the decoder */
    return STEPUP_TOKEN_OK;
}

stepup_token_status stepup_token_parse(apr_pool_t *p, const stepup_keyset *ks,
                                       const char *s, size_t len,
                                       stepup_token *out)
{
    const char *end = s + len, *kid, *payload, *mac, *dot;
    size_t kidlen, paylen;
    const stepup_key *key;
    unsigned char digest[STEPUP_MAC_LEN];
    char expect[MAC_B64_LEN + 1];

    memset(out, 0, sizeof(*out));
    if (len == 0 || len > STEPUP_TOKEN_MAX)
        return STEPUP_TOKEN_MALFORMED;
    dot = memchr(s, '.', len);
    if (!dot)
        return STEPUP_TOKEN_MALFORMED;
    if (dot - s != 2 || s[0] != 'v' || (s[1] != '1' && s[1] != '2'))
        return STEPUP_TOKEN_BAD_VERSION;

    kid = dot + 1;
    if (!(dot = memchr(kid, '.', (size_t)(end - kid))))
        return STEPUP_TOKEN_MALFORMED;
    kidlen = (size_t)(dot - kid);
    payload = dot + 1;
    if (!(dot = memchr(payload, '.', (size_t)(end - payload))))
        return STEPUP_TOKEN_MALFORMED;
    paylen = (size_t)(dot - payload);
    mac = dot + 1;
    if (!stepup_kid_valid(kid, kidlen) || paylen == 0
        || !stepup_b64url_valid(payload, paylen, 0)
        || (size_t)(end - mac) != MAC_B64_LEN)
        return STEPUP_TOKEN_MALFORMED;

    if (!(key = stepup_keyset_find(ks, kid, kidlen)))
        return STEPUP_TOKEN_UNKNOWN_KID;
    /* The MAC covers "vN.<kid>.<payload>", the token up to its last dot.
     * Comparing encodings keeps one canonical spelling of each MAC. */
    if (stepup_key_mac(key, s, (size_t)(dot - s), digest) != 0)
        return STEPUP_TOKEN_BAD_MAC;
    stepup_b64url_encode_to(expect, digest, sizeof(digest));
    if (CRYPTO_memcmp(expect, mac, MAC_B64_LEN) != 0)
        return STEPUP_TOKEN_BAD_MAC;

    out->kid = key->kid;
    return decode_payload(p, s[1] == '2', payload, paylen, out);
}

static stepup_token_status check_rules(const stepup_token *t,
                                       const stepup_policy *pol)
{
    if (pol->user && strcmp(pol->user, t->user) != 0)
        return STEPUP_TOKEN_WRONG_USER;
    if (t->auth_time > pol->now + STEPUP_CLOCK_SKEW)
        return STEPUP_TOKEN_FUTURE;
    if (pol->now >= t->expires
        || (pol->lifetime > 0 && pol->now >= t->auth_time + pol->lifetime))
        return STEPUP_TOKEN_EXPIRED;
    if (pol->now - t->auth_time > pol->max_age)
        return STEPUP_TOKEN_TOO_OLD;
    if (t->acr < pol->min_acr)
        return STEPUP_TOKEN_ACR_LOW;
    if (pol->bind) {
        if (!pol->bind[0])
            return STEPUP_TOKEN_UNBOUND;
        if (!t->bind[0] || strlen(pol->bind) != STEPUP_BIND_LEN
            || CRYPTO_memcmp(t->bind, pol->bind, STEPUP_BIND_LEN) != 0)
            return STEPUP_TOKEN_BIND_MISMATCH;
    }
    return STEPUP_TOKEN_OK;
}

stepup_token_status stepup_token_check_txn(const stepup_token *t,
                                           const stepup_policy *pol,
                                           const char *txn)
{
    stepup_token_status st = check_rules(t, pol);

    if (st != STEPUP_TOKEN_OK || !t->txn[0])
        return st;
    if (!txn)
        return STEPUP_TOKEN_TXN_UNEXPECTED;
    if (strlen(txn) != STEPUP_TXN_LEN
        || CRYPTO_memcmp(t->txn, txn, STEPUP_TXN_LEN) != 0)
        return STEPUP_TOKEN_TXN_MISMATCH;
    return STEPUP_TOKEN_OK;
}

stepup_token_status stepup_token_check(const stepup_token *t,
                                       const stepup_policy *pol)
{
    return stepup_token_check_txn(t, pol, NULL);
}

stepup_token_status stepup_token_verify_txn(apr_pool_t *p,
                                            const stepup_keyset *ks,
                                            const char *s, size_t len,
                                            const stepup_policy *pol,
                                            const char *txn,
                                            stepup_token *out)
{
    stepup_token_status st = stepup_token_parse(p, ks, s, len, out);

    return st == STEPUP_TOKEN_OK ? stepup_token_check_txn(out, pol, txn) : st;
}

stepup_token_status stepup_token_verify(apr_pool_t *p,
                                        const stepup_keyset *ks,
                                        const char *s, size_t len,
                                        const stepup_policy *pol,
                                        stepup_token *out)
{
    stepup_token_status st = stepup_token_parse(p, ks, s, len, out);

    return st == STEPUP_TOKEN_OK ? stepup_token_check(out, pol) : st;
}

/* 1 when t's fields can be written as the parser reads them. */
static int mintable(const stepup_token *t)
{
    size_t bindlen = strlen(t->bind), txnlen = strlen(t->txn);

    return t->user && t->user[0]
        && t->auth_time >= 0 && t->expires >= 0
        && t->auth_time <= 999999999999LL && t->expires <= 999999999999LL
        && strcmp(stepup_acr_name(t->acr), "?") != 0
        && strcmp(stepup_amr_name(t->amr), "?") != 0
        && (!bindlen || (bindlen == STEPUP_BIND_LEN
                         && stepup_b64url_valid(t->bind, bindlen, 0)))
        && (!txnlen || stepup_txn_valid(t->txn, txnlen));
}

const char *stepup_token_mint(apr_pool_t *p, const stepup_keyset *ks,
                              const stepup_token *t)
{
    unsigned char digest[STEPUP_MAC_LEN];
    const char *payload, *signed_part;
    char mac[MAC_B64_LEN + 1];
    int v2 = t->txn[0] != '\0';

    if (!ks || ks->nkeys < 1 || !mintable(t))
        return NULL;
    payload = apr_psprintf(p, "%" APR_INT64_T_FMT "|%" APR_INT64_T_FMT
                           "|%s|%s|%s|%s%s%s", t->auth_time, t->expires,
                           stepup_acr_name(t->acr), stepup_amr_name(t->amr),
                           t->bind[0] ? t->bind : "-",
                           v2 ? t->txn : "", v2 ? "|" : "", t->user);
    signed_part = apr_pstrcat(p, v2 ? "v2." : "v1.", ks->keys[0].kid, ".",
                              stepup_b64url_encode(p,
                                  (const unsigned char *)payload,
                                  strlen(payload)), NULL);
    if (strlen(signed_part) + 1 + MAC_B64_LEN > STEPUP_TOKEN_MAX)
        return NULL;
    if (stepup_key_mac(&ks->keys[0], signed_part, strlen(signed_part),
                       digest) != 0)
        return NULL;
    stepup_b64url_encode_to(mac, digest, sizeof(digest));
    return apr_pstrcat(p, signed_part, ".", mac, NULL);
}
