/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The "none" attestation statement verifier on its own (see
 * attestation.h for the input): whatever the object's fmt, its attStmt
 * goes to stepup_att_none.
 */
#include "attestation.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_attestation(data, size, "none");
}
