/* test_template_spec - the Mustache specification, read from its JSON files.
 *
 * Every test of the required modules and of ~inheritance is rendered with
 * its partials and compared byte for byte. Skipped when the spec is absent
 * (a plain clone without ../shared).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "template.h"
#include "value.h"

#include "skipped.h"

#include "banned.h"

static const char *const spec_files[] = {
    "comments", "delimiters", "interpolation", "inverted", "partials", "sections", "~inheritance",
};

static int spec_dir(struct buf *dir)
{
    const char *shared = getenv("SHARED_DIR");
    struct stat st;

    if (!shared)
        return -1;
    buf_reset(dir);
    assert_int_equal(buf_addf(dir, "%s/spec/mustache/specs", shared), 0);
    return stat(dir->data, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

static int find_in_map(void *ud, const char *name, struct buf *out, struct buf *origin,
                       struct err *err)
{
    const struct value *p = value_map_get(ud, name);
    const char *s;
    size_t n;

    (void)err;
    if (!p || !(s = value_text(p, &n)))
        return 1;
    assert_int_equal(buf_add(out, s, n), 0);
    assert_int_equal(buf_addf(origin, "partial %s", name), 0);
    return 0;
}

static void show(const char *label, const char *s)
{
    fprintf(stderr, "  %s: \"", label);
    for (; *s; s++) {
        if (*s == '\n')
            fputs("\\n", stderr);
        else if (*s == '\r')
            fputs("\\r", stderr);
        else
            fputc(*s, stderr);
    }
    fputs("\"\n", stderr);
}

/* Run one spec file; returns the number of failures. */
static int run_file(const char *dir, const char *name)
{
    struct buf path = BUF_INIT, out = BUF_INIT;
    struct err err;
    struct value *spec;
    const struct value *tests;
    size_t i, n, passed = 0;

    err_init(&err);
    assert_int_equal(buf_addf(&path, "%s/%s.json", dir, name), 0);
    spec = value_from_json_file(path.data, &err);
    if (!spec) {
        fprintf(stderr, "%s\n", err.msg.data);
        buf_release(&path);
        err_release(&err);
        return 1;
    }
    tests = value_map_get(spec, "tests");
    n = value_list_len(tests);
    for (i = 0; i < n; i++) {
        const struct value *tc = value_list_at(tests, i);
        const struct value *data = value_map_get(tc, "data");
        const struct template_partials partials = {find_in_map,
                                                   (void *)value_map_get(tc, "partials")};
        const char *src = value_text(value_map_get(tc, "template"), NULL);
        const char *want = value_text(value_map_get(tc, "expected"), NULL);
        struct template *t;
        size_t len;

        value_text(value_map_get(tc, "template"), &len);
        buf_reset(&out);
        err_clear(&err);
        t = template_compile(src, len, name, TEMPLATE_ESCAPE_HTML, &partials, &err);
        if (t && template_render(t, &data, 1, &out, NULL, NULL, &err) == 0 &&
            strcmp(out.data, want) == 0) {
            passed++;
        } else {
            fprintf(stderr, "FAIL %s: %s\n", name, value_text(value_map_get(tc, "name"), NULL));
            show("template", src);
            show("expected", want);
            show("got     ", t ? out.data : err.msg.data);
        }
        template_free(t);
    }
    printf("mustache spec %-14s %zu/%zu\n", name, passed, n);
    value_free(spec);
    buf_release(&path);
    buf_release(&out);
    err_release(&err);
    return (int)(n - passed);
}

static void test_spec(void **state)
{
    struct buf dir = BUF_INIT;
    int failed = 0;
    size_t i;

    (void)state;
    if (spec_dir(&dir)) {
        buf_release(&dir);
        SKIPPED("Mustache spec not found at $SHARED_DIR/spec/mustache/specs\n");
    }
    for (i = 0; i < sizeof(spec_files) / sizeof(spec_files[0]); i++)
        failed += run_file(dir.data, spec_files[i]);
    buf_release(&dir);
    assert_int_equal(failed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec),
    };
    struct buf dir = BUF_INIT;
    int absent = spec_dir(&dir);

    buf_release(&dir);
    if (absent) {
        printf("SKIP: Mustache spec not found at $SHARED_DIR/spec/mustache/specs\n");
        return 77; /* skipped (SKIP_RETURN_CODE in tests/CMakeLists.txt) */
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
