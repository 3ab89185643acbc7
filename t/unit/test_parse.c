/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The request text the core parses for the module: Cookie header values
 * (src/core/cookie_parse.c, read as ap_cookie_read reads them) and POST
 * bodies (src/core/body_parse.c: the Content-Type check, forms, JSON
 * objects) and an application's step-up challenge in WWW-Authenticate
 * (src/core/challenge.c), with their edge cases.
 */
#include <apr_strings.h>
#include <jansson.h>

#include "unit_util.h"
#include "stepup_body_parse.h"
#include "stepup_challenge.h"
#include "stepup_cookie_parse.h"

/* The value of cookie name in one header: want, or NULL for absent. */
static void expect_cookie(apr_pool_t *p, const char *header,
                          const char *name, const char *want)
{
    const char *value = "unset";

    if (stepup_cookie_get(p, header, name, &value) != 0)
        fail_msg("cookie %s refused in \"%s\"", name, header);
    if (!want && value)
        fail_msg("cookie %s found in \"%s\": \"%s\"", name, header, value);
    if (want && !value)
        fail_msg("cookie %s not found in \"%s\"", name, header);
    if (want)
        assert_string_equal(value, want);
}

static void test_cookie_found(void **state)
{
    apr_pool_t *p = *state;

    expect_cookie(p, "stepup=tok", "stepup", "tok");
    expect_cookie(p, "a=1; stepup=tok; b=2", "stepup", "tok");
    expect_cookie(p, "a=1,stepup=tok", "stepup", "tok");      /* ',' cuts */
    expect_cookie(p, " \t stepup=tok", "stepup", "tok");      /* space skipped */
    expect_cookie(p, "stepup=tok ;b=2", "stepup", "tok ");    /* kept after */
    expect_cookie(p, "stepup=a=b", "stepup", "a=b");          /* '=' in value */
    expect_cookie(p, "stepup=", "stepup", "");                /* empty, found */
    expect_cookie(p, "stepup=x; stepup=x", "stepup", "x");    /* same twice */
    expect_cookie(p, "x=;;,; stepup=\"q\"", "stepup", "\"q\"");
}

static void test_cookie_absent(void **state)
{
    apr_pool_t *p = *state;

    expect_cookie(p, "", "stepup", NULL);
    expect_cookie(p, ";;,,", "stepup", NULL);
    expect_cookie(p, "stepup", "stepup", NULL);               /* no '=' */
    expect_cookie(p, "xstepup=1; stepupx=2", "stepup", NULL); /* other names */
    expect_cookie(p, "STEPUP=1", "stepup", NULL);             /* case counts */
    expect_cookie(p, "a=stepup=1", "stepup", NULL);           /* in a value */
    expect_cookie(p, "step up=1", "stepup", NULL);
}

static void test_cookie_twice(void **state)
{
    apr_pool_t *p = *state;
    const char *value = "unset";

    assert_int_equal(stepup_cookie_get(p, "stepup=a; stepup=b", "stepup",
                                       &value), -1);
    assert_null(value);
    value = "unset";
    assert_int_equal(stepup_cookie_get(p, "stepup=a,stepup=ab", "stepup",
                                       &value), -1);
    assert_null(value);
    /* differing only by the space after: different values */
    assert_int_equal(stepup_cookie_get(p, "stepup=a ; stepup=a", "stepup",
                                       &value), -1);
}

/* Cookie and Cookie2 headers scanned one after another, as the module
 * does over a request's headers. */
static void test_cookie_scan_headers(void **state)
{
    apr_pool_t *p = *state;
    const char *h1 = "a=1; session=s1", h2[] = "stepup=tok", *value = NULL;
    stepup_cookie_scan s;

    stepup_cookie_scan_start(&s, "stepup");
    stepup_cookie_scan_header(&s, h1);
    stepup_cookie_scan_header(&s, h2);
    assert_int_equal(stepup_cookie_scan_value(p, &s, &value), 0);
    assert_string_equal(value, "tok");
    /* a copy from the pool, not a pointer into the header */
    assert_true(value < h2 || value >= h2 + sizeof(h2));

    stepup_cookie_scan_start(&s, "stepup");
    stepup_cookie_scan_header(&s, "stepup=one");
    stepup_cookie_scan_header(&s, "stepup=two");
    assert_int_equal(stepup_cookie_scan_value(p, &s, &value), -1);
    assert_null(value);

    stepup_cookie_scan_start(&s, "stepup");
    stepup_cookie_scan_header(&s, "stepup=same");
    stepup_cookie_scan_header(&s, "x=1, stepup=same");
    assert_int_equal(stepup_cookie_scan_value(p, &s, &value), 0);
    assert_string_equal(value, "same");

    stepup_cookie_scan_start(&s, "stepup");
    assert_int_equal(stepup_cookie_scan_value(p, &s, &value), 0);
    assert_null(value);
}

static void test_content_type(void **state)
{
    const char *form = "application/x-www-form-urlencoded";

    (void)state;
    assert_true(stepup_content_type_is(form, form));
    assert_true(stepup_content_type_is("Application/X-WWW-Form-URLEncoded",
                                       form));
    assert_true(stepup_content_type_is("application/json; charset=utf-8",
                                       "application/json"));
    assert_true(stepup_content_type_is("application/json ;x=1",
                                       "application/json"));
    assert_false(stepup_content_type_is(NULL, "application/json"));
    assert_false(stepup_content_type_is("", "application/json"));
    assert_false(stepup_content_type_is("application/jsonx",
                                        "application/json"));
    assert_false(stepup_content_type_is("application/jso",
                                        "application/json"));
    assert_false(stepup_content_type_is("text/plain", "application/json"));
}

/* Parses body[0..len) and expects the fields name=value, ..., NULL. */
static apr_table_t *expect_form_len(apr_pool_t *p, const char *body,
                                    size_t len, int nfields)
{
    apr_table_t *form = NULL;
    const char *why = NULL;

    if (stepup_form_parse(p, body, len, &form, &why) != 0)
        fail_msg("form \"%.*s\" refused: %s", (int)len, body, why);
    assert_non_null(form);
    assert_int_equal(apr_table_elts(form)->nelts, nfields);
    return form;
}

static apr_table_t *expect_form(apr_pool_t *p, const char *body, int nfields)
{
    return expect_form_len(p, body, strlen(body), nfields);
}

static void expect_form_refused(apr_pool_t *p, const char *body, size_t len,
                                const char *reason)
{
    apr_table_t *form = NULL;
    const char *why = NULL;

    assert_int_equal(stepup_form_parse(p, body, len, &form, &why), -1);
    assert_null(form);
    assert_non_null(why);
    assert_string_equal(why, reason);
}

static void test_form_fields(void **state)
{
    apr_pool_t *p = *state;
    apr_table_t *f;

    f = expect_form(p, "user=alice&password=s3cret", 2);
    assert_string_equal(apr_table_get(f, "user"), "alice");
    assert_string_equal(apr_table_get(f, "password"), "s3cret");
    f = expect_form(p, "a=x+y%20z%41&b%5B%5D=%26%3D", 2);
    assert_string_equal(apr_table_get(f, "a"), "x y zA");
    assert_string_equal(apr_table_get(f, "b[]"), "&=");
    f = expect_form(p, "flag&empty=", 2);             /* no '=': "" */
    assert_string_equal(apr_table_get(f, "flag"), "");
    assert_string_equal(apr_table_get(f, "empty"), "");
    f = expect_form(p, "a=1=2", 1);                   /* first '=' splits */
    assert_string_equal(apr_table_get(f, "a"), "1=2");
    f = expect_form(p, "&&a=1&&&b=2&", 2);            /* empty pairs skipped */
    assert_string_equal(apr_table_get(f, "b"), "2");
    expect_form(p, "", 0);
    /* only len bytes count: the body need not end in a NUL */
    f = expect_form_len(p, "a=1&b=2", 3, 1);
    assert_string_equal(apr_table_get(f, "a"), "1");
    f = expect_form(p, "caf%C3%A9=%E2%82%AC", 1);    /* UTF-8 kept as bytes */
    assert_string_equal(apr_table_get(f, "caf\xc3\xa9"), "\xe2\x82\xac");
}

static void test_form_refused(void **state)
{
    apr_pool_t *p = *state;
    const char *bad = "malformed URL-encoding in the request body";

    expect_form_refused(p, "a=%4", 4, bad);
    expect_form_refused(p, "a=%zz", 5, bad);
    expect_form_refused(p, "a%=1", 4, bad);
    expect_form_refused(p, "a=%00", 5, bad);          /* %00 */
    expect_form_refused(p, "a=1\0b=2", 7, "NUL byte in the request body");
    expect_form_refused(p, "=1", 2, "a form field has no name");
    expect_form_refused(p, "a=1&=", 5, "a form field has no name");
    expect_form_refused(p, "a=1&a=2", 7, "form field \"a\" is given twice");
    expect_form_refused(p, "a=1&a=1", 7, "form field \"a\" is given twice");
    /* names are compared as APR tables do, without case */
    expect_form_refused(p, "a=1&A=2", 7, "form field \"A\" is given twice");
    expect_form_refused(p, "a=1&%61=2", 9, "form field \"a\" is given twice");
}

static void test_multipart_fields(void **state)
{
    apr_pool_t *p = *state;
    static const char body[] =
        "preamble\r\n--XyZ\r\n"
        "Content-Disposition: form-data; name=\"amount\"\r\n\r\n5000\r\n"
        "--XyZ\r\n"
        "content-disposition: form-data; name=to\r\n"
        "Content-Type: text/plain\r\n\r\nbob\r\nand more\r\n"
        "--XyZ\r\n"
        "Content-Disposition: form-data; name=\"doc\"; filename=\"a.bin\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n\0\1\2\r\n"
        "--XyZ\r\n"
        "Content-Disposition: form-data; name=\"amount\"\r\n\r\n1\r\n"
        "--XyZ--\r\n";
    static const char quoted[] =
        "--a b\r\nContent-Disposition: form-data; name=x\r\n\r\n\r\n--a b--";
    apr_table_t *form = NULL;
    const char *why = NULL;

    assert_int_equal(stepup_multipart_parse(
        p, "multipart/form-data; boundary=XyZ", body, sizeof(body) - 1,
        &form, &why), 0);
    assert_string_equal(apr_table_get(form, "amount"), "5000");
    assert_string_equal(apr_table_get(form, "to"), "bob\r\nand more");
    assert_null(apr_table_get(form, "doc"));
    assert_int_equal(apr_table_elts(form)->nelts, 2);
    /* the opening delimiter at the very start, a quoted boundary */
    assert_int_equal(stepup_multipart_parse(
        p, "multipart/form-data; charset=x; boundary=\"a b\"", quoted,
        strlen(quoted), &form, &why), 0);
    assert_string_equal(apr_table_get(form, "x"), "");
}

static void expect_multipart_refused(apr_pool_t *p, const char *ct,
                                     const char *body)
{
    apr_table_t *form = (apr_table_t *)1;
    const char *why = NULL;

    assert_int_equal(stepup_multipart_parse(p, ct, body, strlen(body),
                                             &form, &why), -1);
    assert_null(form);
    assert_non_null(why);
}

static void test_multipart_refused(void **state)
{
    apr_pool_t *p = *state;
    const char *ct = "multipart/form-data; boundary=B";

    expect_multipart_refused(p, "multipart/form-data", "--B--");
    expect_multipart_refused(p, "multipart/form-data; boundary=", "----");
    expect_multipart_refused(p, NULL, "--B--");
    expect_multipart_refused(p, ct, "no boundary here");
    expect_multipart_refused(p, ct, "--B\r\nContent-Disposition: "
                             "form-data; name=a\r\n\r\nunterminated");
    expect_multipart_refused(p, ct, "--B\r\nno blank line\r\n--B--");
    expect_multipart_refused(p, ct, "--Bjunk\r\n\r\n\r\n--B--");
    expect_multipart_refused(p, ct, "--B\r\nContent-Disposition: "
                             "form-data; name=a\r\n\r\nx\r\n--B");
}

static void expect_json_refused(apr_pool_t *p, const char *text,
                                const char *prefix)
{
    json_t *doc = NULL;
    const char *why = NULL;

    assert_int_equal(stepup_json_object_parse(p, text, strlen(text), &doc,
                                              &why), -1);
    assert_null(doc);
    assert_non_null(why);
    if (strncmp(why, prefix, strlen(prefix)) != 0)
        fail_msg("\"%s\": \"%s\" does not start with \"%s\"", text, why,
                 prefix);
}

static void test_json_object(void **state)
{
    apr_pool_t *p = *state;
    json_t *doc = NULL;
    const char *why = NULL, *text = "{\"a\": 1, \"b\": [true]}";

    assert_int_equal(stepup_json_object_parse(p, text, strlen(text), &doc,
                                              &why), 0);
    assert_non_null(doc);
    assert_int_equal(json_integer_value(json_object_get(doc, "a")), 1);
    /* only len bytes are read */
    assert_int_equal(stepup_json_object_parse(p, "{}garbage", 2, &doc, &why),
                     0);
    assert_int_equal(json_object_size(doc), 0);
    expect_json_refused(p, "[1, 2]", "the JSON body must be an object");
    /* jansson takes only an array or an object at the top */
    expect_json_refused(p, "\"text\"", "malformed JSON body: ");
    expect_json_refused(p, "{\"a\": 1", "malformed JSON body: ");
    expect_json_refused(p, "", "malformed JSON body: ");
    expect_json_refused(p, "{\"a\": 1, \"a\": 2}", "malformed JSON body: ");
    expect_json_refused(p, "{} {}", "malformed JSON body: ");
}

/* A challenge that is one: its level and max_age (-1: none). */
static void expect_challenge(const char *value, stepup_acr acr,
                             int64_t max_age)
{
    stepup_acr got_acr = 0;
    int64_t got_age = -2;

    if (stepup_challenge_parse(value, &got_acr, &got_age) != 0)
        fail_msg("not read as a step-up challenge: \"%s\"", value);
    assert_int_equal(got_acr, acr);
    assert_int_equal(got_age, max_age);
}

static void expect_no_challenge(const char *value)
{
    stepup_acr acr;
    int64_t age;

    if (stepup_challenge_parse(value, &acr, &age) == 0)
        fail_msg("read as a step-up challenge: \"%s\"",
                 value ? value : "(null)");
}

static void test_challenge(void **state)
{
    (void)state;
    expect_challenge("Bearer error=\"insufficient_user_authentication\", "
                     "acr_values=\"phrh\", max_age=0", STEPUP_ACR_PHRH, 0);
    /* RFC 9470's example: unknown levels are skipped, the lowest known
     * one is asked for */
    expect_challenge("Bearer error=\"insufficient_user_authentication\","
                     "error_description=\"A different authentication level "
                     "is required\",acr_values=\"myACR phrh phr\"",
                     STEPUP_ACR_PHR, -1);
    expect_challenge("bearer ERROR=insufficient_user_authentication "
                     ",max_age=300", STEPUP_ACR_PWD, 300);
    expect_challenge("Basic realm=\"x\", Bearer realm=\"a, b\", "
                     "error=\"insufficient_user_authentication\", "
                     "acr_values=\"pwd\"", STEPUP_ACR_PWD, -1);
    expect_challenge("Bearer error=\"insufficient_user_\\authentication\", "
                     "acr_values=phr", STEPUP_ACR_PHR, -1);
    expect_no_challenge("Basic realm=\"the application\"");
    expect_no_challenge("Bearer error=\"invalid_token\"");
    expect_no_challenge("Bearer realm=\"x\"");
    expect_no_challenge("Bearer error=\"insufficient_user_authentication\", "
                        "acr_values=\"gold silver\"");
    expect_no_challenge("Bearer error=\"insufficient_user_authentication\", "
                        "max_age=-1");
    expect_no_challenge("Bearer error=\"insufficient_user_authentication\", "
                        "max_age=99999999999");
    expect_no_challenge("Bearer error=\"insufficient_user_authentication");
    expect_no_challenge("Bearer error=\"insufficient_user_authentication\", "
                        "=x");
    /* a later challenge of another scheme ends the Bearer one */
    expect_no_challenge("Bearer realm=\"x\", Basic error="
                        "\"insufficient_user_authentication\"");
    expect_no_challenge("");
    expect_no_challenge(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_cookie_found),
        UNIT_TEST(test_cookie_absent),
        UNIT_TEST(test_cookie_twice),
        UNIT_TEST(test_cookie_scan_headers),
        UNIT_TEST(test_content_type),
        UNIT_TEST(test_form_fields),
        UNIT_TEST(test_form_refused),
        UNIT_TEST(test_multipart_fields),
        UNIT_TEST(test_multipart_refused),
        UNIT_TEST(test_json_object),
        UNIT_TEST(test_challenge),
    };

    return cmocka_run_group_tests_name("parse", tests, unit_group_setup,
                                       unit_group_teardown);
}
