/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * stepupctl: the admin command line of mod_stepup (doc/operations.md
 * section 10).
 *
 *   stepupctl keygen [KID]
 *   stepupctl token mint   --key-file F --user U [...]
 *   stepupctl token verify --key-file F [...] TOKEN|-
 *   stepupctl token txn    METHOD TARGET [CONTENT-TYPE [BODYFILE|-]]
 *   stepupctl webauthn verify-registration   [...] < RegistrationResponseJSON
 *   stepupctl webauthn verify-authentication [...] < AuthenticationResponseJSON
 *
 * Everything about keys, tokens and WebAuthn is the core's (stepup_keys.h,
 * stepup_token.h, stepup_txn.h, stepup_webauthn.h); stepupctl only parses
 * the command line and prints. This file holds the command table, the
 * help texts and the dispatch; each family of commands has its file
 * (tools/ctl_keygen.c, ctl_token.c, ctl_webauthn.c), and what they share
 * is in tools/ctl_common.c.
 * Exit codes: 0 success, 1 rejected or failed, 2 usage error. Errors go to
 * stderr as one line starting with "stepupctl: ". A secret is printed only
 * by keygen.
 */
#include <stdio.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "ctl_common.h"

/* ------------------------------------------------------------------ */
/* The command table                                                   */

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
