/* fuzz_csvread - libFuzzer harness: untrusted bytes into csvread_mem().
 *
 * Not built by CMake (it needs clang's -fsanitize=fuzzer); see run_fuzz.sh.
 * The first byte picks the options (delimiter, encoding); every record's
 * fields are checked against the caps.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"

#include "banned.h"

static int check(void *ud, const struct csvread_record *rec)
{
    size_t i;

    (void)ud;
    if (rec->nfields > CSVREAD_FIELDS_MAX || rec->line == 0)
        abort();
    for (i = 0; i < rec->nfields; i++)
        if (rec->lens[i] > CSVREAD_FIELD_MAX || rec->fields[i][rec->lens[i]] != '\0')
            abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int delims[] = {0, ',', ';', '\t'};
    struct csvread_opts o = {0, CSVREAD_AUTO};
    struct buf warn = BUF_INIT;
    struct err err;
    int rc;

    if (size < 1)
        return 0;
    o.delim = delims[data[0] & 3];
    o.encoding = (enum csvread_encoding)((data[0] >> 2) & 3);
    err_init(&err);
    rc = csvread_mem("fuzz.csv", (const char *)data + 1, size - 1, &o, check, NULL, &warn, &err);
    if (rc && strncmp(err.msg.data, "fuzz.csv", 8))
        abort(); /* every error names the file */
    buf_release(&warn);
    err_release(&err);
    return 0;
}
