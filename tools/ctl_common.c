/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The parts of stepupctl every command family uses: the one-line error
 * printer, the option reader and parser, standard input.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_file_io.h>
#include <apr_strings.h>

#include "ctl_common.h"

void errorf(const char *fmt, ...)
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

/* apr_getopt_long refuses a bare "-" as an option: operands equal to "-"
 * are swapped for this marker before parsing and back afterwards. */
static const char stdin_marker[] = "\001-";

static const char *unmark(const char *s)
{
    return s == stdin_marker ? "-" : s;
}

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

const char *opt_name(const apr_getopt_option_t *opts, int optch)
{
    for (; opts->optch; opts++) {
        if (opts->optch == optch)
            return opts->name;
    }
    return "?";
}

int opt_begin(apr_pool_t *p, int argc, const char *const *argv,
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

int opt_next(opt_reader *r, const apr_getopt_option_t *opts, int *optch,
             const char **arg)
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
int parse_command(apr_pool_t *p, const command *cmd,
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

int read_stdin(apr_pool_t *p, const char *name, apr_size_t cap,
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
