/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Page templates (src/core/template.c): {{name}} placeholders from a fixed
 * list, and files of named fragments ({{:name}} lines). A template that
 * loads renders; with empty values the page is never longer than the
 * template, nor a fragment longer than its file.
 */
#include "fuzz.h"
#include "stepup_template.h"

static const char *const names[] = { "title", "csrf", "return_to", "", NULL };
static const char *const values[] = { "<T>", "c-s-r-f", "/x?y", "E", NULL };
static const char *const empty[] = { "", "", "", "", NULL };
static const char *const fragments[] = { "a", "b-c", "", NULL };

static void fuzz_fragments(apr_pool_t *p, const uint8_t *data, size_t size)
{
    stepup_template *out[3] = { NULL, NULL, NULL };
    const char *why = NULL;
    int i;

    if (stepup_template_parse_fragments(p, (const char *)data, size,
                                        fragments, names, out, &why) == 0) {
        for (i = 0; i < 3; i++) {
            FUZZ_CHECK(out[i] != NULL);
            FUZZ_CHECK(stepup_template_render(p, out[i], values) != NULL);
            FUZZ_CHECK(strlen(stepup_template_render(p, out[i], empty))
                       <= size);
        }
    }
    else {
        FUZZ_CHECK(why && *why && !strchr(why, '\n'));
        for (i = 0; i < 3; i++)
            FUZZ_CHECK(out[i] == NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    stepup_template *t = NULL;
    const char *why = NULL;
    char *page;

    if (stepup_template_parse(p, (const char *)data, size, names, &t,
                              &why) == 0) {
        FUZZ_CHECK(t != NULL);
        page = stepup_template_render(p, t, values);
        FUZZ_CHECK(page != NULL);
        page = stepup_template_render(p, t, empty);
        FUZZ_CHECK(strlen(page) <= size);
    }
    else
        FUZZ_CHECK(!t && why && *why && !strchr(why, '\n'));
    fuzz_fragments(p, data, size);
    apr_pool_destroy(p);
    return 0;
}
