/* fuzz_template - Mustache compile + render: input is "TEMPLATE\0JSON";
 * partials come from the same input ("PARTIAL\0..." after the JSON), so
 * recursion, inheritance and delimiters are all reachable. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "fuzz.h"
#include "template.h"
#include "value.h"

#include "banned.h"

struct parts {
    char *text[4];
};

/* Partial names "a".."d" are the pieces after the JSON; others do not exist. */
static int find(void *ud, const char *name, struct buf *out, struct buf *origin, struct err *err)
{
    struct parts *p = ud;
    (void)err;
    if (name[0] < 'a' || name[0] > 'd' || name[1])
        return 1;
    if (buf_addstr(out, p->text[name[0] - 'a']) || buf_addstr(origin, name))
        return -1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    struct parts p;
    struct err err;
    struct buf out;
    size_t srclen;
    const char *src = (const char *)data;

    const uint8_t *nul = memchr(data, 0, len);
    srclen = nul ? (size_t)(nul - data) : len;
    data += nul ? srclen + 1 : srclen;
    len -= nul ? srclen + 1 : srclen;
    char *json = fuzz_cut(&data, &len);
    for (int i = 0; i < 4; i++)
        p.text[i] = fuzz_cut(&data, &len);

    err_init(&err);
    buf_init(&out, 1 << 20);
    struct template_partials partials = {find, &p};
    enum template_escape esc = (srclen & 1) ? TEMPLATE_ESCAPE_NONE : TEMPLATE_ESCAPE_HTML;
    struct template *t = template_compile(src, srclen, "fuzz", esc, &partials, &err);
    if (!t) {
        FUZZ_ASSERT(err.msg.len > 0);
        goto out;
    }
    struct value *v = value_from_json(json, strlen(json), "fuzz.json", &err);
    if (!v) {
        err_clear(&err);
        v = value_new_map();
    }
    if (v) {
        const struct value *stack[1] = {v};
        int rc = template_render(t, stack, 1, &out, NULL, NULL, &err);
        FUZZ_ASSERT(rc == 0 || (rc == -1 && err.msg.len > 0));
        FUZZ_ASSERT(out.len <= out.cap);
        value_free(v);
    }
    template_free(t);
out:
    buf_release(&out);
    err_release(&err);
    free(json);
    for (int i = 0; i < 4; i++)
        free(p.text[i]);
    return 0;
}
