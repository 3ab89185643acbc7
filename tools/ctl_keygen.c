/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * stepupctl keygen: a new line for StepupKeyFile, a random secret under
 * the key id given (or one from today's date). The only command that
 * prints a secret.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <apr_time.h>
#include <openssl/crypto.h>   /* OPENSSL_cleanse */

#include "stepup_b64url.h"
#include "stepup_keys.h"

#include "ctl_common.h"

static const apr_getopt_option_t keygen_opts[] = {
    { "help", 'h', 0, "this help" },
    { NULL, 0, 0, NULL }
};

int cmd_keygen(apr_pool_t *p, const command *cmd, int argc,
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

