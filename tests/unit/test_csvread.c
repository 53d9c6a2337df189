/* test_csvread - RFC 4180 and what spreadsheets really write. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"

#include "banned.h"

/* Records serialized as "LINE:f1|f2 / LINE:f1|f2", with CR, LF, |, NUL
 * and \ escaped in fields. */
static int collect(void *ud, const struct csvread_record *rec)
{
    struct buf *out = ud;
    size_t i, j;

    if (out->len)
        assert_int_equal(buf_addstr(out, " / "), 0);
    assert_int_equal(buf_addf(out, "%zu:", rec->line), 0);
    for (i = 0; i < rec->nfields; i++) {
        if (i)
            assert_int_equal(buf_addch(out, '|'), 0);
        for (j = 0; j < rec->lens[i]; j++) {
            char c = rec->fields[i][j];
            if (c == '\n')
                assert_int_equal(buf_addstr(out, "\\n"), 0);
            else if (c == '\r')
                assert_int_equal(buf_addstr(out, "\\r"), 0);
            else if (c == '|' || c == '\\')
                assert_int_equal(buf_addf(out, "\\%c", c), 0);
            else if (c == '\0')
                assert_int_equal(buf_addstr(out, "\\0"), 0);
            else
                assert_int_equal(buf_addch(out, c), 0);
        }
    }
    return 0;
}

struct case_ {
    const char *name;
    const char *in;
    size_t len; /* 0: strlen(in) */
    int delim;  /* 0: sniff */
    enum csvread_encoding enc;
    const char *want;    /* serialized records, or NULL when an error is expected */
    const char *err;     /* substring of the error message */
    const char *warning; /* substring of the warnings, NULL: none expected */
};

static const struct case_ cases[] = {
    {"simple", "a,b\n1,2\n", 0, 0, 0, "1:a|b / 2:1|2", NULL, NULL},
    {"crlf", "a,b\r\n1,2\r\n", 0, 0, 0, "1:a|b / 2:1|2", NULL, NULL},
    {"lone cr", "a,b\r1,2\r3,4", 0, 0, 0, "1:a|b / 2:1|2 / 3:3|4", NULL, NULL},
    {"no final newline", "a,b\n1,2", 0, 0, 0, "1:a|b / 2:1|2", NULL, NULL},
    {"empty fields", "a,b,c\n,,\n1,,3\n", 0, 0, 0, "1:a|b|c / 2:|| / 3:1||3", NULL, NULL},
    {"quoted comma", "a,b\n\"x,y\",z\n", 0, 0, 0, "1:a|b / 2:x,y|z", NULL, NULL},
    {"doubled quote", "a\n\"say \"\"hi\"\"\"\n", 0, 0, 0, "1:a / 2:say \"hi\"", NULL, NULL},
    {"quoted lf", "a,b\n\"1\n2\",x\n3,y\n", 0, 0, 0, "1:a|b / 2:1\\n2|x / 4:3|y", NULL, NULL},
    {"quoted crlf", "a,b\r\n\"1\r\n2\r\n3\",x\r\n4,y\r\n", 0, 0, 0,
     "1:a|b / 2:1\\r\\n2\\r\\n3|x / 5:4|y", NULL, NULL},
    {"quoted empty", "a,b\n\"\",\"\"\n", 0, 0, 0, "1:a|b / 2:|", NULL, NULL},
    {"spaces kept", "a,b\n  x , y \n", 0, 0, 0, "1:a|b / 2:  x | y ", NULL, NULL},
    {"blank lines skipped", "a\n\n\nx\n\r\n\ny\n", 0, 0, 0, "1:a / 4:x / 7:y", NULL, NULL},
    {"bom stripped",
     "\xef\xbb\xbf"
     "email,n\nx,y\n",
     0, 0, 0, "1:email|n / 2:x|y", NULL, NULL},
    {"bom and semicolon",
     "\xef\xbb\xbf"
     "Nombre;Correo\r\nJos\xc3\xa9;j@x.mx\r\n",
     0, 0, 0, "1:Nombre|Correo / 2:Jos\xc3\xa9|j@x.mx", NULL, NULL},
    {"semicolon sniffed", "a;b;c\n1,5;2;3\n", 0, 0, 0, "1:a|b|c / 2:1,5|2|3", NULL, NULL},
    {"tab sniffed", "a\tb\n1\t2 3\n", 0, 0, 0, "1:a|b / 2:1|2 3", NULL, NULL},
    {"comma wins a tie", "a;b,c\n1;2,3\n", 0, 0, 0, "1:a;b|c / 2:1;2|3", NULL, NULL},
    {"quoted delimiters ignored when sniffing", "\"a,b,c\";d;e\n1;2;3\n", 0, 0, 0,
     "1:a,b,c|d|e / 2:1|2|3", NULL, NULL},
    {"delimiter override", "a;b,c\n1;2,3\n", 0, ';', 0, "1:a|b,c / 2:1|2,3", NULL, NULL},
    {"tab override", "a,b\tc\n", 0, '\t', 0, "1:a,b|c", NULL, NULL},
    {"excel sep line", "sep=;\r\na;b,c\r\n1;2,3\r\n", 0, 0, 0, "2:a|b,c / 3:1|2,3", NULL, NULL},
    {"excel sep line after bom", "\xef\xbb\xbfSEP=,\na;b,c\n", 0, 0, 0, "2:a;b|c", NULL, NULL},
    {"sep line, delimiter given", "sep=;\na,b\n", 0, ',', 0, "2:a|b", NULL, NULL},
    {"not a sep line", "sep=;x\n1\n", 0, 0, 0, "1:sep=|x / 2:1", NULL, NULL},
    {"sep line only", "sep=,", 0, 0, 0, "", NULL, NULL},
    {"single column", "email\nx@y.z\n", 0, 0, 0, "1:email / 2:x@y.z", NULL, NULL},
    {"trailing empty columns", "a,b,,\n1,2,,\n", 0, 0, 0, "1:a|b|| / 2:1|2||", NULL, NULL},
    {"utf8 kept",
     "n\n\xc3\xb1"
     "and\xc3\xba \xe2\x82\xac \xf0\x9f\x98\x80\n",
     0, 0, 0,
     "1:n / 2:\xc3\xb1"
     "and\xc3\xba \xe2\x82\xac \xf0\x9f\x98\x80",
     NULL, NULL},
    {"cp1252 converted", "Nombre;Ciudad\r\nJos\xe9;Quer\xe9taro\r\n\x80 5;\x93x\x94\r\n", 0, 0, 0,
     "1:Nombre|Ciudad / 2:Jos\xc3\xa9|Quer\xc3\xa9taro / 3:\xe2\x82\xac "
     "5|\xe2\x80\x9cx\xe2\x80\x9d",
     NULL, "read as Windows-1252"},
    {"cp1252 late in the file", "a\nx\ny\nJos\xe9\n", 0, 0, 0, "1:a / 2:x / 3:y / 4:Jos\xc3\xa9",
     NULL, "4: not valid UTF-8"},
    {"cp1252 undefined byte", "a\nx\x81y\n", 0, 0, 0, NULL, "2: byte 0x81 is not WINDOWS-1252",
     "Windows-1252"},
    {"latin1 forced", "a\n\xe9\x80\n", 0, 0, CSVREAD_LATIN1, "1:a / 2:\xc3\xa9\xc2\x80", NULL,
     NULL},
    {"cp1252 forced on ascii", "a\nb\n", 0, 0, CSVREAD_WINDOWS_1252, "1:a / 2:b", NULL, NULL},
    {"utf8 forced refuses", "a\nJos\xe9\n", 0, 0, CSVREAD_UTF8, NULL, "2: byte 0xe9 is not UTF-8",
     NULL},
    {"mixed encodings refused", "a\nJos\xc3\xa9\nJos\xe9\n", 0, 0, 0, NULL,
     "3: byte 0xe9 is not UTF-8 (the file mixes encodings)", NULL},
    {"overlong utf8 is not utf8", "a\n\xc0\xaf\n", 0, 0, 0, "1:a / 2:\xc3\x80\xc2\xaf", NULL,
     "Windows-1252"},
    {"surrogate is not utf8", "a\n\xed\xa0\x80\n", 0, 0, 0, "1:a / 2:\xc3\xad\xc2\xa0\xe2\x82\xac",
     NULL, "Windows-1252"},
    {"truncated utf8 at eof", "a\nb\xc3", 0, 0, 0, "1:a / 2:b\xc3\x83", NULL, "Windows-1252"},
    {"utf16 refused",
     "\xff\xfe"
     "a\0,\0b\0",
     8, 0, 0, NULL, "UTF-16", NULL},
    {"stray quote", "a,b\nx,Juan \"Pepe\"\n", 0, 0, 0, NULL, "2: malformed quoting", NULL},
    {"text after closing quote", "a,b\n\"x\"y,z\n", 0, 0, 0, NULL, "2: malformed quoting", NULL},
    {"unterminated quote", "a,b\n1,2\n\"x,y\nz\n", 0, 0, 0, NULL,
     "3: quoted field not closed at end of file", NULL},
    {"nul byte kept", "a,b\nx\0y,z\n", 10, 0, 0, "1:a|b / 2:x\\0y|z", NULL, NULL},
    {"empty input", "", 0, 0, 0, "", NULL, NULL},
    {"only a bom", "\xef\xbb\xbf", 0, 0, 0, "", NULL, NULL},
    {"header only", "email,nombre", 0, 0, 0, "1:email|nombre", NULL, NULL},
    {"only blank lines", "\n\r\n\r", 0, 0, 0, "", NULL, NULL},
};

static void test_cases(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct case_ *c = &cases[i];
        struct csvread_opts o = {c->delim, c->enc};
        struct buf got = BUF_INIT, warn = BUF_INIT;
        struct err err;
        int rc;

        err_init(&err);
        rc = csvread_mem("t.csv", c->in, c->len ? c->len : strlen(c->in), &o, collect, &got, &warn,
                         &err);
        if (c->want) {
            if (rc || strcmp(got.data, c->want))
                fail_msg("case \"%s\": rc %d err \"%s\"\n got  \"%s\"\n want \"%s\"", c->name, rc,
                         err.msg.data, got.data, c->want);
        } else if (!rc || !strstr(err.msg.data, c->err)) {
            fail_msg("case \"%s\": rc %d, error \"%s\", want \"%s\"", c->name, rc, err.msg.data,
                     c->err);
        } else if (strncmp(err.msg.data, "t.csv", 5)) {
            fail_msg("case \"%s\": error does not name the file: %s", c->name, err.msg.data);
        }
        if (c->warning ? !strstr(warn.data, c->warning) : warn.len > 0)
            fail_msg("case \"%s\": warnings \"%s\", want \"%s\"", c->name, warn.data,
                     c->warning ? c->warning : "");
        buf_release(&got);
        buf_release(&warn);
        err_release(&err);
    }
}

/* Every split of the input into chunks gives the same records: run the
 * cases through a file (64 KiB chunks) is covered by the fixtures; here
 * the chunk-boundary logic is hit with inputs larger than a chunk. */
static void test_chunk_boundaries(void **state)
{
    struct buf in = BUF_INIT, got = BUF_INIT, want = BUF_INIT;
    struct err err;
    size_t i, line = 2;
    int rc;

    (void)state;
    err_init(&err);
    assert_int_equal(buf_addstr(&in, "nombre;correo\r\n"), 0);
    assert_int_equal(buf_addstr(&want, "1:nombre|correo"), 0);
    for (i = 0; in.len < 300 * 1024; i++) {
        /* rows of varying length so CRLF and multi-byte characters
         * straddle the 64 KiB chunk boundaries */
        assert_int_equal(
            buf_addf(&in, "Jos\xc3\xa9 %zu%.*s;\"a\r\nb\";\r\n", i, (int)(i % 7), "xxxxxxx"), 0);
        assert_int_equal(buf_addf(&want, " / %zu:Jos\xc3\xa9 %zu%.*s|a\\r\\nb|", line, i,
                                  (int)(i % 7), "xxxxxxx"),
                         0);
        line += 2;
    }
    buf_init(&got, 0);
    rc = csvread_mem("big.csv", in.data, in.len, NULL, collect, &got, NULL, &err);
    assert_int_equal(rc, 0);
    assert_string_equal(got.data, want.data);
    buf_release(&in);
    buf_release(&got);
    buf_release(&want);
    err_release(&err);
}

static void test_cp1252_across_chunks(void **state)
{
    struct buf in = BUF_INIT, got = BUF_INIT, warn = BUF_INIT;
    struct err err;
    size_t rows = 0;
    int rc;

    (void)state;
    err_init(&err);
    assert_int_equal(buf_addstr(&in, "a\n"), 0);
    while (in.len < 200 * 1024) {
        assert_int_equal(buf_addstr(&in, "plain ascii row\n"), 0);
        rows++;
    }
    assert_int_equal(buf_addstr(&in, "Pe\xf1"
                                     "a\n"),
                     0); /* first non-UTF-8 byte after 3 chunks */
    rc = csvread_mem("late.csv", in.data, in.len, NULL, collect, &got, &warn, &err);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(got.data, "Pe\xc3\xb1"
                                     "a"));
    assert_non_null(strstr(warn.data, "late.csv:"));
    assert_non_null(strstr(warn.data, "Windows-1252"));
    buf_release(&in);
    buf_release(&got);
    buf_release(&warn);
    err_release(&err);
}

/* Lines without a quote take a fast path that bypasses libcsv; quoting the
 * first field of every line sends the same records through libcsv. Both
 * must agree, on random lines with spaces, tabs, other delimiters, empty
 * fields and UTF-8, under every line ending. */
static void test_fast_path_matches_libcsv(void **state)
{
    static const char *const atoms[] = {"a", "bc", " ", "\t", ";", "\xc3\xa9", "x y", "", "@"};
    static const char *const ends[] = {"\n", "\r\n", "\r"};
    unsigned seed = 12345;
    int round;

    (void)state;
    for (round = 0; round < 200; round++) {
        struct buf plain = BUF_INIT, quoted = BUF_INIT, a = BUF_INIT, b = BUF_INIT;
        struct csvread_opts o = {',', CSVREAD_AUTO};
        struct err err;
        int line, field, nfields, k;
        const char *end = ends[round % 3];

        err_init(&err);
        for (line = 0; line < 20; line++) {
            size_t pstart = plain.len, qstart = quoted.len;
            nfields = 1 + (int)((seed = seed * 1103515245 + 12345) >> 16) % 5;
            for (field = 0; field < nfields; field++) {
                struct buf f = BUF_INIT;
                int atomsn = (int)((seed = seed * 1103515245 + 12345) >> 16) % 4;
                for (k = 0; k < atomsn; k++)
                    assert_int_equal(
                        buf_addstr(&f, atoms[((seed = seed * 1103515245 + 12345) >> 16) % 9]), 0);
                if (field) {
                    assert_int_equal(buf_addch(&plain, ','), 0);
                    assert_int_equal(buf_addch(&quoted, ','), 0);
                }
                assert_int_equal(buf_addstr(&plain, f.data), 0);
                assert_int_equal(buf_addf(&quoted, field ? "%s" : "\"%s\"", f.data), 0);
                buf_release(&f);
            }
            if (plain.len == pstart) /* a blank line is no record; "" is one */
                buf_setlen(&quoted, qstart);
            if (!strcmp(end, "\r") && plain.len && plain.data[plain.len - 1] == '\r')
                assert_int_equal(buf_addch(&plain, 'z') || buf_addch(&quoted, 'z'), 0);
            assert_int_equal(buf_addstr(&plain, end), 0);
            assert_int_equal(buf_addstr(&quoted, end), 0);
        }
        assert_int_equal(csvread_mem("p.csv", plain.data, plain.len, &o, collect, &a, NULL, &err),
                         0);
        assert_int_equal(csvread_mem("q.csv", quoted.data, quoted.len, &o, collect, &b, NULL, &err),
                         0);
        if (strcmp(a.data, b.data))
            fail_msg("round %d:\n fast   \"%s\"\n libcsv \"%s\"", round, a.data, b.data);
        buf_release(&plain);
        buf_release(&quoted);
        buf_release(&a);
        buf_release(&b);
        err_release(&err);
    }
}

static int count(void *ud, const struct csvread_record *rec)
{
    (void)rec;
    (*(size_t *)ud)++;
    return 0;
}

static void test_field_cap(void **state)
{
    struct buf in = BUF_INIT;
    struct err err;
    size_t n = 0, k;
    int rc;

    (void)state;
    /* exactly at the cap: fine */
    err_init(&err);
    assert_int_equal(buf_addstr(&in, "a,b\nx,"), 0);
    for (k = 0; k < CSVREAD_FIELD_MAX; k++)
        assert_int_equal(buf_addch(&in, 'A'), 0);
    assert_int_equal(buf_addstr(&in, "\n"), 0);
    rc = csvread_mem("cap.csv", in.data, in.len, NULL, count, &n, NULL, &err);
    assert_int_equal(rc, 0);
    assert_int_equal(n, 2);
    /* one over, unquoted: an error naming file:line */
    buf_setlen(&in, in.len - 1);
    assert_int_equal(buf_addstr(&in, "A\n"), 0);
    rc = csvread_mem("cap.csv", in.data, in.len, NULL, count, &n, NULL, &err);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err.msg.data, "cap.csv:2: field 2 is longer than 64 KiB"));
    /* a quoted field that never ends: error, memory bounded */
    err_clear(&err);
    buf_reset(&in);
    assert_int_equal(buf_addstr(&in, "a\n\""), 0);
    for (k = 0; k < 4 * CSVREAD_FIELD_MAX; k++)
        assert_int_equal(buf_addstr(&in, k % 100 ? "B" : "\n"), 0);
    rc = csvread_mem("open.csv", in.data, in.len, NULL, count, &n, NULL, &err);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err.msg.data, "open.csv:2: field 1 is longer than 64 KiB"));
    buf_release(&in);
    err_release(&err);
}

static void test_too_many_fields(void **state)
{
    struct buf in = BUF_INIT;
    struct err err;
    size_t n = 0, k;

    (void)state;
    err_init(&err);
    assert_int_equal(buf_addstr(&in, "a\n"), 0);
    for (k = 0; k < CSVREAD_FIELDS_MAX + 1; k++)
        assert_int_equal(buf_addch(&in, ','), 0);
    assert_int_equal(buf_addch(&in, '\n'), 0);
    assert_int_equal(csvread_mem("w.csv", in.data, in.len, NULL, count, &n, NULL, &err), -1);
    assert_non_null(strstr(err.msg.data, "w.csv:2: more than 4096 fields"));
    buf_release(&in);
    err_release(&err);
}

static int stop_at_2(void *ud, const struct csvread_record *rec)
{
    (void)ud;
    return rec->index == 2 ? 42 : 0;
}

static void test_callback_stops(void **state)
{
    struct err err;
    const char *in = "a\n1\n2\n3\n";

    (void)state;
    err_init(&err);
    assert_int_equal(csvread_mem("s.csv", in, strlen(in), NULL, stop_at_2, NULL, NULL, &err), 42);
    err_release(&err);
}

static void test_files(void **state)
{
    static const struct {
        const char *file;
        size_t records;
        int delim;
        const char *warning;
    } files[] = {
        {"excel_bom_semicolon.csv", 5, ';', NULL},
        {"excel_cp1252.csv", 4, ';', "read as Windows-1252"},
        {"quoted_multiline.csv", 5, ',', NULL},
        {"google_sheets.tsv", 4, '\t', NULL},
        {"trailing_empty.csv", 5, ',', NULL},
        {"mac_cr.csv", 3, ',', NULL},
    };
    const char *fx = getenv("FIXTURES");
    char path[4096];
    size_t i;

    (void)state;
    assert_non_null(fx);
    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        struct buf warn = BUF_INIT;
        struct err err;
        size_t n = 0;
        struct csvread_opts o = {0, CSVREAD_AUTO};

        err_init(&err);
        snprintf(path, sizeof(path), "%s/contacts/%s", fx, files[i].file);
        if (csvread_file(path, &o, count, &n, &warn, &err))
            fail_msg("%s: %s", files[i].file, err.msg.data);
        if (n != files[i].records)
            fail_msg("%s: %zu records, want %zu", files[i].file, n, files[i].records);
        if (files[i].warning ? !strstr(warn.data, files[i].warning) : warn.len > 0)
            fail_msg("%s: warnings \"%s\"", files[i].file, warn.data);
        buf_release(&warn);
        err_release(&err);
    }
}

static void test_missing_file(void **state)
{
    struct err err;
    size_t n = 0;

    (void)state;
    err_init(&err);
    assert_int_equal(csvread_file("/nonexistent/x.csv", NULL, count, &n, NULL, &err), -1);
    assert_int_equal(err.kind, ERR_NOINPUT);
    assert_non_null(strstr(err.msg.data, "/nonexistent/x.csv"));
    err_release(&err);
}

static void test_parse_names(void **state)
{
    (void)state;
    assert_int_equal(csvread_parse_delim(";"), ';');
    assert_int_equal(csvread_parse_delim("tab"), '\t');
    assert_int_equal(csvread_parse_delim("comma"), ',');
    assert_int_equal(csvread_parse_delim("|"), -1);
    assert_int_equal(csvread_parse_encoding("cp1252"), CSVREAD_WINDOWS_1252);
    assert_int_equal(csvread_parse_encoding("UTF-8"), CSVREAD_UTF8);
    assert_int_equal(csvread_parse_encoding("latin1"), CSVREAD_LATIN1);
    assert_int_equal(csvread_parse_encoding("ebcdic"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_chunk_boundaries),
        cmocka_unit_test(test_cp1252_across_chunks),
        cmocka_unit_test(test_field_cap),
        cmocka_unit_test(test_too_many_fields),
        cmocka_unit_test(test_callback_stops),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_parse_names),
        cmocka_unit_test(test_fast_path_matches_libcsv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
