/* fuzz_bounce - libFuzzer harness for bounce_parse() (untrusted bytes from
 * the bounce mailbox); built with -DFUZZ=ON and run by ./run fuzz, seeds in
 * fuzz/corpus/bounce (copies of tests/fixtures/bounces). */
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
