/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * POST bodies as the module parses them once read (src/core/body_parse.c,
 * as src/httpd/body.c calls it): the Content-Type check,
 * application/x-www-form-urlencoded forms and JSON objects.
 *
 * And the plain fields of a multipart/form-data body (src/core/
 * multipart.c), what the confirm page shows of a kept form.
 *
 * Input: a flags byte, then the body. Flags: bit 0: JSON, not a form;
 * bits 1-2: the Content-Type (right, with "; charset=UTF-8", absent,
 * wrong); bit 6: multipart instead (bits 1-2 then choose its Content-Type:
 * boundary B, a quoted boundary, none, an empty one). The other bits chose
 * how httpd delivered the body when the target included the httpd side;
 * they are ignored. A form that is accepted has named, distinct fields.
 */
#include <strings.h>

#include <jansson.h>

#include "fuzz.h"
#include "stepup_body_parse.h"

static const char *const types[2][4] = {
    { "application/x-www-form-urlencoded",
      "application/x-www-form-urlencoded; charset=UTF-8", NULL,
      "text/plain" },
    { "application/json", "application/json; charset=utf-8", NULL,
      "application/jsonx" }
};

static void check_form(apr_pool_t *p, const char *body, size_t len)
{
    apr_table_t *form = NULL;
    const char *why = NULL;
    const apr_array_header_t *h;
    const apr_table_entry_t *e;
    int i, j;

    if (stepup_form_parse(p, body, len, &form, &why) != 0) {
        FUZZ_CHECK(!form && why && *why);
        return;
    }
    FUZZ_CHECK(form && !memchr(body, '\0', len));
    h = apr_table_elts(form);
    e = (const apr_table_entry_t *)h->elts;
    for (i = 0; i < h->nelts; i++) {
        FUZZ_CHECK(e[i].key[0] && e[i].val);
        for (j = 0; j < i; j++)
            FUZZ_CHECK(strcasecmp(e[i].key, e[j].key) != 0);
    }
}

static const char *const multipart_types[4] = {
    "multipart/form-data; boundary=B",
    "multipart/form-data; charset=utf-8; boundary=\"a b\"",
    "multipart/form-data", "multipart/form-data; boundary="
};

static void check_multipart(apr_pool_t *p, const char *ct, const char *body,
                            size_t len)
{
    apr_table_t *form = NULL;
    const char *why = NULL;
    const apr_array_header_t *h;
    const apr_table_entry_t *e;
    int i;

    if (stepup_multipart_parse(p, ct, body, len, &form, &why) != 0) {
        FUZZ_CHECK(!form && why && *why);
        return;
    }
    FUZZ_CHECK(form != NULL);
    h = apr_table_elts(form);
    e = (const apr_table_entry_t *)h->elts;
    for (i = 0; i < h->nelts; i++)
        FUZZ_CHECK(e[i].key[0] && e[i].val && strlen(e[i].val) < len);
}

static void check_json(apr_pool_t *p, const char *body, size_t len)
{
    json_t *doc = NULL;
    const char *why = NULL;

    if (stepup_json_object_parse(p, body, len, &doc, &why) == 0)
        FUZZ_CHECK(doc && json_is_object(doc));
    else
        FUZZ_CHECK(!doc && why && *why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    const char *type, *body;
    int json, want;

    if (size < 1)
        return 0;
    p = fuzz_pool();
    if (data[0] & 64) {
        check_multipart(p, multipart_types[(data[0] >> 1) & 3],
                        (const char *)data + 1, size - 1);
        apr_pool_destroy(p);
        return 0;
    }
    json = data[0] & 1;
    type = types[json][(data[0] >> 1) & 3];
    want = stepup_content_type_is(type, json ? "application/json"
                                  : "application/x-www-form-urlencoded");
    FUZZ_CHECK(want == (((data[0] >> 1) & 3) < 2));
    body = (const char *)data + 1;
    if (json)
        check_json(p, body, size - 1);
    else
        check_form(p, body, size - 1);
    apr_pool_destroy(p);
    return 0;
}
