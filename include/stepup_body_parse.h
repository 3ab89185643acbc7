/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * POST bodies as text, once read (the module reads them with a bound in
 * src/httpd/body.c): the Content-Type check, HTML forms
 * (application/x-www-form-urlencoded) and JSON objects.
 */
#ifndef STEPUP_BODY_PARSE_H
#define STEPUP_BODY_PARSE_H

#include <stddef.h>
#include <apr_pools.h>
#include <apr_tables.h>

/* 1 when the Content-Type value ct (may be NULL) is type, alone or
 * followed by parameters (';' or ' '); the type compared without case. */
int stepup_content_type_is(const char *ct, const char *type);

/* Splits the form body[0..len) on '&' and '=' and decodes each name and
 * value with APR's apr_punescape_url ('+' as space), which refuses bad
 * %-escapes and %00; httpd's ap_parse_form_data would decode those
 * silently, and a malformed body must be refused, not guessed at. 0 with
 * the fields in *form (from p), or -1 with a one-line reason: a NUL byte,
 * a bad escape, a field without a name, a name given twice. */
int stepup_form_parse(apr_pool_t *p, const char *body, size_t len,
                      apr_table_t **form, const char **why);

/* The plain fields of a multipart/form-data body[0..len) whose
 * Content-Type is ct (its boundary parameter), as text (src/core/
 * multipart.c): parts with a filename (files) and parts holding a NUL are
 * left out, a repeated name keeps its first value. 0 with *form, or -1 with
 * a one-line reason (no boundary, a malformed or unterminated body). */
int stepup_multipart_parse(apr_pool_t *p, const char *ct, const char *body,
                            size_t len, apr_table_t **form,
                            const char **why);

/* Parses text[0..len) as one JSON object (jansson, duplicate keys
 * refused), released when p is cleared: 0 with *out, or -1 with a
 * one-line reason. */
struct json_t;
int stepup_json_object_parse(apr_pool_t *p, const char *text, size_t len,
                             struct json_t **out, const char **why);

/* A pool cleanup that releases a jansson value (json_decref). */
apr_status_t stepup_json_release(void *doc);

#endif
