/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Small configuration files (keys, templates, AAGUID lists, PEM roots):
 * read whole at start-up, with the checks each needs.
 */
#ifndef STEPUP_FILE_H
#define STEPUP_FILE_H

#include <stddef.h>
#include <apr_pools.h>

#define STEPUP_FILE_PRIVATE  0x1   /* refuse any group/other permission */
#define STEPUP_FILE_NONEMPTY 0x2   /* refuse an empty file */

/* Reads the regular file at path (at most max bytes) into a NUL-terminated
 * buffer from p. On failure returns -1 with a one-line reason in *why (the
 * system's, or "not a regular file", "file is empty", "file is too
 * large", "group or others have access to it (chmod 600)"). */
int stepup_file_read(apr_pool_t *p, const char *path, apr_size_t max,
                     int flags, char **text, apr_size_t *len,
                     const char **why);

/* The next line of a configuration file's text (NUL-terminated, cut in
 * place): the line ends at '\n', a '#' starts a comment, spaces and tabs
 * before what is left and spaces, tabs and CRs after it are dropped.
 * *cursor moves to the following line, NULL after the last; "" stands for
 * a blank or comment line. NULL once *cursor is NULL. */
char *stepup_file_line(char **cursor);

#endif
