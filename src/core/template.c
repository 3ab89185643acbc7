/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Page templates: checking {{name}} placeholders once at load, splitting
 * fragment files and filling pages with escaped values
 * (include/stepup_template.h).
 */
#include <string.h>

#include <apr_strings.h>
#include <apr_tables.h>

#include "stepup_file.h"
#include "stepup_template.h"

#define TEMPLATE_MAX (256 * 1024)

typedef struct {
    const char *text;   /* literal text, or NULL for a placeholder */
    size_t len;
    int slot;           /* index into names for a placeholder */
} segment;

struct stepup_template {
    apr_array_header_t *segments;
};

static int lineno_at(const char *text, const char *at)
{
    int n = 1;

    for (; text < at; text++)
        n += (*text == '\n');
    return n;
}

static void add_segment(stepup_template *t, const char *text, size_t len,
                        int slot)
{
    segment *s = apr_array_push(t->segments);

    s->text = text;
    s->len = len;
    s->slot = slot;
}

/* The index of the name s[0..len) in names, or -1. */
static int index_of(const char *const *names, const char *s, size_t len)
{
    int i;

    for (i = 0; names[i]; i++) {
        if (strlen(names[i]) == len && !memcmp(names[i], s, len))
            return i;
    }
    return -1;
}

/* Parses [cur, end) of the NUL-terminated copy into t's segments; line
 * numbers in a reason count from the start of the copy. */
static int range_parse(apr_pool_t *p, stepup_template *t, const char *copy,
                       const char *cur, const char *end,
                       const char *const *names, const char **why)
{
    while (cur < end) {
        const char *open = strstr(cur, "{{"), *close;
        size_t namelen;
        int i;

        if (!open || open >= end) {
            add_segment(t, cur, (size_t)(end - cur), -1);
            break;
        }
        if (open > cur)
            add_segment(t, cur, (size_t)(open - cur), -1);
        close = strstr(open + 2, "}}");
        if (!close || close + 2 > end) {
            *why = apr_psprintf(p, "line %d: \"{{\" is never closed",
                                lineno_at(copy, open));
            return -1;
        }
        namelen = (size_t)(close - open - 2);
        /* a "}}" on a later line closes nothing: this "{{" is unclosed
         * (and the reason stays on one line) */
        if (memchr(open + 2, '\n', namelen)) {
            *why = apr_psprintf(p, "line %d: \"{{\" is not closed by "
                                "\"}}\" (placeholders are {{name}})",
                                lineno_at(copy, open));
            return -1;
        }
        if ((i = index_of(names, open + 2, namelen)) < 0) {
            *why = apr_psprintf(p, "line %d: unknown placeholder {{%.*s}}",
                                lineno_at(copy, open),
                                namelen > 40 ? 40 : (int)namelen, open + 2);
            return -1;
        }
        add_segment(t, NULL, 0, i);
        cur = close + 2;
    }
    return 0;
}

/* A copy of text, NUL-terminated, or NULL and why not. */
static const char *checked_copy(apr_pool_t *p, const char *text, size_t len,
                                const char **why)
{
    if (len > TEMPLATE_MAX || memchr(text, '\0', len)) {
        *why = len > TEMPLATE_MAX ? "template is too large"
                                  : "template contains a NUL byte";
        return NULL;
    }
    return apr_pstrmemdup(p, text, len);
}

static stepup_template *template_make(apr_pool_t *p)
{
    stepup_template *t = apr_pcalloc(p, sizeof(*t));

    t->segments = apr_array_make(p, 16, sizeof(segment));
    return t;
}

int stepup_template_parse(apr_pool_t *p, const char *text, size_t len,
                          const char *const *names, stepup_template **out,
                          const char **why)
{
    const char *copy = checked_copy(p, text, len, why);
    stepup_template *t;

    *out = NULL;
    if (!copy)
        return -1;
    t = template_make(p);
    if (range_parse(p, t, copy, copy, copy + len, names, why) != 0)
        return -1;
    *out = t;
    return 0;
}

/* The first line at or after cur (a line's start) that starts with "{{:",
 * or NULL. */
static const char *next_marker(const char *cur, const char *end)
{
    while (cur < end) {
        if (end - cur >= 3 && !memcmp(cur, "{{:", 3))
            return cur;
        if (!(cur = memchr(cur, '\n', (size_t)(end - cur))))
            return NULL;
        cur++;
    }
    return NULL;
}

/* The fragment whose marker line starts at mark, parsed into out[]; *next
 * is the following marker line or NULL. */
static int fragment_parse(apr_pool_t *p, const char *copy, const char *mark,
                          const char *end, const char *const *fragments,
                          const char *const *names, stepup_template **out,
                          const char **next, const char **why)
{
    const char *eol = memchr(mark, '\n', (size_t)(end - mark));
    const char *body, *stop;
    size_t namelen;
    int i;

    eol = eol ? eol : end;
    if (eol - mark < 5 || memcmp(eol - 2, "}}", 2)) {
        *why = apr_psprintf(p, "line %d: a fragment starts with a line "
                            "{{:name}} and nothing else",
                            lineno_at(copy, mark));
        return -1;
    }
    namelen = (size_t)(eol - mark - 5);
    if ((i = index_of(fragments, mark + 3, namelen)) < 0 || out[i]) {
        *why = apr_psprintf(p, "line %d: %s fragment {{:%.*s}}",
                            lineno_at(copy, mark),
                            i < 0 ? "unknown" : "a second",
                            namelen > 40 ? 40 : (int)namelen, mark + 3);
        return -1;
    }
    body = eol < end ? eol + 1 : end;
    *next = next_marker(body, end);
    /* the newline that ends the fragment's last line is not part of it,
     * so that a fragment may be a few words inside a sentence */
    stop = *next ? *next : end;
    if (stop > body && stop[-1] == '\n')
        stop--;
    out[i] = template_make(p);
    return range_parse(p, out[i], copy, body, stop, names, why);
}

int stepup_template_parse_fragments(apr_pool_t *p, const char *text,
                                    size_t len,
                                    const char *const *fragments,
                                    const char *const *names,
                                    stepup_template **out, const char **why)
{
    const char *copy = checked_copy(p, text, len, why), *mark;
    int i, n = 0, rc = copy ? 0 : -1;

    while (fragments[n])
        out[n++] = NULL;
    mark = copy ? next_marker(copy, copy + len) : NULL;
    while (mark && rc == 0)
        rc = fragment_parse(p, copy, mark, copy + len, fragments, names, out,
                            &mark, why);
    for (i = 0; rc == 0 && i < n; i++) {
        if (!out[i]) {
            *why = apr_psprintf(p, "fragment {{:%s}} is missing",
                                fragments[i]);
            rc = -1;
        }
    }
    for (i = 0; rc != 0 && i < n; i++)
        out[i] = NULL;
    return rc;
}

int stepup_template_load(apr_pool_t *p, const char *path,
                         const char *const *names, stepup_template **out,
                         const char **why)
{
    apr_size_t len;
    char *text;

    if (stepup_file_read(p, path, TEMPLATE_MAX, STEPUP_FILE_NONEMPTY, &text,
                         &len, why) != 0)
        return -1;
    return stepup_template_parse(p, text, len, names, out, why);
}

/* What segment s stands for, and its length in *len. */
static const char *segment_text(const segment *s, const char *const *values,
                                size_t *len)
{
    const char *v = s->text ? s->text : values[s->slot];

    v = v ? v : "";
    *len = s->text ? s->len : strlen(v);
    return v;
}

char *stepup_template_render(apr_pool_t *p, const stepup_template *t,
                             const char *const *values)
{
    const segment *segs = (const segment *)t->segments->elts;
    size_t total = 0, at = 0, n;
    char *page;
    int i;

    for (i = 0; i < t->segments->nelts; i++) {
        segment_text(&segs[i], values, &n);
        total += n;
    }
    page = apr_palloc(p, total + 1);
    for (i = 0; i < t->segments->nelts; i++) {
        const char *s = segment_text(&segs[i], values, &n);

        memcpy(page + at, s, n);
        at += n;
    }
    page[at] = '\0';
    return page;
}

/* The HTML entity of c, or NULL when c stands for itself. */
static const char *html_entity(char c)
{
    switch (c) {
    case '&':  return "&amp;";
    case '<':  return "&lt;";
    case '>':  return "&gt;";
    case '"':  return "&quot;";
    /* apr_escape_entity leaves ' alone: a value in an attribute that a
     * StepupTemplate quotes with ' would end the attribute */
    case '\'': return "&#39;";
    default:   return NULL;
    }
}

const char *stepup_html_escape(apr_pool_t *p, const char *s)
{
    size_t len = 0, at = 0;
    const char *c, *e;
    char *out;

    if (!s)
        return "";
    for (c = s; *c; c++)
        len += (e = html_entity(*c)) ? strlen(e) : 1;
    if (len == (size_t)(c - s))
        return s;
    out = apr_palloc(p, len + 1);
    for (c = s; *c; c++) {
        if ((e = html_entity(*c))) {
            memcpy(out + at, e, strlen(e));
            at += strlen(e);
        }
        else
            out[at++] = *c;
    }
    out[at] = '\0';
    return out;
}
