/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Cookie and Cookie2 request header values, read as httpd's
 * ap_cookie_read(r, name, &val, 0) reads them, without httpd and without
 * copying a header: each value is cut at ',' and ';', white space before
 * a piece is skipped, a piece starting with "name=" gives the rest as the
 * value and the last one wins; the name given with two different values
 * is refused. ap_cookie_read also copies every header and rebuilds it
 * without the cookie at each read, in time quadratic in the number of
 * cookies, a measurable part of each protected request.
 */
#ifndef STEPUP_COOKIE_PARSE_H
#define STEPUP_COOKIE_PARSE_H

#include <stddef.h>
#include <apr_pools.h>

/* One cookie name looked for over any number of header values. */
typedef struct {
    const char *name;
    size_t namelen;
    const char *value;      /* into the last header scanned; len bytes */
    size_t len;
    int duplicated;         /* given twice with different values */
} stepup_cookie_scan;

void stepup_cookie_scan_start(stepup_cookie_scan *s, const char *name);
/* Scans one Cookie or Cookie2 header value (kept until the end of the
 * scan: the value points into it). */
void stepup_cookie_scan_header(stepup_cookie_scan *s, const char *header);
/* 0 with *value the value copied from p (NULL when the cookie is absent),
 * or -1 (and *value NULL) when it was given twice with different values,
 * in one header or in two. */
int stepup_cookie_scan_value(apr_pool_t *p, const stepup_cookie_scan *s,
                             const char **value);

/* The three for one header value. */
int stepup_cookie_get(apr_pool_t *p, const char *header, const char *name,
                      const char **value);

#endif
