/*
 * POST bodies as the handler reads them (src/body.c, httpd side: see
 * httpd_side.h): application/x-www-form-urlencoded forms and JSON. The
 * body reaches the code through stand-ins for httpd's
 * ap_setup_client_block / ap_should_client_block / ap_get_client_block.
 *
 * Input: a flags byte, then the body. Flags: bit 0: JSON, not a form;
 * bits 1-2: the Content-Type (right, with "; charset=UTF-8", absent,
 * wrong); bit 3: deliver the body 7 bytes at a time; bit 4: a read error
 * after the body; bit 5: chunked (no Content-Length known up front). A
 * form that is accepted has named, distinct fields.
 */
#include "httpd_side.h"
#include "../src/httpd/body.c"

static const unsigned char *body_data;
static size_t body_len, body_at;
static unsigned body_flags;

AP_DECLARE(int) ap_setup_client_block(request_rec *r, int read_policy)
{
    (void)read_policy;
    r->remaining = (body_flags & 32) ? 0 : (apr_off_t)body_len;
    return OK;
}

AP_DECLARE(int) ap_should_client_block(request_rec *r)
{
    (void)r;
    return 1;
}

AP_DECLARE(long) ap_get_client_block(request_rec *r, char *buffer,
                                     apr_size_t bufsiz)
{
    size_t n = body_len - body_at;

    (void)r;
    if (n == 0)
        return (body_flags & 16) ? -1 : 0;
    if ((body_flags & 8) && n > 7)
        n = 7;
    if (n > bufsiz)
        n = bufsiz;
    memcpy(buffer, body_data + body_at, n);
    body_at += n;
    return (long)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const types[2][4] = {
        { "application/x-www-form-urlencoded",
          "application/x-www-form-urlencoded; charset=UTF-8", NULL,
          "text/plain" },
        { "application/json", "application/json; charset=utf-8", NULL,
          "application/jsonx" }
    };
    apr_pool_t *p;
    request_rec *r;
    const char *why = NULL, *type;
    int json, rc;

    if (size < 1)
        return 0;
    p = fuzz_pool();
    r = fuzz_request(p);
    body_flags = data[0];
    body_data = data + 1;
    body_len = size - 1;
    body_at = 0;
    json = body_flags & 1;
    if ((type = types[json][(body_flags >> 1) & 3]))
        apr_table_setn(r->headers_in, "Content-Type", type);

    if (!json) {
        apr_table_t *form = NULL;

        rc = stepup_read_form(r, &form, &why);
        if (rc == OK) {
            const apr_array_header_t *h = apr_table_elts(form);
            const apr_table_entry_t *e = (const apr_table_entry_t *)h->elts;
            int i, j;

            FUZZ_CHECK(body_len <= STEPUP_FORM_MAX);
            for (i = 0; i < h->nelts; i++) {
                FUZZ_CHECK(e[i].key[0] && e[i].val);
                for (j = 0; j < i; j++)
                    FUZZ_CHECK(strcasecmp(e[i].key, e[j].key) != 0);
            }
        }
        else
            FUZZ_CHECK(why && *why);
    }
    else {
        json_t *doc = NULL;

        rc = stepup_read_json(r, &doc, &why);
        if (rc == OK)
            FUZZ_CHECK(doc && json_is_object(doc)
                       && body_len <= STEPUP_JSON_MAX);
        else
            FUZZ_CHECK(!doc && why && *why);
    }
    apr_pool_destroy(p);
    return 0;
}
