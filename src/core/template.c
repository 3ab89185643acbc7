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

int stepup_template_parse(apr_pool_t *p, const char *text, size_t len,
                          const char *const *names, stepup_template **out,
                          const char **err)
{
    stepup_template *t = apr_pcalloc(p, sizeof(*t));
    const char *copy = apr_pstrmemdup(p, text, len), *cur = copy;
    const char *end = copy + len;

    *out = NULL;
    if (len > TEMPLATE_MAX || memchr(text, '\0', len)) {
        *err = len > TEMPLATE_MAX ? "template is too large"
                                  : "template contains a NUL byte";
        return -1;
    }
    t->segments = apr_array_make(p, 16, sizeof(segment));
    while (cur < end) {
        const char *open = strstr(cur, "{{"), *close;
        size_t namelen;
        int i;

        if (!open) {
            add_segment(t, cur, (size_t)(end - cur), -1);
            break;
        }
        if (open > cur)
            add_segment(t, cur, (size_t)(open - cur), -1);
        if (!(close = strstr(open + 2, "}}"))) {
            *err = apr_psprintf(p, "line %d: \"{{\" is never closed",
                                lineno_at(copy, open));
            return -1;
        }
        namelen = (size_t)(close - open - 2);
        /* a "}}" on a later line closes nothing: this "{{" is unclosed
         * (and the reason stays on one line) */
        if (memchr(open + 2, '\n', namelen)) {
            *err = apr_psprintf(p, "line %d: \"{{\" is not closed by "
                                "\"}}\" (placeholders are {{name}})",
                                lineno_at(copy, open));
            return -1;
        }
        for (i = 0; names[i]; i++) {
            if (strlen(names[i]) == namelen
                && !memcmp(names[i], open + 2, namelen))
                break;
        }
        if (!names[i]) {
            *err = apr_psprintf(p, "line %d: unknown placeholder {{%.*s}}",
                                lineno_at(copy, open),
                                namelen > 40 ? 40 : (int)namelen, open + 2);
            return -1;
        }
        add_segment(t, NULL, 0, i);
        cur = close + 2;
    }
    *out = t;
    return 0;
}

int stepup_template_load(apr_pool_t *p, const char *path,
                         const char *const *names, stepup_template **out,
                         const char **err)
{
    apr_size_t len;
    char *text;

    if (stepup_file_read(p, path, TEMPLATE_MAX, STEPUP_FILE_NONEMPTY, &text,
                         &len, err) != 0)
        return -1;
    return stepup_template_parse(p, text, len, names, out, err);
}

char *stepup_template_render(apr_pool_t *p, const stepup_template *t,
                             const char *const *values)
{
    const segment *segs = (const segment *)t->segments->elts;
    size_t total = 0, at = 0;
    char *page;
    int i;

    for (i = 0; i < t->segments->nelts; i++)
        total += segs[i].text ? segs[i].len : strlen(values[segs[i].slot]);
    page = apr_palloc(p, total + 1);
    for (i = 0; i < t->segments->nelts; i++) {
        const char *s = segs[i].text ? segs[i].text : values[segs[i].slot];
        size_t n = segs[i].text ? segs[i].len : strlen(s);

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
