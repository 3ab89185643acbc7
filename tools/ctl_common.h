/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * What the stepupctl command files share: exit codes, the command table's
 * record, the option reader and the one-line error printer
 * (tools/ctl_common.c).
 */
#ifndef STEPUP_CTL_COMMON_H
#define STEPUP_CTL_COMMON_H

#include <stddef.h>

#include <apr_getopt.h>
#include <apr_pools.h>

#define RC_OK     0
#define RC_FAIL   1   /* rejected token, bad key file, runtime failure */
#define RC_USAGE  2   /* the command line is wrong */
#define RC_HELP   -1  /* not an exit code: --help was printed */

/* Times in the token are 1 to 12 decimal digits (the core's parser). */
#define TIME_MAX  APR_INT64_C(999999999999)

#define DEFAULT_TTL  300

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

/* The commands, one file per family: tools/ctl_keygen.c, ctl_token.c,
 * ctl_webauthn.c. */
int cmd_keygen(apr_pool_t *p, const command *cmd, int argc,
               const char *const *argv);
int cmd_token_mint(apr_pool_t *p, const command *cmd, int argc,
                   const char *const *argv);
int cmd_token_verify(apr_pool_t *p, const command *cmd, int argc,
                     const char *const *argv);
int cmd_token_txn(apr_pool_t *p, const command *cmd, int argc,
                  const char *const *argv);
int cmd_webauthn_verify_registration(apr_pool_t *p, const command *cmd,
                                     int argc, const char *const *argv);
int cmd_webauthn_verify_authentication(apr_pool_t *p, const command *cmd,
                                       int argc, const char *const *argv);

/* Prints "stepupctl: <message>" on one line: control characters coming
 * from arguments (a path, an option) are shown as '?'. */
void errorf(const char *fmt, ...);

/* ---- options ---- */

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

typedef struct getopt_error {
    char msg[256];
} getopt_error;

/* The option reader both parsers share (parse_command here, the webauthn
 * commands' own): options anywhere among the operands, APR's messages
 * caught to be printed as one line. */
typedef struct opt_reader {
    apr_getopt_t *os;
    getopt_error gerr;
    const char *title;      /* argv[0], the command title */
} opt_reader;

int opt_begin(apr_pool_t *p, int argc, const char *const *argv,
              opt_reader *r);
/* The next option: RC_OK with *optch and *arg set; OPT_DONE after the
 * last; RC_USAGE, printed, for a bad one. */
#define OPT_DONE (-1)
int opt_next(opt_reader *r, const apr_getopt_option_t *opts, int *optch,
             const char **arg);
/* The long name of the option optch, for messages. */
const char *opt_name(const apr_getopt_option_t *opts, int optch);
/* Parses argv against opts, then --help: RC_HELP once the help is
 * printed, RC_USAGE once a usage error is printed, else RC_OK. */
int parse_command(apr_pool_t *p, const command *cmd,
                  const apr_getopt_option_t *opts, int argc,
                  const char *const *argv, parsed_args *pa);

/* Standard input, up to cap bytes (the caller's parser refuses input
 * that reaches cap as too long), NUL-terminated. */
int read_stdin(apr_pool_t *p, const char *name, apr_size_t cap,
               const char **out, size_t *outlen);

#endif
