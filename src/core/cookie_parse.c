/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Cookie header values read in place (include/stepup_cookie_parse.h): no
 * copy of the header, one pass per header for the cookie looked for.
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "stepup_cookie_parse.h"

void stepup_cookie_scan_start(stepup_cookie_scan *s, const char *name)
{
    memset(s, 0, sizeof(*s));
    s->name = name;
    s->namelen = strlen(name);
}

/* A piece [p, end) that is "name=value": the value becomes the one found;
 * a different one found before marks the cookie duplicated. */
static void scan_piece(stepup_cookie_scan *s, const char *p, const char *end)
{
    const char *v;
    size_t vlen;

    while (p < end && apr_isspace(*p))
        p++;
    if ((size_t)(end - p) <= s->namelen || memcmp(p, s->name, s->namelen)
        || p[s->namelen] != '=')
        return;
    v = p + s->namelen + 1;
    vlen = (size_t)(end - v);
    if (s->value && (s->len != vlen || memcmp(s->value, v, vlen)))
        s->duplicated = 1;
    s->value = v;
    s->len = vlen;
}

void stepup_cookie_scan_header(stepup_cookie_scan *s, const char *header)
{
    const char *piece = header;

    for (;;) {
        const char *end = piece + strcspn(piece, ",;");

        scan_piece(s, piece, end);
        if (!*end)
            return;
        piece = end + 1;
    }
}

int stepup_cookie_scan_value(apr_pool_t *p, const stepup_cookie_scan *s,
                             const char **value)
{
    *value = NULL;
    if (s->duplicated)
        return -1;
    if (s->value)
        *value = apr_pstrmemdup(p, s->value, s->len);
    return 0;
}

int stepup_cookie_get(apr_pool_t *p, const char *header, const char *name,
                      const char **value)
{
    stepup_cookie_scan s;

    stepup_cookie_scan_start(&s, name);
    stepup_cookie_scan_header(&s, header);
    return stepup_cookie_scan_value(p, &s, value);
}
