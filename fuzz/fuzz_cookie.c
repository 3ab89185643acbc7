/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The step-up and bind cookies as the module reads them from the Cookie
 * and Cookie2 headers (src/core/cookie_parse.c, as src/httpd/cookie.c
 * calls it), then the token check behind them (src/core/token.c).
 *
 * Input: a flags byte (bit 0: StepupTokenHeader X-Stepup-Token on), then
 * lines, each one header: a first character '2' makes it Cookie2, 'H' the
 * token header, anything else Cookie; the rest is its value. A value
 * found for "stepup" is a piece of one header that follows "stepup=",
 * cut at ',' or ';'.
 */
#include "fuzz.h"
#include "stepup_cookie_parse.h"
#include "stepup_token.h"

#define FUZZ_HEADERS_MAX 64

typedef struct {
    const char *cookies[FUZZ_HEADERS_MAX];    /* Cookie and Cookie2 values */
    int ncookies;
    const char *token_header;                 /* the first one, or NULL */
} fuzz_headers;

/* What read_cookie in src/httpd/cookie.c does over the request's Cookie
 * and Cookie2 headers. */
static int read_cookie(apr_pool_t *p, const fuzz_headers *h,
                       const char *name, const char **value)
{
    stepup_cookie_scan s;
    int i;

    stepup_cookie_scan_start(&s, name);
    for (i = 0; i < h->ncookies; i++)
        stepup_cookie_scan_header(&s, h->cookies[i]);
    return stepup_cookie_scan_value(p, &s, value);
}

/* 1 when v is the value of a "stepup=" piece in one Cookie(2) header */
static int came_from_a_cookie(const fuzz_headers *h, const char *v)
{
    size_t n = strlen(v);
    int i;

    for (i = 0; i < h->ncookies; i++) {
        const char *at = h->cookies[i];

        while ((at = strstr(at, "stepup="))) {
            at += 7;
            if (!strncmp(at, v, n)
                && (at[n] == '\0' || at[n] == ';' || at[n] == ','))
                return 1;
        }
    }
    return 0;
}

static void split_headers(char *text, fuzz_headers *h)
{
    char *line, *next;

    memset(h, 0, sizeof(*h));
    for (line = text; line; line = next) {
        if ((next = strchr(line, '\n')))
            *next++ = '\0';
        if (*line == 'H') {
            if (!h->token_header)
                h->token_header = line + 1;
        }
        else if (h->ncookies < FUZZ_HEADERS_MAX)
            h->cookies[h->ncookies++] = *line ? line + 1 : line;
    }
}

/* The token from a cookie: one piece's value, or nothing when it came
 * twice with different values. */
static void check_cookie_token(apr_pool_t *p, const fuzz_headers *h)
{
    const char *token = NULL, *one = NULL;
    int rc = read_cookie(p, h, "stepup", &token), i;

    FUZZ_CHECK(rc == 0 || !token);
    /* two values in one header are two in the request */
    for (i = 0; rc == 0 && i < h->ncookies; i++)
        FUZZ_CHECK(stepup_cookie_get(p, h->cookies[i], "stepup", &one) == 0);
    if (!token)
        return;
    FUZZ_CHECK(!strchr(token, ';') && !strchr(token, ','));
    FUZZ_CHECK(came_from_a_cookie(h, token));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    fuzz_headers h;
    stepup_policy pol;
    stepup_token t;
    char bindbuf[STEPUP_BIND_LEN + 1];
    const char *token = NULL, *bind = "", *session = NULL;

    if (size < 1)
        return 0;
    p = fuzz_pool();
    split_headers(fuzz_cstr(p, data + 1, size - 1), &h);
    check_cookie_token(p, &h);
    /* stepup_request_token: the header first when configured */
    if ((data[0] & 1) && h.token_header)
        token = h.token_header;
    else
        (void)read_cookie(p, &h, "stepup", &token);
    /* stepup_request_bind */
    if (read_cookie(p, &h, "session", &session) == 0 && session && *session
        && stepup_bind_compute(session, strlen(session), bindbuf) == 0)
        bind = bindbuf;
    FUZZ_CHECK(!*bind || strlen(bind) == STEPUP_BIND_LEN);
    if (token) {
        /* what authz.c does with it */
        memset(&pol, 0, sizeof(pol));
        pol.now = 1700000000;
        pol.max_age = 300;
        pol.min_acr = STEPUP_ACR_PWD;
        pol.bind = bind;
        (void)stepup_token_verify(p, fuzz_keyset(), token, strlen(token),
                                  &pol, &t);
    }
    apr_pool_destroy(p);
    return 0;
}
