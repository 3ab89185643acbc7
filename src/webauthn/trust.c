/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Attestation trust anchors (StepupAttestationRoots, stepupctl
 * --attestation-roots): PEM certificates in an X509_STORE. Every
 * certificate of the file is an anchor (X509_V_FLAG_PARTIAL_CHAIN), as
 * vendors and the FIDO metadata publish intermediates as roots too.
 * The store is only read after loading: one may serve every thread.
 */
#include <string.h>

#include <apr_strings.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "stepup_file.h"
#include "webauthn_internal.h"

struct stepup_trust_store {
    X509_STORE *store;
    int count;
};

static apr_status_t store_cleanup(void *data)
{
    X509_STORE_free(data);
    return APR_SUCCESS;
}

int stepup_trust_load_pem(apr_pool_t *p, const char *pem, size_t len,
                          stepup_trust_store **out, const char **why)
{
    stepup_trust_store *ts;
    unsigned long err;
    X509_STORE *store;
    BIO *bio;
    X509 *x;
    int count = 0, ok = 1;

    *out = NULL;
    if (len == 0)
        return stepup_wa_fail(why, "the file is empty");
    if (len > STEPUP_WEBAUTHN_TRUST_FILE_MAX)
        return stepup_wa_fail(why, "the file is larger than 1 MiB");
    if (!(store = X509_STORE_new()))
        return stepup_wa_fail(why, "out of memory (OpenSSL)");
    apr_pool_cleanup_register(p, store, store_cleanup, apr_pool_cleanup_null);
    if (!(bio = BIO_new_mem_buf(pem, (int)len)))
        return stepup_wa_fail(why, "out of memory (OpenSSL)");
    ERR_clear_error();
    while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
        ok = X509_STORE_add_cert(store, x) == 1;
        X509_free(x);
        if (!ok)
            break;
        count++;
    }
    BIO_free(bio);
    err = ERR_peek_last_error();
    ERR_clear_error();
    if (!ok)
        return stepup_wa_fail(why, apr_psprintf(p, "certificate %d cannot be "
                                                "added (a duplicate?)",
                                                count + 1));
    /* the loop ends at the end of the text ("no start line") or on a
     * certificate that does not decode */
    if (err && !(ERR_GET_LIB(err) == ERR_LIB_PEM
                 && ERR_GET_REASON(err) == PEM_R_NO_START_LINE))
        return stepup_wa_fail(why, apr_psprintf(p, "PEM certificate %d is "
                                                "malformed", count + 1));
    if (count == 0)
        return stepup_wa_fail(why, "no PEM certificate in it");
    X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
    ts = apr_palloc(p, sizeof(*ts));
    ts->store = store;
    ts->count = count;
    *out = ts;
    return 0;
}

/* The file is read by the core's reader, which refuses a FIFO or a device
 * at once instead of waiting on it at start-up. */
int stepup_trust_load(apr_pool_t *p, const char *pem_path,
                      stepup_trust_store **out, const char **why)
{
    apr_size_t len;
    char *pem;
    const char *err = NULL;

    *out = NULL;
    if (stepup_file_read(p, pem_path, STEPUP_WEBAUTHN_TRUST_FILE_MAX, 0,
                         &pem, &len, &err) != 0)
        return stepup_wa_fail(why, err);
    return stepup_trust_load_pem(p, pem, len, out, why);
}

int stepup_trust_count(const stepup_trust_store *ts)
{
    return ts ? ts->count : 0;
}

int stepup_trust_verify_at(apr_pool_t *p, const stepup_trust_store *ts,
                           X509 *leaf, STACK_OF(X509) *rest, int64_t at,
                           const char **why)
{
    X509_STORE_CTX *ctx;
    int ok, err = X509_V_ERR_UNSPECIFIED;

    if (!(ctx = X509_STORE_CTX_new()))
        return stepup_wa_fail(why, "out of memory (OpenSSL)");
    ok = X509_STORE_CTX_init(ctx, ts->store, leaf, rest) == 1;
    /* the context's own parameters (a copy of the store's): setting the
     * time here leaves the shared store untouched */
    if (ok && at > 0)
        X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx),
                                   (time_t)at);
    ok = ok && X509_verify_cert(ctx) == 1;
    if (!ok)
        err = X509_STORE_CTX_get_error(ctx);
    X509_STORE_CTX_free(ctx);
    ERR_clear_error();
    if (!ok)
        return stepup_wa_fail(why, apr_psprintf(p, "the certificate chain "
                                                "does not reach a configured "
                                                "root: %s",
                                                X509_verify_cert_error_string(
                                                    err)));
    return 0;
}

int stepup_trust_verify(apr_pool_t *p, const stepup_trust_store *ts,
                        X509 *leaf, STACK_OF(X509) *rest, const char **why)
{
    return stepup_trust_verify_at(p, ts, leaf, rest, 0, why);
}
