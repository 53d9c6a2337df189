/* fuzz_rfc2047 - encoded words: what the encoders write is 7-bit, has no
 * bare CR or LF, never lets a line start a header, and decodes back to the
 * cleaned input; the decoder takes anything. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "rfc2047.h"
#include "utf8.h"

#include "banned.h"

/* Header text: printable ASCII; CR LF only as a fold (followed by SP). */
static void check_header_text(const struct buf *b)
{
    for (size_t i = 0; i < b->len; i++) {
        unsigned char ch = (unsigned char)b->data[i];
        if (ch == '\r') {
            FUZZ_ASSERT(i + 2 < b->len && b->data[i + 1] == '\n' && b->data[i + 2] == ' ');
            i++;
            continue;
        }
        FUZZ_ASSERT(ch >= 0x20 && ch < 0x7f);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    const char *s = (const char *)data;
    struct buf enc, dec, clean;
    buf_init(&enc, 1 << 20);
    buf_init(&dec, 1 << 20);
    buf_init(&clean, 1 << 20);

    FUZZ_ASSERT(rfc2047_clean(&clean, s, len) == 0);
    FUZZ_ASSERT(utf8_valid(clean.data, clean.len));

    if (rfc2047_encode_text(&enc, s, len, 9) == 0) {
        check_header_text(&enc);
        FUZZ_ASSERT(rfc2047_decode(&dec, enc.data, enc.len) == 0);
        FUZZ_ASSERT(dec.len == clean.len && memcmp(dec.data, clean.data, dec.len) == 0);
    }
    buf_reset(&enc);
    if (rfc2047_encode_phrase(&enc, s, len, 6) == 0)
        check_header_text(&enc);
    buf_reset(&enc);
    if (rfc2047_encode_param(&enc, s, len) == 0) {
        check_header_text(&enc);
        FUZZ_ASSERT(!memchr(enc.data, '\r', enc.len));
    }
    buf_reset(&dec);
    FUZZ_ASSERT(rfc2047_decode(&dec, s, len) == 0);
    FUZZ_ASSERT(utf8_valid(dec.data, dec.len));

    buf_release(&enc);
    buf_release(&dec);
    buf_release(&clean);
    return 0;
}
