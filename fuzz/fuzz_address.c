/* fuzz_address - address_check over hostile bytes: a valid address is
 * bounded, holds no control character (a space only when quoted) and checks again to itself. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "address.h"
#include "fuzz.h"

#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    struct address_result r, r2;
    memset(&r, 0, sizeof r);
    if (address_check((const char *)data, len, &r) != 1) {
        FUZZ_ASSERT(!r.valid && r.reason);
        return 0;
    }
    size_t n = strlen(r.normalized);
    FUZZ_ASSERT(n > 0 && n <= ADDRESS_MAX);
    FUZZ_ASSERT(strlen(r.key) == n);
    for (size_t i = 0; i < n; i++)
        FUZZ_ASSERT((unsigned char)r.normalized[i] >= 0x20 &&
                    (unsigned char)r.normalized[i] < 0x7f);
    /* The normalized form is itself valid and normalizes to itself. */
    memset(&r2, 0, sizeof r2);
    FUZZ_ASSERT(address_check(r.normalized, n, &r2) == 1);
    FUZZ_ASSERT(strcmp(r2.normalized, r.normalized) == 0);
    return 0;
}
