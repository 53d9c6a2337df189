/* fuzz_csvread - csvread_mem over hostile bytes, with every option. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "csvread.h"
#include "err.h"
#include "fuzz.h"

#include "banned.h"

static int on_record(void *ud, const struct csvread_record *rec)
{
    size_t *n = ud;
    FUZZ_ASSERT(rec->nfields <= CSVREAD_FIELDS_MAX);
    for (size_t i = 0; i < rec->nfields; i++) {
        FUZZ_ASSERT(rec->lens[i] <= CSVREAD_FIELD_MAX * 4); /* after transcoding */
        FUZZ_ASSERT(rec->fields[i][rec->lens[i]] == 0);
    }
    (*n)++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    static const int delims[] = {0, ',', ';', '\t'};
    struct csvread_opts opts = {0, CSVREAD_AUTO};
    struct buf warnings;
    struct err err;
    size_t n = 0;

    if (len) { /* first byte: options */
        opts.delim = delims[data[0] & 3];
        opts.encoding = (enum csvread_encoding)((data[0] >> 2) & 3);
        data++;
        len--;
    }
    buf_init(&warnings, 4096);
    err_init(&err);
    int rc =
        csvread_mem("fuzz.csv", (const char *)data, len, &opts, on_record, &n, &warnings, &err);
    FUZZ_ASSERT(rc == 0 || rc == -1);
    FUZZ_ASSERT(rc == 0 || err.msg.len > 0);
    buf_release(&warnings);
    err_release(&err);
    return 0;
}
