/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * return_to: where a confirmed user goes back to. Only a local path is
 * accepted, so the confirm page cannot be used as an open redirector.
 */
#ifndef STEPUP_RETURNTO_H
#define STEPUP_RETURNTO_H

#define STEPUP_RETURN_TO_MAX 2048

/* 1 when s is a local path: starts with a single '/' (not "//" nor "/\"),
 * no backslash, no control character, space or non-ASCII byte, at most
 * STEPUP_RETURN_TO_MAX bytes. */
int stepup_return_to_ok(const char *s);

/* s when stepup_return_to_ok(s), else "/". */
const char *stepup_return_to(const char *s);

#endif
