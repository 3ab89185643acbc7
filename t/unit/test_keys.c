/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The StepupKeyFile key set (src/core/keys.c): parsing, every refusal
 * with its one-line reason, loading from real files with their permissions,
 * lookup, key ids, keygen and the prepared HMAC-SHA256 state.
 */
#include <errno.h>
#include <signal.h>
#include <grp.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <apr_strings.h>
#include <openssl/hmac.h>

#include "unit_util.h"
#include "stepup_b64url.h"
#include "stepup_keys.h"

#define REASON_KID     "key id must be 1 to 16 of [A-Za-z0-9_-]"
#define REASON_PERMS   "group or others have access to it (chmod 600)"
#define REASON_NOKEYS  "no keys (the file is empty or only comments)"

/* ---- helpers local to this file ---- */

static stepup_keyset *parse_ok(apr_pool_t *p, const char *text, size_t len)
{
    stepup_keyset *ks = NULL;
    const char *why = "untouched";

    if (stepup_keyset_parse(p, text, len, &ks, &why) != 0)
        fail_msg("refused: %s", why ? why : "(no reason)");
    assert_null(why);
    assert_non_null(ks);
    return ks;
}

/* Expects parse to refuse text with exactly the reason want. */
static void parse_refused(apr_pool_t *p, const char *text, size_t len,
                          const char *want)
{
    stepup_keyset *ks = (stepup_keyset *)&ks;   /* must be reset to NULL */
    const char *why = NULL;

    assert_int_equal(stepup_keyset_parse(p, text, len, &ks, &why), -1);
    assert_null(ks);
    assert_non_null(why);
    assert_string_equal(why, want);
}

static void parse_refused_str(apr_pool_t *p, const char *text, const char *want)
{
    parse_refused(p, text, strlen(text), want);
}

/* The key's MAC of a fixed message equals the reference HMAC under secret. */
static void assert_key_is(const stepup_key *key, const char *kid,
                          const unsigned char *secret, size_t len)
{
    static const char msg[] = "v1.some.message";
    unsigned char got[STEPUP_MAC_LEN], want[STEPUP_MAC_LEN];

    assert_non_null(key);
    assert_string_equal(key->kid, kid);
    assert_non_null(key->mac);
    assert_int_equal(stepup_key_mac(key, msg, sizeof(msg) - 1, got), 0);
    unit_hmac(secret, len, msg, sizeof(msg) - 1, want);
    assert_memory_equal(got, want, STEPUP_MAC_LEN);
}

static void assert_known_key(const stepup_key *key, const char *kid)
{
    size_t len = 0;
    const unsigned char *secret = unit_secret(kid, &len);

    assert_non_null(secret);
    assert_key_is(key, kid, secret, len);
}

/* A key line with a secret of n bytes (pattern bytes). */
static char *line_with_secret_len(apr_pool_t *p, const char *kid, size_t n)
{
    unsigned char *secret = apr_palloc(p, n ? n : 1);
    size_t i;

    for (i = 0; i < n; i++)
        secret[i] = (unsigned char)(i * 13 + 7);
    return unit_key_line(p, kid, secret, n);
}

/* ---- stepup_keyset_parse: accepted ---- */

static void test_parse_single(void **state)
{
    apr_pool_t *p = *state;
    const char *text = unit_keyfile_text(p, "alpha", NULL);
    stepup_keyset *ks = parse_ok(p, text, strlen(text));

    assert_int_equal(ks->nkeys, 1);
    assert_known_key(&ks->keys[0], "alpha");
}

/* Comments (whole line and trailing), blank and whitespace-only lines, CRLF,
 * tabs and runs of blanks between and around the fields, no final newline. */
static void test_parse_layout(void **state)
{
    apr_pool_t *p = *state;
    size_t la, lb, lg;
    const unsigned char *sa = unit_secret("alpha", &la);
    const unsigned char *sb = unit_secret("beta", &lb);
    const unsigned char *sg = unit_secret("gamma", &lg);
    const char *text = apr_pstrcat(p,
        "# StepupKeyFile\r\n",
        "\r\n",
        "   \t \r\n",
        "alpha\t", unit_ref_b64url(p, sa, la), "  # current key\r\n",
        "\t beta  \t ", unit_ref_b64url(p, sb, lb), "\t\r\n",
        "#gamma ", unit_ref_b64url(p, sg, lg), "\n",
        "\n",
        "gamma ", unit_ref_b64url(p, sg, lg), "#no space before it",
        NULL);
    stepup_keyset *ks = parse_ok(p, text, strlen(text));

    assert_int_equal(ks->nkeys, 3);
    assert_known_key(&ks->keys[0], "alpha");
    assert_known_key(&ks->keys[1], "beta");
    assert_known_key(&ks->keys[2], "gamma");
}

/* The first key of the file signs: keys[0] is the first line's key. */
static void test_parse_order_first_signs(void **state)
{
    apr_pool_t *p = *state;
    const char *text = unit_keyfile_text(p, "gamma", "alpha", "delta", "beta",
                                         NULL);
    stepup_keyset *ks = parse_ok(p, text, strlen(text));

    assert_int_equal(ks->nkeys, 4);
    assert_known_key(&ks->keys[0], "gamma");
    assert_known_key(&ks->keys[1], "alpha");
    assert_known_key(&ks->keys[2], "delta");
    assert_known_key(&ks->keys[3], "beta");
}

/* Secrets: exactly 32 bytes is enough, padding is accepted, long secrets
 * (longer than the SHA-256 block) are fine. */
static void test_parse_secret_sizes_ok(void **state)
{
    apr_pool_t *p = *state;
    unsigned char s32[32], s512[512];
    const char *text;
    stepup_keyset *ks;
    size_t i;

    for (i = 0; i < sizeof(s512); i++)
        s512[i] = (unsigned char)(i * 13 + 7);
    memcpy(s32, s512, 32);

    text = line_with_secret_len(p, "k32", 32);
    ks = parse_ok(p, text, strlen(text));
    assert_int_equal(ks->nkeys, 1);
    assert_key_is(&ks->keys[0], "k32", s32, 32);

    /* 32 bytes padded: "...=" */
    text = apr_pstrcat(p, line_with_secret_len(p, "pad", 32), "=", NULL);
    ks = parse_ok(p, text, strlen(text));
    assert_key_is(&ks->keys[0], "pad", s32, 32);

    text = line_with_secret_len(p, "k512", 512);
    ks = parse_ok(p, text, strlen(text));
    assert_key_is(&ks->keys[0], "k512", s512, 512);
}

static void test_parse_kid_lengths_ok(void **state)
{
    apr_pool_t *p = *state;
    const char *text = apr_pstrcat(p,
        line_with_secret_len(p, "x", 32), "\n",
        line_with_secret_len(p, "0123456789abcdef", 32), "\n",
        line_with_secret_len(p, "A-Z_a-z-0-9", 32), "\n", NULL);
    stepup_keyset *ks = parse_ok(p, text, strlen(text));

    assert_int_equal(ks->nkeys, 3);
    assert_string_equal(ks->keys[0].kid, "x");
    assert_string_equal(ks->keys[1].kid, "0123456789abcdef");
    assert_string_equal(ks->keys[2].kid, "A-Z_a-z-0-9");
}

/* ---- stepup_keyset_parse: refused, with the reason ---- */

static void test_parse_empty(void **state)
{
    apr_pool_t *p = *state;

    parse_refused(p, "", 0, REASON_NOKEYS);
    parse_refused_str(p, "\n\n\r\n", REASON_NOKEYS);
    parse_refused_str(p, "   \t\n", REASON_NOKEYS);
}

static void test_parse_only_comments(void **state)
{
    apr_pool_t *p = *state;

    parse_refused_str(p, "# keys\n\n   # none yet\r\n#", REASON_NOKEYS);
    /* a commented-out key is no key */
    parse_refused_str(p, apr_pstrcat(p, "# ",
                                     unit_keyfile_text(p, "alpha", NULL), NULL),
                      REASON_NOKEYS);
}

static void test_parse_one_word(void **state)
{
    apr_pool_t *p = *state;

    parse_refused_str(p, "# keys\n\nalpha\n",
                      "line 3: expected \"KID SECRET\"");
    parse_refused_str(p, "alpha   # secret forgotten",
                      "line 1: expected \"KID SECRET\"");
    /* after a good key, the line number is still right (CRLF counted once) */
    parse_refused_str(p, apr_pstrcat(p, "# a\r\n",
                                     unit_keyfile_text(p, "alpha", NULL),
                                     "\r\n\r\n", line_with_secret_len(p, "x", 32),
                                     "\nlonely\n", NULL),
                      "line 6: expected \"KID SECRET\"");
}

static void test_parse_three_words(void **state)
{
    apr_pool_t *p = *state;

    parse_refused_str(p, apr_pstrcat(p, "\n", line_with_secret_len(p, "k", 32),
                                     " extra\n", NULL),
                      "line 2: unexpected text after the secret");
    parse_refused_str(p, apr_pstrcat(p, line_with_secret_len(p, "k", 32),
                                     "\tmore # comment\n", NULL),
                      "line 1: unexpected text after the secret");
}

static void test_parse_bad_kid(void **state)
{
    apr_pool_t *p = *state;
    static const char *const bad[] = {
        "0123456789abcdefg",     /* 17 characters */
        "a.b", "a/b", "a+b", "a=b", "a:b", "k\xc3\xa9", "a\x01" "b",
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        parse_refused_str(p, apr_pstrcat(p, "#\n",
                                         line_with_secret_len(p, bad[i], 32),
                                         "\n", NULL),
                          "line 2: " REASON_KID);
}

static void test_parse_secret_not_b64url(void **state)
{
    apr_pool_t *p = *state;
    const char *good = unit_ref_b64url(p, "0123456789abcdef0123456789abcdef",
                                       32);
    char *plus = apr_pstrdup(p, good), *slash = apr_pstrdup(p, good);
    char *dot = apr_pstrdup(p, good);
    const char *want = "line 1: key \"k\": secret is not base64url";

    plus[5] = '+';
    slash[5] = '/';
    dot[5] = '.';
    parse_refused_str(p, apr_pstrcat(p, "k ", plus, NULL), want);
    parse_refused_str(p, apr_pstrcat(p, "k ", slash, NULL), want);
    parse_refused_str(p, apr_pstrcat(p, "k ", dot, NULL), want);
    /* '=' inside, three '=', and a length that is 1 mod 4 */
    parse_refused_str(p, apr_pstrcat(p, "k ", apr_pstrndup(p, good, 20), "=",
                                     good + 20, NULL), want);
    parse_refused_str(p, apr_pstrcat(p, "k ", good, "===", NULL), want);
    parse_refused_str(p, apr_pstrcat(p, "k ", good, "AA", NULL), want);
    /* the line number of the culprit, after a good key */
    parse_refused_str(p, apr_pstrcat(p, unit_keyfile_text(p, "alpha", NULL),
                                     "k ", plus, "\n", NULL),
                      "line 2: key \"k\": secret is not base64url");
    /* absurdly long secrets are refused before decoding */
    parse_refused_str(p, line_with_secret_len(p, "k", 600), want);
}

static void test_parse_secret_short(void **state)
{
    apr_pool_t *p = *state;

    parse_refused_str(p, line_with_secret_len(p, "short", 31),
                      "line 1: key \"short\": secret is 31 bytes, at least 32 "
                      "are required");
    parse_refused_str(p, apr_pstrcat(p, "# old\n",
                                     line_with_secret_len(p, "k", 16), NULL),
                      "line 2: key \"k\": secret is 16 bytes, at least 32 are "
                      "required");
    /* 31 bytes padded ("==") is still 31 bytes */
    parse_refused_str(p, apr_pstrcat(p, line_with_secret_len(p, "short", 31),
                                     "==", NULL),
                      "line 1: key \"short\": secret is 31 bytes, at least 32 "
                      "are required");
    /* and the boundary: 32 is accepted */
    {
        const char *text = line_with_secret_len(p, "short", 32);
        assert_int_equal(parse_ok(p, text, strlen(text))->nkeys, 1);
    }
}

static void test_parse_duplicate_kid(void **state)
{
    apr_pool_t *p = *state;
    const char *text = apr_pstrcat(p,
        unit_keyfile_text(p, "alpha", "beta", NULL),
        "# rotated\n",
        line_with_secret_len(p, "alpha", 40), "\n", NULL);

    parse_refused_str(p, text, "line 4: duplicate key id \"alpha\"");
    /* kids are case-sensitive: "Alpha" is another key */
    text = apr_pstrcat(p, unit_keyfile_text(p, "alpha", NULL),
                       line_with_secret_len(p, "Alpha", 40), "\n", NULL);
    assert_int_equal(parse_ok(p, text, strlen(text))->nkeys, 2);
}

static void test_parse_nul_byte(void **state)
{
    apr_pool_t *p = *state;
    const char *good = unit_keyfile_text(p, "alpha", NULL);
    size_t len = strlen(good);
    char *text = apr_pstrcat(p, good, "# trailer", NULL);

    /* a NUL in a comment after a good key, and one right at the start */
    text[len + 3] = '\0';
    parse_refused(p, text, len + 9, "file contains a NUL byte");
    text = apr_pstrdup(p, good);
    text[0] = '\0';
    parse_refused(p, text, len, "file contains a NUL byte");
}

/* STEPUP_KEYFILE_MAX bytes are accepted, one more is refused. */
static void test_parse_too_large(void **state)
{
    apr_pool_t *p = *state;
    const char *key = unit_keyfile_text(p, "alpha", NULL);
    size_t klen = strlen(key);
    char *text = apr_palloc(p, STEPUP_KEYFILE_MAX + 2);
    stepup_keyset *ks;

    memcpy(text, key, klen);
    memset(text + klen, '#', STEPUP_KEYFILE_MAX + 1 - klen);
    text[STEPUP_KEYFILE_MAX + 1] = '\0';

    ks = parse_ok(p, text, STEPUP_KEYFILE_MAX);
    assert_int_equal(ks->nkeys, 1);
    assert_known_key(&ks->keys[0], "alpha");
    parse_refused(p, text, STEPUP_KEYFILE_MAX + 1, "file is too large");
}

/* STEPUP_KEYS_MAX keys are accepted; the next one is refused on its line. */
static void test_parse_too_many_keys(void **state)
{
    apr_pool_t *p = *state;
    char *text = "# many keys\n";
    stepup_keyset *ks;
    int i;

    for (i = 0; i < STEPUP_KEYS_MAX; i++)
        text = apr_pstrcat(p, text, line_with_secret_len(p,
                               apr_psprintf(p, "k%d", i), 32), "\n", NULL);
    ks = parse_ok(p, text, strlen(text));
    assert_int_equal(ks->nkeys, STEPUP_KEYS_MAX);
    assert_string_equal(ks->keys[0].kid, "k0");
    assert_string_equal(ks->keys[STEPUP_KEYS_MAX - 1].kid,
                        apr_psprintf(p, "k%d", STEPUP_KEYS_MAX - 1));

    text = apr_pstrcat(p, text, "\n", line_with_secret_len(p, "one-more", 32),
                       "\n", NULL);
    parse_refused_str(p, text, apr_psprintf(p, "line %d: more than %d keys",
                                            STEPUP_KEYS_MAX + 3,
                                            STEPUP_KEYS_MAX));
}

/* ---- stepup_keyset_load on real files ---- */

static stepup_keyset *load_ok(apr_pool_t *p, const char *path)
{
    stepup_keyset *ks = NULL;
    const char *why = NULL;

    if (stepup_keyset_load(p, path, &ks, &why) != 0)
        fail_msg("load %s refused: %s", path, why ? why : "(no reason)");
    assert_non_null(ks);
    return ks;
}

static void load_refused(apr_pool_t *p, const char *path, const char *want)
{
    stepup_keyset *ks = (stepup_keyset *)&ks;
    const char *why = NULL;

    assert_int_equal(stepup_keyset_load(p, path, &ks, &why), -1);
    assert_null(ks);
    assert_non_null(why);
    assert_string_equal(why, want);
    /* one line, and without the path */
    assert_null(strchr(why, '\n'));
    assert_null(strstr(why, path));
}

static void test_load_ok_0600_0400(void **state)
{
    apr_pool_t *p = *state;
    const char *dir = unit_tmpdir(p, NULL);
    const char *text = apr_pstrcat(p, "# keys\r\n",
                                   unit_keyfile_text(p, "beta", "alpha", NULL),
                                   NULL);
    stepup_keyset *ks;

    ks = load_ok(p, unit_tmpfile(p, dir, text, strlen(text), 0600));
    assert_int_equal(ks->nkeys, 2);
    assert_known_key(&ks->keys[0], "beta");
    assert_known_key(&ks->keys[1], "alpha");

    ks = load_ok(p, unit_tmpfile(p, dir, text, strlen(text), 0400));
    assert_int_equal(ks->nkeys, 2);
    assert_known_key(&ks->keys[0], "beta");
}

static void test_load_missing(void **state)
{
    apr_pool_t *p = *state;
    const char *dir = unit_tmpdir(p, NULL);

    load_refused(p, apr_pstrcat(p, dir, "/no-such-file", NULL),
                 strerror(ENOENT));
}

static void test_load_directory(void **state)
{
    apr_pool_t *p = *state;
    const char *dir = unit_tmpdir(p, NULL);
    const char *sub = unit_tmpdir(p, dir);

    assert_int_equal(chmod(sub, 0700), 0);
    load_refused(p, sub, "not a regular file");
}

static void test_load_empty(void **state)
{
    apr_pool_t *p = *state;
    const char *dir = unit_tmpdir(p, NULL);

    load_refused(p, unit_tmpfile(p, dir, "", 0, 0600), "file is empty");
}

/* Any permission bit for group or others is refused, whatever the content. */
static void test_load_permissions(void **state)
{
    apr_pool_t *p = *state;
    static const mode_t bad[] = {
        0640, 0604, 0660, 0644, 0666, 0610, 0601, 0620, 0602, 0700 | 0070,
        0440, 0404,
    };
    const char *dir = unit_tmpdir(p, NULL);
    const char *text = unit_keyfile_text(p, "alpha", NULL);
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *path = unit_tmpfile(p, dir, text, strlen(text), bad[i]);
        struct stat st;

        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, bad[i]);
        load_refused(p, path, REASON_PERMS);
    }
    /* the check comes before the content is looked at: even an empty one */
    load_refused(p, unit_tmpfile(p, dir, "", 0, 0644), REASON_PERMS);
}

static void test_load_too_large(void **state)
{
    apr_pool_t *p = *state;
    const char *dir = unit_tmpdir(p, NULL);
    const char *key = unit_keyfile_text(p, "alpha", NULL);
    size_t klen = strlen(key);
    char *text = apr_palloc(p, STEPUP_KEYFILE_MAX + 1);

    memcpy(text, key, klen);
    memset(text + klen, '#', STEPUP_KEYFILE_MAX + 1 - klen);
    load_refused(p, unit_tmpfile(p, dir, text, STEPUP_KEYFILE_MAX + 1, 0600),
                 "file is too large");
    assert_int_equal(load_ok(p, unit_tmpfile(p, dir, text, STEPUP_KEYFILE_MAX,
                                             0600))->nkeys, 1);
}

/* A malformed file gives parse's reason, with its line. */
static void test_load_malformed(void **state)
{
    apr_pool_t *p = *state;
    const char *dir = unit_tmpdir(p, NULL);
    const char *text = apr_pstrcat(p, unit_keyfile_text(p, "alpha", NULL),
                                   line_with_secret_len(p, "b", 31), "\n",
                                   NULL);

    load_refused(p, unit_tmpfile(p, dir, text, strlen(text), 0600),
                 "line 2: key \"b\": secret is 31 bytes, at least 32 are "
                 "required");
    load_refused(p, unit_tmpfile(p, dir, "# nothing\n", 10, 0600),
                 REASON_NOKEYS);
}

/* Mode 000. Without privileges the file cannot be opened. Root (the test
 * may run as root) reads it anyway, and since no group/other bit is set the
 * key set loads: that is asserted, and the unprivileged refusal is then
 * checked in a child that drops to nobody. */
static void test_load_unreadable(void **state)
{
    apr_pool_t *p = *state;
    const char *dir = unit_tmpdir(p, NULL);
    const char *text = unit_keyfile_text(p, "alpha", NULL);
    const char *path = unit_tmpfile(p, dir, text, strlen(text), 0000);
    const char *denied = strerror(EACCES);
    stepup_keyset *ks = NULL;
    const char *why = NULL;
    pid_t pid;
    int status = 0;

    if (geteuid() != 0) {
        load_refused(p, path, denied);
        return;
    }

    /* root: mode 000 does not stop it */
    ks = load_ok(p, path);
    assert_int_equal(ks->nkeys, 1);
    assert_known_key(&ks->keys[0], "alpha");

    /* unprivileged, in a child: the directory must be searchable */
    assert_int_equal(chmod(dir, 0711), 0);
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int rc;

        if (setgroups(0, NULL) != 0 || setgid(65534) != 0
            || setuid(65534) != 0 || geteuid() == 0)
            _exit(77);
        ks = NULL;
        rc = stepup_keyset_load(p, path, &ks, &why);
        _exit(rc == -1 && !ks && why && !strcmp(why, denied) ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77) {
        /* no CAP_SETUID: root behaviour above is all that can be seen */
        print_message("note: cannot drop privileges here; only the root "
                      "behaviour of a mode 000 key file was checked\n");
        return;
    }
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* Runs stepup_keyset_load(path) in a child and expects the refusal want
 * within a few seconds; 0 when so, -1 when the load did not return. */
static int load_refused_in_child(apr_pool_t *p, const char *path,
                                 const char *want)
{
    pid_t pid;
    int status = 0, i;

    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        stepup_keyset *ks = NULL;
        const char *why = NULL;
        int rc = stepup_keyset_load(p, path, &ks, &why);

        _exit(rc == -1 && !ks && why && !strcmp(why, want) ? 0 : 1);
    }
    for (i = 0; i < 500; i++) {               /* 5 s */
        pid_t done = waitpid(pid, &status, WNOHANG);

        assert_true(done >= 0);
        if (done == pid) {
            assert_true(WIFEXITED(status));
            assert_int_equal(WEXITSTATUS(status), 0);
            return 0;
        }
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

/* A FIFO is not a regular file: refused at once, not waited on (opening a
 * FIFO for reading blocks until a writer comes, which would hang httpd's
 * start). */
static void test_load_fifo(void **state)
{
    apr_pool_t *p = *state;
    const char *dir = unit_tmpdir(p, NULL);
    const char *path = unit_tmpname(p, dir, "keys.fifo");

    assert_int_equal(mkfifo(path, 0600), 0);
    if (load_refused_in_child(p, path, "not a regular file") != 0)
        fail_msg("stepup_keyset_load blocked on a FIFO with no writer");
}

/* A symlink to a good key file is followed; the permissions checked are
 * those of the file opened. */
static void test_load_symlink(void **state)
{
    apr_pool_t *p = *state;
    const char *dir = unit_tmpdir(p, NULL);
    const char *text = unit_keyfile_text(p, "alpha", NULL);
    const char *good = unit_tmpfile(p, dir, text, strlen(text), 0600);
    const char *shared = unit_tmpfile(p, dir, text, strlen(text), 0644);
    const char *l1 = unit_tmpname(p, dir, "link-good");
    const char *l2 = unit_tmpname(p, dir, "link-open");

    assert_int_equal(symlink(good, l1), 0);
    assert_int_equal(symlink(shared, l2), 0);
    assert_known_key(&load_ok(p, l1)->keys[0], "alpha");
    load_refused(p, l2, REASON_PERMS);
}

/* ---- stepup_keyset_find ---- */

static void test_find(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", "beta", "gamma", NULL);
    const char *text = apr_pstrcat(p, line_with_secret_len(p, "key1", 32), "\n",
                                   line_with_secret_len(p, "key10", 33), NULL);
    stepup_keyset *ks2 = parse_ok(p, text, strlen(text));

    assert_ptr_equal(stepup_keyset_find(ks, "alpha", 5), &ks->keys[0]);
    assert_ptr_equal(stepup_keyset_find(ks, "beta", 4), &ks->keys[1]);
    assert_ptr_equal(stepup_keyset_find(ks, "gamma", 5), &ks->keys[2]);
    /* only kid[0..kidlen) counts */
    assert_ptr_equal(stepup_keyset_find(ks, "beta.payload.mac", 4),
                     &ks->keys[1]);
    assert_null(stepup_keyset_find(ks, "delta", 5));
    assert_null(stepup_keyset_find(ks, "alph", 4));
    assert_null(stepup_keyset_find(ks, "alphab", 6));
    assert_null(stepup_keyset_find(ks, "alpha", 4));
    assert_null(stepup_keyset_find(ks, "Alpha", 5));
    assert_null(stepup_keyset_find(ks, "", 0));

    assert_ptr_equal(stepup_keyset_find(ks2, "key1", 4), &ks2->keys[0]);
    assert_ptr_equal(stepup_keyset_find(ks2, "key10", 5), &ks2->keys[1]);
    assert_ptr_equal(stepup_keyset_find(ks2, "key10", 4), &ks2->keys[0]);
    assert_null(stepup_keyset_find(ks2, "key", 3));
    assert_null(stepup_keyset_find(ks2, "key100", 6));
}

/* ---- stepup_kid_valid ---- */

static void test_kid_valid(void **state)
{
    (void)state;
    assert_int_equal(stepup_kid_valid("a", 1), 1);
    assert_int_equal(stepup_kid_valid("Z", 1), 1);
    assert_int_equal(stepup_kid_valid("0", 1), 1);
    assert_int_equal(stepup_kid_valid("-", 1), 1);
    assert_int_equal(stepup_kid_valid("_", 1), 1);
    assert_int_equal(stepup_kid_valid("AZaz09-_", 8), 1);
    assert_int_equal(stepup_kid_valid("0123456789abcdef", 16), 1);
    assert_int_equal(stepup_kid_valid("2024-06_key", 11), 1);

    assert_int_equal(stepup_kid_valid("", 0), 0);
    assert_int_equal(stepup_kid_valid("0123456789abcdefg", 17), 0);
    assert_int_equal(stepup_kid_valid("a.b", 3), 0);
    assert_int_equal(stepup_kid_valid("a b", 3), 0);
    assert_int_equal(stepup_kid_valid("a+b", 3), 0);
    assert_int_equal(stepup_kid_valid("a/b", 3), 0);
    assert_int_equal(stepup_kid_valid("a=", 2), 0);
    assert_int_equal(stepup_kid_valid("a|b", 3), 0);
    assert_int_equal(stepup_kid_valid("k\xc3\xa9", 3), 0);
    assert_int_equal(stepup_kid_valid("a\0b", 3), 0);
    assert_int_equal(stepup_kid_valid("a\tb", 3), 0);
    /* only kid[0..len) counts */
    assert_int_equal(stepup_kid_valid("ab.cd", 2), 1);
    assert_int_equal(stepup_kid_valid("0123456789abcdefg", 16), 1);
}

/* ---- stepup_keygen_line ---- */

static void test_keygen_line(void **state)
{
    apr_pool_t *p = *state;
    char *l1 = stepup_keygen_line(p, "k2024");
    char *l2 = stepup_keygen_line(p, "k2024");
    const char *secret;
    unsigned char *raw = NULL;
    size_t rawlen = 0;
    stepup_keyset *ks;

    assert_non_null(l1);
    assert_non_null(l2);
    /* "KID SECRET": one space, the secret is 43 base64url characters */
    assert_int_equal(strncmp(l1, "k2024 ", 6), 0);
    secret = l1 + 6;
    assert_int_equal(strlen(secret), STEPUP_B64URL_LEN(32));
    assert_true(stepup_b64url_valid(secret, strlen(secret), 0));
    assert_int_equal(stepup_b64url_decode(p, secret, strlen(secret), &raw,
                                          &rawlen), 0);
    assert_int_equal(rawlen, 32);

    /* it parses back, and the key is that secret */
    ks = parse_ok(p, l1, strlen(l1));
    assert_int_equal(ks->nkeys, 1);
    assert_key_is(&ks->keys[0], "k2024", raw, rawlen);

    /* fresh randomness each time */
    assert_string_not_equal(l1, l2);
    assert_int_equal(strncmp(l2, "k2024 ", 6), 0);
    assert_string_not_equal(l1 + 6, l2 + 6);

    /* the same kid twice is still a duplicate, whatever the secrets */
    parse_refused_str(p, apr_pstrcat(p, l1, "\n", l2, "\n", NULL),
                      "line 2: duplicate key id \"k2024\"");

    l1 = stepup_keygen_line(p, "0123456789abcdef");
    assert_non_null(l1);
    assert_int_equal(strlen(l1), 16 + 1 + STEPUP_B64URL_LEN(32));
}

static void test_keygen_bad_kid(void **state)
{
    apr_pool_t *p = *state;

    assert_null(stepup_keygen_line(p, ""));
    assert_null(stepup_keygen_line(p, "0123456789abcdefg"));
    assert_null(stepup_keygen_line(p, "a.b"));
    assert_null(stepup_keygen_line(p, "a b"));
    assert_null(stepup_keygen_line(p, "a#b"));
}

/* ---- stepup_key_mac against OpenSSL's one-shot HMAC ---- */

static void test_key_mac_matches_openssl(void **state)
{
    apr_pool_t *p = *state;
    static const char *const kids[] = { "alpha", "beta", "gamma", "delta" };
    static const size_t lens[] = { 0, 1, 31, 32, 55, 63, 64, 65, 1000 };
    stepup_keyset *ks = unit_keyset(p, "alpha", "beta", "gamma", "delta",
                                    NULL);
    unsigned char data[1000];
    size_t k, i;

    for (i = 0; i < sizeof(data); i++)
        data[i] = (unsigned char)(i * 31 + 3);
    for (k = 0; k < 4; k++) {
        size_t keylen = 0;
        const unsigned char *secret = unit_secret(kids[k], &keylen);
        const stepup_key *key = stepup_keyset_find(ks, kids[k],
                                                   strlen(kids[k]));

        assert_non_null(key);
        for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
            unsigned char got[STEPUP_MAC_LEN], want[STEPUP_MAC_LEN];
            unsigned char want_q[STEPUP_MAC_LEN];

            memset(got, 0, sizeof(got));
            assert_int_equal(stepup_key_mac(key, data, lens[i], got), 0);
            unit_hmac(secret, keylen, data, lens[i], want);
            unit_hmac_q(secret, keylen, data, lens[i], want_q);
            assert_memory_equal(want, want_q, STEPUP_MAC_LEN);
            assert_memory_equal(got, want, STEPUP_MAC_LEN);
        }
    }
}

/* A known answer: the expected value is a constant, not a computation. */
static void test_key_mac_known_answer(void **state)
{
    apr_pool_t *p = *state;
    /* HMAC-SHA256(key = 00 01 .. 1f (alpha), msg), from Python's hmac */
    static const unsigned char want[STEPUP_MAC_LEN] = {
        0x0e, 0x83, 0x1a, 0x13, 0x69, 0x04, 0x4d, 0x58,
        0xe8, 0xf5, 0x35, 0x7f, 0xaf, 0x0e, 0xd9, 0x1c,
        0xf5, 0x23, 0xee, 0x0e, 0xb3, 0xfc, 0x31, 0x00,
        0x64, 0xfe, 0xd7, 0x0c, 0x93, 0x01, 0x17, 0x96,
    };
    static const char msg[] = "v1.alpha.MTcwMDAwMDAwMHwxNzAwMDAwMzAwfHBocnxod2t8LXxhbGljZQ";
    stepup_keyset *ks = unit_keyset(p, "alpha", NULL);
    unsigned char got[STEPUP_MAC_LEN];

    assert_int_equal(stepup_key_mac(&ks->keys[0], msg, sizeof(msg) - 1, got),
                     0);
    assert_memory_equal(got, want, STEPUP_MAC_LEN);
}

/* The prepared state is not used up: MACs in any order give the same
 * answers, and keys do not share state. */
static void test_key_mac_state_reused(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", "beta", NULL);
    unsigned char a1[STEPUP_MAC_LEN], a2[STEPUP_MAC_LEN], a3[STEPUP_MAC_LEN];
    unsigned char b1[STEPUP_MAC_LEN];

    assert_int_equal(stepup_key_mac(&ks->keys[0], "one", 3, a1), 0);
    assert_int_equal(stepup_key_mac(&ks->keys[0], "two", 3, a2), 0);
    assert_int_equal(stepup_key_mac(&ks->keys[1], "one", 3, b1), 0);
    assert_int_equal(stepup_key_mac(&ks->keys[0], "one", 3, a3), 0);
    assert_memory_equal(a1, a3, STEPUP_MAC_LEN);
    assert_memory_not_equal(a1, a2, STEPUP_MAC_LEN);
    assert_memory_not_equal(a1, b1, STEPUP_MAC_LEN);
}

/* Each thread keeps copies of the few keys it used last: with more keys
 * in use than it keeps, in turn, every MAC is still the right one. */
static void test_key_mac_many_keys_in_turn(void **state)
{
    apr_pool_t *p = *state;
    static const char *const kids[] = { "alpha", "beta", "gamma", "delta" };
    stepup_keyset *a = unit_keyset(p, "alpha", "beta", "gamma", "delta", NULL);
    stepup_keyset *b = unit_keyset(p, "delta", "gamma", "beta", "alpha", NULL);
    int round, k;

    for (round = 0; round < 3; round++) {
        for (k = 0; k < 8; k++) {
            const stepup_key *key = k < 4 ? &a->keys[k] : &b->keys[7 - k];
            size_t keylen = 0;
            const unsigned char *secret = unit_secret(kids[k % 4], &keylen);
            unsigned char got[STEPUP_MAC_LEN], want[STEPUP_MAC_LEN];
            char msg[32];
            int n = snprintf(msg, sizeof(msg), "round %d key %d", round, k);

            assert_string_equal(key->kid, kids[k % 4]);
            assert_int_equal(stepup_key_mac(key, msg, (size_t)n, got), 0);
            unit_hmac(secret, keylen, msg, (size_t)n, want);
            assert_memory_equal(got, want, STEPUP_MAC_LEN);
        }
    }
}

/* A key set freed and another loaded, likely at the same address: the
 * MACs are the new key's, never the old copy's. */
static void test_key_mac_after_reload(void **state)
{
    apr_pool_t *p = *state, *sub;
    const char *kids[] = { "alpha", "beta" };
    int i;

    for (i = 0; i < 4; i++) {
        const char *kid = kids[i % 2];
        stepup_keyset *ks;
        size_t keylen = 0;
        const unsigned char *secret = unit_secret(kid, &keylen);
        unsigned char got[STEPUP_MAC_LEN], want[STEPUP_MAC_LEN];

        assert_int_equal(apr_pool_create(&sub, p), APR_SUCCESS);
        ks = unit_keyset(sub, kid, NULL);
        assert_int_equal(stepup_key_mac(&ks->keys[0], "msg", 3, got), 0);
        unit_hmac(secret, keylen, "msg", 3, want);
        assert_memory_equal(got, want, STEPUP_MAC_LEN);
        apr_pool_destroy(sub);
    }
}

/* The key set is read-only after loading and safe across threads. */
#define MAC_THREADS 4
#define MAC_ROUNDS  200

typedef struct mac_job {
    const stepup_keyset *ks;
    int id;
    int failures;
} mac_job;

static void *mac_worker(void *arg)
{
    mac_job *job = arg;
    int i;

    for (i = 0; i < MAC_ROUNDS; i++) {
        const stepup_key *key = &job->ks->keys[(i + job->id) % 2];
        size_t keylen = 0;
        const unsigned char *secret = unit_secret(key->kid, &keylen);
        unsigned char got[STEPUP_MAC_LEN], want[STEPUP_MAC_LEN];
        unsigned int wlen = 0;
        char msg[64];
        int n = snprintf(msg, sizeof(msg), "thread %d round %d", job->id, i);

        /* no cmocka assertions off the main thread: count instead */
        if (stepup_key_mac(key, msg, (size_t)n, got) != 0
            || !HMAC(EVP_sha256(), secret, (int)keylen,
                     (const unsigned char *)msg, (size_t)n, want, &wlen)
            || memcmp(got, want, STEPUP_MAC_LEN) != 0)
            job->failures++;
    }
    return NULL;
}

static void test_key_mac_threads(void **state)
{
    apr_pool_t *p = *state;
    stepup_keyset *ks = unit_keyset(p, "alpha", "delta", NULL);
    pthread_t th[MAC_THREADS];
    mac_job jobs[MAC_THREADS];
    int i;

    for (i = 0; i < MAC_THREADS; i++) {
        jobs[i].ks = ks;
        jobs[i].id = i;
        jobs[i].failures = 0;
        assert_int_equal(pthread_create(&th[i], NULL, mac_worker, &jobs[i]),
                         0);
    }
    for (i = 0; i < MAC_THREADS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(jobs[i].failures, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_parse_single),
        UNIT_TEST(test_parse_layout),
        UNIT_TEST(test_parse_order_first_signs),
        UNIT_TEST(test_parse_secret_sizes_ok),
        UNIT_TEST(test_parse_kid_lengths_ok),
        UNIT_TEST(test_parse_empty),
        UNIT_TEST(test_parse_only_comments),
        UNIT_TEST(test_parse_one_word),
        UNIT_TEST(test_parse_three_words),
        UNIT_TEST(test_parse_bad_kid),
        UNIT_TEST(test_parse_secret_not_b64url),
        UNIT_TEST(test_parse_secret_short),
        UNIT_TEST(test_parse_duplicate_kid),
        UNIT_TEST(test_parse_nul_byte),
        UNIT_TEST(test_parse_too_large),
        UNIT_TEST(test_parse_too_many_keys),
        UNIT_TEST(test_load_ok_0600_0400),
        UNIT_TEST(test_load_missing),
        UNIT_TEST(test_load_directory),
        UNIT_TEST(test_load_empty),
        UNIT_TEST(test_load_permissions),
        UNIT_TEST(test_load_too_large),
        UNIT_TEST(test_load_malformed),
        UNIT_TEST(test_load_unreadable),
        UNIT_TEST(test_load_fifo),
        UNIT_TEST(test_load_symlink),
        UNIT_TEST(test_find),
        UNIT_TEST(test_kid_valid),
        UNIT_TEST(test_keygen_line),
        UNIT_TEST(test_keygen_bad_kid),
        UNIT_TEST(test_key_mac_matches_openssl),
        UNIT_TEST(test_key_mac_known_answer),
        UNIT_TEST(test_key_mac_state_reused),
        UNIT_TEST(test_key_mac_many_keys_in_turn),
        UNIT_TEST(test_key_mac_after_reload),
        UNIT_TEST(test_key_mac_threads),
    };

    return cmocka_run_group_tests_name("keys", tests, unit_group_setup,
                                       unit_group_teardown);
}
