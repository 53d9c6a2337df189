/* fuzz_bounce - libFuzzer harness for bounce_parse() (untrusted bytes from
 * the bounce mailbox). Not part of the CMake build; build and run by hand:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *     -I mailer/lib tests/fuzz/fuzz_bounce.c mailer/lib/bounce.c \
 *     mailer/lib/buf.c mailer/lib/err.c mailer/lib/rfc2047.c -letpan -o fuzz_bounce
 *   cp -r tests/fixtures/bounces corpus
 *   ./fuzz_bounce -max_total_time=300 -max_len=65536 corpus
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bounce.h"

#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bounce_result r;
    struct err e;
    size_t i;

    err_init(&e);
    if (bounce_parse((const char *)data, size, &r, &e) == 0) {
        for (i = 0; i < r.nrcpt; i++)
            if (!strchr(r.rcpt[i].address, '@'))
                __builtin_trap();
    }
    bounce_release(&r);
    err_release(&e);
    return 0;
}
