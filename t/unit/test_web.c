/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The pure helpers of the Confirm access handler: return_to sanitising
 * (src/core/returnto.c), CSRF tokens (src/core/csrf.c, checked against an independent
 * HMAC-SHA256) and page templates (src/core/template.c: parsing, the one-line
 * reasons of a refused template, rendering, loading from files, files of
 * named fragments).
 */
#include <stdio.h>
#include <sys/stat.h>

#include <apr_strings.h>

#include "unit_util.h"
#include "stepup_csrf.h"
#include "stepup_keys.h"
#include "stepup_returnto.h"
#include "stepup_template.h"
#include "stepup_token.h"

#define NOW ((apr_int64_t)1700000000)

/* ==== return_to ========================================================== */

static void expect_rt(const char *s, int ok)
{
    if (stepup_return_to_ok(s) != ok)
        fail_msg("stepup_return_to_ok(\"%s\") is %d, expected %d",
                 s ? s : "(null)", !ok, ok);
    if (ok)
        assert_ptr_equal(stepup_return_to(s), s);
    else
        assert_string_equal(stepup_return_to(s), "/");
}

static void test_return_to_local_paths(void **state)
{
    (void)state;
    expect_rt("/", 1);
    expect_rt("/a", 1);
    expect_rt("/account/settings?tab=security&x=1", 1);
    expect_rt("/a#frag", 1);
    expect_rt("/a/./b/../c", 1);
    expect_rt("/%2F%2Fevil.example", 1);     /* encoded: a path on this site */
    expect_rt("/%0d%0a", 1);                 /* literal percent signs */
    expect_rt("/a:b@c", 1);
    expect_rt("/?next=//evil.example", 1);   /* "//" after the first byte */
    expect_rt("/a//b", 1);
    expect_rt("/~user/!$&'()*+,;=-._", 1);
}

static void test_return_to_attacks(void **state)
{
    (void)state;
    expect_rt(NULL, 0);
    expect_rt("", 0);
    expect_rt("//evil.example", 0);
    expect_rt("//evil.example/path", 0);
    expect_rt("///evil.example", 0);
    expect_rt("https://evil.example/", 0);
    expect_rt("http://evil.example", 0);
    expect_rt("HTTPS://evil.example", 0);
    expect_rt("/\\evil.example", 0);
    expect_rt("\\\\evil.example", 0);
    expect_rt("\\/evil.example", 0);
    expect_rt("/a\\b", 0);
    expect_rt("javascript:alert(1)", 0);
    expect_rt("JavaScript:alert(1)", 0);
    expect_rt("data:text/html,x", 0);
    expect_rt("evil.example", 0);
    expect_rt("a/b", 0);
    expect_rt("?x=1", 0);
    expect_rt("#x", 0);
    expect_rt(" /a", 0);
    expect_rt("/a b", 0);
    expect_rt("/ok\r\nSet-Cookie: x=1", 0);
    expect_rt("/ok\nLocation: //evil.example", 0);
    expect_rt("/ok\r", 0);
    expect_rt("/\t/evil.example", 0);
    expect_rt("/caf\xc3\xa9", 0);
    expect_rt("/\x7f", 0);
    expect_rt("/\xff", 0);
}

/* Every byte after "/" and after "/a": only the printable ASCII but
 * backslash (and "/" right after the first one) is accepted. */
static void test_return_to_every_byte(void **state)
{
    int c;

    (void)state;
    for (c = 1; c < 256; c++) {
        char s1[3] = { '/', (char)c, '\0' };
        char s2[4] = { '/', 'a', (char)c, '\0' };
        int printable = c > 0x20 && c < 0x7f && c != '\\';

        if (stepup_return_to_ok(s1) != (printable && c != '/'))
            fail_msg("\"/\" + byte 0x%02x: %d", c, stepup_return_to_ok(s1));
        if (stepup_return_to_ok(s2) != printable)
            fail_msg("\"/a\" + byte 0x%02x: %d", c, stepup_return_to_ok(s2));
    }
}

static void test_return_to_length(void **state)
{
    apr_pool_t *p = *state;
    char *s = apr_palloc(p, STEPUP_RETURN_TO_MAX + 2);

    memset(s, 'a', STEPUP_RETURN_TO_MAX + 1);
    s[0] = '/';
    s[STEPUP_RETURN_TO_MAX] = '\0';
    assert_int_equal(strlen(s), 2048);
    expect_rt(s, 1);
    s[STEPUP_RETURN_TO_MAX] = 'a';
    s[STEPUP_RETURN_TO_MAX + 1] = '\0';
    assert_int_equal(strlen(s), 2049);
    expect_rt(s, 0);
}

/* ==== CSRF tokens ======================================================== */

/* The reference: "<kid>.<issued>.<b64url(HMAC(secret, csrf|issued|user))>". */
static char *ref_csrf(apr_pool_t *p, const char *kid, apr_int64_t issued,
                      const char *user)
{
    size_t len = 0;
    const unsigned char *secret = unit_secret(kid, &len);
    unsigned char mac[STEPUP_MAC_LEN];
    char *msg = apr_psprintf(p, "csrf|%" APR_INT64_T_FMT "|%s", issued, user);

    assert_non_null(secret);
    unit_hmac(secret, len, msg, strlen(msg), mac);
    return apr_psprintf(p, "%s.%" APR_INT64_T_FMT ".%s", kid, issued,
                        unit_ref_b64url(p, mac, sizeof(mac)));
}

static void test_csrf_mint_matches_reference(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", "beta", NULL);
    const char *users[] = { "alice", "pipe|user", "x<b>&\"'y", "", NULL };
    int i;

    for (i = 0; users[i]; i++) {
        const char *t = stepup_csrf_mint(p, ks, users[i], NOW);

        assert_non_null(t);
        /* the first key signs */
        assert_string_equal(t, ref_csrf(p, "alpha", NOW, users[i]));
        assert_int_equal(stepup_csrf_verify(p, ks, users[i], t, NOW), 0);
    }
    /* deterministic for the same second */
    assert_string_equal(stepup_csrf_mint(p, ks, "alice", NOW),
                        stepup_csrf_mint(p, ks, "alice", NOW));
    assert_string_not_equal(stepup_csrf_mint(p, ks, "alice", NOW),
                            stepup_csrf_mint(p, ks, "alice", NOW + 1));
}

static void test_csrf_mint_refuses(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    stepup_keyset empty = { 0, NULL };

    assert_null(stepup_csrf_mint(p, NULL, "alice", NOW));
    assert_null(stepup_csrf_mint(p, &empty, "alice", NOW));
    assert_null(stepup_csrf_mint(p, ks, NULL, NOW));
}

static void test_csrf_window(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    const char *t = stepup_csrf_mint(p, ks, "alice", NOW);

    assert_int_equal(STEPUP_CSRF_TTL, 7200);
    assert_int_equal(stepup_csrf_verify(p, ks, "alice", t, NOW + 1), 0);
    assert_int_equal(stepup_csrf_verify(p, ks, "alice", t,
                                        NOW + STEPUP_CSRF_TTL), 0);
    assert_int_equal(stepup_csrf_verify(p, ks, "alice", t,
                                        NOW + STEPUP_CSRF_TTL + 1), -1);
    /* issued in the future: within the clock skew only */
    assert_int_equal(stepup_csrf_verify(p, ks, "alice", t,
                                        NOW - STEPUP_CLOCK_SKEW), 0);
    assert_int_equal(stepup_csrf_verify(p, ks, "alice", t,
                                        NOW - STEPUP_CLOCK_SKEW - 1), -1);
}

static void test_csrf_other_user(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    const char *t = stepup_csrf_mint(p, ks, "alice", NOW);

    assert_int_equal(stepup_csrf_verify(p, ks, "bob", t, NOW), -1);
    assert_int_equal(stepup_csrf_verify(p, ks, "alic", t, NOW), -1);
    assert_int_equal(stepup_csrf_verify(p, ks, "alicex", t, NOW), -1);
    assert_int_equal(stepup_csrf_verify(p, ks, "Alice", t, NOW), -1);
    assert_int_equal(stepup_csrf_verify(p, ks, "", t, NOW), -1);
    assert_int_equal(stepup_csrf_verify(p, ks, NULL, t, NOW), -1);
    /* "|" in a name cannot move the boundary between issued and user */
    t = stepup_csrf_mint(p, ks, "1|alice", NOW);
    assert_int_equal(stepup_csrf_verify(p, ks, "alice", t, NOW), -1);
}

static void test_csrf_rotation(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *old = unit_keyset(p, "alpha", NULL);
    stepup_keyset *both = unit_keyset(p, "beta", "alpha", NULL);
    stepup_keyset *other = unit_keyset(p, "gamma", NULL);
    const char *t = stepup_csrf_mint(p, old, "alice", NOW);

    /* signed by a key that still verifies */
    assert_int_equal(stepup_csrf_verify(p, both, "alice", t, NOW), 0);
    assert_string_equal(stepup_csrf_mint(p, both, "alice", NOW),
                        ref_csrf(p, "beta", NOW, "alice"));
    /* a key set without it */
    assert_int_equal(stepup_csrf_verify(p, other, "alice", t, NOW), -1);
    /* the kid says which key: beta's MAC under alpha's name fails */
    t = ref_csrf(p, "beta", NOW, "alice");
    t = apr_pstrcat(p, "alpha", strchr(t, '.'), NULL);
    assert_int_equal(stepup_csrf_verify(p, both, "alice", t, NOW), -1);
    assert_int_equal(stepup_csrf_verify(p, NULL, "alice", t, NOW), -1);
}

static void test_csrf_malformed(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    const char *good = stepup_csrf_mint(p, ks, "alice", NOW);
    const char *mac = strrchr(good, '.') + 1;
    char *flipped = apr_pstrdup(p, good);
    size_t n = strlen(flipped);
    const char *bad[] = {
        "",
        "alpha",
        "alpha.",
        "alpha..",
        apr_psprintf(p, "alpha..%s", mac),
        apr_psprintf(p, "alpha.%" APR_INT64_T_FMT ".", NOW),
        apr_psprintf(p, "alpha.+%" APR_INT64_T_FMT ".%s", NOW, mac),
        apr_psprintf(p, "alpha.-%" APR_INT64_T_FMT ".%s", NOW, mac),
        apr_psprintf(p, "alpha. %" APR_INT64_T_FMT ".%s", NOW, mac),
        apr_psprintf(p, "alpha.0%" APR_INT64_T_FMT ".%s", NOW, mac),
        apr_psprintf(p, "alpha.1700000000000.%s", mac),
        apr_psprintf(p, "alpha.%" APR_INT64_T_FMT "|x.%s", NOW, mac),
        apr_psprintf(p, "Alpha.%" APR_INT64_T_FMT ".%s", NOW, mac),
        apr_psprintf(p, "nokey.%" APR_INT64_T_FMT ".%s", NOW, mac),
        apr_psprintf(p, ".%" APR_INT64_T_FMT ".%s", NOW, mac),
        apr_pstrcat(p, good, "A", NULL),          /* MAC one too long */
        apr_pstrndup(p, good, strlen(good) - 1),  /* one too short */
        apr_pstrcat(p, good, ".", NULL),
        apr_pstrcat(p, good, "=", NULL),
        apr_pstrcat(p, " ", good, NULL),
        NULL
    };
    char *longer;
    int i;

    assert_int_equal(stepup_csrf_verify(p, ks, "alice", good, NOW), 0);
    for (i = 0; bad[i]; i++) {
        if (stepup_csrf_verify(p, ks, "alice", bad[i], NOW) != -1)
            fail_msg("accepted malformed CSRF token \"%s\"", bad[i]);
    }
    assert_int_equal(stepup_csrf_verify(p, ks, "alice", NULL, NOW), -1);
    /* one MAC character changed, anywhere */
    for (i = (int)(n - strlen(mac)); i < (int)n; i++) {
        char c = flipped[i];

        flipped[i] = c == 'A' ? 'B' : 'A';
        if (stepup_csrf_verify(p, ks, "alice", flipped, NOW) != -1)
            fail_msg("accepted a MAC changed at %d: %s", i, flipped);
        flipped[i] = c;
    }
    /* over 128 bytes, whatever it holds */
    longer = apr_pstrcat(p, good, apr_pstrndup(p,
        "................................................................"
        "................................................................",
        129 - n), NULL);
    assert_int_equal(strlen(longer), 129);
    assert_int_equal(stepup_csrf_verify(p, ks, "alice", longer, NOW), -1);
}

/* A step-up token is no CSRF token, nor the reverse: their MACs are over
 * different messages with the same keys. */
static void test_csrf_domain_separation(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    const char *csrf = stepup_csrf_mint(p, ks, "alice", NOW);
    stepup_token t, out;
    const char *tok;
    stepup_policy pol;

    memset(&t, 0, sizeof(t));
    t.auth_time = NOW;
    t.expires = NOW + 300;
    t.acr = STEPUP_ACR_PWD;
    t.amr = STEPUP_AMR_PWD;
    t.user = "alice";
    tok = stepup_token_mint(p, ks, &t);
    assert_non_null(tok);
    assert_int_equal(stepup_csrf_verify(p, ks, "alice", tok, NOW), -1);

    memset(&pol, 0, sizeof(pol));
    pol.now = NOW;
    pol.max_age = 300;
    pol.lifetime = 900;
    pol.min_acr = STEPUP_ACR_PWD;
    pol.user = "alice";
    assert_int_not_equal(stepup_token_verify(p, ks, csrf, strlen(csrf), &pol,
                                             &out), STEPUP_TOKEN_OK);
    assert_int_equal(stepup_token_verify(p, ks, tok, strlen(tok), &pol, &out),
                     STEPUP_TOKEN_OK);
}

/* ==== templates ========================================================== */

static const char *const NAMES[] = {
    "title", "user", "error", "methods", "base", "return_to", "csrf", NULL
};

static stepup_template *parse_ok(apr_pool_t *p, const char *text)
{
    stepup_template *t = NULL;
    const char *why = NULL;

    if (stepup_template_parse(p, text, strlen(text), NAMES, &t, &why) != 0)
        fail_msg("refused \"%s\": %s", text, why ? why : "(no reason)");
    assert_non_null(t);
    return t;
}

static void parse_refused(apr_pool_t *p, const char *text, size_t len,
                          const char *want)
{
    stepup_template *t = (stepup_template *)&t;   /* must become NULL */
    const char *why = NULL;

    assert_int_equal(stepup_template_parse(p, text, len, NAMES, &t, &why), -1);
    assert_null(t);
    assert_non_null(why);
    assert_string_equal(why, want);
    assert_null(strchr(why, '\n'));
}

static const char *render(apr_pool_t *p, const char *text)
{
    static const char *const values[] = {
        "T", "U", "E", "M", "B", "R", "C", NULL
    };

    return stepup_template_render(p, parse_ok(p, text), values);
}

static void test_template_render(void **state)
{
    apr_pool_t *p = *state;

    assert_string_equal(render(p, ""), "");
    assert_string_equal(render(p, "plain text, no placeholder"),
                        "plain text, no placeholder");
    assert_string_equal(render(p, "{{title}}"), "T");
    assert_string_equal(render(p, "<{{title}}|{{user}}|{{error}}|{{methods}}|"
                                  "{{base}}|{{return_to}}|{{csrf}}>"),
                        "<T|U|E|M|B|R|C>");
    assert_string_equal(render(p, "{{user}}{{user}}{{title}}"), "UUT");
    assert_string_equal(render(p, "a\n{{base}}stepup.js\nb"),
                        "a\nBstepup.js\nb");
    /* braces that are not placeholders */
    assert_string_equal(render(p, "{ } {x} }} {{title}} }}}"),
                        "{ } {x} }} T }}}");
    assert_string_equal(render(p, "function(){ return {a:1}; }"),
                        "function(){ return {a:1}; }");
}

/* Values are written as given: the caller escapes them, and a value that
 * looks like a placeholder is not expanded again. */
static void test_template_values_verbatim(void **state)
{
    apr_pool_t *p = *state;
    stepup_template *t = parse_ok(p, "[{{user}}][{{error}}][{{csrf}}]");
    const char *values[] = {
        "", "<b>&\"x\"", "{{csrf}}", "", "", "", "z{{", NULL
    };
    char *out = stepup_template_render(p, t, values);

    assert_string_equal(out, "[<b>&\"x\"][{{csrf}}][z{{]");
    /* rendering twice gives the same page; the template is not consumed */
    assert_string_equal(stepup_template_render(p, t, values), out);
    values[1] = "";
    assert_string_equal(stepup_template_render(p, t, values), "[][{{csrf}}][z{{]");
}

/* What a template shows is escaped for text and for attributes quoted
 * either way: ' too, which apr_escape_entity leaves alone. */
static void test_html_escape(void **state)
{
    apr_pool_t *p = *state;
    const char *plain = "plain user.name@example";
    stepup_template *t = parse_ok(p, "<input value='{{user}}' "
                                     "title=\"{{title}}\">");
    const char *values[] = { NULL, NULL, "", "", "", "", "", NULL };

    assert_string_equal(stepup_html_escape(p, "'"), "&#39;");
    assert_string_equal(stepup_html_escape(p, "&<>\"'"),
                        "&amp;&lt;&gt;&quot;&#39;");
    assert_string_equal(stepup_html_escape(p, "o'hara & <b>\"x\"</b>"),
                        "o&#39;hara &amp; &lt;b&gt;&quot;x&quot;&lt;/b&gt;");
    /* already an entity: escaped again, shown as typed */
    assert_string_equal(stepup_html_escape(p, "&#39;"), "&amp;#39;");
    assert_string_equal(stepup_html_escape(p, plain), plain);
    assert_string_equal(stepup_html_escape(p, ""), "");
    assert_string_equal(stepup_html_escape(p, NULL), "");
    /* a user name that would leave the single-quoted attribute */
    values[1] = stepup_html_escape(p, "x' autofocus onfocus='alert(1)");
    values[0] = stepup_html_escape(p, "a\" b='c'");
    assert_string_equal(stepup_template_render(p, t, values),
                        "<input value='x&#39; autofocus onfocus=&#39;"
                        "alert(1)' title=\"a&quot; b=&#39;c&#39;\">");
}

static void test_template_unknown(void **state)
{
    apr_pool_t *p = *state;
    const char *t;

    t = "<p>{{nope}}</p>";
    parse_refused(p, t, strlen(t), "line 1: unknown placeholder {{nope}}");
    t = "a\nb\n{{title}}\n  {{nope}}\n";
    parse_refused(p, t, strlen(t), "line 4: unknown placeholder {{nope}}");
    t = "{{ user }}";
    parse_refused(p, t, strlen(t), "line 1: unknown placeholder {{ user }}");
    t = "{{USER}}";
    parse_refused(p, t, strlen(t), "line 1: unknown placeholder {{USER}}");
    t = "{{}}";
    parse_refused(p, t, strlen(t), "line 1: unknown placeholder {{}}");
    t = "{{titles}}";
    parse_refused(p, t, strlen(t), "line 1: unknown placeholder {{titles}}");
    t = "{{titl}}";
    parse_refused(p, t, strlen(t), "line 1: unknown placeholder {{titl}}");
    t = "{{{{title}}}}";
    parse_refused(p, t, strlen(t), "line 1: unknown placeholder {{{{title}}");
}

/* Refused with a one-line reason that starts with prefix. */
static void parse_refused_prefix(apr_pool_t *p, const char *text,
                                 const char *prefix)
{
    stepup_template *t = (stepup_template *)&t;
    const char *why = NULL;

    assert_int_equal(stepup_template_parse(p, text, strlen(text), NAMES, &t,
                                           &why), -1);
    assert_null(t);
    assert_non_null(why);
    if (strncmp(why, prefix, strlen(prefix)))
        fail_msg("reason \"%s\" does not start with \"%s\"", why, prefix);
    if (strchr(why, '\n') || strchr(why, '\r'))
        fail_msg("the reason is not one line: \"%s\"", why);
}

/* An unclosed "{{" before a later "}}" (another placeholder's, or a
 * brace pair of inline CSS/JS): still a one-line reason, on the line of the
 * "{{". */
static void test_template_unclosed_then_more(void **state)
{
    apr_pool_t *p = *state;

    parse_refused_prefix(p, "<b>{{user</b>\n<p>{{title}}</p>\n", "line 1: ");
    parse_refused_prefix(p, "x\n{{user\n}}", "line 2: ");
    parse_refused_prefix(p, "a\r\n{{csrf\r\n}}\r\n", "line 2: ");
}

static void test_template_unknown_long_name(void **state)
{
    apr_pool_t *p = *state;
    char *name = apr_palloc(p, 101);
    const char *t;

    memset(name, 'n', 100);
    name[100] = '\0';
    t = apr_pstrcat(p, "{{", name, "}}", NULL);
    /* the reason stays one short line: the name is cut at 40 bytes */
    parse_refused(p, t, strlen(t), apr_pstrcat(p, "line 1: unknown "
                  "placeholder {{", apr_pstrndup(p, name, 40), "}}", NULL));
}

static void test_template_unclosed(void **state)
{
    apr_pool_t *p = *state;
    const char *t;

    t = "{{user";
    parse_refused(p, t, strlen(t), "line 1: \"{{\" is never closed");
    t = "<p>\n<b>{{user</b>\n</p>\n";
    parse_refused(p, t, strlen(t), "line 2: \"{{\" is never closed");
    t = "{{title}}\n{{csrf}}\n{{";
    parse_refused(p, t, strlen(t), "line 3: \"{{\" is never closed");
    t = "{{user}";
    parse_refused(p, t, strlen(t), "line 1: \"{{\" is never closed");
    t = "{{user} }";
    parse_refused(p, t, strlen(t), "line 1: \"{{\" is never closed");
}

static void test_template_limits(void **state)
{
    apr_pool_t *p = *state;
    size_t max = 256 * 1024;
    char *big = apr_palloc(p, max + 2);
    stepup_template *t = NULL;
    const char *why = NULL;
    static const char nul[] = "a\0{{title}}";

    memset(big, 'x', max + 1);
    big[max] = '\0';
    assert_int_equal(stepup_template_parse(p, big, max, NAMES, &t, &why), 0);
    assert_int_equal(strlen(render(p, big)), max);
    big[max] = 'x';
    big[max + 1] = '\0';
    parse_refused(p, big, max + 1, "template is too large");
    parse_refused(p, nul, sizeof(nul) - 1, "template contains a NUL byte");
}

static void test_template_load(void **state)
{
    apr_pool_t *p = *state;
    char *dir = unit_tmpdir(p, NULL);
    static const char text[] = "<h1>{{title}}</h1>\n{{methods}}\n";
    static const char bad[] = "<h1>\n{{title}}\n{{oops}}</h1>\n";
    char *good = unit_tmpfile(p, dir, text, sizeof(text) - 1, 0644);
    char *wrong = unit_tmpfile(p, dir, bad, sizeof(bad) - 1, 0600);
    char *empty = unit_tmpfile(p, dir, "", 0, 0600);
    static const char *const values[] = {
        "Confirm access", "", "", "<form></form>", "", "", "", NULL
    };
    stepup_template *t = NULL;
    const char *why = NULL;

    assert_int_equal(stepup_template_load(p, good, NAMES, &t, &why), 0);
    assert_non_null(t);
    assert_string_equal(stepup_template_render(p, t, values),
                        "<h1>Confirm access</h1>\n<form></form>\n");

    /* an empty file is a mistake, not a blank page */
    why = NULL;
    assert_int_equal(stepup_template_load(p, empty, NAMES, &t, &why), -1);
    assert_string_equal(why, "file is empty");

    why = NULL;
    assert_int_equal(stepup_template_load(p, wrong, NAMES, &t, &why), -1);
    assert_null(t);
    assert_string_equal(why, "line 3: unknown placeholder {{oops}}");

    why = NULL;
    assert_int_equal(stepup_template_load(p, apr_pstrcat(p, dir, "/missing",
                                          NULL), NAMES, &t, &why), -1);
    assert_non_null(why);
    assert_non_null(strstr(why, "No such file"));

    why = NULL;
    assert_int_equal(stepup_template_load(p, dir, NAMES, &t, &why), -1);
    assert_non_null(why);
    assert_string_equal(why, "not a regular file");
}

/* ==== fragments ========================================================== */

static const char *const FRAGMENTS[] = { "form", "word", "empty", NULL };

static void fragments_ok(apr_pool_t *p, const char *text,
                         stepup_template **out)
{
    const char *why = NULL;

    if (stepup_template_parse_fragments(p, text, strlen(text), FRAGMENTS,
                                        NAMES, out, &why) != 0)
        fail_msg("refused \"%s\": %s", text, why ? why : "(no reason)");
}

static void fragments_refused(apr_pool_t *p, const char *text, size_t len,
                              const char *want)
{
    stepup_template *out[3] = { NULL, NULL, NULL };
    const char *why = NULL;
    int i;

    for (i = 0; i < 3; i++)
        out[i] = (stepup_template *)&out;       /* must become NULL */
    assert_int_equal(stepup_template_parse_fragments(p, text, len, FRAGMENTS,
                                                     NAMES, out, &why), -1);
    for (i = 0; i < 3; i++)
        assert_null(out[i]);
    assert_non_null(why);
    assert_string_equal(why, want);
}

/* Each fragment is the lines up to the next "{{:name}}" line, without the
 * newline of its last line; an empty line keeps one; the text before the
 * first fragment is not shown; the order in the file does not matter. */
static void test_fragments_render(void **state)
{
    apr_pool_t *p = *state;
    static const char *const values[] = {
        "T", "U", "E", "M", "B", "R", "C", NULL
    };
    static const char *const none[8] = { NULL };
    stepup_template *out[3];

    fragments_ok(p, "<!-- {{nope}} a comment -->\n"
                    "{{:word}}\na {{user}}\n"
                    "{{:form}}\n<form action=\"{{base}}x\">\n</form>\n\n"
                    "{{:empty}}\n", out);
    assert_string_equal(stepup_template_render(p, out[0], values),
                        "<form action=\"Bx\">\n</form>\n");
    assert_string_equal(stepup_template_render(p, out[1], values), "a U");
    assert_string_equal(stepup_template_render(p, out[2], values), "");
    /* no newline at the end of the file; a missing value shows nothing */
    fragments_ok(p, "{{:empty}}\n{{:form}}\n{{error}}{{csrf}}\n"
                    "{{:word}}\nlast", out);
    assert_string_equal(stepup_template_render(p, out[0], values), "EC");
    assert_string_equal(stepup_template_render(p, out[2], values), "");
    assert_string_equal(stepup_template_render(p, out[1], values), "last");
    assert_string_equal(stepup_template_render(p, out[0], none), "");
}

static void test_fragments_refused(void **state)
{
    static const struct {
        const char *text, *reason;
    } cases[] = {
        { "{{:form}}\nx\n{{:word}}\ny\n", "fragment {{:empty}} is missing" },
        { "no fragment at all\n", "fragment {{:form}} is missing" },
        { "{{:form}}\n{{:word}}\n{{:empty}}\n{{:other}}\n",
          "line 4: unknown fragment {{:other}}" },
        { "{{:form}}\n{{:word}}\n{{:form}}\n{{:empty}}\n",
          "line 3: a second fragment {{:form}}" },
        { "{{:form}} x\n{{:word}}\n{{:empty}}\n",
          "line 1: a fragment starts with a line {{:name}} and nothing else" },
        { "{{:word}}\n{{:empty}}\n{{:form}}\n<p>\n{{nope}}\n",
          "line 5: unknown placeholder {{nope}}" },
        /* a placeholder does not close in the next fragment's line */
        { "{{:word}}\nx {{user\n{{:empty}}\n{{:form}}\n",
          "line 2: \"{{\" is never closed" },
    };
    apr_pool_t *p = *state;
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        fragments_refused(p, cases[i].text, strlen(cases[i].text),
                          cases[i].reason);
    fragments_refused(p, "{{:word}}\0", 10, "template contains a NUL byte");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_return_to_local_paths),
        UNIT_TEST(test_return_to_attacks),
        UNIT_TEST(test_return_to_every_byte),
        UNIT_TEST(test_return_to_length),
        UNIT_TEST(test_csrf_mint_matches_reference),
        UNIT_TEST(test_csrf_mint_refuses),
        UNIT_TEST(test_csrf_window),
        UNIT_TEST(test_csrf_other_user),
        UNIT_TEST(test_csrf_rotation),
        UNIT_TEST(test_csrf_malformed),
        UNIT_TEST(test_csrf_domain_separation),
        UNIT_TEST(test_template_render),
        UNIT_TEST(test_template_values_verbatim),
        UNIT_TEST(test_html_escape),
        UNIT_TEST(test_template_unknown),
        UNIT_TEST(test_template_unknown_long_name),
        UNIT_TEST(test_template_unclosed),
        UNIT_TEST(test_template_unclosed_then_more),
        UNIT_TEST(test_template_limits),
        UNIT_TEST(test_template_load),
        UNIT_TEST(test_fragments_render),
        UNIT_TEST(test_fragments_refused),
    };

    return cmocka_run_group_tests_name("web", tests, unit_group_setup,
                                       unit_group_teardown);
}
