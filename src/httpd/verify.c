/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The request's step-up token checked against the server's keys, with a
 * memory of the last authentic token on the connection.
 *
 * A browser (or an API client) sends the same token on every request of a
 * kept-alive connection. Once a token's MAC has verified, the connection
 * keeps its bytes, the decoded fields and the serial of the key that
 * verified it. A later request whose token is byte for byte the same
 * (CRYPTO_memcmp) and whose server still has that very key (same kid,
 * same serial: a virtual host with its own key file has other serials)
 * takes the decoded fields instead of a new HMAC; anything else is
 * parsed and verified in full. The policy (user, expiry, max-age, level,
 * binding) is checked on every request either way, so the answer is the
 * one a fresh verification gives. bench/RESULTS.md has the costs of both
 * cases.
 *
 * The memory is one fixed buffer from the connection's pool, made on the
 * first authentic token, so a long connection with changing tokens does
 * not grow; a token too long for it is simply not kept. A connection
 * serves one request at a time, so no lock is needed.
 */
#include <httpd.h>
#include <string.h>

#include <apr_strings.h>
#include <http_config.h>
#include <openssl/crypto.h>

#include "mod_stepup.h"

/* token and user, each NUL-terminated: a 64-byte user name fits twice */
#define KEPT_BYTES 512

typedef struct {
    unsigned long serial;       /* of the key that verified it; 0: none */
    size_t len;                 /* the token's length in buf */
    size_t kidlen;              /* the kid is at buf + 3 ("v1.<kid>.") */
    stepup_token tok;           /* tok.user points into buf */
    char buf[KEPT_BYTES];
} kept_token;

/* The connection's authentic token, when it is this one and its key is
 * still the server's; NULL otherwise. */
static const stepup_key *kept_key(const kept_token *k,
                                  const stepup_keyset *ks, const char *value,
                                  size_t len)
{
    const stepup_key *key;

    if (!k || !k->serial || k->len != len
        || CRYPTO_memcmp(k->buf, value, len) != 0)
        return NULL;
    key = stepup_keyset_find(ks, k->buf + 3, k->kidlen);
    return key && key->serial == k->serial ? key : NULL;
}

static void keep(conn_rec *c, kept_token *k, const stepup_keyset *ks,
                 const char *value, size_t len, const stepup_token *tok)
{
    size_t kidlen = strlen(tok->kid), userlen = strlen(tok->user);
    const stepup_key *key = stepup_keyset_find(ks, tok->kid, kidlen);

    if (!key || len + userlen + 2 > KEPT_BYTES)
        return;
    if (!k) {
        k = apr_palloc(c->pool, sizeof(*k));
        ap_set_module_config(c->conn_config, &stepup_module, k);
    }
    k->serial = key->serial;
    k->len = len;
    k->kidlen = kidlen;
    k->tok = *tok;
    memcpy(k->buf, value, len);
    k->buf[len] = '\0';
    memcpy(k->buf + len + 1, tok->user, userlen + 1);
    k->tok.user = k->buf + len + 1;
}

stepup_token_status stepup_verify_request_token(request_rec *r,
                                                const stepup_keyset *ks,
                                                const char *value,
                                                const stepup_policy *pol,
                                                stepup_token *out)
{
    conn_rec *c = r->connection;
    kept_token *k = ap_get_module_config(c->conn_config, &stepup_module);
    size_t len = strlen(value);
    const stepup_key *key = kept_key(k, ks, value, len);
    stepup_token_status st;

    if (key) {
        *out = k->tok;
        out->kid = key->kid;
        /* the request's own copy: the next token kept overwrites buf */
        out->user = apr_pstrdup(r->pool, k->tok.user);
        ap_log_rerror(APLOG_MARK, APLOG_TRACE2, 0, r, "STEPUP0008: the "
                      "token kept on this connection (key %s): no new MAC",
                      key->kid);
        return stepup_token_check(out, pol);
    }
    st = stepup_token_parse(r->pool, ks, value, len, out);
    if (st != STEPUP_TOKEN_OK)
        return st;
    keep(c, k, ks, value, len, out);
    return stepup_token_check(out, pol);
}

void stepup_request_policy(request_rec *r, const stepup_dir_conf *dc,
                           apr_int64_t max_age, stepup_acr min_acr,
                           char bind[STEPUP_BIND_LEN + 1], stepup_policy *pol)
{
    const stepup_server_conf *sc =
        ap_get_module_config(r->server->module_config, &stepup_module);

    pol->now = apr_time_sec(r->request_time);
    pol->lifetime = stepup_conf_lifetime(sc);
    pol->max_age = max_age;
    pol->min_acr = min_acr;
    pol->user = r->user;
    pol->bind = stepup_request_bind(r, dc, bind);
}
