/* test_template - errors, escaping, missing variables, limits, files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "value.h"

#include "banned.h"

static struct value *json(const char *s)
{
    struct err err;
    struct value *v;

    err_init(&err);
    v = value_from_json(s, strlen(s), "test", &err);
    if (!v)
        fail_msg("bad test JSON: %s", err.msg.data);
    err_release(&err);
    return v;
}

/* Compile errors: where (origin:line:column), what, and the caret line. */
static void test_errors(void **state)
{
    static const struct {
        const char *src;
        const char *want; /* substring of the message */
    } cases[] = {
        {"Hola {{#a}}x", "t.mustache:1:6: section \"a\" is never closed\n    Hola {{#a}}x\n"
                         "         ^"},
        {"{{#a}}{{/b}}", "t.mustache:1:7: \"{{/b}}\" does not close \"a\""},
        {"x\n{{/b}}", "t.mustache:2:1: \"{{/b}}\" closes no open section\n    {{/b}}\n    ^"},
        {"a\nb {{name", "t.mustache:2:3: unclosed tag: no \"}}\" after \"{{\""},
        {"{{{name}}", "t.mustache:1:1: unclosed tag: no \"}}}\""},
        {"{{= <% =}}", "t.mustache:1:1: bad delimiter tag"},
        {"{{=<% %> x=}}", "t.mustache:1:1: bad delimiter tag"},
        {"{{=a= b=}}", "t.mustache:1:1: bad delimiter tag"},
        {"x {{}}", "t.mustache:1:3: empty tag name"},
        {"{{a..b}}", "t.mustache:1:1: empty part in a dotted name"},
        {"{{nombre completo}}", "t.mustache:1:1: whitespace inside a tag name"},
        /* Columns count characters, not bytes; the caret lines up. */
        {"ñandú {{#x}}", "t.mustache:1:7: section \"x\" is never closed\n    ñandú {{#x}}\n"
                         "          ^"},
        {"\t{{/x}}", "t.mustache:1:2: \"{{/x}}\" closes no open section\n    \t{{/x}}\n    \t^"},
        {"{{=<% %>=}}<%#a%><%/b%>", "t.mustache:1:18: \"<%/b%>\" does not close \"a\""},
        {"{{<parent}}{{$a}}{{/parent}}", "t.mustache:1:18: \"{{/parent}}\" does not close \"a\""},
    };
    struct err err;
    size_t i;

    (void)state;
    err_init(&err);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct template *t;
        err_clear(&err);
        t = template_compile(cases[i].src, strlen(cases[i].src), "t.mustache", TEMPLATE_ESCAPE_HTML,
                             NULL, &err);
        if (t || !strstr(err.msg.data, cases[i].want) || err.kind != ERR_DATA)
            fail_msg("case %zu %s: got \"%s\", want \"%s\"", i, cases[i].src,
                     t ? "(compiled)" : err.msg.data, cases[i].want);
    }
    err_release(&err);
}

static void render_expect(const char *src, enum template_escape esc, const char *data,
                          const char *want)
{
    struct value *v = json(data);
    const struct value *stack[1] = {v};
    struct buf out = BUF_INIT;
    struct err err;
    struct template *t;

    err_init(&err);
    t = template_compile(src, strlen(src), "t", esc, NULL, &err);
    if (!t)
        fail_msg("%s: %s", src, err.msg.data);
    assert_int_equal(template_render(t, stack, 1, &out, NULL, NULL, &err), 0);
    if (strcmp(out.data, want) != 0)
        fail_msg("%s: got \"%s\", want \"%s\"", src, out.data, want);
    template_free(t);
    value_free(v);
    buf_release(&out);
    err_release(&err);
}

static void test_escaping(void **state)
{
    static const struct {
        const char *src;
        enum template_escape esc;
        const char *want;
    } cases[] = {
        {"{{x}}", TEMPLATE_ESCAPE_HTML,
         "&lt;a href=&quot;u&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"},
        {"{{{x}}}", TEMPLATE_ESCAPE_HTML, "<a href=\"u\">Tom & Jerry's</a>"},
        {"{{&x}}", TEMPLATE_ESCAPE_HTML, "<a href=\"u\">Tom & Jerry's</a>"},
        {"{{x}}", TEMPLATE_ESCAPE_NONE, "<a href=\"u\">Tom & Jerry's</a>"},
        {"{{{x}}}", TEMPLATE_ESCAPE_NONE, "<a href=\"u\">Tom & Jerry's</a>"},
        {"{{n}}", TEMPLATE_ESCAPE_HTML, "Peña Álvarez"},
        {"{{#l}}{{.}},{{/l}}", TEMPLATE_ESCAPE_HTML, "&lt;,&gt;,"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        render_expect(cases[i].src, cases[i].esc,
                      "{\"x\":\"<a href=\\\"u\\\">Tom & Jerry's</a>\",\"n\":\"Peña Álvarez\","
                      "\"l\":[\"<\",\">\"]}",
                      cases[i].want);
}

/* Standalone lines: whitespace and non-output tags only (several may
 * share the line, as in mustache.js); a partial is indented only when it
 * is the first tag on its line. */
static void test_lines(void **state)
{
    static const struct {
        const char *src, *want;
    } cases[] = {
        {"a\n  {{#t}}\n  x\n  {{/t}}\nc", "a\n  x\nc"},
        {"{{#t}}{{/t}}\nx", "x"},
        {"{{#t}}{{/t}}{{! c }}\nx", "x"},
        {"<ul>\n  {{#l}}<li>{{.}}</li>{{/l}}\n</ul>", "<ul>\n  <li>1</li><li>2</li>\n</ul>"},
        {"{{!\n  varias líneas\n}}\nx", "x"},
        {"\r\n{{#t}}\r\nx\r\n{{/t}}\r\n", "\r\nx\r\n"},
        {"{{$b}}{{/b}}\n", "\n"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        render_expect(cases[i].src, TEMPLATE_ESCAPE_HTML, "{\"t\":true,\"l\":[1,2]}",
                      cases[i].want);
}

static void collect(void *ud, const char *name)
{
    struct buf *b = ud;

    assert_int_equal(buf_addstr(b, name), 0);
    assert_int_equal(buf_addch(b, ';'), 0);
}

/* Every interpolation that resolves to nothing is reported, by name. */
static void test_missing(void **state)
{
    static const struct {
        const char *src;
        const char *data;
        const char *want_out;
        const char *want_missing;
    } cases[] = {
        {"Hola {{nombre}},", "{}", "Hola ,", "nombre;"},
        {"Hola {{nombre}},", "{\"nombre\":\"Ana\"}", "Hola Ana,", ""},
        {"{{a.b}}|{{a.c}}", "{\"a\":{\"b\":\"1\"}}", "1|", "a.c;"},
        {"{{x}}", "{\"x\":null}", "", "x;"},
        {"{{#s}}{{y}}{{/s}}", "{\"s\":[{\"y\":1},{}]}", "1", "y;"},
        {"{{#nada}}{{y}}{{/nada}}", "{}", "", ""},
        {"{{^nada}}{{y}}{{/nada}}", "{}", "", "y;"},
        {"{{x}}{{x}}", "{}", "", "x;x;"},
        {"{{cero}}{{falso}}{{vacio}}", "{\"cero\":0,\"falso\":false,\"vacio\":\"\"}", "0false", ""},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct value *v = json(cases[i].data);
        const struct value *stack[1] = {v};
        struct buf out = BUF_INIT, missing = BUF_INIT;
        struct err err;
        struct template *t;

        err_init(&err);
        t = template_compile(cases[i].src, strlen(cases[i].src), "t", TEMPLATE_ESCAPE_NONE, NULL,
                             &err);
        assert_non_null(t);
        assert_int_equal(template_render(t, stack, 1, &out, collect, &missing, &err), 0);
        assert_string_equal(out.data, cases[i].want_out);
        assert_string_equal(missing.data, cases[i].want_missing);
        template_free(t);
        value_free(v);
        buf_release(&out);
        buf_release(&missing);
        err_release(&err);
    }
}

/* Frames: the top wins, lower frames fill in (campaign defaults below the
 * contact), also for a name that is null in the top frame. */
static void test_stack(void **state)
{
    struct value *defaults = json("{\"nombre\":\"amiga, amigo\",\"campana\":\"Corazón\"}");
    struct value *contact = json("{\"nombre\":\"Luz\"}");
    const struct value *stack[2] = {defaults, contact};
    struct buf out = BUF_INIT;
    struct err err;
    struct template *t;
    const char *src = "{{nombre}} / {{campana}}";

    (void)state;
    err_init(&err);
    t = template_compile(src, strlen(src), "t", TEMPLATE_ESCAPE_NONE, NULL, &err);
    assert_int_equal(template_render(t, stack, 2, &out, NULL, NULL, &err), 0);
    assert_string_equal(out.data, "Luz / Corazón");
    buf_reset(&out);
    assert_int_equal(template_render(t, stack, 1, &out, NULL, NULL, &err), 0);
    assert_string_equal(out.data, "amiga, amigo / Corazón");
    /* a null (a contact's empty cell) is not set there: the lower frame fills it */
    value_free(contact);
    contact = json("{\"nombre\":null}");
    stack[1] = contact;
    buf_reset(&out);
    assert_int_equal(template_render(t, stack, 2, &out, NULL, NULL, &err), 0);
    assert_string_equal(out.data, "amiga, amigo / Corazón");
    template_free(t);
    value_free(defaults);
    value_free(contact);
    buf_release(&out);
    err_release(&err);
}

static int find_recursive(void *ud, const char *name, struct buf *out, struct buf *origin,
                          struct err *err)
{
    (void)ud;
    (void)err;
    if (strcmp(name, "r") != 0)
        return 1;
    assert_int_equal(buf_addstr(out, "x{{>r}}"), 0);
    assert_int_equal(buf_addstr(origin, "r.mustache"), 0);
    return 0;
}

static int find_layout(void *ud, const char *name, struct buf *out, struct buf *origin,
                       struct err *err)
{
    (void)ud;
    (void)err;
    if (strcmp(name, "layout") != 0)
        return 1;
    assert_int_equal(buf_addstr(out, "<body>\n  {{$b}}{{/b}}\n  <p>{{$c}}c{{/c}}</p>\n</body>\n"),
                     0);
    assert_int_equal(buf_addstr(origin, "layout.mustache"), 0);
    return 0;
}

/* A shared layout: blocks take the indentation of their site. */
static void test_layout(void **state)
{
    static const struct {
        const char *src, *want;
    } cases[] = {
        {"{{<layout}}{{$b}}x\ny{{/b}}{{/layout}}", "<body>\n  x\n  y\n  <p>c</p>\n</body>\n"},
        {"{{<layout}}\n{{$b}}\n<h1>{{t}}</h1>\n<p>z</p>\n{{/b}}\n{{/layout}}\n",
         "<body>\n  <h1>&lt;T&gt;</h1>\n  <p>z</p>\n\n  <p>c</p>\n</body>\n"},
        {"{{<layout}}{{$c}}{{t}}{{/c}}{{/layout}}", "<body>\n  \n  <p>&lt;T&gt;</p>\n</body>\n"},
    };
    struct template_partials partials = {find_layout, NULL};
    struct value *v = json("{\"t\":\"<T>\"}");
    const struct value *stack[1] = {v};
    struct buf out = BUF_INIT;
    struct err err;
    size_t i;

    (void)state;
    err_init(&err);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct template *t = template_compile(cases[i].src, strlen(cases[i].src), "t",
                                              TEMPLATE_ESCAPE_HTML, &partials, &err);
        assert_non_null(t);
        buf_reset(&out);
        assert_int_equal(template_render(t, stack, 1, &out, NULL, NULL, &err), 0);
        if (strcmp(out.data, cases[i].want) != 0)
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, out.data, cases[i].want);
        template_free(t);
    }
    value_free(v);
    buf_release(&out);
    err_release(&err);
}

static void test_limits(void **state)
{
    struct template_partials rec = {find_recursive, NULL};
    struct value *v = json("{\"a\":true}");
    const struct value *stack[1] = {v};
    struct buf out, src = BUF_INIT;
    struct err err;
    struct template *t;
    size_t i;

    (void)state;
    err_init(&err);
    /* Output bounded by the buffer's cap. */
    buf_init(&out, 10);
    t = template_compile("0123456789AB", 12, "t", TEMPLATE_ESCAPE_NONE, NULL, &err);
    assert_int_equal(template_render(t, stack, 1, &out, NULL, NULL, &err), -1);
    assert_non_null(strstr(err.msg.data, "larger than 10 bytes"));
    assert_int_equal(err.kind, ERR_DATA);
    template_free(t);
    buf_release(&out);

    /* Unbounded recursion through a partial stops with an error. */
    err_clear(&err);
    buf_init(&out, 0);
    t = template_compile("{{>r}}", 6, "t", TEMPLATE_ESCAPE_NONE, &rec, &err);
    assert_non_null(t);
    assert_int_equal(template_render(t, stack, 1, &out, NULL, NULL, &err), -1);
    assert_non_null(strstr(err.msg.data, "nested deeper than"));
    template_free(t);
    buf_release(&out);

    /* Hostile nesting is refused at compile time, without recursion. */
    err_clear(&err);
    for (i = 0; i < 100000; i++)
        assert_int_equal(buf_addstr(&src, "{{#a}}"), 0);
    t = template_compile(src.data, src.len, "deep", TEMPLATE_ESCAPE_NONE, NULL, &err);
    assert_null(t);
    assert_non_null(strstr(err.msg.data, "deep:1:601: sections nested deeper than 100"));

    /* 100 levels are fine. */
    err_clear(&err);
    buf_reset(&src);
    for (i = 0; i < 100; i++)
        assert_int_equal(buf_addstr(&src, "{{#a}}"), 0);
    assert_int_equal(buf_addch(&src, 'y'), 0);
    for (i = 0; i < 100; i++)
        assert_int_equal(buf_addstr(&src, "{{/a}}"), 0);
    buf_init(&out, 0);
    t = template_compile(src.data, src.len, "deep", TEMPLATE_ESCAPE_NONE, NULL, &err);
    assert_non_null(t);
    assert_int_equal(template_render(t, stack, 1, &out, NULL, NULL, &err), 0);
    assert_string_equal(out.data, "y");
    template_free(t);
    buf_release(&out);

    /* Size cap. */
    err_clear(&err);
    buf_reset(&src);
    for (i = 0; i < (5u << 20) / 8; i++)
        assert_int_equal(buf_addstr(&src, "abcdefgh"), 0);
    t = template_compile(src.data, src.len, "big", TEMPLATE_ESCAPE_NONE, NULL, &err);
    assert_null(t);
    assert_non_null(strstr(err.msg.data, "big: template larger than"));

    buf_release(&src);
    value_free(v);
    err_release(&err);
}

/* Files: escaping from the name, partials from a directory, a missing
 * partial is an error unless TEMPLATE_MISSING_PARTIAL_OK. */
static void test_files(void **state)
{
    const char *fixtures = getenv("FIXTURES");
    struct buf path = BUF_INIT, dir = BUF_INIT, out = BUF_INIT;
    struct value *v = json("{\"nombre\":\"<Ana>\",\"items\":[{\"t\":\"uno\"},{\"t\":\"dos\"}]}");
    const struct value *stack[1] = {v};
    struct template *t;
    struct err err;

    (void)state;
    assert_non_null(fixtures);
    err_init(&err);
    assert_int_equal(buf_addf(&dir, "%s/templates/partials", fixtures), 0);

    assert_int_equal(buf_addf(&path, "%s/templates/saludo.txt.mustache", fixtures), 0);
    assert_int_equal(template_escape_for(path.data), TEMPLATE_ESCAPE_NONE);
    t = template_compile_file(path.data, dir.data, &err);
    if (!t)
        fail_msg("%s", err.msg.data);
    assert_int_equal(template_render(t, stack, 1, &out, NULL, NULL, &err), 0);
    assert_string_equal(out.data, "Hola <Ana>:\n  - uno\n  - dos\n-- \nVoto Chilango\n");
    template_free(t);

    buf_reset(&path);
    buf_reset(&out);
    assert_int_equal(buf_addf(&path, "%s/templates/roto.html.mustache", fixtures), 0);
    t = template_compile_file(path.data, dir.data, &err);
    assert_null(t);
    assert_non_null(strstr(err.msg.data, "roto.html.mustache:3:6: unknown partial \"no-existe\""));
    assert_non_null(strstr(err.msg.data, "\n      <p>{{> no-existe}}</p>\n         ^"));

    err_clear(&err);
    t = template_compile_file_flags(path.data, dir.data, TEMPLATE_MISSING_PARTIAL_OK, &err);
    assert_non_null(t);
    assert_int_equal(template_render(t, stack, 1, &out, NULL, NULL, &err), 0);
    assert_string_equal(out.data, "<h1>Hola &lt;Ana&gt;</h1>\n\n  <p></p>\n");
    template_free(t);

    err_clear(&err);
    t = template_compile_file("/nonexistent/x.html.mustache", NULL, &err);
    assert_null(t);
    assert_int_equal(err.kind, ERR_NOINPUT);

    value_free(v);
    buf_release(&path);
    buf_release(&dir);
    buf_release(&out);
    err_release(&err);
}

/* Escaping follows the file name; HTML unless clearly text. */
static void test_escape_for(void **state)
{
    static const struct {
        const char *path;
        enum template_escape want;
    } cases[] = {
        {"templates/boletin.html.mustache", TEMPLATE_ESCAPE_HTML},
        {"templates/boletin.txt.mustache", TEMPLATE_ESCAPE_NONE},
        {"asunto.txt", TEMPLATE_ESCAPE_NONE},
        {"boletin.html", TEMPLATE_ESCAPE_HTML},
        {"boletin.mustache", TEMPLATE_ESCAPE_HTML},
        {"boletin", TEMPLATE_ESCAPE_HTML},
        {"txt.mustache.html", TEMPLATE_ESCAPE_HTML},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (template_escape_for(cases[i].path) != cases[i].want)
            fail_msg("%s: wrong escaping", cases[i].path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),     cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_missing),    cmocka_unit_test(test_stack),
        cmocka_unit_test(test_limits),     cmocka_unit_test(test_files),
        cmocka_unit_test(test_escape_for), cmocka_unit_test(test_lines),
        cmocka_unit_test(test_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
