/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * POST bodies as text (include/stepup_body_parse.h): pure string work,
 * so that the unit tests and the fuzzers reach it without httpd.
 */
#include <string.h>
#include <strings.h>

#include <apr_escape.h>
#include <apr_strings.h>
#include <jansson.h>

#include "stepup_body_parse.h"

int stepup_content_type_is(const char *ct, const char *type)
{
    size_t n = strlen(type);

    return ct && !strncasecmp(ct, type, n)
        && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* One "name=value" pair (cut in place) into fields. */
static int form_field(apr_pool_t *p, char *pair, apr_table_t *fields,
                      const char **why)
{
    char *eq = strchr(pair, '=');
    const char *name, *value;

    if (eq)
        *eq = '\0';
    name = apr_punescape_url(p, pair, NULL, NULL, 1);
    value = apr_punescape_url(p, eq ? eq + 1 : "", NULL, NULL, 1);
    if (!name || !value) {
        *why = "malformed URL-encoding in the request body";
        return -1;
    }
    if (!*name) {
        *why = "a form field has no name";
        return -1;
    }
    if (apr_table_get(fields, name)) {
        *why = apr_psprintf(p, "form field \"%s\" is given twice", name);
        return -1;
    }
    apr_table_setn(fields, name, value);
    return 0;
}

int stepup_form_parse(apr_pool_t *p, const char *body, size_t len,
                      apr_table_t **form, const char **why)
{
    apr_table_t *fields = apr_table_make(p, 4);
    char *text, *pair, *last = NULL;

    *form = NULL;
    if (memchr(body, '\0', len)) {
        *why = "NUL byte in the request body";
        return -1;
    }
    text = apr_pstrmemdup(p, body, len);
    for (pair = apr_strtok(text, "&", &last); pair;
         pair = apr_strtok(NULL, "&", &last))
        if (form_field(p, pair, fields, why) != 0)
            return -1;
    *form = fields;
    return 0;
}

apr_status_t stepup_json_release(void *doc)
{
    json_decref(doc);
    return APR_SUCCESS;
}

int stepup_json_object_parse(apr_pool_t *p, const char *text, size_t len,
                             json_t **out, const char **why)
{
    json_error_t error;
    json_t *doc;

    *out = NULL;
    doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &error);
    if (!doc) {
        *why = apr_psprintf(p, "malformed JSON body: %s (line %d)",
                            error.text, error.line);
        return -1;
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        *why = "the JSON body must be an object";
        return -1;
    }
    apr_pool_cleanup_register(p, doc, stepup_json_release,
                              apr_pool_cleanup_null);
    *out = doc;
    return 0;
}
