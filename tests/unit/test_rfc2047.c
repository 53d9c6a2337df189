/* test_rfc2047 - encoded words: exact outputs, folding, UTF-8 boundaries,
 * injection attempts and round trips through rfc2047_decode(). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rfc2047.h"
#include "utf8.h"

#include "banned.h"

#define LEN(s) (sizeof(s) - 1)

/* The raw octets of one encoded word written by us (=?UTF-8?Q|B?...?=). */
static void word_raw(struct buf *raw, const char *w, size_t n)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *t = w + 10, *end = w + n - 2;
    unsigned acc = 0, bits = 0, v;
    char hx[3] = {0, 0, 0};

    assert_true(n > 12 && !memcmp(w, "=?UTF-8?", 8) && w[9] == '?');
    for (; t < end; t++) {
        if (w[8] == 'Q') {
            if (*t == '=') {
                memcpy(hx, t + 1, 2);
                assert_int_equal(buf_addch(raw, (int)strtol(hx, NULL, 16)), 0);
                t += 2;
            } else {
                assert_int_equal(buf_addch(raw, *t == '_' ? ' ' : *t), 0);
            }
        } else if (*t != '=') {
            v = (unsigned)(strchr(b64, *t) - b64);
            acc = acc << 6 | v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                assert_int_equal(buf_addch(raw, (acc >> bits) & 0xFF), 0);
            }
        }
    }
}

/* Check what every header value we write must satisfy: 7-bit printable,
 * CR only in CRLF SP folds, lines <= 78 columns (column included), each
 * encoded word <= RFC2047_WORD_MAX and decoding on its own to valid UTF-8
 * (so words were cut on character boundaries). */
static void assert_header_safe(const char *s, size_t n, size_t column)
{
    size_t i, col = column, j;
    struct buf w = BUF_INIT;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r') {
            assert_true(i + 2 < n);
            assert_int_equal(s[i + 1], '\n');
            assert_int_equal(s[i + 2], ' ');
            col = 0;
            i++;
            continue;
        }
        assert_true(c >= 0x20 && c <= 0x7E);
        col++;
        assert_true(col <= 78);
        if (c == '=' && i + 1 < n && s[i + 1] == '?') {
            /* "=?UTF-8?Q?" is 10 octets; the word ends at the next "?=" */
            j = i + 10;
            while (j + 1 < n && !(s[j] == '?' && s[j + 1] == '='))
                j++;
            assert_true(j + 2 - i <= RFC2047_WORD_MAX);
            buf_reset(&w);
            word_raw(&w, s + i, j + 2 - i);
            assert_true(utf8_valid(w.data, w.len));
            col += j + 1 - i;
            assert_true(col <= 78);
            i = j + 1;
        }
    }
    buf_release(&w);
}

struct text_case {
    const char *name;
    const char *in;
    size_t len;
    const char *want;    /* exact output, or NULL to check properties only */
    const char *decoded; /* what decoding gives back */
    int min_folds;
};

static const struct text_case text_cases[] = {
    {"ascii", "Hola mundo", LEN("Hola mundo"), "Hola mundo", "Hola mundo", 0},
    {"accent", "Boletín", LEN("Boletín"), "=?UTF-8?Q?Bolet=C3=ADn?=", "Boletín", 0},
    {"enie", "Año nuevo, señor Muñoz", LEN("Año nuevo, señor Muñoz"), NULL,
     "Año nuevo, señor Muñoz", 0},
    {"inverted", "¿Vienes? ¡Sí!", LEN("¿Vienes? ¡Sí!"),
     "=?UTF-8?Q?=C2=BFVienes=3F_=C2=A1S=C3=AD!?=", "¿Vienes? ¡Sí!", 0},
    {"emoji", "🗳️🇲🇽🎬🎙️", LEN("🗳️🇲🇽🎬🎙️"), NULL,
     "🗳️🇲🇽🎬🎙️", 0},
    {"emoji-b", "😀😀😀", LEN("😀😀😀"), "=?UTF-8?B?8J+YgPCfmIDwn5iA?=", "😀😀😀", 0},
    {"long",
     "Convocatoria: participa como observadora u observador electoral en el Proceso Electoral "
     "Local Ordinario 2026–2027 de la Ciudad de México, ¡inscríbete antes del 15 de diciembre!",
     (size_t)-1, NULL,
     "Convocatoria: participa como observadora u observador electoral en el Proceso Electoral "
     "Local Ordinario 2026–2027 de la Ciudad de México, ¡inscríbete antes del 15 de diciembre!",
     3},
    {"long-ascii",
     "Pulso Internacional: resumen semanal de noticias electorales internacionales numero 47 de "
     "2026",
     (size_t)-1, NULL,
     "Pulso Internacional: resumen semanal de noticias electorales internacionales numero 47 de "
     "2026",
     1},
    {"crlf-injection", "Hola\r\nBcc: x@evil.example", (size_t)-1, "Hola Bcc: x@evil.example",
     "Hola Bcc: x@evil.example", 0},
    {"lf-injection", "Boletín\nBcc: x@evil.example\n\nbody", (size_t)-1, NULL,
     "Boletín Bcc: x@evil.example  body", 0},
    {"nul", "a\0b", 3, NULL,
     "a\xEF\xBF\xBD"
     "b",
     0},
    {"controls", "a\tb\x01\x7f", (size_t)-1, NULL, "a b\xEF\xBF\xBD\xEF\xBF\xBD", 0},
    {"invalid",
     "\xff\xfe"
     "abc\xc3",
     (size_t)-1, NULL,
     "\xEF\xBF\xBD\xEF\xBF\xBD"
     "abc\xEF\xBF\xBD",
     0},
    {"overlong", "\xc0\xaf\xed\xa0\x80", (size_t)-1, NULL,
     "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", 0},
    {"fake-word", "=?UTF-8?Q?hack?=", (size_t)-1, NULL, "=?UTF-8?Q?hack?=", 0},
    {"double-space", "a  b", (size_t)-1, NULL, "a  b", 0},
    {"leading-space", " a", (size_t)-1, NULL, " a", 0},
    {"long-word",
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     (size_t)-1, NULL,
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1},
    {"empty", "", 0, "", "", 0},
};

static size_t count_folds(const char *s)
{
    size_t n = 0;

    for (; (s = strstr(s, "\r\n ")) != NULL; s += 3)
        n++;
    return n;
}

static void test_encode_text(void **state)
{
    size_t i, len;
    struct buf out = BUF_INIT, back = BUF_INIT;

    (void)state;
    for (i = 0; i < sizeof(text_cases) / sizeof(text_cases[0]); i++) {
        const struct text_case *c = &text_cases[i];
        len = c->len == (size_t)-1 ? strlen(c->in) : c->len;
        buf_reset(&out);
        buf_reset(&back);
        assert_int_equal(rfc2047_encode_text(&out, c->in, len, 9), 0);
        if (c->want && strcmp(out.data, c->want) != 0)
            fail_msg("%s: got \"%s\", want \"%s\"", c->name, out.data, c->want);
        assert_header_safe(out.data, out.len, 9);
        assert_true(count_folds(out.data) >= (size_t)c->min_folds);
        assert_int_equal(rfc2047_decode(&back, out.data, out.len), 0);
        if (strcmp(back.data, c->decoded) != 0)
            fail_msg("%s: decoded \"%s\", want \"%s\"", c->name, back.data, c->decoded);
    }
    buf_release(&out);
    buf_release(&back);
}

/* Characters of 2, 3 and 4 bytes repeated so that words fill up: every word
 * must still end on a character boundary. */
static void test_boundaries(void **state)
{
    static const char *chars[] = {"ñ", "€", "😀", "a", "ñ€😀a"};
    struct buf in = BUF_INIT, out = BUF_INIT, back = BUF_INIT;
    size_t i, k, reps;

    (void)state;
    for (i = 0; i < sizeof(chars) / sizeof(chars[0]); i++) {
        for (reps = 1; reps < 60; reps++) {
            buf_reset(&in);
            buf_reset(&out);
            buf_reset(&back);
            assert_int_equal(buf_addstr(&in, "é"), 0); /* forces encoding even for "a" */
            for (k = 0; k < reps; k++)
                assert_int_equal(buf_addstr(&in, chars[i]), 0);
            assert_int_equal(rfc2047_encode_text(&out, in.data, in.len, 9), 0);
            assert_header_safe(out.data, out.len, 9);
            assert_int_equal(rfc2047_decode(&back, out.data, out.len), 0);
            assert_string_equal(back.data, in.data);
            buf_reset(&out);
            buf_reset(&back);
            assert_int_equal(rfc2047_encode_phrase(&out, in.data, in.len, 4), 0);
            assert_header_safe(out.data, out.len, 4);
            assert_int_equal(rfc2047_decode(&back, out.data, out.len), 0);
            assert_string_equal(back.data, in.data);
        }
    }
    buf_release(&in);
    buf_release(&out);
    buf_release(&back);
}

struct phrase_case {
    const char *in;
    const char *want;
};

static const struct phrase_case phrase_cases[] = {
    {"Ana", "Ana"},
    {"Ana Maria Lopez", "Ana Maria Lopez"},
    {"Ana María", "=?UTF-8?Q?Ana_Mar=C3=ADa?="},
    {"Perez, Juan", "\"Perez, Juan\""},
    {"Juan \"Chucho\" Perez", "\"Juan \\\"Chucho\\\" Perez\""},
    {"back\\slash", "\"back\\\\slash\""},
    {"Ana\r\nBcc: x@evil.example", "\"Ana Bcc: x@evil.example\""},
    {"Ana <ana@evil.example>", "\"Ana <ana@evil.example>\""},
    {"Peña, Ana <x@evil>", "=?UTF-8?Q?Pe=C3=B1a=2C_Ana_=3Cx=40evil=3E?="},
    {"=?UTF-8?Q?x?=", "=?UTF-8?Q?=3D=3FUTF-8=3FQ=3Fx=3F=3D?="},
    {"", ""},
};

static void test_encode_phrase(void **state)
{
    struct buf out = BUF_INIT, back = BUF_INIT, clean = BUF_INIT;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(phrase_cases) / sizeof(phrase_cases[0]); i++) {
        const struct phrase_case *c = &phrase_cases[i];
        buf_reset(&out);
        assert_int_equal(rfc2047_encode_phrase(&out, c->in, strlen(c->in), 6), 0);
        if (strcmp(out.data, c->want) != 0)
            fail_msg("phrase \"%s\": got \"%s\", want \"%s\"", c->in, out.data, c->want);
        assert_header_safe(out.data, out.len, 6);
        if (out.len && out.data[0] != '"') {
            buf_reset(&back);
            buf_reset(&clean);
            assert_int_equal(rfc2047_decode(&back, out.data, out.len), 0);
            assert_int_equal(rfc2047_clean(&clean, c->in, strlen(c->in)), 0);
            assert_string_equal(back.data, clean.data);
        }
    }
    buf_release(&out);
    buf_release(&back);
    buf_release(&clean);
}

static void test_encode_param(void **state)
{
    struct buf out = BUF_INIT, back = BUF_INIT;

    (void)state;
    assert_int_equal(rfc2047_encode_param(&out, "boletin.pdf", 11), 0);
    assert_string_equal(out.data, "boletin.pdf");
    buf_reset(&out);
    assert_int_equal(rfc2047_encode_param(&out, "a\"b.pdf", 7), 0);
    assert_string_equal(out.data, "=?UTF-8?Q?a=22b=2Epdf?=");
    buf_reset(&out);
    const char *name =
        "Boletín Corazón Chilango — edición de noviembre de 2026 (versión final).pdf";
    assert_int_equal(rfc2047_encode_param(&out, name, strlen(name)), 0);
    assert_null(strchr(out.data, '\r'));
    assert_null(strchr(out.data, '"'));
    assert_int_equal(rfc2047_decode(&back, out.data, out.len), 0);
    assert_string_equal(back.data, name);
    buf_release(&out);
    buf_release(&back);
}

struct decode_case {
    const char *in;
    const char *want;
};

static const struct decode_case decode_cases[] = {
    {"=?UTF-8?Q?a?= =?UTF-8?Q?b?=", "ab"},
    {"=?utf-8?b?w7Fh?=", "ña"},
    {"=?ISO-8859-1?Q?Espa=F1a?=", "España"},
    {"=?UTF-8*es?Q?Mar=C3=ADa?=", "María"},
    {"Hola =?UTF-8?Q?Mar=C3=ADa?= y Juan", "Hola María y Juan"},
    {"=?UTF-8?Q?a?=\r\n =?UTF-8?Q?b?=", "ab"},
    {"Hola\r\n mundo", "Hola mundo"},
    {"=?UTF-8?X?abc?=", "=?UTF-8?X?abc?="},
    {"=?KOI8-R?Q?x?=", "=?KOI8-R?Q?x?="},
    {"=?UTF-8?Q?=FF?=", "\xEF\xBF\xBD"},
    {"=?UTF-8?Q?bad=Z?=", "=?UTF-8?Q?bad=Z?="},
    {"=?UTF-8?Q?a b?=", "=?UTF-8?Q?a b?="},
    {"a = b", "a = b"},
    {"=?", "=?"},
};

static void test_decode(void **state)
{
    struct buf out = BUF_INIT;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(decode_cases) / sizeof(decode_cases[0]); i++) {
        buf_reset(&out);
        assert_int_equal(rfc2047_decode(&out, decode_cases[i].in, strlen(decode_cases[i].in)), 0);
        if (strcmp(out.data, decode_cases[i].want) != 0)
            fail_msg("decode \"%s\": got \"%s\"", decode_cases[i].in, out.data);
    }
    buf_release(&out);
}

/* Random bytes (a fixed-seed generator): whatever comes in, what goes out
 * is a safe header value that decodes to the cleaned input. */
static void test_random_round_trip(void **state)
{
    struct buf out = BUF_INIT, back = BUF_INIT, clean = BUF_INIT;
    unsigned char in[160];
    uint32_t x = 2026;
    size_t i, n, k;
    static const char *pieces[] = {"ñ", "😀", "\r\n", " ", "a", "=?", "\xff", "\0", "é", "\""};

    (void)state;
    for (i = 0; i < 3000; i++) {
        n = 0;
        while (n < sizeof(in) - 8) {
            x = x * 1103515245u + 12345u;
            k = (x >> 16) % 14;
            if (k < 10) {
                size_t pl = k == 7 ? 1 : strlen(pieces[k]);
                memcpy(in + n, pieces[k], pl);
                n += pl;
            } else {
                in[n++] = (unsigned char)(x >> 8);
            }
            if (((x >> 24) & 15) == 0)
                break;
        }
        buf_reset(&out);
        buf_reset(&back);
        buf_reset(&clean);
        assert_int_equal(rfc2047_clean(&clean, (char *)in, n), 0);
        assert_int_equal(rfc2047_encode_text(&out, (char *)in, n, 9), 0);
        assert_header_safe(out.data, out.len, 9);
        assert_int_equal(rfc2047_decode(&back, out.data, out.len), 0);
        assert_string_equal(back.data, clean.data);
        buf_reset(&out);
        assert_int_equal(rfc2047_encode_phrase(&out, (char *)in, n, 6), 0);
        assert_header_safe(out.data, out.len, 6);
        /* decoding hostile input gives valid UTF-8 and never overreads */
        buf_reset(&back);
        assert_int_equal(rfc2047_decode(&back, (char *)in, n), 0);
        assert_true(utf8_valid(back.data, back.len));
    }
    buf_release(&out);
    buf_release(&back);
    buf_release(&clean);
}

static void test_cap(void **state)
{
    struct buf out;

    (void)state;
    buf_init(&out, 10);
    assert_int_equal(rfc2047_encode_text(&out, "Boletín Corazón", LEN("Boletín Corazón"), 9), -1);
    buf_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_text),   cmocka_unit_test(test_boundaries),
        cmocka_unit_test(test_encode_phrase), cmocka_unit_test(test_encode_param),
        cmocka_unit_test(test_decode),        cmocka_unit_test(test_random_round_trip),
        cmocka_unit_test(test_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
