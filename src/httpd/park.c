/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Parked requests: a request denied for want of step-up, kept so that it
 * can be sent again once after the step-up. What is kept: the user, the
 * session it was made in (the StepupBindCookie hash, "-" without one), the
 * method, the request-target as the client sent it, the Content-Type, the
 * body (urlencoded, multipart or JSON, up to StepupResumeLimit), the level
 * and max-age that denied it, when it was parked and the StepupShowFields
 * fields to show. It lives in StepupCache for 10 minutes, so any server of
 * a farm can resume it, and it is taken (read and removed) once.
 *
 * A cache entry holds a few kilobytes (shmcb's sub-caches hold little
 * more), so the record, as JSON, is cut into pieces: the head, under the
 * id and the user, says how many pieces there are; taking the head decides
 * who resumes, the pieces follow.
 */
#include <httpd.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <http_protocol.h>
#include <openssl/rand.h>

#include "mod_stepup.h"
#include "stepup_b64url.h"
#include "stepup_body_parse.h"

#define PARK_SECONDS 600
#define PIECE_MAX 3000
#define ID_RAW 16

/* The body types a parked request may carry. */
static const char *const kept_types[] = {
    "application/x-www-form-urlencoded", "multipart/form-data",
    "application/json", NULL
};

static const char *piece_key(request_rec *r, const char *id, int i,
                             const char *user)
{
    /* the id has a fixed length: no user name can make another's key */
    return i ? apr_psprintf(r->pool, "park:%s.%d:%s", id, i, user)
             : apr_pstrcat(r->pool, "park:", id, ":", user, NULL);
}

/* A top-level JSON member as text, or NULL. */
static const char *json_field(request_rec *r, json_t *doc, const char *name)
{
    json_t *v = json_object_get(doc, name);
    char *text;
    const char *copy;

    if (!v)
        return NULL;
    if (json_is_string(v))
        return apr_pstrdup(r->pool, json_string_value(v));
    if (!(text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT)))
        return NULL;
    copy = apr_pstrdup(r->pool, text);
    free(text);
    return copy;
}

/* [[name, value], ...] of the StepupShowFields fields the body has. */
static json_t *shown_fields(request_rec *r, const stepup_dir_conf *dc,
                            const char *ctype, const char *body,
                            apr_size_t len)
{
    json_t *show = json_array(), *doc = NULL;
    apr_table_t *form = NULL;
    const char *why;
    int i;

    if (!dc->show_fields || !show)
        return show;
    /* a body that does not parse shows nothing; it is kept all the same */
    if (stepup_content_type_is(ctype, "application/json"))
        stepup_json_object_parse(r->pool, body, len, &doc, &why);
    else if (stepup_content_type_is(ctype, "multipart/form-data"))
        stepup_multipart_parse(r->pool, ctype, body, len, &form, &why);
    else if (!stepup_content_type_is(ctype, kept_types[0])
             || stepup_form_parse(r->pool, body, len, &form, &why) != 0)
        return show;
    for (i = 0; i < dc->show_fields->nelts; i++) {
        const char *name = APR_ARRAY_IDX(dc->show_fields, i, const char *);
        const char *value = form ? apr_table_get(form, name)
                                 : doc ? json_field(r, doc, name) : NULL;

        if (value)
            json_array_append_new(show, json_pack("[s,s]", name, value));
    }
    return show;
}

/* Whether the request's body can be kept: NULL, or why not. */
static const char *unkeepable(request_rec *r, const char *ctype,
                              apr_size_t limit)
{
    const char *cl = apr_table_get(r->headers_in, "Content-Length");
    int i;

    if (!ap_request_has_body(r))
        return NULL;
    for (i = 0; kept_types[i]; i++) {
        if (stepup_content_type_is(ctype, kept_types[i]))
            break;
    }
    if (!kept_types[i])
        return "a body of this type is not kept";
    if (cl && apr_atoi64(cl) > (apr_int64_t)limit)
        return "the body is too large to keep";
    return NULL;
}

/* The record as JSON text, or NULL. */
static char *record_text(request_rec *r, const stepup_dir_conf *dc,
                         const char *bind, const char *ctype,
                         const char *body, apr_size_t len, stepup_acr acr,
                         apr_int64_t max_age)
{
    const char *target = stepup_request_target(r);
    char txn[STEPUP_TXN_LEN + 1];
    json_t *o;
    char *text, *copy;

    /* the transaction the request is, for a token bound to it */
    if (stepup_txn_compute(r->method, target, ctype, body, len, NULL, txn))
        return NULL;
    o = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:I, s:I, "
                  "s:o}",
                  "user", r->user, "bind", bind ? bind : "-",
                  "method", r->method, "target", target, "ctype", ctype,
                  "body", stepup_b64url_encode(
                      r->pool, (const unsigned char *)body, len),
                  "txn", txn, "acr", stepup_acr_name(acr),
                  "max_age", (json_int_t)max_age,
                  "parked", (json_int_t)apr_time_sec(r->request_time),
                  "show", shown_fields(r, dc, ctype, body, len));
    text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!text)
        return NULL;
    copy = apr_pstrdup(r->pool, text);
    free(text);
    return copy;
}

/* Stores text in pieces, the head last: OK or a status. */
static int store(request_rec *r, const char *id, const char *text)
{
    stepup_cache *c = stepup_cache_of(r);
    apr_time_t expiry = apr_time_now() + apr_time_from_sec(PARK_SECONDS);
    size_t len = strlen(text);
    int n = len ? (int)((len + PIECE_MAX - 1) / PIECE_MAX) : 1, i;

    if (!c)
        return HTTP_SERVICE_UNAVAILABLE;
    for (i = n - 1; i >= 0; i--) {
        size_t at = (size_t)i * PIECE_MAX;
        size_t m = len - at < PIECE_MAX ? len - at : PIECE_MAX;
        const char *piece = apr_pstrmemdup(r->pool, text + at, m);

        if (!i)
            piece = apr_psprintf(r->pool, "%d %s", n, piece);
        if (stepup_cache_put(r, c, piece_key(r, id, i, r->user), piece,
                             expiry) != APR_SUCCESS)
            return HTTP_SERVICE_UNAVAILABLE;
    }
    return OK;
}

int stepup_park(request_rec *r, const stepup_dir_conf *dc, stepup_acr acr,
                apr_int64_t max_age, const char **id, const char **why)
{
    const char *ctype = apr_table_get(r->headers_in, "Content-Type");
    apr_size_t limit = stepup_conf_resume_limit(dc), len = 0;
    unsigned char raw[ID_RAW];
    char bindbuf[STEPUP_BIND_LEN + 1], *text;
    const char *body = "";
    const char *bind = stepup_request_bind(r, dc, bindbuf);

    *id = NULL;
    if (bind && !*bind) {
        /* StepupBindCookie on and no session cookie: no step-up either */
        *why = "no session cookie to bind it to";
        return HTTP_BAD_REQUEST;
    }
    if ((*why = unkeepable(r, ctype, limit)))
        return HTTP_REQUEST_ENTITY_TOO_LARGE;
    /* read once, and served again to whatever reads the body next */
    if (ap_request_has_body(r)
        && stepup_kept_body(r, limit, &body, &len) != 0) {
        *why = "the body is too large to keep, or could not be read";
        return HTTP_REQUEST_ENTITY_TOO_LARGE;
    }
    if (RAND_bytes(raw, sizeof(raw)) != 1
        || !(text = record_text(r, dc, bind, ctype, body, len, acr,
                                max_age))) {
        *why = "cannot keep the request right now";
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    *id = stepup_b64url_encode(r->pool, raw, sizeof(raw));
    if (store(r, *id, text) != OK) {
        *why = "cannot keep the request right now (StepupCache)";
        *id = NULL;
        return HTTP_SERVICE_UNAVAILABLE;
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "STEPUP0180: user %s: %s "
                  "%s parked as %s (%" APR_SIZE_T_FMT " body bytes)",
                  ap_escape_logitem(r->pool, r->user), r->method,
                  ap_escape_logitem(r->pool, stepup_request_target(r)), *id,
                  len);
    return OK;
}

/* 1 when s is an id as minted: 22 base64url characters. */
static int id_valid(const char *s)
{
    size_t i;

    for (i = 0; s[i]; i++) {
        if (!apr_isalnum(s[i]) && s[i] != '-' && s[i] != '_')
            return 0;
    }
    return i == 22;
}

#define GONE "this action was not found: it expired (after 10 minutes), " \
             "was already done or belongs to someone else"

/* The record's JSON text from its pieces: OK, or a status with *why. */
static int gather(request_rec *r, stepup_cache *c, const char *id,
                  char **text, int *pieces, const char **why)
{
    const char *head, *piece;
    char *end;
    int n, i;

    if (stepup_cache_peek(r, c, piece_key(r, id, 0, r->user), &head)
        != APR_SUCCESS) {
        int up = stepup_cache_reachable(r, c);

        *why = up ? GONE : "cannot look the action up right now "
                           "(StepupCache)";
        return up ? HTTP_BAD_REQUEST : HTTP_SERVICE_UNAVAILABLE;
    }
    n = (int)strtol(head, &end, 10);
    if (n < 1 || *end != ' ') {
        *why = "the kept action is damaged";
        return HTTP_BAD_REQUEST;
    }
    *text = apr_pstrdup(r->pool, end + 1);
    *pieces = n;
    for (i = 1; i < n; i++) {
        if (stepup_cache_peek(r, c, piece_key(r, id, i, r->user), &piece)
            != APR_SUCCESS) {
            *why = "part of the kept action was lost (StepupCache full?)";
            return HTTP_BAD_REQUEST;
        }
        *text = apr_pstrcat(r->pool, *text, piece, NULL);
    }
    return OK;
}

static const char *member(json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

/* Fills p from the record: OK, or HTTP_BAD_REQUEST. */
static int decode(request_rec *r, json_t *o, stepup_parked *p)
{
    json_t *show = json_object_get(o, "show"), *pair;
    const char *body = member(o, "body"), *acr = member(o, "acr");
    unsigned char *raw = NULL;
    size_t len = 0, i;

    p->user = member(o, "user");
    p->bind = member(o, "bind");
    p->method = member(o, "method");
    p->target = member(o, "target");
    p->ctype = member(o, "ctype");
    p->txn = member(o, "txn");
    p->max_age = json_integer_value(json_object_get(o, "max_age"));
    p->parked = json_integer_value(json_object_get(o, "parked"));
    if (!p->user || !p->bind || !p->method || !p->target || !body || !acr
        || !p->txn || !stepup_txn_valid(p->txn, strlen(p->txn))
        || stepup_acr_parse(acr, strlen(acr), &p->acr)
        || (*body && stepup_b64url_decode(r->pool, body, strlen(body), &raw,
                                          &len)))
        return HTTP_BAD_REQUEST;
    p->body = raw ? (const char *)raw : "";
    p->body_len = len;
    p->show = apr_array_make(r->pool, 4, sizeof(const char *));
    json_array_foreach(show, i, pair) {
        const char *k = json_string_value(json_array_get(pair, 0));
        const char *v = json_string_value(json_array_get(pair, 1));

        if (k && v) {
            APR_ARRAY_PUSH(p->show, const char *) = apr_pstrdup(r->pool, k);
            APR_ARRAY_PUSH(p->show, const char *) = apr_pstrdup(r->pool, v);
        }
    }
    p->user = apr_pstrdup(r->pool, p->user);
    p->bind = apr_pstrdup(r->pool, p->bind);
    p->method = apr_pstrdup(r->pool, p->method);
    p->target = apr_pstrdup(r->pool, p->target);
    p->ctype = p->ctype ? apr_pstrdup(r->pool, p->ctype) : NULL;
    p->txn = apr_pstrdup(r->pool, p->txn);
    return OK;
}

/* The record, checked against this request's user and session. */
static int load(request_rec *r, const stepup_dir_conf *dc, stepup_cache *c,
                const char *id, stepup_parked *p, const char **why)
{
    char bindbuf[STEPUP_BIND_LEN + 1], *text = NULL;
    const char *bind = stepup_request_bind(r, dc, bindbuf);
    json_t *o;
    int rc;

    if ((rc = gather(r, c, id, &text, &p->pieces, why)) != OK)
        return rc;
    if (!(o = json_loads(text, 0, NULL))) {
        *why = "the kept action is damaged";
        return HTTP_BAD_REQUEST;
    }
    rc = decode(r, o, p);
    json_decref(o);
    if (rc != OK) {
        *why = "the kept action is damaged";
        return rc;
    }
    /* the cache's own expiry may run on another clock (redis, memcache):
     * the record's time decides too */
    if (apr_time_sec(r->request_time) - p->parked > PARK_SECONDS) {
        *why = "this action expired (it is kept for 10 minutes)";
        return HTTP_BAD_REQUEST;
    }
    /* the key names the user; the record says it again */
    if (strcmp(p->user, r->user)) {
        *why = GONE;
        return HTTP_BAD_REQUEST;
    }
    if (strcmp(p->bind, "-") && (!bind || strcmp(bind, p->bind))) {
        *why = "this action was started in another session";
        return HTTP_BAD_REQUEST;
    }
    p->id = id;
    return OK;
}

int stepup_parked_get(request_rec *r, const stepup_dir_conf *dc,
                      const char *id, int take, stepup_parked **out,
                      const char **why)
{
    stepup_cache *c = stepup_cache_of(r);
    stepup_parked *p = apr_pcalloc(r->pool, sizeof(*p));
    const char *ignored;
    int rc, i;

    if (!id || !id_valid(id)) {
        *why = "malformed resume id";
        return HTTP_BAD_REQUEST;
    }
    if (!c) {
        *why = "cannot look the action up right now (StepupCache)";
        return HTTP_SERVICE_UNAVAILABLE;
    }
    if ((rc = load(r, dc, c, id, p, why)) != OK)
        return rc;
    if (take) {
        /* the one whose take of the head succeeds resumes; the pieces,
         * read already, go after it */
        if (stepup_cache_take(r, c, piece_key(r, id, 0, r->user), &ignored)
            != APR_SUCCESS) {
            *why = GONE;
            return HTTP_BAD_REQUEST;
        }
        for (i = 1; i < p->pieces; i++)
            stepup_cache_take(r, c, piece_key(r, id, i, r->user), &ignored);
    }
    *out = p;
    return OK;
}
