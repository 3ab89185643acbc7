/*
 * The step-up and bind cookies as the module reads them from the Cookie
 * and Cookie2 headers (src/cookie.c, httpd side: see httpd_side.h), then
 * the token check behind them (src/token.c).
 *
 * Input: a flags byte (bit 0: StepupTokenHeader X-Stepup-Token on), then
 * lines, each one header: a first character '2' makes it Cookie2, 'H' the
 * token header, anything else Cookie; the rest is its value. A value
 * found for "stepup" is a piece of one header that follows "stepup=",
 * cut at ',' or ';'.
 */
#include "httpd_side.h"
#include "../src/httpd/cookie.c"

const char *stepup_conf_cookie_name(const stepup_dir_conf *d)
{
    return d->cookie_name ? d->cookie_name : STEPUP_DEFAULT_COOKIE;
}

AP_DECLARE(const char *) ap_run_http_scheme(const request_rec *r)
{
    (void)r;
    return "https";
}

/* 1 when v is the value of a "stepup=" piece in one Cookie(2) header */
static int came_from_a_cookie(request_rec *r, const char *v)
{
    const apr_array_header_t *h = apr_table_elts(r->headers_in);
    const apr_table_entry_t *e = (const apr_table_entry_t *)h->elts;
    int i;

    for (i = 0; i < h->nelts; i++) {
        const char *at = e[i].val;

        if (strcasecmp(e[i].key, "Cookie") && strcasecmp(e[i].key, "Cookie2"))
            continue;
        while ((at = strstr(at, "stepup="))) {
            at += 7;
            if (!strncmp(at, v, strlen(v))
                && (at[strlen(v)] == '\0' || at[strlen(v)] == ';'
                    || at[strlen(v)] == ','))
                return 1;
        }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    request_rec *r;
    stepup_dir_conf *dc;
    stepup_policy pol;
    stepup_token t;
    char bindbuf[STEPUP_BIND_LEN + 1];
    const char *token, *bind;
    char *text, *line, *next;

    if (size < 1)
        return 0;
    p = fuzz_pool();
    r = fuzz_request(p);
    dc = apr_pcalloc(p, sizeof(*dc));
    dc->cookie_name = "stepup";
    dc->bind_cookie = "session";
    dc->token_header = (data[0] & 1) ? "X-Stepup-Token" : NULL;
    dc->cookie_secure = STEPUP_SECURE_AUTO;
    text = fuzz_cstr(p, data + 1, size - 1);
    for (line = text; line; line = next) {
        if ((next = strchr(line, '\n')))
            *next++ = '\0';
        apr_table_add(r->headers_in, *line == '2' ? "Cookie2"
                      : *line == 'H' ? "X-Stepup-Token" : "Cookie",
                      *line ? line + 1 : line);
    }

    token = stepup_request_token(r, dc);
    bind = stepup_request_bind(r, dc, bindbuf);
    FUZZ_CHECK(bind && (!*bind || strlen(bind) == STEPUP_BIND_LEN));
    if (token && !(dc->token_header
                   && apr_table_get(r->headers_in, dc->token_header))) {
        FUZZ_CHECK(!strchr(token, ';') && !strchr(token, ','));
        FUZZ_CHECK(came_from_a_cookie(r, token));
    }
    if (token) {
        /* what authz.c does with it */
        memset(&pol, 0, sizeof(pol));
        pol.now = 1700000000;
        pol.max_age = 300;
        pol.min_acr = STEPUP_ACR_PWD;
        pol.bind = bind;
        (void)stepup_token_verify(p, fuzz_keyset(), token, strlen(token),
                                  &pol, &t);
        stepup_set_cookie(r, dc, token, 300);
    }
    stepup_clear_cookie(r, dc);
    apr_pool_destroy(p);
    return 0;
}
