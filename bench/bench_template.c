/* bench_template - renders per second of a bulletin template, one thread.
 *
 * usage: bench_template TEMPLATE PARTIALS_DIR EDITION.json CONTACTS.json SECONDS
 *        bench_template --dump N TEMPLATE PARTIALS_DIR EDITION.json CONTACTS.json
 * The template is compiled once; each render uses the stack
 * [edition, contact] for the next contact, into a reused buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "template.h"
#include "value.h"

#include "banned.h"

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    struct template *t = NULL;
    struct value *edition = NULL, *contacts = NULL;
    struct buf out;
    struct err err;
    const struct value *stack[2];
    double start, elapsed = 0, seconds;
    size_t n, i = 0, renders = 0, bytes = 0, dump = 0;
    int rc = 1, dumping = 0;

    if (argc == 7 && strcmp(argv[1], "--dump") == 0) {
        dumping = 1;
        dump = (size_t)strtoul(argv[2], NULL, 10);
        argv += 2;
        argc -= 2;
    }
    if (argc < 5) {
        fprintf(stderr, "usage: bench_template TEMPLATE PARTIALS EDITION.json CONTACTS.json "
                        "[SECONDS]\n");
        return 64;
    }
    seconds = argc > 5 ? atof(argv[5]) : 3.0;
    err_init(&err);
    buf_init(&out, 1 << 20);
    t = template_compile_file(argv[1], argv[2], &err);
    edition = t ? value_from_json_file(argv[3], &err) : NULL;
    contacts = edition ? value_from_json_file(argv[4], &err) : NULL;
    if (!contacts) {
        fprintf(stderr, "bench_template: %s\n", err.msg.data);
        goto out;
    }
    n = value_list_len(contacts);
    stack[0] = edition;
    if (dumping) {
        stack[1] = value_list_at(contacts, dump % n);
        if (template_render(t, stack, 2, &out, NULL, NULL, &err))
            goto fail;
        fwrite(out.data, 1, out.len, stdout);
        rc = 0;
        goto out;
    }
    start = now();
    while (elapsed < seconds) {
        size_t k;
        for (k = 0; k < 1000; k++) {
            stack[1] = value_list_at(contacts, i);
            i = i + 1 == n ? 0 : i + 1;
            buf_reset(&out);
            if (template_render(t, stack, 2, &out, NULL, NULL, &err))
                goto fail;
            bytes += out.len;
        }
        renders += 1000;
        elapsed = now() - start;
    }
    printf("%.0f %.0f\n", (double)renders / elapsed, (double)bytes / (double)renders);
    rc = 0;
    goto out;
fail:
    fprintf(stderr, "bench_template: %s\n", err.msg.data);
out:
    template_free(t);
    value_free(edition);
    value_free(contacts);
    buf_release(&out);
    err_release(&err);
    return rc;
}
