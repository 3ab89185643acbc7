/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The standard RegistrationResponseJSON and AuthenticationResponseJSON
 * (WebAuthn L3 5.1, PublicKeyCredential.toJSON()), parsed with jansson:
 * every binary member is base64url (padding tolerated), decoded into the
 * pool. Members are checked for presence and type only; the verification
 * is ceremony.c's.
 */
#include <string.h>

#include <apr_strings.h>
#include <jansson.h>

#include "stepup_b64url.h"
#include "webauthn_internal.h"

#define SHOW_MAX 80
#define TRANSPORT_MAX 32

/* A base64url member name of obj (path names it in reasons). Absent, or
 * null when optional: *out = NULL. */
static int b64_member(apr_pool_t *p, const json_t *obj, const char *path,
                      const char *name, int required,
                      const unsigned char **out, size_t *len,
                      const char **why)
{
    const json_t *v = json_object_get(obj, name);
    unsigned char *buf;

    *out = NULL;
    *len = 0;
    if (!v || (!required && json_is_null(v))) {
        if (required)
            return stepup_wa_fail(why, apr_psprintf(p, "response JSON: \"%s\" "
                                                    "is missing", path));
        return 0;
    }
    if (!json_is_string(v))
        return stepup_wa_fail(why, apr_psprintf(p, "response JSON: \"%s\" is "
                                                "not a string", path));
    if (stepup_b64url_decode(p, json_string_value(v), json_string_length(v),
                             &buf, len) != 0)
        return stepup_wa_fail(why, apr_psprintf(p, "response JSON: \"%s\" is "
                                                "not base64url", path));
    *out = buf;
    return 0;
}

/* An optional member that must have a given JSON type when present. */
static int optional_typed(apr_pool_t *p, const json_t *obj, const char *path,
                          const char *name, json_type type, int null_ok,
                          const char **why)
{
    const json_t *v = json_object_get(obj, name);
    static const char *const names[] = {
        "an object", "an array", "a string", "an integer", "a number",
        "a boolean", "a boolean", "null"
    };

    if (!v || json_typeof(v) == type || (null_ok && json_is_null(v)))
        return 0;
    if (type == JSON_TRUE || type == JSON_FALSE) {
        if (json_is_boolean(v))
            return 0;
    }
    return stepup_wa_fail(why, apr_psprintf(p, "response JSON: \"%s\" is not "
                                            "%s", path,
                                            (int)type < 8 ? names[type]
                                            : "of the right type"));
}

static int transport_name_ok(const char *s, size_t len)
{
    size_t i;

    if (len == 0 || len > TRANSPORT_MAX)
        return 0;
    for (i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

static int transports(apr_pool_t *p, const json_t *resp, const char **out,
                      const char **why)
{
    const json_t *v = json_object_get(resp, "transports"), *e;
    const char *joined = NULL;
    size_t i;

    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_array(v))
        return stepup_wa_fail(why, "response JSON: \"response.transports\" is "
                              "not an array");
    if (json_array_size(v) > STEPUP_WEBAUTHN_TRANSPORTS_MAX)
        return stepup_wa_fail(why, "response JSON: \"response.transports\" "
                              "has more than 16 entries");
    json_array_foreach(v, i, e) {
        if (!json_is_string(e)
            || !transport_name_ok(json_string_value(e),
                                  json_string_length(e)))
            return stepup_wa_fail(why, apr_psprintf(p, "response JSON: "
                                                    "\"response.transports[%"
                                                    APR_SIZE_T_FMT "]\" is not "
                                                    "a transport name", i));
        joined = joined ? apr_pstrcat(p, joined, ",", json_string_value(e),
                                      NULL)
            : apr_pstrdup(p, json_string_value(e));
    }
    *out = joined ? joined : "";
    return 0;
}

/* The text as one JSON object: *root is the caller's to json_decref, also
 * on failure. */
static int load_object(apr_pool_t *p, const char *json, size_t len,
                       json_t **root, const char **why)
{
    json_error_t jerr;

    if (!json || len == 0)
        return stepup_wa_fail(why, "response JSON is empty");
    if (len > STEPUP_WEBAUTHN_JSON_MAX)
        return stepup_wa_fail(why, apr_psprintf(p, "response JSON is larger "
                                                "than %d bytes",
                                                STEPUP_WEBAUTHN_JSON_MAX));
    if (!(*root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr)))
        return stepup_wa_fail(why, apr_psprintf(p, "response JSON is "
                                                "malformed: %s (line %d, "
                                                "column %d)",
                                                stepup_wa_printable(
                                                    p, jerr.text,
                                                    strlen(jerr.text),
                                                    SHOW_MAX),
                                                jerr.line, jerr.column));
    if (!json_is_object(*root))
        return stepup_wa_fail(why, "response JSON is not an object");
    return 0;
}

/* "type" and the credential's id, given twice (id and rawId). */
static int read_id(apr_pool_t *p, const json_t *j,
                   stepup_webauthn_response *out, const char **why)
{
    const unsigned char *raw;
    size_t rawlen;
    const json_t *v = json_object_get(j, "type");

    if (!v)
        return stepup_wa_fail(why, "response JSON: \"type\" is missing");
    if (!json_is_string(v) || strcmp(json_string_value(v), "public-key"))
        return stepup_wa_fail(why, "response JSON: \"type\" is not "
                              "\"public-key\"");
    if (b64_member(p, j, "id", "id", 1, &out->id, &out->id_len, why) != 0
        || b64_member(p, j, "rawId", "rawId", 1, &raw, &rawlen, why) != 0)
        return -1;
    if (out->id_len == 0)
        return stepup_wa_fail(why, "response JSON: \"id\" is empty");
    if (out->id_len > STEPUP_WEBAUTHN_CRED_ID_MAX)
        return stepup_wa_fail(why, "response JSON: \"id\" is longer than "
                              "1023 bytes");
    if (rawlen != out->id_len || memcmp(raw, out->id, rawlen) != 0)
        return stepup_wa_fail(why, "response JSON: \"id\" and \"rawId\" "
                              "differ");
    out->id_b64 = stepup_b64url_encode(p, out->id, out->id_len);
    return 0;
}

/* What both responses share: the top level and clientDataJSON. On success
 * *resp is the "response" object of the parsed root. */
static int common_parse(apr_pool_t *p, const json_t *j, const json_t **resp,
                        stepup_webauthn_response *out, const char **why)
{
    const json_t *v;

    if (read_id(p, j, out, why) != 0
        || optional_typed(p, j, "authenticatorAttachment",
                          "authenticatorAttachment", JSON_STRING, 1,
                          why) != 0
        || optional_typed(p, j, "clientExtensionResults",
                          "clientExtensionResults", JSON_OBJECT, 0, why) != 0)
        return -1;
    v = json_object_get(j, "response");
    if (!v)
        return stepup_wa_fail(why, "response JSON: \"response\" is missing");
    if (!json_is_object(v))
        return stepup_wa_fail(why, "response JSON: \"response\" is not an "
                              "object");
    *resp = v;
    return b64_member(p, v, "response.clientDataJSON", "clientDataJSON", 1,
                      &out->client_data_json, &out->client_data_len, why);
}

/* The members of "response" that differ between the two ceremonies. */
typedef int (*response_members)(apr_pool_t *p, const json_t *resp,
                                stepup_webauthn_response *out,
                                const char **why);

static int response_parse(apr_pool_t *p, const char *json, size_t len,
                          response_members members,
                          stepup_webauthn_response *out, const char **why)
{
    const json_t *resp = NULL;
    json_t *root = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = load_object(p, json, len, &root, why) == 0
        && common_parse(p, root, &resp, out, why) == 0
        && members(p, resp, out, why) == 0 ? 0 : -1;
    json_decref(root);
    if (rc != 0)
        memset(out, 0, sizeof(*out));
    return rc;
}

static int registration_members(apr_pool_t *p, const json_t *resp,
                                stepup_webauthn_response *out,
                                const char **why)
{
    return (b64_member(p, resp, "response.attestationObject",
                       "attestationObject", 1, &out->attestation_object,
                       &out->attestation_object_len, why) == 0
            && optional_typed(p, resp, "response.authenticatorData",
                              "authenticatorData", JSON_STRING, 0, why) == 0
            && optional_typed(p, resp, "response.publicKey", "publicKey",
                              JSON_STRING, 1, why) == 0
            && optional_typed(p, resp, "response.publicKeyAlgorithm",
                              "publicKeyAlgorithm", JSON_INTEGER, 0,
                              why) == 0
            && transports(p, resp, &out->transports, why) == 0) ? 0 : -1;
}

static int authentication_members(apr_pool_t *p, const json_t *resp,
                                  stepup_webauthn_response *out,
                                  const char **why)
{
    return (b64_member(p, resp, "response.authenticatorData",
                       "authenticatorData", 1, &out->authenticator_data,
                       &out->authenticator_data_len, why) == 0
            && b64_member(p, resp, "response.signature", "signature", 1,
                          &out->signature, &out->signature_len, why) == 0
            && b64_member(p, resp, "response.userHandle", "userHandle", 0,
                          &out->user_handle, &out->user_handle_len,
                          why) == 0) ? 0 : -1;
}

int stepup_webauthn_registration_json_parse(apr_pool_t *p, const char *json,
                                            size_t len,
                                            stepup_webauthn_response *out,
                                            const char **why)
{
    return response_parse(p, json, len, registration_members, out, why);
}

int stepup_webauthn_authentication_json_parse(apr_pool_t *p, const char *json,
                                              size_t len,
                                              stepup_webauthn_response *out,
                                              const char **why)
{
    return response_parse(p, json, len, authentication_members, out, why);
}
