/* fuzz_filter - libFuzzer harness: untrusted text into the filter parser
 * and the folding of headers and values (filter_new, fold_key, fold_text). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "fold.h"

#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct value *row = value_new_map();
    struct filter *f;
    struct buf key = BUF_INIT;
    struct err err;
    char *text = malloc(size + 1);

    if (!text || !row)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    err_init(&err);
    value_map_set_string(row, "ciudad", "Chicago");
    value_map_set_string(row, "pais", "Estados Unidos");
    f = filter_new(text, &err);
    if (f) {
        (void)filter_match(f, row);
        filter_free(f);
    } else if (strncmp(err.msg.data, "filter: ", 8) && err.kind != ERR_NOMEM) {
        abort();
    }
    if (fold_key((const char *)data, size, &key) == 0)
        for (size_t i = 0; i < key.len; i++)
            if (key.data[i] == ' ' || (key.data[i] >= 'A' && key.data[i] <= 'Z'))
                abort();
    if (fold_text((const char *)data, size, &key) == 0)
        for (size_t i = 0; i < key.len; i++)
            if ((key.data[i] >= 'A' && key.data[i] <= 'Z') ||
                (key.data[i] == ' ' && (i == 0 || i + 1 == key.len || key.data[i + 1] == ' ')))
                abort();
    buf_release(&key);
    err_release(&err);
    value_free(row);
    free(text);
    return 0;
}
