/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * stepupctl: the admin command line of mod_stepup (doc/operations.md section 10).
 *
 *   stepupctl keygen [KID]
 *   stepupctl token mint   --key-file F --user U [...]
 *   stepupctl token verify --key-file F [...] TOKEN|-
 *   stepupctl token txn    METHOD TARGET [CONTENT-TYPE [BODYFILE|-]]
 *   stepupctl webauthn verify-registration   [...] < RegistrationResponseJSON
 *   stepupctl webauthn verify-authentication [...] < AuthenticationResponseJSON
 *
 * Everything about keys, tokens and WebAuthn is the core's (stepup_keys.h,
 * stepup_token.h, stepup_txn.h, stepup_webauthn.h); this file only parses
 * the command
 * line and prints.
 * Exit codes: 0 success, 1 rejected or failed, 2 usage error. Errors go to
 * stderr as one line starting with "stepupctl: ". A secret is printed only
 * by keygen.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_file_io.h>
#include <apr_getopt.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_time.h>
#include <jansson.h>
#include <openssl/crypto.h>   /* OPENSSL_cleanse */

#include "stepup_aaguid.h"
#include "stepup_b64url.h"
#include "stepup_keys.h"
#include "stepup_token.h"
#include "stepup_txn.h"
#include "stepup_webauthn.h"

#define RC_OK     0
#define RC_FAIL   1   /* rejected token, bad key file, runtime failure */
#define RC_USAGE  2   /* the command line is wrong */
#define RC_HELP   -1  /* not an exit code: --help was printed */

/* Times in the token are 1 to 12 decimal digits (the core's parser). */
#define TIME_MAX  APR_INT64_C(999999999999)

#define DEFAULT_TTL  300

/* ------------------------------------------------------------------ */
/* Output helpers                                                      */

/* Prints "stepupctl: <message>" on one line: control characters coming
 * from arguments (a path, an option) are shown as '?'. */
static void errorf(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    size_t i;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    for (i = 0; buf[i]; i++) {
        if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
            buf[i] = '?';
    }
    fprintf(stderr, "stepupctl: %s\n", buf);
}

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

/* ------------------------------------------------------------------ */
/* The command table                                                   */

typedef struct command command;

/* argv[0] is the command's name ("token mint"); the options follow. */
typedef int (*command_fn)(apr_pool_t *p, const command *cmd, int argc,
                          const char *const *argv);

struct command {
    const char *group;      /* "token", "webauthn", or NULL */
    const char *name;       /* "mint", or the command itself ("keygen") */
    command_fn run;         /* NULL: not available in this version */
    const char *summary;
    const char *help;       /* full --help text */
};

static int cmd_keygen(apr_pool_t *p, const command *cmd, int argc,
                      const char *const *argv);
static int cmd_token_mint(apr_pool_t *p, const command *cmd, int argc,
                          const char *const *argv);
static int cmd_token_verify(apr_pool_t *p, const command *cmd, int argc,
                            const char *const *argv);
static int cmd_token_txn(apr_pool_t *p, const command *cmd, int argc,
                         const char *const *argv);
static int cmd_webauthn_verify_registration(apr_pool_t *p, const command *cmd,
                                            int argc, const char *const *argv);
static int cmd_webauthn_verify_authentication(apr_pool_t *p,
                                              const command *cmd, int argc,
                                              const char *const *argv);

static const char keygen_help[] =
    "Usage: stepupctl keygen [KID]\n"
    "\n"
    "Prints a new key line \"KID SECRET\" for StepupKeyFile: 32 random bytes,\n"
    "base64url without padding. KID is 1 to 16 of [A-Za-z0-9_-]; the default\n"
    "is \"k\" and today's UTC date (kYYYYMMDD).\n"
    "\n"
    "The first line of the key file signs, every line verifies: to rotate,\n"
    "put the new line first and drop the old one after StepupLifetime.\n"
    "Keep the file mode 0600, e.g.:\n"
    "  (umask 077; stepupctl keygen >> /etc/apache2/stepup.keys)\n";

static const char mint_help[] =
    "Usage: stepupctl token mint --key-file F --user U [options]\n"
    "\n"
    "Prints a re-auth token signed with the first key of F: v1, or with\n"
    "--txn the transaction-bound v2, which opens only the request whose\n"
    "digest is TXN (see 'stepupctl token txn').\n"
    "\n"
    "  --key-file F          StepupKeyFile (mode 0600)\n"
    "  --user U              the user (r->user) the token is for\n"
    "  --acr pwd|phr|phrh    assurance level (default pwd)\n"
    "  --amr pwd|hwk|swk     method (default pwd for acr pwd, else hwk);\n"
    "                        pwd only with acr pwd, phrh only with hwk\n"
    "  --ttl S               lifetime in seconds (default 300):\n"
    "                        expires = auth-time + S\n"
    "  --auth-time EPOCH     when the user re-confirmed (default now)\n"
    "  --bind-cookie VALUE   bind to the session cookie with this value\n"
    "                        (the cookie named by StepupBindCookie)\n"
    "  --txn TXN             bind to one request: its digest, 22 base64url\n"
    "                        characters as 'stepupctl token txn' prints it\n"
    "  -h, --help            this help\n";

static const char verify_help[] =
    "Usage: stepupctl token verify --key-file F [options] TOKEN\n"
    "\n"
    "Checks a token as Require stepup does and prints its fields, one\n"
    "\"name: value\" per line (version v1 or v2; txn for v2). TOKEN \"-\"\n"
    "reads the token from standard input (keeps it out of the process\n"
    "list). Rejected: exit 1, reason on stderr. A v2 (transaction-bound)\n"
    "token is rejected unless --txn names its request.\n"
    "\n"
    "  --key-file F          StepupKeyFile (mode 0600)\n"
    "  --user U              the token must be for this user\n"
    "  --max-age S           the re-confirmation may be at most S seconds old\n"
    "                        (default: no limit besides expiry)\n"
    "  --acr pwd|phr|phrh    the minimum assurance level (default pwd)\n"
    "  --bind-cookie VALUE   the token must be bound to this session cookie\n"
    "  --now EPOCH           check as of this time (default now)\n"
    "  --txn TXN             the request's digest ('stepupctl token txn'):\n"
    "                        a v2 token must carry this one\n"
    "  -h, --help            this help\n";

static const char txn_help[] =
    "Usage: stepupctl token txn METHOD TARGET [CONTENT-TYPE [BODYFILE|-]]\n"
    "\n"
    "Prints the digest of a request that a v2 token is bound to, what\n"
    "'token mint --txn' takes:\n"
    "  base64url(first 16 bytes of SHA-256(METHOD SP TARGET LF\n"
    "                                       CONTENT-TYPE LF BODY))\n"
    "TARGET is the request-target as sent (path and query), CONTENT-TYPE\n"
    "the header's value (empty or absent: none), BODY the bytes of\n"
    "BODYFILE, or of standard input for \"-\" (absent: no body).\n"
    "\n"
    "  -h, --help            this help\n";

static const char verify_registration_help[] =
    "Usage: stepupctl webauthn verify-registration [options] < response.json\n"
    "\n"
    "Verifies a passkey registration as the confirm page does (WebAuthn L3\n"
    "7.1): reads the standard RegistrationResponseJSON (what the browser's\n"
    "PublicKeyCredential.toJSON() gives) on standard input and, when it\n"
    "verifies, prints one JSON object on one line:\n"
    "  credential_id        the credential id, base64url without padding\n"
    "  public_key           the COSE_Key, base64url: what --public-key of\n"
    "                       verify-authentication takes\n"
    "  alg                  COSE algorithm: -7 ES256, -257 RS256, -8 EdDSA\n"
    "  fmt                  attestation format: none, packed, fido-u2f,\n"
    "                       tpm, android-key, apple or android-safetynet\n"
    "  aaguid               the authenticator model's AAGUID as a string of\n"
    "                       32 lowercase hex digits, without dashes\n"
    "  sign_count           the signature counter\n"
    "  flags                the authenticatorData flags byte, as a number\n"
    "  backup_eligible      true or false (BE flag)\n"
    "  backup_state         true or false (BS flag)\n"
    "  attestation_trusted  true only with --attestation-roots, when the\n"
    "                       attestation certificate chain reaches one of them\n"
    "  attestation_type     none, self, basic, attca (tpm) or anonca (apple)\n"
    "  key_security         android-key: where the key lives, software, tee\n"
    "                       or strongbox (from the key description, counted\n"
    "                       only when the hardware-enforced list says so);\n"
    "                       unknown for the other formats\n"
    "Rejected: exit 1 and the reason on standard error.\n"
    "\n"
    "  --rp-id ID                the RP ID, e.g. example.com (required)\n"
    "  --origin URL              an accepted origin, exact match, e.g.\n"
    "                            https://example.com; repeat it to accept any\n"
    "                            of several (at least one required)\n"
    "  --challenge B64URL        the challenge that was issued (required)\n"
    "  --require-uv              require user verification (UV flag)\n"
    "  --allow-cross-origin      accept clientDataJSON.crossOrigin true\n"
    "  --attestation-roots PEM   trust anchors (PEM certificates): an x5c\n"
    "                            chain (packed, fido-u2f) that does not reach\n"
    "                            one of them is rejected; \"none\" and self\n"
    "                            attestation are accepted, untrusted. Without\n"
    "                            it only the attestation signature is checked\n"
    "  --now TIME                check the certificates' dates (and a\n"
    "                            SafetyNet timestamp) at TIME instead of now:\n"
    "                            epoch seconds or ISO 8601 (2021-04-02T23:11:27Z,\n"
    "                            2021-09-03T21:07:20.057Z, +01:00 offsets), for\n"
    "                            a recorded ceremony whose certificates have\n"
    "                            since expired. The dates are still checked\n"
    "  -h, --help                this help\n"
    "\n"
    "Base64url input is accepted with or without padding.\n";
static const char verify_authentication_help[] =
    "Usage: stepupctl webauthn verify-authentication [options] "
    "< response.json\n"
    "\n"
    "Verifies a passkey assertion as the confirm page does (WebAuthn L3 7.2):\n"
    "reads the standard AuthenticationResponseJSON on standard input, checks\n"
    "it against the stored credential (--public-key, --sign-count) and, when\n"
    "it verifies, prints one JSON object on one line:\n"
    "  sign_count        the new signature counter, to store\n"
    "  flags             the authenticatorData flags byte, as a number\n"
    "  user_verified     true or false (UV flag)\n"
    "  backup_eligible   true or false (BE flag)\n"
    "  backup_state      true or false (BS flag)\n"
    "Rejected: exit 1 and the reason on standard error.\n"
    "\n"
    "  --rp-id ID                the RP ID, e.g. example.com (required)\n"
    "  --origin URL              an accepted origin, exact match; repeat it\n"
    "                            to accept any of several (at least one\n"
    "                            required)\n"
    "  --challenge B64URL        the challenge that was issued (required)\n"
    "  --public-key COSE_B64URL  the credential's COSE_Key, base64url, as\n"
    "                            verify-registration printed it (required)\n"
    "  --sign-count N            the stored signature counter (default 0):\n"
    "                            when it or the received one is not 0, the\n"
    "                            received one must be greater\n"
    "  --require-uv              require user verification (UV flag)\n"
    "  --allow-cross-origin      accept clientDataJSON.crossOrigin true\n"
    "  -h, --help                this help\n"
    "\n"
    "Base64url input is accepted with or without padding.\n";

static const command commands[] = {
    { NULL, "keygen", cmd_keygen,
      "print a new key line for StepupKeyFile", keygen_help },
    { "token", "mint", cmd_token_mint,
      "mint a re-auth token", mint_help },
    { "token", "verify", cmd_token_verify,
      "verify a re-auth token and print its fields", verify_help },
    { "token", "txn", cmd_token_txn,
      "print the digest of a request, for mint --txn", txn_help },
    { "webauthn", "verify-registration", cmd_webauthn_verify_registration,
      "check a RegistrationResponseJSON", verify_registration_help },
    { "webauthn", "verify-authentication", cmd_webauthn_verify_authentication,
      "check an AuthenticationResponseJSON", verify_authentication_help },
};
#define NCOMMANDS ((int)(sizeof(commands) / sizeof(commands[0])))

static const char tool_help_head[] =
    "Usage: stepupctl COMMAND [options]\n"
    "\n"
    "The admin command line of mod_stepup.\n"
    "\n"
    "Commands:\n";
static const char tool_help_tail[] =
    "\n"
    "\"stepupctl COMMAND --help\" describes a command.\n"
    "Exit status: 0 success, 1 rejected or failed, 2 usage error.\n";

static const char *command_title(apr_pool_t *p, const command *c)
{
    return c->group ? apr_pstrcat(p, c->group, " ", c->name, NULL) : c->name;
}

static void print_command_list(apr_pool_t *p, const char *group)
{
    int i;

    for (i = 0; i < NCOMMANDS; i++) {
        const command *c = &commands[i];
        if (group && (!c->group || strcmp(c->group, group)))
            continue;
        printf("  %-32s %s%s\n", command_title(p, c), c->summary,
               c->run ? "" : " (not available in this version)");
    }
}

static int group_exists(const char *name, int *available)
{
    int i, found = 0;

    *available = 0;
    for (i = 0; i < NCOMMANDS; i++) {
        if (commands[i].group && !strcmp(commands[i].group, name)) {
            found = 1;
            if (commands[i].run)
                *available = 1;
        }
    }
    return found;
}

/* ------------------------------------------------------------------ */
/* Options                                                             */

enum {
    OPT_KEY_FILE = 256,
    OPT_USER,
    OPT_ACR,
    OPT_AMR,
    OPT_TTL,
    OPT_AUTH_TIME,
    OPT_BIND_COOKIE,
    OPT_MAX_AGE,
    OPT_NOW,
    OPT_TXN,
    OPT_END
};
#define NOPTS (OPT_END - OPT_KEY_FILE)

typedef struct parsed_args {
    const char *val[NOPTS];    /* by OPT_* - OPT_KEY_FILE; NULL: absent */
    int help;
    int nargs;
    const char *const *args;   /* the operands */
} parsed_args;

#define OPTVAL(pa, opt) ((pa)->val[(opt) - OPT_KEY_FILE])

/* apr_getopt_long refuses a bare "-" as an option: operands equal to "-"
 * are swapped for this marker before parsing and back afterwards. */
static const char stdin_marker[] = "\001-";

static const char *unmark(const char *s)
{
    return s == stdin_marker ? "-" : s;
}

typedef struct getopt_error {
    char msg[256];
} getopt_error;

static void getopt_errfn(void *arg, const char *fmt, ...)
{
    getopt_error *e = arg;
    va_list ap;
    size_t len;

    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    len = strlen(e->msg);
    while (len && (e->msg[len - 1] == '\n' || e->msg[len - 1] == '\r'))
        e->msg[--len] = '\0';
}

static const char *opt_name(const apr_getopt_option_t *opts, int optch)
{
    for (; opts->optch; opts++) {
        if (opts->optch == optch)
            return opts->name;
    }
    return "?";
}

/* The option reader both parsers share: options anywhere among the
 * operands, APR's messages caught to be printed as one line. */
typedef struct opt_reader {
    apr_getopt_t *os;
    getopt_error gerr;
    const char *title;      /* argv[0], the command title */
} opt_reader;

static int opt_begin(apr_pool_t *p, int argc, const char *const *argv,
                     opt_reader *r)
{
    r->title = argv[0];
    if (apr_getopt_init(&r->os, p, argc, argv) != APR_SUCCESS) {
        errorf("%s: out of memory", argv[0]);
        return RC_FAIL;
    }
    r->os->interleave = 1;
    r->os->errfn = getopt_errfn;
    r->os->errarg = &r->gerr;
    return RC_OK;
}

/* The next option: RC_OK with *optch and *arg set; OPT_DONE after the
 * last; RC_USAGE, printed, for a bad one. */
#define OPT_DONE (-1)
static int opt_next(opt_reader *r, const apr_getopt_option_t *opts,
                    int *optch, const char **arg)
{
    apr_status_t rv;

    r->gerr.msg[0] = '\0';
    rv = apr_getopt_long(r->os, opts, optch, arg);
    if (rv == APR_EOF)
        return OPT_DONE;
    if (rv != APR_SUCCESS) {
        /* APR's message starts with argv[0], the command title */
        errorf("%s (see 'stepupctl %s --help')",
               r->gerr.msg[0] ? r->gerr.msg : "bad option", r->title);
        return RC_USAGE;
    }
    return RC_OK;
}

/* Parses argv (argv[0] being the command title) against opts. Prints the
 * usage error itself and returns RC_USAGE, else RC_OK. */
static int parse_args(apr_pool_t *p, const apr_getopt_option_t *opts,
                      int argc, const char *const *argv, parsed_args *pa)
{
    const char **marked = apr_palloc(p, (argc + 1) * sizeof(*marked));
    opt_reader r;
    const char *arg, **operands;
    int i, optch, rc;

    memset(pa, 0, sizeof(*pa));
    for (i = 0; i < argc; i++)
        marked[i] = (i > 0 && !strcmp(argv[i], "-")) ? stdin_marker : argv[i];
    marked[argc] = NULL;
    if ((rc = opt_begin(p, argc, marked, &r)) != RC_OK)
        return rc;
    while ((rc = opt_next(&r, opts, &optch, &arg)) != OPT_DONE) {
        if (rc != RC_OK)
            return rc;
        if (optch == 'h') {
            pa->help = 1;
            continue;
        }
        if (optch < OPT_KEY_FILE || optch >= OPT_END)
            continue;
        if (OPTVAL(pa, optch)) {
            errorf("%s: --%s given more than once", argv[0],
                   opt_name(opts, optch));
            return RC_USAGE;
        }
        OPTVAL(pa, optch) = unmark(arg);
    }
    pa->nargs = r.os->argc - r.os->ind;
    operands = apr_palloc(p, (pa->nargs + 1) * sizeof(*operands));
    for (i = 0; i < pa->nargs; i++)
        operands[i] = unmark(r.os->argv[r.os->ind + i]);
    operands[pa->nargs] = NULL;
    pa->args = operands;
    return RC_OK;
}

/* parse_args, then --help: RC_HELP once the help is printed. */
static int parse_command(apr_pool_t *p, const command *cmd,
                         const apr_getopt_option_t *opts, int argc,
                         const char *const *argv, parsed_args *pa)
{
    int rc = parse_args(p, opts, argc, argv, pa);

    if (rc == RC_OK && pa->help) {
        fputs(cmd->help, stdout);
        return RC_HELP;
    }
    return rc;
}

/* A decimal number of seconds in [min, max]; prints a usage error. */
static int parse_seconds(const char *cmd, const char *opt, const char *s,
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

static int parse_acr(const char *cmd, const char *s, stepup_acr *acr)
{
    if (stepup_acr_parse(s, strlen(s), acr) != 0) {
        errorf("%s: --acr: \"%s\" is not pwd, phr or phrh", cmd, s);
        return RC_USAGE;
    }
    return RC_OK;
}

static int parse_bind_cookie(const char *cmd, const char *value,
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
static int parse_txn(const char *cmd, const char *s,
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
/* keygen                                                              */

static const apr_getopt_option_t keygen_opts[] = {
    { "help", 'h', 0, "this help" },
    { NULL, 0, 0, NULL }
};

static int cmd_keygen(apr_pool_t *p, const command *cmd, int argc,
                      const char *const *argv)
{
    parsed_args pa;
    const char *kid;
    char *line;
    int rc;

    if ((rc = parse_command(p, cmd, keygen_opts, argc, argv, &pa)) != RC_OK)
        return rc == RC_HELP ? RC_OK : rc;
    if (pa.nargs > 1) {
        errorf("%s: too many arguments (see 'stepupctl %s --help')",
               argv[0], argv[0]);
        return RC_USAGE;
    }
    if (pa.nargs == 1) {
        kid = pa.args[0];
    }
    else {
        apr_time_exp_t tm;
        apr_time_exp_gmt(&tm, apr_time_now());
        kid = apr_psprintf(p, "k%04d%02d%02d", tm.tm_year + 1900,
                           tm.tm_mon + 1, tm.tm_mday);
    }
    if (!stepup_kid_valid(kid, strlen(kid))) {
        errorf("%s: invalid key id \"%s\": 1 to %d of [A-Za-z0-9_-]",
               argv[0], kid, STEPUP_KID_MAX);
        return RC_USAGE;
    }
    if (!(line = stepup_keygen_line(p, kid))) {
        errorf("%s: the random generator failed (OpenSSL)", argv[0]);
        return RC_FAIL;
    }
    printf("%s\n", line);
    OPENSSL_cleanse(line, strlen(line));
    return RC_OK;
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
    if ((s = OPTVAL(pa, OPT_ACR)) && (rc = parse_acr(name, s, &t->acr)))
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
        && (rc = parse_seconds(name, "ttl", s, 1, TIME_MAX, &ttl)))
        return rc;
    if ((s = OPTVAL(pa, OPT_AUTH_TIME))) {
        if ((rc = parse_seconds(name, "auth-time", s, 0, TIME_MAX,
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
        && (rc = parse_bind_cookie(name, s, t->bind)))
        return rc;
    if ((s = OPTVAL(pa, OPT_TXN)) && (rc = parse_txn(name, s, t->txn)))
        return rc;
    return RC_OK;
}

static int cmd_token_mint(apr_pool_t *p, const command *cmd, int argc,
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

/* Standard input, up to cap bytes (the caller's parser refuses input
 * that reaches cap as too long), NUL-terminated. */
static int read_stdin(apr_pool_t *p, const char *name, apr_size_t cap,
                      const char **out, size_t *outlen)
{
    apr_size_t len = 0;
    char *buf = apr_palloc(p, cap + 1);
    apr_file_t *in;
    apr_status_t rv;

    if (apr_file_open_stdin(&in, p) != APR_SUCCESS) {
        errorf("%s: cannot open standard input", name);
        return RC_FAIL;
    }
    while (len < cap) {
        apr_size_t n = cap - len;
        rv = apr_file_read(in, buf + len, &n);
        len += n;
        if (rv == APR_EOF)
            break;
        if (rv != APR_SUCCESS) {
            char err[128];
            errorf("%s: reading standard input: %s", name,
                   apr_strerror(rv, err, sizeof(err)));
            return RC_FAIL;
        }
    }
    buf[len] = '\0';
    *out = buf;
    *outlen = len;
    return RC_OK;
}

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
        && (rc = parse_seconds(name, "max-age", s, 0, TIME_MAX,
                               &pol->max_age)))
        return rc;
    if ((s = OPTVAL(pa, OPT_ACR)) && (rc = parse_acr(name, s, &pol->min_acr)))
        return rc;
    pol->now = now_sec();
    if ((s = OPTVAL(pa, OPT_NOW))
        && (rc = parse_seconds(name, "now", s, 0, TIME_MAX, &pol->now)))
        return rc;
    if ((s = OPTVAL(pa, OPT_BIND_COOKIE))) {
        if ((rc = parse_bind_cookie(name, s, bind)))
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

static int cmd_token_verify(apr_pool_t *p, const command *cmd, int argc,
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
        if ((rc = parse_txn(name, s, txnbuf)) != RC_OK)
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

static int cmd_token_txn(apr_pool_t *p, const command *cmd, int argc,
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

/* ------------------------------------------------------------------ */
/* webauthn verify-registration, verify-authentication                 */

/* Options of the webauthn commands: --origin repeats, so they have their
 * own parser (the same apr_getopt_long loop as parse_args). */
enum {
    WA_RP_ID = 512,
    WA_ORIGIN,
    WA_CHALLENGE,
    WA_REQUIRE_UV,
    WA_ALLOW_CROSS_ORIGIN,
    WA_ROOTS,
    WA_PUBLIC_KEY,
    WA_SIGN_COUNT,
    WA_NOW
};

static const apr_getopt_option_t wa_registration_opts[] = {
    { "rp-id", WA_RP_ID, 1, "the RP ID" },
    { "origin", WA_ORIGIN, 1, "an accepted origin" },
    { "challenge", WA_CHALLENGE, 1, "the challenge, base64url" },
    { "require-uv", WA_REQUIRE_UV, 0, "require user verification" },
    { "allow-cross-origin", WA_ALLOW_CROSS_ORIGIN, 0, "accept crossOrigin" },
    { "attestation-roots", WA_ROOTS, 1, "PEM trust anchors" },
    { "now", WA_NOW, 1, "check certificates at this instant" },
    { "help", 'h', 0, "this help" },
    { NULL, 0, 0, NULL }
};

static const apr_getopt_option_t wa_authentication_opts[] = {
    { "rp-id", WA_RP_ID, 1, "the RP ID" },
    { "origin", WA_ORIGIN, 1, "an accepted origin" },
    { "challenge", WA_CHALLENGE, 1, "the challenge, base64url" },
    { "require-uv", WA_REQUIRE_UV, 0, "require user verification" },
    { "allow-cross-origin", WA_ALLOW_CROSS_ORIGIN, 0, "accept crossOrigin" },
    { "public-key", WA_PUBLIC_KEY, 1, "COSE_Key, base64url" },
    { "sign-count", WA_SIGN_COUNT, 1, "stored counter" },
    { "help", 'h', 0, "this help" },
    { NULL, 0, 0, NULL }
};

typedef struct wa_args {
    const char *rp_id, *challenge, *roots, *public_key, *sign_count, *now;
    apr_array_header_t *origins;     /* const char * */
    int require_uv, allow_cross_origin, help;
} wa_args;

static int wa_parse_args(apr_pool_t *p, const apr_getopt_option_t *opts,
                         int argc, const char *const *argv, wa_args *wa)
{
    opt_reader r;
    const char *arg, **slot;
    int optch, rc;

    memset(wa, 0, sizeof(*wa));
    wa->origins = apr_array_make(p, 4, sizeof(const char *));
    if ((rc = opt_begin(p, argc, argv, &r)) != RC_OK)
        return rc;
    while ((rc = opt_next(&r, opts, &optch, &arg)) != OPT_DONE) {
        if (rc != RC_OK)
            return rc;
        slot = NULL;
        switch (optch) {
        case 'h': wa->help = 1; continue;
        case WA_REQUIRE_UV: wa->require_uv = 1; continue;
        case WA_ALLOW_CROSS_ORIGIN: wa->allow_cross_origin = 1; continue;
        case WA_ORIGIN:
            if (!*arg) {
                errorf("%s: --origin: the origin is empty", argv[0]);
                return RC_USAGE;
            }
            APR_ARRAY_PUSH(wa->origins, const char *) = arg;
            continue;
        case WA_RP_ID: slot = &wa->rp_id; break;
        case WA_CHALLENGE: slot = &wa->challenge; break;
        case WA_ROOTS: slot = &wa->roots; break;
        case WA_PUBLIC_KEY: slot = &wa->public_key; break;
        case WA_SIGN_COUNT: slot = &wa->sign_count; break;
        case WA_NOW: slot = &wa->now; break;
        default: continue;
        }
        if (*slot) {
            errorf("%s: --%s given more than once", argv[0],
                   opt_name(opts, optch));
            return RC_USAGE;
        }
        *slot = arg;
    }
    if (r.os->ind < r.os->argc) {
        errorf("%s: unexpected argument \"%s\" (the response is read from "
               "standard input; see 'stepupctl %s --help')", argv[0],
               r.os->argv[r.os->ind], argv[0]);
        return RC_USAGE;
    }
    return RC_OK;
}

static int wa_require(const char *cmd, const char *val, const char *name)
{
    if (val && *val)
        return RC_OK;
    errorf("%s: --%s is required (see 'stepupctl %s --help')", cmd, name,
           cmd);
    return RC_USAGE;
}

/* n decimal digits at s into *v; 0 when they are all digits. */
static int digits(const char *s, int n, int *v)
{
    int i;

    *v = 0;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        *v = *v * 10 + (s[i] - '0');
    }
    return 0;
}

/* ISO 8601 in UTC or with an offset: YYYY-MM-DDTHH:MM:SS, an optional
 * fraction (dropped: certificates are dated to the second), then Z or
 * +HH:MM / -HH:MM. A date that does not exist (February 30) is refused. */
static int parse_iso8601(const char *s, apr_int64_t *out)
{
    apr_time_exp_t tm, back;
    apr_time_t t;
    int year, mon, day, hour, min, sec, oh = 0, om = 0, sign = 0;
    size_t i = 19;

    if (strlen(s) < 20 || digits(s, 4, &year) || s[4] != '-'
        || digits(s + 5, 2, &mon) || s[7] != '-' || digits(s + 8, 2, &day)
        || (s[10] != 'T' && s[10] != 't') || digits(s + 11, 2, &hour)
        || s[13] != ':' || digits(s + 14, 2, &min) || s[16] != ':'
        || digits(s + 17, 2, &sec))
        return -1;
    if (s[i] == '.') {
        for (i++; s[i] >= '0' && s[i] <= '9'; i++)
            ;
        if (i == 20)
            return -1;
    }
    if ((s[i] == 'Z' || s[i] == 'z') && s[i + 1] == '\0')
        ;
    else if ((s[i] == '+' || s[i] == '-') && strlen(s + i) == 6
             && !digits(s + i + 1, 2, &oh) && s[i + 3] == ':'
             && !digits(s + i + 4, 2, &om) && oh <= 23 && om <= 59)
        sign = s[i] == '+' ? 1 : -1;
    else
        return -1;
    if (year < 1970 || mon < 1 || mon > 12 || day < 1 || day > 31
        || hour > 23 || min > 59 || sec > 59)
        return -1;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    if (apr_time_exp_gmt_get(&t, &tm) != APR_SUCCESS
        || apr_time_exp_gmt(&back, t) != APR_SUCCESS
        || back.tm_mday != day || back.tm_mon != mon - 1)
        return -1;
    *out = apr_time_sec(t) - sign * (apr_int64_t)(oh * 3600 + om * 60);
    return 0;
}

/* --now: epoch seconds or ISO 8601, after 1970-01-01T00:00:00Z. */
static int parse_now(const char *cmd, const char *s, apr_int64_t *out)
{
    apr_int64_t v = 0;
    size_t i, len = strlen(s);

    for (i = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++)
        ;
    if (len > 0 && i == len) {
        if (len > 12)
            goto range;
        for (i = 0; i < len; i++)
            v = v * 10 + (s[i] - '0');
    }
    else if (parse_iso8601(s, &v) != 0) {
        errorf("%s: --now: \"%s\" is not epoch seconds or an ISO 8601 "
               "instant such as 2021-04-02T23:11:27Z", cmd, s);
        return RC_USAGE;
    }
    if (v >= 1 && v <= TIME_MAX) {
        *out = v;
        return RC_OK;
    }
range:
    errorf("%s: --now: \"%s\" is out of range (after 1970-01-01T00:00:00Z, "
           "at most %" APR_INT64_T_FMT ")", cmd, s, TIME_MAX);
    return RC_USAGE;
}

/* The policy from the options shared by both commands. */
static int wa_policy(apr_pool_t *p, const char *cmd, const wa_args *wa,
                     stepup_webauthn_policy *pol)
{
    unsigned char *challenge;
    size_t len;
    int rc;

    if ((rc = wa_require(cmd, wa->rp_id, "rp-id")) != RC_OK
        || (rc = wa_require(cmd, wa->challenge, "challenge")) != RC_OK)
        return rc;
    if (wa->origins->nelts == 0) {
        errorf("%s: --origin is required (see 'stepupctl %s --help')", cmd,
               cmd);
        return RC_USAGE;
    }
    if (stepup_b64url_decode(p, wa->challenge, strlen(wa->challenge),
                             &challenge, &len) != 0 || len == 0) {
        errorf("%s: --challenge: not a non-empty base64url value", cmd);
        return RC_USAGE;
    }
    memset(pol, 0, sizeof(*pol));
    pol->rp_id = wa->rp_id;
    pol->origins = (const char *const *)wa->origins->elts;
    pol->norigins = wa->origins->nelts;
    pol->challenge = challenge;
    pol->challenge_len = len;
    pol->require_uv = wa->require_uv;
    pol->allow_cross_origin = wa->allow_cross_origin;
    if (wa->now)
        return parse_now(cmd, wa->now, &pol->verify_time);
    return RC_OK;
}

/* Prints obj as one compact JSON line and releases it. */
static int wa_print(const char *cmd, json_t *obj)
{
    char *text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;

    json_decref(obj);
    if (!text) {
        errorf("%s: cannot build the JSON output (out of memory)", cmd);
        return RC_FAIL;
    }
    printf("%s\n", text);
    free(text);
    return RC_OK;
}

static const char *key_security_name(int level)
{
    switch (level) {
    case STEPUP_KEY_SECURITY_SOFTWARE:  return "software";
    case STEPUP_KEY_SECURITY_TEE:       return "tee";
    case STEPUP_KEY_SECURITY_STRONGBOX: return "strongbox";
    }
    return "unknown";
}

static int cmd_webauthn_verify_registration(apr_pool_t *p, const command *cmd,
                                            int argc, const char *const *argv)
{
    const char *name = argv[0], *why = NULL, *json;
    stepup_webauthn_policy pol;
    stepup_webauthn_response resp;
    stepup_webauthn_registration reg;
    stepup_trust_store *roots = NULL;
    size_t len;
    wa_args wa;
    int rc;

    if ((rc = wa_parse_args(p, wa_registration_opts, argc, argv, &wa))
        != RC_OK)
        return rc;
    if (wa.help) {
        fputs(cmd->help, stdout);
        return RC_OK;
    }
    if ((rc = wa_policy(p, name, &wa, &pol)) != RC_OK)
        return rc;
    if (wa.roots) {
        if (stepup_trust_load(p, wa.roots, &roots, &why) != 0) {
            errorf("%s: attestation roots %s: %s", name, wa.roots, why);
            return RC_FAIL;
        }
        pol.roots = roots;
    }
    if ((rc = read_stdin(p, name, STEPUP_WEBAUTHN_JSON_MAX + 1, &json, &len)) != RC_OK)
        return rc;
    if (stepup_webauthn_registration_json_parse(p, json, len, &resp, &why)
        != 0
        || stepup_webauthn_verify_registration(p, &pol, &resp, &reg, &why)
        != 0) {
        errorf("%s: rejected: %s", name, why ? why : "(no reason)");
        return RC_FAIL;
    }
    /* With --attestation-roots (doc/operations.md section 10) an x5c chain
     * must reach one of them (the module registers such a passkey as phr
     * instead) */
    if (roots && !reg.attestation_trusted && reg.attestation_type
        && strcmp(reg.attestation_type, "none")
        && strcmp(reg.attestation_type, "self")) {
        errorf("%s: rejected: %s", name, reg.attestation_untrusted
               ? reg.attestation_untrusted : "(no reason)");
        return RC_FAIL;
    }
    return wa_print(name, json_pack(
        "{s:s, s:s, s:i, s:s, s:s, s:I, s:i, s:b, s:b, s:b, s:s, s:s}",
        "credential_id",
        stepup_b64url_encode(p, reg.credential_id, reg.credential_id_len),
        "public_key",
        stepup_b64url_encode(p, reg.public_key, reg.public_key_len),
        "alg", reg.alg,
        "fmt", reg.fmt,
        "aaguid", stepup_aaguid_hex(p, reg.aaguid),
        "sign_count", (json_int_t)reg.sign_count,
        "flags", (int)reg.flags,
        "backup_eligible", reg.backup_eligible,
        "backup_state", reg.backup_state,
        "attestation_trusted", reg.attestation_trusted,
        "attestation_type", reg.attestation_type ? reg.attestation_type
                                                 : "none",
        "key_security", key_security_name(reg.key_security)));
}

static int cmd_webauthn_verify_authentication(apr_pool_t *p,
                                              const command *cmd, int argc,
                                              const char *const *argv)
{
    const char *name = argv[0], *why = NULL, *json;
    stepup_webauthn_policy pol;
    stepup_webauthn_response resp;
    stepup_webauthn_assertion as;
    unsigned char *key;
    apr_int64_t count = 0;
    size_t len, keylen;
    wa_args wa;
    int rc;

    if ((rc = wa_parse_args(p, wa_authentication_opts, argc, argv, &wa))
        != RC_OK)
        return rc;
    if (wa.help) {
        fputs(cmd->help, stdout);
        return RC_OK;
    }
    if ((rc = wa_policy(p, name, &wa, &pol)) != RC_OK
        || (rc = wa_require(name, wa.public_key, "public-key")) != RC_OK)
        return rc;
    if (stepup_b64url_decode(p, wa.public_key, strlen(wa.public_key), &key,
                             &keylen) != 0) {
        errorf("%s: --public-key: not base64url", name);
        return RC_USAGE;
    }
    if (wa.sign_count) {
        const char *s = wa.sign_count;
        size_t i, n = strlen(s);

        for (i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            if (count <= APR_INT64_C(0xffffffff))
                count = count * 10 + (s[i] - '0');
        if (n == 0 || i < n || n > 10 || count > APR_INT64_C(0xffffffff)) {
            errorf("%s: --sign-count: \"%s\" is not a counter (0 to "
                   "4294967295)", name, s);
            return RC_USAGE;
        }
    }
    if ((rc = read_stdin(p, name, STEPUP_WEBAUTHN_JSON_MAX + 1, &json, &len)) != RC_OK)
        return rc;
    if (stepup_webauthn_authentication_json_parse(p, json, len, &resp, &why)
        != 0
        || stepup_webauthn_verify_authentication(p, &pol, key, keylen,
                                                 (uint32_t)count, &resp, &as,
                                                 &why) != 0) {
        errorf("%s: rejected: %s", name, why ? why : "(no reason)");
        return RC_FAIL;
    }
    return wa_print(name, json_pack(
        "{s:I, s:i, s:b, s:b, s:b}",
        "sign_count", (json_int_t)as.sign_count,
        "flags", (int)as.flags,
        "user_verified", as.user_verified,
        "backup_eligible", as.backup_eligible,
        "backup_state", as.backup_state));
}

/* ------------------------------------------------------------------ */
/* Dispatch                                                            */

/* The subcommand of the group argv[1] in *c (NULL when unknown), or a
 * return code when there is nothing to run (help printed, a usage
 * error); -1 to go on. */
static int group_command(apr_pool_t *p, int argc, const char *const *argv,
                         int available, const command **c)
{
    const char *group = argv[1];
    int i;

    if (!available) {
        errorf("%s: not available in this version", group);
        return RC_USAGE;
    }
    if (argc < 3) {
        errorf("%s: missing subcommand (see 'stepupctl %s --help')",
               group, group);
        return RC_USAGE;
    }
    if (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h")) {
        printf("Usage: stepupctl %s SUBCOMMAND [options]\n\n"
               "Subcommands:\n", group);
        print_command_list(p, group);
        return RC_OK;
    }
    for (i = 0; i < NCOMMANDS; i++) {
        if (commands[i].group && !strcmp(commands[i].group, group)
            && !strcmp(commands[i].name, argv[2]))
            *c = &commands[i];
    }
    return -1;
}

static int dispatch(apr_pool_t *p, int argc, const char *const *argv)
{
    const command *c = NULL;
    const char *first, *title;
    const char **sub;
    int i, used, available;

    if (argc < 2) {
        errorf("no command (see 'stepupctl --help')");
        return RC_USAGE;
    }
    first = argv[1];
    if (!strcmp(first, "--help") || !strcmp(first, "-h")
        || !strcmp(first, "help")) {
        fputs(tool_help_head, stdout);
        print_command_list(p, NULL);
        fputs(tool_help_tail, stdout);
        return RC_OK;
    }
    if (first[0] == '-') {
        errorf("unknown option \"%s\" (see 'stepupctl --help')", first);
        return RC_USAGE;
    }

    if (group_exists(first, &available)) {
        if ((i = group_command(p, argc, argv, available, &c)) >= 0)
            return i;
        used = 3;
    }
    else {
        for (i = 0; i < NCOMMANDS; i++) {
            if (!commands[i].group && !strcmp(commands[i].name, first))
                c = &commands[i];
        }
        used = 2;
    }
    if (!c) {
        errorf("unknown command \"%s%s%s\" (see 'stepupctl --help')", first,
               used == 3 ? " " : "", used == 3 ? argv[2] : "");
        return RC_USAGE;
    }
    title = command_title(p, c);
    if (!c->run) {
        errorf("%s: not available in this version", title);
        return RC_USAGE;
    }
    /* the command sees its title as argv[0], then its own arguments */
    sub = apr_palloc(p, (argc - used + 2) * sizeof(*sub));
    sub[0] = title;
    for (i = used; i < argc; i++)
        sub[i - used + 1] = argv[i];
    sub[argc - used + 1] = NULL;
    return c->run(p, c, argc - used + 1, sub);
}

int main(int argc, const char *const *argv)
{
    apr_pool_t *pool;
    int rc;

    if (apr_app_initialize(&argc, &argv, NULL) != APR_SUCCESS) {
        fputs("stepupctl: cannot initialize APR\n", stderr);
        return RC_FAIL;
    }
    if (apr_pool_create(&pool, NULL) != APR_SUCCESS) {
        fputs("stepupctl: out of memory\n", stderr);
        apr_terminate();
        return RC_FAIL;
    }
    rc = dispatch(pool, argc, argv);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fputs("stepupctl: cannot write to standard output\n", stderr);
        rc = RC_FAIL;
    }
    apr_pool_destroy(pool);
    apr_terminate();
    return rc;
}
