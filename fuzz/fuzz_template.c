/*
 * Page templates (src/template.c): {{name}} placeholders from a fixed
 * list. A template that loads renders; with empty values the page is
 * never longer than the template.
 */
#include "fuzz.h"
#include "stepup_template.h"

static const char *const names[] = { "title", "csrf", "return_to", "", NULL };
static const char *const values[] = { "<T>", "c-s-r-f", "/x?y", "E", NULL };
static const char *const empty[] = { "", "", "", "", NULL };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    stepup_template *t = NULL;
    const char *err = NULL;
    char *page;

    if (stepup_template_parse(p, (const char *)data, size, names, &t,
                              &err) == 0) {
        FUZZ_CHECK(t != NULL);
        page = stepup_template_render(p, t, values);
        FUZZ_CHECK(page != NULL);
        page = stepup_template_render(p, t, empty);
        FUZZ_CHECK(strlen(page) <= size);
    }
    else
        FUZZ_CHECK(!t && err && *err && !strchr(err, '\n'));
    apr_pool_destroy(p);
    return 0;
}
