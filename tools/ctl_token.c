/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * stepupctl token mint, token verify and token txn: the re-auth token
 * (doc/token.md) from the command line, with the core's code
 * (stepup_token.h, stepup_txn.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_file_io.h>
#include <apr_strings.h>
#include <apr_time.h>

#include "stepup_keys.h"
#include "stepup_token.h"
#include "stepup_txn.h"

#include "ctl_common.h"

/* ------------------------------------------------------------------ */
/* What the token commands share                                       */

/* A value for a "name: value" line: control characters as \xNN so one
 * field stays on one line. */
static const char *printable(apr_pool_t *p, const char *s)
{
    size_t i, n = 0, len = strlen(s);
    char *out, *o;

    for (i = 0; i < len; i++) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            n++;
    }
    if (!n)
        return s;
    o = out = apr_palloc(p, len + 3 * n + 1);
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) {
            apr_snprintf(o, 5, "\\x%02x", c);
            o += 4;
        }
        else
            *o++ = (char)c;
    }
    *o = '\0';
    return out;
}

static const char *utc_time(apr_pool_t *p, apr_int64_t sec)
{
    apr_time_exp_t tm;

    if (sec < 0 || sec > TIME_MAX
        || apr_time_exp_gmt(&tm, apr_time_from_sec(sec)) != APR_SUCCESS)
        return "?";
    return apr_psprintf(p, "%04d-%02d-%02d %02d:%02d:%02d UTC",
                        tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                        tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* A decimal number of seconds in [min, max]; prints a usage error. */
static int seconds_arg(const char *cmd, const char *opt, const char *s,
                       apr_int64_t min, apr_int64_t max, apr_int64_t *out)
{
    apr_int64_t v = 0;
    size_t i, len = strlen(s);

    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            break;
    }
    if (len == 0 || i < len) {
        errorf("%s: --%s: not a number of seconds: \"%s\"", cmd, opt, s);
        return RC_USAGE;
    }
    for (i = 0; i < len && v <= max; i++)   /* max < 10^17: no overflow */
        v = v * 10 + (s[i] - '0');
    if (v < min || v > max) {
        errorf("%s: --%s: %s is out of range (%" APR_INT64_T_FMT " to %"
               APR_INT64_T_FMT ")", cmd, opt, s, min, max);
        return RC_USAGE;
    }
    *out = v;
    return RC_OK;
}

static int require_opt(const char *cmd, const parsed_args *pa, int opt,
                       const char *name)
{
    if (OPTVAL(pa, opt))
        return RC_OK;
    errorf("%s: --%s is required (see 'stepupctl %s --help')", cmd, name,
           cmd);
    return RC_USAGE;
}

static int load_keys(apr_pool_t *p, const char *cmd, const char *path,
                     stepup_keyset **ks)
{
    const char *why = NULL;

    if (stepup_keyset_load(p, path, ks, &why) != 0) {
        errorf("%s: key file %s: %s", cmd, path,
               why ? why : "cannot be loaded");
        return RC_FAIL;
    }
    return RC_OK;
}

static int acr_arg(const char *cmd, const char *s, stepup_acr *acr)
{
    if (stepup_acr_parse(s, strlen(s), acr) != 0) {
        errorf("%s: --acr: \"%s\" is not pwd, phr or phrh", cmd, s);
        return RC_USAGE;
    }
    return RC_OK;
}

static int bind_cookie_arg(const char *cmd, const char *value,
                           char bind[STEPUP_BIND_LEN + 1])
{
    if (!*value) {
        errorf("%s: --bind-cookie: the session cookie value is empty", cmd);
        return RC_USAGE;
    }
    if (stepup_bind_compute(value, strlen(value), bind) != 0) {
        errorf("%s: cannot hash the session cookie (OpenSSL)", cmd);
        return RC_FAIL;
    }
    return RC_OK;
}

/* A request's digest as given to --txn. */
static int txn_arg(const char *cmd, const char *s,
                   char txn[STEPUP_TXN_LEN + 1])
{
    if (!stepup_txn_valid(s, strlen(s))) {
        errorf("%s: --txn: \"%s\" is not a request digest (22 base64url "
               "characters, as 'stepupctl token txn' prints)", cmd, s);
        return RC_USAGE;
    }
    memcpy(txn, s, STEPUP_TXN_LEN + 1);
    return RC_OK;
}

static apr_int64_t now_sec(void)
{
    return (apr_int64_t)apr_time_sec(apr_time_now());
}

/* ------------------------------------------------------------------ */
/* token mint                                                          */

static const apr_getopt_option_t mint_opts[] = {
    { "key-file", OPT_KEY_FILE, 1, "StepupKeyFile" },
    { "user", OPT_USER, 1, "the user" },
    { "acr", OPT_ACR, 1, "pwd, phr or phrh" },
    { "amr", OPT_AMR, 1, "pwd, hwk or swk" },
    { "ttl", OPT_TTL, 1, "lifetime in seconds" },
    { "auth-time", OPT_AUTH_TIME, 1, "epoch of the re-confirmation" },
    { "bind-cookie", OPT_BIND_COOKIE, 1, "session cookie value" },
    { "txn", OPT_TXN, 1, "the request's digest" },
    { "help", 'h', 0, "this help" },
    { NULL, 0, 0, NULL }
};

/* An amr that can have produced the acr: a password gives pwd only, a
 * passkey gives phr, a hardware-bound one phrh (doc/token.md section 4). */
static int amr_fits_acr(stepup_amr amr, stepup_acr acr)
{
    switch (acr) {
    case STEPUP_ACR_PWD:  return amr == STEPUP_AMR_PWD;
    case STEPUP_ACR_PHR:  return amr == STEPUP_AMR_HWK
                              || amr == STEPUP_AMR_SWK;
    case STEPUP_ACR_PHRH: return amr == STEPUP_AMR_HWK;
    }
    return 0;
}

/* The level and the method, from --acr and --amr. */
static int mint_level(const char *name, const parsed_args *pa,
                      stepup_token *t)
{
    const char *s;
    int rc;

    t->acr = STEPUP_ACR_PWD;
    if ((s = OPTVAL(pa, OPT_ACR)) && (rc = acr_arg(name, s, &t->acr)))
        return rc;
    if (!(s = OPTVAL(pa, OPT_AMR))) {
        t->amr = t->acr == STEPUP_ACR_PWD ? STEPUP_AMR_PWD : STEPUP_AMR_HWK;
        return RC_OK;
    }
    if (stepup_amr_parse(s, strlen(s), &t->amr) != 0) {
        errorf("%s: --amr: \"%s\" is not pwd, hwk or swk", name, s);
        return RC_USAGE;
    }
    if (!amr_fits_acr(t->amr, t->acr)) {
        errorf("%s: --amr %s cannot give --acr %s", name,
               stepup_amr_name(t->amr), stepup_acr_name(t->acr));
        return RC_USAGE;
    }
    return RC_OK;
}

/* The times, from --auth-time and --ttl. */
static int mint_times(const char *name, const parsed_args *pa,
                      stepup_token *t)
{
    apr_int64_t ttl = DEFAULT_TTL;
    const char *s;
    int rc;

    if ((s = OPTVAL(pa, OPT_TTL))
        && (rc = seconds_arg(name, "ttl", s, 1, TIME_MAX, &ttl)))
        return rc;
    if ((s = OPTVAL(pa, OPT_AUTH_TIME))) {
        if ((rc = seconds_arg(name, "auth-time", s, 0, TIME_MAX,
                              &t->auth_time)))
            return rc;
    }
    else {
        t->auth_time = now_sec();
    }
    if (ttl > TIME_MAX - t->auth_time) {
        errorf("%s: --ttl: auth-time + ttl is beyond %" APR_INT64_T_FMT,
               name, TIME_MAX);
        return RC_USAGE;
    }
    t->expires = t->auth_time + ttl;
    return RC_OK;
}

/* Every field of the token from the options. */
static int mint_fields(const char *name, const parsed_args *pa,
                       stepup_token *t)
{
    const char *s;
    int rc;

    memset(t, 0, sizeof(*t));
    t->user = OPTVAL(pa, OPT_USER);
    if (!*t->user) {
        errorf("%s: --user: the user name is empty", name);
        return RC_USAGE;
    }
    if ((rc = mint_level(name, pa, t)) != RC_OK
        || (rc = mint_times(name, pa, t)) != RC_OK)
        return rc;
    if ((s = OPTVAL(pa, OPT_BIND_COOKIE))
        && (rc = bind_cookie_arg(name, s, t->bind)))
        return rc;
    if ((s = OPTVAL(pa, OPT_TXN)) && (rc = txn_arg(name, s, t->txn)))
        return rc;
    return RC_OK;
}

int cmd_token_mint(apr_pool_t *p, const command *cmd, int argc,
                   const char *const *argv)
{
    const char *name = argv[0], *tok;
    stepup_keyset *ks;
    stepup_token t;
    parsed_args pa;
    int rc;

    if ((rc = parse_command(p, cmd, mint_opts, argc, argv, &pa)) != RC_OK)
        return rc == RC_HELP ? RC_OK : rc;
    if (pa.nargs > 0) {
        errorf("%s: unexpected argument \"%s\" (see 'stepupctl %s --help')",
               name, pa.args[0], name);
        return RC_USAGE;
    }
    if ((rc = require_opt(name, &pa, OPT_KEY_FILE, "key-file")) != RC_OK
        || (rc = require_opt(name, &pa, OPT_USER, "user")) != RC_OK
        || (rc = mint_fields(name, &pa, &t)) != RC_OK)
        return rc;

    if ((rc = load_keys(p, name, OPTVAL(&pa, OPT_KEY_FILE), &ks)) != RC_OK)
        return rc;
    if (!(tok = stepup_token_mint(p, ks, &t))) {
        /* the fields are checked above: only the size or HMAC can fail */
        errorf("%s: cannot mint the token (longer than %d bytes with this "
               "user name, or HMAC failure)", name, STEPUP_TOKEN_MAX);
        return RC_FAIL;
    }
    printf("%s\n", tok);
    return RC_OK;
}

/* ------------------------------------------------------------------ */
/* token verify                                                        */

static const apr_getopt_option_t verify_opts[] = {
    { "key-file", OPT_KEY_FILE, 1, "StepupKeyFile" },
    { "user", OPT_USER, 1, "the expected user" },
    { "max-age", OPT_MAX_AGE, 1, "maximum age in seconds" },
    { "acr", OPT_ACR, 1, "minimum level" },
    { "bind-cookie", OPT_BIND_COOKIE, 1, "session cookie value" },
    { "now", OPT_NOW, 1, "epoch to check against" },
    { "txn", OPT_TXN, 1, "the request's digest" },
    { "help", 'h', 0, "this help" },
    { NULL, 0, 0, NULL }
};


/* Reads the token from stdin, without surrounding white space. More than
 * STEPUP_TOKEN_MAX bytes come back as STEPUP_TOKEN_MAX + 1, which the
 * core refuses as malformed. */
static int read_stdin_token(apr_pool_t *p, const char *name,
                            const char **out, size_t *outlen)
{
    const char *buf;
    size_t len;
    int rc = read_stdin(p, name, STEPUP_TOKEN_MAX + 64, &buf, &len);

    if (rc != RC_OK)
        return rc;
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'
                   || buf[len - 1] == ' ' || buf[len - 1] == '\t'))
        len--;
    while (len && (*buf == ' ' || *buf == '\t' || *buf == '\n'
                   || *buf == '\r')) {
        buf++;
        len--;
    }
    /* the copy ends at the token (a verifier may read it as a string) */
    *out = apr_pstrmemdup(p, buf, len);
    *outlen = len > STEPUP_TOKEN_MAX ? STEPUP_TOKEN_MAX + 1 : len;
    return RC_OK;
}

/* The policy from the options; bind is where pol->bind points. */
static int verify_policy(const char *name, const parsed_args *pa,
                         stepup_policy *pol, char bind[STEPUP_BIND_LEN + 1])
{
    const char *s;
    int rc;

    memset(pol, 0, sizeof(*pol));
    pol->max_age = APR_INT64_MAX;   /* no limit but expires */
    pol->lifetime = 0;
    pol->min_acr = STEPUP_ACR_PWD;
    pol->user = OPTVAL(pa, OPT_USER);
    if (pol->user && !*pol->user) {
        errorf("%s: --user: the user name is empty", name);
        return RC_USAGE;
    }
    if ((s = OPTVAL(pa, OPT_MAX_AGE))
        && (rc = seconds_arg(name, "max-age", s, 0, TIME_MAX,
                             &pol->max_age)))
        return rc;
    if ((s = OPTVAL(pa, OPT_ACR)) && (rc = acr_arg(name, s, &pol->min_acr)))
        return rc;
    pol->now = now_sec();
    if ((s = OPTVAL(pa, OPT_NOW))
        && (rc = seconds_arg(name, "now", s, 0, TIME_MAX, &pol->now)))
        return rc;
    if ((s = OPTVAL(pa, OPT_BIND_COOKIE))) {
        if ((rc = bind_cookie_arg(name, s, bind)))
            return rc;
        pol->bind = bind;
    }
    return RC_OK;
}

/* The TOKEN operand, or standard input for "-". */
static int verify_token_arg(apr_pool_t *p, const char *name, const char *arg,
                            const char **tok, size_t *toklen)
{
    if (!strcmp(arg, "-"))
        return read_stdin_token(p, name, tok, toklen);
    *tok = arg;
    *toklen = strlen(arg);
    if (*toklen > STEPUP_TOKEN_MAX)
        *toklen = STEPUP_TOKEN_MAX + 1;
    return RC_OK;
}

static void print_token(apr_pool_t *p, const stepup_token *t)
{
    printf("version: %s\n", t->txn[0] ? "v2" : "v1");
    printf("kid: %s\n", t->kid);
    printf("user: %s\n", printable(p, t->user));
    printf("auth_time: %" APR_INT64_T_FMT "\n", t->auth_time);
    printf("auth_time_utc: %s\n", utc_time(p, t->auth_time));
    printf("expires: %" APR_INT64_T_FMT "\n", t->expires);
    printf("expires_utc: %s\n", utc_time(p, t->expires));
    printf("acr: %s\n", stepup_acr_name(t->acr));
    printf("amr: %s\n", stepup_amr_name(t->amr));
    printf("bind: %s\n", t->bind[0] ? t->bind : "-");
    if (t->txn[0])
        printf("txn: %s\n", t->txn);
}

int cmd_token_verify(apr_pool_t *p, const command *cmd, int argc,
                     const char *const *argv)
{
    const char *name = argv[0], *s, *tok;
    char bind[STEPUP_BIND_LEN + 1], txnbuf[STEPUP_TXN_LEN + 1], *txn = NULL;
    stepup_keyset *ks;
    stepup_policy pol;
    stepup_token t;
    stepup_token_status st;
    parsed_args pa;
    size_t toklen;
    int rc;

    if ((rc = parse_command(p, cmd, verify_opts, argc, argv, &pa)) != RC_OK)
        return rc == RC_HELP ? RC_OK : rc;
    if ((rc = require_opt(name, &pa, OPT_KEY_FILE, "key-file")) != RC_OK)
        return rc;
    if (pa.nargs != 1) {
        errorf("%s: %s (see 'stepupctl %s --help')", name,
               pa.nargs ? "one TOKEN only" : "the TOKEN (or - for stdin) "
               "is missing", name);
        return RC_USAGE;
    }
    if ((rc = verify_policy(name, &pa, &pol, bind)) != RC_OK)
        return rc;
    if ((s = OPTVAL(&pa, OPT_TXN))) {
        if ((rc = txn_arg(name, s, txnbuf)) != RC_OK)
            return rc;
        txn = txnbuf;
    }
    if ((rc = load_keys(p, name, OPTVAL(&pa, OPT_KEY_FILE), &ks)) != RC_OK
        || (rc = verify_token_arg(p, name, pa.args[0], &tok, &toklen)))
        return rc;

    st = stepup_token_verify_txn(p, ks, tok, toklen, &pol, txn, &t);
    if (st != STEPUP_TOKEN_OK) {
        errorf("%s: token rejected: %s%s", name, stepup_token_status_str(st),
               st == STEPUP_TOKEN_TXN_UNEXPECTED ? " (give --txn)" : "");
        return RC_FAIL;
    }
    print_token(p, &t);
    return RC_OK;
}

/* ------------------------------------------------------------------ */
/* token txn                                                           */

static const apr_getopt_option_t txn_opts[] = {
    { "help", 'h', 0, "this help" },
    { NULL, 0, 0, NULL }
};

/* Feeds the file at path ("-": standard input) to the digest, a piece at
 * a time as the module feeds a request body. */
static int txn_body(apr_pool_t *p, const char *name, const char *path,
                    stepup_txn_ctx *ctx)
{
    char buf[16384], err[128];
    apr_file_t *f;
    apr_status_t rv;
    apr_size_t n;

    rv = strcmp(path, "-") ? apr_file_open(&f, path, APR_FOPEN_READ,
                                           APR_FPROT_OS_DEFAULT, p)
                           : apr_file_open_stdin(&f, p);
    if (rv != APR_SUCCESS) {
        errorf("%s: %s: %s", name, path, apr_strerror(rv, err, sizeof(err)));
        return RC_FAIL;
    }
    do {
        n = sizeof(buf);
        rv = apr_file_read(f, buf, &n);
        if (n && stepup_txn_body(ctx, buf, n) != 0) {
            errorf("%s: the digest failed (OpenSSL)", name);
            return RC_FAIL;
        }
    } while (rv == APR_SUCCESS);
    if (rv != APR_EOF) {
        errorf("%s: %s: %s", name, path, apr_strerror(rv, err, sizeof(err)));
        return RC_FAIL;
    }
    return RC_OK;
}

int cmd_token_txn(apr_pool_t *p, const command *cmd, int argc,
                  const char *const *argv)
{
    const char *name = argv[0];
    char b64[STEPUP_TXN_LEN + 1];
    stepup_txn_ctx *ctx;
    parsed_args pa;
    int rc;

    if ((rc = parse_command(p, cmd, txn_opts, argc, argv, &pa)) != RC_OK)
        return rc == RC_HELP ? RC_OK : rc;
    if (pa.nargs < 2 || pa.nargs > 4) {
        errorf("%s: METHOD TARGET [CONTENT-TYPE [BODYFILE|-]] (see "
               "'stepupctl %s --help')", name, name);
        return RC_USAGE;
    }
    if (!(ctx = stepup_txn_start(p, pa.args[0], pa.args[1],
                                 pa.nargs > 2 ? pa.args[2] : NULL))) {
        errorf("%s: not a request line: METHOD and TARGET must be non-empty "
               "without spaces or line feeds, CONTENT-TYPE without line "
               "feeds", name);
        return RC_USAGE;
    }
    if (pa.nargs > 3 && (rc = txn_body(p, name, pa.args[3], ctx)) != RC_OK)
        return rc;
    if (stepup_txn_finish(ctx, NULL, b64) != 0) {
        errorf("%s: the digest failed (OpenSSL)", name);
        return RC_FAIL;
    }
    printf("%s\n", b64);
    return RC_OK;
}

