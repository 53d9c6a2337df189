/* test_html - the one HTML escaper (html_escape, html_escape_str). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "buf.h"
#include "html.h"

#include "banned.h"

static void test_escape(void **state)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"", ""},
        {"Boletín de noviembre", "Boletín de noviembre"},
        {"<script>alert('x')</script>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"},
        {"a & b \"c\"", "a &amp; b &quot;c&quot;"},
        {"&amp;", "&amp;amp;"}, /* escaped once more: text, not markup */
        {"<<>>", "&lt;&lt;&gt;&gt;"},
    };
    struct buf out = BUF_INIT;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        buf_reset(&out);
        assert_int_equal(html_escape(&out, cases[i].in, strlen(cases[i].in)), 0);
        assert_string_equal(out.data, cases[i].want);
    }
    buf_reset(&out);
    assert_int_equal(html_escape(&out, "a\0<", 3), 0); /* a NUL is text too */
    assert_memory_equal(out.data, "a\0&lt;", 7);
    buf_release(&out);
}

/* A full buffer: -1, and none of the escaped text. */
static void test_full(void **state)
{
    struct buf out;

    (void)state;
    buf_init(&out, 10);
    assert_int_equal(buf_addstr(&out, "<p>"), 0);
    assert_int_equal(html_escape(&out, "<b>", 3), -1); /* 3 + 11 > 10 */
    assert_string_equal(out.data, "<p>");
    assert_int_equal(html_escape(&out, "ok&", 3), 0);
    assert_string_equal(out.data, "<p>ok&amp;");
    buf_release(&out);
}

/* The string form: the same text, and the same all-or-nothing when full. */
static void test_str(void **state)
{
    struct buf out;

    (void)state;
    buf_init(&out, 12);
    assert_int_equal(html_escape_str(&out, "\"Niños\" & <b>"), -1); /* 34 octets > 12 */
    assert_int_equal(out.len, 0);
    assert_int_equal(html_escape_str(&out, "a<b"), 0);
    assert_string_equal(out.data, "a&lt;b");
    assert_int_equal(html_escape_str(&out, ""), 0);
    assert_string_equal(out.data, "a&lt;b");
    buf_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_str),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
