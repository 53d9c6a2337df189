/* fuzz_address - libFuzzer harness: untrusted bytes into address_check().
 *
 * Checks the contract: a valid address has no control character, no space
 * outside quotes, fits the limits, and normalizing it again gives itself.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"

#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct address_result r, again;
    size_t i, n;

    if (!address_check((const char *)data, size, &r))
        return 0;
    n = strlen(r.normalized);
    if (n > ADDRESS_MAX || !strchr(r.normalized, '@') || strlen(r.key) != n)
        abort();
    for (i = 0; i < n; i++)
        if ((unsigned char)r.normalized[i] < 32 || (unsigned char)r.normalized[i] >= 127)
            abort();
    if (!address_check(r.normalized, n, &again) || strcmp(again.normalized, r.normalized))
        abort();
    return 0;
}
