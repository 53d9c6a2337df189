/* fuzz_content - edition content: Markdown (first byte even) or a digest
 * in CSV (first byte 1 mod 4) or JSON (3 mod 4). */
#include <stddef.h>
#include <stdint.h>

#include "content.h"
#include "err.h"
#include "fuzz.h"
#include "value.h"

#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    struct err err;
    struct value *v;
    if (!len)
        return 0;
    unsigned mode = data[0];
    const char *text = (const char *)data + 1;
    len--;
    err_init(&err);
    if (!(mode & 1))
        v = content_markdown(text, len, "fuzz.md", (mode >> 1) & 1, &err);
    else if ((mode & 3) == 1)
        v = content_digest_csv(text, len, "fuzz.csv", &err);
    else
        v = content_digest_json(text, len, "fuzz.json", &err);
    FUZZ_ASSERT(v || err.msg.len > 0);
    if (v && !(mode & 1)) {
        FUZZ_ASSERT(value_type(value_map_get(v, "html")) == VALUE_STRING);
        FUZZ_ASSERT(value_type(value_map_get(v, "texto")) == VALUE_STRING);
    }
    value_free(v);
    err_release(&err);
    return 0;
}
