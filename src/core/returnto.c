/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * return_to: only a local path is let through, so the confirm page is no
 * open redirector (include/stepup_returnto.h).
 */
#include <string.h>

#include "stepup_returnto.h"

int stepup_return_to_ok(const char *s)
{
    size_t i;

    if (!s || s[0] != '/' || s[1] == '/' || s[1] == '\\')
        return 0;
    for (i = 0; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];

        if (i >= STEPUP_RETURN_TO_MAX || c <= 0x20 || c >= 0x7f || c == '\\')
            return 0;
    }
    return 1;
}

const char *stepup_return_to(const char *s)
{
    return stepup_return_to_ok(s) ? s : "/";
}
