/* test_content - Markdown to HTML and text, wrapping, digest items. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "content.h"
#include "template.h"

#include "banned.h"

static void test_wrap(void **state)
{
    static const struct {
        const char *text;
        size_t width;
        const char *first, *prefix;
        const char *want;
    } cases[] = {
        {"uno dos tres", 7, "", "", "uno dos\ntres\n"},
        {"uno  dos\ttres", 72, "", "", "uno dos tres\n"},
        /* Characters, not bytes: "ñañaña" is 6 wide. */
        {"ñañaña ñañaña", 13, "", "", "ñañaña ñañaña\n"},
        {"ñañaña ñañaña", 12, "", "", "ñañaña\nñañaña\n"},
        /* A word longer than the line is never split. */
        {"ver https://example.org/muy/larga ya", 10, "", "",
         "ver\nhttps://example.org/muy/larga\nya\n"},
        {"a b c d", 5, "- ", "  ", "- a b\n  c d\n"},
        {"a\nb", 72, "> ", "> ", "> a\n> b\n"},
        {"", 72, "", "", ""},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct buf out = BUF_INIT;
        assert_int_equal(content_wrap(&out, cases[i].text, strlen(cases[i].text), cases[i].width,
                                      cases[i].first, cases[i].prefix),
                         0);
        if (strcmp(out.data, cases[i].want) != 0)
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, out.data, cases[i].want);
        buf_release(&out);
    }
}

static struct value *md(const char *text, int raw)
{
    struct err err;
    struct value *v;

    err_init(&err);
    v = content_markdown(text, strlen(text), "ed.md", raw, &err);
    if (!v)
        fail_msg("%s", err.msg.data);
    err_release(&err);
    return v;
}

static const char *field(const struct value *v, const char *key)
{
    const char *s = value_text(value_map_get(v, key), NULL);

    assert_non_null(s);
    return s;
}

/* Markdown to the text part: (markdown, text wanted). */
static void test_markdown_text(void **state)
{
    static const struct {
        const char *md;
        const char *text;
    } cases[] = {
        /* a leading "# Título" is the title, not the text (it is shown once) */
        {"# Título\n\nHola *mundo* y **todos**.\n", "Hola _mundo_ y *todos*.\n"},
        {"Hola.\n\n# Título\n", "Hola.\n\nTítulo\n======\n"},
        {"## Agenda\n\n- uno\n- dos\n\n1. a\n2. b\n",
         "Agenda\n------\n\n- uno\n- dos\n\n1. a\n2. b\n"},
        {"Lee la [convocatoria](https://iecm.mx/c) y [otra vez](https://iecm.mx/c), "
         "o <https://iecm.mx/d>.\n",
         "Lee la convocatoria [1] y otra vez [1], o https://iecm.mx/d.\n\n"
         "Enlaces:\n[1] https://iecm.mx/c\n"},
        {"> cita\n>\n> dos\n", "> cita\n>\n> dos\n"},
        {"texto\n\n    código\n", "texto\n\n    código\n"},
        {"uno  \ndos\n", "uno\ndos\n"},
        {"<div>crudo</div>\n\nfin\n", "fin\n"},
        {"Conversatorio virtual con la diáspora chilanga en Chicago el jueves 25 de enero "
         "de 2024 a las 19:00 horas.\n",
         "Conversatorio virtual con la diáspora chilanga en Chicago el jueves 25\n"
         "de enero de 2024 a las 19:00 horas.\n"},
        {"- un elemento de lista bastante largo que no cabe en una sola línea de setenta y "
         "dos\n",
         "- un elemento de lista bastante largo que no cabe en una sola línea de\n"
         "  setenta y dos\n"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct value *v = md(cases[i].md, 0);
        if (strcmp(field(v, "texto"), cases[i].text) != 0)
            fail_msg("case %zu: got\n%s\nwant\n%s", i, field(v, "texto"), cases[i].text);
        value_free(v);
    }
}

/* No line of the text part is wider than 72 characters, unless it is one
 * long word. */
static void test_markdown_width(void **state)
{
    struct buf src = BUF_INIT;
    struct value *v;
    const char *p, *nl;
    int i;

    (void)state;
    for (i = 0; i < 60; i++)
        assert_int_equal(buf_addstr(&src, "Ñandú acción elección participación "), 0);
    assert_int_equal(buf_addstr(&src, "\n"), 0);
    v = md(src.data, 0);
    for (p = field(v, "texto"); (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
        size_t chars = 0;
        const char *q;
        for (q = p; q < nl; q++)
            chars += ((unsigned char)*q & 0xC0) != 0x80;
        assert_true(chars <= 72);
        assert_true(chars >= 60);
        /* Lines start on a character boundary. */
        assert_true(((unsigned char)*p & 0xC0) != 0x80);
    }
    value_free(v);
    buf_release(&src);
}

static void test_markdown_html(void **state)
{
    struct value *v;

    (void)state;
    v = md("Intro\n\n# Corazón *Chilango*\n\n<script>x()</script>\n\n[a](javascript:alert(1))\n",
           0);
    assert_string_equal(field(v, "titulo"), "Corazón Chilango");
    assert_non_null(strstr(field(v, "html"), "<h1>Corazón <em>Chilango</em></h1>"));
    assert_null(strstr(field(v, "html"), "<script>"));
    assert_null(strstr(field(v, "html"), "javascript:"));
    value_free(v);

    v = md("<b>crudo</b> permitido\n", 1);
    assert_non_null(strstr(field(v, "html"), "<b>crudo</b>"));
    assert_string_equal(field(v, "titulo"), "");
    value_free(v);
}

static struct value *digest(const char *text, int csv, struct err *err)
{
    return csv ? content_digest_csv(text, strlen(text), "pulso.csv", err)
               : content_digest_json(text, strlen(text), "pulso.json", err);
}

static void test_digest(void **state)
{
    static const char *const sources[] = {
        "\xEF\xBB\xBF"
        "Fecha;Título;Fuente;Enlace;Resumen;Región\r\n"
        "2026-11-16;\"Elecciones; \"\"locales\"\"\";El País;https://elpais.com/a;\"Dos\nlíneas\";"
        "Europa\r\n"
        "2026-11-17;Otra;NYT;https://nyt.com/b;Algo;América\r\n"
        "\r\n"
        "2026-11-18;Tercera;Le Monde;https://lemonde.fr/c;x;Europa\r\n",
        "[{\"date\":\"2026-11-16\",\"title\":\"Elecciones; \\\"locales\\\"\",\"source\":\"El "
        "País\",\"url\":\"https://elpais.com/a\",\"summary\":\"Dos\\nlíneas\",\"region\":"
        "\"Europa\"},"
        "{\"fecha\":\"2026-11-17\",\"titulo\":\"Otra\",\"fuente\":\"NYT\",\"url\":"
        "\"https://nyt.com/b\",\"resumen\":\"Algo\",\"región\":\"América\"},"
        "{\"date\":\"2026-11-18\",\"title\":\"Tercera\",\"source\":\"Le Monde\",\"url\":"
        "\"https://lemonde.fr/c\",\"summary\":\"x\",\"region\":\"Europa\"}]",
    };
    size_t i;

    (void)state;
    for (i = 0; i < 2; i++) {
        struct err err;
        struct value *v;
        const struct value *items, *regions, *g;

        err_init(&err);
        v = digest(sources[i], i == 0, &err);
        if (!v)
            fail_msg("%s", err.msg.data);
        items = value_map_get(v, "items");
        assert_int_equal(value_list_len(items), 3);
        assert_string_equal(field(value_list_at(items, 0), "title"), "Elecciones; \"locales\"");
        assert_string_equal(field(value_list_at(items, 0), "summary"), "Dos\nlíneas");
        assert_string_equal(field(value_list_at(items, 1), "source"), "NYT");
        assert_string_equal(field(value_list_at(items, 1), "date"), "2026-11-17");
        assert_string_equal(field(v, "total"), "3");
        regions = value_map_get(v, "regiones");
        assert_int_equal(value_list_len(regions), 2);
        g = value_list_at(regions, 0);
        assert_string_equal(field(g, "region"), "Europa");
        assert_int_equal(value_list_len(value_map_get(g, "items")), 2);
        assert_string_equal(field(value_list_at(value_map_get(g, "items"), 1), "title"), "Tercera");
        assert_string_equal(field(value_list_at(regions, 1), "region"), "América");
        value_free(v);
        err_release(&err);
    }
}

static void test_digest_errors(void **state)
{
    static const struct {
        int csv;
        const char *text;
        const char *want;
    } cases[] = {
        {1, "title,url\nA,https://a\nB,https://b,x\n", "pulso.csv:3: 3 fields, the header has 2"},
        {1, "title,url\nA,https://a\n\"B,https://b\n",
         "pulso.csv:3: quoted field not closed at end of file"},
        {1, "title,url\n\"A\"x,https://a\n", "pulso.csv:2: malformed quoting"},
        {1, "title,url\nA,ftp://a\n", "pulso.csv:2: url \"ftp://a\" does not start with"},
        {1, "title,url\n,https://a\n", "pulso.csv:2: no title"},
        {1, "title,url\nA\xE9,https://a\n", "pulso.csv:2: not valid UTF-8 (byte 0xE9)"},
        {1, "", "pulso.csv:1: empty file"},
        {1, "titulo;fuente\nA;B\n", "pulso.csv:1: no url column"},
        {1, "title,url\n\"multi\nline\",https://a\nB,\n", "pulso.csv:4: no url"},
        {0, "{\"items\": 3}", "pulso.json: want a list of items"},
        {0, "[{\"title\":\"a\",\"url\":\"https://a\"}, 3]", "pulso.json: item 2: not an object"},
        {0, "[{\"url\":\"https://a\"}]", "pulso.json: item 1: no title"},
        {0, "[{\"title\":\"a\"", "pulso.json:1: invalid JSON"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct err err;
        struct value *v;

        err_init(&err);
        v = digest(cases[i].text, cases[i].csv, &err);
        if (v || !strstr(err.msg.data, cases[i].want) || err.kind != ERR_DATA)
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, v ? "(ok)" : err.msg.data,
                     cases[i].want);
        err_release(&err);
    }
}

/* Golden files: got must equal the file's bytes. */
static void expect_golden(const char *got, const char *fixtures, const char *name)
{
    struct buf path = BUF_INIT, want = BUF_INIT;

    assert_int_equal(buf_addf(&path, "%s/%s", fixtures, name), 0);
    if (getenv("UPDATE_GOLDEN")) {
        FILE *f = fopen(path.data, "wb");
        assert_non_null(f);
        fputs(got, f);
        fclose(f);
    }
    assert_int_equal(buf_read_file(&want, path.data), 0);
    if (strcmp(got, want.data) != 0)
        fail_msg("%s differs; got:\n%s", name, got);
    buf_release(&path);
    buf_release(&want);
}

static void test_load(void **state)
{
    const char *fixtures = getenv("FIXTURES");
    struct buf path = BUF_INIT;
    struct err err;
    struct value *v;

    (void)state;
    assert_non_null(fixtures);
    err_init(&err);
    assert_int_equal(buf_addf(&path, "%s/content/2026-11.md", fixtures), 0);
    v = content_load(path.data, 0, &err);
    if (!v)
        fail_msg("%s", err.msg.data);
    assert_string_equal(field(v, "titulo"), "Corazón Chilango, noviembre de 2026");
    /* the title is not repeated in the bodies */
    assert_null(strstr(field(v, "html"), "<h1>"));
    assert_null(strstr(field(v, "texto"), "Corazón Chilango, noviembre de 2026"));
    expect_golden(field(v, "texto"), fixtures, "content/2026-11.txt");
    expect_golden(field(v, "html"), fixtures, "content/2026-11.html");
    value_free(v);

    assert_int_equal(buf_setf(&path, "%s/content/pulso-2026-W47.csv", fixtures), 0);
    v = content_load(path.data, 0, &err);
    if (!v)
        fail_msg("%s", err.msg.data);
    assert_true(value_list_len(value_map_get(v, "items")) >= 3);
    value_free(v);

    assert_int_equal(buf_setf(&path, "%s/content/pulso-2026-W47.json", fixtures), 0);
    v = content_load(path.data, 0, &err);
    if (!v)
        fail_msg("%s", err.msg.data);
    assert_true(value_list_len(value_map_get(v, "regiones")) >= 2);
    value_free(v);

    v = content_load("/nonexistent/2026-11.md", 0, &err);
    assert_null(v);
    assert_int_equal(err.kind, ERR_NOINPUT);
    err_clear(&err);
    v = content_load("/nonexistent/2026-11.docx", 0, &err);
    assert_null(v);
    assert_int_equal(err.kind, ERR_DATA);

    buf_release(&path);
    err_release(&err);
}

/* Digest items grouped by region, through a template as a campaign would. */
static void test_digest_in_template(void **state)
{
    const char *fixtures = getenv("FIXTURES");
    const char *src = "{{#regiones}}\n== {{region}} ==\n{{#items}}\n* {{title}} ({{source}}, "
                      "{{date}})\n{{/items}}\n{{/regiones}}\n{{total}} notas\n";
    struct buf path = BUF_INIT, out = BUF_INIT;
    struct template *t;
    struct value *v;
    struct err err;
    const struct value *stack[1];

    (void)state;
    err_init(&err);
    assert_int_equal(buf_addf(&path, "%s/content/pulso-2026-W47.csv", fixtures), 0);
    v = content_load(path.data, 0, &err);
    assert_non_null(v);
    t = template_compile(src, strlen(src), "pulso.txt", TEMPLATE_ESCAPE_NONE, NULL, &err);
    assert_non_null(t);
    stack[0] = v;
    assert_int_equal(template_render(t, stack, 1, &out, NULL, NULL, &err), 0);
    assert_string_equal(out.data,
                        "== América del Sur ==\n"
                        "* Chile celebra segunda vuelta presidencial (La Tercera, 2026-11-16)\n"
                        "== Europa ==\n"
                        "* Elecciones regionales en Alemania (DW, 2026-11-17)\n"
                        "* Francia discute voto electrónico (Le Monde, 2026-11-19)\n"
                        "== América del Norte ==\n"
                        "* Reforma electoral en Canadá (CBC, 2026-11-18)\n"
                        "4 notas\n");
    template_free(t);
    value_free(v);
    buf_release(&path);
    buf_release(&out);
    err_release(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrap),           cmocka_unit_test(test_markdown_text),
        cmocka_unit_test(test_markdown_width), cmocka_unit_test(test_markdown_html),
        cmocka_unit_test(test_digest),         cmocka_unit_test(test_digest_errors),
        cmocka_unit_test(test_load),           cmocka_unit_test(test_digest_in_template),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
