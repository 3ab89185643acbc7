/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The plain fields of a multipart/form-data body (RFC 7578), for showing a
 * kept form (include/stepup_body_parse.h): pure byte work on a body in
 * memory, reached by the unit tests and the fuzzer without httpd. File
 * parts (with a filename) are skipped; nothing here decides anything, so a
 * body that does not parse simply shows nothing.
 */
#include <string.h>
#include <strings.h>

#include <apr_strings.h>

#include "stepup_body_parse.h"

#define BOUNDARY_MAX 70     /* RFC 2046 */
#define FIELDS_MAX 256

/* The first occurrence of needle[0..n) in hay[0..len), or NULL. */
static const char *find(const char *hay, size_t len, const char *needle,
                        size_t n)
{
    const char *at = hay, *end = hay + len;

    while (n && (size_t)(end - at) >= n
           && (at = memchr(at, needle[0], (size_t)(end - at) - n + 1))) {
        if (!memcmp(at, needle, n))
            return at;
        at++;
    }
    return NULL;
}

/* The value of parameter name (name="...", or a token) in a header value,
 * or NULL; a parameter is found after a ';' only. */
static const char *param(apr_pool_t *p, const char *value, const char *name)
{
    size_t n = strlen(name);
    const char *at = value, *end;

    while ((at = strchr(at, ';'))) {
        at++;
        while (*at == ' ' || *at == '\t')
            at++;
        if (strncasecmp(at, name, n) || at[n] != '=')
            continue;
        at += n + 1;
        if (*at == '"') {
            end = strchr(++at, '"');
            return end ? apr_pstrmemdup(p, at, (size_t)(end - at)) : NULL;
        }
        end = at + strcspn(at, "; \t");
        return apr_pstrmemdup(p, at, (size_t)(end - at));
    }
    return NULL;
}

/* The name of a part from its headers (hdr[0..len)), NULL for a file part
 * or one without a form-data Content-Disposition. */
static const char *part_name(apr_pool_t *p, const char *hdr, size_t len)
{
    char *text = apr_pstrmemdup(p, hdr, len), *line, *last = NULL;

    for (line = apr_strtok(text, "\r\n", &last); line;
         line = apr_strtok(NULL, "\r\n", &last)) {
        if (strncasecmp(line, "Content-Disposition:", 20))
            continue;
        line += 20;
        while (*line == ' ' || *line == '\t')
            line++;
        if (strncasecmp(line, "form-data", 9) || param(p, line, "filename"))
            return NULL;
        return param(p, line, "name");
    }
    return NULL;
}

/* "\r\n--" boundary: what ends every part. */
static const char *delimiter(apr_pool_t *p, const char *ct, size_t *n,
                             const char **why)
{
    const char *b = ct ? param(p, ct, "boundary") : NULL;

    if (!b || !*b || strlen(b) > BOUNDARY_MAX) {
        *why = "no usable multipart boundary";
        return NULL;
    }
    *n = strlen(b) + 4;
    return apr_pstrcat(p, "\r\n--", b, NULL);
}

int stepup_multipart_parse(apr_pool_t *p, const char *ct, const char *body,
                            size_t len, apr_table_t **form, const char **why)
{
    size_t dn = 0;
    const char *delim = delimiter(p, ct, &dn, why), *at, *end = body + len;
    apr_table_t *fields = apr_table_make(p, 4);
    int count = 0;

    *form = NULL;
    if (!delim)
        return -1;
    /* the first delimiter may open the body without its CRLF */
    if (len >= dn - 2 && !memcmp(body, delim + 2, dn - 2))
        at = body + dn - 2;
    else if ((at = find(body, len, delim, dn)))
        at += dn;
    else {
        *why = "no multipart boundary in the body";
        return -1;
    }
    while (end - at >= 2 && memcmp(at, "--", 2) && count++ < FIELDS_MAX) {
        const char *hdr_end, *next, *name;

        if (memcmp(at, "\r\n", 2)
            || !(hdr_end = find(at + 2, (size_t)(end - at - 2), "\r\n\r\n", 4))
            || !(next = find(hdr_end + 4, (size_t)(end - hdr_end - 4), delim,
                             dn))) {
            *why = "malformed multipart body";
            return -1;
        }
        name = part_name(p, at + 2, (size_t)(hdr_end - at - 2));
        if (name && *name && !apr_table_get(fields, name)
            && !memchr(hdr_end + 4, '\0', (size_t)(next - hdr_end - 4)))
            apr_table_setn(fields, name, apr_pstrmemdup(
                p, hdr_end + 4, (size_t)(next - hdr_end - 4)));
        at = next + dn;
    }
    if (end - at < 2) {
        *why = "the multipart body has no end";
        return -1;
    }
    *form = fields;
    return 0;
}
