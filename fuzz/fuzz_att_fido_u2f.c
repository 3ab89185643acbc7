/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The "fido-u2f" attestation statement verifier on its own (see
 * attestation.h for the input): whatever the object's fmt, its attStmt
 * goes to stepup_att_fido_u2f.
 */
#include "attestation.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_attestation(data, size, "fido-u2f");
}
