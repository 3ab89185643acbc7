/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The application's step-up challenge (RFC 9470 section 3) in a
 * WWW-Authenticate value, by the grammar of RFC 9110 section 11.6.1: a
 * list of challenges, each a scheme and its auth-params (name=token or
 * name="quoted string"), separated by commas. Only the first Bearer
 * challenge is read; anything the grammar does not allow refuses the
 * whole value, so that a backend's own prompt is never mistaken for one.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "stepup_challenge.h"

#define ERROR_VALUE "insufficient_user_authentication"
#define MAX_AGE_MAX 315360000   /* ten years: more is not a freshness */

typedef struct {
    char error[STEPUP_CHALLENGE_VALUE_MAX];
    char acr_values[STEPUP_CHALLENGE_VALUE_MAX];
    char max_age[STEPUP_CHALLENGE_VALUE_MAX];
    int has_acr, has_age;
} bearer_params;

static int is_tchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *skip_space(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* A token or a quoted string at *s into out (NUL-terminated; truncated
 * values are refused): 0, or -1 when malformed or too long. */
static int read_value(const char **s, char *out)
{
    const char *p = *s;
    size_t n = 0;

    if (*p != '"') {
        while (is_tchar(*p) || *p == '/') {  /* token68's "/" is common */
            if (n + 1 >= STEPUP_CHALLENGE_VALUE_MAX)
                return -1;
            out[n++] = *p++;
        }
    }
    else {
        for (p++; *p != '"'; p++) {
            if (!*p || (*p == '\\' && !*++p)
                || n + 1 >= STEPUP_CHALLENGE_VALUE_MAX)
                return -1;
            out[n++] = *p;
        }
        p++;
    }
    out[n] = '\0';
    *s = p;
    return 0;
}

/* The parameter named name (length len) of a Bearer challenge kept. */
static void keep_param(bearer_params *b, const char *name, size_t len,
                       const char *value)
{
    char *to = NULL;

    if (len == 5 && !strncasecmp(name, "error", 5))
        to = b->error;
    else if (len == 10 && !strncasecmp(name, "acr_values", 10)) {
        to = b->acr_values;
        b->has_acr = 1;
    }
    else if (len == 7 && !strncasecmp(name, "max_age", 7)) {
        to = b->max_age;
        b->has_age = 1;
    }
    if (to && !*to)
        memcpy(to, value, strlen(value) + 1);
}

/* The first Bearer challenge's parameters: 1 found, 0 none, -1 bad. */
static int find_bearer(const char *s, bearer_params *b)
{
    char value[STEPUP_CHALLENGE_VALUE_MAX];
    int in_bearer = 0, found = 0;

    while (*(s = skip_space(s))) {
        const char *name = s;
        size_t len;

        if (*s == ',') {
            s++;
            continue;
        }
        while (is_tchar(*s))
            s++;
        if (!(len = (size_t)(s - name)))
            return -1;
        s = skip_space(s);
        if (*s != '=') {          /* a scheme: a new challenge */
            if (found)
                break;
            in_bearer = len == 6 && !strncasecmp(name, "Bearer", 6);
            found = in_bearer;
            continue;
        }
        s = skip_space(s + 1);
        if (read_value(&s, value) != 0)
            return -1;
        if (in_bearer)
            keep_param(b, name, len, value);
    }
    return found;
}

/* The lowest known level named in a space-separated list: 0, or -1. */
static int lowest_acr(const char *list, stepup_acr *acr)
{
    int seen = 0;

    while (*list) {
        size_t len = strcspn(list, " ");
        stepup_acr a;

        if (len && stepup_acr_parse(list, len, &a) == 0
            && (!seen++ || a < *acr))
            *acr = a;
        list += len;
        list += strspn(list, " ");
    }
    return seen ? 0 : -1;
}

int stepup_challenge_parse(const char *value, stepup_acr *acr,
                           int64_t *max_age)
{
    bearer_params b;
    const char *d;

    memset(&b, 0, sizeof(b));
    if (!value || find_bearer(value, &b) != 1
        || strcmp(b.error, ERROR_VALUE))
        return -1;
    *acr = STEPUP_ACR_PWD;
    if (b.has_acr && lowest_acr(b.acr_values, acr) != 0)
        return -1;
    *max_age = -1;
    if (b.has_age) {
        if (!*b.max_age || strlen(b.max_age) > 9)
            return -1;
        for (d = b.max_age; *d; d++) {
            if (*d < '0' || *d > '9')
                return -1;
        }
        *max_age = (int64_t)strtoll(b.max_age, NULL, 10);
        if (*max_age > MAX_AGE_MAX)
            return -1;
    }
    return 0;
}
