/* fuzz_json - value_from_json over hostile text; what it accepts goes back
 * to JSON and parses again; after one round trip the JSON is stable. What
 * the direct reader of flat objects reads, json-c reads alike: the same
 * text inside a list (which only json-c reads) gives the same JSON. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "fuzz.h"
#include "value.h"

#include "banned.h"

static int object_shaped(const char *s, size_t len)
{
    size_t i = 0, j = len;

    while (i < len && s[i] && strchr(" \t\r\n", s[i]))
        i++;
    while (j > i && s[j - 1] && strchr(" \t\r\n", s[j - 1]))
        j--;
    return j - i >= 2 && s[i] == '{' && s[j - 1] == '}' && !memchr(s, '/', len) &&
           !memchr(s, 0, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    struct err err;
    struct buf a, b;
    err_init(&err);
    buf_init(&a, 0);
    buf_init(&b, 0);
    struct value *v = value_from_json((const char *)data, len, "fuzz.json", &err);
    if (!v) {
        FUZZ_ASSERT(err.msg.len > 0);
        goto out;
    }
    FUZZ_ASSERT(value_to_json(v, &a, 0) == 0);
    struct value *w = value_from_json(a.data, a.len, "again.json", &err);
    FUZZ_ASSERT(w != NULL);
    FUZZ_ASSERT(value_to_json(w, &b, 0) == 0);
    /* One round trip may normalize ("-0." is written "-0", read back as the
     * integer 0); after it, JSON out and in again is a fixed point. */
    struct value *x = value_from_json(b.data, b.len, "third.json", &err);
    FUZZ_ASSERT(x != NULL);
    buf_reset(&a);
    FUZZ_ASSERT(value_to_json(x, &a, 0) == 0);
    FUZZ_ASSERT(a.len == b.len && memcmp(a.data, b.data, b.len) == 0);
    /* Text shaped as the direct reader's (an object between white space, no
     * comment, no NUL) again as the only item of a list, which json-c reads:
     * the same JSON. (Other text is json-c's alone either way, and json-c's
     * way with comments and a cut object depends on what follows.) */
    if (object_shaped((const char *)data, len)) {
        buf_reset(&a);
        FUZZ_ASSERT(buf_addstr(&a, "[\n") == 0 && buf_add(&a, data, len) == 0 &&
                    buf_addstr(&a, "\n]") == 0);
        struct value *y = value_from_json(a.data, a.len, "list.json", &err);
        FUZZ_ASSERT(y != NULL && value_list_len(y) == 1);
        buf_reset(&a);
        buf_reset(&b);
        FUZZ_ASSERT(value_to_json(v, &a, 0) == 0 && value_to_json(value_list_at(y, 0), &b, 0) == 0);
        FUZZ_ASSERT(a.len == b.len && memcmp(a.data, b.data, b.len) == 0);
        value_free(y);
    }
    value_free(x);
    value_free(w);
    value_free(v);
out:
    buf_release(&a);
    buf_release(&b);
    err_release(&err);
    return 0;
}
