/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Linked into every fuzz target and replay program (never into the
 * module): apr_palloc made of one malloc per allocation, freed when the
 * pool is cleared, so that AddressSanitizer sees the bounds of each pool
 * buffer. With APR's own apr_palloc a write past a buffer lands in the
 * pool's next bytes and goes unnoticed.
 *
 * Only the pool of the current input (fuzz_pool() in fuzz.h) and its
 * subpools are served so: what lives as long as the process (the key set,
 * APR's own pools) keeps APR's allocator, whose blocks LeakSanitizer
 * cannot see into. The core and APR's own functions (apr_pstrdup,
 * apr_pstrmemdup, ...) reach apr_palloc through the dynamic symbol, so
 * this definition serves them all. The pool's bookkeeping (the cleanup
 * record of each buffer) comes from the real apr_palloc.
 */
#define _GNU_SOURCE 1
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include <apr_pools.h>

typedef void *(*palloc_fn)(apr_pool_t *, apr_size_t);

static palloc_fn real_palloc(void)
{
    static palloc_fn fn;

    if (!fn && !(fn = (palloc_fn)dlsym(RTLD_NEXT, "apr_palloc")))
        abort();
    return fn;
}

static apr_status_t free_buffer(void *data)
{
    free(data);
    return APR_SUCCESS;
}

static int registering;   /* the fuzz targets are single-threaded */

apr_pool_t *fuzz_input_pool;   /* set by fuzz_pool() */

void *apr_palloc(apr_pool_t *p, apr_size_t size)
{
    void *mem;

    /* the cleanup record, allocated by APR itself, or another pool */
    if (registering || !fuzz_input_pool
        || !apr_pool_is_ancestor(fuzz_input_pool, p))
        return real_palloc()(p, size);
    if (!(mem = malloc(size ? size : 1)))
        abort();
    registering = 1;
    /* gcc takes the const pointer for a read of the fresh bytes */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
    apr_pool_cleanup_register(p, mem, free_buffer, apr_pool_cleanup_null);
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
    registering = 0;
    return mem;
}

#undef apr_pcalloc
void *apr_pcalloc(apr_pool_t *p, apr_size_t size);
void *apr_pcalloc(apr_pool_t *p, apr_size_t size)
{
    return memset(apr_palloc(p, size), 0, size);
}
