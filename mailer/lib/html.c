/* html - the one HTML escaper. */
#include "html.h"

#include <string.h>

#include "banned.h"

static const unsigned char special[256] = {
    ['&'] = 1, ['<'] = 2, ['>'] = 3, ['"'] = 4, ['\''] = 5,
};
static const char *const entity[] = {"", "&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
static const size_t entity_len[] = {0, 5, 4, 4, 6, 5};

int html_escape(struct buf *out, const char *s, size_t len)
{
    size_t i, run = 0, was = out->len;

    for (i = 0; i < len; i++) {
        unsigned char k = special[(unsigned char)s[i]];
        if (!k)
            continue;
        if (buf_add(out, s + run, i - run) || buf_add(out, entity[k], entity_len[k]))
            goto full;
        run = i + 1;
    }
    if (!buf_add(out, s + run, len - run))
        return 0;
full:
    buf_setlen(out, was); /* none of it, rather than a piece */
    return -1;
}

int html_escape_str(struct buf *out, const char *s)
{
    return html_escape(out, s, strlen(s));
}
