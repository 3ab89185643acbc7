/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Reading small configuration files whole at start-up, refusing what is
 * not a regular, private, non-empty file of bounded size, and walking
 * their lines (include/stepup_file.h).
 */
#include <string.h>

#include <apr_file_io.h>
#include <apr_strings.h>

#include "stepup_file.h"

static int fail(apr_pool_t *p, apr_status_t rv, const char **why)
{
    char buf[128];

    *why = apr_pstrdup(p, apr_strerror(rv, buf, sizeof(buf)));
    return -1;
}

int stepup_file_read(apr_pool_t *p, const char *path, apr_size_t max,
                     int flags, char **text, apr_size_t *len,
                     const char **why)
{
    apr_file_t *f;
    apr_finfo_t fi;
    apr_status_t rv;
    apr_size_t got;
    char *buf;

    *why = NULL;
    /* non-blocking: opening a FIFO must not wait for a writer (it is then
     * refused as not a regular file); regular files read the same */
    rv = apr_file_open(&f, path, APR_FOPEN_READ | APR_FOPEN_BINARY
                       | APR_FOPEN_NONBLOCK, APR_OS_DEFAULT, p);
    if (rv != APR_SUCCESS)
        return fail(p, rv, why);
    /* check the opened file, not the name, so nothing can swap it */
    rv = apr_file_info_get(&fi, APR_FINFO_TYPE | APR_FINFO_PROT
                           | APR_FINFO_SIZE, f);
    if (rv != APR_SUCCESS)
        *why = "cannot stat the file";
    else if (fi.filetype != APR_REG)
        *why = "not a regular file";
    else if ((flags & STEPUP_FILE_PRIVATE)
             && (fi.protection & (APR_GREAD | APR_GWRITE | APR_GEXECUTE
                                  | APR_WREAD | APR_WWRITE | APR_WEXECUTE)))
        *why = "group or others have access to it (chmod 600)";
    else if ((flags & STEPUP_FILE_NONEMPTY) && fi.size == 0)
        *why = "file is empty";
    else if (fi.size < 0 || (apr_size_t)fi.size > max)
        *why = "file is too large";
    if (*why) {
        apr_file_close(f);
        return -1;
    }
    got = (apr_size_t)fi.size;
    buf = apr_palloc(p, got + 1);
    rv = got ? apr_file_read_full(f, buf, got, &got) : APR_SUCCESS;
    apr_file_close(f);
    if (rv != APR_SUCCESS && rv != APR_EOF)
        return fail(p, rv, why);
    buf[got] = '\0';
    *text = buf;
    *len = got;
    return 0;
}

char *stepup_file_line(char **cursor)
{
    char *line = *cursor, *hash, *end;

    if (!line)
        return NULL;
    if ((*cursor = strchr(line, '\n')))
        *(*cursor)++ = '\0';
    if ((hash = strchr(line, '#')))
        *hash = '\0';
    while (*line == ' ' || *line == '\t')
        line++;
    end = line + strlen(line);
    while (end > line && (end[-1] == ' ' || end[-1] == '\t'
                          || end[-1] == '\r'))
        *--end = '\0';
    return line;
}
