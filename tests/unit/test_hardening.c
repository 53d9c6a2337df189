/* test_hardening - limits give clear errors, never a crash or a silent
 * truncation; every input a fuzzer found crashing stays here as a case.
 *
 * Fuzz regressions (fuzz/corpus/<harness>/regress-*, found by ./run fuzz):
 * - template: "{{.}}" in a template whose tags have no names rendered
 *   through a null segment array (UBSan: applying zero offset to null
 *   pointer, template.c lookup()). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "csvread.h"
#include "err.h"
#include "message.h"
#include "rfc2047.h"
#include "template.h"
#include "value.h"

#include "banned.h"

static char tmpdir[64];

/* ---- fuzz regressions ---- */

static void test_fuzz_template_dot_without_names(void **state)
{
    /* fuzz/corpus/template/regress-1 */
    static const char src[] = "\x8e\xd9\x06\x84\x84\xbf\xdc\x96tE\xe6\x8c\x82\x84\x84\xc2"
                              "\x82\x8e\xf8"
                              "e$\"}}{{.}}>";
    static const char *const cases[] = {src, "{{.}}", "{{#.}}{{.}}{{/.}}", "{{{.}}}{{&.}}"};
    struct err err;
    struct buf out;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof *cases; i++) {
        err_init(&err);
        buf_init(&out, 4096);
        struct template *t =
            template_compile(cases[i], strlen(cases[i]), "fuzz", TEMPLATE_ESCAPE_HTML, NULL, &err);
        assert_non_null(t);
        struct value *v = value_new_cstring("<x>");
        const struct value *stack[1] = {v};
        assert_int_equal(template_render(t, stack, 1, &out, NULL, NULL, &err), 0);
        assert_non_null(strstr(out.data, i == 3 ? "<x>" : "&lt;x&gt;"));
        value_free(v);
        template_free(t);
        buf_release(&out);
        err_release(&err);
    }
}

/* ---- CSV: field and record sizes ---- */

static int count_records(void *ud, const struct csvread_record *rec)
{
    (void)rec;
    ++*(size_t *)ud;
    return 0;
}

static void expect_csv_error(const char *data, size_t len, const char *want)
{
    struct err err;
    size_t n = 0;
    err_init(&err);
    assert_int_equal(csvread_mem("big.csv", data, len, NULL, count_records, &n, NULL, &err), -1);
    if (!strstr(err.msg.data, want))
        fail_msg("want \"%s\" in: %s", want, err.msg.data);
    err_release(&err);
}

static void test_csv_field_too_long(void **state)
{
    struct buf b = BUF_INIT;
    (void)state;
    assert_int_equal(buf_addstr(&b, "correo,nota\nana@example.org,"), 0);
    for (size_t i = 0; i < CSVREAD_FIELD_MAX + 1; i++)
        assert_int_equal(buf_addch(&b, 'x'), 0);
    assert_int_equal(buf_addstr(&b, "\nluis@example.org,corta\n"), 0);
    expect_csv_error(b.data, b.len, "big.csv:2");
    /* exactly the limit is fine */
    struct err err;
    size_t n = 0;
    buf_reset(&b);
    assert_int_equal(buf_addstr(&b, "correo,nota\nana@example.org,"), 0);
    for (size_t i = 0; i < CSVREAD_FIELD_MAX; i++)
        assert_int_equal(buf_addch(&b, 'x'), 0);
    assert_int_equal(buf_addstr(&b, "\n"), 0);
    err_init(&err);
    assert_int_equal(csvread_mem("ok.csv", b.data, b.len, NULL, count_records, &n, NULL, &err), 0);
    assert_int_equal(n, 2);
    err_release(&err);
    buf_release(&b);
}

static void test_csv_too_many_fields(void **state)
{
    struct buf b = BUF_INIT;
    (void)state;
    assert_int_equal(buf_addstr(&b, "correo\nana@example.org"), 0);
    for (size_t i = 0; i < CSVREAD_FIELDS_MAX + 1; i++)
        assert_int_equal(buf_addstr(&b, ",x"), 0);
    assert_int_equal(buf_addstr(&b, "\n"), 0);
    expect_csv_error(b.data, b.len, "big.csv:2");
    buf_release(&b);
}

/* ---- templates: size, nesting, recursion ---- */

static void expect_compile_error(const char *src, size_t len, const char *want)
{
    struct err err;
    err_init(&err);
    struct template *t =
        template_compile(src, len, "big.mustache", TEMPLATE_ESCAPE_HTML, NULL, &err);
    assert_null(t);
    assert_int_equal(err.kind, ERR_DATA);
    if (!strstr(err.msg.data, want))
        fail_msg("want \"%s\" in: %s", want, err.msg.data);
    err_release(&err);
}

static void test_template_too_big(void **state)
{
    size_t n = 4u * 1024 * 1024 + 1;
    char *src = malloc(n);
    (void)state;
    assert_non_null(src);
    memset(src, 'a', n);
    expect_compile_error(src, n, "big.mustache");
    free(src);
}

static void test_template_nesting(void **state)
{
    struct buf b = BUF_INIT;
    int i;
    (void)state;
    for (i = 0; i < 101; i++)
        assert_int_equal(buf_addstr(&b, "{{#a}}"), 0);
    for (i = 0; i < 101; i++)
        assert_int_equal(buf_addstr(&b, "{{/a}}"), 0);
    expect_compile_error(b.data, b.len, "big.mustache:1");
    /* 100 levels compile */
    struct err err;
    err_init(&err);
    buf_reset(&b);
    for (i = 0; i < 100; i++)
        assert_int_equal(buf_addstr(&b, "{{#a}}"), 0);
    for (i = 0; i < 100; i++)
        assert_int_equal(buf_addstr(&b, "{{/a}}"), 0);
    struct template *t = template_compile(b.data, b.len, "ok", TEMPLATE_ESCAPE_HTML, NULL, &err);
    assert_non_null(t);
    template_free(t);
    err_release(&err);
    buf_release(&b);
}

static int find_self(void *ud, const char *name, struct buf *out, struct buf *origin,
                     struct err *err)
{
    (void)ud;
    (void)err;
    return buf_addf(out, "x{{>%s}}", name) || buf_addstr(origin, name) ? -1 : 0;
}

static void test_template_recursion(void **state)
{
    struct err err;
    struct buf out;
    struct template_partials p = {find_self, NULL};
    (void)state;
    err_init(&err);
    buf_init(&out, 1 << 20);
    struct template *t = template_compile("{{>yo}}", 7, "rec", TEMPLATE_ESCAPE_HTML, &p, &err);
    assert_non_null(t);
    struct value *v = value_new_map();
    const struct value *stack[1] = {v};
    assert_int_equal(template_render(t, stack, 1, &out, NULL, NULL, &err), -1);
    assert_int_equal(err.kind, ERR_DATA);
    value_free(v);
    template_free(t);
    buf_release(&out);
    err_release(&err);
}

static void test_template_output_cap(void **state)
{
    struct err err;
    struct buf out;
    (void)state;
    err_init(&err);
    buf_init(&out, 1000);
    struct template *t =
        template_compile("{{#l}}{{s}}{{/l}}", 17, "cap", TEMPLATE_ESCAPE_NONE, NULL, &err);
    assert_non_null(t);
    static const char json[] = "{\"s\":\"0123456789\",\"l\":["
                               "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
                               "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
                               "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
                               "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}";
    struct value *v = value_from_json(json, sizeof json - 1, "t", &err);
    assert_non_null(v);
    const struct value *stack[1] = {v};
    assert_int_equal(template_render(t, stack, 1, &out, NULL, NULL, &err), -1);
    assert_int_equal(err.kind, ERR_DATA);
    assert_true(out.len <= 1000);
    value_free(v);
    template_free(t);
    buf_release(&out);
    err_release(&err);
}

/* ---- JSON nesting ---- */

static void test_json_deep(void **state)
{
    size_t depth = 100000, i;
    char *s = malloc(2 * depth);
    struct err err;
    (void)state;
    assert_non_null(s);
    for (i = 0; i < depth; i++) {
        s[i] = '[';
        s[2 * depth - 1 - i] = ']';
    }
    err_init(&err);
    assert_null(value_from_json(s, 2 * depth, "deep.json", &err));
    assert_int_equal(err.kind, ERR_DATA);
    assert_non_null(strstr(err.msg.data, "deep.json"));
    err_release(&err);
    free(s);
}

/* ---- message size: 25 MB ---- */

static void write_sized(const char *path, size_t n)
{
    FILE *f = fopen(path, "wb");
    static char block[65536];
    assert_non_null(f);
    for (size_t i = 0; i < sizeof block; i++)
        block[i] = (char)(i * 7 + 3);
    while (n) {
        size_t k = n < sizeof block ? n : sizeof block;
        assert_int_equal(fwrite(block, 1, k, f), k);
        n -= k;
    }
    assert_int_equal(fclose(f), 0);
}

static int build_with(const char *path, struct buf *out, struct err *err)
{
    struct message_file att[1] = {{.path = path, .filename = "grande.pdf"}};
    struct message_spec m = {
        .from_address = "votochilango@iecm.example.org",
        .to_address = "ana@example.com",
        .subject = "Grande",
        .text = "Hola\n",
        .text_len = 5,
        .message_id = "m1.0@iecm.example.org",
        .date = 1763769600,
        .attachments = att,
        .nattachments = 1,
        .boundary_seed = "t",
    };
    return message_build(&m, out, err);
}

static void test_message_size(void **state)
{
    char path[128];
    struct buf out = BUF_INIT;
    struct err err;
    (void)state;

    snprintf(path, sizeof path, "%s/grande.pdf", tmpdir);
    /* 18 MiB encode to about 24.6 MiB: accepted */
    write_sized(path, 18u << 20);
    err_init(&err);
    assert_int_equal(build_with(path, &out, &err), 0);
    assert_true(out.len > (24u << 20) && out.len <= MESSAGE_MAX);
    buf_release(&out);
    err_release(&err);
    /* 19 MiB encode to more than 25 MiB: refused, saying so */
    write_sized(path, 19u << 20);
    err_init(&err);
    assert_int_equal(build_with(path, &out, &err), -1);
    assert_int_equal(out.len, 0);
    if (!strstr(err.msg.data, "25 MB"))
        fail_msg("no limit in: %s", err.msg.data);
    err_release(&err);
    /* a file over 25 MiB on its own: refused before encoding */
    write_sized(path, MESSAGE_MAX + 1);
    err_init(&err);
    assert_int_equal(build_with(path, &out, &err), -1);
    if (!strstr(err.msg.data, "larger than 25 MB"))
        fail_msg("no limit in: %s", err.msg.data);
    err_release(&err);
    buf_release(&out);
    unlink(path);
}

/* ---- display names: long ones stay encoded words (never inside quotes,
 * where they would not be decoded); absurd ones are left out of To ---- */

static int build_named(const char *to_name, const char *from_name, struct buf *out, struct err *err)
{
    struct message_spec m = {
        .from_name = from_name,
        .from_address = "votochilango@iecm.example.org",
        .to_name = to_name,
        .to_address = "ana@example.com",
        .subject = "Aviso",
        .text = "Hola\n",
        .text_len = 5,
        .message_id = "m1.0@iecm.example.org",
        .date = 1763769600,
        .boundary_seed = "t",
    };
    return message_build(&m, out, err);
}

/* Found by fuzz_message: a header value that holds the text standing for a
 * body while the message is written (its token is predictable when the
 * boundaries are: golden tests fix the seed) must not get the body put in
 * its place. The token is FNV-1a 64 of the seed, as message.c computes it. */
static void test_body_placeholder_in_header(void **state)
{
    const char *seed = "t";
    uint64_t h = 0xcbf29ce484222325ULL;
    char subject[128], name[128];
    struct buf out = BUF_INIT;
    struct err err;
    size_t i;

    (void)state;
    for (i = 0; i < strlen(seed); i++) {
        h ^= (unsigned char)seed[i];
        h *= 0x100000001b3ULL;
    }
    snprintf(subject, sizeof subject, "x =_vcbody%016llx_0 y", (unsigned long long)h);
    snprintf(name, sizeof name, "=_vcbody%016llx_1", (unsigned long long)h);
    struct message_spec m = {
        .from_address = "votochilango@iecm.example.org",
        .to_name = name,
        .to_address = "ana@example.com",
        .subject = subject,
        .text = "CUERPO DE TEXTO\n",
        .text_len = 16,
        .html = "<p>CUERPO HTML</p>\n",
        .html_len = 19,
        .message_id = "m1.0@iecm.example.org",
        .date = 1763769600,
        .boundary_seed = seed,
    };
    err_init(&err);
    assert_int_equal(message_build(&m, &out, &err), 0);
    /* each body once, and only after the header block */
    const char *body = strstr(out.data, "\r\n\r\n");
    assert_non_null(body);
    assert_null(memmem(out.data, (size_t)(body - out.data), "CUERPO", 6));
    assert_non_null(strstr(body, "CUERPO DE TEXTO"));
    assert_non_null(strstr(body, "CUERPO HTML"));
    buf_release(&out);
    err_release(&err);
}

static void test_long_display_names(void **state)
{
    struct buf out = BUF_INIT, name = BUF_INIT, dec = BUF_INIT;
    struct err err;
    (void)state;
    /* found by test_header_injection.sh: a name needing several encoded
     * words was quoted by libetpan; 400+ characters failed the whole send */
    for (int i = 0; i < 12; i++)
        assert_int_equal(buf_addstr(&name, "María Guadalupe Peña "), 0);
    err_init(&err);
    assert_int_equal(build_named(name.data,
                                 "Voto Chilango — Instituto Electoral de la Ciudad de "
                                 "México, Coordinación de Voto en el Extranjero",
                                 &out, &err),
                     0);
    assert_null(strstr(out.data, "\"=?"));
    char *to = strstr(out.data, "\r\nTo: ");
    assert_non_null(to);
    char *end = strstr(to + 2, "\r\nMessage-ID:");
    assert_non_null(end);
    assert_int_equal(rfc2047_decode(&dec, to + 6, (size_t)(end - to - 6)), 0);
    assert_non_null(strstr(dec.data, "María Guadalupe Peña María"));
    assert_non_null(strstr(dec.data, "<ana@example.com>"));
    err_release(&err);
    /* 5,000 characters with a header-looking tail: built, To is the address
     * alone, and nothing of the name reaches the headers */
    buf_reset(&name);
    buf_reset(&out);
    for (int i = 0; i < 5000; i++)
        assert_int_equal(buf_addch(&name, 'A'), 0);
    assert_int_equal(buf_addstr(&name, "\r\n\r\nBcc: evil@attacker.example"), 0);
    err_init(&err);
    assert_int_equal(build_named(name.data, "Voto Chilango", &out, &err), 0);
    assert_non_null(strstr(out.data, "\r\nTo: ana@example.com\r\n"));
    assert_null(strstr(out.data, "Bcc"));
    err_release(&err);
    /* the same as a From name: an error naming the limit */
    buf_reset(&out);
    err_init(&err);
    assert_int_equal(build_named("Ana", name.data, &out, &err), -1);
    assert_int_equal(out.len, 0);
    assert_non_null(strstr(err.msg.data, "From name is too long"));
    err_release(&err);
    buf_release(&out);
    buf_release(&name);
    buf_release(&dec);
}

/* ---- rfc2047: the out cap is an error, not a cut ---- */

static void test_rfc2047_cap(void **state)
{
    struct buf out;
    (void)state;
    buf_init(&out, 20);
    assert_int_equal(rfc2047_encode_text(&out, "Corazón Chilango de noviembre", 30, 9), -1);
    buf_reset(&out);
    assert_int_equal(rfc2047_decode(&out, "=?UTF-8?Q?Coraz=C3=B3n_Chilango_de_noviembre?=", 46),
                     -1);
    buf_release(&out);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_hardening-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fuzz_template_dot_without_names),
        cmocka_unit_test(test_csv_field_too_long),
        cmocka_unit_test(test_csv_too_many_fields),
        cmocka_unit_test(test_template_too_big),
        cmocka_unit_test(test_template_nesting),
        cmocka_unit_test(test_template_recursion),
        cmocka_unit_test(test_template_output_cap),
        cmocka_unit_test(test_json_deep),
        cmocka_unit_test(test_message_size),
        cmocka_unit_test(test_rfc2047_cap),
        cmocka_unit_test(test_body_placeholder_in_header),
        cmocka_unit_test(test_long_display_names),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rmdir(tmpdir);
    return rc;
}
