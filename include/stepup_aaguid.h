/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * StepupHighAssuranceAAGUIDs: authenticator models (AAGUIDs) whose
 * device-bound credentials count as hardware-bound (phrh). One UUID per
 * line, '#' comments.
 */
#ifndef STEPUP_AAGUID_H
#define STEPUP_AAGUID_H

#include <stddef.h>
#include <apr_pools.h>

typedef struct stepup_aaguid_list stepup_aaguid_list;

/* -1 and a one-line reason naming the line on failure. */
int stepup_aaguid_list_parse(apr_pool_t *p, const char *text, size_t len,
                             stepup_aaguid_list **out, const char **why);
int stepup_aaguid_list_load(apr_pool_t *p, const char *path,
                            stepup_aaguid_list **out, const char **why);
int stepup_aaguid_listed(const stepup_aaguid_list *l,
                         const unsigned char aaguid[16]);
/* 32 lowercase hex digits, as the store keeps them. */
char *stepup_aaguid_hex(apr_pool_t *p, const unsigned char aaguid[16]);

#endif
