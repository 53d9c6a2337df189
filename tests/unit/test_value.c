/* test_value - JSON in and out, the one place that knows it: the escaper
 * (value_json_string, value_json_quote), the writer (value_to_json) and the
 * reader (value_from_json: its direct reader of flat objects of strings
 * gives what json-c gives, and leaves it everything else). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "value.h"

#include "banned.h"

static void test_escape(void **state)
{
    static const struct {
        const char *in;
        size_t len;
        const char *want;
    } cases[] = {
        {"", 0, "\"\""},
        {"plain text", 10, "\"plain text\""},
        {"say \"hi\"", 8, "\"say \\\"hi\\\"\""},
        {"C:\\datos", 8, "\"C:\\\\datos\""},
        {"a\nb\rc\td", 7, "\"a\\nb\\rc\\td\""},
        {"\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\""},
        {"nul\0in", 6, "\"nul\\u0000in\""},
        {"a/b </script>", 13, "\"a/b </script>\""},
        {"Niño \xF0\x9F\x97\xB3", 10, "\"Niño \xF0\x9F\x97\xB3\""},
    };
    struct buf out = BUF_INIT;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        buf_reset(&out);
        assert_int_equal(value_json_string(&out, cases[i].in, cases[i].len), 0);
        if (strcmp(out.data, cases[i].want))
            fail_msg("case %zu: %s, want %s", i, out.data, cases[i].want);
        if (!memchr(cases[i].in, 0, cases[i].len)) {
            buf_reset(&out);
            assert_int_equal(value_json_quote(&out, cases[i].in), 0);
            assert_string_equal(out.data, cases[i].want);
        }
    }
    buf_reset(&out);
    assert_int_equal(value_json_quote(&out, NULL), 0);
    assert_string_equal(out.data, "null");
    buf_release(&out);
}

/* A full buffer is an error, never a string with a piece missing. */
static void test_escape_full(void **state)
{
    struct value *v = value_new_map();
    struct buf out;
    size_t cap;

    (void)state;
    assert_int_equal(value_map_set_string(v, "nombre", "María \"la Güera\"\n"), 0);
    buf_init(&out, 0);
    assert_int_equal(value_to_json(v, &out, 0), 0);
    for (cap = 1; cap < out.len; cap++) {
        struct buf small;
        buf_init(&small, cap);
        assert_int_equal(value_to_json(v, &small, 0), -1);
        assert_int_equal(small.len, 0); /* as it was: none of it */
        buf_release(&small);
    }
    buf_release(&out);
    buf_init(&out, 8);
    assert_int_equal(buf_addstr(&out, "ab"), 0);
    assert_int_equal(value_json_quote(&out, "too long for eight"), -1);
    assert_string_equal(out.data, "ab");
    buf_release(&out);
    value_free(v);
}

/* What the direct reader takes reads as json-c reads it (the same text in
 * a list goes to json-c); what it leaves goes to json-c. */
static void test_read(void **state)
{
    static const char *const texts[] = {
        "{}",
        " { } ",
        " { \"a\" : \"b\" , \"c\":\"d\" } ",
        "{\"a\":\"x\\u0001y\\u007f\"}",
        "{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}",
        "{\"a\":\"1\",\"a\":\"2\",\"b\":\"3\"}", /* a repeated key: the last value, first place */
        "{\"nombre\":\"Jos\xc3\xa9\",\"raw\":\"\xff\"}",
        "{\"a\":\"caf\\u00e9\"}", /* beyond the direct reader */
        "{\"a\":\"\\ud83d\\uddf3\"}",
        "{\"a\":\"x\\u0000y\"}",
        "{\"n\":1.21,\"m\":{\"x\":[\"y\",true,null]}}",
        "[\"a\",1]",
        "\"s\"",
        "42",
    };
    struct buf a = BUF_INIT, b = BUF_INIT, wrapped = BUF_INIT;
    struct err e;
    size_t i;

    (void)state;
    err_init(&e);
    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        struct value *v = value_from_json(texts[i], strlen(texts[i]), "t", &e);
        struct value *w;
        if (!v)
            fail_msg("%s: %s", texts[i], e.msg.data);
        buf_reset(&wrapped);
        assert_int_equal(buf_addf(&wrapped, "[%s]", texts[i]), 0);
        w = value_from_json(wrapped.data, wrapped.len, "t", &e);
        assert_non_null(w);
        buf_reset(&a);
        buf_reset(&b);
        assert_int_equal(value_to_json(v, &a, 0), 0);
        assert_int_equal(value_to_json(value_list_at(w, 0), &b, 0), 0);
        if (strcmp(a.data, b.data))
            fail_msg("%s: read as %s, json-c reads %s", texts[i], a.data, b.data);
        value_free(v);
        value_free(w);
    }
    assert_string_equal(a.data, "42");
    buf_release(&a);
    buf_release(&b);
    buf_release(&wrapped);
    err_release(&e);
}

static void test_read_errors(void **state)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"{\"a\":", "t:1: invalid JSON"},
        {"{\"a\":\"b\"", "t:1: invalid JSON"},
        {"{\"a\":\"b\"} x", "t:1: invalid JSON: unexpected data after the value"},
        {"{\"a\":\n@}", "t:2: invalid JSON"},
        {"", "t:1: invalid JSON"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct err e;
        err_init(&e);
        assert_null(value_from_json(cases[i].text, strlen(cases[i].text), "t", &e));
        if (!strstr(e.msg.data, cases[i].want))
            fail_msg("%s: \"%s\", want \"%s\"", cases[i].text, e.msg.data, cases[i].want);
        err_release(&e);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_escape_full),
        cmocka_unit_test(test_read),
        cmocka_unit_test(test_read_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
