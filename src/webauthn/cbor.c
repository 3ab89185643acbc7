/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * One CBOR item at a time, with limits (libcbor).
 *
 * cbor_load builds the whole item tree and allocates a definite array or
 * map for the number of entries it announces before reading them, and
 * libcbor frees trees recursively. So an item is first walked with
 * libcbor's streaming decoder (cbor_stream_decode: one head per call,
 * callbacks per item) keeping a small stack of open collections: it finds
 * where the item ends, refuses truncation (a collection announcing more
 * entries than bytes remain is truncated too, before anything is
 * allocated for it), nesting deeper than STEPUP_WEBAUTHN_CBOR_DEPTH,
 * misplaced "break" codes and foreign chunks inside indefinite-length
 * strings. Only then does cbor_load build it, from
 * exactly those bytes.
 */
#include <string.h>

#include <apr_strings.h>
#include <cbor.h>

#include "webauthn_internal.h"

#define INDEF SIZE_MAX

enum { FR_ARRAY, FR_MAP, FR_TAG, FR_BYTES, FR_TEXT };
enum { IT_OTHER, IT_BYTES, IT_TEXT };

typedef struct {
    size_t left;          /* entries still expected; INDEF until a break */
    size_t seen;          /* entries seen */
    int kind;             /* FR_* */
} frame;

typedef struct {
    frame st[STEPUP_WEBAUTHN_CBOR_DEPTH];
    int depth;
    int done;             /* the top-level item is complete */
    size_t avail;         /* bytes from the current head to the end */
    size_t announced;     /* a collection too large for what remains */
    int announced_map;
    const char *err;      /* static reason */
} scan;

/* Every callback starts here: nothing after an error, and inside an
 * indefinite-length string only definite chunks of the same type. */
static int enter(scan *s, int it)
{
    const frame *top;

    if (s->err)
        return 0;
    if (s->done) {
        s->err = "more than one item";
        return 0;
    }
    if (s->depth == 0)
        return 1;
    top = &s->st[s->depth - 1];
    if ((top->kind == FR_BYTES && it != IT_BYTES)
        || (top->kind == FR_TEXT && it != IT_TEXT)) {
        s->err = "an indefinite-length string holds a chunk of another type";
        return 0;
    }
    return 1;
}

/* An item is complete: count it in its container, closing every
 * definite container it completes. */
static void item_done(scan *s)
{
    for (;;) {
        frame *f;

        if (s->depth == 0) {
            s->done = 1;
            return;
        }
        f = &s->st[s->depth - 1];
        f->seen++;
        if (f->left == INDEF || --f->left > 0)
            return;
        s->depth--;
    }
}

static void push(scan *s, int kind, size_t left)
{
    if (s->depth == STEPUP_WEBAUTHN_CBOR_DEPTH) {
        s->err = "nested deeper than "
            APR_STRINGIFY(STEPUP_WEBAUTHN_CBOR_DEPTH) " levels";
        return;
    }
    s->st[s->depth].kind = kind;
    s->st[s->depth].left = left;
    s->st[s->depth].seen = 0;
    s->depth++;
}

static void on_scalar(scan *s)
{
    if (enter(s, IT_OTHER))
        item_done(s);
}

static void cb_u8(void *c, uint8_t v) { (void)v; on_scalar(c); }
static void cb_u16(void *c, uint16_t v) { (void)v; on_scalar(c); }
static void cb_u32(void *c, uint32_t v) { (void)v; on_scalar(c); }
static void cb_u64(void *c, uint64_t v) { (void)v; on_scalar(c); }
static void cb_simple(void *c) { on_scalar(c); }
static void cb_float(void *c, float v) { (void)v; on_scalar(c); }
static void cb_double(void *c, double v) { (void)v; on_scalar(c); }
static void cb_bool(void *c, bool v) { (void)v; on_scalar(c); }

static void cb_bytes(void *c, cbor_data d, size_t len)
{
    (void)d; (void)len;
    if (enter(c, IT_BYTES))
        item_done(c);
}

static void cb_text(void *c, cbor_data d, size_t len)
{
    (void)d; (void)len;
    if (enter(c, IT_TEXT))
        item_done(c);
}

static void cb_bytes_start(void *c)
{
    if (enter(c, IT_OTHER))
        push(c, FR_BYTES, INDEF);
}

static void cb_text_start(void *c)
{
    if (enter(c, IT_OTHER))
        push(c, FR_TEXT, INDEF);
}

/* A definite collection of n entries: each takes at least one byte. */
static void definite(scan *s, int kind, size_t n)
{
    if (!enter(s, IT_OTHER))
        return;
    if (n == 0) {
        item_done(s);
        return;
    }
    if (n > s->avail) {
        s->announced = n;
        s->err = "truncated";
        return;
    }
    push(s, kind, n);
}

static void cb_array(void *c, size_t n) { definite(c, FR_ARRAY, n); }

static void cb_map(void *c, size_t n)
{
    scan *s = c;

    if (n > s->avail / 2) {
        if (enter(s, IT_OTHER)) {
            s->announced = n;
            s->announced_map = 1;
            s->err = "truncated";
        }
        return;
    }
    definite(s, FR_MAP, 2 * n);
}

static void cb_indef_array(void *c)
{
    if (enter(c, IT_OTHER))
        push(c, FR_ARRAY, INDEF);
}

static void cb_indef_map(void *c)
{
    if (enter(c, IT_OTHER))
        push(c, FR_MAP, INDEF);
}

static void cb_tag(void *c, uint64_t tag)
{
    (void)tag;
    if (enter(c, IT_OTHER))
        push(c, FR_TAG, 1);
}

static void cb_break(void *c)
{
    scan *s = c;
    frame *top;

    if (s->err)
        return;
    if (s->depth == 0 || s->st[s->depth - 1].left != INDEF) {
        s->err = "a \"break\" outside an indefinite-length item";
        return;
    }
    top = &s->st[s->depth - 1];
    if (top->kind == FR_MAP && (top->seen % 2) != 0) {
        s->err = "an indefinite-length map ends between a key and its value";
        return;
    }
    s->depth--;
    item_done(s);
}

static const struct cbor_callbacks scan_callbacks = {
    .uint8 = cb_u8, .uint16 = cb_u16, .uint32 = cb_u32, .uint64 = cb_u64,
    .negint8 = cb_u8, .negint16 = cb_u16, .negint32 = cb_u32,
    .negint64 = cb_u64,
    .byte_string_start = cb_bytes_start, .byte_string = cb_bytes,
    .string = cb_text, .string_start = cb_text_start,
    .indef_array_start = cb_indef_array, .array_start = cb_array,
    .indef_map_start = cb_indef_map, .map_start = cb_map,
    .tag = cb_tag,
    .float2 = cb_float, .float4 = cb_float, .float8 = cb_double,
    .undefined = cb_simple, .null = cb_simple, .boolean = cb_bool,
    .indef_break = cb_break,
};

static int failf(apr_pool_t *p, const char **why, const char *what,
                 const char *reason)
{
    return stepup_wa_fail(why, apr_pstrcat(p, what, ": ", reason, NULL));
}

int stepup_cbor_item_length(apr_pool_t *p, const unsigned char *buf,
                            size_t len, const char *what, size_t *used,
                            const char **why)
{
    struct cbor_decoder_result r;
    size_t pos = 0;
    scan s;

    memset(&s, 0, sizeof(s));
    while (!s.done) {
        if (pos >= len)
            return failf(p, why, what, pos == 0 ? "empty (no CBOR item)"
                         : "truncated CBOR");
        s.avail = len - pos;
        r = cbor_stream_decode(buf + pos, len - pos, &scan_callbacks, &s);
        if (r.status == CBOR_DECODER_NEDATA)
            return failf(p, why, what, "truncated CBOR");
        if (r.status != CBOR_DECODER_FINISHED || r.read == 0)
            return failf(p, why, what, apr_psprintf(p, "malformed CBOR at "
                                                    "byte %" APR_SIZE_T_FMT,
                                                    pos));
        if (s.err && s.announced)
            return failf(p, why, what, apr_psprintf(
                             p, "truncated CBOR (a%s of %" APR_SIZE_T_FMT
                             " %s at byte %" APR_SIZE_T_FMT ", %"
                             APR_SIZE_T_FMT " bytes left)",
                             s.announced_map ? " map" : "n array",
                             s.announced, s.announced_map ? "pairs"
                             : "items", pos, len - pos));
        if (s.err)
            return failf(p, why, what, apr_psprintf(p, "CBOR refused at byte "
                                                    "%" APR_SIZE_T_FMT ": %s",
                                                    pos, s.err));
        pos += r.read;
    }
    *used = pos;
    return 0;
}

static apr_status_t item_cleanup(void *data)
{
    cbor_item_t *item = data;

    cbor_decref(&item);
    return APR_SUCCESS;
}

int stepup_cbor_load(apr_pool_t *p, const unsigned char *buf, size_t len,
                     int whole, const char *what, cbor_item_t **item,
                     size_t *used, const char **why)
{
    struct cbor_load_result res;
    cbor_item_t *it;
    size_t n = 0;

    *item = NULL;
    if (stepup_cbor_item_length(p, buf, len, what, &n, why) != 0)
        return -1;
    if (whole && n != len)
        return failf(p, why, what, apr_psprintf(p, "%" APR_SIZE_T_FMT
                                                " trailing bytes after the "
                                                "CBOR item", len - n));
    memset(&res, 0, sizeof(res));
    it = cbor_load(buf, n, &res);
    if (!it || res.error.code != CBOR_ERR_NONE || res.read != n) {
        if (it)
            cbor_decref(&it);
        return failf(p, why, what, res.error.code == CBOR_ERR_MEMERROR
                     ? "out of memory decoding CBOR"
                     : apr_psprintf(p, "malformed CBOR (libcbor error %d at "
                                    "byte %" APR_SIZE_T_FMT ")",
                                    (int)res.error.code,
                                    res.error.position));
    }
    apr_pool_cleanup_register(p, it, item_cleanup, apr_pool_cleanup_null);
    *item = it;
    if (used)
        *used = n;
    return 0;
}

void stepup_cbor_release(apr_pool_t *p, cbor_item_t *item)
{
    if (item)
        apr_pool_cleanup_run(p, item, item_cleanup);
}

int stepup_cbor_map_walk(apr_pool_t *p, const cbor_item_t *map,
                         const char *what, stepup_cbor_map_fn fn, void *arg,
                         const char **why)
{
    struct cbor_pair *pairs;
    size_t i, n;
    int rc;

    if (!cbor_isa_map(map))
        return failf(p, why, what, "not a CBOR map");
    n = cbor_map_size(map);
    pairs = cbor_map_handle(map);
    for (i = 0; i < n; i++) {
        if ((rc = fn(p, pairs[i].key, pairs[i].value, arg, why)) != 0)
            return rc;
    }
    return 0;
}

int stepup_cbor_int(const cbor_item_t *item, int64_t *out)
{
    uint64_t v;

    if (!item || (!cbor_isa_uint(item) && !cbor_isa_negint(item)))
        return -1;
    v = cbor_get_int(item);
    if (v > (uint64_t)INT64_MAX)
        return -1;
    *out = cbor_isa_uint(item) ? (int64_t)v : -1 - (int64_t)v;
    return 0;
}

int stepup_cbor_bytes(const cbor_item_t *item, const unsigned char **out,
                      size_t *len)
{
    if (!item || !cbor_isa_bytestring(item)
        || !cbor_bytestring_is_definite(item))
        return -1;
    *len = cbor_bytestring_length(item);
    *out = *len ? cbor_bytestring_handle(item) : (const unsigned char *)"";
    return 0;
}

int stepup_cbor_text(const cbor_item_t *item, const char **out, size_t *len)
{
    if (!item || !cbor_isa_string(item) || !cbor_string_is_definite(item))
        return -1;
    *len = cbor_string_length(item);
    *out = *len ? (const char *)cbor_string_handle(item) : "";
    return 0;
}

int stepup_cbor_text_is(const cbor_item_t *item, const char *s)
{
    const char *t;
    size_t len, slen = strlen(s);

    return stepup_cbor_text(item, &t, &len) == 0 && len == slen
        && memcmp(t, s, len) == 0;
}
