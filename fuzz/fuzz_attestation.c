/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The attestation object (src/webauthn/attestation.c) and the format
 * dispatch (none, packed, fido-u2f; the others refused): see
 * attestation.h for the input.
 */
#include "attestation.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_attestation(data, size, NULL);
}
