/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * StepupHighAssuranceAAGUIDs lists: parsing the file of authenticator
 * models and looking an AAGUID up in it (include/stepup_aaguid.h).
 */
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>
#include <apr_uuid.h>

#include "stepup_aaguid.h"
#include "stepup_file.h"

#define LIST_MAX (1024 * 1024)

struct stepup_aaguid_list {
    apr_hash_t *set;   /* 16 raw bytes -> "" */
};

static const unsigned char zero[16];

int stepup_aaguid_list_parse(apr_pool_t *p, const char *text, size_t len,
                             stepup_aaguid_list **out, const char **why)
{
    stepup_aaguid_list *l = apr_pcalloc(p, sizeof(*l));
    char *cursor, *line;
    int lineno = 0;

    *out = NULL;
    if (len > LIST_MAX || memchr(text, '\0', len)) {
        *why = len > LIST_MAX ? "file is too large"
                              : "file contains a NUL byte";
        return -1;
    }
    cursor = apr_pstrmemdup(p, text, len);
    l->set = apr_hash_make(p);
    while ((line = stepup_file_line(&cursor))) {
        apr_uuid_t uuid;

        lineno++;
        if (!*line)
            continue;
        if (strlen(line) != APR_UUID_FORMATTED_LENGTH
            || apr_uuid_parse(&uuid, line) != APR_SUCCESS) {
            *why = apr_psprintf(p, "line %d: \"%.40s\" is not a UUID "
                                "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
                                lineno, line);
            return -1;
        }
        if (!memcmp(uuid.data, zero, sizeof(zero))) {
            *why = apr_psprintf(p, "line %d: the all-zero AAGUID names no "
                                "authenticator model", lineno);
            return -1;
        }
        apr_hash_set(l->set, apr_pmemdup(p, uuid.data, 16), 16, "");
    }
    if (apr_hash_count(l->set) == 0) {
        *why = "no AAGUIDs (the file is empty or only comments)";
        return -1;
    }
    *out = l;
    return 0;
}

int stepup_aaguid_list_load(apr_pool_t *p, const char *path,
                            stepup_aaguid_list **out, const char **why)
{
    apr_size_t len;
    char *text;

    if (stepup_file_read(p, path, LIST_MAX, 0, &text, &len, why) != 0)
        return -1;
    return stepup_aaguid_list_parse(p, text, len, out, why);
}

int stepup_aaguid_listed(const stepup_aaguid_list *l,
                         const unsigned char aaguid[16])
{
    return l && apr_hash_get(l->set, aaguid, 16) != NULL;
}

char *stepup_aaguid_hex(apr_pool_t *p, const unsigned char aaguid[16])
{
    static const char digits[] = "0123456789abcdef";
    char *hex = apr_palloc(p, 33);
    int i;

    for (i = 0; i < 16; i++) {
        hex[2 * i] = digits[aaguid[i] >> 4];
        hex[2 * i + 1] = digits[aaguid[i] & 0xf];
    }
    hex[32] = '\0';
    return hex;
}
