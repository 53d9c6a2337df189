/* test_utf8 - the one UTF-8 validator and decoder (RFC 3629 and its
 * table 3-7 of well-formed sequences), and the hex digits (module hex). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "hex.h"
#include "utf8.h"

#include "banned.h"

/* valid: the whole text is UTF-8; prefix: the valid prefix; cut: what
 * follows it could still be completed; nonascii: a multi-byte character in
 * the prefix. */
static const struct {
    const char *s;
    size_t prefix;
    int cut, nonascii;
} cases[] = {
    {"", 0, 0, 0},
    {"plain ASCII, more than eight octets", 35, 0, 0},
    {"Ni\xc3\xb1o", 5, 0, 1},                  /* ñ */
    {"\xe2\x82\xac", 3, 0, 1},                 /* € */
    {"\xf0\x9f\x97\xb3\xef\xb8\x8f", 7, 0, 1}, /* 🗳️ */
    {"\xf4\x8f\xbf\xbf", 4, 0, 1},             /* U+10FFFF, the last */
    {"abc\xc3", 3, 1, 0},                      /* cut after its lead */
    {"abcdefgh\xe2\x82", 8, 1, 0},             /* cut after two of three */
    {"\xf0\x9f\x97", 0, 1, 0},
    {"\xe0\xa0", 0, 1, 0},     /* U+0800's start */
    {"\xe0\x80", 0, 0, 0},     /* only an overlong could follow */
    {"\xed\xa0", 0, 0, 0},     /* only a surrogate could follow */
    {"\xf4\x90", 0, 0, 0},     /* only above U+10FFFF */
    {"\xc0\xaf", 0, 0, 0},     /* overlong '/' */
    {"\xc1\xbf", 0, 0, 0},     /* overlong */
    {"\xe0\x9f\xbf", 0, 0, 0}, /* overlong U+07FF */
    {"\xf0\x8f\xbf\xbf", 0, 0, 0},
    {"\xed\xa0\x80", 0, 0, 0},     /* U+D800 */
    {"\xed\xbf\xbf", 0, 0, 0},     /* U+DFFF */
    {"\xf4\x90\x80\x80", 0, 0, 0}, /* U+110000 */
    {"\xf5\x80\x80\x80", 0, 0, 0},
    {"\xff", 0, 0, 0},
    {"caf\xe9 cr\xe8me", 3, 0, 0}, /* Latin-1 */
    {"\xc3\xa9t\xe9", 3, 1, 1},    /* UTF-8, then what may be a cut one */
    {"\xc3\xa9t\xe9 x", 3, 0, 1},  /* UTF-8, then Latin-1 */
    {"\x80", 0, 0, 0},             /* a continuation alone */
    {"\xc3\x28", 0, 0, 0},
    {"\xe2\x28\xa1", 0, 0, 0},
};

static void test_valid_prefix(void **state)
{
    size_t i, n, got;
    int cut, nonascii;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        n = strlen(cases[i].s);
        cut = -1, nonascii = 0;
        got = utf8_valid_prefix(cases[i].s, n, &cut, &nonascii);
        if (got != cases[i].prefix || cut != cases[i].cut || nonascii != cases[i].nonascii)
            fail_msg("case %zu: prefix %zu cut %d nonascii %d, want %zu %d %d", i, got, cut,
                     nonascii, cases[i].prefix, cases[i].cut, cases[i].nonascii);
        assert_int_equal(utf8_valid(cases[i].s, n), cases[i].prefix == n);
        assert_int_equal(utf8_valid_prefix(cases[i].s, n, NULL, NULL), got);
    }
}

static void test_decode(void **state)
{
    uint32_t cp = 0;

    (void)state;
    assert_int_equal(utf8_decode("A", 1, &cp), 1);
    assert_int_equal(cp, 'A');
    assert_int_equal(utf8_decode("\xc3\xb1x", 3, &cp), 2);
    assert_int_equal(cp, 0xF1);
    assert_int_equal(utf8_decode("\xe2\x82\xac", 3, &cp), 3);
    assert_int_equal(cp, 0x20AC);
    assert_int_equal(utf8_decode("\xf0\x9f\x97\xb3", 4, &cp), 4);
    assert_int_equal(cp, 0x1F5F3);
    assert_int_equal(utf8_decode("\xe2\x82\xac", 2, &cp), 0); /* cut by len */
    assert_int_equal(utf8_decode("\xed\xa0\x80", 3, &cp), 0);
    assert_int_equal(utf8_decode("\xc0\x80", 2, &cp), 0);
}

static void test_chars(void **state)
{
    (void)state;
    assert_int_equal(utf8_chars("", 0), 0);
    assert_int_equal(utf8_chars("Niño", strlen("Niño")), 4);
    assert_int_equal(utf8_chars("año 🗳", strlen("año 🗳")), 5);
}

static void test_hex(void **state)
{
    static const char digits[] = "0123456789abcdefABCDEF";
    int c;

    (void)state;
    for (c = 0; c < 256; c++) {
        const char *at = c ? strchr(digits, c) : NULL;
        int want = !at ? -1 : at - digits < 16 ? (int)(at - digits) : (int)(at - digits) - 6;
        assert_int_equal(hex_digit(c), want);
    }
    assert_int_equal(hex_byte("e9"), 0xE9);
    assert_int_equal(hex_byte("E9"), 0xE9);
    assert_int_equal(hex_byte("00"), 0);
    assert_int_equal(hex_byte("fF"), 255);
    assert_int_equal(hex_byte("g0"), -1);
    assert_int_equal(hex_byte("0g"), -1);
    assert_int_equal(hex_byte(""), -1); /* the NUL stops it: p[1] unread */
    assert_int_equal(hex_lower[0xE9 >> 4], 'e');
    assert_int_equal(hex_upper[0xE9 & 15], '9');
    assert_int_equal(strlen(hex_lower), 16);
    assert_int_equal(strlen(hex_upper), 16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_prefix),
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_chars),
        cmocka_unit_test(test_hex),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
