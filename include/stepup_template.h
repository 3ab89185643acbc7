/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Page templates: HTML with {{name}} placeholders from a fixed list. A
 * template is checked once, when it is loaded, so an unknown or unclosed
 * placeholder is a start-up error rather than a broken page.
 */
#ifndef STEPUP_TEMPLATE_H
#define STEPUP_TEMPLATE_H

#include <stddef.h>
#include <apr_pools.h>

typedef struct stepup_template stepup_template;

/* names: the placeholders allowed, NULL-terminated. On failure returns -1
 * and a one-line reason in *why ("line 3: unknown placeholder {{foo}}"). */
int stepup_template_parse(apr_pool_t *p, const char *text, size_t len,
                          const char *const *names, stepup_template **out,
                          const char **why);

/* A file of named fragments, the pieces a page is built from: each starts
 * at a line "{{:name}}" and runs to the next such line or to the end; the
 * newline that ends its last line is not part of it, so a fragment may be
 * a few words inside a sentence. Text before the first fragment is a
 * comment and is not shown. fragments: the names expected, NULL-
 * terminated, each exactly once; names: the placeholders any of them may
 * use. out[i] receives fragments[i]; on failure all are NULL, -1 is
 * returned with a one-line reason as for stepup_template_parse. */
int stepup_template_parse_fragments(apr_pool_t *p, const char *text,
                                    size_t len,
                                    const char *const *fragments,
                                    const char *const *names,
                                    stepup_template **out, const char **why);

/* Reads and parses a template file. */
int stepup_template_load(apr_pool_t *p, const char *path,
                         const char *const *names, stepup_template **out,
                         const char **why);

/* The page, values[i] standing for names[i] (NULL for nothing). The
 * caller escapes the values; the template text is written as it is. */
char *stepup_template_render(apr_pool_t *p, const stepup_template *t,
                             const char *const *values);

/* s for HTML text and attribute values quoted with " or ': & < > " '
 * as entities (' as &#39;). s itself when nothing needs escaping, "" for
 * NULL. Every value a template shows goes through it. */
const char *stepup_html_escape(apr_pool_t *p, const char *s);

#endif
