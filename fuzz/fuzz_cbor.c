/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The bounded CBOR layer under every WebAuthn structure
 * (src/webauthn/cbor.c): the streaming pre-scan and cbor_load. The
 * length the scan finds is the length cbor_load consumes; a whole-buffer
 * load succeeds exactly when the item fills the buffer.
 */
#include <cbor.h>

#include "fuzz.h"

static int count_entry(apr_pool_t *p, const cbor_item_t *key,
                       const cbor_item_t *val, void *arg, const char **why)
{
    int64_t i;
    const unsigned char *b;
    const char *t;
    size_t len;

    (void)p; (void)why;
    (*(size_t *)arg)++;
    (void)stepup_cbor_int(key, &i);
    (void)stepup_cbor_bytes(val, &b, &len);
    (void)stepup_cbor_text(key, &t, &len);
    (void)stepup_cbor_text_is(key, "fmt");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    cbor_item_t *item = NULL;
    const char *why = NULL;
    size_t len = 0, used = 0, n = 0;
    int have_len, rc;

    have_len = stepup_cbor_item_length(p, data, size, "input", &len,
                                       &why) == 0;
    FUZZ_CHECK(have_len ? len >= 1 && len <= size : why != NULL);
    rc = stepup_cbor_load(p, data, size, 0, "input", &item, &used, &why);
    FUZZ_CHECK(rc != 0 || have_len);
    if (rc == 0) {
        FUZZ_CHECK(item && used == len);
        if (cbor_isa_map(item)) {
            FUZZ_CHECK(stepup_cbor_map_walk(p, item, "input", count_entry,
                                            &n, &why) == 0);
            FUZZ_CHECK(n == cbor_map_size(item));
        }
        stepup_cbor_release(p, item);
        item = NULL;
    }
    rc = stepup_cbor_load(p, data, size, 1, "input", &item, NULL, &why);
    FUZZ_CHECK(rc != 0 || (have_len && len == size));
    apr_pool_destroy(p);
    return 0;
}
