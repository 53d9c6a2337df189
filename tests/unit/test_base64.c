/* test_base64 - the one base64 encoder (base64_put) and digit reader. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "base64.h"

#include "banned.h"

/* RFC 4648 section 10, and octets that use the last digits and the high bit. */
static void test_vectors(void **state)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
        {"\xfb\xff\xbf", "+/+/"},
        {"Boletín", "Qm9sZXTDrW4="},
    };
    char out[64];
    size_t i, n;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        n = strlen(cases[i].in);
        memset(out, '#', sizeof(out));
        char *end = base64_put(out, (const unsigned char *)cases[i].in, n);
        assert_int_equal((size_t)(end - out), BASE64_LEN(n));
        assert_int_equal((size_t)(end - out), strlen(cases[i].want));
        assert_memory_equal(out, cases[i].want, strlen(cases[i].want));
        assert_int_equal(*end, '#'); /* nothing past its text, no NUL */
    }
}

/* Every digit reads back as its place in the alphabet; nothing else reads. */
static void test_digits(void **state)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int c, seen = 0;

    (void)state;
    for (c = 0; c < 256; c++) {
        const char *at = c ? strchr(alphabet, c) : NULL;
        int want = at ? (int)(at - alphabet) : -1;
        assert_int_equal(base64_digit(c), want);
        seen += want >= 0;
    }
    assert_int_equal(seen, 64);
    assert_int_equal(base64_digit('='), -1);
    assert_int_equal(base64_digit(-1), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_digits),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
