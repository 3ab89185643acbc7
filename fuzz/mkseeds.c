/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Writes the seed corpora of the fuzz targets: fuzz/mkseeds DIR [TARGET...]
 * fills DIR/<target>/, for every target or those named (`bash
 * scripts/fuzz.sh seeds [cookie body]` does it for fuzz/corpus). A
 * development tool, run by hand when a target or an input format
 * changes; the corpora it wrote are committed.
 *
 * The WebAuthn seeds are built with the unit tests' fixtures
 * (t/unit/wa_fixture.c: fresh keys, libcbor, OpenSSL), the x5c leaves
 * issued under the fuzz root of fuzz.h; the token and CSRF seeds are
 * signed with OpenSSL's HMAC() under the key set of fuzz.h. Keys are
 * generated anew at each run, so the files differ from run to run.
 * Crash inputs found by fuzzing are added by hand as crash-*, next to
 * these.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "wa_fixture.h"

/* The private key of FUZZ_ROOT_PEM (fuzz.h): a test key, nothing else. */
static const char root_key_pem[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIPz5Vk/mwIk0NmdZ3MrHNk77iSjU19oFYUVBX7XI8igRoAoGCCqGSM49\n"
    "AwEHoUQDQgAEy2z++gXEzBmB/rik/Uk87MAMWkTt7JKDIYXGpgLhki38XgZQGM0H\n"
    "kxhwcTO9EBm6oz3VzB20M/d8hMUdexor5w==\n"
    "-----END EC PRIVATE KEY-----\n";

#include "fuzz.h"   /* FUZZ_ROOT_PEM, FUZZ_KEYFILE */

static const char *outdir;
static apr_pool_t *pool;
static int nfiles;
static char **only;   /* the targets to write; NULL: all */

static void die(const char *what)
{
    fprintf(stderr, "mkseeds: %s\n", what);
    exit(1);
}

static void put(const char *target, const char *name, const void *data,
                size_t len)
{
    char *dir = apr_pstrcat(pool, outdir, "/", target, NULL);
    char *path = apr_pstrcat(pool, dir, "/", name, NULL);
    FILE *f;
    char **t;

    for (t = only; t && *t && strcmp(*t, target); t++)
        ;
    if (t && !*t)
        return;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        die(dir);
    if (!(f = fopen(path, "wb")) || fwrite(data, 1, len, f) != len
        || fclose(f) != 0)
        die(path);
    nfiles++;
}

static void puts_(const char *target, const char *name, const char *s)
{
    put(target, name, s, strlen(s));
}

/* a mode byte, then s */
static void put_mode(const char *target, const char *name, unsigned mode,
                     const char *s)
{
    char *buf = apr_palloc(pool, strlen(s) + 1);

    buf[0] = (char)mode;
    memcpy(buf + 1, s, strlen(s));
    put(target, name, buf, strlen(s) + 1);
}

/* ---- tokens and CSRF tokens ---- */

static const unsigned char *secret(int k)
{
    static unsigned char s[2][32];
    int i;

    for (i = 0; i < 32; i++) {
        s[0][i] = (unsigned char)i;
        s[1][i] = (unsigned char)(32 + i);
    }
    return s[k];
}

static char *hmac_b64(const unsigned char *key, const char *msg)
{
    unsigned char mac[32];
    unsigned int len = 0;

    if (!HMAC(EVP_sha256(), key, 32, (const unsigned char *)msg, strlen(msg),
              mac, &len) || len != 32)
        die("HMAC");
    return wa_b64url(pool, mac, 32);
}

/* <version>.<kid>.<b64(payload)>.<mac> */
static char *token_v(const char *version, const char *kid, int k,
                     const char *payload, size_t len)
{
    char *part = apr_pstrcat(pool, version, ".", kid, ".",
                             wa_b64url(pool, payload, len), NULL);

    return apr_pstrcat(pool, part, ".", hmac_b64(secret(k), part), NULL);
}

static char *token(const char *kid, int k, const char *payload, size_t len)
{
    return token_v("v1", kid, k, payload, len);
}

/* Transaction-bound tokens: mode 64 gives the target's FUZZ_TXN as the
 * request's, mode 32 signs a payload as v2. */
static void token_v2_seeds(void)
{
    const char *ok = "1699999900|1700003600|phrh|hwk|-|"
        "QkzBjj6JuLvHcfAwpl-w_A|alice";

    put_mode("token", "v2-valid", 64, token_v("v2", "k1", 0, ok, strlen(ok)));
    put_mode("token", "v2-no-txn-known", 0,
             token_v("v2", "k1", 0, ok, strlen(ok)));
    put_mode("token", "v2-payload-ok", 1 | 32 | 64, ok);
    put_mode("token", "v2-payload-other-txn", 1 | 32 | 64,
             "1699999900|1700003600|phrh|hwk|-|ttWP0x4Y4ffCjJcBidmZmw|a|b");
    put_mode("token", "v2-payload-bad-txn", 1 | 32,
             "1699999900|1700003600|phrh|hwk|-|QkzBjj6JuLvHcfAwpl-w_B|a");
    put_mode("token", "v2-payload-v1-fields", 1 | 32 | 64,
             "1699999900|1700003600|pwd|pwd|-|alice");
}

static void token_seeds(void)
{
    static const char nul_payload[] = "1700000000|1700000300|pwd|pwd|-|a\0b";
    const char *ok = "1699999900|1700003600|phr|hwk|-|alice";
    const char *bound = "1699999990|1700000100|pwd|pwd|"
        "AAAAAAAAAAAAAAAAAAAAAA|alice";

    put_mode("token", "valid-k1", 0, token("k1", 0, ok, strlen(ok)));
    put_mode("token", "valid-k2-user-policy", 8,
             token("k2", 1, ok, strlen(ok)));
    put_mode("token", "valid-lifetime", 4,
             token("k1", 0, "1699999990|1700000100|phrh|swk|-|bob|x",
                   strlen("1699999990|1700000100|phrh|swk|-|bob|x")));
    put_mode("token", "bound", 2,
             token("k1", 0, bound, strlen(bound)));
    put_mode("token", "bound-no-session", 2 | 16,
             token("k1", 0, ok, strlen(ok)));
    put_mode("token", "expired", 0,
             token("k1", 0, "1600000000|1600000300|pwd|pwd|-|alice",
                   strlen("1600000000|1600000300|pwd|pwd|-|alice")));
    put_mode("token", "nul-in-payload", 0,
             token("k1", 0, nul_payload, sizeof(nul_payload) - 1));
    put_mode("token", "bad-mac", 0,
             apr_pstrcat(pool, "v1.k1.", wa_b64url(pool, ok, strlen(ok)),
                         ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                         NULL));
    put_mode("token", "unknown-kid", 0, token("k3", 0, ok, strlen(ok)));
    put_mode("token", "version-2", 0, "v2.k1.MTIz.AAAA");
    put_mode("token", "no-dots", 0, "v1");
    put_mode("token", "empty-fields", 0, "v1...");
    put_mode("token", "padded-payload", 0, "v1.k1.MTI=."
             "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    put_mode("token", "long-kid", 0, "v1.abcdefghijklmnopq.MTIz."
             "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    /* payloads, signed by the target */
    put_mode("token", "payload-ok", 1, ok);
    put_mode("token", "payload-bound", 1 | 2,
             "1699999990|1700000100|pwd|pwd|AAAAAAAAAAAAAAAAAAAAAA|alice");
    put_mode("token", "payload-user-bars", 1 | 8,
             "1699999990|1700000100|pwd|pwd|-|alice|admin|");
    put_mode("token", "payload-leading-zero", 1,
             "0699999990|1700000100|pwd|pwd|-|alice");
    put_mode("token", "payload-13-digits", 1,
             "1699999990|9999999999999|pwd|pwd|-|alice");
    put_mode("token", "payload-12-digits", 1,
             "999999999999|999999999999|phrh|hwk|-|u");
    put_mode("token", "payload-bad-acr", 1,
             "1699999990|1700000100|PWD|pwd|-|alice");
    put_mode("token", "payload-empty-user", 1,
             "1699999990|1700000100|pwd|pwd|-|");
    put_mode("token", "payload-short", 1, "1|2|pwd");
    put_mode("token", "payload-bad-bind", 1,
             "1699999990|1700000100|pwd|pwd|AAAA|alice");
    put_mode("token", "payload-future", 1,
             "1800000000|1800000100|pwd|pwd|-|alice");
    put_mode("token", "empty", 0, "");
    token_v2_seeds();
}

static void csrf_seeds(void)
{
    const char *issued = "1699999000";
    char *msg = apr_pstrcat(pool, "csrf|", issued, "|alice", NULL);

    put_mode("csrf", "valid", 0, apr_pstrcat(pool, "k1.", issued, ".",
                                             hmac_b64(secret(0), msg), NULL));
    put_mode("csrf", "valid-k2", 0, apr_pstrcat(pool, "k2.", issued, ".",
                                                hmac_b64(secret(1), msg),
                                                NULL));
    msg = apr_pstrcat(pool, "csrf|1690000000|alice", NULL);
    put_mode("csrf", "too-old", 0, apr_pstrcat(pool, "k1.1690000000.",
                                               hmac_b64(secret(0), msg),
                                               NULL));
    put_mode("csrf", "future", 0, "k1.1800000000.AAAA");
    put_mode("csrf", "bad-mac", 0, apr_pstrcat(pool, "k1.", issued, ".",
                                               hmac_b64(secret(1), msg),
                                               NULL));
    put_mode("csrf", "no-dots", 0, "k1");
    put_mode("csrf", "sign", 0, "k1.-12.x");
    put_mode("csrf", "empty-issued", 0, "k1..x");
    put_mode("csrf", "mint-alice", 1, "alice");
    put_mode("csrf", "mint-empty", 1, "");
    put_mode("csrf", "mint-bars", 1, "a|b|c");
}

/* ---- small text parsers ---- */

static void keyfile_seeds(void)
{
    char *big;

    puts_("keyfile", "two-keys", FUZZ_KEYFILE);
    puts_("keyfile", "comments-crlf",
          "# keys\r\n\r\n  k1\tAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8 "
          "# signs\r\n");
    puts_("keyfile", "padded", "k1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGx"
          "wdHh8=\n");
    puts_("keyfile", "short-secret", "k1 AAECAwQF\n");
    puts_("keyfile", "bad-kid", "k.1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaG"
          "xwdHh8\n");
    puts_("keyfile", "duplicate", "a AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaG"
          "xwdHh8\na ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8\n");
    puts_("keyfile", "extra", "k1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"
          "Hh8 more\n");
    puts_("keyfile", "std-alphabet", "k1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYX"
          "GBkaGxwdHh+/\n");
    puts_("keyfile", "only-comments", "# nothing\n#\n");
    puts_("keyfile", "kid-only", "k1\n");
    put("keyfile", "nul", "k1 A\0B\n", 7);
    big = apr_pstrdup(pool, "");
    {
        int i;
        for (i = 0; i < 65; i++)
            big = apr_psprintf(pool, "%sk%d ICEiIyQlJicoKSorLC0uLzAxMjM0NTY"
                               "3ODk6Ozw9Pj8\n", big, i);
    }
    puts_("keyfile", "65-keys", big);
}

static void b64url_seeds(void)
{
    puts_("b64url", "empty", "");
    puts_("b64url", "one", "QQ");
    puts_("b64url", "two", "QUI");
    puts_("b64url", "three", "QUJD");
    puts_("b64url", "padded-1", "QUI=");
    puts_("b64url", "padded-2", "QQ==");
    puts_("b64url", "padded-3", "Q===");
    puts_("b64url", "lone", "Q");
    puts_("b64url", "std-alphabet", "+/+/");
    puts_("b64url", "url-alphabet", "-_-_");
    puts_("b64url", "mid-padding", "QQ==QUJD");
    puts_("b64url", "trailing-bits", "QR");
    put("b64url", "binary", "\xff\x00\x80", 3);
}

static void returnto_seeds(void)
{
    char *big;

    puts_("returnto", "root", "/");
    puts_("returnto", "path-query", "/account/settings?tab=keys#x");
    puts_("returnto", "scheme-relative", "//evil.example/");
    puts_("returnto", "backslash", "/\\evil.example/");
    puts_("returnto", "inner-backslash", "/a\\b");
    puts_("returnto", "absolute", "https://evil.example/");
    puts_("returnto", "space", "/a b");
    puts_("returnto", "tab", "/a\tb");
    puts_("returnto", "del", "/a\x7f");
    puts_("returnto", "utf8", "/caf\xc3\xa9");
    puts_("returnto", "relative", "account");
    puts_("returnto", "empty", "");
    big = apr_palloc(pool, 2050);
    memset(big, 'a', 2049);
    big[0] = '/';
    big[2048] = '\0';
    puts_("returnto", "max-length", big);
    big[2048] = 'a';
    big[2049] = '\0';
    puts_("returnto", "over-max", big);
}

static void challenge_seeds(void)
{
    puts_("challenge", "phrh-once", "Bearer error=\"insufficient_user_"
          "authentication\", acr_values=\"phrh\", max_age=0");
    puts_("challenge", "rfc9470", "Bearer error=\"insufficient_user_"
          "authentication\",error_description=\"A different authentication "
          "level is required\",acr_values=\"myACR phr\"");
    puts_("challenge", "list", "Basic realm=\"a, b\", Bearer error="
          "insufficient_user_authentication, max_age=300");
    puts_("challenge", "basic", "Basic realm=\"the application\"");
    puts_("challenge", "escapes", "Bearer error=\"insufficient_user_\\"
          "authentication\", acr_values=\"\\\"pwd\"");
    puts_("challenge", "unterminated", "Bearer error=\"insufficient");
    puts_("challenge", "big-age", "Bearer error=insufficient_user_"
          "authentication, max_age=9999999999");
}

static void template_seeds(void)
{
    puts_("template", "page", "<!doctype html>\n<title>{{title}}</title>\n"
          "<form><input name=csrf value=\"{{csrf}}\">\n"
          "<input name=return_to value=\"{{return_to}}\"></form>\n");
    puts_("template", "empty-name", "a{{}}b");
    puts_("template", "unknown", "line 1\nline 2 {{nope}}\n");
    puts_("template", "unclosed", "x {{title");
    puts_("template", "braces", "{{{title}}}} }} {");
    puts_("template", "adjacent", "{{title}}{{csrf}}{{return_to}}");
    puts_("template", "plain", "no placeholders");
    put("template", "nul", "{{title}}\0", 10);
    puts_("template", "fragments", "<!-- pieces -->\n{{:a}}\n"
          "<p>{{title}}</p>\n\n{{:}}\nword\n{{:b-c}}\n{{csrf}} {{return_to}}");
    puts_("template", "fragments-bad", "{{:a}}\n{{:a}}\n{{:b-c}} x\n{{:");
}

static void aaguid_seeds(void)
{
    puts_("aaguid", "list", "# high assurance\n"
          "2fc0579f-8113-47ea-b116-bb5a8db9202a\n"
          "  cb69481e-8ff7-4039-93ec-0a2729a154a8  # a key\r\n\n");
    puts_("aaguid", "upper", "2FC0579F-8113-47EA-B116-BB5A8DB9202A\n");
    puts_("aaguid", "zero", "00000000-0000-0000-0000-000000000000\n");
    puts_("aaguid", "no-dashes", "2fc0579f811347eab116bb5a8db9202a\n");
    puts_("aaguid", "short", "2fc0579f-8113-47ea-b116-bb5a8db9202\n");
    puts_("aaguid", "comments-only", "# none\n");
    puts_("aaguid", "not-hex", "2fc0579f-8113-47ea-b116-bb5a8db9202g\n");
    put("aaguid", "nul", "2fc0579f-8113\0", 14);
}

static void text_seeds(void)
{
    keyfile_seeds();
    b64url_seeds();
    returnto_seeds();
    challenge_seeds();
    template_seeds();
    aaguid_seeds();
}

/* ---- WebAuthn ---- */

static X509 *root_cert;
static EVP_PKEY *root_key;

static void load_root(void)
{
    BIO *b = BIO_new_mem_buf(FUZZ_ROOT_PEM, -1);

    root_cert = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    b = BIO_new_mem_buf(root_key_pem, -1);
    root_key = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    if (!root_cert || !root_key)
        die("fuzz root");
}

/* An attestation leaf meeting 8.2.1, under the fuzz root. */
static X509 *leaf(wa_key_id key, const unsigned char *aaguid)
{
    wa_cert_spec spec = { "SE", "Fuzz Vendor", "Authenticator Attestation",
                          "Fuzz Key", 0, aaguid, 0, 0 };

    return wa_cert(wa_key_get(key)->pkey, &spec, root_cert, root_key);
}

/* flags || clientDataHash || attestation object */
static void put_att(const char *target, const char *name, unsigned flags,
                    const wa_reg *r)
{
    unsigned char *buf = apr_palloc(pool, 33 + r->att_obj_len);

    buf[0] = (unsigned char)flags;
    wa_sha256(r->client_data_out, strlen(r->client_data_out), buf + 1);
    memcpy(buf + 33, r->att_obj, r->att_obj_len);
    put(target, name, buf, 33 + r->att_obj_len);
}

static void reg(wa_reg *r, wa_key_id key, wa_fmt fmt)
{
    wa_reg_init(r, key, fmt);
    if (fmt == WA_FMT_PACKED_X5C)
        r->leaf = leaf(WA_KEY_ATTEST, r->aaguid);
    else if (fmt == WA_FMT_FIDO_U2F)
        r->leaf = leaf(WA_KEY_ATTEST, NULL);
}

static void registration_json_seeds(void)
{
    wa_reg r;

    /* registration JSON variants */
    reg(&r, WA_KEY_ES256, WA_FMT_NONE);
    wa_reg_build(pool, &r);
    {
        const char *cd = wa_b64url(pool, r.client_data_out,
                                   strlen(r.client_data_out));
        const char *ao = wa_b64url(pool, r.att_obj, r.att_obj_len);
        const char *id = wa_b64url(pool, r.cred_id, r.cred_id_len);

        puts_("registration", "minimal", apr_psprintf(pool,
              "{\"id\":\"%s\",\"rawId\":\"%s\",\"type\":\"public-key\","
              "\"response\":{\"clientDataJSON\":\"%s\","
              "\"attestationObject\":\"%s\"}}", id, id, cd, ao));
        puts_("registration", "extras", apr_psprintf(pool,
              "{\"id\":\"%s\",\"rawId\":\"%s\",\"type\":\"public-key\","
              "\"authenticatorAttachment\":null,"
              "\"response\":{\"clientDataJSON\":\"%s\","
              "\"attestationObject\":\"%s\",\"authenticatorData\":\"AA\","
              "\"publicKey\":null,\"publicKeyAlgorithm\":-7,"
              "\"transports\":[\"internal\",\"hybrid\",\"smart-card\"]},"
              "\"clientExtensionResults\":{\"credProps\":{\"rk\":true}}}",
              id, id, cd, ao));
        puts_("registration", "id-differs", apr_psprintf(pool,
              "{\"id\":\"AAAA\",\"rawId\":\"%s\",\"type\":\"public-key\","
              "\"response\":{\"clientDataJSON\":\"%s\","
              "\"attestationObject\":\"%s\"}}", id, cd, ao));
        puts_("registration", "bad-transports", apr_psprintf(pool,
              "{\"id\":\"%s\",\"rawId\":\"%s\",\"type\":\"public-key\","
              "\"response\":{\"clientDataJSON\":\"%s\","
              "\"attestationObject\":\"%s\",\"transports\":[\"usb\",1]}}",
              id, id, cd, ao));
        puts_("registration", "duplicate-member",
              "{\"id\":\"AA\",\"id\":\"AA\"}");
        puts_("registration", "not-object", "[\"public-key\"]");
        puts_("registration", "wrong-type", "{\"id\":\"AA\",\"rawId\":\"AA\","
              "\"type\":\"password\",\"response\":{}}");
    }
}

static void registration_variant_seeds(void)
{
    wa_reg r;

    /* an x5c of two (leaf and root), a corrupt signature, a leaf of
     * another CA, a statement of the wrong format */
    reg(&r, WA_KEY_ES256, WA_FMT_PACKED_X5C);
    r.x5c_with_ca = 1;
    wa_reg_build(pool, &r);
    put_att("att_packed", "x5c-with-ca", 1, &r);
    reg(&r, WA_KEY_ES256, WA_FMT_PACKED_SELF);
    r.corrupt_sig = 1;
    wa_reg_build(pool, &r);
    put_att("att_packed", "corrupt-sig", 0, &r);
    put_att("att_none", "packed-stmt", 0, &r);
    reg(&r, WA_KEY_ES256, WA_FMT_PACKED_X5C);
    r.leaf = wa_leaf(r.aaguid);
    wa_reg_build(pool, &r);
    put_att("att_packed", "other-ca-roots", 1, &r);
    reg(&r, WA_KEY_ES256, WA_FMT_PACKED_X5C);
    r.att_key = WA_KEY_ATTEST_RSA;
    r.leaf = leaf(WA_KEY_ATTEST_RSA, r.aaguid);
    wa_reg_build(pool, &r);
    put_att("att_packed", "rsa-leaf", 0, &r);
    puts_("registration", "es256-packed-rsa-leaf",
          wa_registration_json(pool, &r.resp));
    reg(&r, WA_KEY_ES256, WA_FMT_FIDO_U2F);
    wa_reg_build(pool, &r);
    put_att("att_packed", "u2f-stmt", 0, &r);
    put_att("att_none", "u2f-stmt", 0, &r);
    reg(&r, WA_KEY_ES256, WA_FMT_NONE);
    wa_reg_build(pool, &r);
    put_att("att_fido_u2f", "none-stmt", 0, &r);
    {
        /* an unsupported format and a non-AT authData */
        size_t len, adlen;
        unsigned char *ad = wa_auth_data(pool, WA_RP_ID, 0x01, 0, NULL, NULL,
                                         0, NULL, 0, NULL, 0, &adlen);
        unsigned char *obj = wa_att_object(pool, "tpm", wa_cbor_map(0),
                                           r.auth_data, r.auth_data_len,
                                           &len);
        wa_reg fake = r;

        fake.att_obj = obj;
        fake.att_obj_len = len;
        put_att("attestation", "tpm", 0, &fake);
        fake.att_obj = wa_att_object(pool, "none", wa_cbor_map(0), ad, adlen,
                                     &fake.att_obj_len);
        put_att("attestation", "no-at", 0, &fake);
    }
}

static void registration_seeds(void)
{
    static const struct {
        const char *name;
        wa_key_id key;
        wa_fmt fmt;
    } regs[] = {
        { "es256-none", WA_KEY_ES256, WA_FMT_NONE },
        { "rs256-none", WA_KEY_RS256, WA_FMT_NONE },
        { "eddsa-none", WA_KEY_EDDSA, WA_FMT_NONE },
        { "es256-packed-self", WA_KEY_ES256, WA_FMT_PACKED_SELF },
        { "rs256-packed-self", WA_KEY_RS256, WA_FMT_PACKED_SELF },
        { "eddsa-packed-self", WA_KEY_EDDSA, WA_FMT_PACKED_SELF },
        { "es256-packed-x5c", WA_KEY_ES256, WA_FMT_PACKED_X5C },
        { "eddsa-packed-x5c", WA_KEY_EDDSA, WA_FMT_PACKED_X5C },
        { "es256-fido-u2f", WA_KEY_ES256, WA_FMT_FIDO_U2F },
    };
    size_t i;
    wa_reg r;

    for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
        const char *fmt_target = regs[i].fmt == WA_FMT_NONE ? "att_none"
            : regs[i].fmt == WA_FMT_FIDO_U2F ? "att_fido_u2f" : "att_packed";

        reg(&r, regs[i].key, regs[i].fmt);
        wa_reg_build(pool, &r);
        puts_("registration", regs[i].name,
              wa_registration_json(pool, &r.resp));
        put_att("attestation", regs[i].name, 0, &r);
        put_att(fmt_target, regs[i].name, 0, &r);
        if (regs[i].fmt == WA_FMT_PACKED_X5C
            || regs[i].fmt == WA_FMT_FIDO_U2F) {
            put_att("attestation", apr_pstrcat(pool, regs[i].name, "-roots",
                                               NULL), 1, &r);
            put_att(fmt_target, apr_pstrcat(pool, regs[i].name, "-roots",
                                             NULL), 1, &r);
        }
        put("authdata", apr_pstrcat(pool, "registration-", regs[i].name,
                                    NULL), r.auth_data, r.auth_data_len);
        if (i < 3) {
            put("cose", regs[i].name, wa_key_get(regs[i].key)->cose,
                wa_key_get(regs[i].key)->cose_len);
            put("cbor", apr_pstrcat(pool, "cose-", regs[i].name, NULL),
                wa_key_get(regs[i].key)->cose,
                wa_key_get(regs[i].key)->cose_len);
        }
        if (i == 0) {
            put("cbor", "attestation-object", r.att_obj, r.att_obj_len);
            puts_("clientdata", "create", r.client_data_out);
        }
    }
    registration_variant_seeds();
    registration_json_seeds();
}

/* flags || COSE key length (2 bytes) || COSE key || JSON */
static void put_authn_flags(const char *name, unsigned flags,
                            const wa_key *k, const char *json)
{
    size_t jlen = strlen(json);
    unsigned char *buf = apr_palloc(pool, 3 + k->cose_len + jlen);

    buf[0] = (unsigned char)flags;
    buf[1] = (unsigned char)(k->cose_len >> 8);
    buf[2] = (unsigned char)k->cose_len;
    memcpy(buf + 3, k->cose, k->cose_len);
    memcpy(buf + 3 + k->cose_len, json, jlen);
    put("authentication", name, buf, 3 + k->cose_len + jlen);
}

static void put_authn(const char *name, const wa_key *k, const char *json)
{
    put_authn_flags(name, 0, k, json);
}

/* Assertions with extensions, a trailing byte, counter 0, a padded
 * authenticatorData and a null user handle. */
static void authentication_shape_seeds(void)
{
    static const unsigned char ext[] = { 0xa1, 0x63, 'f', 'o', 'o', 0xf5 };
    static const unsigned char trailing[] = { 0x00 };
    wa_auth a;

    wa_auth_init(&a, WA_KEY_ES256);
    a.flags |= STEPUP_WEBAUTHN_FLAG_ED;
    a.ext = ext;
    a.ext_len = sizeof(ext);
    wa_auth_build(pool, &a);
    put_authn("es256-extensions", wa_key_get(WA_KEY_ES256),
              wa_authentication_json(pool, &a.resp));
    put("authdata", "assertion-extensions", a.auth_data, a.auth_data_len);

    wa_auth_init(&a, WA_KEY_ES256);
    a.trailing = trailing;
    a.trailing_len = sizeof(trailing);
    wa_auth_build(pool, &a);
    put_authn("es256-trailing", wa_key_get(WA_KEY_ES256),
              wa_authentication_json(pool, &a.resp));
    put("authdata", "assertion-trailing", a.auth_data, a.auth_data_len);

    wa_auth_init(&a, WA_KEY_ES256);
    a.sign_count = 0;
    wa_auth_build(pool, &a);
    put_authn("es256-counter-0", wa_key_get(WA_KEY_ES256),
              wa_authentication_json(pool, &a.resp));
    put_authn_flags("es256-counter-0-stored-5", 2, wa_key_get(WA_KEY_ES256),
                    wa_authentication_json(pool, &a.resp));
    put_authn_flags("es256-uv-missing", 1, wa_key_get(WA_KEY_ES256),
                    wa_authentication_json(pool, &a.resp));
    {
        const wa_key *k = wa_key_get(WA_KEY_ES256);

        put_authn("padded-null-handle", k, apr_psprintf(pool,
                  "{\"id\":\"Y3JlZGVudGlhbC0x\",\"rawId\":\"Y3JlZGVudGlhbC0x\""
                  ",\"type\":\"public-key\",\"response\":{"
                  "\"clientDataJSON\":\"%s\",\"authenticatorData\":\"%s=\","
                  "\"signature\":\"MEUCIQ==\",\"userHandle\":null}}",
                  wa_b64url(pool, a.resp.client_data_json,
                            a.resp.client_data_len),
                  wa_b64url(pool, a.auth_data, a.auth_data_len)));
    }
}

static void authentication_seeds(void)
{
    wa_auth a;

    wa_auth_init(&a, WA_KEY_ES256);
    wa_auth_build(pool, &a);
    put_authn("es256", wa_key_get(WA_KEY_ES256),
              wa_authentication_json(pool, &a.resp));
    put("authdata", "assertion", a.auth_data, a.auth_data_len);
    puts_("clientdata", "get", a.resp.client_data_json
          ? (const char *)a.resp.client_data_json : "");
    /* the same with the stored key of another credential */
    put_authn("es256-other-key", wa_key_get(WA_KEY_ES256_OTHER),
              wa_authentication_json(pool, &a.resp));

    wa_auth_init(&a, WA_KEY_RS256);
    a.sign_count = 7;
    wa_auth_build(pool, &a);
    put_authn("rs256", wa_key_get(WA_KEY_RS256),
              wa_authentication_json(pool, &a.resp));
    put_authn_flags("rs256-stored-counter-5", 2, wa_key_get(WA_KEY_RS256),
                    wa_authentication_json(pool, &a.resp));

    wa_auth_init(&a, WA_KEY_EDDSA);
    a.flags |= STEPUP_WEBAUTHN_FLAG_UV | STEPUP_WEBAUTHN_FLAG_BE
        | STEPUP_WEBAUTHN_FLAG_BS;
    wa_auth_build(pool, &a);
    put_authn_flags("eddsa-uv-required", 1, wa_key_get(WA_KEY_EDDSA),
                    wa_authentication_json(pool, &a.resp));
    authentication_shape_seeds();
}

static void cbor_seeds(void)
{
    static const unsigned char indef_map[] = { 0xbf, 0x61, 'a', 0x01, 0xff };
    static const unsigned char indef_bytes[] = { 0x5f, 0x41, 0x00, 0x41, 0x01,
                                                 0xff };
    static const unsigned char mixed_chunks[] = { 0x5f, 0x61, 'a', 0xff };
    static const unsigned char odd_indef_map[] = { 0xbf, 0x01, 0xff };
    static const unsigned char stray_break[] = { 0xff };
    static const unsigned char huge_array[] = { 0x9b, 0xff, 0xff, 0xff, 0xff,
                                                0xff, 0xff, 0xff, 0xff };
    static const unsigned char huge_map[] = { 0xba, 0x7f, 0xff, 0xff, 0xff };
    static const unsigned char tagged[] = { 0xd8, 0x18, 0x43, 1, 2, 3 };
    static const unsigned char floats[] = { 0x83, 0xf9, 0x3c, 0x00, 0xfa,
                                            0x3f, 0x80, 0, 0, 0xfb, 0x3f,
                                            0xf0, 0, 0, 0, 0, 0, 0 };
    static const unsigned char simple[] = { 0x84, 0xf4, 0xf5, 0xf6, 0xf7 };
    static const unsigned char two_items[] = { 0x01, 0x02 };
    static const unsigned char big_int[] = { 0x3b, 0xff, 0xff, 0xff, 0xff,
                                             0xff, 0xff, 0xff, 0xff };
    unsigned char deep[40];

    put("cbor", "indefinite-map", indef_map, sizeof(indef_map));
    put("cbor", "indefinite-bytes", indef_bytes, sizeof(indef_bytes));
    put("cbor", "mixed-chunks", mixed_chunks, sizeof(mixed_chunks));
    put("cbor", "odd-indefinite-map", odd_indef_map, sizeof(odd_indef_map));
    put("cbor", "stray-break", stray_break, sizeof(stray_break));
    put("cbor", "huge-array", huge_array, sizeof(huge_array));
    put("cbor", "huge-map", huge_map, sizeof(huge_map));
    put("cbor", "tagged", tagged, sizeof(tagged));
    put("cbor", "floats", floats, sizeof(floats));
    put("cbor", "simple", simple, sizeof(simple));
    put("cbor", "two-items", two_items, sizeof(two_items));
    put("cbor", "big-negint", big_int, sizeof(big_int));
    memset(deep, 0x81, sizeof(deep));
    deep[sizeof(deep) - 1] = 0x00;
    put("cbor", "deep", deep, sizeof(deep));
}

/* An RSA key with an even modulus and e = 1. */
static void cose_rsa_even_seed(void)
{
    unsigned char n[256], e[] = { 0x01 }, *enc;
    size_t len;

    memset(n, 0xff, sizeof(n));
    n[255] = 0xfe;
    enc = wa_cose_map(pool, &len, 4,
                      (int64_t)1, wa_cbor_int(3),
                      (int64_t)3, wa_cbor_int(-257),
                      (int64_t)-1, wa_cbor_bytes(n, sizeof(n)),
                      (int64_t)-2, wa_cbor_bytes(e, 1));
    put("cose", "rsa-even-e1", enc, len);
}

static void cose_seeds(void)
{
    const wa_key *ec = wa_key_get(WA_KEY_ES256);
    const wa_key *rsa = wa_key_get(WA_KEY_RSA1024);
    unsigned char off[32], *enc;
    size_t len;

    memset(off, 0x11, sizeof(off));
    enc = wa_cose_map(pool, &len, 5,
                      (int64_t)1, wa_cbor_int(2), (int64_t)3, wa_cbor_int(-7),
                      (int64_t)-1, wa_cbor_int(1),
                      (int64_t)-2, wa_cbor_bytes(ec->point + 1, 32),
                      (int64_t)-3, wa_cbor_bytes(off, 32));
    put("cose", "es256-off-curve", enc, len);
    enc = wa_cose_map(pool, &len, 5,
                      (int64_t)1, wa_cbor_int(2), (int64_t)3, wa_cbor_int(-7),
                      (int64_t)-1, wa_cbor_int(1),
                      (int64_t)-2, wa_cbor_bytes(ec->point + 1, 32),
                      (int64_t)-3, cbor_build_bool(true));
    put("cose", "es256-compressed", enc, len);
    enc = wa_cose_map(pool, &len, 5,
                      (int64_t)1, wa_cbor_int(2), (int64_t)3, wa_cbor_int(-7),
                      (int64_t)-1, wa_cbor_int(2),
                      (int64_t)-2, wa_cbor_bytes(ec->point + 1, 32),
                      (int64_t)-3, wa_cbor_bytes(ec->point + 33, 32));
    put("cose", "es256-p384-crv", enc, len);
    enc = wa_cose_map(pool, &len, 3,
                      (int64_t)1, wa_cbor_int(2), (int64_t)3, wa_cbor_int(-7),
                      (int64_t)3, wa_cbor_int(-7));
    put("cose", "duplicate-alg", enc, len);
    enc = wa_cose_map(pool, &len, 2,
                      (int64_t)1, wa_cbor_int(2), (int64_t)3,
                      wa_cbor_int(-35));
    put("cose", "es384", enc, len);
    enc = wa_cose_map(pool, &len, 2,
                      (int64_t)1, wa_cbor_int(4), (int64_t)3,
                      wa_cbor_int(-7));
    put("cose", "symmetric", enc, len);
    put("cose", "rsa-1024", rsa->cose, rsa->cose_len);
    cose_rsa_even_seed();
    enc = wa_cbor_encode(pool, wa_cbor_map(3,
                                           wa_cbor_int(1), wa_cbor_int(1),
                                           wa_cbor_int(3), wa_cbor_int(-8),
                                           wa_cbor_text("kid"),
                                           wa_cbor_text("x")), &len);
    put("cose", "okp-no-crv-text-label", enc, len);
    {
        /* a key followed by a byte */
        unsigned char *tail = wa_concat(pool, ec->cose, ec->cose_len, "", 1);

        put("cose", "trailing-byte", tail, ec->cose_len + 1);
    }
}

/* the challenge of fuzz_policy */
static const unsigned char *fuzz_policy_challenge(void)
{
    static stepup_webauthn_policy pol;

    fuzz_policy(&pol);
    return pol.challenge;
}

static void clientdata_seeds(void)
{
    unsigned char other[32];

    memset(other, 0x42, sizeof(other));
    puts_("clientdata", "cross-origin",
          wa_client_data(pool, "webauthn.get", fuzz_policy_challenge(), 32,
                         WA_ORIGIN, ",\"crossOrigin\":true,"
                         "\"topOrigin\":\"https://top.example\""));
    puts_("clientdata", "token-binding",
          wa_client_data(pool, "webauthn.create", fuzz_policy_challenge(), 32,
                         WA_ORIGIN, ",\"tokenBinding\":{\"status\":"
                         "\"present\",\"id\":\"AAAA\"}"));
    puts_("clientdata", "token-binding-string",
          wa_client_data(pool, "webauthn.get", fuzz_policy_challenge(), 32,
                         WA_ORIGIN, ",\"tokenBinding\":\"unused\""));
    puts_("clientdata", "other-challenge",
          wa_client_data(pool, "webauthn.get", other, 32, WA_ORIGIN, NULL));
    puts_("clientdata", "other-origin",
          wa_client_data(pool, "webauthn.get", fuzz_policy_challenge(), 32,
                         "https://evil.example", NULL));
    puts_("clientdata", "padded-challenge",
          apr_pstrcat(pool, "{\"type\":\"webauthn.get\",\"challenge\":\"",
                      wa_b64url(pool, fuzz_policy_challenge(), 32),
                      "=\",\"origin\":\"" WA_ORIGIN "\"}", NULL));
    puts_("clientdata", "duplicate", "{\"type\":\"webauthn.get\","
          "\"type\":\"webauthn.get\"}");
    puts_("clientdata", "not-object", "\"webauthn.get\"");
    puts_("clientdata", "bad-utf8", "{\"type\":\"webauthn.get\xff\"}");
    puts_("clientdata", "types", "{\"type\":1,\"challenge\":[],"
          "\"origin\":null,\"crossOrigin\":\"no\",\"topOrigin\":5}");
}

static void authdata_seeds(void)
{
    static const unsigned char short_ad[] = { 0x01, 0x02, 0x03 };
    unsigned char *ad;
    size_t len;
    unsigned char cred[1024];

    memset(cred, 0x5a, sizeof(cred));
    put("authdata", "short", short_ad, sizeof(short_ad));
    ad = wa_auth_data(pool, WA_RP_ID, 0x45, 1, wa_aaguid, cred, 1023,
                      wa_key_get(WA_KEY_ES256)->cose,
                      wa_key_get(WA_KEY_ES256)->cose_len, NULL, 0, &len);
    put("authdata", "longest-credential-id", ad, len);
    ad[55 - 2] = 0x04;   /* credentialIdLength 1024 + 1023 - 1023 */
    ad[55 - 1] = 0x00;
    put("authdata", "credential-id-1024", ad, len);
    ad = wa_auth_data(pool, WA_RP_ID, 0x41, 1, wa_aaguid, cred, 16,
                      wa_key_get(WA_KEY_ES256)->cose, 10, NULL, 0, &len);
    put("authdata", "truncated-key", ad, len);
    ad = wa_auth_data(pool, "evil.example", 0x10, 0, NULL, NULL, 0, NULL, 0,
                      NULL, 0, &len);
    put("authdata", "bs-without-be-other-rp", ad, len);
}

/* flags byte, then lines: 'C' Cookie, '2' Cookie2, 'H' the token header */
static void cookie_seeds(void)
{
    const char *ok = "1699999900|1700003600|phr|hwk|-|alice";
    unsigned char md[32];
    char *bind, *bound;

    wa_sha256("abc", 3, md);
    bind = wa_b64url(pool, md, 16);
    bound = apr_pstrcat(pool, "1699999990|1700000100|pwd|pwd|", bind,
                        "|alice", NULL);
    put_mode("cookie", "valid", 0, apr_pstrcat(pool, "Cother=1; stepup=",
                                               token("k1", 0, ok, strlen(ok)),
                                               "; session=abc", NULL));
    put_mode("cookie", "bound", 0, apr_pstrcat(pool, "Csession=abc\nCstepup=",
                                               token("k1", 0, bound,
                                                     strlen(bound)), NULL));
    put_mode("cookie", "twice-differing", 0, "Cstepup=a; stepup=b");
    put_mode("cookie", "twice-same", 0, "Cstepup=a\nCstepup=a");
    put_mode("cookie", "cookie2", 0, "2stepup=x; $Version=1");
    put_mode("cookie", "spaces-commas", 0, "C \t stepup=x , session=y,z");
    put_mode("cookie", "prefixes", 0, "Cxstepup=1; stepup2=3; stepup");
    put_mode("cookie", "empty-values", 0, "Cstepup=; session=");
    put_mode("cookie", "header", 1, "Hv1.k1.x.y\nCstepup=other");
    put_mode("cookie", "header-off", 0, "Hv1.k1.x.y");
    put_mode("cookie", "empty", 0, "C");
}

/* flags byte (bit 0 JSON; bits 1-2 Content-Type; bit 3 7-byte reads;
 * bit 4 read error; bit 5 chunked; bit 6 multipart), then the body */
static void body_seeds(void)
{
    char *big = apr_palloc(pool, 8200);

    put_mode("body", "form", 0, "password=secret%21&csrf=k1.1699999000.x"
             "&return_to=%2Faccount%2Fsettings");
    put_mode("body", "form-charset-chunked", 2 | 8 | 32,
             "password=a+b&csrf=c");
    put_mode("body", "form-no-type", 4, "password=x");
    put_mode("body", "form-wrong-type", 6, "password=x");
    put_mode("body", "form-read-error", 16, "password=x");
    put_mode("body", "form-bad-escape", 0, "password=%zz");
    put_mode("body", "form-nul-escape", 0, "password=%00");
    put_mode("body", "form-duplicate", 0, "a=1&A=2");
    put_mode("body", "form-no-name", 0, "=x&b");
    put_mode("body", "form-empty-pairs", 0, "&&a&&=&");
    put_mode("body", "form-empty", 0, "");
    memset(big, 'a', 8193);
    big[0] = 'x';
    big[1] = '=';
    big[8193] = '\0';
    put_mode("body", "form-too-large", 0, big);
    put_mode("body", "json", 1, "{\"id\":\"AAAA\",\"name\":\"Key 1\"}");
    put_mode("body", "json-chunked-7", 1 | 8 | 32, "{\"a\":[1,2,{\"b\":null}]}");
    put_mode("body", "json-array", 1, "[1]");
    put_mode("body", "json-duplicate", 1, "{\"a\":1,\"a\":2}");
    put_mode("body", "json-malformed", 1, "{\"a\":");
    put_mode("body", "json-wrong-type", 1 | 6, "{}");
    put_mode("body", "multipart-fields", 64, "--B\r\nContent-Disposition: "
             "form-data; name=\"amount\"\r\n\r\n5000\r\n--B\r\n"
             "Content-Disposition: form-data; name=\"doc\"; filename=\"a\""
             "\r\n\r\nfile\r\n--B--\r\n");
    put_mode("body", "multipart-quoted", 64 | 2, "--a b\r\nContent-"
             "Disposition: form-data; name=x\r\n\r\nv\r\n--a b--");
    put_mode("body", "multipart-unterminated", 64, "--B\r\nContent-"
             "Disposition: form-data; name=a\r\n\r\nunterminated");
}

/* ---- tpm, android-key, apple, android-safetynet ---- */

/* A growing byte buffer for the binary layouts below. */
static void bput(apr_array_header_t *b, const void *data, size_t len)
{
    const unsigned char *d = data;

    while (len--)
        APR_ARRAY_PUSH(b, unsigned char) = *d++;
}

static void bput_u16(apr_array_header_t *b, unsigned v)
{
    unsigned char x[2] = { (unsigned char)(v >> 8), (unsigned char)v };

    bput(b, x, 2);
}

static void bfill(apr_array_header_t *b, unsigned char c, size_t n)
{
    while (n--)
        APR_ARRAY_PUSH(b, unsigned char) = c;
}

/* TPMT_PUBLIC: RSA-2048 (exponent 0) or P-256 with x, y (32 bytes each). */
static apr_array_header_t *tpm_public_seed(int rsa, const unsigned char *xy)
{
    static const unsigned char attrs[] = { 0x00, 0x06, 0x04, 0x72 };
    apr_array_header_t *b = apr_array_make(pool, 360, 1);

    bput_u16(b, rsa ? 0x0001 : 0x0023);
    bput_u16(b, 0x000B);                         /* nameAlg SHA-256 */
    bput(b, attrs, 4);
    bput_u16(b, 0);                              /* authPolicy */
    bput_u16(b, 0x0010);                         /* symmetric NULL */
    if (rsa) {
        bput_u16(b, 0x0014);                     /* RSASSA, SHA-256 */
        bput_u16(b, 0x000B);
        bput_u16(b, 2048);
        bfill(b, 0, 4);                          /* exponent 65537 */
        bput_u16(b, 256);
        bfill(b, 0xc5, 256);
    }
    else {
        bput_u16(b, 0x0018);                     /* ECDSA, SHA-256 */
        bput_u16(b, 0x000B);
        bput_u16(b, 0x0003);                     /* NIST P-256 */
        bput_u16(b, 0x0010);                     /* kdf NULL */
        bput_u16(b, 32);
        bput(b, xy, 32);
        bput_u16(b, 32);
        bput(b, xy + 32, 32);
    }
    return b;
}

/* TPMS_ATTEST of type certify, with extraData and the name given. */
static apr_array_header_t *tpm_attest_seed(const unsigned char *extra,
                                           const unsigned char *name)
{
    static const unsigned char magic[] = { 0xff, 0x54, 0x43, 0x47 };
    apr_array_header_t *b = apr_array_make(pool, 160, 1);

    bput(b, magic, 4);
    bput_u16(b, 0x8017);
    bput_u16(b, 34);                             /* qualifiedSigner */
    bfill(b, 0x01, 34);
    bput_u16(b, 32);
    bput(b, extra, 32);
    bfill(b, 0, 17 + 8);                         /* clockInfo, firmware */
    bput_u16(b, 34);
    bput(b, name, 34);
    bput_u16(b, 34);                             /* qualifiedName */
    bfill(b, 0x51, 34);
    return b;
}

/* DER tag, length (short or 0x81 form), content. */
static apr_array_header_t *der(const char *tag, size_t taglen,
                               const apr_array_header_t *content)
{
    apr_array_header_t *b = apr_array_make(pool, 64, 1);
    size_t n = content ? (size_t)content->nelts : 0;
    unsigned char len[2] = { 0x81, (unsigned char)n };

    bput(b, tag, taglen);
    if (n < 128)
        bput(b, len + 1, 1);
    else
        bput(b, len, 2);
    if (n)
        bput(b, content->elts, n);
    return b;
}

static apr_array_header_t *der_small(const char *tag, int v)
{
    apr_array_header_t *c = apr_array_make(pool, 1, 1);

    APR_ARRAY_PUSH(c, unsigned char) = (unsigned char)v;
    return der(tag, 1, c);
}

static apr_array_header_t *joined(int n, ...)
{
    apr_array_header_t *b = apr_array_make(pool, 128, 1);
    va_list ap;

    va_start(ap, n);
    while (n--) {
        apr_array_header_t *part = va_arg(ap, apr_array_header_t *);
        bput(b, part->elts, (size_t)part->nelts);
    }
    va_end(ap);
    return b;
}

/* KeyDescription: TEE, challenge, purpose sign and origin generated in
 * the hardware list (the high tags 701 and 702 in their long form). */
static apr_array_header_t *key_description_seed(const unsigned char *chal)
{
    apr_array_header_t *c = apr_array_make(pool, 32, 1), *sw, *tee;

    bput(c, chal, 32);
    sw = der("\x30", 1, der("\xbf\x85\x3d", 3, der_small("\x02", 1)));
    tee = der("\x30", 1,
              joined(2, der("\xa1", 1, der("\x31", 1, der_small("\x02", 2))),
                     der("\xbf\x85\x3e", 3, der_small("\x02", 0))));
    return der("\x30", 1,
               joined(8, der_small("\x02", 3), der_small("\x0a", 1),
                      der_small("\x02", 4), der_small("\x0a", 1),
                      der("\x04", 1, c), der("\x04", 1, NULL), sw, tee));
}

static void put_bytes(const char *target, const char *name, unsigned flag,
                      const apr_array_header_t *b)
{
    unsigned char *buf = apr_palloc(pool, (size_t)b->nelts + 1);

    buf[0] = (unsigned char)flag;
    memcpy(buf + 1, b->elts, (size_t)b->nelts);
    if (flag == 0xff)
        put(target, name, buf + 1, (size_t)b->nelts);
    else
        put(target, name, buf, (size_t)b->nelts + 1);
}

/* The statements of the four formats around an ES256 credential, each in
 * its format's layout with signatures that do not verify (the fuzzer goes
 * on from there), and the structures inside them for their own targets. */
/* The formats whose statement is signed by an attestation leaf:
 * android-key, apple, android-safetynet. */
static void leaf_format_seeds(const wa_reg *r, const unsigned char *leaf_der,
                              size_t leaf_len, const unsigned char *extra)
{
    cbor_item_t *stmt;
    wa_reg obj = *r;

    stmt = wa_cbor_map(3, wa_cbor_text("alg"), wa_cbor_int(-7),
                       wa_cbor_text("sig"), wa_cbor_bytes(extra, 32),
                       wa_cbor_text("x5c"),
                       wa_cbor_array(1, wa_cbor_bytes(leaf_der, leaf_len)));
    obj.att_obj = wa_att_object(pool, "android-key", stmt, r->auth_data,
                                r->auth_data_len, &obj.att_obj_len);
    put_att("att_android_key", "leaf", 0, &obj);
    put_att("attestation", "android-key", 0, &obj);

    stmt = wa_cbor_map(1, wa_cbor_text("x5c"),
                       wa_cbor_array(1, wa_cbor_bytes(leaf_der, leaf_len)));
    obj.att_obj = wa_att_object(pool, "apple", stmt, r->auth_data,
                                r->auth_data_len, &obj.att_obj_len);
    put_att("att_apple", "leaf", 0, &obj);
    put_att("attestation", "apple", 0, &obj);

    {
        /* header {"alg":"RS256","x5c":[leaf]}, payload {"nonce":...} */
        char *b64 = apr_palloc(pool, 4 * ((leaf_len + 2) / 3) + 1);
        const char *hdr, *payload, *jws;

        EVP_EncodeBlock((unsigned char *)b64, leaf_der, (int)leaf_len);
        hdr = apr_psprintf(pool, "{\"alg\":\"RS256\",\"x5c\":[\"%s\"]}",
                           b64);
        payload = "{\"nonce\":\"AAAA\",\"ctsProfileMatch\":true,"
                  "\"timestampMs\":1600000000000}";
        jws = apr_pstrcat(pool, wa_b64url(pool, hdr, strlen(hdr)), ".",
                          wa_b64url(pool, payload, strlen(payload)), ".AAAA",
                          NULL);
        stmt = wa_cbor_map(2, wa_cbor_text("ver"), wa_cbor_text("1"),
                           wa_cbor_text("response"),
                           wa_cbor_bytes(jws, strlen(jws)));
        obj.att_obj = wa_att_object(pool, "android-safetynet", stmt,
                                    r->auth_data, r->auth_data_len,
                                    &obj.att_obj_len);
        put_att("att_safetynet", "jws", 0, &obj);
        put_att("attestation", "android-safetynet", 0, &obj);
    }
}

static void format_seeds(void)
{
    unsigned char extra[32], name[34], chal[32];
    apr_array_header_t *pub, *att, *kd;
    const unsigned char *leaf_der;
    size_t leaf_len, len;
    cbor_item_t *stmt;
    wa_reg r, obj;
    X509 *x;

    reg(&r, WA_KEY_ES256, WA_FMT_NONE);
    wa_reg_build(pool, &r);
    x = leaf(WA_KEY_ATTEST, r.aaguid);
    leaf_der = wa_der(pool, x, &leaf_len);
    memset(extra, 0xed, sizeof(extra));
    memset(chal, 0xcd, sizeof(chal));
    name[0] = 0x00;
    name[1] = 0x0B;
    memset(name + 2, 0x4e, 32);
    pub = tpm_public_seed(0, wa_key_get(WA_KEY_ES256)->point + 1);
    att = tpm_attest_seed(extra, name);
    kd = key_description_seed(chal);
    put_bytes("tpm_public", "ecc-p256", 0xff, pub);
    put_bytes("tpm_public", "rsa-2048", 0xff, tpm_public_seed(1, NULL));
    put_bytes("tpm_attest", "certify", 0xff, att);
    put_bytes("key_description", "tee-sign-generated", 0, kd);
    {
        unsigned char n[32];
        apr_array_header_t *c = apr_array_make(pool, 32, 1);

        memset(n, 0x9a, sizeof(n));
        bput(c, n, 32);
        put_bytes("key_description", "apple-nonce", 1,
                  der("\x30", 1, der("\xa1", 1, der("\x04", 1, c))));
    }

    obj = r;
    stmt = wa_cbor_map(6, wa_cbor_text("ver"), wa_cbor_text("2.0"),
                       wa_cbor_text("alg"), wa_cbor_int(-7),
                       wa_cbor_text("x5c"),
                       wa_cbor_array(1, wa_cbor_bytes(leaf_der, leaf_len)),
                       wa_cbor_text("sig"), wa_cbor_bytes(extra, 32),
                       wa_cbor_text("certInfo"),
                       wa_cbor_bytes(att->elts, (size_t)att->nelts),
                       wa_cbor_text("pubArea"),
                       wa_cbor_bytes(pub->elts, (size_t)pub->nelts));
    obj.att_obj = wa_att_object(pool, "tpm", stmt, r.auth_data,
                                r.auth_data_len, &len);
    obj.att_obj_len = len;
    put_att("att_tpm", "ecc", 0, &obj);
    put_att("att_tpm", "ecc-roots", 1, &obj);
    put_att("attestation", "tpm-ecc", 0, &obj);
    leaf_format_seeds(&r, leaf_der, leaf_len, extra);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: mkseeds DIR [TARGET...]\n");
        return 2;
    }
    outdir = argv[1];
    if (argc > 2)
        only = argv + 2;
    if (apr_initialize() != APR_SUCCESS
        || apr_pool_create(&pool, NULL) != APR_SUCCESS)
        die("APR");
    if (mkdir(outdir, 0755) != 0 && errno != EEXIST)
        die(outdir);
    load_root();
    token_seeds();
    csrf_seeds();
    text_seeds();
    registration_seeds();
    authentication_seeds();
    cbor_seeds();
    cose_seeds();
    clientdata_seeds();
    authdata_seeds();
    cookie_seeds();
    body_seeds();
    format_seeds();
    wa_fixture_free();
    X509_free(root_cert);
    EVP_PKEY_free(root_key);
    apr_pool_destroy(pool);
    apr_terminate();
    printf("mkseeds: %d files in %s\n", nfiles, outdir);
    return 0;
}
